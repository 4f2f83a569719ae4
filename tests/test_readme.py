"""The README and the docs stay true: the pathway example is valid, the promises are kept,
and the README stays a newcomer's page whose links lead somewhere."""

from __future__ import annotations

import re

import pytest

from paths import ROOT
from pathways.checks import check_pathway
from pathways.loader import parse_pathway

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
DOCS = README.parent / "docs"


def _blocks(language: str, text: str = TEXT) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_readme_says_what_pathways_is_not() -> None:
    """The README opens by saying pathways is not medical advice."""
    opening = TEXT.split("## ", 1)[0]
    assert "not medical advice" in opening


def test_readme_gives_the_two_commands_first() -> None:
    """The first section gives one command to run pathways and one to test it."""
    first_section = TEXT.split("## ")[1]
    assert first_section.startswith("Two commands")
    assert "make run" in first_section and "make test" in first_section


@pytest.mark.parametrize(
    "block", _blocks("yaml", _doc("writing.md"))[:1], ids=["write-your-own-pathway"]
)
def test_pathway_example_is_valid(block: str) -> None:
    """The example pathway in 'Write your own pathway' (docs/writing.md) validates cleanly."""
    pathway = parse_pathway(block, "docs/writing.md")
    assert check_pathway(pathway) == []
    assert [s.id for s in pathway.states] == ["after_treatment", "remission", "talk_to_team"]


def test_makefile_targets_named_in_readme_exist() -> None:
    """Every `make TARGET` the README and the docs name is a target of the Makefile."""
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    texts = [TEXT, *(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))]
    commands = "\n".join(block for text in texts for block in _blocks("sh", text))
    named = set(re.findall(r"^make ([a-z-]+)", commands, re.M))
    named |= {n for text in texts for n in re.findall(r"`make ([a-z-]+)`", text)}
    assert {"run", "test"} <= set(re.findall(r"^make ([a-z-]+)", "\n".join(_blocks("sh")), re.M))
    assert named <= targets, named - targets


@pytest.mark.parametrize(
    ("language", "example"),
    [("python", "docs/examples/scxml_host.py"), ("js", "docs/examples/xstate_host.mjs")],
)
def test_host_examples_in_the_docs_are_the_tested_files(language: str, example: str) -> None:
    """The SCXML and XState host programs shown in docs/exports.md are the files the tests
    run."""
    program = (README.parent / example).read_text(encoding="utf-8").strip()
    assert program in [block.strip() for block in _blocks(language, _doc("exports.md"))]


def test_readme_links_lead_to_pages_that_exist() -> None:
    """Every page the README links to (the reference in docs/) is there."""
    links = re.findall(r"\]\(([^)#]+)\)", TEXT)
    assert "docs/commands.md" in links and "docs/architecture.md" in links
    for link in links:
        if "://" not in link:
            assert (README.parent / link).is_file(), link


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_docs_links_lead_to_pages_that_exist(page: str) -> None:
    """Every relative link in a docs page leads to a file that exists."""
    for link in re.findall(r"\]\(([^)#]+)\)", _doc(page)):
        if "://" not in link:
            assert (DOCS / link).resolve().exists(), f"{page}: {link}"


def test_readme_is_a_newcomers_page() -> None:
    """The README stays short: what it is, the two commands, a tour, then links; the
    reference lives in docs/."""
    assert len(TEXT) < 8_000, len(TEXT)
    headings = re.findall(r"^## (.+)$", TEXT, re.M)
    assert headings[:2] == ["Two commands", "A short tour"]
