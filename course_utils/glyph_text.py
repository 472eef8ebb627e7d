"""Texts drawn by Agg from cached images of their characters: :class:`GlyphText`.

A slider that rewrites numbers or a title on every frame spends most of the frame in matplotlib's
text layout and rendering; :class:`GlyphText` draws the same pixels from glyph images made once.
Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib import ft2font
from matplotlib.artist import allow_rasterization
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.colors import to_rgba
from matplotlib.font_manager import findfont, get_font
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["GlyphText", "as_glyph_text"]

#: matplotlib 3.11 sets a line of text as tall as the font's ascent plus descent, the layout
#: :class:`GlyphText` reproduces (checked on 3.11 by tests/test_glyph_text.py); 3.10 (Colab's)
#: measures the line by the ink of "lp", and its FT2Font has no OS/2 ascent to read. Under any other
#: series every GlyphText is drawn by Text: correct, only slower (re-check on ``make lock``).
_LAYOUT_REPRODUCED = tuple(
    int(part) for part in matplotlib.__version__.split(".")[:2] if part.isdigit()
) == (3, 11)

#: A glyph or a line of :class:`GlyphText`, in pixels: its coverage image, the column (right of the
#: pen's start) and the row (down from the baseline) of the image's first pixel, the advance of the
#: pen, and the ascent and descent of the ink's box (FreeType's, the box matplotlib measures).
_Ink = tuple[np.ndarray, int, int, float, float, float]


@lru_cache(maxsize=1024)
def _glyph(path: str, size: float, dpi: float, hinting: Any, char: str) -> _Ink | None:
    """One character as FreeType draws it alone (FT2Font's public calls: ``set_text``,
    ``draw_glyphs_to_bitmap``), placed on the pixels where matplotlib's Agg puts it for a pen on a
    whole pixel, and the hinted advance matplotlib moves the pen by (see :data:`_Ink`); None when
    the font lacks the character."""
    font = get_font(path)
    if char != " " and font.get_char_index(ord(char)) == 0:
        return None
    font.clear()
    font.set_size(size, dpi)
    font.set_text(char, 0.0, flags=hinting)
    font.draw_glyphs_to_bitmap(antialiased=True)
    coverage = np.array(font.get_image(), dtype=np.uint8)
    # The image starts at the box's left edge rounded down, and one row above its top rounded down
    # (FT2Font draws into a box one pixel larger on each side); its box in 26.6 fixed point.
    box_left = font.get_bitmap_offset()[0] / 64
    height, descent = font.get_width_height()[1] / 64, font.get_descent() / 64
    ascent = height - descent
    advance = font.load_char(ord(char), flags=hinting).horiAdvance / 64
    return (
        coverage,
        math.floor(box_left),
        -math.floor(ascent) - 1,
        advance,
        ascent,
        descent,
    )


@lru_cache(maxsize=4096)
def _kerning(path: str, size: float, dpi: float, left: str, right: str) -> float:
    """How far the font moves ``right`` towards ``left`` when it follows it (pixels, negative
    closer), as matplotlib's FT2Font adds it to the pen when it lays out a line."""
    font = get_font(path)
    font.set_size(size, dpi)
    mode: Any = ft2font.Kerning.DEFAULT
    return (
        font.get_kerning(
            font.get_char_index(ord(left)), font.get_char_index(ord(right)), mode
        )
        / 64
    )


@lru_cache(maxsize=2048)
def _line_image(
    path: str, size: float, dpi: float, hinting: Any, line: str
) -> _Ink | None:
    """One line put together from :func:`_glyph` images, each where the pen is when it comes (the
    advance and the kerning: the line's width, as matplotlib measures it); None if the font lacks
    a character."""
    pen, ascent, descent, placed = 0.0, 0.0, 0.0, []
    for index, char in enumerate(line):
        glyph = _glyph(path, size, dpi, hinting, char)
        if glyph is None:
            return None
        if index:
            pen += _kerning(path, size, dpi, line[index - 1], char)
        coverage, left, top, advance, glyph_ascent, glyph_descent = glyph
        if coverage.size:
            placed.append((coverage, round(pen) + left, top))
        pen += advance
        ascent, descent = max(ascent, glyph_ascent), max(descent, glyph_descent)
    if not placed:
        return np.zeros((0, 0), np.uint8), 0, 0, pen, ascent, descent
    combined, x0, y0 = _combine(placed)
    return combined, x0, y0, pen, ascent, descent


