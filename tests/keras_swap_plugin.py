"""A pytest plugin that runs Keras's own loss tests on the course's implementations.

Loaded with ``-p keras_swap_plugin`` (tests/ on PYTHONPATH) when pytest runs
``keras/src/losses/losses_test.py``: before any test runs, every Keras loss function that the course
catalog mirrors is replaced, in ``keras.src.losses.losses`` (where Keras's loss classes look it up
when they are built) and in the public ``keras.losses``, by the catalog's ``tf`` implementation.
``tests/test_losses_keras_suite.py`` drives it.

With ``COURSE_SWAP_BROKEN=<name>`` in the environment, that one loss is replaced by a deliberately
wrong version instead (the element-wise loss without its mean): the control run that shows the swap
really reaches Keras's classes.
"""

from __future__ import annotations

import os

import pytest

SWAPPED: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    import keras
    from keras.src.losses import losses as keras_module

    from course_utils.losses import catalog

    broken = os.environ.get("COURSE_SWAP_BROKEN")
    for name, entry in catalog().items():
        replacement = _without_mean(entry.tf) if name == broken else entry.tf
        setattr(keras_module, name, replacement)
        setattr(keras.losses, name, replacement)
        SWAPPED.append(name)


def _without_mean(loss):  # type: ignore[no-untyped-def]
    """A wrong loss for the control run: per-sample values times (k + 1), k the last axis's size (wrong even for k = 1)."""

    def broken(y_true, y_pred, **params):  # type: ignore[no-untyped-def]
        import tensorflow as tf

        size = tf.cast(tf.shape(tf.convert_to_tensor(y_pred))[-1], tf.float32)
        values = loss(y_true, y_pred, **params)
        return values * tf.cast(size + 1.0, values.dtype)

    return broken


def pytest_report_header(config: pytest.Config) -> str:
    return f"course loss implementations swapped into Keras: {len(SWAPPED)} ({', '.join(SWAPPED)})"
