r"""A single neuron, a dense layer, and the forward pass through a small network.

The ideas of ``01_neuron_and_forward_pass``:

* the sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, computed without overflow, and its slope
  :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, which vanishes for large :math:`|z|` (saturation);
* one neuron, :math:`\hat y = \sigma(w^\top x + b)`; for a batch whose examples are the rows of X
  (shape m × n), :math:`\hat y = \sigma(X w + b)` with shape (m,);
* a dense layer, :math:`Z = X W + b` and :math:`A = g(Z)`, with W of shape (n_in, n_out) as Keras stores
  its kernel and b of shape (n_out,) added to every row;
* a seeded toy dataset of two Gaussian blobs, and a slider figure that moves one neuron's output and its
  decision boundary :math:`w_1 x_1 + w_2 x_2 + b = 0` over it.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.text import Text

from course_utils._plain import float_or_array
from course_utils.glyph_text import as_glyph_text
from course_utils.i18n import N_, gettext
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import (
    as_binary_labels,
    as_finite_array,
    as_finite_float,
    as_positive_int,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

#: The square view of the toy dataset: both inputs x₁ and x₂ range over these limits.
INPUT_LIMITS = (-4.0, 4.0)

#: The pre-activations z shown on the sigmoid panel; points beyond are drawn at the edge.
Z_LIMITS = (-8.0, 8.0)

#: Pixels per side of the neuron-output image (a cheap image whose data a slider replaces).
GRID_SIZE = 161

#: The decision threshold: a neuron output ŷ ≥ 0.5 predicts class 1.
THRESHOLD = 0.5

#: Pale class colours for the output image: ŷ = 0 pale blue (class 0), ŷ = 1 pale orange (class 1).
OUTPUT_CMAP = LinearSegmentedColormap.from_list(
    "neuron_output", ["#a9cde8", "#ffffff", "#f5cf85"]
)


# --------------------------------------------------------------------------------------------
# activations


@overload
def naive_sigmoid(z: float) -> float: ...


@overload
def naive_sigmoid(z: np.ndarray) -> np.ndarray: ...


def naive_sigmoid(z: float | np.ndarray) -> float | np.ndarray:
    r"""The sigmoid written straight from its formula.

    .. math::
        \sigma(z) = \frac{1}{1 + e^{-z}}

    Correct in exact arithmetic, but ``exp(-z)`` overflows for very negative z (below about −709 in
    float64, −88.7 in float32): NumPy then warns and returns 0 only because 1 / ∞ happens to be 0.
    Shown as the pitfall that :func:`sigmoid` avoids.
    Taught in: 01 §5.
    """
    z_array = as_finite_array("z", z, None, "pre-activations: a number or an array")
    return float_or_array(1.0 / (1.0 + np.exp(-z_array)))


@overload
def sigmoid(z: float) -> float: ...


@overload
def sigmoid(z: np.ndarray) -> np.ndarray: ...


def sigmoid(z: float | np.ndarray) -> float | np.ndarray:
    r"""The sigmoid, computed without overflow.

    .. math::
        \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}

    The first form is used for z ≥ 0, the second for z < 0, so the exponential only ever sees a
    non-positive number and never overflows.
    Taught in: 01 §1, 03 §2.
    """
    z_array = as_finite_array("z", z, None, "pre-activations: a number or an array")
    exp_minus_abs = np.exp(-np.abs(z_array))  # in (0, 1]: cannot overflow
    return float_or_array(
        np.where(
            z_array >= 0,
            1.0 / (1.0 + exp_minus_abs),
            exp_minus_abs / (1.0 + exp_minus_abs),
        )
    )


@overload
def sigmoid_slope(z: float) -> float: ...


@overload
def sigmoid_slope(z: np.ndarray) -> np.ndarray: ...


def sigmoid_slope(z: float | np.ndarray) -> float | np.ndarray:
    r"""The derivative of the sigmoid.

    .. math::
        \sigma'(z) = \sigma(z)\,(1 - \sigma(z))

    At most 0.25 (at z = 0); it falls towards 0 as |z| grows: the sigmoid *saturates*.
    Taught in: 01 §5.
    """
    s = sigmoid(z)
    return float_or_array(s * (1.0 - s))


@overload
def relu(z: float) -> float: ...


@overload
def relu(z: np.ndarray) -> np.ndarray: ...


def relu(z: float | np.ndarray) -> float | np.ndarray:
    r"""The rectified linear unit.

    .. math::
        \operatorname{relu}(z) = \max(0, z)

    Used in: 01_neuron_and_forward_pass.
    """
    z_array = as_finite_array("z", z, None, "pre-activations: a number or an array")
    return float_or_array(np.maximum(0.0, z_array))


def linear(z: float | np.ndarray) -> np.ndarray:
    """No activation: g(z) = z (what a Dense layer computes with ``activation=None``).

    Used in: 01_neuron_and_forward_pass.
    """
    return as_finite_array("z", z, None, "pre-activations: a number or an array")


#: Activation functions by the names Keras gives them.
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
    "linear": linear,
}


# --------------------------------------------------------------------------------------------
# a neuron and a dense layer


def neuron(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    r"""One sigmoid neuron on a batch.

    .. math::
        \hat y = \sigma(X w + b)

    Args:
        x: inputs, shape (m, n): one example per row.
        w: weights, shape (n,): one per input feature.
        b: the bias, a number.

    Returns the m outputs, shape (m,), each in (0, 1).
    Taught in: 01 §4.
    """
    x_array = as_finite_array("x", x, 2, "one example per row, shape (m, n)")
    w_array = as_finite_array("w", w, 1, "one weight per input feature, shape (n,)")
    if x_array.shape[1] != w_array.shape[0]:
        raise ValueError(
            f"w has {w_array.shape[0]} weights but each example in x has {x_array.shape[1]} features; "
            "give one weight per feature."
        )
    return sigmoid(x_array @ w_array + as_finite_float("b", b))


def dense(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str = "linear"
) -> np.ndarray:
    r"""A dense layer on a batch: pre-activations, then the activation g.

    .. math::
        Z = X W + b, \qquad A = g(Z)

    Args:
        x: inputs, shape (m, n_in): one example per row.
        W: weights, shape (n_in, n_out), the orientation Keras uses for a Dense kernel.
        b: biases, shape (n_out,): added to every row of XW (broadcasting).
        activation: the name of g, one of :data:`ACTIVATIONS`.

    Returns A, shape (m, n_out).
    Used in: 01_neuron_and_forward_pass.
    """
    x_array = as_finite_array("x", x, 2, "one example per row, shape (m, n_in)")
    W_array = as_finite_array("W", W, 2, "shape (n_in, n_out)")
    b_array = as_finite_array("b", b, 1, "one bias per output, shape (n_out,)")
    if x_array.shape[1] != W_array.shape[0]:
        raise ValueError(
            f"W must have one row per input feature: x has {x_array.shape[1]} features, W has shape {W_array.shape}. "
            "If W is stored as (n_out, n_in), pass W.T."
        )
    if b_array.shape[0] != W_array.shape[1]:
        raise ValueError(
            f"b must have one entry per output (W has {W_array.shape[1]} columns), got shape {b_array.shape}."
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}."
        )
    return ACTIVATIONS[activation](x_array @ W_array + b_array)


def example_network() -> list[np.ndarray]:
    """Fixed weights of a 2 → 3 (tanh) → 1 (sigmoid) network, in Keras's ``get_weights`` order.

    Returns ``[W1, b1, W2, b2]`` with shapes (2, 3), (3,), (3, 1), (1,): chosen by hand, so every
    reader computes the same numbers.
    Taught in: 01 §3.
    """
    W1 = np.array([[0.5, -1.0, 1.5], [2.0, 0.25, -0.75]])
    b1 = np.array([0.1, -0.2, 0.3])
    W2 = np.array([[1.0], [-2.0], [0.5]])
    b2 = np.array([0.25])
    return [W1, b1, W2, b2]


def accuracy(
    y_true: np.ndarray, y_prob: np.ndarray, threshold: float = THRESHOLD
) -> float:
    r"""Share of examples whose predicted class equals the label.

    .. math::
        \text{accuracy} = \frac{1}{m} \sum_i \big[\, [\hat y_i \ge \text{threshold}] = y_i \,\big]

    Taught in: 01 §4.
    """
    labels = as_binary_labels("y_true", y_true, "one 0/1 label per example")
    probs = as_finite_array(
        "y_prob", y_prob, 1, "one predicted probability per example"
    )
    if labels.shape != probs.shape:
        raise ValueError(
            f"y_prob must have one entry per label: y_true has shape {labels.shape}, y_prob {probs.shape}."
        )
    if labels.size == 0:
        raise ValueError("y_true must hold at least one label.")
    threshold = as_finite_float("threshold", threshold)
    return float(np.mean((probs >= threshold) == (labels == 1)))


# --------------------------------------------------------------------------------------------
# the toy dataset


def make_two_blobs(
    n_per_class: int = 40,
    *,
    seed: int = 1,
    centres: tuple[tuple[float, float], tuple[float, float]] = (
        (-1.0, -1.0),
        (1.25, 1.0),
    ),
    spread: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    """Two seeded Gaussian blobs in the plane, one per class.

    Class 0 is drawn around ``centres[0]``, class 1 around ``centres[1]``, each point as
    centre + spread · N(0, I). Returns ``(x, y)``: x of shape (2·n_per_class, 2), labels y of
    shape (2·n_per_class,) with values 0 and 1 (class 0 first). The same seed gives the same
    data on every machine.
    Used in: 01_neuron_and_forward_pass.
    """
    n = as_positive_int("n_per_class", n_per_class)
    centres_array = np.asarray(centres, dtype=float)
    if centres_array.shape != (2, 2):
        raise ValueError(
            f"centres must be two (x₁, x₂) pairs, shape (2, 2), got shape {centres_array.shape}."
        )
    spread = as_finite_float("spread", spread)
    if spread <= 0:
        raise ValueError(
            f"spread must be positive (a standard deviation), got {spread}."
        )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    x = np.concatenate(
        [centre + spread * rng.standard_normal((n, 2)) for centre in centres_array]
    )
    y = np.repeat([0, 1], n)
    return x, y


@lru_cache(maxsize=1)
def toy_blobs() -> tuple[np.ndarray, np.ndarray]:
    """The default toy dataset (``make_two_blobs()``), read-only; used by the figure and the widget.

    Used in: 01_neuron_and_forward_pass.
    """
    x, y = make_two_blobs()
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def make_disc_and_ring(
    n_per_class: int = 40, *, seed: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside a disc of radius 1 around the origin, class 0 on a ring between the
    radii 2.2 and 3 around it: no straight line separates them.

    Returns ``(x, y)`` like :func:`make_two_blobs` (x (2·n, 2), labels 0 then 1), seeded.
    Taught in: 01 §4.
    """
    n = as_positive_int("n_per_class", n_per_class)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    angles = rng.uniform(0.0, 2 * np.pi, size=2 * n)
    radii = np.concatenate(
        [rng.uniform(2.2, 3.0, size=n), np.sqrt(rng.uniform(0.0, 1.0, size=n))]
    )
    x = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])
    return x, np.repeat([0, 1], n)


