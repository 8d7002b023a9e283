// Node's official SDK (npm `auth0`) against fakeauth0 serve over HTTPS: the ManagementClient
// fetches its own token with client credentials and drives the users and identities APIs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ManagementClient, ManagementError, TokenProvider } from "auth0";

import { target, unique } from "./fake.mjs";

const DB = "Username-Password-Authentication";
const PASSWORD = "Corr3ct-Horse!";
const server = target("today");

function management() {
  return new ManagementClient({
    domain: server.domain,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
  });
}

test("the SDK's TokenProvider gets a Management API JWT with client credentials", async () => {
  const audience = `https://${server.domain}/api/v2/`;
  const provider = new TokenProvider({
    domain: server.domain,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    audience,
  });
  const token = await provider.getAccessToken();
  const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
  assert.equal(header.alg, "RS256");
  assert.equal(payload.aud, audience);
  assert.equal(payload.iss, `https://${server.domain}/`);
  assert.equal(payload.sub, `${server.clientId}@clients`);
  assert.equal(payload.exp - payload.iat, 86400);
  assert.ok(payload.scope.split(" ").includes("read:users"));
});

test("create, read, search by e-mail, update and delete a user", async () => {
  const mgmt = management();
  const email = `${unique("node")}@example.com`;
  const created = await mgmt.users.create({
    connection: DB,
    email: email.toUpperCase(),
    password: PASSWORD,
    user_metadata: { theme: "dark" },
  });
  assert.match(created.user_id, /^auth0\|[0-9a-f]{24}$/);
  assert.equal(created.email, email);

  const fetched = await mgmt.users.get(created.user_id);
  assert.deepEqual(fetched.user_metadata, { theme: "dark" });

  const found = await mgmt.users.listUsersByEmail({ email });
  assert.deepEqual(found.map((u) => u.user_id), [created.user_id]);

  const updated = await mgmt.users.update(created.user_id, {
    user_metadata: { theme: null, lang: "fr" },
  });
  assert.deepEqual(updated.user_metadata, { lang: "fr" });

  await mgmt.users.delete(created.user_id);
  await assert.rejects(mgmt.users.get(created.user_id), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    assert.equal(error.body.errorCode, "inexistent_user");
    return true;
  });
});

test("list users with totals and a v3 query", async () => {
  const mgmt = management();
  const marker = unique("list");
  for (const n of [1, 2, 3]) {
    await mgmt.users.create({ connection: DB, email: `${marker}-${n}@example.com`, password: PASSWORD });
  }
  const page = await mgmt.users.list({ q: `email:${marker}*`, per_page: 2, include_totals: true });
  assert.equal(page.data.length, 2);
  assert.equal(page.response.total, 3);
});

test("link and unlink two database users", async () => {
  const mgmt = management();
  const primary = await mgmt.users.create({
    connection: DB, email: `${unique("p")}@example.com`, password: PASSWORD,
  });
  const secondary = await mgmt.users.create({
    connection: DB, email: `${unique("s")}@example.com`, password: PASSWORD,
  });
  const bare = secondary.user_id.split("|")[1];
  const linked = await mgmt.users.identities.link(primary.user_id, { provider: "auth0", user_id: bare });
  assert.deepEqual(linked.map((i) => i.user_id), [primary.user_id.split("|")[1], bare]);
  const left = await mgmt.users.identities.delete(primary.user_id, "auth0", bare);
  assert.equal(left.length, 1);
  const back = await mgmt.users.get(secondary.user_id);
  assert.equal(back.user_id, secondary.user_id);
});
