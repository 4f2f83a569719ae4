"""The journey engine: steps, back, restart, jump, topics and tokens."""

from __future__ import annotations

import base64
import gc
import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.checks import check_pathway
from pathways.errors import (
    JourneyError,
    StepNotAvailableError,
    TokenError,
    UnknownContextError,
    UnknownStateError,
)
from pathways.journey import MAX_PATH, MAX_TOKEN_CHARS, Journey, PathTooLongError, guide_for
from pathways.schema import Pathway


def _state(state_id: str, *, end: bool = False) -> dict[str, Any]:
    return {
        "id": state_id,
        "title": state_id.replace("_", " ").title(),
        "summary": f"About {state_id}.",
        "explanation": [f"Some words about {state_id}."],
        "end": end,
    }


SMALL: dict[str, Any] = {
    "metadata": {
        "id": "small",
        "title": "A small pathway",
        "version": "1",
        "intended_purpose": "General information, not medical advice.",
        "publisher": "tests",
        "reviewed": "2026-01-01",
        "next_review": "2099-01-01",
    },
    "sources": [
        {
            "id": "src",
            "title": "A page",
            "publisher": "A charity",
            "url": "https://example.org/page",
            "accessed": "2026-01-01",
            "sections": ["One"],
        }
    ],
    "support": [{"name": "Support line", "phone": "0800 000 000", "offers": "Talk to us."}],
    "contexts": [
        {
            "id": "kind",
            "label": "Kind",
            "values": [
                {"id": "pos", "label": "Positive kind"},
                {"id": "neg", "label": "Negative kind"},
                {"id": "unknown", "label": "All kinds"},
            ],
            "default": "unknown",
        }
    ],
    "start": "first",
    "states": [
        _state("first"),
        _state("branch"),
        _state("option_a"),
        _state("option_pos"),
        _state("care", end=True),
    ],
    "transitions": [
        {"trigger": "go_on", "source": "first", "dest": "branch", "label": "Go on"},
        {"trigger": "pick_a", "source": "branch", "dest": "option_a", "label": "Option A"},
        {
            "trigger": "pick_pos",
            "source": "branch",
            "dest": "option_pos",
            "label": "Option for positive",
            "when": {"kind": ["pos"]},
        },
        {
            "trigger": "choose_care",
            "source": ["branch", "option_a", "option_pos"],
            "dest": "care",
            "label": "Care",
        },
        {
            "trigger": "comes_back",
            "source": ["option_a", "option_pos"],
            "dest": "branch",
            "label": "It comes back",
        },
    ],
}


@pytest.fixture(scope="module")
def small() -> Pathway:
    pathway = Pathway.model_validate(SMALL)
    assert check_pathway(pathway) == []
    return pathway


def test_begin_starts_at_the_start_with_default_topics(small: Pathway) -> None:
    """A new journey stands at the start, with no history and every topic at its default."""
    journey = Journey.begin(small)
    assert journey.state == "first"
    assert journey.history == ()
    assert journey.context == {"kind": "unknown"}
    assert not journey.can_go_back


def test_step_moves_and_records_the_path(small: Pathway) -> None:
    """Taking a step moves to its destination and adds the old state to the path."""
    journey = Journey.begin(small).step("go_on").step("pick_a")
    assert journey.state == "option_a"
    assert journey.path == ("first", "branch", "option_a")


def test_step_limited_to_a_topic_is_hidden_for_other_values(small: Pathway) -> None:
    """A step for one topic value is hidden when the reader chose another value."""
    journey = Journey.begin(small, {"kind": "neg"}).step("go_on")
    assert "pick_pos" not in [s.trigger for s in journey.next_steps()]
    with pytest.raises(StepNotAvailableError) as caught:
        journey.step("pick_pos")
    assert caught.value.allowed == ("pick_a", "choose_care")


def test_step_limited_to_a_topic_is_shown_plainly_for_that_value(small: Pathway) -> None:
    """A step for one topic value is shown, without a note, when the reader chose it."""
    steps = Journey.begin(small, {"kind": "pos"}).step("go_on").next_steps()
    pos = next(s for s in steps if s.trigger == "pick_pos")
    assert pos.applies_to == ()
    assert pos.dest == "option_pos"


