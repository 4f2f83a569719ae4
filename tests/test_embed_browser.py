"""The embed in a real browser, as another site uses it: docs/embed-demo.html on one origin
(http://localhost:H) frames the guide on another (http://127.0.0.1:A), a reader walks in
the frame, and the host page hears each state change by postMessage.

Also: framing is refused to other origins and to every page outside /embed/, the embed
works with JavaScript off, and axe-core finds nothing on the embed pages, the demo page
and the API's documentation page. Same chromium and playwright set-up as test_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from browser_support import (
    ROOT,
    axe_source,
    axe_violations,
    chromium,
    free_port,
    serve,
    visibility_problems,
)
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.schema import Pathway
from pathways.web import create_app

pytestmark = pytest.mark.browser

NO_SCRIPT_HOST = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Host without scripts</title></head>
<body><main><h1>Host without scripts</h1>
<iframe id="guide" title="The guide" src="{src}" width="900" height="700"></iframe>
</main></body></html>
"""


# --------------------------------------------------------------------------- fixtures


def readme_snippet() -> str:
    """The iframe snippet of the embedding page (docs/embedding.md, where the README's
    Embedding section moved), as written."""
    text = (ROOT / "docs" / "embedding.md").read_text(encoding="utf-8")
    match = re.search(r"```html\n(.*?)```", text, re.S)
    assert match, "docs/embedding.md has no html snippet"
    return match.group(1)


def _static(folder: Path) -> Starlette:
    """A static site (another origin's host pages): files, and 404s for the rest."""
    return Starlette(routes=[Mount("/", StaticFiles(directory=folder))])


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Two host sites on localhost (the demo page, and a page without scripts), the guide
    on 127.0.0.1 allowing both, and a second guide that allows no site at all."""
    demo_port, plain_port, guide_port = free_port(), free_port(), free_port()
    demo = f"http://localhost:{demo_port}"
    plain = f"http://localhost:{plain_port}"
    guide = f"http://127.0.0.1:{guide_port}"
    folder = tmp_path_factory.mktemp("plain-host")
    (folder / "host.html").write_text(
        NO_SCRIPT_HOST.format(src=f"{guide}/embed/"), encoding="utf-8"
    )
    (folder / "site.html").write_text(NO_SCRIPT_HOST.format(src=f"{guide}/"), encoding="utf-8")
    snippet = readme_snippet().replace("https://guide.example.org", guide)
    (folder / "readme.html").write_text(
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>README host</title></head><body><main>{snippet}</main></body></html>",
        encoding="utf-8",
    )
    pathway = load_pathway(ROOT / "pathways.yaml")
    with (
        serve(_static(ROOT / "docs"), port=demo_port),
        serve(_static(folder), port=plain_port),
        serve(create_app(pathway=pathway, embed_origins=[demo, plain]), port=guide_port),
        serve(create_app(pathway=pathway)) as closed_port,
    ):
        yield {
            "demo": demo,
            "plain": plain,
            "guide": guide,
            "closed": f"http://127.0.0.1:{closed_port}",
        }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, hosts: dict[str, str]) -> Iterator[Page]:
    """A fresh page that records any request to a host other than ours."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    ours = tuple(hosts.values())
    outside: list[str] = []
    opened.on(
        "request",
        lambda request: None if request.url.startswith(ours) else outside.append(request.url),
    )
    yield opened
    context.close()
    assert not outside, f"requests to other hosts: {outside}"


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """What the browser reports as errors on the page (refused frames, CSP, postMessage)."""
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if message.type == "error" else None
    )
    return found


