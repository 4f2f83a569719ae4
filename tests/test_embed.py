"""The embeddable page, request by request: framing rules, the walk inside the frame, the
statement and support line on every view, links that leave, and --embed-origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from htmltree import Node, parse
from paths import ROOT
from pathways.errors import ContentError
from pathways.journey import Journey
from pathways.middleware.headers import CONTENT_SECURITY_POLICY
from pathways.schema import Pathway
from pathways.web import create_app

PORTAL = "https://portal.example.org"
CLINIC = "http://localhost:8001"


@pytest.fixture(scope="module")
def client(pathway: Pathway) -> Iterator[TestClient]:
    app = create_app(pathway=pathway, embed_origins=[PORTAL, CLINIC + "/"])
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def closed(pathway: Pathway) -> Iterator[TestClient]:
    """The app as `pathways serve` makes it by default: no site may frame it."""
    with TestClient(create_app(pathway=pathway), follow_redirects=False) as c:
        yield c


def directives(policy: str) -> dict[str, str]:
    return dict(d.split(" ", 1) for d in policy.split("; "))


def embed_pages(pathway: Pathway) -> list[str]:
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    return [
        "/embed/",
        f"/embed/{Journey.begin(pathway).token}",
        f"/embed/{relapse.token}",
        f"/embed/{relapse.token}/notes",
        f"/embed/{relapse.step('choose_palliative_care').token}",
        f"/embed/{relapse.token}/step/nope",
        "/embed/not-a-token",
        "/embed/begin?at=nowhere",
        "/embed/begin?philadelphia=maybe",
        "/embed/no/such/page",
    ]


def follow(client: TestClient, url: str) -> Journey:
    """Request ``url``, expect 303 to an embed page, and return its journey."""
    response = client.get(url)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert location.startswith("/embed/")
    pathway = client.app.state.pages.pathway  # type: ignore[attr-defined]
    return Journey.from_token(pathway, location.removeprefix("/embed/"))


# --------------------------------------------------------------------------- framing


def test_embed_pages_may_be_framed_by_the_configured_origins_only(
    client: TestClient, pathway: Pathway
) -> None:
    """Every embed answer, errors included, names exactly the configured origins."""
    for url in embed_pages(pathway):
        response = client.get(url)
        policy = directives(response.headers["content-security-policy"])
        assert policy["frame-ancestors"] == f"{PORTAL} {CLINIC}", url
        assert "x-frame-options" not in response.headers, url
        expected = directives(CONTENT_SECURITY_POLICY)
        assert {k: v for k, v in policy.items() if k != "frame-ancestors"} == {
            k: v for k, v in expected.items() if k != "frame-ancestors"
        }


def test_other_pages_are_never_framed(client: TestClient, pathway: Pathway) -> None:
    """The site's own pages and the API keep frame-ancestors 'none' whatever is configured."""
    token = Journey.begin(pathway).token
    for url in (
        "/",
        f"/j/{token}",
        f"/present/{token}",
        f"/j/{token}/map",
        "/api/docs",
        "/api/pathway",
        "/static/site.css",
        "/embedded",
        "/no/such/page",
    ):
        response = client.get(url)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
        assert response.headers["x-frame-options"] == "DENY", url


def test_without_origins_no_site_may_frame_the_embed(closed: TestClient, pathway: Pathway) -> None:
    """By default the embed says frame-ancestors 'none' (and X-Frame-Options DENY)."""
    for url in embed_pages(pathway):
        response = closed.get(url)
        assert directives(response.headers["content-security-policy"])["frame-ancestors"] == (
            "'none'"
        )
        assert response.headers["x-frame-options"] == "DENY"


def test_the_page_names_the_origins_its_script_may_tell(client: TestClient) -> None:
    """The origins the script posts to come from the page, never '*'; no inline script."""
    page = parse(client.get("/embed/").text)
    meta = page.find("meta", name="pathways-embed-origins")
    assert (meta.attrs["content"] or "").split() == [PORTAL, CLINIC]
    scripts = page.find_all("script")
    assert all(not s.text for s in scripts)
    # embed.js posts to the host; notes.js (the reader's notes) posts nothing.
    sources = sorted(s.attrs.get("src") or "" for s in scripts)
    assert [s.split("?v=")[0] for s in sources] == ["/static/embed.js", "/static/notes.js"]
    source = sources[0]
    script = client.get(source).text
    assert "postMessage(message, origin)" in script
    assert '"*"' not in script.split("*/", 1)[1]  # the comment says it never does


