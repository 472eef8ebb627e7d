r"""A confusion-aware cross-entropy: rivals that are often mistaken for the true class cost more.

**This is our interpretation**, not a published loss reproduced exactly. The source article shows a
"matrix-based cross-entropy" as pseudo-code (helper functions that are never defined, a Python loop over
classes, logarithms base 2) and only describes its intent: extend categorical cross-entropy with a
matrix that records which classes the model confuses, so that learning concentrates on those mistakes.
We give that intent a precise, vectorised and numerically safe form. (The same idea, rescaling rival
classes inside the softmax with accumulated statistics, appears in published work such as the Seesaw
loss for long-tailed detection; our formula is simpler and our own.)

**The formula.** With n classes, a weight matrix W (n×n; row t = true class, column j = rival class,
the layout of a confusion matrix) is read relative to its diagonal, :math:`A_{tj} = W_{tj} / W_{tt}`
(so :math:`A_{tt} = 1`), and we require :math:`W_{tj} \ge W_{tt} > 0`: a rival can count extra,
never less. For a sample whose true class is t and whose predicted distribution is r,

.. math::

    L = -\ln \frac{A_{tt}\, r_t}{\sum_j A_{tj}\, r_j}
      = \underbrace{-\ln r_t}_{\text{cross-entropy}}
        + \underbrace{\ln\Big(1 + \sum_{j} (A_{tj} - 1)\, r_j\Big)}_{\text{confusion penalty} \,\ge\, 0}

the cross-entropy of a re-weighted softmax in which every unit of probability on rival j counts
:math:`A_{tj}` times against class t. With uniform weights (every :math:`A_{tj} = 1`) the penalty is
exactly 0 and L is Keras's categorical cross-entropy. From logits z the gradient is
:math:`\partial L / \partial z_j = q_j - y_j` with :math:`q_j \propto A_{tj} e^{z_j}`: a heavily
weighted rival is pushed down harder and the true class pushed up harder than by plain cross-entropy.

For soft labels y (label smoothing) the rows of A are mixed by the labels: with :math:`s = \sum_t y_t`
and :math:`u_j = \frac1s \sum_t y_t (A_{tj} - 1)`,
:math:`L = -\sum_t y_t \ln r_t + s \ln(1 + \sum_j u_j r_j)`. A one-hot y gives the formula above.

**Where W comes from.** Either a fixed cost matrix (a cost matrix K with zero diagonal becomes
``W = 1 + K``), or a running confusion matrix: :func:`update_confusion_matrix_numpy` keeps an
exponential moving average C of the batches' (true class, predicted class) frequencies, and
:func:`confusion_weights_numpy` turns it into :math:`W_{tj} = 1 + \lambda\, C_{tj} / \sum_k C_{tk}`
for :math:`j \ne t` and :math:`W_{tt} = 1`: the fraction of class-t samples recently predicted as j,
times a strength λ. :func:`make_confusion_aware_loss` packs both into a Keras loss whose matrix lives in
a non-trainable variable and is updated at every call.

Probabilities are renormalised and clipped exactly as Keras's categorical cross-entropy does
(:math:`r = p / \sum_j p_j`, :math:`\operatorname{clip}(r, \epsilon, 1 - \epsilon)` inside the log of the
cross-entropy term); logits go through a log-softmax. Everything is vectorised: no Python loop over
samples or classes, so it traces once inside ``tf.function`` for any batch size.

Importing this module does not import TensorFlow or Keras. Used in: 08_lab_image_classification.
"""

from __future__ import annotations

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
)

# ----------------------------------------------------------------------------- checks


def _check_from_logits(from_logits: Any) -> None:
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(f"from_logits must be True or False, got {from_logits!r}.")


def _check_weights_shape(shape: tuple, num_classes: Any, name: str = "weights") -> None:
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(
            f"{name} must be a square (n, n) matrix, row = true class and column = predicted class, got "
            f"shape {tuple(shape)}."
        )
    if num_classes is not None and shape[0] is not None and shape[0] != num_classes:
        raise ValueError(
            f"{name} must be ({num_classes}, {num_classes}) to match the {num_classes} classes on the last "
            f"axis of y_pred, got shape {tuple(shape)}."
        )


