"""What the dashboard's pages show, read off a :class:`~fakeauth0.tenant.Tenant` (no HTTP here).

Each function takes the tenant and plain values and returns small frozen records the templates
render, or calls one tenant operation. Nothing secret leaves this module: records carry what
``User.to_json`` serializes (never password hashes) and no client secret or token.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Auth0Error
from ..logs import TYPES as LOG_TYPES
from ..search import RESULT_WINDOW
from ..users import User

if TYPE_CHECKING:
    from ..access import Role
    from ..organizations import Organization
    from ..registry import TenantRegistry
    from ..tenant import Tenant

PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 25
#: How many other users the "link by id" field offers as suggestions.
MAX_SUGGESTIONS = 100


class DashboardMsg:
    """The dashboard's own wording (not Auth0's API messages, which stay in ``errors.py``)."""

    METADATA_NOT_JSON = "{prop} is not valid JSON: {error}"
    METADATA_NOT_OBJECT = "{prop} must be a JSON object, e.g. {{}}"
    USER_ID_SHAPE = "A user id looks like provider|id, e.g. google-oauth2|1234"
    PAGE_OUT_OF_WINDOW = f"Only the first {RESULT_WINDOW} results of a search can be paged through."
    REQUIRED = "{field} is required"


#: Success messages after a form, chosen by a code in the redirect's query string; the page
#: never echoes free text from the URL.
NOTICES = {
    "created": "User created.",
    "linked": "Account linked: it is now an identity of this user.",
    "unlinked": "Identity unlinked: it is a user of its own again, without metadata.",
    "metadata": "Metadata saved.",
    "login": "Login simulated: logins count and last login updated.",
    "reset": "Tenant reset to its seed.",
    "role-assigned": "Role assigned.",
    "role-removed": "Role removed.",
    "org-added": "Added to the organization.",
    "org-removed": "Removed from the organization.",
    "unblocked": "Brute-force blocks lifted: the user can log in again.",
    "executions-cleared": "Execution log cleared.",
}


@dataclass(frozen=True)
class UserRow:
    """One line of the users list."""

    user_id: str
    name: str
    email: str | None
    connection: str
    identities: int
    logins_count: int
    last_login: str | None
    created_at: str


@dataclass(frozen=True)
class Listing:
    """One page of the users list, and what the pager needs."""

    rows: list[UserRow]
    total: int
    q: str
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, RESULT_WINDOW) / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages

    @property
    def first(self) -> int:
        return self.page * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.page * self.per_page + len(self.rows)


@dataclass(frozen=True)
class IdentityView:
    """One entry of the user's ``identities``; ``profile_json`` is its ``profileData``."""

    provider: str
    connection: str
    user_id: str
    is_social: bool
    is_primary: bool
    profile_json: str | None

    @property
    def full_id(self) -> str:
        return f"{self.provider}|{self.user_id}"


@dataclass(frozen=True)
class UserDetail:
    """Everything the user page shows."""

    user_id: str
    title: str
    email: str | None
    connection: str
    created_at: str
    updated_at: str
    last_login: str | None
    last_ip: str | None
    logins_count: int
    profile_json: str
    identities: list[IdentityView]
    user_metadata_json: str
    app_metadata_json: str
    #: Other users with the same e-mail: the accounts Auth0's linking guide suggests linking.
    same_email: list[UserRow]
    #: Other user ids, offered in the "link by id" field.
    suggestions: list[str]
    #: The user's latest events in the tenant logs, newest first.
    events: list[EventRow]


@dataclass(frozen=True)
class EventRow:
    """One event of the user page's logs: when, what (Auth0's type code and name), through
    which application, and what it said."""

    date: str
    type: str
    name: str
    client: str
    description: str


@dataclass(frozen=True)
class RoleRow:
    """One role: on the roles page with its counts, on a user's page as held or offered."""

    id: str
    name: str
    description: str
    permissions: int = 0
    users: int = 0


@dataclass(frozen=True)
class OrganizationRow:
    """One organization: on the organizations page with its counts, on a user's page."""

    id: str
    name: str
    display_name: str
    members: int = 0
    connections: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlockRow:
    """One brute-force block of a user, as ``GET /user-blocks/{id}`` lists it."""

    identifier: str
    ip: str | None
    connection: str


@dataclass(frozen=True)
class AccessDetail:
    """What the user page shows of roles, organizations and blocks, and what its forms offer."""

    roles: list[RoleRow]
    #: Roles the user does not hold, for the "assign" form.
    other_roles: list[RoleRow]
    organizations: list[OrganizationRow]
    #: Organizations the user is not a member of, for the "add" form.
    other_organizations: list[OrganizationRow]
    blocks: list[BlockRow]


