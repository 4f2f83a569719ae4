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
    JourneyError,
    StepNotAvailableError,
    TokenError,
)
from pathways.schema import Pathway, Transition

TOKEN_VERSION = 2
"""Version 2 keeps, for each state, whether the reader walked to it or jumped to it
(the state's index shifted left one bit, its low bit set for a jump). Version 1 tokens
(plain indexes) still read, every state in them as walked."""
TRIMMED_VERSION = 3
"""Version 3 is version 2 for a path whose oldest places were let go at the bound
(``MAX_PATH``): after the topics, one number says how many steps were taken before the
first place kept, so pages can number the steps kept truly and say that earlier ones are
no longer kept."""
TOKEN_VERSIONS = (1, TOKEN_VERSION, TRIMMED_VERSION)

MAX_PATH = 40
"""The most places a journey keeps (and a link holds), the current one included.

A journey lives in its address and anyone can make a valid one (the token's key is
public), so this bound is what keeps every address cheap: each place on the path is a
line of "your path so far" on every page and a byte or two more in every link on it.
Measured (benchmarks/long_journeys.py, docs/performance.md) on the shipped pathway and
the test pathways, the longest journey's page against a one-place journey's page at the
same step: 1.0 to 1.8 times the CPU by the median over the steps, 1.96 at the worst step
(the print page and presenter mode's map, which list the path and the most places), and
no page over 48 KB. At 50 places the worst step went past twice (up to 2.4); at the old
bound of 250, the pages that list the path cost 3.3 to 4.5 times a short one by the
median, up to 7.2 at the worst step, and reached 77 KB. 40 places is still several walks
round a pathway's cycles, more than a reader or a nurse's demonstration takes in one
sitting.

Walking on with a full path lets the oldest place go (the path keeps the most recent 40)
and the journey remembers that it did (``earlier``): its pages then say that earlier
places are no longer kept, and number the steps kept as they were. A link made with a
longer path (before this bound, when paths kept 250 places, or by hand) is read but not
shown: ``PathTooLongError`` carries the same journey kept to the bound, to offer instead.
"""
MAX_TOKEN_CHARS = 1000
"""The longest token read at all: the 250 places links could hold before ``MAX_PATH``,
with room for pathways of thousands of states (two bytes a place). Longer is damaged."""
MAX_EARLIER = 999_999
"""Steps counted before the first place kept, at most (the count stops there)."""


class PathTooLongError(JourneyError):
    """A journey link that holds a longer path than a link can keep (``MAX_PATH``), such as
    one made before the bound. The ways on from its current step: ``kept``, the same
    journey (place, topics, and the most recent places within the bound, so back still
    works), and ``fresh``, a new journey begun at that step with the same topics;
    ``allowed`` gives their tokens, in that order. ``places``: how many the link held.
    """

    def __init__(self, kept: Journey, places: int) -> None:
        fresh = Journey.begin(kept.pathway, kept.context, at=kept.state)
        super().__init__(
            f"this journey link holds a path of {places} places, longer than the"
            f" {MAX_PATH} a link can keep",
            allowed=(kept.token, fresh.token),
        )
        self.kept = kept
        self.fresh = fresh
        self.places = places


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
        trimmed = journey.earlier is not None
        body = bytearray([TRIMMED_VERSION if trimmed else TOKEN_VERSION])
        for name, value in journey.context_items:
            body.append(self._values[name].index(value))
        if journey.earlier is not None:
            body += _varint(journey.earlier)
        for state, jumped in zip(journey.path, journey.jumps, strict=True):
            body += _varint(self._index[state] << 1 | jumped)
        digest = hashlib.blake2s(bytes(body), key=self._fingerprint, digest_size=4).digest()
        return base64.urlsafe_b64encode(bytes(body) + digest).rstrip(b"=").decode("ascii")

    def decode(self, token: str) -> Journey:
        """The journey a token stands for: ``TokenError`` if it cannot be read,
        ``PathTooLongError`` if it holds more than ``MAX_PATH`` places."""
        problem = "this journey link is damaged or belongs to another version of the pathway"
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
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
        if digest != expected or body[0] not in TOKEN_VERSIONS:
            raise TokenError(problem)
        flagged = body[0] != 1
        contexts = list(self._values.items())
        at = 1 + len(contexts)
        if len(body) <= at:
            raise TokenError(problem)
        context = []
        for (name, values), index in zip(contexts, body[1:at], strict=True):
            if index >= len(values):
                raise TokenError(problem)
            context.append((name, values[index]))
        numbers = iter(_read_varints(body[at:], problem))
        earlier = None
        if body[0] == TRIMMED_VERSION:
            earlier = next(numbers, None)
            if earlier is None or earlier > MAX_EARLIER:
                raise TokenError(problem)
        states = []
        jumps = []
        for number in numbers:
            index, jumped = (number >> 1, bool(number & 1)) if flagged else (number, False)
            if index >= len(self.state_ids):
                raise TokenError(problem)
            states.append(self.state_ids[index])
            jumps.append(jumped)
        if not states:
            raise TokenError(problem)
        whole = Journey(
            self.pathway, states[-1], tuple(states[:-1]), tuple(context), _flags(jumps), earlier
        )
        if len(states) > MAX_PATH:
            raise PathTooLongError(whole.kept_to(MAX_PATH), len(states))
        return whole


