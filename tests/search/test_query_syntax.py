"""v3 query syntax through the official SDK: every construct of
docs/auth0-behaviour.md#query-syntax.

Sources: https://auth0.com/docs/manage-users/user-search/user-search-query-syntax (cited as
"query-syntax").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auth0.management import ManagementClient
from auth0.management.core.api_error import ApiError

from fakeauth0 import Tenant
from fakeauth0.users import User


def error_of(auth0_management: ManagementClient, q: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        auth0_management.users.list(q=q, search_engine="v3")
    return caught.value


@pytest.fixture
def refused(auth0_management: ManagementClient) -> Callable[[str, str], None]:
    """``refused(q, fragment)``: the v3 search refuses ``q`` with a message holding ``fragment``."""

    def check(q: str, fragment: str) -> None:
        error = error_of(auth0_management, q)
        assert error.status_code == 400, error.body
        assert error.body["errorCode"] == "invalid_query_string"
        assert fragment in error.body["message"]

    return check


# -- fields and values ---------------------------------------------------------------------------


def test_exact_email_ignores_case(search: Any, people: dict[str, User]) -> None:
    assert search('email:"JANE.SMITH@example.COM"') == [people["jane"].user_id]
    # Social e-mails keep their casing when stored, yet search still folds case
    # (docs/auth0-behaviour.md#query-syntax).
    assert search("email:jane.smith@gmail.com") == [people["google"].user_id]


def test_values_are_not_tokenized(search: Any, people: dict[str, User]) -> None:
    # query-syntax: user_id:auth0 does not match auth0|123; a prefix wildcard does.
    assert search("user_id:auth0") == []
    assert search("user_id:auth0*") == [people[k].user_id for k in ("jane", "john", "johanna")]
    assert search("name:jane") == []
    assert search('name:"jane smith"') == [people["jane"].user_id, people["google"].user_id]


def test_escaped_space_is_part_of_the_value(search: Any, people: dict[str, User]) -> None:
    assert search(r"name:John\ Doe") == [people["john"].user_id]


def test_case_sensitive_fields(search: Any, people: dict[str, User]) -> None:
    # Metadata is case-sensitive: "Gold" is not "gold" (query-syntax).
    assert search("app_metadata.plan:gold") == [people["jane"].user_id]
    assert search("app_metadata.plan:Gold") == [people["johanna"].user_id]
    assert search(f"user_id:{people['john'].user_id.upper()}") == []


def test_email_domain_and_identities(search: Any, people: dict[str, User]) -> None:
    assert search('email.domain:"CONTOSO.com"') == [people["john"].user_id]
    assert search('identities.connection:"google-oauth2"') == [people["google"].user_id]
    assert search("identities.provider:sms") == [people["phone"].user_id]
    bare = people["john"].identities[0].user_id
    assert search(f'identities.user_id:"{bare}"') == [people["john"].user_id]


def test_root_booleans_numbers_and_phone(search: Any, people: dict[str, User]) -> None:
    assert search('email_verified:"true"') == [people["google"].user_id]
    assert search("blocked:true") == [people["johanna"].user_id]
    assert search("logins_count:150") == [people["jane"].user_id]
    assert search('phone_number:"+15555550100"') == [people["phone"].user_id]
    assert search("phone_verified:false") == [people["phone"].user_id]


def test_terms_without_field_skip_metadata(search: Any, people: dict[str, User]) -> None:
    # query-syntax: "A term without a field name will not match text in the user metadata".
    assert search("gold") == []
    assert search('"John Doe"') == [people["john"].user_id]


# -- metadata ------------------------------------------------------------------------------------


def test_metadata_arrays_objects_numbers_booleans(search: Any, people: dict[str, User]) -> None:
    jane = [people["jane"].user_id]
    assert search('user_metadata.addresses.city:"Paris"') == jane  # the array level is skipped
    assert search("app_metadata.roles:editor") == jane
    assert search("app_metadata.level:3") == jane
    assert search("user_metadata.newsletter:true") == jane
    assert search('user_metadata.display.preferredLanguage:"fr"') == jane


def test_null_and_empty_metadata_are_not_indexed(search: Any, people: dict[str, User]) -> None:
    assert search("_exists_:user_metadata.display.preferredLanguage") == [people["jane"].user_id]
    assert search("_exists_:user_metadata.display") == [people["jane"].user_id]  # john's is {}
    assert search("_exists_:app_metadata.roles") == [people["jane"].user_id]  # john's is []
    assert search("_exists_:app_metadata.note") == []  # null


def test_no_wildcards_or_ranges_on_metadata(
    refused: Callable[[str, str], None], people: Any
) -> None:
    refused("user_metadata.city:Par*", "wildcards cannot be used on metadata")
    refused("app_metadata.plan:g*", "wildcards cannot be used on metadata")
    refused("app_metadata.level:[1 TO 5]", "ranges cannot be used on metadata")


# -- operators -----------------------------------------------------------------------------------


def test_and_or_not_and_minus(search: Any, people: dict[str, User]) -> None:
    p = {k: u.user_id for k, u in people.items()}
    assert search('name:"jane smith" AND identities.provider:auth0') == [p["jane"]]
    assert search('email.domain:contoso.com OR name:"johanna usa"') == [p["john"], p["johanna"]]
    assert search('name:"jane smith" AND NOT email_verified:true') == [p["jane"]]
    assert search('name:"jane smith" -identities.provider:auth0') == [p["google"]]
    assert search("NOT user_id:auth0*") == [p["google"], p["otp"], p["phone"]]


def test_documented_never_logged_in_query(search: Any, people: dict[str, User]) -> None:
    # query-syntax's own example for "users who never logged in".
    found = search("NOT _exists_:logins_count OR logins_count:0")
    assert found == [people[k].user_id for k in ("john", "johanna", "otp", "phone")]


def test_groups_and_field_groups(search: Any, people: dict[str, User]) -> None:
    p = {k: u.user_id for k, u in people.items()}
    assert search('name:("john doe" OR "johanna usa")') == [p["john"], p["johanna"]]
    assert search("(app_metadata.plan:gold OR app_metadata.plan:free) AND logins_count:0") == [
        p["john"]
    ]


def test_side_by_side_terms_default_to_or(search: Any, people: dict[str, User]) -> None:
    # UNCONFIRMED in Auth0's docs; Lucene's default operator is OR (CHOICES.md).
    p = {k: u.user_id for k, u in people.items()}
    assert search("logins_count:150 logins_count:0") == [p["jane"], p["john"]]
    assert search("+user_id:auth0* -app_metadata.plan:gold") == [p["john"], p["johanna"]]


# -- wildcards -----------------------------------------------------------------------------------


def test_wildcards(search: Any, people: dict[str, User]) -> None:
    p = {k: u.user_id for k, u in people.items()}
    assert search("name:j*") == [p["jane"], p["john"], p["johanna"], p["google"]]
    assert search("name:*usa") == [p["johanna"]]  # suffix with 3 literals is allowed
    assert search("email:*example*") == [p["jane"], p["johanna"], p["otp"]]  # contains
    assert search("email:jo*@*.com") == [p["john"]]
    assert search(r"name:john\*") == []  # an escaped * is a literal star


def test_short_suffix_and_question_mark_are_refused(
    refused: Callable[[str, str], None], people: Any
) -> None:
    # query-syntax: "name:*usa is allowed, name:*sa is not"; '?' is not supported.
    refused("name:*sa", "at least 3 other characters")
    refused("name:*", "at least 3 other characters")
    refused("name:j?ne", "'?' wildcard is not supported")
    refused("logins_count:1*", "only be used on text fields")


# -- ranges --------------------------------------------------------------------------------------


def test_number_ranges(search: Any, people: dict[str, User]) -> None:
    p = {k: u.user_id for k, u in people.items()}
    assert search("logins_count:{100 TO *]") == [p["jane"]]
    # The first social login is counted (logins_count 1), as add_social_user records it.
    assert search("logins_count:[0 TO 150}") == [p["john"], p["google"]]
    assert search("logins_count:[0 TO 150]") == [p["jane"], p["john"], p["google"]]
    assert search("logins_count:{0 TO 150}") == [p["google"]]


def test_date_ranges_and_partial_dates(search: Any, people: dict[str, User]) -> None:
    p = {k: u.user_id for k, u in people.items()}
    assert search("last_login:[* TO 2024-12-31]") == [p["jane"]]
    assert search("last_login:[* TO 2024-06-15}") == []  # before the day starts
    assert search("last_login:[* TO 2024-06-15]") == [p["jane"]]  # to the end of that day
    assert search("created_at:[2017-12 TO 2017-12]") == [p["john"]]  # the whole month
    assert search("created_at:2017-12") == [p["john"]]
    assert search("created_at:{2017-12 TO 2018-01]") == [p["johanna"]]
    assert search("updated_at:[2018-01-15 TO *]") == list(p.values())


def test_bad_values_and_v2_comparisons_are_refused(
    refused: Callable[[str, str], None], people: Any
) -> None:
    refused("logins_count:many", "not a valid number")
    refused("created_at:[yesterday TO *]", "not a valid date")
    refused("email_verified:yes", "not a valid boolean")
    # query-syntax: the v2 ">=" syntax is not supported in v3.
    refused("logins_count:>100", "search_engine=v2 syntax")
    refused('email.raw:"a@b.c"', "search_engine=v2 field")
    refused("connection:x", "identities.connection")


def test_syntax_errors_say_what_is_wrong(refused: Callable[[str, str], None], people: Any) -> None:
    refused("name:(jane", "Invalid query string")
    refused("AND name:x", "unexpected")


def test_constructs_we_do_not_model_are_501(
    auth0_management: ManagementClient, people: Any
) -> None:
    for q, named in (
        ("organization_id:org_1", "organization_id"),
        ("locale:en", "locale"),
        ("name:jane~", "fuzzy"),
        ("name:/ja.e/", "regular expressions"),
    ):
        error = error_of(auth0_management, q)
        assert error.status_code == 501, q
        assert named in error.body["message"]


# -- linked accounts -----------------------------------------------------------------------------


def test_linked_secondary_is_found_inside_its_primary(
    tenant: Tenant, search: Any, people: dict[str, User]
) -> None:
    jane = people["jane"].user_id
    tenant.link(jane, "google-oauth2", "103547991597142817347")
    assert search('identities.user_id:"103547991597142817347"') == [jane]
    assert people["google"].user_id not in search("identities.provider:google-oauth2 OR name:j*")
    assert search('identities.connection:"google-oauth2"') == [jane]
