"""The exceptions keep their parts apart until printed, and the hint that names what is
known: the closest choice, and a short list of the rest (the list's cut-off and the empty
case were found untested by mutation testing)."""

from __future__ import annotations

from pathways.errors import (
    JourneyError,
    Location,
    Problem,
    StepNotAvailableError,
    did_you_mean,
)


def test_journey_error_keeps_message_and_allowed_apart() -> None:
    """A JourneyError's message and what was allowed are separate; str() joins them."""
    error = StepNotAvailableError("step 'x' does not lead on from 'a'", allowed=["b", "c"])
    assert error.message == "step 'x' does not lead on from 'a'"
    assert error.allowed == ("b", "c")
    assert str(error) == "step 'x' does not lead on from 'a' (allowed: b, c)"


def test_journey_error_without_allowed_is_its_message() -> None:
    """With nothing allowed, the error reads as its message alone."""
    error = JourneyError("no such thing")
    assert str(error) == error.message == "no such thing"
    assert error.allowed == ()


EIGHT = [f"state_{letter}" for letter in "abcdefgh"]


def test_a_close_choice_is_suggested_with_what_is_known() -> None:
    """A likely typo gets the closest choice first, then the known ones, sorted."""
    assert did_you_mean("relapsed", ["remission", "relapse"]) == (
        "did you mean 'relapse'? (known: relapse, remission)"
    )


def test_eight_choices_are_listed_in_full() -> None:
    """Up to eight known choices are all listed, with no ellipsis."""
    assert did_you_mean("zzz", EIGHT) == "known: " + ", ".join(EIGHT)


def test_more_than_eight_are_cut_short_with_an_ellipsis() -> None:
    """A ninth choice is left out and an ellipsis says there are more."""
    assert did_you_mean("zzz", [*EIGHT, "state_i"]) == "known: " + ", ".join(EIGHT) + ", ..."


def test_how_many_are_listed_can_be_chosen() -> None:
    """``show`` sets how many are listed before the ellipsis."""
    assert did_you_mean("zzz", EIGHT, show=2) == "known: state_a, state_b, ..."


def test_nothing_declared_says_so() -> None:
    """With no choices at all the hint says none are declared, not an empty list."""
    assert did_you_mean("relapse", []) == "none are declared yet"


def test_a_problem_reads_with_its_place_only_when_it_has_one() -> None:
    """A located problem starts with file:line:col; one not (yet) located is its message
    alone, and a hint goes on its own line either way."""
    where = Location("pathways.yaml", 3, 7)
    assert str(Problem("no such state", location=where)) == "pathways.yaml:3:7: no such state"
    assert str(Problem("no such state")) == "no such state"
    assert str(Problem("no such state", hint="did you mean 'a'?")) == (
        "no such state\n  hint: did you mean 'a'?"
    )
