"""The outbox over the control plane (``GET``/``DELETE /_fake/outbox``) and the dashboard's
page: filtered by recipient and template, emptied, and behind the same guard as every
``/_fake/`` route (the control token, the Host allow-list)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.test import Client

from fakeauth0 import Tenant
from fakeauth0.http.hosts import HostRouter
from fakeauth0.registry import TenantRegistry
from tests.support import DB, PASSWORD

TOKEN = "s3cret-control-token"
AUTH = {"X-Fake-Control-Token": TOKEN}


@pytest.fixture
def tenant() -> Tenant:
    return Tenant("localhost")


@pytest.fixture
def client(tenant: Tenant) -> Client:
    registry = TenantRegistry()
    registry.add(tenant)
    return Client(HostRouter(registry, control_token=TOKEN))


def fill(tenant: Tenant) -> None:
    tenant.create_user({"connection": DB, "email": "ann@example.com", "password": PASSWORD})
    tenant.signup(
        client_id=tenant.management_client.client_id,
        connection=DB,
        email="bob@example.com",
        password=PASSWORD,
    )
    tenant.request_password_change(
        client_id=tenant.management_client.client_id, email="ann@example.com", connection=DB
    )
    # a message recorded the plain way: a dict appended to ``tenant.mail``
    tenant.mail.append(
        {"template": "blocked_account", "recipient": "Ann@Example.com", "time": "t", "link": None}
    )


def test_get_lists_and_filters(tenant: Tenant, client: Client) -> None:
    fill(tenant)
    everything = client.get("/_fake/outbox", headers=AUTH).json
    assert everything["total"] == 3
    assert [m["template"] for m in everything["messages"]] == [
        "verify_email",
        "reset_email",
        "blocked_account",
    ]
    to_ann = client.get("/_fake/outbox?to=ann@example.com", headers=AUTH).json
    assert [m["template"] for m in to_ann["messages"]] == ["reset_email", "blocked_account"]
    resets = client.get(
        "/_fake/outbox?recipient=ann@example.com&template=reset_email", headers=AUTH
    )
    (reset,) = resets.json["messages"]
    assert reset["link"].startswith("https://localhost/u/reset-password?ticket=")
    assert client.get("/_fake/outbox?kind=verify_email", headers=AUTH).json["total"] == 1


def test_unknown_filters_are_400(client: Client) -> None:
    answer = client.get("/_fake/outbox?sort=time", headers=AUTH)
    assert answer.status_code == 400 and "sort" in answer.json["message"]


def test_delete_empties_it(tenant: Tenant, client: Client) -> None:
    fill(tenant)
    assert client.delete("/_fake/outbox", headers=AUTH).status_code == 204
    assert tenant.outbox == [] and tenant.mail is tenant.outbox


def test_the_outbox_is_behind_the_guard(tenant: Tenant, client: Client) -> None:
    fill(tenant)
    assert client.get("/_fake/outbox").status_code == 401
    foreign = client.get("/_fake/outbox", headers={**AUTH, "Host": "evil.example"})
    assert foreign.status_code in (403, 404)
    assert client.delete("/_fake/outbox").status_code == 401
    assert len(tenant.outbox) == 3


def test_the_dashboard_lists_the_outbox(tenant: Tenant, client: Client) -> None:
    fill(tenant)
    assert client.get("/_fake/dashboard/outbox").status_code == 303  # to the sign-in form
    page = client.get("/_fake/dashboard/outbox", headers=AUTH)
    assert page.status_code == 200
    link = tenant.outbox.latest(template="reset_email")["link"]
    assert link in page.text and "bob@example.com" in page.text
    assert "blocked_account" in page.text
    only_bob = client.get("/_fake/dashboard/outbox?to=bob@example.com", headers=AUTH).text
    assert "bob@example.com" in only_bob and link not in only_bob


def test_latest_and_wait_for(tenant: Tenant) -> None:
    assert tenant.outbox.latest(to="late@example.com") is None
    with pytest.raises(TimeoutError):
        tenant.outbox.wait_for(to="late@example.com", timeout=0.05)
    message = {"template": "verify_email", "recipient": "late@example.com", "link": "x"}
    timer = threading.Timer(0.05, tenant.outbox.append, args=(message,))
    timer.start()
    got = tenant.outbox.wait_for(to="LATE@example.com", template="verify_email", timeout=5)
    timer.join()
    assert got is message
