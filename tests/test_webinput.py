"""Whatever a browser, a crawler or an abuser sends, the web app answers calmly: random and
mutated addresses, tokens, queries and headers never get a 500, oversized requests are
refused before any work is done, and pages answer GET and HEAD only."""

from __future__ import annotations

import functools
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from paths import ROOT
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.middleware.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES
from pathways.schema import Pathway
from pathways.web import create_app


@functools.cache
def _pathway() -> Pathway:
    return load_pathway(ROOT / "pathways.yaml")


@functools.cache
def _client() -> TestClient:
    return TestClient(create_app(pathway=_pathway()), follow_redirects=False)


@functools.cache
def _tokens() -> tuple[str, ...]:
    """Real tokens: a few journeys, each a step or two long, in each topic."""
    pathway = _pathway()
    found = []
    for context in ({}, {"philadelphia": "positive"}, {"philadelphia": "negative"}):
        journey = Journey.begin(pathway, context)
        found.append(journey.token)
        for step in journey.next_steps()[:3]:
            moved = journey.step(step.trigger)
            found.append(moved.token)
            found.extend(moved.step(s.trigger).token for s in moved.next_steps()[:2])
    return tuple(found)


def _app_pathway() -> Pathway:
    pages = _client().app.state.pages  # type: ignore[attr-defined]
    pathway: Pathway = pages.pathway
    return pathway


@st.composite
def mutated_tokens(draw: st.DrawFn) -> str:
    """A real token with characters changed, dropped, added, or cut short."""
    token = draw(st.sampled_from(_tokens()))
    chars = list(token)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["change", "drop", "add", "cut"]))
        at = draw(st.integers(0, max(0, len(chars) - 1)))
        letter = draw(st.sampled_from("AQIabz019-_=.~%"))
        if action == "change" and chars:
            chars[at] = letter
        elif action == "drop" and chars:
            del chars[at]
        elif action == "add":
            chars.insert(at, letter)
        else:
            chars = chars[:at]
    return "".join(chars)


SEGMENT = st.one_of(
    st.sampled_from(["j", "present", "step", "jump", "map", "print", "topic", "begin", "static"]),
    st.sampled_from(["relapse", "reinduction", "palliative_care", "site.css", "..", ".", ""]),
    st.text(max_size=20).map(lambda s: quote(s, safe="")),
    st.binary(max_size=8).map(lambda b: quote(b, safe="")),
)

QUERY = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["philadelphia", "to", "mode", "v", "utm_source"]), st.text()),
        st.one_of(
            st.sampled_from(["positive", "negative", "any", "present", "relapse"]), st.text()
        ),
    ),
    max_size=4,
).map(lambda pairs: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs))

HEADER_NAME = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=20
).filter(lambda n: n not in ("content-length", "transfer-encoding", "host", "connection"))
HEADER_VALUE = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
).map(str.strip)
HEADERS = st.dictionaries(
    st.one_of(
        HEADER_NAME,
        st.sampled_from(["accept", "accept-language", "if-none-match", "range", "cookie"]),
    ),
    HEADER_VALUE,
    max_size=5,
)


def _calm(response: httpx.Response) -> None:
    assert response.status_code < 500, response.status_code
    assert response.status_code in (200, 303, 304, 307, 400, 404, 405, 413, 414, 422, 431)
    if response.content:
        assert response.headers.get("content-type"), "a body says what it is"


@given(
    prefix=st.sampled_from(["j", "present"]),
    token=st.one_of(mutated_tokens(), st.sampled_from(_tokens())),
    tail=st.sampled_from(["", "/map", "/print", "/step/x", "/jump/relapse", "/jump", "/topic"]),
    query=QUERY,
    headers=HEADERS,
)
def test_mutated_journey_addresses_never_get_a_500(
    prefix: str, token: str, tail: str, query: str, headers: dict[str, str]
) -> None:
    """A real token, damaged or not, under any page, query and headers: never a 500."""
    url = f"/{prefix}/{quote(token, safe='')}{tail}" + (f"?{query}" if query else "")
    response = _client().get("http://testserver" + url, headers=headers)
    _calm(response)


