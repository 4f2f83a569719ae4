"""The ``pathways`` command line, through click's runner and as the installed script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from htmltree import parse
from paths import DATA, MINIMAL
from pathways import __version__
from pathways.cli import main
from pathways.options import UNREAD_PURPOSE
from pathways.schema import Pathway
from pathways.templating import number_words

SCRIPT = Path(sys.executable).parent / "pathways"
HEAVY = ("pydantic", "jinja2", "transitions", "yaml")


@pytest.fixture(autouse=True)
def _no_chosen_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of the person running the tests does not choose the pathway."""
    monkeypatch.delenv("PATHWAYS_FILE", raising=False)
    monkeypatch.delenv("PATHWAYS_TEMPLATES", raising=False)
    monkeypatch.setenv("COLUMNS", "80")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def _folded(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the command


def test_help_states_the_intended_purpose(real: Pathway) -> None:
    """`pathways --help` says what this is and gives the built-in pathway's own statement,
    word for word, read from its file (code holds no clinical text)."""
    result = run("--help")
    assert result.exit_code == 0
    assert _folded(real.metadata.intended_purpose) in _folded(result.output)
    assert "not medical advice" in _folded(result.output)


def test_help_states_the_purpose_of_the_pathway_in_use(minimal: Pathway, real: Pathway) -> None:
    """With $PATHWAYS_FILE, --help gives that document's statement, not the built-in one's."""
    result = run("--help", env={"PATHWAYS_FILE": str(MINIMAL)})
    assert result.exit_code == 0
    shown = _folded(result.output)
    assert _folded(minimal.metadata.intended_purpose) in shown
    assert _folded(real.metadata.intended_purpose) not in shown


@pytest.mark.parametrize(
    "args",
    [
        ["show", "--pathway", str(MINIMAL), "--help"],
        ["walk", f"--pathway={MINIMAL}", "--help"],
        ["export", "json", "--help", "--pathway", str(MINIMAL)],
    ],
)
def test_a_commands_help_states_the_purpose_of_its_pathway(
    args: list[str], minimal: Pathway, real: Pathway
) -> None:
    """A command's --help ends with the statement of the pathway it would use: the one
    --pathway names, wherever it stands on the line, else the built-in one."""
    result = run(*args)
    assert result.exit_code == 0
    shown = _folded(result.output)
    assert _folded(minimal.metadata.intended_purpose) in shown
    assert _folded(real.metadata.intended_purpose) not in shown
    plain = run(*[a for a in args if a != str(MINIMAL) and "--pathway" not in a])
    assert _folded(real.metadata.intended_purpose) in _folded(plain.output)


def test_help_without_a_readable_statement_points_to_the_pages(tmp_path: Path) -> None:
    """A pathway whose statement cannot be read plainly (here: no file at all) gets a
    neutral sentence that says where the statement is, never another pathway's."""
    missing = tmp_path / "nowhere.yaml"
    result = run("--help", env={"PATHWAYS_FILE": str(missing)})
    assert result.exit_code == 0
    unspaced = "".join(result.output.split())  # the wrap may break the path at a hyphen
    assert "".join(UNREAD_PURPOSE.format(path=missing).split()) in unspaced
    assert "not medical advice" not in _folded(result.output)


def test_version_prints_the_version() -> None:
    """`pathways --version` prints the package version."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"pathways, version {__version__}\n"


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["show", "--help"]])
def test_help_and_version_load_no_heavy_library(args: list[str]) -> None:
    """--help and --version start quickly: pydantic, jinja2, transitions and yaml stay unloaded."""
    code = (
        "import sys\n"
        "from pathways.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines()[-1] == "[]"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
        else:
            found.append((f"{prefix}{name}", command))
    return found


# `import` commands make a pathway document from another format: none is read or rendered.
@pytest.mark.parametrize(
    ("name", "command"),
    [c for c in _commands(main) if not c[0].startswith("import ")],
    ids=lambda x: str(x),
)
def test_every_command_takes_pathway_and_templates(name: str, command: click.Command) -> None:
    """Every subcommand that uses a pathway accepts --pathway FILE and --templates DIR."""
    options = {opt for param in command.params for opt in param.opts}
    assert {"--pathway", "--templates"} <= options, name


RENDERS_NOTHING = [
    ["graph"],
    ["export", "json"],
    ["export", "mermaid"],
    ["export", "dot"],
    ["export", "scxml"],
    ["export", "xstate"],
    ["export", "fhir"],
    ["export", "json-schema"],
    ["schema"],
]


@pytest.mark.parametrize("args", RENDERS_NOTHING, ids=" ".join)
def test_templates_on_a_command_that_renders_none_is_said_to_do_nothing(
    args: list[str], tmp_path: Path
) -> None:
    """--templates on a command that renders no templates is accepted, changes nothing in
    its output and says so once on stderr, instead of being silently ignored."""
    plain = run(*args)
    given = run(*args, "--templates", str(tmp_path))
    assert given.exit_code == plain.exit_code == 0
    assert given.stdout == plain.stdout
    assert "--templates has no effect" not in plain.stderr
    assert (
        given.stderr.count(f"note: --templates has no effect on `pathways {' '.join(args)}`") == 1
    )


# --------------------------------------------------------------------------- validate


def test_validate_reports_states_and_transitions(real: Pathway) -> None:
    """`pathways validate` on the built-in pathway prints its size and exits 0."""
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"ok: {len(real.states)} states, {len(real.transitions)} transitions\n"
    )


def test_validate_takes_a_file_or_the_pathway_option() -> None:
    """A FILE argument, --pathway and $PATHWAYS_FILE each choose the document."""
    expected = "ok: 4 states, 4 transitions\n"
    assert run("validate", str(MINIMAL)).stdout == expected
    assert run("validate", "--pathway", str(MINIMAL)).stdout == expected
    assert run("validate", env={"PATHWAYS_FILE": str(MINIMAL)}).stdout == expected


def test_validate_prints_each_problem_at_its_place_and_exits_1() -> None:
    """A broken document prints file:line:col, the problem and a hint, on stderr, exit 1."""
    result = run("validate", str(DATA / "invalid" / "dead_end.yaml"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.search(r"dead_end\.yaml:\d+:\d+: state 'remission' has no way on", result.stderr), (
        result.stderr
    )
    assert "\n  hint: " in result.stderr
    assert "Traceback" not in result.output


def test_validate_renders_every_state_with_the_chosen_templates(tmp_path: Path) -> None:
    """validate finds a user template that breaks, naming its file and line."""
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "state.html").write_text(
        '{% extends "html/_base.html" %}\n{% block content %}\n{{ titel }}\n{% endblock %}\n'
    )
    result = run("validate", str(MINIMAL), "--templates", str(tmp_path))
    assert result.exit_code == 1
    assert f"{(tmp_path / 'html' / 'state.html').resolve()}:3:1:" in result.stderr
    assert "titel" in result.stderr


# --------------------------------------------------------------------------- show


def test_show_prints_the_start_as_text_by_default(real: Pathway) -> None:
    """`pathways show` prints the start state as text with purpose and support."""
    result = run("show")
    assert result.exit_code == 0
    assert real.state(real.start).title in result.stdout
    assert _folded(real.metadata.intended_purpose) in _folded(result.stdout)
    assert real.support_line.phone in result.stdout
    too_wide = [line for line in result.stdout.splitlines() if len(line) > 80 and "://" not in line]
    assert not too_wide  # only a line holding an address may run past 80 (it cannot break)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_show_prints_a_state_in_each_format(fmt: str) -> None:
    """`pathways show STATE --format F` prints that state in that format."""
    result = run("show", "reinduction", "--format", fmt, "--pathway", str(MINIMAL))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout)["id"] == "reinduction"
    elif fmt == "html":
        assert result.stdout.startswith("<!doctype html>")
        assert parse(result.stdout).find("html").find("body")
        assert result.stdout.rstrip().endswith("</html>")
    assert "Treatment to bring back remission" in result.stdout


def test_show_an_unknown_state_suggests_the_closest() -> None:
    """An unknown state exits 1 with a did-you-mean and the states there are."""
    result = run("show", "relapsed", "--pathway", str(MINIMAL))
    assert result.exit_code == 1
    assert "did you mean 'relapse'" in result.stderr
    assert "allowed: relapse, reinduction, remission, palliative_care" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("given", "allowed"),
    [("philadelphia=maybe", "allowed: any, positive"), ("type=positive", "allowed: philadelphia")],
    ids=["value", "name"],
)
def test_show_an_unknown_context_lists_the_allowed(given: str, allowed: str) -> None:
    """An unknown context name or value exits 1 and lists what is allowed."""
    result = run("show", "--context", given, "--pathway", str(MINIMAL))
    assert result.exit_code == 1
    assert allowed in result.stderr


def test_show_a_malformed_context_is_a_usage_error() -> None:
    """--context without NAME=VALUE is a usage error (exit 2)."""
    result = run("show", "--context", "positive", "--pathway", str(MINIMAL))
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


def test_show_with_a_context_narrows_the_steps() -> None:
    """With a context, steps for that topic lose their 'for ...' note."""
    everyone = run("show", "--pathway", str(MINIMAL)).stdout
    positive = run("show", "--pathway", str(MINIMAL), "--context", "philadelphia=positive").stdout
    assert "Only for: Philadelphia positive ALL" in everyone  # a label: no phrase given
    assert "Only for: Philadelphia positive ALL" not in positive
    assert "Treatment with a different TKI" in positive


def test_show_uses_the_templates_option_and_variable(tmp_path: Path) -> None:
    """--templates and $PATHWAYS_TEMPLATES choose a folder that overrides one template."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "state.txt").write_text(
        '{% extends "text/_base.txt" %}{% block content %}CUSTOM {{ id }}{% endblock %}'
    )
    by_option = run("show", "--pathway", str(MINIMAL), "--templates", str(tmp_path))
    by_env = run("show", "--pathway", str(MINIMAL), env={"PATHWAYS_TEMPLATES": str(tmp_path)})
    for result in (by_option, by_env):
        assert result.exit_code == 0
        assert "CUSTOM relapse" in result.stdout
    md = run(
        "show", "--pathway", str(MINIMAL), "--templates", str(tmp_path), "--format", "markdown"
    )
    assert "CUSTOM" not in md.stdout


