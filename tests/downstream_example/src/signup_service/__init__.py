"""A tiny service that talks to Auth0 the way real code does: it builds its own httpx client,
fetches a client-credentials token and calls the Management API."""

from __future__ import annotations

from typing import Any

import httpx


class Auth0Admin:
    """Signs users up and finds them by e-mail, with credentials from configuration."""

    def __init__(self, domain: str, client_id: str, client_secret: str) -> None:
        self.base = f"https://{domain}"
        self._credentials = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": f"{self.base}/api/v2/",
        }
        self._http = httpx.Client(base_url=self.base, timeout=5)
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            response = self._http.post("/oauth/token", data=self._credentials)
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def sign_up(self, email: str, password: str) -> str:
        """Create a database user; returns its user_id. A duplicate raises ``ValueError``."""
        response = self._http.post(
            "/api/v2/users",
            headers=self._headers(),
            json={
                "connection": "Username-Password-Authentication",
                "email": email,
                "password": password,
            },
        )
        if response.status_code == 409:
            raise ValueError(f"{email} is already registered")
        response.raise_for_status()
        return str(response.json()["user_id"])

    def find(self, email: str) -> list[dict[str, Any]]:
        response = self._http.get(
            "/api/v2/users-by-email", params={"email": email}, headers=self._headers()
        )
        response.raise_for_status()
        return list(response.json())
