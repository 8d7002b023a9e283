"""The real CLI: ``fakeauth0 serve --port 0`` as a subprocess, used through what it prints."""

from __future__ import annotations

import re

from auth0.authentication import GetToken
from auth0.management.client import Auth0

from tests.server.serving import Served
from tests.support import DB, PASSWORD


def test_cli_serves_a_tenant_the_sdk_can_use(served: Served) -> None:
    proc, printed, url = served.proc, served.default, served.url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)  # loopback by default
    host = url.removeprefix("http://")
    assert printed["audience"] == f"https://{host}/api/v2/"
    token = GetToken(host, printed["client_id"], printed["client_secret"], protocol="http")
    access = token.client_credentials(audience=printed["audience"])["access_token"]
    sdk = Auth0(base_url=url + "/api/v2", token=access)
    user = sdk.users.create(connection=DB, email="cli@example.com", password=PASSWORD)
    assert sdk.users.get(user.user_id).email == "cli@example.com"

    proc.terminate()  # SIGTERM stops it cleanly
    assert proc.wait(timeout=10) == 0
