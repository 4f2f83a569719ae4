"""A pathway as a state machine that other engines run: W3C SCXML and XState v5.

Both exports carry the same machine as ``journey.Guide``: one state per pathway state,
the start as the initial state, one event per step (named by its trigger), and the
pathway's topic choices (contexts) as data that starts at each context's default.

A step limited to some context values (``when: {setting: [home]}``) is guarded
exactly as ``schema.Transition.applies`` does it: the step is taken when the context's
value is one of those values, or is the context's default (which narrows nothing). So
each guard is given the *allowed* values, the default included, and a host needs no other
rule.

- SCXML uses the ``ecmascript`` datamodel: every context is a ``<data>`` item and every
  guard a ``cond`` such as ``setting === 'home' || setting === 'any'``.
- XState has one named guard, ``applies``, whose ``params`` map each context to its
  allowed values; the host supplies its implementation (see ``XSTATE_GUARD_JS``).

A state that no step leaves is a final state (``<final>``, ``type: "final"``); an end
point that still has steps (to talk to the team, say) stays an ordinary state, so the
exported machines refuse and accept the same events as the journey does. Titles and
labels ride along as documentation (attributes in our own XML namespace, XState's
``description`` and ``meta``), never as behaviour; so do the intended-purpose statement
and the support line, which a host shows with anything it takes from the export.

Pure functions from a ``Pathway`` to text (layer 3); the XML is built with ElementTree,
which escapes every attribute, so no pathway text can change the document's structure.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from pathways.errors import ContentError, Problem
from pathways.schema import Pathway, Transition

SCXML_NAMESPACE = "http://www.w3.org/2005/07/scxml"
PATHWAYS_NAMESPACE = "urn:x-pathways:scxml:1"
"""The namespace of the documentation attributes (``pathways:title``, ``pathways:label``);
SCXML allows attributes from other namespaces, and engines ignore them."""

XSTATE_FORMAT = "pathways-xstate/1"
"""Names the shape of ``meta`` in the XState export; changes when a key is renamed."""

GUARD = "applies"
"""The one named guard of the XState export."""

XSTATE_GUARD_JS = """\
const applies = ({ context }, allowed) =>
  Object.entries(allowed).every(([name, values]) => values.includes(context[name]));"""
"""The guard a host gives XState (``setup({ guards: { applies } })``); a test runs it."""

# Words that cannot name a variable in ECMAScript (reserved words, literals, and the
# globals a script cannot redefine); a context with one of these ids cannot be SCXML data.
ECMASCRIPT_RESERVED = frozenset(
    {
        *("await", "break", "case", "catch", "class", "const", "continue", "debugger"),
        *("default", "delete", "do", "else", "enum", "export", "extends", "false"),
        *("finally", "for", "function", "if", "implements", "import", "in", "instanceof"),
        *("interface", "let", "new", "null", "package", "private", "protected", "public"),
        *("return", "static", "super", "switch", "this", "throw", "true", "try", "typeof"),
        *("var", "void", "while", "with", "yield", "arguments", "eval", "undefined"),
    }
)

# XML 1.0 cannot carry these characters at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --------------------------------------------------------------------------- shared


def allowed_values(pathway: Pathway, transition: Transition) -> dict[str, list[str]]:
    """For each context a step is limited by: the values it is taken for, default included.

    Values keep the order the context declares them in, so exports are stable.
    """
    contexts = {c.id: c for c in pathway.contexts}
    allowed: dict[str, list[str]] = {}
    for name, values in transition.when.items():
        context = contexts[name]
        allowed[name] = [v.id for v in context.values if v.id in values or v.id == context.default]
    return allowed


def _topics(pathway: Pathway, transition: Transition) -> list[str]:
    """The topics a step is for, as ``diagram`` and ``Journey.next_steps`` name them.

    A context whose default is among the step's values does not narrow it, so it adds none.
    """
    contexts = {c.id: c for c in pathway.contexts}
    topics: list[str] = []
    for name, values in transition.when.items():
        context = contexts[name]
        if context.default not in values:
            topics.extend(v.label for v in context.values if v.id in values)
    return topics


# --------------------------------------------------------------------------- SCXML


def _check_data_names(pathway: Pathway) -> None:
    problems = [
        Problem(
            f"context '{c.id}' cannot be exported to SCXML: '{c.id}' is a reserved word in"
            " ECMAScript, the language of the export's conditions",
            hint=f"give the context another id, e.g. '{c.id}_choice'",
            path=("contexts", index, "id"),
        )
        for index, c in enumerate(pathway.contexts)
        if c.id in ECMASCRIPT_RESERVED
    ]
    if problems:
        raise ContentError(problems)


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: characters it cannot carry at all become spaces."""
    return _NOT_XML.sub(" ", text)


