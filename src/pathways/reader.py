"""Reading YAML text: plain data and where each piece of it starts, nothing more.

The only module that imports the YAML library. It reads the YAML event stream itself
rather than using ``yaml.safe_load``, because a pathway must not inherit YAML's traps: a
duplicate key would silently win, ``no``/``off``/``yes`` would turn into booleans, tags
could build arbitrary objects, and aliases can expand into a billion nodes. Here a plain
scalar stays the text the author wrote (only ``true``/``false`` and empty/``null`` are
special), duplicate keys, tags, anchors and aliases are refused, and the size and depth of
a document are bounded. The same single walk records where each key and value starts
(``SourceMap``), so that any later problem can name its line and column. A YAML syntax
error is said in plain words, with the likely fix (``_syntax_problem``).

Bidirectional control characters are refused anywhere in the text, comments included
(``schema.find_bidi_control``), because they can make a file read differently in review.

It does not validate: ``loader.py`` turns the data into a validated ``Pathway``. Writing
goes the other way here too: ``dump_pathway`` writes a ``Pathway`` as the YAML an author
would write (the FHIR import uses it). Layer 3 (PyYAML, ``errors`` and ``schema`` only).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from pathways.errors import ContentError, Location, Problem
from pathways.schema import BIDI_HINT, Pathway, bidi_name, find_bidi_control

try:  # libyaml's parser is about 25 times faster than the pure-Python one.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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


# --------------------------------------------------------------------------- positions


class SourceMap:
    """Where each key and value of a document starts, by its path in the data.

    Lines and columns are 1-based, as editors count them.
    """

    __slots__ = ("_keys", "_values")

    def __init__(
        self, values: dict[DataPath, tuple[int, int]], keys: dict[DataPath, tuple[int, int]]
    ) -> None:
        self._values = values
        self._keys = keys

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


# --------------------------------------------------------------------------- reading text


def read_text(path: Path, filename: str) -> str:
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


def read_yaml(
    text: str, filename: str, describe: Callable[[object, DataPath], str]
) -> tuple[object, SourceMap]:
    """Plain data (dicts, lists, str, bool, None) and where each piece starts.

    Raises ContentError for text that is not a safe, plain YAML document. ``describe``
    names the mapping a duplicate key is in, in the document's own terms (given the
    data and the mapping's path).
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
        where = f"key '{name}' in {describe(root, owner)}" if owner else f"section '{name}'"
        refuse(f"duplicate {where}", f"'{name}' is already set on line {first_line}; keep one", at)
    if refused:
        raise ContentError(in_file_order(refused))
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


def in_file_order(problems: Sequence[Problem]) -> list[Problem]:
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
    order, defaults left out), which ``loader.parse_pathway`` reads back into the same
    pathway.

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
