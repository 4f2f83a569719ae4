"""The map's size limit: what a drawing of N states costs to lay out and how it reads.

    .venv/bin/python benchmarks/map_limit.py [--rounds 3]

For generated pathways (benchmarks/generate.py) of several sizes and three shapes (no
phases: rows by steps from the start, two states a row; phases of 5 and of 10 states a
row), the map is laid out by Graphviz as the web app would lay it out, bypassing the
limit (``mapsvg._lay_out``) so that sizes past it can be measured. For each: the CPU time
of one layout (median of the rounds), the SVG's size, and how it reads on a laptop
(1280x800): the map is drawn to the figure's width (``.pathway-map`` in site.css: 1,230
CSS px there), so the height of its words (14 units in the SVG) and the number of screens
it runs to follow from its width and height. ``mapsvg.MOST_DRAWN`` was chosen from this.
"""

from __future__ import annotations

import argparse
import time

from common import median, save, table
from generate import generate, to_yaml

from pathways import mapsvg
from pathways.loader import parse_pathway
from pathways.schema import Pathway

SIZES = (15, 50, 100, 200, 300, 500, 1000)
SHAPES = {"no phases": 0, "phases of 5": 5, "phases of 10": 10}
FIGURE_PX = 1230
"""The map's width at 1280 CSS px: min(100vw - 2rem, 96rem), less its padding and border."""
SCREEN_PX = 800


def pathway(states: int, per_row: int) -> Pathway:
    document = generate(states)
    if per_row:
        ids = [s["id"] for s in document["states"]]
        document["phases"] = [
            {
                "id": f"phase{i}",
                "title": f"Phase {i // per_row + 1}",
                "states": ids[i : i + per_row],
            }
            for i in range(0, states, per_row)
        ]
    return parse_pathway(to_yaml(document), "generated.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    results = []
    for shape, per_row in SHAPES.items():
        for states in SIZES:
            made = pathway(states, per_row)
            times = []
            for _ in range(args.rounds):
                started = time.process_time()
                laid = mapsvg._lay_out(made, {}, "jump/{id}")
                times.append(time.process_time() - started)
            _, _, width, height = (float(v) for v in (laid.svg.get("viewBox") or "").split())
            scale = FIGURE_PX / width
            result = {
                "shape": shape,
                "states": states,
                "layout_ms": median(times) * 1000,
                "svg_kb": len(mapsvg.mark(laid).encode("utf-8")) / 1024,
                "words_px": 14 * scale,
                "screens": height * scale / SCREEN_PX,
            }
            results.append(result)
            rows.append(
                [
                    shape,
                    states,
                    f"{result['layout_ms']:.0f}",
                    f"{result['svg_kb']:.0f}",
                    f"{result['words_px']:.1f}",
                    f"{result['screens']:.1f}",
                ]
            )
    print(
        table(
            ["shape", "states", "layout ms (CPU)", "SVG KB", "words px at 1280", "screens tall"],
            rows,
        )
    )
    save("map_limit", {"rounds": args.rounds, "most_drawn": mapsvg.MOST_DRAWN, "runs": results})


if __name__ == "__main__":
    main()
