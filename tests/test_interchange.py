"""The SCXML and XState exports run in other engines exactly as the journey runs.

The proof is behavioural: walks (a topic choice, then a mix of steps the journey offers
and steps it refuses) go through ``journey.Journey`` and through the exported machine
in an independent engine, python-statemachine for SCXML and XState v5 under Node, and
must visit the same states, one by one.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from statemachine.io import load

from paths import MINIMAL, ROOT
from pathways.cli import main
from pathways.diagram import to_dot, to_mermaid
from pathways.errors import ContentError, StepNotAvailableError
from pathways.export import pathway_from_dict, pathway_to_dict
from pathways.interchange import (
    GUARD,
    PATHWAYS_NAMESPACE,
    SCXML_NAMESPACE,
    XSTATE_GUARD_JS,
    allowed_values,
    to_scxml,
    to_xstate,
    xstate_machine,
)
from pathways.journey import Journey
from pathways.lint import document_schema
from pathways.loader import load_pathway
from pathways.schema import Pathway
from strategies import valid_documents

WALK_SCRIPT = Path(__file__).parent / "js" / "xstate_walk.mjs"
EXAMPLES = ROOT / "docs" / "examples"
NODE = shutil.which("node")
SC = f"{{{SCXML_NAMESPACE}}}"
PW = f"{{{PATHWAYS_NAMESPACE}}}"


def _with_two_topics(pathway: Pathway) -> Pathway:
    """minimal.yaml with a second topic, and topic values named like ECMAScript literals.

    Guards then join two topics with && and compare against 'true' and 'null', which
    python-statemachine would rewrite if the export spelled them plainly.
    """
    data = pathway_to_dict(pathway)
    data["contexts"] = [
        {
            "id": "philadelphia",
            "label": "Type of ALL",
            "values": [
                {"id": "null", "label": "All types of ALL"},
                {"id": "true", "label": "Philadelphia positive ALL"},
                {"id": "false", "label": "Philadelphia negative ALL"},
            ],
            "default": "null",
        },
        {
            "id": "age",
            "label": "Age",
            "values": [
                {"id": "any_age", "label": "Any age"},
                {"id": "young", "label": "Young adults"},
                {"id": "older", "label": "Older adults"},
            ],
            "default": "any_age",
        },
    ]
    for t in data["transitions"]:
        if t["when"]:
            t["when"] = {"philadelphia": ["true"], "age": ["young", "older"]}
    data["transitions"].append(
        {
            "trigger": "a_trial_for_the_young",
            "source": ["relapse", "reinduction"],
            "dest": "reinduction",
            "label": "A trial for young people",
            "when": {"age": ["young"], "philadelphia": ["false", "null"]},
        }
    )
    return pathway_from_dict(data)


@pytest.fixture(scope="module", params=["real", "minimal", "two_topics"])
def pathway(request: pytest.FixtureRequest) -> Pathway:
    if request.param == "real":
        return load_pathway(ROOT / "pathways.yaml")
    minimal = load_pathway(MINIMAL)
    return minimal if request.param == "minimal" else _with_two_topics(minimal)


# --------------------------------------------------------------------------- walks


Choose = Callable[[Sequence[str], Sequence[str]], str]
"""Picks a walk's next event from the steps offered and the triggers refused (never both empty)."""


def chooser(take_offered: Callable[[], bool], one_of: Callable[[Sequence[str]], str]) -> Choose:
    """Mostly a step the journey offers; sometimes (or where none is) one it refuses."""

    def choose(offered: Sequence[str], refused: Sequence[str]) -> str:
        take = bool(offered) and (not refused or take_offered())
        return one_of(offered if take else refused)

    return choose


def drawn(data: st.DataObject) -> Choose:
    """Each choice drawn by hypothesis, one step at a time (so it shrinks to short walks)."""
    return chooser(
        lambda: data.draw(st.sampled_from([True, True, True, False])),
        lambda options: data.draw(st.sampled_from(options)),
    )


def plan_walk(
    pathway: Pathway, context: Mapping[str, str], length: int, choose: Choose
) -> tuple[list[str], list[str]]:
    """Events for a walk, and the states the journey is at: at the start, after each event.

    A refused trigger (one the journey does not offer here, though it exists in the
    pathway) must leave the state as it was.
    """
    triggers = sorted({t.trigger for t in pathway.transitions})
    journey = Journey.begin(pathway, context)
    events: list[str] = []
    states = [journey.state]
    for _ in range(length):
        offered = [s.trigger for s in journey.next_steps()]
        refused = [t for t in triggers if t not in offered]
        if not offered and not refused:
            break
        event = choose(offered, refused)
        if event in offered:
            journey = journey.step(event)
        else:
            with pytest.raises(StepNotAvailableError):
                journey.step(event)
        events.append(event)
        states.append(journey.state)
    return events, states


