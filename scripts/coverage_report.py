"""Write COVERAGE.md: which Management API operations fakeauth0 serves, from the spec and the
route table (the handlers declared with ``@management``).

Run from the project root::

    python scripts/coverage_report.py          # rewrite COVERAGE.md
    python scripts/coverage_report.py --check  # exit 1 if COVERAGE.md is stale

``tests/contract/test_coverage.py`` fails when the file is stale.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "COVERAGE.md"

#: Parameters (query) or body properties of served operations that are accepted but not fully
#: modelled, and what the fake does instead. Each name must exist in the spec (a test checks).
PARTIAL: dict[str, dict[str, str]] = {
    "get_users": {
        "q": "fuzzy `~` (v3), proximity, `/regex/`, `organization_id` and fields outside "
        "Auth0's documented list answer 501 `not_implemented` naming the construct",
        "primary_order": "accepted; results are always in a deterministic order",
    },
    "get_clients": {
        "q": "refused with 400 `invalid_query_string` (CHOICES.md)",
    },
    "get_logs": {
        "q": "fuzzy `~`, proximity and `/regex/` are refused with 400 `invalid_query_string`; "
        "`organization_id` is searchable but always null (events name no organization)",
    },
    "post_users": {
        "verify_email": "accepted; the fake sends no e-mail",
    },
    "patch_users_by_id": {
        "verify_email": "accepted; the fake sends no e-mail",
        "verify_phone_number": "accepted; the fake sends no SMS",
        "client_id": "accepted; no client-specific e-mail template is used",
    },
}


#: Families of operations left unbuilt on purpose, and why (under their heading below).
NOT_BUILT: dict[str, str] = {
    "guardian": "Left for the multi-factor work: the fake models no second factor (no "
    "enrollment, no challenge), so factors, enrollments and their templates have nothing to "
    "configure; a post-login Action's `api.multifactor` is refused with that reason.",
    "users": "Left for the multi-factor work: a user's authentication methods, authenticators, "
    "enrollments, `multifactor` providers and recovery codes (the fake models no second "
    "factor). Not yet built: `revoke-access`, and Token Vault's federated token sets.",
    "log-streams": "Not built: the fake delivers events to no sink (webhook, Datadog, "
    "EventBridge...). The events a stream would carry are in `GET /api/v2/logs`, whose "
    "checkpoint paging (`from`/`take`) reads them in order.",
}


def rows() -> list[dict[str, Any]]:
    """One row per operation of the spec: operationId, method, path, status, detail."""
    sys.path.insert(0, str(ROOT))
    from fakeauth0.http.app import route_table
    from fakeauth0.spec import load_spec

    routes = route_table().routes
    result = []
    for entry in load_spec()["operations"]:
        op_id = entry["operationId"]
        route = routes.get(op_id)
        if route is not None and route.handler is not None:
            partial = PARTIAL.get(op_id)
            status = "partly served" if partial else "served"
            detail = "; ".join(f"`{name}`: {what}" for name, what in (partial or {}).items())
        else:
            status, detail = "not served", "501 `not_implemented`"
        result.append({**entry, "status": status, "detail": detail})
    return result


#: Auth0's Authentication API as its reference lists it (https://auth0.com/docs/api/authentication):
#: method, path, and what the endpoint is for. ``/oauth/token``'s grants are listed one by one.
AUTHENTICATION_API: tuple[tuple[str, str, str], ...] = (
    ("GET", "/authorize", "log in: code, implicit and hybrid flows, the hosted login page"),
    (
        "GET",
        "/continue",
        "resume a login a redirect Action suspended (GET, or POST with a form)",
    ),
    ("POST", "/oauth/token", "grant `authorization_code` (with PKCE)"),
    ("POST", "/oauth/token", "grant `client_credentials`"),
    ("POST", "/oauth/token", "grant `password`"),
    ("POST", "/oauth/token", "grant `http://auth0.com/oauth/grant-type/password-realm`"),
    ("POST", "/oauth/token", "grant `refresh_token`"),
    ("POST", "/oauth/token", "grant `urn:ietf:params:oauth:grant-type:device_code`"),
    ("POST", "/oauth/token", "grant `http://auth0.com/oauth/grant-type/passwordless/otp`"),
    ("POST", "/oauth/token", "grant `http://auth0.com/oauth/grant-type/mfa-otp`"),
    ("POST", "/oauth/token", "grant `http://auth0.com/oauth/grant-type/mfa-oob`"),
    ("POST", "/oauth/token", "grant `http://auth0.com/oauth/grant-type/mfa-recovery-code`"),
    ("POST", "/oauth/token", "grant `urn:ietf:params:oauth:grant-type:token-exchange`"),
    ("POST", "/oauth/revoke", "revoke a refresh token"),
    (
        "GET",
        "/user-exports/<job_id>/<filename>",
        "a finished users export's file (the job's signed `location`; Auth0 serves it from "
        "`user-exports.auth0.com`, the fake from the tenant's host)",
    ),
    ("GET", "/userinfo", "the user's profile for an access token"),
    ("GET", "/v2/logout", "log out of the Auth0 session"),
    ("GET", "/oidc/logout", "OIDC RP-initiated logout"),
    ("POST", "/dbconnections/signup", "sign a database user up"),
    ("POST", "/dbconnections/change_password", "send a password-change e-mail"),
    ("POST", "/passwordless/start", "send a passwordless code or link"),
    (
        "GET",
        "/passwordless/verify_redirect",
        "the passwordless e-mail link: log in, on to the callback",
    ),
    ("POST", "/oauth/device/code", "start the device flow"),
    ("POST", "/oauth/par", "pushed authorization requests"),
    ("POST", "/bc-authorize", "client-initiated backchannel authentication"),
    ("POST", "/oidc/register", "dynamic client registration"),
    ("POST", "/mfa/associate", "enrol an MFA authenticator"),
    ("POST", "/mfa/challenge", "challenge an MFA authenticator"),
    ("GET", "/mfa/authenticators", "list MFA authenticators"),
    ("GET", "/samlp/<client_id>", "SAML login"),
    ("GET", "/wsfed/<client_id>", "WS-Federation login"),
    ("GET", "/.well-known/openid-configuration", "discovery"),
    ("GET", "/.well-known/jwks.json", "the signing keys"),
)


def authentication_rows() -> list[dict[str, Any]]:
    """One row per Authentication API endpoint (and per grant): served or not, by the route
    table and the token endpoint's grants."""
    sys.path.insert(0, str(ROOT))
    from fakeauth0.http import target
    from fakeauth0.http.app import route_table
    from fakeauth0.http.authentication import served_grants

    served = {
        (method, route.rule)
        for route in route_table().routes.values()
        if route.plane == target.AUTHENTICATION and route.handler is not None
        for method in route.methods
    }
    grants = served_grants()
    result = []
    for method, path, what in AUTHENTICATION_API:
        if what.startswith("grant `"):
            ok = what.split("`")[1] in grants
        else:
            ok = (method, path) in served
        result.append({"method": method, "path": path, "what": what, "served": ok})
    return result


