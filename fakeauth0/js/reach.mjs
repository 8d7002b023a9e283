// How the tenant's JavaScript reaches its tenant: every HTTPS request the worker makes to a
// routed domain (with fetch, or node's https module, which npm packages such as `request`,
// `axios` and `auth0` use) goes to that tenant's loopback bridge instead
// (fakeauth0/js/bridge.py), as plain HTTP. The script keeps calling https://<domain>, as on
// Auth0; a plain-HTTP URL is left alone (it names a server that really listens there).
import http from "node:http";
import https from "node:https";

/** Routed domain (lower case, no :443) -> the bridge's base URL for its tenant. */
const routes = new Map();

export function route(domain, base) {
  routes.set(String(domain).toLowerCase().replace(/:443$/, ""), String(base).replace(/\/$/, ""));
}

function routed(url) {
  if (url.protocol !== "https:") return null;
  const base = routes.get(url.host.toLowerCase().replace(/:443$/, ""));
  return base === undefined ? null : new URL(base + url.pathname + url.search);
}

const originalFetch = globalThis.fetch;
globalThis.fetch = function fetch(input, init) {
  const href = typeof input === "string" || input instanceof URL ? String(input) : input?.url;
  let to = null;
  try {
    to = href === undefined ? null : routed(new URL(href));
  } catch {
    to = null;
  }
  if (to === null) return originalFetch(input, init);
  if (typeof input === "string" || input instanceof URL) return originalFetch(to, init);
  return originalFetch(new Request(to, input), init);
};

const httpRequest = http.request;

/** The URL an http(s).request call names, from its (url, options, callback) forms. */
function requested(args, protocol) {
  const [first, second] = args;
  if (typeof first === "string" || first instanceof URL) {
    const options = second !== null && typeof second === "object" ? second : {};
    return { url: new URL(String(first)), options, rest: options === second ? args.slice(2) : args.slice(1) };
  }
  const options = first || {};
  const host = options.hostname || String(options.host || "localhost").replace(/:\d+$/, "");
  const port = options.port ? `:${options.port}` : "";
  const url = new URL(`${options.protocol || protocol}//${host}${port}${options.path || "/"}`);
  return { url, options, rest: args.slice(1) };
}

function redirecting(original, protocol) {
  return function request(...args) {
    let call;
    try {
      call = requested(args, protocol);
    } catch {
      return original.apply(this, args);
    }
    const to = routed(call.url);
    if (to === null) return original.apply(this, args);
    const options = { ...call.options, protocol: "http:", hostname: to.hostname, port: to.port };
    options.path = to.pathname + to.search;
    delete options.host;
    delete options.agent;
    delete options.createConnection;
    return httpRequest(options, ...call.rest);
  };
}

function getting(request) {
  return function get(...args) {
    const req = request(...args);
    req.end();
    return req;
  };
}

https.request = redirecting(https.request, "https:");
https.get = getting(https.request);
