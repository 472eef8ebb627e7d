"""Loss, cost, gradients, gradient descent and the figures of notebook 02, driven without a browser."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import gradient_descent as gd
from course_utils.checks import check
from course_utils.exercises import nb02
from course_utils.plotting import artist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data():
    return gd.line_data()


# ---------------------------------------------------------------------------- data, loss and cost


def test_data_is_seeded_and_shaped():
    x1, y1 = gd.make_line_data(12, seed=3)
    x2, y2 = gd.make_line_data(12, seed=3)
    assert x1.shape == y1.shape == (12,)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert np.all((0 <= x1) & (x1 <= 3))
    x, y = gd.make_line_data(50, noise=0.0, w=2.0, b=-1.0)
    np.testing.assert_allclose(y, 2.0 * x - 1.0)


def test_default_data_is_read_only(data):
    x, _ = data
    with pytest.raises(ValueError):
        x[0] = 1.0


def test_cost_is_the_mean_of_the_per_sample_losses():
    y_true, y_pred = np.array(gd.EXERCISE_TARGETS), np.array(gd.EXERCISE_PREDICTIONS)
    np.testing.assert_allclose(gd.squared_losses(y_true, y_pred), [0.25, 0.0, 1.0, 4.0])
    assert gd.mse_cost_of_predictions(y_true, y_pred) == pytest.approx(1.3125)


def test_cost_of_a_line_matches_its_predictions(data):
    x, y = data
    assert gd.mse_cost(0.7, 0.2, x, y) == pytest.approx(
        gd.mse_cost_of_predictions(y, 0.7 * x + 0.2)
    )


def test_cost_on_a_grid_matches_pointwise(data):
    x, y = data
    w_grid, b_grid = np.meshgrid([-1.0, 0.5, 2.0], [0.0, 1.0])
    grid = gd.mse_cost(w_grid, b_grid, x, y)
    assert grid.shape == (2, 3)
    assert grid[1, 2] == pytest.approx(gd.mse_cost(2.0, 1.0, x, y))


def test_least_squares_is_the_minimum_and_matches_numpy(data):
    x, y = data
    w_star, b_star = gd.least_squares_fit(x, y)
    np.testing.assert_allclose([w_star, b_star], np.polyfit(x, y, 1))
    np.testing.assert_allclose(
        gd.mse_gradient(w_star, b_star, x, y), [0.0, 0.0], atol=1e-12
    )


# ---------------------------------------------------------------------------- gradients


def test_gradient_formula_on_a_small_case():
    # x = (1, 2), y = (2, 3), w = b = 0: errors (-2, -3)
    np.testing.assert_allclose(
        gd.mse_gradient(0.0, 0.0, [1.0, 2.0], [2.0, 3.0]), [-8.0, -5.0]
    )


@pytest.mark.parametrize("w,b", [(-1.0, 4.0), (0.3, -2.0), (3.5, 1.0)])
def test_gradient_matches_finite_differences(data, w, b):
    x, y = data
    numeric = gd.finite_difference_gradient(
        lambda ww, bb: gd.mse_cost(ww, bb, x, y), w, b
    )
    np.testing.assert_allclose(
        gd.mse_gradient(w, b, x, y), numeric, rtol=1e-6, atol=1e-8
    )


def test_gradient_on_a_grid_matches_pointwise(data):
    x, y = data
    dw, db = gd.mse_gradient(np.array([[0.0, 1.0]]), np.array([[2.0, -1.0]]), x, y)
    np.testing.assert_allclose([dw[0, 1], db[0, 1]], gd.mse_gradient(1.0, -1.0, x, y))


def test_tiny_network_gradient_matches_finite_differences():
    x, y = gd.make_tiny_network_data()
    numeric = gd.finite_difference_gradient(
        lambda w, v: gd.tiny_network_cost(w, v, x, y), 0.7, -0.4
    )
    np.testing.assert_allclose(
        gd.tiny_network_gradient(0.7, -0.4, x, y), numeric, rtol=1e-6
    )


def test_gradients_match_tensorflow(data):
    import keras
    import tensorflow as tf

    x, y = data
    w, b = tf.Variable(-1.0, dtype=tf.float64), tf.Variable(4.0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        cost = keras.ops.mean(keras.ops.square(w * x + b - y))
    np.testing.assert_allclose(
        [g.numpy() for g in tape.gradient(cost, [w, b])],
        gd.mse_gradient(-1.0, 4.0, x, y),
    )
    keras_cost = float(keras.losses.MeanSquaredError()(y, -1.0 * x + 4.0))
    assert keras_cost == pytest.approx(gd.mse_cost(-1.0, 4.0, x, y), rel=1e-6)


# ---------------------------------------------------------------------------- gradient descent


def test_descent_converges_below_the_bound_and_diverges_above(data):
    x, y = data
    bound = 2.0 / np.linalg.eigvalsh(gd.linear_mse_hessian(x)).max()
    minimum = gd.mse_cost(*gd.least_squares_fit(x, y), x, y)
    good = gd.gradient_descent(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.95 * bound, steps=400
    )
    assert not good.diverged and good.final_cost == pytest.approx(minimum, rel=1e-6)
    bad = gd.gradient_descent(
        x, y, w0=-1.0, b0=4.0, learning_rate=1.05 * bound, steps=400
    )
    assert (
        bad.diverged
        and len(bad.path) < 401
        and np.abs(bad.path[-1]).max() >= gd.ESCAPE_SIZE
    )


def test_descent_path_follows_the_update_rule(data):
    x, y = data
    run = gd.gradient_descent(x, y, w0=0.5, b0=0.5, learning_rate=0.1, steps=3)
    assert run.path.shape == (4, 2) and run.costs.shape == (4,)
    dw, db = gd.mse_gradient(0.5, 0.5, x, y)
    np.testing.assert_allclose(run.path[1], [0.5 - 0.1 * dw, 0.5 - 0.1 * db])
    assert np.all(np.diff(run.costs) < 0)


def test_zero_steps_stays_at_the_start(data):
    run = gd.gradient_descent(*data, w0=1.0, b0=2.0, learning_rate=0.1, steps=0)
    np.testing.assert_array_equal(run.path, [[1.0, 2.0]])
    assert not run.diverged


def test_hessian_is_positive_semidefinite(data):
    x, _ = data
    assert np.all(np.linalg.eigvalsh(gd.linear_mse_hessian(x)) > 0)


def test_clip_keeps_inside_points_and_ends_on_the_edge():
    path = np.array([[0.0, 0.0], [0.5, 0.5], [3.0, 1.0], [50.0, -70.0]])
    clipped = gd.clip_path_to_box(path, (-1.0, 1.0), (-1.0, 1.0))
    np.testing.assert_allclose(clipped, [[0.0, 0.0], [0.5, 0.5], [1.0, 0.6]])
    np.testing.assert_array_equal(
        gd.clip_path_to_box(path[:2], (-1, 1), (-1, 1)), path[:2]
    )
    assert len(gd.clip_path_to_box(np.array([[5.0, 5.0]]), (-1, 1), (-1, 1))) == 0


# ---------------------------------------------------------------------------- convexity


def test_tiny_network_has_two_minima_with_a_higher_midpoint():
    x, y = gd.make_tiny_network_data()
    w, v = gd.find_tiny_network_minimum(x, y)
    np.testing.assert_allclose(
        gd.tiny_network_gradient(w, v, x, y), [0.0, 0.0], atol=1e-6
    )
    assert gd.tiny_network_cost(-w, -v, x, y) == pytest.approx(
        gd.tiny_network_cost(w, v, x, y)
    )
    assert gd.tiny_network_cost(0.0, 0.0, x, y) > gd.tiny_network_cost(w, v, x, y)


# ---------------------------------------------------------------------------- figures and widget


def test_residual_plot_draws_one_segment_per_sample(data):
    x, y = data
    fig = gd.plot_residuals(x, y, 1.0, 0.0)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    segments = ax.collections[0].get_segments()
    assert len(segments) == len(x)
    np.testing.assert_allclose([s[:, 0] for s in segments], np.c_[x, x])
    np.testing.assert_allclose([s[1, 1] for s in segments], 1.0 * x)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert f"{gd.mse_cost(1.0, 0.0, x, y):.4f}" in ax.get_title()


def test_descent_plot_draws_the_run(data):
    x, y = data
    fig = gd.plot_gradient_descent(learning_rate=0.1, w0=-1.0, b0=4.0, steps=30)
    run = gd.gradient_descent(x, y, w0=-1.0, b0=4.0, learning_rate=0.1, steps=30)
    np.testing.assert_allclose(np.c_[artist(fig, "gd-path").get_data()], run.path)
    np.testing.assert_allclose(
        artist(fig, "gd-end").get_data(), [[run.path[-1, 0]], [run.path[-1, 1]]]
    )
    assert f"J = {run.final_cost:.4f}" in artist(fig, "gd-title").get_text()
    ax = fig.axes[0]
    assert ax.get_xlim() == gd.W_LIMITS and ax.get_ylim() == gd.B_LIMITS


def test_update_matches_a_fresh_plot():
    moved = gd.plot_gradient_descent()
    gd.update_gradient_descent(moved, learning_rate=0.02, w0=3.0, b0=-3.0, steps=55)
    fresh = gd.plot_gradient_descent(learning_rate=0.02, w0=3.0, b0=-3.0, steps=55)
    for gid in ("gd-path", "gd-end", "gd-start"):
        np.testing.assert_allclose(
            artist(moved, gid).get_data(), artist(fresh, gid).get_data()
        )
    assert artist(moved, "gd-title").get_text() == artist(fresh, "gd-title").get_text()


def test_widget_shows_convergence_slow_progress_and_divergence(data):
    x, y = data
    w_star, b_star = gd.least_squares_fit(x, y)
    live = gd.gradient_descent_widget()
    first = bytes(live.image.value)
    assert first.startswith(PNG_SIGNATURE) and first == live.first_view_png

    live.set(learning_rate=0.2, steps=100)
    end_w, end_b = (v[0] for v in artist(live.figure, "gd-end").get_data())
    assert (end_w, end_b) == pytest.approx((w_star, b_star), abs=1e-3)
    assert "diverges" not in artist(live.figure, "gd-title").get_text()

    live.set(learning_rate=0.005, steps=10)
    path_w, path_b = artist(live.figure, "gd-path").get_data()
    assert (
        len(path_w) == 11
        and np.hypot(path_w[-1] - path_w[0], path_b[-1] - path_b[0]) < 0.5
    )

    live.set(learning_rate=0.3, steps=100)
    path_w, path_b = artist(live.figure, "gd-path").get_data()
    assert "diverges" in artist(live.figure, "gd-title").get_text()
    assert (
        path_w.min() >= gd.W_LIMITS[0] - 1e-9 and path_w.max() <= gd.W_LIMITS[1] + 1e-9
    )
    assert (
        path_b.min() >= gd.B_LIMITS[0] - 1e-9 and path_b.max() <= gd.B_LIMITS[1] + 1e-9
    )
    on_edge = (
        np.isclose(path_w[-1], gd.W_LIMITS).any()
        or np.isclose(path_b[-1], gd.B_LIMITS).any()
    )
    assert on_edge, "a diverging path is drawn until it leaves the view"
    assert len(artist(live.figure, "gd-end").get_data()[0]) == 0, (
        "the end is outside the view: no marker"
    )
    assert (
        bytes(live.image.value).startswith(PNG_SIGNATURE)
        and bytes(live.image.value) != first
    )

    live.set(learning_rate=0.1, steps=30)
    assert bytes(live.image.value) == first


def test_widget_start_sliders_move_the_start():
    live = gd.gradient_descent_widget()
    live.set(w0=2.0, b0=-3.0, steps=0)
    np.testing.assert_allclose(
        artist(live.figure, "gd-start").get_data(), [[2.0], [-3.0]]
    )
    np.testing.assert_allclose(
        artist(live.figure, "gd-path").get_data(), [[2.0], [-3.0]]
    )


def test_regimes_figure_has_one_panel_per_rate():
    fig = gd.plot_learning_rate_regimes((0.01, 0.2, 0.27))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert (
        len(titles) == 3
        and "diverges" in titles[2]
        and "diverges" not in titles[0] + titles[1]
    )


def test_tiny_network_figure():
    x, y = gd.make_tiny_network_data()
    minimum = gd.find_tiny_network_minimum(x, y)
    fig = gd.plot_tiny_network_cost(x, y, minimum)
    slice_ax = fig.axes[1]
    t, along = slice_ax.lines[0].get_data()
    assert along[len(t) // 2] == pytest.approx(gd.tiny_network_cost(0.0, 0.0, x, y))
    assert along.max() > max(along[0], along[-1])


# ---------------------------------------------------------------------------- exercises


def test_exercise_references_follow_from_the_helpers():
    assert check(
        "02.1", gd.mse_cost_of_predictions(gd.EXERCISE_TARGETS, gd.EXERCISE_PREDICTIONS)
    )
    run = gd.gradient_descent(
        [1.0, 2.0], [2.0, 3.0], w0=0.0, b0=0.0, learning_rate=0.1, steps=1
    )
    assert check("02.2", tuple(run.path[1]))
    assert check(
        "02.4", ["epochs", "learning_rate", "batch_size", "huber_delta", "hidden_units"]
    )


def test_learning_rate_exercise_matches_the_quadratic():
    # J(w) = 2 w², w <- (1 - 4 eta) w: converges below 0.5, not above
    for eta, converges in ((0.49, True), (0.51, False)):
        w = 1.0
        for _ in range(200):
            w -= eta * 4 * w
        assert (abs(w) < 1) == converges
    assert check("02.3", 0.5)


def test_classification_exercise_explains_unknown_names():
    message = check("02.4", {"epochs", "momentum"}).message
    assert "momentum" in message and "choose from" in message


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: gd.make_line_data(0), "m"),
        (lambda: gd.make_line_data(5, noise=-1.0), "noise"),
        (lambda: gd.mse_cost(1.0, 0.0, [1.0, 2.0], [1.0]), "y"),
        (lambda: gd.mse_cost(1.0, 0.0, [[1.0]], [[1.0]]), "x"),
        (lambda: gd.mse_cost(np.zeros(2), np.zeros(3), [1.0], [1.0]), "w and b"),
        (lambda: gd.squared_losses([1.0, 2.0], [1.0]), "y_pred"),
        (
            lambda: gd.gradient_descent(
                [1.0], [1.0], w0=0.0, b0=0.0, learning_rate=-0.1, steps=3
            ),
            "learning_rate",
        ),
        (
            lambda: gd.gradient_descent(
                [1.0], [1.0], w0=0.0, b0=0.0, learning_rate=0.1, steps=2.5
            ),
            "steps",
        ),
        (
            lambda: gd.gradient_descent(
                [1.0], [1.0], w0="a", b0=0.0, learning_rate=0.1, steps=1
            ),
            "w0",
        ),
        (lambda: gd.finite_difference_gradient(lambda w, b: 0.0, 0.0, 0.0, h=0.0), "h"),
        (lambda: gd.finite_difference_gradient(3.0, 0.0, 0.0), "cost"),
        (lambda: gd.least_squares_fit([1.0, 1.0], [0.0, 2.0]), "x"),
        (lambda: gd.plot_residuals([1.0], [1.0], float("nan"), 0.0), "w"),
        (lambda: gd.clip_path_to_box(np.zeros(3), (0, 1), (0, 1)), "path"),
        (lambda: gd.plot_learning_rate_regimes(()), "learning_rates"),
        (
            lambda: gd.update_gradient_descent(
                gd.plot_gradient_descent(), learning_rate=0.0, w0=0.0, b0=0.0, steps=1
            ),
            "learning_rate",
        ),
        (lambda: nb02.hyperparameter_indicator("epochs"), "set of names"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_importing_the_module_does_not_import_tensorflow():
    code = "import sys, course_utils.gradient_descent; sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ---------------------------------------------------------------------------- the 2/λ_max flag


def test_divergence_flag_and_title_agree_with_the_two_over_lambda_max_analysis(data):
    x, y = data
    limit = gd.largest_stable_rate(x)
    assert limit == pytest.approx(2 / np.linalg.eigvalsh(gd.linear_mse_hessian(x))[-1])
    below = gd.gradient_descent(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.99 * limit, steps=30
    )
    above = gd.gradient_descent(
        x, y, w0=-1.0, b0=4.0, learning_rate=1.002 * limit, steps=30
    )
    assert not below.diverged and above.diverged and above.rate_limit == limit
    # just above the limit the cost has not grown yet after 30 steps: the flag follows the
    # analysis (|1 − ηλ_max| > 1), not the first steps of the cost
    assert above.final_cost < above.costs[0]
    longer = gd.gradient_descent(
        x, y, w0=-1.0, b0=4.0, learning_rate=1.002 * limit, steps=3000
    )
    assert longer.final_cost > above.final_cost
    live = gd.gradient_descent_widget()
    live.set(learning_rate=0.235, steps=30)
    title = artist(live.figure, "gd-title").get_text()
    assert title.startswith("η = 0.235 ≥ 2/λ_max = 0.2347: diverges")
    live.set(learning_rate=0.23, steps=30)
    assert "diverges" not in artist(live.figure, "gd-title").get_text()


# ---------------------------------------------------------------------------- minibatch SGD


def test_full_batch_sgd_is_gradient_descent(data):
    x, y = data
    sgd = gd.minibatch_sgd(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.1, batch_size=len(x), epochs=7
    )
    full = gd.gradient_descent(x, y, w0=-1.0, b0=4.0, learning_rate=0.1, steps=7)
    np.testing.assert_allclose(sgd.path, full.path, rtol=1e-12)
    assert sgd.updates_per_epoch == 1


def test_minibatch_sgd_takes_ceil_m_over_b_steps_per_epoch(data):
    x, y = data
    run = gd.minibatch_sgd(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.1, batch_size=7, epochs=3
    )
    assert run.updates_per_epoch == 5 and run.path.shape == (16, 2)
    np.testing.assert_allclose(run.epochs[[0, 5, 15]], [0.0, 1.0, 3.0])
    # without shuffling the first step uses samples 0..6, as fit(..., shuffle=False) does
    unshuffled = gd.minibatch_sgd(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.1, batch_size=7, epochs=1, shuffle=False
    )
    error = -1.0 * x[:7] + 4.0 - y[:7]
    expected = (-1.0 - 0.2 * np.mean(error * x[:7]), 4.0 - 0.2 * np.mean(error))
    np.testing.assert_allclose(unshuffled.path[1], expected)
    again = gd.minibatch_sgd(
        x, y, w0=-1.0, b0=4.0, learning_rate=0.1, batch_size=7, epochs=3
    )
    np.testing.assert_array_equal(run.path, again.path)  # seeded shuffles


def test_small_batches_get_further_per_epoch_but_noisier(data):
    x, y = data
    runs = {
        size: gd.minibatch_sgd(
            x, y, w0=-1.0, b0=4.0, learning_rate=0.1, batch_size=size, epochs=10
        )
        for size in (2, 30)
    }
    assert runs[2].final_cost < 0.5 < runs[30].final_cost
    # noise: the full-data cost goes up after some minibatch steps, never after a full step
    assert np.any(np.diff(runs[2].costs) > 0) and np.all(np.diff(runs[30].costs) < 0)


def test_minibatch_sgd_refuses_bad_input(data):
    x, y = data
    common = {"w0": 0.0, "b0": 0.0, "learning_rate": 0.1, "epochs": 1}
    with pytest.raises(ValueError, match="batch_size must be at most"):
        gd.minibatch_sgd(x, y, batch_size=31, **common)
    with pytest.raises(TypeError, match="batch_size"):
        gd.minibatch_sgd(x, y, batch_size=2.5, **common)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        gd.minibatch_sgd(x, y, batch_size=2, shuffle="no", **common)


def test_minibatch_widget_moves_paths_curves_and_title():
    live = gd.minibatch_sgd_widget()
    live.set(batch_size=3, epochs=4)
    run, full = gd._minibatch_runs(3, 4)
    np.testing.assert_allclose(
        np.column_stack(artist(live.figure, "sgd-path").get_data())[-1], run.path[-1]
    )
    t, cost = artist(live.figure, "sgd-curve").get_data()
    assert len(t) == 41 and t[-1] == pytest.approx(4.0)
    assert len(artist(live.figure, "full-path").get_data()[0]) == 5
    title = artist(live.figure, "sgd-title").get_text()
    assert title.startswith("B = 3: 10 updates per epoch; after 4 epochs")
    with pytest.raises(ValueError):
        live.set(batch_size=31)
