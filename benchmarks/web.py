"""Web: a state page with a journey token against the same page served as a static file,
by one uvicorn worker, with wrk over loopback.

    .venv/bin/python benchmarks/web.py [--rounds 3] [--seconds 10]

The server is benchmarks/webapp.py (the `pathways serve` app plus the pre-rendered copy).
In each round wrk runs, one after the other, against:

- dynamic: /j/<token>, a journey three steps in (the page is kept after its first visit);
- static: the same page pre-rendered to a file, served from disk by StaticFiles;
- preloaded: the same bytes from memory (the cheapest answer the stack can give);
- every page new: addresses of 5,000 different journeys in turn, more than the app
  keeps, so every request is rendered from the templates (the worst case);

at 10 and at 50 connections, with one wrk thread (the machine's other core serves).
Figures are medians over the rounds; ratios are dynamic ÷ static within each round.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import tempfile
from pathlib import Path

from common import HOST, PYTHON, ROOT, free_port, median, save, table, wrk

from pathways.journey import Journey
from pathways.loader import load_pathway
from serving import wait_for_port


def journey_addresses(count: int, seed: int = 5) -> tuple[str, list[str]]:
    """The benchmark's page (three steps in) and ``count`` different journeys' pages."""
    pathway = load_pathway(ROOT / "pathways.yaml")
    rng = random.Random(seed)
    start = Journey.begin(pathway, {"philadelphia": "positive"})
    page = start
    for _ in range(3):
        page = page.step(page.next_steps()[0].trigger)
    addresses: set[str] = set()
    states = pathway.state_ids
    contexts = ["positive", "negative", "not_known"]
    while len(addresses) < count:  # paths of 2-7 places, as a nurse's jumps make them
        journey = Journey.begin(pathway, {"philadelphia": rng.choice(contexts)})
        for _ in range(rng.randint(1, 6)):
            journey = journey.jump(rng.choice(states))
        addresses.add(f"/j/{journey.token}")
    return f"/j/{page.token}", sorted(addresses)[:count]


def cycling_script(addresses: list[str], folder: Path) -> Path:
    script = folder / "cycle.lua"
    listed = ",\n".join(f'"{a}"' for a in addresses)
    script.write_text(
        f"paths = {{\n{listed}\n}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1])\n'
        "end\n",
        encoding="utf-8",
    )
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--http", default="auto", choices=["auto", "h11", "httptools"], help="uvicorn's parser"
    )
    args = parser.parse_args()
    page, many = journey_addresses(5000)
    port = free_port()
    base = f"http://{HOST}:{port}"
    runs: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        script = cycling_script(many, Path(folder))
        server = subprocess.Popen(
            [
                *(PYTHON, str(ROOT / "benchmarks" / "webapp.py")),
                *("--port", str(port), "--page", page, "--http", args.http),
            ],
            cwd=ROOT,
        )
        try:
            wait_for_port(port, None, 120)
            targets = {
                "dynamic": (f"{base}{page}", None),
                "static": (f"{base}/prerendered/page.html", None),
                "preloaded": (f"{base}/preloaded", None),
                "every page new": (f"{base}/", script),
            }
            for url, lua in targets.values():  # warm up
                wrk(url, connections=10, seconds=2, script=lua)
            for _ in range(args.rounds):
                for connections in (10, 50):
                    for name, (url, lua) in targets.items():
                        result = wrk(url, connections=connections, seconds=args.seconds, script=lua)
                        runs.setdefault(f"{name} c={connections}", []).append(result)
        finally:
            server.terminate()
            server.wait(30)
    summary = {
        key: {field: median([r[field] for r in values]) for field in values[0]}
        for key, values in runs.items()
    }
    ratios = {
        connections: median(
            [
                d["rps"] / s["rps"]
                for d, s in zip(
                    runs[f"dynamic c={connections}"], runs[f"static c={connections}"], strict=True
                )
            ]
        )
        for connections in (10, 50)
    }
    rows = [
        [
            key,
            f"{s['rps']:.0f}",
            f"{s['p50_ms']:.1f}",
            f"{s['p99_ms']:.1f}",
            int(sum(r["errors"] for r in runs[key])),
        ]
        for key, s in summary.items()
    ]
    print(table(["page", "requests/s", "p50 ms", "p99 ms", "errors"], rows))
    for connections, ratio in ratios.items():
        print(f"dynamic ÷ static at c={connections}: {ratio:.2f}")
    throughput = all(ratio >= 0.7 for ratio in ratios.values())
    tail = summary["dynamic c=50"]["p99_ms"] < 50
    print(f"goal dynamic >= 70% of static: {'met' if throughput else 'NOT met'}")
    print(f"goal p99 < 50 ms at c=50: {'met' if tail else 'NOT met'}")
    save(
        "web",
        {
            "page": "/j/<token> (three steps in)",
            "rounds": args.rounds,
            "seconds": args.seconds,
            "runs": runs,
            "medians": summary,
            "dynamic_over_static": ratios,
            "goal_throughput_met": throughput,
            "goal_p99_met": tail,
        },
    )


if __name__ == "__main__":
    main()
