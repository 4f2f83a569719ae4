"""The web app, request by request: every page and error, headers, no cookies, escaping."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from htmltree import parse
from paths import MINIMAL, ROOT
from pathways.errors import ContentError
from pathways.glossary import mark_terms
from pathways.journey import Journey
from pathways.loader import load_pathway, parse_pathway
from pathways.middleware.headers import CONTENT_SECURITY_POLICY
from pathways.schema import Pathway
from pathways.web import create_app

# --------------------------------------------------------------------------- fixtures


def url_of(journey: Journey, tail: str = "", mode: str = "j") -> str:
    return f"/{mode}/{journey.token}{tail}"


def journey_at(pathway: Pathway, *triggers: str, **context: str) -> Journey:
    journey = Journey.begin(pathway, context or None)
    for trigger in triggers:
        journey = journey.step(trigger)
    return journey


def follow(client: TestClient, url: str) -> Journey:
    """Request ``url``, expect 303, and return the journey the new address stands for."""
    response = client.get(url)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    token = urlsplit(location).path.split("/")[2]
    pathway = client.app.state.pages.pathway  # type: ignore[attr-defined]
    return Journey.from_token(pathway, token)


def every_page(pathway: Pathway) -> list[str]:
    at_relapse = journey_at(pathway, "goes_into_remission", "comes_back")
    return [
        "/",
        url_of(at_relapse),
        url_of(at_relapse, mode="present"),
        url_of(at_relapse, "/map"),
        url_of(at_relapse, "/map", mode="present"),
        url_of(at_relapse, "/print"),
        url_of(at_relapse, "/notes"),
        "/glossary",
        url_of(at_relapse, "/step/no_such_step"),
        url_of(at_relapse, "/jump/no_such_state"),
        "/j/not-a-token",
        "/no/such/page",
    ]


# --------------------------------------------------------------------------- the start page


def test_start_page_offers_one_start_form_and_a_topic_choice(
    client: TestClient, pathway: Pathway
) -> None:
    """The start page has one form: the topics as radio buttons and one submit button per
    way in (chapter), the first of them the start button."""
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response.text)
    forms = page.find_all("form")
    begin = [f for f in forms if f.attrs.get("action") == "/begin"]
    assert len(begin) == 1
    buttons = begin[0].find_all("button")
    assert [b.text for b in buttons] == [c.title for c in pathway.chapters]
    assert [b.attrs["value"] for b in buttons] == [c.id for c in pathway.chapters]
    assert buttons[0].has_class("button-start")
    radios = begin[0].find_all("input", type="radio")
    labels = {page.find("label", for_=r.attrs["id"] or "").text for r in radios}
    assert labels == {"All types of ALL", "Philadelphia positive ALL", "Philadelphia negative ALL"}
    checked = [r for r in radios if "checked" in r.attrs]
    assert [r.attrs["value"] for r in checked] == ["not_known"]


def test_start_page_topic_choice_is_a_topic_not_a_question(client: TestClient) -> None:
    """The choice reads 'Show information for', never a question about the reader."""
    page = parse(client.get("/").text)
    legend = page.find("legend").text
    assert legend.startswith("Show information for")
    assert "?" not in legend
    assert not re.search(r"\b(are you|do you|your type)\b", legend, re.I)


def test_start_page_lists_the_other_ways_to_get_help(client: TestClient, pathway: Pathway) -> None:
    """Every support contact appears on the start page, with a phone link."""
    page = parse(client.get("/").text)
    text = page.text
    for contact in pathway.support:
        assert contact.name in text
        assert contact.phone in text
    phones = [
        a.attrs["href"] for a in page.find_all("a") if (a.attrs.get("href") or "")[:4] == "tel:"
    ]
    assert f"tel:{pathway.support_line.phone.replace(' ', '')}" in phones


def test_begin_starts_a_journey_with_the_chosen_topic(client: TestClient, pathway: Pathway) -> None:
    """/begin redirects (303) to the start state's page, carrying the topic in the token."""
    journey = follow(client, "/begin?philadelphia=positive")
    assert journey.state == pathway.start
    assert journey.context["philadelphia"] == "positive"
    assert follow(client, "/begin").context["philadelphia"] == "not_known"


def test_begin_with_an_unknown_topic_is_a_friendly_400(client: TestClient) -> None:
    """A topic value the pathway does not have gets a 400 page with a way back."""
    response = client.get("/begin?philadelphia=maybe")
    assert response.status_code == 400
    assert parse(response.text).find("a", href="/")


# --------------------------------------------------------------------------- state pages


def test_every_state_has_a_page(client: TestClient, pathway: Pathway) -> None:
    """Each state's page shows its title as the one h1, its summary and every question."""
    start = Journey.begin(pathway)
    for state in pathway.states:
        response = client.get(url_of(start.jump(state.id)))
        assert response.status_code == 200
        page = parse(response.text)
        assert [h.text for h in page.find_all("h1")] == [" ".join(state.title.split())]
        assert state.summary in page.text
        for question in state.questions:
            assert question in page.text


