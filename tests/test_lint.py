"""pathways lint and pathways schema: each rule finds what CONTENT.md forbids and lets
information through; the report names file:line:col; the schema matches the documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from pathlib import Path

import jsonschema
import pytest
import textstat
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from linting import FIXTURES, LINT_DAY, LOAD_DAY, edit, lint_fixture, lint_text
from paths import DATA, MINIMAL
from pathways import resources
from pathways.cli import main
from pathways.errors import Location
from pathways.lint import (
    RULES,
    SCHEMA_TITLE,
    Document,
    LintConfig,
    Scorer,
    document_schema,
    find_advice,
    format_json,
    format_text,
    frequencies,
    lint_document,
    load_data,
    number_syllables,
    split_sentences,
    template_files,
    visible_template_text,
    words_of,
)
from pathways.loader import load_document, parse_document
from pathways.schema import Pathway
from schema_walk import TextField, add_optional_parts, fill_texts, text_fields
from strategies import dump_yaml

RULE_IDS = sorted(RULES)


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    """The scorer the shipped pathway is linted with: packaged counts and its own."""
    data = load_data()
    own = load_document(resources.default_pathway_file()).pathway.lint.syllables
    return Scorer({**data.syllables, **own}, data.spelling)


# --------------------------------------------------------------------------- fixtures


def test_every_rule_has_a_failing_and_a_passing_example() -> None:
    """Each rule has <rule>_fail.yaml with its .expected, and <rule>_pass.yaml."""
    for rule_id in RULE_IDS:
        for suffix in ("_fail.yaml", "_fail.expected", "_pass.yaml"):
            assert (FIXTURES / f"{rule_id}{suffix}").is_file(), f"{rule_id}{suffix}"
    names = {p.name.split("_")[0] for p in FIXTURES.glob("*_*.yaml")}
    assert names == set(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_failing_example_gives_exactly_the_expected_findings(
    rule_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule's failing example gives exactly the findings in its .expected, each as an
    author reads it: file:line:col, rule, severity, message and hint."""
    monkeypatch.chdir(FIXTURES)  # template files are reported relative to the working folder
    templates = (Path("templates"),) if rule_id == "advice" else ()
    report = lint_fixture(f"{rule_id}_fail", rules=[rule_id], templates=templates)
    expected = (FIXTURES / f"{rule_id}_fail.expected").read_text(encoding="utf-8")
    assert "".join(f"{finding}\n" for finding in report.findings) == expected
    assert format_text(report).endswith(f"\n\n{expected}{report.summary}\n")


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_passing_example_has_no_findings(rule_id: str) -> None:
    """A rule's passing example, worded close to the line, gives that rule nothing to say."""
    assert lint_fixture(f"{rule_id}_pass", rules=[rule_id]).findings == ()


def test_clean_example_passes_every_rule() -> None:
    """The clean example passes all rules at once: no errors and no warnings."""
    report = lint_fixture("clean")
    assert [str(f) for f in report.findings] == []
    assert report.ok


def test_shipped_pathway_has_no_errors() -> None:
    """The built-in pathway and templates pass the lint (warnings allowed)."""
    document = load_document(resources.default_pathway_file())
    config = LintConfig(templates_dirs=(resources.default_templates_dir(),))
    report = lint_document(document, config)
    errors = [str(f) for f in report.findings if f.severity == "error"]
    assert errors == []


def test_shipped_templates_read_as_information() -> None:
    """No template that ships with pathways holds advice wording."""
    report = lint_fixture("clean", rules=["advice"], templates=[resources.default_templates_dir()])
    assert report.findings == ()


def test_findings_are_sorted_by_file_line_and_column() -> None:
    """Findings come sorted by file, then line, then column."""
    report = lint_fixture("numbers_fail")
    keys = [(f.location.file, f.location.line, f.location.col) for f in report.findings]
    assert keys == sorted(keys)
    assert len(report.findings) > 3


def test_unknown_rule_is_refused() -> None:
    """Asking for a rule that does not exist is an error, not a silent pass."""
    with pytest.raises(ValueError, match="nosuchrule"):
        lint_fixture("clean", rules=["nosuchrule"])


# --------------------------------------------------------------------------- advice


