"""The dashboard's werkzeug handlers: read a query or a form, call one tenant operation, then
render a page or redirect (POST, then 303, then GET, so a reload never repeats an action).

Every form carries the tenant's CSRF token and is refused when the request comes from another
site (``Origin`` or ``Sec-Fetch-Site``): the dashboard needs no login, so a page elsewhere must
not be able to drive it. Pages send no script and a Content-Security-Policy that allows none.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from ..errors import Auth0Error, Msg, OAuthError
from ..http.routes import Answer, Call, dashboard
from ..http.target import REGISTRY_KEY, TENANT_PREFIX
from . import BASE, extensibility, views

if TYPE_CHECKING:
    from jinja2 import Environment

    from ..registry import TenantRegistry
    from ..tenant import Tenant


@functools.cache
def _templates() -> Environment:
    """The pages' Jinja2 environment, made on the first page shown (the route table is built
    without importing Jinja2)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("fakeauth0.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


HEADERS = {
    # No script at all; inline styles only; forms post back here; never framed (clickjacking).
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FORBIDDEN = (
    "This form was refused: it did not come from this dashboard page (a cross-site request, "
    "or a page older than the tenant). Reload the page and try again."
)

_tokens: weakref.WeakKeyDictionary[Tenant, str] = weakref.WeakKeyDictionary()
_tokens_lock = threading.Lock()


#: The CSRF purpose of the dashboard's own forms.
PAGES = "pages"
#: The CSRF purpose of the sign-in form, shown before sign-in: its token opens nothing else.
SIGNIN = "signin"


def csrf_token(tenant: Tenant, purpose: str = PAGES) -> str:
    """The tenant's CSRF token for one purpose: derived from a secret made on first use, one
    per tenant object, so the sign-in page's token is no good on any other form."""
    with _tokens_lock:
        secret = _tokens.get(tenant)
        if secret is None:
            secret = _tokens[tenant] = secrets.token_urlsafe(32)
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def cross_site(tenant: Tenant, request: Request, purpose: str = PAGES) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return True  # also "null" (a sandboxed frame, a data: URL)
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    sent = request.form.get("csrf_token", "")
    return not hmac.compare_digest(sent.encode(), csrf_token(tenant, purpose).encode())


class Page:
    """What every page needs: the tenant, URLs relative to where the request came in."""

    def __init__(self, tenant: Tenant, request: Request) -> None:
        self.tenant = tenant
        self.request = request
        self.base = request.script_root + BASE
        self.registry: TenantRegistry | None = request.environ.get(REGISTRY_KEY)

    def server_root(self) -> str:
        """The server's root, without a ``/_tenants/<domain>`` prefix this request came by."""
        root = self.request.script_root
        suffix = TENANT_PREFIX + self.tenant.domain
        return root[: -len(suffix)] if root.endswith(suffix) else root

    def user_url(self, user_id: str, notice: str | None = None) -> str:
        query = {"id": user_id} if notice is None else {"id": user_id, "notice": notice}
        return f"{self.base}/user?{urlencode(query, quote_via=quote)}"

    def render(
        self,
        template: str,
        status: int = 200,
        error: Auth0Error | OAuthError | str | None = None,
        csrf_purpose: str = PAGES,
        **context: Any,
    ) -> Response:
        if isinstance(error, Auth0Error):
            status, error = error.status, error.message
        elif isinstance(error, OAuthError):
            status, error = error.status, error.description
        notice = views.NOTICES.get(self.request.args.get("notice", ""))
        html = (
            _templates()
            .get_template(template)
            .render(
                base=self.base,
                domain=self.tenant.domain,
                tenants=views.tenant_links(self.registry, self.tenant),
                csrf_token=csrf_token(self.tenant, csrf_purpose),
                notice=notice if error is None else None,
                error=error,
                **context,
            )
        )
        response = Response(html, status=status, mimetype="text/html")
        response.headers.update(HEADERS)
        return response

    def redirect(self, location: str) -> Response:
        response = Response(status=303, headers={"Location": location})
        response.headers.update(HEADERS)
        return response

    def forbidden(self) -> Response:
        return self.render("message.html", 403, title="Request refused", message=FORBIDDEN)


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


# -- pages -----------------------------------------------------------------------------------


@dashboard(BASE, "GET", endpoint="fake_dashboard_users")
def users(call: Call) -> Answer:
    """The users list: primaries only, searched with the v3 syntax, paged (``page`` from 1)."""
    return _users_page(Page(call.tenant, call.request))


@dashboard(BASE + "/user", "GET", endpoint="fake_dashboard_user")
def user(call: Call) -> Answer:
    """One user: root profile, identities (with ``profileData``), metadata, logins, dates."""
    return _user_page(Page(call.tenant, call.request), call.request.args.get("id", ""))


@dashboard(BASE + "/outbox", "GET", endpoint="fake_dashboard_outbox")
def outbox(call: Call) -> Answer:
    """The e-mails and texts the tenant would have sent, newest first, with their links."""
    page = Page(call.tenant, call.request)
    to = call.request.args.get("to", "").strip()
    return page.render("outbox.html", messages=views.outbox_rows(call.tenant, to), to=to)


@dashboard(BASE + "/roles", "GET", endpoint="fake_dashboard_roles")
def roles(call: Call) -> Answer:
    """Every role, with how many permissions it grants and how many users hold it."""
    page = Page(call.tenant, call.request)
    return page.render("roles.html", roles=views.role_rows(call.tenant))


@dashboard(BASE + "/organizations", "GET", endpoint="fake_dashboard_organizations")
def organizations(call: Call) -> Answer:
    """Every organization, with its member count and enabled connections."""
    page = Page(call.tenant, call.request)
    return page.render("organizations.html", organizations=views.organization_rows(call.tenant))


@dashboard(BASE + "/actions", "GET", endpoint="fake_dashboard_actions")
def actions(call: Call) -> Answer:
    """Each trigger's bound actions in the order they run (code, runtime, dependencies,
    secret names), the actions in no flow, and a legacy tenant's rules."""
    page = Page(call.tenant, call.request)
    return page.render("actions.html", view=extensibility.actions_page(call.tenant))


@dashboard(BASE + "/executions", "GET", endpoint="fake_dashboard_executions")
def executions(call: Call) -> Answer:
    """The latest runs of the Actions and Rules, newest first (``user_id``: one user's), with
    what each wrote and asked; secrets and tokens masked."""
    page = Page(call.tenant, call.request)
    user_id = call.request.args.get("user_id", "").strip()
    return page.render(
        "executions.html",
        view=extensibility.executions_page(call.tenant, user_id),
        limit=extensibility.MAX_EXECUTIONS,
    )


@dashboard(BASE + "/switch", "GET", endpoint="fake_dashboard_switch")
def switch(call: Call) -> Answer:
    """Go to another tenant's dashboard, reached by the ``/_tenants/<domain>`` prefix."""
    page = Page(call.tenant, call.request)
    domain = call.request.args.get("tenant", "")
    if page.registry is None or domain not in page.registry:
        return page.render(
            "message.html", 404, title="Unknown tenant", message=f"No tenant {domain!r} here."
        )
    return page.redirect(f"{page.server_root()}{TENANT_PREFIX}{quote(domain, safe=':')}{BASE}")


@dashboard(BASE + "/signin", "GET", "POST", endpoint="fake_dashboard_signin")
def signin(call: Call) -> Answer:
    """Without a control token there is nothing to sign in to, and no such page. (With one,
    ``access.py`` answers before any handler runs.)"""
    raise Auth0Error(404, Msg.NOT_FOUND_ROUTE)


def _users_page(
    page: Page,
    error: Auth0Error | OAuthError | None = None,
    drafts: dict[str, str] | None = None,
) -> Response:
    tenant, args = page.tenant, page.request.args
    q = args.get("q", "")
    per_page = _int(args.get("per_page"), views.DEFAULT_PER_PAGE)
    if per_page not in views.PER_PAGE_CHOICES:
        per_page = views.DEFAULT_PER_PAGE
    number = max(_int(args.get("page"), 1), 1) - 1
    try:
        listing = views.list_users(tenant, q, number, per_page)
    except Auth0Error as refused:  # a query the search engine refuses: say why, list nothing
        listing = views.Listing([], 0, q, 0, per_page)
        error = error or refused
    return page.render(
        "users.html",
        error=error,
        listing=listing,
        per_page_choices=views.PER_PAGE_CHOICES,
        database_connections=views.database_connections(tenant),
        connections=views.connection_names(tenant),
        drafts=drafts or {},
    )


def _user_page(
    page: Page,
    user_id: str,
    error: Auth0Error | OAuthError | None = None,
    drafts: dict[str, str] | None = None,
) -> Response:
    try:
        detail = views.user_detail(page.tenant, user_id)
        access = views.access_detail(page.tenant, user_id)
    except Auth0Error as missing:
        return page.render(
            "message.html",
            missing.status,
            title="User not found",
            message=f"No user {user_id!r} in this tenant (it may have been linked or deleted).",
        )
    return page.render(
        "user.html",
        error=error,
        user=detail,
        access=access,
        connections=views.connection_names(page.tenant),
        drafts=drafts or {},
    )


# -- forms -----------------------------------------------------------------------------------

FormAction = Callable[[Page, MultiDict[str, str]], Response]


def form(rule: str, endpoint: str) -> Callable[[FormAction], FormAction]:
    """A dashboard form: refused when it comes from another site (or a stale page); otherwise
    ``action(page, form)`` does one tenant operation and redirects (POST, 303, GET), or shows
    the page again with the error."""

    def register(action: FormAction) -> FormAction:
        def handler(call: Call) -> Answer:
            page = Page(call.tenant, call.request)
            if cross_site(call.tenant, call.request):
                return page.forbidden()
            return action(page, call.request.form)

        handler.__doc__ = action.__doc__
        dashboard(rule, "POST", endpoint=endpoint)(handler)
        return action

    return register


@form(BASE + "/users", endpoint="fake_dashboard_create_user")
def create_user(page: Page, fields_in: MultiDict[str, str]) -> Response:
    """Create a database user, as ``POST /api/v2/users`` does."""
    names = ("connection", "email", "username", "password")
    fields = {name: fields_in[name] for name in names if fields_in.get(name)}
    try:
        created = page.tenant.create_user({"connection": "", **fields})
    except Auth0Error as error:
        drafts = {k: v for k, v in fields.items() if k != "password"}
        return _users_page(page, error=error, drafts=drafts)
    return page.redirect(page.user_url(created.user_id, "created"))


@form(BASE + "/link", endpoint="fake_dashboard_link")
def link(page: Page, fields: MultiDict[str, str]) -> Response:
    """Link another account into this user (``Tenant.link``): it leaves the list and becomes
    one of this user's identities."""
    primary_id = fields.get("user_id", "")
    try:
        views.link(page.tenant, primary_id, fields.get("secondary_id", ""))
    except Auth0Error as error:
        return _user_page(page, primary_id, error=error)
    return page.redirect(page.user_url(primary_id, "linked"))


@form(BASE + "/unlink", endpoint="fake_dashboard_unlink")
def unlink(page: Page, fields: MultiDict[str, str]) -> Response:
    """Unlink a secondary identity (``Tenant.unlink``): it is a user of its own again."""
    primary_id = fields.get("user_id", "")
    try:
        page.tenant.unlink(
            primary_id, fields.get("provider", ""), fields.get("identity_user_id", "")
        )
    except Auth0Error as error:
        return _user_page(page, primary_id, error=error)
    return page.redirect(page.user_url(primary_id, "unlinked"))


@form(BASE + "/metadata", endpoint="fake_dashboard_metadata")
def metadata(page: Page, fields: MultiDict[str, str]) -> Response:
    """Replace ``user_metadata`` and ``app_metadata`` with the edited JSON."""
    user_id = fields.get("user_id", "")
    texts = {prop: fields.get(prop, "") for prop in ("user_metadata", "app_metadata")}
    try:
        views.save_metadata(page.tenant, user_id, texts["user_metadata"], texts["app_metadata"])
    except Auth0Error as error:
        return _user_page(page, user_id, error=error, drafts=texts)
    return page.redirect(page.user_url(user_id, "metadata"))


@form(BASE + "/login", endpoint="fake_dashboard_login")
def login(page: Page, fields: MultiDict[str, str]) -> Response:
    """Simulate a successful login (``Tenant.login``); the page shows the user, never tokens."""
    try:
        result = page.tenant.login(
            fields.get("connection", ""),
            email=fields.get("email") or None,
            user_id=fields.get("login_user_id") or None,
            password=fields.get("password") or None,
        )
    except (Auth0Error, OAuthError) as error:
        if fields.get("from_user"):
            return _user_page(page, fields["from_user"], error=error)
        drafts = {k: fields.get(k, "") for k in ("connection", "email", "login_user_id")}
        return _users_page(page, error=error, drafts=drafts)
    return page.redirect(page.user_url(result.user.user_id, "login"))


def _user_action(page: Page, user_id: str, notice: str, action: Callable[[], object]) -> Response:
    """One operation on the user: back to the user's page with ``notice``, or the page again
    with the domain's error."""
    try:
        action()
    except Auth0Error as error:
        return _user_page(page, user_id, error=error)
    return page.redirect(page.user_url(user_id, notice))


@form(BASE + "/roles/assign", endpoint="fake_dashboard_assign_role")
def assign_role(page: Page, fields: MultiDict[str, str]) -> Response:
    """Assign a role to the user, as ``POST /users/{id}/roles``."""
    user_id, role_id = fields.get("user_id", ""), fields.get("role_id", "")
    return _user_action(
        page, user_id, "role-assigned", lambda: page.tenant.assign_roles(user_id, [role_id])
    )


@form(BASE + "/roles/remove", endpoint="fake_dashboard_remove_role")
def remove_role(page: Page, fields: MultiDict[str, str]) -> Response:
    """Take a role from the user, as ``DELETE /users/{id}/roles``."""
    user_id, role_id = fields.get("user_id", ""), fields.get("role_id", "")
    return _user_action(
        page, user_id, "role-removed", lambda: page.tenant.remove_roles(user_id, [role_id])
    )


@form(BASE + "/organizations/add", endpoint="fake_dashboard_add_member")
def add_member(page: Page, fields: MultiDict[str, str]) -> Response:
    """Make the user a member, as ``POST /organizations/{id}/members``."""
    user_id, org_id = fields.get("user_id", ""), fields.get("org_id", "")
    return _user_action(
        page,
        user_id,
        "org-added",
        lambda: page.tenant.add_organization_members(org_id, [user_id]),
    )


@form(BASE + "/organizations/remove", endpoint="fake_dashboard_remove_member")
def remove_member(page: Page, fields: MultiDict[str, str]) -> Response:
    """End the user's membership, as ``DELETE /organizations/{id}/members``."""
    user_id, org_id = fields.get("user_id", ""), fields.get("org_id", "")
    return _user_action(
        page,
        user_id,
        "org-removed",
        lambda: page.tenant.remove_organization_members(org_id, [user_id]),
    )


@form(BASE + "/unblock", endpoint="fake_dashboard_unblock")
def unblock(page: Page, fields: MultiDict[str, str]) -> Response:
    """Lift the user's brute-force blocks, as ``DELETE /user-blocks/{id}``."""
    user_id = fields.get("user_id", "")
    return _user_action(page, user_id, "unblocked", lambda: page.tenant.unblock(user_id))


@form(BASE + "/reset", endpoint="fake_dashboard_reset")
def reset(page: Page, fields: MultiDict[str, str]) -> Response:
    """Back to the seed (``Tenant.reset``)."""
    page.tenant.reset()
    return page.redirect(f"{page.base}?notice=reset")


@form(BASE + "/executions/clear", endpoint="fake_dashboard_clear_executions")
def clear_executions(page: Page, fields: MultiDict[str, str]) -> Response:
    """Empty the execution log, as ``DELETE /_fake/executions`` does."""
    extensibility.clear_executions(page.tenant)
    return page.redirect(f"{page.base}/executions?notice=executions-cleared")
