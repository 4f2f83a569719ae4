"""The ways in for developers: the Python API (``pathways.__all__``), the examples in the
README and docs (run here), and the JSON API under /api/ (route by route, against the core,
and by schemathesis against the app's own OpenAPI document)."""

from __future__ import annotations

import ast
import json
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import pathways
from paths import ROOT
from pathways.answers import JourneyAnswer, PathwayAnswer, Problem, StateView
from pathways.export import pathway_from_dict, pathway_to_dict
from pathways.journey import MAX_PATH, Journey
from pathways.loader import load_pathway
from pathways.middleware.headers import CONTENT_SECURITY_POLICY
from pathways.schema import Pathway
from pathways.templating import render
from pathways.web import create_app

HEAVY = ("pydantic", "jinja2", "transitions", "yaml", "fastapi", "starlette", "click")


# --------------------------------------------------------------------------- Python API


def test_all_is_sorted() -> None:
    """pathways.__all__ is in sorted order, so a new name has one obvious place."""
    assert pathways.__all__ == sorted(pathways.__all__)
    assert len(set(pathways.__all__)) == len(pathways.__all__)


@pytest.mark.parametrize("name", pathways.__all__)
def test_every_public_name_resolves(name: str) -> None:
    """Each name in __all__ can be imported from pathways and is the object it names."""
    value = getattr(pathways, name)
    assert value is not None
    if not name.startswith("__"):
        assert getattr(value, "__name__", name) == name


def test_the_public_names_are_exactly_all() -> None:
    """Once every name is loaded, the package's public names (submodules aside) are __all__.

    The model is httpx's tests/test_exported_members.py.
    """
    for name in pathways.__all__:
        getattr(pathways, name)
    public = {
        name
        for name, value in vars(pathways).items()
        if not isinstance(value, types.ModuleType)
        and (not name.startswith("_") or name == "__version__")
    }
    assert public == set(pathways.__all__)
    assert set(dir(pathways)) >= set(pathways.__all__)


