"""The JSON API's answers as pydantic models: exactly the keys each answer has, so the
OpenAPI document (``/openapi.json``) describes them and the tests check every answer
against it. Data only; ``api.py`` makes the answers and serves them. Layer 4.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from pathways.schema import Pathway as PathwayDocument

# --------------------------------------------------------------------------- answers


class Answer(BaseModel):
    """Every part of an answer: exactly these keys, no others."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SupportLine(Answer):
    """Who a reader can talk to: show it with anything taken from this API."""

    name: str
    phone: str
    offers: str


class Framed(Answer):
    """The two things every answer carries, to be shown beside whatever a client shows."""

    intended_purpose: str = Field(
        description="What this information is and is not. Show it with the content."
    )
    support: SupportLine


class PathwayInfo(Answer):
    id: str
    title: str
    version: str
    language: str
    publisher: str
    reviewed_by: str | None = Field(description="Who reviewed the content: a role, or a name.")
    reviewed: dt.date
    next_review: dt.date
    scope: str | None = Field(description="Whom the content and its figures are about.")


class SourceRef(Answer):
    id: str
    title: str
    publisher: str
    url: str


class NumberView(Answer):
    """A figure as a natural frequency, with the source's hedge."""

    count: int
    out_of: int
    hedge: str
    about: str
    percent: int | None
    words: str = Field(description="The number in words, e.g. 'as many as 9 in 10 ...'.")
    in_text: bool = Field(description="Whether the fact's own text already says it in words.")
    filled: str | None = Field(description="Whom one filled figure of a picture stands for.")
    caption: str = Field(description="What a picture of the number shows, in words.")
    scope: str | None = Field(description="Whom the figures are about: show it beside them.")


class FactView(Answer):
    text: str
    source: SourceRef
    section: str = Field(description="The section of the source the fact comes from.")
    number: NumberView | None


class TermView(Answer):
    id: str
    term: str
    definition: str


class NoteView(Answer):
    """What the source says about an option (e.g. that it is usually the first step):
    show it in words beside the option, never by order, size or colour."""

    text: str
    source: str
    section: str


class NextStep(Answer):
    """A way on from the state, shown with equal weight to the others (no ranking)."""

    trigger: str
    to: str
    to_title: str
    label: str
    applies_to: list[str] = Field(
        description="Topics the step is only for (their labels), when the reader has not"
        " narrowed the topic: show them as a list, e.g. 'Only for: <label>'."
    )
    applies_phrases: list[str] = Field(
        description="The same topics as words that fit mid-sentence ('only for <phrase>'),"
        " when the pathway gives them for every one; otherwise empty."
    )
    note: NoteView | None = Field(description="What the source says about this option.")


class Place(Answer):
    id: str
    title: str
    jumped: bool = Field(
        description="True where the reader jumped to this state rather than walked to it."
    )


class TopicShown(Answer):
    id: str
    label: str
    value: str
    value_label: str
    value_phrase: str | None = Field(
        description="The chosen value as words that fit mid-sentence, if the pathway gives"
        " them; otherwise show value_label on its own."
    )
    narrowed: bool = Field(description="False while the topic's default (all) is shown.")


class SourceView(Answer):
    id: str
    title: str
    publisher: str
    url: str
    accessed: dt.date


class StateView(Framed):
    """One state as ``pathways show STATE --format json`` renders it."""

    pathway: PathwayInfo
    id: str
    title: str
    summary: str
    explanation: list[str]
    facts: list[FactView]
    no_figure: str | None = Field(
        description="Said where figures would be, if the source has none."
    )
    questions: list[str]
    terms: list[TermView]
    start: bool
    end: bool
    next: list[NextStep] = Field(description="Every way on, filtered by the topics chosen.")
    path: list[Place]
    context: list[TopicShown]
    sources: list[SourceView]
    token: str = Field(description="A journey at this state, for /api/journeys/{token}.")


class JourneyInfo(Answer):
    token: str = Field(description="The whole journey in a URL-safe string.")
    state: str
    history: list[str] = Field(description="The states before this one, oldest first.")
    path: list[str] = Field(description="history, then the current state.")
    jumped: list[bool] = Field(
        description="One flag per state of path: true where the reader jumped there (from"
        " the map or a jump) rather than walked there by a step; a jump is looked at, not"
        " a step taken."
    )
    walked: list[str] = Field(
        description="The states of path the reader walked to by a step or began at, in order."
    )
    context: dict[str, str] = Field(description="The topic chosen for each topic name.")
    can_go_back: bool
    earlier: int | None = Field(
        description="None while `path` holds every place since the journey began. A"
        " journey keeps at most `max_places` places: past that, the oldest are let go as it"
        " goes on, and this counts the steps taken before the first place kept (0 if only"
        " places jumped to were let go). Say so beside the path: it no longer begins where"
        " the reader began."
    )
    max_places: int = Field(description="The most places a journey keeps (and a token holds).")


class StepLink(Answer):
    trigger: str
    href: str


class JourneyLinks(Answer):
    """Where to go from here: API addresses, and the same journey as web pages."""

    self: str
    back: str | None
    restart: str
    steps: list[StepLink]
    page: str = Field(description="The journey's web page (patients).")
    embed: str = Field(description="The journey's embeddable page (for an iframe).")


class JourneyAnswer(Framed):
    journey: JourneyInfo
    state: StateView
    links: JourneyLinks


class PathwayExport(PathwayDocument):
    """The whole pathway document, as ``pathways export json`` writes it."""

    format: str = Field(description="The export's shape, e.g. 'pathways/1'.")
    id: str
    title: str
    version: str
    intended_purpose: str


class PathwayAnswer(Framed):
    pathway: PathwayExport


class Problem(Framed):
    """An error answer: problem details (RFC 9457, ``application/problem+json``), with
    the statement and the support line like every answer."""

    type: str = Field(
        description="What kind of problem, as a URI reference: its section of /api/docs.",
        json_schema_extra={"format": "uri-reference"},
    )
    title: str = Field(description="The kind of problem in words; the same for every one.")
    status: int = Field(description="The HTTP status code of the answer.")
    detail: str = Field(description="This occurrence of the problem, in words.")
    instance: str | None = Field(
        None,
        description="The address that was asked for (left out of the answer to a fault,"
        " which is made in advance).",
    )
    allowed: list[str] = Field(
        description="What would have been accepted (steps, states, topic values, keys,"
        " methods, addresses), where that is a known list; else empty."
    )
    hint: str = Field(description="What a client can do about it.")
