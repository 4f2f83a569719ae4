"""The ``pathways`` command's entry point: a page already shown is printed from the render
cache (``cache.py``) before the command line library or anything heavier is loaded;
every other command line goes to ``pathways.cli`` untouched.

Only the plain forms of ``pathways show`` are answered here: ``show [STATE]`` with
``--format``, ``--context``, ``--pathway`` and ``--templates``, each given once (a
context once per name), as ``--name value`` or ``--name=value``. Anything else (help,
``--no-cache``, a repeated option, an unknown option, ``--``, a value click would
refuse) goes to click, which gives the same answer it always did. A test checks that
whatever this module accepts, click reads the same way.

Layer 5, beside ``cli.py``: it imports only the standard library, ``cache`` and
``resources`` until it hands over.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

TEXT_FORMATS = ("text", "markdown", "html", "json")
"""The formats of ``pathways show`` (``cli.TEXT_FORMATS``; a test keeps them the same)."""


class ShowArguments(NamedTuple):
    """What a plain ``pathways show`` asked for, as click would read it.

    (A NamedTuple, not a dataclass: ``dataclasses`` imports ``inspect``, 20 ms.)
    """

    state: str | None
    fmt: str
    context: dict[str, str]
    pathway_file: Path | None
    templates_dir: Path | None


def parse_show(args: Sequence[str]) -> ShowArguments | None:
    """The arguments of a plain ``show`` command line, or None for anything else."""
    if not args or args[0] != "show":
        return None
    state: str | None = None
    values: dict[str, str] = {}
    context: dict[str, str] = {}
    rest = list(args[1:])
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            if state is not None:
                return None  # a second argument: click's usage error
            state = token
            continue
        name, equals, value = token.partition("=")
        if name not in ("--format", "--context", "--pathway", "--templates"):
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if name == "--context":
            topic, sep, chosen = value.partition("=")
            topic, chosen = topic.strip(), chosen.strip()
            if not sep or not topic or not chosen or topic in context:
                return None
            context[topic] = chosen
        elif name in values or not value or value.startswith("-"):
            return None
        else:
            values[name] = value
    fmt = values.get("--format", "text")
    if fmt not in TEXT_FORMATS or (state is not None and not state):
        return None
    pathway = values.get("--pathway")
    templates = values.get("--templates")
    return ShowArguments(
        state=state,
        fmt=fmt,
        context=context,
        pathway_file=Path(pathway) if pathway else None,
        templates_dir=Path(templates) if templates else None,
    )


def kept_show(args: Sequence[str]) -> str | None:
    """The kept render for this command line, if it is a plain ``show`` and one is kept."""
    parsed = parse_show(args)
    if parsed is None:
        return None
    from pathways import cache

    if cache.cache_disabled():
        return None
    renders = cache.RenderCache()
    key = cache.show_key(
        renders,
        state=parsed.state,
        fmt=parsed.fmt,
        context=parsed.context,
        width=cache.terminal_width(),
        pathway_file=parsed.pathway_file,
        templates_dir=parsed.templates_dir,
    )
    kept = renders.get(key) if key is not None else None
    if kept is None or "\x1b" in kept:  # click strips escape codes when piped: let it
        return None
    return kept


def main() -> None:
    """Run ``pathways``: a kept page at once, else the full command line."""
    kept = kept_show(sys.argv[1:])
    if kept is not None:
        sys.stdout.write(kept)
        sys.stdout.flush()
        return
    from pathways.cli import main as cli_main

    cli_main()
