"""Every deck from ``make slides``, opened offline in Chromium: it must become slides that fit.

Each deck is opened from ``file://`` with every other request aborted (and counted). Checked per
deck: the slide framework initialised; the slide count equals what the notebook's slide metadata
asks for; MathJax typeset every formula (no raw TeX left, no MathJax error); no console errors;
every picture decoded; the speaker notes are in the deck; and on every slide, after the deck's
fit-to-slide step, the content fits 1280x720, nothing is a scroll box, no code line runs past the
slide's right edge. The speaker view (press ``s``) is opened on a deck with a notes cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import export_slides
import nbformat
import pytest
from conftest import ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

DECK_DIR = ROOT / "build" / "slides"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9A-Z]*.ipynb"))
DECKS = [
    (notebook, audience)
    for notebook in NOTEBOOKS
    for audience in export_slides.AUDIENCES
]

MEASURE_SLIDE = """() => {
  const section = Reveal.getCurrentSlide();
  const box = section.querySelector('.fit-box');
  const scale = parseFloat(box.dataset.scale);
  const slide = section.getBoundingClientRect();
  const problems = [];
  if (box.scrollHeight * scale > 721) problems.push('content ' + Math.round(box.scrollHeight * scale) + ' px tall');
  if (box.scrollWidth * scale > 1281) problems.push('content ' + Math.round(box.scrollWidth * scale) + ' px wide');
  for (const el of box.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const scrollsY = ['auto', 'scroll'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const scrollsX = ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (scrollsY || scrollsX) problems.push('scroll box <' + el.tagName.toLowerCase() + ' class=' + el.className + '>');
  }
  for (const pre of box.querySelectorAll('pre')) {
    const rect = pre.getBoundingClientRect();
    if (pre.scrollWidth > pre.clientWidth + 1 || rect.right > slide.right + 1)
      problems.push('clipped code: ' + pre.textContent.split('\\n')[0].slice(0, 60));
  }
  return {title: (box.querySelector('h1, h2, h3, p') || {textContent: ''}).textContent.slice(0, 50),
          problems: problems};
}"""

VISIBLE_TEXT = """() => {
  const copy = document.querySelector('.reveal .slides').cloneNode(true);
  copy.querySelectorAll('pre, code, script, .mjx-chtml, .MJXc-display, .MJX_Assistive_MathML, aside.notes')
      .forEach((el) => el.remove());
  return copy.textContent;
}"""

RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\[|\\(frac|sum|mathrm|begin|left|right|hat|sigma|log|cdot|partial)\b"
)


def expected_slide_count(notebook: nbformat.NotebookNode) -> int:
    """Slides and subslides the deck must have, from the cells' slide metadata."""
    types = [
        export_slides._slide_type(cell)
        for cell in notebook.cells
        if export_slides._slide_type(cell) != "skip"
    ]
    starts = sum(t in ("slide", "subslide") for t in types)
    return starts + (1 if types and types[0] not in ("slide", "subslide") else 0)


def open_offline(browser, url: str):
    """A 1280x720 page at ``url`` where every non-file request is aborted and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    log: dict[str, list[str]] = {"blocked": [], "errors": []}

    def route(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            log["blocked"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: log["errors"].append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("requestfailed", lambda r: log["errors"].append(f"failed: {r.url}"))
    page.goto(url)
    page.wait_for_function("document.body.dataset.deckReady === '1'", timeout=90_000)
    return page, log


def test_every_notebook_has_both_decks() -> None:
    missing = [
        export_slides.deck_name(notebook, audience)
        for notebook, audience in DECKS
        if not (DECK_DIR / export_slides.deck_name(notebook, audience)).is_file()
    ]
    assert NOTEBOOKS and not missing, f"run make slides first; missing: {missing}"


@pytest.mark.parametrize(
    ("notebook_path", "audience"),
    DECKS,
    ids=[f"{n.stem}-{a}" for n, a in DECKS],
)
def test_deck_renders_offline_and_fits(browser, notebook_path: Path, audience: str):
    notebook = export_slides.deck_notebook(
        nbformat.read(notebook_path, as_version=4), audience
    )
    # Exported here from the notebook just read, so deck and expectations always agree.
    deck = export_slides.export(notebook_path, DECK_DIR, audience)
    page, log = open_offline(browser, deck.as_uri())
    try:
        assert page.evaluate("typeof Reveal !== 'undefined' && Reveal.isReady()")
        assert page.evaluate("Reveal.getTotalSlides()") == expected_slide_count(
            notebook
        )
        text = page.evaluate(VISIBLE_TEXT)
        raw = sorted(set(RAW_TEX.findall(text)))
        assert not raw, f"untypeset TeX on the slides: {raw}"
        assert (
            page.evaluate(
                "document.querySelectorAll('.mjx-merror, .MathJax_Error').length"
            )
            == 0
        )
        has_math = any(
            c.cell_type == "markdown" and "$" in c.source for c in notebook.cells
        )
        if has_math:
            assert page.evaluate("document.querySelectorAll('.mjx-chtml').length") > 0
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src.slice(0, 60))"
        )
        assert not broken, f"pictures that did not load: {broken}"
        widgets = sum(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {})
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.outputs
        )
        assert (
            page.evaluate(
                "document.querySelectorAll('img[src^=\"data:image/png\"]').length"
            )
            >= widgets
        ), "every widget slide shows its static picture"
        notes = sum(export_slides._slide_type(c) == "notes" for c in notebook.cells)
        assert page.evaluate("document.querySelectorAll('aside.notes').length") == notes
        problems = []
        for h, v in page.evaluate(
            "Reveal.getSlides().map(s => [Reveal.getIndices(s).h, Reveal.getIndices(s).v || 0])"
        ):
            page.evaluate(f"Reveal.slide({h}, {v})")
            measured = page.evaluate(MEASURE_SLIDE)
            problems += [
                f"slide {h}.{v} ({measured['title']}): {p}"
                for p in measured["problems"]
            ]
        assert not problems, "\n".join(problems)
        assert log["errors"] == [], log["errors"]
        assert log["blocked"] == [], (
            f"requests that needed the network: {log['blocked']}"
        )
    finally:
        page.close()


def test_speaker_view_shows_the_notes_offline(browser, tmp_path) -> None:
    """Press s: the speaker view opens (offline) and shows the current slide's notes cell."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "## A section", metadata={"slideshow": {"slide_type": "slide"}}
            ),
            new_markdown_cell(
                "**Speaker notes** Ask the room what $\\hat y$ means. Time: 2 min",
                metadata={"slideshow": {"slide_type": "notes"}},
            ),
            new_code_cell("print(1)", metadata={"slideshow": {"slide_type": "-"}}),
        ]
    )
    path = tmp_path / "zz_speaker_view_probe.ipynb"
    nbformat.write(notebook, path)
    deck = export_slides.export(path, DECK_DIR, "student")
    try:
        page, log = open_offline(browser, deck.as_uri())
        assert "Ask the room" not in page.evaluate(
            "document.querySelector('.reveal .slides').innerText"
        ), "notes must not show on the slide"
        with page.expect_popup() as popup_info:
            page.keyboard.press("s")
        popup = popup_info.value
        popup.wait_for_function(
            "() => { const n = document.querySelector('.speaker-controls-notes .value');"
            " return n && n.textContent.includes('Ask the room'); }",
            timeout=30_000,
        )
        assert log["blocked"] == [] and log["errors"] == [], log
        page.close()
    finally:
        deck.unlink()
