"""The shared input checks (course_utils.validation): each accepts good input and names the argument otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.validation import as_finite_array, as_finite_float, as_positive_int


def test_as_finite_float_accepts_numbers_and_names_the_argument_otherwise():
    assert as_finite_float("w", np.float32(0.5)) == 0.5
    with pytest.raises(TypeError, match="w must be a real number, got str"):
        as_finite_float("w", "big")
    with pytest.raises(ValueError, match="b must be finite, got nan"):
        as_finite_float("b", float("nan"))


def test_as_positive_int_refuses_floats_booleans_and_out_of_range_values():
    assert as_positive_int("m", np.int64(3)) == 3
    assert as_positive_int("seed", 0, allow_zero=True) == 0
    for bad in (2.0, True):
        with pytest.raises(TypeError, match="m must be an integer"):
            as_positive_int("m", bad)
    with pytest.raises(ValueError, match="m must be positive, got 0"):
        as_positive_int("m", 0)
    with pytest.raises(ValueError, match="seed must be non-negative, got -1"):
        as_positive_int("seed", -1, allow_zero=True)


def test_as_finite_array_checks_dimensions_and_values_and_suggests_a_reshape():
    np.testing.assert_array_equal(
        as_finite_array("X", [[1, 2]], 2, "examples in rows"), [[1.0, 2.0]]
    )
    with pytest.raises(
        ValueError,
        match=r"X must be 2-D \(examples in rows\), got shape \(2,\)\. "
        r"For a single example use X\.reshape\(1, -1\)\.",
    ):
        as_finite_array("X", [1.0, 2.0], 2, "examples in rows")
    with pytest.raises(
        ValueError, match="w must be finite; it contains NaN or infinity"
    ):
        as_finite_array("w", [1.0, np.inf], 1, "weights")
    with pytest.raises(TypeError, match="w must be an array of numbers"):
        as_finite_array("w", [1.0, "a"], 1, "weights")
