"""Keep the Chinese edition (notebooks/zh/) in step with the English notebooks.

A zh notebook has the English notebook's cells, one for one: same order, type, id and metadata. Its
markdown is translated; its code equals the English code except comments and string literals. Each
translated markdown cell records the SHA-256 of the English source it translates
(``metadata.translation.en_sha256``; the launch-badge line is left out of the hash, since each
edition's badges are stamped with its own path), so a changed English cell makes its translation
stale.

    python scripts/zh_sync.py export NAME   # build/zh_work/NAME.en.txt (and NAME.zh.txt if a zh notebook exists)
    python scripts/zh_sync.py build NAME    # build/zh_work/NAME.zh.txt -> notebooks/zh/NAME.ipynb
    python scripts/zh_sync.py check [NAME ...]  # cells that are stale or whose code differs; status 1 if any
    python scripts/zh_sync.py diff [NAME ...]   # each stale cell: its English then (from git) and now

NAME is a notebook's file name without ``.ipynb`` (``04_regression_losses``). In the work files every
cell starts with a marker line ``%%%% cell <index> <type> <id>`` followed by its source; a translator
edits the sources of NAME.zh.txt and leaves the markers alone.

``diff`` (``make zh-diff``) shows a translator what to follow: for every stale markdown cell, a
unified diff from the English text the translation was made from to the English text now. The
old text is found in the English notebook's git history (``git log -- notebooks/NAME.ipynb``,
newest first) as the markdown cell whose hash is the recorded ``en_sha256``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EN_DIR = ROOT / "notebooks"
ZH_DIR = EN_DIR / "zh"
WORK_DIR = ROOT / "build" / "zh_work"
MARKER = re.compile(r"^%%%% cell (\d+) (markdown|code|raw) (\S+)$", re.MULTILINE)


BADGE_MARKER = "<!-- launch-badges -->"


def without_badges(source: str) -> str:
    """``source`` without its launch-badge line (the line after ``<!-- launch-badges -->``).

    ``scripts/stamp_notebooks.py`` writes that line, with each edition's own path: it is not
    translated, so a change of it alone never makes a translation stale.
    """
    lines = source.split("\n")
    if BADGE_MARKER not in lines:
        return source
    at = lines.index(BADGE_MARKER)
    return "\n".join(lines[: at + 1] + lines[at + 2 :])


def source_hash(source: str) -> str:
    """The SHA-256 of an English cell's source (its badge line left out), as recorded in its
    translation's metadata."""
    return hashlib.sha256(without_badges(source).encode("utf-8")).hexdigest()


def _python_of(source: str) -> str:
    """Cell source as plain Python (IPython magics turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _WithoutText(ast.NodeTransformer):
    """Blank every string literal and drop ``setup_notebook``'s ``lang``: what a translation may change."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value=""), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if (
            getattr(node.func, "id", getattr(node.func, "attr", None))
            == "setup_notebook"
        ):
            node.keywords = [k for k in node.keywords if k.arg != "lang"]
        self.generic_visit(node)
        return node


def with_chinese_setup(source: str) -> str:
    """The setup cell's ``setup_notebook(...)`` call asking for the Chinese edition's helpers."""
    at = source.find("setup_notebook(")
    if at < 0 or 'lang="zh"' in source:
        return source
    depth, close = 0, at + len("setup_notebook")
    for close in range(close, len(source)):
        depth += {"(": 1, ")": -1}.get(source[close], 0)
        if depth == 0:
            break
    before = source[:close].rstrip()
    separator = "" if before.endswith(("(", ",")) else ", "
    return before + separator + 'lang="zh"' + source[close:]


def code_shape(source: str) -> str:
    """The code with comments and string literals removed (what must equal the English code)."""
    tree = _WithoutText().visit(ast.parse(_python_of(source)))
    return ast.dump(tree, include_attributes=False)


def write_work_file(notebook: nbformat.NotebookNode, path: Path) -> None:
    """One marker line per cell, then its source."""
    parts = []
    for index, cell in enumerate(notebook.cells):
        parts.append(
            f"%%%% cell {index} {cell.cell_type} {cell.get('id', '-')}\n{cell.source}\n"
        )
    path.write_text("".join(parts), encoding="utf-8")


def read_work_file(path: Path) -> list[tuple[int, str, str, str]]:
    """(index, type, id, source) of every cell in a work file."""
    text = path.read_text(encoding="utf-8")
    matches = list(MARKER.finditer(text))
    cells = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        source = text[match.end() + 1 : end]
        if source.endswith("\n"):
            source = source[:-1]
        cells.append((int(match.group(1)), match.group(2), match.group(3), source))
    return cells


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _stamp_badges(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Give ``notebook`` (to be written at ``path``) its edition's launch badges."""
    spec = importlib.util.spec_from_file_location(
        "stamp_notebooks", Path(__file__).with_name("stamp_notebooks.py")
    )
    assert spec and spec.loader
    stamp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stamp)
    stamp.stamped(notebook, path, stamp.repository_url())