def test_step_limited_to_a_topic_is_labelled_when_topic_not_narrowed(small: Pathway) -> None:
    """Under the default topic value, a limited step is shown and says whom it is for."""
    steps = Journey.begin(small).step("go_on").next_steps()
    assert [s.trigger for s in steps] == ["pick_a", "pick_pos", "choose_care"]
    assert steps[1].applies_to == ("Positive kind",)
    assert steps[0].applies_to == ()


def test_back_restart_and_jump(small: Pathway) -> None:
    """Back undoes the last move, restart keeps the topics, jump is undone by back."""
    journey = Journey.begin(small, {"kind": "pos"}).step("go_on").step("pick_pos")
    assert journey.back().state == "branch"
    assert journey.back().back().back() == Journey.begin(small, {"kind": "pos"})
    restarted = journey.restart()
    assert (restarted.state, restarted.history, restarted.context) == (
        "first",
        (),
        {"kind": "pos"},
    )
    jumped = journey.jump("care")
    assert jumped.state == "care"
    assert jumped.back() == journey


def test_unknown_state_lists_the_states(small: Pathway) -> None:
    """Jumping or starting at an unknown state names the close match and every state."""
    with pytest.raises(UnknownStateError) as caught:
        Journey.begin(small).jump("brnach")
    assert "did you mean 'branch'" in str(caught.value)
    assert caught.value.allowed == small.state_ids
    with pytest.raises(UnknownStateError):
        Journey.begin(small, at="nowhere")


def test_unknown_topic_or_value_is_refused(small: Pathway) -> None:
    """An unknown context, or a value it does not have, is refused with what is allowed."""
    with pytest.raises(UnknownContextError) as caught:
        Journey.begin(small, {"knd": "pos"})
    assert caught.value.message == "there is no context 'knd'; did you mean 'kind'?"
    assert caught.value.allowed == ("kind",)
    with pytest.raises(UnknownContextError) as caught:
        Journey.begin(small).with_context(kind="maybe")
    assert caught.value.message == "context 'kind' has no value 'maybe'"
    assert caught.value.allowed == ("pos", "neg", "unknown")
    with pytest.raises(UnknownContextError) as caught:
        Journey.begin(small).with_context(kind="unknwn")
    assert caught.value.message == "context 'kind' has no value 'unknwn'; did you mean 'unknown'?"


