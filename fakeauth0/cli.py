"""``fakeauth0 serve``: run fake tenants as a local HTTP(S) server."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from .actions import TRIGGER_IDS
from .errors import FakeMsg
from .server import LOOPBACK, FakeAuth0Server, LocalCA
from .snapshot import SeedError
from .store import StateError, StateStore
from .tenant import Tenant


class StartupError(Exception):
    """A problem the user must fix before the server can start; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fakeauth0", description="Run fake Auth0 tenants as a local HTTP(S) server."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve fake tenants over HTTP(S)")
    serve.add_argument("--host", default=LOOPBACK, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4010, help="port; 0 picks a free one")
    serve.add_argument(
        "--domain", default=None, help="the default tenant's domain (default: host:port)"
    )
    serve.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="serve another tenant, chosen by the Host header or /_tenants/DOMAIN/ (repeatable)",
    )
    serve.add_argument(
        "--action",
        action="append",
        default=[],
        metavar="FILE[:TRIGGER]",
        help="a JavaScript Action (exports.onExecutePostLogin = ...) created, deployed and "
        "bound last on TRIGGER (default post-login) of the default tenant; named after the "
        "file (repeatable; reset keeps it)",
    )
    serve.add_argument("--client-id", default=None, help="fix the M2M client's id")
    serve.add_argument("--client-secret", default=None, help="fix the M2M client's secret")
    serve.add_argument(
        "--seed",
        default=None,
        metavar="FILE",
        help="JSON seed: connections, clients, users (or {'tenants': [...]}); reset returns here",
    )
    serve.add_argument(
        "--state",
        default=None,
        metavar="FILE",
        help="SQLite file that keeps every acknowledged change across restarts",
    )
    serve.add_argument("--id-seed", default=None, help="seed for generated ids (reproducible)")
    serve.add_argument(
        "--search-engine",
        default="v3",
        choices=["v3", "v2"],
        help="v2: a legacy tenant that still serves search_engine=v2 (created before June 2018)",
    )
    serve.add_argument(
        "--rules",
        action="store_true",
        help="a legacy tenant that keeps classic Rules (end of life 18 Nov 2026): it serves "
        "/rules and /rules-configs and runs the enabled rules on every login; other tenants "
        "refuse them with 403",
    )
    serve.add_argument(
        "--search-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="writes show in GET /users?q= only after this many seconds, as Auth0's index "
        "lags (default 0: at once)",
    )
    serve.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="switch the control plane and dashboard (/_fake/...) off: they answer 404",
    )
    serve.add_argument(
        "--control-token",
        default=os.environ.get("FAKEAUTH0_CONTROL_TOKEN") or None,
        metavar="T",
        help="/_fake/... needs 'Authorization: Bearer T' or 'X-Fake-Control-Token: T' "
        "(default: $FAKEAUTH0_CONTROL_TOKEN, which keeps T out of the process list)",
    )
    serve.add_argument("--tls", action="store_true", help="serve HTTPS with a local CA")
    serve.add_argument(
        "--ca-file",
        default="fakeauth0-ca.pem",
        metavar="FILE",
        help="where --tls keeps its CA certificate (key beside it, .key); reused if present",
    )
    serve.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="INFO logs one line per request (never headers, bodies or query strings)",
    )
    return parser


