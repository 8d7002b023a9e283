"""Hostile input against the real ``fakeauth0 serve``: every answer is Auth0's refusal, the server
stays up, its memory stays bounded, no request hangs, and nothing secret reaches a log line.

Hypothesis builds the requests (methods, paths with hostile segments and bad percent-escapes,
query strings, search queries made to blow up a parser or a regex, headers, content types,
bodies: random bytes, invalid UTF-8, deeply nested and oversized JSON). Spec-driven fuzzing of
the served operations is in tests/contract/test_schemathesis.py; this file sends what no spec
describes. ``FAKEAUTH0_FUZZ_EXAMPLES`` (default 300) sets the number of requests tried.
"""

from __future__ import annotations

import json
import re
import signal
import socket
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from fakeauth0.http.bodies import MAX_BODY, MAX_DEPTH
from fakeauth0.search.query import MAX_QUERY_DEPTH, MAX_QUERY_TERMS
from tests.reliability.wire import REQUEST_TIMEOUT, Wire, env_int
from tests.server.serving import Served
from tests.support import DB, PASSWORD

EXAMPLES = env_int("FAKEAUTH0_FUZZ_EXAMPLES", 300)
SECRET = "fuzz-client-secret-4f1d2c9a"
#: The server's memory may grow by this much over the whole run (1 MB bodies included).
RSS_GROWTH_LIMIT = 300 * 1024 * 1024
# ``serve`` drains the DEBUG log as it comes (a full pipe would block the server).
pytestmark = pytest.mark.serve(
    "--log-level", "DEBUG", "--client-secret", SECRET, "--id-seed", "fuzz"
)


@pytest.fixture
def wire(served: Served) -> Iterator[Wire]:
    host, port = served.url.rsplit("//", 1)[1].rsplit(":", 1)
    connection = Wire(host, int(port), served.token())
    status, _ = connection.call(
        "POST",
        "/api/v2/users",
        {"connection": DB, "email": "fuzz@example.com", "password": PASSWORD},
    )
    assert status == 201
    yield connection
    connection.close()


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


# -- strategies -------------------------------------------------------------------------------


def _nested_body(depth: int) -> bytes:
    """A create whose body nests ``depth`` levels (around the limit the door enforces)."""
    value: object = "leaf"
    for _ in range(depth - 1):
        value = {"k": value}
    return json.dumps({**(value if isinstance(value, dict) else {}), "connection": DB}).encode()


PATHS = [
    "/api/v2/users",
    "/api/v2/users/{id}",
    "/api/v2/users/{id}/identities",
    "/api/v2/users/{id}/identities/{provider}/{id}",
    "/api/v2/users-by-email",
    "/api/v2/users/{id}/roles",
    "/api/v2/clients",
    "/api/v2/{id}",
    "/oauth/token",
    "/.well-known/jwks.json",
    "/_fake/health",
    "/_fake/clock",
    "/_fake/rate-limits",  # (not /_fake/faults: it injects 5xx answers on purpose)
    "/_fake/calls",
    "/_fake/login",
    "/_fake/snapshot",
    "/_fake/tenants",
    "/_fake/dashboard",
    "/_fake/dashboard/user",
    "/_fake/dashboard/users",
    "/_fake/dashboard/metadata",
    "/_fake/dashboard/signin",
    "/_tenants/{id}/api/v2/users",
    "/{id}",
]
SEGMENTS = st.one_of(
    st.sampled_from(["auth0|fuzz", "auth0%7Cx", "..", "%2e%2e", "%00", "%ff%fe", "%c3%28", "%"]),
    st.text(max_size=40).map(lambda s: quote(s, safe="")),
    st.binary(max_size=40).map(lambda b: quote(b, safe="")),
    st.integers(1, 20_000).map(lambda n: "a" * n),
)
#: Search queries aimed at a naive parser (recursion), a regex (backtracking) or plain size.
HOSTILE_QUERIES = st.one_of(
    st.integers(1, 4000).map(lambda n: "(" * n + "a" + ")" * n),
    st.integers(1, 3000).map(lambda n: "NOT " * n + "a"),
    st.integers(1, 3000).map(lambda n: "email:*aaa" + "*a" * n + "*z"),
    st.integers(1, 3000).map(lambda n: " OR ".join(["a"] * n)),
    st.integers(MAX_QUERY_TERMS - 2, MAX_QUERY_TERMS + 2).map(lambda n: "a " * n),
    st.integers(MAX_QUERY_DEPTH - 2, MAX_QUERY_DEPTH + 2).map(lambda n: "a:(" * n + ")" * n),
    st.sampled_from(
        ['"', "\\", "*", "email:*", "[* TO *]", "/.*/", "a~", '"a b"~3', "_exists_:", "a:{b TO"]
    ),
    st.text(max_size=200),
)
QUERY = st.one_of(
    st.just(""),
    HOSTILE_QUERIES.map(lambda q: "q=" + quote(q, safe="")),
    st.lists(
        st.tuples(
            st.sampled_from(["q", "page", "per_page", "fields", "sort", "email", "x", ""]),
            st.one_of(st.text(max_size=30), st.integers(-(2**70), 2**70).map(str)),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)),
    st.binary(max_size=60).map(lambda b: quote(b, safe="=&")),
)
#: Strings no JSON parser should hand on: lone surrogates, control characters, very long text.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=20),
    st.integers(0xD800, 0xDFFF).map(chr).map(lambda c: "a" + c + "b"),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),
    st.integers(10_000, 300_000).map(lambda n: "y" * n),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
