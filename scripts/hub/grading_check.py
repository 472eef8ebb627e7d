"""CI check of the nbgrader assignments (``make test-assignments``).

For the chosen notebooks (default 00 and 04: the start and the first full lesson, 6 exercises,
two of them functions), in a temporary course folder:

1. ``scripts/hub/assignments.py`` writes the nbgrader source notebooks;
2. ``nbgrader generate_assignment`` makes the release copies;
3. three synthetic submissions per assignment are made from the release copy:
   ``reference`` (every answer cell holds the reference solution), ``mistakes`` (every answer
   is the exercise's first typical mistake, from its ``Mistake.example``; an exercise without
   listed mistakes keeps the reference) and ``untouched`` (the release copy as it is);
4. ``nbgrader autograde`` grades them (the kernel is the course's .venv Python);
5. ``nbgrader generate_feedback`` writes the HTML feedback.

It then requires: full marks for ``reference``; zero for each exercise with a mistake and
full marks for the others in ``mistakes``; zero for ``untouched``; the ``mistakes`` feedback
shows each mistake's explanation (what ``check`` says to a learner) and leaks neither hidden
tests nor the reference solutions. Exit status 1 with a list of what failed.

    .venv/bin/python scripts/hub/grading_check.py [notebooks/00_start_here.ipynb ...]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import assignments  # noqa: E402
import classroom  # noqa: E402

ROOT = classroom.ROOT
DEFAULT = ["notebooks/00_start_here.ipynb", "notebooks/04_regression_losses.ipynb"]
STUDENTS = ("reference", "mistakes", "untouched")
GRADES = """
import json, sys
from nbgrader.api import Gradebook
out = {}
with Gradebook(sys.argv[1]) as gradebook:
    for assignment, notebook, student in json.loads(sys.argv[2]):
        found = gradebook.find_submission_notebook(notebook, assignment, student)
        for grade in found.grades:
            out.setdefault(student, {})[grade.name] = [grade.score, grade.max_score]
