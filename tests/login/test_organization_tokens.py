"""What a token issued for an organization carries.

- RBAC through an organization counts the member's organization roles only: roles the user
  holds outside it and permissions given to the user directly stay out, and they count again
  outside the organization (https://community.auth0.com/t/organization-permissions-claim-empty/99135;
  https://auth0.com/docs/manage-users/organizations/configure-organizations/add-member-roles),
  on every grant: the code, the refresh token, a programmatic login.
- An invitation's roles become the member's roles when it is accepted
  (https://auth0.com/docs/manage-users/organizations/configure-organizations/invite-members).
- A client's own token may name an organization, as its client grant's ``organization_usage``
  and ``allow_any_organization`` permit, and then carries ``org_id`` and ``org_name``
  (https://auth0.com/docs/manage-users/organizations/organizations-for-m2m-applications/configure-your-application-for-m2m-access;
  auth0-python's ``GetToken.client_credentials``,
  https://github.com/auth0/auth0-python/blob/master/auth0/authentication/get_token.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant
from fakeauth0.errors import OAuthError
from fakeauth0.organizations import Organization
from tests.login.browser import callback_params, login
from tests.login.conftest import API, DB, EMAIL, PASSWORD, Apps, make_apps
from tests.login.test_organization_login import authorize_url, claims, exchange

SCOPES = ("read:items", "write:items", "delete:items")


def rbac(tenant: Tenant) -> None:
    server = next(s for s in tenant.list_resource_servers() if s.identifier == API)
    tenant.update_resource_server(
        server.id,
        {
            "scopes": [{"value": s} for s in SCOPES],
            "enforce_policies": True,
            "token_dialect": "access_token_authz",
        },
    )


def org_with_member(apps: Apps) -> Organization:
    """Ada reads through a tenant role and writes directly; in ``acme`` she deletes."""
    tenant = apps.tenant
    rbac(tenant)
    reader = tenant.create_role("reader", permissions=[(API, "read:items")])
    deleter = tenant.create_role("deleter", permissions=[(API, "delete:items")])
    tenant.assign_roles(apps.user.user_id, [reader.id])
    tenant.add_user_permissions(apps.user.user_id, [(API, "write:items")])
    org = tenant.create_organization({"name": "acme"})
    tenant.add_organization_members(org.id, [apps.user.user_id])
    tenant.assign_organization_member_roles(org.id, apps.user.user_id, [deleter.id])
    return org


def refresh(browser: httpx.Client, apps: Apps, token: str) -> dict[str, Any]:
    answer = browser.post(
        "/oauth/token",
        json={
            "grant_type": "refresh_token",
            "client_id": apps.web.client_id,
            "client_secret": apps.web.client_secret,
            "refresh_token": token,
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_login_through_an_organization_carries_the_members_org_roles_only(
    apps: Apps, browser: httpx.Client
) -> None:
    org = org_with_member(apps)
    scope = "openid offline_access " + " ".join(SCOPES)
    url = authorize_url(apps.web, organization=org.id, scope=scope)
    tokens = exchange(
        browser, apps, callback_params(login(browser, apps.tenant, url, EMAIL, PASSWORD))["code"]
    )
    access = claims(tokens["access_token"])
    assert access["org_id"] == org.id
    assert access["permissions"] == ["delete:items"]
    assert tokens["scope"] == "openid offline_access delete:items"
    # The refresh token is the organization's too; a role taken away narrows it.
    assert claims(refresh(browser, apps, tokens["refresh_token"])["access_token"])[
        "permissions"
    ] == ["delete:items"]
    apps.tenant.remove_organization_member_roles(
        org.id, apps.user.user_id, [r.id for r in apps.tenant.list_roles()]
    )
    narrowed = claims(refresh(browser, apps, tokens["refresh_token"])["access_token"])
    assert narrowed["permissions"] == [] and narrowed["org_id"] == org.id


def test_outside_the_organization_the_users_own_permissions_count(apps: Apps) -> None:
    org_with_member(apps)
    scope = " ".join(SCOPES)
    outside = apps.tenant.login_as(EMAIL, client_id=apps.web.client_id, audience=API, scope=scope)
    assert claims(outside.tokens["access_token"])["permissions"] == ["read:items", "write:items"]


def test_a_programmatic_login_goes_through_an_organization(apps: Apps) -> None:
    """``tenant.login_as(..., organization=)`` under ``/authorize``'s rules."""
    org = org_with_member(apps)
    inside = apps.tenant.login_as(
        EMAIL,
        client_id=apps.web.client_id,
        audience=API,
        scope=" ".join(SCOPES),
        organization=org.id,
    )
    access = claims(inside.tokens["access_token"])
    assert access["org_id"] == org.id and access["permissions"] == ["delete:items"]
    assert claims(inside.id_token)["org_id"] == org.id
    assert "org_name" not in claims(inside.id_token)
    # Without an audience, the ID token still names the organization.
    bare = apps.tenant.login_as(EMAIL, client_id=apps.web.client_id, organization=org.id)
    assert claims(bare.id_token)["org_id"] == org.id