BODY = st.one_of(
    st.none(),
    st.binary(max_size=200),
    JSON.map(lambda v: json.dumps(v).encode()),
    JSON.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2).map(_nested_body),
    st.fixed_dictionaries(
        {"connection": st.just(DB), "email": st.emails(), "password": st.just(PASSWORD)},
        optional={"user_metadata": JSON, "username": st.text(max_size=20), "x": JSON},
    ).map(lambda v: json.dumps(v).encode()),
    st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 50_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.sampled_from([b"\xff\xfe\x00", b'{"email": "\xed\xa0\x80"}', b"1e99999", b"NaN", b"{}"]),
    st.sampled_from([1024 * 1024 + 1, 1024 * 1024 - 50]).map(
        lambda n: b'{"connection":"' + b"x" * (n - 17) + b'"}'
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-8; boundary=\x7f",
        "",
    ]
)
AUTHORIZATION = st.sampled_from(["good", "none", "Bearer ", "Bearer a.b.c", "Basic Og==", "junk"])


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, bytes | None, dict[str, str]]:
    method = draw(st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD"]))
    template = draw(st.sampled_from(PATHS))
    path = re.sub(r"\{\w+\}", lambda _: draw(SEGMENTS), template)
    query = draw(QUERY)
    headers = {"Content-Type": draw(CONTENT_TYPES), "Authorization": draw(AUTHORIZATION)}
    if draw(st.booleans()):
        name = draw(st.sampled_from(["X-Forwarded-For", "Host", "Accept", "Origin", "X-Junk"]))
        headers[name] = draw(
            st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)
        )
    body = draw(BODY) if method not in ("GET", "HEAD") else None
    #: How the body is framed: a length, chunks, or a malformed length (answered 400).
    headers["framing"] = draw(st.sampled_from(["length", "length", "chunked", "bad-length"]))
    return method, path + ("?" + query if query else ""), body, headers


# -- the judge --------------------------------------------------------------------------------


def judge(
    method: str, path: str, status: int, headers: dict[str, str], raw: bytes, sent: bytes = b""
) -> None:
    """Auth0's refusal, never a crash: a 4xx in the right envelope (501 for what we do not
    model, by design), and no secret in any answer outside the control plane (an error that
    names what the request itself sent, as Auth0's validation messages do, leaks nothing)."""
    assert status < 500 or status == 501, (method, path[:200], status, raw[:300])
    bare = path.split("?", 1)[0]
    # A token with read:client_keys (the fuzzer's holds every scope) reads applications with
    # their secrets, as Auth0 shows them (the spec's get_clients, fields client_secret).
    shown = (SECRET,) if bare.startswith("/api/v2/clients") else ()
    leaked = [
        s.encode()
        for s in (SECRET, PASSWORD)
        if s.encode() in raw and s.encode() not in sent and s not in shown
    ]
    if bare.startswith("/_fake/") and "tenant" not in bare:
        pass
    elif leaked:
        raise AssertionError(f"a secret in the answer to {method} {path[:100]}")
    if status < 400 or method == "HEAD":
        return
    if bare.startswith("/_fake/dashboard"):
        return  # HTML pages
    body = json.loads(raw)
    if bare == "/_fake/login" and "error_description" in body:
        return  # a refused simulated login answers as the Authentication API does (OAuth)
    if bare == "/oauth/token" and status not in (404, 405):
        assert set(body) >= {"error", "error_description"}, body  # the OAuth shape
        return
    assert body["statusCode"] == status and body["error"] == HTTPStatus(status).phrase, body
    assert isinstance(body["message"], str) and body["message"], body
    if status == 501:
        assert body["errorCode"] == "not_implemented", body


def test_hostile_requests_get_auth0_refusals_and_leave_the_server_sound(
    served: Served, wire: Wire
) -> None:
    tried = _fuzz(wire)
    _assert_sound(served, wire, tried)


def _fuzz(wire: Wire) -> int:
    """Sends the hostile requests, judging each answer; how many were judged."""
    history: list[tuple[str, str, dict[str, str], int]] = []
    tried = 0

    @given(request=requests())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def hostile(request: tuple[str, str, bytes | None, dict[str, str]]) -> None:
        nonlocal tried
        tried += _hostile(wire, request, history)

    hostile()
    return tried


