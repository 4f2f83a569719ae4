"""`pathways export fhir` makes a FHIR R4 Bundle that a validator accepts and that imports
back without loss; `pathways import fhir` refuses anything else with one clean message.

The Bundle is checked three ways: by the R4B models of ``fhir.resources`` (shapes,
cardinalities, required elements), by ``bundle_problems`` here (what the models do not
check: every ``relatedAction.actionId``, every canonical reference and every code resolve
inside the Bundle, and nothing in it is about a patient), and by running every condition
with a FHIRPath engine (``fhirpathpy``) against the journey's own rule for that step.
"""

from __future__ import annotations

import ast
import copy
import itertools
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fhirpathpy
import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from paths import ROOT
from pathways import fhir, fhir_import
from pathways.cli import main
from pathways.errors import ContentError
from pathways.fhir import BASE, EXTENSION, to_bundle
from pathways.fhir_import import pathway_from_bundle, read_bundle
from pathways.journey import Journey
from pathways.loader import load_pathway, parse_pathway
from pathways.reader import dump_pathway
from pathways.schema import Pathway, State
from strategies import dump_yaml, valid_documents
from test_hostile import PAYLOAD, SHORT, hostile_document
from test_interchange import _with_two_topics

DATA = Path(__file__).parent / "data"

# --------------------------------------------------------------------------- the checks

# The codes FHIR R4 allows (required bindings) in the coded elements the export uses, by
# resource type and the path of the element.
CODED: list[tuple[str, str, set[str]]] = [
    ("*", r"^status$", {"draft", "active", "retired", "unknown"}),
    (
        "PlanDefinition",
        r"(relatedArtifact|documentation)\[\d+\]\.type$",
        {
            *("documentation", "justification", "citation", "predecessor", "successor"),
            *("derived-from", "depends-on", "composed-of"),
        },
    ),
    (
        "PlanDefinition",
        r"relatedAction\[\d+\]\.relationship$",
        {
            *("before-start", "before", "before-end", "concurrent-with-start", "concurrent"),
            *("concurrent-with-end", "after-start", "after", "after-end"),
        },
    ),
    ("PlanDefinition", r"condition\[\d+\]\.kind$", {"applicability", "start", "stop"}),
    (
        "PlanDefinition",
        r"selectionBehavior$",
        {"any", "all", "all-or-none", "exactly-one", "at-most-one", "one-or-more"},
    ),
    (
        "PlanDefinition",
        r"expression\.language$",
        {"text/cql", "text/fhirpath", "application/x-fhir-query"},
    ),
    (
        "PlanDefinition",
        r"telecom\[\d+\]\.system$",
        {"phone", "fax", "email", "pager", "url", "sms", "other"},
    ),
    (
        "Questionnaire",
        r"item\[\d+\]\.type$",
        {
            *("group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time"),
            *("string", "text", "url", "choice", "open-choice", "attachment", "reference"),
            "quantity",
        },
    ),
    ("CodeSystem", r"^content$", {"not-present", "example", "fragment", "complete", "supplement"}),
]
BUNDLE_TYPES = {
    *("document", "message", "transaction", "transaction-response", "batch"),
    *("batch-response", "history", "searchset", "collection"),
}
TERMINOLOGY = {
    fhir.PLAN_TYPE: {"order-set", "clinical-protocol", "eca-rule", "workflow-definition"},
    fhir.DEFINITION_TOPIC: {"treatment", "education", "assessment"},
    fhir.USAGE_CONTEXT_TYPE: {
        *("gender", "age", "focus", "user", "workflow", "task", "venue", "species"),
        "program",
    },
    fhir.SNOMED: {"900000000000003001", "900000000000013009"},  # designation-use
}
NOT_ABOUT_A_PATIENT = {"PlanDefinition", "Questionnaire", "CodeSystem", "ValueSet"}
CANONICAL_KEYS = {"resource", "definitionCanonical", "valueSet"}


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value in JSON data with its path (``action[2].relatedAction[0]``)."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _actions(actions: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for action in actions:
        yield action
        yield from _actions(action.get("action", []))


