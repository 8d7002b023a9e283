"""express-openid-connect, Auth0's SDK for express, and a real browser as judges of the login
flows: Chromium (Playwright) visits a small app (tests/node/express-app.mjs) that logs in to
``fakeauth0 serve --tls``: the app's /login, the fake's login page, back to the app signed in;
a second login answered by the SSO cookie without the page; a wrong password; a sign-up on the
fake's ``/u/signup``; the app's /logout through the fake's ``/oidc/logout``, after which the page
shows again.

Each response type the SDK offers runs: ``code`` (query), ``code id_token`` (``form_post``;
the SDK checks ``c_hash``), where the app also reads ``/userinfo`` with the access token and
holds a refresh token, and the SDK's defaults (``id_token`` by ``form_post``). ``form_post`` is
the fake's self-submitting page posting to the app. Screenshots go to
``test-artifacts/login/``.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fakeauth0.server import LocalCA
from tests.dashboard.conftest import CHROMIUM, CHROMIUM_ARGS, _missing
from tests.node import relying_party
from tests.server.serving import Served, free_port, serve
from tests.support import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'"
).expect

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "login"
START_TIMEOUT = 20.0


@dataclass
class Site:
    """The fake and the app that logs in to it, both served over HTTPS on loopback."""

    fake: Served
    app: str
    response_type: str


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the express browser test cannot run under CI: {reason}")
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if not node:
        _skip_or_fail("node (>= 20.19) is needed to run the express app")
    if not (NODE_DIR / "node_modules" / "express-openid-connect").is_dir():
        _skip_or_fail("run `npm ci` in tests/node (make test does)")
    assert node is not None
    return node


def _start_app(node: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start the express app and wait until it says it listens."""
    proc = subprocess.Popen(
        [node, "express-app.mjs"],
        cwd=NODE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    said: list[str] = []
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            proc.kill()
            raise AssertionError("the express app did not start: " + "".join(said)) from None
        if line is None:
            proc.wait(timeout=10)
            raise AssertionError("the express app exited: " + "".join(said))
        said.append(line)
        if line.startswith("listening on "):
            return proc


@pytest.fixture(scope="module", params=["code", "code id_token", "sdk-defaults"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    node = _node()
    response_type = "" if request.param == "sdk-defaults" else request.param
    here = tmp_path_factory.mktemp("express")
    ca_file = here / "ca.pem"
    # The fake reuses this CA; the app's certificate comes from it too.
    issued = LocalCA(str(ca_file)).ca.issue_cert("127.0.0.1", "localhost")
    issued.cert_chain_pems[0].write_to_path(str(here / "app.pem"))
    issued.private_key_pem.write_to_path(str(here / "app.key"))
    port = free_port()
    app = f"https://127.0.0.1:{port}"
    seed = relying_party.write_seed(here / "seed.json", app)
    fake = serve("--tls", "--ca-file", str(ca_file), "--seed", seed)
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ca_file),
        "EXPRESS_ISSUER": fake.url + "/",
        "EXPRESS_CLIENT_ID": relying_party.CLIENT_ID,
        "EXPRESS_CLIENT_SECRET": relying_party.CLIENT_SECRET,
        "EXPRESS_PORT": str(port),
        "EXPRESS_TLS_CERT": str(here / "app.pem"),
        "EXPRESS_TLS_KEY": str(here / "app.key"),
        "EXPRESS_RESPONSE_TYPE": response_type,
    }
    try:
        proc = _start_app(node, env)
    except BaseException:
        fake.stop()
        raise
    try:
        yield Site(fake, app, response_type or "id_token")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        fake.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched as tests/dashboard/conftest.py launches it."""
    reason = _missing()
    if reason is not None:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Visit:
    """A browser tab and the paths of every document it requested on the fake."""

    page: Page
    fake_paths: list[str]
    shots: list[Path]
    name: str

    def shot(self, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{len(self.shots) + 1:02}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)


@pytest.fixture
def visit(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Visit]:
    # The fake's local CA is not the browser's: its certificate errors are ignored.
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1024, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    fake_paths: list[str] = []

    def seen(sent: Request) -> None:
        if sent.url.startswith(site.fake.url + "/") and sent.resource_type == "document":
            fake_paths.append(re.sub(r"\?.*", "", sent.url.removeprefix(site.fake.url)))

    page.on("request", seen)
    name = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name.removeprefix("test_")).strip("-")
    try:
        yield Visit(page, fake_paths, [], name)
    finally:
        context.close()


def log_in_on_the_page(visit: Visit, site: Site) -> None:
    """From the app's /login to the fake's page, fill it in, and back on the app signed in."""
    page = visit.page
    page.goto(site.app + "/login")
    expect(page).to_have_url(re.compile(re.escape(site.fake.url) + r"/u/login\?state="))
    expect(page.locator("input[type=hidden][name=state]")).to_have_count(1)
    visit.shot("login-page")
    page.locator("input#username").fill(relying_party.EMAIL)
    page.locator("input#password").fill(PASSWORD)
    page.locator("button[name=action][value=default]").click()
    expect(page).to_have_url(site.app + "/")
    expect(page.locator("#email")).to_have_text(relying_party.EMAIL)
    expect(page.locator("#sub")).to_have_text(relying_party.USER_ID)


def test_login_through_the_page_then_sso(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.app + "/")
    expect(page.locator("#anonymous")).to_be_visible()

    log_in_on_the_page(visit, site)
    assert visit.fake_paths == ["/authorize", "/u/login", "/u/login", "/authorize/resume"]
    visit.shot("signed-in")

    if "code" in site.response_type.split():
        # The SDK redeemed the code: its access token opens /userinfo, offline_access earned a
        # refresh token.
        page.goto(site.app + "/profile")
        expect(page.locator("#userinfo-email")).to_have_text(relying_party.EMAIL)
        expect(page.locator("#refresh")).to_have_text("yes")

    # A new app session: the fake's SSO cookie answers /authorize without the page.
    page.context.clear_cookies(name="appSession")
    page.goto(site.app + "/")
    expect(page.locator("#anonymous")).to_be_visible()
    visit.fake_paths.clear()
    page.goto(site.app + "/login")
    expect(page).to_have_url(site.app + "/")
    expect(page.locator("#email")).to_have_text(relying_party.EMAIL)
    assert visit.fake_paths == ["/authorize"]


def test_wrong_password_shows_the_error_on_the_page(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.app + "/login")
    page.locator("input#username").fill(relying_party.EMAIL)
    page.locator("input#password").fill("not-the-password")
    page.locator("button[name=action][value=default]").click()
    error = page.locator('#error-element-password[data-error-code="wrong-email-credentials"]')
    expect(error).to_have_text("Wrong email or password")
    expect(page.locator("input#username")).to_have_value(relying_party.EMAIL)
    visit.shot("wrong-password")
    page.locator("input#password").fill(PASSWORD)
    page.locator("button[name=action][value=default]").click()
    expect(page).to_have_url(site.app + "/")
    expect(page.locator("#email")).to_have_text(relying_party.EMAIL)


def test_logout_through_the_fake(visit: Visit, site: Site) -> None:
    page = visit.page
    log_in_on_the_page(visit, site)
    visit.fake_paths.clear()
    page.goto(site.app + "/logout")
    # Every hop is an HTTP redirect: once goto returns, the browser is where the chain ended.
    assert page.url.rstrip("/") == site.app, page.inner_text("body")
    expect(page.locator("#anonymous")).to_be_visible()
    assert visit.fake_paths == ["/oidc/logout"]
    visit.shot("signed-out")

    # The fake's session ended too: the next login shows the page again.
    page.goto(site.app + "/login")
    expect(page).to_have_url(re.compile(re.escape(site.fake.url) + r"/u/login\?state="))


def test_signup_through_the_page(visit: Visit, site: Site) -> None:
    page = visit.page
    page.goto(site.app + "/signup")
    expect(page).to_have_url(re.compile(re.escape(site.fake.url) + r"/u/signup\?state="))
    email = f"new-{site.response_type.replace(' ', '-')}@example.com"
    page.locator("input#email").fill(email)
    page.locator("input#password").fill(PASSWORD)
    page.locator("button[name=action][value=default]").click()
    expect(page).to_have_url(site.app + "/")
    expect(page.locator("#email")).to_have_text(email)
    expect(page.locator("#sub")).to_have_text(re.compile(r"^auth0\|[0-9a-f]{24}$"))
    assert visit.fake_paths[:3] == ["/authorize", "/u/signup", "/u/signup"]
