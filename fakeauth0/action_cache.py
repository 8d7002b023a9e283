"""The Actions cache (``api.cache``): short-lived strings an Action keeps from one execution to
the next, e.g. a Management API token fetched once and reused by later logins
(docs/auth0-behaviour.md#actions-cache).

One store per tenant, one namespace per trigger: "Values stored in this cache are scoped to the
Trigger in which they are set"
(https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object).
The node worker keeps no state between runs, so each run is handed its trigger's live entries
and the tenant's time (:meth:`ActionCache.view`); the worker answers ``get``/``set``/``delete``
itself against them, enforcing :data:`LIMITS` with Auth0's error results, and sends its writes
back, applied here as the run ends (:meth:`ActionCache.apply`): the next action of the same
execution, and every later execution of the trigger, sees them. Expiry follows the tenant's
clock. The store is not part of snapshots and a reset empties it (CHOICES.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

#: Auth0's Actions cache limits (https://auth0.com/docs/customize/actions/limitations, "Cached
#: data"): at most 20 entries per trigger, keys of at most 64 bytes, values of at most 4 KB,
#: 8 KB of keys and values together, a lifetime of at most 24 hours; 15 minutes when the
#: Action names none (the api object pages, ``api.cache.set``).
LIMITS: Mapping[str, int] = {
    "max_entries": 20,
    "max_key_bytes": 64,
    "max_value_bytes": 4096,
    "max_total_bytes": 8192,
    "default_ttl_ms": 15 * 60 * 1000,
    "max_ttl_ms": 24 * 60 * 60 * 1000,
}


@dataclass(frozen=True)
class Record:
    """A cached value and when it expires (milliseconds since the epoch), as ``api.cache.get``
    returns it."""

    value: str
    expires_at: int

    def live(self, now_ms: int) -> bool:
        return now_ms <= self.expires_at

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "expires_at": self.expires_at}


def _size(key: str, record: Record) -> int:
    return len(key.encode("utf-8")) + len(record.value.encode("utf-8"))


class ActionCache:
    """The tenant's Actions cache. Actions run without the tenant lock, several at once, so
    the store has a lock of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._triggers: dict[str, dict[str, Record]] = {}

    def view(self, trigger: str, now: float, *, frozen: bool = False) -> dict[str, Any]:
        """What a run of ``trigger`` starts from: its live entries, the time (``now``, in
        seconds, becomes milliseconds; ``frozen``: it stays there for the whole run, as the
        tenant's clock does) and the limits the worker enforces."""
        now_ms = int(now * 1000)
        with self._lock:
            entries = self._live(trigger, now_ms)
            return {
                "now": now_ms,
                "frozen": frozen,
                "entries": {key: record.to_json() for key, record in entries.items()},
                "limits": dict(LIMITS),
            }

    def apply(self, trigger: str, writes: Iterable[Mapping[str, Any]], now: float) -> None:
        """A run's writes, in the order made: ``{"op": "set", "key", "value", "expires_at"}``
        or ``{"op": "delete", "key"}``. Runs of the same trigger may overlap, so the limits
        hold here too: past them, the entries that expire first go ("cached records may be
        evicted earlier", the api object pages)."""
        now_ms = int(now * 1000)
        with self._lock:
            entries = self._live(trigger, now_ms)
            for write in writes:
                key = write.get("key")
                if not isinstance(key, str):
                    continue
                if write.get("op") == "delete":
                    entries.pop(key, None)
                    continue
                value, expires_at = write.get("value"), write.get("expires_at")
                if write.get("op") != "set" or not isinstance(value, str):
                    continue
                if not isinstance(expires_at, int) or isinstance(expires_at, bool):
                    continue
                entries.pop(key, None)
                entries[key] = Record(value, min(expires_at, now_ms + LIMITS["max_ttl_ms"]))
            self._evict(entries)
            if entries:
                self._triggers[trigger] = entries
            else:
                self._triggers.pop(trigger, None)

    def get(self, trigger: str, key: str, now: float) -> Record | None:
        """The live record of ``key`` in ``trigger``'s namespace, or None (for tests)."""
        with self._lock:
            return self._live(trigger, int(now * 1000)).get(key)

    def clear(self) -> None:
        with self._lock:
            self._triggers.clear()

    def _live(self, trigger: str, now_ms: int) -> dict[str, Record]:
        """``trigger``'s entries, the expired ones dropped (the caller holds the lock)."""
        entries = self._triggers.get(trigger, {})
        live = {key: record for key, record in entries.items() if record.live(now_ms)}
        if len(live) != len(entries):
            if live:
                self._triggers[trigger] = live
            else:
                self._triggers.pop(trigger, None)
        return dict(live)

    @staticmethod
    def _evict(entries: dict[str, Record]) -> None:
        def over() -> bool:
            total = sum(_size(key, record) for key, record in entries.items())
            return len(entries) > LIMITS["max_entries"] or total > LIMITS["max_total_bytes"]

        while entries and over():
            first = min(entries, key=lambda key: entries[key].expires_at)
            del entries[first]


class TenantClock(Protocol):
    """What the cache needs of the tenant's clock (:class:`fakeauth0.clock.Clock`)."""

    def time(self) -> float: ...

    @property
    def frozen(self) -> bool: ...


def cached(
    runner: Callable[..., Any], cache: ActionCache, trigger: str, clock: TenantClock
) -> Callable[..., Any]:
    """``runner`` (one action's run) with ``trigger``'s cache: handed in as the run starts,
    its writes applied as it ends (also when it threw or denied: each write had already
    succeeded for the Action)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        view = cache.view(trigger, clock.time(), frozen=clock.frozen)
        result = runner(*args, cache=view, **kwargs)
        cache.apply(trigger, getattr(result, "cache_writes", None) or (), clock.time())
        return result

    return run