def bundle_problems(bundle: dict[str, Any]) -> list[str]:
    """What the R4 models do not check: references, ids and codes that resolve."""
    problems: list[str] = []
    resources = [entry["resource"] for entry in bundle["entry"]]
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    if len(set(full_urls)) != len(full_urls):
        problems.append("two entries share a fullUrl")
    by_url = {r["url"]: r for r in resources}
    if len(by_url) != len(resources):
        problems.append("two resources share a canonical URL")
    for resource in resources:
        kind = resource["resourceType"]
        if kind not in NOT_ABOUT_A_PATIENT:
            problems.append(f"a {kind} is in the Bundle")
        for path, value in _walk(resource):
            key = path.rsplit(".", 1)[-1]
            if key == "reference" or key.startswith("subject"):
                problems.append(f"{kind}.{path} refers to a subject or another resource")
            # Canonical references to resources of ours resolve inside the Bundle.
            ours = key in CANONICAL_KEYS and isinstance(value, str) and value.startswith(BASE)
            if ours and value not in by_url:
                problems.append(f"{kind}.{path} names {value}, not in the Bundle")
            if isinstance(value, dict) and "system" in value and "code" in value:
                problems += _code_problems(f"{kind}.{path}", value, by_url)
            included = kind == "ValueSet" and path.startswith("compose.include")
            if (
                included
                and key == "system"
                and by_url.get(value, {}).get("resourceType") != ("CodeSystem")
            ):
                problems.append(f"ValueSet.{path} names no code system in the Bundle")
    if bundle["type"] not in BUNDLE_TYPES:
        problems.append(f"Bundle.type {bundle['type']}")
    plans = [r for r in resources if r["resourceType"] == "PlanDefinition"]
    for plan in plans:
        problems += _plan_problems(plan, by_url)
    for resource in resources:
        kind = resource["resourceType"]
        for path, value in _walk(resource):
            for where, pattern, allowed in CODED:
                if where in ("*", kind) and re.search(pattern, path) and value not in allowed:
                    problems.append(f"{kind}.{path}: '{value}' is not an allowed code")
    return problems


def _code_problems(where: str, coding: dict[str, Any], by_url: dict[str, Any]) -> list[str]:
    system, code = coding["system"], coding["code"]
    if system in TERMINOLOGY:
        return [] if code in TERMINOLOGY[system] else [f"{where}: {code} is not in {system}"]
    code_system = by_url.get(system)
    if code_system is None or code_system["resourceType"] != "CodeSystem":
        return [f"{where}: no code system {system}"]
    codes = {c["code"]: c for c in code_system["concept"]}
    if code not in codes:
        return [f"{where}: {code} is not in {system}"]
    if "display" in coding and coding["display"] != codes[code]["display"]:
        return [f"{where}: display of {code} differs from its code system"]
    # A code of ours is also in the value set of its code system.
    value_set = by_url.get(code_system.get("valueSet", ""))
    if value_set is None or {"system": system} not in value_set["compose"]["include"]:
        return [f"{where}: {system} has no value set including it"]
    return []


def _plan_problems(plan: dict[str, Any], by_url: dict[str, Any]) -> list[str]:
    problems = []
    actions = list(_actions(plan["action"]))
    ids = [a["id"] for a in actions]
    if len(set(ids)) != len(ids):
        problems.append("two actions share an id")
    for action in actions:
        for related in action.get("relatedAction", []):
            if related["actionId"] not in ids:
                problems.append(f"action {action['id']}: relatedAction to {related['actionId']}")
        if "definitionCanonical" in action:
            questionnaire = by_url[action["definitionCanonical"]]
            groups = [item["linkId"] for item in questionnaire["item"]]
            if not any(fhir._fhir_id(g) == action["id"] for g in groups):
                problems.append(f"action {action['id']}: no group of questions in the link")
    for artifact in plan["relatedArtifact"]:
        if artifact["type"] == "composed-of" and artifact["resource"] not in by_url:
            problems.append(f"composed-of {artifact['resource']} is not in the Bundle")
    return problems


def check(pathway: Pathway) -> dict[str, Any]:
    """The pathway's Bundle, after the models and our checks accept it."""
    bundle = to_bundle(pathway)
    Bundle.model_validate(bundle)
    assert bundle_problems(bundle) == []
    return bundle


