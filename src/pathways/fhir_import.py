"""A FHIR R4 Bundle written by ``fhir.to_bundle`` read back into a ``Pathway``.

``read_bundle`` takes the file's bytes (bounded by ``fhir.MAX_BUNDLE_BYTES``), and
``pathway_from_bundle`` the parsed JSON; each reads the standard elements and the
extensions ``fhir.py`` writes (see its ``_Part`` constants), ignores anything else (another
organisation's extensions), and checks the result as ``pathways validate`` checks a
document. What it cannot use is one ``ContentError`` naming the element by its path in
the Bundle, with a hint.

Pure functions (layer 3, beside ``fhir.py``, whose names it reads): no files here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pathways.checks import check_pathway
from pathways.errors import ContentError, Problem
from pathways.fhir import (
    _CONTEXT,
    _EMPTY,
    _ENTRY,
    _FACT,
    _GLOSSARY,
    _ITEM,
    _METADATA,
    _PATHWAY,
    _SOURCE,
    _STATE,
    _SUPPORT,
    _TRANSITION,
    _VALUE,
    BASE,
    EXTENSION,
    GLOSSARY,
    MAX_BUNDLE_BYTES,
    QUESTIONS,
    TOPIC,
    _our_id,
    _Part,
)
from pathways.schema import Pathway, ValidationError

__all__ = ["pathway_from_bundle", "read_bundle"]


class _Bad(Exception):
    """Something in the Bundle that import cannot read, and where it is."""

    def __init__(self, where: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.hint = hint


_HINT = "give it a Bundle written by `pathways export fhir`"
_KINDS: Mapping[type, str] = {str: "text", bool: "true or false", int: "a whole number"}


class _Node:
    """A JSON object of the Bundle, with its place for messages."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise _Bad(where, f"should be a JSON object, not {_json_kind(data)}", _HINT)
        self.data: dict[str, Any] = data
        self.where = where

    def value(self, key: str, kind: type = str) -> Any:
        found = self.maybe(key, kind)
        if found is None:
            raise _Bad(self.where, f"has no '{key}'", _HINT)
        return found

    def maybe(self, key: str, kind: type = str) -> Any:
        found = self.data.get(key)
        if found is None:
            return None
        if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
            raise _Bad(
                f"{self.where}.{key}",
                f"should be {_KINDS.get(kind, kind.__name__)}, not {_json_kind(found)}",
                _HINT,
            )
        return found

    def node(self, key: str) -> _Node:
        return _Node(self.value(key, dict), f"{self.where}.{key}")

    def nodes(self, key: str) -> list[_Node]:
        found = self.maybe(key, list) or []
        return [_Node(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(found)]

    def extension_fields(self, part: _Part) -> dict[str, Any]:
        """The document fields this element carries in extensions of ``part``."""
        prefix = f"{EXTENSION}{part.name}-"
        fields: dict[str, Any] = {}
        for extension in self.nodes("extension"):
            url = extension.value("url")
            if not url.startswith(prefix):
                continue  # another organisation's extension, or one of ours read elsewhere
            name = url.removeprefix(prefix)
            if name in fields:
                raise _Bad(extension.where, f"repeats the extension {url}", _HINT)
            fields[name] = _decode(extension)
        return fields


def _json_kind(value: object) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true or false"}
    if value is None:
        return "null"
    return next((v for k, v in kinds.items() if isinstance(value, k)), "a number")


_VALUE_KINDS: Mapping[str, type | tuple[type, ...]] = {
    "valueString": str,
    "valueCode": str,
    "valueBoolean": bool,
    "valueInteger": int,
    "valueDecimal": (int, float),
}


def _decode(extension: _Node) -> Any:
    """The value an extension carries (the reverse of ``_encode``)."""
    values = [key for key in extension.data if key.startswith("value")]
    if len(values) == 1 and values[0] in _VALUE_KINDS:
        found = extension.data[values[0]]
        kind = _VALUE_KINDS[values[0]]
        if isinstance(found, kind) and (values[0] == "valueBoolean") == isinstance(found, bool):
            return found
        raise _Bad(f"{extension.where}.{values[0]}", f"is {_json_kind(found)}", _HINT)
    if values:
        raise _Bad(extension.where, f"has a value this import does not read ({values[0]})", _HINT)
    subs = extension.nodes("extension")
    if not subs:
        raise _Bad(extension.where, "has neither a value nor extensions", _HINT)
    urls = [sub.value("url") for sub in subs]
    if urls == [_EMPTY]:
        empty: dict[str, Any] = {"list": [], "mapping": {}, "null": None}
        code = subs[0].value("valueCode")
        if code not in empty:
            raise _Bad(subs[0].where, f"is '{code}', not one of list, mapping, null", _HINT)
        return empty[code]
    if all(url == _ITEM for url in urls):
        return [_decode(sub) for sub in subs]
    if all(url == _ENTRY for url in urls):
        pairs = [{p.value("url"): p for p in sub.nodes("extension")} for sub in subs]
        try:
            return {pair["key"].value("valueString"): _decode(pair["value"]) for pair in pairs}
        except KeyError:
            raise _Bad(extension.where, "has an entry without a key or a value", _HINT) from None
    if len(set(urls)) != len(urls):
        raise _Bad(extension.where, "names one field twice", _HINT)
    return {url: _decode(sub) for url, sub in zip(urls, subs, strict=True)}


def read_bundle(raw: bytes | str, filename: str = "<bundle>") -> Pathway:
    """The pathway in a Bundle's JSON text, or a ContentError saying what is wrong."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise _error(filename, f"the file is larger than {MAX_BUNDLE_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise _error(filename, f"the file is not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(
            filename,
            f"line {exc.lineno} column {exc.colno}: this is not JSON ({exc.msg})",
            "a FHIR Bundle in JSON, as `pathways export fhir` writes it",
        ) from None
    except (ValueError, RecursionError):
        raise _error(filename, "the JSON cannot be read (too deep, or a number too long)") from None
    return pathway_from_bundle(data, filename)


def _error(filename: str, message: str, hint: str | None = _HINT) -> ContentError:
    return ContentError([Problem(f"{filename}: {message}", hint=hint)])


def pathway_from_bundle(data: object, filename: str = "<bundle>") -> Pathway:
    """The pathway a Bundle made by ``to_bundle`` holds; a ContentError (every problem,
    each saying where in the Bundle or the document it is) if it holds none."""
    try:
        try:
            document = _document(data)
        except RecursionError:
            raise _Bad("", "the Bundle is nested too deeply to be one of ours", _HINT) from None
    except _Bad as bad:
        where = f"{bad.where}: " if bad.where else ""
        raise _error(filename, f"{where}{bad.message}", bad.hint) from None
    try:
        pathway = Pathway.model_validate(document)
    except ValidationError as exc:
        raise ContentError(
            [
                Problem(
                    f"{filename}: the pathway in it is not valid:"
                    f" {_dotted(error['loc'])}: {error['msg']}",
                    hint=_HINT,
                )
                for error in exc.errors()
            ]
        ) from None
    problems = check_pathway(pathway)
    if problems:
        raise ContentError(
            [
                Problem(
                    f"{filename}: the pathway in it has a problem: {_dotted(p.path)}: {p.message}",
                    hint=p.hint,
                )
                for p in problems
            ]
        )
    return pathway


def _dotted(path: Sequence[object]) -> str:
    return ".".join(str(part) for part in path) or "(the document)"


def _document(data: object) -> dict[str, Any]:
    """The pathway document (plain data) in a Bundle, or ``_Bad``."""
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise _Bad("", "this is not a FHIR resource (no resourceType)", _HINT)
    bundle = _Node(data, "Bundle")
    kind = bundle.value("resourceType")
    if kind != "Bundle":
        raise _Bad("", f"this is a FHIR {kind}, not a Bundle", _HINT)
    if bundle.maybe("type") != "collection":
        raise _Bad("Bundle.type", f"is '{bundle.maybe('type')}', not 'collection'", _HINT)
    resources = [entry.node("resource") for entry in bundle.nodes("entry")]
    for resource in resources:
        resource.where = f"{resource.value('resourceType')}"
        if resource.maybe("id"):
            resource.where += f"/{resource.value('id')}"
    plans = [r for r in resources if r.data["resourceType"] == "PlanDefinition"]
    if len(plans) != 1:
        raise _Bad("Bundle", f"holds {len(plans)} PlanDefinitions, not one", _HINT)
    plan = plans[0]
    by_url = {r.data["url"]: r for r in resources if isinstance(r.data.get("url"), str)}

    pathway_id = next(
        (
            i.value("value")
            for i in plan.nodes("identifier")
            if i.maybe("system") == f"{BASE}:pathway"
        ),
        None,
    )
    if pathway_id is None:
        raise _Bad(plan.where, f"has no identifier with the system {BASE}:pathway", _HINT)

    def part_of(label: str) -> list[_Node]:
        found = []
        for artifact in plan.nodes("relatedArtifact"):
            if artifact.maybe("type") == "composed-of" and artifact.maybe("label") == label:
                url = artifact.value("resource")
                if url not in by_url:
                    raise _Bad(artifact.where, f"names {url}, which is not in the Bundle", _HINT)
                found.append(by_url[url])
        return found

    period = plan.node("effectivePeriod")
    metadata = {
        "id": pathway_id,
        "title": plan.value("title"),
        "version": plan.value("version"),
        **({"language": plan.value("language")} if "language" in plan.data else {}),
        "intended_purpose": plan.value("usage"),
        "publisher": plan.value("publisher"),
        "reviewed": plan.value("lastReviewDate"),
        "next_review": period.value("end"),
        **plan.extension_fields(_METADATA),
    }
    sources = [
        {
            "id": a.value("label"),
            "title": a.value("display"),
            "url": a.value("url"),
            **a.extension_fields(_SOURCE),
        }
        for a in plan.nodes("relatedArtifact")
        if a.maybe("type") == "citation"
    ]
    support = [_support(contact) for contact in plan.nodes("contact")]
    glossary = [_glossary_entry(c) for g in part_of(GLOSSARY) for c in g.nodes("concept")]
    contexts = [_context(topic) for topic in part_of(TOPIC)]
    questions: dict[str, list[str]] = {}
    for questionnaire in part_of(QUESTIONS):
        for group in questionnaire.nodes("item"):
            texts = [item.value("text") for item in group.nodes("item")]
            questions.setdefault(group.value("linkId"), []).extend(texts)

    states = [_state(action, questions) for action in plan.nodes("action")]
    # A relatedAction names an action by its FHIR id: the state with that action.
    actions = {a.value("id"): s["id"] for a, s in zip(plan.nodes("action"), states, strict=True)}
    steps: dict[int, dict[str, Any]] = {}
    for action, state in zip(plan.nodes("action"), states, strict=True):
        for step in action.nodes("action"):
            _add_step(steps, step, state["id"], actions)
    transitions = []
    for index in sorted(steps):
        transition = steps[index]
        by_place = transition.pop("_sources")
        transition["source"] = [by_place[place] for place in sorted(by_place)]
        transitions.append(transition)
    return {
        "metadata": metadata,
        "sources": sources,
        "support": support,
        "glossary": glossary,
        "contexts": contexts,
        **plan.extension_fields(_PATHWAY),
        "states": states,
        "transitions": transitions,
    }


def _support(contact: _Node) -> dict[str, Any]:
    phones = [t.value("value") for t in contact.nodes("telecom") if t.maybe("system") == "phone"]
    if not phones:
        raise _Bad(contact.where, "has no phone number (telecom with system 'phone')", _HINT)
    return {"name": contact.value("name"), "phone": phones[0], **contact.extension_fields(_SUPPORT)}


def _glossary_entry(concept: _Node) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": concept.value("code"),
        "term": concept.value("display"),
        "definition": concept.value("definition"),
    }
    also = [d.value("value") for d in concept.nodes("designation")]
    if also:
        entry["also"] = also
    return {**entry, **concept.extension_fields(_GLOSSARY)}


def _context(code_system: _Node) -> dict[str, Any]:
    ids = [
        i.value("value")
        for i in code_system.nodes("identifier")
        if i.maybe("system") == f"{BASE}:{TOPIC}"
    ]
    if not ids:
        raise _Bad(code_system.where, f"has no identifier with the system {BASE}:{TOPIC}", _HINT)
    return {
        "id": ids[0],
        "label": code_system.value("title"),
        "values": [
            {"id": c.value("code"), "label": c.value("display"), **c.extension_fields(_VALUE)}
            for c in code_system.nodes("concept")
        ],
        **code_system.extension_fields(_CONTEXT),
    }


def _state(action: _Node, questions: Mapping[str, list[str]]) -> dict[str, Any]:
    state_id = action.extension_fields(_STATE).get("id", _our_id(action.value("id")))
    facts = []
    terms = []
    for artifact in action.nodes("documentation"):
        if artifact.maybe("type") == "citation":
            facts.append(
                {
                    "text": artifact.value("display"),
                    "source": artifact.value("label"),
                    **artifact.extension_fields(_FACT),
                }
            )
        elif artifact.maybe("type") == "documentation":
            terms.append(artifact.value("label"))
    state: dict[str, Any] = {
        "id": state_id,
        "title": action.value("title"),
        "summary": action.value("description"),
        "explanation": action.value("textEquivalent").split("\n\n"),
    }
    if facts:
        state["facts"] = facts
    if questions.get(state_id):
        state["questions"] = questions[state_id]
    if terms:
        state["terms"] = terms
    return {**state, **action.extension_fields(_STATE)}


def _add_step(
    steps: dict[int, dict[str, Any]], step: _Node, source: str, actions: Mapping[str, str]
) -> None:
    """Add one way on from ``source`` to the transition it belongs to."""
    place = next(
        (e for e in step.nodes("extension") if e.maybe("url") == f"{EXTENSION}placement"),
        None,
    )
    if place is None:
        raise _Bad(step.where, f"has no extension {EXTENSION}placement", _HINT)
    numbers = {n.value("url"): n.value("valueInteger", int) for n in place.nodes("extension")}
    if set(numbers) != {"index", "source"}:
        raise _Bad(place.where, "should have the numbers 'index' and 'source'", _HINT)
    related = step.nodes("relatedAction")
    if len(related) != 1:
        raise _Bad(step.where, f"has {len(related)} relatedActions, not one", _HINT)
    transition = {
        **step.extension_fields(_TRANSITION),
        "dest": actions.get(related[0].value("actionId"), related[0].value("actionId")),
        "label": step.value("title"),
    }
    found = steps.setdefault(numbers["index"], {**transition, "_sources": {}})
    if {k: v for k, v in found.items() if k != "_sources"} != transition:
        raise _Bad(step.where, "differs from another way on of the same transition", _HINT)
    if numbers["source"] in found["_sources"]:
        raise _Bad(step.where, "repeats the place of another way on", _HINT)
    found["_sources"][numbers["source"]] = source
