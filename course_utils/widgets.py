"""Sliders that redraw a course figure in place (works on ipywidgets 7.7 and 8).

A :class:`LivePlot` owns one figure built by a pure ``plot_*`` function. When a
control moves, it calls the matching ``update_*`` function, which moves the
artists that change (the ones with a ``gid``). Only those are redrawn: the rest of
the figure (axes, ticks, labels) is rendered once and reused as a background
(blitting), and of those only the ones that changed since the last frame, with
whatever overlaps them (:class:`BlitRenderer`). The frame is encoded as PNG at a
modest resolution and swapped into an ``Image`` widget. That avoids rebuilding the
figure, re-rendering the axes and the ``Output``-widget round trip, the slow parts
of ``interact``.

Displayed in a notebook, a LivePlot also carries a static PNG of its first view,
so exports without a widget front end (HTML, slides, GitHub) still show a figure.

Defined here, first used in ``00_start_here``; ``make bench`` times every widget
registered with :func:`register_widget`.
"""

from __future__ import annotations

import base64
import io
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
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


#: A pixel box ``(x0, y0, x1, y1)`` of the canvas, y counted from the bottom (matplotlib's
#: display coordinates), rounded outwards to whole pixels.
Box = tuple[int, int, int, int]

#: The artists whose every change goes through a setter that marks them stale (a text's
#: string, a line's data, a patch's geometry or colour), so an unchanged one can be left as
#: it is. Others (images, collections: ``set_array`` and in-place edits mark nothing) are
#: redrawn on every frame.
TRACKED: tuple[type[Artist], ...] = (Text, Line2D, Patch)


