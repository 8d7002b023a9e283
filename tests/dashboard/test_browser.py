"""The dashboard in headless Chromium: Auth0's account-linking walkthrough done by clicking, plus
search, paging, tenants, keyboard use, labels, a narrow window and a cross-site form.

Each step's screenshot is saved under ``test-artifacts/dashboard/``.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from fakeauth0.server import FakeAuth0Server
from tests.server.serving import serve
from tests.support import DB, PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from tests.dashboard.conftest import Shot

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[test]'"
).expect

DASHBOARD = "/_fake/dashboard"
GOOGLE_ID = "103547991597142817347"
GOOGLE_USER = f"google-oauth2|{GOOGLE_ID}"


def rows(page: Page) -> Locator:
    return page.locator("table.users tbody tr")


def save_metadata(page: Page, user_metadata: str) -> None:
    page.get_by_text("Edit metadata").click()
    page.get_by_label("user_metadata (JSON)").fill(user_metadata)
    page.get_by_role("button", name="Save metadata").click()
    expect(page.get_by_role("status")).to_have_text("Metadata saved.")


def test_account_linking_walkthrough(page: Page, server: FakeAuth0Server, shot: Shot) -> None:
    """Auth0's guide: two accounts with one e-mail; link them and the list shows one, whose
    identities hold both; unlink and both are listed again, the unlinked one without metadata.
    """
    page.goto(DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.locator("#summary")).to_have_text("No users.")
    shot("empty-tenant")

    # A database sign-up, then a first Google login with the same address, each with metadata.
    create = page.get_by_role("region", name="Create a database user")
    create.get_by_label("E-mail").fill("ann@example.com")
    create.get_by_label("Password").fill(PASSWORD)
    create.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_have_text("User created.")
    db_user = page.locator("#user-id").inner_text()
    assert db_user.startswith("auth0|")
    save_metadata(page, '{"theme": "dark"}')

    page.get_by_role("link", name="← Users").click()
    login = page.get_by_role("region", name="Simulate a login")
    login.get_by_label("Connection").select_option("google-oauth2")
    login.get_by_label("E-mail").fill("ann@example.com")
    login.get_by_label("Provider's user id").fill(GOOGLE_ID)
    login.get_by_role("button", name="Simulate login").click()
    expect(page.locator("#user-id")).to_have_text(GOOGLE_USER)
    expect(page.locator("#logins-count")).to_have_text("1")
    save_metadata(page, '{"source": "google"}')
    expect(page.locator("#user-metadata")).to_contain_text('"source": "google"')
    shot("google-user-with-metadata")

    page.get_by_role("link", name="← Users").click()
    expect(rows(page)).to_have_count(2)
    expect(rows(page).locator('td[data-label="E-mail"]')).to_have_text(["ann@example.com"] * 2)
    shot("two-users-same-email")

    # Link the Google account into the database user, from the database user's page.
    rows(page).filter(has_text=DB).get_by_role("link").click()
    expect(page.locator("#user-id")).to_have_text(db_user)
    shot("primary-before-linking")
    page.get_by_role("button", name=f"Link {GOOGLE_USER}").click()
    expect(page.get_by_role("status")).to_contain_text("Account linked")
    identities = page.locator("li.identity")
    expect(identities).to_have_count(2)
    expect(identities.nth(0).get_by_role("heading", level=3)).to_contain_text(db_user)
    expect(identities.nth(1).get_by_role("heading", level=3)).to_contain_text(GOOGLE_USER)
    expect(identities.nth(1).locator("pre")).to_contain_text('"email": "ann@example.com"')
    shot("identities-show-both")

    page.get_by_role("link", name="← Users").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).locator('td[data-label="Identities"]')).to_have_text("2")
    shot("list-shows-one")

    # Unlink: the Google account is a user of its own again, and its metadata is gone.
    rows(page).get_by_role("link").click()
    page.get_by_role("button", name=f"Unlink {GOOGLE_USER}").click()
    expect(page.get_by_role("status")).to_contain_text("Identity unlinked")
    expect(identities).to_have_count(1)
    shot("after-unlink")

    page.get_by_role("link", name="← Users").click()
    expect(rows(page)).to_have_count(2)
    shot("list-shows-two-again")
    rows(page).filter(has_text="google-oauth2").get_by_role("link").click()
    expect(page.locator("#user-id")).to_have_text(GOOGLE_USER)
    expect(page.locator("#user-metadata")).to_have_text("{}")
    shot("unlinked-user-without-metadata")
    assert server.tenant.get_user(GOOGLE_USER).user_metadata == {}


def test_search_and_paging(page: Page, server: FakeAuth0Server, shot: Shot) -> None:
    for n in range(12):
        server.tenant.create_user(
            {"connection": DB, "email": f"user{n:02}@example.com", "password": PASSWORD}
        )
    server.tenant.add_social_user("google-oauth2", GOOGLE_ID, {"email": "g@example.com"})
    page.goto(DASHBOARD)

    search = page.get_by_role("search")
    search.get_by_label("Search users").fill('identities.connection:"google-oauth2"')
    search.get_by_label("Search users").press("Enter")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("g@example.com")
    shot("search-result")

    search.get_by_label("Search users").fill("")
    search.get_by_label("Per page").select_option("10")
    search.get_by_role("button", name="Search").click()
    expect(rows(page)).to_have_count(10)
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1 of 2")
    page.get_by_role("link", name="Next page").click()
    expect(rows(page)).to_have_count(3)
    expect(page.locator("#summary")).to_have_text("Showing 11 to 13 of 13 users.")
    shot("second-page")

    search.get_by_label("Search users").fill("email:(")
    search.get_by_label("Search users").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Invalid query string")
    expect(rows(page)).to_have_count(0)


def test_switch_tenants_and_reset_one(page: Page, server: FakeAuth0Server, shot: Shot) -> None:
    other = server.registry.require("other.example.com")
    other.create_user({"connection": DB, "email": "bee@example.com", "password": PASSWORD})
    server.tenant.create_user({"connection": DB, "email": "ann@example.com", "password": PASSWORD})
    page.goto(DASHBOARD)
    expect(page.locator("#current-tenant")).to_have_text(server.tenant.domain)

    page.get_by_label("Switch tenant").select_option("other.example.com")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("#current-tenant")).to_have_text("other.example.com")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("bee@example.com")
    shot("other-tenant")

    page.get_by_role("button", name="Reset tenant").click()
    expect(page.get_by_role("status")).to_have_text("Tenant reset to its seed.")
    expect(page.locator("#summary")).to_have_text("No users.")
    shot("other-tenant-reset")
    assert other.list_users() == []
    assert len(server.tenant.list_users()) == 1  # the reset reached that tenant only

    page.get_by_label("Switch tenant").select_option(server.tenant.domain)
    page.get_by_role("button", name="Switch").click()
    expect(rows(page)).to_contain_text("ann@example.com")


def test_linking_by_keyboard_alone(page: Page, server: FakeAuth0Server) -> None:
    tenant = server.tenant
    db_user = tenant.create_user(
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    ).user_id
    tenant.add_social_user("google-oauth2", GOOGLE_ID, {"email": "ann@example.com"})
    page.goto(f"{DASHBOARD}/user?id={db_user}")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == f"Link {GOOGLE_USER}":
            break
    else:
        raise AssertionError("the Link button cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Account linked")
    assert [i.provider for i in tenant.get_user(db_user).identities] == ["auth0", "google-oauth2"]


LABEL_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (el.type === 'hidden') continue;
    const name = el.tagName === 'BUTTON' ? el.textContent.trim()
      : [...el.labels].map(l => l.textContent.trim()).join(' ') || el.getAttribute('aria-label');
    if (!name) problems.push('unlabelled ' + el.outerHTML);
  }
  let level = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4')) {
    const next = Number(h.tagName[1]);
    if (next > level + 1) problems.push('heading skips a level: ' + h.outerHTML);
    level = next;
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  return problems;
}"""


