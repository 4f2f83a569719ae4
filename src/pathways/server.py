"""The HTTP server of ``pathways serve``: uvicorn (with its httptools parser; h11 can be
chosen) with a thin protocol layer that keeps one process answering whatever slow, idle or
abusive clients do.

uvicorn alone closes an idle connection only after a first response: a connection that
sends nothing, or half a request, stays open as long as its client likes, and a few
hundred of them exhaust the open-files limit. Then every real request waits, and asyncio
logs a "Too many open files" traceback for every failed accept (measured in
/work/shared/NOTES.md). The layer here adds what a front-end server such as nginx has:

- **Time limits.** A connection must deliver a complete request head within
  ``header_timeout`` seconds of being ready for one (connected, or its previous answer
  sent), and a request's body within ``body_timeout`` seconds of its head. Past that the
  connection is closed (with a 408 if part of a request had arrived). uvicorn's own
  keep-alive timer still closes a silent connection ``keep_alive`` seconds after an answer.
- **A bound on connections**, worked out from the open-files limit (whose soft value is
  raised to the hard one at start): when a new connection would pass it, the connection
  idle longest (waiting for a request, or halfway through sending one) is closed to make
  room; only when every connection is busy with a request is the newcomer refused, with
  a short 503. So idle sockets can never starve a reader who asks for a page.
- **A quiet log.** Time-outs, evictions, refusals, malformed requests and failed accepts
  are counted and reported at most once a second, one line, never once a socket.
- **The security headers** on the answers the server makes itself (400 for a malformed
  request, 408, 503), given by the caller.

Layer 4, beside ``web.py``: the only module that imports uvicorn.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from pathways.middleware.prefix import ForwardedPrefix

log = logging.getLogger("pathways.server")

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request's head (nginx's ``client_header_timeout``)."""
BODY_TIMEOUT = 3 * HEADER_TIMEOUT
"""Seconds a client has to send a request's body once its head arrived (the app reads at
most 64 KB: half a minute is generous even on a poor mobile line)."""
KEEP_ALIVE = 5
"""Seconds a connection may stay silent after an answer (uvicorn's default)."""
MAX_CONNECTIONS = 1000
"""Connections served at once at most, unless the open-files limit allows fewer."""
RESERVED_FILES = 16
"""Open files kept free beyond those in use at start (logs, maps laid out, imports)."""


@dataclass(frozen=True)
class ServerSettings:
    """How the server treats connections (the ``pathways serve`` options)."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    keep_alive: int = KEEP_ALIVE
    max_connections: int = MAX_CONNECTIONS
    forwarded_allow_ips: tuple[str, ...] = ()
    """Addresses of proxies whose X-Forwarded-For/-Proto/-Prefix are believed; none by
    default."""
    root_path: str = ""
    """The path the whole app is served under (``--root-path``), e.g. ``/guides``."""
    http: Parser = "httptools"
    """uvicorn's HTTP parser: httptools served kept pages 3-4x as fast as h11 and new
    ones twice as fast at 50 connections, with shorter tails (docs/performance.md)."""


# --------------------------------------------------------------------------- open files


def raise_open_files_limit() -> tuple[int, int]:
    """Raise this process's soft open-files limit to its hard limit; (before, after).

    Many systems start services with a soft limit of 1024 and a far higher hard one; a
    server with more connections than that would fail to accept. Where the hard limit is
    unlimited, the kernel's own ceiling (``/proc/sys/fs/nr_open``) is used.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard
    if target == resource.RLIM_INFINITY:
        try:
            with open("/proc/sys/fs/nr_open", encoding="ascii") as ceiling:
                target = int(ceiling.read())
        except (OSError, ValueError):
            target = max(soft, 65536) if soft != resource.RLIM_INFINITY else soft
    if soft == resource.RLIM_INFINITY or (target != resource.RLIM_INFINITY and soft >= target):
        return soft, soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft, soft
    return soft, target


