"""Rendering a place in a journey as text, Markdown, HTML and JSON."""

from __future__ import annotations

import html
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editing import changed
from paths import DATA, ROOT
from pathways.errors import ContentError, Location
from pathways.journey import Journey
from pathways.loader import load_pathway, parse_pathway
from pathways.schema import Pathway, ValidationError
from pathways.templating import (
    FORMATS,
    Renderer,
    from_template,
    number_words,
    render,
    template_problem,
)

HOSTILE = '<script>alert("x")</script> {{ 7*7 }} {% if 1 %}x{% endif %} **bold** [a](b) & &amp;'


def _hostile(pathway: Pathway, text: str = HOSTILE) -> Pathway:
    def change(data: dict[str, Any]) -> None:
        state = data["states"][1]
        state["title"] = text
        state["summary"] = text[:140]
        state["explanation"] = [text, "Plain words."]
        state["questions"] = [text]
        state["facts"][0]["text"] = text
        data["transitions"][1]["label"] = text
        data["glossary"][0]["definition"] = text

    return changed(pathway, change)


class _Page(HTMLParser):
    """What a reader and a screen reader get from an HTML page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._open_heading: int | None = None
        self._skip = 0
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._open_heading = int(tag[1])
            self.headings.append((self._open_heading, ""))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open_heading = None
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._open_heading is not None:
            level, words = self.headings[-1]
            self.headings[-1] = (level, words + data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def words(self) -> str:
        return " ".join("".join(self.text).split())


def _words(output: str, fmt: str) -> str:
    """The text a reader sees, white space folded, whatever the format."""
    if fmt == "html":
        return _Page(output).words
    if fmt == "json":
        data = json.loads(output)
        output = f"{data['intended_purpose']} {data['support']['name']} {data['support']['phone']}"
    return " ".join(output.split())


def _all_states(pathway: Pathway) -> list[Journey]:
    return [Journey.begin(pathway, at=s) for s in pathway.state_ids]


# --------------------------------------------------------------------------- every page


def _real_states() -> list[str]:
    return list(load_pathway(ROOT / "pathways.yaml").state_ids)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("state", _real_states())
def test_every_state_in_every_format_shows_purpose_and_support(
    real: Pathway, state: str, fmt: str
) -> None:
    """Every state of the real pathway, in every format, carries the purpose and the phone."""
    output = render(Journey.begin(real, at=state), fmt, width=60)
    seen = _words(output, fmt)
    assert " ".join(real.metadata.intended_purpose.split()) in seen
    assert real.support_line.phone in seen
    assert real.support_line.name in seen


@pytest.mark.parametrize("fmt", FORMATS)
def test_minimal_pathway_renders_in_every_format(minimal: Pathway, fmt: str) -> None:
    """The minimal fixture renders every state in every format with the purpose statement."""
    for journey in _all_states(minimal):
        assert minimal.metadata.intended_purpose in _words(render(journey, fmt), fmt)


def test_json_carries_the_page_and_the_journey(minimal: Pathway) -> None:
    """JSON output has the state, its facts with citations, terms, next steps and the path."""
    journey = Journey.begin(minimal).step("try_again")
    data = json.loads(render(journey, "json"))
    assert data["id"] == "reinduction"
    assert data["title"] == "Treatment to bring back remission"
    assert data["explanation"] == [
        "Usually the first step is to repeat the first part of treatment."
    ]
    fact = data["facts"][0]
    assert fact["source"]["id"] == "relapse_page"
    assert fact["section"] == "Acute lymphoblastic leukaemia (ALL) relapse"
    assert fact["number"]["words"] == "around 4 in 10 people in trials (40%)"
    assert [s["to"] for s in data["next"]] == ["remission", "palliative_care"]
    assert set(data["next"][0]) >= {"trigger", "to", "label", "applies_to"}
    assert [p["id"] for p in data["path"]] == ["relapse", "reinduction"]
    assert data["intended_purpose"] == minimal.metadata.intended_purpose
    assert data["support"] == {
        "name": "Support line",
        "phone": "0808 2080 888",
        "offers": "Someone to talk to about blood cancer.",
    }
    assert Journey.from_token(minimal, data["token"]) == journey


def test_json_terms_carry_their_definitions(minimal: Pathway) -> None:
    """A state's glossary terms come with their definitions."""
    data = json.loads(render(Journey.begin(minimal), "json"))
    assert data["terms"] == [
        {
            "id": "remission",
            "term": "remission",
            "definition": "When tests can no longer find leukaemia cells.",
        }
    ]


