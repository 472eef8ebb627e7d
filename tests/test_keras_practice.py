"""Tests of course_utils.keras_practice (notebook 07 §6): a hand-reduced compute_loss under
MirroredStrategy on two logical CPUs logs and steps twice as much as Keras's built-in loss."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import keras_practice as kp


def test_a_hand_reduced_compute_loss_skips_the_division_by_the_replicas() -> None:
    runs = kp.distributed_compute_loss()
    assert runs.pop("replicas") == 2
    builtin = runs["built-in loss"]
    hand = runs["compute_loss, reduced by hand"]
    # one full-batch SGD step from zero weights: both numbers are fixed by the data alone
    assert hand["logged"] == pytest.approx(2 * builtin["logged"], rel=1e-4)
    assert hand["bias_step"] == pytest.approx(2 * builtin["bias_step"], rel=1e-4)
    for fixed in ("... divided by the replicas", "... with a Loss object"):
        assert runs[fixed]["logged"] == pytest.approx(builtin["logged"], rel=1e-4)
        assert runs[fixed]["bias_step"] == pytest.approx(builtin["bias_step"], rel=1e-4)
    assert np.isfinite(builtin["logged"]) and builtin["bias_step"] > 0


@pytest.mark.parametrize("timeout", [0, -1.0, "10", None, True])
def test_bad_timeout_names_the_argument(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout"):
        kp.distributed_compute_loss(timeout=timeout)  # type: ignore[arg-type]
