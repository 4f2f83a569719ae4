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
    /static/<name>                 the stylesheet, the script and the icon

The JSON API (``/api/``, ``/openapi.json``, ``/api/docs``) is ``api.py`` and the embeddable
page (``/embed/``) ``embed.py``; ``create_app`` mounts both.

The pathway is loaded and checked once, when the app is made; every template is rendered
once then too, so a broken template stops the start, not a patient's visit. Handlers are
``async`` and cheap: the map is laid out once per place and topic, static files are held
in memory. Every response carries the security headers, errors included.

This module makes the app and its routes; the pages themselves are ``pages.py`` (no web
framework there, so the static site can use them too) and the ASGI middlewares
``middleware/``; the routes of a journey's pages are made by ``routes.py``. Layer 5.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathways import api, embed, resources
from pathways.errors import JourneyError, UnknownStateError
from pathways.journey import Journey
from pathways.middleware.finished import FinishedPages
from pathways.middleware.headers import SECURITY_HEADERS, SecurityHeaders
from pathways.middleware.limits import RequestLimits
from pathways.middleware.prefix import MountRoot, route_path
from pathways.pages import MODES, PREFIX, Mode, PageError, Pages, journey_path
from pathways.routes import add_journey_routes, add_routes, html, see
from pathways.schema import Pathway

STATIC_MAX_AGE = 365 * 24 * 3600
"""Static files are addressed by a hash of their content, so they can be kept for a year."""


# --------------------------------------------------------------------------- the app


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

    pathway = pages.pathway  # the one Pathway every part of the app uses
    app = FastAPI(
        title=pathway.metadata.title,
        version=pathway.metadata.version,
        description=api.openapi_description(pathway),
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's interactive docs load scripts from other hosts:
        redoc_url=None,  # /api/docs is a page of our own instead
    )
    app.state.pages = pages
    app.state.json_api = api.install(app, pathway)
    app.state.embed = embed.install(app, pages, origins)
    _add_error_handlers(app, pages, app.state.json_api, app.state.embed)
    _add_pages(app, pages)
    # Made once every route is there (the page describes them), so a broken template
    # stops the start; then once for each mount it is asked for under.
    app.state.api_docs = lambda: pages.render(
        ["api.html"], api.describe(app.openapi(), pages.pathway)
    )
    app.state.api_docs()
    _add_middleware(app, pages, app.state.json_api, origins)
    return app


def _add_error_handlers(
    app: FastAPI, pages: Pages, json_api: api.JsonApi, embedded: embed.Embed
) -> None:
    """One handler for the HTML error pages (the embed's under ``/embed/``, the site's
    elsewhere) and the JSON API's answers for its own addresses."""

    def error_page(path: str, error: PageError) -> HTMLResponse:
        page = embedded.error_page if embed.is_embed_path(path) else pages.error_page
        return html(page(error), error.status)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return error_page(route_path(request.scope), exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path = route_path(request.scope)
        response: Response
        if api.is_api_path(path):
            allow = (exc.headers or {}).get("Allow")
            response = json_api.http_error(exc.status_code, path, request.method, allow)
        else:
            kind = "method" if exc.status_code == 405 else "page"
            response = error_page(path, PageError(exc.status_code, kind))
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        path = route_path(request.scope)
        if api.is_api_path(path):
            return json_api.invalid_request(exc.errors())
        return error_page(path, PageError(400, "request"))


def _add_pages(app: FastAPI, pages: Pages) -> None:
    """The site's pages: the start page, a new journey, each mode's journey pages, the
    print page, the glossary, the API's documentation page and the static files."""
    pathway = pages.pathway

    async def api_docs() -> Response:
        return html(pages.cached(api.DOCS_PATH, app.state.api_docs))

    async def start() -> Response:
        return html(pages.cached("/", pages.start_page))

    async def begin(request: Request) -> Response:
        mode: Mode = "present" if request.query_params.get("mode") == "present" else "patient"
        chosen = pages.topic_choice(request.query_params)
        try:
            journey = Journey.begin(pathway, chosen)
        except JourneyError:
            raise PageError(400, "topic", mode=mode) from None
        return see(pages.url(journey, mode))

    add_routes(app, "", "site", [(api.DOCS_PATH, api_docs), ("/", start), ("/begin", begin)])
    for mode in MODES:
        _add_journey_routes(app, pages, mode)

    async def print_page(token: str) -> Response:
        return html(
            pages.cached(
                journey_path(token, "patient", "/print"),
                lambda: pages.print_page(pages.journey_of(token, "patient")),
            )
        )

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

    async def glossary() -> Response:
        return html(pages.cached("/glossary", pages.glossary_page))

    async def favicon() -> Response:
        if "favicon.svg" not in pages.assets:
            raise PageError(404, "page")
        return see(pages.links.asset(pages.assets["favicon.svg"]))

    add_routes(
        app,
        "",
        "site",
        [
            (journey_path("{token}", "patient", "/print"), print_page),
            ("/static/{name}", static),
            ("/glossary", glossary),
            ("/favicon.ico", favicon),
        ],
    )


def _add_middleware(
    app: FastAPI, pages: Pages, json_api: api.JsonApi, origins: Sequence[str]
) -> None:
    """The ASGI middlewares, innermost first: built pages from memory, then the request
    limits, then the security headers (outside: they see every response, errors too)."""
    fallback = pages.error_page(PageError(500, "bug")).encode("utf-8")
    app.add_middleware(MountRoot)
    app.add_middleware(FinishedPages, pages=pages)
    refusals = {s: pages.error_page(PageError(s, "request")).encode() for s in (413, 414, 431)}
    app.add_middleware(RequestLimits, error_page=refusals.__getitem__)
    app.add_middleware(
        SecurityHeaders,
        error_page=fallback,
        prefixed=[
            (api.PREFIX, SECURITY_HEADERS, b"application/json", json_api.server_error_body()),
            (
                embed.EMBED_PREFIX,
                embed.embed_headers(origins),
                b"text/html; charset=utf-8",
                fallback,
            ),
        ],
    )


def _add_journey_routes(app: FastAPI, pages: Pages, mode: Mode) -> None:
    """The pages of a journey, under ``/j/`` (patients) or ``/present/`` (presenter mode):
    the common ones, then the jump to any state and the map."""

    def more(journey_of: Callable[[str], Journey]) -> list[tuple[str, Any]]:
        async def jump(token: str, state: str) -> Response:
            journey = journey_of(token)
            try:
                moved = journey.jump(state)
            except UnknownStateError:
                raise PageError(404, "state", journey=journey, mode=mode, detail=state) from None
            return see(pages.url(moved, mode))

        async def jump_form(token: str, to: str = "") -> Response:
            return await jump(token, to)

        async def map_page(token: str) -> Response:
            journey = journey_of(token)
            if not pages.has_map(journey):
                # Laying out a map takes tens of milliseconds: not on the event loop.
                await run_in_threadpool(pages.map_svg, journey)
            return html(
                pages.cached(
                    journey_path(token, mode, "/map"), lambda: pages.map_page(journey, mode)
                )
            )

        return [
            ("/{token}/jump/{state}", jump),
            ("/{token}/jump", jump_form),
            ("/{token}/map", map_page),
        ]

    add_journey_routes(
        app,
        pages,
        prefix=PREFIX[mode],
        name=mode,
        mode=mode,
        links=pages.links,
        state_page=lambda journey: pages.state_page(journey, mode),
        after=more,
    )
