"""Precision of numeric answers: a tolerance that accepts every answer rounded as the question
asks, and a mistake for a right answer rounded more coarsely than that.

A numeric exercise states its precision in its question ("to 3 decimals", "2 significant
digits"); its reference rounded (or cut) to that precision, or to one more digit, must pass,
and a rounding-only miss gets its own message. Used by the exercises of notebooks 00-06, 09, 10
and A (05, 06, 09, 10 and A word their own message around :func:`rounded_coarser`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils.checks import Mistake
from course_utils.i18n import Message


def _exponent(value: np.ndarray) -> np.ndarray:
    """The power of ten of each entry's leading digit (0 for a zero)."""
    with np.errstate(divide="ignore"):
        return np.floor(np.log10(np.abs(np.where(value == 0, 1.0, value))))


def _unit(
    expected: np.ndarray, decimals: int | None, significant: int | None
) -> np.ndarray:
    """The size of one unit of the last digit the question asks for, per entry."""
    if decimals is not None:
        return np.full(expected.shape, 10.0**-decimals)
    assert significant is not None, "give decimals or significant"
    return 10.0 ** (_exponent(expected) - significant + 1)


def tolerance(
    expected: Any, *, decimals: int | None = None, significant: int | None = None
) -> float:
    """Absolute tolerance that accepts ``expected`` rounded *or cut* to the asked precision.

    One unit of the last asked digit (cutting loses up to one unit, rounding half), plus 2 %;
    for an array, the smallest over its entries.
    """
    target = np.asarray(expected, dtype=float)
    return float(1.02 * np.min(_unit(target, decimals, significant)))


def _versions(expected: np.ndarray, digits: int, decimals: bool) -> list[np.ndarray]:
    """``expected`` rounded (half to even, as NumPy, and half away from zero, as by hand) and
    cut to ``digits`` decimals or significant digits."""
    if decimals:
        unit = np.full(expected.shape, 10.0**-digits)
    else:
        unit = 10.0 ** (_exponent(expected) - digits + 1)
    scaled = expected / unit
    by_hand = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5 + 1e-9)
    cut = np.trunc(scaled + np.sign(scaled) * 1e-9)  # 1.4 / 0.1 = 13.999…
    return [np.round(scaled) * unit, by_hand * unit, cut * unit]


def _as_answer(array: np.ndarray) -> Any:
    return float(array) if array.ndim == 0 else array.tolist()


def rounded_coarser(
    expected: Any,
    *,
    decimals: int | None = None,
    significant: int | None = None,
    exact: bool = False,
) -> Callable[[Any], bool]:
    """Predicate for a :class:`Mistake`: a right answer, rounded more coarsely than asked.

    It matches an answer whose every entry is the exact value (or within the asked precision)
    or the exact value rounded or cut to fewer ``decimals`` / ``significant`` digits, with at
    least one entry outside the asked precision (with ``exact``, an answer that has exactly
    ``decimals`` decimals: any other value is not the answer).
    """
    target = np.asarray(expected, dtype=float)
    by_decimals = decimals is not None
    asked = decimals if decimals is not None else significant
    assert asked is not None and asked >= 1, "give decimals or significant (≥ 1)"
    first = 0 if by_decimals else 1
    coarser = [
        version
        for digits in range(first, asked)
        for version in _versions(target, digits, by_decimals)
    ]
    allowed = (
        1e-9 * max(1.0, float(np.max(np.abs(target))))
        if exact
        else tolerance(target, decimals=decimals, significant=significant)
    )

    def matches(value: Any) -> bool:
        answer = np.asarray(value, dtype=float)
        if answer.shape != target.shape or not np.all(np.isfinite(answer)):
            return False
        fine = np.abs(answer - target) <= allowed
        if np.all(fine):
            return False
        coarse = np.zeros(target.shape, dtype=bool)
        for version in coarser:
            coarse |= np.isclose(answer, version, rtol=1e-9, atol=1e-12)
        return bool(np.all(fine | coarse))

    return matches


def rounded_too_coarsely(
    expected: Any,
    explanation: str,
    *,
    decimals: int | None = None,
    significant: int | None = None,
    exact: bool = False,
) -> Mistake:
    """The mistake "right answer, rounded to fewer digits than the question asks".

    It matches what :func:`rounded_coarser` matches; its example is ``expected`` rounded one
    digit too coarsely.
    """
    matches = rounded_coarser(
        expected, decimals=decimals, significant=significant, exact=exact
    )
    target = np.asarray(expected, dtype=float)
    by_decimals = decimals is not None
    asked = decimals if decimals is not None else significant
    assert asked is not None
    example = _versions(target, asked - 1, by_decimals)[0]
    precision = (
        Message("{count} decimals", count=asked)
        if by_decimals
        else Message("{count} significant digits", count=asked)
    )
    message = (
        Message(
            "Right, but rounded more than asked: give {precision}. {explanation}",
            precision=precision,
            explanation=explanation,
        )
        if explanation.strip()
        else Message(
            "Right, but rounded more than asked: give {precision}.", precision=precision
        )
    )
    return Mistake("rounded too coarsely", matches, message, _as_answer(example))


def precision_cases(
    expected: Any, *, decimals: int | None = None, significant: int | None = None
) -> list[Any]:
    """The answers a learner may give: ``expected`` rounded and cut to the asked precision and
    to one more digit (the tests prove each passes)."""
    target = np.asarray(expected, dtype=float)
    asked = decimals if decimals is not None else significant
    assert asked is not None, "give decimals or significant"
    return [
        _as_answer(version)
        for digits in (asked, asked + 1)
        for version in _versions(target, digits, decimals is not None)
    ]
