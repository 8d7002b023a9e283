"""Turn one run's results into bench/README.md (figures, same-run ratios, goals) and JSON."""

from __future__ import annotations

import json
from typing import Any

from harness import RoundRobin

FLOOR = "floor: trivial app, werkzeug test client"
FLOOR_POST = "floor: trivial app, test client, JSON POST"
APP_ALONE = "fakeauth0 app alone: get user, WSGI call, no client"
#: A create and a search finding the new user: the search pays for indexing it.
CREATE_THEN_SEARCH = "fakeauth0: create user, then search for it (2 requests)"
#: Operations that send a JSON body: also compared with the POST floor (informative).
WITH_BODY = ("fakeauth0: create user", "link")
HTTP_FLOOR_1 = "floor: trivial app, same server, 1 thread"
HTTP_FLOOR_8 = "floor: trivial app, same server, 8 threads"
#: The same server stack answering fakeauth0's GET-user requests with a canned copy of its
#: answer: what the request and answer shapes cost before fakeauth0 does anything.
HTTP_SAME_1 = "trivial app, same requests and answers as get user, 1 thread"

#: fakeauth0 operation -> moto's Cognito equivalent (same run, same size).
INPROC_PEERS = {
    "fakeauth0: get user": "moto: admin_get_user",
    "fakeauth0: create user": "moto: admin_create_user",
    "fakeauth0: users-by-email": "moto: list_users email filter",
    'fakeauth0: search q=email:"..."': "moto: list_users email filter",
    "link": None,
    "unlink": None,
}
HTTP_PEERS = {
    "fakeauth0 server: get user, 1 thread": ("moto_server: AdminGetUser, 1 thread", HTTP_FLOOR_1),
    "fakeauth0 server: get user, 8 threads": ("moto_server: AdminGetUser, 8 threads", HTTP_FLOOR_8),
    "fakeauth0 server: users-by-email, 1 thread": (
        "moto_server: ListUsers email filter, 1 thread",
        HTTP_FLOOR_1,
    ),
}
OPS = (
    "fakeauth0: get user",
    "fakeauth0: create user",
    "fakeauth0: users-by-email",
    'fakeauth0: search q=email:"..."',
    "link",
    "unlink",
)
LABEL = {"link": "fakeauth0: link (POST identities)", "unlink": "fakeauth0: unlink (DELETE)"}
#: Prefix of the same-request floor's results (bench/fake.py SameRequestFloor).
SAME_REQUESTS = "trivial app, same requests and answers: "


def same_requests(operation: str) -> str:
    """The name of ``operation``'s same-request floor result."""
    return SAME_REQUESTS + operation.removeprefix("fakeauth0: ")


def _rate(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}/s" if v >= 10 else f"{v:.2f}/s"


def _ms(v: float | None) -> str:
    if not v:
        return "—"
    ms = 1000.0 / v
    return f"{ms:.3f} ms" if ms < 1 else f"{ms:.1f} ms"


def _x(v: float | None) -> str:
    return "—" if v is None else (f"{v:.2f}x" if v < 10 else f"{v:,.0f}x")


def _mark(ok: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "n/a"}[ok]


def _rows(rr: RoundRobin, names: list[str], ref: str) -> list[str]:
    rows = []
    for name in names:
        med = rr.median(name)
        if med is None:
            continue
        lo, hi = rr.spread(name) or (0, 0)
        rows.append(
            f"| {name} | {_rate(med)} | {_ms(med)} | {_rate(lo)} - {_rate(hi)} "
            f"| {_x(rr.ratio(name, ref))} |"
        )
    return rows


