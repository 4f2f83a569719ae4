"""Hypothesis strategies for pathway documents, shared by the test modules.

- ``valid_documents()``: plain dicts (as a YAML file would hold them) that pass both
  ``Pathway.model_validate`` and ``check_pathway`` with today's date: every state is
  reachable from the start, every state without a way on is an end point, every fact
  cites a declared source and section, every term and ``when`` is declared.
- ``broken_documents()``: YAML text made from a valid document by random damage to its
  data (deleted keys, wrong types, misspelt keys) and then to its text (truncation,
  inserted characters, tabs, shifted indentation), always damaged (it does not read
  as the valid document); some still pass as valid pathways.
- ``broken_files()``: the bytes of a broken document with random bytes spliced in.
- ``dump_yaml(data)``: the YAML text of a document, as an author might write it.
- ``real_document_mutations()``: the repository's pathways.yaml with random damage.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, get_args

import yaml
from hypothesis import strategies as st

from paths import ROOT
from pathways.schema import Hedge

Document = dict[str, Any]

HEDGES: tuple[str, ...] = get_args(Hedge)

_ID_TAIL = st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=6)


def _ids(draw: st.DrawFn, prefix: str, count: int) -> list[str]:
    """``count`` distinct ids; the prefix keeps kinds apart (no trigger named like a state)."""
    heads = (
        [prefix] * count
        if prefix
        else draw(st.lists(st.sampled_from("abcdefgh"), min_size=count, max_size=count))
    )
    # The index after the head makes the ids distinct without filtering random draws.
    return [f"{head}{index}{draw(_ID_TAIL)}" for index, head in enumerate(heads)]


_WORDS = st.text(
    alphabet=st.characters(categories=("L", "N"), max_codepoint=0x2FFF),
    min_size=1,
    max_size=10,
)
_PUNCTUATION = st.sampled_from(["", ".", ",", ":", "?", "!", " -", "'s", ' "x"', " #1", " (ALL)"])


@st.composite
def texts(draw: st.DrawFn, max_words: int = 8) -> str:
    """A short piece of text: words, spaces and the punctuation YAML makes awkward."""
    words = draw(st.lists(_WORDS, min_size=1, max_size=max_words))
    return " ".join(word + draw(_PUNCTUATION) for word in words)


# Reviewed in the past, next review far ahead: valid on any day the tests run.
_PAST_DATES = st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)).map(dt.date.isoformat)
_FUTURE_DATES = st.dates(dt.date(2099, 1, 1), dt.date(2199, 12, 31)).map(dt.date.isoformat)


@st.composite
def valid_documents(draw: st.DrawFn) -> Document:
    """A small pathway document (plain data) with no problem at all."""
    n_states = draw(st.integers(1, 6))
    state_ids = _ids(draw, "s", n_states)
    others = _ids(draw, "", 8)
    source_ids, glossary_ids = others[:2], others[2:5]
    context_id, value_ids = others[5], others[6:8]

    sources = [
        {
            "id": source_id,
            "title": draw(texts()),
            "publisher": draw(texts(3)),
            "url": "https://example.org/" + source_id,
            "accessed": draw(_PAST_DATES),
            "sections": draw(st.lists(texts(6), min_size=1, max_size=3)),
        }
        for source_id in source_ids[: draw(st.integers(1, 2))]
    ]
    glossary = [
        {"id": gid, "term": draw(texts(2)), "definition": draw(texts())}
        for gid in glossary_ids[: draw(st.integers(0, 3))]
    ]
    with_context = draw(st.booleans())
    contexts = (
        [
            {
                "id": context_id,
                "label": draw(texts(3)),
                "values": [
                    {"id": v, "label": draw(texts(4))}
                    | ({"phrase": draw(texts(4))} if draw(st.booleans()) else {})
                    for v in value_ids
                ],
                "default": value_ids[0],
            }
        ]
        if with_context
        else []
    )

    states: list[Document] = []
    for state_id in state_ids:
        state: Document = {
            "id": state_id,
            "title": draw(texts(5)),
            "summary": draw(texts(6)),  # at most 107 characters
            "explanation": draw(st.lists(texts(), min_size=1, max_size=3)),
        }
        if draw(st.booleans()):
            source = draw(st.sampled_from(sources))
            fact: Document = {
                "text": draw(texts()),
                "source": source["id"],
                "section": draw(st.sampled_from(source["sections"])),
            }
            if draw(st.booleans()):
                out_of = draw(st.integers(1, 1000))
                fact["number"] = {
                    "count": draw(st.integers(0, out_of)),
                    "out_of": out_of,
                    "hedge": draw(st.sampled_from(HEDGES)),
                    "about": draw(texts(4)),
                    "percent": draw(st.integers(0, 100)),
                }
                if draw(st.booleans()):
                    fact["number"]["filled"] = draw(texts(5))
            state["facts"] = [fact]
        if "number" not in state.get("facts", [{}])[0] and draw(st.booleans()):
            state["no_figure"] = draw(texts())
        if len(glossary) > 0 and draw(st.booleans()):
            state["terms"] = draw(
                st.lists(st.sampled_from([g["id"] for g in glossary]), min_size=1, unique=True)
            )
        if draw(st.booleans()):
            state["questions"] = draw(st.lists(texts(), min_size=1, max_size=2))
        states.append(state)

    # A tree from the first state reaches every state; extra steps may loop back.
    n_extra = draw(st.integers(0, 3))
    triggers = _ids(draw, "t", n_states - 1 + n_extra)
    transitions: list[Document] = []
    for index in range(1, n_states):
        parent = draw(st.integers(0, index - 1))
        transitions.append(
            {
                "trigger": triggers[index - 1],
                "source": state_ids[parent],
                "dest": state_ids[index],
                "label": draw(texts(5)),
            }
        )
    for trigger in triggers[n_states - 1 :]:
        sources_of = draw(st.lists(st.sampled_from(state_ids), min_size=1, unique=True))
        transitions.append(
            {
                "trigger": trigger,
                "source": sources_of if len(sources_of) > 1 else sources_of[0],
                "dest": draw(st.sampled_from(state_ids)),
                "label": draw(texts(5)),
            }
        )
    if with_context:
        for transition in transitions:
            if draw(st.booleans()):
                chosen = draw(st.lists(st.sampled_from(value_ids), min_size=1, unique=True))
                transition["when"] = {context_id: chosen if len(chosen) > 1 else chosen[0]}
    leads_on = {
        source
        for t in transitions
        for source in ([t["source"]] if isinstance(t["source"], str) else t["source"])
    }
    for state in states:
        if state["id"] not in leads_on:
            state["end"] = True
        elif draw(st.booleans()):
            state["end"] = draw(st.booleans())
        leaving = [
            t["trigger"]
            for t in transitions
            if state["id"] in ([t["source"]] if isinstance(t["source"], str) else t["source"])
        ]
        if leaving and draw(st.booleans()):
            source = draw(st.sampled_from(sources))
            state["notes"] = [
                {
                    "step": draw(st.sampled_from(leaving)),
                    "text": draw(texts()),
                    "source": source["id"],
                    "section": draw(st.sampled_from(source["sections"])),
                }
            ]

    document: Document = {
        "metadata": {
            "id": _ids(draw, "p", 1)[0],
            "title": draw(texts(6)),
            "version": draw(st.sampled_from(["1", "1.0", "2026.1", "draft 3"])),
            "intended_purpose": draw(texts(12)),
            "publisher": draw(texts(3)),
            "reviewed": draw(_PAST_DATES),
            "next_review": draw(_FUTURE_DATES),
        },
        "sources": sources,
        "support": [{"name": draw(texts(3)), "phone": "0808 2080 888", "offers": draw(texts())}],
        "glossary": glossary,
        "contexts": contexts,
        "start": state_ids[0],
        "states": states,
        "transitions": transitions,
    }
    # The optional parts a document may leave out: a reviewer, a scope, ways in.
    if draw(st.booleans()):
        document["metadata"]["reviewer"] = {"role": draw(texts(4))}
    if draw(st.booleans()):
        document["metadata"]["scope"] = {"text": draw(texts())}
    chapter_ids = _ids(draw, "c", 2)[: draw(st.integers(0, 2))]
    if chapter_ids:
        document["chapters"] = [
            {"id": c, "title": draw(texts(5)), "start": draw(st.sampled_from(state_ids))}
            for c in chapter_ids
        ]
    return document


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a value that appears twice out twice, as an author would (no &anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """YAML text for ``data``, block style, keys in their given order."""
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100)


# --------------------------------------------------------------------------- damage

_JUNK_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["no", "yes", "off", "on", "y", "n", "~", "null", "2026-13-45", "Bad Id"]),
    st.lists(st.integers(0, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

_YAML_JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "\t",
            ": ",
            "- ",
            "  ",
            "\n",
            "\n  ",
            "#",
            "&a ",
            "*a",
            "!!python/object ",
            "!x ",
            "[",
            "]",
            "{",
            "}",
            "'",
            '"',
            "|",
            ">",
            "---\n",
            "? ",
            "%",
            "@",
            "`",
            "\x00",
            "\x85",
            "\ufeff",
            "\ud800",
            "\u2028",
            "\ud7ff",
            "\ufffe",
            "~",
            "no",
            "<<: ",
        ]
    ),
)


def _mutate_data(draw: st.DrawFn, document: Document) -> None:
    """Damage one place in the data: delete it, replace it, misspell its key or add a
    stray key. Something always changes (a step that would change nothing is drawn again)."""
    container: Any = document
    while True:
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        key = draw(st.sampled_from(keys))
        child = container[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            container = child
            continue
        actions = ["delete", "replace"]
        if isinstance(container, dict):
            actions += ["misspell", "add"]
        action = draw(st.sampled_from(actions))
        if action == "delete":
            del container[key]
        elif action == "replace":
            junk = draw(_JUNK_VALUES)
            if junk == child:
                continue
            container[key] = junk
        elif action == "misspell":
            misspelt = key[:-1] + draw(st.sampled_from("aex_"))
            if misspelt in container:
                continue
            container[misspelt] = container.pop(key)
        else:
            stray = draw(st.text(min_size=1, max_size=8))
            if stray in container:
                continue
            container[stray] = draw(_JUNK_VALUES)
        return


def _mutate_text(draw: st.DrawFn, text: str) -> str:
    """Damage the text: truncate it, splice in junk, or break a line's indentation."""
    if not text:
        return draw(_YAML_JUNK)
    at = draw(st.integers(0, len(text)))
    action = draw(st.sampled_from(["truncate", "insert", "replace", "indent", "tab", "line"]))
    if action == "truncate":
        return text[:at]
    if action == "insert":
        return text[:at] + draw(_YAML_JUNK) + text[at:]
    if action == "replace":
        return text[:at] + draw(_YAML_JUNK) + text[at + draw(st.integers(1, 20)) :]
    lines = text.split("\n")
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index]
    if action == "indent":
        lines[index] = " " * draw(st.integers(0, 6)) + line.lstrip(" ")
    elif action == "tab":
        lines[index] = "\t" + line.lstrip(" ")
    else:
        lines.insert(index, line)  # a duplicated line: often a duplicate key
    return "\n".join(lines)


