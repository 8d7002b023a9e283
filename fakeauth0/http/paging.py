"""One pager for the Management API's lists: offset paging (``page``/``per_page``/
``include_totals``) and checkpoint paging (``from``/``take``), the same way for every family.

How Auth0 answers, and where the fake chooses (CHOICES.md, the "paging:" rows):

- ``take`` asks for checkpoint paging, and then ``page``, ``per_page`` and ``include_totals``
  are ignored: ``GET /organizations?include_totals=true&per_page=50&take=2`` answers
  ``{"organizations": [...], "next": ...}`` (go-auth0
  test/data/recordings/TestOrganizationManager_ListCheckpointPagination.yaml, likewise
  TestRoleManager_UsersCheckpointPagination.yaml); the spec's ``get_connections``: totals are
  "Not returned when using checkpoint pagination".
- ``from`` without ``take`` is no checkpoint request: Auth0 answers the offset page
  (https://github.com/auth0/go-auth0/issues/109); "Take ... Required to use checkpoint
  pagination" (https://auth0.github.io/auth0.net/api/Auth0.ManagementApi.Paging.CheckpointPaginationInfo.html).
- ``next`` is an opaque token naming the last record of the page, and ``from`` starts after it:
  Auth0's tokens are base64 of ``<created>UTC,<id of the page's last record>`` (the recordings
  above). Ours is base64url of the record's id; ``next`` is left out on the last page.
- ``per_page`` at most 100 ("Query validation error: 'Value 1000 is greater than maximum 100'
  on property per_page", https://github.com/auth0/node-auth0/issues/648); ``take`` at most 100
  (the spec's ``get_logs``: "max 100").
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import Auth0Error, Msg
from ..search import RESULT_WINDOW
from .routes import Call
from .validation import query_error, query_parameters

T = TypeVar("T")
Render = Callable[[Sequence[T]], list[Any]]

#: ``per_page`` when a family's spec names no default (clients: "Default value is 50";
#: https://auth0.com/docs/troubleshoot/product-lifecycle/past-migrations/migrate-to-paginated-queries:
#: "a maximum of 50 items").
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 100
#: ``take`` when not given (the spec: "Defaults to 50"), where an operation pages only by
#: checkpoint (``get_connection_clients``).
TAKE_DEFAULT = 50
TAKE_MIN = 1
TAKE_MAX = 100


def _as_is(rows: Sequence[Any]) -> list[Any]:
    return list(rows)


def _bounded(call: Call, name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter (already typed by the spec's query typing) within bounds,
    refused as Auth0's query validation words it, naming the spec's description."""
    value = int(call.query.get(name, default))
    if value >= low and (high is None or value <= high):
        return value
    description = query_parameters(call.route.endpoint).get(name, {}).get("description")
    if value < low:
        raise query_error(f"Value {value} is less than minimum {low}", name, description)
    raise query_error(f"Value {value} is greater than maximum {high}", name, description)


def token(record_id: str) -> str:
    """The ``next`` token naming a record (opaque to callers, as Auth0's)."""
    return base64.urlsafe_b64encode(record_id.encode()).decode().rstrip("=")


def _after(call: Call, ids: list[str]) -> int:
    """Where the page asked for by ``from`` starts: after the record its token names. An empty
    ``from`` is the first page; a token that is not ours, or names no record of the list,
    is refused (CHOICES.md "paging: unknown or malformed from")."""
    checkpoint = call.query.get("from")
    if not checkpoint:
        return 0
    try:
        padded = checkpoint + "=" * (-len(checkpoint) % 4)
        record_id = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, not UTF-8
        record_id = None
    if record_id is None or record_id not in ids or token(record_id) != checkpoint:
        raise query_error(Msg.CONNECTION_BAD_FROM.format(value=checkpoint), "from")
    return ids.index(record_id) + 1


def checkpoint(
    call: Call,
    items: Sequence[T],
    key: str,
    id_of: Callable[[T], str],
    render: Render[T] = _as_is,
) -> tuple[int, dict[str, Any]]:
    """One checkpoint page: ``take`` records after the one ``from`` names, as
    ``{key: [...], "next": token}``; no ``next`` once nothing remains."""
    take = _bounded(call, "take", TAKE_DEFAULT, TAKE_MIN, TAKE_MAX)
    start = _after(call, [id_of(item) for item in items])
    window = items[start : start + take]
    body: dict[str, Any] = {key: render(window)}
    if start + take < len(items):
        body["next"] = token(id_of(window[-1]))
    return 200, body


def offset(
    call: Call,
    items: Sequence[T],
    key: str,
    render: Render[T] = _as_is,
    per_page_default: int = PER_PAGE_DEFAULT,
) -> tuple[int, Any]:
    """One offset page: a bare array, or with ``include_totals=true``
    ``{"total", "start", "limit", key}`` (the families' ``...OffsetPaginatedResponseContent``;
    ``start`` is the offset: CHOICES.md "include_totals start"). A page past the end is empty."""
    page = _bounded(call, "page", 0, 0, None)
    per_page = _bounded(call, "per_page", per_page_default, 0, PER_PAGE_MAX)
    start = page * per_page
    rows = render(items[start : start + per_page])
    if call.query.get("include_totals", False):
        return 200, {"total": len(items), "start": start, "limit": per_page, key: rows}
    return 200, rows


def paged(
    call: Call,
    items: Sequence[T],
    key: str,
    id_of: Callable[[T], str] | None = None,
    render: Render[T] = _as_is,
    per_page_default: int = PER_PAGE_DEFAULT,
) -> tuple[int, Any]:
    """A list operation's answer: checkpoint paging when ``take`` is given and the operation
    has it (``id_of`` names a record's id), else offset paging."""
    if id_of is not None and "take" in call.query:
        return checkpoint(call, items, key, id_of, render)
    return offset(call, items, key, render, per_page_default)


def first_thousand(call: Call) -> None:
    """Offset paging reaches the first 1000 records only: page N is refused once
    ``N * per_page + per_page > 1000`` with 400 ``invalid_paging``; checkpoint paging
    (``take``) goes further (the spec's ``get_organizations``: "Checkpoint pagination must be
    used if you need to retrieve more than 1000 organizations";
    https://community.auth0.com/t/unable-to-paginate-more-than-1000-records-when-getting-user-roles/94111)."""
    if "take" in call.query:
        return
    page = int(call.query.get("page", 0))
    per_page = int(call.query.get("per_page", PER_PAGE_DEFAULT))
    if page >= 0 and per_page >= 0 and page * per_page + per_page > RESULT_WINDOW:
        raise Auth0Error(400, Msg.PAGING_LIMIT, "invalid_paging")
