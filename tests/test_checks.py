"""Exercise checks: every reference solution passes, every typical mistake is caught and explained."""

from __future__ import annotations

import time

import numpy as np
import pytest

from course_utils.checks import (
    CheckResult,
    Exercise,
    Mistake,
    all_exercises,
    check,
    exercise,
    near,
    register,
)

EXERCISES = all_exercises()
MISTAKES = [
    (key, mistake) for key, task in EXERCISES.items() for mistake in task.mistakes
]


def test_the_course_has_exercises():
    assert {"00.1", "00.2"} <= set(EXERCISES)


@pytest.mark.parametrize("key", list(EXERCISES))
def test_reference_solution_passes(key):
    result = check(key, EXERCISES[key].solution)
    assert result.passed, result.message
    assert "correct" in result.message


@pytest.mark.parametrize(
    "key,mistake", MISTAKES, ids=[f"{k}-{m.name}" for k, m in MISTAKES]
)
def test_typical_mistake_fails_with_its_explanation(key, mistake):
    result = check(key, mistake.example)
    assert not result.passed
    assert mistake.explanation in result.message
    assert EXERCISES[key].hint in result.message


@pytest.mark.parametrize("key", list(EXERCISES))
def test_unanswered_exercise_says_so(key):
    result = check(key, ...)
    assert not result.passed and "not answered yet" in result.message


@pytest.mark.parametrize("key", list(EXERCISES))
def test_nonsense_answers_are_explained_not_raised(key):
    for answer in ("forty-two", [1.0, 2.0, 3.0], float("nan"), object()):
        result = check(key, answer)
        assert isinstance(result, CheckResult) and not result.passed
        assert "Hint:" in result.message


def test_a_wrong_answer_that_is_no_known_mistake_still_fails():
    assert not check("00.1", 123.0)
    assert "not the expected one" in check("00.1", 123.0).message


def test_function_exercises_report_the_learners_error():
    task = register(
        Exercise(
            key="test.1",
            title="double a number",
            solution=lambda x: 2 * x,
            hint="Multiply by two.",
            evaluate=lambda f: [f(1.0), f(-3.0)],
            mistakes=(
                Mistake(
                    "squared",
                    near([1.0, 9.0]),
                    "That squares the input.",
                    lambda x: x * x,
                ),
            ),
        )
    )
    assert check(task.key, task.solution)
    assert "That squares the input." in check(task.key, lambda x: x * x).message
    message = check(task.key, lambda x: 1 / 0).message
    assert "ZeroDivisionError" in message and "Multiply by two." in message


def test_result_prints_as_its_message_and_is_truthy_when_correct():
    good, bad = check("00.1", 0.49), check("00.1", 0.7)
    assert repr(good) == good.message and bool(good) and not bool(bad)


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(KeyError, match="00.1"):
        exercise("99.9")


def test_keys_are_unique():
    with pytest.raises(ValueError, match="registered twice"):
        register(Exercise(key="00.1", title="duplicate", solution=0.0, hint=""))


# ------------------------------------------------------------------------------------------
# issue 17: a forgotten return, size-1 answers, endless loops and large answers


def _function_exercise(key: str) -> Exercise:
    from course_utils.checks import _REGISTRY

    if key in _REGISTRY:
        return _REGISTRY[key]
    return register(
        Exercise(
            key=key,
            title="double a matrix",
            solution=lambda x: 2 * x,
            hint="Multiply by two.",
            evaluate=lambda f: f(np.ones((2, 2))),
        )
    )


def test_a_function_that_forgets_return_is_told_so():
    task = _function_exercise("test.none")

    def forgot(x):
        _ = 2 * x

    message = check(task.key, forgot).message
    assert "None" in message and "forget `return`" in message
    assert "shape" not in message and "NoneType" not in message


@pytest.mark.parametrize(
    "key", [k for k, t in EXERCISES.items() if callable(t.solution)]
)
def test_every_function_exercise_reports_a_forgotten_return(key):
    message = check(key, lambda *args, **kwargs: None).message
    assert "forget `return`" in message, message


def test_an_answer_of_none_asks_about_return():
    message = check("00.1", None).message
    assert "None" in message and "forget `return`" in message


SCALAR_KEYS = [
    key
    for key, task in EXERCISES.items()
    if not callable(task.solution)
    and isinstance(task.solution, (int, float, np.floating))
    and not isinstance(task.solution, bool)
]


