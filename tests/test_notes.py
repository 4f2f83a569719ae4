"""The reader's notes without a browser: the document's prompts, the keys of questions,
the pages the notes live on, the vendored QR code library, and `pathways walk --notes`.

What the browser does with the notes is in test_notes_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from paths import ROOT
from pathways.cli import main
from pathways.errors import ContentError
from pathways.journey import Journey
from pathways.lint import LintConfig, lint_document
from pathways.loader import load_document, load_pathway
from pathways.notes import (
    NOTES_MAX_CHARS,
    Question,
    catalogue,
    keyed_questions,
    notes_text,
    question_key,
)
from pathways.schema import Pathway
from pathways.site import build_site
from pathways.web import create_app
from test_web import parse

STATIC = ROOT / "templates" / "web" / "static"
QRCODE = ROOT / "node_modules" / "qrcode-generator"


# --------------------------------------------------------------------------- the document


def _with_prompts(tmp_path: Path, prompts: list[dict[str, str]]) -> Path:
    document = yaml.safe_load((ROOT / "pathways.yaml").read_text(encoding="utf-8"))
    document["what_matters"] = prompts
    path = tmp_path / "pathways.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_the_repository_pathway_has_open_prompts(pathway: Pathway) -> None:
    """The document carries a few open prompts, each with its own id."""
    assert 3 <= len(pathway.what_matters) <= 6
    assert len({p.id for p in pathway.what_matters}) == len(pathway.what_matters)
    assert all(p.prompt.endswith("?") for p in pathway.what_matters)


def test_prompts_are_optional(tmp_path: Path) -> None:
    """A document without prompts loads, and its notes page has no "What matters" part."""
    pathway = load_pathway(_with_prompts(tmp_path, []))
    assert pathway.what_matters == ()
    with TestClient(create_app(pathway=pathway)) as client:
        page = client.get(f"/j/{Journey.begin(pathway).token}/notes").text
    assert "What matters to me" not in page
    assert "My questions" in page


def test_a_prompt_id_used_twice_is_an_error_at_its_line(tmp_path: Path) -> None:
    """Two prompts with one id: a message at the second one's line, with the fix."""
    path = _with_prompts(
        tmp_path, [{"id": "worries", "prompt": "What worries you?"} for _ in range(2)]
    )
    with pytest.raises(ContentError) as caught:
        load_pathway(path)
    message = str(caught.value)
    assert "prompt id 'worries' is used more than once" in message
    assert re.search(r"pathways\.yaml:\d+:\d+:", message)


def test_a_prompt_is_linted_like_all_content(tmp_path: Path) -> None:
    """Advice in a prompt is found by the lint, at the prompt's own line."""
    path = _with_prompts(tmp_path, [{"id": "next", "prompt": "What do you think you should do?"}])
    text = path.read_text(encoding="utf-8")
    report = lint_document(load_document(path), LintConfig(rules=("advice",), templates_dirs=()))
    advice = [f for f in report.findings if f.rule == "advice"]
    assert len(advice) == 1 and "you should" in advice[0].message
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "you should do" in t)
    assert advice[0].location.line == line


# --------------------------------------------------------------------------- keys


@given(st.text(min_size=1), st.text(min_size=1))
def test_a_question_key_is_short_hex_and_follows_the_words(a: str, b: str) -> None:
    """Eight hex digits, the same for the same words; different words, different keys
    (for any two texts a reader is likely to meet)."""
    assert re.fullmatch(r"[0-9a-f]{8}", question_key(a))
    assert question_key(a) == question_key(a)
    if a != b:
        assert question_key(a) != question_key(b)


def test_every_question_of_a_state_has_its_own_key(pathway: Pathway) -> None:
    """No two questions of one state share a key, so a tick names one question."""
    for state in pathway.states:
        keys = [q["key"] for q in keyed_questions(state.questions)]
        assert len(set(keys)) == len(keys), state.id


def test_the_catalogue_holds_every_step_and_nothing_about_a_reader(pathway: Pathway) -> None:
    """Every state's title and questions by key; the same for everyone."""
    found = catalogue(pathway)
    assert set(found["states"]) == set(pathway.state_ids)
    relapse = found["states"]["relapse"]
    assert relapse["title"] == pathway.state("relapse").title
    assert list(relapse["questions"].values()) == list(pathway.state("relapse").questions)
    assert found == catalogue(pathway)


# --------------------------------------------------------------------------- the pages


