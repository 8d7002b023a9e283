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

// -- tickets, jobs and logs ---------------------------------------------------------------------
// Tickets: https://auth0.com/docs/api/management/v2/tickets/post-email-verification and
// .../post-password-change; jobs: https://auth0.com/docs/manage-users/user-migration/bulk-user-imports
// and https://auth0.com/docs/manage-users/user-migration/bulk-user-exports; logs:
// https://auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api.

const RESULT_URL = "https://app.example.com/done";

/** What the fake would have sent to `to` (its /_fake/outbox), newest last. */
async function outbox(to, template) {
  const query = new URLSearchParams({ to, template });
  const response = await fetch(`${server.url}/_fake/outbox?${query}`);
  assert.equal(response.status, 200);
  return (await response.json()).messages;
}

async function settleJobs() {
  const response = await fetch(`${server.url}/_fake/jobs/settle`, { method: "POST" });
  assert.equal(response.status, 204);
}

/** A ticket's link as the user's browser opens it: the answer, redirects not followed. */
async function open(link, init = {}) {
  return fetch(link, { redirect: "manual", ...init });
}

async function databaseId(mgmt) {
  const found = await mgmt.connections.list({ name: DB });
  return found.data[0].id;
}

test("tickets: an e-mail verification ticket verifies once; a password-change ticket sets the password", async () => {
  const mgmt = management();
  const user = await newUser(mgmt, "ticket");
  assert.equal(user.email_verified, false);

  const verify = await mgmt.tickets.verifyEmail({
    user_id: user.user_id,
    result_url: RESULT_URL,
    includeEmailInRedirect: true,
  });
  assert.match(verify.ticket, new RegExp(`^https://${server.domain}/u/email-verification\\?ticket=`));
  const first = await open(verify.ticket);
  assert.equal(first.status, 302);
  const landed = new URL(first.headers.get("location"));
  assert.equal(landed.origin + landed.pathname, RESULT_URL);
  assert.equal(landed.searchParams.get("success"), "true");
  assert.equal(landed.searchParams.get("email"), user.email);
  assert.equal((await mgmt.users.get(user.user_id)).email_verified, true);
  const again = new URL((await open(verify.ticket)).headers.get("location"));
  assert.equal(again.searchParams.get("success"), "false");
  assert.equal(again.searchParams.get("message"), "This URL can be used only once");

  const NEW = "N3w-Passw0rd!x";
  const change = await mgmt.tickets.changePassword({ user_id: user.user_id, ttl_sec: 600 });
  assert.match(change.ticket, /\/u\/reset-password\?ticket=[^#]+#$/);
  const page = await open(change.ticket);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /id="password-reset"/);
  const ticket = new URL(change.ticket).searchParams.get("ticket");
  const form = new URLSearchParams({ ticket, "password-reset": NEW, "re-enter-password": NEW, action: "default" });
  const done = await open(change.ticket.replace(/#$/, ""), { method: "POST", body: form });
  assert.equal(done.status, 200);
  assert.match(await done.text(), /You can now login to the application with the new password\./);
  const login = await fetch(`${server.url}/_fake/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ connection: DB, email: user.email, password: NEW }),
  });
  assert.equal(login.status, 200);

  await assert.rejects(mgmt.tickets.verifyEmail({ user_id: "auth0|000000000000000000000000" }), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    return true;
  });
  await assert.rejects(mgmt.tickets.changePassword({ user_id: user.user_id, email: user.email }), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 400);
    return true;
  });
});

test("jobs: a users import from a file, its errors, an export, a verification e-mail", async () => {
  const mgmt = management();
  const connectionId = await databaseId(mgmt);
  const marker = unique("import");
  const users = [
    { email: `${marker}-1@example.com`, email_verified: true, user_metadata: { n: 1 } },
    { email: `${marker}-2@example.com` },
    { email_verified: true },
  ];
  const file = new File([JSON.stringify(users)], "users.json", { type: "application/json" });
  const job = await mgmt.jobs.usersImports.create({
    users: file,
    connection_id: connectionId,
    upsert: false,
    external_id: marker,
  });
  assert.equal(job.type, "users_import");
  assert.equal(job.status, "pending");
  assert.equal(job.connection_id, connectionId);
  assert.equal(job.external_id, marker);

  await settleJobs();
  const finished = await mgmt.jobs.get(job.id);
  assert.equal(finished.status, "completed");
  assert.deepEqual(finished.summary, { failed: 1, updated: 0, inserted: 2, total: 3 });
  const imported = await mgmt.users.listUsersByEmail({ email: `${marker}-1@example.com` });
  assert.deepEqual(imported[0].user_metadata, { n: 1 });
  const errors = await mgmt.jobs.errors.get(job.id);
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0].user, { email_verified: true });
  assert.ok(errors[0].errors.length > 0 && errors[0].errors[0].code);

  const exported = await mgmt.jobs.usersExports.create({
    connection_id: connectionId,
    format: "json",
    fields: [{ name: "email" }, { name: "user_metadata.n", export_as: "n" }],
  });
  assert.equal(exported.type, "users_export");
  await settleJobs();
  const ready = await mgmt.jobs.get(exported.id);
  assert.equal(ready.status, "completed");
  const download = await fetch(ready.location);
  assert.equal(download.status, 200);
  const { gunzipSync } = await import("node:zlib");
  const lines = gunzipSync(Buffer.from(await download.arrayBuffer())).toString().trim().split("\n");
  assert.ok(lines.map((line) => JSON.parse(line)).some((row) => row.email === `${marker}-1@example.com` && row.n === 1));

  const [second] = await mgmt.users.listUsersByEmail({ email: `${marker}-2@example.com` });
  const verification = await mgmt.jobs.verificationEmail.create({ user_id: second.user_id });
  assert.equal(verification.type, "verification_email");
  await settleJobs();
  assert.equal((await mgmt.jobs.get(verification.id)).status, "completed");
  const [mail] = await outbox(second.email, "verify_email");
  assert.match(mail.link, /\/u\/email-verification\?ticket=/);

  await assert.rejects(mgmt.jobs.get("job_0000000000000000"), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    return true;
  });
  const notJson = new File(["not json"], "users.json", { type: "application/json" });
  await assert.rejects(mgmt.jobs.usersImports.create({ users: notJson, connection_id: connectionId }), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 400);
    return true;
  });
});

test("logs: a search with q (not the SDK's search), one event by id, a user's events", async () => {
  const mgmt = management();
  const user = await newUser(mgmt, "logs");
  const login = await fetch(`${server.url}/_fake/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ connection: DB, email: user.email, password: PASSWORD }),
  });
  assert.equal(login.status, 200);

  // The SDK sends its `search` as `search=`, which Auth0 refuses (400, auth0/auth0-java#842:
  // https://github.com/auth0/auth0-java/issues/842); `q` goes as an extra query parameter.
  await assert.rejects(mgmt.logs.list({ search: "type:s" }), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 400);
    return true;
  });
  const q = `type:s AND user_id:"${user.user_id}"`;
  const found = await mgmt.logs.list({}, { queryParams: { q } });
  assert.equal(found.data.length, 1);
  const [event] = found.data;
  assert.equal(event.type, "s");
  assert.equal(event.user_id, user.user_id);
  assert.match(event.log_id, /^\d{56}$/);

  const one = await mgmt.logs.get(event.log_id);
  assert.equal(one.log_id, event.log_id);
  assert.equal(one.type, "s");

  const theirs = await mgmt.users.logs.list(user.user_id, { per_page: 10, include_totals: true });
  assert.ok(theirs.data.some((e) => e.log_id === event.log_id));
  assert.ok(theirs.data.every((e) => e.user_id === user.user_id));

  await assert.rejects(mgmt.logs.get("90020230602105805996607000000000000001223372045029306413"), (error) => {
    assert.ok(error instanceof ManagementError);
    assert.equal(error.statusCode, 404);
    return true;
  });
});
