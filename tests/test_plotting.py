"""The course figure style: no text in a course figure is drawn below the slide minimum."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

from course_utils import plotting


def _drawn_text_sizes(fig: Figure) -> list[float]:
    fig.savefig(io.BytesIO(), format="png", dpi=plotting.LIVE_DPI)
    return [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]


def test_the_style_asks_for_no_text_below_the_minimum() -> None:
    text_keys = ("font.size", "axes.titlesize", "axes.labelsize", "legend.fontsize")
    text_keys += ("xtick.labelsize", "ytick.labelsize")
    sizes = [plotting.COURSE_STYLE[key] for key in text_keys]
    assert min(sizes) >= plotting.SMALLEST_TEXT_PT


def test_small_text_asked_for_by_a_plot_function_is_drawn_at_the_minimum() -> None:
    fig, (ax,) = plotting.new_figure()
    ax.plot(np.arange(5), np.arange(5), label="a line")
    ax.legend(fontsize=8)
    ax.text(1, 1, "a note", fontsize=9)
    ax.set_title("title", fontsize=10)
    ax.tick_params(labelsize=7)
    ax.set_xlim(0, 400)  # ticks the axis creates at draw time keep the minimum too
    sizes = _drawn_text_sizes(fig)
    assert len(sizes) > 8 and min(sizes) == plotting.SMALLEST_TEXT_PT


def test_larger_text_is_left_alone() -> None:
    fig, (ax,) = plotting.new_figure()
    ax.set_title("a large title", fontsize=22)
    _drawn_text_sizes(fig)
    assert ax.title.get_fontsize() == 22


def test_a_plain_figure_is_not_changed() -> None:
    """Only course figures (new_figure) are raised; the function can raise any figure."""
    fig = Figure()
    ax = fig.add_subplot()
    note = ax.text(0, 0, "small", fontsize=6)
    _drawn_text_sizes(fig)
    assert note.get_fontsize() == 6
    assert note in plotting.enlarge_small_text(fig) and note.get_fontsize() >= 14


def test_a_course_figure_prints_as_a_figure() -> None:
    """Notebooks' compared outputs show figures' reprs: a CourseFigure must not change them."""
    fig, _ = plotting.new_figure(2, width=8.0, height=4.8)
    plain = Figure(figsize=(8.0, 4.8))
    plain.add_subplot(1, 2, 1)
    plain.add_subplot(1, 2, 2)
    # The size in pixels follows rcParams["figure.dpi"], which the course style changes.
    assert repr(fig) == repr(plain)
    assert repr(fig).startswith("<Figure size ") and repr(fig).endswith(" with 2 Axes>")


def test_a_raised_note_too_long_for_the_figure_is_drawn_as_large_as_fits() -> None:
    """A long one-line note asked at 10 pt: raised as far as the figure's width allows (a
    slider's frame is not cropped to its content, so a longer line would be cut off)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, (ax,) = plotting.new_figure(width=8.0, height=3.0)
    note = fig.text(0.5, 0.95, "a long note " * 8, ha="center", fontsize=10)
    short = fig.text(0.5, 0.05, "short", ha="center", fontsize=10)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = note.get_window_extent(canvas.get_renderer())
    assert 10 < note.get_fontsize() < plotting.SMALLEST_TEXT_PT
    assert box.x0 >= -1 and box.x1 <= fig.bbox.x1 + 1
    assert short.get_fontsize() == plotting.SMALLEST_TEXT_PT
