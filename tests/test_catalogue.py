"""Many pathways served together: the catalogue at /, each pathway whole at /p/<id>/, one
API description, old addresses redirected, and nothing of one pathway on another's pages.

The pathways are the repository's own (ALL) and the two invented test pathways in
tests/data/pathways/ (knee recovery, a diabetes clinic)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import schemathesis
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis.checks import not_a_server_error

from htmltree import parse as parse_html
from paths import DATA, ROOT
from pathways.catalogue import Catalogue, load_catalogue
from pathways.errors import ContentError
from pathways.middleware.prefix import check_prefix
from pathways.schema import Pathway
from pathways.server import behind_proxy
from pathways.web import create_catalogue_app

PATHWAYS = DATA / "pathways"
KNEE = PATHWAYS / "knee_recovery.yaml"
DIABETES = PATHWAYS / "diabetes_clinic.yaml"
SHIPPED = ROOT / "pathways.yaml"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue([KNEE, DIABETES, SHIPPED])


@pytest.fixture(scope="module")
def client(catalogue: Catalogue) -> Iterator[TestClient]:
    with TestClient(create_catalogue_app(catalogue)) as test_client:
        yield test_client


def links(html: str) -> list[str]:
    """Every address a page links to, submits to or loads (href, action, src)."""
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def without_switcher(html: str) -> str:
    """The page without presenter mode's list of the other pathways (which names them on
    purpose)."""
    return re.sub(r'<details class="switch-pathway">.*?</details>', "", html, flags=re.S)


def own_words(pathway: Pathway) -> set[str]:
    """Text only this pathway shows: its title, statement and state titles."""
    meta = pathway.metadata
    return {meta.title, meta.intended_purpose, *(s.title for s in pathway.states)}


def crawl(client: TestClient, start: str, limit: int = 120) -> dict[str, str]:
    """The HTML pages reachable from ``start`` without leaving its mount (steps and jumps
    followed), at most ``limit`` of them: {address: html}."""
    mount = start.rstrip("/")
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        address = queue.pop(0)
        if address in seen:
            continue
        response = client.get(address)
        assert response.status_code == 200, address
        if not response.headers["content-type"].startswith("text/html"):
            continue
        seen[address] = response.text
        for link in re.findall(r'href="([^"]*)"', response.text):
            target = urljoin(address, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or "/static/" in parts.path:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(mount + "/") and path not in seen:
                queue.append(path)
    return seen


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_lists_every_pathway_with_what_a_reader_needs(
    client: TestClient, catalogue: Catalogue
) -> None:
    """The catalogue names each pathway with its title, statement, language, publisher and
    review dates in words, and links to its start and its presenter mode."""
    page = client.get("/")
    assert page.status_code == 200
    tree = parse_html(page.text)
    text = " ".join(tree.text.split())
    for entry in catalogue.entries:
        meta = entry.pathway.metadata
        assert " ".join(meta.title.split()) in text
        assert " ".join(meta.intended_purpose.split()) in text
        assert meta.publisher in text
        assert f"{meta.reviewed.day} {meta.reviewed:%B %Y}" in text.replace("\xa0", " ")
        if meta.summary:
            assert " ".join(meta.summary.split()) in text
        if meta.scope:
            assert " ".join(meta.scope.text.split()) in text
        for tag in meta.tags:
            assert (
                f"?tag={tag.replace(' ', '+')}" in page.text
                or f"?tag={tag.replace(' ', '%20')}" in page.text
            )
        assert f"/p/{entry.id}/" in links(page.text)
        assert f"/p/{entry.id}/begin?mode=present" in [
            a.replace("&amp;", "&") for a in links(page.text)
        ]
    assert "English (UK)" in text


def test_search_without_javascript_filters_on_the_server(client: TestClient) -> None:
    """?q= keeps the pathways whose text holds every word; the others are hidden."""
    page = client.get("/", params={"q": "knee"})
    shown = re.findall(r'<li class="catalogue-entry[^"]*"[^>]*?(hidden)?>', page.text)
    assert shown.count("") == 1
    assert "1 of 3 guides" in page.text
    nothing = client.get("/", params={"q": "zzzz nothing"})
    assert "0 of 3 guides" in nothing.text
    assert "Show every guide" in nothing.text


def test_topic_filter_keeps_the_pathways_with_that_tag(client: TestClient) -> None:
    """Each tag of metadata.tags is a link; following it keeps only the pathways with it,
    whatever its case, and marks the link as the current one."""
    page = client.get("/")
    assert "?tag=surgery" in page.text
    filtered = client.get("/", params={"tag": "Surgery"})
    assert "1 of 3 guides" in filtered.text
    assert 'aria-current="page" data-tag="surgery"' in filtered.text
    both = client.get("/", params={"tag": "surgery", "q": "diabetes"})
    assert "0 of 3 guides" in both.text


def test_catalogue_script_is_our_own_file(client: TestClient) -> None:
    """The instant search is a static file of the site (CSP 'self'), not inline script."""
    page = client.get("/").text
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(s.startswith("/static/catalogue.js") for s in scripts)
    assert "<script>" not in page
    assert client.get(scripts[0]).status_code == 200


# --------------------------------------------------------------------------- each pathway


@pytest.mark.parametrize("pathway_id", ["knee_recovery", "diabetes_clinic"])
def test_each_pathway_is_walkable_and_shows_nothing_of_the_others(
    client: TestClient, catalogue: Catalogue, pathway_id: str
) -> None:
    """Crawling one pathway's pages (patient, presenter, map, print, glossary, embed, API
    docs) stays under its /p/<id>/ and shows no title, statement or state of another."""
    entry = catalogue.entry(pathway_id)
    assert entry is not None
    pages = crawl(client, f"/p/{pathway_id}/")
    pages.update(crawl(client, f"/p/{pathway_id}/embed/", limit=40))
    pages.update(crawl(client, f"/p/{pathway_id}/begin?mode=present", limit=40))
    assert any("/present/" in a for a in pages)
    assert any("/map" in a for a in pages)
    assert len(pages) > 10
    others = set().union(*(own_words(e.pathway) for e in catalogue.entries if e.id != pathway_id))
    others -= own_words(entry.pathway)
    for address, html in pages.items():
        for link in links(without_switcher(html)):
            if link.startswith("/"):
                assert link.startswith(f"/p/{pathway_id}/"), (address, link)
        shown = " ".join(parse_html(without_switcher(html)).text.split())
        for words in others:
            assert " ".join(words.split()) not in shown, (address, words)


def test_presenter_mode_switches_pathway_from_a_list(client: TestClient) -> None:
    """A presenter page lists the other pathways, each link starting it in presenter mode."""
    page = client.get("/p/knee_recovery/begin?mode=present")
    assert page.status_code == 200 and "/present/" in str(page.url)
    switcher = re.search(r'<details class="switch-pathway">(.*?)</details>', page.text, re.S)
    assert switcher is not None
    targets = [a.replace("&amp;", "&") for a in links(switcher.group(1))]
    assert targets == [
        "/p/diabetes_clinic/begin?mode=present",
        "/p/all_relapse/begin?mode=present",
    ] or ("/p/diabetes_clinic/begin?mode=present" in targets)
    moved = client.get(targets[0])
    assert moved.status_code == 200 and "/p/diabetes_clinic/present/" in str(moved.url)


def test_a_token_of_one_pathway_at_another_is_a_clear_400(client: TestClient) -> None:
    """A journey address of one pathway opened at another's is a 400 that says where it
    belongs, as a page and in the API, never a page of the wrong pathway."""
    begun = client.post("/p/knee_recovery/api/journeys")
    token = begun.json()["journey"]["token"]
    page = client.get(f"/p/diabetes_clinic/j/{token}")
    assert page.status_code == 400
    assert "belongs to another guide" in page.text
    answer = client.get(f"/p/diabetes_clinic/api/journeys/{token}")
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("#problem-bad-token")
    assert "another pathway" in answer.json()["detail"]
    assert client.get(f"/p/diabetes_clinic/embed/{token}").status_code == 400


# --------------------------------------------------------------------------- API and embed


def test_api_pathways_lists_each_with_its_addresses(
    client: TestClient, catalogue: Catalogue
) -> None:
    """/api/pathways lists every pathway; each listed address answers for that pathway."""
    listed = client.get("/api/pathways").json()["pathways"]
    assert [p["id"] for p in listed] == [e.id for e in catalogue.entries]
    for item in listed:
        assert item["status"] == "served"
        assert client.get(item["links"]["api"]).json()["pathway"]["metadata"]["id"] == item["id"]
        assert client.get(item["links"]["embed"]).status_code == 200
        assert client.get(item["links"]["page"]).status_code == 200


def test_one_openapi_document_describes_every_pathway(
    client: TestClient, catalogue: Catalogue
) -> None:
    """/openapi.json has /api/pathways and every pathway's operations under /p/<id>/api/,
    each operation id once."""
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert "/api/pathways" in paths
    for entry in catalogue.entries:
        assert f"/p/{entry.id}/api/journeys/{{token}}" in paths
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    refs = re.findall(r'"#/components/schemas/([^"]+)"', str(document).replace("'", '"'))
    assert set(refs) <= set(document["components"]["schemas"])


def test_journeys_begin_and_step_per_pathway(client: TestClient) -> None:
    """POST /p/<id>/api/journeys begins that pathway; its links stay under its mount."""
    begun = client.post("/p/diabetes_clinic/api/journeys")
    assert begun.status_code == 201
    assert begun.headers["location"].startswith("/p/diabetes_clinic/api/journeys/")
    answer = begun.json()
    step = answer["links"]["steps"][0]["href"]
    assert step.startswith("/p/diabetes_clinic/api/journeys/")
    assert client.get(step).status_code == 200
    assert answer["links"]["page"].startswith("/p/diabetes_clinic/j/")
    assert answer["links"]["embed"].startswith("/p/diabetes_clinic/embed/")


SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_catalogue_app(load_catalogue([KNEE, DIABETES]))
)


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None)
def test_catalogue_openapi_gives_no_server_error(case: schemathesis.Case) -> None:
    """Requests made from the catalogue's /openapi.json never get a 5xx."""
    case.call_and_validate(checks=[not_a_server_error])


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/begin?setting=home", "/p/knee_recovery/begin?setting=home"),
        ("/j/abc/map", "/p/knee_recovery/j/abc/map"),
        ("/present/abc", "/p/knee_recovery/present/abc"),
        ("/embed/", "/p/knee_recovery/embed/"),
        ("/api/pathway", "/p/knee_recovery/api/pathway"),
        ("/glossary", "/p/knee_recovery/glossary"),
        ("/p/knee_recovery", "/p/knee_recovery/"),
    ],
)
def test_single_pathway_addresses_lead_to_the_first_pathway(
    client: TestClient, old: str, new: str
) -> None:
    """An address of a single-pathway server leads to the same page of the first pathway,
    with a Location that names no host."""
    response = client.get(old, follow_redirects=False)
    assert response.status_code in (303, 307)
    assert response.headers["location"] == new


