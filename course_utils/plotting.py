"""Plot style and small figure helpers shared by every notebook.

The pattern for every figure in the course (introduced in ``00_start_here``):

* ``plot_<idea>(...) -> Figure`` draws the whole figure from its parameters
  (a pure function: no global pyplot state, so it is testable without a browser);
* ``update_<idea>(fig, ...)`` moves the existing artists to new parameters
  (found by their ``gid``), which is what a slider calls;
* :class:`course_utils.widgets.LivePlot` wraps the two with sliders.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast, overload
from weakref import WeakKeyDictionary

import matplotlib
from cycler import cycler
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text

A = TypeVar("A", bound=Artist)

#: Okabe & Ito's colour-blind-safe palette (blue, orange, green, vermillion,
#: sky blue, reddish purple, yellow, black).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
)

#: The smallest text of a course figure, in points (tick labels, legends, notes): 17.5 px
#: in a figure saved at 90 dpi, 15.6 px in a slider's frame (LIVE_DPI), so that a slide that
#: shows the picture at 0.9 of its size still has figure text of 14 px on a 1280x720 screen.
#: Figures made by :func:`new_figure` never draw smaller text (:class:`CourseFigure`), except
#: a line that would then run past the figure's edge (drawn as large as fits).
SMALLEST_TEXT_PT = 14.0

COURSE_STYLE: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "font.size": SMALLEST_TEXT_PT,
    "axes.titlesize": 15,
    "axes.labelsize": SMALLEST_TEXT_PT,
    "legend.fontsize": SMALLEST_TEXT_PT,
    "xtick.labelsize": SMALLEST_TEXT_PT,
    "ytick.labelsize": SMALLEST_TEXT_PT,
    "lines.linewidth": 2.5,
    "lines.markersize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "image.cmap": "viridis",
}

#: Resolution of the frames a slider shows: modest, because rendering is what
#: the learner waits for.
LIVE_DPI = 80


def apply_course_style() -> None:
    """Set matplotlib's defaults to the course style (large fonts, colour-blind-safe colours)."""
    matplotlib.rcParams.update(cast(Any, COURSE_STYLE))  # keys are checked at run time


def _small(text: Artist, smallest: float) -> bool:
    return isinstance(text, Text) and float(text.get_fontsize()) < smallest


#: The size each raised text asked for, so that it can be fitted again on a later draw.
_ASKED: WeakKeyDictionary[Text, float] = WeakKeyDictionary()


def enlarge_small_text(fig: Figure, smallest: float = SMALLEST_TEXT_PT) -> list[Text]:
    """Raise every text of ``fig`` smaller than ``smallest`` points to ``smallest``.

    Tick labels too, including the ones an axis creates later (its tick parameters).
    Returns the texts raised (on every call, also those raised before).
    """
    for axes in fig.axes:
        axis: Axis
        for axis in (axes.xaxis, axes.yaxis):
            if any(_small(label, smallest) for label in axis.get_majorticklabels()):
                axis.set_tick_params(which="major", labelsize=smallest)
            if any(_small(label, smallest) for label in axis.get_minorticklabels()):
                axis.set_tick_params(which="minor", labelsize=smallest)
    raised = []
    for text in fig.findobj(Text):
        if not isinstance(text, Text):
            continue
        if _small(text, smallest):
            _ASKED.setdefault(text, float(text.get_fontsize()))
        if text in _ASKED:
            text.set_fontsize(smallest)
            raised.append(text)
    return raised


def _shrink_to_fit(fig: Figure, texts: list[Text], renderer: RendererBase) -> bool:
    """Make each raised text that runs past the figure's edge smaller until it fits, but never
    smaller than it asked for. Returns whether any text changed."""
    changed = False
    for text in texts:
        if not text.get_visible() or not text.get_text():
            continue
        while float(text.get_fontsize()) > _ASKED[text]:
            box = text.get_window_extent(renderer)
            if box.x0 >= fig.bbox.x0 - 1 and box.x1 <= fig.bbox.x1 + 1:
                break
            text.set_fontsize(max(_ASKED[text], float(text.get_fontsize()) - 0.5))
            changed = True
    return changed


class CourseFigure(Figure):
    """A Figure whose text is never drawn smaller than :data:`SMALLEST_TEXT_PT`.

    A plot function may ask for a smaller legend or note (``fontsize=10``); on a projected
    slide that would be unreadable, so every draw first raises such text to the minimum
    (:func:`enlarge_small_text`) and the layout is computed with the larger text. A raised
    text that would then run past the figure's edge (a long one-line note) is drawn as
    large as fits instead, never smaller than it asked for.
    """

    def draw(self, renderer: RendererBase) -> None:
        raised = enlarge_small_text(self)
        super().draw(renderer)
        if _shrink_to_fit(self, raised, renderer):
            super().draw(renderer)

    def __repr__(self) -> str:
        # Printed as a Figure: notebooks show the repr of a list of figures, which nbval compares.
        return super().__repr__().replace(type(self).__name__, "Figure", 1)


def new_figure(
    ncols: int = 1, *, width: float = 8.0, height: float = 4.5
) -> tuple[Figure, list]:
    """A figure with ``ncols`` axes side by side, laid out by constrained layout.

    Built without pyplot, so it is not shown twice and leaks no global state; a
    :class:`CourseFigure`, so no text in it is drawn smaller than :data:`SMALLEST_TEXT_PT`.
    """
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}.")
    fig = CourseFigure(figsize=(width, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def artists_with_gid(fig: Figure) -> list[Artist]:
    """Every artist of ``fig`` that has a gid, in drawing-tree order, repeats included.

    The one walk over a figure for gids: :func:`artists` indexes it by gid, and
    :class:`course_utils.widgets.LivePlot` redraws exactly these artists.
    """
    return [a for a in fig.findobj(lambda a: bool(a.get_gid())) if a is not fig]


def _walk_gids(fig: Figure) -> dict[str, Artist]:
    found: dict[str, Artist] = {}
    for item in artists_with_gid(fig):
        found.setdefault(str(item.get_gid()), item)
    return found


_GIDS: WeakKeyDictionary[Figure, dict[str, Artist]] = WeakKeyDictionary()


def artists(fig: Figure) -> dict[str, Artist]:
    """Every artist of ``fig`` that has a gid, by gid (the first one if a gid repeats).

    Found in one walk over the figure and remembered, so that an update function that moves
    several artists does not walk a figure of thousands of contour paths once per artist.
    """
    cached = _GIDS.get(fig)
    if cached is None or any(a.figure is not fig for a in cached.values()):
        cached = _GIDS[fig] = _walk_gids(fig)
    return cached


@overload
def artist(fig: Figure, gid: str) -> Artist: ...


@overload
def artist(fig: Figure, gid: str, kind: type[A]) -> A: ...


def artist(fig: Figure, gid: str, kind: type[Artist] = Artist) -> Artist:
    """The artist in ``fig`` whose ``gid`` is ``gid`` (how update functions find what to move).

    ``kind`` (e.g. ``Line2D``, ``Text``) says what the caller will do with it: a ``TypeError``
    names the gid if it is something else, and type checkers know what comes back.
    """
    found = artists(fig).get(gid)
    if found is None:
        _GIDS[fig] = _walk_gids(fig)  # an artist added since the last walk
        found = _GIDS[fig].get(gid)
    if found is None:
        known = sorted(_GIDS[fig])
        raise KeyError(f"No artist with gid {gid!r} in this figure; it has {known}.")
    if not isinstance(found, kind):
        raise TypeError(
            f"gid {gid!r} is a {type(found).__name__}, not a {kind.__name__}."
        )
    return found
