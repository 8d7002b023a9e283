"""Every in-process Management API exchange judged by Auth0's own OpenAPI spec.

``tests/conftest.py`` wraps :meth:`FakeAuth0App.dispatch` for every test, so each request any
test sends (through the fixtures, the SDKs, the interceptor or the threaded server) is checked:

- the response status is one the spec documents for the operation (or a deliberate extra,
  listed in :data:`EXTRA_STATUSES` with its reason);
- a documented body schema is met (the 2xx bodies); error bodies are Auth0's envelope
  (docs/auth0-behaviour.md#error-bodies);
- an unserved operation answers 501 ``not_implemented``, never a lookalike 404;
- a request the spec calls invalid is never accepted with a 2xx.

A breach fails the test that caused it, even when the test swallowed the exception.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from typing import Any

from jsonschema import Draft202012Validator
from werkzeug.wrappers import Request, Response

from fakeauth0 import FakeAuth0App
from fakeauth0.errors import Auth0Error
from fakeauth0.http import target, validation
from fakeauth0.http.bodies import raw_body
from fakeauth0.http.routes import IGNORED_QUERY
from fakeauth0.spec import load_spec

#: An unknown organization, on every operation under ``/organizations/{id}``: Auth0 answers
#: 404 (go-auth0 recording TestOrganizationManager_Delete: GET and DELETE after a delete).
_ORG_404 = (
    "unknown organization: 404 'No organization found by that id or name' (go-auth0 recording "
    "TestOrganizationManager_Delete, https://github.com/auth0/go-auth0/tree/main/test/data/recordings)"
)
#: Statuses the fake answers that an operation's spec entry does not list, and why.
EXTRA_STATUSES: dict[str, dict[int, str]] = {
    "*": {
        413: "payloads over 1 MB are refused on every endpoint (docs/auth0-behaviour.md#metadata)",
        415: "CHOICES.md 'wrong content type'",
        501: "DESIGN 'fail loudly': a parameter value we do not model (e.g. a search construct)",
    },
    # Sessions and refresh tokens
    # (docs/auth0-behaviour.md#sessions-and-refresh-tokens-on-the-management-api).
    **{
        op: {
            400: "query validation (unknown parameter, bad type, take out of bounds) as on "
            "every list the spec gives a 400"
        }
        for op in (
            "get_session",
            "get_sessions_for_user",
            "get_refresh_token",
            "get_refresh_tokens_for_user",
        )
    },
    "get_client-grants": {
        400: "query validation (unknown parameter, bad type) as on every list the spec gives a 400",
    },
    "put_rules-configs_by_key": {
        400: "a body without a string value is refused as every payload validation "
        "(docs/auth0-behaviour.md#error-bodies); the spec lists no 400",
    },
    "patch_resource-servers_by_id": {
        200: (
            "Auth0 answers 200 (go-auth0 recording TestResourceServer_Update, "
            "https://github.com/auth0/go-auth0/tree/main/test/data/recordings); the spec says 201"
        ),
        404: "unknown id: 404 inexistent_resource_server as on GET",
    },
    "post_identities": {
        404: (
            "unknown primary: 404 inexistent_user as on other user endpoints "
            "(docs/auth0-behaviour.md#linking-errors)"
        ),
    },
    "delete_user_identity_by_user_id": {
        404: "unknown primary: 404 inexistent_user (docs/auth0-behaviour.md#unlinking)",
    },
    # Roles and permissions (docs/auth0-behaviour.md#roles-and-permissions).
    "patch_roles_by_id": {
        404: "unknown role: 404 'The role does not exist.' as on GET and DELETE (go-auth0 "
        "recording TestRoleManager_Delete, https://github.com/auth0/go-auth0/tree/v1.45.0/"
        "test/data/recordings)",
    },
    "post_role_permission_assignment": {
        404: "unknown role (as on GET); unknown API: 404 'The resource server does not exist' "
        "(https://github.com/auth0/auth0-cli/issues/348)",
    },
    "delete_role_permission_assignment": {
        204: "Auth0 answers 204 (go-auth0 recording TestRoleManager_Permissions, "
        "https://github.com/auth0/go-auth0/tree/v1.45.0/test/data/recordings); the spec says 200",
        404: "unknown role or API, as when adding (CHOICES.md 'roles: unknown permission')",
    },
    "get_user_roles": {
        400: "query validation (bad paging parameters) as on every list the spec gives a 400",
        404: "unknown user: 404 inexistent_user as on get_permissions (CHOICES.md "
        "'roles: unknown user')",
    },
    "post_user_roles": {
        404: "unknown user: 404 inexistent_user; unknown role: the role's 404 (CHOICES.md "
        "'roles: unknown user', 'roles: unknown role assigned')",
    },
    "delete_user_roles": {
        400: "body validation (the spec's schema) as on post_user_roles",
        404: "unknown user: 404 inexistent_user (CHOICES.md 'roles: unknown user')",
    },
    "post_permissions": {
        404: "unknown user: 404 inexistent_user; unknown API: 404 'The resource server does not "
        "exist' (https://github.com/auth0/auth0-cli/issues/348)",
    },
    "delete_permissions": {
        404: "unknown user or API, as when adding (CHOICES.md 'roles: unknown user')",
    },
    **{
        operation: {404: _ORG_404}
        for operation in (
            "get_organizations_by_id",
            "get_name_by_name",
            "get_organization_members",
            "post_members",
            "delete_members",
            "get_enabled_connections",
            "post_enabled_connections",
            "patch_enabled_connections_by_connectionId",
            "delete_enabled_connections_by_connectionId",
            "get_organization_member_roles",
            "post_organization_member_roles",
            "delete_organization_member_roles",
            "get_organization-client-grants",
        )
    },
    "get_client-grant-organizations": {
        404: "unknown client grant: 404 'The client grant does not exist' as on PATCH and "
        "DELETE /client-grants/{id} (CHOICES.md 'organizations: organizations of an unknown "
        "client grant')",
    },
    "get_enabled_connections_by_connectionId": {
        404: _ORG_404 + "; a connection the organization does not have: 404 'No connection "
        "found by that id' (go-auth0 recording TestOrganizationManager_DeleteConnection, "
        "https://github.com/auth0/go-auth0/tree/main/test/data/recordings)",
    },
    "patch_organizations_by_id": {
        404: _ORG_404,
        409: "a name another organization has: 409 as on create (the spec's post_organizations)",
    },
    "post_invitations": {
        201: (
            "Auth0 answers 201 (go-auth0 recording TestOrganizationManager_CreateInvitation, "
            "https://github.com/auth0/go-auth0/tree/main/test/data/recordings); the spec says 200"
        ),
    },
    "get_user_organizations": {
        400: "query validation (page, per_page bounds) as on every list the spec gives a 400",
    },
    **{
        operation: {
            200: (
                "Auth0 answers a deploy 200 with the new version (go-auth0 recordings "
                "TestActionManager_Deploy and TestActionManager_DeployVersion, "
                "https://github.com/auth0/go-auth0/tree/main/test/data/recordings); the spec "
                "says 202"
            ),
            404: "unknown action or version: 404 as on GET (docs/auth0-behaviour.md#actions)",
        }
        for operation in ("post_deploy_action", "post_deploy_draft_version")
    },
    **{
        operation: {
            404: "unknown action or trigger: 404 as on GET (docs/auth0-behaviour.md#actions)"
        }
        for operation in (
            "get_action_versions",
            "post_test_action",
            "get_bindings",
            "patch_bindings",
        )
    },
    "get_email-templates_by_templateName": {
        404: (
            "a template never configured: 404, which auth0-deploy-cli expects (https://github.com/"
            "auth0/auth0-deploy-cli/blob/master/src/tools/auth0/handlers/emailTemplates.ts)"
        ),
    },
    "post_action": {
        409: "an action of the same name exists (docs/auth0-behaviour.md#actions)",
    },
    "patch_action": {
        409: "an action of the same name exists (docs/auth0-behaviour.md#actions)",
    },
}

#: A success status Auth0 answers instead of the spec's, judged by the spec's schema for it:
#: (operation, status answered) -> the spec's status.
STATUS_ERRATA: dict[tuple[str, str], str] = {
    ("post_invitations", "201"): "200",  # EXTRA_STATUSES["post_invitations"] says why
}

#: Where real Auth0 answers outside its own spec and the fake follows Auth0: (schema, property)
#: -> the schema used instead, and why.
SPEC_ERRATA: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    ("UserIdentitySchema", "user_id"): (
        {"$ref": "#/components/schemas/UserIdEnum"},
        "identities[].user_id is a JSON number for some IdPs (docs/auth0-behaviour.md#user-ids); "
        "the spec's "
        "own UserIdentity and link request allow it (UserIdEnum)",
    ),
    **{
        (schema, "expires_in"): (
            {"type": "integer"},
            "identities carry the IdP token's expires_in next to access_token (the official .NET "
            "SDK's Identity model: https://auth0.github.io/auth0.net/api/"
            "Auth0.ManagementApi.Models.Identity.html); the spec omits it",
        )
        for schema in ("UserIdentity", "UserIdentitySchema", "DeleteUserIdentityResponseContent")
    },
    ("GetJobErrorResponseContent", "user"): (
        {},
        "the user as the import file gave it (the spec's own description of GetJobUserError), "
        "so also an entry that is no object, refused for that reason",
    ),
    **{
        (schema, "current_version"): (
            {"type": "object"},
            "an action shows its latest version as current_version ({id, code, runtime, "
            "status in upper case, number, build_time, created_at, updated_at}: go-auth0 "
            "recordings TestActionManager_CreateWithDeploy and TestActionManager_Bindings, "
            "https://github.com/auth0/go-auth0/tree/main/test/data/recordings); the spec "
            "omits it",
        )
        for schema in (
            "Action",
            "CreateActionResponseContent",
            "GetActionResponseContent",
            "UpdateActionResponseContent",
        )
    },
    **{
        (schema, prop): (
            {"type": ["string", "null"]},
            "a log event has every key, null where it does not apply (a sapi event's "
            "connection, an unknown user's user_id, organization_id...): go-auth0 recording "
            "https://github.com/auth0/go-auth0/blob/main/test/data/recordings/"
            "TestLogManager_CheckpointPagination.yaml",
        )
        for schema in ("Log", "GetLogResponseContent")
        for prop in (
            "audience",
            "client_id",
            "client_name",
            "connection",
            "connection_id",
            "hostname",
            "ip",
            "strategy",
            "strategy_type",
            "user_id",
            "user_name",
        )
    },
    **{
        (schema, "location_info"): (
            {"anyOf": [{"$ref": "#/components/schemas/LogLocationInfo"}, {"type": "null"}]},
            "location_info is null when the address has no known place (the same recording)",
        )
        for schema in ("Log", "GetLogResponseContent")
    },
}

#: List answers whose ``oneOf`` cannot hold: an answer without totals or ``next`` (the last
#: page of checkpoint paging) fits both the checkpoint and the offset shape, and so fits
#: ``oneOf`` neither; both shapes are Auth0's, so either is accepted.
ONE_OF_ERRATA: dict[str, str] = {
    name: "a last checkpoint page ({key: [...]}) matches both branches of the spec's oneOf"
    for name in (
        "ListClientGrantResponseContent",
        "ListResourceServerResponseContent",
        "ListRoleUsersResponseContent",
        "ListOrganizationsResponseContent",
        "ListOrganizationMembersResponseContent",
        "ListClientGrantOrganizationsResponseContent",
        "get_clients",  # its answer's oneOf is inline
    )
}
#: Whole schemas the spec gets wrong: name -> (replacement, why).
SCHEMA_ERRATA: dict[str, tuple[dict[str, Any], str]] = {
    "ListConnectionsResponseContent": (
        {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/ConnectionForList"}},
                {"$ref": "#/components/schemas/ListConnectionsOffsetPaginatedResponseContent"},
                {"$ref": "#/components/schemas/ListConnectionsCheckpointPaginatedResponseContent"},
            ]
        },
        "the spec's oneOf refuses the last checkpoint page: without 'next' (the spec's own "
        "'from' paging) it is {'connections': [...]}, which fits both object shapes, all of "
        "whose properties are optional; each answer is one of the three shapes, so anyOf",
    ),
    "CreateExportUsersResponseContent": (
        {
            **load_spec()["components"]["schemas"]["CreateExportUsersResponseContent"],
            "required": ["id", "type", "status"],
        },
        "an export without connection_id exports every connection's users "
        "(https://auth0.com/docs/manage-users/user-migration/bulk-user-exports), so its job "
        "names no connection; the spec requires one",
    ),
}

#: Auth0's Management API error envelope (docs/auth0-behaviour.md#error-bodies), as a
#: schema.
ERROR_ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["statusCode", "error", "message"],
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string", "minLength": 1},
        "message": {"type": "string", "minLength": 1},
        "errorCode": {"type": "string", "minLength": 1},
        "attributes": {"type": "object"},
    },
    "additionalProperties": False,
}
_ENVELOPE = Draft202012Validator(ERROR_ENVELOPE)


class SpecViolation(AssertionError):
    """A response (or the acceptance of a request) that Auth0's spec does not allow."""