def round_trip(pathway: Pathway) -> None:
    """Export, import and export again: the same pathway, the same Bundle, the same text."""
    text = fhir.to_fhir_json(pathway)
    again = read_bundle(text.encode("utf-8"), "bundle.json")
    assert again == pathway
    assert fhir.to_fhir_json(again) == text
    assert parse_pathway(dump_pathway(again)) == pathway


# --------------------------------------------------------------------------- the pathways


def _valid_files() -> list[Path]:
    """The repository's pathway and every document under tests/data that loads."""
    found = [ROOT / "pathways.yaml"]
    for path in sorted(DATA.rglob("*.yaml")):
        try:
            load_pathway(path)
        except ContentError:
            continue
        found.append(path)
    return found


VALID_FILES = _valid_files()


def test_the_tests_have_several_pathways() -> None:
    """The shipped pathway and the tests' valid pathways are all exported below."""
    assert len(VALID_FILES) >= 5
    assert DATA / "minimal.yaml" in VALID_FILES


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_valid_pathway_exports_a_valid_bundle_and_imports_back(path: Path) -> None:
    """The Bundle passes the R4 models and our checks; import gives the same pathway."""
    pathway = load_pathway(path)
    check(pathway)
    round_trip(pathway)


def test_the_shipped_pathway_has_every_part(pathway: Pathway) -> None:
    """A PlanDefinition with every element the issue lists, a Questionnaire, code systems."""
    bundle = check(pathway)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert bundle["type"] == "collection"
    assert kinds.count("PlanDefinition") == 1 and kinds.count("Questionnaire") == 1
    assert kinds.count("CodeSystem") == 1 + len(pathway.contexts)
    assert kinds.count("ValueSet") == len(pathway.contexts)
    plan = bundle["entry"][0]["resource"]
    for element in (
        *("url", "identifier", "version", "name", "title", "status", "date", "publisher"),
        *("contact", "purpose", "usage", "lastReviewDate", "effectivePeriod"),
        *("relatedArtifact", "topic", "useContext", "action"),
    ):
        assert plan.get(element), element
    assert plan["type"]["coding"][0]["code"] == "workflow-definition"
    meta = pathway.metadata
    assert plan["usage"] == meta.intended_purpose
    assert plan["effectivePeriod"]["end"] == meta.next_review.isoformat()
    assert plan["contact"][0]["name"] == pathway.support_line.name
    assert plan["contact"][0]["telecom"][0]["value"] == pathway.support_line.phone
    citations = [a for a in plan["relatedArtifact"] if a["type"] == "citation"]
    assert [(a["label"], a["url"]) for a in citations] == [(s.id, s.url) for s in pathway.sources]
    assert "profile" not in json.dumps(bundle)  # plain R4: no profile claimed


def test_actions_are_the_states_and_steps_their_ways_on(pathway: Pathway) -> None:
    """One action per state (title, summary, explanation); one relatedAction per step."""
    plan = check(pathway)["entry"][0]["resource"]
    actions = plan["action"]
    assert [a["title"] for a in actions] == [s.title for s in pathway.states]
    for action, state in zip(actions, pathway.states, strict=True):
        assert action["description"] == state.summary
        assert action["textEquivalent"].split("\n\n") == list(state.explanation)
        steps = Journey.begin(pathway, at=state.id).next_steps()
        ways = action.get("action", [])
        assert [w["title"] for w in ways] == [s.label for s in steps]
        assert [w["relatedAction"][0]["actionId"] for w in ways] == [
            fhir._fhir_id(s.dest) for s in steps
        ]
    count = sum(len(t.source) for t in pathway.transitions)
    assert sum(len(a.get("action", [])) for a in actions) == count


