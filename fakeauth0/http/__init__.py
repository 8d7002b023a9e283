"""The werkzeug layer: routing, authentication, request parsing, Auth0's JSON and errors."""

from . import bridge as _bridge  # noqa: F401  (serves tenants to their JavaScript)
from .app import FakeAuth0App, create_app

__all__ = ["FakeAuth0App", "create_app"]
