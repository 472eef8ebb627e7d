"""Classification losses: how far predicted class probabilities (or scores) are from the true classes.

The cross-entropies read probabilities, or logits when ``from_logits=True``; the hinges read raw
scores. ``ε = 10⁻⁷`` is Keras's fuzz factor, ``clip(p) = min(max(p, ε), 1 − ε)``, ``σ`` the sigmoid,
``z`` a logit, ``K`` the number of classes (the size of the class axis; for the binary losses and the
hinges, the size of the axis the mean runs over) and ``k`` an index along that axis.

Keras details every implementation here reproduces:

* label smoothing pulls binary targets towards ½ (``ỹ = y(1 − s) + s/2``) and one-hot targets towards
  the uniform distribution (``ỹ = y(1 − s) + s/K``);
* ``categorical_crossentropy`` on probabilities first renormalises each row to sum 1, then clips;
  ``sparse_categorical_crossentropy`` on probabilities clips first, then renormalises (through a
  log-softmax of the clipped log-probabilities);
* Keras's hidden shortcut (TensorFlow backend): a probability tensor that comes straight out of a
  Keras sigmoid/softmax carries its logits (``_keras_logits``), and so does the output of a
  ``tf.sigmoid``/``tf.nn.softmax`` op inside a graph; ``binary_crossentropy``,
  ``binary_focal_crossentropy``, ``categorical_crossentropy`` and ``sparse_categorical_crossentropy``
  then use the logits path, unclipped: BCE(1, sigmoid(−30)) is 30.0 there but 16.118 for the same
  probability as a plain array. The ``tf`` drop-ins do the same (tested); the NumPy references receive
  plain arrays, which carry no logits, so they always take the clipped path. Any operation on the
  tensor (``p * 1.0``) drops the shortcut. ``categorical_focal_crossentropy`` never takes it;
* ``hinge`` and ``squared_hinge`` turn {0, 1} labels into {−1, +1} when *every* entry of the whole
  ``y_true`` array (all samples, not one row at a time) is 0 or 1.

Bad input: flags (``from_logits``, ``apply_class_balancing``) must be real booleans in every
implementation (Keras would read the string ``"False"`` as true). The NumPy references and gradients
also refuse targets outside their range (binary and one-hot targets in [0, 1], hinge labels in
[−1, 1]); the ``tf`` drop-ins stay as permissive as Keras there (a target of 3 gives a number, as in
Keras), because they must run inside Keras's graphs unchanged.

Used in: 05_classification_losses, 07_losses_in_keras.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from course_utils.losses._arrays import (
    EPSILON,
    as_float64,
    check_in_range,
    check_parameter,
    is_python_number,
    log_softmax,
    numpy_pair,
    tf_pair,
    tf_prediction,
)
from course_utils.losses._catalog import LossEntry, Param, register

# ----------------------------------------------------------------------------- shared checks


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis!r} of type {type(axis)}. "
            "Pass the index of the axis to reduce, e.g. axis=-1."
        )


def _check_label_smoothing(label_smoothing: Any) -> None:
    check_parameter(
        "label_smoothing", label_smoothing, "a number in [0, 1] (0 = no smoothing)"
    )
    if is_python_number(label_smoothing) and not (0.0 <= label_smoothing <= 1.0):
        raise ValueError(
            f"label_smoothing must be a number in [0, 1] (0 = no smoothing), got {label_smoothing!r}. "
            "Typical values are 0.05 to 0.2."
        )


def _check_gamma(gamma: Any) -> None:
    check_parameter(
        "gamma",
        gamma,
        "a finite number >= 0 (the focusing exponent; Keras's default is 2.0)",
    )
    if is_python_number(gamma) and not (np.isfinite(gamma) and gamma >= 0):
        raise ValueError(
            f"gamma must be a finite number >= 0 (the focusing exponent; 0 gives plain cross-entropy), "
            f"got {gamma!r}. Keras's default is 2.0."
        )


def _check_alpha(alpha: Any, allow_sequence: bool) -> None:
    check_parameter("alpha", alpha, "a weight in [0, 1] (Keras's default is 0.25)")
    if is_python_number(alpha):
        values = [alpha]
    elif (
        allow_sequence
        and isinstance(alpha, (Sequence, np.ndarray))
        and not isinstance(alpha, str)
    ):
        values = list(np.asarray(alpha, dtype=float).ravel())
    else:
        return
    if not all(np.isfinite(value) and 0.0 <= value <= 1.0 for value in values):
        raise ValueError(
            f"alpha must be a weight in [0, 1]{' (or a list of them, one per class)' if allow_sequence else ''}, "
            f"got {alpha!r}. Keras's default is 0.25."
        )


def _check_q(q: Any) -> None:
    check_parameter("q", q, "a number in (0, 1]")
    if is_python_number(q) and not (0.0 < q <= 1.0):
        raise ValueError(
            f"q must be a number in (0, 1] (near 0 behaves like cross-entropy, 1 like MAE), got {q!r}. "
            "Keras's CategoricalGeneralizedCrossEntropy class uses 0.5 and allows (0, 1)."
        )


def _check_flag(name: str, value: Any) -> None:
    """Flags must be real booleans: the string "False" is truthy and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be True or False (a bool), got {value!r} of type "
            f"{type(value).__name__}. A string such as 'False' counts as true in Python."
        )


def _check_targets(y_true: np.ndarray, low: float, what: str) -> None:
    """NumPy references only: targets outside [low, 1] are refused (Keras computes a number)."""
    check_in_range("y_true", y_true, low, 1.0, what)


def _check_probabilities(y_pred: np.ndarray, from_logits: bool) -> None:
    if not from_logits:
        check_in_range(
            "y_pred",
            y_pred,
            0.0,
            1.0,
            "probabilities (pass from_logits=True for raw scores)",
        )


def _smooth_binary(y_true: Any, label_smoothing: float) -> Any:
    return (
        y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
        if label_smoothing
        else y_true
    )


def _smooth_categorical(y_true: Any, label_smoothing: float, num_classes: Any) -> Any:
    return (
        y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
        if label_smoothing
        else y_true
    )


# ----------------------------------------------------------------------------- NumPy helpers


def _np_clip(p: np.ndarray) -> np.ndarray:
    return np.clip(p, EPSILON, 1.0 - EPSILON)


def _np_clip_mask(p: np.ndarray) -> np.ndarray:
    """Where ``clip`` passes its gradient on (TensorFlow's clip_by_value: inclusive bounds)."""
    return ((p >= EPSILON) & (p <= 1.0 - EPSILON)).astype(np.float64)