def test_advice_examples_match_and_near_misses_do_not() -> None:
    """Every packaged advice phrase flags its examples and lets its near misses through."""
    data = load_data()
    for entry, phrase in zip(data.raw["advice"], data.advice, strict=True):
        for example in entry["examples"]:
            assert list(find_advice(example, [phrase])), example
        for near in entry.get("near_misses", []):
            assert not list(find_advice(near, [phrase])), near


def test_praise_examples_match_and_near_misses_do_not() -> None:
    """Every packaged praise pattern flags its examples and lets its near misses through;
    the comparison pattern finds each of its examples."""
    data = load_data()
    for entry, pattern in zip(data.raw["praise"], data.praise, strict=True):
        for example in entry["examples"]:
            assert pattern.search(example), example
        for near in entry.get("near_misses", []):
            assert not pattern.search(near), near
    for example in data.raw["praise_comparison"]["examples"]:
        assert data.praise_comparison.search(example), example


@pytest.mark.parametrize(
    "text",
    ["You\u2019ll need to decide", "you'll need to decide", "YOU WILL NEED TO decide"],
)
def test_advice_matches_any_apostrophe_and_case(text: str) -> None:
    """Curly or straight apostrophes and any letter case are all caught."""
    assert list(find_advice(text, load_data().advice))


def test_overlapping_advice_is_reported_once() -> None:
    """Where two phrases overlap ("you'll need to" and "you'll need") one finding is made."""
    assert len(list(find_advice("You'll need to start soon.", load_data().advice))) == 1


def test_advice_matches_whole_words_only() -> None:
    """A phrase inside a longer word ("improvenance") is not advice."""
    assert not list(find_advice("improvenance and guaranteeing", load_data().advice))


def test_document_advice_phrases_extend_the_list() -> None:
    """Phrases under lint.advice_phrases are flagged too, case-insensitively."""
    report = lint_fixture("advice_fail", rules=["advice"])
    assert any("'last resort'" in f.message for f in report.findings)
    assert not any("last resort" in f.message for f in lint_fixture("clean").findings)


def test_template_text_keeps_printed_strings_and_drops_code() -> None:
    """Template strings in {{ }} are read; code, comments, tags and scripts are not."""
    source = (
        '{# you should #}{{ "We recommend" if x }}{% set y = 1 %}\n'
        '<p class="you-should" title="the best choice">Hi</p><script>you should</script>'
    )
    visible = visible_template_text(source, html=True)
    assert "you should" not in visible
    assert "We recommend" in visible
    assert "the best choice" in visible
    assert visible.index("We recommend") == source.index("We recommend")


def test_template_text_hides_what_a_page_never_shows() -> None:
    """An inert <template> element is not read, as a rendered page's visible text leaves
    it out (one rule for both: pathways.markup)."""
    visible = visible_template_text("<template>you should</template><p>Hi</p>", html=True)
    assert "you should" not in visible and "Hi" in visible


@given(st.text(alphabet=st.sampled_from(list("{}#%<>\"'=ab \n-/")), max_size=200))
def test_template_text_keeps_every_offset(source: str) -> None:
    """Blanking hidden parts never moves a character: lengths and line breaks stay put."""
    for html in (True, False):
        visible = visible_template_text(source, html=html)
        assert len(visible) == len(source)
        assert [i for i, c in enumerate(visible) if c == "\n"] == [
            i for i, c in enumerate(source) if c == "\n"
        ]


def test_a_users_template_hides_the_packaged_one_of_the_same_name(tmp_path: Path) -> None:
    """Only the template in use is checked: a user's file replaces the packaged one."""
    mine, packaged = tmp_path / "mine", tmp_path / "packaged"
    for folder in (mine, packaged):
        (folder / "text").mkdir(parents=True)
        (folder / "text" / "state.txt").write_text("x", encoding="utf-8")
    (packaged / "text" / "brief.txt").write_text("x", encoding="utf-8")
    (packaged / "text" / "logo.png").write_bytes(b"\x89PNG")
    found = [file for file, _ in template_files([mine, packaged])]
    assert found == [mine / "text" / "state.txt", packaged / "text" / "brief.txt"]


