"""Print every class deck to a PDF handout, offline, and prove every page complete (``make handouts``).

Chromium (Debian's, driven by Playwright) opens each ``build/slides/*.slides.html`` deck
with reveal.js's ``?print-pdf`` view from ``file://``, every other request aborted, and
prints one 16:9 page per slide: fragments are shown together on their slide
(``pdfSeparateFragments: false`` in the deck template), speaker notes are left out. The
Chinese decks (``build/slides/zh/``) become ``build/handouts/zh/<notebook>.pdf``, their
Chinese text in the CJK font the decks bring (embedded in the PDF).

A slide that the deck shrinks to fit is printed with CSS ``zoom``, not ``transform``:
Chromium breaks printed pages by the unscaled layout of a transformed box and silently
drops the blocks that fall below the page (issue 20: 30 of 442 pages lost figures, list
items or code). So every PDF is checked against its deck: for each slide, the raster
pictures and the words of its text (formulas aside) are taken from the deck's DOM, and
its page must hold at least as many pictures (``pdfimages -list``) and every word as
often (``pdftotext``, poppler-utils). Chinese has no spaces between words, so each CJK
character counts as a word of its own. Any missing word or picture, or a page count that
differs from the slide count, fails the run with the slides named.

    python scripts/handouts.py build/slides --output-dir build/handouts   # and zh/ in both
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PDFTOTEXT = "pdftotext"
PDFIMAGES = "pdfimages"
#: The Chinese edition's decks and handouts: a folder ``zh`` in each (export_slides.ZH_FOLDER).
ZH_FOLDER = "zh"
#: A word: one CJK character (ideographs, compatibility ideographs), or a run of other word characters.
WORD = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)

#: Per slide, in page order: the title, the raster pictures shown and the visible text
#: outside formulas and speaker notes (what its printed page must carry).
SLIDE_INVENTORY = """() => Reveal.getSlides().map((section) => {
  const skip = '.MathJax_CHTML, .mjx-chtml, .MathJax_Preview, .MJX_Assistive_MathML, ' +
               'script, style, aside.notes, .anchor-link';
  const parts = [];
  const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (parent.checkVisibility && !parent.checkVisibility({visibilityProperty: true})) continue;
    parts.push(node.textContent);
  }
  const images = Array.from(section.querySelectorAll('img')).filter((img) =>
    !/^data:image\\/svg/.test(img.src) && img.naturalWidth > 0 &&
    img.getBoundingClientRect().width > 0);
  const heading = section.querySelector('h1, h2, h3, p');
  return {title: heading ? heading.textContent.trim().slice(0, 60) : '',
          images: images.length, text: parts.join(' ')};
})"""


@dataclass
class Slide:
    """What one slide shows, from the deck's DOM."""

    title: str
    images: int
    text: str
    words: Counter = field(init=False)

    def __post_init__(self) -> None:
        self.words = Counter(words(self.text))


def words(text: str) -> list[str]:
    """Comparable words: NFKC-normalised (ligatures, wide forms), case-folded; each CJK
    character is a word (Chinese text has no spaces, and a printed line breaks anywhere)."""
    return WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    out = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_images(pdf: Path) -> Counter:
    """How many pictures each page draws (page number -> count), from ``pdfimages -list``."""
    out = subprocess.run(
        [PDFIMAGES, "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    counts: Counter = Counter()
    for line in out.splitlines()[2:]:
        fields = line.split()
        if len(fields) > 2 and fields[0].isdigit() and fields[2] == "image":
            counts[int(fields[0])] += 1
    return counts


def missing_on_page(slide: Slide, page_text: str, page_images: int) -> list[str]:
    """What the slide shows and its printed page lacks (empty: the page is complete)."""
    problems = []
    if page_images < slide.images:
        problems.append(f"{page_images} of {slide.images} pictures")
    printed = Counter(words(page_text))
    joined = "".join(words(page_text))  # a word wrapped inside a code line
    lost = []
    for word, count in slide.words.items():
        if printed[word] >= count:
            continue
        if joined.count(word) >= count:
            continue
        lost.append(word if count == 1 else f"{word} ×{count - printed[word]}")
    if lost:
        share = sum(1 for w in slide.words.elements() if printed[w] == 0) / max(
            1, sum(slide.words.values())
        )
        problems.append(
            f"{len(lost)} words missing ({share:.0%} of the text): "
            + ", ".join(lost[:12])
            + (" …" if len(lost) > 12 else "")
        )
    return problems


def check_pdf(pdf: Path, slides: list[Slide]) -> list[str]:
    """One line per incomplete page of ``pdf`` (``slides`` in page order)."""
    texts = pdf_pages_text(pdf)
    images = pdf_page_images(pdf)
    if len(texts) != len(slides):
        return [f"{pdf.name}: {len(texts)} pages for {len(slides)} slides"]
    problems = []
    for number, (slide, text) in enumerate(zip(slides, texts, strict=True), 1):
        for problem in missing_on_page(slide, text, images[number]):
            problems.append(f"{pdf.name} page {number} ({slide.title!r}): {problem}")
    return problems


def print_decks(decks: list[Path], output_dir: Path) -> tuple[list[Path], list[str]]:
    """Write ``output_dir/<notebook>.pdf`` for each deck; return the paths and the problems."""
    from playwright.sync_api import sync_playwright

    output_dir.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for deck in decks:
            start = time.monotonic()
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
            slides = [Slide(**s) for s in page.evaluate(SLIDE_INVENTORY)]
            target = output_dir / (deck.name.removesuffix(".slides.html") + ".pdf")
            page.pdf(
                path=str(target),
                prefer_css_page_size=True,  # reveal's @page: one slide per page
                print_background=True,
                margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
            )
            page.close()
            found = check_pdf(target, slides)
            problems += found
            print(
                f"{target} ({target.stat().st_size / 1e6:.1f} MB, {len(slides)} pages, "
                f"{sum(s.images for s in slides)} pictures, "
                f"{'complete' if not found else f'{len(found)} incomplete pages'}, "
                f"{time.monotonic() - start:.0f} s)",
                flush=True,
            )
            written.append(target)
        browser.close()
    return written, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("deck_dir", type=Path, nargs="?", default=Path("build/slides"))
    parser.add_argument("--output-dir", type=Path, default=Path("build/handouts"))
    parser.add_argument(
        "decks",
        nargs="*",
        help="only these notebooks' decks (e.g. 03_backpropagation, zh/03_backpropagation)",
    )
    args = parser.parse_intermixed_args(argv)  # names may follow --output-dir
    problems: list[str] = []
    found = False
    for sub in ("", ZH_FOLDER):  # the English decks, then the Chinese ones in zh/
        decks = sorted(
            d
            for d in (args.deck_dir / sub).glob("*.slides.html")
            if not d.name.endswith(".instructor.slides.html")
            and (
                not args.decks
                or "/".join(filter(None, [sub, d.name.removesuffix(".slides.html")]))
                in args.decks
            )
        )
        if decks:
            found = True
            problems += print_decks(decks, args.output_dir / sub)[1]
    if not found:
        sys.exit(f"no decks in {args.deck_dir}: run make slides first")
    if problems:
        print(
            f"{len(problems)} printed pages lack what their slide shows:",
            *problems,
            sep="\n",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