def test_questions_are_display_items_grouped_by_state(pathway: Pathway) -> None:
    """Each state's questions are a group of display items, linked from its action."""
    bundle = check(pathway)
    questionnaire = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Questionnaire"
    )
    asked = [s for s in pathway.states if s.questions]
    assert [g["linkId"] for g in questionnaire["item"]] == [s.id for s in asked]
    for group, state in zip(questionnaire["item"], asked, strict=True):
        assert group["type"] == "group"
        assert [(i["type"], i["text"]) for i in group["item"]] == [
            ("display", q) for q in state.questions
        ]
    plan = bundle["entry"][0]["resource"]
    linked = [a["id"] for a in plan["action"] if "definitionCanonical" in a]
    assert linked == [fhir._fhir_id(s.id) for s in asked]


def test_no_questions_no_questionnaire() -> None:
    """A pathway without questions has no Questionnaire, and still round-trips."""
    pathway = load_pathway(DATA / "minimal.yaml")
    states = tuple(s.model_copy(update={"questions": ()}) for s in pathway.states)
    bare = Pathway.model_validate({**pathway.model_dump(), "states": states})
    kinds = [e["resource"]["resourceType"] for e in check(bare)["entry"]]
    assert "Questionnaire" not in kinds
    round_trip(bare)


# --------------------------------------------------------------------------- conditions


def _conditions(pathway: Pathway) -> Iterator[tuple[str, str, str | None]]:
    """Each way on as (state, trigger, its FHIRPath expression or None)."""
    plan = to_bundle(pathway)["entry"][0]["resource"]
    for action, state in zip(plan["action"], pathway.states, strict=True):
        ways = action.get("action", [])
        leaving = [t for t in pathway.transitions if state.id in t.source]
        for way, transition in zip(ways, leaving, strict=True):
            conditions = way.get("condition", [])
            assert len(conditions) == (1 if transition.when else 0)
            for condition in conditions:
                assert condition["kind"] == "applicability"
                assert condition["expression"]["language"] == "text/fhirpath"
                assert condition["expression"]["description"]
            expression = conditions[0]["expression"]["expression"] if conditions else None
            yield state.id, transition.trigger, expression


def assert_conditions_are_the_journeys(pathway: Pathway) -> None:
    """For every topic choice, a FHIRPath engine takes exactly the steps the journey does."""
    choices = [[(c.id, v.id) for v in c.values] for c in pathway.contexts]
    for combination in itertools.product(*choices):
        chosen = dict(combination)
        variables = {f"topic_{name}": value for name, value in chosen.items()}
        for state_id, trigger, expression in _conditions(pathway):
            offered = {s.trigger for s in Journey.begin(pathway, chosen, at=state_id).next_steps()}
            holds = expression is None or fhirpathpy.evaluate({}, expression, variables) == [True]
            assert holds == (trigger in offered), (state_id, trigger, chosen, expression)


def test_conditions_hold_exactly_when_the_journey_offers_the_step(pathway: Pathway) -> None:
    """The shipped pathway's guards, run by fhirpathpy, agree with the journey."""
    assert any(expression for _, _, expression in _conditions(pathway))
    assert_conditions_are_the_journeys(pathway)


def test_two_topics_and_a_step_from_two_states() -> None:
    """Two topics (with values named like FHIRPath's literals) and a step from two states:
    a valid Bundle, the same pathway back, and conditions that agree with the journey."""
    pathway = _with_two_topics(load_pathway(DATA / "minimal.yaml"))
    assert len(pathway.contexts) == 2 and any(len(t.source) > 1 for t in pathway.transitions)
    check(pathway)
    round_trip(pathway)
    assert_conditions_are_the_journeys(pathway)


def test_two_topics_are_joined_with_and() -> None:
    """A step limited by two topics tests both, each with its allowed values."""
    expression = fhir.condition_expression({"kind": ["a", "b"], "age": ["adult"]})
    assert expression == "(%topic_kind in ('a' | 'b')) and (%topic_age = 'adult')"
    assert fhirpathpy.evaluate({}, expression, {"topic_kind": "b", "topic_age": "adult"}) == [True]
    assert fhirpathpy.evaluate({}, expression, {"topic_kind": "c", "topic_age": "adult"}) == [False]


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(document=valid_documents())
def test_generated_pathways_round_trip_with_nothing_lost(document: dict[str, Any]) -> None:
    """Any valid pathway: a valid Bundle, whose import is the same pathway (every state,
    step, guard, title, text, fact, source, glossary entry and question)."""
    pathway = Pathway.model_validate(document)
    check(pathway)
    round_trip(pathway)
    assert_conditions_are_the_journeys(pathway)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
        lambda f: not f.is_integer()
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@given(value=_JSON)
def test_any_value_travels_in_an_extension(value: Any) -> None:
    """A field FHIR has no element for (a new one, say) goes into an extension and back:
    texts, numbers, true/false, lists and mappings, empty or nested, keys of any kind."""
    extension = {"url": f"{EXTENSION}state-new", **fhir._encode(value)}
    json.dumps(extension)  # JSON-able
    decoded = fhir_import._decode(fhir_import._Node(extension, "test"))
    assert decoded == value


