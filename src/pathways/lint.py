"""Checks that a pathway reads as information, never advice, in plain words.

``pathways lint`` enforces the content rules of CONTENT.md on a loaded document. Each rule
is one small function, registered by id in ``RULES``; it reads the document and yields
findings with the path of the value at fault, which the document turns into
``file:line:col``. The word lists each rule uses are data (``data/lint.toml``: words of
any health pathway), extended by the document's own ``lint:`` settings (its treatments,
medical words and names of the team), which also name the states the rules look for.
No state id is assumed: see ``Run`` for what each rule does when the document is silent.

Rules (error unless said):

``advice``       wording that reads as advice, in every text a person can see and in the
                 words of the templates.
``readability``  Flesch-Kincaid grade per state and for the whole pathway (over 8 an
                 error, over 6 a warning); sentences over 25 words (over 20 a warning);
                 paragraphs of more than 3 sentences (warning). SMOG is reported beside.
``numbers``      one denominator for every natural frequency; numbers keep their hedge;
                 no decimals, no relative risk, no percentage without "N in M" beside it;
                 a number says whom a filled figure of its picture stands for (warning).
``provenance``   facts cite a declared source and section; figures in the text belong to
                 a cited fact; review dates (past: error, within 90 days: warning).
``glossary``     medical words are in the glossary and listed by the states that use them.
``balance``      at every branch: options told apart, none preferred, summaries of
                 similar length (warning), and the choice not to have (more) treatment
                 (``lint.no_treatment``) offered where treatment is being decided: where,
                 for some topic choice the rule applies to, two or more steps lead to
                 states whose titles name a treatment (``treatment_words``).
``exits``        every end point and branch offers talking to the team (``lint.team``),
                 and the support line has a phone number.
``praise``       a word that praises an option ("promising", "fewer side effects") says,
                 in the same text, what it is compared with or that the source makes no
                 comparison.

``balance`` also warns where, at a branch, one treatment option has a figure and another
has neither a figure nor a ``no_figure`` line saying the source gives none.

This module reads no pathway file itself: the caller loads the document (layer 3; no
imports from other layer 3 modules). ``textstat`` is imported only when scores are needed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Literal, Protocol

from pathways.checks import iter_all_text, iter_text
from pathways.errors import Location
from pathways.markup import HIDDEN_ELEMENT, TAG
from pathways.schema import Pathway, State, Transition

DocPath = tuple[str | int, ...]
Severity = Literal["error", "warning"]

GRADE_ERROR = 8.0
GRADE_WARNING = 6.0
SENTENCE_ERROR = 25
SENTENCE_WARNING = 20
PARAGRAPH_SENTENCES = 3
REVIEW_WARNING_DAYS = 90
SUMMARY_RATIO = 2.0
SMOG_SAMPLE = 30
"""SMOG was normed on 30-sentence samples; shorter texts are scaled to 30 (see scoring)."""

PATHWAY_FIGURES = "(whole pathway)"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Finding:
    """One problem the lint found, where it is and how to fix it."""

    location: Location
    rule: str
    severity: Severity
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.location}: {self.rule}: {self.severity}: {self.message}\n  hint: {self.hint}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.location.file, self.location.line, self.location.col, self.rule, self.message)

    def as_dict(self) -> dict[str, str | int]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "col": self.location.col,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Figures:
    """Readability figures for one state, or for the whole pathway.

    ``smog`` uses the standard scaling to a 30-sentence sample at any length (as textstat
    0.7.8 does); ``smog_sample_ok`` says whether the text had the 30 sentences SMOG was
    normed on.
    """

    name: str
    fk_grade: float
    smog: float
    words: int
    sentences: int
    syllables: int
    polysyllables: int
    longest_sentence: int

    @property
    def smog_sample_ok(self) -> bool:
        return self.sentences >= SMOG_SAMPLE

    def as_dict(self) -> dict[str, str | int | float | bool]:
        return {
            "name": self.name,
            "fk_grade": round(self.fk_grade, 1),
            "smog": round(self.smog, 1),
            "smog_sample_ok": self.smog_sample_ok,
            "words": self.words,
            "sentences": self.sentences,
            "syllables": self.syllables,
            "polysyllables": self.polysyllables,
            "longest_sentence": self.longest_sentence,
        }


@dataclass(frozen=True)
class Readability:
    """The figures of every state, in document order, and of the whole pathway."""

    states: tuple[Figures, ...]
    pathway: Figures


@dataclass(frozen=True)
class LintReport:
    """Everything one lint run found, sorted by file and line, and the readability figures."""

    findings: tuple[Finding, ...]
    readability: Readability

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when nothing is an error (warnings alone pass)."""
        return self.errors == 0

    @property
    def summary(self) -> str:
        return f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "readability": {
                "states": [f.as_dict() for f in self.readability.states],
                "pathway": self.readability.pathway.as_dict(),
            },
            "errors": self.errors,
            "warnings": self.warnings,
        }


class Document(Protocol):
    """A loaded pathway document that can say where each of its values sits."""

    @property
    def pathway(self) -> Pathway: ...

    @property
    def filename(self) -> str: ...

    def locate(self, path: DocPath) -> Location:
        """Where the value at ``path`` is; for a path not in the file, its nearest parent."""
        ...


