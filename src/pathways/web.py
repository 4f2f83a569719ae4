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

This module makes the app and its routes; the pages themselves are ``pages.py`` (no web
framework there, so the static site can use them too) and the ASGI middlewares
``middleware/``; the routes of a journey's pages are made by ``routes.py``. Layer 5.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from pathways import api, apidocs, embed, resources
from pathways.catalogue import MOUNT, Catalogue, CataloguePages, Entry
from pathways.errors import JourneyError, UnknownStateError
from pathways.httperror import HttpError
from pathways.journey import Journey, PathTooLongError
from pathways.links import MODES, PREFIX, Mode, at_root, journey_path, mount_of
from pathways.middleware.compression import Compression
from pathways.middleware.finished import FinishedPages, KeptAnswers
from pathways.middleware.freshness import Freshness, content_version, template_sources
from pathways.middleware.headers import SECURITY_HEADERS, SecurityHeaders
from pathways.middleware.limits import RequestLimits
from pathways.middleware.prefix import MountRoot, route_key, route_path
from pathways.middleware.redirects import SlashRedirects
from pathways.pages import WAY_IN, Pages
from pathways.routes import add_journey_routes, add_routes, html, see
from pathways.schema import Pathway
from pathways.templating import text_safe

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
    catalogue: Sequence[tuple[str, str]] = (),
) -> FastAPI:
    """The web app for one pathway, loaded and checked once, here.

    ``pathway_file`` and ``templates_dir`` follow the command line's ``--pathway`` and
    ``--templates`` (None: ``$PATHWAYS_FILE`` / ``$PATHWAYS_TEMPLATES``, else the embedded
    defaults). ``pathway`` gives an already loaded pathway instead of a file. A pathway or
    templates folder that is not valid raises ``ContentError`` before any request is served.
    ``embed_origins`` are the origins (``https://portal.example``) whose pages may show the
    embed (``/embed/``) in an iframe; none by default. One that is not an origin raises
    ValueError. ``catalogue``: the ids and titles of every pathway served beside this one
    (by ``create_catalogue_app``), which presenter mode offers to switch to.
    ``snapshot_templates``: compile every template now and never read the
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
        catalogue=catalogue,
    )
    pages.check()

    pathway = pages.pathway  # the one Pathway every part of the app uses
    app = FastAPI(
        title=pathway.metadata.title,
        version=pathway.metadata.version,
        description=apidocs.openapi_description(pathway),
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's interactive docs load scripts from other hosts:
        redoc_url=None,  # /api/docs is a page of our own instead
        redirect_slashes=False,  # its Location names the Host: middleware.redirects' is relative
    )
    app.state.pages = pages
    app.state.json_api = api.install(app, pathway)
    app.state.embed = embed.install(app, pages, origins)
    _add_error_handlers(app, pages, app.state.json_api, app.state.embed)
    _add_pages(app, pages)
    # Made once every route is there (the page describes them), so a broken template
    # stops the start; then once for each mount it is asked for under.
    app.state.api_docs = lambda: pages.render(
        ["api.html"], apidocs.describe(app.openapi(), pages.pathway)
    )
    app.state.api_docs()
    _add_middleware(app, pages, app.state.json_api, origins)
    return app


def _add_error_handlers(
    app: FastAPI, pages: Pages, json_api: api.JsonApi, embedded: embed.Embed
) -> None:
    """Every error is an ``HttpError`` by the time it is answered, and ``answer`` renders
    it: problem details under ``/api/``, else the embed's error page under ``/embed/`` or
    the site's. What the framework refuses (no such address, a wrong method, a request of
    the wrong shape) is made an ``HttpError`` here first."""

    def answer(request: Request, error: HttpError) -> Response:
        path = route_path(request.scope)
        if api.is_api_path(path):
            return json_api.problem(error, route_key(request.scope))
        page = embedded.error_page if embed.is_embed_path(path) else pages.error_page
        return HTMLResponse(page(error), status_code=error.status, headers=error.headers)

    @app.exception_handler(HttpError)
    async def http_error(request: Request, exc: HttpError) -> Response:
        return answer(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(request: Request, exc: StarletteHTTPException) -> Response:
        path, status = route_path(request.scope), exc.status_code
        allow = allowed_methods(app, request.scope) if status == 405 else []
        error: HttpError
        if api.is_api_path(path):
            error = json_api.http_error(status, path, request.method, allow)
        elif status == 405:
            error = HttpError(405, "method", headers={"allow": ", ".join(allow)})
        else:
            kind = "page" if status == 404 else "request"
            error = HttpError(status, kind, headers=exc.headers)
        return answer(request, error)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        if api.is_api_path(route_path(request.scope)):
            return answer(request, json_api.invalid_request(exc.errors()))
        return answer(request, HttpError(400, "request"))


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods some route answers at this request's address (for ``Allow`` on a 405):
    every route's own, since GET and HEAD may be routes of their own (as in the API)."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, BaseRoute) and route.matches(scope)[0] != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return [m for m in METHODS if m in methods] + sorted(methods - set(METHODS))


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
        way_in = request.query_params.get(WAY_IN)
        at = pages.chapter_start(way_in) if way_in else None
        if way_in and at is None:
            raise HttpError(404, "state", mode=mode, detail=text_safe(way_in)[:80])
        try:
            journey = Journey.begin(pathway, chosen, at=at)
        except JourneyError:
            raise HttpError(400, "topic", mode=mode) from None
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

    async def notes_page(token: str) -> Response:
        return html(
            pages.cached(
                journey_path(token, "patient", "/notes"),
                lambda: pages.notes_page(pages.journey_of(token, "patient")),
            )
        )

    async def static(name: str, request: Request) -> Response:
        asset = pages.assets.get(name)
        if asset is None:
            raise HttpError(404, "page")
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
            raise HttpError(404, "page")
        return see(pages.links.asset(pages.assets["favicon.svg"]))

    add_routes(
        app,
        "",
        "site",
        [
            (journey_path("{token}", "patient", "/print"), print_page),
            (journey_path("{token}", "patient", "/notes"), notes_page),
            ("/static/{name}", static),
            ("/glossary", glossary),
            ("/favicon.ico", favicon),
        ],
    )


def _add_middleware(
    app: FastAPI, pages: Pages, json_api: api.JsonApi, origins: Sequence[str]
) -> None:
    """The ASGI middlewares, innermost first: built pages from memory, the request limits,
    relative trailing-slash redirects, cache validators, compression, the security
    headers (outside: they see every response, errors too), then kept pages' whole
    answers, sent again as those made them."""
    fallback = pages.error_page(HttpError(500, "bug")).encode("utf-8")
    app.add_middleware(MountRoot)
    app.add_middleware(FinishedPages, pages=pages)
    refusals = {s: pages.error_page(HttpError(s, "request")) for s in (413, 414, 431)}

    def refusal(scope: Scope, status: int) -> Response:
        # Outside MountRoot: the mount is the scope's root path, not yet links.ROOT.
        root, path = scope.get("root_path", ""), route_path(scope)
        if api.is_api_path(path):
            error = HttpError(status, "request", detail=api.refusal_detail(status))
            docs = root + api.DOCS_PATH
            return api.problem_response(error, root + path, docs, json_api.framing)
        return html(refusals[status], status)

    app.add_middleware(RequestLimits, refusal=refusal)
    app.add_middleware(SlashRedirects, routes=app.router.routes)
    sources = template_sources(pages.environment)
    digests = [asset.digest for asset in pages.assets.values()]
    app.add_middleware(Freshness, version=content_version(pages.pathway, sources, digests))
    app.add_middleware(Compression)
    app.add_middleware(  # outside: it sees every response
        SecurityHeaders,
        error_page=fallback,
        prefixed=[
            (api.PREFIX, SECURITY_HEADERS, api.PROBLEM_JSON.encode(), json_api.server_error_body()),
            (
                embed.EMBED_PREFIX,
                embed.embed_headers(origins),
                b"text/html; charset=utf-8",
                fallback,
            ),
        ],
    )
    app.add_middleware(KeptAnswers, pages=pages)


def _add_journey_routes(app: FastAPI, pages: Pages, mode: Mode) -> None:
    """The pages of a journey, under ``/j/`` (patients) or ``/present/`` (presenter mode):
    the common ones, then the jump to any state and the map."""

    def more(journey_of: Callable[[str], Journey]) -> list[tuple[str, Any]]:
        async def jump(token: str, state: str) -> Response:
            journey = journey_of(token)
            try:
                moved = journey.jump(state)
            except UnknownStateError:
                raise HttpError(404, "state", journey=journey, mode=mode, detail=state) from None
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


# --------------------------------------------------------------------------- many pathways

OLD_ADDRESSES = ("/begin", "/j/", "/present/", "/embed", "/api/", "/glossary", "/favicon.ico")
"""Where a single-pathway app had its pages: with several pathways they lead (307, so a
POST stays a POST) to the same page of the default pathway, under its ``/p/<id>``."""


def create_catalogue_app(
    catalogue: Catalogue,
    templates_dir: str | Path | None = None,
    *,
    embed_origins: Sequence[str] = (),
) -> FastAPI:
    """The web app for several pathways: a catalogue at ``/``, each served pathway's whole
    app (pages, presenter mode, API, embed) at ``/p/<id>/``, ``/api/pathways`` listing them
    and one ``/openapi.json`` describing every pathway's API. Every pathway and template is
    checked here, before any request; a ContentError names what is wrong."""
    templates = resources.chosen_templates_dir(templates_dir)
    served = catalogue.served
    children = {
        entry.id: create_app(
            pathway=entry.pathway,
            templates_dir=templates,
            embed_origins=embed_origins,
            catalogue=[(e.id, e.pathway.metadata.title) for e in served],
        )
        for entry in served
    }
    shelf = CataloguePages(catalogue, templates)
    app = FastAPI(
        title="Guides in this collection",
        version="1",
        description=(
            "The pathways served together here. Each one's JSON API is under"
            " `/p/<id>/api/`; `/api/pathways` lists them. Every answer of a pathway carries"
            " its `intended_purpose` and `support`: show them beside anything you show."
        ),
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # its Location names the Host (middleware/redirects.py)
    )
    app.state.catalogue = catalogue
    app.state.children = children
    for child in children.values():
        owner = _token_owner(children, child.state.pages.pathway)
        child.state.pages.token_owner = child.state.token_owner = owner

    def url_of(entry: Entry, page: str) -> str | None:
        mount = mount_of(entry.id)
        tail = {"start": "/", "present": "/begin?mode=present", "api": api.DOCS_PATH}[page]
        return at_root(mount + tail)

    async def home(request: Request, q: str = "", tag: str = "") -> Response:
        view = shelf.view(q.strip()[:200], tag.strip() or None, url_of, home=at_root("/"))
        return html(shelf.page(view))

    async def static(name: str) -> Response:
        asset = shelf.assets.get(name)
        if asset is None:
            raise HttpError(404, "page")
        return Response(
            asset.body,
            media_type=asset.media_type,
            headers={"etag": f'"{asset.digest}"', "cache-control": "public, max-age=300"},
        )

    async def listing() -> Response:
        return JSONResponse(
            {
                "pathways": [
                    _listing_entry(entry, url_of if entry.withdrawn is None else None)
                    for entry in catalogue.entries
                ]
            }
        )

    async def openapi_json() -> Response:
        return JSONResponse(app.state.openapi)

    async def not_mounted(pathway_id: str, request: Request) -> Response:
        entry = catalogue.entry(pathway_id)
        if entry is None:
            raise HttpError(
                404,
                "page",
                detail=f"no pathway '{text_safe(pathway_id)[:80]}' is served here",
                allowed=[at_root(f"{api.PREFIX}/pathways")],
            )
        if entry.withdrawn is not None:
            raise HttpError(410, "withdrawn", detail=entry.withdrawn)
        return see(at_root(mount_of(pathway_id) + "/"))

    async def old_address(request: Request) -> Response:
        path = route_path(request.scope)
        if path == f"{api.PREFIX}/pathways":  # the catalogue's own, asked with another method
            raise StarletteHTTPException(405)
        if path == f"{api.PREFIX}/pathways/":
            return RedirectResponse(at_root(f"{api.PREFIX}/pathways"), status_code=307)
        query = f"?{request.url.query}" if request.url.query else ""
        target = at_root(mount_of(catalogue.default.id) + path) + query
        return RedirectResponse(target, status_code=307)

    add_routes(app, "", "catalogue", [("/", home), ("/static/{name}", static)])
    app.add_api_route(  # HEAD too (monitors use it), left out of the OpenAPI document
        f"{api.PREFIX}/pathways", listing, methods=["HEAD"], include_in_schema=False
    )
    app.add_api_route(
        f"{api.PREFIX}/pathways",
        listing,
        methods=["GET"],
        name="list_pathways",
        summary="Every pathway served here",
        description="Each pathway with its title, summary, topics, dates and addresses;"
        " one withdrawn for review says why, and has no addresses.",
        tags=["catalogue"],
    )
    app.add_api_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    # /p/<id> bare, before the mounts (which would answer it with an absolute redirect).
    add_routes(app, MOUNT, "catalogue", [("/{pathway_id}", not_mounted)])
    for pathway_id, child in children.items():
        app.mount(mount_of(pathway_id), child)
    # After the mounts: a pathway that is withdrawn, or not served here.
    add_routes(app, MOUNT, "catalogue_under", [("/{pathway_id}/{rest:path}", not_mounted)])
    for old in OLD_ADDRESSES:
        for tail in ("", "{rest:path}") if old.endswith("/") else ("", "/{rest:path}"):
            app.add_api_route(
                old + tail,
                old_address,
                methods=["GET", "HEAD", "POST"],
                include_in_schema=False,
            )
    app.state.openapi = catalogue_openapi(app.openapi_schema or _own_openapi(app), children)

    def error_page(error: HttpError) -> str:
        return shelf.error_page(error, home=at_root("/"))

    listing_path = f"{api.PREFIX}/pathways"

    def api_owner(path: str) -> FastAPI | bool:
        """Whose API an address of the catalogue is: a served pathway's app (its
        ``/p/<id>/api/...``), True for the catalogue's own (``/api/...``, or under a
        ``/p/<id>`` that serves nothing), or False for a page."""
        if api.is_api_path(path):
            return True
        parts = path.split("/", 3)  # "", "p", id, rest
        rest = "/" + (parts[3] if len(parts) > 3 else "")
        if len(parts) >= 3 and f"/{parts[1]}" == MOUNT and api.is_api_path(rest):
            return children.get(parts[2]) or True
        return False

    def problem(root: str, path: str, error: HttpError) -> Response:
        """Problem details for an /api/ address: a pathway's own (with its statement and
        support line, typed by its documentation page), or the catalogue's (no pathway's
        words; typed by the first pathway's page, whose problem types are every one's)."""
        owner = api_owner(path)
        if isinstance(owner, FastAPI):
            pathway_id = path.split("/", 3)[2]
            docs = root + mount_of(pathway_id) + api.DOCS_PATH
            return api.problem_response(error, root + path, docs, owner.state.json_api.framing)
        docs = root + mount_of(catalogue.default.id) + api.DOCS_PATH
        return api.problem_response(error, root + path, docs, {})

    def answer(request: Request, error: HttpError) -> Response:
        path = route_path(request.scope)
        if api_owner(path) is not False:
            return problem(request.scope.get("root_path", ""), path, error)
        return html(error_page(error), error.status)

    @app.exception_handler(HttpError)
    async def page_error(request: Request, exc: HttpError) -> Response:
        return answer(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        path, status = route_path(request.scope), exc.status_code
        if status == 405:
            allow = ["GET", "HEAD"] if path == listing_path else allowed_methods(app, request.scope)
            return answer(
                request,
                HttpError(
                    405,
                    "method",
                    detail=f"'{at_root(path)}' does not answer {request.method}",
                    allowed=allow,
                    headers={"allow": ", ".join(allow)},
                ),
            )
        if status == 404:
            detail = f"the catalogue has no address '{at_root(path)}'"
            error = HttpError(404, "page", detail=detail, allowed=[at_root(listing_path)])
            return answer(request, error)
        return answer(request, HttpError(status, "request", detail=api.refusal_detail(status)))

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError) -> Response:
        return answer(
            request, HttpError(422 if api_owner(route_path(request.scope)) else 400, "request")
        )

    fallback = error_page(HttpError(500, "bug")).encode("utf-8")
    app.add_middleware(MountRoot)
    refusals = {s: error_page(HttpError(s, "request")) for s in (413, 414, 431)}

    def refusal(scope: Scope, status: int) -> Response:
        # Outside MountRoot and the mounts: the whole path, the --root-path in root_path.
        root, path = scope.get("root_path", ""), route_path(scope)
        if api_owner(path) is not False:
            error = HttpError(status, "request", detail=api.refusal_detail(status))
            return problem(root, path, error)
        return html(refusals[status], status)

    # No SlashRedirects here: its "the other form has a route" test is always true under
    # the mounts and the catch-all /p/<id>/..., so it would send a 404 round in circles;
    # each pathway's own app has it.
    app.add_middleware(RequestLimits, refusal=refusal)
    app.add_middleware(SecurityHeaders, error_page=fallback)
    return app


def _token_owner(children: Mapping[str, FastAPI], own: Pathway) -> Callable[[str], str | None]:
    """Which other pathway of the catalogue a token that is not ``own``'s belongs to."""

    def owner(token: str) -> str | None:
        for child in children.values():
            pathway: Pathway = child.state.pages.pathway
            if pathway is own:
                continue
            try:
                Journey.from_token(pathway, token)
            except PathTooLongError:
                pass  # its own, if too long to show
            except JourneyError:
                continue
            return pathway.metadata.title
        return None

    return owner


