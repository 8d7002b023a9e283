"""``--tls``: HTTPS from a local CA, so SDKs that insist on ``https://<domain>`` work unchanged."""

from __future__ import annotations

import ssl
import urllib.request
from pathlib import Path

import pytest
from auth0.management import ManagementClient

from tests.server.serving import free_port, serve
from tests.support import DB, PASSWORD


def test_the_official_sdk_talks_https_to_the_fake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    domain = f"localhost:{port}"
    ca_file = tmp_path / "ca.pem"
    served = serve("--tls", "--ca-file", str(ca_file), "--domain", domain, port=port)
    try:
        assert served.url == f"https://127.0.0.1:{port}"
        assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
        creds = served.default
        # As a user would: trust the CA through the environment, pass only domain and secrets.
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        sdk = ManagementClient(
            domain=domain, client_id=creds["client_id"], client_secret=creds["client_secret"]
        )
        user = sdk.users.create(connection=DB, email="tls@example.com", password=PASSWORD)
        assert sdk.users.get(user.user_id).email == "tls@example.com"
    finally:
        assert served.stop() == 0


def test_an_untrusted_client_is_refused_and_the_ca_is_reused(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    served = serve("--tls", "--ca-file", str(ca_file))
    try:
        with pytest.raises(urllib.error.URLError) as refused:
            urllib.request.urlopen(
                served.url + "/_fake/health", context=ssl.create_default_context(), timeout=5
            )
        assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
        trusted = ssl.create_default_context(cafile=str(ca_file))
        with urllib.request.urlopen(served.url + "/_fake/health", context=trusted) as answer:
            assert answer.status == 200
    finally:
        served.stop()
    first_ca = ca_file.read_text()
    again = serve("--tls", "--ca-file", str(ca_file))  # a restart keeps the CA users trust
    again.stop()
    assert ca_file.read_text() == first_ca
