"""Exercises 05.3, 05.4, A.2 and A.3 state a precision; their reference answers rounded to it
(and to one more digit) pass, and the same answer rounded more coarsely gets its own message."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
from notebook_rules import NOTEBOOK_DIR

from course_utils.checks import check, exercise

#: key, notebook, decimal places the question asks for
STATED = [
    ("05.3", "05_classification_losses.ipynb", 4),
    ("05.4", "05_classification_losses.ipynb", 4),
    ("A.2", "A_errata.ipynb", 4),
    ("A.3", "A_errata.ipynb", 3),
]


@pytest.mark.parametrize(("key", "notebook", "places"), STATED)
def test_the_question_states_its_precision(key, notebook, places):
    cells = nbformat.read(NOTEBOOK_DIR / notebook, as_version=4).cells
    question = next(c.source for c in cells if f"**Exercise {key}" in c.source)
    words = {3: "3", 4: "4"}[places]
    assert re.search(rf"to {words}\s+decimal\s+places", question), question


@pytest.mark.parametrize(("key", "notebook", "places"), STATED)
def test_the_reference_rounded_to_the_stated_precision_passes(key, notebook, places):
    task = exercise(key)
    reference = np.asarray(task.evaluate(task.solution), dtype=float)
    for digits in (places, places + 1):
        assert check(key, np.round(reference, digits)), (key, digits)


@pytest.mark.parametrize(("key", "notebook", "places"), STATED)
def test_a_coarser_rounding_gets_its_own_message(key, notebook, places):
    task = exercise(key)
    reference = np.asarray(task.evaluate(task.solution), dtype=float)
    result = check(key, np.round(reference, places - 2))
    assert not result and "decimal places" in result.message, result.message
