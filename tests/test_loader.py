"""The loader: YAML text -> a validated Pathway, or every problem at file:line:col."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathways.loader as loader
import pathways.reader as reader
from paths import DATA, MINIMAL
from pathways.checks import check_pathway, iter_text
from pathways.errors import ContentError, PathwaysError
from pathways.loader import Document, load_document, load_pathway, parse_document, parse_pathway
from pathways.schema import Pathway
from strategies import broken_documents, broken_files, dump_yaml, valid_documents

INVALID = DATA / "invalid"
TODAY = dt.date(2026, 6, 1)  # the invalid documents' "today" (next_review_past needs one)

BROKEN = sorted(INVALID.glob("*.yaml"))


def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def replaced(old: str, new: str) -> str:
    """The minimal document with one piece of text replaced (which must be there once)."""
    text = minimal_text()
    assert text.count(old) == 1, old
    return text.replace(old, new)


def position_of(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, col) of the first occurrence of ``needle`` in ``text``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def where(text: str, needle: str, offset: int = 0) -> str:
    """'test.yaml:LINE:COL' of ``needle`` in ``text``, ``offset`` columns on."""
    line, col = position_of(text, needle)
    return f"test.yaml:{line}:{col + offset}"


def problems_of(text: str, filename: str = "test.yaml") -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, filename, today=TODAY)
    return [str(problem) for problem in caught.value.problems]


# --------------------------------------------------------------------------- broken documents


@pytest.mark.parametrize("parser", ["libyaml", "python"])
@pytest.mark.parametrize("broken", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_document_gives_its_expected_message(
    broken: Path, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each broken document gives exactly the messages beside it, with either YAML parser."""
    if parser == "python":
        monkeypatch.setattr(reader, "_Loader", yaml.SafeLoader)
    elif not yaml.__with_libyaml__:  # pragma: no cover - PyYAML built without libyaml
        pytest.skip("PyYAML has no libyaml here")
    monkeypatch.chdir(INVALID)
    expected = broken.with_suffix(".expected").read_text(encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_pathway(broken.name, today=TODAY)
    assert str(caught.value) + "\n" == expected


# Each mistake the loader explains in the author's terms: the text replaced in the minimal
# document, its replacement, and the problems in file order.
EXPLAINED: dict[str, tuple[str, str, list[str]]] = {
    "term_not_an_id": (
        "terms: [remission]",
        "terms: [remission, 4th Visit]",
        [
            (
                "test.yaml:47:24: terms item 2 in state 'relapse' is not a valid id: '4th "
                "Visit'\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and "
                "_, e.g. 'n_4th_visit'"
            ),
        ],
    ),
    "term_only_punctuation": (
        "terms: [remission]",
        'terms: [remission, "(...)"]',
        [
            (
                "test.yaml:47:24: terms item 2 in state 'relapse' is not a valid id: "
                "'(...)'\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and _"
            ),
        ],
    ),
    "term_in_brackets": (
        "terms: [remission]",
        'terms: [remission, "(Remission)"]',
        [
            (
                "test.yaml:47:24: terms item 2 in state 'relapse' is not a valid id: "
                "'(Remission)'\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and "
                "_, e.g. 'remission'"
            ),
        ],
    ),
    "compare_key": (
        "    terms: [remission]\n",
        (
            "    terms: [remission]\n"
            "    compare:\n"
            "      How Long: {text: Some weeks, source: relapse_page, section: Support "
            "for you}\n"
        ),
        [
            (
                "test.yaml:49:7: key 'How Long' in compare in state 'relapse' is not a "
                "valid id\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and "
                "_, e.g. 'how_long'"
            ),
        ],
    ),
    "compare_unknown_field": (
        "    terms: [remission]\n",
        (
            "    terms: [remission]\n"
            "    compare:\n"
            "      how_long: {text: Some weeks, source: relapse_page, sectoin: Support "
            "for you}\n"
        ),
        [
            (
                "test.yaml:49:58: unknown field 'sectoin' in how_long in compare in state "
                "'relapse'\n"
                "  hint: did you mean 'section'? (allowed: text, source, section)"
            ),
        ],
    ),
    "reviewer_misspelt": (
        "  publisher: The pathways test suite\n",
        ("  publisher: The pathways test suite\n  reviewer: {rol: Nurse}\n"),
        [
            (
                "test.yaml:10:14: unknown field 'rol' in reviewer in metadata\n"
                "  hint: did you mean 'role'? (allowed: role, name)"
            ),
        ],
    ),
    "review_misspelt": (
        ("  reviewed: 2026-01-15\n  next_review: 2099-12-31\n"),
        "  review: 2026-01-15\n",
        [
            (
                "test.yaml:3:1: missing required field 'next_review' in metadata\n"
                "  hint: add a line 'next_review: ...' (When it must be reviewed again; "
                "past is an error.)"
            ),
            (
                "test.yaml:10:3: unknown field 'review' in metadata\n"
                "  hint: did you mean 'reviewed'? (allowed: id, title, version, language, "
                "intended_purpose, publisher, reviewer, reviewed, next_review, scope, "
                "schema_version, summary, tags)"
            ),
        ],
    ),
    "fact_source_misspelt": (
        ("        source: relapse_page\n        section: Acute"),
        ("        sorce: relapse_page\n        section: Acute"),
        [
            (
                "test.yaml:55:9: unknown field 'sorce' in fact 1 of state 'reinduction'\n"
                "  hint: did you mean 'source'? (allowed: text, source, section, number)"
            ),
        ],
    ),
    "version_empty_number": (
        "  publisher: The pathways test suite\n",
        ("  publisher: The pathways test suite\n  schema_version:\n"),
        [
            (
                "test.yaml:10:18: schema_version in metadata must be a whole number, not "
                "empty\n"
                "  hint: write digits only, e.g. 4"
            ),
        ],
    ),
    "version_list": (
        "  publisher: The pathways test suite\n",
        ("  publisher: The pathways test suite\n  schema_version: [1]\n"),
        [
            (
                "test.yaml:10:19: schema_version in metadata must be a whole number, not a "
                "list\n"
                "  hint: write digits only, e.g. 4"
            ),
        ],
    ),
    "reviewed_empty": (
        "  reviewed: 2026-01-15\n",
        "  reviewed:\n",
        [
            (
                "test.yaml:10:12: reviewed in metadata must be a date, not empty\n"
                "  hint: write the date as YYYY-MM-DD, e.g. 2026-05-01"
            ),
        ],
    ),
    "title_mapping": (
        "  title: A small test pathway\n",
        "  title: {a: b}\n",
        [
            (
                "test.yaml:5:10: title in metadata must be text, not a mapping\n"
                "  hint: write it as one piece of text; for several lines use '>' and "
                "indent the lines"
            ),
        ],
    ),
    "explanation_true": (
        ("    explanation:\n      - Your team will explain what this means for you.\n"),
        "    explanation: true\n",
        [
            (
                "test.yaml:61:18: explanation in state 'remission' must be a list, not "
                "true/false\n"
                "  hint: write each item on its own line, starting with '- '"
            ),
        ],
    ),
    "top_extra": (
        "start: relapse\n",
        ("start: relapse\nchapter: []\n"),
        [
            (
                "test.yaml:41:1: unknown section 'chapter'\n"
                "  hint: did you mean 'chapters'? (allowed: metadata, sources, support, "
                "glossary, contexts, start, chapters, states, transitions, what_matters, "
                "comparison, phases, lint)"
            ),
        ],
    ),
    "lint_list": (
        "start: relapse\n",
        ("start: relapse\nlint: [a]\n"),
        [
            (
                "test.yaml:41:7: the lint settings must be a mapping, not a list\n"
                "  hint: write 'name: value' lines, indented under it (fields: "
                "advice_phrases, syllables, team, no_treatment, treatment_words, "
                "medical_words)"
            ),
        ],
    ),
    "number_text": (
        ("number: {count: 4, out_of: 10, hedge: around, about: people in trials, percent: 40}"),
        "number: four in ten",
        [
            (
                "test.yaml:57:17: the number in fact 1 of state 'reinduction' must be a "
                "mapping, not text\n"
                "  hint: write 'name: value' lines, indented under it (fields: count, "
                "out_of, hedge, about, percent, filled)"
            ),
        ],
    ),
    "value_bad_label": (
        "        label: Philadelphia positive ALL\n",
        "        label:\n",
        [
            (
                "test.yaml:38:15: label in value 'positive' of context 'philadelphia' is "
                "empty\n"
                "  hint: write some text after the colon"
            ),
        ],
    ),
    "syllables_list": (
        "start: relapse\n",
        ("start: relapse\nlint:\n  syllables: [a]\n"),
        [
            (
                "test.yaml:42:14: the syllables of the lint settings must be a mapping, "
                "not a list\n"
                "  hint: write 'name: value' lines, indented under it"
            ),
        ],
    ),
    # A value quoted in a message is kept to 40 characters, its runs of spaces made one; a
    # longer one is cut to 37 and '...' (the hint still gives the whole fixed id).
    "quoted_value_at_the_limit": (
        "terms: [remission]",
        'terms: [remission, "Remission   that lasts a long time, say 40"]',
        [
            (
                "test.yaml:47:24: terms item 2 in state 'relapse' is not a valid id: "
                "'Remission that lasts a long time, say 40'\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and "
                "_, e.g. 'remission_that_lasts_a_long_time_say_40'"
            ),
        ],
    ),
    "quoted_value_over_the_limit": (
        "terms: [remission]",
        'terms: [remission, "Remission   that lasts a long time, say 401"]',
        [
            (
                "test.yaml:47:24: terms item 2 in state 'relapse' is not a valid id: "
                "'Remission that lasts a long time, say...'\n"
                "  hint: an id starts with a lowercase letter and holds only a-z, 0-9 and "
                "_, e.g. 'remission_that_lasts_a_long_time_say_401'"
            ),
        ],
    ),
    # An item with no id is named by its place in its own list, not its owner's.
    "context_value_without_id": (
        "      - id: positive\n",
        "      -\n",
        [
            (
                "test.yaml:38:9: missing required field 'id' in value 2 of context "
                "'philadelphia'\n"
                "  hint: add a line 'id: ...'"
            ),
        ],
    ),
    # 'state' for 'start': the section that is missing is the likelier meaning, though
    # 'states' is spelt closer; it is said once, not also as missing.
    "start_misspelt_as_state": (
        "start: relapse\n",
        "state: relapse\n",
        [
            (
                "test.yaml:40:1: unknown section 'state'\n"
                "  hint: did you mean 'start'? (allowed: metadata, sources, support, glossary, "
                "contexts, start, chapters, states, transitions, what_matters, comparison, "
                "phases, lint)"
            ),
        ],
    ),
    # A list inside a list (a medical word written several ways): both places are named.
    "medical_word_in_a_list_empty": (
        "start: relapse\n",
        'start: relapse\nlint:\n  medical_words:\n    - [chemo, ""]\n',
        [
            (
                "test.yaml:43:15: item 2 of medical_words item 1 in the lint settings is empty\n"
                "  hint: write the item's text, or remove the empty item"
            ),
        ],
    ),
    # An empty item of a block list: the fix is its text or its removal, not a colon.
    "explanation_item_empty": (
        "      - Your healthcare team may talk to you about what could happen next.\n",
        "      - Your healthcare team may talk to you about what could happen next.\n      -\n",
        [
            (
                "test.yaml:47:8: explanation item 2 in state 'relapse' is empty\n"
                "  hint: write the item's text, or remove the empty item"
            ),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPLAINED))
def test_each_mistake_is_said_in_the_authors_terms_with_its_fix(name: str) -> None:
    """Where each wrong value is (an item of a list, a key, a field of a fact's number, the
    lint settings, a compare row), what it is instead, and a hint; a misspelt field is
    named once, as the missing field it most likely means."""
    old, new, expected = EXPLAINED[name]
    assert problems_of(replaced(old, new)) == expected


def test_a_schema_problem_carries_the_path_of_its_value_or_key() -> None:
    """A caller (an editor, the JSON API) finds the value a problem is about by its path in
    the data; for a key that is not a valid id, the path of that key's entry."""
    text = replaced(
        "    terms: [remission]\n",
        "    terms: [remission, Not An Id]\n    compare:\n"
        "      How Long: {text: Some weeks, source: relapse_page, section: Support for you}\n",
    )
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, "test.yaml", today=TODAY)
    assert [problem.path for problem in caught.value.problems] == [
        ("states", 0, "terms", 1),
        ("states", 0, "compare", "How Long"),
    ]


# Each kind of pydantic error in the author's words, whether or not today's schema can
# give it (a bound, a kind the loader has no words for): (kind, the value, pydantic's
# context, its message, the place) -> (message, hint).
KINDS: list[
    tuple[str, object, dict[str, object] | None, str | None, tuple[str | int, ...], str, str | None]
] = [
    (
        "less_than",
        "5",
        {"lt": 5},
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be less than 5, not 5",
        None,
    ),
    (
        "greater_than",
        "0",
        {"gt": 0},
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be more than 0, not 0",
        None,
    ),
    (
        "greater_than_equal",
        "-1",
        {"ge": 0},
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be at least 0, not -1",
        None,
    ),
    (
        "less_than_equal",
        101,
        {"le": 100},
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be at most 100, not 101",
        None,
    ),
    (
        "int_from_float",
        1.5,
        None,
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be a whole number, not 1.5",
        "write digits only, e.g. 4",
    ),
    (
        "int_type",
        [1],
        None,
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata must be a whole number, not a list",
        "write digits only, e.g. 4",
    ),
    (
        "bool_type",
        [1],
        None,
        None,
        ("states", 0, "end"),
        "end in state 1 must be true or false, not a list",
        "write true or false",
    ),
    (
        "mapping_type",
        [1],
        None,
        None,
        ("metadata", "reviewer"),
        "reviewer in metadata must be a mapping, not a list",
        "write 'name: value' lines, indented under it (fields: role, name)",
    ),
    (
        "model_attributes_type",
        "x",
        None,
        None,
        ("metadata", "reviewer"),
        "reviewer in metadata must be a mapping, not text",
        "write 'name: value' lines, indented under it (fields: role, name)",
    ),
    (
        "dict_type",
        None,
        None,
        None,
        ("states", 0, "compare"),
        "compare in state 1 is empty",
        "write 'name: value' lines, indented under it",
    ),
    (
        "datetime_parsing",
        "soon",
        {"error": "input is too short"},
        None,
        ("metadata", "reviewed"),
        "reviewed in metadata must be a date, not 'soon'",
        "input is too short; write the date as YYYY-MM-DD, e.g. 2026-05-01",
    ),
    (
        "date_type",
        [1],
        None,
        None,
        ("metadata", "reviewed"),
        "reviewed in metadata must be a date, not a list",
        "write the date as YYYY-MM-DD, e.g. 2026-05-01",
    ),
    (
        "list_type",
        "x",
        None,
        None,
        ("metadata", "tags"),
        "tags in metadata must be a list, not text",
        "write each item on its own line, starting with '- '",
    ),
    (
        "list_type",
        None,
        None,
        None,
        ("metadata", "tags"),
        "tags in metadata is empty",
        "write its items below it, each on its own line starting with '- ', or remove the line",
    ),
    (
        "too_long",
        ("a", "b", "c"),
        {"max_length": 2},
        None,
        ("metadata", "tags"),
        "tags in metadata has too many items; at most 2",
        None,
    ),
    (
        "string_too_long",
        "xxxxxxxxxx",
        {"max_length": 5},
        None,
        ("metadata", "title"),
        "title in metadata is 10 characters; at most 5",
        "shorten it",
    ),
    (
        "too_short",
        ("a",),
        {"min_length": 2},
        None,
        ("contexts", 0, "values"),
        "values in context 1 has 1 item; it needs at least 2 items",
        "write each item on its own line, starting with '- '",
    ),
    (
        "too_short",
        {},
        None,
        None,
        ("metadata", "tags"),
        "tags in metadata has 0 items; it needs at least 1 item",
        "write each item on its own line, starting with '- '",
    ),
    (
        "string_too_short",
        "",
        {"min_length": 1},
        None,
        ("metadata", "title"),
        "title in metadata is empty",
        "write some text after the colon",
    ),
    (
        "literal_error",
        "fr",
        {"expected": "'en-GB'"},
        None,
        ("metadata", "language"),
        "language in metadata must be 'en-GB', not 'fr'",
        None,
    ),
    (
        "frobbed",
        "x",
        None,
        "Input should be frobbed",
        ("metadata", "schema_version"),
        "schema_version in metadata: input should be frobbed",
        None,
    ),
    (
        "frobbed",
        "x",
        None,
        None,
        ("metadata", "schema_version"),
        "schema_version in metadata: is not valid",
        None,
    ),
    # A check of the whole document (a model validator on the pathway) has no place.
    (
        "frobbed",
        {},
        None,
        "Input should be frobbed",
        (),
        "the document: input should be frobbed",
        None,
    ),
    (
        "phone",
        "x",
        None,
        None,
        ("support", 0, "phone"),
        "phone in support contact 1: is not valid",
        "write the number as a reader would dial it, e.g. 0808 000 0000 or +44 20 7946 0000",
    ),
]


@pytest.mark.parametrize(("kind", "value", "ctx", "msg", "path", "message", "hint"), KINDS)
def test_each_kind_of_schema_error_reads_in_the_authors_words(
    kind: str,
    value: object,
    ctx: dict[str, object] | None,
    msg: str | None,
    path: tuple[str | int, ...],
    message: str,
    hint: str | None,
) -> None:
    """What is wrong, in words (a bound, a size, a type, a date's own reason), with the
    hint; a kind with no words of its own reads as pydantic's message about its place."""
    detail: dict[str, object] = {"type": kind, "input": value}
    if ctx is not None:
        detail["ctx"] = ctx
    if msg is not None:
        detail["msg"] = msg
    assert loader._explain(kind, path, detail, {}, is_key=False, missing=set()) == (message, hint)


TAB_HINT = "YAML indents with spaces, not tabs; replace the tab with spaces"
READ_HINT = "check the indentation and the quotes on this line and the one above"
# Each YAML mistake the reader explains, with what it says under each parser (one text:
# the same under both; None: that parser does not meet this mistake).
YAML_MISTAKES: dict[str, tuple[str, dict[str, str | None] | str]] = {
    "tabs_indent": (
        "metadata:\n\t\tid: x\n",
        f"test.yaml:2:1: a tab is used to indent this line\n  hint: {TAB_HINT}",
    ),
    "tab_before_a_key": (
        "a: b\n \tc: d\n",
        f"test.yaml:2:2: a tab is used to indent this line\n  hint: {TAB_HINT}",
    ),
    "tab_after_a_dash": (
        "a:\n  - b\n  -\tc: [1,\n\t2\n",
        f"test.yaml:3:4: a tab is used here\n  hint: {TAB_HINT}",
    ),
    "at_sign_ends_the_line": (
        "metadata: @\n",
        "test.yaml:1:11: a value cannot start with '@'\n"
        '  hint: put the whole value in quotes, e.g. "..."',
    ),
    "mapping_not_closed": (
        "metadata: {id: x\nstart: y\n",
        "test.yaml:1:11: the mapping opened with '{' here is not closed\n"
        "  hint: close it with '}' and separate its entries with ', '",
    ),
    "nested_past_libyaml_own_limit": (
        "metadata: " + "[" * 2000 + "]" * 2000 + "\n",
        {
            "libyaml": "test.yaml:1:1010: the document is nested more than 50 levels deep\n"
            "  hint: a pathway needs only a few levels; check the indentation and brackets here",
            "python": None,  # the pure-Python parser has no limit of its own: ours is met
        },
    ),
    "two_yaml_directives": (
        "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
        {
            "libyaml": "test.yaml:2:1: the YAML cannot be read: found duplicate %YAML directive"
            f"\n  hint: {READ_HINT}",
            "python": "test.yaml:2:1: the YAML cannot be read: found duplicate YAML directive"
            f"\n  hint: {READ_HINT}",
        },
    ),
    "alias_without_a_name": (
        "metadata: x\nb: *\n",
        {
            "libyaml": "test.yaml:2:5: the YAML cannot be read: did not find expected"
            f" alphabetic or numeric character (while scanning an alias)\n  hint: {READ_HINT}",
            "python": "test.yaml:2:5: the YAML cannot be read: expected alphabetic or numeric"
            " character, but found '\\n' (while scanning an alias)"
            f"\n  hint: {READ_HINT}",
        },
    ),
}


def _said(mistake: str, parser: str) -> str | None:
    said = YAML_MISTAKES[mistake][1]
    return said if isinstance(said, str) else said[parser]


@pytest.mark.parametrize(
    ("mistake", "parser"),
    [
        (mistake, parser)
        for mistake in YAML_MISTAKES
        for parser in ("libyaml", "python")
        if _said(mistake, parser) is not None
    ],
)
def test_each_yaml_mistake_is_explained_at_its_place(
    mistake: str, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A YAML syntax mistake reads as what is wrong in plain words, where to look (the
    tab itself, the bracket that opened) and how to fix it; a mistake with no plain
    explanation gives the parser's own words, then where it was reading."""
    text, expected = YAML_MISTAKES[mistake][0], _said(mistake, parser)
    if parser == "python":
        monkeypatch.setattr(reader, "_Loader", yaml.SafeLoader)
    assert problems_of(text) == [expected]


def test_every_broken_document_has_an_expected_file_and_the_reverse() -> None:
    """No broken document lacks its expected messages, and no expected file is orphaned."""
    documents = {path.stem for path in INVALID.glob("*.yaml")}
    expected = {path.stem for path in INVALID.glob("*.expected")}
    assert documents == expected
    assert len(documents) >= 20


def test_every_broken_document_is_the_minimal_one_with_one_thing_wrong() -> None:
    """The minimal document itself is valid, so each broken copy fails for its own reason."""
    assert load_pathway(MINIMAL, today=TODAY).start == "relapse"
    assert load_pathway(MINIMAL).state_ids == (
        "relapse",
        "reinduction",
        "remission",
        "palliative_care",
    )


def test_problems_come_in_file_order() -> None:
    """Problems from different checks are listed by line, as an editor shows them."""
    text = replaced("    dest: remission\n", "    dest: remision\n").replace(
        "  - id: palliative_care\n", "  - id: palliative\n"
    )
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, today=TODAY)
    lines = [p.location.line for p in caught.value.problems if p.location]
    assert len(lines) >= 3
    assert lines == sorted(lines)


def test_content_error_is_a_pathways_error() -> None:
    """Callers that catch PathwaysError catch every loader problem."""
    with pytest.raises(PathwaysError):
        parse_pathway("")


# --------------------------------------------------------------------------- YAML traps


def test_yaml_11_booleans_stay_the_words_written() -> None:
    """no, yes, on, off, y and n stay text: here, as ids of context values and a title."""
    values = "\n".join(
        f"      - id: {word}\n        label: The word {word}"
        for word in ["no", "yes", "on", "off", "y", "n"]
    )
    text = (
        replaced(
            "      - id: any\n        label: All types of ALL\n"
            "      - id: positive\n        label: Philadelphia positive ALL\n"
            "    default: any\n",
            values + "\n    default: no\n",
        )
        .replace("when: {philadelphia: positive}", "when: {philadelphia: [yes, on, off, y, n]}")
        .replace("    title: Remission\n", "    title: No\n")
    )
    pathway = parse_pathway(text, today=TODAY)
    context = pathway.contexts[0]
    assert [v.id for v in context.values] == ["no", "yes", "on", "off", "y", "n"]
    assert context.default == "no"
    assert dict(pathway.transitions[2].when) == {"philadelphia": ("yes", "on", "off", "y", "n")}
    assert pathway.state("remission").title == "No"


def test_true_and_false_are_booleans_but_quoted_they_are_text() -> None:
    """Plain true/false are booleans; in quotes they are the text an author wrote."""
    pathway = parse_pathway(replaced("    title: Remission\n", '    title: "true"\n'))
    assert pathway.state("remission").end is True
    assert pathway.state("remission").title == "true"
    text = replaced("    title: Remission\n", "    title: false\n")
    assert problems_of(text) == [
        f"{where(text, 'false')}: title in state 'remission' must be text, not false\n"
        '  hint: put it in quotes to keep it as text: "false"'
    ]


def test_numbers_and_dates_stay_text_where_the_schema_wants_text() -> None:
    """version 1.10 stays '1.10' (not 1.1), a title 2024 stays '2024', counts are numbers."""
    text = (
        replaced('  version: "1.0"\n', "  version: 1.10\n")
        .replace("    title: Remission\n", "    title: 2024\n")
        .replace("    title: Palliative care\n", "    title: 2026-01-01\n")
    )
    pathway = parse_pathway(text)
    assert pathway.metadata.version == "1.10"
    assert pathway.state("remission").title == "2024"
    assert pathway.state("palliative_care").title == "2026-01-01"
    assert pathway.metadata.reviewed == dt.date(2026, 1, 15)
    number = pathway.state("reinduction").facts[0].number
    assert number is not None
    assert (number.count, number.out_of, number.percent) == (4, 10, 40)


def test_null_and_an_empty_value_mean_nothing() -> None:
    """`source: ~` and `source:` leave an optional field unset."""
    for empty in ["~", "null", ""]:
        text = replaced("    source: relapse_page\nglossary", f"    source: {empty}\nglossary")
        assert parse_pathway(text).support_line.source is None


def test_a_required_field_left_empty_is_called_empty() -> None:
    """`title:` with nothing after it says the title is empty, at that line."""
    text = replaced("    title: Remission\n", "    title:\n")
    empty_title = where(text, "title:\n    summary: Tests", 6)
    assert problems_of(text) == [
        f"{empty_title}: title in state 'remission' is empty\n"
        "  hint: write some text after the colon"
    ]


def test_a_duplicate_key_in_a_flow_mapping_is_an_error() -> None:
    """Duplicate keys are errors in {flow} mappings too, at the second key."""
    text = replaced(
        "when: {philadelphia: positive}", "when: {philadelphia: positive, philadelphia: any}"
    )
    line = position_of(text, "when:")[0]
    assert problems_of(text) == [
        f"{where(text, 'philadelphia: any')}: duplicate key 'philadelphia' in 'when' of"
        " transition 'a_different_tki'\n"
        f"  hint: 'philadelphia' is already set on line {line}; keep one"
    ]


def test_anchors_are_refused_even_without_aliases() -> None:
    """An anchor alone is refused: pathways never needs one."""
    text = replaced("    title: Remission\n", "    title: &t Remission\n")
    assert problems_of(text) == [
        f"{where(text, '&t')}: the anchor '&t' is not allowed\n"
        "  hint: anchors and aliases (&name, *name) are not used in pathways;"
        " write the value out in full"
    ]


def test_a_tag_on_a_key_is_refused() -> None:
    """Tags are refused wherever they are, keys included."""
    text = replaced("    title: Remission\n", "    !!str title: Remission\n")
    [problem] = problems_of(text)
    assert problem.startswith(f"{where(text, '!!str')}: the tag '!!str' is not allowed")


def test_a_complex_key_is_refused() -> None:
    """A list used as a key is refused with one plain message."""
    text = replaced("    title: Remission\n", "    ? [a, b]\n    : Remission\n")
    [problem] = problems_of(text)
    assert problem.startswith(f"{where(text, '[a, b]')}: a key must be a plain name")


def test_nesting_up_to_the_limit_is_read_and_beyond_it_refused() -> None:
    """50 levels are read (and then found wrong); 51 are refused before anything else."""

    def nested(levels: int) -> str:
        inner = levels - 1  # the top-level mapping is the first level
        return "metadata: " + "[" * inner + "]" * inner + "\n"

    at_limit = problems_of(nested(loader.MAX_DEPTH))
    assert any("metadata must be a mapping" in problem for problem in at_limit)
    [beyond] = problems_of(nested(loader.MAX_DEPTH + 1))
    assert "nested more than 50 levels deep" in beyond


def test_a_document_over_the_size_limit_is_refused_before_parsing() -> None:
    """Text larger than the limit gets one message naming the limit."""
    text = "metadata: " + "x" * loader.MAX_DOCUMENT_BYTES
    assert problems_of(text) == [
        "test.yaml:1:1: the document is larger than 10 MB, the most a pathway may be\n"
        "  hint: check that this is the pathway file; split very long text into states"
    ]


def test_a_document_with_too_many_values_is_refused_as_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading stops at the first value past the limit (here the 11th: 9th item of the list)."""
    monkeypatch.setattr(reader, "MAX_VALUES", 10)
    [problem] = problems_of("a: [" + "1, " * 20 + "]\n")
    assert problem == (
        "test.yaml:1:29: the document holds more than 10 values\n  hint: check that this is"
        " the pathway file; a pathway with thousands of states holds a few hundred thousand"
    )


def test_the_size_limit_counts_bytes_and_allows_exactly_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text of exactly the limit in UTF-8 bytes (fewer characters) passes the size check;
    one byte more is refused."""
    monkeypatch.setattr(reader, "MAX_DOCUMENT_BYTES", 1000)
    at_the_limit = "metadata: " + "é" * 495  # 10 + 990 bytes
    assert not any("larger than" in problem for problem in problems_of(at_the_limit))
    assert problems_of(at_the_limit + "x")[0].startswith(
        "test.yaml:1:1: the document is larger than 1 KB"
    )


def test_too_many_values_are_counted_at_lists_and_mappings_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limit is met at the list that would be the 11th value, not one later."""
    monkeypatch.setattr(reader, "MAX_VALUES", 10)
    [problem] = problems_of("a: [[1], [2], [3], [4], [5], [6]]\n")
    assert problem.startswith("test.yaml:1:25: the document holds more than 10 values\n")


def test_a_file_of_duplicate_keys_stops_at_a_hundred_problems() -> None:
    """A hundred duplicate keys are reported, then reading stops."""
    problems = problems_of("a:\n" + "  k: 1\n" * 150)
    assert len(problems) == 100
    assert problems[-1].startswith("test.yaml:102:3: duplicate key 'k' in 'a'")


def test_a_document_that_is_only_text_is_refused_where_the_text_is() -> None:
    """A document of one text (after a comment) is not a pathway, said at the text."""
    assert problems_of("# a note\njust some words\n")[0].startswith(
        "test.yaml:2:1: the top level must be a mapping of sections, not text"
    )


def test_a_control_character_is_located_even_after_a_blank_first_line() -> None:
    """The place of a character YAML does not allow counts every line, the first too."""
    assert problems_of("\nmetadata: a\x07b\n")[0].startswith(
        "test.yaml:2:12: the text holds a character that YAML does not allow (U+0007)"
    )


def test_a_key_that_is_a_list_is_refused() -> None:
    """A list or mapping used as a key is refused with how to write a key."""
    assert problems_of("[a, b]: c\n") == [
        "test.yaml:1:1: a key must be a plain name, not a list or a mapping\n"
        "  hint: write 'name: value', with the name on the left of the colon"
    ]


def test_an_error_the_parser_gives_without_a_place_is_still_a_plain_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the YAML parser fail in a way the reader does not foresee, the author gets
    its words at the top of the file, never a traceback."""

    class BrokenParser:
        def __init__(self, text: str) -> None:
            pass

        def check_event(self) -> bool:
            raise yaml.YAMLError("the parser broke")

        def get_event(self) -> None:
            raise AssertionError("not reached: check_event fails first")

        def dispose(self) -> None:
            pass

    monkeypatch.setattr(reader, "_Loader", BrokenParser)
    assert problems_of("a: 1\n") == ["test.yaml:1:1: the YAML cannot be read: the parser broke"]


def test_a_file_full_of_tags_and_duplicate_keys_stops_at_a_hundred_problems() -> None:
    """Reading stops after a hundred refused things, duplicate keys counted with tags,
    and says each at its line."""
    text = "a:\n" + "  k: 1\n" * 11 + "".join(f"  t{i}: !!str v\n" for i in range(150))
    problems = problems_of(text)
    assert len(problems) == 100
    assert sum("duplicate key 'k' in 'a'" in problem for problem in problems) == 10
    assert problems[-1].startswith("test.yaml:102:8: the tag '!!str' is not allowed")


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file larger than the limit is refused after reading just past the limit."""
    monkeypatch.setattr(reader, "MAX_DOCUMENT_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text(minimal_text(), encoding="utf-8")
    with pytest.raises(ContentError, match=r"big.yaml:1:1: the file is larger than 1 KB,"):
        load_pathway(big)


@pytest.mark.parametrize("parser", ["libyaml", "python"])
def test_a_byte_order_mark_is_ignored(parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A UTF-8 byte-order mark (as some editors save) neither breaks nor shifts columns,
    on the first line too, with either YAML parser."""
    if parser == "python":
        monkeypatch.setattr(reader, "_Loader", yaml.SafeLoader)
    text = "start: [relapse]\n" + replaced("start: relapse\n", "")
    assert problems_of("\ufeff" + text)[0].startswith(
        "test.yaml:1:8: start must be text, not a list"
    )
    document = parse_document("\ufeff" + minimal_text())
    assert document.locate(("metadata", "id"))[1:] == position_of(minimal_text(), "minimal\n")


def test_the_review_dates_are_checked_on_the_day_given_through_each_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``today`` decides whether the review is overdue, whichever way the text comes in;
    ``review=False`` leaves the dates out; without either, the review is checked. The
    messages name the file as it was given (``<string>`` for text)."""
    text = replaced(
        "  reviewed: 2026-01-15\n  next_review: 2099-12-31\n",
        "  reviewed: 1999-06-01\n  next_review: 2000-01-01\n",
    )
    monkeypatch.chdir(tmp_path)
    Path("old.yaml").write_text(text, encoding="utf-8")
    before = dt.date(1999, 12, 1)  # the real day is long past next_review
    assert parse_pathway(text, today=before).metadata.id == "minimal"
    assert parse_document(text, today=before).pathway.metadata.id == "minimal"
    assert load_pathway("old.yaml", today=before).metadata.id == "minimal"
    assert load_document("old.yaml", today=before).pathway.metadata.id == "minimal"
    assert load_document("old.yaml", review=False).pathway.metadata.id == "minimal"
    overdue = "the content was due for review on 2000-01-01, which has passed"
    with pytest.raises(ContentError, match=f"^<string>:11:16: {overdue}"):
        parse_document(text)
    with pytest.raises(ContentError, match=f"^<string>:11:16: {overdue}"):
        parse_pathway(text)
    with pytest.raises(ContentError, match=rf"^\./old\.yaml:11:16: {overdue}"):
        load_document("./old.yaml")


def test_text_with_a_lone_surrogate_is_a_content_error() -> None:
    """Text that cannot be UTF-8 (a lone surrogate) is a located problem, not a crash."""
    text = replaced("    title: Remission\n", "    title: Re\ud800mission\n")
    [problem] = problems_of(text)
    assert problem.startswith(
        f"{where(text, chr(0xD800))}: the text holds a character that YAML does not allow (U+D800)"
    )


# --------------------------------------------------------------------------- files


def test_load_pathway_without_a_path_uses_the_chosen_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no path, $PATHWAYS_FILE chooses the file, and messages name it as given."""
    monkeypatch.chdir(DATA)
    monkeypatch.setenv("PATHWAYS_FILE", "minimal.yaml")
    assert load_pathway().metadata.id == "minimal"
    monkeypatch.setenv("PATHWAYS_FILE", "invalid/dead_end.yaml")
    with pytest.raises(ContentError, match=r"^invalid/dead_end\.yaml:\d+:9: state 'remission'"):
        load_pathway(today=TODAY)


def test_a_file_that_does_not_exist_is_one_plain_problem(tmp_path: Path) -> None:
    """A missing file says so, names the file as given, and points to how it was chosen."""
    with pytest.raises(ContentError) as caught:
        load_pathway(tmp_path / "nope.yaml")
    [problem] = caught.value.problems
    assert problem.message == f"cannot read {tmp_path / 'nope.yaml'}: there is no such file"
    assert problem.hint is not None and "$PATHWAYS_FILE" in problem.hint
    assert problem.location is None


def test_a_folder_is_not_a_pathway_file(tmp_path: Path) -> None:
    """Naming a folder says it is a folder."""
    with pytest.raises(ContentError, match="it is a folder, not a file"):
        load_pathway(tmp_path)


@pytest.mark.parametrize(
    ("refusal", "message", "hint"),
    [
        (
            PermissionError(13, "Permission denied"),
            "cannot read {file}: permission denied",
            "check that the file can be read by the user running pathways",
        ),
        (OSError(5, "Input/output error"), "cannot read {file}: Input/output error", None),
    ],
    ids=["permission", "other"],
)
def test_a_file_the_system_will_not_read_is_one_plain_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refusal: OSError,
    message: str,
    hint: str | None,
) -> None:
    """When the system refuses the file (as it does for a user without permission, which
    root, who runs CI, never is), the message says why in words, with no errno."""
    file = tmp_path / "p.yaml"
    file.write_text(minimal_text(), encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise refusal

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ContentError) as caught:
        load_pathway(file)
    [problem] = caught.value.problems
    assert (problem.message, problem.hint, problem.location) == (
        message.format(file=file),
        hint,
        None,
    )


