"""Slow clients: connections that send nothing, or half a request head, against one
process started under `ulimit -n 1024`, while a reader asks for pages.

    .venv/bin/python benchmarks/slow_clients.py [--slow 1000] [--requests 200]

Two servers, one after the other, each on a loopback port:

- plain uvicorn: the app under `uvicorn.run` with the settings `pathways serve` had before
  server.py (h11, no access log), the open-files limit left as it was;
- `pathways serve`: the same app through server.py.

For each, the slow connections are opened first, then the reader asks for pages one after
the other, each on a new connection with a 5 s limit; between pages, slow connections
the server closed are opened again, so that ``--slow`` stay open. Reported: pages
answered, the median and slowest answer, and how much the server's log grew. A run stops
after 10 failed pages, 60 s, or 50 MB of log.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HOST, PYTHON, ROOT, free_port, get, median, save, table

from serving import wait_for_port

LOG_CAP = 50 * 1024 * 1024
"""A run stops once the server's log passes this (plain uvicorn's grew 1.6 GB in four
minutes of one trial): the figure is then a lower bound."""
PLAIN = (
    "import uvicorn, sys\n"
    "from pathways.web import create_app\n"
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='info',"
    " access_log=False, server_header=False)\n"
)


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def _slow(port: int, n: int) -> socket.socket | None:
    try:
        sock = socket.create_connection((HOST, port), timeout=5)
        if n % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
        return sock
    except OSError:
        return None


def _closed(sock: socket.socket | None) -> bool:
    if sock is None:
        return True
    try:  # (not select(): the client holds more than 1,024 descriptors)
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False  # nothing to read: still open
    except OSError:
        return True
    return True  # closed, or an answer (408) before closing


def run(name: str, command: list[str], port: int, slow: int, requests: int) -> dict[str, object]:
    log = Path(tempfile.mkdtemp(prefix="pathways-slow-")) / f"{name}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, preexec_fn=_limit_files
        )
    sockets: list[socket.socket | None] = []
    try:
        wait_for_port(port, server, 120)
        base = f"http://{HOST}:{port}"
        journey = get(f"{base}/begin", timeout=10)[1]["location"]
        pages = ["/", "/glossary", journey, f"{journey}/print"]
        log_before = log.stat().st_size
        started = time.monotonic()
        sockets = [_slow(port, n) for n in range(slow)]
        opened = time.monotonic() - started
        times: list[float] = []
        failures = 0
        deadline = time.monotonic() + 60
        for index in range(requests):
            if failures >= 10 or time.monotonic() > deadline or log.stat().st_size > LOG_CAP:
                break
            asked = time.perf_counter()
            try:
                status = get(f"{base}{pages[index % len(pages)]}", timeout=5)[0]
            except OSError:
                status = 0
            if status == 200:
                times.append(time.perf_counter() - asked)
            else:
                failures += 1
            for n, sock in enumerate(sockets):
                if _closed(sock):
                    if sock is not None:
                        sock.close()
                    sockets[n] = _slow(port, n)
        ordered = sorted(times)
        return {
            "server": name,
            "slow_connections": slow,
            "seconds_to_open_them": round(opened, 2),
            "pages_asked": len(times) + failures,
            "pages_answered": len(times),
            "median_ms": round(median(times) * 1000, 1) if times else None,
            "slowest_ms": round(ordered[-1] * 1000, 1) if times else None,
            "log_growth_bytes": log.stat().st_size - log_before,
            "log_capped": log.stat().st_size > LOG_CAP,
            "seconds": round(time.monotonic() - started, 1),
        }
    finally:
        for sock in sockets:
            if sock is not None:
                sock.close()
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()
            server.wait(30)
        log.unlink()  # plain uvicorn's can be hundreds of MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    results = []
    port = free_port()
    results.append(
        run("plain uvicorn", [PYTHON, "-c", PLAIN, str(port)], port, args.slow, args.requests)
    )
    port = free_port()
    command = [PYTHON, "-m", "pathways", "serve", "--host", HOST, "--port", str(port)]
    results.append(run("pathways serve", command, port, args.slow, args.requests))
    header = ["server", "pages answered", "median ms", "slowest ms", "log growth", "seconds"]
    rows = [
        [
            r["server"],
            f"{r['pages_answered']} of {r['pages_asked']}",
            r["median_ms"],
            r["slowest_ms"],
            f"{r['log_growth_bytes']:,} bytes{' or more' if r['log_capped'] else ''}",
            r["seconds"],
        ]
        for r in results
    ]
    print(table(header, rows))
    save("slow_clients", {"open_files_limit": 1024, "results": results, "argv": sys.argv[1:]})


if __name__ == "__main__":
    main()
