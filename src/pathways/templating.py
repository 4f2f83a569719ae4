"""Rendering one place in a journey as text, Markdown, HTML or JSON.

The words come from the pathway and the layout from Jinja2 templates (``templates/``);
this module builds the page's data (``journey_view``), picks the template and checks the
result. One ``jinja2.Environment`` per templates folder is built once and shared.

Template choice, most specific first: ``<format>/states/<state id>.<ext>``, then
``<format>/state.<ext>``. A user's templates folder is searched before the packaged one,
so it overrides only the templates it holds. Every page extends ``<format>/_base.<ext>``,
which prints the intended-purpose statement and the support line outside any block a
page can override; and because a user may replace the base too, every render is checked
for both before it is returned.

JSON is not templated: it is ``journey_view`` itself, which carries the intended purpose
and the support line by construction. The variables every template sees are the keys of
that JSON (``pathways show STATE --format json``).

A broken template (bad syntax, an unknown variable under ``StrictUndefined``, a missing
include) becomes a ``ContentError`` naming the template file and line.

This module is the only one that imports ``jinja2`` (layer 3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import jinja2
import markupsafe
from jinja2 import pass_context
from jinja2.runtime import Context

from pathways import cache, resources
from pathways.errors import ContentError, Location, Problem
from pathways.markup import HIDDEN_ELEMENT, TAG
from pathways.texts import is_web_url, tel_uri

if TYPE_CHECKING:  # types only: rendering a view loads no pydantic (``compiled.py``)
    from pathways.journey import Journey
    from pathways.schema import Fact, Metadata, Number, OptionNote, Pathway

Format = Literal["text", "markdown", "html", "json"]
FORMATS: tuple[str, ...] = get_args(Format)
EXTENSIONS: Mapping[str, str] = {"text": "txt", "markdown": "md", "html": "html"}

MAX_WIDTH = 88
"""Widest text output, whatever the terminal: long lines are hard to read."""
MIN_WIDTH = 30


# --------------------------------------------------------------------------- the view


def number_words(number: Number) -> str:
    """A natural frequency with the source's hedge: 'as many as 9 in 10 adults in trials (90%)'."""
    words = f"{number.hedge} {number.count} in {number.out_of} {number.about}"
    if number.percent is not None:
        words += f" ({number.percent}%)"
    return words


def number_caption(number: Number) -> str:
    """What the icon array shows, in words: how many people and what a filled one means."""
    caption = f"The picture shows {number.out_of} people."
    if number.filled is not None:
        return f"{caption} Each filled figure stands for {number.filled}."
    return f"{caption} The {number.count} filled figures are the {number.count} in {number.out_of}."


def reviewer_words(meta: Metadata) -> str | None:
    """Who reviewed the content, as a reader sees it: 'name, role', or the role alone."""
    reviewer = meta.reviewer
    if reviewer is None:
        return None
    return f"{reviewer.name}, {reviewer.role}" if reviewer.name else reviewer.role