def test_choices_are_every_next_step_with_equal_weight(
    client: TestClient, pathway: Pathway
) -> None:
    """At a branch every next step is a link of the same kind, in the pathway's order."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey)).text)
    items = page.find("ul", class_="choices").find_all("li")
    steps = journey.next_steps()
    assert [li.find("a").find("span", class_="choice-label").text for li in items] == [
        s.label for s in steps
    ]
    assert len({li.attrs.get("class") for li in items}) == 1
    assert len({li.find("a").attrs.get("class") for li in items}) == 1
    assert "palliative_care" in {s.dest for s in steps}
    assert not re.search(
        r"recommended|best option|preferred", page.find("section", class_="next").text, re.I
    )


def test_each_choice_leads_to_its_state(client: TestClient, pathway: Pathway) -> None:
    """Following a choice's link arrives at that step's destination, one step further on."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey)).text)
    links = [a.attrs["href"] or "" for a in page.by_class("choice-link")]
    for step, href in zip(journey.next_steps(), links, strict=True):
        moved = follow(client, href)
        assert moved.state == step.dest
        assert moved.history == journey.path


def test_a_step_for_one_topic_says_so(client: TestClient, pathway: Pathway) -> None:
    """With no topic narrowed, a Philadelphia positive step is labelled as for that topic only."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey)).text)
    notes = [n.text for n in page.by_class("applies")]
    assert notes == ["For Philadelphia positive ALL only."]


def test_a_narrowed_topic_hides_steps_for_other_topics(
    client: TestClient, pathway: Pathway
) -> None:
    """With Philadelphia negative chosen, the Philadelphia positive step is not offered."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back", philadelphia="negative")
    page = parse(client.get(url_of(journey)).text)
    labels = [n.text for n in page.by_class("choice-label")]
    assert labels == [s.label for s in journey.next_steps()]
    assert not any("TKI" in label for label in labels)
    assert not page.by_class("applies")


def test_back_link_returns_to_the_previous_state(client: TestClient, pathway: Pathway) -> None:
    """The back link goes to the journey one step back; the start page of a walk has none."""
    journey = journey_at(pathway, "goes_into_remission")
    page = parse(client.get(url_of(journey)).text)
    back = page.find("a", class_="back-link").attrs["href"] or ""
    assert Journey.from_token(pathway, back.split("/")[2]) == journey.back()
    first = parse(client.get(url_of(Journey.begin(pathway))).text)
    assert not first.by_class("back-link")


def test_path_so_far_lists_the_states_visited(client: TestClient, pathway: Pathway) -> None:
    """'Your path so far' lists every state walked in order as numbered steps, the
    current one marked."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey)).text)
    items = page.find("section", class_="path").find("ul", class_="path-list").find_all("li")
    titles = [pathway.state(s).title for s in journey.path]
    assert [li.text.removesuffix(" (you are here)") for li in items] == [
        f"Step {n}: {title}" for n, title in enumerate(titles, 1)
    ]
    assert [li.attrs.get("aria-current") for li in items] == [None, None, "step"]


def test_a_jump_is_looked_at_not_a_step(client: TestClient, pathway: Pathway) -> None:
    """A nurse's jump from the start to palliative care shows palliative care as looked
    at, never as step 2 of the path, on the state page and the print page."""
    journey = Journey.begin(pathway).jump("palliative_care")
    title = pathway.state("palliative_care").title
    page = parse(client.get(url_of(journey)).text)
    items = page.find("section", class_="path").find("ul", class_="path-list").find_all("li")
    assert [li.text.removesuffix(" (you are here)") for li in items] == [
        f"Step 1: {pathway.state(pathway.start).title}",
        f"Looked at: {title}",
    ]
    printed = parse(client.get(url_of(journey) + "/print").text)
    walked = printed.find("section", class_="print-walked")
    assert [h.text for h in walked.find("ol", class_="print-path").find_all("h3")] == [
        pathway.state(pathway.start).title
    ]
    assert title in walked.find("p", class_="print-looked").text
    assert f"Looked at: {title}" in printed.find("ul", class_="path-list").text


def test_numbers_have_an_icon_array_of_ten_people(client: TestClient, pathway: Pathway) -> None:
    """A number shows 10 people, as many solid as the count, labelled by the words beside
    it: the figure, what a filled figure stands for, and whom the figures are about."""
    page = parse(client.get(url_of(Journey.begin(pathway))).text)
    svg = page.find("svg", class_="icon-array")
    people = [g for g in svg.find_all("g") if g.has_class("person-in") or g.has_class("person-out")]
    assert len(people) == 10
    assert sum(g.has_class("person-in") for g in people) == 9
    assert svg.attrs["role"] == "img"
    words = page.find("div", id=svg.attrs["aria-labelledby"] or "")
    assert "9 in 10" in words.text
    assert "Each filled figure stands for" in words.text
    assert pathway.metadata.scope is not None
    assert pathway.metadata.scope.text in " ".join(words.text.split())
    solid, hollow = (
        next(g for g in people if g.has_class(kind)) for kind in ("person-in", "person-out")
    )
    assert solid.attrs["fill"] != hollow.attrs["fill"]  # solid vs outline, not a hue change


def test_glossary_terms_are_explained_on_the_page(client: TestClient, pathway: Pathway) -> None:
    """Each term linked in the text points at its definition on the same page."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey)).text)
    links = page.by_class("term")
    assert links
    for link in links:
        target = (link.attrs["href"] or "").removeprefix("#")
        entry = page.find("div", id=target)
        assert entry.find("dd").text
    defined = {n.attrs["id"] for n in page.by_class("term-entry")}
    assert defined == {f"term-{t}" for t in pathway.state(journey.state).terms}


