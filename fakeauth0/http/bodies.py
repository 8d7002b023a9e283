"""Reading a request's body within Auth0's limits, for every handler of every plane.

One door for bodies: the limit (1 MB) holds while reading, whatever the framing; a JSON
document must be one every part of the fake can store, search, snapshot and show. Errors are
Auth0's (413, 415, 400 "Invalid request payload JSON format"), never a 500.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request

from ..errors import Auth0Error, Msg
from ..spec import load_spec
from . import validation

#: Auth0 refuses payloads over 1 MB on every endpoint
#: (https://auth0.com/docs/api/management/v2, "Payload limits").
MAX_BODY = 1024 * 1024
#: The deepest nesting of objects and arrays a JSON body may have (the body itself is level 1).
#: Auth0 documents none; every part of the fake (search, snapshots, the state file, the
#: dashboard) handles this depth with room to spare, and deeper bodies are refused at the door
#: (CHOICES.md).
MAX_DEPTH = 32
FORM_TYPE = "application/x-www-form-urlencoded"
#: Where the body's bytes are kept once read (a WSGI environ key): every reader sees them.
BODY_KEY = "fakeauth0.body"
#: Set when a chunked body was found too large (its stream is part-read, so it stays refused).
BODY_REFUSED_KEY = "fakeauth0.body_refused"


class FakeRequest(Request):
    """werkzeug's request with Auth0's limit on what form parsing may read."""

    max_content_length = MAX_BODY
    max_form_memory_size = MAX_BODY


def read_body(request: Request, operation_id: str | None = None) -> Any:
    """A JSON or form body (form values typed as ``operation_id``'s schema expects)."""
    raw = raw_body(request)
    mimetype = request.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype == FORM_TYPE:
        return _typed_form(raw, operation_id)
    if mimetype != "application/json" and not (mimetype == "" and not raw):
        raise Auth0Error(415, Msg.UNSUPPORTED_MEDIA)
    if not raw.strip():
        return {}
    return parse_json(raw)


def parse_json(raw: bytes | str) -> Any:
    """A JSON document every part of the fake can store, search, snapshot and show; anything
    else is Auth0's 400 payload error: not JSON, ``NaN`` or ``Infinity`` (not JSON either,
    though Python's parser takes them), a number too large for a float, a string that is not
    Unicode (a lone surrogate, escaped or raw), or nesting deeper than :data:`MAX_DEPTH`."""
    try:
        # Strict UTF-8: a surrogate encoded as bytes is no UTF-8 (``json.loads`` would take it).
        text = (
            raw.decode("utf-8-sig" if raw[:3] == BOM else "utf-8")
            if isinstance(raw, bytes)
            else raw
        )
        value = _DECODER.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
        raise Auth0Error.bad_request(Msg.BAD_JSON, "invalid_body") from None
    # Nesting needs an opening bracket per level, and a lone surrogate an escape: a body with
    # neither cannot break the rules, and most bodies are spared the walk.
    if (
        text.count("{") + text.count("[") > MAX_DEPTH or "\\ud" in text or "\\uD" in text
    ) and not sound_json(value):
        raise Auth0Error.bad_request(Msg.BAD_JSON, "invalid_body")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity: not JSON


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise ValueError(text)
    return value


BOM = b"\xef\xbb\xbf"
#: One decoder, made once (``json.loads`` with hooks makes a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite)


def sound_json(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests at most ``max_depth`` levels, holds only finite numbers, and
    only strings (keys included) that UTF-8 can encode. Iterative: no depth can overflow it."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            if depth > max_depth:
                return False
            for key, child in item.items():
                if not key.isascii() and not _unicode(key):
                    return False
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > max_depth:
                return False
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            if not item.isascii() and not _unicode(item):
                return False
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def raw_body(request: Request) -> bytes:
    """The body's bytes, read once and kept for later readers.

    A ``Content-Length`` body is read straight from ``wsgi.input`` (werkzeug's stream wrappers
    and header parsing were a quarter of a create); a chunked one no further than the limit;
    anything else through werkzeug, which knows those cases.
    """
    environ = request.environ
    kept: bytes | None = environ.get(BODY_KEY)
    if kept is not None:
        return kept
    if environ.get("wsgi.input_terminated"):  # chunked: read no further than the limit
        if environ.get(BODY_REFUSED_KEY):
            raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
        try:
            raw = _read_bounded(environ["wsgi.input"])
        except Auth0Error:
            environ[BODY_REFUSED_KEY] = True
            raise
    else:
        text = environ.get("CONTENT_LENGTH")
        if text and text.isascii() and text.isdigit():
            length = int(text)
            if length > MAX_BODY:
                raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
            raw = environ["wsgi.input"].read(length) if length else b""
        else:
            raw = request.get_data()
            if len(raw) > MAX_BODY:
                raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
    environ[BODY_KEY] = raw
    return raw


def _read_bounded(stream: Any) -> bytes:
    """A stream's bytes up to :data:`MAX_BODY`; one byte more is Auth0's 413, and the rest is
    left unread."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(65536, MAX_BODY + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise Auth0Error(413, Msg.PAYLOAD_TOO_LARGE)
        chunks.append(chunk)


def _typed_form(raw: bytes, operation_id: str | None) -> dict[str, Any]:
    """Form values are strings; booleans and integers the schema expects are converted. The
    first value of a repeated name counts, as with werkzeug's ``request.form``."""
    schema = validation.body_schema(operation_id) if operation_id else None
    properties = _resolve(schema or {}).get("properties", {})
    body: dict[str, Any] = {}
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        if name in body:
            continue
        kind = _resolve(properties.get(name, {})).get("type")
        if kind == "boolean" and value in ("true", "false"):
            body[name] = value == "true"
        elif kind == "integer" and value.lstrip("-").isascii() and value.lstrip("-").isdigit():
            body[name] = int(value)
        else:
            body[name] = value
    return body


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return load_spec()["components"]["schemas"][ref.rsplit("/", 1)[1]]  # type: ignore[no-any-return]
    return schema