@dataclass(frozen=True)
class MessageRow:
    """One message of the outbox, newest first on the page."""

    recipient: str
    template: str
    time: str
    link: str | None
    code: str | None
    user_id: str | None


def outbox_rows(tenant: Tenant, to: str | None = None) -> list[MessageRow]:
    """What the tenant would have sent, newest first (``to``: one recipient's only). The links
    and codes are shown: they are what a tester follows, and the page is behind the dashboard's
    guard, as the control plane's ``/_fake/outbox`` is."""
    with tenant.lock:
        messages = tenant.outbox.matching(to or None)
    return [
        MessageRow(
            recipient=str(m.get("recipient", "")),
            template=str(m.get("template", "")),
            time=str(m.get("time", "")),
            link=_web_link(m.get("link")),
            code=str(m["code"]) if m.get("code") is not None else None,
            user_id=m.get("user_id") if isinstance(m.get("user_id"), str) else None,
        )
        for m in reversed(messages)
    ]


@dataclass(frozen=True)
class TenantLink:
    domain: str
    current: bool


def pretty(value: Any) -> str:
    """JSON as the Dashboard shows it: indented, keys in stored order, non-ASCII kept."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def row(user: User) -> UserRow:
    return UserRow(
        user_id=user.user_id,
        name=display_name(user),
        email=user.email,
        connection=user.primary.connection,
        identities=len(user.identities),
        logins_count=user.logins_count or 0,
        last_login=user.last_login,
        created_at=user.created_at,
    )


def display_name(user: User) -> str:
    profile = user.profile
    for key in ("name", "email", "username", "phone_number", "nickname"):
        value = profile.get(key)
        if isinstance(value, str) and value:
            return value
    return user.user_id


def list_users(tenant: Tenant, q: str, page: int, per_page: int) -> Listing:
    """One page of primaries (linked secondaries are no users of their own, as in Auth0),
    through the tenant's v3 search."""
    if page * per_page >= RESULT_WINDOW:
        raise Auth0Error.invalid_query(DashboardMsg.PAGE_OUT_OF_WINDOW)
    found = tenant.search_users(q.strip() or None, page=page, per_page=per_page)
    return Listing([row(u) for u in found.users], found.total, q, page, per_page)


#: How many of a user's events the user page shows.
MAX_EVENTS = 20


def user_detail(tenant: Tenant, user_id: str) -> UserDetail:
    """The user page: root profile, identities with ``profileData``, metadata, logins, dates,
    and the accounts that could be linked to it. Raises Auth0's 404 for an unknown id."""
    with tenant.lock:
        user = tenant.get_user(user_id)
        others = [u for u in tenant.list_users() if u.user_id != user.user_id]
    body = user.to_json()
    for key in ("identities", "user_metadata", "app_metadata"):
        body.pop(key, None)
    email = (user.email or "").lower()
    same = [u for u in others if email and (u.email or "").lower() == email]
    return UserDetail(
        user_id=user.user_id,
        title=display_name(user),
        email=user.email,
        connection=user.primary.connection,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login=user.last_login,
        last_ip=user.last_ip,
        logins_count=user.logins_count or 0,
        profile_json=pretty(body),
        identities=[
            IdentityView(
                provider=identity.provider,
                connection=identity.connection,
                user_id=str(identity.user_id),
                is_social=identity.is_social,
                is_primary=index == 0,
                profile_json=None
                if identity.profile_data is None
                else pretty(identity.profile_data),
            )
            for index, identity in enumerate(user.identities)
        ],
        user_metadata_json=pretty(user.user_metadata),
        app_metadata_json=pretty(user.app_metadata),
        same_email=[row(u) for u in same],
        suggestions=[u.user_id for u in others[:MAX_SUGGESTIONS]],
        events=[
            EventRow(
                date=e["date"],
                type=e["type"],
                name=LOG_TYPES.get(e["type"], e["type"]),
                client=e["client_name"] or e["client_id"] or "",
                description=e["description"] or "",
            )
            for e in tenant.logs.search(None, None, user_id=user.user_id)[:MAX_EVENTS]
        ],
    )


def _role_row(role: Role, permissions: int = 0, users: int = 0) -> RoleRow:
    return RoleRow(role.id, role.name, role.description or "", permissions, users)


def _org_row(org: Organization, names: dict[str, str] | None = None) -> OrganizationRow:
    connections = tuple(
        (names or {}).get(e.connection_id, e.connection_id) for e in org.enabled_connections
    )
    return OrganizationRow(org.id, org.name, org.display_name or "", len(org.members), connections)


