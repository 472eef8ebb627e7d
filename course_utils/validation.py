"""Input checks shared by the course helpers: each error names the argument, what was expected and what to do.

Used by the helpers of 00_start_here, 01_neuron_and_forward_pass, 02_loss_cost_and_gradient_descent and
03_backpropagation (the loss library has its own, tensor-aware checks in ``course_utils.losses._arrays``).
"""

from __future__ import annotations

import numpy as np


def as_finite_float(name: str, value: float) -> float:
    """``value`` as a Python float; ``TypeError`` if it is not a number, ``ValueError`` if NaN or infinite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}."
        ) from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}.")
    return number


def as_positive_int(name: str, value: int, *, allow_zero: bool = False) -> int:
    """``value`` as an int > 0 (or >= 0 with ``allow_zero``); booleans and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer, got {type(value).__name__} {value!r}."
        )
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(
            f"{name} must be {'non-negative' if allow_zero else 'positive'}, got {value}."
        )
    return int(value)


def as_finite_array(name: str, value: object, ndim: int, what: str) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` dimensions; ``what`` describes it in errors."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be an array of numbers ({what}), got {type(value).__name__}."
        ) from None
    if array.ndim != ndim:
        fix = (
            f" For a single example use {name}.reshape(1, -1)."
            if ndim == 2 and array.ndim == 1
            else ""
        )
        raise ValueError(
            f"{name} must be {ndim}-D ({what}), got shape {array.shape}.{fix}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    return array
