"""Config as code: node's auth0-deploy-cli (npm, unmodified) imports a tenant file into
``fakeauth0 serve --tls --rules`` (a legacy tenant, which keeps Rules) and exports it back.
Teams keep tenants in git this way (https://auth0.com/docs/deploy-monitor/deploy-cli-tool);
the CLI is pinned in tests/node/package-lock.json (``make test`` runs ``npm ci`` there first).

The CLI manages only the resource types named in ``AUTH0_INCLUDED_ONLY``
(https://github.com/auth0/auth0-deploy-cli/blob/master/docs/configuring-the-deploy-cli.md#auth0_included_only);
what it calls: docs/auth0-behaviour.md#config-as-code-what-auth0-deploy-cli-calls.

The CLI validates its input for tens of seconds of CPU before an import calls the tenant, so
one import and one export, shared by the tests of this module, cover every kind; only the
re-import of changed Actions (last) and the export from a tenant without Rules run again.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from fakeauth0.spec import load_spec
from tests.server.serving import Served, serve
from tests.support import DB, PASSWORD

HERE = Path(__file__).resolve().parent
CLI = HERE / "node_modules" / "auth0-deploy-cli" / "lib" / "index.js"
INCLUDED = [
    "clients",
    "resourceServers",
    "roles",
    "organizations",
    "connections",
    "databases",
    "actions",
    "triggers",
    "rules",
]
API = "https://orders.example.com/"

#: The tenant file, in the CLI's YAML format
#: (https://github.com/auth0/auth0-deploy-cli/blob/master/docs/resource-specific-documentation.md
#: and its examples/yaml/tenant.yaml): clients, an API with scopes, roles with permissions,
#: a database and a social connection enabled for a client, an organization with both.
TENANT: dict[str, Any] = {
    "resourceServers": [
        {
            "name": "Orders API",
            "identifier": API,
            "scopes": [
                {"value": "read:orders", "description": "Read orders"},
                {"value": "write:orders", "description": "Write orders"},
            ],
            "signing_alg": "RS256",
            "token_lifetime": 3600,
            "allow_offline_access": True,
            "skip_consent_for_verifiable_first_party_clients": True,
        }
    ],
    "clients": [
        {
            "name": "Storefront",
            "app_type": "spa",
            "callbacks": ["https://shop.example.com/callback"],
            "allowed_logout_urls": ["https://shop.example.com/"],
            "web_origins": ["https://shop.example.com"],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
        },
        {
            "name": "Orders Worker",
            "app_type": "non_interactive",
            "grant_types": ["client_credentials"],
        },
    ],
    "databases": [
        {
            "name": "Customers",
            "strategy": "auth0",
            "enabled_clients": ["Storefront"],
            "options": {
                "requires_username": False,
                "brute_force_protection": True,
                "passwordPolicy": "good",
            },
        }
    ],
    "connections": [
        {
            "name": "github",
            "strategy": "github",
            "enabled_clients": ["Storefront"],
            "options": {
                "client_id": "gh-client-id",
                "client_secret": "gh-client-secret",
                "scope": ["read:user", "user:email"],
            },
        }
    ],
    "roles": [
        {
            "name": "Order Admin",
            "description": "Can read and write orders",
            "permissions": [
                {"permission_name": "read:orders", "resource_server_identifier": API},
                {"permission_name": "write:orders", "resource_server_identifier": API},
            ],
        },
        {
            "name": "Order Reader",
            "description": "Can read orders",
            "permissions": [{"permission_name": "read:orders", "resource_server_identifier": API}],
        },
    ],
    "organizations": [
        {
            "name": "acme",
            "display_name": "Acme Inc",
            "branding": {"colors": {"primary": "#0059d6", "page_background": "#000000"}},
            "metadata": {"tier": "gold"},
            "connections": [
                {"name": "Customers", "assign_membership_on_login": True},
                {"name": "github", "assign_membership_on_login": False},
            ],
        }
    ],
}

#: Actions as the CLI's YAML holds them (code in ./actions/<name>/code.js beside the file,
#: https://github.com/auth0/auth0-deploy-cli/blob/master/docs/resource-specific-documentation.md#actions)
#: and the order each trigger runs them in (``triggers``). Both post-login actions set one
#: claim, so the token shows which ran last; the first reads its secret.
CODE = {
    "./actions/greet/code.js": """exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://shop.example.com/greeting', event.secrets.GREETING + ' v1');
  api.idToken.setCustomClaim('https://shop.example.com/last', 'greet');
};
""",
    "./actions/stamp/code.js": """exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://shop.example.com/last', 'stamp');
};
""",
    "./actions/screen-signups/code.js": """
exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@blocked.example.com')) {
    api.access.deny('blocked_domain', 'Sign-ups from this domain are closed');
  }
};
""",
    "./rules/add-tier.js": """function addTier(user, context, callback) {
  context.idToken['https://shop.example.com/tier'] = 'gold';
  callback(null, user, context);
}
""",
}


def _action(name: str, trigger: str, version: str, secrets: list[Any]) -> dict[str, Any]:
    return {
        "name": name,
        "code": f"./actions/{name}/code.js",
        "runtime": "node22",
        "dependencies": [],
        "secrets": secrets,
        "supported_triggers": [{"id": trigger, "version": version}],
        "deployed": True,
    }


ACTIONS = [
    _action("greet", "post-login", "v3", [{"name": "GREETING", "value": "hello"}]),
    _action("stamp", "post-login", "v3", []),
    _action("screen-signups", "pre-user-registration", "v2", []),
]
TRIGGERS: dict[str, list[dict[str, str]]] = {
    "post-login": [
        {"action_name": "greet", "display_name": "Greet"},
        {"action_name": "stamp", "display_name": "Stamp"},
    ],
    "pre-user-registration": [
        {"action_name": "screen-signups", "display_name": "Screen sign-ups"},
    ],
}
#: A classic Rule (https://github.com/auth0/auth0-deploy-cli/blob/master/docs/resource-specific-documentation.md),
#: its script beside the file.
RULES = [{"name": "add-tier", "script": "./rules/add-tier.js", "order": 1, "enabled": True}]


#: What the export writes differently from the file imported, by the CLI's own doing:
#: secrets become keyword markers (##CONNECTIONS_<NAME>_SECRET##), so a repository never holds
#: them (https://github.com/auth0/auth0-deploy-cli/blob/master/docs/keyword-replacement.md).
MASKED = {("connections", "github"): {"options.client_secret": "##CONNECTIONS_GITHUB_SECRET##"}}


def cli_or_skip() -> str:
    """node with the CLI installed; without them the test skips (fails under CI, where
    ``make test`` installs both)."""
    node = shutil.which("node")
    reason = None
    if not node:
        reason = "node (>= 20.19) is needed for auth0-deploy-cli"
    elif not CLI.is_file():
        reason = "run `npm ci` in tests/node (make test does)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"auth0-deploy-cli cannot run under CI: {reason}")
        pytest.skip(reason)
    assert node is not None
    return node


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    running = serve("--tls", "--ca-file", str(tmp_path / "ca.pem"))
    try:
        yield running
    finally:
        running.stop()


class Api:
    """The Management API, read with Python's urllib over the fake's CA."""

    def __init__(self, served: Served, ca: Path) -> None:
        self.served = served
        self.context = ssl.create_default_context(cafile=str(ca))
        creds = served.default
        grant = {
            "grant_type": "client_credentials",
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "audience": creds["audience"],
        }
        self.token = self.call("/oauth/token", grant)["access_token"]

    def call(self, path: str, body: Any = None, authorized: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.served.url + path, data=data)
        request.add_header("Content-Type", "application/json")
        if body is None or authorized:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, context=self.context, timeout=10) as answer:
            return json.loads(answer.read())

    def get(self, path: str) -> Any:
        return self.call("/api/v2" + path)

    def answer(self, path: str, body: Any) -> tuple[int, Any]:
        """A POST without a token whose error answers are read too: (status, JSON body)."""
        try:
            return 200, self.call(path, body)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def post(self, path: str, body: Any) -> Any:
        return self.call("/api/v2" + path, body, authorized=True)

    def named_action(self, name: str) -> dict[str, Any]:
        found = [a for a in self.get("/actions/actions")["actions"] if a["name"] == name]
        assert len(found) == 1, (name, found)
        return found[0]

    def named(self, path: str, name: str) -> dict[str, Any]:
        found = [row for row in self.get(path) if row.get("name") == name]
        assert len(found) == 1, (path, name, found)
        return found[0]


def a0deploy(
    node: str,
    served: Served,
    ca: Path,
    *args: str,
    included: list[str] = INCLUDED,
    config: dict[str, str] | None = None,
) -> str:
    """One run of the CLI with the printed M2M client's credentials, managing ``included``
    with the extra ``config`` variables; its output, once it passed."""
    creds = served.default
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ca),
        "AUTH0_DOMAIN": served.url.removeprefix("https://"),
        "AUTH0_CLIENT_ID": creds["client_id"],
        "AUTH0_CLIENT_SECRET": creds["client_secret"],
        "AUTH0_INCLUDED_ONLY": json.dumps(included),
        # The CLI retries a 5xx ten times with back-off; here a 5xx is a fault to see at once.
        "AUTH0_API_MAX_RETRIES": "1",
        **(config or {}),
    }
    result = subprocess.run(
        [node, str(CLI), *args], env=env, capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error" not in output.lower().replace("errorcode", ""), output
    return output


def _covers(imported: Any, exported: Any, where: str, masked: dict[str, Any]) -> None:
    """Every field imported is exported with the same value (the export may add the fields
    Auth0 fills in by default, e.g. a client's ``jwt_configuration``); lists of records by
    name, other lists as they are."""
    if isinstance(imported, dict):
        assert isinstance(exported, dict), (where, exported)
        for key, value in imported.items():
            path = f"{where}.{key}" if where else key
            if path in masked:
                assert exported.get(key) == masked[path], (path, exported.get(key))
                continue
            assert key in exported, (path, "missing from the export", exported)
            _covers(value, exported[key], path, masked)
    elif isinstance(imported, list) and imported and isinstance(imported[0], dict):
        assert isinstance(exported, list) and len(exported) == len(imported), (where, exported)
        for item, other in zip(_by_name(imported), _by_name(exported), strict=True):
            _covers(item, other, where, masked)
    else:
        assert exported == imported, (where, imported, exported)


def _by_name(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: json.dumps(r.get("name") or r, sort_keys=True))


def _write_tenant(folder: Path, document: dict[str, Any], code: dict[str, str]) -> Path:
    """The tenant file, and beside it the code files its actions and rules name."""
    folder.mkdir()
    for action in document.get("actions", []):
        _write(folder / action["code"], code[action["code"]])
    for rule in document.get("rules", []):
        _write(folder / rule["script"], code[rule["script"]])
    source = folder / "tenant.yaml"
    source.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return source


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@dataclass
class Deployed:
    """The module's tenant after one import of the whole file and one export."""

    served: Served
    api: Api
    run: Callable[..., str]
    folder: Path
    #: Client and connection names the tenant had before the import.
    before: dict[str, set[str]]
    export: dict[str, Any]
    out: Path


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    node = cli_or_skip()
    folder = tmp_path_factory.mktemp("deploy-cli")
    ca = folder / "ca.pem"
    running = serve("--tls", "--rules", "--ca-file", str(ca))
    try:
        api = Api(running, ca)
        before = {
            "clients": {c["name"] for c in api.get("/clients")},
            "connections": {c["name"] for c in api.get("/connections")},
        }
        document = {**TENANT, "actions": ACTIONS, "triggers": TRIGGERS, "rules": RULES}
        source = _write_tenant(folder / "in", document, CODE)

        def run(*args: str, **options: Any) -> str:
            return a0deploy(node, running, ca, *args, **options)

        imported = run("import", "--input_file", str(source))
        assert "Import Successful" in imported, imported
        out = folder / "out"
        exported = run("export", "--format", "yaml", "--output_folder", str(out))
        assert "Export Successful" in exported, exported
        export = yaml.safe_load((out / "tenant.yaml").read_text(encoding="utf-8"))
        yield Deployed(running, api, run, folder, before, export, out)
    finally:
        running.stop()


def test_deploy_cli_imports_a_tenant_and_exports_what_it_imported(deployed: Deployed) -> None:
    api, before, export = deployed.api, deployed.before, deployed.export

    # The tenant holds what was imported, read back through the Management API.
    clients = {c["name"]: c for c in api.get("/clients")}
    assert set(clients) == before["clients"] | {"Storefront", "Orders Worker"}
    shop = clients["Storefront"]
    assert shop["app_type"] == "spa" and shop["token_endpoint_auth_method"] == "none"
    assert shop["callbacks"] == ["https://shop.example.com/callback"]
    assert shop["web_origins"] == ["https://shop.example.com"]
    assert clients["Orders Worker"]["grant_types"] == ["client_credentials"]
    orders = api.named("/resource-servers", "Orders API")
    assert orders["identifier"] == API and orders["token_lifetime"] == 3600
    assert {s["value"] for s in orders["scopes"]} == {"read:orders", "write:orders"}
    connections = {c["name"]: c for c in api.get("/connections")}
    assert set(connections) == before["connections"] | {"Customers", "github"}
    for name in ("Customers", "github"):
        enabled = api.get(f"/connections/{connections[name]['id']}/clients")["clients"]
        assert [e["client_id"] for e in enabled] == [shop["client_id"]], name
    assert connections["Customers"]["options"]["passwordPolicy"] == "good"
    assert connections["github"]["strategy"] == "github"
    roles = {r["name"]: r for r in api.get("/roles")}
    assert set(roles) == {"Order Admin", "Order Reader"}
    granted = {
        name: {p["permission_name"] for p in api.get(f"/roles/{role['id']}/permissions")}
        for name, role in roles.items()
    }
    assert granted == {
        "Order Admin": {"read:orders", "write:orders"},
        "Order Reader": {"read:orders"},
    }
    (org,) = api.get("/organizations")
    assert (org["name"], org["display_name"], org["metadata"]) == (
        "acme",
        "Acme Inc",
        {"tier": "gold"},
    )
    assert org["branding"]["colors"] == {"primary": "#0059d6", "page_background": "#000000"}
    org_connections = {
        e["connection"]["name"]: e["assign_membership_on_login"]
        for e in api.get(f"/organizations/{org['id']}/enabled_connections")
    }
    assert org_connections == {"Customers": True, "github": False}

    assert set(export) == set(INCLUDED)
    # The export holds the whole tenant: what was imported and what the tenant had before
    # (the fake's own client and connections, which the CLI reads as any others).
    assert {c["name"] for c in export["clients"]} == before["clients"] | {
        "Storefront",
        "Orders Worker",
    }
    assert {c["name"] for c in export["connections"] + export["databases"]} == set(connections)
    kinds = dict(TENANT)
    unread = "get_organization-client-grants" not in load_spec()["served"]
    if unread:
        # The CLI reads each organization's client grants; when that answers 501 it takes the
        # tenant for one without organizations, and exports none.
        del kinds["organizations"]
    for kind, records in kinds.items():
        wanted = [dict(r) for r in records]
        if kind == "organizations":  # the CLI exports an organization's grants, none here
            wanted = [{**r, "client_grants": []} for r in wanted]
        got = [r for r in export[kind] if r["name"] in {w["name"] for w in wanted}]
        for want in wanted:
            (have,) = [r for r in got if r["name"] == want["name"]]
            _covers(want, have, "", MASKED.get((kind, want["name"]), {}))
    if unread:
        pytest.skip("the export of organizations needs GET /organizations/{id}/client-grants")


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _login(deployed: Deployed, email: str) -> dict[str, Any]:
    """A login of a user of the fake's database through the served fake (``/_fake/login``,
    which runs the rules and post-login actions as every login does): its ID token's claims."""
    users = deployed.api.get(f"/users-by-email?email={email}")
    if not users:
        deployed.api.post("/users", {"connection": DB, "email": email, "password": PASSWORD})
    answer = deployed.api.call("/_fake/login", {"connection": DB, "email": email})
    return _claims(answer["id_token"])


def _bound(api: Api, trigger: str) -> list[str]:
    return [
        b["action"]["name"] for b in api.get(f"/actions/triggers/{trigger}/bindings")["bindings"]
    ]


def test_deploy_cli_deploys_actions_binds_them_in_order_and_exports_them(
    deployed: Deployed,
) -> None:
    """The CLI creates each action, deploys it once built and binds the trigger's actions in
    the file's order; the export gives back code, runtime, secret names (never values:
    docs/auth0-behaviour.md#actions), dependencies, triggers, deployed state and the bindings
    (https://github.com/auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/actions.ts,
    https://github.com/auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/triggers.ts)."""
    api, export = deployed.api, deployed.export
    listed = {a["name"]: a for a in api.get("/actions/actions")["actions"]}
    assert set(listed) == {a["name"] for a in ACTIONS}
    for action in ACTIONS:
        have = listed[action["name"]]
        assert have["code"] == CODE[action["code"]]
        assert (have["all_changes_deployed"], have["deployed_version"]["number"]) == (True, 1)
    assert listed["greet"]["secrets"][0]["name"] == "GREETING"
    assert "value" not in listed["greet"]["secrets"][0]
    assert {t: _bound(api, t) for t in TRIGGERS} == {
        "post-login": ["greet", "stamp"],
        "pre-user-registration": ["screen-signups"],
    }

    assert export["triggers"] == TRIGGERS
    assert "hello" not in (deployed.out / "tenant.yaml").read_text(encoding="utf-8")
    assert len(export["actions"]) == len(ACTIONS)
    for want in ACTIONS:
        (have,) = [a for a in export["actions"] if a["name"] == want["name"]]
        code = (deployed.out / have["code"]).read_text(encoding="utf-8")
        assert code == CODE[want["code"]], want["name"]
        assert have["secrets"] == [{"name": s["name"]} for s in want["secrets"]], have
        for key in ("runtime", "dependencies", "supported_triggers", "deployed"):
            assert have[key] == want[key], (want["name"], key, have)


def test_what_the_deploy_cli_deployed_runs_on_login_and_sign_up(deployed: Deployed) -> None:
    """The rule runs first, then the post-login actions in binding order, the first with its
    secret (docs/auth0-behaviour.md#post-login-actions, docs/auth0-behaviour.md#classic-rules);
    the pre-user-registration action refuses a sign-up
    (docs/auth0-behaviour.md#registration-actions)."""
    claims = _login(deployed, "ann@example.com")
    assert claims["https://shop.example.com/tier"] == "gold"
    assert claims["https://shop.example.com/greeting"] == "hello v1"
    assert claims["https://shop.example.com/last"] == "stamp"

    shop = deployed.api.named("/clients", "Storefront")
    signup = {"client_id": shop["client_id"], "connection": "Customers", "password": PASSWORD}
    status, body = deployed.api.answer(
        "/dbconnections/signup", {**signup, "email": "eve@blocked.example.com"}
    )
    assert (status, body["code"], body["description"]) == (
        400,
        "extensibility_error",
        "blocked_domain",
    )
    status, body = deployed.api.answer(
        "/dbconnections/signup", {**signup, "email": "bob@example.com"}
    )
    assert status == 200, body


def test_deploy_cli_imports_and_exports_rules_on_a_legacy_tenant(deployed: Deployed) -> None:
    """A legacy tenant keeps its Rules (docs/auth0-behaviour.md#classic-rules): the CLI creates
    them and exports them with their scripts
    (https://github.com/auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/rules.ts)."""
    (rule,) = deployed.api.get("/rules")
    assert (rule["name"], rule["order"], rule["enabled"]) == ("add-tier", 1, True)
    assert rule["script"] == CODE["./rules/add-tier.js"]
    (exported,) = deployed.export["rules"]
    script = (deployed.out / exported["script"]).read_text(encoding="utf-8")
    assert script == CODE["./rules/add-tier.js"]
    assert {k: exported[k] for k in ("name", "order", "enabled", "stage")} == {
        "name": "add-tier",
        "order": 1,
        "enabled": True,
        "stage": "login_success",
    }


def test_deploy_cli_skips_rules_on_a_tenant_without_them(served: Served, tmp_path: Path) -> None:
    """A tenant created since Rules were retired answers their family 403 "Insufficient
    privileges to use this deprecated feature", which the CLI takes for no Rules at all
    (https://github.com/auth0/auth0-deploy-cli/pull/838): the export succeeds without them."""
    node = cli_or_skip()
    ca = tmp_path / "ca.pem"
    out = tmp_path / "out"
    exported = a0deploy(
        node,
        served,
        ca,
        "export",
        "--format",
        "yaml",
        "--output_folder",
        str(out),
        included=["rules"],
    )
    assert "Export Successful" in exported, exported
    export = yaml.safe_load((out / "tenant.yaml").read_text(encoding="utf-8")) or {}
    assert export.get("rules") in (None, []), export
    assert not (out / "rules").exists() or not any((out / "rules").iterdir())


def test_deploy_cli_redeploys_a_changed_action_and_deletes_a_removed_one(
    deployed: Deployed,
) -> None:
    """A second import updates a changed action and deploys it as a new version, which the
    next login runs; with AUTH0_ALLOW_DELETE an action left out of the file is deleted (with
    ``force``, so unbound) (https://github.com/auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/actions.ts,
    https://github.com/auth0/auth0-deploy-cli/blob/master/docs/configuring-the-deploy-cli.md).
    It changes the module's tenant, so it runs last."""
    api = deployed.api
    greet_id = api.named_action("greet")["id"]
    code = dict(CODE)
    code["./actions/greet/code.js"] = CODE["./actions/greet/code.js"].replace(" v1'", " v2'")
    kept = [a for a in ACTIONS if a["name"] != "stamp"]
    triggers = {**TRIGGERS, "post-login": TRIGGERS["post-login"][:1]}
    source = _write_tenant(
        deployed.folder / "second", {"actions": kept, "triggers": triggers}, code
    )
    imported = deployed.run(
        "import",
        "--input_file",
        str(source),
        included=["actions", "triggers"],
        config={"AUTH0_ALLOW_DELETE": "true"},
    )
    assert "Import Successful" in imported, imported

    greet = api.get(f"/actions/actions/{greet_id}")
    assert greet["code"] == code["./actions/greet/code.js"]
    assert (greet["all_changes_deployed"], greet["deployed_version"]["number"]) == (True, 2)
    versions = api.get(f"/actions/actions/{greet_id}/versions")["versions"]
    assert [(v["number"], v["deployed"]) for v in versions] == [(2, True), (1, False)]
    assert {a["name"] for a in api.get("/actions/actions")["actions"]} == {
        "greet",
        "screen-signups",
    }
    assert _bound(api, "post-login") == ["greet"]
    claims = _login(deployed, "ann@example.com")
    assert claims["https://shop.example.com/greeting"] == "hello v2"
    assert claims["https://shop.example.com/last"] == "greet"
