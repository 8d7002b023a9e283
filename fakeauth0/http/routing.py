"""The route table: werkzeug's matching, for the rule shapes we use, at a fraction of the cost.

Every route we serve is literal segments and whole-segment ``<name>`` parameters (werkzeug's
default converter), or a last ``<path:name>`` that takes the rest of the path (werkzeug's path
converter, for an API's identifier, a URL, in ``/resource-servers/{id}``), matched on path and
method, ``strict_slashes=False``, ``merge_slashes=False``.
werkzeug's ``Map`` took ~50 ms to compile our ~360 rules (a sixth of a cold start) and ~20 us
to match one path (half of a cheap call); this table is built in ~2 ms and matches in a few us.

It answers exactly as ``Map(rules, strict_slashes=False, merge_slashes=False).bind(...).match``
would, walking the same state machine in the same order (literal segments before a parameter,
backtracking): the matched endpoint and arguments, else werkzeug's ``MethodNotAllowed`` (with the
methods of every rule the path matched) or ``NotFound``; ``HEAD`` is allowed wherever ``GET``
is. tests/server/test_routing.py checks it against werkzeug's ``Map`` path by path.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.exceptions import MethodNotAllowed, NotFound

#: (endpoint, methods or None for any, parameter names in order)
_Rule = tuple[str, frozenset[str] | None, tuple[str, ...]]


class _State:
    __slots__ = ("dynamic", "rules", "static", "tail")

    def __init__(self) -> None:
        self.static: dict[str, _State] = {}
        self.dynamic: _State | None = None  # the one ``<name>`` transition
        self.tail: _State | None = None  # a last ``<path:name>``: the rest of the path
        self.rules: list[_Rule] = []


class Router:
    """Match a path and a method to ``(endpoint, arguments)``, as werkzeug's ``MapAdapter``."""

    def __init__(self, rules: Iterable[tuple[str, str, Iterable[str] | None]] = ()) -> None:
        self._root = _State()
        self.rules: list[tuple[str, str, frozenset[str] | None]] = []
        #: (path, method) -> endpoint of a rule without parameters, as matched before: most
        #: calls go to a few such paths (``/api/v2/users``, ``/oauth/token``, ``/authorize``).
        self._literal: dict[tuple[str, str], str] = {}
        for rule, endpoint, methods in rules:
            self.add(rule, endpoint, methods)

    def add(self, rule: str, endpoint: str, methods: Iterable[str] | None = None) -> None:
        self._literal.clear()
        if not rule.startswith("/") or rule.endswith("/"):
            raise ValueError(f"unsupported rule {rule!r}: it must start, and not end, with /")
        allowed = None
        if methods is not None:
            upper = {m.upper() for m in methods}
            if "GET" in upper:
                upper.add("HEAD")  # as werkzeug's Rule does
            allowed = frozenset(upper)
        state = self._root
        names: list[str] = []
        segments = rule.split("/")[1:]
        for index, segment in enumerate(segments):
            if segment.startswith("<path:") and segment.endswith(">"):
                name = segment[6:-1]
                if index != len(segments) - 1 or not name.isidentifier():
                    raise ValueError(f"unsupported {segment!r} in {rule!r}: only last, named")
                names.append(name)
                if state.tail is None:
                    state.tail = _State()
                state = state.tail
            elif segment.startswith("<") and segment.endswith(">"):
                name = segment[1:-1]
                if not name.isidentifier():
                    raise ValueError(f"unsupported parameter {segment!r} in {rule!r}")
                names.append(name)
                if state.dynamic is None:
                    state.dynamic = _State()
                state = state.dynamic
            elif "<" in segment or ">" in segment:
                raise ValueError(f"unsupported segment {segment!r} in {rule!r}")
            else:
                state = state.static.setdefault(segment, _State())
        state.rules.append((endpoint, allowed, tuple(names)))
        self.rules.append((rule, endpoint, allowed))

    def match(self, path: str, method: str | None = None) -> tuple[str, dict[str, str]]:
        method = (method or "GET").upper()
        literal = self._literal.get((path, method))
        if literal is not None:
            return literal, {}
        key = (path, method)
        path = "/" + path.lstrip("/") if path else ""
        have_match_for: set[str] = set()
        parts = path.split("/")[1:] if path else []
        found = _walk(self._root, parts, 0, [], method, have_match_for)
        if found is None:
            if have_match_for:
                raise MethodNotAllowed(valid_methods=list(have_match_for))
            raise NotFound()
        (endpoint, _methods, names), values = found
        if not names:
            if len(self._literal) >= _LITERAL_CAPACITY:
                self._literal.clear()
            self._literal[key] = endpoint
            return endpoint, {}
        return endpoint, dict(zip(names, values, strict=True))


#: Literal matches remembered at most (a bound for a long-running server's odd paths).
_LITERAL_CAPACITY = 1024


def _walk(
    state: _State, parts: list[str], i: int, values: list[str], method: str, allowed: set[str]
) -> tuple[_Rule, list[str]] | None:
    """werkzeug's ``StateMachineMatcher.match._match``, for literal and ``<name>`` segments."""
    if i == len(parts):
        for rule in state.rules:
            if rule[1] is not None and method not in rule[1]:
                allowed.update(rule[1])
            else:
                return rule, values
        return None  # (no rule ends with "/", so there is no trailing-slash state to try)
    part = parts[i]
    following = state.static.get(part)
    if following is not None:
        found = _walk(following, parts, i + 1, values, method, allowed)
        if found is not None:
            return found
    if state.dynamic is not None and part:  # werkzeug's default converter: [^/]{1,}
        found = _walk(state.dynamic, parts, i + 1, [*values, part], method, allowed)
        if found is not None:
            return found
    if state.tail is not None and part:  # werkzeug's path converter: [^/].*? to the end
        rest = "/".join(parts[i:])
        for rule in state.tail.rules:
            if rule[1] is not None and method not in rule[1]:
                allowed.update(rule[1])
            else:
                return rule, [*values, rest]
    if part == "" and i == len(parts) - 1:  # a trailing slash: rules are not strict_slashes
        for rule in state.rules:
            if rule[1] is not None and method not in rule[1]:
                allowed.update(rule[1])
            else:
                return rule, values
    return None
