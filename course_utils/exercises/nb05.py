"""Exercises of notebook 05 (classification losses), registered on import, in notebook order.

05.1 a stable binary cross-entropy from logits (a function), 05.2 labels for the sparse loss,
05.3 focal loss's weight on an easy example, 05.4 the hinge on {0, 1} labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_

# ----------------------------------------------------------------------------- 05.1

#: Fixed inputs on which a learner's ``bce_logits(y, z)`` is evaluated: ordinary and extreme logits.
BCE_Y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
BCE_Z = np.array([2.0, -0.5, -4.0, 3.0, -800.0, 800.0])


def evaluate_bce_logits(bce_logits: Callable[..., Any]) -> np.ndarray:
    """Call a learner's ``bce_logits(y, z)`` on :data:`BCE_Y`, :data:`BCE_Z`; one loss per element.

    Used in: 05 exercise 05.1.
    """
    if not callable(bce_logits):
        raise TypeError(
            f"give a function bce_logits(y, z), not a {type(bce_logits).__name__}."
        )
    with np.errstate(all="ignore"):
        result = bce_logits(BCE_Y.copy(), BCE_Z.copy())
    if result is Ellipsis or result is None:
        raise TypeError("bce_logits returns nothing yet; end it with `return loss`.")
    array = np.asarray(result, dtype=float)
    if array.shape != BCE_Z.shape:
        raise ValueError(
            f"bce_logits must return one loss per element, shape {BCE_Z.shape}, "
            f"got {array.shape} (no mean here)."
        )
    return array


def _stable(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _naive(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def _clipped(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    sigmoid = np.exp(-np.logaddexp(0.0, -z))  # σ(z) without overflow
    p = np.clip(sigmoid, 1e-7, 1.0 - 1e-7)
    return -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def _sign_flipped(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.maximum(-z, 0.0) + z * y + np.log1p(np.exp(-np.abs(z)))


def _close_to(target: np.ndarray, rtol: float = 1e-6) -> Callable[[Any], bool]:
    """Like :func:`course_utils.checks.near`, for an array target."""

    def matches(value: Any) -> bool:
        array = np.asarray(value, dtype=float)
        return array.shape == target.shape and bool(
            np.allclose(array, target, rtol=rtol)
        )

    return matches


def _not_finite(value: Any) -> bool:
    return not bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


register(
    Exercise(
        key="05.1",
        title=N_("binary cross-entropy from logits, stably"),
        solution=_stable,
        hint=(
            N_(
                "Use L = max(z, 0) − z·y + log1p(exp(−|z|)) with np.maximum, np.abs and np.log1p: "
                "nothing in it can overflow, whatever the size of z."
            )
        ),
        evaluate=evaluate_bce_logits,
        mistakes=(
            Mistake(
                "sigmoid then log",
                _not_finite,
                N_(
                    "For z = ±800 the sigmoid rounds to exactly 0 or 1 and the log gives infinity (or "
                    "exp overflows). Compute the loss from z itself, not from σ(z)."
                ),
                _naive,
            ),
            Mistake(
                "clipped probabilities",
                _close_to(_clipped(BCE_Y, BCE_Z)),
                N_(
                    "This clips σ(z) to [ε, 1 − ε]: finite, but a logit of −800 with target 1 costs "
                    "16.1 instead of 800, and its gradient is 0. The logit form needs no clipping."
                ),
                _clipped,
            ),
            Mistake(
                "sign of z",
                _close_to(_sign_flipped(BCE_Y, BCE_Z)),
                N_(
                    "The signs of z are flipped: this is the loss of −z. The term is −z·y, and the max "
                    "is max(z, 0)."
                ),
                _sign_flipped,
            ),
        ),
        rtol=1e-9,
    )
)

# ----------------------------------------------------------------------------- 05.2

#: The one-hot targets of exercise 05.2 (four documents, K = 5 classes).
ONE_HOT_TARGETS = np.eye(5)[[3, 0, 4, 1]]

register(
    Exercise(
        key="05.2",
        title=N_("labels for sparse_categorical_crossentropy"),
        solution=np.argmax(ONE_HOT_TARGETS, axis=-1),
        hint=N_(
            "Each row has one 1: its position is the class id. np.argmax(..., axis=-1)."
        ),
        mistakes=(
            Mistake(
                "counted from 1",
                _close_to(np.argmax(ONE_HOT_TARGETS, axis=-1) + 1),
                N_(
                    "Class ids start at 0 (the first column is class 0); yours start at 1."
                ),
                np.argmax(ONE_HOT_TARGETS, axis=-1) + 1,
            ),
            Mistake(
                "kept the one-hot rows",
                lambda value: np.shape(value) == ONE_HOT_TARGETS.shape,
                N_(
                    "These are still the one-hot rows, shape (4, 5). The sparse loss wants one class "
                    "id per document, shape (4,)."
                ),
                ONE_HOT_TARGETS,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 05.3


_P_T, _GAMMA, _ALPHA = 0.9, 2.0, 0.25
#: Decimal places exercise 05.3 asks for.
FOCAL_DECIMALS = 4

register(
    Exercise(
        key="05.3",
        title=N_("how much focal loss keeps of an easy example"),
        solution=_ALPHA * (1.0 - _P_T) ** _GAMMA,
        hint=N_(
            "The focal loss is α(1 − p_t)^γ times the cross-entropy −ln p_t: the factor is α(1 − p_t)^γ."
        ),
        mistakes=(
            Mistake(
                "forgot alpha",
                near((1.0 - _P_T) ** _GAMMA),
                N_(
                    "That is (1 − p_t)^γ alone: with class balancing, class 1 is also weighted by α = 0.25."
                ),
                (1.0 - _P_T) ** _GAMMA,
            ),
            Mistake(
                "p_t instead of 1 − p_t",
                near(_ALPHA * _P_T**_GAMMA),
                N_(
                    "The modulating factor is (1 − p_t)^γ, small when the model is right (p_t near 1); "
                    "you used p_t^γ, which would up-weight the easy examples."
                ),
                _ALPHA * _P_T**_GAMMA,
            ),
            Mistake(
                "the focal loss itself",
                near(_ALPHA * (1.0 - _P_T) ** _GAMMA * -np.log(_P_T)),
                N_(
                    "That is the focal loss; the question asks for the factor by which it shrinks the "
                    "cross-entropy (focal ÷ CE)."
                ),
                _ALPHA * (1.0 - _P_T) ** _GAMMA * -np.log(_P_T),
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser(
                    _ALPHA * (1.0 - _P_T) ** _GAMMA, decimals=FOCAL_DECIMALS
                ),
                N_("Right idea, but give 4 decimal places: the factor is small."),
                0.002,
            ),
        ),
        rtol=0.0,
        atol=tolerance(_ALPHA * (1.0 - _P_T) ** _GAMMA, decimals=FOCAL_DECIMALS),
    )
)

# ----------------------------------------------------------------------------- 05.4

HINGE_Y = np.array([0.0, 1.0, 1.0])
HINGE_SCORES = np.array([0.3, 1.6, -0.5])
#: Decimal places exercise 05.4 asks for.
HINGE_DECIMALS = 4
_HINGE = float(np.mean(np.maximum(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES, 0.0)))

register(
    Exercise(
        key="05.4",
        title=N_("Keras's hinge on {0, 1} labels"),
        solution=float(
            np.mean(np.maximum(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES, 0.0))
        ),
        hint=(
            N_(
                "Every label is 0 or 1, so Keras first turns them into −1 and +1 (2y − 1). Then "
                "max(1 − y·ŷ, 0) per score, and the mean over the K = 3 scores."
            )
        ),
        mistakes=(
            Mistake(
                "no label conversion",
                near(float(np.mean(np.maximum(1.0 - HINGE_Y * HINGE_SCORES, 0.0)))),
                N_(
                    "The labels were used as 0 and 1: a label 0 then gives max(1 − 0, 0) = 1 whatever "
                    "the score. Keras converts {0, 1} labels to {−1, +1} first."
                ),
                float(np.mean(np.maximum(1.0 - HINGE_Y * HINGE_SCORES, 0.0))),
            ),
            Mistake(
                "sum instead of mean",
                near(
                    float(
                        np.sum(
                            np.maximum(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES, 0.0)
                        )
                    )
                ),
                N_(
                    "That is the sum of the three terms; hinge takes their mean over the last axis."
                ),
                float(
                    np.sum(np.maximum(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES, 0.0))
                ),
            ),
            Mistake(
                "forgot the max",
                near(float(np.mean(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES))),
                N_(
                    "Without max(…, 0) a score beyond the margin would reduce the loss; the hinge is "
                    "0 there."
                ),
                float(np.mean(1.0 - (2.0 * HINGE_Y - 1.0) * HINGE_SCORES)),
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_HINGE, decimals=HINGE_DECIMALS),
                N_("Right idea, but give 4 decimal places (2.8 / 3 = 0.9333…)."),
                0.93,
            ),
        ),
        rtol=0.0,
        atol=tolerance(_HINGE, decimals=HINGE_DECIMALS),
    )
)
