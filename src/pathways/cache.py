"""Finished command-line renders kept on disk, so that ``pathways show`` can answer
without loading pydantic, Jinja2, transitions and PyYAML (about 280 ms) every time.

What is kept is content only: the page ``pathways show`` printed for one place in the
pathway, as the pathway document and the templates make it. Nothing about the person
running the command is kept; ``show`` has no history and no journey, only a state id, a
format, topic choices and a width. The folder is ``$XDG_CACHE_HOME/pathways/renders``
(else ``~/.cache/pathways/renders``), readable by its owner only. Set
``PATHWAYS_NO_CACHE=1`` or pass ``--no-cache`` to neither read nor write it; deleting the
folder is always safe.

A kept render is used only if everything it was made from is unchanged. The key is a
SHA-256 of:

- the pathway file's bytes, and every template file's name and bytes (the user's
  templates folder and the packaged one);
- the package's version and the size and modification time of every file of the
  package itself (an edited checkout changes the output without a new version), and of
  the libraries the output depends on (an upgrade of Jinja2 could change it);
- today's date (a pathway past its review date is refused, not shown);
- the command's arguments: the state, the format, the topic choices and the width.

Files are written to a temporary name and renamed into place, so a reader sees a whole
old file or a whole new one, never half of one; each file carries the SHA-256 of its
text, and one that does not match (cut short, damaged) is treated as missing. A render
is kept only if the key is the same after rendering as before, so a file edited while
it was being rendered is never kept under the old key.

The same folder keeps compiled pathways (``*.compiled``, ``CompiledPathways``): the view
of every page of a pathway (``compiled.py`` makes them), so that a page not kept yet is
rendered with Jinja2 alone. A compiled pathway's key is a render's key without the
templates and the arguments (the pathway's bytes, the package and library files, the
version, today's date); it is written whole, with a SHA-256 of its header and of each
state's part, and read only if the file is the user's own. It is JSON: reading it builds
strings, numbers, lists and dicts and runs nothing, so even a file someone managed to put
there could only change the words shown, never run code.

The same folder keeps templates compiled by Jinja2 (``*.bytecode``, ``TemplateBytecode``;
``templating.KeptBytecode`` is Jinja's side), so that a page not shown before is
rendered without compiling its templates again. Unlike everything else kept here, such
a file is code: Jinja's format is a pickled checksum and marshalled Python, and loading
it runs it. That is acceptable for these reasons, and only with these checks:

- only the user can write the folder (it is made 0700, in the user's own cache home),
  the same folder whose pages ``show`` prints as they are: whoever can write it could
  already make the command print anything, and can write the user's shell start-up
  files too, which run more than this does;
- a file is read only if the folder and the file both belong to the user and neither is
  writable by group or others, and only if its text matches the SHA-256 it was written
  with: a damaged, cut-short or foreign file is a miss, never half-run;
- Jinja itself rejects a file made by another Python (its magic holds the version) or
  from another source of the template (it keeps the source's checksum and compares it
  with the template's source now: an edited template is compiled again at once); the
  key is Jinja's (the template's name and file) joined with the exact Python version and
  the package's and libraries' files, which the compiled code also depends on.

``--no-cache`` and ``PATHWAYS_NO_CACHE=1`` read and write no compiled template either.

This module uses the standard library only (layer 1): it runs before anything heavy is
imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pathways import __version__, resources

NO_CACHE_ENV = "PATHWAYS_NO_CACHE"
CACHE_FORMAT = 1
"""Bumped when what a render depends on changes in a way the key cannot see."""
MAX_ENTRIES = 256
"""Kept renders; the least recently used go first. A render is a few kilobytes."""

_HEADER = b"pathways-render"


def _sealed(kind: bytes, body: bytes) -> bytes:
    """A kept file's bytes: a line naming its kind and the SHA-256 of ``body``, then it."""
    return kind + b" " + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body


def _unsealed(kind: bytes, data: bytes) -> bytes | None:
    """The body of a file ``_sealed`` made of this kind, or None if it is damaged or cut
    short (or of another kind)."""
    header, newline, body = data.partition(b"\n")
    if not newline or header != kind + b" " + hashlib.sha256(body).hexdigest().encode("ascii"):
        return None
    return body


_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("jinja2", "markupsafe", "pydantic", "pydantic_core", "yaml", "transitions")


