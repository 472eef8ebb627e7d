"""Exercise checks: say "correct", or what is wrong and a hint, without raising.

Every exercise of the course is an :class:`Exercise` registered under a key such
as ``"00.1"`` (notebook 00, exercise 1). A notebook calls ``check("00.1", answer)``.
Each exercise lists the typical mistakes it recognises, with an example answer
for each, so the tests can prove that the reference solution passes and that
every typical mistake is caught with its own explanation.

Defined here, first used in ``00_start_here``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer. Truthy when correct; prints as a short message."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer the check recognises.

    Attributes:
        name: short label, e.g. ``"forgot to square"``.
        matches: predicate on the learner's (already evaluated) answer.
        explanation: what is wrong, in one or two sentences.
        example: an answer that makes this mistake (used by the tests).
    """

    name: str
    matches: Callable[[Any], bool]
    explanation: str
    example: Any

    @classmethod
    def near(
        cls,
        name: str,
        value: Any,
        explanation: str,
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
    ) -> Mistake:
        """The mistake whose answer is (element-wise) close to ``value``; ``value`` is its example.

        ``Mistake.near("forgot to square", 0.7, "…")`` replaces
        ``Mistake("forgot to square", near(0.7), "…", 0.7)``: the value is written once.
        """
        return cls(name, near(value, rtol=rtol, atol=atol), explanation, value)


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to evaluate an answer, the reference, the mistakes it knows.

    Attributes:
        key: ``"NN.k"``, notebook number and exercise number.
        title: what the exercise asks, in a few words.
        solution: the reference answer (a value, or a function for function exercises).
        hint: shown with every wrong answer.
        evaluate: turns the learner's answer into the value compared with
            ``evaluate(solution)``; for a function exercise it calls the function on
            fixed inputs. May raise: the check reports the error instead.
        mistakes: typical wrong answers, checked in order before the comparison.
        rtol, atol: tolerance of the comparison.
    """

    key: str
    title: str
    solution: Any
    hint: str
    evaluate: Callable[[Any], Any] = lambda answer: answer
    mistakes: Sequence[Mistake] = field(default_factory=tuple)
    rtol: float = 1e-6
    atol: float = 1e-9


_REGISTRY: dict[str, Exercise] = {}


def _import_course_modules() -> None:
    """Import every course_utils module: each registers its notebook's exercises.

    Exercises live in ``course_utils.exercises`` (one module per notebook, e.g.
    ``course_utils.exercises.nb04``); older lesson modules may still register their own.
    """
    import course_utils
    import course_utils.exercises

    for module in pkgutil.iter_modules(course_utils.__path__):
        importlib.import_module(f"course_utils.{module.name}")
    for module in pkgutil.iter_modules(course_utils.exercises.__path__):
        importlib.import_module(f"course_utils.exercises.{module.name}")


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (each module registers its notebook's exercises)."""
    if exercise.key in _REGISTRY and _REGISTRY[exercise.key] is not exercise:
        raise ValueError(f"Exercise key {exercise.key!r} is registered twice.")
    _REGISTRY[exercise.key] = exercise
    return exercise


def exercise(key: str) -> Exercise:
    """The exercise registered under ``key`` (``"NN.k"``)."""
    if key not in _REGISTRY:
        _import_course_modules()
    if key not in _REGISTRY:
        raise KeyError(
            f"No exercise {key!r}. Known exercises: {sorted(all_exercises())}."
        )
    return _REGISTRY[key]


def all_exercises() -> dict[str, Exercise]:
    """Every exercise of the course, by key (imports every course_utils module)."""
    _import_course_modules()
    return dict(sorted(_REGISTRY.items()))


def _as_numbers(value: Any) -> np.ndarray:
    """``value`` as a float array; ``TypeError`` for text (``"0.49"`` is not a number) or
    anything else that is not numbers, ``OverflowError`` for integers too large for a float."""
    array = np.asarray(value, dtype=object)
    if any(isinstance(item, (str, bytes)) for item in array.ravel()):
        raise TypeError("text, not a number: remove the quotes")
    return np.asarray(value, dtype=float)


def _close(answer: Any, expected: Any, rtol: float, atol: float) -> bool:
    try:
        answer_array = _as_numbers(answer)
    except (TypeError, ValueError, OverflowError):
        return False
    expected_array = np.asarray(expected, dtype=float)
    if answer_array.shape != expected_array.shape:
        return False
    return bool(np.allclose(answer_array, expected_array, rtol=rtol, atol=atol))


def _describe_shape_problem(answer: Any, expected: Any) -> str | None:
    try:
        answer_array = _as_numbers(answer)
    except OverflowError:
        return "Your answer is too large to be a float (over about 1.8e308)."
    except (TypeError, ValueError) as error:
        return (
            f"Your answer is a {type(answer).__name__} ({answer!r:.60}), not a number "
            f"or an array of numbers ({error})."
        )
    expected_array = np.asarray(expected, dtype=float)
    if answer_array.shape != expected_array.shape:
        wanted = (
            "a single number"
            if expected_array.ndim == 0
            else f"an array of shape {expected_array.shape}"
        )
        return f"Expected {wanted}, got shape {answer_array.shape}."
    if not np.all(np.isfinite(answer_array)):
        return "Your answer contains NaN or infinity."
    return None


def check(key: str, answer: Any) -> CheckResult:
    """Check a learner's answer to exercise ``key``; never raises on a wrong answer.

    Returns a :class:`CheckResult` that reads "Correct" or explains what is wrong
    with a hint.
    """
    task = exercise(key)
    prefix = f"Exercise {task.key} ({task.title}):"
    if answer is Ellipsis or answer is None:
        return CheckResult(
            False,
            f"{prefix} not answered yet. Replace the `...` with your answer.\nHint: {task.hint}",
        )
    try:
        value = task.evaluate(answer)
    except Exception as error:  # the learner's code failed: report, don't raise
        return CheckResult(
            False,
            f"{prefix} your answer raised {type(error).__name__}: {error}\nHint: {task.hint}",
        )
    for mistake in task.mistakes:
        try:
            recognised = mistake.matches(value)
        except Exception:
            recognised = False
        if recognised:
            return CheckResult(
                False, f"{prefix} not yet. {mistake.explanation}\nHint: {task.hint}"
            )
    expected = task.evaluate(task.solution)
    try:
        problem = _describe_shape_problem(value, expected)
        if problem is None and _close(value, expected, task.rtol, task.atol):
            return CheckResult(True, f"{prefix} correct!")
    except (
        Exception
    ) as error:  # an answer no comparison understands: report, don't raise
        problem = (
            f"Your answer could not be compared ({type(error).__name__}: {error})."
        )
    return CheckResult(
        False,
        f"{prefix} not yet. {problem or 'The value is not the expected one.'}\nHint: {task.hint}",
    )


def near(target: Any, rtol: float = 1e-6, atol: float = 1e-9) -> Callable[[Any], bool]:
    """Predicate for a :class:`Mistake`: the answer is (element-wise) close to ``target``."""

    def matches(value: Any) -> bool:
        return _close(value, target, rtol, atol)

    return matches
