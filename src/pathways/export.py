"""A whole pathway as plain data: a JSON-able dict, and JSON text.

For developers who embed the pathway elsewhere (a chatbot, an app, another renderer).
The export has the document's own shape (``metadata``, ``sources``, ``support``,
``glossary``, ``contexts``, ``start``, ``states``, ``transitions``) plus a few
convenience keys at the top (``format``, ``id``, ``title``, ``version``,
``intended_purpose``), so ``pathway_from_dict`` can read an export back into the same
``Pathway``.

Pure functions: no files are read or written here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pathways.schema import Pathway

FORMAT = "pathways/1"
"""Names the shape of the export; changes when a key is renamed or removed."""

_CONVENIENCE = ("format", "id", "title", "version", "intended_purpose")


def pathway_to_dict(pathway: Pathway) -> dict[str, Any]:
    """The pathway as JSON-able data: dates as ISO strings, sources of a step as a list."""
    document = pathway.model_dump(mode="json")
    meta = pathway.metadata
    states = []
    for state in document["states"]:
        states.append(
            {
                "id": state["id"],
                "title": state["title"],
                "summary": state["summary"],
                "explanation": state["explanation"],
                "facts": state["facts"],
                "questions": state["questions"],
                "terms": state["terms"],
                "end": state["end"],
                "notes": state["notes"],
                "no_figure": state["no_figure"],
                "compare": state["compare"],
            }
        )
    transitions = [
        {
            "trigger": t["trigger"],
            "source": list(t["source"]),
            "dest": t["dest"],
            "label": t["label"],
            "when": {name: list(values) for name, values in t["when"].items()},
        }
        for t in document["transitions"]
    ]
    return {
        "format": FORMAT,
        "id": meta.id,
        "title": meta.title,
        "version": meta.version,
        "intended_purpose": meta.intended_purpose,
        "start": pathway.start,
        "chapters": document["chapters"],
        "metadata": document["metadata"],
        "sources": document["sources"],
        "support": document["support"],
        "glossary": document["glossary"],
        "contexts": document["contexts"],
        "states": states,
        "transitions": transitions,
        "what_matters": document["what_matters"],
        "comparison": document["comparison"],
        "phases": [{**p, "states": list(p["states"])} for p in document["phases"]],
        "lint": document["lint"],
    }


def to_json(pathway: Pathway, *, indent: int | None = 2) -> str:
    """The export as JSON text (UTF-8 characters kept as they are), ending in a newline."""
    return json.dumps(pathway_to_dict(pathway), ensure_ascii=False, indent=indent) + "\n"


def pathway_from_dict(data: Mapping[str, Any]) -> Pathway:
    """Read an export back into a ``Pathway`` (pydantic's ValidationError if it is not one).

    Only the shape is checked here; ``checks.check_pathway`` checks the content.
    """
    document = {k: v for k, v in data.items() if k not in _CONVENIENCE}
    return Pathway.model_validate(document)
