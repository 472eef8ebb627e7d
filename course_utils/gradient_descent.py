r"""Loss and cost, the loss surface of a linear model, gradient descent on it, and convexity.

The ideas of ``02_loss_cost_and_gradient_descent``:

* per-sample loss :math:`L(y_i, \hat y_i) = (\hat y_i - y_i)^2` and the cost, its mean over the
  m samples, :math:`J(w, b) = \frac{1}{m}\sum_i (w x_i + b - y_i)^2`;
* the gradient of that cost,
  :math:`\partial J/\partial w = \frac{2}{m}\sum_i (\hat y_i - y_i) x_i` and
  :math:`\partial J/\partial b = \frac{2}{m}\sum_i (\hat y_i - y_i)`;
* gradient descent, :math:`(w, b) \leftarrow (w, b) - \eta \nabla J(w, b)`, and how the learning rate
  η decides between slow progress, convergence and divergence;
* convexity: J is convex in (w, b) for a linear model, but not for a tiny network
  :math:`\hat y = v \tanh(w x)`, whose cost has two minima related by (w, v) → (−w, −v).

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from course_utils.i18n import gettext
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import as_finite_array, as_finite_float, as_positive_int
from course_utils.widgets import LivePlot, float_slider, int_slider, register_widget

#: The view of the loss surface J(w, b): weight w on the x axis, bias b on the y axis.
W_LIMITS = (-2.0, 5.0)
B_LIMITS = (-5.0, 5.0)

#: Gradient descent stops once a parameter's size exceeds this: the run has diverged.
ESCAPE_SIZE = 1e6

#: The view of the tiny network's cost J(w, v).
TINY_W_LIMITS = (-3.0, 3.0)
TINY_V_LIMITS = (-2.0, 2.0)


# --------------------------------------------------------------------------------------------
# input checks


def _as_samples(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y as two 1-D float arrays of the same, non-zero length."""
    x_array = as_finite_array("x", x, 1, "one input per sample, shape (m,)")
    y_array = as_finite_array("y", y, None, "one target per input, shape (m,)")
    if x_array.size == 0:
        raise ValueError(
            f"x must be a non-empty 1-D array of inputs, got shape {x_array.shape}."
        )
    if y_array.shape != x_array.shape:
        raise ValueError(
            f"y must have the same shape as x {x_array.shape}, got {y_array.shape}; give one target per input."
        )
    return x_array, y_array