def topic_choices(pathway: Pathway) -> st.SearchStrategy[dict[str, str]]:
    """Some topics chosen, others left out (the engine's default then stands)."""
    return st.fixed_dictionaries(
        {},
        optional={c.id: st.sampled_from([v.id for v in c.values]) for c in pathway.contexts},
    )


lengths = st.integers(0, 30)


def run_scxml(document: str, context: Mapping[str, str], events: Sequence[str]) -> list[str]:
    """The states a fresh python-statemachine machine of the document passes through."""
    # A new class per walk: python-statemachine 3.2 initialises the <datamodel> only for
    # the first machine made from a loaded class.
    machine = load(document, format="scxml")()
    for name, value in context.items():  # how a host sets the reader's topics
        setattr(machine.model, name, value)

    def here() -> str:
        (state,) = machine.configuration_values
        return str(state)

    states = [here()]
    for event in events:
        machine.send(event)
        states.append(here())
    return states


# --------------------------------------------------------------------------- SCXML


@given(data=st.data())
def test_scxml_walks_match_the_journey(pathway: Pathway, data: st.DataObject) -> None:
    """Any walk visits the same states in python-statemachine's SCXML run as in the journey."""
    context = data.draw(topic_choices(pathway), label="context")
    length = data.draw(lengths, label="length")
    events, expected = plan_walk(pathway, context, length, drawn(data))
    assert run_scxml(to_scxml(pathway), context, events) == expected


def every_reading(pathway: Pathway) -> list[dict[str, str]]:
    """Each topic left out or chosen as each of its values, one context at a time."""
    readings: list[dict[str, str]] = [{}]
    for context in pathway.contexts:
        readings += [{context.id: value.id} for value in context.values]
    return readings


def shortest_paths(pathway: Pathway, context: Mapping[str, str]) -> dict[str, list[str]]:
    """For each state the journey can reach under these topics, the fewest events there."""
    paths: dict[str, list[str]] = {pathway.start: []}
    todo = [Journey.begin(pathway, context)]
    while todo:
        journey = todo.pop(0)
        for step in journey.next_steps():
            if step.dest not in paths:
                paths[step.dest] = [*paths[journey.state], step.trigger]
                todo.append(journey.step(step.trigger))
    return paths


def test_scxml_takes_and_refuses_every_trigger_in_every_state_as_the_journey_does(
    pathway: Pathway,
) -> None:
    """In every reachable state, under each topic choice, every trigger of the pathway is
    taken to the same state (or refused) by the SCXML machine as by the journey."""
    document = to_scxml(pathway)
    triggers = sorted({t.trigger for t in pathway.transitions})
    checked = 0
    for context in every_reading(pathway):
        for state, path in shortest_paths(pathway, context).items():
            here = Journey.begin(pathway, context).jump(state)
            offered = {s.trigger: s.dest for s in here.next_steps()}
            for trigger in triggers:
                walked = run_scxml(document, context, [*path, trigger])
                assert walked[-2] == state, (path, state)
                assert walked[-1] == offered.get(trigger, state), (context, state, trigger)
                checked += 1
    assert checked >= len(triggers) * len(pathway.states)  # the start's reading at least


@settings(max_examples=50)
@given(document=valid_documents(), data=st.data())
def test_scxml_of_any_valid_pathway_matches_the_journey(
    document: dict[str, Any], data: st.DataObject
) -> None:
    """For any valid pathway, not only ours, the SCXML machine walks as the journey does."""
    pathway = Pathway.model_validate(document)
    context = data.draw(topic_choices(pathway), label="context")
    length = data.draw(lengths, label="length")
    events, expected = plan_walk(pathway, context, length, drawn(data))
    assert run_scxml(to_scxml(pathway), context, events) == expected


def test_scxml_refuses_a_step_for_another_topic() -> None:
    """The TKI step is taken for Philadelphia positive and unknown, and refused for negative."""
    real = load_pathway(ROOT / "pathways.yaml")
    document = to_scxml(real)
    path = ["does_not_bring_remission", "switch_tki"]
    taken = ["first_treatment", "no_remission", "tki_switch"]
    refused = ["first_treatment", "no_remission", "no_remission"]
    assert run_scxml(document, {"philadelphia": "positive"}, path) == taken
    assert run_scxml(document, {}, path) == taken
    assert run_scxml(document, {"philadelphia": "negative"}, path) == refused


