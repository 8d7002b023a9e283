"""Applications (clients): their credentials and the APIs and scopes they are granted."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Client:
    """An Auth0 application. ``grants`` maps an API audience to the scopes granted on it."""

    client_id: str
    client_secret: str = field(repr=False)
    name: str
    app_type: str = "non_interactive"
    grant_types: list[str] = field(default_factory=lambda: ["client_credentials"])
    grants: dict[str, list[str]] = field(default_factory=dict)

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.client_secret.encode(), secret.encode())

    def to_json(self) -> dict[str, Any]:
        """The public view: never the secret."""
        return {
            "client_id": self.client_id,
            "name": self.name,
            "app_type": self.app_type,
            "grant_types": list(self.grant_types),
        }