# --------------------------------------------------------------------------- readability


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("leukaemia", 4),  # British spelling; textstat alone counts 1
        ("haematology", 5),
        ("tumour", 2),
        ("blinatumomab", 5),  # the shipped pathway's override; textstat alone counts 4
        ("Dasatinib", 4),
        ("ALL", 3),  # the illness, read letter by letter
        ("all", 1),  # the word
        ("NHS", 3),
        ("10", 1),
        ("40", 2),
        ("person's", 2),
    ],
)
def test_syllables_are_counted_honestly(scorer: Scorer, word: str, syllables: int) -> None:
    """British spellings, drug names, initialisms and figures get their real syllables."""
    assert scorer.syllables(word) == syllables


def test_spelling_examples_find_the_american_word(scorer: Scorer) -> None:
    """Every packaged spelling rule turns its British examples into the dictionary's word."""
    for entry in load_data().raw["spelling"]:
        for example in entry["examples"]:
            british, american = example.split(":")
            assert scorer.american(british) == american, example


def test_documents_syllables_override_the_packaged_ones() -> None:
    """lint.syllables in the document wins over the packaged list and the dictionary."""
    data = load_data()
    scorer = Scorer({**data.syllables, "blinatumomab": 2, "Zanubrutinib": 5}, data.spelling)
    assert scorer.syllables("blinatumomab") == 2
    assert scorer.syllables("zanubrutinib") == 5


def test_scores_use_textstats_formulas(scorer: Scorer) -> None:
    """On everyday words, the grades equal textstat 0.7.8's own."""
    text = (
        "The cat sat on the warm mat by the door. It was a sunny day in the garden today."
        " Everybody wanted to play outside with the dog."
    )
    figures = scorer.figures("x", [text])
    assert figures.fk_grade == pytest.approx(textstat.flesch_kincaid_grade(text))
    assert figures.smog == pytest.approx(textstat.smog_index(text))


def test_smog_is_scaled_to_thirty_sentences_for_short_texts(scorer: Scorer) -> None:
    """A one-sentence text is scored with the 30-sentence scaling, as textstat 0.7.8 does."""
    figures = scorer.figures("x", ["Remission is here."])
    assert figures.sentences == 1 and figures.polysyllables == 1
    assert figures.smog == pytest.approx(1.043 * math.sqrt(30) + 3.1291)
    assert not figures.smog_sample_ok


def test_sentences_split_at_full_stops_not_at_decimals() -> None:
    """Sentences end at . ! or ? before a space; "2.5" and a text with no stop are one."""
    assert split_sentences("It was 2.5 days. Then? Yes!") == ["It was 2.5 days.", "Then?", "Yes!"]
    assert split_sentences("A title without a stop") == ["A title without a stop"]
    assert words_of("hard-to-treat ALL, isn't it") == ["hard", "to", "treat", "ALL", "isn't", "it"]


@pytest.mark.parametrize(
    ("n", "syllables"), [(0, 2), (7, 2), (11, 3), (40, 2), (77, 5), (100, 3), (140, 6), (1000, 3)]
)
def test_figures_are_read_as_words(n: int, syllables: int) -> None:
    """A figure has the syllables of its British reading ("140": one hundred and forty)."""
    assert number_syllables(n) == syllables


def test_text_report_shows_figures_for_every_state_and_ends_with_the_summary() -> None:
    """The text report tabulates every state and the whole, then 'N errors, M warnings'."""
    report = lint_fixture("readability_fail")
    text = format_text(report)
    for state in ("relapse", "chemo", "trial", "palliative_care", "talk_to_team"):
        assert re.search(rf"^{state}\s+\d+\.\d\s+\d+\.\d\s+\d+\s+\d+$", text, re.M), state
    assert "(whole pathway)" in text
    assert text.splitlines()[-1] == f"{report.errors} errors, {report.warnings} warnings"
    assert "readability_fail.yaml:51:9: readability: error: state 'chemo'" in text


def test_summary_counts_in_words() -> None:
    """The summary line says '1 error' and '1 warning' in the singular."""
    report = lint_fixture("provenance_fail", rules=["provenance"])
    one = dataclasses.replace(report, findings=report.findings[:1])
    assert one.summary == "1 error, 0 warnings"


