"""The renderer's own promises, in process: what a page's data holds (``journey_view``),
how each format escapes it, how the Environment treats templates (a user's edits seen or
not, by choice), what a snapshot checks at once, and the errors a user's templates get.

The pages themselves are stated in test_templating.py; kept compiled templates in
test_bytecode.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jinja2
import pytest

from editing import changed
from pathways import cache, templating
from pathways.errors import ContentError, Location
from pathways.journey import Journey
from pathways.schema import Pathway
from pathways.templating import (
    KeptBytecode,
    Renderer,
    escape_html,
    from_template,
    journey_view,
    markdown_escape,
    render,
    template_problem,
    trusted_html,
)

BASE = {
    "text": '{% extends "text/_base.txt" %}{% block content %}{{ body }}{% endblock %}\n',
    "markdown": '{% extends "markdown/_base.md" %}{% block content %}{{ body }}{% endblock %}\n',
    "html": '{% extends "html/_base.html" %}{% block content %}{{ body }}{% endblock %}\n',
}


def _user_page(folder: Path, words: str, fmt: str = "text") -> Path:
    """A user's ``<fmt>/state.<ext>`` that shows ``words`` inside the packaged base."""
    ext = templating.EXTENSIONS[fmt]
    page = folder / fmt / f"state.{ext}"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(BASE[fmt].replace("{{ body }}", words), encoding="utf-8")
    return page


def _edit(page: Path, words: str) -> None:
    """Change a user's page, its time moved on (as a later edit has), so a check sees it."""
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("{% block content %}", "{% block content %}" + words, 1))
    later = page.stat().st_mtime + 10
    os.utime(page, (later, later))


@pytest.fixture(autouse=True)
def _fresh_environments() -> Any:
    templating._environment.cache_clear()
    yield
    templating._environment.cache_clear()


# --------------------------------------------------------------------------- the view


def test_the_view_gives_each_topic_its_value_label_and_phrase(minimal: Pathway) -> None:
    """Each topic shows the value chosen, or the default when none was; its label and
    phrase are those of that value; ``narrowed`` says whether a choice was made."""

    def phrases(data: dict[str, Any]) -> None:
        any_value, positive = data["contexts"][0]["values"]
        any_value["phrase"] = "every type of ALL"
        positive["phrase"] = "Philadelphia positive ALL only"

    pathway = changed(minimal, phrases)
    [unchosen] = journey_view(Journey.begin(pathway))["context"]
    assert unchosen == {
        "id": "philadelphia",
        "label": "Type of ALL",
        "value": "any",
        "value_label": "All types of ALL",
        "value_phrase": "every type of ALL",
        "narrowed": False,
    }
    [chosen] = journey_view(Journey.begin(pathway, {"philadelphia": "positive"}))["context"]
    assert chosen["value"] == "positive"
    assert chosen["value_label"] == "Philadelphia positive ALL"
    assert chosen["value_phrase"] == "Philadelphia positive ALL only"
    assert chosen["narrowed"] is True


def test_a_reviewer_without_a_name_is_shown_by_role(minimal: Pathway) -> None:
    def reviewer(name: str | None) -> Any:
        def change(data: dict[str, Any]) -> None:
            data["metadata"]["reviewer"] = {"role": "Haematology nurse", "name": name}

        return change

    unnamed = journey_view(Journey.begin(changed(minimal, reviewer(None))))
    assert unnamed["pathway"]["reviewed_by"] == "Haematology nurse"
    named = journey_view(Journey.begin(changed(minimal, reviewer("Sam Lee"))))
    assert named["pathway"]["reviewed_by"] == "Sam Lee, Haematology nurse"
    assert journey_view(Journey.begin(minimal))["pathway"]["reviewed_by"] is None


def test_a_fact_citing_an_unlisted_source_shows_the_source_id(minimal: Pathway) -> None:
    """A pathway built in Python, unchecked, may cite a source it does not list: the page
    names the citation as written rather than failing or inventing a publisher."""

    def unlisted(data: dict[str, Any]) -> None:
        data["states"][1]["facts"][0]["source"] = "not_listed"

    view = journey_view(Journey.begin(changed(minimal, unlisted), at="reinduction"))
    assert view["facts"][0]["source"] == {
        "id": "not_listed",
        "title": "not_listed",
        "publisher": "",
        "url": "",
    }
    listed = journey_view(Journey.begin(minimal, at="reinduction"))["facts"][0]["source"]
    assert listed["publisher"] == "Blood Cancer UK"
    assert listed["url"] == "https://example.org/all-relapse"