def open_files() -> int:
    """How many files this process has open now (32 where the system does not say)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 32


def accept_backlog(soft_limit: int) -> int:
    """The most connections asyncio accepts in one turn of the loop (its ``backlog``):
    small enough that one burst cannot exhaust the open files."""
    return max(16, min(2048, soft_limit // 16))


LISTEN_QUEUE = 2048
"""Connections the kernel completes and holds for us until they are accepted. They use
none of the process's open files, and a long queue rides out a burst (with asyncio's
short one, 64 here, a burst of connections made clients wait a second for a SYN retry)."""


def connection_budget(requested: int, soft_limit: int, in_use: int, backlog: int) -> int:
    """Connections that may be open at once: what was asked, within the open files left.

    Besides those in use, room is kept for one turn's accepts, for connections waiting
    for their 503 and for connections closed but not yet released (a backlog's worth
    each), so that accepting never fails for want of a file.
    """
    spare = soft_limit - in_use - 3 * backlog - RESERVED_FILES
    return max(1, min(requested, spare))


# --------------------------------------------------------------------------- the log


_EVENTS = {
    "head_timeout": "{n} connection{s} closed that sent no complete request head within {t} s",
    "body_timeout": "{n} request{s} closed whose body did not arrive within {t} s",
    "evicted": "{n} idle connection{s} closed to make room (limit {limit} connections)",
    "refused": "{n} connection{s} refused with 503: all {limit} connections busy",
    "dropped": "{n} connection{s} closed at once: far past the limit",
    "invalid": "{n} malformed request{s} answered 400",
    "accept_failed": "{n} accept{s} failed: out of open files or memory",
}


class Tally:
    """Counts of what happened to connections, logged in one line at most once a second.

    The first event after a quiet second is logged at once; later ones are added up and
    logged when the second is over. One line per socket would let a flood of sockets
    flood the log too.
    """

    def __init__(self, logger: logging.Logger, **details: object) -> None:
        self.logger = logger
        self.details = details
        self.counts: dict[str, int] = {}
        self.last = -1.0
        self._scheduled = False

    def count(self, event: str, n: int = 1) -> None:
        self.counts[event] = self.counts.get(event, 0) + n
        wait = self.last + 1.0 - time.monotonic()
        if wait <= 0:
            self.flush()
        elif not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop in this thread: the next count on the loop reports it
            self._scheduled = True
            loop.call_later(wait, self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self.counts:
            return
        self.last = time.monotonic()
        parts = []
        for event, template in _EVENTS.items():
            n = self.counts.get(event, 0)
            if n:
                parts.append(
                    template.format(
                        n=n,
                        s="" if n == 1 else "s",
                        t=self.details.get(
                            "body_timeout" if event == "body_timeout" else "header_timeout"
                        ),
                        limit=self.details.get("limit"),
                    )
                )
        self.counts.clear()
        self.logger.warning("%s", "; ".join(parts))


class _Counted(logging.Filter):
    """Turns uvicorn's one-line-per-request warnings into counts in the tally."""

    MESSAGES: ClassVar[dict[str, str]] = {"Invalid HTTP request received.": "invalid"}

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def filter(self, record: logging.LogRecord) -> bool:
        event = self.MESSAGES.get(str(record.msg))
        if event is None:
            return True
        self.tally.count(event)
        return False


# --------------------------------------------------------------------------- connections


def raw_answer(
    status: int,
    reason: str,
    text: str,
    headers: Sequence[tuple[bytes, bytes]],
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> bytes:
    """A complete HTTP/1.1 answer that closes the connection, written without h11 (the
    request it answers may never have been read)."""
    body = text.encode("utf-8")
    lines = [f"HTTP/1.1 {status} {reason}".encode("ascii")]
    fields = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
        (b"cache-control", b"no-store"),
        *extra,
        *headers,
    ]
    lines += [name + b": " + value for name, value in fields]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@dataclass
