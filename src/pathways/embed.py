"""The embeddable page: the walk without the site's header and footer, for an iframe.

A hospital or charity site shows the guide inside its own page with::

    <iframe src="https://guide.example/embed/" title="..."></iframe>

and starts ``pathways serve --embed-origin https://portal.example`` (repeatable) so that
the embed pages may be framed by that page and no other. Addresses::

    /embed/                          what this is, the topic choice and a start button
    /embed/begin?<topic>=<value>     a new journey (303); ``at=<state>`` begins there
    /embed/<token>                   the journey's current state
    /embed/<token>/step/<trigger>    take one step on (303)
    /embed/<token>/topic?...         change the topic choice (303)
    /embed/<token>/notes             the reader's notes, "My questions" (notes.py)

Every embed page keeps the intended-purpose statement (at the top) and the support line
(at the bottom). Links that stay in the walk (the choices, back, start again) stay in the
frame; links that leave it (the map, the print page, the full guide, sources) open a new
tab, because the rest of the site refuses to be framed.

Framing: the embed pages' Content-Security-Policy says ``frame-ancestors`` and the
configured origins, or ``'none'`` when none are configured (the default): then the
browser shows the embed only as a page of its own. Every other page keeps
``frame-ancestors 'none'``.

Telling the parent: ``static/embed.js`` posts ``{type: "pathways:state", state, token,
title}`` to the parent with ``postMessage``, addressed to each configured origin (never
``"*"``), once per page, so the host learns each state change. Without JavaScript the embed
still works: links just navigate inside the frame.

Layer 4, beside ``web.py``, which mounts it; its pages are made by ``pages.Pages``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from pathways.errors import (
    JourneyError,
    UnknownStateError,
)
from pathways.httperror import HttpError
from pathways.journey import MAX_PATH, Journey
from pathways.links import Links, Mode, at_root, journey_path
from pathways.middleware.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from pathways.notes import notes_view
from pathways.pages import WAY_IN, Pages
from pathways.routes import add_journey_routes, html, see
from pathways.templating import text_safe

EMBED_PREFIX = "/embed"
EMBED_SCRIPT = "embed.js"

_ORIGIN = re.compile(r"^(https?)://([a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$")


def check_origin(text: str) -> str:
    """An origin a page may frame the embed from, in the form browsers compare:
    ``scheme://host[:port]``, lower case, no path. ValueError for anything else (a path,
    a wildcard, ``*`` or a quote could widen the policy or break the header)."""
    origin = text.strip().lower().removesuffix("/")
    match = _ORIGIN.match(origin)
    if match is None:
        raise ValueError(
            f"'{text}' is not an origin: write scheme://host or scheme://host:port,"
            " for example https://portal.example.org (no path, no wildcard)"
        )
    port = match.group(4)
    if port is not None and not 0 < int(port[1:]) < 65536:
        raise ValueError(f"'{text}' has a port out of range")
    default_port = {"http": ":80", "https": ":443"}[match.group(1)]
    return origin.removesuffix(default_port) if port == default_port else origin


def embed_policy(origins: Sequence[str]) -> str:
    """The embed pages' Content-Security-Policy: the site's, framed only by ``origins``."""
    ancestors = " ".join(origins) if origins else "'none'"
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def embed_headers(origins: Sequence[str]) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of an embed page. X-Frame-Options cannot name several origins,
    so it is left out when some are allowed (the CSP's frame-ancestors rules instead)."""
    headers = []
    for name, value in SECURITY_HEADERS:
        if name == b"content-security-policy":
            value = embed_policy(origins).encode("ascii")
        elif name == b"x-frame-options" and origins:
            continue
        headers.append((name, value))
    return tuple(headers)


def is_embed_path(path: str) -> bool:
    return path == EMBED_PREFIX or path.startswith(EMBED_PREFIX + "/")


class EmbedLinks(Links):
    """Addresses inside the embed for the walk; the full guide (a new tab) for the rest."""

    def glossary(self) -> str | None:
        return None  # each embedded page explains its own words; the frame stays on the walk

    def home(self) -> str:
        return at_root(f"{EMBED_PREFIX}/")

    def state(self, journey: Journey, mode: Mode = "patient") -> str:
        return at_root(f"{EMBED_PREFIX}/{self._token(journey)}")

    def site(self, journey: Journey, mode: Mode = "patient") -> str:
        """The same place in the full guide (opened in a new tab)."""
        return at_root(journey_path(self._token(journey), mode))

    def map(self, journey: Journey, mode: Mode) -> str:
        return f"{self.site(journey)}/map#map-{journey.state}"

    def print(self, journey: Journey) -> str | None:
        return f"{self.site(journey)}/print"

    def in_mode(self, journey: Journey, mode: Mode) -> str | None:
        return self.site(journey, mode)

    def notes(self, journey: Journey) -> str | None:
        return f"{self.state(journey)}/notes"

    def begin_form(self) -> str | None:
        return at_root(f"{EMBED_PREFIX}/begin")

    def jump_form(self, journey: Journey, mode: Mode) -> str | None:
        return None


