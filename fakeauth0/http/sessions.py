"""Management API handlers for SSO sessions and refresh tokens: ``/sessions``,
``/refresh-tokens`` and a user's lists of both. The records live in :mod:`fakeauth0.sessions`;
their shapes in :mod:`fakeauth0.session_views`.

A user's lists page by checkpoint only (``from``/``take``) and always answer
``{"sessions"|"tokens": [...], "next"?}``, the spec's only 200 body for them; ``include_totals``
changes nothing (CHOICES.md "sessions API: include_totals").
"""

from __future__ import annotations

from typing import Any

from . import paging
from .routes import Call, management


def _id(row: dict[str, Any]) -> str:
    return str(row["id"])


# -- sessions -------------------------------------------------------------------------------


@management("get_session")
def get_session(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_session(call.args["id"])


@management("delete_session")
def delete_session(call: Call) -> tuple[int, Any]:
    call.tenant.delete_session(call.args["id"])
    return 202, None


@management("revoke_session")
def revoke_session(call: Call) -> tuple[int, Any]:
    call.tenant.revoke_session(call.args["id"])
    return 202, None


@management("get_sessions_for_user")
def user_sessions(call: Call) -> tuple[int, Any]:
    rows = call.tenant.user_sessions(call.args["user_id"])
    return paging.checkpoint(call, rows, "sessions", _id)


@management("delete_sessions_for_user")
def delete_user_sessions(call: Call) -> tuple[int, Any]:
    call.tenant.delete_user_sessions(call.args["user_id"])
    return 202, None


# -- refresh tokens ---------------------------------------------------------------------------


@management("get_refresh_token")
def get_refresh_token(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_refresh_token(call.args["id"])


@management("delete_refresh_token")
def delete_refresh_token(call: Call) -> tuple[int, Any]:
    call.tenant.delete_refresh_token(call.args["id"])
    return 202, None


@management("get_refresh_tokens_for_user")
def user_refresh_tokens(call: Call) -> tuple[int, Any]:
    rows = call.tenant.user_refresh_tokens(call.args["user_id"])
    return paging.checkpoint(call, rows, "tokens", _id)


@management("delete_refresh_tokens_for_user")
def delete_user_refresh_tokens(call: Call) -> tuple[int, Any]:
    call.tenant.delete_user_refresh_tokens(call.args["user_id"])
    return 202, None
