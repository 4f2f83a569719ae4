#!/usr/bin/env python3
"""Mutation testing of the core modules, one module at a time, each with its own tests.

    .venv/bin/python scripts/mutation.py                  # every core module (make mutation)
    .venv/bin/python scripts/mutation.py schema journey   # some of them
    .venv/bin/python scripts/mutation.py --retry-survivors schema   # survivors tried again
    .venv/bin/python scripts/mutation.py --report         # the figures so far, running nothing

mutmut 3 runs, for each mutant, every selected test that reached the mutated function. The
schema's validators and the error classes are reached by nearly every test, so one run
over the whole suite would take minutes per mutant. Here each module is mutated in a
folder of its own (``mutants/by-module/<module>/``, git-ignored), with a ``pyproject.toml``
whose ``[tool.mutmut]`` names that module alone and the test files that state its
behaviour (``SELECTION`` below); the rest of ``pyproject.toml`` (pytest's settings) is the
repository's. The properties run under the ``mutation`` hypothesis profile
(tests/conftest.py: few examples, derandomized, so a verdict is the same on every run).

Left out on purpose: the browser, server, subprocess and packaging suites, and tests marked
``child_process`` in the files chosen (a child process imports the unmutated code, so it
cannot see a mutant) and files whose tests of this module
are already in the selection. A run can be stopped (Ctrl-C) and started again: mutmut keeps
each verdict and tries only the mutants not yet tried.

The figures (killed, survived, no tests, timeout, not run) are printed per module and in
total, from mutmut's own record of each mutant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "mutants" / "by-module"
MUTMUT = Path(sys.executable).parent / "mutmut"

# The test files that state each module's behaviour, fastest first. Each module's own unit
# tests, and the few suites that check what it does from outside (the loader's broken
# documents and their expected messages, the hostile texts, the rendered pages).
SELECTION: dict[str, list[str]] = {
    "errors": [
        "tests/test_errors.py",
        "tests/test_schema.py",
        "tests/test_journey.py",
        "tests/test_loader.py",
    ],
    "schema": [
        "tests/test_schema.py",
        "tests/test_journey.py",
        "tests/test_loader.py",
        "tests/test_hostile.py",
        "tests/test_templating.py",
    ],
    "reader": [
        "tests/test_loader.py",
        "tests/test_schema.py",
        "tests/test_hostile.py",
    ],
    "loader": [
        "tests/test_loader.py",
        "tests/test_schema.py",
    ],
    "journey": [
        "tests/test_journey.py",
    ],
    "templating": [
        "tests/test_templating.py",
        "tests/test_hostile.py",
        "tests/test_writing_content.py",
        "tests/test_compiled.py",  # Renderer.render_view, a page from the compiled pathway
        "tests/test_renderer.py",
        "tests/test_bytecode.py",  # KeptBytecode, in process (its command tests are not run)
    ],
    "lint": [
        "tests/test_lint.py",
        "tests/test_lint_report.py",
        "tests/test_writing_content.py",
    ],
}

# What the selected tests read besides src/ and tests/ (mutmut copies them beside the mutants).
ALSO_COPY = ["pathways.yaml", "templates", "docs", "README.md", "Makefile", "scripts", "benchmarks"]

STATUSES = ("killed", "timeout", "survived", "no tests", "not checked")


def module_pyproject(module: str) -> str:
    """The repository's pyproject.toml with a ``[tool.mutmut]`` for ``module`` alone."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = re.compile(r"^\[tool\.mutmut\]\n.*?(?=^\[)", re.DOTALL | re.MULTILINE)
    if not table.search(text):
        raise SystemExit("pyproject.toml has no [tool.mutmut] table to replace")
    own = {
        "source_paths": ["src/"],
        "only_mutate": [f"src/pathways/{module}.py"],
        "also_copy": ALSO_COPY,
        "pytest_add_cli_args": [
            "-p",
            "no:cacheprovider",
            "-m",
            "not browser and not child_process",
        ],
        "pytest_add_cli_args_test_selection": SELECTION[module],
        # A mutant that loops for ever is stopped after 6 times (its tests' CPU time plus
        # 10 s for pytest to start and the emptied caches to fill), not mutmut's 30 times
        # (plus 1 s, too little for the start): minutes per loop on a shared machine.
        "timeout_multiplier": 3.0,
        "timeout_constant": 10.0,
    }
    lines = ["[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in own.items()]
    return table.sub(lambda _: "\n".join(lines) + "\n\n", text, count=1)


def prepare(module: str) -> Path:
    """The module's folder: links to the repository's files and its own pyproject.toml."""
    folder = WORK / module
    folder.mkdir(parents=True, exist_ok=True)
    for name in ["src", "tests", *ALSO_COPY]:
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    (folder / "pyproject.toml").write_text(module_pyproject(module), encoding="utf-8")
    return folder


def statuses(module: str) -> dict[str, str]:
    """Each mutant of ``module`` and its status as mutmut recorded it ("not checked": not
    tried yet)."""
    from mutmut.stats import status_by_exit_code

    meta = WORK / module / "mutants" / "src" / "pathways" / f"{module}.py.meta"
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def run(module: str, children: int, names: list[str] | None = None) -> None:
    folder = prepare(module)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation"}
    command = ["nice", "-n", "19", sys.executable, __file__, "--mutmut", "run"]
    command += ["--max-children", str(children)]
    log = folder / "run.log"
    start = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n")
        out.flush()
        subprocess.run(
            command + (names or []),
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    print(f"{module}: mutmut ran for {time.monotonic() - start:.0f} s (log: {log})")


def mutmut_with_whole_files(args: list[str]) -> None:
    """``mutmut ARGS``, each mutant tried against every test of each file that reached it.

    mutmut notes which tests call each function and runs only those against its mutants.
    A test reaches code that builds something shared only when it is the first to ask:
    a module-scoped fixture's pathway is validated for the first test of the file, a
    journey's machine is built once per pathway and cached. The tests after it use what
    the mutant built and would notice it, but are not run. So each function's tests are
    widened to the whole of every test file in which any test reached it.
    """
    import mutmut.__main__ as mutmut_main
    from mutmut.runners.harness import PytestRunner
    from mutmut.state import state

    collect = mutmut_main.collect_or_load_stats

    def collect_then_widen(*a: Any, **kw: Any) -> None:
        collect(*a, **kw)
        by_file: dict[str, set[str]] = {}
        for test in state().duration_by_test:
            by_file.setdefault(test.split("::")[0], set()).add(test.removeprefix("mutants/"))
        for tests in state().tests_by_mangled_function_name.values():
            files = {test.split("::")[0] for test in tests}
            tests |= set().union(*(by_file.get(f, set()) for f in files))

    # Each mutant's tests run in a process forked from this one, which has already run
    # the tests once: a cache filled then (the templates' environment, lint's word
    # lists) would hand the mutant what the unmutated code built. Empty them first.
    run_tests = PytestRunner.run_tests

    def run_tests_with_empty_caches(self: PytestRunner, **kw: Any) -> int:
        empty_caches()
        return run_tests(self, **kw)

    PytestRunner.run_tests = run_tests_with_empty_caches  # type: ignore[method-assign]
    mutmut_main.collect_or_load_stats = collect_then_widen
    mutmut_main.cli.main(args=args, prog_name="mutmut")


def empty_caches() -> None:
    """Empty every ``functools`` cache in the pathways package (module functions and
    methods of its classes)."""
    for name, module in list(sys.modules.items()):
        if name != "pathways" and not name.startswith("pathways."):
            continue
        for value in list(vars(module).values()):
            inside = list(vars(value).values()) if isinstance(value, type) else []
            for item in [value, *inside]:
                clear = getattr(item, "cache_clear", None)
                if callable(clear):
                    clear()


def report(modules: list[str]) -> None:
    total: Counter[str] = Counter()
    print(f"{'module':<12}" + "".join(f"{s:>13}" for s in STATUSES) + f"{'score':>8}")
    for module in modules:
        found = statuses(module)
        if not found:
            print(f"{module:<12}   not run yet (no mutants generated)")
            continue
        counts = Counter(found.values())
        others = {s: n for s, n in counts.items() if s not in STATUSES}
        if others:
            print(f"{module}: also {others}")
        total += counts
        print(f"{module:<12}" + "".join(f"{counts[s]:>13}" for s in STATUSES) + score(counts))
    print(f"{'total':<12}" + "".join(f"{total[s]:>13}" for s in STATUSES) + score(total))


def score(counts: Counter[str]) -> str:
    """Killed (a timeout counts as killed, as mutmut counts it) of the mutants tried."""
    tried = sum(counts[s] for s in STATUSES if s != "not checked")
    caught = counts["killed"] + counts["timeout"]
    return f"{100 * caught / tried:>7.1f}%" if tried else f"{'-':>8}"


def main() -> None:
    if sys.argv[1:2] == ["--mutmut"]:  # run() runs mutmut this way, in the module's folder
        mutmut_with_whole_files(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="*", metavar="MODULE", help=f"any of {', '.join(SELECTION)} (default: all)"
    )
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument(
        "--retry-survivors",
        action="store_true",
        help="try survivors, suspicious mutants and those with no tests again (tests added)",
    )
    parser.add_argument("--report", action="store_true", help="print the figures, run nothing")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(SELECTION))
    if unknown:
        parser.error(
            f"no such core module: {', '.join(unknown)} (choose from {', '.join(SELECTION)})"
        )
    modules = args.modules or list(SELECTION)
    if not args.report:
        for module in modules:
            run(module, args.max_children)
            if args.retry_survivors:
                again = ("survived", "suspicious", "no tests")
                survivors = [n for n, s in statuses(module).items() if s in again]
                if survivors:
                    run(module, args.max_children, survivors)
    report(modules)


if __name__ == "__main__":
    main()
