"""Management API handlers for ``/email-templates`` (see :mod:`fakeauth0.email_templates`)."""

from __future__ import annotations

from typing import Any

from ..email_templates import NAMES
from ..errors import Auth0Error, Msg
from .routes import Call, management


def _name(call: Call) -> str:
    """``{templateName}`` checked against the spec's EmailTemplateNameEnum, worded as every
    path enum (docs/auth0-behaviour.md#error-bodies)."""
    name = str(call.args["templateName"])
    if name not in NAMES:
        raise Auth0Error.bad_request(
            Msg.PATH_ENUM.format(value=name, name="templateName", description="Template name"),
            "invalid_uri",
        )
    return name


@management("post_email-templates")
def create_email_template(call: Call) -> tuple[int, Any]:
    """200 with the template, as the spec's post_email-templates answers a create."""
    return 200, call.tenant.create_email_template(call.body())


@management("get_email-templates_by_templateName")
def get_email_template(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_email_template(_name(call))


@management("patch_email-templates_by_templateName")
def update_email_template(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_email_template(_name(call), call.body())


@management("put_email-templates_by_templateName")
def replace_email_template(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.replace_email_template(_name(call), call.body())
