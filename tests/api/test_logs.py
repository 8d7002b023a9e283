"""``GET /api/v2/logs``, ``/logs/{id}`` and ``/users/{id}/logs``: the tenant logs read back.

Sources for Auth0's behaviour:
- the event's shape (every key present, unknown values null, ``_id`` = ``log_id``, 56 digits):
  https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestLogManager_CheckpointPagination.yaml
  and https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestLogManager.yaml
- search, checkpoints, paging and their limits:
  https://auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api
- the query language and its fields: https://auth0.com/docs/deploy-monitor/logs/log-search-query-syntax
- the event types: https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from auth0.management.core.api_error import ApiError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeauth0 import Tenant
from tests.support import DB, PASSWORD, RawClient, assert_error

#: Every key of a real event (the go-auth0 recordings above).
EVENT_KEYS = {
    "_id",
    "log_id",
    "date",
    "type",
    "description",
    "connection",
    "connection_id",
    "organization_id",
    "organization_name",
    "client_id",
    "client_name",
    "ip",
    "hostname",
    "details",
    "user_id",
    "user_name",
    "user_agent",
    "audience",
    "strategy",
    "strategy_type",
    "isMobile",
    "location_info",
}
LOG_ID = re.compile(r"900\d{53}")


def logs(raw: RawClient, **params: Any) -> Any:
    response = raw.get("logs", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def fail_login(tenant: Tenant, **who: str) -> None:
    with pytest.raises(Exception, match="Wrong email or password"):
        tenant.login(DB, password="not-it", **who)


@pytest.fixture
def history(tenant: Tenant, raw: RawClient) -> dict[str, Any]:
    """A user made through the API (``ss`` and ``sapi``), one wrong password (``fp``), one
    unknown e-mail (``fu``), one login (``s``): five events, oldest first."""
    user = raw.create_user(email="grace@example.com")
    fail_login(tenant, email="grace@example.com")
    fail_login(tenant, email="nobody@example.com")
    tenant.login(DB, email="grace@example.com", password=PASSWORD)
    return user


def test_the_sdk_lists_gets_and_lists_a_users_events(
    auth0_management: Any, history: dict[str, Any]
) -> None:
    """auth0-python's ``logs.list``, ``logs.get`` and ``users.logs.list`` read our events."""
    listed = list(auth0_management.logs.list(per_page=100))
    assert [e.type for e in listed] == ["s", "fu", "fp", "sapi", "ss"]  # newest first
    newest = auth0_management.logs.get(listed[0].log_id)
    assert newest.type == "s" and newest.user_id == history["user_id"]
    assert newest.connection == DB and newest.strategy == "auth0"
    assert newest.strategy_type == "database"
    mine = list(auth0_management.users.logs.list(history["user_id"], per_page=50))
    assert [e.type for e in mine] == ["s", "fp", "ss"]


def test_the_sdks_search_parameter_is_refused_as_auth0_refuses_it(
    auth0_management: Any, history: dict[str, Any]
) -> None:
    """The generated SDKs send ``search=`` where the API takes ``q``; Auth0 answers 400
    (https://github.com/auth0/auth0-java/issues/842). ``q`` passed as an extra parameter works."""
    with pytest.raises(ApiError) as refused:
        list(auth0_management.logs.list(search="type:s"))
    assert refused.value.status_code == 400
    found = auth0_management.logs.list(
        request_options={"additional_query_parameters": {"q": "type:fp"}}
    )
    assert [e.type for e in found] == ["fp"]


def test_every_key_is_present_and_ids_are_56_increasing_digits(
    raw: RawClient, history: dict[str, Any]
) -> None:
    events = logs(raw)
    for event in events:
        assert set(event) >= EVENT_KEYS, event
        assert event["_id"] == event["log_id"] and LOG_ID.fullmatch(event["log_id"])
        assert event["user_agent"] == "Other 0.0.0 / Other 0.0.0" and event["isMobile"] is False
    ids = [e["log_id"] for e in events]
    assert ids == sorted(ids, reverse=True)  # newest first, ids grow with time
    unknown = next(e for e in events if e["type"] == "fu")
    assert unknown["user_id"] is None and unknown["user_name"] == "nobody@example.com"
    assert unknown["description"] == "Wrong email or password."


def test_a_management_write_is_sapi_with_its_request_and_response_and_reads_are_not_logged(
    tenant: Tenant, raw: RawClient
) -> None:
    """``sapi`` "Create a User" with ``details.request`` (password masked) and
    ``details.response``; the caller's client shows no name (TestLogManager_CheckpointPagination).
    """
    user = raw.create_user(email="ada@example.com", user_metadata={"team": "blue"})
    raw.get(f"users/{user['user_id']}")
    raw.get("users")
    events = logs(raw)
    assert [e["type"] for e in events] == ["sapi", "ss"]
    sapi, signup = events
    assert sapi["description"] == "Create a User"
    assert sapi["client_id"] == tenant.management_client.client_id and sapi["client_name"] == ""
    request, response = sapi["details"]["request"], sapi["details"]["response"]
    assert (request["method"], request["path"], request["channel"]) == (
        "post",
        "/api/v2/users",
        "api",
    )
    assert request["body"]["password"] == "*****" and request["body"]["email"] == "ada@example.com"
    assert response["statusCode"] == 201 and response["body"]["user_id"] == user["user_id"]
    assert signup["details"]["body"]["password"] == "*****"
    assert signup["user_name"] == "ada@example.com"
    assert PASSWORD not in str(events)