# --------------------------------------------------------------------------- text


def test_text_numbers_the_next_steps_and_says_who_a_step_is_for(minimal: Pathway) -> None:
    """Next steps are numbered, and a step for one topic says which."""
    text = render(Journey.begin(minimal), "text", width=80)
    steps = text.split("What might happen next")[1]
    assert re.search(r"^ 1\. Treatment is repeated$", steps, re.M)
    assert re.search(r"^ 2\. Treatment with a different TKI$", steps, re.M)
    assert "Only for: Philadelphia positive ALL" in steps  # a label, no phrase given
    assert re.search(r"^ 3\. Palliative care$", steps, re.M)


def test_text_leaves_out_the_topic_note_once_the_topic_is_chosen(minimal: Pathway) -> None:
    """With the topic chosen the step is shown plainly, and the page says which topic."""
    text = render(Journey.begin(minimal, {"philadelphia": "positive"}), "text", width=80)
    assert "This is for" not in text
    assert "Showing: Philadelphia positive ALL" in text  # a label: no phrase given


def test_text_wraps_to_the_width(real: Pathway) -> None:
    """No line of text output is wider than asked (bar an unbreakable web address)."""
    for journey in _all_states(real):
        for line in render(journey, "text", width=50).splitlines():
            assert len(line) <= 50 or "://" in line, line


def test_text_never_splits_a_phone_number_or_a_date(minimal: Pathway) -> None:
    """Wrapping keeps '0808 2080 888' and '15 January 2026' on one line each."""

    def change(data: dict[str, Any]) -> None:
        data["states"][0]["explanation"] = ["You can call the support line on 0808 2080 888. " * 4]

    pathway = changed(minimal, change)
    for width in range(30, 60):
        text = render(Journey.begin(pathway), "text", width=width)
        assert text.count("0808 2080 888") == 5, width
        assert "15 January 2026" in text, width
        assert "\u00a0" not in text


def test_text_width_is_capped(minimal: Pathway) -> None:
    """However wide the terminal, lines stay readable (88 characters at most)."""
    text = render(Journey.begin(minimal), "text", width=300)
    assert max(len(line) for line in text.splitlines()) <= 88


def test_text_gives_every_fact_its_citation(minimal: Pathway) -> None:
    """Each fact is followed by its source and section; its number is shown in words."""
    text = render(Journey.begin(minimal, at="reinduction"), "text", width=88)
    lines = [line.strip() for line in text.splitlines()]
    at = lines.index("* In trials this worked for around 4 in 10 people.")
    assert lines[at + 1] == "In numbers: around 4 in 10 people in trials (40%)."
    assert lines[at + 2].startswith("Source: Acute lymphoblastic leukaemia (ALL) relapse")
    assert "section “Acute lymphoblastic leukaemia (ALL) relapse”" in " ".join(lines[at + 2 :])


def test_text_does_not_repeat_a_number_the_fact_already_says(real: Pathway) -> None:
    """A fact that already says its number in words is not followed by the same words."""
    text = render(Journey.begin(real, at="first_treatment"), "text", width=88)
    assert "As many as 9 in 10 adults with ALL (90%)" in text
    assert "In numbers: as many as 9 in 10" not in text


def test_text_has_questions_to_ask(real: Pathway) -> None:
    """A state with questions lists them under 'Questions you could ask your healthcare team'."""
    state = next(s for s in real.states if s.questions)
    text = " ".join(render(Journey.begin(real, at=state.id), "text").split())
    assert "Questions you could ask your healthcare team" in text
    for question in state.questions:
        assert question in text


def test_text_says_so_at_an_end_point(minimal: Pathway) -> None:
    """An end point says that it is one instead of listing next steps."""
    text = render(Journey.begin(minimal, at="remission"), "text")
    assert "What might happen next" not in text
    assert "This is an end point" in text


def test_text_shows_the_path_so_far(minimal: Pathway) -> None:
    """After a step, the page shows the path so far, by title."""
    text = render(Journey.begin(minimal).step("try_again"), "text", width=88)
    assert (
        "Your path so far: The leukaemia has come back > Treatment to bring back remission" in text
    )


