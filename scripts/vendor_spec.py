"""Extract the part of Auth0's Management API OpenAPI spec that fakeauth0 needs.

Run from the project root (refreshes ``fakeauth0/spec/management-subset.json``)::

    python scripts/vendor_spec.py path/to/management-openapi.json

The path may instead come from the ``AUTH0_MANAGEMENT_OPENAPI`` environment variable, which is
also where ``tests/contract/test_coverage.py`` looks for the full spec to check the subset.

The subset keeps, for *every* operation, its path, method, operationId and scopes (so unserved
operations can answer a clear "not implemented" error and scope checks come from the spec), and,
for the operations we serve, their full definitions and every component schema they reference.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE_VARIABLE = "AUTH0_MANAGEMENT_OPENAPI"
TARGET = ROOT / "fakeauth0" / "spec" / "management-subset.json"
METHODS = ("get", "post", "put", "patch", "delete")

SERVED = (
    "get_users",
    "post_users",
    "get_users_by_id",
    "patch_users_by_id",
    "delete_users_by_id",
    "get_users-by-email",
    "post_identities",
    "delete_user_identity_by_user_id",
    "get_resource-servers",
    "post_resource-servers",
    "get_resource-servers_by_id",
    "patch_resource-servers_by_id",
    "delete_resource-servers_by_id",
    "get_clients",
    "post_clients",
    "get_clients_by_id",
    "patch_clients_by_id",
    "delete_clients_by_id",
    "post_rotate-secret",
    "get_client-grants",
    "post_client-grants",
    "patch_client-grants_by_id",
    "delete_client-grants_by_id",
    "get_connections",
    "post_connections",
    "get_connections_by_id",
    "patch_connections_by_id",
    "delete_connections_by_id",
    "get_status",
    "delete_users_by_email",
    "get_connection_clients",
    "patch_clients",
    "tenant_settings_route",
    "patch_settings",
    "get_user-blocks",
    "delete_user-blocks",
    "get_user-blocks_by_id",
    "delete_user-blocks_by_id",
    "get_brute-force-protection",
    "patch_brute-force-protection",
    "get_roles",
    "post_roles",
    "get_roles_by_id",
    "patch_roles_by_id",
    "delete_roles_by_id",
    "get_role_permission",
    "post_role_permission_assignment",
    "delete_role_permission_assignment",
    "get_role_user",
    "post_role_users",
    "get_user_roles",
    "post_user_roles",
    "delete_user_roles",
    "get_permissions",
    "post_permissions",
    "delete_permissions",
    "post_email-verification",
    "post_password-change",
    "post_users-imports",
    "post_users-exports",
    "post_verification-email",
    "get_jobs_by_id",
    "get_errors",
    "get_organizations",
    "post_organizations",
    "get_organizations_by_id",
    "get_name_by_name",
    "patch_organizations_by_id",
    "delete_organizations_by_id",
    "get_organization_members",
    "post_members",
    "delete_members",
    "get_organization_member_roles",
    "post_organization_member_roles",
    "delete_organization_member_roles",
    "get_organization-client-grants",
    "create_organization-client-grants",
    "delete_client-grants_by_grant_id",
    "get_client-grant-organizations",
    "get_discovery-domains",
    "post_discovery-domains",
    "get_discovery-domains_by_discovery_domain_id",
    "patch_discovery-domains_by_discovery_domain_id",
    "delete_discovery-domains_by_discovery_domain_id",
    "get_enabled_connections",
    "post_enabled_connections",
    "get_enabled_connections_by_connectionId",
    "patch_enabled_connections_by_connectionId",
    "delete_enabled_connections_by_connectionId",
    "get_invitations",
    "post_invitations",
    "get_invitations_by_invitation_id",
    "delete_invitations_by_invitation_id",
    "get_user_organizations",
    "get_actions",
    "post_action",
    "get_action",
    "patch_action",
    "delete_action",
    "post_deploy_action",
    "get_action_versions",
    "get_action_version",
    "post_deploy_draft_version",
    "post_test_action",
    "get_execution",
    "get_triggers",
    "get_bindings",
    "patch_bindings",
    "get_rules",
    "post_rules",
    "get_rules_by_id",
    "patch_rules_by_id",
    "delete_rules_by_id",
    "get_rules-configs",
    "put_rules-configs_by_key",
    "delete_rules-configs_by_key",
    "post_email-templates",
    "get_email-templates_by_templateName",
    "patch_email-templates_by_templateName",
    "put_email-templates_by_templateName",
    "get_logs",
    "get_logs_by_id",
    "get_logs_by_user",
    # beyond the vendored spec (BEYOND_SPEC_OPERATIONS below)
    "get_connections-directory-provisionings",
    "get_organization_all_connections",
    "get_organization_all_connection",
    "create_organization_all_connection",
    "patch_organization_all_connection",
    "delete_organization_all_connection",
    "get_organization_clients",
    "get_session",
    "delete_session",
    "revoke_session",
    "get_sessions_for_user",
    "delete_sessions_for_user",
    "get_refresh_token",
    "delete_refresh_token",
    "get_refresh_tokens_for_user",
    "delete_refresh_tokens_for_user",
    "get_action_modules",
)


#: Auth0 adds operations and parameters faster than it republishes the spec vendored here; what
#: a real client sends beyond it is folded in by extract() as if the spec had it, each from a
#: public definition generated from Auth0's API (node-auth0 v5+ is generated from it).
_NODE_AUTH0 = "https://github.com/auth0/node-auth0/blob/master/src/management/api/resources/"
_LIST_DIRECTORY_PROVISIONINGS = "https://auth0.com/docs/api/management/v2/connections-directory-provisionings/get-connections-directory-provisionings"
BEYOND_SPEC_SCOPES: dict[str, str] = {
    # _LIST_DIRECTORY_PROVISIONINGS: "Scopes: read:directory_provisionings"
    "read:directory_provisionings": "Read directory provisioning configurations",
}
BEYOND_SPEC_PARAMETERS: dict[str, list[dict[str, Any]]] = {
    # _NODE_AUTH0 + "roles/client/Client.ts": list({..., type: "tenant", owner_id: "owner_id"}),
    # the query auth0-deploy-cli sends to read a tenant's roles (GET /roles?type=tenant).
    "get_roles": [
        {
            "name": "type",
            "in": "query",
            "description": "Filter on the role's type: tenant, or organization (owned by one).",
            "schema": {"type": "string", "enum": ["tenant", "organization"]},
        },
        {
            "name": "owner_id",
            "in": "query",
            "description": "Filter on the organization owning the role.",
            "schema": {"type": "string"},
        },
    ],
}
_DEPLOY_CLI_RULE_RECORDING = (
    "https://github.com/auth0/auth0-deploy-cli/blob/025193b63bfadd7e87fe879812fbb3fea7fae9ce/"
    "test/e2e/recordings/should-deploy-without-deleting-resources-if-AUTH0_ALLOW_DELETE-is-false.json"
)
BEYOND_SPEC_PROPERTIES: dict[str, dict[str, Any]] = {
    # _DEPLOY_CLI_RULE_RECORDING: POST /api/v2/rules {name, script, "stage": "login_success",
    # enabled, order} answered 201 with the stage; auth0-deploy-cli sends it with every rule it
    # creates. The fake runs rules on login_success only (CHOICES.md "rules: stage").
    "CreateRuleRequestContent": {
        "stage": {
            "type": "string",
            "description": "The rule's execution stage.",
            "enum": ["login_success"],
            "default": "login_success",
        },
    },
}
_CHECKPOINT_QUERY = [
    {
        "name": "from",
        "in": "query",
        "description": "Optional Id from which to start selection.",
        "schema": {"type": "string", "description": "Optional Id from which to start selection."},
    },
    {
        "name": "take",
        "in": "query",
        "description": "Number of results per page. Defaults to 50.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "description": "Number of results per page. Defaults to 50.",
        },
    },
]
BEYOND_SPEC_OPERATIONS: dict[str, dict[str, Any]] = {
    # _LIST_DIRECTORY_PROVISIONINGS; _NODE_AUTH0 + "connections/resources/directoryProvisioning/
    # client/Client.ts" (list). auth0-deploy-cli reads it whenever it manages connections.
    "get_connections-directory-provisionings": {
        "path": "/connections-directory-provisionings",
        "method": "GET",
        "summary": "Get a list of directory provisioning configurations",
        "description": "Retrieve a list of directory provisioning configurations of a tenant.",
        "tags": ["connections-directory-provisionings"],
        "parameters": _CHECKPOINT_QUERY,
        "responses": {
            "200": {
                "description": "The tenant's directory provisioning configuration.",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["directory_provisionings"],
                            "properties": {
                                "directory_provisionings": {
                                    "type": "array",
                                    "items": {"type": "object"},
                                },
                                "next": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "400": {
                "description": "Invalid query string. The message will vary depending on the cause."
            },
            "401": {"description": "Invalid token."},
            "403": {
                "description": "Insufficient scope, expected any of: read:directory_provisionings"
            },
            "429": {"description": "Too many requests."},
        },
        "security": [
            {"bearerAuth": []},
            {"oAuth2ClientCredentials": ["read:directory_provisionings"]},
        ],
    },
}

_ORG_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "ID of the organization.",
    "schema": {"type": "string", "description": "ID of the organization."},
}
_CONNECTION_ID = {
    "name": "connection_id",
    "in": "path",
    "required": True,
    "description": "Connection identifier.",
    "schema": {"type": "string", "description": "Connection identifier."},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": "#/components/schemas/" + name}


def _operation(
    path: str, method: str, scope: str, summary: str, parameters: list[Any], **more: Any
) -> dict[str, Any]:
    responses = more.pop("responses", {})
    return {
        "path": path,
        "method": method,
        "summary": summary,
        "tags": ["organizations"],
        "parameters": parameters,
        "responses": {
            **responses,
            "400": {
                "description": "Invalid request. The message will vary depending on the cause."
            },
            "401": {"description": "Invalid token."},
            "403": {"description": f"Insufficient scope, expected any of: {scope}"},
            "404": {"description": "The organization does not exist."},
            "429": {"description": "Too many requests."},
        },
        "security": [{"bearerAuth": []}, {"oAuth2ClientCredentials": [scope]}],
        **more,
    }


_OFFSET_QUERY = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
    {"name": "include_totals", "in": "query", "schema": {"type": "boolean"}},
    {"name": "is_enabled", "in": "query", "schema": {"type": "boolean"}},
]
_ORG_CONNECTIONS = "/organizations/{id}/connections"
# An organization's connections under their newer path, beside /enabled_connections, with the
# same records: _NODE_AUTH0 + "organizations/resources/connections/client/Client.ts" and
# https://auth0.github.io/auth0.net/api/Auth0.ManagementApi.Organizations.ConnectionsClient.html;
# auth0-deploy-cli reads and writes an organization's connections only here.
BEYOND_SPEC_OPERATIONS.update(
    {
        "get_organization_all_connections": _operation(
            _ORG_CONNECTIONS,
            "GET",
            "read:organization_connections",
            "Get the connections of an organization",
            [_ORG_ID, *_OFFSET_QUERY],
            responses={
                "200": {
                    "description": "Connections retrieved.",
                    **_json({"type": ["object", "array"]}),
                }
            },
        ),
        "create_organization_all_connection": _operation(
            _ORG_CONNECTIONS,
            "POST",
            "create:organization_connections",
            "Add a connection to an organization",
            [_ORG_ID],
            requestBody=_json(_ref("AddOrganizationConnectionRequestContent")),
            responses={
                "201": {
                    "description": "Connection added.",
                    **_json(_ref("AddOrganizationConnectionResponseContent")),
                }
            },
        ),
        "get_organization_all_connection": _operation(
            _ORG_CONNECTIONS + "/{connection_id}",
            "GET",
            "read:organization_connections",
            "Get a connection of an organization",
            [_ORG_ID, _CONNECTION_ID],
            responses={
                "200": {
                    "description": "Connection retrieved.",
                    **_json(_ref("GetOrganizationConnectionResponseContent")),
                }
            },
        ),
        "patch_organization_all_connection": _operation(
            _ORG_CONNECTIONS + "/{connection_id}",
            "PATCH",
            "update:organization_connections",
            "Update the connection of an organization",
            [_ORG_ID, _CONNECTION_ID],
            requestBody=_json(_ref("UpdateOrganizationConnectionRequestContent")),
            responses={
                "200": {
                    "description": "Connection updated.",
                    **_json(_ref("UpdateOrganizationConnectionResponseContent")),
                }
            },
        ),
        "delete_organization_all_connection": _operation(
            _ORG_CONNECTIONS + "/{connection_id}",
            "DELETE",
            "delete:organization_connections",
            "Remove a connection from an organization",
            [_ORG_ID, _CONNECTION_ID],
            responses={"204": {"description": "Connection removed."}},
        ),
        # _NODE_AUTH0 + "organizations/resources/clients/client/Client.ts" (list): the
        # applications an organization is entitled to; auth0-deploy-cli exports them.
        "get_organization_clients": _operation(
            "/organizations/{id}/clients",
            "GET",
            "read:organization_clients",
            "Get the clients associated with an organization",
            [_ORG_ID, *_CHECKPOINT_QUERY],
            responses={
                "200": {
                    "description": "Clients retrieved.",
                    **_json(
                        {
                            "type": "object",
                            "required": ["clients"],
                            "properties": {
                                "clients": {"type": "array", "items": {"type": "object"}},
                                "next": {"type": "string"},
                            },
                        }
                    ),
                }
            },
        ),
    }
)
BEYOND_SPEC_SCOPES["read:organization_clients"] = "Read the clients of organizations"
# _NODE_AUTH0 + "actions/resources/modules/client/Client.ts" (list) and
# https://auth0.com/docs/api/management/v2/actions/get-action-modules: the tenant's Actions
# Modules; auth0-deploy-cli lists them whenever it manages actions, and a tenant answered it
# {"modules": [], "total": 0, "page": 0, "per_page": 100} in the CLI's recording
# https://github.com/auth0/auth0-deploy-cli/blob/a00a05540b63d56a08fbda276cb05d8ec162c834/test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json
BEYOND_SPEC_OPERATIONS["get_action_modules"] = {
    "path": "/actions/modules",
    "method": "GET",
    "summary": "List Actions Modules",
    "description": "Retrieve a paginated list of all Actions Modules.",
    "tags": ["actions"],
    "parameters": [
        {
            "name": "page",
            "in": "query",
            "description": "Page index of the results to return. First page is 0.",
            "schema": {"type": "integer"},
        },
        {
            "name": "per_page",
            "in": "query",
            "description": "Number of results per page.",
            "schema": {"type": "integer"},
        },
    ],
    "responses": {
        "200": {
            "description": "The tenant's Actions Modules.",
            **_json(
                {
                    "type": "object",
                    "required": ["modules"],
                    "properties": {
                        "modules": {"type": "array", "items": {"type": "object"}},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                    },
                }
            ),
        },
        "400": {"description": "Invalid request query string."},
        "401": {"description": "Invalid token."},
        "403": {"description": "Insufficient scope, expected: read:actions."},
        "429": {"description": "Too many requests."},
    },
    "security": [{"bearerAuth": []}, {"oAuth2ClientCredentials": ["read:actions"]}],
}


def _beyond_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with what Auth0 serves beyond it (above) folded in."""
    spec = json.loads(json.dumps(spec))  # a copy: the caller's spec stays as read
    for op_id, extra in BEYOND_SPEC_OPERATIONS.items():
        item = spec["paths"].setdefault(extra["path"], {})
        if extra["method"].lower() in item:
            continue  # the spec has it now, under its own id: SERVED must name that one
        op = {k: v for k, v in extra.items() if k not in ("path", "method")}
        item[extra["method"].lower()] = {"operationId": op_id, **op}
    for op_id, params in BEYOND_SPEC_PARAMETERS.items():
        for item in spec["paths"].values():
            for method in METHODS:
                op = item.get(method)
                if op is not None and op["operationId"] == op_id:
                    known = {p.get("name") for p in op.get("parameters", [])}
                    op.setdefault("parameters", []).extend(
                        p for p in params if p["name"] not in known
                    )
    for schema_name, properties in BEYOND_SPEC_PROPERTIES.items():
        schema = spec["components"]["schemas"][schema_name]
        for name, definition in properties.items():
            schema.setdefault("properties", {}).setdefault(name, definition)
    flows = spec["components"]["securitySchemes"]["oAuth2ClientCredentials"]["flows"]
    flows["clientCredentials"]["scopes"] = {
        **BEYOND_SPEC_SCOPES,
        **flows["clientCredentials"]["scopes"],
    }
    return spec


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _operation_scopes(op: dict[str, Any]) -> list[str]:
    scopes: list[str] = []
    for requirement in op.get("security", []):
        scopes.extend(requirement.get("oAuth2ClientCredentials", []))
    return scopes


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    spec = _beyond_spec(spec)
    operations = []
    served: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_id = op["operationId"]
            operations.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "operationId": op_id,
                    "scopes": _operation_scopes(op),
                }
            )
            if op_id in SERVED:
                served[op_id] = {"path": path, "method": method.upper(), **op}
    missing = set(SERVED) - set(served)
    if missing:
        raise SystemExit(f"operations not in the spec: {sorted(missing)}")

    schemas = spec["components"]["schemas"]
    needed: set[str] = set()
    _refs(served, needed)
    pending = list(needed)
    while pending:
        name = pending.pop()
        found: set[str] = set()
        _refs(schemas[name], found)
        for extra in found - needed:
            needed.add(extra)
            pending.append(extra)

    flows = spec["components"]["securitySchemes"]["oAuth2ClientCredentials"]["flows"]
    return {
        "info": spec["info"],
        "note": "Generated by scripts/vendor_spec.py from Auth0's management-openapi.json.",
        "scopes": sorted(flows["clientCredentials"]["scopes"]),
        "scope_descriptions": dict(sorted(flows["clientCredentials"]["scopes"].items())),
        "operations": operations,
        "served": served,
        "components": {"schemas": {name: schemas[name] for name in sorted(needed)}},
    }


def default_source() -> Path | None:
    """The full spec named by ``AUTH0_MANAGEMENT_OPENAPI``, if set."""
    named = os.environ.get(SOURCE_VARIABLE)
    return Path(named) if named else None


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else default_source()
    if source is None:
        print(f"usage: {argv[0]} path/to/management-openapi.json (or set {SOURCE_VARIABLE})")
        return 2
    subset = extract(json.loads(source.read_text(encoding="utf-8")))
    TARGET.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"wrote {TARGET.relative_to(ROOT)}: {len(subset['operations'])} operations, "
        f"{len(subset['served'])} served, {len(subset['components']['schemas'])} schemas"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
