"""Compiled queries: each node can test one user (the scan) and narrow by the indexes.

``matches`` is the meaning of a query; ``candidates`` is only an accelerator. It returns a set
of user ids that is guaranteed to contain every match (``None`` when it cannot narrow), and
says whether the set is *exact*, in which case the engine may skip re-testing each candidate.
The Hypothesis property in ``tests/search`` holds the two paths to the same answer.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from typing import Any, Protocol

from ..users import User
from .fields import Field, Key, indexed, metadata_term_matches, metadata_values
from .glob import Glob

Candidates = tuple["set[str] | None", bool]
Postings = Mapping[Key, "str | dict[str, None]"]


class IndexView(Protocol):
    """What a plan may ask of the indexes: the postings (value -> user ids) of a root field,
    and its distinct values sorted (for prefix and range look-ups by bisection)."""

    def postings(self, field: str) -> Postings: ...

    def sorted_keys(self, field: str) -> list[Key]: ...


class Node:
    """A compiled query node."""

    def matches(self, user: User) -> bool:
        raise NotImplementedError

    def candidates(self, index: IndexView) -> Candidates:
        return None, False

    def select(self, users: Iterable[User]) -> list[User]:
        """The users that match, in their order: ``matches`` over many users at once, which
        scanning nodes (metadata) override with a tighter loop."""
        matches = self.matches
        return [user for user in users if matches(user)]


def _ids(holder: str | dict[str, None]) -> Iterable[str]:
    return (holder,) if isinstance(holder, str) else holder


def _gather(postings: Postings, accept: Callable[[Key], bool]) -> set[str]:
    found: set[str] = set()
    for key, holder in postings.items():
        if accept(key):
            if isinstance(holder, str):
                found.add(holder)
            else:
                found.update(holder)
    return found


def _gather_keys(postings: Postings, keys: list[Key]) -> set[str]:
    found: set[str] = set()
    for key in keys:
        holder = postings[key]
        if isinstance(holder, str):
            found.add(holder)
        else:
            found.update(holder)
    return found


@dataclass(frozen=True)
class MatchAll(Node):
    def matches(self, user: User) -> bool:
        return True


@dataclass(frozen=True)
class MatchNone(Node):
    """A term that can match nothing (e.g. ``logins_count:1.5``)."""

    def matches(self, user: User) -> bool:
        return False

    def candidates(self, index: IndexView) -> Candidates:
        return set(), True


@dataclass(frozen=True)
class Term(Node):
    field: Field
    key: Key

    def matches(self, user: User) -> bool:
        key = self.key
        return any(k == key and type(k) is type(key) for k in self.field.keys(user))

    def candidates(self, index: IndexView) -> Candidates:
        holder = index.postings(self.field.name).get(self.key)
        return (set() if holder is None else set(_ids(holder))), True


@dataclass(frozen=True)
class Range(Node):
    """``[low TO high]`` and its open and exclusive forms; also a date term's whole period."""

    field: Field
    low: Any
    high: Any
    include_low: bool
    include_high: bool

    def accept(self, key: Key) -> bool:
        # A field's keys all have the kind of its bounds (text, date string or number).
        low, high = self.low, self.high
        if low is not None and (key < low or (key == low and not self.include_low)):
            return False
        return not (high is not None and (key > high or (key == high and not self.include_high)))

    def matches(self, user: User) -> bool:
        return any(self.accept(k) for k in self.field.keys(user))

    def candidates(self, index: IndexView) -> Candidates:
        # The keys ``accept`` takes are one slice of the field's sorted keys (a field's keys
        # all have the kind of its bounds, so they are totally ordered).
        keys = index.sorted_keys(self.field.name)
        low, high = self.low, self.high
        from_low = bisect_left if self.include_low else bisect_right
        to_high = bisect_right if self.include_high else bisect_left
        start = 0 if low is None else from_low(keys, low)
        stop = len(keys) if high is None else to_high(keys, high)
        return _gather_keys(index.postings(self.field.name), keys[start:stop]), True


@dataclass(frozen=True)
class Wildcard(Node):
    field: Field
    pattern: Glob
    #: The literal prefix, when the pattern is just ``prefix*`` (a cheap startswith).
    prefix: str | None

    def accept(self, key: Key) -> bool:
        if not isinstance(key, str):
            return False
        if self.prefix is not None:
            return key.startswith(self.prefix)
        return self.pattern.fullmatch(key) is not None

    def matches(self, user: User) -> bool:
        return any(self.accept(k) for k in self.field.keys(user))

    def candidates(self, index: IndexView) -> Candidates:
        postings = index.postings(self.field.name)
        if self.prefix is not None:
            # Keys starting with the prefix sit side by side in sorted order: bisect to the
            # first, stop at the first that does not.
            prefix = self.prefix
            keys = index.sorted_keys(self.field.name)
            found: list[Key] = []
            for key in islice(keys, bisect_left(keys, prefix), None):
                if not key.startswith(prefix):  # type: ignore[union-attr]
                    break
                found.append(key)
            return _gather_keys(postings, found), True
        pieces = self.pattern.pieces
        if len(pieces) == 2 and not pieces[0]:  # *suffix, the usual "every @domain" query
            suffix = pieces[1]
            return _gather_keys(postings, [k for k in postings if k.endswith(suffix)]), True
        test = self.pattern.test
        return _gather_keys(postings, [k for k in postings if test(k)]), True


