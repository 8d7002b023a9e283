"""User search at scale: load N users through the public Tenant API, then time queries
through the WSGI app (exact look-ups must stay flat; scans stay under 100 ms).

Run: ``.venv/bin/python bench/search_bench.py [--sizes 1000,10000,100000] [--repeat 200]``.
Memory is the resident-set growth while loading, divided by the number of users (indexes
included). Everything runs in one process; sizes run in order, smallest first.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import statistics
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from fakeauth0 import Tenant, create_app

DB = "Username-Password-Authentication"
PASSWORD = "Passw0rd!x"
PLANS = ("free", "pro", "gold")


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def load(tenant: Tenant, n: int) -> None:
    """Database and social users with names and metadata, as a real tenant holds them."""
    for i in range(n):
        if i % 10 == 9:
            tenant.add_social_user(
                "google-oauth2",
                str(10**20 + i),
                {"email": f"Social{i}@Gmail.com", "name": f"Social Person {i}", "given_name": "S"},
            )
            continue
        tenant.create_user(
            {
                "connection": DB,
                "email": f"user{i}@example{i % 50}.com",
                "password": PASSWORD,
                "name": f"User Number {i}",
                "given_name": f"Given{i % 1000}",
                "family_name": f"Family{i % 777}",
                "app_metadata": {"plan": PLANS[i % 3], "roles": ["reader"] if i % 2 else []},
                "user_metadata": {"lang": "en" if i % 4 else "fr"},
            }
        )
    # Search indexes writes when the next query comes: one query, so load and memory
    # include the indexes.
    tenant.search_users('email:"user0@example0.com"')


class Caller:
    """A bare WSGI call: a prepared environ per query string, no HTTP client in the way."""

    def __init__(self, tenant: Tenant) -> None:
        self.app = create_app(tenant)
        self.auth = f"Bearer {tenant.management_token()}"

    def __call__(self, params: dict[str, str]) -> bytes:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": "/api/v2/users",
            "QUERY_STRING": urllib.parse.urlencode(params),
            "SERVER_NAME": "bench.auth0.com",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "bench.auth0.com",
            "HTTP_AUTHORIZATION": self.auth,
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        body = b"".join(self.app(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise AssertionError(f"{params}: {status[0]} {body[:300]!r}")
        return body


def median_ms(fn: Callable[[int], Any], repeat: int) -> float:
    for i in range(3):
        fn(i)
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def queries(n: int, ids: list[str]) -> dict[str, Callable[[int], dict[str, str]]]:
    def pick(i: int) -> int:
        k = (i * 7919) % n
        return k - 1 if k % 10 == 9 else k  # a database user

    def v3(q: str) -> dict[str, str]:
        return {"q": q, "search_engine": "v3"}

    return {
        "exact email": lambda i: v3(f'email:"user{pick(i)}@example{pick(i) % 50}.com"'),
        "exact user_id": lambda i: v3(f'user_id:"{ids[pick(i)]}"'),
        "exact identities.user_id": lambda i: v3(
            f'identities.user_id:"{ids[pick(i)].split("|", 1)[1]}"'
        ),
        "prefix wildcard name:user number 1*": lambda i: v3(r"name:user\ number\ 1*"),
        "suffix wildcard email:*@example7.com": lambda i: v3("email:*@example7.com"),
        "date range created_at:[2000 TO *] (all)": lambda i: v3("created_at:[2000-01 TO *]"),
        "metadata app_metadata.plan:gold": lambda i: v3("app_metadata.plan:gold"),
        "list, no q": lambda i: {},
    }


def run(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        gc.collect()
        before = rss_bytes()
        tenant = Tenant("bench.auth0.com", seed=1)
        t0 = time.perf_counter()
        load(tenant, n)
        load_s = time.perf_counter() - t0
        gc.collect()
        per_user = (rss_bytes() - before) / n
        call = Caller(tenant)
        row: dict[str, Any] = {"users": n, "load s": round(load_s, 2), "bytes/user": int(per_user)}
        ids = [user.user_id for user in tenant.users]
        for name, make in queries(n, ids).items():
            if name.startswith("exact"):
                assert len(json.loads(call(make(0)))) == 1, name
            row[name] = round(median_ms(lambda i, make=make, call=call: call(make(i)), repeat), 3)
        rows.append(row)
        print(row, flush=True)
        del tenant, call
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows = run([int(s) for s in args.sizes.split(",")], args.repeat)
    names = [k for k in rows[0] if k != "users"]
    print("\n| measure | " + " | ".join(f"{r['users']:,} users" for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for name in names:
        unit = "" if name in ("load s", "bytes/user") else " ms (median)"
        print(f"| {name}{unit} | " + " | ".join(str(r[name]) for r in rows) + " |")


if __name__ == "__main__":
    main()
