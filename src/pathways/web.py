"""The web app: a patient walk-through, a presenter mode for nurses, the map and a print page.

Every page is rendered on the server from the templates in ``templates/web/`` and works
without JavaScript; the one script (``static/site.js``) only adds keyboard shortcuts in
presenter mode and a print button. The journey lives in the URL as its token
(``/j/<token>``), so there are no sessions and no cookies: a link can be bookmarked or
shared, the browser's back button works and a restart of the server loses nothing.

Addresses (``<mode>`` is ``j`` for patients, ``present`` for nurses presenting)::

    /                              start page: what this is, a topic choice, one button
    /begin?<context>=<value>       a new journey (303 to its first page)
    /<mode>/<token>                the journey's current state
    /<mode>/<token>/step/<trigger> take one step on (303)
    /<mode>/<token>/jump/<state>   go straight to any state (303); also ?to=<state>
    /<mode>/<token>/topic?...      change the topic choice (303)
    /<mode>/<token>/map            the whole pathway as a map, every state a link
    /j/<token>/print               "my path and my questions", one printed page
    /j/<token>/notes               "my questions" and "what matters to me" (notes.py)
    /static/<name>                 the stylesheet, the script and the icon

The JSON API (``/api/``, ``/openapi.json``, ``/api/docs``) is ``api.py`` and the embeddable
page (``/embed/``) ``embed.py``; ``create_app`` mounts both.

The pathway is loaded and checked once, when the app is made; every template is rendered
once then too, so a broken template stops the start, not a patient's visit. Handlers are
``async`` and cheap: the map is laid out once per place and topic, static files are held
in memory. Every response carries the security headers, errors included.

This module is the only one that imports ``fastapi`` and ``starlette`` (layer 4).
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathways import resources
from pathways.errors import (
    ContentError,
    JourneyError,
    Location,
    Problem,
    StepNotAvailableError,
    TokenError,
    UnknownStateError,
)
from pathways.journey import Journey, Step
from pathways.mapsvg import map_svg
from pathways.notes import (
    ANSWER_MAX,
    NOTES_MAX_CHARS,
    OWN_QUESTION_MAX,
    catalogue,
    keyed_questions,
)
from pathways.schema import Pathway, is_web_url
from pathways.templating import Renderer, from_template, journey_view, text_safe

log = logging.getLogger("pathways.web")

Mode = Literal["patient", "present"]
MODES: tuple[Mode, ...] = ("patient", "present")
GET = ["GET", "HEAD"]
"""Every page answers HEAD too (link checkers and monitors use it)."""
PREFIX: Mapping[Mode, str] = {"patient": "/j", "present": "/present"}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
GLOSSARY_USES = 12
"""Pages named under each word of the glossary page; more are counted, not listed."""
PAGE_CACHE = 2048
"""Finished pages kept in memory at most, most recently used first..."""
PAGE_CACHE_BYTES = 3 * 1024 * 1024
"""...and at most this many bytes of them (a state page is about 8 KB, so some 400).
Readers on the same path share addresses (everyone who starts with the same topic has
the same first page), so the pages worth keeping are few; a bound in bytes keeps the
server's memory flat however many different journeys it sees (benchmarks/memory.py)."""
MAX_URL_BYTES = 4096
"""Longest path plus query accepted (414 beyond). The longest journey token is 1,000
characters; browsers and proxies commonly stop at 8 KB."""
MAX_HEADER_BYTES = 16 * 1024
"""Largest total of request header names and values accepted (431 beyond)."""
MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (413 beyond). Pages read none; a JSON request is small."""
STATIC_MAX_AGE = 365 * 24 * 3600
"""Static files are addressed by a hash of their content, so they can be kept for a year."""

_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------- headers


def loggable_path(path: str) -> str:
    """A request's path as the log may show it: its first part only (``/j/…``). The rest
    of an address names a journey, which reveals a reader's path: never logged."""
    first, sep, rest = path.lstrip("/").partition("/")
    return f"/{first}{sep}{'…' if rest else ''}"


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and a friendly page for a
    bug (status 500, details in the log), so that nothing leaves without the headers."""

    def __init__(
        self,
        app: ASGIApp,
        error_page: bytes,
        *,
        prefixed: Sequence[tuple[str, tuple[tuple[bytes, bytes], ...], bytes, bytes]] = (),
    ) -> None:
        self.app = app
        self.error_page = error_page
        # Addresses under a prefix may have headers and an error body of their own:
        # (prefix, headers, media type, body), e.g. the embed's frame-ancestors, the API's JSON.
        self.prefixed = tuple(prefixed)

    def _for(self, path: str) -> tuple[tuple[tuple[bytes, bytes], ...], bytes, bytes]:
        for prefix, headers, media_type, body in self.prefixed:
            if path == prefix or path.startswith(prefix + "/"):
                return headers, media_type, body
        return SECURITY_HEADERS, b"text/html; charset=utf-8", self.error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        security, error_type, error_body = self._for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(n, v) for n, v in security if n not in names]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("error while serving %s", loggable_path(scope.get("path", "")))
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", error_type),
                        (b"content-length", str(len(error_body)).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": error_body})


class _BodyTooLarge(Exception):
    """A request body grew past MAX_BODY_BYTES while it was being read."""


class RequestLimits:
    """ASGI middleware: an oversized request is refused before any work is done on it.

    A very long address gets 414, very large headers 431 and a body over the limit 413
    (from its Content-Length, or counted as it arrives), each with the friendly error
    page. This keeps one reader's mistake or one abuser from tying up the worker, whatever
    server runs the app.
    """

    def __init__(self, app: ASGIApp, error_page: Callable[[int], bytes]) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = None
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if url_bytes > MAX_URL_BYTES:
            status = 414
        elif sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            status = 431
        else:
            for name, value in scope["headers"]:
                if name.lower() == b"content-length" and (
                    not value.strip().isdigit() or int(value) > MAX_BODY_BYTES
                ):
                    status = 413
        if status is not None:
            await self._refuse(send, status)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise _BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(send, 413)

    async def _refuse(self, send: Send, status: int) -> None:
        body = self.error_page(status)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class FinishedPages:
    """ASGI middleware: a page that is already built is sent straight from memory.

    A page depends only on its path (``Pages.cached``), so a GET or HEAD for a path whose
    page is kept needs no routing, no parameter parsing and no handler: that work was most
    of a request's cost, and the garbage it left behind made the cycle collector pause
    under load. Anything else, including every first visit, goes through the app.
    """

    def __init__(self, app: ASGIApp, pages: Pages) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            body = self.pages.finished(scope["path"])
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode("ascii")),
                            (b"content-type", b"text/html; charset=utf-8"),
                        ],
                    }
                )
                head = scope["method"] == "HEAD"
                await send({"type": "http.response.body", "body": b"" if head else body})
                return
        await self.app(scope, receive, send)


# --------------------------------------------------------------------------- static files


@dataclass(frozen=True)
class Asset:
    """A static file held in memory, addressed by a hash of its content."""

    name: str
    body: bytes
    media_type: str
    digest: str

    @property
    def url(self) -> str:
        return f"/static/{self.name}?v={self.digest}"


def _load_assets(templates_dir: Path | None) -> dict[str, Asset]:
    """The files of ``web/static/``: the packaged ones, replaced by a user's of the same name."""
    folders = [resources.default_templates_dir() / "web" / "static"]
    if templates_dir is not None:
        folders.append(Path(templates_dir) / "web" / "static")
    assets: dict[str, Asset] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or not _STATIC_NAME.match(path.name):
                continue
            body = path.read_bytes()
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type in (
                "application/javascript",
                "image/svg+xml",
            ):
                media_type += "; charset=utf-8"
            digest = hashlib.sha256(body).hexdigest()[:12]
            assets[path.name] = Asset(path.name, body, media_type, digest)
    return assets


