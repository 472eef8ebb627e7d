"""nbgitpuller links that open each notebook on a JupyterHub (``make hub-links HUB=…``).

A learner who clicks a link gets the repository cloned (or updated) in their hub
home directory, then the notebook opens in JupyterLab. nbgitpuller never
overwrites a file the learner changed: their edits win over upstream changes.
The repository defaults to ``[project.urls] Repository`` in pyproject.toml (the
same setting the launch badges use); ``--repo`` points at another one, e.g. a
repository holding the student copies from ``make student``.

    python scripts/hub_links.py --hub https://hub.example.edu notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def repository_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return str(tomllib.load(file)["project"]["urls"]["Repository"])


def hub_link(
    hub: str, repo: str, notebook: str, branch: str = "main", folder: str = "notebooks"
) -> str:
    """The nbgitpuller link that opens ``folder/notebook`` from ``repo`` on ``hub``."""
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", hub):
        raise ValueError(
            f"hub must be the hub's base URL like https://hub.example.edu, got {hub!r}"
        )
    if not re.fullmatch(r"https://[^\s?#]+", repo):
        raise ValueError(f"repo must be an https:// git URL, got {repo!r}")
    clone_dir = repo.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    path = "/".join(p for p in (clone_dir, folder, notebook) if p)
    query = urlencode(
        {"repo": repo, "urlpath": f"lab/tree/{path}", "branch": branch},
        quote_via=quote,
        safe="",
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def teaching_minutes(path: Path) -> int:
    """Minutes the speaker notes plan for a notebook: the sum of their ``Time: N min``."""
    notebook = nbformat.read(path, as_version=4)
    return sum(
        int(minutes)
        for cell in notebook.cells
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
        for minutes in re.findall(r"Time:\s*(\d+)\s*min", cell.source)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--hub", required=True, help="e.g. https://hub.example.edu")
    parser.add_argument("--repo", default=None, help="default: pyproject's Repository")
    parser.add_argument("--branch", default="main")
    parser.add_argument(
        "--folder", default="notebooks", help="the notebooks' folder in that repo"
    )
    args = parser.parse_args(argv)
    repo = args.repo or repository_url()
    print("| notebook | teaching time (speaker notes) | link |\n|---|---|---|")
    for path in args.notebooks:
        link = hub_link(args.hub, repo, path.name, args.branch, args.folder)
        minutes = teaching_minutes(path)
        planned = f"{minutes} min" if minutes else "no notes yet"
        print(f"| {path.stem} | {planned} | <{link}> |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
