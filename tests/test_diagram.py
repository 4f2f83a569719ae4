"""Diagrams of a pathway: Mermaid and Graphviz DOT text."""

from __future__ import annotations

import re
from typing import Any

import pygraphviz  # type: ignore[import-untyped]  # ships no type information
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editing import changed
from paths import MINIMAL
from pathways.diagram import dot_string, mermaid_label, to_dot, to_mermaid
from pathways.errors import UnknownContextError, UnknownStateError
from pathways.loader import load_pathway
from pathways.schema import Pathway

NASTY = 'He said "stop" <b>now</b> & #35; `code` | [x] {y} \\n \\N; end --> x\nnext line'


def _edges(pathway: Pathway) -> set[tuple[str, str]]:
    return {(source, t.dest) for t in pathway.transitions for source in t.source}


def _mermaid_edges(text: str) -> set[tuple[str, str]]:
    found = re.findall(r"^\s+s_(\w+) -->\|\"[^\"]*\"\| s_(\w+)$", text, re.M)
    return {(a, b) for a, b in found}


def _as_shown(label: str) -> str:
    """A DOT label as Graphviz draws it, with its line breaks as spaces."""
    return re.sub(r"\\(.)", lambda m: " " if m[1] == "n" else m[1], label)


def _dot(text: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=text)


# --------------------------------------------------------------------------- Mermaid


def test_mermaid_draws_every_state_and_every_step(real: Pathway) -> None:
    """Every state is a node and every step (from each of its sources) an edge."""
    text = to_mermaid(real)
    assert text.startswith("flowchart TD\n")
    nodes = set(re.findall(r"^\s+s_(\w+)[(\[]", text, re.M))
    assert nodes == set(real.state_ids)
    assert _mermaid_edges(text) == _edges(real)
    assert f"pathway_start --> s_{real.start}" in text


def test_mermaid_shapes_end_points_differently(minimal: Pathway) -> None:
    """End points are stadium shapes; other states are rounded boxes."""
    text = to_mermaid(minimal)
    assert '    s_remission(["Remission"])' in text
    assert '    s_palliative_care(["Palliative care"])' in text
    assert '    s_relapse("The leukaemia has come back")' in text
    assert "class s_remission,s_palliative_care endpoint" in text


def test_mermaid_marks_the_highlighted_state_in_words_and_style(minimal: Pathway) -> None:
    """The highlighted state says 'You are here' and gets the thick 'here' class."""
    text = to_mermaid(minimal, highlight="reinduction")
    assert 's_reinduction("You are here: Treatment to bring back remission")' in text
    assert "\n    class s_reinduction here\n" in text
    assert "classDef here" in text and "stroke-width:5px" in text
    assert to_mermaid(minimal).count("You are here") == 0


def test_mermaid_has_an_accessible_title(minimal: Pathway) -> None:
    """The diagram carries an accessible title and description."""
    text = to_mermaid(minimal)
    assert "    accTitle: A small test pathway\n" in text
    assert "    accDescr: " in text


def test_mermaid_labels_are_escaped(minimal: Pathway) -> None:
    """Quotes, tags, entities and line breaks in labels cannot break the Mermaid syntax."""

    def change(data: dict[str, Any]) -> None:
        data["states"][0]["title"] = NASTY
        data["transitions"][0]["label"] = NASTY

    text = to_mermaid(changed(minimal, change))
    node = next(line for line in text.splitlines() if line.startswith("    s_relapse("))
    inner = node[len('    s_relapse("') : -len('")')]
    assert '"' not in inner and "<" not in inner and ">" not in inner and "`" not in inner
    assert "#quot;stop#quot;" in inner
    assert "#35;35;" in inner  # the author's own '#35;' is shown, not read as '#'
    assert _mermaid_edges(text) == _edges(minimal)
    assert len(text.splitlines()) == len(to_mermaid(minimal).splitlines())


def test_mermaid_ids_avoid_keywords(minimal: Pathway) -> None:
    """A state called 'end' (a Mermaid keyword) is drawn under a prefixed id."""

    def change(data: dict[str, Any]) -> None:
        data["states"][2]["id"] = "end"
        for t in data["transitions"]:
            t["dest"] = "end" if t["dest"] == "remission" else t["dest"]

    text = to_mermaid(changed(minimal, change))
    assert '    s_end(["Remission"])' in text
    assert not re.search(r"^\s+end\b", text, re.M)


@given(st.text(max_size=80))
def test_mermaid_label_is_always_one_safe_line(text: str) -> None:
    """Whatever the text, a Mermaid label has no quote, tag bracket, backtick or line break."""
    label = mermaid_label(text)
    assert not set(label) & set('"<>`\n\r')


# --------------------------------------------------------------------------- DOT


