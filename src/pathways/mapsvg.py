"""The pathway map for the web app: the whole pathway as an SVG diagram a browser can inline.

The layout comes from Graphviz (``dot``) through pygraphviz, whose wheel carries Graphviz
itself, so no system package is needed. It is made once per pathway, topic and link
pattern (``layout``, kept on the pathway) and never again: where a reader is changes only
the marking (``mark``), never where a box stands, so the picture holds still as the
reader moves. The pathway's phases (``Pathway.phases``: parts of the pathway in time)
are the map's rows, in order, so its arrows flow one way; a document without phases gets
rows from the number of steps from the start.

The map marks where a reader is ("you are here") and where they could go next; each mark
is carried by words in the box and by its shape (a double border, a dashed border), never
by colour alone. Colours meet WCAG 2.2 AA: text at least 4.5:1 against its fill, borders
and arrows at least 3:1 against the page. Every box has room for a mark's words, so a
mark fits without moving anything.

A map is drawn for up to ``MOST_DRAWN`` states (``drawn``): past that no one can read a
drawing (its words shrink below a few pixels, or it runs to tens of screens) and laying it
out costs a web request tens to hundreds of milliseconds, growing with every state. A
larger pathway's map page gives its places as a list instead (``pages.Pages.map_page``),
and ``layout`` refuses to lay one out.

Every state is a link. Links are relative (``jump/<state id>`` by default), so one SVG
serves every journey that stands at the same place: the web layer caches it.

This module and ``diagram.py`` are the only ones that import ``pygraphviz`` (layer 3).
"""

from __future__ import annotations

import copy
import html
import itertools
import re
import textwrap
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from xml.etree import ElementTree

import pygraphviz  # type: ignore[import-untyped]  # no stubs or py.typed

from pathways.schema import Pathway

MOST_DRAWN = 100
"""The most states a map is drawn for (``benchmarks/map_limit.py`` measured why: at 100
states a drawing already needs 16 screens of scrolling at a laptop's width, or its words
are 3-5 px high, and Graphviz takes 35-50 ms; both grow with every state)."""
FONT = "Helvetica,Arial,sans-serif"
WRAP = 22
"""Characters per line in a box: long titles wrap rather than stretch the map."""
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class Look:
    """How one kind of box is drawn; text/fill and border/page contrasts are in the tests."""

    fill: str
    text: str
    border: str
    penwidth: str
    dashes: str | None
    double: bool
    words: str | None


PAGE = "#ffffff"
HERE = Look(
    fill="#003087",
    text="#ffffff",
    border="#003087",
    penwidth="3",
    dashes=None,
    double=True,
    words="You are here",
)
NEXT = Look(
    fill="#fff4b3",
    text="#212b32",
    border="#212b32",
    penwidth="2.5",
    dashes="6,3",
    double=False,
    words="Could come next",
)
OTHER = Look(
    fill="#ffffff",
    text="#212b32",
    border="#4c6272",
    penwidth="1.5",
    dashes=None,
    double=False,
    words=None,
)
EDGE = "#4c6272"
EDGE_NEXT = "#212b32"
PHASE_TEXT = "#212b32"

LOOKS = {"here": HERE, "next": NEXT, "other": OTHER}
WIDEST_MARK = max((look.words for look in LOOKS.values() if look.words), key=len)
"""Every box is laid out with room for this line, so any mark fits without a new layout."""


def _html_text(text: str) -> str:
    """Text for an HTML-like label, XML-escaped, with each backslash made literal.

    Graphviz expands ``\\N``, ``\\G`` and friends even inside HTML labels (and after
    decoding ``&#92;``); an invisible zero-width space after each backslash stops that.
    """
    return html.escape(text, quote=True).replace("\\", "\\\u200b")


def _label(title: str, note: str | None = None) -> str:
    """A Graphviz HTML-like label: a line for the mark (the widest mark's words, replaced
    when the box is marked), the state's title wrapped, then a note in italics."""
    lines = [_html_text(line) for line in textwrap.wrap(title, WRAP)] or [" "]
    body = f"<B>{_html_text(WIDEST_MARK)}</B><BR/>" + "<BR/>".join(lines)
    if note:
        body = f"{body}<BR/><I>{_html_text(note)}</I>"
    return f"<{body}>"


