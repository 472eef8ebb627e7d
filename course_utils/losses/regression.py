"""Regression losses: how far a real-valued prediction is from its target.

Every loss here compares ``y_true`` and ``y_pred`` element by element and averages over the last axis,
so a batch of shape (m, k) gives m per-sample losses (a batch of shape (m,) gives one number, the mean
over all m). ``e = ŷ − y`` is the error; k the size of the last axis.

Used in: 04_regression_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import (
    EPSILON,
    check_parameter,
    is_python_number,
    numpy_pair,
    tf_pair,
)
from course_utils.losses._catalog import LossEntry, Param, register

LOG_2 = float(np.log(2.0))


def _last_axis_size(y_pred: np.ndarray) -> int:
    return y_pred.shape[-1] if y_pred.ndim else 1


# ----------------------------------------------------------------------------- mean squared error


def mean_squared_error_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Mean squared error per sample, float64.

    .. math::
        L = \frac1k \sum_j (y_j - \hat y_j)^2
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return np.mean((y_true - y_pred) ** 2, axis=-1)


def mean_squared_error_tf(y_true: Any, y_pred: Any) -> Any:
    """MSE in TensorFlow, a drop-in for ``keras.losses.mean_squared_error``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def mean_squared_error_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the mean squared error with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac2k (\hat y_j - y_j)
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return 2.0 * (y_pred - y_true) / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- mean absolute error


def mean_absolute_error_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Mean absolute error per sample, float64.

    .. math::
        L = \frac1k \sum_j |y_j - \hat y_j|
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def mean_absolute_error_tf(y_true: Any, y_pred: Any) -> Any:
    """MAE in TensorFlow, a drop-in for ``keras.losses.mean_absolute_error``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


def mean_absolute_error_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the mean absolute error with respect to each prediction, with sign(0) = 0.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1k \operatorname{sign}(\hat y_j - y_j)

    At zero error |e| has no derivative; 0 is a valid subgradient and is what TensorFlow returns.
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return np.sign(y_pred - y_true) / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- MAPE


def mean_absolute_percentage_error_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Mean absolute percentage error per sample, float64.

    .. math::
        L = \frac{100}{k} \sum_j \frac{|y_j - \hat y_j|}{\max(|y_j|, \epsilon)}
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return 100.0 * np.mean(
        np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), EPSILON), axis=-1
    )


def mean_absolute_percentage_error_tf(y_true: Any, y_pred: Any) -> Any:
    """MAPE in TensorFlow, a drop-in for ``keras.losses.mean_absolute_percentage_error``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    scale = tf.maximum(tf.abs(y_true), tf.constant(EPSILON, y_pred.dtype))
    return 100.0 * tf.reduce_mean(tf.abs((y_true - y_pred) / scale), axis=-1)


def mean_absolute_percentage_error_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the mean absolute percentage error with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j}
        = \frac{100}{k} \frac{\operatorname{sign}(\hat y_j - y_j)}{\max(|y_j|, \epsilon)}
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    scale = np.maximum(np.abs(y_true), EPSILON)
    return 100.0 * np.sign(y_pred - y_true) / scale / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- MSLE


def mean_squared_logarithmic_error_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Mean squared logarithmic error per sample, float64.

    .. math::
        L = \frac1k \sum_j \big(\ln(\max(\hat y_j, \epsilon) + 1) - \ln(\max(y_j, \epsilon) + 1)\big)^2
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    gap = np.log1p(np.maximum(y_pred, EPSILON)) - np.log1p(np.maximum(y_true, EPSILON))
    return np.mean(gap**2, axis=-1)


def mean_squared_logarithmic_error_tf(y_true: Any, y_pred: Any) -> Any:
    """MSLE in TensorFlow, a drop-in for ``keras.losses.mean_squared_logarithmic_error``."""
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    gap = tf.math.log(tf.maximum(y_pred, epsilon) + 1.0) - tf.math.log(
        tf.maximum(y_true, epsilon) + 1.0
    )
    return tf.reduce_mean(tf.square(gap), axis=-1)


