"""What every course notebook must satisfy (CONTRIBUTING.md), as plain functions for the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NAME_PATTERN = re.compile(r"(\d\d|[A-Z])_[a-z0-9_]+\.ipynb")
UNCOMPARED_TAGS = {"nbval-ignore-output", "nbval-skip"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MINIMUM_COMPARED_SHARE = 0.75


def course_notebooks() -> list[Path]:
    """Every notebook of the course, in syllabus order."""
    return sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def is_compared(cell: nbformat.NotebookNode) -> bool:
    """nbval compares this cell's outputs (not tagged to skip or ignore them)."""
    return not UNCOMPARED_TAGS & set(cell.metadata.get("tags", []))


@dataclass(frozen=True)
class ComparedShare:
    compared: int
    total: int

    @property
    def share(self) -> float:
        return self.compared / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"nbval compares the outputs of {self.compared} of {self.total} code cells ({self.share:.0%})"


def compared_share(paths: list[Path]) -> ComparedShare:
    """How many code cells, across ``paths``, have their outputs compared by nbval."""
    cells = [cell for path in paths for cell in code_cells(read(path))]
    return ComparedShare(sum(is_compared(c) for c in cells), len(cells))
