"""Hostile content: a pathway whose every text holds markup, script, template syntax,
right-to-left and zero-width characters and very long strings is shown escaped and
intact in every format and on every web page. And the loader cannot be made to build
objects, expand aliases or hang on a huge or deeply nested document."""

from __future__ import annotations

import copy
import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from htmltree import parse
from paths import MINIMAL
from pathways.diagram import to_dot, to_mermaid
from pathways.errors import ContentError
from pathways.export import pathway_from_dict, to_json
from pathways.interchange import to_scxml, to_xstate
from pathways.journey import Journey
from pathways.loader import MAX_DEPTH, MAX_DOCUMENT_BYTES, load_pathway, parse_pathway
from pathways.mapsvg import map_svg
from pathways.schema import Pathway
from pathways.site import build_site
from pathways.templating import Renderer
from pathways.web import create_app
from schema_walk import TextField, add_optional_parts, fill_texts, text_fields
from strategies import dump_yaml

PAYLOAD = (
    '<script>alert("x")</script> <img src=x onerror="alert(1)"> <b>bold</b> &amp; & '
    "{{ 7*7 }} {% if true %}yes{% endif %} {# hidden #} {{ config.items() }} "
    "مرحبا evil שלום zero\u200bwidth\u200cjoin\u200dword\u2060 "
    "# not a heading *not emphasis* [not a link](https://evil.example) `code` | \\ "
)
"""Everything at once: markup, script, a handler, an entity, Jinja2 syntax, right-to-left
text, zero-width characters, and Markdown's special characters. (Bidirectional override
and isolate controls are refused at load: see test_loader.)"""
SHORT = '<script>x()</script> {{ 7*7 }} {% raw %} \u05e9\u200b *a* [b](c) "q" & <i>'
"""For summaries, which have a length limit."""
LONG_WORD = "Leukaemia" * 600
LONG_TEXT = " ".join(["A very long sentence <b>with markup</b> {{ x }}."] * 400)


FORMED = {
    # Quotes and brackets are not allowed in an address (the loader refuses them): this is
    # the most an address can carry.
    "Source.url": "https://example.org/all?a=1&b=%22%3E%3Cscript%3E;x=(1)",
    "SupportContact.phone": "+44 (0)808-2080.888",
}


def _hostile_text(field: TextField, value: str) -> str:
    """The text with the payload added (the short one where the field has a length limit).

    The same text always gets the same payload, so a fact's section still names one of
    its source's sections. A field the loader holds to a form (an address, a phone number)
    gets the most hostile value that form allows."""
    if str(field) in FORMED:
        return FORMED[str(field)]
    if field.max_length is not None:
        return f"{value[: field.max_length - len(SHORT) - 1]} {SHORT}".strip()
    return f"{value} {PAYLOAD}".strip()


def hostile_document() -> dict[str, Any]:
    """The minimal pathway with the payload in every text field of the schema (each field
    the document leaves out is given one), and very long strings too."""
    document = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    add_optional_parts(document)
    filled = fill_texts(document, _hostile_text)
    assert filled == set(text_fields()), set(text_fields()) - filled
    for state in document["states"]:  # a state with a figure cannot say it has none
        if any(fact.get("number") for fact in state.get("facts", [])):
            del state["no_figure"]
    relapse = document["states"][0]
    relapse["explanation"] = [*relapse["explanation"], LONG_WORD, LONG_TEXT]
    return document


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Pathway:
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(dump_yaml(hostile_document()), encoding="utf-8")
    return load_pathway(path)


def _folded(text: str) -> str:
    return " ".join(text.split())


def texts_of(pathway: Pathway, state_id: str) -> list[str]:
    """What a page about this state must show as written."""
    state = pathway.state(state_id)
    found = [state.title, state.summary, *state.explanation, *state.questions]
    found += [fact.text for fact in state.facts]
    found += [step.label for step in Journey.begin(pathway, at=state_id).next_steps()]
    return [_folded(t) for t in found]


# --------------------------------------------------------------------------- parsing HTML


