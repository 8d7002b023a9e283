"""The RBAC rows of the benchmark suite run end to end (tiny counts; no figure is checked,
timings are never test assertions): the report has the section, each row and its goals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rbac_rows_run_and_report_their_goals(tmp_path: Path) -> None:
    out, raw = tmp_path / "README.md", tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--only",
            "rbac",
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
    assert "## Role-based access control, in-process" in report
    for row in ("50 roles x 3 permissions", "the same 30 held directly", "login_as(audience=RBAC"):
        assert row in report
    data = json.loads(raw.read_text())
    assert data["rbac"]["distinct permissions"] == 30
    assert data["rbac"]["sources per permission"] == [5]
    assert len(data["rbac"]["rounds"][0]) == 5
    goals = [g["goal"] for g in data["goals"]]
    assert sum("at most 2x its plain path" in g for g in goals) == 2