@dataclass
class Exchange:
    operation_id: str
    method: str
    path: str
    status: int
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = "\n  ".join(self.problems)
        return f"{self.method} {self.path} ({self.operation_id}) -> {self.status}:\n  {lines}"


@cache
def _components() -> dict[str, Any]:
    """The vendored spec's components with :data:`SPEC_ERRATA` applied."""
    schemas = copy.deepcopy(load_spec()["components"]["schemas"])
    for name in ONE_OF_ERRATA:
        if name not in schemas:
            continue
        schemas[name]["anyOf"] = schemas[name].pop("oneOf")
    for name, (replacement, _why) in SCHEMA_ERRATA.items():
        schemas[name] = copy.deepcopy(replacement)
    for (name, prop), (replacement, _why) in SPEC_ERRATA.items():
        target = schemas[name]
        if target.get("type") == "array":  # an inline item schema (e.g. the unlink answer)
            target = target["items"]
        target["properties"][prop] = replacement
    return {"schemas": schemas}


def _operation_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator whose ``#/components/...`` refs resolve in the vendored spec."""
    return Draft202012Validator({**schema, "components": _components()})


@cache
def response_validator(operation_id: str, status: str) -> Draft202012Validator | None:
    if status == "204":  # no content, whatever schema the spec gives it (RFC 9110 §15.3.5)
        return None
    status = STATUS_ERRATA.get((operation_id, status), status)
    response = load_spec()["served"][operation_id]["responses"].get(status, {})
    media = (response.get("content") or {}).get("application/json")
    if media is None:
        return None
    schema = media["schema"]
    if operation_id in ONE_OF_ERRATA and "oneOf" in schema:
        schema = {"anyOf": schema["oneOf"]}
    return _operation_validator(schema)