class Page:
    """The elements, attributes and visible text of a page (SVG and scripts included)."""

    def __init__(self, markup: str) -> None:
        root = parse(markup)
        self.elements: list[tuple[str, dict[str, str | None]]] = [
            (node.tag, node.attrs) for node in root.iter() if node is not root
        ]
        self._root = root

    @property
    def visible(self) -> str:
        return _folded(self._root.text)


def assert_no_markup_from_content(markup: str, where: str) -> Page:
    """No element or attribute came from the content: the payload's tags appear only
    escaped, scripts come only from /static/, and there is no event handler and no
    javascript: link anywhere."""
    for raw in ("<script>alert", "<img src=x", "<b>bold</b>", "<b>with markup</b>"):
        assert raw not in markup, (where, raw)
    page = Page(markup)
    for tag, attrs in page.elements:
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), (where, attrs)
        assert not [a for a in attrs if a.startswith("on")], (where, tag, attrs)
        for name in ("href", "src", "action", "xlink:href"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), where
    return page


# --------------------------------------------------------------------------- formats


def test_the_hostile_pathway_loads_as_written(hostile: Pathway) -> None:
    """The loader keeps every character of the payload (it is content, not code)."""
    relapse = hostile.state("relapse")
    assert relapse.title.endswith(_folded(PAYLOAD))
    assert LONG_WORD in relapse.explanation
    assert "\u05e9" in relapse.summary and "\u200b" in relapse.title


@pytest.mark.parametrize("state", ["relapse", "reinduction", "remission", "palliative_care"])
def test_json_carries_every_text_exactly(hostile: Pathway, state: str) -> None:
    """JSON output holds each text character for character."""
    view = json.loads(Renderer().render(Journey.begin(hostile, at=state), "json"))
    pathway_state = hostile.state(state)
    assert view["title"] == pathway_state.title
    assert view["summary"] == pathway_state.summary
    assert view["explanation"] == list(pathway_state.explanation)


@pytest.mark.parametrize("state", ["relapse", "reinduction", "remission", "palliative_care"])
def test_text_shows_every_text_intact_and_inert(hostile: Pathway, state: str) -> None:
    """Terminal text shows each text as written (wrapped), with no template evaluated."""
    output = Renderer().render(Journey.begin(hostile, at=state), "text", width=80)
    shown = _folded(output)
    for text in texts_of(hostile, state):
        assert text in shown
    assert "\x1b" not in output


def _markdown_unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("&amp;", "&")


@pytest.mark.parametrize("state", ["relapse", "reinduction", "remission", "palliative_care"])
def test_markdown_escapes_every_text_and_keeps_it(hostile: Pathway, state: str) -> None:
    """Markdown escapes every special character (no raw HTML, link or emphasis survives)
    and, unescaped, reads exactly as written."""
    output = Renderer().render(Journey.begin(hostile, at=state), "markdown")
    assert not re.search(r"(?<!\\)<(script|img|b|i)\b", output)
    assert "[not a link](" not in output
    shown = _folded(_markdown_unescaped(output))
    for text in texts_of(hostile, state):
        assert text in shown


@pytest.mark.parametrize("state", ["relapse", "reinduction", "remission", "palliative_care"])
def test_standalone_html_escapes_every_text_and_keeps_it(hostile: Pathway, state: str) -> None:
    """The standalone HTML page has no element from the content and shows each text."""
    output = Renderer().render(Journey.begin(hostile, at=state), "html")
    page = assert_no_markup_from_content(output, state)
    for text in texts_of(hostile, state):
        assert text in page.visible
    title = re.search(r"<title>(.*?)</title>", output, re.S)
    assert title and "<script>" in html.unescape(title.group(1))


# --------------------------------------------------------------------------- web pages


