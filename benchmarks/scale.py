"""Scale of content: load, validate and build the machine for generated pathways of 500
and 5,000 states.

    .venv/bin/python benchmarks/scale.py [--rounds 5]

benchmarks/generate.py writes each pathway once. Every measurement runs in a fresh
Python process (so nothing is shared between runs), with the libraries already imported
before the clock starts: the figure is the work of reading the YAML with its positions,
validating it with pydantic and the cross-checks, and building the state machine
(``Journey.begin`` plus the first ``next_steps``), not the start of Python. The two
sizes alternate within each round; figures are medians, and the ratio is taken round by
round. Goals: 5,000 states in under 2 s, and at most 12 times the cost of 500.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from common import PYTHON, ROOT, median, save, table
from generate import generate, to_yaml

SIZES = (500, 5000)

MEASURE = """
import json, sys, time
from pathways.journey import Journey
from pathways.loader import load_pathway
start = time.perf_counter()
pathway = load_pathway(sys.argv[1])
loaded = time.perf_counter()
Journey.begin(pathway).next_steps()
built = time.perf_counter()
print(json.dumps({"load_validate_s": loaded - start, "machine_s": built - loaded,
                  "total_s": built - start, "states": len(pathway.states)}))
"""


def measure(path: Path) -> dict[str, float]:
    output = subprocess.run(
        [PYTHON, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=ROOT,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    runs: dict[int, list[dict[str, float]]] = {size: [] for size in SIZES}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for size in SIZES:
            files[size] = Path(folder) / f"pathway-{size}.yaml"
            files[size].write_text(to_yaml(generate(size)), encoding="utf-8")
        sizes_kb = {size: files[size].stat().st_size // 1024 for size in SIZES}
        for size in SIZES:
            measure(files[size])  # warm the disk cache
        for _ in range(args.rounds):
            for size in SIZES:
                runs[size].append(measure(files[size]))
    medians = {
        size: {field: median([r[field] for r in values]) for field in values[0]}
        for size, values in runs.items()
    }
    ratio = median(
        [
            big["total_s"] / small["total_s"]
            for small, big in zip(runs[500], runs[5000], strict=True)
        ]
    )
    rows = [
        [
            size,
            f"{sizes_kb[size]:,} KB",
            f"{m['load_validate_s'] * 1000:.0f}",
            f"{m['machine_s'] * 1000:.0f}",
            f"{m['total_s'] * 1000:.0f}",
        ]
        for size, m in medians.items()
    ]
    print(table(["states", "file", "load + validate ms", "machine ms", "total ms"], rows))
    print(f"\n5,000 ÷ 500 (per round, median): {ratio:.1f}")
    under = medians[5000]["total_s"] < 2.0
    linear = ratio <= 12
    print(f"goal 5,000 states under 2 s: {'met' if under else 'NOT met'}")
    print(f"goal ratio at most 12 for 10x: {'met' if linear else 'NOT met'}")
    save(
        "scale",
        {
            "rounds": args.rounds,
            "file_kb": sizes_kb,
            "runs": {str(k): v for k, v in runs.items()},
            "medians": {str(k): v for k, v in medians.items()},
            "ratio_5000_over_500": ratio,
            "goal_under_2s_met": under,
            "goal_linear_met": linear,
        },
    )


if __name__ == "__main__":
    main()
