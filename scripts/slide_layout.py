"""How tall a slide will be, estimated from its cells, and splitting the slides that are too tall.

A deck fits every slide to 1280x720 by scaling it down as a whole (the template's ``fit``), and
a slide scaled down is hard to read from the back row: its code drops below 20 px. So before
export, each slide's height is estimated from its cells (lines of prose, list items, table rows,
formulas, code lines, outputs and the pixel size of every picture) and a slide taller than
:data:`BUDGET` is split at cell or block boundaries into continuation slides (the exporter then
gives each the section's "(n/m)" heading and notes). Nothing here reads the notebook's language:
the same rules split a translated deck. A wide (CJK) character counts as :data:`PROSE_WIDE`
Latin characters in prose, lists and tables and :data:`CODE_WIDE` columns in code and outputs, and
a line may break between two of them (measured on the Chinese decks, in the CJK font they bring).

The sizes below are the template's (``scripts/slide_template/course_reveal``), measured in
Chromium on the course's decks laid out 1280 px wide at scale 1 (1232 px of content).
"""

from __future__ import annotations

import base64
import math
import re
import struct
import unicodedata

import nbformat

#: What a slide's box may take at scale 1: 720 px minus the footer band (44) and 2 px to spare.
BOX_HEIGHT = 674.0
#: The box's own padding (8 px above and below the content).
BOX_PADDING = 16.0
#: The smallest scale a split slide is meant to need: code (22 px) stays above 20 px with room
#: for the estimate's error.
TARGET_SCALE = 0.95
#: Content height that fits at TARGET_SCALE.
BUDGET = BOX_HEIGHT / TARGET_SCALE - BOX_PADDING

# Prose (24 px, line height 1.3; a quote is narrower) and list items (lines 38.4 px apart).
PROSE_LINE, PROSE_CHARS, QUOTE_CHARS = 31.2, 92, 66
LIST_LINE, LIST_CHARS = 38.4, 86
# Tables (0.8 em) and code (22 px, line height 1.2; lines are wrapped between words).
TABLE_LINE, TABLE_CHARS, TABLE_ROW_PADDING, TABLE_CELL_PADDING = 25.0, 110, 12.0, 2
CODE_LINE, CODE_CHARS, OUTPUT_CHARS = 26.4, 88, 94
#: How many Latin characters' width a wide (CJK) character takes. A CJK glyph is 1 em wide, a
#: code column 0.6 em; the prose fonts' Latin letters take 0.54 em on average (in Chromium at
#: scale 1, 49 CJK characters fill a prose line of PROSE_CHARS, 47 a list item's line): 1.86,
#: rounded up to 1.92 so that the zh slides' errors match the English ones (median 0 px, 5th
#: percentile -20 px on 484 slides of the zh decks; -19 px on the English decks), as bold lead-ins
#: and breaks that punctuation forbids make lines of Chinese a little fuller.
PROSE_WIDE, CODE_WIDE = 1.92, 5 / 3
CODE_INPUT_PADDING, TEXT_OUTPUT_PADDING, OUTPUTS_PADDING = 24.6, 17.6, 5.0
#: A picture is shown at its pixel size, narrowed to the output area; below it a small margin.
OUTPUT_WIDTH, IMAGE_MARGIN = 1220.0, 15.0
#: A cell's own padding (2 px above and below).
CELL_PADDING = 4.0
#: Margins (top, bottom) of markdown blocks; between two blocks the larger one counts.
MARGINS = {
    "h1": (21.6, 10.8),
    "h2": (17.3, 8.6),
    "h3": (14.4, 0.0),
    "p": (20.0, 12.0),
    "list": (0.0, 12.0),
    "table": (0.0, 9.6),
    "quote": (20.0, 12.0),
    "math": (20.0, 12.0),
    "code": (0.0, 12.0),
}
HEADING_HEIGHT = {1: 43.0, 2: 35.0, 3: 29.0, 4: 29.0, 5: 29.0, 6: 29.0}
#: A continuation heading ("### Focal loss (2/3)"), which the exporter adds to a slide that
#: does not start with one: a markdown cell holding one level-3 heading.
CONTINUATION_HEADING = CELL_PADDING + MARGINS["h3"][0] + HEADING_HEIGHT[3]

LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_blocks(source: str) -> list[str]:
    """The blocks of a markdown cell: paragraphs, lists, tables, headings, formulas, fences.

    Blocks are separated by blank lines, except inside a ``$$`` formula or a code fence; a
    list or a table that starts right under a paragraph line is a block of its own too.
    """
    blocks: list[str] = []
    current: list[str] = []
    in_math = in_fence = False
    for line in source.strip("\n").split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.count("$$") % 2 == 1:
            in_math = not in_math
        outside = not in_math and not in_fence
        if not line.strip() and outside:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        if current and outside and _starts_new_block(current[-1], line):
            blocks.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _starts_new_block(previous: str, line: str) -> bool:
    """A list item or table row right under a paragraph line (or a heading line) starts a block."""
    if re.match(r"#{1,6}\s", previous.lstrip()):
        return True
    paragraph = not (
        LIST_ITEM.match(previous)
        or previous.startswith((" ", "\t"))
        or previous.lstrip().startswith(("|", ">"))
    )
    return paragraph and bool(LIST_ITEM.match(line) or line.lstrip().startswith("|"))


def block_kind(block: str) -> str:
    """'h1'…'h3', 'list', 'table', 'quote', 'math', 'code' or 'p'."""
    first = block.lstrip("\n").split("\n")[0]
    heading = re.match(r"(#{1,6})\s", first)
    if heading:
        return f"h{min(len(heading.group(1)), 3)}"
    if LIST_ITEM.match(first):
        return "list"
    if first.lstrip().startswith("|"):
        return "table"
    if first.lstrip().startswith(">"):
        return "quote"
    if FENCE.match(first):
        return "code"
    if block.strip().startswith("$$") and block.strip().endswith("$$"):
        return "math"
    return "p"


def _math_width(tex: str) -> int:
    """Characters of prose that an inline formula takes, roughly: one per symbol."""
    tex = re.sub(r"\\(?:text|mathrm|operatorname|mathbf)\{([^{}]*)\}", r"\1", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)
    return max(1, len(re.sub(r"[{}_^\s]", "", tex)))


def visible_length(text: str) -> float:
    """How many characters of prose a line of markdown shows (links, emphasis, formulas); a
    wide character (Chinese, full-width punctuation) counts as :data:`PROSE_WIDE`."""
    return _width(_visible(text), PROSE_WIDE)


def _lines(text: str, per_line: int) -> int:
    """Screen lines of a paragraph or list item: its length over ``per_line`` (calibrated on
    English, word wrapping included), or, for text with wide characters, laid out line by line
    (:func:`_cjk_lines`): a line of Chinese breaks anywhere but around Latin words and before
    closing punctuation, so how full its lines are depends on where those fall."""
    if WIDE_TEXT.search(text):
        return _cjk_lines(_visible(text), per_line)
    return max(1, math.ceil(visible_length(text) / per_line))


#: A wide (CJK) character; punctuation that may not start a line, and that may not end one.
WIDE_TEXT = re.compile(r"[\u2e80-\uffef]")
NO_BREAK_BEFORE = "，。、；：！？）》」』】〕…—”’%,.;:!?)]}"
NO_BREAK_AFTER = "（《「『【〔“‘([{"


def _cjk_lines(text: str, per_line: float) -> int:
    """Lines of ``text`` filled one by one, ``per_line`` Latin characters wide: a break may come
    after a space or next to a wide character, never before closing punctuation nor after
    opening punctuation (as Chromium breaks Chinese text)."""
    units: list[str] = []
    for unit in WRAP_UNIT.findall(text):
        if units and (
            unit[0] in NO_BREAK_BEFORE
            or units[-1].rstrip()[-1:] in NO_BREAK_AFTER
            or not (
                WIDE_TEXT.match(unit)
                or units[-1][-1].isspace()
                or WIDE_TEXT.match(units[-1][-1])
            )
        ):
            units[-1] += unit
        else:
            units.append(unit)
    lines, used = 1, 0.0
    for unit in units:
        size = _width(unit.rstrip(), PROSE_WIDE)
        if used + size > per_line and used:
            lines, used = lines + 1, 0.0
        lines += max(0, math.ceil(size / per_line) - 1)
        used += size + len(unit) - len(unit.rstrip())
    return lines


