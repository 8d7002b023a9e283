"""Management API handlers for applications and APIs: ``/clients``, ``/resource-servers``,
``/client-grants``."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ..clients import Client, matches
from ..errors import Auth0Error, Msg
from .management import project
from .paging import paged
from .routes import Call, management
from .validation import query_error

#: Who sees a client's secret (the spec's ``read:client_keys``; Auth0 always shows it to the
#: creator and on rotation).
CLIENT_KEYS_SCOPES = ("read:client_keys", "update:client_keys", "create:client_keys")


# -- resource servers -------------------------------------------------------------------------


@management("get_resource-servers")
def list_resource_servers(call: Call) -> tuple[int, Any]:
    servers = call.tenant.list_resource_servers()
    wanted = call.request.args.getlist("identifiers")
    if wanted:
        servers = [s for s in servers if s.identifier in wanted]
    return paged(call, [s.to_json() for s in servers], "resource_servers")


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
    return paged(call, rows, "clients", itemgetter("client_id"))


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
    return paged(call, grants, "client_grants", itemgetter("id"))


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
