"""Management API v2 handlers of the connections family: ``/api/v2/connections...``."""

from __future__ import annotations

from typing import Any

from ..connections import Connection
from ..errors import Auth0Error, Msg
from ..spec import load_spec
from .management import project
from .routes import Call, management
from .validation import query_error

#: ``per_page`` when not given (the spec's get_connections parameter), and the most we serve.
PER_PAGE_DEFAULT = 100
PER_PAGE_MAX = 100
#: ``take`` when not given (the spec's get_connections and get_connection_clients parameter).
TAKE_DEFAULT = 50
TAKE_MAX = 100
#: Shown whatever ``fields`` asks for: a real ``GET /connections?fields=id`` answers
#: ``{"id", "is_domain_connection"}`` (go-auth0
#: test/data/recordings/TestConnectionManager_List.yaml).
ALWAYS_SHOWN = ("id", "is_domain_connection")


def _bounded(call: Call, name: str, default: int, high: int, description: str | None) -> int:
    value = call.query.get(name, default)
    if value < 0:
        raise query_error(f"Value {value} is less than minimum 0", name, description)
    if value > high:
        raise query_error(f"Value {value} is greater than maximum {high}", name, description)
    return int(value)


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


def _checkpoint(call: Call, items: list[Any], id_of: Any) -> tuple[list[Any], str | None]:
    """One checkpoint page: from the item whose id is ``from`` (the ``next`` of the page
    before), ``take`` items, and the ``next`` to ask for, if any remain."""
    take = _bounded(call, "take", TAKE_DEFAULT, TAKE_MAX, "Number of results per page.")
    start = 0
    checkpoint = call.query.get("from")
    if checkpoint:
        ids = [id_of(item) for item in items]
        if checkpoint not in ids:
            raise query_error(Msg.CONNECTION_BAD_FROM.format(value=checkpoint), "from")
        start = ids.index(checkpoint)
    page = items[start : start + take]
    rest = items[start + take :]
    return page, (id_of(rest[0]) if rest and take else None)


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
    if "take" in query or "from" in query:
        # Checkpoint paging: never totals (the spec's include_totals description).
        page, after = _checkpoint(call, found, lambda c: c.id)
        body: dict[str, Any] = {"connections": _render_all(page, call)}
        if after is not None:
            body["next"] = after
        return 200, body
    page_index = _bounded(call, "page", 0, 10**9, "The page number. Zero based")
    per_page = _bounded(
        call,
        "per_page",
        PER_PAGE_DEFAULT,
        PER_PAGE_MAX,
        "The amount of entries per page. Defaults to 100 if not provided",
    )
    start = page_index * per_page
    rows = _render_all(found[start : start + per_page], call)
    if query.get("include_totals", False):
        return 200, {"total": len(found), "start": start, "limit": per_page, "connections": rows}
    return 200, rows


def _render_all(connections: list[Connection], call: Call) -> list[dict[str, Any]]:
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
    page, after = _checkpoint(call, connection.enabled_clients, lambda c: c)
    body: dict[str, Any] = {"clients": [{"client_id": c} for c in page]}
    if after is not None:
        body["next"] = after
    return 200, body


@management("patch_clients")
def update_connection_clients(call: Call) -> tuple[int, Any]:
    body = call.body()
    if not isinstance(body, list):  # the spec's schema is an array: call.body() checked it
        raise Auth0Error.invalid_body(Msg.BAD_JSON)
    call.tenant.set_connection_clients(call.args["id"], body)
    return 204, None
