r"""Helpers, figures and the focal-loss widget of notebook 05 (classification losses).

The losses themselves live in the catalog (:mod:`course_utils.losses.classification`); this module
holds what the lesson needs around them: the logit gradients of cross-entropy and of the squared
error through a sigmoid, the cost of clipping, the renormalised-sigmoid mistake, the focal weight,
a small noisy-label experiment for the generalized cross-entropy, and the hinge family over the
margin. Notation (CONTRIBUTING.md): target :math:`y`, logit :math:`z`, probability
:math:`p = \sigma(z)` or :math:`\operatorname{softmax}(z)`, :math:`K` classes.

Importing this module does not import TensorFlow.

Taught in: 05 (sections named on each helper).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from course_utils.i18n import gettext
from course_utils.losses._arrays import EPSILON, align_ranks, shape_mismatch
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import (
    as_data_array,
    as_finite_array,
    as_finite_float,
    as_positive_int,
    as_unit_interval,
    refuse_ragged,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

# ----------------------------------------------------------------------------- small pieces


def _sigmoid(z: Any) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=-1, keepdims=True)


def _as_class_ids(labels: Any, shape: tuple[int, int]) -> np.ndarray:
    """labels as m integer class ids in [0, K) for logits of shape (m, K)."""
    ids = as_data_array("labels", labels, 1, "one integer class id per row")
    if len(ids) != shape[0] or not np.all(ids == np.round(ids)):
        raise ValueError(
            f"labels must be {shape[0]} integer class ids, got {ids[:5].tolist()}…"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= shape[1]):
        raise ValueError(
            f"labels must lie in [0, {shape[1]}), got {ids.min()}…{ids.max()}."
        )
    return ids.astype(int)


def _check_binary_target(y: Any) -> float:
    if isinstance(y, bool) or not isinstance(y, (int, float, np.integer, np.floating)):
        raise TypeError(f"y must be the number 0 or 1, got {type(y).__name__} {y!r}.")
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1 (a binary target), got {y!r}.")
    return float(y)


def _check_unit(
    name: str, value: Any, low: float, high: float, closed_low: bool
) -> float:
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"{name} must be a number, got {type(value).__name__} {value!r}."
        )
    inside = (low <= value if closed_low else low < value) and value <= high
    if not (np.isfinite(value) and inside):
        bracket = "[" if closed_low else "("
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {value!r}.")
    return float(value)


def _binary_targets(name: str, value: Any) -> np.ndarray:
    """Targets in [0, 1] (0/1 labels or soft labels); ±1 labels get their own advice."""
    return as_unit_interval(
        name, value, None, "binary targets (0 or 1, or soft labels)"
    )


def _target_and_prediction(
    y: np.ndarray, prediction: np.ndarray, names: tuple[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """One target for all (a single number) or one per prediction, as the loss library aligns
    them: a trailing axis of size 1 may differ, nothing else (no (N, N) table by broadcasting)."""
    if y.ndim == 0:
        return y, prediction
    y, prediction = align_ranks(
        y,
        prediction,
        lambda a: np.squeeze(a, axis=-1),
        lambda a: np.expand_dims(a, -1),
    )
    if y.shape != prediction.shape:
        raise shape_mismatch(y.shape, prediction.shape, names)
    return y, prediction


# ----------------------------------------------------------------------------- §1 BCE three ways


def bce_clipped(y: Any, p: Any, epsilon: float = EPSILON) -> np.ndarray:
    r"""Binary cross-entropy of probabilities, clipped to :math:`[\epsilon, 1 - \epsilon]`, per element.

    .. math::
        L = -\left[y \ln \operatorname{clip}(p) + (1 - y) \ln(1 - \operatorname{clip}(p))\right]

    No mean over an axis (the catalog's ``binary_crossentropy`` averages the last axis).
    ``y`` is one number (a target for every p) or one target per p (a trailing axis of size 1
    may differ, as in Keras); both must lie in [0, 1]. A ``p`` outside [0, 1] is refused as
    logits (use :func:`bce_from_logits`); a logit that happens to lie in [0, 1] cannot be told
    from a probability and is read as one. Behind clipping_table (05).
    """
    _check_unit("epsilon", epsilon, 0.0, 0.5, closed_low=False)
    y_array = _binary_targets("y", y)
    p_array = as_unit_interval(
        "p",
        p,
        None,
        "predicted probabilities",
        logits_fix="use bce_from_logits(y, z) for logits, or apply a sigmoid first",
    )
    y_array, p_array = _target_and_prediction(y_array, p_array, ("y", "p"))
    clipped = np.clip(p_array, epsilon, 1.0 - epsilon)
    return -(y_array * np.log(clipped) + (1.0 - y_array) * np.log(1.0 - clipped))


def bce_from_logits(y: Any, z: Any) -> np.ndarray:
    r"""Binary cross-entropy of a logit, the stable form, per element (finite for any z).

    .. math::
        L = -\left[y \ln \sigma(z) + (1 - y) \ln(1 - \sigma(z))\right]
          = \max(z, 0) - z y + \ln\left(1 + e^{-|z|}\right)

    ``y`` must lie in [0, 1] (one number, or one per logit): ±1 labels belong to the hinge
    losses (map them with (y + 1) / 2). Behind clipping_table and logit_gradients (05).
    """
    y_array = _binary_targets("y", y)
    z_array = as_data_array("z", z, None, "logits")
    y_array, z_array = _target_and_prediction(y_array, z_array, ("y", "z"))
    return (
        np.maximum(z_array, 0.0)
        - z_array * y_array
        + np.log1p(np.exp(-np.abs(z_array)))
    )


# ----------------------------------------------------------------------------- §2 CE vs MSE through a sigmoid


def logit_gradients(z: Any, y: float) -> dict[str, np.ndarray]:
    r"""Loss and :math:`\partial L/\partial z` of BCE and of the squared error, through a sigmoid.

    .. math::
        \text{BCE: } \frac{\partial L}{\partial z} = \sigma(z) - y, \qquad
        \text{squared error } L = (\sigma(z) - y)^2: \
        \frac{\partial L}{\partial z} = 2(\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))

    Returns ``{"bce", "bce_grad", "mse", "mse_grad"}`` over ``z``. Taught in: 05 §2.
    """
    target = _check_binary_target(y)
    z_array = as_data_array("z", z, None, "logits")
    p = _sigmoid(z_array)
    return {
        "bce": bce_from_logits(target, z_array),
        "bce_grad": p - target,
        "mse": (p - target) ** 2,
        "mse_grad": 2.0 * (p - target) * p * (1.0 - p),
    }


def plot_ce_vs_mse(y: float = 1.0) -> Figure:
    """Loss (left) and dL/dz (right) over the logit z for BCE and the squared error after a sigmoid.

    The region where the prediction is confidently wrong (p < 0.1 for y = 1) is shaded.
    Taught in: 05 §2.
    """
    target = _check_binary_target(y)
    z = np.linspace(-8.0, 8.0, 401)
    curves = logit_gradients(z, target)
    fig, (left, right) = new_figure(2, width=11.0, height=4.2)
    wrong = (-8.0, -2.197) if target == 1.0 else (2.197, 8.0)
    for ax in (left, right):
        ax.axvspan(*wrong, color=PALETTE[3], alpha=0.12, lw=0)
        ax.set_xlabel(gettext("logit z"))
        ax.set_xlim(-8, 8)
    left.plot(z, curves["bce"], color=PALETTE[0], label=gettext("cross-entropy"))
    left.plot(
        z, curves["mse"], color=PALETTE[1], label=gettext("squared error (σ(z) − y)²")
    )
    left.set_ylabel(gettext("loss L"))
    left.set_title(gettext("Loss, target y = {target:g}").format(target=target))
    left.legend(loc="upper center")
    right.plot(
        z,
        curves["bce_grad"],
        color=PALETTE[0],
        label=gettext("cross-entropy: σ(z) − y"),
    )
    right.plot(z, curves["mse_grad"], color=PALETTE[1], label=gettext("squared error"))
    right.axhline(0.0, color="0.4", lw=1)
    right.set_ylabel("∂L/∂z")
    right.set_title(gettext("Gradient (shaded: confidently wrong)"))
    right.set_ylim(-1.1, 1.1)
    right.legend(loc="lower right" if target == 1.0 else "upper left")
    return fig


# ----------------------------------------------------------------------------- §3 clipping


def clipping_table(
    z: Any, y: float = 1.0, epsilon: float = EPSILON
) -> dict[str, np.ndarray]:
    r"""BCE of :math:`p = \sigma(z)` computed through clipped probabilities and from the logit.

    Returns ``{"p", "clipped", "from_logits", "clipped_grad", "logit_grad"}``, where the gradients
    are :math:`\partial L/\partial z`: through the clip, 0 wherever :math:`p` was clipped
    (:math:`\operatorname{clip}` passes no gradient outside :math:`[\epsilon, 1 - \epsilon]`), else
    :math:`\sigma(z) - y`. Taught in: 05 §1.
    """
    target = _check_binary_target(y)
    z_array = as_data_array("z", z, None, "logits")
    p = _sigmoid(z_array)
    epsilon = _check_unit("epsilon", epsilon, 0.0, 0.5, closed_low=False)
    inside = (p >= epsilon) & (p <= 1.0 - epsilon)
    return {
        "p": p,
        "clipped": bce_clipped(target, p, epsilon),
        "from_logits": bce_from_logits(target, z_array),
        "clipped_grad": np.where(inside, p - target, 0.0),
        "logit_grad": p - target,
    }


# ----------------------------------------------------------------------------- §5 sigmoid + categorical CE


def renormalised_sigmoid_ce(z: Any, target: int) -> dict[str, Any]:
    r"""Categorical CE on K independent sigmoids divided by their sum (erratum 10, JAX/PyTorch path).

    This is what Keras computes on the JAX and PyTorch backends, and on TensorFlow for a raw
    ``tf.sigmoid`` called eagerly: the outputs are divided by their sum before the log. (A Keras
    model on TensorFlow takes the logits its sigmoid layer stored and trains a softmax instead;
    05 §4 shows that with ``model.evaluate``.) With :math:`s_k = \sigma(z_k)`,
    :math:`S = \sum_k s_k` and true class :math:`t`:

    .. math::
        L = -\ln\frac{s_t}{S}, \qquad
        \frac{\partial L}{\partial z_k} = \frac{s_k(1 - s_k)}{S} - [k = t](1 - s_t)

    next to softmax + CE: :math:`L = -\ln \operatorname{softmax}(z)_t`,
    :math:`\partial L/\partial z = \operatorname{softmax}(z) - y`. Taught in: 05 §4.
    """
    refuse_ragged("z", z)
    z_array = as_finite_array("z", z, None, "K logits")
    if z_array.ndim != 1 or z_array.size < 2:
        raise ValueError(
            f"z must be a 1-D array of K >= 2 logits, got shape {z_array.shape}."
        )
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise TypeError(
            f"target must be a class id (int), got {type(target).__name__}."
        )
    if not 0 <= target < z_array.size:
        raise ValueError(f"target must be in [0, {z_array.size - 1}], got {target}.")
    s = _sigmoid(z_array)
    total = float(np.sum(s))
    one_hot = np.eye(z_array.size)[target]
    q = _softmax(z_array)
    return {
        "sigmoid_sum": total,
        "sigmoid_loss": float(-np.log(s[target] / total)),
        "sigmoid_grad": s * (1.0 - s) / total - one_hot * (1.0 - s[target]),
        "softmax_loss": float(-np.log(q[target])),
        "softmax_grad": q - one_hot,
    }


def plot_sigmoid_vs_softmax(z: Any, target: int) -> Figure:
    """Bars of ∂L/∂z for each class: renormalised sigmoids + CE next to softmax + CE.

    Taught in: 05 §4.
    """
    parts = renormalised_sigmoid_ce(z, target)
    k = np.arange(len(parts["softmax_grad"]))
    fig, (ax,) = new_figure(1, width=8.0, height=4.0)
    ax.bar(
        k - 0.18,
        parts["sigmoid_grad"],
        0.36,
        color=PALETTE[1],
        label=gettext("sigmoid ÷ sum + CE (JAX, PyTorch)"),
    )
    ax.bar(
        k + 0.18,
        parts["softmax_grad"],
        0.36,
        color=PALETTE[0],
        label=gettext("softmax + CE: p − y"),
    )
    ax.axhline(0.0, color="0.4", lw=1)
    ax.set_xticks(
        k,
        [
            (
                gettext("class {k} (true)") if i == target else gettext("class {k}")
            ).format(k=i)
            for i in k
        ],
    )
    ax.set_ylabel("∂L/∂z_k")
    ax.set_ylim(-1.15, 1.15)
    ax.set_title(gettext("Logit gradients for one document"))
    ax.legend(loc="upper right")
    return fig


# ----------------------------------------------------------------------------- §6 focal loss


def focal_weight(p_t: Any, gamma: float, alpha: float) -> np.ndarray:
    r"""How much focal loss keeps of cross-entropy for an example of class 1: :math:`\alpha(1 - p_t)^\gamma`.

    .. math::
        L_{\text{focal}} = \alpha (1 - p_t)^{\gamma}\,\bigl(-\ln p_t\bigr), \qquad
        \frac{L_{\text{focal}}}{L_{\text{CE}}} = \alpha (1 - p_t)^{\gamma}

    (``binary_focal_crossentropy`` with ``apply_class_balancing=True`` for y = 1, away from the clip).
    ``p_t`` must lie in [0, 1]: percentages (10, 90) are refused with the advice to divide by 100.
    Behind plot_focal and focal_summary (05).
    """
    gamma = _check_unit("gamma", gamma, 0.0, 10.0, closed_low=True)
    alpha = _check_unit("alpha", alpha, 0.0, 1.0, closed_low=True)
    p_t_array = as_unit_interval("p_t", p_t, None, "probabilities of the true class")
    return alpha * (1.0 - p_t_array) ** gamma


_FOCAL_P = np.linspace(0.01, 0.99, 197)
_FOCAL_MARKS = (0.1, 0.9)


def focal_summary(gamma: float, alpha: float) -> str:
    r"""The share of cross-entropy kept by a hard (p_t = 0.1) and an easy (p_t = 0.9) example.

    The ratio of the two, :math:`((1 - 0.1)/(1 - 0.9))^\gamma = 9^\gamma`, is how many times more the
    hard example weighs than the easy one (1 under cross-entropy). Taught in: 05 §6.
    """
    hard, easy = focal_weight(np.array(_FOCAL_MARKS), gamma, alpha)
    ratio = f"{hard / easy:.3g}" if easy > 0 else gettext("undefined (α = 0)")
    return gettext(
        "kept of CE: hard (p_t = 0.1) {hard:.3g}, easy (p_t = 0.9) {easy:.3g}; "
        "the hard example weighs {ratio} times the easy one (CE: 1)"
    ).format(hard=hard, easy=easy, ratio=ratio)


def plot_focal(gamma: float = 2.0, alpha: float = 0.25) -> Figure:
    """Focal loss vs cross-entropy over p_t (left) and the share of CE it keeps (right, log scale).

    Behind focal_widget (05).
    """
    weight = focal_weight(_FOCAL_P, gamma, alpha)
    ce = -np.log(_FOCAL_P)
    fig, (left, right) = new_figure(2, width=10.0, height=4.0)
    left.plot(
        _FOCAL_P, ce, color="0.5", ls="--", label=gettext("cross-entropy −ln p_t")
    )
    left.plot(
        _FOCAL_P,
        weight * ce,
        color=PALETTE[0],
        gid="focal-loss",
        label=gettext("focal α(1 − p_t)^γ (−ln p_t)"),
    )
    left.set_xlim(0, 1)
    left.set_ylim(0, 4.7)
    left.set_xlabel(gettext("p_t, probability of the true class"))
    left.set_ylabel(gettext("loss L"))
    left.legend(loc="upper right")
    left.set_title(gettext("Loss"))
    # a weight of exactly 0 (α = 0) cannot be drawn on a log axis: show it at the bottom edge
    right.semilogy(
        _FOCAL_P, np.maximum(weight, 1e-12), color=PALETTE[2], gid="focal-weight"
    )
    marks = focal_weight(np.array(_FOCAL_MARKS), gamma, alpha)
    right.plot(
        _FOCAL_MARKS,
        np.maximum(marks, 1e-12),
        "o",
        color=PALETTE[3],
        gid="focal-marks",
        label=gettext("hard (p_t = 0.1), easy (p_t = 0.9)"),
    )
    right.legend(loc="lower left")
    right.set_xlim(0, 1)
    right.set_ylim(1e-9, 2.0)
    right.set_xlabel(gettext("p_t, probability of the true class"))
    right.set_ylabel(gettext("focal / CE = α(1 − p_t)^γ"))
    right.set_title(gettext("Share of cross-entropy kept"))
    return fig


def update_focal(fig: Figure, gamma: float, alpha: float) -> None:
    """Move the focal curves and the two marked examples to new γ and α. Behind focal_widget (05)."""
    weight = focal_weight(_FOCAL_P, gamma, alpha)
    artist(fig, "focal-loss").set_ydata(weight * -np.log(_FOCAL_P))  # type: ignore[attr-defined]
    artist(fig, "focal-weight").set_ydata(np.maximum(weight, 1e-12))  # type: ignore[attr-defined]
    marks = focal_weight(np.array(_FOCAL_MARKS), gamma, alpha)
    artist(fig, "focal-marks").set_ydata(np.maximum(marks, 1e-12))  # type: ignore[attr-defined]


@register_widget
def focal_widget() -> LivePlot:
    """Sliders for focal loss's γ (focusing) and α (balance). Taught in: 05 §6."""
    return LivePlot(
        plot_focal,
        update_focal,
        {
            "gamma": float_slider(gettext("γ (focusing)"), 2.0, 0.0, 5.0, 0.1),
            "alpha": float_slider(
                gettext("α (weight of class 1)"), 0.25, 0.0, 1.0, 0.05
            ),
        },
        title=gettext("Focal loss: how γ and α down-weight easy examples"),
    )


