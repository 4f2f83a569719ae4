"""The map's SVG: every state a link, the marks in words and shapes, contrast, escaping,
and a layout that holds still: rows by phase, made once, the same wherever the reader is."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from paths import ROOT
from pathways.loader import parse_pathway
from pathways.mapsvg import (
    EDGE,
    EDGE_NEXT,
    HERE,
    LOOKS,
    NEXT,
    OTHER,
    PAGE,
    PHASE_TEXT,
    hubs,
    layout,
    map_svg,
    rows,
)
from pathways.schema import Pathway

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def nodes(svg: str) -> dict[str, ElementTree.Element]:
    """The map's boxes by state id."""
    tree = ElementTree.fromstring(svg)
    found = {}
    for group in tree.iter(f"{SVG}g"):
        if "map-state" in (group.get("class") or "").split():
            found[(group.get("id") or "").removeprefix("map-")] = group
    return found


def words(group: ElementTree.Element) -> str:
    return " ".join(" ".join(t.itertext()) for t in group.iter(f"{SVG}text"))


def test_contrast_meets_wcag_aa_for_every_mark() -> None:
    """Words in each box reach 4.5:1 on its fill; borders and arrows reach 3:1 on the page."""
    for look in LOOKS.values():
        assert contrast(look.text, look.fill) >= 4.5, look
        assert contrast(look.border, PAGE) >= 3, look
    assert contrast(EDGE, PAGE) >= 3
    assert contrast(EDGE_NEXT, PAGE) >= 3
    assert contrast(PHASE_TEXT, PAGE) >= 4.5
    # The inner line of "here"'s double border is drawn in its text colour.
    assert contrast(HERE.text, HERE.fill) >= 3


def test_marks_differ_in_shape_and_words_not_only_colour() -> None:
    """'Here' has a double border, 'next' a dashed one, and each says so in words."""
    assert HERE.double and not OTHER.double and not NEXT.double
    assert NEXT.dashes and not OTHER.dashes and not HERE.dashes
    assert HERE.words == "You are here"
    assert NEXT.words == "Could come next"
    assert OTHER.words is None


def test_every_state_is_one_link(pathway: Pathway) -> None:
    """Each state's box is a link to jump/<id>; the SVG parses as XML."""
    svg = map_svg(pathway, "relapse", {"palliative_care"})
    tree = ElementTree.fromstring(svg)
    links = [a.get(f"{XLINK}href") or "" for a in tree.iter(f"{SVG}a")]
    assert sorted(links) == sorted(f"jump/{s.id}" for s in pathway.states)


def test_here_and_next_are_marked(pathway: Pathway) -> None:
    """The reader's state says 'You are here' with two outlines; each next state its mark."""
    svg = map_svg(pathway, "relapse", {"palliative_care", "reinduction"})
    boxes = nodes(svg)
    assert words(boxes["relapse"]).startswith("You are here")
    assert len(list(boxes["relapse"].iter(f"{SVG}rect"))) == 1  # the inner border
    for state_id in ("palliative_care", "reinduction"):
        assert words(boxes[state_id]).startswith("Could come next")
        assert any(p.get("stroke-dasharray") for p in boxes[state_id].iter(f"{SVG}path"))
    assert svg.count("You are here") == 1
    assert svg.count("Could come next") == 2


def test_no_mark_without_a_place(pathway: Pathway) -> None:
    """Without a reader's place the map marks nothing."""
    svg = map_svg(pathway)
    assert "You are here" not in svg and "Could come next" not in svg


def test_link_pattern_is_used(pathway: Pathway) -> None:
    """The link pattern makes each box's address."""
    svg = map_svg(pathway, link="/somewhere/{id}")
    assert 'xlink:href="/somewhere/relapse"' in svg


def test_svg_is_ready_to_inline(pathway: Pathway) -> None:
    """No XML prolog, doctype, comments, size in points, tooltips or inline style."""
    svg = map_svg(pathway, "relapse")
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert "xlink:title" not in svg and "<title>" not in svg
    assert 'width="' not in svg.split(">", 1)[0]
    assert not re.search(r"\sstyle=", svg) and "<style" not in svg


