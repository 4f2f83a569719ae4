"""The static site: every page of the guide as plain HTML files with relative links.

``pathways export site OUT/`` writes the start page, one page per state, the map and the
glossary, made by the web app's own views and templates (``pages.Pages``) with a link scheme
of relative file paths (``StaticLinks``) instead of journey addresses. The folder works
from ``file://`` and from any static host or CDN: no page loads anything from another host
and none needs a script (the web app's ``site.js`` is copied, and adds nothing here).

A static page has no journey, so the web app's parts that follow a reader are left out:
there is no "your path so far" (the page says so), no back link (the browser's back button
does that), no print page of a path, no presenter mode and no topic form. Every page shows
every step, and a step that is only for some topics says which (the web app's view for a
reader who has not chosen a topic): one set of pages serves every reader and links stay
simple. The intended-purpose statement and the support line are on every page, and each
page is checked for them, as in the web app.

Layout of the folder::

    index.html              the start page
    states/<id>.html        one page per state
    map.html                the whole pathway as a map, no place marked
    map/<id>.html           the map with that state marked "You are here" (maps="each")
    glossary.html           every word the guide explains
    static/                 the stylesheet, the script and the icon, named by their content
    .pathways-site          the files this build wrote, so a rebuild can remove old ones

Several pathways (``build_catalogue_site``): ``index.html`` is the catalogue, and each
pathway's site as above is in a folder ``<id>/`` beside it.

Maps: laying out a map takes Graphviz tens of milliseconds and its SVG grows with the
pathway, so a map per state makes the site quadratic in the number of states. Up to
``MAPS_EACH_UP_TO`` states (or with ``maps="each"``) every state gets its own marked map;
above it (or with ``maps="one"``) there is one map and each state page links to its box in
it (``map.html#map-<id>``). A pathway over ``mapsvg.MOST_DRAWN`` states is not drawn at all
(no one could read the drawing): ``map.html`` lists its places, each at ``#map-<id>``.

The build writes into a folder inside OUT first and moves the files into place only when
every page is made, so a broken template leaves OUT as it was. OUT must be new, empty or
an earlier build (it holds ``.pathways-site``); files this build did not write are kept.

This module is layer 4, beside ``web.py``; it builds its pages with ``pages.py`` and imports
no web framework.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from pathways.assets import Asset
from pathways.catalogue import Catalogue, CataloguePages, Entry
from pathways.errors import ContentError, Location, PathwaysError, Problem
from pathways.journey import Journey, Step
from pathways.links import Links, Mode
from pathways.pages import Pages
from pathways.schema import Pathway
from pathways.templating import Renderer, from_template

Maps = Literal["auto", "each", "one"]
MAPS: tuple[Maps, ...] = ("auto", "each", "one")
MAPS_EACH_UP_TO = 100
"""With maps="auto", the most states that still get a map each (about 12 MB of maps)."""
MANIFEST = ".pathways-site"
_MANIFEST_HEADER = (
    "# Written by `pathways export site`: the files of this build, so that the next build\n"
    "# can remove the ones it no longer makes. Files not listed here are never touched.\n"
)


def static_name(asset: Asset) -> str:
    """The file name of a static file in the site: its content hash in the name, so a host
    can keep it for a year and a new build never meets an old copy."""
    stem, dot, suffix = asset.name.rpartition(".")
    return f"{stem}.{asset.digest}.{suffix}" if dot else f"{asset.name}.{asset.digest}"


class StaticLinks(Links):
    """Links between the files of the static site, relative to the page that holds them.

    ``up`` leads from the page's folder to the top of the site ("" for ``index.html``,
    "../" for ``states/<id>.html``). ``maps_each``: each state has its own map page.
    """

    keeps_path = False

    def __init__(self, up: str = "", *, maps_each: bool = True) -> None:
        super().__init__()
        self.up = up
        self.maps_each = maps_each

    def home(self) -> str:
        return f"{self.up}index.html"

    def asset(self, asset: Asset) -> str:
        return f"{self.up}static/{static_name(asset)}"

    def state(self, journey: Journey, mode: Mode = "patient") -> str:
        return self._state_file(journey.state)

    def _state_file(self, state_id: str) -> str:
        return f"{self.up}states/{state_id}.html"

    def step(self, journey: Journey, mode: Mode, step: Step) -> str:
        return self._state_file(step.dest)

    def jump(self, journey: Journey, mode: Mode, state_id: str) -> str:
        return self._state_file(state_id)

    def back(self, journey: Journey, mode: Mode) -> str | None:
        return None

    def restart(self, journey: Journey, mode: Mode) -> str:
        return self._state_file(journey.pathway.start)

    def map(self, journey: Journey, mode: Mode) -> str:
        if self.maps_each:
            return f"{self.up}map/{journey.state}.html"
        return f"{self.up}map.html#map-{journey.state}"

    def whole_map(self) -> str | None:
        return f"{self.up}map.html"

    def map_boxes(self, journey: Journey | None, mode: Mode) -> str:
        return f"{self.up}states/{{id}}.html"

    def print(self, journey: Journey) -> str | None:
        return None

    def notes(self, journey: Journey) -> str | None:
        return None  # a reader's notes travel in web addresses; files have none to carry

    def in_mode(self, journey: Journey, mode: Mode) -> str | None:
        return None

    def begin_form(self) -> str | None:
        return None

    def topic_form(self, journey: Journey, mode: Mode) -> str | None:
        return None

    def jump_form(self, journey: Journey, mode: Mode) -> str | None:
        return None

    def glossary(self) -> str | None:
        return f"{self.up}glossary.html"


@dataclass(frozen=True)
class Site:
    """What a build wrote: the folder, its files (relative, sorted) and the kind of maps."""

    out: Path
    files: tuple[str, ...]
    maps: Literal["each", "one"]

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(f for f in self.files if f.endswith(".html"))


def site_pages(pages: Pages, *, maps: Literal["each", "one"]) -> dict[str, tuple[str, str]]:
    """Every page of the site: file name -> (what it is, its HTML)."""
    return {name: (what, html) for name, what, html in _each_page(pages, maps)}


def _each_page(pages: Pages, maps: Literal["each", "one"]) -> Iterator[tuple[str, str, str]]:
    """Every page of the site, one at a time as it is made: (file name, what it is, HTML)."""
    pathway = pages.pathway
    top = StaticLinks("", maps_each=maps == "each")
    inner = StaticLinks("../", maps_each=maps == "each")
    yield "index.html", "start page", pages.start_page(top)
    yield "glossary.html", "glossary page", pages.glossary_page(top)
    yield "map.html", "map page", pages.map_page(None, "patient", top)
    for state in pathway.states:
        journey = Journey.begin(pathway, at=state.id)
        yield (
            f"states/{state.id}.html",
            f"page of state '{state.id}'",
            pages.state_page(journey, "patient", inner),
        )
        if maps == "each":
            yield (
                f"map/{state.id}.html",
                f"map page of state '{state.id}'",
                pages.map_page(journey, "patient", inner),
            )


def build_site(
    pathway: Pathway,
    out: str | os.PathLike[str],
    templates_dir: str | os.PathLike[str] | None = None,
    *,
    maps: Maps = "auto",
) -> Site:
    """Write the static site of ``pathway`` into the folder ``out``.

    ``templates_dir`` overrides templates as for the web app. ``maps``: "each" state gets
    its own marked map, "one" map serves them all, "auto" picks "each" up to
    ``MAPS_EACH_UP_TO`` states. Raises ``ContentError`` for a template that breaks or
    leaves out the statement or the support line, and ``PathwaysError`` for a folder that
    cannot be used; either way ``out`` is left as it was.
    """
    chosen = _chosen_maps(pathway, maps)
    out = Path(out)
    earlier = _earlier(out)
    # Each page is written (by a second thread) as soon as it is made and checked: on a
    # busy disk, creating thousands of files then costs little more than making them.
    with _oserror_as_problem(out):
        staging = _Staging(out)
    try:
        files = _site_files(pathway, templates_dir, chosen, staging.put)
        with _oserror_as_problem(out):
            staging.finish()
            _place(out, staging.folder, files, earlier)
    except BaseException:
        staging.abandon()
        raise
    return Site(out, tuple(sorted(files)), chosen)


def build_catalogue_site(
    catalogue: Catalogue,
    out: str | os.PathLike[str],
    templates_dir: str | os.PathLike[str] | None = None,
    *,
    maps: Maps = "auto",
) -> Site:
    """Write the static site of several pathways into ``out``: ``index.html`` lists them
    (the catalogue page, with no search: a static file has no server to ask, and the
    script that filters as one types needs the search box), and each served pathway's
    whole site is in a folder named by its id (``<id>/index.html``), every link relative.
    A pathway withdrawn for review is listed as such and has no folder. ``maps`` is the
    choice for every pathway ("auto": for each by its size)."""
    folder = Path(templates_dir) if templates_dir is not None else None
    out = Path(out)
    earlier = _earlier(out)
    files: dict[str, bytes] = {}
    kinds: set[Literal["each", "one"]] = set()
    for entry in catalogue.served:
        chosen = _chosen_maps(entry.pathway, maps)
        kinds.add(chosen)
        for name, body in _site_files(entry.pathway, folder, chosen).items():
            files[f"{entry.id}/{name}"] = body
    shelf = CataloguePages(catalogue, folder)

    def url_of(entry: Entry, page: str) -> str | None:
        return f"{entry.id}/index.html" if page == "start" else None

    html = shelf.page(
        shelf.view(
            "",
            None,
            url_of,
            home="index.html",
            asset_url=lambda asset: f"static/{static_name(asset)}",
            searchable=False,
        )
    )
    files["index.html"] = html.encode("utf-8")
    for asset in shelf.assets.values():
        name = f"static/{static_name(asset)}"
        if name in html:
            files[name] = asset.body
    _write_site(out, files, earlier)
    return Site(out, tuple(sorted(files)), "each" if kinds == {"each"} else "one")


def _chosen_maps(pathway: Pathway, maps: Maps) -> Literal["each", "one"]:
    if maps not in MAPS:
        raise ValueError(f"maps must be one of {', '.join(MAPS)}, not {maps!r}")
    return ("each" if len(pathway.states) <= MAPS_EACH_UP_TO else "one") if maps == "auto" else maps


def _earlier(out: Path) -> frozenset[str]:
    try:
        return _earlier_build(out)
    except OSError as exc:
        raise PathwaysError(f"cannot use '{out}' for the site: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _oserror_as_problem(out: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise PathwaysError(
            f"could not write the site into '{out}': {exc.strerror or exc}"
        ) from None


def _write_site(out: Path, files: Mapping[str, bytes], earlier: frozenset[str]) -> None:
    with _oserror_as_problem(out):
        staging = _Staging(out)
    try:
        with _oserror_as_problem(out):
            for name, body in files.items():
                staging.put(name, body)
            staging.finish()
            _place(out, staging.folder, files, earlier)
    except BaseException:
        staging.abandon()
        raise


def _site_files(
    pathway: Pathway,
    templates_dir: str | os.PathLike[str] | None,
    chosen: Literal["each", "one"],
    written: Callable[[str, bytes], None] | None = None,
) -> dict[str, bytes]:
    """Every file of one pathway's site, checked: name -> bytes. ``written``, if given,
    is handed each file as soon as it is made and checked, and its bytes are not kept
    here (the name maps to b""): a large site is not held in memory twice."""
    # One build: each template read once, not checked for changes at every include.
    folder = Path(templates_dir) if templates_dir is not None else None
    pages = Pages(pathway, folder, reread_templates=False)
    files: dict[str, bytes] = {}
    wanted = {f"static/{static_name(asset)}": asset for asset in pages.assets.values()}
    used: set[str] = set()
    try:
        for name, what, html in _each_page(pages, chosen):
            _check(pages, html, what, name)
            # Only the static files the pages use: the web app's folder also holds the
            # embed's.
            used.update(static for static in wanted if static not in used and static in html)
            body = html.encode("utf-8")
            del html
            if written is None:
                files[name] = body
            else:
                files[name] = b""
                written(name, body)
    except PathwaysError:
        raise
    except Exception as exc:
        # A user's template that breaks: one clean message at its file and line. An
        # error that no template frame explains is a bug and keeps its traceback.
        problem = from_template(exc)
        if problem is None:
            raise
        raise problem from None
    for name, asset in wanted.items():
        if name in used:
            files[name] = asset.body if written is None else b""
            if written is not None:
                written(name, asset.body)
    return files


def _check(pages: Pages, html: str, what: str, name: str) -> None:
    """Refuse a page without the intended-purpose statement or the support line."""
    try:
        Renderer.check_frame(html, "html", pages.common, f"web template for the {what}")
    except ContentError as exc:
        raise ContentError(
            [
                Problem(
                    f"{p.message} (site file {name})",
                    hint=p.hint,
                    location=Location(f"templates/web ({what})", 1, 1),
                )
                for p in exc.problems
            ]
        ) from None


# --------------------------------------------------------------------------- writing


def _earlier_build(out: Path) -> frozenset[str]:
    """The files an earlier build wrote into ``out`` (none for a new or empty folder);
    a folder holding anything else is refused, so no one's files are ever mixed in."""
    if out.exists() and not out.is_dir():
        raise PathwaysError(f"'{out}' is a file; the site needs a folder (a new or empty one)")
    if not out.is_dir() or not any(out.iterdir()):
        return frozenset()
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise PathwaysError(
            f"'{out}' is not empty and was not made by `pathways export site`;"
            " give a new or empty folder (nothing in it was changed)"
        )
    listed = set()
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and _inside(line):
            listed.add(line)
    return frozenset(listed)


