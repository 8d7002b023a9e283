"""Organizations: who belongs to a customer's tenant-within-the-tenant, which connections its
members log in through, and the invitations that make new members.

What Auth0 answers is recorded in go-auth0's cassettes of a real tenant
(https://github.com/auth0/go-auth0/tree/main/test/data/recordings, ``TestOrganizationManager_*``)
and terraform-provider-auth0's (``TestAccOrganization*``); docs/auth0-behaviour.md#organizations
sums them up. No HTTP here; the caller holds the tenant lock. Every change returns a changed
copy, so the tenant can put the old one back when a commit fails.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .access import IDENTIFIER, Role
from .access import NAME as PERMISSION_NAME
from .clock import format_iso
from .connections import Connection
from .errors import Auth0Error, Msg

#: "Lowercase letters, numbers, hyphens and underscores", 1 to 50 characters, and it may start
#: with a number (https://auth0.com/docs/manage-users/organizations/configure-organizations/create-organizations;
#: the spec's ``organization-name`` format, ``maxLength: 50``).
NAME = re.compile(r"^[a-z0-9_-]{1,50}$")
#: The attributes of an organization besides its id and its lists, as the spec's
#: ``Organization`` schema names them.
ATTRIBUTES = ("name", "display_name", "branding", "metadata", "token_quota")
#: An invitation lives 7 days unless ``ttl_sec`` says otherwise, at most 30 days (the spec's
#: ``ttl_sec``; go-auth0 recording TestOrganizationManager_CreateInvitation: ``expires_at`` is
#: ``created_at`` + 7 days).
INVITATION_TTL = 604800
INVITATION_TTL_MAX = 2592000
#: What ``tenant.mail`` records for an invitation e-mail.
INVITATION_MAIL = "organization_invitation"


def valid_name(value: object) -> bool:
    """Whether ``value`` may name an organization (any non-string passes: the spec's type check
    refuses it first)."""
    return not isinstance(value, str) or bool(NAME.match(value))


@dataclass
class EnabledConnection:
    """A connection the organization's members log in through. ``is_signup_enabled`` is shown
    only once set (go-auth0 recordings TestOrganizationManager_AddConnection, _DBConnection)."""

    connection_id: str
    assign_membership_on_login: bool = False
    show_as_button: bool = True
    is_signup_enabled: bool | None = None

    def to_json(self, connection: Connection | None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "connection_id": self.connection_id,
            "assign_membership_on_login": self.assign_membership_on_login,
            "show_as_button": self.show_as_button,
        }
        if self.is_signup_enabled is not None:
            data["is_signup_enabled"] = self.is_signup_enabled
        if connection is not None:
            data["connection"] = {"name": connection.name, "strategy": connection.strategy}
        return data


@dataclass
class Organization:
    """One organization. Members are user ids in the order they joined; invitations are kept
    as Auth0 shows them."""

    id: str
    name: str
    display_name: str | None = None
    branding: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    token_quota: dict[str, Any] | None = None
    enabled_connections: list[EnabledConnection] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    #: Each member's organization roles (role ids, in the order assigned); a member without
    #: roles has no entry.
    member_roles: dict[str, list[str]] = field(default_factory=dict)
    #: The client grants associated with the organization for machine-to-machine access
    #: (grant ids, in the order associated).
    client_grants: list[str] = field(default_factory=list)
    #: Domains whose users are routed to this organization
    #: (``{id, domain, status, verification_host, verification_txt}``, in creation order).
    discovery_domains: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """As ``GET /organizations/{id}`` shows it: unset attributes are left out, and empty
        metadata too (terraform-provider-auth0 recording TestAccOrganization)."""
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        for name in ATTRIBUTES[1:]:
            value = getattr(self, name)
            if value is not None and value != {}:
                data[name] = copy.deepcopy(value)
        return data

    def enabled(self, connection_id: str) -> EnabledConnection | None:
        return next((e for e in self.enabled_connections if e.connection_id == connection_id), None)

    def record(self) -> dict[str, Any]:
        """The seed form: the organization and its lists."""
        data = self.to_json()
        data["enabled_connections"] = [e.to_json(None) for e in self.enabled_connections]
        data["members"] = list(self.members)
        data["invitations"] = copy.deepcopy(self.invitations)
        if self.member_roles:
            data["member_roles"] = copy.deepcopy(self.member_roles)
        if self.client_grants:
            data["client_grants"] = list(self.client_grants)
        if self.discovery_domains:
            data["discovery_domains"] = copy.deepcopy(self.discovery_domains)
        return data


# -- finding ----------------------------------------------------------------------------------


def not_found() -> Auth0Error:
    """Auth0's 404 for an unknown organization, by id or name, with no ``errorCode`` (go-auth0
    recording TestOrganizationManager_Delete)."""
    return Auth0Error(404, Msg.ORGANIZATION_NOT_FOUND)


def require(orgs: Mapping[str, Organization], org_id: str) -> Organization:
    found = orgs.get(org_id)
    if found is None:
        raise not_found()
    return found


def by_name(orgs: Mapping[str, Organization], name: str) -> Organization | None:
    return next((o for o in orgs.values() if o.name == name), None)


def require_name(orgs: Mapping[str, Organization], name: str) -> Organization:
    found = by_name(orgs, name)
    if found is None:
        raise not_found()
    return found


def of_user(orgs: Mapping[str, Organization], user_id: str) -> list[Organization]:
    return [o for o in orgs.values() if user_id in o.members]


# -- the organization -------------------------------------------------------------------------


def _check_name(orgs: Mapping[str, Organization], name: str, org_id: str | None = None) -> None:
    """The name rule (the body's format check has the wording; seeds come here too) and its
    uniqueness: 409 as the spec words it."""
    if not valid_name(name) or not name:
        raise Auth0Error.invalid_body(Msg.ORGANIZATION_NAME_FORMAT.format(name=name))
    other = by_name(orgs, name)
    if other is not None and other.id != org_id:
        raise Auth0Error(409, Msg.ORGANIZATION_EXISTS, "conflict")


def create(
    orgs: Mapping[str, Organization],
    body: Mapping[str, Any],
    org_id: str,
    connections: Iterable[Connection],
) -> Organization:
    """``POST /organizations``: the attributes given, and the initial enabled connections."""
    _check_name(orgs, body["name"])
    org = Organization(id=org_id, name=body["name"])
    for name in ATTRIBUTES[1:]:
        if body.get(name) is not None:
            setattr(org, name, copy.deepcopy(body[name]))
    by_id = {c.id: c for c in connections}
    for entry in body.get("enabled_connections") or ():
        org = add_connection(org, entry, by_id)
    return org


def update(
    orgs: Mapping[str, Organization], org: Organization, body: Mapping[str, Any]
) -> Organization:
    """``PATCH /organizations/{id}``: each attribute given replaces the old one (metadata too:
    terraform-provider-auth0 recording TestAccOrganization); ``null`` removes it."""
    if "name" in body:
        _check_name(orgs, body["name"], org.id)
    changed = copy.deepcopy(org)
    for name in ATTRIBUTES:
        if name in body:
            setattr(changed, name, copy.deepcopy(body[name]))
    return changed


# -- members ----------------------------------------------------------------------------------


def add_members(org: Organization, user_ids: Iterable[str]) -> Organization:
    """Members join once; adding a member again changes nothing (Auth0 answers 204 alike)."""
    changed = copy.deepcopy(org)
    for user_id in user_ids:
        if user_id not in changed.members:
            changed.members.append(user_id)
    return changed


def remove_members(org: Organization, user_ids: Iterable[str]) -> Organization:
    """A member who leaves loses their organization roles with the membership."""
    gone = set(user_ids)
    changed = copy.deepcopy(org)
    changed.members = [m for m in changed.members if m not in gone]
    changed.member_roles = {u: r for u, r in changed.member_roles.items() if u not in gone}
    return changed


# -- member roles -----------------------------------------------------------------------------


def require_member(org: Organization, user_id: str) -> None:
    """Organization roles belong to a membership: a user who is not a member is refused
    (CHOICES.md "organizations: member roles of a non-member")."""
    if user_id not in org.members:
        raise Auth0Error.bad_request(
            Msg.ORGANIZATION_NOT_A_MEMBER.format(user_id=user_id), "invalid_body"
        )


def member_role_ids(org: Organization, user_id: str) -> list[str]:
    return list(org.member_roles.get(user_id, ()))


def with_member_roles(org: Organization, user_id: str, role_ids: Iterable[str]) -> Organization:
    """The member holding ``role_ids`` too in this organization only
    (https://auth0.com/docs/manage-users/organizations/configure-organizations/add-member-roles);
    a role held already changes nothing."""
    changed = copy.deepcopy(org)
    held = changed.member_roles.setdefault(user_id, [])
    held.extend(r for r in dict.fromkeys(role_ids) if r not in held)
    if not held:
        del changed.member_roles[user_id]
    return changed


def without_member_roles(org: Organization, user_id: str, role_ids: Iterable[str]) -> Organization:
    """The member without ``role_ids`` (roles not held are ignored)."""
    gone = set(role_ids)
    changed = copy.deepcopy(org)
    kept = [r for r in changed.member_roles.get(user_id, ()) if r not in gone]
    if kept:
        changed.member_roles[user_id] = kept
    else:
        changed.member_roles.pop(user_id, None)
    return changed


def member_permissions_on(
    org: Organization | None, user_id: str, roles: Mapping[str, Role], identifier: str
) -> list[str]:
    """The names of the permissions on one API that a member's organization roles grant: what
    RBAC lets an access token of a login through the organization carry. Roles the user holds
    outside the organization, and permissions given to the user directly, do not count there
    (https://community.auth0.com/t/organization-permissions-claim-empty/99135)."""
    if org is None or user_id not in org.members:
        return []
    names: set[str] = set()
    for role_id in org.member_roles.get(user_id, ()):
        role = roles.get(role_id)
        if role is not None:
            granted = (p for p in role.permissions if p[IDENTIFIER] == identifier)
            names.update(p[PERMISSION_NAME] for p in granted)
    return sorted(names)


# -- client grants (machine-to-machine access) -------------------------------------------------


def with_client_grant(org: Organization, grant_id: str) -> Organization:
    """Associate a client grant: 409 when it already is (the spec's
    ``create_organization-client-grants``)."""
    if grant_id in org.client_grants:
        raise Auth0Error(409, Msg.ORGANIZATION_GRANT_EXISTS, "conflict")
    changed = copy.deepcopy(org)
    changed.client_grants.append(grant_id)
    return changed


def without_client_grant(org: Organization, grant_id: str) -> Organization:
    """Removing a grant that is not associated changes nothing (CHOICES.md "organizations:
    removing a client grant not associated")."""
    changed = copy.deepcopy(org)
    changed.client_grants = [g for g in changed.client_grants if g != grant_id]
    return changed


def of_client_grant(orgs: Mapping[str, Organization], grant_id: str) -> list[Organization]:
    return [o for o in orgs.values() if grant_id in o.client_grants]


#: What an organization's client grant shows: the grant's own attributes, as the spec's
#: ``OrganizationClientGrant`` names them.
CLIENT_GRANT_KEYS = (
    "id",
    "client_id",
    "audience",
    "scope",
    "organization_usage",
    "allow_any_organization",
)


def client_grant_json(grant: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(grant[k]) for k in CLIENT_GRANT_KEYS if k in grant}


def member_json(user_id: str, profile: Mapping[str, Any]) -> dict[str, Any]:
    """A member as ``GET /organizations/{id}/members`` lists it (go-auth0 recording
    TestOrganizationManager_MembersCheckpointPagination)."""
    data: dict[str, Any] = {"user_id": user_id}
    for name in ("email", "picture", "name"):
        if isinstance(profile.get(name), str):
            data[name] = profile[name]
    return data


# -- discovery domains ------------------------------------------------------------------------


def verification_host(org: Organization, domain: str) -> str:
    """Where the domain's TXT record goes (go-auth0 recording
    TestOrganizationManager_DiscoveryDomains)."""
    return f"_ss-verification.{org.id}.{domain}"


def with_discovery_domain(
    org: Organization, body: Mapping[str, Any], domain_id: str, txt: str
) -> tuple[Organization, dict[str, Any]]:
    """``POST /organizations/{id}/discovery-domains``: a new domain, ``pending`` unless the body
    says ``verified``; a domain the organization has already is 409 (the spec)."""
    domain = body["domain"]
    if any(d["domain"].casefold() == domain.casefold() for d in org.discovery_domains):
        raise Auth0Error(409, Msg.DISCOVERY_DOMAIN_EXISTS, "conflict")
    record = {
        "id": domain_id,
        "domain": domain,
        "status": body.get("status") or "pending",
        "verification_host": verification_host(org, domain),
        "verification_txt": txt,
    }
    changed = copy.deepcopy(org)
    changed.discovery_domains.append(record)
    return changed, copy.deepcopy(record)


def require_discovery_domain(org: Organization, domain_id: str) -> dict[str, Any]:
    found = next((d for d in org.discovery_domains if d["id"] == domain_id), None)
    if found is None:
        raise Auth0Error(404, Msg.DISCOVERY_DOMAIN_NOT_FOUND)
    return copy.deepcopy(found)


def with_discovery_status(
    org: Organization, domain_id: str, body: Mapping[str, Any]
) -> tuple[Organization, dict[str, Any]]:
    """``PATCH``: the ``status`` (``pending`` or ``verified``) as given; the body may omit it."""
    require_discovery_domain(org, domain_id)
    changed = copy.deepcopy(org)
    record = next(d for d in changed.discovery_domains if d["id"] == domain_id)
    if body.get("status") is not None:
        record["status"] = body["status"]
    return changed, copy.deepcopy(record)


def without_discovery_domain(org: Organization, domain_id: str) -> Organization:
    require_discovery_domain(org, domain_id)
    changed = copy.deepcopy(org)
    changed.discovery_domains = [d for d in changed.discovery_domains if d["id"] != domain_id]
    return changed


# -- enabled connections ----------------------------------------------------------------------


def _check_signup(entry: EnabledConnection, connection: Connection) -> None:
    """Sign-up through an organization needs a database connection that makes its users
    members (go-auth0 recording TestOrganizationManager_UpdateDBConnection)."""
    if entry.is_signup_enabled and not (
        connection.is_database and entry.assign_membership_on_login
    ):
        raise Auth0Error.invalid_body(Msg.ORGANIZATION_SIGNUP_NEEDS_MEMBERSHIP)


def add_connection(
    org: Organization, entry: Mapping[str, Any], connections: Mapping[str, Connection]
) -> Organization:
    """Enable a connection (by id) for the organization; enabling it again replaces its
    settings."""
    connection = connections.get(entry["connection_id"])
    if connection is None:
        raise Auth0Error.invalid_body(
            Msg.ORGANIZATION_CONNECTION_UNKNOWN.format(connection_id=entry["connection_id"])
        )
    enabled = EnabledConnection(
        connection_id=connection.id,
        assign_membership_on_login=bool(entry.get("assign_membership_on_login", False)),
        show_as_button=bool(entry.get("show_as_button", True)),
        is_signup_enabled=entry.get("is_signup_enabled"),
    )
    _check_signup(enabled, connection)
    changed = copy.deepcopy(org)
    changed.enabled_connections = [
        e for e in changed.enabled_connections if e.connection_id != connection.id
    ] + [enabled]
    return changed


def require_connection(org: Organization, connection_id: str) -> EnabledConnection:
    found = org.enabled(connection_id)
    if found is None:
        raise Auth0Error(404, Msg.ORGANIZATION_CONNECTION_NOT_FOUND)
    return found


def update_connection(
    org: Organization, connection_id: str, body: Mapping[str, Any], connection: Connection
) -> Organization:
    changed = copy.deepcopy(org)
    enabled = require_connection(changed, connection_id)
    for name in ("assign_membership_on_login", "show_as_button", "is_signup_enabled"):
        if name in body:
            setattr(enabled, name, body[name])
    _check_signup(enabled, connection)
    return changed


def remove_connection(org: Organization, connection_id: str) -> Organization:
    require_connection(org, connection_id)
    changed = copy.deepcopy(org)
    changed.enabled_connections = [
        e for e in changed.enabled_connections if e.connection_id != connection_id
    ]
    return changed


# -- invitations ------------------------------------------------------------------------------


def invitation_url(base: str, ticket: str, org: Organization) -> str:
    """The link the invitee follows: the application's login route with the ticket and the
    organization (go-auth0 recording TestOrganizationManager_CreateInvitation;
    https://auth0.com/docs/manage-users/organizations/configure-organizations/invite-members)."""
    query = urlencode({"invitation": ticket, "organization": org.id, "organization_name": org.name})
    return f"{base}{'&' if '?' in base else '?'}{query}"


def new_invitation(
    org: Organization,
    body: Mapping[str, Any],
    *,
    invitation_id: str,
    ticket: str,
    login_route: str | None,
    now: float,
) -> dict[str, Any]:
    """``POST /organizations/{id}/invitations`` once the client and connection are known:
    the invitation as Auth0 shows it."""
    if not login_route:
        raise Auth0Error.bad_request(Msg.ORGANIZATION_NO_LOGIN_ROUTE, "invalid_body")
    ttl = body.get("ttl_sec") or INVITATION_TTL
    if ttl < 0 or ttl > INVITATION_TTL_MAX:
        bound = "less than minimum 0" if ttl < 0 else f"greater than maximum {INVITATION_TTL_MAX}"
        raise Auth0Error.invalid_body(Msg.ORGANIZATION_TTL.format(value=ttl, bound=bound))
    invitation: dict[str, Any] = {
        "id": invitation_id,
        "organization_id": org.id,
        "client_id": body["client_id"],
        "inviter": copy.deepcopy(body["inviter"]),
        "invitee": copy.deepcopy(body["invitee"]),
        "invitation_url": invitation_url(login_route, ticket, org),
        "ticket_id": ticket,
        "created_at": format_iso(now),
        "expires_at": format_iso(now + ttl),
    }
    for name in ("connection_id", "app_metadata", "user_metadata", "roles"):
        if body.get(name) is not None:
            invitation[name] = copy.deepcopy(body[name])
    return invitation


def with_invitation(org: Organization, invitation: dict[str, Any]) -> Organization:
    changed = copy.deepcopy(org)
    changed.invitations.append(copy.deepcopy(invitation))
    return changed


def require_invitation(org: Organization, invitation_id: str) -> dict[str, Any]:
    found = next((i for i in org.invitations if i["id"] == invitation_id), None)
    if found is None:
        raise Auth0Error(404, Msg.INVITATION_NOT_FOUND, "inexistent_invitation")
    return found


def without_invitation(org: Organization, invitation_id: str) -> Organization:
    changed = copy.deepcopy(org)
    changed.invitations = [i for i in changed.invitations if i["id"] != invitation_id]
    return changed


def without_client_invitations(org: Organization, client_id: str) -> Organization | None:
    """``org`` without its invitations to a deleted client; None when it had none."""
    kept = [i for i in org.invitations if i.get("client_id") != client_id]
    if len(kept) == len(org.invitations):
        return None
    return dataclasses.replace(org, invitations=kept)


def sorted_invitations(org: Organization, sort: str | None) -> list[dict[str, Any]]:
    """Newest first unless ``sort`` says ``created_at:1`` (the spec's ``sort``: "Defaults to
    created_at:-1")."""
    ascending = (sort or "created_at:-1").strip() == "created_at:1"
    ordered = sorted(org.invitations, key=lambda i: i["created_at"])
    return ordered if ascending else ordered[::-1]


def mail_for(invitation: Mapping[str, Any], org: Organization) -> dict[str, Any]:
    """The e-mail Auth0 would send the invitee (``send_invitation_email``, true by default)."""
    return {
        "template": INVITATION_MAIL,
        "recipient": invitation["invitee"].get("email"),
        "client_id": invitation["client_id"],
        "organization_id": org.id,
        "organization_name": org.name,
        "inviter": invitation["inviter"].get("name"),
        "link": invitation["invitation_url"],
        "time": invitation["created_at"],
    }


# -- logins through an organization -----------------------------------------------------------


def find_for_login(
    orgs: Mapping[str, Organization], value: str, names_allowed: bool
) -> Organization | None:
    """The organization ``/authorize``'s ``organization`` names: by id, or by name when the
    tenant allows names (``allow_organization_name_in_authentication_api``,
    https://auth0.com/docs/manage-users/organizations/configure-organizations/use-org-name-authentication-api)."""
    found = orgs.get(value)
    if found is None and names_allowed:
        found = by_name(orgs, value)
    return found


def admit(
    org: Organization, user_id: str, connection_id: str | None, ticket: str | None, now: float
) -> tuple[Organization, bool]:
    """Whether a user who just logged in through ``connection_id`` may enter ``org``, and the
    organization as it is after (a new member, an accepted invitation gone): members may; a
    connection with ``assign_membership_on_login`` makes the user one; so does an open
    invitation's ``ticket``, with the invitation's roles
    (https://auth0.com/docs/manage-users/organizations/login-flows-for-organizations,
    https://auth0.com/docs/manage-users/organizations/configure-organizations/invite-members)."""
    if ticket is not None:
        invitation = next((i for i in org.invitations if i["ticket_id"] == ticket), None)
        if invitation is not None and invitation["expires_at"] > format_iso(now):
            changed = without_invitation(add_members(org, [user_id]), invitation["id"])
            changed = with_member_roles(changed, user_id, invitation.get("roles") or ())
            return changed, True
    if user_id in org.members:
        return org, True
    enabled = org.enabled(connection_id) if connection_id is not None else None
    if enabled is not None and enabled.assign_membership_on_login:
        return add_members(org, [user_id]), True
    return org, False


# -- cascades and seeds -----------------------------------------------------------------------


def pruned(
    org: Organization,
    user_exists: Any,
    connection_ids: Iterable[str],
    role_ids: Iterable[str] | None = None,
    grant_ids: Iterable[str] | None = None,
) -> Organization | None:
    """``org`` without members whose user is gone (and their roles), connections that are
    gone, roles that are gone (``role_ids``: those that remain; from member roles and from
    invitations) and client grants that are gone (``grant_ids``); None when nothing
    changed."""
    known = set(connection_ids)
    members = [m for m in org.members if user_exists(m)]
    enabled = [e for e in org.enabled_connections if e.connection_id in known]
    roles_left = None if role_ids is None else set(role_ids)
    member_roles = {}
    for user_id, held in org.member_roles.items():
        kept = [r for r in held if roles_left is None or r in roles_left]
        if user_id in members and kept:
            member_roles[user_id] = kept
    grants_left = None if grant_ids is None else set(grant_ids)
    client_grants = [g for g in org.client_grants if grants_left is None or g in grants_left]
    invitations = copy.deepcopy(org.invitations)
    for invitation in invitations:
        if roles_left is not None and isinstance(invitation.get("roles"), list):
            invitation["roles"] = [r for r in invitation["roles"] if r in roles_left]
    if (
        members == org.members
        and len(enabled) == len(org.enabled_connections)
        and member_roles == org.member_roles
        and client_grants == org.client_grants
        and invitations == org.invitations
    ):
        return None
    return dataclasses.replace(
        org,
        members=members,
        enabled_connections=copy.deepcopy(enabled),
        member_roles=member_roles,
        client_grants=client_grants,
        invitations=invitations,
    )


_RECORD_KEYS = {
    "id",
    *ATTRIBUTES,
    "enabled_connections",
    "members",
    "invitations",
    "member_roles",
    "client_grants",
    "discovery_domains",
}


def from_record(
    record: Mapping[str, Any],
    org_id: str,
    connections: Mapping[str, Connection],
    user_exists: Any,
    role_exists: Any = None,
) -> Organization:
    """An organization from a seed or snapshot record; a rule it breaks is a ``ValueError``
    naming it. ``enabled_connections`` entries name their connection by ``connection_id`` or,
    for seeds written by hand, by ``connection`` (its name); ``member_roles`` maps a member's
    user id to role ids."""
    unknown = sorted(set(record) - _RECORD_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}")
    given = record.get("id")
    if given is not None and not (isinstance(given, str) and given.startswith("org_")):
        raise ValueError(f"the id {given!r} is not an organization id (org_...)")
    org = Organization(id=given or org_id, name=record["name"])
    for name in ATTRIBUTES[1:]:
        if record.get(name) is not None:
            setattr(org, name, copy.deepcopy(record[name]))
    by_id = {c.id: c for c in connections.values()}
    for entry in record.get("enabled_connections") or ():
        if not isinstance(entry, dict):
            raise ValueError("each enabled connection must be an object")
        entry = dict(entry)
        if "connection" in entry:
            named = connections.get(entry.pop("connection"))
            if named is None:
                raise ValueError("an enabled connection names an unknown connection")
            entry["connection_id"] = named.id
        if entry.get("connection_id") not in by_id:
            raise ValueError(f"unknown connection {entry.get('connection_id')!r}")
        try:
            org = add_connection(org, entry, by_id)
        except Auth0Error as error:
            raise ValueError(error.message) from None
    for user_id in record.get("members") or ():
        if not isinstance(user_id, str) or not user_exists(user_id):
            raise ValueError(f"unknown member {user_id!r}")
    org.members = list(dict.fromkeys(record.get("members") or ()))
    org.invitations = [dict(i) for i in record.get("invitations") or () if isinstance(i, dict)]
    member_roles = record.get("member_roles") or {}
    if not isinstance(member_roles, dict):
        raise ValueError("member_roles must map user ids to lists of role ids")
    for user_id, role_ids in member_roles.items():
        if user_id not in org.members:
            raise ValueError(f"member_roles names {user_id!r}, who is not a member")
        if not isinstance(role_ids, list) or not all(isinstance(r, str) for r in role_ids):
            raise ValueError(f"the member roles of {user_id!r} must be a list of role ids")
        for role_id in role_ids:
            if role_exists is not None and not role_exists(role_id):
                raise ValueError(f"unknown role {role_id!r}")
        if role_ids:
            org.member_roles[user_id] = list(dict.fromkeys(role_ids))
    grants = record.get("client_grants") or []
    if not isinstance(grants, list) or not all(isinstance(g, str) for g in grants):
        raise ValueError("client_grants must be a list of client grant ids")
    org.client_grants = list(dict.fromkeys(grants))
    domains = record.get("discovery_domains") or []
    if not isinstance(domains, list) or not all(
        isinstance(d, dict) and isinstance(d.get("id"), str) and isinstance(d.get("domain"), str)
        for d in domains
    ):
        raise ValueError("discovery_domains must be a list of {id, domain, ...} objects")
    org.discovery_domains = [dict(d) for d in domains]
    return org
