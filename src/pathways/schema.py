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
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
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

from pathways.errors import Problem, ProblemList, did_you_mean

__all__ = [
    "ID_PATTERN",
    "SCHEMA_VERSION",
    "Pathway",
    "ValidationError",
    "check_pathway",
    "find_bidi_control",
    "is_web_url",
    "iter_text",
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

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
"""Bidirectional embedding, override and isolate controls: invisible characters that
reorder how the text around them is shown, so displayed text can read differently from
what was written (the "Trojan Source" trick). Right-to-left letters need none of them:
pages isolate each piece of content and let the browser find its direction."""

BIDI_HINT = (
    "delete it (it is invisible in most editors and reorders how the text is shown);"
    " right-to-left letters are allowed and need no control character"
)


def find_bidi_control(text: str) -> re.Match[str] | None:
    """The first bidirectional control character in ``text``, if any."""
    return BIDI_CONTROLS.search(text)


def bidi_name(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE': how messages name a control character."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL')}"


def _no_bidi(text: str) -> str:
    found = find_bidi_control(text)
    if found:
        raise PydanticCustomError(
            "bidi_control",
            "the text holds the invisible control character {char}",
            {"char": bidi_name(found.group())},
        )
    return text


_WEB_URL = re.compile(r"https?://[^\s<>\"'`]+")


def is_web_url(url: object) -> bool:
    """Only http(s) addresses are sources or links: a 'javascript:' URL must never be."""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def _web_url(url: str) -> str:
    if not is_web_url(url):
        raise PydanticCustomError(
            "web_url", "the address must start with https:// or http://, and hold no spaces"
        )
    return url


_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*[0-9]")
PHONE_DIGITS = (3, 15)
"""A phone number has 3 (a short code) to 15 (the E.164 limit) digits."""


