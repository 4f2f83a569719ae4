"""Many pathways served together: which files, which pathway is where, and the catalogue page.

``load_catalogue`` reads the pathway files given (a folder stands for the ``*.yaml`` and
``*.yml`` files in it, in name order) and checks them all before anything is served: one
broken document stops the start with its file:line:col, whatever the others hold, because a
running server never serves a half-loaded collection (a pathway quietly missing from a
nurse's list is worse than a server that says why it will not start). Two documents with
the same ``metadata.id`` stop it too, naming both files: the id is the pathway's address
(``/p/<id>/``), so it must be one pathway's only.

A pathway whose only problem is that its review date has passed is not served (a single
pathway in that state is refused, as it always was), but the catalogue lists it as
"withdrawn for review", with the date, so a reader who looks for it learns why it is gone.

``CataloguePages`` renders the catalogue page (``templates/web/catalogue.html``) and its
filter: a search of the words a reader types, and a topic (``metadata.tags``), done here
on the server so that it works without JavaScript; ``static/catalogue.js`` does the same
as the reader types. No web framework here: ``web.py`` serves the page, ``site.py`` writes
it to a folder.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathways.assets import Asset, load_assets
from pathways.errors import ContentError, Location, Problem
from pathways.httperror import HttpError
from pathways.links import MOUNT, at_root, mount_of
from pathways.loader import Document, load_document
from pathways.schema import Pathway, Scope
from pathways.templating import Renderer, from_template, long_date, reviewer_words

__all__ = ["MOUNT", "Catalogue", "CataloguePages", "Entry", "load_catalogue", "mount_of"]

DIR_ENV = "PATHWAYS_DIR"
"""A folder of pathway files to serve, when no ``--pathway`` is given."""
SUFFIXES = (".yaml", ".yml")
LANGUAGES: Mapping[str, str] = {"en-GB": "English (UK)"}
"""Each language a document may declare, said in words."""


def in_words(day: dt.date) -> str:
    """A date as a reader says it, ``15 January 2026``: templating's ``long_date``, the
    one rule every page uses."""
    return long_date(day.isoformat())


@dataclass(frozen=True)
class Entry:
    """One pathway of a catalogue: its document, its file, and why it is withdrawn (None
    while it is served)."""

    pathway: Pathway
    filename: str
    withdrawn: str | None = None

    @property
    def id(self) -> str:
        return self.pathway.metadata.id

    @property
    def tags(self) -> tuple[str, ...]:
        return self.pathway.metadata.tags

    def search_text(self) -> str:
        """What a search looks in, folded to lower case: title, summary, topics, scope,
        publisher and the statement of what the pathway is."""
        meta = self.pathway.metadata
        scope = meta.scope
        parts = [
            meta.title,
            meta.summary or "",
            " ".join(meta.tags),
            meta.publisher,
            meta.intended_purpose,
            _scope_text(scope),
        ]
        return " ".join(" ".join(parts).casefold().split())

    def matches(self, words: Sequence[str], tag: str | None) -> bool:
        if tag is not None and tag.casefold() not in {t.casefold() for t in self.tags}:
            return False
        text = self.search_text()
        return all(word in text for word in words)


def _scope_text(scope: Scope | None) -> str:
    """Whom a document is about (``metadata.scope``), as one line of text."""
    return scope.text if scope is not None else ""


@dataclass(frozen=True)
class Catalogue:
    """The pathways served together, in the order given: the first served is the default
    (the one the single-pathway addresses lead to)."""

    entries: tuple[Entry, ...]

    @property
    def served(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.withdrawn is None)

    @property
    def default(self) -> Entry:
        return self.served[0]

    def entry(self, pathway_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == pathway_id), None)

    def tags(self) -> list[str]:
        """Every topic of every pathway, once, in alphabetical order."""
        seen: dict[str, str] = {}
        for entry in self.entries:
            for tag in entry.tags:
                seen.setdefault(tag.casefold(), tag)
        return [seen[k] for k in sorted(seen)]

    def find(self, query: str = "", tag: str | None = None) -> list[Entry]:
        """The pathways whose text holds every word of ``query`` and, given a topic, that
        have it; in catalogue order."""
        words = query.casefold().split()
        return [e for e in self.entries if e.matches(words, tag or None)]


def pathway_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to serve: each path given, a folder standing for its pathway files."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
            if not inside:
                raise ContentError(
                    [
                        Problem(
                            f"the folder '{path}' holds no pathway files",
                            hint="put .yaml pathway documents in it, or give --pathway FILE",
                        )
                    ]
                )
            found.extend(inside)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def load_catalogue(
    paths: Iterable[str | os.PathLike[str]], *, today: dt.date | None = None
) -> Catalogue:
    """Every pathway in ``paths`` (files or folders), checked; a ContentError listing every
    problem of every file (each at file:line:col) if any is broken, or if two share an id."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    documents: dict[str, Document] = {}
    for path in pathway_files(paths):
        try:
            document = load_document(path, today=today)
            withdrawn = None
        except ContentError as exc:
            try:
                document = load_document(path, today=today, review=False)
            except ContentError:
                problems.extend(exc.problems)
                continue
            due = document.pathway.metadata.next_review
            withdrawn = (
                f"Its content was due for review by {in_words(due)}. It is not shown until"
                " it has been reviewed again."
            )
        pathway = document.pathway
        first = documents.get(pathway.metadata.id)
        if first is not None:
            where = document.locate(("metadata", "id"))
            problems.append(
                Problem(
                    f"two pathways have the id '{pathway.metadata.id}': {first.filename}"
                    f" and {document.filename}",
                    hint="the id is the pathway's address (/p/<id>/): give each pathway its"
                    " own metadata.id",
                    location=where,
                )
            )
            continue
        documents[pathway.metadata.id] = document
        entries.append(Entry(pathway, document.filename, withdrawn))
    if problems:
        raise ContentError(problems)
    if entries and not any(e.withdrawn is None for e in entries):
        raise ContentError(
            [
                Problem(
                    "every pathway given is past its review date, so there is none to serve",
                    hint="have the content reviewed, then set reviewed and next_review to new"
                    " dates",
                    location=Location(entries[0].filename, 1, 1),
                )
            ]
        )
    return Catalogue(tuple(entries))


