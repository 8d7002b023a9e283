"""The state file under faults: ``kill -9`` at random moments during writes, a read-only file and
a full disk. The file is never corrupt, every acknowledged change survives a restart, and a
write that could not be saved is answered 503 (never acknowledged) and reported on stderr.

``FAKEAUTH0_KILL_ITERATIONS`` (default 3) sets how many random kill points are tried.
"""

from __future__ import annotations

import logging
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from fakeauth0 import Tenant
from fakeauth0.server import FakeAuth0Server
from fakeauth0.store import StateStore
from tests.reliability.wire import Wire, env_int, uid
from tests.server.serving import Served, free_port, serve
from tests.support import DB, PASSWORD

KILLS = env_int("FAKEAUTH0_KILL_ITERATIONS", 3)


def _writer(
    served: Served,
    token: str,
    n: int,
    acked: dict[str, Any],
    in_flight: dict[str, Any],
    stop: threading.Event,
) -> None:
    """Create users, then patch each thread's counter on them; record what was acknowledged."""
    host, port = served.url.rsplit("//", 1)[1].rsplit(":", 1)
    wire = Wire(host, int(port), token)
    rng = random.Random(n)
    mine: list[str] = []
    i = 0
    try:
        while not stop.is_set():
            i += 1
            if not mine or rng.random() < 0.5:
                body = {
                    "connection": DB,
                    "email": f"k{n}-{i}-{rng.getrandbits(32)}@x.co",
                    "password": PASSWORD,
                }
                status, user = wire.call("POST", "/api/v2/users", body)
                if status == 201:
                    mine.append(user["user_id"])
                    acked[user["user_id"]] = {}
            else:
                target = rng.choice(mine)
                in_flight[target] = {"n": i}  # a kill may land after the commit, before the ack
                status, user = wire.call(
                    "PATCH", f"/api/v2/users/{uid(target)}", {"user_metadata": {"n": i}}
                )
                if status == 200:
                    acked[target] = {"n": i}
    except OSError:
        pass  # killed mid-request: that request was not acknowledged
    finally:
        wire.close()


def _stored(served: Served, token: str, user_ids: list[str]) -> dict[str, Any]:
    """Each acknowledged user as the restarted server shows it (absent: not there)."""
    host, port = served.url.rsplit("//", 1)[1].rsplit(":", 1)
    wire = Wire(host, int(port), token)
    found: dict[str, Any] = {}
    for user_id in user_ids:
        status, body = wire.call("GET", f"/api/v2/users/{uid(user_id)}")
        if status == 200:
            found[user_id] = body
    wire.close()
    return found


def test_kill_9_at_random_points_never_corrupts_or_loses_acknowledged_writes(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.db"
    port = free_port()
    rng = random.Random(9)
    acked: dict[str, Any] = {}
    in_flight: dict[str, Any] = {}
    served = serve("--state", str(state), "--client-secret", "kill-test-secret", port=port)
    token = served.token()
    for _ in range(KILLS):
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_writer, args=(served, token, n, acked, in_flight, stop), daemon=True
            )
            for n in range(4)
        ]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.05, 0.8))  # a random point in the stream of writes
        served.proc.send_signal(signal.SIGKILL)
        served.proc.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "a client hung on a dead server"
        with sqlite3.connect(state) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        served = serve("--state", str(state), "--client-secret", "kill-test-secret", port=port)
        stored = _stored(served, token, list(acked))  # old tokens still work
        missing = [u for u in acked if u not in stored]
        assert missing == []
        stale = [
            u
            for u, meta in acked.items()
            if meta and stored[u].get("user_metadata") not in (meta, in_flight.get(u))
        ]
        assert stale == []
    assert served.stop() == 0
    print(f"\nkill -9: {KILLS} random kill points, {len(acked)} acknowledged users, 0 lost")


@pytest.fixture
def stored_server(tmp_path: Path) -> Any:
    tenant = Tenant("faults.auth0.com")
    store = StateStore(str(tmp_path / "state.db"))
    with FakeAuth0Server(tenant, store=store) as server:
        yield server, Wire("127.0.0.1", server.port, tenant.management_token())


def _make_unwritable(store: StateStore, how: str) -> None:
    if how == "full":  # SQLite's own "disk full": no page may be added to the file
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")
    else:  # read-only: the file reopened so SQLite refuses every write (as for a ro mount)
        store._db.close()
        store._db = sqlite3.connect(
            f"file:{store.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
        )


#: The 503 a full or read-only state file gets is the fake's own answer, not Auth0's.
NOT_AUTH0 = pytest.mark.no_spec_check


@NOT_AUTH0
@pytest.mark.parametrize("how", ["full", "read-only"])
def test_a_write_that_cannot_be_saved_is_a_503_never_an_acknowledgement(
    stored_server: Any, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    server, wire = stored_server
    status, _ = wire.call(
        "POST", "/api/v2/users", {"connection": DB, "email": "kept@x.co", "password": PASSWORD}
    )
    assert status == 201
    _make_unwritable(server.store, how)
    filler = {"user_metadata": {"blob": "x" * 200_000}}  # needs new pages in the file
    created = []
    for n in range(3):
        body = {"connection": DB, "email": f"lost{n}@x.co", "password": PASSWORD, **filler}
        status, answer = wire.call("POST", "/api/v2/users", body)
        assert status == 503, answer
        assert answer["statusCode"] == 503 and answer["error"] == "Service Unavailable"
        assert "not acknowledged" in answer["message"]
        created.append(f"lost{n}@x.co")
    expected = "database or disk is full" if how == "full" else "readonly database"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("Cannot write the state file" in m and expected in m for m in errors), errors

    # After a restart the file holds what was acknowledged, and nothing that was refused.
    path = server.store.path
    server.stop()
    again = StateStore(path)
    try:
        users = again.load("faults.auth0.com")["users"]
    finally:
        again.close()
    emails = {u.get("email") for u in users}
    assert "kept@x.co" in emails and not emails & set(created)


@NOT_AUTH0
def test_a_write_the_disk_refused_is_not_applied_and_its_retry_succeeds(
    stored_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server, wire = stored_server
    _make_unwritable(server.store, "full")
    body = {
        "connection": DB,
        "email": "later@x.co",
        "password": PASSWORD,
        "user_metadata": {"blob": "x" * 200_000},
    }
    status, _ = wire.call("POST", "/api/v2/users", body)
    assert status == 503
    # Not acknowledged means not applied: no read sees the refused user.
    status, found = wire.call("GET", "/api/v2/users-by-email?email=later%40x.co")
    assert status == 200 and found == []
    server.store._db.execute("PRAGMA max_page_count = 1073741823")  # space again
    status, created = wire.call("POST", "/api/v2/users", body)  # the client's retry
    assert status == 201, created
    path = server.store.path
    server.stop()
    again = StateStore(path)
    try:
        emails = {u.get("email") for u in again.load("faults.auth0.com")["users"]}
    finally:
        again.close()
    assert "later@x.co" in emails
