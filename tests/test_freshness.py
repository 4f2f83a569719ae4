"""Each kind of answer says how long it may be kept, pages carry an ETag made from their
address and the content version and are answered 304 when unchanged, and journey pages
are kept out of search engines (freshness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pathways.middleware.freshness import content_version, etag_matches
from pathways.schema import Pathway
from pathways.web import create_app


def _journey(client: TestClient) -> str:
    location: str = client.get("/begin?philadelphia=positive").headers["location"]
    return location


def test_each_kind_of_answer_has_its_cache_policy(client: TestClient) -> None:
    """Journey pages private, other pages public, both revalidated (no-cache) with an
    ETag; static files at a versioned address for a year; JSON no-cache; redirects and
    errors no-store."""
    journey = _journey(client)
    expected = {
        journey: "private, no-cache",
        f"{journey}/map": "private, no-cache",
        f"{journey}/print": "private, no-cache",
        "/": "public, no-cache",
        "/glossary": "public, no-cache",
        "/api/pathway": "no-cache",
        "/begin": "no-store",
        "/no-such-page": "no-store",
        f"{journey}/step/no_such_step": "no-store",
    }
    for path, policy in expected.items():
        response = client.get(path)
        assert response.headers["cache-control"] == policy, path
        assert ("etag" in response.headers) == ("no-cache" in policy and "/api/" not in path)
    css = client.get("/").text.split('href="/static/site.css?v=')[1].split('"')[0]
    static = client.get(f"/static/site.css?v={css}")
    assert static.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_an_unchanged_page_is_answered_304(client: TestClient) -> None:
    """Asked again with its ETag (as a browser revalidates), a page, a kept one or not,
    gets 304 with no body and the same ETag and policy; a static file too."""
    for path in ("/", _journey(client), "/glossary", "/static/site.css"):
        first = client.get(path)
        again = client.get(path, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == first.headers["cache-control"]
        stale = client.get(path, headers={"if-none-match": 'W/"0000-0000"'})
        assert stale.status_code == 200


def test_a_journey_page_says_noindex(client: TestClient) -> None:
    """Journey pages (and the embed) carry X-Robots-Tag: noindex; the start page does not."""
    journey = _journey(client)
    for path in (journey, f"{journey}/map", f"{journey}/print", "/embed/"):
        assert client.get(path).headers["x-robots-tag"] == "noindex", path
    assert "x-robots-tag" not in client.get("/").headers
    assert client.get(journey, headers={"if-none-match": "*"}).headers["x-robots-tag"]


def test_the_etag_changes_with_the_content(pathway: Pathway, tmp_path: Path) -> None:
    """Another pathway version or another template makes other ETags for the same
    address: a browser never keeps a page from older content."""
    changed = pathway.model_copy(
        update={"metadata": pathway.metadata.model_copy(update={"title": "Another title"})}
    )
    versions = {
        content_version(pathway, {"a.html": "x"}, ["1"]),
        content_version(changed, {"a.html": "x"}, ["1"]),
        content_version(pathway, {"a.html": "y"}, ["1"]),
        content_version(pathway, {"a.html": "x"}, ["2"]),
    }
    assert len(versions) == 4
    one = TestClient(create_app(pathway=pathway)).get("/").headers["etag"]
    two = TestClient(create_app(pathway=changed)).get("/").headers["etag"]
    assert one != two


@pytest.mark.parametrize(
    ("asked", "tag", "expected"),
    [
        (b'W/"a-1"', b'W/"a-1"', True),
        (b'"a-1"', b'W/"a-1"', True),
        (b'"x", W/"a-1"', b'W/"a-1"', True),
        (b"*", b'W/"a-1"', True),
        (b'W/"a-2"', b'W/"a-1"', False),
        (b"", b'W/"a-1"', False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(asked: bytes, tag: bytes, expected: bool) -> None:
    """RFC 9110 13.1.2: W/ set aside; a list; ``*``."""
    assert etag_matches(asked, tag) is expected
