"""nbgrader source notebooks from the course's exercises (``make assignments``).

One assignment per notebook, named after it (``04_regression_losses``), written to
``<course>/source/<name>/<name>.ipynb`` with an ``nbgrader_config.py`` in ``<course>``
(default ``build/nbgrader``). In each notebook:

* every exercise cell (``answer = ...`` then ``check("NN.k", answer)``, before ``## Solutions``)
  becomes a graded **solution** cell: its imports, then ``### BEGIN SOLUTION``, the reference
  solution taken from the notebook's own solution cell (its ``check("NN.k", X)`` turned into
  ``answer = X``), ``### END SOLUTION``;
* right after it comes an autograded **test** cell worth ``--points`` points that runs the same
  check a self-learner runs and fails with its message (what is wrong, and the hint);
* the ``## Solutions`` section is dropped (as in ``make student``); every other cell, its
  text, widgets, metadata and outputs, stays as it is.

The tests have no hidden part on purpose: nbgrader 0.9.6's feedback shows a failing test
cell's source in full, hidden lines included. A notebook without exercises is refused with
a message (exit status 2), or skipped with a note under ``--skip-empty``.

    python scripts/hub/assignments.py notebooks/00_start_here.ipynb --course build/nbgrader
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from student_copies import is_solutions_heading, student_copy  # noqa: E402

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBGRADER_CONFIG = '''\
"""nbgrader settings for the course's assignments (written by scripts/hub/assignments.py)."""