def test_dot_parses_and_draws_every_state_and_step(real: Pathway) -> None:
    """The DOT text is valid Graphviz with a node per state and an edge per step."""
    graph = _dot(to_dot(real))
    assert set(graph.nodes()) == {*real.state_ids, "_start"}
    assert {(a, b) for a, b in graph.edges() if a != "_start"} == _edges(real)
    assert graph.has_edge("_start", real.start)


def test_dot_shapes_end_points_differently(minimal: Pathway) -> None:
    """End points are double ellipses; other states are boxes."""
    graph = _dot(to_dot(minimal))
    end = graph.get_node("remission").attr
    assert end["shape"] == "ellipse" and end["peripheries"] == "2"
    assert graph.get_node("relapse").attr["shape"] in ("", None, "box")
    assert graph.node_attr["shape"] == "box"


def test_dot_marks_the_highlighted_state_by_shape_width_and_words(minimal: Pathway) -> None:
    """The highlighted state has a thick bold outline and 'You are here' in its label."""
    graph = _dot(to_dot(minimal, highlight="relapse"))
    here = graph.get_node("relapse").attr
    assert here["penwidth"] == "5"
    assert "bold" in here["style"]
    assert here["label"].startswith("You are here:\\n")
    plain = _dot(to_dot(minimal))
    assert not plain.get_node("relapse").attr["penwidth"]
    assert "You are here" not in plain.get_node("relapse").attr["label"]


def test_dot_labels_are_escaped(minimal: Pathway) -> None:
    """Quotes, backslashes and line breaks in labels cannot break or change the DOT."""

    def change(data: dict[str, Any]) -> None:
        data["states"][0]["title"] = NASTY
        data["transitions"][0]["label"] = NASTY

    graph = _dot(to_dot(changed(minimal, change)))
    label = graph.get_node("relapse").attr["label"]
    assert _as_shown(label) == " ".join(NASTY.split())
    assert {(a, b) for a, b in graph.edges() if a != "_start"} == _edges(minimal)


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=60))
def test_dot_string_always_reads_back_as_the_same_text(text: str) -> None:
    """Whatever the text, Graphviz reads the DOT string back as that text on one line."""
    graph = pygraphviz.AGraph(string=f"digraph {{ a [label={dot_string(text)}] }}")
    shown = graph.get_node("a").attr["label"] or ""
    expected = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())
    assert shown.replace("\\\\", "\\") == expected


# --------------------------------------------------------------------------- both


@pytest.mark.parametrize("draw", [to_mermaid, to_dot], ids=["mermaid", "dot"])
def test_an_unknown_highlight_names_the_closest_state(minimal: Pathway, draw: Any) -> None:
    """Highlighting a state that does not exist is an error with a did-you-mean hint."""
    with pytest.raises(UnknownStateError, match="did you mean 'relapse'") as caught:
        draw(minimal, highlight="relapsed")
    assert "relapse" in caught.value.allowed


def _labelled_edges(text: str) -> list[tuple[str, str, str]]:
    """(source, dest, label as shown) for every step in Mermaid or DOT text."""
    if text.startswith("flowchart"):
        found = re.findall(r"^\s+s_(\w+) -->\|\"([^\"]*)\"\| s_(\w+)$", text, re.M)
        return [(a, b, label) for a, label, b in found]
    graph = _dot(text)
    return [
        (edge[0], edge[1], _as_shown(edge.attr["label"] or ""))
        for edge in graph.edges()
        if edge[0] != "_start"
    ]


@pytest.mark.parametrize("draw", [to_mermaid, to_dot], ids=["mermaid", "dot"])
def test_a_context_leaves_out_steps_for_other_topics(real: Pathway, draw: Any) -> None:
    """Steps for one topic are labelled by default, kept for it, and left out for others."""
    limited = {(source, t.dest) for t in real.transitions if t.when for source in t.source}
    assert limited, "the real pathway has steps for one topic only"
    for context, kept, note in [
        (None, True, True),
        ({"philadelphia": "positive"}, True, False),
        ({"philadelphia": "negative"}, False, False),
    ]:
        edges = _labelled_edges(draw(real, context=context))
        drawn = {(a, b) for a, b, _ in edges}
        assert (limited <= drawn) is kept, context
        assert drawn | limited == _edges(real), context
        for a, b, label in edges:
            if (a, b) in limited:
                assert label.endswith("(for Philadelphia positive ALL)") is note, label
            else:
                assert "(for " not in label, label


@pytest.mark.parametrize("draw", [to_mermaid, to_dot], ids=["mermaid", "dot"])
@pytest.mark.parametrize(
    "context", [{"philly": "positive"}, {"philadelphia": "yes"}], ids=["name", "value"]
)
def test_an_unknown_context_lists_what_is_allowed(
    real: Pathway, draw: Any, context: dict[str, str]
) -> None:
    """An unknown context name or value is an error listing the allowed ones."""
    with pytest.raises(UnknownContextError) as caught:
        draw(real, context=context)
    assert caught.value.allowed