def test_type_checkers_see_the_same_names() -> None:
    """The TYPE_CHECKING imports name each public name, from the module that owns it."""
    tree = ast.parse((ROOT / "src" / "pathways" / "__init__.py").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                for alias in statement.names:
                    seen[alias.name] = statement.module
    assert set(seen) == set(pathways.__all__) - {"__version__"}
    for name, module in seen.items():
        assert getattr(pathways, name).__module__ == module, name


def test_unknown_names_are_attribute_errors() -> None:
    """A name the package does not have is an AttributeError; submodules still import."""
    with pytest.raises(AttributeError, match="no_such_name"):
        pathways.no_such_name  # noqa: B018 - the attribute access is the test
    from pathways import resources

    assert resources.default_pathway_file().name == "pathways.yaml"


def test_import_pathways_loads_no_heavy_library() -> None:
    """`import pathways` (what the command line does first) loads none of the big libraries."""
    code = (
        "import sys, pathways; "
        f"print([m for m in {HEAVY!r} if m in sys.modules]); "
        "from pathways import Journey; "
        "print('transitions' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"  # and a name, once used, brings what it needs


# --------------------------------------------------------------------------- docs examples

SKIP_MARK = re.compile(r"<!--\s*not run:.*?-->\s*$")
"""Put ``<!-- not run: why -->`` on the line before a ```python block that must not run."""


def python_examples(paths: list[Path]) -> list[tuple[str, str]]:
    """Every ```python block of these files, as (file:line, code), less the marked ones."""
    found = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            if lines[index].strip() == "```python":
                end = lines.index("```", index + 1)
                before = lines[index - 1] if index else ""
                if not SKIP_MARK.search(before):
                    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                    found.append((f"{name}:{index + 2}", "\n".join(lines[index + 1 : end]) + "\n"))
                index = end
            index += 1
    return found


EXAMPLES = python_examples([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def test_examples_marked_not_run_are_left_out(tmp_path: Path) -> None:
    """A block after `<!-- not run: ... -->` is not run; the others are, with their line."""
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```python\nx = 1\n```\n\n<!-- not run: needs a server -->\n"
        "```python\nraise SystemExit\n```\n\n```sh\necho no\n```\n",
        encoding="utf-8",
    )
    assert python_examples([page]) == [("page.md:4", "x = 1\n")]


def test_the_docs_have_python_examples() -> None:
    """The README and docs/embedding.md show the Python API (so the test below runs
    something)."""
    assert any(where.startswith("README.md") for where, _ in EXAMPLES)
    assert any(where.startswith("docs/embedding.md") for where, _ in EXAMPLES)


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_python_example_runs(
    where: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Python example in the README and docs runs as written, in an empty folder."""
    monkeypatch.chdir(tmp_path)
    compiled = compile(code, where, "exec")
    exec(compiled, {"__name__": "__example__"})


# --------------------------------------------------------------------------- the JSON API


def test_pathway_answer_is_the_json_export(client: TestClient, pathway: Pathway) -> None:
    """GET /api/pathway is the JSON export, with the statement and the support line."""
    response = client.get("/api/pathway")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["pathway"] == pathway_to_dict(pathway)
    assert pathway_from_dict(answer["pathway"]) == pathway
    assert answer["intended_purpose"] == pathway.metadata.intended_purpose
    assert answer["support"]["phone"] == pathway.support_line.phone
    PathwayAnswer.model_validate(answer)


@pytest.mark.parametrize("topic", ["", "positive", "negative", "not_known"])
def test_every_state_answers_as_the_json_render(
    client: TestClient, pathway: Pathway, topic: str
) -> None:
    """GET /api/states/{id} is `pathways show --format json`, next filtered by the topic."""
    context = {"philadelphia": topic} if topic else None
    query = f"?philadelphia={topic}" if topic else ""
    for state in pathway.states:
        answer = client.get(f"/api/states/{state.id}{query}").json()
        expected = json.loads(render(Journey.begin(pathway, context, at=state.id), "json"))
        assert answer == expected, state.id
        StateView.model_validate(answer)


def test_next_steps_follow_the_topic(client: TestClient, pathway: Pathway) -> None:
    """A step for Philadelphia positive ALL is listed for that topic and labelled under the
    default one, and left out for Philadelphia negative ALL."""

    def steps(topic: str) -> dict[str, list[str]]:
        answer = client.get(f"/api/states/relapse?philadelphia={topic}").json()
        return {s["trigger"]: s["applies_to"] for s in answer["next"]}

    assert steps("positive")["switch_tki"] == []
    assert steps("not_known")["switch_tki"] == ["Philadelphia positive ALL"]
    assert "switch_tki" not in steps("negative")


def test_begin_answers_201_with_the_journey_address(client: TestClient, pathway: Pathway) -> None:
    """POST /api/journeys begins a journey (with topics and a place) at a new address."""
    response = client.post(
        "/api/journeys", json={"context": {"philadelphia": "negative"}, "at": "relapse"}
    )
    assert response.status_code == 201
    answer = response.json()
    journey = Journey.from_token(pathway, answer["journey"]["token"])
    assert journey == Journey.begin(pathway, {"philadelphia": "negative"}, at="relapse")
    assert response.headers["location"] == f"/api/journeys/{journey.token}"
    assert client.get(response.headers["location"]).json() == answer
    for body in (None, {}):
        plain = client.post("/api/journeys", json=body).json()
        assert plain["journey"]["token"] == Journey.begin(pathway).token


def test_a_jump_is_not_walked_in_the_answer(client: TestClient, pathway: Pathway) -> None:
    """The journey answer after a jump says the state was jumped to, not walked to."""
    start = client.post("/api/journeys", json={}).json()
    answer = client.get(f"{start['links']['self']}/jump/palliative_care").json()
    assert answer["journey"]["path"] == [pathway.start, "palliative_care"]
    assert answer["journey"]["jumped"] == [False, True]
    assert answer["journey"]["walked"] == [pathway.start]
    assert [p["jumped"] for p in answer["state"]["path"]] == [False, True]


def test_moves_are_the_cores_moves(client: TestClient, pathway: Pathway) -> None:
    """Step, back, restart, jump and topics answer exactly the journey the core makes."""
    journey = Journey.begin(pathway).step("goes_into_remission").step("comes_back")
    at = f"/api/journeys/{journey.token}"
    moves = {
        "": journey,
        "/step/join_trial": journey.step("join_trial"),
        "/back": journey.back(),
        "/restart": journey.restart(),
        "/jump/car_t": journey.jump("car_t"),
        "/topics?philadelphia=positive": journey.with_context(philadelphia="positive"),
    }
    for tail, expected in moves.items():
        answer = client.get(at + tail).json()
        JourneyAnswer.model_validate(answer)
        assert answer["journey"] == {
            "token": expected.token,
            "state": expected.state,
            "history": list(expected.history),
            "path": list(expected.path),
            "jumped": list(expected.jumps),
            "walked": list(expected.walked),
            "context": expected.context,
            "can_go_back": expected.can_go_back,
            "earlier": expected.earlier,
            "max_places": MAX_PATH,
        }, tail
        assert answer["state"] == json.loads(render(expected, "json")), tail


def test_links_lead_where_they_say(client: TestClient, pathway: Pathway) -> None:
    """Each step link answers the step's state; back and restart links answer theirs."""
    journey = Journey.begin(pathway).step("goes_into_remission")
    answer = client.get(f"/api/journeys/{journey.token}").json()
    links = answer["links"]
    for link, step in zip(links["steps"], journey.next_steps(), strict=True):
        assert link["trigger"] == step.trigger
        assert client.get(link["href"]).json()["journey"]["state"] == step.dest
    assert client.get(links["back"]).json()["journey"]["state"] == pathway.start
    assert client.get(links["restart"]).json()["journey"]["path"] == [pathway.start]
    assert client.get(links["page"]).status_code == 200
    assert client.get(links["embed"]).status_code == 200
    at_start = client.get(links["restart"]).json()
    assert at_start["links"]["back"] is None


@settings(max_examples=30, deadline=None)
@given(choices=st.lists(st.integers(min_value=0, max_value=20), max_size=12))
def test_a_walk_through_the_api_is_a_walk_through_the_core(choices: list[int]) -> None:
    """Following `next` through the API reaches the same journey as the core, step by step."""
    pathway = _default_pathway()
    client = _default_client()
    journey = Journey.begin(pathway)
    answer = client.post("/api/journeys").json()
    for choice in choices:
        steps = answer["state"]["next"]
        if not steps:
            break
        trigger = steps[choice % len(steps)]["trigger"]
        journey = journey.step(trigger)
        answer = client.get(f"/api/journeys/{answer['journey']['token']}/step/{trigger}").json()
        assert answer["journey"]["token"] == journey.token
        assert [s["trigger"] for s in answer["state"]["next"]] == [
            s.trigger for s in journey.next_steps()
        ]


_CACHE: dict[str, Any] = {}


def _default_pathway() -> Pathway:
    if "pathway" not in _CACHE:
        _CACHE["pathway"] = load_pathway(ROOT / "pathways.yaml")
    return _CACHE["pathway"]  # type: ignore[no-any-return]


def _default_client() -> TestClient:
    if "client" not in _CACHE:
        _CACHE["client"] = TestClient(create_app(pathway=_default_pathway()))
    return _CACHE["client"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- errors


def error_of(response: Any, status: int, kind: str) -> dict[str, Any]:
    """The error answer, checked: problem details (RFC 9457) of this kind and status, with
    the statement and support, its type a section of /api/docs."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    answer = response.json()
    Problem.model_validate(answer)
    assert answer["type"] == f"/api/docs#problem-{kind}"
    assert answer["status"] == status
    assert answer["title"] and answer["detail"] and answer["hint"]
    assert answer["instance"] == response.url.path
    assert answer["intended_purpose"]
    assert answer["support"]["phone"]
    return dict(answer)


def test_a_damaged_token_is_a_400(client: TestClient, pathway: Pathway) -> None:
    """A token that is damaged or made up is 400 bad_token, for every journey address."""
    good = Journey.begin(pathway).token
    for token in ("broken", good[:-1] + ("A" if good[-1] != "A" else "B"), "AAAAAAAAAA"):
        for tail in ("", "/back", "/restart", "/step/comes_back", "/jump/relapse", "/topics"):
            error_of(client.get(f"/api/journeys/{token}{tail}"), 400, "bad-token")


def test_unknown_states_and_steps_are_404s_that_list_what_exists(
    client: TestClient, pathway: Pathway
) -> None:
    """An unknown state, or a step not on from here, is a 404 with `allowed`."""
    start = Journey.begin(pathway)
    error = error_of(client.get("/api/states/relaps"), 404, "unknown-state")
    assert error["allowed"] == list(pathway.state_ids)
    assert "did you mean 'relapse'" in error["detail"]
    error = error_of(client.get(f"/api/journeys/{start.token}/jump/nowhere"), 404, "unknown-state")
    assert error["allowed"] == list(pathway.state_ids)
    error = error_of(
        client.get(f"/api/journeys/{start.token}/step/comes_back"), 404, "step-not-available"
    )
    assert error["allowed"] == [s.trigger for s in start.next_steps()]


def test_unknown_topics_are_400s_and_bad_bodies_422s(client: TestClient, pathway: Pathway) -> None:
    """A topic value the pathway lacks is 400 (query) or 422 (body), listing the values."""
    values = ["positive", "negative", "not_known"]
    error = error_of(client.get("/api/states/relapse?philadelphia=maybe"), 400, "unknown-topic")
    assert error["allowed"] == values
    token = Journey.begin(pathway).token
    error_of(client.get(f"/api/journeys/{token}/topics?philadelphia=maybe"), 400, "unknown-topic")
    bodies = {
        '{"context": {"philadelphia": "maybe"}}': values,
        '{"context": {"ph": "positive"}}': ["philadelphia"],
        '{"at": "nowhere"}': list(pathway.state_ids),
        '{"start": "relapse"}': ["context", "at"],
        '{"context": ': [],
        "[1, 2]": [],
        b"\xff\xfe": [],
    }
    for body, allowed in bodies.items():
        response = client.post(
            "/api/journeys", content=body, headers={"content-type": "application/json"}
        )
        assert error_of(response, 422, "invalid-request")["allowed"] == allowed, body


def test_other_addresses_and_methods_are_json_errors(client: TestClient) -> None:
    """An unknown /api/ address is a problem 404, a wrong method a problem 405 whose Allow
    header and `allowed` list the methods the address does answer: never a page."""
    error = error_of(client.get("/api/nowhere"), 404, "not-found")
    assert "/api/journeys/{token}/step/{trigger}" in error["allowed"]
    error_of(client.get("/api"), 404, "not-found")
    response = client.delete("/api/pathway")
    assert error_of(response, 405, "method-not-allowed")["allowed"] == ["GET", "HEAD"]
    assert response.headers["allow"] == "GET, HEAD"
    response = client.put("/api/journeys")
    assert error_of(response, 405, "method-not-allowed")["allowed"] == ["POST"]
    assert response.headers["allow"] == "POST"


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def test_every_405_allows_exactly_the_methods_that_answer(
    client: TestClient, pathway: Pathway
) -> None:
    """At every address of the API and the site, a method gets 405 exactly when it is not
    in the Allow header of the 405s there (HEAD with GET, wherever GET answers)."""
    token = Journey.begin(pathway).token
    addresses = [
        route.path.replace("{token}", token)
        .replace("{state_id}", "relapse")
        .replace("{state}", "relapse")
        .replace("{trigger}", "goes_into_remission")
        .replace("{name}", "site.css")
        for route in client.app.routes  # type: ignore[attr-defined]
        if "{" not in route.path or "{token}" in route.path or "state_id" in route.path
    ]
    assert "/api/journeys" in addresses and f"/j/{token}" in addresses
    for address in dict.fromkeys(addresses):
        answers = {m: client.request(m, address, json={}) for m in METHODS}
        refused = {m for m, r in answers.items() if r.status_code == 405}
        assert refused, address
        for method in refused:
            allow = answers[method].headers["allow"].split(", ")
            assert set(allow) == set(METHODS) - refused, (address, method)
        if address.startswith("/api/") and address != "/api/docs":  # the docs are a page
            for method in refused - {"HEAD"}:  # a HEAD answer has no body
                error = error_of(answers[method], 405, "method-not-allowed")
                assert set(error["allowed"]) == set(METHODS) - refused


def test_too_large_requests_under_api_are_problems(client: TestClient) -> None:
    """A body over the limit is a problem 413 however it is sent (with Content-Length or
    chunked, never a 422 'not valid JSON'); a long address 414, large headers 431. Pages
    outside /api/ keep their HTML error page."""
    json_type = {"content-type": "application/json"}
    big = b'{"context": {}, "at": "' + b"a" * (64 * 1024) + b'"}'
    sized = client.post("/api/journeys", content=big, headers=json_type)
    assert error_of(sized, 413, "body-too-large")["allowed"] == []
    assert sized.headers["connection"] == "close"
    pieces = iter([big[:100], big[100:40_000], big[40_000:]])
    chunked = client.post("/api/journeys", content=pieces, headers=json_type)
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    error_of(chunked, 413, "body-too-large")
    error_of(client.get("/api/states/" + "a" * 5000), 414, "address-too-long")
    error_of(client.get("/api/pathway", headers={"x-big": "a" * 17_000}), 431, "headers-too-large")
    page = client.get("/j/" + "a" * 5000)
    assert page.status_code == 414
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    small = client.post("/api/journeys", content=b'{"at": "relapse"}', headers=json_type)
    assert small.status_code == 201


@settings(max_examples=60, deadline=None)
@given(
    tail=st.text(
        alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789_-/.%?=&AQ"), max_size=40
    ),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
)
def test_nothing_under_api_is_a_page_or_a_500(tail: str, method: str) -> None:
    """Any address and method under /api/ gets JSON, its errors problem details (or an
    empty HEAD), and never a 500."""
    response = _default_client().request(method, "/api/" + tail)
    assert response.status_code < 500
    # The client resolves dot segments ("/api/.." is "/"), as browsers do: only addresses
    # that stay under /api/ are the API's.
    if response.url.path.startswith("/api/") and response.url.path != "/api/docs":
        # /api/fhir answers FHIR's own JSON type; every error is problem details.
        success = {"application/json", "application/fhir+json"}
        if response.is_success:
            assert response.headers["content-type"] in success, tail
        else:
            assert response.headers["content-type"] == "application/problem+json", tail


def test_a_bug_is_a_json_500_with_the_headers(
    pathway: Pathway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault in the guide answers a problem 500 (details in the log), never a page."""
    app = create_app(pathway=pathway)

    def broken(*args: object) -> dict[str, Any]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(app.state.json_api, "journey_answer", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get(f"/api/journeys/{Journey.begin(pathway).token}")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    answer = Problem.model_validate(response.json())
    assert answer.type == "/api/docs#problem-server-error" and answer.instance is None
    assert "RuntimeError" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_no_cookies_no_cors_and_the_security_headers(client: TestClient, pathway: Pathway) -> None:
    """API answers set no cookie, allow no other origin, and carry the security headers."""
    token = Journey.begin(pathway).token
    for url in ("/api/pathway", f"/api/journeys/{token}", "/api/states/relapse", "/api/no"):
        response = client.get(url, headers={"origin": "https://elsewhere.example"})
        assert "set-cookie" not in response.headers
        assert not any(h.startswith("access-control-") for h in response.headers)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
    preflight = client.options(
        "/api/pathway",
        headers={"origin": "https://elsewhere.example", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 405
    assert not any(h.startswith("access-control-") for h in preflight.headers)


def test_head_answers_every_get(client: TestClient, pathway: Pathway) -> None:
    """HEAD works wherever GET does (for monitors), with no body."""
    token = Journey.begin(pathway).token
    for url in ("/api/pathway", "/api/states/relapse", f"/api/journeys/{token}/back"):
        response = client.head(url)
        assert response.status_code == 200 and response.content == b""


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_describes_the_api_and_nothing_else(client: TestClient) -> None:
    """/openapi.json lists the API's operations only, each answer a schema with no extras."""
    document = client.get("/openapi.json").json()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        ("GET", "/api/pathway"),
        ("GET", "/api/states/{state_id}"),
        ("POST", "/api/journeys"),
        ("GET", "/api/journeys/{token}"),
        ("GET", "/api/journeys/{token}/step/{trigger}"),
        ("GET", "/api/journeys/{token}/back"),
        ("GET", "/api/journeys/{token}/restart"),
        ("GET", "/api/journeys/{token}/jump/{state_id}"),
        ("GET", "/api/journeys/{token}/topics"),
        ("GET", "/api/fhir"),
    }
    schemas = document["components"]["schemas"]
    for name in ("StateView", "JourneyAnswer", "PathwayAnswer", "Problem"):
        assert {"intended_purpose", "support"} <= set(schemas[name]["required"]), name
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            errors = {s: r for s, r in operation["responses"].items() if s[0] == "4"}
            assert {"405", "4XX"} <= set(errors), (method, path)
            for status, response in errors.items():
                content = response["content"]
                assert content == {"application/problem+json": {"schema": problem}}, status
    assert "413" in document["paths"]["/api/journeys"]["post"]["responses"]
    for name, schema in schemas.items():
        if schema.get("type") == "object" and "properties" in schema:
            assert schema.get("additionalProperties") is False, name
    assert document["info"]["description"].startswith("This is general information")


def test_api_docs_page_is_ours_and_lists_every_operation(client: TestClient) -> None:
    """/api/docs names every operation, links the OpenAPI document and loads no other host."""
    page = client.get("/api/docs").text
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in page
    assert 'href="/openapi.json"' in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    examples = re.findall(r'Try it: <a href="([^"]+)"', page)
    assert examples and all(client.get(url).status_code == 200 for url in examples)
    kinds = [
        client.get("/api/nowhere"),
        client.get("/api/states/nowhere"),
        client.delete("/api/pathway"),
        client.get("/api/journeys/broken"),
    ]
    for answer in kinds:
        anchor = answer.json()["type"].removeprefix("/api/docs#")
        assert f'id="{anchor}"' in page, anchor


# --------------------------------------------------------------------------- schemathesis

SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", create_app())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@SCHEMA.parametrize()
@settings(max_examples=50, deadline=None)
def test_openapi_document_holds_for_generated_requests(case: schemathesis.Case) -> None:
    """Requests made from /openapi.json get no 5xx and no answer outside the document."""
    case.call_and_validate(checks=CHECKS)


# --------------------------------------------------------------------------- the docs' curl

CURL_PAGE = "docs/embedding.md"


def curl_examples() -> list[tuple[str, str, str | None]]:
    """The curl commands of docs/embedding.md (the JSON API), as (line, command, the JSON
    shown after it, if any)."""
    text = (ROOT / CURL_PAGE).read_text(encoding="utf-8")
    blocks = list(re.finditer(r"```(\w*)\n(.*?)```", text, re.S))
    found = []
    for index, block in enumerate(blocks):
        if block.group(1) != "sh":
            continue
        shown = None
        if index + 1 < len(blocks) and blocks[index + 1].group(1) == "json":
            between = text[block.end() : blocks[index + 1].start()]
            shown = blocks[index + 1].group(2) if not between.strip() else None
        first = text[: block.start()].count("\n") + 2
        for offset, line in enumerate(block.group(2).splitlines()):
            if line.startswith("curl "):
                found.append((f"{CURL_PAGE}:{first + offset}", line, shown))
    return found


CURLS = curl_examples()


def test_readme_shows_the_json_api_with_curl() -> None:
    """docs/embedding.md has curl examples for the JSON API."""
    assert len(CURLS) >= 5


def subset(shown: Any, actual: Any, where: str = "") -> None:
    """Everything ``shown`` says is in ``actual`` (dicts may leave keys out; lists may not)."""
    if isinstance(shown, dict):
        assert isinstance(actual, dict), where
        for key, value in shown.items():
            assert key in actual, f"{where}.{key}"
            subset(value, actual[key], f"{where}.{key}")
    else:
        assert shown == actual, where


@pytest.mark.parametrize(("where", "command", "shown"), CURLS, ids=[c[0] for c in CURLS])
def test_readme_curl_example_answers_as_shown(
    client: TestClient, where: str, command: str, shown: str | None
) -> None:
    """Each curl command in the docs gets a 2xx answer (or, where an error is shown, its
    problem details), and the JSON shown after it."""
    words = shlex.split(command)[1:]
    method, headers, body, url = "GET", {}, None, ""
    while words:
        word = words.pop(0)
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = words.pop(0)
        elif word.startswith("http://127.0.0.1:8000/"):
            url = word.removeprefix("http://127.0.0.1:8000")
        else:
            raise AssertionError(f"{where}: the test does not know curl's {word}")
    response = client.request(method, url, headers=headers, content=body)
    answer = response.json()
    if shown is None or "status" not in json.loads(shown):
        assert 200 <= response.status_code < 300, (where, answer)
    else:  # an error shown: problem details
        assert response.headers["content-type"] == "application/problem+json", where
    if shown is not None:
        subset(json.loads(shown), answer, where)
