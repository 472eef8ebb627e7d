r"""The ideas of ``04_regression_losses``: six regression losses, what they estimate, and why.

* each loss as a function of the error :math:`e = \hat y - y` and its slope, with Huber's δ on a
  slider (:func:`error_losses_widget`);
* the best constant prediction: the mean under MSE, the median under MAE, in between under Huber,
  found where the mean slope crosses zero (:func:`best_constants`), and an outlier to drag
  (:func:`outlier_estimates_widget`);
* negative log-likelihoods: MSE is the Gaussian NLL up to constants, MAE the Laplace one, log-cosh
  the hyperbolic-secant one (:func:`gaussian_nll`, :func:`laplace_nll`, :func:`sech_nll`);
* a line fitted to data with outliers under four losses by seeded gradient descent
  (:func:`fit_line`);
* MSLE's and MAPE's asymmetry, and MAPE near y = 0 (:func:`plot_asymmetry`, :func:`plot_mape_blowup`);
* the source article's regression mistakes, run broken then fixed (:func:`erratum_report`).

Every loss value and slope comes from the catalog (:mod:`course_utils.losses`). Importing this module
does not import TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course_utils.i18n import gettext
from course_utils.losses import get
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import (
    as_data_array,
    as_finite_float,
    as_positive_int,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

#: The six regression losses of the catalog, in the order notebook 04 teaches them.
REGRESSION_LOSSES: tuple[str, ...] = (
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
    "log_cosh",
    "mean_squared_logarithmic_error",
    "mean_absolute_percentage_error",
)

#: The four that depend on the error e = ŷ − y only (MSLE and MAPE also depend on y).
ERROR_LOSSES: tuple[str, ...] = REGRESSION_LOSSES[:4]

#: Short names for legends and prints.
SHORT_NAMES: dict[str, str] = {
    "mean_squared_error": "MSE",
    "mean_absolute_error": "MAE",
    "huber": "Huber",
    "log_cosh": "log-cosh",
    "mean_squared_logarithmic_error": "MSLE",
    "mean_absolute_percentage_error": "MAPE",
}

COLOURS: dict[str, str] = {
    "mean_squared_error": PALETTE[0],
    "mean_absolute_error": PALETTE[1],
    "huber": PALETTE[2],
    "log_cosh": PALETTE[5],
    "mean_squared_logarithmic_error": PALETTE[3],
    "mean_absolute_percentage_error": PALETTE[4],
}

#: Range of δ on the sliders.
DELTA_RANGE = (0.1, 3.0)


def _check_name(name: str, allowed: Sequence[str]) -> str:
    if name not in allowed:
        raise ValueError(f"name must be one of {list(allowed)}, got {name!r}.")
    return name


def _delta(delta: float) -> float:
    value = as_finite_float("delta", delta)
    if value <= 0:
        raise ValueError(f"delta must be > 0 (an error size), got {value}.")
    return value


def _gradient(name: str) -> Any:
    """The catalog's analytic gradient of a regression loss (all six have one)."""
    gradient = get(name).grad
    assert gradient is not None, f"{name} has no analytic gradient in the catalog"
    return gradient


def _kwargs(name: str, delta: float) -> dict[str, float]:
    return {"delta": delta} if name == "huber" else {}


# ----------------------------------------------------------------------------- losses of the error


def loss_of_error(name: str, error: Any, delta: float = 1.0) -> np.ndarray:
    r"""Per-element loss of errors ``error`` (:math:`e = \hat y - y`) under loss ``name``.

    .. math:: \ell(e) = L(0, e) \quad \text{(one element, } k = 1\text{)}

    Computed by the catalog's NumPy reference with y = 0, ŷ = e.
    """
    _check_name(name, ERROR_LOSSES)
    errors = as_data_array("error", error, None, "errors e = ŷ − y")
    kwargs = _kwargs(name, _delta(delta))
    values = get(name).numpy(
        np.zeros((errors.size, 1)), errors.reshape(-1, 1), **kwargs
    )
    return np.asarray(values).reshape(errors.shape)


