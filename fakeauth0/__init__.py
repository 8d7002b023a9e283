"""fakeauth0: an in-memory fake of an Auth0 tenant for tests.

tenant = Tenant("example.auth0.com")
app = create_app(tenant)          # a WSGI app: Management API v2, /oauth/token, JWKS
"""

from .clients import Client
from .clock import Clock
from .connections import Connection
from .errors import Auth0Error, OAuthError
from .http import FakeAuth0App, create_app
from .tenant import Tenant
from .users import Identity, User

__all__ = [
    "Auth0Error",
    "Client",
    "Clock",
    "Connection",
    "FakeAuth0App",
    "Identity",
    "OAuthError",
    "Tenant",
    "User",
    "create_app",
]
__version__ = "0.1.0"
