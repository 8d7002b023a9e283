"""The search side of a tenant: value indexes over every root field, and eventual consistency.

:class:`UserSearch` listens to the tenant's :class:`~fakeauth0.users.UserDirectory`, so every
write reaches the indexes (after an optional simulated lag, as Auth0's search is eventually
consistent: behaviour.md §5.2). A query runs as: compile (cached) -> ask the plan for
candidate ids from the indexes -> order them by creation -> re-test them unless the plan says
its candidates are exact -> sort -> page. With no usable index, it scans.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..errors import Msg
from ..users import User, UserDirectory
from .engine_v2 import compile_v2
from .fields import FIELDS, Key
from .plan import MatchAll, Node, Postings
from .query import compile_v3, invalid

_FIELD_LIST = tuple(FIELDS.values())
_EMPTY: dict[Key, Any] = {}
#: Above this share of all users, filter in creation order instead of sorting the ids.
_DENSE = 16


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the numbers ``include_totals`` reports."""

    users: list[User]
    total: int
    start: int
    limit: int


class UserSearch:
    """Indexes over one user directory, kept current by its ``listeners`` hook."""

    def __init__(self, directory: UserDirectory, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock
        self._lag = 0.0
        #: What search sees: user id -> the record as last indexed, in creation order.
        self._visible: dict[str, User] = {}
        self._seq: dict[str, int] = {}
        self._next_seq = 0
        #: Set when a record was changed in place and put again: its old keys are unknown, so
        #: postings may hold stale ids and every answer is re-tested (still right, slower).
        self._suspect = False
        self._postings: dict[str, dict[Key, str | dict[str, None]]] = {f: {} for f in FIELDS}
        self._pending: deque[tuple[float, str, User | None]] = deque()
        for user in directory:
            self._apply(user.user_id, user)
        directory.listeners.append(self._heard)

    # -- consistency ---------------------------------------------------------------------------

    @property
    def lag(self) -> float:
        """Seconds (on the tenant clock) before a write shows in search; 0 means at once."""
        return self._lag

    @lag.setter
    def lag(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("search lag cannot be negative")
        self._lag = float(seconds)
        if not self._lag:
            self.catch_up(everything=True)

    def catch_up(self, *, everything: bool = False) -> None:
        """Index the writes whose lag has passed (all of them with ``everything``)."""
        now = self.clock.time()
        pending = self._pending
        while pending and (everything or pending[0][0] <= now):
            _, user_id, user = pending.popleft()
            self._apply(user_id, user)

    def _heard(self, user_id: str, old: User | None, new: User | None) -> None:
        if self._lag or self._pending:
            self._pending.append((self.clock.time() + self._lag, user_id, new))
        else:
            self._apply(user_id, new)

    def _apply(self, user_id: str, user: User | None) -> None:
        old = self._visible.get(user_id)
        if old is not None:
            if old is user:
                self._suspect = True
            else:
                for field in _FIELD_LIST:
                    postings = self._postings[field.name]
                    for key in field.keys(old):
                        _unpost(postings, key, user_id)
        if user is None:
            self._visible.pop(user_id, None)
            self._seq.pop(user_id, None)
            return
        if user_id not in self._seq:
            self._seq[user_id] = self._next_seq
            self._next_seq += 1
        self._visible[user_id] = user
        for field in _FIELD_LIST:
            postings = self._postings[field.name]
            for key in field.keys(user):
                _post(postings, key, user_id)

    # -- queries -------------------------------------------------------------------------------

    def postings(self, field: str) -> Postings:
        return self._postings.get(field, _EMPTY)

    def visible(self) -> list[User]:
        """Every user search can see, in creation order."""
        self.catch_up()
        return list(self._visible.values())

    def find(self, q: str | None, engine: str = "v3") -> list[User]:
        """Every user matching ``q``, in creation order, using the indexes where they help."""
        plan = compile_query(q, engine)
        self.catch_up()
        if isinstance(plan, MatchAll):
            return list(self._visible.values())
        found, exact = plan.candidates(self)
        exact = exact and not self._suspect
        if found is None:
            return [u for u in self._visible.values() if plan.matches(u)]
        visible = self._visible
        if len(found) * _DENSE > len(visible):
            users = [u for uid, u in visible.items() if uid in found]
        else:
            users = [visible[uid] for uid in sorted(found, key=self._seq.__getitem__)]
        return users if exact else [u for u in users if plan.matches(u)]

    def scan(self, q: str | None, engine: str = "v3") -> list[User]:
        """The same query by a plain scan, no index: the reference the property tests hold."""
        plan = compile_query(q, engine)
        self.catch_up()
        return [u for u in self._visible.values() if plan.matches(u)]

    def search(
        self,
        q: str | None = None,
        *,
        engine: str = "v3",
        sort: str | None = None,
        page: int = 0,
        per_page: int = 50,
    ) -> SearchPage:
        users = self.find(q, engine)
        if sort:
            users = sort_users(users, sort)
        start = page * per_page
        return SearchPage(users[start : start + per_page], len(users), start, per_page)


def compile_query(q: str | None, engine: str = "v3") -> Node:
    if engine == "v2":
        return compile_v2(q or "")
    return compile_v3(q or "")


def _post(postings: dict[Key, str | dict[str, None]], key: Key, user_id: str) -> None:
    # One holder is kept as the bare id: most values (e-mails, ids) belong to a single user.
    holder = postings.get(key)
    if holder is None:
        postings[key] = user_id
    elif isinstance(holder, str):
        if holder != user_id:
            postings[key] = {holder: None, user_id: None}
    else:
        holder[user_id] = None


def _unpost(postings: dict[Key, str | dict[str, None]], key: Key, user_id: str) -> None:
    holder = postings.get(key)
    if holder is None:
        return
    if isinstance(holder, str):
        if holder == user_id:
            del postings[key]
        return
    holder.pop(user_id, None)
    if len(holder) == 1:
        postings[key] = next(iter(holder))


# -- sorting -------------------------------------------------------------------------------------

_ATTRIBUTES = ("user_id", "created_at", "updated_at", "last_login", "last_ip", "logins_count")


def sort_users(users: Iterable[User], sort: str) -> list[User]:
    """``sort=field:1|-1`` on root attributes; users lacking the field come last, ties keep
    creation order. Metadata cannot be sorted on (behaviour.md §5.2)."""
    field, _, order = sort.partition(":")
    if (
        order not in ("1", "-1")
        or not field
        or field.split(".")[0]
        in (
            "app_metadata",
            "user_metadata",
        )
    ):
        raise invalid(Msg.SEARCH_BAD_SORT.format(sort=sort))
    present: list[tuple[tuple[int, Any], User]] = []
    absent: list[User] = []
    for user in users:
        value = _sort_value(user, field)
        if value is None:
            absent.append(user)
        else:
            present.append((_sort_key(value), user))
    present.sort(key=lambda pair: pair[0], reverse=order == "-1")
    return [user for _, user in present] + absent


def _sort_value(user: User, field: str) -> Any:
    if field in _ATTRIBUTES:
        return getattr(user, field)
    if field == "identities":
        return None
    return user.profile.get(field)


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value).lower())
