// fakeauth0's node worker: runs the tenant's Actions as Auth0 runs them, one request per line
// of JSON on stdin, one answer per line on stdout (fakeauth0/js/runtime.py is the other end).
//
// A request: {"id", "trigger", "code", "event", "secrets", "dependencies", "timeout_ms"},
// and optionally "modules_dir" (where the dependencies are installed), "bridge" ({domain, url}:
// the tenant the script may call, see reach.mjs), "globals" (a Rule's `auth0` and
// `configuration`), "redirect" (a login's {state, interactive, silent}), "resume" (run
// `onContinuePostLogin` instead: the login came back to /continue) and "cache" ({now,
// entries, limits}: what `api.cache` starts from, see fakeauth0/action_cache.py).
// An answer: {"id", "commands", "logs", "error", "timed_out", "duration_ms", "cache_writes"},
// and a Rule's "output" ({user, context}, as it called back).
//
// Each run loads the action's code as a CommonJS module (`exports.onExecutePostLogin = ...`)
// in a fresh V8 context, so one action's globals never leak into another's, and calls its
// handler with Auth0's `event` and an `api` object that records each command in order. The
// worker never exits on a bad action: errors come back as data. A synchronous endless loop
// cannot be interrupted from inside, so the Python side kills and restarts this process.
//
// A classic Rule (trigger "rule") is a function expression `function (user, context,
// callback)`, evaluated in a fresh context holding Auth0's Rules globals (`auth0`,
// `configuration`, `UnauthorizedError`); its callback's (error, user, context) is the answer.
import crypto from "node:crypto";
import { isBuiltin } from "node:module";
import { createRequire } from "node:module";
import path from "node:path";
import { route } from "./reach.mjs";
import readline from "node:readline";
import vm from "node:vm";
import util from "node:util";

const nodeRequire = createRequire(import.meta.url);

/** The handler each trigger exports (https://auth0.com/docs/customize/actions/explore-triggers). */
const HANDLERS = {
  "post-login": "onExecutePostLogin",
  "pre-user-registration": "onExecutePreUserRegistration",
  "post-user-registration": "onExecutePostUserRegistration",
};

class NotModelled extends Error {
  constructor(what) {
    super(`${what} is not modelled yet by fakeauth0`);
    this.name = "NotModelledError";
  }
}

function notModelled(what) {
  return () => {
    throw new NotModelled(what);
  };
}

/** Protocols where no browser waits: a redirect cannot happen there. */
const NON_INTERACTIVE = ["oauth2-resource-owner", "oauth2-password", "oauth2-refresh-token",
  "oauth2-device-code", "oauth2-token-exchange", "oauth2-client-credentials"];

/** Auth0's post-login `api`, recording each call as {api, args} in the order made.
 * `redirect` is what the login says of redirects: {state, interactive, silent} (the
 * transaction's state; whether a browser waits; whether the login is `prompt=none`). */
