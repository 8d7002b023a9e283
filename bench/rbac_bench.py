"""Role-based access control, in-process: what 50 roles cost a user's permission list and a
token for an API with RBAC on, beside the same calls without roles.

One user holds 50 roles, each granting 3 of an API's 30 scopes (every scope through 5 roles):
``GET /users/{id}/permissions`` must union them and name every role as a source, and a login
for that API (``tenant.login_as(..., audience=API)``, RBAC on with the ``access_token_authz``
dialect) must put the union in the token's ``permissions``. The plain paths beside them: the
same list for a user holding the same 30 permissions directly, ``GET /users/{id}``, and a
login for an API without RBAC. Requests go through ``werkzeug.test.Client`` into
``create_app(tenant)`` with a bearer token, as the in-process section's do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness import RoundRobin, Runner, loop

ROLES = 50
PER_ROLE = 3
SCOPES = [f"perm:{i:02}" for i in range(30)]
RBAC_API = "https://rbac.example.test/"
PLAIN_API = "https://plain.example.test/"

PERMISSIONS_ROLES = f"rbac: GET /users/{{id}}/permissions, {ROLES} roles x {PER_ROLE} permissions"
PERMISSIONS_DIRECT = "rbac: GET /users/{id}/permissions, the same 30 held directly"
GET_USER = "rbac: GET /users/{id} (the same user)"
TOKEN_RBAC = f"rbac: login_as(audience=RBAC API), {ROLES} roles, permissions claim"
TOKEN_PLAIN = "rbac: login_as(audience=API without RBAC), the same user"

#: Each RBAC row against its plain path (issue 17's goal: at most twice the plain path's time).
PAIRS = ((PERMISSIONS_ROLES, PERMISSIONS_DIRECT), (TOKEN_RBAC, TOKEN_PLAIN))
SLOWER_AT_MOST = 2.0


def runners() -> tuple[list[tuple[str, Runner]], dict[str, Any]]:
    """The tenant, its APIs, roles and two users, set up once (untimed)."""
    from werkzeug.test import Client

    from fakeauth0 import Tenant, create_app

    tenant = Tenant("rbac-bench.example.test", seed=1)
    scopes = [{"value": s, "description": f"Can {s}"} for s in SCOPES]
    tenant.create_resource_server(
        {
            "identifier": RBAC_API,
            "scopes": scopes,
            "enforce_policies": True,
            "token_dialect": "access_token_authz",
        }
    )
    tenant.create_resource_server({"identifier": PLAIN_API, "scopes": scopes})
    db = "Username-Password-Authentication"
    holder = tenant.create_user(
        {"connection": db, "email": "roles@example.test", "password": "Corr3ct-Horse!"}
    )
    direct = tenant.create_user(
        {"connection": db, "email": "direct@example.test", "password": "Corr3ct-Horse!"}
    )
    role_ids = []
    for i in range(ROLES):
        granted = [(RBAC_API, SCOPES[(PER_ROLE * i + k) % len(SCOPES)]) for k in range(PER_ROLE)]
        role_ids.append(tenant.create_role(f"role-{i:02}", permissions=granted).id)
    tenant.assign_roles(holder.user_id, role_ids)
    tenant.add_user_permissions(direct.user_id, [(RBAC_API, s) for s in SCOPES])
    client = Client(create_app(tenant))
    headers = {"Authorization": "Bearer " + tenant.management_token(["read:users", "read:roles"])}

    def get(path: str) -> Callable[[int], Any]:
        def fn(_i: int) -> None:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.status_code

        return fn

    def login(audience: str) -> Callable[[int], Any]:
        def fn(_i: int) -> None:
            tenant.login_as(holder.user_id, audience=audience, scope="openid perm:00")

        return fn

    held = tenant.user_permissions(holder.user_id)
    notes = {
        "distinct permissions": len(held),
        "sources per permission": sorted({len(p["sources"]) for p in held}),
        "answer bytes": len(
            client.get(f"/api/v2/users/{holder.user_id}/permissions", headers=headers).data
        ),
    }
    out = [
        loop(PERMISSIONS_ROLES, get(f"/api/v2/users/{holder.user_id}/permissions")),
        loop(PERMISSIONS_DIRECT, get(f"/api/v2/users/{direct.user_id}/permissions")),
        loop(GET_USER, get(f"/api/v2/users/{holder.user_id}")),
        loop(TOKEN_RBAC, login(RBAC_API)),
        loop(TOKEN_PLAIN, login(PLAIN_API)),
    ]
    return out, notes


def render(
    rr: RoundRobin, notes: dict[str, Any], add: Callable[[str], None]
) -> list[tuple[str, str, bool | None]]:
    """The RBAC section of bench/README.md; returns its goals (text, value, met)."""
    goals: list[tuple[str, str, bool | None]] = []
    add("## Role-based access control, in-process (issue 17)")
    add("")
    add(f"One user holds {ROLES} roles, each granting {PER_ROLE} of an API's {len(SCOPES)} scopes")
    add(
        f"({notes.get('distinct permissions')} distinct permissions, "
        f"{notes.get('sources per permission')} role sources each; the list's answer is "
        f"{notes.get('answer bytes')} bytes). The plain paths: the same list for a user holding"
    )
    add("the same permissions directly, `GET /users/{id}`, and a login for an API without RBAC.")
    add("Logins are `tenant.login_as(user, audience=API)`: an ID token and an access token.")
    add("")
    add("| row | per call | calls/s |")
    add("|---|---|---|")
    for name, _ in rr.runners:
        rate = rr.median(name)
        if rate:
            add(f"| {name} | {1000.0 / rate:.3f} ms | {rate:,.0f}/s |")
    add("")
    for slow, plain in PAIRS:
        times = rr.ratio(plain, slow)  # plain's rate over the RBAC row's: how many times slower
        if times is None:
            continue
        add(f"- `{slow}` takes {times:.2f}x the time of `{plain}` (same-run ratio).")
        goals.append(
            (
                f"{slow.removeprefix('rbac: ')} at most {SLOWER_AT_MOST:g}x its plain path",
                f"{times:.2f}x",
                times <= SLOWER_AT_MOST,
            )
        )
    versus_get = rr.ratio(GET_USER, PERMISSIONS_ROLES)
    if versus_get is not None:
        add(
            f"- Against `GET /users/{{id}}` the permission list takes {versus_get:.2f}x: its "
            "answer is larger (every permission with its API's name, its description and each "
            "role granting it), and encoding it is most of the difference."
        )
    add("")
    return goals


def section(loop_s: float, rounds: int, log: Callable[[str], None]) -> dict[str, Any]:
    entries, notes = runners()
    rr = RoundRobin(loop_s)
    for entry in entries:
        rr.add(entry)
    log(f"rbac: {len(entries)} rows; rounds")
    rr.run(rounds, log)
    return {"rr": rr, "notes": notes}