def slope_of_error(name: str, error: Any, delta: float = 1.0) -> np.ndarray:
    r"""Derivative :math:`d\ell/de` of :func:`loss_of_error` (the catalog's analytic gradient).

    .. math:: \frac{d\ell}{de} = \frac{\partial L}{\partial \hat y}(0, e)

    Taught in: 04 §2.
    """
    _check_name(name, ERROR_LOSSES)
    errors = as_data_array("error", error, None, "errors e = ŷ − y")
    kwargs = _kwargs(name, _delta(delta))
    values = _gradient(name)(
        np.zeros((errors.size, 1)), errors.reshape(-1, 1), **kwargs
    )
    return np.asarray(values).reshape(errors.shape)


#: The errors drawn on the x axis of the error figure.
ERROR_RANGE = (-3.0, 3.0)


def plot_error_losses(delta: float = 1.0) -> Figure:
    """MSE, MAE, Huber(δ) and log-cosh as functions of the error (left) and their slopes (right).

    Huber's curves and the dotted lines at e = ±δ move with δ.
    """
    delta = _delta(delta)
    errors = np.linspace(*ERROR_RANGE, 301)
    fig, (loss_ax, slope_ax) = new_figure(2, width=10.0, height=4.2)
    for name in ERROR_LOSSES:
        moving = name == "huber"
        label = gettext("Huber (δ: dotted lines)") if moving else SHORT_NAMES[name]
        width = 3.5 if moving else 2.0
        loss_ax.plot(
            errors,
            loss_of_error(name, errors, delta),
            color=COLOURS[name],
            linewidth=width,
            label=label,
            gid="huber-loss" if moving else None,
        )
        slope_ax.plot(
            errors,
            slope_of_error(name, errors, delta),
            color=COLOURS[name],
            linewidth=width,
            gid="huber-slope" if moving else None,
        )
    for ax in (loss_ax, slope_ax):
        for side in (-1, 1):
            ax.axvline(
                side * delta,
                color=PALETTE[7],
                linestyle=":",
                linewidth=1.2,
                gid=f"delta-{side}-{ax is loss_ax}",
            )
        ax.set_xlim(*ERROR_RANGE)
        ax.set_xlabel(gettext("error e = ŷ − y"))
    loss_ax.set_ylim(-0.2, 4.5)
    slope_ax.set_ylim(-3.3, 3.3)
    loss_ax.set_ylabel(gettext("loss ℓ(e)"))
    slope_ax.set_ylabel(gettext("slope dℓ/de"))
    loss_ax.legend(loc="upper center", fontsize=10)
    fig.suptitle(gettext("four losses of one error; Huber is quadratic inside |e| ≤ δ"))
    return fig


def update_error_losses(fig: Figure, delta: float = 1.0) -> None:
    """Move Huber's curves and the ±δ lines of :func:`plot_error_losses`."""
    delta = _delta(delta)
    errors = np.linspace(*ERROR_RANGE, 301)
    cast(Line2D, artist(fig, "huber-loss")).set_ydata(
        loss_of_error("huber", errors, delta)
    )
    cast(Line2D, artist(fig, "huber-slope")).set_ydata(
        slope_of_error("huber", errors, delta)
    )
    for side in (-1, 1):
        for flag in (True, False):
            line = cast(Line2D, artist(fig, f"delta-{side}-{flag}"))
            line.set_xdata([side * delta, side * delta])


@register_widget
def error_losses_widget() -> LivePlot:
    """Drag Huber's δ and compare its loss and slope with MSE, MAE and log-cosh.

    Taught in: 04 §2.
    """
    return LivePlot(
        plot_error_losses,
        update_error_losses,
        {"delta": float_slider(gettext("Huber δ"), 1.0, *DELTA_RANGE, 0.05)},
        title=gettext(
            "MSE, MAE, Huber and log-cosh of one error, and their slopes (slider: δ)"
        ),
    )


# ----------------------------------------------------------------------------- best constant


#: Halvings of the bracket in :func:`best_constants`.
BISECTIONS = 48