def test_a_missing_file_or_a_folder_gets_its_own_hint(tmp_path: Path) -> None:
    """A missing file points to how the file was chosen; a folder asks for the file in it."""
    with pytest.raises(ContentError) as caught:
        load_pathway(tmp_path / "nope.yaml")
    assert caught.value.problems[0].hint == (
        "check the path; the pathway is chosen with --pathway or $PATHWAYS_FILE"
    )
    with pytest.raises(ContentError) as caught:
        load_pathway(tmp_path)
    assert caught.value.problems[0].hint == "name the pathway file itself, e.g. pathways.yaml"


def test_a_file_exactly_at_the_size_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is the most a file may be: that many bytes are read, one more is refused,
    and a limit of a whole number of megabytes is named in MB."""
    monkeypatch.setattr(reader, "MAX_DOCUMENT_BYTES", 1_000_000)
    file = tmp_path / "p.yaml"
    file.write_bytes(b"#" * 1_000_000)
    assert reader.read_text(file, "p.yaml") == "#" * 1_000_000
    file.write_bytes(b"#" * 1_000_001)
    with pytest.raises(ContentError, match=r"^p\.yaml:1:1: the file is larger than 1 MB,"):
        reader.read_text(file, "p.yaml")


def test_a_byte_that_is_not_utf8_is_located_even_after_a_blank_first_line(
    tmp_path: Path,
) -> None:
    """The place of a byte that is not UTF-8 counts every line, the first one too."""
    file = tmp_path / "p.yaml"
    file.write_bytes(b"\nkey: caf\xe9\n")
    with pytest.raises(ContentError) as caught:
        reader.read_text(file, "p.yaml")
    assert str(caught.value).startswith(
        "p.yaml:2:9: the file is not UTF-8 text: byte 0xe9 cannot be read"
    )


def test_load_document_keeps_the_filename_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path stays relative in the document and its locations."""
    monkeypatch.chdir(DATA.parent)
    document = load_document("data/minimal.yaml", today=TODAY)
    assert document.filename == "data/minimal.yaml"
    line, col = position_of(minimal_text(), "relapse\nstates:")
    assert str(document.locate(("start",))) == f"data/minimal.yaml:{line}:{col}"


