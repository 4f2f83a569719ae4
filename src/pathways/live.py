"""Serving a pathway while its authors edit it: ``pathways serve --reload-content``.

``LiveApp`` is an ASGI app that holds the current web app and passes each request to it.
A watcher thread looks at the pathway file and the templates folders every
``interval`` seconds; when anything in them changed, it builds a complete new web app
(``web.create_app``: the pathway loaded and checked, every page rendered once) and only
if that succeeds puts it in place of the old one, in one assignment. So:

- a broken edit never reaches a reader: the last good version keeps being served, and
  each problem is logged as ``file:line:col: message`` with its hint;
- fixing the file switches over at the next look, without a restart;
- no request is dropped: a request in progress finishes on the app it started on, and
  the next one goes to the new app.

For the last good version to stay whole, ``build`` should make apps that keep their own
templates (``create_app(..., snapshot_templates=True)``, as ``pathways serve
--reload-content`` does): each compiles every template when it is built and never reads
the files again, so a template broken on disk cannot reach the running app either.

Journey links stay valid across a reload while the pathway's ids stay the same (a token
names states by their place in the pathway; see ``journey.py``). A reload that adds,
removes or reorders states makes older links open the friendly "this link does not
work" page, as a restart with the new file would.

Lifespan events are answered here, not passed on: the web app needs none. Layer 4.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from pathways.errors import ContentError, PathwaysError

# The ASGI types, spelt out so this module needs no web framework of its own.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("pathways.live")

INTERVAL = 1.0
"""Seconds between looks at the files: an author sees an edit within about a second."""


def snapshot(paths: Sequence[Path | None]) -> str:
    """A fingerprint of the files: the pathway's bytes and each template's name, size and
    modification time. Anything that cannot be read counts as 'missing'."""
    digest = hashlib.sha256()
    for path in paths:
        if path is None:
            continue
        digest.update(os.fsencode(path) + b"\0")
        if path.is_file():
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"unreadable")
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    file = os.path.join(root, name)
                    try:
                        info = os.stat(file)
                    except OSError:
                        continue
                    digest.update(f"{file}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        else:
            digest.update(b"missing")
    return digest.hexdigest()


class LiveApp:
    """An ASGI app that serves the latest web app that built, rebuilding on change.

    ``build`` makes a complete web app from the files as they are now, raising
    ``PathwaysError`` (usually ``ContentError``) if they are not right. The first build
    happens here and its error is raised: there is nothing good to serve yet.
    """

    def __init__(
        self,
        build: Callable[[], ASGIApp],
        watch: Sequence[Path | None],
        *,
        interval: float = INTERVAL,
    ) -> None:
        self._build = build
        self._watch = tuple(watch)
        self.interval = interval
        self._seen = snapshot(self._watch)
        self.app: ASGIApp = build()
        self.version = 1
        """How many builds have been put in place (1 = the first)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.app(scope, receive, send)  # the app in place now, kept for this request

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # ------------------------------------------------------------------ watching

    def start(self) -> None:
        """Start looking at the files (in a daemon thread)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch_loop, name="pathways-live")
            self._thread.daemon = True
            self._thread.start()

    def stop(self) -> None:
        """Stop looking; waits for a build in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def _watch_loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def check(self) -> bool:
        """Look once: rebuild if anything changed. True if a new app was put in place."""
        seen = snapshot(self._watch)
        if seen == self._seen:
            return False
        self._seen = seen
        try:
            app = self._build()
        except ContentError as exc:
            for problem in exc.problems:
                log.error("%s", problem)
            log.error(
                "the changed content has %d problem%s: still serving the last good version",
                len(exc.problems),
                "" if len(exc.problems) == 1 else "s",
            )
            return False
        except PathwaysError as exc:
            log.error("%s: still serving the last good version", exc)
            return False
        except Exception:
            log.exception("rebuilding failed: still serving the last good version")
            return False
        self.app = app  # one assignment: each request sees the old app or the new one
        self.version += 1
        log.info("content changed: now serving version %d of the pathway's files", self.version)
        return True
