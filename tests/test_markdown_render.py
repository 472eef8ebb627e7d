"""Bold and italics render in every notebook, English and Chinese.

CommonMark (JupyterLab's marked, nbconvert's mistune) closes ``**`` only when the delimiter is
right-flanking: ``**用时：**约`` (full-width punctuation inside, a Chinese character after) stays
literal asterisks, while ``**用时**：约`` renders bold. This renders every markdown cell with mistune,
as the decks and handouts do, and fails on asterisks left in the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import mistune
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(
    ROOT.glob("notebooks/zh/*.ipynb")
)
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.DOTALL)
CODE = re.compile(r"<code>.*?</code>|<pre>.*?</pre>", re.DOTALL)
_render = mistune.create_markdown()


def literal_asterisks(source: str) -> list[str]:
    """Places where a rendered markdown source still shows ``**`` (math and code left out)."""
    html = CODE.sub("", str(_render(MATH.sub("M", source))))
    return [match.group() for match in re.finditer(r".{0,15}\*\*.{0,15}", html)]


def test_a_bold_lead_in_with_full_width_punctuation_inside_is_caught() -> None:
    (hit,) = literal_asterisks("**用时：**约 25 分钟")
    assert "**用时：**约" in hit
    assert literal_asterisks("**用时**：约 25 分钟") == []
    assert literal_asterisks("Code `a**2` and $x^{**}$ are not bold.") == []


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks"))
)
def test_every_bold_span_renders(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    problems = [
        f"cell {index}: {hit!r}"
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        for hit in literal_asterisks(cell.source)
    ]
    assert not problems, "\n".join(problems)