# --------------------------------------------------------------------------- locate


@pytest.fixture(scope="module")
def minimal_document() -> Document:
    return load_document(MINIMAL, today=TODAY)


def test_locate_gives_the_value(minimal_document: Document) -> None:
    """A scalar's location is where its value starts; key=True gives its key."""
    text = minimal_text()
    line, col = position_of(text, "summary: Treatment may be repeated")
    assert minimal_document.locate(("states", 1, "summary")) == (str(MINIMAL), line, col + 9)
    assert minimal_document.locate(("states", 1, "summary"), key=True) == (str(MINIMAL), line, col)


def test_locate_gives_a_block_value_at_its_key(minimal_document: Document) -> None:
    """A list or mapping that starts below its key is located at the key's line."""
    text = minimal_text()
    assert minimal_document.locate(("metadata",))[1:] == position_of(text, "metadata:")
    assert minimal_document.locate(("states", 0, "explanation"))[1:] == position_of(
        text, "explanation:"
    )


def test_locate_gives_a_flow_value_where_it_starts(minimal_document: Document) -> None:
    """A [flow] or {flow} value on its key's line is located at its opening bracket."""
    text = minimal_text()
    assert minimal_document.locate(("states", 0, "terms"))[1:] == position_of(text, "[remission]")
    assert minimal_document.locate(("transitions", 2, "when", "philadelphia"))[1:] == (
        position_of(text, "positive}")
    )