def test_a_missing_pathway_file_is_a_clean_error(tmp_path: Path) -> None:
    """A --pathway that does not exist exits 1 with a message and a hint."""
    result = run("show", "--pathway", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert "there is no pathway file" in result.stderr
    assert "hint:" in result.stderr


# --------------------------------------------------------------------------- walk


def _screens(output: str) -> list[str]:
    """The 'Your path so far' lines of a walk, in order, unwrapped."""
    lines = output.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Your path so far: "):
            text = line
            for more in lines[i + 1 :]:
                if not more.startswith("  "):
                    break
                text += " " + more.strip()
            found.append(text.removeprefix("Your path so far: "))
    return found


def test_walk_steps_back_and_quits() -> None:
    """Piped '1, 1, b, q' takes two steps, goes back one and quits with exit 0."""
    result = run("walk", "--pathway", str(MINIMAL), input="1\n1\nb\nq\n")
    assert result.exit_code == 0, result.output
    assert _screens(result.stdout) == [
        "The leukaemia has come back",
        "The leukaemia has come back > Treatment to bring back remission",
        "The leukaemia has come back > Treatment to bring back remission > Remission",
        "The leukaemia has come back > Treatment to bring back remission",
    ]
    assert "Goodbye." in result.stdout
    assert result.stdout.splitlines()[-1] == "Phone: 0808 2080 888"


def test_a_long_walk_says_earlier_pages_are_not_shown() -> None:
    """Past the bound (MAX_PATH places) the path so far keeps the last places and says
    that earlier ones are not shown, rather than pretending the walk began there."""
    from pathways.journey import MAX_PATH

    result = run("walk", input="1\n" * (MAX_PATH + 5) + "q\n")
    assert result.exit_code == 0, result.output
    screens = _screens(result.stdout)
    assert not any("earlier pages" in screen for screen in screens[:MAX_PATH])
    last = screens[-1]
    note = f"(earlier pages not shown: only the last {MAX_PATH} are kept) > "
    assert last.startswith(note)
    assert len(last.removeprefix(note).split(" > ")) == MAX_PATH


def test_walk_shows_each_page_with_purpose_and_numbered_steps(minimal: Pathway) -> None:
    """Each page of a walk has the purpose statement and 'What might happen next' numbered."""
    result = run("walk", "--pathway", str(MINIMAL), input="q\n")
    assert _folded(minimal.metadata.intended_purpose) in _folded(result.stdout)
    assert "What might happen next" in result.stdout
    assert re.search(r"^ 1\. Treatment is repeated$", result.stdout, re.M)
    assert re.search(r"^ 3\. Palliative care$", result.stdout, re.M)


def test_walk_ends_cleanly_at_the_end_of_input() -> None:
    """End of input without q quits with exit 0 and a goodbye."""
    result = run("walk", "--pathway", str(MINIMAL), input="1\n")
    assert result.exit_code == 0
    assert "Goodbye." in result.stdout


@pytest.mark.parametrize("typed", ["7", "hello", "0"])
def test_walk_answers_bad_input_gently_and_asks_again(typed: str) -> None:
    """Input that is not a choice gets a gentle message and the prompt again."""
    result = run("walk", "--pathway", str(MINIMAL), input=f"{typed}\nq\n")
    assert result.exit_code == 0
    assert "Type 1, 2 or 3 to read about a step, or ? for help." in _folded(result.stdout)
    assert re.search(r"(Sorry|There is no step)", result.stdout)
    assert result.stdout.count("Type 1, 2 or 3, or ? for help: ") == 2
    assert len(_screens(result.stdout)) == 2


def test_walk_says_so_at_an_end_point_and_offers_back_restart_quit() -> None:
    """At an end point the walk says so; a number is refused; back, restart and quit work."""
    result = run("walk", "--pathway", str(MINIMAL), input="3\n1\nr\nb\nq\n")
    assert result.exit_code == 0
    out = result.stdout
    assert "This is an end point of this pathway." in out
    assert "Type b (back), r (start again) or q (quit): " in out
    assert "There are no more steps from here." in out
    assert _screens(out) == [
        "The leukaemia has come back",
        "The leukaemia has come back > Palliative care",
        "The leukaemia has come back > Palliative care",
        "The leukaemia has come back",
        "The leukaemia has come back",
    ]
    assert "there is no step to go back to" in out


def test_walk_help_and_more() -> None:
    """? shows how to use the walk; m shows the full page with facts and sources."""
    result = run("walk", "--pathway", str(MINIMAL), "--start", "reinduction", input="?\nm\nq\n")
    assert result.exit_code == 0
    assert result.stdout.count("How to use this:") == 2
    assert "Facts and figures" in result.stdout
    assert "Source: Acute lymphoblastic leukaemia (ALL) relapse" in result.stdout


def test_walk_shows_the_figures_at_each_step_without_asking(real: Pathway) -> None:
    """Each step's figures, with whom they are about, are on its screen before m is
    typed, and no line is wider than 80 columns."""
    result = run("walk", "--start", "reinduction", input="q\n")
    assert result.exit_code == 0, result.output
    out = _folded(result.stdout)
    assert "In numbers" in result.stdout
    for fact in real.state("reinduction").facts:
        if fact.number is not None:
            assert _folded(number_words(fact.number)).casefold() in out.casefold()
    assert real.metadata.scope is not None
    assert _folded(real.metadata.scope.text) in out
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_walk_with_a_context_shows_only_that_topic() -> None:
    """A walk with a context leaves out the 'for ...' notes of that topic's steps."""
    result = run(
        "walk", "--pathway", str(MINIMAL), "--context", "philadelphia=positive", input="q\n"
    )
    assert result.exit_code == 0
    assert "This is for" not in result.stdout


def test_walk_from_an_unknown_state_is_a_clean_error() -> None:
    """--start with an unknown state exits 1 with a did-you-mean."""
    result = run("walk", "--pathway", str(MINIMAL), "--start", "remision", input="q\n")
    assert result.exit_code == 1
    assert "did you mean 'remission'" in result.stderr


# --------------------------------------------------------------------------- graph, export


@pytest.mark.parametrize(("fmt", "first"), [("mermaid", "flowchart TD"), ("dot", "digraph")])
def test_graph_prints_a_diagram(fmt: str, first: str) -> None:
    """`pathways graph` prints Mermaid by default and DOT on request, highlight marked."""
    args = ["graph", "--pathway", str(MINIMAL), "--highlight", "remission"]
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout.startswith(first)
    assert "You are here" in result.stdout


def test_graph_with_an_unknown_highlight_exits_1() -> None:
    """Highlighting an unknown state is a clean error with a did-you-mean."""
    result = run("graph", "--pathway", str(MINIMAL), "--highlight", "relaps")
    assert result.exit_code == 1
    assert "did you mean 'relapse'" in result.stderr


def test_graph_with_a_bad_context_exits_1() -> None:
    """A context value that does not exist is a clean error listing the allowed values."""
    result = run("graph", "--pathway", str(MINIMAL), "--context", "philadelphia=no")
    assert result.exit_code == 1
    assert "allowed: any, positive" in result.stderr


def test_export_json_to_the_screen_and_to_a_file(tmp_path: Path) -> None:
    """`pathways export json` prints the pathway as JSON, or writes it with --out."""
    printed = run("export", "json", "--pathway", str(MINIMAL))
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["id"] == "minimal"
    out = tmp_path / "minimal.json"
    written = run("export", "json", "--pathway", str(MINIMAL), "--out", str(out))
    assert written.exit_code == 0
    assert written.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(printed.stdout)


def test_export_to_a_place_that_cannot_be_written_exits_1(tmp_path: Path) -> None:
    """--out into a missing folder is a clean error, not a traceback."""
    result = run("export", "json", "--out", str(tmp_path / "no" / "such" / "x.json"))
    assert result.exit_code == 1
    assert "Could not open file" in result.stderr
    assert "Traceback" not in result.output


def test_export_lists_its_formats() -> None:
    """`pathways export --help` lists json as a format."""
    result = run("export", "--help")
    assert result.exit_code == 0
    assert re.search(r"^\s+json\s", result.stdout, re.M)


# --------------------------------------------------------------------------- the script


def _script(*args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATHWAYS_")}
    env["COLUMNS"] = "80"
    return subprocess.run(
        [str(SCRIPT), *args], input=input, capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs `pip install -e .` into the venv")
def test_installed_script_walks_with_piped_input(real: Pathway) -> None:
    """`printf '1\\n1\\nb\\nq\\n' | pathways walk` works as an installed script."""
    result = _script("walk", input="1\n1\nb\nq\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    screens = _screens(result.stdout)
    assert len(screens) == 4
    assert screens[1] == screens[3]
    assert screens[0] == real.state(real.start).title
    assert result.stdout.splitlines()[-1] == f"Phone: {real.support_line.phone}"


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs `pip install -e .` into the venv")
def test_installed_script_validates_and_fails_cleanly() -> None:
    """The installed script validates the built-in pathway, and fails cleanly on a bad one."""
    ok = _script("validate")
    assert ok.returncode == 0
    assert ok.stdout.startswith("ok: ")
    bad = _script("validate", str(DATA / "invalid" / "dead_end.yaml"))
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "hint:" in bad.stderr


def test_serve_with_a_broken_web_template_stops_with_its_place(tmp_path: Path) -> None:
    """A broken web template stops `serve` before it listens: file:line, exit 1, no traceback."""
    (tmp_path / "web").mkdir()
    broken = tmp_path / "web" / "state.html"
    broken.write_text('{% extends "web/_base.html" %}\n{% block main %}{{ oops( }}{% endblock %}\n')
    result = run("serve", "--templates", str(tmp_path), "--port", "1")
    assert result.exit_code == 1
    assert f"{broken}:2:" in result.output
    assert "Traceback" not in result.output