def _combine(
    pieces: list[tuple[np.ndarray, int, int]],
) -> tuple[np.ndarray, int, int]:
    """One coverage image holding every (image, column, row) piece where it lies, overlaps keeping
    the darker; and the column and row of its top left corner."""
    col0 = min(col for _, col, _ in pieces)
    row0 = min(row for _, _, row in pieces)
    col1 = max(col + image.shape[1] for image, col, _ in pieces)
    row1 = max(row + image.shape[0] for image, _, row in pieces)
    combined = np.zeros((row1 - row0, col1 - col0), np.uint8)
    for image, col, row in pieces:
        view = combined[
            row - row0 : row - row0 + image.shape[0],
            col - col0 : col - col0 + image.shape[1],
        ]
        np.maximum(view, image, out=view)
    return combined, col0, row0


@lru_cache(maxsize=64)
def _font_metrics(
    path: str, size: float, dpi: float
) -> tuple[float, float, float] | None:
    """The font's ascent, descent and line gap in pixels, as matplotlib reads them to set a line
    (its OS/2 table, else its hhea table); None when it has neither."""
    font = get_font(path)
    head: Any = font.get_sfnt_table("head")
    for table_name, gap_key, ascent_key, descent_key in (
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ):
        table: Any = font.get_sfnt_table(table_name)  # type: ignore[call-overload]
        if (
            table is not None
            and head is not None
            and all(key in table for key in (gap_key, ascent_key, descent_key))
        ):
            scale = size * dpi / 72 / head["unitsPerEm"]
            return (
                table[ascent_key] * scale,
                -table[descent_key] * scale,
                table[gap_key] * scale,
            )
    return None


#: A laid-out line of :class:`GlyphText`: its ink (:data:`_Ink`), its column offset from the
#: block's left edge and its baseline's offset down from the block's top (pixels).
_Placed = tuple[_Ink, float, float]


