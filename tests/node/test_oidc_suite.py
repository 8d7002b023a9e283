"""openid-client, a certified OpenID Connect relying party, as the judge of the login flows: node's
test runner runs tests/node/oidc.test.mjs (and oidc-logout.test.mjs: discovery, revocation,
RP-initiated logout) against ``fakeauth0 serve --tls`` seeded with a regular
web app (tests/node/relying_party.py). The node packages come from tests/node/package-lock.json
(``make test`` runs ``npm ci`` there first)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.node import relying_party
from tests.server.serving import Served, serve
from tests.support import PASSWORD

HERE = Path(__file__).resolve().parent
#: The callback the suite's authorization requests name; nothing listens there, the suite reads
#: the redirect the fake answers with.
APP = "https://app.example.com"


def node_or_skip() -> str:
    """node with tests/node's packages installed; without them the test skips (fails under CI,
    where ``make test`` installs both)."""
    node = shutil.which("node")
    reason = None
    if not node:
        reason = "node (>= 20.19) is needed for the relying-party suites"
    elif not (HERE / "node_modules" / "openid-client").is_dir():
        reason = "run `npm ci` in tests/node (make test does)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the relying-party suites cannot run under CI: {reason}")
        pytest.skip(reason)
    assert node is not None
    return node


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    seed = relying_party.write_seed(tmp_path / "seed.json", APP)
    running = serve("--tls", "--ca-file", str(tmp_path / "ca.pem"), "--seed", seed)
    try:
        yield running
    finally:
        running.stop()


def run_node(served: Served, tmp_path: Path, test_file: str) -> str:
    """Run one node test file against ``served``; its TAP report, once it passed."""
    node = node_or_skip()
    assert served.url.startswith("https://")
    prefix = "FAKEAUTH0_OIDC_"
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(tmp_path / "ca.pem"),
        prefix + "URL": served.url,
        prefix + "DOMAIN": next(iter(served.tenants)),
        prefix + "CLIENT_ID": relying_party.CLIENT_ID,
        prefix + "CLIENT_SECRET": relying_party.CLIENT_SECRET,
        prefix + "CALLBACK": f"{APP}/callback",
        prefix + "EMAIL": relying_party.EMAIL,
        prefix + "PASSWORD": PASSWORD,
        prefix + "USER_ID": relying_party.USER_ID,
    }
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", test_file],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# fail 0" in report, report
    assert "# skipped 0" in report, report
    assert "# todo 0" in report, report
    return report


def test_openid_client_judges_the_login_flows(served: Served, tmp_path: Path) -> None:
    report = run_node(served, tmp_path, "oidc.test.mjs")
    assert "# pass 6" in report, report  # every node test ran


def test_openid_client_reads_discovery_revokes_and_logs_out(served: Served, tmp_path: Path) -> None:
    report = run_node(served, tmp_path, "oidc-logout.test.mjs")
    assert "# pass 3" in report, report  # every node test ran