def access_detail(tenant: Tenant, user_id: str) -> AccessDetail:
    """The user's roles (assigned directly), organization memberships and brute-force blocks,
    and the roles and organizations the forms can add. Raises Auth0's 404 for an unknown id."""
    with tenant.lock:
        held = tenant.user_roles(user_id)
        held_ids = {r.id for r in held}
        member_of = tenant.user_organizations(user_id)
        member_ids = {o.id for o in member_of}
        return AccessDetail(
            roles=[_role_row(r) for r in held],
            other_roles=[_role_row(r) for r in tenant.list_roles() if r.id not in held_ids],
            organizations=[_org_row(o) for o in member_of],
            other_organizations=[
                _org_row(o) for o in tenant.list_organizations() if o.id not in member_ids
            ],
            blocks=[
                BlockRow(str(b["identifier"]), b.get("ip"), str(b["connection"]))
                for b in tenant.user_blocks(user_id)
            ],
        )


def role_rows(tenant: Tenant) -> list[RoleRow]:
    """Every role, by name, with how many permissions it grants and users hold it."""
    with tenant.lock:
        counts: dict[str, int] = {}
        for user in tenant.users:
            for role_id in user.roles:
                counts[role_id] = counts.get(role_id, 0) + 1
        return [_role_row(r, len(r.permissions), counts.get(r.id, 0)) for r in tenant.list_roles()]


def organization_rows(tenant: Tenant) -> list[OrganizationRow]:
    """Every organization, in creation order, with its member count and enabled connections."""
    with tenant.lock:
        names = {c.id: c.name for c in tenant.connections.values()}
        return [_org_row(o, names) for o in tenant.list_organizations()]


def split_user_id(user_id: str) -> tuple[str, str]:
    """``google-oauth2|1234`` -> ``("google-oauth2", "1234")``; the provider ends at the first
    ``|`` (enterprise ids such as ``samlp|conn|id`` keep the rest)."""
    provider, bar, bare = user_id.strip().partition("|")
    if not (provider and bar and bare):
        raise Auth0Error.bad_request(DashboardMsg.USER_ID_SHAPE)
    return provider, bare


def link(tenant: Tenant, primary_id: str, secondary_id: str) -> User:
    """Link the user ``secondary_id`` into ``primary_id``, as ``POST /users/{id}/identities``."""
    provider, bare = split_user_id(secondary_id)
    return tenant.link(primary_id, provider, bare)


def parse_metadata(prop: str, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError as error:
        raise Auth0Error.invalid_body(
            DashboardMsg.METADATA_NOT_JSON.format(prop=prop, error=error)
        ) from None
    if not isinstance(value, dict):
        raise Auth0Error.invalid_body(DashboardMsg.METADATA_NOT_OBJECT.format(prop=prop))
    return value


def replacement_patch(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The ``PATCH`` body that turns ``current`` into ``wanted`` under Auth0's first-level merge
    (``null`` deletes a key, ``{}`` clears all): the editor shows the whole object, so a key
    removed there must go."""
    if not wanted:
        return {}
    return {**{key: None for key in current if key not in wanted}, **wanted}


def save_metadata(tenant: Tenant, user_id: str, user_text: str, app_text: str) -> User:
    """Replace both metadata objects with the edited JSON, through ``Tenant.update_user``."""
    user_wanted = parse_metadata("user_metadata", user_text)
    app_wanted = parse_metadata("app_metadata", app_text)
    with tenant.lock:
        user = tenant.get_user(user_id)
        fields: dict[str, Any] = {}
        if user_wanted != user.user_metadata:
            fields["user_metadata"] = replacement_patch(user.user_metadata, user_wanted)
        if app_wanted != user.app_metadata:
            fields["app_metadata"] = replacement_patch(user.app_metadata, app_wanted)
        return tenant.update_user(user_id, fields) if fields else user


def database_connections(tenant: Tenant) -> list[str]:
    return [c.name for c in tenant.connections.values() if c.is_database]


def connection_names(tenant: Tenant) -> list[str]:
    return list(tenant.connections)


def tenant_links(registry: TenantRegistry | None, tenant: Tenant) -> list[TenantLink]:
    """The tenants the server holds, for the switcher; just this one without a registry."""
    domains: Iterable[str] = registry.domains if registry is not None else [tenant.domain]
    return [TenantLink(domain, domain == tenant.domain) for domain in domains]


def _web_link(value: Any) -> str | None:
    """A message's link, when it is a web address the page may point at (never another
    scheme, whatever a test appended)."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None
