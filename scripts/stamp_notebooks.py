"""Stamp the repository URL into every notebook: launch badges and the Colab install line.

The URL is set in one place, ``[project.urls] Repository`` in pyproject.toml.
Run by ``make refresh``; ``--check`` only reports notebooks that are out of date
(used by the tests) and never writes. A notebook in ``notebooks/zh/`` (the Chinese
edition) gets badges that open ``notebooks/zh/NAME.ipynb``, with Chinese alt text.

    python scripts/stamp_notebooks.py notebooks/*.ipynb notebooks/zh/*.ipynb [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BADGE_MARKER = "<!-- launch-badges -->"
INSTALL_PATTERN = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+")


def repository_url() -> str:
    """The ``https://github.com/OWNER/NAME`` URL from pyproject.toml."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        url = tomllib.load(file)["project"]["urls"]["Repository"]
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(
            f"[project.urls] Repository must look like https://github.com/OWNER/NAME, got {url!r}."
        )
    return url


#: The badges' alt text by edition (README.zh.md uses the same Chinese words).
BADGE_TEXT = {
    "en": ("Open in Colab", "Launch Binder"),
    "zh": ("在Colab中打开", "在Binder中启动"),
}


def is_chinese(notebook: Path) -> bool:
    """Whether ``notebook`` belongs to the Chinese edition (it lives in a folder ``zh``)."""
    return notebook.parent.name == "zh"


def badge_line(url: str, notebook: Path) -> str:
    """Markdown for the Colab and Binder badges of one notebook.

    They open ``notebooks/NAME.ipynb``, or ``notebooks/zh/NAME.ipynb`` for the Chinese edition.
    """
    slug = url.removeprefix("https://github.com/")
    edition = "zh" if is_chinese(notebook) else "en"
    path = f"notebooks/{'zh/' if edition == 'zh' else ''}{notebook.name}"
    colab = f"https://colab.research.google.com/github/{slug}/blob/main/{path}"
    binder = f"https://mybinder.org/v2/gh/{slug}/main?urlpath=lab/tree/{path}"
    open_colab, launch_binder = BADGE_TEXT[edition]
    return (
        f"[![{open_colab}](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
        f"[![{launch_binder}](https://mybinder.org/badge_logo.svg)]({binder})"
    )


def stamped(
    notebook: nbformat.NotebookNode, path: Path, url: str
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook with badges and install URL set; and what was missing or changed."""
    changes = []
    first = notebook.cells[0] if notebook.cells else None
    if (
        first is None
        or first.cell_type != "markdown"
        or BADGE_MARKER not in first.source
    ):
        return notebook, [
            f"first cell must be markdown containing {BADGE_MARKER} on its own line"
        ]
    lines = first.source.split("\n")
    at = lines.index(BADGE_MARKER)
    wanted = badge_line(url, path)
    if at + 1 >= len(lines) or lines[at + 1] != wanted:
        lines[at + 1 : at + 2] = [wanted]
        first.source = "\n".join(lines)
        changes.append("badges")
    install_cells = [
        c
        for c in notebook.cells
        if c.cell_type == "code" and INSTALL_PATTERN.search(c.source)
    ]
    if not install_cells:
        changes.append("no setup cell installs course-utils from git on Colab")
    for cell in install_cells:
        new_source = INSTALL_PATTERN.sub(f"git+{url}", cell.source)
        if new_source != cell.source:
            cell.source = new_source
            changes.append("Colab install URL")
    return notebook, changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--check",
        action="store_true",
        help="report notebooks that need stamping; write nothing",
    )
    args = parser.parse_args(argv)
    url = repository_url()
    out_of_date = 0
    for path in args.notebooks:
        notebook = nbformat.read(path, as_version=4)
        notebook, changes = stamped(notebook, path, url)
        if not changes:
            continue
        out_of_date += 1
        print(f"{path}: {', '.join(changes)}")
        if not args.check:
            nbformat.write(notebook, path)
    return 1 if args.check and out_of_date else 0


if __name__ == "__main__":
    sys.exit(main())
