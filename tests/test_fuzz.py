"""Fuzzing the loader: whatever the document, the answer is a valid pathway or a
ContentError whose every problem names its file, line and column, never anything else.

A few hundred examples each in CI; thousands with HYPOTHESIS_PROFILE=nightly. Generated
documents with random damage are fuzzed in test_loader.py (broken_documents, broken_files).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.errors import ContentError
from pathways.journey import Journey
from pathways.loader import parse_pathway
from pathways.schema import Pathway
from strategies import dump_yaml, real_document_mutations, valid_documents

EXAMPLES = max(300, settings.default.max_examples)
"""At least 300 examples, more when the profile asks for more (nightly: 5,000)."""

fuzz = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(text: str, filename: str = "fuzz.yaml") -> Pathway | ContentError:
    """What loading the text gives; any exception but ContentError fails the test."""
    try:
        return parse_pathway(text, filename)
    except ContentError as error:
        return error


def assert_located(error: ContentError, text: str, filename: str = "fuzz.yaml") -> None:
    """Every problem names the file, a line that exists and a column, and says something."""
    assert error.problems
    # YAML ends a line at \r, \n, \r\n, NEL, LS and PS; a problem may sit just past the end.
    lines = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text)) + 2
    for problem in error.problems:
        assert problem.location is not None, problem
        assert problem.location.file == filename, problem
        assert 1 <= problem.location.line <= lines, problem
        assert problem.location.col >= 1, problem
        assert problem.message.strip(), problem
        assert str(problem).startswith(f"{filename}:{problem.location.line}:")


@fuzz
@given(text=real_document_mutations())
def test_the_real_pathway_damaged_gives_a_pathway_or_located_problems(text: str) -> None:
    """pathways.yaml with random damage: a valid pathway, or every problem located."""
    result = outcome(text)
    if isinstance(result, ContentError):
        assert_located(result, text)
    else:
        Journey.begin(result).next_steps()  # a pathway that loads can be walked


@given(document=valid_documents())
def test_generated_valid_documents_load_and_walk(document: dict[str, object]) -> None:
    """Every generated valid document loads, and every state's steps can be taken."""
    pathway = outcome(dump_yaml(document))
    assert isinstance(pathway, Pathway), pathway
    for state in pathway.state_ids:
        journey = Journey.begin(pathway, at=state)
        for step in journey.next_steps():
            assert journey.step(step.trigger).state == step.dest


@fuzz
@given(
    prefix=st.sampled_from(["", "---\n", "%YAML 1.1\n---\n", "# comment\n"]),
    body=st.text(max_size=300),
)
def test_any_text_gives_located_problems(prefix: str, body: str) -> None:
    """Arbitrary text, with or without YAML's document markers, is refused with located
    problems (it is never a pathway)."""
    text = prefix + body
    result = outcome(text)
    assert isinstance(result, ContentError)
    assert_located(result, text)


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_text_is_folded_at_every_kind_of_white_space(text: str) -> None:
    """Texts fold runs of any Unicode white space to one space, as the regex \\s+ would."""
    from pathways.schema import _clean

    assert _clean(text) == re.sub(r"\s+", " ", text).strip()