def _web_pages(hostile: Pathway) -> Iterator[tuple[str, str, list[str]]]:
    """(address, what must show, texts) for every kind of page of the hostile pathway."""
    journey = Journey.begin(hostile)
    walked = journey.step(journey.next_steps()[0].trigger)
    yield "/", "start", [_folded(hostile.metadata.title)]
    yield "/glossary", "glossary", [_folded(g.definition) for g in hostile.glossary]
    for state in hostile.state_ids:
        token = journey.jump(state).token
        yield f"/j/{token}", "state", texts_of(hostile, state)
        yield f"/present/{token}", "presenter", texts_of(hostile, state)[:2]
        yield f"/embed/{token}", "embed", texts_of(hostile, state)[:2]
    yield f"/j/{walked.token}/map", "map", [_folded(s.title) for s in hostile.states]
    yield f"/present/{walked.token}/map", "map", [_folded(s.title) for s in hostile.states]
    yield (
        f"/j/{walked.token}/print",
        "print",
        [_folded(s) for s in hostile.state("relapse").questions],
    )
    yield f"/j/{walked.token}/step/no_such_step", "error", []
    yield "/j/{{7*7}}<script>/jump/x", "error", []
    yield f"/j/{walked.token}/jump/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "error", []


def test_every_web_page_escapes_the_content_and_keeps_it(hostile: Pathway) -> None:
    """Start, state, presenter, embed, map, print and error pages: no element from the
    content, and every text shown as written."""
    with TestClient(create_app(pathway=hostile)) as client:
        checked = 0
        for url, kind, texts in _web_pages(hostile):
            response = client.get(url)
            assert response.status_code < 500, url
            page = assert_no_markup_from_content(response.text, f"{kind} {url}")
            for text in texts:
                assert text in page.visible, (kind, url, text[:60])
            checked += 1
    assert checked == 2 + 3 * len(hostile.states) + 6  # start, glossary; 3 per state; 6 more


def test_every_text_field_is_shown_escaped_somewhere_on_the_web(hostile: Pathway) -> None:
    """Each text a reader is meant to see (every text field but the lint settings) is on
    some page, escaped, so a field rendered unescaped on its page would be caught above."""
    seen = ""
    with TestClient(create_app(pathway=hostile)) as client:
        for url, _, _ in _web_pages(hostile):
            seen += " " + html.unescape(client.get(url).text)
    seen = _folded(seen)
    for field in text_fields():
        if field.model == "LintSettings":
            continue  # settings for `pathways lint`, never shown
        assert _folded(_hostile_text(field, "")) in seen or field.max_length, field


# --------------------------------------------------------------------------- exports


def test_the_static_site_escapes_the_content_and_keeps_it(hostile: Pathway, tmp_path: Path) -> None:
    """Every page of the static site has no element from the content, and each state's
    page shows its texts as written."""
    build_site(hostile, tmp_path / "site")
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= len(hostile.states) + 2
    shown = ""
    for file in pages:
        markup = file.read_text(encoding="utf-8")
        page = Page(markup)
        for raw in ("<script>alert", "<img src=x", "<b>bold</b>", "<b>with markup</b>"):
            assert raw not in markup, (file.name, raw)
        for tag, attrs in page.elements:
            assert tag != "script" or not (attrs.get("src") or "").startswith("http"), file
            assert not [a for a in attrs if a.startswith("on")], (file.name, tag, attrs)
        shown += " " + page.visible
    for state in hostile.state_ids:
        for text in texts_of(hostile, state):
            assert text in shown, (state, text[:60])


def test_diagrams_and_machines_keep_the_content_inert(hostile: Pathway) -> None:
    """Mermaid, DOT, the SVG map, SCXML and XState carry no markup from the content: the
    XML ones parse and hold each title as text; the text ones hold no raw tag."""
    mermaid = to_mermaid(hostile)
    for raw in ("<script>", "<img src=x", "<b>bold</b>"):
        assert raw not in mermaid, raw  # Mermaid draws labels as HTML
    dot = to_dot(hostile)
    assert "label=<" not in dot  # no HTML-like label: every label is a quoted string
    # The statement and support line ride in // comments, one line each, kept as written;
    # everywhere else the content sits in quoted labels, its quotes escaped.
    comments = [line for line in dot.splitlines() if line.lstrip().startswith("//")]
    assert comments and all('"' not in line.split("//", 1)[0] for line in comments)
    outside = "\n".join(line for line in dot.splitlines() if line not in comments)
    assert 'alert("x")' not in outside and 'alert(\\"x\\")' in outside
    for name, text in (("map", map_svg(hostile)), ("scxml", to_scxml(hostile))):
        root = ET.fromstring(text)
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "img", "b")]
        assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")], name
    svg_text = " ".join(ET.fromstring(map_svg(hostile)).itertext())
    assert '<script>alert("x"' in svg_text  # the payload is text, not an element
    machine = json.loads(to_xstate(hostile))
    assert {s.title for s in hostile.states} <= set(_strings(machine))