#: A display formula's width: its symbols times the width of one, MATH_SYMBOL px in a markdown
#: cell (31 px type) and MATH_OUTPUT_SYMBOL px in an output (``Math(...)``, smaller type); a sub- or
#: superscript counts MATH_SCRIPT of a symbol, a fraction as its wider part, a formula of rows
#: (``\\``) as its widest row. Measured on the course's 72 formulas in Chromium (median of
#: measured over estimated width 1.0 in both; 0.81 to 1.08 for the 13 wider than a line).
MATH_SYMBOL, MATH_OUTPUT_SYMBOL, MATH_SCRIPT = 18.4, 14.9, 0.6
#: The deck breaks a formula wider than MATH_LINE_WIDTH into lines (MathJax's line breaks, at its
#: relations, operators and commas: the template's fitWidths), about MATH_FILL_WIDTH of formula
#: to a line; a line after the first adds MATH_LINE px (measured: 39-54 px, in a cell or an output).
MATH_LINE_WIDTH, MATH_FILL_WIDTH, MATH_LINE = 1200.0, 900.0, 45.0
#: An output formula (text/latex) is drawn MATH_OUTPUT_SYMBOL / MATH_SYMBOL the size of a cell's,
#: in an output area MATH_OUTPUT_PADDING px taller (measured on the 21 output formulas: median
#: error 0 px; the estimate was 34 px high with the cell's sizes and 26 px of padding).
MATH_OUTPUT_PADDING = 10.0
FRACTION = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
SCRIPT = re.compile(r"[_^](?:\{([^{}]*)\}|(\\[a-zA-Z]+|.))")
ENVIRONMENT = re.compile(r"\\begin\{(\w+)\}(.*?)\\end\{\1\}", re.S)
ROW = r"\\\\(?:\[[^\]]*\])?"  # \\ or \\[2ex]


def display_math_width(tex: str, symbol: float = MATH_SYMBOL) -> float:
    """Roughly how wide a display formula is drawn unbroken (px), ``symbol`` px a symbol."""
    tex = tex.replace("$", "").replace("\\displaystyle", "").replace("\\_", "x")
    tex = ENVIRONMENT.sub(  # cases, a matrix: as wide as its widest row
        lambda m: max(re.split(ROW, m.group(2)), key=_math_width), tex
    )
    return max(_row_width(row, symbol) for row in re.split(ROW, tex))


def _row_width(tex: str, symbol: float) -> float:
    tex = re.sub(r"\\(?:left|right|[bB]igg?[lr]?)\b|\\[,;:! ]", "", tex)
    tex = tex.replace("\\qquad", "mmmm").replace("\\quad", "mm")
    for _ in range(3):  # nested fractions, innermost first
        tex = FRACTION.sub(lambda m: max(m.group(1), m.group(2), key=_math_width), tex)
    scripts = [m.group(1) or m.group(2) for m in SCRIPT.finditer(tex)]
    base = SCRIPT.sub("", tex)
    symbols = (_math_width(base) if base.strip() else 0) + MATH_SCRIPT * sum(
        _math_width(s) for s in scripts
    )
    return symbol * symbols


def display_math_height(tex: str, symbol: float = MATH_SYMBOL) -> float:
    """A ``$$…$$`` formula: flat, with a fraction, with a sum's limits, braces below, or rows,
    drawn ``symbol`` px a symbol (:data:`MATH_SYMBOL` in a cell); one wider than a line is
    broken into lines (:data:`MATH_LINE` each after the first)."""
    width = display_math_width(tex, symbol)
    lines = 1 if width <= MATH_LINE_WIDTH else math.ceil(width / MATH_FILL_WIDTH)
    if re.search(r"\\begin\{(?:cases|pmatrix|bmatrix|matrix|array|aligned)\}", tex):
        height = 20.0 + 70.0 * (1 + len(re.findall(r"\\\\", tex)))
    elif re.search(r"\\(?:underbrace|overbrace)", tex):
        height = 160.0
    elif re.search(r"\\(?:sum|prod|int)\w*\s*_", tex):
        height = 100.0
    elif re.search(r"\\(?:d?frac|binom)", tex):
        height = 80.0
    else:
        height = 44.0
    return height * symbol / MATH_SYMBOL + MATH_LINE * (lines - 1)


