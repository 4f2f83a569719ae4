"""The README stays true: its pathway example is valid and its promises are kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pathways.loader import parse_pathway
from pathways.schema import check_pathway

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)


def test_readme_says_what_pathways_is_not() -> None:
    """The README opens by saying pathways is not medical advice."""
    opening = TEXT.split("## ", 1)[0]
    assert "not medical advice" in opening


def test_readme_gives_the_two_commands_first() -> None:
    """The first section gives one command to run pathways and one to test it."""
    first_section = TEXT.split("## ")[1]
    assert first_section.startswith("Two commands")
    assert "make run" in first_section and "make test" in first_section


@pytest.mark.parametrize("block", _blocks("yaml")[:1], ids=["write-your-own-pathway"])
def test_pathway_example_is_valid(block: str) -> None:
    """The example pathway in 'Write your own pathway' validates cleanly."""
    pathway = parse_pathway(block, "README.md")
    assert check_pathway(pathway) == []
    assert [s.id for s in pathway.states] == ["after_treatment", "remission", "talk_to_team"]


def test_makefile_targets_named_in_readme_exist() -> None:
    """Every `make TARGET` the README names is a target of the Makefile."""
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    commands = "\n".join(_blocks("sh"))
    named = set(re.findall(r"^make ([a-z-]+)", commands, re.M))
    named |= set(re.findall(r"`make ([a-z-]+)`", TEXT))
    assert {"run", "test"} <= named
    assert named <= targets, named - targets


@pytest.mark.parametrize(
    ("language", "example"),
    [("python", "docs/examples/scxml_host.py"), ("js", "docs/examples/xstate_host.mjs")],
)
def test_host_examples_in_readme_are_the_tested_files(language: str, example: str) -> None:
    """The SCXML and XState host programs shown in the README are the files the tests run."""
    program = (README.parent / example).read_text(encoding="utf-8").strip()
    assert program in [block.strip() for block in _blocks(language)]