def test_scxml_document_has_the_pathways_machine(pathway: Pathway) -> None:
    """SCXML: ecmascript data at the defaults, initial state, every state and step, in order."""
    root = ET.fromstring(to_scxml(pathway))
    assert root.tag == f"{SC}scxml"
    assert root.get("version") == "1.0"
    assert root.get("datamodel") == "ecmascript"
    assert root.get("initial") == pathway.start
    assert root.get("name") == pathway.metadata.id
    assert root.get(f"{PW}intended-purpose") == pathway.metadata.intended_purpose
    line = pathway.support_line
    assert [root.get(f"{PW}support-{key}") for key in ("name", "phone", "offers")] == [
        line.name,
        line.phone,
        line.offers,
    ]
    data = root.findall(f"{SC}datamodel/{SC}data")
    assert [(d.get("id"), d.get(f"{PW}label")) for d in data] == [
        (c.id, c.label) for c in pathway.contexts
    ]
    states = [e for e in root if e.tag in (f"{SC}state", f"{SC}final")]
    assert [e.get("id") for e in states] == list(pathway.state_ids)
    for element in states:
        state = pathway.state(element.get("id", ""))
        assert element.get(f"{PW}title") == state.title
        assert (element.get(f"{PW}end") == "true") is state.end
        leaving = [t for t in pathway.transitions if state.id in t.source]
        steps = element.findall(f"{SC}transition")
        assert [(s.get("event"), s.get("target"), s.get(f"{PW}label")) for s in steps] == [
            (t.trigger, t.dest, t.label) for t in leaving
        ]
        assert [s.get("cond") is not None for s in steps] == [bool(t.when) for t in leaving]


def test_only_states_that_nothing_leaves_are_final(pathway: Pathway) -> None:
    """<final> marks a state no step leaves; an end point with a way on stays a <state>."""
    root = ET.fromstring(to_scxml(pathway))
    for element in root:
        if element.tag in (f"{SC}state", f"{SC}final"):
            state_id = element.get("id")
            leads_on = any(state_id in t.source for t in pathway.transitions)
            assert (element.tag == f"{SC}final") is not leads_on


def test_real_pathway_end_points_with_a_way_on_stay_open() -> None:
    """Our transplant end point still leads to the team, so it stays open; talk_to_team is final."""
    root = ET.fromstring(to_scxml(load_pathway(ROOT / "pathways.yaml")))
    tags = {e.get("id"): e.tag.removeprefix(SC) for e in root if e.get("id")}
    assert tags["stem_cell_transplant"] == "state"
    assert tags["talk_to_team"] == "final"


def test_scxml_conditions_list_the_default_with_the_values() -> None:
    """A step for 'positive' is guarded by positive OR the default, in ECMAScript."""
    real = load_pathway(ROOT / "pathways.yaml")
    root = ET.fromstring(to_scxml(real))
    conds = {t.get("cond") for t in root.iter(f"{SC}transition") if t.get("event") == "switch_tki"}
    assert conds == {"philadelphia === 'positive' || philadelphia === 'not_known'"}
    two = ET.fromstring(to_scxml(_with_two_topics(load_pathway(MINIMAL))))
    cond = next(t.get("cond") for t in two.iter(f"{SC}transition") if t.get("cond"))
    assert cond == (
        "(philadelphia === '\\x6eull' || philadelphia === '\\x74rue')"
        " && (age === 'any_age' || age === 'young' || age === 'older')"
    )


def test_scxml_escapes_every_label() -> None:
    """Quotes, angle brackets, ampersands and control characters in labels stay text."""
    data = pathway_to_dict(load_pathway(MINIMAL))
    nasty = 'A "label" <transition event="x"/> & \'more\' ]]> --> \x01end'
    data["transitions"][0]["label"] = nasty
    data["states"][0]["title"] = nasty
    data["metadata"]["title"] = nasty
    document = to_scxml(pathway_from_dict(data))
    root = ET.fromstring(document)
    shown = nasty.replace("\x01", " ")
    assert root.get(f"{PW}title") == shown
    first_state = root.find(f"{SC}state")
    first_step = root.find(f"{SC}state/{SC}transition")
    assert first_state is not None and first_state.get(f"{PW}title") == shown
    assert first_step is not None and first_step.get(f"{PW}label") == shown
    # No element was smuggled in: one <transition> per step from each of its sources.
    steps = sum(len(t.source) for t in load_pathway(MINIMAL).transitions)
    assert len(list(root.iter(f"{SC}transition"))) == steps