@dataclass(frozen=True)
class LintConfig:
    """How to lint: which day it is, which templates, and overrides of the document.

    ``templates_dirs`` are searched in order, as the renderer does: a file in an earlier
    folder hides the file of the same name in a later one, which is then not checked.
    ``team_state`` and ``no_treatment_states`` replace the document's ``lint.team.state``
    and ``lint.no_treatment.states`` when given (None: the document's own).
    """

    today: dt.date | None = None
    templates_dirs: tuple[Path, ...] = ()
    team_state: str | None = None
    no_treatment_states: tuple[str, ...] | None = None
    review_warning_days: int = REVIEW_WARNING_DAYS
    rules: tuple[str, ...] | None = None
    """Only these rules (all when None)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Phrase:
    """Wording the advice rule flags, with why and what to say instead."""

    pattern: re.Pattern[str]
    says: str
    hint: str


@dataclass(frozen=True)
class LintData:
    """The packaged word lists (``data/lint.toml``), compiled."""

    advice: tuple[Phrase, ...]
    syllables: Mapping[str, int]
    spelling: tuple[tuple[re.Pattern[str], str], ...]
    relative_risk: tuple[re.Pattern[str], ...]
    medical_words: tuple[tuple[str, ...], ...]
    preferred_words: tuple[str, ...]
    generic_labels: tuple[str, ...]
    treatment_words: tuple[str, ...]
    team_verbs: tuple[str, ...]
    team_names: tuple[str, ...]
    praise: tuple[re.Pattern[str], ...]
    praise_comparison: re.Pattern[str]
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def talk_to_team(self) -> re.Pattern[str]:
        """Wording that names talking to the team, with the packaged names only."""
        return team_wording(self.team_verbs, self.team_names)


def bounded(pattern: str, *, ignore_case: bool = True) -> re.Pattern[str]:
    """Compile ``pattern`` to match whole words only."""
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w])", flags)


def phrase_pattern(phrase: str) -> str:
    """A regular expression for a plain phrase: any white space between its words."""
    words = normalise_quotes(phrase).split()
    return r"\s+".join(re.escape(w) for w in words)


def is_initialism(word: str) -> bool:
    """True for words written in capitals ("NHS", "GPs", "MRI-A"): matched by case."""
    return re.fullmatch(r"[A-Z0-9][A-Z0-9-]*[A-Z0-9]s?", word) is not None


def term_matcher(words: Iterable[str]) -> list[re.Pattern[str]]:
    """Patterns for the ways a term is written; initialisms match only in capitals."""
    return [bounded(phrase_pattern(w), ignore_case=not is_initialism(w)) for w in words]


@functools.cache
def load_data() -> LintData:
    """The packaged lint data, read once."""
    text = importlib_resources.files("pathways").joinpath("data/lint.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return LintData(
        advice=tuple(
            Phrase(bounded(entry["pattern"]), entry["says"], entry["hint"])
            for entry in raw["advice"]
        ),
        syllables=dict(raw["syllables"]),
        spelling=tuple(
            (re.compile(entry["british"]), entry["american"]) for entry in raw["spelling"]
        ),
        relative_risk=tuple(bounded(entry["pattern"]) for entry in raw["relative_risk"]),
        medical_words=tuple(tuple(entry["words"]) for entry in raw["medical_words"]),
        preferred_words=tuple(raw["balance"]["preferred_words"]),
        generic_labels=tuple(raw["balance"]["generic_labels"]),
        treatment_words=tuple(raw["balance"]["treatment_words"]),
        team_verbs=tuple(raw["exits"]["verbs"]),
        team_names=tuple(raw["exits"]["team_names"]),
        praise=tuple(bounded(entry["pattern"]) for entry in raw["praise"]),
        praise_comparison=bounded(raw["praise_comparison"]["pattern"]),
        raw=raw,
    )


@functools.lru_cache(maxsize=64)
def team_wording(verbs: tuple[str, ...], names: tuple[str, ...]) -> re.Pattern[str]:
    """Text that names talking to the team: a verb, up to four words, then "your", "the"
    or "their" (and "own") before one of the team's names ("talk to your diabetes team")."""
    verb = "|".join(phrase_pattern(v) for v in sorted(verbs, key=len, reverse=True))
    name = "|".join(phrase_pattern(n) for n in sorted(names, key=len, reverse=True))
    return bounded(
        rf"(?:{verb})(?:\s+\w+){{0,4}}?\s+(?:with\s+|to\s+)?(?:your|the|their)\s+(?:own\s+)?"
        rf"(?:{name})"
    )


# --------------------------------------------------------------------------- text helpers


def normalise_quotes(text: str) -> str:
    """Curly apostrophes read as straight ones (same length, so offsets still hold)."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 3].rstrip() + '...'}'"


_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")
# A figure with thousands separators ("1,500") is one word, read as one number.
_WORD = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*")


def split_sentences(text: str) -> list[str]:
    """The sentences of a text: split after . ! or ? followed by a space or the end.

    Text without a closing mark (a title, a label) is one sentence.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if words_of(s)]


def words_of(text: str) -> list[str]:
    """The words of a text; hyphens and slashes separate words ("hard-to-treat" is 3)."""
    return _WORD.findall(text)


# Written numbers and their spoken syllables; a figure like "10" is read as a word.
_NUMBER_SYLLABLES = (2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 3, 1, 2, 2, 2, 2, 3, 2, 2)
_TENS_SYLLABLES = {2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 3, 8: 2, 9: 2}


_SCALES = (10**12, 10**9, 10**6, 1000)
"""Trillion, billion, million, thousand: two syllables each."""


def number_syllables(n: int) -> int:
    """Syllables in the British reading of a whole number ("140": one hundred and forty;
    "1005": one thousand and five); beyond the trillions, in trillions ("one thousand
    trillion")."""
    if n < 20:
        return _NUMBER_SYLLABLES[n]
    if n < 100:
        return _TENS_SYLLABLES[n // 10] + (number_syllables(n % 10) if n % 10 else 0)
    if n < 1000:
        rest = n % 100
        return number_syllables(n // 100) + 2 + (1 + number_syllables(rest) if rest else 0)
    syllables, rest = 0, n
    for scale in _SCALES:
        count, rest = divmod(rest, scale)
        if count:
            syllables += number_syllables(count) + 2
    if rest:  # "and" before a last part under a hundred: "one thousand and five"
        syllables += number_syllables(rest) + (1 if rest < 100 else 0)
    return syllables


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "a hundred": 100, "one hundred": 100, "thousand": 1000, "a thousand": 1000,
    "one thousand": 1000,
}  # fmt: skip
_NUM = r"\d+|" + "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(_NUMBER_WORDS, key=len, reverse=True)
)
FREQUENCY = re.compile(
    rf"(?<![\w.])(?P<count>{_NUM})\s+(?:in|out\s+of)\s+(?:every\s+)?(?P<of>{_NUM})(?![\w.])",
    re.IGNORECASE,
)
PERCENT = re.compile(r"(?<![\w.])(?P<value>\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)", re.I)
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w]|\.\d)")


def number_value(text: str) -> int:
    """The value of a number written in figures or words ("4", "four", "a hundred")."""
    text = " ".join(text.lower().split())
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


@dataclass(frozen=True)
class Frequency:
    """A natural frequency found in text: ``count`` in ``out_of``."""

    count: int
    out_of: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.count} in {self.out_of}"


def frequencies(text: str) -> list[Frequency]:
    """Every natural frequency ("4 in 10", "nine out of ten") in a text."""
    return [
        Frequency(number_value(m["count"]), number_value(m["of"]), m.start(), m.end())
        for m in FREQUENCY.finditer(text)
    ]


# --------------------------------------------------------------------------- scoring


