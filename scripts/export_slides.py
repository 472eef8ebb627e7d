"""Export notebooks to reveal.js slide decks that work offline (``make slides``).

Cells' ``slideshow.slide_type`` metadata decides the slides; ``notes`` cells become
the speaker notes (press ``s`` in a deck). Two decks per notebook:

* ``NN_name.slides.html``, the deck to project in class: no launch badges, no
  "Solutions" section and no hints under the exercises;
* ``NN_name.instructor.slides.html``: the same plus the exercises' hints and the
  solutions, unfolded, as the last section.

Every slide fits 1280x720 without shrinking where it can: a slide estimated too tall
(scripts/slide_layout.py) becomes continuation slides, split between cells and blocks, each
titled "Section (n/m)" with the section's speaker notes; the title slide also carries the
objectives, prerequisites and time. A slide that ends on a lead-in (a colon, ':' or '：') keeps
what it introduces.

Interactive figures appear as the static picture of their first view: widget views
are left out of the export's display priority, because a deck has no kernel to
drive them. Every file a deck loads (reveal.js, require.js, MathJax) is installed
next to the decks in ``_static/`` by scripts/slide_assets.py, and the template
(scripts/slide_template/course_reveal) loads nothing else.

The Chinese edition (a notebook in a folder ``zh``, as notebooks/zh/) gets Chinese decks of the
same names in ``<output-dir>/zh/``, which load the same ``_static/`` (``../_static``). The
exporter finds its sections, notes and minutes by the zh markers (``## 参考答案``, ``## 练习``,
``**讲者备注**``, ``用时：N 分钟``; CONTRIBUTING.md, "Chinese edition"), and what it writes on
the slides is Chinese: the continuation titles "焦点损失（2/3）", the notes' running time and
header, the solutions sentence, the footer 神经网络中的损失函数 · notebook. A zh deck's Chinese
is drawn in the course's CJK font (course_utils/fonts, copied to ``_static/fonts/``), so it
needs no CJK font on the machine that shows or prints it.

    python scripts/export_slides.py notebooks/*.ipynb notebooks/zh/*.ipynb --output-dir build/slides
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import slide_assets  # noqa: E402
import slide_layout  # noqa: E402

TEMPLATE_DIR = Path(__file__).resolve().parent / "slide_template"
BADGE_MARKER = "<!-- launch-badges -->"
AUDIENCES = ("student", "instructor")
COURSE_TITLE = "Loss Functions in Neural Networks"
#: The folder of the Chinese edition's notebooks (notebooks/zh/) and of its decks (build/slides/zh/).
ZH_FOLDER = "zh"


class Edition(NamedTuple):
    """What the exporter reads in one edition's notebooks and writes on its slides."""

    lang: str  # the deck's <html lang>
    course_title: str
    solutions: str  # the ## heading of the solutions section (as its title reads)
    exercises: str  # the ## heading of the exercises section
    notes_heading: str  # what a notes cell starts with
    minutes: re.Pattern  # a section's minutes in its notes ("Time: 6 min")
    continued: str  # a continuation slide's heading: "{title} ({where})"
    clock: str  # the running time in every slide's notes
    borrowed_notes: str  # the header of a slide's notes taken from its section
    no_minutes: str  # the notes when no notes cell says how long anything takes
    folded: re.Pattern  # the solutions section's sentence on folded cells
    unfolded: str  # what a deck says instead


EDITIONS = {
    "en": Edition(
        lang="en",
        course_title=COURSE_TITLE,
        solutions="Solutions",
        exercises="Exercises",
        notes_heading="**Speaker notes**",
        minutes=re.compile(r"Time: (\d+)"),
        continued="{title} ({where})",
        clock="*Running time:* this section {minutes} min, minutes {start}–{end} of {total}.",
        borrowed_notes="**Speaker notes** · *{title}, slide {where}* (the section's notes)",
        no_minutes="{title}: {total} minutes in all.",
        folded=re.compile(r"\s*Each solution cell is folded;[^.]*\."),
        unfolded=" Each solution follows under its exercise's number.",
    ),
    # CONTRIBUTING.md, "Chinese edition": the markers the zh notebooks keep.
    "zh": Edition(
        lang="zh",
        course_title="神经网络中的损失函数",
        solutions="参考答案",
        exercises="练习",
        notes_heading="**讲者备注**",
        minutes=re.compile(r"用时：\s*(\d+)\s*分钟"),
        continued="{title}（{where}）",
        clock="*时间安排*：本节{minutes}分钟，即全程第{start}–{end}分钟（共{total}分钟）。",
        borrowed_notes="**讲者备注** · *{title}，第{where}张*（沿用本节的备注）",
        no_minutes="{title}：共{total}分钟。",
        folded=re.compile(r"\s*每个答案单元格都是折叠的；[^。]*。"),
        unfolded="每个答案都列在对应练习的编号之下。",
    ),
}