def test_text_cannot_be_driven_by_escape_codes(minimal: Pathway) -> None:
    """Terminal control characters in content never reach the terminal."""
    pathway = _hostile(minimal, "Red \x1b[31mtext\x1b[0m and a bell\x07")
    text = render(Journey.begin(pathway, at="reinduction"), "text")
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "Red [31mtext[0m and a bell" in text


def test_brief_text_is_shorter_but_keeps_purpose_steps_and_support(minimal: Pathway) -> None:
    """The brief page (for a walk) leaves out facts but keeps purpose, next steps and support."""
    journey = Journey.begin(minimal, at="reinduction")
    brief = Renderer().render(journey, "text", brief=True)
    assert "Facts and figures" not in brief
    assert "What might happen next" in brief
    assert minimal.metadata.intended_purpose in " ".join(brief.split())
    assert "0808 2080 888" in brief


def test_number_words_keep_the_hedge_and_the_percentage(real: Pathway) -> None:
    """A number reads as a natural frequency with its hedge: 'as many as 9 in 10 ... (90%)'."""
    numbers = [f.number for s in real.states for f in s.facts if f.number]
    assert "as many as 9 in 10 adults with ALL (90%)" in [number_words(n) for n in numbers]


# --------------------------------------------------------------------------- markdown


def test_markdown_has_headings_and_numbered_steps(minimal: Pathway) -> None:
    """Markdown output has the title as a heading and numbered next steps."""
    md = render(Journey.begin(minimal), "markdown")
    assert "# The leukaemia has come back" in md.splitlines()
    assert "## What might happen next" in md.splitlines()
    assert "2. Treatment with a different TKI (only for: Philadelphia positive ALL)" in md


def test_markdown_escapes_hostile_text(minimal: Pathway) -> None:
    """Markdown shows content as written: no HTML, emphasis or links can be injected."""
    md = render(Journey.begin(_hostile(minimal), at="reinduction"), "markdown")
    assert "<script>" not in md
    assert r"\<script\>" in md
    assert "**bold**" not in md
    assert r"\*\*bold\*\*" in md
    assert "[a](b)" not in md
    assert r"{{ 7\*7 }}" in md


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("state", ["relapse", "reinduction", "remission"])
def test_html_is_a_complete_accessible_document(minimal: Pathway, state: str) -> None:
    """HTML output is a standalone page: language, title, one main, one h1, ordered headings."""
    page = _Page(render(Journey.begin(minimal, at=state), "html"))
    assert page.find("html") == [{"lang": "en-GB"}]
    assert page.find("title")
    assert len(page.find("main")) == 1
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1
    assert levels[0] == 1  # the page's own heading comes first
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, page.headings
    assert all(words.strip() for _, words in page.headings)


def test_html_loads_nothing_from_elsewhere(real: Pathway) -> None:
    """An HTML page needs no outside resources: no scripts, stylesheets, images or fonts."""
    for journey in _all_states(real):
        markup = render(journey, "html")
        page = _Page(markup)
        assert not page.find("script")
        assert not page.find("link")
        assert not page.find("img")
        assert not page.find("iframe")
        assert all("src" not in attrs for _, attrs in page.tags)
        styles = re.findall(r"<style\b[^>]*>(.*?)</style>", markup, re.S | re.I)
        assert styles  # the page's own style sheet (test_privacy reads it with a CSS parser)
        assert not [s for s in styles if re.search(r"url\(|@import", s, re.I)]


def test_html_escapes_hostile_text(minimal: Pathway) -> None:
    """Pathway text is escaped in HTML: it shows literally and adds no elements."""
    plain = _Page(render(Journey.begin(_hostile(minimal, "Plain"), at="reinduction"), "html"))
    output = render(Journey.begin(_hostile(minimal), at="reinduction"), "html")
    page = _Page(output)
    assert not page.find("script")
    assert [t for t, _ in page.tags] == [t for t, _ in plain.tags]
    assert '<script>alert("x")</script>' in page.words
    assert "{{ 7*7 }}" in page.words
    assert "{% if 1 %}x{% endif %}" in page.words
    assert "49" not in page.words


