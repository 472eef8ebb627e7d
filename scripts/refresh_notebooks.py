"""Re-run notebooks top to bottom on a fresh kernel and save them with their outputs.

For maintainers (``make refresh``): the committed outputs are what readers see on
GitHub and what ``nbval`` compares against in CI. Prints each notebook's run time
(teachers use these as timings).

    python scripts/refresh_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def refresh(path: Path, timeout: int) -> float:
    """Execute ``path`` in its own folder on a new ``python3`` kernel; save; return seconds."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds one cell may take"
    )
    args = parser.parse_args(argv)
    for path in args.notebooks:
        print(f"{path}: {refresh(path, args.timeout):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
