"""A pathway as HL7 FHIR R4: a Bundle that health IT systems load, and back again.

``to_bundle`` makes a ``Bundle`` of type ``collection`` holding:

- a ``PlanDefinition`` (type ``workflow-definition``) whose actions are the states. Each
  state's ways on are its sub-actions (``selectionBehavior`` ``at-most-one``): one per
  transition leaving it, titled with the step's label, with a ``relatedAction`` to the
  state it leads to (``before-start``) and, for a step limited to some topics, a
  ``condition`` of kind ``applicability`` whose ``text/fhirpath`` expression tests the
  topic variables (see ``condition_expression``);
- a ``Questionnaire`` of every state's questions to ask: one ``group`` item per state
  (``linkId`` = the state's id) of ``display`` items, linked from the state's action by
  ``definitionCanonical``; left out when no state has questions;
- a ``CodeSystem`` for the glossary (a concept per entry, other spellings as
  designations), and a ``CodeSystem`` with its ``ValueSet`` for each topic (context).

Nothing in it is about a patient. The plan lists the other resources as
``relatedArtifact`` of type ``composed-of``, so each is found by its canonical URL.

Everything the pathway document holds is in the Bundle, so that
``fhir_import.pathway_from_bundle`` gives back the same ``Pathway``. Standard elements
carry what FHIR has elements for; every other field of the document is carried
generically by an extension whose URL is
``EXTENSION`` + ``<part>-<field>`` (for example ``...:extension:state-end``), on the
element that stands for that part of the document (see the ``_Part`` constants). So a
field added to the schema later travels in an extension with no change here, until it is
given a standard element (add it to the part's ``consumed`` fields, write it in
``to_bundle`` and read it in ``fhir_import._document``).

Pure functions (layer 3): no files are read or written here, and no FHIR library is
needed at run time (the tests validate the Bundle with ``fhir.resources``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pathways.interchange import allowed_values
from pathways.schema import (
    Context,
    Fact,
    GlossaryEntry,
    Pathway,
    Source,
    State,
    SupportContact,
    Transition,
)

__all__ = [
    "BASE",
    "EXTENSION",
    "MAX_BUNDLE_BYTES",
    "MEDIA_TYPE",
    "condition_expression",
    "to_bundle",
    "to_fhir_json",
]

BASE = "urn:x-pathways:fhir"
"""The base of every name this export makes up: canonical URLs, identifier systems and
extension URLs. A URN, because these are names, not addresses: nothing is served there."""

EXTENSION = f"{BASE}:extension:"
"""Extension URLs are this followed by ``<part>-<field>``, e.g. ``state-end``."""

MEDIA_TYPE = "application/fhir+json"

# Code systems of the FHIR R4 specification that the export uses.
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
DEFINITION_TOPIC = "http://terminology.hl7.org/CodeSystem/definition-topic"
USAGE_CONTEXT_TYPE = "http://terminology.hl7.org/CodeSystem/usage-context-type"
SNOMED = "http://snomed.info/sct"
SYNONYM = "900000000000013009"
"""SNOMED CT's 'Synonym' designation use (FHIR's designation-use value set): another way a
glossary term is written."""

# The labels of the plan's ``composed-of`` artifacts.
GLOSSARY = "glossary"
QUESTIONS = "questions"
TOPIC = "topic"

MAX_BUNDLE_BYTES = 50_000_000
"""Larger files are refused before parsing (a 5,000-state pathway is a few megabytes of YAML
and some tens of megabytes of FHIR JSON)."""

# Characters that can start markup in CommonMark (or GitHub's tables and strikethrough)
# anywhere in a line, and those that can at its start.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~&!])")
_LINE_START = re.compile(r"^(\d*)([+=.)-])")
_INT32 = range(-(2**31), 2**31)


# --------------------------------------------------------------------------- the parts


@dataclass(frozen=True)
class _Part:
    """A part of the pathway document and the fields of it that standard elements carry."""

    name: str
    consumed: frozenset[str]


def _part(name: str, *consumed: str) -> _Part:
    return _Part(name, frozenset(consumed))


# The fields each part writes to standard FHIR elements; the rest go to extensions.
_PATHWAY = _part(
    "pathway", "metadata", "sources", "support", "glossary", "contexts", "states", "transitions"
)
_METADATA = _part(
    "metadata",
    *("id", "title", "version", "language", "intended_purpose", "publisher"),
    *("reviewed", "next_review"),
)
_SOURCE = _part("source", "id", "title", "url")
_SUPPORT = _part("support", "name", "phone")
_GLOSSARY = _part("glossary", "id", "term", "definition", "also")
_CONTEXT = _part("context", "id", "label", "values")
_VALUE = _part("value", "id", "label")
_STATE = _part("state", "id", "title", "summary", "explanation", "facts", "questions", "terms")
_FACT = _part("fact", "text", "source")
_TRANSITION = _part("transition", "source", "dest", "label")


def _fields(model: Any, part: _Part) -> dict[str, Any]:
    """The fields of a document part that no standard element carries (defaults left out)."""
    others = set(type(model).model_fields) - part.consumed
    if not others:
        return {}
    data: dict[str, Any] = model.model_dump(mode="json", include=others, exclude_defaults=True)
    return data


def _extensions(model: Any, part: _Part) -> list[dict[str, Any]]:
    return [
        {"url": f"{EXTENSION}{part.name}-{name}", **_encode(value)}
        for name, value in _fields(model, part).items()
    ]


# A value of any shape, as an extension's value[x] or its sub-extensions. Lists are
# sub-extensions named "item"; mappings are sub-extensions named by their keys, or pairs
# named "entry" (sub-extensions "key" and "value") when a key cannot name one; an empty
# list or mapping, and null, are one sub-extension "empty" (code list, mapping or null).
_EMPTY = "empty"
_ITEM = "item"
_ENTRY = "entry"
_KEY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _encode(value: Any) -> dict[str, Any]:
    if value is None:  # FHIR has no null: a marker stands for it
        return {"extension": [{"url": _EMPTY, "valueCode": "null"}]}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value} if value in _INT32 else {"valueDecimal": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if isinstance(value, str):
        return {"valueString": value}
    if isinstance(value, list | tuple):
        if not value:
            return {"extension": [{"url": _EMPTY, "valueCode": "list"}]}
        return {"extension": [{"url": _ITEM, **_encode(v)} for v in value]}
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
        if not items:
            return {"extension": [{"url": _EMPTY, "valueCode": "mapping"}]}
        if all(_KEY_NAME.match(k) and k not in (_EMPTY, _ITEM, _ENTRY) for k, _ in items):
            return {"extension": [{"url": k, **_encode(v)} for k, v in items]}
        return {
            "extension": [
                {
                    "url": _ENTRY,
                    "extension": [{"url": "key", "valueString": k}, {"url": "value", **_encode(v)}],
                }
                for k, v in items
            ]
        }
    raise TypeError(f"no FHIR extension value for {type(value).__name__}")  # a bug


# --------------------------------------------------------------------------- names


def _canonical(pathway: Pathway, *parts: str) -> str:
    return ":".join((BASE, pathway.metadata.id, *parts))


def _fhir_id(*parts: str, sep: str = "-") -> str:
    """A FHIR id (``[A-Za-z0-9-.]{1,64}``) made from ids of ours (``[a-z0-9_]``).

    Ours hold no hyphen, so up to 64 characters ``_`` -> ``-`` is undone by ``_our_id``;
    a longer one is cut and given a hash (and the id itself travels in an extension).
    """
    text = sep.join(part.replace("_", "-") for part in parts)
    if len(text) <= 64:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return f"{text[:51]}-{digest}"


def _our_id(fhir_id: str) -> str:
    return fhir_id.replace("-", "_")


def _computable_name(*parts: str) -> str:
    """A name for machines as FHIR likes them (``[A-Z][A-Za-z0-9_]*``); not read back."""
    words = [w for p in parts for w in p.split("_") if w]
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name[:1].isalpha() else f"P{name}"


def _full_url(canonical: str) -> str:
    """A Bundle entry's fullUrl: a UUID made from the canonical URL (stable across runs)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, canonical)}"