def block_height(block: str, chars: int = PROSE_CHARS) -> float:
    """The height of one markdown block's content (without its margins), ``chars`` to a line."""
    kind = block_kind(block)
    if kind.startswith("h"):
        level = len(re.match(r"#+", block.lstrip()).group(0))  # type: ignore[union-attr]
        rest = block.split("\n", 1)[1] if "\n" in block else ""
        return HEADING_HEIGHT[min(level, 6)] + (
            _lines(rest, PROSE_CHARS) * PROSE_LINE if rest.strip() else 0.0
        )
    if kind == "list":
        items: list[str] = []
        for line in block.split("\n"):
            if LIST_ITEM.match(line) or not items:
                items.append(LIST_ITEM.sub("", line))
            else:
                items[-1] += " " + line.strip()
        return sum(_lines(item, LIST_CHARS) for item in items) * LIST_LINE
    if kind == "table":
        return table_height(block)
    if kind == "quote":
        inner = re.sub(r"^\s*>\s?", "", block, flags=re.M)
        return 20.0 + markdown_content_height(inner, QUOTE_CHARS)
    if kind == "code":
        lines = [line for line in block.split("\n") if not FENCE.match(line)]
        return CODE_INPUT_PADDING + CODE_LINE * len(lines)
    if kind == "math":
        return display_math_height(block)
    height = 0.0
    for part in re.split(r"(\$\$.*?\$\$)", block, flags=re.S):
        if part.startswith("$$"):
            height += display_math_height(part)
        elif part.strip():
            height += _lines(part.replace("\n", " "), chars) * PROSE_LINE
    return height


