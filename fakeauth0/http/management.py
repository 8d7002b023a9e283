"""Management API v2 handlers: read the request, call one tenant operation, render Auth0's JSON."""

from __future__ import annotations

from typing import Any

from ..errors import Auth0Error, Msg
from ..search import RESULT_WINDOW
from ..users import User
from .bodies import raw_body
from .routes import Call, management
from .validation import query_error

PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 100


def project(record: dict[str, Any], call: Call, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """Apply ``fields`` / ``include_fields`` (include is the default) to one record; the
    ``always`` attributes stay whatever ``fields`` includes."""
    fields = call.query.get("fields")
    if not fields:
        return record
    names = {name.strip() for name in fields.split(",") if name.strip()}
    if call.query.get("include_fields", True):
        names.update(always)
        return {k: v for k, v in record.items() if k in names}
    return {k: v for k, v in record.items() if k not in names}


IDP_TOKENS_SCOPE = "read:user_idp_tokens"


def idp_tokens(call: Call) -> bool:
    """Identities show the IdP's tokens only to callers with ``read:user_idp_tokens`` (spec
    ``UserIdentity``; https://auth0.com/docs/authenticate/identity-providers/calling-an-external-idp-api)."""
    return call.principal.has_any((IDP_TOKENS_SCOPE,))


def render(user: User, call: Call) -> dict[str, Any]:
    return user.to_json(copy=False, idp_tokens=idp_tokens(call))


def render_users(users: list[User], call: Call) -> list[dict[str, Any]]:
    shown = idp_tokens(call)
    return [project(user.to_json(copy=False, idp_tokens=shown), call) for user in users]


@management("post_users")
def create_user(call: Call) -> tuple[int, Any]:
    body = call.body()
    tenant = call.tenant
    user = tenant.create_user(body)
    tenant.logs.created_user(
        tenant.clients.get(call.principal.azp or ""),
        tenant.connections.get(user.primary.connection),
        user,
        raw_body(call.request),
    )
    return 201, render(user, call)


@management("get_users_by_id")
def get_user(call: Call) -> tuple[int, Any]:
    user_id = call.args["id"]
    call.require_subject(user_id, ("read:current_user",))
    return 200, project(render(call.tenant.get_user(user_id), call), call)


@management("patch_users_by_id")
def update_user(call: Call) -> tuple[int, Any]:
    user_id = call.args["id"]
    body = call.body()
    principal = call.principal
    if not principal.has_any(("update:users",)):
        # Narrow scopes: app_metadata only, or the caller's own user_metadata only.
        allowed = set()
        if principal.has_any(("update:users_app_metadata",)):
            allowed.add("app_metadata")
        if principal.has_any(("update:current_user_metadata",)):
            if principal.sub != user_id and not allowed:
                raise Auth0Error(403, Msg.SUBJECT_MISMATCH, "insufficient_scope")
            if principal.sub == user_id:
                allowed.add("user_metadata")
        refused = sorted(set(body) - allowed)
        if refused:
            raise Auth0Error(
                403, Msg.FIELDS_NOT_PERMITTED.format(fields=",".join(refused)), "insufficient_scope"
            )
    return 200, render(call.tenant.update_user(user_id, body), call)


@management("delete_users_by_id")
def delete_user(call: Call) -> tuple[int, Any]:
    user_id = call.args["id"]
    call.require_subject(user_id, ("delete:current_user",))
    call.tenant.delete_user(user_id)
    return 204, None


@management("get_users-by-email")
def users_by_email(call: Call) -> tuple[int, Any]:
    return 200, render_users(call.tenant.users_by_email(call.query["email"]), call)


@management("get_users")
def list_users(call: Call) -> tuple[int, Any]:
    query = call.query
    page = query.get("page", 0)
    per_page = query.get("per_page", PER_PAGE_DEFAULT)
    if page < 0:
        raise query_error(
            f"Value {page} is less than minimum 0",
            "page",
            "Page index of the results to return. First page is 0",
        )
    if per_page < 0:
        raise query_error(
            f"Value {per_page} is less than minimum 0",
            "per_page",
            "Number of results per page. Defaults to 50",
        )
    if per_page > PER_PAGE_MAX:
        raise query_error(
            f"Value {per_page} is greater than maximum {PER_PAGE_MAX}",
            "per_page",
            "Number of results per page. Defaults to 50",
        )
    engine = query.get("search_engine", "v3")
    if engine == "v1":
        raise Auth0Error.invalid_query(Msg.SEARCH_ENGINE_V1)
    if engine not in ("v2", "v3"):
        raise query_error(f'No enum match for: "{engine}"', "search_engine")
    if "connection" in query:
        raise Auth0Error.invalid_query(Msg.SEARCH_CONNECTION_PARAM)
    if page * per_page + per_page > RESULT_WINDOW:
        raise Auth0Error(400, Msg.PAGING_LIMIT, "invalid_paging")
    # primary_order=false only allows Auth0 a faster, unordered answer: ours is always ordered.
    found = call.tenant.search_users(
        query.get("q"), engine=engine, sort=query.get("sort"), page=page, per_page=per_page
    )
    rows = render_users(found.users, call)
    if query.get("include_totals", False):
        return 200, {
            "start": found.start,
            "limit": found.limit,
            "length": len(rows),
            "total": found.total,
            "users": rows,
        }
    return 200, rows
