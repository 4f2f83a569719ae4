"""A pathway compiled for `pathways show`: every page made from it is the page made from
the pathway itself, it is read without pydantic, transitions or YAML, and it is never
stale, never trusted when damaged and never used when the cache is off."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generated import generated_pathway, generator
from launching import imported, run_pathways
from paths import MINIMAL, ROOT
from pathways import cache, launch
from pathways.cli import main
from pathways.compiled import compile_pathway
from pathways.journey import Journey
from pathways.loader import load_pathway, parse_pathway
from pathways.schema import Pathway
from pathways.templating import FORMATS, Renderer

HEAVY = ("pydantic", "transitions", "yaml", "click")


def _kept(pathway: Pathway, folder: Path) -> cache.CompiledPathways:
    data = compile_pathway(pathway)
    assert data is not None
    store = cache.CompiledPathways(folder)
    store.put("k", data)
    return store


def _choices(pathway: Pathway) -> list[dict[str, str]]:
    """No topic chosen, and each value of each topic chosen on its own."""
    return [{}] + [{c.id: v.id} for c in pathway.contexts for v in c.values]


REAL = load_pathway(ROOT / "pathways.yaml")
GENERATED = generated_pathway(40)
MINIMAL_PATHWAY = load_pathway(MINIMAL)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "pathway", [REAL, GENERATED, MINIMAL_PATHWAY], ids=["shipped", "generated", "minimal"]
)
def test_every_page_from_the_compiled_form_is_the_page_made_afresh(
    pathway: Pathway, fmt: str, tmp_path: Path
) -> None:
    """For every state, format and topic choice, the view read back from the compiled
    file is the one the journey gives, and renders byte for byte the same page."""
    store = _kept(pathway, tmp_path)
    renderer = Renderer()
    for context in _choices(pathway):
        for state in pathway.state_ids:
            view = store.view("k", state, context)
            assert view is not None, (state, context)
            expected = renderer.render(Journey.begin(pathway, context, at=state), fmt, width=80)
            assert renderer.render_view(view, fmt, width=80) == expected, (state, context)


@given(
    state=st.sampled_from((*REAL.state_ids, None)),
    fmt=st.sampled_from(FORMATS),
    context=st.sampled_from(_choices(REAL)),
    width=st.integers(min_value=1, max_value=200),
)
def test_any_width_gives_the_same_page(
    state: str | None, fmt: str, context: dict[str, str], width: int
) -> None:
    """At any width (and with no state given: the start), the same page either way."""
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "any-width"
    store = cache.CompiledPathways(folder)
    if not store.has("k"):
        store = _kept(REAL, folder)
    view = store.view("k", state, context)
    assert view is not None
    journey = Journey.begin(REAL, context, at=state)
    assert Renderer().render_view(view, fmt, width=width) == Renderer().render(
        journey, fmt, width=width
    )


def test_a_state_or_topic_it_does_not_have_is_a_miss(tmp_path: Path) -> None:
    """Unknown states, topics and values are left to the command, which says what is wrong."""
    store = _kept(REAL, tmp_path)
    assert store.view("k", "relapse", {}) is not None
    assert store.view("k", "relapsed", {}) is None
    assert store.view("k", "relapse", {"philadelphia": "maybe"}) is None
    assert store.view("k", "relapse", {"age": "adult"}) is None
    assert store.view("other", "relapse", {}) is None


def test_a_pathway_with_too_many_topic_choices_is_not_compiled() -> None:
    """Past the limit of topic combinations there is no compiled form (show loads it)."""
    generate = generator()
    document = generate.generate(5)
    topic = document["contexts"][0]
    document["contexts"] = [
        {**topic, "id": f"topic{n}", "values": [{**v} for v in topic["values"]]}
        for n in range(4)  # 3**4 = 81 choices
    ]
    for step in document["transitions"]:
        step.pop("when", None)
    assert compile_pathway(parse_pathway(generate.to_yaml(document))) is None


def test_a_damaged_compiled_file_is_a_miss(tmp_path: Path) -> None:
    """A cut-short or altered header, or an altered state's part, is never read."""
    store = _kept(REAL, tmp_path)
    path = tmp_path / "k.compiled"
    good = path.read_bytes()
    first, _, rest = good.partition(b"\n")
    length = int(first.split()[2])
    offset, size, _ = json.loads(rest[:length])["states"]["relapse"]
    at = len(first) + 1 + length + offset + size // 2
    altered_part = good[:at] + bytes([good[at] ^ 1]) + good[at + 1 :]
    for damage in (good[:200], good.replace(b"ALL", b"XYZ", 1), altered_part, b""):
        path.write_bytes(damage)
        assert store.view("k", "relapse", {}) is None
    path.write_bytes(good)
    assert store.view("k", "relapse", {}) is not None


