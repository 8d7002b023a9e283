"""The peer a user would otherwise pick: moto's Cognito user pools, in-process and as a server.

moto is optional: without it (``make bench`` installs it from ``bench/requirements.txt``) every
peer figure reads "peer not installed". Pools are filled through moto's backend object (no
boto3), which reaches 100k users in seconds; measured calls go through boto3, as a test suite
makes them.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

for _k, _v in (
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_SESSION_TOKEN", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
):
    os.environ.setdefault(_k, _v)

REGION = "us-east-1"
ACCOUNT = "123456789012"


def available() -> bool:
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError:
        return False
    return True


def attrs(i: int) -> list[dict[str, str]]:
    return [
        {"Name": "email", "Value": f"user{i}@example.com"},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": f"User {i}"},
    ]


def setup_per_test(shared_client: Any = None) -> None:
    """moto's equivalent of a fresh tenant: mock_aws + a boto3 client + a user pool + exit."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        client = shared_client or boto3.client("cognito-idp", region_name=REGION)
        client.create_user_pool(PoolName="per-test")


class MotoTarget:
    """mock_aws() started once, one pool of ``users`` users, one boto3 client."""

    def __init__(self, users: int, seed: int = 1) -> None:
        import boto3
        from moto import mock_aws
        from moto.cognitoidp.models import cognitoidp_backends

        self.mock = mock_aws()
        self.mock.start()
        self.client = boto3.client("cognito-idp", region_name=REGION)
        self.pool = self.client.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        self.backend = cognitoidp_backends[ACCOUNT][REGION]
        for i in range(users):
            self.backend.admin_create_user(self.pool, f"user{i}", "SUPPRESS", None, attrs(i))
        self.n = users
        self.rng = random.Random(seed)
        self._counter = 10**7
        self._created: list[str] = []

    def close(self) -> None:
        self.mock.stop()

    def admin_get_user(self, _i: int) -> None:
        self.client.admin_get_user(
            UserPoolId=self.pool, Username=f"user{self.rng.randrange(self.n)}"
        )

    def admin_create_user(self, _i: int) -> None:
        self._counter += 1
        name = f"user{self._counter}"
        self.client.admin_create_user(
            UserPoolId=self.pool,
            Username=name,
            UserAttributes=attrs(self._counter),
            MessageAction="SUPPRESS",
        )
        self._created.append(name)

    def drop_created(self) -> None:
        for name in self._created:
            self.backend.admin_delete_user(self.pool, name)
        self._created.clear()

    def list_users_email(self, _i: int) -> None:
        k = self.rng.randrange(self.n)
        r = self.client.list_users(UserPoolId=self.pool, Filter=f'email = "user{k}@example.com"')
        assert len(r["Users"]) == 1

    def link_status(self) -> str:
        """moto 5 does not implement admin_link_provider_for_user; say what it answers."""
        try:
            self.client.admin_link_provider_for_user(
                UserPoolId=self.pool,
                DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "user0"},
                SourceUser={
                    "ProviderName": "Google",
                    "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "109876543210987654321",
                },
            )
        except Exception as error:  # the peer's own refusal, reported as text
            return f"not implemented by moto ({type(error).__name__})"
        return "implemented"


class MotoServerClient:
    """Raw requests to a moto server (same client library as for fakeauth0), and boto3."""

    TARGET = "AWSCognitoIdentityProviderService."
    AUTH = (
        "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )

    def __init__(self, url: str, users: int) -> None:
        import requests

        self.url = url + "/"
        self.n = users
        setup = requests.Session()
        self.pool = self._call(setup, "CreateUserPool", {"PoolName": "bench"})["UserPool"]["Id"]
        for i in range(users):
            self._call(
                setup,
                "AdminCreateUser",
                {
                    "UserPoolId": self.pool,
                    "Username": f"user{i}",
                    "UserAttributes": attrs(i),
                    "MessageAction": "SUPPRESS",
                },
            )
        setup.close()

    def _call(self, session: Any, target: str, body: dict[str, Any]) -> Any:
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": self.TARGET + target,
            "Authorization": self.AUTH,
        }
        r = session.post(self.url, data=json.dumps(body), headers=headers, timeout=60)
        r.raise_for_status()
        return r.json()

    def get_fn(self, t: int) -> Any:
        import requests

        session = requests.Session()
        rng = random.Random(t)

        def fn(_i: int) -> None:
            body = {"UserPoolId": self.pool, "Username": f"user{rng.randrange(self.n)}"}
            self._call(session, "AdminGetUser", body)

        return fn

    def list_email_fn(self, t: int) -> Any:
        import requests

        session = requests.Session()
        rng = random.Random(100 + t)

        def fn(_i: int) -> None:
            k = rng.randrange(self.n)
            body = {"UserPoolId": self.pool, "Filter": f'email = "user{k}@example.com"'}
            assert len(self._call(session, "ListUsers", body)["Users"]) == 1

        return fn

    def boto3_get_fn(self, t: int) -> Any:
        import boto3
        from botocore.config import Config

        client = boto3.session.Session().client(
            "cognito-idp",
            region_name=REGION,
            endpoint_url=self.url.rstrip("/"),
            config=Config(retries={"total_max_attempts": 1}),
        )
        rng = random.Random(200 + t)

        def fn(_i: int) -> None:
            client.admin_get_user(UserPoolId=self.pool, Username=f"user{rng.randrange(self.n)}")

        return fn
