"""The benchmark suite: fakeauth0 beside its peer (moto's Cognito) and the floor, same run.

    make bench                      # everything (~15 min on 2 cores); rewrites bench/README.md
    make bench ARGS="--quick"       # small counts, a minute or two
    make bench ARGS="--only login"  # the login rows alone (~2 min); report in /tmp, see --only
    .venv-bench/bin/python bench/run.py --sections setup,inproc --sizes 1000 --rounds 3

Sections: ``setup`` (per-test cost), ``inproc`` (operations through the WSGI app, and through
the official SDK, at each size), ``http`` (loopback, 1 and 8 client threads), ``memory``
(RSS per user, child processes), ``login`` (code + PKCE and programmatic logins beside
oidc-provider-mock and pytest-iam, bench/login_bench.py), ``rbac`` (a user's permissions
through 50 roles and an RBAC token beside their plain paths, bench/rbac_bench.py), ``extra``
(bench/*_bench.py scripts other work contributed).
Figures are medians over rounds; ratios are medians of same-round ratios (see harness.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fake  # noqa: E402
import peers  # noqa: E402
from harness import (  # noqa: E402
    RoundRobin,
    free_port,
    log,
    loop,
    machine,
    stop,
    threaded,
    trivial_app,
    wait_port,
)
from report import (  # noqa: E402
    APP_ALONE,
    CREATE_THEN_SEARCH,
    FLOOR,
    FLOOR_POST,
    HTTP_FLOOR_1,
    HTTP_FLOOR_8,
    HTTP_SAME_1,
    same_requests,
    write_report,
)

#: Scripts other work drops into bench/, with the arguments of a quick run (full: none).
EXTRA_SCRIPTS = {
    "search_bench.py": ["--sizes", "1000", "--repeat", "20"],
    "fixture_bench.py": ["--reps", "50", "--cold", "2", "--moto-reps", "3"],
    "server_bench.py": ["--reps", "2", "--seconds", "0.5"],
    "lifecycle_bench.py": ["--import-users", "2000", "--export-users", "10000"],
}


def floor_entry() -> tuple[str, Any]:
    from werkzeug.test import Client

    client = Client(trivial_app)
    return loop(FLOOR, lambda i: client.get("/api/v2/users/abc").get_data())


def post_floor_entry() -> tuple[str, Any]:
    """The trivial app answering a JSON POST: the test client's own cost of sending a body."""
    from werkzeug.test import Client

    client = Client(trivial_app)
    body = {"connection": fake.DB, "email": "user1@example.com", "password": fake.PASSWORD}
    return loop(FLOOR_POST, lambda i: client.post("/api/v2/users", json=body).get_data())


# -- sections ---------------------------------------------------------------------------------


def section_setup(args: argparse.Namespace) -> dict[str, Any]:
    rr = RoundRobin(args.loop_s)
    rr.add(floor_entry())
    rr.add(loop("fakeauth0: tenant + token + test client", lambda i: fake.setup_per_test()))
    rr.add(loop("fakeauth0: tenant + token + SDK client", lambda i: fake.setup_per_test(sdk=True)))
    status = "peer not installed"
    if peers.available():
        import boto3

        shared = boto3.client("cognito-idp", region_name=peers.REGION)
        rr.add(
            loop("moto: mock_aws + boto3 client + user pool", lambda i: peers.setup_per_test(), 50)
        )
        rr.add(
            loop(
                "moto: mock_aws + user pool (shared client)",
                lambda i: peers.setup_per_test(shared),
                50,
            )
        )
        status = "measured"
    log("setup: rounds")
    rr.run(args.rounds, log)
    return {"rr": rr, "moto": status}