def edition_of(path: Path) -> Edition:
    """The Chinese edition for a notebook in a folder ``zh`` (notebooks/zh/), else the English."""
    return EDITIONS["zh" if path.parent.name == ZH_FOLDER else "en"]


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
    return _ends_with_colon(shown[-1].source)


def _ends_with_colon(source: str) -> bool:
    """The text ends with a colon (':' or the full-width '：'), bold or brackets aside."""
    return re.sub(r"[\s*_)）]+$", "", source).endswith((":", "："))


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


def _shown_cells(unit: list) -> list:
    return [c for c in unit if _slide_type(c) != "notes"]


def _may_break_after(unit: list) -> bool:
    """A slide may end after this piece: not on a lead-in (it introduces what follows), not on a
    bare heading."""
    shown = _shown_cells(unit)
    if not shown or shown[-1].cell_type != "markdown":
        return True
    source = shown[-1].source.strip()
    if _ends_with_colon(source):
        return False
    return not (_heading_level(shown[-1]) and "\n" not in source)


def _piece(cell: nbformat.NotebookNode, index: int, **fields) -> nbformat.NotebookNode:
    """A copy of ``cell`` holding part of it, with a stable id; only the first part keeps the
    cell's slide type (the others follow on the same slide unless a split moves them)."""
    piece = copy.deepcopy(cell)
    piece.update(fields)
    if index:
        piece.id = f"{cell.get('id', 'cell')}-{index}"[:64]
        _set_slide_type(piece, "-")
    return piece


#: A part of a cell cut for a slide is at most this tall, so that it fits under a section's
#: heading (## ) or a continuation's (### ).
PART_HEIGHT = slide_layout.BUDGET - slide_layout.cell_height(
    nbformat.v4.new_markdown_cell("## A section")
)


def _even_parts(
    items: list[str], heights: list[float], join: str, limit: float
) -> list[str]:
    """``items`` joined into the fewest runs no taller than ``limit`` (an item that is
    taller has a run of its own), the tallest run as short as possible."""
    count, used = 1, 0.0  # the fewest runs: fill each run in turn
    for height in heights:
        if used and used + height > limit:
            count, used = count + 1, 0.0
        used += height
    n = len(items)
    # best[k][j]: (tallest run, run starts) for items[:j] in k runs
    best: list[dict[int, tuple[float, list[int]]]] = [{0: (0.0, [])}]
    for k in range(1, count + 1):
        best.append({})
        for j in range(1, n + 1):
            options = [
                (max(tallest, sum(heights[i:j])), [*starts, i])
                for i, (tallest, starts) in best[k - 1].items()
                if i < j
            ]
            if options:
                best[k][j] = min(options)
    starts = [*best[count][n][1], n]
    return [join.join(items[a:b]) for a, b in zip(starts, starts[1:], strict=False)]


def _table_parts(block: str) -> list[str]:
    """A markdown table cut between rows into tables that fit a slide, each with the header."""
    lines = block.split("\n")
    if len(lines) < 4 or not re.match(r"^[\s|:-]+$", lines[1]):
        return [block]
    header, *rows = slide_layout.table_row_heights(block)
    head = slide_layout.cell_height(nbformat.v4.new_markdown_cell("\n".join(lines[:2])))
    parts = _even_parts(lines[2:], rows, "\n", PART_HEIGHT - head)
    return ["\n".join([*lines[:2], part]) for part in parts]


def _list_parts(block: str) -> list[str]:
    """A markdown list cut between its items into lists that fit a slide (a numbered list
    keeps its numbers: the part that starts at "4." is shown from 4)."""
    items: list[str] = []
    for line in block.split("\n"):
        if re.match(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])\s", line) or not items:
            items.append(line)
        else:
            items[-1] += "\n" + line
    heights = [slide_layout.block_height(item) for item in items]
    one = nbformat.v4.new_markdown_cell("* x")
    margins = slide_layout.cell_height(one) - slide_layout.block_height(one.source)
    return _even_parts(items, heights, "\n", PART_HEIGHT - margins)


