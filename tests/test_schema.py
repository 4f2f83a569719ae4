"""The document schema's own rules: when a step applies, and the one list of edges; for
text a reader meets: no bidirectional controls, web addresses only, phone numbers that are
phone numbers, one way to make a tel: link; and documents that keep validating as the
schema grows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paths import DATA, MINIMAL
from pathways.errors import ContentError
from pathways.loader import load_pathway, parse_pathway
from pathways.schema import (
    SCHEMA_VERSION,
    Pathway,
    Transition,
    ValidationError,
    find_bidi_control,
    is_web_url,
    tel_uri,
)

OWN = sorted((DATA / "pathways").glob("*.yaml"))


def minimal_with(old: str, new: str) -> str:
    text = MINIMAL.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("0808 2080 888", "tel:08082080888"),
        ("+44 (0)20 7946 0000", "tel:+442079460000"),
        ("+44 20 7946 0000", "tel:+442079460000"),
        ("(020) 7946-0000", "tel:02079460000"),
        ("111", "tel:111"),
    ],
)
def test_tel_links_dial_the_number_shown(phone: str, uri: str) -> None:
    """A tel: link keeps every digit a caller dials, and drops a bracketed trunk 0 after
    a country code (which nobody dials from abroad)."""
    assert tel_uri(phone) == uri


@pytest.mark.parametrize(
    "phone", ["<b>0808</b>", "call us", "0808 2080 888 ext", "12", "+", "javascript:0808"]
)
def test_a_phone_number_must_be_one(phone: str) -> None:
    """Markup, words or too few digits are refused where the number is written."""
    with pytest.raises(ContentError, match=r"test\.yaml:\d+:\d+: phone in support contact"):
        parse_pathway(minimal_with("phone: 0808 2080 888", f'phone: "{phone}"'), "test.yaml")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,x", "ftp://example.org", "example.org", "https://a b"],
)
def test_a_source_address_must_be_a_web_address(url: str) -> None:
    """Only http(s) addresses are sources."""
    assert not is_web_url(url)
    with pytest.raises(ContentError, match="must start with https://"):
        parse_pathway(
            minimal_with("url: https://example.org/all-relapse", f'url: "{url}"'), "test.yaml"
        )


CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(st.sampled_from(CONTROLS), st.text(), st.integers(min_value=0))
def test_bidi_controls_are_found_wherever_they_are(control: str, text: str, at: int) -> None:
    """Every embedding, override and isolate control is found, at its place; text without
    one (right-to-left letters and marks included) has none."""
    clean = "".join(c for c in text if c not in CONTROLS)
    assert find_bidi_control(clean) is None
    at %= len(clean) + 1
    found = find_bidi_control(clean[:at] + control + clean[at:])
    assert found is not None and found.start() == at


def test_a_bidi_control_in_a_comment_is_refused_at_its_column() -> None:
    """Comments too: an override there can make the file read differently in review."""
    text = minimal_with("# A tiny valid", "# A \u2067tiny valid")
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, "test.yaml")
    assert str(caught.value).startswith("test.yaml:1:5: the text holds the invisible control")
    assert "U+2067 RIGHT-TO-LEFT ISOLATE" in str(caught.value)


def test_right_to_left_letters_are_allowed() -> None:
    """Arabic and Hebrew letters load as written: only the control characters are refused."""
    title = "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd"
    pathway = parse_pathway(minimal_with("title: A small test pathway", f"title: {title}"))
    assert pathway.metadata.title == title


# --------------------------------------------------------------------------- schema version


def test_a_document_without_a_schema_version_is_version_one() -> None:
    """Documents written before the field existed are read as version 1."""
    assert "schema_version" not in MINIMAL.read_text(encoding="utf-8")
    assert load_pathway(MINIMAL).metadata.schema_version == 1 == SCHEMA_VERSION


@pytest.mark.parametrize("flag", [True, False])
def test_a_whole_number_given_as_true_or_false_is_refused_in_python_too(
    pathway: Pathway, flag: bool
) -> None:
    """Built in Python (not read from a file), a model refuses ``True`` for a whole number
    with pydantic's own message for the kind, as it does any other value that is not one
    (the loader words it for authors: tests/data/invalid/not_a_whole_number)."""
    data = pathway.model_dump()
    data["metadata"]["schema_version"] = flag
    with pytest.raises(ValidationError) as caught:
        Pathway.model_validate(data)
    [error] = caught.value.errors()
    assert (error["type"], error["msg"], error["loc"]) == (
        "int_type",
        "Input should be a valid integer",
        ("metadata", "schema_version"),
    )
    data["metadata"]["schema_version"] = 1
    assert Pathway.model_validate(data).metadata.schema_version == 1


@pytest.mark.parametrize("path", OWN, ids=[p.stem for p in OWN])
def test_documents_written_for_this_schema_validate(path: Path) -> None:
    """The test pathways, written for version 1, validate."""
    assert load_pathway(path).metadata.schema_version == 1


def test_a_missing_field_says_what_to_add_and_what_it_holds() -> None:
    """A required field left out is named at its section, with the line to add and what
    the schema says it holds."""
    text = minimal_with("  publisher: The pathways test suite\n", "")
    with pytest.raises(ContentError) as caught:
        parse_pathway(text, "test.yaml")
    assert str(caught.value) == (
        "test.yaml:3:1: missing required field 'publisher' in metadata\n"
        "  hint: add a line 'publisher: ...' (Who publishes the pathway and answers for it.)"
    )


def test_every_tel_link_is_made_by_the_one_function() -> None:
    """No template builds a tel: link itself: each goes through the tel filter."""
    templates = Path(__file__).resolve().parents[1] / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert 'href="tel:' not in text, template
        for link in text.split('href="{{ ')[1:]:
            if ".phone" in link.split("}}")[0]:
                assert link.split("}}")[0].rstrip().endswith("|tel"), template


# --------------------------------------------------------------------------- steps and edges

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
