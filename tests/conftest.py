"""Shared test set-up: quiet TensorFlow, reproducible Hypothesis runs, and the compared-cell share in the summary.

Hypothesis draws the same examples on every run by default (profile "course"), so CI cannot turn red
on a lucky draw; ``HYPOTHESIS_PROFILE=explore make test`` draws new examples each run to hunt for
cases the fixed ones miss.
"""

import os

from hypothesis import settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import notebook_rules  # noqa: E402  (after the environment, before anything imports TensorFlow)

settings.register_profile("course", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))


def pytest_terminal_summary(terminalreporter):
    share = notebook_rules.compared_share(notebook_rules.course_notebooks())
    terminalreporter.write_line(
        f"{share} (minimum {notebook_rules.MINIMUM_COMPARED_SHARE:.0%})"
    )
