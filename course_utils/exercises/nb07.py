"""Exercises of notebook 07 (losses in Keras), registered on import.

07.1 the default reduction with sample weights; 07.2 the total that ``fit`` logs for a
model with two outputs and an added loss; 07.3 the first loss of a K-class softmax model;
07.4 a numerically stable log-cosh loss written with ``keras.ops``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.i18n import N_

# ----------------------------------------------------------------------------- 07.1

#: Exercise 07.1: per-sample losses and sample weights of one batch.
LOSSES_07_1 = np.array([1.0, 4.0, 0.5, 2.5])
WEIGHTS_07_1 = np.array([2.0, 0.0, 1.0, 3.0])
_WEIGHTED_SUM = float(np.sum(LOSSES_07_1 * WEIGHTS_07_1))  # 10.0

register(
    Exercise(
        key="07.1",
        title=N_("the default reduction with sample weights"),
        solution=_WEIGHTED_SUM / len(LOSSES_07_1),
        hint=(
            N_(
                "The default reduction is sum_over_batch_size: multiply each loss by its weight, add "
                "them up, and divide by the number of samples m = 4, whatever the weights add up to."
            )
        ),
        mistakes=(
            Mistake(
                "divided by the total weight",
                near(_WEIGHTED_SUM / WEIGHTS_07_1.sum()),
                N_(
                    "That divides by Σw = 6: it is the reduction mean_with_sample_weight, not Keras's default."
                ),
                _WEIGHTED_SUM / WEIGHTS_07_1.sum(),
            ),
            Mistake(
                "weights ignored",
                near(float(LOSSES_07_1.mean())),
                N_(
                    "That is the plain mean of the losses: the sample weights multiply each loss first."
                ),
                float(LOSSES_07_1.mean()),
            ),
            Mistake(
                "sum",
                near(_WEIGHTED_SUM),
                N_(
                    "That is the reduction 'sum'; the default also divides by the batch size."
                ),
                _WEIGHTED_SUM,
            ),
            Mistake(
                "divided by the non-zero weights",
                near(_WEIGHTED_SUM / 3),
                N_(
                    "A weight of 0 removes a sample's loss from the sum, but the sample still counts in m = 4."
                ),
                _WEIGHTED_SUM / 3,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 07.2

_PRICE, _KIND, _EXTRA = 0.8, 1.5, 0.1
_W_PRICE, _W_KIND = 0.5, 2.0

register(
    Exercise(
        key="07.2",
        title=N_("the total loss that fit logs for two outputs"),
        solution=_W_PRICE * _PRICE + _W_KIND * _KIND + _EXTRA,
        hint=(
            N_(
                "Keras multiplies each output's loss by its loss weight, adds them, then adds every "
                "loss collected with add_loss (regularisers too), unweighted."
            )
        ),
        mistakes=(
            Mistake(
                "forgot the added loss",
                near(_W_PRICE * _PRICE + _W_KIND * _KIND),
                N_(
                    "The activity regulariser's 0.1 is part of the total: losses from add_loss are added to it."
                ),
                _W_PRICE * _PRICE + _W_KIND * _KIND,
            ),
            Mistake(
                "no loss weights",
                near(_PRICE + _KIND + _EXTRA),
                N_("loss_weights multiply the outputs' losses before they are added."),
                _PRICE + _KIND + _EXTRA,
            ),
            Mistake(
                "weighted mean",
                near(
                    (_W_PRICE * _PRICE + _W_KIND * _KIND) / (_W_PRICE + _W_KIND)
                    + _EXTRA
                ),
                N_(
                    "Keras does not divide by the sum of the loss weights: the total is a weighted sum."
                ),
                (_W_PRICE * _PRICE + _W_KIND * _KIND) / (_W_PRICE + _W_KIND) + _EXTRA,
            ),
            Mistake(
                "regulariser weighted too",
                near(_W_PRICE * _PRICE + _W_KIND * (_KIND + _EXTRA)),
                N_(
                    "loss_weights apply to the compiled outputs' losses only; add_loss terms are added as they are."
                ),
                _W_PRICE * _PRICE + _W_KIND * (_KIND + _EXTRA),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 07.3

#: Exercise 07.3 asks for an estimate to one decimal: the first loss is only about ln K (the
#: initial logits are small, not 0), so any answer within 0.06 of ln 7 = 1.946 passes
#: (1.9, 1.95 and 2.0 all do).
FIRST_LOSS_TOLERANCE = 0.06

register(
    Exercise(
        key="07.3",
        title=N_("the first loss of a 7-class softmax model"),
        solution=math.log(7),
        hint=(
            N_(
                "At initialisation the logits are small, so the softmax gives every class about 1/K. "
                "The cross-entropy is −ln(probability of the true class), in nats (natural log)."
            )
        ),
        mistakes=(
            Mistake(
                "log base 2",
                near(math.log2(7), rtol=0.0, atol=FIRST_LOSS_TOLERANCE),
                N_(
                    "Keras's cross-entropy uses the natural logarithm (nats), not log base 2."
                ),
                math.log2(7),
            ),
            Mistake(
                "the probability itself",
                near(1 / 7, rtol=0.0, atol=0.05),
                N_("1/7 is the probability of the true class; the loss is −ln of it."),
                1 / 7,
            ),
            Mistake(
                "ten classes",
                near(math.log(10), rtol=0.0, atol=FIRST_LOSS_TOLERANCE),
                N_(
                    "ln 10 is the first loss of a 10-class model such as MNIST's; this one has K = 7."
                ),
                math.log(10),
            ),
            Mistake(
                "log base 10",
                near(math.log10(7), rtol=0.0, atol=FIRST_LOSS_TOLERANCE),
                N_("That is log₁₀ 7; Keras uses the natural logarithm."),
                math.log10(7),
            ),
        ),
        rtol=0.0,
        atol=FIRST_LOSS_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 07.4

#: Exercise 07.4: the inputs on which a learner's ``log_cosh(y_true, y_pred)`` is evaluated
#: (float32, like a Keras model's outputs). An error of +100 overflows cosh in float32, and
#: an error of −102 overflows e^(−2e), so ``e + log(1 + exp(−2e)) − ln 2`` is caught too.
Y_TRUE_07_4 = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], dtype="float32")
Y_PRED_07_4 = np.array([[0.5, -1.0, 100.0], [1.0, -100.0, 3.5]], dtype="float32")


def evaluate_loss_function(loss: Callable[..., Any]) -> np.ndarray:
    """Call a learner's ``loss(y_true, y_pred)`` on the fixed float32 inputs of exercise 07.4.

    Returns its value as a float64 array (one loss per sample is expected, shape (2,)).
    Used in: 07_losses_in_keras (exercise 07.4).
    """
    if not callable(loss):
        raise TypeError(
            f"give a function log_cosh(y_true, y_pred), not a {type(loss).__name__}."
        )
    import keras

    result = loss(Y_TRUE_07_4.copy(), Y_PRED_07_4.copy())
    if result is Ellipsis or result is None:
        raise TypeError(
            "log_cosh still returns nothing; end it with `return keras.ops.mean(..., axis=-1)`."
        )
    return np.asarray(keras.ops.convert_to_numpy(result), dtype=np.float64)


def _log_cosh_reference(y_true: Any, y_pred: Any) -> Any:
    import keras

    error = y_pred - y_true
    return keras.ops.mean(
        error + keras.ops.softplus(-2.0 * error) - math.log(2.0), axis=-1
    )


def _naive_log_cosh(y_true: Any, y_pred: Any) -> Any:
    import keras

    return keras.ops.mean(keras.ops.log(keras.ops.cosh(y_pred - y_true)), axis=-1)


def _log_of_one_plus_exp(y_true: Any, y_pred: Any) -> Any:
    import keras

    error = y_pred - y_true
    per_value = error + keras.ops.log(1.0 + keras.ops.exp(-2.0 * error)) - math.log(2.0)
    return keras.ops.mean(per_value, axis=-1)


def _log_cosh_without_mean(y_true: Any, y_pred: Any) -> Any:
    import keras

    error = y_pred - y_true
    return error + keras.ops.softplus(-2.0 * error) - math.log(2.0)


def _log_cosh_sum(y_true: Any, y_pred: Any) -> Any:
    import keras

    error = y_pred - y_true
    return keras.ops.sum(
        error + keras.ops.softplus(-2.0 * error) - math.log(2.0), axis=-1
    )


def _half_square(y_true: Any, y_pred: Any) -> Any:
    import keras

    return keras.ops.mean(0.5 * keras.ops.square(y_pred - y_true), axis=-1)


def _not_finite(value: Any) -> bool:
    return not bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


def _only_negative_error_overflows(value: Any) -> bool:
    """Finite for the sample with the error +100, not for the one with −102."""
    array = np.asarray(value, dtype=float)
    return (
        array.shape == (2,)
        and bool(np.isfinite(array[0]))
        and not np.isfinite(array[1])
    )


_ERROR_07_4 = (Y_PRED_07_4 - Y_TRUE_07_4).astype(np.float64)
_LOG_COSH_07_4 = np.logaddexp(_ERROR_07_4, -_ERROR_07_4) - math.log(2.0)

register(
    Exercise(
        key="07.4",
        title=N_("a stable log-cosh loss written with keras.ops"),
        solution=_log_cosh_reference,
        hint=(
            N_(
                "With e = ŷ − y, ln cosh e = e + softplus(−2e) − ln 2 never overflows (softplus(x) = "
                "ln(1 + eˣ), keras.ops.softplus). Average over the last axis: one loss per sample."
            )
        ),
        evaluate=evaluate_loss_function,
        mistakes=(
            Mistake(
                "log(1 + exp) instead of softplus",
                _only_negative_error_overflows,
                N_(
                    "The identity e + ln(1 + e^(−2e)) − ln 2 is right, but written with exp it "
                    "overflows for a large negative error: at e = −102, e^(204) is inf in float32. "
                    "Use keras.ops.softplus(−2e), which never forms the huge exponential."
                ),
                _log_of_one_plus_exp,
            ),
            Mistake(
                "overflow",
                _not_finite,
                N_(
                    "cosh(100) is about 1.3·10⁴³, beyond float32's largest number (3.4·10³⁸): it becomes "
                    "inf and so does the loss (the inputs hold errors of +100 and −102). Rewrite "
                    "ln cosh e so that no huge value is ever formed, for either sign."
                ),
                _naive_log_cosh,
            ),
            Mistake(
                "no mean",
                lambda value: np.shape(value) == Y_TRUE_07_4.shape,
                N_(
                    "That returns one value per element, shape (2, 3); a Keras loss function returns one "
                    "value per sample: average over the last axis."
                ),
                _log_cosh_without_mean,
            ),
            Mistake(
                "sum over the last axis",
                near(_LOG_COSH_07_4.sum(axis=-1), rtol=1e-4),
                N_(
                    "That sums over the last axis; Keras's log-cosh (like MSE) averages it."
                ),
                _log_cosh_sum,
            ),
            Mistake(
                "quadratic approximation",
                near(np.mean(0.5 * _ERROR_07_4**2, axis=-1), rtol=1e-4),
                N_(
                    "e²/2 is log-cosh only for small errors; for large ones log-cosh grows like |e| − ln 2."
                ),
                _half_square,
            ),
        ),
        rtol=1e-4,
        atol=1e-6,
    )
)
