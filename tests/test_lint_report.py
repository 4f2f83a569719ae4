"""pathways lint, stated exactly: what an author reads (whole messages, hints, severities,
the figures table) and what a tool reads (the JSON report's keys, rounding and indent),
and the small parts every rule leans on (syllables of figures, quoting, word matching,
which templates are read, which readings a rule applies in)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editing import changed
from paths import DATA
from pathways import lint
from pathways.errors import Location
from pathways.lint import (
    PATHWAY_FIGURES,
    Figures,
    Finding,
    LintConfig,
    LintReport,
    Readability,
    format_json,
    format_table,
    format_text,
    lint_document,
    number_syllables,
)
from pathways.loader import parse_document
from pathways.schema import Pathway

FIXTURES = DATA / "lint"
OWN = DATA / "pathways"
LOAD_DAY = dt.date(2026, 1, 20)
LINT_DAY = dt.date(2026, 6, 1)
CLEAN = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    """``text`` with its one ``old`` replaced by ``new`` (an edit that misses fails)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def lint_text(text: str, rules: tuple[str, ...], name: str = "doc.yaml") -> LintReport:
    document = parse_document(text, name, today=LOAD_DAY)
    return lint_document(document, LintConfig(today=LINT_DAY, rules=rules))


def line_of(text: str, words: str) -> int:
    """The 1-based line of the one line of ``text`` holding ``words``."""
    [line] = [i for i, line in enumerate(text.splitlines(), 1) if words in line]
    return line


@dataclasses.dataclass(frozen=True)
class Edited:
    """A loaded document whose pathway was changed afterwards (past the loader's checks);
    locations are those of the original file."""

    pathway: Pathway
    filename: str
    original: lint.Document

    def locate(self, path: tuple[str | int, ...]) -> Location:
        return self.original.locate(path)


def lint_changed(change: object, rules: tuple[str, ...]) -> LintReport:
    """Lint clean.yaml with its data changed by ``change(data)`` after loading."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    pathway = changed(document.pathway, change)  # type: ignore[arg-type]
    return lint_document(
        Edited(pathway, "clean.yaml", document), LintConfig(today=LINT_DAY, rules=rules)
    )


def messages(report: LintReport) -> list[tuple[str, str, str]]:
    return [(f.severity, f.message, f.hint) for f in report.findings]


# --------------------------------------------------------------------------- JSON and text


FIGURES_A = Figures("a", 6.04999, 7.25001, 12, 2, 17, 1, 8)
FIGURES_LONG = Figures("second_step", 8.0, 3.1291, 3, 1, 3, 0, 3)
WHOLE = Figures(PATHWAY_FIGURES, 7.96, 5.5, 15, 3, 20, 1, 8)
FINDING = Finding(
    Location("doc.yaml", 3, 5),
    "advice",
    "error",
    "'Vous devriez' reads as advice: it tells the reader what to do \u2014 na\u00efve",
    "say what is documented instead",
)


def small_report() -> LintReport:
    return LintReport((FINDING,), Readability((FIGURES_A, FIGURES_LONG), WHOLE))


def test_json_report_is_exactly_its_keys_rounded_to_one_decimal_with_two_space_indent() -> None:
    """--format json: the documented keys, grades rounded to one decimal, non-ASCII kept
    as itself, indented by two spaces, ending in a newline."""
    expected = """{
  "findings": [
    {
      "file": "doc.yaml",
      "line": 3,
      "col": 5,
      "rule": "advice",
      "severity": "error",
      "message": "'Vous devriez' reads as advice: it tells the reader what to do \u2014 na\u00efve",
      "hint": "say what is documented instead"
    }
  ],
  "readability": {
    "states": [
      {
        "name": "a",
        "fk_grade": 6.0,
        "smog": 7.3,
        "smog_sample_ok": false,
        "words": 12,
        "sentences": 2,
        "syllables": 17,
        "polysyllables": 1,
        "longest_sentence": 8
      },
      {
        "name": "second_step",
        "fk_grade": 8.0,
        "smog": 3.1,
        "smog_sample_ok": false,
        "words": 3,
        "sentences": 1,
        "syllables": 3,
        "polysyllables": 0,
        "longest_sentence": 3
      }
    ],
    "pathway": {
      "name": "(whole pathway)",
      "fk_grade": 8.0,
      "smog": 5.5,
      "smog_sample_ok": false,
      "words": 15,
      "sentences": 3,
      "syllables": 20,
      "polysyllables": 1,
      "longest_sentence": 8
    }
  },
  "errors": 1,
  "warnings": 0
}
"""
    assert format_json(small_report()) == expected


def test_json_grades_are_floats_with_one_decimal() -> None:
    """A grade of 9.96 is 10.0 in JSON (a float, not the integer 10), and 4.449 is 4.4."""
    data = Figures("x", 9.96, 4.449, 1, 1, 1, 0, 1).as_dict()
    assert (data["fk_grade"], data["smog"]) == (10.0, 4.4)
    assert isinstance(data["fk_grade"], float) and isinstance(data["smog"], float)


def test_smog_sample_is_ok_from_thirty_sentences() -> None:
    """SMOG's sample is large enough at 30 sentences, not at 29."""
    assert Figures("x", 1.0, 1.0, 30, 30, 30, 0, 1).as_dict()["smog_sample_ok"] is True
    assert Figures("x", 1.0, 1.0, 29, 29, 29, 0, 1).as_dict()["smog_sample_ok"] is False