def best_constants(values: Any, name: str, delta: float = 1.0) -> np.ndarray:
    r"""The constant c minimising the mean loss of each row of ``values`` (shape (P, m) or (m,)).

    .. math::

        c^\star = \arg\min_c \frac1m \sum_{i=1}^{m} L(y_i, c)
        \quad\Longleftrightarrow\quad
        \frac1m \sum_{i=1}^{m} \frac{\partial L}{\partial \hat y}(y_i, c^\star) = 0

    The sign of the mean slope is non-decreasing in c for all six losses, so bisection between
    the smallest and the largest value finds where it crosses zero (48 halvings: a 10⁻¹⁴ share of
    the range).
    For MSE that is the mean, for MAE a median (the median itself when m is odd); for MSLE
    :math:`e^{\overline{\ln(1 + y)}} - 1` (targets ≥ 0), for MAPE a median weighted by
    :math:`1/|y_i|` (targets ≠ 0).
    """
    _check_name(name, REGRESSION_LOSSES)
    data = as_data_array("values", values, None, "targets y, shape (m,) or (P, m)")
    if data.ndim not in (1, 2) or data.shape[-1] == 0:
        raise ValueError(
            f"values must have shape (m,) or (P, m) with m >= 1, got {data.shape}."
        )
    rows = np.atleast_2d(data)
    kwargs = _kwargs(name, _delta(delta))
    gradient = _gradient(name)
    low, high = rows.min(axis=1), rows.max(axis=1)
    for _ in range(BISECTIONS):
        middle = 0.5 * (low + high)
        guess = np.broadcast_to(middle[:, None], rows.shape)
        slope = np.sum(gradient(rows, guess, **kwargs), axis=1)
        high = np.where(slope >= 0, middle, high)
        low = np.where(slope <= 0, middle, low)
    result = 0.5 * (low + high)
    return result if data.ndim == 2 else result[:1].reshape(())


def best_constant(values: Any, name: str, delta: float = 1.0) -> float:
    """:func:`best_constants` of one set of values, as a float. Taught in: 04 §5."""
    data = as_data_array("values", values, 1, "targets y, shape (m,)")
    return float(best_constants(data, name, delta))


#: The data of the outlier figure: ten seeded values around 3 (and one outlier to drag).
OUTLIER_BASE: np.ndarray = np.round(np.random.default_rng(1).normal(3.0, 1.0, 10), 2)
OUTLIER_RANGE = (-10.0, 30.0)
ESTIMATORS: tuple[str, ...] = ("mean_squared_error", "mean_absolute_error", "huber")


def outlier_data(outlier: float) -> np.ndarray:
    """The ten base values and the outlier (11 values: MAE's minimiser is the median).

    Taught in: 04 §5.
    """
    return np.append(OUTLIER_BASE, as_finite_float("outlier", outlier))


def _estimates(outlier: float, delta: float) -> dict[str, float]:
    data = outlier_data(outlier)
    return {name: best_constant(data, name, delta) for name in ESTIMATORS}


