"""The ``pathways`` command line: argv in, text out, and an exit code.

    0  done
    1  the pathway, a template or what was asked for is not right (one clean message)
    2  the command itself was mistyped (click's usage message)

A ``PathwaysError`` never shows a traceback: content problems print one
``file:line:col: message`` and ``hint:`` each, a journey problem prints what is allowed.

Start-up stays quick: the heavy libraries (pydantic, jinja2, transitions, yaml) are
imported inside the commands that need them, so ``--help`` and ``--version`` load none.
Click is imported here and by the parts of the command line beside it: the shared options
and helpers (``options.py``), the export and import commands (``exporting.py``) and the
terminal walk (``walk.py``); layer 6.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pathways import __version__, resources
from pathways.exporting import export, import_, write_json_schema
from pathways.options import (
    CleanGroup,
    context_option,
    load_chosen_pathway,
    make_renderer,
    out_option,
    pathway_option,
    pathways_option,
    templates_option,
    unused_templates_option,
)

TEXT_FORMATS = ("text", "markdown", "html", "json")
GRAPH_FORMATS = ("mermaid", "dot")


# --------------------------------------------------------------------------- commands


@click.group(
    cls=CleanGroup,
    help=f"The pathway is the file ${resources.PATHWAY_ENV} names, else the built-in one."
    " Start with `pathways walk`, or `pathways show` to read one step.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 88},
)
@click.version_option(__version__, "--version", prog_name="pathways")
def main() -> None:
    """The ``pathways`` command."""


@main.command(short_help="Check a pathway document and the templates.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pathway_option
@templates_option
def validate(file: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """Check a pathway document (FILE, default the one in use) and the templates.

    Prints 'ok: N states, M transitions', or every problem as file:line:col with a hint.
    """
    from pathways.journey import Journey

    pathway = load_chosen_pathway(file or pathway_file)
    renderer = make_renderer(templates_dir)
    # A template that breaks on some state breaks for a reader; find it now.
    for state_id in pathway.state_ids:
        journey = Journey.begin(pathway, at=state_id)
        for fmt in ("text", "markdown", "html"):
            renderer.render(journey, fmt, width=80)
    click.echo(f"ok: {len(pathway.states)} states, {len(pathway.transitions)} transitions")


@main.command(short_help="Show one step of the pathway.")
@click.argument("state", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TEXT_FORMATS),
    default="text",
    show_default=True,
    help="text for a terminal, markdown, a standalone html page, or json for programs.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Render afresh and keep nothing (also $PATHWAYS_NO_CACHE=1). The cache holds"
    " pages and what they are made from, never anything about you.",
)
@context_option
@pathway_option
@templates_option
def show(
    state: str | None,
    fmt: str,
    no_cache: bool,
    context: dict[str, str],
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Show one step of the pathway: STATE (default: where the pathway starts).

    A page shown once is kept in the cache folder ($XDG_CACHE_HOME/pathways, else
    ~/.cache/pathways) and shown again from there, without loading anything else, for as
    long as the pathway, the templates and the program are unchanged.
    """
    from pathways import cache

    width = cache.terminal_width()
    renders = None if no_cache or cache.cache_disabled() else cache.RenderCache()

    def key_now() -> str | None:
        if renders is None:
            return None
        return cache.show_key(
            renders,
            state=state,
            fmt=fmt,
            context=context,
            width=width,
            pathway_file=pathway_file,
            templates_dir=templates_dir,
        )

    key = key_now()
    kept = renders.get(key) if renders is not None and key is not None else None
    if kept is not None:
        click.echo(kept, nl=False)
        return

    from pathways.journey import Journey

    compiled = cache.compiled_key(renders, pathway_file) if renders is not None else None
    pathway = load_chosen_pathway(pathway_file)
    journey = Journey.begin(pathway, context, at=state)
    kept_bytecode = renders.folder if renders is not None else None
    output = make_renderer(templates_dir, kept_bytecode=kept_bytecode).render(
        journey, fmt, width=width
    )
    click.echo(output, nl=False)
    # Kept only if nothing it was made from changed while it was being made.
    if renders is not None and key is not None and key == key_now():
        renders.put(key, output)
    # The pathway compiled, so that its other pages are shown without loading it again.
    if renders is not None and compiled is not None:
        store = cache.CompiledPathways(renders.folder)
        if store.view(compiled, state, context) is None:  # none kept, or damaged: replace it
            from pathways.compiled import compile_pathway

            data = compile_pathway(pathway)
            if data is not None and compiled == cache.compiled_key(renders, pathway_file):
                store.put(compiled, data)


