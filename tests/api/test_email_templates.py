"""E-mail templates (``/email-templates``) and the e-mails they let the tenant send.

The API's shapes follow go-auth0's recording TestEmailTemplateManager_Create
(https://github.com/auth0/go-auth0/tree/main/test/data/recordings) and the spec; auth0-python's
``ManagementClient.email_templates`` judges them. The effects on the outbox follow Auth0's
template descriptions: "Once a user verifies their email address, they will receive a Welcome
Email. If you turn off the Verification Email feature, the Welcome Email will be sent to the user
when they sign-up"
(https://auth0.com/docs/customize/email/email-templates/email-template-descriptions), and a
disabled Verification Email stops the e-mail at sign-up
(https://community.auth0.com/t/stop-verification-email-from-sending-for-certain-applications/131642).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

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

TEMPLATES = "/api/v2/email-templates"
VERIFY = {
    "template": "verify_email",
    "body": "<html><body><h1>Verify your email</h1></body></html>",
    "from": "me@example.com",
    "resultUrl": "https://www.example.com/verify-email",
    "subject": "Verify your email",
    "syntax": "liquid",
    "enabled": True,
    "includeEmailInRedirect": True,
}
WELCOME = {
    "template": "welcome_email",
    "body": "<p>Welcome!</p>",
    "from": "hello@example.com",
    "subject": "Welcome aboard",
    "syntax": "liquid",
    "enabled": True,
}


def _signup(tenant: Tenant, email: str) -> None:
    tenant.signup(
        client_id=tenant.management_client.client_id, connection=DB, email=email, password=PASSWORD
    )


def _templates(tenant: Tenant, email: str) -> list[str]:
    return [m["template"] for m in tenant.outbox.matching(to=email)]


def test_a_template_is_created_read_patched_and_replaced(raw: Any) -> None:
    """TestEmailTemplateManager_Create: a second create is 409 "Template verify_email already
    exists." without an errorCode; PATCH ``{"enabled": false}`` answers the whole template."""
    created = raw.post(TEMPLATES, json=VERIFY)
    assert created.status_code == 200, created.text
    assert created.json() == VERIFY
    again = raw.post(TEMPLATES, json=VERIFY)
    assert again.status_code == 409 and again.json() == {
        "statusCode": 409,
        "error": "Conflict",
        "message": "Template verify_email already exists.",
    }
    path = f"{TEMPLATES}/verify_email"
    assert raw.get(path).json() == VERIFY
    patched = raw.patch(path, json={"enabled": False})
    assert patched.status_code == 200 and patched.json() == {**VERIFY, "enabled": False}
    replacement = {**VERIFY, "subject": "Let's get you verified!", "enabled": True}
    del replacement["resultUrl"]
    put = raw.put(path, json=replacement)
    assert put.status_code == 200 and put.json() == replacement
    assert raw.get(path).json() == replacement


def test_a_template_never_configured_is_404_and_cannot_be_patched_or_replaced(raw: Any) -> None:
    """The spec's 404s ("Template not found." on PUT, "... and cannot be updated" on PATCH);
    GET of a template never configured is 404 too, as auth0-deploy-cli expects
    (https://github.com/auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/emailTemplates.ts;
    CHOICES.md "e-mail templates: never configured")."""
    path = f"{TEMPLATES}/welcome_email"
    for answer in (
        raw.get(path),
        raw.patch(path, json={"enabled": True}),
        raw.put(path, json=WELCOME),
    ):
        assert answer.status_code == 404 and answer.json() == {
            "statusCode": 404,
            "error": "Not Found",
            "message": "Template not found.",
        }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", TEMPLATES, {**VERIFY, "template": "no_such_template"}),
        ("post", TEMPLATES, {"template": "verify_email", "enabled": True}),
        ("post", TEMPLATES, {**VERIFY, "colour": "blue"}),
        ("get", f"{TEMPLATES}/no_such_template", None),
        ("patch", f"{TEMPLATES}/verify_email", {"enabled": "yes"}),
    ],
)
def test_bad_input_is_a_400(raw: Any, method: str, path: str, body: Any) -> None:
    """The spec's schemas: the template names of EmailTemplateNameEnum, the required fields,
    no other properties (docs/auth0-behaviour.md#error-bodies)."""
    kwargs = {} if body is None else {"json": body}
    answer = getattr(raw, method)(path, **kwargs)
    assert answer.status_code == 400, answer.text
    assert answer.json()["statusCode"] == 400


