"""The render cache of `pathways show`: fast when nothing changed, never stale, never wrong."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from launching import imported, run_pathways
from paths import ROOT
from pathways import cache
from pathways.cli import main
from pathways.loader import load_pathway

HEAVY = ("pydantic", "jinja2", "transitions", "yaml")


def _renders(folder: Path) -> list[Path]:
    where = folder / "pathways" / "renders"
    return sorted(where.glob("*.render")) if where.is_dir() else []


def _cache_home() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"])


def show(*args: str) -> str:
    result = CliRunner().invoke(main, ["show", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --------------------------------------------------------------------------- the command


def test_a_second_show_is_the_same_page_from_the_cache() -> None:
    """The page shown from the cache is exactly the page rendered afresh."""
    first = show("relapse", "--format", "markdown")
    assert len(_renders(_cache_home())) == 1
    assert show("relapse", "--format", "markdown") == first
    assert show("relapse", "--format", "markdown", "--no-cache") == first


def test_a_kept_page_is_shown_without_loading_the_stack() -> None:
    """With the page kept, `pathways show` imports none of pydantic, jinja2, transitions, yaml."""
    first = run_pathways("show", "relapse")
    assert set(HEAVY) <= imported(first.stderr)  # the first one renders
    again = run_pathways("show", "relapse")
    assert again.stdout == first.stdout
    assert not set(HEAVY) & imported(again.stderr)
    assert "click" not in imported(again.stderr)


def test_help_loads_no_heavy_library_through_the_launcher() -> None:
    """`pathways --help` through the entry point stays cheap too."""
    result = run_pathways("--help")
    assert "not medical advice" in result.stdout
    assert not set(HEAVY) & imported(result.stderr)


def test_help_shows_the_statement_of_pathways_file_without_heavy_libraries() -> None:
    """`PATHWAYS_FILE=tests/data/minimal.yaml pathways --help` shows that document's
    statement (not the built-in one's), still loading no YAML library or pydantic."""
    minimal = ROOT / "tests" / "data" / "minimal.yaml"
    result = run_pathways("--help", env={"PATHWAYS_FILE": str(minimal)})
    shown = " ".join(result.stdout.split())
    assert load_pathway(minimal).metadata.intended_purpose in shown
    assert load_pathway(ROOT / "pathways.yaml").metadata.intended_purpose not in shown
    assert not set(HEAVY) & imported(result.stderr)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_no_cache_neither_reads_nor_writes(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """--no-cache and PATHWAYS_NO_CACHE=1 leave the cache folder untouched."""
    args = ["relapse"]
    if how == "option":
        args.append("--no-cache")
    else:
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    show(*args)
    run_pathways("show", *args)
    assert _renders(_cache_home()) == []


def test_an_edited_pathway_is_never_shown_stale(tmp_path: Path) -> None:
    """Changing the pathway file changes what `show` prints, through both entry points."""
    pathway = tmp_path / "pathways.yaml"
    text = (ROOT / "pathways.yaml").read_text(encoding="utf-8")
    pathway.write_text(text, encoding="utf-8")
    before = show("relapse", "--pathway", str(pathway))
    assert "Completely rewritten" not in before
    old_title = load_pathway(pathway).state("relapse").title
    assert old_title in text
    pathway.write_text(text.replace(old_title, "Completely rewritten", 1), encoding="utf-8")
    assert "Completely rewritten" in show("relapse", "--pathway", str(pathway))
    launched = run_pathways("show", "relapse", "--pathway", str(pathway)).stdout
    assert "Completely rewritten" in launched
    pathway.write_text(text, encoding="utf-8")  # and back again
    assert run_pathways("show", "relapse", "--pathway", str(pathway)).stdout == before


def test_an_edited_template_is_never_shown_stale(tmp_path: Path) -> None:
    """A user's template added or changed after a render takes effect at once."""
    templates = tmp_path / "templates"
    (templates / "text").mkdir(parents=True)
    before = run_pathways("show", "relapse", "--templates", str(templates)).stdout
    page = ROOT / "templates" / "text" / "state.txt"
    (templates / "text" / "state.txt").write_text(
        page.read_text(encoding="utf-8").replace(
            "{% block content %}", "{% block content %}\nEdited page", 1
        ),
        encoding="utf-8",
    )
    # A new process, as a reader runs it (one process's Jinja keeps templates it has read).
    after = run_pathways("show", "relapse", "--templates", str(templates)).stdout
    assert "Edited page" in after and "Edited page" not in before


def test_each_argument_has_its_own_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """State, format, topic and width each make a different page, and each is kept apart."""
    pages = {
        show("relapse"),
        show("reinduction"),
        show("relapse", "--format", "json"),
        show("relapse", "--context", "philadelphia=positive"),
    }
    monkeypatch.setenv("COLUMNS", "40")
    narrow = show("relapse")
    assert len(pages | {narrow}) == 5
    assert len(_renders(_cache_home())) == 5


def test_a_failing_show_keeps_nothing() -> None:
    """An unknown state is an error each time; no page is kept for it."""
    for _ in range(2):
        result = CliRunner().invoke(main, ["show", "relapsed"])
        assert result.exit_code == 1
        assert "did you mean 'relapse'" in result.output
    assert _renders(_cache_home()) == []


def test_a_damaged_cache_file_is_ignored_and_replaced() -> None:
    """A cut-short or altered cache file is never shown: the page is rendered afresh."""
    good = show("relapse")
    (path,) = _renders(_cache_home())
    for damage in (path.read_bytes()[:100], path.read_bytes().replace(b"ALL", b"XYZ"), b""):
        path.write_bytes(damage)
        assert show("relapse") == good
        assert cache.RenderCache(path.parent).get(path.stem) == good  # replaced whole


def test_a_cache_folder_that_cannot_be_written_does_not_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the cache folder cannot be made (a file is in its place), `show` still works."""
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert "healthcare team" in show("relapse")
    assert "healthcare team" in run_pathways("show", "relapse").stdout


def test_the_cache_folder_is_private_and_holds_only_pages() -> None:
    """The folder is the owner's alone, and each file is the page that was shown."""
    page = show("relapse")
    (path,) = _renders(_cache_home())
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600
    header, _, body = path.read_bytes().partition(b"\n")
    assert header.startswith(b"pathways-render ")
    assert body.decode("utf-8") == page


# --------------------------------------------------------------------------- the store


def test_concurrent_writers_and_readers_never_see_half_a_page(tmp_path: Path) -> None:
    """Readers racing writers of the same key get a whole page or nothing."""
    store = cache.RenderCache(tmp_path)
    pages = [f"page {n}\n" + "x" * 50_000 for n in range(4)]
    seen: list[str | None] = []
    errors: list[BaseException] = []

    def write(page: str) -> None:
        try:
            for _ in range(30):
                store.put("k", page)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read() -> None:
        for _ in range(200):
            seen.append(store.get("k"))

    threads = [threading.Thread(target=write, args=(p,)) for p in pages]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert set(seen) <= {None, *pages}
    assert store.get("k") in pages
    assert [p.name for p in tmp_path.iterdir()] == ["k.render"]  # no temporary file left


def test_the_store_keeps_at_most_its_limit_least_recently_used_first(tmp_path: Path) -> None:
    """Past the limit, the pages not read for longest are removed."""
    store = cache.RenderCache(tmp_path, max_entries=3)
    for n, key in enumerate("abc"):
        store.put(key, key)
        os.utime(tmp_path / f"{key}.render", ns=(n * 10**9, n * 10**9))
    assert store.get("a") == "a"  # read now: the most recent
    store.put("d", "d")
    assert sorted(p.stem for p in tmp_path.glob("*.render")) == ["a", "c", "d"]


def test_the_key_changes_with_every_input(tmp_path: Path) -> None:
    """Pathway bytes, a template's bytes, a new template, an argument and the date each
    change the key; the same inputs give the same key."""
    pathway = tmp_path / "p.yaml"
    pathway.write_text("a", encoding="utf-8")
    templates = tmp_path / "t"
    templates.mkdir()
    store = cache.RenderCache(tmp_path / "c")
    today = dt.date(2026, 1, 2)

    def key(**arguments: str) -> str | None:
        return store.key(
            pathway_file=pathway,
            templates_dirs=[templates],
            arguments=arguments or {"state": "x"},
            today=today,
        )

    keys = [key(), key()]
    assert keys[0] == keys[1]
    pathway.write_text("b", encoding="utf-8")
    keys.append(key())
    (templates / "page.txt").write_text("1", encoding="utf-8")
    keys.append(key())
    (templates / "page.txt").write_text("2", encoding="utf-8")
    keys.append(key())
    keys.append(key(state="y"))
    today = dt.date(2026, 1, 3)
    keys.append(key())
    assert len(set(keys)) == len(keys) - 1
    pathway.unlink()
    assert key() is None


@pytest.mark.parametrize(
    ("value", "disabled"),
    [("", False), ("0", False), ("false", False), ("1", True), ("yes", True), ("true", True)],
)
def test_no_cache_variable_values(value: str, disabled: bool) -> None:
    """PATHWAYS_NO_CACHE is on for 1/yes/true, off when empty, 0, no or false."""
    assert cache.cache_disabled({cache.NO_CACHE_ENV: value}) is disabled


def test_cache_folder_follows_xdg_and_falls_back_to_home() -> None:
    """$XDG_CACHE_HOME (absolute) is used; otherwise ~/.cache."""
    assert cache.cache_dir({"XDG_CACHE_HOME": "/x/y"}) == Path("/x/y/pathways/renders")
    home = Path.home() / ".cache" / "pathways" / "renders"
    assert cache.cache_dir({"XDG_CACHE_HOME": "relative"}) == home
    assert cache.cache_dir({}) == home