def test_a_figure_written_in_the_fact_is_known_to_be_there(minimal: Pathway) -> None:
    """``in_text`` compares the figure's words with the fact's text whatever the case and
    the spacing, so a page does not say the figure twice."""

    def spelled(text: str) -> Any:
        def change(data: dict[str, Any]) -> None:
            data["states"][1]["facts"][0]["text"] = text

        return change

    said = changed(minimal, spelled("For AROUND 4  in\n10 people in trials (40%) it worked."))
    view = journey_view(Journey.begin(said, at="reinduction"))
    assert view["facts"][0]["number"]["in_text"] is True
    unsaid = changed(minimal, spelled("It worked for some people."))
    assert (
        journey_view(Journey.begin(unsaid, at="reinduction"))["facts"][0]["number"]["in_text"]
        is False
    )


# --------------------------------------------------------------------------- escaping


def test_html_escaping_and_trusted_html() -> None:
    assert escape_html('<a href="x">&</a>') == "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;"
    trusted = trusted_html("<p>made by a template</p>")
    assert str(jinja2.Template("{{ part }}", autoescape=True).render(part=trusted)) == (
        "<p>made by a template</p>"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("# not a heading", "\\# not a heading"),
        ("  - not a list", "  \\- not a list"),
        ("3. not a numbered list", "3\\. not a numbered list"),
        ("> not a quote", "\\> not a quote"),
        ("a_b *c* [d](e)", "a\\_b \\*c\\* \\[d\\](e)"),
        ("&amp; stays &", "&amp;amp; stays &"),
    ],
)
def test_markdown_escape_shows_text_as_written(text: str, shown: str) -> None:
    assert markdown_escape(text) == shown


def test_markdown_keeps_ids_and_makes_urls_safe_in_a_link() -> None:
    """In Markdown, ids (also in lists) keep their underscores; a web address cannot
    close its link early; readable words are escaped."""
    view = {
        "id": "palliative_care",
        "trigger": ["ask_for_care", "try_again"],
        "url": "https://example.org/a page (old)",
        "title": "care_plan",
    }
    mapped = templating._map_text(view, markdown_escape)
    assert mapped == {
        "id": "palliative_care",
        "trigger": ["ask_for_care", "try_again"],
        "url": "https://example.org/a%20page%20%28old%29",
        "title": "care\\_plan",
    }
    as_text = templating._map_text(view, templating.text_safe)
    assert as_text["url"] == "https://example.org/a page (old)"


def test_only_what_a_reader_sees_counts_as_shown() -> None:
    """Tags are not words; a style, script, template or comment is not shown."""
    page = "<p>Sup<b>port</b> line</p><style>x</style>next<script>y</script>to<!-- z -->it"
    assert templating._visible_text(page, "html") == "Support line next to it"
    assert templating._visible_text("a  b\n c", "text") == "a b c"


# --------------------------------------------------------------------------- environment


def test_templates_autoescape_by_their_extension_only() -> None:
    env = Renderer().environment
    assert env.autoescape("page.html") and env.autoescape("page.htm")
    assert not env.autoescape("page.HTML.txt") and not env.autoescape("page.xml")
    assert env.from_string("{{ x }}").render(x="<b>") == "<b>"  # a string is not HTML


def test_block_tags_leave_no_stray_white_space() -> None:
    """A block tag's own line and its indent disappear; a template's last newline stays."""
    env = Renderer().environment
    source = "one\n    {% if true %}\n  two\n    {% endif %}\nthree\n"
    assert env.from_string(source).render() == "one\n  two\nthree\n"


def test_a_renderer_sees_a_users_edit_on_the_next_page(minimal: Pathway, tmp_path: Path) -> None:
    """The default: a user editing their templates sees each edit on the next render."""
    page = _user_page(tmp_path, "FIRST")
    renderer = Renderer(tmp_path)
    journey = Journey.begin(minimal)
    assert "FIRST" in renderer.render(journey)
    _edit(page, "EDITED ")
    assert "EDITED FIRST" in renderer.render(journey)


def test_reread_false_reads_each_template_once(minimal: Pathway, tmp_path: Path) -> None:
    """``reread=False`` (one build of many pages): the user's templates are used, read
    when first needed, and not looked at again."""
    page = _user_page(tmp_path, "FIRST")
    renderer = Renderer(tmp_path, reread=False)
    assert renderer.environment is not Renderer(tmp_path).environment
    journey = Journey.begin(minimal)
    assert "FIRST" in renderer.render(journey)
    _edit(page, "EDITED ")
    assert "EDITED" not in renderer.render(journey)