def test_text_report_is_the_table_a_blank_line_the_findings_and_the_summary() -> None:
    """The whole text report of a small pathway: header, rule line, one row a state, the
    whole pathway, the note under the table, a blank line, each finding with its hint,
    and the summary."""
    expected = (
        "state            FK grade   SMOG  words  longest\n"
        "------------------------------------------------\n"
        "a                     6.0    7.3     12        8\n"
        "second_step           8.0    3.1      3        3\n"
        "(whole pathway)       8.0    5.5     15        8\n"
        "FK grade over 6 warns, over 8 fails. SMOG is shown for comparison, scaled to 30"
        " sentences (states are shorter, so it is an estimate). 'longest' is the longest"
        " sentence in words.\n"
        "\n"
        "doc.yaml:3:5: advice: error: 'Vous devriez' reads as advice: it tells the reader"
        " what to do \u2014 na\u00efve\n"
        "  hint: say what is documented instead\n"
        "1 error, 0 warnings\n"
    )
    assert format_text(small_report()) == expected


def test_table_column_is_as_wide_as_the_word_state_for_short_names() -> None:
    """State ids shorter than the word 'state' still line up under it."""
    table = format_table(Readability((Figures("a", 1.0, 2.0, 3, 1, 3, 0, 3),), WHOLE))
    assert table.splitlines()[:3] == [
        "state            FK grade   SMOG  words  longest",
        "------------------------------------------------",
        "a                     1.0    2.0      3        3",
    ]
    short = format_table(
        Readability((Figures("a", 1.0, 2.0, 3, 1, 3, 0, 3),), dataclasses.replace(WHOLE, name="b"))
    )
    assert short.splitlines()[:3] == [
        "state  FK grade   SMOG  words  longest",
        "--------------------------------------",
        "a           1.0    2.0      3        3",
    ]


# --------------------------------------------------------------------------- syllables


# Each word of a spoken number and its syllables, counted by hand (say it and tap).
_SAID = {
    "zero": 2, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1, "seven": 2,
    "eight": 1, "nine": 1, "ten": 1, "eleven": 3, "twelve": 1, "thirteen": 2, "fourteen": 2,
    "fifteen": 2, "sixteen": 2, "seventeen": 3, "eighteen": 2, "nineteen": 2, "twenty": 2,
    "thirty": 2, "forty": 2, "fifty": 2, "sixty": 2, "seventy": 3, "eighty": 2, "ninety": 2,
    "hundred": 2, "thousand": 2, "million": 2, "billion": 2, "and": 1,
}  # fmt: skip
_UNITS = [w for w in _SAID if w not in {"hundred", "thousand", "million", "billion", "and"}][:20]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _spoken_below_a_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_UNITS[hundreds], "hundred"] if hundreds else []
    if rest and hundreds:
        words.append("and")
    if 0 < rest < 20:
        words.append(_UNITS[rest])
    elif rest:
        words += [_TENS[rest // 10 - 2]] + ([_UNITS[rest % 10]] if rest % 10 else [])
    return words


def spoken(n: int) -> list[str]:
    """The words of a whole number below a trillion as said in British English: "one
    thousand and five", "twenty-one thousand", "one million two hundred thousand"."""
    if n == 0:
        return ["zero"]
    words: list[str] = []
    for scale, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        count, n = divmod(n, scale)
        if count:
            words += [*_spoken_below_a_thousand(count), name]
    if words and 0 < n < 100:
        words.append("and")  # the British "and" before a last part under a hundred
    return words + _spoken_below_a_thousand(n)


def test_the_speller_says_numbers_as_a_person_does() -> None:
    """The tests' own speller, checked on numbers read aloud."""
    assert " ".join(spoken(140)) == "one hundred and forty"
    assert " ".join(spoken(1005)) == "one thousand and five"
    assert " ".join(spoken(21000)) == "twenty one thousand"
    assert " ".join(spoken(101_001)) == "one hundred and one thousand and one"
    assert " ".join(spoken(1_200_000)) == "one million two hundred thousand"


@pytest.mark.parametrize(
    ("n", "words", "syllables"),
    [  # counted by hand, syllable by syllable
        (19, "nine-teen", 2),
        (20, "twen-ty", 2),
        (21, "twen-ty-one", 3),
        (27, "twen-ty-sev-en", 4),
        (99, "nine-ty-nine", 3),
        (100, "one hun-dred", 3),
        (101, "one hun-dred and one", 5),
        (999, "nine hun-dred and nine-ty-nine", 7),
        (1000, "one thou-sand", 3),
        (1001, "one thou-sand and one", 5),
        (1100, "one thou-sand one hun-dred", 6),
        (21000, "twen-ty-one thou-sand", 5),
        (999_999, "nine hun-dred and nine-ty-nine thou-sand nine hun-dred and nine-ty-nine", 16),
        (1_000_000, "one mil-lion", 3),
        (1_000_001, "one mil-lion and one", 5),
        (7_000_000_000, "sev-en bil-lion", 4),
        (2_000_000_000_000, "two tril-lion", 3),
    ],
)
def test_figures_have_the_syllables_a_person_says(n: int, words: str, syllables: int) -> None:
    """A figure in the text counts the syllables of its words read aloud."""
    assert len(re.split(r"[ -]", words)) == syllables
    assert number_syllables(n) == syllables


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_every_figure_has_the_syllables_of_its_spoken_words(n: int) -> None:
    """Any whole number below a trillion has the syllables of its British spoken words."""
    assert number_syllables(n) == sum(_SAID[w] for w in spoken(n))
