"""Tests of course_utils.likelihood_view (notebook 06 §7)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import likelihood_view as lv


def test_cosine_loss_is_the_von_mises_nll_with_kappa_1_up_to_a_constant() -> None:
    import keras

    theta = np.linspace(-3.0, 3.0, 13)
    y = np.tile([[1.0, 0.0]], (len(theta), 1))
    y_hat = 2.5 * np.stack([np.cos(theta), np.sin(theta)], axis=1)
    cosine = keras.ops.convert_to_numpy(keras.losses.cosine_similarity(y, y_hat))
    gap = lv.von_mises_nll(theta, 1.0) - cosine
    np.testing.assert_allclose(gap, np.log(2 * np.pi * np.i0(1.0)), atol=1e-6)


@pytest.mark.parametrize("kappa", [0.5, 1.0, 4.0])
def test_the_von_mises_density_integrates_to_one(kappa: float) -> None:
    grid = np.linspace(-np.pi, np.pi, 20000, endpoint=False)
    area = np.sum(np.exp(-lv.von_mises_nll(grid, kappa))) * (grid[1] - grid[0])
    assert area == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    "probs", [[0.7, 0.2, 0.1], [0.4, 0.3, 0.3], [0.9, 0.05, 0.03, 0.02]]
)
def test_only_cross_entropy_is_normalised_over_the_labels(probs: list) -> None:
    assert lv.label_normaliser("categorical_crossentropy", probs) == pytest.approx(
        1.0, abs=1e-5
    )
    for name in ("label_smoothing", "focal", "generalized_ce"):
        assert abs(lv.label_normaliser(name, probs) - 1.0) > 1e-3, name


def test_the_view_covers_notebook_06_and_the_reviewers_list() -> None:
    for name in ("poisson", "kl_divergence", "cosine_similarity", "dice", "tversky"):
        assert name in lv.LIKELIHOOD_VIEW
    for name in (
        "cosine_similarity",
        "huber",
        "log_cosh",
        "mean_squared_logarithmic_error",
    ):
        assert lv.LIKELIHOOD_VIEW[name].startswith("NLL")
    for name in ("focal", "generalized_ce", "label_smoothing", "dice", "circle"):
        assert lv.LIKELIHOOD_VIEW[name].startswith("not")


def test_bad_input_names_the_argument() -> None:
    with pytest.raises((TypeError, ValueError), match="kappa"):
        lv.von_mises_nll(0.0, kappa=None)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError), match="angle"):
        lv.von_mises_nll("a")
    with pytest.raises(ValueError, match="probs"):
        lv.label_normaliser("focal", [0.5, 0.6])
    with pytest.raises(ValueError, match="loss"):
        lv.label_normaliser("hinge", [0.5, 0.5])
    with pytest.raises((TypeError, ValueError), match="parameter"):
        lv.label_normaliser("focal", [0.5, 0.5], parameter=float("nan"))
