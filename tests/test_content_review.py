"""docs/content-review.md covers the whole pathway: a clinician checking it sees every
claim, figure, note, no-figure line, way on and glossary entry of pathways.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathways.schema import Pathway

REVIEW = Path(__file__).resolve().parents[1] / "docs" / "content-review.md"


@pytest.fixture(scope="module")
def review() -> str:
    text = REVIEW.read_text(encoding="utf-8")
    return " ".join(text.replace("\\|", "|").split())


def _fold(text: str) -> str:
    return " ".join(text.split())


def test_every_text_of_every_state_is_reviewed(review: str, pathway: Pathway) -> None:
    """Each summary, paragraph, fact, note, no-figure line and option-grid cell appears
    word for word."""
    for state in pathway.states:
        assert f"### `{state.id}`" in review, state.id
        texts = [state.summary, *state.explanation, *(f.text for f in state.facts)]
        texts += [n.text for n in state.notes]
        texts += [state.no_figure] if state.no_figure else []
        texts += [said.text for said in state.compare.values()]
        for text in texts:
            assert _fold(text) in review, (state.id, text)


def test_every_figure_is_reviewed_with_whom_it_is_about(review: str, pathway: Pathway) -> None:
    """Each figure's words (hedge, count, whom) and its filled figure appear."""
    for state in pathway.states:
        for fact in state.facts:
            if fact.number:
                n = fact.number
                assert f"{n.hedge} {n.count} in {n.out_of} {_fold(n.about)}" in review
                assert n.filled is not None and _fold(n.filled) in review


def test_every_way_on_is_reviewed(review: str, pathway: Pathway) -> None:
    """Each step from each state has its row in the ways-on table."""
    for t in pathway.transitions:
        for source in t.source:
            assert f"| `{source}` | `{t.trigger}` | `{t.dest}` |" in review, (source, t.trigger)


def test_the_whole_document_and_the_glossary_are_reviewed(review: str, pathway: Pathway) -> None:
    """The scope, the chapters and every glossary definition appear."""
    assert pathway.metadata.scope is not None
    assert _fold(pathway.metadata.scope.text) in review
    for chapter in pathway.chapters:
        assert chapter.title in review
    for entry in pathway.glossary:
        assert _fold(entry.definition) in review, entry.id
