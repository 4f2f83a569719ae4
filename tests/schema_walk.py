"""The text fields of the pathway document, found by walking the pydantic models.

Tests that must cover every text (hostile content, the advice rule) take their list of
fields from here instead of writing one, so a field added to ``schema.py`` is covered
the day it is added. A text field is any ``str`` that is not an id (ids carry a pattern)
and not a fixed choice (``Literal``); dates, numbers and flags are not text.

This walks the model *classes*, independently of ``pathways.schema``'s own walks over a
loaded pathway, so a field those walks forget is still found here.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from pathways.schema import Pathway


@dataclass(frozen=True)
class TextField:
    """One text field of one model: ``Model.name``, a list of texts if ``many``."""

    model: str
    name: str
    many: bool
    max_length: int | None

    def __str__(self) -> str:
        return f"{self.model}.{self.name}"


def _constraints(metadata: list[Any]) -> list[StringConstraints]:
    return [m for m in metadata if isinstance(m, StringConstraints)]


def _leaves(
    annotation: Any, metadata: list[Any], many: bool
) -> Iterator[tuple[Any, list[Any], bool]]:
    """The innermost types of an annotation, with their constraints and whether they sit
    in a list (tuples, lists and mapping values; optional types pass through)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is typing.Annotated:
        yield from _leaves(args[0], [*metadata, *annotation.__metadata__], many)
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _leaves(arg, metadata, many)
    elif origin in (tuple, list):
        for arg in args:
            if arg is not Ellipsis:
                yield from _leaves(arg, [], True)
    elif origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        yield from _leaves(args[1], [], True)  # keys are names (ids, words), not texts
    else:
        yield annotation, metadata, many


def _field_leaves(field: FieldInfo) -> Iterator[tuple[Any, list[Any], bool]]:
    return _leaves(field.annotation, list(field.metadata), False)


def _is_text(leaf: Any, metadata: list[Any]) -> bool:
    if leaf is not str or get_origin(leaf) is Literal:
        return False
    return not any(c.pattern for c in _constraints(metadata))


def text_field(model: type[BaseModel], name: str) -> TextField | None:
    """The field as a text field, or None if it holds no text."""
    for leaf, metadata, many in _field_leaves(model.model_fields[name]):
        if _is_text(leaf, metadata):
            limits = [c.max_length for c in _constraints(metadata) if c.max_length]
            return TextField(model.__name__, name, many, min(limits) if limits else None)
    return None


def _holds_mapping(field: FieldInfo) -> bool:
    """Whether the field is a mapping (of ids to parts), perhaps optional."""
    todo = [field.annotation]
    while todo:
        annotation = todo.pop()
        origin = get_origin(annotation)
        if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
            return True
        if origin in (typing.Annotated, typing.Union, types.UnionType):
            todo.extend(
                get_args(annotation)[:1] if origin is typing.Annotated else get_args(annotation)
            )
    return False


def submodel(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The model a field holds (alone, optional or in a list), if it holds one."""
    for leaf, _, _ in _field_leaves(model.model_fields[name]):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            return leaf
    return None


def text_fields(model: type[BaseModel] = Pathway) -> list[TextField]:
    """Every text field of the document, nested models included, in schema order."""
    found: list[TextField] = []
    todo = [model]
    seen: set[type[BaseModel]] = set()
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        for name in current.model_fields:
            field = text_field(current, name)
            if field is not None:
                found.append(field)
            nested = submodel(current, name)
            if nested is not None:
                todo.append(nested)
    return found


Make = Callable[[TextField, str], str]


def fill_texts(
    data: dict[str, Any], make: Make, model: type[BaseModel] = Pathway
) -> set[TextField]:
    """Replace every text of a document (plain data, as loaded from YAML) with
    ``make(field, old_text)``, in place; a text field the document leaves out gets one
    (``make(field, "")``), and so does a left-out part whose fields all have defaults.
    Returns the fields filled, so a test can check it reached all of ``text_fields()``."""
    filled: set[TextField] = set()
    for name, info in model.model_fields.items():
        field = text_field(model, name)
        if field is not None:
            value = data.get(name)
            if value is None and not info.is_required():
                data[name] = [make(field, "")] if field.many else make(field, "")
            elif isinstance(value, list):
                data[name] = [make(field, str(v)) for v in value]
            elif isinstance(value, str | int | float):
                data[name] = make(field, str(value))
            filled.add(field)
            continue
        nested = submodel(model, name)
        if nested is None:
            continue
        value = data.get(name)
        if value is None and all(not f.is_required() for f in nested.model_fields.values()):
            value = data[name] = {}
        if _holds_mapping(info) and isinstance(value, dict):
            parts = list(value.values())  # a mapping of parts (by id): each value is one
        else:
            parts = value if isinstance(value, list) else [] if value is None else [value]
        for part in parts:
            filled |= fill_texts(part, make, nested)
    return filled


def add_optional_parts(document: dict[str, Any]) -> None:
    """Add to a document (plain data, such as tests/data/minimal.yaml) one of each optional
    part that holds text and that it leaves out (a part with required fields cannot be
    made up by ``fill_texts``), so that every text field
    is reached. A new optional part with required fields makes the tests' check that
    ``fill_texts`` reached every field fail until it is added here."""
    section = document["sources"][0]["sections"][0]
    cited = {"source": document["sources"][0]["id"], "section": section}
    document["metadata"]["reviewer"] = {"role": "editor", "name": "a reviewer"}
    document["metadata"]["scope"] = {"text": "whom it is about", **cited}
    document["chapters"] = [
        {"id": "again", "title": "a way in", "start": document["start"], "summary": "where"}
    ]
    document["what_matters"] = [{"id": "most", "prompt": "what matters most"}]
    step = document["transitions"][0]
    document["states"][0]["notes"] = [{"step": step["trigger"], "text": "a note", **cited}]
    document["comparison"] = [{"id": "how_given", "title": "how it is given"}]
    document["states"][0]["compare"] = {"how_given": {"text": "a cell", **cited}}
    document["phases"] = [
        {"id": "all", "title": "every step", "states": [s["id"] for s in document["states"]]}
    ]
