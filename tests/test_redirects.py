"""Redirects never name a host: a trailing slash is corrected with a relative Location,
so neither a forged Host header nor a TLS proxy changes where the reader is sent
(redirects.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient

from pathways.journey import Journey
from pathways.middleware.redirects import other_slash
from pathways.schema import Pathway
from serving import HOST, serving

FORGED = {"host": "evil.example"}


@pytest.fixture(scope="module")
def token(pathway: Pathway) -> str:
    return Journey.begin(pathway, {"philadelphia": "positive"}).token


def _slashed(token: str) -> list[tuple[str, str]]:
    """(address with the slash wrong, the address it should lead to)."""
    return [
        (f"/j/{token}/", f"/j/{token}"),
        (f"/present/{token}/", f"/present/{token}"),
        (f"/j/{token}/map/", f"/j/{token}/map"),
        ("/glossary/", "/glossary"),
        ("/api/pathway/", "/api/pathway"),
        ("/embed/begin/", "/embed/begin"),
        ("/begin/?philadelphia=negative", "/begin?philadelphia=negative"),
    ]


def test_a_wrong_trailing_slash_redirects_to_a_relative_address(
    client: TestClient, token: str
) -> None:
    """Under a forged Host, the 307 names only the path (and query) to go to, and that
    address answers."""
    for asked, expected in _slashed(token):
        response = client.get(asked, headers=FORGED)
        assert response.status_code == 307, asked
        location = response.headers["location"]
        assert location == expected
        assert "evil" not in location
        assert client.get(location).status_code in (200, 303), location


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"/glossary/", b"/glossary"),
        (b"/glossary//", b"/glossary"),
        (b"/embed", b"/embed/"),
        (b"/", None),
        (b"//", None),
        (b"//evil.example/", None),
        (b"/\\evil.example/", None),
    ],
)
def test_the_other_slash(raw: bytes, expected: bytes | None) -> None:
    """The address with its trailing slash changed, never the root nor one that starts
    like another host's."""
    assert other_slash(raw) == expected


def test_behind_a_tls_proxy_a_redirect_keeps_https_and_the_host(
    tmp_path: Path, pathway: Pathway
) -> None:
    """A real server that trusts its proxy (127.0.0.1) and gets X-Forwarded-Proto: https
    and the public Host: the redirect, resolved as the browser does, stays on https and
    on the reader's host; a forged Host changes nothing either."""
    import http.client

    token = Journey.begin(pathway).token
    public = "https://pathways.example.org"
    with serving(tmp_path, ["--forwarded-allow-ips", "127.0.0.1"]) as server:
        for host in ("pathways.example.org", "evil.example"):
            connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
            try:
                connection.request(
                    "GET",
                    f"/j/{token}/",
                    headers={
                        "Host": host,
                        "X-Forwarded-Proto": "https",
                        "X-Forwarded-For": "203.0.113.9",
                    },
                )
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            assert response.status == 307
            location = response.getheader("location")
            assert location == f"/j/{token}"
            assert urljoin(f"{public}/j/{token}/", location) == f"{public}/j/{token}"
        # Addresses a browser would read as another host's are not redirected at all.
        for asked in ("//evil.example/", "//glossary/", "/\\evil.example/"):
            status, headers = _raw_get(server.port, asked)
            assert status == 404, asked
            assert "location" not in headers


def _raw_get(port: int, target: str) -> tuple[int, dict[str, str]]:
    """A GET of exactly this request target (a client library would rewrite ``//host``)."""
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", target, headers={"Host": "evil.example"})
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
