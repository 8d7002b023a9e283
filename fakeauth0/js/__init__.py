"""The tenant's JavaScript, run in node: a thin adapter over one long-lived worker process
(``runtime.py`` and ``worker.mjs``), and Auth0's ``event`` objects built from the fake's
records (``events.py``)."""

from __future__ import annotations

from .events import post_login_event
from .runtime import (
    DEFAULT_TIMEOUT,
    NodeNotFound,
    NodeRuntime,
    RunResult,
    WorkerCrashed,
    run_post_login,
    shared_runtime,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "NodeNotFound",
    "NodeRuntime",
    "RunResult",
    "WorkerCrashed",
    "post_login_event",
    "run_post_login",
    "shared_runtime",
]
