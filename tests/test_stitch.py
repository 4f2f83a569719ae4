"""New pages, fast and exact: a state page made once per place and stitched per journey
equals the page rendered in full, and a new journey's page answered before routing equals
the routed answer, headers included."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from paths import DATA, MINIMAL, ROOT
from pathways.catalogue import load_catalogue
from pathways.journey import MAX_PATH, Journey
from pathways.links import MODES, Mode, mount_of
from pathways.links import ROOT as MOUNT
from pathways.loader import load_pathway, parse_pathway
from pathways.middleware.finished import KeptAnswers
from pathways.pages import Pages
from pathways.schema import Pathway
from pathways.web import create_app, create_catalogue_app

PATHWAY_FILES = [ROOT / "pathways.yaml", *sorted((DATA / "pathways").glob("*.yaml"))]


def _marked_up() -> Pathway:
    """The smallest pathway with markup, quotes and ampersands in its states' titles (each
    shown escaped in the path so far)."""
    text = MINIMAL.read_text(encoding="utf-8")
    for title in ("The leukaemia has come back", "Remission", "Palliative care"):
        text = text.replace(f"title: {title}", f"""title: "<b>{title}</b> & 'a' \\"b\\"" """)
    return parse_pathway(text, "marked-up.yaml")


@functools.cache
def _pathways() -> tuple[Pathway, ...]:
    return (*(load_pathway(path) for path in PATHWAY_FILES), _marked_up())


@functools.cache
def _pages(index: int) -> Pages:
    """The pages of one pathway, served as one of a catalogue of all of them (presenter
    mode then offers the others, when under its mount)."""
    listed = [(p.metadata.id, p.metadata.title) for p in _pathways()]
    return Pages(_pathways()[index], None, catalogue=listed)


@contextmanager
def mounted(root: str) -> Iterator[None]:
    """Pages made as for an app mounted at ``root`` (``MountRoot`` does this per request)."""
    reset = MOUNT.set(root)
    try:
        yield
    finally:
        MOUNT.reset(reset)


@st.composite
def journeys(draw: st.DrawFn, pathway: Pathway) -> Journey:
    """A journey as readers and nurses make them: a start (or a way in) with topics, then
    steps, jumps, backs and topic changes in any order."""
    topics = {c.id: draw(st.sampled_from([v.id for v in c.values])) for c in pathway.contexts}
    ways_in = [None, *(c.start for c in pathway.chapters)]
    journey = Journey.begin(pathway, topics, at=draw(st.sampled_from(ways_in)))
    # Now and then a path at the bound or past it, the oldest places let go (the path so
    # far then says so, and numbers the steps kept as they were taken).
    for _ in range(draw(st.sampled_from([0, 0, 0, MAX_PATH - 1, MAX_PATH + 4]))):
        if journey.next_steps() and draw(st.booleans()):
            journey = journey.step(journey.next_steps()[0].trigger)
        else:
            journey = journey.jump(draw(st.sampled_from(pathway.state_ids)))
    for _ in range(draw(st.integers(0, 8))):
        move = draw(st.sampled_from(["step", "step", "jump", "back", "topic", "restart"]))
        if move == "step" and journey.next_steps():
            journey = journey.step(draw(st.sampled_from(journey.next_steps())).trigger)
        elif move == "jump":
            journey = journey.jump(draw(st.sampled_from(pathway.state_ids)))
        elif move == "back":
            journey = journey.back()
        elif move == "topic" and pathway.contexts:
            context = draw(st.sampled_from(pathway.contexts))
            value = draw(st.sampled_from([v.id for v in context.values]))
            journey = journey.with_context(**{context.id: value})
        elif move == "restart":
            journey = journey.restart()
    return journey


@given(data=st.data())
def test_a_stitched_page_is_the_page_rendered_in_full(data: st.DataObject) -> None:
    """For any journey, in either mode, at the root or under a catalogue's mount, the page
    stitched from its place's skeleton is byte for byte the page rendered whole."""
    index = data.draw(st.integers(0, len(_pathways()) - 1), label="pathway")
    pages = _pages(index)
    journey = data.draw(journeys(pages.pathway), label="journey")
    mode: Mode = data.draw(st.sampled_from(MODES), label="mode")
    root = data.draw(st.sampled_from(["", mount_of(pages.pathway.metadata.id)]), label="root")
    with mounted(root):
        stitched = pages.state_page(journey, mode)
        assert stitched == pages.full_state_page(journey, mode)
        # The second time from the same skeleton (the first one checked it).
        assert pages.state_page(journey, mode) == stitched
    # The shipped templates show the journey only in the slots: nothing is made in full.
    assert not pages._skeletons.in_full and not pages._shapes.in_full


