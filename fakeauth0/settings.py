"""The tenant's own settings (``/api/v2/tenants/settings``): the few logins read, typed, and every
other attribute Auth0 shows, kept as set (https://auth0.com/docs/get-started/tenant-settings).

Logins read the default directory of the password grants, the default audience, the
tenant-wide logout URLs and the session lifetimes; the rest (flags, pages, locales, ...) is
stored and shown, not acted on. No HTTP here; the caller holds the tenant lock.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import Auth0Error, Msg
from .spec import load_spec

#: What a new tenant shows besides the typed attributes: the values of terraform-provider-auth0's
#: recording TestAccTenantDefaults (test/data/recordings/TestAccTenantDefaults.yaml, "fresh
#: tenants") that the spec knows, with the spec's own defaults where the recording repeats
#: them (picture, support e-mail and URL, sandbox, ephemeral sessions).
NEW_TENANT: dict[str, Any] = {
    "acr_values_supported": [],
    "change_password": {"enabled": False},
    "enabled_locales": ["en"],
    "flags": {
        "allow_changing_enable_sso": False,
        "disable_impersonation": True,
        # "Auth0 default when not explicitly set" (the recording's test, resource_test.go).
        "enable_client_connections": True,
        "enable_sso": True,
        "no_disclose_enterprise_connections": False,
        "revoke_refresh_token_grant": False,
        "disable_clickjack_protection_headers": False,
    },
    "guardian_mfa_page": {"enabled": False},
    "ephemeral_session_lifetime": 72,
    "idle_ephemeral_session_lifetime": 24,
    "picture_url": "https://mycompany.org/logo.png",
    "sandbox_version": "22",
    "sandbox_versions_available": ["22", "18"],
    "support_email": "support@mycompany.org",
    "support_url": "https://mycompany.org/support",
    "sessions": {"oidc_logout_prompt_enabled": True},
    # On by default for tenants created since 14 Nov 2023
    # (https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0).
    "oidc_logout": {"rp_logout_end_session_endpoint_discovery": True},
    "session_cookie": {"mode": "persistent"},
}

#: Session lifetimes in whole hours, each idle one with the absolute one it may not exceed.
#: The caps are Auth0's enterprise limits: 100 days idle, 365 days absolute
#: (https://auth0.com/docs/manage-users/sessions/session-lifetime-limits); the API refuses an
#: absolute lifetime over 8760 ("Value 20160 is greater than maximum 8760",
#: https://github.com/auth0/auth0-deploy-cli/issues/1110).
LIFETIME_PAIRS = (
    ("idle_session_lifetime", "session_lifetime"),
    ("idle_ephemeral_session_lifetime", "ephemeral_session_lifetime"),
)
LIFETIME_MAXIMUM = {
    "idle_session_lifetime": 2400,
    "session_lifetime": 8760,
    "idle_ephemeral_session_lifetime": 2400,
    "ephemeral_session_lifetime": 8760,
}
#: Under an hour Auth0 wants the ``*_in_minutes`` attributes
#: (https://github.com/go-auth0/auth0/pull/156), which the spec's request schema does not have.
LIFETIME_MINIMUM = 1
_JSON_TYPES = {bool: "boolean", float: "number", str: "string", list: "array", type(None): "null"}


@cache
def attributes() -> frozenset[str]:
    """Every attribute Auth0 shows (the spec's ``GetTenantSettingsResponseContent``)."""
    schema = load_spec()["components"]["schemas"].get("GetTenantSettingsResponseContent", {})
    return frozenset(schema.get("properties", {}))


@cache
def _described(name: str) -> str:
    """``name`` as Auth0's validation errors name a property: with its spec description."""
    schema = load_spec()["components"]["schemas"].get("UpdateTenantSettingsRequestContent", {})
    description = schema.get("properties", {}).get(name, {}).get("description")
    return f"{name} ({description.rstrip('.')})" if description else name


@dataclass
class TenantSettings:
    """A new tenant's are Auth0's: no default directory and no default audience (so the
    ``password`` grant needs a ``realm`` and a login without ``audience`` gets an opaque token),
    no tenant-wide logout URLs, sessions of 72 hours idle and 168 hours absolute, and
    :data:`NEW_TENANT` for the rest. Changes make a new object (:meth:`updated`), so a failed
    commit can put the old one back."""

    #: The connection the ``password`` grant (without ``realm``) authenticates against.
    default_directory: str | None = None
    #: The API a login gets its access token for when ``/authorize`` names none.
    default_audience: str | None = None
    #: Where ``/v2/logout`` may return when no ``client_id`` is given.
    allowed_logout_urls: list[str] = field(default_factory=list)
    #: Hours.
    idle_session_lifetime: int = 72
    session_lifetime: int = 168
    #: The other attributes Auth0 shows, as set; absent once set to null.
    extra: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(NEW_TENANT))

    def to_json(self) -> dict[str, Any]:
        """As ``GET /tenants/settings`` shows them: "none" is ``""``, as Auth0 shows it
        (terraform-provider-auth0 recording TestAccTenantDefaults)."""
        data: dict[str, Any] = {
            "allowed_logout_urls": list(self.allowed_logout_urls),
            "default_audience": self.default_audience or "",
            "default_directory": self.default_directory or "",
            "idle_session_lifetime": self.idle_session_lifetime,
            "session_lifetime": self.session_lifetime,
        }
        data.update(copy.deepcopy(self.extra))
        return data

    def record(self) -> dict[str, Any]:
        """The seed form: what differs from a new tenant's, an attribute it no longer has as
        null, so :meth:`from_record` gives these settings back exactly."""
        now, new = self.to_json(), TenantSettings().to_json()
        changed = {k: v for k, v in now.items() if new.get(k, dataclasses.MISSING) != v}
        changed.update({k: None for k in new if k not in now})
        return changed

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TenantSettings:
        """A new tenant's settings with ``record``'s attributes in place of theirs (whole, not
        merged); checked by :meth:`check`. Keys outside :func:`attributes` are the caller's to
        refuse; a typed attribute of the wrong type raises ``TypeError``."""
        settings = cls()
        settings._set(record, merge=False)
        settings.check()
        return settings

    def updated(self, body: Mapping[str, Any]) -> TenantSettings:
        """A changed copy, as ``PATCH /tenants/settings`` changes them: an object attribute is
        merged one level (``{"flags": {"enable_sso": false}}`` keeps the other flags), null
        removes an attribute, ``""`` is no default directory or audience."""
        changed = copy.deepcopy(self)
        changed._set(body, merge=True)
        changed.check()
        return changed

    def _set(self, body: Mapping[str, Any], *, merge: bool) -> None:
        for key, value in body.items():
            if key in ("default_directory", "default_audience"):
                if value is not None and not isinstance(value, str):
                    raise TypeError(f"{key} must be a string")
                setattr(self, key, value or None)
            elif key == "allowed_logout_urls":
                if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
                    raise TypeError(f"{key} must be a list of strings")
                self.allowed_logout_urls = list(value)
            elif key in ("idle_session_lifetime", "session_lifetime"):
                setattr(self, key, value)
            elif value is None:
                self.extra.pop(key, None)
            elif merge and isinstance(value, dict) and isinstance(self.extra.get(key), dict):
                self.extra[key] = {**self.extra[key], **copy.deepcopy(value)}
            else:
                self.extra[key] = copy.deepcopy(value)

    def check(self) -> None:
        """Auth0's bounds on session lifetimes: whole hours from :data:`LIFETIME_MINIMUM` to
        :data:`LIFETIME_MAXIMUM`, and no idle lifetime longer than its absolute one."""
        shown = self.to_json()
        for name, maximum in LIFETIME_MAXIMUM.items():
            if name not in shown:
                continue  # an ephemeral lifetime set to null
            value = shown[name]
            if not isinstance(value, int) or isinstance(value, bool):
                found = _JSON_TYPES.get(type(value), "object")
                raise Auth0Error.invalid_body(
                    Msg.SETTINGS_TYPE.format(name=_described(name), found=found)
                )
            if value < LIFETIME_MINIMUM:
                raise Auth0Error.invalid_body(
                    Msg.SETTINGS_BELOW_MINIMUM.format(
                        value=value, minimum=LIFETIME_MINIMUM, name=_described(name)
                    )
                )
            if value > maximum:
                raise Auth0Error.invalid_body(
                    Msg.SETTINGS_ABOVE_MAXIMUM.format(
                        value=value, maximum=maximum, name=_described(name)
                    )
                )
        for idle, absolute in LIFETIME_PAIRS:
            if idle in shown and absolute in shown and shown[idle] > shown[absolute]:
                raise Auth0Error.invalid_body(
                    Msg.SETTINGS_IDLE_OVER_ABSOLUTE.format(
                        idle=idle, absolute=absolute, hours=shown[idle], limit=shown[absolute]
                    )
                )