def test_auth0_python_manages_templates(auth0_tenant: Tenant, auth0_intercept: Interceptor) -> None:
    mgmt = ManagementClient(domain=auth0_tenant.domain, token=auth0_tenant.management_token())
    with pytest.raises(ApiError) as missing:
        mgmt.email_templates.get("welcome_email")
    assert missing.value.status_code == 404
    created = mgmt.email_templates.create(
        template="welcome_email",
        body="<p>Hi</p>",
        from_="hello@example.com",
        subject="Hi",
        syntax="liquid",
        enabled=True,
    )
    assert created.template == "welcome_email" and created.from_ == "hello@example.com"
    assert mgmt.email_templates.update("welcome_email", enabled=False).enabled is False
    replaced = mgmt.email_templates.set(
        "welcome_email",
        template="welcome_email",
        body="<p>Hello</p>",
        from_="hi@example.com",
        subject="Hello",
        syntax="liquid",
        enabled=True,
        url_lifetime_in_seconds=600,
    )
    assert replaced.url_lifetime_in_seconds == 600 and replaced.body == "<p>Hello</p>"
    assert mgmt.email_templates.get("welcome_email").subject == "Hello"
    with pytest.raises(ApiError) as conflict:
        mgmt.email_templates.create(
            template="welcome_email", body="", from_="", subject="", syntax="liquid", enabled=True
        )
    assert conflict.value.status_code == 409


def test_a_new_tenant_sends_verification_but_no_welcome(tenant: Tenant, http: httpx.Client) -> None:
    """Never configured: the verification e-mail goes out, the welcome e-mail does not
    (CHOICES.md "e-mail templates: never configured")."""
    _signup(tenant, "new@example.com")
    assert _templates(tenant, "new@example.com") == ["verify_email"]
    link = tenant.outbox.latest(to="new@example.com", template="verify_email")["link"]
    assert http.get(link).status_code in (200, 302)
    (user,) = tenant.users_by_email("new@example.com")
    assert user.profile["email_verified"] is True
    assert _templates(tenant, "new@example.com") == ["verify_email"]


def test_welcome_follows_the_verification_when_enabled(
    tenant: Tenant, raw: Any, http: httpx.Client
) -> None:
    assert raw.post(TEMPLATES, json=WELCOME).status_code == 200
    _signup(tenant, "ann@example.com")
    assert _templates(tenant, "ann@example.com") == ["verify_email"]
    link = tenant.outbox.latest(to="ann@example.com", template="verify_email")["link"]
    http.get(link)
    assert _templates(tenant, "ann@example.com") == ["verify_email", "welcome_email"]
    welcome = tenant.outbox.latest(to="ann@example.com", template="welcome_email")
    assert welcome["from"] == "hello@example.com" and welcome["subject"] == "Welcome aboard"
    assert welcome["user_id"].startswith("auth0|") and "link" not in welcome
    # the link is used once: following it again sends nothing more
    http.get(link)
    assert _templates(tenant, "ann@example.com") == ["verify_email", "welcome_email"]


def test_no_welcome_when_its_template_is_disabled(
    tenant: Tenant, raw: Any, http: httpx.Client
) -> None:
    assert raw.post(TEMPLATES, json={**WELCOME, "enabled": False}).status_code == 200
    _signup(tenant, "bob@example.com")
    http.get(tenant.outbox.latest(to="bob@example.com", template="verify_email")["link"])
    assert _templates(tenant, "bob@example.com") == ["verify_email"]


def test_verification_disabled_means_no_verification_mail_and_welcome_at_signup(
    tenant: Tenant, raw: Any
) -> None:
    assert raw.post(TEMPLATES, json={**VERIFY, "enabled": False}).status_code == 200
    _signup(tenant, "quiet@example.com")
    assert _templates(tenant, "quiet@example.com") == []
    assert raw.post(TEMPLATES, json=WELCOME).status_code == 200
    _signup(tenant, "greeted@example.com")
    assert _templates(tenant, "greeted@example.com") == ["welcome_email"]


