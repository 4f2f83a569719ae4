"""ASGI middleware: an oversized request is refused before any work is done on it."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_URL_BYTES = 4096
"""Longest path plus query accepted (414 beyond). The longest journey token is 1,000
characters; browsers and proxies commonly stop at 8 KB."""
MAX_HEADER_BYTES = 16 * 1024
"""Largest total of request header names and values accepted (431 beyond)."""
MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (413 beyond). Pages read none; a JSON request is small."""


def refused(scope: Scope) -> int | None:
    """The status a request is refused with from its head alone (414, 431, 413), or None."""
    url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(
        scope.get("query_string", b"")
    )
    if url_bytes > MAX_URL_BYTES:
        return 414
    if sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
        return 431
    status = None
    for name, value in scope["headers"]:
        if name.lower() == b"content-length" and (
            not value.strip().isdigit() or int(value) > MAX_BODY_BYTES
        ):
            status = 413
    return status


class RequestLimits:
    """ASGI middleware: an oversized request is refused before any work is done on it.

    A very long address gets 414, very large headers 431 and a body over the limit 413:
    from its Content-Length, or counted as it arrives (a chunked body has none), when the
    reading raises ``HTTPException(413)`` for the app's error handler to answer, as it
    answers any other. ``refusal(scope, status)`` is the answer (an ASGI app, such as a
    Starlette ``Response``): the app's error page, or problem details under its API (the
    scope's route path says which, its root path where the app is mounted). This
    keeps one reader's mistake or one abuser from tying up the worker, whatever server
    runs the app.
    """

    def __init__(self, app: ASGIApp, refusal: Callable[[Scope, int], ASGIApp]) -> None:
        self.app = app
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = refused(scope)
        if status is not None:
            await self._refuse(scope, receive, send, status)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise HTTPException(413)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if received > MAX_BODY_BYTES:  # the app answered the 413: the rest is unread
                    headers = [(n, v) for n, v in message.get("headers", []) if n != b"connection"]
                    message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPException as exc:
            # Only an app with no handler for it lets the 413 escape.
            if started or exc.status_code != 413:
                raise
            await self._refuse(scope, receive, send, 413)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        """Answer ``refusal``'s answer, and close the connection (the body is not read)."""

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.refusal(scope, status)(scope, receive, closing)
