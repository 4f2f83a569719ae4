"""Many pathways, one engine: nothing in the code belongs to the shipped pathway.

The package holds no word of the shipped topic; `--help` and `pathways schema` say
nothing of it whichever pathway is chosen; the repository's own test pathways (on other,
invented topics) work in every format and export without a word of the shipped one; a
topic's label is never put inside a sentence; and of two pathways rendered side by side,
neither ever shows text of the other.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paths import ROOT
from pathways import resources
from pathways.cli import main
from pathways.diagram import to_dot, to_mermaid
from pathways.export import to_json
from pathways.interchange import to_scxml, to_xstate
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.schema import Pathway
from pathways.site import build_site
from pathways.templating import FORMATS, Renderer
from pathways.web import create_app
from strategies import valid_documents

PACKAGE = ROOT / "src" / "pathways"
OWN = sorted((Path(__file__).parent / "data" / "pathways").glob("*.yaml"))

SHIPPED_WORDS = re.compile(
    r"leukaem|leukem|lymphoblastic|philadelphia|blinatumomab|inotuzumab|imatinib|dasatinib"
    r"|ponatinib|nilotinib|bosutinib|CAR-T|relaps|remission|palliative|reinduction"
    r"|tyrosine kinase",
    re.IGNORECASE,
)
"""Words of the shipped pathway's topic (acute lymphoblastic leukaemia coming back)."""
SHIPPED_INITIALISM = re.compile(r"\bALL\b|\bTKIs?\b|\bPh\+")
"""Its initialisms, matched in capitals only ("all" is an everyday word)."""

ALLOWED = {
    (
        "cli.py",
        '@click.option("--palliative-state", "old_no_treatment_states", multiple=True,'
        " hidden=True)",
    ),
}
"""Lines that may keep a shipped word, with why: the hidden old name of
--no-treatment-state, kept so existing CI calls keep working."""


def shipped_words_in(text: str) -> list[str]:
    return [m.group() for m in (*SHIPPED_WORDS.finditer(text), *SHIPPED_INITIALISM.finditer(text))]


# --------------------------------------------------------------------------- the package


def _package_lines() -> Iterator[tuple[str, int, str]]:
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".toml", ".json", ".txt", ".md"}:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield path.name, number, line


def test_the_package_holds_no_word_of_the_shipped_topic() -> None:
    """Code, docstrings, messages and packaged word lists name no word of the shipped
    pathway: that content lives in pathways.yaml and templates, which are data."""
    found = [
        f"{name}:{number}: {words}"
        for name, number, line in _package_lines()
        if (words := shipped_words_in(line)) and (name, line.strip()) not in ALLOWED
    ]
    assert found == []


def test_the_grep_finds_what_it_looks_for() -> None:
    """The check above would catch each kind of word (so its passing means something)."""
    for text in ("Leukaemia", "relapsed ALL", "Philadelphia positive", "TKIs", "CAR-T"):
        assert shipped_words_in(text), text
    assert shipped_words_in("all of them, in all types") == []


