"""Backpropagation, its checks, the output gradients, vanishing gradients and the figures of notebook 03."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from course_utils import backprop as bp
from course_utils import environment
from course_utils.checks import check
from course_utils.exercises import nb03
from course_utils.neuron import sigmoid
from course_utils.plotting import LIVE_DPI, artist

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def params():
    return bp.example_parameters()


@pytest.fixture(scope="module")
def batch():
    return bp.example_batch()


def _random_parameters(
    seed: int, n_in: int = 3, n_hidden: int = 4
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(size=(n_in, n_hidden)),
        "b1": rng.normal(size=n_hidden),
        "W2": rng.normal(size=(n_hidden, 1)),
        "b2": rng.normal(size=1),
    }


# ---------------------------------------------------------------------------- the network and its cost


def test_example_parameters_are_seeded_rounded_and_keras_shaped(params):
    assert [params[name].shape for name in bp.PARAMETER_NAMES] == [
        (2, 2),
        (2,),
        (2, 1),
        (1,),
    ]
    for name in bp.PARAMETER_NAMES:
        np.testing.assert_array_equal(params[name], np.round(params[name], 1))
        np.testing.assert_array_equal(params[name], bp.example_parameters()[name])
    assert not np.array_equal(bp.example_parameters(seed=6)["W1"], params["W1"])


def test_example_batch_is_seeded_with_alternating_labels():
    X, y = bp.example_batch(6, seed=2)
    assert X.shape == (6, 2) and y.shape == (6,)
    np.testing.assert_array_equal(y, [0, 1, 0, 1, 0, 1])
    np.testing.assert_array_equal(X, bp.example_batch(6, seed=2)[0])


def test_forward_pass_composes_two_sigmoid_layers(params, batch):
    X, _ = batch
    fwd = bp.forward_pass(params, X)
    assert fwd.Z1.shape == fwd.A1.shape == (
        4,
        2,
    ) and fwd.z2.shape == fwd.y_hat.shape == (4,)
    hidden = 1 / (1 + np.exp(-(X @ params["W1"] + params["b1"])))
    np.testing.assert_allclose(fwd.A1, hidden, rtol=1e-14)
    np.testing.assert_allclose(
        fwd.y_hat,
        1 / (1 + np.exp(-(hidden @ params["W2"][:, 0] + params["b2"][0]))),
        rtol=1e-14,
    )


def test_bce_cost_is_the_mean_of_minus_log_likelihoods():
    y, y_hat = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.5])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.5)) / 3
    assert bp.bce_cost(y, y_hat) == pytest.approx(expected, rel=1e-14)
    assert bp.bce_cost([1.0], [0.5]) == pytest.approx(np.log(2.0))


def test_network_cost_matches_its_pieces(params, batch):
    X, y = batch
    assert bp.network_cost(params, X, y) == pytest.approx(
        bp.bce_cost(y, bp.forward_pass(params, X).y_hat), rel=1e-15
    )


# ---------------------------------------------------------------------------- backpropagation


def test_backprop_matches_finite_differences(params, batch):
    X, y = batch
    analytic, numeric = (
        bp.backprop_gradients(params, X, y),
        bp.finite_difference_gradients(params, X, y),
    )
    for name in bp.PARAMETER_NAMES:
        assert analytic[name].shape == params[name].shape
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_matches_finite_differences_for_other_sizes(seed):
    rng = np.random.default_rng(seed + 10)
    p = _random_parameters(seed)
    X, y = rng.normal(size=(5, 3)), rng.uniform(0, 1, 5)  # soft labels are allowed
    analytic, numeric = (
        bp.backprop_gradients(p, X, y),
        bp.finite_difference_gradients(p, X, y),
    )
    for name in bp.PARAMETER_NAMES:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-6, atol=1e-10)


def test_backward_pass_node_gradients_follow_the_chain_rule(params, batch):
    X, y = batch
    fwd = bp.forward_pass(params, X)
    bwd = bp.backward_pass(params, fwd, y)
    np.testing.assert_allclose(bwd.dz2, (fwd.y_hat - y) / 4)
    np.testing.assert_allclose(bwd.dA1, np.outer(bwd.dz2, params["W2"][:, 0]))
    np.testing.assert_allclose(bwd.dZ1, bwd.dA1 * fwd.A1 * (1 - fwd.A1))
    np.testing.assert_allclose(bwd.db1, bwd.dZ1.sum(axis=0))
    # ∂J/∂W1[i, j] sums x_i · ∂J/∂Z1[:, j] over the batch
    np.testing.assert_allclose(bwd.dW1[1, 0], np.sum(X[:, 1] * bwd.dZ1[:, 0]))


def test_backprop_matches_tensorflow_gradient_tape(params, batch):
    import keras
    import tensorflow as tf

    X, y = batch
    model = keras.Sequential(
        [
            keras.Input(shape=(2,), dtype="float64"),
            keras.layers.Dense(2, activation="sigmoid", dtype="float64"),
            keras.layers.Dense(1, activation="sigmoid", dtype="float64"),
        ]
    )
    model.set_weights([params[name] for name in bp.PARAMETER_NAMES])
    with tf.GradientTape() as tape:
        cost = keras.losses.BinaryCrossentropy(dtype="float64")(y[:, None], model(X))
    taped = tape.gradient(cost, model.trainable_variables)
    ours = bp.backprop_gradients(params, X, y)
    for name, gradient in zip(bp.PARAMETER_NAMES, taped):
        np.testing.assert_allclose(gradient.numpy(), ours[name], rtol=1e-10)
    assert float(cost) == pytest.approx(bp.network_cost(params, X, y), rel=1e-12)


def test_sgd_step_moves_against_the_gradient_and_keeps_the_input(params, batch):
    X, y = batch
    before = {name: value.copy() for name, value in params.items()}
    grads = bp.backprop_gradients(params, X, y)
    stepped = bp.sgd_step(params, grads, 0.5)
    for name in bp.PARAMETER_NAMES:
        np.testing.assert_allclose(stepped[name], params[name] - 0.5 * grads[name])
        np.testing.assert_array_equal(params[name], before[name])
    assert bp.network_cost(stepped, X, y) < bp.network_cost(params, X, y)


def test_training_lowers_the_cost_and_records_every_step(params, batch):
    X, y = batch
    run = bp.train(params, X, y, learning_rate=1.0, steps=50)
    assert len(run.parameters) == 51 and run.costs.shape == (51,)
    assert run.costs[0] == pytest.approx(bp.network_cost(params, X, y))
    assert np.all(np.diff(run.costs) < 0)
    first = bp.sgd_step(params, bp.backprop_gradients(params, X, y), 1.0)
    np.testing.assert_allclose(run.parameters[1]["W1"], first["W1"])


# ---------------------------------------------------------------------------- output gradients


def test_output_gradients_match_finite_differences():
    z, h = np.linspace(-6, 6, 13), 1e-6
    for y in (0.0, 1.0):

        def bce(t):
            return -(y * np.log(sigmoid(t)) + (1 - y) * np.log(1 - sigmoid(t)))

        def mse(t):
            return (sigmoid(t) - y) ** 2

        np.testing.assert_allclose(
            bp.bce_output_gradient(z, y),
            (bce(z + h) - bce(z - h)) / (2 * h),
            rtol=1e-6,
            atol=1e-10,
        )
        np.testing.assert_allclose(
            bp.mse_output_gradient(z, y),
            (mse(z + h) - mse(z - h)) / (2 * h),
            rtol=1e-6,
            atol=1e-10,
        )


def test_squared_error_gradient_vanishes_where_cross_entropy_does_not():
    # a confidently wrong output: target 1, logit -8 (ŷ ≈ 0.0003)
    assert abs(bp.bce_output_gradient(-8.0, 1.0)) > 0.99
    assert abs(bp.mse_output_gradient(-8.0, 1.0)) < 1e-3


def test_softmax_is_a_stable_distribution_and_its_gradient_is_p_minus_y():
    z = np.array([[1000.0, 0.0, -1000.0], [0.5, -0.2, 0.1]])
    p = bp.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    y = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    h = 1e-6
    row, k = 1, 1

    def loss(t):
        return -np.sum(y[row] * np.log(bp.softmax(t)))

    shifted_up, shifted_down = z[row].copy(), z[row].copy()
    shifted_up[k] += h
    shifted_down[k] -= h
    numeric = (loss(shifted_up) - loss(shifted_down)) / (2 * h)
    assert bp.softmax_cross_entropy_gradient(z, y)[row, k] == pytest.approx(
        numeric, rel=1e-6
    )
    np.testing.assert_allclose(bp.softmax_cross_entropy_gradient(z, y), p - y)


def test_output_gradients_match_tensorflow():
    import tensorflow as tf

    z = tf.Variable(np.array([-4.0, -0.5, 0.0, 3.0]), dtype=tf.float64)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    with tf.GradientTape(persistent=True) as tape:
        y_hat = tf.sigmoid(z)
        bce = tf.reduce_sum(
            -(y * tf.math.log(y_hat) + (1 - y) * tf.math.log(1 - y_hat))
        )
        mse = tf.reduce_sum((y_hat - y) ** 2)
    np.testing.assert_allclose(
        tape.gradient(bce, z).numpy(), bp.bce_output_gradient(z.numpy(), y), rtol=1e-12
    )
    np.testing.assert_allclose(
        tape.gradient(mse, z).numpy(), bp.mse_output_gradient(z.numpy(), y), rtol=1e-12
    )


# ---------------------------------------------------------------------------- the deep chain


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_deep_chain_backprop_matches_finite_differences(activation):
    layers = bp.deep_chain_parameters(3, activation, width=4, seed=1)
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 2, 6).astype(float)
    grads = bp.deep_chain_gradients(layers, X, y, activation)
    assert [dW.shape for dW, _ in grads] == [W.shape for W, _ in layers]
    h = 1e-6
    for layer in (0, 2, 3):
        for index in [(0, 0), (1, 0), (3, 0)]:
            up = [(W.copy(), b.copy()) for W, b in layers]
            down = [(W.copy(), b.copy()) for W, b in layers]
            up[layer][0][index] += h
            down[layer][0][index] -= h
            numeric = (
                bp.deep_chain_cost(up, X, y, activation)
                - bp.deep_chain_cost(down, X, y, activation)
            ) / (2 * h)
            assert grads[layer][0][index] == pytest.approx(numeric, rel=1e-5, abs=1e-10)


def test_deep_chain_initialisation_scales_with_the_fan_in():
    wide = bp.deep_chain_parameters(40, "sigmoid", width=64, seed=0)
    kernel_std = np.std(np.concatenate([W.ravel() for W, _ in wide[:-1]]))
    assert kernel_std == pytest.approx(np.sqrt(1 / 64), rel=0.05)
    relu = bp.deep_chain_parameters(40, "relu", width=64, seed=0)
    assert np.std(np.concatenate([W.ravel() for W, _ in relu[:-1]])) == pytest.approx(
        np.sqrt(2 / 64), rel=0.05
    )
    assert all(np.all(b == 0) for _, b in wide)


def test_sigmoid_gradients_vanish_towards_the_input_and_tanh_relu_do_not():
    sigmoid_norms = bp.deep_chain_gradient_norms(12, "sigmoid")
    assert sigmoid_norms.shape == (12,)
    assert sigmoid_norms[0] < 1e-5 * sigmoid_norms[-1]
    assert np.all(np.diff(np.log(sigmoid_norms)) > 0), (
        "shrinks at every layer on the way down"
    )
    for activation in ("tanh", "relu"):
        norms = bp.deep_chain_gradient_norms(12, activation)
        assert norms[0] > 1e-2 * norms[-1]


# ---------------------------------------------------------------------------- the graph figure


def test_graph_texts_carry_the_forward_and_backward_numbers(params):
    x, y = np.array(bp.EXAMPLE_X), bp.EXAMPLE_Y
    fwd = bp.forward_pass(params, x[None, :])
    grads = bp.backprop_gradients(params, x[None, :], [y])
    texts = bp.graph_texts(params, x, y, stage="backward")
    assert set(texts) == set(bp.GRAPH_LABELS)
    h_value, z_value = (
        texts["value-h2"].split("\n")[2],
        texts["value-h2"].split("\n")[1],
    )
    assert float(h_value) == pytest.approx(fwd.A1[0, 1], abs=5e-4)
    assert float(z_value) == pytest.approx(fwd.Z1[0, 1], abs=5e-4)
    assert float(texts["value-loss"].split("\n")[1]) == pytest.approx(
        -np.log(fwd.y_hat[0]), abs=5e-5
    )
    assert float(texts["grad-W1-21"]) == pytest.approx(grads["W1"][1, 0], abs=5e-4)
    assert float(texts["grad-W2-2"]) == pytest.approx(grads["W2"][1, 0], abs=5e-4)
    assert float(texts["grad-out"].split("\n")[1]) == pytest.approx(
        fwd.y_hat[0] - y, abs=5e-4
    )
    assert float(texts["grad-out"].split("\n")[0]) == pytest.approx(
        -1 / fwd.y_hat[0], abs=5e-4
    )


def test_graph_texts_by_stage(params):
    forward = bp.graph_texts(params, bp.EXAMPLE_X, bp.EXAMPLE_Y, stage="forward")
    assert forward["grad-W1-11"] == "?" and forward["grad-h1"] == "?\n?"
    update = bp.graph_texts(
        params, bp.EXAMPLE_X, bp.EXAMPLE_Y, stage="update", learning_rate=0.5
    )
    grads = bp.backprop_gradients(
        params, np.array(bp.EXAMPLE_X)[None, :], [bp.EXAMPLE_Y]
    )
    old, new = update["value-W2-1"].split(" → ")
    assert float(old) == params["W2"][0, 0]
    assert float(new) == pytest.approx(
        params["W2"][0, 0] - 0.5 * grads["W2"][0, 0], abs=5e-3
    )


def test_signed_numbers_never_show_minus_zero():
    assert bp._signed(-0.0004, 2) == "+0.00"
    assert bp._signed(-0.006, 2) == "-0.01"


def test_graph_figure_writes_every_number_on_it(params):
    fig = bp.plot_computational_graph(params)
    assert isinstance(fig, Figure)
    for gid, text in bp.graph_texts(params, bp.EXAMPLE_X, bp.EXAMPLE_Y).items():
        assert artist(fig, gid).get_text() == text
    drawn = [t.get_text() for t in fig.axes[0].texts]
    for label in ("$a^{[1]}_1$", "$\\hat y$", "$L$", "∂L/∂W[1]₂₁ ="):
        assert label in drawn


@pytest.fixture(params=["en", "zh"])
def figure_language(request):
    """The figures in English, then in Chinese (its fonts and catalog); English again after."""
    environment.setup_notebook(tensorflow=False, lang=request.param)
    yield request.param
    environment.setup_notebook(tensorflow=False, lang="en")


def _meet(a: Bbox, b: Bbox) -> bool:
    """Whether two pixel boxes share more than half a pixel each way (touching is allowed)."""
    return (
        min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5
        and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5
    )


def _layout_clashes(fig: Figure, dpi: float) -> list[str]:
    """Draw ``fig`` at ``dpi`` and list every clash on it: two texts whose boxes meet, a white box
    (a text's own, or a number's ``box-…`` rectangle) over another text, a text over a node, a text
    out of the figure. Only the texts really drawn count (the hidden axes' tick labels do not)."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    drawn: list[Text] = []
    original = Text.draw

    def record(text: Text, renderer) -> None:
        drawn.append(text)
        original(text, renderer)

    Text.draw = record  # type: ignore[method-assign]
    try:
        canvas.draw()
    finally:
        Text.draw = original  # type: ignore[method-assign]
    renderer = canvas.get_renderer()
    texts = [
        t for t in dict.fromkeys(drawn) if t.get_visible() and t.get_text().strip()
    ]
    boxes = {text: text.get_window_extent(renderer) for text in texts}

    def name(text: Text) -> str:
        return str(text.get_gid() or repr(text.get_text()[:20]))

    clashes = [
        f"{name(a)} and {name(b)} overlap"
        for a, b in itertools.combinations(texts, 2)
        if _meet(boxes[a], boxes[b])
    ]
    covers: list[tuple[str, Bbox]] = []
    for text in texts:
        patch = text.get_bbox_patch()
        if patch is not None:
            text.update_bbox_position_size(renderer)
            covers.append((name(text), patch.get_window_extent(renderer)))
    for patch in fig.findobj(Rectangle):
        if str(patch.get_gid()).startswith("box-"):
            covers.append((str(patch.get_gid()), patch.get_window_extent(renderer)))
    for owner, cover in covers:
        clashes += [
            f"the box of {owner} hides {name(text)}"
            for text in texts
            if name(text) not in (owner, owner.removeprefix("box-"))
            and _meet(cover, boxes[text])
        ]
    for node in fig.axes[0].lines:
        if isinstance(node, Line2D) and node.get_marker() == "o":
            circle = node.get_window_extent(renderer)
            clashes += [
                f"{name(text)} is on the node at {node.get_xydata()[0]}"
                for text in texts
                if _meet(circle, boxes[text])
                and not circle.contains(*boxes[text].get_points().mean(axis=0))
            ]
    clashes += [
        f"{name(text)} runs out of the figure"
        for text in texts
        if not fig.bbox.padded(0.5).contains(boxes[text].x0, boxes[text].y0)
        or not fig.bbox.padded(0.5).contains(boxes[text].x1, boxes[text].y1)
    ]
    return clashes


def _widest_moments() -> list[tuple[int, float]]:
    """(step, learning rate) pairs at which some number of the training figure is at its widest
    (most characters, a + counted wider than a −), over every step and every rate of the slider."""
    widest: dict[str, tuple[float, tuple[int, float]]] = {}
    for rate in np.round(np.arange(0.1, 5.01, 0.1), 1):
        run = bp.example_run(float(rate))
        for step in range(bp.MAX_STEPS + 1):
            texts = bp.graph_texts(
                run.parameters[step],
                bp.EXAMPLE_X,
                bp.EXAMPLE_Y,
                stage="update",
                learning_rate=float(rate),
            )
            for gid, text in texts.items():
                size = len(text) + 0.5 * text.count("+")
                if size > widest.get(gid, (0.0, (0, 0.0)))[0]:
                    widest[gid] = (size, (step, float(rate)))
    return sorted({moment for _, moment in widest.values()})


def test_graph_texts_clash_with_nothing(figure_language):
    # No name or number of the graph runs into another, hides under a white box or lies on a node,
    # at any stage, with the widest numbers the widget can show (and the first view's), in the
    # widget's frames (LIVE_DPI) and in the static picture (90 dpi), in both languages.
    moments = [(0, bp.DEFAULT_LEARNING_RATE), (bp.MAX_STEPS, 5.0), *_widest_moments()]
    assert len(moments) >= 4
    fig = bp.plot_training_step()
    clashes = []
    for stage in bp.STAGES:
        for step, rate in moments:
            bp.update_training_step(fig, step=step, learning_rate=rate, stage=stage)
            found = _layout_clashes(fig, LIVE_DPI)
            clashes += [f"{stage}, step {step}, η = {rate}: {c}" for c in found]
    clashes += [f"static, 90 dpi: {c}" for c in _layout_clashes(fig, 90)]
    graph = bp.plot_computational_graph(stage="update")
    clashes += [f"graph: {c}" for c in _layout_clashes(graph, 90)]
    assert not clashes, "\n".join(clashes[:20])


def test_training_figure_draws_the_run_and_marks_the_step():
    fig = bp.plot_training_step(step=4, learning_rate=2.0, stage="update")
    run = bp.example_run(2.0)
    t, cost = artist(fig, "loss-curve").get_data()
    np.testing.assert_array_equal(t, np.arange(bp.MAX_STEPS + 1))
    np.testing.assert_allclose(cost, run.costs)
    np.testing.assert_allclose(
        artist(fig, "loss-marker").get_data(), [[4], [run.costs[4]]]
    )
    assert artist(fig, "step-title").get_text() == "iteration 5 (after 4 updates)"
    assert artist(fig, "rate-title").get_text() == "learning rate η = 2.0"
    assert artist(fig, "stage-title").get_text().startswith("stage 3 of 3, update")
    assert (
        artist(fig, "value-W1-11")
        .get_text()
        .startswith(f"{run.parameters[4]['W1'][0, 0]:+.2f} → ")
    )


def test_example_run_trains_the_drawn_example():
    run = bp.example_run(1.0)
    assert run.costs[-1] < 0.1 * run.costs[0]
    assert run.costs[0] == pytest.approx(
        bp.network_cost(
            bp.example_parameters(), np.array([bp.EXAMPLE_X]), [bp.EXAMPLE_Y]
        )
    )


def test_update_matches_a_fresh_plot():
    moved = bp.plot_training_step(0, 1.0, "forward")
    bp.update_training_step(moved, step=7, learning_rate=3.0, stage="backward")
    fresh = bp.plot_training_step(7, 3.0, "backward")
    for gid in bp.GRAPH_LABELS:
        assert artist(moved, gid).get_text() == artist(fresh, gid).get_text()
    for gid in ("step-title", "rate-title", "stage-title"):
        assert artist(moved, gid).get_text() == artist(fresh, gid).get_text()
    for gid in ("box-value-W1-12", "box-grad-W2-2"):
        assert artist(moved, gid).get_width() == artist(fresh, gid).get_width()
    np.testing.assert_allclose(
        artist(moved, "loss-curve").get_data(), artist(fresh, "loss-curve").get_data()
    )


def test_widget_steps_through_an_iteration_and_swaps_the_frame():
    live = bp.training_step_widget()
    first = bytes(live.image.value)
    assert first.startswith(PNG_SIGNATURE) and first == live.first_view_png
    assert artist(live.figure, "grad-W1-11").get_text() == "?"
    live.set(stage="backward")
    grads = bp.backprop_gradients(
        bp.example_parameters(), np.array([bp.EXAMPLE_X]), [bp.EXAMPLE_Y]
    )
    assert float(artist(live.figure, "grad-W1-11").get_text()) == pytest.approx(
        grads["W1"][0, 0], abs=5e-4
    )
    live.set(step=10, learning_rate=0.5)
    run = bp.example_run(0.5)
    np.testing.assert_allclose(
        artist(live.figure, "loss-marker").get_data(), [[10], [run.costs[10]]]
    )
    np.testing.assert_allclose(
        artist(live.figure, "loss-curve").get_data()[1], run.costs
    )
    assert live.values == {"step": 10, "learning_rate": 0.5, "stage": "backward"}
    assert (
        bytes(live.image.value).startswith(PNG_SIGNATURE)
        and bytes(live.image.value) != first
    )
    assert len(live.redraw_seconds) == 3
    live.set(step=0, learning_rate=1.0, stage="forward")
    assert bytes(live.image.value) == first


def test_output_gradient_figure_draws_both_gradients():
    fig = bp.plot_output_gradients(y=1.0)
    z, bce_gradient = fig.axes[1].lines[0].get_data()
    np.testing.assert_allclose(bce_gradient, sigmoid(z) - 1.0)
    _, mse_gradient = fig.axes[1].lines[1].get_data()
    np.testing.assert_allclose(
        mse_gradient, 2 * (sigmoid(z) - 1.0) * sigmoid(z) * (1 - sigmoid(z))
    )
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_vanishing_figure_plots_the_norms_on_a_log_scale():
    fig = bp.plot_vanishing_gradients(depth=6, activations=("sigmoid", "relu"))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()
    layers, norms = artist(fig, "norms-sigmoid").get_data()
    np.testing.assert_array_equal(layers, np.arange(1, 7))
    np.testing.assert_allclose(norms, bp.deep_chain_gradient_norms(6, "sigmoid"))
    with pytest.raises(KeyError):
        artist(fig, "norms-tanh")


# ---------------------------------------------------------------------------- exercises


def test_exercise_references_follow_from_the_helpers():
    assert check("03.1", float(bp.bce_output_gradient(np.log(0.8 / 0.2), 1.0)))
    assert check("03.2", 0.3 * -1.5 * 0.6 * 0.4 * 2.0)
    assert check("03.3", 0.25**10)
    assert not check("03.3", 0.25**9)


def test_layer_exercise_matches_the_network_backward_pass(params, batch):
    # the second layer of the 2 → 2 → 1 network is a dense sigmoid layer: its backward pass is exercise 03.4's
    X, y = batch
    fwd = bp.forward_pass(params, X)
    bwd = bp.backward_pass(params, fwd, y)
    d_y_hat = bwd.dz2 / (fwd.y_hat * (1 - fwd.y_hat))
    dW, db, dX = nb03._layer_backward_reference(
        d_y_hat[:, None], fwd.y_hat[:, None], fwd.A1, params["W2"]
    )
    np.testing.assert_allclose(dW, bwd.dW2)
    np.testing.assert_allclose(db, bwd.db2)
    np.testing.assert_allclose(dX, bwd.dA1)


def test_layer_exercise_explains_shapes_and_missing_returns():
    message = check(
        "03.4", lambda dA, A, X, W: (X.T @ dA, dA.sum(axis=1), dA @ W.T)
    ).message
    assert "db must have shape (3,)" in message
    assert "forget `return`" in check("03.4", lambda dA, A, X, W: None).message
    assert "three arrays" in check("03.4", lambda dA, A, X, W: X.T @ dA).message
    assert "give a function" in check("03.4", 3.0).message


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: bp.forward_pass({"W1": np.ones((2, 2))}, np.ones((1, 2))), "missing"),
        (lambda: bp.forward_pass([1, 2], np.ones((1, 2))), "params"),
        (
            lambda: bp.forward_pass(
                {**bp.example_parameters(), "b1": np.ones(3)}, np.ones((1, 2))
            ),
            "b1",
        ),
        (
            lambda: bp.forward_pass(
                {**bp.example_parameters(), "W2": np.ones((1, 2))}, np.ones((1, 2))
            ),
            "W2",
        ),
        (
            lambda: bp.forward_pass(
                {**bp.example_parameters(), "b2": np.ones(2)}, np.ones((1, 2))
            ),
            "b2",
        ),
        (lambda: bp.forward_pass(bp.example_parameters(), np.ones(2)), "reshape"),
        (
            lambda: bp.forward_pass(bp.example_parameters(), np.ones((1, 3))),
            "X must have 2 columns",
        ),
        (
            lambda: bp.forward_pass(bp.example_parameters(), [[np.nan, 1.0]]),
            "X must be finite",
        ),
        (
            lambda: bp.backprop_gradients(
                bp.example_parameters(), np.ones((3, 2)), [0.0, 1.0]
            ),
            "y must hold one label",
        ),
        (
            lambda: bp.backprop_gradients(
                bp.example_parameters(), np.ones((2, 2)), [0.0, 2.0]
            ),
            r"y must hold labels in \[0, 1\]",
        ),
        (lambda: bp.bce_cost([1.0, 0.0], [1.0, 0.5]), "strictly between 0 and 1"),
        (lambda: bp.bce_cost([1.0, 0.0], [0.5]), "y_hat"),
        (
            lambda: bp.finite_difference_gradients(
                bp.example_parameters(), np.ones((1, 2)), [1.0], h=0.0
            ),
            "h",
        ),
        (
            lambda: bp.sgd_step(bp.example_parameters(), bp.example_parameters(), -1.0),
            "learning_rate",
        ),
        (
            lambda: bp.train(
                bp.example_parameters(),
                np.ones((1, 2)),
                [1.0],
                learning_rate=0.1,
                steps=1.5,
            ),
            "steps",
        ),
        (
            lambda: bp.graph_texts(bp.example_parameters(), [1.0, 2.0, 3.0], 1.0),
            "x must be one example",
        ),
        (
            lambda: bp.graph_texts(bp.example_parameters(), [1.0, 2.0], 1.5),
            "y must be a label",
        ),
        (
            lambda: bp.graph_texts(
                bp.example_parameters(), [1.0, 2.0], 1.0, stage="sideways"
            ),
            "stage",
        ),
        (lambda: bp.graph_texts(_random_parameters(0), [1.0, 2.0], 1.0), "2 → 2 → 1"),
        (lambda: bp.plot_training_step(step=bp.MAX_STEPS + 1), "step must be at most"),
        (
            lambda: bp.update_training_step(
                bp.plot_training_step(), step=0, learning_rate=0.0, stage="forward"
            ),
            "learning_rate",
        ),
        (lambda: bp.softmax(3.0), "z"),
        (
            lambda: bp.softmax_cross_entropy_gradient(
                np.zeros(3), np.array([0.5, 0.0, 0.0])
            ),
            "sum to 1",
        ),
        (
            lambda: bp.softmax_cross_entropy_gradient(np.zeros(3), np.zeros(2)),
            "shape of z",
        ),
        (lambda: bp.plot_output_gradients(y=0.5), "0 or 1"),
        (lambda: bp.deep_chain_parameters(0), "depth"),
        (lambda: bp.deep_chain_parameters(3, "softplus"), "activation"),
        (lambda: bp.deep_chain_gradient_norms(3, m=0), "m"),
        (lambda: bp.plot_vanishing_gradients(activations=()), "activations"),
        (lambda: bp.example_parameters(seed=-1), "seed"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises((TypeError, ValueError, KeyError), match=name):
        call()


def test_importing_the_module_does_not_import_tensorflow():
    code = "import sys, course_utils.backprop; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_widget_title_names_iteration_updates_and_stage_apart():
    # The stage's number must not read as a count of updates ("…, 3 update").
    live = bp.training_step_widget()
    live.set(step=30, stage="update")
    assert live.text("step-title") == "iteration 31 (after 30 updates)"
    assert live.text("rate-title") == "learning rate η = 1.0"
    assert live.text("stage-title") == "stage 3 of 3, update: θ → θ − η·∂L/∂θ"
    assert bp.step_title(1, 0.5, "forward") == (
        "iteration 2 (after 1 update)",
        "learning rate η = 0.5",
        "stage 1 of 3, forward: values and loss",
    )


def test_exercise_03_3_accepts_the_rounded_value_its_solution_quotes():
    assert check("03.3", 9.5e-7) and check("03.3", 0.25**10) and check("03.3", 9.54e-7)
    assert not check("03.3", 1e-6) and not check("03.3", 0.5**10)


def test_graph_path_through_a12_uses_the_weight_w1_22(params):
    # x₂ reaches a[1]₂ through W[1]₂₂ (row = input, column = unit), as the notebook says.
    texts = bp.graph_texts(params, bp.EXAMPLE_X, bp.EXAMPLE_Y)
    bwd_grad = bp.backprop_gradients(params, np.array([bp.EXAMPLE_X]), [bp.EXAMPLE_Y])
    assert bp.GRAPH_LABELS["grad-W1-22"] == "∂L/∂W[1]₂₂ ="
    assert float(texts["grad-W1-22"]) == pytest.approx(bwd_grad["W1"][1, 1], abs=5e-4)