function postLoginApi(commands, event, redirect, cache) {
  const api = {};
  const record = (name) => (...args) => {
    commands.push({ api: name, args: JSON.parse(JSON.stringify(args, replacer)) });
    return api;
  };
  const interactive = redirect
    ? Boolean(redirect.interactive)
    : !NON_INTERACTIVE.includes(event?.transaction?.protocol);
  const silent = Boolean(redirect && redirect.silent);
  const state = redirect ? redirect.state ?? null : null;
  const sendUserTo = record("redirect.sendUserTo");
  Object.assign(api, {
    access: { deny: record("access.deny") },
    idToken: { setCustomClaim: record("idToken.setCustomClaim") },
    accessToken: {
      setCustomClaim: record("accessToken.setCustomClaim"),
      addScope: record("accessToken.addScope"),
      removeScope: record("accessToken.removeScope"),
    },
    user: {
      setAppMetadata: record("user.setAppMetadata"),
      setUserMetadata: record("user.setUserMetadata"),
    },
    authentication: {
      setPrimaryUser: record("authentication.setPrimaryUser"),
      recordMethod: notModelled("api.authentication.recordMethod"),
      challengeWith: notModelled("api.authentication.challengeWith (MFA)"),
      challengeWithAny: notModelled("api.authentication.challengeWithAny (MFA)"),
      enrollWith: notModelled("api.authentication.enrollWith (MFA)"),
      enrollWithAny: notModelled("api.authentication.enrollWithAny (MFA)"),
    },
    multifactor: { enable: notModelled("api.multifactor.enable (MFA)") },
    redirect: {
      sendUserTo: (url, options) => {
        if (!interactive) {
          throw new Error(
            `api.redirect.sendUserTo cannot redirect in a non-interactive flow ` +
              `(${event?.transaction?.protocol}); check api.redirect.canRedirect() first`,
          );
        }
        let target;
        try {
          target = new URL(String(url));
        } catch {
          throw new TypeError(`api.redirect.sendUserTo needs an absolute URL, not ${url}`);
        }
        if (target.protocol !== "https:" && target.protocol !== "http:") {
          throw new TypeError(`api.redirect.sendUserTo needs an http(s) URL, not ${url}`);
        }
        return sendUserTo(target.href, options ?? {});
      },
      canRedirect: () => interactive && !silent,
      encodeToken: (options) => encodeToken(options, event, state),
      validateToken: (options) => validateToken(options, event, state),
    },
    samlResponse: { setAttribute: notModelled("api.samlResponse") },
    cache,
  });
  return api;
}

/** Auth0's limits when the request names none (fakeauth0/action_cache.py's LIMITS). */
const CACHE_LIMITS = {
  max_entries: 20,
  max_key_bytes: 64,
  max_value_bytes: 4096,
  max_total_bytes: 8192,
  default_ttl_ms: 15 * 60 * 1000,
  max_ttl_ms: 24 * 60 * 60 * 1000,
};

const isFiniteNumber = (n) => typeof n === "number" && Number.isFinite(n);

/** `api.cache` (every trigger's api object, e.g.
 * https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object):
 * `get(key)` is the live record `{value, expires_at}` or undefined; `set(key, value, {ttl,
 * expires_at})` stores a string for the given lifetime (15 minutes by default, the earlier of
 * the two when both are given, at most the limit) and answers `{type: "success", record}` or
 * `{type: "error", code}`; `delete(key)` answers `{type: "success"}`, or the error
 * `CacheKeyDoesNotExist`. Times are milliseconds on the tenant's clock (`given.now` when the
 * run started, standing still while `given.frozen`). Each write is pushed on `writes` for
 * the Python side to keep. */
