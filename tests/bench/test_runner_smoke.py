"""The benchmark runner runs end to end (tiny counts; no figure is checked: timings are never
test assertions). Without moto installed, every peer figure reads "peer not installed"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runner_writes_its_report(tmp_path: Path) -> None:
    out, raw = tmp_path / "README.md", tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--sections",
            "setup,inproc,http,memory",
            "--sizes",
            "30,60",
            "--rounds",
            "1",
            "--loop-s",
            "0.02",
            "--http-users",
            "20",
            "--memory-users",
            "200",
            "--out",
            str(out),
            "--json",
            str(raw),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"FAKEAUTH0_BENCH_TMP": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = out.read_text()
    for heading in ("## Goals", "## Per-test setup", "### 30 users", "## HTTP", "## Memory"):
        assert heading in report
    data = json.loads(raw.read_text())
    assert data["goals"]
    assert data["memory"]["fakeauth0"]["users"] == 200
