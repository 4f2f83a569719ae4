"""Reading a pathway document: YAML text -> a validated ``Pathway``, every problem at file:line:col.

``reader.py`` turns the text into plain data and the position of each piece (it is the
only module that imports the YAML library); here that data becomes a ``Pathway`` through
the schema's pydantic models, and every problem pydantic or ``checks.check_pathway``
finds is said in the author's terms ("summary in state 'first_visit'") at its line and
column, with a hint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pathways import resources
from pathways.checks import check_pathway
from pathways.collector import collector_paused
from pathways.errors import ContentError, Location, Problem, closest, did_you_mean
from pathways.reader import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_VALUES,
    DataPath,
    PathPart,
    SourceMap,
    in_file_order,
    read_text,
    read_yaml,
)
from pathways.schema import (
    BIDI_HINT,
    ID_PATTERN,
    Model,
    Pathway,
    ValidationError,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_VALUES",
    "Document",
    "SourceMap",
    "load_document",
    "load_pathway",
    "parse_document",
    "parse_pathway",
]

_SECTIONS_HINT = (
    "a pathway is a mapping of sections: metadata, sources, support, glossary,"
    " contexts, start, states, transitions"
)
_ID_RULE = "an id starts with a lowercase letter and holds only a-z, 0-9 and _"


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
    path: str | os.PathLike[str] | None = None,
    *,
    today: dt.date | None = None,
    review: bool = True,
) -> Document:
    """Read and validate a pathway file, keeping where each value is in it.

    ``path=None`` means the chosen default (``$PATHWAYS_FILE`` or the embedded pathway).
    ``today`` is the date the review deadline is checked against (default: today).
    """
    chosen = resources.chosen_pathway_file(path)
    filename = os.fspath(path) if path else str(chosen)
    return parse_document(read_text(chosen, filename), filename, today=today, review=review)


def parse_document(
    text: str,
    filename: str = "<string>",
    *,
    today: dt.date | None = None,
    review: bool = True,
) -> Document:
    """Validate pathway YAML text, keeping where each value is in it."""
    # A byte-order mark (as some editors save) is skipped by both YAML parsers, columns
    # and all (test_a_byte_order_mark_is_ignored).
    with collector_paused():
        data, source_map = read_yaml(text, filename, _describe)
        document_data = _as_document(data, text, source_map, filename)
        try:
            pathway = Pathway.model_validate(document_data)
        except ValidationError as error:
            raise ContentError(
                in_file_order(_validation_problems(error, document_data, source_map, filename))
            ) from None
    document = Document(pathway, filename, source_map)
    problems = check_pathway(pathway, today=today, review=review)
    if problems:
        located = [
            dataclasses.replace(problem, location=document.locate(problem.path))
            for problem in problems
        ]
        raise ContentError(in_file_order(located))
    return document


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
    # A misspelt field is reported once, as unknown with "did you mean", not also missing;
    # a field that is missing is the likelier meaning ('review' is 'reviewed', not the
    # optional 'reviewer', when 'reviewed' is missing).
    missing = {
        loc for detail, loc in zip(details, locs, strict=True) if detail["type"] == "missing"
    }
    misspelt: set[DataPath] = set()
    for detail, loc in zip(details, locs, strict=True):
        if detail["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            model = _model_at(loc[:-1])
            fields = list(model.model_fields) if model is not None else []
            absent = [name for name in fields if (*loc[:-1], name) in missing]
            close = closest(loc[-1], absent) or closest(loc[-1], fields)
            if close is not None:
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
        message, hint = _explain(kind, path, detail, data, is_key=is_key, missing=missing)
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
    missing: set[DataPath],
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
        absent = [field for field in allowed if (*owner_path, field) in missing]
        return f"unknown {noun} '{name}'{where}", _allowed_hint(name, allowed, absent)

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
            return f"{subject} is empty", _empty_hint(path)
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
            return f"{subject} is empty", _empty_hint(path)
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
        # The reader keeps scalars as text; a number the author wrote reads unquoted.
        written = value if isinstance(value, str) else shown
        return f"{subject} must be {bound}, not {written}", None
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
    "phone": "write the number as a reader would dial it, e.g. 0808 000 0000 or +44 20 7946 0000",
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


def _empty_hint(path: DataPath) -> str:
    """How to fill an empty text: a field's after its colon; a list's item, or remove it."""
    if path and isinstance(path[-1], int):
        return "write the item's text, or remove the empty item"
    return "write some text after the colon"


def _subject(data: object, path: DataPath, *, is_key: bool) -> str:
    """How to name the value an error is about: "summary in state 'first_visit'"."""
    if _shape(path) in _NOUNS:
        return _describe(data, path)  # a whole item: "state 4", "metadata"
    field_index = _field_index(path)
    if field_index is None:
        return "the document"
    name = str(path[field_index])
    owner_path = path[:field_index]
    numbers = [part + 1 for part in path[field_index + 1 :] if isinstance(part, int)]
    items = f" item {numbers[0]}" if numbers else ""
    # A list inside a list reads from the inside out: "item 2 of medical_words item 1".
    inner = "".join(f"item {n} of " for n in reversed(numbers[1:]))
    if _shape(owner_path) == ("transitions", "*", "when"):
        transition = _describe(data, owner_path[:2])
        if is_key:
            return f"context name '{name}' in {transition}"
        return f"'when: {name}'{items} in {transition}"
    if is_key:
        return f"key '{name}' in {_describe(data, owner_path)}"
    if not owner_path:
        return f"{inner}{name}{items}"
    return f"{inner}{name}{items} in {_describe(data, owner_path)}"


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
    if len(path) > 1:  # "reviewer in metadata", "how_long in compare in state 'first_visit'"
        return _subject(data, path, is_key=False)
    return f"'{path[0]}'"


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
    keyed = False  # the part is a key of a mapping of models (a state's 'compare')
    for part in path:
        if isinstance(part, int):
            continue  # an item of a tuple of models
        if keyed:
            keyed = False
            continue
        info = model.model_fields.get(part)
        inner = _inner_model(info.annotation) if info is not None else None
        if info is None or inner is None:
            return None
        keyed = typing.get_origin(info.annotation) is Mapping
        model = inner
    return None if keyed else model


def _inner_model(annotation: object) -> type[Model] | None:
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return annotation
    for argument in typing.get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


def _allowed_hint(name: str, allowed: list[str], absent: list[str]) -> str | None:
    if not allowed:
        return None
    return did_you_mean(name, allowed, show=None, label="allowed", in_order=True, likely=absent)


def _id_hint(value: object) -> str:
    if isinstance(value, str):
        fixed = re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")
        if fixed and not fixed[0].isalpha():
            fixed = f"n_{fixed}"
        if re.fullmatch(ID_PATTERN, fixed) and fixed != value:
            return f"{_ID_RULE}, e.g. '{fixed}'"
    return _ID_RULE


def _kind(value: object) -> str:
    """What a value is instead, for a value that is there (``_show`` says "empty")."""
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
    if isinstance(value, int | float):
        return str(value)
    return _kind(value)


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"
