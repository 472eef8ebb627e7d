"""Export notebooks to reveal.js slide decks (``make slides``).

Cells' ``slideshow.slide_type`` metadata decides the slides. Interactive figures
appear as the static picture of their first view: widget views are left out of
the export's display priority, because a deck has no kernel to drive them.

    python scripts/export_slides.py notebooks/*.ipynb --output-dir build/slides
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

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


def export(path: Path, output_dir: Path) -> Path:
    """Write ``output_dir/<name>.slides.html`` for the notebook at ``path``."""
    config = Config()
    config.NbConvertBase.display_data_priority = STATIC_DISPLAY_PRIORITY
    config.SlidesExporter.reveal_scroll = True
    exporter = SlidesExporter(config=config)
    body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output-dir", type=Path, default=Path("build/slides"))
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(export(path, args.output_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
