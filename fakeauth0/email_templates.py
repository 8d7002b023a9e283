"""The tenant's e-mail templates (``/email-templates``) and whether each e-mail is sent.

A template exists once created (``POST``); until then ``GET`` answers 404 and the tenant
sends Auth0's built-in e-mail, or none (:data:`SENT_UNCONFIGURED`). Its ``enabled`` flag is
the dashboard's "Status" toggle: a disabled ``verify_email`` means no verification e-mail at
sign-up (https://community.auth0.com/t/stop-verification-email-from-sending-for-certain-applications/131642),
and the ``welcome_email`` goes out once the user verifies the address, or at sign-up when
``verify_email`` is off
(https://auth0.com/docs/customize/email/email-templates/email-template-descriptions).

Shapes follow go-auth0's recording TestEmailTemplateManager_Create
(https://github.com/auth0/go-auth0/tree/main/test/data/recordings): the stored fields as
given, ``409 "Template verify_email already exists."`` without an ``errorCode``. No HTTP
here; the caller holds the tenant lock.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Auth0Error, Msg
from .outbox import RESET_EMAIL as RESET_EMAIL
from .outbox import VERIFY_EMAIL as VERIFY_EMAIL
from .outbox import WELCOME_EMAIL as WELCOME_EMAIL

#: The spec's ``EmailTemplateNameEnum``.
NAMES = (
    "verify_email",
    "verify_email_by_code",
    "reset_email",
    "reset_email_by_code",
    "welcome_email",
    "blocked_account",
    "stolen_credentials",
    "enrollment_email",
    "mfa_oob_code",
    "user_invitation",
    "change_password",
    "password_reset",
    "async_approval",
)
#: A template's fields, in the order Auth0 answers them (the recording's PATCH answer).
FIELDS = (
    "template",
    "body",
    "from",
    "resultUrl",
    "subject",
    "syntax",
    "urlLifetimeInSeconds",
    "includeEmailInRedirect",
    "enabled",
)
#: The e-mails a tenant sends before any template is configured: every one with Auth0's
#: default text except the welcome e-mail, whose template starts disabled (CHOICES.md
#: "e-mail templates: never configured").
SENT_UNCONFIGURED = frozenset(NAMES) - {WELCOME_EMAIL}


@dataclass
class TemplateBook:
    """A tenant's configured templates by name."""

    templates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def copy(self) -> TemplateBook:
        return TemplateBook(copy.deepcopy(self.templates))

    def require(self, name: str) -> dict[str, Any]:
        found = self.templates.get(name)
        if found is None:
            raise Auth0Error(404, Msg.EMAIL_TEMPLATE_NOT_FOUND)
        return found

    def sends(self, name: str) -> bool:
        """Whether the tenant sends the e-mail ``name``: its template's ``enabled``, or the
        default of a template never configured."""
        found = self.templates.get(name)
        if found is None:
            return name in SENT_UNCONFIGURED
        return found.get("enabled") is True

    def link_options(self, name: str) -> dict[str, Any]:
        """What ``verify_email`` / ``reset_email`` give the ticket in the e-mail: its
        ``resultUrl`` (and whether the address rides along), its ``urlLifetimeInSeconds``."""
        found = self.templates.get(name)
        if found is None:
            return {}
        options: dict[str, Any] = {}
        if found.get("resultUrl"):
            options["result_url"] = found["resultUrl"]
            options["include_email"] = found.get("includeEmailInRedirect", True) is not False
        lifetime = found.get("urlLifetimeInSeconds")
        if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) and lifetime > 0:
            options["ttl_sec"] = int(lifetime)
        return options

    def dress(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message with its configured template's ``from`` and ``subject``."""
        found = self.templates.get(str(message.get("template")))
        if found is not None:
            for key in ("from", "subject"):
                if found.get(key) is not None:
                    message[key] = found[key]
        return message


def to_json(template: Mapping[str, Any]) -> dict[str, Any]:
    return {k: template[k] for k in FIELDS if k in template}


def _fields(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(body[k]) for k in FIELDS if k in body}


def create(book: TemplateBook, body: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /email-templates`` (the body already checked against the spec)."""
    name = str(body["template"])
    if name in book.templates:
        raise Auth0Error(409, Msg.EMAIL_TEMPLATE_EXISTS.format(name=name))
    book.templates[name] = _fields(body)
    return book.templates[name]


def update(book: TemplateBook, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``PATCH /email-templates/{name}``: the fields given replace the stored ones; the
    template keeps the name of its URL."""
    stored = dict(book.require(name))
    stored.update(_fields(body))
    stored["template"] = name
    book.templates[name] = stored
    return stored


def replace(book: TemplateBook, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``PUT /email-templates/{name}``: the whole template replaced (404 when it was never
    created, as the spec's put_email-templates_by_templateName lists)."""
    book.require(name)
    stored = _fields(body)
    stored["template"] = name
    book.templates[name] = stored
    return stored


def record(book: TemplateBook) -> list[dict[str, Any]]:
    """The seed / snapshot form: every template, in creation order."""
    return [to_json(t) for t in book.templates.values()]


def parse(data: Any) -> TemplateBook:
    """A seed's ``email_templates``: a list of templates, each with a known ``template``
    name; raises ValueError for any other."""
    if not isinstance(data, list):
        raise ValueError("email_templates must be a list of templates")
    book = TemplateBook()
    for item in data:
        if not isinstance(item, dict) or item.get("template") not in NAMES:
            raise ValueError(f"each template needs a template name among {', '.join(NAMES)}")
        unknown = set(item) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown template fields: {', '.join(sorted(unknown))}")
        if "enabled" in item and not isinstance(item["enabled"], bool | None):
            raise ValueError("enabled must be true or false")
        if item["template"] in book.templates:
            raise ValueError(f"template {item['template']} given twice")
        book.templates[item["template"]] = _fields(item)
    return book