class Gate:
    """The connections of one server: how many are open, and which are idle, oldest first."""

    settings: ServerSettings
    limit: int
    slack: int
    """Connections past the limit that still get a 503 rather than a bare close."""
    headers: tuple[tuple[bytes, bytes], ...]
    tally: Tally
    open: set[_Guard] = field(default_factory=set)
    idle: OrderedDict[_Guard, None] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        self.busy_answer = raw_answer(
            503,
            "Service Unavailable",
            "The server is busy. Please try again in a moment.\n",
            self.headers,
            [(b"retry-after", b"1")],
        )
        self.timeout_answer = raw_answer(
            408, "Request Timeout", "The request took too long to arrive.\n", self.headers
        )

    def forget(self, connection: _Guard) -> None:
        self.open.discard(connection)
        self.idle.pop(connection, None)

    def evict_idle(self) -> bool:
        """Close the connection idle longest; False if every connection is busy."""
        if not self.idle:
            return False
        oldest, _ = self.idle.popitem(last=False)
        self.tally.count("evicted")
        oldest.close(answer=oldest.partial)
        return True


Parser = Literal["httptools", "h11"]
"""uvicorn's two HTTP/1.1 protocols: httptools (llhttp, in C) or h11 (pure Python)."""

if TYPE_CHECKING:
    _Protocol = H11Protocol  # what the guard adds to (either of uvicorn's protocols)
else:
    _Protocol = object


class _Guard(_Protocol):
    """What a uvicorn protocol gains here: time limits for a request's head and body, a
    bound on connections (the idle ones give way first), and the security headers on its
    own 400. It uses only what uvicorn's two protocols share (``cycle``, ``transport``,
    ``loop``, ``send_400_response``, ``on_response_complete``)."""

    gate: ClassVar[Gate]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial = False
        """Part of a request arrived, its head not complete yet."""
        self._phase = ""
        self._timer: asyncio.TimerHandle | None = None
        self._refused = False

    # ------------------------------------------------------------------ asyncio events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        gate = self.gate
        gate.open.add(self)
        if len(gate.open) > gate.limit and not gate.evict_idle():
            if len(gate.open) > gate.limit + gate.slack:
                gate.tally.count("dropped")
                self.close(answer=False)
                return
            # Every connection is busy: answer 503 once the request is in (a reply before
            # it would meet the request's bytes and reset the connection), or close soon.
            self._refused = True
            gate.tally.count("refused")
            self._set_timer(1.0, lambda: self.close(answer=False))
            return
        self._update()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            self.transport.write(self.gate.busy_answer)
            self.close(answer=False)
            return
        super().data_received(data)
        self._update()
        if self._phase == "head" and not self.transport.is_closing():
            self.partial = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._update()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self.gate.forget(self)
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        # uvicorn's own, with the security headers: nothing leaves this server without them.
        self.transport.write(raw_answer(400, "Bad Request", msg + "\n", self.gate.headers))
        self.close(answer=False)

    # ------------------------------------------------------------------ state and timers

    def _update(self) -> None:
        """After the parser's events: waiting for a request's head, for its body, or busy."""
        if self.transport.is_closing():
            self._cancel_timer()
            self.gate.forget(self)
            return
        cycle = self.cycle
        settings = self.gate.settings
        if cycle is not None and not cycle.response_complete:
            self.gate.idle.pop(self, None)
            if cycle.more_body:
                if self._phase != "body":
                    self._phase = "body"
                    self._set_timer(settings.body_timeout, self._body_timed_out)
            elif self._phase != "app":
                self._phase = "app"
                self._cancel_timer()
        elif self._phase != "head":
            self._phase = "head"
            self.partial = False
            self.gate.idle[self] = None  # newest idle last
            self._set_timer(settings.header_timeout, self._head_timed_out)

    def _set_timer(self, seconds: float, callback: Callable[[], None]) -> None:
        self._cancel_timer()
        self._timer = self.loop.call_later(seconds, callback)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_timed_out(self) -> None:
        self.gate.tally.count("head_timeout")
        self.close(answer=self.partial)

    def _body_timed_out(self) -> None:
        self.gate.tally.count("body_timeout")
        cycle = self.cycle
        started = cycle is not None and cycle.response_started
        if cycle is not None:
            cycle.keep_alive = False
        self.close(answer=not started)

    def close(self, *, answer: bool) -> None:
        """Close the connection, first answering 408 if ``answer``."""
        self._cancel_timer()
        self.gate.forget(self)
        if self.transport.is_closing():
            return
        if answer:
            self.transport.write(self.gate.timeout_answer)
        self.transport.close()