class Scorer:
    """Counts syllables honestly, then scores text with textstat 0.7.8's formulas.

    Syllables come from textstat's own dictionary (CMUdict, then Pyphen), after three
    corrections it cannot make itself: override counts (packaged, then the document's
    ``lint.syllables``), British spellings rewritten to the American ones its dictionary
    knows ("haematology" is missing, "hematology" known), and initialisms read letter by
    letter ("NHS": 3). Figures are read as words ("10": 1, "40": 2).

    Flesch-Kincaid grade: 0.39 * words per sentence + 11.8 * syllables per word - 15.59.
    SMOG: 1.043 * sqrt(polysyllables * 30 / sentences) + 3.1291 -- the standard scaling
    to the 30-sentence sample SMOG was normed on, applied at any length exactly as
    textstat 0.7.8 does (its documentation asks for 3 sentences; its code does not).
    """

    def __init__(
        self,
        overrides: Mapping[str, int] | None = None,
        spelling: Sequence[tuple[re.Pattern[str], str]] = (),
    ) -> None:
        import textstat  # type: ignore[import-untyped]  # untyped; slow-ish, so lazy
        from textstat.backend.utils import get_cmudict  # type: ignore[import-untyped]

        self._textstat = textstat
        self._known: Mapping[str, object] = get_cmudict("en_US") or {}
        exact = dict(overrides or {})
        self._exact = {k: v for k, v in exact.items() if is_initialism(k)}
        self._any_case = {k.lower(): v for k, v in exact.items() if not is_initialism(k)}
        self._spelling = tuple(spelling)

    def american(self, word: str) -> str | None:
        """The American spelling of a British word the dictionary lacks, if it knows it."""
        lower = word.lower()
        if lower in self._known:
            return None
        for pattern, replacement in self._spelling:
            candidate = pattern.sub(replacement, lower)
            if candidate != lower and candidate in self._known:
                return candidate
        return None

    @functools.lru_cache(maxsize=4096)  # noqa: B019 -- one scorer per lint run
    def syllables(self, word: str) -> int:
        """Syllables in one word."""
        word = normalise_quotes(word)
        if word in self._exact:
            return self._exact[word]
        lower = word.lower()
        if lower in self._any_case:
            return self._any_case[lower]
        figure = word.replace(",", "")
        if figure.isdigit():
            return number_syllables(int(figure))
        if is_initialism(word) and word.isalpha():
            return sum(3 if c == "W" else 1 for c in word.rstrip("s"))
        if lower.endswith("'s") and lower not in self._known:
            return self.syllables(word[:-2])
        spelled = self.american(lower) or lower
        return max(1, int(self._textstat.syllable_count(spelled)))

    def figures(self, name: str, texts: Iterable[str]) -> Figures:
        """Readability figures for a block of texts (each text ends its last sentence)."""
        sentences = [s for text in texts for s in split_sentences(text)]
        lengths = [len(words_of(s)) for s in sentences]
        words = [w for s in sentences for w in words_of(s)]
        counts = [self.syllables(w) for w in words]
        n_words, n_sentences = len(words), len(sentences)
        syllables = sum(counts)
        poly = sum(1 for c in counts if c >= 3)
        if n_words == 0:
            return Figures(name, 0.0, 0.0, 0, 0, 0, 0, 0)
        fk = 0.39 * n_words / n_sentences + 11.8 * syllables / n_words - 15.59
        smog = 1.043 * math.sqrt(poly * SMOG_SAMPLE / n_sentences) + 3.1291
        return Figures(name, fk, smog, n_words, n_sentences, syllables, poly, max(lengths))


def state_texts(state: State) -> list[tuple[DocPath, str]]:
    """The texts a state page shows as prose, with their paths (index of the state unset)."""
    texts: list[tuple[DocPath, str]] = [(("title",), state.title), (("summary",), state.summary)]
    texts += [(("explanation", j), p) for j, p in enumerate(state.explanation)]
    texts += [(("facts", j, "text"), f.text) for j, f in enumerate(state.facts)]
    texts += [(("notes", j, "text"), n.text) for j, n in enumerate(state.notes)]
    if state.no_figure is not None:
        texts.append((("no_figure",), state.no_figure))
    texts += [(("questions", j), q) for j, q in enumerate(state.questions)]
    return texts


def score_pathway(pathway: Pathway, scorer: Scorer) -> Readability:
    """Figures for each state (summary, explanation, facts, questions) and the whole."""
    blocks = [
        (state.id, [t for (key, *_), t in state_texts(state) if key != "title"])
        for state in pathway.states
    ]
    states = tuple(scorer.figures(name, texts) for name, texts in blocks)
    whole = scorer.figures(PATHWAY_FIGURES, [t for _, texts in blocks for t in texts])
    return Readability(states, whole)


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Issue:
    """What a rule yields: where (a document path or a file location), and what."""

    where: DocPath | Location
    severity: Severity
    message: str
    hint: str


@dataclass(frozen=True)
class Combo:
    """One reading of the pathway: the default topics, or one topic narrowed to a value."""

    values: Mapping[str, str]
    label: str