def mean_squared_logarithmic_error_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the mean squared logarithmic error; 0 where :math:`\hat y_j \le \epsilon`.

    .. math::
        \frac{\partial L}{\partial \hat y_j}
        = \frac2k \frac{\ln(\hat y_j + 1) - \ln(\max(y_j, \epsilon) + 1)}{\hat y_j + 1}
        \quad\text{for } \hat y_j > \epsilon
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    clipped = np.maximum(y_pred, EPSILON)
    gap = np.log1p(clipped) - np.log1p(np.maximum(y_true, EPSILON))
    slope = np.where(y_pred > EPSILON, 1.0 / (clipped + 1.0), 0.0)
    return 2.0 * gap * slope / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- Huber


def _check_delta(delta: Any) -> None:
    check_parameter(
        "delta",
        delta,
        "a finite number >= 0 (the error size where the loss turns from quadratic to linear; Keras's default is 1.0)",
    )
    if is_python_number(delta) and not (np.isfinite(delta) and delta >= 0):
        raise ValueError(
            f"delta must be a finite number >= 0 (the error size where the loss turns from quadratic "
            f"to linear), got {delta!r}. Typical values are 0.1 to 10; Keras's default is 1.0."
        )


def huber_numpy(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    r"""Huber loss per sample, float64, with the error e = ŷ − y.

    .. math::
        L = \frac1k \sum_j \ell_j, \qquad
        \ell = \begin{cases} \tfrac12 e^2 & |e| \le \delta \\
        \delta |e| - \tfrac12 \delta^2 & \text{otherwise} \end{cases}
    """
    _check_delta(delta)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    error = y_pred - y_true
    size = np.abs(error)
    per_element = np.where(size <= delta, 0.5 * error**2, delta * size - 0.5 * delta**2)
    return np.mean(per_element, axis=-1)


def huber_tf(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Huber in TensorFlow, a drop-in for ``keras.losses.huber`` (branch per element with ``tf.where``)."""
    import tensorflow as tf

    _check_delta(delta)
    y_true, y_pred = tf_pair(y_true, y_pred)
    delta = tf.convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    size = tf.abs(error)
    quadratic = 0.5 * tf.square(error)
    linear = delta * size - 0.5 * tf.square(delta)
    return tf.reduce_mean(tf.where(size <= delta, quadratic, linear), axis=-1)


def huber_grad(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    r"""Gradient of the Huber loss with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1k \operatorname{clip}(e_j, -\delta, \delta)
    """
    _check_delta(delta)
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return np.clip(y_pred - y_true, -delta, delta) / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- log-cosh


def log_cosh_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Log-cosh loss per sample, float64, in a form that cannot overflow.

    .. math::
        L = \frac1k \sum_j \ln\cosh e_j, \qquad \ln\cosh e = |e| + \ln(1 + e^{-2|e|}) - \ln 2
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    size = np.abs(y_pred - y_true)
    return np.mean(size + np.log1p(np.exp(-2.0 * size)) - LOG_2, axis=-1)


def log_cosh_tf(y_true: Any, y_pred: Any) -> Any:
    r"""Log-cosh in TensorFlow, a drop-in for ``keras.losses.log_cosh``.

    .. math::
        \ln\cosh e = e + \operatorname{softplus}(-2e) - \ln 2
    """
    import tensorflow as tf

    y_true, y_pred = tf_pair(y_true, y_pred)
    error = y_pred - y_true
    return tf.reduce_mean(
        error + tf.math.softplus(-2.0 * error) - tf.constant(LOG_2, y_pred.dtype),
        axis=-1,
    )


def log_cosh_grad(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Gradient of the log-cosh loss with respect to each prediction.

    .. math::
        \frac{\partial L}{\partial \hat y_j} = \frac1k \tanh(e_j)
    """
    y_true, y_pred = numpy_pair(y_true, y_pred)
    return np.tanh(y_pred - y_true) / _last_axis_size(y_pred)


# ----------------------------------------------------------------------------- catalog entries

DELTA = Param(
    "delta",
    1.0,
    "a number >= 0",
    "the error size where the loss turns from quadratic (like MSE) to linear (like MAE)",
    lambda value: None if value >= 0 else "δ is a distance, so it cannot be negative.",
)

register(
    LossEntry(
        name="mean_squared_error",
        display_name="Mean squared error (MSE)",
        family="regression",
        when_to_use="Real-valued targets with roughly Gaussian noise and no wild outliers; large errors dominate.",
        latex=r"L(y, \hat y) = \frac{1}{k} \sum_{j=1}^{k} \left(y_j - \hat y_j\right)^2",
        numpy=mean_squared_error_numpy,
        tf=mean_squared_error_tf,
        grad=mean_squared_error_grad,
    )
)
register(
    LossEntry(
        name="mean_absolute_error",
        display_name="Mean absolute error (MAE)",
        family="regression",
        when_to_use="Real-valued targets with outliers you do not want to chase; it estimates the median.",
        latex=r"L(y, \hat y) = \frac{1}{k} \sum_{j=1}^{k} \left|y_j - \hat y_j\right|",
        numpy=mean_absolute_error_numpy,
        tf=mean_absolute_error_tf,
        grad=mean_absolute_error_grad,
        notes="The derivative at zero error is taken as 0 (sign(0) = 0), a valid subgradient.",
    )
)
register(
    LossEntry(
        name="mean_absolute_percentage_error",
        display_name="Mean absolute percentage error (MAPE)",
        family="regression",
        when_to_use="Positive targets whose relative error matters (sales, demand); undefined near zero targets.",
        latex=(
            r"L(y, \hat y) = \frac{100}{k} \sum_{j=1}^{k} "
            r"\frac{\left|y_j - \hat y_j\right|}{\max\left(|y_j|, \epsilon\right)}, \quad \epsilon = 10^{-7}"
        ),
        numpy=mean_absolute_percentage_error_numpy,
        tf=mean_absolute_percentage_error_tf,
        grad=mean_absolute_percentage_error_grad,
    )
)
register(
    LossEntry(
        name="mean_squared_logarithmic_error",
        display_name="Mean squared logarithmic error (MSLE)",
        family="regression",
        when_to_use="Non-negative targets spanning orders of magnitude, where being off by a factor matters.",
        latex=(
            r"L(y, \hat y) = \frac{1}{k} \sum_{j=1}^{k} \left(\ln\left(\max(\hat y_j, \epsilon) + 1\right)"
            r" - \ln\left(\max(y_j, \epsilon) + 1\right)\right)^2, \quad \epsilon = 10^{-7}"
        ),
        numpy=mean_squared_logarithmic_error_numpy,
        tf=mean_squared_logarithmic_error_tf,
        grad=mean_squared_logarithmic_error_grad,
        y_true_domain="nonnegative",
        y_pred_domain="nonnegative",
    )
)
register(
    LossEntry(
        name="huber",
        display_name="Huber loss",
        family="regression",
        when_to_use="Regression with some outliers: quadratic (MSE-like) for small errors, linear beyond δ.",
        latex=(
            r"L(y, \hat y) = \frac{1}{k} \sum_{j=1}^{k} \ell_\delta(\hat y_j - y_j), \quad "
            r"\ell_\delta(e) = \begin{cases} \tfrac12 e^2 & |e| \le \delta \\ "
            r"\delta |e| - \tfrac12 \delta^2 & |e| > \delta \end{cases}"
        ),
        numpy=huber_numpy,
        tf=huber_tf,
        grad=huber_grad,
        params=(DELTA,),
    )
)
register(
    LossEntry(
        name="log_cosh",
        display_name="Log-cosh loss",
        family="regression",
        when_to_use="A smooth Huber: about e²/2 for small errors and |e| − ln 2 for large ones, twice differentiable.",
        latex=(
            r"L(y, \hat y) = \frac{1}{k} \sum_{j=1}^{k} \ln\cosh(\hat y_j - y_j), \quad "
            r"\ln\cosh e = e + \operatorname{softplus}(-2e) - \ln 2"
        ),
        numpy=log_cosh_numpy,
        tf=log_cosh_tf,
        grad=log_cosh_grad,
    )
)
