"""A browser's part in a login, for requests and httpx sessions alike: follow the tenant's
redirects (never the app's: the callback is where a login ends), read the login page's hidden
``state`` and post its form as New Universal Login's own does."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from fakeauth0 import Tenant

#: The hidden transaction handle of the login page's forms.
_STATE = re.compile(r'<input type="hidden" name="state" value="([^"]*)">')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _request(session: Any, method: str, url: str, **kwargs: Any) -> Any:
    import httpx

    # Authlib's sessions want withhold_token for calls that carry no token of theirs.
    if hasattr(session, "token_auth"):
        kwargs["withhold_token"] = True
    if isinstance(session, httpx.Client):
        return session.request(method, url, follow_redirects=False, **kwargs)
    return session.request(method, url, allow_redirects=False, **kwargs)


def location(response: Any) -> str | None:
    return response.headers.get("Location")


def absolute(tenant: Tenant, url: str) -> str:
    return urljoin(tenant.base_url + "/", url)


def on_tenant(tenant: Tenant, url: str) -> bool:
    parts = urlsplit(absolute(tenant, url))
    return parts.scheme == "https" and parts.netloc == tenant.domain


def follow(session: Any, tenant: Tenant, response: Any) -> Any:
    """Follow redirects while they stay on the tenant; the last response (a page, or a
    redirect to the app)."""
    for _ in range(10):
        target = location(response)
        if response.status_code not in (301, 302, 303, 307) or target is None:
            return response
        if not on_tenant(tenant, target):
            return response
        response = _request(session, "GET", absolute(tenant, target))
    raise AssertionError("too many redirects on the tenant")


def get(session: Any, tenant: Tenant, url: str, **kwargs: Any) -> Any:
    """GET a tenant URL and follow its redirects on the tenant."""
    return follow(session, tenant, _request(session, "GET", absolute(tenant, url), **kwargs))


def page_state(page: Any) -> str:
    found = _STATE.search(page.text)
    assert found is not None, f"no hidden state on the page ({page.status_code}): {page.text}"
    return found.group(1)


def submit_login(session: Any, tenant: Tenant, page: Any, username: str, password: str) -> Any:
    """Fill the login page's primary form and press Continue (it posts back to the page's own
    URL); follow on to the callback."""
    assert page.status_code == 200, page.text
    form = {"state": page_state(page), "username": username, "password": password}
    form["action"] = "default"
    response = _request(session, "POST", str(page.url), data=form)
    return follow(session, tenant, response)


def login(session: Any, tenant: Tenant, authorize_url: str, username: str, password: str) -> Any:
    """``/authorize`` through the login page to the app: the response that leaves the tenant
    (at once, when the SSO session answers without the page)."""
    page = get(session, tenant, authorize_url)
    if page.status_code == 302:
        return page
    return submit_login(session, tenant, page, username, password)


def callback_params(response: Any) -> dict[str, str]:
    """What a redirect hands the app: its query, or its fragment when it has one."""
    target = location(response)
    assert response.status_code == 302 and target is not None, (response.status_code, response.text)
    parts = urlsplit(target)
    return dict(parse_qsl(parts.fragment or parts.query))


def hidden_inputs(page: Any) -> dict[str, str]:
    """The hidden inputs of a page (a ``form_post`` answer)."""
    import html

    return {html.unescape(k): html.unescape(v) for k, v in _HIDDEN.findall(page.text)}
