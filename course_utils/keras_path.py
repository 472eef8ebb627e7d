"""What Keras computes on the path a learner's model takes: a layer's output into ``compile``'s loss.

A loss called by hand on a raw tensor can differ from the same loss inside ``fit``/``evaluate``:
on the TensorFlow backend a Keras ``sigmoid`` or ``softmax`` activation stores its input as
``_keras_logits`` on its output, and the cross-entropies then work from those logits. So every
claim about "what Keras computes" is checked here with a real model:

* :func:`logits_model` builds ``Input((m,)) → Dense(K, activation)`` whose kernel *is* the given
  logits: fed the identity matrix, sample i's pre-activation is exactly ``logits[i]``;
* :func:`evaluate_on_logits` compiles it with a loss, reads ``model.evaluate``, ``model.predict``
  and the logit gradient from one SGD ``fit`` step (the kernel row of sample i moves by
  :math:`-\\eta\\,\\partial L_i/\\partial z_i / m`, the bias by :math:`-\\eta` times their mean), and
  records any warning Keras gave.

The result names the backend it ran on (``"tensorflow"`` in this course): the ``_keras_logits``
shortcut exists on TensorFlow only; JAX and PyTorch compute from the activation's output.

Importing this module does not import TensorFlow or Keras. Used in: 05_classification_losses
and A_errata (through :mod:`course_utils.article_errata`).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np


def _as_logits(logits: Any) -> np.ndarray:
    try:
        array = np.asarray(logits, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"logits must be numbers of shape (K,) or (m, K), got {type(logits).__name__}."
        ) from None
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[1] < 2 or not np.all(np.isfinite(array)):
        raise ValueError(
            "logits must be finite numbers of shape (K,) or (m, K) with K >= 2, "
            f"got shape {array.shape}."
        )
    return array


def logits_model(logits: Any, activation: str | None = None) -> Any:
    """``keras.Sequential([Input((m,)), Dense(K, activation)])`` with kernel = ``logits``, bias 0.

    Fed ``x = I_m`` (the m×m identity), the pre-activation of sample i is
    :math:`z_i = x_i W + b = \\text{logits}_i`, so the model's output is ``activation(logits)``
    computed by the Keras layer itself, exactly as in a trained classifier's last layer.
    """
    import keras

    array = _as_logits(logits)
    m, k = array.shape
    return keras.Sequential(
        [
            keras.Input((m,)),
            keras.layers.Dense(
                k,
                activation=activation,
                kernel_initializer=keras.initializers.Constant(array),
                bias_initializer="zeros",
                name="last_layer",
            ),
        ]
    )


def evaluate_on_logits(
    logits: Any,
    y_true: Any,
    activation: str | None,
    loss: Any = "categorical_crossentropy",
    learning_rate: float = 1.0,
) -> dict[str, Any]:
    """Compile :func:`logits_model` with ``loss``; evaluate, predict and take one SGD step.

    Returns a dict with ``backend`` (Keras's backend name), ``loss`` (``model.evaluate``: the
    cost J, the mean of the per-sample losses), ``outputs`` (``model.predict``, shape (m, K)),
    ``output_sum`` (each row's sum), ``logit_gradient`` (:math:`\\partial L_i/\\partial z_i`,
    shape (m, K), read from the kernel's move in one ``fit`` step of SGD with rate η),
    ``bias_step`` (the bias's move in that step, :math:`-\\eta` times the batch mean of the
    logit gradients) and ``warnings`` (the messages Keras warned with as ``UserWarning``, e.g. about
    ``from_logits``; other libraries' deprecation warnings are left out).
    Used in: 05 (pitfalls) and A §5, through article_errata.
    """
    import keras

    array = _as_logits(logits)
    m = array.shape[0]
    if isinstance(learning_rate, bool) or not (
        isinstance(learning_rate, (int, float)) and 0 < learning_rate < np.inf
    ):
        raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}.")
    targets = np.asarray(y_true, dtype="float32")
    if targets.ndim == 1 and array.shape[0] == 1 and targets.size == array.shape[1]:
        targets = targets[None]
    x = np.eye(m, dtype="float32")
    model = logits_model(array, activation)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss=loss)
    tf_logger = logging.getLogger(
        "tensorflow"
    )  # a new model retraces: expected, not news
    level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = float(model.evaluate(x, targets, batch_size=m, verbose=0))
            outputs = np.asarray(
                model.predict(x, batch_size=m, verbose=0), dtype=np.float64
            )
            kernel, bias = (
                np.asarray(w, dtype=np.float64) for w in model.get_weights()
            )
            model.fit(x, targets, batch_size=m, epochs=1, shuffle=False, verbose=0)
    finally:
        tf_logger.setLevel(level)
    new_kernel, new_bias = (
        np.asarray(w, dtype=np.float64) for w in model.get_weights()
    )
    return {
        "backend": keras.backend.backend(),
        "loss": value,
        "outputs": outputs,
        "output_sum": outputs.sum(axis=-1),
        "logit_gradient": (kernel - new_kernel) * m / learning_rate,
        "bias_step": new_bias - bias,
        # Keras warns its users with UserWarning; a library's DeprecationWarning (NumPy 2.1's
        # __array__ copy keyword on Colab's TensorFlow 2.20) is not Keras speaking.
        "warnings": sorted(
            {str(w.message) for w in caught if issubclass(w.category, UserWarning)}
        ),
    }


def softmax_cross_entropy(logits: Any, y_true: Any) -> np.ndarray:
    """Reference, float64: :math:`L_i = -\\sum_k y_{ik} \\ln \\operatorname{softmax}(z_i)_k`, per sample.

    Taught in: A §5.
    """
    z = _as_logits(logits)
    y = np.atleast_2d(np.asarray(y_true, dtype=np.float64))
    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return -np.sum(y * log_p, axis=-1)


def sigmoid_divided_by_sum_cross_entropy(logits: Any, y_true: Any) -> np.ndarray:
    """Reference, float64: :math:`L_i = -\\sum_k y_{ik}\\ln(s_{ik}/\\sum_j s_{ij})`, :math:`s = \\sigma(z)`.

    What categorical cross-entropy computes from sigmoid outputs that carry no logits: on the JAX
    and PyTorch backends, or for a raw ``tf.sigmoid`` called eagerly (clip aside).
    Taught in: A §5.
    """
    z = _as_logits(logits)
    y = np.atleast_2d(np.asarray(y_true, dtype=np.float64))
    s = 1.0 / (1.0 + np.exp(-z))
    return -np.sum(y * np.log(s / s.sum(axis=-1, keepdims=True)), axis=-1)
