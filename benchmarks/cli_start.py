"""CLI start: `pathways show relapse --format text` against importing the stack it stands on.

    .venv/bin/python benchmarks/cli_start.py [--rounds 30] [--from-source]

Each round runs every command once, in a shuffled order, so slow moments of a shared
machine fall on all of them alike; the figures are medians over the rounds and the
ratio is taken both of the medians and, round by round, of the pair run side by side.

- show (page kept): the normal case from the second run on; the page comes from the
  render cache (docs/performance.md explains the cache).
- show (first showing): a page never shown before, once the pathway is kept compiled
  (any earlier `show` of that pathway compiles it) and the format's templates are kept
  compiled (any earlier `show` in that format keeps them: Jinja's bytecode cache): each
  round asks for another state, format and width (a width never asked before), so no
  page is ever kept for it.
- show (first showing, templates not kept): the same (html where the other row asks
  for json, which has no template), each round with every kept template removed first
  (outside the timing), so Jinja compiles the page's templates.
- show --no-cache: every run loads the pathway, checks it and renders the page.
- the stack: `python -c "import pydantic, jinja2, transitions, yaml"`.
- --help, and `python -c pass` for the interpreter's own start.

The cache folder is a fresh temporary one (the user's own is not touched).

Wall-clock time is what a reader waits; on a shared machine it is also the waiting for a
core (a busy one hands it out in steps of tens of milliseconds). So each run's CPU time
(user and system, from getrusage) is recorded too: what the command itself costs.

Python's own bytecode: the libraries of the stack were byte-compiled when pip installed
them, and so is pathways when installed from its wheel; an editable checkout is compiled
on its first import, unless PYTHONDONTWRITEBYTECODE is set (as it is where these
benchmarks have been run). So the package is byte-compiled first (`compileall`, as pip
does) and every command runs with the bytecode there. `--from-source` measures instead
what the earlier runs measured: the package's `__pycache__` removed and
PYTHONDONTWRITEBYTECODE=1, so pathways is compiled from source on every run (the
libraries are not); its results go to `cli_start_from_source.json`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, median, save, table

from pathways.loader import load_pathway

SCRIPT = str(Path(PYTHON).with_name("pathways"))
COMMANDS = {
    "show (page kept)": [SCRIPT, "show", "relapse", "--format", "text"],
    "show (first showing)": [],  # a new page each round: first_showing()
    "show (first showing, templates not kept)": [],  # the same, no kept template
    "stack import": [PYTHON, "-c", "import pydantic, jinja2, transitions, yaml"],
    "show --no-cache": [SCRIPT, "show", "relapse", "--format", "text", "--no-cache"],
    "pathways --help": [SCRIPT, "--help"],
    "python -c pass": [PYTHON, "-c", "pass"],
}


def first_showing(round_number: int, states: list[str]) -> tuple[list[str], str]:
    """A page not shown before: another state and format each round, and a width no
    round used (the width is part of a page's key, so the page cannot be kept)."""
    state = states[round_number % len(states)]
    fmt = ("text", "markdown", "html", "json")[round_number % 4]
    return [SCRIPT, "show", state, "--format", fmt], str(200 + round_number)


def python_bytecode(from_source: bool) -> dict[str, str]:
    """The package byte-compiled as an install is (or, ``from_source``, not at all), and
    the environment the commands run in."""
    package = ROOT / "src" / "pathways"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if from_source:
        for folder in package.rglob("__pycache__"):
            shutil.rmtree(folder)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        compileall.compile_dir(package, quiet=1)
    return env


CPU = "cpu"
"""Where each run's CPU time (user + system, of the command's process) is kept."""


def timed(command: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall-clock ms of one run; its CPU ms appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=True, timeout=120)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        cpu.append(used * 1000)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="pathways compiled from source on every run, as in earlier runs (see above)",
    )
    args = parser.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as cache:
        env = {**python_bytecode(args.from_source), "XDG_CACHE_HOME": cache, "COLUMNS": "80"}
        env.pop("PATHWAYS_NO_CACHE", None)
        kept_templates = Path(cache) / "pathways" / "renders"
        kept = subprocess.run(
            COMMANDS["show (page kept)"], capture_output=True, env=env, check=True
        )
        fresh = subprocess.run(
            COMMANDS["show --no-cache"], capture_output=True, env=env, check=True
        )
        assert kept.stdout == fresh.stdout, "the kept page must be the page rendered afresh"
        states = list(load_pathway(ROOT / "pathways.yaml").state_ids)
        # The first `show` above compiled the pathway: a new page is now made from that,
        # first with each format's templates compiled afresh, then loaded as kept.
        for n in range(8):
            command, width = first_showing(-1 - n, states)
            shown = subprocess.run(command, capture_output=True, env={**env, "COLUMNS": width})
            fresh = subprocess.run(
                [*command, "--no-cache"], capture_output=True, env={**env, "COLUMNS": width}
            )
            assert shown.stdout == fresh.stdout, "a page from the compiled pathway must be the same"
        for command in COMMANDS.values():  # warm the disk cache
            if command:
                timed(command, env)
        runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
        cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
        rng = random.Random(6)
        for round_number in range(args.rounds):
            names = list(COMMANDS)
            rng.shuffle(names)
            for name in names:
                if COMMANDS[name]:
                    runs[name].append(timed(COMMANDS[name], env, cpu[name]))
                elif name == "show (first showing)":
                    command, width = first_showing(round_number, states)
                    runs[name].append(timed(command, {**env, "COLUMNS": width}, cpu[name]))
                else:
                    command, width = first_showing(round_number + args.rounds, states)
                    if command[-1] == "json":  # no template: another templated format
                        command[-1] = "html"
                    for kept in kept_templates.glob("*.bytecode"):
                        kept.unlink()
                    runs[name].append(timed(command, {**env, "COLUMNS": width}, cpu[name]))
    medians = {name: median(values) for name, values in runs.items()}
    stack = medians["stack import"]
    pairs = {
        name: median([a / b for a, b in zip(runs[name], runs["stack import"], strict=True)])
        for name in runs
    }
    cpu_medians = {name: median(values) for name, values in cpu.items()}
    cpu_pairs = {
        name: median([a / b for a, b in zip(cpu[name], cpu["stack import"], strict=True)])
        for name in cpu
    }
    rows = [
        [
            name,
            f"{medians[name]:.0f}",
            f"{medians[name] / stack:.2f}",
            f"{pairs[name]:.2f}",
            f"{cpu_medians[name]:.0f}",
            f"{cpu_pairs[name]:.2f}",
        ]
        for name in COMMANDS
    ]
    header = ["command", "median ms", "÷ stack (medians)", "÷ stack (per round)"]
    print(table([*header, "CPU ms", "CPU ÷ stack (per round)"], rows))
    goal = pairs["show (page kept)"] < 1.0 and medians["show (page kept)"] < stack
    print(f"\ngoal (show takes less than importing the stack): {'met' if goal else 'NOT met'}")
    first = pairs["show (first showing)"] < 1.0 and medians["show (first showing)"] < stack
    print(f"goal (a first showing takes less than the stack): {'met' if first else 'NOT met'}")
    save(
        "cli_start_from_source" if args.from_source else "cli_start",
        {
            "rounds": args.rounds,
            "pathways_compiled_from_source_each_run": args.from_source,
            "load_average_before": load_before,
            "per_round_ratio_to_stack": {
                name: [a / b for a, b in zip(runs[name], runs["stack import"], strict=True)]
                for name in runs
            },
            "runs_ms": runs,
            "cpu_ms": cpu,
            "cpu_median_ms": cpu_medians,
            "cpu_ratio_to_stack_per_round_median": cpu_pairs,
            "median_ms": medians,
            "ratio_to_stack_of_medians": {n: medians[n] / stack for n in medians},
            "ratio_to_stack_per_round_median": pairs,
            "goal_met": goal,
            "first_showing_goal_met": first,
        },
    )


if __name__ == "__main__":
    main()
