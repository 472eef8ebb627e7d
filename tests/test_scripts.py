"""Maintainer scripts: badge stamping, notebook refresh and slide export."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_rules import NOTEBOOK_DIR, load_script

stamp = load_script("stamp_notebooks")
refresh = load_script("refresh_notebooks")
slides = load_script("export_slides")


def tiny_notebook(
    path,
    badge_line="old badges",
    install_url="git+https://github.com/someone/elsewhere",
):
    notebook = new_notebook(
        cells=[
            new_markdown_cell(f"# Title\n\n{stamp.BADGE_MARKER}\n{badge_line}"),
            new_code_cell(
                f'# Setup (not part of the lesson)\n%pip install "course-utils @ {install_url}"'
            ),
            new_code_cell("print(6 * 7)"),
        ]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def test_stamp_sets_badges_and_install_url(tmp_path):
    path = tiny_notebook(tmp_path / "07_example.ipynb")
    assert stamp.main([str(path), "--check"]) == 1
    assert "old badges" in path.read_text(), "--check must not write"
    assert stamp.main([str(path)]) == 0
    assert stamp.main([str(path), "--check"]) == 0
    text = nbformat.read(path, as_version=4)
    url = stamp.repository_url()
    assert stamp.badge_line(url, path) in text.cells[0].source
    assert f"git+{url}" in text.cells[1].source
    assert "notebooks/07_example.ipynb" in stamp.badge_line(url, path)


def test_stamp_reports_a_notebook_without_badge_marker(tmp_path, capsys):
    path = tmp_path / "08_no_marker.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Title")]), path)
    assert stamp.main([str(path), "--check"]) == 1
    assert stamp.BADGE_MARKER in capsys.readouterr().out


def test_refresh_runs_top_to_bottom_and_saves_outputs(tmp_path):
    path = tmp_path / "09_refresh.ipynb"
    notebook = new_notebook(
        cells=[new_code_cell("x = 6"), new_code_cell("print(x * 7)")]
    )
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    refresh.refresh(path, timeout=60)
    cells = nbformat.read(path, as_version=4).cells
    assert [c.execution_count for c in cells] == [1, 2]
    assert cells[1].outputs[0].text == "42\n"


@pytest.fixture(scope="module")
def start_here_deck(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    return slides.export(NOTEBOOK_DIR / "00_start_here.ipynb", out).read_text(
        encoding="utf-8"
    )


def test_slides_show_the_static_figure_instead_of_a_widget(start_here_deck):
    assert "data:image/png;base64," in start_here_deck
    assert '"model_id"' not in start_here_deck, (
        "a widget view would render as an empty box"
    )


def test_slides_follow_the_slide_metadata(start_here_deck):
    assert start_here_deck.count("<section") >= 8
    assert "Setup (not part of the lesson)" not in start_here_deck, (
        "the setup cell is skipped in slides"
    )
