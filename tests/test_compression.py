"""Pages and JSON over 1 KB are sent gzipped to clients that accept it, each page
compressed once however often it is sent (compression.py)."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from pathways.middleware import compression
from pathways.middleware.compression import accepts_gzip

GZIP = {"accept-encoding": "gzip"}


def _journey(client: TestClient) -> str:
    location: str = client.get("/begin?philadelphia=negative").headers["location"]
    return location


@pytest.mark.parametrize("kind", ["start", "journey", "glossary", "json"])
def test_pages_and_json_are_gzipped_for_clients_that_accept_it(
    client: TestClient, kind: str
) -> None:
    """The gzipped body unpacks to exactly the page a client without gzip gets, and both
    answers say Vary: Accept-Encoding."""
    path = {
        "start": "/",
        "journey": _journey(client),
        "glossary": "/glossary",
        "json": "/api/pathway",
    }[kind]
    plain = client.get(path, headers={"accept-encoding": "identity"})
    packed = client.get(path, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert packed.content == plain.content  # httpx unpacks gzip
    assert int(packed.headers["content-length"]) < len(plain.content) / 2


def test_a_kept_page_is_compressed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sending the same page ten times compresses it once."""
    calls: list[int] = []
    real: Callable[..., bytes] = gzip.compress

    def counting(data: bytes, *args: object, **kwargs: object) -> bytes:
        calls.append(len(data))
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compression.gzip, "compress", counting)
    path = _journey(client) + "/map"
    bodies = {client.get(path, headers=GZIP).content for _ in range(10)}
    assert len(bodies) == 1
    assert len(calls) == 1


def test_small_answers_and_other_types_are_sent_as_they_are(client: TestClient) -> None:
    """A redirect (no body) and the icon (an image) are not compressed."""
    redirect = client.get("/begin", headers=GZIP)
    assert "content-encoding" not in redirect.headers
    icon = client.get("/favicon.ico", headers=GZIP, follow_redirects=True)
    assert icon.status_code == 200
    assert "gzip" not in icon.headers.get("content-encoding", "")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"gzip", True),
        (b"gzip, deflate, br", True),
        (b"br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        (b"GZIP", True),
        (b"x-gzip", True),
        (b"*", True),
        (b"identity", False),
        (b"gzip;q=0", False),
        (b"gzip;q=0, *", False),
        (b"*;q=0", False),
        (b"br", False),
        (b"", False),
        (b"gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(header: bytes, expected: bool) -> None:
    """gzip by name, else ``*``; a quality of 0 refuses it."""
    assert accepts_gzip(header) is expected
