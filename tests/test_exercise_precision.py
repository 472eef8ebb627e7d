"""Exercises of notebooks 00-04 accept every correct answer at the precision they ask for.

Each numeric exercise lists its precision in its module's ``PRECISION`` (decimals, or
significant digits); its question in the notebook says so; its reference rounded or cut to that
precision, or to one more digit, passes; and the reference rounded one digit too coarsely is
refused with a message that says it was rounded too much (issue 18: 04.4 refused c = 1.612,
the value the notebook itself quotes).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

from course_utils.checks import check, exercise
from course_utils.exercises._precision import precision_cases, rounded_too_coarsely

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MODULES = ("nb00", "nb01", "nb02", "nb03", "nb04")
CASES = [
    (key, spec)
    for name in MODULES
    for key, spec in importlib.import_module(
        f"course_utils.exercises.{name}"
    ).PRECISION.items()
]
#: How a question states its precision.
STATED = re.compile(r"decimal|significant digit|exact|whole number", re.IGNORECASE)


def _question(key: str) -> str:
    """The markdown cell of the notebook that asks exercise ``key``."""
    prefix = key.split(".")[0]
    (path,) = NOTEBOOKS.glob(f"{prefix}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and f"**Exercise {key}" in text:
            return text[text.index(f"**Exercise {key}") :]
    raise AssertionError(f"no question for exercise {key} in {path.name}")


def test_every_numeric_exercise_of_00_to_04_lists_its_precision():
    numeric = {
        "00.1", "00.2", "01.1", "01.4", "02.1", "02.2", "02.3",
        "03.1", "03.2", "03.3", "04.1", "04.2", "04.4",
    }  # fmt: skip
    assert {key for key, _ in CASES} == numeric


@pytest.mark.parametrize("key,spec", CASES, ids=[key for key, _ in CASES])
def test_the_question_states_its_precision(key, spec):
    assert STATED.search(_question(key)), f"exercise {key} does not state its precision"


@pytest.mark.parametrize("key,spec", CASES, ids=[key for key, _ in CASES])
def test_the_reference_at_the_asked_precision_passes(key, spec):
    solution = exercise(key).solution
    for answer in precision_cases(solution, **spec):
        result = check(key, answer)
        assert result.passed, f"{answer}: {result.message}"


def _has_a_coarser_rounding(key: str, spec: dict) -> bool:
    """Not for one decimal or none (a coarser rounding is another answer), nor for an
    answer that has fewer decimals than the question allows."""
    solution = np.asarray(exercise(key).solution, dtype=float)
    return spec.get("decimals", 2) > 1 and not np.all(
        solution == np.round(solution, spec.get("decimals", 99) - 1)
    )


COARSENABLE = [(key, spec) for key, spec in CASES if _has_a_coarser_rounding(key, spec)]


@pytest.mark.parametrize("key,spec", COARSENABLE, ids=[key for key, _ in COARSENABLE])
def test_a_rounding_only_miss_gets_its_own_message(key, spec):
    solution = np.asarray(exercise(key).solution, dtype=float)
    example = rounded_too_coarsely(solution, "", **spec).example
    result = check(key, example)
    assert not result.passed
    assert "rounded more than asked" in result.message, result.message


def test_04_4_accepts_the_value_the_notebook_quotes():
    assert check("04.4", [0.125, 1.612]).passed
    assert check("04.4", [1 / 8, 0.5 * np.log(8 * np.pi)]).passed
    assert "rounded more than asked" in check("04.4", [0.125, 1.61]).message