class GlyphText(Text):
    """A matplotlib :class:`~matplotlib.text.Text` that Agg draws from cached images of its
    characters: for the texts a slider rewrites on every frame.

    What: FreeType draws each character once per font, size and resolution (:func:`_glyph`), a line
    is put together from those images at the pen positions matplotlib gives its characters (the
    hinted advances and the font's kerning), and the lines sit in their boxes as matplotlib sets
    them (a fixed or the "normal" line spacing; multialignment), so the text stands and measures
    where a Text would: its extent equals Text's (to half a pixel; a long line's width to a pixel)
    and its ink is within a pixel (only the fraction of a pixel where matplotlib would start it is
    dropped; ``tests/test_glyph_text.py`` compares the two, in the English and the Chinese fonts).

    Why: matplotlib (3.11) lays out, hints and renders every character of every text again on each
    draw, about 50 µs a character plus about 0.2 ms a text. A frame of the training-step widget
    rewrites some 220 characters, and that was most of the frame: with its numbers and title drawn
    by this class its kernel CPU per frame fell to 0.27–0.33 of what it was (interleaved A/B on
    2 loaded cores, thread CPU per frame p50: en 39.8 → 10.8 ms, zh 31.5 → 10.1 ms).

    Where: the texts the sliders rewrite in :func:`course_utils.backprop.training_step_widget`
    (its moving numbers and three-part title), :func:`course_utils.neuron.neuron_widget` (its
    title), :func:`course_utils.image_classification_lab.misclassification_widget` (the status line
    and the six thumbnail titles) and :func:`course_utils.other_losses_lessons.overlap_widget` (its
    numbers). A title that matplotlib creates and places (``suptitle``, an axes' title) becomes one
    with :func:`as_glyph_text`.

    What falls back to Text (drawn exactly as matplotlib would): every text under a matplotlib
    other than 3.11 (see :data:`_LAYOUT_REPRODUCED`), any renderer other than Agg (PDF, SVG), a
    text with a character the font lacks, and a clipped, rotated or mathtext (``$``) text, or one
    anchored otherwise than by its top, bottom, center or baseline (``va="center_baseline"``).
    Agg draws the frames, the notebooks' pictures and saved PNGs.
    """

    def _block(
        self, dpi: float
    ) -> tuple[list[_Placed], float, float, float, float] | None:
        """The lines placed in the block, the block's width and height, and its left and top
        edges (display pixels), set as matplotlib's Text sets them (``Text._get_layout``)."""
        text = self.get_text()
        spacing = getattr(self, "_linespacing", None)
        clipped = self.get_clip_on() and (
            self.get_clip_box() is not None or self.get_clip_path() is not None
        )
        valign = self.get_verticalalignment()
        if (
            not _LAYOUT_REPRODUCED
            or "$" in text
            or clipped
            or self.get_rotation() != 0
            or valign not in ("top", "bottom", "center", "baseline")
            or not (spacing == "normal" or isinstance(spacing, (int, float)))
        ):
            return None
        path = findfont(self.get_fontproperties())
        size = float(self.get_fontsize())
        metrics = _font_metrics(path, size, dpi)
        hinting = get_hinting_flag()
        lines = [
            _line_image(path, size, dpi, hinting, line) for line in text.split("\n")
        ]
        found = [line for line in lines if line is not None]
        if metrics is None or len(found) < len(lines):
            return None
        min_ascent, min_descent, gap = metrics
        if len(found) == 1:
            gap = 0.0
        width = max(line[3] for line in found)
        malign = (
            getattr(self, "_multialignment", None) or self.get_horizontalalignment()
        )
        line_shift = {"left": 0.0, "center": 0.5, "right": 1.0}[malign]
        placed, depth, descent = [], 0.0, 0.0
        for line in found:
            ascent, descent = line[4], line[5]
            if spacing == "normal":
                ascent = max(ascent, min_ascent) + gap / 2
                descent = max(descent, min_descent) + gap / 2
            else:
                lead = float(spacing) * (min_ascent + min_descent) - ascent - descent
                ascent, descent = ascent + lead / 2, descent + lead / 2
            placed.append((line, line_shift * (width - line[3]), depth + ascent))
            depth += ascent + descent
        x, y = self.get_transform().transform(self.get_unitless_position())
        shift = {"left": 0.0, "center": 0.5, "right": 1.0}[
            self.get_horizontalalignment()
        ]
        top = {
            "top": y,
            "bottom": y + depth,
            "center": y + depth / 2,
            "baseline": y + depth - descent,  # the last line's baseline, as matplotlib
        }[valign]
        return placed, width, depth, float(x - shift * width), float(top)

    def get_window_extent(
        self, renderer: RendererBase | None = None, dpi: float | None = None
    ) -> Bbox:
        figure = self.get_figure(root=True)
        block = None
        if figure is not None and dpi in (None, figure.dpi) and self.get_visible():
            block = self._block(figure.dpi) if self.get_text() else None
        if block is None:
            return super().get_window_extent(renderer, dpi)
        _, width, height, left, top = block
        return Bbox.from_bounds(left, top - height, width, height)

    @allow_rasterization
    def draw(self, renderer: RendererBase) -> None:
        block = None
        if isinstance(renderer, RendererAgg) and self.get_visible() and self.get_text():
            block = self._block(renderer.dpi)
        if block is None or not isinstance(renderer, RendererAgg):
            super().draw(renderer)
            return
        placed, _, _, left, top = block
        first_row = renderer.height - top  # Agg's rows run down from the canvas's top
        pieces = [
            (image, round(left + column) + x0, round(first_row + baseline) + y0)
            for (image, x0, y0, *_), column, baseline in placed
            if image.size
        ]
        if pieces:
            coverage, col0, row0 = _combine(pieces)
            row1 = row0 + coverage.shape[0]
            *colour, alpha = to_rgba(self.get_color(), self.get_alpha())
            rgba = np.empty((*coverage.shape, 4), np.uint8)
            rgba[..., :3] = np.round(np.array(colour) * 255).astype(np.uint8)
            rgba[..., 3] = np.round(coverage * alpha).astype(np.uint8)
            gc = renderer.new_gc()
            renderer.draw_image(gc, col0, renderer.height - row1, rgba[::-1])
            gc.restore()
        self.stale = False


def as_glyph_text(text: Text) -> GlyphText:
    """Draw ``text`` as a :class:`GlyphText` from now on, and return it.

    For a text that matplotlib itself creates and its layout places (a figure's ``suptitle``, an
    axes' ``title``): the same object keeps its place in the figure, its properties and its role in
    the layout; only its drawing and its measure change (GlyphText adds no state to Text).
    """
    text.__class__ = GlyphText
    return cast(GlyphText, text)
