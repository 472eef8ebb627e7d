"""Exercise checks: say "correct", or what is wrong and a hint, without raising.

Every exercise of the course is an :class:`Exercise` registered under a key such
as ``"00.1"`` (notebook 00, exercise 1). A notebook calls ``check("00.1", answer)``.
Each exercise lists the typical mistakes it recognises, with an example answer
for each, so the tests can prove that the reference solution passes and that
every typical mistake is caught with its own explanation.

Defined here, first used in ``00_start_here``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_utils.i18n import _


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
    anything else that is not numbers, ``OverflowError`` for integers too large for a float.

    A numeric array is converted in O(1) Python work: only an input NumPy cannot type as
    numbers is looked at item by item (an 8000 × 784 answer is judged in milliseconds).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(float, copy=False)
    if isinstance(value, (str, bytes)):
        raise TypeError(_("text, not a number: remove the quotes"))
    try:
        typed = np.asarray(value)
    except ValueError:
        typed = np.asarray(value, dtype=object)
    if typed.dtype.kind in "US":
        raise TypeError(_("text, not a number: remove the quotes"))
    if typed.dtype.kind == "O" and any(
        isinstance(item, (str, bytes)) for item in typed.ravel()
    ):
        raise TypeError(_("text, not a number: remove the quotes"))
    return np.asarray(value, dtype=float)


def _close(answer: Any, expected: Any, rtol: float, atol: float) -> bool:
    try:
        answer_array = _as_numbers(answer)
    except (TypeError, ValueError, OverflowError):
        return False
    expected_array = np.asarray(expected, dtype=float)
    if answer_array.shape != expected_array.shape:
        return False
    return _allclose(answer_array.ravel(), expected_array.ravel(), rtol, atol)


#: Elements compared at a time by :func:`_allclose` (fits the CPU cache; a wrong answer is
#: usually told apart in the first block).
_BLOCK = 1 << 16


def _allclose(
    answer: np.ndarray, expected: np.ndarray, rtol: float, atol: float
) -> bool:
    """``np.allclose`` (NaN is never close, inf only to itself), block by block with an early
    exit: an 8000 × 784 answer is judged in a few milliseconds."""
    for start in range(0, answer.size, _BLOCK):
        a = answer[start : start + _BLOCK]
        b = expected[start : start + _BLOCK]
        gap = np.abs(a - b)
        if not np.all((gap <= atol + rtol * np.abs(b)) | (a == b)):
            return False
    return True


def _describe_shape_problem(answer: Any, expected: Any) -> str | None:
    try:
        answer_array = _as_numbers(answer)
    except OverflowError:
        return _("Your answer is too large to be a float (over about 1.8e308).")
    except (TypeError, ValueError) as error:
        return _(
            "Your answer is a {kind} ({answer!r:.60}), not a number "
            "or an array of numbers ({error})."
        ).format(kind=type(answer).__name__, answer=answer, error=error)
    expected_array = np.asarray(expected, dtype=float)
    if answer_array.shape != expected_array.shape:
        wanted = (
            _("a single number")
            if expected_array.ndim == 0
            else _("an array of shape {shape}").format(shape=expected_array.shape)
        )
        return _("Expected {wanted}, got shape {shape}.").format(
            wanted=wanted, shape=answer_array.shape
        )
    if not np.all(np.isfinite(answer_array)):
        return _("Your answer contains NaN or infinity.")
    return None


#: Seconds one call of a learner's function may take before the check gives up on it.
TIME_LIMIT_SECONDS = 15.0


class _TimeLimitReached(BaseException):
    """A learner's function ran past :data:`TIME_LIMIT_SECONDS` (a BaseException, so that an
    ``except Exception`` inside the learner's loop cannot swallow it)."""


class _ReturnedNone(BaseException):
    """A learner's function returned None: it most likely forgot ``return``."""


