"""The pathway document: its pydantic models.

A pathway document (``pathways.yaml``) is data: metadata, sources, support contacts, a
glossary, contexts, states and transitions. The models here refuse unknown keys and are
immutable; ``checks.check_pathway`` then finds every problem that spans more than one
place. The rules for text itself (bidi controls, web addresses, phone numbers) are
``texts.py``.

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
from pydantic_core import PydanticCustomError

from pathways.errors import (
    UnknownContextError,
    UnknownStateError,
    closest,
)
from pathways.texts import (
    BIDI_HINT,
    PHONE_DIGITS,
    bidi_name,
    find_bidi_control,
    is_phone,
    is_web_url,
    tel_uri,
)

__all__ = [
    "BIDI_HINT",
    "ID_PATTERN",
    "PHONE_DIGITS",
    "SCHEMA_VERSION",
    "Pathway",
    "ValidationError",
    "bidi_name",
    "find_bidi_control",
    "is_web_url",
    "tel_uri",
]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
"""One id rule for states, triggers, contexts, sources and glossary entries: valid as a
Python name, a URL segment, a Mermaid/DOT node id and a template name."""

SUMMARY_MAX = 140

SCHEMA_VERSION = 1
"""The version of the document schema this program reads. A document names the version
it was written for (``metadata.schema_version``, 1 when absent); a newer version than
this is refused with a hint to update pathways."""

T = TypeVar("T")


def _clean(text: str) -> str:
    r"""Fold the white space that YAML block scalars leave behind.

    (The same as ``re.sub(r"\s+", " ", text).strip()``, at a fifth of the cost: it runs
    for every text of a pathway, 55,000 times for 5,000 states.)
    """
    return " ".join(text.split())


# --------------------------------------------------------------------------- text hygiene


def _no_bidi(text: str) -> str:
    found = find_bidi_control(text)
    if found:
        raise PydanticCustomError(
            "bidi_control",
            "the text holds the invisible control character {char}",
            {"char": bidi_name(found.group())},
        )
    return text


def _web_url(url: str) -> str:
    if not is_web_url(url):
        raise PydanticCustomError(
            "web_url", "the address must start with https:// or http://, and hold no spaces"
        )
    return url


def _phone(phone: str) -> str:
    if not is_phone(phone):
        raise PydanticCustomError(
            "phone",
            "a phone number holds only digits, spaces, brackets, dots and dashes, with a"
            " leading + for a country code ({low} to {high} digits)",
            {"low": PHONE_DIGITS[0], "high": PHONE_DIGITS[1]},
        )
    return phone


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[
    str, AfterValidator(_clean), AfterValidator(_no_bidi), StringConstraints(min_length=1)
]
# The patterns tell an author's editor the same rule (JSON Schema); the validators give
# the loader's message.
WebUrl = Annotated[
    Text, AfterValidator(_web_url), Field(json_schema_extra={"pattern": "^https?://[^\\s<>\"'`]+$"})
]
Phone = Annotated[
    Text,
    AfterValidator(_phone),
    Field(json_schema_extra={"pattern": "^\\+?[0-9][0-9 ()./-]*[0-9]$"}),
]
Summary = Annotated[Text, StringConstraints(max_length=SUMMARY_MAX)]


def _not_true_or_false(value: object) -> object:
    """A whole number written as one: ``true`` is not 1 (pydantic would read it so)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Whole = Annotated[int, BeforeValidator(_not_true_or_false)]


def _one_or_many(value: object) -> object:
    """Let authors write ``source: results`` as well as ``source: [results, review]``."""
    return [value] if isinstance(value, str) else value


IdOrIds = Annotated[
    tuple[Id, ...], BeforeValidator(_one_or_many, json_schema_input_type=Id | list[Id])
]
"""One id or a list of them; the JSON Schema for editors says so too."""


class Model(BaseModel):
    """Base for every part of the document: unknown keys refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reviewer(Model):
    """Who reviewed the content: always a role; a person's name only where one is given."""

    role: Text = Field(description="e.g. 'Clinical nurse specialist, haematology'.")
    name: Text | None = Field(default=None, description="A person's name, if they gave it.")


class Scope(Model):
    """Whom the content is about, in a sentence or two (e.g. the source's figures are
    about adults), with the source it rests on."""

    text: Text = Field(description="e.g. 'The figures in this guide are about adults.'")
    source: Id | None = None
    section: Text | None = None