def test_a_topic_named_like_an_ecmascript_word_is_refused() -> None:
    """A context id ECMAScript reserves cannot be SCXML data: one clear problem with a hint."""
    data = pathway_to_dict(load_pathway(MINIMAL))
    data["contexts"][0]["id"] = "default"
    for t in data["transitions"]:
        if t["when"]:
            t["when"] = {"default": t["when"]["philadelphia"]}
    with pytest.raises(ContentError) as caught:
        to_scxml(pathway_from_dict(data))
    (problem,) = caught.value.problems
    assert "context 'default'" in problem.message
    assert "reserved word in ECMAScript" in problem.message
    assert problem.hint == "give the context another id, e.g. 'default_choice'"
    assert problem.path == ("contexts", 0, "id")


# --------------------------------------------------------------------------- XState


def test_xstate_machine_has_the_pathways_machine(pathway: Pathway) -> None:
    """XState: id, initial, context at the defaults, every state and step, guards by name."""
    machine = json.loads(to_xstate(pathway))
    assert machine == xstate_machine(pathway)
    assert machine["id"] == pathway.metadata.id
    assert machine["initial"] == pathway.start
    assert machine["context"] == pathway.context_defaults()
    assert machine["meta"]["intended_purpose"] == pathway.metadata.intended_purpose
    line = pathway.support_line
    assert machine["meta"]["support"] == {
        "name": line.name,
        "phone": line.phone,
        "offers": line.offers,
    }
    assert list(machine["states"]) == list(pathway.state_ids)
    for state_id, node in machine["states"].items():
        leaving = [t for t in pathway.transitions if state_id in t.source]
        assert (node.get("type") == "final") is not leaving
        assert node["meta"]["end"] is pathway.state(state_id).end
        on = node.get("on", {})
        assert list(on) == [t.trigger for t in leaving]
        for t in leaving:
            step = on[t.trigger]
            assert (step["target"], step["description"]) == (t.dest, t.label)
            if t.when:
                assert step["guard"] == {"type": GUARD, "params": allowed_values(pathway, t)}
            else:
                assert "guard" not in step


def test_xstate_guard_params_add_the_default_and_name_the_topics() -> None:
    """The TKI step's guard allows positive and the default; meta names the topic it is for."""
    machine = xstate_machine(load_pathway(ROOT / "pathways.yaml"))
    step = machine["states"]["relapse"]["on"]["switch_tki"]
    assert step["guard"]["params"] == {"philadelphia": ["positive", "not_known"]}
    assert step["meta"] == {"for": ["Philadelphia positive ALL"]}


def _random_walks(pathway: Pathway, count: int, seed: int) -> list[dict[str, Any]]:
    """A fixed batch of walks (one Node run checks them all), as varied as the strategies."""
    rng = random.Random(seed)
    walks = []
    for _ in range(count):
        context = {
            c.id: rng.choice([v.id for v in c.values])
            for c in pathway.contexts
            if rng.random() < 0.7
        }
        choose = chooser(lambda: rng.random() < 0.75, rng.choice)
        events, expected = plan_walk(pathway, context, rng.randrange(31), choose)
        walks.append({"context": context, "events": events, "expected": expected})
    return walks


