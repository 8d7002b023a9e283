"""fakeauth0 as the benchmarks drive it: a populated tenant behind its WSGI app, in-process."""

from __future__ import annotations

import random
from typing import Any

from werkzeug.test import Client

from fakeauth0 import Tenant, create_app

DB = "Username-Password-Authentication"
SOCIAL = "google-oauth2"
PASSWORD = "Passw0rd!x"
#: The scopes the measured operations need. The default token holds every Management API scope
#: and is 7.8 KB, which costs werkzeug's test client ~130 us per request in header copies alone
#: (the "all-scopes token" row shows it); a suite doing user work would ask for these.
SCOPES = ("read:users", "create:users", "update:users", "delete:users")


def email(i: int) -> str:
    return f"user{i}@example.com"


def populate(tenant: Tenant, start: int, stop: int) -> list[str]:
    """Users ``start..stop-1`` created through the domain (no HTTP): the fastest way in."""
    return [
        tenant.create_user(
            {"connection": DB, "email": email(i), "password": PASSWORD, "name": f"User {i}"}
        ).user_id
        for i in range(start, stop)
    ]


class FakeTarget:
    """A tenant holding ``users`` users, its app, a werkzeug test client and a bearer header."""

    def __init__(self, users: int, seed: int = 1) -> None:
        self.tenant = Tenant("bench.auth0.com", seed=seed)
        self.app = create_app(self.tenant)
        self.client = Client(self.app)
        self.headers = {"Authorization": f"Bearer {self.tenant.management_token(SCOPES)}"}
        self.all_scopes = {"Authorization": f"Bearer {self.tenant.management_token()}"}
        self.ids = populate(self.tenant, 0, users)
        # Search indexes writes when the next query comes: one now, so that work is part of
        # populating, not of the first timed search.
        self.tenant.search_users(f'email:"{email(0)}"')
        self.n = users
        self.rng = random.Random(seed)
        self._created: list[str] = []
        self._counter = 10**7

    def _check(self, response: Any, status: int) -> Any:
        if response.status_code != status:
            raise AssertionError(f"{response.status_code}: {response.get_data(as_text=True)}")
        return response

    # -- operations, one request each -------------------------------------------------------

    def get_user(self, _i: int) -> None:
        uid = self.ids[self.rng.randrange(self.n)]
        self._check(self.client.get(f"/api/v2/users/{uid}", headers=self.headers), 200)

    def direct_get_user_fn(self) -> Any:
        """GET a user by calling the WSGI app with a prepared environ (no client at all):
        what fakeauth0 alone costs per request."""
        from werkzeug.test import EnvironBuilder

        template = EnvironBuilder(path="/api/v2/users/x", headers=self.headers).get_environ()

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            assert status.startswith("200"), status

        def fn(_i: int) -> None:
            environ = dict(template)
            environ["PATH_INFO"] = f"/api/v2/users/{self.ids[self.rng.randrange(self.n)]}"
            b"".join(self.app(environ, start_response))

        return fn

    def get_user_all_scopes(self, _i: int) -> None:
        uid = self.ids[self.rng.randrange(self.n)]
        self._check(self.client.get(f"/api/v2/users/{uid}", headers=self.all_scopes), 200)

    def create_user(self, _i: int) -> None:
        self._counter += 1
        body = {"connection": DB, "email": email(self._counter), "password": PASSWORD}
        r = self._check(self.client.post("/api/v2/users", json=body, headers=self.headers), 201)
        self._created.append(r.json["user_id"])

    def create_then_search(self, _i: int) -> None:
        """Create a user, then find it by ``q=email:``: two requests, and the search pays for
        indexing the new user (search indexes writes when the next query comes)."""
        self._counter += 1
        body = {"connection": DB, "email": email(self._counter), "password": PASSWORD}
        r = self._check(self.client.post("/api/v2/users", json=body, headers=self.headers), 201)
        self._created.append(r.json["user_id"])
        r = self.client.get(
            "/api/v2/users",
            query_string={"q": f'email:"{email(self._counter)}"'},
            headers=self.headers,
        )
        assert len(self._check(r, 200).json) == 1

    def drop_created(self) -> None:
        """Untimed, after a create loop: the tenant goes back to its size."""
        for uid in self._created:
            self.tenant.delete_user(uid)
        self._created.clear()

    def users_by_email(self, _i: int) -> None:
        k = self.rng.randrange(self.n)
        r = self.client.get(
            "/api/v2/users-by-email", query_string={"email": email(k)}, headers=self.headers
        )
        assert len(self._check(r, 200).json) == 1

    def search_email(self, _i: int) -> None:
        k = self.rng.randrange(self.n)
        r = self.client.get(
            "/api/v2/users", query_string={"q": f'email:"{email(k)}"'}, headers=self.headers
        )
        assert len(self._check(r, 200).json) == 1

    # -- linking ----------------------------------------------------------------------------

    def search_served(self) -> str | None:
        """None when ``GET /users?q=`` answers right; else why it cannot be measured."""
        r = self.client.get(
            "/api/v2/users", query_string={"q": f'email:"{email(0)}"'}, headers=self.headers
        )
        if r.status_code != 200:
            return f"not yet served ({r.status_code})"
        if len(r.json) != 1:
            return f"wrong answer ({len(r.json)} users for one e-mail)"
        return None

    def link_served(self) -> str | None:
        """Link one social user into user 0 and unlink it again; None when both work."""
        social = self.tenant.add_social_user(SOCIAL, "probe-1", {"email": "probe@gmail.test"})
        primary = self.ids[0]
        r = self.client.post(
            f"/api/v2/users/{primary}/identities",
            json={"provider": SOCIAL, "user_id": social.user_id.split("|", 1)[1]},
            headers=self.headers,
        )
        if r.status_code != 201:
            return f"not yet served ({r.status_code})"
        r = self.client.delete(
            f"/api/v2/users/{primary}/identities/{SOCIAL}/probe-1", headers=self.headers
        )
        if r.status_code != 200:
            return f"unlink not yet served ({r.status_code})"
        self.tenant.delete_user(social.user_id)
        return None

    def link_unlink_runner(self, pairs: int = 200, prefix: str = "") -> Any:
        """One runner timing link and unlink separately: link a social user into a random
        primary, then unlink it (the state returns to where it was). Results are named
        ``prefix + "link"`` and ``prefix + "unlink"``."""
        import time

        socials = [
            self.tenant.add_social_user(SOCIAL, f"bench-{k}", {"email": f"s{k}@gmail.test"})
            for k in range(pairs)
        ]
        bare = [s.user_id.split("|", 1)[1] for s in socials]
        client, headers, rng, ids = self.client, self.headers, self.rng, self.ids

        def run(max_s: float) -> dict[str, float]:
            t_link = t_unlink = 0.0
            done = 0
            deadline = time.perf_counter() + max_s
            while time.perf_counter() < deadline:
                k = done % pairs
                primary = ids[rng.randrange(self.n)]
                t0 = time.perf_counter()
                r = client.post(
                    f"/api/v2/users/{primary}/identities",
                    json={"provider": SOCIAL, "user_id": bare[k]},
                    headers=headers,
                )
                t1 = time.perf_counter()
                self._check(r, 201)
                t2 = time.perf_counter()
                r = client.delete(
                    f"/api/v2/users/{primary}/identities/{SOCIAL}/{bare[k]}", headers=headers
                )
                t3 = time.perf_counter()
                self._check(r, 200)
                t_link += t1 - t0
                t_unlink += t3 - t2
                done += 1
            return {prefix + "link": done / t_link, prefix + "unlink": done / t_unlink}

        return run


