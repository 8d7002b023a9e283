"""The tenant's settings on the Management API (``/tenants/settings``), as Auth0 serves them:
a new tenant's body from terraform-provider-auth0's recording of a fresh tenant
(test/data/recordings/TestAccTenantDefaults.yaml, https://github.com/auth0/terraform-provider-auth0),
changes as go-auth0's recording TestTenantManager shows them
(test/data/recordings/TestTenantManager.yaml, https://github.com/auth0/go-auth0), and the
session lifetime limits of https://auth0.com/docs/manage-users/sessions/session-lifetime-limits.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.intercept import Interceptor
from fakeauth0.server import FakeAuth0Server
from fakeauth0.snapshot import SeedError
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire
from tests.support import DB, PASSWORD

SETTINGS = "/api/v2/tenants/settings"


def test_a_new_tenant_has_auth0s_defaults(raw: Any) -> None:
    """TestAccTenantDefaults: no default audience or directory (``""``), sessions of 72 hours
    idle and 168 absolute, persistent session cookies, no tenant-wide logout URLs."""
    got = raw.get(SETTINGS)
    assert got.status_code == 200
    body = got.json()
    assert body["default_audience"] == "" and body["default_directory"] == ""
    assert body["idle_session_lifetime"] == 72 and body["session_lifetime"] == 168
    assert body["session_cookie"] == {"mode": "persistent"}
    assert body["allowed_logout_urls"] == []
    assert body["flags"]["enable_sso"] is True
    assert body["enabled_locales"] == ["en"]


def test_fields_and_include_fields_project_the_answer(raw: Any) -> None:
    """The spec's ``fields`` / ``include_fields`` (include by default)."""
    only = raw.get(SETTINGS, params={"fields": "session_lifetime,flags"}).json()
    assert set(only) == {"session_lifetime", "flags"}
    without = raw.get(
        SETTINGS, params={"fields": "flags,session_cookie", "include_fields": "false"}
    ).json()
    assert "flags" not in without and "session_cookie" not in without
    assert without["session_lifetime"] == 168


def test_reading_and_changing_need_their_scopes(raw: Any) -> None:
    """The spec: ``read:tenant_settings`` to read, ``update:tenant_settings`` to change."""
    assert raw.get(SETTINGS, scopes=["read:users"]).status_code == 403
    assert raw.get(SETTINGS, scopes=["read:tenant_settings"]).status_code == 200
    refused = raw.patch(SETTINGS, json={"friendly_name": "x"}, scopes=["read:tenant_settings"])
    assert refused.status_code == 403


def test_a_patch_changes_what_it_names_and_answers_the_whole(tenant: Tenant, raw: Any) -> None:
    """TestTenantManager: the PATCH answers every setting, the changed ones included."""
    body = {
        "friendly_name": "My Example Tenant",
        "support_email": "support@example.com",
        "allowed_logout_urls": ["https://app.com/logout", "http://localhost/logout"],
        "session_lifetime": 1080,
        "idle_session_lifetime": 720,
        "enabled_locales": ["fr", "en", "es"],
        "session_cookie": {"mode": "non-persistent"},
        "default_directory": DB,
    }
    patched = raw.patch(SETTINGS, json=body)
    assert patched.status_code == 200
    answer = patched.json()
    assert {k: answer[k] for k in body} == body
    assert answer["sandbox_version"] == "22"  # untouched
    assert raw.get(SETTINGS).json() == answer
    # What logins read is the typed view.
    settings = tenant.settings
    assert settings.default_directory == DB
    assert settings.allowed_logout_urls == body["allowed_logout_urls"]
    assert (settings.idle_session_lifetime, settings.session_lifetime) == (720, 1080)


def test_an_empty_default_audience_is_none(tenant: Tenant, raw: Any) -> None:
    raw.patch(SETTINGS, json={"default_audience": "https://api.example/"})
    assert tenant.settings.default_audience == "https://api.example/"
    cleared = raw.patch(SETTINGS, json={"default_audience": "", "default_directory": ""}).json()
    assert tenant.settings.default_audience is None and tenant.settings.default_directory is None
    assert cleared["default_audience"] == "" and cleared["default_directory"] == ""


