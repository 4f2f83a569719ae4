"""ASGI middleware: the security headers on every response, and a friendly page for a bug.

Owns the site's Content-Security-Policy and the other security headers (the embed widens
only ``frame-ancestors``), and the rule for what of a path the log may show.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathways.middleware.prefix import route_path

log = logging.getLogger("pathways.web")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


def loggable_path(path: str) -> str:
    """A request's path as the log may show it: its first part only (``/j/…``). The rest
    of an address names a journey, which reveals a reader's path: never logged."""
    first, sep, rest = path.lstrip("/").partition("/")
    return f"/{first}{sep}{'…' if rest else ''}"


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and a friendly page for a
    bug (status 500, details in the log), so that nothing leaves without the headers."""

    def __init__(
        self,
        app: ASGIApp,
        error_page: bytes,
        *,
        prefixed: Sequence[tuple[str, tuple[tuple[bytes, bytes], ...], bytes, bytes]] = (),
    ) -> None:
        self.app = app
        self.error_page = error_page
        # Addresses under a prefix may have headers and an error body of their own:
        # (prefix, headers, media type, body), e.g. the embed's frame-ancestors, the API's JSON.
        self.prefixed = tuple(prefixed)

    def _for(self, path: str) -> tuple[tuple[tuple[bytes, bytes], ...], bytes, bytes]:
        for prefix, headers, media_type, body in self.prefixed:
            if path == prefix or path.startswith(prefix + "/"):
                return headers, media_type, body
        return SECURITY_HEADERS, b"text/html; charset=utf-8", self.error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        security, error_type, error_body = self._for(route_path(scope))

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(n, v) for n, v in security if n not in names]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("error while serving %s", loggable_path(scope.get("path", "")))
            if started:
                raise
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", error_type),
                        (b"content-length", str(len(error_body)).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": error_body})