def _markdown(text: str) -> str:
    """Plain text in a FHIR ``markdown`` element, escaped so that a renderer shows it as
    written (texts are one line: white space is folded when a pathway is loaded)."""
    escaped = _MARKUP.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\\\2", escaped)


# --------------------------------------------------------------------------- export


def condition_expression(allowed: Mapping[str, Sequence[str]]) -> str:
    """A FHIRPath expression that holds when each topic has one of its allowed values.

    Each topic (context) is the variable ``%topic_<context id>``, which the host sets to
    the code of the value the reader chose (the context's default when none was chosen).
    The allowed values include the default, which narrows nothing, so the expression is
    the whole rule: ``%topic_type in ('any' | 'positive') and %topic_age = 'adult'``.
    """
    parts = []
    for name, values in allowed.items():
        codes = " | ".join(f"'{v}'" for v in values)
        test = f"%topic_{name} = {codes}" if len(values) == 1 else f"%topic_{name} in ({codes})"
        parts.append(f"({test})" if len(allowed) > 1 else test)
    return " and ".join(parts)


def _topic_description(pathway: Pathway, transition: Transition) -> str:
    """The topics a step is for, in the pathway's own words (the context value labels)."""
    contexts = {c.id: c for c in pathway.contexts}
    words = []
    for name, values in allowed_values(pathway, transition).items():
        context = contexts[name]
        labels = [v.label for v in context.values if v.id in values]
        words.append(f"{context.label}: {', '.join(labels)}")
    return "; ".join(words)


