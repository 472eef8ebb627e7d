"""``make student`` and ``make hub-links`` on bad input: what they skip, refuse and say.

Student copies: an unreadable source, an unwritable copy or a corrupt manifest is named,
the rest is still written (manifest included), a learner's edit is never overwritten, and
the exit status is 1 after a summary. Hub links: a hub page copied from the browser is cut
back to the hub's base, the clone folder is always given (``targetpath``), and bad input
is refused with a message and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_rules import NOTEBOOK_DIR, ROOT, load_script

student = load_script("student_copies")
hub = load_script("hub_links")


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    """The script as ``make`` runs it: a process (exit status, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / f"{script}.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def call(module, capsys, *args: str) -> subprocess.CompletedProcess:
    """The script's ``main`` in this process (faster; ``sys.exit(main())`` is all else)."""
    status = module.main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, out, err)


# Student copies -------------------------------------------------------------------------------


def lesson(path: Path, hint: str = "first hint") -> Path:
    """A notebook with an exercise and a solutions section, written to ``path``."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 99 · Demo"),
            new_markdown_cell("## Exercises"),
            new_code_cell(f"answer = ...  # {hint}"),
            new_markdown_cell("## Solutions"),
            new_code_cell("answer = 0.88"),
        ]
    )
    nbformat.write(notebook, path)
    return path


def manifest(out: Path) -> dict[str, str]:
    return json.loads((out / student.MANIFEST).read_text())


def test_a_read_only_unedited_copy_is_skipped_and_the_rest_is_written(
    tmp_path, monkeypatch, capsys
) -> None:
    sources = [lesson(tmp_path / f"0{k}_demo.ipynb") for k in (1, 2)]
    out = tmp_path / "student"
    assert student.main([*map(str, sources), "--output-dir", str(out)]) == 0
    first, second = (out / s.name for s in sources)
    old_first, old_digests = first.read_text(), manifest(out)
    for source in sources:  # upstream changes both; nobody edited the copies
        lesson(source, hint="a changed hint")
    first.chmod(0o444)
    if os.geteuid() == 0:  # root writes through chmod: refuse as the file system would
        real_open = Path.open

        def read_only_open(self, mode="r", *args, **kwargs):
            if self == first and any(c in mode for c in "wax+"):
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, mode, *args, **kwargs)

        monkeypatch.setattr(Path, "open", read_only_open)
    status = student.main([*map(str, sources), "--output-dir", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert f"skipped {first}: cannot write it (PermissionError" in captured.err
    assert "1 skipped" in captured.out
    assert first.read_text() == old_first
    assert "a changed hint" in second.read_text(), "the next copy is still written"
    digests = manifest(out)
    assert digests[first.name] == old_digests[first.name], "still known as unedited"
    assert digests[second.name] != old_digests[second.name], "manifest updated"
    monkeypatch.undo()
    first.chmod(0o644)  # made writable again: the unedited copy is refreshed
    assert student.main([*map(str, sources), "--output-dir", str(out)]) == 0
    assert "a changed hint" in first.read_text()


def test_a_directory_in_place_of_a_copy_is_skipped_and_named(tmp_path) -> None:
    sources = [lesson(tmp_path / f"0{k}_demo.ipynb") for k in (1, 2)]
    out = tmp_path / "student"
    (out / sources[0].name).mkdir(parents=True)
    result = run("student_copies", *map(str, sources), "--output-dir", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"skipped {out / sources[0].name}: is not a file" in result.stderr
    assert (out / sources[1].name).is_file()
    assert list(manifest(out)) == [sources[1].name]


def test_a_malformed_source_is_named_and_the_others_still_copied(tmp_path) -> None:
    broken = tmp_path / "01_broken.ipynb"
    broken.write_text('{"cells": [')
    good = lesson(tmp_path / "02_good.ipynb")
    out = tmp_path / "student"
    result = run("student_copies", str(broken), str(good), "--output-dir", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"skipped {broken}: cannot read it as a notebook (NotJSONError" in (
        result.stderr
    )
    assert "1 written, 0 unchanged, 0 edited copies kept, 1 skipped" in result.stdout
    assert not (out / broken.name).exists()
    assert list(manifest(out)) == [good.name]


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]"])
def test_a_corrupt_manifest_keeps_every_existing_copy_and_is_rebuilt(
    tmp_path, content, capsys
) -> None:
    edited, unedited, same, new = (
        lesson(tmp_path / f"0{k}_demo.ipynb") for k in (1, 2, 3, 4)
    )
    out = tmp_path / "student"
    assert (
        student.main([str(edited), str(unedited), str(same), "--output-dir", str(out)])
        == 0
    )
    learner = (out / edited.name).read_text().replace("answer = ...", "answer = 0.5")
    (out / edited.name).write_text(learner)
    lesson(edited, "a changed hint")
    lesson(unedited, "a changed hint")
    old_unedited = (out / unedited.name).read_text()
    (out / student.MANIFEST).write_text(content)
    sources = [str(p) for p in (edited, unedited, same, new)]
    result = call(student, capsys, *sources, "--output-dir", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{out / student.MANIFEST} is unreadable" in result.stderr
    assert "possibly edited" in result.stderr
    assert (out / edited.name).read_text() == learner, "a learner's edit is kept"
    assert (out / unedited.name).read_text() == old_unedited, "cannot tell: kept"
    assert (out / new.name).is_file()
    assert sorted(manifest(out)) == [same.name, new.name], "rebuilt, valid JSON"
    # With the manifest rebuilt, the next run reports the same two kept copies.
    again = call(student, capsys, *sources, "--output-dir", str(out))
    assert again.returncode == 0, again.stderr
    assert "2 edited copies kept" in again.stdout


def test_a_corrupt_manifest_alone_is_only_a_note_when_nothing_is_kept(
    tmp_path, capsys
) -> None:
    source = lesson(tmp_path / "01_demo.ipynb")
    out = tmp_path / "student"
    assert student.main([str(source), "--output-dir", str(out)]) == 0
    (out / student.MANIFEST).write_text("")
    result = call(student, capsys, str(source), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    assert "is unreadable" in result.stderr
    assert manifest(out) == {
        source.name: student._digest((out / source.name).read_bytes())
    }


# Hub links ------------------------------------------------------------------------------------

NOTEBOOK = str(NOTEBOOK_DIR / "00_start_here.ipynb")


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://hub.example.edu", "https://hub.example.edu/"),
        ("https://hub.example.edu/", "https://hub.example.edu/"),
        ("https://hub.example.edu/hub", "https://hub.example.edu/"),
        ("https://hub.example.edu/hub/login", "https://hub.example.edu/"),
        (
            "https://hub.example.edu/hub/login?next=%2Fhub%2F",
            "https://hub.example.edu/",
        ),
        ("https://hub.example.edu/hub/home", "https://hub.example.edu/"),
        ("https://hub.example.edu/hub/spawn", "https://hub.example.edu/"),
        ("https://hub.example.edu/user/ada/lab", "https://hub.example.edu/"),
        (
            "https://hub.example.edu/user/ada/lab/tree/x.ipynb",
            "https://hub.example.edu/",
        ),
        ("https://hub.example.edu/lab", "https://hub.example.edu/"),
        ("https://x.edu/jupyter/", "https://x.edu/jupyter/"),
        ("https://x.edu/jupyter/hub/login", "https://x.edu/jupyter/"),
        ("https://x.edu/jupyter/user/ada/lab/tree/a", "https://x.edu/jupyter/"),
        ("https://x.edu/hub/hub/home", "https://x.edu/hub/"),  # base path /hub/
        ("HTTP://localhost:8000/hub/login", "http://localhost:8000/"),
    ],
)
def test_a_hub_page_is_cut_back_to_the_hubs_base(given, base) -> None:
    assert hub.normalise_hub(given)[0] == base
    link = hub.hub_link(given, "https://github.com/t/c", "01_x.ipynb")
    assert link.startswith(f"{base}hub/user-redirect/git-pull?")


def test_a_login_url_gives_working_links_and_a_note(capsys) -> None:
    result = run("hub_links", "--hub", "https://hub.example.edu/hub/login", NOTEBOOK)
    assert result.returncode == 0, result.stderr
    assert "/hub/login/hub" not in result.stdout
    assert "<https://hub.example.edu/hub/user-redirect/git-pull?" in result.stdout
    assert "note: HUB https://hub.example.edu/hub/login is a page of the hub" in (
        result.stderr
    )
    assert "using https://hub.example.edu/" in result.stderr
    plain = call(hub, capsys, "--hub", "https://hub.example.edu", NOTEBOOK)
    assert plain.returncode == 0 and plain.stderr == "", "no note for a base URL"


@pytest.mark.parametrize(
    "repo",
    [
        "https://github.com/you/fork.git",
        "https://github.com/you/fork/",
        "https://github.com/you/fork",
    ],
)
def test_every_link_names_the_clone_folder(repo) -> None:
    link = hub.hub_link("https://hub.example.edu", repo, "01_x.ipynb")
    fields = dict(urllib.parse.parse_qsl(link.split("?", 1)[1]))
    assert fields == {
        "repo": repo.rstrip("/"),
        "targetpath": "fork",
        "urlpath": "lab/tree/fork/notebooks/01_x.ipynb",
        "branch": "main",
    }


def test_a_local_git_repository_is_linked_as_a_file_url(tmp_path) -> None:
    content = tmp_path / "content.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(content)], check=True)
    for repo in (str(content), content.as_uri()):
        link = hub.hub_link("https://hub.example.edu", repo, "01_x.ipynb")
        fields = dict(urllib.parse.parse_qsl(link.split("?", 1)[1]))
        assert fields["repo"] == content.as_uri()
        assert fields["targetpath"] == "content"
        assert fields["urlpath"] == "lab/tree/content/notebooks/01_x.ipynb"


def refusals(tmp_path: Path) -> list[tuple[list[str], str]]:
    plain_dir = tmp_path / "not-a-repo"
    plain_dir.mkdir()
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{")
    ok = ["--hub", "https://hub.example.edu"]
    return [
        (
            ["--hub", "hub.example.edu", NOTEBOOK],
            "HUB must start with https:// (or http://), got 'hub.example.edu'",
        ),
        (["--hub", "ftp://hub.example.edu", NOTEBOOK], "HUB must be a web address"),
        (["--hub", "https://", NOTEBOOK], "HUB has no host name"),
        (
            [*ok, "--repo", "git@github.com:you/fork", NOTEBOOK],
            "neither an https:// git URL",
        ),
        (
            [*ok, "--repo", "github.com/you/fork", NOTEBOOK],
            "neither an https:// git URL",
        ),
        ([*ok, "--repo", "https://github.com/you", NOTEBOOK], "owner and name"),
        (
            [*ok, "--repo", "ssh://git@github.com/you/fork", NOTEBOOK],
            "https:// git URL",
        ),
        ([*ok, "--repo", (tmp_path / "gone").as_uri(), NOTEBOOK], "no such path"),
        ([*ok, "--repo", str(plain_dir), NOTEBOOK], "is not a git repository"),
        (ok, "no notebooks given"),
        ([*ok, str(broken)], f"notebook {broken}: cannot read it (NotJSONError"),
    ]


def test_bad_input_is_refused_with_a_message_and_status_2(tmp_path, capsys) -> None:
    output = tmp_path / "hub_links.md"
    output.write_text("links of the last good run\n")
    cases = refusals(tmp_path)
    args, message = cases[0]
    result = run("hub_links", *args, "--output", str(output))  # as make runs it
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"hub_links: {message}\n", "one line, no traceback"
    for args, message in cases:
        result = call(hub, capsys, *args, "--output", str(output))
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr, args
        assert result.stdout == "", args
        assert output.read_text() == "links of the last good run\n", "not overwritten"


def test_the_output_file_holds_the_printed_table(tmp_path, capsys) -> None:
    output = tmp_path / "build" / "hub_links.md"
    result = call(
        hub,
        capsys,
        "--hub",
        "https://hub.example.edu",
        "--output",
        str(output),
        NOTEBOOK,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text() == result.stdout
    assert "targetpath=" in result.stdout


# The Chinese edition (issue 22): student copies ------------------------------------------------

ZH_NOTEBOOKS = sorted((NOTEBOOK_DIR / "zh").glob("*.ipynb"))


def zh_lesson(path: Path, hint: str = "第一条提示") -> Path:
    """A zh notebook with an exercise and a ``## 参考答案`` section, written to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 99 · 演示"),
            new_markdown_cell("## 练习"),
            new_code_cell(f"answer = ...  # {hint}"),
            new_markdown_cell("## 参考答案"),
            new_code_cell("answer = 0.88"),
            new_markdown_cell("## 延伸阅读"),
        ]
    )
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=[p.stem for p in ZH_NOTEBOOKS])
def test_zh_student_copies_of_real_notebooks_have_no_solutions(path) -> None:
    notebook = nbformat.read(path, as_version=4)
    headings = [
        i for i, c in enumerate(notebook.cells) if student.is_solutions_heading(c)
    ]
    assert len(headings) == 1, "each zh notebook has one '## 参考答案' section"
    copy = student.student_copy(notebook)
    assert not any(c.source.startswith("## 参考答案") for c in copy.cells)
    assert not any(
        c.metadata.get("jupyter", {}).get("source_hidden") and "check(" in c.source
        for c in copy.cells
    ), "no folded solution cell is left"
    assert copy.cells[: headings[0]] == notebook.cells[: headings[0]]


