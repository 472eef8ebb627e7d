"""The neuron, the dense layer, the toy data and the neuron slider (notebook 01)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import neuron as nn
from course_utils.checks import check
from course_utils.plotting import artist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# activations


def test_sigmoid_values_and_symmetry():
    z = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(nn.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(nn.sigmoid(z) + nn.sigmoid(-z), 1.0)
    assert float(nn.sigmoid(0.0)) == 0.5


def test_stable_sigmoid_never_overflows_where_the_naive_one_does():
    z = np.array([-1000.0, -800.0, 0.0, 800.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = nn.sigmoid(z)
    np.testing.assert_array_equal(values, [0.0, 0.0, 0.5, 1.0, 1.0])
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow"):
        nn.naive_sigmoid(-1000.0)


def test_sigmoid_slope_matches_finite_differences_and_saturates():
    z, h = np.array([-3.0, -0.5, 0.0, 1.0, 4.0]), 1e-6
    numeric = (nn.sigmoid(z + h) - nn.sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(nn.sigmoid_slope(z), numeric, rtol=1e-6)
    assert float(nn.sigmoid_slope(0.0)) == 0.25
    assert float(nn.sigmoid_slope(10.0)) < 5e-5


def test_activations_by_keras_name():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.ACTIVATIONS["relu"](z), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.ACTIVATIONS["linear"](z), z)
    np.testing.assert_allclose(nn.ACTIVATIONS["tanh"](z), np.tanh(z))


# ---------------------------------------------------------------------------------------------
# neuron and dense layer


def test_neuron_is_the_sigmoid_of_the_weighted_sum():
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    np.testing.assert_allclose(
        nn.neuron(x, [0.5, -1.0], 0.25),
        nn.sigmoid([0.5 - 2.0 + 0.25, -0.5 - 0.5 + 0.25]),
    )


def test_dense_layer_shapes_and_values():
    x = np.arange(8.0).reshape(4, 2)
    W, b = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]), np.array([0.1, 0.2, 0.3])
    out = nn.dense(x, W, b, "relu")
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out, np.maximum(0, x @ W + b))


def test_two_linear_layers_collapse_to_one():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 2))
    W1, b1, W2, b2 = nn.example_network()
    stacked = nn.dense(nn.dense(x, W1, b1), W2, b2)
    np.testing.assert_allclose(stacked, nn.dense(x, W1 @ W2, b1 @ W2 + b2), atol=1e-12)


def test_example_network_has_keras_shapes():
    assert [w.shape for w in nn.example_network()] == [(2, 3), (3,), (3, 1), (1,)]


def test_example_network_matches_keras():
    import keras

    weights = nn.example_network()
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(3, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.set_weights(weights)
    x = np.array([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]])
    by_hand = nn.dense(
        nn.dense(x, weights[0], weights[1], "tanh"), weights[2], weights[3], "sigmoid"
    )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), by_hand, atol=1e-6)
    assert model.count_params() == 13  # the answer to exercise 01.4


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"x": np.ones(2), "W": np.ones((2, 3)), "b": np.ones(3)}, "x"),
        ({"x": np.ones((4, 2)), "W": np.ones((3, 2)), "b": np.ones(3)}, "W"),
        ({"x": np.ones((4, 2)), "W": np.ones((2, 3)), "b": np.ones((1, 3))}, "b"),
        ({"x": np.ones((4, 2)), "W": np.ones((2, 3)), "b": np.ones(2)}, "b"),
        ({"x": [["a", "b"]], "W": np.ones((2, 3)), "b": np.ones(3)}, "x"),
        ({"x": np.full((1, 2), np.nan), "W": np.ones((2, 3)), "b": np.ones(3)}, "x"),
    ],
)
def test_dense_rejects_bad_shapes_by_name(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=rf"\b{name}\b"):
        nn.dense(**kwargs)


def test_dense_rejects_unknown_activation_and_suggests_reshape():
    with pytest.raises(ValueError, match="activation"):
        nn.dense(np.ones((1, 2)), np.ones((2, 1)), np.ones(1), "softplus")
    with pytest.raises(ValueError, match="reshape"):
        nn.dense(np.ones(2), np.ones((2, 1)), np.ones(1))


def test_neuron_rejects_mismatched_weights_by_name():
    with pytest.raises(ValueError, match="w has 3 weights"):
        nn.neuron(np.ones((4, 2)), np.ones(3), 0.0)
    with pytest.raises(TypeError, match="b"):
        nn.neuron(np.ones((4, 2)), np.ones(2), "zero")


def test_accuracy_uses_the_threshold():
    assert nn.accuracy([0, 1, 1, 0], [0.2, 0.5, 0.4, 0.9]) == 0.5
    assert nn.accuracy([0, 1], [0.2, 0.7], threshold=0.8) == 0.5
    with pytest.raises(ValueError, match="y_prob"):
        nn.accuracy([0, 1], [0.5])


# ---------------------------------------------------------------------------------------------
# toy data


def test_two_blobs_are_seeded_and_shaped():
    x, y = nn.make_two_blobs(10, seed=3)
    x_again, _ = nn.make_two_blobs(10, seed=3)
    assert x.shape == (20, 2) and y.shape == (20,)
    np.testing.assert_array_equal(x, x_again)
    np.testing.assert_array_equal(y, [0] * 10 + [1] * 10)
    assert not np.array_equal(x, nn.make_two_blobs(10, seed=4)[0])


def test_toy_blobs_are_read_only_and_inside_the_view():
    x, _ = nn.toy_blobs()
    assert not x.flags.writeable
    assert x.min() > nn.INPUT_LIMITS[0] and x.max() < nn.INPUT_LIMITS[1]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_per_class": 0}, "n_per_class"),
        ({"seed": -1}, "seed"),
        ({"spread": 0.0}, "spread"),
        ({"centres": (1, 2)}, "centres"),
    ],
)
def test_two_blobs_reject_bad_arguments_by_name(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name):
        nn.make_two_blobs(**kwargs)


# ---------------------------------------------------------------------------------------------
# figure and widget


@pytest.mark.parametrize(
    "w1, w2, b", [(1.0, 0.5, -1.0), (0.0, 2.0, 1.0), (3.0, 0.1, 0.5), (-1.0, -1.0, 0.0)]
)
def test_boundary_points_lie_on_the_line(w1, w2, b):
    x1, x2 = nn.boundary_line(w1, w2, b)
    np.testing.assert_allclose(w1 * x1 + w2 * x2 + b, 0.0, atol=1e-12)
    assert np.all(np.isfinite(x1)) and np.all(np.isfinite(x2))


def test_no_boundary_without_weights():
    x1, x2 = nn.boundary_line(0.0, 0.0, 1.0)
    assert np.all(np.isnan(x1)) and np.all(np.isnan(x2))


def test_plot_draws_the_neuron_on_the_toy_data():
    fig = nn.plot_neuron(w1=1.0, w2=0.5, b=-1.0)
    assert isinstance(fig, Figure)
    # the image holds ŷ's colours (RGBA bytes), so a frame only resamples them
    image = np.asarray(artist(fig, "neuron-output").get_array())
    assert image.shape == (nn.GRID_SIZE, nn.GRID_SIZE, 4) and image.dtype == np.uint8
    grid = np.linspace(*nn.INPUT_LIMITS, nn.GRID_SIZE)
    # bottom-left pixel is (x1, x2) = (-4, -4); the last pixel of row 0 is (4, -4)
    for pixel, (x1, x2) in (
        (image[0, 0], (grid[0], grid[0])),
        (image[0, -1], (grid[-1], grid[0])),
    ):
        colour = nn.OUTPUT_CMAP(nn.sigmoid(1.0 * x1 + 0.5 * x2 - 1.0), bytes=True)
        np.testing.assert_array_equal(pixel, colour)
    np.testing.assert_array_equal(
        image, nn.OUTPUT_CMAP(nn.neuron_output_image(1.0, 0.5, -1.0), bytes=True)
    )
    x1, x2 = artist(fig, "boundary").get_data()
    np.testing.assert_allclose(
        1.0 * np.asarray(x1) + 0.5 * np.asarray(x2) - 1.0, 0.0, atol=1e-12
    )
    x, y = nn.toy_blobs()
    np.testing.assert_allclose(artist(fig, "class-1-points").get_offsets(), x[y == 1])
    z = x[y == 0] @ [1.0, 0.5] - 1.0
    np.testing.assert_allclose(
        artist(fig, "class-0-on-sigmoid").get_offsets(),
        np.column_stack([z, nn.sigmoid(z)]),
    )
    assert "71 of 80 correct (88.8%)" in artist(fig, "neuron-title").get_text()
    for ax in fig.axes[:2]:
        assert ax.get_xlabel() and ax.get_ylabel()
    assert (
        fig.axes[0].get_xlim() == nn.INPUT_LIMITS
        and fig.axes[0].get_ylim() == nn.INPUT_LIMITS
    )


def test_points_beyond_the_sigmoid_panel_sit_at_its_edge():
    fig = nn.plot_neuron(w1=3.0, w2=3.0, b=5.0)
    z_shown = artist(fig, "class-1-on-sigmoid").get_offsets()[:, 0]
    assert z_shown.max() == nn.Z_LIMITS[1]


def test_update_matches_a_fresh_plot():
    moved = nn.plot_neuron(1.0, 0.5, -1.0)
    nn.update_neuron(moved, w1=-0.5, w2=2.0, b=0.75)
    fresh = nn.plot_neuron(-0.5, 2.0, 0.75)
    np.testing.assert_allclose(
        artist(moved, "neuron-output").get_array(),
        artist(fresh, "neuron-output").get_array(),
    )
    np.testing.assert_allclose(
        artist(moved, "boundary").get_data(), artist(fresh, "boundary").get_data()
    )
    for gid in ("class-0-on-sigmoid", "class-1-on-sigmoid"):
        np.testing.assert_allclose(
            artist(moved, gid).get_offsets(), artist(fresh, gid).get_offsets()
        )
    assert (
        artist(moved, "neuron-title").get_text()
        == artist(fresh, "neuron-title").get_text()
    )


@pytest.mark.parametrize("bad", ["abc", float("nan"), None, float("inf")])
def test_plot_rejects_bad_values_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="w2"):
        nn.plot_neuron(w1=1.0, w2=bad, b=0.0)


def test_slider_moves_the_neuron_and_swaps_the_frame():
    live = nn.neuron_widget()
    first_frame = bytes(live.image.value)
    assert first_frame.startswith(PNG_SIGNATURE) and first_frame == live.first_view_png
    live.set(w1=1.0, w2=1.0, b=0.0)
    assert live.values == {"w1": 1.0, "w2": 1.0, "b": 0.0}
    x1, x2 = artist(live.figure, "boundary").get_data()
    np.testing.assert_allclose(np.asarray(x1) + np.asarray(x2), 0.0, atol=1e-12)
    image = np.asarray(artist(live.figure, "neuron-output").get_array())
    np.testing.assert_array_equal(
        image[nn.GRID_SIZE // 2, nn.GRID_SIZE // 2], nn.OUTPUT_CMAP(0.5, bytes=True)
    )
    assert "78 of 80 correct (97.5%)" in artist(live.figure, "neuron-title").get_text()
    assert (
        bytes(live.image.value).startswith(PNG_SIGNATURE)
        and bytes(live.image.value) != first_frame
    )
    assert len(live.redraw_seconds) == 2  # w2 and b changed; w1 did not


def test_moving_back_gives_the_first_frame_again():
    live = nn.neuron_widget()
    live.set(b=2.0)
    live.set(b=-1.0)
    assert bytes(live.image.value) == live.first_view_png


def test_saturation_figure_draws_the_slope():
    fig = nn.plot_sigmoid_saturation()
    z, slope = fig.axes[1].lines[0].get_data()
    np.testing.assert_allclose(slope, nn.sigmoid_slope(z))
    assert max(slope) == 0.25


# ---------------------------------------------------------------------------------------------
# exercises (test_checks.py runs every reference and mistake; these cover what is special here)


def test_forward_exercise_explains_a_shape_error():
    message = check("01.3", lambda x, W, b: nn.sigmoid(W @ x + b)).message
    assert "shapes do not fit" in message


def test_forward_exercise_reports_a_missing_return_and_other_errors():
    def forward(x, W, b):
        z = x @ W + b  # noqa: F841  (the learner forgot to return)

    assert "forget `return`" in check("01.3", forward).message
    assert "ZeroDivisionError" in check("01.3", lambda x, W, b: 1 / 0).message
    assert "give a function forward(x, W, b)" in check("01.3", 3).message


def test_forward_exercise_accepts_keras_ops_and_a_written_out_sigmoid():
    assert check("01.3", lambda x, W, b: 1 / (1 + np.exp(-(x @ W + b))))
    assert check("01.3", lambda x, W, b: nn.dense(x, W, b, "sigmoid"))


def test_sigmoid_exercise_accepts_four_significant_digits():
    assert check("01.1", 0.8808)
    assert check("01.1", 0.8807)  # cut, not rounded
    assert not check("01.1", 0.881)
    assert "rounded more than asked" in check("01.1", 0.881).message


def test_shape_exercise_accepts_a_list_or_a_numpy_shape():
    assert check("01.2", [32, 3])
    assert check("01.2", np.zeros((32, 3)).shape)


def test_importing_the_module_does_not_import_tensorflow():
    code = "import sys, course_utils.neuron; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_exercise_01_1_accepts_four_significant_digits_as_promised():
    # The exercise asks for "at least 4 significant digits": truncated or rounded, both count.
    for answer in (0.8807, 0.8808, 0.88080, 1 / (1 + np.exp(-2.0))):
        assert check("01.1", answer), answer
    for answer in (0.88, 0.881, 0.8805):
        assert not check("01.1", answer), answer


# ---------------------------------------------------------------------------------------------
# a curved boundary needs a hidden layer


def test_disc_and_ring_is_seeded_and_no_line_separates_it():
    x, y = nn.make_disc_and_ring()
    x2, y2 = nn.make_disc_and_ring()
    np.testing.assert_array_equal(x, x2)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert np.all(radius[y == 1] <= 1.0) and np.all(radius[y == 0] >= 2.2)
    # A line leaves the disc on one side, so it cannot hold the ring points of both sides:
    # the best of many lines stays far from 100 %.
    rng = np.random.default_rng(0)
    best = max(
        nn.accuracy(y, nn.sigmoid(x @ rng.normal(size=2) + 3 * rng.normal()))
        for _ in range(3000)
    )
    assert best < 0.8


def test_ring_network_draws_a_closed_curved_boundary():
    x, y = nn.make_disc_and_ring()
    W1, b1, W2, b2 = nn.ring_network()
    assert [p.shape for p in (W1, b1, W2, b2)] == [(2, 3), (3,), (3, 1), (1,)]

    def predict(X):
        return nn.sigmoid(np.tanh(X @ W1 + b1) @ W2 + b2)

    assert nn.accuracy(y, predict(x)[:, 0]) == 1.0
    fig = nn.plot_decision_boundary(predict, x, y, title="ring")
    boundary = fig.axes[0].collections[0].get_paths()  # the contour ŷ = 0.5
    vertices = np.concatenate([path.vertices for path in boundary])
    radius = np.hypot(vertices[:, 0], vertices[:, 1])
    # closed around the disc and curved: its distance to the centre varies, but not like a line's
    assert (
        1.0 < radius.min() and radius.max() < 2.2 and radius.max() / radius.min() > 1.1
    )
    assert fig.axes[0].get_title() == "ring"


def test_decision_boundary_refuses_bad_input():
    x, y = nn.make_disc_and_ring()
    with pytest.raises(TypeError, match="predict"):
        nn.plot_decision_boundary("model", x, y)
    with pytest.raises(ValueError, match="x must have shape"):
        nn.plot_decision_boundary(lambda X: X[:, 0], x[:5], y)


def test_the_best_straight_line_classifies_79_of_the_80_toy_points():
    """Notebook 01 §4: 79 is the best a line does on the blobs, and w = (1, 0.75), b = 0.45
    reaches it (the reference w = (1, 1), b = 0 gets 78).

    A line that classifies k points correctly can be turned and shifted, keeping every point on
    its side, until it passes through two of the points; those two can then go to either side.
    So the best count is the best, over every line through two points, of the points it gets
    right among the other 78, plus 2.
    """
    x, y = nn.toy_blobs()
    best = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            direction = x[j] - x[i]
            side = (x - x[i]) @ np.array([-direction[1], direction[0]])
            others = np.ones(len(x), dtype=bool)
            others[[i, j]] = False
            for sign in (1.0, -1.0):
                right = np.sum((sign * side[others] > 0) == (y[others] == 1))
                best = max(best, int(right) + 2)
    assert best == 79
    assert nn.accuracy(y, nn.neuron(x, [1.0, 0.75], 0.45)) * len(y) == 79
    assert nn.accuracy(y, nn.neuron(x, [1.0, 1.0], 0.0)) * len(y) == 78