def export(name: str) -> list[Path]:
    """Write the English (and, if present, the Chinese) work file of notebook NAME."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    english = _load(EN_DIR / f"{name}.ipynb")
    write_work_file(english, WORK_DIR / f"{name}.en.txt")
    written.append(WORK_DIR / f"{name}.en.txt")
    zh_path = ZH_DIR / f"{name}.ipynb"
    if zh_path.exists():
        write_work_file(_load(zh_path), WORK_DIR / f"{name}.zh.txt")
        written.append(WORK_DIR / f"{name}.zh.txt")
    return written


def build(name: str) -> Path:
    """Assemble notebooks/zh/NAME.ipynb from the English notebook and build/zh_work/NAME.zh.txt.

    Cells, ids and metadata come from the English notebook; sources from the work file, with the
    setup cell's ``setup_notebook`` asked for ``lang="zh"`` and the launch badges pointing at
    the zh notebook (``scripts/stamp_notebooks.py``). Outputs are
    kept from the existing zh notebook where its code is unchanged, else copied from the English
    notebook until the zh notebook is re-run (scripts/refresh_notebooks.py).
    """
    english = _load(EN_DIR / f"{name}.ipynb")
    translated = read_work_file(WORK_DIR / f"{name}.zh.txt")
    if len(translated) != len(english.cells):
        raise SystemExit(
            f"{name}: the work file has {len(translated)} cells, the English notebook "
            f"{len(english.cells)}; keep one marker per English cell."
        )
    zh_path = ZH_DIR / f"{name}.ipynb"
    previous = _load(zh_path) if zh_path.exists() else None
    previous_by_id = {c.get("id"): c for c in previous.cells} if previous else {}
    notebook = copy.deepcopy(english)
    problems = []
    for cell, (index, kind, cell_id, source) in zip(notebook.cells, translated):
        if kind != cell.cell_type or cell_id != cell.get("id", "-"):
            problems.append(
                f"cell {index}: marker says {kind} {cell_id}, English has "
                f"{cell.cell_type} {cell.get('id')}"
            )
            continue
        english_source = cell.source
        cell.source = source
        if kind == "markdown":
            cell.metadata["translation"] = {"en_sha256": source_hash(english_source)}
        elif kind == "code":
            if "setup_notebook(" in source:
                source = cell.source = with_chinese_setup(source)
            try:
                same = code_shape(source) == code_shape(english_source)
            except SyntaxError as error:
                problems.append(f"cell {index}: {error}")
                continue
            if not same:
                problems.append(
                    f"cell {index}: the code differs from the English beyond "
                    "comments and string literals"
                )
            old = previous_by_id.get(cell.get("id"))
            if old is not None and old.cell_type == "code" and old.source == source:
                cell.outputs = old.outputs
                cell.execution_count = old.execution_count
    if problems:
        raise SystemExit(f"{name}:\n  " + "\n  ".join(problems))
    ZH_DIR.mkdir(parents=True, exist_ok=True)
    _stamp_badges(notebook, zh_path)
    nbformat.write(notebook, zh_path)
    return zh_path


def check(name: str) -> list[str]:
    """Why notebooks/zh/NAME.ipynb is not in step with the English notebook (empty when it is)."""
    english = _load(EN_DIR / f"{name}.ipynb")
    zh_path = ZH_DIR / f"{name}.ipynb"
    if not zh_path.exists():
        return [f"{name}: no Chinese notebook"]
    chinese = _load(zh_path)
    if [c.cell_type for c in chinese.cells] != [c.cell_type for c in english.cells] or [
        c.get("id") for c in chinese.cells
    ] != [c.get("id") for c in english.cells]:
        return [
            f"{name}: cells differ in number, order, type or id from the English notebook"
        ]
    problems = []
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells)):
        if en.cell_type == "markdown":
            recorded = zh.metadata.get("translation", {}).get("en_sha256")
            if recorded != source_hash(en.source):
                problems.append(
                    f"{name} cell {index} ({en.get('id')}): stale translation"
                )
        elif en.cell_type == "code" and code_shape(en.source) != code_shape(zh.source):
            problems.append(
                f"{name} cell {index} ({en.get('id')}): code differs from the English"
            )
    return problems


def _git(*args: str) -> str:
    """The output of ``git ARGS`` run in the English notebooks' folder."""
    return subprocess.run(
        ["git", *args], cwd=EN_DIR, capture_output=True, text=True, check=True
    ).stdout


