"""The reader's notes in a real browser: "My questions" and "What matters to me".

A reader ticks questions, writes their own, answers a prompt, walks on, reloads and prints:
everything is there, and nothing they typed reaches the server (its requests, recorded as
the app received them, and its log) or any request the browser made. The print page's QR
code reads back as the page's own address, fragment included. Also: clearing, a damaged
address, the size bound, pages without JavaScript, the embed (whose messages to the host
never carry the notes), axe-core on the new pages and controls, and reflow at 375 px.

Same chromium and playwright set-up as test_browser.py.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Request
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from browser_support import axe_source, axe_violations, chromium, free_port, serve
from pathways.journey import Journey
from pathways.notes import NOTES_MAX_CHARS
from pathways.schema import Pathway
from pathways.web import create_app

pytestmark = pytest.mark.browser

OWN = "Can my sister Zelda come to the appointment?"
ANSWER = "Staying near my garden in Quixotic Lane"
SECRET_WORDS = ("zelda", "quixotic")
"""Words in the typed notes and nowhere in the guide: finding either in anything the
server saw means the notes left the device, however they were encoded."""


# --------------------------------------------------------------------------- the server


class Recorder:
    """ASGI wrapper: everything the app was sent (address, headers, body), as it got it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("raw_path") or scope["path"].encode()
        self.seen.append(scope["method"].encode() + b" " + raw + b"?" + scope["query_string"])
        self.seen.extend(name + b": " + value for name, value in scope["headers"])

        async def recorded() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.seen.append(message.get("body", b""))
            return message

        await self.app(scope, recorded, send)


class Served:
    def __init__(self, url: str, recorder: Recorder, log: io.StringIO) -> None:
        self.url = url
        self.recorder = recorder
        self.log = log

    def everything_seen(self) -> str:
        sent = b"\n".join(self.recorder.seen).decode("utf-8", "replace")
        return sent + "\n" + self.log.getvalue()


@pytest.fixture(scope="module")
def server(pathway: Pathway) -> Iterator[Served]:
    """The app on 127.0.0.1 with uvicorn's access log on, every log line the server writes
    kept, and every request recorded as the app received it."""
    recorder = Recorder(create_app(pathway=pathway))
    port = free_port()
    config = uvicorn.Config(
        recorder,
        host="127.0.0.1",
        port=port,
        log_level="debug",
        access_log=True,
        http="h11",
        ws="none",
        lifespan="off",
    )
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    loggers = [
        logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access", "pathways")
    ]
    for logger in loggers:
        logger.addHandler(handler)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", recorder, log)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


class Visit:
    """A browser page and every request it made: address (the fragment, which is never
    sent, left out), headers and body."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._record)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type == "error" else None,
        )

    def _record(self, request: Request) -> None:
        self.requests.append(
            "\n".join(
                [
                    request.method + " " + request.url.split("#", 1)[0],
                    *(f"{k}: {v}" for k, v in request.headers.items()),
                    request.post_data or "",
                ]
            )
        )


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    seen = Visit(context.new_page())
    yield seen
    context.close()
    assert not seen.errors, seen.errors


def assert_secret_absent(text: str) -> None:
    lowered = text.casefold()
    for secret in (OWN, ANSWER):
        for form in (secret, quote(secret), quote_plus(secret)):
            assert form.casefold() not in lowered
    for word in SECRET_WORDS:
        assert word not in lowered, f"{word!r} reached the server or a request"


# --------------------------------------------------------------------------- helpers


def fragment(page: Page) -> str:
    return str(page.evaluate("location.hash"))


def wait_for_fragment(page: Page, words: str) -> None:
    """Wait until the address's fragment holds ``words`` (as the notes encode them)."""
    page.wait_for_function(
        "(w) => location.hash.includes(w)", arg=quote_plus(words).replace("%20", "+")
    )


def my_questions(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("[data-notes-list] .note-text").all_inner_texts()]


def step_on(page: Page, pathway: Pathway, trigger: str) -> None:
    """Follow the choice link of ``trigger`` with the mouse, and wait for the new page."""
    token = re.search(r"/j/([A-Za-z0-9_-]+)", page.url)
    assert token
    journey = Journey.from_token(pathway, token.group(1))
    step = next(s for s in journey.next_steps() if s.trigger == trigger)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(re.escape(step.label))).first.click()
    page.locator("h1").filter(has_text=pathway.state(step.dest).title).wait_for()


def ticks(page: Page) -> Any:
    return page.locator("[data-note-question]")


# --------------------------------------------------------------------------- the whole story


