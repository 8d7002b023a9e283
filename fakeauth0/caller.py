"""What a door knows of the request that started a login or a sign-up, for ``event.request``
of the post-login and registration Actions
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object).

The HTTP layer reads these from the request and hands them over as plain values, so the
domain stays free of HTTP; a programmatic door (``tenant.login``, ``tenant.signup``) has no
request and uses the defaults. No HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The language of a door with no browser: the fake's pages speak English.
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Caller:
    """``ip``, ``user_agent`` (the ``User-Agent`` header), ``language`` (the browser's first
    ``Accept-Language`` language, None when it sent none) and ``method`` of the request."""

    ip: str | None = None
    user_agent: str = ""
    language: str | None = DEFAULT_LANGUAGE
    method: str = "GET"

    def request_json(self) -> dict[str, str]:
        """The parts of ``event.request`` this request decides; ``language`` is left out
        when the browser asked for none (it is optional in the event object)."""
        shown = {"method": self.method, "user_agent": self.user_agent}
        if self.language is not None:
            shown["language"] = self.language
        return shown


def first_language(tags: list[str]) -> str | None:
    """``event.request.language`` from the ``Accept-Language`` tags in order of preference:
    the primary subtag of the first one, lower-cased (``en`` for ``en-US``), as Auth0's own
    examples key messages by ``en`` and ``es``
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger);
    ``*`` names no language."""
    for tag in tags:
        primary = tag.strip().replace("_", "-").split("-")[0].lower()
        if primary and primary != "*" and primary.isalpha():
            return primary
    return None
