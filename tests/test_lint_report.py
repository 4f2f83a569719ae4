"""pathways lint, stated exactly: what an author reads (whole messages, hints, severities,
the figures table) and what a tool reads (the JSON report's keys, rounding and indent),
and the small parts every rule leans on (syllables of figures, quoting, word matching,
which templates are read, which readings a rule applies in)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editing import changed
from linting import FIXTURES, LINT_DAY, LOAD_DAY, edit, lint_text
from paths import DATA
from pathways import lint
from pathways.errors import Location
from pathways.lint import (
    PATHWAY_FIGURES,
    Figures,
    Finding,
    Issue,
    LintConfig,
    LintReport,
    Phrase,
    Readability,
    Run,
    Scorer,
    bounded,
    display_path,
    find_advice,
    format_json,
    format_table,
    format_text,
    frequencies,
    is_initialism,
    lint_document,
    load_data,
    number_syllables,
    pathway_denominator,
    rule,
    template_files,
    term_matcher,
    visible_template_text,
    words_of,
)
from pathways.loader import parse_document
from pathways.schema import Pathway

OWN = DATA / "pathways"
CLEAN = (FIXTURES / "clean.yaml").read_text(encoding="utf-8")


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
        (10**15, "one thou-sand tril-lion", 5),
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


def test_a_figure_with_thousands_separators_is_one_number() -> None:
    """A figure such as "1,500" is one word, "one thousand five hundred" (6 syllables),
    not "1" and "500"; a comma between other digits still separates two figures."""
    assert words_of("About 1,500 people, or 2,000,000.") == [
        "About",
        "1,500",
        "people",
        "or",
        "2,000,000",
    ]
    assert words_of("scores of 1,50 and 12,3456") == [
        "scores",
        "of",
        "1",
        "50",
        "and",
        "12",
        "3456",
    ]
    scorer = Scorer()
    assert scorer.syllables("1,500") == scorer.syllables("1500") == 6
    assert scorer.syllables("2,000,000") == 3


def test_initialisms_are_read_letter_by_letter_with_a_plural_s() -> None:
    """ "GPs" is two letters read out (G, P) and matched only in capitals; a capital S is a
    letter, a lower-case s the plural; a word in lower case is no initialism."""
    assert is_initialism("GPs") and is_initialism("NHS") and is_initialism("MRI-A")
    assert not is_initialism("Gps") and not is_initialism("gps") and not is_initialism("A")
    scorer = Scorer()
    assert scorer.syllables("GPs") == 2
    assert scorer.syllables("WHO") == 5  # double-you (3), aitch, oh
    [pattern] = term_matcher(["GPs"])
    assert pattern.search("see your GPs") and not pattern.search("the gps signal")


def test_initialisms_match_only_in_capitals_and_words_in_any_case() -> None:
    """A glossary or medical word in capitals ("ALL") is not found in "all"; a word in
    lower case is found in any case; ``bounded`` ignores case unless told not to."""
    initialism, word = term_matcher(["ALL", "relapse"])
    assert initialism.search("adults with ALL") and not initialism.search("all of them")
    assert word.search("A Relapse") and word.search("RELAPSE")
    assert not bounded("NHS", ignore_case=False).search("nhs")
    assert bounded("NHS").search("nhs")


def test_a_british_spelling_is_rewritten_only_to_a_word_the_dictionary_knows() -> None:
    """'haematology' reads as 'hematology'; a made-up word whose rewrite is unknown too
    keeps its own spelling."""
    data = load_data()
    scorer = Scorer(data.syllables, data.spelling)
    assert scorer.american("haematology") == "hematology"
    assert scorer.american("zorbise") is None
    assert scorer.american("praise") is None  # known as it is


# --------------------------------------------------------------------------- figures


def test_texts_without_words_have_all_figures_zero_with_the_states_name() -> None:
    """No texts, or texts of punctuation only, score zero everywhere, under their name."""
    scorer = Scorer()
    zero = Figures("relapse", 0.0, 0.0, 0, 0, 0, 0, 0)
    assert scorer.figures("relapse", []) == zero
    assert scorer.figures("relapse", ["...", " - "]) == zero
    assert zero.as_dict() == {
        "name": "relapse",
        "fk_grade": 0.0,
        "smog": 0.0,
        "smog_sample_ok": False,
        "words": 0,
        "sentences": 0,
        "syllables": 0,
        "polysyllables": 0,
        "longest_sentence": 0,
    }


def test_one_word_is_scored_as_one_word() -> None:
    """ "Yes." is one sentence of one word of one syllable: FK 0.39 + 11.8 - 15.59."""
    figures = Scorer().figures("x", ["Yes."])
    assert (figures.words, figures.sentences, figures.syllables) == (1, 1, 1)
    assert figures.fk_grade == pytest.approx(0.39 + 11.8 - 15.59)
    assert figures.longest_sentence == 1


def test_figures_count_words_sentences_and_syllables() -> None:
    """ "The cat sat. A dog ran by." is 7 words, 2 sentences, 7 syllables (counted by
    hand), the longest sentence 4 words."""
    figures = Scorer().figures("x", ["The cat sat. A dog ran by."])
    assert (figures.words, figures.sentences, figures.syllables) == (7, 2, 7)
    assert (figures.polysyllables, figures.longest_sentence) == (0, 4)


# --------------------------------------------------------------------------- quoting


def _cite_section(section: str) -> object:
    def change(data: dict[str, object]) -> None:
        data["states"][1]["facts"][0]["section"] = section  # type: ignore[index]

    return change


@pytest.mark.parametrize(
    ("section", "quoted"),
    [
        ("x" * 60, "'" + "x" * 60 + "'"),  # 60 characters: kept whole
        ("y" * 61, "'" + "y" * 57 + "...'"),  # one over: cut to 57 and '...'
        # the cut falls after a space (character 57), which is not kept before the '...'
        ("a" * 56 + " " + "b" * 10, "'" + "a" * 56 + "...'"),
        ("Lots   of\nspace " + "z" * 60, "'Lots of space " + "z" * 43 + "...'"),
    ],
    ids=["60", "61", "space-at-cut", "white-space"],
)
def test_a_quoted_text_is_cut_at_60_characters_with_dots(section: str, quoted: str) -> None:
    """A text quoted in a message is kept whole up to 60 characters (white space folded);
    a longer one is cut to 57 characters, trailing space dropped, and ends with '...'."""
    report = lint_changed(_cite_section(section), ("provenance",))
    assert messages(report) == [
        (
            "error",
            f"a fact in state 'chemo' cites section {quoted}, which source 'page' does not declare",
            "cite one of its sections: Acute lymphoblastic leukaemia (ALL) relapse;"
            " Support for you",
        )
    ]


# --------------------------------------------------------------------------- numbers


def test_frequencies_in_words_and_their_span() -> None:
    """'one in a hundred' (any white space) is 1 in 100; the span ends where it does."""
    text = "For about one in a  hundred people, it works."
    [found] = frequencies(text)
    assert (found.count, found.out_of) == (1, 100)
    assert text[found.start : found.end] == "one in a  hundred"


def test_a_figure_is_quoted_alone_in_its_message() -> None:
    """A figure in another denominator or without a cited fact is quoted as written,
    without the words after it."""

    def add_summary(data: dict[str, object]) -> None:
        data["states"][2]["summary"] = "About 3 in 20 people join a trial. Few say no."  # type: ignore[index]

    report = lint_changed(add_summary, ("numbers", "provenance"))
    assert sorted(f.message for f in report.findings) == [
        "the figure '3 in 20' counts in 20; the rest of the pathway counts in 10",
        "the figure '3 in 20' is not the number of any cited fact",
    ]


def _set_numbers(*numbers: dict[str, object] | None, texts: tuple[str, ...] = ()) -> object:
    """A change giving the chemo state one fact for each number (None: a fact without
    one), the fact's text from ``texts`` or saying the number with its hedge."""

    def change(data: dict[str, object]) -> None:
        chemo = data["states"][1]  # type: ignore[index]
        template = chemo["facts"][0]
        facts = []
        for i, number in enumerate(numbers):
            if number is None:
                text = texts[i]
            else:
                words = f"{number['hedge']} {number['count']} in {number['out_of']}"
                text = (
                    texts[i]
                    if i < len(texts) and texts[i]
                    else f"In trials, this worked for {words} people."
                )
            facts.append({**template, "text": text, "number": number})
        chemo["facts"] = facts

    return change