def _citation(source: Source) -> str:
    return _markdown(f"{source.publisher}. {source.title}. {source.url} ({source.accessed})")


def _contact(contact: SupportContact) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "name": contact.name,
        "telecom": [{"system": "phone", "value": contact.phone}],
    }
    return _with_extensions(detail, _extensions(contact, _SUPPORT))


def _source_artifact(source: Source) -> dict[str, Any]:
    artifact: dict[str, Any] = {
        "type": "citation",
        "label": source.id,
        "display": source.title,
        "citation": _citation(source),
        "url": source.url,
    }
    return _with_extensions(artifact, _extensions(source, _SOURCE))


def _with_extensions(element: dict[str, Any], extensions: list[dict[str, Any]]) -> dict[str, Any]:
    """The element with its extensions where FHIR's own JSON puts them: after
    ``resourceType`` and ``id``, before everything else."""
    if not extensions:
        return element
    head: dict[str, Any] = {k: element[k] for k in ("resourceType", "id") if k in element}
    return {**head, "extension": extensions, **element}


def _fact_artifact(fact: Fact, sources: Mapping[str, Source]) -> dict[str, Any]:
    source = sources[fact.source]
    artifact = {
        "type": "citation",
        "label": fact.source,
        "display": fact.text,
        "citation": _citation(source),
        "url": source.url,
    }
    return _with_extensions(artifact, _extensions(fact, _FACT))


def _step_action(
    pathway: Pathway, index: int, transition: Transition, source: str
) -> dict[str, Any]:
    action: dict[str, Any] = {
        "id": _fhir_id(source, transition.trigger, sep="."),
        "title": transition.label,
    }
    if transition.when:
        action["condition"] = [
            {
                "kind": "applicability",
                "expression": {
                    "description": _topic_description(pathway, transition),
                    "language": "text/fhirpath",
                    "expression": condition_expression(allowed_values(pathway, transition)),
                },
            }
        ]
    action["relatedAction"] = [
        {"actionId": _fhir_id(transition.dest), "relationship": "before-start"}
    ]
    placement = {
        "url": f"{EXTENSION}placement",
        "extension": [
            {"url": "index", "valueInteger": index},
            {"url": "source", "valueInteger": transition.source.index(source)},
        ],
    }
    return _with_extensions(action, [placement, *_extensions(transition, _TRANSITION)])