def _own_openapi(app: FastAPI) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi

    return get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )


def _listing_entry(
    entry: Entry, url_of: Callable[[Entry, str], str | None] | None
) -> dict[str, Any]:
    meta = entry.pathway.metadata
    links = None
    if url_of is not None:
        mount = at_root(mount_of(entry.id))
        links = {
            "page": url_of(entry, "start"),
            "present": url_of(entry, "present"),
            "api": f"{mount}{api.PREFIX}/pathway",
            "embed": f"{mount}{embed.EMBED_PREFIX}/",
            "docs": url_of(entry, "api"),
        }
    return {
        "id": entry.id,
        "title": meta.title,
        "summary": meta.summary,
        "intended_purpose": meta.intended_purpose,
        "tags": list(meta.tags),
        "language": meta.language,
        "publisher": meta.publisher,
        "version": meta.version,
        "reviewed": meta.reviewed.isoformat(),
        "next_review": meta.next_review.isoformat(),
        "status": "withdrawn" if entry.withdrawn else "served",
        "withdrawn": entry.withdrawn,
        "links": links,
    }


def catalogue_openapi(own: Mapping[str, Any], children: Mapping[str, FastAPI]) -> dict[str, Any]:
    """One OpenAPI document for every pathway: each one's paths under ``/p/<id>``, its
    operation ids prefixed with the id, and its schemas renamed where two pathways' models
    of the same name differ (a begin body lists each pathway's own topics)."""
    merged: dict[str, Any] = json.loads(json.dumps(own))
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for pathway_id, child in children.items():
        document = child.openapi()
        renames: dict[str, str] = {}
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                renames[name] = f"{name}_{pathway_id}"
        text = json.dumps(document)
        for old, new in renames.items():
            text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
        document = json.loads(text)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        for path, item in document.get("paths", {}).items():
            for operation in item.values():
                if isinstance(operation, dict) and "operationId" in operation:
                    operation["operationId"] = f"{pathway_id}__{operation['operationId']}"
                    operation["tags"] = [pathway_id]
            paths[mount_of(pathway_id) + path] = item
    return merged
