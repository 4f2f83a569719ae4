"""The interactive walk in a terminal (``pathways walk``): one screen per step, a prompt,
and single-letter commands, until q or the end of the input.

Reads lines from stdin (so a walk can be piped in) and prints with click; the screens
themselves are the text templates, rendered by ``templating.Renderer``. With ``--notes
FILE``, ``a`` adds a step's questions, or the reader's own, to a list kept in that file
(``notes.py``) and nowhere else. Layer 6, beside ``cli.py``, which starts it.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pathlib import Path

    from pathways.journey import Journey, Step
    from pathways.templating import Renderer


def _fill(text: str, indent: str = "") -> str:
    """Text wrapped to the terminal (at most 88 columns), never splitting a word."""
    width = max(min(shutil.get_terminal_size((80, 24)).columns, 88), 30)
    return textwrap.fill(
        text,
        width=width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # replaced or closed stdin
        return False


def _choices(count: int) -> str:
    if count == 1:
        return "1"
    if count == 2:
        return "1 or 2"
    if count == 3:
        return "1, 2 or 3"
    return f"a number from 1 to {count}"


WALK_HELP = """\
How to use this:
  Type the number of a step and press Enter.
  b  go back one step
  r  start again
  m  more: facts, sources and questions
  q  quit
  ?  this help"""


NOTES_HELP = """\
  a  add questions from this step, or your own, to your list"""


class Walk:
    """The interactive walk: one screen per step, then a prompt, until q or end of input.

    With a notes file, ``a`` adds questions to the reader's list (``notes.py``), written
    whole to the file after each change and to nowhere else."""

    def __init__(self, first: Journey, renderer: Renderer, notes_file: Path | None = None) -> None:
        from pathways.notes import Question

        self.first = first
        self.journey = first
        self.renderer = renderer
        self.notes_file = notes_file
        self.questions: list[Question] = []

    @property
    def help_text(self) -> str:
        if self.notes_file is None:
            return WALK_HELP
        return WALK_HELP.replace("\n  q  quit", "\n" + NOTES_HELP + "\n  q  quit")

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.journey.next_steps()

    def run(self) -> None:
        self._screen()
        click.echo(self.help_text + "\n")
        while True:
            click.echo(self._path_line())
            click.echo(self._prompt(), nl=False)
            line = self._read_line()
            if line is None:  # end of input (Ctrl-D, or the end of piped input)
                click.echo()
                self._goodbye()
                return
            if not self._handle(line.strip().lower()):
                self._goodbye()
                return

    @staticmethod
    def _read_line() -> str | None:
        """One line typed by the reader (None at the end of input)."""
        try:
            line = sys.stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line:
            return None
        if not _interactive():
            click.echo(line.rstrip("\n"))  # so a piped walk reads like a typed one
        return line.rstrip("\n")

    def _handle(self, command: str) -> bool:
        """Act on one line of input; False means quit."""
        actions: Mapping[str, Callable[[], None]] = {
            "b": self._back,
            "back": self._back,
            "r": self._restart,
            "restart": self._restart,
            "m": self._more,
            "more": self._more,
            "?": self._help,
            "h": self._help,
            "help": self._help,
        }
        if command in ("q", "quit", "exit"):
            return False
        if command in ("a", "add") and self.notes_file is not None:
            self._add_questions()
        elif command in actions:
            actions[command]()
        elif command.isdigit():
            self._take(int(command))
        elif command:
            self._say(f"Sorry, '{command}' is not one of the choices. {self._choices_hint()}")
        return True

    @staticmethod
    def _say(message: str) -> None:
        click.echo(f"\n{_fill(message)}\n")

    def _take(self, number: int) -> None:
        steps = self.steps
        if not steps:
            self._say(f"There are no more steps from here. {self._choices_hint()}")
        elif not 1 <= number <= len(steps):
            self._say(f"There is no step {number} here. {self._choices_hint()}")
        else:
            self.journey = self.journey.step(steps[number - 1].trigger)
            self._screen()

    def _help(self) -> None:
        click.echo("\n" + self.help_text + "\n")

    def _add_questions(self) -> None:
        """Ask which of this step's questions to add, or for the reader's own words."""
        from pathways.notes import OWN_QUESTION_MAX, Question

        assert self.notes_file is not None
        state = self.journey.pathway.state(self.journey.state)
        listed = state.questions
        click.echo()
        if listed:
            click.echo("Questions you could ask your healthcare team:")
            for number, question in enumerate(listed, start=1):
                click.echo(_fill(f"  {number}. {question}", indent="     "))
            click.echo(
                _fill(
                    "Type the numbers of the questions to add to your list (for example 1 3),"
                    " or type a question of your own. Press Enter alone to add nothing."
                )
            )
        else:
            click.echo(_fill("Type a question of your own. Press Enter alone to add nothing."))
        click.echo("> ", nl=False)
        line = (self._read_line() or "").strip()
        if not line:
            self._say("Nothing was added.")
            return
        words = line.replace(",", " ").split()
        if all(w.isdigit() for w in words):
            numbers = [int(w) for w in words]
            wrong = [n for n in numbers if not 1 <= n <= len(listed)]
            if wrong or not listed:
                self._say(
                    f"There is no question {wrong[0] if wrong else numbers[0]} here."
                    " Nothing was added. Type a to try again."
                )
                return
            added = [
                Question(state.id, listed[n - 1])
                for n in dict.fromkeys(numbers)
                if Question(state.id, listed[n - 1]) not in self.questions
            ]
        else:
            added = [Question(state.id, line[:OWN_QUESTION_MAX], own=True)]
        self.questions.extend(added)
        self._save_notes()
        count = len(self.questions)
        self._say(
            f"Added {len(added)} to your list, which has {count}"
            f" question{'' if count == 1 else 's'}. It is kept in {self.notes_file}."
        )

    def _save_notes(self) -> None:
        from pathways.notes import notes_text

        assert self.notes_file is not None
        try:
            self.notes_file.write_text(
                notes_text(self.journey.pathway, self.questions), encoding="utf-8"
            )
        except OSError as exc:
            self._say(
                f"Your list could not be written to {self.notes_file}:"
                f" {exc.strerror or exc}. It is kept until you quit; type a to try again."
            )

    def _back(self) -> None:
        if not self.journey.can_go_back:
            self._say("This is where your walk began, so there is no step to go back to.")
            return
        self.journey = self.journey.back()
        self._screen()

    def _restart(self) -> None:
        self.journey = self.first
        self._screen()

    def _more(self) -> None:
        click.echo()
        click.echo(self.renderer.render(self.journey, "text"))

    def _screen(self) -> None:
        click.echo()
        click.echo(self.renderer.render(self.journey, "text", brief=True), nl=False)
        click.echo()

    def _path_line(self) -> str:
        titles = [
            ("Looked at: " if jumped else "") + self.journey.pathway.state(s).title
            for s, jumped in zip(self.journey.path, self.journey.jumps, strict=True)
        ]
        if self.journey.trimmed:  # the oldest places were let go at the bound
            from pathways.journey import MAX_PATH  # loaded already: a journey is here

            titles.insert(0, f"(earlier pages not shown: only the last {MAX_PATH} are kept)")
        return _fill("Your path so far: " + " > ".join(titles), indent="  ")

    def _choices_hint(self) -> str:
        steps = self.steps
        if not steps:
            return "Type b to go back, r to start again, q to quit or ? for help."
        return f"Type {_choices(len(steps))} to read about a step, or ? for help."

    def _prompt(self) -> str:
        steps = self.steps
        if not steps:
            if self.notes_file is not None:
                return "Type b (back), r (start again), a (add a question) or q (quit): "
            return "Type b (back), r (start again) or q (quit): "
        if self.notes_file is not None:
            return f"Type {_choices(len(steps))}, a to add a question, or ? for help: "
        return f"Type {_choices(len(steps))}, or ? for help: "

    def _goodbye(self) -> None:
        contact = self.journey.pathway.support_line
        if self.notes_file is not None and self.questions:
            click.echo(_fill(f"Your questions are in {self.notes_file}."))
        click.echo(_fill(f"Goodbye. If you would like to talk to someone: {contact.name}."))
        click.echo(f"Phone: {contact.phone}")
