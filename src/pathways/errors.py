"""The exceptions pathways raises for problems a person can act on.

A user's mistake (a broken ``pathways.yaml``, a step that is not available, a tampered
journey token) is a ``PathwaysError``: the command line and the web app turn it into one
clean message, never a traceback. Anything else that escapes is a bug.

    PathwaysError                  anything a person can fix
    ├── ContentError               a pathway document (or template folder) is not valid;
    │                              carries every Problem found, each with file:line:col
    └── JourneyError               a walk asked for something the pathway does not allow;
        │                          carries ``allowed``: what would have been accepted
        ├── UnknownStateError      no state has that id
        ├── UnknownContextError    no such topic (context), or no such value for it
        ├── StepNotAvailableError  that step does not lead on from here
        ├── TokenError             a journey token is damaged, tampered with or for
        │                          another pathway
        └── PathTooLongError       a journey link holds a longer path than a link can
                                   keep (in journey.py: it carries the journey kept)

This module imports nothing from the rest of the package (layer 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class Location(NamedTuple):
    """Where in a file a problem is: 1-based line and column, as editors count."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, said so that a person can fix it.

    ``path`` is where the problem sits in the document's data (``("states", 3, "title")``),
    which the loader turns into a ``location`` in the file.
    """

    message: str
    hint: str | None = None
    path: tuple[str | int, ...] = ()
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class PathwaysError(Exception):
    """A problem a person can act on; its message is complete without a traceback."""


class ContentError(PathwaysError):
    """A pathway document or template folder that is not valid.

    ``problems`` lists every problem found, in the order they appear in the file.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class JourneyError(PathwaysError):
    """A walk through a pathway asked for something the pathway does not allow.

    The parts stay apart until printed, so each caller lays them out its own way (the
    command line on two lines, the JSON API as two fields): ``message`` says what was
    wrong, ``allowed`` lists what would have been accepted (step triggers or state ids).
    ``str()`` joins them for anyone who wants one line.
    """

    def __init__(self, message: str, allowed: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.allowed: tuple[str, ...] = tuple(allowed)

    def __str__(self) -> str:
        if self.allowed:
            return f"{self.message} (allowed: {', '.join(self.allowed)})"
        return self.message


class UnknownStateError(JourneyError):
    """No state in the pathway has that id."""


class UnknownContextError(JourneyError):
    """No context (topic) has that name, or the context has no such value."""


class StepNotAvailableError(JourneyError):
    """The step does not lead on from the current state (or not for this context)."""


class TokenError(JourneyError):
    """A journey token that cannot be read: damaged, tampered with or for another pathway."""


@dataclass
class ProblemList:
    """Collects problems, each with the path of the value to fix (``checks.py`` gathers
    every problem across a document in one, then hands them on together)."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self, message: str, *, path: tuple[str | int, ...] = (), hint: str | None = None
    ) -> None:
        self.problems.append(Problem(message=message, hint=hint, path=path))


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``word``, if one is close enough to be a likely typo."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    show: int | None = 8,
    label: str = "known",
    in_order: bool = False,
    likely: Iterable[str] = (),
) -> str:
    """A hint naming the closest choice to ``word`` and, briefly, the choices.

    The choices are listed sorted (``in_order``: in the order given, as a schema lists
    them), at most ``show`` of them (None: all), after ``label`` ("known", "allowed").
    The closest of the ``likely`` choices (e.g. the fields that are missing) is named
    before any other.
    """
    known = list(dict.fromkeys(choices)) if in_order else sorted(set(choices))
    close = closest(word, likely) or closest(word, known)
    shown = known if show is None else known[:show]
    listed = ", ".join(shown) + (", ..." if len(shown) < len(known) else "")
    if close:
        return f"did you mean '{close}'? ({label}: {listed})"
    return f"{label}: {listed}" if known else "none are declared yet"