def test_both_editions_are_copied_to_their_folders_and_edits_are_kept(
    tmp_path, capsys
) -> None:
    chinese = zh_lesson(tmp_path / "notebooks" / "zh" / "01_demo.ipynb")
    english = lesson(tmp_path / "notebooks" / "01_demo.ipynb")
    out = tmp_path / "student"
    result = call(student, capsys, str(english), str(chinese), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 written" in result.stdout
    copy = nbformat.read(out / "zh" / "01_demo.ipynb", as_version=4)
    assert [c.source for c in copy.cells] == [
        "# 99 · 演示",
        "## 练习",
        "answer = ...  # 第一条提示",
        "## 延伸阅读",
    ], "the solutions go, the section after them stays"
    assert "# 99 · Demo" in (out / "01_demo.ipynb").read_text(), "not overwritten"
    assert sorted(manifest(out)) == ["01_demo.ipynb", "zh/01_demo.ipynb"]
    # a learner answers in the zh copy; upstream changes both editions
    learner = (out / "zh" / "01_demo.ipynb").read_text().replace("...", "0.5")
    (out / "zh" / "01_demo.ipynb").write_text(learner)
    lesson(english, hint="a changed hint")
    zh_lesson(chinese, hint="改过的提示")
    again = call(student, capsys, str(english), str(chinese), "--output-dir", str(out))
    assert again.returncode == 0, again.stderr
    assert f"kept {out / 'zh' / '01_demo.ipynb'}: it was edited" in again.stdout
    assert (out / "zh" / "01_demo.ipynb").read_text() == learner
    assert "a changed hint" in (out / "01_demo.ipynb").read_text()


def test_a_file_in_place_of_the_zh_folder_is_skipped_and_named(tmp_path) -> None:
    chinese = zh_lesson(tmp_path / "notebooks" / "zh" / "01_demo.ipynb")
    english = lesson(tmp_path / "notebooks" / "01_demo.ipynb")
    out = tmp_path / "student"
    out.mkdir()
    (out / "zh").write_text("not a folder")
    result = run("student_copies", str(english), str(chinese), "--output-dir", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"skipped {out / 'zh' / '01_demo.ipynb'}: cannot create its folder" in (
        result.stderr
    )
    assert (out / "01_demo.ipynb").is_file()
    assert list(manifest(out)) == ["01_demo.ipynb"]


def test_make_student_copies_both_editions() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "student"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    line = next(
        line for line in dry_run.stdout.splitlines() if "student_copies.py" in line
    )
    given = set(line.split())
    assert {str(p.relative_to(ROOT)) for p in ZH_NOTEBOOKS} <= given
    assert "notebooks/00_start_here.ipynb" in given
    assert "build/student/notebooks" in given


# The Chinese edition (issue 22): hub links -----------------------------------------------------


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=[p.stem for p in ZH_NOTEBOOKS])
def test_zh_notes_plan_the_same_minutes_as_the_english(path) -> None:
    minutes = hub.teaching_minutes(path)
    assert minutes > 0, "the zh speaker notes say 用时：N 分钟"
    assert minutes == hub.teaching_minutes(NOTEBOOK_DIR / path.name)


def zh_notes_notebook(path: Path, *notes: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [new_markdown_cell("# 99 · 演示")]
    for text in notes:
        cells.append(new_markdown_cell(text))
        cells[-1].metadata["slideshow"] = {"slide_type": "notes"}
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_zh_minutes_are_read_from_the_zh_marker_only(tmp_path) -> None:
    zh = zh_notes_notebook(
        tmp_path / "zh" / "01_demo.ipynb",
        "**讲者备注**\n\n讲：……\n用时：6 分钟",
        "**讲者备注**\n\n讲：……\n用时：4 分钟",
    )
    assert hub.teaching_minutes(zh) == 10
    # a control: the English form in a zh notebook and the zh form in an English one count nothing
    assert (
        hub.teaching_minutes(
            zh_notes_notebook(tmp_path / "zh" / "02_demo.ipynb", "Time: 6 min")
        )
        == 0
    )
    assert (
        hub.teaching_minutes(
            zh_notes_notebook(tmp_path / "en" / "01_demo.ipynb", "用时：6 分钟")
        )
        == 0
    )


def test_zh_notebooks_get_their_own_table_and_links_into_notebooks_zh(
    tmp_path, capsys
) -> None:
    chinese = NOTEBOOK_DIR / "zh" / "00_start_here.ipynb"
    no_notes = zh_notes_notebook(tmp_path / "zh" / "01_demo.ipynb")
    args = ["--hub", "https://hub.example.edu", "--repo", "https://github.com/t/c"]
    result = call(hub, capsys, *args, NOTEBOOK, str(chinese), str(no_notes))
    assert result.returncode == 0, result.stderr
    english_table, chinese_table = result.stdout.split("\n\n")
    assert english_table.startswith("| notebook | teaching time (speaker notes) |")
    assert "| 00_start_here | " in english_table and "zh" not in english_table
    lines = chinese_table.splitlines()
    assert lines[0] == "| 笔记本 | 授课用时（讲者备注） | 链接 |"
    minutes = hub.teaching_minutes(chinese)
    assert lines[2].startswith(f"| zh/00_start_here | {minutes} 分钟 | <https://")
    assert lines[3].startswith("| zh/01_demo | 暂无讲者备注 | <https://")
    link = lines[2].rsplit("<", 1)[1].rstrip(">| ")
    fields = dict(urllib.parse.parse_qsl(link.split("?", 1)[1]))
    assert fields["urlpath"] == "lab/tree/c/notebooks/zh/00_start_here.ipynb"
    assert fields["targetpath"] == "c"
    only_zh = call(hub, capsys, *args, "--folder", "", str(chinese))
    assert only_zh.stdout.startswith("| 笔记本 |"), "no empty English table"
    assert "urlpath=lab%2Ftree%2Fc%2Fzh%2F00_start_here.ipynb" in only_zh.stdout


def test_make_hub_links_covers_both_editions() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "hub-links", "HUB=https://hub.example.edu"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in dry_run.stdout.splitlines() if "hub_links.py" in line)
    given = set(line.split())
    assert {str(p.relative_to(ROOT)) for p in ZH_NOTEBOOKS} <= given
    assert "notebooks/00_start_here.ipynb" in given
