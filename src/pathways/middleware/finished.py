"""ASGI middleware: a journey's page is sent without routing: from memory when it is
already built, else made at once from its skeleton (``Pages.journey_page``); and the
whole answer for a kept page, headers and all, is sent again as it was (``KeptAnswers``)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathways.middleware.compression import accepts_gzip
from pathways.middleware.limits import refused
from pathways.middleware.prefix import route_path
from pathways.pages import Pages

ANSWERED = "pathways.page"
"""Where ``FinishedPages`` notes, in a request's scope, the page it answered with: its
address and its body (``KeptAnswers`` keeps the answer only while that page is kept)."""
ANSWERS_KEPT = 2048
"""Whole answers kept at most (GET and HEAD, compressed or not, of kept pages)..."""
ANSWERS_KEPT_BYTES = 4 * 1024 * 1024
"""...and at most this many bytes of their bodies."""
_PLAIN_BREAKERS = frozenset((b"if-none-match", b"content-length", b"transfer-encoding"))
"""Request headers that can change a kept page's answer (a 304, a body to refuse)."""


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
                scope[ANSWERED] = (root + path, body)
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


class KeptAnswers:
    """ASGI middleware, the outermost of the app's own: the whole answer to a plain GET or
    HEAD of a kept page, as the middlewares inside made it (security headers, cache
    headers, compression), sent again as it was while its page is kept.

    A kept page's answer depends only on the method, the address and whether the client
    takes gzip, as long as the request asks nothing else: no query, no ``If-None-Match``
    (a 304), no body, nothing the request limits refuse (checked by their own rule,
    ``limits.refused``). Anything else goes through every middleware, as a first request
    for the page does; that first answer is the one kept. So a kept page costs a look-up,
    not seven middlewares; a test checks the answers are equal, headers included.
    """

    def __init__(self, app: ASGIApp, pages: Pages) -> None:
        self.app = app
        self.pages = pages
        self._answers: OrderedDict[tuple[Any, ...], tuple[str, bytes, Message, Message]] = (
            OrderedDict()
        )
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        gzip = False
        for name, value in scope["headers"]:
            if name in _PLAIN_BREAKERS:
                await self.app(scope, receive, send)
                return
            if name == b"accept-encoding":
                gzip = accepts_gzip(value)
        if refused(scope) is not None:
            await self.app(scope, receive, send)
            return
        key = (scope["method"], scope.get("root_path", ""), scope["path"], gzip)
        kept = self._answers.get(key)
        if kept is not None:
            address, page, start, body = kept
            if self.pages.finished(address) is page:
                self._answers.move_to_end(key)
                await send(start)
                await send(body)
                return
            self._drop(key)
        sent: list[Message] = []

        async def keeping(message: Message) -> None:
            sent.append(message)
            await send(message)

        await self.app(scope, receive, keeping)
        answered = scope.get(ANSWERED)
        if (
            answered is not None
            and len(sent) == 2
            and sent[0]["type"] == "http.response.start"
            and sent[0]["status"] == 200
            and not sent[1].get("more_body", False)
        ):
            self._answers[key] = (*answered, sent[0], sent[1])
            self._bytes += len(sent[1].get("body", b""))
            while len(self._answers) > ANSWERS_KEPT or (
                self._bytes > ANSWERS_KEPT_BYTES and len(self._answers) > 1
            ):
                self._drop(next(iter(self._answers)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        *_, body = self._answers.pop(key)
        self._bytes -= len(body.get("body", b""))
