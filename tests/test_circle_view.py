"""Tests of course_utils.circle_view: the (s_n, s_p) view of Circle loss (notebook 06 §5)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import circle_view as cv
from course_utils import other_losses_lessons as ol
from course_utils.plotting import artist


@pytest.mark.parametrize("s_n", [-0.3, 0.1, 0.6])
def test_pair_loss_is_keras_circle_loss_of_one_anchor(s_n: float) -> None:
    import keras

    s_p = np.linspace(-0.9, 1.0, 9)
    ours = cv.circle_pair_loss(s_p, s_n, gamma=32.0, margin=0.25)
    anchors = np.stack([s_p, np.full_like(s_p, s_n)], axis=1).astype("float32")
    keras_values = keras.ops.convert_to_numpy(
        keras.losses.circle(
            np.zeros(len(s_p), dtype="int32"),
            anchors,
            ref_labels=np.array([0, 1]),
            ref_embeddings=np.eye(2, dtype="float32"),
            remove_diagonal=False,
            gamma=32.0,
            margin=0.25,
        )
    )
    np.testing.assert_allclose(ours, keras_values, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ours, ol.circle_anchor_loss(s_p, s_n, 32.0, 0.25), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("margin", [0.1, 0.25, 0.4])
def test_the_boundary_is_a_circle_where_the_loss_is_ln_2(margin: float) -> None:
    s_n, s_p = cv.boundary_circle(margin)
    np.testing.assert_allclose(s_n**2 + (s_p - 1.0) ** 2, 2 * margin**2)
    inside = (s_n > -margin) & (s_p < 1 + margin)  # both pair weights positive
    np.testing.assert_allclose(
        cv.circle_pair_loss(s_p[inside], s_n[inside], 64.0, margin),
        np.log(2.0),
        rtol=1e-9,
    )
    # inside the circle (nearer the ideal point) the loss is below ln 2, outside above
    assert cv.circle_pair_loss(1.0, 0.0, 64.0, margin) < np.log(2.0)
    assert cv.circle_pair_loss(0.5, 0.5, 64.0, margin) > np.log(2.0)


def test_the_figure_draws_the_circle_and_the_straight_margin() -> None:
    fig = cv.plot_circle_boundary(gamma=32.0, margin=0.25)
    x, y = artist(fig, "boundary").get_data()
    np.testing.assert_allclose(np.hypot(x, y - 1.0), np.sqrt(2) * 0.25)
    x_line, y_line = artist(fig, "straight").get_data()
    np.testing.assert_allclose(np.asarray(y_line) - np.asarray(x_line), 0.25)
    ax = fig.axes[0]
    assert ax.get_xlim() == (-0.5, 1.0) and ax.get_ylim() == (0.0, 1.0)
    assert "s_n" in ax.get_xlabel() and "s_p" in ax.get_ylabel()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gamma": "32"},
        {"gamma": None},
        {"gamma": float("nan")},
        {"margin": 0.7},
        {"margin": None},
    ],
)
def test_bad_input_names_the_argument(kwargs: dict) -> None:
    name = next(iter(kwargs))
    with pytest.raises((TypeError, ValueError), match=name):
        cv.plot_circle_boundary(**kwargs)
    with pytest.raises((TypeError, ValueError), match="positive_similarity"):
        cv.circle_pair_loss(1.5, 0.0)
    with pytest.raises((TypeError, ValueError), match="negative_similarity"):
        cv.circle_pair_loss(0.5, "a")
