"""The Python end of the node worker (``worker.mjs``): one long-lived process, started on first
use, spoken to in line-delimited JSON; many runs may be in flight at once (each request has an
id, a reader thread hands each answer to its caller).

A run that overstays its timeout by :data:`GRACE` seconds is stuck in synchronous code the
worker cannot interrupt: the process is killed (every run then in flight fails) and the next
run starts a new one. The process ends when the interpreter exits.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import modules

WORKER = Path(__file__).resolve().parent / "worker.mjs"
#: Auth0's limit on one execution (https://auth0.com/docs/customize/actions/limitations).
DEFAULT_TIMEOUT = 20.0
#: How long past its timeout a run may take before the worker is judged stuck and killed.
GRACE = 1.0
NODE_VARIABLE = "FAKEAUTH0_NODE"
#: The message of a run that exceeded the limit: Auth0's words for a webtask that ran out of
#: time (https://community.auth0.com/t/request-to-webtask-exceeded-allowed-execution-time-error-from-authorize-endpoint-or-oauth-token-endpoint/104471).
TIMEOUT_MESSAGE = "Request to Webtask exceeded allowed execution time"


class NodeNotFound(RuntimeError):
    """No node to run Actions with; the message names the fix."""


class WorkerCrashed(RuntimeError):
    """The worker died while a run was in flight (killed for a stuck run, or crashed)."""


@dataclass
class RunResult:
    """One execution: the ``api`` commands in the order made (``{"api": "access.deny",
    "args": [...]}``), what it logged, its error (``{name, message, stack}``) or timeout."""

    commands: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    error: dict[str, str] | None = None
    timed_out: bool = False
    duration_ms: float = 0.0
    #: A Rule's callback: ``{"user": ..., "context": ...}`` as it called back (None otherwise).
    output: dict[str, Any] | None = None
    #: Its ``api.cache`` writes, in order: ``{"op": "set", "key", "value", "expires_at"}`` or
    #: ``{"op": "delete", "key"}`` (:mod:`fakeauth0.action_cache` applies them). Kept out of
    #: :attr:`commands`, which the execution log shows: a cached value is often a token.
    cache_writes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """The action threw or ran out of time: Auth0 ends the login with ``access_denied``
        (the caller turns :attr:`error_description` into the app's callback error)."""
        return self.error is not None or self.timed_out

    @property
    def error_description(self) -> str | None:
        if self.timed_out:
            return TIMEOUT_MESSAGE
        return None if self.error is None else self.error.get("message") or self.error["name"]

    def calls(self, name: str) -> list[list[Any]]:
        """The arguments of each call of ``name`` (e.g. ``"idToken.setCustomClaim"``)."""
        return [c["args"] for c in self.commands if c["api"] == name]

    @property
    def denied(self) -> str | None:
        """The reason of the first ``api.access.deny``, or None."""
        reasons = self.calls("access.deny")
        return None if not reasons else str(reasons[0][0] if reasons[0] else "")

    def _claims(self, name: str) -> dict[str, Any]:
        return {str(args[0]): args[1] if len(args) > 1 else None for args in self.calls(name)}

    @property
    def id_token_claims(self) -> dict[str, Any]:
        return self._claims("idToken.setCustomClaim")

    @property
    def access_token_claims(self) -> dict[str, Any]:
        return self._claims("accessToken.setCustomClaim")

    @property
    def app_metadata(self) -> dict[str, Any]:
        """The queued ``app_metadata`` changes, the last call per key winning (``None``
        deletes the key when applied)."""
        return self._claims("user.setAppMetadata")

    @property
    def user_metadata(self) -> dict[str, Any]:
        return self._claims("user.setUserMetadata")

    @property
    def primary_user(self) -> str | None:
        calls = self.calls("authentication.setPrimaryUser")
        return None if not calls else str(calls[-1][0])


def find_node() -> str:
    """``FAKEAUTH0_NODE``, else ``node`` on PATH."""
    named = os.environ.get(NODE_VARIABLE)
    if named:
        if shutil.which(named) is None:
            raise NodeNotFound(
                f"{NODE_VARIABLE}={named!r} is not an executable node; fakeauth0 runs Actions "
                f"in node (>= 20): point {NODE_VARIABLE} at one, or unset it to use node on PATH"
            )
        return named
    found = shutil.which("node")
    if found is None:
        raise NodeNotFound(
            "fakeauth0 runs Actions in node (>= 20), and none was found: install node and put "
            f"it on PATH, or set {NODE_VARIABLE} to its path"
        )
    return found


class _Pending:
    __slots__ = ("answer", "done", "process")

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.done = threading.Event()
        self.answer: dict[str, Any] | None = None
        #: The worker the run was sent to: only its end fails the run.
        self.process = process


class NodeRuntime:
    """One node worker process, shared by every run."""

    def __init__(self, node: str | None = None) -> None:
        self._node = node
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The worker's process id (None until the first run)."""
        process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def _start(self) -> subprocess.Popen[str]:
        with self._lock:
            process = self._process
            if process is not None and process.poll() is None:
                return process
            node = self._node or find_node()
            process = subprocess.Popen(
                [node, str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
            assert process.stdout is not None
            ready = process.stdout.readline()
            if not ready:
                process.kill()
                raise WorkerCrashed(f"the node worker ({node} {WORKER}) did not start")
            self._process = process
            threading.Thread(
                target=self._read, args=(process,), name="fakeauth0-node-reader", daemon=True
            ).start()
            return process

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            pending = self._pending.pop(answer.get("id"), None)
            if pending is not None:
                pending.answer = answer
                pending.done.set()
        # The process ended: every run still waiting on it fails.
        with self._lock:
            if self._process is process:
                self._process = None
        ended = [k for k, p in list(self._pending.items()) if p.process is process]
        for key in ended:
            pending = self._pending.pop(key, None)
            if pending is not None:
                pending.done.set()

    def _kill(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            if self._process is process:
                self._process = None
        process.kill()
        process.wait()

    def run(
        self,
        trigger: str,
        code: str,
        event: Mapping[str, Any],
        secrets: Mapping[str, str] | None = None,
        *,
        dependencies: Sequence[Mapping[str, Any]] = (),
        timeout: float = DEFAULT_TIMEOUT,
        bridge: tuple[str, str] | None = None,
        globals: Mapping[str, Any] | None = None,
        redirect: Mapping[str, Any] | None = None,
        resume: bool = False,
        cache: Mapping[str, Any] | None = None,
    ) -> RunResult:
        """Run ``code`` for ``trigger`` once. ``dependencies`` are installed first (from the
        npm cache, :mod:`fakeauth0.js.modules`); ``bridge`` is ``(domain, url)``: requests the
        script makes to ``https://<domain>`` go to ``url`` (:mod:`fakeauth0.js.bridge`);
        ``globals`` are more names the script sees (a Rule's ``auth0`` and ``configuration``).
        ``redirect`` is what a login says of redirects (``{state, interactive, silent}``);
        ``resume`` runs the action's ``onContinuePostLogin`` (the login came back to
        ``/continue``). ``cache`` is what ``api.cache`` starts from
        (:meth:`fakeauth0.action_cache.ActionCache.view`); without it the run has an empty
        cache of its own, whose writes come back all the same.
        """
        try:
            modules_dir = modules.install(dependencies)
        except modules.DependencyError as error:
            return RunResult(error={"name": "Error", "message": str(error), "stack": ""})
        process = self._start()
        request_id = next(self._ids)
        pending = _Pending(process)
        self._pending[request_id] = pending
        request = {
            "id": request_id,
            "trigger": trigger,
            "code": code,
            "event": dict(event),
            "secrets": dict(secrets or {}),
            "dependencies": [dict(d) for d in dependencies],
            "timeout_ms": max(1, int(timeout * 1000)),
        }
        if modules_dir is not None:
            request["modules_dir"] = str(modules_dir)
        if bridge is not None:
            request["bridge"] = {"domain": bridge[0], "url": bridge[1]}
        if globals:
            request["globals"] = dict(globals)
        if redirect is not None:
            request["redirect"] = dict(redirect)
        if resume:
            request["resume"] = True
        if cache is not None:
            request["cache"] = dict(cache)
        line = json.dumps(request, default=str) + "\n"
        try:
            with self._write_lock:
                assert process.stdin is not None
                process.stdin.write(line)
                process.stdin.flush()
        except (BrokenPipeError, OSError):
            self._pending.pop(request_id, None)
            self._kill(process)
            raise WorkerCrashed("the node worker ended before the run was sent") from None
        if not pending.done.wait(timeout + GRACE):
            # Stuck in synchronous code: only killing the process stops it.
            self._pending.pop(request_id, None)
            self._kill(process)
            return RunResult(
                error={"name": "Error", "message": TIMEOUT_MESSAGE, "stack": ""},
                timed_out=True,
                duration_ms=(timeout + GRACE) * 1000,
            )
        answer = pending.answer
        if answer is None:
            raise WorkerCrashed("the node worker ended while the action ran")
        result = RunResult(
            commands=answer.get("commands") or [],
            logs=answer.get("logs") or [],
            error=answer.get("error"),
            timed_out=bool(answer.get("timed_out")),
            duration_ms=float(answer.get("duration_ms") or 0.0),
            output=answer.get("output"),
            cache_writes=answer.get("cache_writes") or [],
        )
        if result.timed_out:
            result.error = {"name": "Error", "message": TIMEOUT_MESSAGE, "stack": ""}
        return result

    def close(self) -> None:
        """End the worker (its stdin closes, and it exits; killed if it does not)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()


_shared: NodeRuntime | None = None
_shared_lock = threading.Lock()


def shared_runtime() -> NodeRuntime:
    """The process's one worker: every tenant's actions share it (it holds no tenant state)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = NodeRuntime()
            atexit.register(_shared.close)
        return _shared


def run_post_login(
    code: str,
    event: Mapping[str, Any],
    secrets: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    dependencies: Sequence[Mapping[str, Any]] = (),
    bridge: tuple[str, str] | None = None,
    redirect: Mapping[str, Any] | None = None,
    resume: bool = False,
    cache: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run a post-login Action's ``exports.onExecutePostLogin(event, api)`` once, or its
    ``onContinuePostLogin`` with ``resume`` (``bridge``, ``redirect``, ``cache``: see
    :meth:`NodeRuntime.run`)."""
    return shared_runtime().run(
        "post-login",
        code,
        event,
        secrets,
        dependencies=dependencies,
        timeout=timeout,
        bridge=bridge,
        redirect=redirect,
        resume=resume,
        cache=cache,
    )


def run_rule(
    script: str,
    user: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    auth0: Mapping[str, Any],
    configuration: Mapping[str, str],
    bridge: tuple[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> RunResult:
    """Run a classic Rule's ``function (user, context, callback)`` once, with Auth0's Rules
    globals (``auth0``: ``{baseUrl, accessToken, domain}``; ``configuration``: the tenant's
    rules-configs). The packages the script requires by name are installed first."""
    return shared_runtime().run(
        "rule",
        script,
        {"user": dict(user), "context": dict(context)},
        dependencies=modules.required_by(script),
        timeout=timeout,
        bridge=bridge,
        globals={"auth0": dict(auth0), "configuration": dict(configuration)},
    )
