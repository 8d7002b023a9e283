"""``/api/v2/logs`` and ``/api/v2/users/{id}/logs``: the tenant logs (``fakeauth0.logs``).

Two ways to page (https://auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api):
by checkpoint, ``from=<log_id>&take=N`` (everything else ignored; events after that id, oldest
first), or by search, ``q``/``sort``/``page``/``per_page``/``include_totals``/``fields``, within
the first 1000 results.
"""

from __future__ import annotations

from typing import Any

from ..errors import Auth0Error, Msg
from ..search import RESULT_WINDOW
from .management import project
from .paging import PER_PAGE_DEFAULT, PER_PAGE_MAX, TAKE_DEFAULT, TAKE_MAX, TAKE_MIN, _bounded
from .responses import json_response
from .routes import Answer, Call, management


@management("get_logs")
def get_logs(call: Call) -> Answer:
    query = call.query
    book = call.tenant.logs
    if "from" in query or "take" in query:
        take = _bounded(call, "take", TAKE_DEFAULT, TAKE_MIN, TAKE_MAX)
        rows = book.after(query.get("from") or "", take)
        headers = None
        if rows:  # where the next checkpoint starts
            url = f"{call.tenant.base_url}/api/v2/logs?from={rows[-1]['log_id']}&take={take}"
            headers = {"Link": f'<{url}>; rel="next"'}
        return json_response(200, rows, headers)
    return _offset_page(call, book.search(query.get("q"), query.get("sort")))


@management("get_logs_by_id")
def get_log(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.logs.get(call.args["id"])


@management("get_logs_by_user")
def get_user_logs(call: Call) -> tuple[int, Any]:
    # A user the tenant does not know has no events: an empty list (the spec lists no 404).
    found = call.tenant.logs.search(None, call.query.get("sort"), user_id=call.args["id"])
    return _offset_page(call, found)


def _offset_page(call: Call, rows: list[dict[str, Any]]) -> tuple[int, Any]:
    """A page of search results: an array, or with ``include_totals`` Auth0's
    ``{start, limit, length, total, logs}``; pages reach no further than the first 1000."""
    page = _bounded(call, "page", 0, 0, None)
    per_page = _bounded(call, "per_page", PER_PAGE_DEFAULT, 0, PER_PAGE_MAX)
    if page * per_page + per_page > RESULT_WINDOW:
        raise Auth0Error(400, Msg.PAGING_LIMIT, "invalid_paging")
    start = page * per_page
    shown = [project(row, call) for row in rows[start : start + per_page]]
    if call.query.get("include_totals", False):
        return 200, {
            "start": start,
            "limit": per_page,
            "length": len(shown),
            "total": len(rows),  # every match, as the users search counts (CHOICES.md)
            "logs": shown,
        }
    return 200, shown
