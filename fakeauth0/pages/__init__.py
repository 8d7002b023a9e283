"""Server-rendered pages of Auth0's Authentication API: the New Universal Login screens, the
simulated identity provider, the generic error page and the ``form_post`` and ``web_message``
answers. Jinja2 templates, autoescaped, loaded on the first page shown; no build step.

The login screens keep the hooks that browser tests written for a real tenant rely on
(``input#username``, ``input#password``, ``button[name=action][value=default]``, the hidden
``state``, ``#error-element-password[data-error-code]``); see
docs/auth0-behaviour.md#the-login-page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("fakeauth0.pages", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
