"""A login transaction (the login page's ``state``) belongs to the browser that started it: a
form posted from another browser, with the handle but not the ``did`` cookie, logs nobody in,
so a page on another site cannot log a victim into an attacker's account (login CSRF)."""

from __future__ import annotations

import re

from werkzeug.test import Client as BrowserClient

from fakeauth0 import Tenant, create_app

BASE = "https://fake.auth0.com"
CALLBACK = "https://app.example.com/cb"
PASSWORD = "Passw0rd!x"


def test_a_transaction_answers_only_to_the_browser_that_started_it() -> None:
    tenant = Tenant()
    app = tenant.create_client_from(
        {"name": "Web", "app_type": "regular_web", "callbacks": [CALLBACK]}
    )
    tenant.create_user(
        {
            "connection": "Username-Password-Authentication",
            "email": "mallory@example.com",
            "password": PASSWORD,
        }
    )
    wsgi = create_app(tenant)
    attacker, victim = BrowserClient(wsgi), BrowserClient(wsgi)
    started = attacker.get(
        "/authorize",
        query_string={
            "client_id": app.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
        },
        base_url=BASE,
    )
    assert "did=" in started.headers["Set-Cookie"]
    page = attacker.get(started.headers["Location"], base_url=BASE)
    handle = re.search(r'name="state" value="([^"]+)"', page.text)
    assert handle is not None
    form = {"state": handle.group(1), "username": "mallory@example.com", "password": PASSWORD}

    forged = victim.post("/u/login", data=form, base_url=BASE)
    assert forged.status_code == 400
    assert 'data-error-code="invalid-state"' in forged.text
    assert "Set-Cookie" not in forged.headers
    assert (
        victim.get(f"/authorize/resume?state={handle.group(1)}", base_url=BASE).status_code == 400
    )

    # The browser that started it still can.
    own = attacker.post("/u/login", data=form, base_url=BASE)
    assert own.status_code == 302 and own.headers["Location"].startswith("/authorize/resume")