def _estimate_curves(
    delta: float, names: Sequence[str] = ESTIMATORS
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    positions = np.linspace(*OUTLIER_RANGE, 161)
    rows = np.column_stack([np.tile(OUTLIER_BASE, (len(positions), 1)), positions])
    return positions, {name: best_constants(rows, name, delta) for name in names}


def plot_outlier_estimates(outlier: float = 12.0, delta: float = 1.0) -> Figure:
    """Left: the data and the best constant under MSE, MAE and Huber. Right: each estimate as the
    outlier moves across its whole range (the current position marked)."""
    delta = _delta(delta)
    estimates = _estimates(outlier, delta)
    fig, (data_ax, curve_ax) = new_figure(2, width=10.0, height=4.2)
    data_ax.plot(
        OUTLIER_BASE,
        np.zeros_like(OUTLIER_BASE),
        "o",
        color=PALETTE[7],
        alpha=0.6,
        label=gettext("data"),
    )
    data_ax.plot(
        [outlier], [0.0], "o", color=PALETTE[3], gid="outlier", label=gettext("outlier")
    )
    positions, curves = _estimate_curves(delta)
    for row, name in enumerate(ESTIMATORS):
        colour = COLOURS[name]
        data_ax.axvline(
            estimates[name],
            color=colour,
            linewidth=2.5,
            ymin=0.55 + 0.12 * row,
            ymax=0.65 + 0.12 * row,
            gid=f"estimate-{name}",
        )
        data_ax.plot([], [], color=colour, label=SHORT_NAMES[name])
        curve_ax.plot(
            positions,
            curves[name],
            color=colour,
            label=SHORT_NAMES[name],
            gid=f"curve-{name}" if name == "huber" else None,
        )
        curve_ax.plot(
            [outlier], [estimates[name]], "o", color=colour, gid=f"marker-{name}"
        )
    data_ax.set_xlim(*OUTLIER_RANGE)
    data_ax.set_ylim(-1.0, 1.0)
    data_ax.set_yticks([])
    data_ax.set_xlabel(gettext("value y"))
    data_ax.legend(loc="lower right", fontsize=10, ncol=2)
    curve_ax.set_xlim(*OUTLIER_RANGE)
    curve_ax.set_ylim(0.0, 6.0)
    curve_ax.set_xlabel(gettext("position of the outlier"))
    curve_ax.set_ylabel(gettext("best constant c*"))
    fig.suptitle(
        gettext("the best constant under MSE (the mean), MAE (the median) and Huber")
    )
    return fig


def update_outlier_estimates(fig: Figure, outlier: float, delta: float = 1.0) -> None:
    """Move the outlier, the estimates and (for a new δ) Huber's curve of
    :func:`plot_outlier_estimates`."""
    delta = _delta(delta)
    estimates = _estimates(outlier, delta)
    cast(Line2D, artist(fig, "outlier")).set_xdata([outlier])
    for name in ESTIMATORS:
        cast(Line2D, artist(fig, f"estimate-{name}")).set_xdata(
            [estimates[name], estimates[name]]
        )
        cast(Line2D, artist(fig, f"marker-{name}")).set_data(
            [outlier], [estimates[name]]
        )
    huber_curve = cast(Line2D, artist(fig, "curve-huber"))
    if getattr(fig, "_curve_delta", None) != delta:
        positions, curves = _estimate_curves(delta, ("huber",))
        huber_curve.set_data(positions, curves["huber"])
        fig._curve_delta = delta  # type: ignore[attr-defined]


@register_widget
def outlier_estimates_widget() -> LivePlot:
    """Drag one outlier (and Huber's δ); watch the mean, the median and Huber's estimate.

    Taught in: 04 §5.
    """
    return LivePlot(
        plot_outlier_estimates,
        update_outlier_estimates,
        {
            "outlier": float_slider(gettext("outlier y"), 12.0, *OUTLIER_RANGE, 0.25),
            "delta": float_slider(gettext("Huber δ"), 1.0, *DELTA_RANGE, 0.05),
        },
        title=gettext(
            "best constant under MSE, MAE and Huber as one outlier moves (sliders: outlier, δ)"
        ),
    )


# ----------------------------------------------------------------------------- likelihoods


def gaussian_nll(y_true: Any, y_pred: Any, sigma: float = 1.0) -> np.ndarray:
    r"""−ln of the Gaussian density of y around ŷ, element by element, from the density itself.

    .. math::
        -\ln \frac{1}{\sigma\sqrt{2\pi}} e^{-(y - \hat y)^2 / (2\sigma^2)}
        = \tfrac12 \ln(2\pi\sigma^2) + \frac{(y - \hat y)^2}{2\sigma^2}

    Taught in: 04 §4.
    """
    y, y_hat, scale = _likelihood_inputs(y_true, y_pred, sigma, "sigma")
    density = np.exp(-((y - y_hat) ** 2) / (2 * scale**2)) / (
        scale * math.sqrt(2 * math.pi)
    )
    return -np.log(density)


def laplace_nll(y_true: Any, y_pred: Any, scale: float = 1.0) -> np.ndarray:
    r"""−ln of the Laplace density of y around ŷ with scale b, from the density itself.

    .. math:: -\ln \frac{1}{2b} e^{-|y - \hat y| / b} = \ln(2b) + \frac{|y - \hat y|}{b}

    Taught in: 04 §4.
    """
    y, y_hat, b = _likelihood_inputs(y_true, y_pred, scale, "scale")
    return -np.log(np.exp(-np.abs(y - y_hat) / b) / (2 * b))


def sech_nll(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""−ln of the hyperbolic-secant density :math:`p(y) = \frac{1}{\pi \cosh(y - \hat y)}`.

    .. math:: -\ln p(y) = \ln \pi + \ln\cosh(y - \hat y)

    Taught in: 04 §4.
    """
    y, y_hat, _ = _likelihood_inputs(y_true, y_pred, 1.0, "scale")
    return -np.log(1.0 / (math.pi * np.cosh(y - y_hat)))


def _likelihood_inputs(
    y_true: Any, y_pred: Any, scale: float, name: str
) -> tuple[np.ndarray, np.ndarray, float]:
    y = as_data_array("y_true", y_true, None, "targets")
    y_hat = as_data_array("y_pred", y_pred, None, "predictions (the centre)")
    if y.shape != y_hat.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y.shape} and {y_hat.shape}."
        )
    value = as_finite_float(name, scale)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}.")
    return y, y_hat, value


# ----------------------------------------------------------------------------- robust line fit


@dataclass(frozen=True)
class LineFit:
    """A line ŷ = w x + b fitted under one loss, and its cost after each step."""

    name: str
    w: float
    b: float
    costs: np.ndarray


#: The robust-fitting data: 40 seeded points on y = 2x + 1 with noise, 4 pulled down by 25.
LINE_SEED = 0
TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0


def outlier_line_data(
    seed: int = LINE_SEED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (40,), y (40,) and a mask of the 4 outliers: big-x points pulled down by 25.

    Taught in: 04 §6.
    """
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    x = np.sort(rng.uniform(0.0, 10.0, 40))
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.normal(0.0, 1.0, 40)
    outliers = np.zeros(40, dtype=bool)
    outliers[[-7, -5, -3, -1]] = True
    y[outliers] -= 25.0
    return x, y, outliers


def fit_line(
    x: Any,
    y: Any,
    name: str,
    delta: float = 1.0,
    steps: int = 2000,
    learning_rate: float = 0.1,
) -> LineFit:
    r"""Fit ŷ = w x + b by full-batch gradient descent on the mean loss.

    .. math::
        J(w, b) = \frac1m \sum_i L(y_i, w x_i + b), \quad
        \frac{\partial J}{\partial w} = \frac1m \sum_i \frac{\partial L}{\partial \hat y_i} x_i, \quad
        \frac{\partial J}{\partial b} = \frac1m \sum_i \frac{\partial L}{\partial \hat y_i}

    with the step :math:`\eta_t = \eta / \sqrt{1 + t/50}` shrinking over time, because MAE's slope
    never shrinks near the optimum (a fixed step would keep jumping across it). The inputs are
    centred (:math:`\hat y = w (x - \bar x) + c`, started at w = c = 0, and b = c − w x̄ at the
    end), which changes the path but not the lines. Deterministic: nothing random is involved.
    Taught in: 04 §6.
    """
    _check_name(name, ERROR_LOSSES)
    xs = as_data_array("x", x, 1, "one input per sample, shape (m,)")
    ys = as_data_array("y", y, 1, "one target per sample, shape (m,)")
    if xs.shape != ys.shape or xs.size == 0:
        raise ValueError(
            f"x and y must be non-empty and of the same shape, got {xs.shape} and {ys.shape}."
        )
    count = as_positive_int("steps", steps)
    rate = as_finite_float("learning_rate", learning_rate)
    if rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {rate}.")
    entry, kwargs = get(name), _kwargs(name, _delta(delta))
    gradient = _gradient(name)
    targets = ys[:, None]
    centre = float(np.mean(xs))
    centred = xs - centre  # ŷ = w (x − x̄) + c: the same lines, a rounder cost surface
    w = c = 0.0
    costs = np.empty(count)
    for step in range(count):
        prediction = (w * centred + c)[:, None]
        costs[step] = float(np.mean(entry.numpy(targets, prediction, **kwargs)))
        slope = gradient(targets, prediction, **kwargs)[:, 0] / xs.size
        eta = rate / math.sqrt(1.0 + step / 50.0)
        w -= eta * float(np.sum(slope * centred))
        c -= eta * float(np.sum(slope))
    return LineFit(name, w, c - w * centre, costs)


def cost_gradient(
    x: Any, y: Any, name: str, w: float, b: float, delta: float = 1.0
) -> np.ndarray:
    """(∂J/∂w, ∂J/∂b) of :func:`fit_line`'s cost at (w, b), from the catalog gradient.

    Taught in: 04 §6 (compared there with ``tf.GradientTape`` on the Keras loss).
    """
    _check_name(name, ERROR_LOSSES)
    xs = as_data_array("x", x, 1, "inputs, shape (m,)")
    ys = as_data_array("y", y, 1, "targets, shape (m,)")
    if xs.shape != ys.shape:
        raise ValueError(
            f"x and y must hold one input and one target per sample (the same shape), got "
            f"x {xs.shape} and y {ys.shape}."
        )
    prediction = (as_finite_float("w", w) * xs + as_finite_float("b", b))[:, None]
    slope = _gradient(name)(ys[:, None], prediction, **_kwargs(name, _delta(delta)))
    slope = slope[:, 0] / xs.size
    return np.array([np.sum(slope * xs), np.sum(slope)])


def plot_line_fits(x: Any, y: Any, outliers: Any, fits: Sequence[LineFit]) -> Figure:
    """The data (outliers in vermillion) and one fitted line per loss. Taught in: 04 §6."""
    xs = as_data_array("x", x, 1, "inputs")
    ys = as_data_array("y", y, 1, "targets")
    flags = as_data_array("outliers", outliers, 1, "one True/False per sample")
    if xs.shape != ys.shape or flags.shape != xs.shape:
        raise ValueError(
            f"x, y and outliers must have one entry per sample (one shape), got x {xs.shape}, "
            f"y {ys.shape} and outliers {flags.shape}."
        )
    if not np.all((flags == 0) | (flags == 1)):
        raise ValueError(
            "outliers must hold True/False (or 0/1) flags, one per sample."
        )
    mask = flags.astype(bool)
    fig, (ax,) = new_figure(1, width=8.0, height=4.5)
    ax.plot(
        xs[~mask], ys[~mask], "o", color=PALETTE[7], alpha=0.5, label=gettext("data")
    )
    ax.plot(xs[mask], ys[mask], "X", color=PALETTE[3], label=gettext("outliers"))
    grid = np.array([xs.min(), xs.max()])
    for fit in fits:
        ax.plot(
            grid,
            fit.w * grid + fit.b,
            color=COLOURS[fit.name],
            label=gettext("{name}: slope {slope:.2f}").format(
                name=SHORT_NAMES[fit.name], slope=fit.w
            ),
        )
    ax.plot(
        grid,
        TRUE_SLOPE * grid + TRUE_INTERCEPT,
        ":",
        color=PALETTE[7],
        label=gettext("true line: slope {slope:.0f}").format(slope=TRUE_SLOPE),
    )
    ax.set_xlabel(gettext("input x"))
    ax.set_ylabel(gettext("target y"))
    ax.legend(loc="upper left", fontsize=10)
    ax.set_title(gettext("the same data fitted under four losses"))
    return fig


# ----------------------------------------------------------------------------- MSLE and MAPE


def relative_losses(y_true: float, y_pred: Any) -> dict[str, np.ndarray]:
    """MAE, MSLE and MAPE of predictions ``y_pred`` (each one sample) for one target.

    Taught in: 04 §3.
    """
    target = as_finite_float("y_true", y_true)
    predictions = as_data_array("y_pred", y_pred, None, "predictions").reshape(-1, 1)
    targets = np.full_like(predictions, target)
    return {
        name: np.asarray(get(name).numpy(targets, predictions))
        for name in (
            "mean_absolute_error",
            "mean_squared_logarithmic_error",
            "mean_absolute_percentage_error",
        )
    }


def plot_asymmetry(y_true: float = 10.0) -> Figure:
    """MAPE (left) and MSLE (right) of predictions 0 … 3y for one target y, with the symmetric
    reference scaled to match near ŷ = y (dotted). Taught in: 04 §3."""
    target = as_finite_float("y_true", y_true)
    if target <= 0:
        raise ValueError(f"y_true must be > 0 for this figure, got {target}.")
    predictions = np.linspace(0.0, 3.0 * target, 301)
    losses = relative_losses(target, predictions)
    fig, (mape_ax, msle_ax) = new_figure(2, width=10.0, height=4.2)
    mape_ax.plot(
        predictions,
        losses["mean_absolute_percentage_error"],
        color=COLOURS["mean_absolute_percentage_error"],
        label="MAPE",
    )
    msle_ax.plot(
        predictions,
        losses["mean_squared_logarithmic_error"],
        color=COLOURS["mean_squared_logarithmic_error"],
        label="MSLE",
    )
    symmetric = ((predictions - target) / (target + 1.0)) ** 2
    msle_ax.plot(
        predictions, symmetric, ":", color=PALETTE[7], label="((ŷ − y)/(y + 1))²"
    )
    for ax, name in ((mape_ax, "MAPE (%)"), (msle_ax, "MSLE")):
        ax.axvline(target, color=PALETTE[7], linewidth=1.0)
        ax.set_xlabel(
            gettext("prediction ŷ (target y = {target:g})").format(target=target)
        )
        ax.set_ylabel(name)
        ax.legend(loc="upper center", fontsize=10)
    mape_ax.set_title(gettext("MAPE: at most 100 % below y, no limit above"))
    msle_ax.set_title(gettext("MSLE: steeper below y than above"))
    msle_ax.set_ylim(0.0, 1.2 * float(losses["mean_squared_logarithmic_error"][-1]))
    return fig


def plot_mape_blowup(error: float = 0.5) -> Figure:
    """MAPE of a fixed absolute error as the target y shrinks to 0 (log–log), floored by ε.

    Taught in: 04 §3.
    """
    size = as_finite_float("error", error)
    targets = np.logspace(-9, 2, 221)
    mape = get("mean_absolute_percentage_error").numpy(
        targets[:, None], (targets + size)[:, None]
    )
    fig, (ax,) = new_figure(1, width=8.0, height=4.0)
    ax.loglog(targets, mape, color=COLOURS["mean_absolute_percentage_error"])
    ax.axvline(
        1e-7,
        color=PALETTE[7],
        linestyle=":",
        label=gettext("ε = 10⁻⁷: |y| floored here"),
    )
    ax.set_xlabel(gettext("target y"))
    ax.set_ylabel(gettext("MAPE (%) of ŷ = y + {size:g}").format(size=size))
    ax.set_title(gettext("the same error costs more and more as y → 0"))
    ax.legend(loc="upper right", fontsize=10)
    return fig


# ----------------------------------------------------------------------------- errata


def _rounded(value: Any) -> str:
    array = np.asarray(value, dtype=float)
    text = np.array2string(np.round(array, 4), separator=", ")
    return f"{text}  shape {array.shape}" if array.ndim else text


def _first_sentence(message: str) -> str:
    """The exception's name and the first sentence of its message (TensorFlow's run on)."""
    head, dot, _ = message.partition(". ")
    return head + dot.strip()


def erratum_report(label: str | int) -> str:
    """Run one of the article's mistakes broken, then fixed, and say what each gave.

    Taught in: 04 §1. (Errata 3, 4 and 13 in §1, 5 and 6 in §2.)
    """
    from course_utils.article_errata import get_erratum, run

    erratum = get_erratum(label)
    outcome = run(erratum)
    broken = (
        gettext("raised {error}").format(error=_first_sentence(outcome.broken_error))
        if outcome.broken_error
        else gettext("returned {value}").format(value=_rounded(outcome.broken_value))
    )
    return gettext(
        "Mistake {label}, {title}\n  broken: {broken}\n  fixed:  returned {fixed}"
    ).format(
        label=erratum.label,
        title=gettext(erratum.title),
        broken=broken,
        fixed=_rounded(outcome.fixed_value),
    )