def _state_action(
    pathway: Pathway, state: State, steps: list[dict[str, Any]], questionnaire: str | None
) -> dict[str, Any]:
    sources = {s.id: s for s in pathway.sources}
    glossary = {g.id: g for g in pathway.glossary}
    action: dict[str, Any] = {
        "id": _fhir_id(state.id),
        "title": state.title,
        "description": state.summary,
        "textEquivalent": "\n\n".join(state.explanation),
    }
    documentation = [_fact_artifact(fact, sources) for fact in state.facts]
    documentation += [
        {
            "type": "documentation",
            "label": term,
            "display": glossary[term].term,
            "resource": _canonical(pathway, GLOSSARY),
        }
        for term in state.terms
    ]
    if documentation:
        action["documentation"] = documentation
    if state.questions and questionnaire:
        action["definitionCanonical"] = questionnaire
    if steps:
        action["selectionBehavior"] = "at-most-one"
        action["action"] = steps
    extensions = _extensions(state, _STATE)
    if _our_id(action["id"]) != state.id:
        extensions.insert(0, {"url": f"{EXTENSION}{_STATE.name}-id", "valueString": state.id})
    return _with_extensions(action, extensions)


def _common(pathway: Pathway, canonical: str, kind: str, *name: str) -> dict[str, Any]:
    """What every resource of the Bundle starts with."""
    meta = pathway.metadata
    return {
        "resourceType": kind,
        "id": _fhir_id(meta.id, *name),
        "language": meta.language,
        "url": canonical,
        "version": meta.version,
        "name": _computable_name(meta.id, *name),
    }


def _topic_resources(pathway: Pathway, context: Context) -> list[dict[str, Any]]:
    codes = _canonical(pathway, TOPIC, context.id)
    values = _canonical(pathway, TOPIC, context.id, "values")
    code_system = {
        **_common(pathway, codes, "CodeSystem", TOPIC, context.id),
        "identifier": [{"system": f"{BASE}:{TOPIC}", "value": context.id}],
        "title": context.label,
        "status": "active",
        "caseSensitive": True,
        "valueSet": values,
        "content": "complete",
        "concept": [
            _with_extensions({"code": v.id, "display": v.label}, _extensions(v, _VALUE))
            for v in context.values
        ],
    }
    value_set = {
        **_common(pathway, values, "ValueSet", TOPIC, context.id, "values"),
        "title": context.label,
        "status": "active",
        "compose": {"include": [{"system": codes}]},
    }
    return [_with_extensions(code_system, _extensions(context, _CONTEXT)), value_set]


def _glossary_resource(pathway: Pathway, canonical: str) -> dict[str, Any]:
    def concept(entry: GlossaryEntry) -> dict[str, Any]:
        found: dict[str, Any] = {
            "code": entry.id,
            "display": entry.term,
            "definition": entry.definition,
        }
        if entry.also:
            found["designation"] = [
                {"use": {"system": SNOMED, "code": SYNONYM, "display": "Synonym"}, "value": a}
                for a in entry.also
            ]
        return _with_extensions(found, _extensions(entry, _GLOSSARY))

    return {
        **_common(pathway, canonical, "CodeSystem", GLOSSARY),
        "status": "active",
        "caseSensitive": True,
        "content": "complete",
        "concept": [concept(entry) for entry in pathway.glossary],
    }