def _phone(phone: str) -> str:
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE.fullmatch(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise PydanticCustomError(
            "phone",
            "a phone number holds only digits, spaces, brackets, dots and dashes, with a"
            " leading + for a country code ({low} to {high} digits)",
            {"low": PHONE_DIGITS[0], "high": PHONE_DIGITS[1]},
        )
    return phone


def tel_uri(phone: str) -> str:
    """A phone number as a ``tel:`` link target (RFC 3966): the digits, a leading + kept.

    The one place a number becomes a link. A national trunk prefix written in brackets
    after a country code ("+44 (0)20 ...") is not dialled from abroad, so it is dropped.
    """
    phone = phone.strip()
    if phone.startswith("+"):
        phone = re.sub(r"\(\s*0\s*\)", "", phone)
    digits = re.sub(r"\D", "", phone)
    return f"tel:{'+' if phone.startswith('+') else ''}{digits}"


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
    schema_version: int = Field(
        default=1,
        ge=1,
        description="The version of the document schema this document was written for"
        " (1 when absent); a newer program reads every older version.",
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

    count: int = Field(ge=0)
    out_of: int = Field(gt=0)
    hedge: Hedge
    about: Text = Field(description="Who the number is about, e.g. 'adults in trials'.")
    percent: int | None = Field(
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


class Chapter(Model):
    """A way into the pathway: a named entry that begins a journey at one state."""

    id: Id
    title: Text = Field(description="e.g. 'Start at the first appointment'.")
    start: Id = Field(description="The state the entry begins at (with no path before it).")
    summary: Text | None = Field(default=None, description="A short line under the title.")


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
    syllables: Mapping[str, int] = Field(
        default_factory=dict, description="Syllable counts for words the scorer gets wrong."
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
    lint: LintSettings = LintSettings()

    _states: dict[str, State] = PrivateAttr(default_factory=dict)
    # Objects that higher layers derive from this pathway once and share (the journey
    # machine, compiled lookups); the pathway is immutable, so they never go stale.
    _derived: dict[str, object] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        self._states = {s.id: s for s in self.states}

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


# --------------------------------------------------------------------------- checks


def check_pathway(pathway: Pathway, *, today: dt.date | None = None) -> list[Problem]:
    """Every problem across the document, each with the path of the value to fix."""
    problems = ProblemList()
    _check_unique_ids(pathway, problems)
    _check_transitions(pathway, problems)
    _check_reachability(pathway, problems)
    _check_citations(pathway, problems)
    _check_glossary(pathway, problems)
    _check_contexts(pathway, problems)
    _check_notes(pathway, problems)
    _check_chapters(pathway, problems)
    _check_review(pathway, problems, today or dt.date.today())
    _check_schema_version(pathway, problems)
    _check_lint_settings(pathway, problems)
    return problems.problems


def _check_schema_version(p: Pathway, problems: ProblemList) -> None:
    version = p.metadata.schema_version
    if version > SCHEMA_VERSION:
        problems.add(
            f"the document was written for schema version {version}; this version of"
            f" pathways reads {_versions()}",
            path=("metadata", "schema_version"),
            hint="update pathways to a release that reads it, or check the number",
        )


def _versions() -> str:
    return "version 1" if SCHEMA_VERSION == 1 else f"versions 1 to {SCHEMA_VERSION}"


def _check_lint_settings(p: Pathway, problems: ProblemList) -> None:
    """The states and topics the lint settings name must exist, as a step's must."""
    states = set(p.state_ids)
    team = p.lint.team.state
    if team is not None and team not in states:
        problems.add(
            f"lint.team.state names unknown state '{team}'",
            path=("lint", "team", "state"),
            hint=did_you_mean(team, states),
        )
    for index, state in enumerate(p.lint.no_treatment.states):
        if state not in states:
            problems.add(
                f"lint.no_treatment.states names unknown state '{state}'",
                path=("lint", "no_treatment", "states", index),
                hint=did_you_mean(state, states),
            )
    _check_when(p, p.lint.no_treatment.when, ("lint", "no_treatment", "when"), problems)


def _check_when(
    p: Pathway,
    when: Mapping[str, tuple[str, ...]],
    path: tuple[str | int, ...],
    problems: ProblemList,
) -> None:
    owner = ".".join(str(part) for part in path)
    contexts = {c.id: c for c in p.contexts}
    for name, values in when.items():
        context = contexts.get(name)
        if context is None:
            problems.add(
                f"{owner} names unknown context '{name}'",
                path=(*path, name),
                hint=did_you_mean(name, contexts),
            )
            continue
        allowed = [v.id for v in context.values]
        for index, value in enumerate(values):
            if value not in allowed:
                problems.add(
                    f"{owner} names '{name}={value}', which is not a value of context '{name}'",
                    path=(*path, name, index),
                    hint=did_you_mean(value, allowed),
                )


def _check_unique_ids(p: Pathway, problems: ProblemList) -> None:
    groups: list[tuple[str, str, list[str]]] = [
        ("states", "state", [s.id for s in p.states]),
        ("sources", "source", [s.id for s in p.sources]),
        ("glossary", "glossary entry", [g.id for g in p.glossary]),
        ("contexts", "context", [c.id for c in p.contexts]),
        ("chapters", "chapter", [c.id for c in p.chapters]),
        ("what_matters", "prompt", [w.id for w in p.what_matters]),
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
    for t in p.transitions:
        for source in t.source:
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


def _check_cited(
    p: Pathway,
    problems: ProblemList,
    what: str,
    source_id: str | None,
    section: str | None,
    path: tuple[str | int, ...],
) -> None:
    """A citation (source and section) of something other than a fact: both or neither."""
    sources = {s.id: s for s in p.sources}
    if source_id is None:
        if section is not None:
            problems.add(
                f"{what} cites section '{section}' but no source",
                path=(*path, "section"),
                hint=f"add source: (known: {', '.join(sources)})",
            )
        return
    source = sources.get(source_id)
    if source is None:
        problems.add(
            f"{what} cites unknown source '{source_id}'",
            path=(*path, "source"),
            hint=did_you_mean(source_id, sources),
        )
    elif section is not None and section not in source.sections:
        problems.add(
            f"{what} cites section '{section}', which source '{source_id}' does not declare",
            path=(*path, "section"),
            hint=did_you_mean(section, source.sections),
        )


def _check_notes(p: Pathway, problems: ProblemList) -> None:
    """A note names an option of its own state, once, and cites the source; a state that
    says the source gives no figure has no figure."""
    scope = p.metadata.scope
    if scope is not None:
        _check_cited(p, problems, "the scope", scope.source, scope.section, ("metadata", "scope"))
    for s_index, state in enumerate(p.states):
        seen: set[str] = set()
        steps = {t.trigger for t in p.transitions if state.id in t.source}
        for n_index, note in enumerate(state.notes):
            path = ("states", s_index, "notes", n_index)
            if note.step not in steps:
                problems.add(
                    f"a note in state '{state.id}' is about step '{note.step}', which does not"
                    " lead on from there",
                    path=(*path, "step"),
                    hint=did_you_mean(note.step, steps),
                )
            if note.step in seen:
                problems.add(
                    f"state '{state.id}' has more than one note about step '{note.step}'",
                    path=(*path, "step"),
                    hint="say it all in one note",
                )
            seen.add(note.step)
            _check_cited(
                p, problems, f"a note in state '{state.id}'", note.source, note.section, path
            )
        if state.no_figure is not None and any(f.number for f in state.facts):
            problems.add(
                f"state '{state.id}' says the source gives no figure, but one of its facts has"
                " a number",
                path=("states", s_index, "no_figure"),
                hint="remove no_figure, or the number",
            )


def _check_chapters(p: Pathway, problems: ProblemList) -> None:
    states = set(p.state_ids)
    for index, chapter in enumerate(p.chapters):
        if chapter.start not in states:
            problems.add(
                f"chapter '{chapter.id}' starts at unknown state '{chapter.start}'",
                path=("chapters", index, "start"),
                hint=did_you_mean(chapter.start, states),
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
    if meta.reviewer is not None:
        yield ("metadata", "reviewer", "role"), meta.reviewer.role
    if meta.scope is not None:
        yield ("metadata", "scope", "text"), meta.scope.text
    for i, chapter in enumerate(pathway.chapters):
        yield ("chapters", i, "title"), chapter.title
        if chapter.summary is not None:
            yield ("chapters", i, "summary"), chapter.summary
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
            if fact.number is not None and fact.number.filled is not None:
                yield ("states", i, "facts", j, "number", "filled"), fact.number.filled
        for j, note in enumerate(state.notes):
            yield ("states", i, "notes", j, "text"), note.text
        if state.no_figure is not None:
            yield ("states", i, "no_figure"), state.no_figure
        for j, question in enumerate(state.questions):
            yield ("states", i, "questions", j), question
    for i, t in enumerate(pathway.transitions):
        yield ("transitions", i, "label"), t.label
    for i, prompt in enumerate(pathway.what_matters):
        yield ("what_matters", i, "prompt"), prompt.prompt
