"""The static site: every page there, every link resolving, nothing from another host.

The site is built from the real pathway into a temporary folder once per module (with a
map per state, and again with one map), then read back as files: pages are parsed, not
matched as strings. The browser tests at the end open it through file:// in Debian's
chromium, launched by tests/browser_support.py as the other browser tests are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from generated import generated_pathway
from htmltree import Node, parse
from pathways import pages as pages_module
from pathways import site as site_module
from pathways.cli import main
from pathways.errors import ContentError, PathwaysError
from pathways.journey import Journey
from pathways.pages import GLOSSARY_USES, Pages
from pathways.schema import Pathway
from pathways.site import MANIFEST, Site, StaticLinks, build_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

LOADING_TAGS = {"link", "script", "img", "iframe", "source", "object", "embed", "image", "use"}
"""Elements whose address the browser fetches by itself (an <a> is only followed)."""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(pathway: Pathway, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real pathway's site, a map for every state (what maps="auto" picks for it)."""
    return build_site(pathway, tmp_path_factory.mktemp("site") / "out")


@pytest.fixture(scope="module")
def one_map_site(pathway: Pathway, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The same site with one map for every state (as for very large pathways)."""
    return build_site(pathway, tmp_path_factory.mktemp("site-one") / "out", maps="one")


@pytest.fixture(params=["each", "one"])
def any_site(request: pytest.FixtureRequest, site: Site, one_map_site: Site) -> Site:
    return site if request.param == "each" else one_map_site


def read(site: Site, name: str) -> Node:
    return parse((site.out / name).read_text(encoding="utf-8"))


def addresses(page: Node) -> Iterator[tuple[Node, str, str]]:
    """Every (element, attribute, address) on a page: href, src, xlink:href, action."""
    for node in page.iter():
        for attr in ("href", "src", "xlink:href", "action", "srcset", "poster", "data"):
            value = node.attrs.get(attr)
            if value is not None:
                yield node, attr, value


def ids(page: Node) -> set[str]:
    return {node.attrs["id"] or "" for node in page.iter() if "id" in node.attrs}


def visible_text(page: Node) -> str:
    parts: list[str] = []

    def walk(node: Node) -> None:
        if node.tag in ("script", "style", "title", "head"):
            return
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                walk(child)

    walk(page)
    return " ".join(" ".join(parts).split())


def outbound(pathway: Pathway) -> set[str]:
    """The only addresses on another host a page may link to: the sources it cites."""
    return {s.url for s in pathway.sources}


def journey_at(pathway: Pathway, state: str) -> Journey:
    return Journey.begin(pathway, at=state)


# --------------------------------------------------------------------------- the files


def test_site_has_the_start_every_state_the_maps_and_the_glossary(
    site: Site, pathway: Pathway
) -> None:
    """index.html, glossary.html, map.html, a page and a marked map per state, and nothing
    else but the static files the pages use."""
    expected = {"index.html", "glossary.html", "map.html"}
    expected |= {f"states/{s.id}.html" for s in pathway.states}
    expected |= {f"map/{s.id}.html" for s in pathway.states}
    assert set(site.pages) == expected
    assert site.maps == "each"
    others = set(site.files) - expected
    assert {PurePosixPath(f).parent.as_posix() for f in others} == {"static"}
    on_disk = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()}
    assert on_disk == set(site.files) | {MANIFEST}


def test_static_files_are_named_by_their_content(site: Site) -> None:
    """site.css and the others carry a hash of their content in their names."""
    names = [PurePosixPath(f).name for f in site.files if f.startswith("static/")]
    assert all(re.search(r"\.[0-9a-f]{12}\.", n) for n in names), names
    # Sorted once the hash is taken out: sorting the hashed names would order them by hash.
    assert sorted(re.sub(r"\.[0-9a-f]{12}\.", ".", n) for n in names) == [
        "favicon.svg",
        "site.css",
        "site.js",
    ]


def test_one_map_mode_has_no_map_folder(one_map_site: Site, pathway: Pathway) -> None:
    """With maps="one" the site has map.html only, and every state page links into it."""
    assert one_map_site.maps == "one"
    assert not any(f.startswith("map/") for f in one_map_site.files)
    for state in pathway.states:
        page = read(one_map_site, f"states/{state.id}.html")
        maps = [v for _, _, v in addresses(page) if "map" in v.split("#")[0]]
        assert set(maps) == {f"../map.html#map-{state.id}"}


# --------------------------------------------------------------------------- links


def test_every_link_and_asset_resolves_to_a_file_and_its_fragment(
    any_site: Site, pathway: Pathway
) -> None:
    """Every relative address on every page names a file of the site, and its #fragment
    an element of that page."""
    parsed = {name: read(any_site, name) for name in any_site.pages}
    anchors = {name: ids(page) for name, page in parsed.items()}
    checked = 0
    for name, page in parsed.items():
        for node, attr, value in addresses(page):
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue  # other hosts and tel: links: the next tests
            assert not parts.query, (name, value)
            target = (PurePosixPath(name).parent / unquote(parts.path)).as_posix()
            if not parts.path:
                target = name
            target = _normalise(target)
            assert (any_site.out / target).is_file(), (name, node.tag, attr, value)
            if parts.fragment:
                assert target in anchors, (name, value)
                assert parts.fragment in anchors[target], (name, value)
            checked += 1
    assert checked >= 10 * len(parsed)


def _normalise(path: str) -> str:
    """'states/../map/x.html' as 'map/x.html'; refuses a path that leaves the site."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            assert parts, f"{path} leads out of the site"
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def test_nothing_is_loaded_from_another_host(any_site: Site, pathway: Pathway) -> None:
    """Styles, scripts and icons are the site's own files; the only links to another host
    are the cited sources (followed, never loaded); the only other scheme is tel:."""
    allowed = outbound(pathway)
    for name in any_site.pages:
        page = read(any_site, name)
        for node, attr, value in addresses(page):
            parts = urlsplit(value)
            if node.tag in LOADING_TAGS or attr in ("src", "srcset", "poster", "data"):
                assert not parts.scheme and not parts.netloc, (name, node.tag, value)
            elif parts.scheme in ("http", "https") or parts.netloc:
                assert node.tag == "a" and value in allowed, (name, value)
                assert "noreferrer" in (node.attrs.get("rel") or ""), (name, value)
            else:
                assert parts.scheme in ("", "tel"), (name, value)
        assert not page.find_all("base"), name
        assert not page.find_all("form"), f"{name} has a form, which needs a server"
        for style in page.find_all("style"):
            assert "url(" not in style.text and "@import" not in style.text, name
        for node in page.iter():
            assert "url(" not in (node.attrs.get("style") or ""), name
    for css in any_site.out.glob("static/*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]*)", text):
            assert not urlsplit(ref).scheme and not ref.startswith("//"), (css.name, ref)


def test_every_state_links_to_the_sources_it_cites(site: Site, pathway: Pathway) -> None:
    """The outbound link is a source the page's facts cite, as a plain link."""
    for state in pathway.states:
        page = read(site, f"states/{state.id}.html")
        linked = {
            v for n, _, v in addresses(page) if n.tag == "a" and urlsplit(v).scheme == "https"
        }
        cited = {s.url for s in pathway.sources if any(f.source == s.id for f in state.facts)}
        assert linked == cited, state.id


# --------------------------------------------------------------------------- every page


def test_every_page_shows_the_statement_and_the_support_line(
    any_site: Site, pathway: Pathway
) -> None:
    """The intended-purpose statement and the support line are on every page."""
    for name in any_site.pages:
        text = visible_text(read(any_site, name))
        assert pathway.metadata.intended_purpose in text, name
        assert pathway.support_line.name in text, name
        assert pathway.support_line.phone in text, name


def test_every_page_has_a_unique_title_and_the_accessible_frame(
    any_site: Site, pathway: Pathway
) -> None:
    """lang, a unique title, a skip link to main, header, nav (but on the start page),
    main and footer landmarks, and one h1 on every page."""
    titles: dict[str, str] = {}
    for name in any_site.pages:
        page = read(any_site, name)
        html = page.find("html")
        assert html.attrs.get("lang") == pathway.metadata.language, name
        title = page.find("title").text
        assert title not in titles, f"{name} and {titles.get(title)} share the title {title!r}"
        titles[title] = name
        skip = page.find("a", class_="skip-link")
        assert skip.attrs.get("href") == "#main", name
        assert page.find("main").attrs.get("id") == "main", name
        assert page.find_all("header") and page.find_all("footer"), name
        assert len(page.find_all("h1")) == 1, name
        if name != "index.html":
            assert page.find_all("nav"), name


def test_state_pages_are_the_web_apps_pages_without_a_journey(site: Site, pathway: Pathway) -> None:
    """A static state page shows what the web app shows at that state, without the parts
    that follow a reader: no path so far (it says so), no back link, print or presenter."""
    pages = Pages(pathway, None)

    def shown(page: Node) -> list[str]:
        parts = [page.find("h1").text, page.find("p", class_="lead").text]
        parts += [n.text for n in page.by_class("choice-text")]
        parts += [n.text for n in page.by_class("term-entry")]
        for section in ("facts", "sources"):
            parts += [n.text for n in page.by_class(section)]
        for section in page.by_class("questions"):
            parts += [li.text for li in section.find_all("li")]
        return parts

    for state in pathway.states:
        static = read(site, f"states/{state.id}.html")
        web = parse(pages.state_page(journey_at(pages.pathway, state.id), "patient"))
        assert shown(static) == shown(web), state.id
        text = visible_text(static)
        assert "Your path so far" not in text
        assert "does not keep track of the pages you have read" in text
        assert not static.by_class("back-link")
        labels = {a.text for a in static.find_all("a")}
        assert not {"My path and my questions", "Presenter mode for nurses"} & labels


def test_choices_are_every_step_each_labelled_with_its_topics(site: Site, pathway: Pathway) -> None:
    """Each state page offers every step, in the pathway's order, leading to the state it
    goes to; a step for one topic says which."""
    for state in pathway.states:
        page = read(site, f"states/{state.id}.html")
        links = page.find("section", class_="next").find_all("a", class_="choice-link")
        steps = journey_at(pathway, state.id).next_steps()
        assert [a.attrs["href"] for a in links] == [f"../states/{s.dest}.html" for s in steps]
        for link, step in zip(links, steps, strict=True):
            assert link.find("span", class_="choice-label").text == step.label
            applies = link.by_class("applies")
            if step.applies_to:
                assert " and ".join(step.applies_to) in applies[0].text
            else:
                assert not applies
    relapse = read(site, "states/relapse.html").text
    assert "For Philadelphia positive ALL only." in relapse


def test_the_topic_is_named_and_explained_not_asked(site: Site) -> None:
    """The start page says the pages are for all types and one link starts the guide."""
    page = read(site, "index.html")
    text = visible_text(page)
    assert "These pages show information for: All types of ALL" in text
    assert "only for Philadelphia positive ALL or Philadelphia negative ALL says so" in text
    start = page.find("a", class_="button-start")
    assert start.attrs["href"] == "states/first_treatment.html"
    assert not page.find_all("input")


def test_each_state_map_marks_its_state_and_the_next_ones(site: Site, pathway: Pathway) -> None:
    """map/<id>.html marks that state "You are here" and each next state "Could come
    next"; every box leads to a state page."""
    for state in pathway.states:
        svg = read(site, f"map/{state.id}.html").find("svg", class_="pathway-map")
        here = [g.attrs["id"] for g in svg.find_all("g") if g.has_class("map-here")]
        assert here == [f"map-{state.id}"]
        dests = {s.dest for s in journey_at(pathway, state.id).next_steps()}
        assert svg.text.count("Could come next") == len(dests)
        hrefs = sorted(a.attrs.get("xlink:href") or "" for a in svg.find_all("a"))
        assert hrefs == sorted(f"../states/{s.id}.html" for s in pathway.states)


def test_the_whole_map_marks_no_place(site: Site, pathway: Pathway) -> None:
    """map.html shows the whole pathway with no "You are here", each box a state link,
    and the same as a list."""
    page = read(site, "map.html")
    svg = page.find("svg", class_="pathway-map")
    assert "You are here" not in svg.text and "Could come next" not in svg.text
    hrefs = sorted(a.attrs.get("xlink:href") or "" for a in svg.find_all("a"))
    assert hrefs == sorted(f"states/{s.id}.html" for s in pathway.states)
    items = page.find("section", class_="map-list").find_all("li")
    assert [li.find("a").text for li in items] == [
        pathway.state(s).title for phase in pathway.phases for s in phase.states
    ]


def test_glossary_explains_every_word_a_to_z_with_its_pages(site: Site, pathway: Pathway) -> None:
    """glossary.html has every entry in alphabetical order, each linking the states that
    use it; the state pages link to it."""
    page = read(site, "glossary.html")
    entries = page.by_class("term-entry")
    expected = sorted(pathway.glossary, key=lambda g: g.term.casefold())
    assert [e.attrs["id"] for e in entries] == [f"term-{g.id}" for g in expected]
    for entry, term in zip(entries, expected, strict=True):
        assert term.definition in entry.text
        users = [s for s in pathway.states if term.id in s.terms][:GLOSSARY_USES]
        links = [a.attrs["href"] for a in entry.find_all("a")]
        assert links == [f"states/{s.id}.html" for s in users], term.id
    relapse = read(site, "states/relapse.html")
    assert "../glossary.html" in {v for _, _, v in addresses(relapse)}


# --------------------------------------------------------------------------- building


def test_auto_gives_one_map_above_the_limit(
    pathway: Pathway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """maps="auto" stops making a map per state above MAPS_EACH_UP_TO states."""
    monkeypatch.setattr(site_module, "MAPS_EACH_UP_TO", len(pathway.states) - 1)
    assert build_site(pathway, tmp_path / "a").maps == "one"
    monkeypatch.setattr(site_module, "MAPS_EACH_UP_TO", len(pathway.states))
    assert build_site(pathway, tmp_path / "b").maps == "each"


def test_one_map_is_laid_out_once(
    pathway: Pathway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one map it is made once, whatever the number of states; with a map per state,
    it is marked once per state and once for the whole map (the layout itself is made once
    per topic: tests/test_mapsvg.py)."""
    calls: list[str | None] = []
    real: Callable[..., str] = pages_module.map_svg

    def counting(*args: Any, **kwargs: Any) -> str:
        calls.append(args[1] if len(args) > 1 else None)
        return real(*args, **kwargs)

    monkeypatch.setattr("pathways.pages.map_svg", counting)
    build_site(pathway, tmp_path / "one", maps="one")
    assert calls == [None]
    calls.clear()
    build_site(pathway, tmp_path / "each", maps="each")
    assert len(calls) == len(pathway.states) + 1


def test_a_large_generated_pathway_exports_every_page_and_link(tmp_path: Path) -> None:
    """A pathway of a few hundred states (one map for all, as "auto" picks there, listed
    rather than drawn: tests/test_map_limit.py): a page for every state, each offering
    exactly its steps and linking to its place on the one map, a place on the map for
    every state, and every link and fragment resolving."""
    pathway = generated_pathway(300)
    built = build_site(pathway, tmp_path / "out")
    assert built.maps == "one"
    expected = {"index.html", "glossary.html", "map.html"}
    expected |= {f"states/{s.id}.html" for s in pathway.states}
    assert set(built.pages) == expected
    parsed = {name: read(built, name) for name in built.pages}
    anchors = {name: ids(page) for name, page in parsed.items()}
    assert {f"map-{s.id}" for s in pathway.states} <= anchors["map.html"]
    for state in pathway.states:
        page = parsed[f"states/{state.id}.html"]
        links = page.find("section", class_="next").find_all("a", class_="choice-link")
        steps = journey_at(pathway, state.id).next_steps()
        assert [a.attrs["href"] for a in links] == [f"../states/{s.dest}.html" for s in steps]
        maps = {v for _, _, v in addresses(page) if "map" in v.split("#")[0]}
        assert maps == {f"../map.html#map-{state.id}"}
    for name, page in parsed.items():
        for _, _, value in addresses(page):
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue
            target = _normalise((PurePosixPath(name).parent / unquote(parts.path)).as_posix())
            target = target if parts.path else name
            assert (built.out / target).is_file(), (name, value)
            if parts.fragment:
                assert parts.fragment in anchors[target], (name, value)


def test_state_pages_do_not_grow_with_the_pathway(pathway: Pathway) -> None:
    """A static state page lists no other states (the presenter's jump list is left out),
    so the whole site grows linearly with the number of states."""
    pages = Pages(pathway, None)
    view = pages.state_view(journey_at(pages.pathway, "relapse"), "patient", StaticLinks("../"))
    assert view["jump_to"] == [] and view["jump_url"] is None
    assert view["path"] is None and view["back_url"] is None


def test_building_again_replaces_its_own_files_and_keeps_others(
    pathway: Pathway, tmp_path: Path
) -> None:
    """A rebuild removes files it no longer makes (the per-state maps) and keeps files it
    never made (such as a host's CNAME)."""
    out = tmp_path / "out"
    build_site(pathway, out, maps="each")
    (out / "CNAME").write_text("guide.example.org\n")
    site = build_site(pathway, out, maps="one")
    assert not (out / "map").exists()
    assert (out / "CNAME").read_text() == "guide.example.org\n"
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == {*site.files, MANIFEST, "CNAME"}


def test_a_folder_with_other_files_is_refused_untouched(pathway: Pathway, tmp_path: Path) -> None:
    """A non-empty folder that is not an earlier site is refused, and nothing in it changes."""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PathwaysError, match="not empty") as caught:
        build_site(pathway, tmp_path)
    assert "new or empty folder" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_file_in_place_of_the_folder_is_refused(pathway: Pathway, tmp_path: Path) -> None:
    """OUT naming a file is a clean error."""
    (tmp_path / "site").write_text("x")
    with pytest.raises(PathwaysError, match="is a file"):
        build_site(pathway, tmp_path / "site")


def test_a_manifest_never_removes_files_outside_the_site(pathway: Pathway, tmp_path: Path) -> None:
    """Lines of a manifest that lead out of the folder are ignored."""
    out = tmp_path / "out"
    build_site(pathway, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    with (out / MANIFEST).open("a") as manifest:
        manifest.write("../victim.txt\n/etc/hostname\n")
    build_site(pathway, out)
    assert victim.read_text() == "keep me"


def test_a_broken_template_leaves_the_site_as_it_was(pathway: Pathway, tmp_path: Path) -> None:
    """A template that fails, or drops the support line, stops the build before any file
    is written: the earlier site stays whole."""
    out = tmp_path / "out"
    build_site(pathway, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    failing = tmp_path / "failing" / "web"
    failing.mkdir(parents=True)
    (failing / "glossary.html").write_text("{{ no_such_value }}")
    with pytest.raises(ContentError, match=r"glossary\.html:1:1: .*no_such_value"):
        build_site(pathway, out, failing.parent)
    unsupported = tmp_path / "unsupported" / "web"
    unsupported.mkdir(parents=True)
    (unsupported / "_support.html").write_text("<p>Ask someone.</p>")
    with pytest.raises(ContentError, match="support line"):
        build_site(pathway, out, unsupported.parent)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_new_folder_is_not_left_behind_by_a_failed_build(
    pathway: Pathway, tmp_path: Path
) -> None:
    """A build that fails into a new folder does not create it."""
    templates = tmp_path / "templates" / "web"
    templates.mkdir(parents=True)
    (templates / "map.html").write_text("{% broken")
    with pytest.raises(ContentError):
        build_site(pathway, tmp_path / "new", tmp_path / "templates")
    assert not (tmp_path / "new").exists()


def test_a_file_that_cannot_be_written_is_a_clean_error_and_changes_nothing(
    pathway: Pathway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are written by a second thread while pages are made: a write that fails
    there (a full disk, say) is one clean message, and OUT is left as it was, whether it
    held an earlier build or was new."""
    earlier = build_site(pathway, tmp_path / "earlier")
    before = {p: p.read_bytes() for p in earlier.out.rglob("*") if p.is_file()}
    real_write = site_module.os.write

    def full_disk(handle: int, data: Any) -> int:
        if len(data) > 1000:
            raise OSError(28, "No space left on device")
        return real_write(handle, data)

    monkeypatch.setattr(site_module.os, "write", full_disk)
    for out in (earlier.out, tmp_path / "new"):
        with pytest.raises(PathwaysError, match=r"could not write the site.*No space left"):
            build_site(pathway, out)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in earlier.out.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "new").exists()


def test_a_users_state_template_overrides_only_its_own_page(
    pathway: Pathway, tmp_path: Path
) -> None:
    """A user's web/states/<id>.html makes that state's file and no other (the build
    reads the templates folder once and looks such templates up in what it found)."""
    override = tmp_path / "templates" / "web" / "states" / "car_t.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% extends "web/state.html" %}{% block title %}Our own CAR-T page{% endblock %}',
        encoding="utf-8",
    )
    built = build_site(pathway, tmp_path / "out", tmp_path / "templates")
    own = read(built, "states/car_t.html").find("title").text
    other = read(built, "states/relapse.html").find("title").text
    assert own.startswith("Our own CAR-T page")
    assert not other.startswith("Our own")


def test_static_links_lead_between_files(pathway: Pathway) -> None:
    """StaticLinks: pages under states/ reach the top with ../; no journey links."""
    journey = journey_at(pathway, "relapse")
    step = journey.next_steps()[0]
    inner, top = StaticLinks("../"), StaticLinks("", maps_each=False)
    assert inner.state(journey) == "../states/relapse.html"
    assert inner.step(journey, "patient", step) == f"../states/{step.dest}.html"
    assert inner.map(journey, "patient") == "../map/relapse.html"
    assert top.map(journey, "patient") == "map.html#map-relapse"
    assert inner.restart(journey, "patient") == f"../states/{pathway.start}.html"
    assert inner.home() == "../index.html" and top.glossary() == "glossary.html"
    for missing in (
        inner.back(journey, "patient"),
        inner.print(journey),
        inner.in_mode(journey, "present"),
        inner.topic_form(journey, "patient"),
        inner.jump_form(journey, "patient"),
        inner.begin_form(),
    ):
        assert missing is None


# --------------------------------------------------------------------------- command line


def test_export_site_command_writes_the_folder(tmp_path: Path) -> None:
    """`pathways export site OUT` writes the site and says where to open it."""
    result = CliRunner().invoke(main, ["export", "site", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.html").is_file()
    assert "index.html" in result.output


def test_export_site_command_refuses_a_foreign_folder_cleanly(tmp_path: Path) -> None:
    """A non-empty folder gets one message and exit code 1, no traceback."""
    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(main, ["export", "site", str(tmp_path), "--maps", "one"])
    assert result.exit_code == 1
    assert "not empty" in result.output and "Traceback" not in result.output


def test_export_site_help_states_the_real_map_limit() -> None:
    """The --maps help names the limit the code uses."""
    result = CliRunner().invoke(main, ["export", "site", "--help"])
    assert f"up to {site_module.MAPS_EACH_UP_TO} states" in " ".join(result.output.split())


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium as the other browser tests launch it (tests/browser_support.py); skipped,
    with the reason, where there is no /usr/bin/chromium."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium")
    from browser_support import chromium

    with chromium() as launched:
        yield launched


@pytest.mark.browser
def test_click_from_the_start_to_a_state_and_to_the_map_over_file_urls(
    browser: Browser, site: Site, pathway: Pathway
) -> None:
    """From file://.../index.html: Start, a choice, the map, a box on the map; styles load
    and nothing is requested from anywhere but the site's folder."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    root = site.out.resolve().as_uri()
    try:
        page.goto(f"{root}/index.html")
        with page.expect_navigation():
            page.get_by_role("link", name="Start the guide", exact=True).click()
        assert page.url == f"{root}/states/{pathway.start}.html"
        assert page.locator("h1").inner_text() == pathway.state(pathway.start).title
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(240, 244, 245)", "the stylesheet did not load"
        step = journey_at(pathway, pathway.start).next_steps()[0]
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(re.escape(step.label))).click()
        assert page.url == f"{root}/states/{step.dest}.html"
        with page.expect_navigation():
            page.get_by_role("link", name="Map of the pathway").click()
        assert page.url == f"{root}/map/{step.dest}.html"
        assert page.locator(f"#map-{step.dest}").get_attribute("class") == (
            "node map-state map-here"
        )
        with page.expect_navigation():
            page.locator("#map-relapse a").click()
        assert page.url == f"{root}/states/relapse.html"
        with page.expect_navigation():
            page.get_by_role("link", name="Words used in this guide", exact=True).click()
        assert page.locator("h1").inner_text() == "Words used in this guide"
    finally:
        context.close()
    assert requested and all(url.startswith(root + "/") for url in requested), requested


@pytest.mark.browser
def test_keyboard_alone_reaches_the_first_choice(browser: Browser, site: Site) -> None:
    """Tab from the top of the start page reaches Start, Enter follows it, with focus shown."""
    from test_browser import tab_to

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site.out.resolve().as_uri()}/index.html")
        tab_to(page, "Start")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/states/first_treatment.html")
    finally:
        context.close()


STATIC_PAGE_TYPES = {
    "start": "index.html",
    "state": "states/relapse.html",
    "state with a number": "states/first_treatment.html",
    "end state": "states/palliative_care.html",
    "map at a state": "map/relapse.html",
    "whole map": "map.html",
    "glossary": "glossary.html",
}


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(STATIC_PAGE_TYPES))
def test_axe_finds_no_wcag_violations_on_static_pages(
    browser: Browser, site: Site, kind: str
) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA, target size included) finds nothing on the static
    start, state, map and glossary pages opened from file://, and none scrolls sideways at
    1280 or at 320 pixels."""
    from browser_support import axe_source, axe_violations

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{site.out.resolve().as_uri()}/{STATIC_PAGE_TYPES[kind]}")
        problems = axe_violations(page, axe_source())
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        page.set_viewport_size({"width": 320, "height": 640})
        narrow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert overflow <= 0 and narrow <= 0, f"{kind} scrolls sideways"


def test_start_page_links_each_chapter_to_its_page(site: Site, pathway: Pathway) -> None:
    """The static start page offers each chapter as a link to its state's page."""
    page = read(site, "index.html")
    links = {a.text: a.attrs["href"] for a in page.find("section", class_="chapters").find_all("a")}
    assert links == {c.title: f"states/{c.start}.html" for c in pathway.chapters}


@pytest.mark.browser
@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("kind", list(STATIC_PAGE_TYPES))
def test_static_pages_let_a_reader_see_the_statement_and_the_support_line(
    browser: Browser, site: Site, pathway: Pathway, kind: str, media: str
) -> None:
    """Opened from file://, on screen and printed, every kind of static page shows the
    intended-purpose statement and the support line where a reader can see them."""
    from browser_support import visibility_problems

    texts = {
        "intended purpose": pathway.metadata.intended_purpose,
        "support line name": pathway.support_line.name,
        "support line phone": pathway.support_line.phone,
    }
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        page.emulate_media(media=media)  # type: ignore[arg-type]
        page.goto(f"{site.out.resolve().as_uri()}/{STATIC_PAGE_TYPES[kind]}")
        problems = {n: p for n, t in texts.items() if (p := visibility_problems(page, t))}
    finally:
        context.close()
    assert not problems, f"{kind} ({media}): {problems}"
