"""The option grid of presenter mode: at a branch, what the source says about each option,
side by side, row by row. Made from the pathway alone (no page, no web framework), so a
cell the source leaves empty stays empty: the page says "The source does not say". Layer 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pathways.journey import Journey
from pathways.schema import Pathway

__all__ = ["option_grid"]


def option_grid(pathway: Pathway, journey: Journey) -> list[dict[str, Any]] | None:
    """At a branch (two or more ways on), what the source says about each option, row
    by row: what it is, the document's comparison rows (how it is given, ...), its
    figures and its source. A cell the source leaves empty is None (the page says "The
    source does not say"), never a guess."""
    steps = journey.next_steps()
    if len(steps) < 2:
        return None
    sources = {s.id: s for s in pathway.sources}
    dests = [pathway.state(step.dest) for step in steps]

    def cited(source_id: str, sections: Sequence[str]) -> str:
        source = sources[source_id]
        quoted = ", ".join(f"“{section}”" for section in sections)
        return f"{source.publisher}, “{source.title}”: {quoted}"

    def figures(state_id: str) -> list[str] | None:
        state = pathway.state(state_id)
        found = [
            f"{f.text} Whom this figure is about: {f.number.about}."
            for f in state.facts
            if f.number
        ]
        if found:
            return found
        return [state.no_figure] if state.no_figure else None

    def source_of(state_id: str) -> list[str] | None:
        state = pathway.state(state_id)
        by_source: dict[str, list[str]] = {}
        for fact in state.facts:
            sections = by_source.setdefault(fact.source, [])
            if fact.section not in sections:
                sections.append(fact.section)
        return [cited(sid, sections) for sid, sections in by_source.items()] or None

    rows: list[dict[str, Any]] = [
        {"id": "summary", "title": "What it is", "cells": [[d.summary] for d in dests]}
    ]
    for row in pathway.comparison:
        cells: list[list[str] | None] = []
        for dest in dests:
            said = dest.compare.get(row.id)
            cells.append([said.text, f"Section: “{said.section}”."] if said else None)
        rows.append({"id": row.id, "title": row.title, "cells": cells})
    rows.append(
        {
            "id": "figures",
            "title": "What the figures are",
            "cells": [figures(d.id) for d in dests],
        }
    )
    rows.append({"id": "source", "title": "The source", "cells": [source_of(d.id) for d in dests]})
    return rows