@dataclass(frozen=True)
class Exists(Node):
    field: Field

    def matches(self, user: User) -> bool:
        return bool(self.field.keys(user))  # keys are never None

    def candidates(self, index: IndexView) -> Candidates:
        return _gather(index.postings(self.field.name), lambda key: True), True


@dataclass(frozen=True)
class MetaTerm(Node):
    """``app_metadata.x:value``: metadata is scanned, never indexed (it is free-form)."""

    path: str
    term: str

    def matches(self, user: User) -> bool:
        root, _, rest = self.path.partition(".")
        if rest and "." not in rest:  # the common case, app_metadata.plan: one dict look-up
            value = (user.app_metadata if root == "app_metadata" else user.user_metadata).get(rest)
            if value is None:
                return False
            if not isinstance(value, (list, dict)):
                return metadata_term_matches(value, self.term)
        return any(metadata_term_matches(v, self.term) for v in metadata_values(user, self.path))

    def select(self, users: Iterable[User]) -> list[User]:
        # ``matches`` inlined for the common case (one level, a string value): a metadata
        # query scans every user, so this loop is the whole cost of it.
        root, _, rest = self.path.partition(".")
        if not rest or "." in rest:
            return super().select(users)
        get = attrgetter("app_metadata" if root == "app_metadata" else "user_metadata")
        term, matches = self.term, self.matches
        return [
            user
            for user in users
            if (value := get(user).get(rest)) is not None
            and (value == term if value.__class__ is str else matches(user))
        ]


@dataclass(frozen=True)
class MetaExists(Node):
    path: str

    def matches(self, user: User) -> bool:
        return any(indexed(v) for v in metadata_values(user, self.path))


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def matches(self, user: User) -> bool:
        return all(child.matches(user) for child in self.children)

    def select(self, users: Iterable[User]) -> list[User]:
        chosen = list(users)
        for child in self.children:
            chosen = child.select(chosen)
        return chosen

    def candidates(self, index: IndexView) -> Candidates:
        return _intersect([child.candidates(index) for child in self.children])


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def matches(self, user: User) -> bool:
        return any(child.matches(user) for child in self.children)

    def select(self, users: Iterable[User]) -> list[User]:
        users = list(users)
        return _keep(users, _union_of(self.children, users))

    def candidates(self, index: IndexView) -> Candidates:
        return _union([child.candidates(index) for child in self.children])


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def matches(self, user: User) -> bool:
        return not self.child.matches(user)

    def select(self, users: Iterable[User]) -> list[User]:
        users = list(users)
        excluded = {id(user) for user in self.child.select(users)}
        return [user for user in users if id(user) not in excluded]


@dataclass(frozen=True)
class Clauses(Node):
    """Lucene's boolean clauses for terms side by side (``a b -c +d``).

    ``+`` clauses must match, ``-`` clauses must not, the rest are optional unless there is no
    ``+`` clause, when at least one must match. A query of only ``-`` clauses matches everyone
    else, as Elasticsearch's query_string makes it.
    """

    must: tuple[Node, ...]
    should: tuple[Node, ...]
    must_not: tuple[Node, ...]

    def matches(self, user: User) -> bool:
        if not all(c.matches(user) for c in self.must):
            return False
        if any(c.matches(user) for c in self.must_not):
            return False
        if self.should and not self.must:
            return any(c.matches(user) for c in self.should)
        return True

    def select(self, users: Iterable[User]) -> list[User]:
        chosen = list(users)
        for clause in self.must:
            chosen = clause.select(chosen)
        if self.must_not:
            excluded = _union_of(self.must_not, chosen)
            chosen = [user for user in chosen if id(user) not in excluded]
        if self.should and not self.must:
            chosen = _keep(chosen, _union_of(self.should, chosen))
        return chosen

    def candidates(self, index: IndexView) -> Candidates:
        if self.must:
            found, exact = _intersect([c.candidates(index) for c in self.must])
        elif self.should:
            found, exact = _union([c.candidates(index) for c in self.should])
        else:
            return None, False
        return found, exact and not self.must_not


def _union_of(nodes: Iterable[Node], users: list[User]) -> set[int]:
    """``id()`` of every user (of ``users``, all alive) that one of ``nodes`` selects."""
    return {id(user) for node in nodes for user in node.select(users)}


def _keep(users: list[User], chosen: set[int]) -> list[User]:
    return [user for user in users if id(user) in chosen]


def _intersect(parts: list[Candidates]) -> Candidates:
    sets = [found for found, _ in parts if found is not None]
    if not sets:
        return None, False
    sets.sort(key=len)
    result = set(sets[0])
    for other in sets[1:]:
        result &= other
    return result, all(found is not None and exact for found, exact in parts)


def _union(parts: list[Candidates]) -> Candidates:
    result: set[str] = set()
    for found, _ in parts:
        if found is None:
            return None, False
        result |= found
    return result, all(exact for _, exact in parts)