def test_state_page_shows_sources_and_review_dates(client: TestClient, pathway: Pathway) -> None:
    """A state's page names the sources its facts cite, who reviewed the content and the
    review dates, in words ('30 November 2026'), never as ISO dates."""
    page = parse(client.get(url_of(Journey.begin(pathway))).text)
    sources = " ".join(page.find("section", class_="sources").text.split())
    meta = pathway.metadata
    assert pathway.sources[0].title in sources
    for date in (meta.reviewed, meta.next_review, pathway.sources[0].accessed):
        assert date.strftime("%-d %B %Y") in sources
        assert date.isoformat() not in sources
    assert meta.reviewer is not None
    assert meta.reviewer.role in sources


# --------------------------------------------------------------------------- steps, jumps, topics


def test_unknown_step_is_a_friendly_404_listing_the_steps(
    client: TestClient, pathway: Pathway
) -> None:
    """An unknown step gets a 404 page that links back and lists the steps that do exist."""
    journey = journey_at(pathway, "goes_into_remission")
    response = client.get(url_of(journey, "/step/fly_away"))
    assert response.status_code == 404
    page = parse(response.text)
    hrefs = {a.attrs.get("href") for a in page.find_all("a")}
    assert url_of(journey) in hrefs
    assert "/" in hrefs
    for step in journey.next_steps():
        assert url_of(journey, f"/step/{step.trigger}") in hrefs


def test_a_step_from_another_state_is_not_available(client: TestClient, pathway: Pathway) -> None:
    """A real trigger that does not lead on from this state is refused like an unknown one."""
    response = client.get(url_of(Journey.begin(pathway), "/step/offer_transplant"))
    assert response.status_code == 404


def test_bad_and_tampered_tokens_are_friendly_400s(client: TestClient, pathway: Pathway) -> None:
    """A damaged token gets a 400 page with a way to the start, never a 500."""
    token = journey_at(pathway, "goes_into_remission").token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in ("x", "not-a-token", tampered, "A" * 600, "%00%ff"):
        for tail in ("", "/map", "/print", "/step/comes_back", "/jump/relapse"):
            response = client.get(f"/j/{bad}{tail}")
            assert response.status_code == 400, (bad, tail)
            assert parse(response.text).find("a", href="/")


def test_jump_goes_to_any_state_and_back_returns(client: TestClient, pathway: Pathway) -> None:
    """A jump (from the map or the presenter's list) adds to the path, so back returns."""
    journey = Journey.begin(pathway)
    moved = follow(client, url_of(journey, "/jump/palliative_care"))
    assert moved.state == "palliative_care"
    assert moved.back() == journey
    assert follow(client, url_of(journey, "/jump?to=car_t")).state == "car_t"
    assert follow(client, url_of(journey, "/jump?to=car_t", mode="present")).state == "car_t"


def test_jump_to_an_unknown_state_is_a_friendly_404(client: TestClient, pathway: Pathway) -> None:
    """An unknown state, or none at all, gets a 404 page with a way back."""
    journey = Journey.begin(pathway)
    for tail in ("/jump/reinductoin", "/jump?to=", "/jump"):
        response = client.get(url_of(journey, tail))
        assert response.status_code == 404, tail
        assert parse(response.text).find("a", href=url_of(journey))


def test_jumps_and_steps_stay_in_presenter_mode(client: TestClient, pathway: Pathway) -> None:
    """Redirects from presenter pages go to presenter pages."""
    journey = Journey.begin(pathway)
    for tail in ("/jump/car_t", "/step/goes_into_remission", "/topic?philadelphia=positive"):
        response = client.get(url_of(journey, tail, mode="present"))
        assert response.headers["location"].startswith("/present/")


def test_topic_can_be_changed_mid_journey(client: TestClient, pathway: Pathway) -> None:
    """Changing the topic keeps the place and the path; an unknown topic is a 400."""
    journey = journey_at(pathway, "goes_into_remission")
    moved = follow(client, url_of(journey, "/topic?philadelphia=negative"))
    assert (moved.state, moved.history) == (journey.state, journey.history)
    assert moved.context["philadelphia"] == "negative"
    assert client.get(url_of(journey, "/topic?philadelphia=blue")).status_code == 400


def test_other_query_names_are_not_topics(client: TestClient, pathway: Pathway) -> None:
    """A name that is no topic (a tag added when a link is shared) is left out, not an error."""
    assert follow(client, "/begin?utm_source=leaflet").context["philadelphia"] == "not_known"
    journey = journey_at(pathway, "goes_into_remission", philadelphia="positive")
    moved = follow(client, url_of(journey, "/topic?colour=blue"))
    assert moved == journey


# --------------------------------------------------------------------------- map, presenter, print


def test_glossary_page_explains_every_word_and_is_linked(
    client: TestClient, pathway: Pathway
) -> None:
    """/glossary explains every glossary word; the start and state pages link to it."""
    response = client.get("/glossary")
    assert response.status_code == 200
    text = parse(response.text).text
    for entry in pathway.glossary:
        assert entry.definition in text, entry.id
    assert 'href="/glossary"' in client.get("/").text
    assert 'href="/glossary"' in client.get(url_of(journey_at(pathway))).text


