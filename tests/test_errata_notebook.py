"""Appendix A covers every mistake of the source article (course brief §6): nineteen, and item 13.

Item 13 (`tf.keras.losses.MSE`) is kept under its number as a portability note, not a mistake;
mistakes 17-20 were found by the second expert review (issue 18) and added after 16 so that the
numbers other notebooks link to keep their meaning.

For each mistake: a ``### Mistake N ·`` heading, a link to the notebook that teaches it, and a
code cell with its evidence; every runnable broken/fixed pair in ``course_utils.article_errata``
is run in it; its exercises are registered and checked; and it copies no text of the
(Chinese) article.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from notebook_rules import NOTEBOOK_DIR

from course_utils.article_errata import ERRATA
from course_utils.checks import exercise

PATH = NOTEBOOK_DIR / "A_errata.ipynb"
MISTAKES = range(1, 21)
NOT_A_MISTAKE = (13,)
CONCEPTUAL = (1, 2, 8, 9, 13, 15, 16, 17, 18, 19, 20)
COUNT_WORD = "Nineteen"  # len(MISTAKES) - len(NOT_A_MISTAKE), as the title says it
HEADING = re.compile(r"^### Mistake (\d+) ·", re.M)
TEACHING_NOTEBOOK = re.compile(r"Taught in:.*?\]\((\d\d_[a-z0-9_]+\.ipynb)\)", re.S)


def _pieces() -> list[tuple[str, str]]:
    """The notebook as (kind, text) pieces, a markdown cell split where a mistake heading starts."""
    notebook = nbformat.read(PATH, as_version=4)
    pieces = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            pieces.append((cell.cell_type, cell.source))
            continue
        starts = [m.start() for m in HEADING.finditer(cell.source)]
        bounds = [0, *starts, len(cell.source)]
        for begin, end in zip(bounds, bounds[1:]):
            if cell.source[begin:end].strip():
                pieces.append(("markdown", cell.source[begin:end]))
    return pieces


def _sections() -> dict[int, list[tuple[str, str]]]:
    """Each mistake's pieces: from its heading to the next mistake heading or the exercises."""
    sections: dict[int, list[tuple[str, str]]] = {}
    current = None
    for kind, text in _pieces():
        heading = HEADING.match(text) if kind == "markdown" else None
        if heading:
            current = int(heading.group(1))
            assert current not in sections, f"mistake {current} has two headings"
            sections[current] = []
        elif kind == "markdown" and text.startswith("## Exercises"):
            current = None
        if current is not None:
            sections[current].append((kind, text))
    return sections


SECTIONS = _sections()


def test_every_mistake_has_one_section_in_order():
    assert list(SECTIONS) == list(MISTAKES)


@pytest.mark.parametrize("number", MISTAKES)
def test_each_mistake_says_the_claim_the_fix_and_where_it_is_taught(number):
    prose = "\n".join(text for kind, text in SECTIONS[number] if kind == "markdown")
    for part in ("**The claim", "**Why it is wrong", "**Fix.**", "**Taught in:**"):
        assert part in prose, f"mistake {number} lacks {part}"
    taught = TEACHING_NOTEBOOK.findall(prose)
    assert taught, f"mistake {number} links no teaching notebook after 'Taught in:'"


@pytest.mark.parametrize("number", MISTAKES)
def test_each_mistake_has_evidence_in_code(number):
    code = [text for kind, text in SECTIONS[number] if kind == "code" and text.strip()]
    assert code, f"mistake {number} has no code cell"


@pytest.mark.parametrize("number", CONCEPTUAL)
def test_conceptual_mistakes_are_computed_not_only_argued(number):
    code = "\n".join(text for kind, text in SECTIONS[number] if kind == "code")
    assert re.search(r"^\s*(assert|print)", code, re.M), (
        f"mistake {number}'s code shows or asserts nothing"
    )


@pytest.mark.parametrize("erratum", ERRATA, ids=lambda erratum: erratum.label)
def test_every_runnable_pair_is_run_in_its_section(erratum):
    code = "\n".join(text for kind, text in SECTIONS[erratum.number] if kind == "code")
    label = re.escape(erratum.label)
    assert re.search(rf'get_erratum\("{label}"\)|[(,]\s*"{label}"\s*[,)]', code), (
        f"erratum {erratum.label} is not run in the section of mistake {erratum.number}"
    )
    assert "run(" in code


def test_the_exercises_are_checked():
    notebook = nbformat.read(PATH, as_version=4)
    keys = {
        key
        for cell in notebook.cells
        if cell.cell_type == "code"
        for key in re.findall(r'check\("(A\.\d+)"', cell.source)
    }
    assert len(keys) >= 3
    for key in keys:
        assert exercise(key).key == key


def test_the_article_is_paraphrased_not_copied():
    cjk = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
    notebook = nbformat.read(PATH, as_version=4)
    for cell in notebook.cells:
        assert not cjk.search(cell.source), "article text (Chinese) in appendix A"


def test_the_count_in_the_title_and_objectives_is_the_number_of_sections():
    notebook = nbformat.read(PATH, as_version=4)
    assert len(MISTAKES) - len(NOT_A_MISTAKE) == 19
    assert COUNT_WORD in notebook.cells[0].source
    objectives = next(
        c.source for c in notebook.cells if "What you will be able" in c.source
    )
    assert COUNT_WORD.lower() in objectives
    for number in NOT_A_MISTAKE:
        heading = next(t for k, t in SECTIONS[number] if k == "markdown")
        assert "Not a mistake" in heading.splitlines()[0]


def test_every_mistake_of_the_course_brief_has_its_number_here():
    """The brief's list (§6) numbers 1-16; the four it lists as 'Also in the article' are 17-20."""
    prose = "\n".join(t for k, t in _pieces() if k == "markdown")
    for phrase in (
        "at each layer",  # 17
        "the average loss",  # 18
        "last step of training",  # 19
        "1/n in front of a sum over N",  # 20
        "`huber_loss_with_threshold(t=𝛿)`",  # 6c
        "beyond δ, apply MAE",  # 5
        "`[Loss, newMatrix]`",  # 14
        "KL / z_dim",  # 12
        "Its MAE\nand Huber code",  # 3
        "VQGAN+CLIP",  # 16
    ):
        assert phrase in prose, phrase
