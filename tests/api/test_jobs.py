"""Jobs as Auth0 runs them: users imports, users exports, verification e-mails, ``GET
/jobs/{id}`` and its errors.

Sources: go-auth0's recordings of a real tenant (test/data/recordings/TestJobManager_ImportUsers,
_ReadErrors, _ExportUsers, _VerifyEmail.yaml, https://github.com/auth0/go-auth0); the import
schema and its hash algorithms
(https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples);
the export formats and limits (https://auth0.com/docs/manage-users/user-migration/bulk-user-exports).
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import hmac
import io
import json
import os
from typing import Any
from urllib.parse import parse_qs, urlsplit

import bcrypt
import httpx
import pytest
from argon2 import PasswordHasher
from auth0.management import ManagementClient

from fakeauth0 import OAuthError, Tenant
from fakeauth0.intercept import Interceptor
from tests.support import DB, PASSWORD, RawClient, assert_error

PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"
IMPORTS = "jobs/users-imports"


def db_id(tenant: Tenant) -> str:
    return tenant.connection(DB).id


def upload(
    raw: RawClient, tenant: Tenant, users: Any, *, connection_id: str | None = None, **form: str
) -> httpx.Response:
    """The multipart request go-auth0 sends (TestJobManager_ImportUsers)."""
    content = users if isinstance(users, bytes) else json.dumps(users).encode()
    data = {"connection_id": connection_id or db_id(tenant), **form}
    return raw.post(
        IMPORTS, data=data, files={"users": ("users.json", content, "application/json")}
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def phc_b64(data: bytes) -> str:
    return b64(data).rstrip("=")


#: One user per algorithm the schema page lists (md4 and whirlpool aside: this Python's
#: OpenSSL may lack them), each hashed from its own password as the old system did.
SALT = b"NaCl-42"
HASHES: dict[str, tuple[str, dict[str, Any]]] = {
    "bcrypt": (
        "hello",  # the schema page's own example, cost 10
        {
            "algorithm": "bcrypt",
            "hash": {"value": "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"},
        },
    ),
    "bcrypt-2y-salted": (
        "pw-bcrypt-salt",
        {
            "algorithm": "bcrypt",
            "hash": {
                "value": bcrypt.hashpw(b"pepper" + b"pw-bcrypt-salt", bcrypt.gensalt(4))
                .decode()
                .replace("$2b$", "$2y$", 1)
            },
            "salt": {"value": "pepper", "position": "prefix"},
        },
    ),
    "argon2": (
        "pw-argon2",
        {
            "algorithm": "argon2",
            "hash": {"value": PasswordHasher(time_cost=1, memory_cost=1024).hash("pw-argon2")},
        },
    ),
    "pbkdf2": (
        "pw-pbkdf2",
        {
            "algorithm": "pbkdf2",
            "hash": {
                "value": "$pbkdf2-sha256$i=1000,l=32$"
                + phc_b64(SALT)
                + "$"
                + phc_b64(hashlib.pbkdf2_hmac("sha256", b"pw-pbkdf2", SALT, 1000, 32)),
                "encoding": "utf8",
            },
        },
    ),
    "md5-suffix": (
        "pw-md5",
        {
            "algorithm": "md5",
            "hash": {"value": hashlib.md5(b"pw-md5" + SALT).hexdigest().upper(), "encoding": "hex"},
            "salt": {"value": SALT.hex(), "encoding": "hex", "position": "suffix"},
        },
    ),
    "sha1-base64": (
        "pw-sha1",
        {
            "algorithm": "sha1",
            "hash": {"value": b64(hashlib.sha1(b"pw-sha1").digest()), "encoding": "base64"},
        },
    ),
    "sha256-prefix": (
        "pw-sha256",
        {
            "algorithm": "sha256",
            "hash": {"value": hashlib.sha256(b"abc123pw-sha256").hexdigest(), "encoding": "hex"},
            "salt": {"value": "abc123", "position": "prefix"},
        },
    ),
    "sha512-utf16": (
        "pw-sha512",
        {
            "algorithm": "sha512",
            "hash": {
                "value": hashlib.sha512("pw-sha512".encode("utf-16-le")).hexdigest(),
                "encoding": "hex",
            },
            "password": {"encoding": "utf16le"},
        },
    ),
    "ldap-ssha": (
        "pw-ldap",
        {
            "algorithm": "ldap",
            "hash": {
                "value": "{SSHA}" + b64(hashlib.sha1(b"pw-ldap" + SALT).digest() + SALT),
                "encoding": "utf8",
            },
        },
    ),
    "hmac": (
        "pw-hmac",
        {
            "algorithm": "hmac",
            "hash": {
                "value": b64(hmac.new(bytes.fromhex("736868"), b"pw-hmac", "sha1").digest()),
                "encoding": "base64",
                "digest": "sha1",
                "key": {"value": "736868", "encoding": "hex"},
            },
        },
    ),
    "scrypt": (
        "pw-scrypt",
        {
            "algorithm": "scrypt",
            "hash": {
                "value": hashlib.scrypt(
                    b"pw-scrypt", salt=b"abc123", n=1024, r=8, p=1, dklen=32
                ).hex(),
                "encoding": "hex",
            },
            "salt": {"value": "abc123", "encoding": "utf8"},
            "keylen": 32,
            "cost": 1024,
        },
    ),
}


def test_an_import_answers_202_pending_and_completes_on_the_clock(
    tenant: Tenant, raw: RawClient
) -> None:
    """TestJobManager_ImportUsers: 202 ``{type, status: pending, connection_id, connection,
    created_at, id}``; once done, ``summary`` {failed, updated, inserted, total}. The user is
    made as Auth0 makes it: name the e-mail, nickname its local part, a secure.gravatar picture."""
    tenant.clock.freeze()
    created = upload(raw, tenant, [{"email": "Auzironian@example.com", "email_verified": True}])
    assert created.status_code == 202
    job = created.json()
    assert list(job) == ["type", "status", "connection_id", "connection", "created_at", "id"]
    assert job["type"] == "users_import" and job["status"] == "pending"
    assert job["connection"] == DB and job["id"].startswith("job_") and len(job["id"]) == 20
    assert raw.get(f"jobs/{job['id']}").json()["status"] == "pending"
    assert tenant.users_by_email("auzironian@example.com") == []
    tenant.clock.advance(1)
    assert raw.get(f"jobs/{job['id']}").json()["status"] == "processing"
    tenant.clock.advance(1)
    done = raw.get(f"jobs/{job['id']}").json()
    assert done["status"] == "completed"
    assert done["summary"] == {"failed": 0, "updated": 0, "inserted": 1, "total": 1}
    (user,) = tenant.users_by_email("auzironian@example.com")
    shown = user.to_json()
    assert shown["name"] == "auzironian@example.com" and shown["nickname"] == "auzironian"
    assert shown["picture"].startswith("https://secure.gravatar.com/avatar/")
    assert shown["email_verified"] is True and "logins_count" not in shown
    assert raw.get(f"jobs/{job['id']}/errors").status_code == 204


def test_imported_users_log_in_with_their_old_passwords(tenant: Tenant, raw: RawClient) -> None:
    """Every algorithm of the schema page: the hash is kept with its parameters and checked by
    the login pipeline, through ``tenant.login`` and the password-realm grant."""
    records = [
        {"email": f"{name}@example.com", "custom_password_hash": spec}
        for name, (_, spec) in HASHES.items()
    ]
    records.append(
        {
            "email": "plain@example.com",
            "password_hash": bcrypt.hashpw(b"pw-plain", bcrypt.gensalt(4)).decode(),
        }
    )
    job = upload(raw, tenant, records).json()
    tenant.settle_jobs()
    assert raw.get(f"jobs/{job['id']}").json()["summary"]["inserted"] == len(records)

    app = tenant.create_client_from(
        {"name": "Migrated app", "app_type": "regular_web", "grant_types": [PASSWORD_REALM]}
    )
    tenant.set_connection_clients(db_id(tenant), [{"client_id": app.client_id, "status": True}])
    passwords = {name: password for name, (password, _) in HASHES.items()} | {"plain": "pw-plain"}
    for name, password in passwords.items():
        email = f"{name}@example.com"
        assert tenant.login(DB, email=email, password=password).user.email == email, name
        with pytest.raises(OAuthError):
            tenant.login(DB, email=email, password=password + "x")
        grant = {
            "grant_type": PASSWORD_REALM,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": email,
            "password": password,
            "realm": DB,
        }
        answer = raw.http.post("/oauth/token", json=grant)
        assert answer.status_code == 200, (name, answer.text)
        wrong = raw.http.post("/oauth/token", json={**grant, "password": "not-it"})
        assert wrong.status_code == 403 and wrong.json()["error"] == "invalid_grant"


def test_errors_are_reported_per_user(tenant: Tenant, raw: RawClient) -> None:
    """TestJobManager_ReadErrors: a duplicate without ``upsert`` is
    ``{"user": <as sent>, "errors": [{"code": "DUPLICATED_USER", "message": ...}]}``; records
    the schema refuses fail alone, the others are imported."""
    raw.create_user(connection=DB, email="chuck@example.com", password=PASSWORD)
    records: list[Any] = [
        {"email": "chuck@example.com", "email_verified": True},
        {"email_verified": True},
        {"email": "not-an-email"},
        {"email": "x@example.com", "favourite": "kick"},
        {"email": "y@example.com", "blocked": "no"},
        {
            "email": "z@example.com",
            "custom_password_hash": {"algorithm": "bcrypt", "hash": {"value": "$2x$10$abc"}},
        },
        {
            "email": "w@example.com",
            "password_hash": "$2b$10$x",
            "custom_password_hash": HASHES["sha1-base64"][1],
        },
        "not a user",
        {"email": "fine@example.com"},
    ]
    job = upload(raw, tenant, records).json()
    tenant.settle_jobs()
    summary = raw.get(f"jobs/{job['id']}").json()["summary"]
    assert summary == {"failed": 8, "updated": 0, "inserted": 1, "total": 9}
    errors = raw.get(f"jobs/{job['id']}/errors").json()
    assert errors[0] == {
        "user": {"email": "chuck@example.com", "email_verified": True},
        "errors": [
            {
                "code": "DUPLICATED_USER",
                "message": "The user already exist and upsert parameter is false",
            }
        ],
    }
    codes = [[e["code"] for e in entry["errors"]] for entry in errors[1:]]
    assert codes == [
        ["OBJECT_MISSING_REQUIRED_PROPERTY"],
        ["INVALID_FORMAT"],
        ["OBJECT_ADDITIONAL_PROPERTIES"],
        ["INVALID_TYPE"],
        ["INVALID_FORMAT"],
        ["INVALID_FORMAT"],
        ["INVALID_TYPE"],
    ]
    assert errors[2]["errors"][0]["path"] == "email"
    assert errors[4]["errors"][0]["message"] == "Expected type boolean but found type string"


def test_upsert_updates_the_user_it_duplicates(tenant: Tenant, raw: RawClient) -> None:
    """The schema page's "Upsert During Import?": metadata, names and ``email_verified`` change;
    a new custom hash replaces one the user has not logged in with yet."""
    first = [
        {
            "email": "u@example.com",
            "given_name": "Old",
            "custom_password_hash": HASHES["sha1-base64"][1],
        }
    ]
    upload(raw, tenant, first)
    tenant.settle_jobs()
    again = [
        {
            "email": "u@example.com",
            "given_name": "New",
            "user_metadata": {"theme": "dark"},
            "custom_password_hash": HASHES["sha256-prefix"][1],
        }
    ]
    job = upload(raw, tenant, again, upsert="true").json()
    tenant.settle_jobs()
    assert raw.get(f"jobs/{job['id']}").json()["summary"] == {
        "failed": 0,
        "updated": 1,
        "inserted": 0,
        "total": 1,
    }
    (user,) = tenant.users_by_email("u@example.com")
    assert user.profile["given_name"] == "New" and user.user_metadata == {"theme": "dark"}
    assert (
        tenant.login(DB, email="u@example.com", password="pw-sha256").user.user_id == user.user_id
    )


def test_the_file_limit_and_bad_requests_are_auth0s_400s(tenant: Tenant, raw: RawClient) -> None:
    """A file over 500 KB: 413 "Payload content length greater than maximum allowed: 512000."
    (the spec); a file that is no JSON array, a missing part, an unknown or non-database
    connection, a body that is not multipart: 4xx, never a 500."""
    big = json.dumps(
        [{"email": f"u{n}@example.com", "name": "x" * 200} for n in range(2300)]
    ).encode()
    assert len(big) > 512_000
    assert_error(
        upload(raw, tenant, big),
        413,
        "Payload content length greater than maximum allowed: 512000.",
    )
    assert_error(upload(raw, tenant, b"[{not json"), 400, error_code="invalid_body")
    assert_error(upload(raw, tenant, {"email": "a@example.com"}), 400, error_code="invalid_body")
    assert_error(
        upload(raw, tenant, [], connection_id="con_AAAAAAAAAAAAAAAA"),
        400,
        error_code="inexistent_connection",
    )
    email_id = tenant.connection("email").id
    assert_error(
        upload(raw, tenant, [], connection_id=email_id),
        400,
        "Connection must be a database connection",
        "operation_not_supported",
    )
    assert_error(upload(raw, tenant, [], upsert="maybe"), 400, error_code="invalid_body")
    no_file = raw.post(IMPORTS, data={"connection_id": db_id(tenant)}, files={"other": ("x", b"1")})
    assert_error(
        no_file,
        400,
        "Payload validation error: 'Missing required property: users'.",
        "invalid_body",
    )
    broken = raw.post(
        IMPORTS,
        content=b'--b\r\nContent-Disposition: form-data; name="users"\r\n\r\n[',
        headers={"Content-Type": "multipart/form-data"},
    )
    assert broken.status_code == 400
    assert raw.post(IMPORTS, json={"users": []}).status_code == 415


def test_two_imports_at_a_time(tenant: Tenant, raw: RawClient) -> None:
    """ "limit of 2 concurrent import jobs" (the rate-limit policy page): the third is a 429
    until one has finished."""
    tenant.clock.freeze()
    assert upload(raw, tenant, []).status_code == 202
    assert upload(raw, tenant, []).status_code == 202
    third = upload(raw, tenant, [])
    body = assert_error(third, 429)
    assert body["message"].startswith("There are 2 active import users jobs")
    tenant.clock.advance(2)
    assert upload(raw, tenant, []).status_code == 202


def test_an_export_is_a_gzipped_file_at_the_location_the_job_reports(
    tenant: Tenant, raw: RawClient
) -> None:
    """TestJobManager_ExportUsers: 200, the job echoes what was asked; done, its ``location``
    gives a gzipped NDJSON (``json``) or CSV file, with the fields named (``export_as`` for
    titles), never a password hash. The link is valid 60 seconds (bulk-user-exports)."""
    raw.create_user(
        connection=DB, email="chuck@example.com", password=PASSWORD, user_metadata={"plan": "pro"}
    )
    raw.create_user(connection=DB, email="dora@example.com", password=PASSWORD)
    body = {
        "connection_id": db_id(tenant),
        "format": "json",
        "limit": 5,
        "fields": [
            {"name": "email"},
            {"name": "identities[0].connection", "export_as": "provider"},
            {"name": "user_metadata.plan"},
        ],
    }
    created = raw.post("jobs/users-exports", json=body)
    assert created.status_code == 200
    job = created.json()
    assert list(job) == [
        "type",
        "status",
        "connection_id",
        "format",
        "limit",
        "fields",
        "connection",
        "created_at",
        "id",
    ]
    assert job["fields"] == body["fields"] and job["status"] == "pending"
    tenant.settle_jobs()
    done = raw.get(f"jobs/{job['id']}").json()
    assert done["status"] == "completed" and done["location"].startswith(
        tenant.base_url + "/user-exports/"
    )
    assert f"/{tenant.domain.split('.')[0]}.json.gz?" in done["location"]
    got = raw.http.get(done["location"])
    assert got.status_code == 200
    lines = gzip.decompress(got.content).decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"email": "chuck@example.com", "provider": DB, "user_metadata.plan": "pro"},
        {"email": "dora@example.com", "provider": DB},
    ]
    tenant.clock.advance(61)
    assert raw.http.get(done["location"]).status_code == 403
    fresh = raw.get(f"jobs/{job['id']}").json()["location"]
    assert raw.http.get(fresh).status_code == 200
    assert raw.http.get(fresh.replace("Signature=", "Signature=0")).status_code == 403

    whole = raw.post("jobs/users-exports", json={"format": "json"}).json()
    tenant.settle_jobs()
    text = gzip.decompress(
        raw.http.get(raw.get(f"jobs/{whole['id']}").json()["location"]).content
    ).decode()
    assert len(text.splitlines()) == 2 and "sha256$" not in text and "password" not in text


def test_a_csv_export_escapes_strings_as_auth0_does(tenant: Tenant, raw: RawClient) -> None:
    """bulk-user-exports: strings get a leading ``'``, doubled quotes and surrounding quotes;
    Auth0's own dates do not; CSV holds at most 30 fields and no whole metadata object."""
    raw.create_user(connection=DB, email="q@example.com", password=PASSWORD, given_name='=HY"PER')
    fields = [
        {"name": "email", "export_as": "Email"},
        {"name": "given_name"},
        {"name": "created_at"},
        {"name": "logins_count"},
    ]
    job = raw.post("jobs/users-exports", json={"format": "csv", "fields": fields}).json()
    tenant.settle_jobs()
    location = raw.get(f"jobs/{job['id']}").json()["location"]
    text = gzip.decompress(raw.http.get(location).content).decode()
    header, row = text.splitlines()
    assert header == "Email,given_name,created_at,logins_count"
    assert row.startswith('"\'q@example.com","\'=HY""PER",20')
    assert next(csv.reader(io.StringIO(row)))[1] == "'=HY\"PER"
    too_many = [{"name": f"user_metadata.f{n}"} for n in range(31)]
    assert_error(
        raw.post("jobs/users-exports", json={"format": "csv", "fields": too_many}),
        400,
        error_code="invalid_body",
    )
    assert_error(
        raw.post(
            "jobs/users-exports", json={"format": "csv", "fields": [{"name": "app_metadata"}]}
        ),
        400,
        error_code="invalid_body",
    )
    assert_error(
        raw.post("jobs/users-exports", json={"format": "xml"}), 400, error_code="invalid_body"
    )