def test_a_programmatic_login_is_refused_to_a_non_member_and_admits_by_connection(
    apps: Apps,
) -> None:
    tenant = apps.tenant
    org = tenant.create_organization({"name": "acme"})
    with pytest.raises(OAuthError) as refused:
        tenant.login_as(EMAIL, client_id=apps.web.client_id, organization=org.id)
    assert refused.value.error == "access_denied"
    assert refused.value.description == (
        f"user {apps.user.user_id} is not part of the {org.id} organization"
    )
    with pytest.raises(OAuthError) as by_name:
        tenant.login_as(EMAIL, client_id=apps.web.client_id, organization="acme")
    assert by_name.value.error == "invalid_request"
    tenant.add_organization_connection(
        org.id,
        {"connection_id": tenant.connection(DB).id, "assign_membership_on_login": True},
    )
    tenant.update_settings({"allow_organization_name_in_authentication_api": True})
    result = tenant.login_as(EMAIL, client_id=apps.web.client_id, organization="acme")
    assert claims(result.id_token)["org_name"] == "acme"
    assert tenant.get_organization(org.id).members == [apps.user.user_id]


def test_the_control_plane_login_takes_an_organization(apps: Apps, browser: httpx.Client) -> None:
    org = org_with_member(apps)
    answer = browser.post(
        "/_fake/login",
        json={
            "connection": DB,
            "email": EMAIL,
            "client_id": apps.web.client_id,
            "audience": API,
            "scope": "openid delete:items",
            "organization": org.id,
        },
    )
    assert answer.status_code == 200, answer.text
    assert claims(answer.json()["access_token"])["permissions"] == ["delete:items"]
    wrong = browser.post("/_fake/login", json={"connection": DB, "email": EMAIL, "organization": 1})
    assert wrong.status_code == 400


def test_an_accepted_invitation_gives_its_roles(apps: Apps, browser: httpx.Client) -> None:
    tenant = apps.tenant
    rbac(tenant)
    deleter = tenant.create_role("deleter", permissions=[(API, "delete:items")])
    org = tenant.create_organization({"name": "acme"})
    tenant.update_settings({"default_redirection_uri": "https://app.example.com/login"})
    invitation = tenant.create_invitation(
        org.id,
        {
            "inviter": {"name": "Jane"},
            "invitee": {"email": EMAIL},
            "client_id": apps.web.client_id,
            "roles": [deleter.id],
        },
    )
    url = authorize_url(
        apps.web,
        organization=org.id,
        invitation=invitation["ticket_id"],
        scope="openid delete:items",
    )
    tokens = exchange(
        browser, apps, callback_params(login(browser, tenant, url, EMAIL, PASSWORD))["code"]
    )
    assert claims(tokens["access_token"])["permissions"] == ["delete:items"]
    assert [r.id for r in tenant.organization_member_roles(org.id, apps.user.user_id)] == [
        deleter.id
    ]


# -- machine-to-machine access ------------------------------------------------------------------


def m2m(apps: Apps, **options: Any) -> tuple[GetToken, str, Organization]:
    tenant = apps.tenant
    bot = tenant.create_client_from({"name": "Bot", "app_type": "non_interactive"})
    grant = tenant.create_client_grant(
        {"client_id": bot.client_id, "audience": API, "scope": ["read:items"], **options}
    )
    org = tenant.create_organization({"name": "acme"})
    sdk = GetToken(tenant.domain, bot.client_id, client_secret=bot.client_secret)
    return sdk, grant["id"], org