def _group(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def render(table: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for row in table:
        counts[row["status"]] += 1
    lines = [
        "# Management API coverage",
        "",
        "Generated by `scripts/coverage_report.py` from Auth0's spec (the vendored subset,",
        "`fakeauth0/spec/management-subset.json`) and fakeauth0's route table; do not edit by",
        "hand (`tests/contract/test_coverage.py` fails when this file is stale).",
        "",
        f"Of {len(table)} operations: {counts['served']} served, "
        f"{counts['partly served']} partly served, {counts['not served']} not served. "
        "An operation that is not served answers 501 with errorCode `not_implemented`, naming "
        'the operation; never a 404 that could pass for "user not found".',
        "",
        "## Served",
        "",
        "| operation | method | path | status | what is not modelled |",
        "|---|---|---|---|---|",
    ]
    for row in table:
        if row["status"] != "not served":
            lines.append(
                f"| `{row['operationId']}` | {row['method']} | `/api/v2{row['path']}` "
                f"| {row['status']} | {row['detail'] or '—'} |"
            )
    lines += ["", "## Not served (501 `not_implemented`)", ""]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in table:
        if row["status"] == "not served":
            groups[_group(row["path"])].append(row)
    for group in sorted(groups):
        lines += [f"### /{group}", ""]
        if group in NOT_BUILT:
            lines += [NOT_BUILT[group], ""]
        lines += ["| operation | method | path |", "|---|---|---|"]
        for row in groups[group]:
            lines.append(f"| `{row['operationId']}` | {row['method']} | `/api/v2{row['path']}` |")
        lines.append("")
    auth = authentication_rows()
    lines += [
        "# Authentication API coverage",
        "",
        "The endpoints of Auth0's Authentication API reference (https://auth0.com/docs/api/",
        "authentication), one row per `/oauth/token` grant, against fakeauth0's route table. An",
        "endpoint that is not served raises `UnservedRoute` under interception and answers 404",
        "when served over HTTP; a grant that is not served answers 400 `unsupported_grant_type`.",
        "",
        f"Of {len(auth)} endpoints and grants: {sum(r['served'] for r in auth)} served.",
        "",
        "| method | path | what | served |",
        "|---|---|---|---|",
    ]
    for row in auth:
        mark = "served" if row["served"] else "not served"
        lines.append(f"| {row['method']} | `{row['path']}` | {row['what']} | {mark} |")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render(rows())
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print("COVERAGE.md is stale: run python scripts/coverage_report.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
