"""The notebook setup helper: seeds, quiet TensorFlow, style, version report and checks."""

from __future__ import annotations

import random
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from course_utils import environment, plotting
from course_utils.environment import check_environment, seed_everything, setup_notebook


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (nothing imported yet); fail with its stderr."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result


def test_setup_seeds_numpy_python_and_tensorflow():
    setup_notebook(7)
    first = (
        random.random(),
        np.random.rand(),
        float(__import__("keras").random.uniform(())),
    )
    setup_notebook(7)
    second = (
        random.random(),
        np.random.rand(),
        float(__import__("keras").random.uniform(())),
    )
    assert first == second


def test_setup_reports_versions_and_applies_style():
    report = setup_notebook(3)
    assert report.seed == 3
    assert report.tensorflow and report.keras
    text = str(report)
    assert text.startswith("Ready (seed 3): Python ") and "TensorFlow" in text
    assert matplotlib.rcParams["font.size"] == plotting.COURSE_STYLE["font.size"]
    assert (
        matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0]
        == plotting.PALETTE[0]
    )


def test_setup_without_tensorflow_leaves_it_unimported():
    code = (
        "import sys; from course_utils.environment import setup_notebook; "
        "r = setup_notebook(tensorflow=False); "
        "assert 'tensorflow' not in sys.modules; assert r.tensorflow is None; print(r)"
    )
    result = run_python(code)
    assert "TensorFlow" not in result.stdout


def test_tensorflow_is_silenced_before_import():
    code = (
        "import os; os.environ.pop('TF_CPP_MIN_LOG_LEVEL', None); os.environ.pop('TF_ENABLE_ONEDNN_OPTS', None)\n"
        "from course_utils.environment import setup_notebook; setup_notebook()\n"
        "import tensorflow as tf; print(float(tf.constant(2.0) * 3))"
    )
    result = run_python(code)
    assert result.stdout.strip() == "6.0"
    assert "oneDNN" not in result.stderr and "absl::InitializeLog" not in result.stderr


def test_late_setup_warns_that_logs_cannot_be_silenced(monkeypatch):
    monkeypatch.setitem(
        sys.modules, "tensorflow", sys.modules.get("tensorflow", object())
    )
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    with pytest.warns(UserWarning, match="Restart the kernel"):
        environment.silence_tensorflow_logs()


@pytest.mark.parametrize("bad_seed", [-1, 1.5, "42", True, None])
def test_bad_seed_is_rejected_with_a_clear_message(bad_seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        seed_everything(bad_seed, tensorflow=False)


def test_import_course_utils_is_light():
    code = (
        "import sys, time; t = time.perf_counter(); import course_utils; "
        "print(time.perf_counter() - t); assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    result = run_python(code)
    assert float(result.stdout) < 1.0


def test_environment_check_passes_here():
    assert all(ok for ok, _ in check_environment()), check_environment()


def test_environment_check_names_what_is_missing_or_old():
    versions = {
        "python": "3.10.2",
        "tensorflow": "2.21.0rc1",
        "keras": "not installed",
        "ipywidgets": "7.7.1",
        "matplotlib": "3.7.9",
        "numpy": "2.1.0",
    }
    report = dict(
        (message.split(":")[0], (ok, message))
        for ok, message in check_environment(versions)
    )
    assert (
        report["python"][0] is False
        and "3.10.2 is too old, 3.11 or newer" in report["python"][1]
    )
    assert report["tensorflow"][0] is True
    assert report["keras"][0] is False and "not installed" in report["keras"][1]
    assert report["ipywidgets"][0] is True
    assert report["matplotlib"][0] is False
    assert report["numpy"][0] is True


def test_environment_check_messages_do_not_depend_on_installed_versions():
    newer = {name: "99.0.0" for name in environment.MINIMUM_VERSIONS}
    assert check_environment(newer) == check_environment()
