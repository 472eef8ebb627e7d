"""The loss of a single prediction: squared and absolute error, and their slopes.

The first idea of the course (``00_start_here``): a loss turns one prediction
ŷ and its target y into one number that is small when ŷ is close to y, and its
derivative says which way to move ŷ.

* squared error  L = (ŷ − y)²,  dL/dŷ = 2(ŷ − y)
* absolute error L = |ŷ − y|,   dL/dŷ = sign(ŷ − y)  (0 at ŷ = y, as TensorFlow uses)
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from course_utils._plain import float_or_array
from course_utils.i18n import N_, gettext
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import as_finite_array, as_finite_float
from course_utils.widgets import LivePlot, float_slider, register_widget

#: The range of predictions drawn on the x axis.
PREDICTION_RANGE = (-1.5, 3.0)


def _error(y_true: float | np.ndarray, y_pred: float | np.ndarray) -> np.ndarray:
    """The error ŷ − y, after checking that both are finite numbers (or arrays)."""
    target = as_finite_array("y_true", y_true, None, "the target: a number or an array")
    prediction = as_finite_array(
        "y_pred", y_pred, None, "the prediction: a number or an array"
    )
    return prediction - target


def squared_error(
    y_true: float | np.ndarray, y_pred: float | np.ndarray
) -> float | np.ndarray:
    r"""Squared error of each prediction, no averaging.

    .. math::
        L = (\hat y - y)^2
    """
    return float_or_array(np.square(_error(y_true, y_pred)))


def absolute_error(
    y_true: float | np.ndarray, y_pred: float | np.ndarray
) -> float | np.ndarray:
    r"""Absolute error of each prediction, no averaging.

    .. math::
        L = |\hat y - y|
    """
    return float_or_array(np.abs(_error(y_true, y_pred)))


def squared_error_slope(
    y_true: float | np.ndarray, y_pred: float | np.ndarray
) -> float | np.ndarray:
    r"""Derivative of the squared error with respect to the prediction.

    .. math::
        \frac{\partial L}{\partial \hat y} = 2(\hat y - y)
    """
    return float_or_array(2.0 * (_error(y_true, y_pred)))


def absolute_error_slope(
    y_true: float | np.ndarray, y_pred: float | np.ndarray
) -> float | np.ndarray:
    r"""Derivative of the absolute error with respect to the prediction (the subgradient 0 at ŷ = y).

    .. math::
        \frac{\partial L}{\partial \hat y} = \operatorname{sign}(\hat y - y)
    """
    return float_or_array(np.sign(_error(y_true, y_pred)))


def _summary(y_true: float, y_pred: float) -> str:
    return gettext(
        "y = {y_true:.2f}, ŷ = {y_pred:.2f}:  squared error {squared:.3f},"
        "  absolute error {absolute:.3f}"
    ).format(
        y_true=y_true,
        y_pred=y_pred,
        squared=float(squared_error(y_true, y_pred)),
        absolute=float(absolute_error(y_true, y_pred)),
    )


#: Each curve of :func:`plot_prediction_loss`: its loss, its slope, colour and label.
_CURVES = {
    "squared": (
        squared_error,
        squared_error_slope,
        PALETTE[0],
        N_("squared error $(\\hat y - y)^2$"),
    ),
    "absolute": (
        absolute_error,
        absolute_error_slope,
        PALETTE[1],
        N_("absolute error $|\\hat y - y|$"),
    ),
}


def _draw_losses_panel(ax: Axes, y_true: float, y_pred: float) -> None:
    """Left panel of :func:`plot_prediction_loss`: both losses against ŷ, the prediction marked."""
    grid = np.linspace(*PREDICTION_RANGE, 301)
    for name, (loss, _, colour, label) in _CURVES.items():
        ax.plot(
            grid,
            loss(y_true, grid),
            color=colour,
            label=gettext(label),
            gid=f"{name}-loss",
        )
        ax.plot(
            [y_pred],
            [float(loss(y_true, y_pred))],
            "o",
            color=colour,
            gid=f"{name}-loss-marker",
        )
    ax.axvline(y_true, color=PALETTE[7], linestyle=":", gid="target-True")
    ax.set_xlabel(gettext("prediction $\\hat y$"))
    ax.set_xlim(*PREDICTION_RANGE)
    ax.set_ylim(-0.2, 6.0)
    ax.set_ylabel(gettext("loss $L$"))
    ax.legend(loc="upper center")


def _draw_slopes_panel(ax: Axes, y_true: float, y_pred: float) -> None:
    """Right panel of :func:`plot_prediction_loss`: both slopes against ŷ, the prediction marked."""
    grid = np.linspace(*PREDICTION_RANGE, 301)
    for name, (_, slope, colour, label) in _CURVES.items():
        ax.plot(
            grid,
            slope(y_true, grid),
            color=colour,
            label=gettext(label),
            gid=f"{name}-slope",
        )
        ax.plot(
            [y_pred],
            [float(slope(y_true, y_pred))],
            "o",
            color=colour,
            gid=f"{name}-slope-marker",
        )
    ax.axvline(y_true, color=PALETTE[7], linestyle=":", gid="target-False")
    ax.set_xlabel(gettext("prediction $\\hat y$"))
    ax.set_xlim(*PREDICTION_RANGE)
    ax.set_ylim(-7.0, 7.0)
    ax.set_ylabel(gettext("slope $dL/d\\hat y$"))


def plot_prediction_loss(y_true: float = 1.0, y_pred: float = 0.3) -> Figure:
    """Loss (left) and its slope (right) of one prediction, as functions of ŷ.

    Markers show the current prediction; the dotted line is the target.
    Used in: 00_start_here.
    """
    y_true = as_finite_float("y_true", y_true)
    y_pred = as_finite_float("y_pred", y_pred)
    fig, (loss_ax, slope_ax) = new_figure(2, width=10.0, height=4.2)
    _draw_losses_panel(loss_ax, y_true, y_pred)
    _draw_slopes_panel(slope_ax, y_true, y_pred)
    fig.suptitle(_summary(y_true, y_pred), gid="summary")
    return fig


def update_prediction_loss(fig: Figure, y_true: float, y_pred: float) -> None:
    """Move the curves, markers and title of :func:`plot_prediction_loss` to new values."""
    y_true = as_finite_float("y_true", y_true)
    y_pred = as_finite_float("y_pred", y_pred)
    grid = np.linspace(*PREDICTION_RANGE, 301)
    for name, (loss, slope, _, _) in _CURVES.items():
        artist(fig, f"{name}-loss", Line2D).set_ydata(loss(y_true, grid))
        artist(fig, f"{name}-slope", Line2D).set_ydata(slope(y_true, grid))
        marker = artist(fig, f"{name}-loss-marker", Line2D)
        marker.set_data([y_pred], [float(loss(y_true, y_pred))])
        marker = artist(fig, f"{name}-slope-marker", Line2D)
        marker.set_data([y_pred], [float(slope(y_true, y_pred))])
    for gid in ("target-True", "target-False"):
        artist(fig, gid, Line2D).set_xdata([y_true, y_true])
    artist(fig, "summary", Text).set_text(_summary(y_true, y_pred))


@register_widget
def prediction_loss_widget() -> LivePlot:
    """Drag the prediction ŷ (and the target y) and watch both losses and their slopes."""
    return LivePlot(
        plot_prediction_loss,
        update_prediction_loss,
        {
            "y_true": float_slider(gettext("target y"), 1.0, -1.0, 2.0, 0.05),
            "y_pred": float_slider(
                gettext("prediction ŷ"),
                0.3,
                PREDICTION_RANGE[0],
                PREDICTION_RANGE[1],
                0.05,
            ),
        },
        title=gettext(
            "loss and slope of one prediction (sliders: target y, prediction ŷ)"
        ),
    )
