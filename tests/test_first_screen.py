"""What a reader sees before scrolling, measured in a real browser.

At a phone's 375x812 and a laptop's 1280x800, the start page shows its start button, and
each state page its title, its summary and the first of "What might happen next", all
within the first screen (element positions from getBoundingClientRect). A jump then the
print page never shows the state jumped to as a step walked. axe-core finds nothing on
the pages this layout changed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from browser_support import axe_source, axe_violations, chromium, serve
from pathways.journey import Journey
from pathways.schema import Pathway
from pathways.web import create_app

pytestmark = pytest.mark.browser

SCREENS = {"phone": (375, 812), "laptop": (1280, 800)}
# The relapse page and two of its options, walked to from the start.
WALKS = {
    "relapse": ("goes_into_remission", "comes_back"),
    "reinduction": ("goes_into_remission", "comes_back", "repeat_induction"),
    "antibody_therapy": ("goes_into_remission", "comes_back", "try_antibody_drug"),
}

BOX = """(selector) => {
  const e = document.querySelector(selector);
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
          left: r.left, right: r.right, height: r.height};
}"""


@pytest.fixture(scope="module")
def base_url(pathway: Pathway) -> Iterator[str]:
    with serve(create_app(pathway=pathway)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(params=list(SCREENS), ids=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[Page, int, int]]:
    width, height = SCREENS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page(), width, height
    context.close()


def _within_first_screen(page: Page, selector: str, width: int, height: int) -> None:
    box = page.evaluate(BOX, selector)
    assert box is not None, f"no {selector} on {page.url}"
    assert box["height"] > 0, f"{selector} is not shown"
    assert box["top"] >= 0 and box["bottom"] <= height, (
        f"{selector} spans {box['top']:.0f}-{box['bottom']:.0f} px; the first screen ends"
        f" at {height} px ({page.url})"
    )
    assert box["left"] >= 0 and box["right"] <= width, f"{selector} is off the side"


def _journey_url(base_url: str, pathway: Pathway, triggers: tuple[str, ...]) -> str:
    journey = Journey.begin(pathway)
    for trigger in triggers:
        journey = journey.step(trigger)
    return f"{base_url}/j/{journey.token}"


def test_the_start_button_is_on_the_first_screen(
    screen: tuple[Page, int, int], base_url: str
) -> None:
    """The start page's heading and its start button need no scrolling."""
    page, width, height = screen
    page.goto(base_url + "/")
    _within_first_screen(page, "h1", width, height)
    _within_first_screen(page, "form.start-form .button-start", width, height)
    _within_first_screen(page, ".purpose", width, height)


@pytest.mark.parametrize("state", list(WALKS))
def test_title_summary_and_first_option_are_on_the_first_screen(
    screen: tuple[Page, int, int], base_url: str, pathway: Pathway, state: str
) -> None:
    """A state page shows its title, its summary and the first thing that might happen
    next without scrolling, with the intended-purpose statement still in view."""
    page, width, height = screen
    page.goto(_journey_url(base_url, pathway, WALKS[state]))
    assert page.locator("h1").inner_text() == pathway.state(state).title
    _within_first_screen(page, ".purpose", width, height)
    _within_first_screen(page, "h1", width, height)
    _within_first_screen(page, "main .lead", width, height)
    _within_first_screen(page, ".next .choice-link", width, height)


def test_every_option_has_the_same_weight(
    browser: Browser, base_url: str, pathway: Pathway
) -> None:
    """On the relapse page every option's link has the same type, border and background."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(_journey_url(base_url, pathway, WALKS["relapse"]))
    looks = page.evaluate(
        """() => [...document.querySelectorAll('.next .choice-link')].map(e => {
            const s = getComputedStyle(e);
            return [s.fontSize, s.fontWeight, s.borderTopWidth, s.borderTopColor,
                    s.backgroundColor, s.color, e.getBoundingClientRect().width];
        })"""
    )
    context.close()
    assert len(looks) > 1
    assert all(look == looks[0] for look in looks)


def test_a_jump_then_print_does_not_show_the_jump_as_walked(
    browser: Browser, base_url: str, pathway: Pathway
) -> None:
    """A nurse jumps from the start to palliative care: the print page lists the first
    treatment as the path walked and palliative care only as looked at."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/begin")
    page.goto(page.url + "/jump/palliative_care")
    page.goto(page.url + "/print")
    page.emulate_media(media="print")
    walked = page.locator(".print-walked .print-path > li h3").all_inner_texts()
    looked = page.locator(".print-looked").inner_text()
    context.close()
    start, jumped = pathway.state(pathway.start).title, pathway.state("palliative_care").title
    assert walked == [start]
    assert jumped in looked and "not steps taken" in looked


def test_the_words_list_is_folded_and_a_term_opens_it(
    browser: Browser, base_url: str, pathway: Pathway
) -> None:
    """The words list starts folded; following a term in the text shows its meaning."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(_journey_url(base_url, pathway, WALKS["relapse"]))
    assert page.locator("details.terms").get_attribute("open") is None
    term = page.locator("main a.term").first
    target = (term.get_attribute("href") or "").lstrip("#")
    term.click()
    assert page.locator(f"[id='{target}']").is_visible()
    context.close()


@pytest.mark.parametrize("where", ["start", "relapse", "reinduction", "antibody_therapy", "print"])
def test_the_pages_this_layout_changed_pass_axe(
    browser: Browser, base_url: str, pathway: Pathway, where: str
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA) finds no violation at a phone's width."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    if where == "start":
        page.goto(base_url + "/")
    elif where == "print":
        page.goto(_journey_url(base_url, pathway, WALKS["relapse"]) + "/jump/car_t/print")
    else:
        page.goto(_journey_url(base_url, pathway, WALKS[where]))
    found = axe_violations(page, axe_source())
    context.close()
    assert found == []
