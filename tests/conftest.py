"""Shared test set-up: quiet TensorFlow, and the compared-cell share in the summary."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import notebook_rules  # noqa: E402  (after the environment, before anything imports TensorFlow)


def pytest_terminal_summary(terminalreporter):
    share = notebook_rules.compared_share(notebook_rules.course_notebooks())
    terminalreporter.write_line(f"{share} (minimum {notebook_rules.MINIMUM_COMPARED_SHARE:.0%})")