@given(
    text=st.text(
        st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=120
    ).filter(str.strip)
)
def test_html_never_lets_text_become_markup(text: str) -> None:
    """Whatever the text of a state, the HTML has the same elements and shows the text."""
    pathway = load_pathway(DATA / "minimal.yaml")
    plain = _Page(render(Journey.begin(_hostile(pathway, "Plain"), at="reinduction"), "html"))
    hostile = _hostile(pathway, text)
    page = _Page(render(Journey.begin(hostile, at="reinduction"), "html"))
    assert [t for t, _ in page.tags] == [t for t, _ in plain.tags]
    assert hostile.state("reinduction").title in page.words


def test_html_links_only_web_addresses(minimal: Pathway) -> None:
    """A source whose address is not http(s) is refused by the schema; one that slips past
    it (a pathway built in code without validation) is named but not linked."""

    def change(data: dict[str, Any]) -> None:
        data["sources"][0]["url"] = "javascript:alert(1)"

    with pytest.raises(ValidationError, match="web_url"):
        changed(minimal, change)
    source = minimal.sources[0].model_copy(update={"url": "javascript:alert(1)"})
    unchecked = minimal.model_copy(update={"sources": (source,)})
    page = _Page(render(Journey.begin(unchecked, at="reinduction"), "html"))
    hrefs = [attrs.get("href") for attrs in page.find("a")]
    assert not any(h and h.startswith("javascript") for h in hrefs)
    assert "Acute lymphoblastic leukaemia (ALL) relapse" in page.words


def test_html_numbers_have_an_icon_array_with_words(minimal: Pathway) -> None:
    """A number is drawn as 10 people, 4 filled, labelled with the words and what a filled
    figure means, which also show."""
    output = render(Journey.begin(minimal, at="reinduction"), "html")
    page = _Page(output)
    [svg] = page.find("svg")
    assert svg["role"] == "img"
    assert svg["aria-label"] == (
        "Around 4 in 10 people in trials (40%). The picture shows 10 people."
        " The 4 filled figures are the 4 in 10."
    )
    groups = [attrs["class"] for attrs in page.find("g")]
    assert groups == ["in"] * 4 + ["out"] * 6
    assert "Around 4 in 10 people in trials (40%)" in page.words


def test_html_support_phone_is_a_phone_link(minimal: Pathway) -> None:
    """The support phone number can be tapped to call it."""
    page = _Page(render(Journey.begin(minimal), "html"))
    assert {"href": "tel:08082080888"} in page.find("a")


# --------------------------------------------------------------------------- templates


def test_environment_is_built_once_per_templates_choice(tmp_path: Path) -> None:
    """Renderers for the same templates share one Environment; another folder gets its own."""
    assert Renderer().environment is Renderer().environment
    assert Renderer(tmp_path).environment is Renderer(tmp_path).environment
    assert Renderer(tmp_path).environment is not Renderer().environment


def test_autoescape_is_on_for_html_only() -> None:
    """HTML templates autoescape; text and Markdown templates do not."""
    env = Renderer().environment
    assert callable(env.autoescape)
    assert env.autoescape("html/state.html")
    assert not env.autoescape("text/state.txt")
    assert not env.autoescape("markdown/state.md")