def read_seed(path: str, default_domain: str | None) -> dict[str, dict[str, Any]]:
    """The seed file as ``{domain: seed}``; ``""`` stands for the default tenant."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise StartupError(
            FakeMsg.SEED_UNREADABLE.format(path=path, error=error.strerror)
        ) from None
    except ValueError as error:
        raise StartupError(FakeMsg.SEED_NOT_JSON.format(path=path, error=error)) from None
    if not isinstance(data, dict):
        raise StartupError(f"{path}: {FakeMsg.SEED_NOT_OBJECT}")
    if "tenants" not in data:
        return {data.get("domain") or default_domain or "": data}
    tenants = data["tenants"]
    if not isinstance(tenants, list) or not all(
        isinstance(t, dict) and isinstance(t.get("domain"), str) for t in tenants
    ):
        raise StartupError(f"{path}: {FakeMsg.SEED_TENANTS}")
    return {t["domain"]: {k: v for k, v in t.items() if k != "domain"} for t in tenants}


def add_actions(seed: dict[str, Any], specs: list[str]) -> None:
    """``--action FILE[:TRIGGER]``: each file joins the seed's ``actions`` (deployed) and is
    bound after the seed's own bindings, in the order given."""
    actions = seed.setdefault("actions", [])
    bindings = seed.setdefault("bindings", {})
    if not isinstance(actions, list) or not isinstance(bindings, dict):
        raise StartupError("--action: the seed's actions must be a list, its bindings an object")
    for spec in specs:
        path, trigger = spec, "post-login"
        head, _, tail = spec.rpartition(":")
        if head and tail in TRIGGER_IDS:
            path, trigger = head, tail
        try:
            with open(path, encoding="utf-8") as handle:
                code = handle.read()
        except OSError as error:
            raise StartupError(f"--action {spec}: {error.strerror}") from None
        name = os.path.splitext(os.path.basename(path))[0] or "action"
        actions.append({"name": name, "code": code, "trigger": trigger, "deployed": True})
        bindings.setdefault(trigger, []).append(name)


def build_server(args: argparse.Namespace) -> FakeAuth0Server:
    options = {
        "seed": args.id_seed,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "search_engine": args.search_engine,
        "search_lag": args.search_lag,
        "rules": args.rules,
    }
    seeds = read_seed(args.seed, args.domain) if args.seed else {}
    if args.action:
        add_actions(seeds.setdefault(args.domain or "", {}), args.action)
    store = None
    if args.state:
        try:
            store = StateStore(args.state)
        except StateError as error:
            raise StartupError(str(error)) from None
    domains = list(args.tenant)
    domains += [d for d in seeds if d and d != args.domain and d not in domains]
    if store is not None:
        domains += [d for d in store.domains() if d != args.domain and d not in domains]
    try:
        ca = LocalCA(args.ca_file) if args.tls else None
    except (OSError, ValueError) as error:
        raise StartupError(f"cannot use the CA file {args.ca_file}: {error}") from None
    try:
        return FakeAuth0Server(
            Tenant(args.domain, **options) if args.domain else None,
            args.host,
            args.port,
            domains=domains,
            seeds=seeds,
            store=store,
            ca=ca,
            control=args.control,
            control_token=args.control_token,
            **options,
        )
    except OSError as error:
        raise StartupError(
            FakeMsg.PORT_IN_USE.format(host=args.host, port=args.port, error=error.strerror)
        ) from None
    except SeedError as error:
        raise StartupError(f"{args.seed or args.state}: {error}") from None
    finally:
        if store is not None and sys.exc_info()[0] is not None:
            store.close()


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = build_server(args)
    except StartupError as error:
        print(f"fakeauth0: {error}", file=sys.stderr, flush=True)
        return 2
    print(f"fakeauth0 serving at {server.url}", flush=True)
    for tenant in server.tenants:
        client = tenant.management_client
        print(f"  tenant {tenant.domain}")
        print(f"    Management API: {server.url}/api/v2/   token: {server.url}/oauth/token")
        print(f"    audience:       {tenant.management_audience}")
        print(f"    client_id:      {client.client_id}")
        print(f"    client_secret:  {client.client_secret}")
    if server.ca is not None:
        print(f"  CA certificate: {server.ca.ca_file} (SSL_CERT_FILE / NODE_EXTRA_CA_CERTS)")
    if server.store is not None:
        print(f"  state: {server.store.path}")
    if not args.control:
        print("  control plane: off (--no-control); dashboard off", flush=True)
        # (the line above must stay last and start with "  control plane": tests wait for it)
    else:
        guard = "  (needs the control token)" if args.control_token else ""
        print(f"  dashboard: {server.url}/_fake/dashboard{guard}")
        print(
            f"  control plane: {server.url}/_fake/  health: {server.url}/_fake/health{guard}",
            flush=True,
        )

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.close()  # state flushed and the file closed cleanly
    print("fakeauth0 stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