def _cli(args: list[str], pathway: Path) -> str:
    env = {**_environ(), resources.PATHWAY_ENV: str(pathway)}
    result = subprocess.run(
        [sys.executable, "-m", "pathways", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return result.stdout


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PATHWAYS_")}


@pytest.mark.parametrize("args", [["--help"], ["schema"], ["export", "json-schema"]])
def test_help_and_schema_say_nothing_of_the_shipped_topic(args: list[str]) -> None:
    """`PATHWAYS_FILE=other.yaml pathways --help` and the JSON Schema are neutral."""
    output = _cli(args, OWN[0])
    assert output.strip()
    assert shipped_words_in(output) == []


def test_openapi_says_nothing_of_the_shipped_topic() -> None:
    """The API description of another pathway names none of the shipped one's words."""
    with TestClient(create_app(pathway=load_pathway(OWN[0]))) as client:
        text = client.get("/openapi.json").text
    assert shipped_words_in(text) == []


# --------------------------------------------------------------------------- our pathways


def outputs(pathway: Pathway, renderer: Renderer) -> Iterator[tuple[str, str]]:
    """Every render and export of a pathway: each state in each format, then each export."""
    for state in pathway.state_ids:
        journey = Journey.begin(pathway, at=state)
        for fmt in FORMATS:
            yield f"{state}.{fmt}", renderer.render(journey, fmt, width=80)
    yield "json", to_json(pathway)
    yield "mermaid", to_mermaid(pathway)
    yield "dot", to_dot(pathway)
    yield "scxml", to_scxml(pathway)
    yield "xstate", to_xstate(pathway)


def web_pages(client: TestClient, pathway: Pathway) -> Iterator[tuple[str, str]]:
    """The pages of the web app about a pathway: start, each state in each mode, maps."""
    addresses = ["/", "/glossary", "/api/pathway", "/embed/"]
    for state in pathway.state_ids:
        token = Journey.begin(pathway, at=state).token
        addresses += [f"/j/{token}", f"/present/{token}", f"/j/{token}/map", f"/j/{token}/print"]
        addresses += [f"/api/journeys/{token}"]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        yield address, response.text


@pytest.mark.parametrize("path", OWN, ids=[p.stem for p in OWN])
def test_a_pathway_on_another_topic_shows_none_of_the_shipped_one(path: Path) -> None:
    """Every format, export and web page of an invented pathway is free of the shipped
    pathway's words, and shows its own statement and support line."""
    pathway = load_pathway(path)
    with TestClient(create_app(pathway=pathway)) as client:
        for where, text in [*outputs(pathway, Renderer()), *web_pages(client, pathway)]:
            assert shipped_words_in(text) == [], where
        start = client.get("/").text
    assert pathway.support_line.name in start


# --------------------------------------------------------------------------- labels


@pytest.fixture(scope="module")
def knee() -> Pathway:
    """Its topics have phrases."""
    return load_pathway(OWN[[p.stem for p in OWN].index("knee_recovery")])


@pytest.fixture(scope="module")
def diabetes() -> Pathway:
    """Its topics have labels only."""
    return load_pathway(OWN[[p.stem for p in OWN].index("diabetes_clinic")])


def _folded(text: str) -> str:
    return " ".join(text.split())


def test_a_phrase_is_used_inside_a_sentence(knee: Pathway) -> None:
    """With phrases, pages say 'Showing information about <phrase>' and 'for <phrase>'."""
    narrowed = Journey.begin(knee, {"setting": "home"})
    for fmt in ("text", "markdown", "html"):
        assert "Showing information about recovery at home." in _folded(
            re.sub(r"<[^>]+>", "", Renderer().render(narrowed, fmt, width=80))
        ), fmt
    everyone = _folded(Renderer().render(Journey.begin(knee), "text", width=80))
    assert "This is for recovery at home." in everyone


def test_a_bare_label_is_never_put_inside_a_sentence(diabetes: Pathway) -> None:
    """Without phrases, a label stands after a colon: 'Showing: People who do not have
    diabetes', 'Only for: Adults aged 18 to 74', never 'about People who ...'."""
    narrowed = Journey.begin(diabetes, {"group": "family"}, at="results")
    everyone = Journey.begin(diabetes, at="results")
    renderer = Renderer()
    for fmt in ("text", "markdown", "html"):
        shown = _folded(re.sub(r"<[^>]+>", "", renderer.render(narrowed, fmt, width=80)))
        assert "Showing: People who do not have diabetes" in shown, fmt
        assert "about People" not in shown, fmt
        steps = _folded(re.sub(r"<[^>]+>", "", renderer.render(everyone, fmt, width=80)))
        assert re.search(r"only for: Adults aged 18 to 74", steps, re.IGNORECASE), fmt
        assert "for Adults" not in steps.replace("only for: Adults", ""), fmt
    with TestClient(create_app(pathway=diabetes)) as client:
        start = _folded(re.sub(r"<[^>]+>", "", client.get("/").text))
        page = _folded(re.sub(r"<[^>]+>", "", client.get(f"/j/{everyone.token}").text))
    assert "information for People" not in start
    assert "Only for: Adults aged 18 to 74" in page


# --------------------------------------------------------------------------- pairs

_NOT_TEXT = {
    "id", "trigger", "source", "dest", "start", "terms", "when", "default", "url",
    "accessed", "reviewed", "next_review", "phone", "hedge", "language", "count", "out_of",
    "percent", "end", "step",
}  # fmt: skip


def _marked(value: Any, marker: str, key: str = "") -> Any:
    """A document with ``marker`` before every text a reader can see."""
    if isinstance(value, dict):
        return {k: v if k in _NOT_TEXT else _marked(v, marker, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v, marker, key) for v in value]
    if isinstance(value, str):
        return f"{marker} {value}"
    return value


@st.composite
def pathway_pairs(draw: st.DrawFn) -> tuple[Pathway, Pathway]:
    """Two pathways whose every text carries its own marker, under the same id and, where
    the shapes allow, the same state ids: nothing may be looked up by id alone."""
    first = draw(valid_documents())
    second = draw(valid_documents())
    second["metadata"]["id"] = first["metadata"]["id"]
    return (
        Pathway.model_validate(_marked(first, "qqalpha")),
        Pathway.model_validate(_marked(second, "qqbeta")),
    )


def _everything(pathway: Pathway, renderer: Renderer, client: TestClient) -> Iterator[str]:
    for _, text in outputs(pathway, renderer):
        yield text
    for _, text in web_pages(client, pathway):
        yield text


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pathway_pairs())
def test_two_pathways_never_show_each_others_text(pair: tuple[Pathway, Pathway]) -> None:
    """Rendered side by side (one renderer, two apps, in turn), neither pathway's pages,
    formats, exports or static site ever show text of the other."""
    first, second = pair
    renderer = Renderer()
    with (
        TestClient(create_app(pathway=first)) as one,
        TestClient(create_app(pathway=second)) as two,
    ):
        for _ in range(2):  # a second round meets whatever the first one kept
            shown = list(_everything(first, renderer, one))
            assert all("qqalpha" in text for text in shown)  # its own text is there
            assert not any("qqbeta" in text for text in shown)
            shown = list(_everything(second, renderer, two))
            assert all("qqbeta" in text for text in shown)
            assert not any("qqalpha" in text for text in shown)
    with tempfile.TemporaryDirectory() as folder:
        for pathway, other in ((first, "qqbeta"), (second, "qqalpha")):
            site = Path(folder) / pathway.metadata.title[:8].replace("/", "_")
            build_site(pathway, site)
            for file in site.rglob("*.html"):
                assert other not in file.read_text(encoding="utf-8"), file


def test_the_cli_runs_every_command_on_another_pathway(tmp_path: Path) -> None:
    """validate, show, graph, export and lint work on an invented pathway with no flags."""
    path = str(OWN[0])
    runner = CliRunner()
    for args in (
        ["validate", path],
        ["show", "--pathway", path, "--no-cache"],
        ["graph", "--pathway", path],
        ["export", "json", "--pathway", path],
        ["export", "scxml", "--pathway", path],
        ["export", "xstate", "--pathway", path],
        ["lint", path],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        assert shipped_words_in(result.output) == [], args
    data = json.loads(runner.invoke(main, ["export", "json", "--pathway", path]).output)
    assert data["id"] == load_pathway(OWN[0]).metadata.id


def test_content_inside_our_sentences_is_isolated(knee: Pathway) -> None:
    """Text from the document that sits inside the page's own left-to-right sentences is
    isolated (<bdi>), and a title takes its own direction (dir="auto"), so right-to-left
    content can neither be reordered by nor reorder the words around it."""
    narrowed = Journey.begin(knee, {"setting": "home"})
    page = Renderer().render(narrowed, "html")
    assert "Showing information about <bdi>recovery at home</bdi>." in page
    assert f'<h1 dir="auto">{knee.state(knee.start).title}</h1>' in page
    assert f"<bdi>{knee.support_line.name}</bdi>" in page
    with TestClient(create_app(pathway=knee)) as client:
        web = client.get(f"/j/{narrowed.token}").text
    assert f'<h1 dir="auto">{knee.state(knee.start).title}</h1>' in web
    assert "<strong><bdi>Recovery at home</bdi></strong>" in web


# --------------------------------------------------------------------------- the docs

DOCS = [ROOT / "docs" / "lint-settings.md", ROOT / "docs" / "many-pathways.md"]
_BLOCK = re.compile(r"```yaml\n# in tests/data/pathways/(\S+)\n(.*?)```", re.S)


def _doc_examples() -> list[tuple[str, str, str]]:
    return [
        (doc.name, name, block)
        for doc in DOCS
        for name, block in _BLOCK.findall(doc.read_text(encoding="utf-8"))
    ]


def _merged(base: Any, part: Any) -> Any:
    if isinstance(base, dict) and isinstance(part, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in part.items()}}
    return part


def test_every_yaml_example_in_the_docs_names_its_pathway() -> None:
    """Each YAML block of the docs says which test pathway it belongs to, so it is run."""
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert text.count("```yaml\n") == len(_BLOCK.findall(text)) > 0, doc.name


@pytest.mark.parametrize(
    ("doc", "name", "block"), _doc_examples(), ids=lambda v: v if v.endswith(".md") else ""
)
def test_the_docs_examples_validate_and_lint_clean(doc: str, name: str, block: str) -> None:
    """Each example, put into its pathway, validates and lints with no flags and no error."""
    import yaml

    from pathways.lint import LintConfig, lint_document
    from pathways.loader import parse_document
    from strategies import dump_yaml

    path = Path(__file__).parent / "data" / "pathways" / name
    data = _merged(yaml.safe_load(path.read_text(encoding="utf-8")), yaml.safe_load(block))
    document = parse_document(dump_yaml(data), f"{doc} example")
    report = lint_document(document, LintConfig())
    assert [str(f) for f in report.findings if f.severity == "error"] == []