def test_a_user_template_overrides_one_and_the_rest_fall_back(
    minimal: Pathway, tmp_path: Path
) -> None:
    """A user's folder replaces only the templates it holds."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "state.txt").write_text(
        '{% extends "text/_base.txt" %}{% block content %}OURS: {{ title }}{% endblock %}\n'
    )
    journey = Journey.begin(minimal)
    text = render(journey, "text", tmp_path)
    assert "OURS: The leukaemia has come back" in text
    assert minimal.metadata.intended_purpose in " ".join(text.split())
    assert render(journey, "markdown", tmp_path) == render(journey, "markdown")
    assert render(journey, "html", tmp_path) == render(journey, "html")


def test_a_state_template_is_used_for_its_state_only(minimal: Pathway, tmp_path: Path) -> None:
    """``<format>/states/<id>.<ext>`` is used for that state; others use the generic one."""
    (tmp_path / "html" / "states").mkdir(parents=True)
    (tmp_path / "html" / "states" / "remission.html").write_text(
        '{% extends "html/_base.html" %}{% block content %}<h1>Special {{ title }}</h1>'
        "{% endblock %}"
    )
    special = _Page(render(Journey.begin(minimal, at="remission"), "html", tmp_path))
    assert special.headings[0] == (1, "Special Remission")
    other = _Page(render(Journey.begin(minimal, at="relapse"), "html", tmp_path))
    assert other.headings[0] == (1, "The leukaemia has come back")


def test_a_page_that_extends_the_base_cannot_drop_purpose_or_support(
    minimal: Pathway, tmp_path: Path
) -> None:
    """A state template that overrides every block still shows the purpose and support."""
    (tmp_path / "markdown").mkdir()
    (tmp_path / "markdown" / "state.md").write_text(
        '{% extends "markdown/_base.md" %}{% block content %}{% endblock %}'
        "{% block provenance %}{% endblock %}"
    )
    md = render(Journey.begin(minimal), "markdown", tmp_path)
    assert minimal.metadata.intended_purpose in md
    assert "0808 2080 888" in md


@pytest.mark.parametrize(
    ("name", "body", "missing"),
    [
        ("text/state.txt", "{{ title }} only\n", "intended-purpose"),
        (
            "text/_base.txt",
            "{{ intended_purpose }}\n{% block content %}{% endblock %}\n",
            "phone number",
        ),
    ],
    ids=["page-without-base", "base-without-support"],
)
def test_a_render_without_purpose_or_support_is_refused(
    minimal: Pathway, tmp_path: Path, name: str, body: str, missing: str
) -> None:
    """A user template that leaves out the purpose or support line is a ContentError."""
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_text(body)
    with pytest.raises(ContentError) as caught:
        render(Journey.begin(minimal), "text", tmp_path)
    assert missing in str(caught.value)
    problem = caught.value.problems[0]
    assert problem.location is not None
    assert problem.location.file.endswith(name)
    assert problem.hint


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("line one\n{% if %}\n", 2, "template error"),
        ("{{ intended_purpose }}\n\n{{ no_such_thing }}\n", 3, "no_such_thing"),
        ("{{ intended_purpose }}\n{% include 'text/_missing.txt' %}\n", 2, "_missing.txt"),
        ("{{ intended_purpose }}\n{{ title + 1 }}\n", 2, "TypeError"),
    ],
    ids=["syntax", "undefined-variable", "missing-include", "type-error"],
)
def test_a_broken_template_is_a_content_error_at_its_line(
    minimal: Pathway, tmp_path: Path, body: str, line: int, words: str
) -> None:
    """A broken user template raises ContentError naming the template file and line."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "state.txt").write_text(body)
    with pytest.raises(ContentError) as caught:
        render(Journey.begin(minimal), "text", tmp_path)
    [problem] = caught.value.problems
    assert problem.location is not None
    assert problem.location.file == str((tmp_path / "text" / "state.txt").resolve())
    assert problem.location.line == line
    assert words in problem.message


def test_a_missing_templates_folder_is_a_content_error(tmp_path: Path) -> None:
    """Pointing at a templates folder that does not exist is a ContentError with a hint."""
    with pytest.raises(ContentError, match="does not exist"):
        Renderer(tmp_path / "nowhere")


def test_an_unknown_format_is_a_programming_error(minimal: Pathway) -> None:
    """Asking for a format there is no renderer for raises ValueError."""
    with pytest.raises(ValueError, match="unknown format"):
        render(Journey.begin(minimal), "pdf")