HUB_SHARE = 0.6
"""A state that this share of the others lead to (such as "talk to your healthcare team")
is a hub: its arrows would cross the whole map, so it is drawn once, at the foot, with
words saying that it can follow any (or most) other parts, and no arrows; when it could
come next, its box says so. The text list beside the map still names every link."""


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


@dataclass(frozen=True)
class Row:
    """One row of the map: a phase of the pathway (``title`` None: rows made from steps)."""

    title: str | None
    states: tuple[str, ...]


def rows(pathway: Pathway) -> tuple[Row, ...]:
    """The map's rows, top to bottom: the document's phases, or else the states by the
    fewest steps from the start (states the start does not reach come last)."""
    return pathway.derived("mapsvg.rows", lambda: _rows(pathway))


def _rows(pathway: Pathway) -> tuple[Row, ...]:
    if pathway.phases:
        return tuple(Row(p.title, tuple(p.states)) for p in pathway.phases)
    depth = {pathway.start: 0}
    queue = deque([pathway.start])
    leaving = pathway.leaving()
    while queue:
        here = queue.popleft()
        for t in leaving[here]:
            if t.dest not in depth:
                depth[t.dest] = depth[here] + 1
                queue.append(t.dest)
    last = max(depth.values()) + 1
    by_depth: dict[int, list[str]] = {}
    for state in pathway.states:
        by_depth.setdefault(depth.get(state.id, last), []).append(state.id)
    return tuple(Row(None, tuple(by_depth[d])) for d in sorted(by_depth))


def build_graph(
    pathway: Pathway,
    context: Mapping[str, str] | None = None,
    *,
    link: str = "jump/{id}",
) -> pygraphviz.AGraph:
    """The map as a graph: one row per phase, one box per state (linked, unmarked), one
    arrow per pair of states a step for this topic joins (none into a hub)."""
    graph = pygraphviz.AGraph(directed=True, strict=True, name="pathway")
    graph.graph_attr.update(
        rankdir="TB",
        fontname=FONT,
        bgcolor="transparent",
        nodesep="0.25",
        ranksep="0.55",
        newrank="true",
    )
    graph.node_attr.update(shape="box", fontname=FONT, fontsize="14", margin="0.15,0.08")
    graph.edge_attr.update(color=EDGE, penwidth="1.5", arrowsize="0.8")
    hub_words = hubs(pathway)
    the_rows = rows(pathway)
    row_of = {state_id: i for i, row in enumerate(the_rows) for state_id in row.states}
    for state in pathway.states:
        graph.add_node(
            state.id,
            label=_label(state.title, hub_words.get(state.id)),
            id=f"map-{state.id}",
            URL=link.format(id=state.id),
            style="rounded,filled",
            fillcolor=OTHER.fill,
            fontcolor=OTHER.text,
            color=OTHER.border,
            penwidth=OTHER.penwidth,
            **{"class": "map-state map-other"},
        )
    for index, row in enumerate(the_rows):
        # Made empty, then filled: given the nodes, pygraphviz walks every node of the
        # graph for each row (quadratic: most of a 5,000-state map's time).
        graph.add_subgraph(name=f"row_{index}", rank="same").add_nodes_from(row.states)
    chosen = dict(pathway.check_context(context))
    defaults = pathway.context_defaults()
    for source, t in pathway.edges():
        if not t.applies(chosen, defaults):
            continue
        if t.dest in hub_words or source == t.dest or graph.has_edge(source, t.dest):
            continue
        backwards = row_of.get(t.dest, 0) <= row_of.get(source, 0)
        graph.add_edge(
            source,
            t.dest,
            id=f"map-edge-{source}-{t.dest}",
            **({"constraint": "false"} if backwards else {}),
        )
    for upper, lower in itertools.pairwise(the_rows):
        # Keeps the rows in order where no step joins two of them.
        if not graph.has_edge(upper.states[0], lower.states[0]):
            graph.add_edge(upper.states[0], lower.states[0], style="invis", weight="0")
    return graph


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_TITLE = re.compile(r"<title>.*?</title>\s*", re.S)
_TOOLTIP = re.compile(r' xlink:title="[^"]*"')
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')
_Q = f"{{{SVG_NS}}}"

ElementTree.register_namespace("", SVG_NS)
ElementTree.register_namespace("xlink", XLINK_NS)