def test_reread_false_keeps_what_it_compiles(minimal: Pathway, tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    page = Renderer(reread=False, kept_bytecode=folder).render(Journey.begin(minimal))
    kept = sorted(folder.glob("*.bytecode"))
    assert kept
    again = Renderer(reread=False, kept_bytecode=folder)
    assert isinstance(again.environment.bytecode_cache, KeptBytecode)
    assert again.render(Journey.begin(minimal)) == page
    assert sorted(folder.glob("*.bytecode")) == kept
    assert Renderer(reread=False).environment.bytecode_cache is None


def test_no_template_is_kept_when_the_key_cannot_be_made(
    minimal: Pathway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If what the compiled code depends on cannot be read, nothing is kept or loaded."""

    def unreadable(part: Any) -> None:
        raise OSError("unreadable")

    monkeypatch.setattr(cache, "_stamp_code", unreadable)
    kept = KeptBytecode(tmp_path)
    assert kept.get_cache_key("text/state.txt", "/a/text/state.txt") == ""
    page = Renderer(kept_bytecode=tmp_path).render(Journey.begin(minimal))
    assert list(tmp_path.iterdir()) == []
    assert page == Renderer().render(Journey.begin(minimal))


# --------------------------------------------------------------------------- snapshot


def test_a_snapshot_uses_the_users_templates_as_they_were(minimal: Pathway, tmp_path: Path) -> None:
    """A snapshot compiles every template when it is made: an edit after that, even one
    before its first page, is not what it shows."""
    page = _user_page(tmp_path, "FIRST")
    snapshot = Renderer(tmp_path, snapshot=True)
    _edit(page, "EDITED ")
    shown = snapshot.render(Journey.begin(minimal))
    assert "FIRST" in shown and "EDITED" not in shown
    assert snapshot.environment is not Renderer(tmp_path).environment


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_snapshot_refuses_a_broken_template_at_once(fmt: str, tmp_path: Path) -> None:
    """Every page template, of every format, is compiled when the snapshot is made: a
    broken one is a ContentError at its file and line before any page is asked for."""
    page = _user_page(tmp_path, "line\n{% if %}", fmt)
    with pytest.raises(ContentError) as caught:
        Renderer(tmp_path, snapshot=True)
    [problem] = caught.value.problems
    assert problem.location == Location(str(page.resolve()), 2, 1)
    assert problem.message.startswith("template error: ")
    assert "jinja.palletsprojects.com" in (problem.hint or "")


def test_a_snapshot_keeps_no_compiled_templates(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^a snapshot compiles every template itself; it"):
        Renderer(snapshot=True, kept_bytecode=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- rendering


def test_text_is_the_default_format(minimal: Pathway) -> None:
    journey = Journey.begin(minimal)
    assert Renderer().render(journey) == Renderer().render(journey, "text")
    assert render(journey) == render(journey, "text")
    view = journey_view(journey)
    assert Renderer().render_view(view) == Renderer().render_view(view, "text")


def test_json_is_the_view_readable_and_indented(minimal: Pathway) -> None:
    """JSON keeps every character as itself (no \\u escapes) and is indented by two."""

    def accented(data: dict[str, Any]) -> None:
        data["states"][0]["title"] = "Rechute : la leucémie est revenue"

    journey = Journey.begin(changed(minimal, accented))
    output = Renderer().render(journey, "json")
    assert "Rechute : la leucémie est revenue" in output
    assert '\n  "pathway": {\n    "id": "minimal",' in output
    assert output.endswith("}\n")
    assert json.loads(output) == journey_view(journey)


def test_errors_a_caller_makes_are_value_errors(minimal: Pathway) -> None:
    view = journey_view(Journey.begin(minimal))
    with pytest.raises(ValueError, match=r"^unknown format 'pdf'; choose one of text, markdown,"):
        Renderer().render_view(view, "pdf")
    with pytest.raises(ValueError, match=r"^brief renders are text only$"):
        Renderer().render_view(view, "html", brief=True)


def test_without_a_terminal_text_is_80_columns_wide(
    minimal: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped to a file with no COLUMNS set, text wraps as a terminal of 80 columns would."""

    def no_terminal(fd: int = 1) -> os.terminal_size:
        raise OSError("not a terminal")

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    journey = Journey.begin(minimal)
    assert Renderer().render(journey) == Renderer().render(journey, width=80)
    assert Renderer().render(journey) != Renderer().render(journey, width=81)


@pytest.mark.parametrize("user", [False, True])
def test_a_format_without_templates_names_the_folder_it_looked_in(
    minimal: Pathway, tmp_path: Path, user: bool
) -> None:
    """If no template exists for a format, the error names the templates folder and the
    templates it looked for."""
    renderer = Renderer(tmp_path if user else None, reread=False)
    renderer.environment.loader = jinja2.FileSystemLoader(tmp_path / "empty")
    with pytest.raises(ContentError) as caught:
        renderer.render(Journey.begin(minimal), "markdown")
    [problem] = caught.value.problems
    folder = tmp_path.resolve() if user else templating.resources.default_templates_dir()
    assert problem.location == Location(str(folder), 1, 1)
    assert problem.message == (
        "no template for markdown output: looked for markdown/states/relapse.md, markdown/state.md"
    )
    assert "missing from your templates folder" in (problem.hint or "")


# --------------------------------------------------------------------------- errors


def test_a_syntax_error_without_a_line_is_at_line_one() -> None:
    problem = template_problem(jinja2.TemplateSyntaxError("bad", 0, filename="t.txt"), "f")
    assert problem.problems[0].location == Location("t.txt", 1, 1)


def test_a_template_error_message_is_jinjas_without_its_location(tmp_path: Path) -> None:
    """Jinja's own message, not its text with the file and line added again."""
    (tmp_path / "t.txt").write_text("one\n{% if %}\n", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        env.get_template("t.txt")
    [problem] = template_problem(caught.value, "fallback").problems
    assert problem.message == f"template error: {caught.value.message}"
    assert "line 2" not in problem.message
    assert problem.location == Location(str(tmp_path / "t.txt"), 2, 1)


def test_an_error_in_a_template_file_at_run_time_is_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("one\n{{ 1 // 0 }}\n", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    with pytest.raises(ZeroDivisionError) as caught:
        env.get_template("t.txt").render()
    problem = from_template(caught.value)
    assert problem is not None
    assert problem.problems[0].location == Location(str(tmp_path / "t.txt"), 2, 1)


def test_an_error_in_a_template_made_from_a_string_is_not_a_users_template() -> None:
    """A template compiled from a string (``<template>``) is code, not a user's file: its
    error is a bug to show with its traceback, not a content error."""
    with pytest.raises(ZeroDivisionError) as caught:
        jinja2.Environment().from_string("one\n{{ 1 // 0 }}\n").render()
    assert from_template(caught.value) is None


def test_render_names_the_formats_it_knows(minimal: Pathway) -> None:
    with pytest.raises(ValueError, match=r"^unknown format 'pdf'; choose one of text, markdown,"):
        Renderer().render(Journey.begin(minimal), "pdf")


# --------------------------------------------------------------------------- the frame


def test_a_page_without_the_frame_is_refused_with_what_is_missing(
    minimal: Pathway, tmp_path: Path
) -> None:
    """Each missing part of the frame is its own problem, at line 1 of the user's page,
    with the fix."""
    page = tmp_path / "text" / "state.txt"
    page.parent.mkdir()
    page.write_text("{{ title }}\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        Renderer(tmp_path).render(Journey.begin(minimal))
    hint = (
        "every page must show it: extend the packaged _base template, or print"
        " {{ intended_purpose }} and {{ support.name }} {{ support.phone }} yourself"
    )
    where = Location(str(page.resolve()), 1, 1)
    assert [(p.message, p.hint, p.location) for p in caught.value.problems] == [
        (f"the text output of template 'state.txt' does not show {what}", hint, where)
        for what in [
            "the intended-purpose statement",
            "the support line's name",
            "the support line's phone number",
        ]
    ]


def test_text_pages_are_tidied_and_html_pages_are_not(minimal: Pathway, tmp_path: Path) -> None:
    """Text and Markdown lose spaces at line ends, runs of blank lines and blank lines at
    either end, and end with one newline; HTML is left exactly as the template made it."""
    body = "\n\n{{ title }}   \n\n\n\nNext \t\n\n\n"
    for fmt in ("text", "markdown", "html"):
        _user_page(tmp_path, body, fmt)
    journey = Journey.begin(minimal)
    for fmt in ("text", "markdown"):
        output = Renderer(tmp_path).render(journey, fmt)
        assert not output.startswith("\n") and output.endswith("\n")
        assert not output.endswith("\n\n")
        assert "\n\n\n" not in output
        assert all(line == line.rstrip(" \t") for line in output.split("\n"))
        assert "The leukaemia has come back\n\nNext\n" in output
    html = Renderer(tmp_path).render(journey, "html")
    assert "The leukaemia has come back   \n\n\n\nNext \t\n\n\n" in html


def test_a_snapshot_compiles_only_templates(minimal: Pathway, tmp_path: Path) -> None:
    """Notes kept beside the templates (a README, a draft) are not compiled: only the
    pages of the three formats are."""
    _user_page(tmp_path, "OURS")
    (tmp_path / "README").write_text("Our templates {% if %}", encoding="utf-8")
    (tmp_path / "text" / "draft.txt.orig").write_text("{% if %}", encoding="utf-8")
    assert "OURS" in Renderer(tmp_path, snapshot=True).render(Journey.begin(minimal))
