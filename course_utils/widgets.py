"""Sliders that redraw a course figure in place (works on ipywidgets 7.7 and 8).

A :class:`LivePlot` owns one figure built by a pure ``plot_*`` function. When a
control moves, it calls the matching ``update_*`` function, which moves the
artists that change (the ones with a ``gid``). Only those are redrawn: the rest of
the figure (axes, ticks, labels) is rendered once and reused as a background
(blitting). The frame is encoded as PNG at a modest resolution and swapped into
an ``Image`` widget. That avoids rebuilding the figure, re-rendering the axes and
the ``Output``-widget round trip, the slow parts of ``interact``.

Displayed in a notebook, a LivePlot also carries a static PNG of its first view,
so exports without a widget front end (HTML, slides, GitHub) still show a figure.

Defined here, first used in ``00_start_here``; ``make bench`` times every widget
registered with :func:`register_widget`.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from course_utils.i18n import _
from course_utils.plotting import LIVE_DPI, artist, artists_with_gid

PlotFunction = Callable[..., Figure]
UpdateFunction = Callable[..., None]

#: Widget factories of the course, by name: ``make bench`` times each one.
WIDGET_FACTORIES: dict[str, Callable[[], "LivePlot"]] = {}


def register_widget(factory: Callable[[], "LivePlot"]) -> Callable[[], "LivePlot"]:
    """Decorator: list a zero-argument widget factory for ``make bench``."""
    WIDGET_FACTORIES[factory.__name__] = factory
    return factory


class BlitRenderer:
    """Renders a figure to PNG, redrawing only its moving artists (those with a gid).

    The static part is drawn once at ``dpi`` and kept as a background; the layout is
    frozen after that first draw, so plot functions must fix their axis limits.
    """

    def __init__(self, figure: Figure, dpi: int = LIVE_DPI) -> None:
        self.figure = figure
        self.moving = artists_with_gid(figure)
        if not self.moving:
            raise ValueError(
                "The figure has no artist with a gid, so nothing could move; give moving artists gid='…'."
            )
        figure.set_dpi(dpi)
        self.canvas = FigureCanvasAgg(figure)
        for moving_artist in self.moving:
            moving_artist.set_animated(True)
        self.canvas.draw()
        figure.set_layout_engine("none")
        self.background = self.canvas.copy_from_bbox(figure.bbox)

    def render(self) -> bytes:
        """PNG bytes of the figure as it is now."""
        self.canvas.restore_region(self.background)
        for moving_artist in self.moving:
            self.figure.draw_artist(moving_artist)
        frame = Image.frombuffer(
            "RGBA",
            self.canvas.get_width_height(),
            self.canvas.buffer_rgba(),
            "raw",
            "RGBA",
            0,
            1,
        )
        buffer = io.BytesIO()
        frame.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


class LivePlot:
    """A figure and the controls that drive it.

    Args:
        plot: ``plot(**values) -> Figure`` draws the first view.
        update: ``update(fig, **values)`` moves the figure's artists to new values.
        controls: the widgets, keyed by the keyword each one sets.
        title: one line that names the figure (also its plain-text form), in English; shown in
            the helpers' language (``course_utils.i18n``) when the catalog has it.
        dpi: resolution of the frames shown while dragging.
    """

    def __init__(
        self,
        plot: PlotFunction,
        update: UpdateFunction,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        title: str,
        dpi: int = LIVE_DPI,
    ) -> None:
        if not controls:
            raise ValueError(
                "controls must name at least one widget, e.g. {'y_pred': FloatSlider(...)}."
            )
        self.controls = dict(controls)
        self.title = title
        self._update = update
        self.figure = plot(**self.values)
        if not isinstance(self.figure, Figure):
            raise TypeError(
                f"plot must return a matplotlib Figure, got {type(self.figure).__name__}."
            )
        self._renderer = BlitRenderer(self.figure, dpi)
        self.first_view_png = self._renderer.render()
        self.image = widgets.Image(value=self.first_view_png, format="png")
        self.redraw_seconds: list[float] = []
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values())), self.image]
        )

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Move controls as a learner would (used by tests and benchmarks)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(
                f"No control named {sorted(unknown)}; this plot has {sorted(self.controls)}."
            )
        for name, value in values.items():
            _check_control_value(name, self.controls[name], value)
        for name, value in values.items():
            self.controls[name].value = value

    def text(self, gid: str) -> str:
        """The text the figure shows now under ``gid`` (a title or a number on it).

        What a notebook cell reads after :meth:`set`, instead of reaching into the figure.
        """
        return artist(self.figure, gid, Text).get_text()

    def point(self, gid: str) -> tuple[float, float]:
        """Where the one-point marker ``gid`` is now, as ``(x, y)`` Python floats."""
        x_data, y_data = artist(self.figure, gid, Line2D).get_data()
        xs, ys = np.ravel(np.asarray(x_data)), np.ravel(np.asarray(y_data))
        if xs.size != 1 or ys.size != 1:
            raise ValueError(
                f"gid {gid!r} holds {xs.size} points, not one marker; read it from the figure."
            )
        return float(xs[0]), float(ys[0])

    def redraw(self) -> None:
        """Update the figure to the controls' values and show the new frame."""
        start = time.perf_counter()
        self._update(self.figure, **self.values)
        self.image.value = self._renderer.render()
        self.redraw_seconds.append(time.perf_counter() - start)

    def _on_change(self, change: Mapping[str, Any]) -> None:
        self.redraw()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> dict[str, Any]:
        return {
            "text/plain": _("[interactive figure] {title}").format(title=_(self.title)),
            "image/png": base64.b64encode(self.first_view_png).decode("ascii"),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.widget.model_id,
            },
        }