def test_secrets_of_a_write_never_show_in_its_event(raw: RawClient) -> None:
    """A new client's secret is in the answer to ``POST /clients``, never in the log."""
    created = raw.post("clients", json={"name": "Billing"}).json()
    sapi = logs(raw, q="type:sapi")[0]
    assert sapi["description"] == "Create a client"
    assert sapi["details"]["response"]["body"]["client_secret"] == "*****"
    assert created["client_secret"] not in str(sapi)


def test_a_failed_write_is_not_logged(raw: RawClient) -> None:
    assert raw.post("users", json={"connection": DB, "email": "x@example.com"}).status_code == 400
    assert logs(raw) == []


# -- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "types"),
    [
        ("type:fp", ["fp"]),
        ('type:"fu"', ["fu"]),
        ("type:f*", ["fu", "fp"]),
        ("type:fp OR type:fu", ["fu", "fp"]),
        ("user_name:grace@example.com AND NOT type:fp", ["s", "ss"]),
        ("user_name:*example.com -type:s", ["fu", "fp", "ss"]),
        ("_exists_:user_id AND type:s*", ["s", "ss"]),
        ("description:Create*", ["sapi"]),
        ("connection:Username-Password-Authentication type:s", ["s", "fu", "fp", "ss"]),
        ("nobody@example.com", ["fu"]),  # a term alone: user_name, type, description...
        ("strategy_type:database AND user_id:auth0*", ["s", "fp", "ss"]),
        ("Type:fp", None),  # field names are case-sensitive: unknown
    ],
)
def test_q_searches_the_documented_fields(
    raw: RawClient, history: dict[str, Any], q: str, types: list[str] | None
) -> None:
    response = raw.get("logs", params={"q": q})
    if types is None:
        assert_error(
            response, 400, "The search query string has an error: ...", "invalid_query_string"
        )
        return
    assert response.status_code == 200, response.text
    assert [e["type"] for e in response.json()] == types


def test_values_are_case_sensitive(raw: RawClient, history: dict[str, Any]) -> None:
    assert logs(raw, q="user_name:GRACE@example.com") == []


def test_dates_search_by_their_period_and_by_range(
    tenant: Tenant, raw: RawClient, history: dict[str, Any]
) -> None:
    day = logs(raw)[0]["date"][:10]
    assert len(logs(raw, q=f"date:{day}")) == 5
    assert len(logs(raw, q=f"date:[{day} TO *]")) == 5
    assert logs(raw, q=f"date:{{{day} TO *]") == []
    assert logs(raw, q="date:[* TO 2000-01-01]") == []
    bad = raw.get("logs", params={"q": "date:yesterday"})
    assert_error(
        bad,
        400,
        "Invalid query string: 'yesterday' is not a valid date for date.",
        "invalid_query_string",
    )


def test_an_unknown_field_is_refused_in_auth0s_words(raw: RawClient) -> None:
    """https://github.com/auth0/auth0-mcp-server/pull/197: 400 'The search query string has an
    error: unknown field "user_email"'."""
    response = raw.get("logs", params={"q": "user_email:a@example.com"})
    assert_error(
        response,
        400,
        'The search query string has an error: unknown field "user_email"',
        "invalid_query_string",
    )


@pytest.mark.parametrize("q", ["type:(", "type:?p", "user_name:*le", "a" * 3 + ")"])
def test_broken_queries_are_400(raw: RawClient, q: str) -> None:
    assert_error(raw.get("logs", params={"q": q}), 400, error_code="invalid_query_string")


def test_sort_fields_and_include_fields(raw: RawClient, history: dict[str, Any]) -> None:
    oldest_first = logs(raw, sort="date:1")
    assert [e["type"] for e in oldest_first] == ["ss", "sapi", "fp", "fu", "s"]
    by_type = logs(raw, sort="type:1")
    assert [e["type"] for e in by_type] == ["fp", "fu", "s", "sapi", "ss"]
    only = logs(raw, fields="type,log_id", include_fields="true")
    assert all(set(e) == {"type", "log_id"} for e in only)
    without = logs(raw, fields="details", include_fields="false")
    assert all("details" not in e and "type" in e for e in without)
    assert_error(
        raw.get("logs", params={"sort": "secret:1"}), 400, error_code="invalid_query_string"
    )


# -- paging ----------------------------------------------------------------------------------------