def test_every_control_is_labelled_and_headings_nest(page: Page, server: FakeAuth0Server) -> None:
    tenant = server.tenant
    db_user = tenant.create_user(
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    ).user_id
    tenant.add_social_user("google-oauth2", GOOGLE_ID, {"email": "ann@example.com"})
    tenant.link(db_user, "google-oauth2", GOOGLE_ID)
    page.goto(DASHBOARD)
    assert page.evaluate(LABEL_PROBLEMS) == []
    page.goto(f"{DASHBOARD}/user?id={db_user}")
    page.get_by_text("Edit metadata").click()  # the editor's controls count too
    assert page.evaluate(LABEL_PROBLEMS) == []
    assert page.evaluate("document.documentElement.lang") == "en"


#: Controls and code blocks wider than the card that holds them.
STICKING_OUT = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, pre, table')].filter(el => {
  const box = el.closest('section, .card');
  const a = el.getBoundingClientRect();
  if (!box || a.width === 0) return false;
  const b = box.getBoundingClientRect();
  return a.right > b.right + 0.5 || a.left < b.left - 0.5;
}).map(el => el.outerHTML.slice(0, 120))"""


def test_readable_in_a_narrow_window(browser: Browser, server: FakeAuth0Server, shot: Shot) -> None:
    tenant = server.tenant
    db_user = tenant.create_user(
        {
            "connection": DB,
            "email": "a.rather.long.address.for.a.phone@example.com",
            "password": PASSWORD,
        }
    ).user_id
    tenant.add_social_user(
        "google-oauth2", GOOGLE_ID, {"email": "a.rather.long.address.for.a.phone@example.com"}
    )
    tenant.link(db_user, "google-oauth2", GOOGLE_ID)
    tenant.update_user(
        db_user, {"user_metadata": {"preferences": {"theme": "dark", "x": "y" * 80}}}
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=server.url)
    narrow = context.new_page()
    try:
        for step, path in (("list", DASHBOARD), ("user", f"{DASHBOARD}/user?id={db_user}")):
            narrow.goto(path)
            overflow = narrow.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{step}: the page scrolls sideways by {overflow}px"
            assert narrow.evaluate(STICKING_OUT) == [], step
            shot(step, narrow)
        # The table turns into labelled blocks: each cell names its column.
        narrow.goto(DASHBOARD)
        first_cell = narrow.locator("table.users td").first
        label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert label == '"Name"'
    finally:
        context.close()


def test_a_form_on_another_site_cannot_drive_the_dashboard(
    page: Page, server: FakeAuth0Server
) -> None:
    server.tenant.create_user({"connection": DB, "email": "keep@example.com", "password": PASSWORD})
    page.goto(DASHBOARD)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    # A page elsewhere that even knows the token: the browser says where the form came from.
    evil = (
        f'<form method="post" action="{server.url}{DASHBOARD}/reset">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        "<button>Win a prize</button></form>"
    )
    page.route(
        "http://attacker.test/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=evil),
    )
    page.goto("http://attacker.test/prize")
    page.get_by_role("button", name="Win a prize").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request refused")
    assert len(server.tenant.list_users()) == 1


def test_fakeauth0_serve_serves_the_dashboard(browser: Browser) -> None:
    served = serve("--tenant", "second.example.com")
    try:
        assert any(f"dashboard: {served.url}{DASHBOARD}" in line for line in served.lines)
        context = browser.new_context(base_url=served.url)
        try:
            live = context.new_page()
            live.goto(DASHBOARD)
            expect(live.get_by_role("heading", level=1)).to_have_text("Users")
            expect(live.get_by_label("Switch tenant")).to_contain_text("second.example.com")
            client_secret = served.default["client_secret"]
            assert client_secret not in live.content()
        finally:
            context.close()
    finally:
        served.stop()


def test_signing_in_with_the_control_token(browser: Browser, shot: Shot) -> None:
    """``serve --control-token``: the browser is sent to a sign-in form; the token, typed once,
    opens the dashboard (a session cookie the page's scripts could not read: there are none,
    and it is HttpOnly)."""
    with FakeAuth0Server(control_token="type-me-once") as guarded:
        guarded.tenant.create_user(
            {"connection": DB, "email": "behind@example.com", "password": PASSWORD}
        )
        context = browser.new_context(base_url=guarded.url)
        try:
            page = context.new_page()
            page.goto(DASHBOARD)
            expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the dashboard")
            assert "behind@example.com" not in page.content()
            page.get_by_label("Control token").fill("wrong")
            page.keyboard.press("Enter")
            expect(page.get_by_role("alert")).to_contain_text("not this server's control token")
            page.get_by_label("Control token").fill("type-me-once")
            shot("sign-in", page)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Users")
            expect(rows(page)).to_have_count(1)
            (cookie,) = context.cookies()
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert "type-me-once" not in cookie["value"]
        finally:
            context.close()


def test_roles_and_organizations_by_clicking(
    page: Page, server: FakeAuth0Server, shot: Shot
) -> None:
    """Assign a role and join an organization from the user's page, then take both back; the
    roles and organizations pages count them; every new control is labelled."""
    tenant = server.tenant
    tenant.create_resource_server(
        {"identifier": "https://api.example.com", "scopes": [{"value": "read:items"}]}
    )
    tenant.create_role("reader", "Reads items", [("https://api.example.com", "read:items")])
    tenant.create_organization({"name": "acme", "display_name": "Acme Inc"})
    ann = tenant.create_user(
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    ).user_id
    page.goto(f"{DASHBOARD}/user?id={ann}")
    assert page.evaluate(LABEL_PROBLEMS) == []

    page.get_by_label("Role to assign").select_option(label=f"reader ({tenant.list_roles()[0].id})")
    page.get_by_role("button", name="Assign role").click()
    expect(page.get_by_role("status")).to_have_text("Role assigned.")
    page.get_by_role("button", name="Add to organization").click()
    expect(page.get_by_role("status")).to_have_text("Added to the organization.")
    expect(page.locator("#user-roles")).to_contain_text("reader")
    expect(page.locator("#user-organizations")).to_contain_text("Acme Inc")
    assert page.evaluate(LABEL_PROBLEMS) == []
    shot("role-and-organization")

    page.get_by_role("link", name="Roles", exact=True).click()
    expect(page.locator("td.users-count")).to_have_text("1")
    expect(page.locator("td.permissions-count")).to_have_text("1")
    assert page.evaluate(LABEL_PROBLEMS) == []
    page.get_by_role("link", name="Organizations", exact=True).click()
    expect(page.locator("td.members-count")).to_have_text("1")
    shot("organizations-page")

    page.go_back()
    page.go_back()
    page.get_by_role("button", name="Remove role reader").click()
    expect(page.locator("#user-roles")).to_have_text("No roles.")
    page.get_by_role("button", name="Remove from acme").click()
    expect(page.locator("#user-organizations")).to_have_text("Not a member of any organization.")
    assert tenant.user_roles(ann) == [] and tenant.user_organizations(ann) == []


#: Auth0's guide's first action writes to the console and sets a claim
#: (https://auth0.com/docs/customize/actions/write-your-first-action); the secret it reads must
#: never reach a page.
GREETING_ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  console.log('hello', event.user.email, 'key', event.secrets.GREETING_KEY);
  api.idToken.setCustomClaim('https://example.com/greeting', 'hi');
};
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_what_an_action_did_on_a_login_by_clicking(
    page: Page, server: FakeAuth0Server, shot: Shot
) -> None:
    """Simulate a login from the user's page, then read the action's code on the Actions page
    and its console output and claim on the Executions page (Auth0's Actions logs show
    ``console.log`` output: https://auth0.com/docs/customize/actions/actions-real-time-logs);
    then clear the log."""
    tenant = server.tenant
    secret = "greeting-secret-value-42"
    tenant.add_action(GREETING_ACTION, name="Greet", secrets={"GREETING_KEY": secret})
    ann = tenant.create_user(
        {"connection": DB, "email": "ann@example.com", "password": PASSWORD}
    ).user_id
    page.goto(f"{DASHBOARD}/user?id={ann}")
    page.get_by_role("button", name="Simulate a login as this user").click()
    expect(page.get_by_role("status")).to_have_text(
        "Login simulated: logins count and last login updated."
    )

    page.locator("#user-executions").click()  # the user's own runs
    expect(page.locator("#summary")).to_contain_text(f"1 run for {ann}")

    page.get_by_role("link", name="Actions", exact=True).click()
    flow = page.get_by_role("region", name="post-login")
    expect(flow.get_by_role("heading", level=3)).to_contain_text("1. Greet")
    expect(flow.locator("dd.secrets")).to_have_text("GREETING_KEY")
    flow.get_by_text("Code (deployed version)").click()
    expect(flow.get_by_label("Code of Greet")).to_contain_text("event.secrets.GREETING_KEY")
    assert page.evaluate(LABEL_PROBLEMS) == []
    shot("actions-page")

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Executions").click()
    run = page.locator("li.execution").first
    expect(run.locator(".result")).to_have_text("allowed")
    expect(run.locator("pre.console")).to_have_text("hello ann@example.com key ••••••")
    expect(run.locator("ol.calls")).to_contain_text(
        'api.idToken.setCustomClaim("https://example.com/greeting", "hi")'
    )
    assert page.evaluate(LABEL_PROBLEMS) == []
    assert page.evaluate(STICKING_OUT) == []
    assert secret not in page.content()
    shot("executions-page")
    for path in ("/executions", "/actions"):  # readable on a phone too
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(DASHBOARD + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path}: the page scrolls sideways by {overflow}px"
        assert page.evaluate(STICKING_OUT) == [], path
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{DASHBOARD}/executions")

    page.get_by_role("button", name="Clear the execution log").click()
    expect(page.get_by_role("status")).to_have_text("Execution log cleared.")
    expect(page.locator("#summary")).to_have_text("No runs.")
    assert len(tenant.executions) == 0
