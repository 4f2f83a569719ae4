"""Static site: `pathways export site` for the embedded pathway and a 5,000-state one.

    .venv/bin/python benchmarks/site_export.py [--rounds 3]

Each run is the whole command in a fresh process (start, load, render every page and
map, write the files) into an empty folder, timed from outside. The 5,000-state pathway
comes from benchmarks/generate.py; at that size the export makes one map page for all
(``--maps auto``), and, past ``mapsvg.MOST_DRAWN`` states, that page lists the places
instead of drawing them (Graphviz is not run).
Besides the wall clock, the CPU time the command and its child processes used (user +
system): on a shared machine the wall clock also counts the time others had the cores.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, median, save, table
from generate import generate, to_yaml

SCRIPT = str(Path(PYTHON).with_name("pathways"))


def export(pathway: Path | None, out: Path) -> tuple[float, float, int]:
    """Seconds for one export (wall clock, and the CPU it and its child processes used),
    and the number of files written."""
    shutil.rmtree(out, ignore_errors=True)
    command = [SCRIPT, "export", "site", str(out)]
    if pathway is not None:
        command += ["--pathway", str(pathway)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=1800, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, sum(1 for p in out.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"embedded": [], "5,000 states": []}
    cpu: dict[str, list[float]] = {"embedded": [], "5,000 states": []}
    files: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "pathway-5000.yaml"
        big.write_text(to_yaml(generate(5000)), encoding="utf-8")
        sources = {"embedded": None, "5,000 states": big}
        for _ in range(args.rounds):
            for name, pathway in sources.items():
                seconds, used, count = export(pathway, Path(folder) / "site")
                runs[name].append(seconds)
                cpu[name].append(used)
                files[name] = count
    rows = [
        [name, files[name], f"{median(values):.1f}", f"{median(cpu[name]):.1f}"]
        for name, values in runs.items()
    ]
    print(table(["pathway", "files written", "median s", "CPU s (all processes)"], rows))
    save(
        "site_export",
        {
            "rounds": args.rounds,
            "runs_s": runs,
            "median_s": {k: median(v) for k, v in runs.items()},
            "cpu_s": cpu,
            "median_cpu_s": {k: median(v) for k, v in cpu.items()},
            "files": files,
        },
    )


if __name__ == "__main__":
    main()
