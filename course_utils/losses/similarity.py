r"""Similarity losses: how well a prediction points the same way as its target, whatever their lengths.

Keras's cosine similarity loss is the *negative* cosine, so that minimising it aligns the vectors:
−1 for the same direction, 0 for orthogonal vectors, +1 for opposite ones. Each vector is scaled by
:math:`\min(1/\lVert v \rVert, 1/\epsilon)`, so a zero vector stays zero (its loss is 0, not NaN) and
a vector shorter than ε is not blown up past length ‖v‖/ε.

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import EPSILON, numpy_pair, tf_pair
from course_utils.losses._catalog import LossEntry, Param, register


def _check_axis(axis: Any, rank: int) -> Any:
    """``axis`` as Keras accepts it (an int, a tuple of ints, or None for every axis), checked against ``rank``."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes
    ):
        raise TypeError(
            f"axis must be an int, a tuple of ints or None (the axes the vectors lie along), got {axis!r}."
        )
    if rank and not all(-rank <= a < rank for a in axes):
        raise ValueError(
            f"axis must be in [-{rank}, {rank - 1}] for inputs of rank {rank}, got {axis!r}."
        )
    if rank and len({a % rank for a in axes}) != len(axes):
        raise ValueError(
            f"axis must not name an axis twice, got {axis!r} for inputs of rank {rank}."
        )
    return tuple(axis) if isinstance(axis, list) else axis


def _np_normalize(vectors: np.ndarray, axis: Any) -> tuple[np.ndarray, np.ndarray]:
    """``vectors`` scaled by min(1/‖v‖, 1/ε) along ``axis``, and that scale."""
    norm = np.sqrt(np.sum(vectors**2, axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):
        scale = np.minimum(1.0 / norm, 1.0 / EPSILON)
    return vectors * scale, scale


def cosine_similarity_numpy(y_true: Any, y_pred: Any, axis: Any = -1) -> np.ndarray:
    r"""Negative cosine similarity per sample, float64.

    .. math::
        L = -\sum_j \bar y_j \bar{\hat y}_j, \qquad
        \bar v = v \min(\lVert v \rVert^{-1}, \epsilon^{-1})
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    axis = _check_axis(axis, y_pred.ndim)
    return -np.sum(
        _np_normalize(y_true, axis)[0] * _np_normalize(y_pred, axis)[0], axis=axis
    )


def cosine_similarity_tf(y_true: Any, y_pred: Any, axis: Any = -1) -> Any:
    """Negative cosine in TensorFlow, a drop-in for ``keras.losses.cosine_similarity``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    axis = _check_axis(axis, y_pred.shape.rank or 0)
    limit = tf.constant(1.0 / EPSILON, y_pred.dtype)

    def normalize(vectors: Any) -> Any:
        square_sum = tf.reduce_sum(tf.square(vectors), axis=axis, keepdims=True)
        return vectors * tf.minimum(tf.math.rsqrt(square_sum), limit)

    return -tf.reduce_sum(normalize(y_true) * normalize(y_pred), axis=axis)


def cosine_similarity_grad(y_true: Any, y_pred: Any, axis: Any = -1) -> np.ndarray:
    r"""Gradient of the negative cosine similarity with respect to the prediction vector.

    .. math::
        \frac{\partial L}{\partial \hat y} = -\frac{\bar y - (\bar y \cdot u)\,u}{\lVert \hat y \rVert},
        \qquad u = \frac{\hat y}{\lVert \hat y \rVert}

    and :math:`-\bar y / \epsilon` when :math:`\lVert \hat y \rVert < \epsilon`.
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    axis = _check_axis(axis, y_pred.ndim)
    target, _ = _np_normalize(y_true, axis)
    norm = np.sqrt(np.sum(y_pred**2, axis=axis, keepdims=True))
    safe_norm = np.where(norm > EPSILON, norm, 1.0)
    direction = y_pred / safe_norm
    along = np.sum(target * direction, axis=axis, keepdims=True)
    return np.where(
        norm > EPSILON, -(target - along * direction) / safe_norm, -target / EPSILON
    )


register(
    LossEntry(
        name="cosine_similarity",
        display_name="Cosine similarity loss",
        family="similarity",
        when_to_use="Embeddings or directions where only the angle matters, not the length.",
        latex=(
            r"L(y, \hat y) = -\sum_{j=1}^{k} \bar y_j\, \bar{\hat y}_j, \quad "
            r"\bar v = v \cdot \min\left(\frac{1}{\lVert v \rVert_2}, \frac{1}{\epsilon}\right), \quad \epsilon = 10^{-7}"
        ),
        numpy=cosine_similarity_numpy,
        tf=cosine_similarity_tf,
        grad=cosine_similarity_grad,
        params=(
            Param(
                "axis",
                -1,
                "an int, a tuple of ints or None (axes of y_pred)",
                "the axis the vectors lie along (a tuple or None: the vectors span those axes)",
            ),
        ),
        notes="A zero vector has loss 0 (it is scaled by 1/ε, not divided by its zero length).",
    )
)