def _js_string(value: str) -> str:
    """An ECMAScript string literal of an id (ids are ``[a-z0-9_]``, so no quote to escape).

    python-statemachine rewrites the words ``true``, ``false`` and ``null`` in a condition
    to Python's, even inside quotes; spelling the first letter as ``\\xNN`` keeps the same
    string in ECMAScript and in Python while hiding the word from that rewrite.
    """
    if value in ("true", "false", "null"):
        value = f"\\x{ord(value[0]):02x}{value[1:]}"
    return f"'{value}'"


def scxml_cond(allowed: dict[str, list[str]]) -> str:
    """An ECMAScript condition that holds when every context has one of its allowed values."""
    parts = []
    for name, values in allowed.items():
        tests = " || ".join(f"{name} === {_js_string(v)}" for v in values)
        parts.append(f"({tests})" if len(values) > 1 and len(allowed) > 1 else tests)
    return " && ".join(parts)


def to_scxml(pathway: Pathway) -> str:
    """The pathway as a W3C SCXML document (ecmascript datamodel), ending in a newline.

    ``ContentError`` if a context id cannot be an ECMAScript variable.
    """
    _check_data_names(pathway)
    meta = pathway.metadata
    root = ET.Element(
        "scxml",
        {
            "xmlns": SCXML_NAMESPACE,
            "xmlns:pathways": PATHWAYS_NAMESPACE,
            "version": "1.0",
            "datamodel": "ecmascript",
            "name": meta.id,
            "initial": pathway.start,
            "pathways:title": _xml_text(meta.title),
            "pathways:version": _xml_text(meta.version),
            "pathways:intended-purpose": _xml_text(meta.intended_purpose),
            "pathways:support-name": _xml_text(pathway.support_line.name),
            "pathways:support-phone": _xml_text(pathway.support_line.phone),
            "pathways:support-offers": _xml_text(pathway.support_line.offers),
        },
    )
    if pathway.contexts:
        datamodel = ET.SubElement(root, "datamodel")
        for context in pathway.contexts:
            ET.SubElement(
                datamodel,
                "data",
                {
                    "id": context.id,
                    "expr": _js_string(context.default),
                    "pathways:label": _xml_text(context.label),
                    "pathways:values": " ".join(v.id for v in context.values),
                },
            )
    leaving = pathway.leaving()
    for state in pathway.states:
        attributes = {"id": state.id, "pathways:title": _xml_text(state.title)}
        if state.end:
            attributes["pathways:end"] = "true"
        element = ET.SubElement(root, "state" if leaving[state.id] else "final", attributes)
        for t in leaving[state.id]:
            step = {"event": t.trigger, "target": t.dest}
            if t.when:
                step["cond"] = scxml_cond(allowed_values(pathway, t))
            step["pathways:label"] = _xml_text(t.label)
            topics = _topics(pathway, t)
            if topics:
                step["pathways:for"] = _xml_text(" or ".join(topics))
            ET.SubElement(element, "transition", step)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# --------------------------------------------------------------------------- XState


def xstate_machine(pathway: Pathway) -> dict[str, Any]:
    """The pathway as an XState v5 machine config (JSON-able; guards named, not included)."""
    meta = pathway.metadata
    leaving = pathway.leaving()
    states: dict[str, Any] = {}
    for state in pathway.states:
        node: dict[str, Any] = {"description": state.title, "meta": {"end": state.end}}
        if not leaving[state.id]:
            node["type"] = "final"
        else:
            on: dict[str, Any] = {}
            for t in leaving[state.id]:
                step: dict[str, Any] = {"target": t.dest, "description": t.label}
                if t.when:
                    step["guard"] = {"type": GUARD, "params": allowed_values(pathway, t)}
                    topics = _topics(pathway, t)
                    if topics:
                        step["meta"] = {"for": topics}
                on[t.trigger] = step
            node["on"] = on
        states[state.id] = node
    return {
        "id": meta.id,
        "description": meta.title,
        "meta": {
            "format": XSTATE_FORMAT,
            "version": meta.version,
            "intended_purpose": meta.intended_purpose,
            "support": {
                "name": pathway.support_line.name,
                "phone": pathway.support_line.phone,
                "offers": pathway.support_line.offers,
            },
            "guards": {
                GUARD: "true when, for every context named in params, the context's value"
                " is one of the values listed for it"
            },
            "contexts": [
                {
                    "id": c.id,
                    "label": c.label,
                    "default": c.default,
                    "values": [{"id": v.id, "label": v.label} for v in c.values],
                }
                for c in pathway.contexts
            ],
        },
        "initial": pathway.start,
        "context": pathway.context_defaults(),
        "states": states,
    }


def to_xstate(pathway: Pathway, *, indent: int | None = 2) -> str:
    """The XState machine config as JSON text (characters kept as they are), with a newline."""
    return json.dumps(xstate_machine(pathway), ensure_ascii=False, indent=indent) + "\n"