def test_one_skeleton_serves_every_journey_at_a_place(pathway: Pathway) -> None:
    """Journeys at the same place with different paths share one skeleton, and each page
    shows its own path and its own links."""
    pages = Pages(pathway, None)
    there = pathway.state_ids[3]
    first = Journey.begin(pathway).jump(pathway.state_ids[1]).jump(there)
    second = Journey.begin(pathway).jump(pathway.state_ids[2]).jump(pathway.state_ids[5])
    second = second.jump(there)
    pages.state_page(first, "patient")
    page = pages.state_page(second, "patient")
    assert len(pages._skeletons) == 1
    assert page == pages.full_state_page(second, "patient")
    assert f"/j/{second.token}/step/" in page or not second.next_steps()
    assert f'href="/j/{second.back().token}"' in page
    assert first.token not in page
    assert pathway.state(pathway.state_ids[5]).title in page


def test_paths_let_go_at_the_bound_each_show_their_own_count(pathway: Pathway) -> None:
    """Two journeys at the same place with paths of the same shape, one with more steps let
    go at the bound than the other: each page says how many of its own are not shown, and
    numbers its steps from there (one skeleton for the place; a shape for each count)."""
    pages = Pages(pathway, None)
    there = pathway.state_ids[1]
    history = tuple(pathway.state_ids[i % 3] for i in range(MAX_PATH - 1))
    fewer = Journey(pathway, there, history, earlier=2)
    more = Journey(pathway, there, history, earlier=7)
    for mode in MODES:
        first = pages.state_page(fewer, mode)
        second = pages.state_page(more, mode)
        assert first == pages.full_state_page(fewer, mode)
        assert second == pages.full_state_page(more, mode)
        assert "2 steps before these" in first and "Step 3:" in first
        assert "7 steps before these" in second and "Step 8:" in second
        assert "Step 3:" not in second