def test_the_command_replaces_a_damaged_compiled_file() -> None:
    """A state's part found damaged is a miss; the command shows the page from the
    pathway itself and writes the compiled form again, whole."""
    good = CliRunner().invoke(main, ["show", "relapse"]).output
    (path,) = _compiled_files()
    data = path.read_bytes()
    path.write_bytes(data.replace(b"relapse", b"relapsE"))
    store = cache.CompiledPathways(path.parent)
    assert store.view(path.stem, "relapse", {}) is None
    assert CliRunner().invoke(main, ["show", "relapse", "--format", "json"]).exit_code == 0
    assert store.view(path.stem, "relapse", {}) is not None
    assert path.read_bytes() == data
    assert launch.kept_show(["show", "relapse"]) == good


def test_a_file_another_user_owns_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _kept(REAL, tmp_path)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path / "k.compiled").st_uid + 1)
    assert store.view("k", "relapse", {}) is None


def test_the_file_is_plain_data(tmp_path: Path) -> None:
    """The file holds JSON only (no pickle, no code): its header and every state's part."""
    _kept(REAL, tmp_path)
    data = (tmp_path / "k.compiled").read_bytes()
    first, _, rest = data.partition(b"\n")
    magic, _, length = first.split()
    assert magic == b"pathways-compiled"
    header = json.loads(rest[: int(length)])
    body = rest[int(length) :]
    for offset, size, _ in header["states"].values():
        assert set(json.loads(body[offset : offset + size])) == {"state", "pages"}


# --------------------------------------------------------------------------- the command


def _cache_home() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"])


def _compiled_files() -> list[Path]:
    return sorted((_cache_home() / "pathways" / "renders").glob("*.compiled"))


@pytest.mark.child_process
def test_a_page_not_shown_before_comes_from_the_compiled_pathway() -> None:
    """After one page, another state, format, topic or width is rendered from the compiled
    pathway without pydantic, transitions, YAML or click, and is the page made afresh."""
    run_pathways("show", "relapse")
    assert len(_compiled_files()) == 1
    for args, env in [
        (("show", "reinduction"), None),
        (("show", "reinduction", "--format", "html"), None),
        (("show", "--context", "philadelphia=positive", "--format", "markdown"), None),
        (("show", "relapse", "--format", "json"), None),
        (("show", "relapse"), {"COLUMNS": "44"}),
    ]:
        page = run_pathways(*args, env=env)
        assert not set(HEAVY) & imported(page.stderr), args
        fresh = run_pathways(*args, "--no-cache", env=env)
        assert page.stdout == fresh.stdout, args
    assert len(_compiled_files()) == 1


@pytest.mark.child_process
def test_an_edited_pathway_is_compiled_again(tmp_path: Path) -> None:
    """Changing the pathway file is seen at once: its old compiled form is not used."""
    pathway = tmp_path / "pathways.yaml"
    text = (ROOT / "pathways.yaml").read_text(encoding="utf-8")
    pathway.write_text(text, encoding="utf-8")
    run_pathways("show", "relapse", "--pathway", str(pathway))
    title = REAL.state("reinduction").title
    pathway.write_text(text.replace(title, "Completely rewritten", 1), encoding="utf-8")
    edited = run_pathways("show", "reinduction", "--pathway", str(pathway))
    assert "Completely rewritten" in edited.stdout
    assert "pydantic" in imported(edited.stderr)  # loaded afresh, then compiled again
    again = run_pathways("show", "reinduction", "--pathway", str(pathway), "--format", "json")
    assert "Completely rewritten" in again.stdout
    assert "pydantic" not in imported(again.stderr)


