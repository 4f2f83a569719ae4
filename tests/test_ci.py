"""CI runs every suite: a test that would skip for want of a browser or a tool fails there,
and the Makefile installs exactly the browser the tests look for."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paths import ROOT

SKIPPING = """
import pytest

def test_needs_a_tool() -> None:
    pytest.skip("the tool is not installed")
"""

SKIPPING_MODULE = """
import pytest

pytest.skip("no browser here", allow_module_level=True)
"""


def _run_with(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """pytest on a skipping test and a skipping module beside a copy of our conftest, with
    CI set or not (other plugins not loaded: they are not what is tested)."""
    for name in ("conftest.py", "paths.py"):  # the conftest and what it imports
        shutil.copy(ROOT / "tests" / name, tmp_path / name)
    (tmp_path / "test_probe.py").write_text(SKIPPING, encoding="utf-8")
    (tmp_path / "test_probe_module.py").write_text(SKIPPING_MODULE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--continue-on-collection-errors",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_skip_fails_in_ci(tmp_path: Path, ci: str) -> None:
    """With CI set, a skipped test and a module that skips itself each fail, with why."""
    result = _run_with(tmp_path, ci)
    assert result.returncode != 0, result.stdout
    assert re.search(r"FAILED .*test_probe\.py::test_needs_a_tool - skipped, but CI", result.stdout)
    assert re.search(r"ERROR .*test_probe_module\.py - skipped, but CI", result.stdout)


@pytest.mark.parametrize("ci", [None, "false"])
def test_a_skip_is_a_skip_elsewhere(tmp_path: Path, ci: str | None) -> None:
    """Without CI (or with CI=false) a missing tool skips the tests that need it."""
    result = _run_with(tmp_path, ci)
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout


def test_the_makefile_installs_the_browser_the_tests_drive() -> None:
    """`make setup-test` checks for the very file the browser tests launch, and CI sets CI."""
    support = (ROOT / "tests" / "browser_support.py").read_text(encoding="utf-8")
    match = re.search(r'^CHROMIUM = Path\("([^"]+)"\)', support, re.M)
    assert match
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"CHROMIUM := {match.group(1)}\n" in makefile
    assert "test -x $(CHROMIUM) || scripts/install-chromium" in makefile
    assert "command -v chromium" not in makefile  # a chromium elsewhere is not the one used
    assert 'export CI="${CI:-true}"' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
