"""The public werkzeug path: with ``FAKEAUTH0_PORTABLE=1`` (as on a werkzeug whose internals
differ), ``fakeauth0.http.fast`` uses werkzeug's public API only, and the fake serves the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTABLE = {**os.environ, "FAKEAUTH0_PORTABLE": "1"}


def test_the_shortcuts_are_off_when_asked() -> None:
    code = "import fakeauth0.http.fast as f; print(f.SHORTCUTS)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=PORTABLE, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_the_fake_serves_the_same_through_the_public_api() -> None:
    """The API, the server (keep-alive, framing, TLS-free HTTP) and the hostile probe's
    regressions, run again with the shortcuts off."""
    suites = [
        "tests/api/test_create_user.py",
        "tests/api/test_errors.py",
        "tests/server/test_server.py",
        "tests/reliability/test_probe_findings.py",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *suites],
        env=PORTABLE,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
