"""Export notebooks to reveal.js slide decks that work offline (``make slides``).

Cells' ``slideshow.slide_type`` metadata decides the slides; ``notes`` cells become
the speaker notes (press ``s`` in a deck). Two decks per notebook:

* ``NN_name.slides.html``, the deck to project in class: no launch badges, no
  "Solutions" section and no hints under the exercises;
* ``NN_name.instructor.slides.html``: the same plus the exercises' hints and the
  solutions, unfolded, as the last section.

Interactive figures appear as the static picture of their first view: widget views
are left out of the export's display priority, because a deck has no kernel to
drive them. Every file a deck loads (reveal.js, require.js, MathJax) is installed
next to the decks in ``_static/`` by scripts/slide_assets.py, and the template
(scripts/slide_template/course_reveal) loads nothing else.

    python scripts/export_slides.py notebooks/*.ipynb --output-dir build/slides
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import slide_assets  # noqa: E402

TEMPLATE_DIR = Path(__file__).resolve().parent / "slide_template"
BADGE_MARKER = "<!-- launch-badges -->"
AUDIENCES = ("student", "instructor")

#: What a deck shows, richest first; no widget view (nothing would drive it).
STATIC_DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
]


def _heading(cell: nbformat.NotebookNode) -> str | None:
    """The cell's ``## `` section title, if it starts one."""
    if cell.cell_type != "markdown":
        return None
    match = re.match(r"##\s+(.+)", cell.source)
    return match.group(1).strip() if match else None


def _slide_type(cell: nbformat.NotebookNode) -> str:
    return str(cell.metadata.get("slideshow", {}).get("slide_type", "-"))


def deck_notebook(
    notebook: nbformat.NotebookNode, audience: str
) -> nbformat.NotebookNode:
    """A copy of ``notebook`` prepared for one audience's deck (the notebook is not changed)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop(
        "widgets", None
    )  # no widget views in a deck: no widget manager
    cells = []
    section = None
    for cell in notebook.cells:
        title = _heading(cell)
        if title is not None:
            section = title.lower()
        if cell.cell_type == "markdown" and BADGE_MARKER in cell.source:
            lines = cell.source.split("\n")
            at = lines.index(BADGE_MARKER)
            cell.source = "\n".join(lines[:at] + lines[at + 2 :]).rstrip()
        if section == "solutions":
            if audience == "student":
                continue
            if cell.cell_type == "code":
                cell.metadata.setdefault("slideshow", {})["slide_type"] = "-"
                cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        elif section == "exercises" and audience == "student":
            if cell.cell_type == "code":
                cell.outputs = []  # the check's reply to "..." is a hint
        cells.append(cell)
    notebook.cells = cells
    return notebook


def deck_name(path: Path, audience: str) -> str:
    suffix = ".slides.html" if audience == "student" else ".instructor.slides.html"
    return path.stem + suffix


def exporter() -> SlidesExporter:
    config = Config()
    config.NbConvertBase.display_data_priority = STATIC_DISPLAY_PRIORITY
    config.SlidesExporter.reveal_scroll = False
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_url_prefix = slide_assets.REVEAL_PREFIX
    config.SlidesExporter.require_js_url = slide_assets.REQUIRE_JS
    config.SlidesExporter.mathjax_url = slide_assets.MATHJAX_JS
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    config.SlidesExporter.template_name = "course_reveal"
    return SlidesExporter(config=config)


def export(path: Path, output_dir: Path, audience: str = "student") -> Path:
    """Write ``output_dir/<name>.slides.html`` (or ``.instructor.slides.html``)."""
    notebook = deck_notebook(nbformat.read(path, as_version=4), audience)
    body, _ = exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": path.stem}}
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / deck_name(path, audience)
    target.write_text(body, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output-dir", type=Path, default=Path("build/slides"))
    parser.add_argument(
        "--no-assets",
        action="store_true",
        help="do not install _static/ (the decks then need it from elsewhere)",
    )
    args = parser.parse_args(argv)
    if not args.no_assets:
        static = slide_assets.install(args.output_dir)
        print(f"{static} ({slide_assets.size_mb(static):.1f} MB)")
    for path in args.notebooks:
        for audience in AUDIENCES:
            print(export(path, args.output_dir, audience))
    return 0


if __name__ == "__main__":
    sys.exit(main())
