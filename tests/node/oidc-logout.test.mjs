// openid-client reading the fake's discovery document, and the endpoints it finds only there:
// token revocation (revocation_endpoint) and RP-initiated logout (end_session_endpoint).
// tests/node/test_oidc_suite.py runs this file apart from oidc.test.mjs.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as client from "openid-client";

import { Browser, CALLBACK, ISSUER, authorization, configuration, logIn } from "./relying-party.mjs";

test("discovery names the endpoints and abilities a relying party relies on", async () => {
  const config = await configuration();
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, ISSUER);
  assert.equal(metadata.authorization_endpoint, `${ISSUER}authorize`);
  assert.equal(metadata.token_endpoint, `${ISSUER}oauth/token`);
  assert.equal(metadata.userinfo_endpoint, `${ISSUER}userinfo`);
  assert.equal(metadata.jwks_uri, `${ISSUER}.well-known/jwks.json`);
  assert.ok(config.serverMetadata().supportsPKCE(), "code_challenge_methods_supported has S256");
  assert.equal(metadata.revocation_endpoint, `${ISSUER}oauth/revoke`);
  assert.equal(metadata.end_session_endpoint, `${ISSUER}oidc/logout`);
  for (const type of ["code", "id_token", "code id_token", "token id_token"]) {
    assert.ok(metadata.response_types_supported.includes(type), type);
  }
  for (const mode of ["query", "fragment", "form_post"]) {
    assert.ok(metadata.response_modes_supported.includes(mode), mode);
  }
  for (const grant of ["authorization_code", "refresh_token", "client_credentials"]) {
    assert.ok(metadata.grant_types_supported.includes(grant), grant);
  }
});

test("a revoked refresh token no longer refreshes", async () => {
  const config = await configuration();
  const { callback, checks } = await logIn(new Browser(), config);
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  await client.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (error) => {
    assert.ok(error instanceof client.ResponseBodyError, error.stack);
    assert.equal(error.error, "invalid_grant");
    return true;
  });
});

test("RP-initiated logout with an id_token_hint ends the session and returns to the app", async () => {
  const config = await configuration();
  const browser = new Browser();
  const { callback, checks } = await logIn(browser, config);
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  const returnTo = new URL("/", CALLBACK).href;
  const logout = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: returnTo,
    state: "after-logout",
  });
  assert.equal(`${logout.origin}${logout.pathname}`, `${ISSUER}oidc/logout`);
  const left = await browser.visit(logout);
  assert.ok(left.callback, `back to the app without a confirmation (${left.hops.join(" → ")})`);
  assert.equal(`${left.callback.origin}${left.callback.pathname}`, returnTo);
  assert.equal(left.callback.searchParams.get("state"), "after-logout");
  assert.ok(!browser.cookies.has("auth0"), "the SSO cookie is cleared");

  // The session is gone: a silent login is refused, a normal one shows the page.
  const silent = await authorization(config, { prompt: "none" });
  const refused = await browser.visit(silent.url);
  assert.equal(refused.callback?.searchParams.get("error"), "login_required");
  const again = await authorization(config);
  assert.equal((await browser.visit(again.url)).url?.pathname, "/u/login");
});