def _note_view(note: OptionNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {"text": note.text, "source": note.source, "section": note.section}


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _fact_view(pathway: Pathway, fact: Fact) -> dict[str, Any]:
    source = next((s for s in pathway.sources if s.id == fact.source), None)
    number = None
    if fact.number is not None:
        n = fact.number
        scope = pathway.metadata.scope
        number = {
            "count": n.count,
            "out_of": n.out_of,
            "hedge": n.hedge,
            "about": n.about,
            "percent": n.percent,
            "filled": n.filled,
            "words": number_words(n),
            "caption": number_caption(n),
            # Whom the document's content is about, beside every figure.
            "scope": scope.text if scope else None,
            # Authors often write the figure into the fact itself; then a page need not
            # repeat it in words (the HTML icon array still shows it as a picture).
            "in_text": _folded(number_words(n)) in _folded(fact.text),
        }
    return {
        "text": fact.text,
        "source": {
            "id": fact.source,
            "title": source.title if source else fact.source,
            "publisher": source.publisher if source else "",
            "url": source.url if source else "",
        },
        "section": fact.section,
        "number": number,
    }


def journey_view(journey: Journey) -> dict[str, Any]:
    """Everything a page about the journey's current state shows, as JSON-able data.

    This is the JSON output and the variables of every template.
    """
    pathway = journey.pathway
    meta = pathway.metadata
    state = pathway.state(journey.state)
    glossary = {g.id: g for g in pathway.glossary}
    contact = pathway.support_line
    chosen = journey.context
    notes = {n.step: n for n in state.notes}
    return {
        "pathway": {
            "id": meta.id,
            "title": meta.title,
            "version": meta.version,
            "language": meta.language,
            "publisher": meta.publisher,
            "reviewed_by": reviewer_words(meta),
            "reviewed": meta.reviewed.isoformat(),
            "next_review": meta.next_review.isoformat(),
            "scope": meta.scope.text if meta.scope else None,
        },
        "intended_purpose": meta.intended_purpose,
        "support": {"name": contact.name, "phone": contact.phone, "offers": contact.offers},
        "id": state.id,
        "title": state.title,
        "summary": state.summary,
        "explanation": list(state.explanation),
        "facts": [_fact_view(pathway, f) for f in state.facts],
        "no_figure": state.no_figure,
        "questions": list(state.questions),
        "terms": [
            {"id": t, "term": glossary[t].term, "definition": glossary[t].definition}
            for t in state.terms
            if t in glossary
        ],
        "start": state.id == pathway.start,
        "end": state.end,
        "next": [
            {
                "trigger": step.trigger,
                "to": step.dest,
                "to_title": pathway.state(step.dest).title,
                "label": step.label,
                "applies_to": list(step.applies_to),
                "note": _note_view(notes.get(step.trigger)),
                "applies_phrases": list(step.applies_phrases),
            }
            for step in journey.next_steps()
        ],
        "path": [
            {"id": s, "title": pathway.state(s).title, "jumped": jumped}
            for s, jumped in zip(journey.path, journey.jumps, strict=True)
        ],
        "context": [
            {
                "id": c.id,
                "label": c.label,
                "value": chosen.get(c.id, c.default),
                "value_label": next(
                    v.label for v in c.values if v.id == chosen.get(c.id, c.default)
                ),
                "value_phrase": next(
                    v.phrase for v in c.values if v.id == chosen.get(c.id, c.default)
                ),
                "narrowed": chosen.get(c.id, c.default) != c.default,
            }
            for c in pathway.contexts
        ],
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "accessed": s.accessed.isoformat(),
            }
            for s in pathway.sources
            if any(f.source == s.id for f in state.facts)
        ],
        "token": journey.token,
    }


# --------------------------------------------------------------------------- escaping

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MD_INLINE = re.compile(r"([\\`*_\[\]<>])")
# A line that starts a heading, list, quote or table: its marker is escaped (for a number
# that starts a list, the dot or bracket after it: a backslash before a digit is shown).
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=>|])|(\d+)([.)]))")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_RAW_KEYS = frozenset(
    {
        "id",
        "trigger",
        "to",
        "value",
        "token",
        "url",
        "reviewed",
        "next_review",
        "accessed",
        "source",
    }
)


def escape_html(text: str) -> str:
    """A text as autoescape writes it into an HTML template."""
    return str(markupsafe.escape(text))


def trusted_html(html: str) -> str:
    """HTML already made by a template (a part of a page rendered on its own), to be put
    into another page as it is, not escaped again."""
    return markupsafe.Markup(html)


def text_safe(text: str) -> str:
    """Text that cannot drive a terminal: control characters (escape codes) removed."""
    return _CONTROL.sub("", text)