def _statements(source: str) -> list[str]:
    """Code in runs of whole top-level statements, each with the comment lines just above it
    (at blank lines before unindented lines if it does not parse: IPython syntax)."""
    lines = source.split("\n")
    try:
        body = ast.parse(source).body
    except SyntaxError:
        body = []
        starts = [
            i
            for i in range(1, len(lines))
            if lines[i][:1].strip() and not lines[i - 1].strip()
        ]
    else:
        starts = []
        for node in body[1:]:
            decorators = getattr(node, "decorator_list", [])
            first = min([node.lineno, *(d.lineno for d in decorators)]) - 1
            while first > 0 and lines[first - 1].startswith("#"):
                first -= 1
            starts.append(first)
    bounds = [0, *starts, len(lines)]
    return ["\n".join(lines[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def _code_parts(source: str) -> list[str]:
    """Code cut between top-level statements into parts that fit a slide (the text unchanged)."""
    chunks = _statements(source)
    heights = [slide_layout.CODE_LINE * (chunk.count("\n") + 1) for chunk in chunks]
    empty = slide_layout.cell_height(nbformat.v4.new_code_cell(""))  # padding, one line
    limit = PART_HEIGHT - empty + slide_layout.CODE_LINE
    return [part.strip("\n") for part in _even_parts(chunks, heights, "\n", limit)]


#: How a markdown block too tall for a slide is cut, by kind.
CUT_BLOCKS = {"table": _table_parts, "list": _list_parts}


def _cut(cell: nbformat.NotebookNode) -> list:
    """A cell in the pieces a slide may break between: a markdown cell between its blocks
    (paragraphs, lists, formulas; a table too tall for a slide between its rows, with the
    header repeated, and a list between its items); a code cell between its input and its outputs, between outputs (the
    parts after the first show no input) and, if the code is too tall for a slide, at blank
    lines before top-level statements. A piece keeps the slide of the piece before it unless
    a split moves it."""
    if cell.cell_type == "markdown":
        blocks = []
        for block in slide_layout.markdown_blocks(cell.source):
            kind = slide_layout.block_kind(block)
            if (
                slide_layout.block_height(block) <= PART_HEIGHT
                or kind not in CUT_BLOCKS
            ):
                blocks.append(block)
            else:
                blocks += CUT_BLOCKS[kind](block)
        return [_piece(cell, i, source=b) for i, b in enumerate(blocks)]
    if cell.cell_type != "code":
        return [cell]
    code = (
        _code_parts(cell.source)
        if slide_layout.cell_height(_piece(cell, 0, outputs=[])) > PART_HEIGHT
        else [cell.source]
    )
    parts = [_piece(cell, i, source=c, outputs=[]) for i, c in enumerate(code)]
    for i, output in enumerate(cell.get("outputs", []), len(code)):
        part = _piece(cell, i, outputs=[output])
        part.metadata.setdefault("transient", {})["remove_source"] = True
        parts.append(part)
    return parts


def _units(group: list, cut: set[int]) -> list[list]:
    """The slide's cells in the pieces a split may separate: a notes cell stays with the cell
    before it, and the cells at the indices in ``cut`` are cut (:func:`_cut`)."""
    units: list[list] = []
    for index, cell in enumerate(group):
        if _slide_type(cell) == "notes" and units:
            units[-1].append(cell)
        elif index in cut:
            units += [[piece] for piece in _cut(cell)]
        else:
            units.append([cell])
    return units


def _opening_height(unit: list) -> float:
    """The heading the exporter adds to a slide that starts with this piece (none if it has one)."""
    shown = _shown_cells(unit)
    return (
        0.0 if shown and _heading_level(shown[0]) else slide_layout.CONTINUATION_HEADING
    )


def _fewest_even_slides(units: list[list], budget: float) -> list[int]:
    """Where slides start (indices into ``units``): none taller than ``budget`` if it can be
    helped, then as few slides as possible, then the tallest as short as possible; a slide
    never ends after a piece that may not end one (:func:`_may_break_after`)."""
    heights = [sum(map(slide_layout.cell_height, u)) for u in units]
    # best[j]: (height beyond the budget, slides, tallest slide, starts) for units[:j]
    best: list[tuple[float, int, float, list[int]] | None] = [None] * (len(units) + 1)
    best[0] = (0.0, 0, 0.0, [])
    for j in range(1, len(units) + 1):
        if j < len(units) and not _may_break_after(units[j - 1]):
            continue
        for i in range(j):
            previous = best[i]
            if previous is None:
                continue
            height = _opening_height(units[i]) + sum(heights[i:j])
            candidate = (
                previous[0] + max(0.0, height - budget),
                previous[1] + 1,
                max(previous[2], height),
                [*previous[3], i],
            )
            current = best[j]
            if current is None or candidate[:3] < current[:3]:
                best[j] = candidate
    final = best[len(units)]
    assert final is not None  # a slide may always end after the last piece
    return final[3]


def _split(group: list, budget: float) -> list[list]:
    """One slide as the fewest even slides that fit (:func:`split_tall_slides`)."""
    cut: set[int] = set()
    while True:
        units = _units(group, cut)
        starts = _fewest_even_slides(units, budget)
        slides = [
            [c for u in units[a:b] for c in u]
            for a, b in zip(starts, [*starts[1:], len(units)], strict=True)
        ]
        too_tall = {
            id(c)
            for piece in slides
            if _opening_height(piece) + sum(map(slide_layout.cell_height, piece))
            > budget
            for c in piece
        }
        uncut = [
            (slide_layout.cell_height(cell), index)
            for index, cell in enumerate(group)
            if id(cell) in too_tall and index not in cut and len(_cut(cell)) > 1
        ]
        if not uncut:
            return slides
        cut.add(max(uncut)[1])  # the tallest cell of a slide that does not fit


def _title_slide_with_objectives(cells: list) -> list:
    """The title slide also shows the section after it when that section states the objectives
    (an unnumbered ``## `` heading over a numbered list), with its prerequisites and time
    (issue 20: a title slide alone was 80 % blank). That section's slides, subslides and
    fragments join the title slide; the template sets the title slide in a smaller type
    (``.title-slide``) so that they fit."""
    groups = slides_of(cells)
    if len(groups) < 2 or _heading(groups[0][0]) is not None:
        return cells
    title = _heading(groups[1][0])
    shown = "\n\n".join(
        c.source for c in _shown_cells(groups[1]) if c.cell_type == "markdown"
    )
    numbered_title = title is not None and re.match(r"[0-9A-Z]{1,2}\s*[.·]", title)
    if title is None or numbered_title or not re.search(r"(?m)^1[.)]\s", shown):
        return cells
    joining = [groups[1]]
    for group in groups[2:]:
        if _slide_type(group[0]) == "slide" or _heading(group[0]) is not None:
            break
        joining.append(group)
    for group in joining:
        for cell in group:
            if _slide_type(cell) != "notes":
                _set_slide_type(cell, "-")
    return cells


def split_tall_slides(cells: list, budget: float = slide_layout.BUDGET) -> list:
    """Split every slide estimated taller than ``budget`` into continuation slides.

    A slide that does not fit 1280x720 is scaled down as a whole, and its code drops below
    20 px. So each slide's height is estimated (:mod:`slide_layout`), and a slide that needs
    more than ``budget`` becomes the fewest, most even slides that fit, split between cells;
    while one of them is still too tall, its tallest cell is cut into pieces too (between
    paragraphs, table rows, a code cell's input and its outputs). A slide never ends on a
    lead-in or a bare heading. Each new slide is a subslide, which the exporter then titles
    "Section (n/m)" and gives the section's notes; a piece taller than a slide keeps a slide
    of its own (and is scaled). A split that leaves a nearly empty slide (a two-line output
    whose code filled the slide before) joins it to a neighbour in its section where it fits.
    The title slide is left as it is (its type is smaller).
    """
    slides: list[list] = []
    made: set[int] = set()  # the slides a split made (id of their first cell)
    for number, group in enumerate(slides_of(cells)):
        height = _opening_height(group) + sum(map(slide_layout.cell_height, group))
        if number == 0 or height <= budget:
            slides.append(group)
            continue
        for index, piece in enumerate(_split(group, budget)):
            if index:
                _set_slide_type(piece[0], "subslide")
            slides.append(piece)
            made.add(id(piece[0]))
    slides = _join_small_slides(slides, made, budget)
    return [cell for slide in slides for cell in slide]


def _join_small_slides(slides: list[list], made: set[int], budget: float) -> list[list]:
    """A slide that a split made with little on it (under a third of ``budget``) joins the
    slide before it, or else the one after it, when both belong to the same section and the
    two fit together; never the title slide, never after a lead-in that needs what follows."""

    def height(slide: list) -> float:
        return _opening_height(slide) + sum(map(slide_layout.cell_height, slide))

    def continues(slide: list) -> bool:  # not the start of a ## section
        return _heading(slide[0]) is None and _slide_type(slide[0]) != "slide"

    index = 1
    while index < len(slides):
        slide = slides[index]
        content = sum(map(slide_layout.cell_height, slide))
        if id(slide[0]) not in made or not continues(slide) or content >= budget / 3:
            index += 1
            continue
        before = slides[index - 1]
        after = slides[index + 1] if index + 1 < len(slides) else None
        if index > 1 and _may_break_after(slide) and height(before) + content <= budget:
            _set_slide_type(slide[0], "-")
            slides[index - 1] = before + slide
            del slides[index]
            continue
        if (
            after is not None
            and continues(after)
            and height(slide) + (height(after) - _opening_height(after)) <= budget
        ):
            _set_slide_type(after[0], "-")
            slides[index] = slide + after
            del slides[index + 1]
            continue
        index += 1
    return slides


def _short_title(section: str) -> str:
    """'6. Focal loss: down-weighting the easy examples' -> 'Focal loss'
    ('6. 焦点损失：降低易分样本的权重' -> '焦点损失')."""
    title = re.sub(r"^[0-9A-Z]{1,2}\s*[.·]\s+", "", section.strip())
    return re.split(r":\s|：|\s[—–]\s", title)[0].strip()


def _heading_level(cell: nbformat.NotebookNode) -> int:
    if cell.cell_type != "markdown":
        return 0
    match = re.match(r"(#{1,3})\s", cell.source.lstrip())
    return len(match.group(1)) if match else 0


def _minutes(notes: str, edition: Edition = EDITIONS["en"]) -> int:
    return sum(int(m) for m in edition.minutes.findall(notes))


def _notes_text(cell: nbformat.NotebookNode, edition: Edition = EDITIONS["en"]) -> str:
    return cell.source.strip().removeprefix(edition.notes_heading).lstrip()


def _orient(
    cells: list, notebook_title: str, edition: Edition = EDITIONS["en"]
) -> list:
    """Every slide gets a heading and speaker notes.

    * A slide that does not open with a heading (a continuation of its ``## `` section) gets
      one: the section's short title and where the slide is in it, "Focal loss (2/3)".
    * A slide without its own notes cell gets its section's notes, so the speaker view
      (press s) is never blank; every slide's notes end with the running time: the
      section's minutes and where they fall in the notebook's total ("Time: N min" lines).

    A Chinese deck (``edition``) reads its notes' ``用时：N 分钟`` and says all this in Chinese.
    """
    groups = slides_of(cells)
    sections: list[tuple[str, list[list]]] = []
    for group in groups:
        title = _heading(group[0])
        if title is not None or not sections:
            sections.append((title or notebook_title, []))
        sections[-1][1].append(group)
    minutes = [
        sum(
            _minutes(c.source, edition)
            for g in gs
            for c in g
            if _slide_type(c) == "notes"
        )
        for _, gs in sections
    ]
    total, elapsed = sum(minutes), 0
    out: list = []
    for (title, groups_), section_minutes in zip(sections, minutes, strict=True):
        notes = [
            _notes_text(c, edition)
            for g in groups_
            for c in g
            if _slide_type(c) == "notes"
        ]
        clock = (
            edition.clock.format(
                minutes=section_minutes,
                start=elapsed,
                end=elapsed + section_minutes,
                total=total,
            )
            if total
            else ""
        )
        for number, group in enumerate(groups_, 1):
            group = list(group)
            where = f"{number}/{len(groups_)}"
            if _heading_level(group[0]) == 0:
                heading = nbformat.v4.new_markdown_cell(
                    "### "
                    + edition.continued.format(title=_short_title(title), where=where),
                    metadata={"slideshow": {"slide_type": _slide_type(group[0])}},
                )
                _set_slide_type(group[0], "-")  # the heading opens the slide now
                group.insert(0, heading)
            own = [c for c in group if _slide_type(c) == "notes"]
            if own:
                for cell in own:
                    cell.source = cell.source.rstrip() + f"\n\n{clock}"
            else:
                text = "\n\n".join(notes) or edition.no_minutes.format(
                    title=notebook_title, total=total
                )
                header = edition.borrowed_notes.format(title=title, where=where)
                group.append(
                    nbformat.v4.new_markdown_cell(
                        f"{header}\n\n{text}\n\n{clock}",
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
FOLDED_SENTENCE = EDITIONS["en"].folded
SOLUTIONS_IN_A_DECK = EDITIONS["en"].unfolded


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
    notebook: nbformat.NotebookNode, audience: str, lang: str = "en"
) -> nbformat.NotebookNode:
    """A copy of ``notebook`` prepared for one audience's deck (the notebook is not changed);
    ``lang`` "zh" for a notebook of the Chinese edition (its sections, notes and minutes are
    found by their Chinese markers, and what the deck adds is in Chinese)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    edition = EDITIONS[lang]
    solutions, exercises = edition.solutions.lower(), edition.exercises.lower()
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
        if section == solutions:
            if audience == "student":
                continue
            if cell.cell_type == "code":
                cell.metadata.setdefault("slideshow", {})["slide_type"] = "-"
                cell.metadata.get("jupyter", {}).pop("source_hidden", None)
            elif cell.cell_type == "markdown":
                cell.source = edition.folded.sub(edition.unfolded, cell.source)
        elif section == exercises and audience == "student":
            if cell.cell_type == "code":
                cell.outputs = []  # the check's reply to "..." is a hint
        cells.append(cell)
    cells = _keep_lead_ins_with_what_they_introduce(cells)
    cells = _title_slide_with_objectives(cells)
    cells = split_tall_slides(cells)
    notebook.cells = _orient(cells, notebook_title(notebook), edition)
    return notebook


def deck_name(path: Path, audience: str) -> str:
    suffix = ".slides.html" if audience == "student" else ".instructor.slides.html"
    return path.stem + suffix


def deck_path(path: Path, output_dir: Path, audience: str) -> Path:
    """Where the deck of the notebook at ``path`` goes: ``output_dir/<name>…`` for the English
    edition, ``output_dir/zh/<name>…`` for a notebook of notebooks/zh/."""
    folder = output_dir / ZH_FOLDER if edition_of(path).lang == "zh" else output_dir
    return folder / deck_name(path, audience)


def exporter(static: str = slide_assets.STATIC, lang: str = "en") -> SlidesExporter:
    """nbconvert's exporter for the course template; ``static`` is the relative path from the
    deck to the assets (``../_static`` from zh/), ``lang`` the deck's language."""

    def local(path: str) -> str:
        return static + path.removeprefix(slide_assets.STATIC)

    config = Config()
    config.NbConvertBase.display_data_priority = STATIC_DISPLAY_PRIORITY
    config.SlidesExporter.reveal_scroll = False
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_url_prefix = local(slide_assets.REVEAL_PREFIX)
    config.SlidesExporter.require_js_url = local(slide_assets.REQUIRE_JS)
    config.SlidesExporter.mathjax_url = local(slide_assets.MATHJAX_JS)
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    config.SlidesExporter.template_name = "course_reveal"
    config.SlidesExporter.language_code = lang
    return SlidesExporter(config=config)


def export(path: Path, output_dir: Path, audience: str = "student") -> Path:
    """Write ``output_dir/<name>.slides.html`` (or ``.instructor.slides.html``); a notebook of
    the Chinese edition (in a folder ``zh``) gets a Chinese deck in ``output_dir/zh/``, which
    loads the same ``output_dir/_static`` and the CJK font from there."""
    edition = edition_of(path)
    notebook = deck_notebook(nbformat.read(path, as_version=4), audience, edition.lang)
    footer = " · ".join(filter(None, [edition.course_title, notebook_title(notebook)]))
    target = deck_path(path, output_dir, audience)
    static = slide_assets.STATIC if target.parent == output_dir else "../_static"
    resources = {"metadata": {"name": path.stem}, "deck_footer": footer}
    if edition.lang == "zh":
        resources["cjk_font"] = {
            "url": static + slide_assets.CJK_FONT.removeprefix(slide_assets.STATIC),
            "family": slide_assets.CJK_FONT_FAMILY,
        }
    body, _ = exporter(static, edition.lang).from_notebook_node(
        notebook, resources=resources
    )
    target.parent.mkdir(parents=True, exist_ok=True)
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
