"""Every helper a notebook uses says where it is taught, and no helper claims a notebook that does not.

The expected lines are built from the notebooks by ``scripts/taught_in.py``; after moving a call,
``python scripts/taught_in.py --write`` updates the docstrings.
"""

from __future__ import annotations

import importlib.util
import sys

from notebook_rules import ROOT


def _taught_in():
    spec = importlib.util.spec_from_file_location(
        "taught_in", ROOT / "scripts" / "taught_in.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["taught_in"] = module
    spec.loader.exec_module(module)
    return module


def test_taught_in_lines_match_the_notebooks():
    problems = _taught_in().problems()
    assert not problems, "run `python scripts/taught_in.py --write`:\n" + "\n".join(
        problems
    )


def test_the_builder_sees_calls_in_numbered_sections():
    taught = _taught_in().taught_sections()
    # 02 §1 computes the cost with mse_cost; 03 §3 runs backprop_gradients on a batch.
    assert any(
        s.startswith("02 §")
        for s in taught[("course_utils.gradient_descent", "mse_cost")]
    )
    assert any(
        s.startswith("03 §")
        for s in taught[("course_utils.backprop", "backprop_gradients")]
    )
    # Infrastructure is not a lesson: check() is used everywhere and listed nowhere.
    assert ("course_utils.checks", "check") not in taught
