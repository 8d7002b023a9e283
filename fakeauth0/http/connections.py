"""Management API v2 handlers of the connections family: ``/api/v2/connections...``."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from ..connections import Connection
from ..errors import Auth0Error, Msg
from ..spec import load_spec
from . import paging
from .management import project
from .routes import Call, management
from .validation import query_error

#: ``per_page`` when not given: the spec's get_connections says "Defaults to 100 if not provided".
PER_PAGE_DEFAULT = 100
#: Shown whatever ``fields`` asks for: a real ``GET /connections?fields=id`` answers
#: ``{"id", "is_domain_connection"}`` (go-auth0
#: test/data/recordings/TestConnectionManager_List.yaml).
ALWAYS_SHOWN = ("id", "is_domain_connection")


def _strategies(call: Call) -> set[str] | None:
    """The ``strategy`` filter: repeated (``strategy=a&strategy=b``), each one of the spec's
    ``ConnectionStrategyEnum``."""
    wanted = call.request.args.getlist("strategy")
    if not wanted:
        return None
    allowed = load_spec()["components"]["schemas"]["ConnectionStrategyEnum"]["enum"]
    for strategy in wanted:
        if strategy not in allowed:
            raise query_error(f'No enum match for: "{strategy}"', "strategy")
    return set(wanted)


@management("get_connections")
def list_connections(call: Call) -> tuple[int, Any]:
    query = call.query
    strategies = _strategies(call)
    name = query.get("name")
    found = [
        c
        for c in call.tenant.list_connections()
        if (strategies is None or c.strategy in strategies) and (name is None or c.name == name)
    ]
    render = partial(_render_all, call=call)
    return paging.paged(call, found, "connections", _id, render, PER_PAGE_DEFAULT)


def _id(connection: Connection) -> str:
    return connection.id


def _render_all(connections: Sequence[Connection], call: Call) -> list[dict[str, Any]]:
    return [project(c.to_json(listed=True), call, ALWAYS_SHOWN) for c in connections]


@management("post_connections")
def create_connection(call: Call) -> tuple[int, Any]:
    return 201, call.tenant.create_connection_from(call.body()).to_json()


@management("get_connections_by_id")
def get_connection(call: Call) -> tuple[int, Any]:
    connection = call.tenant.connection_by_id(call.args["id"])
    return 200, project(connection.to_json(), call, ALWAYS_SHOWN)


@management("patch_connections_by_id")
def update_connection(call: Call) -> tuple[int, Any]:
    body = call.body()
    return 200, call.tenant.update_connection(call.args["id"], body).to_json()


@management("delete_connections_by_id")
def delete_connection(call: Call) -> tuple[int, Any]:
    """202 with ``deleted_at``: Auth0 deletes a connection in the background (go-auth0
    test/data/recordings/TestConnectionManager_Create/It_can_successfully_create_a_Auth0_Connection.yaml);
    here it is gone at once. 204 when there is no such connection (the spec: "The connection
    no longer exists")."""
    if not call.tenant.delete_connection(call.args["id"]):
        return 204, None
    return 202, {"deleted_at": call.tenant.clock.iso()}


@management("get_status")
def connection_status(call: Call) -> tuple[int, Any]:
    """200 with no body: the connection is online (the SDK's ``check_status`` reads no body)."""
    call.tenant.connection_by_id(call.args["id"])
    return 200, None


@management("delete_users_by_email")
def delete_user_by_email(call: Call) -> tuple[int, Any]:
    call.tenant.delete_connection_user(call.args["id"], call.query["email"])
    return 204, None


@management("get_connection_clients")
def connection_clients(call: Call) -> tuple[int, Any]:
    connection = call.tenant.connection_by_id(call.args["id"])
    return paging.checkpoint(call, connection.enabled_clients, "clients", str, _client_rows)


def _client_rows(client_ids: Sequence[str]) -> list[dict[str, str]]:
    return [{"client_id": c} for c in client_ids]


@management("get_connections-directory-provisionings")
def list_directory_provisionings(call: Call) -> tuple[int, Any]:
    """Inbound directory provisioning is not modelled: no connection has a configuration
    (CHOICES.md "directory provisioning"), so the list is empty, paged as Auth0 pages it."""
    return paging.checkpoint(call, [], "directory_provisionings", str)


@management("patch_clients")
def update_connection_clients(call: Call) -> tuple[int, Any]:
    body = call.body()
    if not isinstance(body, list):  # the spec's schema is an array: call.body() checked it
        raise Auth0Error.invalid_body(Msg.BAD_JSON)
    call.tenant.set_connection_clients(call.args["id"], body)
    return 204, None
