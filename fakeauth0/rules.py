"""Classic Rules and their configuration variables (``/rules``, ``/rules-configs``).

Rules reached end of life on 18 Nov 2026 and were never offered to tenants created since
16 Oct 2023 (https://auth0.com/docs/customize/actions/migrate/migrate-from-rules-to-actions):
only a legacy tenant (``Tenant(rules=True)``, ``fakeauth0 serve --rules``) keeps them. Any
other tenant answers every call of both families as Auth0 answers a tenant without the
feature: 403 "Insufficient privileges to use this deprecated feature" (the message
auth0-deploy-cli looks for, https://github.com/auth0/auth0-deploy-cli/pull/838).

Shapes follow go-auth0's recordings (TestRuleManager_*, TestRuleConfigManager_* at
https://github.com/auth0/go-auth0/tree/df1084db909530241b4d1165438324b7601a6386/test/data/recordings):
``{id: "rul_<16>", name, script, order, enabled, stage: "login_success"}``; a config
variable's value is never read back (``GET /rules-configs`` lists keys only). No HTTP here;
the caller holds the tenant lock.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Auth0Error, Msg

#: What a rule runs on: the only stage Auth0 still ran (the others were removed in 2017).
STAGE = "login_success"
#: go-auth0's ``Rule.Name``: "alphanumeric characters, spaces and '-'. Can neither start nor
#: end with '-' or spaces" (https://github.com/auth0/go-auth0/blob/main/management/rule.go).
NAME_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?")
#: The spec's ``put_rules-configs_by_key``: "max length: 127 characters"; the characters Auth0
#: accepts in a key are the spec's ``RulesConfig`` pattern-free string, so any but ``/``
#: (which no URL can carry in one segment).
CONFIG_KEY_MAX = 127


@dataclass
class Rule:
    id: str
    name: str
    script: str
    order: float
    enabled: bool = True
    stage: str = STAGE

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "enabled": self.enabled,
            "script": self.script,
            "name": self.name,
            "order": _number(self.order),
            "stage": self.stage,
        }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@dataclass
class RuleBook:
    """A tenant's rules (by id) and configuration variables (by key)."""

    rules: dict[str, Rule] = field(default_factory=dict)
    configs: dict[str, str] = field(default_factory=dict)

    def copy(self) -> RuleBook:
        return RuleBook(
            {k: copy.copy(r) for k, r in self.rules.items()},
            dict(self.configs),
        )

    def require(self, rule_id: str) -> Rule:
        rule = self.rules.get(rule_id)
        if rule is None:
            raise Auth0Error(404, Msg.RULE_NOT_FOUND, "inexistent_rule")
        return rule

    def listed(self) -> list[Rule]:
        """Every rule, in execution order (ties, which Auth0 refuses, by creation)."""
        return sorted(self.rules.values(), key=lambda r: r.order)

    def pipeline(self) -> list[Rule]:
        """The rules a login runs: the enabled ones, lowest ``order`` first."""
        return [r for r in self.listed() if r.enabled]


def refuse_deprecated() -> Auth0Error:
    """A tenant without Rules (every tenant made since 16 Oct 2023)."""
    return Auth0Error(403, Msg.RULES_DEPRECATED)


def _check_name(book: RuleBook, name: str, rule_id: str | None) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise Auth0Error.invalid_body(Msg.RULE_NAME_FORMAT.format(name=name))
    if any(r.name == name and r.id != rule_id for r in book.rules.values()):
        raise Auth0Error(409, Msg.RULE_NAME_EXISTS, "rule_conflict")


def _check_order(book: RuleBook, order: float, rule_id: str | None) -> None:
    """Two rules may not share an order: 409 ``rule_conflict``
    (https://github.com/auth0-extensions/auth0-deploy-extensions/issues/19)."""
    if any(r.order == order and r.id != rule_id for r in book.rules.values()):
        raise Auth0Error(409, Msg.RULE_ORDER_EXISTS, "rule_conflict")


def _order(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Auth0Error.invalid_body(Msg.RULE_ORDER_FORMAT.format(value=value))
    return float(value)


def create(book: RuleBook, body: Mapping[str, Any], rule_id: str) -> Rule:
    """``POST /rules`` (the body already checked against the spec). Without ``order``, the
    rule runs last: one more than the highest order (CHOICES.md)."""
    name = str(body["name"])
    _check_name(book, name, None)
    if "order" in body:
        order = _order(body["order"])
    else:
        order = max((r.order for r in book.rules.values()), default=0.0) + 1
    _check_order(book, order, None)
    rule = Rule(rule_id, name, str(body["script"]), order, bool(body.get("enabled", True)))
    book.rules[rule_id] = rule
    return rule


def update(book: RuleBook, rule_id: str, body: Mapping[str, Any]) -> Rule:
    """``PATCH /rules/{id}``: the fields given replace the stored ones."""
    rule = copy.copy(book.require(rule_id))
    if "name" in body:
        _check_name(book, str(body["name"]), rule_id)
        rule.name = str(body["name"])
    if "order" in body:
        rule.order = _order(body["order"])
        _check_order(book, rule.order, rule_id)
    if "script" in body:
        rule.script = str(body["script"])
    if "enabled" in body:
        rule.enabled = bool(body["enabled"])
    book.rules[rule_id] = rule
    return rule


def delete(book: RuleBook, rule_id: str) -> None:
    """``DELETE /rules/{id}``: 204 whether or not the rule exists (go-auth0 recording
    TestRuleManager_Delete deletes the same rule twice, 204 both times)."""
    book.rules.pop(rule_id, None)


def set_config(book: RuleBook, key: str, value: str) -> dict[str, str]:
    """``PUT /rules-configs/{key}``: create or replace; answers ``{key, value}``."""
    if not key or len(key) > CONFIG_KEY_MAX:
        raise Auth0Error.invalid_body(Msg.RULES_CONFIG_KEY.format(limit=CONFIG_KEY_MAX))
    book.configs[key] = value
    return {"key": key, "value": value}


def record(book: RuleBook) -> dict[str, Any]:
    """The seed / snapshot form: ``{"rules": [...], "rules_configs": {key: value}}``."""
    return {
        "rules": [r.to_json() for r in book.listed()],
        "rules_configs": dict(book.configs),
    }


def parse(rules: Any, configs: Any, new_id: Any) -> RuleBook:
    """A seed's ``rules`` (records as the API shows them; ``id`` optional) and
    ``rules_configs`` (``{key: value}``), checked as the API checks them."""
    book = RuleBook()
    if not isinstance(rules, list):
        raise ValueError("rules must be a list of rules")
    for raw in rules:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ValueError("each rule needs a name and a script")
        if not isinstance(raw.get("script"), str) or not raw["script"]:
            raise ValueError(f"the rule {raw['name']!r} needs a script")
        body = {k: raw[k] for k in ("name", "script", "order", "enabled") if k in raw}
        try:
            rule = create(book, body, str(raw.get("id") or new_id()))
        except Auth0Error as error:
            raise ValueError(f"rule {raw['name']!r}: {error.message}") from None
        if "stage" in raw and raw["stage"] != STAGE:
            raise ValueError(f"rule {raw['name']!r}: only the {STAGE} stage runs")
        book.rules[rule.id] = rule
    if not isinstance(configs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in configs.items()
    ):
        raise ValueError("rules_configs must map keys to string values")
    for key, value in configs.items():
        set_config(book, key, value)
    return book
