"""Many clients at once on the threaded server: no lost update, no identity in two users, no 5xx,
no deadlock.

Client threads share one tenant over loopback keep-alive connections and mix every write the
Management API has for users (create, patch, link, unlink, delete) with reads and searches on
the same users. Afterwards the tenant must satisfy the linking invariants
(docs/auth0-behaviour.md#what-linking-changes) and hold every write the server acknowledged:

- ledger users are patched by every thread, each on its own ``user_metadata`` key: the last
  value each thread was told it wrote must be there (metadata merges per key,
  docs/auth0-behaviour.md#metadata);
- each thread also runs private users through create → patch → link → unlink → delete and
  checks every answer against its own exact model;
- shared pool users are linked, unlinked and deleted by all threads at random; every identity
  the server ever acknowledged must still be in exactly one user, unless a delete of a user that
  held it was acknowledged.

Sizes: ``FAKEAUTH0_STRESS_THREADS`` (8) and ``FAKEAUTH0_STRESS_SECONDS`` (4) for a longer run.
A watchdog (client timeouts, a join deadline, ``faulthandler``) fails the test on a hang.
"""

from __future__ import annotations

import faulthandler
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fakeauth0 import Tenant
from fakeauth0.server import FakeAuth0Server
from fakeauth0.store import StateStore
from tests.reliability.wire import REQUEST_TIMEOUT, Wire, env_int, uid
from tests.support import DB, PASSWORD

THREADS = env_int("FAKEAUTH0_STRESS_THREADS", 8)
SECONDS = env_int("FAKEAUTH0_STRESS_SECONDS", 4)
LEDGER_USERS = 4
POOL_USERS = 24  # shared; kept small so threads collide on the same users


