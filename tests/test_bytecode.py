"""Templates compiled by Jinja2 are kept in the cache folder (Jinja's bytecode cache) for
the next `pathways show`: they are loaded instead of compiled again, never when the
template changed, never from a file that is damaged or not the user's own, never with
the cache off, and the page is byte for byte the page compiled afresh."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from jinja2.bccache import Bucket

from launching import imported, run_pathways
from paths import ROOT
from pathways import cache, templating
from pathways.cli import main
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.templating import KeptBytecode, Renderer

HEAVY = ("pydantic", "transitions", "yaml", "click")
REAL = load_pathway(ROOT / "pathways.yaml")
PAGE = "text/state.txt"


@pytest.fixture(autouse=True)
def _fresh_environments() -> Iterator[None]:
    """Each test starts with no Environment made (so no template compiled in memory)."""
    templating._environment.cache_clear()
    yield
    templating._environment.cache_clear()


def _folder() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "pathways" / "renders"


def _kept_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or _folder()).glob("*.bytecode"))


class _Compiles:
    """Counts the templates Jinja compiles from source."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str | None] = []
        compile_source = jinja2.Environment.compile

        def counted(env: jinja2.Environment, source: str, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
            self.names.append(name)
            return compile_source(env, source, name, *a, **k)

        monkeypatch.setattr(jinja2.Environment, "compile", counted)


def _render(folder: Path | None, fmt: str = "text", state: str = "relapse") -> str:
    """A page from a new Environment (as a new process makes one)."""
    templating._environment.cache_clear()
    journey = Journey.begin(REAL, at=state)
    return Renderer(kept_bytecode=folder).render(journey, fmt, width=80)


def _plant(folder: Path, name: str = PAGE) -> Path:
    """Keep, for the packaged ``name``, code compiled from an altered source under the
    checksum of the real one: as only someone who can write the user's own folder could.
    A page showing PLANTED is a page made from the kept file."""
    env = templating._new_environment(None)
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, name)
    kept = KeptBytecode(folder)
    bucket = Bucket(env, kept.get_cache_key(name, filename), kept.get_source_checksum(source))
    altered = source.replace("{% block content %}", "{% block content %}\nPLANTED", 1)
    assert altered != source
    bucket.code = env.compile(altered, name, filename)
    kept.store.put(bucket.key, bucket.bytecode_to_string())
    return kept.store._path(bucket.key)


# --------------------------------------------------------------------------- in process


def test_a_template_compiled_once_is_loaded_not_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first render compiles the page's templates and keeps them; a new Environment
    compiles none of them, and the page is the same."""
    compiles = _Compiles(monkeypatch)
    first = _render(tmp_path)
    assert PAGE in compiles.names and "text/_base.txt" in compiles.names
    assert len(_kept_files(tmp_path)) == len(compiles.names)
    compiles.names.clear()
    assert _render(tmp_path) == first
    assert compiles.names == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_page_from_kept_templates_is_the_page_compiled_afresh(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every state, with every topic choice, from templates loaded from the kept files is
    byte for byte the page from templates compiled from their source."""
    journeys = [
        Journey.begin(REAL, context, at=state)
        for context in [{}, *({c.id: v.id} for c in REAL.contexts for v in c.values)]
        for state in REAL.state_ids
    ]
    afresh = [Renderer().render(j, fmt, width=80) for j in journeys]
    for journey in journeys:  # keeps every template these pages use
        Renderer(kept_bytecode=tmp_path).render(journey, fmt, width=80)
    templating._environment.cache_clear()
    compiles = _Compiles(monkeypatch)
    kept = Renderer(kept_bytecode=tmp_path)
    assert [kept.render(j, fmt, width=80) for j in journeys] == afresh
    assert compiles.names == []


def test_a_kept_template_is_what_is_run(tmp_path: Path) -> None:
    """What is kept is run: a kept file whose code differs from its source shows."""
    _plant(tmp_path)
    assert "PLANTED" in _render(tmp_path)
    assert "PLANTED" not in _render(None)


