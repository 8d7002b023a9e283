// Node's official SDK (npm `auth0`) against fakeauth0 serve over HTTPS: the ManagementClient
// fetches its own token with client credentials and drives users, identities, roles and
// permissions, organizations (members, member roles, connections, invitations, client grants,
// discovery domains) and user blocks.
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

async function all(pagePromise) {
  const items = [];
  for await (const item of await pagePromise) items.push(item);
  return items;
}

async function newUser(mgmt, label) {
  return mgmt.users.create({ connection: DB, email: `${unique(label)}@example.com`, password: PASSWORD });
}

test("roles: create, grant permissions, assign users, and the users' roles and permissions", async () => {
  const mgmt = management();
  const identifier = `https://${unique("api")}.example.com/`;
  await mgmt.resourceServers.create({
    identifier,
    scopes: [{ value: "read:items", description: "Read items" }, { value: "write:items" }],
  });
  const role = await mgmt.roles.create({ name: unique("reader"), description: "Readers" });
  assert.match(role.id, /^rol_[A-Za-z0-9]{16}$/);
  await mgmt.roles.permissions.add(role.id, {
    permissions: [{ resource_server_identifier: identifier, permission_name: "read:items" }],
  });
  const granted = await all(mgmt.roles.permissions.list(role.id));
  assert.deepEqual(granted.map((p) => [p.permission_name, p.description]), [["read:items", "Read items"]]);

  const user = await newUser(mgmt, "role");
  await mgmt.roles.users.assign(role.id, { users: [user.user_id] });
  assert.deepEqual((await all(mgmt.roles.users.list(role.id))).map((u) => u.user_id), [user.user_id]);
  assert.deepEqual((await all(mgmt.users.roles.list(user.user_id))).map((r) => r.id), [role.id]);

  await mgmt.users.permissions.create(user.user_id, {
    permissions: [{ resource_server_identifier: identifier, permission_name: "write:items" }],
  });
  const held = await all(mgmt.users.permissions.list(user.user_id));
  assert.deepEqual(
    held.map((p) => [p.permission_name, p.sources.map((s) => s.source_type)]),
    [["read:items", ["ROLE"]], ["write:items", ["DIRECT"]]],
  );
  await mgmt.users.roles.delete(user.user_id, { roles: [role.id] });
  assert.deepEqual(await all(mgmt.users.roles.list(user.user_id)), []);
  await mgmt.roles.delete(role.id);
  await assert.rejects(mgmt.roles.get(role.id), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    return true;
  });
});

test("organizations: members, member roles, enabled connections, invitations, client grants, discovery domains", async () => {
  const mgmt = management();
  const org = await mgmt.organizations.create({ name: unique("org").toLowerCase(), display_name: "Acme" });
  assert.match(org.id, /^org_[A-Za-z0-9]{16}$/);
  const user = await newUser(mgmt, "member");
  await mgmt.organizations.members.create(org.id, { members: [user.user_id] });
  assert.deepEqual((await all(mgmt.organizations.members.list(org.id))).map((m) => m.user_id), [user.user_id]);

  const role = await mgmt.roles.create({ name: unique("admin"), description: "Admins" });
  await mgmt.organizations.members.roles.assign(org.id, user.user_id, { roles: [role.id] });
  const roles = await all(mgmt.organizations.members.roles.list(org.id, user.user_id));
  assert.deepEqual(roles.map((r) => [r.id, r.description]), [[role.id, "Admins"]]);
  assert.deepEqual(await all(mgmt.users.roles.list(user.user_id)), []); // the organization's only
  await mgmt.organizations.members.roles.delete(org.id, user.user_id, { roles: [role.id] });
  assert.deepEqual(await all(mgmt.organizations.members.roles.list(org.id, user.user_id)), []);

  const connections = await all(mgmt.connections.list({ name: DB }));
  const connectionId = connections[0].id;
  const enabled = await mgmt.organizations.enabledConnections.add(org.id, {
    connection_id: connectionId,
    assign_membership_on_login: true,
  });
  assert.equal(enabled.connection.name, DB);
  assert.deepEqual(
    (await all(mgmt.organizations.enabledConnections.list(org.id))).map((c) => c.connection_id),
    [connectionId],
  );

  const app = await mgmt.clients.create({
    name: unique("app"), app_type: "regular_web", initiate_login_uri: "https://app.example.com/login",
  });
  const invitation = await mgmt.organizations.invitations.create(org.id, {
    inviter: { name: "Jane" },
    invitee: { email: `${unique("invitee")}@example.com` },
    client_id: app.client_id,
    roles: [role.id],
  });
  assert.match(invitation.id, /^uinv_/);
  assert.ok(invitation.invitation_url.startsWith("https://app.example.com/login?invitation="));
  assert.deepEqual((await all(mgmt.organizations.invitations.list(org.id))).map((i) => i.id), [invitation.id]);

  const identifier = `https://${unique("m2m")}.example.com/`;
  await mgmt.resourceServers.create({ identifier, scopes: [{ value: "read:items" }] });
  const grant = await mgmt.clientGrants.create({
    client_id: app.client_id, audience: identifier, scope: ["read:items"], organization_usage: "allow",
  });
  const associated = await mgmt.organizations.clientGrants.create(org.id, { grant_id: grant.id });
  assert.equal(associated.id, grant.id);
  assert.deepEqual((await all(mgmt.organizations.clientGrants.list(org.id))).map((g) => g.id), [grant.id]);
  assert.deepEqual((await all(mgmt.clientGrants.organizations.list(grant.id))).map((o) => o.id), [org.id]);

  const domain = await mgmt.organizations.discoveryDomains.create(org.id, { domain: `${unique("d").toLowerCase()}.example.com` });
  assert.equal(domain.status, "pending");
  assert.equal(domain.verification_host, `_ss-verification.${org.id}.${domain.domain}`);
  const verified = await mgmt.organizations.discoveryDomains.update(org.id, domain.id, { status: "verified" });
  assert.equal(verified.status, "verified");
  assert.deepEqual((await all(mgmt.organizations.discoveryDomains.list(org.id))).map((d) => d.id), [domain.id]);
  await mgmt.organizations.discoveryDomains.delete(org.id, domain.id);

  // Deleting the role and the user leaves nothing naming them.
  await mgmt.organizations.members.roles.assign(org.id, user.user_id, { roles: [role.id] });
  await mgmt.roles.delete(role.id);
  assert.deepEqual(await all(mgmt.organizations.members.roles.list(org.id, user.user_id)), []);
  await mgmt.users.delete(user.user_id);
  assert.deepEqual(await all(mgmt.organizations.members.list(org.id)), []);
  await mgmt.organizations.delete(org.id);
  await assert.rejects(mgmt.organizations.get(org.id), (error) => error.statusCode === 404);
});

test("user blocks: none for a new user, lifted by id and by identifier", async () => {
  const mgmt = management();
  const user = await newUser(mgmt, "blocks");
  assert.deepEqual(await mgmt.userBlocks.list(user.user_id), { blocked_for: [] });
  assert.deepEqual(await mgmt.userBlocks.listByIdentifier({ identifier: user.email }), { blocked_for: [] });
  await mgmt.userBlocks.delete(user.user_id);
  await mgmt.userBlocks.deleteByIdentifier({ identifier: user.email });
  await assert.rejects(mgmt.userBlocks.list("auth0|000000000000000000000000"), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    return true;
  });
});
