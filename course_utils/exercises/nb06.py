"""Exercises of notebook 06 (divergence, similarity and the other losses), in the notebook's order.

Every reference answer is computed with the loss catalog or the lesson helpers, so a check
compares the learner's number with what Keras computes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_
from course_utils.losses import get
from course_utils.other_losses_lessons import collapse, keras_label

# ----------------------------------------------------------------------------- 06.1 KL both ways

#: Exercise 06.1: the target p and the model q; the answer is asked to 4 decimals.
KL_P = np.array([0.7, 0.2, 0.1])
KL_Q = np.array([0.4, 0.4, 0.2])
KL_DECIMALS = 4

_FORWARD = float(get("kl_divergence").numpy(KL_P, KL_Q))
_REVERSE = float(get("kl_divergence").numpy(KL_Q, KL_P))
_CROSS_PQ = float(-np.sum(KL_P * np.log(KL_Q)))
_CROSS_QP = float(-np.sum(KL_Q * np.log(KL_P)))
_KL_TOLERANCE = tolerance([_FORWARD, _REVERSE], decimals=KL_DECIMALS)

register(
    Exercise(
        key="06.1",
        title=N_("forward and reverse KL of two distributions"),
        solution=[_FORWARD, _REVERSE],
        hint=(
            N_(
                "KL(p‖q) = Σ p_k ln(p_k / q_k) with the natural log; the reverse swaps the roles: "
                "Σ q_k ln(q_k / p_k). Answer [KL(p‖q), KL(q‖p)]."
            )
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            Mistake(
                "swapped",
                near([_REVERSE, _FORWARD], rtol=0.0, atol=_KL_TOLERANCE),
                N_(
                    "Those are the right two numbers in the wrong order: the first is KL(p‖q), "
                    "weighted by p, the target."
                ),
                [_REVERSE, _FORWARD],
            ),
            Mistake(
                "log base 2",
                near(
                    [_FORWARD / np.log(2), _REVERSE / np.log(2)],
                    rtol=0.0,
                    atol=_KL_TOLERANCE,
                ),
                N_(
                    "That is in bits (log base 2). Keras and the course use the natural log: nats."
                ),
                [_FORWARD / np.log(2), _REVERSE / np.log(2)],
            ),
            Mistake(
                "cross-entropy",
                near([_CROSS_PQ, _CROSS_QP], rtol=0.0, atol=_KL_TOLERANCE),
                N_(
                    "That is the cross-entropy −Σ p ln q, not the divergence: subtract the entropy "
                    "(CE = H + KL)."
                ),
                [_CROSS_PQ, _CROSS_QP],
            ),
            Mistake(
                "same both ways",
                lambda value: (
                    np.shape(value) == (2,) and bool(np.isclose(value[0], value[1]))
                ),
                N_(
                    "KL is not symmetric: the two directions give different numbers here."
                ),
                [_FORWARD, _FORWARD],
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser([_FORWARD, _REVERSE], decimals=KL_DECIMALS),
                N_(
                    "Right numbers, rounded too coarsely: give 4 decimals, as the question asks."
                ),
                list(np.round([_FORWARD, _REVERSE], 2)),
            ),
        ),
        rtol=0.0,
        atol=_KL_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 06.2 Tversky

#: Exercise 06.2: a mask of six pixels and a hard prediction; α = 0.7, β = 0.3 as Keras defines them.
TVERSKY_TRUE = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
TVERSKY_PRED = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 0.0])
TVERSKY_ALPHA, TVERSKY_BETA = 0.7, 0.3
TVERSKY_DECIMALS = 3

_TVERSKY = float(
    get("tversky").numpy(
        TVERSKY_TRUE, TVERSKY_PRED, alpha=TVERSKY_ALPHA, beta=TVERSKY_BETA
    )
)
_TVERSKY_SWAPPED = float(
    get("tversky").numpy(
        TVERSKY_TRUE, TVERSKY_PRED, alpha=TVERSKY_BETA, beta=TVERSKY_ALPHA
    )
)
_DICE = float(get("dice").numpy(TVERSKY_TRUE, TVERSKY_PRED))
_TVERSKY_TOLERANCE = tolerance(_TVERSKY, decimals=TVERSKY_DECIMALS)

register(
    Exercise(
        key="06.2",
        title=N_("the Tversky loss of a six-pixel mask"),
        solution=_TVERSKY,
        hint=(
            N_(
                "Count TP (pixels in both), FN (true pixels the prediction misses) and FP (predicted "
                "pixels outside the mask). Keras: L = 1 − TP / (TP + α·FN + β·FP) with α = 0.7, β = 0.3."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "alpha on FP",
                near(_TVERSKY_SWAPPED, rtol=0.0, atol=_TVERSKY_TOLERANCE),
                N_(
                    "That puts α on the false positives, as Keras's docstring (and Salehi et al.) "
                    "say. Keras's code multiplies α by Σ y(1 − ŷ), the object pixels the "
                    "prediction misses (FN), and β by the extra pixels (FP)."
                ),
                _TVERSKY_SWAPPED,
            ),
            Mistake(
                "index, not loss",
                near(1.0 - _TVERSKY, rtol=0.0, atol=_TVERSKY_TOLERANCE),
                N_(
                    "That is the Tversky index (the overlap score). The loss is 1 minus it."
                ),
                1.0 - _TVERSKY,
            ),
            Mistake(
                "Dice",
                near(_DICE, rtol=0.0, atol=_TVERSKY_TOLERANCE),
                N_(
                    "That is the Dice loss (α = β = 0.5). Use the weights α = 0.7 and β = 0.3."
                ),
                _DICE,
            ),
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_TVERSKY, decimals=TVERSKY_DECIMALS),
                N_("Right, but rounded too coarsely: give 3 decimals."),
                round(_TVERSKY, 1),
            ),
        ),
        rtol=0.0,
        atol=_TVERSKY_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 06.3 how CTC reads labels

#: Exercise 06.3: one padded row of y_true with a 0 inside the label.
CTC_ROW = np.array([2, 0, 3, 1, 0, 0])
_READ = list(keras_label(CTC_ROW))


def _as_label(answer: Any) -> np.ndarray:
    label = np.asarray(answer, dtype=float)
    if label.ndim != 1:
        raise ValueError("give the label as a list of class ids, e.g. [1, 2].")
    return label


register(
    Exercise(
        key="06.3",
        title=N_("the label Keras's CTC reads from a padded row"),
        solution=_READ,
        hint=(
            N_(
                "Count the non-zero entries: n. Keras takes the first n entries of the row as the "
                "label, whatever they are (a 0 among them stays)."
            )
        ),
        evaluate=_as_label,
        mistakes=(
            Mistake(
                "the non-zero entries",
                near([2.0, 3.0, 1.0]),
                N_(
                    "Those are the non-zero entries. Keras does not pick them out: it counts them "
                    "(n = 3) and reads the first n entries of the row."
                ),
                [2, 3, 1],
            ),
            Mistake(
                "up to the first zero",
                near([2.0]),
                N_(
                    "Keras does not stop at the first 0: it reads the first n entries, n being the "
                    "number of non-zeros in the whole row."
                ),
                [2],
            ),
            Mistake(
                "the whole row",
                near(CTC_ROW.astype(float)),
                N_(
                    "That is the whole padded row. Only its first n entries are the label "
                    "(n = number of non-zeros)."
                ),
                CTC_ROW.tolist(),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 06.4 collapse

#: Exercise 06.4: the paths the learner's ``collapse`` is evaluated on (0 is the blank).
COLLAPSE_PATHS: tuple[tuple[int, ...], ...] = (
    (1, 1, 0, 2, 2),
    (1, 0, 1),
    (0, 0, 0),
    (2, 1, 1, 0, 1),
    (1, 2, 2, 0, 0, 2),
)


def evaluate_collapse(function: Callable[[tuple[int, ...]], Any]) -> np.ndarray:
    """Call a learner's ``collapse(path)`` on :data:`COLLAPSE_PATHS`; results joined by −1.

    Taught in: 06 §6 (exercise 06.4).
    """
    if not callable(function):
        raise TypeError(
            f"give a function collapse(path), not a {type(function).__name__}."
        )
    pieces: list[float] = []
    for path in COLLAPSE_PATHS:
        result = function(path)
        if result is Ellipsis or result is None:
            raise TypeError(
                "collapse still returns nothing; end it with `return tuple(...)`."
            )
        pieces.extend(float(symbol) for symbol in result)
        pieces.append(-1.0)
    return np.array(pieces)


def _blanks_first(path: tuple[int, ...]) -> tuple[int, ...]:
    kept = [symbol for symbol in path if symbol != 0]
    return tuple(s for i, s in enumerate(kept) if i == 0 or s != kept[i - 1])


def _no_merge(path: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(symbol for symbol in path if symbol != 0)


def _no_blank_drop(path: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(s for i, s in enumerate(path) if i == 0 or s != path[i - 1])


register(
    Exercise(
        key="06.4",
        title=N_("CTC's collapse: merge repeats, then drop blanks"),
        solution=collapse,
        hint=(
            N_(
                "Two steps, in this order: keep a symbol only if it differs from the one before it "
                "(merge repeats); then remove every 0 (the blank). (1, 0, 1) → (1, 1)."
            )
        ),
        evaluate=evaluate_collapse,
        mistakes=(
            Mistake(
                "blanks dropped first",
                near(evaluate_collapse(_blanks_first)),
                N_(
                    "You dropped the blanks before merging, so (1, 0, 1) became (1,). A blank "
                    "between two equal symbols is how CTC spells a double letter: merge first."
                ),
                _blanks_first,
            ),
            Mistake(
                "no merging",
                near(evaluate_collapse(_no_merge)),
                N_(
                    "Repeated symbols are not merged: (1, 1, 0, 2, 2) must give (1, 2)."
                ),
                _no_merge,
            ),
            Mistake(
                "blanks kept",
                near(evaluate_collapse(_no_blank_drop)),
                N_("The blanks (0) are still there: drop them after merging."),
                _no_blank_drop,
            ),
        ),
    )
)
