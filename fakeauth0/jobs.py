"""Auth0's long-running jobs: users imports, users exports and verification e-mails.

A job is answered ``pending`` when created and does its work later, as on Auth0: here when
the tenant clock has moved :data:`DONE_AFTER` seconds past its creation (``processing`` from
:data:`PROCESSING_AFTER`), settled lazily when a job is next read, or at once on
``Tenant.settle_jobs``. No thread runs: what a job does is a function of the clock.

An import makes each user as ``POST /users`` makes it (``users.build_user``) and holds it to
the one duplicate rule (``uniqueness.find_duplicate``); an imported password hash is kept
with its algorithm (``fakeauth0.password_hashes``) and checked by the login pipeline. An
export writes the users as the Management API shows them (never a password hash), gzipped.
Public sources are in docs/auth0-behaviour.md#jobs; choices in CHOICES.md ("jobs: ...").
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import password_hashes
from .clients import Client
from .connections import Connection
from .errors import Auth0Error, Msg
from .signups import verification_mail
from .uniqueness import find_duplicate
from .users import User, UserDirectory, apply_update, build_user

IMPORT = "users_import"
EXPORT = "users_export"
VERIFICATION = "verification_email"
#: Seconds on the tenant clock after creation before a job is ``processing``, and done.
PROCESSING_AFTER = 1.0
DONE_AFTER = 2.0
#: "All job-related data is automatically deleted after 24 hours"
#: (https://auth0.com/docs/manage-users/user-migration/bulk-user-exports).
RETENTION = 24 * 3600.0
#: "The download link is valid for 60 seconds" (same page).
LINK_LIFETIME = 60
#: "limit of 2 concurrent import jobs"
#: (https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy).
MAX_ACTIVE_IMPORTS = 2
#: "Data exports in CSV format are limited to 30 fields" (bulk-user-exports).
MAX_CSV_FIELDS = 30
FINAL = ("completed", "failed")
#: Where the fake serves finished exports, on the tenant's host (Auth0 serves them from
#: ``https://user-exports.auth0.com``).
EXPORTS_PATH = "/user-exports"
#: The recorded per-user error of a duplicate without ``upsert`` (auth0/go-auth0
#: test/data/recordings/TestJobManager_ReadErrors.yaml).
DUPLICATED_USER = "DUPLICATED_USER"

#: The import schema's properties and their JSON types
#: (https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples).
IMPORT_PROPERTIES: dict[str, str] = {
    "email": "string",
    "email_verified": "boolean",
    "user_id": "string",
    "username": "string",
    "given_name": "string",
    "family_name": "string",
    "name": "string",
    "nickname": "string",
    "picture": "string",
    "blocked": "boolean",
    "password_hash": "string",
    "custom_password_hash": "object",
    "app_metadata": "object",
    "user_metadata": "object",
    "mfa_factors": "array",
}
#: What an upsert changes on an existing user (the schema page's "Upsert During Import?").
UPSERTED = (
    "app_metadata",
    "email_verified",
    "family_name",
    "given_name",
    "name",
    "nickname",
    "picture",
    "user_metadata",
)
#: What an import hands to ``build_user``: the profile (``mfa_factors`` and the hashes aside).
_PROFILE = tuple(
    k
    for k in IMPORT_PROPERTIES
    if k not in ("password_hash", "custom_password_hash", "mfa_factors")
)
#: ``build_user`` holds a database user to the password policy; an imported user brings a
#: hash or nothing, so it is built with this (which meets every named policy) and the hash
#: replaces it.
_BUILD_PASSWORD = "Imported-Hash-0!"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Exported when ``fields`` is not given in CSV (JSON gives the whole user as the Management
#: API shows it): the normalized profile's scalar attributes.
DEFAULT_CSV_FIELDS = (
    "user_id",
    "email",
    "email_verified",
    "username",
    "phone_number",
    "phone_verified",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "picture",
    "created_at",
    "updated_at",
    "last_login",
    "last_ip",
    "logins_count",
    "blocked",
)
#: Dates Auth0 writes itself: CSV leaves them unescaped (bulk-user-exports).
_DATES = frozenset({"created_at", "updated_at", "last_login", "last_password_reset"})
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass
class Job:
    """One job: what ``GET /jobs/{id}`` shows, and what it does when its time comes."""

    id: str
    type: str
    created_at: str
    #: The tenant clock at creation (seconds since the epoch).
    created: float
    #: Shown as given (``connection_id``, ``connection``, ``format``, ``limit``, ``fields``,
    #: ``external_id``), in Auth0's order.
    shown: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    summary: dict[str, int] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    #: What the job works on: the import's records and options, the e-mail's user and client.
    work: dict[str, Any] = field(default_factory=dict, repr=False)
    #: A finished export's gzipped file, and its name.
    file: bytes | None = field(default=None, repr=False)
    filename: str | None = None

    def status_at(self, now: float) -> str:
        if self.status in FINAL:
            return self.status
        return "processing" if now - self.created >= PROCESSING_AFTER else "pending"

    def due(self, now: float) -> bool:
        return self.status not in FINAL and now - self.created >= DONE_AFTER

    def to_json(self, now: float, location: str | None = None) -> dict[str, Any]:
        """The job as Auth0 shows it: ``type``, ``status``, what was asked, ``summary`` (an
        import, done), ``location`` (an export, done), ``created_at``, ``id`` (the recorded
        order, auth0/go-auth0 test/data/recordings/TestJobManager_*.yaml)."""
        data: dict[str, Any] = {"type": self.type, "status": self.status_at(now)}
        shown = copy.deepcopy(self.shown)
        if "connection_id" in shown:
            data["connection_id"] = shown.pop("connection_id")
        connection = shown.pop("connection", None)
        data.update(shown)
        if self.summary is not None:
            data["summary"] = dict(self.summary)
        if connection is not None:
            data["connection"] = connection
        if location is not None:
            data["location"] = location
        data["created_at"] = self.created_at
        data["id"] = self.id
        return data


class JobBook:
    """A tenant's jobs, by id, and the secret its export links are signed with."""

    def __init__(self, secret: str) -> None:
        self.jobs: dict[str, Job] = {}
        self.secret = secret.encode()

    def __len__(self) -> int:
        return len(self.jobs)

    def add(self, job: Job) -> Job:
        self.jobs[job.id] = job
        return job

    def require(self, job_id: str, now: float) -> Job:
        """The job, or Auth0's 404 (also once its data is gone, a day after creation)."""
        job = self.jobs.get(job_id)
        if job is None or now - job.created >= RETENTION:
            raise Auth0Error(404, Msg.JOB_NOT_FOUND, "inexistent_job")
        return job

    def unsettled(self) -> list[Job]:
        return [job for job in self.jobs.values() if job.status not in FINAL]

    def active_imports(self) -> int:
        return sum(
            1 for job in self.jobs.values() if job.type == IMPORT and job.status not in FINAL
        )

    def clear(self) -> None:
        self.jobs.clear()

    def signature(self, job_id: str, expires: int) -> str:
        return hmac.new(self.secret, f"{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def location(book: JobBook, job: Job, base_url: str, now: float) -> str | None:
    """Where a finished export is downloaded: a link on the tenant's own host, signed and valid
    for :data:`LINK_LIFETIME` seconds, a new one at each read of the job (Auth0's links are
    pre-signed the same way, bulk-user-exports)."""
    if job.file is None or job.filename is None:
        return None
    expires = int(now) + LINK_LIFETIME
    signature = book.signature(job.id, expires)
    return (
        f"{base_url}{EXPORTS_PATH}/{job.id}/{job.filename}?Expires={expires}&Signature={signature}"
    )


def download(
    book: JobBook, job_id: str, filename: str, expires: str, signature: str, now: float
) -> bytes | None:
    """The gzipped file a link from :func:`location` names, or None when the link is not one
    the tenant signed, has expired, or names no finished export."""
    job = book.jobs.get(job_id)
    if job is None or job.file is None or filename != job.filename or not expires.isdigit():
        return None
    if int(expires) < now or not hmac.compare_digest(
        book.signature(job_id, int(expires)), signature
    ):
        return None
    return job.file


# -- creating jobs ------------------------------------------------------------------------------


def import_job(
    book: JobBook,
    job_id: str,
    connection: Connection,
    records: Any,
    now: float,
    now_iso: str,
    *,
    upsert: bool = False,
    external_id: str | None = None,
    send_completion_email: bool = True,
) -> Job:
    """``POST /jobs/users-imports``: a pending import of ``records`` (the parsed users file)
    into the database ``connection``."""
    if not connection.is_database:
        raise Auth0Error.bad_request(Msg.IMPORT_NOT_DATABASE, "operation_not_supported")
    if not connection.enabled_clients:
        raise Auth0Error.bad_request(Msg.IMPORT_CONNECTION_DISABLED, "connection_is_disabled")
    if not isinstance(records, list):
        raise Auth0Error.invalid_body(Msg.IMPORT_NOT_ARRAY)
    if book.active_imports() >= MAX_ACTIVE_IMPORTS:
        raise Auth0Error(429, Msg.IMPORT_TOO_MANY.format(count=MAX_ACTIVE_IMPORTS))
    shown: dict[str, Any] = {"connection_id": connection.id, "connection": connection.name}
    if external_id:
        shown["external_id"] = external_id
    work = {"records": records, "upsert": upsert, "send_completion_email": send_completion_email}
    return book.add(Job(job_id, IMPORT, now_iso, now, shown, work=work))


def export_job(
    book: JobBook,
    job_id: str,
    connection: Connection | None,
    body: Mapping[str, Any],
    now: float,
    now_iso: str,
) -> Job:
    """``POST /jobs/users-exports``: a pending export of ``connection``'s users (every user
    when None). CSV cannot hold a whole metadata object, nor more than 30 fields."""
    file_format = body.get("format", "json")
    fields = body.get("fields")
    if file_format == "csv":
        names = [f["name"] for f in fields] if fields else list(DEFAULT_CSV_FIELDS)
        if len(names) > MAX_CSV_FIELDS:
            raise Auth0Error.invalid_body(Msg.EXPORT_TOO_MANY_FIELDS.format(limit=MAX_CSV_FIELDS))
        whole = [n for n in names if n in ("app_metadata", "user_metadata", "identities")]
        if whole:
            raise Auth0Error.invalid_body(Msg.EXPORT_CSV_OBJECT.format(name=whole[0]))
    shown: dict[str, Any] = {}
    if connection is not None:
        shown["connection_id"] = connection.id
    shown["format"] = file_format
    if "limit" in body:
        shown["limit"] = body["limit"]
    if fields is not None:
        shown["fields"] = copy.deepcopy(fields)
    if connection is not None:
        shown["connection"] = connection.name
    return book.add(Job(job_id, EXPORT, now_iso, now, shown))


def verification_job(
    book: JobBook,
    job_id: str,
    users: UserDirectory,
    clients: Mapping[str, Client],
    body: Mapping[str, Any],
    now: float,
    now_iso: str,
    *,
    default_client_id: str,
) -> Job:
    """``POST /jobs/verification-email``: a pending ``verify_email`` message to the user (or to
    the linked ``identity`` named), for ``client_id``: by default the global client, as the
    spec says, or ``default_client_id`` on a tenant without one."""
    user = users.get(body["user_id"])
    if user is None:
        raise Auth0Error.bad_request(Msg.USER_NOT_FOUND, "inexistent_user")
    client_id = body.get("client_id")
    if client_id is None:
        client_id = next((c.client_id for c in clients.values() if c.is_global), default_client_id)
    elif client_id not in clients:
        raise Auth0Error(
            400, Msg.CLIENT_NOT_FOUND_FOR_JOB.format(client_id=client_id), "inexistent_client"
        )
    identity = body.get("identity")
    index = 0
    if identity is not None:
        index = next(
            (
                n
                for n, i in enumerate(user.identities)
                if i.provider == identity.get("provider")
                and str(i.user_id) == str(identity.get("user_id"))
            ),
            -1,
        )
        if index < 0:
            raise Auth0Error.bad_request(Msg.JOB_IDENTITY_NOT_FOUND)
    email = user.email if index == 0 else (user.identities[index].profile_data or {}).get("email")
    if not email:
        raise Auth0Error.bad_request(Msg.USER_WITHOUT_EMAIL)
    work = {
        "user_id": user.user_id,
        "client_id": client_id,
        "index": index,
        "organization_id": body.get("organization_id"),
    }
    return book.add(Job(job_id, VERIFICATION, now_iso, now, work=work))


# -- doing the work ------------------------------------------------------------------------------


def run_import(
    job: Job,
    users: UserDirectory,
    connections: Mapping[str, Connection],
    new_id: Any,
    now: str,
) -> None:
    """Import the job's records one by one: each fails alone (its errors kept for
    ``GET /jobs/{id}/errors``), is inserted, or (with ``upsert``) updates the user it
    duplicates. A connection deleted meanwhile fails the whole job."""
    connection = connections.get(job.shown["connection"])
    if connection is None:
        job.status = "failed"
        return
    summary = {"failed": 0, "updated": 0, "inserted": 0, "total": 0}
    for record in job.work["records"]:
        summary["total"] += 1
        errors = record_problems(record)
        outcome = None
        if not errors:
            try:
                outcome = _import_one(
                    record, connection, users, connections, new_id(), now, upsert=job.work["upsert"]
                )
            except Auth0Error as error:
                errors = [_error((error.error_code or "bad_request").upper(), error.message)]
            except _Duplicate:
                errors = [_error(DUPLICATED_USER, Msg.IMPORT_DUPLICATED_USER)]
        if errors:
            summary["failed"] += 1
            job.errors.append({"user": copy.deepcopy(record), "errors": errors})
        else:
            summary[outcome or "inserted"] += 1
    job.summary = summary
    job.status = "completed"


class _Duplicate(Exception):
    """The record's user exists and the import does not upsert."""


def _import_one(
    record: dict[str, Any],
    connection: Connection,
    users: UserDirectory,
    connections: Mapping[str, Connection],
    object_id: str,
    now: str,
    *,
    upsert: bool,
) -> str:
    """Insert (or upsert) one valid record; returns ``"inserted"`` or ``"updated"``."""
    fields = {k: copy.deepcopy(record[k]) for k in _PROFILE if k in record}
    fields["connection"] = connection.name
    fields["password"] = _BUILD_PASSWORD
    user = build_user(connection, fields, object_id, now)
    spec = password_hashes.from_import(record)
    user.password_hash = None if spec is None else password_hashes.stored(spec)
    if "picture" in user.generated:
        # Imported users' generated picture is on secure.gravatar.com (auth0/go-auth0
        # test/data/recordings/TestJobManager_ImportUsers.yaml), others' on s.gravatar.com.
        user.profile["picture"] = user.profile["picture"].replace(
            "https://s.gravatar.com/", "https://secure.gravatar.com/", 1
        )
    duplicate = find_duplicate(users, connections, user)
    if duplicate is None:
        users.put(user)
        return "inserted"
    other = duplicate.other
    if not upsert or other.primary.connection != connection.name:
        raise _Duplicate
    users.put(_upserted(other, connection, record, now))
    return "updated"


def _upserted(user: User, connection: Connection, record: dict[str, Any], now: str) -> User:
    """The existing ``user`` with what an upsert changes; a new imported hash replaces the old
    only while the user has not logged in with it (the schema page, "Update custom password
    hash")."""
    changes = {k: copy.deepcopy(record[k]) for k in UPSERTED if k in record}
    updated = apply_update(user, connection, changes, now) if changes else user.clone()
    spec = record.get("custom_password_hash")
    if spec is not None and user.last_login is None:
        updated.password_hash = password_hashes.stored(spec)
        updated.updated_at = now
    return updated


def record_problems(record: Any) -> list[dict[str, str]]:
    """What the import schema refuses in one record, as Auth0's per-user errors."""
    if not isinstance(record, dict):
        return [
            _error("INVALID_TYPE", f"Expected type object but found type {_type_name(record)}", "")
        ]
    errors = []
    if "email" not in record:
        errors.append(
            _error("OBJECT_MISSING_REQUIRED_PROPERTY", "Missing required property: email", "email")
        )
    extra = [k for k in record if k not in IMPORT_PROPERTIES]
    if extra:
        errors.append(
            _error(
                "OBJECT_ADDITIONAL_PROPERTIES",
                f"Additional properties not allowed: {','.join(extra)}",
                "",
            )
        )
    for name, kind in IMPORT_PROPERTIES.items():
        if name in record and _type_name(record[name]) != kind:
            found = _type_name(record[name])
            errors.append(
                _error("INVALID_TYPE", f"Expected type {kind} but found type {found}", name)
            )
    email = record.get("email")
    if isinstance(email, str) and not _EMAIL.match(email):
        errors.append(
            _error(
                "INVALID_FORMAT",
                f"Object didn't pass validation for format email: {email}",
                "email",
            )
        )
    if "password_hash" in record and "custom_password_hash" in record:
        errors.append(_error("INVALID_FORMAT", Msg.IMPORT_BOTH_HASHES, "password_hash"))
    elif not errors:
        spec = password_hashes.from_import(record)
        if spec is not None:
            for path, message in password_hashes.problems(spec):
                if "password_hash" in record:
                    path = "password_hash"
                errors.append(_error("INVALID_FORMAT", message, path))
    return errors


def _error(code: str, message: str, path: str | None = None) -> dict[str, str]:
    error = {"code": code, "message": message}
    if path is not None:
        error["path"] = path
    return error


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def run_export(job: Job, users: UserDirectory, tenant_name: str) -> None:
    """Write the export: NDJSON (one user per line) or CSV, gzipped. Values come from the user
    as the Management API shows it, so no password hash can leave."""
    connection = job.shown.get("connection")
    limit = job.shown.get("limit")
    chosen = [u for u in users if connection is None or u.primary.connection == connection]
    if limit is not None:
        chosen = chosen[:limit]
    fields = job.shown.get("fields")
    file_format = job.shown["format"]
    rows = [user.to_json() for user in chosen]
    if file_format == "csv":
        columns = (
            [(f["name"], f.get("export_as") or f["name"]) for f in fields]
            if fields
            else [(n, n) for n in DEFAULT_CSV_FIELDS]
        )
        lines = [",".join(_csv_title(title) for _, title in columns)]
        for row in rows:
            lines.append(",".join(_csv_cell(name, _resolve(row, name)) for name, _ in columns))
        text = "".join(line + "\n" for line in lines)
    else:
        out = []
        for row in rows:
            if fields:
                picked = {}
                for f in fields:
                    value = _resolve(row, f["name"])
                    if value is not None:
                        picked[f.get("export_as") or f["name"]] = value
                row = picked
            out.append(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")
        text = "".join(out)
    job.file = gzip.compress(text.encode("utf-8"), mtime=0)
    job.filename = f"{tenant_name}.{file_format}.gz"
    job.status = "completed"


def _resolve(row: Any, path: str) -> Any:
    """``identities[0].connection``, ``user_metadata.plan``: the value at ``path``, or None."""
    value = row
    for name, index in _PATH_PART.findall(path):
        if name:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            position = int(index)
            value = value[position] if isinstance(value, list) and position < len(value) else None
        if value is None:
            return None
    return value


def _csv_cell(name: str, value: Any) -> str:
    """A CSV cell as Auth0 escapes it against CSV injection (OWASP): a string gets a leading
    ``'``, doubled ``"`` and surrounding quotes; Auth0's own dates and non-strings do not."""
    if value is None:
        return ""
    if isinstance(value, str):
        if name in _DATES:
            return value
        return "\"'" + value.replace('"', '""') + '"'
    return json.dumps(value, separators=(",", ":"))


def _csv_title(title: str) -> str:
    """A header cell: the column's title, quoted only when CSV needs it."""
    if any(c in title for c in ',"\r\n'):
        return '"' + title.replace('"', '""') + '"'
    return title


def run_verification(job: Job, users: UserDirectory, now: str) -> dict[str, Any] | None:
    """The ``verify_email`` message the job sends: to the user's e-mail, or to the linked
    identity's (its ``profileData``) when the job names one. None, and the job failed, when
    the user or identity is gone or holds no e-mail any more."""
    user = users.get(job.work["user_id"])
    index = job.work["index"]
    message = None
    if user is not None and index < len(user.identities):
        addressee = user
        if index:
            identity = user.identities[index]
            addressee = user.clone()
            addressee.profile = {
                **user.profile,
                "email": (identity.profile_data or {}).get("email"),
            }
            addressee.identities = [identity]
        message = verification_mail(addressee, job.work["client_id"], now)
    if message is None:
        job.status = "failed"
        return None
    if job.work.get("organization_id"):
        message["organization_id"] = job.work["organization_id"]
    job.status = "completed"
    return message