def _node(*args: str, cwd: Path, stdin: str = "") -> str:
    done = subprocess.run(
        [NODE or "node", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(NODE is None, reason="node is not installed (the XState check runs in Node)")
def test_xstate_walks_match_the_journey(pathway: Pathway, tmp_path: Path) -> None:
    """Three hundred walks visit the same states in XState v5 as in the journey."""
    machine = tmp_path / "machine.json"
    machine.write_text(to_xstate(pathway), encoding="utf-8")
    walks = _random_walks(pathway, 300, seed=5)
    sent = [{"context": w["context"], "events": w["events"]} for w in walks]
    seen = json.loads(_node(str(WALK_SCRIPT), str(machine), cwd=ROOT, stdin=json.dumps(sent)))
    assert len(seen) == len(walks)
    for walk, states in zip(walks, seen, strict=True):
        assert states == walk["expected"], walk
    # The batch does reach every state, and does try steps that are refused.
    assert {s for w in walks for s in w["expected"]} == set(pathway.state_ids)
    assert any(a == b for w in walks for a, b in pairwise(w["expected"]))


def test_the_guard_in_the_docs_and_the_walk_script_is_the_tested_one() -> None:
    """The XState guard a host copies (example and test script) is XSTATE_GUARD_JS."""
    assert XSTATE_GUARD_JS in WALK_SCRIPT.read_text(encoding="utf-8")
    assert XSTATE_GUARD_JS in (EXAMPLES / "xstate_host.mjs").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the commands


@pytest.fixture(autouse=True)
def _no_chosen_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of the person running the tests does not choose the pathway."""
    monkeypatch.delenv("PATHWAYS_FILE", raising=False)
    monkeypatch.delenv("PATHWAYS_TEMPLATES", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


EXPORTS: dict[str, Callable[[Pathway], str]] = {
    "mermaid": lambda p: to_mermaid(p),
    "dot": lambda p: to_dot(p),
    "scxml": to_scxml,
    "xstate": to_xstate,
    "json-schema": lambda p: json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n",
}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_export_prints_to_the_screen_or_writes_out(fmt: str, tmp_path: Path) -> None:
    """`pathways export FORMAT` prints the export; with --out it writes the file instead."""
    expected = EXPORTS[fmt](load_pathway(MINIMAL))
    printed = run("export", fmt, "--pathway", str(MINIMAL))
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == expected
    out = tmp_path / f"pathway.{fmt}"
    written = run("export", fmt, "--pathway", str(MINIMAL), "--out", str(out))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert written.stderr == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8") == expected


def test_export_json_schema_is_pathways_schema() -> None:
    """`pathways export json-schema` prints exactly what `pathways schema` prints."""
    assert run("export", "json-schema").stdout == run("schema").stdout


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_export_diagram_marks_a_place_and_narrows_to_a_topic(fmt: str) -> None:
    """The diagram exports take --highlight and --context as `pathways graph` does."""
    args = ["--pathway", str(MINIMAL), "--highlight", "remission"]
    args += ["--context", "philadelphia=positive"]
    result = run("export", fmt, *args)
    assert result.exit_code == 0
    assert result.stdout == run("graph", "--format", fmt, *args).stdout
    assert "You are here" in result.stdout
    # The TKI step is labelled with its topic only while the topic is not chosen.
    # (The minimal pathway gives labels only, so the note is "(only for: <label>)".)
    assert "(only for: " not in result.stdout
    assert "(only for: " in run("export", fmt, "--pathway", str(MINIMAL)).stdout


def test_export_diagram_with_an_unknown_place_is_a_clean_error() -> None:
    """An unknown --highlight is one message with a did-you-mean, exit 1."""
    result = run("export", "dot", "--pathway", str(MINIMAL), "--highlight", "relaps")
    assert result.exit_code == 1
    assert "did you mean 'relapse'" in result.stderr
    assert "Traceback" not in result.output


def test_export_scxml_of_an_unexportable_pathway_is_a_clean_error(tmp_path: Path) -> None:
    """A pathway whose topic cannot be SCXML data gives the problem and hint, exit 1."""
    text = MINIMAL.read_text(encoding="utf-8").replace("philadelphia", "class")
    broken = tmp_path / "class.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run("export", "scxml", "--pathway", str(broken))
    assert result.exit_code == 1
    assert result.stderr.startswith("context 'class' cannot be exported to SCXML")
    assert "hint: give the context another id, e.g. 'class_choice'" in result.stderr
    assert "1 problem found" in result.stderr


def test_export_lists_every_format() -> None:
    """`pathways export --help` lists the interchange formats."""
    listed = run("export", "--help").stdout
    for fmt in ("json", "json-schema", "mermaid", "dot", "scxml", "xstate"):
        assert re.search(rf"^\s+{fmt}\s", listed, re.M), fmt


# --------------------------------------------------------------------------- the docs' examples


def test_the_scxml_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/exports.md: `pathways export scxml --out pathway.scxml`, then the host script
    docs/examples/scxml_host.py."""
    monkeypatch.chdir(tmp_path)
    assert run("export", "scxml", "--out", "pathway.scxml").exit_code == 0
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "scxml_host.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "tki_switch\n"


@pytest.mark.skipif(NODE is None, reason="node is not installed (the XState example runs in Node)")
def test_the_xstate_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/exports.md: `pathways export xstate --out pathway.xstate.json`, then the host script."""
    monkeypatch.chdir(tmp_path)
    assert run("export", "xstate", "--out", "pathway.xstate.json").exit_code == 0
    # The example imports xstate, found from its own folder up to the repository's node_modules.
    assert _node(str(EXAMPLES / "xstate_host.mjs"), cwd=tmp_path) == "tki_switch\n"