@dataclass
class Ledger:
    """What every thread was told, for the checks at the end."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    #: (ledger user, thread) -> the last value a 200 PATCH reported for that thread's key
    metadata: dict[tuple[str, str], int] = field(default_factory=dict)
    #: identities ("auth0|x") the server acknowledged creating in the shared pool
    created: set[str] = field(default_factory=set)
    #: identity -> every user id a response showed holding it
    held_by: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: user ids whose DELETE was acknowledged (204)
    deleted: set[str] = field(default_factory=set)

    def note(self, operation: str, status: int, body: Any) -> None:
        with self.lock:
            self.operations[operation] += 1
            self.statuses[status] += 1
            if status >= 500:
                self.errors.append(f"{operation}: {status} {body}")

    def saw(self, user: Any) -> None:
        """A response showed a whole user: remember who held each of its identities."""
        if isinstance(user, dict) and isinstance(user.get("identities"), list):
            self.saw_identities(user["user_id"], user["identities"])

    def saw_identities(self, holder: str, identities: list[dict[str, Any]]) -> None:
        with self.lock:
            for identity in identities:
                self.held_by[f"{identity['provider']}|{identity['user_id']}"].add(holder)


@pytest.fixture(params=["memory", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FakeAuth0Server]:
    """The threaded server, in memory or keeping its state file (commits under load too)."""
    tenant = Tenant("stress.auth0.com", seed="stress")
    tenant.connection(DB).options["passwordPolicy"] = "none"
    store = StateStore(str(tmp_path / "state.db")) if request.param == "sqlite" else None
    with FakeAuth0Server(tenant, store=store) as server:
        yield server


def _create(wire: Wire, ledger: Ledger, email: str, pool: bool) -> str | None:
    body = {"connection": DB, "email": email, "password": PASSWORD}
    status, user = wire.call("POST", "/api/v2/users", body)
    ledger.note("create", status, user)
    if status != 201:
        return None
    ledger.saw(user)
    if pool:
        with ledger.lock:
            ledger.created.add(user["user_id"])
    return str(user["user_id"])


def _pool_step(wire: Wire, ledger: Ledger, rng: random.Random, pool: list[str], n: int) -> None:
    """One random operation on the shared pool (races between threads are the point)."""
    slot = rng.randrange(len(pool))
    a, b = pool[slot], rng.choice(pool)
    roll = rng.random()
    if roll < 0.25:  # link b into a
        bare = b.split("|", 1)[1]
        status, body = wire.call(
            "POST", f"/api/v2/users/{uid(a)}/identities", {"provider": "auth0", "user_id": bare}
        )
        ledger.note("link", status, body)
        if status == 201:
            ledger.saw_identities(a, body)
        elif status not in (400, 404, 409):
            ledger.errors.append(f"link: {status} {body}")
    elif roll < 0.45:  # unlink b from a
        bare = b.split("|", 1)[1]
        status, body = wire.call("DELETE", f"/api/v2/users/{uid(a)}/identities/auth0/{bare}")
        ledger.note("unlink", status, body)
        if status == 200:
            ledger.saw_identities(a, body)
        elif status not in (400, 404):
            ledger.errors.append(f"unlink: {status} {body}")
    elif roll < 0.55:  # delete, then put a fresh user in its place
        status, body = wire.call("DELETE", f"/api/v2/users/{uid(a)}")
        ledger.note("delete", status, body)
        if status == 204:
            with ledger.lock:
                ledger.deleted.add(a)
        fresh = _create(wire, ledger, f"p{n}-{rng.getrandbits(40):x}@example.com", pool=True)
        if fresh is not None:
            pool[slot] = fresh  # another thread may have replaced it too: either is fine
    elif roll < 0.75:
        status, body = wire.call("GET", f"/api/v2/users/{uid(a)}")
        ledger.note("get", status, body)
        if status == 200:
            ledger.saw(body)
    elif roll < 0.9:
        status, body = wire.call("PATCH", f"/api/v2/users/{uid(a)}", {"app_metadata": {"n": n}})
        ledger.note("patch", status, body)
        if status == 200:
            ledger.saw(body)
    else:
        q = rng.choice(
            [
                "identities.provider:auth0",
                "email:p*",
                'user_id:"' + a + '"',
                "_exists_:app_metadata.n",
            ]
        )
        status, body = wire.call("GET", "/api/v2/users?per_page=100&q=" + uid(q))
        ledger.note("search", status, body)
        if status == 200:
            for user in body:
                ledger.saw(user)


def _private_round(wire: Wire, ledger: Ledger, name: str, i: int) -> None:
    """A thread's own users: every answer must be exactly what a serial tenant gives."""
    primary = _create(wire, ledger, f"{name}-{i}-a@example.com", pool=False)
    secondary = _create(wire, ledger, f"{name}-{i}-b@example.com", pool=False)
    if primary is None or secondary is None:
        ledger.errors.append(f"{name}: private create refused")
        return
    status, user = wire.call(
        "PATCH", f"/api/v2/users/{uid(primary)}", {"user_metadata": {"round": i}}
    )
    ledger.note("patch", status, user)
    if status != 200 or user["user_metadata"] != {"round": i}:
        ledger.errors.append(f"{name}: patch {status} {user}")
    bare = secondary.split("|", 1)[1]
    status, ids = wire.call(
        "POST", f"/api/v2/users/{uid(primary)}/identities", {"provider": "auth0", "user_id": bare}
    )
    ledger.note("link", status, ids)
    if status != 201 or [i["user_id"] for i in ids] != [primary.split("|")[1], bare]:
        ledger.errors.append(f"{name}: link {status} {ids}")
    status, body = wire.call("GET", f"/api/v2/users/{uid(secondary)}")
    ledger.note("get", status, body)
    if status != 404:
        ledger.errors.append(f"{name}: a linked secondary answered {status}")
    status, ids = wire.call("DELETE", f"/api/v2/users/{uid(primary)}/identities/auth0/{bare}")
    ledger.note("unlink", status, ids)
    if status != 200 or len(ids) != 1:
        ledger.errors.append(f"{name}: unlink {status} {ids}")
    for user_id in (primary, secondary):
        status, body = wire.call("DELETE", f"/api/v2/users/{uid(user_id)}")
        ledger.note("delete", status, body)
        status, body = wire.call("GET", f"/api/v2/users/{uid(user_id)}")
        ledger.note("get", status, body)
        if status != 404:
            ledger.errors.append(f"{name}: deleted {user_id} answered {status}")


def _worker(
    server: FakeAuth0Server,
    token: str,
    ledger: Ledger,
    ledger_users: list[str],
    pool: list[str],
    n: int,
    deadline: float,
) -> None:
    wire = Wire("127.0.0.1", server.port, token)
    rng = random.Random(n)
    name = f"t{n}"
    counter = 0
    i = 0
    try:
        while time.monotonic() < deadline:
            i += 1
            roll = rng.random()
            if roll < 0.2:
                target = rng.choice(ledger_users)
                counter += 1
                status, user = wire.call(
                    "PATCH", f"/api/v2/users/{uid(target)}", {"user_metadata": {name: counter}}
                )
                ledger.note("patch", status, user)
                if status == 200:
                    with ledger.lock:
                        ledger.metadata[(target, name)] = user["user_metadata"][name]
                else:
                    ledger.errors.append(f"{name}: ledger patch {status} {user}")
            elif roll < 0.3:
                _private_round(wire, ledger, name, i)
            else:
                _pool_step(wire, ledger, rng, pool, n)
    except Exception as error:  # a timeout or a dropped connection: the server hung or died
        ledger.errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        wire.close()