def ring_network() -> list[np.ndarray]:
    r"""Hand-set weights of a 2 → 3 (tanh) → 1 (sigmoid) network with a curved, closed boundary.

    The boundary surrounds the disc of :func:`make_disc_and_ring`. The weights come in
    ``get_weights`` order ``[W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)]``:

    .. math::
        a^{[1]}_k = \tanh(1.2 - u_k^\top x), \qquad \hat y = \sigma\Big(4 \sum_k a^{[1]}_k - 8\Big)

    for three unit vectors :math:`u_k` 120° apart. Each hidden unit is positive on the inner side of
    a line at distance 1.2, negative beyond it; ŷ is above 0.5 where their sum exceeds 2: inside a
    triangle whose corners the gentle tanh rounds off.
    Taught in: 01 §4.
    """
    angles = np.deg2rad([90.0, 210.0, 330.0])
    directions = np.stack([np.cos(angles), np.sin(angles)])  # (2, 3): u_k in column k
    return [-directions, np.full(3, 1.2), np.full((3, 1), 4.0), np.array([-8.0])]


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    *,
    title: str = "",
    limits: tuple[float, float] = INPUT_LIMITS,
) -> Figure:
    """Any classifier of two inputs: its predicted probability ŷ over the plane (pale blue → 0,
    pale orange → 1), the boundary ŷ = 0.5 (black), and the points (x, y) by class.

    ``predict`` maps an array of shape (k, 2) to k probabilities of class 1 (shape (k,) or
    (k, 1)), e.g. a NumPy forward pass or ``lambda X: model.predict(X, verbose=0)``.
    Taught in: 01 §4, 03 §8.
    """
    x_array = as_finite_array("x", x, 2, "one example per row, shape (m, 2)")
    labels = as_binary_labels("y", y, "one 0/1 label per example")
    if x_array.shape != (labels.size, 2):
        raise ValueError(
            f"x must have shape (m, 2) with m = {labels.size} labels, got {x_array.shape}."
        )
    if not callable(predict):
        raise TypeError(
            f"predict must be a function of an (k, 2) array, got {type(predict).__name__}."
        )
    bounds = as_finite_array("limits", limits, 1, "the view's (low, high) on both axes")
    if bounds.shape != (2,) or not bounds[0] < bounds[1]:
        raise ValueError(f"limits must be (low, high) with low < high, got {limits!r}.")
    if not isinstance(title, str):
        raise TypeError(
            f"title must be a string, got {type(title).__name__} {title!r}."
        )
    low, high = float(bounds[0]), float(bounds[1])
    centres = np.linspace(low, high, GRID_SIZE)
    grid_x1, grid_x2 = np.meshgrid(centres, centres)
    grid = np.column_stack([grid_x1.ravel(), grid_x2.ravel()])
    probs = np.asarray(predict(grid), dtype=float).reshape(GRID_SIZE, GRID_SIZE)
    fig, (ax,) = new_figure(width=6.8, height=5.6)
    image = ax.imshow(
        probs,
        extent=(low, high, low, high),
        origin="lower",
        cmap=OUTPUT_CMAP,
        vmin=0.0,
        vmax=1.0,
        interpolation="bilinear",
    )
    ax.contour(grid_x1, grid_x2, probs, levels=[THRESHOLD], colors=PALETTE[7])
    ax.plot([], [], color=PALETTE[7], label=gettext("boundary $\\hat y = 0.5$"))
    styles = _CLASS_STYLES
    for label, (marker, colour, name) in enumerate(styles):
        points = x_array[labels == label]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            marker=marker,
            s=50,
            color=colour,
            edgecolor="black",
            linewidth=0.6,
            label=gettext(name),
        )
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel(gettext("input $x_1$"))
    ax.set_ylabel(gettext("input $x_2$"))
    ax.legend(loc="upper right", fontsize=10, framealpha=0.9)
    fig.colorbar(image, ax=ax, shrink=0.85).set_label(gettext("predicted $\\hat y$"))
    if title:
        ax.set_title(title, fontsize=13)
    return fig