def _call_with_time_limit(
    function: Callable[..., Any], args: tuple, kwargs: dict, seconds: float
) -> Any:
    """``function(*args, **kwargs)``, stopped after ``seconds`` with :class:`_TimeLimitReached`.

    On the main thread of a Unix system (a Jupyter kernel runs cells there) a real-time
    timer interrupts the function; a timer already set by someone else is restored after.
    Elsewhere (Windows, another thread) the function runs in a daemon thread that is
    abandoned after ``seconds``: the check answers, though an endless loop keeps running in
    the background until the kernel restarts.
    """
    if not seconds or seconds <= 0:
        return function(*args, **kwargs)
    if (
        hasattr(signal, "SIGALRM")
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    ):

        def interrupt(signum: int, frame: Any) -> None:
            raise _TimeLimitReached

        previous = signal.signal(signal.SIGALRM, interrupt)
        earlier_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
        started = time.monotonic()
        try:
            return function(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if earlier_delay:
                left = earlier_delay - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimeLimitReached
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """The learner's function, run with a time limit; a None result is reported as such."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        value = _call_with_time_limit(function, args, kwargs, TIME_LIMIT_SECONDS)
        if value is None:
            raise _ReturnedNone
        return value

    return call


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _single_item(value: Any) -> Any:
    """The item of a list, tuple or array holding exactly one value (``[0.5]`` → 0.5), else
    ``value`` itself: a scalar exercise accepts a size-1 answer as the number it holds."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        return value
    try:
        items = np.asarray(value, dtype=object).ravel()
    except (ValueError, TypeError):
        return value
    if items.size != 1:
        return value
    item = items[0]
    return item.item() if isinstance(item, np.generic) else item


def check(key: str, answer: Any) -> CheckResult:
    """Check a learner's answer to exercise ``key``; never raises on any answer.

    Returns a :class:`CheckResult` that reads "Correct" or explains what is wrong
    with a hint. A size-1 list or array counts as the number it holds where the exercise
    expects a single number; a function given as the answer is run with a time limit of
    :data:`TIME_LIMIT_SECONDS` per call, and a None it returns is reported as a missing
    ``return``.
    """
    try:
        task = exercise(key)
    except Exception as error:
        return CheckResult(
            False,
            _("Exercise {key!r}: cannot be checked. {error}").format(
                key=key, error=error
            ),
        )
    prefix = _("Exercise {key} ({title}):").format(key=task.key, title=_(task.title))
    try:
        return _judge(task, prefix, answer)
    except Exception as error:  # a bug in a check must not break the learner's cell
        return CheckResult(
            False,
            _(
                "{prefix} the check itself failed ({kind}: {error}).\nHint: {hint}"
            ).format(
                prefix=prefix,
                kind=type(error).__name__,
                error=error,
                hint=_(task.hint),
            ),
        )


def _judge(task: Exercise, prefix: str, answer: Any) -> CheckResult:
    hint = _(task.hint)

    def wrong(problem: str) -> CheckResult:
        return CheckResult(
            False,
            _("{prefix} not yet. {problem}\nHint: {hint}").format(
                prefix=prefix, problem=problem, hint=hint
            ),
        )

    if answer is Ellipsis:
        return CheckResult(
            False,
            _(
                "{prefix} not answered yet. Replace the `...` with your answer.\n"
                "Hint: {hint}"
            ).format(prefix=prefix, hint=hint),
        )
    if answer is None:
        return CheckResult(
            False,
            _(
                "{prefix} not answered yet: your answer is None — did your function "
                "forget `return`? (Or replace the `...` with your answer.)\nHint: {hint}"
            ).format(prefix=prefix, hint=hint),
        )
    expected = task.evaluate(task.solution)
    wants_number = _is_number(expected) or (
        isinstance(expected, np.ndarray) and expected.ndim == 0
    )
    if wants_number and not callable(task.solution):
        answer = _single_item(answer)
        if isinstance(answer, (str, bytes)) and not isinstance(
            task.solution, (str, bytes)
        ):
            return wrong(
                _(
                    "Your answer is text ({answer!r:.40}), not a number: remove the quotes."
                ).format(answer=answer)
            )
    if callable(answer) and not isinstance(answer, type):
        answer = _guarded(answer)
    try:
        value = task.evaluate(answer)
    except _TimeLimitReached:
        return wrong(
            _(
                "Your function did not finish within {seconds:g} s — is there an "
                "endless loop?"
            ).format(seconds=TIME_LIMIT_SECONDS)
        )
    except _ReturnedNone:
        return wrong(
            _(
                "Your function returned None — did it forget `return`? End it with "
                "`return` and the value."
            )
        )
    except Exception as error:  # the learner's code failed: report, don't raise
        return CheckResult(
            False,
            _("{prefix} your answer raised {kind}: {error}\nHint: {hint}").format(
                prefix=prefix, kind=type(error).__name__, error=error, hint=hint
            ),
        )
    if value is None:
        return wrong(_("Your answer is None — did your function forget `return`?"))
    if wants_number:
        value = _single_item(value)
    for mistake in task.mistakes:
        try:
            recognised = mistake.matches(value)
        except Exception:
            recognised = False
        if recognised:
            return wrong(_(mistake.explanation))
    try:
        if _close(value, expected, task.rtol, task.atol):
            return CheckResult(True, _("{prefix} correct!").format(prefix=prefix))
        problem = _describe_shape_problem(value, expected)
    except (
        Exception
    ) as error:  # an answer no comparison understands: report, don't raise
        problem = _("Your answer could not be compared ({kind}: {error}).").format(
            kind=type(error).__name__, error=error
        )
    return wrong(problem or _("The value is not the expected one."))


def near(target: Any, rtol: float = 1e-6, atol: float = 1e-9) -> Callable[[Any], bool]:
    """Predicate for a :class:`Mistake`: the answer is (element-wise) close to ``target``."""

    def matches(value: Any) -> bool:
        return _close(value, target, rtol, atol)

    return matches
