// fakeauth0's node worker: runs the tenant's Actions as Auth0 runs them, one request per line
// of JSON on stdin, one answer per line on stdout (fakeauth0/js/runtime.py is the other end).
//
// A request: {"id", "trigger", "code", "event", "secrets", "dependencies", "timeout_ms"}.
// An answer: {"id", "commands", "logs", "error", "timed_out", "duration_ms"}.
//
// Each run loads the action's code as a CommonJS module (`exports.onExecutePostLogin = ...`)
// in a fresh V8 context, so one action's globals never leak into another's, and calls its
// handler with Auth0's `event` and an `api` object that records each command in order. The
// worker never exits on a bad action: errors come back as data. A synchronous endless loop
// cannot be interrupted from inside, so the Python side kills and restarts this process.
import { isBuiltin } from "node:module";
import { createRequire } from "node:module";
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

/** Auth0's post-login `api`, recording each call as {api, args} in the order made. */
function postLoginApi(commands, event) {
  const api = {};
  const record = (name) => (...args) => {
    commands.push({ api: name, args: JSON.parse(JSON.stringify(args, replacer)) });
    return api;
  };
  const interactive = !["oauth2-resource-owner", "oauth2-password", "oauth2-refresh-token",
    "oauth2-device-code", "oauth2-token-exchange", "oauth2-client-credentials"]
    .includes(event?.transaction?.protocol);
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
      sendUserTo: record("redirect.sendUserTo"),
      canRedirect: () => interactive,
      encodeToken: notModelled("api.redirect.encodeToken"),
      validateToken: notModelled("api.redirect.validateToken"),
    },
    samlResponse: { setAttribute: notModelled("api.samlResponse") },
    cache: {
      get: notModelled("api.cache"),
      set: notModelled("api.cache"),
      delete: notModelled("api.cache"),
    },
  });
  return api;
}

/** Registration triggers' `api`: deny and metadata only
 * (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers). */
function registrationApi(commands) {
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
    cache: { get: notModelled("api.cache"), set: notModelled("api.cache"), delete: notModelled("api.cache") },
  });
  return api;
}

function replacer(_key, value) {
  return value === undefined ? null : value;
}

function sandboxRequire(dependencies) {
  const declared = new Set((dependencies || []).map((d) => d.name));
  return (name) => {
    if (isBuiltin(name)) return nodeRequire(name);
    const bare = name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0];
    if (!declared.has(bare)) {
      throw new Error(
        `Cannot find module '${name}': it is not among the action's dependencies ` +
          `(declare it in the action's dependencies)`,
      );
    }
    throw new Error(
      `Cannot load module '${name}': fakeauth0 does not install an action's npm dependencies ` +
        `yet; only node's built-in modules can be required`,
    );
  };
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

function compiled(code) {
  let script = scripts.get(code);
  if (script === undefined) {
    script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
      filename: "action.js",
    });
    if (scripts.size > 256) scripts.clear();
    scripts.set(code, script);
  }
  return script;
}

async function run(request) {
  const commands = [];
  const logs = [];
  const started = performance.now();
  const answer = (error, timedOut = false) => ({
    id: request.id,
    commands,
    logs,
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
  const context = vm.createContext(sandbox);
  const module = { exports: {} };
  const handlerName = HANDLERS[request.trigger];
  let timer;
  try {
    if (!handlerName) throw new Error(`fakeauth0 does not run the trigger ${request.trigger} yet`);
    const wrapper = compiled(request.code).runInContext(context, { timeout: request.timeout_ms });
    wrapper(module.exports, sandboxRequire(request.dependencies), module, "/action.js", "/");
    const handler = module.exports[handlerName];
    if (typeof handler !== "function") {
      throw new TypeError(`The action does not export ${handlerName}`);
    }
    const event = { ...request.event, secrets: { ...(request.secrets || {}) } };
    const api =
      request.trigger === "post-login" ? postLoginApi(commands, event) : registrationApi(commands);
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
