"""Child processes of the suite: servers with their own GIL, and memory probes.

    python bench/serve.py server fakeauth0 PORT USERS   fakeauth0's own server (FakeAuth0Server)
    python bench/serve.py server floor PORT             the trivial app on the same server stack
    python bench/serve.py server canned PORT USERS      the same stack answering every request
                                                        with one canned copy of fakeauth0's
                                                        GET user answer (same-request floor)
    python bench/serve.py memory fakeauth0|moto USERS   RSS growth for USERS users, as JSON

A server prints one JSON line (its token and user ids) once it listens, then serves until
terminated. Every server binds 127.0.0.1.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import rss_mb, trivial_app


def serve(target: str, port: int, users: int) -> None:
    import logging

    from fakeauth0 import Tenant
    from fakeauth0.server import FakeAuth0Server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request log line, for both
    tenant = Tenant(f"127.0.0.1:{port}", seed=1)
    server = FakeAuth0Server(tenant, port=port)
    info: dict[str, object] = {"pid": os.getpid()}
    if target == "floor":
        # Same server object, same stack; only the application differs.
        server._server.app = trivial_app
    else:
        from fake import SCOPES, populate

        info["token"] = token = tenant.management_token(SCOPES)
        info["ids"] = ids = populate(tenant, 0, users)
        if target == "canned":
            from werkzeug.test import Client

            got = Client(server._server.app).get(
                f"/api/v2/users/{ids[0]}",
                headers={"Authorization": f"Bearer {token}", "Host": tenant.domain},
            )
            status, headers, body = got.status, list(got.headers.items()), got.get_data()

            def canned(environ: object, start_response: Any) -> list[bytes]:
                start_response(status, list(headers))
                return [body]

            server._server.app = canned
    print(json.dumps(info), flush=True)
    server.serve_forever()


def memory(target: str, users: int) -> None:
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    if target == "fakeauth0":
        from fake import populate

        from fakeauth0 import Tenant

        tenant = Tenant("bench.auth0.com", seed=1)
        gc.collect()
        before = rss_mb()
        t0 = time.perf_counter()
        populate(tenant, 0, users)
        # Search indexes writes when the next query comes: ask one, so the indexes are in.
        tenant.search_users('email:"user0@example.com"')
    else:
        from peers import MotoTarget

        target_obj = MotoTarget(0)
        gc.collect()
        before = rss_mb()
        t0 = time.perf_counter()
        for i in range(users):
            from peers import attrs

            target_obj.backend.admin_create_user(
                target_obj.pool, f"user{i}", "SUPPRESS", None, attrs(i)
            )
    elapsed = time.perf_counter() - t0
    gc.collect()
    after = rss_mb()
    print(
        json.dumps(
            {
                "users": users,
                "rss_before_mb": before,
                "rss_after_mb": after,
                "bytes_per_user": (after - before) * 2**20 / max(users, 1),
                "populate_s": elapsed,
            }
        ),
        flush=True,
    )


def main() -> None:
    mode, target = sys.argv[1], sys.argv[2]
    if mode == "server":
        serve(target, int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif mode == "memory":
        memory(target, int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