def test_json_report_lists_findings_and_figures() -> None:
    """--format json gives every finding's fields and the figures of every state."""
    report = lint_fixture("exits_fail")
    data = json.loads(format_json(report))
    assert {f["rule"] for f in data["findings"]} == {"exits"}
    assert set(data["findings"][0]) == {
        "file",
        "line",
        "col",
        "rule",
        "severity",
        "message",
        "hint",
    }
    assert [s["name"] for s in data["readability"]["states"]] == [
        "relapse",
        "chemo",
        "trial",
        "palliative_care",
        "talk_to_team",
    ]
    assert data["readability"]["pathway"]["words"] > 100
    assert (data["errors"], data["warnings"]) == (report.errors, report.warnings)


# --------------------------------------------------------------------------- numbers


def test_relative_risk_examples_are_flagged() -> None:
    """Every packaged relative-risk pattern catches its examples."""
    data = load_data()
    for entry, pattern in zip(data.raw["relative_risk"], data.relative_risk, strict=True):
        for example in entry["examples"]:
            assert pattern.search(example), example


def test_frequencies_are_read_in_figures_and_words() -> None:
    """'4 in 10', 'nine out of ten' and '1 in every 10' are natural frequencies."""
    found = frequencies("around 4 in 10, as many as nine out of ten, 1 in every 10, a 2 in")
    assert [(f.count, f.out_of) for f in found] == [(4, 10), (9, 10), (1, 10)]


# --------------------------------------------------------------------------- provenance


@pytest.mark.parametrize(
    ("days_left", "severity"),
    [(91, None), (90, "warning"), (1, "warning"), (0, "warning"), (-1, "error")],
)
def test_review_date_warns_within_90_days_and_fails_after(
    days_left: int, severity: str | None
) -> None:
    """The next review date warns from 90 days ahead and is an error once it has passed."""
    next_review = dt.date(2099, 12, 31)
    report = lint_fixture(
        "clean", rules=["provenance"], today=next_review - dt.timedelta(days=days_left)
    )
    assert [f.severity for f in report.findings] == ([severity] if severity else [])
    if severity:
        assert str(report.findings[0].location) == "clean.yaml:12:16"


@dataclasses.dataclass(frozen=True)
class _Altered:
    """A document whose pathway was changed after loading, bypassing the loader's checks."""

    pathway: Pathway
    original: Document

    @property
    def filename(self) -> str:
        return self.original.filename

    def locate(self, path: tuple[str | int, ...]) -> Location:
        return self.original.locate(path)


@pytest.mark.parametrize(
    ("change", "location", "message"),
    [
        ({"source": "nowhere"}, "clean.yaml:59:17", "a fact in state 'chemo' cites 'nowhere'"),
        (
            {"section": "Elsewhere"},
            "clean.yaml:60:18",
            "a fact in state 'chemo' cites section 'Elsewhere'",
        ),
    ],
    ids=["source", "section"],
)
def test_uncited_facts_are_findings_even_if_the_loader_missed_them(
    change: dict[str, str], location: str, message: str
) -> None:
    """A fact citing an undeclared source or section is a provenance error at that value."""
    path = FIXTURES / "clean.yaml"
    document = parse_document(path.read_text(encoding="utf-8"), path.name, today=LOAD_DAY)
    pathway = document.pathway
    chemo = pathway.states[1]
    states = list(pathway.states)
    states[1] = chemo.model_copy(update={"facts": (chemo.facts[0].model_copy(update=change),)})
    altered = _Altered(pathway.model_copy(update={"states": tuple(states)}), document)
    report = lint_document(altered, LintConfig(today=LINT_DAY, rules=("provenance",)))
    assert [(str(f.location), f.severity) for f in report.findings] == [(location, "error")]
    assert report.findings[0].message.startswith(message)


# --------------------------------------------------------------------------- exits


def test_talk_to_team_wording_examples_count() -> None:
    """Each packaged way of naming the healthcare team is recognised."""
    data = load_data()
    for example in data.raw["exits"]["examples"]:
        assert data.talk_to_team.search(example), example
    assert not data.talk_to_team.search("This is the end of the pathway.")


def test_the_command_line_overrides_the_documents_states() -> None:
    """With other ids given, the balance and exits rules look for those states instead."""
    path = FIXTURES / "clean.yaml"
    document = parse_document(path.read_text(encoding="utf-8"), path.name, today=LOAD_DAY)
    config = LintConfig(
        today=LINT_DAY,
        rules=("balance", "exits"),
        no_treatment_states=("comfort_care",),
        team_state="ask_us",
    )
    messages = [f.message for f in lint_document(document, config).findings]
    assert any("no state 'comfort_care' exists" in m for m in messages)
    assert any("no step to 'ask_us'" in m for m in messages)