# --------------------------------------------------------------------------- the walk


def test_a_walk_stays_inside_the_embed(client: TestClient, pathway: Pathway) -> None:
    """Begin with a topic, step, go back: every address is an /embed/ address."""
    journey = follow(client, "/embed/begin?philadelphia=positive")
    assert journey == Journey.begin(pathway, {"philadelphia": "positive"})
    page = parse(client.get(f"/embed/{journey.token}").text)
    choices = [a for a in page.find_all("a") if a.has_class("choice-link")]
    assert len(choices) == len(journey.next_steps())
    moved = follow(client, choices[0].attrs["href"] or "")
    assert moved == journey.step(journey.next_steps()[0].trigger)
    page = parse(client.get(f"/embed/{moved.token}").text)
    back = page.find("a", class_="back-link")
    assert back.attrs["href"] == f"/embed/{journey.token}"
    topic = page.find("form", action=f"/embed/{moved.token}/topic")
    assert topic.find("input", value="negative")
    assert follow(client, f"/embed/{moved.token}/topic?philadelphia=negative") == (
        moved.with_context(philadelphia="negative")
    )


def test_begin_can_start_at_a_state(client: TestClient, pathway: Pathway) -> None:
    """/embed/begin?at=STATE begins there (for a host that links to one part)."""
    assert follow(client, "/embed/begin?at=relapse") == Journey.begin(pathway, at="relapse")
    assert client.get("/embed").headers["location"] == "/embed/"


def test_the_state_is_on_the_page_for_the_script(client: TestClient, pathway: Pathway) -> None:
    """A state page carries its state id, token and title for embed.js to post."""
    journey = Journey.begin(pathway).step("goes_into_remission")
    body = parse(client.get(f"/embed/{journey.token}").text).find("body")
    assert body.attrs["data-pathways-state"] == "remission"
    assert body.attrs["data-pathways-token"] == journey.token
    assert body.attrs["data-pathways-title"] == pathway.state("remission").title


def test_links_that_leave_the_walk_open_a_new_tab(client: TestClient, pathway: Pathway) -> None:
    """Every link on an embed page stays in /embed/, is on the page, or opens a new tab."""
    for url in embed_pages(pathway):
        page = parse(client.get(url).text)
        for link in page.find_all("a"):
            href = link.attrs.get("href") or ""
            if href.startswith(("/embed/", "#", "tel:")):
                assert link.attrs.get("target") is None, (url, href)
            else:
                assert link.attrs.get("target") == "_blank", (url, href)
                assert "noopener" in (link.attrs.get("rel") or ""), (url, href)
                assert "new tab" in link.text, (url, href)


def test_errors_keep_the_reader_in_the_embed(client: TestClient, pathway: Pathway) -> None:
    """A bad token, step or place gets the embed's own error page, with ways back in it."""
    relapse = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    cases = {
        "/embed/not-a-token": 400,
        f"/embed/{relapse.token}/step/nope": 404,
        "/embed/begin?at=nowhere": 404,
        "/embed/begin?philadelphia=maybe": 400,
        "/embed/no/such/page": 404,
    }
    for url, status in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        page = parse(response.text)
        assert not page.by_class("site-header"), url
        hrefs = [a.attrs.get("href") or "" for a in page.find_all("a")]
        assert "/embed/" in hrefs, url
    page = parse(client.get(f"/embed/{relapse.token}/step/nope").text)
    ways = [a.attrs.get("href") for a in page.by_class("ways-back")[0].find_all("a")]
    assert ways == [f"/embed/{relapse.token}", "/embed/"]


# --------------------------------------------------------------------------- every view


def visible(page: Node) -> str:
    return page.find("body").text


def test_every_view_shows_the_statement_and_the_support_line(
    client: TestClient, pathway: Pathway
) -> None:
    """Start, every state, the end points and the errors: statement at the top, support
    line at the bottom, and no site header or footer."""
    start = Journey.begin(pathway)
    urls = [*embed_pages(pathway), *(f"/embed/{start.jump(s.id).token}" for s in pathway.states)]
    for url in urls:
        page = parse(client.get(url).text)
        header = page.find("header", class_="embed-header")
        footer = page.find("footer", class_="embed-footer")
        assert " ".join(pathway.metadata.intended_purpose.split()) in header.text, url
        assert pathway.support_line.phone in footer.text, url
        assert pathway.support_line.name in footer.text, url
        assert not page.by_class("site-header") and not page.by_class("site-footer"), url
        assert page.find("html").attrs["lang"] == "en-GB"
        assert page.find("main", id="main")