#: Names of the same-request floor's results: this prefix + the operation's name.
SAME_REQUESTS = "trivial app, same requests and answers: "


class SameRequestFloor(FakeTarget):
    """The floor for one operation: a trivial app receiving exactly the requests a
    :class:`FakeTarget` sends (same random paths, token, bodies and query strings, through the
    same client) and giving back one canned copy of fakeauth0's answer (same status, headers
    and bytes). What is left between it and fakeauth0 is fakeauth0's own work; what it costs
    beyond the plain floor is the test client's work on these requests."""

    def __init__(self, target: FakeTarget, seed: int = 2) -> None:
        answers = self._answers(target)

        def trivial(environ: Any, start_response: Any) -> list[bytes]:
            environ["wsgi.input"].read()
            status, headers, body = answers[_shape(environ["REQUEST_METHOD"], environ["PATH_INFO"])]
            start_response(status, list(headers))
            return [body]

        self.tenant = Tenant("floor.auth0.com", seed=seed)  # only to name the link runner's users
        self.app = trivial
        self.client = Client(trivial)
        self.headers, self.all_scopes = target.headers, target.all_scopes
        self.ids, self.n = target.ids, target.n
        self.rng = random.Random(seed)
        self._created = []
        self._counter = 10**7

    def drop_created(self) -> None:
        self._created.clear()

    @staticmethod
    def _answers(target: FakeTarget) -> dict[str, tuple[str, list[tuple[str, str]], bytes]]:
        """One real answer of each operation, taken from ``target`` (which is left as it was)."""
        client, headers, primary = target.client, target.headers, target.ids[0]

        def keep(response: Any) -> tuple[str, list[tuple[str, str]], bytes]:
            return response.status, list(response.headers.items()), response.get_data()

        got = {"get": keep(client.get(f"/api/v2/users/{primary}", headers=headers))}
        body = {"connection": DB, "email": "floor-probe@example.com", "password": PASSWORD}
        created = client.post("/api/v2/users", json=body, headers=headers)
        got["create"] = keep(created)
        target.tenant.delete_user(created.json["user_id"])
        q = {"email": email(0)}
        got["by-email"] = keep(
            client.get("/api/v2/users-by-email", query_string=q, headers=headers)
        )
        q = {"q": f'email:"{email(0)}"'}
        got["search"] = keep(client.get("/api/v2/users", query_string=q, headers=headers))
        social = target.tenant.add_social_user(SOCIAL, "floor-probe", {"email": "fp@gmail.test"})
        linked = client.post(
            f"/api/v2/users/{primary}/identities",
            json={"provider": SOCIAL, "user_id": "floor-probe"},
            headers=headers,
        )
        got["link"] = keep(linked)
        path = f"/api/v2/users/{primary}/identities/{SOCIAL}/floor-probe"
        got["unlink"] = keep(client.delete(path, headers=headers))
        target.tenant.delete_user(social.user_id)
        return got


