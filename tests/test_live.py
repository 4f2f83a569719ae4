"""Live content reload: a broken edit never reaches a reader, a fix switches over, no
request is dropped on the way."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paths import ROOT
from pathways.journey import Journey
from pathways.live import LiveApp, snapshot
from pathways.loader import load_pathway
from pathways.web import create_app
from serving import get, serving

TEXT = (ROOT / "pathways.yaml").read_text(encoding="utf-8")
TITLE = load_pathway(ROOT / "pathways.yaml").state("relapse").title
BROKEN = "dest: reinductoin"


def _break(text: str) -> str:
    """The pathway with one transition sent to a state that does not exist."""
    broken = text.replace("dest: reinduction", BROKEN, 1)
    assert broken != text
    return broken


def _retitle(text: str, title: str) -> str:
    assert TITLE in text
    return text.replace(TITLE, title, 1)


def _live(pathway: Path) -> LiveApp:
    return LiveApp(lambda: create_app(pathway), [pathway], interval=0.05)


RELAPSE_URL = "/j/" + Journey.begin(load_pathway(ROOT / "pathways.yaml"), at="relapse").token
"""The relapse page (a token names states by their place, so it fits every copy here)."""


def _relapse_title(client: TestClient) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", client.get(RELAPSE_URL).text, re.S)
    assert found
    return found.group(1).strip()


# --------------------------------------------------------------------------- in process


def test_nothing_changed_means_no_rebuild(tmp_path: Path) -> None:
    """Looking at unchanged files builds nothing."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    live = _live(pathway)
    first = live.app
    assert live.check() is False
    assert live.app is first and live.version == 1


def test_a_broken_edit_keeps_the_last_good_version_and_logs_where(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken file leaves the old app in place and logs file:line:col of the problem."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    live = _live(pathway)
    client = TestClient(live)
    before = _relapse_title(client)
    first = live.app
    pathway.write_text(_retitle(_break(TEXT), "Never shown"), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="pathways.live"):
        assert live.check() is False
    assert live.app is first
    assert _relapse_title(client) == before
    line = 1 + _break(TEXT)[: _break(TEXT).index(BROKEN)].count("\n")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert re.search(rf"{re.escape(str(pathway))}:{line}:\d+: .*reinductoin", logged), logged
    assert "hint: did you mean 'reinduction'?" in logged
    assert "still serving the last good version" in logged


def test_a_fix_switches_over_and_old_links_still_open(tmp_path: Path) -> None:
    """After a fix the new content is served, and a link made before opens on it."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    live = _live(pathway)
    client = TestClient(live)
    link = client.get("/begin", follow_redirects=False).headers["location"]
    pathway.write_text(_break(TEXT), encoding="utf-8")
    assert live.check() is False
    pathway.write_text(_retitle(TEXT, "A new title for relapse"), encoding="utf-8")
    assert live.check() is True
    assert live.version == 2
    assert _relapse_title(client) == "A new title for relapse"
    assert client.get(link).status_code == 200


def test_a_templates_change_is_seen(tmp_path: Path) -> None:
    """A file added to a watched templates folder counts as a change."""
    folder = tmp_path / "templates"
    folder.mkdir()
    before = snapshot([folder])
    (folder / "new.txt").write_text("x", encoding="utf-8")
    assert snapshot([folder]) != before
    assert snapshot([tmp_path / "missing"]) != snapshot([tmp_path / "other"])


def test_the_watcher_thread_starts_and_stops_with_the_app(tmp_path: Path) -> None:
    """Lifespan start runs the watcher (which picks up an edit by itself); shutdown ends it."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    live = _live(pathway)
    with TestClient(live) as client:
        assert live._thread is not None and live._thread.is_alive()
        pathway.write_text(_retitle(TEXT, "Seen by the watcher"), encoding="utf-8")
        deadline = time.monotonic() + 30
        while live.version == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _relapse_title(client) == "Seen by the watcher"
    assert live._thread is None


# --------------------------------------------------------------------------- a real server


def test_serve_reload_content_with_readers_in_flight(tmp_path: Path) -> None:
    """`pathways serve --reload-content`: while readers ask for pages without pause, a
    broken edit is logged with its place and changes nothing while readers go on, the
    fix is served next, and every request gets its page."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    with serving(tmp_path, ["--pathway", str(pathway), "--reload-content"]) as server:
        page = f"{server.url}{RELAPSE_URL}"
        answers: list[int] = []
        stop = threading.Event()

        def read() -> None:
            deadline = time.monotonic() + 600  # a hang guard
            while not stop.is_set() and time.monotonic() < deadline and len(answers) < 50_000:
                answers.append(get(page)[0])

        readers = [threading.Thread(target=read) for _ in range(4)]
        for reader in readers:
            reader.start()
        try:
            pathway.write_text(_retitle(_break(TEXT), "Never shown"), encoding="utf-8")
            _wait_for(lambda: "still serving the last good version" in server.output(), 120)
            assert re.search(rf"{re.escape(str(pathway))}:\d+:\d+: ", server.output())
            assert TITLE in get(page)[2].decode()
            during_broken = len(answers)
            _wait_for(lambda: len(answers) >= during_broken + 20, 120)  # readers go on
            pathway.write_text(_retitle(TEXT, "Relapse, as edited"), encoding="utf-8")
            _wait_for(lambda: "Relapse, as edited" in get(page)[2].decode(), 120)
            assert "Never shown" not in get(page)[2].decode()
            after_fix = len(answers)
            _wait_for(lambda: len(answers) >= after_fix + 20, 120)
        finally:
            stop.set()
            for reader in readers:
                reader.join(timeout=60)
    assert len(answers) >= 40
    assert set(answers) == {200}, sorted(set(answers))


def _wait_for(condition: object, timeout: float) -> None:
    """Until the condition holds; ``timeout`` is a hang guard, not a speed check."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not seen within {timeout} s")