def test_a_verification_job_sends_nothing_while_verify_email_is_disabled(
    tenant: Tenant, raw: Any
) -> None:
    """ "You must have the Status toggle enabled for the verification email template for the
    email to be sent" (https://auth0.com/docs/api/management/v2/jobs/post-verification-email);
    the job itself is still accepted and completes."""
    assert raw.post(TEMPLATES, json={**VERIFY, "enabled": False}).status_code == 200
    user = raw.create_user(connection=DB, email="job@example.com", password=PASSWORD)
    job = raw.post("/api/v2/jobs/verification-email", json={"user_id": user["user_id"]})
    assert job.status_code == 201, job.text
    tenant.settle_jobs()
    assert raw.get(f"/api/v2/jobs/{job.json()['id']}").json()["status"] == "completed"
    assert _templates(tenant, "job@example.com") == []
    assert raw.patch(f"{TEMPLATES}/verify_email", json={"enabled": True}).status_code == 200
    raw.post("/api/v2/jobs/verification-email", json={"user_id": user["user_id"]})
    tenant.settle_jobs()
    sent = tenant.outbox.latest(to="job@example.com", template="verify_email")
    assert sent is not None and sent["subject"] == VERIFY["subject"]
    ticket = tenant.tickets.get(
        parse_qs(urlsplit(sent["link"]).query)["ticket"][0], "email-verification"
    )
    assert ticket is not None and ticket.result_url == VERIFY["resultUrl"]


def test_reset_disabled_means_no_reset_mail(tenant: Tenant, raw: Any) -> None:
    _signup(tenant, "reset@example.com")
    reset = {**VERIFY, "template": "reset_email", "enabled": False}
    assert raw.post(TEMPLATES, json=reset).status_code == 200
    tenant.request_password_change(
        client_id=tenant.management_client.client_id, email="reset@example.com", connection=DB
    )
    assert _templates(tenant, "reset@example.com") == ["verify_email"]
    assert raw.patch(f"{TEMPLATES}/reset_email", json={"enabled": True}).status_code == 200
    tenant.request_password_change(
        client_id=tenant.management_client.client_id, email="reset@example.com", connection=DB
    )
    assert _templates(tenant, "reset@example.com") == ["verify_email", "reset_email"]


def test_the_verify_templates_result_url_and_lifetime_shape_the_link(
    tenant: Tenant, raw: Any, http: httpx.Client
) -> None:
    """The template's "Redirect To" URL gets ``success`` and ``message``, and the address as
    ``email`` unless ``includeEmailInRedirect`` is false; ``urlLifetimeInSeconds`` is the
    link's lifetime (https://auth0.com/docs/customize/email/email-templates/email-template-descriptions)."""
    body = {**VERIFY, "urlLifetimeInSeconds": 120}
    assert raw.post(TEMPLATES, json=body).status_code == 200
    _signup(tenant, "link@example.com")
    link = tenant.outbox.latest(to="link@example.com", template="verify_email")["link"]
    ticket = tenant.tickets.get(parse_qs(urlsplit(link).query)["ticket"][0], "email-verification")
    assert ticket is not None
    assert ticket.expires_at == pytest.approx(tenant.clock.time() + 120, abs=2)
    followed = http.get(link)
    assert followed.status_code == 302
    target = urlsplit(followed.headers["location"])
    assert target.netloc == "www.example.com" and target.path == "/verify-email"
    query = parse_qs(target.query)
    assert query["success"] == ["true"] and query["email"] == ["link@example.com"]


def test_templates_survive_snapshot_reset_and_seeds() -> None:
    tenant = Tenant()
    tenant.create_email_template(WELCOME)
    saved = tenant.snapshot()
    assert saved["email_templates"] == [WELCOME]
    tenant.load_seed(saved)
    tenant.update_email_template("welcome_email", {"enabled": False})
    tenant.reset()
    assert tenant.get_email_template("welcome_email") == WELCOME
    assert "email_templates" not in Tenant().snapshot()
    for bad in ({"email_templates": {}}, {"email_templates": [{"template": "nope"}]}):
        with pytest.raises(SeedError, match="email_templates"):
            Tenant().load_seed(bad)


def test_the_state_file_keeps_templates(tmp_path: Any) -> None:
    path = str(tmp_path / "state.db")
    tenant = Tenant("state.example.com")
    with FakeAuth0Server(tenant, store=StateStore(path)) as server:
        wire = Wire("127.0.0.1", server.port, tenant.management_token())
        status, created = wire.call("POST", TEMPLATES, WELCOME)
        assert status == 200
        wire.close()
    again = Tenant("state.example.com")
    store = StateStore(path)
    try:
        again.restore(store.load("state.example.com"))
    finally:
        store.close()
    assert again.get_email_template("welcome_email") == created == WELCOME