def cache_disabled(environ: Mapping[str, str] | None = None) -> bool:
    """True when ``$PATHWAYS_NO_CACHE`` is set to anything but empty, 0, no or false."""
    value = (environ if environ is not None else os.environ).get(NO_CACHE_ENV, "")
    return value.strip().lower() not in ("", "0", "no", "false")


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/pathways/renders``, else ``~/.cache/pathways/renders``."""
    env = environ if environ is not None else os.environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "pathways" / "renders"


def terminal_width() -> int:
    """The width text output wraps to: ``$COLUMNS``, else the terminal's, else 80.

    The same rule as ``shutil.get_terminal_size`` (without importing shutil, which
    brings lzma and bz2): the command passes this width to the renderer, so the key
    and the render agree.
    """
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class RenderCache:
    """Renders kept in one folder, by key. Every failure to read or write is a miss:
    the cache can make a command faster, never wrong and never fail."""

    def __init__(self, folder: Path | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self.max_entries = max_entries

    # ------------------------------------------------------------------ the key

    def key(
        self,
        *,
        pathway_file: Path,
        templates_dirs: Iterable[Path | None],
        arguments: Mapping[str, str],
        today: dt.date | None = None,
    ) -> str | None:
        """The key of a render from these inputs, or None if one cannot be read."""
        digest = hashlib.sha256()

        def part(*values: str | bytes) -> None:
            for value in values:
                data = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
                digest.update(len(data).to_bytes(8, "big"))
                digest.update(data)

        part("format", str(CACHE_FORMAT), "version", __version__, "python", sys.version)
        part("today", (today or dt.date.today()).isoformat())
        for name in sorted(arguments):
            part("argument", name, arguments[name])
        try:
            part("pathway", pathway_file.read_bytes())
            for folder in templates_dirs:
                part("templates", str(folder))
                if folder is not None:
                    if not folder.is_dir():
                        return None  # the command will say so; nothing to look up
                    for path in _files(folder):
                        part(path.relative_to(folder).as_posix(), path.read_bytes())
            _stamp_code(part)
        except OSError:
            return None
        return digest.hexdigest()

    # ------------------------------------------------------------------ reading, writing

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.render"

    def get(self, key: str) -> str | None:
        """The render kept under ``key``, or None if there is none or it is damaged."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        body = _unsealed(_HEADER, data)
        if body is None:
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:  # pragma: no cover - the digest matched what we wrote
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return text

    def put(self, key: str, text: str) -> None:
        """Keep ``text`` under ``key`` (written whole, then renamed into place)."""
        if _write_whole(self.folder, self._path(key), _sealed(_HEADER, text.encode("utf-8"))):
            _prune(self.folder, ".render", self.max_entries)


