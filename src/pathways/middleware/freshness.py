"""How long each kind of answer may be kept, and how a browser checks it still holds:
``Cache-Control``, ``ETag`` and ``304 Not Modified``, and ``X-Robots-Tag`` on journeys.

| answer | Cache-Control | ETag |
|---|---|---|
| a journey's page (HTML, 200; ``/j/``, ``/present/``, ``/embed``) | private, no-cache | yes |
| any other page (start, glossary, API docs) | public, no-cache | yes |
| a static file | the app's: a year, immutable, at a versioned address | the app's |
| JSON (200) | no-cache | no |
| anything else (redirects, errors, refusals) | no-store | no |

Any answer with an ETag (the static files' too) is a 304 when ``If-None-Match`` holds it.

A page depends only on its address and the content the app was built from (the pathway,
the templates, the static files: ``content_version``), so its ETag is made from those two
before any work is done, and a request whose ``If-None-Match`` holds it is answered 304 at
once. ``no-cache`` lets a browser keep a page but ask again each time (a 304 costs almost
nothing), so a new version of the content shows at once. ``private`` keeps a reader's
journey out of shared caches. Journey pages also say ``X-Robots-Tag: noindex``: an
address that carries someone's path has no place in a search engine.

Every ETag is weak (``W/``, the static files' too): the same page compressed or not is
the same page (``compression.py``), and nothing here serves byte ranges.

Layer 4, beside ``web.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pathways.middleware.prefix import route_path

JOURNEY_PREFIXES = ("/j/", "/present/", "/embed")
"""Addresses that carry a journey (and the embed, which is made for frames)."""
UNTAGGED_PREFIXES = ("/static/", "/api/", "/openapi.json")
"""Addresses whose answers are not pages: the app sets their caching, or JSON's default."""


def content_version(pathway: Any, templates: Mapping[str, str], assets: Iterable[str]) -> str:
    """A short fingerprint of what every page is made from: the pathway (its JSON), the
    templates' names and sources, the static files' digests."""
    digest = hashlib.sha256(pathway.model_dump_json().encode("utf-8"))
    for name in sorted(templates):
        digest.update(f"\0{name}\0{templates[name]}".encode())
    for asset in sorted(assets):
        digest.update(f"\0{asset}".encode())
    return digest.hexdigest()[:16]


def template_sources(environment: Any) -> dict[str, str]:
    """Every template the environment can load, by name: its source."""
    loader = environment.loader
    sources: dict[str, str] = {}
    for name in loader.list_templates():
        sources[name] = loader.get_source(environment, name)[0]
    return sources


def etag_matches(if_none_match: bytes, tag: bytes) -> bool:
    """The weak comparison of RFC 9110 (13.1.2): any listed tag equal to ``tag`` once a
    ``W/`` is set aside, or ``*``."""
    bare = tag.removeprefix(b"W/")
    for listed in if_none_match.split(b","):
        listed = listed.strip()
        if listed == b"*" or listed.removeprefix(b"W/") == bare:
            return True
    return False


_BODY_FIELDS = (b"content-length", b"content-type", b"content-encoding")
"""Fields about a body, left out of a 304 (which has none)."""


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class Freshness:
    """ASGI middleware: Cache-Control, ETag and 304, and X-Robots-Tag, by kind of answer."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.version = version

    def etag(self, path: str) -> bytes:
        where = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8)
        return f'W/"{self.version}-{where.hexdigest()}"'.encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]  # the whole address: what the ETag stands for
        inside = route_path(scope)  # the app's own: what kind of answer it is
        journey = inside.startswith(JOURNEY_PREFIXES)
        page_cache = b"private, no-cache" if journey else b"public, no-cache"
        tag = None
        if scope["method"] in ("GET", "HEAD") and not inside.startswith(UNTAGGED_PREFIXES):
            tag = self.etag(path)
            asked = _header(scope["headers"], b"if-none-match")
            if asked is not None and etag_matches(asked, tag):
                headers = [
                    (b"etag", tag),
                    (b"cache-control", page_cache),
                    (b"vary", b"Accept-Encoding"),
                ]
                if journey:
                    headers.append((b"x-robots-tag", b"noindex"))
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return

        asked = _header(scope["headers"], b"if-none-match")
        unchanged = False

        async def send_fresh(message: Message) -> None:
            nonlocal unchanged
            if unchanged:
                return  # the body of an answer the client already has
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                status = message["status"]
                media = _header(headers, b"content-type") or b""
                if b"cache-control" not in names:
                    if status == 200 and tag is not None and media.startswith(b"text/html"):
                        headers += [(b"cache-control", page_cache), (b"etag", tag)]
                    elif status == 200 and b"json" in media:
                        headers.append((b"cache-control", b"no-cache"))
                    else:
                        headers.append((b"cache-control", b"no-store"))
                if journey and b"x-robots-tag" not in names:
                    headers.append((b"x-robots-tag", b"noindex"))
                etag = _header(headers, b"etag")
                if etag is not None and not etag.startswith(b"W/"):
                    # Weak: the same content compressed or not (compression.py) is the
                    # same to a cache, and nothing here serves byte ranges.
                    etag = b"W/" + etag
                    headers = [(n, etag if n.lower() == b"etag" else v) for n, v in headers]
                if status == 200 and asked and etag and etag_matches(asked, etag):
                    unchanged = True
                    kept = [(n, v) for n, v in headers if n.lower() not in _BODY_FIELDS]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    await send({"type": "http.response.body", "body": b""})
                    return
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_fresh)
