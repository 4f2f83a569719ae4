"""The ``pathways`` command line: argv in, text out, and an exit code.

    0  done
    1  the pathway, a template or what was asked for is not right (one clean message)
    2  the command itself was mistyped (click's usage message)

A ``PathwaysError`` never shows a traceback: content problems print one
``file:line:col: message`` and ``hint:`` each, a journey problem prints what is allowed.

Start-up stays quick: the heavy libraries (pydantic, jinja2, transitions, yaml) are
imported inside the commands that need them, so ``--help`` and ``--version`` load none.
Click is imported here and by the parts of the command line beside it: the shared options
(``options.py``) and the terminal walk (``walk.py``); layer 6.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pathways import __version__, resources
from pathways.errors import ContentError, JourneyError, PathwaysError, Problem
from pathways.options import (
    context_option,
    out_option,
    pathway_option,
    templates_option,
    unused_templates_option,
)

if TYPE_CHECKING:
    from pathways.schema import Pathway
    from pathways.templating import Renderer


INTENDED_PURPOSE = (
    "This is general information about relapsed ALL. It is not medical advice and cannot"
    " tell you what will happen to you. Your healthcare team will talk to you about your"
    " own care."
)
"""The intended-purpose statement, here as well as in the pathway so that ``--help`` can
show it without loading anything (a test keeps the two the same)."""

TEXT_FORMATS = ("text", "markdown", "html", "json")
GRAPH_FORMATS = ("mermaid", "dot")


# --------------------------------------------------------------------------- shared parts


class _Group(click.Group):
    """A command group that turns a PathwaysError into one clean message and exit 1."""

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


def make_renderer(templates_dir: Path | None) -> Renderer:
    """A renderer with ``--templates``, else $PATHWAYS_TEMPLATES, else the built-in ones."""
    from pathways.templating import Renderer

    return Renderer(resources.chosen_templates_dir(templates_dir))


def _write(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(out), hint=exc.strerror or str(exc)) from None
    click.echo(f"wrote {out}", err=True)


# --------------------------------------------------------------------------- commands


@click.group(
    cls=_Group,
    help="Explains, step by step and in plain words, what might happen after a relapse of"
    f" acute lymphoblastic leukaemia (ALL).\n\n{INTENDED_PURPOSE}\n\n"
    "Start with `pathways walk`, or `pathways show` to read one step.",
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
    " finished pages only, never anything about you.",
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

    pathway = load_chosen_pathway(pathway_file)
    journey = Journey.begin(pathway, context, at=state)
    output = make_renderer(templates_dir).render(journey, fmt, width=width)
    click.echo(output, nl=False)
    # Kept only if nothing it was made from changed while it was being made.
    if renders is not None and key is not None and key == key_now():
        renders.put(key, output)


@main.command(short_help="Walk through the pathway one step at a time.")
@click.option("--start", metavar="STATE", help="Begin at this step instead of the start.")
@context_option
@pathway_option
@templates_option
def walk(
    start: str | None,
    context: dict[str, str],
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Walk through the pathway one step at a time.

    Type a number to read about that step, b to go back, r to start again,
    m for more detail, q to quit and ? for help.
    """
    from pathways.journey import Journey
    from pathways.walk import Walk

    pathway = load_chosen_pathway(pathway_file)
    first = Journey.begin(pathway, context, at=start)
    Walk(first, make_renderer(templates_dir)).run()


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


@main.group(cls=_Group, short_help="Write the whole pathway for other programs.")
def export() -> None:
    """Write the whole pathway in a form other programs can read."""


# Each format is a subcommand of `export` taking --out, --pathway and --templates;
# `export site` joins them (it writes a folder, so it takes one instead of --out).


