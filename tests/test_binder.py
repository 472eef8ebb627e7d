"""Binder (repo2docker) builds the course from what these tests check.

repo2docker's rules (https://repo2docker.readthedocs.io, "Configuration files"): if a ``binder/``
or ``.binder/`` folder exists, only the files in it are read and the root is ignored; among the
environment files, ``environment.yml`` wins and ``requirements.txt`` is then NOT installed (a conda
environment from environment.yml); ``runtime.txt`` cannot change Python for a conda environment;
``postBuild`` must be executable and stop at the first error (``set -e``). mybinder.org gives 1 GB
of memory, at most 2 GB.
"""

from __future__ import annotations

import re
import tomllib

import nbformat
import pytest
import yaml
from notebook_rules import NOTEBOOK_DIR, ROOT
from packaging.specifiers import SpecifierSet

CONFIG_FILES = (
    "environment.yml",
    "Pipfile",
    "Pipfile.lock",
    "requirements.txt",
    "setup.py",
    "Project.toml",
    "REQUIRE",
    "install.R",
    "apt.txt",
    "DESCRIPTION",
    "postBuild",
    "start",
    "runtime.txt",
    "default.nix",
    "Dockerfile",
)


def config_dir():
    """The folder repo2docker reads: binder/ or .binder/ if present, else the root."""
    for name in ("binder", ".binder"):
        if (ROOT / name).is_dir():
            return ROOT / name
    return ROOT


def lines(text: str) -> list[str]:
    return [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")]


def test_repo2docker_reads_the_root_and_environment_yml_wins() -> None:
    folder = config_dir()
    assert folder == ROOT, (
        f"{folder.name}/ exists: repo2docker would ignore environment.yml at the root"
    )
    present = [name for name in CONFIG_FILES if (folder / name).exists()]
    assert "environment.yml" in present
    assert "Dockerfile" not in present, "a Dockerfile would replace everything else"
    # With environment.yml present, requirements.txt is not installed by repo2docker, so the
    # environment must carry every package itself (next test).


def test_environment_yml_installs_what_requirements_txt_does() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip) == 1
    requirements = lines((ROOT / "requirements.txt").read_text())
    assert [str(x).strip() for x in pip[0]] == requirements
    assert "-e ." in requirements, "the course's own package is installed too"
    assert "pip" in env["dependencies"]


def test_environment_python_is_one_the_package_supports() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pythons = [str(d) for d in env["dependencies"] if str(d).startswith("python")]
    assert len(pythons) == 1
    version = pythons[0].split("=", 1)[1]
    with open(ROOT / "pyproject.toml", "rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    assert SpecifierSet(requires).contains(version + ".0")
    assert not (config_dir() / "runtime.txt").exists(), (
        "runtime.txt does not apply to a conda environment; environment.yml sets Python"
    )


def test_post_build_if_any_stops_at_the_first_error() -> None:
    post_build = config_dir() / "postBuild"
    if not post_build.exists():
        assert "postBuild" not in (ROOT / "environment.yml").read_text()
        return
    text = post_build.read_text()
    assert text.startswith("#!"), "postBuild needs a shebang"
    assert re.search(r"^set -e", text, re.M), "postBuild must start with set -e"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"


@pytest.mark.parametrize(
    "notebook",
    sorted(NOTEBOOK_DIR.glob("[0-9A-Z]*.ipynb")),
    ids=lambda p: p.stem,
)
def test_binder_badge_opens_this_notebook_in_jupyterlab(notebook) -> None:
    first = nbformat.read(notebook, as_version=4).cells[0].source
    match = re.search(
        r"\(https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/main\?urlpath=([^)]+)\)",
        first,
    )
    assert match, "the Binder badge is missing"
    with open(ROOT / "pyproject.toml", "rb") as file:
        url = tomllib.load(file)["project"]["urls"]["Repository"]
    assert match.group(1) == url.removeprefix("https://github.com/")
    urlpath = match.group(2)
    assert urlpath == f"lab/tree/notebooks/{notebook.name}"
    assert (ROOT / urlpath.removeprefix("lab/tree/")).is_file()