@pytest.mark.usefixtures("auth0_intercept")
def test_a_client_token_for_an_associated_organization_names_it(apps: Apps) -> None:
    sdk, grant_id, org = m2m(apps, organization_usage="allow")
    with pytest.raises(Auth0Error) as unassociated:
        sdk.client_credentials(API, organization=org.id)
    assert unassociated.value.status_code == 403
    assert unassociated.value.error_code == "access_denied"
    apps.tenant.add_organization_client_grant(org.id, grant_id)
    for named in (org.id, "acme"):
        token = sdk.client_credentials(API, organization=named)["access_token"]
        assert (claims(token)["org_id"], claims(token)["org_name"]) == (org.id, "acme")
    # "allow" makes the organization optional.
    assert "org_id" not in claims(sdk.client_credentials(API)["access_token"])
    with pytest.raises(Auth0Error) as unknown:
        sdk.client_credentials(API, organization="org_missing")
    assert unknown.value.status_code == 400


@pytest.mark.usefixtures("auth0_intercept")
def test_organization_usage_deny_refuses_and_require_insists(apps: Apps) -> None:
    sdk, _, org = m2m(apps)  # organization_usage unset: deny
    with pytest.raises(Auth0Error) as denied:
        sdk.client_credentials(API, organization=org.id)
    assert denied.value.status_code == 400
    assert "org_id" not in claims(sdk.client_credentials(API)["access_token"])
    tenant = apps.tenant
    grant = next(g for g in tenant.list_client_grants() if g["audience"] == API)
    tenant.update_client_grant(
        grant["id"], {"organization_usage": "require", "allow_any_organization": True}
    )
    with pytest.raises(Auth0Error) as required:
        sdk.client_credentials(API)
    assert required.value.status_code == 400
    token = sdk.client_credentials(API, organization=org.id)["access_token"]
    assert claims(token)["org_id"] == org.id  # any organization, associated or not


# -- the invariant ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tenant_roles=st.lists(st.sampled_from(range(3)), unique=True),
    org_roles=st.lists(st.sampled_from(range(3)), unique=True),
    direct=st.lists(st.sampled_from(SCOPES), unique=True),
    asked=st.lists(st.sampled_from(SCOPES), unique=True),
)
def test_rbac_in_an_organization_is_the_org_roles_and_outside_the_users_own(
    tenant_roles: list[int], org_roles: list[int], direct: list[str], asked: list[str]
) -> None:
    """For any roles and permissions: in the organization, the token's API scopes are those
    asked for that the member's organization roles grant; outside, those the user's own roles
    and direct permissions grant."""
    tenant = Tenant()
    apps = make_apps(tenant)
    rbac(tenant)
    roles = [tenant.create_role(f"r{i}", permissions=[(API, SCOPES[i])]) for i in range(3)]
    user_id = apps.user.user_id
    tenant.assign_roles(user_id, [roles[i].id for i in tenant_roles])
    if direct:
        tenant.add_user_permissions(user_id, [(API, s) for s in direct])
    org = tenant.create_organization({"name": "acme"})
    tenant.add_organization_members(org.id, [user_id])
    tenant.assign_organization_member_roles(org.id, user_id, [roles[i].id for i in org_roles])
    scope = " ".join(["openid", *asked])
    key = jwt.PyJWK(tenant.tokens.jwks()["keys"][0]).key

    def granted(**extra: Any) -> set[str]:
        tokens = tenant.login_as(
            EMAIL, client_id=apps.web.client_id, audience=API, scope=scope, **extra
        ).tokens
        decoded = jwt.decode(tokens["access_token"], key, algorithms=["RS256"], audience=API)
        return set(decoded["scope"].split()) - {"openid"}

    in_org = {SCOPES[i] for i in org_roles}
    own = {SCOPES[i] for i in tenant_roles} | set(direct)
    assert granted(organization=org.id) == in_org & set(asked)
    assert granted() == own & set(asked)