@pytest.mark.child_process
def test_an_edited_template_is_seen_at_once_with_a_compiled_pathway(tmp_path: Path) -> None:
    """The compiled pathway holds no template: a template added after it is used at once."""
    templates = tmp_path / "templates"
    (templates / "text").mkdir(parents=True)
    run_pathways("show", "relapse", "--templates", str(templates))
    page = ROOT / "templates" / "text" / "state.txt"
    (templates / "text" / "state.txt").write_text(
        page.read_text(encoding="utf-8").replace(
            "{% block content %}", "{% block content %}\nEdited page", 1
        ),
        encoding="utf-8",
    )
    after = run_pathways("show", "reinduction", "--templates", str(templates))
    assert "Edited page" in after.stdout
    assert "pydantic" not in imported(after.stderr)


@pytest.mark.child_process
def test_a_template_error_is_said_by_the_command(tmp_path: Path) -> None:
    """A broken template with a compiled pathway gives the command's clean message."""
    templates = tmp_path / "templates"
    (templates / "text").mkdir(parents=True)
    run_pathways("show", "relapse")
    (templates / "text" / "state.txt").write_text("{% if %}\n", encoding="utf-8")
    code = "import sys; from pathways.launch import main; sys.argv[0] = 'pathways'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "show", "reinduction", "--templates", str(templates)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "state.txt:1:1" in done.stderr and "Traceback" not in done.stderr


def _planted() -> None:
    """Every kept compiled file altered (with its checksums made right), as only someone
    who can write the user's own folder could: what shows it is read at all."""
    for path in _compiled_files():
        data = path.read_bytes()
        first, _, rest = data.partition(b"\n")
        _, _, length = first.split()
        header = json.loads(rest[: int(length)])
        body = rest[int(length) :].replace(b"healthcare team", b"PLANTED team")
        states = {}
        for state_id in header["states"]:
            offset, size, _ = header["states"][state_id]
            states[state_id] = json.loads(rest[int(length) :][offset : offset + size])
        header["common"] = json.loads(
            json.dumps(header["common"]).replace("healthcare team", "PLANTED team")
        )
        assert body
        path.write_bytes(
            cache.encode_compiled(
                order=header["order"],
                common=header["common"],
                start=header["start"],
                contexts=header["contexts"],
                combinations=header["combinations"],
                states={k: (v["state"], v["pages"]) for k, v in states.items()},
            )
        )


@pytest.mark.child_process
@pytest.mark.parametrize("how", ["option", "environment"])
def test_no_cache_reads_and_writes_no_compiled_pathway(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-cache and PATHWAYS_NO_CACHE=1 neither write a compiled pathway nor read one."""
    args = ["show", "reinduction"]
    env = None
    if how == "option":
        args.append("--no-cache")
    else:
        env = {cache.NO_CACHE_ENV: "1"}
    run_pathways(*args, env=env)
    assert _compiled_files() == []
    run_pathways("show", "relapse")
    _planted()
    assert "PLANTED" in run_pathways("show", "reinduction", "--format", "markdown").stdout
    assert "PLANTED" not in run_pathways(*args, env=env).stdout
    if how == "environment":
        monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and "PLANTED" not in result.output


class _Day(dt.date):
    chosen = dt.date.today()

    @classmethod
    def today(cls) -> _Day:
        return cls.fromordinal(cls.chosen.toordinal())


def test_a_pathway_past_its_review_date_is_refused_though_it_was_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled while in date, a pathway past its review date the next day is refused."""
    today = dt.date.today()
    text = MINIMAL.read_text(encoding="utf-8")
    meta = MINIMAL_PATHWAY.metadata
    pathway = tmp_path / "due.yaml"
    pathway.write_text(
        text.replace(meta.next_review.isoformat(), today.isoformat()), encoding="utf-8"
    )
    assert load_pathway(pathway).metadata.next_review == today
    monkeypatch.setattr(cache, "dt", SimpleNamespace(date=_Day))
    args = ["show", "--pathway", str(pathway)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert len(_compiled_files()) == 1
    state = MINIMAL_PATHWAY.state_ids[-1]
    assert launch.kept_show([*args, state]) is not None  # from the compiled pathway
    monkeypatch.setattr(_Day, "chosen", today + dt.timedelta(days=1))
    assert launch.kept_show([*args, state]) is None  # not used on another day
    # The loader's today is that day too.
    monkeypatch.setattr("pathways.checks.dt", SimpleNamespace(date=_Day))
    result = CliRunner().invoke(main, [*args, state])
    assert result.exit_code == 1
    assert "due for review" in result.output