@cache
def _parameter_validators(operation_id: str) -> dict[tuple[str, str], Any]:
    params = load_spec()["served"][operation_id].get("parameters", [])
    return {
        (p["in"], p["name"]): (p.get("required", False), _operation_validator(p["schema"]))
        for p in params
    }


@cache
def _body_validator(operation_id: str) -> Draft202012Validator | None:
    schema = validation.body_schema(operation_id)
    if schema is None:
        return None
    return Draft202012Validator(
        {**schema, "components": load_spec()["components"]},
        format_checker=validation.format_checker(),
    )


def openapi_document() -> dict[str, Any]:
    """An OpenAPI 3.1 document of the operations we serve, for schemathesis: the vendored
    definitions with the deliberate extra statuses and :data:`SPEC_ERRATA` folded in."""
    spec = load_spec()
    paths: dict[str, dict[str, Any]] = {}
    for operation_id, entry in spec["served"].items():
        op = {k: copy.deepcopy(v) for k, v in entry.items() if k not in ("path", "method")}
        if operation_id in ONE_OF_ERRATA:
            media = op["responses"]["200"]["content"]["application/json"]
            media["schema"] = {"anyOf": media["schema"]["oneOf"]}
        extras = {**EXTRA_STATUSES["*"], **EXTRA_STATUSES.get(operation_id, {})}
        for status, why in extras.items():
            op["responses"].setdefault(str(status), {"description": why})
        paths.setdefault(entry["path"], {})[entry["method"].lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
        "servers": [{"url": "/api/v2"}],
        "paths": paths,
        "components": {
            **_components(),
            "securitySchemes": {
                "oAuth2ClientCredentials": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth/token",
                            "scopes": {scope: scope for scope in spec["scopes"]},
                        }
                    },
                }
            },
        },
    }


