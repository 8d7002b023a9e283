"""The example downstream project installs fakeauth0 as the README says and its suite passes:
from an empty Hypothesis database, nothing suppressed, under xdist.

The project gets its own virtual environment, into which pip installs this checkout (built as
a wheel, as from the package index) beside the example's ``test`` extra: ``fakeauth0[hypothesis]``
and the official SDK, auth0-python, which brings aiohttp. Nothing is added by hand, so a
dependency the package forgets to declare fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "tests" / "downstream_example"


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: int) -> str:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def test_downstream_example_installs_and_passes_under_xdist(tmp_path: Path) -> None:
    pytest.importorskip("xdist")
    project = tmp_path / "downstream_example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "HYPOTHESIS", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / ("Scripts" if sys.platform == "win32" else "bin") / "python")
    # Outside the repository, from a copy: the plugin must come from the installed package.
    _run(
        [python, "-m", "pip", "install", "--quiet", f"fakeauth0 @ {ROOT.as_uri()}", ".[test]"],
        cwd=project,
        env=env,
        timeout=600,
    )
    assert not (project / ".hypothesis").exists()
    out = _run(
        [python, "-m", "pytest", "-p", "xdist", "-n", "2", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        timeout=300,
    )
    assert "12 passed" in out, out[-4000:]