@pytest.mark.parametrize("key", SCALAR_KEYS)
@pytest.mark.parametrize(
    "wrap", [lambda v: [v], lambda v: np.array([v]), lambda v: np.array([[v]]), tuple]
)
def test_a_size_one_answer_counts_as_the_number_it_holds(key, wrap):
    solution = EXERCISES[key].solution
    answer = wrap([solution]) if wrap is tuple else wrap(solution)
    result = check(key, answer)
    assert result.passed, result.message


@pytest.mark.parametrize("key", SCALAR_KEYS)
def test_a_number_in_quotes_is_refused_for_every_number_exercise(key):
    result = check(key, str(EXERCISES[key].solution))
    assert not result.passed and "remove the quotes" in result.message


def test_an_endless_loop_is_stopped_with_a_clear_message(monkeypatch):
    import course_utils.checks as checks

    monkeypatch.setattr(checks, "TIME_LIMIT_SECONDS", 0.3)
    task = _function_exercise("test.loop")

    def endless(x):
        while True:
            try:
                x = x + 1
            except Exception:  # a learner's catch-all must not swallow the time limit
                pass

    started = time.perf_counter()
    message = check(task.key, endless).message
    assert time.perf_counter() - started < 5
    assert "did not finish within 0.3 s" in message and "endless loop" in message
    assert check(task.key, task.solution).passed  # the timer is gone afterwards


def test_the_time_limit_falls_back_to_a_thread_off_the_main_thread(monkeypatch):
    import threading

    import course_utils.checks as checks

    monkeypatch.setattr(checks, "TIME_LIMIT_SECONDS", 0.3)
    task = _function_exercise("test.loop")
    messages = []

    def endless(x):
        while not stop.is_set():
            time.sleep(0.01)

    stop = threading.Event()
    worker = threading.Thread(target=lambda: messages.append(check(task.key, endless)))
    worker.start()
    worker.join(10)
    stop.set()
    assert messages and "did not finish within 0.3 s" in messages[0].message


def register_once(task: Exercise) -> Exercise:
    from course_utils.checks import _REGISTRY

    _REGISTRY.pop(task.key, None)
    return register(task)


def test_judging_a_large_array_answer_is_fast():
    rng = np.random.default_rng(0)
    solution = rng.random((8000, 784))
    task = register_once(
        Exercise(
            key="test.large",
            title="a large array",
            solution=solution,
            hint="Return the images.",
            mistakes=(Mistake.near("doubled", 2 * solution, "That is twice it."),),
        )
    )
    for answer, passed in ((solution.copy(), True), (solution + 1.0, False)):
        started = time.perf_counter()
        result = check(task.key, answer)
        assert time.perf_counter() - started < 0.5
        assert result.passed is passed
    assert not check(task.key, solution.astype(str)).passed


@pytest.mark.parametrize("key", ["99.9", "", None, 4])
def test_check_never_raises_even_for_an_unknown_key(key):
    result = check(key, 1.0)
    assert isinstance(result, CheckResult) and not result.passed
    assert "00.1" in result.message


#: Labs 08-10: the numeric exercises and the decimals their questions ask for.
LAB_PRECISION = {
    "08.2": 2,
    "08.4": 2,
    "08.5": 2,
    "08.6": 2,
    "09.1": 3,
    "09.2": 0,
    "10.2": 0,
    "10.3": 3,
}


@pytest.mark.parametrize("key,decimals", LAB_PRECISION.items())
def test_lab_reference_rounded_to_the_asked_precision_passes(key, decimals):
    solution = np.asarray(EXERCISES[key].solution, dtype=float)
    for digits in (decimals, decimals + 1):
        rounded = np.round(solution, digits)
        answer = float(rounded) if rounded.ndim == 0 else rounded
        assert check(key, answer).passed, (key, digits, answer)


@pytest.mark.parametrize("key", ["08.5", "08.6", "09.1", "10.3"])
def test_lab_answer_rounded_too_coarsely_is_told_so(key):
    solution = np.asarray(EXERCISES[key].solution, dtype=float)
    coarse = np.round(solution, LAB_PRECISION[key] - 1)
    result = check(key, float(coarse) if coarse.ndim == 0 else coarse)
    assert not result.passed and "rounded too coarsely" in result.message