def _number(count: int, out_of: int, **more: object) -> dict[str, object]:
    return {
        "count": count,
        "out_of": out_of,
        "hedge": "around",
        "about": "people in trials",
        "filled": "a person it worked for",
        **more,
    }


def test_the_denominator_is_the_structured_numbers_before_the_texts() -> None:
    """The pathway's denominator is the one most structured numbers use, even where the
    texts say another more often; without structured numbers, the texts' own."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    texts = ("Around 1 in 100 people, and 2 in 100 more, and 3 in 100 after that.",)
    structured = changed(document.pathway, _set_numbers(_number(4, 10), None, texts=("", *texts)))  # type: ignore[arg-type]
    assert pathway_denominator(structured) == 10
    plain = changed(document.pathway, _set_numbers(None, texts=texts))  # type: ignore[arg-type]
    assert pathway_denominator(plain) == 100


def test_a_fact_number_in_another_denominator_and_without_filled_is_said_exactly() -> None:
    """A fact's number without 'filled' warns, and one counting in other than the
    pathway's denominator is an error: whole messages and hints."""
    report = lint_changed(
        _set_numbers(_number(4, 10), _number(4, 10), _number(2, 100, filled=None)), ("numbers",)
    )
    assert sorted(messages(report), key=lambda m: m[1]) == [
        (
            "error",
            "the figure '2 in 100' counts in 100; the rest of the pathway counts in 10",
            "use one denominator across the pathway: '... in 10'",
        ),
        (
            "error",
            "the number says 2 in 100; the rest of the pathway counts in 10",
            "use one denominator across the pathway (for example 'in 10'), so readers"
            " never have to compare fractions",
        ),
        (
            "warning",
            "the picture of around 2 in 100 does not say whom a filled figure stands for",
            "add filled: to the number, e.g. 'a person the treatment worked for', so the"
            " icon array's caption says what it shows",
        ),
    ]


