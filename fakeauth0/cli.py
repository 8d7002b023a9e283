"""``fakeauth0 serve``: run a fake tenant as a local HTTP server."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from .server import LOOPBACK, FakeAuth0Server
from .tenant import Tenant


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fakeauth0", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a fake tenant over HTTP")
    serve.add_argument("--host", default=LOOPBACK, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4010, help="port; 0 picks a free one")
    serve.add_argument(
        "--domain", default=None, help="tenant domain in issuers and audiences (default: host:port)"
    )
    serve.add_argument("--client-id", default=None, help="fix the M2M client's id")
    serve.add_argument("--client-secret", default=None, help="fix the M2M client's secret")
    serve.add_argument("--seed", default=None, help="seed for generated ids")
    serve.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    return parser


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    options = {"seed": args.seed, "client_id": args.client_id, "client_secret": args.client_secret}
    tenant = Tenant(args.domain, **options) if args.domain else None
    try:
        server = FakeAuth0Server(tenant, args.host, args.port, **options)
    except OSError as error:
        print(
            f"fakeauth0: cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    tenant = server.tenant
    client = tenant.management_client
    print(f"fakeauth0 serving {tenant.domain} at {server.url}", flush=True)
    print(f"  Management API: {server.url}/api/v2/   token: {server.url}/oauth/token")
    print(f"  audience:       {tenant.management_audience}")
    print(f"  client_id:      {client.client_id}")
    print(f"  client_secret:  {client.client_secret}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    print("fakeauth0 stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
