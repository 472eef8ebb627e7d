"""nbgitpuller links that open each notebook on a JupyterHub (``make hub-links HUB=…``).

A learner who clicks a link gets the repository cloned (or updated) in their hub
home directory, then the notebook opens in JupyterLab. nbgitpuller never
overwrites a file the learner changed: their edits win over upstream changes.
The repository defaults to ``[project.urls] Repository`` in pyproject.toml (the
same setting the launch badges use); ``--repo`` points at another one, e.g. a
repository holding the student copies from ``make student``.

``--hub`` may be any address of the hub copied from the browser: a hub page
(``…/hub/login``, ``…/hub/home``, ``…/user/<name>/lab…``) is cut back to the hub's
base URL (a base path such as ``https://x.edu/jupyter/`` is kept), with a note on
stderr. Every link names the clone folder (``targetpath``): the repository's name
without ``.git``, so ``urlpath`` always points into it. Bad input (a hub without
``https://``, a repository that is neither an https:// URL nor an existing git
repository, no notebooks) is refused with a message and exit status 2.

Notebooks of the Chinese edition (in a folder ``zh``, as ``notebooks/zh/``) get their own
table with a Chinese heading after the English one: rows ``zh/NAME``, links into
``notebooks/zh/``, the time their speaker notes plan (``用时：N 分钟``).

    python scripts/hub_links.py --hub https://hub.example.edu notebooks/*.ipynb notebooks/zh/*.ipynb
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit
from urllib.request import url2pathname

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: The folder of the Chinese edition, inside the notebooks' folder.
ZH_FOLDER = "zh"
#: What a speaker-notes cell says about its time, by edition (CONTRIBUTING.md).
NOTED_TIME = {
    "en": re.compile(r"Time:\s*(\d+)\s*min"),
    "zh": re.compile(r"用时：\s*(\d+)\s*分钟"),
}
#: Each edition's table: heading lines, the planned time, the time when no notes say one.
TABLES = {
    "en": (
        ["| notebook | teaching time (speaker notes) | link |", "|---|---|---|"],
        "{minutes} min",
        "no notes yet",
    ),
    "zh": (
        ["| 笔记本 | 授课用时（讲者备注） | 链接 |", "|---|---|---|"],
        "{minutes} 分钟",
        "暂无讲者备注",
    ),
}


def edition(path: Path) -> str:
    """``"zh"`` for a notebook of the Chinese edition (in a folder ``zh``), else ``"en"``."""
    return "zh" if path.parent.name == ZH_FOLDER else "en"


def repository_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return str(tomllib.load(file)["project"]["urls"]["Repository"])


def _hub_base_segments(segments: list[str]) -> int:
    """How many leading path segments belong to the hub's base URL."""
    for i, segment in enumerate(segments):
        if segment == "hub" and segments[i + 1 : i + 2] != ["hub"]:
            return i  # JupyterHub's own pages: <base>hub/login, hub/home, hub/spawn…
        if segment == "user" and i + 1 < len(segments):
            return i  # a user's server: <base>user/<name>/lab…
        if segment in ("lab", "tree"):
            return i  # a JupyterLab or Notebook page
    return len(segments)


def normalise_hub(hub: str) -> tuple[str, str | None]:
    """The hub's base URL (ending in ``/``) and a note saying what was cut, or None.

    Raises ValueError for an address that is not an http(s) URL with a host.
    """
    if not isinstance(hub, str) or not hub.strip():
        raise ValueError(
            "HUB is empty: pass the hub's address, e.g. https://hub.example.edu"
        )
    if re.search(r"\s", hub):
        raise ValueError(f"HUB must be a URL without spaces, got {hub!r}")
    if "://" not in hub:
        raise ValueError(f"HUB must start with https:// (or http://), got {hub!r}")
    parts = urlsplit(hub)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValueError(
            f"HUB must be a web address starting with https:// (or http://), got {hub!r}"
        )
    if not parts.hostname:
        raise ValueError(f"HUB has no host name, got {hub!r}")
    segments = [s for s in parts.path.split("/") if s]
    keep = _hub_base_segments(segments)
    path = "/" + "".join(f"{s}/" for s in segments[:keep])
    base = urlunsplit((scheme, parts.netloc, path, "", ""))
    dropped = "/".join(segments[keep:])
    if parts.query:
        dropped += f"?{parts.query}"
    if parts.fragment:
        dropped += f"#{parts.fragment}"
    note = None
    if dropped:
        note = (
            f"HUB {hub} is a page of the hub, not its base URL: using {base} "
            f"(dropped {dropped!r}); links go to {base}hub/user-redirect/git-pull"
        )
    return base, note


def _is_git_repository(path: Path) -> bool:
    """A work tree with ``.git``, or a bare repository (HEAD, objects/, refs/)."""
    if not path.is_dir():
        return False
    if (path / ".git").exists():
        return True
    return all((path / name).exists() for name in ("HEAD", "objects", "refs"))


