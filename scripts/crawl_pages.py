#!/usr/bin/env python3
"""Write every page of the shipped pathway to a folder, to compare two versions byte for byte.

    .venv/bin/python scripts/crawl_pages.py OUT_DIR
    diff -r BEFORE_DIR OUT_DIR        # a refactoring must leave no difference

What it writes (one file per answer, its name the quoted address; status and headers first):

- web/: a crawl of the web app from ``/`` (and ``/embed/``, ``/api/``), following every link,
  form and redirect on the site for a few clicks: the start page, every state under every
  topic for patients and presenters, the maps, print pages, glossary, static files, the
  embed, the JSON API's answers (and the links in them), ``/openapi.json``, ``/api/docs``,
  and the error pages (unknown pages, bad tokens, steps and states, wrong methods, limits);
- site/: the static site export (``pathways export site``), both map styles;
- cli/: ``pathways show`` for every state, topic and format, ``graph``, every ``export``,
  ``schema`` and ``lint`` in each format.

Runs in one process, in a few seconds; it writes nothing else and needs no server.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

# The terminal width is part of `pathways show`'s text: fixed, so two runs agree.
os.environ["COLUMNS"] = "88"
os.environ["PATHWAYS_NO_CACHE"] = "1"
for name in ("PATHWAYS_FILE", "PATHWAYS_TEMPLATES"):
    os.environ.pop(name, None)

ORIGIN = "https://portal.example"
MAX_CLICKS = 4
"""How far the crawl follows links from a seed: the start page, a journey, its map, a jump
to any state and that state's page are four clicks."""


