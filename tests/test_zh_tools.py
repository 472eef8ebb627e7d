"""The Chinese edition's maintainer tools (issue 22): launch badges and the translator's diff.

* ``scripts/stamp_notebooks.py`` gives every zh notebook badges that open ``notebooks/zh/NAME``,
  and its ``--check`` reports a zh notebook whose badges do not;
* ``scripts/zh_sync.py`` leaves the badge line out of the English hash, so a badge-only change
  never makes a translation stale, and ``build`` stamps the zh badges itself;
* ``python scripts/zh_sync.py diff`` shows each stale cell's English, then and now, found in git.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_rules import NOTEBOOK_DIR, ROOT, load_script

ZH_NOTEBOOKS = sorted((NOTEBOOK_DIR / "zh").glob("*.ipynb"))


stamp = load_script("stamp_notebooks")
zh_sync = load_script("zh_sync")

URL = "https://github.com/loss-functions-course/loss-functions-course"
FORK = "https://github.com/a-teacher/my-loss-course"


def first_source(path: Path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source


def badge_of(source: str) -> str:
    lines = source.split("\n")
    return lines[lines.index(stamp.BADGE_MARKER) + 1]


# ----------------------------------------------------------------------------- launch badges


def test_there_are_zh_notebooks_to_check():
    assert len(ZH_NOTEBOOKS) >= 9


def test_zh_notebooks_are_stamped():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stamp_notebooks.py"), "--check"]
        + [str(p) for p in ZH_NOTEBOOKS],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "run `python scripts/stamp_notebooks.py notebooks/zh/*.ipynb`: "
        f"{result.stdout}{result.stderr}"
    )


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=[p.stem for p in ZH_NOTEBOOKS])
def test_zh_badges_open_the_zh_notebook(path):
    badges = badge_of(first_source(path))
    slug = stamp.repository_url().removeprefix("https://github.com/")
    colab = re.findall(
        r"\(https://colab\.research\.google\.com/github/([^)]+)\)", badges
    )
    binder = re.findall(r"\(https://mybinder\.org/v2/gh/([^)]+)\)", badges)
    assert colab == [f"{slug}/blob/main/notebooks/zh/{path.name}"]
    assert binder == [f"{slug}/main?urlpath=lab/tree/notebooks/zh/{path.name}"]
    assert "[![在Colab中打开]" in badges and "[![在Binder中启动]" in badges


def test_make_refresh_stamps_both_editions():
    dry_run = subprocess.run(
        ["make", "-n", "refresh"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    line = next(
        line for line in dry_run.stdout.splitlines() if "stamp_notebooks.py" in line
    )
    stamped = set(line.split()[2:])
    assert {str(p.relative_to(ROOT)) for p in ZH_NOTEBOOKS} <= stamped
    assert "notebooks/00_start_here.ipynb" in stamped


def test_badge_line_follows_the_edition():
    english = stamp.badge_line(URL, Path("notebooks/04_regression_losses.ipynb"))
    chinese = stamp.badge_line(URL, Path("notebooks/zh/04_regression_losses.ipynb"))
    assert "notebooks/04_regression_losses.ipynb" in english and "zh/" not in english
    assert chinese.count("notebooks/zh/04_regression_losses.ipynb") == 2
    assert "Open in Colab" in english and "在Colab中打开" in chinese


def test_the_check_reports_a_zh_notebook_with_the_english_badges(tmp_path, capsys):
    # a control: a zh notebook that kept the English notebook's badges (the translator's copy)
    folder = tmp_path / "zh"
    folder.mkdir()
    path = folder / ZH_NOTEBOOKS[0].name
    notebook = nbformat.read(ZH_NOTEBOOKS[0], as_version=4)
    lines = notebook.cells[0].source.split("\n")
    at = lines.index(stamp.BADGE_MARKER)
    english_badges = stamp.badge_line(stamp.repository_url(), NOTEBOOK_DIR / path.name)
    lines[at + 1] = english_badges
    notebook.cells[0].source = "\n".join(lines)
    nbformat.write(notebook, path)
    assert stamp.main([str(path), "--check"]) == 1
    assert f"{path}: badges" in capsys.readouterr().out
    assert stamp.main([str(path)]) == 0
    assert badge_of(first_source(path)) == stamp.badge_line(
        stamp.repository_url(), path
    )
    assert stamp.main([str(path), "--check"]) == 0


# ----------------------------------------------------------------------------- the hash


def test_the_hash_leaves_out_the_badge_line_and_nothing_else():
    title = "# 04 · Regression losses\n\nA promise.\n\n"
    ours = title + f"{stamp.BADGE_MARKER}\n{stamp.badge_line(URL, Path('x/04.ipynb'))}"
    fork = title + f"{stamp.BADGE_MARKER}\n{stamp.badge_line(FORK, Path('x/04.ipynb'))}"
    assert zh_sync.source_hash(ours) == zh_sync.source_hash(fork)
    # a control: the title, the marker and text after the badges still count
    assert zh_sync.source_hash(ours) != zh_sync.source_hash(
        ours.replace("04 ·", "05 ·")
    )
    assert zh_sync.source_hash(ours) != zh_sync.source_hash(
        ours.replace(stamp.BADGE_MARKER, "<!-- badges -->")
    )
    assert zh_sync.source_hash(ours) != zh_sync.source_hash(ours + "\nmore")
    assert zh_sync.BADGE_MARKER == stamp.BADGE_MARKER


def english_and_chinese(folder: Path, title: str = "# 04 · Demo") -> Path:
    """A tiny English notebook in ``folder/notebooks`` (stamped) and its translation's work file."""
    english = folder / "notebooks"
    (english / "zh").mkdir(parents=True)
    path = english / "04_demo.ipynb"
    badges = stamp.badge_line(stamp.repository_url(), path)
    notebook = new_notebook(
        cells=[
            new_markdown_cell(f"{title}\n\n{stamp.BADGE_MARKER}\n{badges}"),
            new_code_cell("# Setup (not part of the lesson)\nx = 6"),
            new_markdown_cell("Six times seven:"),
            new_code_cell("print(x * 7)"),
        ]
    )
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def fake_course(tmp_path, monkeypatch):
    """zh_sync pointed at a course in ``tmp_path``."""
    monkeypatch.setattr(zh_sync, "EN_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(zh_sync, "ZH_DIR", tmp_path / "notebooks" / "zh")
    monkeypatch.setattr(zh_sync, "WORK_DIR", tmp_path / "work")
    monkeypatch.setattr(zh_sync, "ROOT", tmp_path)
    return tmp_path


def translate(name: str) -> None:
    """Export the English work file, translate it as a translator would, build."""
    zh_sync.export(name)
    text = (zh_sync.WORK_DIR / f"{name}.en.txt").read_text(encoding="utf-8")
    text = text.replace("# 04 · Demo", "# 04 · 演示").replace(
        "Six times seven:", "六乘七："
    )
    (zh_sync.WORK_DIR / f"{name}.zh.txt").write_text(text, encoding="utf-8")
    zh_sync.build(name)


def test_build_stamps_the_zh_badges_and_a_badge_change_is_not_stale(
    fake_course, monkeypatch
):
    english = english_and_chinese(fake_course)
    translate("04_demo")
    zh_path = zh_sync.ZH_DIR / "04_demo.ipynb"
    assert badge_of(first_source(zh_path)) == stamp.badge_line(
        stamp.repository_url(), zh_path
    ), "build gives the zh notebook its own badges, not the English ones"
    assert zh_sync.check("04_demo") == []
    # a teacher's fork: every badge line changes, no translation goes stale
    monkeypatch.setattr(stamp, "repository_url", lambda: FORK)
    assert stamp.main([str(english), str(zh_path)]) == 0
    assert FORK.removeprefix("https://github.com/") in first_source(zh_path)
    assert zh_sync.check("04_demo") == []
    # a control: the English title changes, its translation is stale
    notebook = nbformat.read(english, as_version=4)
    notebook.cells[0].source = notebook.cells[0].source.replace("Demo", "Demos")
    nbformat.write(notebook, english)
    assert zh_sync.check("04_demo") == ["04_demo cell 0 (cell-000): stale translation"]


# ----------------------------------------------------------------------------- the translator's diff


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def edit_english(path: Path, index: int, old: str, new: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert old in notebook.cells[index].source
    notebook.cells[index].source = notebook.cells[index].source.replace(old, new)
    nbformat.write(notebook, path)


@pytest.fixture
def course_in_git(fake_course):
    """A course in a temporary git repository: English committed, translated, changed twice."""
    english = english_and_chinese(fake_course)
    git(fake_course, "init", "--quiet")
    git(fake_course, "add", "notebooks/04_demo.ipynb")
    git(fake_course, "commit", "--quiet", "-m", "English v1")
    translate("04_demo")
    edit_english(english, 2, "Six times seven:", "Six times seven, printed:")
    git(fake_course, "commit", "--quiet", "-am", "English v2: cell 2")
    edit_english(english, 3, "x * 7)", "x * 7)  # forty-two")
    git(fake_course, "commit", "--quiet", "-am", "English v3: a code comment")
    edit_english(english, 0, "# 04 · Demo", "# 04 · A demo")  # not committed
    return english


def test_diff_shows_the_english_then_and_now_of_each_stale_cell(course_in_git, capsys):
    assert zh_sync.check("04_demo") == [
        "04_demo cell 0 (cell-000): stale translation",
        "04_demo cell 2 (cell-002): stale translation",
    ]
    v3, v2, v1 = subprocess.run(
        ["git", "log", "--format=%h", "--abbrev=12"],
        cwd=course_in_git.parents[1],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert zh_sync.main(["diff", "04_demo"]) == 0
    shown = capsys.readouterr().out.splitlines()
    # the newest commit whose English is the text translated: v3 for the title, v1 for cell 2
    assert shown == [
        f"--- 04_demo cell 0 (cell-000): English translated, as of commit {v3}",
        "+++ 04_demo cell 0 (cell-000): English now",
        "@@ -1,3 +1,3 @@",
        "-# 04 · Demo",
        "+# 04 · A demo",
        " ",
        " <!-- launch-badges -->",
        f"--- 04_demo cell 2 (cell-002): English translated, as of commit {v1}",
        "+++ 04_demo cell 2 (cell-002): English now",
        "@@ -1 +1 @@",
        "-Six times seven:",
        "+Six times seven, printed:",
    ], "the badge line is left out, the code cell is not shown"


def test_diff_says_when_the_old_english_is_not_in_the_history(course_in_git):
    # a control: a recorded hash no commit has (a translation of uncommitted English)
    zh_path = zh_sync.ZH_DIR / "04_demo.ipynb"
    notebook = nbformat.read(zh_path, as_version=4)
    notebook.cells[2].metadata["translation"]["en_sha256"] = zh_sync.source_hash("x")
    nbformat.write(notebook, zh_path)
    shown = zh_sync.diff("04_demo")
    assert any("is in no commit of notebooks/04_demo.ipynb" in line for line in shown)
    assert "+Six times seven, printed:" in shown


def test_diff_shows_a_new_english_cell_whole_and_nothing_when_in_step(course_in_git):
    english = nbformat.read(course_in_git, as_version=4)
    english.cells.insert(3, new_markdown_cell("A new paragraph.", id="cell-new"))
    nbformat.write(english, course_in_git)
    shown = zh_sync.diff("04_demo")
    at = shown.index("--- 04_demo cell 3 (cell-new): no translation yet")
    assert shown[at + 1 : at + 4] == [
        "+++ 04_demo cell 3 (cell-new): English now",
        "@@ -0,0 +1 @@",
        "+A new paragraph.",
    ]
    # the translator follows: export, translate the changed cells, build
    del english.cells[3]
    nbformat.write(english, course_in_git)
    zh_sync.export("04_demo")
    work = zh_sync.WORK_DIR / "04_demo.zh.txt"
    work.write_text(
        work.read_text(encoding="utf-8")
        .replace("# 04 · 演示", "# 04 · 一个演示")
        .replace("六乘七：", "六乘七，打印出来："),
        encoding="utf-8",
    )
    zh_sync.build("04_demo")
    assert zh_sync.diff("04_demo") == [] and zh_sync.check("04_demo") == []


def test_diff_without_git_history_still_shows_the_english_now(fake_course):
    english_and_chinese(fake_course)  # no repository at all
    translate("04_demo")
    edit_english(fake_course / "notebooks" / "04_demo.ipynb", 2, "Six", "Seven")
    shown = zh_sync.diff("04_demo")
    assert "+Seven times seven:" in shown
    assert any("is in no commit" in line for line in shown)


def test_make_zh_diff_runs_the_diff():
    dry_run = subprocess.run(
        ["make", "-n", "zh-diff", "NAMES=04_regression_losses"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "scripts/zh_sync.py diff 04_regression_losses" in dry_run.stdout