def test_a_verification_email_job_records_the_message(tenant: Tenant, raw: RawClient) -> None:
    """TestJobManager_VerifyEmail: 201 ``{type: verification_email, status: pending,
    created_at, id}``; when it completes, a ``verify_email`` message in ``tenant.mail``."""
    tenant.clock.freeze()
    user = raw.create_user(connection=DB, email="v@example.com", password=PASSWORD)
    created = raw.post("jobs/verification-email", json={"user_id": user["user_id"]})
    assert created.status_code == 201
    job = created.json()
    assert list(job) == ["type", "status", "created_at", "id"] and job["status"] == "pending"
    assert tenant.mail == []
    tenant.clock.advance(2)
    assert raw.get(f"jobs/{job['id']}").json()["status"] == "completed"
    (message,) = tenant.mail
    assert message["template"] == "verify_email" and message["recipient"] == "v@example.com"
    assert message["user_id"] == user["user_id"] and message["connection"] == DB
    assert raw.get(f"jobs/{job['id']}/errors").json()["type"] == "verification_email"
    assert_error(
        raw.post("jobs/verification-email", json={"user_id": "auth0|nobody"}),
        400,
        "The user does not exist.",
        "inexistent_user",
    )
    assert_error(raw.post("jobs/verification-email", json={}), 400, error_code="invalid_body")