class _Links(HTMLParser):
    """Every address a page links to: href, src, and forms (with their fields' first values)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._form: tuple[str, list[tuple[str, str]], dict[str, list[str]]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "src"):
            if a.get(key):
                self.found.append(a[key])
        if tag == "form":
            self._form = (a.get("action", ""), [], {})
        elif self._form is not None:
            fields, choices = self._form[1], self._form[2]
            if tag == "input" and a.get("name"):
                kind = a.get("type", "text")
                if kind in ("hidden", "submit") or (kind == "radio" and "checked" in a):
                    fields.append((a["name"], a.get("value", "")))
                elif kind == "radio":
                    choices.setdefault(a["name"], []).append(a.get("value", ""))
            elif tag == "select" and a.get("name"):
                self._select = a["name"]
            elif tag == "option" and self._select is not None:
                choices.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            action, fields, choices = self._form
            self._form = None
            fixed = "&".join(f"{quote(k)}={quote(v)}" for k, v in fields)
            if not choices:
                self.found.append(f"{action}?{fixed}" if fixed else action)
            for name, values in choices.items():
                for value in values:
                    query = "&".join(p for p in (fixed, f"{quote(name)}={quote(value)}") if p)
                    self.found.append(f"{action}?{query}")


def _json_links(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("/") else []
    if isinstance(value, dict):
        return [link for v in value.values() for link in _json_links(v)]
    if isinstance(value, list):
        return [link for v in value for link in _json_links(v)]
    return []


def _file_name(address: str, method: str = "GET") -> str:
    name = quote(address, safe="") or "_"
    if len(name) > 200:  # long tokens: keep the start and a digest of the whole
        import hashlib

        name = name[:160] + "..." + hashlib.sha256(name.encode()).hexdigest()[:16]
    return name if method == "GET" else f"{method}_{name}"


def _write_answer(folder: Path, address: str, response: object, method: str = "GET") -> None:
    headers = "".join(
        f"{k}: {v}\n"
        for k, v in sorted(response.headers.items())  # type: ignore[attr-defined]
        if k.lower() != "date"
    )
    head = f"{method} {address}\n{response.status_code}\n{headers}\n"  # type: ignore[attr-defined]
    (folder / _file_name(address, method)).write_bytes(
        head.encode() + response.content  # type: ignore[attr-defined]
    )


def crawl_web(out: Path) -> int:
    from starlette.testclient import TestClient

    from pathways.web import create_app

    folder = out / "web"
    folder.mkdir(parents=True)
    app = create_app(embed_origins=[ORIGIN])
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    state_ids = [s.id for s in app.state.pages.pathway.states]
    seeds = [
        "/",
        "/embed/",
        "/api/pathway",
        "/api/docs",
        "/openapi.json",
        "/glossary",
        "/favicon.ico",
        "/api/journeys/x",
    ]
    seeds += [f"/api/states/{s}" for s in state_ids]
    seen: set[str] = set()
    queue: deque[tuple[str, int]] = deque((s, 0) for s in seeds)
    tokens: set[str] = set()
    while queue:
        address, clicks = queue.popleft()
        if address in seen:
            continue
        seen.add(address)
        response = client.get(address)
        _write_answer(folder, address, response)
        parts = urlsplit(address).path.split("/")
        if (
            len(parts) > 2
            and parts[1] in ("j", "present", "embed")
            and parts[2] not in ("", "begin")
        ):
            tokens.add(parts[2])
        if clicks >= MAX_CLICKS:
            continue
        kind = response.headers.get("content-type", "")
        links: list[str] = []
        if "location" in response.headers:
            links.append(response.headers["location"])
        if kind.startswith("text/html"):
            parser = _Links()
            parser.feed(response.text)
            links += parser.found
        elif kind.startswith("application/json") and address.startswith("/api/"):
            links += _json_links(response.json())
        for link in links:
            absolute = urljoin("http://testserver" + address, link)
            parts_ = urlsplit(absolute)
            if parts_.netloc != "testserver":
                continue
            target = parts_.path + (f"?{parts_.query}" if parts_.query else "")
            if target not in seen:
                queue.append((target, clicks + 1))

    # The JSON API for the journeys the pages reached, and every state jumped to.
    extra: list[str] = []
    for token in sorted(tokens)[:40]:
        extra.append(f"/api/journeys/{token}")
        extra += [f"/api/journeys/{token}/jump/{s}" for s in state_ids[:3]]
    # Error pages: unknown pages, bad tokens, steps and states; each part of the site.
    some = sorted(tokens)[0]
    extra += [
        "/nowhere",
        "/j/not-a-token",
        "/present/not-a-token",
        "/embed/not-a-token",
        f"/j/{some}/step/nowhere",
        f"/j/{some}/jump/nowhere",
        f"/j/{some}/jump?to=nowhere",
        f"/present/{some}/step/nowhere",
        f"/embed/{some}/step/nowhere",
        "/begin?philadelphia=nowhere",
        "/embed/begin?philadelphia=nowhere",
        f"/j/{some}/topic?philadelphia=nowhere",
        "/static/nothing.css",
        "/static/..%2Fx",
        "/api/nowhere",
        "/api/states/nowhere",
        "/api/journeys/not-a-token",
        f"/api/journeys/{some}/step/nowhere",
        f"/api/journeys/{some}/jump/nowhere",
        f"/api/journeys/{some}/topics?philadelphia=nowhere",
        "/j/" + "a" * 5000,
        "/api/journeys/" + "a" * 5000,
        "/embed/begin?at=nowhere",
        f"/embed/begin?at={state_ids[-1]}",
        f"/embed/{some}/topic?philadelphia=nowhere",
        f"/present/{some}/topic?philadelphia=nowhere",
        f"/present/{some}/jump/nowhere",
        "/begin?mode=present&philadelphia=nowhere",
        "/embed",
        "/j/not-a-token/print",
        "/j/not-a-token/map",
    ]
    for address in extra:
        if address not in seen:
            seen.add(address)
            _write_answer(folder, address, client.get(address))
    # Other methods and bodies.
    posts = [
        ("/api/journeys", None),
        ("/api/journeys", {"topics": {"philadelphia": "positive"}}),
        ("/api/journeys", {"at": state_ids[-1]}),
        ("/api/journeys", {"at": "nowhere"}),
        ("/api/journeys", {"nonsense": 1}),
        ("/", None),
        ("/embed/", None),
    ]
    for index, (address, body) in enumerate(posts):
        response = client.post(address, json=body) if body is not None else client.post(address)
        _write_answer(folder, f"{address}#{index}", response, "POST")
    response = client.post(
        "/api/journeys", content=b"{not json", headers={"content-type": "application/json"}
    )
    _write_answer(folder, "/api/journeys#bad", response, "POST")
    response = client.post(
        "/api/journeys", content=b"x" * (70 * 1024), headers={"content-type": "application/json"}
    )
    _write_answer(folder, "/api/journeys#big", response, "POST")
    response = client.get("/", headers={"x-big": "x" * (20 * 1024)})
    _write_answer(folder, "/#big-header", response)
    response = client.get("/embed/", headers={"origin": ORIGIN})
    _write_answer(folder, "/embed/#origin", response)
    return len(list(folder.iterdir()))


def _run(args: list[str]) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from pathways.cli import main

    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _write_run(folder: Path, args: list[str]) -> None:
    code, out, err = _run(args)
    name = _file_name(" ".join(args))
    (folder / name).write_text(f"$ pathways {' '.join(args)}\nexit {code}\n{err}\n---\n{out}")


def crawl_cli(out: Path) -> int:
    from pathways.loader import load_pathway
    from pathways.resources import chosen_pathway_file

    pathway = load_pathway(chosen_pathway_file(None))
    folder = out / "cli"
    folder.mkdir(parents=True)
    states = [s.id for s in pathway.states]
    contexts: list[list[str]] = [[]]
    for context in pathway.contexts:
        contexts += [["--context", f"{context.id}={v.id}"] for v in context.values]
    for fmt in ("text", "markdown", "html", "json"):
        for state in [None, *states]:
            for context_args in contexts:
                args = ["show", *([state] if state else []), "--format", fmt, *context_args]
                _write_run(folder, args)
    for error in (
        ["show", "nowhere"],
        ["show", "--context", "philadelphia=nowhere"],
        ["show", "--context", "nowhere=x"],
        ["graph", "--highlight", "nowhere"],
    ):
        _write_run(folder, error)
    for fmt in ("mermaid", "dot"):
        for context_args in contexts[1:]:
            _write_run(folder, ["graph", "--format", fmt, *context_args])
        _write_run(folder, ["graph", "--format", fmt])
        _write_run(folder, ["graph", "--format", fmt, "--highlight", states[1]])
        _write_run(folder, ["export", fmt])
    for command in (
        ["export", "json"],
        ["export", "scxml"],
        ["export", "xstate"],
        ["export", "json-schema"],
        ["schema"],
        ["validate"],
        ["lint"],
        ["lint", "--format", "json"],
        ["--help"],
        ["show", "--help"],
        ["export", "--help"],
        ["serve", "--help"],
        ["walk", "--help"],
    ):
        _write_run(folder, command)
    walk_input = "\n".join(["1", "1", "b", "2", "q"]) + "\n"
    from click.testing import CliRunner

    from pathways.cli import main

    result = CliRunner().invoke(main, ["walk"], input=walk_input, catch_exceptions=False)
    (folder / "walk").write_text(f"exit {result.exit_code}\n{result.output}")
    return len(list(folder.iterdir()))


def crawl_site(out: Path) -> int:
    count = 0
    for maps in ("each", "one"):
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp) / "site"
            code, _, err = _run(["export", "site", str(site), "--maps", maps])
            assert code == 0, err
            target = out / f"site-{maps}"
            shutil.copytree(site, target)
            count += sum(1 for p in target.rglob("*") if p.is_file())
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Starlette lists a 405's Allow methods from a set: one hash seed, one order.
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, __file__, *argv])
    out = Path(argv[0])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    counts = {"web": crawl_web(out), "cli": crawl_cli(out), "site": crawl_site(out)}
    print(json.dumps(counts), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