def _check_control_value(name: str, control: widgets.ValueWidget, value: Any) -> None:
    """Refuse a value the control would silently clamp, round or get stuck on.

    A slider given 100 when its range ends at 3 would show 3 and plot 3; given NaN it
    would keep NaN and fail on every later move. So ``set`` checks every value first
    and changes nothing unless all are allowed.
    """
    low, high = getattr(control, "min", None), getattr(control, "max", None)
    if low is not None and high is not None:
        integer = isinstance(control, widgets.IntSlider)
        kind = "an integer" if integer else "a number"
        is_number = isinstance(value, (int, float, np.integer, np.floating))
        if isinstance(value, (bool, np.bool_)) or not is_number:
            raise TypeError(
                f"{name} must be {kind} in [{low}, {high}], "
                f"got {type(value).__name__} {value!r}."
            )
        if integer and not float(value).is_integer():
            raise ValueError(f"{name} must be {kind} in [{low}, {high}], got {value}.")
        if not np.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{name} must be {kind} in [{low}, {high}], got {value}.")
        return
    options = getattr(control, "options", None)
    if options is not None:
        allowed = [o[1] if isinstance(o, tuple) else o for o in options]
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")


def _slider_range(description: str, value: float, low: float, high: float) -> dict:
    """What every course slider shares: a checked range, live updates, a readable width.

    ``description`` is given in English and shown in the helpers' language (``course_utils.i18n``).
    """
    if not low <= value <= high:
        raise ValueError(
            f"slider {description!r}: value {value} is outside [{low}, {high}]."
        )
    return {
        "value": value,
        "min": low,
        "max": high,
        "description": _(description),
        "continuous_update": True,
        "style": {"description_width": "initial"},
        "layout": widgets.Layout(width="320px"),
    }


def float_slider(
    description: str,
    value: float,
    low: float,
    high: float,
    step: float,
    readout_format: str = ".2f",
) -> widgets.FloatSlider:
    """A slider wide enough to read, updating while dragged (``readout_format``: e.g. ".3f")."""
    return widgets.FloatSlider(
        step=step,
        readout_format=readout_format,
        **_slider_range(description, value, low, high),
    )


def int_slider(
    description: str, value: int, low: int, high: int, step: int = 1
) -> widgets.IntSlider:
    """An integer slider styled like :func:`float_slider` (steps, counts, indices)."""
    return widgets.IntSlider(step=step, **_slider_range(description, value, low, high))
