"""The werkzeug layer: routing, authentication, request parsing, Auth0's JSON and errors."""

from .app import FakeAuth0App, create_app

__all__ = ["FakeAuth0App", "create_app"]