function cacheApi(given, writes) {
  const limits = { ...CACHE_LIMITS, ...(given?.limits ?? {}) };
  const entries = new Map(Object.entries(given?.entries ?? {}));
  const start = isFiniteNumber(given?.now) ? given.now : Date.now();
  const began = performance.now();
  const now = () => (given?.frozen ? start : Math.floor(start + (performance.now() - began)));
  const bytes = (text) => Buffer.byteLength(text, "utf8");
  const live = (record) => record !== undefined && record.expires_at >= now();
  const error = (code) => ({ type: "error", code });
  const prune = () => {
    for (const [key, record] of entries) if (!live(record)) entries.delete(key);
  };

  const expiry = (options) => {
    const at = now();
    let expiresAt;
    if (options?.ttl !== undefined) {
      if (!isFiniteNumber(options.ttl)) return { code: "InvalidExpiry" };
      expiresAt = at + Math.floor(options.ttl);
    }
    if (options?.expires_at !== undefined) {
      if (!isFiniteNumber(options.expires_at)) return { code: "InvalidExpiry" };
      const given = Math.floor(options.expires_at);
      expiresAt = expiresAt === undefined ? given : Math.min(expiresAt, given);
    }
    if (expiresAt === undefined) expiresAt = at + limits.default_ttl_ms;
    if (expiresAt <= at) return { code: "ItemAlreadyExpired" };
    if (!Number.isSafeInteger(expiresAt)) return { code: "InvalidExpiry" };
    return { expiresAt: Math.min(expiresAt, at + limits.max_ttl_ms) };
  };

  return {
    get(key) {
      const record = entries.get(key);
      return live(record) ? { value: record.value, expires_at: record.expires_at } : undefined;
    },
    set(key, value, options) {
      if (typeof key !== "string") throw new TypeError("api.cache.set: the key must be a string");
      if (typeof value !== "string") {
        throw new TypeError("api.cache.set: the value must be a string");
      }
      prune();
      if (bytes(key) > limits.max_key_bytes) return error("CacheKeySizeExceeded");
      if (bytes(value) > limits.max_value_bytes) return error("CacheValueSizeExceeded");
      let total = bytes(key) + bytes(value);
      for (const [other, record] of entries) {
        if (other !== key) total += bytes(other) + bytes(record.value);
      }
      const added = !entries.has(key);
      if (total > limits.max_total_bytes || (added && entries.size >= limits.max_entries)) {
        return error("CacheSizeExceeded");
      }
      const { code, expiresAt } = expiry(options);
      if (code) return error(code);
      const record = { value, expires_at: expiresAt };
      entries.set(key, record);
      writes.push({ op: "set", key, value, expires_at: expiresAt });
      return { type: "success", record: { ...record } };
    },
    delete(key) {
      if (!live(entries.get(key))) return error("CacheKeyDoesNotExist");
      entries.delete(key);
      writes.push({ op: "delete", key });
      return { type: "success" };
    },
  };
}

const base64url = (data) => Buffer.from(data).toString("base64url");

function hs256(secret, input) {
  return crypto.createHmac("sha256", String(secret)).update(input).digest("base64url");
}

/** `api.redirect.encodeToken({secret, payload, expiresInSeconds = 900})`: an HS256 JWT with
 * `iat`, `exp`, `iss` (the tenant's domain), `sub` (the user), `ip` and the transaction's
 * `state`, then the payload's own claims
 * (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions). */
function encodeToken(options, event, state) {
  const { secret, payload = {}, expiresInSeconds = 900 } = options ?? {};
  if (secret === undefined || secret === null || secret === "") {
    throw new TypeError("api.redirect.encodeToken needs a secret");
  }
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: event?.request?.hostname,
    sub: event?.user?.user_id,
    ip: event?.request?.ip,
    state,
    ...payload,
    iat,
    exp: iat + Number(expiresInSeconds),
  };
  const head = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(claims, replacer));
  return `${head}.${body}.${hs256(secret, `${head}.${body}`)}`;
}

/** `api.redirect.validateToken({secret, tokenParameterName = "session_token"})`: the token the
 * external site sent to `/continue` (query or form body), checked for its HS256 signature, its
 * expiry and a `state` claim equal to the transaction's; its claims, or a thrown error. */
function validateToken(options, event, state) {
  const { secret, tokenParameterName = "session_token" } = options ?? {};
  const token =
    event?.request?.body?.[tokenParameterName] ?? event?.request?.query?.[tokenParameterName];
  if (typeof token !== "string" || token === "") {
    throw new Error(`There is no ${tokenParameterName} parameter in the request`);
  }
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("The session token is not a JWT");
  let header, claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    throw new Error("The session token is not a JWT");
  }
  if (header?.alg !== "HS256") throw new Error("The session token is not signed with HS256");
  const expected = Buffer.from(hs256(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new Error("invalid signature");
  }
  if (typeof claims.exp === "number" && claims.exp <= Math.floor(Date.now() / 1000)) {
    throw new Error("jwt expired");
  }
  if (claims.state !== state) {
    throw new Error("The state claim does not match the state of the transaction");
  }
  return claims;
}

/** Registration triggers' `api`: deny, metadata and the cache
 * (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers). */
