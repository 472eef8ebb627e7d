"""Keras's own loss test suite, run with every Keras loss function replaced by the catalog's ``tf``.

Keras ships its loss tests in the wheel (``keras/src/losses/losses_test.py``; for wheels without
them, ``KERAS_LOSS_TESTS`` names the file, see scripts/fetch_keras_tests.py). Passing them with our
implementations swapped in (tests/keras_swap_plugin.py) shows each one can stand in for the Keras
function: same defaults, shapes, reductions, weights, dtypes and configs.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def _keras_loss_tests() -> Path:
    # Keras 3.13/3.14 wheels (Colab's) ship no tests: `make test-colab` fetches 3.15.1's
    # losses_test.py from PyPI into build/ (scripts/fetch_keras_tests.py) and names it here.
    if os.environ.get("KERAS_LOSS_TESTS"):
        path = Path(os.environ["KERAS_LOSS_TESTS"])
        assert path.is_file(), f"KERAS_LOSS_TESTS names no file: {path}"
        return path
    spec = importlib.util.find_spec("keras")
    assert spec is not None and spec.origin is not None, "keras is not installed"
    path = Path(spec.origin).parent / "src" / "losses" / "losses_test.py"
    assert path.is_file(), f"Keras's loss tests are missing from the wheel: {path}"
    return path


def _run_keras_suite(
    *plugin_args: str, **env_changes: str
) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    env = dict(
        os.environ,
        PYTHONPATH=path,
        TF_CPP_MIN_LOG_LEVEL="2",
        KERAS_BACKEND="tensorflow",
        **env_changes,
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-p",
            "no:randomly",
            "--rootdir",
            str(_keras_loss_tests().parent),
            *plugin_args,
            str(_keras_loss_tests()),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_keras_loss_suite_passes_with_course_implementations_swapped_in() -> None:
    from course_utils.losses import catalog

    result = _run_keras_suite("-p", "keras_swap_plugin")
    report = result.stdout + result.stderr
    assert f"swapped into Keras: {len(catalog())}" in report, report[-3000:]
    assert result.returncode == 0, report[-6000:]
    assert " passed" in report and "failed" not in report, report[-3000:]


def test_a_broken_implementation_swapped_in_makes_the_keras_suite_fail() -> None:
    """The control: the swap reaches Keras's classes, so a wrong loss is caught by Keras's tests."""
    result = _run_keras_suite(
        "-p",
        "keras_swap_plugin",
        "-k",
        "MeanSquaredErrorTest",
        COURSE_SWAP_BROKEN="mean_squared_error",
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report[-3000:]
    assert " failed" in report, report[-3000:]
