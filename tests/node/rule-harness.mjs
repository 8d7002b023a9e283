// Auth0's Rules runtime, as much of it as a classic rule needs: the rule's source is evaluated
// unmodified in a sandbox holding `auth0` ({baseUrl, accessToken}), `require` (with Auth0's
// pinned module names, e.g. 'request@2.56.0', mapped to the npm packages) and `console`; it is
// called with (user, context, callback) and the callback's (error, user, context) is returned.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const require = createRequire(import.meta.url);

/** Auth0's webtask runtime let rules require these pinned versions. */
const MODULES = { "request@2.56.0": "request" };

function sandboxRequire(name) {
  const mapped = MODULES[name];
  if (!mapped) throw new Error(`the rule harness does not provide module ${name}`);
  return require(mapped);
}

export function loadRule(path) {
  return readFileSync(new URL(path, import.meta.url), "utf8");
}

export function runRule(source, { auth0, user, context = {}, timeoutMs = 10000 }) {
  const logs = [];
  const sandbox = {
    auth0,
    require: sandboxRequire,
    console: { log: (...args) => logs.push(args.join(" ")), error: (...a) => logs.push(a.join(" ")) },
  };
  const rule = vm.runInNewContext(`(${source}\n)`, sandbox, { filename: "rule.js" });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the rule never called back")), timeoutMs);
    rule(user, context, (error, outUser, outContext) => {
      clearTimeout(timer);
      resolve({ error, user: outUser, context: outContext, logs });
    });
  });
}