print(json.dumps(out))
"""


def nbgrader(course: Path, env: dict[str, str], *args: str) -> float:
    start = time.monotonic()
    result = subprocess.run(
        [str(classroom.HUB_VENV / "bin" / "nbgrader"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    print(f"  nbgrader {' '.join(args)}: {seconds:.1f} s")
    if result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}"
            f"{result.stderr[-3000:]}"
        )
    if "[ERROR]" in result.stderr:  # e.g. a submission it could not grade
        raise RuntimeError(f"nbgrader {' '.join(args)} logged errors:\n{result.stderr}")
    return seconds


def submission(
    release: nbformat.NotebookNode, answers: dict[str, str]
) -> nbformat.NotebookNode:
    """The release copy with the answer cells (by grade_id) replaced."""
    notebook = nbformat.from_dict(json.loads(nbformat.writes(release)))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def plain_text(page: str) -> str:
    """The feedback page's text: tags dropped, entities decoded, whitespace collapsed."""
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--keep", type=Path, help="use this course folder, and keep it")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [ROOT / n for n in DEFAULT]
    sys.path.insert(0, str(ROOT))
    from course_utils.checks import exercise

    start = time.monotonic()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nbgrader-check-") as tmp:
        course = (args.keep or Path(tmp) / "course").resolve()
        course.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "JUPYTER_PATH": str(classroom._kernel_dir(Path(tmp))),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # nbgrader runs its own tools (alembic) from PATH.
            "PATH": f"{classroom.HUB_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
        }
        status = assignments.main(
            [str(n) for n in notebooks] + ["--course", str(course)]
        )
        if status:
            return status
        pairs, graded = [], []
        for path in notebooks:
            name = path.stem
            source = nbformat.read(course / "source" / name / path.name, as_version=4)
            nbgrader(course, env, "generate_assignment", name, "--force")
            release = nbformat.read(course / "release" / name / path.name, as_version=4)
            reference, mistaken, explanations = {}, {}, {}
            for cell in source.cells:
                meta = cell.metadata.get("nbgrader", {})
                if not meta.get("solution"):
                    continue
                grade_id = meta["grade_id"]
                graded.append(grade_id.replace("_answer", "_check"))
                key = grade_id[len("ex_") : -len("_answer")].replace("_", ".")
                lines = cell.source.split("\n")
                head = "\n".join(lines[: lines.index(assignments.BEGIN)])
                reference[grade_id] = head + assignments.solution_code(cell.source)
                answer = next(
                    c.source.split(f"check({json.dumps(key)}, ")[1].split(")")[0]
                    for c in source.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id")
                    == grade_id.replace("_answer", "_check")
                )
                mistakes = exercise(key).mistakes
                if mistakes:
                    mistaken[grade_id] = (
                        "from course_utils.checks import exercise\n\n"
                        f"# Exercise {key}'s first typical mistake: {mistakes[0].name}\n"
                        f"{answer} = exercise({json.dumps(key)}).mistakes[0].example"
                    )
                    explanations[grade_id] = (
                        mistakes[0].explanation,
                        reference[grade_id],
                    )
                else:
                    mistaken[grade_id] = reference[grade_id]
            for student, answers in (
                ("reference", reference),
                ("mistakes", mistaken),
                ("untouched", {}),
            ):
                folder = course / "submitted" / student / name
                folder.mkdir(parents=True, exist_ok=True)
                nbformat.write(submission(release, answers), folder / path.name)
                pairs.append((name, name, student))
            nbgrader(course, env, "autograde", name, "--create", "--force")
            nbgrader(course, env, "generate_feedback", name, "--force")
            feedback = plain_text(
                (course / "feedback" / "mistakes" / name / f"{name}.html").read_text()
            )
            for grade_id, (explanation, solution) in explanations.items():
                if " ".join(explanation.split()) not in feedback:
                    problems.append(
                        f"{name}: the feedback on {grade_id} lacks the explanation "
                        f"{explanation!r}"
                    )
                body = [
                    line.strip()
                    for line in solution.split("\n")[1:]
                    if len(line.strip()) > 20 and not line.startswith(("from ", "#"))
                ]
                # Lines of the reference that learners do not already have in the release.
                given = " ".join(" ".join(c.source.split()) for c in release.cells)
                leaked = [
                    line
                    for line in body
                    if " ".join(line.split()) not in given
                    and " ".join(line.split()) in feedback
                ]
                if leaked:
                    problems.append(
                        f"{name}: the feedback shows the solution: {leaked}"
                    )
            if "HIDDEN TESTS" in feedback:
                problems.append(f"{name}: the feedback shows hidden tests")
        grades = json.loads(
            subprocess.run(
                [str(classroom.HUB_VENV / "bin" / "python"), "-c", GRADES]
                + [f"sqlite:///{course / 'gradebook.db'}", json.dumps(pairs)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        print("scores (points / max) per exercise:")
        for student in STUDENTS:
            scores = grades.get(student, {})
            print(
                f"  {student:10s} "
                + ", ".join(
                    f"{g.removeprefix('ex_').removesuffix('_check')}: {s:g}/{m:g}"
                    for g, (s, m) in sorted(scores.items())
                )
            )
            if sorted(scores) != sorted(graded):
                problems.append(f"{student}: grades for {sorted(scores)}, not {graded}")
            for grade_id, (score, maximum) in scores.items():
                key = (
                    grade_id.removeprefix("ex_")
                    .removesuffix("_check")
                    .replace("_", ".")
                )
                if student == "reference":
                    expected = maximum
                elif student == "mistakes":
                    expected = 0.0 if exercise(key).mistakes else maximum
                else:
                    expected = 0.0
                if score != expected:
                    problems.append(
                        f"{student}: {grade_id} scored {score:g}, expected {expected:g}"
                    )
    for problem in problems:
        print(f"grading check: FAILED: {problem}", file=sys.stderr)
    print(f"grading check: {time.monotonic() - start:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
