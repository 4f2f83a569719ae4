"""The bound on a journey's length (``journey.MAX_PATH``): every address stays small and
costs about what a short one does, a link past the bound gets a page that offers a way on,
and walking on with a full path says that earlier places are no longer kept.

Cost is stated as counts, never time (benchmarks/long_journeys.py times it): the places a
page lists, the links it carries, its bytes. The longest journey a token can hold is made
here as anyone could make it (the token's key is public): ``MAX_PATH`` places, every state
of the pathway walked in turn, ending at the state under test.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from htmltree import Node, parse
from paths import DATA, ROOT
from pathways.journey import (
    MAX_PATH,
    MAX_TOKEN_CHARS,
    Journey,
    PathTooLongError,
    _fingerprint,
    _varint,
)
from pathways.loader import load_pathway
from pathways.schema import Pathway
from pathways.web import create_app

PAGE_LIMIT = 64 * 1024
"""No page, whatever its address, passes this many bytes."""

FILES = [ROOT / "pathways.yaml", *sorted((DATA / "pathways").glob("*.yaml"))]

KINDS = {
    "state": "/j/{}",
    "presenter": "/present/{}",
    "map": "/j/{}/map",
    "presenter map": "/present/{}/map",
    "print": "/j/{}/print",
    "notes": "/j/{}/notes",
    "embed": "/embed/{}",
    "embed notes": "/embed/{}/notes",
    "api": "/api/journeys/{}",
}
"""Every kind of answer an address with a journey in it gets."""


def longest(pathway: Pathway, at: str, *, jumped: bool = False) -> Journey:
    """The longest journey a token can hold, ending at ``at``: ``MAX_PATH`` places, every
    state of the pathway in turn (as many distinct places as there are), all walked (or
    all jumped to)."""
    cycle = [*(s for s in pathway.state_ids if s != at), at]
    places = list(itertools.islice(itertools.cycle(cycle), len(cycle) * MAX_PATH))[-MAX_PATH:]
    flags = (True,) * MAX_PATH if jumped else ()
    return Journey(pathway, at, tuple(places[:-1]), pathway.check_context(None), flags)


def token_of(pathway: Pathway, places: list[str], version: int = 2) -> str:
    """A token of any length, made as an older engine (or anyone) would make it: version 2
    (each place walked) or version 1, default topics."""
    body = bytearray([version])
    for context in pathway.contexts:
        body.append([v.id for v in context.values].index(context.default))
    for state in places:
        index = pathway.state_ids.index(state)
        body += _varint(index << 1 if version == 2 else index)
    digest = hashlib.blake2s(bytes(body), key=_fingerprint(pathway), digest_size=4).digest()
    return base64.urlsafe_b64encode(bytes(body) + digest).rstrip(b"=").decode("ascii")


def old_link(pathway: Pathway, places: int = 250, version: int = 2) -> tuple[str, list[str]]:
    """A token as links held before the bound (250 places), and its places."""
    path = list(itertools.islice(itertools.cycle(pathway.state_ids), places))
    return token_of(pathway, path, version), path


@pytest.fixture(scope="module", params=FILES, ids=lambda f: f.name)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Pathway, TestClient]]:
    pathway = load_pathway(Path(request.param))
    with TestClient(create_app(pathway=pathway)) as client:
        yield pathway, client


def links_of(page: Node) -> list[str]:
    return [a.attrs.get("href") or a.attrs.get("xlink:href") or "" for a in page.find_all("a")]


def path_entries(html: str) -> int:
    """The places of "your path so far" on a page (each list's entries, hidden ones too)."""
    return len(re.findall(r'<li class="path-(?:step|looked)"', html))


# --------------------------------------------------------------------------- size and cost


def test_a_token_holds_at_most_max_path_places(served: tuple[Pathway, TestClient]) -> None:
    """The longest journey's token is short (a place is a byte or two) and reads back."""
    pathway, _ = served
    journey = longest(pathway, pathway.start)
    assert len(journey.path) == MAX_PATH
    assert len(journey.token) <= 4 * (MAX_PATH * 2 + len(pathway.contexts) + 5) // 3 + 1
    assert Journey.from_token(pathway, journey.token) == journey


@pytest.mark.parametrize("jumped", [False, True], ids=["walked", "jumped"])
def test_the_longest_journey_is_small_and_costs_counted_like_a_short_one(
    served: tuple[Pathway, TestClient], jumped: bool
) -> None:
    """For every state and every kind of page, the longest journey's page is under 64 KB,
    lists at most MAX_PATH places (each list), carries exactly the links a two-place
    journey's page at the same state carries (a longer path adds no link, only a longer
    token in each), and its print page describes no more places than the pathway has."""
    pathway, client = served
    titles = [pathway.state(s).title for s in pathway.state_ids]
    for state in pathway.state_ids:
        long = longest(pathway, state, jumped=jumped)
        short = Journey.begin(pathway).jump(state)  # with a back link, as the long one
        for kind, address in KINDS.items():
            answer = client.get(address.format(long.token))
            brief = client.get(address.format(short.token))
            assert answer.status_code == brief.status_code == 200, (kind, state)
            assert len(answer.content) < PAGE_LIMIT, (kind, state, len(answer.content))
            if kind == "api":
                data = answer.json()
                assert len(data["journey"]["path"]) == MAX_PATH
                assert len(data["links"]["steps"]) == len(brief.json()["links"]["steps"])
                continue
            lists = answer.text.count('<ul class="path-list">')
            assert path_entries(answer.text) <= MAX_PATH * lists, (kind, state)
            page, brief_page = parse(answer.text), parse(brief.text)
            assert len(links_of(page)) == len(links_of(brief_page)), (kind, state)
            if kind == "print":
                walked = page.find("ol", class_="print-path").find_all("li")
                assert len(walked) <= len(titles)


def test_every_move_from_the_longest_journey_stays_within_the_bound(
    served: tuple[Pathway, TestClient],
) -> None:
    """A step, a jump, back and a topic change from a full path all lead to a journey
    that a link can hold (the pages show it, never the page for a link past the bound)."""
    pathway, client = served
    for state in pathway.state_ids:
        long = longest(pathway, state)
        moves = [f"/j/{long.token}/jump/{pathway.start}", f"/j/{long.token}/topic"]
        moves += [f"/j/{long.token}/step/{s.trigger}" for s in long.next_steps()]
        for move in moves:
            response = client.get(move, follow_redirects=False)
            assert response.status_code == 303, move
            token = urlsplit(response.headers["location"]).path.split("/")[2]
            moved = Journey.from_token(pathway, token)
            assert len(moved.path) <= MAX_PATH
            assert client.get(response.headers["location"]).status_code == 200


# --------------------------------------------------------------------------- at the bound


def test_walking_on_with_a_full_path_says_earlier_places_are_not_kept(
    served: tuple[Pathway, TestClient],
) -> None:
    """The oldest place goes; the path says so in words and numbers the steps kept as
    they were taken (the first kept is step 2, not step 1); the print page says so too."""
    pathway, client = served
    full = longest(pathway, pathway.start)
    assert not full.trimmed
    steps = full.next_steps()
    moved = full.step(steps[0].trigger) if steps else full.jump(pathway.start)
    assert len(moved.path) == MAX_PATH
    assert moved.trimmed and moved.earlier == 1
    assert moved.path == (*full.path[1:], moved.state)
    page = parse(client.get(f"/j/{moved.token}").text)
    said = page.find("p", class_="path-earlier").text
    assert said == (
        "Your path began earlier: 1 step before these is not shown, because a link keeps"
        f" only the last {MAX_PATH} pages of your path."
    )
    first = page.find("ul", class_="path-list").find_all("li")[0].text
    assert first.startswith("Step 2:")
    printed = parse(client.get(f"/j/{moved.token}/print").text)
    assert "began earlier" in printed.find("p", class_="print-earlier").text
    # A short journey says nothing of the kind.
    assert 'class="path-earlier"' not in client.get(f"/j/{Journey.begin(pathway).token}").text


def test_back_still_works_on_a_trimmed_path(served: tuple[Pathway, TestClient]) -> None:
    """Back walks the places kept, saying all the way that earlier ones are not kept;
    at the first kept place there is no back link, and start again is always there."""
    pathway, client = served
    journey = longest(pathway, pathway.start).jump(pathway.start)
    assert journey.trimmed
    for _ in range(MAX_PATH - 1):
        page = parse(client.get(f"/j/{journey.token}").text)
        back = page.find("a", class_="back-link").attrs["href"]
        assert back == f"/j/{journey.back().token}"
        journey = journey.back()
        assert journey.trimmed
    page = parse(client.get(f"/j/{journey.token}").text)
    assert not page.find_all("a", class_="back-link")
    assert page.find("p", class_="path-earlier")
    assert f"/j/{journey.restart().token}" in links_of(page)


# --------------------------------------------------------------------------- past the bound


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(
    ("kind", "address"),
    [
        ("state", "/j/{}"),
        ("presenter", "/present/{}"),
        ("print", "/j/{}/print"),
        ("map", "/j/{}/map"),
        ("step", "/j/{}/step/x"),
        ("embed", "/embed/{}"),
    ],
)
def test_an_old_long_link_gets_a_page_that_offers_a_way_on(
    served: tuple[Pathway, TestClient], version: int, kind: str, address: str
) -> None:
    """A link of 250 places (as links were before the bound): 410, noindex, the site's
    frame (statement and support line), plain words, and two links that work and lead
    where they say: on from the same step with the most recent places kept, or afresh
    from that step; both keep the topics."""
    pathway, client = served
    token, places = old_link(pathway, version=version)
    response = client.get(address.format(token), follow_redirects=False)
    assert response.status_code == 410
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    text = page.text
    assert pathway.metadata.intended_purpose in text
    assert pathway.support_line.phone in text and pathway.support_line.name in text
    assert page.find("h1").text == "This link holds a longer path than a link can keep"
    assert "This link remembers 250 pages of a path" in text
    assert f"Links to this guide now remember only the last {MAX_PATH}" in text
    here = pathway.state(places[-1]).title
    assert f"The link was at: {here}" in text
    ways = {
        a.text: a.attrs["href"] or "" for a in page.find("ul", class_="ways-back").find_all("a")
    }
    on = next(href for label, href in ways.items() if label.startswith("Go on from"))
    afresh = next(href for label, href in ways.items() if label.startswith("Start afresh"))
    mode = "embed" if kind == "embed" else "present" if kind == "presenter" else "j"
    for href in (on, afresh):
        assert href.startswith(f"/{mode}/"), href
        followed = client.get(href)
        assert followed.status_code == 200, href
        journey = Journey.from_token(pathway, urlsplit(href).path.split("/")[2])
        assert journey.state == places[-1] and journey.context == Journey.begin(pathway).context
    kept = Journey.from_token(pathway, urlsplit(on).path.split("/")[2])
    assert kept.path == tuple(places[-MAX_PATH:]) and kept.trimmed
    assert kept.earlier == 250 - MAX_PATH  # every place of an old link was walked
    assert "began earlier" in client.get(on).text
    fresh = Journey.from_token(pathway, urlsplit(afresh).path.split("/")[2])
    assert fresh.path == (places[-1],) and not fresh.trimmed


def test_the_api_answers_a_long_link_with_a_problem_and_the_ways_on(
    served: tuple[Pathway, TestClient],
) -> None:
    """Every journey address of the API: 410 problem details of type journey-too-long,
    ``allowed`` giving the journey kept to the bound, then the one begun afresh there."""
    pathway, client = served
    token, places = old_link(pathway)
    for tail in ("", "/back", "/restart", f"/jump/{pathway.start}", "/topics"):
        response = client.get(f"/api/journeys/{token}{tail}")
        assert response.status_code == 410, tail
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("#problem-journey-too-long")
        assert "250 places" in problem["detail"]
        assert problem["intended_purpose"] == pathway.metadata.intended_purpose
        kept_at, fresh_at = problem["allowed"]
        kept = client.get(kept_at).json()["journey"]
        fresh = client.get(fresh_at).json()["journey"]
        assert kept["path"] == places[-MAX_PATH:] and kept["earlier"] == 250 - MAX_PATH
        assert fresh["path"] == [places[-1]] and fresh["earlier"] is None


def test_a_path_past_the_bound_is_read_then_refused_with_the_journey_kept(
    served: tuple[Pathway, TestClient],
) -> None:
    """One place past the bound is a PathTooLongError carrying the journey kept; a token
    longer than any link ever held is damaged."""
    pathway, _ = served
    token, places = old_link(pathway, MAX_PATH + 1)
    with pytest.raises(PathTooLongError) as caught:
        Journey.from_token(pathway, token)
    assert caught.value.places == MAX_PATH + 1
    assert caught.value.kept.path == tuple(places[1:])
    assert caught.value.fresh.path == (places[-1],)
    huge, _ = old_link(pathway, 2000)
    assert len(huge) > MAX_TOKEN_CHARS
    response = TestClient(create_app(pathway=pathway)).get(f"/j/{huge}")
    assert response.status_code == 400


# --------------------------------------------------------------------------- any walk

_moves = st.lists(
    st.tuples(st.sampled_from(["step", "jump", "back", "topic"]), st.integers(0, 50)),
    min_size=MAX_PATH,
    max_size=3 * MAX_PATH,
)

_REAL = load_pathway(ROOT / "pathways.yaml")


@given(plan=_moves)
def test_every_journey_reachable_stays_within_the_bound(plan: list[tuple[str, int]]) -> None:
    """Whatever a reader does (steps, jumps, back, topic changes), the journey holds at
    most MAX_PATH places, its token reads back as the same journey, and a way on is always
    there (a step, back, or start again)."""
    pathway = _REAL
    contexts = [(c.id, [v.id for v in c.values]) for c in pathway.contexts]
    journey = Journey.begin(pathway)
    for move, n in plan:
        if move == "step":
            steps = journey.next_steps()
            journey = journey.step(steps[n % len(steps)].trigger) if steps else journey
        elif move == "jump":
            journey = journey.jump(pathway.state_ids[n % len(pathway.state_ids)])
        elif move == "back":
            journey = journey.back()
        elif contexts:
            name, values = contexts[n % len(contexts)]
            journey = journey.with_context(**{name: values[n % len(values)]})
        assert len(journey.path) <= MAX_PATH
        assert Journey.from_token(pathway, journey.token) == journey
        assert journey.restart().path == (pathway.start,)
        if journey.earlier is not None:
            assert journey.earlier <= len(plan)


def test_in_a_catalogue_a_long_link_gets_the_page_under_its_own_pathway() -> None:
    """Under a catalogue (each pathway at /p/<id>/), the page for a link past the bound is
    the same 410 with noindex, and its ways on stay under that pathway's address."""
    from pathways.catalogue import load_catalogue
    from pathways.web import create_catalogue_app

    app = create_catalogue_app(load_catalogue(FILES))
    client = TestClient(app)
    for pathway_id, child in app.state.children.items():
        pathway: Pathway = child.state.pages.pathway
        token, _ = old_link(pathway)
        response = client.get(f"/p/{pathway_id}/j/{token}")
        assert response.status_code == 410
        assert response.headers["x-robots-tag"] == "noindex"
        offered = parse(response.text).find("ul", class_="ways-back").find_all("a")
        for link in offered[:2]:
            href = link.attrs["href"] or ""
            assert href.startswith(f"/p/{pathway_id}/j/"), href
            assert client.get(href).status_code == 200
        page = client.get(f"/p/{pathway_id}/j/{Journey.begin(pathway).token}")
        assert page.headers["x-robots-tag"] == "noindex"
        assert page.headers["cache-control"] == "private, no-cache"
