"""The controllable clock behind created_at, token iat/exp and their verification."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from fakeauth0 import Clock
from fakeauth0.clock import format_iso


def test_iso_dates_are_utc_with_milliseconds() -> None:
    # behaviour.md §3.1: "2020-06-04T14:56:15.245Z".
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