function registrationApi(commands, cache) {
  const api = {};
  const record = (name) => (...args) => {
    commands.push({ api: name, args: JSON.parse(JSON.stringify(args, replacer)) });
    return api;
  };
  Object.assign(api, {
    access: { deny: record("access.deny") },
    user: {
      setAppMetadata: record("user.setAppMetadata"),
      setUserMetadata: record("user.setUserMetadata"),
    },
    cache,
  });
  return api;
}

function replacer(_key, value) {
  return value === undefined ? null : value;
}

/** `request@2.56.0/lib/x` -> `request/lib/x`: Rules named a version in the specifier. */
function unversioned(specifier) {
  const scoped = specifier.startsWith("@");
  const parts = specifier.split("/");
  const nameParts = scoped ? 2 : 1;
  const last = parts[nameParts - 1];
  const at = last.lastIndexOf("@");
  if (at > 0) parts[nameParts - 1] = last.slice(0, at);
  return { pkg: parts.slice(0, nameParts).join("/"), specifier: parts.join("/") };
}

function sandboxRequire(dependencies, modulesDir) {
  const declared = new Set((dependencies || []).map((d) => d.name));
  const installed = modulesDir ? createRequire(path.join(modulesDir, "index.js")) : null;
  return (name) => {
    if (isBuiltin(name)) return nodeRequire(name);
    const { pkg, specifier } = unversioned(name);
    if (!declared.has(pkg)) {
      throw new Error(
        `Cannot find module '${name}': it is not among the script's dependencies ` +
          `(declare it in the action's dependencies)`,
      );
    }
    if (installed === null) throw new Error(`Cannot find module '${name}': it is not installed`);
    return installed(specifier);
  };
}

/** Auth0's Rules error for "deny with a message": the app receives error=unauthorized
 * (https://auth0.com/docs/customize/rules/raise-errors-from-rules). */
class UnauthorizedError extends Error {
  constructor(message) {
    super(message);
    this.name = "UnauthorizedError";
  }
}

/** A stack down to the action's own frames: the worker's are noise to the action's author. */
function actionFrames(stack) {
  const lines = stack.split("\n");
  const cut = lines.findIndex((line) => line.includes(import.meta.url));
  return (cut === -1 ? lines : lines.slice(0, cut)).join("\n");
}

function errorData(error) {
  if (error !== null && typeof error === "object") {
    return {
      name: String(error.name ?? "Error"),
      message: String(error.message ?? ""),
      stack: actionFrames(String(error.stack ?? "")),
    };
  }
  return { name: "Error", message: String(error), stack: "" };
}

const scripts = new Map();

