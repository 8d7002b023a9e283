"""The legacy v2 engine, for tenants created before June 2018
(docs/auth0-behaviour.md#the-legacy-v2-engine).

v2 differed from v3 in a few leaves only: text fields were analyzed (split into lower-cased
words, so ``name:jane`` found "Jane-Doe"), each had an exact ``.raw`` twin (as the classic
"link accounts with the same e-mail" rule uses: ``email.raw:"..."``), ``logins_count:>100``
comparisons and ``~`` fuzziness were allowed. Everything else is v3's compiler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from luqum import tree

from ..users import User
from .fields import DATE, INT, TEXT, Field, field_named
from .glob import Glob
from .plan import Candidates, IndexView, MatchNone, Node, Range, Term, Wildcard
from .query import Compiler, Pattern, invalid, unsupported

#: Fields v2 analyzed, each with a ``.raw`` exact twin
#: (https://github.com/auth0/docs/blob/master/articles/users/search/v2/index.md).
ANALYZED = frozenset(
    {
        "identities.connection",
        "identities.provider",
        "identities.user_id",
        "email",
        "phone_number",
        "family_name",
        "given_name",
        "username",
        "name",
        "nickname",
    }
)
_WORD = re.compile(r"\w+(?:[.'\u2019]\w+)*")


def tokens(text: str) -> list[str]:
    """Roughly Elasticsearch's standard analyzer: words, lower-cased, punctuation dropped."""
    return _WORD.findall(text.lower())


def _raw_values(field: Field, user: User) -> list[str]:
    return [str(v) for v in field.read(user) if v is not None and not isinstance(v, (dict, list))]


@dataclass(frozen=True)
class TokenPhrase(Node):
    """An analyzed match: the query's words appear in the value, side by side and in order."""

    field: Field
    words: tuple[str, ...]

    def matches(self, user: User) -> bool:
        width = len(self.words)
        for value in _raw_values(self.field, user):
            found = tokens(value)
            if any(tuple(found[i : i + width]) == self.words for i in range(len(found))):
                return True
        return False


@dataclass(frozen=True)
class TokenWildcard(Node):
    field: Field
    pattern: Glob

    def matches(self, user: User) -> bool:
        return any(
            self.pattern.fullmatch(word)
            for value in _raw_values(self.field, user)
            for word in tokens(value)
        )


@dataclass(frozen=True)
class TokenFuzzy(Node):
    field: Field
    word: str
    edits: int

    def matches(self, user: User) -> bool:
        return any(
            _distance(self.word, word) <= self.edits
            for value in _raw_values(self.field, user)
            for word in tokens(value)
        )


@dataclass(frozen=True)
class RawTerm(Term):
    """``field.raw:"value"``: exact and case-sensitive. The v3 index (folded) narrows."""

    def matches(self, user: User) -> bool:
        return self.key in _raw_values(self.field, user)

    def candidates(self, index: IndexView) -> Candidates:
        base = field_named(self.field.name[: -len(".raw")])
        key = str(self.key).lower() if base.folded else self.key
        holder = index.postings(base.name).get(key)
        if holder is None:
            return set(), True
        return ({holder} if isinstance(holder, str) else set(holder)), False


@dataclass(frozen=True)
class RawWildcard(Wildcard):
    def matches(self, user: User) -> bool:
        return any(self.accept(v) for v in _raw_values(self.field, user))

    def candidates(self, index: IndexView) -> Candidates:
        return None, False


class V2Compiler(Compiler):
    engine = "v2"

    def root_field(self, name: str) -> Field:
        if name.endswith(".raw") and name[: -len(".raw")] in ANALYZED:
            base = field_named(name[: -len(".raw")])
            return replace(base, name=name, folded=False)
        return field_named(name)

    def field_leaf(self, field: Field, pattern: Pattern, shown: str) -> Node:
        text = "".join(p for p in pattern if p is not None)
        if field.name.endswith(".raw"):
            if None in pattern:
                return RawWildcard(field, Glob(pattern), None)
            return RawTerm(field, text)
        if field.name not in ANALYZED:
            return super().field_leaf(field, pattern, shown)
        if None in pattern:
            return TokenWildcard(field, Glob(pattern, fold=True))
        words = tuple(tokens(text))
        return TokenPhrase(field, words) if words else MatchNone()

    def half_range(self, item: tree.From | tree.To, name: str | None) -> Node:
        """v2's ``logins_count:>100`` / ``>=`` / ``<`` / ``<=``."""
        field = self.range_field(name, str(item))
        if field.kind not in (INT, DATE, TEXT):
            raise invalid(f"Invalid query: cannot compare {name}")
        bound = item.a
        if isinstance(item, tree.From):
            low = self.bound(field, bound, upper=False, inclusive=item.include)
            return Range(field, low[0], None, low[1], True)
        high = self.bound(field, bound, upper=True, inclusive=item.include)
        return Range(field, None, high[0], True, high[1])

    def fuzzy(self, item: tree.Fuzzy, name: str | None) -> Node:
        if name is None or not isinstance(item.term, tree.Word):
            raise unsupported("fuzzy searches without a field")
        field = self.root_field(name)
        if field.name not in ANALYZED:
            raise unsupported(f"fuzzy searches on {name}")
        word = tokens(item.term.value)
        if len(word) != 1:
            raise unsupported("fuzzy searches on several words")
        degree = float(item.degree)
        # Lucene: a degree below 1 is the old similarity form; treat it as AUTO fuzziness.
        edits = (
            int(degree)
            if degree >= 1
            else (0 if len(word[0]) <= 2 else 1 if len(word[0]) <= 5 else 2)
        )
        return TokenFuzzy(field, word[0], min(edits, 2))


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_V2 = V2Compiler()


@lru_cache(maxsize=256)
def compile_v2(text: str) -> Node:
    return _V2.compile(text)