# --------------------------------------------------------------------------- command line


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_cli_lint_fails_on_errors_and_lists_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pathways lint FILE` prints each finding and the summary, and exits 1 on errors."""
    monkeypatch.chdir(FIXTURES)
    code, output = run_cli("lint", "exits_fail.yaml")
    assert code == 1
    assert "exits_fail.yaml:23:12: exits: error: the support line" in output
    assert "\n  hint: " in output
    assert output.splitlines()[-1].startswith("3 errors")


def test_cli_lint_passes_with_warnings_only(tmp_path: Path) -> None:
    """Warnings alone exit 0, and are still printed."""
    text = (
        (FIXTURES / "clean.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "start: relapse",
            "  - id: remission\n    term: remission\n    definition: When tests find no signs.\n"
            "start: relapse",
        )
    )
    (tmp_path / "warn.yaml").write_text(text, encoding="utf-8")
    code, output = run_cli("lint", "--pathway", str(tmp_path / "warn.yaml"))
    assert code == 0, output
    assert "glossary: warning: glossary entry 'remission' is used by no state" in output
    assert output.splitlines()[-1] == "0 errors, 1 warning"


def test_cli_lint_uses_pathways_file_when_no_file_is_given() -> None:
    """Without FILE or --pathway, `pathways lint` lints $PATHWAYS_FILE."""
    code, output = run_cli("lint", env={"PATHWAYS_FILE": str(FIXTURES / "clean.yaml")})
    assert code == 0, output
    assert re.search(r"^talk_to_team\s", output, re.M)
    assert output.splitlines()[-1] == "0 errors, 0 warnings"


def test_cli_lint_reports_a_document_that_does_not_validate(tmp_path: Path) -> None:
    """A document that fails validation prints its problems at file:line:col, exit 1."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (FIXTURES / "clean.yaml")
        .read_text(encoding="utf-8")
        .replace("dest: chemo", "dest: chemoo"),
        encoding="utf-8",
    )
    code, output = run_cli("lint", str(broken))
    assert code == 1
    assert re.search(
        r"broken\.yaml:\d+:\d+: transition 'have_chemo' goes to unknown state"
        r" 'chemoo'",
        output,
    )


def test_cli_lint_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pathways lint --format json` prints findings and figures as JSON."""
    monkeypatch.chdir(FIXTURES)
    code, output = run_cli("lint", "--format", "json", "glossary_fail.yaml")
    data = json.loads(output)
    assert code == 1
    assert data["findings"][0] == {
        "file": "glossary_fail.yaml",
        "line": 41,
        "col": 9,
        "rule": "glossary",
        "severity": "warning",
        "message": "glossary entry 'remission' is used by no state",
        "hint": "remove it, or list it in the terms of the states that use the word",
    }


def test_cli_lint_checks_the_users_templates(tmp_path: Path) -> None:
    """--templates adds the user's templates to what the advice rule reads."""
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "state.txt").write_text(
        "{{ title }}\nYou should read on.\n", encoding="utf-8"
    )
    code, output = run_cli("lint", str(FIXTURES / "clean.yaml"), "--templates", str(tmp_path))
    assert code == 1
    assert re.search(r"state\.txt:2:1: advice: error: 'You should'", output)


# --------------------------------------------------------------------------- schema


def _yaml_as_an_editor_reads_it(path: Path) -> object:
    """YAML data as the YAML language server sees it (YAML 1.2: dates stay text)."""

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_schema_names_its_dialect_and_title() -> None:
    """The schema says it is draft 7 (what the YAML language server supports) and what
    it describes, and is itself a valid draft 7 schema."""
    schema = document_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == SCHEMA_TITLE
    jsonschema.Draft7Validator.check_schema(schema)


def test_schema_uses_no_keyword_newer_than_draft_7() -> None:
    """No keyword from draft 2019-09 or 2020-12 appears, so editors read all of it."""
    newer = {
        "$defs",
        "prefixItems",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "$dynamicRef",
        "$anchor",
        "minContains",
    }
    text = json.dumps(document_schema())
    assert [k for k in sorted(newer) if f'"{k}"' in text] == []
    assert '"$ref": "#/definitions/' in text


