"""Notebook 06: divergence, similarity and the other losses, as small computations and figures.

Every number here comes from the loss catalog (``course_utils.losses``): the figures call the
catalog's NumPy references, so what the learner drags is the loss Keras computes.

* KL divergence: two distributions on a grid, forward KL(p‖q) and reverse KL(q‖p) (§1);
* Poisson: the negative log-likelihood of a count and its constant ln y! (§2);
* cosine similarity: the angle only, the length only scales the gradient (§3);
* Dice and Tversky on a small mask: overlap, α and β trading misses against extras (§4);
* Circle loss: one anchor, its positive and negative pairs, γ and the margin μ (§5);
* CTC: the paths that collapse to a label, listed and summed by brute force (§6);
* which losses are likelihoods (§7) and the article's out-of-date list of built-ins (§8).

Taught in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course_utils.glyph_text import as_glyph_text
from course_utils.i18n import N_, TextMap, gettext
from course_utils.losses import get
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import (
    as_data_array,
    as_distribution,
    as_finite_float,
    as_positive_int,
    as_unit_interval,
    refuse_ragged,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, BLACK = PALETTE


def _in_range(name: str, value: Any, low: float, high: float, what: str) -> float:
    """``value`` as a float in [low, high], or one error naming the argument."""
    number = as_finite_float(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be in [{low}, {high}] ({what}), got {number}.")
    return number


def _finite_array(name: str, value: Any, what: str) -> np.ndarray:
    """``value`` as a non-empty finite float array, or one error naming the argument
    (text, None, NaN, a ragged list or an empty array)."""
    return as_data_array(name, value, None, what)


def _class_ids(name: str, value: Any) -> tuple[int, ...]:
    """``value`` as a tuple of integer class ids, or one error naming the argument."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"{name} must be a sequence of integer class ids, e.g. (1, 2); got {value!r}."
        )
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"{name} must hold integer class ids, found {item!r}.")
        ids.append(int(item))
    return tuple(ids)


# --------------------------------------------------------------------------------------------
# §1 KL divergence: forward and reverse

#: The support of the two distributions: K = 161 bins on [−6, 6].
KL_GRID = np.linspace(-6.0, 6.0, 161)
#: The means of q tried along the right panel's x axis.
KL_MEANS = np.linspace(-4.0, 4.0, 81)
#: Width of each of p's two modes.
MODE_WIDTH = 0.6


def _normalised_gaussians(means: np.ndarray, width: float) -> np.ndarray:
    """Rows of Gaussian bumps on :data:`KL_GRID`, each normalised to sum to 1."""
    bumps = np.exp(-0.5 * ((KL_GRID[None, :] - means[:, None]) / width) ** 2)
    return bumps / bumps.sum(axis=1, keepdims=True)


def two_mode_distribution(separation: float) -> np.ndarray:
    r"""The target p: two equal modes at ±separation/2, a distribution over the K bins.

    .. math::
        p_k \propto \tfrac12\,\mathcal N(x_k; -s/2, 0.6^2) + \tfrac12\,\mathcal N(x_k; s/2, 0.6^2),
        \quad \sum_k p_k = 1

    Taught in: 06 §1.
    """
    s = _in_range("separation", separation, 0.0, 8.0, "the distance between p's modes")
    mixture = _normalised_gaussians(np.array([-s / 2, s / 2]), MODE_WIDTH).mean(axis=0)
    return mixture / mixture.sum()


def gaussian_distribution(mean: float, width: float) -> np.ndarray:
    r"""The model q: one Gaussian bump of the given mean and width over the K bins (sums to 1).

    .. math:: q_k \propto \exp\left(-\tfrac12 \left((x_k - \text{mean}) / \text{width}\right)^2\right)

    Taught in: 06 §1.
    """
    m = _in_range("mean", mean, -6.0, 6.0, "the centre of q, inside the grid")
    w = _in_range("width", width, 0.2, 6.0, "q's standard deviation")
    return _normalised_gaussians(np.array([m]), w)[0]


def kl_both_ways(p: Any, q: Any) -> tuple[float, float]:
    r"""Forward KL(p‖q) and reverse KL(q‖p), both with the catalog's (Keras's) formula.

    .. math::
        \mathrm{KL}(p \Vert q) = \sum_k \tilde p_k \ln \frac{\tilde p_k}{\tilde q_k},
        \quad \tilde v = \operatorname{clip}(v, \epsilon, 1)

    The forward direction is ``kl_divergence(y_true=p, y_pred=q)``; the reverse swaps them.

    Taught in: 06 §1.
    """
    p_shape = as_data_array("p", p, None, "a distribution").shape
    q_shape = as_data_array("q", q, None, "a distribution").shape
    if p_shape != q_shape:
        raise ValueError(f"p and q must have one shape, got {p_shape} and {q_shape}.")
    p_array = as_distribution("p", p, "a distribution over the K bins")
    q_array = as_distribution("q", q, "a distribution over the K bins")
    kl = get("kl_divergence").numpy
    return float(kl(p_array, q_array)), float(kl(q_array, p_array))


