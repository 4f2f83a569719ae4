"""One person's walk through a pathway: where they are, how they got there, what is shown.

A ``Journey`` is a small immutable value (current state, the states before it, the topic
choices that narrow what is shown). Every operation returns a new Journey, so a journey
can live in a URL: ``journey.token`` is a compact URL-safe string that round-trips it.

The state machine itself is a single ``transitions.Machine`` per loaded pathway, built
once (``auto_transitions=False``; NOTES.md: the default makes building quadratic) and
shared by every journey. A step fires the machine's event on a throwaway plain object, so
no model is ever registered with the machine and no per-journey machine exists.

This module is the only one that imports ``transitions`` (layer 3).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from transitions import Machine
from transitions import Transition as MachineTransition
from transitions.core import EventData

from pathways.collector import collector_paused
from pathways.errors import (
    StepNotAvailableError,
    TokenError,
)
from pathways.schema import Pathway, Transition

TOKEN_VERSION = 1
MAX_HISTORY = 250
"""Longest path a token may carry; a token is a URL, and URLs have practical limits."""


@dataclass(frozen=True, slots=True)
class Step:
    """A step that leads on from the current state.

    ``applies_to`` names the topics the step is limited to (their labels, e.g.
    ``("Recovery at home",)``) when the reader has not narrowed that topic; it is empty
    otherwise. ``applies_phrases`` gives the same topics as words that fit mid-sentence,
    when the pathway gives a phrase for every one of them; it is empty otherwise.
    """

    trigger: str
    dest: str
    label: str
    applies_to: tuple[str, ...] = ()
    applies_phrases: tuple[str, ...] = ()


class _Guard:
    """A transition's condition for the machine: ``Transition.applies`` under the reader's
    topic choices (the machine passes them to every condition)."""

    __slots__ = ("defaults", "transition")

    def __init__(self, transition: Transition, defaults: Mapping[str, str]):
        self.transition = transition
        self.defaults = defaults

    def __call__(self, context: Mapping[str, str]) -> bool:
        return self.transition.applies(context, self.defaults)


class _Position:
    """The throwaway model a machine event moves: just the attribute ``state``."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Guide:
    """Everything shared by all journeys through one pathway: the machine and lookups."""

    def __init__(self, pathway: Pathway) -> None:
        self.pathway = pathway
        self.state_ids = pathway.state_ids
        self._index = {state_id: i for i, state_id in enumerate(self.state_ids)}
        self.defaults = MappingProxyType(pathway.context_defaults())
        self._values = {c.id: tuple(v.id for v in c.values) for c in pathway.contexts}
        self._topics = {(c.id, v.id): v.label for c in pathway.contexts for v in c.values}
        self._phrases = {(c.id, v.id): v.phrase for c in pathway.contexts for v in c.values}
        self.machine = Machine(
            model=None,
            states=list(self.state_ids),
            initial=None,
            auto_transitions=False,
            send_event=False,
        )
        # Each state's ways on, in the pathway's order, beside the machine's own transition
        # for it: the machine's conditions decide which are open (``_compute_steps``).
        self._leaving: dict[str, list[tuple[Transition, MachineTransition]]] = {
            s: [] for s in self.state_ids
        }
        for t in pathway.transitions:
            guard = _Guard(t, self.defaults)
            self.machine.add_transition(
                t.trigger, list(t.source), t.dest, conditions=[guard] if t.when else None
            )
            added = self.machine.events[t.trigger].transitions
            for source in t.source:
                self._leaving[source].append((t, added[source][-1]))
        self._steps: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Step, ...]] = {}
        self._fingerprint = _fingerprint(pathway)

    # ------------------------------------------------------------------ lookups

    def check_state(self, state_id: str) -> str:
        return self.pathway.check_state(state_id)

    def check_context(self, values: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
        """Fill defaults and refuse unknown names or values; ordered as the pathway declares."""
        return self.pathway.check_context(values)

    def steps(self, state: str, context: tuple[tuple[str, str], ...]) -> tuple[Step, ...]:
        key = (state, context)
        cached = self._steps.get(key)
        if cached is None:
            cached = self._steps[key] = self._compute_steps(state, dict(context))
        return cached

    def _compute_steps(self, state: str, context: Mapping[str, str]) -> tuple[Step, ...]:
        """The steps open from ``state``: those whose conditions the machine finds met for
        these topic choices (the same check it makes when the step is taken)."""
        asked = EventData(None, None, self.machine, _Position(state), (context,), {})
        found = []
        for t, transition in self._leaving[state]:
            if not all(condition.check(asked) for condition in transition.conditions):
                continue
            limited = t.limited_to(context)
            applies_to = tuple(self._topics[pair] for pair in limited)
            found.append(Step(t.trigger, t.dest, t.label, applies_to, self._in_sentence(limited)))
        return tuple(found)

    def _in_sentence(self, limited: list[tuple[str, str]]) -> tuple[str, ...]:
        """The topics a step is limited to as mid-sentence phrases, or () if any lacks one."""
        phrases = [self._phrases[pair] for pair in limited]
        return tuple(p for p in phrases if p) if all(phrases) else ()

    def fire(self, state: str, trigger: str, context: Mapping[str, str]) -> str | None:
        """Run the machine's event from ``state``: the state it arrives at, or None when
        the machine has no such step from there or its conditions are not met."""
        event = self.machine.events.get(trigger)
        if event is None or state not in event.transitions:
            return None
        position = _Position(state)
        return position.state if event.trigger(position, context) else None

    # ------------------------------------------------------------------ tokens

    def encode(self, journey: Journey) -> str:
        body = bytearray([TOKEN_VERSION])
        for name, value in journey.context_items:
            body.append(self._values[name].index(value))
        for state in (*journey.history, journey.state):
            body += _varint(self._index[state])
        digest = hashlib.blake2s(bytes(body), key=self._fingerprint, digest_size=4).digest()
        return base64.urlsafe_b64encode(bytes(body) + digest).rstrip(b"=").decode("ascii")

    def decode(self, token: str) -> Journey:
        problem = "this journey link is damaged or belongs to another version of the pathway"
        if not isinstance(token, str) or not token or len(token) > 4 * MAX_HISTORY:
            raise TokenError(problem)
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            raise TokenError(problem) from None
        if token != base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii"):
            raise TokenError(problem)  # non-canonical spelling of the same bytes
        if len(raw) < 5:
            raise TokenError(problem)
        body, digest = raw[:-4], raw[-4:]
        expected = hashlib.blake2s(body, key=self._fingerprint, digest_size=4).digest()
        if digest != expected or body[0] != TOKEN_VERSION:
            raise TokenError(problem)
        contexts = list(self._values.items())
        at = 1 + len(contexts)
        if len(body) <= at:
            raise TokenError(problem)
        context = []
        for (name, values), index in zip(contexts, body[1:at], strict=True):
            if index >= len(values):
                raise TokenError(problem)
            context.append((name, values[index]))
        states = []
        for index in _read_varints(body[at:], problem):
            if index >= len(self.state_ids):
                raise TokenError(problem)
            states.append(self.state_ids[index])
        if not states or len(states) > MAX_HISTORY:
            raise TokenError(problem)
        return Journey(self.pathway, states[-1], tuple(states[:-1]), tuple(context))


def _fingerprint(pathway: Pathway) -> bytes:
    """What a token depends on: the pathway, its states and its topics, in order."""
    parts = [pathway.metadata.id, *pathway.state_ids]
    for c in pathway.contexts:
        parts.append(c.id)
        parts.extend(v.id for v in c.values)
    return hashlib.blake2s("\x1f".join(parts).encode(), digest_size=16).digest()


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varints(data: bytes, problem: str) -> Iterable[int]:
    number = shift = 0
    for byte in data:
        number |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            if shift > 28:
                raise TokenError(problem)
        else:
            yield number
            number = shift = 0
    if shift:
        raise TokenError(problem)


def guide_for(pathway: Pathway) -> Guide:
    """The one Guide (and machine) of this pathway, built on first use."""
    return pathway.derived("journey.guide", lambda: _build_guide(pathway))


def _build_guide(pathway: Pathway) -> Guide:
    """Build with the cycle collector paused: the machine is tens of thousands of objects
    that live as long as the pathway, and the collector's passes over them while they
    are made find nothing (half of the build at 5,000 states; benchmarks/scale.py)."""
    with collector_paused():
        return Guide(pathway)


@dataclass(frozen=True, slots=True)
class Journey:
    """Where one reader is in a pathway, how they got there and which topics they chose.

    Immutable: every operation returns a new Journey. Build one with ``Journey.begin`` or
    ``Journey.from_token``.
    """

    pathway: Pathway = field(repr=False, compare=False)
    state: str
    history: tuple[str, ...] = ()
    context_items: tuple[tuple[str, str], ...] = ()

    # ------------------------------------------------------------------ building

    @classmethod
    def begin(
        cls,
        pathway: Pathway,
        context: Mapping[str, str] | None = None,
        at: str | None = None,
    ) -> Journey:
        """A new journey at the pathway's start (or at state ``at``), with these topics."""
        guide = guide_for(pathway)
        state = guide.check_state(at) if at is not None else pathway.start
        return cls(pathway, state, (), guide.check_context(context))

    @classmethod
    def from_token(cls, pathway: Pathway, token: str) -> Journey:
        """The journey a token stands for; ``TokenError`` if it cannot be read."""
        return guide_for(pathway).decode(token)

    # ------------------------------------------------------------------ reading

    @property
    def _guide(self) -> Guide:
        return guide_for(self.pathway)

    @property
    def context(self) -> dict[str, str]:
        """The topic choices, every context named (defaults filled in)."""
        return dict(self.context_items)

    @property
    def path(self) -> tuple[str, ...]:
        """Every state visited, oldest first, ending with the current one."""
        return (*self.history, self.state)

    @property
    def can_go_back(self) -> bool:
        return bool(self.history)

    @property
    def is_end(self) -> bool:
        return self.pathway.state(self.state).end

    @property
    def token(self) -> str:
        """A compact URL-safe string that ``Journey.from_token`` turns back into this."""
        return self._guide.encode(self)

    def next_steps(self) -> tuple[Step, ...]:
        """The steps available now, in the pathway's order, filtered by the topics chosen."""
        return self._guide.steps(self.state, self.context_items)

    # ------------------------------------------------------------------ moving

    def step(self, trigger: str) -> Journey:
        """Take one of ``next_steps()``; ``StepNotAvailableError`` lists the ones there are."""
        dest = self._guide.fire(self.state, trigger, self.context)
        if dest is None:
            allowed = tuple(s.trigger for s in self.next_steps())
            raise StepNotAvailableError(
                f"step '{trigger}' does not lead on from '{self.state}'", allowed=allowed
            )
        return self._moved_to(dest)

    def back(self) -> Journey:
        """The journey as it was before the last step (unchanged at the beginning)."""
        if not self.history:
            return self
        return Journey(self.pathway, self.history[-1], self.history[:-1], self.context_items)

    def restart(self) -> Journey:
        """Back to the pathway's start with an empty path, keeping the topic choices."""
        return Journey(self.pathway, self.pathway.start, (), self.context_items)

    def jump(self, state: str) -> Journey:
        """Go straight to any state (for a nurse showing the map); back returns here."""
        return self._moved_to(self._guide.check_state(state))

    def with_context(self, **values: str) -> Journey:
        """The same place and path, with some topic choices changed."""
        merged = {**self.context, **values}
        return Journey(self.pathway, self.state, self.history, self._guide.check_context(merged))

    def _moved_to(self, state: str) -> Journey:
        history = (*self.history, self.state)[-(MAX_HISTORY - 1) :]
        return Journey(self.pathway, state, history, self.context_items)
