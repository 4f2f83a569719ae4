"""``pathways export FORMAT`` and ``pathways import FORMAT``: the whole pathway written
for other programs, and read back from them.

The commands ``cli.py`` adds to ``pathways``; each loads its library inside the command,
so ``--help`` stays quick. Layer 6, beside ``cli.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from pathways import resources
from pathways.errors import ContentError, Problem
from pathways.options import (
    CleanGroup,
    context_option,
    load_chosen_pathway,
    out_option,
    pathway_option,
    pathways_option,
    templates_option,
    unused_templates_option,
    write_out,
)

__all__ = ["export", "import_", "write_json_schema"]


@click.group(cls=CleanGroup, short_help="Write the whole pathway for other programs.")
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

    write_out(to_json(load_chosen_pathway(pathway_file)), out)


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
        write_out(
            draw(load_chosen_pathway(pathway_file), highlight=highlight, context=context), out
        )

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

    write_out(to_scxml(load_chosen_pathway(pathway_file)), out)


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

    write_out(to_xstate(load_chosen_pathway(pathway_file)), out)


@export.command("fhir", short_help="HL7 FHIR R4 Bundle: PlanDefinition and Questionnaire.")
@out_option
@pathway_option
@unused_templates_option
def export_fhir(out: Path | None, pathway_file: Path | None, templates_dir: Path | None) -> None:
    """The pathway as an HL7 FHIR R4 Bundle (JSON), for health IT systems.

    A PlanDefinition whose actions are the steps, a Questionnaire of the questions to ask,
    and code systems for the glossary and the topics; nothing about a patient. `pathways
    import fhir` reads it back. See docs/fhir.md.
    """
    from pathways.fhir import to_fhir_json

    write_out(to_fhir_json(load_chosen_pathway(pathway_file)), out)


@export.command("json-schema", short_help="JSON Schema of a pathway document (as `schema`).")
@out_option
@pathway_option
@unused_templates_option
def export_json_schema(
    out: Path | None, pathway_file: Path | None, templates_dir: Path | None
) -> None:
    """The JSON Schema a pathway document follows (the same as `pathways schema`)."""
    write_json_schema(out)


def write_json_schema(out: Path | None) -> None:
    """The JSON Schema of a pathway document, to ``out`` or the screen (``pathways schema``
    and ``pathways export json-schema``)."""
    import json

    from pathways.lint import document_schema

    write_out(json.dumps(document_schema(), indent=2, ensure_ascii=False) + "\n", out)


@export.command("site", short_help="The guide as a static website: a folder of HTML files.")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--maps",
    type=click.Choice(("auto", "each", "one")),
    default="auto",
    show_default=True,
    help="each: a map page for every state, with it marked; one: a single map that every"
    " state links into; auto: each, up to 100 states. Past 100 states a map is"
    " not drawn (no one could read it): its page lists every place instead.",
)
@pathways_option(
    "A pathway document, or a folder of them; repeat for more. Several make a site"
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


@click.group("import", cls=CleanGroup, short_help="Read a pathway written for other programs back.")
def import_() -> None:
    """Read a pathway back from a form other programs use, as a pathway document."""


@import_.command("fhir", short_help="A Bundle from `pathways export fhir` -> pathways.yaml.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@out_option
def import_fhir(file: Path, out: Path | None) -> None:
    """Turn a FHIR R4 Bundle written by `pathways export fhir` (FILE) back into a pathway
    document (YAML), checked as `pathways validate` checks one."""
    from pathways.fhir import MAX_BUNDLE_BYTES
    from pathways.fhir_import import read_bundle
    from pathways.reader import dump_pathway

    try:
        with file.open("rb") as stream:  # a file too large is refused after this much
            raw = stream.read(MAX_BUNDLE_BYTES + 1)
    except OSError as exc:
        raise ContentError(
            [Problem(f"cannot read {file}: {exc.strerror or exc}", hint="check the path")]
        ) from None
    write_out(dump_pathway(read_bundle(raw, str(file))), out)