@pytest.mark.parametrize("draw", [to_mermaid, to_dot], ids=["mermaid", "dot"])
def test_drawing_is_deterministic(real: Pathway, draw: Any) -> None:
    """The same pathway always gives the same text (diffs of diagrams stay small)."""
    assert draw(real, highlight="relapse") == draw(real, highlight="relapse")


# --------------------------------------------------------------------------- hostile labels

_MINIMAL = load_pathway(MINIMAL)
_HOSTILE_BITS = [
    '%%{init: {"theme": "dark"}}%%',
    "%%",
    "%",
    "{",
    "}",
    '"',
    "'",
    "#",
    "#35;",
    "&amp;",
    "-->",
    "|",
    "[",
    "])",
    "(( ",
    "\n",
    "\\n",
    "\\N",
    ";",
    "click s_relapse call alert()",
    "style s_relapse fill:red",
    "<b>",
    "`",
    " end ",
    "subgraph",
    "-> x [label=y]",
    "} digraph {",
    "//",
    "/*",
    "# ",
]
_hostile_text = (
    st.lists(
        st.one_of(
            st.sampled_from(_HOSTILE_BITS),
            st.text(
                st.characters(
                    exclude_categories=["Cs"],
                    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
                ),
                max_size=6,
            ),
        ),
        min_size=1,
        max_size=8,
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


def _hostile_pathway(title: str, label: str, purpose: str, support: str) -> Pathway:
    def change(data: dict[str, Any]) -> None:
        data["states"][0]["title"] = title
        data["transitions"][0]["label"] = label
        data["metadata"]["intended_purpose"] = purpose
        data["support"][0]["name"] = support

    return changed(_MINIMAL, change)


def _shown(text: str) -> str:
    """Text as a diagram shows it: control characters and line breaks as single spaces."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())


def _decoded(label: str) -> str:
    named = {"quot": '"', "lt": "<", "gt": ">", "amp": "&"}
    return re.sub(r"#(\d+|quot|lt|gt|amp);", lambda m: named.get(m[1]) or chr(int(m[1])), label)


_MERMAID_LINE = re.compile(
    r"flowchart TD"
    r"|    accTitle: [^\n]*"
    r"|    accDescr: [^%{}\n]*"
    r'|    pathway_start\(\("Start"\)\)'
    r"|    pathway_start --> s_[a-z0-9_]+"
    r'|    s_[a-z0-9_]+(?:\("|\(\[")[^"\'`<>{}%|\n]*(?:"\)|"\]\))'
    r'|    s_[a-z0-9_]+ -->\|"[^"\'`<>{}%|\n]*"\| s_[a-z0-9_]+'
    r"|    classDef (?:endpoint|here) [a-z0-9:#,\-]+"
    r"|    class [a-z0-9_,]+ (?:endpoint|here)"
)


@given(_hostile_text, _hostile_text, _hostile_text, _hostile_text)
def test_no_label_can_open_a_mermaid_directive_node_or_edge(
    title: str, label: str, purpose: str, support: str
) -> None:
    """Whatever the texts, every Mermaid line is one of the shapes we write, no directive
    can start, each label reads back as written, and the statement and support line are
    in the accessible description."""
    pathway = _hostile_pathway(title, label, purpose, support)
    text = to_mermaid(pathway, highlight="relapse")
    assert "%%" not in text
    for line in text.splitlines():
        assert _MERMAID_LINE.fullmatch(line), line
    node = next(line for line in text.splitlines() if line.startswith("    s_relapse("))
    assert _decoded(node[len('    s_relapse("') : -len('")')]) == _shown(
        "You are here: " + pathway.states[0].title
    )
    assert _mermaid_edges(text) == _edges(pathway)
    description = next(line for line in text.splitlines() if "accDescr" in line)
    assert "Support: " in description and pathway.support_line.phone in description


@given(_hostile_text, _hostile_text, _hostile_text, _hostile_text)
def test_no_label_can_open_a_dot_node_edge_or_attribute(
    title: str, label: str, purpose: str, support: str
) -> None:
    """Whatever the texts, Graphviz reads exactly our nodes and edges, each label as
    written, and the statement and support line in the graph's label and comments."""
    pathway = _hostile_pathway(title, label, purpose, support)
    text = to_dot(pathway)
    graph = _dot(text)
    assert set(graph.nodes()) == {*pathway.state_ids, "_start"}
    assert {(a, b) for a, b in graph.edges() if a != "_start"} == _edges(pathway)
    assert _as_shown(graph.get_node("relapse").attr["label"]) == _shown(pathway.states[0].title)
    assert set(graph.graph_attr.keys()) == {"label", "labelloc", "fontname", "rankdir"}
    shown = " ".join(_as_shown(graph.graph_attr["label"]).split())
    assert _shown(pathway.metadata.intended_purpose) in shown
    assert f"Support: {_shown(pathway.support_line.name)}" in shown
    comments = [line for line in text.splitlines() if line.startswith("    //")]
    assert len(comments) == 3
