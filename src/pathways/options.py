"""The options the ``pathways`` commands share: ``--pathway``, ``--templates`` (and its
form for commands that render no templates), ``--context`` and ``--out``. Each is a
decorator, so every command declares them the same way. With them, what every command
does alike: load the chosen pathway and templates, write its output, and turn a
``PathwaysError`` into one clean message and exit 1 (``CleanGroup``). Layer 6, beside
``cli.py``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pathways import resources
from pathways.errors import ContentError, JourneyError, PathwaysError, Problem

if TYPE_CHECKING:
    from pathways.schema import Pathway
    from pathways.templating import Renderer

F = TypeVar("F", bound=Callable[..., Any])


def pathway_option(f: F) -> F:
    """``--pathway FILE``: which pathway document to use (every command takes it)."""
    return click.option(
        "--pathway",
        "pathway_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help=f"The pathway document to use (default: ${resources.PATHWAY_ENV}, else the"
        " built-in one).",
    )(f)


def pathways_option(help_text: str) -> Callable[[F], F]:
    """``--pathway FILE|DIR``, repeatable: the commands that take several pathways (serve,
    export site), each saying what it does with more than one."""
    return click.option(
        "--pathway",
        "pathway_files",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        metavar="FILE|DIR",
        help=help_text,
    )


def templates_option(f: F) -> F:
    """``--templates DIR``: a folder of templates overriding the built-in ones."""
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        metavar="DIR",
        help=f"A folder of templates that replace the built-in ones of the same name"
        f" (default: ${resources.TEMPLATES_ENV}, else none).",
    )(f)


def _say_templates_unused(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    if value is not None and ctx.get_parameter_source("templates_dir") is (
        click.core.ParameterSource.COMMANDLINE
    ):
        command = " ".join(ctx.command_path.split()[1:])
        click.echo(
            f"note: --templates has no effect on `pathways {command}`: it renders no templates",
            err=True,
        )
    return value


def unused_templates_option(f: F) -> F:
    """``--templates DIR`` on a command that renders no templates: accepted like every
    command's (so one set of options works for all), and said to have no effect when
    given, rather than silently ignored."""
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        metavar="DIR",
        callback=_say_templates_unused,
        help="Accepted for every command alike; this one renders no templates.",
    )(f)


_EXAMPLE_CONTEXT = "topic=value"


def _parse_context(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(
                f"'{item}' is not NAME=VALUE (for example {_EXAMPLE_CONTEXT})",
                ctx=ctx,
                param=param,
            )
        chosen[name.strip()] = value.strip()
    return chosen


def context_option(f: F) -> F:
    """``--context NAME=VALUE`` (repeatable): show only what is about these topics."""
    return click.option(
        "--context",
        "context",
        multiple=True,
        metavar="NAME=VALUE",
        callback=_parse_context,
        help=f"Show information about one topic only, e.g. {_EXAMPLE_CONTEXT}: a context id"
        " and one of its values, as the pathway names them. Repeat for more topics.",
    )(f)


def out_option(f: F) -> F:
    """``--out FILE``: write to FILE instead of the screen."""
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Write to FILE instead of the screen.",
    )(f)


# --------------------------------------------------------------------------- shared parts


ABOUT = (
    "Explains a health pathway, step by step and in plain words: what might happen next,"
    " and what each step means."
)
UNREAD_PURPOSE = (
    "Every page of the pathway in use ({path}) begins with its statement of what it is"
    " for and what it is not: read it there."
)
"""What ``--help`` says when the statement cannot be read quickly (``statement.py``)."""


def purpose_text(pathway_file: str | None = None) -> str:
    """The intended-purpose statement of the pathway in use (``--pathway``, else
    $PATHWAYS_FILE, else the built-in one) for help texts, read without loading a YAML
    library; where it cannot be read plainly, a neutral sentence saying where it is."""
    from pathways.statement import intended_purpose

    path = resources.chosen_pathway_file(pathway_file)
    return intended_purpose(path) or UNREAD_PURPOSE.format(path=path)


def _pathway_given(args: list[str]) -> str | None:
    """The value of the last ``--pathway`` on a command line, as click reads it."""
    found = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--pathway" and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--pathway="):
            found = arg.removeprefix("--pathway=")
    return found


class HelpCommand(click.Command):
    """A command whose help, where it takes ``--pathway``, ends with the statement of the
    pathway it would use (``--help`` is answered before the options are read: the command
    line is kept to find ``--pathway`` in it)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["pathways.args"] = list(args)
        return super().parse_args(ctx, args)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        if any(param.name == "pathway_file" for param in self.params):
            given = _pathway_given(ctx.meta.get("pathways.args", []))
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(purpose_text(given))


class CleanGroup(click.Group):
    """A command group that turns a PathwaysError into one clean message and exit 1, and
    whose help shows the intended-purpose statement of the pathway in use."""

    command_class = HelpCommand

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        own = self.help or ""
        if ctx.parent is None:  # `pathways --help`: what this is, then the statement
            text = f"{ABOUT}\n\n{purpose_text()}\n\n{own}"
        else:  # a group of commands (export): its own text, then the statement
            text = f"{own}\n\n{purpose_text()}"
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text.strip())

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PathwaysError as exc:
            report_error(exc)
            ctx.exit(1)


def report_error(exc: PathwaysError) -> None:
    """Print a problem a person can act on to stderr, without a traceback."""
    if isinstance(exc, ContentError):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
    elif isinstance(exc, JourneyError) and exc.allowed:
        click.echo(f"error: {exc.message}", err=True)
        allowed = textwrap.fill(
            ", ".join(exc.allowed),
            width=88,
            initial_indent="  allowed: ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        click.echo(allowed, err=True)
    else:
        click.echo(f"error: {exc}", err=True)


def load_chosen_pathway(pathway_file: Path | None) -> Pathway:
    """The pathway from ``--pathway``, else $PATHWAYS_FILE, else the built-in one."""
    from pathways.loader import load_pathway

    path = resources.chosen_pathway_file(pathway_file)
    if not path.is_file():
        raise ContentError(
            [
                Problem(
                    f"there is no pathway file '{path}'",
                    hint=f"check the path given to --pathway or ${resources.PATHWAY_ENV}",
                )
            ]
        )
    return load_pathway(path)


def make_renderer(templates_dir: Path | None, *, kept_bytecode: Path | None = None) -> Renderer:
    """A renderer with ``--templates``, else $PATHWAYS_TEMPLATES, else the built-in ones;
    ``kept_bytecode``: the cache folder its compiled templates are kept in, if any."""
    from pathways.templating import Renderer

    return Renderer(resources.chosen_templates_dir(templates_dir), kept_bytecode=kept_bytecode)


def write_out(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from None
    click.echo(f"wrote {out}", err=True)