class CataloguePages:
    """The catalogue page, rendered from ``templates/web/catalogue.html`` with the web
    app's stylesheet; ``url_of(entry, page)`` gives each pathway's addresses (``page`` is
    ``start``, ``present`` or ``api``), so the web app and the static site share it."""

    def __init__(self, catalogue: Catalogue, templates_dir: Path | None) -> None:
        self.catalogue = catalogue
        self.renderer = Renderer(templates_dir)
        self.assets = load_assets(templates_dir)

    def asset_url(self, asset: Asset) -> str:
        return at_root(asset.url)

    def view(
        self,
        query: str,
        tag: str | None,
        url_of: Callable[[Entry, str], str | None],
        *,
        home: str,
        asset_url: Callable[[Asset], str] | None = None,
        searchable: bool = True,
    ) -> dict[str, Any]:
        catalogue = self.catalogue
        known = {t.casefold(): t for t in catalogue.tags()}
        tag = known.get(tag.casefold()) if tag else None
        shown = catalogue.find(query, tag)
        entries = []
        for entry in catalogue.entries:
            meta = entry.pathway.metadata
            entries.append(
                {
                    "id": entry.id,
                    "title": meta.title,
                    "summary": meta.summary,
                    "intended_purpose": meta.intended_purpose,
                    "scope": _scope_text(meta.scope) or None,
                    "tags": list(meta.tags),
                    "language": LANGUAGES.get(meta.language, meta.language),
                    "lang": meta.language,
                    "publisher": meta.publisher,
                    "reviewed": in_words(meta.reviewed),
                    "reviewed_iso": meta.reviewed.isoformat(),
                    "reviewed_by": reviewer_words(meta),
                    "next_review": in_words(meta.next_review),
                    "next_review_iso": meta.next_review.isoformat(),
                    "withdrawn": entry.withdrawn,
                    "support": entry.pathway.support_line,
                    "start_url": None if entry.withdrawn else url_of(entry, "start"),
                    "present_url": None if entry.withdrawn else url_of(entry, "present"),
                    "api_url": None if entry.withdrawn else url_of(entry, "api"),
                    "search": entry.search_text(),
                    "shown": entry in shown,
                }
            )
        assets = {name: (asset_url or self.asset_url)(a) for name, a in self.assets.items()}
        return {
            "page": "catalogue",
            "home_url": home,
            "assets": assets,
            "query": query,
            "tag": tag,
            "tags": catalogue.tags(),
            "entries": entries,
            "shown": len(shown),
            "total": len(catalogue.entries),
            "searchable": searchable,
        }

    def page(self, view: Mapping[str, Any], name: str = "web/catalogue.html") -> str:
        try:
            template = self.renderer.environment.get_template(name)
            return template.render(view)
        except Exception as exc:
            problem = from_template(exc)
            if problem is None:
                raise
            raise problem from None

    def error_page(self, error: HttpError, *, home: str) -> str:
        """The catalogue's own error page (an address under none of its pathways): a
        pathway withdrawn for review says so and why; anything else is not found."""
        return self.page(
            {
                "page": "error",
                "home_url": home,
                "assets": {name: self.asset_url(a) for name, a in self.assets.items()},
                "status": error.status,
                "kind": error.kind,
                "detail": error.detail,
            },
            "web/catalogue_error.html",
        )
