"""The tenant relying parties log in to: a regular web application and a database user, as a
seed for ``fakeauth0 serve --seed``. Shared by the openid-client suite (tests/node/oidc.test.mjs)
and the express-openid-connect browser test (tests/login/test_express_browser.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import DB, PASSWORD

CLIENT_ID = "JudgeWebApp0000000000000000000001"
CLIENT_SECRET = "judge-web-app-secret-0000000000000000000000000000000000000000000001"
EMAIL = "ann@example.com"
NAME = "Ann Example"
USER_ID = "auth0|ann"


def web_app_seed(app: str) -> dict[str, object]:
    """A regular web app whose callback, logout URL and web origin are under ``app`` (an origin
    such as ``https://127.0.0.1:5000``), enabled on the database connection that holds Ann."""
    return {
        "connections": [{"name": DB, "strategy": "auth0", "enabled_clients": [CLIENT_ID]}],
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "name": "Judge Web App",
                "app_type": "regular_web",
                "grant_types": ["authorization_code", "implicit", "refresh_token"],
                "callbacks": [f"{app}/callback"],
                "allowed_logout_urls": [app, f"{app}/"],
                "web_origins": [app],
            }
        ],
        "users": [
            {
                "user_id": USER_ID,
                "email": EMAIL,
                "email_verified": True,
                "name": NAME,
                "password": PASSWORD,
                "identities": [{"connection": DB, "provider": "auth0", "user_id": "ann"}],
            }
        ],
    }


def write_seed(path: Path, app: str) -> str:
    path.write_text(json.dumps(web_app_seed(app)), encoding="utf-8")
    return str(path)