class _StateWithMore(State):
    """A state with a field added to the schema later (as another branch may add one)."""

    emphasis: str | None = None


def test_a_field_added_to_the_schema_is_exported_in_an_extension() -> None:
    """A schema field this module does not know travels in ``<part>-<field>``."""
    pathway = load_pathway(DATA / "minimal.yaml")
    first = _StateWithMore(**pathway.states[0].model_dump(), emphasis="usually")
    more = pathway.model_copy(update={"states": (first, *pathway.states[1:])})
    plan = to_bundle(more)["entry"][0]["resource"]
    assert {"url": f"{EXTENSION}state-emphasis", "valueString": "usually"} in plan["action"][0][
        "extension"
    ]
    document = fhir_import._document(to_bundle(more))
    assert document["states"][0]["emphasis"] == "usually"


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_survives_intact(tmp_path: Path) -> None:
    """Markup, script, template syntax, quotes and right-to-left text are in the Bundle as
    written, and come back from it unchanged."""
    path = tmp_path / "hostile.yaml"
    path.write_text(dump_yaml(hostile_document()), encoding="utf-8")
    pathway = load_pathway(path)
    bundle = check(pathway)
    round_trip(pathway)
    plan = bundle["entry"][0]["resource"]
    state = pathway.states[0]
    folded = " ".join(PAYLOAD.split())
    assert plan["action"][0]["title"] == state.title and folded in state.title
    assert SHORT.split()[0] in plan["action"][0]["description"]
    assert plan["usage"] == pathway.metadata.intended_purpose
    text = fhir.to_fhir_json(pathway)
    # Bidi controls (U+202E and kin) are refused by the loader, so the payload's
    # invisible characters are the zero-width ones, which the export keeps.
    assert '\\"x\\"' in text and "\u200b" in text and "{{ 7*7 }}" in text and "مرحبا" in text


# --------------------------------------------------------------------------- import errors


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_export_and_import_on_the_command_line(tmp_path: Path) -> None:
    """export fhir writes the Bundle; import fhir writes a document that validates."""
    bundle_file = tmp_path / "bundle.json"
    result = run("export", "fhir", "--out", str(bundle_file))
    assert result.exit_code == 0, result.output
    shown = run("export", "fhir")
    assert shown.stdout == bundle_file.read_text(encoding="utf-8")
    document = tmp_path / "pathways.yaml"
    result = run("import", "fhir", str(bundle_file), "--out", str(document))
    assert result.exit_code == 0, result.output
    assert run("validate", str(document)).exit_code == 0
    assert load_pathway(document) == load_pathway(ROOT / "pathways.yaml")
    printed = run("import", "fhir", str(bundle_file))
    assert printed.stdout == document.read_text(encoding="utf-8")


def _broken(change: str) -> Any:
    bundle = to_bundle(load_pathway(DATA / "minimal.yaml"))
    plan = bundle["entry"][0]["resource"]
    if change == "patient":
        return {"resourceType": "Patient", "id": "x"}
    if change == "list":
        return [bundle]
    if change == "transaction":
        bundle["type"] = "transaction"
    elif change == "no plan":
        del bundle["entry"][0]
    elif change == "two plans":
        bundle["entry"].append(copy.deepcopy(bundle["entry"][0]))
    elif change == "no identifier":
        del plan["identifier"]
    elif change == "title a number":
        plan["action"][0]["title"] = 7
    elif change == "no relatedAction":
        del plan["action"][0]["action"][0]["relatedAction"]
    elif change == "unknown state":
        plan["action"][0]["action"][0]["relatedAction"][0]["actionId"] = "nowhere"
    elif change == "unknown field":
        plan["extension"].append({"url": f"{EXTENSION}pathway-colour", "valueString": "red"})
    elif change == "missing part":
        plan["relatedArtifact"][-1]["resource"] = f"{BASE}:elsewhere"
    elif change == "review passed":
        plan["effectivePeriod"]["end"] = "2001-01-01"
    return bundle