# --------------------------------------------------------------------------- in a browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.browser
@pytest.mark.skipif(
    not (CHROMIUM.exists() and AXE.exists()),
    reason="needs /usr/bin/chromium and `npm ci` (node_modules/axe-core)",
)
def test_html_pages_pass_axe_and_reflow_at_320_pixels(real: Pathway) -> None:
    """Every state's standalone HTML passes axe-core (WCAG 2.0-2.2 A/AA) and fits 320px."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 320, "height": 640})
            for journey in _all_states(real):
                page.set_content(render(journey, "html"))
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems.append(f"{journey.state}: {overflow}px too wide at 320px")
                page.evaluate(AXE.read_text(encoding="utf-8"))
                result = page.evaluate(
                    """async () => await axe.run(document, {
                        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',
                                                         'wcag21aa', 'wcag22aa']},
                        rules: {'target-size': {enabled: true}},
                    })"""
                )
                problems.extend(
                    f"{journey.state}: {v['id']}: {v['help']} at {v['nodes'][0]['target']}"
                    for v in result["violations"]
                )
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- scope, notes, figures


def _fold(text: str) -> str:
    return " ".join(text.split())


def _figure_states(pathway: Pathway) -> list[str]:
    return [s.id for s in pathway.states if any(f.number for f in s.facts)]


def _fact_blocks(output: str, fmt: str) -> list[str]:
    """The facts of a rendered state, one block each (text and Markdown lists, HTML items)."""
    if fmt == "html":
        section = output.split('id="facts-heading"', 1)[1].split("</section>", 1)[0]
        return section.split("<li>")[1:]
    heading = "Facts and figures"
    section = output.split(heading, 1)[1]
    section = re.split(r"\n(?:Words used here|## |\S[^\n]*\n-{3,})", section, maxsplit=1)[0]
    marker = r"\n\* " if fmt == "text" else r"\n- "
    return re.split(marker, section)[1:]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_scope_is_beside_every_figure(real: Pathway, fmt: str) -> None:
    """Every fact with a figure shows, in its own block, whom the figures are about; a fact
    without one does not repeat it."""
    assert real.metadata.scope is not None
    scope = _fold(real.metadata.scope.text)
    assert _figure_states(real)
    for state_id in _figure_states(real):
        state = real.state(state_id)
        output = render(Journey.begin(real, at=state_id), fmt, width=88)
        blocks = _fact_blocks(output, fmt)
        with_number = [f for f in state.facts if f.number is not None and f.text]
        assert len(blocks) == len(state.facts), state_id
        for fact, block in zip(state.facts, blocks, strict=True):
            visible = _fold(html.unescape(re.sub(r"<[^>]+>", " ", block)))
            assert (scope in visible) == (fact.number is not None), (state_id, fmt, fact.text)
        assert with_number


def test_json_gives_every_figure_its_scope_and_caption(real: Pathway) -> None:
    """In JSON, each number carries the scope, what a filled figure stands for and a
    caption; the pathway carries the scope and the reviewer; dates stay ISO."""
    assert real.metadata.scope is not None
    for state_id in _figure_states(real):
        view = json.loads(render(Journey.begin(real, at=state_id), "json"))
        assert view["pathway"]["scope"] == real.metadata.scope.text
        assert view["pathway"]["reviewed"] == real.metadata.reviewed.isoformat()
        numbers = [f["number"] for f in view["facts"] if f["number"]]
        assert numbers
        for number in numbers:
            assert number["scope"] == real.metadata.scope.text
            assert number["filled"]
            assert number["filled"] in number["caption"]


def test_a_document_without_the_new_fields_renders_without_them(minimal: Pathway) -> None:
    """A document written before scope, notes, no_figure, reviewer and filled existed still
    renders in every format, saying nothing about them (no empty 'about' line)."""
    assert minimal.metadata.scope is None and minimal.metadata.reviewer is None
    journey = Journey.begin(minimal, at="reinduction")
    for fmt in ("text", "markdown", "html"):
        output = render(journey, fmt)
        assert "Whom this figure is about" not in output
        assert "Reviewed on 15" in _fold(output)
    view = json.loads(render(journey, "json"))
    assert view["pathway"]["scope"] is None and view["pathway"]["reviewed_by"] is None
    assert view["no_figure"] is None
    assert all(step["note"] is None for step in view["next"])
    [number] = [f["number"] for f in view["facts"] if f["number"]]
    assert number["caption"] == "The picture shows 10 people. The 4 filled figures are the 4 in 10."


def _noted(pathway: Pathway, step: str) -> Pathway:
    """The minimal pathway with a note at 'relapse' about its step ``step``."""

    def change(data: dict[str, Any]) -> None:
        data["states"][0]["notes"] = [
            {
                "step": step,
                "text": "The source says this is usually the first step.",
                "source": "relapse_page",
                "section": "Acute lymphoblastic leukaemia (ALL) relapse",
            }
        ]

    return changed(pathway, change)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_a_note_on_an_option_is_words_not_order(minimal: Pathway, fmt: str) -> None:
    """A note about an option shows as its words beside that option, in every format; the
    options keep the document's order whichever option has the note."""
    plain = render(Journey.begin(minimal), fmt)
    for trigger in ("try_again", "ask_for_palliative_care"):
        noted = render(Journey.begin(_noted(minimal, trigger)), fmt)
        if fmt == "json":
            before, after = json.loads(plain)["next"], json.loads(noted)["next"]
            assert [s["trigger"] for s in after] == [s["trigger"] for s in before]
            assert [s["trigger"] for s in after if s["note"]] == [trigger]
            continue
        labels = [t.label for t in minimal.transitions if "relapse" in t.source]
        positions = [noted.index(label) for label in labels]
        assert positions == sorted(positions)  # the document's order, unchanged
        note_at = noted.index("The source says this is usually the first step.")
        # The note sits under its own option: after its label, before the next label.
        option = next(t.label for t in minimal.transitions if t.trigger == trigger)
        later = [p for p in positions if p > noted.index(option)]
        assert noted.index(option) < note_at < (later[0] if later else len(noted))
        # Removing the note gives back the page without it: nothing else changed.
        assert "usually the first step" not in plain