def _hostile(
    wire: Wire,
    request: tuple[str, str, bytes | None, dict[str, str]],
    history: list[tuple[str, str, dict[str, str], int]],
) -> bool:
    """Sends one hostile request; whether its answer was judged (not refused mid-send)."""
    method, path, body, headers = request
    if headers["Authorization"] == "good":
        headers["Authorization"] = f"Bearer {wire.token}"
    elif headers["Authorization"] == "none":
        del headers["Authorization"]
    if headers["Content-Type"] == "":
        del headers["Content-Type"]
    framing = headers.pop("framing")
    note(f"{method} {path[:300]} {headers} {(body or b'')[:100]!r} ({len(body or b'')} bytes)")
    note(f"framing: {framing}")
    if framing == "bad-length":
        status, raw = _badly_framed(wire, method, path, body, headers)
        # Refused by the server before any endpoint: Auth0's envelope, whatever the path.
        assert status == 400, raw[:300]
        assert method == "HEAD" or json.loads(raw)["statusCode"] == 400, raw[:300]
        return False
    try:
        # times out as a hang guard
        status, got, raw = wire.raw(method, path, body, headers, chunked=framing == "chunked")
    except (BrokenPipeError, ConnectionResetError):
        # Refused before the body is read, the connection closed while the client still sends
        # it: a chunked body over the limit (413), a request line over 64 KiB (414).
        oversized = framing == "chunked" and len(body or b"") > MAX_BODY
        assert oversized or len(path) > 65536 - 20
        wire.close()
        return False
    finally:
        history.append((method, path[:120], headers, len(body or b"")))
        note(f"previous requests: {history[-4:-1]}")
    judge(method, path, status, got, raw, (body or b"") + path.encode())
    return True


def _badly_framed(
    wire: Wire, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, bytes]:
    """The request with a ``Content-Length`` no server may trust, on its own connection."""
    length = ["abc", "\u0661", "1, 1", "-1", " "][len(body or b"") % 5]
    lines = [f"{method} {path} HTTP/1.1", f"Host: {wire.host}:{wire.port}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if "\r" not in v and "\n" not in v]
    lines.append(f"Content-Length: {length}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    with socket.create_connection((wire.host, wire.port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(head + (body or b"")[:1000])
        received = b""
        while b"\r\n\r\n" not in received or not _whole(received):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    head_part, _, payload = received.partition(b"\r\n\r\n")
    return int(head_part.split(b" ", 2)[1]), payload


def _whole(received: bytes) -> bool:
    head, _, payload = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(payload) >= int(value)
    return False


@pytest.mark.parametrize(
    "body",
    [{"advance": 1e308}, {"advance": -1e12}, {"advance": 1e18}, {"freeze": True, "at": 1e300}],
    ids=repr,
)
def test_the_clock_refuses_moments_it_cannot_show(wire: Wire, body: dict) -> None:
    """Found by this fuzzing: an out-of-range clock answered 500 and broke later requests."""
    status, answer = wire.call("POST", "/_fake/clock", body)
    assert status == 400 and "1970-01-01 and 9999-12-31" in answer["message"], answer
    status, users = wire.call("GET", "/api/v2/users")
    assert status == 200, users


def _assert_sound(server: Served, wire: Wire, tried: int) -> None:
    """After the fuzzing: up, answering, small, and its DEBUG log holds neither the client
    secret, nor a password, nor a traceback."""
    start_rss = _rss(server.proc.pid)
    for _ in range(3):  # a few more of the largest bodies: memory must not keep growing
        status, _, _ = wire.raw(
            "POST",
            "/api/v2/users",
            b"[" * 200_000 + b"]" * 200_000,
            {"Content-Type": "application/json", "Authorization": f"Bearer {wire.token}"},
        )
        assert status == 400
    status, body = wire.call("GET", "/_fake/health")
    assert status == 200 and body["status"] == "ok"
    # Whatever the fuzzing stored, every read still answers valid JSON (``call`` parses it).
    status, users = wire.call("GET", "/api/v2/users?per_page=100")
    assert status == 200 and isinstance(users, list)
    for user in users:
        status, _ = wire.call("GET", f"/api/v2/users/{quote(user['user_id'], safe='')}")
        assert status == 200
    for path in (
        "/api/v2/users?q=" + quote("_exists_:user_metadata"),
        "/api/v2/users?q=" + quote('email:"fuzz@example.com"'),
        "/_fake/snapshot",
        "/_fake/calls",
        "/_fake/tenants",
    ):
        status, _ = wire.call("GET", path)
        assert status == 200, path
    assert wire.raw("GET", "/_fake/dashboard")[0] == 200
    assert server.proc.poll() is None
    assert _rss(server.proc.pid) - start_rss < RSS_GROWTH_LIMIT
    assert _rss(server.proc.pid) < 2 * RSS_GROWTH_LIMIT
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=15)
    log = server.stderr_text
    assert log, "the DEBUG log is empty: nothing was scanned"
    for secret in (SECRET, PASSWORD, wire.token or ""):
        assert secret not in log
    assert "Traceback" not in log
    print(f"\nfuzz: {tried} hostile requests, 0 5xx, server up, log clean")
