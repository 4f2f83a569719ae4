"""A test of the tests: plant each of eight known bugs in a copy of the repository and
check that the suite catches it.

    .venv/bin/python scripts/plant_bugs.py            # every bug, after a clean baseline
    .venv/bin/python scripts/plant_bugs.py --list     # what each bug is
    .venv/bin/python scripts/plant_bugs.py hidden_purpose token_checksum
    make plant-bugs

For each bug: the working tree (without .git, .venv and caches) is copied to a temporary
folder, one small snippet is replaced by exact text (the script fails loudly if the
snippet is no longer there, so it is kept up to date with the code), and the part of the
suite that should notice runs there with the copy's own ``src`` first on the path. A bug
is *caught* when that run fails (pytest exit status 1); the failing tests are listed.
First the same selections run on an unchanged copy, which must pass, so a failure is the
bug's and nothing else's. The exit status is 0 only if every bug is caught.

The bugs are those of issue 14: an unescaped content field, a hidden purpose statement,
the advice rule skipping questions, an @import from another host in the standalone page,
diagram order from hash(), a guard that forgets the default topic, a token whose checksum
is not checked, and a support line too faint to read.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = {
    ".git",
    ".venv",
    "node_modules",
    ".hypothesis",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "mutants",
    "build",
    "dist",
    "__pycache__",
    ".mutmut-cache",
}


@dataclass(frozen=True)
class Bug:
    name: str
    what: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]


BUGS = (
    Bug(
        "unescaped_section",
        "a fact's section printed with |safe on the web pages (an unescaped content field)",
        "templates/web/_macros.html",
        "section “<bdi>{{ fact.section }}</bdi>”.</p>",
        "section “<bdi>{{ fact.section|safe }}</bdi>”.</p>",
        ("tests/test_hostile.py",),
    ),
    Bug(
        "hidden_purpose",
        "the intended-purpose statement in the HTML but hidden",
        "templates/web/_base.html",
        '<div class="purpose">',
        '<div class="purpose" hidden>',
        ("tests/test_browser.py", "-k", "see_the_statement"),
    ),
    Bug(
        "advice_skips_questions",
        "lint's advice rule leaves out the states' questions",
        "src/pathways/lint.py",
        '    ("lint",),  # the advice phrases themselves\n',
        '    ("lint",),  # the advice phrases themselves\n    ("states", "questions"),\n',
        ("tests/test_lint.py", "-k", "advice"),
    ),
    Bug(
        "import_from_another_host",
        "an @import url(https://...) in the standalone HTML's <style>",
        "templates/html/_style.html",
        "<style>\n",
        "<style>\n@import url(https://fonts.example.com/css?family=Inter);\n",
        ("tests/test_privacy.py", "tests/test_templating.py"),
    ),
    Bug(
        "diagram_order_by_hash",
        "the diagram's boxes ordered by hash() (differs between processes)",
        "src/pathways/diagram.py",
        "s.id == highlight) for s in pathway.states)",
        "s.id == highlight) for s in sorted(pathway.states, key=lambda s: hash(s.id)))",
        ("tests/test_determinism.py",),
    ),
    Bug(
        "guard_forgets_the_default",
        "a step limited to some topics is hidden under the default topic (which narrows nothing)",
        "src/pathways/schema.py",
        "chosen.get(name) in values or chosen.get(name) == defaults.get(name)",
        "chosen.get(name) in values",
        ("tests/test_interchange.py", "-k", "scxml and not example"),
    ),
    Bug(
        "token_checksum_unchecked",
        "a journey token's checksum is not verified",
        "src/pathways/journey.py",
        "if digest != expected or body[0] not in TOKEN_VERSIONS:",
        "if body[0] not in TOKEN_VERSIONS:",
        ("tests/test_journey.py", "-k", "token"),
    ),
    Bug(
        "faint_support_line",
        "the support line in light grey on white (1.6:1, unreadable for many)",
        "templates/web/static/site.css",
        "/* pathways: one calm, high-contrast stylesheet",
        ".support p, .support strong, .support a { color: #c8c8c8 !important; }\n"
        "/* pathways: one calm, high-contrast stylesheet",
        ("tests/test_browser.py", "-k", "see_the_statement"),
    ),
)


def copy_tree(into: Path) -> Path:
    """The working tree, as it is now (uncommitted changes included), without caches."""
    target = into / "repo"
    shutil.copytree(ROOT, target, ignore=lambda folder, names: [n for n in names if n in LEFT_OUT])
    if (ROOT / "node_modules").is_dir():  # axe-core for the browser tests; read only
        (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target


def plant(repo: Path, bug: Bug) -> None:
    """Replace the bug's snippet, once; fail loudly if it is not there exactly once."""
    path = repo / bug.file
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    found = text.count(bug.find)
    if found == 0:
        raise SystemExit(
            f"{bug.file}: the snippet for '{bug.name}' is no longer there:\n  {bug.find!r}\n"
            "update scripts/plant_bugs.py to plant the same bug in the code as it is now"
        )
    if found > 1:
        raise SystemExit(f"{bug.file}: the snippet for '{bug.name}' is there {found} times")
    path.write_text(text.replace(bug.find, bug.replace, 1), encoding="utf-8")


