"""Glossary marking: the first use on a page of each of its glossary terms, found in its
paragraphs so that the page can link the word to its explanation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pathways.schema import Pathway


def _term_pattern(
    pathway: Pathway, term_ids: Sequence[str]
) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """A pattern matching any way of writing the page's glossary terms, longest first."""
    spellings: dict[str, str] = {}
    for entry in pathway.glossary:
        if entry.id not in term_ids:
            continue
        for spelling in (entry.term, *entry.also):
            spellings.setdefault(spelling.casefold(), entry.id)
    if not spellings:
        return None
    alternatives = sorted(spellings, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(s) for s in alternatives) + r")(?![\w-])",
        re.IGNORECASE,
    )
    return pattern, spellings


def mark_terms(
    pathway: Pathway, paragraphs: Sequence[str], term_ids: Sequence[str]
) -> list[list[tuple[str, str | None]]]:
    """Each paragraph as pieces ``(text, term id or None)``: the first use on the page of
    each glossary term is marked, so the page can link it to its explanation."""
    found = _term_pattern(pathway, term_ids)
    result: list[list[tuple[str, str | None]]] = []
    seen: set[str] = set()
    for paragraph in paragraphs:
        pieces: list[tuple[str, str | None]] = []
        at = 0
        if found is not None:
            pattern, spellings = found
            for match in pattern.finditer(paragraph):
                term_id = spellings[match.group(1).casefold()]
                if term_id in seen:
                    continue
                seen.add(term_id)
                if match.start() > at:
                    pieces.append((paragraph[at : match.start()], None))
                pieces.append((match.group(1), term_id))
                at = match.end()
        if at < len(paragraph):
            pieces.append((paragraph[at:], None))
        result.append(pieces)
    return result