class Run:
    """The state shared by the rules of one lint run."""

    def __init__(self, document: Document, config: LintConfig, data: LintData) -> None:
        self.document = document
        self.pathway = document.pathway
        self.config = config
        self.data = data
        self.today = config.today or dt.date.today()
        self.state_index = {s.id: i for i, s in enumerate(self.pathway.states)}

    @functools.cached_property
    def scorer(self) -> Scorer:
        overrides = {**self.data.syllables, **self.pathway.lint.syllables}
        return Scorer(overrides, self.data.spelling)

    @functools.cached_property
    def readability(self) -> Readability:
        return score_pathway(self.pathway, self.scorer)

    @functools.cached_property
    def advice(self) -> tuple[Phrase, ...]:
        extra = tuple(
            Phrase(
                bounded(phrase_pattern(p)),
                "the pathway's lint.advice_phrases lists it",
                "rewrite it as information: 'your healthcare team may ...', 'some people ...'",
            )
            for p in self.pathway.lint.advice_phrases
        )
        return self.data.advice + extra

    @functools.cached_property
    def combos(self) -> tuple[Combo, ...]:
        """The default reading, then each context narrowed to each of its other values.

        Narrowing one topic at a time is enough: a step is hidden by a combination of
        topics only if one of those topics, narrowed alone, hides it too.
        """
        defaults = self.pathway.context_defaults()
        combos = [Combo(defaults, "")]
        for context in self.pathway.contexts:
            for value in context.values:
                if value.id != context.default:
                    combos.append(Combo({**defaults, context.id: value.id}, value.label))
        return tuple(combos)

    def steps(self, state_id: str, combo: Combo) -> list[tuple[int, Transition]]:
        """The transitions (with their index) leading on from a state in one reading."""
        defaults = self.pathway.context_defaults()
        return [
            (i, t)
            for i, t in enumerate(self.pathway.transitions)
            if state_id in t.source and t.applies(combo.values, defaults)
        ]

    def is_branch(self, state_id: str) -> bool:
        return len(self.steps(state_id, self.combos[0])) > 1

    # The document's own lint settings, with the command line's overrides. Where the
    # document is silent nothing is assumed about ids: see each property.

    @functools.cached_property
    def team_wording(self) -> re.Pattern[str]:
        """Text that names talking to the team, with the document's names of the team."""
        names = (*self.data.team_names, *self.pathway.lint.team.names)
        return team_wording(self.data.team_verbs, tuple(dict.fromkeys(names)))

    @property
    def team_name(self) -> str:
        """How messages name the team: the document's first name for it."""
        names = self.pathway.lint.team.names
        return f"your {names[0]}" if names else "your healthcare team"

    @property
    def team_state(self) -> str | None:
        """The configured team state (the command line's, else the document's), if any."""
        return self.config.team_state or self.pathway.lint.team.state

    @functools.cached_property
    def team_states(self) -> frozenset[str]:
        """The states a step to the team may lead to: the configured one; without one,
        every state whose title names the team ("Talk to your diabetes team")."""
        if self.team_state is not None:
            return frozenset({self.team_state})
        return frozenset(s.id for s in self.pathway.states if self.team_wording.search(s.title))

    @property
    def no_treatment_states(self) -> tuple[str, ...]:
        """The states offering the choice not to have (more) treatment."""
        if self.config.no_treatment_states is not None:
            return self.config.no_treatment_states
        return self.pathway.lint.no_treatment.states

    @property
    def no_treatment_term(self) -> str:
        return self.pathway.lint.no_treatment.term or "the choice not to have treatment"

    def no_treatment_applies(self, combo: Combo) -> bool:
        """Whether the rule applies in a reading: lint.no_treatment.when read as a step's
        'when' (a topic's default narrows nothing, so the default reading is included)."""
        defaults = self.pathway.context_defaults()
        return all(
            combo.values.get(name) in values or combo.values.get(name) == defaults.get(name)
            for name, values in self.pathway.lint.no_treatment.when.items()
        )

    @functools.cached_property
    def treatment_words(self) -> tuple[str, ...]:
        return (*self.data.treatment_words, *self.pathway.lint.treatment_words)

    @functools.cached_property
    def medical_words(self) -> tuple[tuple[str, ...], ...]:
        return (*self.data.medical_words, *self.pathway.lint.medical_words)

    def locate(self, path: DocPath) -> Location:
        """The location of a path (the document falls back to the nearest parent)."""
        return self.document.locate(path)


Check = Callable[[Run], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    """A registered lint rule."""

    id: str
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Check], Check]:
    """Register a check under its rule id."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, summary, check)
        return check

    return register


def lint_document(document: Document, config: LintConfig | None = None) -> LintReport:
    """Run the rules over a loaded document; findings sorted by file, line and column."""
    config = config or LintConfig()
    run = Run(document, config, load_data())
    chosen = config.rules if config.rules is not None else tuple(RULES)
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        raise ValueError(f"unknown lint rules: {', '.join(unknown)}")
    findings: list[Finding] = []
    for rule_id in chosen:
        for issue in RULES[rule_id].check(run):
            where = issue.where
            location = where if isinstance(where, Location) else run.locate(where)
            findings.append(Finding(location, rule_id, issue.severity, issue.message, issue.hint))
    unique = {(f.sort_key(), f.severity, f.hint): f for f in findings}
    ordered = sorted(unique.values(), key=Finding.sort_key)
    return LintReport(tuple(ordered), run.readability)


# --------------------------------------------------------------------------- advice


def find_advice(text: str, phrases: Sequence[Phrase]) -> Iterator[tuple[int, int, Phrase]]:
    """Spans of advice wording in a text: the longest match wins where two overlap."""
    text = normalise_quotes(text)
    hits = [(m.start(), m.end(), p) for p in phrases for m in p.pattern.finditer(text)]
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    last_end = -1
    for start, end, phrase in hits:
        if start >= last_end:
            yield start, end, phrase
            last_end = end


def _advice_issue(where: DocPath | Location, matched: str, phrase: Phrase) -> Issue:
    return Issue(where, "error", f"{_quote(matched)} reads as advice: {phrase.says}", phrase.hint)


NOT_ADVICE: tuple[tuple[str, ...], ...] = (
    ("sources",),  # another organisation's titles, name, address and headings, as written
    ("states", "facts", "section"),  # one of those headings
    ("states", "notes", "section"),  # the same
    ("metadata", "scope", "section"),  # the same
    ("support", "phone"),  # a number
    ("lint",),  # the advice phrases themselves
)
"""Texts the advice rule leaves alone (paths without their list positions); every other
text of the document, whatever field it is in, is checked."""


def advice_texts(pathway: Pathway) -> Iterator[tuple[DocPath, str]]:
    """Every text the advice rule reads, with its path."""
    for path, text in iter_all_text(pathway):
        names = tuple(p for p in path if isinstance(p, str))
        if not any(names[: len(skip)] == skip for skip in NOT_ADVICE):
            yield path, text


@rule("advice", "wording that reads as advice, in the content and the templates")
def check_advice(run: Run) -> Iterator[Issue]:
    for path, text in advice_texts(run.pathway):
        for start, end, phrase in find_advice(text, run.advice):
            yield _advice_issue(path, text[start:end], phrase)
    for file, display in template_files(run.config.templates_dirs):
        try:
            source = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        visible = visible_template_text(source, html=file.suffix in _HTML_SUFFIXES)
        for start, end, phrase in find_advice(visible, run.advice):
            line = source.count("\n", 0, start) + 1
            col = start - (source.rfind("\n", 0, start) + 1) + 1
            yield _advice_issue(Location(display, line, col), visible[start:end], phrase)


_TEMPLATE_SUFFIXES = {".html", ".htm", ".txt", ".md", ".j2", ".jinja", ".jinja2", ".svg", ".xml"}
_HTML_SUFFIXES = {".html", ".htm", ".svg", ".xml"}
_JINJA_BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.S)
_SHOWN_ATTRIBUTE = re.compile(
    r"""\b(?:alt|title|aria-label|aria-description|placeholder)\s*=\s*("[^"]*"|'[^']*')""", re.I
)