def test_map_marks_here_and_next_and_links_every_state(
    client: TestClient, pathway: Pathway
) -> None:
    """The map's SVG has one link per state, one 'You are here' and a 'Could come next' each."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    response = client.get(url_of(journey, "/map"))
    assert response.status_code == 200
    page = parse(response.text)
    svg = page.find("svg", class_="pathway-map")
    links = [a.attrs.get("xlink:href") or "" for a in svg.find_all("a")]
    assert sorted(links) == sorted(f"jump/{s.id}" for s in pathway.states)
    assert svg.text.count("You are here") == 1
    assert svg.text.count("Could come next") == len({s.dest for s in journey.next_steps()})
    here = [g for g in svg.find_all("g") if g.has_class("map-here")]
    assert [g.attrs["id"] for g in here] == [f"map-{journey.state}"]


def test_map_links_resolve_to_jumps_from_this_journey(client: TestClient, pathway: Pathway) -> None:
    """A map link, resolved against the map's address, jumps to its state."""
    journey = Journey.begin(pathway)
    map_url = url_of(journey, "/map")
    page = parse(client.get(map_url).text)
    href = page.find("svg", class_="pathway-map").find("a").attrs["xlink:href"] or ""
    resolved = map_url.rsplit("/", 1)[0] + "/" + href
    assert follow(client, resolved).state == href.rsplit("/", 1)[1]


def test_map_has_the_same_as_a_text_list(client: TestClient, pathway: Pathway) -> None:
    """Below the map, a list links every state, phase by phase under the phases' names,
    and says in words where you are."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey, "/map")).text)
    section = page.find("section", class_="map-list")
    items = section.find_all("li")
    assert [li.find("a").text for li in items] == [
        pathway.state(s).title for phase in pathway.phases for s in phase.states
    ]
    assert [h.text for h in section.find_all("h3")] == [p.title for p in pathway.phases]
    marked = {li.find("a").text: li.text for li in items}
    assert "(you are here)" in marked[pathway.state(journey.state).title]
    for step in journey.next_steps():
        assert "(could come next)" in marked[pathway.state(step.dest).title]


def test_presenter_mode_has_large_options_keys_and_jump(
    client: TestClient, pathway: Pathway
) -> None:
    """Presenter pages show the options as the numbered columns of a grid, a jump list and
    a way back."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey, mode="present")).text)
    assert page.find("body").has_class("mode-present")
    grid = page.find("table", class_="grid").find("thead")
    keys = [k.text for k in grid.find_all("kbd")]
    assert keys == [str(i + 1) for i in range(len(journey.next_steps()))]
    select = page.find("select", name="to")
    assert [o.attrs["value"] for o in select.find_all("option")] == list(pathway.state_ids)
    assert page.find("a", href=url_of(journey))  # back to patient mode, same place
    assert page.find("details", class_="shortcuts")


def test_option_grid_compares_what_the_source_says(client: TestClient, pathway: Pathway) -> None:
    """At a branch the presenter's grid has a column per option and a row per thing the
    source may say; a cell the source leaves empty says "The source does not say"."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey, mode="present")).text)
    table = page.find("table", class_="grid")
    heads = [
        th.find("span", class_="choice-label").text for th in table.find("thead").find_all("th")
    ]
    assert heads == [step.label for step in journey.next_steps()]
    rows = {tr.find("th").text: tr.find_all("td") for tr in table.find("tbody").find_all("tr")}
    assert list(rows) == [
        "What it is",
        *(r.title for r in pathway.comparison),
        "What the figures are",
        "The source",
    ]
    dests = [step.dest for step in journey.next_steps()]
    for row in pathway.comparison:
        for dest, cell in zip(dests, rows[row.title], strict=True):
            said = pathway.state(dest).compare.get(row.id)
            if said is None:
                assert cell.text.strip() == "The source does not say", (row.id, dest)
            else:
                assert said.text in cell.text and said.section in cell.text
    side_effects = dict(zip(dests, rows["What the source says about side effects"], strict=True))
    assert "It does not say fewer than what" in side_effects["antibody_therapy"].text
    assert side_effects["palliative_care"].text.strip() == "The source does not say"
    figures = dict(zip(dests, rows["What the figures are"], strict=True))
    assert "4 in 10" in figures["reinduction"].text
    assert figures["antibody_therapy"].text.strip() == pathway.state("antibody_therapy").no_figure
    assert figures["palliative_care"].text.strip() == "The source does not say"


def test_option_grid_only_at_a_branch(client: TestClient, pathway: Pathway) -> None:
    """With one way on there is no grid (nothing to compare); patient pages have none."""
    one = Journey.begin(pathway).jump("palliative_care")
    assert len(one.next_steps()) == 1
    assert "<table" not in client.get(url_of(one, mode="present")).text
    relapse = journey_at(pathway, "goes_into_remission", "comes_back")
    assert "<table" not in client.get(url_of(relapse)).text


def test_print_page_lists_my_path_and_my_questions(client: TestClient, pathway: Pathway) -> None:
    """The print page has each state walked with its questions, in the order walked, and
    the current step's options and facts."""
    journey = journey_at(pathway, "goes_into_remission", "comes_back")
    page = parse(client.get(url_of(journey, "/print")).text)
    places = page.find("ol", class_="print-path").find_all("h3")
    assert [h.text for h in places] == [pathway.state(s).title for s in journey.path]
    for state_id in journey.path:
        for question in pathway.state(state_id).questions:
            assert question in page.text
    here = page.find("section", class_="print-here")
    options = [
        li.find("strong").text for li in here.find("ul", class_="print-choices").find_all("li")
    ]
    assert options == [step.label for step in journey.next_steps()]
    facts = pathway.state(journey.state).facts
    assert len(here.find("ul", class_="print-facts").find_all("li")) == len(facts)


