"""Load: 60 seconds at 100 concurrent connections on loopback with zero errors, and the
same across a server restart.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--connections 100]

Three runs against one `pathways serve` worker (the command as shipped):

1. readers: 100 readers, each on its own kept-alive connection, walk journeys (start
   with a topic, follow a step link from each page, to an end point, again);
2. restart: the same, with the server stopped (Ctrl+C: requests in progress finish)
   and started again half way through; readers go on from the addresses the old
   process gave them. A request that finds no server to connect to is sent again,
   as a browser or a load balancer would, and counted as a retry, not an answer;
3. wrk: wrk's own client on one state page at 100 connections (wrk, if installed).

An error is any status other than 200 or 303, an answer cut short, or a request with no
answer by the end. tests/test_load.py runs short versions of 1 and 2 in CI.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from common import HOST, Server, free_port, get, load, save, serving, table, wrk

from serving import LoadResult


def row(name: str, result: LoadResult) -> list[object]:
    return [
        name,
        f"{result.requests:,}",
        f"{result.rate:.0f}",
        f"{result.percentile(50) * 1000:.1f}",
        f"{result.percentile(99) * 1000:.1f}",
        len(result.errors),
        result.retries,
    ]


def summary(result: LoadResult) -> dict[str, object]:
    return {
        "requests": result.requests,
        "seconds": result.seconds,
        "rps": result.rate,
        "p50_ms": result.percentile(50) * 1000,
        "p99_ms": result.percentile(99) * 1000,
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "errors": len(result.errors),
        "first_errors": result.errors[:10],
        "retries": result.retries,
        "journeys_finished": result.journeys_finished,
        "steps_after_restart": result.steps_after_restart,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        with serving(Path(folder), name="readers") as server:
            readers = load(server.port, connections=args.connections, seconds=args.seconds)
            results["readers"] = summary(readers)
            rows.append(row("readers walking journeys", readers))
            if shutil.which("wrk"):
                location = get(f"{server.url}/begin?philadelphia=positive")[1]["location"]
                measured = wrk(
                    f"http://{HOST}:{server.port}{location}",
                    connections=args.connections,
                    seconds=args.seconds,
                )
                results["wrk"] = measured
                rows.append(
                    [
                        "wrk, one state page",
                        f"{measured['requests']:,}",
                        f"{measured['rps']:.0f}",
                        f"{measured['p50_ms']:.1f}",
                        f"{measured['p99_ms']:.1f}",
                        measured["errors"],
                        "-",
                    ]
                )
        restarted_server = Server(free_port(), Path(folder) / "restart.log").start()
        try:
            restarted = load(
                restarted_server.port,
                connections=args.connections,
                seconds=args.seconds,
                restart=(args.seconds / 2, restarted_server),
            )
        finally:
            restarted_server.stop()
        results["restart"] = summary(restarted)
        rows.append(row("readers, server restarted mid-run", restarted))
    print(table(["run", "requests", "requests/s", "p50 ms", "p99 ms", "errors", "retries"], rows))
    print(
        f"\nsteps taken on the new process from the old one's addresses: "
        f"{restarted.steps_after_restart:,}"
    )
    met = all(r["errors"] == 0 for r in results.values())
    print(f"goal zero errors: {'met' if met else 'NOT met'}")
    save(
        "load",
        {
            "seconds": args.seconds,
            "connections": args.connections,
            "results": results,
            "goal_met": met,
        },
    )


if __name__ == "__main__":
    main()