def test_a_note_in_html_has_the_weight_of_any_other_text(minimal: Pathway) -> None:
    """The note is a plain paragraph: no emphasis, no mark, and its option looks like every
    other option (same tag and class)."""
    output = render(Journey.begin(_noted(minimal, "try_again")), "html")
    items = output.split('<ol class="next">', 1)[1].split("</ol>", 1)[0].split("<li>")[1:]
    assert len(items) == 3
    noted = [item for item in items if "usually the first step" in item]
    assert len(noted) == 1
    note = noted[0].split('<p class="note">', 1)[1].split("</p>", 1)[0]
    assert not re.search(r"<(strong|b|em|i|mark)\b", note)
    # Every option opens with the same tag and attributes (a plain paragraph, no class).
    openings = {re.match(r"<[^>]*>", item).group() for item in items}  # type: ignore[union-attr]
    assert len(openings) == 1
    (opening,) = openings
    assert re.fullmatch(r"<p\b[^>]*>", opening) and "class" not in opening


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_no_figure_is_said_plainly(real: Pathway, fmt: str) -> None:
    """A state whose option has no figure in the source says so in every format."""
    states = [s for s in real.states if s.no_figure]
    assert states
    for state in states:
        assert state.no_figure is not None
        output = _fold(html.unescape(render(Journey.begin(real, at=state.id), fmt, width=88)))
        assert _fold(state.no_figure) in output.replace("\\", "")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_footer_names_publisher_and_reviewer_with_dates_in_words(
    real: Pathway, fmt: str
) -> None:
    """Every format's footer names the publisher and the reviewer, and gives the review
    dates in words ('30 November 2026'), not as ISO dates."""
    meta = real.metadata
    assert meta.reviewer is not None
    output = _fold(html.unescape(render(Journey.begin(real), fmt, width=88))).replace("\\", "")
    assert f"Published by {meta.publisher}." in output
    assert f"Reviewed by {meta.reviewer.role} on {meta.reviewed.strftime('%-d %B %Y')}" in output
    assert meta.next_review.strftime("%-d %B %Y") in output
    assert meta.reviewed.isoformat() not in output


SYNTAX_HINT = "see https://jinja.palletsprojects.com/templates/"
VARIABLES_HINT = (
    "the variables a template can use are the keys of `pathways show STATE --format json`"
)
MISSING_HINT = (
    "the template is missing from your templates folder and from the packaged ones; check its name"
)


@pytest.mark.parametrize(
    ("body", "line", "said", "hint"),
    [
        (
            "line one\n{% if %}\n",
            2,
            "Expected an expression, got 'end of statement block'",
            SYNTAX_HINT,
        ),
        ("a\n{{ nothing.at_all }}\n", 2, "'nothing' is undefined", VARIABLES_HINT),
        ("a\n{% include 'text/nowhere.txt' %}\n", 2, "text/nowhere.txt", MISSING_HINT),
        ("a\nb\n{{ 1 // 0 }}\n", 3, "ZeroDivisionError: integer division or modulo by zero", None),
    ],
    ids=["syntax", "undefined", "missing", "python_error"],
)
def test_a_broken_user_template_is_one_problem_at_its_line(
    minimal: Pathway, tmp_path: Path, body: str, line: int, said: str, hint: str | None
) -> None:
    """A mistake in a user's template is reported at the template's file and line, in
    Jinja's words, with the fix for its kind; an error Python raises inside the template
    is placed there too, by its name."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "state.txt").write_text(body, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        render(Journey.begin(minimal), "text", tmp_path)
    [problem] = caught.value.problems
    assert (str(problem.location), problem.message, problem.hint) == (
        f"{tmp_path / 'text' / 'state.txt'}:{line}:1",
        f"template error: {said}",
        hint,
    )


def test_an_error_no_template_raised_is_not_blamed_on_one() -> None:
    """An error from Python code is not a template's (``from_template`` gives None, so
    it keeps its traceback); without a template frame a problem sits at the fallback
    file's first line."""
    error = ValueError("a bug")
    assert from_template(error) is None
    [problem] = template_problem(error, "text/state.txt").problems
    assert (problem.location, problem.message, problem.hint) == (
        Location("text/state.txt", 1, 1),
        "template error: a bug",
        None,
    )


