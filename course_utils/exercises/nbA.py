"""Exercises of appendix A (the source article's mistakes), registered on import.

Each one shows fresh code that repeats one of the article's mistakes: A.1 asks which
mistake a custom Huber-like loss repeats, A.2 for the logit gradient a single-label
classifier should have, A.3 for the gradient TensorFlow really gives MAE at zero error.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_

# ----------------------------------------------------------------------------- A.1

register(
    Exercise(
        key="A.1",
        title=N_("which mistake a smooth-L1 loss repeats"),
        solution=6,
        hint=(
            N_(
                "The branches meet at |e| = 1 (both give 0.5), so the formula is fine. Look at how the "
                "branch is chosen, and at what e is inside fit: a whole batch of errors."
            )
        ),
        mistakes=(
            Mistake(
                "mistake 5",
                near(5),
                N_(
                    "Mistake 5 is a missing ½; here the ½ is there and the branches meet at |e| = 1."
                ),
                5,
            ),
            Mistake(
                "mistake 3",
                near(3),
                N_(
                    "It does return per-element values (mistake 3's symptom), but Keras averages those "
                    "itself; that is not what stops fit at the first batch."
                ),
                3,
            ),
            Mistake(
                "mistake 11",
                near(11),
                N_(
                    "The loss takes exactly (y_true, y_pred), as compile wants; nothing is saved or loaded here."
                ),
                11,
            ),
        ),
        atol=0.0,
        rtol=0.0,
    )
)

# ----------------------------------------------------------------------------- A.2

#: Exercise A.2: logits of one document and its true class (index 2 of 4).
LOGITS_A_2 = np.array([6.0, 0.0, 0.0, 0.0])
TARGET_A_2 = np.array([0.0, 0.0, 1.0, 0.0])


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - z.max())
    return shifted / shifted.sum()


def sigmoid_cce_logit_gradient(logits: np.ndarray, target: np.ndarray) -> np.ndarray:
    r"""Gradient w.r.t. the logits of Keras's categorical cross-entropy on sigmoid outputs.

    What the loss computes where the sigmoid's logits are lost (the JAX and PyTorch backends, or a
    raw ``tf.sigmoid`` called eagerly): it divides the outputs by their sum S before the log, so with
    :math:`s = \sigma(z)`, :math:`L = -\ln(s_t / S)` and

    .. math:: \frac{\partial L}{\partial z_j} = \frac{s_j (1 - s_j)}{S} - y_j (1 - s_j).

    (On TensorFlow a Keras sigmoid layer keeps its logits and the model trains with the softmax
    gradient instead.) Used in: A (the wrong head of exercise A.2).
    """
    s = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=float)))
    return s * (1.0 - s) / s.sum() - np.asarray(target, dtype=float) * (1.0 - s)


_RIGHT_A_2 = _softmax(LOGITS_A_2) - TARGET_A_2
#: Decimal places exercise A.2 asks for.
DECIMALS_A_2 = 4

register(
    Exercise(
        key="A.2",
        title=N_("the logit gradient of a single-label classifier"),
        solution=_RIGHT_A_2,
        hint=(
            N_(
                "Replace the sigmoids by a softmax (or logits with from_logits=True). For softmax with "
                "cross-entropy, ∂L/∂z = softmax(z) − y, an array of 4 numbers."
            )
        ),
        mistakes=(
            Mistake(
                "kept the sigmoid head",
                near(sigmoid_cce_logit_gradient(LOGITS_A_2, TARGET_A_2), rtol=1e-3),
                N_(
                    "That is the divide-by-sum gradient: what the sigmoid head trains with on JAX or PyTorch "
                    "(the wrong class 0, at σ(6) ≈ 0.998, gets almost no push down). On TensorFlow the "
                    "sigmoid head already trains with the softmax's gradient, but predict returns sigmoids "
                    "that do not sum to 1. The fixed model's gradient is softmax(z) − y."
                ),
                sigmoid_cce_logit_gradient(LOGITS_A_2, TARGET_A_2),
            ),
            Mistake(
                "sign",
                near(-_RIGHT_A_2, rtol=1e-3),
                N_(
                    "The sign is flipped: the gradient is p − y (gradient descent then lowers z₀ and raises z₂)."
                ),
                -_RIGHT_A_2,
            ),
            Mistake(
                "probabilities only",
                near(_softmax(LOGITS_A_2), rtol=1e-3),
                N_("That is softmax(z) alone; subtract the one-hot target y."),
                _softmax(LOGITS_A_2),
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_RIGHT_A_2, decimals=DECIMALS_A_2),
                N_(
                    "Right idea, but round to 4 decimal places, e.g. np.round(gradient, 4)."
                ),
                np.round(_RIGHT_A_2, 2),
            ),
        ),
        rtol=0.0,
        atol=tolerance(_RIGHT_A_2, decimals=DECIMALS_A_2),
    )
)

# ----------------------------------------------------------------------------- A.3

#: Exercise A.3: targets and predictions (one sample, k = 3 values), two errors exactly 0.
Y_TRUE_A_3 = np.array([1.0, 2.0, 3.0])
Y_PRED_A_3 = np.array([1.0, 2.5, 3.0])
_K = len(Y_TRUE_A_3)
_RIGHT_A_3 = np.sign(Y_PRED_A_3 - Y_TRUE_A_3) / _K
#: Decimal places exercise A.3 asks for.
DECIMALS_A_3 = 3


def _has_nan(value: object) -> bool:
    return bool(np.isnan(np.asarray(value, dtype=float)).any())


register(
    Exercise(
        key="A.3",
        title=N_("the gradient of MAE where the error is 0"),
        solution=_RIGHT_A_3,
        hint=(
            N_(
                "L = (1/3) Σ |ŷⱼ − yⱼ|. TensorFlow differentiates |e| as sign(e), with sign(0) = 0; "
                "each entry also carries the 1/k of the mean."
            )
        ),
        mistakes=(
            Mistake(
                "NaN at zero",
                _has_nan,
                N_(
                    "Nothing divides by zero: TensorFlow uses the subgradient sign(0) = 0, so a zero error "
                    "gives a zero gradient, not NaN (run it with tf.GradientTape to see)."
                ),
                np.array([np.nan, 1 / 3, np.nan]),
            ),
            Mistake(
                "forgot 1/k",
                near(np.sign(Y_PRED_A_3 - Y_TRUE_A_3)),
                N_(
                    "The loss averages the 3 values, so each gradient entry is divided by k = 3."
                ),
                np.sign(Y_PRED_A_3 - Y_TRUE_A_3),
            ),
            Mistake(
                "sign",
                near(-_RIGHT_A_3),
                N_(
                    "e = ŷ − y = +0.5 for the middle value: raising ŷ raises the loss, so the gradient is +1/3."
                ),
                -_RIGHT_A_3,
            ),
            Mistake(
                "error, not sign",
                near((Y_PRED_A_3 - Y_TRUE_A_3) / _K),
                N_(
                    "That is the gradient of a squared error (up to a factor 2); MAE's slope is ±1/k whatever the size of e."
                ),
                (Y_PRED_A_3 - Y_TRUE_A_3) / _K,
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_RIGHT_A_3, decimals=DECIMALS_A_3),
                N_("Right idea, but give 3 decimal places: 1/3 is 0.333."),
                np.round(_RIGHT_A_3, 1),
            ),
        ),
        rtol=0.0,
        atol=tolerance(_RIGHT_A_3, decimals=DECIMALS_A_3),
    )
)
