"""Many pathways in a browser: the catalogue (axe, search as one types, search without
JavaScript), both pathways walked, presenter mode switching pathway, the embed, and the
static site of both opened from file://."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Browser

from browser_support import axe_source, axe_violations, chromium, serve
from paths import DATA, ROOT
from pathways.catalogue import load_catalogue
from pathways.web import create_catalogue_app

pytestmark = pytest.mark.browser

FILES = [DATA / "pathways" / "knee_recovery.yaml", DATA / "pathways" / "diabetes_clinic.yaml"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = create_catalogue_app(load_catalogue([*FILES, ROOT / "pathways.yaml"]))
    with serve(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_on_the_catalogue(browser: Browser, base: str, width: int) -> None:
    """axe-core (WCAG 2.0-2.2 A and AA, target size included) finds no violation on the
    catalogue, filtered or not, and it does not scroll sideways."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for address in ("/", "/?q=knee", "/?q=nothing+at+all"):
            page.goto(base + address)
            problems = axe_violations(page, axe_source())
            assert not problems, "\n".join(problems)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0
    finally:
        context.close()


def test_search_filters_as_one_types_and_without_script(browser: Browser, base: str) -> None:
    """Typing in the search box hides the guides that do not match at once (and says how
    many are shown); with JavaScript off, the Search button does the same on the server."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base + "/")
        entries = page.locator("li.catalogue-entry")
        assert entries.count() == 3
        page.get_by_label("Search the guides").fill("diabetes")
        assert page.locator("li.catalogue-entry:visible").count() == 1
        assert "1 of 3 guides" in page.locator("#catalogue-count").inner_text()
        page.get_by_label("Search the guides").fill("")
        assert page.locator("li.catalogue-entry:visible").count() == 3
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.get_by_label("Search the guides").fill("knee")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        assert page.locator("li.catalogue-entry:visible").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("pathway_id", ["knee_recovery", "diabetes_clinic"])
def test_each_pathway_is_walked_from_the_catalogue(
    browser: Browser, base: str, pathway_id: str
) -> None:
    """From the catalogue: Read, Start, a first choice, then the embed and presenter mode
    of the same pathway, each staying under /p/<id>/."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base + "/")
        entry = page.locator(f"li:has(#guide-{pathway_id})")
        with page.expect_navigation():
            entry.get_by_role("link", name=re.compile("^Read")).click()
        assert page.url == f"{base}/p/{pathway_id}/"
        with page.expect_navigation():
            page.locator("form.start-form button, .start-form .button").first.click()
        assert f"/p/{pathway_id}/j/" in page.url
        with page.expect_navigation():
            page.locator(".choice-link").first.click()
        assert f"/p/{pathway_id}/j/" in page.url
        page.goto(f"{base}/p/{pathway_id}/embed/")
        assert page.locator("h1").count() == 1
        page.goto(f"{base}/p/{pathway_id}/begin?mode=present")
        assert f"/p/{pathway_id}/present/" in page.url
    finally:
        context.close()


def test_presenter_switches_pathway_without_the_catalogue(browser: Browser, base: str) -> None:
    """In presenter mode, 'Switch guide' opens the other pathway's presenter mode."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"{base}/p/knee_recovery/begin?mode=present")
        page.get_by_text("Switch guide").click()
        with page.expect_navigation():
            page.locator(".switch-pathway a").first.click()
        assert "/p/diabetes_clinic/present/" in page.url
        assert axe_violations(page, axe_source()) == []
    finally:
        context.close()


def test_static_site_of_both_works_from_file_urls(browser: Browser, tmp_path: Path) -> None:
    """The static site of two pathways from file://: the index, a guide, its Start and a
    choice; styles load and nothing is asked of any other place."""
    from pathways.site import build_catalogue_site

    out = tmp_path / "site"
    build_catalogue_site(load_catalogue(FILES), out)
    root = out.resolve().as_uri()
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(f"{root}/index.html")
        assert axe_violations(page, axe_source()) == []
        with page.expect_navigation():
            page.locator("li:has(#guide-diabetes_clinic)").get_by_role(
                "link", name=re.compile("^Read")
            ).click()
        assert page.url == f"{root}/diabetes_clinic/index.html"
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile("^Start")).click()
        assert page.url.startswith(f"{root}/diabetes_clinic/states/")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(240, 244, 245)", "the stylesheet did not load"
        with page.expect_navigation():
            page.locator(".choice-link").first.click()
        assert page.url.startswith(f"{root}/diabetes_clinic/states/")
    finally:
        context.close()
    assert requested and all(url.startswith(root + "/") for url in requested), requested