def _markdown_cells(text: str) -> list[tuple[str | None, str]]:
    """(id, source) of each markdown cell of a notebook's JSON text."""
    cells = json.loads(text).get("cells", [])
    return [
        (
            cell.get("id"),
            "".join(source)
            if isinstance(source := cell.get("source", ""), list)
            else source,
        )
        for cell in cells
        if cell.get("cell_type") == "markdown"
    ]


def english_history(name: str) -> Iterator[tuple[str, list[tuple[str | None, str]]]]:
    """(commit, markdown cells) of every committed version of ``notebooks/NAME.ipynb``,
    newest first. Nothing if git or the history is not there."""
    try:
        commits = _git("log", "--format=%H", "--", f"{name}.ipynb").split()
    except (OSError, subprocess.CalledProcessError):
        return
    for commit in commits:
        try:
            text = _git("show", f"{commit}:./{name}.ipynb")
        except subprocess.CalledProcessError:
            continue  # the commit deleted the file
        yield commit, _markdown_cells(text)


def translated_english(
    name: str, wanted: dict[str | None, str]
) -> dict[str | None, tuple[str, str]]:
    """For each cell id of ``wanted`` (id -> recorded en_sha256): the newest commit and English
    source whose hash is the recorded one, the same cell's version first, else any cell's.

    A hash recorded before the badge line was left out (the plain SHA-256) is found too.
    """
    found: dict[str | None, tuple[str, str]] = {}
    by_hash: dict[str, tuple[str, str]] = {}
    for commit, cells in english_history(name):
        for cell_id, source in cells:
            for digest in {
                source_hash(source),
                hashlib.sha256(source.encode()).hexdigest(),
            }:
                by_hash.setdefault(digest, (commit, source))
                if wanted.get(cell_id) == digest and cell_id not in found:
                    found[cell_id] = (commit, source)
        if len(found) == len(wanted):
            break
    for cell_id, digest in wanted.items():
        if cell_id not in found and digest in by_hash:
            found[cell_id] = by_hash[digest]
    return found


def diff(name: str) -> list[str]:
    """The lines that show what the zh notebook NAME must follow: for every stale markdown
    cell (or English cell with no translation yet), a unified diff from the English it was
    translated from to the English now. Empty when every markdown cell is in step."""
    english = _load(EN_DIR / f"{name}.ipynb")
    zh_path = ZH_DIR / f"{name}.ipynb"
    if not zh_path.exists():
        return [f"{name}: no Chinese notebook (export it and translate every cell)"]
    zh_by_id = {c.get("id"): c for c in _load(zh_path).cells}
    stale = []
    for index, cell in enumerate(english.cells):
        if cell.cell_type != "markdown":
            continue
        zh = zh_by_id.get(cell.get("id"))
        recorded = None
        if zh is not None and zh.cell_type == "markdown":
            recorded = zh.metadata.get("translation", {}).get("en_sha256")
        if recorded != source_hash(cell.source):
            stale.append((index, cell, recorded))
    origins = translated_english(
        name, {c.get("id"): r for _, c, r in stale if r is not None}
    )
    lines = []
    for index, cell, recorded in stale:
        label = f"{name} cell {index} ({cell.get('id')})"
        old, then = "", "no translation yet"
        if recorded is not None and cell.get("id") in origins:
            commit, old = origins[cell.get("id")]
            then = f"English translated, as of commit {commit[:12]}"
        elif recorded is not None:
            then = (
                f"English translated (en_sha256 {recorded[:12]}… is in no commit of "
                f"notebooks/{name}.ipynb: compare the translation with the English now)"
            )
        shown = list(
            difflib.unified_diff(
                without_badges(old).splitlines(),
                without_badges(cell.source).splitlines(),
                f"{label}: {then}",
                f"{label}: English now",
                lineterm="",
            )
        )
        lines += shown or [f"{label}: only its badge line changed (rebuild it)"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("export", "build", "check", "diff"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem for p in ZH_DIR.glob("*.ipynb"))
    if args.command == "export":
        for name in names:
            for path in export(name):
                print(path.relative_to(ROOT))
        return 0
    if args.command == "build":
        for name in names:
            print(build(name).relative_to(ROOT))
        return 0
    if args.command == "diff":
        shown = [line for name in names for line in diff(name)]
        print("\n".join(shown) if shown else f"{len(names)} notebooks in step")
        return 0
    problems = [p for name in names for p in check(name)]
    print("\n".join(problems) if problems else f"{len(names)} notebooks in step")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
