"""Exercises 06.1, 06.2 and 07.3 accept every correct answer at the precision they ask for
(the reference rounded to it, and to one more digit), and a rounding-only miss gets its own
message; 07.4's inputs catch a log-cosh that overflows for a large negative error."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils.exercises.nb06 as nb06
import course_utils.exercises.nb07  # noqa: F401 (registers 07.x)
from course_utils.checks import check, exercise


@pytest.mark.parametrize(("key", "decimals"), [("06.1", 4), ("06.2", 3), ("07.3", 1)])
def test_the_reference_rounded_to_the_asked_precision_passes(
    key: str, decimals: int
) -> None:
    reference = np.asarray(exercise(key).solution, dtype=float)
    for digits in (decimals, decimals + 1):
        answer = np.round(reference, digits).tolist()
        assert check(key, answer), (key, answer)


def test_the_reviewers_answers_pass() -> None:
    assert check("06.1", [0.1838, 0.1920])
    assert check("07.3", 2.0) and check("07.3", 1.9)


@pytest.mark.parametrize(
    ("key", "answer"),
    [("06.1", [0.18, 0.19]), ("06.1", [0.184, 0.192]), ("06.2", 0.39)],
)
def test_a_rounding_only_miss_says_so(key: str, answer: object) -> None:
    result = check(key, answer)
    assert not result and "rounded too coarsely" in result.message


def test_the_questions_state_their_precision() -> None:
    assert nb06.KL_DECIMALS == 4 and nb06.TVERSKY_DECIMALS == 3


def test_log_of_one_plus_exp_is_caught_by_a_large_negative_error() -> None:
    import keras

    def written_with_exp(y_true, y_pred):
        error = y_pred - y_true
        value = error + keras.ops.log(1.0 + keras.ops.exp(-2.0 * error)) - np.log(2.0)
        return keras.ops.mean(value, axis=-1)

    result = check("07.4", written_with_exp)
    assert not result and "large negative error" in result.message