def test_a_fact_number_missing_from_its_text_is_said_with_its_words() -> None:
    """A fact whose text does not give its number is told the words to add."""
    report = lint_changed(
        _set_numbers(_number(4, 10), texts=("In trials, this often worked.",)), ("numbers",)
    )
    assert messages(report) == [
        (
            "error",
            "the fact's number (around 4 in 10) is not in its text",
            "say it in words beside the picture: 'around 4 in 10 people in trials'",
        )
    ]


# --------------------------------------------------------------------------- advice


def test_advice_with_a_left_curly_quote_for_an_apostrophe_is_caught_as_written() -> None:
    """ "You\u2018ll need to" (a left curly quote typed for the apostrophe) is advice, and
    the message quotes the text as written."""
    hits = list(find_advice("Then you\u2018ll need to rest.", load_data().advice))
    assert [(start, end) for start, end, _ in hits] == [(5, 19)]

    def advise(data: dict[str, object]) -> None:
        data["states"][0]["summary"] = "Then you\u2018ll need to rest."  # type: ignore[index]

    report = lint_changed(advise, ("advice",))
    [finding] = report.findings
    assert finding.message == "'you\u2018ll need to' reads as advice: " + hits[0][2].says
    assert (finding.severity, finding.hint) == ("error", hits[0][2].hint)


def test_the_documents_advice_phrases_are_reported_with_their_hint() -> None:
    """A phrase from lint.advice_phrases is an error with the message and hint that say
    where it comes from and what to write instead."""

    def add_phrase(data: dict[str, object]) -> None:
        data["lint"]["advice_phrases"] = ["go for it"]  # type: ignore[index]
        data["states"][0]["summary"] = "Some people go for it."  # type: ignore[index]

    assert messages(lint_changed(add_phrase, ("advice",))) == [
        (
            "error",
            "'go for it' reads as advice: the pathway's lint.advice_phrases lists it",
            "rewrite it as information: 'your healthcare team may ...', 'some people ...'",
        )
    ]


def _phrase(pattern: str, says: str) -> Phrase:
    return Phrase(re.compile(pattern), says, "hint")


@pytest.mark.parametrize("order", [1, -1], ids=["short-first", "long-first"])
def test_overlapping_advice_is_reported_once_as_the_longest(order: int) -> None:
    """Where phrases overlap at one position, the longest is reported, whatever the order
    of the list; a phrase starting inside it is not reported."""
    phrases = [_phrase("you should", "short"), _phrase("you should not wait", "long")]
    phrases.append(_phrase("not wait long", "inside"))
    hits = list(find_advice("you should not wait long", phrases[::order]))
    assert [(s, e, p.says) for s, e, p in hits] == [(0, 19, "long")]


def test_advice_phrases_that_touch_are_both_reported() -> None:
    """Two phrases back to back (one ends where the next begins) are two findings."""
    phrases = [_phrase("act now!", "first"), _phrase("rest", "second")]
    hits = list(find_advice("act now!rest", phrases))
    assert [(s, e, p.says) for s, e, p in hits] == [(0, 8, "first"), (8, 12, "second")]


# --------------------------------------------------------------------------- templates


