// Auth0's gallery rule "Link Accounts with Same Email Address", unmodified, against fakeauth0:
// it links on a legacy tenant (search v2), fails as on Auth0 today on a new tenant (v2 refused)
// and refuses to choose between two candidates.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { api, login, managementToken, target, unique } from "./fake.mjs";
import { loadRule, runRule } from "./rule-harness.mjs";

const RULE = loadRule("./rules/link-users-by-email.js");
const DB = "Username-Password-Authentication";
const PASSWORD = "Corr3ct-Horse!";

async function ruleRuntime(server) {
  return { baseUrl: `https://${server.domain}/api/v2`, accessToken: await managementToken(server) };
}

async function databaseUser(server, email, verified = true) {
  const { status, body } = await api(server, "POST", "/users", {
    connection: DB,
    email,
    password: PASSWORD,
    email_verified: verified,
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

function googleLogin(server, email, verified = true) {
  return login(server, {
    connection: "google-oauth2",
    user_id: String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
    profile: { email, email_verified: verified, name: "Ann Lee" },
  });
}

describe("on a legacy tenant (search_engine v2)", () => {
  const legacy = target("legacy");

  test("links the new social account into the verified database account", async () => {
    const email = `${unique("ann")}@example.com`;
    const original = await databaseUser(legacy, email);
    const social = await googleLogin(legacy, email);

    const run = await runRule(RULE, { auth0: await ruleRuntime(legacy), user: social });

    assert.equal(run.error, null);
    assert.equal(run.context.primaryUser, original.user_id);
    const primary = await api(legacy, "GET", `/users/${encodeURIComponent(original.user_id)}`);
    assert.deepEqual(
      primary.body.identities.map((i) => `${i.provider}|${i.user_id}`),
      [original.user_id, social.user_id],
    );
    const gone = await api(legacy, "GET", `/users/${encodeURIComponent(social.user_id)}`);
    assert.equal(gone.status, 404);
  });

  test("errors when two verified accounts share the e-mail", async () => {
    const email = `${unique("bob")}@example.com`;
    await databaseUser(legacy, email);
    const passwordless = await api(legacy, "POST", "/users", {
      connection: "email",
      email,
      email_verified: true,
    });
    assert.equal(passwordless.status, 201, JSON.stringify(passwordless.body));
    const social = await googleLogin(legacy, email);

    const run = await runRule(RULE, { auth0: await ruleRuntime(legacy), user: social });

    assert.equal(
      run.error?.message,
      "[!] Rule: Multiple user profiles already exist - cannot select base profile to link with",
    );
    assert.equal(run.context?.primaryUser, undefined);
  });

  test("leaves an unverified account alone, and skips when nobody matches", async () => {
    const email = `${unique("cy")}@example.com`;
    await databaseUser(legacy, email);
    const unverified = await googleLogin(legacy, email, false);
    const skipped = await runRule(RULE, { auth0: await ruleRuntime(legacy), user: unverified });
    assert.equal(skipped.error, null);
    assert.equal(skipped.context.primaryUser, undefined);

    const alone = await googleLogin(legacy, `${unique("dee")}@example.com`);
    const none = await runRule(RULE, { auth0: await ruleRuntime(legacy), user: alone });
    assert.equal(none.error, null);
    assert.equal(none.context.primaryUser, undefined);
    assert.deepEqual(none.logs, ["[-] Skipping link rule"]);
  });

  test("does not link an unverified database account", async () => {
    const email = `${unique("eve")}@example.com`;
    await databaseUser(legacy, email, false);
    const social = await googleLogin(legacy, email);
    const run = await runRule(RULE, { auth0: await ruleRuntime(legacy), user: social });
    assert.equal(run.error, null);
    assert.equal(run.context.primaryUser, undefined);
  });
});

describe("on a tenant created today (search v3 only)", () => {
  const today = target("today");

  test("fails: Auth0 refuses search_engine=v2, and nothing is linked", async () => {
    const email = `${unique("fay")}@example.com`;
    const original = await databaseUser(today, email);
    const social = await googleLogin(today, email);

    const run = await runRule(RULE, { auth0: await ruleRuntime(today), user: social });

    assert.equal(typeof run.error?.message, "string"); // an Error of the rule's own realm
    const refusal = JSON.parse(run.error.message); // the rule passes the body on: callback(new Error(body))
    assert.equal(refusal.statusCode, 400);
    assert.equal(refusal.errorCode, "invalid_query_string");
    assert.match(refusal.message, /search_engine=v2/);
    const primary = await api(today, "GET", `/users/${encodeURIComponent(original.user_id)}`);
    assert.equal(primary.body.identities.length, 1);
  });
});
