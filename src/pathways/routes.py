"""The routes of a journey's pages, made once for every part of the site that shows one.

The patient pages (``/j/``), presenter mode (``/present/``) and the embed (``/embed/``)
each show a journey at ``<prefix>/<token>`` with a step and a topic choice under it; they
differ only in their ``Links``, the page they render and the extra routes they add (the
map, the jump). ``add_journey_routes`` makes those routes from the one pattern, and their
problems become one ``HttpError`` each, rendered by the app's one HTML error handler.

Layer 5, below ``web.py`` and ``embed.py``, which both use it (so neither imports the
other's routes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pathways.errors import JourneyError, StepNotAvailableError
from pathways.httperror import HttpError
from pathways.journey import Journey
from pathways.links import Links, Mode
from pathways.pages import GET, Pages


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def see(url: str) -> RedirectResponse:
    """303 See Other: the browser fetches the new address with GET and shows it."""
    return RedirectResponse(url, status_code=303)


def add_routes(app: FastAPI, prefix: str, name: str, routes: Sequence[tuple[str, Any]]) -> None:
    """Each ``(tail, endpoint)`` as a page at ``prefix + tail``: GET and HEAD, HTML, left out
    of the OpenAPI document (which describes the JSON API)."""
    for tail, endpoint in routes:
        app.add_api_route(
            f"{prefix}{tail}",
            endpoint,
            methods=GET,
            name=f"{name}_{endpoint.__name__}",
            response_class=HTMLResponse,
            include_in_schema=False,
        )


def add_journey_routes(
    app: FastAPI,
    pages: Pages,
    *,
    prefix: str,
    name: str,
    mode: Mode,
    links: Links,
    state_page: Callable[[Journey], str],
    before: Sequence[tuple[str, Any]] = (),
    after: Callable[[Callable[[str], Journey]], Sequence[tuple[str, Any]]] | None = None,
) -> None:
    """A journey's pages under ``prefix``: ``/<token>`` (its state, built by ``state_page``
    and kept in the cache of finished pages), ``/<token>/step/<trigger>`` and
    ``/<token>/topic?...`` (303 to the new address, made by ``links``).

    ``before`` are routes added first (fixed addresses such as ``/begin`` must come before
    ``/{token}`` matches them); ``after(journey_of)`` gives routes added after these.
    """

    def journey_of(token: str) -> Journey:
        return pages.journey_of(token, mode)

    async def state_page_route(token: str) -> HTMLResponse:
        return html(pages.cached(f"{prefix}/{token}", lambda: state_page(journey_of(token))))

    async def take_step(token: str, trigger: str) -> RedirectResponse:
        journey = journey_of(token)
        try:
            moved = journey.step(trigger)
        except StepNotAvailableError:
            raise HttpError(404, "step", journey=journey, mode=mode, detail=trigger) from None
        return see(links.state(moved, mode))

    async def topic(token: str, request: Request) -> RedirectResponse:
        journey = journey_of(token)
        try:
            moved = journey.with_context(**pages.topic_choice(request.query_params))
        except JourneyError:
            raise HttpError(400, "topic", journey=journey, mode=mode) from None
        return see(links.state(moved, mode))

    state_page_route.__name__ = "state_page"
    routes = [
        *before,
        ("/{token}", state_page_route),
        ("/{token}/step/{trigger}", take_step),
        *(after(journey_of) if after is not None else ()),
        ("/{token}/topic", topic),
    ]
    add_routes(app, prefix, name, routes)