def test_template_files_skip_missing_folders_and_other_files_and_go_on(tmp_path: Path) -> None:
    """A folder that does not exist and a file that is no template (an image) are
    skipped, and the files after them are still read."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"\x89PNG")
    (folder / "b.txt").write_text("x", encoding="utf-8")
    (folder / "c.html").write_text("x", encoding="utf-8")
    found = [file for file, _ in template_files([tmp_path / "missing", folder])]
    assert found == [folder / "b.txt", folder / "c.html"]


def test_a_template_is_named_relative_inside_the_working_folder_absolute_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the working folder a template is named as a person would type it there;
    outside it, by its absolute path (never '../../..')."""
    inside = tmp_path / "here" / "templates" / "state.txt"
    outside = tmp_path / "elsewhere" / "state.txt"
    for file in (inside, outside):
        file.parent.mkdir(parents=True)
        file.write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "here")
    assert display_path(inside) == str(Path("templates") / "state.txt")
    assert display_path(outside) == str(outside)
    assert [name for _, name in template_files([outside.parent])] == [str(outside)]


def test_template_attributes_a_reader_meets_are_kept_in_place() -> None:
    """alt, title and aria-label values are read where they stand; the rest of the tag
    is blank, so every character keeps its offset."""
    source = '<img src="a.png" alt="We recommend this"><p title=\'Best\'>x</p>'
    expected = (
        " " * 22 + "We recommend this" + " " * 2 + " " * 10 + "Best" + " " * 2 + "x" + " " * 4
    )
    assert visible_template_text(source, html=True) == expected


# --------------------------------------------------------------------------- rules


def test_a_rule_is_registered_under_its_id_and_run_by_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """``@rule`` adds a check to RULES under its id and summary; lint runs it and reports
    its issues under that id."""
    monkeypatch.setattr(lint, "RULES", dict(lint.RULES))

    @rule("always", "says one thing about every pathway")
    def always(run: Run) -> Iterator[Issue]:
        yield Issue(("metadata", "title"), "warning", "a message", "a hint")

    assert lint.RULES["always"] == lint.Rule("always", "says one thing about every pathway", always)
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    report = lint_document(document, LintConfig(today=LINT_DAY, rules=("always",)))
    assert [str(f) for f in report.findings] == [
        f"{document.locate(('metadata', 'title'))}: always: warning: a message\n  hint: a hint"
    ]


def test_unknown_rules_are_all_named() -> None:
    """Asking for rules that do not exist names each of them, comma separated."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    with pytest.raises(ValueError) as raised:
        lint_document(document, LintConfig(rules=("nosuch", "advice", "other")))
    assert str(raised.value) == "unknown lint rules: nosuch, other"


# --------------------------------------------------------------------------- glossary

RELAPSE_TERMS = "    terms: [relapse]\n"
PLACES = {
    "explanation": (
        "      - This is called a relapse. Your team may offer more care. Some people choose"
        " other paths.\n",
        "      - Some have chemotherapy again.\n",
    ),
    "questions": ("      - What could happen next?\n", "      - What is chemotherapy like?\n"),
    "facts": (
        RELAPSE_TERMS,
        "    facts:\n      - text: Some have chemotherapy again.\n        source: page\n"
        "        section: Support for you\n",
    ),
    "notes": (
        RELAPSE_TERMS,
        "    notes:\n      - step: have_chemo\n        text: The source names chemotherapy.\n"
        "        source: page\n        section: Support for you\n",
    ),
    "no_figure": (RELAPSE_TERMS, "    no_figure: The source gives no figure for chemotherapy.\n"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_glossary_word_is_reported_at_the_text_that_uses_it(place: str) -> None:
    """A state using a glossary word it does not list in terms is told so at the line of
    the text that uses it, whichever kind of text that is."""
    after, added = PLACES[place]
    text = edit(CLEAN, after, after + added if after != RELAPSE_TERMS else added + after)
    [finding] = lint_text(text, ("glossary",)).findings
    [used] = [line.strip(" -") for line in added.splitlines() if "hemotherapy" in line]
    value = used.split(": ", 1)[1] if used.startswith(("text: ", "no_figure: ")) else used
    line = line_of(text, used)
    assert line > line_of(text, "title: The illness has come back")
    assert finding.location[1:] == (line, text.splitlines()[line - 1].index(value) + 1)
    assert (finding.severity, finding.message, finding.hint) == (
        "error",
        "state 'relapse' uses 'chemotherapy' (glossary 'chemotherapy') but does not list it"
        " in terms",
        "add 'chemotherapy' to the terms of state 'relapse'",
    )


def _medical_word(summary: str, glossary: list[dict[str, object]] | None = None) -> object:
    def change(data: dict[str, object]) -> None:
        data["states"][0]["summary"] = summary  # type: ignore[index]
        if glossary is not None:
            data["glossary"] = glossary

    return change


def test_an_undefined_medical_word_is_pointed_at_the_entry_that_has_its_family() -> None:
    """A medical word written in a form the glossary lacks ("relapses") is told to join
    the also: list of the entry for its family, whatever the letter case of either."""
    report = lint_changed(_medical_word("Relapses can happen."), ("glossary",))
    assert messages(report) == [
        (
            "error",
            "the medical word 'Relapses' has no glossary entry",
            "add 'Relapses' to the also: list of glossary entry 'relapse'",
        )
    ]
    upper = [
        {"id": "relapse", "term": "Relapse", "also": ["Relapsed"], "definition": "It is back."}
    ]
    report = lint_changed(_medical_word("Relapses can happen.", upper), ("glossary",))
    assert [f.hint for f in report.findings if "'Relapses'" in f.message] == [
        "add 'Relapses' to the also: list of glossary entry 'relapse'"
    ]


def test_an_undefined_medical_word_with_no_family_asks_for_an_entry() -> None:
    """A medical word no entry knows is told to get its own glossary entry."""
    report = lint_changed(_medical_word("Remission can happen."), ("glossary",))
    assert messages(report) == [
        (
            "error",
            "the medical word 'Remission' has no glossary entry",
            "add a glossary entry for 'remission' in plain words, and list it in the terms"
            " of the states that use it",
        )
    ]


# --------------------------------------------------------------------------- readability


def _scored(monkeypatch: pytest.MonkeyPatch, grade: float) -> LintReport:
    """clean.yaml linted for readability with its state 'chemo' (and the whole) scored
    at ``grade``, the other states at 1."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    states = tuple(
        Figures(s.id, grade if s.id == "chemo" else 1.0, 9.04, 20, 2, 30, 1, 12)
        for s in document.pathway.states
    )
    whole = Figures(PATHWAY_FIGURES, grade, 9.04, 100, 10, 150, 5, 12)
    monkeypatch.setattr(lint, "score_pathway", lambda pathway, scorer: Readability(states, whole))
    config = LintConfig(today=LINT_DAY, rules=("readability",))
    return lint_document(document, config)


