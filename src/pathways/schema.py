"""The pathway document: pydantic models and the checks across the whole document.

A pathway document (``pathways.yaml``) is data: metadata, sources, support contacts, a
glossary, contexts, states and transitions. The models here refuse unknown keys and are
immutable; ``check_pathway`` then finds every problem that spans more than one place
(unknown ids, unreachable states, uncited facts, an overdue review) and returns each as a
``Problem`` with the path of the offending value, which the loader turns into
``file:line:col``.

No I/O happens here (layer 2): the loader reads files, this module only describes and
checks what was read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Literal, TypeVar, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
)

from pathways.errors import (
    Problem,
    ProblemList,
    UnknownContextError,
    UnknownStateError,
    closest,
    did_you_mean,
)

__all__ = [
    "ID_PATTERN",
    "Pathway",
    "ValidationError",
    "check_pathway",
    "iter_text",
]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
"""One id rule for states, triggers, contexts, sources and glossary entries: valid as a
Python name, a URL segment, a Mermaid/DOT node id and a template name."""

SUMMARY_MAX = 140

T = TypeVar("T")


def _clean(text: str) -> str:
    r"""Fold the white space that YAML block scalars leave behind.

    (The same as ``re.sub(r"\s+", " ", text).strip()``, at a fifth of the cost: it runs
    for every text of a pathway, 55,000 times for 5,000 states.)
    """
    return " ".join(text.split())


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, AfterValidator(_clean), StringConstraints(min_length=1)]
Summary = Annotated[Text, StringConstraints(max_length=SUMMARY_MAX)]


def _one_or_many(value: object) -> object:
    """Let authors write ``source: relapse`` as well as ``source: [relapse, remission]``."""
    return [value] if isinstance(value, str) else value


IdOrIds = Annotated[
    tuple[Id, ...], BeforeValidator(_one_or_many, json_schema_input_type=Id | list[Id])
]
"""One id or a list of them; the JSON Schema for editors says so too."""


class Model(BaseModel):
    """Base for every part of the document: unknown keys refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Metadata(Model):
    """Who publishes the pathway, what it is for, and when it must be reviewed again."""

    id: Id
    title: Text
    version: Text
    language: Literal["en-GB"] = "en-GB"
    intended_purpose: Text = Field(
        description="Shown on every page, every render and in --help: what this is and is not."
    )
    publisher: Text
    reviewed: dt.date = Field(description="When the content was last reviewed (YYYY-MM-DD).")
    next_review: dt.date = Field(description="When it must be reviewed again; past is an error.")
    summary: Text | None = Field(
        default=None,
        description="One or two sentences on what the pathway covers, for a catalogue of"
        " pathways (the intended-purpose statement stands in when there is none).",
    )
    tags: tuple[Text, ...] = Field(
        default=(),
        description="Topics a catalogue can filter by, e.g. 'surgery', 'children'.",
    )


class Source(Model):
    """A public document that facts are taken from."""

    id: Id
    title: Text
    publisher: Text
    url: Text = Field(description="Where a reader can find the source.")
    accessed: dt.date
    sections: tuple[Text, ...] = Field(
        min_length=1, description="Section headings that facts may cite."
    )


class SupportContact(Model):
    """Somebody a reader can talk to; the first one is the support line on every page."""

    name: Text
    phone: Text
    offers: Text = Field(description="What they offer, in a short sentence.")
    source: Id | None = None


class GlossaryEntry(Model):
    """A medical word explained in plain words."""

    id: Id
    term: Text
    definition: Text
    source: Id | None = Field(
        default=None, description="The source the definition rests on, if it makes a claim."
    )
    also: tuple[Text, ...] = Field(
        default=(), description="Other ways the term is written (plurals, abbreviations)."
    )


class ContextValue(Model):
    """One allowed value of a context, with the topic it stands for."""

    id: Id
    label: Text = Field(description="The topic, e.g. 'Philadelphia positive ALL'.")