def test_notes_survive_a_walk_a_reload_and_print_and_never_leave_the_browser(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """Tick two questions and write one, answer a prompt, walk three steps, reload, print:
    everything is there, the QR code reads back as the address, and no request and no
    log line holds any of it; then clearing removes everything."""
    import zxingcpp
    from PIL import Image

    page = visit.page
    page.goto(server.url + "/begin")
    first = pathway.state(pathway.start)
    ticks(page).nth(0).check()
    ticks(page).nth(2).check()
    page.get_by_label("Write your own question").fill(OWN)
    page.get_by_role("button", name="Add my question").click()
    status = page.locator(".questions [role=status]")
    status.filter(has_text="Added to your questions").filter(has_text=OWN).wait_for()
    assert "Your list has 3 questions." in status.inner_text()
    wait_for_fragment(page, OWN)
    expected = [first.questions[0], first.questions[2], OWN]

    page.get_by_role("link", name="My questions").first.click()
    page.get_by_role("heading", name="My questions", level=1).wait_for()
    assert my_questions(page) == expected
    page.get_by_label(pathway.what_matters[1].prompt).fill(ANSWER)
    wait_for_fragment(page, ANSWER)
    with page.expect_navigation():
        page.locator("a.back-link").first.click()

    for trigger in ("goes_into_remission", "comes_back", "repeat_induction"):
        step_on(page, pathway, trigger)
    wait_for_fragment(page, OWN)
    page.reload()
    assert page.locator("[data-notes-count]").inner_text() == "Your list has 3 questions."

    page.get_by_role("link", name="My questions").first.click()
    page.get_by_role("heading", name="My questions", level=1).wait_for()
    assert my_questions(page) == expected
    froms = page.locator("[data-notes-list] .note-from").all_inner_texts()
    assert all(first.title in f for f in froms)
    assert "my own question" in froms[2] and "my own question" not in froms[0]
    assert page.get_by_label(pathway.what_matters[1].prompt).input_value() == ANSWER
    page.reload()
    assert my_questions(page) == expected

    with page.expect_navigation():
        page.get_by_role("link", name="Print my path and my questions").first.click()
    page.get_by_role("heading", name="My path and my questions").wait_for()
    page.locator("[data-notes-qr] svg").wait_for()
    page.emulate_media(media="print")
    text = " ".join(page.locator("body").inner_text().split())
    for words in [*expected, ANSWER, pathway.metadata.intended_purpose, pathway.support_line.phone]:
        assert words in text
    assert "Anyone who scans this code" in text
    page.emulate_media(media="screen")
    shot = page.locator("[data-notes-qr]").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
    assert [code.text for code in found] == [page.url]
    assert "#notes=1&" in page.url

    # The log and the record are real: they hold the pages the walk asked for.
    assert f"GET /j/{Journey.from_token(pathway, page.url.split('/')[4]).token}/print" in (
        server.log.getvalue()
    )
    assert any(b"/notes" in seen for seen in server.recorder.seen)
    assert_secret_absent(server.everything_seen())
    assert_secret_absent("\n".join(visit.requests))
    assert not [r for r in visit.requests if not r.startswith("GET ")]

    page.get_by_role("link", name="My questions").first.click()
    page.get_by_role("heading", name="My questions", level=1).wait_for()
    page.get_by_role("button", name="Clear my notes").click()
    page.get_by_role("button", name="Yes, clear my notes").click()
    page.locator("[role=status]").filter(has_text="cleared").wait_for()
    assert fragment(page) == ""
    assert my_questions(page) == []
    assert page.get_by_label(pathway.what_matters[1].prompt).input_value() == ""
    page.reload()
    assert my_questions(page) == []
    with page.expect_navigation():
        page.locator("a.back-link").first.click()
    assert page.locator("[data-notes-count]").inner_text() == "Your list has no questions yet."
    assert not any(box.is_checked() for box in ticks(page).all())


def test_keyboard_alone_adds_a_question_and_hears_it_said(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """Tab to a tick box, Space ticks it; type a question, Enter adds it; the status
    region (role=status, polite) says each one."""
    page = visit.page
    page.goto(server.url + "/begin")
    page.get_by_label(pathway.state(pathway.start).questions[1]).focus()
    page.keyboard.press("Space")
    status = page.locator(".questions [role=status]")
    status.filter(has_text=pathway.state(pathway.start).questions[1]).wait_for()
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") != "own-question":
        page.keyboard.press("Tab")
    page.keyboard.type("What happens at the weekend?")
    page.keyboard.press("Enter")
    status.filter(has_text="What happens at the weekend?").wait_for()
    assert page.evaluate("document.activeElement.id") == "own-question"
    assert page.locator("[data-note-own-list] li").count() == 1
    # Remove it by keyboard: focus comes back to the box, not to the top of the page.
    page.locator("[data-note-own-list] .note-remove").focus()
    page.keyboard.press("Enter")
    status.filter(has_text="Removed from your questions").wait_for()
    assert page.evaluate("document.activeElement.id") == "own-question"
    assert page.locator("[data-note-own-list] li").count() == 0
    # A link to a place on the page (a word's meaning) keeps the notes in the address.
    term = page.locator("a.term").first
    target = term.get_attribute("href")
    assert target and target.startswith("#")
    term.click()
    assert page.evaluate("document.activeElement.id") == target[1:]
    assert fragment(page).startswith("#notes=1&")


def test_a_topic_change_keeps_the_notes(visit: Visit, server: Served, pathway: Pathway) -> None:
    """The change-topic form (GET) keeps the notes through its redirect."""
    page = visit.page
    page.goto(server.url + "/begin")
    ticks(page).nth(0).check()
    page.wait_for_function("location.hash.startsWith('#notes=1&q=')")
    page.locator(".change-topic summary").click()
    page.get_by_label("Philadelphia positive ALL").check()
    with page.expect_navigation():
        page.locator(".change-topic form button").click()
    assert ticks(page).nth(0).is_checked()
    assert fragment(page).startswith("#notes=1&q=")


def test_the_map_and_its_boxes_keep_the_notes(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """From a step to the map, then a box of the map's drawing (an SVG link): the notes
    come along each time."""
    page = visit.page
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    page.goto(f"{server.url}/j/{journey.token}{with_notes(pathway)}")
    page.wait_for_function("document.documentElement.classList.contains('js-notes')")
    with page.expect_navigation():
        page.get_by_role("link", name="Map of the pathway").click()
    assert fragment(page) == with_notes(pathway)
    with page.expect_navigation():
        page.locator("svg a").filter(has_text=pathway.state("car_t").title).first.click()
    page.locator("h1").filter(has_text=pathway.state("car_t").title).wait_for()
    assert fragment(page) == with_notes(pathway)


def test_notes_change_nothing_the_guide_shows(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """With notes and answers in the address, the step's options (and every other part
    of the page but the notes' own controls) are exactly as without: nothing is scored,
    ranked or highlighted because of what a reader wrote."""
    page = visit.page
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    shown = """() => Array.from(document.querySelectorAll('main section'))
        .filter((s) => !s.classList.contains('questions'))
        .map((s) => s.outerHTML)"""
    page.goto(f"{server.url}/j/{journey.token}")
    page.wait_for_function("document.documentElement.classList.contains('js-notes')")
    without = page.evaluate(shown)
    page.goto(f"{server.url}/j/{journey.token}{with_notes(pathway)}")
    page.reload()
    page.wait_for_function("document.documentElement.classList.contains('js-notes')")
    assert fragment(page) == with_notes(pathway)
    assert page.evaluate(shown) == without
    assert len(without) >= 3


# --------------------------------------------------------------------------- bad addresses


def test_a_damaged_address_shows_what_can_be_read_and_the_page_works(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """Parts that cannot be read are named and kept until removed; the rest is shown, and
    the page goes on working."""
    page = visit.page
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    from pathways.notes import question_key

    key = question_key(pathway.state("relapse").questions[0])
    damaged = f"#notes=1&q=relapse.{key}&o=relapse.Is+it+%E2%80%9Cok%E2%80&zz%%=1&a=worries.Sleep"
    page.goto(f"{server.url}/j/{relapse.token}/notes{damaged}")
    problem = page.locator("[data-notes-problem]")
    problem.wait_for()
    assert "these notes could not be read" in problem.inner_text().casefold()
    assert "zz%%=1" in problem.inner_text()
    assert my_questions(page) == [pathway.state("relapse").questions[0], "Is it “ok%E2%80"]
    assert page.get_by_label(pathway.what_matters[1].prompt).input_value() == "Sleep"
    page.get_by_role("button", name="Remove the part that could not be read").click()
    problem.wait_for(state="hidden")
    assert "zz" not in fragment(page)
    with page.expect_navigation():
        page.locator("a.back-link").first.click()
    assert ticks(page).nth(0).is_checked()
    ticks(page).nth(1).check()
    page.locator("[data-notes-count]").filter(has_text="3 questions").wait_for()


def test_an_unreadable_address_says_so_and_the_page_works(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """An address whose notes are all unreadable says "These notes could not be read."."""
    page = visit.page
    journey = Journey.begin(pathway)
    page.goto(f"{server.url}/j/{journey.token}#%E2%80garbled")
    problem = page.locator(".questions [data-notes-problem]")
    problem.wait_for()
    assert problem.inner_text().startswith("These notes could not be read.")
    ticks(page).nth(0).check()
    page.locator("[data-notes-count]").filter(has_text="1 question").wait_for()
    step_on(page, pathway, "goes_into_remission")
    page.get_by_role("link", name="My questions").first.click()
    page.get_by_role("heading", name="My questions", level=1).wait_for()
    assert my_questions(page) == [pathway.state(pathway.start).questions[0]]


def test_notes_stop_at_the_size_bound_with_a_clear_message(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """Questions are added until the address would pass the bound; then one is refused
    with a message, and nothing typed is lost from the box."""
    page = visit.page
    page.goto(server.url + "/begin")
    box = page.get_by_label("Write your own question")
    long = "What " + "long question " * 20
    for _ in range(NOTES_MAX_CHARS // len(long) + 2):
        box.fill(long)
        page.get_by_role("button", name="Add my question").click()
        if box.input_value():
            break
    status = page.locator(".questions [role=status]")
    status.filter(has_text="no more room").wait_for()
    assert box.input_value() == long
    assert len(fragment(page)) - 1 <= NOTES_MAX_CHARS


def test_an_address_over_the_bound_is_shown_whole_and_can_be_shortened(
    visit: Visit, server: Served, pathway: Pathway
) -> None:
    """Notes longer than the bound (made elsewhere, or by hand) are all shown; adding is
    refused, removing is not."""
    page = visit.page
    journey = Journey.begin(pathway)
    words = "+".join(["question"] * 30)
    count = NOTES_MAX_CHARS // len(words) + 2
    parts = "&".join(f"o={pathway.start}.{n}+{words}" for n in range(count))
    page.goto(f"{server.url}/j/{journey.token}/notes#notes=1&{parts}")
    assert len(my_questions(page)) == count
    page.get_by_role("button", name=re.compile("^Remove")).first.click()
    page.locator("[role=status]").filter(has_text="Removed").wait_for()
    assert len(my_questions(page)) == count - 1
    assert page.evaluate("document.activeElement.classList.contains('note-remove')")
    assert fragment(page).count("&o=") == count - 1


# --------------------------------------------------------------------------- no JavaScript


def test_without_javascript_the_pages_say_notes_need_it_and_print_has_lines(
    browser: Browser, server: Served, pathway: Pathway
) -> None:
    """Scripts off: each page says notes need JavaScript, shows no control that would do
    nothing, and the print page has lines to write questions and answers on."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        journey = Journey.begin(pathway).step("goes_into_remission")
        page.goto(f"{server.url}/j/{journey.token}")
        assert page.locator("[data-notes-nojs]").is_visible()
        assert "needs JavaScript" in page.locator("[data-notes-nojs]").inner_text()
        assert page.locator("[data-notes-tools]").is_hidden()
        shown = page.locator("[data-notes-plain] li").all_inner_texts()
        assert shown == list(pathway.state("remission").questions)
        page.goto(f"{server.url}/j/{journey.token}/notes")
        assert page.locator("[data-notes-nojs]").is_visible()
        page.goto(f"{server.url}/j/{journey.token}/print")
        page.emulate_media(media="print")
        assert page.locator(".notes .note-lines").first.is_visible()
        assert page.locator(".matters-print .note-lines").count() == len(pathway.what_matters)
        assert page.locator("[data-notes-qr-section]").is_hidden()
    finally:
        context.close()


# --------------------------------------------------------------------------- the embed


HOST = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Host</title></head>
<body><main><h1>Host</h1>
<iframe id="guide" title="The guide" src="{src}" width="900" height="700"></iframe>
<script src="listen.js"></script>
</main></body></html>
"""
LISTEN = """window.heard = [];
window.addEventListener("message", function (event) {
  window.heard.push(JSON.stringify(event.data));
});
"""


@pytest.fixture(scope="module")
def embedded(
    pathway: Pathway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A host page on localhost that records every message it gets, framing the guide's
    embed on 127.0.0.1."""
    host_port, guide_port = free_port(), free_port()
    host, guide = f"http://localhost:{host_port}", f"http://127.0.0.1:{guide_port}"
    folder = tmp_path_factory.mktemp("host")
    (folder / "host.html").write_text(HOST.format(src=f"{guide}/embed/begin"), encoding="utf-8")
    (folder / "listen.js").write_text(LISTEN, encoding="utf-8")
    (folder / "favicon.ico").write_bytes(b"")
    host_app = Starlette(routes=[Mount("/", StaticFiles(directory=folder))])
    with (
        serve(host_app, port=host_port),
        serve(create_app(pathway=pathway, embed_origins=[host]), port=guide_port),
    ):
        yield {"host": host, "guide": guide}


def test_the_embed_keeps_notes_and_never_tells_the_host(
    visit: Visit, embedded: dict[str, str], pathway: Pathway
) -> None:
    """In the frame: tick, write, step on, open "My questions" there; the host hears each
    state, and not one word of the notes."""
    page = visit.page
    page.goto(f"{embedded['host']}/host.html")
    page.wait_for_function("window.heard.length >= 1")
    frame = page.frame_locator("#guide")
    frame.locator("[data-note-question]").nth(1).check()
    frame.get_by_label("Write your own question").fill(OWN)
    frame.get_by_role("button", name="Add my question").click()
    frame.locator("[role=status]").filter(has_text=OWN).wait_for()
    journey = Journey.begin(pathway)
    step = journey.next_steps()[0]
    frame.get_by_role("link", name=re.compile(re.escape(step.label))).click()
    frame.locator("h1").filter(has_text=pathway.state(step.dest).title).wait_for()
    page.wait_for_function("window.heard.length >= 2")
    frame.get_by_role("link", name="My questions", exact=True).click()
    frame.get_by_role("heading", name="My questions", level=1).wait_for()
    shown = [t.strip() for t in frame.locator("[data-notes-list] .note-text").all_inner_texts()]
    assert shown == [pathway.state(pathway.start).questions[1], OWN]
    heard = page.evaluate("window.heard")
    assert len(heard) == 2 and all('"pathways:state"' in m for m in heard)
    assert_secret_absent("\n".join(heard))
    assert_secret_absent("\n".join(visit.requests))


# --------------------------------------------------------------------------- axe and 375 px


def with_notes(pathway: Pathway) -> str:
    from pathways.notes import question_key

    key = question_key(pathway.state("relapse").questions[0])
    return (
        f"#notes=1&q=relapse.{key}&o=relapse.Can+my+family+be+there%3F"
        "&a=worries.Being+away+from+home"
    )


def note_pages(pathway: Pathway) -> dict[str, str]:
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    notes = with_notes(pathway)
    return {
        "state with notes": f"/j/{relapse.token}{notes}",
        "my questions": f"/j/{relapse.token}/notes{notes}",
        "my questions, empty": f"/j/{relapse.token}/notes",
        "print with notes": f"/j/{relapse.token}/print{notes}",
        "damaged notes": f"/j/{relapse.token}/notes#notes=1&x=%E2%80",
        "embed with notes": f"/embed/{relapse.token}{notes}",
        "embed my questions": f"/embed/{relapse.token}/notes{notes}",
    }


NOTE_PAGES = [
    "state with notes",
    "my questions",
    "my questions, empty",
    "print with notes",
    "damaged notes",
    "embed with notes",
    "embed my questions",
]


@pytest.mark.parametrize("kind", NOTE_PAGES)
def test_axe_finds_nothing_on_the_notes_pages(
    browser: Browser, server: Served, pathway: Pathway, kind: str
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA, target size too) finds nothing on the pages and
    controls of the notes, with notes in the address and with the clear question open."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(server.url + note_pages(pathway)[kind])
        page.wait_for_function("document.documentElement.classList.contains('js-notes')")
        problems = axe_violations(page, axe_source())
        clear = page.get_by_role("button", name="Clear my notes")
        if clear.count():
            clear.first.click()
            problems += axe_violations(page, axe_source())
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", NOTE_PAGES)
def test_notes_pages_fit_a_phone(
    browser: Browser, server: Served, pathway: Pathway, kind: str
) -> None:
    """At 375 pixels wide (and 320) no notes page scrolls sideways."""
    for width in (375, 320):
        context = browser.new_context(viewport={"width": width, "height": 812})
        page = context.new_page()
        try:
            page.goto(server.url + note_pages(pathway)[kind])
            page.wait_for_function("document.documentElement.classList.contains('js-notes')")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        finally:
            context.close()
        assert overflow <= 0, f"{kind} is {overflow}px too wide at {width}px"
