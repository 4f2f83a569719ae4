"""Every 4xx under any /api/ address is problem details (RFC 9457), whoever answers it.

For a single-pathway app and a catalogue (each pathway at /p/<id>/, the catalogue's own
/api/pathways), at the root and under --root-path, this walks every /api/ route and sends
each kind of bad request: a wrong method (405, with an ``Allow`` whose every method does
answer), an unknown address below it (404), a damaged token (400), a body of the wrong
shape (422), an address too long (414), headers too large (431), and a body too large,
with a Content-Length and chunked (413). Every answer must be ``application/problem+json``
with the documented members, a ``type`` that is a documented problem type of the right
status (a section of the right documentation page), and the statement and support line
of the pathway it belongs to (none for the catalogue's own, which speaks for no pathway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response

from paths import DATA, ROOT
from pathways.api import DOCS_PATH, PREFIX
from pathways.apidocs import PROBLEM_STATUS, PROBLEM_TYPES
from pathways.catalogue import load_catalogue
from pathways.journey import Journey
from pathways.loader import load_pathway
from pathways.middleware.limits import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES
from pathways.schema import Pathway
from pathways.web import create_app, create_catalogue_app

KNEE = DATA / "pathways" / "knee_recovery.yaml"
SHIPPED = ROOT / "pathways.yaml"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MEMBERS = {"type", "title", "status", "detail", "instance", "allowed", "hint"}


class Site:
    """A client of an app served under ``root`` (as ``--root-path`` serves it: the path
    asked for starts with it, and the ASGI root path says so)."""

    def __init__(self, app: FastAPI, root: str) -> None:
        self.client = TestClient(app, root_path=root)
        self.root = root

    def send(self, method: str, address: str, **kwargs: Any) -> Response:
        return self.client.request(method, self.root + address, follow_redirects=False, **kwargs)


def pathway_routes(app: FastAPI, pathway: Pathway) -> list[tuple[str, set[str]]]:
    """Every /api/ route of a pathway's app, its parameters filled in, with its methods."""
    journey = Journey.begin(pathway)
    values = {
        "token": journey.token,
        "state_id": pathway.start,
        "trigger": journey.next_steps()[0].trigger,
    }
    found: dict[str, set[str]] = {}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.path.startswith(PREFIX + "/"):
            continue
        address = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
        found.setdefault(address, set()).update(route.methods or ())
    found.pop(DOCS_PATH, None)  # the documentation page: a page, not the API
    return sorted(found.items())


def expect_problem(
    response: Response, status: int, docs: str, framing: Pathway | None, address: str
) -> dict[str, Any]:
    """The answer is problem details of this status, typed by ``docs``, framed by the
    pathway (or by none)."""
    assert response.status_code == status, (address, response.status_code, response.text[:200])
    assert response.headers["content-type"] == "application/problem+json", address
    assert response.headers["x-content-type-options"] == "nosniff", address
    if response.request.method == "HEAD":
        return {}
    body: dict[str, Any] = response.json()
    assert set(body) >= MEMBERS, (address, body)
    assert body["status"] == status
    where, _, anchor = body["type"].partition("#")
    assert where == docs, (address, body["type"])
    name = anchor.removeprefix("problem-")
    assert name in PROBLEM_TYPES and PROBLEM_STATUS[name] == status, (address, name)
    assert body["title"] == PROBLEM_TYPES[name][0]
    if framing is None:
        assert "intended_purpose" not in body and "support" not in body, address
    else:
        assert body["intended_purpose"] == framing.metadata.intended_purpose
        assert body["support"]["phone"] == framing.support_line.phone
    return body


