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
COURSE_TITLE = "Loss Functions in Neural Networks"

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


def _set_slide_type(cell: nbformat.NotebookNode, slide_type: str) -> None:
    cell.metadata.setdefault("slideshow", {})["slide_type"] = slide_type


def _starts_slide(cell: nbformat.NotebookNode) -> bool:
    return _slide_type(cell) in ("slide", "subslide")


def slides_of(cells: list) -> list[list]:
    """The cells of each slide, in order (notes cells stay on the slide they follow)."""
    groups: list[list] = []
    for cell in cells:
        if _slide_type(cell) == "skip":
            continue
        if not groups or _starts_slide(cell):
            groups.append([])
        groups[-1].append(cell)
    return groups


def _shown(group: list) -> list:
    return [c for c in group if _slide_type(c) != "notes"]


def ends_on_lead_in(group: list) -> bool:
    """The slide's last text is a markdown sentence ending with ':' (it introduces what follows)."""
    shown = _shown(group)
    if not shown or shown[-1].cell_type != "markdown":
        return False
    return re.sub(r"[\s*_)]+$", "", shown[-1].source).endswith(":")


def _keep_lead_ins_with_what_they_introduce(cells: list) -> list:
    """A slide ending on 'as follows:' while the code or numbers are on the next slide: move the
    break before the lead-in paragraph (or, when the lead-in is the whole slide, merge the two)."""
    out = list(cells)
    groups = slides_of(out)
    for this, following in zip(groups, groups[1:], strict=False):
        if not ends_on_lead_in(this) or _slide_type(following[0]) == "slide":
            continue  # a new ## section is not what a lead-in introduces
        lead = _shown(this)[-1]
        if lead is _shown(this)[0]:
            _set_slide_type(
                following[0], "-"
            )  # merge: the lead-in was all of its slide
            continue
        paragraphs = re.split(r"\n\s*\n", lead.source.strip())
        if len(paragraphs) > 1:  # only the last paragraph moves
            lead.source = "\n\n".join(paragraphs[:-1])
            moved = nbformat.v4.new_markdown_cell(paragraphs[-1])
            out.insert(out.index(lead) + 1, moved)
            lead = moved
        _set_slide_type(lead, _slide_type(following[0]))
        _set_slide_type(following[0], "-")
    return out


def _short_title(section: str) -> str:
    """'6. Focal loss: down-weighting the easy examples' -> 'Focal loss'."""
    title = re.sub(r"^[0-9A-Z]{1,2}[.·]\s+", "", section.strip())
    return re.split(r":\s|\s[—–]\s", title)[0].strip()


def _heading_level(cell: nbformat.NotebookNode) -> int:
    if cell.cell_type != "markdown":
        return 0
    match = re.match(r"(#{1,3})\s", cell.source.lstrip())
    return len(match.group(1)) if match else 0


def _minutes(notes: str) -> int:
    return sum(int(m) for m in re.findall(r"Time: (\d+)", notes))


def _notes_text(cell: nbformat.NotebookNode) -> str:
    return re.sub(r"^\*\*Speaker notes\*\*\s*", "", cell.source.strip())


