"""ASGI middleware: a journey's page is sent without routing: from memory when it is
already built, else made at once from its skeleton (``Pages.journey_page``)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from pathways.middleware.prefix import route_path
from pathways.pages import Pages


class FinishedPages:
    """ASGI middleware: a page that is already built is sent straight from memory, and a
    journey's state page not seen before is made here, before routing.

    A page depends only on its path (``Pages.cached``), so a GET or HEAD for a path whose
    page is kept needs no routing, no parameter parsing and no handler: that work was most
    of a request's cost, and the garbage it left behind made the cycle collector pause
    under load. A plain GET or HEAD of ``/j/<token>`` or ``/present/<token>`` (no query)
    whose token reads is made by ``Pages.journey_page``, as the route would make it, and
    answered alike (status, headers, body). Anything else, a bad token included, goes
    through the app, whose routes answer it as before.
    """

    def __init__(self, app: ASGIApp, pages: Pages) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            root: str = scope.get("root_path", "")
            path = route_path(scope)
            body = self.pages.finished(root + path)
            if body is None and not scope.get("query_string"):
                body = self.pages.journey_page(root, path)
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
                # The body for HEAD too, as Starlette's responses do (the server leaves
                # it out): answers made from it, such as compression's, then match GET's.
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
