"""A pathway as a diagram: Mermaid flowchart text and Graphviz DOT text.

Pure functions from a ``Pathway`` to text. One small graph model (``_graph``) is built
first and each format is a small renderer over it, so the formats cannot disagree about
what is drawn. Every state and every step is drawn; end points have their own shape;
the "you are here" state is marked by shape, line width and the words "You are here",
never by colour alone. A context (topic choice) leaves out the steps that are not for it,
and a step limited to some topics is labelled with them, as ``Journey.next_steps`` does.

Labels are escaped for each syntax, so no pathway text can break out of a label: in
Mermaid no label can open a directive (``%%{...}%%``, found anywhere in the text), a
node, an edge or a string; in DOT none can end its string or smuggle in an escape.
Every diagram carries the pathway's intended-purpose statement and its support line
(Mermaid: the accessible description; DOT: comments and the graph's label), as every
page does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pathways.schema import ContextValue, Pathway

HERE = "You are here"


@dataclass(frozen=True)
class _Node:
    id: str
    label: str
    end: bool
    here: bool


@dataclass(frozen=True)
class _Edge:
    source: str
    dest: str
    label: str


@dataclass(frozen=True)
class _Graph:
    title: str
    purpose: str
    support: str
    start: str
    nodes: tuple[_Node, ...]
    edges: tuple[_Edge, ...]


def _graph(pathway: Pathway, highlight: str | None, context: Mapping[str, str] | None) -> _Graph:
    if highlight is not None:
        pathway.check_state(highlight)
    chosen = dict(pathway.check_context(context))
    defaults = pathway.context_defaults()
    topics = {(c.id, v.id): v for c in pathway.contexts for v in c.values}
    nodes = tuple(_Node(s.id, s.title, s.end, s.id == highlight) for s in pathway.states)
    edges: list[_Edge] = []
    for source, t in pathway.edges():
        if not t.applies(chosen, defaults):
            continue
        applies_to = [topics[pair] for pair in t.limited_to(chosen)]
        label = t.label + _applies_note(applies_to)
        edges.append(_Edge(source, t.dest, label))
    return _Graph(
        pathway.metadata.title,
        pathway.metadata.intended_purpose,
        support_words(pathway),
        pathway.start,
        nodes,
        tuple(edges),
    )


def support_words(pathway: Pathway) -> str:
    """The support line as one sentence: 'Support: <name>, <phone>. <offers>'."""
    line = pathway.support_line
    return f"Support: {line.name}, {line.phone}. {line.offers}"


def _applies_note(values: list[ContextValue]) -> str:
    """'(for <phrase> or <phrase>)' when every topic has a phrase; a bare label is never
    put in a sentence: '(only for: <label>; <label>)'."""
    if not values:
        return ""
    if all(v.phrase for v in values):
        return f" (for {' or '.join(v.phrase or '' for v in values)})"
    return f" (only for: {'; '.join(v.label for v in values)})"


# --------------------------------------------------------------------------- Mermaid


def _one_line(text: str) -> str:
    """Control characters and line breaks become spaces: a label is one line."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())


def mermaid_label(text: str) -> str:
    """Text safe inside a double-quoted Mermaid label.

    Mermaid reads ``#name;`` as an entity, and labels may be drawn as HTML, so the
    characters that could end the label, start an entity, open a tag or a Markdown
    string, or (``%``, ``{``, ``}``) a directive are written as entity codes.
    """
    return "".join(_MERMAID_CODES.get(ch, ch) for ch in _one_line(text))


_MERMAID_CODES = {
    "#": "#35;",
    '"': "#quot;",
    "'": "#39;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "%": "#37;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
}


def mermaid_plain(text: str) -> str:
    """Text for a Mermaid line that entity codes would not be decoded in (the accessible
    description): one line, with no character that could open a directive, a block or (if
    a renderer drew it as HTML) a tag."""
    shown = _one_line(text).replace("%", " percent")
    shown = shown.translate(str.maketrans("{}<>", "()()"))
    return " ".join(shown.split())


def _mermaid_id(state_id: str) -> str:
    # A prefix keeps ids clear of Mermaid keywords ("end", "graph", "style") and of
    # ids starting with "o" or "x", which can be read as edge ends.
    return f"s_{state_id}"


