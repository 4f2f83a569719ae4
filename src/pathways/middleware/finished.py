"""ASGI middleware: a page that is already built is sent straight from memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from pathways.middleware.prefix import route_key
from pathways.pages import Pages


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
            body = self.pages.finished(route_key(scope))
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
