"""User search: Auth0's v3 Lucene query syntax over indexed users (and the legacy v2 engine)."""

from .index import SearchPage, UserSearch, sort_users

__all__ = ["SearchPage", "UserSearch", "sort_users"]