def check_linking_invariants(tenant: Tenant) -> list[str]:
    """Each identity in exactly one user, identities[0] is the user's own, no secondary listed
    or readable as a user (docs/auth0-behaviour.md#what-linking-changes)."""
    problems = []
    owners: dict[tuple[str, str], list[str]] = defaultdict(list)
    with tenant.lock:
        users = list(tenant.users)
        for user in users:
            first = user.identities[0]
            if user.user_id != f"{first.provider}|{first.user_id}":
                problems.append(
                    f"{user.user_id}: identities[0] is {first.provider}|{first.user_id}"
                )
            for identity in user.identities:
                owners[(identity.provider, str(identity.user_id))].append(user.user_id)
            for secondary in user.identities[1:]:
                secondary_id = f"{secondary.provider}|{secondary.user_id}"
                if tenant.users.get(secondary_id) is not None:
                    problems.append(f"the secondary {secondary_id} of {user.user_id} is a user")
    for key, holders in owners.items():
        if len(holders) != 1:
            problems.append(f"identity {key} is in {holders}")
    return problems


def test_concurrent_writes_keep_every_acknowledged_change(server: FakeAuth0Server) -> None:
    tenant = server.tenant
    token = tenant.management_token()
    setup = Wire("127.0.0.1", server.port, token)
    ledger = Ledger()
    ledger_users = [
        _create(setup, ledger, f"ledger{i}@example.com", pool=False) for i in range(LEDGER_USERS)
    ]
    pool = [_create(setup, ledger, f"pool{i}@example.com", pool=True) for i in range(POOL_USERS)]
    assert all(ledger_users) and all(pool)
    shared_pool: list[str] = [p for p in pool if p]

    watchdog = SECONDS + 4 * REQUEST_TIMEOUT + 30
    faulthandler.dump_traceback_later(watchdog, exit=True)  # the last resort: never hang CI
    try:
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=_worker,
                args=(server, token, ledger, ledger_users, shared_pool, n, deadline),
                name=f"stress-{n}",
                daemon=True,
            )
            for n in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.1, deadline + 2 * REQUEST_TIMEOUT - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        if hung:
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            pytest.fail(f"client threads still waiting on the server (a deadlock?): {hung}")
    finally:
        faulthandler.cancel_dump_traceback_later()

    assert not ledger.errors, ledger.errors[:10]
    assert not [s for s in ledger.statuses if s >= 500]

    # Linking invariants, in the tenant and as the API shows them.
    assert check_linking_invariants(tenant) == []
    with tenant.lock:
        held = {i: u.user_id for u in tenant.users for i in (x.key for x in u.identities)}
        primaries = {u.user_id for u in tenant.users}
    status, listed = setup.call("GET", "/api/v2/users?per_page=100&include_totals=true")
    assert status == 200 and listed["total"] == len(primaries)
    for user_id in list(primaries)[:50]:
        status, user = setup.call("GET", f"/api/v2/users/{uid(user_id)}")
        assert status == 200 and user["identities"][0]["user_id"] == user_id.split("|", 1)[1]

    # No lost update: each thread's last acknowledged value is on each ledger user.
    for (target, name), value in ledger.metadata.items():
        status, user = setup.call("GET", f"/api/v2/users/{uid(target)}")
        assert status == 200 and user["user_metadata"][name] == value, (target, name)

    # Every acknowledged identity is in exactly one user, unless a holder's delete was acked.
    lost = []
    for identity in ledger.created:
        key = tuple(identity.split("|", 1))
        if key in held:
            continue
        if not ({identity} | ledger.held_by[identity]) & ledger.deleted:
            lost.append(identity)
    assert lost == []
    setup.close()

    if server.store is not None:  # the state file holds exactly what memory holds
        path = server.store.path
        server.stop()
        again = Tenant("stress.auth0.com")
        stored = StateStore(path)
        try:
            again.restore(stored.load("stress.auth0.com") or {})
        finally:
            stored.close()
        assert again.snapshot()["users"] == tenant.snapshot()["users"]
        assert check_linking_invariants(again) == []

    total = sum(ledger.statuses.values())
    print(
        f"\nstress: {THREADS} threads, {SECONDS}s, {total} requests, "
        f"operations {dict(ledger.operations)}, statuses {dict(sorted(ledger.statuses.items()))}, "
        f"{len(primaries)} users at the end, 0 invariant violations, 0 lost writes"
    )
