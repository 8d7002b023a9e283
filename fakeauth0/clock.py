"""A controllable clock: it drives ``created_at``, token ``iat``/``exp`` and their verification."""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone


class Clock:
    """Wall-clock time that a test can freeze, move and release.

    While running it follows ``time.time()`` plus an offset, so ``advance`` also works unfrozen.
    """

    def __init__(self, frozen_at: float | None = None) -> None:
        self._offset = 0.0
        self._frozen_at = frozen_at

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()``."""
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def iso(self) -> str:
        """Auth0's date form: ISO-8601 UTC with milliseconds, e.g. ``2020-06-04T14:56:15.245Z``."""
        return format_iso(self.time())

    def freeze(self, at: float | datetime | None = None) -> None:
        if isinstance(at, datetime):
            at = at.timestamp()
        self._frozen_at = self.time() if at is None else _checked(float(at))

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        _checked(self.time() + seconds)  # refused whole, never left half-moved
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def reset(self) -> None:
        """Back to wall-clock time: unfrozen, no offset."""
        self._frozen_at = None
        self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


#: Dates every part of the fake can show: 1970-01-01 up to the end of year 9999 (ISO-8601).
LATEST = 253402300799.0


def _checked(epoch: float) -> float:
    """A moment the clock may show; anything else is a ValueError naming the range."""
    if not 0 <= epoch <= LATEST:  # also NaN
        raise ValueError(f"the clock must stay between 1970-01-01 and 9999-12-31, not {epoch}")
    return epoch


def format_iso(epoch: float) -> str:
    """``datetime.fromtimestamp(epoch, utc)`` as Auth0 writes it, milliseconds truncated.

    Every write stamps a date; ``strftime`` was most of it, so the part up to the second is
    kept for the last second seen. The split rounds microseconds as ``fromtimestamp`` does
    (half to even, carrying into the next second).
    """
    frac, whole = math.modf(epoch)
    micro = round(frac * 1e6)
    if micro >= 1_000_000:
        whole += 1.0
        micro -= 1_000_000
    global _last_second
    second = int(whole)
    cached = _last_second  # one tuple, read once: threads never see half of another's
    if cached[0] != second:
        text = datetime.fromtimestamp(second, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        cached = _last_second = (second, text)
    return f"{cached[1]}{micro // 1000:03d}Z"


#: ``(second, "YYYY-MM-DDTHH:MM:SS.")`` of the last date formatted.
_last_second: tuple[int, str] = (-1, "")