HINT = (
    "shorter sentences (longest here: 12 words) and everyday words help; explain medical"
    " words in the glossary. If a word is miscounted, give its syllables under lint:"
    " syllables:"
)


@pytest.mark.parametrize(
    ("grade", "severity"), [(6.0, None), (6.01, "warning"), (8.0, "warning"), (8.01, "error")]
)
def test_a_grade_over_6_warns_and_over_8_fails_at_each_does_not(
    monkeypatch: pytest.MonkeyPatch, grade: float, severity: str | None
) -> None:
    """The grade at exactly 6 passes and at exactly 8 only warns; just over either is a
    warning or an error, for a state and for the pathway as a whole, said in full."""
    report = _scored(monkeypatch, grade)
    if severity is None:
        assert report.findings == ()
        return
    assert messages(report) == [
        (
            severity,
            f"the pathway as a whole reads at grade {grade:.1f} (Flesch-Kincaid; SMOG 9.0);"
            " aim for 6 or below",
            HINT,
        ),
        (
            severity,
            f"state 'chemo' reads at grade {grade:.1f} (Flesch-Kincaid; SMOG 9.0); aim for 6"
            " or below",
            HINT,
        ),
    ]


# --------------------------------------------------------------------------- balance


def test_a_state_with_exactly_two_steps_is_a_branch() -> None:
    """Two ways on make a branch: its labels must say where each leads."""
    text = edit(
        CLEAN,
        "  - trigger: ask_your_team\n",
        "  - trigger: later_trial\n    source: palliative_care\n    dest: trial\n"
        "    label: Option 2\n  - trigger: ask_your_team\n",
    )
    assert messages(lint_text(text, ("balance",))) == [
        (
            "error",
            "the label 'Option 2' at state 'palliative_care' does not say where it leads",
            "name what might happen: 'Your team may offer ...', or the option's own name",
        )
    ]


KNEE = (OWN / "knee_recovery.yaml").read_text(encoding="utf-8")
KNEE_WHEN = "    when: {setting: [home]}\n  treatment_words"


def test_the_no_treatment_rule_applies_in_the_readings_its_when_names() -> None:
    """lint.no_treatment.when naming the unit reading (not the default) applies the rule
    there, where the choice is missing, and not in the home reading."""
    text = edit(KNEE, KNEE_WHEN, "    when: {setting: [rehab_unit]}\n  treatment_words")
    assert [f.message for f in lint_text(text, ("balance",)).findings] == [
        "state 'stiff_knee' offers 2 treatment options (topic: Recovery in a rehabilitation"
        " unit) (more_physio, second_operation) but not living with some stiffness: no step"
        " from it leads to 'living_with_it'"
    ]