@pytest.mark.parametrize(
    "path",
    [
        resources.default_pathway_file(),
        FIXTURES / "clean.yaml",
        FIXTURES / "balance_fail.yaml",
        MINIMAL,
        *sorted((DATA / "pathways").glob("*.yaml")),
    ],
    ids=lambda p: p.name,
)
def test_valid_documents_validate_against_the_schema(path: Path) -> None:
    """The real pathways.yaml and the test documents are valid under the JSON Schema."""
    jsonschema.Draft7Validator(document_schema()).validate(_yaml_as_an_editor_reads_it(path))


def test_schema_refuses_what_the_models_refuse() -> None:
    """An unknown key or a bad id is a schema error, as it is for the loader."""
    data = _yaml_as_an_editor_reads_it(FIXTURES / "clean.yaml")
    assert isinstance(data, dict)
    bad_url = {**data, "sources": [{**data["sources"][0], "url": "javascript:alert(1)"}]}
    bad_phone = {**data, "support": [{**data["support"][0], "phone": "<b>0808</b>"}]}
    for broken in ({**data, "colour": "blue"}, {**data, "start": "Not An Id"}, bad_url, bad_phone):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft7Validator(document_schema()).validate(broken)


def test_cli_schema_prints_and_writes_the_schema(tmp_path: Path) -> None:
    """`pathways schema` prints the schema; --out FILE writes it there."""
    code, output = run_cli("schema")
    assert code == 0
    assert json.loads(output) == document_schema()
    code, _ = run_cli("schema", "--out", str(tmp_path / "schema.json"))
    assert code == 0
    assert json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))["title"] == (
        SCHEMA_TITLE
    )


# --------------------------------------------------------------------------- settings


OWN = DATA / "pathways"


@pytest.mark.parametrize("name", ["knee_recovery", "diabetes_clinic"])
def test_a_pathway_on_another_topic_lints_clean_with_no_flags(name: str) -> None:
    """The lint settings in the document are enough: no errors, no warnings, no flags."""
    code, output = run_cli("lint", str(OWN / f"{name}.yaml"))
    assert code == 0, output
    assert output.splitlines()[-1] == "0 errors, 0 warnings"


def _own(name: str, old: str, new: str) -> str:
    return edit((OWN / f"{name}.yaml").read_text(encoding="utf-8"), old, new)


def test_the_no_treatment_rule_honours_its_topics() -> None:
    """Without lint.no_treatment.when, the knee pathway's choice (offered for recovery at
    home only) is missing for the other topic, and the message names the state and term."""
    text = _own(
        "knee_recovery", "    when: {setting: [home]}\n  treatment_words", "  treatment_words"
    )
    [finding] = lint_text(text, ["balance"]).findings
    assert finding.message == (
        "state 'stiff_knee' offers 2 treatment options (topic: Recovery in a rehabilitation"
        " unit) (more_physio, second_operation) but not living with some stiffness: no step"
        " from it leads to 'living_with_it'"
    )


def test_without_settings_the_choice_not_to_have_treatment_is_asked_for() -> None:
    """A document that names no such state is told where to name it."""
    text = _own("diabetes_clinic", "    states: keep_going\n", "")
    [finding] = lint_text(text, ["balance"]).findings
    assert "but not keeping the same care: the document names no state" in finding.message
    assert "lint: no_treatment: states:" in finding.hint


def test_team_wording_and_team_state_come_from_the_document() -> None:
    """'your diabetes team' counts as the team; without a team state, a state whose title
    names it is the team's; messages name the team as the document does."""
    original = (OWN / "diabetes_clinic.yaml").read_text(encoding="utf-8")
    assert lint_text(original, ["exits"]).findings == ()
    text = _own(
        "diabetes_clinic", "    source: [first_visit, results]\n", "    source: [first_visit]\n"
    )
    [finding] = lint_text(text, ["exits"]).findings
    assert finding.message == (
        "branch 'results' offers no step to a state about talking to your diabetes team"
    )
    unnamed = _own("diabetes_clinic", "    names: [diabetes team]\n", "    names: []\n")
    messages = [f.message for f in lint_text(unnamed, ["exits"]).findings]
    assert "end point 'tablets' does not offer talking to your healthcare team" in messages