def test_skeletons_are_bounded_in_count_and_size(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past either bound the least recently used skeleton goes; pages stay exact."""
    monkeypatch.setattr("pathways.stitch.SKELETON_CACHE", 2)
    pages = Pages(pathway, None)
    start = Journey.begin(pathway)
    for state_id in pathway.state_ids[:5]:
        journey = start.jump(state_id)
        assert pages.state_page(journey, "patient") == pages.full_state_page(journey, "patient")
    assert len(pages._skeletons) == 2
    monkeypatch.setattr("pathways.stitch.SKELETON_CACHE_BYTES", 1)
    journey = start.jump(pathway.state_ids[6])
    assert pages.state_page(journey, "present") == pages.full_state_page(journey, "present")
    assert len(pages._skeletons) == 1  # the newest always stays
    assert pages._skeletons.size == sum(
        len(p) for p in next(iter(pages._skeletons.values())) if isinstance(p, bytes)
    )


def test_templates_that_show_more_of_the_journey_are_rendered_in_full(
    tmp_path: Path, pathway: Pathway, caplog: pytest.LogCaptureFixture
) -> None:
    """A user's state template that shows the path outside its slot (here, how many places
    it holds) gets every page right: that place's pages are rendered in full, and the log
    says so once."""
    shipped = (ROOT / "templates" / "web" / "state.html").read_text(encoding="utf-8")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "state.html").write_text(
        shipped.replace(
            '<h2 id="path-heading">Your path so far</h2>',
            '<h2 id="path-heading">Your path so far ({{ path|length }} places)</h2>',
        ),
        encoding="utf-8",
    )
    pages = Pages(pathway, tmp_path)
    there = pathway.state_ids[4]
    short = Journey.begin(pathway).jump(there)
    long = Journey.begin(pathway).jump(pathway.state_ids[1]).jump(pathway.state_ids[2])
    long = long.jump(there)
    with caplog.at_level(logging.WARNING, logger="pathways.pages"):
        assert "(2 places)" in pages.state_page(short, "patient")
        assert "(4 places)" in pages.state_page(long, "patient")
        assert "(2 places)" in pages.state_page(short, "patient")
    assert pages.state_page(long, "patient") == pages.full_state_page(long, "patient")
    assert len(pages._skeletons.in_full) == 1 and not pages._skeletons
    warned = [r for r in caplog.records if "rendered in full" in r.getMessage()]
    assert len(warned) == 1 and there in warned[0].getMessage()
    # The presenter page, whose template is the shipped one, is still stitched.
    pages.state_page(short, "present")
    assert len(pages._skeletons) == 1


def test_a_path_template_that_shows_more_of_a_place_is_rendered_each_time(
    tmp_path: Path, pathway: Pathway, caplog: pytest.LogCaptureFixture
) -> None:
    """A user's web/_path.html that changes a title (here, to capitals) gets every path
    right: paths of that shape are rendered each time, and the log says so once."""
    shipped = (ROOT / "templates" / "web" / "_path.html").read_text(encoding="utf-8")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "_path.html").write_text(
        shipped.replace("{{ place.title }}", "{{ place.title|upper }}"), encoding="utf-8"
    )
    pages = Pages(pathway, tmp_path)
    first = Journey.begin(pathway).jump(pathway.state_ids[2])
    second = Journey.begin(pathway).jump(pathway.state_ids[5])
    with caplog.at_level(logging.WARNING, logger="pathways.pages"):
        for journey in (first, second, first):
            page = pages.state_page(journey, "patient")
            assert page == pages.full_state_page(journey, "patient")
            assert pathway.state(journey.state).title.upper() in page
    assert len(pages._shapes.in_full) == 1 and not pages._shapes
    assert pages._skeletons  # the rest of the page is still made once
    warned = [r for r in caplog.records if "web/_path.html" in r.getMessage()]
    assert len(warned) == 1


# --------------------------------------------------------------------------- before routing


def _answer(client: TestClient, method: str, url: str, gzip: bool) -> tuple[object, ...]:
    headers = {"accept-encoding": "gzip" if gzip else "identity"}
    response = client.request(method, url, headers=headers)
    return response.status_code, list(response.headers.items()), response.content


def _spied(pages: Pages) -> list[bytes | None]:
    """What ``journey_page`` answers each time it is asked (None: left to the routes)."""
    answers: list[bytes | None] = []
    real = pages.journey_page

    def spy(root: str, path: str) -> bytes | None:
        answers.append(real(root, path))
        return answers[-1]

    pages.journey_page = spy  # type: ignore[method-assign]
    return answers


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("gzip", [False, True])
def test_a_new_page_before_routing_is_the_routed_answer(
    pathway: Pathway, method: str, gzip: bool
) -> None:
    """A new journey's page made before routing, and the same page kept, answer exactly as
    the route answers (status, every header, body), for GET and HEAD, in both modes."""
    fast, routed = create_app(pathway=pathway), create_app(pathway=pathway)
    made = _spied(fast.state.pages)
    journey = Journey.begin(pathway).step(Journey.begin(pathway).next_steps()[0].trigger)
    journey = journey.jump(pathway.state_ids[-1])
    with TestClient(fast) as f, TestClient(routed) as r:
        for prefix in ("/j", "/present"):
            url = f"{prefix}/{journey.token}"
            # A query sends a request through the routes (the page reads none).
            expected = _answer(r, method, f"{url}?from=test", gzip)
            assert expected[0] == 200
            assert _answer(f, method, url, gzip) == expected  # made before routing
            assert made[-1] is not None
            assert _answer(f, method, url, gzip) == expected  # kept
            assert _answer(r, method, url, gzip) == expected  # kept by the route


def test_a_new_page_under_a_catalogue_mount_is_the_routed_answer() -> None:
    """Under ``/p/<id>`` too: the page before routing equals the routed page, its links
    under the mount."""
    catalogue = load_catalogue(PATHWAY_FILES)
    fast, routed = create_catalogue_app(catalogue), create_catalogue_app(catalogue)
    entry = catalogue.served[1]
    made = _spied(fast.state.children[entry.id].state.pages)
    journey = Journey.begin(entry.pathway).jump(entry.pathway.state_ids[-1])
    url = f"{mount_of(entry.id)}/present/{journey.token}"
    with TestClient(fast) as f, TestClient(routed) as r:
        expected = _answer(r, "GET", f"{url}?from=test", True)
        assert _answer(f, "GET", url, True) == expected
        assert made == [made[0]] and made[0] is not None
        assert f'href="{url}/map#map-' in f.get(url).text


@pytest.mark.parametrize(
    ("tail", "status"),
    [
        ("/j/", 404),
        ("/j/not-a-token", 400),
        ("/present/{token}x", 400),
        ("/j/{token}/", 307),
        ("/j/{token}/map", 200),
        ("/j/{token}/print", 200),
        ("/x/{token}", 404),
    ],
)
def test_anything_unusual_is_left_to_the_routes(pathway: Pathway, tail: str, status: int) -> None:
    """A bad token, a trailing slash, another page or address: not made before routing,
    and answered as before (a friendly 400, a redirect, the page)."""
    app = create_app(pathway=pathway)
    made = _spied(app.state.pages)
    url = tail.replace("{token}", Journey.begin(pathway).token)
    with TestClient(app, follow_redirects=False) as client:
        answer = client.get(url)
    assert made == [None]
    assert answer.status_code == status


# --------------------------------------------------------------------------- kept answers


def _kept_answers(app: Any) -> KeptAnswers:
    """The app's ``KeptAnswers`` (Starlette builds the middleware stack on first use)."""
    layer = app.middleware_stack
    while not isinstance(layer, KeptAnswers):
        layer = layer.app
    return layer


