"""Answers in Auth0's shapes: JSON bodies, and every error as Auth0's envelope."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

from ..errors import Auth0Error, OAuthError
from . import fast

JSON_TYPE = "application/json; charset=utf-8"

#: ``json.dumps(body, separators=(",", ":"), ensure_ascii=False)`` makes a new encoder on
#: every call; one made once encodes the same bytes.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """``body`` as JSON (no body for 204 or ``None``)."""
    if status == 204 or body is None:
        return Response(status=status, headers=headers)
    data = _encode(body).encode()
    if not headers:
        return fast.body_response(status, data, JSON_TYPE)
    return Response(data, status=status, content_type=JSON_TYPE, headers=headers)


def error_response(error: Auth0Error | OAuthError) -> Response:
    headers = getattr(error, "headers", None)
    return json_response(error.status, error.body(), headers)