def _visible(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\$([^$]+)\$", lambda m: "m" * _math_width(m.group(1)), text)
    return re.sub(r"[*_`]", "", text).strip()


def _unbreakable(text: str) -> list[str]:
    """The runs a line may not break inside: words, and each wide (Chinese) character."""
    return [
        run
        for word in text.split()
        for run in re.split(r"(?<=[\u2e80-\uffef])|(?=[\u2e80-\uffef])", word)
        if run
    ]


def table_height(block: str) -> float:
    """A markdown table's height: the sum of :func:`table_row_heights`."""
    return sum(table_row_heights(block))


def table_row_heights(block: str) -> list[float]:
    """The height of each row of a markdown table (the header first), laid out as a browser
    lays out a table too wide for the slide: each column gets its longest word, and the width
    left is shared by how much longer its longest cell is; a row is as tall as its cell with
    the most lines."""
    rows = [
        [_visible(cell) for cell in line.strip().strip("|").split("|")]
        for line in block.split("\n")
        if line.strip().startswith("|") and not re.match(r"^[\s|:-]+$", line)
    ]
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    pad = TABLE_CELL_PADDING
    widest = [
        max(_width(row[j], PROSE_WIDE) for row in rows) + pad for j in range(columns)
    ]
    words = [
        max(
            _width(word, PROSE_WIDE)
            for row in rows
            for word in [*_unbreakable(row[j]), ""]
        )
        + pad
        for j in range(columns)
    ]
    if sum(widest) <= TABLE_CHARS:
        widths = widest
    else:
        spare = max(0, TABLE_CHARS - sum(words))
        stretch = sum(w - m for w, m in zip(widest, words, strict=True)) or 1
        widths = [
            m + spare * (w - m) / stretch for w, m in zip(widest, words, strict=True)
        ]
    return [
        TABLE_ROW_PADDING
        + TABLE_LINE
        * max(
            _wrapped(row[j], max(1, int(widths[j]) - pad), PROSE_WIDE)
            for j in range(columns)
        )
        for row in rows
    ]


def markdown_content_height(source: str, chars: int = PROSE_CHARS) -> float:
    """Blocks and the margins between them (the larger of two neighbouring margins)."""
    blocks = markdown_blocks(source)
    if not blocks:
        return 0.0
    kinds = [block_kind(b) for b in blocks]
    height = MARGINS[kinds[0]][0] + MARGINS[kinds[-1]][1]
    for before, after in zip(kinds, kinds[1:], strict=False):
        height += max(MARGINS[before][1], MARGINS[after][0])
    return height + sum(block_height(b, chars) for b in blocks)


def png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, from its header."""
    head = base64.b64decode(re.sub(r"\s", "", data)[:44])
    width, height = struct.unpack(">II", head[16:24])
    return width, height


#: A run a line may not break inside: a word, or one wide (CJK) character with the spaces after it.
WRAP_UNIT = re.compile(r"[\u2e80-\uffef]\s*|[^\s\u2e80-\uffef]+\s*")


def _wrapped(line: str, width: float = CODE_CHARS, wide: float = CODE_WIDE) -> int:
    """Screen lines of one line of code or output (or of a table cell, with ``wide`` of prose),
    wrapped between words and between wide characters as the deck does."""
    lines, used = 1, float(len(line) - len(line.lstrip()))
    for word in WRAP_UNIT.findall(line.lstrip()):
        size = _width(word.rstrip(), wide)
        if used + size > width and used:
            lines, used = lines + 1, 0.0
        lines += max(0, math.ceil(size / width) - 1)  # a word longer than a line is cut
        used += size + len(word) - len(word.rstrip())
    return lines


def _width(text: str, wide: float = CODE_WIDE) -> float:
    """Width of ``text`` in Latin characters (code columns): a wide character takes ``wide``."""
    count = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return len(text) - count + wide * count


def _text_lines(text: str, width: int = CODE_CHARS) -> int:
    return sum(_wrapped(line, width) for line in text.rstrip("\n").split("\n"))


def output_height(output: nbformat.NotebookNode) -> float:
    """One output as a deck shows it (the richest static form: pictures, formulas, text)."""
    if output.get("output_type") == "stream":
        text = output.get("text", "")
        return TEXT_OUTPUT_PADDING + CODE_LINE * _text_lines(text, OUTPUT_CHARS)
    if output.get("output_type") == "error":
        text = "\n".join(output.get("traceback", []))
        return TEXT_OUTPUT_PADDING + CODE_LINE * _text_lines(text, OUTPUT_CHARS)
    data = output.get("data", {})
    if "text/html" in data:
        html = data["text/html"]
        return 20.0 + 40.0 * max(1, html.count("<tr")) if "<tr" in html else 60.0
    if "text/markdown" in data:
        return markdown_content_height(data["text/markdown"])
    if "image/png" in data:
        width, height = png_size(data["image/png"])
        return height * min(1.0, OUTPUT_WIDTH / width) + IMAGE_MARGIN
    if "text/latex" in data:
        tex = data["text/latex"]
        return MATH_OUTPUT_PADDING + display_math_height(tex, MATH_OUTPUT_SYMBOL)
    if "text/plain" in data:
        text = data["text/plain"]
        return TEXT_OUTPUT_PADDING + CODE_LINE * _text_lines(text, OUTPUT_CHARS)
    return 0.0


def cell_height(cell: nbformat.NotebookNode) -> float:
    """The height one cell takes on a slide (0 for speaker notes)."""
    slide_type = cell.metadata.get("slideshow", {}).get("slide_type", "-")
    if slide_type in ("notes", "skip"):
        return 0.0
    if cell.cell_type == "markdown":
        return CELL_PADDING + markdown_content_height(cell.source)
    if cell.cell_type != "code":
        return 0.0
    height = CELL_PADDING
    if not cell.metadata.get("transient", {}).get("remove_source", False):
        height += CODE_INPUT_PADDING + CODE_LINE * _text_lines(cell.source)
    outputs = cell.get("outputs", [])
    if outputs:
        height += OUTPUTS_PADDING + sum(output_height(o) for o in outputs)
    return height