@dataclass(frozen=True)
class Box:
    """Where a state's box stands in the SVG's own coordinates (centre, size)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    """A map laid out once: the unmarked SVG and each box's place. Marking a copy of it
    never moves a box."""

    svg: ElementTree.Element
    boxes: Mapping[str, Box]


def drawn(pathway: Pathway) -> bool:
    """Whether this pathway's map is drawn (``MOST_DRAWN``), or given as a list only."""
    return len(pathway.states) <= MOST_DRAWN


class TooLargeToDraw(ValueError):
    """A map asked for of a pathway over ``MOST_DRAWN`` states (a bug of the caller)."""


def layout(
    pathway: Pathway, context: Mapping[str, str] | None = None, *, link: str = "jump/{id}"
) -> Layout:
    """The map for this topic, laid out once per pathway, topic and link pattern. Raises
    ``TooLargeToDraw`` for a pathway over ``MOST_DRAWN`` states (see ``drawn``)."""
    if not drawn(pathway):
        raise TooLargeToDraw(
            f"a map is drawn for up to {MOST_DRAWN} states; this pathway has"
            f" {len(pathway.states)}: show its places as a list (see mapsvg.drawn)"
        )
    chosen = dict(pathway.check_context(context))
    key = "mapsvg.layout:" + repr((sorted(chosen.items()), link))
    return pathway.derived(key, lambda: _lay_out(pathway, chosen, link))


def _lay_out(pathway: Pathway, chosen: Mapping[str, str], link: str) -> Layout:
    graph = build_graph(pathway, chosen, link=link)
    graph.layout(prog="dot")
    boxes = {}
    for state in pathway.states:
        node = graph.get_node(state.id)
        x, y = (float(v) for v in node.attr["pos"].split(","))
        # Graphviz's SVG puts the origin at the foot: y is drawn as -y.
        boxes[state.id] = Box(
            x, -y, float(node.attr["width"]) * 72, float(node.attr["height"]) * 72
        )
    raw = graph.draw(format="svg")
    svg = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    svg = _PROLOG.sub("", svg, count=1)
    svg = _COMMENT.sub("", svg)
    svg = _TITLE.sub("", svg)
    svg = _TOOLTIP.sub("", svg)
    svg = _SIZE.sub('<svg class="pathway-map"', svg, count=1)
    root = ElementTree.fromstring(svg.strip())
    _add_row_titles(root, rows(pathway), boxes)
    return Layout(root, boxes)


ROW_TITLES_WIDTH = 150.0
"""Room at the map's left for the phases' names."""
ROW_TITLE_WRAP = 17


def _add_row_titles(
    root: ElementTree.Element, the_rows: tuple[Row, ...], boxes: Mapping[str, Box]
) -> None:
    """Each phase's name at the left of its row, and a faint rule between rows, so the
    map reads as a pathway from top to bottom."""
    if not the_rows or not all(row.title for row in the_rows):
        return
    graph = next(g for g in root.iter(f"{_Q}g") if g.get("class") == "graph")
    x0, y0, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    root.set(
        "viewBox",
        f"{x0 - ROW_TITLES_WIDTH:.2f} {y0:.2f} {width + ROW_TITLES_WIDTH:.2f} {height:.2f}",
    )
    titles = ElementTree.SubElement(graph, f"{_Q}g", {"class": "map-phases"})
    # The graph's own group is moved down by the drawing's height; the rows' names go
    # into it, so they share its coordinates.
    tops = [min(boxes[s].y - boxes[s].height / 2 for s in row.states) for row in the_rows]
    bottoms = [max(boxes[s].y + boxes[s].height / 2 for s in row.states) for row in the_rows]
    left = -ROW_TITLES_WIDTH + 4
    for index, row in enumerate(the_rows):
        middle = (tops[index] + bottoms[index]) / 2
        lines = textwrap.wrap(row.title or "", ROW_TITLE_WRAP)
        first = middle - (len(lines) - 1) * 8.5 + 5
        text = ElementTree.SubElement(
            titles,
            f"{_Q}text",
            {
                "x": f"{left:.2f}",
                "y": f"{first:.2f}",
                "font-family": FONT,
                "font-size": "14",
                "font-weight": "bold",
                "fill": PHASE_TEXT,
            },
        )
        for number, line in enumerate(lines):
            span = ElementTree.SubElement(
                text, f"{_Q}tspan", {"x": f"{left:.2f}", "dy": "0" if number == 0 else "17"}
            )
            span.text = line
        if index:
            rule = (bottoms[index - 1] + tops[index]) / 2
            ElementTree.SubElement(
                titles,
                f"{_Q}line",
                {
                    "x1": f"{left:.2f}",
                    "x2": f"{width:.2f}",
                    "y1": f"{rule:.2f}",
                    "y2": f"{rule:.2f}",
                    "stroke": "#d8dde0",
                    "stroke-width": "1",
                },
            )