def test_the_verification_jobs_email_holds_a_link_that_verifies(
    tenant: Tenant, raw: RawClient
) -> None:
    """The e-mail a verification job sends holds the link that verifies the address
    (https://auth0.com/docs/manage-users/user-accounts/verify-emails; CHOICES.md "jobs: the
    verification e-mail's link"): followed, the user is verified."""
    user = raw.create_user(connection=DB, email="w@example.com", password=PASSWORD)
    raw.post("jobs/verification-email", json={"user_id": user["user_id"]})
    tenant.settle_jobs()
    link = tenant.outbox.latest(to="w@example.com", template="verify_email")["link"]
    assert link.startswith(f"https://{tenant.domain}/u/email-verification?ticket=")
    assert tenant.get_user(user["user_id"]).profile["email_verified"] is False
    ticket = parse_qs(urlsplit(link).query)["ticket"][0]
    assert tenant.use_email_verification_ticket(ticket).success
    assert tenant.get_user(user["user_id"]).profile["email_verified"] is True


def test_unknown_jobs_and_scopes(tenant: Tenant, raw: RawClient) -> None:
    """The spec: 404 for a job that does not exist (and, a day on, for every job: its data is
    gone); ``create:users`` or ``read:users`` to read jobs (the spec's security)."""
    assert_error(raw.get("jobs/job_0000000000000000"), 404, "Job not found.", "inexistent_job")
    assert_error(raw.get("jobs/job_0000000000000000/errors"), 404, error_code="inexistent_job")
    job = upload(raw, tenant, []).json()
    assert raw.get(f"jobs/{job['id']}", scopes=["update:users"]).status_code == 403
    tenant.clock.advance(24 * 3600)
    assert raw.get(f"jobs/{job['id']}").status_code == 404


