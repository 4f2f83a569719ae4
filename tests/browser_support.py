"""What the browser tests share: Debian's chromium driven by playwright, a server on a free
loopback port, and axe-core.

Where there is no /usr/bin/chromium (``CHROMIUM``), importing this at the top of a browser
test module skips the whole module, with the reason.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = (
    "browser tests need Debian's chromium at /usr/bin/chromium"
    " (apt-get install chromium, or scripts/install-chromium)"
)

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[int]:
    """Serve an ASGI app with uvicorn in a thread on ``host``; yields the port."""
    port = port or free_port(host)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", http="h11", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch(pw: Playwright) -> Browser:
    """Headless Debian chromium (playwright's own browser builds are not downloaded)."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian chromium, launched for the length of the block."""
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def axe_source() -> str:
    """axe-core's script, from node_modules (``npm ci`` at the repository root)."""
    if not AXE.is_file():
        raise AssertionError(f"axe-core is missing at {AXE}: run `npm ci` at the repository root")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, source: str) -> list[str]:
    """axe-core's WCAG 2.0-2.2 A and AA findings on the page (target size included), one
    line each; also fails if axe ran no check at all."""
    page.evaluate(source)
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: {'target-size': {enabled: true}},
        })""",
        AXE_TAGS,
    )
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]
