"""The search side of a tenant: value indexes over every root field, and eventual consistency.

:class:`UserSearch` listens to the tenant's :class:`~fakeauth0.users.UserDirectory`, so every
write reaches the indexes (after an optional simulated lag, as Auth0's search is eventually
consistent: docs/auth0-behaviour.md#paging-totals-and-consistency). With no lag a write is only
noted, and the next query indexes what was noted first (each user once, in creation order): a write
stays a dict store, and a suite that never searches never pays for indexes. A query runs as: compile
(cached) -> ask the plan for candidate ids from the indexes -> order them by creation -> re-test
them unless the plan says its candidates are exact -> sort -> page. With no usable index, it scans
(``Node.select``).

At 100k users the costs that matter are: a write re-reads only what changed (prebuilt per-field
extractors, old and new keys diffed); exact candidates without ``sort`` put only the requested
page in order (their count is the total); prefix wildcards and ranges bisect a sorted list of
the field's distinct keys, built on a field's first such query and kept current by writes.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
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


#: The longest simulated search lag (a day, on the tenant's clock).
MAX_LAG = 86_400.0


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
        #: Writes heard but not yet indexed (with no lag): user id -> its latest record (None
        #: once removed), in the order the users were (last) created. The next query indexes
        #: them, so a write costs a dict store and a burst of writes to one user is indexed
        #: once; a test that never searches never pays for the indexes.
        self._dirty: dict[str, User | None] = {}
        #: Ids removed and created again while unindexed: they go to the end of creation order.
        self._reborn: set[str] = set()
        #: (name, postings, extractor) per field, bound once for :meth:`_apply`.
        self._writers = [(f.name, self._postings[f.name], f.keys) for f in _FIELD_LIST]
        #: Sorted distinct keys of the fields a prefix or range query has asked for (built on
        #: first use, so fields never queried that way cost no memory), kept current by writes.
        self._sorted: dict[str, SortedKeys] = {}
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
        if not 0 <= float(seconds) <= MAX_LAG:
            raise ValueError(f"search lag must be between 0 and {MAX_LAG:g} seconds")
        self._lag = float(seconds)
        if not self._lag:
            self.catch_up(everything=True)

    def catch_up(self, *, everything: bool = False) -> None:
        """Index the writes whose lag has passed (all of them with ``everything``)."""
        if self._dirty:
            self._index_dirty()
        pending = self._pending
        if not pending:
            return
        now = self.clock.time()
        while pending and (everything or pending[0][0] <= now):
            _, user_id, user = pending.popleft()
            self._apply(user_id, user)

    def _heard(self, user_id: str, old: User | None, new: User | None) -> None:
        if self._lag or self._pending:
            if self._dirty:
                self._index_dirty()
            self._pending.append((self.clock.time() + self._lag, user_id, new))
            return
        dirty = self._dirty
        if old is None:  # a creation: it takes its place at the end of creation order
            if user_id in self._visible:
                self._reborn.add(user_id)
            dirty.pop(user_id, None)
        dirty[user_id] = new

    def _index_dirty(self) -> None:
        """Index what :meth:`_heard` noted, in creation order (what ``_apply`` of each write
        as it came would have left, each user indexed once)."""
        dirty, reborn = self._dirty, self._reborn
        self._dirty = {}
        self._reborn = set()
        for user_id, user in dirty.items():
            if user_id in reborn:
                self._apply(user_id, None)
            self._apply(user_id, user)

    def _apply(self, user_id: str, user: User | None) -> None:
        # The hot write path (every create, update, link): each field's keys are read once per
        # record version with the field's prebuilt extractor, and an update touches only the
        # fields whose keys changed (a link changes a handful of the twenty).
        visible = self._visible
        old = visible.get(user_id)
        if user is None:
            if old is not None:
                for name, postings, keys in self._writers:
                    for key in keys(old):
                        if _unpost(postings, key, user_id) and self._sorted:
                            self._sorted_changed(name, key, False)
                del visible[user_id]
                self._seq.pop(user_id, None)
            return
        if old is not None and old is not user:
            visible[user_id] = user
            for name, postings, keys in self._writers:
                before, after = keys(old), keys(user)
                if before == after:
                    continue
                for key in before:
                    if key not in after and _unpost(postings, key, user_id) and self._sorted:
                        self._sorted_changed(name, key, False)
                for key in after:
                    if key not in before and _post(postings, key, user_id) and self._sorted:
                        self._sorted_changed(name, key, True)
            return
        if old is None:
            self._seq[user_id] = self._next_seq
            self._next_seq += 1
        else:  # changed in place and put again: its old keys are gone with the old values
            self._suspect = True
        visible[user_id] = user
        tracked = self._sorted
        for name, postings, keys in self._writers:
            for key in keys(user):
                holder = postings.get(key)  # _post, inlined: this loop is most of a create
                if holder is None:
                    postings[key] = user_id
                    if tracked and name in tracked:
                        tracked[name].changed(key, True)
                elif holder.__class__ is str:
                    if holder != user_id:
                        postings[key] = {holder: None, user_id: None}  # type: ignore[dict-item]
                else:
                    holder[user_id] = None  # type: ignore[index]

    def _sorted_changed(self, name: str, key: Key, added: bool) -> None:
        found = self._sorted.get(name)
        if found is not None:
            found.changed(key, added)

    # -- queries -------------------------------------------------------------------------------

    def postings(self, field: str) -> Postings:
        return self._postings.get(field, _EMPTY)

    def sorted_keys(self, field: str) -> list[Key]:
        """The distinct keys of ``field``, sorted: prefix and range queries bisect them."""
        found = self._sorted.get(field)
        if found is None:
            found = self._sorted[field] = SortedKeys(self._postings.get(field, _EMPTY))
        return found.current()

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
        return self._matching(plan, found, exact and not self._suspect)

    def _matching(self, plan: Node, found: set[str] | None, exact: bool) -> list[User]:
        if found is None:
            return plan.select(self._visible.values())
        users = self._in_order(found, 0, len(found))
        return users if exact else plan.select(users)

    def _in_order(self, found: set[str], start: int, count: int) -> list[User]:
        """Users ``start .. start+count`` of ``found`` in creation order (postings hold only
        visible ids, so without ``_suspect`` every id in ``found`` is visible)."""
        visible = self._visible
        if count <= 0 or start >= len(found):
            return []
        if len(found) * _DENSE > len(visible):
            # Dense: walk creation order, stopping once the page is full (a query matching
            # everyone costs one page, not one pass over every user).
            users: list[User] = []
            skip = start
            for uid, user in visible.items():
                if uid in found:
                    if skip:
                        skip -= 1
                        continue
                    users.append(user)
                    if len(users) == count:
                        break
            return users
        ids = sorted(found, key=self._seq.__getitem__)
        return [visible[uid] for uid in ids[start : start + count]]

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
        start = page * per_page
        if sort:
            users = sort_users(self.find(q, engine), sort)
            return SearchPage(users[start : start + per_page], len(users), start, per_page)
        plan = compile_query(q, engine)
        self.catch_up()
        visible = self._visible
        if isinstance(plan, MatchAll):
            users = list(islice(visible.values(), start, start + per_page))
            return SearchPage(users, len(visible), start, per_page)
        found, exact = plan.candidates(self)
        if found is not None and exact and not self._suspect:
            # Exact candidates are the answer: the total is their count, and only the page
            # is put in order.
            return SearchPage(self._in_order(found, start, per_page), len(found), start, per_page)
        users = self._matching(plan, found, False)
        return SearchPage(users[start : start + per_page], len(users), start, per_page)


def compile_query(q: str | None, engine: str = "v3") -> Node:
    if engine == "v2":
        return compile_v2(q or "")
    return compile_v3(q or "")


class SortedKeys:
    """One field's distinct keys in order, for bisecting.

    Writes only note which keys appeared or vanished (a set add, so a create stays cheap);
    the next query folds the notes in: a few by ``insort``, many by one merge sort (the list
    is already sorted, so timsort merges it in linear time).
    """

    __slots__ = ("_added", "_keys", "_removed")

    def __init__(self, postings: Postings) -> None:
        self._keys: list[Key] = sorted(postings)
        self._added: set[Key] = set()
        self._removed: set[Key] = set()

    def changed(self, key: Key, added: bool) -> None:
        if added:
            if key in self._removed:
                self._removed.discard(key)  # still in the list
            else:
                self._added.add(key)
        elif key in self._added:
            self._added.discard(key)  # never made it into the list
        else:
            self._removed.add(key)

    def current(self) -> list[Key]:
        added, removed, keys = self._added, self._removed, self._keys
        if not (added or removed):
            return keys
        if len(added) + len(removed) <= _FEW_CHANGES:
            for key in removed:
                del keys[bisect_left(keys, key)]
            for key in added:
                insort(keys, key)
        else:
            if removed:
                keys = [key for key in keys if key not in removed]
            keys.extend(added)
            keys.sort()
            self._keys = keys
        added.clear()
        removed.clear()
        return keys


#: Up to this many noted changes are folded into a sorted list one by one; more, by a sort.
_FEW_CHANGES = 32


def _post(postings: dict[Key, str | dict[str, None]], key: Key, user_id: str) -> bool:
    """Add ``user_id`` under ``key``; True when ``key`` is new to the field."""
    # One holder is kept as the bare id: most values (e-mails, ids) belong to a single user.
    holder = postings.get(key)
    if holder is None:
        postings[key] = user_id
        return True
    elif isinstance(holder, str):
        if holder != user_id:
            postings[key] = {holder: None, user_id: None}
    else:
        holder[user_id] = None
    return False


def _unpost(postings: dict[Key, str | dict[str, None]], key: Key, user_id: str) -> bool:
    """Take ``user_id`` from ``key``; True when ``key`` left the field."""
    holder = postings.get(key)
    if holder is None:
        return False
    if isinstance(holder, str):
        if holder == user_id:
            del postings[key]
            return True
        return False
    holder.pop(user_id, None)
    if len(holder) == 1:
        postings[key] = next(iter(holder))
    return False


# -- sorting -------------------------------------------------------------------------------------

_ATTRIBUTES = ("user_id", "created_at", "updated_at", "last_login", "last_ip", "logins_count")


def sort_users(users: Iterable[User], sort: str) -> list[User]:
    """``sort=field:1|-1`` on root attributes; users lacking the field come last, ties keep
    creation order. Metadata cannot be sorted on
    (docs/auth0-behaviour.md#paging-totals-and-consistency)."""
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