def _check_weight_values(weights: np.ndarray) -> None:
    if not np.all(np.isfinite(weights)):
        raise ValueError("weights must be finite; found a NaN or infinite entry.")
    diagonal = np.diag(weights)
    if np.any(diagonal <= 0):
        raise ValueError(
            f"weights must have a positive diagonal (each row is read relative to its diagonal entry), "
            f"found {float(diagonal[diagonal <= 0][0])!r} on the diagonal. A cost matrix K with zero diagonal "
            "becomes weights = 1 + K."
        )
    if np.any(weights < diagonal[:, None]):
        row, column = np.argwhere(weights < diagonal[:, None])[0]
        raise ValueError(
            f"weights must satisfy weights[t, j] >= weights[t, t] (a rival class may count extra, never "
            f"less), found weights[{row}, {column}] = {float(weights[row, column])!r} < weights[{row}, {row}] = "
            f"{float(weights[row, row])!r}."
        )


def _check_strength(strength: Any) -> None:
    check_parameter("strength", strength, "a finite number >= 0")
    if isinstance(strength, bool) or (
        is_python_number(strength) and not (np.isfinite(strength) and strength >= 0)
    ):
        raise ValueError(
            f"strength must be a finite number >= 0 (how many extra times a rival counts per unit of "
            f"confusion rate; 0 gives plain cross-entropy), got {strength!r}."
        )


def _check_decay(decay: Any) -> None:
    check_parameter("decay", decay, "a number in [0, 1)")
    if isinstance(decay, bool) or (
        is_python_number(decay) and not (0.0 <= decay < 1.0)
    ):
        raise ValueError(
            f"decay must be a number in [0, 1) (the share of the old confusion matrix kept at each update; "
            f"0.99 remembers about the last 100 batches, 0 only the current one), got {decay!r}."
        )


def _check_num_classes(num_classes: Any) -> None:
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 2
    ):
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")