def test_the_notes_page_is_served_and_says_how_notes_are_kept(
    client: TestClient, pathway: Pathway
) -> None:
    """/j/<token>/notes: "My questions", the prompts as labelled boxes, the privacy
    promise, the clear button, the no-JavaScript message, every step in the catalogue."""
    journey = Journey.begin(pathway).step("goes_into_remission")
    response = client.get(f"/j/{journey.token}/notes")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("h1").text == "My questions"
    text = " ".join(response.text.split())
    assert "Anyone who has this address can read your notes." in text
    assert "Nothing you write here is scored or ranked" in text
    assert "needs JavaScript" in text or "need JavaScript" in text
    for prompt in pathway.what_matters:
        box = page.find("textarea", **{"data-note-answer": prompt.id})
        assert box is not None
        label = page.find("label", **{"for": box.attrs["id"]})
        assert label is not None and label.text == prompt.prompt
    assert page.find("button", **{"data-notes-clear": None}) is not None
    listed = {ul.attrs["data-state"] for ul in page.find_all("ul") if "data-state" in ul.attrs}
    assert listed == set(pathway.state_ids)


def test_the_embed_says_where_its_notes_are_and_that_leaving_loses_them(
    pathway: Pathway,
) -> None:
    """In a frame the reader cannot see or bookmark the address: the embed says its notes
    are lost when the page is left, and how to keep them."""
    journey = Journey.begin(pathway)
    with TestClient(create_app(pathway=pathway, embed_origins=["https://portal.example"])) as c:
        for url in (f"/embed/{journey.token}", f"/embed/{journey.token}/notes"):
            text = " ".join(c.get(url).text.split())
            assert "Your notes are lost if you leave or reload this page." in text, url
            assert "does not pass your notes to the page it sits in" in text, url
            assert "bookmark this page" not in text, url


def test_nothing_typed_can_be_sent_by_a_page(client: TestClient, pathway: Pathway) -> None:
    """The notes' controls sit in no form and have no name: a browser has nothing of them
    to submit, whatever happens to the script."""
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    for url in (
        f"/j/{journey.token}",
        f"/j/{journey.token}/notes",
        f"/j/{journey.token}/print",
        f"/embed/{journey.token}",
        f"/embed/{journey.token}/notes",
    ):
        page = parse(client.get(url).text)
        for control in page.find_all("textarea") + page.find_all("input"):
            if "data-note-question" in control.attrs or "data-note-own-input" in control.attrs:
                assert "name" not in control.attrs, url
            if control.tag == "textarea":
                assert "name" not in control.attrs, url
        for form in page.find_all("form"):
            assert not form.find_all("textarea"), url


def test_each_state_page_offers_its_questions_to_tick(client: TestClient, pathway: Pathway) -> None:
    """Each question of a state has a tick box with the question as its label, and every
    state page (questions or not) has the box for one's own question."""
    journey = Journey.begin(pathway)
    for state in pathway.states:
        page = parse(client.get(f"/j/{journey.jump(state.id).token}").text)
        boxes = [i for i in page.find_all("input") if "data-note-question" in i.attrs]
        assert [b.attrs["data-note-question"] for b in boxes] == [
            question_key(q) for q in state.questions
        ]
        for box, question in zip(boxes, state.questions, strict=True):
            assert page.find("label", **{"for": box.attrs["id"]}).text == question
        assert page.find("textarea", id="own-question") is not None, state.id


def test_the_print_page_has_lines_for_questions_and_each_prompt(
    client: TestClient, pathway: Pathway
) -> None:
    """Without the script the print page still offers lines to write on: under "My
    questions" and under each prompt; the QR code's part waits hidden for notes."""
    journey = Journey.begin(pathway).step("goes_into_remission")
    response = client.get(f"/j/{journey.token}/print")
    page = parse(response.text)
    assert len(page.by_class("note-lines")) == 1 + len(pathway.what_matters)
    qr = next(s for s in page.find_all("section") if "data-notes-qr-section" in s.attrs)
    assert "hidden" in qr.attrs
    assert "/static/qrcode.js?v=" in response.text


def test_only_the_print_page_loads_the_qr_code_library(
    client: TestClient, pathway: Pathway
) -> None:
    """Other pages do not load qrcode.js."""
    journey = Journey.begin(pathway)
    for url in ("/", f"/j/{journey.token}", f"/j/{journey.token}/notes", "/glossary"):
        assert "qrcode.js" not in client.get(url).text, url