def _flags(jumps: Iterable[bool]) -> tuple[bool, ...]:
    """Jump flags as a Journey keeps them: () when nothing on the path was jumped to."""
    flags = tuple(jumps)
    return flags if any(flags) else ()


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

    ``jumped`` says, for each state of ``path``, whether the reader jumped to it (from the
    map or the jump list) rather than walked to it by a step; it is empty when no state
    was jumped to, and ``jumps`` always gives one flag per state.

    ``earlier`` is None while the path holds every place since the reader began. Once the
    path is full (``MAX_PATH``) and the reader goes on, the oldest places are let go, and
    ``earlier`` counts the steps taken before the first place kept (0 if only places
    jumped to were let go): the path no longer begins where the reader began.
    """

    pathway: Pathway = field(repr=False, compare=False)
    state: str
    history: tuple[str, ...] = ()
    context_items: tuple[tuple[str, str], ...] = ()
    jumped: tuple[bool, ...] = ()
    earlier: int | None = None

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
    def jumps(self) -> tuple[bool, ...]:
        """One flag per state of ``path``: True where the reader jumped there."""
        return self.jumped or (False,) * (len(self.history) + 1)

    @property
    def walked(self) -> tuple[str, ...]:
        """The states of ``path`` the reader walked to by a step (or began at), in order:
        a state jumped to was looked at, not a step taken."""
        return tuple(s for s, jumped in zip(self.path, self.jumps, strict=True) if not jumped)

    @property
    def trimmed(self) -> bool:
        """Whether earlier places were let go (the path no longer begins at the start)."""
        return self.earlier is not None

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
        return self._moved_to(dest, jumped=False)

    def back(self) -> Journey:
        """The journey as it was before the last step (unchanged at the beginning)."""
        if not self.history:
            return self
        return Journey(
            self.pathway,
            self.history[-1],
            self.history[:-1],
            self.context_items,
            _flags(self.jumps[:-1]),
            self.earlier,
        )

    def restart(self) -> Journey:
        """Back to the pathway's start with an empty path, keeping the topic choices."""
        return Journey(self.pathway, self.pathway.start, (), self.context_items)

    def jump(self, state: str) -> Journey:
        """Go straight to any state (for a nurse showing the map); back returns here."""
        return self._moved_to(self._guide.check_state(state), jumped=True)

    def with_context(self, **values: str) -> Journey:
        """The same place and path, with some topic choices changed."""
        merged = {**self.context, **values}
        return Journey(
            self.pathway,
            self.state,
            self.history,
            self._guide.check_context(merged),
            self.jumped,
            self.earlier,
        )

    def kept_to(self, places: int) -> Journey:
        """The same journey keeping only its most recent ``places`` places (itself if it
        has no more): the steps among those let go are counted in ``earlier``."""
        path, jumps = self.path, self.jumps
        if len(path) <= places:
            return self
        dropped = len(path) - places
        steps = (self.earlier or 0) + jumps[:dropped].count(False)
        return Journey(
            self.pathway,
            self.state,
            path[dropped:-1],
            self.context_items,
            _flags(jumps[dropped:]),
            min(steps, MAX_EARLIER),
        )

    def _moved_to(self, state: str, *, jumped: bool) -> Journey:
        """One more place on the path; past ``MAX_PATH`` the oldest is let go (and counted)."""
        moved = Journey(
            self.pathway,
            state,
            self.path,
            self.context_items,
            _flags((*self.jumps, jumped)),
            self.earlier,
        )
        return moved.kept_to(MAX_PATH)
