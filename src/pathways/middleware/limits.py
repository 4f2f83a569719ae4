"""ASGI middleware: an oversized request is refused before any work is done on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathways.middleware.prefix import route_path

MAX_URL_BYTES = 4096
"""Longest path plus query accepted (414 beyond). The longest journey token is 1,000
characters; browsers and proxies commonly stop at 8 KB."""
MAX_HEADER_BYTES = 16 * 1024
"""Largest total of request header names and values accepted (431 beyond)."""
MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (413 beyond). Pages read none; a JSON request is small."""


class _BodyTooLarge(Exception):
    """A request body grew past MAX_BODY_BYTES while it was being read."""


class RequestLimits:
    """ASGI middleware: an oversized request is refused before any work is done on it.

    A very long address gets 414, very large headers 431 and a body over the limit 413
    (from its Content-Length, or counted as it arrives), each with the friendly error
    page. This keeps one reader's mistake or one abuser from tying up the worker, whatever
    server runs the app.
    """

    def __init__(
        self,
        app: ASGIApp,
        error_page: Callable[[int], bytes],
        *,
        prefixed: Sequence[tuple[str, bytes, Callable[[int], bytes]]] = (),
    ) -> None:
        self.app = app
        self.error_page = error_page
        # Addresses under a prefix are refused in their own form: (prefix, media type,
        # body for a status), e.g. the JSON API's JSON error.
        self.prefixed = tuple(prefixed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = None
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if url_bytes > MAX_URL_BYTES:
            status = 414
        elif sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            status = 431
        else:
            for name, value in scope["headers"]:
                if name.lower() == b"content-length" and (
                    not value.strip().isdigit() or int(value) > MAX_BODY_BYTES
                ):
                    status = 413
        if status is not None:
            await self._refuse(send, status, scope)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise _BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(send, 413, scope)

    async def _refuse(self, send: Send, status: int, scope: Scope) -> None:
        body, media_type = self.error_page(status), b"text/html; charset=utf-8"
        path = route_path(scope)
        for prefix, prefixed_type, prefixed_body in self.prefixed:
            if path == prefix or path.startswith(prefix + "/"):
                body, media_type = prefixed_body(status), prefixed_type
                break
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"content-type", media_type),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
