"""User search: Auth0's v3 Lucene query syntax over indexed users (and the legacy v2 engine)."""

from .index import SearchPage, UserSearch, sort_users

#: Auth0 pages through at most the first 1000 results of a user search
#: (docs/auth0-behaviour.md#paging-totals-and-consistency).
RESULT_WINDOW = 1000

__all__ = ["RESULT_WINDOW", "SearchPage", "UserSearch", "sort_users"]