BROKEN = {
    "patient": "this is a FHIR Patient, not a Bundle",
    "list": "this is not a FHIR resource",
    "transaction": "Bundle.type: is 'transaction', not 'collection'",
    "no plan": "Bundle: holds 0 PlanDefinitions, not one",
    "two plans": "Bundle: holds 2 PlanDefinitions, not one",
    "no identifier": "has no identifier with the system urn:x-pathways:fhir:pathway",
    "title a number": ".action[0].title: should be text, not a number",
    "no relatedAction": "has 0 relatedActions, not one",
    "unknown state": "goes to unknown state 'nowhere'",
    "unknown field": "colour",
    "missing part": "which is not in the Bundle",
    "review passed": "was due for review on 2001-01-01",
}


@pytest.mark.parametrize(("change", "message"), BROKEN.items(), ids=list(BROKEN))
def test_import_refuses_what_is_not_our_bundle(tmp_path: Path, change: str, message: str) -> None:
    """A file that is not such a Bundle: exit 1 and one clean message naming the file."""
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_broken(change)), encoding="utf-8")
    result = run("import", "fhir", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"{path}: ")
    assert message in result.stderr
    assert "hint:" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"metadata:\n  id: x\n", "this is not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "cannot be read"),
        (b"", "this is not JSON"),
    ],
    ids=["yaml", "not utf-8", "too deep", "empty"],
)
def test_import_refuses_what_is_not_json(tmp_path: Path, content: bytes, message: str) -> None:
    """A file that is not JSON text: exit 1, one clean message."""
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    result = run("import", "fhir", str(path))
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output


def _damage(draw: st.DrawFn, value: Any) -> Any:
    """The data with one place deleted or replaced by a value of another kind."""
    if isinstance(value, dict | list) and value and draw(st.integers(0, 4)):
        keys = list(value) if isinstance(value, dict) else list(range(len(value)))
        key = draw(st.sampled_from(keys))
        if draw(st.integers(0, 3)) == 0:
            del value[key]
        else:
            value[key] = _damage(draw, value[key])
        return value
    return draw(st.sampled_from([None, 3, 2.5, True, "", "x", [], {}, [1], {"a": 1}]))


@st.composite
def damaged_bundles(draw: st.DrawFn) -> Any:
    bundle = to_bundle(load_pathway(DATA / "minimal.yaml"))
    for _ in range(draw(st.integers(1, 3))):
        bundle = _damage(draw, bundle)
    return bundle


@settings(max_examples=200, deadline=None)
@given(bundle=damaged_bundles())
def test_a_damaged_bundle_is_a_clean_error_or_a_valid_pathway(bundle: Any) -> None:
    """Whatever is broken, import gives a pathway that validates or a ContentError."""
    try:
        pathway = pathway_from_bundle(bundle, "bundle.json")
    except ContentError as error:
        assert all(str(p).startswith("bundle.json: ") for p in error.problems)
    else:
        assert isinstance(pathway, Pathway)


# --------------------------------------------------------------------------- the API


def test_the_api_serves_the_bundle(client: TestClient, pathway: Pathway) -> None:
    """GET /api/fhir is the export, as application/fhir+json; HEAD answers too."""
    response = client.get("/api/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.text == fhir.to_fhir_json(pathway)
    assert client.head("/api/fhir").status_code == 200
    operation = client.get("/openapi.json").json()["paths"]["/api/fhir"]["get"]
    assert "application/fhir+json" in operation["responses"]["200"]["content"]


def test_the_runtime_does_not_need_the_fhir_models() -> None:
    """fhir.resources is a test dependency only: no module of the package imports it."""
    for path in (ROOT / "src" / "pathways").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith(("fhir.", "fhirpathpy")) for n in names), path
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("fhir") for d in project["dependencies"])
    assert any(d.startswith("fhir.resources") for d in project["optional-dependencies"]["test"])