@given(segments=st.lists(SEGMENT, min_size=1, max_size=5), query=QUERY, headers=HEADERS)
def test_random_addresses_never_get_a_500(
    segments: list[str], query: str, headers: dict[str, str]
) -> None:
    """Any path of random segments, query and headers: an answer, never a 500."""
    url = "/" + "/".join(segments) + (f"?{query}" if query else "")
    for method in ("GET", "HEAD"):
        response = _client().request(method, "http://testserver" + url, headers=headers)
        _calm(response)


@given(query=QUERY)
def test_any_topic_query_to_begin_never_gets_a_500(query: str) -> None:
    """/begin with any query: a journey (303) or a friendly 400, never a 500."""
    response = _client().get(f"/begin?{query}")
    assert response.status_code in (303, 400)


# --------------------------------------------------------------------------- oversized


def test_a_very_long_address_is_refused_with_414() -> None:
    """An address past the limit is refused (414) with the friendly page and its headers."""
    response = _client().get("/j/" + "A" * MAX_URL_BYTES)
    assert response.status_code == 414
    assert "text/html" in response.headers["content-type"]
    assert "content-security-policy" in response.headers
    assert "Something in that address is not right" in response.text


def test_a_long_query_counts_toward_the_limit() -> None:
    """A short path with a very long query is refused the same way."""
    assert _client().get("/?q=" + "x" * MAX_URL_BYTES).status_code == 414


def test_the_longest_real_journey_is_well_inside_the_limit() -> None:
    """A journey at the longest history a token holds still opens (the limit is not too low)."""
    pathway = _app_pathway()
    journey = Journey.begin(pathway)
    for n in range(400):
        journey = journey.jump(pathway.state_ids[n % len(pathway.state_ids)])
    url = f"/present/{journey.token}/step/x?philadelphia=positive"
    assert len(url) < MAX_URL_BYTES / 2
    assert _client().get(f"/present/{journey.token}").status_code == 200


def test_very_large_headers_are_refused_with_431() -> None:
    """Headers past the limit are refused (431)."""
    response = _client().get("/", headers={"x-filler": "a" * MAX_HEADER_BYTES})
    assert response.status_code == 431


def test_a_large_body_is_refused_with_413() -> None:
    """A body past the limit, declared or streamed, is refused (413) before it is used."""
    client = _client()
    assert client.post("/begin", content=b"x" * (MAX_BODY_BYTES + 1)).status_code == 413
    assert client.request("GET", "/", headers={"content-length": "999999999999"}).status_code == 413
    assert client.request("GET", "/", headers={"content-length": "x"}).status_code == 413


def test_a_small_body_on_a_page_is_ignored() -> None:
    """A page answers a GET that carries a small body as it answers any GET."""
    assert _client().request("GET", "/", content=b"hello").status_code == 200


# --------------------------------------------------------------------------- methods


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
def test_pages_answer_get_and_head_only(method: str) -> None:
    """Every kind of page refuses other methods with 405 and says which are allowed."""
    token = _tokens()[1]
    for url in [
        "/",
        "/begin",
        f"/j/{token}",
        f"/present/{token}",
        f"/j/{token}/map",
        f"/j/{token}/print",
        f"/j/{token}/step/x",
        f"/j/{token}/jump/relapse",
        "/static/site.css",
    ]:
        response = _client().request(method, url)
        assert response.status_code == 405, (method, url)
        assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_pages_answer_get_and_head(method: str) -> None:
    """GET and HEAD reach every kind of page."""
    token = _tokens()[1]
    for url in ["/", f"/j/{token}", f"/present/{token}", f"/j/{token}/print", "/static/site.css"]:
        assert _client().request(method, url).status_code == 200, (method, url)
