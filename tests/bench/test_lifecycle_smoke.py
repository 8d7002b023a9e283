"""The lifecycle benchmark runs end to end at tiny sizes (no figure is checked: timings are
never test assertions), and its import files respect Auth0's 500 KB cap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import lifecycle_bench  # noqa: E402


def test_import_files_stay_under_auth0_s_cap_and_hold_every_user() -> None:
    files = lifecycle_bench.import_files(3000)
    assert len(files) > 1 and all(len(f) < lifecycle_bench.FILE_CAP for f in files)
    assert sum(len(json.loads(f)) for f in files) == 3000


def test_the_lifecycle_bench_reports_imports_and_exports() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "lifecycle_bench.py"),
            "--import-users",
            "50",
            "--export-users",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"users": 50' in result.stdout and '"csv"' in result.stdout
