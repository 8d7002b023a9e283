"""``--seed`` and ``--state`` end to end: the real CLI, restarts, SIGTERM and ``kill -9``."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.server.serving import fail_to_start, free_port, serve
from tests.support import DB, PASSWORD

SEED: dict[str, Any] = {
    "connections": [
        {"name": DB, "strategy": "auth0", "options": {"passwordPolicy": "low"}},
        {"name": "github", "strategy": "github"},
    ],
    "users": [
        {
            "user_id": "auth0|ann",
            "email": "ann@example.com",
            "password": "secret1",
            "app_metadata": {"plan": "pro"},
            "identities": [
                {"connection": DB, "provider": "auth0", "user_id": "ann"},
                {
                    "connection": "github",
                    "provider": "github",
                    "user_id": 42,
                    "isSocial": True,
                    "profileData": {"name": "Ann on GitHub"},
                },
            ],
        }
    ],
}


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(SEED))
    return path


def _auth(served: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + served.token()}


def test_seed_loads_linked_users(seed_file: Path) -> None:
    served = serve("--seed", str(seed_file))
    try:
        status, user, _headers = served.call(
            "GET", "/api/v2/users/auth0%7Cann", headers=_auth(served)
        )
        assert status == 200
        assert [i["provider"] for i in user["identities"]] == ["auth0", "github"]
        assert user["identities"][1]["profileData"] == {"name": "Ann on GitHub"}
        assert user["app_metadata"] == {"plan": "pro"}
        assert "password" not in user and "password_hash" not in user
        # The linked identity belongs to Ann: it is not a user of its own.
        status, _, _ = served.call("GET", "/api/v2/users/github%7C42", headers=_auth(served))
        assert status == 404
    finally:
        assert served.stop() == 0


def test_reset_returns_to_the_seed_not_to_empty(seed_file: Path) -> None:
    served = serve("--seed", str(seed_file))
    try:
        auth = _auth(served)
        body = {"connection": DB, "email": "bob@example.com", "password": PASSWORD}
        status, _bob, _ = served.call("POST", "/api/v2/users", body, auth)
        assert status == 201
        status, _, _ = served.call("POST", "/_fake/reset")
        assert status == 204
        status, users, _ = served.call("GET", "/api/v2/users", headers=auth)
        assert [u["user_id"] for u in users] == ["auth0|ann"]
    finally:
        served.stop()


def test_a_seed_that_breaks_a_rule_is_refused_naming_user_and_rule(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(SEED))
    bad["users"].append(
        {
            "user_id": "github|42",
            "identities": [{"connection": "github", "provider": "github", "user_id": 42}],
        }
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    code, stderr = fail_to_start("--seed", str(path))
    assert code == 2
    assert "github|42" in stderr and "already belongs to user 'auth0|ann'" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "Cannot read the seed file"), ("{not json", "is not valid JSON")],
)
def test_unreadable_seed_files_are_clear_startup_errors(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "seed.json"
    if content is not None:
        path.write_text(content)
    code, stderr = fail_to_start("--seed", str(path))
    assert code == 2 and expected in stderr and "Traceback" not in stderr


def test_an_unreadable_state_file_is_a_clear_startup_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database" * 100)
    code, stderr = fail_to_start("--state", str(path))
    assert code == 2
    assert f"Cannot use the state file {path}" in stderr and "Traceback" not in stderr


def test_a_port_in_use_is_a_clear_startup_error() -> None:
    served = serve()
    try:
        port = served.url.rsplit(":", 1)[1]
        code, stderr = fail_to_start(port=int(port))
        assert code == 2
        assert f"Cannot listen on 127.0.0.1:{port}" in stderr and "Traceback" not in stderr
    finally:
        served.stop()


def test_restart_with_state_keeps_changes_credentials_and_tokens(
    tmp_path: Path, seed_file: Path
) -> None:
    state = str(tmp_path / "state.db")
    port = free_port()
    first = serve("--seed", str(seed_file), "--state", state, port=port)
    auth = _auth(first)
    body = {"connection": DB, "email": "bob@example.com", "password": PASSWORD}
    status, bob, _ = first.call("POST", "/api/v2/users", body, auth)
    assert status == 201
    status, _, _ = first.call(
        "PATCH", "/api/v2/users/auth0%7Cann", {"user_metadata": {"theme": "dark"}}, auth
    )
    assert status == 200
    assert first.stop() == 0  # SIGTERM: a clean shutdown

    second = serve("--state", state, port=port)
    try:
        assert second.default == first.default  # the same client id and secret
        status, users, _ = second.call("GET", "/api/v2/users", headers=auth)  # the old token
        assert status == 200
        assert [u["user_id"] for u in users] == ["auth0|ann", bob["user_id"]]
        assert users[0]["user_metadata"] == {"theme": "dark"}
        assert len(users[0]["identities"]) == 2
        # The seed is kept too: reset goes back to it, not to empty.
        assert second.call("POST", "/_fake/reset")[0] == 204
        status, users, _ = second.call("GET", "/api/v2/users", headers=auth)
        assert [u["user_id"] for u in users] == ["auth0|ann"]
    finally:
        second.stop()


def test_kill_9_during_writes_loses_nothing_acknowledged(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    port = free_port()
    first = serve("--state", str(state), port=port)
    auth = _auth(first)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        i = 0
        while not stop.is_set():
            body = {"connection": DB, "email": f"w{n}-{i}@example.com", "password": PASSWORD}
            try:
                status, user, _ = first.call("POST", "/api/v2/users", body, auth)
            except OSError:
                return  # the server died mid-request: not acknowledged
            if status == 201:
                acknowledged.append(user["user_id"])
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.proc.send_signal(signal.SIGKILL)  # in the middle of the writes
    first.proc.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(acknowledged) >= 40

    with sqlite3.connect(state) as db:  # the file opens and is whole
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    second = serve("--state", str(state), port=port)
    try:
        status, users, _ = second.call(
            "GET", "/api/v2/users?per_page=100&page=0&include_totals=true", headers=auth
        )
        assert status == 200
        stored = {u["user_id"] for u in users["users"]}
        total = users["total"]
        page = 1
        while len(stored) < total:
            _, more, _ = second.call(
                "GET", f"/api/v2/users?per_page=100&page={page}&include_totals=true", headers=auth
            )
            stored |= {u["user_id"] for u in more["users"]}
            page += 1
        assert set(acknowledged) <= stored
    finally:
        second.stop()
