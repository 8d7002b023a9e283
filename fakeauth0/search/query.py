"""Auth0's v3 query string -> a plan (:mod:`.plan`), parsed by luqum, a real Lucene parser.

Operators follow the precedence luqum gives them (``NOT`` over ``AND`` over ``OR``); terms side
by side without an operator are Lucene clauses (``a b`` is either, ``-a`` excludes, ``+a``
requires). Choices where Auth0 is silent are in CHOICES.md. Anything Auth0 refuses is a 400
``invalid_query_string``; anything we do not model is a 501 naming it, never a wrong answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser

from ..errors import Auth0Error, Msg
from .fields import (
    BOOL,
    DATE,
    DEFAULT_FIELDS,
    FIELDS,
    INT,
    TEXT,
    Field,
    date_period,
    field_named,
    is_metadata,
    parse_number,
)
from .glob import Glob
from .plan import (
    And,
    Clauses,
    Exists,
    MatchAll,
    MatchNone,
    MetaExists,
    MetaTerm,
    Node,
    Not,
    Or,
    Range,
    Term,
    Wildcard,
)

#: A parsed term: literal pieces and ``None`` for each unescaped ``*``.
Pattern = list["str | None"]
_MIN_LEADING_WILDCARD_LITERALS = 3
#: Groups and operators nested deeper than this are refused: a query such as "((((...a))))" or
#: "NOT NOT ... a" would otherwise exhaust Python's recursion limit (a 500, not Auth0's 400).
MAX_QUERY_DEPTH = 100
#: Elasticsearch's default ``max_clause_count``, the index Auth0's search runs on
#: (docs/auth0-behaviour.md#query-syntax).
MAX_QUERY_TERMS = 1024
_OPERATORS = frozenset({"AND", "OR", "NOT", "&&", "||", "TO"})


def invalid(message: str) -> Auth0Error:
    return Auth0Error.invalid_query(message)


def unsupported(construct: str) -> Auth0Error:
    return Auth0Error(501, Msg.SEARCH_UNSUPPORTED.format(construct=construct), "not_implemented")


class Compiler:
    """v3 semantics. :class:`~.engine_v2.V2Compiler` overrides the leaves that v2 did apart."""

    engine = "v3"

    def compile(self, text: str) -> Node:
        if not text.strip():
            return MatchAll()
        words = text.split()
        if len(words) > MAX_QUERY_TERMS and (
            sum(w not in _OPERATORS for w in words) > MAX_QUERY_TERMS
        ):  # luqum's parser takes quadratic time in the number of terms
            raise invalid(Msg.SEARCH_TOO_MANY_TERMS.format(limit=MAX_QUERY_TERMS))
        try:
            parsed = parser.parse(text)
        except ParseError as error:
            raise invalid(Msg.SEARCH_SYNTAX.format(detail=str(error).rstrip("!. "))) from None
        except RecursionError:
            raise invalid(Msg.SEARCH_TOO_DEEP.format(depth=MAX_QUERY_DEPTH)) from None
        except Exception as error:  # luqum's lexer raises plain errors on stray characters
            raise invalid(Msg.SEARCH_SYNTAX.format(detail=str(error).rstrip("!. "))) from None
        if _depth(parsed) > MAX_QUERY_DEPTH:  # compiling and matching recurse once per level
            raise invalid(Msg.SEARCH_TOO_DEEP.format(depth=MAX_QUERY_DEPTH))
        return self.node(parsed, None)

    # -- structure ---------------------------------------------------------------------------

    def node(self, item: tree.Item, field: str | None) -> Node:
        if isinstance(item, tree.SearchField):
            return self.search_field(item, field)
        if isinstance(item, (tree.Group, tree.FieldGroup)):
            return self.node(item.expr, field)
        if isinstance(item, tree.AndOperation):
            return And(tuple(self.node(c, field) for c in item.children))
        if isinstance(item, tree.OrOperation):
            return Or(tuple(self.node(c, field) for c in item.children))
        if isinstance(item, tree.UnknownOperation):
            return self.clauses(item, field)
        if isinstance(item, (tree.Not, tree.Prohibit)):
            return Not(self.node(item.a, field))
        if isinstance(item, tree.Plus):
            return self.node(item.a, field)
        if isinstance(item, tree.Boost):
            # A boost only weighs relevance; it never changes which users match.
            return self.node(item.expr, field)
        if isinstance(item, tree.Word):
            return self.word(item.value, field)
        if isinstance(item, tree.Phrase):
            return self.phrase(_unescape(item.value[1:-1]), field)
        if isinstance(item, tree.Range):
            return self.range(item, field)
        if isinstance(item, (tree.From, tree.To)):
            return self.half_range(item, field)
        if isinstance(item, tree.Fuzzy):
            return self.fuzzy(item, field)
        if isinstance(item, tree.Proximity):
            raise unsupported('proximity searches ("..."~N)')
        if isinstance(item, tree.Regex):
            raise unsupported("regular expressions (/.../)")
        raise unsupported(type(item).__name__)

    def clauses(self, item: tree.UnknownOperation, field: str | None) -> Node:
        must: list[Node] = []
        should: list[Node] = []
        must_not: list[Node] = []
        for child in item.children:
            if isinstance(child, (tree.Not, tree.Prohibit)):
                must_not.append(self.node(child.a, field))
            elif isinstance(child, tree.Plus):
                must.append(self.node(child.a, field))
            else:
                should.append(self.node(child, field))
        return Clauses(tuple(must), tuple(should), tuple(must_not))

    def search_field(self, item: tree.SearchField, outer: str | None) -> Node:
        if outer is not None:
            raise invalid(Msg.SEARCH_NESTED_FIELD.format(field=item.name, outer=outer))
        name = _unescape(item.name)
        if name == "_exists_":
            return self.exists(item.expr)
        if name == "*":
            if isinstance(item.expr, tree.Word) and item.expr.value == "*":
                return MatchAll()
            raise unsupported("searching every field with '*:'")
        return self.node(item.expr, name)

    def exists(self, expr: tree.Item) -> Node:
        if not isinstance(expr, (tree.Word, tree.Phrase)):
            raise invalid(Msg.SEARCH_EXISTS_FIELD.format(expr=str(expr)))
        name = expr.value[1:-1] if isinstance(expr, tree.Phrase) else _unescape(expr.value)
        if is_metadata(name):
            return MetaExists(name)
        return Exists(self.root_field(name))

    def root_field(self, name: str) -> Field:
        if name.endswith(".raw"):
            raise invalid(Msg.SEARCH_RAW_V3.format(field=name, base=name[: -len(".raw")]))
        return field_named(name)

    # -- leaves --------------------------------------------------------------------------------

    def word(self, raw: str, field: str | None) -> Node:
        if field is None and raw == "*":
            return MatchAll()
        return self.leaf(field, _pattern(raw), raw)

    def phrase(self, text: str, field: str | None) -> Node:
        return self.leaf(field, [text], f'"{text}"')

    def leaf(self, name: str | None, pattern: Pattern, shown: str) -> Node:
        if name is None:
            # A term without a field searches the root text fields, never metadata
            # (docs/auth0-behaviour.md#query-syntax).
            return Or(tuple(self.field_leaf(f, pattern, shown) for f in DEFAULT_FIELDS))
        if is_metadata(name):
            if None in pattern:
                raise invalid(Msg.SEARCH_WILDCARD_METADATA.format(field=name, term=shown))
            return MetaTerm(name, "".join(p for p in pattern if p is not None))
        return self.field_leaf(self.root_field(name), pattern, shown)

    def field_leaf(self, field: Field, pattern: Pattern, shown: str) -> Node:
        if None in pattern:
            return self.wildcard(field, pattern, shown)
        text = "".join(p for p in pattern if p is not None)
        if field.kind == TEXT:
            return Term(field, text.lower() if field.folded else text)
        if field.kind == BOOL:
            if text not in ("true", "false"):
                raise invalid(
                    Msg.SEARCH_BAD_VALUE.format(value=text, kind="boolean", field=field.name)
                )
            return Term(field, text == "true")
        if field.kind == INT:
            number = _number(field, text)
            if isinstance(number, float) and not number.is_integer():
                return MatchNone()
            return Term(field, int(number))
        start, end = _period(field, text)
        return Range(field, start, end, True, False)

    def wildcard(self, field: Field, pattern: Pattern, shown: str) -> Node:
        if field.kind != TEXT:
            raise invalid(Msg.SEARCH_WILDCARD_KIND.format(field=field.name, term=shown))
        literals = sum(len(p) for p in pattern if p is not None)
        if pattern[0] is None and literals < _MIN_LEADING_WILDCARD_LITERALS:
            raise invalid(Msg.SEARCH_WILDCARD_SHORT.format(field=field.name, term=shown))
        if field.folded:
            pattern = [p.lower() if p is not None else None for p in pattern]
        regex = Glob(pattern)  # never re: ".*a.*a.*z" backtracks exponentially on long keys
        prefix = None
        if pattern[-1] is None and None not in pattern[:-1]:
            prefix = "".join(p for p in pattern[:-1] if p is not None)
        return Wildcard(field, regex, prefix)

    def range(self, item: tree.Range, name: str | None) -> Node:
        field = self.range_field(name, str(item))
        low = self.bound(field, item.low, upper=False, inclusive=item.include_low)
        high = self.bound(field, item.high, upper=True, inclusive=item.include_high)
        return Range(field, low[0], high[0], low[1], high[1])

    def range_field(self, name: str | None, shown: str) -> Field:
        if name is None:
            raise invalid(Msg.SEARCH_RANGE_NO_FIELD.format(range=shown))
        if is_metadata(name):
            raise invalid(Msg.SEARCH_RANGE_METADATA.format(field=name))
        field = self.root_field(name)
        if field.kind == BOOL:
            raise invalid(Msg.SEARCH_RANGE_KIND.format(field=name))
        return field

    def bound(
        self, field: Field, item: tree.Item, *, upper: bool, inclusive: bool
    ) -> tuple[object, bool]:
        """One end of a range as (key, inclusive); ``*`` is open. Partial dates widen."""
        if isinstance(item, tree.Word) and item.value == "*":
            return None, True
        if isinstance(item, tree.Phrase):
            text = _unescape(item.value[1:-1])
        elif isinstance(item, tree.Word):
            text = _unescape(item.value)
        else:
            raise invalid(Msg.SEARCH_SYNTAX.format(detail=f"bad range bound {item}"))
        if field.kind == INT:
            return _number(field, text), inclusive
        if field.kind == DATE:
            start, end = _period(field, text)
            # [2017-12 TO ...: from the period's start; ...TO 2017-12]: to its end;
            # {2017-12 TO ...: after its end; ...TO 2017-12}: before its start.
            if upper:
                return (end, False) if inclusive else (start, False)
            return (start, True) if inclusive else (end, True)
        return (text.lower() if field.folded else text), inclusive

    def half_range(self, item: tree.From | tree.To, name: str | None) -> Node:
        raise invalid(Msg.SEARCH_V2_COMPARISON.format(query=f"{name or ''}:{item}"))

    def fuzzy(self, item: tree.Fuzzy, name: str | None) -> Node:
        raise unsupported("fuzzy searches (~)")


def _number(field: Field, text: str) -> int | float:
    number = parse_number(text)
    if number is None:
        raise invalid(Msg.SEARCH_BAD_VALUE.format(value=text, kind="number", field=field.name))
    return number


def _period(field: Field, text: str) -> tuple[str, str]:
    period = date_period(text)
    if period is None:
        raise invalid(Msg.SEARCH_BAD_VALUE.format(value=text, kind="date", field=field.name))
    return period


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _pattern(raw: str) -> Pattern:
    """Split a term into literals and ``*`` wildcards; ``\\`` escapes; ``?`` is refused
    (docs/auth0-behaviour.md#query-syntax)."""
    pieces: Pattern = []
    literal: list[str] = []
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            literal.append(next(chars, "\\"))
        elif char == "*":
            if literal:
                pieces.append("".join(literal))
                literal = []
            if not pieces or pieces[-1] is not None:
                pieces.append(None)
        elif char == "?":
            raise invalid(Msg.SEARCH_WILDCARD_QUESTION.format(term=raw))
        else:
            literal.append(char)
    if literal or not pieces:
        pieces.append("".join(literal))
    return pieces


def _depth(item: tree.Item) -> int:
    """How deeply the parsed query nests, counted without recursion."""
    deepest, stack = 0, [(item, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_QUERY_DEPTH:
            break
        stack.extend((child, level + 1) for child in node.children)
    return deepest


_V3 = Compiler()

#: ``field:"value"`` or ``field:value``, the shape of nearly every query (a look-up by e-mail
#: or id), restricted to characters luqum reads as one plain phrase or word: no escapes,
#: wildcards, spaces, operators or brackets. Anything else goes through luqum.
_SIMPLE = re.compile(r'([a-z_]+(?:\.[a-z_]+)?):(?:"([^"\\\s*?]+)"|([A-Za-z0-9@._]+))')
_TEXT_FIELDS = {name: f for name, f in FIELDS.items() if f.kind == TEXT}


def fast_plan(text: str) -> Node | None:
    """The plan of a simple term on a root text field without parsing it; None when the
    query is not that simple. Gives exactly what :meth:`Compiler.compile` gives (a Hypothesis
    property in tests/search holds the two together)."""
    match = _SIMPLE.fullmatch(text)
    if match is None:
        return None
    name, phrase, word = match.groups()
    field = _TEXT_FIELDS.get(name)
    if field is None or (word is not None and word in _OPERATORS):
        return None
    value = phrase if phrase is not None else word
    return Term(field, value.lower() if field.folded else value)


@lru_cache(maxsize=512)
def compile_v3(text: str) -> Node:
    """A cached plan: plans are immutable, and tests repeat the same few queries. A new
    e-mail or id each call misses the cache, so the simple shape skips luqum (~25 us)."""
    plan = fast_plan(text)
    return plan if plan is not None else _V3.compile(text)
