r"""Segmentation losses: overlap between a predicted mask and the true one, from the Dice and Tversky indices.

Both compare a soft mask ``y_pred`` (probabilities) with a binary mask ``y_true`` by sums over ``axis``:
with the default ``axis=None`` the sums run over *every* element of the batch and the loss is one
number; ``axis=(1, 2)`` on (m, H, W) masks gives one loss per image. Nothing is clipped; ε = 10⁻⁷ in the
denominator only keeps an empty prediction of an empty mask from dividing 0 by 0.

Keras's Tversky code names its two sums the other way round from the usual convention: the term it
weights by α is :math:`\sum y (1 - \hat y)`, the mass of the true mask the prediction misses (what
papers call false negatives), and β weights :math:`\sum \hat y (1 - y)`, predicted mass outside the
mask (false positives). The formulas below say what is computed.

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import (
    EPSILON,
    check_in_range,
    check_parameter,
    numpy_pair,
    tf_pair,
)
from course_utils.losses._catalog import LossEntry, Param, register


def _check_axis(axis: Any, rank: int) -> None:
    axes = (
        (axis,)
        if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool)
        else axis
    )
    if axis is None:
        return
    if not isinstance(axes, (tuple, list)) or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes
    ):
        raise TypeError(
            f"axis must be None, an int or a tuple of ints (the axes summed over), got {axis!r}."
        )
    if rank and not all(-rank <= a < rank for a in axes):
        raise ValueError(
            f"axis must name axes of the masks, which have rank {rank}; got {axis!r}."
        )


def _check_weight(name: str, value: Any) -> None:
    check_parameter(name, value, "a finite number >= 0")
    if isinstance(value, (int, float, np.integer, np.floating)) and not (
        np.isfinite(value) and value >= 0
    ):
        raise ValueError(
            f"{name} must be a number >= 0 (a weight on one kind of error), got {value!r}."
        )


def _masks(y_true: Any, y_pred: Any, axis: Any) -> tuple[np.ndarray, np.ndarray, Any]:
    y_true, y_pred = numpy_pair(y_true, y_pred, align=False)
    check_in_range("y_pred", y_pred, 0.0, 1.0, "mask probabilities")
    check_in_range("y_true", y_true, 0.0, 1.0, "mask values")
    _check_axis(axis, y_pred.ndim)
    return y_true, y_pred, tuple(axis) if isinstance(axis, list) else axis


# ----------------------------------------------------------------------------- Dice


def dice_numpy(y_true: Any, y_pred: Any, axis: Any = None) -> np.ndarray:
    r"""Dice loss, float64, the sums over ``axis``.

    .. math::
        L = 1 - \frac{2 \sum y \hat y}{\sum y + \sum \hat y + \epsilon}
    """
    y_true, y_pred, axis = _masks(y_true, y_pred, axis)
    overlap = np.sum(y_true * y_pred, axis=axis)
    return 1.0 - 2.0 * overlap / (
        np.sum(y_true, axis=axis) + np.sum(y_pred, axis=axis) + EPSILON
    )


def dice_tf(y_true: Any, y_pred: Any, axis: Any = None) -> Any:
    """Dice loss in TensorFlow, a drop-in for ``keras.losses.dice``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred, align=False)
    _check_axis(axis, y_pred.shape.rank or 0)
    overlap = tf.reduce_sum(y_true * y_pred, axis=axis)
    total = (
        tf.reduce_sum(y_true, axis=axis) + tf.reduce_sum(y_pred, axis=axis) + EPSILON
    )
    return 1.0 - 2.0 * overlap / total


def dice_grad(y_true: Any, y_pred: Any, axis: Any = None) -> np.ndarray:
    r"""Gradient of the Dice loss with respect to each predicted pixel.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = -\frac{2 y_j S - 2 I}{S^2}, \qquad
        I = \sum y \hat y, \quad S = \sum y + \sum \hat y + \epsilon
    """
    y_true, y_pred, axis = _masks(y_true, y_pred, axis)
    overlap = np.sum(y_true * y_pred, axis=axis, keepdims=True)
    total = (
        np.sum(y_true, axis=axis, keepdims=True)
        + np.sum(y_pred, axis=axis, keepdims=True)
        + EPSILON
    )
    return -(2.0 * y_true * total - 2.0 * overlap) / total**2


# ----------------------------------------------------------------------------- Tversky


def _tversky_sums(
    y_true: np.ndarray, y_pred: np.ndarray, axis: Any, keepdims: bool = False
):
    overlap = np.sum(y_true * y_pred, axis=axis, keepdims=keepdims)
    missed = np.sum(y_true * (1.0 - y_pred), axis=axis, keepdims=keepdims)
    extra = np.sum(y_pred * (1.0 - y_true), axis=axis, keepdims=keepdims)
    return overlap, missed, extra


