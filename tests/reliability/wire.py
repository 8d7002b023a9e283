"""A small keep-alive HTTP client for the reliability tests: one connection per thread, JSON in
and out, a timeout on every call (so a hung server fails a test instead of hanging it)."""

from __future__ import annotations

import http.client
import json
import os
from typing import Any
from urllib.parse import quote

from tests.support import DB as DB  # re-exported for the reliability tests

#: Seconds any single request may take before the test calls it a hang.
REQUEST_TIMEOUT = float(os.environ.get("FAKEAUTH0_REQUEST_TIMEOUT", "20"))


def env_int(name: str, default: int) -> int:
    """A size knob: the normal suite's value, or a bigger one on demand (``NAME=...``)."""
    return int(os.environ.get(name, str(default)))


def uid(user_id: str) -> str:
    return quote(user_id, safe="")


class Wire:
    """One persistent HTTP/1.1 connection to a served tenant."""

    def __init__(self, host: str, port: int, token: str | None = None) -> None:
        self.host, self.port = host, port
        self.token = token
        self.conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)

    def close(self) -> None:
        self.conn.close()

    def raw(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send bytes as they are (``chunked``: in 4 KB chunks, with no length); reconnects
        once if the server closed an idle connection."""
        for attempt in (0, 1):
            try:
                if chunked:
                    data = body or b""
                    pieces = iter([data[i : i + 4096] for i in range(0, len(data), 4096)])
                    self.conn.request(
                        method, path, body=pieces, headers=headers or {}, encode_chunked=True
                    )
                else:
                    self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, dict(response.getheaders()), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                if attempt:
                    raise
            except BaseException:
                self.conn.close()  # the next call starts on a fresh connection
                raise
        raise AssertionError("unreachable")

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        status, _headers, raw = self.raw(method, path, data, sent)
        return status, (json.loads(raw) if raw else None)
