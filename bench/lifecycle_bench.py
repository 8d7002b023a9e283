"""The user lifecycle at scale: a bulk import of 10,000 users in files under Auth0's 500 KB
cap, and an export of 100,000 users (JSON and CSV), through the WSGI app, beside floors.

Run: ``.venv/bin/python bench/lifecycle_bench.py [--import-users 10000] [--export-users 100000]``.

- Import: every file is posted as go-auth0 posts it (multipart ``users``), then the jobs are
  settled. Users carry ``custom_password_hash`` (bcrypt, argon2, pbkdf2, sha256, md5 in turn),
  precomputed once: hashing is the migrating team's cost, not the fake's, and the fake verifies
  a hash only when its user logs in. Floor: ``json.loads`` of the same files (the least any
  server must do with them).
- Export: a job per format, settled, then its file downloaded from the reported location.
  Floor: the same users' JSON, one per line, gzipped.
- Memory: resident-set growth while loading (per user) and during each export.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import io
import json
import time
import urllib.parse
from typing import Any

from fakeauth0 import Tenant, create_app

DB = "Username-Password-Authentication"
#: Auth0's cap on one import file (https://auth0.com/docs/manage-users/user-migration/bulk-user-imports).
FILE_CAP = 500 * 1024
HASHES = [
    {
        "algorithm": "bcrypt",
        "hash": {"value": "$2b$10$C6UzMDM.H6dfI/f/IKxGhuWv4Vh3d5r2bG1b5TW8bG7PpSObLu5aW"},
    },
    {
        "algorithm": "argon2",
        "hash": {
            "value": "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
        },
    },
    {
        "algorithm": "sha256",
        "hash": {
            "value": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
            "encoding": "hex",
        },
    },
    {"algorithm": "md5", "hash": {"value": "5f4dcc3b5aa765d61d8327deb882cf99", "encoding": "hex"}},
]


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def import_files(n: int) -> list[bytes]:
    """``n`` users in Auth0's import format, cut into files under the cap."""
    files: list[bytes] = []
    batch: list[str] = []
    size = 2
    for i in range(n):
        record = {
            "email": f"user{i}@example.com",
            "email_verified": i % 2 == 0,
            "given_name": f"Given{i}",
            "family_name": f"Family{i}",
            "app_metadata": {"plan": ("free", "pro", "gold")[i % 3]},
            "custom_password_hash": HASHES[i % len(HASHES)],
        }
        line = json.dumps(record)
        if size + len(line) + 1 > FILE_CAP:
            files.append(("[" + ",".join(batch) + "]").encode())
            batch, size = [], 2
        batch.append(line)
        size += len(line) + 1
    if batch:
        files.append(("[" + ",".join(batch) + "]").encode())
    return files


def multipart(connection_id: str, content: bytes) -> tuple[bytes, str]:
    boundary = "fakeauth0bench"
    body = io.BytesIO()
    for name, value in (("connection_id", connection_id), ("upsert", "false")):
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        )
        body.write(value.encode() + b"\r\n")
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="users"; filename="users.json"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
    )
    body.write(content + f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def bench_import(n: int) -> dict[str, Any]:
    from werkzeug.test import Client

    files = import_files(n)
    assert all(len(f) < FILE_CAP for f in files)
    t0 = time.perf_counter()
    for content in files:
        json.loads(content)
    floor = time.perf_counter() - t0
    tenant = Tenant("bench.example.com")
    client = Client(create_app(tenant))
    headers = {"Authorization": f"Bearer {tenant.management_token()}"}
    connection_id = tenant.connection(DB).id
    gc.collect()
    before = rss_bytes()
    t0 = time.perf_counter()
    for content in files:
        body, kind = multipart(connection_id, content)
        answer = client.post(
            "/api/v2/jobs/users-imports", data=body, headers={**headers, "Content-Type": kind}
        )
        assert answer.status_code == 202, answer.get_data(as_text=True)
        tenant.settle_jobs()  # Auth0 runs two imports at a time
    took = time.perf_counter() - t0
    grown = rss_bytes() - before
    assert len(tenant.users) == n, len(tenant.users)
    return {
        "users": n,
        "files": len(files),
        "largest_file_kb": round(max(len(f) for f in files) / 1024, 1),
        "fake_s": round(took, 3),
        "fake_us_per_user": round(took / n * 1e6, 1),
        "floor_json_loads_s": round(floor, 4),
        "ratio_to_floor": round(took / floor, 1) if floor else None,
        "rss_growth_bytes_per_user": round(grown / n),
    }


def bench_export(n: int) -> dict[str, Any]:
    from werkzeug.test import Client

    tenant = Tenant("bench.example.com")
    connection_id = tenant.connection(DB).id
    for content in import_files(n):
        tenant.import_users(connection_id, json.loads(content), send_completion_email=False)
        tenant.settle_jobs()  # Auth0 runs two imports at a time
    client = Client(create_app(tenant))
    headers = {"Authorization": f"Bearer {tenant.management_token()}"}
    t0 = time.perf_counter()
    lines = "\n".join(json.dumps(u.to_json()) for u in tenant.users).encode()
    gzip.compress(lines)
    floor = time.perf_counter() - t0
    out: dict[str, Any] = {"users": n, "floor_json_gzip_s": round(floor, 3)}
    for fmt in ("json", "csv"):
        body: dict[str, Any] = {"format": fmt}
        if fmt == "csv":
            body["fields"] = [{"name": "user_id"}, {"name": "email"}, {"name": "app_metadata.plan"}]
        gc.collect()
        before = rss_bytes()
        t0 = time.perf_counter()
        job = client.post("/api/v2/jobs/users-exports", json=body, headers=headers).get_json()
        tenant.settle_jobs()
        done = client.get(f"/api/v2/jobs/{job['id']}", headers=headers).get_json()
        location = urllib.parse.urlsplit(done["location"])
        download = client.get(f"{location.path}?{location.query}")
        assert download.status_code == 200, download.status_code
        took = time.perf_counter() - t0
        out[fmt] = {
            "fake_s": round(took, 3),
            "fake_us_per_user": round(took / n * 1e6, 1),
            "ratio_to_floor": round(took / floor, 2) if floor else None,
            "file_mb": round(len(download.data) / 2**20, 2),
            "rss_growth_mb": round((rss_bytes() - before) / 2**20, 1),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--import-users", type=int, default=10_000)
    ap.add_argument("--export-users", type=int, default=100_000)
    args = ap.parse_args()
    print(json.dumps({"import": bench_import(args.import_users)}, indent=2), flush=True)
    print(json.dumps({"export": bench_export(args.export_users)}, indent=2), flush=True)


if __name__ == "__main__":
    main()
