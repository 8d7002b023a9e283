"""``fakeauth0 serve`` over HTTP on loopback: GET /api/v2/users/{id} and cold start.

Targets (issue 6): with ``requests.Session`` (keep-alive), 1 and 8 client threads,
``GET /api/v2/users/{id}`` at least 3x moto's server (~200/s in the 2026-11-22 baseline) and at
least 0.8x a trivial WSGI app on the same server stack (fakeauth0's request handler on
werkzeug's threaded server), measured in the same run, round-robin; cold start of the real CLI
to its first answered request under 0.5 s. werkzeug's stock handler (no keep-alive) is timed too,
as a floor.

Usage: python bench/server_bench.py [--reps 5] [--seconds 1.5] [--json FILE]
Every server is a child process on 127.0.0.1, stopped by its pid; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLI = str(Path(sys.executable).with_name("fakeauth0"))
BODY = b'{"user_id":"abc","email":"x@y.test","email_verified":true,"name":"x","nickname":"x"}'
MOTO_SERVER_GET_USER = 200.0  # req/s, moto's server in the 2026-11-22 baseline (1 client thread)


def trivial_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]


def serve_trivial(kind: str, port: int) -> None:
    """Child process: the trivial app on fakeauth0's stack or on werkzeug's stock one."""
    from werkzeug.serving import make_server

    if kind == "fakeauth0-stack":
        from fakeauth0.server import RequestHandler

        server = make_server(
            "127.0.0.1", port, trivial_app, threaded=True, request_handler=RequestHandler
        )
    else:
        import logging

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = make_server("127.0.0.1", port, trivial_app, threaded=True)
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 20.0) -> float:
    import urllib.request

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                answer.read()
                return time.perf_counter() - start
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rate(make: Callable[[], Callable[[], None]], threads: int, seconds: float) -> float:
    """Requests per second from ``threads`` clients, each with its own session, for ``seconds``."""
    counts = [0] * threads
    workers = [make() for _ in range(threads)]
    for worker in workers:
        worker()  # connect and warm up outside the timed window
    deadline = 0.0
    barrier = threading.Barrier(threads + 1)

    def run(i: int) -> None:
        barrier.wait()
        fn = workers[i]
        n = 0
        while time.perf_counter() < deadline:
            fn()
            n += 1
        counts[i] = n

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    deadline = time.perf_counter() + seconds
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join(timeout=seconds + 30)
    return sum(counts) / (time.perf_counter() - start)


def session_getter(url: str, headers: dict[str, str]) -> Callable[[], Callable[[], None]]:
    import requests

    def make() -> Callable[[], None]:
        session = requests.Session()

        def get() -> None:
            response = session.get(url, headers=headers, timeout=10)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

        return get

    return make


def cold_start(reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        port = free_port()
        started = time.perf_counter()
        proc = subprocess.Popen([CLI, "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
        try:
            wait_ready(f"http://127.0.0.1:{port}/_fake/health")
            times.append(time.perf_counter() - started)
        finally:
            stop(proc)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--json", default=None)
    parser.add_argument("--serve-trivial", default=None)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.serve_trivial:
        serve_trivial(args.serve_trivial, args.port)
        return

    import requests

    procs: list[subprocess.Popen[bytes]] = []
    targets: dict[str, tuple[str, dict[str, str]]] = {}
    try:
        port = free_port()
        fake = subprocess.Popen([CLI, "serve", "--port", str(port)], stdout=subprocess.PIPE)
        procs.append(fake)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/_fake/health")
        info = requests.get(base + "/_fake/tenant", timeout=10).json()
        token = requests.post(
            base + "/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": info["client_id"],
                "client_secret": info["client_secret"],
                "audience": info["audience"],
            },
            timeout=10,
        ).json()["access_token"]
        auth = {"Authorization": "Bearer " + token}
        user = requests.post(
            base + "/api/v2/users",
            json={
                "connection": "Username-Password-Authentication",
                "email": "bench@example.com",
                "password": "Corr3ct-Horse!",
            },
            headers=auth,
            timeout=10,
        ).json()
        targets["fakeauth0 GET /users/{id}"] = (
            base + "/api/v2/users/" + user["user_id"].replace("|", "%7C"),
            auth,
        )
        for kind in ("fakeauth0-stack", "werkzeug-stock"):
            trivial_port = free_port()
            proc = subprocess.Popen(
                [sys.executable, __file__, "--serve-trivial", kind, "--port", str(trivial_port)]
            )
            procs.append(proc)
            url = f"http://127.0.0.1:{trivial_port}/api/v2/users/abc"
            wait_ready(url)
            targets[f"trivial app, {kind}"] = (url, {})

        samples: dict[str, list[float]] = {}
        for threads in (1, 8):
            for _ in range(args.reps):  # round-robin, so drift hits every target alike
                for name, (url, headers) in targets.items():
                    key = f"{name}, {threads} thr"
                    samples.setdefault(key, []).append(
                        rate(session_getter(url, headers), threads, args.seconds)
                    )
    finally:
        for proc in procs:
            stop(proc)

    medians = {key: statistics.median(values) for key, values in samples.items()}
    result: dict[str, Any] = {"rates_median": medians, "samples": samples}
    for threads in (1, 8):
        ours = medians[f"fakeauth0 GET /users/{{id}}, {threads} thr"]
        floor = medians[f"trivial app, fakeauth0-stack, {threads} thr"]
        result[f"ratio_vs_trivial_same_stack_{threads}thr"] = ours / floor
        result[f"ratio_vs_moto_server_{threads}thr"] = ours / MOTO_SERVER_GET_USER
    cold = cold_start(args.reps)
    result["cold_start_s"] = {"median": statistics.median(cold), "all": cold}
    for key, value in medians.items():
        print(f"{key:48s} {value:8.0f} req/s")
    for key, value in result.items():
        if key.startswith("ratio"):
            print(f"{key:48s} {value:8.2f}")
    label = "cold start (CLI to first answer), median"
    print(f"{label:48s} {result['cold_start_s']['median']:8.3f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
