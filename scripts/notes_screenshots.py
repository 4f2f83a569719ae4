"""Screenshots of the reader's notes for docs/screenshots/: a step's questions with two
ticked and one of the reader's own, "My questions" with an answer, and the print page with
its QR code, each at 375x812 (a phone) and 1280x800 (a laptop).

    .venv/bin/python scripts/notes_screenshots.py [--out docs/screenshots]

Same set-up as scripts/screenshots.py (whose server and browser options it uses): the app
on 127.0.0.1 at a free port, Debian's chromium driven by playwright.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CHROMIUM_ARGS, ROOT, serve

SIZES = ((375, 812), (1280, 800))
OWN = "Can my sister come with me to the appointment?"
ANSWER = "Being at home with my children as much as I can."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"notes_screenshots: no browser at {chromium}", file=sys.stderr)
        return 1
    with serve(None) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for width, height in SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{base}/begin")
                for trigger in ("goes_into_remission", "comes_back"):
                    page.goto(f"{page.url.split('#')[0]}/step/{trigger}")
                boxes = page.locator("[data-note-question]")
                boxes.nth(0).check()
                boxes.nth(2).check()
                page.get_by_label("Write your own question").fill(OWN)
                page.get_by_role("button", name="Add my question").click()
                page.locator(".questions [role=status]").filter(has_text=OWN).wait_for()
                shots = [("notes-step", page.locator("section.questions"))]
                for name, where in shots:
                    where.scroll_into_view_if_needed()
                    where.screenshot(path=str(args.out / f"{name}-{width}.png"))
                page.get_by_role("link", name="My questions").first.click()
                page.get_by_role("heading", name="My questions", level=1).wait_for()
                page.get_by_label("What worries you most?").fill(ANSWER)
                page.get_by_label("What worries you most?").blur()
                page.screenshot(path=str(args.out / f"notes-page-{width}.png"), full_page=True)
                page.get_by_role("link", name="Print my path and my questions").first.click()
                page.locator("[data-notes-qr] svg").wait_for()
                page.screenshot(path=str(args.out / f"notes-print-{width}.png"), full_page=True)
                page.close()
                for name in ("notes-step", "notes-page", "notes-print"):
                    print(args.out / f"{name}-{width}.png")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