def test_objects_are_merged_and_null_removes(raw: Any) -> None:
    """CHOICES.md "tenant settings: PATCH of objects and null": one flag sent keeps the others
    (https://auth0.com/docs/get-started/applications/dynamic-client-registration sends one);
    null removes the attribute (TestAccTenantDefaults: ``"mtls":null`` and the next answer has
    no ``mtls``)."""
    flags_before = raw.get(SETTINGS).json()["flags"]
    patched = raw.patch(SETTINGS, json={"flags": {"enable_sso": False}, "mtls": {}}).json()
    assert patched["flags"] == {**flags_before, "enable_sso": False}
    assert patched["mtls"] == {}
    removed = raw.patch(SETTINGS, json={"mtls": None, "session_cookie": None}).json()
    assert "mtls" not in removed and "session_cookie" not in removed


def test_the_password_grant_uses_the_default_directory(
    tenant: Tenant, raw: Any, http: httpx.Client
) -> None:
    """CHOICES.md "tenant settings: unknown default_directory": stored as given; the password
    grant without ``realm`` then answers as for an unknown connection; naming the database
    lets the user in."""
    client = tenant.create_client("app", grant_types=["password"])
    tenant.create_user({"connection": DB, "email": "ann@example.com", "password": PASSWORD})
    form = {
        "grant_type": "password",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "username": "ann@example.com",
        "password": PASSWORD,
    }
    patched = raw.patch(SETTINGS, json={"default_directory": "no-such-connection"})
    assert patched.status_code == 200
    assert patched.json()["default_directory"] == "no-such-connection"
    refused = http.post("/oauth/token", data=form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    raw.patch(SETTINGS, json={"default_directory": DB})
    assert http.post("/oauth/token", data=form).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # https://github.com/auth0/auth0-deploy-cli/issues/1110
        ({"session_lifetime": 20160}, "'Value 20160 is greater than maximum 8760'"),
        ({"idle_session_lifetime": 2401}, "'Value 2401 is greater than maximum 2400'"),
        ({"session_lifetime": 0}, "'Value 0 is less than minimum 1'"),
        # a decimal is a 400 (https://github.com/auth0/auth0-java/pull/423)
        ({"session_lifetime": 0.5}, "'Expected type integer but found type number'"),
        (
            {"idle_session_lifetime": 200},
            "'idle_session_lifetime (200) must not be greater than session_lifetime (168)'",
        ),
        (
            {"idle_ephemeral_session_lifetime": 100},
            "'idle_ephemeral_session_lifetime (100) must not be greater than "
            "ephemeral_session_lifetime (72)'",
        ),
    ],
)
def test_session_lifetimes_out_of_bounds_are_400(
    raw: Any, body: dict[str, Any], message: str
) -> None:
    before = raw.get(SETTINGS).json()
    refused = raw.patch(SETTINGS, json=body)
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "invalid_body"
    assert message in refused.json()["message"]
    assert raw.get(SETTINGS).json() == before  # nothing changed


def test_lifetimes_change_together_in_one_patch(raw: Any) -> None:
    """The bounds hold on the result: idle may grow past the old absolute lifetime when the
    same PATCH raises that too."""
    patched = raw.patch(SETTINGS, json={"idle_session_lifetime": 720, "session_lifetime": 1080})
    assert patched.status_code == 200


def test_an_attribute_outside_the_spec_is_400(raw: Any) -> None:
    refused = raw.patch(SETTINGS, json={"not_a_setting": True})
    assert refused.status_code == 400
    assert "Additional properties not allowed: not_a_setting" in refused.json()["message"]


# -- the default audience and /oauth/token ----------------------------------------------------


def _client_credentials(tenant: Tenant, http: httpx.Client, **extra: str) -> httpx.Response:
    client = tenant.management_client
    return http.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            **extra,
        },
    )


def test_client_credentials_without_audience_get_the_default_audience(
    tenant: Tenant, http: httpx.Client, raw: Any
) -> None:
    """With a default audience, a client_credentials request without ``audience`` gets a token
    for it (https://auth0.com/docs/get-started/tenant-settings#api-authorization-settings);
    without one it is 403 ``access_denied``."""
    assert _client_credentials(tenant, http).status_code == 403
    raw.patch(SETTINGS, json={"default_audience": tenant.management_audience})
    got = _client_credentials(tenant, http)
    assert got.status_code == 200
    token = got.json()["access_token"]
    assert raw.get(SETTINGS, token=token).status_code == 200  # a Management API token
    raw.patch(SETTINGS, json={"default_audience": ""})
    assert _client_credentials(tenant, http).status_code == 403


# -- the SDK as a client judges us -------------------------------------------------------------