# --------------------------------------------------------------------------- every page


def test_every_page_carries_purpose_and_support(client: TestClient, pathway: Pathway) -> None:
    """Every page, errors included, shows the intended purpose and the support line."""
    pages = every_page(pathway)
    assert "/no/such/page" in pages
    for url in pages:
        response = client.get(url)
        text = parse(response.text).text
        assert pathway.metadata.intended_purpose in text, url
        assert pathway.support_line.phone in text, url
        assert pathway.support_line.name in text, url


def test_every_page_is_accessible_in_structure(client: TestClient, pathway: Pathway) -> None:
    """lang en-GB, a skip link to main, landmarks, one h1 and a title unique to each page."""
    titles = []
    for url in every_page(pathway)[:6]:
        page = parse(client.get(url).text)
        assert page.find("html").attrs["lang"] == "en-GB"
        skip = page.find_all("a")[0]
        assert skip.attrs["href"] == "#main" and skip.has_class("skip-link")
        assert page.find("main", id="main")
        assert page.find("header") and page.find("footer")
        assert len(page.find_all("h1")) == 1, url
        titles.append(page.find("title").text)
    assert len(set(titles)) == len(titles), titles


def test_security_headers_on_every_response(client: TestClient, pathway: Pathway) -> None:
    """Pages, errors, redirects and static files carry CSP, nosniff and no-referrer."""
    urls = [*every_page(pathway), "/begin", "/static/site.css", "/static/nope.css", "/favicon.ico"]
    for url in urls:
        response = client.get(url)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    response = client.post("/")
    assert response.status_code == 405
    assert response.headers["referrer-policy"] == "no-referrer"


def test_csp_allows_only_this_origin() -> None:
    """The policy names no other host, allows no inline script or style, and no framing."""
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


def test_no_cookies_are_ever_set(client: TestClient, pathway: Pathway) -> None:
    """No response sets a cookie: the journey lives in the URL."""
    for url in [*every_page(pathway), "/begin", "/static/site.js"]:
        assert "set-cookie" not in client.get(url).headers


def test_pages_use_nothing_from_other_hosts_and_no_inline_code(
    client: TestClient, pathway: Pathway
) -> None:
    """Scripts, styles and icons come from /static/; no inline script, style or handler."""
    for url in every_page(pathway):
        page = parse(client.get(url).text)
        for node in page.iter():
            assert node.tag != "style", url
            assert "style" not in node.attrs, (url, node.tag)
            assert not any(a.startswith("on") for a in node.attrs), (url, node.tag)
            if node.tag == "script":
                assert (node.attrs.get("src") or "").startswith("/static/"), url
                assert not node.text
            if node.tag in ("link", "img", "iframe", "image", "source", "object", "embed"):
                ref = node.attrs.get("href") or node.attrs.get("src") or ""
                assert ref.startswith("/static/"), (url, node.tag, ref)
    css = client.get("/static/site.css").text
    assert "@import" not in css
    assert not re.search(r"url\(", css)


def test_a_restarted_server_understands_old_links(pathway: Pathway) -> None:
    """A token made by one app instance opens the same page on a new one."""
    with TestClient(create_app(pathway=pathway), follow_redirects=False) as first:
        location = first.get("/begin?philadelphia=positive").headers["location"]
        before = first.get(location).text
    with TestClient(create_app(pathway=load_pathway(ROOT / "pathways.yaml"))) as second:
        after = second.get(location)
    assert after.status_code == 200
    assert after.text == before


def test_unknown_address_and_method_get_friendly_pages(client: TestClient) -> None:
    """An unknown address is a 404 page and a wrong method a 405 page, each with a way back."""
    for response, status in ((client.get("/nowhere"), 404), (client.post("/begin"), 405)):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert parse(response.text).find("a", href="/")


def test_no_interactive_docs_from_other_hosts(client: TestClient) -> None:
    """FastAPI's interactive docs (scripts from a CDN) are not served; /api/docs is ours."""
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/api/docs").status_code == 200


# --------------------------------------------------------------------------- static files