def test_the_no_treatment_rule_applies_in_the_default_reading_whatever_its_when() -> None:
    """The default reading narrows nothing, so the rule applies there even when its
    'when' names another value: a choice missing everywhere is reported for it."""
    text = edit(KNEE, KNEE_WHEN, "    when: {setting: [rehab_unit]}\n  treatment_words")
    text = edit(
        text,
        "    source: stiff_knee\n    dest: living_with_it\n",
        "    source: at_home\n    dest: living_with_it\n",
    )
    assert [f.message for f in lint_text(text, ("balance",)).findings] == [
        "state 'stiff_knee' offers 2 treatment options (more_physio, second_operation) but"
        " not living with some stiffness: no step from it leads to 'living_with_it'"
    ]


# --------------------------------------------------------------------------- exits

NO_TEAM_STEP = ("    source: [relapse, palliative_care]\n", "    source: palliative_care\n")


def test_a_branch_without_the_team_state_is_told_where_to_add_it() -> None:
    """With the team state named and present, the message names it and adds nothing."""
    text = edit(CLEAN, *NO_TEAM_STEP)
    assert messages(lint_text(text, ("exits",))) == [
        (
            "error",
            "branch 'relapse' offers no step to 'talk_to_team' (talking to your healthcare team)",
            "add 'relapse' to the source of the step to 'talk_to_team', with no 'when', so"
            " every reader can end with your healthcare team",
        )
    ]


def test_without_a_team_state_a_branch_is_told_to_name_one() -> None:
    """Without lint.team.state, a state whose title names the team is the team's; a
    branch with no step to it is asked for one, and to name it."""
    text = edit(edit(CLEAN, *NO_TEAM_STEP), "  team:\n    state: talk_to_team\n", "")
    assert messages(lint_text(text, ("exits",))) == [
        (
            "error",
            "branch 'relapse' offers no step to a state about talking to your healthcare team",
            "add a step from 'relapse' to a state about talking to your healthcare team, and"
            " name that state under lint: team: state:",
        )
    ]


def test_without_any_team_state_the_message_says_no_title_names_the_team() -> None:
    """Where no state's title names the team either, the message says so."""
    text = edit(edit(CLEAN, *NO_TEAM_STEP), "  team:\n    state: talk_to_team\n", "")
    text = edit(text, "title: Talk to your healthcare team", "title: Questions for later")
    branch = [m for m in messages(lint_text(text, ("exits",))) if "branch" in m[1]]
    assert branch == [
        (
            "error",
            "branch 'relapse' offers no step to a state about talking to your healthcare team"
            " (no state's title names the team)",
            "add a step from 'relapse' to a state about talking to your healthcare team, and"
            " name that state under lint: team: state:",
        )
    ]


# --------------------------------------------------------------------------- more balance

LATER_TRIAL = (
    "  - trigger: ask_your_team\n",
    "  - trigger: later_trial\n    source: palliative_care\n    dest: trial\n"
    "    label: Some people join a trial later\n  - trigger: ask_your_team\n",
)


def _summaries(text: str, **summaries: str) -> str:
    for state, summary in summaries.items():
        start = text.index(f"  - id: {state}\n")
        old = re.compile(r"    summary: .*\n").search(text, start)
        assert old is not None
        text = text[: old.start()] + f"    summary: {summary}\n" + text[old.end() :]
    return text


def _at(report: LintReport, state: str) -> list[tuple[str, str, str]]:
    return [m for m in messages(report) if m[1].startswith(f"at state '{state}'")]


def test_a_summary_exactly_twice_as_long_is_not_flagged() -> None:
    """Of two options, a summary of exactly twice the characters (26 and 13) and under
    twice the words (5 and 3) is similar enough."""
    text = _summaries(
        edit(CLEAN, *LATER_TRIAL), trial="Rest at home.", talk_to_team="Rest at home with friends."
    )
    assert _at(lint_text(text, ("balance",)), "palliative_care") == []


def test_a_summary_over_twice_as_long_is_named_with_the_shorter_one() -> None:
    """Of two options, a summary over twice as long (in characters and in words) is a
    warning for each measure, naming the longer and the shorter."""
    text = _summaries(
        edit(CLEAN, *LATER_TRIAL),
        trial="Rest at home.",
        talk_to_team="Rest at home with friends and family.",
    )
    hint = "give every option a summary of similar length and detail, so none looks favoured"
    assert _at(lint_text(text, ("balance",)), "palliative_care") == [
        (
            "warning",
            "at state 'palliative_care', the summary of 'talk_to_team' (37 characters) is more"
            " than twice as long as that of 'trial' (13 characters)",
            hint,
        ),
        (
            "warning",
            "at state 'palliative_care', the summary of 'talk_to_team' (7 words) is more than"
            " twice as long as that of 'trial' (3 words)",
            hint,
        ),
    ]


