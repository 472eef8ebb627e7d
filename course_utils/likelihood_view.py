"""Which losses are negative log-likelihoods, and a numerical test of it.

A loss L(y, ŷ) is the negative log-likelihood of the target (up to a constant) when
e^(−L(y, ŷ)) is a probability of y, or a density, times one constant, whatever ŷ is:

.. math:: \\sum_y e^{-L(y, \\hat y)} \\ \\text{(or } \\textstyle\\int e^{-L}\\,dy\\text{)}
    \\quad \\text{is the same number for every prediction } \\hat y .

:func:`label_normaliser` computes that sum over the K possible labels with Keras's own loss
functions; :func:`von_mises_nll` is the density behind the cosine loss.

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from course_utils.i18n import N_, TextMap
from course_utils.validation import as_finite_array, as_finite_float

__all__ = [
    "CLASSIFICATION_LOSSES",
    "LIKELIHOOD_VIEW",
    "label_normaliser",
    "von_mises_nll",
]

#: Each loss of notebooks 04–06: the distribution of the target whose negative log-likelihood
#: it is (up to a constant, with its scale fixed), or why it is not one.
LIKELIHOOD_VIEW: Mapping[str, str] = TextMap(
    {
        "mean_squared_error": N_(
            "NLL: Gaussian with a fixed σ (e²/2σ² + const, scaled)"
        ),
        "mean_absolute_error": N_("NLL: Laplace with a fixed scale"),
        "huber": N_("NLL: density ∝ exp(−Huber(e)): Gaussian centre, Laplace tails"),
        "log_cosh": N_("NLL: hyperbolic secant, 1/(π cosh e), up to the constant ln π"),
        "mean_squared_logarithmic_error": N_(
            "NLL: Gaussian on ln(1 + y) with a fixed σ"
        ),
        "binary_crossentropy": N_("NLL: Bernoulli"),
        "categorical_crossentropy": N_("NLL: categorical (one-hot label)"),
        "poisson": N_("NLL: Poisson count, minus the constant mean ln y!"),
        "kl_divergence": N_("NLL up to a constant: CE(y, ŷ) − H(y)"),
        "cosine_similarity": N_(
            "NLL: von Mises–Fisher with a fixed concentration κ = 1"
        ),
        "ctc": N_("NLL: −ln P(label | frames), summed over every alignment"),
        "label_smoothing": N_(
            "not the label's NLL: CE against a target mixed with 1/K"
        ),
        "focal": N_("not the label's NLL: (1 − p)^γ reweights it; Σ_y e^(−L) ≠ 1"),
        "generalized_ce": N_("not the label's NLL: (1 − p^q)/q, a power, not a log"),
        "dice": N_("not an NLL: overlap 2·TP / (2·TP + FN + FP), a set similarity"),
        "tversky": N_("not an NLL: overlap TP / (TP + α·FN + β·FP)"),
        "circle": N_("not an NLL: pair similarities pushed past 1 − μ and μ"),
        "hinge": N_("not an NLL: a margin on y·z"),
    }
)

#: The classification losses :func:`label_normaliser` knows, as Keras computes them.
CLASSIFICATION_LOSSES: tuple[str, ...] = (
    "categorical_crossentropy",
    "label_smoothing",
    "focal",
    "generalized_ce",
)


def von_mises_nll(angle: Any, kappa: float = 1.0) -> np.ndarray:
    r"""−ln of the 2-D von Mises density of a direction at angle θ from the mean direction.

    .. math:: -\ln \frac{e^{\kappa\cos\theta}}{2\pi I_0(\kappa)}
        = -\kappa\cos\theta + \ln\big(2\pi I_0(\kappa)\big)

    With κ = 1 it is Keras's cosine loss −cos θ plus the constant ln(2π I₀(1)) ≈ 2.0739.
    Taught in: 06 §7.
    """
    theta = as_finite_array("angle", angle, None, "angles in radians")
    kappa = as_finite_float("kappa", kappa)
    if not 0.0 < kappa <= 100.0:
        raise ValueError(f"kappa must be in (0, 100] (the concentration), got {kappa}.")
    return -kappa * np.cos(theta) + np.log(2.0 * np.pi * np.i0(kappa))


def label_normaliser(loss: str, probs: Any, parameter: float | None = None) -> float:
    r"""Σ over the K labels of e^(−L(label, ŷ)) for one prediction ŷ = ``probs``, with Keras.

    1 for every ŷ when L is the label's negative log-likelihood (categorical CE); a number
    that changes with ŷ otherwise. ``loss`` is one of :data:`CLASSIFICATION_LOSSES`;
    ``parameter`` is label smoothing's ε (0.1), focal's γ (2, with α = 1) or GCE's q (0.5).
    Taught in: 06 §7.
    """
    if loss not in CLASSIFICATION_LOSSES:
        raise ValueError(
            f"loss must be one of {', '.join(CLASSIFICATION_LOSSES)}, got {loss!r}."
        )
    p = as_finite_array("probs", probs, 1, "probabilities over K classes")
    if p.size < 2 or np.any(p <= 0) or not np.isclose(p.sum(), 1.0, atol=1e-6):
        raise ValueError(
            f"probs must be K ≥ 2 positive probabilities that sum to 1, got {probs!r}."
        )
    defaults = {
        "categorical_crossentropy": 0.0,
        "label_smoothing": 0.1,
        "focal": 2.0,
        "generalized_ce": 0.5,
    }
    value = (
        defaults[loss] if parameter is None else as_finite_float("parameter", parameter)
    )
    import keras

    k = p.size
    labels = np.arange(k)
    one_hot = np.eye(k, dtype="float32")
    y_pred = np.tile(p.astype("float32"), (k, 1))  # row j: the same ŷ, label j
    if loss == "categorical_crossentropy":
        losses = keras.losses.categorical_crossentropy(one_hot, y_pred)
    elif loss == "label_smoothing":
        losses = keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=value
        )
    elif loss == "focal":
        losses = keras.losses.categorical_focal_crossentropy(
            one_hot, y_pred, alpha=1.0, gamma=value
        )
    else:
        losses = keras.losses.categorical_generalized_cross_entropy(
            labels, y_pred, q=value
        )
    per_label = np.asarray(keras.ops.convert_to_numpy(losses), dtype=float)
    return float(np.sum(np.exp(-per_label)))
