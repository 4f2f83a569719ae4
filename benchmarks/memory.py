"""Memory: the server's resident memory after 1,000 and after 100,000 requests.

    .venv/bin/python benchmarks/memory.py [--requests 100000]

One `pathways serve` process; readers on 20 connections walk journeys at random (start,
a step, its page, ... an end point, again), so the addresses keep changing and the
app's page cache fills and turns over. The resident set size (VmRSS) is read from
/proc after 1,000 requests and at checkpoints up to the total. Goal: after 100,000
within 10% of after 1,000.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import load, save, serving, table

CHECKPOINTS = (1_000, 10_000, 25_000, 50_000, 75_000, 100_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    args = parser.parse_args()
    checkpoints = [c for c in CHECKPOINTS if c < args.requests] + [args.requests]
    rss: dict[int, int] = {}
    errors: list[str] = []
    done = 0
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder)) as server:
        before = server.rss_kib()
        for seed, checkpoint in enumerate(checkpoints):
            result = load(
                server.port,
                connections=20,
                seconds=600,
                max_requests=checkpoint - done,
                seed=seed * 100,
            )
            done += result.requests
            errors += result.errors
            rss[done] = server.rss_kib()
            print(f"after {done:>7,} requests: {rss[done] / 1024:.1f} MiB", flush=True)
    first, last = rss[min(rss)], rss[max(rss)]
    growth = (last - first) / first
    rows = [[f"{n:,}", f"{kib / 1024:.1f}"] for n, kib in sorted(rss.items())]
    print(table(["requests", "RSS MiB"], [["0 (started)", f"{before / 1024:.1f}"], *rows]))
    met = abs(growth) <= 0.10
    print(f"\ngrowth from {min(rss):,} to {max(rss):,} requests: {growth:+.1%}")
    print(f"goal within 10%: {'met' if met else 'NOT met'}; errors: {len(errors)}")
    save(
        "memory",
        {
            "rss_kib_started": before,
            "rss_kib_after": {str(k): v for k, v in sorted(rss.items())},
            "growth": growth,
            "errors": len(errors),
            "goal_met": met,
        },
    )


if __name__ == "__main__":
    main()
