"""Browser fixtures: Debian's Chromium driven by Playwright, a running server, screenshots.

Playwright's own browser download cannot reach its host from these machines, so the tests use
``/usr/bin/chromium`` (installed by ``scripts/ensure_chromium.sh``, which ``make test`` runs).
Without it the browser tests skip with the reason; under CI (``CI`` set) they fail instead, so a
missing browser can never pass for a green run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from fakeauth0.server import FakeAuth0Server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: Debian's build; ``FAKEAUTH0_CHROMIUM`` points elsewhere (another Chromium of a recent version).
CHROMIUM = Path(os.environ.get("FAKEAUTH0_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
#: Headless and quiet: without the background-networking flags Chromium keeps dialling Google
#: hosts that this machine's closed network refuses. Playwright gives each launch a fresh
#: temporary profile (user-data-dir).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Shot(Protocol):
    def __call__(self, step: str, target: Page | None = None) -> Path: ...


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}: install Debian's with "
            "`sudo bash scripts/ensure_chromium.sh` (make test runs it when root)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per module: Playwright's sync API keeps an event loop running while it is
    open, which later tests that call ``asyncio.run`` must not find."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server() -> Iterator[FakeAuth0Server]:
    """A threaded server on a free loopback port with two tenants: the default (named after
    the bound address, as ``fakeauth0 serve`` names it) and ``other.example.com``."""
    with FakeAuth0Server(domains=["other.example.com"]) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: FakeAuth0Server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """``shot("linked")`` saves a full-page screenshot of the test's page (or of ``target``) as
    a test artifact, ``test-artifacts/dashboard/<test>-<n>-<step>.png``, and returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name.removeprefix("test_"))
    taken: list[Path] = []

    def take(step: str, target: Page | None = None) -> Path:
        shown = target if target is not None else request.getfixturevalue("page")
        path = ARTIFACTS / f"{test}-{len(taken) + 1:02}-{step}.png"
        shown.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return take
