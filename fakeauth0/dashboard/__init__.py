"""A local stand-in for Auth0's Dashboard, served at ``/_fake/dashboard``.

Auth0's own account-linking walkthrough happens in the Dashboard (users list, a user's profile,
identities and metadata); this package lets a developer do and see the same on a fake tenant.
``views.py`` turns tenant state into what a page shows (no HTTP; ``extensibility.py`` for the
Actions, Rules and execution log), ``routes.py`` holds the thin
werkzeug handlers (declared in the route table) and the cross-site-request guard,
``access.py`` the sign-in, ``templates/`` the Jinja2 pages (loaded on the first page shown).
"""

from __future__ import annotations

#: Where the dashboard lives: beside the control plane, off the Management API's namespace.
BASE = "/_fake/dashboard"
