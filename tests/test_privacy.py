"""What a reader's visit leaves behind: no cookie, no journey in any log, and no request to
another machine while a page is made."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pathways.journey import Journey
from pathways.schema import Pathway
from pathways.templating import FORMATS, Renderer
from pathways.web import create_app
from serving import STEP_LINK, get, serving


def _walk(base: str, fetch: Any, start: str = "/begin?philadelphia=positive") -> list[str]:
    """Walk one journey to an end point through ``fetch``; the addresses visited."""
    status, headers, _ = fetch(base + start)
    assert status == 303
    visited = [headers["location"]]
    for _ in range(30):
        status, headers, body = fetch(base + visited[-1])
        assert status in (200, 303)
        if status == 303:
            visited.append(headers["location"])
            continue
        steps = STEP_LINK.findall(body.decode())
        if not steps:
            break
        visited.append(steps[0])
    return visited


# --------------------------------------------------------------------------- a real server


def test_a_real_server_logs_no_journey_and_sets_no_cookie(tmp_path: Path) -> None:
    """Walking journeys on `pathways serve`, with errors on the way: no response sets a
    cookie, and nothing the server writes names a token or a journey's address."""
    with serving(tmp_path) as server:
        seen_headers: list[dict[str, str]] = []

        def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
            status, headers, body = get(url)
            seen_headers.append(headers)
            return status, headers, body

        visited = _walk(server.url, fetch)
        visited += _walk(server.url, fetch, "/begin?mode=present")
        token = visited[-1].split("/")[2]
        for tail in ("/map", "/print", "/step/no_such_step", "/jump/nowhere"):
            fetch(f"{server.url}/j/{token}{tail}")
        fetch(f"{server.url}/j/{token}x")  # a damaged token
        fetch(f"{server.url}/api/journeys/{token}")
        fetch(f"{server.url}/embed/{token}")
        fetch(f"{server.url}/no/such/page")
    assert len(seen_headers) > 10
    assert not [h for h in seen_headers if "set-cookie" in h]
    logged = server.output()
    assert "Serving '" in logged  # the log was captured
    tokens = {part for address in visited for part in address.split("/") if len(part) >= 8}
    assert tokens
    assert not [t for t in tokens if t in logged]
    assert "/j/" not in logged and "/present/" not in logged
    assert "GET " not in logged  # no access log at all


def test_a_bugs_log_names_no_journey(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When a page fails, the error log says where in the app, not which journey."""
    app = create_app(pathway=pathway)
    monkeypatch.setattr(app.state.pages, "state_page", _broken)
    token = Journey.begin(pathway).step("goes_into_remission").token
    with (
        caplog.at_level(logging.ERROR),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        assert client.get(f"/j/{token}").status_code == 500
    assert caplog.records, "the bug was logged"
    for record in caplog.records:
        text = record.getMessage() + (str(record.exc_info[1]) if record.exc_info else "")
        assert token not in text
    assert "/j/…" in caplog.text


def _broken(*args: object) -> str:
    raise RuntimeError("a bug")


# --------------------------------------------------------------------------- no other host


class _Refused(AssertionError):
    """A connection to another machine was attempted."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any connection or name lookup for another host fails the test (loopback is allowed)."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def local(host: object) -> bool:
        return str(host) in ("127.0.0.1", "::1", "localhost", "testserver") or str(host).startswith(
            "/"
        )

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if not local(host):
            attempts.append(f"connect {address}")
            raise _Refused(f"tried to connect to {address}")
        return real_connect(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> Any:
        attempts.append(f"lookup {host}")
        raise _Refused(f"tried to look up {host}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connect(socket.socket(), a[0]))
    yield attempts
    assert attempts == []


def test_rendering_every_page_contacts_no_other_machine(
    pathway: Pathway, no_network: list[str], tmp_path: Path
) -> None:
    """Every state in every format, every web page (maps included) and the JSON API are
    made with no connection and no name lookup for any other host."""
    renderer = Renderer()
    for state in pathway.state_ids:
        journey = Journey.begin(pathway, at=state)
        for fmt in FORMATS:
            assert renderer.render(journey, fmt, width=80)
    app = create_app(pathway=pathway)
    with TestClient(app, follow_redirects=False) as client:
        for state in pathway.state_ids:
            token = Journey.begin(pathway).jump(state).token
            for url in (
                f"/j/{token}",
                f"/present/{token}",
                f"/j/{token}/map",
                f"/j/{token}/print",
                f"/api/journeys/{token}",
                f"/embed/{token}",
            ):
                assert client.get(url).status_code == 200, url
        assert client.get("/").status_code == 200
        assert client.get("/api/pathway").status_code == 200
    assert no_network == []
