"""Write student copies of the notebooks, without solutions (``make student``).

The repository keeps the full notebooks (solutions folded in the last section).
A student copy drops the ``## Solutions`` section: its heading, its notes and its
solution cells; everything else, outputs included, stays as committed. Copies go
to ``build/student/notebooks/`` by default, for a classroom hub (see
docs/instructors.md).

A copy is only ever replaced if it is still exactly what this script wrote last
time (its SHA-256 is recorded in ``.generated.json`` next to the copies): a copy a
learner has edited is left alone and reported, never overwritten.

    python scripts/student_copies.py notebooks/*.ipynb --output-dir build/student/notebooks
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from pathlib import Path

import nbformat

MANIFEST = ".generated.json"


def is_solutions_heading(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and bool(
        re.match(r"##\s+Solutions\b", cell.source)
    )


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its ``## Solutions`` section (which runs to the next ``## ``)."""
    notebook = copy.deepcopy(notebook)
    kept, in_solutions = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.match(r"##\s", cell.source):
            in_solutions = is_solutions_heading(cell)
        if not in_solutions:
            kept.append(cell)
    notebook.cells = kept
    return notebook


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_copies(paths: list[Path], output_dir: Path) -> dict[str, list[Path]]:
    """Write the copies; return which were ``written``, ``unchanged`` or ``kept`` (edited)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = output_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report: dict[str, list[Path]] = {"written": [], "unchanged": [], "kept": []}
    for path in paths:
        text = nbformat.writes(student_copy(nbformat.read(path, as_version=4)))
        target = output_dir / path.name
        if target.exists():
            current = _digest(target.read_text(encoding="utf-8"))
            if current == _digest(text):
                report["unchanged"].append(target)
                manifest[path.name] = current
                continue
            if manifest.get(path.name) != current:
                report["kept"].append(target)  # someone edited it: never overwrite
                continue
        target.write_text(text, encoding="utf-8")
        manifest[path.name] = _digest(text)
        report["written"].append(target)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
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
    report = write_copies(args.notebooks, args.output_dir)
    for target in report["written"]:
        print(f"wrote {target}")
    for target in report["kept"]:
        print(
            f"kept {target}: it was edited since it was written; delete it to refresh"
        )
    print(
        f"{len(report['written'])} written, {len(report['unchanged'])} unchanged, "
        f"{len(report['kept'])} edited copies kept, in {args.output_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
