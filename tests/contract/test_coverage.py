"""COVERAGE.md is generated and current; the served list, the handlers and the vendored spec
agree; every operation we do not serve says so with a 501, never a lookalike 404."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from fakeauth0.http import routes, target
from fakeauth0.http.app import route_table
from fakeauth0.spec import load_spec
from tests.support import NO_TOKEN, RawClient, assert_error

route_table()  # imports every handler module
HANDLERS = routes.registered(target.MANAGEMENT)
ROOT = Path(__file__).resolve().parents[2]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage_report = _script("coverage_report")
vendor_spec = _script("vendor_spec")

UNSERVED = [op for op in load_spec()["operations"] if op["operationId"] not in HANDLERS]


def test_coverage_md_is_current() -> None:
    current = (ROOT / "COVERAGE.md").read_text(encoding="utf-8")
    assert current == coverage_report.render(coverage_report.rows()), (
        "COVERAGE.md is stale: run python scripts/coverage_report.py"
    )


def test_coverage_counts_every_operation_once() -> None:
    rows = coverage_report.rows()
    assert len(rows) == len({r["operationId"] for r in rows}) == len(load_spec()["operations"])
    served = {r["operationId"] for r in rows if r["status"] != "not served"}
    assert served == set(HANDLERS)


def test_partly_served_names_only_parameters_the_spec_declares() -> None:
    schemas = load_spec()["components"]["schemas"]
    for op_id, names in coverage_report.PARTIAL.items():
        op = load_spec()["served"][op_id]
        declared = {p["name"] for p in op.get("parameters", [])}
        body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
        if body is not None:
            ref = body["schema"]["$ref"].rsplit("/", 1)[1]
            declared |= set(schemas[ref].get("properties", {}))
        assert set(names) <= declared, (op_id, set(names) - declared)


def test_the_vendored_served_list_is_the_registered_handlers() -> None:
    assert set(vendor_spec.SERVED) == set(HANDLERS) == set(load_spec()["served"])


def test_the_vendored_subset_is_what_the_script_extracts() -> None:
    source = vendor_spec.default_source()
    if source is None or not source.exists():
        pytest.skip(f"Auth0's full spec is not given ({vendor_spec.SOURCE_VARIABLE}={source})")
    extracted = vendor_spec.extract(json.loads(source.read_text(encoding="utf-8")))
    assert json.loads(json.dumps(extracted)) == load_spec(), (
        "fakeauth0/spec/management-subset.json is stale: run python scripts/vendor_spec.py"
    )


def _concrete(path: str) -> str:
    return "/api/v2" + re.sub(r"\{[^}]+\}", "x1", path)


@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no-token"])
def test_every_unserved_operation_answers_501_naming_it(raw: RawClient, with_token: bool) -> None:
    assert len(UNSERVED) > 250  # the spec holds far more than the fake serves
    for op in UNSERVED:
        token = None if with_token else NO_TOKEN
        kwargs = {"json": {}} if op["method"] in ("POST", "PUT", "PATCH") else {}
        response: httpx.Response = raw.request(
            op["method"], _concrete(op["path"]), token=token, **kwargs
        )
        body = assert_error(response, 501, error_code="not_implemented")
        assert op["operationId"] in body["message"], (op, body)
        assert "/api/v2" + op["path"] in body["message"]


def test_every_served_authentication_endpoint_is_in_the_catalogue() -> None:
    """COVERAGE.md's Authentication API list names every endpoint the route table serves
    (the login page's own screens aside, which are not part of the API)."""
    listed = {(method, path) for method, path, _ in coverage_report.AUTHENTICATION_API}
    for route in route_table().routes.values():
        if route.plane != target.AUTHENTICATION or route.rule.startswith(("/u/", "/authorize/")):
            continue
        for method in route.methods:
            if method == "POST" and (("GET", route.rule) in listed):
                continue  # a GET endpoint that also takes form posts
            assert (method, route.rule) in listed, f"{method} {route.rule} missing"
