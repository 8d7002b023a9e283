// What the openid-client suites (oidc*.test.mjs) share: the fake and its seeded web app, as
// tests/node/test_oidc_suite.py started them (env vars), a browser's part (cookies, redirects,
// the login form) done with fetch, and openid-client's authorization requests.
import assert from "node:assert/strict";

import * as client from "openid-client";

import { target } from "./fake.mjs";

export const server = target("oidc");
const read = (key) => {
  const value = process.env[`FAKEAUTH0_OIDC_${key}`];
  if (!value) throw new Error(`FAKEAUTH0_OIDC_${key} is not set: run through pytest tests/node`);
  return value;
};
export const CALLBACK = read("CALLBACK");
export const EMAIL = read("EMAIL");
export const PASSWORD = read("PASSWORD");
export const USER_ID = read("USER_ID");
export const ISSUER = `${server.url}/`;

/** A browser's part: cookies for the fake's origin and redirects followed by hand. */
export class Browser {
  cookies = new Map();

  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((part) => part.trim());
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      const gone = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=.*19[67]0/i.test(a));
      if (gone || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follow redirects while they stay on the fake; the first one elsewhere (the app's callback)
   * is returned as `callback`, a page on the fake as `page` with its `url`. */
  async visit(url, init) {
    const hops = [];
    for (let current = new URL(url); hops.length < 10; ) {
      const response = await this.request(current, init);
      init = undefined;
      hops.push(current.pathname);
      if (response.status < 300 || response.status >= 400) {
        return { page: response, url: current, hops, html: await response.text() };
      }
      const next = new URL(response.headers.get("location"), current);
      if (next.origin !== new URL(ISSUER).origin) return { callback: next, hops };
      current = next;
    }
    throw new Error(`too many redirects: ${hops.join(" → ")}`);
  }

  /** Fill the login page's form as a person would and press Continue. */
  async submitLogin(visited, username, password) {
    const state = hidden(visited.html, "state");
    assert.ok(state, "the login page carries the transaction in a hidden `state`");
    assert.match(visited.html, /<input[^>]*id="username"/);
    assert.match(visited.html, /<input[^>]*id="password"[^>]*type="password"/);
    assert.match(visited.html, /<button[^>]*name="action"[^>]*value="default"[^>]*>Continue</);
    return this.visit(visited.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ state, username, password, action: "default" }),
    });
  }
}

export function hidden(html, name) {
  const tag = html.match(new RegExp(`<input[^>]*type="hidden"[^>]*name="${name}"[^>]*>`));
  return tag?.[0].match(/value="([^"]*)"/)?.[1];
}

export function unescapeHtml(text) {
  return text
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export async function configuration() {
  return client.discovery(new URL(ISSUER), server.clientId, server.clientSecret);
}

/** Everything one authorization request needs to be checked later. */
export async function authorization(config, parameters = {}) {
  const checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: "openid profile email offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: "S256",
    state: checks.expectedState,
    nonce: checks.expectedNonce,
    ...parameters,
  });
  return { url, checks };
}

/** A login through the page: /authorize → /u/login → POST → /authorize/resume → callback. */
export async function logIn(browser, config, parameters) {
  const { url, checks } = await authorization(config, parameters);
  const shown = await browser.visit(url);
  assert.equal(shown.page?.status, 200, `the login page shows (${shown.hops.join(" → ")})`);
  assert.equal(shown.url.pathname, "/u/login");
  const done = await browser.submitLogin(shown, EMAIL, PASSWORD);
  assert.ok(done.callback, `the login ends at the callback (${done.hops.join(" → ")})`);
  assert.deepEqual(done.hops, ["/u/login", "/authorize/resume"]);
  return { callback: done.callback, checks };
}

