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
    "get_logs",
    "get_logs_by_id",
    "get_logs_by_user",
)


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
