"""Config as code: node's auth0-deploy-cli (npm, unmodified) imports a tenant file into
``fakeauth0 serve --tls`` and exports it back. Teams keep tenants in git this way
(https://auth0.com/docs/deploy-monitor/deploy-cli-tool); the CLI is pinned in
tests/node/package-lock.json (``make test`` runs ``npm ci`` there first).

The CLI manages only the resource types named in ``AUTH0_INCLUDED_ONLY``
(https://github.com/auth0/auth0-deploy-cli/blob/master/docs/configuring-the-deploy-cli.md#auth0_included_only);
what it calls: docs/auth0-behaviour.md#config-as-code-what-auth0-deploy-cli-calls.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fakeauth0.spec import load_spec
from tests.server.serving import Served, serve

HERE = Path(__file__).resolve().parent
CLI = HERE / "node_modules" / "auth0-deploy-cli" / "lib" / "index.js"
INCLUDED = ["clients", "resourceServers", "roles", "organizations", "connections", "databases"]
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

    def call(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.served.url + path, data=data)
        request.add_header("Content-Type", "application/json")
        if body is None:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, context=self.context, timeout=10) as answer:
            return json.loads(answer.read())

    def get(self, path: str) -> Any:
        return self.call("/api/v2" + path)

    def named(self, path: str, name: str) -> dict[str, Any]:
        found = [row for row in self.get(path) if row.get("name") == name]
        assert len(found) == 1, (path, name, found)
        return found[0]


def a0deploy(node: str, served: Served, ca: Path, *args: str) -> str:
    """One run of the CLI with the printed M2M client's credentials; its output, once it passed."""
    creds = served.default
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ca),
        "AUTH0_DOMAIN": served.url.removeprefix("https://"),
        "AUTH0_CLIENT_ID": creds["client_id"],
        "AUTH0_CLIENT_SECRET": creds["client_secret"],
        "AUTH0_INCLUDED_ONLY": json.dumps(INCLUDED),
        # The CLI retries a 5xx ten times with back-off; here a 5xx is a fault to see at once.
        "AUTH0_API_MAX_RETRIES": "1",
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


def test_deploy_cli_imports_a_tenant_and_exports_what_it_imported(
    served: Served, tmp_path: Path
) -> None:
    node = cli_or_skip()
    ca = tmp_path / "ca.pem"
    api = Api(served, ca)
    before = {
        "clients": {c["name"] for c in api.get("/clients")},
        "connections": {c["name"] for c in api.get("/connections")},
    }
    source = tmp_path / "in" / "tenant.yaml"
    source.parent.mkdir()
    source.write_text(yaml.safe_dump(TENANT, sort_keys=False), encoding="utf-8")

    imported = a0deploy(node, served, ca, "import", "--input_file", str(source))
    assert "Import Successful" in imported, imported

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

    out = tmp_path / "out"
    exported = a0deploy(node, served, ca, "export", "--format", "yaml", "--output_folder", str(out))
    assert "Export Successful" in exported, exported
    export = yaml.safe_load((out / "tenant.yaml").read_text(encoding="utf-8"))
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
