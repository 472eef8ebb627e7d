"""Results as plain numbers: a Python float for a scalar input, an array otherwise."""

from __future__ import annotations

import numpy as np


def float_or_array(values: np.ndarray | np.floating | float) -> float | np.ndarray:
    """``values`` as a Python ``float`` if it holds one number with no axes, else as an array.

    So ``squared_error(1.0, 0.3)`` prints as ``0.49`` rather than ``np.float64(0.49)`` or
    ``array(0.49)``, and a cell needs no ``float(...)`` around a helper's answer.
    """
    array = np.asarray(values)
    return float(array) if array.ndim == 0 else array