def damaged(text: str, document: Document) -> bool:
    """Whether the text no longer reads as the document (it is not YAML, or other data)."""
    try:
        return bool(yaml.safe_load(text) != yaml.safe_load(dump_yaml(document)))
    except yaml.YAMLError:
        return True


@st.composite
def broken_documents(draw: st.DrawFn) -> str:
    """YAML text of a valid document damaged in its data and then in its text; the
    damage always shows (the text does not read as the valid document)."""
    original = draw(valid_documents())
    document = copy.deepcopy(original)
    data_damage = draw(st.integers(0, 3))
    for _ in range(data_damage):
        _mutate_data(draw, document)
    text = dump_yaml(document)
    for _ in range(draw(st.integers(0 if data_damage else 1, 3))):
        text = _mutate_text(draw, text)
    while not damaged(text, original):  # text damage can be harmless (a blank line)
        text = _mutate_text(draw, text)
    return text


@st.composite
def broken_files(draw: st.DrawFn) -> bytes:
    """The bytes of a broken document, with random bytes spliced in or an odd encoding."""
    text = draw(broken_documents())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


# --------------------------------------------------------------------------- the real one

_REAL_TEXT = (ROOT / "pathways.yaml").read_text(encoding="utf-8")
_REAL_DOCUMENT: Document = yaml.safe_load(_REAL_TEXT)


@st.composite
def real_document_mutations(draw: st.DrawFn) -> str:
    """The repository's own pathways.yaml, damaged: first (sometimes) in its data, then
    in its text, as an author's slip or a bad merge would."""
    text = _REAL_TEXT
    in_data = draw(st.booleans())
    if in_data:
        document = yaml.safe_load(text)
        for _ in range(draw(st.integers(1, 3))):
            _mutate_data(draw, document)
        text = dump_yaml(document)
    for _ in range(draw(st.integers(0 if in_data else 1, 4))):
        text = _mutate_text(draw, text)
    while not damaged(text, _REAL_DOCUMENT):
        text = _mutate_text(draw, text)
    return text
