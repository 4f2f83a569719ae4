"""The built wheel carries the default pathway and templates, and works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from paths import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("pathways-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    return target


def test_wheel_carries_content_and_templates(wheel: Path) -> None:
    """The wheel holds pathways.yaml and every template, byte for byte as in the repo."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "pathways/_content/pathways.yaml" in names
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            rel = template.relative_to(ROOT).as_posix()
            assert f"pathways/_content/{rel}" in names, rel
    data = zipfile.ZipFile(wheel).read("pathways/_content/pathways.yaml")
    assert data == (ROOT / "pathways.yaml").read_bytes()


def _run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("PATHWAYS_FILE", None)
    env.pop("PATHWAYS_TEMPLATES", None)
    return subprocess.run(
        [sys.executable, "-m", "pathways", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_wheel_uses_its_own_copies_from_any_folder(
    installed: Path, tmp_path: Path
) -> None:
    """Installed from the wheel, pathways finds its packaged content from an empty folder."""
    where = _run(installed, tmp_path, "validate")
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith("ok: ")
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pathways.resources as r; print(r.default_pathway_file());"
            "print(r.default_templates_dir())",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    for line in probe.stdout.split():
        assert Path(line).is_relative_to(installed), line
    shown = _run(installed, tmp_path, "show", "relapse", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert '"id": "relapse"' in shown.stdout