@export.command("json")
@out_option
@pathway_option
@unused_templates_option
def export_json(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The whole pathway as JSON: states, steps, facts with sources, glossary, support."""
    from pathways.export import to_json

    _write(to_json(load_chosen_pathway(pathway_file)), out)


def _export_diagram(fmt: str) -> click.Command:
    names = {"mermaid": "Mermaid (for Markdown and many editors)", "dot": "Graphviz DOT"}
    short = {"mermaid": "Mermaid diagram text: every step.", "dot": "DOT diagram text: every step."}

    @click.option("--highlight", metavar="STATE", help="Mark this step as 'You are here'.")
    @context_option
    @out_option
    @pathway_option
    @unused_templates_option
    def command(
        highlight: str | None,
        context: dict[str, str],
        out: Path | None,
        pathway_file: Path | None,
        templates_dir: Path | None,
    ) -> None:
        from pathways import diagram

        draw = diagram.to_dot if fmt == "dot" else diagram.to_mermaid
        _write(draw(load_chosen_pathway(pathway_file), highlight=highlight, context=context), out)

    command.__doc__ = f"The pathway's diagram as {names[fmt]} text: every step and its links."
    return export.command(fmt, short_help=short[fmt])(command)


export_mermaid = _export_diagram("mermaid")
export_dot = _export_diagram("dot")


@export.command("scxml", short_help="W3C SCXML state machine, for SCXML engines.")
@out_option
@pathway_option
@unused_templates_option
def export_scxml(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The pathway as a W3C SCXML state machine, for SCXML engines.

    Topics (contexts) are <data> that start at their defaults; a step for some topics
    has an ECMAScript cond. Titles and labels are kept as pathways:* attributes.
    """
    from pathways.interchange import to_scxml

    _write(to_scxml(load_chosen_pathway(pathway_file)), out)


@export.command("xstate", short_help="XState v5 machine (JSON), for JavaScript apps.")
@out_option
@pathway_option
@unused_templates_option
def export_xstate(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The pathway as an XState v5 machine (JSON), for JavaScript apps.

    A step for some topics names the guard 'applies', whose params list the allowed
    values of each topic; the host supplies it (see docs/exports.md).
    """
    from pathways.interchange import to_xstate

    _write(to_xstate(load_chosen_pathway(pathway_file)), out)


@export.command("json-schema", short_help="JSON Schema of a pathway document (as `schema`).")
@out_option
@pathway_option
@unused_templates_option
def export_json_schema(
    out: Path | None, pathway_file: Path | None, templates_dir: Path | None
) -> None:
    """The JSON Schema a pathway document follows (the same as `pathways schema`)."""
    click.get_current_context().invoke(
        schema, out=out, pathway_file=pathway_file, templates_dir=templates_dir
    )


@export.command("site", short_help="The guide as a static website: a folder of HTML files.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--maps",
    type=click.Choice(("auto", "each", "one")),
    default="auto",
    show_default=True,
    help="each: a map page for every state, with it marked; one: a single map that every"
    " state links into; auto: each, up to 100 states.",
)
@click.option(
    "--pathway",
    "pathway_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE|DIR",
    help="A pathway document, or a folder of them; repeat for more. Several make a site"
    " with a list of them at index.html and each in a folder of its own. Default:"
    f" ${resources.PATHWAY_ENV}, else the built-in one.",
)
@templates_option
def export_site(
    folder: Path, maps: str, pathway_files: tuple[Path, ...], templates_dir: Path | None
) -> None:
    """Write the guide as static HTML into FOLDER: the start page, every state, the map
    and the glossary, linked by relative paths.

    Open FOLDER/index.html in a browser, or copy FOLDER to any static host or CDN: no
    server is needed and nothing is loaded from another host. FOLDER must be new, empty
    or an earlier site; building again replaces only the files the site is made of.
    Several pathways: FOLDER/index.html lists them and FOLDER/<id>/ holds each one's site.
    """
    from typing import cast

    from pathways.catalogue import load_catalogue
    from pathways.site import Maps, build_catalogue_site, build_site

    templates = resources.chosen_templates_dir(templates_dir)
    single = pathway_files[0] if len(pathway_files) == 1 and pathway_files[0].is_file() else None
    catalogue = load_catalogue(pathway_files) if pathway_files and single is None else None
    if catalogue is not None and len(catalogue.entries) == 1:
        single, catalogue = Path(catalogue.entries[0].filename), None
    if catalogue is not None:
        site = build_catalogue_site(catalogue, folder, templates, maps=cast(Maps, maps))
    else:
        site = build_site(load_chosen_pathway(single), folder, templates, maps=cast(Maps, maps))
    click.echo(
        f"wrote {len(site.pages)} pages ({len(site.files)} files) to {folder};"
        f" open {folder / 'index.html'}",
        err=True,
    )


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
    "--palliative-state",
    default="palliative_care",
    show_default=True,
    metavar="ID",
    help="The state that stands for palliative care, offered wherever treatment is decided.",
)
@click.option(
    "--team-state",
    default="talk_to_team",
    show_default=True,
    metavar="ID",
    help="The state that stands for talking to the healthcare team.",
)
@pathway_option
@templates_option
def lint(
    file: Path | None,
    fmt: str,
    palliative_state: str,
    team_state: str,
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Check a pathway's content (FILE, default the one in use) against the content rules.

    Looks for advice wording (in the content and the templates), reading level, numbers,
    sources and review dates, glossary use, balance at branches, and ways to the
    healthcare team. Each finding is 'file:line:col: rule: severity: message' with a
    hint; a table of reading figures comes first and 'N errors, M warnings' last.
    Exit status 1 if anything is an error; warnings alone pass.
    """
    from pathways import lint as content_lint
    from pathways.loader import load_document

    path = resources.chosen_pathway_file(file or pathway_file)
    document = load_document(content_lint.display_path(path))
    config = content_lint.LintConfig(
        templates_dirs=resources.template_dirs(resources.chosen_templates_dir(templates_dir)),
        palliative_state=palliative_state,
        team_state=team_state,
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
    import json

    from pathways.lint import document_schema

    _write(json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n", out)


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
@click.option(
    "--pathway",
    "pathway_files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE|DIR",
    help="A pathway document to serve, or a folder of them; repeat for more. Several are"
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
    default=None,
    metavar="IPS",
    help="Proxies whose X-Forwarded-For, -Proto and -Prefix headers count (addresses or"
    " networks, comma-separated, or *). Default: $FORWARDED_ALLOW_IPS, else 127.0.0.1.",
)
@templates_option
def serve(
    host: str,
    port: int,
    reload_content: bool,
    embed_origins: tuple[str, ...],
    pathway_files: tuple[Path, ...],
    root_path: str,
    forwarded_allow_ips: str | None,
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

    import uvicorn

    from pathways.catalogue import DIR_ENV, load_catalogue
    from pathways.middleware.prefix import behind_proxy
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
    trusted = forwarded_allow_ips or os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"
    # What start-up built lives as long as the server: keep the cycle collector off it.
    gc.freeze()
    shown = f"[{host}]" if ":" in host else host
    what = f"{len(catalogue.served)} pathways" if catalogue is not None else f"'{app.title}'"
    click.echo(f"Serving {what} at http://{shown}:{port}{root_path}/ (Ctrl+C to stop)", err=True)
    if catalogue is not None:
        for entry in catalogue.entries:
            where = "withdrawn for review" if entry.withdrawn else f"{root_path}/p/{entry.id}/"
            click.echo(f"  {entry.filename}: {where}", err=True)
    uvicorn.run(
        behind_proxy(served, trusted),
        host=host,
        port=port,
        root_path=root_path,
        proxy_headers=False,  # behind_proxy applies uvicorn's own rule, inside the prefix
        log_level="info",
        access_log=False,
        server_header=False,
    )


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