def _numpy_setup(
    y_true: Any, y_pred: Any, weights: Any, from_logits: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _check_from_logits(from_logits)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    if y_pred.ndim < 1 or y_pred.shape[-1] < 2:
        raise ValueError(
            f"y_pred must end in a class axis of at least 2 classes, e.g. (N, n), got shape {y_pred.shape}."
        )
    weights = as_float64("weights", weights)
    _check_weights_shape(weights.shape, y_pred.shape[-1])
    _check_weight_values(weights)
    if y_true.size and not np.all(y_true >= 0):
        raise ValueError(
            f"y_true must hold non-negative label weights (one-hot rows or soft labels), found "
            f"{y_true[~(y_true >= 0)].flat[0]!r}. Integer class ids need keras.utils.to_categorical first."
        )
    if not from_logits:
        check_in_range(
            "y_pred",
            y_pred,
            0.0,
            1.0,
            "probabilities (pass from_logits=True for raw scores)",
        )
    elif not np.all(np.isfinite(y_pred)):
        raise ValueError("y_pred must be finite logits; found a NaN or infinite value.")
    return y_true, y_pred, weights


def _np_parts(
    y: np.ndarray, y_pred: np.ndarray, weights: np.ndarray, from_logits: bool
):
    """Label mass s, mixed excess u, distribution r and the cross-entropy term, in float64."""
    excess = (
        weights / np.diag(weights)[:, None] - 1.0
    )  # A − 1: zero on the diagonal, >= 0 elsewhere
    mass = np.sum(y, axis=-1)
    safe_mass = np.where(mass > 0, mass, 1.0)
    mixed = (y @ excess) / safe_mass[..., None]
    if from_logits:
        log_r = log_softmax(y_pred)
        r = np.exp(log_r)
        cross_entropy = -np.sum(y * log_r, axis=-1)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
        cross_entropy = -np.sum(y * np.log(np.clip(r, EPSILON, 1.0 - EPSILON)), axis=-1)
    return mass, mixed, r, cross_entropy


# ----------------------------------------------------------------------------- the loss


def confusion_weighted_crossentropy_numpy(
    y_true: Any, y_pred: Any, weights: Any, from_logits: bool = False
) -> np.ndarray:
    r"""Confusion-weighted cross-entropy per sample, float64 (our interpretation; see the module docstring).

    :math:`L = -\sum_t y_t \ln \operatorname{clip}(r_t) + s \ln\big(1 + \sum_j u_j r_j\big)` with
    :math:`r = p / \sum_j p_j` (or :math:`\operatorname{softmax}(z)` when ``from_logits``),
    :math:`s = \sum_t y_t`, :math:`u_j = \frac1s \sum_t y_t (W_{tj}/W_{tt} - 1)`, clip to
    :math:`[\epsilon, 1-\epsilon]`, :math:`\epsilon = 10^{-7}`. For one-hot y of class t this is
    :math:`-\ln\big(W_{tt} r_t / \sum_j W_{tj} r_j\big)`. ``y_true`` and ``y_pred`` have shape (…, n);
    ``weights`` is (n, n) with :math:`W_{tj} \ge W_{tt} > 0`. Uniform weights give
    ``keras.losses.categorical_crossentropy``.

    Taught in: 08 §7.
    """
    y, y_pred, weights = _numpy_setup(y_true, y_pred, weights, from_logits)
    mass, mixed, r, cross_entropy = _np_parts(y, y_pred, weights, from_logits)
    return cross_entropy + mass * np.log1p(np.sum(mixed * r, axis=-1))


def confusion_weighted_crossentropy_tf(
    y_true: Any, y_pred: Any, weights: Any, from_logits: bool = False
) -> Any:
    r"""The same loss in TensorFlow: differentiable in ``y_pred``, vectorised, usable inside ``tf.function``.

    :math:`L = -\sum_t y_t \ln \operatorname{clip}(r_t) + s \ln(1 + \sum_j u_j r_j)` as in
    :func:`confusion_weighted_crossentropy_numpy`. ``weights`` may be an array, a tensor or a variable; it
    is treated as a constant (no gradient flows into it). Like Keras, a ``y_pred`` produced by a softmax
    layer is read through the logits behind it, which keeps the loss finite for saturated outputs.
    NumPy/list weights are checked (shape, positive diagonal, rows >= their diagonal); tensor weights
    only by their static shape.
    """
    import tensorflow as tf

    from course_utils.losses.classification import _tf_logits_behind

    _check_from_logits(from_logits)
    y_true, y_pred = tf_pair(y_true, y_pred)
    if y_pred.shape.rank is not None and (
        y_pred.shape.rank < 1 or y_pred.shape[-1] == 1
    ):
        raise ValueError(
            f"y_pred must end in a class axis of at least 2 classes, e.g. (N, n), got shape {y_pred.shape}."
        )
    if not tf.is_tensor(weights) and not hasattr(weights, "value"):
        checked = as_float64("weights", weights)
        _check_weights_shape(
            checked.shape, y_pred.shape[-1] if y_pred.shape.rank else None
        )
        _check_weight_values(checked)
    weights = tf.stop_gradient(tf.cast(tf.convert_to_tensor(weights), y_pred.dtype))
    if weights.shape.rank is not None:
        _check_weights_shape(
            tuple(weights.shape), y_pred.shape[-1] if y_pred.shape.rank else None
        )
    excess = weights / tf.linalg.diag_part(weights)[:, None] - 1.0
    mass = tf.reduce_sum(y_true, axis=-1)
    safe_mass = tf.where(mass > 0, mass, tf.ones_like(mass))
    mixed = tf.einsum("...t,tj->...j", y_true, excess) / safe_mass[..., None]

    output, use_logits = _tf_logits_behind(
        y_pred, from_logits, "Softmax", "confusion_weighted_crossentropy"
    )
    if use_logits:
        log_r = tf.nn.log_softmax(output, axis=-1)
        r = tf.exp(log_r)
        cross_entropy = -tf.reduce_sum(y_true * log_r, axis=-1)
    else:
        r = output / tf.reduce_sum(output, axis=-1, keepdims=True)
        cross_entropy = -tf.reduce_sum(
            y_true * tf.math.log(tf.clip_by_value(r, EPSILON, 1.0 - EPSILON)), axis=-1
        )
    return cross_entropy + mass * tf.math.log1p(tf.reduce_sum(mixed * r, axis=-1))


#: The name the course uses in prose; the TensorFlow version, usable in ``compile`` with fixed weights
#: through ``functools.partial`` or a :func:`make_confusion_aware_loss` instance.
confusion_weighted_crossentropy = confusion_weighted_crossentropy_tf


def confusion_weighted_crossentropy_grad(
    y_true: Any, y_pred: Any, weights: Any, from_logits: bool = False
) -> np.ndarray:
    r"""Analytic derivative of the per-sample loss with respect to ``y_pred`` (the logits if ``from_logits``).

    Logits: :math:`\partial L / \partial z_j = s\, q_j - y_j` with
    :math:`q_j = (1 + u_j) r_j / (1 + \sum_k u_k r_k)`, the re-weighted softmax.
    Probabilities: with :math:`S = \sum_j p_j`, :math:`r = p / S` and
    :math:`g_j = -y_j \mathbb 1[\epsilon \le r_j \le 1-\epsilon] / \operatorname{clip}(r_j) + s\, u_j / (1 + \sum_k u_k r_k)`
    (the derivative with respect to r), :math:`\partial L / \partial p_i = (g_i - \sum_j g_j r_j) / S`.
    """
    y, y_pred, weights = _numpy_setup(y_true, y_pred, weights, from_logits)
    mass, mixed, r, _ = _np_parts(y, y_pred, weights, from_logits)
    denominator = 1.0 + np.sum(mixed * r, axis=-1, keepdims=True)
    if from_logits:
        reweighted = (1.0 + mixed) * r / denominator
        return mass[..., None] * reweighted - y
    inside = ((r >= EPSILON) & (r <= 1.0 - EPSILON)).astype(np.float64)
    g = (
        -y * inside / np.clip(r, EPSILON, 1.0 - EPSILON)
        + mass[..., None] * mixed / denominator
    )
    total = np.sum(y_pred, axis=-1, keepdims=True)
    return (g - np.sum(g * r, axis=-1, keepdims=True)) / total


# ----------------------------------------------------------------------------- the running confusion matrix


def _np_predicted_distribution(
    y_pred: np.ndarray, from_logits: bool, hard: bool
) -> np.ndarray:
    if hard:
        return np.eye(y_pred.shape[-1])[np.argmax(y_pred, axis=-1)]
    if from_logits:
        return np.exp(log_softmax(y_pred))
    with np.errstate(divide="ignore", invalid="ignore"):
        return y_pred / np.sum(y_pred, axis=-1, keepdims=True)


def update_confusion_matrix_numpy(
    confusion: Any,
    y_true: Any,
    y_pred: Any,
    decay: float = 0.99,
    from_logits: bool = False,
    hard: bool = False,
) -> np.ndarray:
    r"""The running confusion matrix after one batch, float64 (pure: the input matrix is not changed).

    :math:`C' = \gamma C + (1 - \gamma) B` with :math:`B_{tj} = \frac1N \sum_i y_{it}\, \hat p_{ij}`, the
    batch's joint frequency of (true class t, predicted class j), γ = ``decay``. :math:`\hat p` is the
    renormalised probability vector (softmax of the logits when ``from_logits``), or the one-hot argmax
    when ``hard``. Leading axes of y_true/y_pred (…, n) all count as samples.
    """
    _check_decay(decay)
    _check_from_logits(from_logits)
    confusion = as_float64("confusion", confusion)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    if y_pred.ndim < 1:
        raise ValueError(
            f"y_pred must end in a class axis, e.g. (N, n), got shape {y_pred.shape}."
        )
    _check_weights_shape(confusion.shape, y_pred.shape[-1], name="confusion")
    if not from_logits:
        check_in_range(
            "y_pred",
            y_pred,
            0.0,
            1.0,
            "probabilities (pass from_logits=True for raw scores)",
        )
    n = y_pred.shape[-1]
    labels = y_true.reshape(-1, n)
    predicted = _np_predicted_distribution(y_pred.reshape(-1, n), from_logits, hard)
    batch = labels.T @ predicted / max(labels.shape[0], 1)
    return decay * confusion + (1.0 - decay) * batch


def update_confusion_matrix_tf(
    confusion: Any,
    y_true: Any,
    y_pred: Any,
    decay: float = 0.99,
    from_logits: bool = False,
    hard: bool = False,
) -> Any:
    r"""The same update in TensorFlow (no gradient flows through it).

    .. math::
        C' = \gamma C + (1-\gamma) B
    """
    import tensorflow as tf

    _check_decay(decay)
    _check_from_logits(from_logits)
    y_true, y_pred = tf_pair(y_true, y_pred)
    y_true, y_pred = tf.stop_gradient(y_true), tf.stop_gradient(y_pred)
    confusion = tf.cast(tf.convert_to_tensor(confusion), y_pred.dtype)
    n = y_pred.shape[-1]
    if confusion.shape.rank is not None:
        _check_weights_shape(tuple(confusion.shape), n, name="confusion")
    n = n if n is not None else tf.shape(y_pred)[-1]
    labels = tf.reshape(y_true, [-1, n])
    scores = tf.reshape(y_pred, [-1, n])
    if hard:
        predicted = tf.one_hot(tf.argmax(scores, axis=-1), n, dtype=y_pred.dtype)
    elif from_logits:
        predicted = tf.nn.softmax(scores, axis=-1)
    else:
        predicted = scores / tf.reduce_sum(scores, axis=-1, keepdims=True)
    count = tf.cast(tf.maximum(tf.shape(labels)[0], 1), y_pred.dtype)
    batch = tf.matmul(labels, predicted, transpose_a=True) / count
    return decay * confusion + (1.0 - decay) * batch


def confusion_weights_numpy(confusion: Any, strength: float = 5.0) -> np.ndarray:
    r"""Weights from a confusion matrix; a class never seen yet (a zero row) gets uniform weights.

    .. math::
        W_{tj} = 1 + \lambda\, \frac{C_{tj}}{\sum_k C_{tk}} \quad (j \ne t), \qquad W_{tt} = 1

    λ = ``strength``. Uniform weights give plain cross-entropy.
    """
    _check_strength(strength)
    confusion = as_float64("confusion", confusion)
    _check_weights_shape(confusion.shape, None, name="confusion")
    if not (np.all(np.isfinite(confusion)) and np.all(confusion >= 0)):
        raise ValueError(
            "confusion must hold finite non-negative frequencies or counts."
        )
    totals = np.sum(confusion, axis=-1, keepdims=True)
    rates = np.where(totals > 0, confusion / np.where(totals > 0, totals, 1.0), 0.0)
    np.fill_diagonal(rates, 0.0)
    return 1.0 + strength * rates


def confusion_weights_tf(confusion: Any, strength: float = 5.0) -> Any:
    r"""The same weights in TensorFlow.

    .. math::
        W = 1 + \lambda \cdot \mathrm{offdiag}(C / \text{row sums})
    """
    import tensorflow as tf

    _check_strength(strength)
    confusion = tf.convert_to_tensor(confusion)
    if not confusion.dtype.is_floating:
        confusion = tf.cast(confusion, tf.float32)
    if confusion.shape.rank is not None:
        _check_weights_shape(tuple(confusion.shape), None, name="confusion")
    totals = tf.reduce_sum(confusion, axis=-1, keepdims=True)
    rates = tf.where(
        totals > 0,
        confusion / tf.where(totals > 0, totals, tf.ones_like(totals)),
        tf.zeros_like(confusion),
    )
    rates = tf.linalg.set_diag(rates, tf.zeros_like(tf.linalg.diag_part(rates)))
    return 1.0 + tf.cast(strength, confusion.dtype) * rates


# ----------------------------------------------------------------------------- the Keras loss

_LOSS_CLASS: Any = None


def confusion_aware_loss_class() -> type:
    """The ``keras.losses.Loss`` subclass ``ConfusionAwareCrossentropy`` (built and registered on first use).

    It is defined here, inside a function, so that importing this module does not import Keras. Calling
    this function registers the class with Keras's serialisation under
    ``"course_utils>ConfusionAwareCrossentropy"``; call it (or :func:`make_confusion_aware_loss`) before
    ``keras.models.load_model`` reads a model compiled with this loss.
    """
    global _LOSS_CLASS
    if _LOSS_CLASS is not None:
        return _LOSS_CLASS
    import keras

    @keras.saving.register_keras_serializable(
        package="course_utils", name="ConfusionAwareCrossentropy"
    )
    class ConfusionAwareCrossentropy(keras.losses.Loss):
        r"""Cross-entropy re-weighted by a running confusion matrix held in a non-trainable variable.

        At each call: the weights :math:`W = 1 + \lambda\,\mathrm{offdiag}(C / \text{row sums})` come
        from the *current* matrix C, the per-sample loss
        :func:`confusion_weighted_crossentropy_tf` is computed with them, and then C is replaced by
        :math:`\gamma C + (1-\gamma) B` with the batch's (true, predicted) frequencies B. Every call
        updates C, including those made by ``evaluate``; use ``strength=0`` for plain cross-entropy.
        """

        def __init__(
            self,
            num_classes: int,
            decay: float = 0.99,
            strength: float = 5.0,
            from_logits: bool = False,
            hard: bool = False,
            confusion: Any = None,
            name: str = "confusion_aware_crossentropy",
            reduction: str = "sum_over_batch_size",
            dtype: Any = None,
        ) -> None:
            super().__init__(name=name, reduction=reduction, dtype=dtype)
            _check_num_classes(num_classes)
            _check_decay(decay)
            _check_strength(strength)
            _check_from_logits(from_logits)
            if not isinstance(hard, (bool, np.bool_)):
                raise TypeError(f"hard must be True or False, got {hard!r}.")
            initial = (
                np.zeros((num_classes, num_classes))
                if confusion is None
                else as_float64("confusion", confusion)
            )
            _check_weights_shape(initial.shape, num_classes, name="confusion")
            self.num_classes = int(num_classes)
            self.decay = float(decay)
            self.strength = float(strength)
            self.from_logits = bool(from_logits)
            self.hard = bool(hard)
            self.confusion = keras.Variable(
                initial, trainable=False, dtype=self.dtype, name=f"{name}_confusion"
            )

        def call(self, y_true: Any, y_pred: Any) -> Any:
            """Per-sample loss with the current weights; then the confusion matrix is updated."""
            import tensorflow as tf

            current = tf.convert_to_tensor(self.confusion.value)
            weights = confusion_weights_tf(current, self.strength)
            losses = confusion_weighted_crossentropy_tf(
                y_true, y_pred, weights, self.from_logits
            )
            self.confusion.assign(
                update_confusion_matrix_tf(
                    current, y_true, y_pred, self.decay, self.from_logits, self.hard
                )
            )
            return losses

        def weights_matrix(self) -> np.ndarray:
            """The weights the next call will use, as a NumPy array."""
            return confusion_weights_numpy(
                np.asarray(self.confusion.numpy(), dtype=np.float64), self.strength
            )

        def reset_state(self) -> None:
            """Forget the confusion history (back to plain cross-entropy)."""
            self.confusion.assign(np.zeros((self.num_classes, self.num_classes)))

        def get_config(self) -> dict[str, Any]:
            """Everything needed to rebuild the loss, including the current confusion matrix."""
            config = super().get_config()
            config.update(
                num_classes=self.num_classes,
                decay=self.decay,
                strength=self.strength,
                from_logits=self.from_logits,
                hard=self.hard,
                confusion=np.asarray(self.confusion.numpy(), dtype=np.float64).tolist(),
            )
            return config

    _LOSS_CLASS = ConfusionAwareCrossentropy
    return _LOSS_CLASS


def make_confusion_aware_loss(
    num_classes: int,
    decay: float = 0.99,
    strength: float = 5.0,
    from_logits: bool = False,
    hard: bool = False,
    confusion: Any = None,
    name: str = "confusion_aware_crossentropy",
    reduction: str = "sum_over_batch_size",
) -> Any:
    r"""A ``ConfusionAwareCrossentropy`` Keras loss, ready for ``model.compile(loss=...)``.

    Per call: :math:`L = -\ln\big(W_{tt} r_t / \sum_j W_{tj} r_j\big)` with
    :math:`W = 1 + \lambda\,\mathrm{offdiag}(C / \text{row sums})`, then
    :math:`C \leftarrow \gamma C + (1-\gamma) B`. ``num_classes`` n ≥ 2; ``decay`` γ in [0, 1);
    ``strength`` λ ≥ 0; ``hard`` counts argmax predictions instead of probabilities; ``confusion`` an
    optional starting (n, n) matrix (zeros, i.e. plain cross-entropy, by default). Labels are one-hot
    (or soft) vectors of length n.

    Taught in: 08 §5.
    """
    return confusion_aware_loss_class()(
        num_classes,
        decay=decay,
        strength=strength,
        from_logits=from_logits,
        hard=hard,
        confusion=confusion,
        name=name,
        reduction=reduction,
    )