def test_the_control_plane_settles_jobs(tenant: Tenant, raw: RawClient) -> None:
    tenant.clock.freeze()
    job = upload(raw, tenant, [{"email": "s@example.com"}]).json()
    assert raw.http.post("/_fake/jobs/settle").status_code == 204
    assert raw.get(f"jobs/{job['id']}").json()["status"] == "completed"
    assert tenant.users_by_email("s@example.com")
    tenant.reset()
    assert raw.get(f"jobs/{job['id']}").status_code == 404


def test_auth0_python_drives_jobs(auth0_tenant: Tenant, auth0_intercept: Interceptor) -> None:
    """auth0-python's ``jobs.*`` over its own httpx client, intercepted to the tenant; an export
    that round-trips through an import into another connection."""
    tenant = auth0_tenant
    mgmt = ManagementClient(domain=tenant.domain, token=tenant.management_token())
    source = tenant.connection(DB)
    records = [
        {"email": f"sdk{n}@example.com", "custom_password_hash": HASHES["md5-suffix"][1]}
        for n in range(3)
    ]
    imported = mgmt.jobs.users_imports.create(
        users=("users.json", json.dumps(records).encode(), "application/json"),
        connection_id=source.id,
        upsert=False,
        send_completion_email=False,
    )
    assert imported.status == "pending" and imported.type == "users_import"
    tenant.settle_jobs()
    got = mgmt.jobs.get(imported.id)
    assert got.status == "completed"
    assert mgmt.jobs.errors.get(imported.id) is None

    exported = mgmt.jobs.users_exports.create(
        connection_id=source.id, format="json", fields=[{"name": "email"}]
    )
    tenant.settle_jobs()
    location = mgmt.jobs.get(exported.id).location
    assert location is not None
    lines = gzip.decompress(httpx.get(location).content).decode().splitlines()
    assert sorted(json.loads(line)["email"] for line in lines) == [r["email"] for r in records]

    other = tenant.create_connection_from({"name": "migrated", "strategy": "auth0"})
    tenant.set_connection_clients(
        other.id, [{"client_id": tenant.management_client.client_id, "status": True}]
    )
    again = mgmt.jobs.users_imports.create(
        users=("users.json", ("[" + ",".join(lines) + "]").encode(), "application/json"),
        connection_id=other.id,
    )
    tenant.settle_jobs()
    assert mgmt.jobs.get(again.id).status == "completed"
    assert len([u for u in tenant.list_users() if u.primary.connection == "migrated"]) == 3

    user_id = tenant.users_by_email("sdk0@example.com")[0].user_id
    sent = mgmt.jobs.verification_email.create(user_id=user_id)
    assert sent.type == "verification_email"
    tenant.settle_jobs()
    assert tenant.mail[-1]["recipient"] == "sdk0@example.com"