class Context(Model):
    """A named fact that narrows what is shown: a topic choice, never a question.

    The ``default`` value narrows nothing: every step is shown, and a step that applies
    only to some values is labelled with the topics it is for.
    """

    id: Id
    label: Text
    values: tuple[ContextValue, ...] = Field(min_length=2)
    default: Id


Hedge = Literal["as many as", "around", "about", "up to", "more than", "fewer than"]


class Number(Model):
    """A figure from the source as a natural frequency: ``hedge count in out_of``."""

    count: int = Field(ge=0)
    out_of: int = Field(gt=0)
    hedge: Hedge
    about: Text = Field(description="Who the number is about, e.g. 'adults with ALL'.")
    percent: int | None = Field(
        default=None, ge=0, le=100, description="The source's own percentage, if it gives one."
    )


class Fact(Model):
    """One claim from a source, in our own words, with where it comes from."""

    text: Text
    source: Id
    section: Text
    number: Number | None = None


class State(Model):
    """A point in the journey."""

    id: Id
    title: Text
    summary: Summary
    explanation: tuple[Text, ...] = Field(min_length=1)
    facts: tuple[Fact, ...] = ()
    questions: tuple[Text, ...] = ()
    terms: tuple[Id, ...] = Field(default=(), description="Glossary ids this state uses.")
    end: bool = Field(default=False, description="An end point: no way on is expected.")


class Transition(Model):
    """A step from one or more states to another, with a plain label of what might happen."""

    trigger: Id
    source: Annotated[
        tuple[Id, ...],
        BeforeValidator(
            _one_or_many, json_schema_input_type=Id | Annotated[list[Id], Field(min_length=1)]
        ),
    ] = Field(min_length=1)
    dest: Id
    label: Text
    when: Mapping[Id, IdOrIds] = Field(
        default_factory=dict,
        description="Context values this step applies to, e.g. {philadelphia: [positive]}.",
    )

    def applies(self, chosen: Mapping[str, str], defaults: Mapping[str, str]) -> bool:
        """Whether this step is shown for these topic choices: every topic it is limited
        to is chosen as one of its values, or left at its default (which narrows nothing,
        so the step is shown there, labelled with ``limited_to``). The one home of the
        guard: the journey's machine, the diagrams and the lint all ask here."""
        return all(
            chosen.get(name) in values or chosen.get(name) == defaults.get(name)
            for name, values in self.when.items()
        )

    def limited_to(self, chosen: Mapping[str, str]) -> list[tuple[str, str]]:
        """The (topic, value) pairs this step is limited to that the choices leave open:
        what a label such as "for Philadelphia positive ALL" names."""
        return [
            (name, value)
            for name, values in self.when.items()
            if chosen.get(name) not in values
            for value in values
        ]


class LintSettings(Model):
    """Settings an author can give ``pathways lint``."""

    advice_phrases: tuple[Text, ...] = Field(
        default=(), description="More phrases that read as advice, added to the built-in list."
    )
    syllables: Mapping[str, int] = Field(
        default_factory=dict, description="Syllable counts for words the scorer gets wrong."
    )


