"""Write student copies of the notebooks, without solutions (``make student``).

The repository keeps the full notebooks (solutions folded in the last section).
A student copy drops the ``## Solutions`` section (``## 参考答案`` in the Chinese
edition): its heading, its notes and its solution cells; everything else, outputs
included, stays as committed. Copies go to ``build/student/notebooks/`` by default,
for a classroom hub (see docs/instructors.md); a notebook of the Chinese edition
(in a folder ``zh``, as ``notebooks/zh/``) goes to the ``zh/`` folder beside them,
under the same file name.

A copy is only ever replaced if it is still exactly what this script wrote last
time (its SHA-256 is recorded in ``.generated.json`` next to the copies): a copy a
learner has edited is left alone and reported, never overwritten. If that manifest
is unreadable, every existing copy that differs from a fresh one counts as possibly
edited and is kept; the manifest is rebuilt for the copies written.

A source that is not a readable notebook, or a copy that cannot be written (read-only,
a directory in its place), is skipped with its reason; the other copies and the
manifest are still written, and the script exits with status 1 after a summary of
what it skipped.

    python scripts/student_copies.py notebooks/*.ipynb notebooks/zh/*.ipynb \
        --output-dir build/student/notebooks
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

MANIFEST = ".generated.json"
#: The solutions heading of each edition (CONTRIBUTING.md; tests/test_notebooks.py MARKERS).
SOLUTIONS_HEADING = re.compile(r"##\s+(?:Solutions\b|参考答案)")
#: The folder of the Chinese edition, beside the English notebooks (and their copies).
ZH_FOLDER = "zh"


def is_solutions_heading(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and bool(SOLUTIONS_HEADING.match(cell.source))


def copy_name(path: Path) -> str:
    """Where the copy of ``path`` goes, relative to the output folder (and its manifest key):
    ``NAME.ipynb``, or ``zh/NAME.ipynb`` for the Chinese edition."""
    if path.parent.name == ZH_FOLDER:
        return f"{ZH_FOLDER}/{path.name}"
    return path.name


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its ``## Solutions`` (or ``## 参考答案``) section, which runs to the
    next ``## ``."""
    notebook = copy.deepcopy(notebook)
    kept, in_solutions = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.match(r"##\s", cell.source):
            in_solutions = is_solutions_heading(cell)
        if not in_solutions:
            kept.append(cell)
    notebook.cells = kept
    return notebook


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(error: BaseException) -> str:
    """A one-line reason: the error's type and message, cut to a readable length."""
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = " ".join(str(error).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def read_manifest(path: Path) -> tuple[dict[str, str], str | None]:
    """The recorded digests, and why the manifest could not be used (None if it could)."""
    if not path.exists():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, _reason(error)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        return {}, "not a JSON object of file name -> SHA-256"
    return data, None


def write_copies(paths: list[Path], output_dir: Path) -> dict[str, list[Any]]:
    """Write the copies and the manifest, skipping what cannot be read or written.

    Returns lists of targets ``written``, ``unchanged`` and ``kept`` (edited, or possibly
    edited when the manifest was unreadable), ``skipped`` as ``(file, reason)`` pairs,
    and ``notes`` (messages about the manifest). Raises OSError only if ``output_dir``
    cannot be created.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = output_dir / MANIFEST
    manifest, manifest_problem = read_manifest(manifest_path)
    report: dict[str, list[Any]] = {
        "written": [],
        "unchanged": [],
        "kept": [],
        "skipped": [],
        "notes": [],
    }

    def skip(file: Path, reason: str) -> None:
        report["skipped"].append((file, reason))

    for path in paths:
        name = copy_name(path)
        target = output_dir / name
        try:
            data = nbformat.writes(
                student_copy(nbformat.read(path, as_version=4))
            ).encode("utf-8")
        except Exception as error:  # whatever fails, this source cannot be copied
            reason = (
                f"cannot read it as a notebook ({_reason(error)}); fix or remove it"
            )
            skip(path, reason)
            continue
        try:
            target.parent.mkdir(exist_ok=True)
        except OSError as error:
            reason = f"cannot create its folder ({_reason(error)}); remove what is in its place"
            skip(target, reason)
            continue
        if target.exists() or target.is_symlink():
            if not target.is_file():
                skip(target, "is not a file (a directory?); remove it to get the copy")
                continue
            try:
                current = _digest(target.read_bytes())
            except OSError as error:
                skip(target, f"cannot read the existing copy ({_reason(error)})")
                continue
            if current == _digest(data):
                report["unchanged"].append(target)
                manifest[name] = current
                continue
            if manifest.get(name) != current:
                report["kept"].append(target)  # someone edited it: never overwrite
                continue
        try:
            target.write_bytes(data)
        except OSError as error:
            reason = (
                f"cannot write it ({_reason(error)}); the previous copy stays: "
                "make it writable (or delete it) and run again"
            )
            skip(target, reason)
            continue
        manifest[name] = _digest(data)
        report["written"].append(target)
    if manifest_problem is not None:
        kept = len(report["kept"])
        message = (
            f"{manifest_path} is unreadable ({manifest_problem}): every existing copy that "
            f"differs from a fresh one is treated as possibly edited and kept ({kept} kept); "
            "the manifest is rebuilt for the copies written now. Delete a kept copy that "
            "nobody edited to regenerate it."
        )
        report["notes"].append(message)
        if kept:
            reason = f"unreadable ({manifest_problem}): {kept} copies kept as possibly edited"
            skip(manifest_path, reason)
    try:
        manifest_path.write_text(
            json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    except OSError as error:
        reason = (
            f"cannot write the manifest ({_reason(error)}); the next run will treat "
            "the copies written now as possibly edited"
        )
        skip(manifest_path, reason)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--output-dir", type=Path, default=Path("build/student/notebooks")
    )
    args = parser.parse_args(argv)
    try:
        report = write_copies(args.notebooks, args.output_dir)
    except OSError as error:
        print(
            f"student_copies: cannot create {args.output_dir} ({_reason(error)})",
            file=sys.stderr,
        )
        return 2
    for target in report["written"]:
        print(f"wrote {target}")
    why = (
        "it may have been edited (the manifest was unreadable)"
        if report["notes"]
        else "it was edited since it was written"
    )
    for target in report["kept"]:
        print(f"kept {target}: {why}; delete it to refresh")
    for note in report["notes"]:
        print(f"note: {note}", file=sys.stderr)
    for file, reason in report["skipped"]:
        print(f"skipped {file}: {reason}", file=sys.stderr)
    print(
        f"{len(report['written'])} written, {len(report['unchanged'])} unchanged, "
        f"{len(report['kept'])} edited copies kept, {len(report['skipped'])} skipped, "
        f"in {args.output_dir}"
    )
    if report["skipped"]:
        print(
            f"student_copies: {len(report['skipped'])} skipped (listed above with the "
            "reason); everything else was written",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
