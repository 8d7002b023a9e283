"""fakeauth0: an in-memory fake of an Auth0 tenant for tests.

tenant = Tenant("example.auth0.com")
app = create_app(tenant)          # a WSGI app: Management API v2, /oauth/token, JWKS
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clients import Client
from .clock import Clock
from .connections import Connection
from .errors import Auth0Error, OAuthError
from .http import FakeAuth0App, create_app
from .intercept import UnservedRoute, intercept
from .snapshot import SeedError
from .tenant import Tenant
from .users import Identity, User

if TYPE_CHECKING:
    from .server import FakeAuth0Server

__all__ = [
    "Auth0Error",
    "Client",
    "Clock",
    "Connection",
    "FakeAuth0App",
    "FakeAuth0Server",
    "Identity",
    "OAuthError",
    "SeedError",
    "Tenant",
    "UnservedRoute",
    "User",
    "create_app",
    "intercept",
]
__version__ = "0.1.0"

#: Loaded on first use: the HTTP server module pulls in ``werkzeug.serving`` and ``ssl``, which
#: ``import fakeauth0`` alone does not need.
_LAZY = {"FakeAuth0Server": "server"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