def test_locate_gives_list_items(minimal_document: Document) -> None:
    """Items of a list are located where they start: a mapping item at its first key."""
    text = minimal_text()
    assert minimal_document.locate(("states", 2))[1:] == position_of(
        text, "id: remission\n    title"
    )
    assert minimal_document.locate(("transitions", 3, "source", 1))[1:] == position_of(
        text, "reinduction]"
    )


def test_locate_a_missing_key_gives_the_nearest_parent(minimal_document: Document) -> None:
    """A path into something absent is located at the nearest enclosing value there is."""
    text = minimal_text()
    assert minimal_document.locate(("states", 2, "facts", 0, "text"))[1:] == position_of(
        text, "id: remission\n    title"
    )
    assert minimal_document.locate(("states", 99, "title"))[1:] == position_of(text, "states:")
    assert minimal_document.locate(("nothing", "here"))[1:] == (3, 1)
    assert minimal_document.locate(())[1:] == (3, 1)


@given(document=valid_documents())
def test_locate_points_at_the_line_holding_each_text(document: dict[str, object]) -> None:
    """For every text a reader sees, locate() names the line where that text starts."""
    text = dump_yaml(document)
    parsed = parse_document(text, "doc.yaml")
    lines = text.splitlines()
    for path, value in iter_text(parsed.pathway):
        location = parsed.locate(path)
        first_word = re.match(r"\w+", value)
        assert first_word is not None  # the strategy starts every text with a word
        assert first_word.group() in lines[location.line - 1], (path, location)