class BlitRenderer:
    """Renders a figure to PNG, redrawing only its moving artists (those with a gid).

    The static part is drawn once at ``dpi`` and kept as a background; the layout is
    frozen after that first draw, so plot functions must fix their axis limits.

    :meth:`render` redraws every moving artist (the first view, encoded by Pillow).
    :meth:`render_frame`, called for each slider move, redraws only what changed: the
    moving artists that are stale (:data:`TRACKED` ones that were not moved stay as
    they are) and whatever overlaps the pixels they covered before or cover now. In
    those boxes the frame is drawn from the background exactly as a full redraw would
    draw it, and the rest of the last frame is kept, so the picture is the same pixel
    for pixel. The frame is then encoded as a plain PNG (rows unfiltered, zlib level 1,
    RGB when the figure is opaque), about twice as fast as Pillow's and no larger for
    flat-coloured plots; a frame equal to the first view is sent as the first view's
    bytes. ``partial = False`` redraws every moving artist on every frame instead.
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
        self.partial = True
        self._frame_background: Any = None  # the background the kept frame was drawn on
        self._extents: list[Box] = []  # where each moving artist drew in the kept frame
        self._rows = np.zeros((0, 0), np.uint8)  # the kept frame as PNG scanlines
        self._channels = 4  # 3 (RGB) when the frame is opaque
        self._first: tuple[bytes, np.ndarray, bytes] | None = None
        self._last_png = b""

    def render(self) -> bytes:
        """PNG bytes of the figure as it is now, every moving artist redrawn (the first view)."""
        self._draw_all()
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
        png = buffer.getvalue()
        self._first = (_checksum(self._rows), self._rows.copy(), png)
        self._last_png = png
        return png

    def render_frame(self) -> bytes:
        """PNG bytes of the figure as it is now, redrawing only what changed (a slider's frame)."""
        damage = None
        if self.partial and self._frame_background is self.background:
            damage = self._damage()
        if damage is None:
            self._draw_all()
        elif not damage:
            return self._last_png  # nothing moved
        else:
            self._draw_damaged(damage)
        height, width = self._rows.shape[0], self._rows.shape[1] // self._channels
        png = _encode_png(self._rows, width, height, self._channels)
        if self._first is not None and png[-20:-16] == self._first[0]:
            if np.array_equal(self._rows, self._first[1]):
                png = self._first[2]
        self._last_png = png
        return png

    def _draw_all(self) -> None:
        """Every moving artist over the whole background; the frame and the artists' boxes kept."""
        self.canvas.restore_region(self.background)
        for moving_artist in self.moving:
            self.figure.draw_artist(moving_artist)
        pixels = np.asarray(self.canvas.buffer_rgba())
        channels = 3 if bool((pixels[..., 3] == 255).all()) else 4
        height, width = pixels.shape[:2]
        if self._rows.shape != (height, 1 + width * channels):
            # one PNG scanline per row: filter type 0 (none), then the pixels
            self._rows = np.zeros((height, 1 + width * channels), np.uint8)
        self._channels = channels
        self._frame()[...] = pixels[..., :channels]
        renderer = self.canvas.get_renderer()
        self._extents = [_extent(a, renderer, self.figure) for a in self.moving]
        self._frame_background = self.background
        for moving_artist in self.moving:
            moving_artist.stale = False

    def _frame(self) -> np.ndarray:
        height = self._rows.shape[0]
        return self._rows[:, 1:].reshape(height, -1, self._channels)

    def _damage(self) -> list[Box] | None:
        """The boxes to redraw (each changed artist's old and new box); None: redraw everything."""
        renderer = self.canvas.get_renderer()
        boxes: list[Box] = []
        for index, moving_artist in enumerate(self.moving):
            if isinstance(moving_artist, TRACKED) and not moving_artist.stale:
                continue
            new = _extent(moving_artist, renderer, self.figure)
            for box in (self._extents[index], new):
                if box[0] < box[2] and box[1] < box[3] and box not in boxes:
                    boxes.append(box)
            self._extents[index] = new
        return boxes

    def _draw_damaged(self, damage: list[Box]) -> None:
        """Redraw, over the background, every moving artist that touches ``damage``; copy those boxes."""
        self.canvas.restore_region(self.background)
        for moving_artist, box in zip(self.moving, self._extents):
            if any(_overlap(box, hurt) for hurt in damage):
                self.figure.draw_artist(moving_artist)
        pixels = np.asarray(self.canvas.buffer_rgba())
        frame, height = self._frame(), pixels.shape[0]
        channels = self._channels
        for x0, y0, x1, y1 in damage:
            rows = slice(height - y1, height - y0)
            frame[rows, x0:x1] = pixels[rows, x0:x1, :channels]
        for moving_artist in self.moving:
            moving_artist.stale = False


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _extent(artist: Artist, renderer: RendererBase, figure: Figure) -> Box:
    """The pixels ``artist`` may touch when drawn now: its extent with a margin for what the
    extent leaves out (glyphs past their advance, line widths, markers' edges, antialiasing),
    within its clip box. An artist that is not :data:`TRACKED`, or whose extent is unknown,
    may touch its whole clip box (the whole figure if unclipped)."""
    width, height = figure.bbox.width, figure.bbox.height
    limit = (0.0, 0.0, width, height)
    clip = artist.get_clip_box() if artist.get_clip_on() else None
    if clip is not None:  # Agg rounds the clip box to whole pixels: 2 more on each side
        limit = (
            max(0.0, clip.x0 - 2),
            max(0.0, clip.y0 - 2),
            min(width, clip.x1 + 2),
            min(height, clip.y1 + 2),
        )
    if not artist.get_visible():
        return (0, 0, 0, 0)
    box = None
    margin = 0.0
    if isinstance(artist, TRACKED):
        points = figure.dpi / 72
        try:
            extents = [artist.get_window_extent(renderer)]
            if isinstance(artist, Text):
                patch = artist.get_bbox_patch()
                if patch is not None:
                    artist.update_bbox_position_size(renderer)
                    extents.append(patch.get_window_extent(renderer))
                margin = 0.5 * float(artist.get_fontsize()) * points + 4
            elif isinstance(artist, Line2D):
                margin = (
                    2 * float(artist.get_linewidth())
                    + float(artist.get_markeredgewidth())
                    + 0.5 * float(artist.get_markersize())
                ) * points + 3
            elif isinstance(artist, Patch):
                margin = 2 * float(artist.get_linewidth() or 0.0) * points + 3
            x0 = min(e.x0 for e in extents) - margin
            y0 = min(e.y0 for e in extents) - margin
            x1 = max(e.x1 for e in extents) + margin
            y1 = max(e.y1 for e in extents) + margin
            if all(np.isfinite((x0, y0, x1, y1))):
                box = (x0, y0, x1, y1)
        except (RuntimeError, ValueError, TypeError):
            box = None
    if box is None:
        box = limit
    x0, y0 = max(box[0], limit[0]), max(box[1], limit[1])
    x1, y1 = min(box[2], limit[2]), min(box[3], limit[3])
    if x0 >= x1 or y0 >= y1:
        return (0, 0, 0, 0)
    return (int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1)))


def _checksum(rows: np.ndarray) -> bytes:
    """The Adler-32 of the scanlines, as the zlib stream of :func:`_encode_png` ends with it."""
    return struct.pack(">I", zlib.adler32(rows.data))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def _encode_png(rows: np.ndarray, width: int, height: int, channels: int) -> bytes:
    """A PNG of 8-bit RGB (3 channels) or RGBA (4) scanlines that already carry their filter byte.

    Unfiltered rows and zlib level 1: for a plot (large flat areas) that is smaller than Pillow's
    adaptive filtering and about twice as fast.
    """
    colour_type = 2 if channels == 3 else 6
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows.data, 1))
        + _png_chunk(b"IEND", b"")
    )


class LivePlot:
    """A figure and the controls that drive it.

    Args:
        plot: ``plot(**values) -> Figure`` draws the first view.
        update: ``update(fig, **values)`` moves the figure's artists to new values.
        controls: the widgets, keyed by the keyword each one sets.
        title: one line that names the figure (also its plain-text form), in English; shown in
            the helpers' language (``course_utils.i18n``) when the catalog has it.
        dpi: resolution of the frames shown while dragging.
        renderer: the :class:`BlitRenderer` (sub)class that draws the frames.
    """

    def __init__(
        self,
        plot: PlotFunction,
        update: UpdateFunction,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        title: str,
        dpi: int = LIVE_DPI,
        renderer: type[BlitRenderer] = BlitRenderer,
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
        self._renderer = renderer(self.figure, dpi)
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
        self.image.value = self._renderer.render_frame()
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