def test_offset_pages_with_totals(raw: RawClient, history: dict[str, Any]) -> None:
    """``include_totals``: ``{start, limit, length, total, logs}`` (the spec's
    ListLogOffsetPaginatedResponseContent)."""
    page = logs(raw, page=1, per_page=2, include_totals="true")
    assert {k: page[k] for k in ("start", "limit", "length", "total")} == {
        "start": 2,
        "limit": 2,
        "length": 2,
        "total": 5,
    }
    assert [e["type"] for e in page["logs"]] == ["fp", "sapi"]
    assert_error(raw.get("logs", params={"per_page": 101}), 400, error_code="invalid_query_string")
    # Only the first 1000 results of a search can be paged through.
    assert_error(
        raw.get("logs", params={"page": 10, "per_page": 100}), 400, error_code="invalid_paging"
    )


def test_checkpoints_go_forward_in_id_order(raw: RawClient, history: dict[str, Any]) -> None:
    """``from``/``take``: the events after ``from``, oldest first; ``take`` at most 100; a
    ``Link`` to the next checkpoint."""
    oldest = logs(raw, sort="date:1")[0]
    first = raw.get("logs", params={"from": oldest["log_id"], "take": 2})
    assert [e["type"] for e in first.json()] == ["sapi", "fp"]
    nxt = re.search(r"from=(\d+)&take=2>; rel=\"next\"", first.headers["Link"])
    assert nxt is not None
    second = logs(raw, **{"from": nxt.group(1), "take": 2, "q": "ignored:field"})
    assert [e["type"] for e in second] == ["fu", "s"]
    assert logs(raw, **{"from": second[-1]["log_id"], "take": 2}) == []
    assert [e["type"] for e in logs(raw, take=1)] == ["ss"]  # no from: from the oldest kept
    assert_error(raw.get("logs", params={"take": 101}), 400, error_code="invalid_query_string")


def test_a_users_events_page_and_an_unknown_user_has_none(
    raw: RawClient, history: dict[str, Any]
) -> None:
    path = f"users/{history['user_id']}/logs"
    page = raw.get(path, params={"per_page": 2, "include_totals": "true"}).json()
    assert (page["total"], [e["type"] for e in page["logs"]]) == (3, ["s", "fp"])
    assert raw.get("users/auth0|nobody/logs").json() == []


def test_one_event_by_id_and_an_unknown_id(raw: RawClient, history: dict[str, Any]) -> None:
    event = logs(raw)[2]
    assert raw.get(f"logs/{event['log_id']}").json() == event
    assert_error(
        raw.get("logs/90020990101000000000000000000000000000000000000000000001"),
        404,
        "Log not found.",
    )


def test_scopes(raw: RawClient, history: dict[str, Any]) -> None:
    """read:logs or read:logs_users (the spec's security of each operation)."""
    assert raw.get("logs", scopes=["read:logs_users"]).status_code == 200
    path = f"users/{history['user_id']}/logs"
    assert raw.get(path, scopes=["read:logs"]).status_code == 200
    refused = raw.get("logs", scopes=["read:users"])
    assert_error(
        refused,
        403,
        "Insufficient scope, expected any of: read:logs,read:logs_users",
        "insufficient_scope",
    )


# -- the Python side -------------------------------------------------------------------------------


def test_the_book_keeps_the_last_n_events(http: httpx.Client) -> None:
    tenant = Tenant(log_capacity=3)
    for _ in range(5):
        fail_login(tenant, email="nobody@example.com")
    kept = tenant.logs.events()
    assert len(kept) == 3 and tenant.logs.types() == ["fu", "fu", "fu"]
    assert kept == sorted(kept, key=lambda e: e["log_id"])


def test_reset_clears_the_logs(tenant: Tenant, history: dict[str, Any]) -> None:
    assert len(tenant.logs) == 5
    tenant.reset()
    assert len(tenant.logs) == 0 and tenant.logs.events() == []


def test_ids_keep_growing_when_the_clock_goes_back(tenant: Tenant) -> None:
    fail_login(tenant, email="a@example.com")
    tenant.clock.freeze(0)
    fail_login(tenant, email="b@example.com")
    first, second = tenant.logs.events()
    assert second["log_id"] > first["log_id"] and second["date"] == "1970-01-01T00:00:00.000Z"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(
        alphabet=st.sampled_from(list('type:user_name*?"()[]{} TOANDORNT-+\\~/^date2020-01_')),
        max_size=40,
    )
)
def test_any_query_is_answered_200_or_400_never_500(
    raw: RawClient, history: dict[str, Any], q: str
) -> None:
    """Whatever ``q`` holds, Auth0's answer: results or 400 ``invalid_query_string``."""
    response = raw.get("logs", params={"q": q})
    assert response.status_code in (200, 400), (q, response.text)
    if response.status_code == 400:
        assert response.json()["errorCode"] == "invalid_query_string"
