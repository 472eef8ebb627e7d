"""The two-command setup: dependency files agree, versions are locked, Colab is supported."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import yaml
from notebook_rules import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

#: What Colab shipped in 2026-08 (COURSE_BRIEF.md section 4): the course must accept these.
COLAB = {
    "tensorflow": "2.20.0",
    "keras": "3.13.2",
    "ipywidgets": "7.7.1",
    "matplotlib": "3.10.0",
    "numpy": "2.1.3",
    "ipykernel": "6.17.1",
}
LINUX_X86 = {"sys_platform": "linux", "platform_machine": "x86_64"}


def requirement_lines(lines: list[str]) -> list[str]:
    return [
        line.strip()
        for line in lines
        if line.strip() and not line.strip().startswith("#")
    ]


def requirements_txt() -> list[str]:
    return requirement_lines((ROOT / "requirements.txt").read_text().splitlines())


def environment_yml_pip() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [
        d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d
    ]
    assert len(pip_sections) == 1
    assert any(str(d).startswith("python=3.1") for d in env["dependencies"])
    return requirement_lines(pip_sections[0])


def parsed(lines: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in lines if not line.startswith("-e")]


def constraints() -> dict[str, Version]:
    pins = {}
    for line in requirement_lines((ROOT / "constraints.txt").read_text().splitlines()):
        name, version = line.split("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = Version(version)
    return pins


def test_requirements_and_environment_yml_say_the_same():
    assert requirements_txt() == environment_yml_pip()


def test_requirements_install_course_utils_itself():
    assert "-e ." in requirements_txt()


def test_every_requirement_is_pinned_within_its_range():
    pins = constraints()
    for requirement in parsed(requirements_txt()):
        if requirement.marker and not requirement.marker.evaluate(LINUX_X86):
            continue
        name = requirement.name.lower()
        assert name in pins, f"{name} is not pinned in constraints.txt (run make lock)"
        assert requirement.specifier.contains(pins[name]), (
            f"{name}=={pins[name]} is outside {requirement.specifier}"
        )


def test_linux_gets_the_small_cpu_wheel_and_other_systems_full_tensorflow():
    tensorflow_lines = [
        r
        for r in parsed(requirements_txt())
        if r.name in ("tensorflow", "tensorflow-cpu")
    ]
    environments = {
        "linux-x86": LINUX_X86,
        "mac-arm": {"sys_platform": "darwin", "platform_machine": "arm64"},
        "windows": {"sys_platform": "win32", "platform_machine": "AMD64"},
    }
    chosen = {
        name: [r.name for r in tensorflow_lines if r.marker.evaluate(env)]
        for name, env in environments.items()
    }
    assert chosen == {
        "linux-x86": ["tensorflow-cpu"],
        "mac-arm": ["tensorflow"],
        "windows": ["tensorflow"],
    }


def test_supported_ranges_include_what_colab_ships():
    for requirement in parsed(requirements_txt()):
        name = (
            "tensorflow" if requirement.name == "tensorflow-cpu" else requirement.name
        )
        if name in COLAB:
            assert requirement.specifier.contains(COLAB[name]), (
                f"{requirement} excludes Colab's {name} {COLAB[name]}"
            )


def test_the_package_never_pulls_tensorflow():
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    names = {Requirement(d).name for d in dependencies}
    assert not names & {"tensorflow", "tensorflow-cpu", "keras"}, (
        "Colab must never reinstall TensorFlow"
    )
    for dependency in dependencies:
        requirement = Requirement(dependency)
        if requirement.name in COLAB:
            assert requirement.specifier.contains(COLAB[requirement.name])


CI_STEPS = [
    "test",
    "test-portable",
    "test-browser",
    "handouts",
    "test-hub",
    "test-assignments",
    "test-colab",
]


def test_ci_runs_every_step_and_fails_at_the_end(tmp_path):
    # A stand-in `make` that records each target and fails `make test`: .ci/run must still
    # run the other steps, report each, and exit non-zero.
    log = tmp_path / "calls"
    fake = tmp_path / "make"
    fake.write_text(f'#!/bin/sh\necho "$1" >> {log}\n[ "$1" != test ]\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")],
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert log.read_text().split() == CI_STEPS
    assert result.returncode != 0
    assert "make test: FAILED" in result.stdout
    assert "failed: test" in result.stdout and "test-colab: passed" in result.stdout


def test_make_targets_exist_and_only_refresh_writes_notebooks():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "slides", "refresh", "clean", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is missing"
    for target in ("lab", "test", "slides", "bench", "clean"):
        dry_run = subprocess.run(
            ["make", "-n", target], cwd=ROOT, capture_output=True, text=True
        )
        assert (
            "refresh_notebooks" not in dry_run.stdout
            and "stamp_notebooks" not in dry_run.stdout
        )