# --------------------------------------------------------------------------- glossary


def _term_pattern(
    pathway: Pathway, term_ids: Sequence[str]
) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """A pattern matching any way of writing the page's glossary terms, longest first."""
    spellings: dict[str, str] = {}
    for entry in pathway.glossary:
        if entry.id not in term_ids:
            continue
        for spelling in (entry.term, *entry.also):
            spellings.setdefault(spelling.casefold(), entry.id)
    if not spellings:
        return None
    alternatives = sorted(spellings, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(s) for s in alternatives) + r")(?![\w-])",
        re.IGNORECASE,
    )
    return pattern, spellings


def mark_terms(
    pathway: Pathway, paragraphs: Sequence[str], term_ids: Sequence[str]
) -> list[list[tuple[str, str | None]]]:
    """Each paragraph as pieces ``(text, term id or None)``: the first use on the page of
    each glossary term is marked, so the page can link it to its explanation."""
    found = _term_pattern(pathway, term_ids)
    result: list[list[tuple[str, str | None]]] = []
    seen: set[str] = set()
    for paragraph in paragraphs:
        pieces: list[tuple[str, str | None]] = []
        at = 0
        if found is not None:
            pattern, spellings = found
            for match in pattern.finditer(paragraph):
                term_id = spellings[match.group(1).casefold()]
                if term_id in seen:
                    continue
                seen.add(term_id)
                if match.start() > at:
                    pieces.append((paragraph[at : match.start()], None))
                pieces.append((match.group(1), term_id))
                at = match.end()
        if at < len(paragraph):
            pieces.append((paragraph[at:], None))
        result.append(pieces)
    return result


# --------------------------------------------------------------------------- pages


