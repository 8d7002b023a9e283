"""Run the real ``fakeauth0 serve`` as a subprocess and read what it prints (for e2e tests)."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLI = Path(sys.executable).with_name("fakeauth0")
START_TIMEOUT = 20.0


@dataclass
class Served:
    """One running ``fakeauth0 serve``: its URL, and each tenant's printed credentials."""

    proc: subprocess.Popen[str]
    url: str = ""
    tenants: dict[str, dict[str, str]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    #: stderr, drained as it comes: a pipe nobody reads fills up and blocks a chatty server.
    errors: list[str] = field(default_factory=list)

    @property
    def stderr_text(self) -> str:
        """All the server wrote on stderr so far (complete once :meth:`stop` returned)."""
        if self.proc.poll() is not None and self._drain is not None:
            self._drain.join(timeout=5)
        return "".join(self.errors)

    _drain: threading.Thread | None = None

    @property
    def default(self) -> dict[str, str]:
        return next(iter(self.tenants.values()))

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """One request with urllib (no keep-alive, no retries); JSON in, JSON out."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                status, got = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        return status, (json.loads(raw) if raw else None), got

    def token(self, domain: str | None = None) -> str:
        creds = self.tenants[domain] if domain else self.default
        status, body, _ = self.call(
            "POST",
            (f"/_tenants/{domain}" if domain else "") + "/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "audience": creds["audience"],
            },
        )
        assert status == 200, body
        return str(body["access_token"])

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def serve(*args: str, port: int = 0, env: dict[str, str] | None = None) -> Served:
    """Start ``fakeauth0 serve --port PORT ARGS...`` and wait for its banner."""
    proc = subprocess.Popen(
        [str(CLI), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    served = Served(proc)
    served._drain = threading.Thread(
        target=lambda: served.errors.extend(proc.stderr or ()), daemon=True
    )
    served._drain.start()
    tenant: dict[str, str] | None = None
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            served.stop(signal.SIGKILL)
            raise AssertionError("fakeauth0 serve printed no banner in time") from None
        if line is None:
            proc.wait(timeout=10)
            raise AssertionError("fakeauth0 serve exited: " + served.stderr_text)
        served.lines.append(line)
        if match := re.search(r"serving at (\S+)", line):
            served.url = match.group(1)
        elif match := re.match(r"  tenant (\S+)", line):
            tenant = served.tenants.setdefault(match.group(1), {})
        elif (
            match := re.match(r"\s+(audience|client_id|client_secret):\s+(\S+)", line)
        ) and tenant is not None:
            tenant[match.group(1)] = match.group(2)
        elif line.startswith("  control plane"):
            return served


def fail_to_start(*args: str, port: int = 0) -> tuple[int, str]:
    """Run a ``serve`` that must refuse to start: its exit code and stderr."""
    proc = subprocess.run(
        [str(CLI), "serve", "--port", str(port), *args],
        capture_output=True,
        text=True,
        timeout=20,
    )
    return proc.returncode, proc.stderr