def test_token_round_trips_and_is_url_safe(small: Pathway) -> None:
    """A token is short, URL-safe and gives back the same journey."""
    journey = Journey.begin(small, {"kind": "neg"}).step("go_on").step("pick_a").jump("first")
    token = journey.token
    assert token.isascii() and set(token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert len(token) < 24
    assert Journey.from_token(small, token) == journey
    assert Journey.from_token(small, token).pathway is small


def test_a_link_made_before_opens_the_same_journey(small: Pathway) -> None:
    """A token is part of the links people share and bookmark: one made by an earlier
    release, for the same pathway, still opens the same journey (written out here)."""
    journey = Journey.begin(small, {"kind": "neg"}).step("go_on").jump("option_pos")
    journey = journey.step("choose_care")
    assert journey.token == "AgEAAgcIwbRBJA"
    assert Journey.from_token(small, "AgEAAgcIwbRBJA") == journey
    ends_in_x = Journey.begin(small).jump("branch").step("pick_a")  # any letter can end one
    assert ends_in_x.token == "AgIAAwQxfhdX"
    assert Journey.from_token(small, "AgIAAwQxfhdX") == ends_in_x


def test_token_from_another_pathway_is_refused(small: Pathway) -> None:
    """A token made for a pathway with other states does not open in this one."""
    other = Pathway.model_validate({**SMALL, "metadata": {**SMALL["metadata"], "id": "other"}})
    token = Journey.begin(other).token
    with pytest.raises(TokenError) as caught:
        Journey.from_token(small, token)
    assert caught.value.message == (
        "this journey link is damaged or belongs to another version of the pathway"
    )


@pytest.mark.parametrize("token", ["", "!!!!", "AAAA", "a" * 2000, "é", "AQ", "AQAA=="])
def test_malformed_tokens_are_refused(small: Pathway, token: str) -> None:
    """Malformed tokens raise TokenError, a JourneyError, and nothing else, saying what a
    reader of the link needs to know."""
    with pytest.raises(TokenError) as caught:
        Journey.from_token(small, token)
    assert isinstance(caught.value, JourneyError)
    assert caught.value.message == (
        "this journey link is damaged or belongs to another version of the pathway"
    )


def test_the_machine_is_built_once_and_keeps_no_models(small: Pathway) -> None:
    """All journeys share one machine, and stepping never leaves a model registered."""
    guide = guide_for(small)
    journey = Journey.begin(small)
    for _ in range(50):
        journey = journey.step("go_on").step("pick_a").step("comes_back").back().back().back()
    assert guide_for(small) is guide
    assert guide.machine.models == []
    assert "to_first" not in guide.machine.events  # auto_transitions stay off


def test_stepping_creates_no_garbage_cycles(small: Pathway) -> None:
    """A step leaves no reference cycles behind for the garbage collector (NOTES.md)."""
    journey = Journey.begin(small).step("go_on")
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        for _ in range(200):
            journey.step("pick_a")
        collected = gc.collect()
    finally:
        gc.enable()
    assert collected < 50, (before, collected)


# ---------------------------------------------------------------- properties

topics = st.sampled_from(["pos", "neg", "unknown"])
moves = st.lists(
    st.tuples(st.sampled_from(["step", "back", "restart", "jump"]), st.integers(0, 10)), max_size=40
)


def _walk(pathway: Pathway, kind: str, plan: list[tuple[str, int]]) -> list[Journey]:
    journey = Journey.begin(pathway, {"kind": kind})
    seen = [journey]
    for move, n in plan:
        if move == "step":
            steps = journey.next_steps()
            if not steps:
                continue
            journey = journey.step(steps[n % len(steps)].trigger)
        elif move == "back":
            journey = journey.back()
        elif move == "restart":
            journey = journey.restart()
        else:
            journey = journey.jump(pathway.state_ids[n % len(pathway.state_ids)])
        seen.append(journey)
    return seen


@given(kind=topics, plan=moves)
def test_random_walks_stay_in_the_pathway(small: Pathway, kind: str, plan: list) -> None:
    """Any walk over the available steps only ever stands on known states."""
    for journey in _walk(small, kind, plan):
        assert set(journey.path) <= set(small.state_ids)
        for step in journey.next_steps():
            assert step.dest in small.state_ids


@given(kind=topics, plan=moves)
def test_back_after_a_step_returns(small: Pathway, kind: str, plan: list) -> None:
    """Back after any step returns to exactly where the walk was; with a full path (the
    bound, MAX_PATH places), to the same place with the oldest place let go."""
    journey = _walk(small, kind, plan)[-1]
    for step in journey.next_steps():
        returned = journey.step(step.trigger).back()
        if len(journey.path) < MAX_PATH:
            assert returned == journey
        else:
            assert returned.path == journey.path[1:] and returned.trimmed
            assert returned.context == journey.context


def test_back_after_a_step_at_the_bound(small: Pathway) -> None:
    """The case above at the bound, always taken (a random walk seldom fills the path)."""
    journey = Journey.begin(small, {"kind": "pos"})
    while len(journey.path) < MAX_PATH:
        journey = journey.jump(small.start)
    step = journey.next_steps()[0]
    returned = journey.step(step.trigger).back()
    assert returned.path == journey.path[1:] and returned.earlier == 1


@given(kind=topics, plan=moves)
def test_tokens_round_trip(small: Pathway, kind: str, plan: list) -> None:
    """Every journey a walk reaches survives the trip through its token."""
    for journey in _walk(small, kind, plan):
        assert Journey.from_token(small, journey.token) == journey


@settings(max_examples=300)
@given(kind=topics, plan=moves, data=st.data())
def test_mutated_tokens_give_the_clear_error(
    small: Pathway, kind: str, plan: list, data: st.DataObject
) -> None:
    """Any change to a token gives TokenError: the checksum refuses it (a change that
    slipped past a 32-bit checksum, once in four billion, is not drawn here)."""
    original = _walk(small, kind, plan)[-1]
    token = original.token
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.~%"
    i = data.draw(st.integers(0, len(token) - 1))
    other_letters = alphabet.replace(token[i], "")
    mutated = data.draw(
        st.sampled_from(
            [
                token[:i] + data.draw(st.sampled_from(other_letters)) + token[i + 1 :],
                token[:i] + token[i + 1 :],
                token[:i] + data.draw(st.text(min_size=1, max_size=3)) + token[i:],
            ]
        )
    )
    assert mutated != token
    with pytest.raises(TokenError):
        Journey.from_token(small, mutated)


# ---------------------------------------------------------------- walked and jumped to


def _v1_token(pathway: Pathway, journey: Journey) -> str:
    """The token the first version of the engine gave this journey (plain state indexes)."""
    import base64
    import hashlib

    from pathways.journey import _fingerprint, _varint

    body = bytearray([1])
    for context in pathway.contexts:
        body.append([v.id for v in context.values].index(journey.context[context.id]))
    for state in journey.path:
        body += _varint(pathway.state_ids.index(state))
    digest = hashlib.blake2s(bytes(body), key=_fingerprint(pathway), digest_size=4).digest()
    return base64.urlsafe_b64encode(bytes(body) + digest).rstrip(b"=").decode("ascii")


def test_a_jump_is_looked_at_not_walked(small: Pathway) -> None:
    """A state jumped to is on the path but not among the steps walked."""
    start = Journey.begin(small)
    target = next(s for s in small.state_ids if s != small.start)
    jumped = start.jump(target)
    assert jumped.path == (small.start, target)
    assert jumped.jumps == (False, True)
    assert jumped.walked == (small.start,)
    assert Journey.from_token(small, jumped.token).walked == (small.start,)


def test_a_step_after_a_jump_is_walked(small: Pathway) -> None:
    """Steps taken after a jump count as walked; the jump itself stays marked."""
    start = Journey.begin(small)
    jumped = start.jump(small.start)
    step = jumped.next_steps()[0]
    moved = jumped.step(step.trigger)
    assert moved.jumps == (False, True, False)
    assert moved.back() == jumped
    assert moved.back().back() == start


def test_a_walk_without_jumps_equals_its_plain_form(small: Pathway) -> None:
    """A journey with no jump compares equal however it was built (no stray flags)."""
    start = Journey.begin(small)
    step = start.next_steps()[0]
    walked = start.step(step.trigger)
    assert walked.jumped == ()
    assert walked == Journey(small, walked.state, walked.history, walked.context_items)
    assert start.jump(walked.state).back().jumped == ()


@given(kind=topics, plan=moves)
def test_version_1_tokens_still_open_as_walked(small: Pathway, kind: str, plan: list) -> None:
    """A token from before jumps were recorded opens at the same place, every state walked."""
    for journey in _walk(small, kind, plan):
        old = Journey.from_token(small, _v1_token(small, journey))
        assert old.path == journey.path
        assert old.context == journey.context
        assert old.walked == journey.path


@given(kind=topics, plan=moves)
def test_jump_flags_round_trip(small: Pathway, kind: str, plan: list) -> None:
    """Any walk and jump sequence keeps, through its token, which states were jumped to."""
    journey = Journey.begin(small, {"kind": kind})
    flags = [False]
    for move, n in plan:
        if move == "step" and journey.next_steps():
            steps = journey.next_steps()
            journey = journey.step(steps[n % len(steps)].trigger)
            flags.append(False)
        elif move == "back" and journey.can_go_back:
            journey = journey.back()
            flags.pop()
        elif move == "restart":
            journey = journey.restart()
            flags = [False]
        elif move == "jump":
            journey = journey.jump(small.state_ids[n % len(small.state_ids)])
            flags.append(True)
        flags = flags[-len(journey.path) :]
        assert journey.jumps == tuple(flags)
        again = Journey.from_token(small, journey.token)
        assert again == journey
        assert again.jumps == tuple(flags)
        assert again.walked == tuple(
            s for s, jumped in zip(journey.path, flags, strict=True) if not jumped
        )


def test_changing_the_topic_keeps_the_place_and_the_path(small: Pathway) -> None:
    """``with_context`` keeps the state, the path and what was jumped to; only the topics
    change, and the steps on offer follow them."""
    journey = Journey.begin(small, {"kind": "neg"}).step("go_on").jump("option_a").jump("branch")
    changed = journey.with_context(kind="pos")
    assert changed.pathway is small
    assert (changed.state, changed.path, changed.jumps) == (
        journey.state,
        journey.path,
        journey.jumps,
    )
    assert changed.context == {"kind": "pos"}
    assert "pick_pos" in [s.trigger for s in changed.next_steps()]
    assert "pick_pos" not in [s.trigger for s in journey.next_steps()]


def test_tokens_round_trip_in_a_pathway_of_hundreds_of_states() -> None:
    """Far states (numbered past what one byte holds) come back from a token as they went
    in, walked or jumped to."""
    chain = {
        **SMALL,
        "start": "s0",
        "states": [_state(f"s{i}", end=i == 299) for i in range(300)],
        "transitions": [
            {"trigger": f"on_{i}", "source": f"s{i}", "dest": f"s{i + 1}", "label": "On"}
            for i in range(299)
        ],
    }
    pathway = Pathway.model_validate(chain)
    journey = Journey.begin(pathway).jump("s150").step("on_150").jump("s299").jump("s64")
    assert Journey.from_token(pathway, journey.token) == journey
    assert Journey.from_token(pathway, journey.token).jumps == (False, True, False, True, True)


def test_a_step_names_its_label_and_whom_it_is_for_in_words(small: Pathway) -> None:
    """A step carries its label; a step limited to a topic says whom it is for in
    mid-sentence words when every value it is limited to has a phrase, else in none."""
    kind = SMALL["contexts"][0]
    phrased = {
        **kind,
        "values": [
            {**v, "phrase": f"for the {v['id']} kind"} if v["id"] != "neg" else v
            for v in kind["values"]
        ],
    }
    either = {
        "trigger": "pick_either",
        "source": "branch",
        "dest": "option_a",
        "label": "Either kind",
        "when": {"kind": ["pos", "neg"]},
    }
    pathway = Pathway.model_validate(
        {**SMALL, "contexts": [phrased], "transitions": [*SMALL["transitions"], either]}
    )
    steps = Journey.begin(pathway).step("go_on").next_steps()
    assert [(s.label, s.applies_phrases) for s in steps] == [
        ("Option A", ()),
        ("Option for positive", ("for the pos kind",)),
        ("Care", ()),
        ("Either kind", ()),  # 'neg' has no phrase: the words would leave it out
    ]
    assert [s.applies_phrases for s in Journey.begin(small).step("go_on").next_steps()] == [
        (),
        (),
        (),
    ]


def test_a_step_that_is_not_there_is_refused_with_the_ones_that_are(small: Pathway) -> None:
    """A trigger the pathway does not have at all is refused like one that does not lead
    on from here: the message names it and the state, with the steps there are."""
    with pytest.raises(StepNotAvailableError) as caught:
        Journey.begin(small).step("fly")
    assert caught.value.message == "step 'fly' does not lead on from 'first'"
    assert caught.value.allowed == ("go_on",)


def test_a_long_walk_keeps_the_last_states_up_to_the_limit(small: Pathway) -> None:
    """The path keeps the most recent MAX_PATH states, counts the steps let go, and a token
    of the longest path there can be opens again."""
    journey = Journey.begin(small).step("go_on")
    for _ in range(MAX_PATH):
        journey = journey.step("pick_a").step("comes_back")
    assert len(journey.path) == MAX_PATH
    assert journey.path[-3:] == ("branch", "option_a", "branch")
    assert journey.earlier == 2 + 2 * MAX_PATH - MAX_PATH
    assert Journey.from_token(small, journey.token) == journey
    # A topic changed after a long walk keeps the count of the steps let go.
    assert journey.with_context(kind="pos").earlier == journey.earlier


def test_keeping_as_many_places_as_a_journey_has_changes_nothing(small: Pathway) -> None:
    """``kept_to`` a journey's own length (or more) is the journey itself: no step is let
    go, so none is counted (``earlier`` stays None: the path began at its first place)."""
    journey = Journey.begin(small).step("go_on").step("pick_a")
    for places in (len(journey.path), len(journey.path) + 1):
        assert journey.kept_to(places) is journey
    assert journey.kept_to(len(journey.path)).earlier is None
    shorter = journey.kept_to(len(journey.path) - 1)
    assert (shorter.path, shorter.earlier) == (journey.path[1:], 1)


# ---------------------------------------------------------------------- reading tokens
# Links are made by hand too (the token's key is public): a token whose checksum is right
# can still hold anything. Each test below mints one with the pathway's own key and says
# how the journey reads it.


def _minted(pathway: Pathway, body: bytes) -> str:
    """A token of ``body`` (version byte, topic indexes, places) with a correct checksum."""
    key = guide_for(pathway)._fingerprint
    digest = hashlib.blake2s(body, key=key, digest_size=4).digest()
    return base64.urlsafe_b64encode(body + digest).rstrip(b"=").decode("ascii")


DAMAGED = "this journey link is damaged or belongs to another version of the pathway"


@pytest.mark.parametrize(
    ("what", "body"),
    [
        ("an unknown version", bytes([9, 0, 0])),
        ("a topic value past the last", bytes([2, 3, 0])),
        ("topics but no place", bytes([2, 0])),
        ("a trimmed path whose count is cut short", bytes([3, 0, 0x80])),
        ("a trimmed path with a count and no place", bytes([3, 0, 5])),
        ("a place just past the last state", bytes([2, 0, 5 << 1])),
        ("a place just past the last state (version 1)", bytes([1, 0, 5])),
        ("a number cut short", bytes([2, 0, 0x80])),
    ],
)
def test_a_minted_token_that_holds_no_journey_is_refused_plainly(
    small: Pathway, what: str, body: bytes
) -> None:
    """Whatever a well-signed token holds, a journey is read or the plain TokenError is
    raised: never another error (a 500 on the web)."""
    with pytest.raises(TokenError) as caught:
        Journey.from_token(small, _minted(small, body))
    assert str(caught.value) == DAMAGED, what


def test_each_version_of_a_minted_token_reads_as_it_was_written(small: Pathway) -> None:
    """Version 1 holds places (all walked), version 2 a jump flag with each, version 3
    first the count of steps let go; the last state of the pathway is a place like any."""
    plain = Journey.from_token(small, _minted(small, bytes([1, 1, 0, 4])))
    assert (plain.path, plain.jumps, plain.context) == (
        ("first", "care"),
        (False, False),
        {"kind": "neg"},
    )
    flagged = Journey.from_token(small, _minted(small, bytes([2, 0, 0 << 1, 4 << 1 | 1])))
    assert (flagged.path, flagged.jumps, flagged.earlier) == (
        ("first", "care"),
        (False, True),
        None,
    )
    trimmed = Journey.from_token(small, _minted(small, bytes([3, 2, 7, 1 << 1])))
    assert (trimmed.path, trimmed.earlier, trimmed.context) == (
        ("branch",),
        7,
        {"kind": "unknown"},
    )
    assert trimmed.token == _minted(small, bytes([3, 2, 7, 1 << 1]))


def test_a_token_over_the_length_read_is_refused_before_it_is_read(small: Pathway) -> None:
    """A token longer than MAX_TOKEN_CHARS is damaged, however well signed: refused with
    the plain message, never read (nor offered as a path too long)."""
    places = bytes([2, 0]) + bytes([1 << 1]) * 800
    token = _minted(small, places)
    assert len(token) > MAX_TOKEN_CHARS
    with pytest.raises(TokenError) as caught:
        Journey.from_token(small, token)
    assert str(caught.value) == DAMAGED


def test_a_path_past_the_bound_offers_the_journey_kept_and_a_fresh_one(small: Pathway) -> None:
    """A link holding MAX_PATH + 5 places raises PathTooLongError: the journey kept to the
    bound (the last MAX_PATH places, the 5 steps let go counted, the same topics), a fresh
    one begun at its step, their tokens in ``allowed``, and how many places it held."""
    walk = [0 << 1] + [1 << 1, 2 << 1] * ((MAX_PATH + 4) // 2)
    body = bytes([2, 0, *walk[: MAX_PATH + 5]])
    with pytest.raises(PathTooLongError) as caught:
        Journey.from_token(small, _minted(small, body))
    error = caught.value
    assert error.places == MAX_PATH + 5
    assert len(error.kept.path) == MAX_PATH
    assert error.kept.earlier == 5
    assert error.kept.context == {"kind": "pos"}
    assert error.fresh == Journey.begin(small, {"kind": "pos"}, at=error.kept.state)
    assert error.allowed == (error.kept.token, error.fresh.token)
    assert str(MAX_PATH + 5) in str(error) and str(MAX_PATH) in str(error)
    # The journey offered opens as it is.
    assert Journey.from_token(small, error.kept.token) == error.kept
