"""Every notebook follows the course conventions (CONTRIBUTING.md).

nbval re-executes the notebooks and compares outputs (``make test``); these tests
check what nbval does not: names, metadata, a clean committed run, badges,
solutions, and that outputs are compared for most cells.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest
from notebook_rules import (
    MINIMUM_COMPARED_SHARE,
    NAME_PATTERN,
    ROOT,
    SLIDE_TYPES,
    code_cells,
    compared_share,
    course_notebooks,
    is_compared,
    printed_numbers_not_in_source,
    read,
    training_dependent_cells,
)

NOTEBOOKS = course_notebooks()
ids = [p.name for p in NOTEBOOKS]
# The Chinese edition (notebooks/zh/) follows the same structure with its own markers
# (CONTRIBUTING.md, "Chinese edition").
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
BOTH = NOTEBOOKS + ZH_NOTEBOOKS
both_ids = ids + [f"zh/{p.name}" for p in ZH_NOTEBOOKS]
MARKERS = {
    "en": {
        "notes": "**Speaker notes**",
        "noted": r"Time: (\d+)",
        "stated": r"\*\*Time:\*\* about (\d+) minutes",
        "solutions": "## Solutions",
    },
    "zh": {
        "notes": "**讲者备注**",
        "noted": r"用时：\s*(\d+)",
        "stated": r"\*\*用时\*\*：约\s*(\d+)\s*分钟",
        "solutions": "## 参考答案",
    },
}


def _markers(path) -> dict[str, str]:
    return MARKERS["zh" if path.parent.name == "zh" else "en"]


def test_the_course_has_notebooks():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


def test_most_outputs_are_compared_by_nbval():
    share = compared_share(NOTEBOOKS)
    print(share)
    assert share.share >= MINIMUM_COMPARED_SHARE, str(share)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_name_and_kernel(path):
    assert NAME_PATTERN.fullmatch(path.name), (
        f"{path.name} does not follow NN_slug.ipynb"
    )
    assert read(path).metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_from_one_clean_run(path):
    cells = code_cells(read(path))
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        "re-run on a fresh kernel: make refresh"
    )
    for cell in cells:
        for output in cell.outputs:
            assert output.output_type != "error", (
                f"cell {cell.execution_count} was saved with an error"
            )
            text = output.get("text", "")
            assert "absl::InitializeLog" not in text and "oneDNN" not in text, (
                "TensorFlow log lines in an output"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_cell_has_slide_metadata(path):
    for index, cell in enumerate(read(path).cells):
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, f"cell {index} has slide_type {slide_type!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_uncompared_cells_assert_their_conclusion(path):
    for cell in code_cells(read(path)):
        if not is_compared(cell):
            assert re.search(
                r"^\s*(assert |np\.testing\.assert_)", cell.source, re.M
            ), (
                f"cell {cell.execution_count} is not compared by nbval; it must assert "
                "its conclusion as a range itself (CONTRIBUTING.md)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_numbers_that_training_makes_are_not_compared(path):
    """Training turns the bits that differ between CPUs into printed digits (CONTRIBUTING.md)."""
    for cell in training_dependent_cells(read(path)):
        numbers = printed_numbers_not_in_source(cell)
        assert not (is_compared(cell) and numbers), (
            f"cell {cell.execution_count} prints numbers that training made ({numbers[:4]}) "
            "and nbval compares them: tag it nbval-ignore-output and assert the conclusion "
            "as a range in the cell"
        )


def _notebook(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for source in sources:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="")]
        notebook.cells.append(cell)
    return notebook


def test_the_training_rule_follows_values_through_the_notebook():
    notebook = _notebook(
        "model = build()\nmodel.fit(x, y)",  # changes the model in place
        "loss = model.evaluate(x, y)\nprint(loss)",
        "train_more = partial(lab.train, data=data)",
        "run = train_more()\nprint(run.accuracy)",
        "loss = 0.25\nprint(loss * 2)",  # overwritten by a value not trained
        "print(f'{1.5:.2f}', loss)",
    )
    notebook.cells[1].outputs[0].text = "0.4817"
    notebook.cells[3].outputs[0].text = "83 %"
    notebook.cells[4].outputs[0].text = "0.5"
    notebook.cells[5].outputs[0].text = "1.50 0.25"
    dependent = training_dependent_cells(notebook)
    assert [notebook.cells.index(c) for c in dependent] == [0, 1, 2, 3]
    assert printed_numbers_not_in_source(notebook.cells[1]) == ["0.4817"]
    assert printed_numbers_not_in_source(notebook.cells[3]) == ["83"]
    # 1.50 is the source's literal 1.5; 0.25 is not spelled out in this cell
    assert printed_numbers_not_in_source(notebook.cells[5]) == ["0.25"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_setup_cell_comes_first_and_installs_only_course_utils_on_colab(path):
    first_code = code_cells(read(path))[0].source
    assert first_code.startswith("# Setup (not part of the lesson)")
    assert "setup_notebook(" in first_code
    install_lines = [line for line in first_code.splitlines() if "pip install" in line]
    assert (
        len(install_lines) == 1
        and "course-utils @ git+https://github.com/" in install_lines[0]
    )
    assert (
        "tensorflow" not in install_lines[0].lower()
        and "keras" not in install_lines[0].lower()
    )


@pytest.mark.parametrize("path", BOTH, ids=both_ids)
def test_exercise_solutions_are_folded_at_the_end(path):
    cells = read(path).cells
    headings = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown"
        and c.source.startswith(_markers(path)["solutions"])
    ]
    if path.name.startswith("00") or any("check(" in c.source for c in cells):
        assert len(headings) == 1, (
            "a notebook with exercises ends with one '## Solutions' section"
        )
        for cell in cells[headings[0] + 1 :]:
            if cell.cell_type == "code":
                assert cell.metadata.get("jupyter", {}).get("source_hidden"), (
                    "solution cells are folded"
                )
                assert "check(" in cell.source, "each solution runs its check"


def test_notebooks_are_stamped_with_the_repository_url():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "stamp_notebooks.py"),
            "--check",
            *map(str, NOTEBOOKS),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"run `make refresh` to stamp: {result.stdout}{result.stderr}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_readme_lists_the_notebook(path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(notebooks/{path.name})" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_local_links_resolve(path):
    for cell in read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#:]+\.ipynb)\)", cell.source):
            assert (path.parent / target).exists(), f"link to missing notebook {target}"


@pytest.mark.parametrize("path", BOTH, ids=both_ids)
def test_every_section_has_speaker_notes(path):
    """CONTRIBUTING.md: each `## ` section has a notes cell (shown in the speaker view)."""
    cells = read(path).cells
    starts = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown" and c.source.startswith("## ")
    ]
    for start, end in zip(starts, starts[1:] + [len(cells)]):
        notes = [
            c
            for c in cells[start + 1 : end]
            if c.metadata.get("slideshow", {}).get("slide_type") == "notes"
        ]
        heading = cells[start].source.splitlines()[0]
        assert notes, f"section {heading!r} has no speaker-notes cell"
        text = notes[0].source
        marks = _markers(path)
        assert text.startswith(marks["notes"]), f"{heading!r}: notes start so"
        assert re.search(marks["noted"], text), f"{heading!r}: notes say 'Time: N min'"


@pytest.mark.parametrize("path", BOTH, ids=both_ids)
def test_stated_time_agrees_with_the_speaker_notes(path):
    """The time a learner is promised is what the speaker notes add up to (within 10 %)."""
    cells = read(path).cells
    stated = [
        re.search(_markers(path)["stated"], c.source)
        for c in cells
        if c.cell_type == "markdown"
    ]
    stated = [m for m in stated if m]
    assert stated, "the objectives cell says '**Time:** about N minutes'"
    total = int(stated[0].group(1))
    noted = sum(
        int(minutes)
        for c in cells
        if c.metadata.get("slideshow", {}).get("slide_type") == "notes"
        for minutes in re.findall(_markers(path)["noted"], c.source)
    )
    assert abs(total - noted) <= 0.1 * total, (
        f"the notebook promises about {total} minutes; its speaker notes add up to {noted}"
    )


def _stated_minutes(path) -> int:
    for cell in read(path).cells:
        match = re.search(_markers(path)["stated"], cell.source)
        if cell.cell_type == "markdown" and match:
            return int(match.group(1))
    raise AssertionError(f"{path.name} states no '**Time:** about N minutes'")


TABLES = ["README.md", "notebooks/00_start_here.ipynb", "README.zh.md"]
TABLES += [t for t in ["notebooks/zh/00_start_here.ipynb"] if (ROOT / t).exists()]


@pytest.mark.parametrize("table", TABLES)
def test_syllabus_tables_give_each_notebooks_own_time(table):
    text = (ROOT / table).read_text(encoding="utf-8")
    zh = "zh" in table
    for path in ZH_NOTEBOOKS if zh else NOTEBOOKS:
        unit, folder = (
            ("(?:min|分钟)", "notebooks/zh/") if zh else ("min", "notebooks/")
        )
        rows = re.findall(
            rf"\({re.escape(path.name)}\) \|[^\n]*?\| (\d+) ?{unit} \|", text
        )
        rows += re.findall(
            rf"\({folder}{re.escape(path.name)}\) \|[^\n]*?\| (\d+) ?{unit} \|", text
        )
        assert rows, f"{table} has no syllabus row with a time for {path.name}"
        assert int(rows[0]) == _stated_minutes(path), (
            f"{table} gives {path.name} {rows[0]} min; the notebook says "
            f"{_stated_minutes(path)}"
        )
