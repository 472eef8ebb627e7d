"""Print every class deck to a PDF handout, offline (``make handouts``).

Chromium (Debian's, driven by Playwright) opens each ``build/slides/*.slides.html`` deck
with reveal.js's ``?print-pdf`` view from ``file://``, every other request aborted, and
prints one 16:9 page per slide: fragments are shown together on their slide
(``pdfSeparateFragments: false`` in the deck template), speaker notes are left out.

    python scripts/handouts.py build/slides --output-dir build/handouts
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def print_decks(decks: list[Path], output_dir: Path) -> list[Path]:
    """Write ``output_dir/<notebook>.pdf`` for each deck; return the paths."""
    from playwright.sync_api import sync_playwright

    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for deck in decks:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            blocked: list[str] = []

            def route(route, blocked=blocked):  # type: ignore[no-untyped-def]
                if route.request.url.startswith(("file:", "data:", "blob:")):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", route)
            page.goto(deck.resolve().as_uri() + "?print-pdf")
            page.wait_for_function(
                "document.body.dataset.deckReady === '1'", timeout=90_000
            )
            page.wait_for_timeout(500)
            if blocked:
                raise RuntimeError(f"{deck.name} asked for the network: {blocked}")
            slides = page.evaluate("Reveal.getTotalSlides()")
            target = output_dir / (deck.name.removesuffix(".slides.html") + ".pdf")
            page.pdf(
                path=str(target),
                prefer_css_page_size=True,  # reveal's @page: one slide per page
                print_background=True,
                margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
            )
            page.close()
            pages = len(re.findall(rb"/Type\s*/Page[^s]", target.read_bytes()))
            if pages != slides:
                raise RuntimeError(f"{target}: {pages} pages for {slides} slides")
            written.append(target)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("deck_dir", type=Path, nargs="?", default=Path("build/slides"))
    parser.add_argument("--output-dir", type=Path, default=Path("build/handouts"))
    args = parser.parse_args(argv)
    decks = sorted(
        d
        for d in args.deck_dir.glob("*.slides.html")
        if not d.name.endswith(".instructor.slides.html")
    )
    if not decks:
        sys.exit(f"no decks in {args.deck_dir}: run make slides first")
    for target in print_decks(decks, args.output_dir):
        print(f"{target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