def _same_request_table(rr: RoundRobin) -> list[str]:
    """Each operation beside a trivial app given the same requests and answers: how much of
    the time is the test client's, and how much is fakeauth0's."""
    rows = []
    for name in OPS:
        same = same_requests(name)
        if rr.median(name) is None or rr.median(same) is None:
            continue
        ours_ms, same_ms = 1000 / rr.median(name), 1000 / rr.median(same)  # type: ignore[operator]
        rows.append(
            f"| {LABEL.get(name, name)} | {_ms(rr.median(name))} | {_ms(rr.median(same))} "
            f"| {_x(rr.ratio(same, FLOOR))} | {_x(rr.ratio(name, same))} "
            f"| {max(ours_ms - same_ms, 0) * 1000:.0f} µs |"
        )
    if not rows:
        return []
    return [
        "The same requests to a trivial app (same random paths, token, bodies and query",
        "strings; it answers with a canned copy of fakeauth0's answer: same status, headers",
        "and bytes). Its rate ÷ the floor is what werkzeug's test client alone costs for these",
        "requests (percent-decoding the `|` of user ids, query strings, bodies, bigger",
        "answers); fakeauth0 ÷ it is fakeauth0's own share.",
        "",
        "| operation | fakeauth0 per op | trivial app, same requests | that ÷ floor "
        "| fakeauth0 ÷ that | fakeauth0's own time |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def write_report(path: str, json_path: str, meta: dict[str, Any], results: dict[str, Any]) -> None:
    lines: list[str] = []
    goals: list[tuple[str, str, bool | None]] = []
    raw: dict[str, Any] = {"meta": meta}
    add = lines.append

    add("# Benchmarks: fakeauth0 beside moto's Cognito and the floor")
    add("")
    add("Regenerated by `make bench` (which builds `.venv-bench/` with the project, the official")
    add("SDK and the peers pinned in `bench/requirements.txt`, then runs `bench/run.py`). Do not")
    add("edit by hand: the next run rewrites this file; raw figures are in `bench/results.json`.")
    add("")
    add("**How to read it.** Every figure comes from this one run on this one machine. Each")
    add("section sets its targets up once, then runs *rounds*: every benchmark once per round, for")
    add(f"about {meta['loop_s']} s, in an order rotated each round ({meta['rounds']} rounds).")
    add("Figures are medians over rounds; *ratios are medians of per-round ratios* (both sides")
    add("measured seconds apart), which is what the goals use. The machine has 2 cores shared")
    add("with other work, so absolute rates drift by tens of percent between rounds and runs;")
    add("ratios drift far less. The *floor* is a trivial WSGI app (an 80-byte JSON answer)")
    add("through the same client (werkzeug's test client) or the same server stack: what any")
    add("Python fake pays before doing anything. Timed loops are never test assertions.")
    add("")
    add("The login rows alone (fakeauth0 beside oidc-provider-mock and pytest-iam, about two")
    add('minutes): `make bench ARGS="--only login"`, which writes its report to')
    add("`/tmp/fakeauth0-bench/README.md` and leaves this file alone; `--no-peers` skips the")
    add("peers. Other sections likewise, e.g. `--only setup,inproc`.")
    add("")
    add(f"Run {meta['started']}, {meta['minutes']} min, arguments: `{meta['argv']}`.")
    add("")
    add("| machine / version | |")
    add("|---|---|")
    for k, v in meta["machine"].items():
        add(f"| {k} | {v} |")
    add("")

    if "setup" in results:
        rr: RoundRobin = results["setup"]["rr"]
        raw["setup"] = rr.rounds
        add("## Per-test setup")
        add("")
        add("A fresh tenant, a Management API token and a client, against moto's `mock_aws()`")
        add("entered, a boto3 client, `create_user_pool`, and exit.")
        add("")
        add("| setup | per second | per setup | min - max | ÷ floor |")
        add("|---|---|---|---|---|")
        names = [n for n, _ in rr.runners]
        lines.extend(_rows(rr, names, FLOOR))
        add("")
        ours = "fakeauth0: tenant + token + test client"
        for peer in (
            "moto: mock_aws + boto3 client + user pool",
            "moto: mock_aws + user pool (shared client)",
        ):
            r = rr.ratio(ours, peer)
            if r is not None:
                add(f"- `{ours}` is **{_x(r)} cheaper** than `{peer}` (same-run ratio).")
                goals.append((f"setup ≥100x cheaper than {peer}", _x(r), r >= 100))
        if rr.ratio(ours, "moto: mock_aws + boto3 client + user pool") is None:
            goals.append(("setup ≥100x cheaper than moto", results["setup"]["moto"], None))
        add("")

    if "inproc" in results:
        add("## In-process operations through the WSGI app")
        add("")
        add("Each request goes through `werkzeug.test.Client` into `create_app(tenant)` with a")
        add("bearer token: routing, token check, scopes, validation, the tenant, JSON. Users are")
        add("picked at random; creates are removed (untimed) after each loop so the size holds.")
        add("moto's calls go through boto3 into `mock_aws()`, as a test suite makes them.")
        add("The token carries the four `*:users` scopes the operations need: the default")
        add("token holds every Management API scope (7.8 KB, as Auth0's does), and werkzeug's")
        add("test client copies and regex-checks that header several times per request; the")
        add("*all-scopes token* row shows that cost. *App alone* calls the WSGI app with a")
        add("prepared environ: fakeauth0's own cost per request, with no client in the way.")
        add("Search indexes writes when the next query comes (once per user however many")
        add("writes): a create is timed without it; the *create, then search* row pays both.")
        add("")
        sizes = results["inproc"]["sizes"]
        raw["inproc"] = {}
        by_size: dict[int, RoundRobin] = {}
        for size, res in sizes.items():
            rr = res["rr"]
            by_size[size] = rr
            raw["inproc"][str(size)] = {"rounds": rr.rounds, "notes": res["notes"]}
            add(f"### {size:,} users")
            add("")
            add("| operation | median | per op | min - max | ÷ floor | vs moto (same run) |")
            add("|---|---|---|---|---|---|")
            names = [
                n
                for n, _ in rr.runners
                if n != "fakeauth0: link/unlink" and not n.startswith(SAME_REQUESTS)
            ]
            after = max(i for i, n in enumerate(names) if n.startswith("fakeauth0: ")) + 1
            names[after:after] = [n for n in ("link", "unlink") if rr.median(n) is not None]
            for name in names:
                med = rr.median(name)
                if med is None:
                    continue
                lo, hi = rr.spread(name) or (0, 0)
                peer = INPROC_PEERS.get(name)
                vs = "—"
                if peer and rr.median(peer) is not None:
                    vs = _x(rr.ratio(name, peer))
                elif name in INPROC_PEERS:
                    vs = res["notes"].get("moto: link", "no moto equivalent") if not peer else "—"
                add(
                    f"| {LABEL.get(name, name)} | {_rate(med)} | {_ms(med)} | "
                    f"{_rate(lo)} - {_rate(hi)} | {_x(rr.ratio(name, FLOOR))} | {vs} |"
                )
            for name, note in res["notes"].items():
                if name.startswith("fakeauth0"):
                    add(f"| {name} | {note} | | | | |")
            add("")
            extra = [f"{k}: {v}" for k, v in res["notes"].items() if not k.startswith("fakeauth0")]
            add(f"fakeauth0 populated in {res['populate_fake_s']:.1f} s. " + "; ".join(extra))
            add("")
            post = [
                f"{LABEL.get(n, n)} {_x(rr.ratio(n, FLOOR_POST))}"
                for n in WITH_BODY
                if rr.median(n) is not None and rr.median(FLOOR_POST) is not None
            ]
            if post:
                add("Operations that send a JSON body, ÷ the floor answering a JSON POST through")
                add("the same client (the client's cost of encoding a body is in both):")
                add(", ".join(post) + ".")
                add("")
            lines.extend(_same_request_table(rr))
            for name in OPS:
                if rr.median(name) is None:
                    continue
                label = LABEL.get(name, name)
                r_floor = rr.ratio(name, FLOOR)
                goals.append(
                    (f"{label} @{size:,} within 3x of the floor", _x(r_floor), r_floor >= 1 / 3)
                )
                peer = INPROC_PEERS.get(name)
                if peer and rr.median(peer) is not None:
                    r_peer = rr.ratio(name, peer)
                    goals.append((f"{label} @{size:,} ≥5x {peer}", _x(r_peer), r_peer >= 5))
                elif not peer:
                    goals.append((f"{label} @{size:,} ≥5x moto", "moto has no equivalent", None))

        if len(by_size) > 1:
            first, last = min(by_size), max(by_size)
            add(f"### Growth from {first:,} to {last:,} users")
            add("")
            add("Rate at the largest size ÷ rate at the smallest, each taken as its same-round")
            add("ratio to the floor (so machine drift between sections cancels out).")
            add("")
            add("| operation | " + " | ".join(f"÷ floor @{s:,}" for s in sorted(by_size)))
            add("|---|" + "---|" * len(by_size) + "---|")
            lines[-2] += f" | @{last:,} ÷ @{first:,} |"
            all_names = [*OPS, "moto: admin_get_user", "moto: admin_create_user"]
            all_names.append("moto: list_users email filter")
            for name in all_names:
                ratios = [by_size[s].ratio(name, FLOOR) for s in sorted(by_size)]
                if ratios[0] is None:
                    continue
                growth = (ratios[-1] / ratios[0]) if ratios[-1] is not None else None
                cells = " | ".join(f"{r:.4f}" if r is not None else "—" for r in ratios)
                add(
                    f"| {LABEL.get(name, name)} | {cells} | "
                    + (f"{growth:.2f}" if growth is not None else "—")
                    + " |"
                )
                if name in ("fakeauth0: get user", "fakeauth0: users-by-email") and growth:
                    goals.append(
                        (
                            f"{LABEL.get(name, name)} flat from {first:,} to {last:,}",
                            f"{growth:.2f}",
                            growth >= 0.75,
                        )
                    )
            add("")
            add("A value near 1.00 is flat: exact matches use dict indexes (user id, e-mail,")
            add("identity) and do not scan. moto's filtered `list_users` scans every user.")
            add("")

        first = min(sizes)
        rr = sizes[first]["rr"]
        sdk, hx = (
            "SDK: users.get (auth0-python, httpx WSGI)",
            "httpx WSGI transport: GET user (no SDK)",
        )
        get = "fakeauth0: get user"
        if rr.median(sdk) is not None and rr.median(APP_ALONE) is not None:
            t_sdk = 1 / rr.median(sdk)
            t_hx = 1 / rr.median(hx)
            t_get = 1 / rr.median(get)
            ours = 1 / rr.median(APP_ALONE)
            add("### Through the official SDK (auth0-python v6, in-process)")
            add("")
            add(f"At {first:,} users, one `users.get` through the SDK costs {t_sdk * 1e3:.3f} ms;")
            add("the same request through httpx's WSGI transport without the SDK")
            add(f"{t_hx * 1e3:.3f} ms; through werkzeug's test client {t_get * 1e3:.3f} ms; the")
            add(f"app alone {ours * 1e3:.3f} ms. So of an SDK call, **{(t_sdk - t_hx) / t_sdk:.0%}")
            add("is the SDK's own work** (request building, pydantic models),")
            add(f"{max(t_hx - ours, 0) / t_sdk:.0%} is httpx and its WSGI transport, and")
            add(f"**{ours / t_sdk:.0%} is fakeauth0**. Through the test client, fakeauth0 is")
            add(f"{ours / t_get:.0%} of a request.")
            add("")
            raw["sdk"] = {"t_sdk": t_sdk, "t_httpx": t_hx, "t_get": t_get, "t_app": ours}

    if "http" in results:
        res = results["http"]
        rr = res["rr"]
        raw["http"] = rr.rounds
        add(f"## HTTP on loopback ({res['users']:,} users)")
        add("")
        add("Servers run in child processes (their own GIL); the client is `requests.Session`")
        add("(keep-alive), one per thread. fakeauth0 is `FakeAuth0Server` (werkzeug's threaded")
        add("server); the floor is the trivial app on the very same server object; moto is")
        add("`moto_server`, called with raw `requests` POSTs (the same client library) and, for")
        add("reference, through boto3.")
        add("")
        add("| target | median | per request | min - max | ÷ floor (test client) |")
        add("|---|---|---|---|---|")
        lines.extend(_rows(rr, [n for n, _ in rr.runners], FLOOR))
        add("")
        add("| fakeauth0 | vs moto_server | ÷ floor, same server and threads |")
        add("|---|---|---|")
        for name, (peer, floor) in HTTP_PEERS.items():
            if rr.median(name) is None:
                continue
            r_peer = rr.ratio(name, peer) if rr.median(peer) is not None else None
            r_floor = rr.ratio(name, floor)
            add(f"| {name} | {_x(r_peer)} | {_x(r_floor)} |")
            if r_peer is not None:
                goals.append((f"HTTP {name[18:]} ≥3x moto_server", _x(r_peer), r_peer >= 3))
            else:
                goals.append((f"HTTP {name[18:]} ≥3x moto_server", res["moto"], None))
            goals.append((f"HTTP {name[18:]} ≥0.8x the floor", _x(r_floor), r_floor >= 0.8))
        add("")
        get1 = "fakeauth0 server: get user, 1 thread"
        if rr.median(HTTP_SAME_1) is not None and rr.median(get1) is not None:
            t_floor, t_same, t_ours = (
                1 / rr.median(HTTP_FLOOR_1),  # type: ignore[operator]
                1 / rr.median(HTTP_SAME_1),  # type: ignore[operator]
                1 / rr.median(get1),  # type: ignore[operator]
            )
            gap = t_ours - t_floor
            shape = (t_same - t_floor) / gap if gap > 0 else 0.0
            add(
                "The same server answering the same GET-user requests (same token, same random "
                "user ids) with a canned copy of fakeauth0's answer runs at "
                f"{_x(rr.ratio(HTTP_SAME_1, HTTP_FLOOR_1))} the floor, and fakeauth0 at "
                f"{_x(rr.ratio(get1, HTTP_SAME_1))} of it: of the time fakeauth0 takes beyond "
                f"the floor ({gap * 1e6:.0f} µs a request, medians), about "
                f"{min(max(shape, 0.0), 1.0):.0%} is the shape of the exchange (a bearer token, "
                "`|` in paths, a real user and Auth0's headers, for client and server stack "
                "alike) and the rest fakeauth0's own work."
            )
            add("")

    if "memory" in results:
        res = results["memory"]
        raw["memory"] = res
        add(f"## Memory ({res['users']:,} users)")
        add("")
        add(
            "RSS growth of a child process while it fills one tenant (through `Tenant.create_user`)"
        )
        add("or one moto pool (through moto's backend), after `gc.collect()`.")
        add("")
        add("| target | bytes per user | MB per 100k users | populate time |")
        add("|---|---|---|---|")
        for target in ("fakeauth0", "moto"):
            m = res.get(target, {})
            if "bytes_per_user" in m:
                add(
                    f"| {target} | {m['bytes_per_user']:,.0f} | "
                    f"{m['bytes_per_user'] * 1e5 / 2**20:,.0f} | {m['populate_s']:.1f} s |"
                )
            else:
                add(f"| {target} | {m.get('error', '—')[:80]} | | |")
        add("")

    if "login" in results:
        import login_bench

        res = results["login"]
        raw["login"] = login_bench.raw(res["rr"], res["notes"])
        goals.extend(login_bench.render(res["rr"], res["notes"], add))

    if "rbac" in results:
        import rbac_bench

        res = results["rbac"]
        raw["rbac"] = {"rounds": res["rr"].rounds, **res["notes"]}
        goals.extend(rbac_bench.render(res["rr"], res["notes"], add))

    if "extra" in results:
        raw["extra"] = results["extra"]
        add("## Contributed benchmarks")
        add("")
        for name, r in results["extra"].items():
            add(f"### `bench/{name}`: {r['status']}")
            add("")
            if r.get("stdout"):
                add("```")
                lines.extend(r["stdout"].rstrip().splitlines()[-60:])
                add("```")
                add("")
            if r.get("stderr"):
                add("```")
                lines.extend(r["stderr"].rstrip().splitlines()[-15:])
                add("```")
                add("")

    if goals:
        head = ["## Goals (issues 10, 16 and 17), judged on this run's same-run ratios", ""]
        head += ["| goal | this run | |", "|---|---|---|"]
        head += [f"| {g} | {v} | {_mark(ok)} |" for g, v, ok in goals]
        head.append("")
        at = lines.index("| machine / version | |")
        lines[at:at] = head
    raw["goals"] = [{"goal": g, "value": v, "met": ok} for g, v, ok in goals]
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    with open(json_path, "w") as f:
        json.dump(raw, f, indent=1, default=str)
