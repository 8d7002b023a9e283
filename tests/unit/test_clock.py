"""The controllable clock behind created_at, token iat/exp and their verification."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from fakeauth0 import Clock
from fakeauth0.clock import format_iso


def test_iso_dates_are_utc_with_milliseconds() -> None:
    # docs/auth0-behaviour.md#root-attributes: "2020-06-04T14:56:15.245Z".
    assert format_iso(1591282575.2459) == "2020-06-04T14:56:15.245Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", Clock().iso())


def test_frozen_clock_stands_still_and_advances_on_demand() -> None:
    clock = Clock()
    clock.freeze(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert clock.frozen
    assert clock.iso() == "2024-01-02T03:04:05.000Z"
    clock.advance(1.5)
    assert clock.iso() == "2024-01-02T03:04:06.500Z"


def test_running_clock_follows_wall_time_plus_advances() -> None:
    clock = Clock()
    clock.advance(3600)
    assert abs(clock.time() - (time.time() + 3600)) < 5


def test_unfreeze_keeps_the_frozen_moment_as_the_new_origin() -> None:
    clock = Clock(frozen_at=1_000_000.0)
    clock.unfreeze()
    assert not clock.frozen
    assert 1_000_000.0 <= clock.time() < 1_000_005.0


def _reference_iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@settings(max_examples=2000, deadline=None)
@given(
    epoch=st.floats(min_value=0, max_value=253402300799.0)
    | st.integers(0, 2**33).map(lambda s: s + 0.9999995)
    | st.integers(0, 2**33).map(lambda s: s + 0.0000005)
)
def test_format_iso_is_datetimes_rendering(epoch: float) -> None:
    """The cached-second formatter writes what ``datetime.fromtimestamp`` + ``strftime`` would,
    including the microsecond rounding that carries into the next second."""
    assert format_iso(epoch) == _reference_iso(epoch)
    assert format_iso(epoch) == _reference_iso(epoch)  # second call: from the cached second
