"""Generate a large, valid pathway document for the scale benchmarks.

    .venv/bin/python benchmarks/generate.py 5000 > /tmp/p5000.yaml

Each state looks like a real one (a title, a summary, two paragraphs of explanation, a
fact with a number and its source, a glossary term, questions), so the cost measured is
the cost of real content, not of empty records. The states form a long pathway: each
leads on to the next two, every tenth has a step for one topic only, and the last two
are end points. Everything is reachable from the start and every reference resolves, so
the document passes `pathways validate`. The text is made up; it is not clinical content.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

SECTIONS = ["Treatment", "Side effects", "Support for you"]


def generate(states: int) -> dict[str, Any]:
    """A valid pathway document (plain data) with ``states`` states."""
    if states < 3:
        raise ValueError("a generated pathway needs at least 3 states")
    ids = [f"s{n}" for n in range(states)]
    ends = set(ids[-2:])
    document: dict[str, Any] = {
        "metadata": {
            "id": f"generated_{states}",
            "title": f"A generated pathway of {states} states",
            "version": "1.0",
            "intended_purpose": "This is general information for a benchmark. It is not"
            " medical advice and cannot tell you what will happen to you.",
            "publisher": "The pathways benchmarks",
            "reviewed": "2026-01-15",
            "next_review": "2099-12-31",
        },
        "sources": [
            {
                "id": f"source{n}",
                "title": f"Patient information page {n}",
                "publisher": "A benchmark publisher",
                "url": f"https://example.org/page{n}",
                "accessed": "2026-01-15",
                "sections": list(SECTIONS),
            }
            for n in range(10)
        ],
        "support": [
            {
                "name": "Support line",
                "phone": "0808 2080 888",
                "offers": "Someone to talk to about what is happening.",
                "source": "source0",
            }
        ],
        "glossary": [
            {
                "id": f"term{n}",
                "term": f"word{n}",
                "definition": f"What word{n} means, in one plain sentence.",
                "source": f"source{n % 10}",
            }
            for n in range(50)
        ],
        "contexts": [
            {
                "id": "philadelphia",
                "label": "Type of ALL",
                "values": [
                    {"id": "any", "label": "All types of ALL"},
                    {"id": "positive", "label": "Philadelphia positive ALL"},
                    {"id": "negative", "label": "Philadelphia negative ALL"},
                ],
                "default": "any",
            }
        ],
        "start": ids[0],
        "states": [_state(n, state_id, state_id in ends) for n, state_id in enumerate(ids)],
        "transitions": [],
    }
    transitions: list[dict[str, Any]] = document["transitions"]
    for n, state_id in enumerate(ids):
        if state_id in ends:
            continue
        for hop in (1, 2):
            if n + hop < states:
                step: dict[str, Any] = {
                    "trigger": f"go_{hop}_from_{state_id}",
                    "source": state_id,
                    "dest": ids[n + hop],
                    "label": f"Step {hop} from part {n}",
                }
                if hop == 2 and n % 10 == 0:
                    step["when"] = {"philadelphia": "positive"}
                transitions.append(step)
    return document


def _state(n: int, state_id: str, end: bool) -> dict[str, Any]:
    term = f"word{n % 50}"
    state: dict[str, Any] = {
        "id": state_id,
        "title": f"Part {n} of the pathway",
        "summary": f"What happens in part {n}, in one or two plain sentences.",
        "explanation": [
            f"Your healthcare team may talk to you about part {n}. The {term} is explained"
            " below, with the questions you might like to ask.",
            "Everyone's situation is different. This page describes what the source"
            " says, and it cannot say what will happen to you.",
        ],
        "terms": [f"term{n % 50}"],
        "facts": [
            {
                "text": f"In one study, around {n % 9 + 1} in 10 people had this.",
                "source": f"source{n % 10}",
                "section": SECTIONS[n % 3],
                "number": {
                    "count": n % 9 + 1,
                    "out_of": 10,
                    "hedge": "around",
                    "about": "people in the study",
                },
            }
        ],
        "questions": [f"What does part {n} mean for me?", "Who can I talk to about it?"],
    }
    if end:
        state["end"] = True
    return state


def to_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    sys.stdout.write(to_yaml(generate(count)))


if __name__ == "__main__":
    main()
