"""scripts/hub/assignments.py (make assignments): nbgrader source notebooks from the exercises.

Fast and offline (no nbgrader needed): make test-assignments runs nbgrader itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "hub"))

import assignments  # noqa: E402

START = ROOT / "notebooks" / "00_start_here.ipynb"


def test_each_exercise_becomes_a_solution_cell_and_a_graded_check():
    notebook = nbformat.read(START, as_version=4)
    source, graded = assignments.source_notebook(notebook, START)
    assert [g.key for g in graded] == ["00.1", "00.2"]
    cells = [c for c in source.cells if "nbgrader" in c.metadata]
    kinds = [
        (c.metadata.nbgrader["grade_id"], c.metadata.nbgrader["grade"]) for c in cells
    ]
    assert kinds == [
        ("ex_00_1_answer", False),
        ("ex_00_1_check", True),
        ("ex_00_2_answer", False),
        ("ex_00_2_check", True),
    ]
    answer = cells[0].source
    assert answer.startswith("from course_utils.checks import check\n")
    assert assignments.solution_code(answer).strip() == (
        "squared_error_answer = (0.3 - 1.0) ** 2"
    )
    assert cells[1].metadata.nbgrader["points"] == 1
    assert 'check("00.1", squared_error_answer)' in cells[1].source
    assert "HIDDEN TESTS" not in cells[1].source
    assert not any(c.outputs for c in cells)


def test_text_widgets_and_outputs_stay_and_solutions_go():
    notebook = nbformat.read(START, as_version=4)
    source, _ = assignments.source_notebook(notebook, START)
    kept = [c for c in source.cells if "nbgrader" not in c.metadata]
    originals = {c.id: c for c in notebook.cells}
    for cell in kept:
        assert json.dumps(cell, sort_keys=True) == json.dumps(
            originals[cell.id], sort_keys=True
        )
    assert not any(c.source.startswith("## Solutions") for c in source.cells)
    assert any("prediction_loss_widget()" in c.source for c in kept)


def test_a_notebook_without_exercises_is_refused_with_a_message(tmp_path, capsys):
    path = tmp_path / "no_exercises.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Only text"),
        nbformat.v4.new_code_cell("1 + 1"),
    ]
    nbformat.write(notebook, path)
    with pytest.raises(assignments.NoExercises, match="has no exercises"):
        assignments.source_notebook(notebook, path)
    assert assignments.main([str(path), "--course", str(tmp_path / "course")]) == 2
    assert "no_exercises.ipynb has no exercises" in capsys.readouterr().err
    assert not (tmp_path / "course").exists()
    assert (
        assignments.main([str(path), "--skip-empty", "--course", str(tmp_path / "c")])
        == 2
    )
