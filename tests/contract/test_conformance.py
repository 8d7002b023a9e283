"""The spec judge itself: conforming traffic passes, and each kind of breach is caught."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from fakeauth0 import FakeAuth0App
from fakeauth0.errors import Auth0Error, Msg
from fakeauth0.http.app import route_table
from tests.contract.conformance import SpecRecorder, SpecViolation
from tests.support import RawClient


def _serve_with(monkeypatch: pytest.MonkeyPatch, operation_id: str, handler: Any) -> None:
    """Serve ``operation_id`` with ``handler`` for this test."""
    routes = route_table().routes
    monkeypatch.setitem(
        routes, operation_id, dataclasses.replace(routes[operation_id], handler=handler)
    )


def _breach(
    raw: RawClient, recorder: SpecRecorder, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> str:
    """Serve ``get_users_by_id`` with a handler returning ``answer``; the breach's report."""
    _serve_with(monkeypatch, "get_users_by_id", lambda call: answer)
    with pytest.raises(SpecViolation) as caught:
        raw.get("users/auth0|abc")
    assert recorder.violations  # also kept, in case a client swallowed the exception
    recorder.violations.clear()  # this test wanted them
    return str(caught.value)


def test_conforming_traffic_is_checked_and_passes(
    raw: RawClient, spec_conformance: SpecRecorder
) -> None:
    user = raw.create_user(email="a@b.co")
    assert raw.get(f"users/{user['user_id']}").status_code == 200
    assert raw.get("users/auth0|000000000000000000000000").status_code == 404
    assert spec_conformance.checked == 3 and not spec_conformance.violations


def test_a_body_that_breaks_the_schema_is_caught(
    raw: RawClient, spec_conformance: SpecRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _breach(raw, spec_conformance, monkeypatch, (200, {"user_id": 7}))
    assert "body user_id: 7 is not of type 'string'" in report


def test_an_undocumented_status_is_caught(
    raw: RawClient, spec_conformance: SpecRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _breach(raw, spec_conformance, monkeypatch, (202, {}))
    assert "status 202 is not documented for get_users_by_id" in report


@pytest.mark.auth0(server_errors="allow")  # the 500 is the point
def test_a_bug_of_ours_500_is_caught(
    raw: RawClient, spec_conformance: SpecRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(call: Any) -> Any:
        raise KeyError("oops")

    _serve_with(monkeypatch, "get_users_by_id", broken)
    with pytest.raises(SpecViolation, match="status 500 is not documented"):
        raw.get("users/auth0|abc")
    spec_conformance.violations.clear()


def test_accepting_a_request_the_spec_calls_invalid_is_caught(
    raw: RawClient, spec_conformance: SpecRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = raw.create_user(email="a@b.co")
    _serve_with(monkeypatch, "post_users", lambda call: (201, user))
    with pytest.raises(SpecViolation, match="accepted a request the spec calls invalid"):
        raw.post("users", json={"email": "b@b.co"})  # no connection: required by the spec
    spec_conformance.violations.clear()


def test_an_unserved_operation_answering_a_lookalike_404_is_caught(
    raw: RawClient, spec_conformance: SpecRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lookalike(self: FakeAuth0App, request: Any, route: Any, args: Any) -> Any:
        raise Auth0Error(404, Msg.USER_NOT_FOUND, "inexistent_user")

    monkeypatch.setattr(FakeAuth0App, "_serve", lookalike)
    with pytest.raises(SpecViolation, match="an unserved operation answered 404, not 501"):
        raw.get("users/auth0|abc/enrollments")
    spec_conformance.violations.clear()