def bad_requests(
    site: Site,
    address: str,
    methods: set[str],
    docs: str,
    framing: Pathway | None,
    *,
    below: bool = True,
) -> None:
    """Each kind of bad request at one /api/ address (``below``: and an address under it
    that nothing answers; under the catalogue's own /api/ those lead to the first pathway,
    as a single pathway's addresses did)."""
    wrong = next(m for m in ("DELETE", "PUT", "PATCH") if m not in methods)
    refused = site.send(wrong, address)
    body = expect_problem(refused, 405, docs, framing, address)
    allow = [m.strip() for m in refused.headers["allow"].split(",")]
    assert set(allow) == methods and body["allowed"] == allow, (address, allow)
    for method in allow:  # every method Allow names is answered, not refused
        assert site.send(method, address).status_code != 405, (address, method)
    if below:
        below_it = site.send("GET", address + "/no/such/part/here")
        expect_problem(below_it, 404, docs, framing, address)
    long = site.send("GET", address + "?q=" + "x" * MAX_URL_BYTES)
    expect_problem(long, 414, docs, framing, address)
    heavy = site.send("GET", address, headers={"x-padding": "x" * MAX_HEADER_BYTES})
    expect_problem(heavy, 431, docs, framing, address)
    sized = site.send("POST", address, headers={"content-length": str(MAX_BODY_BYTES + 1)})
    expect_problem(sized, 413, docs, framing, address)
    if "POST" in methods:  # a body that is read: counted as it arrives, and its shape
        chunks = (b"x" * 8192 for _ in range(MAX_BODY_BYTES // 8192 + 2))
        expect_problem(site.send("POST", address, content=chunks), 413, docs, framing, address)
        shape = site.send(
            "POST", address, content=b"{not json", headers={"content-type": "application/json"}
        )
        expect_problem(shape, 422, docs, framing, address)


@pytest.fixture(scope="module")
def shipped() -> Pathway:
    return load_pathway(SHIPPED)


@pytest.mark.parametrize("root", ["", "/guides"])
def test_every_api_route_of_a_single_pathway_answers_problems(shipped: Pathway, root: str) -> None:
    app = create_app(pathway=shipped)
    site = Site(app, root)
    routes = pathway_routes(app, shipped)
    assert len(routes) >= 9
    for address, methods in routes:
        bad_requests(site, address, methods, root + DOCS_PATH, shipped)
        if "/journeys/" in address:  # a damaged token
            damaged = re.sub(r"/journeys/[^/]+", "/journeys/AAAA", address)
            body = expect_problem(
                site.send("GET", damaged), 400, root + DOCS_PATH, shipped, damaged
            )
            assert body["type"].endswith("#problem-bad-token")
    missing = site.send("GET", f"{PREFIX}/no-such-address")
    expect_problem(missing, 404, root + DOCS_PATH, shipped, "missing")


@pytest.fixture(scope="module")
def catalogue_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The shipped pathway and the knee guide served, a third pathway past its review
    (withdrawn)."""
    folder = tmp_path_factory.mktemp("withdrawn")
    overdue = folder / "overdue.yaml"
    text = (DATA / "pathways" / "diabetes_clinic.yaml").read_text(encoding="utf-8")
    text = re.sub(r"next_review: \S+", "next_review: 2001-02-01", text, count=1)
    text = re.sub(r"reviewed: \S+", "reviewed: 2000-02-01", text, count=1)
    overdue.write_text(text, encoding="utf-8")
    catalogue = load_catalogue([SHIPPED, KNEE, overdue])
    assert [e.withdrawn is not None for e in catalogue.entries] == [False, False, True]
    yield create_catalogue_app(catalogue)


@pytest.mark.parametrize("root", ["", "/guides"])
def test_every_api_route_of_a_catalogue_answers_problems(catalogue_app: FastAPI, root: str) -> None:
    site = Site(catalogue_app, root)
    children: dict[str, FastAPI] = catalogue_app.state.children
    default = next(iter(children))
    own_docs = f"{root}/p/{default}{DOCS_PATH}"
    # Each pathway's own API, under its /p/<id>/.
    for pathway_id, child in children.items():
        pathway: Pathway = child.state.pages.pathway
        docs = f"{root}/p/{pathway_id}{DOCS_PATH}"
        for address, methods in pathway_routes(child, pathway):
            bad_requests(site, f"/p/{pathway_id}{address}", methods, docs, pathway)
        missing = site.send("GET", f"/p/{pathway_id}{PREFIX}/no-such-address")
        expect_problem(missing, 404, docs, pathway, pathway_id)
    # The catalogue's own: /api/pathways, and the API of a pathway not served here.
    bad_requests(site, f"{PREFIX}/pathways", {"GET", "HEAD"}, own_docs, None, below=False)
    listing = site.send("GET", f"{PREFIX}/pathways")
    assert listing.status_code == 200 and listing.json()["pathways"]
    assert site.send("HEAD", f"{PREFIX}/pathways").status_code == 200
    unknown = site.send("GET", f"/p/no_such_guide{PREFIX}/pathway")
    body = expect_problem(unknown, 404, own_docs, None, "unknown")
    assert body["allowed"] == [f"{root}{PREFIX}/pathways"]
    withdrawn = site.send("GET", f"/p/diabetes_clinic{PREFIX}/pathway")
    body = expect_problem(withdrawn, 410, own_docs, None, "withdrawn")
    assert body["type"].endswith("#problem-pathway-withdrawn") and "review" in body["detail"]
    expect_problem(site.send("GET", PREFIX), 404, own_docs, None, PREFIX)
    for status, request in (
        (414, {"url": f"{PREFIX}/x?q=" + "x" * MAX_URL_BYTES}),
        (431, {"url": f"{PREFIX}/x", "headers": {"x-padding": "x" * MAX_HEADER_BYTES}}),
    ):
        url = request.pop("url")
        expect_problem(site.send("GET", url, **request), status, own_docs, None, url)


def test_pages_keep_their_error_pages(catalogue_app: FastAPI, shipped: Pathway) -> None:
    """Outside /api/ the same refusals are pages, not JSON (the API docs page included)."""
    for app in (catalogue_app, create_app(pathway=shipped)):
        site = Site(app, "")
        for address in (
            "/x?q=" + "x" * MAX_URL_BYTES,
            "/p/no_such_guide/",
            DOCS_PATH + "?q=" + "x" * MAX_URL_BYTES,
        ):
            answer = site.send("GET", address)
            assert answer.status_code in (404, 414)
            assert answer.headers["content-type"].startswith("text/html"), address
