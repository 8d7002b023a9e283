"""Injected faults and Auth0's rate limiting, so users can test their error and retry code.

A :class:`Faults` belongs to one tenant. Rules name an operation (the spec's operationId, such
as ``get_users_by_id``, an endpoint such as ``oauth_token``, or ``*``) and fail it once, a number
of times, or at a rate, optionally after a delay. Rate limits are token buckets as Auth0 keeps
them (docs/auth0-behaviour.md#rate-limits): every response carries ``X-RateLimit-Limit``,
``-Remaining`` and ``-Reset`` (UTC epoch seconds when the bucket is full again), and a dry bucket
answers 429. Time here is real time, not the tenant's clock: retry code sleeps in real time.
"""

from __future__ import annotations

import functools
import math
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any

from .errors import Auth0Error, Msg
from .spec import load_spec

ANY = "*"


#: The longest injected latency: a minute outlasts every SDK's timeout; longer would only
#: park a server thread.
MAX_LATENCY_MS = 60_000
#: The longest rate-limit window (a day).
MAX_WINDOW = 86_400.0


@functools.cache
def _spec_spellings() -> dict[str, str]:
    operations = (op["operationId"] for op in load_spec()["operations"])
    return {name.replace("-", "_"): name for name in operations}


def operation_name(name: str) -> str:
    """The name the call log gives an operation, for a name a user wrote.

    Operations are named by the spec's operationId, which keeps the hyphens of a path
    (``get_users-by-email``, ``get_client-grants``); the all-underscore spelling
    (``get_users_by_email``) names the same operation. Other names (``oauth_token``, ``*``,
    names outside the spec) are returned unchanged.
    """
    return _spec_spellings().get(name.replace("-", "_"), name)


@dataclass
class FaultRule:
    """Fail matching calls with ``status`` (``None``: only delay them by ``latency_ms``).

    ``times`` is how many calls the rule fails before it is spent (``None``: forever);
    ``rate`` the chance that a matching call fails (1.0: every one).
    """

    operation: str = ANY
    status: int | None = 500
    message: str | None = None
    error_code: str | None = None
    times: int | None = 1
    rate: float = 1.0
    latency_ms: float = 0.0
    fired: int = 0

    def __post_init__(self) -> None:
        self.operation = operation_name(self.operation)
        if self.status is not None and not 400 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP error status (400-599) or null")
        if not 0.0 <= float(self.rate) <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.times is not None and int(self.times) < 1:
            raise ValueError("times must be at least 1, or null for no limit")
        if not 0 <= float(self.latency_ms) <= MAX_LATENCY_MS:
            raise ValueError(f"latency_ms must be between 0 and {MAX_LATENCY_MS}")

    @property
    def spent(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def error(self) -> Auth0Error:
        assert self.status is not None
        return Auth0Error(
            int(self.status),
            self.message or HTTPStatus(int(self.status)).phrase,
            self.error_code,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Bucket:
    """A token bucket: ``limit`` calls at once, refilled at ``limit`` per ``window`` seconds."""

    limit: int
    window: float = 1.0
    operations: list[str] = field(default_factory=lambda: [ANY])
    enforce: bool = True
    name: str = "global"
    _tokens: float = field(default=-1.0, repr=False)
    _updated: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.operations = [operation_name(name) for name in self.operations]
        if int(self.limit) < 1:
            raise ValueError("limit must be at least 1")
        if not 0 < float(self.window) <= MAX_WINDOW:
            raise ValueError(f"window must be a positive number of seconds, at most {MAX_WINDOW}")
        self.limit = int(self.limit)
        self.window = float(self.window)
        if self._tokens < 0:
            self._tokens = float(self.limit)
            self._updated = time.time()

    def matches(self, operation: str | None) -> bool:
        return ANY in self.operations or operation in self.operations

    def _refill(self, now: float) -> None:
        rate = self.limit / self.window
        self._tokens = min(float(self.limit), self._tokens + (now - self._updated) * rate)
        self._updated = now

    def take(self, now: float) -> bool:
        """Spend one call; False when the bucket is dry (and enforced)."""
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return not self.enforce

    def headers(self, now: float) -> dict[str, str]:
        missing = self.limit - self._tokens
        reset = now + missing * self.window / self.limit
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, math.floor(self._tokens))),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }

    def to_json(self) -> dict[str, Any]:
        now = time.time()
        self._refill(now)
        return {
            "name": self.name,
            "limit": self.limit,
            "window": self.window,
            "operations": list(self.operations),
            "enforce": self.enforce,
            "remaining": max(0, math.floor(self._tokens)),
        }