def markdown_escape(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, HTML or list markers."""
    text = _MD_ENTITY.sub("&amp;", text_safe(text))
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escaped_line_start, text)


def _escaped_line_start(match: re.Match[str]) -> str:
    indent, mark, digits, after = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{digits}\\{after}"


def _markdown_url(url: str) -> str:
    return text_safe(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _map_text(value: Any, escape: Callable[[str], str], key: str = "") -> Any:
    """Escape every human-readable string in a view; ids and URLs keep their form."""
    if isinstance(value, str):
        if key == "url":
            return _markdown_url(value) if escape is markdown_escape else text_safe(value)
        return text_safe(value) if key in _RAW_KEYS else escape(value)
    if isinstance(value, dict):
        return {k: _map_text(v, escape, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_text(v, escape, key) for v in value]
    return value


# --------------------------------------------------------------------------- filters


@pass_context
def _fill(context: Context, text: str, indent: str = "", first: str | None = None) -> str:
    """Wrap to the output width: ``first`` starts the first line, ``indent`` the rest."""
    width = int(context.get("width", MAX_WIDTH))
    # Spaces inside numbers ("0808 2080 888") and dates do not break while wrapping.
    text = _DIGIT_SPACE.sub("\u00a0", str(text))
    import textwrap  # here: only text pages wrap, and a first `show` counts its start

    return textwrap.fill(
        text,
        width=max(width, len(indent) + 20),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ).replace("\u00a0", " ")


_DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")


def _upper_first(text: str) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


@pass_context
def _underline(context: Context, text: str, char: str = "=") -> str:
    """A heading for a terminal: wrapped to the width and underlined."""
    lines = _fill(context, text).splitlines() or [""]
    return "\n".join(lines) + "\n" + char * max(len(line) for line in lines)


def _path_words(path: list[dict[str, Any]]) -> list[str]:
    """A path's states as words for plain text: a state jumped to says it was looked at,
    so a jump never reads as a step taken."""
    return [("Looked at: " if p.get("jumped") else "") + p["title"] for p in path]


def _long_date(iso: str) -> str:
    """'2026-11-01' as '1 November 2026' (en-GB, whatever the machine's locale).

    The spaces do not break, so a wrapped line never splits a date.
    """
    date = dt.date.fromisoformat(str(iso))
    return f"{date.day}\u00a0{_MONTHS[date.month - 1]}\u00a0{date.year}"


long_date = _long_date
"""The public name of the rule (the catalogue says its dates the same way)."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _provenance(pathway: Mapping[str, Any]) -> str:
    """Who publishes the guide, who reviewed it and when, in words (dates as words too):
    the one sentence every format's footer shows. ``pathway`` is a view's ``pathway``."""
    reviewed = _long_date(pathway["reviewed"])
    by = pathway.get("reviewed_by")
    said = f"Published by {pathway['publisher']}. "
    said += f"Reviewed by {by} on {reviewed}" if by else f"Reviewed on {reviewed}"
    return said + f"; next review due by {_long_date(pathway['next_review'])}."


def _tel(phone: str) -> str:
    """A phone number as a tel: link target: ``texts.tel_uri``, the one place it is made."""
    return tel_uri(str(phone))


def _is_web_url(url: object) -> bool:
    """Only http(s) addresses become links: ``texts.is_web_url``, as the schema checks."""
    return is_web_url(url)


def _icons(count: int, out_of: int) -> list[bool]:
    """One entry per person in an icon array: True for the people the number is about."""
    return [i < count for i in range(out_of)]


# --------------------------------------------------------------------------- environment


class KeptBytecode(jinja2.BytecodeCache):
    """Jinja2's bytecode cache, its compiled templates kept in the user's cache folder by
    ``cache.TemplateBytecode``: a template compiled by one ``pathways show`` is loaded by
    the next instead of being compiled again.

    Jinja keys each template by its name and file, and each kept file carries the
    checksum of the source it was compiled from and the Python version (Jinja's magic):
    a template edited since is compiled afresh and kept again, at once. The file store
    adds what else the code depends on to the key (``TemplateBytecode.key``) and reads a
    file only if it is the user's own and whole. (Not ``jinja2.FileSystemBytecodeCache``:
    it reads any file at its path, whoever wrote it, and trusts the code in it unchecked.)
    """

    def __init__(self, folder: Path) -> None:
        self.store = cache.TemplateBytecode(folder)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return self.store.key(super().get_cache_key(name, filename)) or ""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self.store.get(bucket.key) if bucket.key else None
        if kept is not None:
            bucket.bytecode_from_string(kept)  # a wrong magic or checksum leaves it empty

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key:
            self.store.put(bucket.key, bucket.bytecode_to_string())


@functools.lru_cache(maxsize=16)
def _environment(user_dir: Path | None, kept_bytecode: Path | None = None) -> jinja2.Environment:
    env = _new_environment(user_dir)
    if kept_bytecode is not None:
        env.bytecode_cache = KeptBytecode(kept_bytecode)
    return env


def _new_environment(user_dir: Path | None, *, auto_reload: bool = True) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [
        jinja2.FileSystemLoader(folder) for folder in resources.template_dirs(user_dir)
    ]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm"), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=auto_reload,
    )
    env.filters.update(
        fill=_fill,
        upper_first=_upper_first,
        underline=_underline,
        long_date=_long_date,
        tel=_tel,
        path_words=_path_words,
    )
    env.tests["web_url"] = _is_web_url
    env.globals["icons"] = _icons
    env.globals["provenance"] = _provenance
    return env


def template_problem(exc: BaseException, fallback: str, message: str | None = None) -> ContentError:
    """A template failure as a ContentError at the template's file and line.

    Where no template frame explains the failure, the location is ``fallback`` line 1;
    ``from_template`` tells the two apart (an unexplained error is a bug, not a user's).
    """
    where: Location | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        where = Location(exc.filename, exc.lineno or 1, 1)
    else:
        import traceback  # here: only a failing template needs it

        # Jinja rewrites tracebacks so that template frames carry the template's own file
        # name and line; the innermost such frame is where the template went wrong.
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
                where = Location(frame.filename, frame.lineno or 1, 1)
                break
    if where is None:
        where = Location(fallback, 1, 1)
    if message is None:
        detail = getattr(exc, "message", None) or str(exc)
        message = f"template error: {detail}"
    hints = {
        jinja2.UndefinedError: "the variables a template can use are the keys of"
        " `pathways show STATE --format json`",
        jinja2.TemplateNotFound: "the template is missing from your templates folder and"
        " from the packaged ones; check its name",
        jinja2.TemplateSyntaxError: "see https://jinja.palletsprojects.com/templates/",
    }
    hint = next((h for kind, h in hints.items() if isinstance(exc, kind)), None)
    return ContentError([Problem(message=message, hint=hint, location=where)])


def from_template(exc: BaseException) -> ContentError | None:
    """``exc`` as a ContentError at the template that raised it, or None if no template did."""
    problem = template_problem(exc, "")
    return None if problem.problems[0].location == Location("", 1, 1) else problem


def _visible_text(output: str, fmt: str) -> str:
    """The words a reader sees, white space folded (for HTML: no tags, styles or scripts).

    A regular expression rather than a parser: this runs on every render and only has to
    find whether two known strings are shown (a parser took ten times as long).
    """
    if fmt == "html":
        import html  # here: its table of entities is 5 ms of a command's start

        output = html.unescape(TAG.sub("", HIDDEN_ELEMENT.sub(" ", output)))
    return " ".join(output.split())


class Renderer:
    """Renders journeys with one templates choice; cheap to make, the Environment is shared.

    ``templates_dir`` is a user's folder whose templates override the packaged ones of the
    same name; None uses the packaged templates only.
    """

    def __init__(
        self,
        templates_dir: Path | None = None,
        *,
        snapshot: bool = False,
        kept_bytecode: Path | None = None,
        reread: bool = True,
    ) -> None:
        """``snapshot=True``: an Environment of this renderer's own that compiles every
        template now and never reads the files again, so what was checked is what runs,
        whatever happens to the files later (``pathways serve --reload-content``). A
        template that does not compile is a ContentError at its file and line.

        ``kept_bytecode``: the cache folder in which templates, once compiled, are kept for
        the next process (``KeptBytecode``); None (the default) keeps none and reads none.

        ``reread=False``: an Environment of its own that reads each template once, when
        first used, and never looks at its file again (one build of thousands of pages:
        no file checked for changes at every include).
        """
        if snapshot and kept_bytecode is not None:
            raise ValueError("a snapshot compiles every template itself; it keeps none")
        if templates_dir is not None:
            templates_dir = Path(templates_dir)
            if not templates_dir.is_dir():
                raise ContentError(
                    [
                        Problem(
                            f"templates folder '{templates_dir}' does not exist",
                            hint="give --templates (or PATHWAYS_TEMPLATES) a folder that"
                            " holds the templates you want to change",
                        )
                    ]
                )
            templates_dir = templates_dir.resolve()
        self.templates_dir = templates_dir
        if not snapshot:
            if reread:
                self.environment = _environment(templates_dir, kept_bytecode)
            else:
                self.environment = _new_environment(templates_dir, auto_reload=False)
                if kept_bytecode is not None:
                    self.environment.bytecode_cache = KeptBytecode(kept_bytecode)
            return
        self.environment = _new_environment(templates_dir, auto_reload=False)
        for name in self.environment.list_templates(extensions=("html", "txt", "md")):
            try:
                self.environment.get_template(name)
            except jinja2.TemplateError as exc:
                raise template_problem(exc, name) from None

    def render(
        self,
        journey: Journey,
        fmt: str = "text",
        *,
        width: int | None = None,
        brief: bool = False,
    ) -> str:
        """The journey's current state as ``fmt`` (text, markdown, html or json).

        ``width`` wraps text output (default: the terminal's width, at most 88).
        ``brief`` (text only) leaves out facts, words and questions: for a walk.
        """
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return self.render_view(journey_view(journey), fmt, width=width, brief=brief)

    def render_view(
        self,
        view: Mapping[str, Any],
        fmt: str = "text",
        *,
        width: int | None = None,
        brief: bool = False,
    ) -> str:
        """A page from its view (``journey_view``'s data, or the same data kept compiled by
        ``compiled.py``): what ``render`` does once the view is made."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if fmt == "json":
            return json.dumps(view, ensure_ascii=False, indent=2) + "\n"
        if brief and fmt != "text":
            raise ValueError("brief renders are text only")
        if width is None:
            import shutil  # only here: a command passes its width (``cache.terminal_width``)

            width = shutil.get_terminal_size((80, 24)).columns
        width = max(MIN_WIDTH, min(width, MAX_WIDTH))
        escape: Callable[[str], str] = {
            "text": text_safe,
            "markdown": markdown_escape,
            "html": text_safe,  # Jinja's autoescape does the HTML escaping
        }[fmt]
        data = _map_text(view, escape)
        data["width"] = width
        ext = EXTENSIONS[fmt]
        names = (
            [f"{fmt}/brief.{ext}"]
            if brief
            else [f"{fmt}/states/{view['id']}.{ext}", f"{fmt}/state.{ext}"]
        )
        try:
            template = self.environment.select_template(names)
            output = template.render(data)
        except jinja2.TemplatesNotFound as exc:
            raise template_problem(
                exc,
                str(self.templates_dir or resources.default_templates_dir()),
                f"no template for {fmt} output: looked for {', '.join(names)}",
            ) from None
        except jinja2.TemplateError as exc:
            raise template_problem(exc, names[-1]) from None
        except Exception as exc:
            if from_template(exc) is None:
                raise  # not from a template: a bug, which deserves its traceback
            raise template_problem(
                exc, "", f"template error: {type(exc).__name__}: {exc}"
            ) from None
        if fmt != "html":
            output = re.sub(r"[ \t]+\n", "\n", output)
            output = re.sub(r"\n{3,}", "\n\n", output).strip("\n") + "\n"
        self.check_frame(output, fmt, data, self._culprit(template, f"{fmt}/_base.{ext}"))
        return output

    def _culprit(self, page: jinja2.Template, base: str) -> str:
        """The file to blame for a page without the required lines: a user's own template
        (the page, else the base it may extend) before a packaged one."""
        files = [page.filename or page.name or base]
        with contextlib.suppress(jinja2.TemplateError):  # the packaged base always exists
            files.append(self.environment.get_template(base).filename or base)
        if self.templates_dir is not None:
            for file in files:
                if Path(file).is_relative_to(self.templates_dir):
                    return file
        return files[0]

    @staticmethod
    def check_frame(output: str, fmt: str, data: Mapping[str, Any], filename: str) -> None:
        """Refuse a render without the intended purpose or the support line."""
        seen = _visible_text(output, fmt)
        support = data["support"]
        required = {
            "the intended-purpose statement": data["intended_purpose"],
            "the support line's name": support["name"],
            "the support line's phone number": support["phone"],
        }
        problems = []
        for what, text in required.items():
            expected = " ".join(str(text).split())
            if expected not in seen:
                problems.append(
                    Problem(
                        f"the {fmt} output of template '{Path(filename).name}' does not show"
                        f" {what}",
                        hint="every page must show it: extend the packaged _base template,"
                        " or print {{ intended_purpose }} and {{ support.name }}"
                        " {{ support.phone }} yourself",
                        location=Location(filename, 1, 1),
                    )
                )
        if problems:
            raise ContentError(problems)


def render(
    journey: Journey,
    fmt: str = "text",
    templates_dir: Path | None = None,
    *,
    width: int | None = None,
) -> str:
    """The journey's current state as ``fmt``, with the packaged or a user's templates."""
    return Renderer(templates_dir).render(journey, fmt, width=width)