def test_unknown_pathway_is_not_found(client: TestClient) -> None:
    """/p/<unknown>/ is the catalogue's 404 page, with a way back to the catalogue."""
    response = client.get("/p/nothing/j/abc")
    assert response.status_code == 404
    assert 'href="/"' in response.text


def test_root_path_puts_every_address_under_it(catalogue: Catalogue) -> None:
    """Served under --root-path /guides, every page's links and every redirect start with it."""
    app = create_catalogue_app(catalogue)
    client = TestClient(app, root_path="/guides")
    home = client.get("/guides/")
    assert home.status_code == 200
    assert all(a.startswith(("/guides/", "#", "tel:", "?")) for a in links(home.text))
    begun = client.get("/guides/p/knee_recovery/begin", follow_redirects=False)
    assert begun.headers["location"].startswith("/guides/p/knee_recovery/j/")
    page = client.get(begun.headers["location"])
    assert all(
        a.startswith(("/guides/p/knee_recovery/", "#", "tel:", "jump/")) for a in links(page.text)
    )


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [("*", "/site/p/knee_recovery/j/"), ("10.9.9.9", "/p/knee_recovery/j/")],
)
def test_forwarded_prefix_counts_only_from_a_trusted_proxy(
    catalogue: Catalogue, trusted: str, expected: str
) -> None:
    """X-Forwarded-Prefix prefixes every address when the proxy is trusted, and is ignored
    when it is not."""
    app = behind_proxy(create_catalogue_app(catalogue), (trusted,))
    client = TestClient(app)
    begun = client.get(
        "/p/knee_recovery/begin",
        headers={"x-forwarded-prefix": "/site"},
        follow_redirects=False,
    )
    assert begun.headers["location"].startswith(expected)


