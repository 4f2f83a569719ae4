"""The intended-purpose statement read for ``pathways --help`` without a YAML library:
whenever it gives a text, that text is the loader's; for the forms authors write, it
gives one; for anything it does not plainly understand, it gives None."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import DATA, MINIMAL, ROOT
from pathways.loader import load_pathway
from pathways.statement import MAX_BYTES, intended_purpose, statement_in
from strategies import (
    broken_documents,
    dump_yaml,
    real_document_mutations,
    valid_documents,
)


def folded(text: str) -> str:
    return " ".join(text.split())


class Unreadable(Exception):
    """PyYAML cannot read the document at all (the loader refuses it too)."""


def yaml_reading(text: str) -> str | None:
    """What PyYAML finds at metadata.intended_purpose, folded as the loader folds it."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        raise Unreadable from None
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        return None
    value = data["metadata"].get("intended_purpose")
    return folded(value) if isinstance(value, str) else None


def test_the_shipped_and_minimal_statements_are_read_exactly() -> None:
    """Both pathways of the repository give exactly the statement their loader gives."""
    for path in (ROOT / "pathways.yaml", MINIMAL):
        assert intended_purpose(path) == load_pathway(path).metadata.intended_purpose


WORDS = st.lists(
    st.text(alphabet=st.characters(categories=["L", "N"], max_codepoint=0x2FF), min_size=1),
    min_size=2,
    max_size=12,
).map(" ".join)
"""A statement: words of letters and digits (the first made a letter below)."""


@st.composite
def written_statements(draw: st.DrawFn) -> tuple[str, str]:
    """A metadata block with the statement in one of the forms authors write: (document
    text, the statement)."""
    words = "A" + draw(WORDS)
    indent = " " * draw(st.integers(1, 4))
    deeper = indent + " " * draw(st.integers(1, 4))
    style = draw(st.sampled_from(["plain", "double", "single", ">-", ">", "|", "|-"]))
    if style == "plain":
        value = f" {words}"
    elif style == "double":
        value = f' "{words}"'
    elif style == "single":
        value = " '" + words.replace("'", "''") + "'"
    else:
        cut = draw(st.lists(st.integers(1, 4), max_size=4))
        pieces, rest = [], words.split(" ")
        for size in cut:
            pieces.append(" ".join(rest[:size]))
            rest = rest[size:]
        pieces.append(" ".join(rest))
        value = f" {style}\n" + "\n".join(deeper + p for p in pieces if p)
    comment = draw(st.sampled_from(["", "# about this\n"]))
    text = (
        f"{comment}metadata:\n{indent}id: x\n{indent}intended_purpose:{value}\n"
        f"{indent}title: A title\nstates:\n  - id: a\n"
    )
    return text, folded(words)


@settings(max_examples=200, deadline=None)
@given(written=written_statements())
def test_the_forms_authors_write_are_read(written: tuple[str, str]) -> None:
    """Plain, quoted, folded and literal statements are read, as PyYAML reads them."""
    text, words = written
    assert yaml_reading(text) == words
    assert statement_in(text) == words


@settings(max_examples=100, deadline=None)
@given(document=valid_documents())
def test_generated_documents_give_their_statement_or_none(document: dict[str, Any]) -> None:
    """A valid document as dumped: its statement, or None; never anything else."""
    text = dump_yaml(document)
    found = statement_in(text)
    assert found is None or found == folded(document["metadata"]["intended_purpose"])


def agrees(text: str) -> None:
    """The reading is None or PyYAML's, for any document PyYAML can read at all."""
    found = statement_in(text)
    if found is None:
        return
    with contextlib.suppress(Unreadable):  # the loader refuses it; no reading to match
        assert found == yaml_reading(text)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(real_document_mutations(), broken_documents()))
def test_damaged_documents_never_give_another_text(text: str) -> None:
    """Whatever the damage, a text given is PyYAML's value for the statement."""
    agrees(text)


