"""Management API handlers for jobs (``/jobs/...``), and the download of a finished export.

The users file of an import comes as ``multipart/form-data``: it is read through the one door
for bodies (``bodies.raw_body``, Auth0's 1 MB limit) and parsed here; the file itself is held
to Auth0's 500 KB. Export files are served on the tenant's own host, on the Authentication
API's plane (no token: the job's ``location`` is a signed link, as Auth0's is), so any HTTP
client can follow it; CHOICES.md "jobs: where an export is downloaded".
"""

from __future__ import annotations

import io
from typing import Any

from werkzeug.formparser import parse_form_data
from werkzeug.wrappers import Response

from ..errors import Auth0Error, Msg
from ..jobs import EXPORTS_PATH
from .bodies import MAX_BODY, parse_json, raw_body
from .routes import Answer, Call, authentication, management

#: "The file size limit for a bulk import is 500KB"
#: (https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples);
#: the spec's 413 names the bytes.
MAX_IMPORT_FILE = 512_000
_BOOLEANS = {"true": True, "false": False}


@management("post_users-imports")
def import_users(call: Call) -> tuple[int, Any]:
    """202 and the pending job (go-auth0 recording TestJobManager_ImportUsers)."""
    form, users_file = _multipart(call)
    if users_file is None:
        raise Auth0Error.invalid_body(
            "Payload validation error: 'Missing required property: users'."
        )
    if not isinstance(form.get("connection_id"), str) or not form["connection_id"]:
        raise Auth0Error.invalid_body(
            "Payload validation error: 'Missing required property: connection_id'."
        )
    if len(users_file) > MAX_IMPORT_FILE:
        raise Auth0Error(413, Msg.IMPORT_FILE_TOO_LARGE)
    options: dict[str, Any] = {}
    for name in ("upsert", "send_completion_email"):
        if name in form:
            if form[name] not in _BOOLEANS:
                raise Auth0Error.invalid_body(Msg.IMPORT_FORM_TYPE.format(name=name))
            options[name] = _BOOLEANS[form[name]]
    try:
        users = parse_json(users_file)
    except Auth0Error:
        raise Auth0Error.invalid_body(Msg.IMPORT_BAD_FILE) from None
    job = call.tenant.import_users(
        form["connection_id"], users, external_id=form.get("external_id") or None, **options
    )
    return 202, job


def _multipart(call: Call) -> tuple[dict[str, str], bytes | None]:
    """The form fields and the ``users`` file part of a ``multipart/form-data`` body (a field
    named ``users`` counts as the file too, as werkzeug tells them apart only by filename)."""
    request = call.request
    mimetype = request.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype != "multipart/form-data":
        raise Auth0Error(415, Msg.UNSUPPORTED_MEDIA)
    raw = raw_body(request)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": request.environ.get("CONTENT_TYPE", ""),
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    try:
        _, form, files = parse_form_data(environ, silent=False, max_content_length=MAX_BODY)
    except ValueError:  # no boundary, a part cut short: werkzeug says so with a ValueError
        raise Auth0Error.invalid_body(Msg.IMPORT_NOT_MULTIPART) from None
    fields = {name: form[name] for name in form}
    if "users" in files:
        return fields, files["users"].read()
    if "users" in fields:
        return fields, fields["users"].encode("utf-8")
    return fields, None


@management("post_users-exports")
def export_users(call: Call) -> tuple[int, Any]:
    """200 and the pending job (go-auth0 recording TestJobManager_ExportUsers; the spec
    says 200 too, though the other jobs answer 201 and 202)."""
    return 200, call.tenant.export_users(call.body())


@management("post_verification-email")
def send_verification_email(call: Call) -> tuple[int, Any]:
    """201 and the pending job (go-auth0 recording TestJobManager_VerifyEmail)."""
    return 201, call.tenant.send_verification_email(call.body())


@management("get_jobs_by_id")
def get_job(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.get_job(call.args["id"], _base_url(call))


@management("get_errors")
def get_job_errors(call: Call) -> tuple[int, Any]:
    """The per-user errors of a finished import; 204 when it had none (the spec; an empty
    answer, https://github.com/auth0/auth0.net/issues/443)."""
    errors = call.tenant.job_errors(call.args["id"])
    if errors is None:
        return 204, None
    return 200, errors


@authentication(EXPORTS_PATH + "/<job_id>/<filename>", "GET", endpoint="user_export_download")
def download_export(call: Call) -> Answer:
    """The gzipped export a job's ``location`` names, while its link is valid; 403 otherwise,
    as a pre-signed link that has expired is refused."""
    args = call.request.args
    data = call.tenant.export_download(
        call.args["job_id"],
        call.args["filename"],
        args.get("Expires", ""),
        args.get("Signature", ""),
    )
    if data is None:
        return Response(
            "Access denied: the link is invalid or has expired.\n", 403, mimetype="text/plain"
        )
    return Response(
        data,
        200,
        mimetype="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{call.args["filename"]}"'},
    )


def _base_url(call: Call) -> str:
    """The tenant's URL as this request reached it (its host, and the ``/_tenants/<domain>``
    prefix when the fake serves several tenants): where an export link must lead."""
    return call.request.host_url.rstrip("/") + call.request.script_root