def test_a_users_embed_template_without_the_support_line_stops_the_start(
    tmp_path: Path, pathway: Pathway
) -> None:
    """A templates folder whose embed frame drops the support line is refused at start-up."""
    base = (ROOT / "templates" / "web" / "_embed_base.html").read_text(encoding="utf-8")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "_embed_base.html").write_text(
        base.replace('{% include "web/_support.html" %}', ""), encoding="utf-8"
    )
    with pytest.raises(ContentError, match="support line"):
        create_app(pathway=pathway, templates_dir=tmp_path)


def test_no_cookies(client: TestClient, pathway: Pathway) -> None:
    """No embed answer sets a cookie."""
    for url in embed_pages(pathway):
        assert "set-cookie" not in client.get(url).headers


# --------------------------------------------------------------------------- origins


@pytest.mark.parametrize(
    ("given_origin", "origin"),
    [
        ("https://portal.example.org", "https://portal.example.org"),
        ("HTTPS://Portal.Example.org/", "https://portal.example.org"),
        ("https://portal.example.org:443", "https://portal.example.org"),
        ("http://localhost:8001", "http://localhost:8001"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://[::1]:8001", "http://[::1]:8001"),
    ],
)
def test_origins_are_written_as_browsers_compare_them(given_origin: str, origin: str) -> None:
    """An origin is kept as scheme://host[:port], lower case, default ports left out."""
    from pathways.embed import check_origin

    assert check_origin(given_origin) == origin


@pytest.mark.parametrize(
    "bad",
    [
        "*",
        "'self'",
        "portal.example.org",
        "https://*.example.org",
        "https://portal.example.org/page",
        "https://portal.example.org; script-src *",
        "https://portal.example.org https://other.example",
        "ftp://portal.example.org",
        "https://portal.example.org:99999",
        "https://portal.example.org?x",
        "",
    ],
)
def test_anything_else_is_refused(bad: str) -> None:
    """Wildcards, keywords, paths, other schemes and anything that could break the header."""
    from pathways.embed import check_origin

    with pytest.raises(ValueError, match=r"origin|port"):
        check_origin(bad)


@given(st.text(max_size=60))
def test_an_accepted_origin_is_safe_in_a_header(text: str) -> None:
    """Whatever is given, an accepted origin has no space, quote, semicolon or control."""
    from pathways.embed import check_origin

    try:
        origin = check_origin(text)
    except ValueError:
        return
    assert origin.startswith(("http://", "https://"))
    assert not any(c in origin for c in " ;,'\"*\r\n\t") and origin.isascii()


def test_serve_passes_embed_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pathways serve --embed-origin` (repeatable) sets the origins the embed allows."""
    from pathways import server
    from pathways.cli import main

    calls: list[object] = []
    monkeypatch.setattr("gc.freeze", lambda: None)
    monkeypatch.setattr(server, "serve", lambda app, **kwargs: calls.append(app))
    result = CliRunner().invoke(
        main, ["serve", "--embed-origin", PORTAL, "--embed-origin", "HTTP://LOCALHOST:8001/"]
    )
    assert result.exit_code == 0, result.output
    with TestClient(calls[0]) as c:  # type: ignore[arg-type]
        policy = directives(c.get("/embed/").headers["content-security-policy"])
    assert policy["frame-ancestors"] == f"{PORTAL} http://localhost:8001"


def test_serve_refuses_a_bad_origin_as_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A path or wildcard given to --embed-origin is a usage error (exit 2), no server."""
    from pathways import server
    from pathways.cli import main

    monkeypatch.setattr(server, "serve", lambda *a, **k: pytest.fail("server started"))
    result = CliRunner().invoke(main, ["serve", "--embed-origin", "https://*.example.org"])
    assert result.exit_code == 2
    assert "is not an origin" in result.output


def test_embed_start_page_has_the_scope_and_the_ways_in(
    client: TestClient, pathway: Pathway
) -> None:
    """The embed's first page says whom the guide is about and offers each chapter as a
    link that opens the embed at its state with no path before it."""
    assert pathway.metadata.scope is not None
    page = client.get("/embed/").text
    assert " ".join(pathway.metadata.scope.text.split()) in " ".join(page.split()).replace(
        "&#39;", "'"
    )
    for chapter in pathway.chapters:
        journey = Journey.begin(pathway, at=chapter.start)
        assert f'href="/embed/{journey.token}"' in page
        assert chapter.title in page
