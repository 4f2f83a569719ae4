"""The `pathways` command as a reader runs it: the installed entry point (``launch.main``)
in a fresh interpreter, with ``-X importtime`` so a test can see what it imported."""

from __future__ import annotations

import os
import subprocess
import sys


def run_pathways(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point (launch.main) in a fresh interpreter, as a reader runs it."""
    code = "import sys; from pathways.launch import main; sys.argv[0] = 'pathways'; main()"
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
        check=True,
    )


def imported(stderr: str) -> set[str]:
    """Top-level modules named in ``-X importtime`` output."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in stderr.splitlines()}