def test_of_equally_short_summaries_the_first_option_in_the_document_is_named() -> None:
    """Where options tie for the shortest summary, the message names the one the document
    lists first (not the first in alphabetical order)."""
    short = "Some people do this."
    text = _summaries(
        CLEAN,
        chemo="Your team may offer more chemotherapy, which uses drugs that kill cancer cells.",
        trial=short,
        palliative_care=short,
        talk_to_team=short,
    )
    assert [m[1] for m in _at(lint_text(text, ("balance",)), "relapse")] == [
        "at state 'relapse', the summary of 'chemo' (13 words) is more than twice as long"
        " as that of 'trial' (4 words)",
        "at state 'relapse', the summary of 'chemo' (79 characters) is more than twice as"
        " long as that of 'trial' (20 characters)",
    ]


@pytest.mark.parametrize("label", ["Next.", "Option 2", "choice", "Step 3!"])
def test_a_label_that_does_not_say_where_it_leads_is_an_error(label: str) -> None:
    """'Next.' (punctuation aside), 'Option 2', 'choice' or 'Step 3!' says nothing about
    where a step leads."""
    text = edit(CLEAN, "label: Your team may offer more chemotherapy", f"label: {label}")
    assert messages(lint_text(text, ("balance",))) == [
        (
            "error",
            f"the label '{label}' at state 'relapse' does not say where it leads",
            "name what might happen: 'Your team may offer ...', or the option's own name",
        )
    ]


def test_two_steps_to_the_same_state_may_share_a_label() -> None:
    """Two steps with one label are told apart only if they lead to different states."""
    minimal = (DATA / "minimal.yaml").read_text(encoding="utf-8")
    text = edit(minimal, "label: Treatment with a different TKI", "label: Treatment is repeated")
    assert not [m for m in messages(lint_text(text, ("balance",))) if "share" in m[1]]


def test_a_no_treatment_state_naming_a_treatment_is_no_treatment_option() -> None:
    """The state offering the choice not to have treatment is not an option of treatment,
    even when its title names one ("Stopping chemotherapy")."""
    text = edit(CLEAN, "title: Palliative care", "title: Stopping chemotherapy")
    assert lint_text(text, ("balance",)).findings == ()