@pytest.mark.parametrize("bad", ["guides", "/a b", "/<x>", "/%2e"])
def test_root_path_must_be_a_plain_path(bad: str) -> None:
    """--root-path refuses what is not /name[/name] (it lands in every address)."""
    with pytest.raises(ValueError, match="is not a path"):
        check_prefix(bad)


# --------------------------------------------------------------------------- loading


def test_two_pathways_with_one_id_stop_the_start_naming_both(tmp_path: Path) -> None:
    """The same metadata.id twice: a ContentError at the second file's id naming both."""
    copy = tmp_path / "copy.yaml"
    shutil.copy(KNEE, copy)
    with pytest.raises(ContentError) as caught:
        load_catalogue([KNEE, copy])
    message = str(caught.value)
    assert str(KNEE) in message and str(copy) in message
    assert re.search(rf"{re.escape(str(copy))}:\d+:\d+: two pathways have the id", message)


def test_a_folder_with_one_broken_document_refuses_to_start(tmp_path: Path) -> None:
    """One broken file in a folder stops the whole start, at its file:line:col."""
    shutil.copy(KNEE, tmp_path / "a.yaml")
    broken = DIABETES.read_text(encoding="utf-8").replace("  publisher:", "  publisherr:", 1)
    (tmp_path / "b.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match=r"b\.yaml:\d+:\d+: "):
        load_catalogue([tmp_path])


def test_serve_with_a_broken_folder_exits_cleanly(tmp_path: Path) -> None:
    """`pathways serve --pathway FOLDER` with a broken file: exit 1, file:line:col, no
    traceback, nothing served."""
    from pathways.cli import main

    shutil.copy(KNEE, tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("metadata: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--pathway", str(tmp_path), "--port", "1"])
    assert result.exit_code == 1
    assert "b.yaml:" in result.output
    assert "Traceback" not in result.output


def test_a_pathway_past_its_review_is_listed_as_withdrawn(tmp_path: Path) -> None:
    """An overdue pathway is not served: the catalogue lists it as withdrawn for review,
    with the date, and its address says so (410)."""
    overdue = tmp_path / "overdue.yaml"
    text = KNEE.read_text(encoding="utf-8")
    text = re.sub(r"next_review: \S+", "next_review: 2026-02-01", text, count=1)
    overdue.write_text(text, encoding="utf-8")
    catalogue = load_catalogue([DIABETES, overdue], today=dt.date(2026, 6, 1))
    client = TestClient(create_catalogue_app(catalogue))
    page = client.get("/").text
    assert "Withdrawn for review." in page and "1\xa0February\xa02026" in page
    assert "/p/knee_recovery/" not in links(page)
    gone = client.get("/p/knee_recovery/")
    assert gone.status_code == 410 and "withdrawn for review" in gone.text
    listed = {p["id"]: p for p in client.get("/api/pathways").json()["pathways"]}
    assert listed["knee_recovery"]["status"] == "withdrawn"
    assert listed["knee_recovery"]["links"] is None


def test_serve_takes_several_pathways_and_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve --pathway a --pathway b` and `serve --pathway FOLDER` serve a catalogue; one
    file serves today's single-pathway app."""
    from pathways import server
    from pathways.cli import main

    served: list[object] = []
    monkeypatch.setattr(
        server, "serve", lambda app, **kw: served.append((app, {**kw, **vars(kw["settings"])}))
    )
    for args in (
        ["--pathway", str(KNEE), "--pathway", str(DIABETES)],
        ["--pathway", str(PATHWAYS)],
        ["--pathway", str(KNEE), "--root-path", "/guides/"],
    ):
        result = CliRunner().invoke(main, ["serve", *args])
        assert result.exit_code == 0, result.output
    (many, _), (folder, _), (single, options) = served
    for app in (many, folder):
        assert TestClient(app).get("/api/pathways").status_code == 200  # type: ignore[arg-type]
    assert options["root_path"] == "/guides"
    assert TestClient(single).get("/api/pathways").status_code == 404  # type: ignore[arg-type]


# --------------------------------------------------------------------------- static site


def test_static_site_of_a_catalogue_has_an_index_and_a_folder_each(tmp_path: Path) -> None:
    """`export site OUT --pathway a --pathway b`: index.html lists both with relative
    links into a folder each, and every link of every page stays inside OUT."""
    from pathways.cli import main

    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["export", "site", str(out), "--pathway", str(KNEE), "--pathway", str(DIABETES)]
    )
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "knee_recovery/index.html" in links(index)
    assert "diabetes_clinic/index.html" in links(index)
    for page in out.rglob("*.html"):
        for link in links(page.read_text(encoding="utf-8")):
            if link.startswith(("#", "tel:", "https://example.org/")):
                continue  # the page itself, the support line, a source (a link out)
            assert "://" not in link and not link.startswith("/"), (page, link)
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file() and target.is_relative_to(out.resolve()), (page, link)


# --------------------------------------------------------------------------- docs/web.md

WEB_DOC = ROOT / "docs" / "web.md"
CATALOGUE_DOC = WEB_DOC.read_text(encoding="utf-8").split("## Many pathways: a catalogue", 1)[1]


def doc_commands(program: str) -> list[str]:
    """The lines of the catalogue section's sh blocks that run ``program``."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", CATALOGUE_DOC, re.S):
        for line in block.splitlines():
            words = line.split()
            if program in words[:2]:
                found.append(line.strip())
    return found


def run_doc_command(
    line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[object, dict[str, object]]:
    """Run one `pathways ...` line of the docs from the repository root; for `serve`, the
    app it would serve and uvicorn's options instead of serving."""
    import shlex

    from pathways import server
    from pathways.cli import main

    words = shlex.split(line)
    env = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words.pop(0) == "pathways"
    if words[:2] == ["export", "site"]:
        words[2] = str(tmp_path / words[2])
    served: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(
        server, "serve", lambda app, **kw: served.append((app, {**kw, **vars(kw["settings"])}))
    )
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, words, env=env)
    assert result.exit_code == 0, (line, result.output)
    return served[0] if served else (None, {})


def test_docs_show_serving_many_and_a_static_catalogue() -> None:
    """docs/web.md's catalogue section shows serve with files, a folder, $PATHWAYS_DIR,
    --root-path, and export site of several."""
    lines = doc_commands("pathways")
    assert any("PATHWAYS_DIR=" in line for line in lines)
    assert any("--root-path" in line for line in lines)
    assert any("export site" in line for line in lines)
    assert sum("serve" in line for line in lines) >= 4


@pytest.mark.parametrize("line", doc_commands("pathways"))
def test_docs_catalogue_commands_run(
    line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each pathways command of the catalogue section runs: serve makes a catalogue app
    (with the root path given), export site writes an index and a folder per pathway."""
    app, options = run_doc_command(line, monkeypatch, tmp_path)
    if " serve" in line:
        root = str(options.get("root_path") or "")
        client = TestClient(app, root_path=root)  # type: ignore[arg-type]
        listed = client.get(f"{root}/api/pathways").json()["pathways"]
        assert {p["id"] for p in listed} == {"knee_recovery", "diabetes_clinic"}
        assert all(p["links"]["page"].startswith(f"{root}/p/") for p in listed)
    else:
        out = tmp_path / "catalogue-site"
        assert (out / "index.html").is_file()
        assert (out / "knee_recovery" / "index.html").is_file()


def subset(shown: object, actual: object, where: str = "") -> None:
    """Everything ``shown`` says is in ``actual``: dicts may leave keys out, lists have
    the same length and each item is a subset."""
    if isinstance(shown, dict):
        assert isinstance(actual, dict), where
        for key, value in shown.items():
            assert key in actual, f"{where}.{key}"
            subset(value, actual[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(actual, list) and len(actual) == len(shown), where
        for index, (item, real) in enumerate(zip(shown, actual, strict=True)):
            subset(item, real, f"{where}[{index}]")
    else:
        assert shown == actual, where


def test_docs_curl_answers_as_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The curl example answers, from the first command shown, what the docs show."""
    import json
    import shlex

    app, _ = run_doc_command(doc_commands("pathways")[0], monkeypatch, tmp_path)
    client = TestClient(app)  # type: ignore[arg-type]
    blocks = re.findall(r"```sh\n(curl [^\n]*)\n```\n```json\n(.*?)```", CATALOGUE_DOC, re.S)
    assert blocks
    for command, shown in blocks:
        url = urlsplit(shlex.split(command)[1])
        subset(json.loads(shown), client.get(url.path).json())
