"""The map and presenter mode in a real browser: a map that holds still and opens at the
reader's place, and presenter pages made for a projector.

Drives Debian's chromium (/usr/bin/chromium) with playwright against the app served by
uvicorn on 127.0.0.1 at a free port; skipped, with the reason, where there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from browser_support import axe_source as read_axe
from browser_support import axe_violations, chromium, serve
from pathways.journey import Journey
from pathways.schema import Pathway
from pathways.web import create_app

pytestmark = pytest.mark.browser

BOXES = """() => {
  const map = document.querySelector('svg.pathway-map').getBoundingClientRect();
  const found = {};
  for (const box of document.querySelectorAll('svg.pathway-map .map-state')) {
    const r = box.querySelector('path').getBoundingClientRect();
    found[box.id] = [r.left - map.left, r.top - map.top, r.width, r.height].map(
      v => Math.round(v * 10) / 10);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def base_url(pathway: Pathway) -> Iterator[str]:
    with serve(create_app(pathway=pathway)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def relapse_of(pathway: Pathway) -> Journey:
    return Journey.begin(pathway).step("goes_into_remission").step("comes_back")


def open_page(browser: Browser, width: int, height: int) -> Page:
    return browser.new_context(viewport={"width": width, "height": height}).new_page()


# --------------------------------------------------------------------------- the map


@pytest.mark.parametrize("mode", ["j", "present"])
def test_map_boxes_stand_still_across_places(
    browser: Browser, base_url: str, pathway: Pathway, mode: str
) -> None:
    """Every box of the map stands at the same place and size at the relapse, at an option
    after it and at an end point: only the marking changes."""
    relapse = relapse_of(pathway)
    places = [relapse, relapse.step("try_antibody_drug"), relapse.step("choose_palliative_care")]
    page = open_page(browser, 1280, 800)
    try:
        seen = []
        for journey in places:
            page.goto(f"{base_url}/{mode}/{journey.token}/map")
            seen.append(page.evaluate(BOXES))
            here = page.locator("svg.pathway-map .map-here")
            assert here.count() == 1 and "You are here" in (here.text_content() or "")
            assert here.get_attribute("id") == f"map-{journey.state}"
    finally:
        page.context.close()
    assert len(seen[0]) == len(pathway.states)
    assert seen[1] == seen[0]
    assert seen[2] == seen[0]


@pytest.mark.parametrize("state", ["relapse", "stem_cell_transplant", "talk_to_team"])
def test_map_opens_with_you_are_here_in_view_on_a_phone(
    browser: Browser, base_url: str, pathway: Pathway, state: str
) -> None:
    """At 375x812, following a page's map link shows the "you are here" box whole, without
    a script (the link's fragment names the box)."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    try:
        journey = relapse_of(pathway).jump(state)
        page.goto(f"{base_url}/j/{journey.token}")
        with page.expect_navigation():
            page.locator("a[href*='/map#']").first.click()
        box = page.locator("svg.pathway-map .map-here path").first.bounding_box()
    finally:
        context.close()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= 812, box


# --------------------------------------------------------------------------- presenter mode

PROJECTOR = {"width": 1920, "height": 1080}
FONT_PX = "el => parseFloat(getComputedStyle(el).fontSize)"


def test_presenter_relapse_fits_a_projector_screen(
    browser: Browser, base_url: str, pathway: Pathway
) -> None:
    """At 1920x1080 the title and every option of the relapse are on the first screen,
    none cut off at the side, all in type of at least 28px."""
    journey = relapse_of(pathway)
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/present/{journey.token}")
        targets = [page.locator("h1"), page.locator("p.lead")]
        options = page.locator("a[data-choice]")
        assert options.count() == len(journey.next_steps())
        targets += [options.nth(i) for i in range(options.count())]
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        for target in targets:
            box = target.bounding_box()
            assert box is not None
            assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, target
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1920, target
            assert target.evaluate(FONT_PX) >= 28, target
        cells = page.locator("table.grid td, table.grid th")
        sizes = cells.evaluate_all(
            "els => els.map(el => parseFloat(getComputedStyle(el).fontSize))"
        )
        assert min(sizes) >= 28
    finally:
        context.close()


def test_focus_is_a_ring_not_a_fill(browser: Browser, base_url: str, pathway: Pathway) -> None:
    """N moves focus to the first option: it gets an outline, and its background stays
    as it was (a filled option would look picked)."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/present/{relapse_of(pathway).token}")
        first = page.locator("a[data-choice='1']")
        before = first.evaluate("el => getComputedStyle(el).backgroundColor")
        page.keyboard.press("n")
        assert page.evaluate("document.activeElement.dataset.choice") == "1"
        style = first.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return [s.backgroundColor, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
    finally:
        context.close()
    assert style[0] == before
    assert style[1] == "solid" and style[2] >= 3


def presenter_pages(pathway: Pathway) -> dict[str, Journey]:
    relapse = relapse_of(pathway)
    return {
        "branch": relapse,
        "one way on": relapse.step("choose_palliative_care"),
        "map": relapse,
    }


def state_of(page: Page, pathway: Pathway) -> tuple[str, str]:
    """(state id, kind of page) of the presenter page shown."""
    token = page.url.split("/present/", 1)[1].split("/", 1)[0].split("#", 1)[0]
    kind = "map" if "/map" in page.url else "state"
    return Journey.from_token(pathway, token).state, kind


@pytest.mark.parametrize("where", ["branch", "one way on", "map"])
def test_every_presenter_shortcut_works_on_every_presenter_page(
    browser: Browser, base_url: str, pathway: Pathway, where: str
) -> None:
    """On a branch, a step with one way on and the map: N/→, 1, B/←, M, J (then Enter), H,
    W and the full stop (then Escape), and ? each do what the shortcuts list says."""
    journey = presenter_pages(pathway)[where]
    url = f"{base_url}/present/{journey.token}" + ("/map" if where == "map" else "")
    steps = journey.next_steps()
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()

    def fresh() -> None:
        page.goto(url)

    def goes(key: str) -> tuple[str, str]:
        fresh()
        with page.expect_navigation():
            page.keyboard.press(key)
        return state_of(page, pathway)

    try:
        # Next: several ways on move focus to the first; one way on follows it.
        for key in ("n", "ArrowRight"):
            if len(steps) == 1:
                assert goes(key) == (steps[0].dest, "state")
            else:
                fresh()
                page.keyboard.press(key)
                assert page.evaluate("document.activeElement.dataset.choice") == "1"
        assert goes("1") == (steps[0].dest, "state")
        back = journey.back().state if where != "map" else journey.state
        for key in ("b", "ArrowLeft"):
            assert goes(key) == (back, "state")
        assert goes("m") == (journey.state, "state" if where == "map" else "map")
        # J, then a choice in the list and Enter: goes there.
        fresh()
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.id") == "jump-to"
        page.keyboard.press("Home")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert state_of(page, pathway) == (pathway.states[0].id, "state")
        # H hides the path so far, and shows it again.
        fresh()
        path = page.locator("details.path-so-far")
        assert path.evaluate("el => el.open") is True
        page.keyboard.press("h")
        assert path.evaluate("el => el.open") is False
        assert not page.locator("details.path-so-far ol").is_visible()
        page.keyboard.press("h")
        assert path.evaluate("el => el.open") is True
        # W or the full stop blanks the screen; the same key or Escape brings it back.
        for key, again in (("w", "w"), (".", "Escape"), ("W", ".")):
            page.keyboard.press(key)
            blank = page.locator("dialog.blank-screen")
            assert blank.evaluate("el => el.open") is True
            assert page.locator("h1").is_visible() is False or _covered(page)
            page.keyboard.press("1")  # nothing else works while blank
            assert state_of(page, pathway)[0] == journey.state
            page.keyboard.press(again)
            assert blank.evaluate("el => el.open") is False
        # ? lists the shortcuts in a dialog; Escape closes it.
        page.keyboard.press("?")
        dialog = page.locator("dialog.shortcuts-dialog")
        assert dialog.evaluate("el => el.open") is True
        assert "Blank the screen" in dialog.inner_text()
        page.keyboard.press("Escape")
        assert dialog.evaluate("el => el.open") is False
    finally:
        context.close()


def _covered(page: Page) -> bool:
    """Whether the blank screen covers the middle of the window."""
    return bool(
        page.evaluate("document.elementFromPoint(960, 540).closest('dialog.blank-screen') !== null")
    )


@pytest.fixture(scope="module")
def axe_source() -> str:
    return read_axe()


@pytest.mark.parametrize(
    ("where", "size", "dialog"),
    [
        ("branch", PROJECTOR, None),
        ("branch", PROJECTOR, "?"),
        ("one way on", PROJECTOR, None),
        ("map", PROJECTOR, None),
        ("map", {"width": 375, "height": 812}, None),
        ("patient map", {"width": 375, "height": 812}, None),
    ],
)
def test_axe_finds_nothing_on_map_and_presenter_pages(
    browser: Browser,
    base_url: str,
    pathway: Pathway,
    axe_source: str,
    where: str,
    size: dict[str, int],
    dialog: str | None,
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA) finds nothing on the presenter pages and the map,
    on a projector and a phone, with the shortcuts dialog open too."""
    relapse = relapse_of(pathway)
    journey = presenter_pages(pathway).get(where, relapse)
    mode = "j" if where == "patient map" else "present"
    tail = "/map" if "map" in where else ""
    context = browser.new_context(viewport=size, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/{mode}/{journey.token}{tail}")
        if dialog:
            page.keyboard.press(dialog)
        problems = axe_violations(page, axe_source)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