def _np_sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def _np_logistic_loss(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """−y ln σ(z) − (1 − y) ln(1 − σ(z)) = max(z, 0) − z·y + ln(1 + e^{−|z|}), stable for any logit z."""
    return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _np_bce_probabilities(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    clipped = _np_clip(p)
    return -(y * np.log(clipped) + (1.0 - y) * np.log(1.0 - clipped))


def _np_bce_probabilities_slope(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    clipped = _np_clip(p)
    return _np_clip_mask(p) * (-y / clipped + (1.0 - y) / (1.0 - clipped))


def _axis_size(array: np.ndarray, axis: int) -> int:
    return array.shape[axis] if array.ndim else 1


def _np_class_ids(
    y_true: Any, num_classes: int, ignore_class: Any = None
) -> np.ndarray:
    labels = as_float64("y_true", y_true)
    usable = labels if ignore_class is None else labels[labels != ignore_class]
    if usable.size and (
        not np.all(np.isfinite(usable)) or np.any(usable != np.round(usable))
    ):
        raise ValueError(
            "y_true must hold whole-number class ids (0, 1, …, K−1), found a non-integer value. "
            "If y_true is one-hot, use categorical_crossentropy instead."
        )
    check_in_range("y_true", usable, 0, num_classes - 1, "class ids")
    return labels


def _np_sparse_pair(
    y_true: Any, y_pred: Any, ignore_class: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    y_pred = as_float64("y_pred", y_pred)
    if y_pred.ndim < 1:
        raise ValueError(
            f"y_pred must have a class axis (rank >= 1), got shape {y_pred.shape}."
        )
    labels = as_float64("y_true", y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"y_true must hold one class id per prediction row, shape {y_pred.shape[:-1]} (or with a "
            f"trailing axis of size 1) for y_pred of shape {y_pred.shape}; got y_true {labels.shape}."
        )
    return _np_class_ids(labels, y_pred.shape[-1], ignore_class), y_pred


# ----------------------------------------------------------------------------- TensorFlow helpers


def _tf_logits_behind(
    y_pred: Any, from_logits: bool, op_type: str, name: str
) -> tuple[Any, bool]:
    """Keras's rule: a sigmoid/softmax output is read through the logits it was computed from."""
    import tensorflow as tf

    has_keras_logits = hasattr(y_pred, "_keras_logits")
    if has_keras_logits:
        logits, use_logits = y_pred._keras_logits, True
    else:
        logits, use_logits = y_pred, from_logits
    from_op = (
        not has_keras_logits
        and hasattr(y_pred, "op")
        and not isinstance(y_pred, (tf.__internal__.EagerTensor, tf.Variable))
        and y_pred.op.type == op_type
    )
    if from_op:
        logits, use_logits = y_pred.op.inputs[0], True
    if from_logits and (has_keras_logits or from_op):
        warnings.warn(
            f"`{name}` received `from_logits=True`, but y_pred was produced by a {op_type} activation "
            "and thus does not represent logits. Was this intended?",
            stacklevel=3,
        )
    return logits, use_logits


def _tf_mean(values: Any, axis: int) -> Any:
    """Mean over ``axis``, computed in float32 for half-precision inputs (as ``keras.ops.mean``)."""
    import tensorflow as tf

    if values.dtype in (tf.float16, tf.bfloat16):
        return tf.cast(
            tf.reduce_mean(tf.cast(values, tf.float32), axis=axis), values.dtype
        )
    return tf.reduce_mean(values, axis=axis)


def _tf_constant(value: Any, dtype: Any) -> Any:
    """A parameter as a tensor of ``dtype``: Python numbers exactly (not via float32), as Keras's ops do."""
    import tensorflow as tf

    if is_python_number(value):
        return tf.constant(value, dtype=dtype)
    return tf.cast(value, dtype)


def _tf_clip(p: Any) -> Any:
    import tensorflow as tf

    return tf.clip_by_value(p, EPSILON, 1.0 - EPSILON)


def _tf_logistic_loss(y: Any, z: Any) -> Any:
    """softplus(z) − z·y = max(z, 0) − z·y + ln(1 + e^{−|z|}), finite for logits z of ±1e4.

    ``tf.math.softplus`` is computed stably (it returns z itself for large z), one fused op, and its
    derivative is exactly σ(z), so the gradient is σ(z) − y even at z = 0. For a confident correct
    logit (y = 1, large z) the difference loses the tiny true value e^{−z}: an absolute error below
    one unit in the last place of z.
    """
    import tensorflow as tf

    return tf.math.softplus(z) - z * y


def _tf_bce(y: Any, y_pred: Any, from_logits: bool) -> Any:
    import tensorflow as tf

    output, use_logits = _tf_logits_behind(
        y_pred, from_logits, "Sigmoid", "binary_crossentropy"
    )
    if use_logits:
        return _tf_logistic_loss(y, output)
    clipped = _tf_clip(output)
    return -(y * tf.math.log(clipped) + (1.0 - y) * tf.math.log(1.0 - clipped))


# ----------------------------------------------------------------------------- binary crossentropy


def binary_crossentropy_numpy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Binary cross-entropy per sample, float64, as Keras computes it.

    .. math::
        L = -\frac1K \sum_j \tilde y_j \ln \operatorname{clip}(p_j)
            + (1-\tilde y_j) \ln(1-\operatorname{clip}(p_j)),
        \qquad \tilde y = y(1-s) + s/2

    With logits, the stable :math:`\max(z,0) - z\tilde y + \ln(1+e^{-|z|})`.
    """
    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "binary targets (0 or 1, or soft labels in between)")
    _check_probabilities(y_pred, from_logits)
    y = _smooth_binary(y_true, label_smoothing)
    per_element = (
        _np_logistic_loss(y, y_pred)
        if from_logits
        else _np_bce_probabilities(y, y_pred)
    )
    return np.mean(per_element, axis=axis)


def binary_crossentropy_tf(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """BCE in TensorFlow, a drop-in for ``keras.losses.binary_crossentropy``.

    Follows Keras's logits shortcut: a ``y_pred`` straight out of a Keras sigmoid (or the Sigmoid op in a
    graph) is read through its logits. Like Keras, it does not range-check the targets (a target
    outside [0, 1] gives a number, as in Keras); the NumPy reference refuses them. ``from_logits``
    must be a real bool (Keras would read ``"False"`` as true).
    """
    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = tf_pair(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    return _tf_mean(_tf_bce(y, y_pred, from_logits), axis)


def binary_crossentropy_grad(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Gradient of the per-sample binary cross-entropy with respect to ``y_pred``.

    .. math::
        \frac{\partial L}{\partial p_j} = \frac1K \left(\frac{1-\tilde y_j}{1-\operatorname{clip}(p_j)}
        - \frac{\tilde y_j}{\operatorname{clip}(p_j)}\right)

    inside the clip (else 0); for logits :math:`\frac1K(\sigma(z_j) - \tilde y_j)`.
    """
    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "binary targets (0 or 1, or soft labels in between)")
    _check_probabilities(y_pred, from_logits)
    y = _smooth_binary(y_true, label_smoothing)
    slope = (
        _np_sigmoid(y_pred) - y
        if from_logits
        else _np_bce_probabilities_slope(y, y_pred)
    )
    return slope / _axis_size(y_pred, axis)


# ----------------------------------------------------------------------------- binary focal crossentropy


def _np_binary_focal_parts(
    y: np.ndarray, y_pred: np.ndarray, from_logits: bool, gamma: float
):
    p = _np_sigmoid(y_pred) if from_logits else y_pred
    bce = (
        _np_logistic_loss(y, y_pred)
        if from_logits
        else _np_bce_probabilities(y, y_pred)
    )
    p_t = y * p + (1.0 - y) * (1.0 - p)
    focal = (1.0 - p_t) ** gamma
    return p, bce, p_t, focal


def _np_balance(y: np.ndarray, apply_class_balancing: bool, alpha: float) -> Any:
    return y * alpha + (1.0 - y) * (1.0 - alpha) if apply_class_balancing else 1.0


def binary_focal_crossentropy_numpy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Binary focal cross-entropy per sample, float64.

    .. math::
        L = \frac1K \sum_j w_j (1 - p_{t,j})^{\gamma}\, \mathrm{BCE}_j

    :math:`p_t = \tilde y p + (1-\tilde y)(1-p)` uses the unclipped probability;
    :math:`w = \tilde y\alpha + (1-\tilde y)(1-\alpha)` only with class balancing.
    """
    _check_label_smoothing(label_smoothing)
    _check_gamma(gamma)
    _check_alpha(alpha, False)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    _check_flag("apply_class_balancing", apply_class_balancing)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "binary targets (0 or 1, or soft labels in between)")
    _check_probabilities(y_pred, from_logits)
    y = _smooth_binary(y_true, label_smoothing)
    _, bce, _, focal = _np_binary_focal_parts(y, y_pred, from_logits, gamma)
    return np.mean(
        _np_balance(y, apply_class_balancing, alpha) * focal * bce, axis=axis
    )


def binary_focal_crossentropy_tf(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary focal CE in TensorFlow, a drop-in for ``keras.losses.binary_focal_crossentropy``.

    Follows Keras's logits shortcut: a ``y_pred`` straight out of a Keras sigmoid (or the Sigmoid op in a
    graph) is read through its logits. Like Keras, it does not range-check the targets (a target
    outside [0, 1] gives a number, as in Keras); the NumPy reference refuses them. ``from_logits``
    must be a real bool (Keras would read ``"False"`` as true).
    """
    import tensorflow as tf

    _check_label_smoothing(label_smoothing)
    _check_gamma(gamma)
    _check_alpha(alpha, False)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    _check_flag("apply_class_balancing", apply_class_balancing)
    y_true, y_pred = tf_pair(y_true, y_pred)
    y = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        # Keras's sigmoid keeps its logits, so the cross-entropy term is the stable logistic loss.
        bce = _tf_logistic_loss(y, y_pred)
        y_pred = tf.sigmoid(y_pred)
    else:
        bce = _tf_bce(y, y_pred, False)
    p_t = y * y_pred + (1.0 - y) * (1.0 - y_pred)
    focal_bce = tf.pow(1.0 - p_t, _tf_constant(gamma, y_pred.dtype)) * bce
    if apply_class_balancing:
        alpha = _tf_constant(alpha, y_pred.dtype)
        focal_bce = (y * alpha + (1.0 - y) * (1.0 - alpha)) * focal_bce
    return _tf_mean(focal_bce, axis)


def binary_focal_crossentropy_grad(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Gradient of the per-sample binary focal cross-entropy with respect to ``y_pred``.

    .. math::
        \frac{\partial L}{\partial p_j} = \frac{w_j}{K}\left(-\gamma(1-p_t)^{\gamma-1}(2\tilde y_j - 1)\,
        \mathrm{BCE}_j + (1-p_t)^{\gamma}\,\frac{\partial\mathrm{BCE}_j}{\partial p_j}\right)

    For logits, the focal term is multiplied by :math:`p(1-p)` and
    :math:`\partial\mathrm{BCE}/\partial z = \sigma(z) - \tilde y`.
    """
    _check_label_smoothing(label_smoothing)
    _check_gamma(gamma)
    _check_alpha(alpha, False)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    _check_flag("apply_class_balancing", apply_class_balancing)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "binary targets (0 or 1, or soft labels in between)")
    _check_probabilities(y_pred, from_logits)
    y = _smooth_binary(y_true, label_smoothing)
    p, bce, p_t, focal = _np_binary_focal_parts(y, y_pred, from_logits, gamma)
    with np.errstate(divide="ignore", invalid="ignore"):
        focal_slope = np.where(
            gamma == 0, 0.0, -gamma * (1.0 - p_t) ** (gamma - 1.0) * (2.0 * y - 1.0)
        )
    if from_logits:
        slope = focal_slope * p * (1.0 - p) * bce + focal * (p - y)
    else:
        slope = focal_slope * bce + focal * _np_bce_probabilities_slope(y, y_pred)
    return (
        _np_balance(y, apply_class_balancing, alpha) * slope / _axis_size(y_pred, axis)
    )


# ----------------------------------------------------------------------------- categorical crossentropy


def _np_categorical_setup(
    y_true: Any, y_pred: Any, from_logits: bool, label_smoothing: float, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "one-hot (or soft) targets")
    if y_pred.ndim < 1:
        raise ValueError(
            f"y_pred must have a class axis (rank >= 1), got shape {y_pred.shape}."
        )
    _check_probabilities(y_pred, from_logits)
    y = _smooth_categorical(y_true, label_smoothing, y_true.shape[-1])
    return y, y_pred


def categorical_crossentropy_numpy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Categorical cross-entropy per sample, float64, as Keras computes it.

    .. math::
        L = -\sum_j \tilde y_j \ln \operatorname{clip}\Big(p_j / \sum_i p_i\Big)
        \quad\text{or, from logits,}\quad
        L = -\sum_j \tilde y_j \operatorname{log\,softmax}(z)_j

    :math:`\tilde y = y(1-s) + s/K`. The sum runs over ``axis``.
    """
    y, y_pred = _np_categorical_setup(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    if from_logits:
        return -np.sum(y * log_softmax(y_pred, axis), axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    return -np.sum(y * np.log(_np_clip(normalised)), axis=axis)


def categorical_crossentropy_tf(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """CCE in TensorFlow, a drop-in for ``keras.losses.categorical_crossentropy``.

    Follows Keras's logits shortcut: a ``y_pred`` straight out of a Keras softmax (or the Softmax op in a
    graph) is read through its logits. Like Keras, it does not range-check the targets (a target
    outside [0, 1] gives a number, as in Keras); the NumPy reference refuses them. ``from_logits``
    must be a real bool (Keras would read ``"False"`` as true).
    """
    import tensorflow as tf

    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = tf_pair(y_true, y_pred)
    if len(y_pred.shape) < 1:
        raise ValueError(
            f"y_true and y_pred must be at least rank 1, got y_true {y_true.shape} "
            f"and y_pred {y_pred.shape}."
        )
    if y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
        y_true = _smooth_categorical(y_true, label_smoothing, num_classes)
    output, use_logits = _tf_logits_behind(
        y_pred, from_logits, "Softmax", "categorical_crossentropy"
    )
    if use_logits:
        return -tf.reduce_sum(y_true * tf.nn.log_softmax(output, axis=axis), axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    return -tf.reduce_sum(y_true * tf.math.log(_tf_clip(output)), axis=axis)


def categorical_crossentropy_grad(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Gradient of the per-sample categorical cross-entropy with respect to ``y_pred``.

    Probabilities, with :math:`S = \sum_j p_j`, :math:`r = p/S` and
    :math:`g_j = -\tilde y_j/\operatorname{clip}(r_j)` inside the clip (else 0); logits:

    .. math::
        \frac{\partial L}{\partial p_i} = \frac{g_i - \sum_j g_j r_j}{S},
        \qquad
        \frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i \sum_j \tilde y_j - \tilde y_i
    """
    y, y_pred = _np_categorical_setup(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    if from_logits:
        return (
            np.exp(log_softmax(y_pred, axis)) * np.sum(y, axis=axis, keepdims=True) - y
        )
    total = np.sum(y_pred, axis=axis, keepdims=True)
    ratio = y_pred / total
    g = -y * _np_clip_mask(ratio) / _np_clip(ratio)
    return (g - np.sum(g * ratio, axis=axis, keepdims=True)) / total


# ----------------------------------------------------------------------------- sparse categorical crossentropy


def _check_sparse_axis(axis: Any, rank: int) -> None:
    _check_axis(axis)
    if axis != -1 and axis != rank - 1:
        raise ValueError(
            f"Only axis=-1 is currently supported. Received: axis={axis}. The class axis of y_pred "
            "must be the last one; move it there first (np.moveaxis / tf.experimental.numpy.moveaxis)."
        )


def _check_ignore_class(ignore_class: Any) -> None:
    if ignore_class is not None and not (
        is_python_number(ignore_class) and float(ignore_class).is_integer()
    ):
        raise ValueError(
            f"ignore_class must be None or a whole number (a class id to skip, e.g. -1 or 255), got "
            f"{ignore_class!r}."
        )


def _np_sparse_parts(
    y_true: Any, y_pred: Any, from_logits: bool, ignore_class: Any, axis: int
):
    _check_ignore_class(ignore_class)
    _check_flag("from_logits", from_logits)
    y_pred = as_float64("y_pred", y_pred)  # a ragged list gets a named error first
    _check_sparse_axis(axis, np.ndim(y_pred))
    labels, y_pred = _np_sparse_pair(y_true, y_pred, ignore_class)
    _check_probabilities(y_pred, from_logits)
    valid = (
        np.ones(labels.shape, bool) if ignore_class is None else labels != ignore_class
    )
    labels = np.where(valid, labels, 0).astype(np.int64)
    y_pred = np.where(valid[..., None], y_pred, 0.0)
    logits = y_pred if from_logits else np.log(_np_clip(y_pred))
    one_hot = np.eye(y_pred.shape[-1])[labels]
    return valid, y_pred, logits, one_hot


def sparse_categorical_crossentropy_numpy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> np.ndarray:
    r"""Sparse categorical cross-entropy per sample, float64; 0 where y is ``ignore_class``.

    .. math::
        L = -\ln \operatorname{clip}(p_y) + \ln \sum_j \operatorname{clip}(p_j)
        \quad\text{or, from logits,}\quad
        L = -\operatorname{log\,softmax}(z)_y
    """
    valid, _, logits, one_hot = _np_sparse_parts(
        y_true, y_pred, from_logits, ignore_class, axis
    )
    loss = -np.sum(one_hot * log_softmax(logits, -1), axis=-1)
    return np.where(valid, loss, 0.0)


def sparse_categorical_crossentropy_tf(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> Any:
    """SCCE in TensorFlow, a drop-in for ``keras.losses.sparse_categorical_crossentropy``.

    With ``ignore_class`` the result carries Keras's mask, so a Keras loss class averages over the
    kept positions only. Follows Keras's logits shortcut for a ``y_pred`` straight out of a Keras
    softmax (or a Softmax op in a graph). Stricter than Keras on the labels, eagerly and in graphs: an
    id outside [0, K) or a NaN, infinite or fractional id raises an error naming ``y_true`` (Keras
    fails with a message about an internal op, or truncates a fraction silently).
    """
    import tensorflow as tf

    _check_ignore_class(ignore_class)
    _check_flag("from_logits", from_logits)
    y_pred = tf_prediction(y_pred)
    if isinstance(y_true, str):
        raise TypeError("y_true must hold numbers (class ids), got a string.")
    y_true = tf.convert_to_tensor(y_true)
    rank = len(y_pred.shape)
    if rank < 1:
        raise ValueError(
            f"y_pred must have a class axis (rank >= 1), got shape {y_pred.shape}."
        )
    _check_sparse_axis(axis, rank)
    if len(y_true.shape) == rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, axis=-1)
    if not y_true.shape.is_compatible_with(y_pred.shape[:-1]):
        raise ValueError(
            f"y_true must hold one class id per prediction row, shape {y_pred.shape[:-1]} (or with a "
            f"trailing axis of size 1) for y_pred of shape {y_pred.shape}; got y_true {y_true.shape}."
        )
    valid = None
    if ignore_class is not None:
        valid = tf.not_equal(y_true, tf.cast(ignore_class, y_true.dtype))
        y_true = tf.where(valid, y_true, tf.zeros_like(y_true))
        y_pred = tf.where(valid[..., None], y_pred, tf.zeros_like(y_pred))
    if y_true.dtype.is_floating:
        # A NaN or a fraction would become a huge negative or a truncated id once cast to int.
        tf.debugging.assert_equal(
            tf.reduce_all(
                tf.math.is_finite(y_true) & tf.equal(tf.floor(y_true), y_true)
            ),
            True,
            message="y_true must hold whole-number class ids (0, 1, …, K−1); it holds NaN, "
            "infinity or a fraction",
        )
    labels = tf.cast(y_true, tf.int64)
    logits, use_logits = _tf_logits_behind(
        y_pred, from_logits, "Softmax", "sparse_categorical_crossentropy"
    )
    if not use_logits:
        logits = tf.math.log(_tf_clip(logits))
    log_probabilities = tf.nn.log_softmax(logits, axis=-1)
    # Picking -log p[label] with a one-hot mask: its gradient is a product, not a scatter. A one-hot of
    # an id outside [0, C) would be all zeros (a silent loss of 0), so the ids are checked first.
    classes = tf.shape(log_probabilities)[-1]
    tf.debugging.assert_non_negative(labels, message="y_true must hold class ids >= 0")
    tf.debugging.assert_less(
        labels,
        tf.cast(classes, labels.dtype),
        message="y_true must hold class ids below the number of classes of y_pred",
    )
    picked = tf.one_hot(labels, classes, dtype=log_probabilities.dtype)
    result = -tf.reduce_sum(picked * log_probabilities, axis=-1)
    if valid is not None:
        from keras.src.backend.common.masking import set_keras_mask

        result = tf.where(valid, result, tf.zeros_like(result))
        set_keras_mask(result, mask=valid)
    return result


def sparse_categorical_crossentropy_grad(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> np.ndarray:
    r"""Gradient of the per-sample sparse categorical cross-entropy; 0 on ignored rows.

    .. math::
        \frac{\partial L}{\partial p_j} = \frac{1}{\sum_i \operatorname{clip}(p_i)}
        - \frac{[j = y]}{\operatorname{clip}(p_j)}
        \quad\text{(inside the clip, else 0)}, \qquad
        \frac{\partial L}{\partial z_j} = \operatorname{softmax}(z)_j - [j = y]
    """
    valid, masked, logits, one_hot = _np_sparse_parts(
        y_true, y_pred, from_logits, ignore_class, axis
    )
    if from_logits:
        slope = np.exp(log_softmax(logits, -1)) - one_hot
    else:
        clipped = _np_clip(masked)
        slope = _np_clip_mask(masked) * (
            1.0 / np.sum(clipped, axis=-1, keepdims=True) - one_hot / clipped
        )
    return np.where(valid[..., None], slope, 0.0)


# ----------------------------------------------------------------------------- categorical focal crossentropy


def _np_categorical_focal_parts(
    y_true: Any,
    y_pred: Any,
    alpha: Any,
    gamma: float,
    from_logits: bool,
    label_smoothing: float,
    axis: int,
):
    _check_gamma(gamma)
    _check_alpha(alpha, True)
    y, y_pred = _np_categorical_setup(
        y_true, y_pred, from_logits, label_smoothing, axis
    )
    probabilities = np.exp(log_softmax(y_pred, axis)) if from_logits else y_pred
    total = np.sum(probabilities, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = probabilities / total
    alpha = np.asarray(alpha, dtype=np.float64)
    return y, probabilities, total, ratio, _np_clip(ratio), alpha


def categorical_focal_crossentropy_numpy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Categorical focal cross-entropy per sample, float64.

    .. math::
        L = -\sum_j \alpha (1 - c_j)^{\gamma} \tilde y_j \ln c_j, \qquad
        c = \operatorname{clip}\Big(p / \sum_i p_i\Big)

    With logits :math:`p = \operatorname{softmax}(z)` first; ``alpha`` may be one weight per class.
    """
    y, _, _, _, clipped, alpha = _np_categorical_focal_parts(
        y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis
    )
    return np.sum(alpha * (1.0 - clipped) ** gamma * (-y * np.log(clipped)), axis=axis)


def categorical_focal_crossentropy_tf(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Categorical focal CE in TensorFlow, a drop-in for ``keras.losses.categorical_focal_crossentropy``.

    Like Keras, it takes no logits shortcut and does not range-check the targets (the NumPy
    reference refuses targets outside [0, 1]); ``from_logits`` must be a real bool.
    """
    import tensorflow as tf

    _check_gamma(gamma)
    _check_alpha(alpha, True)
    _check_label_smoothing(label_smoothing)
    _check_axis(axis)
    _check_flag("from_logits", from_logits)
    y_true, y_pred = tf_pair(y_true, y_pred)
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
        y_true = _smooth_categorical(y_true, label_smoothing, num_classes)
    if from_logits:
        y_pred = tf.nn.softmax(y_pred, axis=axis)
    output = _tf_clip(y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True))
    # A list of per-class weights becomes a float32 tensor first, as in keras.ops.multiply.
    alpha = _tf_constant(alpha, y_pred.dtype)
    weight = tf.pow(1.0 - output, _tf_constant(gamma, y_pred.dtype)) * alpha
    return tf.reduce_sum(weight * (-y_true * tf.math.log(output)), axis=axis)


def categorical_focal_crossentropy_grad(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    r"""Gradient of the per-sample categorical focal cross-entropy with respect to ``y_pred``.

    With :math:`\ell_j = \alpha(1-c_j)^\gamma(-\tilde y_j \ln c_j)`, inside the clip (else 0):

    .. math::
        g_j = \frac{\partial\ell_j}{\partial c_j}
        = \alpha\tilde y_j\big(\gamma(1-c_j)^{\gamma-1}\ln c_j - (1-c_j)^\gamma/c_j\big),
        \qquad
        \frac{\partial L}{\partial p_i} = \frac{g_i - \sum_j g_j r_j}{S}

    and for logits, with :math:`G = \partial L/\partial p`,

    .. math::
        \frac{\partial L}{\partial z_i}
        = \operatorname{softmax}(z)_i \Big(G_i - \sum_j G_j \operatorname{softmax}(z)_j\Big)
    """
    y, probabilities, total, ratio, clipped, alpha = _np_categorical_focal_parts(
        y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        focal_slope = np.where(
            gamma == 0, 0.0, gamma * (1.0 - clipped) ** (gamma - 1.0)
        )
    g = alpha * y * (focal_slope * np.log(clipped) - (1.0 - clipped) ** gamma / clipped)
    g = g * _np_clip_mask(ratio)
    slope = (g - np.sum(g * ratio, axis=axis, keepdims=True)) / total
    if from_logits:
        slope = probabilities * (
            slope - np.sum(slope * probabilities, axis=axis, keepdims=True)
        )
    return slope


# ----------------------------------------------------------------------------- generalized cross entropy


def _np_gce_parts(y_true: Any, y_pred: Any, q: float):
    _check_q(q)
    y_pred = as_float64("y_pred", y_pred)
    if y_pred.ndim < 1:
        raise ValueError(
            f"y_pred must have a class axis (rank >= 1), got shape {y_pred.shape}."
        )
    as_float64("y_true", y_true)  # a ragged, empty or text y_true gets a named error
    labels = np.asarray(y_true)
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"y_true must hold one class id per prediction row, shape {y_pred.shape[:-1]} for y_pred of "
            f"shape {y_pred.shape}; got y_true {labels.shape}. Squeeze a trailing axis of size 1 first "
            "(Keras would broadcast it against the batch)."
        )
    labels = _np_class_ids(labels, y_pred.shape[-1]).astype(np.int64)
    check_in_range("y_pred", y_pred, 0.0, 1.0, "class probabilities")
    one_hot = np.eye(y_pred.shape[-1])[labels]
    return one_hot, np.sum(y_pred * one_hot, axis=-1)


def categorical_generalized_cross_entropy_numpy(
    y_true: Any, y_pred: Any, q: float
) -> np.ndarray:
    r"""Generalized cross-entropy per sample, float64.

    .. math::
        L = \frac{1 - p_y^{\,q}}{q}

    with :math:`p_y` the (unclipped) probability of the true class.
    """
    _, p = _np_gce_parts(y_true, y_pred, q)
    return (1.0 - p**q) / q


def categorical_generalized_cross_entropy_tf(y_true: Any, y_pred: Any, q: Any) -> Any:
    """GCE in TensorFlow, a drop-in for ``keras.losses.categorical_generalized_cross_entropy``."""
    import tensorflow as tf

    _check_q(q)
    y_pred = tf_prediction(y_pred)
    if isinstance(y_true, str):
        raise TypeError("y_true must hold numbers (class ids), got a string.")
    labels = tf.cast(tf.convert_to_tensor(y_true), tf.int32)
    one_hot = tf.one_hot(labels, tf.shape(y_pred)[-1], dtype=y_pred.dtype)
    p = tf.reduce_sum(y_pred * one_hot, axis=-1)
    q = _tf_constant(q, y_pred.dtype)
    return (1.0 - tf.pow(p, q)) / q


def categorical_generalized_cross_entropy_grad(
    y_true: Any, y_pred: Any, q: float
) -> np.ndarray:
    r"""Gradient of the generalized cross-entropy: nonzero for the true class only.

    .. math::
        \frac{\partial L}{\partial p_j} = -p_y^{\,q-1} \;\text{ for } j = y, \qquad 0 \text{ otherwise}
    """
    one_hot, p = _np_gce_parts(y_true, y_pred, q)
    with np.errstate(divide="ignore"):
        return -one_hot * (p ** (q - 1.0))[..., None]


# ----------------------------------------------------------------------------- hinge family


def _np_hinge_labels(y_true: np.ndarray) -> np.ndarray:
    return 2.0 * y_true - 1.0 if np.all((y_true == 0) | (y_true == 1)) else y_true


def _tf_hinge_labels(y_true: Any) -> Any:
    import tensorflow as tf

    is_binary = tf.reduce_all(
        tf.logical_or(tf.equal(y_true, 0.0), tf.equal(y_true, 1.0))
    )
    return tf.cond(is_binary, lambda: 2.0 * y_true - 1.0, lambda: y_true)


def hinge_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Hinge loss per sample, float64; labels {0, 1} become {−1, +1} when all are 0 or 1.

    .. math::
        L = \frac1K \sum_j \max(1 - y_j \hat y_j, 0)
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, -1.0, "labels (−1 or +1, or 0 or 1)")
    return np.mean(np.maximum(1.0 - _np_hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def hinge_tf(y_true: Any, y_pred: Any) -> Any:
    """Hinge in TensorFlow, a drop-in for ``keras.losses.hinge``.

    As permissive as Keras: labels outside [−1, 1] give a number (the NumPy reference refuses them).
    """
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    return _tf_mean(tf.maximum(1.0 - _tf_hinge_labels(y_true) * y_pred, 0.0), -1)


def hinge_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the hinge loss with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = -\frac{y_j}{K} \;\text{ where } 1 - y_j\hat y_j \ge 0,
        \qquad 0 \text{ otherwise}
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, -1.0, "labels (−1 or +1, or 0 or 1)")
    y = _np_hinge_labels(y_true)
    return np.where(1.0 - y * y_pred >= 0.0, -y, 0.0) / _axis_size(y_pred, -1)


def squared_hinge_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Squared hinge loss per sample, float64.

    .. math::
        L = \frac1K \sum_j \max(1 - y_j \hat y_j, 0)^2
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, -1.0, "labels (−1 or +1, or 0 or 1)")
    return np.mean(
        np.maximum(1.0 - _np_hinge_labels(y_true) * y_pred, 0.0) ** 2, axis=-1
    )


def squared_hinge_tf(y_true: Any, y_pred: Any) -> Any:
    """Squared hinge in TensorFlow, a drop-in for ``keras.losses.squared_hinge``.

    As permissive as Keras: labels outside [−1, 1] give a number (the NumPy reference refuses them).
    """
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    return _tf_mean(
        tf.square(tf.maximum(1.0 - _tf_hinge_labels(y_true) * y_pred, 0.0)), -1
    )


def squared_hinge_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the squared hinge loss with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = -\frac{2}{K} y_j \max(1 - y_j \hat y_j, 0)
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, -1.0, "labels (−1 or +1, or 0 or 1)")
    y = _np_hinge_labels(y_true)
    return -2.0 * y * np.maximum(1.0 - y * y_pred, 0.0) / _axis_size(y_pred, -1)


def categorical_hinge_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Categorical hinge loss per sample, float64.

    .. math::
        L = \max\Big(\max_j (1 - y_j)\hat y_j - \sum_j y_j \hat y_j + 1,\ 0\Big)
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "one-hot (or soft) targets")
    positive = np.sum(y_true * y_pred, axis=-1)
    negative = np.max((1.0 - y_true) * y_pred, axis=-1)
    return np.maximum(negative - positive + 1.0, 0.0)


def categorical_hinge_tf(y_true: Any, y_pred: Any) -> Any:
    """Categorical hinge in TensorFlow, a drop-in for ``keras.losses.categorical_hinge``.

    As permissive as Keras: targets outside [0, 1] give a number (the NumPy reference refuses them).
    """
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    positive = tf.reduce_sum(y_true * y_pred, axis=-1)
    negative = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tf.maximum(negative - positive + 1.0, tf.zeros_like(positive))


def categorical_hinge_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the categorical hinge loss with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac{(1 - y_j)\, t_j}{n} - y_j

    where the margin term is :math:`\ge 0` (else 0); :math:`t_j` marks the :math:`n` tied maxima of
    :math:`(1-y)\hat y`, as TensorFlow splits ties.
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    _check_targets(y_true, 0.0, "one-hot (or soft) targets")
    scores = (1.0 - y_true) * y_pred
    negative = np.max(scores, axis=-1, keepdims=True)
    ties = (scores == negative).astype(np.float64)
    ties /= np.sum(ties, axis=-1, keepdims=True)
    positive = np.sum(y_true * y_pred, axis=-1, keepdims=True)
    active = (negative - positive + 1.0 >= 0.0).astype(np.float64)
    return active * ((1.0 - y_true) * ties - y_true)


# ----------------------------------------------------------------------------- catalog entries


def _bool_check(value: Any) -> str | None:
    return None if isinstance(value, (bool, np.bool_)) else "Pass True or False."


def _int_axis_check(value: Any) -> str | None:
    return (
        None
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        else "Pass an int."
    )


FROM_LOGITS = Param(
    "from_logits",
    False,
    "True or False",
    "True when y_pred holds raw scores (logits) rather than probabilities; the loss then applies the "
    "sigmoid/softmax itself, stably",
    _bool_check,
)
LABEL_SMOOTHING = Param(
    "label_smoothing",
    0.0,
    "a number in [0, 1]",
    "how far the targets are pulled from 0/1 towards uniform: binary ỹ = y(1−s)+s/2, categorical ỹ = y(1−s)+s/K",
    lambda value: None if 0.0 <= value <= 1.0 else "It is a mixing weight.",
)
AXIS_MEAN = Param(
    "axis",
    -1,
    "an int (an axis of y_pred)",
    "the axis the per-element losses are averaged over",
    _int_axis_check,
)
AXIS_CLASSES = Param(
    "axis",
    -1,
    "an int (an axis of y_pred)",
    "the class axis the cross-entropy sums over",
    _int_axis_check,
)
GAMMA = Param(
    "gamma",
    2.0,
    "a number >= 0",
    "the focusing exponent: (1 − p_t)^γ shrinks the loss of well-classified examples; 0 gives plain cross-entropy",
    lambda value: (
        None if value >= 0 else "A negative exponent would up-weight the easy examples."
    ),
)
BINARY_ALPHA = Param(
    "alpha",
    0.25,
    "a number in [0, 1]",
    "the weight of class 1 when apply_class_balancing=True (class 0 gets 1 − α)",
    lambda value: (
        None if 0.0 <= value <= 1.0 else "It is a weight between the two classes."
    ),
)
CATEGORICAL_ALPHA = Param(
    "alpha",
    0.25,
    "a number in [0, 1], or a list of them (one per class)",
    "a weight multiplying every class's term (per class when a list)",
    lambda value: (
        None
        if np.all((np.asarray(value) >= 0) & (np.asarray(value) <= 1))
        else "It is a weight."
    ),
)

Q = Param(
    "q",
    None,
    "a number in (0, 1]",
    "the noise-robustness exponent; required (the Keras function has no default, its class uses 0.5 "
    "and allows (0, 1))",
    lambda value: (
        None if 0.0 < value <= 1.0 else "q = 0 divides by zero; q > 1 is not a GCE."
    ),
    required=True,
)

EPS_TEXT = r"\epsilon = 10^{-7}"
SHORTCUT = (
    "Keras's hidden shortcut (TensorFlow backend): a y_pred straight out of a Keras {act} (it carries "
    "`_keras_logits`) or a {op} op in a graph is read through its logits, unclipped, even with "
    "from_logits=False: {ex}. Our tf follows Keras (tested); our numpy gets plain arrays and always "
    "clips."
)
CLIP_TEXT = r"\operatorname{clip}(u) = \min(\max(u, \epsilon), 1 - \epsilon)"
#: Keras's label conversion for the hinges, decided once for the whole y_true array (every sample).
HINGE_LABELS = (
    r"y \leftarrow 2y - 1 \text{ if every entry of the whole } y_{\text{true}} "
    r"\text{ array (all samples) is 0 or 1, else } y \text{ as given}"
)

register(
    LossEntry(
        name="binary_crossentropy",
        display_name="Binary cross-entropy (log loss)",
        family="classification",
        when_to_use="Binary or multi-label targets with one sigmoid output per label.",
        latex=(
            r"L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} -\left[\tilde y_k \ln \operatorname{clip}(\hat y_k)"
            r" + (1 - \tilde y_k) \ln\left(1 - \operatorname{clip}(\hat y_k)\right)\right], \quad "
            r"\tilde y = y (1 - s) + \tfrac{s}{2}, \quad "
            + CLIP_TEXT
            + r", \quad "
            + EPS_TEXT
            + r"; \quad "
            r"\text{from_logits (}\hat y = z\text{): } \ell_k = \max(z_k, 0) - z_k \tilde y_k + \ln\left(1 + e^{-|z_k|}\right)"
        ),
        numpy=binary_crossentropy_numpy,
        tf=binary_crossentropy_tf,
        grad=binary_crossentropy_grad,
        params=(FROM_LOGITS, LABEL_SMOOTHING, AXIS_MEAN),
        y_true_domain="binary",
        y_pred_domain="probability",
        notes="The mean runs over `axis` (K is its size); s is label_smoothing; with logits nothing "
        "is clipped. "
        + SHORTCUT.format(
            act="sigmoid",
            op="Sigmoid",
            ex="BCE(1, sigmoid(−30)) = 30.0 there, 16.118 for the same probability as an array",
        ),
    )
)
register(
    LossEntry(
        name="binary_focal_crossentropy",
        display_name="Binary focal cross-entropy",
        family="classification",
        when_to_use="Binary targets with heavy class imbalance, where easy negatives would swamp plain cross-entropy.",
        latex=(
            r"L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} w_k \left(1 - p_{t,k}\right)^{\gamma} \mathrm{BCE}_k, \quad "
            r"p_t = \tilde y\, p + (1 - \tilde y)(1 - p), \quad w = \begin{cases} \tilde y \alpha + (1 - \tilde y)(1 - \alpha)"
            r" & \text{class balancing} \\ 1 & \text{otherwise} \end{cases}, \quad "
            r"\tilde y = y (1 - s) + \tfrac{s}{2}; \quad p = \hat y,\ \mathrm{BCE} = -\left[\tilde y \ln \operatorname{clip}(p)"
            r" + (1 - \tilde y) \ln(1 - \operatorname{clip}(p))\right], \ "
            + CLIP_TEXT
            + r", \ "
            + EPS_TEXT
            + r"; \quad "
            r"\text{from_logits (}\hat y = z\text{): } p = \sigma(z),\ \mathrm{BCE} = \max(z, 0) - z \tilde y + \ln\left(1 + e^{-|z|}\right)"
        ),
        numpy=binary_focal_crossentropy_numpy,
        tf=binary_focal_crossentropy_tf,
        grad=binary_focal_crossentropy_grad,
        params=(
            Param(
                "apply_class_balancing",
                False,
                "True or False",
                "whether to weight class 1 by α and class 0 by 1 − α",
                _bool_check,
            ),
            BINARY_ALPHA,
            GAMMA,
            FROM_LOGITS,
            LABEL_SMOOTHING,
            AXIS_MEAN,
        ),
        y_true_domain="binary",
        y_pred_domain="probability",
        notes="p_t uses the unclipped probability; only the log inside BCE is clipped (as Keras does). "
        + SHORTCUT.format(
            act="sigmoid",
            op="Sigmoid",
            ex="focal BCE(1, sigmoid(−30)) = 30.0 there, 16.118 as an array",
        ),
    )
)
register(
    LossEntry(
        name="categorical_crossentropy",
        display_name="Categorical cross-entropy",
        family="classification",
        when_to_use="Single-label multi-class targets given as one-hot (or soft) rows, with a softmax output.",
        latex=(
            r"L(y, \hat y) = -\sum_{k=1}^{K} \tilde y_k \ln \operatorname{clip}\left(\frac{\hat y_k}{\sum_{k'=1}^{K} \hat y_{k'}}\right),"
            r" \quad \tilde y = y (1 - s) + \tfrac{s}{K}, \quad "
            + CLIP_TEXT
            + r", \quad "
            + EPS_TEXT
            + r"; \quad "
            r"\text{from_logits (}\hat y = z\text{): } L = -\sum_{k=1}^{K} \tilde y_k \left(z_k - \ln \sum_{k'=1}^{K} e^{z_{k'}}\right)"
        ),
        numpy=categorical_crossentropy_numpy,
        tf=categorical_crossentropy_tf,
        grad=categorical_crossentropy_grad,
        params=(FROM_LOGITS, LABEL_SMOOTHING, AXIS_CLASSES),
        y_true_domain="one_hot",
        y_pred_domain="distribution",
        notes="With probabilities each row is first renormalised to sum 1, then clipped; the sums run "
        "over `axis`. "
        + SHORTCUT.format(
            act="softmax",
            op="Softmax",
            ex="a true class of logit −30 costs about 35 there, 16.118 as an array",
        ),
    )
)
register(
    LossEntry(
        name="sparse_categorical_crossentropy",
        display_name="Sparse categorical cross-entropy",
        family="classification",
        when_to_use="Single-label multi-class targets given as integer class ids, with a softmax output.",
        latex=(
            r"L(y, \hat y) = -\ln \operatorname{clip}(\hat y_{y}) + \ln \sum_{k=1}^{K} \operatorname{clip}(\hat y_k), \quad "
            + CLIP_TEXT
            + r", \quad "
            + EPS_TEXT
            + r"; \quad "
            r"\text{from_logits (}\hat y = z\text{): } L = -z_{y} + \ln \sum_{k=1}^{K} e^{z_k}; \quad L = 0 \text{ where } y = \text{ignore_class}"
        ),
        numpy=sparse_categorical_crossentropy_numpy,
        tf=sparse_categorical_crossentropy_tf,
        grad=sparse_categorical_crossentropy_grad,
        params=(
            FROM_LOGITS,
            Param(
                "ignore_class",
                None,
                "None or an int (a class id, e.g. -1 or 255)",
                "a label whose positions get loss 0 and are left out of the Keras class's average",
                lambda value: (
                    None
                    if value is None or float(value).is_integer()
                    else "Pass a whole number."
                ),
            ),
            Param(
                "axis",
                -1,
                "-1 (the last axis)",
                "the class axis; the TensorFlow backend supports only the last",
                lambda value: None if value == -1 else "Move the class axis last.",
            ),
        ),
        y_true_domain="index",
        y_pred_domain="distribution",
        notes="With probabilities the clipped values are renormalised (a log-softmax of their logs), so clip "
        "comes before renormalising here, unlike categorical_crossentropy. "
        + SHORTCUT.format(
            act="softmax",
            op="Softmax",
            ex="a true class of logit −30 costs about 35 there, 16.118 as an array",
        ),
    )
)
register(
    LossEntry(
        name="categorical_focal_crossentropy",
        display_name="Categorical focal cross-entropy",
        family="classification",
        when_to_use="Imbalanced multi-class targets in one-hot form, to down-weight the many easy examples.",
        latex=(
            r"L(y, \hat y) = -\sum_{k=1}^{K} \alpha_k \left(1 - c_k\right)^{\gamma} \tilde y_k \ln c_k, \quad "
            r"c = \operatorname{clip}\left(\frac{p}{\sum_{k'=1}^{K} p_{k'}}\right), \quad p = \hat y "
            r"\ (\text{from_logits, } \hat y = z\text{: } p = \operatorname{softmax}(z)), \quad \tilde y = y (1 - s) + \tfrac{s}{K}, \quad "
            + CLIP_TEXT
            + r", \quad "
            + EPS_TEXT
        ),
        numpy=categorical_focal_crossentropy_numpy,
        tf=categorical_focal_crossentropy_tf,
        grad=categorical_focal_crossentropy_grad,
        params=(CATEGORICAL_ALPHA, GAMMA, FROM_LOGITS, LABEL_SMOOTHING, AXIS_CLASSES),
        y_true_domain="one_hot",
        y_pred_domain="distribution",
        notes="Even with logits Keras takes the softmax, renormalises and clips (no log-softmax), so a "
        "confident wrong logit costs at most −ln ε ≈ 16.1 per unit of weight. It never takes Keras's "
        "logits shortcut: a softmax output and the same probabilities as an array give the same loss.",
    )
)
register(
    LossEntry(
        name="categorical_generalized_cross_entropy",
        display_name="Generalized cross-entropy (GCE)",
        family="classification",
        when_to_use="Multi-class targets with noisy labels: q near 0 acts like cross-entropy, q = 1 like MAE.",
        latex=r"L(y, \hat y) = \frac{1 - \hat y_{y}^{\,q}}{q}, \quad \hat y_{y} = \sum_{k=1}^{K} [k = y]\, \hat y_k \ (\text{not clipped})",
        numpy=categorical_generalized_cross_entropy_numpy,
        tf=categorical_generalized_cross_entropy_tf,
        grad=categorical_generalized_cross_entropy_grad,
        params=(Q,),
        y_true_domain="index",
        y_pred_domain="distribution",
        notes="No clipping: a zero probability for the true class gives loss 1/q and an infinite gradient. "
        "Keras does not squeeze a (N, 1) label array here (it broadcasts to (N, N)); our tf does the "
        "same, our numpy refuses it.",
    )
)
register(
    LossEntry(
        name="hinge",
        display_name="Hinge loss",
        family="classification",
        when_to_use="Binary max-margin classification (SVM style) with a raw score output and ±1 labels.",
        latex=(
            r"L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} \max\left(1 - y_k \hat y_k, 0\right), \quad "
            + HINGE_LABELS
        ),
        numpy=hinge_numpy,
        tf=hinge_tf,
        grad=hinge_grad,
        y_true_domain="signed",
        y_pred_domain="real",
        notes="The {0,1}→{−1,+1} conversion looks at the whole y_true array at once (all samples): one "
        "label of 0.5 or −1 anywhere in the batch switches it off for every row. At the kink the "
        "gradient −y/k is used, as TensorFlow's maximum passes it to its first argument on ties.",
    )
)
register(
    LossEntry(
        name="squared_hinge",
        display_name="Squared hinge loss",
        family="classification",
        when_to_use="Max-margin binary classification that punishes margin violations quadratically and is smooth.",
        latex=(
            r"L(y, \hat y) = \frac{1}{K} \sum_{k=1}^{K} \max\left(1 - y_k \hat y_k, 0\right)^2, \quad "
            + HINGE_LABELS
        ),
        numpy=squared_hinge_numpy,
        tf=squared_hinge_tf,
        grad=squared_hinge_grad,
        y_true_domain="signed",
        y_pred_domain="real",
        notes="The {0,1}→{−1,+1} conversion looks at the whole y_true array at once (all samples), as "
        "for hinge.",
    )
)
register(
    LossEntry(
        name="categorical_hinge",
        display_name="Categorical hinge loss",
        family="classification",
        when_to_use="Multi-class max-margin classification: the true class's score must beat the best other by 1.",
        latex=(
            r"L(y, \hat y) = \max\left(\max_{k} (1 - y_k) \hat y_k - \sum_{k=1}^{K} y_k \hat y_k + 1,\ 0\right)"
        ),
        numpy=categorical_hinge_numpy,
        tf=categorical_hinge_tf,
        grad=categorical_hinge_grad,
        y_true_domain="one_hot",
        y_pred_domain="real",
        notes="The max includes the true class with (1 − y) = 0, so the 'best other' score is never below 0; "
        "tied maxima share the gradient equally, as in TensorFlow.",
    )
)