def test_a_page_is_unchanged_by_a_broken_edit(tmp_path: Path) -> None:
    """The same journey renders the same page before and after a refused edit."""
    pathway = tmp_path / "pathways.yaml"
    pathway.write_text(TEXT, encoding="utf-8")
    live = _live(pathway)
    client = TestClient(live)
    before = client.get(RELAPSE_URL).text
    pathway.write_text(_break(TEXT), encoding="utf-8")
    live.check()
    assert client.get(RELAPSE_URL).text == before


# --------------------------------------------------------------------------- templates


def _live_templates(tmp_path: Path) -> tuple[LiveApp, Path]:
    """A live app whose templates folder holds its own copy of the map page."""
    folder = tmp_path / "templates"
    (folder / "web").mkdir(parents=True)
    (folder / "web" / "map.html").write_text(
        (ROOT / "templates" / "web" / "map.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    live = LiveApp(
        lambda: create_app(ROOT / "pathways.yaml", folder, snapshot_templates=True),
        [folder],
        interval=0.05,
    )
    return live, folder / "web" / "map.html"


def test_a_broken_template_keeps_the_last_good_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A template edited into bad syntax is refused at its line, and the running app goes
    on with the template it was checked with, even for a page it had not yet made."""
    live, page = _live_templates(tmp_path)
    client = TestClient(live)
    page.write_text("{% extends 'web/_base.html' %}\n{% if %}broken\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="pathways.live"):
        assert live.check() is False
    assert re.search(rf"{re.escape(str(page))}:2:\d+: ", caplog.text), caplog.text
    response = client.get(f"{RELAPSE_URL}/map")
    assert response.status_code == 200
    assert "broken" not in response.text


def test_a_template_fix_is_served(tmp_path: Path) -> None:
    """A template edit that compiles and renders every page is switched to."""
    live, page = _live_templates(tmp_path)
    client = TestClient(live)
    assert "A note from the authors" not in client.get(f"{RELAPSE_URL}/map").text
    original = page.read_text(encoding="utf-8")
    marked = original.replace(
        "{% block content %}", "{% block content %}A note from the authors", 1
    )
    assert marked != original
    page.write_text(marked, encoding="utf-8")
    assert live.check() is True
    assert "A note from the authors" in client.get(f"{RELAPSE_URL}/map").text