def messages(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.pathwaysMessages"))


def wait_for_messages(page: Page, count: int) -> list[dict[str, Any]]:
    """The messages the host page has heard, once there are at least ``count``."""
    page.wait_for_function(f"window.pathwaysMessages.length >= {count}", timeout=10_000)
    return messages(page)


def guide_frame(page: Page) -> Frame:
    """The host page's one frame: the guide."""
    frames = [f for f in page.frames if f is not page.main_frame]
    assert len(frames) == 1, [f.url for f in page.frames]
    return frames[0]


def policy_problems(errors: list[str]) -> list[str]:
    return [e for e in errors if re.search(r"Content Security Policy|postMessage|frame", e)]


# --------------------------------------------------------------------------- the walk


def test_the_host_hears_each_state_of_a_two_step_walk(
    page: Page, console_errors: list[str], hosts: dict[str, str], pathway: Pathway
) -> None:
    """In the demo page's frame: start, then two steps; the host gets one message a state."""
    page.goto(f"{hosts['demo']}/embed-demo.html?guide={hosts['guide']}")
    frame = page.frame_locator("#guide")
    frame.get_by_role("button", name=re.compile("^Start")).click()
    first = wait_for_messages(page, 1)[-1]
    journey = Journey.begin(pathway)
    assert first == {
        "type": "pathways:state",
        "state": journey.state,
        "token": journey.token,
        "title": pathway.state(journey.state).title,
    }
    for trigger in ("goes_into_remission", "comes_back"):
        step = next(s for s in journey.next_steps() if s.trigger == trigger)
        frame.get_by_role("link", name=re.compile(re.escape(step.label))).click()
        journey = journey.step(trigger)
        frame.locator("h1").filter(has_text=pathway.state(journey.state).title).wait_for()
    received = wait_for_messages(page, 3)
    assert [m["state"] for m in received] == ["first_treatment", "remission", "relapse"]
    assert Journey.from_token(pathway, received[-1]["token"]) == journey
    assert [m["title"] for m in received] == [
        pathway.state(s).title for s in ("first_treatment", "remission", "relapse")
    ]
    # The host page shows what it heard, and the frame never left the embed.
    assert page.locator("#messages li").count() == 3
    assert guide_frame(page).url == f"{hosts['guide']}/embed/{journey.token}"
    assert not policy_problems(console_errors)


def test_the_readme_snippet_works_as_written(page: Page, hosts: dict[str, str]) -> None:
    """The README's iframe and listener, on an allowed site: the listener hears the walk."""
    heard: list[str] = []
    page.on("console", lambda m: heard.append(m.text) if m.text.startswith("guide shows") else None)
    page.goto(f"{hosts['plain']}/readme.html")
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name=re.compile("^Start")).click()
    with page.expect_console_message(lambda m: m.text.startswith("guide shows remission")):
        frame.get_by_role("link", name=re.compile("The treatment brings remission")).click()
    frame.locator("h1").filter(has_text="In remission").wait_for()
    assert [line.split()[2] for line in heard] == ["first_treatment", "remission"]


def test_back_and_start_again_stay_in_the_frame_and_are_heard(
    page: Page, hosts: dict[str, str], pathway: Pathway
) -> None:
    """Back and start again move the frame's journey, and each move is a message."""
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    page.goto(f"{hosts['demo']}/embed-demo.html?guide={hosts['guide']}")
    wait_for_messages(page, 0)
    guide_frame(page).goto(f"{hosts['guide']}/embed/{journey.token}")
    wait_for_messages(page, 1)
    frame = page.frame_locator("#guide")
    frame.get_by_role("link", name=re.compile("Back to the previous step")).first.click()
    assert wait_for_messages(page, 2)[-1]["state"] == "remission"
    frame.get_by_role("link", name="Start again").click()
    assert wait_for_messages(page, 3)[-1]["state"] == pathway.start


def test_links_out_of_the_walk_open_a_new_tab(page: Page, hosts: dict[str, str]) -> None:
    """The map opens in a new tab (the full guide is never framed); the frame stays put."""
    page.goto(f"{hosts['demo']}/embed-demo.html?guide={hosts['guide']}")
    frame = page.frame_locator("#guide")
    frame.get_by_role("button", name=re.compile("^Start")).click()
    wait_for_messages(page, 1)
    before = guide_frame(page).url
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name=re.compile("^Map")).click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith(f"{hosts['guide']}/j/") and "/map#map-" in tab.url
    assert tab.locator("h1").inner_text() == "Map of the pathway"
    assert guide_frame(page).url == before


