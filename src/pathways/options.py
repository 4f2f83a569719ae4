"""The options the ``pathways`` commands share: ``--pathway``, ``--templates`` (and its
form for commands that render no templates), ``--context`` and ``--out``. Each is a
decorator, so every command declares them the same way. Layer 6, beside ``cli.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pathways import resources

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


def _parse_context(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(
                f"'{item}' is not NAME=VALUE (for example philadelphia=positive)",
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
        help="Show information about one topic only, e.g. philadelphia=positive."
        " Repeat for more topics.",
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
