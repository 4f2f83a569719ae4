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


_VISIBILITY_JS = """
(wanted) => {
  const fold = (s) => s.replace(/\\s+/g, ' ').trim();
  const target = fold(wanted);
  const holders = [...document.body.querySelectorAll('*')].filter(
    (el) => fold(el.textContent).includes(target)
      && ![...el.children].some((child) => fold(child.textContent).includes(target)));
  if (!holders.length) return ['not on the page at all'];
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const paint = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (color) => {
    paint.clearRect(0, 0, 1, 1);
    paint.fillStyle = '#000';
    paint.fillStyle = color;
    paint.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let at = el; at; at = at.parentElement) {
      const [r, g, b, a] = rgba(getComputedStyle(at).backgroundColor);
      if (a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const problems = (el) => {
    const found = [];
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
      found.push('not rendered (display, visibility, opacity or content-visibility)');
    for (let at = el; at; at = at.parentElement) {
      if (at.hidden) found.push('inside an element with the hidden attribute');
      const style = getComputedStyle(at);
      if (style.clipPath !== 'none' || style.clip !== 'auto') found.push('clipped');
      if (Number(style.opacity) < 0.5) found.push('faded (opacity ' + style.opacity + ')');
    }
    const box = el.getBoundingClientRect();
    if (box.width < 10 || box.height < 8) found.push(`too small (${box.width}x${box.height})`);
    const page = document.documentElement;
    if (box.right + scrollX <= 0 || box.bottom + scrollY <= 0
        || box.left + scrollX >= page.scrollWidth)
      found.push('off the page');
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) < 10) found.push('font size ' + style.fontSize);
    const [r, g, b, a] = rgba(style.color);
    const back = background(el);
    const fore = [0, 1, 2].map((i) => [r, g, b][i] * a + back[i] * (1 - a));
    const [hi, lo] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) found.push('contrast ' + ratio.toFixed(2) + ':1');
    return [...new Set(found)];
  };
  const each = holders.map(problems);
  return each.some((found) => !found.length) ? [] : each.flat();
}
"""


def visibility_problems(page: Page, text: str) -> list[str]:
    """Why no element showing ``text`` can be seen (empty if one can): not rendered,
    hidden, clipped, faded, too small, off the page, tiny type or too little contrast
    (under 4.5:1 against the background it sits on)."""
    problems: list[str] = page.evaluate(_VISIBILITY_JS, text)
    return problems