def test_the_path_so_far_says_which_states_were_only_looked_at(minimal: Pathway) -> None:
    """A state jumped to (from the map) is named in the path as looked at, not walked."""
    journey = Journey.begin(minimal).jump("reinduction")
    text = render(journey, "text", width=200)
    assert "Your path so far: The leukaemia has come back > Looked at: Treatment" in text
    markdown = render(journey, "markdown")
    assert "Your path so far: The leukaemia has come back \u203a Looked at: Treatment" in markdown


def test_a_fact_in_the_json_view_gives_its_figure_whole_or_null(pathway: Pathway) -> None:
    """The JSON view (what a template can use) gives a fact's figure with every part a
    template may show, and ``null`` for a fact with no figure."""
    facts = json.loads(render(Journey.begin(pathway, at="first_treatment"), "json"))["facts"]
    numbers = [fact["number"] for fact in facts]
    assert None in numbers
    figure = next(number for number in numbers if number is not None)
    assert set(figure) == {
        "count",
        "out_of",
        "hedge",
        "about",
        "percent",
        "filled",
        "words",
        "caption",
        "scope",
        "in_text",
    }


def test_the_json_view_marks_the_start_and_lists_the_sources_cited(pathway: Pathway) -> None:
    """``start`` is true at the pathway's start only; the path names each state by id;
    the sources listed are exactly those the state's facts cite."""
    at_start = json.loads(render(Journey.begin(pathway), "json"))
    assert at_start["start"] is True
    later = Journey.begin(pathway).step(Journey.begin(pathway).next_steps()[0].trigger)
    view = json.loads(render(later, "json"))
    assert view["start"] is False
    assert [entry["id"] for entry in view["path"]] == list(later.path)
    cited = {fact["source"]["id"] for fact in view["facts"]}
    assert cited and {source["id"] for source in view["sources"]} == cited


def test_markdown_links_to_each_source_at_its_address(pathway: Pathway) -> None:
    """A source's address is a link target, not text: Markdown escaping leaves it as it
    is, and brackets in it are written as %28 and %29 so they cannot end the link."""
    journey = Journey.begin(pathway, at="first_treatment")
    markdown = render(journey, "markdown")
    for source in json.loads(render(journey, "json"))["sources"]:
        assert f"]({source['url']})" in markdown
    text = (DATA / "minimal.yaml").read_text(encoding="utf-8")
    bracketed = text.replace("https://example.org/all-relapse", "https://example.org/a_b_(2024)")
    minimal = parse_pathway(bracketed, "minimal.yaml")
    markdown = render(Journey.begin(minimal, at="reinduction"), "markdown")
    assert "](https://example.org/a_b_%282024%29)" in markdown


def test_a_templates_folder_that_does_not_exist_says_how_to_choose_one(tmp_path: Path) -> None:
    """Naming a templates folder that is not there is one plain problem with the fix."""
    with pytest.raises(ContentError) as caught:
        Renderer(tmp_path / "nowhere")
    [problem] = caught.value.problems
    assert (problem.message, problem.hint) == (
        f"templates folder '{tmp_path / 'nowhere'}' does not exist",
        "give --templates (or PATHWAYS_TEMPLATES) a folder that holds the templates you"
        " want to change",
    )


def test_a_fact_in_the_json_view_names_its_source_with_its_address(pathway: Pathway) -> None:
    """Each fact's source in the view (what a template can use) has its id, title,
    publisher and address, as the pathway's sources give them."""
    view = json.loads(render(Journey.begin(pathway, at="first_treatment"), "json"))
    sources = {source.id: source for source in pathway.sources}
    for fact in view["facts"]:
        source = sources[fact["source"]["id"]]
        assert fact["source"] == {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
        }