def tversky_numpy(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None
) -> np.ndarray:
    r"""Tversky loss, float64, the sums over ``axis``.

    .. math::
        L = 1 - \frac{I}{I + \alpha M + \beta E + \epsilon}, \qquad
        I = \sum y \hat y, \quad M = \sum y (1 - \hat y), \quad E = \sum \hat y (1 - y)
    """
    _check_weight("alpha", alpha)
    _check_weight("beta", beta)
    y_true, y_pred, axis = _masks(y_true, y_pred, axis)
    overlap, missed, extra = _tversky_sums(y_true, y_pred, axis)
    return 1.0 - overlap / (overlap + alpha * missed + beta * extra + EPSILON)


def tversky_tf(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None
) -> Any:
    """Tversky loss in TensorFlow, a drop-in for ``keras.losses.tversky``."""
    import tensorflow as tf

    _check_weight("alpha", alpha)
    _check_weight("beta", beta)
    y_true, y_pred = tf_pair(y_true, y_pred, align=False)
    _check_axis(axis, y_pred.shape.rank or 0)
    overlap = tf.reduce_sum(y_true * y_pred, axis=axis)
    missed = tf.reduce_sum((1.0 - y_pred) * y_true, axis=axis)
    extra = tf.reduce_sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - overlap / (overlap + missed * alpha + extra * beta + EPSILON)


def tversky_grad(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None
) -> np.ndarray:
    r"""Gradient of the Tversky loss with respect to each predicted pixel.

    .. math::
        \frac{\partial L}{\partial \hat y_j}
        = -\frac{y_j D - I\,((1 - \alpha) y_j + \beta (1 - y_j))}{D^2}, \qquad
        D = I + \alpha M + \beta E + \epsilon
    """
    _check_weight("alpha", alpha)
    _check_weight("beta", beta)
    y_true, y_pred, axis = _masks(y_true, y_pred, axis)
    overlap, missed, extra = _tversky_sums(y_true, y_pred, axis, keepdims=True)
    denominator = overlap + alpha * missed + beta * extra + EPSILON
    slope = (1.0 - alpha) * y_true + beta * (1.0 - y_true)
    return -(y_true * denominator - overlap * slope) / denominator**2


AXIS = Param(
    "axis",
    None,
    "None, an int or a tuple of ints",
    "the axes summed over: None sums the whole batch into one loss; (1, 2) gives one per image",
)

register(
    LossEntry(
        name="dice",
        display_name="Dice loss",
        family="segmentation",
        when_to_use="Segmentation masks where the object is small: it scores overlap, not pixel-by-pixel accuracy.",
        latex=(
            r"L(y, \hat y) = 1 - \frac{2 \sum_{i \in A} y_i \hat y_i}"
            r"{\sum_{i \in A} y_i + \sum_{i \in A} \hat y_i + \epsilon}, \quad "
            r"A = \text{the elements along } \texttt{axis} \text{ (all of them when None)}, \quad \epsilon = 10^{-7}"
        ),
        numpy=dice_numpy,
        tf=dice_tf,
        grad=dice_grad,
        params=(AXIS,),
        y_true_domain="binary",
        y_pred_domain="probability",
    )
)
register(
    LossEntry(
        name="tversky",
        display_name="Tversky loss",
        family="segmentation",
        when_to_use="Segmentation where missing object pixels and adding false ones should cost differently.",
        latex=(
            r"L(y, \hat y) = 1 - \frac{I}{I + \alpha \sum_{i \in A} y_i (1 - \hat y_i) + "
            r"\beta \sum_{i \in A} \hat y_i (1 - y_i) + \epsilon}, \quad I = \sum_{i \in A} y_i \hat y_i, \quad "
            r"\epsilon = 10^{-7}"
        ),
        numpy=tversky_numpy,
        tf=tversky_tf,
        grad=tversky_grad,
        params=(
            Param(
                "alpha",
                0.5,
                "a number >= 0",
                "weight on the true mask's mass that the prediction misses",
                lambda value: None if value >= 0 else "It is a weight.",
            ),
            Param(
                "beta",
                0.5,
                "a number >= 0",
                "weight on predicted mass outside the true mask",
                lambda value: None if value >= 0 else "It is a weight.",
            ),
            AXIS,
        ),
        y_true_domain="binary",
        y_pred_domain="probability",
        notes="α = β = 0.5 gives the Dice loss (up to ε); Keras's own names for the two sums are swapped.",
    )
)