class Metadata(Model):
    """Who publishes the pathway, what it is for, and when it must be reviewed again."""

    id: Id = Field(description="The pathway's own id: a short name, e.g. 'clinic_visits'.")
    title: Text = Field(description="The pathway's title, shown at the top of every page.")
    version: Text = Field(description="The content's own version, e.g. '1.0.0'.")
    language: Literal["en-GB"] = "en-GB"
    intended_purpose: Text = Field(
        description="Shown on every page, every render and in --help: what this is and is not."
    )
    publisher: Text = Field(description="Who publishes the pathway and answers for it.")
    reviewer: Reviewer | None = Field(
        default=None,
        description="Who reviewed the content: a role, and a name only where one is given.",
    )
    reviewed: dt.date = Field(description="When the content was last reviewed (YYYY-MM-DD).")
    next_review: dt.date = Field(description="When it must be reviewed again; past is an error.")
    scope: Scope | None = Field(
        default=None,
        description="Whom the content and its figures are about; shown on the start page and"
        " beside every figure.",
    )
    schema_version: Whole = Field(
        default=1,
        ge=1,
        description="The version of the document schema this document was written for"
        " (1 when absent); a newer program reads every older version.",
    )
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
    url: WebUrl = Field(description="Where a reader can find the source (http or https).")
    accessed: dt.date
    sections: tuple[Text, ...] = Field(
        min_length=1, description="Section headings that facts may cite."
    )


class SupportContact(Model):
    """Somebody a reader can talk to; the first one is the support line on every page."""

    name: Text
    phone: Phone = Field(description="A phone number: digits, spaces, brackets, dashes, +.")
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
    label: Text = Field(description="The topic as a short label, shown where it is chosen.")
    phrase: Text | None = Field(
        default=None,
        description="The topic as words that fit in the middle of a sentence, after"
        " 'information about' or 'only for' (lowercase unless a name). Without it, pages"
        " show the label on its own, never inside a sentence.",
    )


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

    count: Whole = Field(ge=0)
    out_of: Whole = Field(gt=0)
    hedge: Hedge
    about: Text = Field(description="Who the number is about, e.g. 'adults in trials'.")
    percent: Whole | None = Field(
        default=None, ge=0, le=100, description="The source's own percentage, if it gives one."
    )
    filled: Text | None = Field(
        default=None,
        description="Whom one filled figure of the icon array stands for, e.g. 'a person the"
        " treatment worked for'.",
    )


class Fact(Model):
    """One claim from a source, in our own words, with where it comes from."""

    text: Text
    source: Id
    section: Text
    number: Number | None = None


class OptionNote(Model):
    """What the source says about one option at a branch (e.g. that it is usually the
    first step), in words shown beside the option; never shown by order, size or colour."""

    step: Id = Field(description="The trigger of the option's step from this state.")
    text: Text = Field(description="e.g. 'The source says this is usually the first step.'")
    source: Id
    section: Text


class ComparisonRow(Model):
    """A row of the presenter's option grid that the states fill in (e.g. "How it is
    given"): each option's cell is what its state's ``compare`` says under this id, or
    "The source does not say"."""

    id: Id
    title: Text = Field(description="e.g. 'How it is given'.")


class Said(Model):
    """What the source says about one thing, in our own words, with where it says it."""

    text: Text
    source: Id
    section: Text


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
    notes: tuple[OptionNote, ...] = Field(
        default=(), description="What the source says about some of the options from here."
    )
    no_figure: Text | None = Field(
        default=None,
        description="Said where the figures would be when the source gives none for this"
        " option, e.g. 'The source gives no figure for this.'",
    )
    compare: Mapping[Id, Said] = Field(
        default_factory=dict,
        description="This option's cells in the option grid, by comparison row id; a row"
        " left out shows 'The source does not say'.",
    )


class Chapter(Model):
    """A way into the pathway: a named entry that begins a journey at one state."""

    id: Id
    title: Text = Field(description="e.g. 'Start at the first appointment'.")
    start: Id = Field(description="The state the entry begins at (with no path before it).")
    summary: Text | None = Field(default=None, description="A short line under the title.")


