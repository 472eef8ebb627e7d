"""Exercises of notebook 10 (generating images by descending a loss), in the notebook's order.

10.1's reference is checked against ``course_utils.guided_generation.total_variation`` (and through it
``tf.image.total_variation``) in tests/test_guided_generation.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_

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


def _tv_other_direction(image: Any) -> float:
    return float(np.abs(np.diff(np.asarray(image, dtype=float), axis=0)).sum())


def _one_direction_only(values: Any) -> bool:
    """Either axis alone: horizontal neighbours only, or vertical neighbours only."""
    return near(_call_tv(_tv_one_direction))(values) or near(
        _call_tv(_tv_other_direction)
    )(values)


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
        title=N_("total variation of an image"),
        solution=_reference_tv,
        hint=(
            N_(
                "Sum |difference| over every pair of vertically neighbouring pixels and every pair "
                "of horizontally neighbouring pixels: np.diff along each axis, np.abs, .sum()."
            )
        ),
        evaluate=_call_tv,
        mistakes=(
            Mistake(
                "one direction only",
                _one_direction_only,
                N_(
                    "You summed the differences along one axis only; an image has vertical and "
                    "horizontal neighbours."
                ),
                _tv_one_direction,
            ),
            Mistake(
                "the other direction only",
                _one_direction_only,
                N_(
                    "You summed the differences along one axis only; an image has vertical and "
                    "horizontal neighbours."
                ),
                _tv_other_direction,
            ),
            Mistake(
                "squared differences",
                near(_call_tv(_tv_squared)),
                N_(
                    "You squared the differences. The total variation used here (and by "
                    "tf.image.total_variation) sums their absolute values."
                ),
                _tv_squared,
            ),
            Mistake(
                "mean instead of sum",
                near(_call_tv(_tv_mean)),
                N_("You averaged the differences; the total variation is their sum."),
                _tv_mean,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 10.2 a weight

#: Exercise 10.2: the size of the classifier's gradient, the allowed size of the change, and the
#: pixels the lab's near term averages over: (λ/2)·(1/784)‖d‖², as ``descend_pixels`` computes it.
GRADIENT_NORM = 6.0
ALLOWED_CHANGE = 0.5
PIXELS = 784

register(
    Exercise(
        key="10.2",
        title=N_("the near-image weight that bounds the change"),
        solution=PIXELS * GRADIENT_NORM / ALLOWED_CHANGE,
        hint=(
            N_(
                "Set the gradient of g·d + (λ/2)(1/784)‖d‖² with respect to the change d to zero: "
                "g + (λ/784) d = 0, so d = −784 g/λ and ‖d‖ = 784 ‖g‖/λ. Solve 784 ‖g‖/λ = 0.5."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "a sum, not the lab's mean",
                GRADIENT_NORM / ALLOWED_CHANGE,
                N_(
                    "That is the weight for a near term summed over pixels, (λ/2)‖d‖². The lab's term "
                    "averages over the 784 pixels, so the same pull needs a weight 784 times larger: "
                    "λ_mean = 784 · λ_sum."
                ),
            ),
            Mistake.near(
                "lost the one half",
                PIXELS * GRADIENT_NORM / (2 * ALLOWED_CHANGE),
                N_(
                    "With (λ/2)·(1/784)‖d‖² the gradient of the term is (λ/784) d, not 2(λ/784) d: "
                    "the ½ cancels the 2 of the square."
                ),
            ),
            Mistake.near(
                "inverted",
                ALLOWED_CHANGE / (PIXELS * GRADIENT_NORM),
                N_(
                    "That is the reciprocal: a larger weight allows a *smaller* change, so λ must "
                    "grow with ‖g‖."
                ),
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

#: The question asks for 3 decimals: the gradient rounded or cut to 3 decimals (or more) passes;
#: an answer rounded more coarsely gets its own message.
GRADIENT_DECIMALS = 3
_GRADIENT_TOLERANCE = tolerance(_P - _ONE_HOT, decimals=GRADIENT_DECIMALS)


register(
    Exercise(
        key="10.3",
        title=N_("the gradient of the cross-entropy toward class k on the logits"),
        solution=_P - _ONE_HOT,
        hint=(
            N_(
                "For L = −ln softmax(logits)_k the gradient with respect to the logits is "
                "softmax(logits) − one_hot(k) (notebook 03, section 6). Answer the 3 numbers."
            )
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_P - _ONE_HOT, decimals=GRADIENT_DECIMALS),
                N_(
                    "Close, but rounded too coarsely: give each of the three numbers to 3 decimals."
                ),
                np.round(_P - _ONE_HOT, GRADIENT_DECIMALS - 1),
            ),
            Mistake(
                "sign",
                near(_ONE_HOT - _P),
                N_(
                    "That is minus the gradient: the direction a descent *moves*, not the gradient."
                ),
                _ONE_HOT - _P,
            ),
            Mistake(
                "probabilities only",
                near(_P),
                N_(
                    "Those are the probabilities; subtract the one-hot vector of the target class."
                ),
                _P,
            ),
            Mistake(
                "wrong class",
                near(_P - np.eye(3)[0]),
                N_(
                    "You used class 0 (the most probable one); the target is class k = 1."
                ),
                _P - np.eye(3)[0],
            ),
        ),
        rtol=0.0,
        atol=_GRADIENT_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 10.4 success rate

#: Exercise 10.4: ten test digits attacked at one budget ε, toward target = (label + 1) mod 10.
ATTACK_LABELS = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
ATTACK_BEFORE = np.array(
    [3, 1, 4, 7, 5, 9, 2, 6, 8, 3]
)  # the classifier before the attack
ATTACK_TARGETS = (ATTACK_LABELS + 1) % 10
ATTACK_AFTER = np.array(
    [4, 2, 5, 2, 6, 9, 3, 1, 6, 3]
)  # the classifier after the attack

_CORRECT = ATTACK_BEFORE == ATTACK_LABELS
_SUCCESS = float(np.mean(ATTACK_AFTER[_CORRECT] == ATTACK_TARGETS[_CORRECT]))
_ALL_IMAGES = float(np.mean(ATTACK_AFTER == ATTACK_TARGETS))
_UNTARGETED = float(np.mean(ATTACK_AFTER[_CORRECT] != ATTACK_LABELS[_CORRECT]))

register(
    Exercise(
        key="10.4",
        title=N_("success rate of a targeted attack at a budget"),
        solution=_SUCCESS,
        hint=(
            N_(
                "Keep only the digits the classifier got right before the attack "
                "(before == labels); among them, count those it now puts in the target class "
                "(after == targets) and divide by how many you kept. Answer a fraction in [0, 1]."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "counted every image",
                _ALL_IMAGES,
                N_(
                    "You counted all ten digits. Two were misclassified before the attack, so "
                    "there was nothing to attack: keep only those with before == labels."
                ),
            ),
            Mistake.near(
                "untargeted",
                _UNTARGETED,
                N_(
                    "You counted every digit whose class changed. The attack is targeted: it "
                    "succeeds only when the classifier says the target class (after == targets)."
                ),
            ),
            Mistake.near(
                "a percentage",
                100 * _SUCCESS,
                N_("That is a percentage; answer the fraction (between 0 and 1)."),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 10.5 init_weight

#: Exercise 10.5: a latent of d = 4 numbers, its start z⁰ and the article's init_weight; the term
#: is F.mse_loss(z, z_orig) * init_weight / 2 = (λ/2)·(1/d)·Σⱼ (zⱼ − z⁰ⱼ)², as
#: ``guided_generation.init_term`` computes it (checked against TensorFlow's gradient in
#: tests/test_guided_generation.py).
INIT_Z = np.array([1.5, -1.0, 0.5, 3.0])
INIT_Z0 = np.array([1.0, 0.0, 0.5, 1.0])
INIT_WEIGHT = 8.0

_D = INIT_Z.size
_INIT_GRADIENT = INIT_WEIGHT / _D * (INIT_Z - INIT_Z0)


def _as_gradient(answer: Any) -> np.ndarray:
    values = np.asarray(answer, dtype=float)
    if values.shape != INIT_Z.shape:
        raise ValueError(
            f"the gradient has one entry per latent number: 4 numbers, got shape {values.shape}"
        )
    return values


register(
    Exercise(
        key="10.5",
        title=N_("the gradient of the article's init_weight term"),
        solution=_INIT_GRADIENT,
        hint=(
            N_(
                "The term is (λ/2)·(1/d)·Σⱼ (zⱼ − z⁰ⱼ)² with d = 4 (mse_loss is a mean over the "
                "elements of z). Differentiate one entry: (λ/2)·(1/d)·2(zⱼ − z⁰ⱼ) = (λ/d)(zⱼ − z⁰ⱼ)."
            )
        ),
        evaluate=_as_gradient,
        mistakes=(
            Mistake.near(
                "a sum, not a mean",
                INIT_WEIGHT * (INIT_Z - INIT_Z0),
                N_(
                    "That is the gradient of (λ/2)·‖z − z⁰‖², a sum over the latent. PyTorch's "
                    "mse_loss averages over the d = 4 elements, so the pull is λ/d per unit of "
                    "distance, 4 times weaker."
                ),
            ),
            Mistake.near(
                "lost the one half",
                2 * INIT_WEIGHT / _D * (INIT_Z - INIT_Z0),
                N_(
                    "The article divides init_weight by 2: the ½ cancels the 2 that the square's "
                    "derivative brings, leaving (λ/d)(z − z⁰)."
                ),
            ),
            Mistake.near(
                "sign",
                -_INIT_GRADIENT,
                N_(
                    "That is minus the gradient (the direction a step moves z, back toward z⁰). "
                    "The gradient points away from z⁰: (λ/d)(z − z⁰)."
                ),
            ),
        ),
    )
)
