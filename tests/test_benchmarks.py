"""The benchmarks measure what they say: the generated pathways are valid, walkable
pathways of the size asked for (benchmarks/generate.py)."""

from __future__ import annotations

import pytest

from generated import generator
from pathways.journey import Journey
from pathways.loader import parse_pathway


@pytest.mark.parametrize("states", [3, 4, 50, 500])
def test_a_generated_pathway_is_valid_and_has_the_size_asked_for(states: int) -> None:
    """The generator's document passes every check, with the states and links expected."""
    generate = generator()
    pathway = parse_pathway(generate.to_yaml(generate.generate(states)), "generated.yaml")
    assert len(pathway.states) == states
    assert len(pathway.transitions) == 2 * (states - 2)
    assert [s.id for s in pathway.states if s.end] == [f"s{states - 2}", f"s{states - 1}"]


def test_a_generated_pathway_can_be_walked_to_its_end() -> None:
    """Taking the first step each time leads from the start to an end point."""
    generate = generator()
    pathway = parse_pathway(generate.to_yaml(generate.generate(40)), "generated.yaml")
    journey = Journey.begin(pathway)
    for _ in range(100):
        steps = journey.next_steps()
        if not steps:
            break
        journey = journey.step(steps[0].trigger)
    assert journey.is_end


def test_too_small_a_pathway_is_refused() -> None:
    """Fewer than three states cannot make the generator's shape."""
    with pytest.raises(ValueError, match="at least 3"):
        generator().generate(2)