class Embed:
    """The embed's pages for one app: rendered with the web app's views and the embed
    templates, kept in the same cache of finished pages."""

    def __init__(self, pages: Pages, origins: Sequence[str]) -> None:
        self.pages = pages
        self.origins = tuple(origins)
        self.links = EmbedLinks()

    def _data(self, page: str) -> dict[str, Any]:
        return {
            "page": page,
            "embed": True,
            "embed_origins": " ".join(self.origins),
            "full_url": at_root("/"),
        }

    def start_page(self) -> str:
        pages, links = self.pages, self.links
        journey = pages.start_journey
        return pages.render(
            ["embed_start.html"],
            {
                **self._data("start"),
                "mode": "patient",
                "topics": pages.topics(),
                "begin_url": links.begin_form(),
                "map_url": links.map(journey, "patient"),
                "start_title": pages.pathway.state(pages.pathway.start).title,
                "chapters": pages.chapters(links),
            },
            links,
        )

    def state_page(self, journey: Journey) -> str:
        pages, links = self.pages, self.links
        view = pages.state_view(journey, "patient", links)
        return pages.render(
            ["embed.html"],
            {**view, **self._data("state"), "full_url": links.site(journey)},
            links,
        )

    def notes_page(self, journey: Journey) -> str:
        """The reader's notes inside the frame: the page's script reads them from the
        frame's own address; embed.js never posts them to the host page."""
        pages, links = self.pages, self.links
        return pages.render(
            ["embed_notes.html"],
            {
                **pages._nav(journey, "patient", links),
                **self._data("notes"),
                **notes_view(pages.pathway),
                "full_url": links.site(journey),
            },
            links,
        )

    def error_page(self, error: HttpError) -> str:
        pages, links = self.pages, self.links
        journey = error.journey
        choices = []
        if journey is not None and error.kind == "step":
            choices = [
                {"label": step.label, "url": links.step(journey, "patient", step)}
                for step in journey.next_steps()
            ]
        data = {
            **self._data("error"),
            "mode": "patient",
            "status": error.status,
            "kind": error.kind,
            "detail": text_safe(error.detail) if error.detail else None,
            "journey_url": links.state(journey) if journey else None,
            "map_url": None,
            "here_title": pages.pathway.state(journey.state).title if journey else None,
            "choices": choices,
        }
        if journey is not None and error.kind == "too-long":
            data.update(pages.ways_on(journey, "patient", links))
        return pages.render(["error.html"], data, links)

    def check(self) -> None:
        """Render every embed page once, at start-up: each must show the intended-purpose
        statement and the support line, however a user's templates change the layout."""
        pages = self.pages
        journey = pages.start_journey
        rendered = [("embed start page", self.start_page())]
        for state in pages.pathway.states:
            rendered.append(
                (f"embed page of state '{state.id}'", self.state_page(journey.jump(state.id)))
            )
        rendered.append(("embed notes page", self.notes_page(journey)))
        rendered.append(("embed error page", self.error_page(HttpError(404, "page"))))
        past = HttpError(410, "too-long", journey=journey, detail=str(MAX_PATH + 1))
        rendered.append(("embed page for a link past the bound", self.error_page(past)))
        pages.check_frames(rendered)


def install(app: FastAPI, pages: Pages, origins: Sequence[str]) -> Embed:
    """Add the embed's routes to the app (its errors are ``HttpError``s, which the app's
    one error handler renders as the embed's error page under ``/embed/``)."""
    embed = Embed(pages, origins)
    embed.check()
    links = embed.links
    pathway = pages.pathway

    async def start() -> Response:
        return html(pages.cached(f"{EMBED_PREFIX}/", embed.start_page))

    async def start_bare() -> Response:
        return see(at_root(f"{EMBED_PREFIX}/"))

    async def begin(request: Request) -> Response:
        chosen = pages.topic_choice(request.query_params)
        at = request.query_params.get("at") or None
        way_in = request.query_params.get(WAY_IN)
        if way_in and at is None:
            at = pages.chapter_start(way_in)
            if at is None:
                raise HttpError(404, "state", detail=text_safe(way_in)[:80])
        try:
            journey = Journey.begin(pathway, chosen, at=at)
        except UnknownStateError:
            raise HttpError(404, "state", detail=at) from None
        except JourneyError:
            raise HttpError(400, "topic") from None
        return see(links.state(journey))

    def more(journey_of: Callable[[str], Journey]) -> list[tuple[str, Any]]:
        async def notes_page(token: str) -> Response:
            return html(
                pages.cached(
                    f"{EMBED_PREFIX}/{token}/notes", lambda: embed.notes_page(journey_of(token))
                )
            )

        return [("/{token}/notes", notes_page)]

    add_journey_routes(
        app,
        pages,
        prefix=EMBED_PREFIX,
        name="embed",
        mode="patient",
        links=links,
        state_page=embed.state_page,
        before=[("", start_bare), ("/", start), ("/begin", begin)],
        after=more,
    )
    return embed