def _shape(method: str, path: str) -> str:
    """Which operation a request is, by the few shapes the benchmarks send."""
    if method == "POST":
        return "link" if path.endswith("/identities") else "create"
    if method == "DELETE":
        return "unlink"
    if path == "/api/v2/users":
        return "search"
    if path == "/api/v2/users-by-email":
        return "by-email"
    return "get"


class SdkTarget:
    """The official auth0-python SDK (v6) on the same tenant, in-process through httpx."""

    def __init__(self, fake: FakeTarget) -> None:
        import httpx
        from auth0.management import ManagementClient

        self.fake = fake
        tenant = fake.tenant
        self.http = httpx.Client(transport=httpx.WSGITransport(app=fake.app))
        self.sdk = ManagementClient(
            domain=tenant.domain, token=tenant.management_token(SCOPES), httpx_client=self.http
        )
        self.base = f"https://{tenant.domain}"

    def sdk_get_user(self, _i: int) -> None:
        f = self.fake
        self.sdk.users.get(f.ids[f.rng.randrange(f.n)])

    def httpx_get_user(self, _i: int) -> None:
        """The same request through httpx's WSGI transport, without the SDK."""
        f = self.fake
        uid = f.ids[f.rng.randrange(f.n)]
        r = self.http.get(f"{self.base}/api/v2/users/{uid}", headers=f.headers)
        assert r.status_code == 200
        r.json()


def setup_per_test(sdk: bool = False) -> Any:
    """What a test pays before its first call: a fresh tenant, a token and a client."""
    tenant = Tenant("bench.auth0.com")
    token = tenant.management_token()
    app = create_app(tenant)
    if not sdk:
        return Client(app), token
    import httpx
    from auth0.management import ManagementClient

    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    return ManagementClient(domain=tenant.domain, token=token, httpx_client=http)
