"""Before and after in the same run: each in-process operation of two trees of fakeauth0, timed
in alternating rounds on this machine, and the per-round ratio of their rates.

    .venv/bin/python bench/compare.py --base <rev>        # <rev> against the working tree

A change may not make any operation more than 5% slower (the median of per-round ratios;
rounds alternate which tree goes first, so drift on a shared machine cancels out). The base is
checked out into a temporary git worktree; each tree runs in a process of its own (fakeauth0
from that tree, the benchmark code from this one), and the two time each operation in turn.
"""

from __future__ import annotations

import argparse
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


#: The hash seed of both workers (``--hash-seed``; another seed is another sample).
HASH_SEED = "0"


class Worker:
    """One tree's fakeauth0 in a process of its own, holding a populated tenant and timing one
    operation at a time on request (so two trees can be timed in alternation)."""

    def __init__(self, tree: str, users: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", tree, "--users", str(users)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            # One hash seed for both trees: a process's dict and set layouts follow its seed and
            # shift its speed by a few percent, which would read as a difference between trees.
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": HASH_SEED},
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def rate(self, operation: str, seconds: float) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{operation} {seconds}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def serve_measurements(tree: str, users: int) -> None:
    """The worker's loop: ``<operation> <seconds>`` in, operations per second out."""
    sys.path.insert(0, tree)
    sys.path.insert(1, str(HERE))
    import fake  # bench/fake.py, importing fakeauth0 from ``tree``
    import harness

    import fakeauth0

    assert Path(fakeauth0.__file__).resolve().is_relative_to(Path(tree).resolve())
    target = fake.FakeTarget(users)
    plain = {
        "get_user": target.get_user,
        "direct_get_user": target.direct_get_user_fn(),
        "users_by_email": target.users_by_email,
        "search_email": target.search_email,
    }
    linking = target.link_unlink_runner(pairs=200)
    for fn in plain.values():
        for i in range(50):
            fn(i)
    print("ready", flush=True)
    for line in sys.stdin:
        operation, seconds = line.split()
        if operation in plain:
            rate = harness.rate_loop(plain[operation], 10**7, float(seconds))
        elif operation == "create_user":
            rate = harness.rate_loop(target.create_user, 10**7, float(seconds))
            target.drop_created()
        else:  # link or unlink: timed together, each reported on its own
            rate = linking(float(seconds))[operation]
        print(rate, flush=True)


def compare(base: str, rounds: int, users: int, seconds: float) -> int:
    with tempfile.TemporaryDirectory(prefix="fakeauth0-base-") as scratch:
        tree = os.path.join(scratch, "tree")
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", tree, base],
            check=True,
            capture_output=True,
        )
        workers = {"base": Worker(tree, users), "head": Worker(str(ROOT), users)}
        try:
            ratios: dict[str, list[float]] = {op: [] for op in OPERATIONS}
            for n in range(rounds):
                for op in OPERATIONS:
                    order = ["base", "head"] if n % 2 == 0 else ["head", "base"]
                    got = {label: workers[label].rate(op, seconds) for label in order}
                    ratios[op].append(got["head"] / got["base"])
                done = ", ".join(f"{op} {ratios[op][-1]:.3f}" for op in OPERATIONS)
                print(f"round {n + 1}/{rounds}: {done}", file=sys.stderr)
        finally:
            for worker in workers.values():
                worker.close()
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", tree],
                check=False,
                capture_output=True,
            )
    worst = 0
    print(f"\nhead / base ({base}), rate ratios, median of {rounds} rounds, {users} users")
    print("(and the middle half of the rounds: a median inside a wide spread is noise):")
    for op in OPERATIONS:
        median = statistics.median(ratios[op])
        low, _, high = statistics.quantiles(ratios[op], n=4) if rounds > 1 else (median,) * 3
        verdict = "ok" if median >= 1 - TOLERANCE else "SLOWER"
        worst |= verdict != "ok"
        print(f"  {op:16} {median:6.3f}  [{low:.3f} .. {high:.3f}]  {verdict}")
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", default="HEAD~1", help="the revision to compare against")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=0.3, help="per operation per round")
    ap.add_argument("--hash-seed", default="0", help="PYTHONHASHSEED of both workers")
    ap.add_argument("--worker", metavar="TREE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        serve_measurements(args.worker, args.users)
        return 0
    global HASH_SEED
    HASH_SEED = args.hash_seed
    return compare(args.base, args.rounds, args.users, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
