"""Timing helpers for the benchmark suite: bounded loops, round-robin rounds, same-run ratios.

Every loop stops at a count or a wall-clock budget, whichever comes first. A *round* runs each
benchmark once, in an order rotated from round to round, so machine noise (2 shared cores, other
processes) hits every target alike; figures are medians over rounds, and ratios are the median
of the per-round ratios, never a ratio of medians taken at different times.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A benchmark run: given a time budget, return {name: ops per second} (one or more figures).
Runner = Callable[[float], dict[str, float]]

SMALL_BODY = b'{"user_id":"auth0|0123456789abcdef","email":"x@y.test","email_verified":true}'


def trivial_app(environ: Any, start_response: Any) -> list[bytes]:
    """The floor: the least a WSGI app can do to answer a JSON GET."""
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(SMALL_BODY)))]
    )
    return [SMALL_BODY]


def rate_loop(fn: Callable[[int], Any], count: int, max_s: float) -> float:
    """Call ``fn(i)`` up to ``count`` times or ``max_s`` seconds; ops per second."""
    done = 0
    t0 = time.perf_counter()
    deadline = t0 + max_s
    for i in range(count):
        fn(i)
        done += 1
        if time.perf_counter() > deadline:
            break
    return done / (time.perf_counter() - t0)


def loop(
    name: str,
    fn: Callable[[int], Any],
    count: int = 1_000_000,
    after: Callable[[], Any] | None = None,
    warmup: int = 3,
) -> tuple[str, Runner]:
    """A plain benchmark: ``fn`` in a bounded loop; ``after`` (untimed) restores the state."""
    offset = [0]

    def run(max_s: float) -> dict[str, float]:
        for i in range(warmup):
            fn(offset[0] + i)
        offset[0] += warmup
        base = offset[0]
        rate = rate_loop(lambda i: fn(base + i), count, max_s)
        offset[0] += count
        if after is not None:
            after()
        return {name: rate}

    return name, run


def threaded(
    name: str, make_fn: Callable[[int], Callable[[int], Any]], threads: int, count: int = 10**6
) -> tuple[str, Runner]:
    """``threads`` client threads, each calling its own ``fn(i)``; aggregate ops per second."""
    fns = [make_fn(t) for t in range(threads)]

    def run(max_s: float) -> dict[str, float]:
        counts = [0] * threads
        errors: list[BaseException] = []
        barrier = threading.Barrier(threads + 1)
        deadline = [0.0]

        def body(t: int) -> None:
            fn = fns[t]
            barrier.wait()
            try:
                for i in range(count):
                    fn(i)
                    counts[t] += 1
                    if time.perf_counter() > deadline[0]:
                        break
            except BaseException as error:  # reported below, in the main thread
                errors.append(error)

        workers = [threading.Thread(target=body, args=(t,), daemon=True) for t in range(threads)]
        for worker in workers:
            worker.start()
        deadline[0] = time.perf_counter() + max_s
        t0 = time.perf_counter()
        barrier.wait()
        for worker in workers:
            worker.join(max_s + 60)
        elapsed = time.perf_counter() - t0
        if errors:
            raise errors[0]
        return {name: sum(counts) / elapsed}

    return name, run


@dataclass
class RoundRobin:
    """Benchmarks measured in rounds; each round runs every benchmark once, order rotated."""

    loop_s: float
    runners: list[tuple[str, Runner]] = field(default_factory=list)
    rounds: list[dict[str, float]] = field(default_factory=list)

    def add(self, entry: tuple[str, Runner]) -> None:
        self.runners.append(entry)

    def run(self, rounds: int, log: Callable[..., None] = print) -> None:
        for r in range(rounds):
            shift = r % max(len(self.runners), 1)
            order = self.runners[shift:] + self.runners[:shift]
            got: dict[str, float] = {}
            for _, runner in order:
                got.update(runner(self.loop_s))
            self.rounds.append(got)
            log(f"  round {r + 1}/{rounds}", {k[:44]: round(v) for k, v in got.items()})

    def median(self, name: str) -> float | None:
        values = [rd[name] for rd in self.rounds if name in rd]
        return statistics.median(values) if values else None

    def spread(self, name: str) -> tuple[float, float] | None:
        values = [rd[name] for rd in self.rounds if name in rd]
        return (min(values), max(values)) if values else None

    def ratio(self, name: str, reference: str) -> float | None:
        """Median over rounds of (name ÷ reference) measured in the same round."""
        values = [rd[name] / rd[reference] for rd in self.rounds if name in rd and reference in rd]
        return statistics.median(values) if values else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a child this suite started, by its own pid."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def machine() -> dict[str, str]:
    from importlib import metadata

    out = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
    }
    try:
        with open("/proc/cpuinfo") as f:
            model = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        if model:
            out["cpu"] = model[0]
    except OSError:
        pass
    for name in (
        "fakeauth0",
        "werkzeug",
        "auth0-python",
        "httpx",
        "requests",
        "moto",
        "boto3",
        "botocore",
        "oidc-provider-mock",
        "pytest-iam",
        "canaille",
        "authlib",
        "pyjwt",
        "cryptography",
    ):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["loadavg at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return out


def log(*args: Any) -> None:
    print(time.strftime("%H:%M:%S"), *args, flush=True)
