"""The web app in a real browser: keyboard-only walks, print, shortcuts, axe-core, reflow.

Drives Debian's chromium (/usr/bin/chromium) with playwright against the app served by
uvicorn on 127.0.0.1 at a free port. axe-core comes from npm (``npm ci`` at the repository
root installs node_modules/axe-core). Skipped, with the reason, only where there is no
/usr/bin/chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from browser_support import ROOT, axe_violations, chromium, serve, visibility_problems
from browser_support import axe_source as read_axe
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.schema import Pathway
from pathways.web import create_app

pytestmark = pytest.mark.browser


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def base_url(pathway: Pathway) -> Iterator[str]:
    """The app, served by uvicorn on 127.0.0.1 at a free port, for this module."""
    with serve(create_app(pathway=pathway)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page that records any request to another host and any CSP complaint."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    outside: list[str] = []
    complaints: list[str] = []
    opened.on(
        "request",
        lambda request: None if request.url.startswith(base_url) else outside.append(request.url),
    )
    opened.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    context.close()
    assert not outside, f"requests to other hosts: {outside}"
    assert not complaints, f"Content-Security-Policy complaints: {complaints}"


# --------------------------------------------------------------------------- helpers


def documents_requested(page: Page) -> list[str]:
    """The pages the tab asks for from now on (the list fills as it goes)."""
    found: list[str] = []
    page.on(
        "request",
        lambda request: found.append(request.url) if request.resource_type == "document" else None,
    )
    return found


def journey_of(page: Page, pathway: Pathway) -> Journey:
    """The journey the page's address stands for."""
    match = re.search(r"/(?:j|present)/([A-Za-z0-9_-]+)", page.url)
    assert match, page.url
    return Journey.from_token(pathway, match.group(1))


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '')
      .replace(/\\s+/g, ' ').trim(),
    tag: e.tagName.toLowerCase(),
    outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px'
      && s.outlineColor !== 'rgba(0, 0, 0, 0)',
    shadow: s.boxShadow !== 'none',
  };
}"""


def tab_to(page: Page, wanted: str, *, limit: int = 250) -> dict[str, Any]:
    """Press Tab until the focused element's text starts with ``wanted``; check its focus
    is visible on the way. Returns what was focused."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["outline"] or focused["shadow"], f"no visible focus on {focused}"
        if focused["text"].startswith(wanted):
            return dict(focused)
    raise AssertionError(f"Tab never reached {wanted!r} on {page.url}")


def take_step_to(page: Page, pathway: Pathway, dest: str) -> None:
    """With the keyboard alone, follow the choice that leads to ``dest``."""
    journey = journey_of(page, pathway)
    step = next(s for s in journey.next_steps() if s.dest == dest)
    tab_to(page, step.label)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert journey_of(page, pathway).state == dest
    assert page.locator("h1").inner_text() == pathway.state(dest).title


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


# --------------------------------------------------------------------------- walks


def test_keyboard_walk_to_palliative_care_and_a_transplant(
    page: Page, pathway: Pathway, base_url: str
) -> None:
    """Keyboard alone: start, walk to palliative care, back, on to a stem cell transplant."""
    page.goto(base_url + "/")
    tab_to(page, "Start")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert journey_of(page, pathway).state == pathway.start
    for dest in ("remission", "relapse", "palliative_care"):
        take_step_to(page, pathway, dest)
    tab_to(page, "Back")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert journey_of(page, pathway).state == "relapse"
    for dest in ("reinduction", "second_remission", "stem_cell_transplant"):
        take_step_to(page, pathway, dest)
    assert journey_of(page, pathway).path == (
        "first_treatment",
        "remission",
        "relapse",
        "reinduction",
        "second_remission",
        "stem_cell_transplant",
    )