def section_inproc(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"sizes": {}}
    for n, size in enumerate(args.sizes):
        t0 = time.perf_counter()
        target = fake.FakeTarget(size)
        populate_fake_s = time.perf_counter() - t0
        rr = RoundRobin(args.loop_s)
        rr.add(floor_entry())
        rr.add(post_floor_entry())
        rr.add(loop("fakeauth0: get user", target.get_user))
        rr.add(loop("fakeauth0: get user, all-scopes token", target.get_user_all_scopes))
        rr.add(loop("fakeauth0: create user", target.create_user, after=target.drop_created))
        rr.add(loop("fakeauth0: users-by-email", target.users_by_email))
        rr.add(
            loop(
                CREATE_THEN_SEARCH,
                target.create_then_search,
                after=target.drop_created,
            )
        )
        notes: dict[str, str] = {}
        search = target.search_served()
        if search is None:
            rr.add(loop('fakeauth0: search q=email:"..."', target.search_email))
        else:
            notes['fakeauth0: search q=email:"..."'] = search
        link = target.link_served()
        if link is None:
            rr.runners.append(("fakeauth0: link/unlink", target.link_unlink_runner()))
        else:
            notes["fakeauth0: link"] = notes["fakeauth0: unlink"] = link
        if search is None and link is None:
            # The same requests to a trivial app: what the client alone costs for each one.
            same = fake.SameRequestFloor(target)
            rr.add(loop(same_requests("fakeauth0: get user"), same.get_user))
            rr.add(loop(same_requests("fakeauth0: create user"), same.create_user))
            rr.add(loop(same_requests("fakeauth0: users-by-email"), same.users_by_email))
            rr.add(loop(same_requests('fakeauth0: search q=email:"..."'), same.search_email))
            rr.runners.append(
                (same_requests("link"), same.link_unlink_runner(prefix=fake.SAME_REQUESTS))
            )
        if n == 0:
            rr.add(loop(APP_ALONE, target.direct_get_user_fn()))
            sdk = fake.SdkTarget(target)
            rr.add(loop("SDK: users.get (auth0-python, httpx WSGI)", sdk.sdk_get_user))
            rr.add(loop("httpx WSGI transport: GET user (no SDK)", sdk.httpx_get_user))
        moto = None
        if peers.available():
            t0 = time.perf_counter()
            moto = peers.MotoTarget(size)
            notes["moto populate s"] = f"{time.perf_counter() - t0:.1f}"
            rr.add(loop("moto: admin_get_user", moto.admin_get_user))
            rr.add(loop("moto: admin_create_user", moto.admin_create_user, after=moto.drop_created))
            rr.add(loop("moto: list_users email filter", moto.list_users_email))
            notes["moto: link"] = moto.link_status()
        else:
            notes["moto"] = "peer not installed"
        log(f"inproc @{size}: populated fakeauth0 in {populate_fake_s:.1f}s; rounds")
        rr.run(args.rounds, log)
        out["sizes"][size] = {"rr": rr, "notes": notes, "populate_fake_s": populate_fake_s}
        if moto is not None:
            moto.close()
        del target, moto
        gc.collect()
    return out


def _start(cmd: list[str], name: str) -> tuple[subprocess.Popen[str], Any]:
    logf = open(os.path.join(args_tmp(), f"{name}.log"), "w")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=logf, text=True)
    return proc, logf


def args_tmp() -> str:
    path = os.environ.get("FAKEAUTH0_BENCH_TMP", "/tmp/fakeauth0-bench")
    os.makedirs(path, exist_ok=True)
    return path


