"""Trailing-slash redirects that never name a host: ``/glossary/`` -> ``/glossary``.

Starlette's own (``redirect_slashes``) builds an absolute ``Location`` from the request's
Host header and the scheme the server saw: a forged Host was echoed into it, and behind
a TLS proxy a journey's address was sent back as ``http://``. The app turns that off
(``FastAPI(redirect_slashes=False)``) and this middleware does the same job with a
relative reference (``Location: /glossary``): the browser resolves it against the address
it asked for, so the scheme and the host stay whatever the reader used, whatever proxies
or forged headers lie in between.

Layer 4, beside ``web.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def other_slash(raw_path: bytes) -> bytes | None:
    """The same address with its trailing slash taken off, or with one added; None for
    the root, and for anything a browser could read as another host (``//host``,
    ``/\\host``): those stay unanswered rather than become an open redirect."""
    if raw_path in (b"", b"/"):
        return None
    other = raw_path.rstrip(b"/") if raw_path.endswith(b"/") else raw_path + b"/"
    if not other.startswith(b"/") or other.startswith(b"//") or b"\\" in other:
        return None
    return other


class SlashRedirects:
    """ASGI middleware: a 404 whose address, with its trailing slash added or taken off,
    is one the app answers becomes a 307 to that address, given as a relative reference.
    The query goes along; the method and body are kept (307)."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    def _location(self, scope: Scope) -> bytes | None:
        other = other_slash(scope.get("raw_path") or scope["path"].encode("utf-8"))
        path = scope["path"]
        other_path = path.rstrip("/") if path.endswith("/") else path + "/"
        if other is None or not other_path:
            return None
        moved: dict[str, Any] = {**scope, "path": other_path}
        if not any(route.matches(moved)[0] is not Match.NONE for route in self.routes):
            return None
        query = scope.get("query_string", b"")
        return other + (b"?" + query if query else b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        redirected = False

        async def send_or_redirect(message: Message) -> None:
            nonlocal redirected
            if redirected:
                return  # the 404 page's body: not sent
            if message["type"] == "http.response.start" and message["status"] == 404:
                location = self._location(scope)
                if location is not None:
                    redirected = True
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 307,
                            "headers": [
                                (b"location", location),
                                (b"content-length", b"0"),
                                (b"cache-control", b"no-store"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
            await send(message)

        await self.app(scope, receive, send_or_redirect)
