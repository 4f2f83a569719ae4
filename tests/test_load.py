"""Under load, across a restart and across two workers: every reader's journey carries on.

Short, bounded versions of the benchmarks in benchmarks/load.py (60 s at 100 connections):
real `pathways serve` processes on 127.0.0.1, readers walking journeys from the start
to an end point and again, each on its own kept-alive connection.
"""

from __future__ import annotations

from pathlib import Path

from serving import STEP_LINK, Server, free_port, get, load, serving

REQUESTS = 3_000
CONNECTIONS = 100
GUARD = 600
"""Seconds after which a run that has not finished is stopped: only a hang guard. The
tests count answers and check them; how fast they come is for benchmarks/."""


def test_a_loaded_server_answers_every_request(tmp_path: Path) -> None:
    """100 readers walking journeys for 3,000 requests: every request answered with its
    page or a redirect, none with an error, none cut short."""
    with serving(tmp_path) as server:
        result = load(server.port, connections=CONNECTIONS, seconds=GUARD, max_requests=REQUESTS)
    assert result.errors == []
    assert set(result.statuses) <= {200, 303}
    assert result.retries == 0
    assert result.requests >= REQUESTS  # all of them, not as many as time allowed
    assert result.journeys_finished >= CONNECTIONS // 2  # ~30 requests each, ~12 a journey


def test_journeys_carry_on_across_a_restart(tmp_path: Path) -> None:
    """The server is stopped and started again mid-run: readers' journeys continue on the
    new process from the addresses the old one gave them, and no request gets an error
    (a request that found no server to connect to is sent again, as a browser would)."""
    server = Server(free_port(), tmp_path / "server.log").start()
    try:
        result = load(
            server.port,
            connections=CONNECTIONS,
            seconds=GUARD,
            max_requests=2 * REQUESTS,
            restart=(REQUESTS, server),  # after 3,000 answers, then 3,000 more
        )
    finally:
        server.stop()
    assert result.errors == []
    assert set(result.statuses) <= {200, 303}
    assert result.requests >= 2 * REQUESTS
    assert result.steps_after_restart > 100  # of the ~3,000 answers after it, ~1 in 3 a step
    assert server.output().count("Serving '") == 2  # it really was two processes


def test_a_journey_walks_across_two_workers(tmp_path: Path) -> None:
    """Two server processes, no shared state: each step is taken on the other worker from
    the address the first gave, and both show the same page for the same address."""
    with serving(tmp_path, name="a") as first, serving(tmp_path, name="b") as second:
        workers = [first, second]
        status, headers, _ = get(f"{first.url}/begin?philadelphia=positive")
        assert status == 303
        address = headers["location"]
        visited = 0
        for turn in range(30):
            here, there = workers[turn % 2], workers[(turn + 1) % 2]
            status, _, page = get(f"{here.url}{address}")
            assert status == 200
            assert get(f"{there.url}{address}")[2] == page  # the same page on both
            visited += 1
            steps = STEP_LINK.findall(page.decode())
            if not steps:
                break
            status, headers, _ = get(f"{there.url}{steps[0]}")  # the step on the other
            assert status == 303
            address = headers["location"]
        assert visited >= 3
