"""A reader's own notes: the questions they pick or write, and their answers to the
document's open prompts ("What matters to me").

The notes belong to the reader and never reach a server. In the browser they live only in
the address's fragment (``#notes=1&...``, see ``templates/web/static/notes.js``), which
browsers do not send; the pages only carry what the script needs to show them: each
question's key and the catalogue of questions and prompts (``catalogue``). In the terminal
``pathways walk --notes FILE`` keeps them in the file the reader names (``notes_text``).

A ticked question is named by its state and a key made from its words
(``question_key``), not by its place in the list: a reader's saved address keeps meaning
the same question when the content is reordered, and one whose words changed is shown as
no longer in the guide rather than as another question.

Layer 3: reads the pathway model only; no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pathways.schema import Pathway

NOTES_MAX_CHARS = 2000
"""Most characters the notes may take in an address (after the ``#``). Addresses of a few
thousand characters work everywhere, and the print page's QR code of the whole address
(at most 2,953 bytes) still fits with the journey's token beside them."""
OWN_QUESTION_MAX = 300
"""Most characters of one question a reader writes."""
ANSWER_MAX = 600
"""Most characters of one answer to a prompt."""


def question_key(text: str) -> str:
    """The key of a question in a reader's notes: 8 hex digits from its words."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def keyed_questions(questions: Sequence[str]) -> list[dict[str, str]]:
    """A state's questions, each with its key, as the state page's tick boxes need them."""
    return [{"key": question_key(q), "text": q} for q in questions]


def catalogue(pathway: Pathway) -> dict[str, Any]:
    """What the notes pages' script needs to show a reader's notes: each state's title and
    questions by key. The same for every reader (nothing about them)."""
    return {
        "states": {
            s.id: {"title": s.title, "questions": {question_key(q): q for q in s.questions}}
            for s in pathway.states
        },
    }


@dataclass(frozen=True)
class Question:
    """One question in a reader's list: ticked from a state's list, or their own words."""

    state: str
    text: str
    own: bool = False


def notes_view(pathway: Pathway) -> dict[str, Any]:
    """What a page that shows the reader's notes needs (the same for every reader): the
    document's prompts and the catalogue of questions, built once per pathway."""
    return {
        "what_matters": [{"id": p.id, "prompt": p.prompt} for p in pathway.what_matters],
        "notes_catalogue": pathway.derived("notes_catalogue", lambda: catalogue(pathway)),
    }


def notes_text(pathway: Pathway, questions: Sequence[Question]) -> str:
    """The reader's questions as a plain text file, in the order they were added, each
    with the step it came from. Nothing else: no path, no topic, no answers."""
    lines = ["My questions for my healthcare team", ""]
    for number, question in enumerate(questions, start=1):
        title = pathway.state(question.state).title
        mine = ", my own question" if question.own else ""
        lines.append(f"{number}. {question.text}")
        lines.append(f"   (from the step “{title}”{mine})")
    lines.append("")
    return "\n".join(lines)