def _groups(root: ElementTree.Element) -> dict[str, ElementTree.Element]:
    return {g.get("id") or "": g for g in root.iter(f"{_Q}g") if g.get("id")}


def mark(
    laid_out: Layout,
    here: str | None = None,
    next_states: Collection[str] = (),
) -> str:
    """The laid-out map with ``here`` and ``next_states`` marked, as an ``<svg>`` element:
    fills, borders and the mark's words change; no box moves."""
    root = copy.deepcopy(laid_out.svg)
    groups = _groups(root)
    for state_id, box in laid_out.boxes.items():
        kind = "here" if state_id == here else "next" if state_id in next_states else "other"
        look = LOOKS[kind]
        group = groups[f"map-{state_id}"]
        group.set("class", f"node map-state map-{kind}")
        shapes = list(group.iter(f"{_Q}path")) + list(group.iter(f"{_Q}polygon"))
        for shape in shapes:
            shape.set("fill", look.fill)
            shape.set("stroke", look.border)
            shape.set("stroke-width", look.penwidth)
            if look.dashes:
                shape.set("stroke-dasharray", look.dashes)
        texts = list(group.iter(f"{_Q}text"))
        for text in texts:
            text.set("fill", look.text)
        parent = next(iter(group.iter(f"{_Q}a")), group)
        if look.double and shapes:
            inset = 4.0
            parent.insert(
                list(parent).index(shapes[-1]) + 1 if shapes[-1] in list(parent) else 1,
                ElementTree.Element(
                    f"{_Q}rect",
                    {
                        "x": f"{box.x - box.width / 2 + inset:.2f}",
                        "y": f"{box.y - box.height / 2 + inset:.2f}",
                        "width": f"{box.width - 2 * inset:.2f}",
                        "height": f"{box.height - 2 * inset:.2f}",
                        "rx": "3",
                        "fill": "none",
                        "stroke": look.text,
                        "stroke-width": "1.5",
                    },
                ),
            )
        if not texts:
            continue
        first = texts[0]
        if look.words:
            first.text = look.words
            for child in list(first):
                first.remove(child)
            # Laid out for the widest mark, drawn from its left: a shorter mark is centred.
            first.set("text-anchor", "middle")
            first.set("x", f"{box.x:.2f}")
        else:
            # No mark: the line kept for one goes, and the title moves up half a line so
            # the words stay centred in the box.
            holder = _parent_of(group, first)
            if holder is not None:
                holder.remove(first)
            if len(texts) > 1:
                shift = (float(texts[1].get("y", "0")) - float(first.get("y", "0"))) / 2
                for text in texts[1:]:
                    text.set("y", f"{float(text.get('y', '0')) - shift:.2f}")
    if here is not None:
        for target in next_states:
            edge = groups.get(f"map-edge-{here}-{target}")
            if edge is None:
                continue
            edge.set("class", "edge map-leads-on")
            for shape in list(edge.iter(f"{_Q}path")) + list(edge.iter(f"{_Q}polygon")):
                shape.set("stroke", EDGE_NEXT)
                shape.set("stroke-width", "3")
                if shape.tag == f"{_Q}polygon":
                    shape.set("fill", EDGE_NEXT)
    return ElementTree.tostring(root, encoding="unicode")


def _parent_of(root: ElementTree.Element, child: ElementTree.Element) -> ElementTree.Element | None:
    for element in root.iter():
        if child in list(element):
            return element
    return None


def map_svg(
    pathway: Pathway,
    here: str | None = None,
    next_states: Collection[str] = (),
    *,
    context: Mapping[str, str] | None = None,
    link: str = "jump/{id}",
) -> str:
    """The map as an ``<svg>`` element to place inside an HTML page.

    ``here`` is the reader's state, ``next_states`` the states one step on, ``context``
    the topic choice (arrows of steps for other topics are left out). ``link`` makes each
    box's address from the state id (relative by default, so the SVG does not depend on
    the journey and can be cached). The SVG scales to its container. Graphviz's
    ``<title>`` elements (state ids) and tooltips are removed: the words in each box name
    its link, and a tooltip would only repeat them.
    """
    return mark(layout(pathway, context, link=link), here, next_states)