def section_http(args: argparse.Namespace) -> dict[str, Any]:
    import random

    import requests

    procs: list[tuple[subprocess.Popen[str], Any]] = []
    serve = os.path.join(HERE, "serve.py")
    out: dict[str, Any] = {"users": args.http_users}
    try:
        p_fake, p_floor = free_port(), free_port()
        procs.append(
            _start(
                [sys.executable, serve, "server", "fakeauth0", str(p_fake), str(args.http_users)],
                "fakeauth0",
            )
        )
        procs.append(_start([sys.executable, serve, "server", "floor", str(p_floor)], "floor"))
        p_canned = free_port()
        procs.append(
            _start(
                [sys.executable, serve, "server", "canned", str(p_canned), str(args.http_users)],
                "canned",
            )
        )
        info = json.loads(procs[0][0].stdout.readline())  # type: ignore[union-attr]
        json.loads(procs[1][0].stdout.readline())  # type: ignore[union-attr]
        canned_info = json.loads(procs[2][0].stdout.readline())  # type: ignore[union-attr]
        moto_client = None
        if peers.available():
            p_moto = free_port()
            moto_bin = os.path.join(os.path.dirname(sys.executable), "moto_server")
            procs.append(_start([moto_bin, "-H", "127.0.0.1", "-p", str(p_moto)], "moto_server"))
            if not wait_port(p_moto, 60):
                raise RuntimeError("moto_server did not open its port")
            moto_client = peers.MotoServerClient(f"http://127.0.0.1:{p_moto}", args.http_users)
        for port in (p_fake, p_floor, p_canned):
            if not wait_port(port, 60):
                raise RuntimeError(f"port {port} did not open")
        ids = info["ids"]
        fake_base = f"http://127.0.0.1:{p_fake}/api/v2"
        floor_url = f"http://127.0.0.1:{p_floor}/api/v2/users/abc"

        def getter(base: str, token: str, user_ids: list[str]) -> Any:
            def make(t: int) -> Any:
                s = requests.Session()
                s.headers["Authorization"] = f"Bearer {token}"
                rng = random.Random(t)

                def fn(_i: int) -> None:
                    r = s.get(f"{base}/users/{user_ids[rng.randrange(len(user_ids))]}", timeout=30)
                    assert r.status_code == 200, r.text
                    r.json()

                return fn

            return make

        fake_get = getter(fake_base, info["token"], ids)
        canned_get = getter(
            f"http://127.0.0.1:{p_canned}/api/v2", canned_info["token"], canned_info["ids"]
        )

        def fake_email(t: int) -> Any:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {info['token']}"
            rng = random.Random(50 + t)

            def fn(_i: int) -> None:
                k = rng.randrange(len(ids))
                r = s.get(
                    f"{fake_base}/users-by-email", params={"email": fake.email(k)}, timeout=30
                )
                assert r.status_code == 200 and len(r.json()) == 1, r.text

            return fn

        def floor_get(t: int) -> Any:
            s = requests.Session()

            def fn(_i: int) -> None:
                r = s.get(floor_url, timeout=30)
                assert r.status_code == 200
                r.json()

            return fn

        rr = RoundRobin(args.loop_s)
        rr.add(floor_entry())
        rr.add(threaded(HTTP_FLOOR_1, floor_get, 1))
        rr.add(threaded(HTTP_FLOOR_8, floor_get, 8))
        rr.add(threaded(HTTP_SAME_1, canned_get, 1))
        rr.add(threaded("fakeauth0 server: get user, 1 thread", fake_get, 1))
        rr.add(threaded("fakeauth0 server: get user, 8 threads", fake_get, 8))
        rr.add(threaded("fakeauth0 server: users-by-email, 1 thread", fake_email, 1))
        if moto_client is not None:
            rr.add(threaded("moto_server: AdminGetUser, 1 thread", moto_client.get_fn, 1))
            rr.add(threaded("moto_server: AdminGetUser, 8 threads", moto_client.get_fn, 8))
            rr.add(
                threaded(
                    "moto_server: ListUsers email filter, 1 thread", moto_client.list_email_fn, 1
                )
            )
            rr.add(
                threaded("moto_server: boto3 admin_get_user, 1 thread", moto_client.boto3_get_fn, 1)
            )
            out["moto"] = "measured"
        else:
            out["moto"] = "peer not installed"
        log(f"http @{args.http_users}: rounds")
        rr.run(args.rounds, log)
        out["rr"] = rr
    finally:
        for proc, logf in procs:
            stop(proc)
            logf.close()
    return out


def section_memory(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"users": args.memory_users}
    serve = os.path.join(HERE, "serve.py")
    targets = ["fakeauth0"] + (["moto"] if peers.available() else [])
    for target in targets:
        log(f"memory: {target} @{args.memory_users}")
        p = subprocess.run(
            [sys.executable, serve, "memory", target, str(args.memory_users)],
            capture_output=True,
            text=True,
            timeout=900,
        )
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
        out[target] = json.loads(lines[-1]) if lines else {"error": p.stderr[-1000:]}
    if "moto" not in out:
        out["moto"] = {"error": "peer not installed"}
    return out


