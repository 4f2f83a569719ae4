"""The server keeps answering whatever slow, idle or malformed clients do (server.py).

Real `pathways serve` processes on 127.0.0.1. Nothing here sleeps before an assert: each
test waits, with a deadline, for what it expects (a closed connection, an answer).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pathways import server as guarded
from serving import HOST, get, serving

SLOW_CLIENTS = 1000
PARSERS = ["httptools", "h11"]
"""uvicorn's parsers `pathways serve --http` offers: each keeps the same limits."""
LOG_BOUND = 100 * 1024


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection((HOST, port), timeout=5)
    sock.setblocking(True)
    return sock


def _read_all(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection (or the deadline)."""
    sock.settimeout(timeout)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _headers(answer: bytes) -> tuple[int, dict[str, str]]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = dict(line.split(":", 1) for line in head[1:])
    return int(head[0].split()[1]), {k.strip().lower(): v.strip() for k, v in fields.items()}


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed (or answered and closed) this idle connection."""
    try:  # (not select(): this process may hold more than 1,024 descriptors)
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False  # nothing to read: still open
    except OSError:
        return True
    return True  # closed, or an answer (408) before closing


@contextlib.contextmanager
def _sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    try:
        yield opened
    finally:
        for sock in opened:
            sock.close()


def _slow_client(port: int, n: int) -> socket.socket:
    """Every other one sends half a request head and stops; the rest send nothing."""
    sock = _connect(port)
    if n % 2:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
    return sock


def test_a_reader_gets_every_page_while_a_thousand_slow_clients_hold_connections(
    tmp_path: Path,
) -> None:
    """1,000 connections that send nothing or half a request head, against one process
    whose open-files limit is 1024: every page a reader asks for comes within 2 s (idle
    connections give way), and the log stays small (a line a second at most, no
    "Too many open files" tracebacks)."""
    with (
        serving(tmp_path, open_files=1024) as server,
        _sockets() as slow,
    ):
        status, headers, _ = get(f"{server.url}/begin", timeout=10)
        assert status == 303
        journey = headers["location"]
        pages = ["/", "/glossary", journey, f"{journey}/map", f"{journey}/print", "/api/pathway"]
        for n in range(SLOW_CLIENTS):
            slow.append(_slow_client(server.port, n))
        answered = 0
        for _ in range(5):  # rounds: read pages, then make the slow clients whole again
            for path in pages:
                started = time.monotonic()
                status, _, body = get(f"{server.url}{path}", timeout=2)
                assert status == 200, path
                assert body
                assert time.monotonic() - started < 2, path
                answered += 1
            for n, sock in enumerate(slow):
                if _closed_by_server(sock):
                    sock.close()
                    slow[n] = _slow_client(server.port, n)
        assert answered == 5 * len(pages)
        log = server.output()
    assert len(log.encode()) < LOG_BOUND
    assert "Too many open files" not in log
    assert "Traceback" not in log
    # Said in the log, in a line a second: slow connections closed to make room for new
    # ones or, on a machine slow enough for the run to pass 10 s, at their time limit.
    assert "closed to make room" in log or "sent no complete request head" in log


@pytest.mark.parametrize("http", PARSERS)
def test_a_connection_that_sends_half_a_request_is_closed_with_408(
    tmp_path: Path, http: str
) -> None:
    """A request head that does not arrive in time gets 408 (with the security headers)
    and the connection is closed; a connection that sends nothing is closed silently."""
    with (
        serving(tmp_path, ["--header-timeout", "0.5", "--http", http]) as server,
        _sockets() as opened,
    ):
        half = _connect(server.port)
        silent = _connect(server.port)
        opened += [half, silent]
        half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answer = _read_all(half, timeout=10)
        status, headers = _headers(answer)
        assert status == 408
        assert headers["connection"] == "close"
        assert "content-security-policy" in headers
        assert _read_all(silent, timeout=10) == b""
        assert get(f"{server.url}/")[0] == 200  # and the server goes on
    assert "closed that sent no complete request head within 0.5 s" in server.output()


@pytest.mark.parametrize("http", PARSERS)
def test_a_body_that_does_not_arrive_in_time_is_cut_off(tmp_path: Path, http: str) -> None:
    """A request whose body stops halfway is answered 408 and closed after the body time
    limit (three times the header limit), and the app logs no traceback for it."""
    with (
        serving(tmp_path, ["--header-timeout", "0.3", "--http", http]) as server,
        _sockets() as opened,
    ):
        sock = _connect(server.port)
        opened.append(sock)
        sock.sendall(
            b"POST /api/journeys HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"con'
        )
        answer = _read_all(sock, timeout=10)
        assert _headers(answer)[0] == 408
        assert get(f"{server.url}/")[0] == 200
    log = server.output()
    assert "whose body did not arrive within 0.9 s" in log
    assert "Traceback" not in log


@pytest.mark.parametrize("http", PARSERS)
def test_past_the_connection_limit_a_busy_server_answers_503(tmp_path: Path, http: str) -> None:
    """With every allowed connection busy (here: sending a body slowly), a new reader
    gets a short 503 with Retry-After and the security headers, not a hang."""
    with (
        serving(
            tmp_path, ["--max-connections", "3", "--header-timeout", "20", "--http", http]
        ) as server,
        _sockets() as opened,
    ):
        for _ in range(3):
            busy = _connect(server.port)
            opened.append(busy)
            busy.sendall(
                b"POST /api/journeys HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            )
            # The app asks for the body: the request is in progress (busy, not idle).
            busy.settimeout(10)
            assert busy.recv(1024).startswith(b"HTTP/1.1 100 ")
        late = _connect(server.port)
        opened.append(late)
        late.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, headers = _headers(_read_all(late, timeout=10))
        assert status == 503
        assert headers["retry-after"] == "1"
        assert "content-security-policy" in headers
    assert "refused with 503: all 3 connections busy" in server.output()


@pytest.mark.parametrize("http", PARSERS)
def test_a_malformed_request_gets_400_with_the_security_headers(tmp_path: Path, http: str) -> None:
    """uvicorn's own answer to a request it cannot parse carries the security headers,
    and a hundred of them make one log line, not a hundred."""
    with serving(tmp_path, ["--http", http]) as server:
        for _ in range(100):
            with socket.create_connection((HOST, server.port), timeout=5) as sock:
                sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                status, headers = _headers(_read_all(sock, timeout=10))
                assert status == 400
                assert headers["x-content-type-options"] == "nosniff"
                assert "content-security-policy" in headers
        log = server.output()
    assert log.count("malformed request") < 10


@pytest.mark.parametrize(
    ("soft", "in_use", "requested", "expected"),
    [
        (1024, 20, 1000, 1024 - 20 - 3 * 64 - guarded.RESERVED_FILES),
        (65536, 20, 1000, 1000),
        (64, 20, 1000, 1),
    ],
)
def test_the_connection_budget_leaves_room_for_accepts(
    soft: int, in_use: int, requested: int, expected: int
) -> None:
    """Connections allowed: what was asked, but never so many that accepting one more
    could run out of open files."""
    backlog = guarded.accept_backlog(soft)
    assert guarded.connection_budget(requested, soft, in_use, backlog) == expected


def test_the_tally_logs_a_line_a_second_at_most(caplog: pytest.LogCaptureFixture) -> None:
    """A thousand events in a moment make one line at once and none until the second is
    over (outside a running loop nothing is scheduled: the next count reports)."""
    import logging

    tally = guarded.Tally(logging.getLogger("test.tally"), limit=10, header_timeout="10")
    with caplog.at_level(logging.WARNING, logger="test.tally"):
        for _ in range(1000):
            tally.count("evicted")
    assert len(caplog.records) == 1
    assert "1 idle connection closed to make room (limit 10 connections)" in caplog.text
    assert tally.counts == {"evicted": 999}
