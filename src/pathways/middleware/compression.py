"""gzip for pages, JSON and other text over 1 KB, for clients that accept it.

A page is compressed once: compressed bodies are kept by the body they were made from,
and the app sends a kept page as the very same bytes each time (``web.FinishedPages``),
so a kept page costs a dictionary look-up here, not a compression. Starlette's
``GZipMiddleware`` compresses every answer anew (a kept page's whole cost several times
over) and says ``Vary: Accept-Encoding`` only on the answers it compressed; this one says
it on every answer whose type could be compressed, so a cache never hands a compressed
page to a client that did not ask for one.

An answer in several parts (streamed) is sent as it is. ETags are weak
(``freshness.py``): the same content in other bytes.

Layer 4, beside ``web.py``.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_SIZE = 1024
"""Bodies smaller than this are sent as they are: gzip's frame would eat the saving."""
LEVEL = 6
"""zlib's default: nearly the smallest output for a fraction of level 9's time."""
KEPT_BYTES = 4 * 1024 * 1024
"""Bodies and their compressed forms kept, in bytes at most (the app's kept pages are
about 3 MiB)."""
COMPRESSIBLE = (
    b"text/",
    b"application/json",
    b"application/problem+json",
    b"application/javascript",
    b"image/svg+xml",
)


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an Accept-Encoding header allows gzip: by name (or ``*`` if gzip is not
    named), with a quality above 0."""
    qualities: dict[bytes, float] = {}
    for item in accept_encoding.lower().split(b","):
        coding, *params = item.split(b";")
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition(b"=")
            if name.strip() == b"q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.strip()] = quality
    for coding in (b"gzip", b"x-gzip", b"*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


class Compression:
    """ASGI middleware: gzip, with the compressed bodies kept (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()
        self._kept_bytes = 0

    def gzipped(self, body: bytes) -> bytes:
        kept = self._kept.get(body)
        if kept is not None:
            self._kept.move_to_end(body)
            return kept
        packed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        self._kept[body] = packed
        self._kept_bytes += len(body) + len(packed)
        while self._kept_bytes > KEPT_BYTES and len(self._kept) > 1:
            dropped, dropped_packed = self._kept.popitem(last=False)
            self._kept_bytes -= len(dropped) + len(dropped_packed)
        return packed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = False
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                wanted = accepts_gzip(value)
        held: Message | None = None
        passing = True

        async def send_compressed(message: Message) -> None:
            nonlocal held, passing
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                media = b""
                encoded = False
                for name, value in headers:
                    lowered = name.lower()
                    if lowered == b"content-type":
                        media = value.lower()
                    elif lowered == b"content-encoding":
                        encoded = True
                if encoded or not media.startswith(COMPRESSIBLE):
                    await send(message)
                    return
                _add_vary(headers)
                held, passing = {**message, "headers": headers}, False
                return
            if passing or held is None:
                await send(message)
                return
            start, held, passing = held, None, True
            body = message.get("body", b"")
            if not wanted or message.get("more_body", False) or len(body) < MIN_SIZE:
                await send(start)
                await send(message)
                return
            packed = self.gzipped(body)
            headers = []
            for name, value in start["headers"]:
                lowered = name.lower()
                if lowered != b"content-length":
                    headers.append((name, value))
            headers += [
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(packed)).encode("ascii")),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": packed})

        await self.app(scope, receive, send_compressed)


def _add_vary(headers: list[tuple[bytes, bytes]]) -> None:
    """``Vary: Accept-Encoding``, added to a Vary the answer already has."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"accept-encoding" not in value.lower():
                headers[index] = (name, value + b", Accept-Encoding")
            return
    headers.append((b"vary", b"Accept-Encoding"))