# --------------------------------------------------------------------------- properties


@given(document=valid_documents())
def test_valid_documents_load_to_the_same_pathway(document: dict[str, object]) -> None:
    """Any valid document, written as YAML and loaded, is the pathway its data describes."""
    expected = Pathway.model_validate(document)
    assert check_pathway(expected) == []
    assert parse_pathway(dump_yaml(document)) == expected


def assert_every_problem_located(error: ContentError, filename: str, text: str) -> None:
    assert error.problems
    last_line = text.count("\n") + 2  # a problem may sit at the end of the last line
    for problem in error.problems:
        assert problem.location is not None, problem
        assert problem.location.file == filename
        assert 1 <= problem.location.line <= last_line, problem
        assert problem.location.col >= 1, problem
        assert problem.message and "Traceback" not in problem.message


@given(text=broken_documents())
def test_broken_text_gives_a_pathway_or_located_problems(text: str) -> None:
    """Damaged YAML text gives a valid Pathway or a ContentError, every problem located."""
    try:
        pathway = parse_pathway(text, "broken.yaml")
    except ContentError as error:
        assert_every_problem_located(error, "broken.yaml", text)
    else:
        assert isinstance(pathway, Pathway)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=broken_files())
def test_broken_files_give_a_pathway_or_located_problems(data: bytes) -> None:
    """Damaged file bytes (odd encodings, random bytes) never raise anything but ContentError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "broken.yaml"
        path.write_bytes(data)
        try:
            load_pathway(path)
        except ContentError as error:
            assert_every_problem_located(error, str(path), data.decode("utf-8", "replace"))


@given(text=st.text(max_size=200))
def test_any_text_at_all_gives_a_pathway_error_never_a_crash(text: str) -> None:
    """Arbitrary text is refused with located problems, never a traceback."""
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, "any.yaml")
    assert_every_problem_located(caught.value, "any.yaml", text)


# --------------------------------------------------------------------------- phases


PHASES = """
phases:
  - id: now
    title: Now
    states: [relapse, reinduction]
  - id: later
    title: Later
    states: [remission, palliative_care]