function compiled(code, rule = false) {
  const key = (rule ? "rule:" : "action:") + code;
  let script = scripts.get(key);
  if (script === undefined) {
    const source = rule
      ? `(${code}\n)`
      : `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
    script = new vm.Script(source, { filename: rule ? "rule.js" : "action.js" });
    if (scripts.size > 256) scripts.clear();
    scripts.set(key, script);
  }
  return script;
}

/** A Rule's `auth0`: `{baseUrl, accessToken, domain}` and the restricted management client's
 * metadata writers (https://auth0.com/docs/customize/rules/use-management-api). */
function rulesAuth0(given) {
  const patch = async (userId, body, callback) => {
    const done = (async () => {
      const answer = await fetch(`${given.baseUrl}/users/${encodeURIComponent(userId)}`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${given.accessToken}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await answer.text();
      if (!answer.ok) throw new Error(text);
      return JSON.parse(text);
    })();
    if (typeof callback !== "function") return done;
    done.then((user) => callback(null, user), (error) => callback(error));
    return undefined;
  };
  return {
    ...given,
    users: {
      updateAppMetadata: (userId, metadata, callback) =>
        patch(userId, { app_metadata: metadata }, callback),
      updateUserMetadata: (userId, metadata, callback) =>
        patch(userId, { user_metadata: metadata }, callback),
    },
  };
}

/** Run a Rule: call it with (user, context, callback) and wait for the callback. */
async function runRule(request, context, answer) {
  const rule = compiled(request.code, true).runInContext(context, { timeout: request.timeout_ms });
  if (typeof rule !== "function") throw new TypeError("The rule's script is not a function");
  let timer;
  const called = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), request.timeout_ms);
    rule(request.event.user, request.event.context, (error, user, ruleContext) =>
      resolve({ error, user, context: ruleContext }),
    );
  });
  try {
    const outcome = await called;
    if (outcome.timedOut) return answer(new Error("Script execution time exceeded"), true);
    if (outcome.error) return answer(outcome.error);
    const output = JSON.parse(JSON.stringify({ user: outcome.user, context: outcome.context }, replacer));
    return { ...answer(null), output };
  } finally {
    clearTimeout(timer);
  }
}

async function run(request) {
  const commands = [];
  const logs = [];
  const cacheWrites = [];
  const started = performance.now();
  const answer = (error, timedOut = false) => ({
    id: request.id,
    commands,
    logs,
    cache_writes: cacheWrites,
    error: error === null ? null : errorData(error),
    timed_out: timedOut,
    duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
  });
  const log = (...args) => logs.push(util.format(...args));
  const sandbox = {
    console: { log, info: log, warn: log, error: log, debug: log },
    setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate,
    queueMicrotask, Buffer, URL, URLSearchParams, TextEncoder, TextDecoder,
    fetch, Headers, Request, Response, AbortController, structuredClone, atob, btoa,
    process: { env: {}, version: process.version, versions: process.versions },
  };
  sandbox.global = sandbox;
  sandbox.globalThis = sandbox;
  if (request.bridge) route(request.bridge.domain, request.bridge.url);
  const require = sandboxRequire(request.dependencies, request.modules_dir);
  const module = { exports: {} };
  const handlerName = HANDLERS[request.trigger];
  let timer;
  try {
    if (request.trigger === "rule") {
      const globals = request.globals || {};
      Object.assign(sandbox, {
        configuration: globals.configuration || {},
        auth0: rulesAuth0(globals.auth0 || {}),
        require,
        UnauthorizedError,
      });
      return await runRule(request, vm.createContext(sandbox), answer);
    }
    const context = vm.createContext(sandbox);
    if (!handlerName) throw new Error(`fakeauth0 does not run the trigger ${request.trigger} yet`);
    const wrapper = compiled(request.code).runInContext(context, { timeout: request.timeout_ms });
    wrapper(module.exports, require, module, "/action.js", "/");
    // A login resumed at /continue runs the redirecting action's onContinuePostLogin.
    const exported = request.resume ? "onContinuePostLogin" : handlerName;
    const handler = module.exports[exported];
    if (typeof handler !== "function") {
      throw new TypeError(`The action does not export ${exported}`);
    }
    const event = { ...request.event, secrets: { ...(request.secrets || {}) } };
    const cache = cacheApi(request.cache, cacheWrites);
    const api =
      request.trigger === "post-login"
        ? postLoginApi(commands, event, request.redirect, cache)
        : registrationApi(commands, cache);
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), request.timeout_ms);
    });
    const outcome = await Promise.race([Promise.resolve(handler(event, api)).then(() => "done"), timeout]);
    if (outcome === "timeout") return answer(new Error("Script execution time exceeded"), true);
    return answer(null);
  } catch (error) {
    return answer(error);
  } finally {
    clearTimeout(timer);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    process.stdout.write(JSON.stringify({ id: null, error: errorData(error) }) + "\n");
    return;
  }
  const result = await run(request);
  process.stdout.write(JSON.stringify(result, replacer) + "\n");
});
lines.on("close", () => process.exit(0));
process.on("unhandledRejection", () => {});
process.on("uncaughtException", (error) => {
  process.stderr.write(`fakeauth0 worker: uncaught ${error && error.stack}\n`);
});
process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + "\n");