def test_the_documents_medical_words_need_glossary_entries() -> None:
    """A word under lint.medical_words with no glossary entry is an error where it is used."""
    text = _own("diabetes_clinic", "    - insulin\n", "    - insulin\n    - nurse\n")
    messages = [f.message for f in lint_text(text, ["glossary"]).findings]
    assert "the medical word 'nurse' has no glossary entry" in messages


def test_the_packaged_lint_words_hold_for_any_pathway() -> None:
    """No word of the shipped pathway's topic is in the packaged lists any more."""
    text = json.dumps(load_data().raw).lower()
    for word in ("leukaemia", "philadelphia", "blinatumomab", "relapse", "remission"):
        assert word not in text, word


def test_cli_flags_override_the_document_and_the_old_name_still_works() -> None:
    """--team-state and --no-treatment-state (or its old name) replace the document's
    states for one run; the old name is accepted but not advertised."""
    path = str(FIXTURES / "clean.yaml")
    for flag in ("--no-treatment-state", "--palliative-state"):
        code, output = run_cli("lint", path, flag, "comfort_care", "--team-state", "ask_us")
        assert code == 1
        assert "no state 'comfort_care' exists" in output, flag
        assert "no step to 'ask_us' (talking to your healthcare team)" in output, flag
    code, output = run_cli("lint", "--help")
    assert "--no-treatment-state" in output and "--palliative-state" not in output


# The text fields the advice rule leaves alone, each with why. Every other text field of
# the schema (walked, so a new field is included the day it is added) must be checked.
ADVICE_EXEMPT = {
    "Source.title": "another organisation's words, cited as they wrote them",
    "Source.publisher": "another organisation's name",
    "Source.sections": "another organisation's headings, cited as they wrote them",
    "Fact.section": "names one of those headings",
    "OptionNote.section": "names one of those headings",
    "Scope.section": "names one of those headings",
    "Said.section": "names one of those headings",
    "Source.url": "an address",
    "SupportContact.phone": "a phone number",
    "LintSettings.advice_phrases": "the phrases that read as advice, listed on purpose",
    "LintSettings.medical_words": "lint's settings: words listed for the glossary rule",
    "LintSettings.treatment_words": "lint's settings: words listed for the balance rule",
    "NoTreatmentSettings.term": "lint's settings: the name its messages give that choice",
    "TeamSettings.names": "lint's settings: what the document calls the team",
}


def test_the_advice_exemptions_are_fields_of_the_schema() -> None:
    """Each exempt field exists, so the list cannot hide a renamed one."""
    assert set(ADVICE_EXEMPT) <= {str(f) for f in text_fields()}


def test_advice_in_every_text_field_is_reported_at_its_own_line(tmp_path: Path) -> None:
    """Advice wording put in every text a reader sees (every text field of the schema but
    the exempt ones) is reported by the advice rule once, at that text's own line."""
    document = yaml.safe_load((FIXTURES.parent / "minimal.yaml").read_text(encoding="utf-8"))
    planted: dict[str, str] = {}

    def advise(field: TextField, value: str) -> str:
        if str(field) in ADVICE_EXEMPT:
            return value or "Exempt text"
        marker = f"Zqx{len(planted)}"
        planted[marker] = str(field)
        return f"{marker} you should rest."  # short: never folded onto a second line

    add_optional_parts(document)
    filled = fill_texts(document, advise)
    assert filled == set(text_fields())
    for state in document["states"]:  # a state with a figure cannot say it has none
        if any(fact.get("number") for fact in state.get("facts", [])):
            del state["no_figure"]
    text = dump_yaml(document)
    planted = {marker: field for marker, field in planted.items() if marker in text}
    path = tmp_path / "advice.yaml"
    path.write_text(text, encoding="utf-8")
    report = lint_document(
        parse_document(text, str(path), today=LOAD_DAY),
        LintConfig(today=LINT_DAY, rules=("advice",), templates_dirs=()),
    )
    reported = sorted(f.location.line for f in report.findings)
    lines_of = text.splitlines()
    expected = {
        marker: next(i for i, line in enumerate(lines_of, 1) if marker in line)
        for marker in planted
    }
    missing = {planted[m] for m, line in expected.items() if line not in reported}
    assert not missing, f"advice not reported in: {sorted(missing)}"
    assert reported == sorted(expected.values())
    assert {str(f) for f in text_fields()} - set(ADVICE_EXEMPT) <= set(planted.values())
