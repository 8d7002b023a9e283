"""Node's official SDK and the classic account-linking rule, run by node's own test runner
against two ``fakeauth0 serve --tls`` processes: a legacy tenant (``--search-engine v2``) and a
tenant created today. The node packages come from tests/node/package-lock.json (``make test``
runs ``npm ci`` there first)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.serving import Served, serve

HERE = Path(__file__).resolve().parent


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, Served]]:
    ca = str(tmp_path / "ca.pem")
    started: dict[str, Served] = {}
    try:
        started["legacy"] = serve("--tls", "--ca-file", ca, "--search-engine", "v2")
        started["today"] = serve("--tls", "--ca-file", ca)
        yield started
    finally:
        for served in started.values():
            served.stop()


def test_node_sdk_and_classic_rule(servers: dict[str, Served], tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node (>= 20) is needed for the node suite"
    assert (HERE / "node_modules" / "auth0").is_dir(), "run `npm ci` in tests/node (make test does)"
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(tmp_path / "ca.pem")}
    for name, served in servers.items():
        assert served.url.startswith("https://")
        (domain, creds), *_ = served.tenants.items()
        prefix = f"FAKEAUTH0_{name.upper()}_"
        env[prefix + "URL"] = served.url
        env[prefix + "DOMAIN"] = domain
        env[prefix + "CLIENT_ID"] = creds["client_id"]
        env[prefix + "CLIENT_SECRET"] = creds["client_secret"]
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", "sdk.test.mjs", "rule.test.mjs"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# fail 0" in report, report
    assert "# pass 15" in report, report  # every node test ran, none skipped