@main.command(short_help="Walk through the pathway one step at a time.")
@click.option("--start", metavar="STATE", help="Begin at this step instead of the start.")
@click.option(
    "--notes",
    "notes_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Keep the questions you choose or write (type a at a step) in FILE, a new file.",
)
@context_option
@pathway_option
@templates_option
def walk(
    start: str | None,
    notes_file: Path | None,
    context: dict[str, str],
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Walk through the pathway one step at a time.

    Type a number to read about that step, b to go back, r to start again,
    m for more detail, q to quit and ? for help. With --notes FILE, type a at a
    step to add its questions, or your own, to your list in FILE.
    """
    from pathways.journey import Journey
    from pathways.walk import Walk

    if notes_file is not None and notes_file.exists():
        raise click.BadParameter(
            f"'{notes_file}' already exists, and the walk would write over it."
            " Name a new file, or move that one first.",
            param_hint="'--notes'",
        )
    pathway = load_chosen_pathway(pathway_file)
    first = Journey.begin(pathway, context, at=start)
    Walk(first, make_renderer(templates_dir), notes_file).run()


@main.command(short_help="Print the pathway as a diagram (Mermaid or DOT).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default="mermaid",
    show_default=True,
    help="mermaid (for Markdown and many editors) or dot (Graphviz).",
)
@click.option("--highlight", metavar="STATE", help="Mark this step as 'You are here'.")
@context_option
@pathway_option
@unused_templates_option
def graph(
    fmt: str,
    highlight: str | None,
    context: dict[str, str],
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Print the whole pathway as a diagram: every step and how they connect."""
    from pathways import diagram

    pathway = load_chosen_pathway(pathway_file)
    draw = diagram.to_dot if fmt == "dot" else diagram.to_mermaid
    click.echo(draw(pathway, highlight=highlight, context=context), nl=False)


main.add_command(export)
main.add_command(import_)


# More commands are added below, each with @pathway_option and @templates_option and
# loading through load_chosen_pathway() / make_renderer():
#   `pathways lint` and `pathways schema` (lint.py), `pathways serve` (web.py).


@main.command(short_help="Check that the content reads as information, in plain words.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="text for people (figures table, findings, summary), json for programs.",
)
@click.option(
    "--no-treatment-state",
    "no_treatment_states",
    multiple=True,
    metavar="ID",
    help="A state that offers the choice not to have (more) treatment, instead of the"
    " document's lint.no_treatment.states. Repeat for more.",
)
# The name this option had before the settings moved into the document: kept, hidden,
# so that existing CI calls keep working.
@click.option("--palliative-state", "old_no_treatment_states", multiple=True, hidden=True)
@click.option(
    "--team-state",
    default=None,
    metavar="ID",
    help="The state about talking to the team, instead of the document's lint.team.state.",
)
@pathway_option
@templates_option
def lint(
    file: Path | None,
    fmt: str,
    no_treatment_states: tuple[str, ...],
    old_no_treatment_states: tuple[str, ...],
    team_state: str | None,
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Check a pathway's content (FILE, default the one in use) against the content rules.

    Looks for advice wording (in the content and the templates), reading level, numbers,
    sources and review dates, glossary use, balance at branches, and ways to the
    team. Each finding is 'file:line:col: rule: severity: message' with a hint; a table
    of reading figures comes first and 'N errors, M warnings' last. The pathway's own
    words and states are read from its 'lint:' section (see docs/lint-settings.md).
    Exit status 1 if anything is an error; warnings alone pass.
    """
    from pathways import lint as content_lint
    from pathways.loader import load_document

    path = resources.chosen_pathway_file(file or pathway_file)
    document = load_document(content_lint.display_path(path))
    config = content_lint.LintConfig(
        templates_dirs=resources.template_dirs(resources.chosen_templates_dir(templates_dir)),
        team_state=team_state,
        no_treatment_states=(no_treatment_states + old_no_treatment_states) or None,
    )
    report = content_lint.lint_document(document, config)
    formatted = (
        content_lint.format_json(report) if fmt == "json" else content_lint.format_text(report)
    )
    click.echo(formatted, nl=False)
    if not report.ok:
        click.get_current_context().exit(1)


@main.command(short_help="Print the JSON Schema of a pathway document (for editors).")
@out_option
@pathway_option
@unused_templates_option
def schema(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """Print the JSON Schema that a pathway document follows.

    Point an editor at it (for example with a '# yaml-language-server: $schema=FILE'
    line at the top of pathways.yaml) to get completion and checks while writing.
    """
    write_json_schema(out)


def _check_origins(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Each --embed-origin as the origin browsers compare (scheme://host[:port])."""
    if not values:
        return ()
    from pathways.embed import check_origin

    try:
        return tuple(dict.fromkeys(check_origin(value) for value in values))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _check_root_path(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from pathways.middleware.prefix import check_prefix

    try:
        return check_prefix(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@main.command(short_help="Serve the pathway as a web app (patients, nurses, the map).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on (0.0.0.0 to be reachable from other machines).",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="The port."
)
@click.option(
    "--embed-origin",
    "embed_origins",
    multiple=True,
    metavar="ORIGIN",
    callback=_check_origins,
    help="A site whose pages may show the guide in an iframe (/embed/), e.g."
    " https://portal.example.org. Repeat for more. Default: none, so no site can.",
)
@click.option(
    "--reload-content",
    is_flag=True,
    help="For authors: watch the pathway file and the templates, and serve each edit that"
    " checks out; a broken edit is logged (file:line:col) and the last good version stays"
    " up.",
)
@pathways_option(
    "A pathway document to serve, or a folder of them; repeat for more. Several are"
    " each served at /p/<id>/ with a catalogue of them at /. Default: $PATHWAYS_DIR (a"
    f" folder), else ${resources.PATHWAY_ENV}, else the built-in one.",
)
@click.option(
    "--root-path",
    default="",
    metavar="PATH",
    callback=_check_root_path,
    help="The path the whole app is served under on a larger site, e.g. /guides, when a"
    " proxy in front strips it. Default: none, the app is at the root of its host.",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDRESSES",
    default="",
    help="Comma-separated addresses of the proxies (e.g. 127.0.0.1 for nginx on this"
    " machine) whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Prefix are"
    " believed. Default: none.",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(1),
    help="Connections open at once at most (fewer if the open-files limit is lower); idle"
    " ones are closed to make room, and past it a busy server answers 503.",
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a client has to send a request's headers; its body gets three times that.",
)
@click.option(
    "--http",
    "http_parser",
    type=click.Choice(["httptools", "h11"]),
    default=None,
    help="uvicorn's HTTP parser: httptools (the default, in C; docs/performance.md) or h11"
    " (pure Python). Both keep the time limits and the connection bound.",
)
@templates_option
def serve(
    host: str,
    port: int,
    reload_content: bool,
    embed_origins: tuple[str, ...],
    pathway_files: tuple[Path, ...],
    root_path: str,
    forwarded_allow_ips: str,
    max_connections: int,
    header_timeout: float,
    http_parser: str | None,
    templates_dir: Path | None,
) -> None:
    """Serve the pathway as a web app at http://HOST:PORT/ until Ctrl+C.

    A walk-through for patients and families, a presenter mode for nurses, the whole
    pathway as a map, and a one-page print of the path and its questions. The pathway and
    the templates are checked once, before the server starts. Pages need nothing from other
    hosts and set no cookies: the journey is in each page's address, which is why
    addresses are not written to the log.

    Several pathways (--pathway repeated, or a folder): each at /p/<id>/ (its
    metadata.id), a catalogue of them at /, and the single-pathway addresses lead to the
    first. Every document is checked first: one that is broken stops the start.

    For developers: a JSON API under /api/ (described at /openapi.json and /api/docs) and
    an embeddable page at /embed/ for the sites given with --embed-origin.
    """
    import gc
    import os

    from pathways import server
    from pathways.catalogue import DIR_ENV, load_catalogue
    from pathways.middleware.headers import SECURITY_HEADERS
    from pathways.web import create_app, create_catalogue_app

    given = list(pathway_files)
    if not given and os.environ.get(DIR_ENV):
        given = [Path(os.environ[DIR_ENV])]
    single: Path | None = given[0] if len(given) == 1 and given[0].is_file() else None
    catalogue = None
    if given and single is None:
        catalogue = load_catalogue(given)
        if len(catalogue.entries) == 1:
            single = Path(catalogue.entries[0].filename)
            catalogue = None
    if catalogue is not None and reload_content:
        raise click.UsageError("--reload-content serves one pathway: give one --pathway FILE")

    def build() -> Any:
        if catalogue is not None:
            return create_catalogue_app(
                catalogue, templates_dir=templates_dir, embed_origins=embed_origins
            )
        return create_app(
            pathway=load_chosen_pathway(single),
            templates_dir=templates_dir,
            embed_origins=embed_origins,
            # Reloading: each app keeps the templates it was checked with.
            snapshot_templates=reload_content,
        )

    served = app = build()
    if reload_content:
        served = _live(build, single, templates_dir)
        app = served.app
    # What start-up built lives as long as the server: keep the cycle collector off it.
    gc.freeze()
    shown = f"[{host}]" if ":" in host else host
    what = f"{len(catalogue.served)} pathways" if catalogue is not None else f"'{app.title}'"
    click.echo(f"Serving {what} at http://{shown}:{port}{root_path}/ (Ctrl+C to stop)", err=True)
    if catalogue is not None:
        for entry in catalogue.entries:
            where = "withdrawn for review" if entry.withdrawn else f"{root_path}/p/{entry.id}/"
            click.echo(f"  {entry.filename}: {where}", err=True)
    parsers: dict[str | None, server.Parser] = {"httptools": "httptools", "h11": "h11"}
    settings = server.ServerSettings(
        http=parsers.get(http_parser, server.ServerSettings.http),
        header_timeout=header_timeout,
        body_timeout=3 * header_timeout,
        max_connections=max_connections,
        forwarded_allow_ips=tuple(a.strip() for a in forwarded_allow_ips.split(",") if a.strip()),
        root_path=root_path,
    )
    server.serve(served, host=host, port=port, settings=settings, headers=SECURITY_HEADERS)


def _live(build: Callable[[], Any], pathway_file: Path | None, templates_dir: Path | None) -> Any:
    """The app for --reload-content: rebuilt from the files whenever they change."""
    import logging

    from pathways.live import LiveApp

    # The watcher's messages (a broken edit's file:line:col, a switch-over) go to stderr
    # beside uvicorn's. Never addresses: those carry journeys.
    logger = logging.getLogger("pathways")
    if not any(getattr(h, "pathways_serve", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        handler.pathways_serve = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    watched = [
        resources.chosen_pathway_file(pathway_file),
        *resources.template_dirs(resources.chosen_templates_dir(templates_dir)),
    ]
    return LiveApp(build, watched)