def _orient(cells: list, notebook_title: str) -> list:
    """Every slide gets a heading and speaker notes.

    * A slide that does not open with a heading (a continuation of its ``## `` section) gets
      one: the section's short title and where the slide is in it, "Focal loss (2/3)".
    * A slide without its own notes cell gets its section's notes, so the speaker view
      (press s) is never blank; every slide's notes end with the running time: the
      section's minutes and where they fall in the notebook's total ("Time: N min" lines).
    """
    groups = slides_of(cells)
    sections: list[tuple[str, list[list]]] = []
    for group in groups:
        title = _heading(group[0])
        if title is not None or not sections:
            sections.append((title or notebook_title, []))
        sections[-1][1].append(group)
    minutes = [
        sum(_minutes(c.source) for g in gs for c in g if _slide_type(c) == "notes")
        for _, gs in sections
    ]
    total, elapsed = sum(minutes), 0
    out: list = []
    for (title, groups_), section_minutes in zip(sections, minutes, strict=True):
        notes = [
            _notes_text(c) for g in groups_ for c in g if _slide_type(c) == "notes"
        ]
        clock = (
            f"*Running time:* this section {section_minutes} min, "
            f"minutes {elapsed}–{elapsed + section_minutes} of {total}."
            if total
            else ""
        )
        for number, group in enumerate(groups_, 1):
            group = list(group)
            where = f"{number}/{len(groups_)}"
            if _heading_level(group[0]) == 0:
                heading = nbformat.v4.new_markdown_cell(
                    f"### {_short_title(title)} ({where})",
                    metadata={"slideshow": {"slide_type": _slide_type(group[0])}},
                )
                _set_slide_type(group[0], "-")  # the heading opens the slide now
                group.insert(0, heading)
            own = [c for c in group if _slide_type(c) == "notes"]
            if own:
                for cell in own:
                    cell.source = cell.source.rstrip() + f"\n\n{clock}"
            else:
                text = "\n\n".join(notes) or (
                    f"{notebook_title}: {total} minutes in all."
                )
                group.append(
                    nbformat.v4.new_markdown_cell(
                        f"**Speaker notes** · *{title}, slide {where}* (the "
                        f"section's notes)\n\n{text}\n\n{clock}",
                        metadata={"slideshow": {"slide_type": "notes"}},
                    )
                )
            out += group
        elapsed += section_minutes
    return out


#: MathJax prints a text-mode argument literally: ``\text{from\_logits}`` shows "from\_logits".
TEXT_MODE = re.compile(r"\\(?:text|texttt|textrm|textsf|textbf|textit|mbox)\{[^{}]*\}")
MATH_OUTPUTS = ("text/latex", "text/markdown", "text/html")


def unescape_text_mode(source: str) -> str:
    r"""``\text{sum\_over}`` -> ``\text{sum_over}`` (what MathJax 2 and 3 show without a backslash)."""
    return TEXT_MODE.sub(lambda m: m.group(0).replace("\\_", "_"), source)


def _unescape_formulas(cell: nbformat.NotebookNode) -> None:
    if cell.cell_type == "markdown":
        cell.source = unescape_text_mode(cell.source)
    for output in cell.get("outputs", []):
        for mime in MATH_OUTPUTS:
            value = output.get("data", {}).get(mime)
            if isinstance(value, str):
                output["data"][mime] = unescape_text_mode(value)


#: The instructor deck's solutions slide must not tell the room to unfold cells.
FOLDED_SENTENCE = re.compile(r"\s*Each solution cell is folded;[^.]*\.")
SOLUTIONS_IN_A_DECK = " Each solution follows under its exercise's number."


def notebook_title(notebook: nbformat.NotebookNode) -> str:
    """'# 05 · Classification losses' -> '05 Classification losses'."""
    for cell in notebook.cells:
        match = (
            re.match(r"#\s+(.+)", cell.source) if cell.cell_type == "markdown" else None
        )
        if match:
            return re.sub(r"\s*·\s*", " ", match.group(1).strip(), count=1)
    return ""


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
        _unescape_formulas(cell)
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
            elif cell.cell_type == "markdown":
                cell.source = FOLDED_SENTENCE.sub(SOLUTIONS_IN_A_DECK, cell.source)
        elif section == "exercises" and audience == "student":
            if cell.cell_type == "code":
                cell.outputs = []  # the check's reply to "..." is a hint
        cells.append(cell)
    cells = _keep_lead_ins_with_what_they_introduce(cells)
    notebook.cells = _orient(cells, notebook_title(notebook))
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
    footer = " · ".join(filter(None, [COURSE_TITLE, notebook_title(notebook)]))
    body, _ = exporter().from_notebook_node(
        notebook, resources={"metadata": {"name": path.stem}, "deck_footer": footer}
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