def test_the_json_export_round_trips_every_text(hostile: Pathway) -> None:
    """The JSON export holds every text exactly: loaded back, it is the same pathway."""
    again = pathway_from_dict(json.loads(to_json(hostile)))
    assert again.model_dump() == hostile.model_dump()


def test_the_json_api_carries_the_content_exactly(hostile: Pathway) -> None:
    """The JSON API returns each text exactly as written, as JSON, never as markup."""
    token = Journey.begin(hostile, at="relapse").token
    with TestClient(create_app(pathway=hostile)) as client:
        response = client.get(f"/api/journeys/{token}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    strings = set(_strings(response.json()))
    state = hostile.state("relapse")
    assert {state.title, state.summary} <= strings


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --------------------------------------------------------------------------- the loader


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['echo pwned > {marker}']",
        "!!python/object/new:os.system ['echo pwned > {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom value",
        "!!binary aGVsbG8=",
        "!!set {{a: null}}",
        "!!str text",
    ],
)
def test_tags_are_refused_and_build_nothing(tagged: str, tmp_path: Path) -> None:
    """Any tag, standard or Python's, is refused at its line; nothing is run or built."""
    marker = tmp_path / "marker"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "title: A small test pathway", "title: " + tagged.format(marker=marker), 1
    )
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, "tagged.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert any(re.match(r"tagged\.yaml:5:\d+: .*tag", p) for p in problems), problems
    assert not marker.exists()


@pytest.mark.child_process
def test_an_alias_bomb_is_refused_at_once() -> None:
    """A billion-laughs document (anchors and aliases nested ten deep) is refused without
    expanding anything, in a child process that would be stopped if it hung."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    bomb = "\n".join(lines) + "\n"
    code = (
        "import sys\n"
        "from pathways.errors import ContentError\n"
        "from pathways.loader import parse_pathway\n"
        "try:\n"
        "    parse_pathway(sys.stdin.read(), 'bomb.yaml')\n"
        "except ContentError as e:\n"
        "    print('\\n'.join(str(p) for p in e.problems))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=bomb, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"bomb\.yaml:1:\d+: .*anchor", result.stdout), result.stdout


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    """`pathways validate FILE` in a child process, stopped if it hung."""
    return subprocess.run(
        [sys.executable, "-m", "pathways", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.child_process
def test_a_huge_document_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    """A file over the size limit is refused by `pathways validate` with one clear line."""
    huge = tmp_path / "huge.yaml"
    with huge.open("w", encoding="utf-8") as out:
        out.write(MINIMAL.read_text(encoding="utf-8"))
        filler = "# " + "x" * 1000 + "\n"
        for _ in range(MAX_DOCUMENT_BYTES // len(filler) + 10):
            out.write(filler)
    result = _validate(huge)
    assert result.returncode == 1
    assert "huge.yaml" in result.stderr
    assert "too large" in result.stderr or "larger than" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.child_process
@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, 100_000])
def test_a_deeply_nested_document_is_refused_with_a_clear_message(
    depth: int, tmp_path: Path
) -> None:
    """Nesting past the limit is refused by `pathways validate` at its line and column,
    whether our limit or the YAML parser's own is met first."""
    deep = tmp_path / "deep.yaml"
    deep.write_text("metadata: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    result = _validate(deep)
    assert result.returncode == 1
    assert re.search(rf"deep\.yaml:1:\d+: .*nested more than {MAX_DEPTH} levels", result.stderr)
    assert "Traceback" not in result.stderr


def test_hostile_text_survives_a_round_trip_through_yaml() -> None:
    """The payload written by an author's YAML tool loads back exactly (nothing lost)."""
    document = copy.deepcopy(hostile_document())
    pathway = parse_pathway(dump_yaml(document), "hostile.yaml")
    assert pathway.state("relapse").explanation[-2] == LONG_WORD
