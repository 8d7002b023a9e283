"""Management API handlers for organizations: ``/organizations`` with their members and
member roles, enabled connections, invitations, client grants and discovery domains;
``/users/{id}/organizations`` and ``/client-grants/{id}/organizations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter, itemgetter
from typing import Any

from ..errors import Auth0Error, Msg
from ..organizations import Organization
from .management import project
from .paging import checkpoint, first_thousand, paged
from .routes import Call, management
from .validation import query_error

#: What ``fields=roles`` on a members list needs.
MEMBER_ROLES_SCOPE = "read:organization_member_roles"
#: ``grant_ids`` of ``GET /organizations/{id}/client-grants``: "max 10" (the spec).
GRANT_IDS_MAX = 10


def _organizations(orgs: Sequence[Organization]) -> list[dict[str, Any]]:
    return [o.to_json() for o in orgs]


def _sorted(call: Call, orgs: list[Organization]) -> list[Organization]:
    """``sort=name:1`` or ``display_name:-1``; without it, creation order (go-auth0 recording
    TestOrganizationManager_ListCheckpointPagination)."""
    sort = call.query.get("sort")
    if not sort:
        return orgs
    field, _, order = sort.partition(":")
    if field not in ("name", "display_name") or order not in ("1", "-1"):
        raise query_error(f"Invalid sort: {sort}", "sort")
    return sorted(orgs, key=lambda o: getattr(o, field) or "", reverse=order == "-1")


def _reported_limit(answer: tuple[int, Any], total: bool = True) -> tuple[int, Any]:
    """Invitation and enabled-connection pages report as ``limit`` the number of records they
    hold, and invitations no ``total`` (go-auth0 recordings TestOrganizationManager_Invitations,
    _Connections; the spec's ``include_totals`` of ``get_invitations``: "We do not yet support
    returning the total invitations count")."""
    status, body = answer
    if isinstance(body, dict):
        key = next(k for k in body if isinstance(body[k], list))
        body["limit"] = len(body[key])
        if not total:
            body.pop("total", None)
    return status, body


# -- organizations ----------------------------------------------------------------------------


@management("get_organizations")
def list_organizations(call: Call) -> tuple[int, Any]:
    first_thousand(call)
    orgs = _sorted(call, call.tenant.list_organizations())
    return paged(call, orgs, "organizations", attrgetter("id"), _organizations)


@management("post_organizations")
def create_organization(call: Call) -> tuple[int, Any]:
    """201 with the organization and, when some were given, its enabled connections (go-auth0
    recording TestOrganizationManager_Create)."""
    body = call.body()
    org = call.tenant.create_organization(body)
    answer = org.to_json()
    if body.get("enabled_connections"):
        answer["enabled_connections"] = call.tenant.organization_connections(org.id)
    return 201, answer


@management("get_organizations_by_id")
def get_organization(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_organization(call.args["id"]).to_json()


@management("get_name_by_name")
def get_organization_by_name(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_organization_by_name(call.args["name"]).to_json()


@management("patch_organizations_by_id")
def update_organization(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_organization(call.args["id"], call.body()).to_json()


@management("delete_organizations_by_id")
def delete_organization(call: Call) -> tuple[int, Any]:
    call.tenant.delete_organization(call.args["id"])
    return 204, None


@management("get_user_organizations")
def list_user_organizations(call: Call) -> tuple[int, Any]:
    orgs = call.tenant.user_organizations(call.args["id"])
    return paged(call, orgs, "organizations", render=_organizations)


# -- members ----------------------------------------------------------------------------------


@management("get_organization_members")
def list_members(call: Call) -> tuple[int, Any]:
    """Offset or checkpoint pages; ``fields=roles`` shows each member's organization roles and
    needs ``read:organization_member_roles`` (the spec's ``get_organization_members``)."""
    fields = {f.strip() for f in (call.query.get("fields") or "").split(",")}
    roles = "roles" in fields and bool(call.query.get("include_fields", True))
    if roles and not call.principal.has_any((MEMBER_ROLES_SCOPE,)):
        raise Auth0Error(
            403, Msg.INSUFFICIENT_SCOPE.format(scopes=MEMBER_ROLES_SCOPE), "insufficient_scope"
        )
    first_thousand(call)
    members = call.tenant.organization_members(call.args["id"], roles=roles)
    rows = [project(m, call) for m in members]
    return paged(call, rows, "members", itemgetter("user_id"))


@management("post_members")
def add_members(call: Call) -> tuple[int, Any]:
    call.tenant.add_organization_members(call.args["id"], call.body()["members"])
    return 204, None


@management("delete_members")
def remove_members(call: Call) -> tuple[int, Any]:
    call.tenant.remove_organization_members(call.args["id"], call.body()["members"])
    return 204, None


# -- member roles -----------------------------------------------------------------------------


@management("get_organization_member_roles")
def list_member_roles(call: Call) -> tuple[int, Any]:
    """``{id, name, description}`` each, offset pages (go-auth0 recording
    TestOrganizationManager_MemberRoles)."""
    roles = call.tenant.organization_member_roles(call.args["id"], call.args["user_id"])
    return paged(call, [r.to_json() for r in roles], "roles")


@management("post_organization_member_roles")
def assign_member_roles(call: Call) -> tuple[int, Any]:
    org_id, user_id = call.args["id"], call.args["user_id"]
    call.tenant.assign_organization_member_roles(org_id, user_id, call.body()["roles"])
    return 204, None


@management("delete_organization_member_roles")
def remove_member_roles(call: Call) -> tuple[int, Any]:
    org_id, user_id = call.args["id"], call.args["user_id"]
    call.tenant.remove_organization_member_roles(org_id, user_id, call.body()["roles"])
    return 204, None


# -- client grants (machine-to-machine access) ------------------------------------------------


@management("get_organization-client-grants")
def list_client_grants(call: Call) -> tuple[int, Any]:
    """Filtered by ``audience``, ``client_id`` and ``grant_ids`` (at most 10, the spec)."""
    grants = call.tenant.organization_client_grants(call.args["id"])
    for name in ("audience", "client_id"):
        if name in call.query:
            grants = [g for g in grants if g.get(name) == call.query[name]]
    wanted = call.request.args.getlist("grant_ids")
    if wanted:
        if len(wanted) > GRANT_IDS_MAX:
            raise query_error(f"Too many items (max {GRANT_IDS_MAX})", "grant_ids")
        grants = [g for g in grants if g["id"] in wanted]
    return paged(call, grants, "client_grants")


@management("create_organization-client-grants")
def add_client_grant(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.add_organization_client_grant(call.args["id"], call.body()["grant_id"])


@management("delete_client-grants_by_grant_id")
def remove_client_grant(call: Call) -> tuple[int, Any]:
    call.tenant.remove_organization_client_grant(call.args["id"], call.args["grant_id"])
    return 204, None


@management("get_client-grant-organizations")
def list_client_grant_organizations(call: Call) -> tuple[int, Any]:
    """Offset or checkpoint pages, as ``GET /organizations`` (the spec's
    ``ListClientGrantOrganizations...``; go-auth0 recording
    TestClientGrantManager_Organizations)."""
    orgs = call.tenant.client_grant_organizations(call.args["id"])
    return paged(call, orgs, "organizations", attrgetter("id"), _organizations)


# -- discovery domains ------------------------------------------------------------------------


@management("get_discovery-domains")
def list_discovery_domains(call: Call) -> tuple[int, Any]:
    """Checkpoint pages only, ``{"domains": [...], "next"?}`` (the spec; go-auth0 recording
    TestOrganizationManager_DiscoveryDomains)."""
    domains = call.tenant.organization_discovery_domains(call.args["id"])
    return checkpoint(call, domains, "domains", itemgetter("id"))


@management("post_discovery-domains")
def add_discovery_domain(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.add_organization_discovery_domain(call.args["id"], call.body())


@management("get_discovery-domains_by_discovery_domain_id")
def get_discovery_domain(call: Call) -> tuple[int, Any]:
    org_id, domain_id = call.args["id"], call.args["discovery_domain_id"]
    return 200, call.tenant.organization_discovery_domain(org_id, domain_id)


@management("patch_discovery-domains_by_discovery_domain_id")
def update_discovery_domain(call: Call) -> tuple[int, Any]:
    org_id, domain_id = call.args["id"], call.args["discovery_domain_id"]
    return 200, call.tenant.update_organization_discovery_domain(org_id, domain_id, call.body())


@management("delete_discovery-domains_by_discovery_domain_id")
def remove_discovery_domain(call: Call) -> tuple[int, Any]:
    org_id, domain_id = call.args["id"], call.args["discovery_domain_id"]
    call.tenant.remove_organization_discovery_domain(org_id, domain_id)
    return 204, None


# -- enabled connections ----------------------------------------------------------------------


@management("get_enabled_connections")
def list_connections(call: Call) -> tuple[int, Any]:
    rows = call.tenant.organization_connections(call.args["id"])
    return _reported_limit(paged(call, rows, "enabled_connections"))


@management("post_enabled_connections")
def add_connection(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.add_organization_connection(call.args["id"], call.body())


@management("get_enabled_connections_by_connectionId")
def get_connection(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.organization_connection(call.args["id"], call.args["connectionId"])


@management("patch_enabled_connections_by_connectionId")
def update_connection(call: Call) -> tuple[int, Any]:
    org_id, connection_id = call.args["id"], call.args["connectionId"]
    return 200, call.tenant.update_organization_connection(org_id, connection_id, call.body())


@management("delete_enabled_connections_by_connectionId")
def remove_connection(call: Call) -> tuple[int, Any]:
    call.tenant.remove_organization_connection(call.args["id"], call.args["connectionId"])
    return 204, None


# -- invitations ------------------------------------------------------------------------------


@management("post_invitations")
def create_invitation(call: Call) -> tuple[int, Any]:
    """201, as Auth0 answers (go-auth0 recording TestOrganizationManager_CreateInvitation; the
    spec says 200)."""
    return 201, call.tenant.create_invitation(call.args["id"], call.body())


@management("get_invitations")
def list_invitations(call: Call) -> tuple[int, Any]:
    sort = call.query.get("sort")
    if sort is not None and sort not in ("created_at:1", "created_at:-1"):
        raise query_error(f"Invalid sort: {sort}", "sort")
    invitations = call.tenant.list_invitations(call.args["id"], sort)
    rows = [project(i, call) for i in invitations]
    return _reported_limit(paged(call, rows, "invitations"), total=False)


@management("get_invitations_by_invitation_id")
def get_invitation(call: Call) -> tuple[int, Any]:
    invitation = call.tenant.get_invitation(call.args["id"], call.args["invitation_id"])
    return 200, project(invitation, call)


@management("delete_invitations_by_invitation_id")
def delete_invitation(call: Call) -> tuple[int, Any]:
    call.tenant.delete_invitation(call.args["id"], call.args["invitation_id"])
    return 204, None


# -- connections under /organizations/{id}/connections ----------------------------------------
# The newer path of an organization's connections (node-auth0's organizations.connections,
# https://github.com/auth0/node-auth0/blob/master/src/management/api/resources/organizations/resources/connections/client/Client.ts):
# the same records as /enabled_connections, listed under "connections".


@management("get_organization_all_connections")
def list_all_connections(call: Call) -> tuple[int, Any]:
    rows = call.tenant.organization_connections(call.args["id"])
    return _reported_limit(paged(call, rows, "connections"))


@management("get_organization_all_connection")
def get_all_connection(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.organization_connection(call.args["id"], call.args["connection_id"])


@management("create_organization_all_connection")
def add_all_connection(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.add_organization_connection(call.args["id"], call.body())


@management("patch_organization_all_connection")
def update_all_connection(call: Call) -> tuple[int, Any]:
    org_id, connection_id = call.args["id"], call.args["connection_id"]
    return 200, call.tenant.update_organization_connection(org_id, connection_id, call.body())


@management("delete_organization_all_connection")
def remove_all_connection(call: Call) -> tuple[int, Any]:
    call.tenant.remove_organization_connection(call.args["id"], call.args["connection_id"])
    return 204, None


# -- what organizations have that the fake does not model -------------------------------------


@management("get_organization_clients")
def list_organization_clients(call: Call) -> tuple[int, Any]:
    """Organization-to-application entitlements are not modelled, so no organization has one
    (CHOICES.md "organizations: clients")."""
    call.tenant.get_organization(call.args["id"])  # 404 for an unknown organization
    return checkpoint(call, [], "clients", str)
