"""Linting the tests' own documents: the fixtures' days and the calls every lint test makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from paths import DATA
from pathways.lint import LintConfig, LintReport, lint_document
from pathways.loader import parse_document

FIXTURES = DATA / "lint"
"""Each rule's failing and passing example, and the clean one."""
LOAD_DAY = dt.date(2026, 1, 20)
"""The fixtures are loaded (validated) as of this day..."""
LINT_DAY = dt.date(2026, 6, 1)
"""...and linted as of this one, so a review date can pass in between."""


def lint_text(text: str, rules: Sequence[str], name: str = "doc.yaml") -> LintReport:
    """The findings of ``rules`` in a document given as text, named ``name``."""
    document = parse_document(text, name, today=LOAD_DAY)
    return lint_document(document, LintConfig(today=LINT_DAY, rules=tuple(rules)))


def lint_fixture(
    name: str,
    rules: Sequence[str] | None = None,
    templates: Sequence[Path] = (),
    today: dt.date = LINT_DAY,
) -> LintReport:
    """The findings in ``tests/data/lint/<name>.yaml`` (every rule unless ``rules``)."""
    path = FIXTURES / f"{name}.yaml"
    document = parse_document(path.read_text(encoding="utf-8"), path.name, today=LOAD_DAY)
    config = LintConfig(
        today=today, rules=None if rules is None else tuple(rules), templates_dirs=tuple(templates)
    )
    return lint_document(document, config)


def edit(text: str, old: str, new: str) -> str:
    """``text`` with its one ``old`` replaced by ``new`` (an edit that misses fails)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)
