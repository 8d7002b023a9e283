"""Before and after in the same run: each in-process operation of two trees of fakeauth0, timed
in alternating rounds on this machine, and the per-round ratio of their rates.

    .venv/bin/python bench/compare.py --base <rev>        # <rev> against the working tree

A change may not make any operation more than 5% slower (the median of per-round ratios;
rounds alternate which tree goes first, so drift on a shared machine cancels out). The base is
checked out into a temporary git worktree; each round runs each tree in a fresh process that
imports fakeauth0 from that tree and the benchmark code from this one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: A change may make an operation this much slower at most (a rate ratio of 0.95).
TOLERANCE = 0.05
OPERATIONS = (
    "get_user",
    "direct_get_user",
    "create_user",
    "users_by_email",
    "search_email",
    "link",
    "unlink",
)


def measure(tree: str, users: int, seconds: float) -> dict[str, float]:
    """Operations per second of each operation, fakeauth0 imported from ``tree``."""
    sys.path.insert(0, tree)
    sys.path.insert(1, str(HERE))
    import fake  # bench/fake.py, importing fakeauth0 from ``tree``
    import harness

    import fakeauth0

    assert Path(fakeauth0.__file__).resolve().is_relative_to(Path(tree).resolve())
    target = fake.FakeTarget(users)
    rates: dict[str, float] = {}
    plain = {
        "get_user": target.get_user,
        "direct_get_user": target.direct_get_user_fn(),
        "users_by_email": target.users_by_email,
        "search_email": target.search_email,
    }
    for name, fn in plain.items():
        for i in range(50):
            fn(i)
        rates[name] = harness.rate_loop(fn, 10**7, seconds)
    rates["create_user"] = harness.rate_loop(target.create_user, 10**7, seconds)
    target.drop_created()
    rates.update(target.link_unlink_runner(pairs=200)(seconds))
    return rates


def _run_tree(tree: str, users: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            tree,
            "--users",
            str(users),
            "--seconds",
            str(seconds),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(base: str, rounds: int, users: int, seconds: float) -> int:
    with tempfile.TemporaryDirectory(prefix="fakeauth0-base-") as scratch:
        tree = os.path.join(scratch, "tree")
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", tree, base],
            check=True,
            capture_output=True,
        )
        try:
            ratios: dict[str, list[float]] = {op: [] for op in OPERATIONS}
            for n in range(rounds):
                order = [(tree, "base"), (str(ROOT), "head")]
                if n % 2:
                    order.reverse()
                got = {label: _run_tree(path, users, seconds) for path, label in order}
                for op in OPERATIONS:
                    ratios[op].append(got["head"][op] / got["base"][op])
                print(
                    f"round {n + 1}/{rounds}: "
                    + ", ".join(f"{op} {ratios[op][-1]:.3f}" for op in OPERATIONS),
                    file=sys.stderr,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", tree],
                check=False,
                capture_output=True,
            )
    worst = 0
    print(f"\nhead / base ({base}), rate ratios, median of {rounds} rounds, {users} users:")
    for op in OPERATIONS:
        median = statistics.median(ratios[op])
        verdict = "ok" if median >= 1 - TOLERANCE else "SLOWER"
        worst |= verdict != "ok"
        print(f"  {op:16} {median:6.3f}  {verdict}")
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", default="HEAD~1", help="the revision to compare against")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=0.5, help="per operation per round")
    ap.add_argument("--measure", metavar="TREE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.users, args.seconds)))
        return 0
    return compare(args.base, args.rounds, args.users, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