c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
# Keep the notebooks' figures and printed results in the release (only graded cells are
# cleared, by the generator); nbgrader clears every output by default.
c.ClearOutput.enabled = False
# A lesson notebook runs in well under a minute; a stuck cell should not hold the class.
c.ExecutePreprocessor.timeout = 300
'''


class NoExercises(ValueError):
    """A notebook with no exercise cell: nothing to grade."""


@dataclass(frozen=True)
class Graded:
    """One exercise as graded: its key and the name the learner's answer is bound to."""

    key: str
    answer: str

    @property
    def grade_id(self) -> str:
        return "ex_" + self.key.replace(".", "_")


def _check_calls(source: str) -> list[tuple[ast.Expr, str, ast.expr]]:
    """The statements ``check("NN.k", X)`` of a cell: (statement, key, X)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "check"
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            found.append((node, call.args[0].value, call.args[1]))
    return found


def reference_solutions(
    notebook: nbformat.NotebookNode,
) -> dict[str, tuple[str, str, str]]:
    """Each exercise's reference code, from the cells of the ``## Solutions`` section:
    (the code before its ``check("NN.k", X)``, the text of ``X``, the code after it)."""
    references: dict[str, tuple[str, str, str]] = {}
    in_solutions = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            in_solutions = is_solutions_heading(cell)
        if not in_solutions or cell.cell_type != "code":
            continue
        for node, key, value in _check_calls(cell.source):
            lines = cell.source.split("\n")
            assert node.end_lineno is not None
            references[key] = (
                "\n".join(lines[: node.lineno - 1]),
                ast.get_source_segment(cell.source, value) or "",
                "\n".join(lines[node.end_lineno :]),
            )
    return references


def _graded_cells(
    cell: nbformat.NotebookNode,
    key: str,
    answer: str,
    reference: tuple[str, str, str],
    points: float,
) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The solution cell (imports kept outside the solution) and its test cell."""
    tree = ast.parse(cell.source)
    imports = [
        ast.get_source_segment(cell.source, node)
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    before, value, after = reference
    # A function exercise defines the answer itself (``check("04.3", huber)``).
    bind = [] if value == answer else [f"{answer} = {value}"]
    body = "\n".join([before, *bind, after]).strip("\n").split("\n")
    head = [line for line in imports if line] + ([""] if imports else [])
    solution = copy.deepcopy(cell)
    solution.source = "\n".join(head + [BEGIN, *body, END])
    solution.outputs = []
    solution.execution_count = None
    grade_id = "ex_" + key.replace(".", "_")
    solution.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": f"{grade_id}_answer",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    test = nbformat.v4.new_code_cell(
        f"# Exercise {key}, autograded ({points:g} point{'s' if points != 1 else ''}): "
        "the check a self-learner runs.\n"
        "from course_utils.checks import check\n\n"
        f"_verdict = check({json.dumps(key)}, {answer})\n"
        "assert _verdict, _verdict.message"
    )
    test.metadata = {
        "editable": False,
        "deletable": False,
        "nbgrader": {
            "grade": True,
            "grade_id": f"{grade_id}_check",
            "locked": True,
            "points": points,
            "schema_version": 3,
            "solution": False,
            "task": False,
        },
    }
    if "slideshow" in cell.metadata:
        test.metadata["slideshow"] = {"slide_type": "-"}
    return solution, test


def source_notebook(
    notebook: nbformat.NotebookNode, path: Path, points: float = 1.0
) -> tuple[nbformat.NotebookNode, list[Graded]]:
    """The nbgrader source version of ``notebook`` and the exercises it grades.

    Raises :class:`NoExercises` if no cell before ``## Solutions`` calls ``check``, and
    ValueError naming the exercise if its answer or reference solution cannot be found.
    """
    references = reference_solutions(notebook)
    lesson = student_copy(notebook)
    cells, graded = [], []
    for cell in lesson.cells:
        calls = _check_calls(cell.source) if cell.cell_type == "code" else []
        if not calls:
            cells.append(cell)
            continue
        if len(calls) > 1:
            keys = ", ".join(key for _, key, _ in calls)
            raise ValueError(f"{path.name}: one cell checks several exercises ({keys})")
        _node, key, value = calls[0]
        if not isinstance(value, ast.Name):
            raise ValueError(
                f"{path.name}: exercise {key}'s cell checks an expression, not a name: "
                "write `answer = ...` then `check(key, answer)`"
            )
        if key not in references:
            raise ValueError(
                f"{path.name}: exercise {key} has no solution cell under ## Solutions "
                f"(a cell calling check({key!r}, <reference>))"
            )
        solution, test = _graded_cells(cell, key, value.id, references[key], points)
        cells += [solution, test]
        graded.append(Graded(key, value.id))
    if not graded:
        raise NoExercises(
            f"{path} has no exercises: no cell before its ## Solutions section calls "
            'check("NN.k", answer), so there is nothing to grade. Pick notebooks with '
            "exercises (course_utils/exercises/nbNN.py lists them)."
        )
    lesson.cells = cells
    return lesson, graded


def solution_code(cell_source: str) -> str:
    """The code between the solution markers of a generated solution cell."""
    lines = cell_source.split("\n")
    return "\n".join(lines[lines.index(BEGIN) + 1 : lines.index(END)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--course", type=Path, default=ROOT / "build" / "nbgrader")
    parser.add_argument("--points", type=float, default=1.0)
    parser.add_argument(
        "--skip-empty",
        action="store_true",
        help="skip notebooks without exercises (with a note) instead of refusing them",
    )
    args = parser.parse_args(argv)
    if not args.notebooks:
        print(
            "assignments: no notebooks given, e.g. make assignments "
            'NOTEBOOKS="notebooks/00_start_here.ipynb"',
            file=sys.stderr,
        )
        return 2
    written, refused = [], []
    for path in args.notebooks:
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as error:  # not a notebook we can read
            refused.append(f"{path}: cannot read it ({type(error).__name__}: {error})")
            continue
        try:
            source, graded = source_notebook(notebook, path, args.points)
        except NoExercises as error:
            if args.skip_empty:
                print(
                    f"assignments: skipped {path.name}: no exercises", file=sys.stderr
                )
            else:
                refused.append(str(error))
            continue
        except ValueError as error:
            refused.append(str(error))
            continue
        folder = args.course / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(source, folder / path.name)
        keys = ", ".join(g.key for g in graded)
        written.append(path.stem)
        print(f"{folder / path.name}: {len(graded)} graded exercises ({keys})")
    if written:
        config = args.course / "nbgrader_config.py"
        config.write_text(NBGRADER_CONFIG.format(root=str(args.course.resolve())))
    for message in refused:
        print(f"assignments: {message}", file=sys.stderr)
    if refused:
        return 2
    if not written:
        print("assignments: none of the notebooks has exercises", file=sys.stderr)
        return 2
    print(
        f"{len(written)} assignments in {args.course}/source; next: cd {args.course} && "
        "nbgrader generate_assignment <name> (docs/instructors.md)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
