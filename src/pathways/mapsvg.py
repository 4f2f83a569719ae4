"""The pathway map for the web app: the whole pathway as an SVG diagram a browser can inline.

The layout comes from Graphviz (``dot``) through pygraphviz, whose wheel carries Graphviz
itself, so no system package is needed. The map marks where a reader is ("you are here")
and where they could go next; each mark is carried by words in the box and by its shape
(a double border, a dashed border), never by colour alone. Colours meet WCAG 2.2 AA:
text at least 4.5:1 against its fill, borders and arrows at least 3:1 against the page.

Every state is a link. Links are relative (``jump/<state id>`` by default), so one SVG
serves every journey that stands at the same place: the web layer caches it.

This module and ``diagram.py`` are the only ones that import ``pygraphviz`` (layer 3).
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass

import pygraphviz  # type: ignore[import-untyped]  # no stubs or py.typed

from pathways.schema import Pathway

FONT = "Helvetica,Arial,sans-serif"
WRAP = 22
"""Characters per line in a box: long titles wrap rather than stretch the map."""


@dataclass(frozen=True)
class Look:
    """How one kind of box is drawn; text/fill and border/page contrasts are in the tests."""

    fill: str
    text: str
    border: str
    style: str
    penwidth: str
    peripheries: str
    words: str | None


PAGE = "#ffffff"
HERE = Look(
    fill="#003087",
    text="#ffffff",
    border="#003087",
    style="rounded,filled,bold",
    penwidth="2",
    peripheries="2",
    words="You are here",
)
NEXT = Look(
    fill="#fff4b3",
    text="#212b32",
    border="#212b32",
    style="rounded,filled,dashed,bold",
    penwidth="2.5",
    peripheries="1",
    words="Could come next",
)
OTHER = Look(
    fill="#ffffff",
    text="#212b32",
    border="#4c6272",
    style="rounded,filled",
    penwidth="1.5",
    peripheries="1",
    words=None,
)
EDGE = "#4c6272"
EDGE_NEXT = "#212b32"

LOOKS = {"here": HERE, "next": NEXT, "other": OTHER}


def _html_text(text: str) -> str:
    """Text for an HTML-like label, XML-escaped, with each backslash made literal.

    Graphviz expands ``\\N``, ``\\G`` and friends even inside HTML labels (and after
    decoding ``&#92;``); an invisible zero-width space after each backslash stops that.
    """
    return html.escape(text, quote=True).replace("\\", "\\\u200b")


def _label(title: str, words: str | None, note: str | None = None) -> str:
    """A Graphviz HTML-like label: the mark's words in bold, the state's title wrapped,
    then a note in italics; all escaped."""
    lines = [_html_text(line) for line in textwrap.wrap(title, WRAP)] or [" "]
    body = "<BR/>".join(lines)
    if words:
        body = f"<B>{_html_text(words)}</B><BR/>{body}"
    if note:
        body = f"{body}<BR/><I>{_html_text(note)}</I>"
    return f"<{body}>"


HUB_SHARE = 0.75
"""A state that this share of the others lead to (such as "talk to your healthcare team")
is a hub: its arrows would cross the whole map, so it is drawn once, at the foot, with
words saying that it can follow any (or most) other parts, and only the arrow from where
the reader is. The text list beside the map still names every link."""


def hubs(pathway: Pathway) -> dict[str, str]:
    """Hub states and the words that replace their arrows."""
    sources: dict[str, set[str]] = {s.id: set() for s in pathway.states}
    for t in pathway.transitions:
        sources[t.dest].update(src for src in t.source if src != t.dest)
    found: dict[str, str] = {}
    others = len(pathway.states) - 1
    if others < 4:
        return found
    for state_id, froms in sources.items():
        if len(froms) >= HUB_SHARE * others:
            found[state_id] = (
                "Can follow any other part" if len(froms) == others else "Can follow most parts"
            )
    return found


def build_graph(
    pathway: Pathway,
    here: str | None = None,
    next_states: Collection[str] = (),
    *,
    link: str = "jump/{id}",
) -> pygraphviz.AGraph:
    """The map as a graph: one box per state (linked), one arrow per pair of states."""
    graph = pygraphviz.AGraph(directed=True, strict=True, name="pathway")
    graph.graph_attr.update(
        rankdir="TB",
        fontname=FONT,
        bgcolor="transparent",
        nodesep="0.3",
        ranksep="0.4",
        concentrate="true",
    )
    graph.node_attr.update(shape="box", fontname=FONT, fontsize="14", margin="0.15,0.08")
    graph.edge_attr.update(color=EDGE, penwidth="1.5", arrowsize="0.8")
    hub_words = hubs(pathway)
    for state in pathway.states:
        kind = "here" if state.id == here else "next" if state.id in next_states else "other"
        look = LOOKS[kind]
        graph.add_node(
            state.id,
            label=_label(state.title, look.words, hub_words.get(state.id)),
            id=f"map-{state.id}",
            URL=link.format(id=state.id),
            style=look.style,
            fillcolor=look.fill,
            fontcolor=look.text,
            color=look.border,
            penwidth=look.penwidth,
            peripheries=look.peripheries,
            **{"class": f"map-state map-{kind}"},
        )
    if hub_words:
        graph.add_subgraph(list(hub_words), name="hubs", rank="sink")
    for source, t in pathway.edges():
        leads_on = source == here and t.dest in next_states
        if t.dest in hub_words and not leads_on:
            continue
        if graph.has_edge(source, t.dest):
            if leads_on:
                graph.get_edge(source, t.dest).attr.update(color=EDGE_NEXT, penwidth="3")
            continue
        graph.add_edge(
            source,
            t.dest,
            **({"color": EDGE_NEXT, "penwidth": "3"} if leads_on else {}),
        )
    return graph


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_TITLE = re.compile(r"<title>.*?</title>\s*", re.S)
_TOOLTIP = re.compile(r' xlink:title="[^"]*"')
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


def map_svg(
    pathway: Pathway,
    here: str | None = None,
    next_states: Collection[str] = (),
    *,
    link: str = "jump/{id}",
) -> str:
    """The map as an ``<svg>`` element to place inside an HTML page.

    ``here`` is the reader's state, ``next_states`` the states one step on. ``link`` makes
    each box's address from the state id (relative by default, so the SVG does not depend
    on the journey and can be cached). The SVG scales to its container. Graphviz's
    ``<title>`` elements (state ids) and tooltips are removed: the words in each box name
    its link, and a tooltip would only repeat them.
    """
    raw = build_graph(pathway, here, next_states, link=link).draw(format="svg", prog="dot")
    svg = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    svg = _PROLOG.sub("", svg, count=1)
    svg = _COMMENT.sub("", svg)
    svg = _TITLE.sub("", svg)
    svg = _TOOLTIP.sub("", svg)
    svg = _SIZE.sub('<svg class="pathway-map"', svg, count=1)
    return svg.strip()