def test_hub_states_lose_their_many_arrows(pathway: Pathway) -> None:
    """A state most others lead to is drawn once with words instead of arrows."""
    found = hubs(pathway)
    assert found == {
        "talk_to_team": "Can follow any other part",
        "palliative_care": "Can follow most parts",
    }
    svg = map_svg(pathway, "first_treatment", {"talk_to_team"})
    assert "Can follow any other part" in svg
    edges = [
        g
        for g in ElementTree.fromstring(svg).iter(f"{SVG}g")
        if "edge" in (g.get("class") or "").split()
    ]
    assert len(edges) < sum(len(t.source) for t in pathway.transitions)


def test_text_is_escaped_and_backslashes_stay_literal() -> None:
    """Markup and Graphviz escapes in a title show as written, and the SVG stays valid XML."""
    text = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Remission\n", 'title: "<b>Remission</b> & \\\\N \\\\G \\\\L"\n', 1)
    pathway = parse_pathway(text, "escape.yaml")
    svg = map_svg(pathway, "relapse")
    shown = re.sub(r"\u200b", "", words(nodes(svg)["remission"]))
    assert shown == "<b>Remission</b> & \\N \\G \\L"
    assert "<b>" not in svg


def shapes(svg: str) -> dict[str, str]:
    """Each box's outline (its path's geometry) by state id."""
    return {
        state_id: next(group.iter(f"{SVG}path")).get("d") or ""
        for state_id, group in nodes(svg).items()
    }


def test_boxes_stand_still_wherever_the_reader_is(pathway: Pathway) -> None:
    """Marking another place moves no box: every outline is the same at the start, at the
    relapse and at an end point, and with no place marked."""
    places = [
        map_svg(pathway),
        map_svg(pathway, "first_treatment", {"remission", "no_remission"}),
        map_svg(pathway, "relapse", {"reinduction", "palliative_care", "talk_to_team"}),
        map_svg(pathway, "palliative_care", {"talk_to_team"}),
    ]
    first = shapes(places[0])
    assert len(first) == len(pathway.states)
    for svg in places[1:]:
        assert shapes(svg) == first
        assert ElementTree.fromstring(svg).get("viewBox") == (
            ElementTree.fromstring(places[0]).get("viewBox")
        )


def test_topics_with_the_same_steps_share_a_layout(pathway: Pathway) -> None:
    """A topic whose steps are those of the default is laid out the same way; each topic's
    layout is made once and kept on the pathway."""
    default = layout(pathway)
    assert layout(pathway) is default
    assert layout(pathway, {"philadelphia": "positive"}) is layout(
        pathway, {"philadelphia": "positive"}
    )
    positive = shapes(map_svg(pathway, "relapse", context={"philadelphia": "positive"}))
    assert positive == shapes(map_svg(pathway, "relapse"))


def test_a_topic_leaves_out_the_steps_not_for_it(pathway: Pathway) -> None:
    """For Philadelphia negative ALL no arrow leads to the TKI option; the box stays."""
    svg = map_svg(pathway, context={"philadelphia": "negative"})
    assert "map-edge-relapse-tki_switch" not in svg
    assert "tki_switch" in nodes(svg)
    assert "map-edge-relapse-tki_switch" in map_svg(pathway)


def test_rows_are_the_phases_and_arrows_flow_down(pathway: Pathway) -> None:
    """Each phase is a row, in the document's order; every state in a row stands at the
    same height, each row below the one before, and each phase's name is on the map."""
    laid = layout(pathway)
    heights = []
    for row in rows(pathway):
        ys = {round(laid.boxes[s].y, 1) for s in row.states}
        assert len(ys) == 1, (row.title, ys)
        heights.append(ys.pop())
    assert heights == sorted(heights)
    svg = map_svg(pathway)
    for phase in pathway.phases:
        assert phase.title.split()[0] in svg


def test_rows_without_phases_follow_the_steps_from_the_start() -> None:
    """A document without phases gets rows by the fewest steps from its start."""
    text = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")
    pathway = parse_pathway(text, "minimal.yaml")
    found = rows(pathway)
    assert found[0].states == (pathway.start,)
    assert all(row.title is None for row in found)
    assert sorted(s for row in found for s in row.states) == sorted(pathway.state_ids)
    laid = layout(pathway)
    ys = [laid.boxes[row.states[0]].y for row in found]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
