"""The interactive walk in a terminal (``pathways walk``): one screen per step, a prompt,
and single-letter commands, until q or the end of the input.

Reads lines from stdin (so a walk can be piped in) and prints with click; the screens
themselves are the text templates, rendered by ``templating.Renderer``. Layer 6, beside
``cli.py``, which starts it.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
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


class Walk:
    """The interactive walk: one screen per step, then a prompt, until q or end of input."""

    def __init__(self, first: Journey, renderer: Renderer) -> None:
        self.first = first
        self.journey = first
        self.renderer = renderer

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.journey.next_steps()

    def run(self) -> None:
        self._screen()
        click.echo(WALK_HELP + "\n")
        while True:
            click.echo(self._path_line())
            click.echo(self._prompt(), nl=False)
            try:
                line = sys.stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:  # end of input (Ctrl-D, or the end of piped input)
                click.echo()
                self._goodbye()
                return
            if not _interactive():
                click.echo(line.rstrip("\n"))  # so a piped walk reads like a typed one
            if not self._handle(line.strip().lower()):
                self._goodbye()
                return

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
        if command in actions:
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

    @staticmethod
    def _help() -> None:
        click.echo("\n" + WALK_HELP + "\n")

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
        titles = [self.journey.pathway.state(s).title for s in self.journey.path]
        return _fill("Your path so far: " + " > ".join(titles), indent="  ")

    def _choices_hint(self) -> str:
        steps = self.steps
        if not steps:
            return "Type b to go back, r to start again, q to quit or ? for help."
        return f"Type {_choices(len(steps))} to read about a step, or ? for help."

    def _prompt(self) -> str:
        steps = self.steps
        if not steps:
            return "Type b (back), r (start again) or q (quit): "
        return f"Type {_choices(len(steps))}, or ? for help: "

    def _goodbye(self) -> None:
        contact = self.journey.pathway.support_line
        click.echo(_fill(f"Goodbye. If you would like to talk to someone: {contact.name}."))
        click.echo(f"Phone: {contact.phone}")
