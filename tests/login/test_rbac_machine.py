"""A Hypothesis state machine over role-based access control, checked against a plain model.

APIs (RBAC on, "add permissions in the access token": ``enforce_policies`` and the
``access_token_authz`` dialect), their scopes, roles and the permissions they grant, users, the
roles assigned to them and the permissions given to them directly; every change goes through
the Management API, as a client would make it, and so do deletions (of a role, an API, a user)
and a PATCH that takes scopes off an API.

What must always hold:

- a fresh access token for an API carries in ``permissions`` exactly the union of the user's
  direct permissions and those of the user's roles, on that API and no other
  (https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis,
  https://auth0.com/docs/manage-users/access-control/rbac);
- nothing dangles after a delete: ``GET /users/{id}/permissions``, ``/users/{id}/roles``,
  ``/roles/{id}/permissions`` and ``/roles/{id}/users`` name only roles, users, APIs and scopes
  that exist (docs/auth0-behaviour.md#roles-and-permissions: deleting a role takes it from its
  users, a permission exists only while its API defines the scope).

Few steps by default; run longer with ``FAKEAUTH0_HYPOTHESIS_PROFILE=long`` (profiles are in
``tests/conftest.py``).
"""

from __future__ import annotations

import os
from typing import Any

import jwt
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from werkzeug.test import Client

from fakeauth0 import Tenant, create_app
from tests.support import DB, PASSWORD

Perm = tuple[str, str]  # (API identifier, scope)
APIS = ("https://orders.example.com", "https://billing.example.com")
#: The same scope names on both APIs: a token for one must carry none of the other's.
SCOPES = ("read", "write", "delete", "admin")
ROLE_NAMES = ("reader", "editor", "admin")
EMAILS = ("ann@example.com", "bob@example.com", "cy@example.com")
LOGIN_SCOPE = "openid " + " ".join(SCOPES)

scope_sets = st.sets(st.sampled_from(SCOPES), max_size=len(SCOPES))
EVERY_PERM = [(api, scope) for api in APIS for scope in SCOPES]


def body(perms: list[Perm]) -> dict[str, Any]:
    return {
        "permissions": [
            {"resource_server_identifier": api, "permission_name": scope} for api, scope in perms
        ]
    }


def as_pairs(items: list[dict[str, Any]]) -> set[Perm]:
    return {(p["resource_server_identifier"], p["permission_name"]) for p in items}


