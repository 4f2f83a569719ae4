"""The map's size limit (``mapsvg.MOST_DRAWN``): a pathway just over it gets, on every
page kind that shows a map (the web app's map, presenter mode's map, the static site's
map in either kind), its places as a list with the reason there is no drawing, and
nothing is laid out; a pathway of exactly the limit is drawn."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from generated import generated_pathway
from htmltree import Node, parse
from pathways import mapsvg
from pathways.cli import main
from pathways.journey import Journey
from pathways.mapsvg import MOST_DRAWN, TooLargeToDraw
from pathways.schema import Pathway
from pathways.site import build_site
from pathways.web import create_app


@pytest.fixture(scope="module")
def over() -> Pathway:
    return generated_pathway(MOST_DRAWN + 1)


@pytest.fixture(scope="module")
def at_limit() -> Pathway:
    return generated_pathway(MOST_DRAWN)


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of states of every map Graphviz lays out during the test."""
    seen: list[int] = []
    real: Callable[..., Any] = mapsvg._lay_out

    def counting(pathway: Pathway, *args: Any) -> Any:
        seen.append(len(pathway.states))
        return real(pathway, *args)

    monkeypatch.setattr(mapsvg, "_lay_out", counting)
    return seen


def map_pages(pathway: Pathway, folder: Path) -> Iterator[tuple[str, Node]]:
    """Every kind of page that shows a map, for ``pathway``: (what it is, parsed)."""
    middle = Journey.begin(pathway, at=pathway.states[len(pathway.states) // 2].id)
    with TestClient(create_app(pathway=pathway), follow_redirects=False) as client:
        for mode in ("j", "present"):
            response = client.get(f"/{mode}/{middle.token}/map")
            assert response.status_code == 200, response.text
            yield f"/{mode}/ map page", parse(response.text)
    for maps in ("one", "each"):
        site = build_site(pathway, folder / maps, maps=maps)
        yield f"site ({maps}) map.html", parse((site.out / "map.html").read_text("utf-8"))
        if maps == "each":
            name = f"map/{middle.state}.html"
            yield f"site {name}", parse((site.out / name).read_text("utf-8"))


def _drawings(page: Node) -> list[Node]:
    return [n for n in page.iter() if n.tag == "svg" and "pathway-map" in n.attrs.get("class", "")]


def _text(node: Node) -> str:
    parts: list[str] = []

    def walk(n: Node) -> None:
        for child in n.children:
            parts.append(child) if isinstance(child, str) else walk(child)

    walk(node)
    return " ".join(" ".join(parts).split())


def test_a_pathway_over_the_limit_is_listed_with_the_reason_and_never_laid_out(
    over: Pathway, tmp_path: Path, layouts: list[int]
) -> None:
    for what, page in map_pages(over, tmp_path):
        assert _drawings(page) == [], what
        text = _text(page)
        assert f"This pathway has {len(over.states):,} parts: too many to draw" in text, what
        assert f"A map is drawn for a pathway of up to {MOST_DRAWN} parts" in text, what
        section = page.find("section", class_="map-list")
        listed = [li.attrs.get("id") for li in section.iter() if li.tag == "li"]
        # Each place where its box would be, so "map.html#map-<id>" still lands on it.
        assert listed == [f"map-{s.id}" for s in over.states], what
    assert layouts == []


def test_a_pathway_at_the_limit_is_drawn(
    at_limit: Pathway, tmp_path: Path, layouts: list[int]
) -> None:
    for what, page in map_pages(at_limit, tmp_path):
        assert len(_drawings(page)) == 1, what
        assert "too many to draw" not in _text(page), what
        section = page.find("section", class_="map-list")
        assert all("id" not in li.attrs for li in section.iter() if li.tag == "li"), what
    assert layouts and set(layouts) == {MOST_DRAWN}


def test_export_site_help_names_the_real_drawing_limit() -> None:
    result = CliRunner().invoke(main, ["export", "site", "--help"])
    assert f"Past {MOST_DRAWN} states a map is not drawn" in " ".join(result.output.split())


def test_nothing_lays_out_a_map_over_the_limit(over: Pathway) -> None:
    """The one home of the limit refuses, whoever asks."""
    with pytest.raises(TooLargeToDraw, match=f"up to {MOST_DRAWN} states"):
        mapsvg.map_svg(over)
