"""Exercises of notebook 04 (regression losses), registered on import, in notebook order.

04.1 the Huber loss of three errors, 04.2 the best constants under MSE and MAE, 04.3 Huber in
NumPy (a function), 04.4 MSE as a Gaussian negative log-likelihood.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, register
from course_utils.exercises._precision import rounded_too_coarsely, tolerance
from course_utils.i18n import N_
from course_utils.losses import get

# ----------------------------------------------------------------------------- 04.1

#: Exercise 04.1: one sample with three outputs, δ = 1.
HUBER_TRUE = np.array([0.0, 0.0, 0.0])
HUBER_PRED = np.array([0.5, -2.0, 3.0])
HUBER_DELTA = 1.0

_ERRORS = HUBER_PRED - HUBER_TRUE
_SIZES = np.abs(_ERRORS)
_HUBER = float(get("huber").numpy(HUBER_TRUE, HUBER_PRED, delta=HUBER_DELTA))
_NO_HALF = float(
    np.mean(
        np.where(
            _SIZES <= HUBER_DELTA,
            _ERRORS**2,
            HUBER_DELTA * _SIZES - 0.5 * HUBER_DELTA**2,
        )
    )
)
_NO_SHIFT = float(
    np.mean(np.where(_SIZES <= HUBER_DELTA, 0.5 * _ERRORS**2, HUBER_DELTA * _SIZES))
)

register(
    Exercise(
        key="04.1",
        title=N_("the Huber loss of three errors"),
        solution=_HUBER,
        hint=(
            N_(
                "Per element: ½e² if |e| ≤ δ, else δ|e| − ½δ². Then the mean over the three "
                "elements, as Keras averages over the last axis."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "no ½ in the quadratic part",
                _NO_HALF,
                N_(
                    "The quadratic part is ½e², not e² (the article's mistake 5): without the ½ the "
                    "two pieces do not meet at |e| = δ."
                ),
            ),
            Mistake.near(
                "linear part not shifted",
                _NO_SHIFT,
                N_(
                    "The linear part is δ|e| − ½δ²: the −½δ² makes it start where the quadratic "
                    "part ends."
                ),
            ),
            Mistake.near(
                "sum instead of mean",
                3 * _HUBER,
                N_(
                    "That is the sum over the three elements; Keras's huber takes their mean."
                ),
            ),
            Mistake.near(
                "MSE",
                float(np.mean(_ERRORS**2)),
                N_("That is the mean squared error; Huber is linear beyond |e| = δ."),
            ),
            Mistake.near(
                "MAE",
                float(np.mean(_SIZES)),
                N_("That is the mean absolute error; Huber is ½e² inside |e| ≤ δ."),
            ),
            rounded_too_coarsely(
                _HUBER,
                N_("The mean is exact: 4.125 / 3 = 1.375."),
                decimals=3,
                exact=True,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 04.2

#: Exercise 04.2: five targets, one of them an outlier.
CONSTANT_VALUES = np.array([2.0, 3.0, 5.0, 6.0, 44.0])  # §5 shows 1, 2, 3, 4, 40
_MEAN, _MEDIAN = float(np.mean(CONSTANT_VALUES)), float(np.median(CONSTANT_VALUES))

register(
    Exercise(
        key="04.2",
        title=N_("the best constant prediction under MSE and under MAE"),
        solution=[_MEAN, _MEDIAN],
        hint=(
            N_(
                "Under MSE the best single prediction for all targets is their mean; under MAE, "
                "their median. Answer [best under MSE, best under MAE]."
            )
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            Mistake.near(
                "swapped",
                [_MEDIAN, _MEAN],
                N_(
                    "The two are swapped: the mean minimises the squared error, the median the "
                    "absolute error."
                ),
            ),
            Mistake.near(
                "mean twice",
                [_MEAN, _MEAN],
                N_(
                    "MAE's best constant is not the mean: moving c past the middle value changes the "
                    "mean absolute error by (number below − number above)/m, which is zero at the "
                    "median."
                ),
            ),
            Mistake.near(
                "outlier dropped",
                [float(np.mean(CONSTANT_VALUES[:-1])), _MEDIAN],
                N_(
                    "The outlier 44 is data too: MSE's best constant is the mean of all five values."
                ),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 04.3

#: The inputs a learner's ``huber(y_true, y_pred, delta)`` is evaluated on: two samples of four.
FUNCTION_TRUE = np.array([[0.0, 1.0, -2.0, 3.0], [1.0, 1.0, 1.0, 1.0]])
FUNCTION_PRED = np.array([[0.3, -1.5, -2.0, 5.5], [0.2, 1.9, 4.0, -3.0]])
FUNCTION_DELTAS = (1.0, 0.5, 2.0)


def evaluate_huber(function: Callable[..., Any]) -> np.ndarray:
    """Call a learner's ``huber(y_true, y_pred, delta)`` for each δ of :data:`FUNCTION_DELTAS`.

    Returns the results stacked, shape (3, 2): one loss per sample for each δ.
    Taught in: 04 §2 (exercise 04.3).
    """
    if not callable(function):
        raise TypeError(
            f"give a function huber(y_true, y_pred, delta), not a {type(function).__name__}."
        )
    results = []
    for delta in FUNCTION_DELTAS:
        result = function(FUNCTION_TRUE.copy(), FUNCTION_PRED.copy(), delta)
        if result is Ellipsis or result is None:
            raise TypeError("huber returns nothing yet; end it with `return ...`.")
        results.append(np.asarray(result, dtype=float))
    return np.stack(results)


def _huber_reference(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    error = np.asarray(y_pred) - np.asarray(y_true)
    size = np.abs(error)
    quadratic = 0.5 * error**2
    linear = delta * size - 0.5 * delta**2
    return np.mean(np.where(size <= delta, quadratic, linear), axis=-1)


def _huber_no_half(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    error = np.asarray(y_pred) - np.asarray(y_true)
    size = np.abs(error)
    return np.mean(
        np.where(size <= delta, error**2, delta * size - 0.5 * delta**2), axis=-1
    )


def _huber_per_element(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    error = np.asarray(y_pred) - np.asarray(y_true)
    size = np.abs(error)
    return np.where(size <= delta, 0.5 * error**2, delta * size - 0.5 * delta**2)


def _huber_mean_of_all(y_true: Any, y_pred: Any, delta: float = 1.0) -> float:
    return float(np.mean(_huber_per_element(y_true, y_pred, delta)))


def _huber_fixed_delta(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    return _huber_reference(y_true, y_pred, 1.0)


def _matches(function: Callable[..., Any]) -> Callable[[Any], bool]:
    target = evaluate_huber(function)

    def matches(value: Any) -> bool:
        array = np.asarray(value, dtype=float)
        return array.shape == target.shape and bool(np.allclose(array, target))

    return matches


register(
    Exercise(
        key="04.3",
        title=N_("Huber in NumPy, one loss per sample"),
        solution=_huber_reference,
        hint=(
            N_(
                "error = y_pred − y_true; choose per element with np.where(np.abs(error) <= delta, "
                "0.5 * error**2, delta * np.abs(error) − 0.5 * delta**2); then np.mean(..., axis=-1)."
            )
        ),
        evaluate=evaluate_huber,
        mistakes=(
            Mistake(
                "no ½",
                _matches(_huber_no_half),
                N_(
                    "The quadratic part is ½e²; without the ½ the loss jumps at |e| = δ (mistake 5)."
                ),
                _huber_no_half,
            ),
            Mistake(
                "one loss per element",
                lambda value: np.shape(value) == (3, 2, 4),
                N_(
                    "You return one loss per element, shape (2, 4); Keras averages over the last "
                    "axis: np.mean(..., axis=-1) gives one loss per sample, shape (2,)."
                ),
                _huber_per_element,
            ),
            Mistake(
                "one number for the batch",
                lambda value: np.shape(value) == (3,),
                N_(
                    "You averaged over the whole batch; a loss function returns one value per "
                    "sample (Keras's reduction averages them later). Use axis=-1."
                ),
                _huber_mean_of_all,
            ),
            Mistake(
                "δ ignored",
                _matches(_huber_fixed_delta),
                N_(
                    "Your function gives the same result whatever δ: use the argument delta, not 1."
                ),
                _huber_fixed_delta,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 04.4

#: Exercise 04.4: the noise level of the Gaussian, and the decimals the question asks for.
NLL_SIGMA = 2.0
NLL_DECIMALS = 3
_SLOPE = 1.0 / (2.0 * NLL_SIGMA**2)
_OFFSET = 0.5 * math.log(2.0 * math.pi * NLL_SIGMA**2)
#: Accepts [0.125, 1.612] (cell 54 of the notebook quotes c ≈ 1.612) and [0.125, 1.6121].
_NLL_TOLERANCE = tolerance([_SLOPE, _OFFSET], decimals=NLL_DECIMALS)


def _nll_mistake(name: str, value: list[float], explanation: str) -> Mistake:
    return Mistake.near(name, value, explanation, rtol=0.0, atol=_NLL_TOLERANCE)


register(
    Exercise(
        key="04.4",
        title=N_("MSE as a Gaussian negative log-likelihood"),
        solution=[_SLOPE, _OFFSET],
        hint=(
            N_(
                "−ln of the Gaussian density N(y; ŷ, σ²) is ½ ln(2πσ²) + (y − ŷ)²/(2σ²). Average "
                "over the samples: mean NLL = a · MSE + c. Answer [a, c] for σ = 2, to 3 decimals "
                "(or an expression such as np.log(...))."
            )
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            _nll_mistake(
                "σ for σ²",
                [1.0 / (2.0 * NLL_SIGMA), _OFFSET],
                N_("The exponent divides by 2σ², the variance: a = 1/(2·4)."),
            ),
            _nll_mistake(
                "σ = 1",
                [0.5, 0.5 * math.log(2.0 * math.pi)],
                N_(
                    "Those are the numbers for σ = 1. Here σ = 2: a = 1/(2σ²), c = ½ ln(2πσ²)."
                ),
            ),
            _nll_mistake(
                "no ½ on the log",
                [_SLOPE, math.log(2.0 * math.pi * NLL_SIGMA**2)],
                N_("−ln(1/(σ√(2π))) = ½ ln(2πσ²): the square root gives the ½."),
            ),
            _nll_mistake(
                "offset without σ",
                [_SLOPE, 0.5 * math.log(2.0 * math.pi)],
                N_(
                    "The normalising constant 1/(σ√(2π)) depends on σ: c = ½ ln(2π) + ln σ."
                ),
            ),
            rounded_too_coarsely(
                [_SLOPE, _OFFSET],
                N_("c = ½ ln(8π) = 1.6121…"),
                decimals=NLL_DECIMALS,
            ),
        ),
        rtol=0.0,
        atol=_NLL_TOLERANCE,
    )
)

#: For tests: the reference values, by key.
REFERENCE = {
    "04.1": _HUBER,
    "04.2": [_MEAN, _MEDIAN],
    "04.4": [_SLOPE, _OFFSET],
}

#: For tests: the precision each numeric exercise's question asks for (an exact answer: the
#: decimals it has), by key; its reference rounded or cut to it, or to one more digit, passes.
PRECISION: dict[str, dict[str, int]] = {
    "04.1": {"decimals": 3},
    "04.2": {"decimals": 0},
    "04.4": {"decimals": NLL_DECIMALS},
}