def _as_parameters(
    w: float | np.ndarray, b: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """w and b as finite float arrays of one shape (numbers, or a grid of models)."""
    w_array = as_finite_array("w", w, None, "a weight, or a grid of weights")
    b_array = as_finite_array("b", b, None, "a bias, or a grid of biases")
    if w_array.shape != b_array.shape:
        raise ValueError(
            f"w and b must have the same shape, got {w_array.shape} and {b_array.shape}."
        )
    return w_array, b_array


# --------------------------------------------------------------------------------------------
# data, loss and cost


def make_line_data(
    m: int = 30, *, seed: int = 0, w: float = 1.5, b: float = -1.0, noise: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded one-feature regression dataset: x ~ Uniform(0, 3), y = w·x + b + noise·N(0, 1).

    Returns ``(x, y)``, two arrays of shape (m,). The same seed gives the same data on every machine.
    Used in: 02_loss_cost_and_gradient_descent.
    """
    m = as_positive_int("m", m)
    w = as_finite_float("w", w)
    b = as_finite_float("b", b)
    noise = as_finite_float("noise", noise)
    if noise < 0:
        raise ValueError(
            f"noise must be non-negative (a standard deviation), got {noise}."
        )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    x = rng.uniform(0.0, 3.0, m)
    y = w * x + b + rng.normal(0.0, noise, m)
    return x, y


@lru_cache(maxsize=1)
def line_data() -> tuple[np.ndarray, np.ndarray]:
    """The course's default dataset (``make_line_data()``), used by the figures and the widget."""
    x, y = make_line_data()
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def predict_line(
    w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray
) -> np.ndarray:
    r"""Predictions of a one-feature linear model.

    .. math::
        \hat y_i = w x_i + b

    ``w`` and ``b`` may be arrays of the same shape (a grid of models): the result then has
    shape ``w.shape + x.shape``.
    Used in: 02_loss_cost_and_gradient_descent.
    """
    w_array, b_array = _as_parameters(w, b)
    x_array = as_finite_array("x", x, None, "the inputs")
    return (
        w_array[..., None] * x_array + b_array[..., None]
        if w_array.ndim
        else w_array * x_array + b_array
    )


def squared_losses(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    r"""Per-sample losses, one per sample (no averaging).

    .. math::
        L_i = (\hat y_i - y_i)^2

    Used in: 02_loss_cost_and_gradient_descent.
    """
    y_true_array = as_finite_array("y_true", y_true, None, "one target per sample")
    y_pred_array = as_finite_array("y_pred", y_pred, None, "one prediction per sample")
    if y_true_array.shape != y_pred_array.shape:
        raise ValueError(
            f"y_pred must have the shape of y_true {y_true_array.shape}, got {y_pred_array.shape}; "
            "give one prediction per target."
        )
    return np.square(y_pred_array - y_true_array)


def mse_cost_of_predictions(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    r"""The cost: the mean of the per-sample squared losses.

    .. math::
        J = \frac{1}{m}\sum_{i=1}^{m} (\hat y_i - y_i)^2

    Used in: 02_loss_cost_and_gradient_descent.
    """
    losses = squared_losses(y_true, y_pred)
    if losses.size == 0:
        raise ValueError(
            "y_true must hold at least one target; the mean of no losses is undefined."
        )
    return float(np.mean(losses))


def mse_cost(
    w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray, y: np.ndarray
) -> float | np.ndarray:
    r"""Cost of a linear model on the samples (x, y).

    .. math::
        J(w, b) = \frac{1}{m}\sum_{i=1}^{m} (w x_i + b - y_i)^2

    ``w`` and ``b`` may be arrays of the same shape (a grid): the result has their shape.
    Taught in: 02 §3.
    """
    x, y = _as_samples(x, y)
    w_array, b_array = _as_parameters(w, b)
    cost = np.mean(np.square(predict_line(w_array, b_array, x) - y), axis=-1)
    return float(cost) if np.ndim(cost) == 0 else cost


def mse_gradient(
    w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple:
    r"""Gradient of :func:`mse_cost`:

    .. math::
        \frac{\partial J}{\partial w} = \frac{2}{m}\sum_i (\hat y_i - y_i)\, x_i, \qquad
        \frac{\partial J}{\partial b} = \frac{2}{m}\sum_i (\hat y_i - y_i).

    Returns ``(dJ_dw, dJ_db)``, floats, or arrays of the shape of ``w`` and ``b`` for a grid.
    Taught in: 02 §3.
    """
    x, y = _as_samples(x, y)
    w_array, b_array = _as_parameters(w, b)
    error = predict_line(w_array, b_array, x) - y
    m = x.size
    dw = 2.0 / m * np.sum(error * x, axis=-1)
    db = 2.0 / m * np.sum(error, axis=-1)
    if np.ndim(dw) == 0:
        return float(dw), float(db)
    return dw, db


def finite_difference_gradient(
    cost: Callable[[float, float], float], w: float, b: float, h: float = 1e-6
) -> tuple[float, float]:
    r"""Central finite differences of a cost of two parameters:

    .. math::
        \frac{\partial J}{\partial w} \approx \frac{J(w + h, b) - J(w - h, b)}{2h}, \qquad
        \frac{\partial J}{\partial b} \approx \frac{J(w, b + h) - J(w, b - h)}{2h}.

    Taught in: 02 §3.
    """
    if not callable(cost):
        raise TypeError(
            f"cost must be a function cost(w, b) -> float, got {type(cost).__name__}."
        )
    w = as_finite_float("w", w)
    b = as_finite_float("b", b)
    h = as_finite_float("h", h)
    if h <= 0:
        raise ValueError(f"h must be a small positive step, e.g. 1e-6, got {h}.")
    dw = (cost(w + h, b) - cost(w - h, b)) / (2 * h)
    db = (cost(w, b + h) - cost(w, b - h)) / (2 * h)
    return float(dw), float(db)


def least_squares_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    r"""The (w, b) that minimise :func:`mse_cost` (ordinary least squares), from the normal equations:

    .. math:: w^* = \frac{\operatorname{cov}(x, y)}{\operatorname{var}(x)}, \qquad b^* = \bar y - w^* \bar x.

    Taught in: 02 §1.
    """
    x, y = _as_samples(x, y)
    spread = np.mean(np.square(x - x.mean()))
    if spread == 0:
        raise ValueError(
            "x must take at least two different values; a line through one x is not determined."
        )
    w = np.mean((x - x.mean()) * (y - y.mean())) / spread
    return float(w), float(y.mean() - w * x.mean())


def linear_mse_hessian(x: np.ndarray) -> np.ndarray:
    r"""Hessian of :func:`mse_cost` in (w, b), the same at every point:

    .. math:: H = 2 \begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}.

    Its eigenvalues are ≥ 0, so J is convex in (w, b). Gradient descent with a learning rate η
    converges exactly when η < 2 / λ_max(H).
    Taught in: 02 §4.
    """
    x_array = as_finite_array("x", x, 1, "one input per sample, shape (m,)")
    if x_array.size == 0:
        raise ValueError("x must hold at least one input, got an empty array.")
    return 2.0 * np.array(
        [[np.mean(x_array**2), np.mean(x_array)], [np.mean(x_array), 1.0]]
    )


def largest_stable_rate(x: np.ndarray) -> float:
    r"""The learning rate above which gradient descent on :func:`mse_cost` diverges:

    .. math:: \eta_{\max} = \frac{2}{\lambda_{\max}(H)},

    with :math:`H` from :func:`linear_mse_hessian`. Along the Hessian's top eigenvector each
    step multiplies the distance to the minimum by :math:`|1 - \eta\lambda_{\max}|`, which is
    above 1 exactly when :math:`\eta > \eta_{\max}`.
    Taught in: 02 §4.
    """
    return float(2.0 / np.linalg.eigvalsh(linear_mse_hessian(x))[-1])


# --------------------------------------------------------------------------------------------
# gradient descent


@dataclass(frozen=True)
class DescentRun:
    """The result of :func:`gradient_descent`.

    Attributes:
        path: the visited (w, b), shape (k + 1, 2), starting point first.
        costs: J at each visited point, shape (k + 1,).
        diverged: the run cannot converge: η ≥ 2 / λ_max of the cost's Hessian (then the
            zigzag across the valley grows at every step, slowly just above the limit), or a
            parameter blew up.
        rate_limit: 2 / λ_max, the largest learning rate that converges on this data.
    """

    path: np.ndarray
    costs: np.ndarray
    diverged: bool
    rate_limit: float = float("inf")

    @property
    def final_cost(self) -> float:
        """J at the last visited point."""
        return float(self.costs[-1])


def gradient_descent(
    x: np.ndarray,
    y: np.ndarray,
    *,
    w0: float,
    b0: float,
    learning_rate: float,
    steps: int,
) -> DescentRun:
    r"""Plain (full-batch) gradient descent on :func:`mse_cost`:

    .. math:: w_{t+1} = w_t - \eta\, \frac{\partial J}{\partial w}(w_t, b_t), \qquad
              b_{t+1} = b_t - \eta\, \frac{\partial J}{\partial b}(w_t, b_t).

    Stops early once a parameter's size exceeds :data:`ESCAPE_SIZE`. The run is flagged
    ``diverged`` exactly when η ≥ 2 / λ_max (:func:`largest_stable_rate`): on this quadratic
    cost that is when the steps cannot converge, whatever the cost did in the first steps.
    Taught in: 02 §4.
    """
    x, y = _as_samples(x, y)
    w = as_finite_float("w0", w0)
    b = as_finite_float("b0", b0)
    learning_rate = as_finite_float("learning_rate", learning_rate)
    if learning_rate <= 0:
        raise ValueError(
            f"learning_rate must be positive, got {learning_rate}; try 0.1."
        )
    steps = as_positive_int("steps", steps, allow_zero=True)
    path = [(w, b)]
    escaped = False
    for _ in range(steps):
        dw, db = mse_gradient(w, b, x, y)
        w, b = w - learning_rate * dw, b - learning_rate * db
        path.append((w, b))
        if not (abs(w) < ESCAPE_SIZE and abs(b) < ESCAPE_SIZE):
            escaped = True
            break
    path_array = np.array(path)
    costs = np.array([mse_cost(pw, pb, x, y) for pw, pb in path_array])
    limit = largest_stable_rate(x)
    diverged = escaped or not np.isfinite(costs[-1]) or learning_rate >= limit
    return DescentRun(path_array, costs, bool(diverged), limit)


def clip_path_to_box(
    path: np.ndarray, x_limits: tuple[float, float], y_limits: tuple[float, float]
) -> np.ndarray:
    """The path up to where it first leaves the box, ending exactly on the box's edge.

    Keeps drawn coordinates small (a diverging path grows without bound), while the part inside
    the box is drawn unchanged, direction included.
    Used in: 02_loss_cost_and_gradient_descent (drawing gradient descent's path).
    """
    points = np.asarray(path, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"path must have shape (k, 2) with k ≥ 1, got {points.shape}.")
    low = np.array([x_limits[0], y_limits[0]])
    high = np.array([x_limits[1], y_limits[1]])
    inside = np.all((points >= low) & (points <= high), axis=1)
    if inside.all():
        return points.copy()
    first_out = int(np.argmin(inside))
    if first_out == 0:
        return points[:0].copy()
    start, end = points[first_out - 1], points[first_out]
    if not np.all(np.isfinite(end)):
        return points[:first_out].copy()
    direction = end - start
    fractions = [1.0]
    for axis in range(2):
        if direction[axis] > 0:
            fractions.append((high[axis] - start[axis]) / direction[axis])
        elif direction[axis] < 0:
            fractions.append((low[axis] - start[axis]) / direction[axis])
    exit_point = start + min(fractions) * direction
    return np.vstack([points[:first_out], exit_point])


def _descent_title(run: DescentRun, learning_rate: float, minimum: float) -> str:
    steps = len(run.path) - 1
    if run.diverged:
        return gettext(
            "η = {rate:.3f} ≥ 2/λ_max = {limit:.4f}: diverges"
            " (J = {cost:.3g} after {steps} steps, from {start:.1f})"
        ).format(
            rate=learning_rate,
            limit=run.rate_limit,
            cost=run.final_cost,
            steps=steps,
            start=run.costs[0],
        )
    return gettext(
        "η = {rate:.3f}, {steps} steps: J = {cost:.4f}  (minimum {minimum:.4f})"
    ).format(rate=learning_rate, steps=steps, cost=run.final_cost, minimum=minimum)


def _draw_surface(
    ax,
    x: np.ndarray,
    y: np.ndarray,
    *,
    quiver: bool = True,
    filled: bool = True,
) -> tuple[ContourSet, tuple[float, float]]:
    """Contours of J over the view, the downhill directions, the minimum; returns the
    contour set and (w*, b*). ``filled=False`` draws coloured contour lines only (a plain
    background that a slider's PNG frames encode fast)."""
    w_grid, b_grid = np.meshgrid(
        np.linspace(*W_LIMITS, 141), np.linspace(*B_LIMITS, 141)
    )
    cost = mse_cost(w_grid, b_grid, x, y)
    w_star, b_star = least_squares_fit(x, y)
    j_star = mse_cost(w_star, b_star, x, y)
    levels = np.geomspace(j_star * 1.02, np.max(cost), 14)
    if not filled:
        surface = ax.contour(
            w_grid, b_grid, cost, levels=levels, norm=LogNorm(), cmap="viridis"
        )
    else:
        surface = ax.contourf(
            w_grid,
            b_grid,
            cost,
            levels=levels,
            norm=LogNorm(),
            cmap="viridis",
            alpha=0.85,
        )
        ax.contour(
            w_grid,
            b_grid,
            cost,
            levels=levels,
            colors="white",
            linewidths=0.6,
            alpha=0.6,
        )
    if quiver:
        w_coarse, b_coarse = np.meshgrid(
            np.linspace(*W_LIMITS, 9)[1:-1], np.linspace(*B_LIMITS, 9)[1:-1]
        )
        dw, db = mse_gradient(w_coarse, b_coarse, x, y)
        size = np.hypot(dw, db)
        ax.quiver(
            w_coarse,
            b_coarse,
            -dw / size,
            -db / size,
            color="white",
            alpha=0.9,
            angles="xy",
            scale_units="xy",
            scale=2.2,
            width=0.006,
        )
    ax.plot(
        [w_star],
        [b_star],
        marker="*",
        color=PALETTE[6],
        markersize=18,
        markeredgecolor="black",
        linestyle="none",
        label=gettext("minimum ({w:.2f}, {b:.2f})").format(w=w_star, b=b_star),
    )
    ax.set_xlim(*W_LIMITS)
    ax.set_ylim(*B_LIMITS)
    ax.set_xlabel(gettext("weight $w$"))
    ax.set_ylabel(gettext("bias $b$"))
    ax.grid(False)
    return surface, (w_star, b_star)


# --------------------------------------------------------------------------------------------
# figures


def plot_residuals(x: np.ndarray, y: np.ndarray, w: float, b: float) -> Figure:
    """Data points, the line ŷ = w·x + b, and each error e_i = ŷ_i − y_i as a vertical segment
    (vermillion) from the target to the prediction.

    The title gives the cost J(w, b), the mean of the squared errors.
    Taught in: 02 §1.
    """
    x, y = _as_samples(x, y)
    w = as_finite_float("w", w)
    b = as_finite_float("b", b)
    fig, (ax,) = new_figure(width=8.0, height=4.8)
    y_hat = w * x + b
    segments = np.stack([np.c_[x, y], np.c_[x, y_hat]], axis=1)
    ax.add_collection(
        LineCollection(
            list(segments),
            colors=PALETTE[3],
            linewidths=1.8,
            label=gettext("error $e_i = \\hat y_i - y_i$"),
        )
    )
    ax.plot(x, y, "o", color=PALETTE[0], label=gettext("data $(x_i, y_i)$"))
    line_x = np.array([0.0, 3.0])
    ax.plot(
        line_x,
        w * line_x + b,
        color=PALETTE[7],
        label=f"$\\hat y = {w:.2f}\\,x {b:+.2f}$",
    )
    ax.set_xlim(-0.1, 3.1)
    low, high = min(y.min(), y_hat.min()), max(y.max(), y_hat.max())
    ax.set_ylim(low - 0.5, high + 0.5)
    ax.set_xlabel(gettext("input $x$"))
    ax.set_ylabel(gettext("target $y$"))
    ax.legend(loc="upper left")
    ax.set_title(
        gettext("{count} errors; cost J = mean of their squares = {cost:.4f}").format(
            count=len(x), cost=mse_cost(w, b, x, y)
        )
    )
    return fig


def plot_gradient_descent(
    learning_rate: float = 0.1, w0: float = -1.0, b0: float = 4.0, steps: int = 30
) -> Figure:
    """The cost surface J(w, b) of the default data (contours), −∇J directions (arrows, unit
    length), and gradient descent's path from (w0, b0).

    Moving artists: ``gd-path`` (the path, clipped to the view), ``gd-end`` (its last point,
    hidden when it is outside the view), ``gd-start`` and ``gd-title``.
    Used in: 02_loss_cost_and_gradient_descent.
    """
    x, y = line_data()
    fig, (ax,) = new_figure(width=8.5, height=6.0)
    filled, _ = _draw_surface(ax, x, y)
    colorbar = fig.colorbar(filled, ax=ax, format="%.1f")
    colorbar.set_label(gettext("cost $J(w, b)$"))
    ax.plot(
        [],
        [],
        "-o",
        color=PALETTE[1],
        markersize=4,
        linewidth=2,
        gid="gd-path",
        label=gettext("gradient descent"),
    )
    ax.plot(
        [],
        [],
        "o",
        color=PALETTE[3],
        markersize=12,
        markeredgecolor="white",
        gid="gd-end",
        label=gettext("last step"),
    )
    ax.plot(
        [],
        [],
        "s",
        color=PALETTE[1],
        markersize=10,
        markeredgecolor="black",
        gid="gd-start",
        label=gettext("start"),
    )
    ax.legend(loc="lower left", fontsize=11, framealpha=0.9)
    ax.set_title(" ", gid="gd-title")
    update_gradient_descent(fig, learning_rate=learning_rate, w0=w0, b0=b0, steps=steps)
    return fig


def update_gradient_descent(
    fig: Figure, learning_rate: float, w0: float, b0: float, steps: int
) -> None:
    """Move the path, its end and start markers and the title of :func:`plot_gradient_descent`."""
    x, y = line_data()
    run = gradient_descent(x, y, w0=w0, b0=b0, learning_rate=learning_rate, steps=steps)
    drawn = clip_path_to_box(run.path, W_LIMITS, B_LIMITS)
    artist(fig, "gd-path", Line2D).set_data(drawn[:, 0], drawn[:, 1])
    end = artist(fig, "gd-end", Line2D)
    last = run.path[-1]
    inside = (
        W_LIMITS[0] <= last[0] <= W_LIMITS[1] and B_LIMITS[0] <= last[1] <= B_LIMITS[1]
    )
    end.set_data([last[0]] if inside else [], [last[1]] if inside else [])
    artist(fig, "gd-start", Line2D).set_data([run.path[0, 0]], [run.path[0, 1]])
    minimum = float(mse_cost(*least_squares_fit(x, y), x, y))
    title = artist(fig, "gd-title", Text)
    title.set_text(_descent_title(run, learning_rate, minimum))


def plot_learning_rate_regimes(
    learning_rates: tuple[float, ...] = (0.01, 0.2, 0.27),
    w0: float = -1.0,
    b0: float = 4.0,
    steps: int = 30,
) -> Figure:
    """Gradient descent on the default data with several learning rates, one panel each (static).

    Taught in: 02 §4.
    """
    if len(learning_rates) == 0:
        raise ValueError(
            "learning_rates must hold at least one learning rate, e.g. (0.01, 0.2, 0.27)."
        )
    x, y = line_data()
    minimum = mse_cost(*least_squares_fit(x, y), x, y)
    fig, axes = new_figure(
        len(learning_rates), width=5.0 * len(learning_rates), height=4.8
    )
    for ax, rate in zip(axes, learning_rates):
        _draw_surface(ax, x, y, quiver=False)
        run = gradient_descent(x, y, w0=w0, b0=b0, learning_rate=rate, steps=steps)
        drawn = clip_path_to_box(run.path, W_LIMITS, B_LIMITS)
        ax.plot(
            drawn[:, 0], drawn[:, 1], "-o", color=PALETTE[1], markersize=4, linewidth=2
        )
        ax.plot(
            [w0], [b0], "s", color=PALETTE[1], markersize=10, markeredgecolor="black"
        )
        if not run.diverged:
            ax.plot(
                *run.path[-1],
                "o",
                color=PALETTE[3],
                markersize=12,
                markeredgecolor="white",
            )
            ax.set_title(
                gettext(
                    "η = {rate:g}: J = {cost:.3f} after {steps} steps\n(minimum {minimum:.3f})"
                ).format(rate=rate, cost=run.final_cost, steps=steps, minimum=minimum),
                fontsize=13,
            )
        else:
            ax.set_title(
                gettext(
                    "η = {rate:g} ≥ 2/λ_max: diverges\n(J = {cost:.3g} after {steps} steps)"
                ).format(rate=rate, cost=run.final_cost, steps=steps),
                fontsize=13,
            )
    return fig


@register_widget
def gradient_descent_widget() -> LivePlot:
    """Choose the learning rate, the start (w0, b0) and the number of steps; watch the path.

    Taught in: 02 §4.
    """
    rate = float_slider(gettext("learning rate η"), 0.1, 0.005, 0.3, 0.005, ".3f")
    return LivePlot(
        plot_gradient_descent,
        update_gradient_descent,
        {
            "learning_rate": rate,
            "w0": float_slider(
                gettext("start w₀"), -1.0, W_LIMITS[0], W_LIMITS[1], 0.1
            ),
            "b0": float_slider(gettext("start b₀"), 4.0, B_LIMITS[0], B_LIMITS[1], 0.1),
            "steps": int_slider(gettext("steps"), 30, 0, 100),
        },
        title=gettext(
            "gradient descent on the cost J(w, b) (sliders: learning rate, start w₀ and b₀, steps)"
        ),
    )


# --------------------------------------------------------------------------------------------
# minibatch stochastic gradient descent and epochs

#: The minibatch demonstration: learning rate, start and random seed of the shuffles.
SGD_LEARNING_RATE = 0.1
SGD_START = (-1.0, 4.0)
SGD_SEED = 0


@dataclass(frozen=True)
class MinibatchRun:
    """The result of :func:`minibatch_sgd`.

    Attributes:
        path: (w, b) after each update, starting point first, shape (updates + 1, 2).
        costs: the full-data cost J at each point of the path (what the noisy steps
            only estimate), shape (updates + 1,).
        updates_per_epoch: ⌈m / batch_size⌉, the minibatches in one pass over the data.
    """

    path: np.ndarray
    costs: np.ndarray
    updates_per_epoch: int

    @property
    def epochs(self) -> np.ndarray:
        """The epoch reached at each point of the path (1/updates_per_epoch per update)."""
        return np.arange(len(self.path)) / self.updates_per_epoch

    @property
    def final_cost(self) -> float:
        """J on all the data after the last update."""
        return float(self.costs[-1])


def minibatch_sgd(
    x: np.ndarray,
    y: np.ndarray,
    *,
    w0: float,
    b0: float,
    learning_rate: float,
    batch_size: int,
    epochs: int,
    shuffle: bool = True,
    seed: int = SGD_SEED,
) -> MinibatchRun:
    r"""Minibatch stochastic gradient descent on the MSE of the line ŷ = w·x + b.

    It is the loop of Keras's ``fit(x, y, batch_size=B, epochs=E)``: each epoch (shuffled if
    ``shuffle``) cuts the m samples into ⌈m/B⌉ minibatches (the last one smaller if B does not
    divide m) and takes one step per minibatch with the gradient of that minibatch's mean loss:

    .. math::
        \theta \leftarrow \theta - \eta\,\nabla_\theta \frac{1}{|B_k|}
        \sum_{i \in B_k} (\hat y_i - y_i)^2 .

    With ``batch_size = m`` it is :func:`gradient_descent` with one step per epoch.
    Taught in: 02 §5.
    """
    x, y = _as_samples(x, y)
    w = as_finite_float("w0", w0)
    b = as_finite_float("b0", b0)
    rate = as_finite_float("learning_rate", learning_rate)
    if rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {rate}; try 0.1.")
    size = as_positive_int("batch_size", batch_size)
    if size > len(x):
        raise ValueError(
            f"batch_size must be at most the number of samples m = {len(x)}, got {size}."
        )
    epochs = as_positive_int("epochs", epochs, allow_zero=True)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(
            f"shuffle must be True or False, got {type(shuffle).__name__} {shuffle!r}."
        )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    path = [(w, b)]
    for _ in range(epochs):
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        for start in range(0, len(x), size):
            batch = order[start : start + size]
            error = w * x[batch] + b - y[batch]  # e = ŷ − y on this minibatch
            w, b = (
                w - rate * 2.0 * np.mean(error * x[batch]),
                b - rate * 2.0 * np.mean(error),
            )
            path.append((w, b))
    path_array = np.array(path)
    costs = mse_cost(path_array[:, 0], path_array[:, 1], x, y)
    return MinibatchRun(path_array, np.asarray(costs), -(-len(x) // size))


def _minibatch_title(run: MinibatchRun, full: MinibatchRun, batch_size: int) -> str:
    epochs = len(full.path) - 1
    per_epoch = (
        gettext("{count} updates per epoch")
        if run.updates_per_epoch > 1
        else gettext("{count} update per epoch")
    ).format(count=run.updates_per_epoch)
    return gettext(
        "B = {batch_size}: {per_epoch}; after {epochs} epochs J = {cost:.3f} "
        "(full batch: {full:.3f})"
    ).format(
        batch_size=batch_size,
        per_epoch=per_epoch,
        epochs=epochs,
        cost=run.final_cost,
        full=full.final_cost,
    )


def _minibatch_runs(batch_size: int, epochs: int) -> tuple[MinibatchRun, MinibatchRun]:
    x, y = line_data()
    w0, b0 = SGD_START
    rate = SGD_LEARNING_RATE
    run, full = (
        minibatch_sgd(
            x, y, w0=w0, b0=b0, learning_rate=rate, batch_size=size, epochs=epochs
        )
        for size in (batch_size, len(x))
    )
    return run, full


def _draw_sgd_paths_panel(ax: Axes) -> None:
    """Left panel of :func:`plot_minibatch_sgd`: cost contours, the (empty) paths, the start."""
    x, y = line_data()
    _draw_surface(ax, x, y, quiver=False, filled=False)
    ax.plot([], [], "-o", color=PALETTE[7], markersize=4, lw=2, gid="full-path")
    ax.plot([], [], "-", color=PALETTE[1], lw=1.6, gid="sgd-path")
    ax.plot([], [], "o", color=PALETTE[3], markersize=11, mec="white", gid="sgd-end")
    ax.plot([SGD_START[0]], [SGD_START[1]], "s", color=PALETTE[1], mec="black")
    ax.legend(
        [ax.lines[1], ax.lines[2]],
        [gettext("full batch (B = m)"), gettext("minibatch")],
        loc="lower left",
        fontsize=11,
        framealpha=0.9,
    )


def _draw_sgd_costs_panel(ax: Axes) -> None:
    """Right panel of :func:`plot_minibatch_sgd`: the (empty) cost curves against epochs."""
    x, y = line_data()
    ax.plot([], [], "-o", color=PALETTE[7], markersize=4, gid="full-curve")
    ax.plot([], [], "-", color=PALETTE[1], lw=1.6, gid="sgd-curve")
    minimum = mse_cost(*least_squares_fit(x, y), x, y)
    ax.axhline(
        float(minimum), color=PALETTE[2], ls="--", lw=1.5, label=gettext("minimum J")
    )
    ax.set_yscale("log")
    ax.set_ylim(0.2, 20.0)
    ax.set_xlim(0, SGD_MAX_EPOCHS)
    ax.set_xlabel(gettext("epochs (passes over the 30 samples)"))
    ax.set_ylabel(gettext("cost $J$ on all the data"))
    ax.legend(loc="upper right", fontsize=11)


def plot_minibatch_sgd(batch_size: int = 5, epochs: int = 10) -> Figure:
    """Left: the cost surface J(w, b) with full-batch descent (black, one step per epoch) and
    minibatch SGD (orange, ⌈m/B⌉ noisy steps per epoch) from the same start with the same η.
    Right: the full-data cost J against epochs for both (log scale).

    Moving artists: ``sgd-path``, ``sgd-end``, ``full-path``, ``sgd-curve``,
    ``full-curve`` and ``sgd-title``.
    """
    fig, (ax, curve_ax) = new_figure(2, width=12.0, height=5.0)
    _draw_sgd_paths_panel(ax)
    _draw_sgd_costs_panel(curve_ax)
    fig.suptitle(" ", fontsize=14, gid="sgd-title")
    update_minibatch_sgd(fig, batch_size=batch_size, epochs=epochs)
    return fig


def update_minibatch_sgd(fig: Figure, batch_size: int, epochs: int) -> None:
    """Move the two paths, the two cost curves and the title of :func:`plot_minibatch_sgd`."""
    run, full = _minibatch_runs(batch_size, epochs)
    for name, result in (("sgd", run), ("full", full)):
        drawn = clip_path_to_box(result.path, W_LIMITS, B_LIMITS)
        artist(fig, f"{name}-path", Line2D).set_data(drawn[:, 0], drawn[:, 1])
        curve = artist(fig, f"{name}-curve", Line2D)
        curve.set_data(result.epochs, result.costs)
    end = run.path[-1]
    artist(fig, "sgd-end", Line2D).set_data([end[0]], [end[1]])
    title = artist(fig, "sgd-title", Text)
    title.set_text(_minibatch_title(run, full, batch_size))


#: The widget's range of epochs.
SGD_MAX_EPOCHS = 20


@register_widget
def minibatch_sgd_widget() -> LivePlot:
    """Choose the batch size and the number of epochs; compare minibatch SGD with full-batch
    gradient descent on the same cost surface.

    Taught in: 02 §5.
    """
    m = len(line_data()[0])
    return LivePlot(
        plot_minibatch_sgd,
        update_minibatch_sgd,
        {
            "batch_size": int_slider(gettext("batch size B"), 5, 1, m),
            "epochs": int_slider(gettext("epochs"), 10, 1, SGD_MAX_EPOCHS),
        },
        title=(
            gettext(
                "minibatch SGD against full-batch gradient descent "
                "(sliders: batch size, epochs)"
            )
        ),
    )


# --------------------------------------------------------------------------------------------
# a tiny network: a cost that is not convex


def make_tiny_network_data(
    m: int = 40, *, seed: int = 1, w: float = 1.5, v: float = 1.0, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Data for the tiny network: x evenly spaced on [−2, 2], y = v·tanh(w·x) + noise·N(0, 1).

    Taught in: 02 §6, A §4.
    """
    m = as_positive_int("m", m)
    w = as_finite_float("w", w)
    v = as_finite_float("v", v)
    noise = as_finite_float("noise", noise)
    if noise < 0:
        raise ValueError(
            f"noise must be non-negative (a standard deviation), got {noise}."
        )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    x = np.linspace(-2.0, 2.0, m)
    return x, v * np.tanh(w * x) + rng.normal(0.0, noise, m)


def tiny_network_cost(
    w: float | np.ndarray, v: float | np.ndarray, x: np.ndarray, y: np.ndarray
) -> float | np.ndarray:
    r"""Cost of the tiny network ŷ = v·tanh(w·x) on the samples (x, y).

    .. math::
        J(w, v) = \frac{1}{m}\sum_{i=1}^{m} (v \tanh(w x_i) - y_i)^2

    ``w`` and ``v`` may be arrays of the same shape (a grid): the result has their shape.
    Taught in: 02 §6, A §4.
    """
    x, y = _as_samples(x, y)
    w_array = as_finite_array("w", w, None, "a weight, or a grid of weights")
    v_array = as_finite_array("v", v, None, "a weight, or a grid of weights")
    if w_array.shape != v_array.shape:
        raise ValueError(
            f"w and v must have the same shape, got {w_array.shape} and {v_array.shape}."
        )
    y_hat = v_array[..., None] * np.tanh(w_array[..., None] * x)
    cost = np.mean(np.square(y_hat - y), axis=-1)
    return float(cost) if np.ndim(cost) == 0 else cost


def tiny_network_gradient(
    w: float, v: float, x: np.ndarray, y: np.ndarray
) -> tuple[float, float]:
    r"""Gradient of :func:`tiny_network_cost`, with :math:`e_i = v \tanh(w x_i) - y_i`:

    .. math::
        \frac{\partial J}{\partial w} = \frac{2}{m}\sum_i e_i\, v\,(1 - \tanh^2(w x_i))\, x_i, \qquad
        \frac{\partial J}{\partial v} = \frac{2}{m}\sum_i e_i \tanh(w x_i).

    Used in: 02_loss_cost_and_gradient_descent.
    """
    x, y = _as_samples(x, y)
    w = as_finite_float("w", w)
    v = as_finite_float("v", v)
    hidden = np.tanh(w * x)
    error = v * hidden - y
    m = x.size
    return float(2.0 / m * np.sum(error * v * (1 - hidden**2) * x)), float(
        2.0 / m * np.sum(error * hidden)
    )


def find_tiny_network_minimum(
    x: np.ndarray,
    y: np.ndarray,
    *,
    w0: float = 1.0,
    v0: float = 1.0,
    learning_rate: float = 0.2,
    steps: int = 2000,
) -> tuple[float, float]:
    """A minimum of :func:`tiny_network_cost`, found by gradient descent from (w0, v0).

    Taught in: 02 §6.
    """
    w = as_finite_float("w0", w0)
    v = as_finite_float("v0", v0)
    learning_rate = as_finite_float("learning_rate", learning_rate)
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}.")
    for _ in range(as_positive_int("steps", steps)):
        dw, dv = tiny_network_gradient(w, v, x, y)
        w, v = w - learning_rate * dw, v - learning_rate * dv
    return w, v


def _draw_tiny_cost_surface(
    fig: Figure,
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
) -> None:
    """Left panel of :func:`plot_tiny_network_cost`: contours, the two minima, the segment."""
    w_grid, v_grid = np.meshgrid(
        np.linspace(*TINY_W_LIMITS, 161), np.linspace(*TINY_V_LIMITS, 121)
    )
    cost = tiny_network_cost(w_grid, v_grid, x, y)
    levels = np.geomspace(max(np.min(cost), 1e-4) * 1.05, np.max(cost), 14)
    filled = ax.contourf(
        w_grid, v_grid, cost, levels=levels, norm=LogNorm(), cmap="viridis", alpha=0.85
    )
    ax.contour(
        w_grid, v_grid, cost, levels=levels, colors="white", linewidths=0.6, alpha=0.6
    )
    fig.colorbar(filled, ax=ax, format="%.2f").set_label(gettext("cost $J(w, v)$"))
    ax.plot(
        *zip(first, second),
        "--",
        color=PALETTE[1],
        linewidth=2,
        label=gettext("segment between minima"),
    )
    ax.plot(
        *zip(first, second),
        "*",
        color=PALETTE[6],
        markersize=18,
        markeredgecolor="black",
        linestyle="none",
        label=gettext("two minima"),
    )
    ax.plot(
        [0.0],
        [0.0],
        "o",
        color=PALETTE[3],
        markersize=11,
        markeredgecolor="white",
        label=gettext("midpoint"),
    )
    ax.set_xlim(*TINY_W_LIMITS)
    ax.set_ylim(*TINY_V_LIMITS)
    ax.set_xlabel(gettext("hidden weight $w$"))
    ax.set_ylabel(gettext("output weight $v$"))
    ax.grid(False)
    ax.legend(loc="lower right", fontsize=11, framealpha=0.9)
    ax.set_title(gettext("$J(w, v)$ for $\\hat y = v\\,\\tanh(w x)$"))


def _draw_tiny_cost_slice(
    ax: Axes, x: np.ndarray, y: np.ndarray, first: np.ndarray, second: np.ndarray
) -> None:
    """Right panel of :func:`plot_tiny_network_cost`: J along the segment and the chord."""
    t = np.linspace(0.0, 1.0, 201)
    along = first + t[:, None] * (second - first)
    slice_cost = tiny_network_cost(along[:, 0], along[:, 1], x, y)
    ends = tiny_network_cost(
        np.array([first[0], second[0]]), np.array([first[1], second[1]]), x, y
    )
    ax.plot(t, slice_cost, color=PALETTE[0], label=gettext("$J$ along the segment"))
    ax.plot(
        [0.0, 1.0],
        ends,
        "--",
        color=PALETTE[1],
        label=gettext("chord (a convex $J$ stays below it)"),
    )
    ax.plot(
        [0.5],
        [float(tiny_network_cost(0.0, 0.0, x, y))],
        "o",
        color=PALETTE[3],
        markersize=11,
        label=gettext("midpoint"),
    )
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, np.max(slice_cost) * 1.45)
    ax.set_xlabel(gettext("position $t$ on the segment"))
    ax.set_ylabel(gettext("cost $J$"))
    ax.legend(loc="upper left", fontsize=11)
    ax.set_title(gettext("the cost rises between the minima"))


def plot_tiny_network_cost(
    x: np.ndarray, y: np.ndarray, minimum: tuple[float, float]
) -> Figure:
    """Left: contours of the tiny network's cost J(w, v), with the two minima ``minimum`` and its
    mirror image (−w, −v) and the straight segment between them. Right: J along that segment
    against the chord between its ends (for a convex J, the curve would stay below the chord).

    Taught in: 02 §6, A §4.
    """
    x, y = _as_samples(x, y)
    first = np.array(
        [
            as_finite_float("minimum[0]", minimum[0]),
            as_finite_float("minimum[1]", minimum[1]),
        ]
    )
    second = -first
    fig, (surface_ax, slice_ax) = new_figure(2, width=12.0, height=4.8)
    _draw_tiny_cost_surface(fig, surface_ax, x, y, first, second)
    _draw_tiny_cost_slice(slice_ax, x, y, first, second)
    return fig


# --------------------------------------------------------------------------------------------
# exercises

#: Exercise 02.1: targets and predictions.
EXERCISE_TARGETS = (2.0, 0.0, 1.0, 3.0)
EXERCISE_PREDICTIONS = (2.5, 0.0, 2.0, 1.0)


#: Exercise 02.4: the names to sort into parameters and hyperparameters.
NAMES_TO_CLASSIFY = (
    "w",
    "b",
    "learning_rate",
    "epochs",
    "batch_size",
    "huber_delta",
    "hidden_units",
)
