"""Management API handlers for applications and APIs: ``/clients``, ``/resource-servers``,
``/client-grants``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..clients import Client, matches
from ..errors import Auth0Error, Msg
from .management import PER_PAGE_DEFAULT, PER_PAGE_MAX, project
from .routes import Call, management
from .validation import query_error

#: Who sees a client's secret (the spec's ``read:client_keys``; Auth0 always shows it to the
#: creator and on rotation).
CLIENT_KEYS_SCOPES = ("read:client_keys", "update:client_keys", "create:client_keys")


def _checkpoint(call: Call, rows: list[dict[str, Any]], key: str, id_key: str) -> tuple[int, Any]:
    """Checkpoint paging: ``take`` records from the one whose id is ``from``; ``next`` names
    the first record of the next page (CHOICES.md: the token is the record's id)."""
    query = call.query
    take = query.get("take", PER_PAGE_DEFAULT)
    if take < 1 or take > PER_PAGE_MAX:
        raise query_error(f"Value {take} is out of range 1..{PER_PAGE_MAX}", "take")
    start = 0
    if query.get("from"):
        ids = [row.get(id_key) for row in rows]
        start = ids.index(query["from"]) if query["from"] in ids else len(rows)
    window = rows[start : start + take]
    body: dict[str, Any] = {key: window}
    if start + take < len(rows):
        body["next"] = rows[start + take][id_key]
    return 200, body


def _paged(
    call: Call, rows: list[dict[str, Any]], key: str, id_key: str | None = None
) -> tuple[int, Any]:
    """``page``/``per_page``/``include_totals`` as Auth0 pages its lists; ``from``/``take``
    (where the operation has them) page by checkpoint."""
    query = call.query
    checkpoint = "from" in query or "take" in query
    if id_key is not None and checkpoint and not query.get("include_totals", False):
        return _checkpoint(call, rows, key, id_key)
    page = query.get("page", 0)
    per_page = query.get("per_page", PER_PAGE_DEFAULT)
    if page < 0:
        raise query_error(f"Value {page} is less than minimum 0", "page")
    if per_page < 0:
        raise query_error(f"Value {per_page} is less than minimum 0", "per_page")
    if per_page > PER_PAGE_MAX:
        raise query_error(f"Value {per_page} is greater than maximum {PER_PAGE_MAX}", "per_page")
    paged = "page" in query or "per_page" in query
    window = rows[page * per_page : page * per_page + per_page] if paged else rows
    if query.get("include_totals", False):
        return 200, {
            "total": len(rows),
            "start": page * per_page,
            "limit": per_page,
            key: window,
        }
    return 200, window


# -- resource servers -------------------------------------------------------------------------


@management("get_resource-servers")
def list_resource_servers(call: Call) -> tuple[int, Any]:
    servers = call.tenant.list_resource_servers()
    wanted = call.request.args.getlist("identifiers")
    if wanted:
        servers = [s for s in servers if s.identifier in wanted]
    return _paged(call, [s.to_json() for s in servers], "resource_servers")


@management("post_resource-servers")
def create_resource_server(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.create_resource_server(call.body()).to_json()


@management("get_resource-servers_by_id")
def get_resource_server(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_resource_server(call.args["id"]).to_json()


@management("patch_resource-servers_by_id")
def update_resource_server(call: Call) -> tuple[int, Any]:
    """200, as Auth0 answers (go-auth0 recording TestResourceServer_Update; the spec says 201)."""
    server = call.tenant.update_resource_server(call.args["id"], call.body())
    return 200, server.to_json()


@management("delete_resource-servers_by_id")
def delete_resource_server(call: Call) -> tuple[int, Any]:
    call.tenant.delete_resource_server(call.args["id"])
    return 204, None


# -- clients ----------------------------------------------------------------------------------


def _renderer(call: Call, *, secret: bool | None = None) -> Callable[[Client], dict[str, Any]]:
    shown = call.principal.has_any(CLIENT_KEYS_SCOPES) if secret is None else secret
    tenant = call.tenant.domain.split(".", 1)[0]
    return lambda client: client.to_json(tenant=tenant, secret=shown)


@management("get_clients")
def list_clients(call: Call) -> tuple[int, Any]:
    query = call.query
    if query.get("q"):
        raise Auth0Error.invalid_query(Msg.CLIENTS_Q_NOT_MODELLED)
    app_type = query.get("app_type")
    app_types = None if app_type is None else [t.strip() for t in app_type.split(",")]
    render = _renderer(call)
    rows = [
        project(render(c), call)
        for c in call.tenant.list_clients()
        if matches(c, app_types, query.get("is_global"), query.get("is_first_party"))
    ]
    return _paged(call, rows, "clients", "client_id")


@management("post_clients")
def create_client(call: Call) -> tuple[int, Any]:
    client = call.tenant.create_client_from(call.body())
    return 201, _renderer(call, secret=True)(client)


@management("get_clients_by_id")
def get_client(call: Call) -> tuple[int, Any]:
    client = call.tenant.get_client(call.args["id"])
    return 200, project(_renderer(call)(client), call)


@management("patch_clients_by_id")
def update_client(call: Call) -> tuple[int, Any]:
    client = call.tenant.update_client(call.args["id"], call.body())
    return 200, _renderer(call)(client)


@management("delete_clients_by_id")
def delete_client(call: Call) -> tuple[int, Any]:
    call.tenant.delete_client(call.args["id"])
    return 204, None


@management("post_rotate-secret")
def rotate_secret(call: Call) -> tuple[int, Any]:
    client = call.tenant.rotate_client_secret(call.args["id"])
    return 200, _renderer(call, secret=True)(client)


# -- client grants ----------------------------------------------------------------------------


@management("get_client-grants")
def list_client_grants(call: Call) -> tuple[int, Any]:
    query = call.query
    grants = call.tenant.list_client_grants()
    for name in ("client_id", "audience"):
        if name in query:
            grants = [g for g in grants if g[name] == query[name]]
    enums = {"subject_type": ("client", "user"), "allow_any_organization": ("true",)}
    for name, allowed in enums.items():
        if name in query and str(query[name]) not in allowed:
            raise query_error(f'No enum match for: "{query[name]}"', name)
    if "subject_type" in query:
        grants = [g for g in grants if g.get("subject_type", "client") == query["subject_type"]]
    if "allow_any_organization" in query:
        wanted = str(query["allow_any_organization"]).lower() == "true"
        grants = [g for g in grants if bool(g.get("allow_any_organization")) == wanted]
    return _paged(call, grants, "client_grants", "id")


@management("post_client-grants")
def create_client_grant(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.create_client_grant(call.body())


@management("patch_client-grants_by_id")
def update_client_grant(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_client_grant(call.args["id"], call.body())


@management("delete_client-grants_by_id")
def delete_client_grant(call: Call) -> tuple[int, Any]:
    call.tenant.delete_client_grant(call.args["id"])
    return 204, None
