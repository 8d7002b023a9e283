// A small web app protected by express-openid-connect, Auth0's SDK for express, logging in to the
// fake (tests/login/test_express_browser.py drives it with a browser). Served over HTTPS with a
// certificate of the fake's local CA, so the app and the fake are one site, as an app and its
// Auth0 custom domain are. Configuration comes from the environment:
//   EXPRESS_ISSUER, EXPRESS_CLIENT_ID, EXPRESS_CLIENT_SECRET, EXPRESS_PORT,
//   EXPRESS_TLS_CERT, EXPRESS_TLS_KEY (PEM files), and EXPRESS_RESPONSE_TYPE: empty for the
//   SDK's defaults (response_type id_token, response_mode form_post), else e.g. "code".
// It prints "listening on <baseURL>" once it accepts connections.
import { readFileSync } from "node:fs";
import https from "node:https";

import express from "express";
import { auth } from "express-openid-connect";

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env("EXPRESS_PORT"));
const baseURL = `https://127.0.0.1:${port}`;
const responseType = process.env.EXPRESS_RESPONSE_TYPE || "";
const authorizationParams = responseType
  ? { response_type: responseType, scope: "openid profile email offline_access" }
  : undefined;

const app = express();
app.use(
  auth({
    issuerBaseURL: env("EXPRESS_ISSUER"),
    baseURL,
    clientID: env("EXPRESS_CLIENT_ID"),
    clientSecret: env("EXPRESS_CLIENT_SECRET"),
    secret: "a-long-random-secret-that-encrypts-the-session-cookie",
    authRequired: false,
    idpLogout: true,
    enableTelemetry: false,
    ...(authorizationParams && { authorizationParams }),
  }),
);

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

app.get("/", (req, res) => {
  const user = req.oidc.user;
  const body = user
    ? `<h1>Signed in</h1><p id="email">${escape(user.email)}</p><p id="sub">${escape(user.sub)}</p>
       <a href="/profile">Profile</a> <a href="/logout">Log out</a>`
    : `<h1>Signed out</h1><p id="anonymous">Nobody is signed in.</p><a href="/login">Log in</a>`;
  res.type("html").send(`<!doctype html><title>Judge app</title>${body}`);
});

// Auth0's sign-up screen instead of the login screen.
app.get("/signup", (req, res) => res.oidc.login({ returnTo: "/", authorizationParams: { screen_hint: "signup" } }));

// What /userinfo answers for the session's access token (code flows only).
app.get("/profile", async (req, res, next) => {
  try {
    if (!req.oidc.isAuthenticated()) return res.redirect("/login");
    const info = await req.oidc.fetchUserInfo();
    res.type("html").send(
      `<!doctype html><title>Profile</title><p id="userinfo-email">${escape(info.email)}</p>` +
        `<p id="refresh">${req.oidc.refreshToken ? "yes" : "no"}</p>`,
    );
  } catch (error) {
    next(error);
  }
});

app.use((error, req, res, _next) => {
  res.status(error.status || 500).type("text").send(`app error: ${error.message}`);
});

const server = https.createServer(
  { cert: readFileSync(env("EXPRESS_TLS_CERT")), key: readFileSync(env("EXPRESS_TLS_KEY")) },
  app,
);
server.listen(port, "127.0.0.1", () => console.log(`listening on ${baseURL}`));
process.on("SIGTERM", () => process.exit(0));
