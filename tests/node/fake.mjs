// The running fakeauth0 servers, as tests/node/test_node_suite.py started them (env vars), and
// small helpers for what a test sets up: tokens, users, simulated logins (the /_fake/ plane).

export function target(name) {
  const prefix = `FAKEAUTH0_${name.toUpperCase()}_`;
  const read = (key) => {
    const value = process.env[prefix + key];
    if (!value) throw new Error(`${prefix}${key} is not set: run through pytest tests/node`);
    return value;
  };
  return {
    url: read("URL"),
    domain: read("DOMAIN"),
    clientId: read("CLIENT_ID"),
    clientSecret: read("CLIENT_SECRET"),
  };
}

async function call(server, method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(server.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function managementToken(server) {
  const { status, body } = await call(server, "POST", "/oauth/token", {
    grant_type: "client_credentials",
    client_id: server.clientId,
    client_secret: server.clientSecret,
    audience: `https://${server.domain}/api/v2/`,
  });
  if (status !== 200) throw new Error(`token: ${status} ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function api(server, method, path, body) {
  return call(server, method, "/api/v2" + path, body, await managementToken(server));
}

export async function reset(server) {
  const { status } = await call(server, "POST", "/_fake/reset", {});
  if (status >= 300) throw new Error(`reset: ${status}`);
}

/** A successful login through `connection` (a first social login creates the user). */
export async function login(server, fields) {
  const { status, body } = await call(server, "POST", "/_fake/login", fields);
  if (status !== 200) throw new Error(`login: ${status} ${JSON.stringify(body)}`);
  return body.user;
}

export function unique(label) {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
