"""Shared fixtures: the paths of the repository's content, its pathway and the web app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from paths import MINIMAL, ROOT

if TYPE_CHECKING:  # the app's modules are imported by the fixtures that use them
    from fastapi.testclient import TestClient

    from pathways.schema import Pathway


# A hundred examples in CI; more with HYPOTHESIS_PROFILE=nightly.
settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("nightly", max_examples=5000, deadline=None)
# Mutation testing (scripts/mutation.py) runs the tests once per mutant: few examples, the
# same ones each time, so a mutant's verdict does not depend on the luck of the draw.
settings.register_profile("mutation", max_examples=10, deadline=None, derandomize=True)
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


@pytest.fixture(scope="module")
def pathway() -> Pathway:
    """The repository's own pathway, loaded once per test module."""
    from pathways.loader import load_pathway

    return load_pathway(ROOT / "pathways.yaml")


@pytest.fixture(scope="module")
def real(pathway: Pathway) -> Pathway:
    """The repository's own pathway (the same object as ``pathway``), by the name the
    tests that also use ``minimal`` give it."""
    return pathway


@pytest.fixture(scope="module")
def minimal() -> Pathway:
    """tests/data/minimal.yaml, the smallest valid pathway, loaded once per test module."""
    from pathways.loader import load_pathway

    return load_pathway(MINIMAL)


@pytest.fixture(scope="module")
def client(pathway: Pathway) -> Iterator[TestClient]:
    """The web app for ``pathway`` (no embed origins), redirects not followed; a module
    that needs another app defines its own ``client``."""
    from fastapi.testclient import TestClient

    from pathways.web import create_app

    with TestClient(create_app(pathway=pathway), follow_redirects=False) as c:
        yield c


# --------------------------------------------------------------------------- CI runs every suite


def _in_ci() -> bool:
    """CI sets CI (CI=true, CI=1); there every test must run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _fail_the_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
    report.outcome = "failed"
    report.longrepr = (
        f"skipped, but CI must run every suite (CI={os.environ['CI']!r}): {reason}\n"
        "install what it needs (make setup-test) instead of letting it skip"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """In CI a module that skips itself (no chromium, say) fails instead."""
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()  # type: ignore[attr-defined]
    if _in_ci() and report.skipped:
        _fail_the_skip(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI a skipped test (no node, no libyaml, no installed script) fails instead; an
    expected failure (xfail) is left as it is."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        _fail_the_skip(report)