class Phase(Model):
    """A part of the pathway in time (e.g. the first treatment, after it, the end points):
    the map draws each phase as one row, in the document's order, so that its arrows flow
    one way."""

    id: Id
    title: Text = Field(description="e.g. 'After the operation'.")
    states: IdOrIds = Field(min_length=1, description="The states in this phase.")


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
        description="The context values this step is for, by context id, e.g. {age_group:"
        " [adults]}; without it the step is for every topic.",
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
        what a label such as "for people at home" names."""
        return [
            (name, value)
            for name, values in self.when.items()
            if chosen.get(name) not in values
            for value in values
        ]


Words = Annotated[
    tuple[Text, ...],
    BeforeValidator(
        _one_or_many, json_schema_input_type=Text | Annotated[list[Text], Field(min_length=1)]
    ),
    Field(min_length=1),
]
"""A word, or a list of the ways it is written (the first names it in messages)."""


class TeamSettings(Model):
    """How the pathway points a reader to the people who care for them."""

    state: Id | None = Field(
        default=None,
        description="The state about talking to the team: every branch offers a step to it"
        " and every end point names the team or leads to it. Without it, any state whose"
        " title names the team counts.",
    )
    names: tuple[Text, ...] = Field(
        default=(),
        description="How this pathway names the team, e.g. 'diabetes team' (as in 'talk to"
        " your diabetes team'); added to the built-in names (healthcare team, care team,"
        " doctor, nurse, ...). The first one names the team in lint messages.",
    )


class NoTreatmentSettings(Model):
    """The choice not to have (more) treatment, which lint asks to see wherever two or
    more treatments are offered."""

    states: IdOrIds = Field(
        default=(),
        description="The states that offer the choice not to have (more) treatment.",
    )
    term: Text | None = Field(
        default=None,
        description="What this pathway calls that choice, for lint messages (default: 'the"
        " choice not to have treatment').",
    )
    when: Mapping[Id, IdOrIds] = Field(
        default_factory=dict,
        description="The topics the rule applies to, written as a step's 'when' (context id:"
        " values). Without it, the rule applies to every topic.",
    )


class NotePrompt(Model):
    """An open prompt a reader may answer in their own notes ("What matters to me").

    Nothing reads the answers: they are never scored, ranked or turned into a suggestion,
    and they change nothing the guide shows.
    """

    id: Id = Field(description="Names the answer in the reader's notes; keep it when rewording.")
    prompt: Text = Field(description="Plain, open words, e.g. 'What worries you most?'.")


class LintSettings(Model):
    """Settings an author can give ``pathways lint``: the pathway's own words and states.

    Every list adds to the built-in one; nothing here is needed for a pathway to validate.
    """

    advice_phrases: tuple[Text, ...] = Field(
        default=(), description="More phrases that read as advice, added to the built-in list."
    )
    syllables: Mapping[str, Annotated[Whole, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Syllable counts for words the scorer gets wrong (1 or more each).",
    )
    team: TeamSettings = Field(
        default_factory=TeamSettings,
        description="Where a reader can talk to the people who care for them.",
    )
    no_treatment: NoTreatmentSettings = Field(
        default_factory=NoTreatmentSettings,
        description="Where the choice not to have (more) treatment is offered.",
    )
    treatment_words: tuple[Text, ...] = Field(
        default=(),
        description="Words that make a state a treatment option when its title names one;"
        " added to the built-in ones (treatment, therapy, surgery, ...).",
    )
    medical_words: tuple[Words, ...] = Field(
        default=(),
        description="Medical words that need a glossary entry wherever a reader meets them:"
        " a word, or a list of the ways it is written; added to the built-in ones.",
    )


class Pathway(Model):
    """A whole pathway document."""

    metadata: Metadata
    sources: tuple[Source, ...] = Field(min_length=1)
    support: tuple[SupportContact, ...] = Field(min_length=1)
    glossary: tuple[GlossaryEntry, ...] = ()
    contexts: tuple[Context, ...] = ()
    start: Id
    chapters: tuple[Chapter, ...] = Field(
        default=(), description="Ways in: entries that begin a journey at a chosen state."
    )
    states: tuple[State, ...] = Field(min_length=1)
    transitions: tuple[Transition, ...] = ()
    what_matters: tuple[NotePrompt, ...] = Field(
        default=(),
        description="Open prompts for the reader's own notes, each with a free-text answer.",
    )
    comparison: tuple[ComparisonRow, ...] = Field(
        default=(),
        description="Rows of the presenter's option grid that states fill in with"
        " 'compare', on top of what each option is, its figures and its source.",
    )
    phases: tuple[Phase, ...] = Field(
        default=(),
        description="The parts of the pathway in time, in order, each naming its states;"
        " the map draws them as rows. Without them the map's rows follow the steps from"
        " the start.",
    )
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