def kl_curves(separation: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Forward and reverse KL for every mean in :data:`KL_MEANS` (q's width fixed)."""
    p = two_mode_distribution(separation)
    w = _in_range("width", width, 0.2, 6.0, "q's standard deviation")
    qs = _normalised_gaussians(KL_MEANS, w)
    ps = np.broadcast_to(p, qs.shape)
    kl = get("kl_divergence").numpy
    return kl(ps, qs), kl(qs, ps)


def best_fits(separation: float) -> dict[str, tuple[float, float, float]]:
    r"""The Gaussian q (mean, width) that minimises each direction, by grid search.

    .. math::
        q_\text{forward} = \arg\min_q \mathrm{KL}(p \Vert q), \qquad
        q_\text{reverse} = \arg\min_q \mathrm{KL}(q \Vert p)

    Returns ``{"forward": (mean, width, kl), "reverse": (mean, width, kl)}``; the grid is
    means −4…4 by 0.1 and widths 0.3…4 by 0.1, and the first minimum found is kept.

    Taught in: 06 §1.
    """
    p = two_mode_distribution(separation)
    widths = np.round(np.arange(0.3, 4.0001, 0.1), 10)
    fits: dict[str, tuple[float, float, float]] = {}
    kl = get("kl_divergence").numpy
    table = {"forward": [], "reverse": []}  # type: dict[str, list[np.ndarray]]
    for width in widths:
        qs = _normalised_gaussians(KL_MEANS, float(width))
        ps = np.broadcast_to(p, qs.shape)
        table["forward"].append(kl(ps, qs))
        table["reverse"].append(kl(qs, ps))
    for direction, rows in table.items():
        values = np.array(rows)  # (widths, means)
        w_index, m_index = np.unravel_index(np.argmin(values), values.shape)
        fits[direction] = (
            float(KL_MEANS[m_index]),
            float(widths[w_index]),
            float(values[w_index, m_index]),
        )
    return fits


KL_LIMIT = 12.0


def plot_kl_directions(
    separation: float = 4.0, mean: float = 0.0, width: float = 1.5
) -> Figure:
    """Left: p and q. Right: KL(p‖q) and KL(q‖p) against q's mean, the current mean marked."""
    p = two_mode_distribution(separation)
    q = gaussian_distribution(mean, width)
    fig, (left, right) = new_figure(2, width=10.0, height=4.2)
    left.plot(
        KL_GRID, p, color=BLUE, gid="p-line", label=gettext("target p (two modes)")
    )
    left.plot(
        KL_GRID, q, color=ORANGE, gid="q-line", label=gettext("model q (one Gaussian)")
    )
    left.set(xlim=(-6, 6), ylim=(0, 0.1), xlabel=gettext("x (bin centre)"))
    left.set_ylabel(gettext("probability of the bin"))
    left.legend(loc="upper left", fontsize=10)
    left.text(
        0.98, 0.97, "", transform=left.transAxes, ha="right", va="top", gid="kl-text"
    )
    forward, reverse = kl_curves(separation, width)
    right.plot(
        KL_MEANS,
        forward,
        color=BLUE,
        gid="forward-curve",
        label=gettext("forward KL(p‖q)"),
    )
    right.plot(
        KL_MEANS,
        reverse,
        color=VERMILLION,
        gid="reverse-curve",
        label=gettext("reverse KL(q‖p)"),
    )
    right.plot([mean], [0.0], "o", color=BLUE, gid="forward-marker")
    right.plot([mean], [0.0], "s", color=VERMILLION, gid="reverse-marker")
    right.set(
        xlim=(-4, 4),
        ylim=(0, KL_LIMIT),
        xlabel=gettext("mean of q"),
        ylabel=gettext("KL (nats)"),
    )
    right.set_title(gettext("KL against q's mean (q's width fixed)"))
    right.legend(loc="upper center", fontsize=10)
    update_kl_directions(fig, separation, mean, width)
    return fig


def update_kl_directions(
    fig: Figure, separation: float, mean: float, width: float
) -> None:
    """Move p, q, both curves and both markers to new slider values."""
    p = two_mode_distribution(separation)
    q = gaussian_distribution(mean, width)
    artist(fig, "p-line").set_ydata(p)  # type: ignore[attr-defined]
    artist(fig, "q-line").set_ydata(q)  # type: ignore[attr-defined]
    forward, reverse = kl_curves(separation, width)
    artist(fig, "forward-curve").set_ydata(np.minimum(forward, KL_LIMIT))  # type: ignore[attr-defined]
    artist(fig, "reverse-curve").set_ydata(np.minimum(reverse, KL_LIMIT))  # type: ignore[attr-defined]
    now_forward, now_reverse = kl_both_ways(p, q)
    artist(fig, "forward-marker").set_data([mean], [min(now_forward, KL_LIMIT)])  # type: ignore[attr-defined]
    artist(fig, "reverse-marker").set_data([mean], [min(now_reverse, KL_LIMIT)])  # type: ignore[attr-defined]
    artist(fig, "kl-text").set_text(  # type: ignore[attr-defined]
        f"KL(p‖q) = {now_forward:.2f}\nKL(q‖p) = {now_reverse:.2f}"
    )


@register_widget
def kl_directions_widget() -> LivePlot:
    """Reshape p (its modes' separation) and q (mean, width); watch both KL directions.

    Taught in: 06 §1.
    """
    return LivePlot(
        plot_kl_directions,
        update_kl_directions,
        {
            "separation": float_slider(
                gettext("p: separation of modes"), 4.0, 0.0, 6.0, 0.1
            ),
            "mean": float_slider(gettext("q: mean"), 0.0, -4.0, 4.0, 0.1),
            "width": float_slider(gettext("q: width"), 1.5, 0.3, 4.0, 0.05),
        },
        title=gettext(
            "forward vs reverse KL (sliders: p's separation, q's mean and width)"
        ),
    )


def entropy(p: Any) -> np.ndarray:
    r"""Entropy of distributions along the last axis, in nats.

    .. math:: H(p) = -\sum_{k=1}^{K} p_k \ln p_k \quad (0 \ln 0 = 0)

    Taught in: 06 §1.
    """
    probs = as_distribution("p", p, "a distribution: probabilities >= 0 summing to 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(
            probs > 0, probs * np.log(np.where(probs > 0, probs, 1.0)), 0.0
        )
    return -np.sum(terms, axis=-1)


# --------------------------------------------------------------------------------------------
# §2 Poisson: a count's negative log-likelihood


def log_factorial(counts: Any) -> np.ndarray:
    r"""ln y! for counts y ≥ 0, as ln Γ(y + 1).

    .. math:: \ln y! = \ln \Gamma(y + 1)

    Taught in: 06 §2.
    """
    y = _finite_array("counts", counts, "observed counts")
    if np.any(y < 0):
        raise ValueError("counts must be finite numbers >= 0 (observed counts).")
    return np.vectorize(math.lgamma, otypes=[float])(y + 1.0)


def poisson_nll(counts: Any, rate: Any) -> np.ndarray:
    r"""Mean negative log-likelihood of counts y under Poisson rates λ, over the last axis.

    .. math::
        -\ln P(y \mid \lambda) = \lambda - y \ln \lambda + \ln y!, \qquad
        \text{NLL} = \frac1K \sum_{k=1}^{K} \left(\lambda_k - y_k \ln \lambda_k + \ln y_k!\right)

    Taught in: 06 §2.
    """
    y = _finite_array("counts", counts, "observed counts")
    lam = _finite_array("rate", rate, "Poisson rates λ")
    if y.shape != lam.shape:
        raise ValueError(
            f"counts and rate must have one shape, got {y.shape} and {lam.shape}."
        )
    if np.any(lam <= 0):
        raise ValueError("rate must be > 0 (a Poisson rate λ).")
    return np.mean(lam - y * np.log(lam) + log_factorial(y), axis=-1)


# --------------------------------------------------------------------------------------------
# §3 cosine similarity: the angle only

COSINE_TARGET = np.array([1.5, 0.0])
ANGLES = np.linspace(0.0, 180.0, 181)
GRADIENT_LIMIT = 3.0


def cosine_view(angle: float, length: float) -> dict[str, Any]:
    r"""The prediction ŷ at ``angle`` degrees from the target y = (1.5, 0) with ``length`` ‖ŷ‖.

    Returns ŷ, the catalog's loss and gradient there:

    .. math::
        L = -\cos\theta, \qquad
        \left\lVert \frac{\partial L}{\partial \hat y} \right\rVert = \frac{\sin\theta}{\lVert \hat y \rVert}

    (for ‖ŷ‖ > ε; a zero ŷ gives L = 0). Taught in: 06 §3.
    """
    theta = np.radians(_in_range("angle", angle, 0.0, 180.0, "degrees between y and ŷ"))
    size = _in_range("length", length, 0.0, 10.0, "the length of ŷ")
    y_pred = size * np.array([np.cos(theta), np.sin(theta)])
    entry = get("cosine_similarity")
    return {
        "y_pred": y_pred,
        "loss": float(entry.numpy(COSINE_TARGET, y_pred)) + 0.0,  # no "-0.000"
        "gradient": np.asarray(entry.grad(COSINE_TARGET, y_pred)),  # type: ignore[misc]
    }


def plot_cosine(angle: float = 60.0, length: float = 1.0) -> Figure:
    """Left: y, ŷ and the descent direction −∂L/∂ŷ. Right: loss and gradient size against the angle."""
    fig, (left, right) = new_figure(2, width=9.5, height=4.0)
    left.plot(
        [0, COSINE_TARGET[0]],
        [0, COSINE_TARGET[1]],
        color=BLUE,
        marker="o",
        label=gettext("target y"),
    )
    left.plot(
        [],
        [],
        color=ORANGE,
        marker="o",
        gid="pred-vector",
        label=gettext("prediction ŷ"),
    )
    left.plot(
        [],
        [],
        color=GREEN,
        ls="--",
        gid="step-vector",
        label=gettext("−∂L/∂ŷ (descent)"),
    )
    left.set(
        xlim=(-3, 3),
        ylim=(-0.5, 3.2),
        xlabel=gettext("component 1"),
        ylabel=gettext("component 2"),
    )
    left.set_aspect("equal")
    left.legend(loc="upper left", fontsize=10)
    left.text(0.98, 0.03, "", transform=left.transAxes, ha="right", gid="cosine-text")
    right.plot(
        ANGLES,
        -np.cos(np.radians(ANGLES)),
        color=BLUE,
        label=gettext("loss −cos θ (any length)"),
    )
    right.plot(
        [],
        [],
        color=GREEN,
        ls="--",
        gid="gradient-curve",
        label=gettext("‖∂L/∂ŷ‖ at this length"),
    )
    right.plot([], [], "o", color=BLUE, gid="loss-marker")
    right.set(
        xlim=(0, 180),
        ylim=(-1.1, GRADIENT_LIMIT),
        xlabel=gettext("angle θ between y and ŷ (degrees)"),
    )
    right.set_ylabel(gettext("loss / gradient size"))
    right.legend(loc="upper left", fontsize=10)
    update_cosine(fig, angle, length)
    return fig


def update_cosine(fig: Figure, angle: float, length: float) -> None:
    """Move ŷ, the descent arrow, the gradient curve and the marker."""
    view = cosine_view(angle, length)
    y_pred, step = view["y_pred"], -view["gradient"]
    artist(fig, "pred-vector").set_data([0, y_pred[0]], [0, y_pred[1]])  # type: ignore[attr-defined]
    tip = y_pred + np.clip(step, -GRADIENT_LIMIT, GRADIENT_LIMIT)
    artist(fig, "step-vector").set_data([y_pred[0], tip[0]], [y_pred[1], tip[1]])  # type: ignore[attr-defined]
    sizes = (
        np.sin(np.radians(ANGLES)) / length
        if length > 1e-7
        else np.full_like(ANGLES, np.inf)
    )
    artist(fig, "gradient-curve").set_data(ANGLES, np.minimum(sizes, GRADIENT_LIMIT))  # type: ignore[attr-defined]
    artist(fig, "loss-marker").set_data([angle], [view["loss"]])  # type: ignore[attr-defined]
    artist(fig, "cosine-text").set_text(  # type: ignore[attr-defined]
        f"L = {view['loss']:+.3f}   ‖∂L/∂ŷ‖ = {np.linalg.norm(view['gradient']):.3g}"
    )


@register_widget
def cosine_widget() -> LivePlot:
    """Turn ŷ (angle) and stretch it (length): the loss follows the angle only.

    Taught in: 06 §3.
    """
    return LivePlot(
        plot_cosine,
        update_cosine,
        {
            "angle": float_slider(
                gettext("angle θ (degrees)"), 60.0, 0.0, 180.0, 1.0, ".0f"
            ),
            "length": float_slider(gettext("length ‖ŷ‖"), 1.0, 0.0, 3.0, 0.05),
        },
        title=gettext("cosine similarity loss (sliders: angle and length of ŷ)"),
    )


# --------------------------------------------------------------------------------------------
# §4 Dice and Tversky on a small mask

MASK_SIZE = 16
TRUE_RADIUS = 4.0
#: The prediction's centre is off by this much (rows, columns): some misses and extras at every size.
PREDICTION_SHIFT = (1.0, 1.5)
RADII = np.linspace(0.5, 8.0, 76)


def _distance_from(centre: tuple[float, float]) -> np.ndarray:
    rows, cols = np.mgrid[0:MASK_SIZE, 0:MASK_SIZE]
    return np.hypot(rows - centre[0], cols - centre[1])


def true_mask() -> np.ndarray:
    """The target: a disk of radius 4 in a 16 × 16 image (1 inside, 0 outside). Taught in: 06 §4."""
    centre = ((MASK_SIZE - 1) / 2, (MASK_SIZE - 1) / 2)
    return (_distance_from(centre) <= TRUE_RADIUS).astype(float)


def predicted_mask(radius: float) -> np.ndarray:
    r"""A soft predicted disk of the given radius, shifted from the target's centre.

    .. math:: \hat y_{rc} = \sigma\left(2\,(r - \lVert (r, c) - \text{centre} \rVert)\right)

    Taught in: 06 §4.
    """
    r = _in_range("radius", radius, 0.0, 10.0, "pixels")
    centre = (
        (MASK_SIZE - 1) / 2 + PREDICTION_SHIFT[0],
        (MASK_SIZE - 1) / 2 + PREDICTION_SHIFT[1],
    )
    return 1.0 / (1.0 + np.exp(-2.0 * (r - _distance_from(centre))))


def overlap_sums(y_true: Any, y_pred: Any) -> dict[str, float]:
    r"""The soft counts the overlap losses are made of.

    .. math::
        TP = \sum y \hat y, \quad FN = \sum y (1 - \hat y), \quad FP = \sum \hat y (1 - y)

    Taught in: 06 §4.
    """
    y = as_unit_interval("y_true", y_true, 2, "a binary mask (0/1 per pixel)")
    p = as_unit_interval("y_pred", y_pred, 2, "a mask of probabilities")
    if y.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must have one shape, got {y.shape} and {p.shape}."
        )
    return {
        "TP": float(np.sum(y * p)),
        "FN": float(np.sum(y * (1 - p))),
        "FP": float(np.sum(p * (1 - y))),
    }


def tversky_by_radius(alpha: float, beta: float) -> np.ndarray:
    """The catalog's Tversky loss of :func:`predicted_mask` for every radius in :data:`RADII`.

    Taught in: 06 §4.
    """
    a = _in_range("alpha", alpha, 0.0, 1.0, "weight on missed object pixels, FN")
    b = _in_range("beta", beta, 0.0, 1.0, "weight on extra pixels, FP")
    targets, predictions = _radius_sweep()
    return np.asarray(
        get("tversky").numpy(targets, predictions, alpha=a, beta=b, axis=(1, 2))
    )


@functools.cache
def _radius_sweep() -> tuple[np.ndarray, np.ndarray]:
    """The target repeated and the prediction at every radius of :data:`RADII` (computed once)."""
    predictions = np.stack([predicted_mask(float(r)) for r in RADII])
    return np.broadcast_to(true_mask(), predictions.shape), predictions


def _mask_colours(radius: float) -> np.ndarray:
    """RGBA bytes: TP green, FN vermillion, FP sky blue, TN white (prediction thresholded at 0.5).

    Bytes rather than floats: matplotlib resamples them as they are on each frame (the same
    pixels, cheaper). Kept per radius, read-only.
    """
    return _mask_colours_at(_in_range("radius", radius, 0.0, 10.0, "pixels"))


@functools.lru_cache(maxsize=128)
def _mask_colours_at(radius: float) -> np.ndarray:
    truth = true_mask() > 0.5
    hit = _overlap_at(radius)[0] > 0.5
    image = np.full((MASK_SIZE, MASK_SIZE, 4), 255, np.uint8)
    for where, colour in (
        (truth & hit, GREEN),
        (truth & ~hit, VERMILLION),
        (~truth & hit, SKY),
    ):
        image[where, :3] = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    image.flags.writeable = False
    return image


@functools.lru_cache(maxsize=128)
def _overlap_at(radius: float) -> tuple[np.ndarray, dict[str, float]]:
    """The prediction at ``radius`` and its soft counts (kept: a slider returns to its values)."""
    prediction = predicted_mask(radius)
    prediction.flags.writeable = False
    return prediction, overlap_sums(true_mask(), prediction)


@functools.lru_cache(maxsize=128)
def _tversky_curve(alpha: float, beta: float) -> tuple[np.ndarray, int]:
    """:func:`tversky_by_radius` and the index of its minimum (kept per (α, β), read-only)."""
    curve = tversky_by_radius(alpha, beta)
    curve.flags.writeable = False
    return curve, int(np.argmin(curve))


def plot_overlap(alpha: float = 0.5, beta: float = 0.5, radius: float = 3.0) -> Figure:
    """Left: the mask, TP/FN/FP coloured (ŷ > 0.5). Right: Tversky(α, β) and Dice against the predicted radius."""
    fig, (left, right) = new_figure(2, width=8.4, height=3.7)
    left.imshow(_mask_colours(radius), interpolation="nearest", gid="mask-image")
    left.set(xticks=[], yticks=[], title=gettext("green TP · vermillion FN · blue FP"))
    dice = get("dice").numpy(*_radius_sweep(), axis=(1, 2))
    right.plot(RADII, dice, color=BLACK, ls=":", label=gettext("Dice (α = β = 0.5)"))
    right.plot([], [], color=BLUE, gid="tversky-curve", label=gettext("Tversky(α, β)"))
    right.plot([], [], "o", color=BLUE, gid="tversky-marker")
    right.plot(
        [], [], "v", color=VERMILLION, gid="best-marker", label=gettext("its minimum")
    )
    right.axvline(TRUE_RADIUS, color=GREEN, lw=1, label=gettext("true radius"))
    right.set(
        xlim=(0.5, 8),
        ylim=(0, 1.02),
        xlabel=gettext("predicted radius (pixels)"),
        ylabel=gettext("loss"),
    )
    right.legend(loc="upper right", fontsize=10)
    # the numbers change on every frame: drawn from cached glyph images (GlyphText)
    as_glyph_text(
        right.text(
            0.03, 0.04, "", transform=right.transAxes, fontsize=11, gid="overlap-text"
        )
    )
    update_overlap(fig, alpha, beta, radius)
    return fig


def update_overlap(fig: Figure, alpha: float, beta: float, radius: float) -> None:
    """Recolour the mask and move the Tversky curve, its marker and its minimum.

    The curve and its minimum are set only when α or β moved: a radius step leaves them as they
    are, so the frame redraws only the marker, the mask and the numbers.
    """
    curve, best = _tversky_curve(
        _in_range("alpha", alpha, 0.0, 1.0, "weight on missed object pixels, FN"),
        _in_range("beta", beta, 0.0, 1.0, "weight on extra pixels, FP"),
    )
    radius = _in_range("radius", radius, 0.0, 10.0, "pixels")
    prediction, sums = _overlap_at(radius)
    artist(fig, "mask-image").set_data(_mask_colours_at(radius))  # type: ignore[attr-defined]
    tversky_curve = artist(fig, "tversky-curve", Line2D)
    if not np.array_equal(np.asarray(tversky_curve.get_ydata()), curve):
        tversky_curve.set_data(RADII, curve)
        artist(fig, "best-marker", Line2D).set_data([RADII[best]], [curve[best]])
    loss = float(get("tversky").numpy(true_mask(), prediction, alpha=alpha, beta=beta))
    artist(fig, "tversky-marker").set_data([radius], [loss])  # type: ignore[attr-defined]
    artist(fig, "overlap-text").set_text(  # type: ignore[attr-defined]
        gettext(
            "TP {tp:.1f}  FN {fn:.1f}  FP {fp:.1f}\nTversky {loss:.3f}; best radius {best:.1f}"
        ).format(
            tp=sums["TP"], fn=sums["FN"], fp=sums["FP"], loss=loss, best=RADII[best]
        )
    )


@register_widget
def overlap_widget() -> LivePlot:
    """α weighs missed object pixels (FN), β extra pixels (FP); the radius grows the prediction.

    Taught in: 06 §4.
    """
    return LivePlot(
        plot_overlap,
        update_overlap,
        {
            "alpha": float_slider(gettext("α (FN weight)"), 0.5, 0.0, 1.0, 0.05),
            "beta": float_slider(gettext("β (FP weight)"), 0.5, 0.0, 1.0, 0.05),
            "radius": float_slider(gettext("predicted radius"), 3.0, 0.5, 8.0, 0.1),
        },
        title=gettext(
            "Dice and Tversky on a 16x16 mask (sliders: alpha, beta, predicted radius)"
        ),
    )


# --------------------------------------------------------------------------------------------
# §5 Circle loss: one anchor, one positive, one negative

SIMILARITIES = np.linspace(-1.0, 1.0, 101)
NEGATIVE_SIMILARITIES = (-0.2, 0.3, 0.6)


def circle_anchor_loss(
    positive_similarity: Any, negative_similarity: float, gamma: float, margin: float
) -> np.ndarray:
    r"""Circle loss of one anchor e with one positive (similarity s_p) and one negative (s_n).

    The anchor is e = (s_p, s_n) against references r_p = (1, 0) (same label) and r_n = (0, 1)
    (other label), so ⟨e, r_p⟩ = s_p and ⟨e, r_n⟩ = s_n; the catalog's Circle loss then gives

    .. math::
        L = \operatorname{softplus}\left(-\gamma\, a_p (\mu - d_p) + \gamma\, a_n (1 - \mu - d_n)\right),
        \quad d = \max(1 - s, 0)

    Taught in: 06 §5.
    """
    s_p = np.atleast_1d(
        _finite_array("positive_similarity", positive_similarity, "cosines")
    )
    if s_p.ndim != 1 or np.any(np.abs(s_p) > 1):
        raise ValueError(
            f"positive_similarity must be cosines in [-1, 1], got {s_p!r}."
        )
    s_n = _in_range("negative_similarity", negative_similarity, -1.0, 1.0, "a cosine")
    gamma = _in_range("gamma", gamma, 1e-3, 1e3, "the scale of the pair weights")
    margin = _in_range("margin", margin, 0.0, 1.0, "the relaxation μ")
    anchors = np.stack([s_p, np.full_like(s_p, s_n)], axis=1)
    return np.asarray(
        get("circle").numpy(
            np.zeros(len(s_p), dtype=int),
            anchors,
            ref_labels=np.array([0, 1]),
            ref_embeddings=np.eye(2),
            remove_diagonal=False,
            gamma=gamma,
            margin=margin,
        )
    )


def plot_circle(gamma: float = 32.0, margin: float = 0.25) -> Figure:
    """Circle loss of an anchor against its positive similarity s_p, for three negatives."""
    fig, (ax,) = new_figure(width=8.0, height=4.0)
    for s_n, colour in zip(
        NEGATIVE_SIMILARITIES, (BLUE, ORANGE, VERMILLION), strict=True
    ):
        ax.plot(
            [],
            [],
            color=colour,
            gid=f"circle-{s_n}",
            label=gettext("negative pair s_n = {s_n}").format(s_n=s_n),
        )
    ax.axvline(
        0.6, color=GREEN, lw=1.5, ls="--", gid="positive-goal", label="s_p = 1 − μ"
    )
    ax.set_yscale("log")
    ax.set(
        xlim=(-1, 1),
        ylim=(1e-4, 3e2),
        xlabel=gettext("similarity of the positive pair s_p"),
    )
    ax.set_ylabel(gettext("Circle loss (log scale)"))
    ax.legend(loc="lower left", fontsize=10)
    update_circle(fig, gamma, margin)
    return fig


def update_circle(fig: Figure, gamma: float, margin: float) -> None:
    """Recompute the three curves and move the goal line to 1 − μ."""
    for s_n in NEGATIVE_SIMILARITIES:
        loss = circle_anchor_loss(SIMILARITIES, s_n, gamma, margin)
        artist(fig, f"circle-{s_n}").set_data(SIMILARITIES, np.maximum(loss, 1e-4))  # type: ignore[attr-defined]
    artist(fig, "positive-goal").set_xdata([1 - margin, 1 - margin])  # type: ignore[attr-defined]


@register_widget
def circle_widget() -> LivePlot:
    """γ sharpens the loss; the margin μ moves where a positive pair stops costing.

    Taught in: 06 §5.
    """
    return LivePlot(
        plot_circle,
        update_circle,
        {
            "gamma": float_slider(gettext("γ (scale)"), 32.0, 1.0, 128.0, 1.0, ".0f"),
            "margin": float_slider(gettext("μ (margin)"), 0.25, 0.0, 0.5, 0.01),
        },
        title=gettext("Circle loss of one anchor (sliders: gamma, margin)"),
    )


# --------------------------------------------------------------------------------------------
# §6 CTC by brute force

#: More paths than this are not listed (the brute force is for tiny examples).
MAX_PATHS = 200_000


def collapse(path: Any, blank: int = 0) -> tuple[int, ...]:
    r"""CTC's many-to-one map :math:`\mathcal B`: merge repeated symbols, then drop blanks.

    .. math:: \mathcal B(a\,a\,\varnothing\,b\,b) = \mathcal B(a\,\varnothing\,b) = (a, b),
        \quad \mathcal B(a\,\varnothing\,a) = (a, a)

    """
    symbols = _class_ids("path", path)
    if isinstance(blank, bool) or not isinstance(blank, (int, np.integer)):
        raise TypeError(
            f"blank must be the integer id of the blank symbol, got {blank!r}."
        )
    merged = [
        symbol
        for index, symbol in enumerate(symbols)
        if index == 0 or symbol != symbols[index - 1]
    ]
    return tuple(symbol for symbol in merged if symbol != blank)


def keras_label(y_row: Any) -> tuple[int, ...]:
    r"""The label Keras's CTC reads from one padded row: the first n entries, n = number of non-zeros.

    .. math:: l = (y_1, \dots, y_n), \quad n = \#\{j : y_j \ne 0\}

    Taught in: 06 §6.
    """
    refuse_ragged("y_row", y_row)
    row = np.asarray(y_row)
    if row.ndim != 1 or not np.issubdtype(row.dtype, np.integer):
        raise ValueError(
            f"y_row must be a 1-D array of integer class ids, got {row.dtype} {row.shape}."
        )
    return tuple(int(v) for v in row[: np.count_nonzero(row)])


def ctc_paths(label: Any, steps: int, num_classes: int) -> list[tuple[int, ...]]:
    r"""Every path of ``steps`` frames over ``num_classes`` classes that collapses to ``label``.

    .. math:: \mathcal B^{-1}(l) = \{\pi \in \{0, \dots, K-1\}^T : \mathcal B(\pi) = l\}

    """
    t = as_positive_int("steps", steps)
    k = as_positive_int("num_classes", num_classes)
    if k**t > MAX_PATHS:
        raise ValueError(
            f"K**T = {k}**{t} paths is too many to list; keep it under {MAX_PATHS}."
        )
    target = _class_ids("label", label)
    if any(not 0 < v < k for v in target):
        raise ValueError(
            f"label must hold class ids in [1, {k - 1}] (0 is the blank), got {target}."
        )
    return [
        path
        for path in itertools.product(range(k), repeat=t)
        if collapse(path) == target
    ]


def ctc_brute_force(
    label: Any, logits: Any
) -> tuple[float, list[tuple[int, ...]], np.ndarray]:
    r"""CTC loss by listing every path: −ln of the sum of the paths' probabilities.

    .. math::
        L = -\ln \sum_{\pi \in \mathcal B^{-1}(l)} \prod_{t=1}^{T} \operatorname{softmax}(z_t)_{\pi_t}

    ``logits`` is (T, K). Returns (loss, paths, each path's probability).

    Taught in: 06 §6.
    """
    z = as_data_array("logits", logits, 2, "frame scores of shape (T, K)")
    probs = np.exp(z - z.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    paths = ctc_paths(label, z.shape[0], z.shape[1])
    path_probs = np.array([np.prod(probs[np.arange(len(p)), p]) for p in paths])
    return float(-np.log(path_probs.sum())), paths, path_probs


def plot_ctc_paths(label: Any, logits: Any, symbols: str = "∅ab") -> Figure:
    """Each path that collapses to ``label`` as a row of frames, and its probability as a bar.

    Taught in: 06 §6.
    """
    _, paths, path_probs = ctc_brute_force(label, logits)
    fig, (grid, bars) = new_figure(2, width=11.0, height=0.35 * len(paths) + 1.6)
    colours = [SKY, ORANGE, GREEN, PURPLE, YELLOW]
    for row, path in enumerate(paths):
        for frame, symbol in enumerate(path):
            grid.add_patch(_cell(frame, row, colours[symbol % len(colours)]))
            grid.text(frame + 0.5, row + 0.5, symbols[symbol], ha="center", va="center")
    grid.set(
        xlim=(0, len(paths[0])),
        ylim=(len(paths), 0),
        xlabel=gettext("frame t"),
        yticks=[],
    )
    grid.set_xticks(
        np.arange(len(paths[0])) + 0.5, [str(t + 1) for t in range(len(paths[0]))]
    )
    grid.set_title(
        gettext("{count} paths collapse to “{label}”").format(
            count=len(paths), label="".join(symbols[s] for s in label)
        )
    )
    bars.barh(np.arange(len(paths)) + 0.5, path_probs, height=0.7, color=BLUE)
    bars.set(ylim=(len(paths), 0), yticks=[], xlabel=gettext("probability of the path"))
    bars.set_title(gettext("sum = {total:.4f}").format(total=path_probs.sum()))
    return fig


def _cell(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", alpha=0.8)


# --------------------------------------------------------------------------------------------
# §7 likelihoods and what the others optimise

#: Each of notebook 06's losses: the distribution it is the negative log-likelihood of, or what it
#: optimises instead (notebook 06 §7 prints the longer table of course_utils.likelihood_view).
LIKELIHOOD_VIEW: Mapping[str, str] = TextMap(
    {
        "poisson": N_(
            "likelihood: Poisson NLL of a count, minus the constant mean ln y!"
        ),
        "kl_divergence": N_(
            "likelihood up to a constant: CE(y, ŷ) − H(y), the categorical NLL minus H(y)"
        ),
        "cosine_similarity": N_(
            "likelihood up to a constant: von Mises–Fisher NLL with κ = 1 (−cos θ)"
        ),
        "dice": N_(
            "not a likelihood: overlap 2·TP / (2·TP + FN + FP), a set similarity"
        ),
        "tversky": N_(
            "not a likelihood: overlap TP / (TP + α·FN + β·FP), errors weighted"
        ),
        "circle": N_(
            "not a likelihood: pair similarities pushed past 1 − μ (same) and μ (other)"
        ),
        "ctc": N_("likelihood: −ln P(label | frames), summed over every alignment"),
    }
)


# --------------------------------------------------------------------------------------------
# §8 erratum 15: the article's list of built-in losses

#: The loss classes the source article lists as tf.keras.losses's built-ins (its 14 names).
ARTICLE_BUILT_INS: tuple[str, ...] = (
    "KLDivergence",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "SparseCategoricalCrossentropy",
    "CategoricalHinge",
    "Hinge",
    "CosineSimilarity",
    "LogCosh",
    "Huber",
    "Poisson",
)


def keras_loss_classes() -> list[str]:
    """The loss classes of the installed Keras, read from ``keras.losses`` at run time (sorted).

    Every class there that subclasses ``keras.losses.Loss``, the base class itself left out.
    Taught in: 06 §8.
    """
    import inspect

    import keras

    return sorted(
        name
        for name, value in vars(keras.losses).items()
        if inspect.isclass(value)
        and issubclass(value, keras.losses.Loss)
        and value is not keras.losses.Loss
    )


def missing_from_article() -> list[str]:
    """Loss classes the installed Keras has that the article's list leaves out. Taught in: 06 §8."""
    return [name for name in keras_loss_classes() if name not in ARTICLE_BUILT_INS]