def test_browser_back_button_returns_to_the_previous_page(
    page: Page, pathway: Pathway, base_url: str
) -> None:
    """The browser's own back button shows the previous state again."""
    page.goto(base_url + "/begin")
    take_step_to(page, pathway, "remission")
    take_step_to(page, pathway, "relapse")
    page.go_back()
    assert journey_of(page, pathway).state == "remission"
    assert page.locator("h1").inner_text() == pathway.state("remission").title


def test_print_my_path_and_questions_on_one_page(
    page: Page, pathway: Pathway, base_url: str
) -> None:
    """The print page, reached by keyboard, prints the path and its questions on one page."""
    journey = Journey.begin(pathway)
    for trigger in ("goes_into_remission", "comes_back", "repeat_induction"):
        journey = journey.step(trigger)
    journey = journey.step("goes_into_remission").step("offer_transplant")
    page.goto(f"{base_url}/j/{journey.token}")
    tab_to(page, "My path and my questions")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "My path and my questions"
    assert page.locator("button.print-button").count() == 1  # added by the script
    page.emulate_media(media="print")
    assert page.locator(".tools").is_hidden()
    assert page.locator(".print-help").is_hidden()
    for state_id in journey.path:
        assert page.get_by_role("heading", name=pathway.state(state_id).title).is_visible()
    text = page.locator("body").inner_text()
    assert pathway.metadata.intended_purpose in " ".join(text.split())
    assert pathway.support_line.phone in text
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_works_without_javascript(browser: Browser, pathway: Pathway, base_url: str) -> None:
    """With scripts off the start button, the choices, the map and the jump form all work."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.get_by_label("Philadelphia positive ALL").check()
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Start")).click()
        journey = journey_of(page, pathway)
        assert journey.context["philadelphia"] == "positive"
        step = journey.next_steps()[0]
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(re.escape(step.label))).click()
        assert journey_of(page, pathway).state == step.dest
        page.goto(page.url.replace("/j/", "/present/"))
        page.select_option("#jump-to", "car_t")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("^Go")).click()
        assert journey_of(page, pathway).state == "car_t"
        assert "/present/" in page.url
    finally:
        context.close()


# --------------------------------------------------------------------------- presenter mode


def test_presenter_shortcuts_next_back_map_jump(
    page: Page, pathway: Pathway, base_url: str
) -> None:
    """Keys: a number picks that option, ← goes back, M opens the map, J the jump list."""
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    page.goto(f"{base_url}/present/{journey.token}")
    second = journey.next_steps()[1]
    with page.expect_navigation():
        page.keyboard.press("2")
    assert journey_of(page, pathway).state == second.dest
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    assert journey_of(page, pathway) == journey
    page.keyboard.press("n")  # several ways on: next moves to the first, does not choose
    assert page.evaluate("document.activeElement.dataset.choice") == "1"
    assert journey_of(page, pathway) == journey
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "jump-to"
    page.locator("h1").click()
    with page.expect_navigation():
        page.keyboard.press("m")
    assert "/map#map-" in page.url and "/present/" in page.url  # opens at the reader's box


def test_presenter_next_follows_the_only_way_on(
    page: Page, pathway: Pathway, base_url: str
) -> None:
    """Where there is one way on, → follows it; nothing moves on by itself."""
    journey = Journey.begin(pathway).jump("palliative_care")
    (only,) = journey.next_steps()
    loads = documents_requested(page)
    page.clock.install()
    page.goto(f"{base_url}/present/{journey.token}")
    page.clock.run_for(10 * 60 * 1000)  # ten minutes of the page's timers, at once
    page.evaluate("0")  # a round trip: whatever the timers started has been asked for
    assert loads == [f"{base_url}/present/{journey.token}"]  # no auto-advance
    assert journey_of(page, pathway) == journey
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert journey_of(page, pathway).state == only.dest


def test_patient_pages_have_no_shortcuts(page: Page, pathway: Pathway, base_url: str) -> None:
    """Letter and number keys do nothing in patient mode."""
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    loads = documents_requested(page)
    page.clock.install()
    page.goto(f"{base_url}/j/{journey.token}")
    for key in ("1", "m", "ArrowLeft", "n"):
        page.keyboard.press(key)  # returns once the page has handled the key
    page.clock.run_for(60 * 1000)  # and anything a handler put off has run
    page.evaluate("0")
    assert loads == [f"{base_url}/j/{journey.token}"]  # nothing else was opened
    assert journey_of(page, pathway) == journey
    assert "/j/" in page.url and not page.url.endswith("/map")


# --------------------------------------------------------------------------- axe and reflow


def page_types(pathway: Pathway) -> dict[str, str]:
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    first = Journey.begin(pathway, {"philadelphia": "positive"})
    end = relapse.step("choose_palliative_care")
    return {
        "start": "/",
        "state": f"/j/{relapse.token}",
        "state with a number": f"/j/{first.token}",
        "end state": f"/j/{end.token}",
        "presenter": f"/present/{relapse.token}",
        "map": f"/j/{relapse.token}/map",
        "presenter map": f"/present/{relapse.token}/map",
        "print": f"/j/{relapse.token}/print",
        "glossary": "/glossary",
        "unknown step": f"/j/{relapse.token}/step/nope",
        "bad token": "/j/broken",
        "not found": "/no/such/page",
    }


PAGE_TYPES = list(page_types(load_pathway(ROOT / "pathways.yaml")))


@pytest.fixture(scope="module")
def axe_source() -> str:
    return read_axe()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_no_wcag_violations(
    browser: Browser, base_url: str, pathway: Pathway, axe_source: str, kind: str
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA rules, target size included) finds nothing."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(base_url + page_types(pathway)[kind])
        problems = axe_violations(page, axe_source)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def frame_texts(pathway: Pathway) -> dict[str, str]:
    """The texts every page must let a reader see: the statement and the support line."""
    support = pathway.support_line
    return {
        "intended purpose": pathway.metadata.intended_purpose,
        "support line name": support.name,
        "support line phone": support.phone,
    }


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_lets_a_reader_see_the_statement_and_the_support_line(
    browser: Browser, base_url: str, pathway: Pathway, kind: str, media: str
) -> None:
    """On every kind of page, on screen and printed, the intended-purpose statement and the
    support line are visible: rendered, not hidden, not clipped or tiny, on the page and
    with enough contrast (present in the HTML is not enough)."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        page.emulate_media(media=media)  # type: ignore[arg-type]
        page.goto(base_url + page_types(pathway)[kind])
        problems = {
            name: found
            for name, text in frame_texts(pathway).items()
            if (found := visibility_problems(page, text))
        }
    finally:
        context.close()
    assert not problems, f"{kind} ({media}): {problems}"


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_pages_reflow_at_320_pixels(
    browser: Browser, base_url: str, pathway: Pathway, kind: str
) -> None:
    """At 320 CSS pixels (1280 at 400% zoom) no page scrolls sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(base_url + page_types(pathway)[kind])
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        context.close()
    assert overflow <= 0, f"{kind} is {overflow}px too wide at 320px"


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_standalone_html_lets_a_reader_see_the_statement_and_the_support_line(
    browser: Browser, pathway: Pathway, media: str
) -> None:
    """`pathways show --format html` (a page saved or printed on its own) shows the
    statement and the support line where a reader can see them, for every state."""
    from pathways.templating import Renderer

    renderer = Renderer()
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    problems: dict[str, dict[str, list[str]]] = {}
    try:
        page.emulate_media(media=media)  # type: ignore[arg-type]
        for state in pathway.state_ids:
            page.set_content(renderer.render(Journey.begin(pathway, at=state), "html"))
            found = {
                n: p for n, t in frame_texts(pathway).items() if (p := visibility_problems(page, t))
            }
            if found:
                problems[state] = found
    finally:
        context.close()
    assert not problems, problems
