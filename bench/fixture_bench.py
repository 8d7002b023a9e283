"""Per-test cost of fakeauth0's fresh-tenant fixture, and its first use in a process.

Measures, each as a median over repetitions:

- cold: a new interpreter imports fakeauth0 + httpx and builds the first tenant, token and
  in-process client (what the first test of a suite pays), then makes one Management call;
- per test: what ``auth0_tenant`` + ``auth0_token`` + ``auth0_httpx`` do for every test (a
  tenant, a signed all-scopes token, an httpx client on the app), and the same plus one call;
- for comparison, when moto and boto3 are importable (here: by the system ``python3``),
  moto's ``mock_aws()`` + a boto3 cognito-idp client + ``create_user_pool`` per test.

Usage: .venv/bin/python bench/fixture_bench.py [--reps 500] [--cold 7] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

COLD = r"""
import time
t0 = time.perf_counter()
import httpx
from fakeauth0 import Tenant, create_app
t1 = time.perf_counter()
tenant = Tenant("bench.auth0.com")
token = tenant.management_token()
client = httpx.Client(base_url=tenant.base_url,
                      transport=httpx.WSGITransport(app=create_app(tenant)),
                      headers={"Authorization": "Bearer " + token})
t2 = time.perf_counter()
assert client.get("/api/v2/users").status_code == 200
t3 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t0) * 1e3, (t3 - t0) * 1e3)
"""

MOTO = r"""
import os, statistics, sys, time
for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.setdefault(k, "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
t0 = time.perf_counter()
import boto3
from moto import mock_aws
with mock_aws():
    boto3.client("cognito-idp", region_name="us-east-1").create_user_pool(PoolName="cold")
cold = (time.perf_counter() - t0) * 1e3
times = []
for i in range(int(sys.argv[1])):
    t = time.perf_counter()
    with mock_aws():
        c = boto3.client("cognito-idp", region_name="us-east-1")
        c.create_user_pool(PoolName=f"p{i}")
    times.append((time.perf_counter() - t) * 1e3)
import moto
print(cold, statistics.median(times), sorted(times)[int(len(times) * 0.9)], moto.__version__)
"""


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def bench_cold(runs: int) -> dict[str, float]:
    imports, first, first_call, wall = [], [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        ).stdout.split()
        wall.append((time.perf_counter() - start) * 1e3)
        imports.append(float(out[0]))
        first.append(float(out[1]))
        first_call.append(float(out[2]))
    return {
        "cold_imports_ms": statistics.median(imports),
        "cold_first_fixture_ms": statistics.median(first),
        "cold_first_fixture_and_call_ms": statistics.median(first_call),
        "cold_process_wall_ms": statistics.median(wall),
    }


def bench_per_test(reps: int) -> dict[str, float]:
    import httpx

    from fakeauth0 import create_app
    from fakeauth0.pytest_plugin import TenantConfig
    from fakeauth0.tokens import KEY_POOL

    config = TenantConfig("bench.auth0.com", None, [], [], [])
    KEY_POOL.warm()
    time.sleep(0.5)  # as during pytest's collection: the pool fills in the background

    def one(call: bool) -> float:
        start = time.perf_counter()
        tenant = config.build()
        token = tenant.management_token()
        client = httpx.Client(
            base_url=tenant.base_url,
            transport=httpx.WSGITransport(app=create_app(tenant)),
            headers={"Authorization": "Bearer " + token},
        )
        if call:
            assert client.get("/api/v2/users").status_code == 200
        client.close()
        return (time.perf_counter() - start) * 1e3

    for _ in range(20):
        one(True)
    setup = [one(False) for _ in range(reps)]
    with_call = [one(True) for _ in range(reps)]
    return {
        "per_test_fixture_median_ms": statistics.median(setup),
        "per_test_fixture_p90_ms": percentile(setup, 0.9),
        "per_test_fixture_and_call_median_ms": statistics.median(with_call),
        "per_test_fixture_and_call_p90_ms": percentile(with_call, 0.9),
    }


def bench_moto(reps: int) -> dict[str, object]:
    python = shutil.which("python3")
    if python is None:
        return {"moto": "python3 not found"}
    probe = subprocess.run(
        [python, "-c", "import moto, boto3"], capture_output=True, text=True, env=_clean_env()
    )
    if probe.returncode != 0:
        return {"moto": "not importable"}
    out = subprocess.run(
        [python, "-c", MOTO, str(reps)],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
    ).stdout.split()
    return {
        "moto_cold_first_ms": float(out[0]),
        "moto_per_test_median_ms": float(out[1]),
        "moto_per_test_p90_ms": float(out[2]),
        "moto_version": out[3],
    }


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--cold", type=int, default=7)
    parser.add_argument("--moto-reps", type=int, default=30)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    results.update(bench_cold(args.cold))
    results.update(bench_per_test(args.reps))
    results.update(bench_moto(args.moto_reps))
    for key, value in results.items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{key:40} {shown}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