def test_the_static_site_has_no_notes(pathway: Pathway, tmp_path: Path) -> None:
    """The static site's files carry no journey, so they offer no notes and load no
    notes script."""
    build_site(pathway, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "notes.js" not in text and "data-notes-step" not in text, page


# --------------------------------------------------------------------------- the script


def test_the_notes_script_sends_and_stores_nothing() -> None:
    """notes.js uses no storage, cookie, request or message: it only reads the address's
    fragment and replaces it."""
    script = (STATIC / "notes.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    for forbidden in (
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "cookie",
        "fetch(",
        "XMLHttpRequest",
        "sendBeacon",
        "postMessage",
        "WebSocket",
        "pushState",
        ".submit(",
        "location.search",
    ):
        assert forbidden not in code, forbidden
    assert "history.replaceState" in code


def test_the_embed_script_never_reads_the_address() -> None:
    """embed.js tells the host the state from the page's own attributes, never from the
    address, whose fragment holds the notes."""
    script = (STATIC / "embed.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    assert "location.hash" not in code and "location.href" not in code


def test_the_limit_in_the_pages_is_the_one_in_notes_py(
    client: TestClient, pathway: Pathway
) -> None:
    """The script reads its size bound from the page, which has it from notes.py."""
    page = client.get(f"/j/{Journey.begin(pathway).token}").text
    assert f'data-notes-max="{NOTES_MAX_CHARS}"' in page


def test_the_vendored_qr_code_library_is_the_npm_package_unchanged() -> None:
    """static/qrcode.js is qrcode-generator's built file as npm installs it (its licence
    header included), at the version package.json pins."""
    if not QRCODE.is_dir():
        pytest.fail(f"qrcode-generator is missing at {QRCODE}: run `npm ci`")
    vendored = (STATIC / "qrcode.js").read_bytes()
    assert vendored == (QRCODE / "dist" / "qrcode.js").read_bytes()
    assert b"Licensed under the MIT license" in vendored[:600]
    installed = json.loads((QRCODE / "package.json").read_text(encoding="utf-8"))
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert installed["license"] == "MIT"
    assert pinned["devDependencies"]["qrcode-generator"] == installed["version"]
    assert installed["version"] in (ROOT / "docs" / "notes.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the CLI


def _walk(tmp_path: Path, typed: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["walk", "--pathway", str(ROOT / "pathways.yaml"), *extra], input=typed
    )
    return result.exit_code, result.output


def test_walk_writes_ticked_and_own_questions_to_the_named_file(
    tmp_path: Path, pathway: Pathway
) -> None:
    """a at a step: numbers add that step's questions, words add one's own; the file holds
    them in order, each with its step, and the folder holds nothing else."""
    notes = tmp_path / "questions.txt"
    code, output = _walk(
        tmp_path, "a\n2 4\n1\na\nCan my sister come with me?\nq\n", "--notes", str(notes)
    )
    assert code == 0, output
    first = pathway.state(pathway.start)
    second = pathway.state("remission")
    assert notes.read_text(encoding="utf-8") == notes_text(
        pathway,
        [
            Question(first.id, first.questions[1]),
            Question(first.id, first.questions[3]),
            Question(second.id, "Can my sister come with me?", own=True),
        ],
    )
    text = notes.read_text(encoding="utf-8")
    assert f"(from the step “{second.title}”, my own question)" in text
    assert pathway.metadata.intended_purpose not in text
    assert [p.name for p in tmp_path.iterdir()] == ["questions.txt"]
    assert f"Your questions are in {notes}" in " ".join(output.split())


def test_walk_refuses_numbers_that_are_not_there_and_adds_nothing(tmp_path: Path) -> None:
    """A number with no question, or Enter alone, adds nothing and writes no file."""
    notes = tmp_path / "questions.txt"
    code, output = _walk(tmp_path, "a\n9\na\n\nq\n", "--notes", str(notes))
    assert code == 0
    assert "There is no question 9 here" in output
    assert "Nothing was added" in output
    assert not notes.exists()


def test_walk_will_not_write_over_an_existing_file(tmp_path: Path) -> None:
    """--notes names a new file: an existing one is left as it was, with a clear message."""
    notes = tmp_path / "mine.txt"
    notes.write_text("my own list\n", encoding="utf-8")
    code, output = _walk(tmp_path, "q\n", "--notes", str(notes))
    assert code == 2
    assert "already exists" in output and "Traceback" not in output
    assert notes.read_text(encoding="utf-8") == "my own list\n"


def test_walk_without_notes_has_no_add_command(tmp_path: Path) -> None:
    """Without --notes, a is not a command and nothing is written."""
    code, output = _walk(tmp_path, "a\nq\n")
    assert code == 0
    assert "'a' is not one of the choices" in output
    assert list(tmp_path.iterdir()) == []
