"""The hint that names what is known: the closest choice, and a short list of the rest.

(Found by mutation testing: the list's cut-off and the empty case had no test.)
"""

from __future__ import annotations

from pathways.errors import did_you_mean

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
