"""Input checks shared by the course helpers: each error names the argument, what was expected and what to do.

Used by the helpers of 00_start_here, 01_neuron_and_forward_pass, 02_loss_cost_and_gradient_descent and
03_backpropagation (the loss library has its own, tensor-aware checks in ``course_utils.losses._arrays``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _refuse_non_numbers(name: str, value: object, expected: str) -> None:
    """Text, None and booleans are not numbers, even where NumPy would convert them."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(
            f"{name} must be {expected}, got {type(value).__name__} {value!r}."
        )


def as_finite_float(name: str, value: Any) -> float:
    """``value`` as a Python float; ``TypeError`` if it is not a number, ``ValueError`` if NaN or infinite."""
    _refuse_non_numbers(name, value, "a real number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}."
        ) from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}.")
    return number


def as_positive_int(name: str, value: object, *, allow_zero: bool = False) -> int:
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


def as_finite_array(
    name: str, value: object, ndim: int | None, what: str
) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` dimensions (any number if None).

    ``what`` describes the expected value in errors. Text, None and booleans are refused
    even inside a list, though NumPy would turn ``"0.5"`` into 0.5 and None into NaN.
    """
    _refuse_non_numbers(name, value, f"an array of numbers ({what})")
    raw = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    # Only an array NumPy could not type as numbers needs looking at item by item:
    # a numeric array (the common case, e.g. a widget's grid) is checked in O(1).
    if raw.dtype.kind in "USO" and any(
        item is None or isinstance(item, (str, bytes)) for item in raw.ravel()
    ):
        raise TypeError(
            f"{name} must be an array of numbers ({what}); it contains text or None."
        )
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{name} must be an array of numbers ({what}), got {type(value).__name__}."
        ) from None
    if ndim is not None and array.ndim != ndim:
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


def as_binary_labels(name: str, value: object, what: str) -> np.ndarray:
    """``value`` as a 1-D float array of 0/1 labels; ``ValueError`` names any other value."""
    labels = as_finite_array(name, value, 1, what)
    wrong = labels[(labels != 0) & (labels != 1)]
    if wrong.size:
        raise ValueError(
            f"{name} must hold only the labels 0 and 1, got {wrong[:5].tolist()}; "
            "for classes 1/2 or −1/+1, map them to 0/1 first."
        )
    return labels


def as_flag(name: str, value: object) -> bool:
    """``value`` if it is a real boolean; ``TypeError`` otherwise.

    A string such as ``"False"`` is truthy in Python, so accepting it would silently
    do the opposite of what was meant; 0 and 1 are refused for the same clarity.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(
        f"{name} must be True or False, got {type(value).__name__} {value!r}."
    )