def _questionnaire(pathway: Pathway, canonical: str) -> dict[str, Any]:
    meta = pathway.metadata
    return {
        **_common(pathway, canonical, "Questionnaire", QUESTIONS),
        "title": meta.title,
        "status": "active",
        "date": meta.reviewed.isoformat(),
        "publisher": meta.publisher,
        "item": [
            {
                "linkId": state.id,
                "text": state.title,
                "type": "group",
                "item": [
                    {"linkId": f"{state.id}.{number}", "text": question, "type": "display"}
                    for number, question in enumerate(state.questions, 1)
                ],
            }
            for state in pathway.states
            if state.questions
        ],
    }


def to_bundle(pathway: Pathway) -> dict[str, Any]:
    """The pathway as a FHIR R4 Bundle (JSON-able data), the same every time."""
    meta = pathway.metadata
    plan_url = _canonical(pathway, "plan")
    glossary_url = _canonical(pathway, GLOSSARY)
    questions_url = _canonical(pathway, QUESTIONS)
    has_questions = any(state.questions for state in pathway.states)

    steps: dict[str, list[dict[str, Any]]] = {s: [] for s in pathway.state_ids}
    for index, transition in enumerate(pathway.transitions):
        for source in transition.source:
            steps[source].append(_step_action(pathway, index, transition, source))

    parts: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    if pathway.glossary:
        parts.append({"type": "composed-of", "label": GLOSSARY, "resource": glossary_url})
        others.append(_glossary_resource(pathway, glossary_url))
    if has_questions:
        parts.append({"type": "composed-of", "label": QUESTIONS, "resource": questions_url})
        others.append(_questionnaire(pathway, questions_url))
    for context in pathway.contexts:
        topic = _topic_resources(pathway, context)
        parts.append({"type": "composed-of", "label": TOPIC, "resource": topic[0]["url"]})
        others.extend(topic)

    plan: dict[str, Any] = {
        **_common(pathway, plan_url, "PlanDefinition", "plan"),
        "identifier": [{"system": f"{BASE}:pathway", "value": meta.id}],
        "title": meta.title,
        "type": {
            "coding": [
                {
                    "system": PLAN_TYPE,
                    "code": "workflow-definition",
                    "display": "Workflow Definition",
                }
            ]
        },
        "status": "active",
        "date": meta.reviewed.isoformat(),
        "publisher": meta.publisher,
        "contact": [_contact(contact) for contact in pathway.support],
        "purpose": _markdown(meta.intended_purpose),
        "usage": meta.intended_purpose,
        "lastReviewDate": meta.reviewed.isoformat(),
        "effectivePeriod": {
            "start": meta.reviewed.isoformat(),
            "end": meta.next_review.isoformat(),
        },
        "topic": [
            {"coding": [{"system": DEFINITION_TOPIC, "code": "education", "display": "Education"}]}
        ],
        "relatedArtifact": [_source_artifact(s) for s in pathway.sources] + parts,
        "action": [
            _state_action(pathway, state, steps[state.id], questions_url if has_questions else None)
            for state in pathway.states
        ],
    }
    if pathway.contexts:
        plan["useContext"] = [
            {
                "code": {
                    "system": USAGE_CONTEXT_TYPE,
                    "code": "focus",
                    "display": "Clinical Focus",
                },
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": _canonical(pathway, TOPIC, c.id),
                            "code": v.id,
                            "display": v.label,
                        }
                        for v in c.values
                    ],
                    "text": c.label,
                },
            }
            for c in pathway.contexts
        ]
    plan = _with_extensions(plan, _extensions(meta, _METADATA) + _extensions(pathway, _PATHWAY))

    resources = [plan, *others]
    return {
        "resourceType": "Bundle",
        "id": _fhir_id(meta.id),
        "type": "collection",
        "entry": [
            {"fullUrl": _full_url(resource["url"]), "resource": resource} for resource in resources
        ],
    }


def to_fhir_json(pathway: Pathway, *, indent: int | None = 2) -> str:
    """The Bundle as JSON text (characters kept as they are), ending in a newline."""
    return json.dumps(to_bundle(pathway), ensure_ascii=False, indent=indent) + "\n"
