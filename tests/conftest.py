"""Shared fixtures: the paths of the repository's content."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# A few hundred examples in CI; more with HYPOTHESIS_PROFILE=nightly.
settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("nightly", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _own_cache_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pathways show` keeps renders under $XDG_CACHE_HOME: each test gets its own folder,
    so no test reads another's renders or writes to the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def pathway_file() -> Path:
    """The repository's own pathways.yaml (the embedded default)."""
    return ROOT / "pathways.yaml"