def _clean(value: Any) -> Any:
    """Every string of a view with control characters removed (autoescape does the HTML)."""
    if isinstance(value, str):
        return text_safe(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class Links:
    """Where the links on a page lead: here, the web app's addresses, which carry the journey.

    Pages ask this object for every address they show, so the same views and templates also
    make the static site, whose links are relative file paths (``site.StaticLinks``). A
    method that answers None means the page has no such link and leaves it out.
    """

    keeps_path = True
    """The reader's path is known (back, "your path so far", print), so pages show it."""

    def __init__(self) -> None:
        self._last: tuple[Journey, str] | None = None

    def _token(self, journey: Journey) -> str:
        """The journey's token, made once for the several links of one page."""
        last = self._last
        if last is not None and last[0] is journey:
            return last[1]
        token = journey.token
        self._last = (journey, token)
        return token

    def home(self) -> str:
        return "/"

    def asset(self, asset: Asset) -> str:
        return asset.url

    def state(self, journey: Journey, mode: Mode = "patient") -> str:
        return f"{PREFIX[mode]}/{self._token(journey)}"

    def step(self, journey: Journey, mode: Mode, step: Step) -> str:
        return f"{self.state(journey, mode)}/step/{step.trigger}"

    def jump(self, journey: Journey, mode: Mode, state_id: str) -> str:
        return f"{self.state(journey, mode)}/jump/{state_id}"

    def back(self, journey: Journey, mode: Mode) -> str | None:
        return self.state(journey.back(), mode) if journey.can_go_back else None

    def restart(self, journey: Journey, mode: Mode) -> str:
        return self.state(journey.restart(), mode)

    def map(self, journey: Journey, mode: Mode) -> str:
        return f"{self.state(journey, mode)}/map"

    def whole_map(self) -> str | None:
        """A map at no place in particular (the web app's maps are all at a place)."""
        return None

    def map_boxes(self, journey: Journey | None, mode: Mode) -> str:
        """Each box's link in the map's SVG, ``{id}`` standing for the state id; relative to
        the map page, so one SVG serves every journey at the same place."""
        return "jump/{id}"

    def print(self, journey: Journey) -> str | None:
        return f"{self.state(journey, 'patient')}/print"

    def notes(self, journey: Journey) -> str | None:
        """The reader's notes page ("My questions"), which shows what the address's
        fragment holds (notes.py)."""
        return f"{self.state(journey, 'patient')}/notes"

    def in_mode(self, journey: Journey, mode: Mode) -> str | None:
        """The same place in the other mode (patient or presenter)."""
        return self.state(journey, mode)

    def begin_form(self) -> str | None:
        return "/begin"

    def topic_form(self, journey: Journey, mode: Mode) -> str | None:
        return f"{self.state(journey, mode)}/topic"

    def jump_form(self, journey: Journey, mode: Mode) -> str | None:
        return f"{self.state(journey, mode)}/jump"

    def glossary(self) -> str | None:
        return "/glossary"


WAY_IN = "way-in"
"""The start form's name for a chapter (a way in): never a topic's name, since ids have
no hyphen, so it cannot clash with a topic in the same query."""


class PageError(Exception):
    """A request that gets a friendly error page instead of the page it asked for."""

    def __init__(
        self,
        status: int,
        kind: str,
        *,
        journey: Journey | None = None,
        mode: Mode = "patient",
        detail: str | None = None,
    ) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.journey = journey
        self.mode = mode
        self.detail = detail


class Pages:
    """Everything a request needs, made once: the pathway, the templates, the static files
    and the cache of maps. Each method turns a journey into a finished page."""

    def __init__(
        self,
        pathway: Pathway,
        templates_dir: Path | None,
        links: Links | None = None,
        *,
        snapshot_templates: bool = False,
    ) -> None:
        # Control characters out of every text once, here, rather than on every request.
        pathway = Pathway.model_validate(_clean(pathway.model_dump()))
        self.pathway = pathway
        self.links = links or Links()
        self.renderer = Renderer(templates_dir, snapshot=snapshot_templates)
        self.environment = self.renderer.environment
        self.assets = _load_assets(templates_dir)
        for needed in ("site.css", "site.js"):
            if needed not in self.assets:
                raise ContentError(
                    [
                        Problem(
                            f"the web app's static file '{needed}' is missing",
                            hint="the packaged templates/web/static/ folder holds it",
                        )
                    ]
                )
        self._maps: dict[tuple[str | None, tuple[str, ...], str], str] = {}
        self._leads_to: dict[str, list[str]] | None = None
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._page_bytes = 0
        start = Journey.begin(pathway)
        self.start_journey = start
        self._common = _clean(
            {
                "pathway": journey_view(start)["pathway"],
                "intended_purpose": pathway.metadata.intended_purpose,
                "support": journey_view(start)["support"],
                "support_all": [
                    {"name": c.name, "phone": c.phone, "offers": c.offers} for c in pathway.support
                ],
                "assets": {name: asset.url for name, asset in self.assets.items()},
                "notes_max": NOTES_MAX_CHARS,
                "notes_own_max": OWN_QUESTION_MAX,
                "notes_answer_max": ANSWER_MAX,
            }
        )

    # ------------------------------------------------------------------ helpers

    def url(self, journey: Journey, mode: Mode = "patient", tail: str = "") -> str:
        return f"{PREFIX[mode]}/{journey.token}{tail}"

    @staticmethod
    def _at(token: str, mode: Mode = "patient", tail: str = "") -> str:
        return f"{PREFIX[mode]}/{token}{tail}"

    def cached(self, address: str, build: Callable[[], str]) -> str:
        """The finished page at ``address`` (a path), built once and kept while it is among
        the most recently used.

        A page depends only on its address (the token says everything about the journey;
        no page reads the query), so the same address always gets the same page while the
        app runs, and ``FinishedPages`` can send it without routing the request again.
        """
        kept = self.finished(address)
        if kept is not None:
            return kept.decode("utf-8")
        page = build()
        body = page.encode("utf-8")
        self._pages[address] = body  # kept encoded: half the memory of most pages' str
        self._page_bytes += len(body)
        while len(self._pages) > PAGE_CACHE or (
            self._page_bytes > PAGE_CACHE_BYTES and len(self._pages) > 1
        ):
            _, dropped = self._pages.popitem(last=False)
            self._page_bytes -= len(dropped)
        return page

    def finished(self, address: str) -> bytes | None:
        """The page at ``address``, encoded, if it is already built (and kept), else None."""
        body = self._pages.get(address)
        if body is not None:
            self._pages.move_to_end(address)
        return body

    def journey_of(self, token: str, mode: Mode) -> Journey:
        """The journey a token in an address stands for, or a friendly 400 page."""
        try:
            return Journey.from_token(self.pathway, token)
        except TokenError:
            raise PageError(400, "token", mode=mode) from None

    def render(self, names: Sequence[str], data: dict[str, Any], links: Links | None = None) -> str:
        links = links or self.links
        try:
            template = self.environment.select_template([f"web/{n}" for n in names])
            return template.render(
                {
                    **self._common,
                    "assets": {name: links.asset(asset) for name, asset in self.assets.items()},
                    "home_url": links.home(),
                    "glossary_url": links.glossary(),
                    "keeps_path": links.keeps_path,
                    **data,
                }
            )
        except Exception as exc:
            # A user's broken template is their mistake: one message at its file and line.
            problem = from_template(exc)
            if problem is None:
                raise
            raise problem from None

    def _nav(self, journey: Journey, mode: Mode, links: Links) -> dict[str, Any]:
        return {
            "mode": mode,
            "state_url": links.state(journey, mode),
            "map_url": links.map(journey, mode),
            "print_url": links.print(journey),
            "notes_url": links.notes(journey),
            "patient_url": links.in_mode(journey, "patient"),
            "present_url": links.in_mode(journey, "present"),
            "restart_url": links.restart(journey, mode),
            "back_url": links.back(journey, mode),
        }

    def topic_choice(self, query: Mapping[str, str]) -> dict[str, str]:
        """The topic choices in an address's query; other names (such as a campaign tag a
        link was shared with) are not topics and are left out, unknown values are not."""
        return {c.id: query[c.id] for c in self.pathway.contexts if c.id in query}

    def topics(self, journey: Journey | None = None) -> list[dict[str, Any]]:
        chosen = journey.context if journey else self.pathway.context_defaults()
        return [
            {
                "id": c.id,
                "label": c.label,
                "default": c.default,
                "chosen": chosen.get(c.id, c.default),
                "options": [{"id": v.id, "label": v.label, "phrase": v.phrase} for v in c.values],
            }
            for c in self.pathway.contexts
        ]

    # ------------------------------------------------------------------ pages

    def start_page(self, links: Links | None = None) -> str:
        links = links or self.links
        journey = self.start_journey
        return self.render(
            ["start.html"],
            {
                "page": "start",
                "mode": "patient",
                "topics": self.topics(),
                "begin_url": links.begin_form(),
                "start_url": links.state(journey, "patient"),
                "map_url": links.whole_map() or links.map(journey, "patient"),
                "present_url": links.in_mode(journey, "present"),
                "start_title": self.pathway.state(self.pathway.start).title,
                "chapters": self.chapters(links),
            },
            links,
        )

    def chapter_start(self, chapter_id: str) -> str | None:
        """The state the chapter (a way in) of this id begins at, or None if none has it."""
        return next((c.start for c in self.pathway.chapters if c.id == chapter_id), None)

    def chapters(self, links: Links) -> list[dict[str, Any]]:
        """The pathway's ways in: each a journey begun at its state, with no path before it."""
        return [
            {
                "id": c.id,
                "title": c.title,
                "summary": c.summary,
                "url": links.state(Journey.begin(self.pathway, at=c.start), "patient"),
            }
            for c in self.pathway.chapters
        ]

    def path_places(self, journey: Journey) -> list[dict[str, Any]]:
        """The journey's path as a reader sees it: each state with its title, whether the
        reader walked there (numbered as a step taken) or jumped there (looked at, never
        a step), and which one they are on."""
        places = []
        number = 0
        last = len(journey.path) - 1
        for i, (state_id, jumped) in enumerate(zip(journey.path, journey.jumps, strict=True)):
            if not jumped:
                number += 1
            places.append(
                {
                    "id": state_id,
                    "title": self.pathway.state(state_id).title,
                    "jumped": jumped,
                    "step": None if jumped else number,
                    "current": i == last,
                }
            )
        return places

    def state_view(
        self, journey: Journey, mode: Mode, links: Links | None = None
    ) -> dict[str, Any]:
        links = links or self.links
        view = journey_view(journey)
        state = self.pathway.state(journey.state)
        pieces = mark_terms(self.pathway, state.explanation, state.terms)
        choices = [
            {**shown, "url": links.step(journey, mode, step), "key": index + 1}
            for index, (shown, step) in enumerate(
                zip(view["next"], journey.next_steps(), strict=True)
            )
        ]
        path = self.path_places(journey) if links.keeps_path else None
        cited = []
        for fact in state.facts:
            if fact.source not in cited:
                cited.append(fact.source)
        for said in state.notes:
            if said.source not in cited:
                cited.append(said.source)
        # Facts cite their source by its number in the page's Sources list, in the order
        # the pathway declares its sources.
        refs = {
            s.id: n for n, s in enumerate((s for s in self.pathway.sources if s.id in cited), 1)
        }
        view["facts"] = [{**f, "ref": refs[f["source"]["id"]]} for f in view["facts"]]
        titles = {s.id: s.title for s in self.pathway.sources}
        for choice in choices:
            shown_note = choice.get("note")
            if shown_note:
                source_id = shown_note["source"]
                source = {"id": source_id, "title": titles.get(source_id, "")}
                choice["note"] = {**shown_note, "source": source, "ref": refs[source_id]}
        sources = [
            {
                "ref": refs[s.id],
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url if is_web_url(s.url) else None,
                "accessed": s.accessed.isoformat(),
                "sections": sorted(
                    {f.section for f in state.facts if f.source == s.id}
                    | {n.section for n in state.notes if n.source == s.id},
                    key=s.sections.index,
                ),
            }
            for s in self.pathway.sources
            if s.id in cited
        ]
        jump_url = links.jump_form(journey, mode)
        # Only a page with the jump form lists every state (a static page would grow with
        # the pathway, and the whole site quadratically).
        jump_to = (
            [
                {"id": s.id, "title": s.title, "current": s.id == journey.state}
                for s in self.pathway.states
            ]
            if jump_url is not None
            else []
        )
        return {
            **view,
            **self._nav(journey, mode, links),
            "page": "state",
            "explanation_pieces": pieces,
            "choices": choices,
            "path": path,
            "sources": sources,
            "topics": self.topics(journey),
            "topic_url": links.topic_form(journey, mode),
            "jump_url": jump_url,
            "jump_to": jump_to,
            "notes_questions": keyed_questions(state.questions),
        }

    def state_page(self, journey: Journey, mode: Mode, links: Links | None = None) -> str:
        view = self.state_view(journey, mode, links)
        page = "present.html" if mode == "present" else "state.html"
        folder = "present" if mode == "present" else "states"
        return self.render([f"{folder}/{journey.state}.html", page], view, links)

    def _map_key(
        self, journey: Journey | None, links: Links, mode: Mode = "patient"
    ) -> tuple[str | None, tuple[str, ...], str]:
        if journey is None:
            return (None, (), links.map_boxes(None, mode))
        next_states = tuple(sorted({step.dest for step in journey.next_steps()}))
        return (journey.state, next_states, links.map_boxes(journey, mode))

    def map_svg(
        self, journey: Journey | None, links: Links | None = None, mode: Mode = "patient"
    ) -> str:
        """The map for this place and topic (None: no place marked), laid out once and
        then kept."""
        links = links or self.links
        key = self._map_key(journey, links, mode)
        svg = self._maps.get(key)
        if svg is None:
            here, next_states, boxes = key
            svg = self._maps[key] = map_svg(self.pathway, here, next_states, link=boxes)
        return svg

    def has_map(self, journey: Journey) -> bool:
        return self._map_key(journey, self.links) in self._maps

    def leads_to(self) -> dict[str, list[str]]:
        """For each state, the titles of the states a step from it leads to, worked out
        once (per page it would make a whole site quadratic)."""
        if self._leads_to is None:
            found: dict[str, dict[str, None]] = {s.id: {} for s in self.pathway.states}
            for t in self.pathway.transitions:
                for source in t.source:
                    found[source][t.dest] = None
            self._leads_to = {
                state_id: [self.pathway.state(dest).title for dest in dests]
                for state_id, dests in found.items()
            }
        return self._leads_to

    def map_page(self, journey: Journey | None, mode: Mode, links: Links | None = None) -> str:
        """The map with the journey's place marked; ``journey`` None: the whole pathway
        with no place marked (the static site's map)."""
        links = links or self.links
        next_states = {step.dest for step in journey.next_steps()} if journey else set()
        visited = set(journey.history) if journey else set()
        here_id = journey.state if journey else None
        leads_to = self.leads_to()
        at = journey or self.start_journey
        states = [
            {
                "id": s.id,
                "title": s.title,
                "summary": s.summary,
                "url": links.jump(at, mode, s.id),
                "here": s.id == here_id,
                "next": s.id in next_states,
                "visited": s.id in visited,
                "end": s.end,
                "leads_to": leads_to[s.id],
            }
            for s in self.pathway.states
        ]
        nav = self._nav(at, mode, links)
        if journey is None:
            nav.update(state_url=None, back_url=None)
        return self.render(
            ["map.html"],
            {
                **nav,
                "page": "map",
                "here_title": self.pathway.state(here_id).title if here_id else None,
                "states": states,
                "svg_markup": self.map_svg(journey, links, mode),
            },
            links,
        )

    def glossary_page(self, links: Links | None = None) -> str:
        """Every word the guide explains, in alphabetical order, with the pages that use it."""
        links = links or self.links
        journey = self.start_journey
        used_on: dict[str, list[dict[str, str]]] = {g.id: [] for g in self.pathway.glossary}
        for state in self.pathway.states:
            for term_id in dict.fromkeys(state.terms):
                if term_id in used_on:
                    used_on[term_id].append(
                        {"title": state.title, "url": links.jump(journey, "patient", state.id)}
                    )
        sources = {s.id: s for s in self.pathway.sources}
        terms = [
            {
                "id": g.id,
                "term": g.term,
                "also": [a for a in g.also if a.casefold() != g.term.casefold()],
                "definition": g.definition,
                "source": (
                    {"title": sources[g.source].title, "publisher": sources[g.source].publisher}
                    if g.source in sources
                    else None
                ),
                "used_on": used_on[g.id][:GLOSSARY_USES],
                "more_uses": max(0, len(used_on[g.id]) - GLOSSARY_USES),
            }
            for g in sorted(self.pathway.glossary, key=lambda g: g.term.casefold())
        ]
        return self.render(
            ["glossary.html"],
            {
                **self._nav(journey, "patient", links),
                "page": "glossary",
                "map_url": links.whole_map() or links.map(journey, "patient"),
                "state_url": None,
                "back_url": None,
                "terms": terms,
            },
            links,
        )

    def print_page(self, journey: Journey) -> str:
        """ "My path and my questions": the steps walked (a state jumped to was looked at,
        and is no step of the path), where the reader is now with its options and facts,
        and the questions of every step walked."""
        walked = []
        for state_id in dict.fromkeys(journey.walked):
            state = self.pathway.state(state_id)
            walked.append(
                {
                    "id": state.id,
                    "title": state.title,
                    "summary": state.summary,
                    "questions": list(state.questions),
                }
            )
        here = self.state_view(journey, "patient", self.links)
        return self.render(
            ["print.html"],
            {
                **here,
                **self._nav(journey, "patient", self.links),
                "page": "print",
                "walked": walked,
                "here_walked": not journey.jumps[-1],
                **self.notes_data(),
            },
        )

    def notes_data(self) -> dict[str, Any]:
        """What a page that shows the reader's notes needs (the same for every reader)."""
        pathway = self.pathway
        return {
            "what_matters": [{"id": p.id, "prompt": p.prompt} for p in pathway.what_matters],
            "notes_catalogue": pathway.derived("notes_catalogue", lambda: catalogue(pathway)),
        }

    def notes_page(self, journey: Journey, links: Links | None = None) -> str:
        """The reader's notes page, "My questions": the questions they picked or wrote and
        their answers to the prompts, all read from the address's fragment by its script."""
        links = links or self.links
        return self.render(
            ["notes.html"],
            {**self._nav(journey, "patient", links), "page": "notes", **self.notes_data()},
            links,
        )

    def error_page(self, error: PageError) -> str:
        journey = error.journey
        data: dict[str, Any] = {
            "page": "error",
            "mode": error.mode,
            "status": error.status,
            "kind": error.kind,
            "detail": text_safe(error.detail) if error.detail else None,
            "journey_url": self.url(journey, error.mode) if journey else None,
            "map_url": self.url(journey or self.start_journey, error.mode, "/map"),
            "choices": [],
        }
        if journey is not None and error.kind == "step":
            data["here_title"] = self.pathway.state(journey.state).title
            data["choices"] = [
                {
                    "label": step.label,
                    "url": self.url(journey, error.mode, f"/step/{step.trigger}"),
                }
                for step in journey.next_steps()
            ]
        return self.render(["error.html"], data)

    # ------------------------------------------------------------------ checks

    def check(self) -> None:
        """Render every page once: a broken or incomplete template fails here, at start-up.

        Every page must show the intended-purpose statement and the support line, however a
        user's templates folder changes the layout.
        """
        journey = self.start_journey
        pages: list[tuple[str, str]] = [("start page", self.start_page())]
        for state in self.pathway.states:
            at = journey.jump(state.id)
            pages.append((f"page of state '{state.id}'", self.state_page(at, "patient")))
            pages.append((f"presenter page of state '{state.id}'", self.state_page(at, "present")))
        pages.append(("print page", self.print_page(journey)))
        pages.append(("notes page", self.notes_page(journey)))
        pages.append(("glossary page", self.glossary_page()))
        pages.append(("error page", self.error_page(PageError(404, "state", detail="x"))))
        self.check_frames(pages)

    def check_frames(self, pages: Iterable[tuple[str, str]]) -> None:
        """Refuse, at start-up, any of these rendered pages (a description such as
        "start page", and its HTML) that leaves out the intended-purpose statement or the
        support line: a ContentError naming each such page."""
        for what, html in pages:
            try:
                Renderer.check_frame(html, "html", self._common, f"web template for the {what}")
            except ContentError as exc:
                raise ContentError(
                    [
                        Problem(
                            p.message,
                            hint=p.hint,
                            location=Location(f"templates/web ({what})", 1, 1),
                        )
                        for p in exc.problems
                    ]
                ) from None


# --------------------------------------------------------------------------- the app


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def _see(url: str) -> RedirectResponse:
    """303 See Other: the browser fetches the new address with GET and shows it."""
    return RedirectResponse(url, status_code=303)


def create_app(
    pathway_file: str | Path | None = None,
    templates_dir: str | Path | None = None,
    *,
    pathway: Pathway | None = None,
    embed_origins: Sequence[str] = (),
    snapshot_templates: bool = False,
) -> FastAPI:
    """The web app for one pathway, loaded and checked once, here.

    ``pathway_file`` and ``templates_dir`` follow the command line's ``--pathway`` and
    ``--templates`` (None: ``$PATHWAYS_FILE`` / ``$PATHWAYS_TEMPLATES``, else the embedded
    defaults). ``pathway`` gives an already loaded pathway instead of a file. A pathway or
    templates folder that is not valid raises ``ContentError`` before any request is served.
    ``embed_origins`` are the origins (``https://portal.example``) whose pages may show the
    embed (``/embed/``) in an iframe; none by default. One that is not an origin raises
    ValueError. ``snapshot_templates``: compile every template now and never read the
    files again (see ``templating.Renderer``), for an app that must keep running the
    templates it was checked with while the files change (``live.py``).
    """
    # Mounted here, imported here: both build on this module.
    from pathways import api, embed

    origins = tuple(dict.fromkeys(embed.check_origin(o) for o in embed_origins))
    if pathway is None:
        from pathways.loader import load_pathway

        pathway = load_pathway(resources.chosen_pathway_file(pathway_file))
    pages = Pages(
        pathway,
        resources.chosen_templates_dir(templates_dir),
        snapshot_templates=snapshot_templates,
    )
    pages.check()
    fallback = pages.error_page(PageError(500, "bug")).encode("utf-8")

    app = FastAPI(
        title=pathway.metadata.title,
        version=pathway.metadata.version,
        description=api.openapi_description(pathway),
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's interactive docs load scripts from other hosts:
        redoc_url=None,  # /api/docs is a page of our own instead
    )
    app.state.pages = pages
    json_api = api.install(app, pages.pathway)
    embedded = embed.install(app, pages, origins)
    app.state.json_api = json_api
    app.state.embed = embedded

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return _html(pages.error_page(exc), exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path = request.url.path
        response: Response
        if api.is_api_path(path):
            allow = (exc.headers or {}).get("Allow")
            response = json_api.http_error(exc.status_code, path, request.method, allow)
        else:
            kind = "method" if exc.status_code == 405 else "page"
            error = PageError(exc.status_code, kind)
            page = (
                embedded.error_page(error) if embed.is_embed_path(path) else pages.error_page(error)
            )
            response = _html(page, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        path = request.url.path
        if api.is_api_path(path):
            return json_api.invalid_request(exc.errors())
        error = PageError(400, "request")
        if embed.is_embed_path(path):
            return _html(embedded.error_page(error), 400)
        return _html(pages.error_page(error), 400)

    @app.api_route(api.DOCS_PATH, methods=GET, response_class=HTMLResponse, include_in_schema=False)
    async def api_docs() -> Response:
        return _html(app.state.api_docs)

    @app.api_route("/", methods=GET, response_class=HTMLResponse, include_in_schema=False)
    async def start() -> Response:
        return _html(pages.cached("/", pages.start_page))

    @app.api_route("/begin", methods=GET, include_in_schema=False)
    async def begin(request: Request) -> Response:
        mode: Mode = "present" if request.query_params.get("mode") == "present" else "patient"
        chosen = pages.topic_choice(request.query_params)
        way_in = request.query_params.get(WAY_IN)
        at = pages.chapter_start(way_in) if way_in else None
        if way_in and at is None:
            raise PageError(404, "state", mode=mode, detail=text_safe(way_in)[:80])
        try:
            journey = Journey.begin(pathway, chosen, at=at)
        except JourneyError:
            raise PageError(400, "topic", mode=mode) from None
        return _see(pages.url(journey, mode))

    for mode in MODES:
        _add_journey_routes(app, pages, mode)

    @app.api_route(
        "/j/{token}/print", methods=GET, response_class=HTMLResponse, include_in_schema=False
    )
    async def print_page(token: str) -> Response:
        return _html(
            pages.cached(
                pages._at(token, "patient", "/print"),
                lambda: pages.print_page(pages.journey_of(token, "patient")),
            )
        )

    @app.api_route(
        "/j/{token}/notes", methods=GET, response_class=HTMLResponse, include_in_schema=False
    )
    async def notes_page(token: str) -> Response:
        return _html(
            pages.cached(
                pages._at(token, "patient", "/notes"),
                lambda: pages.notes_page(pages.journey_of(token, "patient")),
            )
        )

    @app.api_route("/static/{name}", methods=GET, include_in_schema=False)
    async def static(name: str, request: Request) -> Response:
        asset = pages.assets.get(name)
        if asset is None:
            raise PageError(404, "page")
        etag = f'"{asset.digest}"'
        cache = (
            f"public, max-age={STATIC_MAX_AGE}, immutable"
            if request.query_params.get("v") == asset.digest
            else "public, max-age=300"
        )
        headers = {"etag": etag, "cache-control": cache}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    @app.api_route("/glossary", methods=GET, response_class=HTMLResponse, include_in_schema=False)
    async def glossary() -> Response:
        return _html(pages.cached("/glossary", pages.glossary_page))

    @app.api_route("/favicon.ico", methods=GET, include_in_schema=False)
    async def favicon() -> Response:
        if "favicon.svg" not in pages.assets:
            raise PageError(404, "page")
        return _see(pages.assets["favicon.svg"].url)

    # Made once every route is there (the page describes them) and kept, not cached.
    app.state.api_docs = pages.render(["api.html"], api.describe(app.openapi(), pages.pathway))
    app.add_middleware(FinishedPages, pages=pages)
    refusals = {s: pages.error_page(PageError(s, "request")).encode() for s in (413, 414, 431)}
    app.add_middleware(RequestLimits, error_page=refusals.__getitem__)
    app.add_middleware(  # outside: it sees every response
        SecurityHeaders,
        error_page=fallback,
        prefixed=[
            (
                api.PREFIX,
                SECURITY_HEADERS,
                b"application/json",
                json_api.server_error_body(),
            ),
            (
                embed.EMBED_PREFIX,
                embed.embed_headers(origins),
                b"text/html; charset=utf-8",
                fallback,
            ),
        ],
    )
    return app


def _add_journey_routes(app: FastAPI, pages: Pages, mode: Mode) -> None:
    """The pages of a journey, under ``/j/`` (patients) or ``/present/`` (presenter mode)."""

    async def state_page(token: str) -> Response:
        return _html(
            pages.cached(
                pages._at(token, mode),
                lambda: pages.state_page(pages.journey_of(token, mode), mode),
            )
        )

    async def take_step(token: str, trigger: str) -> Response:
        journey = pages.journey_of(token, mode)
        try:
            moved = journey.step(trigger)
        except StepNotAvailableError:
            raise PageError(404, "step", journey=journey, mode=mode, detail=trigger) from None
        return _see(pages.url(moved, mode))

    async def jump(token: str, state: str) -> Response:
        journey = pages.journey_of(token, mode)
        try:
            moved = journey.jump(state)
        except UnknownStateError:
            raise PageError(404, "state", journey=journey, mode=mode, detail=state) from None
        return _see(pages.url(moved, mode))

    async def jump_form(token: str, to: str = "") -> Response:
        return await jump(token, to)

    async def topic(token: str, request: Request) -> Response:
        journey = pages.journey_of(token, mode)
        try:
            moved = journey.with_context(**pages.topic_choice(request.query_params))
        except JourneyError:
            raise PageError(400, "topic", journey=journey, mode=mode) from None
        return _see(pages.url(moved, mode))

    async def map_page(token: str) -> Response:
        journey = pages.journey_of(token, mode)
        if not pages.has_map(journey):
            # Laying out a map takes tens of milliseconds: not on the event loop.
            await run_in_threadpool(pages.map_svg, journey)
        return _html(
            pages.cached(pages._at(token, mode, "/map"), lambda: pages.map_page(journey, mode))
        )

    routes: list[tuple[str, Any]] = [
        ("", state_page),
        ("/step/{trigger}", take_step),
        ("/jump/{state}", jump),
        ("/jump", jump_form),
        ("/topic", topic),
        ("/map", map_page),
    ]
    for tail, endpoint in routes:
        app.add_api_route(
            f"{PREFIX[mode]}/{{token}}{tail}",
            endpoint,
            methods=GET,
            name=f"{mode}_{endpoint.__name__}",
            response_class=HTMLResponse,
            include_in_schema=False,
        )
