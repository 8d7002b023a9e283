"""The one pager of the Management API's lists (fakeauth0.http.paging), on its own.

Auth0's side: go-auth0 test/data/recordings/TestOrganizationManager_ListCheckpointPagination.yaml
(``take`` wins over ``include_totals``/``per_page``; ``next`` names the page's last record),
https://github.com/auth0/go-auth0/issues/109 (``from`` without ``take`` pages by offset),
https://github.com/auth0/node-auth0/issues/648 (``per_page`` at most 100). Where Auth0 is
silent, the CHOICES.md "paging:" rows.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from fakeauth0.errors import Auth0Error
from fakeauth0.http import paging
from fakeauth0.http.routes import Call

IDS = [f"con_{n}" for n in range(7)]


def call(operation: str = "get_connections", **query: Any) -> Call:
    """What the pager reads of a call: the typed query and the operation."""
    return cast(Call, SimpleNamespace(query=query, route=SimpleNamespace(endpoint=operation)))


def answer(**query: Any) -> Any:
    status, body = paging.paged(call(**query), IDS, "connections", str)
    assert status == 200
    return body


def refusal(message: str, **query: Any) -> None:
    with pytest.raises(Auth0Error) as raised:
        answer(**query)
    assert raised.value.status == 400
    assert raised.value.error_code == "invalid_query_string"
    assert raised.value.message == message


def walk(take: int) -> list[list[str]]:
    pages, body = [], answer(take=take)
    pages.append(body["connections"])
    while "next" in body:
        body = answer(take=take, **{"from": body["next"]})
        pages.append(body["connections"])
    return pages


# -- offset paging ----------------------------------------------------------------------------


def test_without_paging_parameters_the_default_page_is_a_bare_array() -> None:
    assert answer() == IDS
    status, body = paging.offset(call(), list(range(120)), "connections")
    assert (status, len(body)) == (200, paging.PER_PAGE_DEFAULT)


def test_include_totals_wraps_the_page_with_the_offset_and_the_full_count() -> None:
    body = answer(page=1, per_page=3, include_totals=True)
    assert body == {"total": 7, "start": 3, "limit": 3, "connections": IDS[3:6]}


def test_per_page_zero_is_an_empty_page() -> None:
    assert answer(per_page=0) == []
    assert answer(per_page=0, include_totals=True) == {
        "total": 7,
        "start": 0,
        "limit": 0,
        "connections": [],
    }


def test_a_page_past_the_end_is_empty_and_still_counts() -> None:
    assert answer(page=5, per_page=3) == []
    body = answer(page=5, per_page=3, include_totals=True)
    assert body == {"total": 7, "start": 15, "limit": 3, "connections": []}


def test_offset_bounds_are_refused_in_auth0s_words() -> None:
    refusal(
        "Query validation error: 'Value 101 is greater than maximum 100' on property per_page "
        "(The amount of entries per page. Defaults to 100 if not provided).",
        per_page=101,
    )
    refusal(
        "Query validation error: 'Value -1 is less than minimum 0' on property per_page "
        "(The amount of entries per page. Defaults to 100 if not provided).",
        per_page=-1,
    )
    refusal(
        "Query validation error: 'Value -1 is less than minimum 0' on property page "
        "(The page number. Zero based).",
        page=-1,
    )


def test_from_without_take_pages_by_offset() -> None:
    assert answer(**{"from": paging.token("con_3")}) == IDS


def test_an_operation_without_checkpoint_paging_ignores_take() -> None:
    status, body = paging.paged(call(take=2), IDS, "resource_servers")
    assert (status, body) == (200, IDS)


# -- checkpoint paging ------------------------------------------------------------------------


def test_checkpoint_pages_walk_the_whole_list_once() -> None:
    assert walk(3) == [IDS[0:3], IDS[3:6], IDS[6:7]]
    assert walk(7) == [IDS]
    assert walk(100) == [IDS]
    assert [page for pages in walk(1) for page in pages] == IDS


def test_next_names_the_last_record_given_and_is_left_out_on_the_last_page() -> None:
    first = answer(take=3)
    assert first == {"connections": IDS[:3], "next": paging.token("con_2")}
    last = answer(take=4, **{"from": first["next"]})
    assert last == {"connections": IDS[3:]}


def test_take_wins_over_include_totals_page_and_per_page() -> None:
    body = answer(take=2, include_totals=True, page=3, per_page=1)
    assert body == {"connections": IDS[:2], "next": paging.token("con_1")}


def test_an_empty_from_is_the_first_page() -> None:
    assert answer(take=2, **{"from": ""})["connections"] == IDS[:2]


@pytest.mark.parametrize(
    "checkpoint",
    [
        "con_3",  # a raw id: tokens are opaque
        paging.token("con_nope"),  # names no record of the list (deleted, or another list's)
        "%%%",  # not base64
        paging.token("con_3") + "==",  # not the token we gave
        "_w",  # base64 of a byte that is no UTF-8
    ],
)
def test_an_unknown_or_malformed_from_is_refused(checkpoint: str) -> None:
    refusal(
        f"Query validation error: 'Invalid from parameter: {checkpoint}' on property from.",
        take=2,
        **{"from": checkpoint},
    )


@pytest.mark.parametrize(
    ("take", "bound"), [(0, "less than minimum 1"), (-1, "less than minimum 1")]
)
def test_take_below_one_is_refused(take: int, bound: str) -> None:
    refusal(
        f"Query validation error: 'Value {take} is {bound}' on property take "
        "(Number of results per page. Defaults to 50).",
        take=take,
    )


def test_take_above_100_is_refused_and_100_is_served() -> None:
    refusal(
        "Query validation error: 'Value 101 is greater than maximum 100' on property take "
        "(Number of results per page. Defaults to 50).",
        take=101,
    )
    assert answer(take=paging.TAKE_MAX)["connections"] == IDS


def test_a_checkpoint_only_operation_defaults_take_to_50() -> None:
    clients = [f"client_{n}" for n in range(60)]
    status, body = paging.checkpoint(call("get_connection_clients"), clients, "clients", str)
    assert status == 200 and body["clients"] == clients[:50]
    assert body["next"] == paging.token("client_49")


def test_render_sees_only_the_page() -> None:
    seen: list[list[str]] = []

    def render(rows: Any) -> list[str]:
        seen.append(list(rows))
        return [row.upper() for row in rows]

    _, body = paging.paged(call(take=2), IDS, "connections", str, render)
    assert body["connections"] == ["CON_0", "CON_1"] and seen == [IDS[:2]]
    _, body = paging.paged(call(per_page=2, page=1), IDS, "connections", str, render)
    assert body == ["CON_2", "CON_3"] and seen[-1] == IDS[2:4]
