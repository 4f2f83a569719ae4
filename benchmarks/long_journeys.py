"""Long journeys: what the longest journey a link can hold costs, against a short one.

    .venv/bin/python benchmarks/long_journeys.py [--rounds 5] [--repeat 20] [--places N]

A journey lives in its address, and anyone can mint a valid token (its key is public), so
the bound on a journey's length (``journey.MAX_PATH`` places) is what bounds the cost of
any address. For each pathway (the shipped pathways.yaml and tests/data/pathways/*.yaml),
each kind of page (state, presenter, map, presenter map, print, notes, embed, the JSON
API's journey) and each state, this asks the app (in process, through its whole ASGI
stack, with the kept pages cleared before every request, so each one is rendered as a
page never seen before) for:

- short: a journey of one place, begun at that state;
- longest: a journey of ``MAX_PATH`` places, every state of the pathway walked in turn
  (distinct places as long as there are, all walked: the most the print page can list),
  ending at that state;

and reports, per kind, the CPU time (``time.process_time``) of each, their ratio (the
median over the rounds of the ratio taken within a round, so a busy moment on a shared
machine falls on both sides), the worst ratio over the states, and the largest page.
``--places N`` measures a bound of N instead of the shipped one (to choose it), written
to ``results/long_journeys_<N>_places.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ROOT, median, save, table

from pathways import journey as journey_module
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.schema import Pathway
from pathways.web import create_app

KINDS: dict[str, Callable[[str], str]] = {
    "state": lambda t: f"/j/{t}",
    "presenter": lambda t: f"/present/{t}",
    "map": lambda t: f"/j/{t}/map",
    "presenter map": lambda t: f"/present/{t}/map",
    "print": lambda t: f"/j/{t}/print",
    "notes": lambda t: f"/j/{t}/notes",
    "embed": lambda t: f"/embed/{t}",
    "api": lambda t: f"/api/journeys/{t}",
}


def longest(pathway: Pathway, at: str, places: int) -> Journey:
    """A journey of ``places`` places ending at ``at``: every state walked in turn."""
    others = [s for s in pathway.state_ids if s != at]
    cycle = [*others, at] if others else [at]
    sequence = list(itertools.islice(itertools.cycle(cycle), len(cycle) * places))[-places:]
    while sequence[-1] != at:  # end at `at`, keeping the length
        sequence = [*sequence[1:], sequence[0]]
    context = pathway.check_context(None)
    return Journey(pathway, at, tuple(sequence[:-1]), context)


def request(app: Any, path: str) -> tuple[int, int]:
    """One GET through the app's whole ASGI stack: (status, bytes of the body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    size = sum(len(m.get("body", b"")) for m in sent if m["type"] == "http.response.body")
    return status, size


def cpu(app: Any, path: str, repeat: int) -> float:
    """CPU seconds of one request for ``path``, a page never seen before each time."""
    pages = app.state.pages
    total = 0.0
    for _ in range(repeat):
        pages._pages.clear()  # a page never seen before, every time
        pages._page_bytes = 0
        started = time.process_time()
        status, _ = request(app, path)
        total += time.process_time() - started
        assert status == 200, (path, status)
    return total / repeat


def measure(file: Path, places: int, rounds: int, repeat: int) -> dict[str, Any]:
    pathway = load_pathway(file)
    app = create_app(pathway=pathway)
    result: dict[str, Any] = {"file": str(file.relative_to(ROOT)), "places": places, "kinds": {}}
    for kind, address in KINDS.items():
        ratios: dict[str, list[float]] = {s: [] for s in pathway.state_ids}
        short_ms: list[float] = []
        long_ms: list[float] = []
        largest = 0
        for state in pathway.state_ids:
            short = Journey.begin(pathway, at=state)
            long = longest(pathway, state, places)
            largest = max(largest, request(app, address(long.token))[1])
            request(app, address(short.token))  # warm: templates compiled, map laid out
        for _ in range(rounds):
            for state in pathway.state_ids:
                short_path = address(Journey.begin(pathway, at=state).token)
                long_path = address(longest(pathway, state, places).token)
                s = cpu(app, short_path, repeat)
                lo = cpu(app, long_path, repeat)
                ratios[state].append(lo / s)
                short_ms.append(s * 1000)
                long_ms.append(lo * 1000)
        per_state = {state: round(median(values), 2) for state, values in ratios.items()}
        result["kinds"][kind] = {
            "short_ms": round(median(short_ms), 3),
            "longest_ms": round(median(long_ms), 3),
            "ratio_median": round(median(list(per_state.values())), 2),
            "ratio_worst": max(per_state.values()),
            "worst_state": max(per_state, key=per_state.__getitem__),
            "largest_bytes": largest,
        }
        print(f"  {kind}: {result['kinds'][kind]}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--places", type=int, default=None, help="a bound to try instead")
    parser.add_argument("--files", nargs="*", type=Path, default=None)
    args = parser.parse_args()
    places = args.places or journey_module.MAX_PATH
    journey_module.MAX_PATH = max(places, journey_module.MAX_PATH)
    files = args.files or [
        ROOT / "pathways.yaml",
        *sorted((ROOT / "tests/data/pathways").glob("*.yaml")),
    ]
    results = []
    for file in files:
        print(f"{file.name}, {places} places:", flush=True)
        results.append(measure(file.resolve(), places, args.rounds, args.repeat))
    rows = [
        [
            r["file"],
            kind,
            f"{k['short_ms']:.2f}",
            f"{k['longest_ms']:.2f}",
            f"{k['ratio_median']:.2f}",
            f"{k['ratio_worst']:.2f}",
            f"{k['largest_bytes'] / 1024:.1f} KB",
        ]
        for r in results
        for kind, k in r["kinds"].items()
    ]
    print()
    print(
        table(
            [
                "pathway",
                "page",
                "short ms",
                "longest ms",
                "ratio (median)",
                "ratio (worst state)",
                "largest",
            ],
            rows,
        )
    )
    name = "long_journeys" if args.places is None else f"long_journeys_{places}_places"
    save(name, {"places": places, "rounds": args.rounds, "results": results})


if __name__ == "__main__":
    main()
