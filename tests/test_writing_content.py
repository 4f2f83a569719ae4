"""docs/writing-content.md: its examples are valid, and its complete example passes the
lint and renders the scope, the note, the caption, no_figure and the chapter it shows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from pathways.journey import Journey
from pathways.lint import LintConfig, lint_document
from pathways.loader import parse_document
from pathways.templating import render

DOC = Path(__file__).resolve().parents[1] / "docs" / "writing-content.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
TODAY = dt.date(2026, 6, 1)


def _complete() -> str:
    text = DOC.read_text(encoding="utf-8").split("## A complete example", 1)[1]
    return re.findall(r"```yaml\n(.*?)```", text, re.S)[0]


def test_every_yaml_example_is_valid_yaml() -> None:
    """Each YAML snippet on the page reads as YAML (a mapping or a list)."""
    assert len(BLOCKS) >= 6
    for block in BLOCKS:
        assert isinstance(yaml.safe_load(re.sub(r"^  ", "", block, flags=re.M)), dict | list)


def test_the_complete_example_passes_every_lint_rule() -> None:
    """The complete example validates and passes all lint rules: no errors, no warnings."""
    document = parse_document(_complete(), "writing-content.md", today=TODAY)
    report = lint_document(document, LintConfig(today=TODAY))
    assert [str(f) for f in report.findings] == []


def test_the_complete_example_shows_what_the_page_describes() -> None:
    """Rendered, the example shows its note beside its option, the caption and scope beside
    its figure, and its no_figure line."""
    pathway = parse_document(_complete(), "writing-content.md", today=TODAY).pathway
    relapse = " ".join(render(Journey.begin(pathway), "text", width=88).split())
    assert "The source says this is usually the first step." in relapse
    chemo = " ".join(render(Journey.begin(pathway, at="chemo"), "text", width=88).split())
    assert "The figures here are about adults with ALL, or people in trials." in chemo
    html = render(Journey.begin(pathway, at="chemo"), "html")
    assert "Each filled figure stands for a person in the trials for whom it worked." in html
    trial = render(Journey.begin(pathway, at="trial"), "markdown")
    assert "The source gives no figure for this." in trial
    assert [c.start for c in pathway.chapters] == ["relapse"]
