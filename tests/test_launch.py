"""The entry point reads a plain `pathways show` exactly as click does, or leaves it to click."""

from __future__ import annotations

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathways import cli, launch


def click_reading(args: list[str]) -> launch.ShowArguments | None:
    """How click reads `pathways show ...`, or None if click refuses it."""
    command = cli.main.get_command(click.Context(cli.main), "show")
    assert command is not None
    try:
        context = command.make_context("show", list(args), resilient_parsing=False)
    except click.exceptions.Exit:
        return None
    except click.ClickException:
        return None
    params = context.params
    if params["no_cache"]:
        return None
    return launch.ShowArguments(
        state=params["state"],
        fmt=params["fmt"],
        context=params["context"],
        pathway_file=params["pathway_file"],
        templates_dir=params["templates_dir"],
    )


def test_the_formats_are_the_commands_formats() -> None:
    """The launcher knows the same formats as `pathways show`."""
    assert launch.TEXT_FORMATS == cli.TEXT_FORMATS


@pytest.mark.parametrize(
    "args",
    [
        ["show"],
        ["show", "relapse"],
        ["show", "relapse", "--format", "json"],
        ["show", "--format=markdown", "relapse"],
        ["show", "--context", "philadelphia=positive", "relapse"],
        ["show", "--context= philadelphia = negative ", "--context", "x=y"],
        ["show", "--pathway", "p.yaml", "--templates", "t"],
        ["show", "--pathway=p.yaml", "--templates=t", "relapse", "--format", "html"],
    ],
)
def test_plain_show_lines_are_read_as_click_reads_them(args: list[str]) -> None:
    """Each plain form gives the same state, format, topics and files as click."""
    ours = launch.parse_show(args)
    assert ours is not None
    assert ours == click_reading(args[1:])


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["walk"],
        ["show", "--help"],
        ["show", "-h"],
        ["show", "--no-cache"],
        ["show", "a", "b"],
        ["show", "--format", "TEXT"],
        ["show", "--format"],
        ["show", "--format", "text", "--format", "json"],
        ["show", "--context", "x"],
        ["show", "--context", "x=1", "--context", "x=2"],
        ["show", "--", "relapse"],
        ["show", "--pathway", "-x"],
        ["show", "--pathway", ""],
        ["show", "--form", "json"],
        ["show", ""],
        ["show", "-"],
    ],
)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    """Help, --no-cache, repeats, errors and unknown options are not answered early."""
    assert launch.parse_show(args) is None


TOKENS = st.sampled_from(
    [
        "relapse",
        "remission",
        "--format",
        "--format=json",
        "json",
        "text",
        "--context",
        "philadelphia=positive",
        "--context=a=b",
        "a=",
        "--pathway",
        "--templates",
        "p.yaml",
        "--no-cache",
        "--",
        "-",
        "",
        "--help",
        "=",
    ]
)


@given(st.lists(TOKENS, max_size=7))
def test_whatever_the_launcher_accepts_click_reads_the_same(tokens: list[str]) -> None:
    """For any argument list, the launcher either leaves it to click or reads it exactly
    as click does."""
    ours = launch.parse_show(["show", *tokens])
    assert ours is None or ours == click_reading(tokens)


_WORDS = st.sampled_from(["relapse", "remission", "p.yaml", "t", "a b", "x.yaml"])


@st.composite
def plain_forms(draw: st.DrawFn) -> list[str]:
    """A plain `show` line: a state or none, each option at most once (a context once per
    topic), as `--name value` or `--name=value`, in any order."""
    parts: list[list[str]] = []
    if draw(st.booleans()):
        parts.append([draw(_WORDS)])
    options = {
        "--format": st.sampled_from(launch.TEXT_FORMATS),
        "--pathway": _WORDS,
        "--templates": _WORDS,
    }
    for name, values in options.items():
        if draw(st.booleans()):
            parts.append(_option(draw, name, draw(values)))
    topics = draw(st.lists(st.sampled_from(["philadelphia", "age", "x"]), unique=True))
    for topic in topics:
        parts.append(_option(draw, "--context", f"{topic}={draw(_WORDS)}"))
    order = draw(st.permutations(range(len(parts))))
    return ["show", *(token for i in order for token in parts[i])]


def _option(draw: st.DrawFn, name: str, value: str) -> list[str]:
    return [f"{name}={value}"] if draw(st.booleans()) else [name, value]


@given(plain_forms())
def test_every_plain_form_is_answered_as_click_reads_it(args: list[str]) -> None:
    """Every plain `show` line is answered early, with what click reads from it."""
    ours = launch.parse_show(args)
    assert ours is not None, args
    assert ours == click_reading(args[1:])