class Pathway(Model):
    """A whole pathway document."""

    metadata: Metadata
    sources: tuple[Source, ...] = Field(min_length=1)
    support: tuple[SupportContact, ...] = Field(min_length=1)
    glossary: tuple[GlossaryEntry, ...] = ()
    contexts: tuple[Context, ...] = ()
    start: Id
    states: tuple[State, ...] = Field(min_length=1)
    transitions: tuple[Transition, ...] = ()
    lint: LintSettings = LintSettings()

    _states: dict[str, State] = PrivateAttr(default_factory=dict)
    # Objects that higher layers derive from this pathway once and share (the journey
    # machine, compiled lookups); the pathway is immutable, so they never go stale.
    _derived: dict[str, object] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        self._states = {s.id: s for s in self.states}

    def __eq__(self, other: object) -> bool:
        """Two pathways are equal when their documents are: the lookups and the objects
        derived from them (a journey's machine) are caches, not part of the pathway."""
        if not isinstance(other, Pathway):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """The object ``build()`` makes from this pathway, built on first use and shared."""
        try:
            return cast(T, self._derived[key])
        except KeyError:
            value = self._derived[key] = build()
            return value

    def state(self, state_id: str) -> State:
        """The state with this id (KeyError if there is none)."""
        return self._states[state_id]

    @property
    def state_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.states)

    @property
    def support_line(self) -> SupportContact:
        return self.support[0]

    def context_defaults(self) -> dict[str, str]:
        return {c.id: c.default for c in self.contexts}

    def context_values(self) -> Mapping[str, tuple[str, ...]]:
        """Each context's value ids, in the order the pathway declares them."""
        return self.derived(
            "schema.context_values",
            lambda: MappingProxyType({c.id: tuple(v.id for v in c.values) for c in self.contexts}),
        )

    def check_state(self, state_id: str) -> str:
        """``state_id`` if a state has it, else ``UnknownStateError`` naming the closest."""
        if state_id not in self._states:
            raise UnknownStateError(
                f"there is no state '{state_id}'{_suggest(state_id, self.state_ids)}",
                allowed=self.state_ids,
            )
        return state_id

    def check_context(self, values: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
        """Topic choices with the defaults filled in, every context named in the order the
        pathway declares them; an unknown name or value is an ``UnknownContextError``. The
        one home of topic validation (the journey, the diagrams)."""
        known = self.context_values()
        chosen = dict(values or {})
        for name, value in chosen.items():
            if name not in known:
                raise UnknownContextError(
                    f"there is no context '{name}'{_suggest(name, known)}",
                    allowed=tuple(known),
                )
            if value not in known[name]:
                raise UnknownContextError(
                    f"context '{name}' has no value '{value}'{_suggest(value, known[name])}",
                    allowed=known[name],
                )
        defaults = self.context_defaults()
        return tuple((name, chosen.get(name, defaults[name])) for name in known)

    def edges(self) -> Iterator[tuple[str, Transition]]:
        """Every step from one state: (source state, transition), in document order; a
        transition from several states is one edge from each. The one edge list."""
        for t in self.transitions:
            for source in t.source:
                yield source, t

    def leaving(self) -> Mapping[str, tuple[Transition, ...]]:
        """The transitions leaving each state, in document order (as a journey lists its
        steps), worked out once."""

        def build() -> Mapping[str, tuple[Transition, ...]]:
            found: dict[str, list[Transition]] = {s: [] for s in self.state_ids}
            for source, t in self.edges():
                found[source].append(t)
            return MappingProxyType({s: tuple(ts) for s, ts in found.items()})

        return self.derived("schema.leaving", build)


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = closest(word, choices)
    return f"; did you mean '{match}'?" if match else ""


# --------------------------------------------------------------------------- checks


def check_pathway(
    pathway: Pathway, *, today: dt.date | None = None, review: bool = True
) -> list[Problem]:
    """Every problem across the document, each with the path of the value to fix;
    ``review=False`` leaves out the review dates (a catalogue lists an overdue pathway as
    withdrawn for review, so it reads one that is otherwise sound)."""
    problems = ProblemList()
    _check_unique_ids(pathway, problems)
    _check_transitions(pathway, problems)
    _check_reachability(pathway, problems)
    _check_citations(pathway, problems)
    _check_glossary(pathway, problems)
    _check_contexts(pathway, problems)
    if review:
        _check_review(pathway, problems, today or dt.date.today())
    return problems.problems


def _check_unique_ids(p: Pathway, problems: ProblemList) -> None:
    groups: list[tuple[str, str, list[str]]] = [
        ("states", "state", [s.id for s in p.states]),
        ("sources", "source", [s.id for s in p.sources]),
        ("glossary", "glossary entry", [g.id for g in p.glossary]),
        ("contexts", "context", [c.id for c in p.contexts]),
    ]
    for key, noun, ids in groups:
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                problems.add(
                    f"{noun} id '{item_id}' is used more than once",
                    path=(key, i, "id"),
                    hint=f"give each {noun} its own id",
                )
            seen.add(item_id)
    for c_index, context in enumerate(p.contexts):
        value_ids = [v.id for v in context.values]
        for v_index, value_id in enumerate(value_ids):
            if value_id in value_ids[:v_index]:
                problems.add(
                    f"context '{context.id}' lists value '{value_id}' more than once",
                    path=("contexts", c_index, "values", v_index, "id"),
                )
        if context.default not in value_ids:
            problems.add(
                f"context '{context.id}' has default '{context.default}', which is not one"
                " of its values",
                path=("contexts", c_index, "default"),
                hint=did_you_mean(context.default, value_ids),
            )
    seen_pairs: set[tuple[str, str]] = set()
    for t_index, t in enumerate(p.transitions):
        for s_index, source in enumerate(t.source):
            if (t.trigger, source) in seen_pairs:
                problems.add(
                    f"trigger '{t.trigger}' leaves state '{source}' more than once",
                    path=("transitions", t_index, "source", s_index),
                    hint="a trigger names one step from a state; give the other a new trigger",
                )
            seen_pairs.add((t.trigger, source))


def _check_transitions(p: Pathway, problems: ProblemList) -> None:
    states = set(p.state_ids)
    if p.start not in states:
        problems.add(
            f"the pathway starts at unknown state '{p.start}'",
            path=("start",),
            hint=did_you_mean(p.start, states),
        )
    for t_index, t in enumerate(p.transitions):
        if t.trigger in states:
            problems.add(
                f"trigger '{t.trigger}' has the same name as a state",
                path=("transitions", t_index, "trigger"),
                hint=f"name the step for what happens, e.g. 'go_to_{t.trigger}'",
            )
        for s_index, source in enumerate(t.source):
            if source not in states:
                problems.add(
                    f"transition '{t.trigger}' comes from unknown state '{source}'",
                    path=("transitions", t_index, "source", s_index)
                    if len(t.source) > 1
                    else ("transitions", t_index, "source"),
                    hint=did_you_mean(source, states),
                )
        if t.dest not in states:
            problems.add(
                f"transition '{t.trigger}' goes to unknown state '{t.dest}'",
                path=("transitions", t_index, "dest"),
                hint=did_you_mean(t.dest, states),
            )


def _successors(p: Pathway) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {s: set() for s in p.state_ids}
    for source, t in p.edges():
        if source in graph and t.dest in graph:
            graph[source].add(t.dest)
    return graph


def _check_reachability(p: Pathway, problems: ProblemList) -> None:
    graph = _successors(p)
    if p.start in graph:
        seen = {p.start}
        todo = [p.start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        for index, state in enumerate(p.states):
            if state.id not in seen:
                problems.add(
                    f"state '{state.id}' cannot be reached from the start ('{p.start}')",
                    path=("states", index, "id"),
                    hint=f"add a transition with dest: {state.id}, or remove the state",
                )
    for index, state in enumerate(p.states):
        if not state.end and not graph[state.id]:
            problems.add(
                f"state '{state.id}' has no way on and is not an end point",
                path=("states", index, "id"),
                hint="add a transition from it, or mark it 'end: true'",
            )


def _check_citations(p: Pathway, problems: ProblemList) -> None:
    sources = {s.id: s for s in p.sources}
    for s_index, state in enumerate(p.states):
        for f_index, fact in enumerate(state.facts):
            path = ("states", s_index, "facts", f_index)
            source = sources.get(fact.source)
            if source is None:
                problems.add(
                    f"a fact in state '{state.id}' cites unknown source '{fact.source}'",
                    path=(*path, "source"),
                    hint=did_you_mean(fact.source, sources),
                )
            elif fact.section not in source.sections:
                problems.add(
                    f"a fact in state '{state.id}' cites section '{fact.section}', which"
                    f" source '{source.id}' does not declare",
                    path=(*path, "section"),
                    hint=did_you_mean(fact.section, source.sections),
                )
            if fact.number and fact.number.count > fact.number.out_of:
                problems.add(
                    f"a number in state '{state.id}' says {fact.number.count} in"
                    f" {fact.number.out_of}",
                    path=(*path, "number", "count"),
                    hint="count must not be more than out_of",
                )
    for g_index, entry in enumerate(p.glossary):
        if entry.source and entry.source not in sources:
            problems.add(
                f"glossary entry '{entry.id}' cites unknown source '{entry.source}'",
                path=("glossary", g_index, "source"),
                hint=did_you_mean(entry.source, sources),
            )
    for c_index, contact in enumerate(p.support):
        if contact.source and contact.source not in sources:
            problems.add(
                f"support contact '{contact.name}' cites unknown source '{contact.source}'",
                path=("support", c_index, "source"),
                hint=did_you_mean(contact.source, sources),
            )


def _check_glossary(p: Pathway, problems: ProblemList) -> None:
    terms = {g.id for g in p.glossary}
    for s_index, state in enumerate(p.states):
        for t_index, term in enumerate(state.terms):
            if term not in terms:
                problems.add(
                    f"state '{state.id}' uses glossary term '{term}', which is not defined",
                    path=("states", s_index, "terms", t_index),
                    hint=did_you_mean(term, terms),
                )


def _check_contexts(p: Pathway, problems: ProblemList) -> None:
    contexts = {c.id: c for c in p.contexts}
    for t_index, t in enumerate(p.transitions):
        for name, values in t.when.items():
            context = contexts.get(name)
            if context is None:
                problems.add(
                    f"transition '{t.trigger}' applies to unknown context '{name}'",
                    path=("transitions", t_index, "when", name),
                    hint=did_you_mean(name, contexts),
                )
                continue
            allowed = [v.id for v in context.values]
            for v_index, value in enumerate(values):
                if value not in allowed:
                    problems.add(
                        f"transition '{t.trigger}' applies to '{name}={value}', which is not"
                        f" a value of context '{name}'",
                        path=("transitions", t_index, "when", name, v_index),
                        hint=did_you_mean(value, allowed),
                    )


def _check_review(p: Pathway, problems: ProblemList, today: dt.date) -> None:
    meta = p.metadata
    if meta.next_review < today:
        problems.add(
            f"the content was due for review on {meta.next_review.isoformat()}, which has passed",
            path=("metadata", "next_review"),
            hint="have the content reviewed, then set reviewed and next_review to new dates",
        )
    if meta.reviewed > today:
        problems.add(
            f"the reviewed date {meta.reviewed.isoformat()} is in the future",
            path=("metadata", "reviewed"),
            hint="set it to the date the content was actually reviewed",
        )
    if meta.next_review <= meta.reviewed:
        problems.add(
            "next_review must come after reviewed",
            path=("metadata", "next_review"),
        )


def iter_text(pathway: Pathway) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every piece of text a person can see, with its path in the document."""
    meta = pathway.metadata
    yield ("metadata", "title"), meta.title
    yield ("metadata", "intended_purpose"), meta.intended_purpose
    for i, contact in enumerate(pathway.support):
        yield ("support", i, "offers"), contact.offers
    for i, entry in enumerate(pathway.glossary):
        yield ("glossary", i, "term"), entry.term
        yield ("glossary", i, "definition"), entry.definition
    for i, context in enumerate(pathway.contexts):
        yield ("contexts", i, "label"), context.label
        for j, value in enumerate(context.values):
            yield ("contexts", i, "values", j, "label"), value.label
    for i, state in enumerate(pathway.states):
        yield ("states", i, "title"), state.title
        yield ("states", i, "summary"), state.summary
        for j, paragraph in enumerate(state.explanation):
            yield ("states", i, "explanation", j), paragraph
        for j, fact in enumerate(state.facts):
            yield ("states", i, "facts", j, "text"), fact.text
        for j, question in enumerate(state.questions):
            yield ("states", i, "questions", j), question
    for i, t in enumerate(pathway.transitions):
        yield ("transitions", i, "label"), t.label