class GuardedProtocol(_Guard, H11Protocol):
    """uvicorn's h11 protocol, guarded."""


class GuardedHttpTools(_Guard, HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol, guarded."""


PROTOCOLS: dict[str, type[_Guard]] = {"h11": GuardedProtocol, "httptools": GuardedHttpTools}


# --------------------------------------------------------------------------- running


def serve(
    app: Any,
    *,
    host: str,
    port: int,
    settings: ServerSettings | None = None,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Serve the ASGI ``app`` at host:port until Ctrl+C (or SIGTERM).

    ``headers`` go on the answers the server makes itself (400, 408, 503): the app's
    security headers.
    """
    settings = settings or ServerSettings()
    before, soft = raise_open_files_limit()
    backlog = accept_backlog(soft)
    limit = connection_budget(settings.max_connections, soft, open_files(), backlog)
    tally = Tally(
        logging.getLogger("uvicorn.error"),
        limit=limit,
        header_timeout=f"{settings.header_timeout:g}",
        body_timeout=f"{settings.body_timeout:g}",
    )
    gate = Gate(settings, limit, backlog, tuple(headers), tally)
    protocol = type("PathwaysProtocol", (PROTOCOLS[settings.http],), {"gate": gate})
    config = uvicorn.Config(
        behind_proxy(app, settings.forwarded_allow_ips),
        host=host,
        port=port,
        http=protocol,
        log_level="info",
        access_log=False,  # addresses carry journeys: never logged
        server_header=False,
        timeout_keep_alive=settings.keep_alive,
        backlog=backlog,
        proxy_headers=False,  # behind_proxy: the same rule, with X-Forwarded-Prefix too
        root_path=settings.root_path,
    )
    server_log = logging.getLogger("uvicorn.error")
    server_log.addFilter(_Counted(tally))
    server_log.info(
        "Open files: at most %d%s; serving at most %d connections at once; a request's"
        " head must arrive within %g s, its body within %g s",
        soft,
        f" (raised from {before})" if soft != before else "",
        limit,
        settings.header_timeout,
        settings.body_timeout,
    )
    server = _Server(config)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        default = loop.get_exception_handler()

        def quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            # asyncio logs a traceback for each failed accept (EMFILE), many a second.
            if str(context.get("message", "")).startswith("socket.accept() out of system"):
                tally.count("accept_failed")
            elif default is not None:
                default(loop, context)
            else:
                loop.default_exception_handler(context)

        loop.set_exception_handler(quiet)
        await server.serve()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(run())


def behind_proxy(app: Any, forwarded_allow_ips: Sequence[str]) -> Any:
    """The app as served: the forwarded headers of the proxies in ``forwarded_allow_ips``
    count (uvicorn's own rule for X-Forwarded-For and -Proto, and the same rule for
    X-Forwarded-Prefix, checked against the proxy itself, before the client's address is
    replaced by the one it forwards). None trusted: the app as it is."""
    if not forwarded_allow_ips:
        return app
    trusted = list(forwarded_allow_ips)
    inner: Any = ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    return ForwardedPrefix(inner, inner.trusted_hosts.__contains__)


class _Server(uvicorn.Server):
    """uvicorn's server with a long listen queue (``LISTEN_QUEUE``) once it listens."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        for listening in getattr(self, "servers", []):
            for sock in listening.sockets:
                # A duplicate of the descriptor: listen() applies to the socket they share.
                with socket.fromfd(sock.fileno(), sock.family, sock.type) as same:
                    same.listen(LISTEN_QUEUE)