def test_static_files_are_versioned_and_cached(client: TestClient) -> None:
    """A static file asked for by its version is cached for a year and revalidates by ETag."""
    page = parse(client.get("/").text)
    css_url = page.find("link", rel="stylesheet").attrs["href"] or ""
    response = client.get(css_url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "immutable" in response.headers["cache-control"]
    again = client.get(css_url, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304
    script = page.find("script").attrs["src"] or ""
    assert client.get(script).headers["content-type"].startswith("text/javascript")


def test_static_refuses_other_files(client: TestClient) -> None:
    """Only the files of the static folder are served; paths out of it are 404s."""
    for name in ("nope.css", "..%2Fstart.html", "..%2F..%2Fpathways.yaml", "%2Fetc%2Fpasswd"):
        assert client.get(f"/static/{name}").status_code == 404, name


# --------------------------------------------------------------------------- escaping


def _hostile_pathway() -> Pathway:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace(
        "title: The leukaemia has come back",
        """title: "<script>alert('t')</script> & \\\\N back" """,
    )
    text = text.replace(
        "label: Treatment is repeated", """label: "<img src=x onerror=alert(1)> repeated" """
    )
    text = text.replace(
        "- Your healthcare team may talk to you about what could happen next.",
        """- "</p><script>alert('e')</script> remission <b>bold</b>" """,
    )
    return parse_pathway(text, "hostile.yaml")


def test_text_from_the_pathway_is_always_escaped() -> None:
    """Markup in titles, labels and explanations shows as text on every page, map included."""
    pathway = _hostile_pathway()
    with TestClient(create_app(pathway=pathway), follow_redirects=False) as c:
        journey = Journey.begin(pathway)
        for url in (
            "/",
            url_of(journey),
            url_of(journey, mode="present"),
            url_of(journey, "/map"),
            url_of(journey, "/print"),
            url_of(journey, "/step/nope"),
        ):
            html = c.get(url).text
            page = parse(html)
            assert not [n for n in page.iter() if n.tag in ("img", "b")], url
            assert all(
                (n.attrs.get("src") or "").startswith("/static/") for n in page.find_all("script")
            )
            assert "onerror" not in {k for n in page.iter() for k in n.attrs}
        state_page = parse(c.get(url_of(journey)).text)
        assert "<script>alert('t')</script> & \\N back" in state_page.find("h1").text
        svg_text = parse(c.get(url_of(journey, "/map")).text).find("svg", class_="pathway-map").text
        assert "\\" in svg_text and "back" in svg_text


def test_address_parts_are_escaped_on_error_pages(client: TestClient, pathway: Pathway) -> None:
    """What a visitor typed in the address is shown as text on the error page."""
    journey = Journey.begin(pathway)
    response = client.get(url_of(journey, "/jump/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"))
    assert response.status_code == 404
    page = parse(response.text)
    assert "<img src=x onerror=alert(1)>" in page.find("main").text
    assert not page.find_all("img")


# --------------------------------------------------------------------------- start-up


def test_templates_without_the_support_line_stop_the_start(
    tmp_path: Path, pathway: Pathway
) -> None:
    """A user's base template that drops the support line is refused when the app is made."""
    base = tmp_path / "web" / "_base.html"
    base.parent.mkdir(parents=True)
    base.write_text(
        "<!doctype html><html lang='en-GB'><head><title>x</title></head>"
        "<body><main>{{ intended_purpose }}{% block content %}{% endblock %}</main></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match="support line"):
        create_app(pathway=pathway, templates_dir=tmp_path)


def test_a_users_template_overrides_only_its_own_page(tmp_path: Path, pathway: Pathway) -> None:
    """A user's web/states/<id>.html replaces that state's page and no other."""
    override = tmp_path / "web" / "states" / "car_t.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "web/state.html" %}{% block title %}Our own CAR-T page{% endblock %}',
        encoding="utf-8",
    )
    with TestClient(create_app(pathway=pathway, templates_dir=tmp_path)) as c:
        start = Journey.begin(pathway)
        own = parse(c.get(url_of(start.jump("car_t"))).text)
        other = parse(c.get(url_of(start.jump("relapse"))).text)
    assert own.find("title").text.startswith("Our own CAR-T page")
    assert not other.find("title").text.startswith("Our own")


def test_a_broken_pathway_file_stops_the_start(tmp_path: Path) -> None:
    """create_app raises ContentError (file:line:col) for a pathway that is not valid."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("dest: remission", "dest: remision"),
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=r"broken\.yaml:"):
        create_app(broken)


# --------------------------------------------------------------------------- glossary marking


def test_mark_terms_links_the_first_use_of_each_term(pathway: Pathway) -> None:
    """Only a term's first use is marked, whichever spelling, matching whole words."""
    pieces = mark_terms(
        pathway,
        ["A relapse means remission ended.", "Relapsed ALL and remissions and relapse."],
        ["relapse", "remission"],
    )
    marked = [(text, term) for paragraph in pieces for text, term in paragraph if term]
    assert marked == [("relapse", "relapse"), ("remission", "remission")]


def test_mark_terms_prefers_the_longest_spelling(pathway: Pathway) -> None:
    """'complete remission' is one term, not 'remission' inside it."""
    pieces = mark_terms(
        pathway, ["In complete remission now."], ["remission", "complete_remission"]
    )
    assert ("complete remission", "complete_remission") in pieces[0]


@functools.cache
def _default_pathway() -> Pathway:
    return load_pathway(ROOT / "pathways.yaml")


@given(st.lists(st.text(max_size=80), max_size=4))
def test_mark_terms_keeps_every_character(paragraphs: list[str]) -> None:
    """Joining the pieces of each paragraph gives back the paragraph exactly."""
    pathway = _default_pathway()
    terms = [g.id for g in pathway.glossary]
    pieces = mark_terms(pathway, paragraphs, terms)
    assert ["".join(text for text, _ in p) for p in pieces] == paragraphs


# --------------------------------------------------------------------------- never a 500

TOKEN_CHARS = st.text(
    alphabet=st.characters(codec="ascii", categories=("L", "N"), include_characters="-_~."),
    min_size=1,
    max_size=40,
)


@given(token=TOKEN_CHARS, tail=st.sampled_from(["", "/map", "/print", "/step/x", "/jump/y"]))
def test_any_token_gets_a_page_never_a_500(token: str, tail: str) -> None:
    """Whatever is in the token's place, the answer is a page or a friendly 400/404."""
    client = _default_client()
    for mode in ("j", "present"):
        if tail == "/print" and mode == "present":
            continue
        response = client.get(f"/{mode}/{token}{tail}")
        assert response.status_code in (200, 303, 400, 404), (token, tail)
        assert "text/html" in response.headers["content-type"]


@functools.cache
def _default_client() -> TestClient:
    return TestClient(create_app(pathway=_default_pathway()), follow_redirects=False)


def test_a_bug_gets_a_friendly_500_with_the_headers(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error shows a calm page (details go to the log), headers included."""
    app = create_app(pathway=pathway)

    def broken(*args: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.state.pages, "state_body", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get(url_of(Journey.begin(pathway)))
    assert response.status_code == 500
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = parse(response.text)
    assert "not something you did" in page.text
    assert page.find("a", href="/")
    assert "RuntimeError" not in response.text


# --------------------------------------------------------------------------- the page cache


def test_finished_pages_are_kept_but_bounded(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same address gets the same page; the oldest pages are dropped past the limit."""
    monkeypatch.setattr("pathways.pages.PAGE_CACHE", 3)
    app = create_app(pathway=pathway)
    pages = app.state.pages
    built: list[str] = []

    def build(name: str) -> str:
        built.append(name)
        return f"<p>{name}</p>"

    for name in ("a", "b", "a", "c", "d", "a", "b"):
        pages.cached(f"/{name}", lambda name=name: build(name))
    assert built == ["a", "b", "c", "d", "b"]
    assert list(pages._pages) == ["/d", "/a", "/b"]


def test_finished_pages_are_bounded_in_bytes(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the byte bound the least recently used pages go; the newest always stays."""
    monkeypatch.setattr("pathways.pages.PAGE_CACHE_BYTES", 250)
    pages = create_app(pathway=pathway).state.pages
    pages._pages.clear()
    pages._page_bytes = 0
    for name in ("a", "b", "c", "d"):
        pages.cached(f"/{name}", lambda name=name: name * 100)
    assert list(pages._pages) == ["/c", "/d"]
    assert sum(len(body) for body in pages._pages.values()) <= 250
    pages.cached("/big", lambda: "x" * 1000)
    assert list(pages._pages) == ["/big"]
    assert pages.finished("/big") == b"x" * 1000


def test_a_kept_page_is_sent_again_exactly_as_first_built(
    client: TestClient, pathway: Pathway
) -> None:
    """A second GET or HEAD of a kept page (sent without routing) equals the first answer."""
    journey = Journey.begin(pathway)
    for url in ["/", url_of(journey), f"/present/{journey.token}", f"{url_of(journey)}/print"]:
        first = client.get(url)
        assert url in client.app.state.pages._pages  # type: ignore[attr-defined]
        again, head = client.get(url), client.head(url)
        assert (again.status_code, again.content) == (200, first.content), url
        assert list(again.headers.items()) == list(first.headers.items()), url
        assert (head.status_code, head.content) == (200, b""), url
        assert head.headers == first.headers, url


# --------------------------------------------------------------------------- pathways serve


def test_serve_starts_uvicorn_with_the_checked_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pathways serve` builds the app, then runs the server on the host and port given,
    with the app's security headers for the server's own answers."""
    from click.testing import CliRunner

    from pathways import server
    from pathways.cli import main
    from pathways.web import SECURITY_HEADERS

    calls: list[dict[str, object]] = []
    monkeypatch.setattr("gc.freeze", lambda: None)  # keep the test process as it was
    monkeypatch.setattr(server, "serve", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    result = CliRunner().invoke(main, ["serve", "--host", "127.0.0.1", "--port", "8123"])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8123
    assert call["headers"] == SECURITY_HEADERS
    with TestClient(call["app"]) as c:  # type: ignore[arg-type]
        assert c.get("/").status_code == 200


def test_serve_refuses_a_broken_pathway_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken pathway stops `pathways serve` with file:line:col and exit 1, no server."""
    from click.testing import CliRunner

    from pathways import server
    from pathways.cli import main

    monkeypatch.setattr(server, "serve", lambda *a, **k: pytest.fail("server started"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        MINIMAL.read_text(encoding="utf-8").replace("dest: remission", "dest: remision"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["serve", "--pathway", str(broken)])
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- scope, notes, ways in


def _folded(text: str) -> str:
    return " ".join(text.split())


def test_start_page_says_whom_the_guide_is_about(client: TestClient, pathway: Pathway) -> None:
    """The start page shows the document's scope (whom its content is about)."""
    assert pathway.metadata.scope is not None
    page = parse(client.get("/").text)
    assert _folded(pathway.metadata.scope.text) in _folded(page.find("p", class_="scope").text)


@pytest.mark.parametrize("topic", ["not_known", "positive", "negative"])
def test_each_way_in_begins_there_with_the_topic_chosen(
    client: TestClient, pathway: Pathway, topic: str
) -> None:
    """Each chapter's button on the start form opens a journey at its state, with the topic
    chosen on the same form and nothing before it (no invented path, no back link)."""
    assert len(pathway.chapters) >= 2
    form = parse(client.get("/").text).find("form", action="/begin")
    for chapter, button in zip(pathway.chapters, form.find_all("button"), strict=True):
        query = {"philadelphia": topic, button.attrs["name"] or "": button.attrs["value"] or ""}
        response = client.get("/begin", params=query, follow_redirects=False)
        assert response.status_code == 303
        href = response.headers["location"]
        journey = Journey.from_token(pathway, href.split("/")[2])
        assert journey.state == chapter.start
        assert journey.history == ()
        assert journey.context == {"philadelphia": topic}
        state_page = parse(client.get(href).text)
        assert state_page.find("h1").text == pathway.state(chapter.start).title
        assert not state_page.by_class("back-link")


def test_an_unknown_way_in_is_a_clear_404(client: TestClient) -> None:
    """A way in the pathway does not have gets the friendly not-found page."""
    response = client.get("/begin", params={"way-in": "nowhere"})
    assert response.status_code == 404
    assert "nowhere" in response.text


@pytest.mark.parametrize("mode", ["j", "present"])
def test_every_figure_on_a_web_page_has_the_scope_beside_it(
    client: TestClient, pathway: Pathway, mode: str
) -> None:
    """On the patient and presenter pages, each icon array's words include the scope."""
    assert pathway.metadata.scope is not None
    scope = _folded(pathway.metadata.scope.text)
    for state in pathway.states:
        figures = [f for f in state.facts if f.number]
        page = parse(client.get(url_of(Journey.begin(pathway, at=state.id), mode=mode)).text)
        numbers = page.by_class("number")
        assert len(numbers) == len(figures), state.id
        for number in numbers:
            assert scope in _folded(number.find("p", class_="number-scope").text)


def test_the_usual_step_is_said_in_words_beside_an_option_of_equal_weight(
    client: TestClient, pathway: Pathway
) -> None:
    """At the relapse, the option the source calls usual says so in words; every option is
    the same kind of link card, in the document's order."""
    relapse = pathway.state("relapse")
    assert relapse.notes
    page = parse(client.get(url_of(journey_at(pathway, "goes_into_remission", "comes_back"))).text)
    choices = page.by_class("choice")
    triggers = [t.trigger for t in pathway.transitions if "relapse" in t.source]
    hrefs = [c.find("a", class_="choice-link").attrs["href"] or "" for c in choices]
    shown = [h.rsplit("/", 1)[1] for h in hrefs]
    assert shown == triggers  # every topic is shown by default, in the document's order
    for note in relapse.notes:
        index = shown.index(note.step)
        said = choices[index].find("p", class_="choice-note").text
        assert _folded(note.text) in _folded(said)
    assert {tuple(sorted(c.find("a").attrs.get("class", "").split())) for c in choices} == {
        ("choice-link",)
    }
    assert sum(bool(c.by_class("choice-note")) for c in choices) == len(relapse.notes)


def test_the_note_style_adds_no_weight() -> None:
    """The stylesheet gives a note no colour, background, border or bold: words only."""
    css = (Path(__file__).resolve().parents[1] / "templates/web/static/site.css").read_text()
    rules = re.findall(r"\.choice-note\s*\{([^}]*)\}", css)
    assert rules
    for body in rules:
        assert not re.search(r"\b(background|border|color|font-weight|outline)\s*:", body)


def test_footer_names_publisher_and_reviewer_with_dates_in_words(
    client: TestClient, pathway: Pathway
) -> None:
    """Every page's footer names who publishes the guide and who reviewed it, with the
    dates in words."""
    meta = pathway.metadata
    assert meta.reviewer is not None
    for url in ("/", url_of(Journey.begin(pathway)), "/glossary"):
        footer = _folded(parse(client.get(url).text).find("footer").text)
        assert f"Published by {meta.publisher}." in footer
        assert (
            f"Reviewed by {meta.reviewer.role} on {meta.reviewed.strftime('%-d %B %Y')}" in footer
        )
        assert meta.reviewed.isoformat() not in footer


@pytest.mark.parametrize("index", range(12))
def test_every_page_says_its_dates_in_words(
    client: TestClient, pathway: Pathway, index: int
) -> None:
    """No page shows a reader a date as 2026-11-28: dates read '28 November 2026'."""
    url = every_page(pathway)[index]
    text = parse(client.get(url).text).text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), url
    if index in (0, 1, 5):  # the start, a state and the print page name the review date
        assert re.search(
            r"\b\d{1,2} (January|February|March|April|May|June|July|August"
            r"|September|October|November|December) \d{4}\b",
            text,
        ), url


def test_the_app_keeps_the_one_pathway_it_is_given(pathway: Pathway) -> None:
    """One Pathway per loaded document: the pages, the JSON API and the OpenAPI title all
    use the object the app was given (no copy, no second machine)."""
    app = create_app(pathway=pathway)
    assert app.state.pages.pathway is pathway
    assert app.state.json_api.pathway is pathway
    assert app.title == pathway.metadata.title
