"""Probabilistic losses: a prediction read as a rate or a distribution, scored by likelihood or divergence.

* Poisson: ``y_pred`` is the expected count λ of a Poisson distribution; the loss is its negative
  log-likelihood without the term that does not depend on λ.
* KL divergence: ``y_true`` and ``y_pred`` are distributions along the last axis; Keras clips both to
  [ε, 1] before comparing them, so zeros in ``y_true`` contribute ε ln(ε / ŷ) rather than exactly 0.

Used in: 06_divergence_similarity_and_other_losses, 09_lab_vae.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import EPSILON, check_in_range, numpy_pair, tf_pair
from course_utils.losses._catalog import LossEntry, register


def _check_nonnegative(name: str, array: np.ndarray, what: str) -> None:
    if array.size and not np.all(array >= 0):
        raise ValueError(
            f"{name} must be >= 0 ({what}), found {array[~(array >= 0)].flat[0]!r}. "
            "If your model outputs any real number, end it with an exponential or softplus."
        )


# ----------------------------------------------------------------------------- Poisson


def poisson_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Poisson loss per sample, float64.

    .. math::
        L = \frac1k \sum_j \left(\hat y_j - y_j \ln(\hat y_j + \epsilon)\right)

    ``y_pred`` is a rate, so it must be >= 0; ``y_true`` is a count (any real >= 0 is accepted).
    """
    y_true, y_pred = _poisson_pair(y_true, y_pred)
    return np.mean(y_pred - y_true * np.log(y_pred + EPSILON), axis=-1)


def _poisson_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = numpy_pair(y_true, y_pred, align=False)
    _check_nonnegative("y_pred", y_pred, "a Poisson rate λ")
    _check_nonnegative("y_true", y_true, "an observed count")
    return y_true, y_pred


def poisson_tf(y_true: Any, y_pred: Any) -> Any:
    """Poisson in TensorFlow, a drop-in for ``keras.losses.poisson``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred, align=False)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + epsilon), axis=-1)


def poisson_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the Poisson loss with respect to each predicted rate.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1k \left(1 - \frac{y_j}{\hat y_j + \epsilon}\right)
    """
    y_true, y_pred = _poisson_pair(y_true, y_pred)
    return (1.0 - y_true / (y_pred + EPSILON)) / y_pred.shape[-1]


# ----------------------------------------------------------------------------- KL divergence


def kl_divergence_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""KL divergence per sample, float64, with both distributions clipped to [ε, 1].

    .. math::
        L = \sum_j \tilde y_j \ln \frac{\tilde y_j}{\tilde{\hat y}_j}
    """
    y_true, y_pred = _kl_pair(y_true, y_pred)
    clipped_true = np.clip(y_true, EPSILON, 1.0)
    clipped_pred = np.clip(y_pred, EPSILON, 1.0)
    return np.sum(clipped_true * np.log(clipped_true / clipped_pred), axis=-1)


def _kl_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = numpy_pair(y_true, y_pred, align=False)
    # Keras would clip values outside [0, 1] silently; for a distribution they are a mistake.
    for name, array in (("y_true", y_true), ("y_pred", y_pred)):
        check_in_range(name, array, 0.0, 1.0, "probabilities")
    return y_true, y_pred


def kl_divergence_tf(y_true: Any, y_pred: Any) -> Any:
    """KL divergence in TensorFlow, a drop-in for ``keras.losses.kl_divergence``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred, align=False)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    one = tf.constant(1.0, y_pred.dtype)
    y_true = tf.clip_by_value(y_true, epsilon, one)
    y_pred = tf.clip_by_value(y_pred, epsilon, one)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


def kl_divergence_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the KL divergence; 0 where ŷ is clipped.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = -\frac{\tilde y_j}{\hat y_j} \quad\text{inside } [\epsilon, 1]
    """
    y_true, y_pred = _kl_pair(y_true, y_pred)
    inside = (y_pred >= EPSILON) & (y_pred <= 1.0)
    return np.where(
        inside, -np.clip(y_true, EPSILON, 1.0) / np.where(inside, y_pred, 1.0), 0.0
    )


register(
    LossEntry(
        name="poisson",
        display_name="Poisson loss",
        family="probabilistic",
        when_to_use="Count targets (visits, arrivals, photons) predicted as a non-negative rate.",
        latex=(
            r"L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} \left(\hat y_k - y_k \ln\left(\hat y_k + \epsilon\right)\right),"
            r" \quad K = \text{size of the last axis}, \quad \epsilon = 10^{-7}"
        ),
        numpy=poisson_numpy,
        tf=poisson_tf,
        grad=poisson_grad,
        y_true_domain="nonnegative",
        y_pred_domain="positive",
        notes="Unlike most Keras losses, poisson does not align a trailing axis of size 1; shapes must match.",
    )
)
register(
    LossEntry(
        name="kl_divergence",
        display_name="Kullback–Leibler divergence",
        family="probabilistic",
        when_to_use="Matching a predicted distribution to a target distribution (distillation, soft labels).",
        latex=(
            r"L(y, \hat y) = \sum_{k=1}^{K} \tilde y_k \ln \frac{\tilde y_k}{\tilde{\hat y}_k}, \quad "
            r"\tilde y_k = \operatorname{clip}(y_k, \epsilon, 1),\ "
            r"\tilde{\hat y}_k = \operatorname{clip}(\hat y_k, \epsilon, 1), \quad \epsilon = 10^{-7}"
        ),
        numpy=kl_divergence_numpy,
        tf=kl_divergence_tf,
        grad=kl_divergence_grad,
        y_true_domain="distribution",
        y_pred_domain="distribution",
        notes="Keras sums over the last axis (not a mean) and does not align a trailing axis of size 1.",
    )
)
