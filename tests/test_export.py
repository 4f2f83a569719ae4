"""Exporting a whole pathway as plain data and JSON."""

from __future__ import annotations

import json

import pytest

from paths import DATA, ROOT
from pathways.export import FORMAT, pathway_from_dict, pathway_to_dict, to_json
from pathways.loader import load_pathway
from pathways.schema import Pathway


@pytest.fixture(scope="module", params=["real", "minimal"])
def pathway(request: pytest.FixtureRequest) -> Pathway:
    file = ROOT / "pathways.yaml" if request.param == "real" else DATA / "minimal.yaml"
    return load_pathway(file)


def test_export_names_the_pathway_and_its_parts(pathway: Pathway) -> None:
    """The export carries the pathway's id, title, version, start and every section."""
    data = pathway_to_dict(pathway)
    assert data["format"] == FORMAT
    assert data["id"] == pathway.metadata.id
    assert data["title"] == pathway.metadata.title
    assert data["version"] == pathway.metadata.version
    assert data["start"] == pathway.start
    assert data["intended_purpose"] == pathway.metadata.intended_purpose
    assert data["metadata"]["next_review"] == pathway.metadata.next_review.isoformat()
    assert [s["id"] for s in data["sources"]] == [s.id for s in pathway.sources]
    assert data["support"][0]["phone"] == pathway.support_line.phone
    assert [g["id"] for g in data["glossary"]] == [g.id for g in pathway.glossary]
    assert [c["id"] for c in data["contexts"]] == [c.id for c in pathway.contexts]
    assert [c["id"] for c in data["chapters"]] == [c.id for c in pathway.chapters]


def test_export_has_every_state_with_its_content(pathway: Pathway) -> None:
    """Each state keeps its words, facts with citations, questions, terms, end flag, notes
    on its options and what it says where the source gives no figure."""
    states = pathway_to_dict(pathway)["states"]
    assert [s["id"] for s in states] == list(pathway.state_ids)
    for exported, state in zip(states, pathway.states, strict=True):
        assert set(exported) == {
            "id",
            "title",
            "summary",
            "explanation",
            "facts",
            "questions",
            "terms",
            "end",
            "notes",
            "no_figure",
            "compare",
        }
        assert exported["explanation"] == list(state.explanation)
        assert exported["end"] is state.end
        for fact, original in zip(exported["facts"], state.facts, strict=True):
            assert (fact["source"], fact["section"]) == (original.source, original.section)


def test_export_has_every_transition_with_sources_as_a_list(pathway: Pathway) -> None:
    """Each transition keeps trigger, a list of sources, dest, label and its topics."""
    transitions = pathway_to_dict(pathway)["transitions"]
    assert len(transitions) == len(pathway.transitions)
    for exported, t in zip(transitions, pathway.transitions, strict=True):
        assert exported == {
            "trigger": t.trigger,
            "source": list(t.source),
            "dest": t.dest,
            "label": t.label,
            "when": {name: list(values) for name, values in t.when.items()},
        }


def test_json_text_is_the_dict(pathway: Pathway) -> None:
    """to_json is valid JSON equal to pathway_to_dict, keeps non-ASCII text, ends in a newline."""
    text = to_json(pathway)
    assert text.endswith("}\n")
    assert json.loads(text) == pathway_to_dict(pathway)
    assert "\\u" not in text


def test_export_reads_back_as_the_same_pathway(pathway: Pathway) -> None:
    """An export read back with pathway_from_dict is the same document."""
    again = pathway_from_dict(json.loads(to_json(pathway)))
    assert again.model_dump() == pathway.model_dump()


def test_a_step_for_one_topic_keeps_its_topics() -> None:
    """A transition limited to some context values exports them as a list."""
    minimal = load_pathway(DATA / "minimal.yaml")
    [limited] = [t for t in pathway_to_dict(minimal)["transitions"] if t["when"]]
    assert limited["when"] == {"philadelphia": ["positive"]}
