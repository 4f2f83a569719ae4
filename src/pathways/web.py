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
``middleware/``. Layer 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from pathways import resources
from pathways.errors import JourneyError, StepNotAvailableError, UnknownStateError
from pathways.journey import Journey
from pathways.middleware.finished import FinishedPages
from pathways.middleware.headers import SECURITY_HEADERS, SecurityHeaders
from pathways.middleware.limits import RequestLimits
from pathways.pages import GET, MODES, PREFIX, Mode, PageError, Pages, journey_path
from pathways.schema import Pathway

STATIC_MAX_AGE = 365 * 24 * 3600
"""Static files are addressed by a hash of their content, so they can be kept for a year."""


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
        try:
            journey = Journey.begin(pathway, chosen)
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
                journey_path(token, "patient", "/print"),
                lambda: pages.print_page(pages.journey_of(token, "patient")),
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
                journey_path(token, mode),
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
            pages.cached(journey_path(token, mode, "/map"), lambda: pages.map_page(journey, mode))
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