# ----------------------------------------------------------------------------- §7 generalized CE


def gce_curve(p_y: Any, q: float) -> np.ndarray:
    r"""Generalized cross-entropy of the true-class probability: :math:`L = (1 - p_y^{\,q})/q`.

    :math:`q \to 0` gives :math:`-\ln p_y` (cross-entropy), :math:`q = 1` gives :math:`1 - p_y`
    (half the summed absolute error Σ_k |y_k − p_k| to the one-hot target: an MAE up to the constant
    factor K/2). ``p_y`` must lie in [0, 1]. Behind plot_gce (05).
    """
    q = _check_unit("q", q, 0.0, 1.0, closed_low=False)
    p = as_unit_interval("p_y", p_y, None, "probabilities of the true class")
    return (1.0 - p**q) / q


def plot_gce(qs: tuple[float, ...] = (0.01, 0.3, 0.7, 1.0)) -> Figure:
    """GCE over the true-class probability for several q, with cross-entropy for reference.

    Taught in: 05 §7.
    """
    p = np.linspace(0.005, 1.0, 300)
    fig, (ax,) = new_figure(1, width=8.0, height=4.2)
    ax.plot(p, -np.log(p), color="0.5", ls="--", label=gettext("cross-entropy −ln p_y"))
    qs = tuple(as_data_array("qs", qs, 1, "a tuple of q values in (0, 1]"))
    for colour, q in zip(PALETTE[:4], qs):
        ax.plot(p, gce_curve(p, q), color=colour, label=f"GCE q = {q:g}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 5)
    ax.set_xlabel(gettext("p_y, probability of the labelled class"))
    ax.set_ylabel(gettext("loss L"))
    ax.set_title(gettext("Generalized cross-entropy: bounded for q > 0"))
    ax.legend(loc="upper right")
    return fig


def noisy_blobs(
    m: int = 600, noise: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three Gaussian classes in 2-D; a share ``noise`` of class 0 is mislabelled as class 1.

    Returns ``(X, y_clean, y_noisy)``. Behind noisy_label_experiment (05).
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 3:
        raise ValueError(f"m must be an int >= 3 (the number of samples), got {m!r}.")
    noise = _check_unit("noise", noise, 0.0, 1.0, closed_low=True)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    centers = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    y = rng.integers(0, 3, m)
    X = centers[y] + rng.normal(size=(m, 2))
    noisy = y.copy()
    noisy[(y == 0) & (rng.random(m) < noise)] = 1
    return X, y, noisy


def gce_logit_gradient(Z: np.ndarray, labels: np.ndarray, q: float) -> np.ndarray:
    r"""Gradient of the mean GCE over a batch with respect to the logits (q = 0: cross-entropy).

    .. math::
        \frac{\partial L}{\partial z} = p_y^{\,q}\,(\operatorname{softmax}(z) - y_{\text{one-hot}}),
        \qquad p = \operatorname{softmax}(z)

    so each example's cross-entropy gradient is scaled by :math:`p_y^q`: the examples the model
    finds unlikely (often the mislabelled ones) count less. Behind train_softmax_regression (05).
    """
    if q != 0.0:
        q = _check_unit("q", q, 0.0, 1.0, closed_low=False)
    Z = as_data_array("Z", Z, 2, "logits, shape (m, K)")
    labels = _as_class_ids(labels, Z.shape)
    m = len(labels)
    P = _softmax(Z)
    p_y = P[np.arange(m), labels]
    return (p_y**q)[:, None] * (P - np.eye(Z.shape[1])[labels]) / m


def train_softmax_regression(
    X: np.ndarray,
    labels: np.ndarray,
    q: float,
    steps: int = 1000,
    learning_rate: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on a linear softmax classifier under GCE (q = 0: cross-entropy), from zeros.

    Returns ``(W, b)``. Deterministic (no randomness inside). Behind noisy_label_experiment (05).
    """
    X = as_data_array("X", X, 2, "features, shape (m, n)")
    ids = as_data_array("labels", labels, 1, "one integer class id per row")
    if len(ids) != len(X):
        raise ValueError(
            f"labels must hold one class id per row of X ({len(X)}), got {len(ids)}."
        )
    labels = _as_class_ids(ids, (len(X), int(np.max(ids, initial=0)) + 1))
    steps = as_positive_int("steps", steps)
    learning_rate = as_finite_float("learning_rate", learning_rate)
    if learning_rate <= 0:
        raise ValueError(
            f"learning_rate must be positive (a step down the gradient), got {learning_rate}."
        )
    num_classes = int(np.max(labels)) + 1
    W, b = np.zeros((X.shape[1], num_classes)), np.zeros(num_classes)
    for _ in range(steps):
        G = gce_logit_gradient(X @ W + b, labels, q)
        W -= learning_rate * X.T @ G
        b -= learning_rate * G.sum(axis=0)
    return W, b


def noisy_label_experiment(
    qs: tuple[float, ...] = (0.0, 0.5, 1.0), noise: float = 0.3
) -> dict[float, dict[str, float]]:
    """Train on noisy labels with each q, score on clean held-out data.

    Returns ``{q: {"accuracy", "class0_recall"}}``. Taught in: 05 §7.
    """
    X, _, noisy = noisy_blobs(noise=noise, seed=0)
    X_test, y_test, _ = noisy_blobs(noise=0.0, seed=1)
    results = {}
    qs = tuple(as_data_array("qs", qs, 1, "a tuple of q values in [0, 1]"))
    for q in qs:
        W, b = train_softmax_regression(X, noisy, q)
        predicted = np.argmax(X_test @ W + b, axis=1)
        results[q] = {
            "accuracy": float(np.mean(predicted == y_test)),
            "class0_recall": float(np.mean(predicted[y_test == 0] == 0)),
        }
    return results


# ----------------------------------------------------------------------------- §8 hinges


def hinge_curves(margin: Any) -> dict[str, np.ndarray]:
    r"""The hinge family and the logistic loss over the margin :math:`y\hat y` (labels ±1).

    .. math::
        \text{hinge} = \max(1 - y\hat y, 0), \quad
        \text{squared hinge} = \max(1 - y\hat y, 0)^2, \quad
        \text{logistic} = \ln(1 + e^{-y\hat y})

    Behind plot_hinges (05).
    """
    product = as_data_array("margin", margin, None, "margins y·z")
    hinge = np.maximum(1.0 - product, 0.0)
    return {
        "hinge": hinge,
        "squared_hinge": hinge**2,
        "logistic": np.log1p(np.exp(-product)),
    }


def plot_hinges() -> Figure:
    """Hinge, squared hinge and logistic loss over the margin y·ŷ. Taught in: 05 §8."""
    margin = np.linspace(-2.0, 3.0, 301)
    curves = hinge_curves(margin)
    fig, (ax,) = new_figure(1, width=8.0, height=4.2)
    ax.plot(
        margin,
        curves["hinge"],
        color=PALETTE[0],
        label=gettext("hinge max(1 − y·ŷ, 0)"),
    )
    ax.plot(
        margin,
        curves["squared_hinge"],
        color=PALETTE[1],
        label=gettext("squared hinge"),
    )
    ax.plot(
        margin,
        curves["logistic"],
        color=PALETTE[2],
        ls="--",
        label=gettext("logistic ln(1 + e^(−y·ŷ))"),
    )
    ax.axvline(1.0, color="0.4", lw=1)
    ax.text(1.05, 3.6, gettext("margin 1"), fontsize=11)
    ax.set_xlim(-2, 3)
    ax.set_ylim(0, 6)
    ax.set_xlabel(gettext("margin y·ŷ (labels ±1)"))
    ax.set_ylabel(gettext("loss L"))
    ax.set_title(gettext("Hinges stop at margin 1; the logistic loss never does"))
    ax.legend(loc="upper right")
    return fig
