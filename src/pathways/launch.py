"""The ``pathways`` command's entry point: a page already shown is printed from the render
cache (``cache.py``) before the command line library or anything heavier is loaded;
every other command line goes to ``pathways.cli`` untouched.

Only the plain forms of ``pathways show`` are answered here: ``show [STATE]`` with
``--format``, ``--context``, ``--pathway`` and ``--templates``, each given once (a
context once per name), as ``--name value`` or ``--name=value``. Anything else (help,
``--no-cache``, a repeated option, an unknown option, ``--``, a value click would
refuse) goes to click, which gives the same answer it always did. A test checks that
whatever this module accepts, click reads the same way.

A page not kept is rendered here too when its pathway is kept compiled
(``compiled.py``): from the compiled views with Jinja2, without YAML, pydantic or
transitions.

Layer 6, beside ``cli.py``: it imports only the standard library, ``cache`` and
``resources`` (and ``templating`` to render a compiled view) until it hands over.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the kept path
if TYPE_CHECKING:
    from pathways import cache

TEXT_FORMATS = ("text", "markdown", "html", "json")
"""The formats of ``pathways show`` (``cli.TEXT_FORMATS``; a test keeps them the same)."""


class ShowArguments:
    """What a plain ``pathways show`` asked for, as click would read it.

    (A plain class, not a dataclass or a NamedTuple: ``dataclasses`` imports ``inspect``,
    20 ms, and ``typing.NamedTuple`` needs ``typing``, which the kept page's path does
    not import otherwise.)
    """

    __slots__ = ("context", "fmt", "pathway_file", "state", "templates_dir")

    def __init__(
        self,
        *,
        state: str | None,
        fmt: str,
        context: dict[str, str],
        pathway_file: Path | None,
        templates_dir: Path | None,
    ) -> None:
        self.state = state
        self.fmt = fmt
        self.context = context
        self.pathway_file = pathway_file
        self.templates_dir = templates_dir

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ShowArguments):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # holds a dict, as the NamedTuple did

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"ShowArguments({fields})"


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
    """The page for this command line, if it is a plain ``show`` and the page is kept, or
    its pathway is kept compiled (then rendered with Jinja2 alone, and kept); else None."""
    parsed = parse_show(args)
    if parsed is None:
        return None
    from pathways import cache

    if cache.cache_disabled():
        return None
    renders = cache.RenderCache()
    width = cache.terminal_width()

    def key_now() -> str | None:
        return cache.show_key(
            renders,
            state=parsed.state,
            fmt=parsed.fmt,
            context=parsed.context,
            width=width,
            pathway_file=parsed.pathway_file,
            templates_dir=parsed.templates_dir,
        )

    key = key_now()
    kept = renders.get(key) if key is not None else None
    if kept is None:
        kept = _from_compiled(parsed, renders, width)
        # Kept only if nothing it was made from changed while it was being made.
        if kept is not None and key is not None and key == key_now():
            renders.put(key, kept)
    if kept is None or "\x1b" in kept:  # click strips escape codes when piped: let it
        return None
    return kept


def _from_compiled(parsed: ShowArguments, renders: cache.RenderCache, width: int) -> str | None:
    """The page rendered from the pathway's compiled form (``compiled.py``), or None if
    none is kept or anything is not right (click then loads the pathway and says what)."""
    from pathways import cache, resources

    key = cache.compiled_key(renders, parsed.pathway_file)
    if key is None:
        return None
    view = cache.CompiledPathways(renders.folder).view(key, parsed.state, parsed.context)
    if view is None:
        return None
    from pathways.errors import PathwaysError
    from pathways.templating import Renderer

    try:
        renderer = Renderer(
            resources.chosen_templates_dir(parsed.templates_dir), kept_bytecode=renders.folder
        )
        return renderer.render_view(view, parsed.fmt, width=width)
    except PathwaysError:
        return None


def main() -> None:
    """Run ``pathways``: a kept page at once, else the full command line."""
    kept = kept_show(sys.argv[1:])
    if kept is not None:
        sys.stdout.write(kept)
        sys.stdout.flush()
        return
    from pathways.cli import main as cli_main

    cli_main()
