"""The tenant's own settings that logins read: the default directory of the password grants,
the default audience, the tenant-wide logout URLs and the session lifetimes
(https://auth0.com/docs/get-started/tenant-settings).

No HTTP here; the caller holds the tenant lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TenantSettings:
    """Auth0's defaults for a new tenant: no default directory and no default audience (so the
    ``password`` grant needs a ``realm`` and a login without ``audience`` gets an opaque token),
    no tenant-wide logout URLs, sessions of 72 hours idle and 168 hours absolute."""

    #: The connection the ``password`` grant (without ``realm``) authenticates against.
    default_directory: str | None = None
    #: The API a login gets its access token for when ``/authorize`` names none.
    default_audience: str | None = None
    #: Where ``/v2/logout`` may return when no ``client_id`` is given.
    allowed_logout_urls: list[str] = field(default_factory=list)
    #: Hours.
    idle_session_lifetime: float = 72
    session_lifetime: float = 168