def check_repo(repo: str) -> tuple[str, str]:
    """The repository as it goes into the link, and the folder it is cloned into.

    ``repo`` is an https:// git URL (``https://host/owner/name[.git]``; whether it
    exists cannot be checked offline), a ``file://`` URL or a local path of a git
    repository (checked; a path becomes a ``file://`` URL, meaningful only for a hub
    on this machine). The folder is the repository's name without ``.git``.
    Raises ValueError otherwise.
    """
    if not isinstance(repo, str) or not repo.strip():
        raise ValueError(
            "REPO is empty: pass a git URL like https://github.com/you/fork"
        )
    if re.search(r"\s", repo):
        raise ValueError(f"REPO must be a URL or path without spaces, got {repo!r}")
    if "://" in repo:
        parts = urlsplit(repo)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(url2pathname(parts.path))
            if parts.netloc not in ("", "localhost") or not path.exists():
                raise ValueError(f"REPO {repo!r}: no such path on this machine")
            if not _is_git_repository(path):
                raise ValueError(f"REPO {repo!r} is not a git repository")
            link_repo = repo.rstrip("/")
        elif scheme == "https":
            segments = [s for s in parts.path.split("/") if s]
            if not parts.hostname or len(segments) < 2 or parts.query or parts.fragment:
                raise ValueError(
                    "REPO must be a git URL like https://github.com/owner/name "
                    f"(host, owner and name, no ?query or #fragment), got {repo!r}"
                )
            link_repo = repo.rstrip("/")
        else:
            raise ValueError(
                f"REPO must be an https:// git URL (learners' servers have no SSH keys), "
                f"a file:// URL or a local path, got {repo!r}"
            )
    else:
        path = Path(repo).expanduser()
        if not path.exists():
            raise ValueError(
                f"REPO {repo!r} is neither an https:// git URL nor an existing local path "
                "(an address like git@host:owner/name needs SSH keys learners do not "
                "have: use the https:// one)"
            )
        if not _is_git_repository(path):
            raise ValueError(f"REPO {repo!r} is not a git repository")
        link_repo = path.resolve().as_uri()
    name = link_repo.rsplit("/", 1)[-1]
    folder = name[: -len(".git")] if name.endswith(".git") else name
    if folder in ("", ".", ".."):
        raise ValueError(f"REPO {repo!r} has no repository name to clone into")
    return link_repo, folder


def hub_link(
    hub: str, repo: str, notebook: str, branch: str = "main", folder: str = "notebooks"
) -> str:
    """The nbgitpuller link that opens ``folder/notebook`` from ``repo`` on ``hub``.

    The clone folder (``targetpath``) is given explicitly: without it nbgitpuller
    clones ``…/fork.git`` into ``fork.git`` and the ``urlpath`` would miss it.
    """
    base, _note = normalise_hub(hub)
    link_repo, target = check_repo(repo)
    path = "/".join(p for p in (target, folder, notebook) if p)
    query = urlencode(
        {
            "repo": link_repo,
            "targetpath": target,
            "urlpath": f"lab/tree/{path}",
            "branch": branch,
        },
        quote_via=quote,
        safe="",
    )
    return f"{base}hub/user-redirect/git-pull?{query}"


def teaching_minutes(path: Path) -> int:
    """Minutes the speaker notes plan for a notebook: the sum of their ``Time: N min``
    (``用时：N 分钟`` in the Chinese edition).

    Raises ValueError naming the file if it is not a readable notebook.
    """
    try:
        notebook = nbformat.read(path, as_version=4)
        cells = list(notebook.cells)
    except Exception as error:  # whatever fails, the file is not a notebook we can read
        message = " ".join(str(error).split())[:160]
        raise ValueError(
            f"notebook {path}: cannot read it ({type(error).__name__}: {message})"
        ) from None
    noted = NOTED_TIME[edition(path)]
    return sum(
        int(minutes)
        for cell in cells
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"
        for minutes in noted.findall(cell.get("source", ""))
    )


def table(
    base: str, repo: str, notebooks: list[Path], branch: str, folder: str, lang: str
) -> list[str]:
    """The lines of one edition's table: a row per notebook with its time and link."""
    heading, planned, no_notes = TABLES[lang]
    lines = list(heading)
    for path in notebooks:
        minutes = teaching_minutes(path)
        where = (
            "/".join(p for p in (folder, ZH_FOLDER) if p) if lang == "zh" else folder
        )
        link = hub_link(base, repo, path.name, branch, where)
        name = f"{ZH_FOLDER}/{path.stem}" if lang == "zh" else path.stem
        time = planned.format(minutes=minutes) if minutes else no_notes
        lines.append(f"| {name} | {time} | <{link}> |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--hub", required=True, help="e.g. https://hub.example.edu")
    parser.add_argument("--repo", default=None, help="default: pyproject's Repository")
    parser.add_argument("--branch", default="main")
    parser.add_argument(
        "--folder", default="notebooks", help="the notebooks' folder in that repo"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="also write the table to this file"
    )
    args = parser.parse_args(argv)
    try:
        base, note = normalise_hub(args.hub)
        repo = args.repo or repository_url()
        check_repo(repo)
        if not args.notebooks:
            raise ValueError(
                "no notebooks given: pass the notebook files, e.g. notebooks/*.ipynb"
            )
        tables = []
        for lang in TABLES:
            chosen = [p for p in args.notebooks if edition(p) == lang]
            if chosen:
                lines = table(base, repo, chosen, args.branch, args.folder, lang)
                tables.append("\n".join(lines) + "\n")
    except ValueError as error:
        print(f"hub_links: {error}", file=sys.stderr)
        return 2
    if note:
        print(f"note: {note}", file=sys.stderr)
    text = "\n".join(tables)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