def test_a_bundle_the_models_refuse_is_caught() -> None:
    """The models and our checks catch what they should (so the tests above can fail)."""
    bundle = to_bundle(load_pathway(DATA / "minimal.yaml"))
    del bundle["entry"][0]["resource"]["status"]
    with pytest.raises(ValidationError):
        Bundle.model_validate(bundle)
    bundle = to_bundle(load_pathway(DATA / "minimal.yaml"))
    plan = bundle["entry"][0]["resource"]
    plan["action"][0]["action"][0]["relatedAction"][0]["actionId"] = "nowhere"
    plan["useContext"][0]["valueCodeableConcept"]["coding"][0]["code"] = "unknown"
    plan["relatedArtifact"][-1]["resource"] = f"{BASE}:elsewhere"
    problems = bundle_problems(bundle)
    assert any("relatedAction to nowhere" in p for p in problems)
    assert any("unknown is not in" in p for p in problems)
    assert any("elsewhere" in p for p in problems)


# --------------------------------------------------------------------------- docs/fhir.md

DOCS = (ROOT / "docs" / "fhir.md").read_text(encoding="utf-8")


def test_the_docs_name_every_extension_the_export_writes() -> None:
    """Each extension URL in the tests' Bundles has a row in docs/fhir.md, and each row
    is one the export can write."""
    written: set[str] = set()
    for path in VALID_FILES:
        for where, value in _walk(to_bundle(load_pathway(path))):
            if where.endswith(".url") and str(value).startswith(EXTENSION):
                written.add(value)
    documented = set(re.findall(r"^\| `(urn:x-pathways:fhir:extension:[a-z_-]+)`", DOCS, re.M))
    assert written <= documented
    assert documented - written == {f"{EXTENSION}state-id"}  # only for ids over 64 characters


def test_a_long_state_id_travels_in_an_extension() -> None:
    """A state id longer than a FHIR id may be is cut in the Bundle and whole on import."""
    pathway = load_pathway(DATA / "minimal.yaml")
    data = pathway.model_dump(mode="json")
    long_id = "remission_" + "x" * 70
    text = json.dumps(data).replace('"remission"', f'"{long_id}"')
    longer = Pathway.model_validate(json.loads(text))
    assert long_id in longer.state_ids
    bundle = check(longer)
    assert all(len(a["id"]) <= 64 for a in bundle["entry"][0]["resource"]["action"])
    round_trip(longer)


def test_the_docs_curl_example_answers_as_shown(client: TestClient) -> None:
    """docs/fhir.md's curl command gets the Bundle it shows."""
    command = re.search(r"```sh\n(curl [^\n]+)\n```\n\n```json\n(.*?)```", DOCS, re.S)
    assert command is not None
    url = command.group(1).split()[-1].removeprefix("http://127.0.0.1:8000")
    answer = client.get(url).json()
    for key, value in json.loads(command.group(2)).items():
        assert answer[key] == value


def test_the_docs_import_error_is_what_import_says(tmp_path: Path) -> None:
    """The error shown in docs/fhir.md is the one import prints for that mistake."""
    shown = re.search(r"```\n(bundle\.json: .*?)```", DOCS, re.S)
    assert shown is not None
    (tmp_path / "bundle.json").write_text(json.dumps(_broken("title a number")), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run("import", "fhir", "bundle.json")
    assert result.stderr == shown.group(1)


def test_a_bundle_nested_too_deeply_is_a_clean_error() -> None:
    """An extension nested thousands deep is refused with a message, not a crash."""
    bundle = to_bundle(load_pathway(DATA / "minimal.yaml"))
    value: dict[str, Any] = {"valueString": "x"}
    for _ in range(3000):
        value = {"extension": [{"url": "item", **value}]}
    bundle["entry"][0]["resource"]["extension"].append({"url": f"{EXTENSION}pathway-deep", **value})
    with pytest.raises(ContentError, match="nested too deeply"):
        pathway_from_bundle(bundle, "bundle.json")
