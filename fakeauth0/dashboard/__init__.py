"""A local stand-in for Auth0's Dashboard, served at ``/_fake/dashboard``.

Auth0's own account-linking walkthrough happens in the Dashboard (users list, a user's profile,
identities and metadata); this package lets a developer do and see the same on a fake tenant.
``views.py`` turns tenant state into what a page shows (no HTTP), ``routes.py`` holds the thin
werkzeug handlers and the cross-site-request guard, ``templates/`` the Jinja2 pages.

This module stays import-light (no Jinja2) because ``http/app.py`` reads :data:`ROUTES` when it
builds its route table; the handlers are imported on the first dashboard request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.wrappers import Request, Response

    from ..tenant import Tenant

#: Where the dashboard lives: beside the control plane, off the Management API's namespace.
BASE = "/_fake/dashboard"

#: path -> (endpoint, methods), as ``http/control.py`` tables its routes. Endpoints start with
#: ``fake_`` so the app neither faults, rate-limits nor logs them as Auth0 calls.
ROUTES: dict[str, tuple[str, list[str]]] = {
    BASE: ("fake_dashboard_users", ["GET"]),
    BASE + "/user": ("fake_dashboard_user", ["GET"]),
    BASE + "/users": ("fake_dashboard_create_user", ["POST"]),
    BASE + "/link": ("fake_dashboard_link", ["POST"]),
    BASE + "/unlink": ("fake_dashboard_unlink", ["POST"]),
    BASE + "/metadata": ("fake_dashboard_metadata", ["POST"]),
    BASE + "/login": ("fake_dashboard_login", ["POST"]),
    BASE + "/reset": ("fake_dashboard_reset", ["POST"]),
    BASE + "/switch": ("fake_dashboard_switch", ["GET"]),
    BASE + "/signin": ("fake_dashboard_signin", ["GET", "POST"]),
}
ENDPOINTS = frozenset(endpoint for endpoint, _ in ROUTES.values())


def serve(endpoint: str, tenant: Tenant, request: Request) -> Response:
    """Answer one dashboard request (``endpoint`` is one of :data:`ENDPOINTS`)."""
    from . import routes

    return routes.HANDLERS[endpoint](tenant, request)
