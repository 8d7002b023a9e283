"""npm packages for the tenant's JavaScript, installed from the registry into a cache.

An Action declares its dependencies (``[{"name": "auth0", "version": "4.10.0"}]``); a classic
Rule names its modules in ``require('request@2.56.0')``. Either set is installed once, with
npm, into a directory named by a hash of the set, under the cache
(``$FAKEAUTH0_NPM_CACHE``, else ``$XDG_CACHE_HOME/fakeauth0/npm``, else
``~/.cache/fakeauth0/npm``), and reused by every later run, test session and process: only
the first run of a new set waits for npm. An install is built in a private directory and
renamed into place when complete, so two processes installing the same set at once never
see half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

CACHE_VARIABLE = "FAKEAUTH0_NPM_CACHE"
NPM_VARIABLE = "FAKEAUTH0_NPM"
#: Written last into an install directory: its presence means the install is whole.
COMPLETE = ".fakeauth0-complete"
#: How long one ``npm install`` may take.
INSTALL_TIMEOUT = 600.0
#: ``require('name@version')`` and ``require('name')`` with a literal string, as Rules wrote them.
REQUIRE = re.compile(r"""\brequire\(\s*(['"])([^'"\s]+)\1\s*\)""")

#: node's own modules (``require('module').builtinModules`` of node 20, top-level names): never
#: installed from npm.
NODE_BUILTINS = frozenset(
    [
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    ]
)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class DependencyError(RuntimeError):
    """npm could not install the packages; the message says which and why."""


def cache_root() -> Path:
    named = os.environ.get(CACHE_VARIABLE)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fakeauth0" / "npm"


def package_of(specifier: str) -> tuple[str, str]:
    """The package and version a ``require`` specifier names: ``request@2.56.0`` ->
    ``("request", "2.56.0")``, ``@scope/pkg@1/sub`` -> ``("@scope/pkg", "1")``,
    ``lodash/fp`` -> ``("lodash", "latest")``."""
    parts = specifier.split("/")
    name = parts[:2] if specifier.startswith("@") else parts[:1]
    head, at, version = name[-1].rpartition("@")
    if at and head:
        name[-1] = head
        return "/".join(name), version
    return "/".join(name), "latest"


def required_by(code: str) -> list[dict[str, str]]:
    """The npm packages a Rule's script requires by literal name (node's own modules left
    out), as dependencies."""
    found: dict[str, str] = {}
    for match in REQUIRE.finditer(code):
        specifier = match.group(2)
        package, version = package_of(specifier)
        if package in NODE_BUILTINS or specifier.startswith("node:"):
            continue
        found[package] = version
    return [{"name": n, "version": v} for n, v in sorted(found.items())]


def _normalised(dependencies: Sequence[Mapping[str, str]]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for dependency in dependencies:
        name = str(dependency.get("name", "")).strip()
        version = str(dependency.get("version") or "latest").strip()
        if not name or any(c in name for c in " \\") or name.startswith(("-", ".")):
            raise DependencyError(f"{name!r} is not an npm package name")
        wanted[name] = version
    return dict(sorted(wanted.items()))


def _npm() -> str:
    named = os.environ.get(NPM_VARIABLE)
    found = named or shutil.which("npm")
    if not found:
        raise DependencyError(
            "installing the npm dependencies of the tenant's JavaScript needs npm: install it "
            f"with node, or set {NPM_VARIABLE} to its path"
        )
    return found


def install(dependencies: Sequence[Mapping[str, str]]) -> Path | None:
    """The directory whose ``node_modules`` holds ``dependencies`` (None for none), installed
    on first use; raises :class:`DependencyError` when npm fails."""
    wanted = _normalised(dependencies)
    if not wanted:
        return None
    key = hashlib.sha256(json.dumps(wanted).encode()).hexdigest()[:24]
    target = cache_root() / key
    if (target / COMPLETE).exists():
        return target
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        if (target / COMPLETE).exists():
            return target
        return _install_into(target, wanted)


def _install_into(target: Path, wanted: dict[str, str]) -> Path:
    building = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    building.mkdir(parents=True)
    try:
        manifest = {"name": "fakeauth0-dependencies", "private": True, "dependencies": wanted}
        (building / "package.json").write_text(json.dumps(manifest, indent=2))
        command = [
            _npm(),
            "install",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--omit=dev",
            "--loglevel=error",
        ]
        try:
            done = subprocess.run(
                command,
                cwd=building,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise DependencyError(
                f"npm install of {_named(wanted)} took over {INSTALL_TIMEOUT:.0f} s"
            ) from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
            raise DependencyError(f"npm install of {_named(wanted)} failed: " + " ".join(tail))
        (building / COMPLETE).write_text(json.dumps(wanted))
        try:
            building.rename(target)
        except OSError:
            if not (target / COMPLETE).exists():
                raise
        return target
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)


def _named(wanted: Mapping[str, str]) -> str:
    return ", ".join(f"{name}@{version}" for name, version in wanted.items())
