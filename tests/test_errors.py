"""The exceptions keep their parts apart until printed."""

from __future__ import annotations

from pathways.errors import JourneyError, StepNotAvailableError


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