def test_auth0_python_reads_and_updates_the_settings(
    auth0_tenant: Tenant, auth0_intercept: Interceptor
) -> None:
    """auth0-python's ``tenants.settings.get()`` / ``.update(...)``, over its own httpx client,
    intercepted to the tenant."""
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    got = mgmt.tenants.settings.get()
    assert got.session_lifetime == 168 and got.idle_session_lifetime == 72
    assert got.session_cookie is not None and got.session_cookie.mode == "persistent"
    updated = mgmt.tenants.settings.update(
        friendly_name="Acme", idle_session_lifetime=24, default_audience="https://api.acme/"
    )
    assert updated.friendly_name == "Acme" and updated.idle_session_lifetime == 24
    assert auth0_tenant.settings.default_audience == "https://api.acme/"
    assert mgmt.tenants.settings.get(fields="friendly_name").friendly_name == "Acme"
    with pytest.raises(ApiError) as caught:
        mgmt.tenants.settings.update(session_lifetime=9000)
    assert caught.value.status_code == 400


# -- snapshots, seeds, reset, the state file ---------------------------------------------------


def test_a_snapshot_carries_the_settings_and_a_put_restores_them(
    tenant: Tenant, http: httpx.Client, raw: Any
) -> None:
    assert http.get("/_fake/snapshot").json()["tenant"] == {}  # a new tenant's
    raw.patch(
        SETTINGS,
        json={
            "default_audience": "https://api.example/",
            "flags": {"enable_sso": False},
            "session_cookie": None,
            "friendly_name": "Snap",
        },
    )
    shown = raw.get(SETTINGS).json()
    taken = http.get("/_fake/snapshot").json()
    assert taken["tenant"]["session_cookie"] is None  # removed, so restoring removes it
    raw.patch(SETTINGS, json={"friendly_name": "Other", "session_cookie": {"mode": "persistent"}})
    assert http.put("/_fake/snapshot", json=taken).status_code == 200
    assert raw.get(SETTINGS).json() == shown
    assert http.get("/_fake/snapshot").json() == taken


def test_restoring_elsewhere_gives_the_same_settings(tenant: Tenant) -> None:
    tenant.update_settings({"idle_session_lifetime": 12, "enabled_locales": ["de"]})
    before = tenant.snapshot()
    elsewhere = Tenant("elsewhere.example.com")
    elsewhere.update_settings({"friendly_name": "to be replaced"})
    elsewhere.restore(copy.deepcopy(before))
    assert elsewhere.get_settings().to_json() == tenant.get_settings().to_json()
    assert elsewhere.snapshot()["tenant"] == before["tenant"]


def test_a_seed_sets_the_settings_and_reset_returns_to_them(tenant: Tenant) -> None:
    tenant.load_seed({"tenant": {"default_directory": DB, "session_lifetime": 96}})
    assert tenant.settings.default_directory == DB
    shown = tenant.get_settings().to_json()
    assert shown["session_lifetime"] == 96 and shown["session_cookie"] == {"mode": "persistent"}
    tenant.update_settings({"default_directory": "", "session_lifetime": 168})
    tenant.reset()
    assert tenant.get_settings().to_json() == shown


def test_a_seed_without_settings_keeps_them(tenant: Tenant) -> None:
    tenant.update_settings({"friendly_name": "Kept"})
    tenant.restore({"users": []})
    assert tenant.get_settings().to_json()["friendly_name"] == "Kept"


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"friendly_name": "x", "no_such_setting": 1}, "no_such_setting"),
        ({"session_lifetime": 9000}, "greater than maximum 8760"),
        ({"idle_session_lifetime": 500}, "must not be greater than session_lifetime"),
        ({"session_lifetime": "long"}, "Expected type integer but found type string"),
        ({"default_audience": 7}, "default_audience must be a string"),
        ([], "'tenant' must be an object"),
    ],
)
def test_a_seed_with_bad_settings_is_refused_whole(
    tenant: Tenant, settings: Any, named: str
) -> None:
    before = tenant.snapshot()
    with pytest.raises(SeedError, match=named):
        tenant.load_seed({"tenant": settings, "users": []})
    assert tenant.snapshot() == before


def test_the_state_file_keeps_the_settings(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, _ = wire.call("PATCH", SETTINGS, {"default_audience": "https://kept.example/"})
        assert status == 200
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert again.settings.default_audience == "https://kept.example/"