def _inside(name: str) -> bool:
    """A relative path that stays inside the site's folder (a manifest is only data)."""
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in name


class _Staging:
    """A new folder inside OUT (made, with OUT, if need be) that a second thread writes
    files into as they are handed over (``put``), so that creating thousands of files
    overlaps making them. ``finish`` waits for the last and raises the first error;
    ``abandon`` removes the folder (and OUT, if this build made it)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".pathways-build-", dir=out))
        self.error: OSError | None = None
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="site-writer", daemon=True)
        self._thread.start()

    def put(self, name: str, body: bytes) -> None:
        """Hand a file over (an error writing it is raised by ``finish``)."""
        self._queue.put((name, body))

    def _run(self) -> None:
        made: set[str] = set()
        while (item := self._queue.get()) is not None:
            if self.error is None:
                try:
                    _write_file(self.folder, *item, made)
                except OSError as exc:
                    self.error = exc

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def finish(self) -> None:
        self._stop()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        self._stop()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.created:
            shutil.rmtree(self.out, ignore_errors=True)


def _place(out: Path, staging: Path, files: Mapping[str, bytes], earlier: frozenset[str]) -> None:
    """Move every file written into ``staging`` into place in ``out``, remove what the
    earlier build wrote and this one did not, and write the manifest last."""
    # A folder (such as states/) that is not in OUT yet moves in whole, with one
    # rename; anything else file by file.
    by_top: dict[str, list[str]] = {}
    for name in files:
        by_top.setdefault(name.split("/", 1)[0], []).append(name)
    made: set[str] = set()
    for top, names in by_top.items():
        if names != [top] and not os.path.lexists(out / top):
            os.replace(staging / top, out / top)
            continue
        for name in names:
            folder = os.path.dirname(name)
            if folder and folder not in made:
                (out / folder).mkdir(parents=True, exist_ok=True)
                made.add(folder)
            os.replace(staging / name, out / name)
    shutil.rmtree(staging, ignore_errors=True)
    for name in sorted(earlier - set(files)):
        stale = out / name
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            _remove_empty_parents(stale.parent, out)
    listing = "".join(f"{name}\n" for name in sorted(files))
    (out / MANIFEST).write_text(_MANIFEST_HEADER + listing, encoding="utf-8")


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _write_file(folder: Path, name: str, body: bytes, made: set[str]) -> None:
    """Write one file under ``folder`` by one open, write and close (no more system calls
    than that), making its subfolder first unless it is in ``made``."""
    parent = os.path.dirname(name)
    if parent and parent not in made:
        (folder / parent).mkdir(parents=True, exist_ok=True)
        made.add(parent)
    handle = os.open(folder / name, _FLAGS, 0o666)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def _remove_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
