"""Reading a pathway document: YAML text -> a validated ``Pathway``, every problem at file:line:col.

This is the only module that imports the YAML library (layer 3). It reads the YAML event
stream itself rather than using ``yaml.safe_load``, because a pathway must not inherit
YAML's traps: a duplicate key would silently win, ``no``/``off``/``yes`` would turn into
booleans, tags could build arbitrary objects, and aliases can expand into a billion nodes.
Here a plain scalar stays the text the author wrote (only ``true``/``false`` and empty/
``null`` are special; pydantic turns ``"3"`` into 3 and ``"2026-05-01"`` into a date where
the schema asks for one), duplicate keys, tags, anchors and aliases are refused, and the
size and depth of a document are bounded. The same single walk records where each key
and value starts, so any problem, from the YAML parser, from pydantic or from
``schema.check_pathway``, can name its line and column.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import os
import re
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pathways import resources
from pathways.errors import ContentError, Location, Problem
from pathways.schema import (
    BIDI_HINT,
    ID_PATTERN,
    Model,
    Pathway,
    ValidationError,
    bidi_name,
    check_pathway,
    find_bidi_control,
)

try:  # libyaml's parser is about 25 times faster than the pure-Python one.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_VALUES",
    "Document",
    "SourceMap",
    "dump_pathway",
    "load_document",
    "load_pathway",
    "parse_document",
    "parse_pathway",
]

MAX_DOCUMENT_BYTES = 10_000_000
"""Larger documents are refused before parsing. A real pathway is tens of kilobytes; a
5,000-state stress document with realistic text is a few megabytes."""

MAX_VALUES = 1_000_000
"""Documents with more values (scalars, lists and mappings) are refused as they are read,
so that a file of millions of tiny values cannot tie up the process. A 5,000-state
pathway holds about 120,000."""

MAX_DEPTH = 50
"""Deeper nesting is refused. A pathway needs six levels (document > states > state >
facts > fact > number)."""

PathPart = str | int
DataPath = tuple[PathPart, ...]

_MAX_REFUSED = 100
"""Stop reading after this many refused constructs (tags, anchors, duplicate keys)."""

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

# The characters YAML refuses (PyYAML's own NON_PRINTABLE set). Checked before parsing so
# the message can say which character and where, whichever parser is in use.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_SECTIONS_HINT = (
    "a pathway is a mapping of sections: metadata, sources, support, glossary,"
    " contexts, start, states, transitions"
)
_ID_RULE = "an id starts with a lowercase letter and holds only a-z, 0-9 and _"


# --------------------------------------------------------------------------- positions


class SourceMap:
    """Where each key and value of a document starts, by its path in the data.

    Lines and columns are 1-based, as editors count them.
    """

    __slots__ = ("_keys", "_values")

    def __init__(
        self,
        values: dict[DataPath, tuple[int, int]] | None = None,
        keys: dict[DataPath, tuple[int, int]] | None = None,
    ) -> None:
        self._values: dict[DataPath, tuple[int, int]] = values if values is not None else {}
        self._keys: dict[DataPath, tuple[int, int]] = keys if keys is not None else {}

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        """(line, col) of the value at ``path``, or of the nearest parent that exists.

        A value that starts on a later line than its key (a block list or mapping) is
        shown at its key, so the line named is the one with the name on it; ``key=True``
        always gives the key.
        """
        found = tuple(path)
        values = self._values
        while found and found not in values:
            found = found[:-1]
        value_at = values.get(found)
        if value_at is None:
            return (1, 1)
        key_at = self._keys.get(found)
        if key_at is not None and (key or key_at[0] != value_at[0]):
            return key_at
        return value_at


@dataclass(frozen=True)
class Document:
    """A validated pathway with the file it came from and where each value sits in it."""

    pathway: Pathway
    filename: str
    source_map: SourceMap = field(repr=False, compare=False)

    def locate(self, path: Sequence[PathPart], *, key: bool = False) -> Location:
        """file:line:col of the value (or with ``key=True`` the key) at ``path``.

        ``path`` is a path in the document's data, e.g. ``("states", 3, "summary")``. For a
        path that is not in the file (a missing key, an index past the end), the nearest
        enclosing value that is.
        """
        line, col = self.source_map.position(path, key=key)
        return Location(self.filename, line, col)


# --------------------------------------------------------------------------- public API


def load_pathway(
    path: str | os.PathLike[str] | None = None, *, today: dt.date | None = None
) -> Pathway:
    """Read and validate a pathway file (None: the chosen default) or raise ContentError."""
    return load_document(path, today=today).pathway


def parse_pathway(
    text: str, filename: str = "<string>", *, today: dt.date | None = None
) -> Pathway:
    """Validate pathway YAML text; ``filename`` is only used in messages."""
    return parse_document(text, filename, today=today).pathway


def load_document(
    path: str | os.PathLike[str] | None = None, *, today: dt.date | None = None
) -> Document:
    """Read and validate a pathway file, keeping where each value is in it.

    ``path=None`` means the chosen default (``$PATHWAYS_FILE`` or the embedded pathway).
    ``today`` is the date the review deadline is checked against (default: today).
    """
    chosen = resources.chosen_pathway_file(path)
    filename = os.fspath(path) if path else str(chosen)
    return parse_document(_read_text(chosen, filename), filename, today=today)


def parse_document(
    text: str, filename: str = "<string>", *, today: dt.date | None = None
) -> Document:
    """Validate pathway YAML text, keeping where each value is in it."""
    if text.startswith("\ufeff"):
        text = text[1:]  # editors do not show a byte-order mark or count it as a column
    with _cycle_collector_paused():
        data, source_map = _read_yaml(text, filename)
        document_data = _as_document(data, text, source_map, filename)
        try:
            pathway = Pathway.model_validate(document_data)
        except ValidationError as error:
            raise ContentError(
                _sorted(_validation_problems(error, document_data, source_map, filename))
            ) from None
    document = Document(pathway, filename, source_map)
    problems = check_pathway(pathway, today=today)
    if problems:
        located = [
            dataclasses.replace(problem, location=document.locate(problem.path))
            for problem in problems
        ]
        raise ContentError(_sorted(located))
    return document


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Reading builds hundreds of thousands of containers and no reference cycle: the
    cycle collector's passes over a growing heap would find nothing, yet they made a
    5,000-state pathway cost 14 times a 500-state one instead of 10 (benchmarks/scale.py).
    Reference counting still frees everything; the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- reading text


def _read_text(path: Path, filename: str) -> str:
    """The file's text, or a ContentError saying plainly why it cannot be read."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise _file_error(
            f"cannot read {filename}: there is no such file",
            "check the path; the pathway is chosen with --pathway or $PATHWAYS_FILE",
        ) from None
    except IsADirectoryError:
        raise _file_error(
            f"cannot read {filename}: it is a folder, not a file",
            "name the pathway file itself, e.g. pathways.yaml",
        ) from None
    except PermissionError:
        raise _file_error(
            f"cannot read {filename}: permission denied",
            "check that the file can be read by the user running pathways",
        ) from None
    except OSError as error:
        raise _file_error(f"cannot read {filename}: {error.strerror or error}", None) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ContentError([_too_large(filename, "file")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        col = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        raise ContentError(
            [
                Problem(
                    f"the file is not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be read",
                    hint="save the file with the UTF-8 encoding (most editors offer it"
                    " under 'Save as' or 'Encoding')",
                    location=Location(filename, line, col),
                )
            ]
        ) from None
    return text


def _file_error(message: str, hint: str | None) -> ContentError:
    # A file that cannot be opened has no line to point at: the message names the file.
    return ContentError([Problem(message, hint=hint)])


def _too_large(filename: str, noun: str) -> Problem:
    limit = MAX_DOCUMENT_BYTES
    shown = f"{limit / 1e6:g} MB" if limit >= 1e6 else f"{limit / 1e3:g} KB"
    return Problem(
        f"the {noun} is larger than {shown}, the most a pathway may be",
        hint="check that this is the pathway file; split very long text into states",
        location=Location(filename, 1, 1),
    )


# --------------------------------------------------------------------------- YAML


class _Abort(Exception):
    """Stop the walk: what follows cannot be read sensibly."""


_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent


def _read_yaml(text: str, filename: str) -> tuple[object, SourceMap]:
    """Plain data (dicts, lists, str, bool, None) and where each piece starts.

    Raises ContentError for text that is not a safe, plain YAML document.
    """
    if len(text) > MAX_DOCUMENT_BYTES // 4:  # only long texts can be too many bytes
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_DOCUMENT_BYTES:
            raise ContentError([_too_large(filename, "document")])
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        char = bad.group()
        raise ContentError(
            [
                Problem(
                    f"the text holds a character that YAML does not allow (U+{ord(char):04X})",
                    hint="delete it (it is invisible in most editors; it often comes from"
                    " copying text out of another program)",
                    location=Location(filename, line, col),
                )
            ]
        )
    _refuse_bidi_controls(text, filename)

    values: dict[DataPath, tuple[int, int]] = {}
    keys: dict[DataPath, tuple[int, int]] = {}
    refused: list[Problem] = []
    duplicates: list[tuple[str, DataPath, int, tuple[int, int]]] = []

    def refuse(message: str, hint: str | None, at: tuple[int, int]) -> None:
        refused.append(Problem(message, hint=hint, location=Location(filename, *at)))

    def refuse_anchor_or_tag(anchor: str | None, tag: str | None, at: tuple[int, int]) -> None:
        if anchor is not None:
            refuse(
                f"the anchor '&{anchor}' is not allowed",
                "anchors and aliases (&name, *name) are not used in pathways;"
                " write the value out in full",
                at,
            )
        if tag is not None:
            if tag.startswith("tag:yaml.org,2002:"):
                tag = "!!" + tag.removeprefix("tag:yaml.org,2002:")  # as the author wrote it
            refuse(
                f"the tag '{tag}' is not allowed",
                "a pathway holds only text, numbers, true/false, lists and mappings;"
                " remove the tag (quotes keep a value as text)",
                at,
            )
        if len(refused) + len(duplicates) >= _MAX_REFUSED:
            raise _Abort  # a file full of tags or anchors needs no more than this

    def refuse_too_many(at: tuple[int, int]) -> None:
        refuse(
            f"the document holds more than {MAX_VALUES:,} values",
            "check that this is the pathway file; a pathway with thousands of states"
            " holds a few hundred thousand",
            at,
        )
        raise _Abort

    # The walk runs once per node of a document that may hold a million nodes, so it is
    # one flat loop over plain locals. Events and containers are typed Any: the parser's
    # stubs type events loosely, and a typing.cast per node would cost a function call.
    root: Any = None
    container: Any = None  # the open mapping or list, None at the top
    is_map = False
    path: DataPath = ()  # the open container's path
    key: str | None = None  # a key of the open mapping waiting for its value
    stack: list[tuple[Any, bool, DataPath, str | None]] = []
    documents = 0
    loader = _Loader(text)
    check_event = loader.check_event
    get_event: Callable[[], Any] = loader.get_event
    try:
        while check_event():
            event = get_event()
            kind = type(event)
            if kind is _ScalarEvent:
                mark = event.start_mark
                at = (mark.line + 1, mark.column + 1)
                tag = event.tag
                if tag is not None or event.anchor is not None:
                    refuse_anchor_or_tag(event.anchor, tag, at)
                value: Any = event.value
                if is_map and key is None:
                    key_path = (*path, value)
                    if value in container:
                        duplicates.append((value, path, keys[key_path][0], at))
                        if len(refused) + len(duplicates) >= _MAX_REFUSED:
                            raise _Abort
                    keys[key_path] = at
                    key = value
                    continue
                if len(values) >= MAX_VALUES:
                    refuse_too_many(at)
                if not event.style and tag is None:  # plain: only these words are special
                    if value in _NULLS:
                        value = None
                    elif value in _TRUE:
                        value = True
                    elif value in _FALSE:
                        value = False
                if is_map:
                    container[key] = value
                    values[(*path, key)] = at  # type: ignore[arg-type]
                    key = None
                elif container is not None:
                    values[(*path, len(container))] = at
                    container.append(value)
                else:
                    values[()] = at
                    root = value
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                mark = event.start_mark
                at = (mark.line + 1, mark.column + 1)
                if event.tag is not None or event.anchor is not None:
                    refuse_anchor_or_tag(event.anchor, event.tag, at)
                if is_map and key is None:
                    refuse(
                        "a key must be a plain name, not a list or a mapping",
                        "write 'name: value', with the name on the left of the colon",
                        at,
                    )
                    raise _Abort
                if len(values) >= MAX_VALUES:
                    refuse_too_many(at)
                if len(stack) >= MAX_DEPTH:
                    refuse(
                        f"the document is nested more than {MAX_DEPTH} levels deep",
                        "a pathway needs only a few levels; check the indentation and"
                        " brackets here",
                        at,
                    )
                    raise _Abort
                opened: Any = {} if kind is _MappingStartEvent else []
                if is_map:
                    child: DataPath = (*path, key)  # type: ignore[arg-type]
                    container[key] = opened
                elif container is not None:
                    child = (*path, len(container))
                    container.append(opened)
                else:
                    child = ()
                    root = opened
                values[child] = at
                stack.append((container, is_map, path, None))
                container, is_map, path, key = opened, kind is _MappingStartEvent, child, None
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                container, is_map, path, key = stack.pop()
            elif kind is _AliasEvent:
                refuse(
                    f"the alias '*{event.anchor}' is not allowed",
                    "anchors and aliases (&name, *name) are not used in pathways;"
                    " write the value out in full",
                    _at(event.start_mark),
                )
                raise _Abort  # nothing after it is read: an alias bomb never expands
            elif kind is _DocumentStartEvent:
                documents += 1
                if documents > 1:
                    refuse(
                        "the file holds more than one YAML document",
                        "a pathway is one document: remove the '---' line here, or put"
                        " the second document in a file of its own",
                        _at(event.start_mark),
                    )
                    raise _Abort
    except _Abort:
        pass
    except yaml.MarkedYAMLError as error:
        refuse(*_syntax_problem(error, text))
    except yaml.YAMLError as error:  # a reader error the check above did not foresee
        refuse(f"the YAML cannot be read: {error}", None, (1, 1))
    finally:
        loader.dispose()

    for name, owner, first_line, at in duplicates:
        # Described after the walk, when the owner's id (often below the key) is known.
        where = f"key '{name}' in {_describe(root, owner)}" if owner else f"section '{name}'"
        refuse(f"duplicate {where}", f"'{name}' is already set on line {first_line}; keep one", at)
    if refused:
        raise ContentError(_sorted(refused))
    return root, SourceMap(values, keys)


class _Mark(typing.Protocol):
    """A position from either parser (``yaml.Mark`` or libyaml's own Mark)."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


def _at(mark: _Mark | None) -> tuple[int, int]:
    """A parser mark (0-based) as the 1-based (line, col) editors show."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _syntax_problem(
    error: yaml.MarkedYAMLError, text: str
) -> tuple[str, str | None, tuple[int, int]]:
    """A YAML parser error in plain words, with the likely fix and where to make it."""
    problem = error.problem or ""
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    at = _at(mark)
    opened_at = _at(error.context_mark) if error.context_mark is not None else at
    lines = text.splitlines()
    here = lines[at[0] - 1] if at[0] <= len(lines) else ""
    char = here[at[1] - 1] if at[1] <= len(here) else ""
    indent = here[: len(here) - len(here.lstrip(" \t"))]

    if "tab" in problem or char == "\t" or "\t" in indent:
        if "\t" in indent:
            return (
                "a tab is used to indent this line",
                "YAML indents with spaces, not tabs; replace the tab with spaces",
                (at[0], here.index("\t") + 1),
            )
        return (
            "a tab is used here",
            "YAML indents with spaces, not tabs; replace the tab with spaces",
            at,
        )
    if "cannot start any token" in problem and char:
        return (
            f"a value cannot start with '{char}'",
            'put the whole value in quotes, e.g. "..."',
            at,
        )
    if "mapping values are not allowed" in problem:
        return (
            "a ':' here starts a key where no key can start",
            "check this line's indentation against the line above; if the text itself"
            " holds ': ', put the whole value in quotes",
            at,
        )
    if "could not find expected ':'" in problem:
        return (
            "a key here has no ':' after it",
            "write 'name: value'; if this line goes on with the text above, indent it"
            " further than the key, or put the whole text in quotes",
            opened_at,
        )
    if "block collection" in context or "'-' indicator" in problem:
        return (
            "this line is not indented like the list it belongs to",
            "each item starts with '- ' at the same indentation, and the keys of an item"
            " line up under its first key",
            at,
        )
    if "block mapping" in context or "expected key" in problem:
        return (
            "this line is not indented like the keys around it",
            "keys of the same mapping start at the same column; indent with spaces",
            at,
        )
    # An unclosed bracket or quote is noticed far below; point at where it opens.
    if "flow sequence" in context:
        return (
            "the list opened with '[' here is not closed",
            "close it with ']' and separate its items with ', '",
            opened_at,
        )
    if "flow mapping" in context:
        return (
            "the mapping opened with '{' here is not closed",
            "close it with '}' and separate its entries with ', '",
            opened_at,
        )
    if "quoted scalar" in context:
        return (
            "the quoted text that starts here has no closing quote",
            "add the closing quote; inside 'single quotes' write a quote as ''",
            opened_at,
        )
    if "nesting depth" in problem:  # libyaml's own limit, met before ours on one line
        return (
            f"the document is nested more than {MAX_DEPTH} levels deep",
            "a pathway needs only a few levels; check the indentation and brackets here",
            at,
        )
    where = f" ({context})" if context else ""
    return (
        f"the YAML cannot be read: {problem}{where}",
        "check the indentation and the quotes on this line and the one above",
        at,
    )


def _refuse_bidi_controls(text: str, filename: str) -> None:
    """Refuse bidirectional controls anywhere in the file, comments included, at the
    character itself (the schema refuses them in values written as escapes)."""
    found = find_bidi_control(text)
    if found:
        line, col = _line_col(text, found.start())
        raise ContentError(
            [
                Problem(
                    f"the text holds the invisible control character {bidi_name(found.group())}",
                    hint=BIDI_HINT,
                    location=Location(filename, line, col),
                )
            ]
        )


def _line_col(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _as_document(
    data: object, text: str, source_map: SourceMap, filename: str
) -> dict[str, object]:
    """The top level as a mapping, or a ContentError saying what it is instead."""
    if isinstance(data, dict):
        return data
    if data is None:  # no document at all, or one that is empty (`~`, `---` alone)
        problem = Problem(
            "the file is empty" if not text.strip() else "the file holds no sections",
            hint=_SECTIONS_HINT,
            location=Location(filename, 1, 1),
        )
    else:
        line, col = source_map.position(())
        problem = Problem(
            f"the top level must be a mapping of sections, not {_kind(data)}",
            hint=_SECTIONS_HINT,
            location=Location(filename, line, col),
        )
    raise ContentError([problem])


# --------------------------------------------------------------------------- pydantic errors


def _validation_problems(
    error: ValidationError, data: dict[str, object], source_map: SourceMap, filename: str
) -> list[Problem]:
    details = error.errors(include_url=False)
    locs = [tuple(d["loc"]) for d in details]
    # A misspelt field is reported once, as unknown with "did you mean", not also missing.
    misspelt: set[DataPath] = set()
    for detail, loc in zip(details, locs, strict=True):
        if detail["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            model = _model_at(loc[:-1])
            fields = list(model.model_fields) if model is not None else []
            for close in difflib.get_close_matches(loc[-1], fields, n=1, cutoff=0.6):
                misspelt.add((*loc[:-1], close))
    problems: list[Problem] = []
    seen: set[tuple[str, DataPath]] = set()
    for detail, loc in zip(details, locs, strict=True):
        kind = detail["type"]
        if kind == "missing" and loc in misspelt:
            continue
        if kind == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        ):
            continue  # "no items left" only because an item inside was refused
        if (kind, loc) in seen:
            continue
        seen.add((kind, loc))
        is_key = bool(loc) and loc[-1] == "[key]"
        path = loc[:-1] if is_key else loc
        message, hint = _explain(kind, path, detail, data, is_key=is_key)
        line, col = source_map.position(path, key=is_key or kind == "extra_forbidden")
        problems.append(
            Problem(message, hint=hint, path=path, location=Location(filename, line, col))
        )
    return problems


def _explain(
    kind: str,
    path: DataPath,
    detail: Mapping[str, Any],
    data: object,
    *,
    is_key: bool,
) -> tuple[str, str | None]:
    """One pydantic error in the author's terms: what is wrong, and a hint to fix it."""
    value = detail.get("input")
    ctx: Mapping[str, Any] = detail.get("ctx") or {}
    field_index = _field_index(path)
    owner_path = path[:field_index] if field_index is not None else path
    name = str(path[field_index]) if field_index is not None else ""
    owner = _describe(data, owner_path)
    top = not owner_path

    if kind == "missing":
        if top:
            return f"missing required section '{name}'", f"add a '{name}:' section"
        return f"missing required field '{name}' in {owner}", _missing_hint(owner_path, name)
    if kind in _CUSTOM_HINTS:
        subject = _subject(data, path, is_key=is_key)
        return f"{subject}: {detail.get('msg', 'is not valid')}", _CUSTOM_HINTS[kind]
    if kind == "extra_forbidden":
        model = _model_at(owner_path)
        allowed = list(model.model_fields) if model is not None else []
        noun = "section" if top else "field"
        where = "" if top else f" in {owner}"
        return f"unknown {noun} '{name}'{where}", _allowed_hint(name, allowed)

    subject = _subject(data, path, is_key=is_key)
    shown = _show(value)
    if kind == "string_pattern_mismatch":
        identifying = _IDENTIFYING.get(_shape(owner_path))
        if not is_key and identifying == name == path[-1]:
            noun = _NOUNS[_shape(owner_path)]
            noun = f"{noun} id" if name == "id" else noun
            return f"{noun} {_show(value)} is not a valid id", _id_hint(value)
        if is_key:
            return f"{subject} is not a valid id", _id_hint(value)
        return f"{subject} is not a valid id: {_show(value)}", _id_hint(value)
    if kind in {"too_long", "string_too_long"}:
        if isinstance(value, str):
            hint = (
                "keep the summary to one short sentence; the explanation can hold the detail"
                if name == "summary"
                else "shorten it"
            )
            return f"{subject} is {len(value)} characters; at most {ctx.get('max_length')}", hint
        return f"{subject} has too many items; at most {ctx.get('max_length')}", None
    if kind in {"too_short", "string_too_short"}:
        if isinstance(value, str):
            return f"{subject} is empty", "write some text after the colon"
        wanted = ctx.get("min_length", 1)
        items = "item" if wanted == 1 else "items"
        have = len(value) if isinstance(value, list | tuple) else 0
        return (
            f"{subject} has {have} {'item' if have == 1 else 'items'}; it needs at least"
            f" {wanted} {items}",
            "write each item on its own line, starting with '- '",
        )
    if kind == "string_type":
        if value is None:
            return f"{subject} is empty", "write some text after the colon"
        if isinstance(value, bool):
            return (
                f"{subject} must be text, not {shown}",
                f'put it in quotes to keep it as text: "{str(value).lower()}"',
            )
        return (
            f"{subject} must be text, not {_kind(value)}",
            "write it as one piece of text; for several lines use '>' and indent the lines",
        )
    if kind in {"tuple_type", "list_type"}:
        if value is None:
            return (
                f"{subject} is empty",
                "write its items below it, each on its own line starting with '- ',"
                " or remove the line",
            )
        return (
            f"{subject} must be a list, not {_kind(value)}",
            "write each item on its own line, starting with '- '",
        )
    if kind in {"model_type", "model_attributes_type", "dict_type", "mapping_type"}:
        model = _model_at(path)
        hint = "write 'name: value' lines, indented under it"
        if model is not None:
            hint += f" (fields: {', '.join(model.model_fields)})"
        if value is None:
            return f"{subject} is empty", hint
        return f"{subject} must be a mapping, not {_kind(value)}", hint
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"{subject} must be a whole number, not {shown}", "write digits only, e.g. 4"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = {
            "greater_than": f"more than {ctx.get('gt')}",
            "greater_than_equal": f"at least {ctx.get('ge')}",
            "less_than": f"less than {ctx.get('lt')}",
            "less_than_equal": f"at most {ctx.get('le')}",
        }[kind]
        return f"{subject} must be {bound}, not {shown}", None
    if kind in {"bool_parsing", "bool_type"}:
        return f"{subject} must be true or false, not {shown}", "write true or false"
    if kind.startswith(("date_", "datetime_")):
        reason = ctx.get("error")
        hint = "write the date as YYYY-MM-DD, e.g. 2026-05-01"
        if reason:
            hint = f"{reason}; {hint}"
        return f"{subject} must be a date, not {shown}", hint
    if kind == "literal_error":
        return f"{subject} must be {ctx.get('expected')}, not {shown}", None
    message = str(detail.get("msg", "is not valid"))
    return f"{subject}: {message[:1].lower()}{message[1:]}", None


_CUSTOM_HINTS = {
    "bidi_control": BIDI_HINT,
    "web_url": "give the address a reader can open, e.g. https://example.org/page",
    "phone": "write the number as a reader would dial it, e.g. 0808 000 0000 or"
    " +44 20 7946 0000",
}
"""Hints for the schema's own checks (``schema._no_bidi``, ``_web_url``, ``_phone``)."""


def _missing_hint(owner_path: DataPath, name: str) -> str:
    """Exactly what to add: the line, and what the schema says the field holds."""
    model = _model_at(owner_path)
    info = model.model_fields.get(name) if model is not None else None
    described = f" ({info.description})" if info is not None and info.description else ""
    return f"add a line '{name}: ...'{described}"


def _field_index(path: DataPath) -> int | None:
    """Index of the last mapping key in ``path`` (the field the error is about)."""
    for index in range(len(path) - 1, -1, -1):
        if isinstance(path[index], str):
            return index
    return None


def _subject(data: object, path: DataPath, *, is_key: bool) -> str:
    """How to name the value an error is about: "summary in state 'first_visit'"."""
    if _shape(path) in _NOUNS:
        return _describe(data, path)  # a whole item: "state 4", "metadata"
    field_index = _field_index(path)
    if field_index is None:
        return "the document"
    name = str(path[field_index])
    owner_path = path[:field_index]
    items = "".join(
        f" item {part + 1}" for part in path[field_index + 1 :] if isinstance(part, int)
    )
    if _shape(owner_path) == ("transitions", "*", "when"):
        transition = _describe(data, owner_path[:2])
        if is_key:
            return f"context name '{name}' in {transition}"
        return f"'when: {name}'{items} in {transition}"
    if is_key:
        return f"key '{name}' in {_describe(data, owner_path)}"
    if not owner_path:
        return f"{name}{items}"
    return f"{name}{items} in {_describe(data, owner_path)}"


def _shape(path: DataPath) -> tuple[str, ...]:
    return tuple("*" if isinstance(part, int) else part for part in path)


_NOUNS: dict[tuple[str, ...], str] = {
    ("metadata",): "metadata",
    ("sources", "*"): "source",
    ("support", "*"): "support contact",
    ("glossary", "*"): "glossary entry",
    ("contexts", "*"): "context",
    ("contexts", "*", "values", "*"): "value",
    ("states", "*"): "state",
    ("states", "*", "facts", "*"): "fact",
    ("states", "*", "facts", "*", "number"): "number",
    ("transitions", "*"): "transition",
    ("lint",): "lint settings",
    ("lint", "syllables"): "syllables of the lint settings",
}

_IDENTIFYING: dict[tuple[str, ...], str] = {
    ("sources", "*"): "id",
    ("support", "*"): "name",
    ("glossary", "*"): "id",
    ("contexts", "*"): "id",
    ("contexts", "*", "values", "*"): "id",
    ("states", "*"): "id",
    ("transitions", "*"): "trigger",
}


def _describe(data: object, path: DataPath) -> str:
    """The part of the document at ``path`` in the author's terms: "state 'first_visit'"."""
    if not path:
        return "the document"
    shape = _shape(path)
    if shape == ("metadata",):
        return "metadata"
    if shape == ("lint",):
        return "the lint settings"
    if shape == ("lint", "syllables"):
        return "the syllables of the lint settings"
    if shape == ("transitions", "*", "when"):
        return f"'when' of {_describe(data, path[:2])}"
    if shape == ("states", "*", "facts", "*"):
        return f"fact {typing.cast(int, path[3]) + 1} of {_describe(data, path[:2])}"
    if shape == ("states", "*", "facts", "*", "number"):
        return f"the number in {_describe(data, path[:4])}"
    if shape == ("contexts", "*", "values", "*"):
        return f"{_named(data, path)} of {_describe(data, path[:2])}"
    if shape in _NOUNS:
        return _named(data, path)
    return "'" + ".".join(str(part) for part in path) + "'"


def _named(data: object, path: DataPath) -> str:
    """'state 'first_visit'' by the item's own id, or 'state 3' when it has no usable id."""
    shape = _shape(path)
    noun = _NOUNS[shape]
    item = _get(data, path)
    name = item.get(_IDENTIFYING[shape]) if isinstance(item, dict) else None
    if isinstance(name, str) and name.strip():
        return f"{noun} {_quote(name)}"
    return f"{noun} {typing.cast(int, path[-1]) + 1}"


def _get(data: object, path: DataPath) -> object:
    for part in path:
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
            continue
        return None
    return data


def _model_at(path: DataPath) -> type[Model] | None:
    """The schema model describing the mapping at ``path``, if there is one."""
    model: type[Model] = Pathway
    for part in path:
        if isinstance(part, int):
            continue  # an item of a tuple of models
        info = model.model_fields.get(part)
        inner = _inner_model(info.annotation) if info is not None else None
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: object) -> type[Model] | None:
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    for argument in typing.get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


def _allowed_hint(name: str, allowed: list[str]) -> str | None:
    if not allowed:
        return None
    listed = ", ".join(allowed)
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'? (allowed: {listed})"
    return f"allowed: {listed}"


def _id_hint(value: object) -> str:
    if isinstance(value, str):
        fixed = re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")
        if fixed and not fixed[0].isalpha():
            fixed = f"n_{fixed}"
        if re.fullmatch(ID_PATTERN, fixed) and fixed != value:
            return f"{_ID_RULE}, e.g. '{fixed}'"
    return _ID_RULE


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return "text"


def _show(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value)
    return _kind(value)


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"


def _sorted(problems: Sequence[Problem]) -> list[Problem]:
    """In the order they appear in the file (problems with no place first)."""
    return sorted(
        problems, key=lambda p: (p.location.line, p.location.col) if p.location else (0, 0)
    )


# --------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Writes a value that appears twice out twice: the reader refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_pathway(pathway: Pathway) -> str:
    """The pathway as the YAML document an author would write (block style, the schema's
    order, defaults left out), which ``parse_pathway`` reads back into the same pathway.

    PyYAML quotes every text that would read as something else (``no``, ``3``, a date), and
    this module's reader keeps quoted values as the text they are; dates are written plain,
    as authors write them.
    """
    data = _plain_data(pathway.model_dump(exclude_defaults=True))
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _plain_data(value: object) -> object:
    """Tuples as lists and mappings as dicts, which the safe dumper writes."""
    if isinstance(value, Mapping):
        return {key: _plain_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_data(item) for item in value]
    return value
