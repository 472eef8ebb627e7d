"""GlyphText: a text drawn by Agg from cached glyph images stands, measures and inks where
matplotlib's Text would, and falls back to Text where it has no images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from course_utils import environment, glyph_text
from course_utils.glyph_text import GlyphText
from course_utils.plotting import LIVE_DPI

try:  # matplotlib 3.11 sets lines "normal"ly by default; 3.10 (Colab's) takes only a number
    Text(linespacing="normal")
    _NORMAL_SPACING = True
except TypeError:
    _NORMAL_SPACING = False
#: The line spacings this matplotlib offers: a number, and from 3.11 on its default "normal".
SPACINGS = [1.3, "normal"] if _NORMAL_SPACING else [1.3]


@pytest.fixture(params=["en", "zh"])
def figure_language(request):
    """The figures in English, then in Chinese (its fonts and catalog); English again after."""
    environment.setup_notebook(tensorflow=False, lang=request.param)
    yield request.param
    environment.setup_notebook(tensorflow=False, lang="en")


def _ink(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns (first, last) where an RGB picture on white is not white."""
    rows, cols = np.nonzero((pixels < 250).any(axis=-1))
    return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())


@pytest.mark.parametrize(
    "text, align",
    [
        ("+0.075", ("left", "bottom")),
        ("-0.80 → -0.88", ("left", "top")),
        ("+0.60 → +0.52\n-2.000\n0.550", ("left", "bottom")),
        ("?\n?", ("left", "top")),
        ("stage 3 of 3, update: θ → θ − η·∂L/∂θ", ("right", "bottom")),
        ("iteration 31 (after 30 updates)", ("left", "bottom")),
        (
            "TP 101.0  FN 12.5  FP 0.0\nTversky 0.123; best radius 3.5",
            ("left", "baseline"),
        ),
        ("0.97 / 0.01", ("center", "baseline")),
        (
            "12 images of shirt predicted as T-shirt/top\nno image in this cell",
            ("center", "top"),
        ),
        ("w = (+1.00, +0.50), b = -1.00:  37 of 40 correct (92.5%)", ("center", "top")),
        ("+0.5\n-12.25", ("right", "center")),
    ],
)
@pytest.mark.parametrize("spacing", SPACINGS)
def test_glyph_text_stands_and_measures_where_a_text_would(
    figure_language, text, align, spacing
):
    # The widget's texts are drawn from cached character images (GlyphText): the same text drawn by
    # matplotlib's Text must cover the same box (to half a pixel) and the same ink (to a pixel; each
    # character sits on whole pixels instead of sixty-fourths), in the colour asked for; with a
    # fixed line spacing and with matplotlib's default ("normal"), in each alignment it reproduces.
    ha, va = align
    pictures, extents = [], []
    for kind in (Text, GlyphText):
        fig = Figure(figsize=(6.0, 2.0), dpi=LIVE_DPI)
        canvas = FigureCanvasAgg(fig)
        x = 0.95 if ha == "right" else 0.05
        item = kind(x, 0.5, text, fontsize=14, linespacing=spacing, ha=ha, va=va)
        item.set_color("#D55E00")
        fig.add_artist(item)
        canvas.draw()
        pictures.append(np.asarray(canvas.buffer_rgba())[..., :3].astype(int))
        extents.append(item.get_window_extent().bounds)
    # the width is a sum of hinted advances: a long line may gather half a pixel more
    np.testing.assert_allclose(
        np.delete(extents[1], 2), np.delete(extents[0], 2), atol=0.5
    )
    assert abs(extents[1][2] - extents[0][2]) <= 1.0
    reference, drawn = (_ink(picture) for picture in pictures)
    assert np.abs(np.subtract(reference, drawn)).max() <= 1, (reference, drawn)
    darkest = pictures[1].reshape(-1, 3)[pictures[1].sum(axis=-1).argmin()]
    np.testing.assert_allclose(darkest, [0xD5, 0x5E, 0x00], atol=2)
    assert np.abs(pictures[1] - pictures[0]).mean() < 3


def test_glyph_text_falls_back_to_matplotlib_where_it_has_no_images():
    # Mathtext, a rotated text and a renderer other than Agg are drawn by Text itself.
    fig = Figure(figsize=(4.0, 2.0), dpi=LIVE_DPI)
    FigureCanvasAgg(fig)
    for item in (
        GlyphText(0.1, 0.5, "$x_1$", va="bottom"),
        GlyphText(0.5, 0.5, "+0.5", rotation=30, va="bottom"),
        GlyphText(0.5, 0.5, "+0.5", va="center_baseline"),
    ):
        fig.add_artist(item)
        assert item._block(fig.dpi) is None
    plain = GlyphText(0.1, 0.2, "+0.5", va="bottom", linespacing=1.3)
    fig.add_artist(plain)
    # Drawn from images where matplotlib lays a line out as GlyphText does (3.11), by Text before.
    assert (plain._block(fig.dpi) is not None) == glyph_text._LAYOUT_REPRODUCED
    fig.savefig(io.BytesIO(), format="svg")  # drawn as SVG text, without the Agg images


def test_glyph_text_is_plain_text_under_another_matplotlib(monkeypatch):
    # matplotlib 3.10 (Colab's) sets lines by the ink of "lp", a layout GlyphText does not copy.
    monkeypatch.setattr(glyph_text, "_LAYOUT_REPRODUCED", False)
    fig = Figure(figsize=(4.0, 2.0), dpi=LIVE_DPI)
    FigureCanvasAgg(fig)
    plain = GlyphText(0.1, 0.2, "+0.5", va="bottom", linespacing=1.3)
    fig.add_artist(plain)
    assert plain._block(fig.dpi) is None
    fig.canvas.draw()
