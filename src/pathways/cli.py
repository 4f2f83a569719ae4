"""The ``pathways`` command line: argv in, text out, and an exit code.

    0  done
    1  the pathway, a template or what was asked for is not right (one clean message)
    2  the command itself was mistyped (click's usage message)

A ``PathwaysError`` never shows a traceback: content problems print one
``file:line:col: message`` and ``hint:`` each, a journey problem prints what is allowed.

Start-up stays quick: the heavy libraries (pydantic, jinja2, transitions, yaml) are
imported inside the commands that need them, so ``--help`` and ``--version`` load none.
This module is the only one that imports click (layer 5).
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pathways import __version__, resources
from pathways.errors import ContentError, JourneyError, PathwaysError, Problem

if TYPE_CHECKING:
    from pathways.journey import Journey, Step
    from pathways.schema import Pathway
    from pathways.templating import Renderer

F = TypeVar("F", bound=Callable[..., Any])

INTENDED_PURPOSE = (
    "This is general information. It is not medical advice and cannot tell you what will"
    " happen to you. Your healthcare team will talk to you about your own care."
)
"""What every pathway is and is not, in words that hold for any topic: ``--help`` shows
it without loading a pathway (which would cost pydantic and PyYAML), and the pathway's
own statement is on every page it renders."""

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
        message = str(exc)
        suffix = f" (allowed: {', '.join(exc.allowed)})"
        message = message.removesuffix(suffix)
        click.echo(f"error: {message}", err=True)
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
    help="Explains a health pathway, step by step and in plain words: what might happen"
    f" next, and what each step means.\n\n{INTENDED_PURPOSE}\n\n"
    f"The pathway is the file given with --pathway, else ${resources.PATHWAY_ENV}, else the"
    " built-in one; every page shows that pathway's own statement of what it is for.\n\n"
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

    if notes_file is not None and notes_file.exists():
        raise click.BadParameter(
            f"'{notes_file}' already exists, and the walk would write over it."
            " Name a new file, or move that one first.",
            param_hint="'--notes'",
        )
    pathway = load_chosen_pathway(pathway_file)
    first = Journey.begin(pathway, context, at=start)
    _Walk(first, make_renderer(templates_dir), notes_file).run()


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
@templates_option
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


def out_option(f: F) -> F:
    """``--out FILE``: write to FILE instead of the screen."""
    return click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Write to FILE instead of the screen.",
    )(f)


@export.command("json")
@out_option
@pathway_option
@templates_option
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
    @templates_option
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
@templates_option
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
@templates_option
def export_xstate(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The pathway as an XState v5 machine (JSON), for JavaScript apps.

    A step for some topics names the guard 'applies', whose params list the allowed
    values of each topic; the host supplies it (see the README).
    """
    from pathways.interchange import to_xstate

    _write(to_xstate(load_chosen_pathway(pathway_file)), out)


@export.command("fhir", short_help="HL7 FHIR R4 Bundle: PlanDefinition and Questionnaire.")
@out_option
@pathway_option
@templates_option
def export_fhir(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The pathway as an HL7 FHIR R4 Bundle (JSON), for health IT systems.

    A PlanDefinition whose actions are the steps, a Questionnaire of the questions to ask,
    and code systems for the glossary and the topics; nothing about a patient. `pathways
    import fhir` reads it back. See docs/fhir.md.
    """
    from pathways.fhir import to_fhir_json

    _write(to_fhir_json(load_chosen_pathway(pathway_file)), out)


@export.command("json-schema", short_help="JSON Schema of a pathway document (as `schema`).")
@out_option
@pathway_option
@templates_option
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
@pathway_option
@templates_option
def export_site(
    folder: Path, maps: str, pathway_file: Path | None, templates_dir: Path | None
) -> None:
    """Write the guide as static HTML into FOLDER: the start page, every state, the map
    and the glossary, linked by relative paths.

    Open FOLDER/index.html in a browser, or copy FOLDER to any static host or CDN: no
    server is needed and nothing is loaded from another host. FOLDER must be new, empty
    or an earlier site; building again replaces only the files the site is made of.
    """
    from typing import cast

    from pathways.site import Maps, build_site

    site = build_site(
        load_chosen_pathway(pathway_file),
        folder,
        resources.chosen_templates_dir(templates_dir),
        maps=cast(Maps, maps),
    )
    click.echo(
        f"wrote {len(site.pages)} pages ({len(site.files)} files) to {folder};"
        f" open {folder / 'index.html'}",
        err=True,
    )


@main.group(
    "import", cls=_Group, short_help="Read a pathway written for other programs back."
)
def import_() -> None:
    """Read a pathway back from a form other programs use, as a pathway document."""


@import_.command("fhir", short_help="A Bundle from `pathways export fhir` -> pathways.yaml.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the pathway document to FILE (e.g. pathways.yaml) instead of the screen.",
)
def import_fhir(file: Path, out: Path | None) -> None:
    """Turn a FHIR R4 Bundle written by `pathways export fhir` (FILE) back into a pathway
    document (YAML), checked as `pathways validate` checks one."""
    from pathways.fhir import MAX_BUNDLE_BYTES, read_bundle
    from pathways.loader import dump_pathway

    try:
        with file.open("rb") as stream:  # a file too large is refused after this much
            raw = stream.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise ContentError(
            [Problem(f"cannot read {file}: {exc.strerror or exc}", hint="check the path")]
        ) from None
    _write(dump_pathway(read_bundle(raw, str(file))), out)


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
    chosen = resources.chosen_templates_dir(templates_dir)
    config = content_lint.LintConfig(
        templates_dirs=tuple(d for d in (chosen, resources.default_templates_dir()) if d),
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
@templates_option
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
@pathway_option
@templates_option
def serve(
    host: str,
    port: int,
    reload_content: bool,
    embed_origins: tuple[str, ...],
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> None:
    """Serve the pathway as a web app at http://HOST:PORT/ until Ctrl+C.

    A walk-through for patients and families, a presenter mode for nurses, the whole
    pathway as a map, and a one-page print of the path and its questions. The pathway and
    the templates are checked once, before the server starts. Pages need nothing from other
    hosts and set no cookies: the journey is in each page's address, which is why
    addresses are not written to the log.

    For developers: a JSON API under /api/ (described at /openapi.json and /api/docs) and
    an embeddable page at /embed/ for the sites given with --embed-origin.
    """
    import gc

    import uvicorn

    from pathways.web import create_app

    def build() -> Any:
        return create_app(
            pathway=load_chosen_pathway(pathway_file),
            templates_dir=templates_dir,
            embed_origins=embed_origins,
            # Reloading: each app keeps the templates it was checked with.
            snapshot_templates=reload_content,
        )

    served = app = build()
    if reload_content:
        served = _live(build, pathway_file, templates_dir)
        app = served.app
    # What start-up built lives as long as the server: keep the cycle collector off it.
    gc.freeze()
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving '{app.title}' at http://{shown}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(
        served, host=host, port=port, log_level="info", access_log=False, server_header=False
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
        resources.chosen_templates_dir(templates_dir),
        resources.default_templates_dir(),
    ]
    return LiveApp(build, watched)


# --------------------------------------------------------------------------- the walk


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


class _Walk:
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
