"""The Authentication API's database-connection endpoints: ``/dbconnections/signup`` and
``/dbconnections/change_password``.

Called by applications with no token (the body names the ``client_id``), in JSON or as a
form. The body is typed here, each property a string (``user_metadata`` an object) within the
limits Auth0's spec gives the same profile attributes on ``POST /users``; the rules are the
domain's (``fakeauth0.signups``). Every refusal is Auth0's sign-up body
(:class:`~fakeauth0.errors.SignupError`), never the Management envelope, nor a 500.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from ..errors import Auth0Error, SignupError, SignupMsg
from ..signups import PROFILE_FIELDS, signup_json
from . import validation
from .routes import Answer, Call, authentication

#: The string properties of a sign-up body; the profile ones are held to ``post_users``'s
#: schema (lengths, the e-mail and picture formats).
_SIGNUP_STRINGS = (
    "client_id",
    "connection",
    "email",
    "password",
    "username",
    "phone_number",
    *PROFILE_FIELDS,
)
_RESET_STRINGS = ("client_id", "connection", "email", "organization")
#: The answer to a reset request is text, as recorded (auth0/go-auth0
#: test/data/recordings/authentication/TestDatabaseChangePassword.yaml).
_RESET_TYPE = "text/html; charset=utf-8"


@authentication("/dbconnections/signup", "POST", endpoint="dbconnections_signup")
def signup(call: Call) -> Answer:
    body = _body(call)
    fields = _strings(body, _SIGNUP_STRINGS)
    metadata = body.get("user_metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _bad_type("user_metadata", metadata, "object")
    _check_profile(fields, metadata)
    user = call.tenant.signup(
        client_id=fields.get("client_id"),
        connection=fields.get("connection"),
        email=fields.get("email"),
        password=fields.get("password"),
        username=fields.get("username"),
        phone_number=fields.get("phone_number"),
        profile={k: fields[k] for k in PROFILE_FIELDS if k in fields},
        user_metadata=metadata,
        caller=call.caller(),
    )
    return 200, signup_json(user)


@authentication("/dbconnections/change_password", "POST", endpoint="dbconnections_change_password")
def change_password(call: Call) -> Answer:
    fields = _strings(_body(call), _RESET_STRINGS)
    call.tenant.request_password_change(
        client_id=fields.get("client_id"),
        email=fields.get("email"),
        connection=fields.get("connection"),
    )
    return Response(SignupMsg.RESET_EMAIL_SENT, status=200, content_type=_RESET_TYPE)


def _body(call: Call) -> dict[str, Any]:
    """The JSON or form body; one that cannot be read is the sign-up body's 400."""
    try:
        body = call.json()
    except Auth0Error as error:
        if error.status != 400:
            raise  # 413 and 415 keep the envelope every plane answers them with
        raise SignupError("bad.request", error.message) from None
    if not isinstance(body, dict):
        raise SignupError(
            "bad.request",
            SignupMsg.BAD_TYPE.format(name="body", found=_json_type(body), expected="object"),
        )
    return body


def _strings(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The ``names`` the body holds, each a string (``null`` counts as absent)."""
    fields: dict[str, str] = {}
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _bad_type(name, value, "string")
        fields[name] = value
    return fields


def _check_profile(fields: dict[str, str], metadata: dict[str, Any] | None) -> None:
    """The limits ``POST /users`` holds the same attributes to (the spec's
    ``CreateUserRequestContent``): lengths, the e-mail and picture formats."""
    checked: dict[str, Any] = {
        k: v for k, v in fields.items() if k in ("email", "username", *PROFILE_FIELDS)
    }
    if metadata is not None:
        checked["user_metadata"] = metadata
    if not checked:
        return
    try:
        validation.validate_body("post_users", {"connection": "-", **checked})
    except Auth0Error as error:
        name = next((k for k in checked if f"property {k}" in error.message), "request")
        raise SignupError(f"bad.{name}", error.message) from None


def _bad_type(name: str, value: Any, expected: str) -> SignupError:
    return SignupError(
        f"bad.{name}",
        SignupMsg.BAD_TYPE.format(name=name, found=_json_type(value), expected=expected),
    )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string" if isinstance(value, str) else "null"