def run_tests(repo: Path, args: tuple[str, ...]) -> tuple[int, list[str], str]:
    """pytest in the copy, importing the copy's code: exit status, failed tests, output."""
    env = {**os.environ, "PYTHONPATH": str(repo / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CI", None)
    where = subprocess.run(
        [sys.executable, "-c", "import pathways; print(pathways.__file__)"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(str(repo)):
        raise SystemExit(f"the copy imports pathways from {where}, not from {repo}/src")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", result.stdout, re.M)
    return result.returncode, failed, result.stdout + result.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", help="names of the bugs to plant (default: all)")
    parser.add_argument("--list", action="store_true", help="list the bugs and stop")
    parser.add_argument("--no-baseline", action="store_true", help="skip the clean run first")
    options = parser.parse_args()
    known = {bug.name: bug for bug in BUGS}
    if options.list:
        for bug in BUGS:
            print(f"{bug.name:28} {bug.what}\n{'':28} {bug.file}; tests: {' '.join(bug.tests)}")
        return 0
    unknown = [name for name in options.bugs if name not in known]
    if unknown:
        parser.error(f"unknown bugs: {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[name] for name in options.bugs] or list(BUGS)

    with tempfile.TemporaryDirectory(prefix="plant-bugs-") as folder:
        if not options.no_baseline:
            clean = copy_tree(Path(folder) / "clean")
            for bug in chosen:  # every snippet is still there before anything runs
                plant(Path(folder) / "clean" / "repo", bug)
            shutil.rmtree(clean)
            clean = copy_tree(Path(folder) / "clean")
            selections = {bug.tests for bug in chosen}
            print(f"baseline: {len(selections)} selections on an unchanged copy ...", flush=True)
            for tests in sorted(selections):
                status, failed, output = run_tests(clean, tests)
                if status != 0:
                    print(output[-3000:])
                    raise SystemExit(f"baseline fails ({' '.join(tests)}): {failed}")
        results: list[tuple[Bug, bool, list[str], float]] = []
        for bug in chosen:
            repo = copy_tree(Path(folder) / bug.name)
            plant(repo, bug)
            started = time.monotonic()
            status, failed, output = run_tests(repo, bug.tests)
            if status not in (0, 1):
                print(output[-3000:])
                raise SystemExit(f"{bug.name}: pytest could not run ({status}): {bug.tests}")
            caught = status == 1
            results.append((bug, caught, failed, time.monotonic() - started))
            mark = "caught" if caught else "NOT CAUGHT"
            print(f"{mark:11} {bug.name}: {bug.what}", flush=True)
            for test in failed[:8]:
                print(f"{'':11}   by {test}")
            if len(failed) > 8:
                print(f"{'':11}   and {len(failed) - 8} more")
            shutil.rmtree(repo.parent)
    missed = [bug.name for bug, caught, _, _ in results if not caught]
    print(f"\n{len(results) - len(missed)} of {len(results)} planted bugs caught")
    if missed:
        print("not caught: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