def test_a_kept_answer_is_sent_again_only_for_a_plain_request(pathway: Pathway) -> None:
    """A plain GET or HEAD of a kept page gets its first answer again, headers and all
    (gzip or not); a conditional request still gets its 304, an oversized one its 431,
    one with a query its page through every middleware."""
    app = create_app(pathway=pathway)
    url = f"/j/{Journey.begin(pathway).jump(pathway.state_ids[2]).token}"
    with TestClient(app) as client:
        first = {(m, g): _answer(client, m, url, g) for m in ("GET", "HEAD") for g in (0, 1)}
        answers = _kept_answers(app)._answers
        assert len(answers) == 4
        for (method, gzip), answer in first.items():
            assert _answer(client, method, url, bool(gzip)) == answer
        etag = client.get(url).headers["etag"]
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304
        assert client.get(url, headers={"x-big": "x" * 20_000}).status_code == 431
        assert client.get(f"{url}?from=here").content == first[("GET", 0)][2]
        assert len(answers) == 4


def test_kept_answers_are_bounded(pathway: Pathway, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound the least recently used answers go; every answer stays right."""
    monkeypatch.setattr("pathways.middleware.finished.ANSWERS_KEPT", 2)
    app = create_app(pathway=pathway)
    start = Journey.begin(pathway)
    with TestClient(app) as client:
        for state_id in pathway.state_ids[:4]:
            url = f"/j/{start.jump(state_id).token}"
            assert client.get(url).content == client.get(url).content
        assert len(_kept_answers(app)._answers) == 2