"""


def test_phases_are_read_in_order() -> None:
    """A document's phases keep their order and states."""
    pathway = parse_pathway(replaced("states:\n", PHASES.lstrip() + "states:\n"), "t.yaml")
    assert [(p.id, p.states) for p in pathway.phases] == [
        ("now", ("relapse", "reinduction")),
        ("later", ("remission", "palliative_care")),
    ]


def test_phase_naming_an_unknown_state_or_leaving_one_out_is_refused() -> None:
    """A phase that names a state twice, or no state, or an unknown one is an error at its
    place, with the fix; a state in no phase is named."""
    broken = PHASES.replace("[relapse, reinduction]", "[relapse, reinductoin]").replace(
        "[remission, palliative_care]", "[remission, relapse]"
    )
    text = replaced("states:\n", broken.lstrip() + "states:\n")
    found = problems_of(text)
    assert any(
        "phase 'now' names unknown state 'reinductoin'" in p and "did you mean 'reinduction'" in p
        for p in found
    ), found
    assert any("state 'relapse' is in phase 'now' and in phase 'later'" in p for p in found)
    assert any("no phase names states 'reinduction', 'palliative_care'" in p for p in found)
    assert all(re.match(r"test\.yaml:\d+:\d+: ", p) for p in found), found


# --------------------------------------------------------------------------- writing


def test_a_pathway_is_written_back_as_its_author_wrote_it(pathway: Pathway) -> None:
    """``dump_pathway`` writes the keys in the schema's order with the defaults left out
    (the minimal document's own keys, in its order), text as itself rather than escaped,
    and the loader reads it back into the same pathway: the shipped pathway too, in which
    many values (ids, dates) appear more than once and are written out each time."""
    text = replaced("  title: A small test pathway\n", "  title: Un petit parcours d'essai é\n")
    written = reader.dump_pathway(parse_pathway(text, today=TODAY))
    keys = list(yaml.safe_load(written))
    assert keys == list(yaml.safe_load(text)) and keys != sorted(keys)
    assert "Un petit parcours d'essai é" in written
    assert parse_pathway(written, today=TODAY) == parse_pathway(text, today=TODAY)
    assert parse_pathway(reader.dump_pathway(pathway)) == pathway