# --------------------------------------------------------------------------------------------
# the neuron figure


def boundary_line(
    w1: float, w2: float, b: float, limits: tuple[float, float] = INPUT_LIMITS
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two points on the decision boundary, spanning the view.

    .. math::
        w_1 x_1 + w_2 x_2 + b = 0

    Solves for x₂ when :math:`|w_2| \ge |w_1|` (a line that is not steep) and for x₁ otherwise, so the
    points stay finite. With w₁ = w₂ = 0 there is no boundary: both coordinates are NaN (nothing drawn).
    Used in: 01_neuron_and_forward_pass.
    """
    w1, w2, b = (
        as_finite_float("w1", w1),
        as_finite_float("w2", w2),
        as_finite_float("b", b),
    )
    ends = np.array(limits, dtype=float)
    if w1 == 0.0 and w2 == 0.0:
        return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])
    if abs(w2) >= abs(w1):
        return ends, -(w1 * ends + b) / w2
    return -(w2 * ends + b) / w1, ends


@lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, np.ndarray]:
    """The view's grid (x₁, x₂), built once: a slider step only evaluates the neuron on it."""
    centres = np.linspace(*INPUT_LIMITS, GRID_SIZE)
    grid_x1, grid_x2 = np.meshgrid(centres, centres)
    grid_x1.flags.writeable = grid_x2.flags.writeable = False
    return grid_x1, grid_x2


def neuron_output_image(w1: float, w2: float, b: float) -> np.ndarray:
    r"""The neuron's output on a GRID_SIZE × GRID_SIZE grid over the view.

    .. math::
        \hat y = \sigma(w_1 x_1 + w_2 x_2 + b)

    Row i holds x₂ = the i-th grid value from the bottom (``imshow(..., origin="lower")``).
    Used in: 01_neuron_and_forward_pass.
    """
    w1, w2, b = (as_finite_float(n, v) for n, v in (("w1", w1), ("w2", w2), ("b", b)))
    grid_x1, grid_x2 = _grid()
    return sigmoid(w1 * grid_x1 + w2 * grid_x2 + b)


def _output_colours(w1: float, w2: float, b: float) -> np.ndarray:
    """:func:`neuron_output_image` in :data:`OUTPUT_CMAP`'s colours (RGBA bytes), what the figure shows.

    The figure's image holds these colours rather than ŷ: matplotlib then only resamples the
    bytes on each frame (the same pixels as colouring ŷ itself, about four times cheaper).
    """
    return np.asarray(OUTPUT_CMAP(neuron_output_image(w1, w2, b), bytes=True))


@dataclass(frozen=True)
class NeuronView:
    """What the neuron figure shows for one (w₁, w₂, b): pre-activations, outputs, accuracy."""

    z: np.ndarray
    y_prob: np.ndarray
    accuracy: float
    correct: int
    total: int

    def title(self, w1: float, w2: float, b: float) -> str:
        return gettext(
            "w = ({w1:+.2f}, {w2:+.2f}), b = {b:+.2f}:  {correct} of {total} correct "
            "({accuracy:.1%}) at threshold {threshold}"
        ).format(
            w1=w1,
            w2=w2,
            b=b,
            correct=self.correct,
            total=self.total,
            accuracy=self.accuracy,
            threshold=THRESHOLD,
        )


def neuron_view(
    w1: float,
    w2: float,
    b: float,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> NeuronView:
    """Pre-activations z, outputs ŷ = σ(z) and accuracy of the neuron (w₁, w₂, b) on the toy data (or x, y).

    Used in: 01_neuron_and_forward_pass.
    """
    w1, w2, b = (
        as_finite_float("w1", w1),
        as_finite_float("w2", w2),
        as_finite_float("b", b),
    )
    if x is None or y is None:
        x, y = toy_blobs()
    z = np.asarray(x, dtype=float) @ np.array([w1, w2]) + b
    y_prob = sigmoid(z)
    acc = accuracy(y, y_prob)
    correct = int(np.sum((y_prob >= THRESHOLD) == (np.asarray(y) == 1)))
    return NeuronView(z=z, y_prob=y_prob, accuracy=acc, correct=correct, total=len(z))


def _sigmoid_panel_offsets(z: np.ndarray) -> np.ndarray:
    shown = np.clip(z, *Z_LIMITS)
    return np.column_stack([shown, sigmoid(shown)])


#: Marker, colour and legend name of each class on both panels of :func:`plot_neuron`.
_CLASS_STYLES = (("o", PALETTE[0], N_("class 0")), ("^", PALETTE[1], N_("class 1")))


def _draw_input_plane(fig: Figure, ax: Axes, w1: float, w2: float, b: float) -> None:
    """Left panel of :func:`plot_neuron`: output image, points by class, boundary, colour bar."""
    x, y = toy_blobs()
    image = ax.imshow(
        _output_colours(w1, w2, b),
        extent=(*INPUT_LIMITS, *INPUT_LIMITS),
        origin="lower",
        cmap=OUTPUT_CMAP,
        vmin=0.0,
        vmax=1.0,
        interpolation="nearest",
        gid="neuron-output",
    )
    for label, (marker, colour, name) in enumerate(_CLASS_STYLES):
        points = x[y == label]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            marker=marker,
            s=60,
            color=colour,
            edgecolor="black",
            linewidth=0.6,
            label=gettext(name),
            gid=f"class-{label}-points",
        )
    ax.plot(
        *boundary_line(w1, w2, b),
        color=PALETTE[7],
        linewidth=3,
        label=gettext("boundary $w_1x_1 + w_2x_2 + b = 0$"),
        gid="boundary",
    )
    ax.set_xlim(*INPUT_LIMITS)
    ax.set_ylim(*INPUT_LIMITS)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_xlabel(gettext("input $x_1$"))
    ax.set_ylabel(gettext("input $x_2$"))
    colourbar = fig.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
    colourbar.set_label(gettext("neuron output $\\hat y$"))


def _draw_points_on_sigmoid(ax: Axes, z: np.ndarray) -> None:
    """Right panel of :func:`plot_neuron`: the sigmoid, each point at its pre-activation ``z``."""
    _, y = toy_blobs()
    z_grid = np.linspace(*Z_LIMITS, 301)
    ax.plot(
        z_grid, sigmoid(z_grid), color=PALETTE[7], linewidth=2, label="$\\sigma(z)$"
    )
    ax.axhline(THRESHOLD, color=PALETTE[7], linestyle=":", linewidth=1.5)
    ax.axvline(0.0, color=PALETTE[7], linestyle=":", linewidth=1.5)
    offsets = _sigmoid_panel_offsets(z)
    for label, (marker, colour, _) in enumerate(_CLASS_STYLES):
        z_shown, y_hat_shown = offsets[y == label].T
        ax.scatter(
            z_shown,
            y_hat_shown,
            marker=marker,
            s=60,
            color=colour,
            edgecolor="black",
            linewidth=0.6,
            alpha=0.8,
            gid=f"class-{label}-on-sigmoid",
        )
    ax.set_xlim(Z_LIMITS[0] - 0.5, Z_LIMITS[1] + 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(gettext("pre-activation $z = w_1x_1 + w_2x_2 + b$"))
    ax.set_ylabel(gettext("output $\\hat y = \\sigma(z)$"))
    ax.set_title(
        gettext("each point at its z (beyond ±{limit:g}: at the edge)").format(
            limit=Z_LIMITS[1]
        ),
        fontsize=13,
    )


def plot_neuron(w1: float = 1.0, w2: float = 0.5, b: float = -1.0) -> Figure:
    r"""One neuron :math:`\hat y = \sigma(w_1 x_1 + w_2 x_2 + b)` on the toy dataset.

    Left: the output ŷ as an image over the input plane (pale blue ŷ → 0, pale orange ŷ → 1), the
    points coloured by class, and the decision boundary :math:`w_1 x_1 + w_2 x_2 + b = 0` where ŷ = 0.5.
    Right: the sigmoid curve with every point placed at its pre-activation z (clipped to the panel).
    The title reports the accuracy at threshold 0.5.
    Used in: 01_neuron_and_forward_pass.
    """
    w1, w2, b = (
        as_finite_float("w1", w1),
        as_finite_float("w2", w2),
        as_finite_float("b", b),
    )
    view = neuron_view(w1, w2, b)
    fig, (plane_ax, curve_ax) = new_figure(2, width=12.0, height=5.4)
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(w_pad=0.1)
    _draw_input_plane(fig, plane_ax, w1, w2, b)
    _draw_points_on_sigmoid(curve_ax, view.z)
    handles, labels = plane_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    # the title changes on every frame: drawn from cached glyph images (GlyphText)
    as_glyph_text(fig.suptitle(view.title(w1, w2, b), gid="neuron-title"))
    return fig


def update_neuron(fig: Figure, w1: float, w2: float, b: float) -> None:
    """Move the output image, the boundary, the points on the sigmoid and the title of :func:`plot_neuron`.

    Only the image's data is replaced (no new artists), so a slider step stays cheap.
    Used in: 01_neuron_and_forward_pass.
    """
    w1, w2, b = (
        as_finite_float("w1", w1),
        as_finite_float("w2", w2),
        as_finite_float("b", b),
    )
    _, y = toy_blobs()
    view = neuron_view(w1, w2, b)
    artist(fig, "neuron-output", AxesImage).set_data(_output_colours(w1, w2, b))
    artist(fig, "boundary", Line2D).set_data(*boundary_line(w1, w2, b))
    offsets = _sigmoid_panel_offsets(view.z)
    for label in (0, 1):
        points = artist(fig, f"class-{label}-on-sigmoid", PathCollection)
        points.set_offsets(offsets[y == label])
    artist(fig, "neuron-title", Text).set_text(view.title(w1, w2, b))


@register_widget
def neuron_widget() -> LivePlot:
    """Drag a neuron's weights w₁, w₂ and bias b; watch its output, boundary and accuracy on the toy data.

    Taught in: 01 §4.
    """
    return LivePlot(
        plot_neuron,
        update_neuron,
        {
            "w1": float_slider(gettext("weight w₁"), 1.0, -3.0, 3.0, 0.05),
            "w2": float_slider(gettext("weight w₂"), 0.5, -3.0, 3.0, 0.05),
            "b": float_slider(gettext("bias b"), -1.0, -5.0, 5.0, 0.05),
        },
        title=gettext(
            "one sigmoid neuron on two blobs (sliders: weights w₁, w₂ and bias b)"
        ),
    )


def plot_sigmoid_saturation() -> Figure:
    r"""The sigmoid (left) and its slope (right), saturated regions shaded.

    .. math::
        \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \sigma'(z) = \sigma(z)\,(1 - \sigma(z))

    Shaded: where the slope is below 1 % of its maximum 0.25, i.e. |z| > 6 approximately: the
    saturated regions where a gradient through the neuron almost vanishes.
    Taught in: 01 §5.
    """
    z = np.linspace(-10.0, 10.0, 401)
    fig, (value_ax, slope_ax) = new_figure(2, width=11.0, height=4.0)
    value_ax.plot(z, sigmoid(z), color=PALETTE[0])
    slope_ax.plot(z, sigmoid_slope(z), color=PALETTE[3])
    edge = float(z[np.argmax(sigmoid_slope(z) >= 0.0025)])
    for ax in (value_ax, slope_ax):
        for low, high in ((-10.0, edge), (-edge, 10.0)):
            ax.axvspan(low, high, color=PALETTE[7], alpha=0.08, linewidth=0)
        ax.set_xlim(-10.0, 10.0)
        ax.set_xlabel(gettext("pre-activation $z$"))
    value_ax.text(-9.6, 0.55, gettext("saturated"), fontsize=12)
    slope_ax.text(6.4, 0.2, gettext("saturated"), fontsize=12)
    value_ax.set_ylim(-0.05, 1.05)
    slope_ax.set_ylim(-0.01, 0.27)
    value_ax.set_ylabel("$\\sigma(z)$")
    slope_ax.set_ylabel("$\\sigma'(z)$")
    value_ax.set_title(gettext("the sigmoid"))
    slope_ax.set_title(gettext("its slope: at most 0.25"))
    return fig


# --------------------------------------------------------------------------------------------
# exercises