def to_mermaid(
    pathway: Pathway,
    highlight: str | None = None,
    context: Mapping[str, str] | None = None,
) -> str:
    """The pathway as a Mermaid flowchart; ``highlight`` marks the 'you are here' state."""
    graph = _graph(pathway, highlight, context)
    lines = [
        "flowchart TD",
        f"    accTitle: {mermaid_label(graph.title)}",
        f"    accDescr: {mermaid_plain(graph.purpose)} {mermaid_plain(graph.support)}"
        " Every step in this pathway. Rounded boxes are places in the journey, stadium"
        " shapes are end points and the thick box is where you are.",
        '    pathway_start(("Start"))',
    ]
    for node in graph.nodes:
        label = mermaid_label(f"{HERE}: {node.label}" if node.here else node.label)
        shape = ('(["', '"])') if node.end else ('("', '")')
        lines.append(f"    {_mermaid_id(node.id)}{shape[0]}{label}{shape[1]}")
    lines.append(f"    pathway_start --> {_mermaid_id(graph.start)}")
    for edge in graph.edges:
        lines.append(
            f'    {_mermaid_id(edge.source)} -->|"{mermaid_label(edge.label)}"|'
            f" {_mermaid_id(edge.dest)}"
        )
    # Black on white and on pale yellow: over 15:1, and the thick border and the words
    # "You are here" carry the meaning without the colour.
    lines.append("    classDef endpoint stroke:#1a1a1a,stroke-width:2px,color:#1a1a1a")
    lines.append(
        "    classDef here fill:#fff4b3,stroke:#1a1a1a,stroke-width:5px,"
        "color:#1a1a1a,font-weight:bold"
    )
    ends = [_mermaid_id(n.id) for n in graph.nodes if n.end]
    if ends:
        lines.append(f"    class {','.join(ends)} endpoint")
    here = [_mermaid_id(n.id) for n in graph.nodes if n.here]
    if here:
        lines.append(f"    class {','.join(here)} here")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- DOT


def dot_string(text: str) -> str:
    """Text as a double-quoted DOT string that shows exactly that text.

    Backslashes are doubled so that DOT's own escapes (``\\n``, ``\\N``, ``\\G``) cannot be
    smuggled in; quotes are escaped; a line break in the text becomes one space.
    """
    escaped = _one_line(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _dot_comment(text: str) -> str:
    """Text for a ``//`` comment line: one line, so the comment cannot end early."""
    return _one_line(text)


def _wrap(text: str, width: int = 28) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _dot_label(text: str, width: int = 28) -> str:
    """A node or edge label wrapped onto short centred lines."""
    return "\\n".join(dot_string(line)[1:-1] for line in _wrap(_one_line(text), width))


def to_dot(
    pathway: Pathway,
    highlight: str | None = None,
    context: Mapping[str, str] | None = None,
) -> str:
    """The pathway as a Graphviz DOT digraph; ``highlight`` marks the 'you are here' state."""
    graph = _graph(pathway, highlight, context)
    out = [
        "digraph pathway {",
        f"    // {_dot_comment(graph.title)}",
        f"    // {_dot_comment(graph.purpose)}",
        f"    // {_dot_comment(graph.support)}",
        f'    graph [label="{_dot_label(graph.title, 60)}\\n\\n{_dot_label(graph.purpose, 60)}'
        f'\\n{_dot_label(graph.support, 60)}", labelloc=t, fontname="Helvetica",'
        " rankdir=TB];",
        '    node [shape=box, style="rounded", fontname="Helvetica", color="#1a1a1a",'
        ' fontcolor="#1a1a1a"];',
        '    edge [fontname="Helvetica", fontsize=11, color="#1a1a1a", fontcolor="#1a1a1a"];',
        '    "_start" [shape=circle, label="Start", style=bold];',
    ]
    for node in graph.nodes:
        attrs = []
        if node.here:
            attrs.append(f'label="{_dot_label(HERE + ":")}\\n{_dot_label(node.label)}"')
            attrs.append("penwidth=5")
            attrs.append('style="rounded,filled,bold"')
            attrs.append('fillcolor="#fff4b3"')
        else:
            attrs.append(f'label="{_dot_label(node.label)}"')
        if node.end:
            attrs.append("shape=ellipse")
            attrs.append("peripheries=2")
            if not node.here:
                attrs.append("style=solid")
        out.append(f"    {dot_string(node.id)} [{', '.join(attrs)}];")
    out.append(f'    "_start" -> {dot_string(graph.start)};')
    for edge in graph.edges:
        out.append(
            f"    {dot_string(edge.source)} -> {dot_string(edge.dest)}"
            f' [label="{_dot_label(edge.label)}"];'
        )
    out.append("}")
    return "\n".join(out) + "\n"
