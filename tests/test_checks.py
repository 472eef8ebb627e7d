"""Exercise checks: every reference solution passes, every typical mistake is caught and explained."""

from __future__ import annotations

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
