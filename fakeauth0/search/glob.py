"""Wildcard terms (``*`` only) matched without a backtracking regex.

``re`` turns ``*aaa*a*a*a*z`` into nested ``.*`` groups whose failure on a long key costs
exponential time (a single query could hold a server thread for hours). A ``*``-only pattern
needs no backtracking: the literal pieces between stars are found left to right, each at its
first place after the previous one, which is linear in the key for each piece.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


class Glob:
    """A compiled ``*`` pattern with ``re``'s ``fullmatch`` interface (truthy or None)."""

    __slots__ = ("pieces", "test")

    def __init__(self, pattern: Sequence[str | None], fold: bool = False) -> None:
        """``pattern``: literal strings and ``None`` for each ``*``; ``fold`` lower-cases them."""
        pieces: list[str] = [""]
        for part in pattern:
            if part is None:
                pieces.append("")
            else:
                pieces[-1] += part.lower() if fold else part
        self.pieces = tuple(pieces)  # the literals around the stars: one more than the stars
        self.test = self._tester()

    def _tester(self) -> Callable[[str], bool]:
        """``fullmatch`` as a plain bool, by one string method for the common shapes
        (``*suffix``, ``prefix*``, ``*infix*``, ``a*b``): it runs once per distinct key."""
        pieces = self.pieces
        if len(pieces) == 1:
            return pieces[0].__eq__
        if len(pieces) == 2:
            first, last = pieces
            if not first:
                return lambda text: text.endswith(last)
            if not last:
                return lambda text: text.startswith(first)
            least = len(first) + len(last)
            return lambda text: (
                len(text) >= least and text.startswith(first) and text.endswith(last)
            )
        if len(pieces) == 3 and not pieces[0] and not pieces[2]:
            middle = pieces[1]
            return lambda text: middle in text
        return lambda text: self.fullmatch(text) is not None

    def fullmatch(self, text: str) -> bool | None:
        pieces = self.pieces
        if len(pieces) == 1:
            return True if text == pieces[0] else None
        first, last = pieces[0], pieces[-1]
        if len(text) < len(first) + len(last):
            return None
        if not (text.startswith(first) and text.endswith(last)):
            return None
        position, end = len(first), len(text) - len(last)
        for piece in pieces[1:-1]:
            found = text.find(piece, position, end)
            if found < 0:
                return None
            position = found + len(piece)
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Glob) and other.pieces == self.pieces

    def __hash__(self) -> int:
        return hash(self.pieces)

    def __repr__(self) -> str:
        return "Glob(" + "*".join(self.pieces) + ")"
