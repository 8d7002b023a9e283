// openid-client (a certified OpenID Connect relying party) as the judge of the fake's login
// flows, over HTTPS: /authorize with PKCE, the hosted login page driven by fetch with a cookie
// jar, /authorize/resume, the callback, and the token, refresh and userinfo calls whose answers
// openid-client validates (ID token signature, iss, aud, nonce, state, PKCE, c_hash).
// tests/node/test_oidc_suite.py starts the fake with a regular web app (relying_party.py).
import assert from "node:assert/strict";
import { test } from "node:test";

import * as client from "openid-client";

import {
  Browser,
  CALLBACK,
  EMAIL,
  ISSUER,
  PASSWORD,
  USER_ID,
  authorization,
  configuration,
  logIn,
  server,
  unescapeHtml,
} from "./relying-party.mjs";

test("code flow with PKCE S256: page, resume, callback; the ID token, a refresh, userinfo", async () => {
  const config = await configuration();
  const browser = new Browser();
  const { callback, checks } = await logIn(browser, config);
  assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
  assert.equal(callback.searchParams.get("state"), checks.expectedState);
  assert.ok(browser.cookies.has("auth0"), "the login left the SSO cookie");

  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  const claims = tokens.claims();
  assert.equal(claims.sub, USER_ID);
  assert.equal(claims.iss, ISSUER);
  assert.equal(claims.aud, server.clientId);
  assert.equal(claims.nonce, checks.expectedNonce);
  assert.equal(claims.email, EMAIL);
  assert.equal(tokens.token_type.toLowerCase(), "bearer");
  assert.ok(tokens.expiresIn() > 0);
  assert.ok(tokens.refresh_token, "offline_access earns a refresh token");

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.equal(refreshed.claims().sub, USER_ID, "openid-client compares the refreshed ID token");
  assert.notEqual(refreshed.access_token, tokens.access_token);

  const info = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.equal(info.sub, USER_ID);
  assert.equal(info.email, EMAIL);
  assert.equal(info.email_verified, true);
  assert.equal(info.name, "Ann Example");

  // The code is single-use: a replay is refused as the token endpoint words it.
  await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (error) => {
    assert.ok(error instanceof client.ResponseBodyError, error.stack);
    assert.equal(error.error, "invalid_grant");
    return true;
  });
});

test("a code redeemed with the wrong PKCE verifier is refused", async () => {
  const config = await configuration();
  const { callback, checks } = await logIn(new Browser(), config);
  const wrong = { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() };
  await assert.rejects(client.authorizationCodeGrant(config, callback, wrong), (error) => {
    assert.ok(error instanceof client.ResponseBodyError, error.stack);
    assert.equal(error.error, "invalid_grant");
    assert.equal(error.status, 403);
    return true;
  });
});

test("the SSO session answers later requests without the page, prompt=none and max_age too", async () => {
  const config = await configuration();
  const browser = new Browser();
  const first = await logIn(browser, config);
  await client.authorizationCodeGrant(config, first.callback, first.checks);

  for (const parameters of [{}, { prompt: "none" }, { max_age: "3600" }]) {
    const { url, checks } = await authorization(config, parameters);
    const again = await browser.visit(url);
    assert.ok(again.callback, `no page: ${JSON.stringify(parameters)} ${again.hops.join(" → ")}`);
    assert.deepEqual(again.hops, ["/authorize"]);
    const maxAge = parameters.max_age ? Number(parameters.max_age) : undefined;
    const tokens = await client.authorizationCodeGrant(config, again.callback, { ...checks, maxAge });
    assert.equal(tokens.claims().sub, USER_ID);
    if (maxAge) assert.equal(typeof tokens.claims().auth_time, "number");
  }

  // prompt=login shows the page even with a session.
  const { url } = await authorization(config, { prompt: "login" });
  const forced = await browser.visit(url);
  assert.equal(forced.url?.pathname, "/u/login");
});

test("a wrong password re-renders the page with Auth0's error; the transaction lives on", async () => {
  const config = await configuration();
  const browser = new Browser();
  const { url, checks } = await authorization(config);
  const shown = await browser.visit(url);
  const refused = await browser.submitLogin(shown, EMAIL, "not-the-password");
  assert.equal(refused.page?.status, 400);
  assert.equal(refused.url.pathname, "/u/login");
  assert.match(
    refused.html,
    /<[^>]*id="error-element-password"[^>]*data-error-code="wrong-email-credentials"[^>]*>\s*Wrong email or password\s*</,
  );
  assert.match(refused.html, /<input[^>]*id="password"[^>]*aria-invalid="true"/);
  assert.equal(unescapeHtml(refused.html.match(/id="username"[^>]*value="([^"]*)"/)[1]), EMAIL);
  assert.ok(!browser.cookies.has("auth0"), "no session after a refused login");

  const retried = await browser.submitLogin(refused, EMAIL, PASSWORD);
  assert.ok(retried.callback, retried.hops.join(" → "));
  const tokens = await client.authorizationCodeGrant(config, retried.callback, checks);
  assert.equal(tokens.claims().sub, USER_ID);
});

test("prompt=none without a session: login_required, which openid-client raises", async () => {
  const config = await configuration();
  const { url, checks } = await authorization(config, { prompt: "none" });
  const answered = await new Browser().visit(url);
  assert.ok(answered.callback, "no page: the answer goes to the callback");
  assert.equal(answered.callback.searchParams.get("error"), "login_required");
  assert.equal(answered.callback.searchParams.get("state"), checks.expectedState);
  await assert.rejects(client.authorizationCodeGrant(config, answered.callback, checks), (error) => {
    assert.ok(error instanceof client.AuthorizationResponseError, error.stack);
    assert.equal(error.error, "login_required");
    return true;
  });
});

test("hybrid code id_token in the fragment, and id_token by form_post", async () => {
  const hybrid = await configuration();
  client.useCodeIdTokenResponseType(hybrid);
  const browser = new Browser();
  const first = await logIn(browser, hybrid, { response_type: "code id_token" });
  assert.equal(first.callback.search, "", "the hybrid answer is in the fragment");
  const tokens = await client.authorizationCodeGrant(hybrid, first.callback, first.checks);
  assert.equal(tokens.claims().sub, USER_ID);

  const implicit = await configuration();
  client.useIdTokenResponseType(implicit);
  const { url, checks } = await authorization(implicit, {
    response_type: "id_token",
    response_mode: "form_post",
    scope: "openid email",
    code_challenge: undefined,
    code_challenge_method: undefined,
  });
  url.searchParams.delete("code_challenge");
  url.searchParams.delete("code_challenge_method");
  const page = await browser.visit(url);
  assert.equal(page.page?.status, 200, "form_post answers with a self-submitting page");
  const action = unescapeHtml(page.html.match(/<form[^>]*action="([^"]*)"/)[1]);
  assert.equal(action, CALLBACK);
  const fields = new URLSearchParams();
  for (const [, name, value] of page.html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.append(name, unescapeHtml(value));
  }
  assert.deepEqual([...fields.keys()].sort(), ["id_token", "state"]);
  const posted = new Request(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields,
  });
  const claims = await client.implicitAuthentication(implicit, posted, checks.expectedNonce, {
    expectedState: checks.expectedState,
  });
  assert.equal(claims.sub, USER_ID);
  assert.equal(claims.email, EMAIL);
});
