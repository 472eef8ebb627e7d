"""Exercises of notebook 10 (generating images by descending a loss), in the notebook's order.

10.1's reference is checked against ``course_utils.guided_generation.total_variation`` (and through it
``tf.image.total_variation``) in tests/test_guided_generation.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register

# ----------------------------------------------------------------------------- 10.1 total variation

#: Exercise 10.1: the images the learner's function is called on.
TV_IMAGES = (
    np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
    np.array([[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]),
    np.array([[0.2, 0.9, 0.1, 0.4], [0.7, 0.0, 0.3, 0.8], [0.5, 0.6, 1.0, 0.2]]),
)


def _reference_tv(image: Any) -> float:
    image = np.asarray(image, dtype=float)
    down = np.abs(np.diff(image, axis=0)).sum()
    across = np.abs(np.diff(image, axis=1)).sum()
    return float(down + across)


def _call_tv(function: Any) -> np.ndarray:
    values = [function(image.copy()) for image in TV_IMAGES]
    if any(value is Ellipsis for value in values):
        raise ValueError(
            "the function still returns `...`: write the formula in its place"
        )
    return np.array([float(value) for value in values])


def _tv_one_direction(image: Any) -> float:
    return float(np.abs(np.diff(np.asarray(image, dtype=float), axis=1)).sum())


def _tv_squared(image: Any) -> float:
    image = np.asarray(image, dtype=float)
    return float(
        (np.diff(image, axis=0) ** 2).sum() + (np.diff(image, axis=1) ** 2).sum()
    )


def _tv_mean(image: Any) -> float:
    image = np.asarray(image, dtype=float)
    return float(
        np.abs(np.diff(image, axis=0)).mean() + np.abs(np.diff(image, axis=1)).mean()
    )


register(
    Exercise(
        key="10.1",
        title="total variation of an image",
        solution=_reference_tv,
        hint=(
            "Sum |difference| over every pair of vertically neighbouring pixels and every pair "
            "of horizontally neighbouring pixels: np.diff along each axis, np.abs, .sum()."
        ),
        evaluate=_call_tv,
        mistakes=(
            Mistake(
                "one direction only",
                near(_call_tv(_tv_one_direction)),
                "You summed the differences along one axis only; an image has vertical and "
                "horizontal neighbours.",
                _tv_one_direction,
            ),
            Mistake(
                "squared differences",
                near(_call_tv(_tv_squared)),
                "You squared the differences. The total variation used here (and by "
                "tf.image.total_variation) sums their absolute values.",
                _tv_squared,
            ),
            Mistake(
                "mean instead of sum",
                near(_call_tv(_tv_mean)),
                "You averaged the differences; the total variation is their sum.",
                _tv_mean,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 10.2 a weight

#: Exercise 10.2: the size of the classifier's gradient, and the allowed size of the change.
GRADIENT_NORM = 6.0
ALLOWED_CHANGE = 0.5

register(
    Exercise(
        key="10.2",
        title="the near-image weight that bounds the change",
        solution=GRADIENT_NORM / ALLOWED_CHANGE,
        hint=(
            "Set the gradient of g·d + (λ/2)‖d‖² with respect to the change d to zero: "
            "g + λ d = 0, so d = −g/λ and ‖d‖ = ‖g‖/λ. Solve ‖g‖/λ = 0.5."
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "lost the one half",
                near(GRADIENT_NORM / (2 * ALLOWED_CHANGE)),
                "With (λ/2)‖d‖² the gradient of the term is λ d, not 2λ d: the ½ cancels the "
                "2 of the square.",
                GRADIENT_NORM / (2 * ALLOWED_CHANGE),
            ),
            Mistake(
                "inverted",
                near(ALLOWED_CHANGE / GRADIENT_NORM),
                "That is the reciprocal: a larger weight allows a *smaller* change, so λ must "
                "grow with ‖g‖.",
                ALLOWED_CHANGE / GRADIENT_NORM,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 10.3 the push on the logits

#: Exercise 10.3: the classifier's logits for one image, and the class the descent pushes toward.
LOGITS = np.array([2.0, 0.5, -1.0])
TARGET = 1

_P = np.exp(LOGITS - LOGITS.max()) / np.exp(LOGITS - LOGITS.max()).sum()
_ONE_HOT = np.eye(3)[TARGET]

register(
    Exercise(
        key="10.3",
        title="the gradient of the cross-entropy toward class k on the logits",
        solution=_P - _ONE_HOT,
        hint=(
            "For L = −ln softmax(logits)_k the gradient with respect to the logits is "
            "softmax(logits) − one_hot(k) (notebook 03, section 6). Answer the 3 numbers."
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            Mistake(
                "sign",
                near(_ONE_HOT - _P),
                "That is minus the gradient: the direction a descent *moves*, not the gradient.",
                _ONE_HOT - _P,
            ),
            Mistake(
                "probabilities only",
                near(_P),
                "Those are the probabilities; subtract the one-hot vector of the target class.",
                _P,
            ),
            Mistake(
                "wrong class",
                near(_P - np.eye(3)[0]),
                "You used class 0 (the most probable one); the target is class k = 1.",
                _P - np.eye(3)[0],
            ),
        ),
        rtol=1e-4,
    )
)
