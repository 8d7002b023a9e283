"""The real CLI: ``fakeauth0 serve --port 0`` as a subprocess, used through what it prints."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from auth0.authentication import GetToken
from auth0.management.client import Auth0

from tests.support import DB, PASSWORD

CLI = Path(sys.executable).with_name("fakeauth0")


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    proc = subprocess.Popen(
        [str(CLI), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(proc, lines), daemon=True).start()
    printed: dict[str, str] = {}
    try:
        while "client_secret" not in printed:
            try:
                line = lines.get(timeout=20)
            except queue.Empty:
                pytest.fail("fakeauth0 serve printed no credentials within 20 s")
            if match := re.search(r" at (http://\S+)", line):
                printed["url"] = match.group(1)
            if match := re.match(r"\s+(audience|client_id|client_secret):\s+(\S+)", line):
                printed[match.group(1)] = match.group(2)
        yield proc, printed
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_cli_serves_a_tenant_the_sdk_can_use(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    proc, printed = served
    url = printed["url"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)  # loopback by default
    host = url.removeprefix("http://")
    assert printed["audience"] == f"https://{host}/api/v2/"
    token = GetToken(host, printed["client_id"], printed["client_secret"], protocol="http")
    access = token.client_credentials(audience=printed["audience"])["access_token"]
    sdk = Auth0(base_url=url + "/api/v2", token=access)
    user = sdk.users.create(connection=DB, email="cli@example.com", password=PASSWORD)
    assert sdk.users.get(user.user_id).email == "cli@example.com"

    proc.terminate()  # SIGTERM stops it cleanly
    assert proc.wait(timeout=10) == 0