class RbacMachine(RuleBasedStateMachine):
    """Model: each API's scopes, each role's permissions, each user's roles and direct ones."""

    @initialize()
    def start(self) -> None:
        self.tenant = Tenant("rbac-machine.auth0.com", seed=1)
        self.http = Client(create_app(self.tenant))
        self.auth = {"Authorization": f"Bearer {self.tenant.management_token()}"}
        self.key = jwt.PyJWK(self.tenant.tokens.jwks()["keys"][0]).key
        self.apis: dict[str, tuple[str, set[str]]] = {}  # identifier -> (id, scopes)
        self.role_perms: dict[str, set[Perm]] = {}
        self.user_roles: dict[str, set[str]] = {}
        self.user_perms: dict[str, set[Perm]] = {}
        self.deleted_roles: set[str] = set()
        self.deleted_users: set[str] = set()
        # Both APIs with every scope, a role granting some of each and a user holding it and
        # a direct permission: every delete and PATCH from the first step has something to take.
        for identifier in APIS:
            self.create_api(identifier, set(SCOPES))
        role = self.create_role("seeded")
        self.add_role_permissions(role, [(APIS[0], "read"), (APIS[1], "write")])
        user = self.create_user()
        self.assign_role(user, role)
        self.add_user_permissions(user, [(APIS[0], "write"), (APIS[1], "read")])

    def some_role(self, data: st.DataObject) -> str:
        """Mostly a role that exists; sometimes one deleted before."""
        return data.draw(st.sampled_from([*sorted(self.role_perms), *sorted(self.deleted_roles)]))

    def some_user(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from([*sorted(self.user_roles), *sorted(self.deleted_users)]))

    # -- helpers ---------------------------------------------------------------------------------

    def call(self, method: str, path: str, json: Any = None) -> Any:
        response = self.http.open("/api/v2/" + path, method=method, json=json, headers=self.auth)
        return response

    def draw_perms(self, data: st.DataObject) -> list[Perm]:
        """Mostly permissions that exist now; one draw in five may name any API and scope."""
        alive = [p for p in EVERY_PERM if self.defined([p])]
        anything = not alive or data.draw(st.integers(0, 4)) == 0
        return data.draw(st.lists(st.sampled_from(EVERY_PERM if anything else alive), max_size=3))

    def defined(self, perms: list[Perm]) -> bool:
        return all(api in self.apis and scope in self.apis[api][1] for api, scope in perms)

    def expected(self, user_id: str, api: str) -> set[str]:
        held = set(self.user_perms[user_id])
        for role_id in self.user_roles[user_id]:
            held |= self.role_perms[role_id]
        return {scope for identifier, scope in held if identifier == api}

    def drop_undefined(self) -> None:
        """The model's cascade: permissions live only while their API defines the scope."""

        def alive(p: Perm) -> bool:
            return p[0] in self.apis and p[1] in self.apis[p[0]][1]

        for perms in [*self.role_perms.values(), *self.user_perms.values()]:
            perms.intersection_update({p for p in perms if alive(p)})

    # -- APIs ------------------------------------------------------------------------------------

    @rule(identifier=st.sampled_from(APIS), scopes=scope_sets)
    def create_api(self, identifier: str, scopes: set[str]) -> None:
        response = self.call(
            "POST",
            "resource-servers",
            {
                "identifier": identifier,
                "scopes": [{"value": s} for s in sorted(scopes)],
                "enforce_policies": True,
                "token_dialect": "access_token_authz",
            },
        )
        if identifier in self.apis:
            assert response.status_code == 409, response.text
            return
        assert response.status_code == 201, response.text
        self.apis[identifier] = (response.json["id"], set(scopes))

    @precondition(lambda self: self.apis)
    @rule(data=st.data(), scopes=scope_sets)
    def patch_api_scopes(self, data: st.DataObject, scopes: set[str]) -> None:
        """A PATCH replaces the API's scopes; those it leaves out are no permissions any more."""
        identifier = data.draw(st.sampled_from(sorted(self.apis)))
        server_id = self.apis[identifier][0]
        response = self.call(
            "PATCH", f"resource-servers/{server_id}", {"scopes": [{"value": s} for s in scopes]}
        )
        assert response.status_code == 200, response.text
        self.apis[identifier] = (server_id, set(scopes))
        self.drop_undefined()

    @precondition(lambda self: self.apis)
    @rule(data=st.data())
    def delete_api(self, data: st.DataObject) -> None:
        identifier = data.draw(st.sampled_from(sorted(self.apis)))
        response = self.call("DELETE", f"resource-servers/{self.apis[identifier][0]}")
        assert response.status_code == 204, response.text
        del self.apis[identifier]
        self.drop_undefined()

    # -- roles -----------------------------------------------------------------------------------

    @rule(name=st.sampled_from(ROLE_NAMES))
    def new_role(self, name: str) -> None:
        self.create_role(name)

    def create_role(self, name: str) -> str:
        response = self.call("POST", "roles", {"name": name})
        assert response.status_code == 200, response.text
        role_id: str = response.json["id"]
        self.role_perms[role_id] = set()
        return role_id

    @precondition(lambda self: self.role_perms or self.deleted_roles)
    @rule(data=st.data())
    def add_role_permissions_rule(self, data: st.DataObject) -> None:
        self.add_role_permissions(self.some_role(data), self.draw_perms(data))

    def add_role_permissions(self, role: str, perms: list[Perm]) -> None:
        response = self.call("POST", f"roles/{role}/permissions", body(perms))
        if role in self.deleted_roles:
            assert response.status_code == 404, response.text
        elif self.defined(perms):  # an empty list too: the spec sets no minItems
            assert response.status_code == 201, response.text
            self.role_perms[role] |= set(perms)
        else:
            assert response.status_code in (400, 404), response.text  # nothing changes

    @precondition(lambda self: self.role_perms or self.deleted_roles)
    @rule(data=st.data())
    def remove_role_permissions_rule(self, data: st.DataObject) -> None:
        self.remove_role_permissions(self.some_role(data), self.draw_perms(data))

    def remove_role_permissions(self, role: str, perms: list[Perm]) -> None:
        response = self.call("DELETE", f"roles/{role}/permissions", body(perms))
        if role in self.deleted_roles:
            assert response.status_code == 404, response.text
        elif self.defined(perms):
            assert response.status_code == 204, response.text
            self.role_perms[role] -= set(perms)
        else:
            assert response.status_code in (400, 404), response.text

    @precondition(lambda self: self.role_perms or self.deleted_roles)
    @rule(data=st.data())
    def delete_role(self, data: st.DataObject) -> None:
        role = self.some_role(data)
        response = self.call("DELETE", f"roles/{role}")
        if role in self.deleted_roles:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 200, response.text
        del self.role_perms[role]
        self.deleted_roles.add(role)
        for held in self.user_roles.values():
            held.discard(role)

    # -- users -----------------------------------------------------------------------------------

    @precondition(lambda self: len(self.user_roles) < len(EMAILS))
    @rule()
    def new_user(self) -> None:
        self.create_user()

    def create_user(self) -> str:
        taken = {self.tenant.get_user(u).email for u in self.user_roles}
        email = next(e for e in EMAILS if e not in taken)
        response = self.call(
            "POST", "users", {"connection": DB, "email": email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        user_id: str = response.json["user_id"]
        self.user_roles[user_id] = set()
        self.user_perms[user_id] = set()
        return user_id

    @precondition(lambda self: self.user_roles or self.deleted_users)
    @rule(data=st.data())
    def delete_user(self, data: st.DataObject) -> None:
        user = self.some_user(data)
        response = self.call("DELETE", f"users/{user}")
        assert response.status_code == 204, response.text
        if user not in self.deleted_users:
            del self.user_roles[user], self.user_perms[user]
            self.deleted_users.add(user)

    @precondition(
        lambda self: (
            (self.user_roles or self.deleted_users) and (self.role_perms or self.deleted_roles)
        )
    )
    @rule(data=st.data())
    def assign_role_rule(self, data: st.DataObject) -> None:
        self.assign_role(self.some_user(data), self.some_role(data))

    def assign_role(self, user: str, role: str) -> None:
        response = self.call("POST", f"users/{user}/roles", {"roles": [role]})
        if user in self.deleted_users or role in self.deleted_roles:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 204, response.text
        self.user_roles[user].add(role)

    @precondition(
        lambda self: (
            (self.user_roles or self.deleted_users) and (self.role_perms or self.deleted_roles)
        )
    )
    @rule(data=st.data())
    def remove_role_rule(self, data: st.DataObject) -> None:
        self.remove_role(self.some_user(data), self.some_role(data))

    def remove_role(self, user: str, role: str) -> None:
        response = self.call("DELETE", f"users/{user}/roles", {"roles": [role]})
        if user in self.deleted_users:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 204, response.text
        self.user_roles[user].discard(role)

    @precondition(lambda self: self.user_roles or self.deleted_users)
    @rule(data=st.data())
    def add_user_permissions_rule(self, data: st.DataObject) -> None:
        self.add_user_permissions(self.some_user(data), self.draw_perms(data))

    def add_user_permissions(self, user: str, perms: list[Perm]) -> None:
        response = self.call("POST", f"users/{user}/permissions", body(perms))
        if user in self.deleted_users:
            assert response.status_code == 404, response.text
        elif self.defined(perms):
            assert response.status_code == 201, response.text
            self.user_perms[user] |= set(perms)
        else:
            assert response.status_code in (400, 404), response.text

    @precondition(lambda self: self.user_roles or self.deleted_users)
    @rule(data=st.data())
    def remove_user_permissions_rule(self, data: st.DataObject) -> None:
        self.remove_user_permissions(self.some_user(data), self.draw_perms(data))

    def remove_user_permissions(self, user: str, perms: list[Perm]) -> None:
        response = self.call("DELETE", f"users/{user}/permissions", body(perms))
        if user in self.deleted_users:
            assert response.status_code == 404, response.text
        elif self.defined(perms):
            assert response.status_code == 204, response.text
            self.user_perms[user] -= set(perms)
        else:
            assert response.status_code in (400, 404), response.text

    # -- tokens ----------------------------------------------------------------------------------

    @precondition(lambda self: self.apis and self.user_roles)
    @rule(data=st.data())
    def fresh_token(self, data: st.DataObject) -> None:
        """A login for an API: its token's ``permissions`` are the user's on that API."""
        user = data.draw(st.sampled_from(sorted(self.user_roles)))
        api = data.draw(st.sampled_from(sorted(self.apis)))
        tokens = self.tenant.login_as(user, audience=api, scope=LOGIN_SCOPE).tokens
        claims = jwt.decode(tokens["access_token"], self.key, algorithms=["RS256"], audience=api)
        wanted = self.expected(user, api)
        assert claims["permissions"] == sorted(wanted)
        assert claims["scope"].split() == ["openid", *(s for s in SCOPES if s in wanted)]

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def lists_name_only_what_exists(self) -> None:
        if not hasattr(self, "tenant"):
            return
        for user, roles in self.user_roles.items():
            listed = self.call("GET", f"users/{user}/permissions?per_page=100").json
            wanted = set(self.user_perms[user])
            for role in roles:
                wanted |= self.role_perms[role]
            assert as_pairs(listed) == wanted, (user, listed)
            for item in listed:
                for source in item["sources"]:
                    if source["source_type"] == "ROLE":
                        assert source["source_id"] in roles
            shown = self.call("GET", f"users/{user}/roles?per_page=100").json
            assert {r["id"] for r in shown} == roles
        for role, perms in self.role_perms.items():
            listed = self.call("GET", f"roles/{role}/permissions?per_page=100").json
            assert as_pairs(listed) == perms, (role, listed)
            members = self.call("GET", f"roles/{role}/users?per_page=100").json
            assert {m["user_id"] for m in members} == {
                u for u, held in self.user_roles.items() if role in held
            }
        for gone in self.deleted_roles:
            assert self.call("GET", f"roles/{gone}/permissions").status_code == 404
        for gone in self.deleted_users:
            assert self.call("GET", f"users/{gone}/permissions").status_code == 404

    @invariant()
    def token_permissions_match_the_model(self) -> None:
        """What the token would carry, for every user and API (the domain's own union; the
        ``fresh_token`` rule signs and reads real tokens)."""
        if not hasattr(self, "tenant"):
            return
        from fakeauth0 import access

        for user in self.user_roles:
            record = self.tenant.get_user(user)
            for api in self.apis:
                held = access.permissions_on(record, self.tenant.roles, api)
                assert held == sorted(self.expected(user, api)), (user, api)


if os.environ.get("FAKEAUTH0_HYPOTHESIS_PROFILE", "ci") == "ci":
    RbacMachine.TestCase.settings = settings(
        settings.default, max_examples=40, stateful_step_count=20
    )
TestRbac = RbacMachine.TestCase
