"""Logins through an organization, as Auth0 does them: ``organization`` on ``/authorize`` (by
id, or by name when the tenant allows names), members only unless the connection assigns
membership on login, ``org_id`` (and ``org_name``) in the tokens, invitations accepted by
logging in (https://auth0.com/docs/manage-users/organizations/login-flows-for-organizations;
https://auth0.com/docs/manage-users/organizations/using-tokens;
https://auth0.com/docs/manage-users/organizations/configure-organizations/use-org-name-authentication-api;
https://auth0.com/docs/manage-users/organizations/configure-organizations/invite-members)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from fakeauth0 import Client
from fakeauth0.organizations import Organization
from tests.login.browser import callback_params, get, login
from tests.login.conftest import API, CALLBACK, DB, EMAIL, PASSWORD, Apps


def authorize_url(client: Client, **extra: str) -> str:
    query = {
        "client_id": client.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "audience": API,
        "state": "app-state",
        **extra,
    }
    return "/authorize?" + urlencode(query)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def exchange(browser: httpx.Client, apps: Apps, code: str) -> dict[str, Any]:
    answer = browser.post(
        "/oauth/token",
        json={
            "grant_type": "authorization_code",
            "client_id": apps.web.client_id,
            "client_secret": apps.web.client_secret,
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def organization(apps: Apps, name: str = "acme", **enabled: Any) -> Organization:
    tenant = apps.tenant
    org = tenant.create_organization({"name": name, "display_name": "Acme"})
    connection = tenant.connection(DB)
    tenant.add_organization_connection(org.id, {"connection_id": connection.id, **enabled})
    return org


def test_a_member_gets_org_id_in_both_tokens(apps: Apps, browser: httpx.Client) -> None:
    org = organization(apps)
    apps.tenant.add_organization_members(org.id, [apps.user.user_id])
    url = authorize_url(apps.web, organization=org.id, scope="openid offline_access")
    done = login(browser, apps.tenant, url, EMAIL, PASSWORD)
    tokens = exchange(browser, apps, callback_params(done)["code"])
    assert claims(tokens["id_token"])["org_id"] == org.id
    assert claims(tokens["access_token"])["org_id"] == org.id
    # Names stay out of tokens unless the tenant allows them.
    assert "org_name" not in claims(tokens["id_token"])
    # A refreshed token is still the organization's.
    refreshed = browser.post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": apps.web.client_id,
            "client_secret": apps.web.client_secret,
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert claims(refreshed["access_token"])["org_id"] == org.id


def test_a_user_who_is_not_a_member_is_refused_at_the_callback(
    apps: Apps, browser: httpx.Client
) -> None:
    org = organization(apps)
    done = login(
        browser, apps.tenant, authorize_url(apps.web, organization=org.id), EMAIL, PASSWORD
    )
    params = callback_params(done)
    assert params["error"] == "access_denied"
    assert params["error_description"] == (
        f"user {apps.user.user_id} is not part of the {org.id} organization"
    )
    assert params["state"] == "app-state"
    assert apps.tenant.get_organization(org.id).members == []


def test_assign_membership_on_login_makes_the_user_a_member(
    apps: Apps, browser: httpx.Client
) -> None:
    org = organization(apps, assign_membership_on_login=True)
    done = login(
        browser, apps.tenant, authorize_url(apps.web, organization=org.id), EMAIL, PASSWORD
    )
    assert "code" in callback_params(done)
    assert apps.tenant.get_organization(org.id).members == [apps.user.user_id]


def test_an_organization_name_needs_the_tenant_flag_and_then_org_name_is_in_tokens(
    apps: Apps, browser: httpx.Client
) -> None:
    org = organization(apps)
    apps.tenant.add_organization_members(org.id, [apps.user.user_id])
    refused = get(browser, apps.tenant, authorize_url(apps.web, organization="acme"))
    assert callback_params(refused)["error_description"] == (
        "authorization request parameter organization must be an organization id"
    )  # https://github.com/auth0/auth0-react/issues/590
    apps.tenant.update_settings({"allow_organization_name_in_authentication_api": True})
    done = login(
        browser, apps.tenant, authorize_url(apps.web, organization="acme"), EMAIL, PASSWORD
    )
    tokens = exchange(browser, apps, callback_params(done)["code"])
    for token in (tokens["id_token"], tokens["access_token"]):
        assert claims(token)["org_id"] == org.id and claims(token)["org_name"] == "acme"


def test_an_unknown_organization_is_refused(apps: Apps, browser: httpx.Client) -> None:
    answer = get(browser, apps.tenant, authorize_url(apps.web, organization="org_missing"))
    assert callback_params(answer)["error"] == "invalid_request"


def test_a_client_that_requires_an_organization_refuses_a_login_without_one(
    apps: Apps, browser: httpx.Client
) -> None:
    apps.tenant.update_client(apps.web.client_id, {"organization_usage": "require"})
    answer = get(browser, apps.tenant, authorize_url(apps.web))
    params = callback_params(answer)
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "parameter organization is required for this client"


def test_following_an_invitation_makes_the_invitee_a_member(
    apps: Apps, browser: httpx.Client
) -> None:
    tenant = apps.tenant
    org = organization(apps)
    tenant.update_client(
        apps.web.client_id, {"initiate_login_uri": "https://app.example.com/login"}
    )
    invitation = tenant.create_invitation(
        org.id,
        {
            "inviter": {"name": "Grace"},
            "invitee": {"email": EMAIL},
            "client_id": apps.web.client_id,
        },
    )
    mail = tenant.mail[-1]
    assert mail["template"] == "organization_invitation" and mail["recipient"] == EMAIL
    link = urlsplit(mail["link"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://app.example.com/login"
    query = dict(parse_qsl(link.query))
    assert query == {
        "invitation": invitation["ticket_id"],
        "organization": org.id,
        "organization_name": "acme",
    }
    # The app's login route sends the invitee on to /authorize with both parameters.
    url = authorize_url(
        apps.web, organization=query["organization"], invitation=query["invitation"]
    )
    done = login(browser, tenant, url, EMAIL, PASSWORD)
    tokens = exchange(browser, apps, callback_params(done)["code"])
    assert claims(tokens["id_token"])["org_id"] == org.id
    assert tenant.get_organization(org.id).members == [apps.user.user_id]
    assert tenant.list_invitations(org.id) == []


def test_an_expired_invitation_makes_no_member(apps: Apps, browser: httpx.Client) -> None:
    tenant = apps.tenant
    org = organization(apps)
    tenant.update_settings({"default_redirection_uri": "https://app.example.com/login"})
    invitation = tenant.create_invitation(
        org.id,
        {
            "inviter": {"name": "Grace"},
            "invitee": {"email": EMAIL},
            "client_id": apps.web.client_id,
            "ttl_sec": 60,
        },
    )
    tenant.clock.advance(61)
    url = authorize_url(apps.web, organization=org.id, invitation=invitation["ticket_id"])
    params = callback_params(login(browser, tenant, url, EMAIL, PASSWORD))
    assert params["error"] == "access_denied"
