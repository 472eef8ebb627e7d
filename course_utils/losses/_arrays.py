"""Input handling shared by every loss: conversion, rank alignment and clear errors.

Keras aligns ``y_true`` and ``y_pred`` before it computes a loss: when their ranks differ by one and the
longer one ends in an axis of size 1, that axis is squeezed (or, for a rank-1 partner, the partner is
expanded). The helpers here do the same in NumPy and in TensorFlow, then insist that the shapes agree:
Keras would silently broadcast a (N, 1) target against (N, k) predictions, a classic bug.

Used by every module of :mod:`course_utils.losses`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Keras's fuzz factor (``keras.config.epsilon()``), used to clip probabilities and avoid log(0) and x/0.
EPSILON = 1e-7


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", type(value).__name__)
    return f"shape {tuple(shape) if shape is not None else '()'} and dtype {dtype}"


def as_float64(name: str, value: Any) -> np.ndarray:
    """``value`` as a non-empty float64 array; an error naming the argument otherwise.

    ``TypeError`` if it is not numeric; ``ValueError`` for a ragged list (rows of different
    lengths, where NumPy would only say "inhomogeneous shape") and for an empty array (a loss of
    no values would be NaN or empty, far from the mistake).
    """
    try:
        array = np.asarray(value)
    except ValueError:
        raise ValueError(
            f"{name} has rows of different lengths (a ragged list); give every row the same "
            "number of entries (pad the short ones) or pass one sample at a time."
        ) from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(
            f"{name} must hold numbers (a float or int array), got {_describe(array)}. "
            "Convert it with np.asarray(..., dtype=float)."
        )
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real, got complex dtype {array.dtype}.")
    if array.size == 0:
        raise ValueError(
            f"{name} is empty (shape {array.shape}); a loss needs at least one value. "
            "Check the slice or filter that built it."
        )
    return array.astype(np.float64)


def align_ranks(y_true: Any, y_pred: Any, squeeze: Any, expand: Any) -> tuple[Any, Any]:
    """Keras's rank alignment, for any array type given its ``squeeze`` and ``expand`` functions."""
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1:
            y_pred = expand(y_pred)
        else:
            y_true = squeeze(y_true)
    elif pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1:
            y_true = expand(y_true)
        else:
            y_pred = squeeze(y_pred)
    return y_true, y_pred


def shape_mismatch(
    true_shape: Any,
    pred_shape: Any,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> ValueError:
    """The error raised when y_true and y_pred (or the caller's ``names`` for them) cannot be
    compared element by element."""
    true, pred = names
    return ValueError(
        f"{true} and {pred} must have the same shape (a trailing axis of size 1 may differ), got "
        f"{true} {tuple(true_shape)} and {pred} {tuple(pred_shape)}. Reshape one of them (a "
        f"transposed array: use .T); broadcasting a (N, 1) target against (N, k) predictions "
        "would compare every target with every output."
    )


def numpy_pair(
    y_true: Any,
    y_pred: Any,
    align: bool = True,
    names: tuple[str, str] = ("y_true", "y_pred"),
) -> tuple[np.ndarray, np.ndarray]:
    """Both arguments as float64 arrays of one shape, aligned as Keras aligns them (if ``align``).

    ``names`` are the caller's names for the two arguments, used in errors (a lesson helper
    whose arguments are ``y`` and ``p`` passes ``("y", "p")``).
    """
    y_true = as_float64(names[0], y_true)
    y_pred = as_float64(names[1], y_pred)
    if align:
        y_true, y_pred = align_ranks(
            y_true,
            y_pred,
            lambda a: np.squeeze(a, axis=-1),
            lambda a: np.expand_dims(a, -1),
        )
    if y_true.shape != y_pred.shape:
        raise shape_mismatch(y_true.shape, y_pred.shape, names)
    return y_true, y_pred


def tf_prediction(y_pred: Any) -> Any:
    """``y_pred`` as a floating tensor (an integer input becomes ``keras.config.floatx()``)."""
    import tensorflow as tf

    if isinstance(y_pred, str) or (
        isinstance(y_pred, np.ndarray) and y_pred.dtype == object
    ):
        raise TypeError(f"y_pred must hold numbers, got {_describe(y_pred)}.")
    y_pred = tf.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        import keras

        y_pred = tf.cast(y_pred, keras.config.floatx())
    return y_pred


def tf_pair(
    y_true: Any, y_pred: Any, align: bool = True, check_shapes: bool = True
) -> tuple[Any, Any]:
    """Both arguments as tensors of ``y_pred``'s float dtype, aligned as Keras aligns them.

    Shapes are checked where they are known when the function is traced, so the check costs nothing
    inside ``tf.function``.
    """
    import tensorflow as tf

    y_pred = tf_prediction(y_pred)
    if isinstance(y_true, str):
        raise TypeError(f"y_true must hold numbers, got {_describe(y_true)}.")
    y_true = tf.cast(tf.convert_to_tensor(y_true), y_pred.dtype)
    if align:
        y_true, y_pred = align_ranks(
            y_true,
            y_pred,
            lambda t: tf.squeeze(t, axis=-1),
            lambda t: tf.expand_dims(t, -1),
        )
    if check_shapes and not y_true.shape.is_compatible_with(y_pred.shape):
        raise shape_mismatch(y_true.shape, y_pred.shape)
    return y_true, y_pred


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""The log of the softmax along ``axis``, shifted by the maximum so exp cannot overflow.

    .. math::
        \ln \operatorname{softmax}(z)_j = z_j - \ln \sum_i e^{z_i}
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def is_python_number(value: Any) -> bool:
    """True for a plain int or float (parameters given as tensors are not range-checked)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, bool
    )


def check_in_range(
    name: str, array: np.ndarray, low: float, high: float, what: str
) -> None:
    """Raise ``ValueError`` naming ``name`` when an element of ``array`` lies outside [low, high].

    For [0, 1] the message also says what the values look like (0–255 pixels, percentages,
    counts, ±1 labels: :func:`course_utils.validation.unit_hint`).
    """
    finite = array[np.isfinite(array)]
    if array.size and (
        finite.size != array.size or finite.min() < low or finite.max() > high
    ):
        from course_utils.validation import unit_hint

        bad = array[~((array >= low) & (array <= high))]
        hint = unit_hint(name, array) if (low, high) == (0.0, 1.0) else ""
        raise ValueError(
            f"{name} must hold {what} in [{low}, {high}], found {bad.flat[0]!r}. "
            + (
                hint
                or f"Check that you passed {name} in the right place and in the right form."
            )
        )


def check_parameter(name: str, value: Any, valid: str) -> None:
    """``TypeError`` naming a loss's hyperparameter when it is None, text or a boolean.

    Range checks follow in each family's ``_check_*``; tensors pass (they are checked by
    TensorFlow when the loss runs), as Keras lets them.
    """
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(
            f"{name} must be {valid}, got {type(value).__name__} {value!r}."
        )
    if is_python_number(value) and not np.isfinite(value):
        raise ValueError(f"{name} must be {valid} (finite), got {value!r}.")
