"""The map and presenter mode in a real browser: a map that holds still and opens at the
reader's place, and presenter pages made for a projector.

Drives Debian's chromium (/usr/bin/chromium) with playwright against the app served by
uvicorn on 127.0.0.1 at a free port; skipped, with the reason, where there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from browser_support import axe_violations, chromium, serve
from browser_support import axe_source as read_axe
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
