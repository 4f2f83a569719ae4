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
    """For any argument list, an early answer means click would read exactly the same."""
    ours = launch.parse_show(["show", *tokens])
    if ours is not None:
        assert ours == click_reading(tokens)