def section_login(args: argparse.Namespace) -> dict[str, Any]:
    """Logins beside the login-flow peers, every target in the same rounds."""
    import login_bench

    entries, notes = login_bench.runners(with_peers=not args.no_peers)
    rr = RoundRobin(args.loop_s)
    for entry in entries:
        rr.add(entry)
    log(f"login: {len(entries)} rows; rounds")
    rr.run(args.rounds, log)
    return {"rr": rr, "notes": notes}


def section_rbac(args: argparse.Namespace) -> dict[str, Any]:
    """A user's permissions through 50 roles, and an RBAC token, beside their plain paths."""
    import rbac_bench

    return rbac_bench.section(args.loop_s, args.rounds, log)


def section_extra(args: argparse.Namespace) -> dict[str, Any]:
    """Benchmarks other work dropped into bench/: run each as it is, keep its output."""
    out: dict[str, Any] = {}
    for name, quick_args in EXTRA_SCRIPTS.items():
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            out[name] = {"status": "not present"}
            continue
        env = dict(os.environ, BENCH_QUICK="1" if args.quick else "0")
        log(f"extra: {name}")
        t0 = time.perf_counter()
        try:
            p = subprocess.run(
                [sys.executable, path, *(quick_args if args.quick else [])],
                capture_output=True,
                text=True,
                timeout=1200,
                env=env,
            )
            out[name] = {
                "status": f"exit {p.returncode}",
                "seconds": round(time.perf_counter() - t0, 1),
                "stdout": p.stdout[-6000:],
                "stderr": p.stderr[-1500:] if p.returncode else "",
            }
        except subprocess.TimeoutExpired:
            out[name] = {"status": "timed out after 1200 s"}
    return out


SECTIONS = {
    "setup": section_setup,
    "inproc": section_inproc,
    "http": section_http,
    "memory": section_memory,
    "login": section_login,
    "rbac": section_rbac,
    "extra": section_extra,
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes and short loops")
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument(
        "--only",
        metavar="SECTIONS",
        help="run just these sections and write the report to $FAKEAUTH0_BENCH_TMP (default "
        "/tmp/fakeauth0-bench), leaving bench/README.md and bench/results.json as they are",
    )
    ap.add_argument("--no-peers", action="store_true", help="login: fakeauth0's rows alone")
    ap.add_argument("--sizes", default=None, help="users per in-process size (1000,10000,100000)")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--loop-s", type=float, default=None, help="seconds per benchmark per round")
    ap.add_argument("--http-users", type=int, default=None)
    ap.add_argument("--memory-users", type=int, default=None)
    ap.add_argument("--out", default=None, help="the report (default: bench/README.md)")
    ap.add_argument("--json", default=None, help="raw figures (default: bench/results.json)")
    args = ap.parse_args(argv)
    if args.only:
        args.sections = args.only
    where = args_tmp() if args.only else HERE
    args.out = args.out or os.path.join(where, "README.md")
    args.json = args.json or os.path.join(where, "results.json")
    quick = args.quick
    args.sizes = [
        int(x) for x in (args.sizes or ("200,2000" if quick else "1000,10000,100000")).split(",")
    ]
    args.rounds = args.rounds or (2 if quick else 7)
    args.loop_s = args.loop_s or (0.2 if quick else 1.0)
    args.http_users = args.http_users or (200 if quick else 1000)
    args.memory_users = args.memory_users or (2000 if quick else 100_000)
    sections = [s for s in args.sections.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections: {', '.join(sorted(unknown))}")

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    env = machine()
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    for name in sections:
        log(f"== {name}")
        results[name] = SECTIONS[name](args)
    env["loadavg at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    meta = {
        "started": started,
        "minutes": round((time.perf_counter() - t0) / 60, 1),
        "argv": " ".join(sys.argv[1:]) or "(defaults)",
        "rounds": args.rounds,
        "loop_s": args.loop_s,
        "machine": env,
    }
    write_report(args.out, args.json, meta, results)
    log(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
