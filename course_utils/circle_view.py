"""Circle loss seen in the plane of one anchor's two similarities (s_n, s_p).

One anchor with one positive pair (cosine similarity s_p) and one negative pair (s_n). Keras's
Circle loss of that anchor is a softplus of

.. math::
    \\gamma\\,\\big[a_n (s_n - \\mu) - a_p (s_p - (1 - \\mu))\\big],
    \\qquad a_p = \\max(1 + \\mu - s_p, 0),\\quad a_n = \\max(s_n + \\mu, 0),

(Keras writes it with cosine distances d = 1 − s; it is the same expression). Where the
bracket is 0 the loss is ln 2: that set is the decision boundary, and with both weights
positive it is the circle s_n² + (s_p − 1)² = 2μ², centred on the ideal point (0, 1). A loss
that scores s_n − s_p + μ (a triplet-style margin) has a straight boundary instead.

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from course_utils.i18n import gettext
from course_utils.plotting import PALETTE, new_figure
from course_utils.validation import as_finite_array, as_finite_float

__all__ = ["boundary_circle", "circle_pair_loss", "plot_circle_boundary"]


def _gamma_margin(gamma: Any, margin: Any) -> tuple[float, float]:
    gamma = as_finite_float("gamma", gamma)
    margin = as_finite_float("margin", margin)
    if not 1e-3 <= gamma <= 1e3:
        raise ValueError(f"gamma must be in [0.001, 1000] (the scale), got {gamma}.")
    if not 0.0 < margin < 0.5:
        raise ValueError(
            f"margin must be in (0, 0.5) (the relaxation μ), got {margin}."
        )
    return gamma, margin


def _cosines(name: str, value: Any) -> np.ndarray:
    array = as_finite_array(name, value, None, "cosine similarities")
    if np.any(np.abs(array) > 1.0):
        raise ValueError(f"{name} must be cosines in [-1, 1], got {value!r}.")
    return array


def circle_pair_loss(
    positive_similarity: Any,
    negative_similarity: Any,
    gamma: float = 32.0,
    margin: float = 0.25,
) -> np.ndarray:
    r"""Circle loss of an anchor with one positive (s_p) and one negative (s_n); broadcasts.

    .. math::
        L = \operatorname{softplus}\big(\gamma\,[a_n (s_n - \mu) - a_p (s_p - 1 + \mu)]\big)

    Equal to ``keras.losses.circle`` for that anchor (checked in the tests); the colour of
    :func:`plot_circle_boundary`.
    """
    s_p = _cosines("positive_similarity", positive_similarity)
    s_n = _cosines("negative_similarity", negative_similarity)
    gamma, margin = _gamma_margin(gamma, margin)
    a_p = np.maximum(1.0 + margin - s_p, 0.0)
    a_n = np.maximum(s_n + margin, 0.0)
    logit = gamma * (a_n * (s_n - margin) - a_p * (s_p - 1.0 + margin))
    return np.logaddexp(0.0, logit)


def boundary_circle(
    margin: float = 0.25, points: int = 181
) -> tuple[np.ndarray, np.ndarray]:
    """Points (s_n, s_p) of the circle s_n² + (s_p − 1)² = 2μ² with s_p ≤ 1, where L = ln 2
    (for s_n > −μ); the curve of :func:`plot_circle_boundary`."""
    _, margin = _gamma_margin(1.0, margin)
    if (
        isinstance(points, bool)
        or not isinstance(points, (int, np.integer))
        or points < 3
    ):
        raise ValueError(f"points must be an integer of at least 3, got {points!r}.")
    radius = np.sqrt(2.0) * margin
    angle = np.linspace(np.pi, 2.0 * np.pi, int(points))  # the lower half: s_p ≤ 1
    return radius * np.cos(angle), 1.0 + radius * np.sin(angle)


def plot_circle_boundary(gamma: float = 32.0, margin: float = 0.25) -> Figure:
    """One anchor's Circle loss over the plane (s_n, s_p), with its circular boundary.

    Colour: log₁₀ of the loss; solid curve: where the loss is ln 2 (the decision boundary,
    a circle around the ideal point (0, 1)); dashed line: the straight boundary
    s_p − s_n = μ of a margin on the difference s_p − s_n.
    Taught in: 06 §5.
    """
    gamma, margin = _gamma_margin(gamma, margin)
    s_n = np.linspace(-0.5, 1.0, 151)
    s_p = np.linspace(0.0, 1.0, 101)
    grid_n, grid_p = np.meshgrid(s_n, s_p)
    loss = circle_pair_loss(grid_p, grid_n, gamma, margin)
    fig, (ax,) = new_figure(width=7.0, height=5.0)
    image = ax.contourf(
        grid_n, grid_p, np.log10(np.maximum(loss, 1e-6)), levels=20, cmap="viridis"
    )
    image.set_gid("loss-map")
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label(gettext("log₁₀ Circle loss"))
    ax.contour(
        grid_n, grid_p, loss, levels=[np.log(2.0)], colors="white", linewidths=1.0
    )
    circle_n, circle_p = boundary_circle(margin)
    ax.plot(
        circle_n,
        circle_p,
        color=PALETTE[1],
        gid="boundary",
        label=f"s_n² + (s_p − 1)² = 2μ² (L = ln 2), μ = {margin:g}",
    )
    ax.plot(
        s_n,
        s_n + margin,
        color=PALETTE[3],
        ls="--",
        gid="straight",
        label=gettext("s_p − s_n = μ (a straight margin)"),
    )
    ax.plot(
        [0.0],
        [1.0],
        "*",
        color=PALETTE[6],
        ms=14,
        gid="ideal",
        label=gettext("ideal (0, 1)"),
    )
    ax.set(
        xlim=(-0.5, 1.0),
        ylim=(0.0, 1.0),
        xlabel=gettext("similarity of the negative pair s_n"),
        ylabel=gettext("similarity of the positive pair s_p"),
        title=gettext("Circle loss of one anchor, γ = {gamma:g}").format(gamma=gamma),
    )
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize=10)
    return fig
