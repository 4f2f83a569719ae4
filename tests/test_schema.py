"""The schema's own rules: when a step applies, and the one list of edges."""

from __future__ import annotations

from pathways.schema import Pathway, Transition

LIMITED = Transition.model_validate(
    {"trigger": "go", "source": ["a", "b"], "dest": "c", "label": "Go on", "when": {"t": ["x"]}}
)
DEFAULTS = {"t": "any"}


def test_a_limited_step_applies_for_its_values_and_for_the_default() -> None:
    """A step limited to a topic value applies for that value and for the default, and
    for no other value."""
    assert LIMITED.applies({"t": "x"}, DEFAULTS)
    assert LIMITED.applies({"t": "any"}, DEFAULTS)
    assert not LIMITED.applies({"t": "y"}, DEFAULTS)


def test_an_unlimited_step_always_applies() -> None:
    """A step with no `when` applies whatever the topics."""
    free = LIMITED.model_copy(update={"when": {}})
    assert free.applies({"t": "y"}, DEFAULTS)


def test_limited_to_names_what_the_choices_leave_open() -> None:
    """At the default the step is labelled with the values it is for; narrowed, with none."""
    assert LIMITED.limited_to({"t": "any"}) == [("t", "x")]
    assert LIMITED.limited_to({"t": "x"}) == []


def test_edges_are_one_per_source_in_document_order(pathway: Pathway) -> None:
    """Every transition gives one edge from each of its sources, in the document's order,
    and `leaving` groups them by state in that order."""
    edges = list(pathway.edges())
    assert edges == [(s, t) for t in pathway.transitions for s in t.source]
    for state_id, leaving in pathway.leaving().items():
        assert list(leaving) == [t for s, t in edges if s == state_id]


def test_a_pathway_in_use_still_equals_its_document(pathway: Pathway) -> None:
    """Equality is the document's: what is derived from a pathway once it is used (its
    journey machine, its lookups) does not make it differ from a fresh copy."""
    from pathways.journey import Journey

    fresh = Pathway.model_validate(pathway.model_dump())
    Journey.begin(pathway).next_steps()
    assert pathway == fresh
    assert pathway != fresh.model_copy(update={"start": "elsewhere"})
