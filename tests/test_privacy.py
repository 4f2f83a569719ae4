"""What a reader's visit leaves behind: no cookie, no journey in any log, and no request to
another machine while a page is made."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import tinycss2
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
    monkeypatch.setattr(app.state.pages, "state_body", _broken)
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


# --------------------------------------------------------------------------- styles and assets


class _Styles(HTMLParser):
    """The style sheets, style="" attributes and asset addresses of a page."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sheets: list[str] = []
        self.inline: list[str] = []
        self.assets: list[str] = []
        self._in_style = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._in_style = tag == "style"
        if self._in_style:
            self.sheets.append("")
        if found.get("style"):
            self.inline.append(found["style"] or "")
        for name in ("src", "href", "srcset", "poster", "data", "xlink:href"):
            if found.get(name) and tag != "a":  # links are followed, never loaded
                self.assets.append(found[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.sheets[-1] += data


def css_references(css: str, *, declarations: bool = False) -> list[str]:
    """Every address a piece of CSS may load: url(), image-set() strings and @import,
    read by a CSS parser (so no spelling, comment or escape hides one)."""
    nodes = (
        tinycss2.parse_blocks_contents(css)
        if declarations
        else tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    )
    found: list[str] = []

    def walk(items: Iterable[Any], importing: bool = False) -> None:
        for node in items:
            kind = getattr(node, "type", "")
            if kind == "url" or (kind == "string" and importing):
                found.append(node.value)
            elif kind == "function":
                if node.lower_name in ("url", "src"):
                    found.extend(t.value for t in node.arguments if t.type == "string")
                walk(node.arguments, importing or node.lower_name.endswith("image-set"))
            elif kind == "at-rule":
                walk(node.prelude, importing or node.lower_at_keyword == "import")
                if node.content:
                    walk(tinycss2.parse_blocks_contents(node.content))
            elif kind == "qualified-rule":
                walk(node.prelude)
                walk(tinycss2.parse_blocks_contents(node.content))
            elif kind == "declaration":
                walk(node.value)
            elif kind in ("() block", "[] block", "{} block"):
                walk(node.content, importing)
            elif kind == "error":
                raise AssertionError(f"CSS the parser cannot read: {node.message}")

    walk(nodes)
    return found


def test_css_references_finds_every_way_of_writing_an_address() -> None:
    """The reader sees url() quoted and not, @import as a string, escapes and image-set."""
    css = (
        "@import 'https://a.example/x.css';\n@import url(https://b.example/y.css);\n"
        'p { background: URL( "https://c.example/z.png" ); }\n'
        "@media print { h1 { background-image: image-set('https://d.example/i.png' 1x); } }\n"
        "@font-face { src: url(https\\:\\/\\/e.example/f.woff2); }"
    )
    hosts = {urlsplit(ref).netloc for ref in css_references(css)}
    assert hosts == {"a.example", "b.example", "c.example", "d.example", "e.example"}
    assert css_references("background: url(//f.example/g.png)", declarations=True) == [
        "//f.example/g.png"
    ]


def _local(reference: str) -> bool:
    parts = urlsplit(reference.strip())
    return parts.scheme in ("", "data") and not parts.netloc and not reference.startswith("//")


def assert_styles_stay_home(markup: str, where: str, fetch: Any = None) -> int:
    """Every style sheet, style attribute and asset of a page is local; linked style sheets
    are fetched with ``fetch`` and read too. Returns how many pieces of CSS were read."""
    page = _Styles(markup)
    read = 0
    for sheet in page.sheets:
        for ref in css_references(sheet):
            assert _local(ref), (where, "style", ref)
        read += 1
    for style in page.inline:
        for ref in css_references(style, declarations=True):
            assert _local(ref), (where, 'style=""', ref)
        read += 1
    for asset in page.assets:
        assert _local(asset) or asset.startswith(("tel:", "mailto:")), (where, asset)
        if fetch is not None and urlsplit(asset).path.endswith(".css"):
            for ref in css_references(fetch(asset)):
                assert _local(ref), (where, asset, ref)
            read += 1
    return read


def test_the_standalone_html_loads_nothing_from_another_host(pathway: Pathway) -> None:
    """`pathways show --format html` of every state: its <style> (read by a CSS parser),
    style attributes and any asset name no other host."""
    renderer = Renderer()
    read = 0
    for state in pathway.state_ids:
        markup = renderer.render(Journey.begin(pathway, at=state), "html")
        read += assert_styles_stay_home(markup, state)
    assert read >= len(pathway.states)  # each page has its <style>, and it was read


def _without_comment_lines(script: str) -> str:
    """A script without its whole-line ``//`` comments (a vendored library's licence and
    references name their authors' sites): what is left is what can run."""
    return "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))


def test_web_pages_and_their_assets_load_nothing_from_another_host(pathway: Pathway) -> None:
    """Every kind of web page, its style sheets (fetched and parsed), scripts and icon, name
    no other host; the scripts hold no address of one either."""
    journey = Journey.begin(pathway).step("goes_into_remission")
    token = journey.token
    pages = ["/", "/glossary", f"/j/{token}", f"/present/{token}", f"/j/{token}/map"]
    pages += [f"/j/{token}/print", f"/embed/{token}", "/embed/", "/j/broken", "/no/such/page"]
    with TestClient(create_app(pathway=pathway)) as client:

        def fetch(address: str) -> str:
            response = client.get(address)
            assert response.status_code == 200, address
            return response.text

        read = 0
        for address in pages:
            read += assert_styles_stay_home(client.get(address).text, address, fetch)
        assets = {a for address in pages for a in _Styles(client.get(address).text).assets}
        for asset in assets:
            if urlsplit(asset).path.endswith((".js", ".svg")):
                body = _without_comment_lines(fetch(asset))
                hosts = re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", body)
                assert set(hosts) <= {"http://www.w3.org"}, (asset, hosts)
    assert read >= len(pages)