def documented_statuses(operation_id: str) -> set[int]:
    responses = load_spec()["served"][operation_id]["responses"]
    extras = {**EXTRA_STATUSES["*"], **EXTRA_STATUSES.get(operation_id, {})}
    return {int(code) for code in responses if code.isdigit()} | set(extras)


def _typed(raw: str, schema: dict[str, Any]) -> Any:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = _components()["schemas"][ref.rsplit("/", 1)[1]]
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(raw, 10)
        except ValueError:
            return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def request_problems(operation_id: str, request: Request, args: dict[str, str]) -> list[str]:
    """Where the request breaks the spec (parameters and JSON body); empty when it conforms."""
    problems = []
    params = _parameter_validators(operation_id)
    for (where, name), (required, validator) in params.items():
        if where == "path":
            value: Any = args.get(name)
        elif where == "query":
            if name not in request.args:
                if required:
                    problems.append(f"query parameter {name} is required")
                continue
            if validator.schema.get("type") == "array":  # style form, explode: repeated
                items = validator.schema.get("items", {})
                value = [_typed(raw, items) for raw in request.args.getlist(name)]
            else:
                value = _typed(request.args.getlist(name)[-1], validator.schema)
        else:
            continue
        for error in validator.iter_errors(value):
            problems.append(f"{where} parameter {name}: {error.message}")
    declared = {name for where, name in params if where == "query"}
    # Parameters Auth0 accepts outside its spec (each entry cites its recording).
    declared |= IGNORED_QUERY.get(operation_id, frozenset())
    problems += [
        f"undocumented query parameter {name}" for name in request.args if name not in declared
    ]
    body = _body_validator(operation_id)
    if body is not None and request.mimetype == "application/json":
        try:
            raw = raw_body(request)  # read as the app reads it (and kept for the app)
        except Auth0Error:  # over the limit: the app refuses it unread (413), nothing to judge
            return problems
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            problems.append("the body is not JSON")
        else:
            problems += [
                f"body {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in body.iter_errors(data)
            ]
    return problems