def _write_whole(folder: Path, path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` in the private ``folder``: to a temporary name, then
    renamed into place, so a reader sees a whole old file or a whole new one. False if it
    cannot be written (a cache that cannot be written makes no difference)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A new name only this writer has (as tempfile.mkstemp makes, without importing
        # tempfile, shutil and random: 10 ms on a command that answers in 100).
        temporary = str(folder / f".{os.getpid()}-{os.urandom(8).hex()}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return False
    return True


def _prune(folder: Path, suffix: str, keep: int) -> None:
    """Remove the least recently used files ending in ``suffix`` beyond ``keep``."""
    entries = []
    try:
        scanned = list(os.scandir(folder))
    except OSError:
        return
    for entry in scanned:
        if entry.name.endswith(suffix):
            try:
                entries.append((entry.stat().st_mtime_ns, entry.path))
            except OSError:
                continue
    entries.sort()
    for _, path in entries[: max(0, len(entries) - keep)]:
        try:
            os.unlink(path)
        except OSError:
            continue


def show_key(
    renders: RenderCache,
    *,
    state: str | None,
    fmt: str,
    context: Mapping[str, str],
    width: int,
    pathway_file: Path | None,
    templates_dir: Path | None,
) -> str | None:
    """The key of one ``pathways show``: its arguments and the contents of its inputs
    (the chosen pathway, the chosen templates folder and the packaged templates)."""
    arguments = {"command": "show", "state": state or "", "format": fmt, "width": str(width)}
    # Context names are ids (no dots), so these keys cannot meet the ones above.
    arguments.update({f"context.{name}": value for name, value in context.items()})
    return renders.key(
        pathway_file=resources.chosen_pathway_file(pathway_file),
        templates_dirs=resources.template_dirs(resources.chosen_templates_dir(templates_dir)),
        arguments=arguments,
    )


def _stamp_code(part: Callable[[str], None]) -> None:
    """Feed ``part`` the size and modification time of every file of the package itself and
    where and when each library the output depends on is installed: what a key holds so
    that an edited checkout or an upgraded library is never answered from the cache."""
    for path in _files(_PACKAGE):
        info = path.stat()
        part(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    for library in _LIBRARIES:
        part(f"library {library} {_library_stamp(library)}")


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder``, in a stable order, without Python's bytecode caches."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(Path(root) / name for name in sorted(files))
    return found


def _library_stamp(name: str) -> str:
    """Where a library is installed and when (found without importing it)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return "absent"
    info = os.stat(spec.origin)
    return f"{spec.origin}:{info.st_size}:{info.st_mtime_ns}"


# --------------------------------------------------------------------------- compiled pathways

COMPILED_FORMAT = 1
"""Bumped when the layout of a compiled pathway changes."""
MAX_COMPILED = 8
"""Compiled pathways kept; the least recently used go first."""
_COMPILED_HEADER = b"pathways-compiled"


def compiled_key(renders: RenderCache, pathway_file: Path | None) -> str | None:
    """The key of the compiled form of the chosen pathway: its bytes, the package's and
    the libraries' files, the version and today's date (as a render's key, without the
    templates and the arguments: a compiled pathway is the same for every page)."""
    return renders.key(
        pathway_file=resources.chosen_pathway_file(pathway_file),
        templates_dirs=(),
        arguments={"command": "compiled", "compiled": str(COMPILED_FORMAT)},
    )


def encode_compiled(
    *,
    order: list[str],
    common: dict[str, object],
    start: str,
    contexts: list[tuple[str, str, list[str]]],
    combinations: dict[str, dict[str, object]],
    states: dict[str, tuple[dict[str, object], dict[str, dict[str, object]]]],
) -> bytes:
    """A compiled pathway as bytes: the views of all its pages (``templating.journey_view``)
    split by what each part depends on, so that one page's view is read without the rest.

    - ``order``: the view's keys in order; ``common``: the parts every page shares;
    - ``contexts``: each topic as (id, default, value ids), in the pathway's order;
    - ``combinations``: by topic choice (the value ids joined with ","), the parts that
      depend on the topics only;
    - ``states``: by state id, the parts that depend on the state only, and by topic
      choice the parts that depend on both.

    The layout: a line ``pathways-compiled SHA256 LENGTH``, then the header (JSON, LENGTH
    bytes, its SHA-256 on the first line) with an index of the states, then each state's
    part (JSON) at the offset the index gives, with its own SHA-256. JSON, not pickle or
    marshal: reading it builds only strings, numbers, lists and dicts, whoever wrote it.
    """
    import json

    chunks: list[bytes] = []
    index: dict[str, list[object]] = {}
    offset = 0
    for state_id, (own, pages) in states.items():
        chunk = json.dumps({"state": own, "pages": pages}, ensure_ascii=False).encode()
        index[state_id] = [offset, len(chunk), hashlib.sha256(chunk).hexdigest()]
        chunks.append(chunk)
        offset += len(chunk)
    header = json.dumps(
        {
            "order": order,
            "common": common,
            "start": start,
            "contexts": contexts,
            "combinations": combinations,
            "states": index,
        },
        ensure_ascii=False,
    ).encode()
    first = b"%s %s %d\n" % (
        _COMPILED_HEADER,
        hashlib.sha256(header).hexdigest().encode("ascii"),
        len(header),
    )
    return first + header + b"".join(chunks)


class CompiledPathways:
    """Compiled pathways (``encode_compiled``) kept in the cache folder, by key: a page's
    view read from one without YAML, pydantic or transitions. Every failure to read is a
    miss, and the command then loads the pathway as it always did."""

    def __init__(self, folder: Path | None = None, *, max_entries: int = MAX_COMPILED) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self.max_entries = max_entries

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.compiled"

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        """Keep a compiled pathway under ``key`` (written whole, then renamed into place)."""
        if _write_whole(self.folder, self._path(key), data):
            _prune(self.folder, ".compiled", self.max_entries)

    def view(
        self, key: str, state: str | None, context: Mapping[str, str]
    ) -> dict[str, object] | None:
        """The view of one page (state None: the start) with these topic choices, or None
        if no whole compiled pathway is kept under ``key``, or if the state or a topic is
        not one of its own (the command then says what is wrong, as always)."""
        import json

        path = self._path(key)
        try:
            with open(path, "rb") as stream:
                if os.fstat(stream.fileno()).st_uid != os.getuid():
                    return None  # only ever read what this user's own commands wrote
                magic, digest, length = stream.readline().split()
                header_bytes = stream.read(int(length))
                if (
                    magic != _COMPILED_HEADER
                    or hashlib.sha256(header_bytes).hexdigest() != digest.decode()
                ):
                    return None
                base = stream.tell()
                header = json.loads(header_bytes)
                chosen = _combination(header["contexts"], context)
                state_id = header["start"] if state is None else state
                if chosen is None or state_id not in header["states"]:
                    return None
                offset, size, chunk_digest = header["states"][state_id]
                stream.seek(base + offset)
                chunk_bytes = stream.read(size)
            if hashlib.sha256(chunk_bytes).hexdigest() != chunk_digest:
                return None
            chunk = json.loads(chunk_bytes)
            parts = {
                **header["common"],
                **header["combinations"][chosen],
                **chunk["state"],
                **chunk["pages"][chosen],
            }
            view = {name: parts[name] for name in header["order"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return view


def _combination(contexts: list[list[object]], chosen: Mapping[str, str]) -> str | None:
    """The topic choice as a compiled pathway names it: every topic's value, the default
    where none is chosen, in the pathway's order; None for a topic or value it does not
    have (``Pathway.check_context`` then says what is wrong)."""
    known = {str(c[0]): c for c in contexts}
    for name, value in chosen.items():
        if name not in known or value not in known[name][2]:  # type: ignore[operator]
            return None
    return ",".join(str(chosen.get(str(c[0]), c[1])) for c in contexts)


# --------------------------------------------------------------------------- compiled templates

BYTECODE_FORMAT = 1
"""Bumped when the layout of a kept template's file changes."""
MAX_BYTECODE = 128
"""Compiled templates kept (a page uses three to seven); the least recently used go first."""
_BYTECODE_HEADER = b"pathways-bytecode"


class TemplateBytecode:
    """Templates compiled by Jinja2, kept in the cache folder (``templating`` hands them to
    Jinja as its bytecode cache), so that a page not shown before is rendered without
    compiling its templates again.

    What Jinja keeps is Python code (marshalled, behind a pickled checksum), and loading
    it runs it, so a file is read only if it can only have been written by the user's own
    commands: the folder and the file are the user's own and nobody else can write them,
    and the file's text matches the SHA-256 it was written with (a damaged or cut-short
    file is a miss, never half-run). Whatever else is wrong is a miss too: Jinja then
    compiles the template from its source, as it does without a cache.
    """

    def __init__(self, folder: Path | None = None, *, max_entries: int = MAX_BYTECODE) -> None:
        self.folder = folder if folder is not None else cache_dir()
        self.max_entries = max_entries
        self._stamp: str | None = None

    def key(self, jinja_key: str) -> str | None:
        """The file name for Jinja's key of a template (its name and file), joined with what
        the compiled code depends on beyond the template's source (which Jinja checks
        itself): the exact Python, the package's and the libraries' files (the
        environment's options live in the package, Jinja2's compiler in its library).
        None if those cannot be read."""
        if self._stamp is None:
            digest = hashlib.sha256()

            def part(value: str) -> None:
                data = value.encode("utf-8", "surrogateescape")
                digest.update(len(data).to_bytes(8, "big"))
                digest.update(data)

            part(f"bytecode {BYTECODE_FORMAT} {__version__} {sys.version}")
            try:
                _stamp_code(part)
            except OSError:
                return None
            self._stamp = digest.hexdigest()
        return hashlib.sha256(f"{self._stamp} {jinja_key}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.bytecode"

    def get(self, key: str) -> bytes | None:
        """The bytes kept under ``key``, or None unless the folder and the file are the
        user's own, writable by nobody else, and the file is whole."""
        path = self._path(key)
        uid = os.getuid()
        try:
            folder = os.stat(self.folder)
            if folder.st_uid != uid or folder.st_mode & 0o022:
                return None
            with open(path, "rb") as stream:
                info = os.fstat(stream.fileno())
                if info.st_uid != uid or info.st_mode & 0o022:
                    return None
                data = stream.read()
        except OSError:
            return None
        body = _unsealed(_BYTECODE_HEADER, data)
        if body is None:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return body

    def put(self, key: str, body: bytes) -> None:
        """Keep ``body`` under ``key`` (written whole, then renamed into place)."""
        if _write_whole(self.folder, self._path(key), _sealed(_BYTECODE_HEADER, body)):
            _prune(self.folder, ".bytecode", self.max_entries)