def test_an_edited_template_is_compiled_again_at_once(tmp_path: Path) -> None:
    """A template in a user's folder, edited after it was kept, shows the edit on the very
    next page, and the edited template is kept in its place."""
    templates = tmp_path / "templates"
    (templates / "text").mkdir(parents=True)
    page = templates / PAGE
    source = (ROOT / "templates" / PAGE).read_text(encoding="utf-8")
    page.write_text(source, encoding="utf-8")
    folder = tmp_path / "cache"
    journey = Journey.begin(REAL, at="relapse")

    def shown() -> str:
        templating._environment.cache_clear()
        return Renderer(templates, kept_bytecode=folder).render(journey, "text", width=80)

    before = shown()
    kept = {p.name: p.read_bytes() for p in _kept_files(folder)}
    page.write_text(source.replace("{% block content %}", "{% block content %}\nEdited", 1))
    after = shown()
    assert "Edited" in after and "Edited" not in before
    now = {p.name: p.read_bytes() for p in _kept_files(folder)}
    assert set(now) == set(kept)  # the same template, kept again under its own name
    assert [name for name in now if now[name] != kept[name]] != []
    templating._environment.cache_clear()
    assert shown() == after


def _damages(path: Path) -> Iterator[bytes]:
    good = path.read_bytes()
    header, _, body = good.partition(b"\n")
    middle = len(header) + 1 + len(body) // 2
    yield good[: len(good) // 2]  # cut short
    yield good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1 :]  # a bit flipped
    yield header + b"\n" + body + b"x"  # something added
    yield b""


def test_a_damaged_file_is_never_loaded(tmp_path: Path) -> None:
    """A kept file that is not whole (even one whose code would run) is a miss: the page
    is compiled from source, right, and the file is kept again whole."""
    path = _plant(tmp_path)
    planted = path.read_bytes()
    store = cache.TemplateBytecode(tmp_path)
    for damage in _damages(path):
        path.write_bytes(damage)
        assert store.get(path.stem) is None
        page = _render(tmp_path)
        assert "PLANTED" not in page and "healthcare team" in page
        assert store.get(path.stem) is not None  # replaced whole by the good template
        path.write_bytes(planted)


def test_code_in_a_file_of_the_right_length_but_not_jinjas_is_not_run(tmp_path: Path) -> None:
    """Whole, but written for another Python or Jinja (the magic differs), or compiled
    from another source (the checksum differs): compiled afresh."""
    path = _plant(tmp_path)
    store = cache.TemplateBytecode(tmp_path)
    body = store.get(path.stem)
    assert body is not None
    store.put(path.stem, b"j3" + body[2:])
    assert "PLANTED" not in _render(tmp_path)
    env = templating._new_environment(None)
    other = Bucket(env, path.stem, KeptBytecode(tmp_path).get_source_checksum("another"))
    other.code = compile("x = 1", "x", "exec")
    store.put(path.stem, other.bytecode_to_string())
    assert "PLANTED" not in _render(tmp_path)


def test_a_file_another_user_owns_is_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _plant(tmp_path)
    assert "PLANTED" in _render(tmp_path)
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    assert "PLANTED" not in _render(tmp_path)


@pytest.mark.parametrize("mode", [0o620, 0o602])
def test_a_file_others_can_write_is_never_loaded(tmp_path: Path, mode: int) -> None:
    _plant(tmp_path)
    assert "PLANTED" in _render(tmp_path)
    _plant(tmp_path).chmod(mode)
    assert "PLANTED" not in _render(tmp_path)