#: What every response reports when no bucket is configured: a paid tenant's users-read
#: limit (docs/auth0-behaviour.md#rate-limits), counted but not enforced, so a fast test suite is
#: never throttled.
DEFAULT_BUCKET = {"limit": 50, "window": 1.0, "enforce": False, "name": "default"}


class Faults:
    """One tenant's injected faults and rate limits; thread-safe."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._random = rng or random.Random()
        self.rules: list[FaultRule] = []
        self.buckets: list[Bucket] = []
        self._default = Bucket(**DEFAULT_BUCKET)  # type: ignore[arg-type]

    def add(self, **options: Any) -> FaultRule:
        """Inject a fault, e.g. ``add(operation="post_users", status=503, times=2)``."""
        rule = FaultRule(**options)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def limit(self, limit: int, window: float = 1.0, **options: Any) -> Bucket:
        """Add a rate-limit bucket, e.g. ``limit(2, 1.0, operations=["get_users_by_id"])``."""
        bucket = Bucket(limit, window, **options)
        with self._lock:
            self.buckets.append(bucket)
        return bucket

    def clear_limits(self) -> None:
        with self._lock:
            self.buckets.clear()
            self._default = Bucket(**DEFAULT_BUCKET)  # type: ignore[arg-type]

    def reset(self) -> None:
        self.clear()
        self.clear_limits()

    def admit(self, operation: str | None) -> dict[str, str]:
        """Account for one call: returns its rate-limit headers, or raises the error to answer
        (an injected fault, or 429 when a bucket is dry), after any injected delay."""
        now = time.time()
        if not self.rules and not self.buckets:  # the common case: count, never refuse
            with self._lock:
                self._default.take(now)
                return self._default.headers(now)
        delay = 0.0
        failure: Auth0Error | None = None
        with self._lock:
            if self.rules:
                delay, failure = self._pick(operation)
            buckets = [b for b in self.buckets if b.matches(operation)] or [self._default]
            allowed = True
            for bucket in buckets:
                allowed = bucket.take(now) and allowed
            tightest = min(buckets, key=lambda b: b._tokens / b.limit)
            headers = tightest.headers(now)
        if delay:
            time.sleep(delay)
        if failure is None and not allowed:
            failure = Auth0Error(429, Msg.RATE_LIMITED, "too_many_requests")
        if failure is not None:
            failure.headers = {**failure.headers, **headers}
            raise failure
        return headers

    def peek(self, operation: str | None) -> dict[str, str]:
        """The rate-limit headers for ``operation`` without spending a call (for responses
        that never reached an operation, such as a 404)."""
        now = time.time()
        with self._lock:
            buckets = [b for b in self.buckets if b.matches(operation)] or [self._default]
            for bucket in buckets:
                bucket._refill(now)
            tightest = min(buckets, key=lambda b: b._tokens / b.limit)
            return tightest.headers(now)

    def _pick(self, operation: str | None) -> tuple[float, Auth0Error | None]:
        delay = 0.0
        for rule in self.rules:
            if rule.spent or rule.operation not in (ANY, operation):
                continue
            if rule.rate < 1.0 and self._random.random() >= rule.rate:
                continue
            rule.fired += 1
            delay = max(delay, rule.latency_ms / 1000.0)
            if rule.status is not None:
                failure = rule.error()
                self.rules = [r for r in self.rules if not r.spent]
                return delay, failure
        self.rules = [r for r in self.rules if not r.spent]
        return delay, None

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": [r.to_json() for r in self.rules],
                "rate_limits": [b.to_json() for b in self.buckets],
            }
