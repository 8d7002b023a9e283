"""The route table answers exactly as werkzeug's ``Map`` over the same rules would.

fakeauth0.http.routing replaces werkzeug's matcher for speed; this compares the two path by
path: every rule with sample values, with a trailing slash, with doubled and leading slashes,
with each method, and paths that match nothing or only partly.
"""

from __future__ import annotations

import pytest
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule

from fakeauth0.http.app import route_table
from fakeauth0.http.routing import Router

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get"]


def _outcome(match, path: str, method: str) -> object:
    try:
        endpoint, args = match(path, method)
    except MethodNotAllowed as refused:
        return ("405", sorted(refused.valid_methods or ()))
    except HTTPException as refused:
        return (type(refused).__name__, refused.code)
    return (endpoint, dict(args))


def _paths(rules: list[tuple[str, str, list[str]]]) -> list[str]:
    paths = {"", "/", "//", "/api", "/api/v2", "/api/v2/", "/nope", "/api/v2/users//roles"}
    for rule, _endpoint, _methods in rules:
        for value in ("abc", "auth0|12 3", "users", "roles", "x.y", ""):
            concrete = "/".join(value if s.startswith("<") else s for s in rule.split("/"))
            paths |= {concrete, concrete + "/", "/" + concrete, concrete + "//", concrete + "/x"}
            paths.add(concrete.rsplit("/", 1)[0])
            paths.add(concrete.replace("/", "//", 2))
    return sorted(paths)


def test_router_matches_like_werkzeug() -> None:
    rules = [(r.rule, r.endpoint, list(r.methods)) for r in route_table().routes.values()]
    werkzeug_map = Map(
        [Rule(path, endpoint=endpoint, methods=methods) for path, endpoint, methods in rules],
        strict_slashes=False,
        merge_slashes=False,
    ).bind("localhost")
    router = Router(rules)
    checked = 0
    for path in _paths(rules):
        for method in METHODS:
            expected = _outcome(werkzeug_map.match, path, method)
            assert _outcome(router.match, path, method) == expected, (path, method)
            checked += 1
    assert checked > 10_000


@pytest.mark.parametrize("rule", ["api/x", "/api/x/", "/api/<int:id>", "/api/a<id>", "/<x y>"])
def test_router_refuses_rule_shapes_it_does_not_match_like_werkzeug(rule: str) -> None:
    with pytest.raises(ValueError):
        Router([(rule, "endpoint", ["GET"])])