@pytest.mark.parametrize("mode", [0o770, 0o707])
def test_nothing_is_loaded_from_a_folder_others_can_write(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "shared"
    _plant(folder)
    assert "PLANTED" in _render(folder)
    _plant(folder)
    folder.chmod(mode)
    assert "PLANTED" not in _render(folder)


def test_the_files_are_private_and_at_most_the_limit(tmp_path: Path) -> None:
    """Each kept template is the owner's alone in the owner's folder; past the limit, the
    least recently used go first."""
    _render(tmp_path / "new")
    for path in _kept_files(tmp_path / "new"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"pathways-bytecode ")
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    store = cache.TemplateBytecode(tmp_path / "few", max_entries=3)
    for n, key in enumerate("abc"):
        store.put(key, key.encode())
        os.utime(store._path(key), ns=(n * 10**9, n * 10**9))
    assert store.get("a") == b"a"  # read now: the most recent
    store.put("d", b"d")
    assert sorted(p.stem for p in _kept_files(tmp_path / "few")) == ["a", "c", "d"]


def test_the_key_is_the_template_and_what_its_code_depends_on(tmp_path: Path) -> None:
    """Another name or file is another key; so is another Python or package file."""
    kept = KeptBytecode(tmp_path)
    keys = {
        kept.get_cache_key(PAGE, "/a/text/state.txt"),
        kept.get_cache_key(PAGE, "/b/text/state.txt"),
        kept.get_cache_key("text/_base.txt", "/a/text/state.txt"),
    }
    assert len(keys) == 3
    assert kept.get_cache_key(PAGE, "/a/text/state.txt") in keys
    again = KeptBytecode(tmp_path)
    assert again.get_cache_key(PAGE, "/a/text/state.txt") in keys
    again.store._stamp = "another python or package"
    assert again.get_cache_key(PAGE, "/a/text/state.txt") not in keys


def test_a_folder_that_cannot_be_written_does_not_matter(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder", encoding="utf-8")
    assert _render(blocked) == _render(None)


# --------------------------------------------------------------------------- the command


@pytest.mark.child_process
def test_a_page_not_shown_before_loads_the_kept_templates() -> None:
    """After one page, a page of another state is made from the compiled pathway and the
    kept templates, without pydantic, transitions, YAML or click, and is the page made
    afresh; what it runs is the kept code."""
    run_pathways("show", "relapse")
    assert len(_kept_files()) >= 2
    page = run_pathways("show", "reinduction")
    assert not set(HEAVY) & imported(page.stderr)
    assert page.stdout == run_pathways("show", "reinduction", "--no-cache").stdout
    _plant(_folder())
    planted = run_pathways("show", "car_t")
    assert "PLANTED" in planted.stdout
    assert not set(HEAVY) & imported(planted.stderr)


@pytest.mark.child_process
def test_an_edited_template_is_seen_by_the_next_command(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "text").mkdir(parents=True)
    page = templates / PAGE
    source = (ROOT / "templates" / PAGE).read_text(encoding="utf-8")
    page.write_text(source, encoding="utf-8")
    run_pathways("show", "relapse", "--templates", str(templates))
    before = run_pathways("show", "reinduction", "--templates", str(templates))
    assert "Edited" not in before.stdout
    page.write_text(source.replace("{% block content %}", "{% block content %}\nEdited", 1))
    after = run_pathways("show", "car_t", "--templates", str(templates))
    assert "Edited" in after.stdout
    assert "pydantic" not in imported(after.stderr)  # the compiled pathway, a new template


@pytest.mark.child_process
def test_a_template_error_from_kept_code_names_the_template() -> None:
    """A template that fails while rendering names its file and line, whether compiled
    now or loaded from the kept file."""
    templates = Path(os.environ["XDG_CACHE_HOME"]).parent / "broken-templates"
    (templates / "text").mkdir(parents=True)
    (templates / PAGE).write_text(
        '{% extends "text/_base.txt" %}\n{% block content %}\n{{ no_such_thing }}\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    code = "import sys; from pathways.launch import main; sys.argv[0] = 'pathways'; main()"
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code, "show", "relapse", "--templates", str(templates)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        assert "state.txt:3:1" in done.stderr and "Traceback" not in done.stderr
        assert any(_kept_files())


@pytest.mark.child_process
@pytest.mark.parametrize("how", ["option", "environment"])
def test_no_cache_writes_and_reads_no_kept_template(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-cache and PATHWAYS_NO_CACHE=1 keep no template and load none, through both
    entry points."""
    args = ["show", "reinduction"]
    env = None
    if how == "option":
        args.append("--no-cache")
    else:
        env = {cache.NO_CACHE_ENV: "1"}
    run_pathways(*args, env=env)
    assert _kept_files() == []
    run_pathways("show", "relapse")
    _plant(_folder())
    assert "PLANTED" in run_pathways("show", "car_t").stdout
    assert "PLANTED" not in run_pathways(*args, env=env).stdout
    if how == "environment":
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and "PLANTED" not in result.output