def template_files(dirs: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """The template files in use, with the name to report them by.

    A file in an earlier folder hides the file with the same relative path in a later one.
    """
    seen: set[Path] = set()
    for folder in dirs:
        if not folder.is_dir():
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = file.relative_to(folder)
            if file.suffix not in _TEMPLATE_SUFFIXES or relative in seen:
                continue
            seen.add(relative)
            yield file, display_path(file)


def display_path(file: Path) -> str:
    """A path as a person would type it here: relative to the working folder if inside it,
    else absolute (not a climb of '../../..' out of the working folder)."""
    absolute = Path(os.path.abspath(file))
    try:
        return str(absolute.relative_to(os.getcwd()))
    except ValueError:  # outside the working folder, or on another drive on Windows
        return str(absolute)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def visible_template_text(source: str, *, html: bool) -> str:
    """The words of a template that a reader sees, at their original offsets.

    Jinja comments and code are blanked except the string literals in code (which are
    printed); in HTML, scripts, styles, comments and tags are blanked except the
    attributes a reader or a screen reader meets (alt, title, aria-label, placeholder).
    """
    text = _JINJA_COMMENT.sub(lambda m: _blank(m.group()), source)

    def keep_strings(block: re.Match[str]) -> str:
        chunk = block.group()
        out = list(_blank(chunk))
        for s in _STRING.finditer(chunk):
            out[s.start() + 1 : s.end() - 1] = chunk[s.start() + 1 : s.end() - 1]
        return "".join(out)

    text = _JINJA_BLOCK.sub(keep_strings, text)
    if html:
        text = HIDDEN_ELEMENT.sub(lambda m: _blank(m.group()), text)

        def keep_attributes(tag: re.Match[str]) -> str:
            chunk = tag.group()
            out = list(_blank(chunk))
            for a in _SHOWN_ATTRIBUTE.finditer(chunk):
                value = a.span(1)
                out[value[0] + 1 : value[1] - 1] = chunk[value[0] + 1 : value[1] - 1]
            return "".join(out)

        text = TAG.sub(keep_attributes, text)
    return text


# --------------------------------------------------------------------------- readability


@rule("readability", "reading grade per state and overall; sentence and paragraph length")
def check_readability(run: Run) -> Iterator[Issue]:
    figures = run.readability
    for index, fig in enumerate(figures.states):
        yield from _grade_issue(("states", index, "id"), f"state '{fig.name}'", fig)
    yield from _grade_issue(("states",), "the pathway as a whole", figures.pathway)
    for path, text in iter_text(run.pathway):
        for sentence in split_sentences(text):
            n = len(words_of(sentence))
            if n > SENTENCE_WARNING:
                severity: Severity = "error" if n > SENTENCE_ERROR else "warning"
                yield Issue(
                    path,
                    severity,
                    f"a sentence of {n} words: {_quote(sentence, 50)}",
                    f"split it: aim for {SENTENCE_WARNING} words or fewer"
                    f" (more than {SENTENCE_ERROR} is an error)",
                )
    for s_index, state in enumerate(run.pathway.states):
        for p_index, paragraph in enumerate(state.explanation):
            n = len(split_sentences(paragraph))
            if n > PARAGRAPH_SENTENCES:
                yield Issue(
                    ("states", s_index, "explanation", p_index),
                    "warning",
                    f"a paragraph of {n} sentences in state '{state.id}'",
                    f"split it: aim for {PARAGRAPH_SENTENCES} sentences or fewer a paragraph",
                )


def _grade_issue(path: DocPath, what: str, fig: Figures) -> Iterator[Issue]:
    if fig.fk_grade <= GRADE_WARNING:
        return
    severity: Severity = "error" if fig.fk_grade > GRADE_ERROR else "warning"
    yield Issue(
        path,
        severity,
        f"{what} reads at grade {fig.fk_grade:.1f} (Flesch-Kincaid; SMOG {fig.smog:.1f});"
        f" aim for {GRADE_WARNING:.0f} or below",
        f"shorter sentences (longest here: {fig.longest_sentence} words) and everyday words"
        " help; explain medical words in the glossary. If a word is miscounted, give its"
        " syllables under lint: syllables:",
    )


# --------------------------------------------------------------------------- numbers


def pathway_denominator(pathway: Pathway) -> int | None:
    """The denominator most of the pathway's numbers use (the first, on a tie)."""
    structured = [f.number.out_of for s in pathway.states for f in s.facts if f.number]
    if not structured:
        structured = [q.out_of for _, text in iter_text(pathway) for q in frequencies(text)]
    if not structured:
        return None
    counts = Counter(structured)
    best = max(counts.values())
    return next(d for d in structured if counts[d] == best)


@rule("numbers", "natural frequencies, one denominator, hedges kept, no relative risk")
def check_numbers(run: Run) -> Iterator[Issue]:
    pathway = run.pathway
    denominator = pathway_denominator(pathway)
    for s_index, state in enumerate(pathway.states):
        for f_index, fact in enumerate(state.facts):
            path: DocPath = ("states", s_index, "facts", f_index)
            if fact.number is None:
                if frequencies(fact.text):
                    yield Issue(
                        (*path, "text"),
                        "warning",
                        f"a fact in state '{state.id}' gives a figure but has no structured number",
                        "add number: {count, out_of, hedge, about} so the figure can be drawn"
                        " as an icon array and checked",
                    )
                continue
            yield from _fact_number_issues(path, fact.text, fact.number, denominator)
    for text_path, text in iter_text(pathway):
        yield from _text_number_issues(text_path, text, denominator, run.data)


def _fact_number_issues(
    path: DocPath, text: str, number: Any, denominator: int | None
) -> Iterator[Issue]:
    words = f"{number.hedge} {number.count} in {number.out_of}"
    if number.filled is None:
        yield Issue(
            (*path, "number"),
            "warning",
            f"the picture of {words} does not say whom a filled figure stands for",
            "add filled: to the number, e.g. 'a person the treatment worked for', so the"
            " icon array's caption says what it shows",
        )
    if denominator is not None and number.out_of != denominator:
        yield Issue(
            (*path, "number", "out_of"),
            "error",
            f"the number says {number.count} in {number.out_of}; the rest of the pathway"
            f" counts in {denominator}",
            f"use one denominator across the pathway (for example 'in {denominator}'), so"
            " readers never have to compare fractions",
        )
    said = [q for q in frequencies(text) if (q.count, q.out_of) == (number.count, number.out_of)]
    if not said:
        yield Issue(
            (*path, "text"),
            "error",
            f"the fact's number ({words}) is not in its text",
            f"say it in words beside the picture: '{words} {number.about}'",
        )
        return
    hedge = bounded(phrase_pattern(number.hedge))
    before = text[: said[0].start].rstrip()
    if not any(m.end() == len(before) for m in hedge.finditer(before)):
        yield Issue(
            (*path, "text"),
            "error",
            f"the figure {said[0]} is given without its hedge '{number.hedge}'",
            f"keep the source's hedge: '{words}'",
        )


def _text_number_issues(
    path: DocPath, text: str, denominator: int | None, data: LintData
) -> Iterator[Issue]:
    for q in frequencies(text):
        if denominator is not None and q.out_of != denominator:
            yield Issue(
                path,
                "error",
                f"the figure '{text[q.start : q.end]}' counts in {q.out_of}; the rest of the"
                f" pathway counts in {denominator}",
                f"use one denominator across the pathway: '... in {denominator}'",
            )
    for m in DECIMAL.finditer(text):
        yield Issue(
            path,
            "error",
            f"the decimal '{m.group()}' asks the reader to work out what it means",
            "give a natural frequency with its hedge instead: 'around 4 in 10 people'",
        )
    for pattern in data.relative_risk:
        for m in pattern.finditer(normalise_quotes(text)):
            yield Issue(
                path,
                "error",
                f"{_quote(m.group())} is relative risk wording",
                "give both figures as natural frequencies: 'around 2 in 10 ... compared with"
                " around 4 in 10 ...'",
            )
    for sentence in split_sentences(text):
        beside = frequencies(sentence)
        for m in PERCENT.finditer(sentence):
            value = float(m["value"])
            if not beside:
                yield Issue(
                    path,
                    "error",
                    f"the percentage '{m.group().strip()}' stands without a natural frequency",
                    "put the natural frequency first, the percentage after: 'around 4 in 10"
                    " people (40%)'",
                )
            elif all(abs(100 * q.count / q.out_of - value) > 0.5 for q in beside):
                shown = ", ".join(str(q) for q in beside)
                yield Issue(
                    path,
                    "error",
                    f"the percentage '{m.group().strip()}' does not match {shown} beside it",
                    "make the percentage and the natural frequency say the same thing",
                )


# --------------------------------------------------------------------------- provenance


@rule("provenance", "facts cite declared sources; figures are cited; review dates")
def check_provenance(run: Run) -> Iterator[Issue]:
    pathway = run.pathway
    sources = {s.id: s for s in pathway.sources}
    cited: set[tuple[int, int]] = set()
    for s_index, state in enumerate(pathway.states):
        for f_index, fact in enumerate(state.facts):
            path: DocPath = ("states", s_index, "facts", f_index)
            if fact.number:
                cited.add((fact.number.count, fact.number.out_of))
            source = sources.get(fact.source)
            if source is None:
                yield Issue(
                    (*path, "source"),
                    "error",
                    f"a fact in state '{state.id}' cites '{fact.source}', which is not a"
                    " declared source",
                    f"declare it under sources: (known: {', '.join(sources) or 'none'})",
                )
            elif fact.section not in source.sections:
                yield Issue(
                    (*path, "section"),
                    "error",
                    f"a fact in state '{state.id}' cites section {_quote(fact.section)},"
                    f" which source '{source.id}' does not declare",
                    "cite one of its sections: " + "; ".join(source.sections),
                )
    for path, text in iter_text(pathway):
        for q in frequencies(text):
            if (q.count, q.out_of) not in cited:
                yield Issue(
                    path,
                    "error",
                    f"the figure '{text[q.start : q.end]}' is not the number of any cited fact",
                    "add it as a fact with source, section and number, or remove it",
                )
    meta = pathway.metadata
    days = (meta.next_review - run.today).days
    if days < 0:
        yield Issue(
            ("metadata", "next_review"),
            "error",
            f"the content was due for review on {meta.next_review.isoformat()}, {-days} days ago",
            "have the content reviewed, then set reviewed and next_review to new dates",
        )
    elif days <= run.config.review_warning_days:
        yield Issue(
            ("metadata", "next_review"),
            "warning",
            f"the content is due for review on {meta.next_review.isoformat()}, in {days} days",
            "arrange the review now, so the pathway does not lapse",
        )
    if meta.reviewed > run.today:
        yield Issue(
            ("metadata", "reviewed"),
            "error",
            f"the reviewed date {meta.reviewed.isoformat()} is in the future",
            "set it to the date the content was actually reviewed",
        )


# --------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class Mention:
    """A glossary term found in a text."""

    entry: str
    start: int
    end: int
    text: str


class Glossary:
    """Finds glossary terms in text: leftmost-longest, so "knee replacement" is one term."""

    def __init__(self, pathway: Pathway) -> None:
        self.patterns = [
            (entry.id, pattern)
            for entry in pathway.glossary
            for pattern in term_matcher((entry.term, *entry.also))
        ]

    def all_mentions(self, text: str) -> list[Mention]:
        return [
            Mention(entry_id, m.start(), m.end(), m.group())
            for entry_id, pattern in self.patterns
            for m in pattern.finditer(text)
        ]

    def mentions(self, text: str) -> list[Mention]:
        found = sorted(self.all_mentions(text), key=lambda m: (m.start, m.start - m.end))
        chosen: list[Mention] = []
        for mention in found:
            if not chosen or mention.start >= chosen[-1].end:
                chosen.append(mention)
        return chosen


@rule("glossary", "medical words are defined and listed by the states that use them")
def check_glossary(run: Run) -> Iterator[Issue]:
    pathway = run.pathway
    glossary = Glossary(pathway)
    used_anywhere: set[str] = set()
    for s_index, state in enumerate(pathway.states):
        first_use: dict[str, tuple[DocPath, str]] = {}
        for sub_path, text in state_texts(state):
            for mention in glossary.mentions(text):
                first_use.setdefault(mention.entry, (("states", s_index, *sub_path), mention.text))
        used_anywhere |= set(first_use) | set(state.terms)
        for entry_id, (path, written) in first_use.items():
            if entry_id not in state.terms:
                yield Issue(
                    path,
                    "error",
                    f"state '{state.id}' uses {_quote(written)} (glossary '{entry_id}') but"
                    " does not list it in terms",
                    f"add '{entry_id}' to the terms of state '{state.id}'",
                )
        for t_index, term in enumerate(state.terms):
            if term in glossary_ids(pathway) and term not in first_use:
                yield Issue(
                    ("states", s_index, "terms", t_index),
                    "warning",
                    f"state '{state.id}' lists term '{term}' but its text never uses it",
                    "remove it from terms, or use the word where it helps the reader",
                )
    for g_index, entry in enumerate(pathway.glossary):
        if entry.id not in used_anywhere:
            yield Issue(
                ("glossary", g_index, "id"),
                "warning",
                f"glossary entry '{entry.id}' is used by no state",
                "remove it, or list it in the terms of the states that use the word",
            )
    yield from _undefined_medical_words(run, glossary)


def glossary_ids(pathway: Pathway) -> set[str]:
    return {g.id for g in pathway.glossary}


def _undefined_medical_words(run: Run, glossary: Glossary) -> Iterator[Issue]:
    reported: set[str] = set()
    for path, text in iter_text(run.pathway):
        covered = glossary.all_mentions(text)
        for words in run.medical_words:
            name = words[0]
            if name in reported:
                continue
            for pattern in term_matcher(words):
                for m in pattern.finditer(text):
                    if any(c.start < m.end() and m.start() < c.end for c in covered):
                        continue
                    reported.add(name)
                    yield Issue(
                        path,
                        "error",
                        f"the medical word {_quote(m.group())} has no glossary entry",
                        _glossary_hint(run.pathway, words, m.group()),
                    )
                    break
                if name in reported:
                    break


def _glossary_hint(pathway: Pathway, words: Sequence[str], written: str) -> str:
    family = {w.lower() for w in words}
    for entry in pathway.glossary:
        if {v.lower() for v in (entry.term, *entry.also)} & family:
            return f"add '{written}' to the also: list of glossary entry '{entry.id}'"
    return (
        f"add a glossary entry for '{words[0]}' in plain words, and list it in the terms"
        " of the states that use it"
    )


# --------------------------------------------------------------------------- balance


def _names_any(text: str, words: Iterable[str]) -> str | None:
    for word in words:
        for pattern in term_matcher([word]):
            m = pattern.search(text)
            if m:
                return m.group()
    return None


def _is_treatment(run: Run, state_id: str) -> bool:
    """A treatment option: a state whose title names a treatment (packaged and document
    words), unless it offers the choice not to have treatment or is the team's."""
    if state_id in run.no_treatment_states or state_id in run.team_states:
        return False
    if state_id not in run.state_index:
        return False
    title = run.pathway.state(state_id).title
    return _names_any(title, run.treatment_words) is not None


def _reading(combo: Combo) -> str:
    return f" (topic: {combo.label})" if combo.label else ""


@rule("balance", "every option at a branch has equal weight; not having treatment is offered")
def check_balance(run: Run) -> Iterator[Issue]:
    for s_index, state in enumerate(run.pathway.states):
        if not run.is_branch(state.id):
            continue
        steps = run.steps(state.id, run.combos[0])
        yield from _label_issues(run, state, steps)
        yield from _summary_issues(run, state, steps)
        yield from _no_treatment_issues(run, s_index, state)
        yield from _figure_issues(run, state, steps)


def _figure_issues(run: Run, state: State, steps: list[tuple[int, Transition]]) -> Iterator[Issue]:
    """Where one treatment option has a figure, every other says whether the source has one."""
    dests = sorted(
        {t.dest for _, t in steps if _is_treatment(run, t.dest)}, key=lambda d: run.state_index[d]
    )
    with_figure = [d for d in dests if any(f.number for f in run.pathway.state(d).facts)]
    if not with_figure:
        return
    for dest in dests:
        option = run.pathway.state(dest)
        if dest in with_figure or option.no_figure is not None:
            continue
        yield Issue(
            ("states", run.state_index[dest], "id"),
            "warning",
            f"at state '{state.id}', option '{with_figure[0]}' has a figure but '{dest}' has"
            " none and does not say so",
            f"add no_figure to state '{dest}' (e.g. 'The source gives no figure for this.'),"
            " so the missing figure is said, not silent",
        )


def _label_issues(run: Run, state: State, steps: list[tuple[int, Transition]]) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    generic = {g.lower() for g in run.data.generic_labels}
    for t_index, t in steps:
        path = ("transitions", t_index, "label")
        plain = re.sub(r"[^\w\s-]", "", t.label).strip().lower()
        if plain in generic or re.fullmatch(r"(?:option|choice|step)\s*\d*", plain):
            yield Issue(
                path,
                "error",
                f"the label {_quote(t.label)} at state '{state.id}' does not say where it leads",
                "name what might happen: 'Your team may offer ...', or the option's own name",
            )
        if plain in seen and seen[plain] != t.dest:
            yield Issue(
                path,
                "error",
                f"two steps from state '{state.id}' share the label {_quote(t.label)}",
                "give each option its own label so a reader can tell them apart",
            )
        seen.setdefault(plain, t.dest)
        preferred = _names_any(t.label, run.data.preferred_words)
        if preferred:
            yield Issue(
                path,
                "error",
                f"the label {_quote(t.label)} marks an option as preferred ('{preferred}')",
                "describe the option without ranking it: 'Your team may offer ...',"
                " 'Some people decide to ...'",
            )
        dest_index = run.state_index.get(t.dest)
        if dest_index is not None:
            title = run.pathway.states[dest_index].title
            preferred = _names_any(title, run.data.preferred_words)
            if preferred:
                yield Issue(
                    ("states", dest_index, "title"),
                    "error",
                    f"the title {_quote(title)}, an option at state '{state.id}', marks it"
                    f" as preferred ('{preferred}')",
                    "name the option without ranking it",
                )


def _summary_issues(run: Run, state: State, steps: list[tuple[int, Transition]]) -> Iterator[Issue]:
    dests = sorted(
        {t.dest for _, t in steps if t.dest in run.state_index}, key=lambda d: run.state_index[d]
    )
    if len(dests) < 2:
        return
    summaries = {d: run.pathway.state(d).summary for d in dests}
    for measure, size in (("characters", len), ("words", lambda s: len(words_of(s)))):
        longest = max(dests, key=lambda d: size(summaries[d]))
        shortest = min(dests, key=lambda d: size(summaries[d]))
        big, small = size(summaries[longest]), size(summaries[shortest])
        if big > SUMMARY_RATIO * small:
            yield Issue(
                ("states", run.state_index[longest], "summary"),
                "warning",
                f"at state '{state.id}', the summary of '{longest}' ({big} {measure}) is more"
                f" than twice as long as that of '{shortest}' ({small} {measure})",
                "give every option a summary of similar length and detail, so none looks favoured",
            )


def _no_treatment_issues(run: Run, s_index: int, state: State) -> Iterator[Issue]:
    offered = run.no_treatment_states
    term = run.no_treatment_term
    named = ", ".join(f"'{s}'" for s in offered)
    for combo in run.combos:
        if not run.no_treatment_applies(combo):
            continue
        steps = run.steps(state.id, combo)
        treatments = sorted({t.dest for _, t in steps if _is_treatment(run, t.dest)})
        if len(treatments) < 2 or any(t.dest in offered for _, t in steps):
            continue
        if not offered:
            missing = "the document names no state that offers it"
            hint = (
                "name the states that offer it under lint: no_treatment: states: (and what"
                " the pathway calls it under term:), or add such a state and a step to it"
            )
        else:
            unknown = [s for s in offered if s not in run.state_index]
            missing = (
                f"no state {', '.join(repr(s) for s in unknown)} exists"
                if len(unknown) == len(offered)
                else f"no step from it leads to {named}"
            )
            hint = (
                f"add '{state.id}' to the source of the step to {named}, with a 'when' that"
                " covers this topic (or none), or limit the rule with lint: no_treatment: when:"
            )
        yield Issue(
            ("states", s_index, "id"),
            "error",
            f"state '{state.id}' offers {len(treatments)} treatment options"
            f"{_reading(combo)} ({', '.join(treatments)}) but not {term}: {missing}",
            hint,
        )
        return


# --------------------------------------------------------------------------- praise


@rule("praise", "praise for an option comes with its comparison, or says there is none")
def check_praise(run: Run) -> Iterator[Issue]:
    for path, text in iter_text(run.pathway):
        plain = normalise_quotes(text)
        if run.data.praise_comparison.search(plain):
            continue
        for pattern in run.data.praise:
            m = pattern.search(plain)
            if m:
                yield Issue(
                    path,
                    "error",
                    f"{_quote(m.group())} praises an option without saying what it is"
                    " compared with",
                    "keep the source's comparison ('... than ...', 'compared with ...'), say"
                    " in the same text that the source does not compare it, or leave it out",
                )
                break


# --------------------------------------------------------------------------- exits


@rule("exits", "every end point and branch offers talking to the team; a support line")
def check_exits(run: Run) -> Iterator[Issue]:
    team = run.team_state
    targets = run.team_states
    name = run.team_name
    where = f"'{team}' (talking to {name})" if team else f"a state about talking to {name}"
    for s_index, state in enumerate(run.pathway.states):
        if state.id in targets:
            continue
        if state.end:
            offers = any(t.dest in targets for _, t in run.steps(state.id, run.combos[0]))
            names = any(run.team_wording.search(text) for _, text in state_texts(state))
            if not offers and not names:
                yield Issue(
                    ("states", s_index, "id"),
                    "error",
                    f"end point '{state.id}' does not offer talking to {name}",
                    f"add a step to {where} or say in its text that the reader can talk to {name}",
                )
        if run.is_branch(state.id):
            for combo in run.combos:
                if not any(t.dest in targets for _, t in run.steps(state.id, combo)):
                    yield Issue(
                        ("states", s_index, "id"),
                        "error",
                        f"branch '{state.id}' offers no step to {where}{_reading(combo)}"
                        + _team_missing(run, team),
                        _team_hint(state.id, team, name),
                    )
                    break
    line = run.pathway.support_line
    if sum(c.isdigit() for c in line.phone) < 6:
        yield Issue(
            ("support", 0, "phone"),
            "error",
            f"the support line '{line.name}' has no full phone number ({_quote(line.phone)})",
            "give the number a reader can call; it is shown on every page",
        )


def _team_missing(run: Run, team: str | None) -> str:
    if team is None:
        return "" if run.team_states else " (no state's title names the team)"
    return "" if team in run.state_index else f" (no state '{team}' exists)"


def _team_hint(state_id: str, team: str | None, name: str) -> str:
    if team is None:
        return (
            f"add a step from '{state_id}' to a state about talking to {name}, and name"
            " that state under lint: team: state:"
        )
    return (
        f"add '{state_id}' to the source of the step to '{team}', with no 'when', so every"
        f" reader can end with {name}"
    )


# --------------------------------------------------------------------------- output


def format_text(report: LintReport) -> str:
    """The report as text: the figures table, then each finding, then the summary line."""
    lines = [format_table(report.readability), ""]
    lines += [str(f) for f in report.findings]
    lines.append(report.summary)
    return "\n".join(lines) + "\n"


def format_table(readability: Readability) -> str:
    """The readability figures of every state and the whole pathway, as a text table."""
    rows = [*readability.states, readability.pathway]
    width = max(len("state"), *(len(f.name) for f in rows))
    head = f"{'state':<{width}}  {'FK grade':>8}  {'SMOG':>5}  {'words':>5}  {'longest':>7}"
    out = [head, "-" * len(head)]
    for f in rows:
        out.append(
            f"{f.name:<{width}}  {f.fk_grade:>8.1f}  {f.smog:>5.1f}  {f.words:>5}"
            f"  {f.longest_sentence:>7}"
        )
    out.append(
        f"FK grade over {GRADE_WARNING:.0f} warns, over {GRADE_ERROR:.0f} fails. SMOG is shown"
        f" for comparison, scaled to {SMOG_SAMPLE} sentences (states are shorter, so it is"
        " an estimate). 'longest' is the longest sentence in words."
    )
    return "\n".join(out)


def format_json(report: LintReport) -> str:
    """The report as JSON: findings, readability figures, and the counts."""
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- JSON Schema

JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest dialect the common YAML language server (and VS Code's JSON
support beneath it) fully supports; the models need nothing newer."""
SCHEMA_TITLE = "pathways document (pathways.yaml)"


def document_schema() -> dict[str, Any]:
    """The JSON Schema (draft 7) of a pathway document, for authors' editors and tools.

    Made from the pydantic models, with the shared parts under ``definitions`` (draft 7's
    place for them). Where authors may write one id for a list (``source: first_visit``), the
    models' own schema says so (``schema.IdOrIds``), so an editor does not flag what
    ``pathways validate`` accepts.
    """
    generated = Pathway.model_json_schema(ref_template="#/definitions/{model}")
    definitions = generated.pop("$defs")
    generated.pop("title", None)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": SCHEMA_TITLE,
        **generated,
        "definitions": definitions,
    }