def _hashed(n: int, password: str) -> dict[str, Any]:
    """User ``n``'s old hash, the algorithms in turn (cheap costs: the test times the fake)."""
    salt = os.urandom(6)
    kind = n % 6
    if kind == 0:
        value = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        return {"algorithm": "bcrypt", "hash": {"value": value}}
    if kind == 1:
        value = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(password)
        return {"algorithm": "argon2", "hash": {"value": value}}
    if kind == 2:
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100, 32)
        value = f"$pbkdf2-sha256$i=100,l=32${phc_b64(salt)}${phc_b64(digest)}"
        return {"algorithm": "pbkdf2", "hash": {"value": value, "encoding": "utf8"}}
    algorithm = ("sha256", "md5", "sha512")[kind - 3]
    digest = hashlib.new(algorithm, salt.hex().encode() + password.encode()).hexdigest()
    return {
        "algorithm": algorithm,
        "hash": {"value": digest, "encoding": "hex"},
        "salt": {"value": salt.hex(), "position": "prefix"},
    }


def test_an_import_of_a_thousand_users_with_mixed_hashes_and_every_one_logs_in(
    tenant: Tenant, raw: RawClient
) -> None:
    """1,000 users in one file, bcrypt, argon2, pbkdf2, sha256, md5 and sha512 in turn
    (https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples),
    each then logging in with the password the old system knew; a wrong one is refused."""
    records = [
        {"email": f"m{n}@example.com", "custom_password_hash": _hashed(n, f"pw-{n}")}
        for n in range(1000)
    ]
    job = upload(raw, tenant, records).json()
    tenant.settle_jobs()
    assert raw.get(f"jobs/{job['id']}").json()["summary"]["inserted"] == 1000
    for n in range(1000):
        assert tenant.login(DB, email=f"m{n}@example.com", password=f"pw-{n}").user
    for n in range(6):
        with pytest.raises(OAuthError):
            tenant.login(DB, email=f"m{n}@example.com", password=f"pw-{n + 1}")