def test_the_embed_works_without_javascript(browser: Browser, hosts: dict[str, str]) -> None:
    """Scripts off in host and frame: the topic form and the choices navigate the frame."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{hosts['plain']}/host.html")
        frame = page.frame_locator("#guide")
        frame.get_by_label("Philadelphia positive ALL").check()
        frame.get_by_role("button", name=re.compile("^Start")).click()
        frame.locator("h1").filter(has_text="The first treatment").wait_for()
        frame.get_by_role("link", name=re.compile("The treatment brings remission")).click()
        frame.locator("h1").filter(has_text="In remission").wait_for()
        assert "/embed/" in guide_frame(page).url
        assert frame.get_by_text("Showing information for: Philadelphia positive ALL").count()
    finally:
        context.close()


# --------------------------------------------------------------------------- refusals


def test_a_guide_that_allows_no_origin_cannot_be_framed(
    page: Page, console_errors: list[str], hosts: dict[str, str]
) -> None:
    """With no --embed-origin the frame stays empty and the host hears nothing."""
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(f"{hosts['demo']}/embed-demo.html?guide={hosts['closed']}")
    # The browser shows its own error page in the frame instead of the guide.
    assert not guide_frame(page).url.startswith(hosts["closed"])
    assert messages(page) == []
    assert any("frame-ancestors" in e for e in console_errors), console_errors


def test_pages_outside_the_embed_cannot_be_framed(
    page: Page, console_errors: list[str], hosts: dict[str, str]
) -> None:
    """An allowed host still cannot frame the full guide (its start page, its journeys)."""
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(f"{hosts['plain']}/site.html")
    assert not guide_frame(page).url.startswith(hosts["guide"])
    assert any("frame-ancestors" in e for e in console_errors), console_errors


# --------------------------------------------------------------------------- axe and reflow


def embed_pages(pathway: Pathway) -> dict[str, str]:
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    numbers = Journey.begin(pathway, {"philadelphia": "positive"})
    return {
        "embed start": "/embed/",
        "embed state": f"/embed/{relapse.token}",
        "embed state with a number": f"/embed/{numbers.token}",
        "embed end state": f"/embed/{relapse.step('choose_palliative_care').token}",
        "embed unknown step": f"/embed/{relapse.token}/step/nope",
        "embed bad token": "/embed/broken",
        "api docs": "/api/docs",
    }


EMBED_PAGES = list(embed_pages(load_pathway(ROOT / "pathways.yaml")))


@pytest.mark.parametrize("kind", EMBED_PAGES)
def test_axe_finds_no_wcag_violations(
    browser: Browser, hosts: dict[str, str], pathway: Pathway, kind: str
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA, target size included) finds nothing on the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(hosts["guide"] + embed_pages(pathway)[kind])
        problems = axe_violations(page, axe_source())
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", [k for k in EMBED_PAGES if k != "api docs"])
def test_embed_pages_let_a_reader_see_the_statement_and_the_support_line(
    browser: Browser, hosts: dict[str, str], pathway: Pathway, kind: str
) -> None:
    """In a frame-sized window, every embed page shows the intended-purpose statement and
    the support line where a reader can see them (rendered, unclipped, in contrast)."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    try:
        page.goto(hosts["guide"] + embed_pages(pathway)[kind])
        texts = {
            "intended purpose": pathway.metadata.intended_purpose,
            "support line name": pathway.support_line.name,
            "support line phone": pathway.support_line.phone,
        }
        problems = {
            name: found
            for name, text in texts.items()
            if (found := visibility_problems(page, text))
        }
    finally:
        context.close()
    assert not problems, f"{kind}: {problems}"


def test_axe_finds_no_wcag_violations_on_the_demo_host(
    browser: Browser, hosts: dict[str, str]
) -> None:
    """The demo host page (the frame's title included) passes axe-core too."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{hosts['demo']}/embed-demo.html?guide={hosts['guide']}")
        page.frame_locator("#guide").locator("h1").wait_for()
        problems = axe_violations(page, axe_source())
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", EMBED_PAGES)
def test_embed_pages_reflow_at_320_pixels(
    browser: Browser, hosts: dict[str, str], pathway: Pathway, kind: str
) -> None:
    """At 320 CSS pixels (a narrow frame, or 400% zoom) no embed page scrolls sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(hosts["guide"] + embed_pages(pathway)[kind])
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        context.close()
    assert overflow <= 0, f"{kind} is {overflow}px too wide at 320px"