def test_every_missing_no_treatment_state_is_named() -> None:
    """Where none of the states said to offer the choice exists, each is named, in the
    message and in the hint."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    config = LintConfig(
        today=LINT_DAY, rules=("balance",), no_treatment_states=("comfort", "hospice")
    )
    assert messages(lint_document(document, config)) == [
        (
            "error",
            "state 'relapse' offers 2 treatment options (chemo, trial) but not palliative"
            " care: no state 'comfort', 'hospice' exists",
            "add 'relapse' to the source of the step to 'comfort', 'hospice', with a 'when'"
            " that covers this topic (or none), or limit the rule with lint: no_treatment:"
            " when:",
        )
    ]


def test_without_no_treatment_states_the_author_is_told_where_to_name_them() -> None:
    """A document naming no state that offers the choice is told where to name one."""
    text = edit(CLEAN, "    states: [palliative_care]\n", "")
    assert messages(lint_text(text, ("balance",))) == [
        (
            "error",
            "state 'relapse' offers 2 treatment options (chemo, trial) but not palliative"
            " care: the document names no state that offers it",
            "name the states that offer it under lint: no_treatment: states: (and what the"
            " pathway calls it under term:), or add such a state and a step to it",
        )
    ]


# --------------------------------------------------------------------------- more numbers


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ("around 4 in 10 people (40.5%)", []),  # half a point off: the same figure
        (
            "around 4 in 10 people (41%)",
            ["the percentage '41%' does not match 4 in 10 beside it"],
        ),
        (
            "around 4 in 10 people, or 5 in 10 (60%)",
            ["the percentage '60%' does not match 4 in 10, 5 in 10 beside it"],
        ),
    ],
    ids=["half-a-point", "one-point", "two-beside"],
)
def test_a_percentage_matches_a_frequency_beside_it_to_half_a_point(
    said: str, found: list[str]
) -> None:
    """A percentage within half a point of a natural frequency beside it says the same;
    further off, the message lists every frequency beside it."""

    def say(data: dict[str, object]) -> None:
        data["states"][1]["explanation"] = [f"In trials, this worked for {said}."]  # type: ignore[index]

    report = lint_changed(say, ("numbers",))
    assert [m for m in messages(report) if "percentage" in m[1]] == [
        ("error", f, "make the percentage and the natural frequency say the same thing")
        for f in found
    ]


# --------------------------------------------------------------------------- more glossary


def _with(*entries: dict[str, str], **summaries: str) -> object:
    def change(data: dict[str, object]) -> None:
        data["glossary"] = [*data["glossary"], *entries]  # type: ignore[misc]
        for state in data["states"]:  # type: ignore[attr-defined]
            if state["id"] in summaries:
                state["summary"] = summaries[state["id"]]
            if state["id"] == "relapse":
                state["terms"] = [*state["terms"], *(e["id"] for e in entries)]

    return change


def test_the_longest_glossary_term_at_a_place_is_the_one_used() -> None:
    """ "stem cell transplant" is one term, not "stem cell" and more words: the state
    lists the longer term, and the shorter is used nowhere."""
    short = {"id": "stem_cell", "term": "stem cell", "definition": "A cell that makes others."}
    long = {
        "id": "stem_cell_transplant",
        "term": "stem cell transplant",
        "definition": "New cells.",
    }
    change = _with(short, long, relapse="A stem cell transplant may follow.")
    assert messages(lint_changed(change, ("glossary",))) == [
        (
            "warning",
            "state 'relapse' lists term 'stem_cell' but its text never uses it",
            "remove it from terms, or use the word where it helps the reader",
        ),
    ]


def test_each_undefined_medical_word_is_reported_once_at_its_first_use() -> None:
    """A medical word with no entry is reported where it is first used, not again; a
    second word in a later text is reported too."""
    change = _with(relapse="Remission may come.", chemo="Remission and blinatumomab are words.")
    found = [m[1] for m in messages(lint_changed(change, ("glossary",))) if "medical" in m[1]]
    assert found == [
        "the medical word 'Remission' has no glossary entry",
        "the medical word 'blinatumomab' has no glossary entry",
    ]


def test_a_medical_word_inside_a_glossary_term_is_covered_but_not_elsewhere() -> None:
    """ "remission" inside the glossary's "complete remission" is defined; the same word
    later in the text, on its own, is not."""
    entry = {"id": "complete_remission", "term": "complete remission", "definition": "No signs."}
    change = _with(entry, relapse="A complete remission can follow, or remission may not.")
    found = [m for m in messages(lint_changed(change, ("glossary",))) if "medical" in m[1]]
    assert found == [
        (
            "error",
            "the medical word 'remission' has no glossary entry",
            "add a glossary entry for 'remission' in plain words, and list it in the terms"
            " of the states that use it",
        )
    ]


def test_an_option_without_a_figure_is_compared_with_the_first_option_that_has_one() -> None:
    """Where some options have a figure and one has neither a figure nor a no_figure
    line, the warning names the first option with a figure in document order."""

    def figures(data: dict[str, Any]) -> None:
        chemo, trial, palliative = data["states"][1:4]
        fact = chemo["facts"][0]
        chemo["facts"] = []
        trial["facts"], trial["no_figure"] = [fact], None
        palliative["facts"], palliative["title"] = [fact], "Radiotherapy"

    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    pathway = changed(document.pathway, figures)
    config = LintConfig(today=LINT_DAY, rules=("balance",), no_treatment_states=())
    report = lint_document(Edited(pathway, "clean.yaml", document), config)
    assert [m for m in messages(report) if m[0] == "warning"] == [
        (
            "warning",
            "at state 'relapse', option 'trial' has a figure but 'chemo' has none and does"
            " not say so",
            "add no_figure to state 'chemo' (e.g. 'The source gives no figure for this.'),"
            " so the missing figure is said, not silent",
        )
    ]


def test_a_step_to_a_state_that_does_not_exist_is_no_option() -> None:
    """A step to a missing state (a document changed after loading) is no treatment
    option: the balance rule reads the others and does not fail."""

    def dangling(data: dict[str, Any]) -> None:
        step = {"trigger": "go_nowhere", "source": ["relapse"], "dest": "nowhere", "label": "Away"}
        data["transitions"] = [*data["transitions"], step]

    assert lint_changed(dangling, ("balance",)).findings == ()


def test_a_team_state_that_does_not_exist_is_said_to_be_missing() -> None:
    """A team state given on the command line that the document lacks is named as
    missing in the branch's message."""
    document = parse_document(CLEAN, "clean.yaml", today=LOAD_DAY)
    config = LintConfig(today=LINT_DAY, rules=("exits",), team_state="ask_us")
    branch = [m for m in messages(lint_document(document, config)) if "branch" in m[1]]
    assert branch == [
        (
            "error",
            "branch 'relapse' offers no step to 'ask_us' (talking to your healthcare team)"
            " (no state 'ask_us' exists)",
            "add 'relapse' to the source of the step to 'ask_us', with no 'when', so every"
            " reader can end with your healthcare team",
        )
    ]
