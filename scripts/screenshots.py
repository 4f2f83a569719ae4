"""Screenshots of the web app for docs/screenshots/: start, relapse, re-induction, antibody
therapy, the print page (as the A4 PDF chromium prints, one PNG per sheet), the map,
presenter mode, the embeddable page and the JSON API's documentation page.

Each page at 1280x800 and at 375x812: the whole page (``<name>-<width>.png``) and the first
screen, what a reader sees before scrolling (``<name>-<width>-first.png``). The print
page's PDF is turned into PNGs with poppler's ``pdftoppm`` (apt-get install
poppler-utils). Anyone can rerun it:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--pathway FILE]
    .venv/bin/python scripts/screenshots.py --only map   # the map and presenter shots

With ``--catalogue FILE|DIR...`` it serves those pathways together and takes the catalogue
instead, as a phone (375x812) and a laptop (1280x800) show it on opening:

    .venv/bin/python scripts/screenshots.py --catalogue tests/data/pathways pathways.yaml

It serves the app on 127.0.0.1 at a free port for the length of the run, and drives
Debian's chromium (/usr/bin/chromium, or $CHROMIUM) with playwright; nothing is fetched
from anywhere else.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pathways.catalogue import load_catalogue  # noqa: E402 - after the path is set
from pathways.web import create_app, create_catalogue_app  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = ((1280, 800), (375, 812))
# A walk to the state shown: the first treatment, remission, then a relapse (a branch),
# and from there the first two options.
WALK = ("goes_into_remission", "comes_back")
OPTIONS = {"reinduction": "repeat_induction", "antibody-therapy": "try_antibody_drug"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(pathway_file: str | None, catalogue: list[str] | None = None) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, in a thread, for the length of the block."""
    port = free_port()
    app = create_catalogue_app(load_catalogue(catalogue)) if catalogue else create_app(pathway_file)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--pathway", default=None, help="a pathway file (default: embedded)")
    parser.add_argument("--catalogue", nargs="+", default=None, help="pathway files or folders")
    parser.add_argument(
        "--only", choices=["map"], default=None, help="only the map and presenter shots"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"screenshots: no browser at {chromium} (apt-get install chromium)", file=sys.stderr)
        return 1
    if args.catalogue:
        return catalogue_shots(args.catalogue, args.out, chromium)
    with serve(args.pathway) as base, sync_playwright() as pw:
        if args.only == "map":
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                map_and_presenter_shots(browser, base, args.out)
            finally:
                browser.close()
            return 0
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/begin")
            for trigger in WALK:
                page.goto(f"{page.url}/step/{trigger}")
            state_url = page.url
            shots = {
                "start": f"{base}/",
                "relapse": state_url,
                **{name: f"{state_url}/step/{trigger}" for name, trigger in OPTIONS.items()},
                "map": f"{state_url}/map",
                "presenter": state_url.replace("/j/", "/present/"),
                "embed": state_url.replace("/j/", "/embed/"),  # the page an iframe shows
                "api-docs": f"{base}/api/docs",
            }
            page.close()
            for width, height in VIEWPORTS:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                for name, url in shots.items():
                    page.goto(url)
                    first = args.out / f"{name}-{width}-first.png"
                    page.screenshot(path=str(first))
                    path = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(path), full_page=True)
                    for shot in (first, path):
                        print(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)
                context.close()
            print_pages(browser, f"{state_url}/step/{OPTIONS['reinduction']}", args.out)
            map_and_presenter_shots(browser, base, args.out)
        finally:
            browser.close()
    return 0


def print_pages(browser: Browser, url: str, out: Path) -> None:
    """The print page of the journey at ``url`` as chromium prints it on A4
    (print-pdf.pdf), and each sheet as a PNG (print-pdf-1.png, ...): what a family
    takes to an appointment."""
    page = browser.new_page()
    page.goto(url)
    page.goto(page.url + "/print")
    page.emulate_media(media="print")
    pdf = out / "print-pdf.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.close()
    for old in out.glob("print-pdf-*.png"):
        old.unlink()
    if shutil.which("pdftoppm") is None:
        print("screenshots: no pdftoppm (apt-get install poppler-utils)", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), f"{tmp}/p"], check=True)
        for n, png in enumerate(sorted(Path(tmp).glob("p*.png")), 1):
            target = out / f"print-pdf-{n}.png"
            shutil.move(png, target)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)


def catalogue_shots(files: list[str], out: Path, chromium: str) -> int:
    """The catalogue as a phone and a laptop show it on opening (the first screenful)."""
    with serve(None, files) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for width, height in ((375, 812), (1280, 800)):
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base}/")
                path = out / f"catalogue-{width}x{height}.png"
                page.screenshot(path=str(path))
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
                context.close()
        finally:
            browser.close()
    return 0


MAP_SIZES = ((375, 812), (1280, 800))
PROJECTOR = (1920, 1080)


def map_and_presenter_shots(browser: Browser, base: str, out: Path) -> None:
    """The map at two different places (the relapse, then an option after it) on a phone
    and a laptop, first screen only, as a reader opens it from a state page's map link;
    and presenter mode at the relapse on a projector, first screen and whole page."""
    page = browser.new_page()
    page.goto(f"{base}/begin")
    for trigger in WALK:
        page.goto(f"{page.url}/step/{trigger}")
    relapse = page.url
    page.goto(f"{relapse}/step/try_antibody_drug")
    antibody = page.url
    page.close()
    places = {"relapse": relapse, "antibody": antibody}
    for width, height in MAP_SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for name, url in places.items():
            page.goto(url)
            page.click("a[href*='/map']")
            page.wait_for_load_state()
            _shot(page, out / f"map-{name}-{width}x{height}.png")
        context.close()
    width, height = PROJECTOR
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(relapse.replace("/j/", "/present/"))
    _shot(page, out / f"presenter-relapse-{width}x{height}.png")
    _shot(page, out / f"presenter-relapse-{width}x{height}-whole.png", full_page=True)
    context.close()


def _shot(page: Page, path: Path, *, full_page: bool = False) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    raise SystemExit(main())