def _json(response: Response) -> tuple[Any, str | None]:
    data = response.get_data()
    if not data:
        return None, "an empty body"
    if response.mimetype != "application/json":
        return None, f"content type {response.content_type!r}, not JSON"
    try:
        return json.loads(data), None
    except ValueError:
        return None, "a body that is not JSON"


def envelope_problems(status: int, body: Any) -> list[str]:
    problems = [f"error body: {e.message}" for e in _ENVELOPE.iter_errors(body)]
    if not problems:
        if body["statusCode"] != status:
            problems.append(f"error body statusCode {body['statusCode']} != {status}")
        if body["error"] != HTTPStatus(status).phrase:
            problems.append(f"error body error {body['error']!r} is not the reason phrase")
    return problems


def check(
    app: FakeAuth0App,
    request: Request,
    response: Response,
    invalid_request: list[str],
    faulted: bool = False,
) -> Exchange | None:
    """Judge one Management API exchange; ``None`` when it is not a Management API call."""
    routed = app.route_of(request.environ)
    endpoint = routed.endpoint
    if endpoint is None or routed.refusal is not None:
        return None  # no operation: unknown path or method (the route table's own errors)
    if routed.plane != target.MANAGEMENT:
        return None  # /oauth/token, /.well-known/..., the control plane
    status = response.status_code
    exchange = Exchange(endpoint, request.method, request.path, status)
    body, unreadable = _json(response) if status != 204 else (None, None)
    if endpoint not in load_spec()["served"]:
        if status != 501 and not (faulted or status == 429):
            exchange.problems.append(f"an unserved operation answered {status}, not 501")
        if unreadable:
            exchange.problems.append(f"an unserved operation answered with {unreadable}")
        else:
            exchange.problems += envelope_problems(status, body)
            if status == 501 and body.get("errorCode") != "not_implemented":
                exchange.problems.append("501 without errorCode not_implemented")
        return exchange
    if status not in documented_statuses(endpoint) and not faulted:
        exchange.problems.append(f"status {status} is not documented for {endpoint}")
    if 200 <= status < 300:
        if invalid_request:
            exchange.problems.append(
                "accepted a request the spec calls invalid: " + "; ".join(invalid_request)
            )
        validator = response_validator(endpoint, str(status))
        if validator is None:
            if status == 204 and response.get_data():
                exchange.problems.append("204 with a body")
        elif unreadable:
            exchange.problems.append(f"{status} with {unreadable}")
        else:
            exchange.problems += [
                f"body {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(body)
            ]
    elif unreadable:
        exchange.problems.append(f"error response with {unreadable}")
    else:
        exchange.problems += envelope_problems(status, body)
        if status == 501 and not faulted and body.get("errorCode") != "not_implemented":
            exchange.problems.append("501 without errorCode not_implemented")
    return exchange


class SpecRecorder:
    """Wraps ``FakeAuth0App.dispatch``: judges every exchange, keeps the breaches."""

    def __init__(self) -> None:
        self.violations: list[Exchange] = []
        self.checked = 0

    def wrap(self, dispatch: Any) -> Any:
        recorder = self

        def checked_dispatch(app: FakeAuth0App, request: Request) -> Response:
            invalid: list[str] = []
            routed = app.route_of(request.environ)
            endpoint, args = routed.endpoint, routed.args
            if routed.refusal is not None:
                endpoint, args = None, {}
            if endpoint in load_spec()["served"]:
                invalid = request_problems(endpoint, request, args)
            faulted = bool(app.tenant.faults.rules)  # injected faults may answer any status
            response = dispatch(app, request)
            exchange = check(app, request, response, invalid, faulted)
            if exchange is not None:
                recorder.checked += 1
                if exchange.problems:
                    recorder.violations.append(exchange)
                    raise SpecViolation(str(exchange))
            return response

        return checked_dispatch
