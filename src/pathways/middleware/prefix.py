"""ASGI middleware: where the app is mounted, as the reader's browser sees it.

``MountRoot`` tells the pages (``links.ROOT``) the ASGI ``root_path`` of each request: the
``/p/<id>`` a catalogue mounts a pathway at, after the ``--root-path`` a site serves the
whole app under. ``ForwardedPrefix`` adds the ``X-Forwarded-Prefix`` a reverse proxy sends,
but only from a proxy trusted with the forwarded headers (``--forwarded-allow-ips``, the
rule ``server.behind_proxy`` gives): from
anyone else the header is ignored, so a stranger cannot make pages link elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette._utils import get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from pathways.links import ROOT

_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
"""A prefix a proxy may give: path segments of plain characters, no trailing slash (no
quote, angle bracket or percent sign can reach an address on a page)."""


def check_prefix(text: str) -> str:
    """A path to serve the app under (``--root-path``): ``/guides``, or ``""`` for none;
    ValueError for anything else."""
    prefix = text.strip().rstrip("/")
    if prefix and not _PREFIX.match(prefix):
        raise ValueError(
            f"'{text}' is not a path to serve under: write it as /name or /name/name"
            " (letters, digits, '.', '_', '~' and '-'), for example /guides"
        )
    return prefix


def route_path(scope: Scope) -> str:
    """A request's path inside the app that answers it (the mount and root path left off):
    what its routes, and the rules for which addresses are the API's or the embed's, see."""
    path: str = get_route_path(scope)
    return path


class MountRoot:
    """Sets ``links.ROOT`` to the request's ``root_path`` while the app answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = ROOT.set(scope.get("root_path", ""))
        try:
            await self.app(scope, receive, send)
        finally:
            ROOT.reset(token)


class ForwardedPrefix:
    """ASGI middleware, outermost: a trusted proxy's ``X-Forwarded-Prefix`` becomes part of
    the ``root_path`` (and of the path, as the ASGI spec has it), so every address on a page
    starts with it. An untrusted client's header, or one that is not a plain path, is
    ignored."""

    def __init__(self, app: ASGIApp, trusted: Callable[[str], bool]) -> None:
        self.app = app
        # Whether a client's address is a trusted proxy's: server.py gives uvicorn's own
        # rule (addresses, networks, '*'), the one X-Forwarded-For is believed by.
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            prefix = self._prefix(scope)
            if prefix:
                scope = {
                    **scope,
                    "root_path": prefix + scope.get("root_path", ""),
                    "path": prefix + scope["path"],
                    "raw_path": prefix.encode("ascii") + scope.get("raw_path", b""),
                }
        await self.app(scope, receive, send)

    def _prefix(self, scope: Scope) -> str | None:
        client = scope.get("client")
        if client is None or not self.trusted(client[0]):
            return None
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-prefix":
                prefix = value.decode("latin-1").strip().rstrip("/")
                return prefix if _PREFIX.match(prefix) else None
        return None
