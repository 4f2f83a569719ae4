"""Real servers for tests and benchmarks: start `pathways serve` on a free loopback port,
and readers who walk journeys against it, bounded in count and time.

Traffic goes to 127.0.0.1 only. Every loop here stops at a deadline as well as a count.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paths import ROOT

HOST = "127.0.0.1"
STEP_LINK = re.compile(r'href="(/j/[A-Za-z0-9_-]+/step/[a-z0-9_]+)"')
TOPICS = ("", "?philadelphia=positive", "?philadelphia=negative")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Wait until something accepts connections on the port (or fail at the deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


class Server:
    """One `pathways serve` process on 127.0.0.1, its output kept in a file."""

    def __init__(
        self,
        port: int,
        log: Path,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        *,
        open_files: int | None = None,
    ):
        self.port = port
        self.log = log
        self.args = list(args)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.open_files = open_files
        """If given, the process's open-files limit, soft and hard (as `ulimit -n`)."""
        self.process: subprocess.Popen[bytes] | None = None

    def _limit_files(self) -> None:
        """In the child, before it runs: `ulimit -n` (soft and hard)."""
        import resource

        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        command = [sys.executable, "-m", "pathways", "serve", "--host", HOST]
        command += ["--port", str(self.port), *self.args]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=ROOT,
                preexec_fn=self._limit_files if self.open_files else None,
            )
        wait_for_port(self.port, self.process, timeout)
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop as Ctrl+C would (uvicorn finishes the requests in progress), then wait."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss_kib(self) -> int:
        """Resident memory of the server process (Linux /proc), in KiB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


@contextlib.contextmanager
def serving(
    tmp: Path, args: Sequence[str] = (), name: str = "server", open_files: int | None = None
) -> Iterator[Server]:
    """A running server for the length of the block, stopped however the block ends."""
    server = Server(free_port(), tmp / f"{name}.log", args, open_files=open_files)
    try:
        yield server.start()
    finally:
        server.stop()


def get(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects: (status, headers, body)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.hostname == HOST, "tests talk to this machine only"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# --------------------------------------------------------------------------- readers


@dataclass
class LoadResult:
    """What a load run saw. An error is any answer but the expected one, a response cut
    short, or a request that still had no answer at the deadline."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    """Requests sent again because the server was not there to connect to (a restart):
    nothing had reached a server, as a load balancer or a reader would try again."""
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    journeys_finished: int = 0
    steps_after_restart: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _drop(streams: list[asyncio.StreamReader | asyncio.StreamWriter | None]) -> None:
    """Forget a connection, closing it first (an unclosed one warns, an error here)."""
    writer = streams[1]
    if isinstance(writer, asyncio.StreamWriter):
        with contextlib.suppress(Exception):
            writer.close()
    streams[:] = [None, None]


class _NotThere(Exception):
    """The server could not be reached before any byte of the request was sent."""


async def _request(
    streams: list[asyncio.StreamReader | asyncio.StreamWriter | None], port: int, path: str
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One GET on a kept-alive connection (opened if needed)."""
    reader, writer = streams
    if reader is None or writer is None:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError as exc:
            raise _NotThere(str(exc)) from None
        streams[:] = [reader, writer]
    assert isinstance(reader, asyncio.StreamReader) and isinstance(writer, asyncio.StreamWriter)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
    try:
        await writer.drain()
        status_line = await reader.readline()
    except OSError as exc:
        raise _NotThere(str(exc)) from None
    if not status_line:
        _drop(streams)
        raise _NotThere("connection closed before an answer")  # idle keep-alive closed
    status = int(status_line.split()[1])
    headers: dict[bytes, bytes] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    if headers.get(b"connection", b"").lower() == b"close":
        _drop(streams)
    return status, headers, body


async def _reader(
    port: int,
    result: LoadResult,
    deadline: float,
    max_requests: int,
    seed: int,
    restarted: asyncio.Event | None,
    fixed_path: str | None,
) -> None:
    """One reader on one connection: walks journeys (start, steps to an end, again), or
    asks for one address over and over."""
    rng = random.Random(seed)
    streams: list[asyncio.StreamReader | asyncio.StreamWriter | None] = [None, None]
    path = fixed_path or f"/begin{rng.choice(TOPICS)}"
    while time.monotonic() < deadline and result.requests < max_requests:
        started = time.perf_counter()
        try:
            status, headers, body = await asyncio.wait_for(
                _request(streams, port, path), timeout=max(0.1, deadline - time.monotonic())
            )
        except _NotThere:
            _drop(streams)
            result.retries += 1
            await asyncio.sleep(0.05)
            continue
        except TimeoutError:
            if time.monotonic() >= deadline:
                break
            result.errors.append(f"GET {path}: no answer in time")
            _drop(streams)
            continue
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as exc:
            result.errors.append(f"GET {path}: {type(exc).__name__}: {exc}")
            _drop(streams)
            continue
        result.latencies.append(time.perf_counter() - started)
        result.requests += 1
        result.statuses[status] += 1
        if fixed_path is not None:
            if status != 200:
                result.errors.append(f"GET {path}: {status}")
            continue
        if status == 303:
            if "/step/" in path and restarted is not None and restarted.is_set():
                result.steps_after_restart += 1
            path = headers[b"location"].decode("ascii")
        elif status == 200:
            steps = STEP_LINK.findall(body.decode("utf-8", "replace"))
            if steps:
                path = rng.choice(steps)
            else:
                result.journeys_finished += 1
                path = f"/begin{rng.choice(TOPICS)}"
        else:
            result.errors.append(f"GET {path}: {status}")
            path = f"/begin{rng.choice(TOPICS)}"
    _, writer = streams
    if isinstance(writer, asyncio.StreamWriter):
        writer.close()


async def _run(
    port: int,
    connections: int,
    seconds: float,
    max_requests: int,
    seed: int,
    restart: tuple[float, Server] | None,
    fixed_path: str | None,
) -> LoadResult:
    result = LoadResult()
    start = time.monotonic()
    deadline = start + seconds
    restarted = asyncio.Event() if restart else None
    readers = [
        asyncio.create_task(
            _reader(port, result, deadline, max_requests, seed + n, restarted, fixed_path)
        )
        for n in range(connections)
    ]
    if restart is not None and restarted is not None:
        after, server = restart
        if isinstance(after, int):  # after that many answers, however long they take
            while result.requests < after and not all(r.done() for r in readers):
                await asyncio.sleep(0.01)
        else:
            await asyncio.sleep(after)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, server.stop)
        await loop.run_in_executor(None, server.start)
        restarted.set()
    await asyncio.gather(*readers)
    result.seconds = time.monotonic() - start
    return result


def load(
    port: int,
    *,
    connections: int,
    seconds: float,
    max_requests: int = 10_000_000,
    seed: int = 1,
    restart: tuple[float, Server] | None = None,
    fixed_path: str | None = None,
) -> LoadResult:
    """Readers walking journeys on ``connections`` kept-alive connections until ``seconds``
    pass or ``max_requests`` are answered. ``restart=(after, server)`` stops the server
    after that many seconds and starts it again on the same port."""
    return asyncio.run(_run(port, connections, seconds, max_requests, seed, restart, fixed_path))
