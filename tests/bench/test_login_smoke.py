"""The login rows of the benchmark suite run end to end for fakeauth0 alone (tiny counts, no
peers: the test venv does not hold them; no figure is checked, timings are never test
assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_login_rows_run_without_the_peers(tmp_path: Path) -> None:
    out, raw = tmp_path / "README.md", tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--only",
            "login",
            "--no-peers",
            "--rounds",
            "1",
            "--loop-s",
            "0.02",
            "--out",
            str(out),
            "--json",
            str(raw),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"FAKEAUTH0_BENCH_TMP": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text()
    assert "## Logins, in-process" in report
    for row in ("login_code_pkce_inproc: fakeauth0", "login_programmatic: fakeauth0"):
        assert row in report
    data = json.loads(raw.read_text())
    rows = data["login"]["rounds"][0]
    assert any(name.startswith("login_code_pkce_inproc: fakeauth0") for name in rows)
    trace = data["login"]["fakeauth0 trace"]
    assert trace[0].startswith("GET /authorize -> 302") and trace[-1].endswith("-> 302")
    assert not any("oidc-provider-mock" in name for name in rows)