LINE = st.sampled_from(
    [
        "metadata:",
        "metadata: &m",
        "  intended_purpose: Other words here",
        '  intended_purpose: "Quoted words',
        "  title: 'it''s",
        "  title: [a,",
        "  tags: [a, b]",
        "  tags: [a, intended_purpose: x]",
        "  tags: [a, 'b']",
        "  tags: [intended_purpose]  # a comment",
        "  intended_purpose: *m",
        "  intended_purpose: !!str Tagged words",
        "  <<: *m",
        "---",
        "%YAML 1.1",
        "  # intended_purpose: commented out",
        "    more words",
        "",
        "  - a list",
        "intended_purpose: top level words",
        '  "intended_purpose": quoted key',
        "  intended_purpose: >-",
        "     deeper words",
        "  ]",
    ]
)


SHIPPED = (ROOT / "pathways.yaml").read_text(encoding="utf-8").splitlines()
METADATA = SHIPPED.index("metadata:")
"""The shipped document's lines, and where its metadata begins."""


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINE, max_size=5), where=st.integers(METADATA - 2, METADATA + 12))
def test_tricky_lines_near_the_statement_never_mislead(lines: list[str], where: int) -> None:
    """Lines that make YAML read the statement otherwise (aliases, tags, merge keys, a
    second key, quotes or flow collections going on over lines, documents, lists), put
    in or around the metadata, give None or exactly PyYAML's reading."""
    agrees("\n".join([*SHIPPED[:where], *lines, *SHIPPED[where:]]) + "\n")


def test_what_is_not_read(tmp_path: Path) -> None:
    """No file, bytes that are not UTF-8, a file over the size limit, two statements and
    odd line breaks all give None."""
    assert intended_purpose(tmp_path / "missing.yaml") is None
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"metadata:\n  intended_purpose: \xff words\n")
    assert intended_purpose(binary) is None
    huge = tmp_path / "huge.yaml"
    huge.write_text("metadata:\n  intended_purpose: Some words\n" + "#" * MAX_BYTES)
    assert intended_purpose(huge) is None
    twice = "metadata:\n  intended_purpose: One text\n  intended_purpose: Two text\n"
    assert statement_in(twice) is None
    assert statement_in("metadata:\n  intended_purpose: One text\u2028here\n") is None
    assert statement_in("metadata:\n  intended_purpose: Some words\n") == "Some words"


def test_a_list_of_tags_on_one_line_is_passed_over() -> None:
    """Tags written as a one-line list of plain words beside the statement (as catalogues
    ask for them) leave it readable; a list going on over lines still gives None."""
    tags = "metadata:\n  tags: [surgery, joints]\n  intended_purpose: Some words\n"
    assert statement_in(tags) == "Some words"
    over_lines = "metadata:\n  tags: [surgery,\n    joints]\n  intended_purpose: Some words\n"
    assert statement_in(over_lines) is None
    for path in sorted((DATA / "pathways").glob("*.yaml")):
        assert intended_purpose(path) == load_pathway(path).metadata.intended_purpose


def test_the_help_path_holds_no_word_of_the_shipped_topic() -> None:
    """The modules `pathways --help` runs hold no word of the shipped pathway's topic:
    the statement shown comes from the pathway file."""
    words = re.compile(r"leukaem|leukem|lymphoblastic|philadelphia|relaps|remission", re.I)
    initialism = re.compile(r"\bALL\b")  # in capitals only: "all" is an everyday word
    assert words.search("Relapsed leukaemia") and initialism.search("relapsed ALL.")
    for name in ("cli.py", "statement.py", "launch.py", "resources.py"):
        lines = (ROOT / "src" / "pathways" / name).read_text(encoding="utf-8").splitlines()
        found = [
            f"{name}:{n}: {line.strip()}"
            for n, line in enumerate(lines, 1)
            if words.search(line) or initialism.search(line)
        ]
        assert found == [], found
