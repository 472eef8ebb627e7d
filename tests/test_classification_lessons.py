"""Notebook 05's helpers (course_utils.classification_lessons): every number against Keras or the catalog.

Expected values come from Keras (under tf.GradientTape for gradients), from the catalog's own
implementations, or from an independent closed form; none is copied from an output.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_utils import classification_lessons as cl
from course_utils.losses import get
from course_utils.losses._arrays import EPSILON
from course_utils.plotting import artist

NOTEBOOK = (
    Path(__file__).resolve().parents[1] / "notebooks" / "05_classification_losses.ipynb"
)
NINE = (
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
)


def _keras_loss(name):
    import keras

    return getattr(keras.losses, name)


# ----------------------------------------------------------------------------- §1


def test_bce_helpers_equal_keras_from_probabilities_and_from_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 12).astype(float)
    z = rng.normal(0.0, 6.0, 12)
    p = 1.0 / (1.0 + np.exp(-z))
    keras_p = np.asarray(_keras_loss("binary_crossentropy")(y[:, None], p[:, None]))
    keras_z = np.asarray(
        _keras_loss("binary_crossentropy")(y[:, None], z[:, None], from_logits=True)
    )
    np.testing.assert_allclose(cl.bce_clipped(y, p), keras_p, rtol=1e-6)
    np.testing.assert_allclose(cl.bce_from_logits(y, z), keras_z, rtol=1e-6)


def test_bce_from_logits_is_finite_where_the_naive_form_overflows():
    values = cl.bce_from_logits(np.array([1.0, 0.0]), np.array([-800.0, 800.0]))
    np.testing.assert_allclose(values, [800.0, 800.0], rtol=1e-12)


def test_clipping_table_matches_the_catalog_loss_and_its_gradient_through_the_sigmoid():
    z = np.array([-50.0, -20.0, -16.0, -3.0, 0.5, 18.0])
    table = cl.clipping_table(z, y=1.0)
    p = table["p"]
    entry = get("binary_crossentropy")
    np.testing.assert_allclose(
        table["clipped"], entry.numpy(np.ones((6, 1)), p[:, None])
    )
    chained = entry.grad(np.ones((6, 1)), p[:, None])[:, 0] * p * (1.0 - p)
    np.testing.assert_allclose(table["clipped_grad"], chained, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(
        table["from_logits"],
        entry.numpy(np.ones((6, 1)), z[:, None], from_logits=True),
        rtol=1e-12,
    )
    assert table["clipped"][0] == pytest.approx(-np.log(EPSILON), rel=1e-6)
    assert table["clipped_grad"][0] == 0.0 and table["logit_grad"][0] == pytest.approx(
        -1.0
    )


# ----------------------------------------------------------------------------- §2


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_logit_gradients_equal_autodiff_of_keras_losses(y):
    import keras
    import tensorflow as tf

    z = np.linspace(-9.0, 9.0, 19)
    curves = cl.logit_gradients(z, y)
    variable = tf.Variable(z)
    target = tf.fill((19, 1), tf.constant(y, tf.float64))
    with tf.GradientTape(persistent=True) as tape:
        p = tf.sigmoid(variable)[:, None]
        ce = keras.losses.binary_crossentropy(target, p)
        se = keras.losses.mean_squared_error(target, p)
        ce_total, se_total = tf.reduce_sum(ce), tf.reduce_sum(se)
    np.testing.assert_allclose(curves["bce"], ce.numpy(), rtol=1e-6)
    np.testing.assert_allclose(curves["mse"], se.numpy(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(
        curves["bce_grad"], tape.gradient(ce_total, variable), rtol=1e-6
    )
    np.testing.assert_allclose(
        curves["mse_grad"], tape.gradient(se_total, variable), rtol=1e-9, atol=1e-15
    )


def test_the_squared_error_gradient_vanishes_on_confident_mistakes_and_ce_does_not():
    curves = cl.logit_gradients(np.array([-10.0]), 1.0)
    assert abs(curves["bce_grad"][0]) > 0.99
    assert abs(curves["mse_grad"][0]) < 1e-4


def test_plot_ce_vs_mse_draws_both_losses_and_gradients():
    fig = cl.plot_ce_vs_mse(y=1.0)
    left, right = fig.axes
    assert len(left.get_lines()) == 2 and len(right.get_lines()) >= 2
    z, grad = right.get_lines()[0].get_data()
    np.testing.assert_allclose(grad, cl.logit_gradients(z, 1.0)["bce_grad"])


@pytest.mark.parametrize("bad", [0.5, 2, True, "1"])
def test_a_target_that_is_not_0_or_1_is_refused_by_name(bad):
    with pytest.raises((TypeError, ValueError), match="y must be"):
        cl.logit_gradients(np.zeros(3), bad)


# ----------------------------------------------------------------------------- §4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_renormalised_sigmoid_ce_equals_keras_under_gradient_tape(seed):
    from course_utils import article_errata as errata

    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 4.0, 5)
    target = int(rng.integers(0, 5))
    parts = cl.renormalised_sigmoid_ce(z, target)
    y_true = np.eye(5)[[target]]
    broken = errata.sigmoid_with_categorical_crossentropy(z[None], y_true)
    fixed = errata.softmax_with_categorical_crossentropy(z[None], y_true)
    assert parts["sigmoid_loss"] == pytest.approx(float(broken["loss"][0]), rel=1e-6)
    assert parts["sigmoid_sum"] == pytest.approx(
        float(broken["output_sum"][0]), rel=1e-12
    )
    np.testing.assert_allclose(
        parts["sigmoid_grad"], broken["logit_gradient"][0], rtol=1e-6, atol=1e-9
    )
    assert parts["softmax_loss"] == pytest.approx(float(fixed["loss"][0]), rel=1e-6)
    np.testing.assert_allclose(
        parts["softmax_grad"], fixed["logit_gradient"][0], rtol=1e-6, atol=1e-9
    )


def test_renormalised_sigmoid_ce_refuses_bad_input_by_name():
    with pytest.raises(ValueError, match="z must be a 1-D array"):
        cl.renormalised_sigmoid_ce(np.zeros((2, 3)), 0)
    with pytest.raises(ValueError, match="target must be in"):
        cl.renormalised_sigmoid_ce(np.zeros(3), 3)
    with pytest.raises(TypeError, match="target must be a class id"):
        cl.renormalised_sigmoid_ce(np.zeros(3), 1.0)


def test_plot_sigmoid_vs_softmax_bars_are_the_two_gradients():
    z, target = np.array([8.0, 0.0, 0.0, 0.0, 0.0]), 1
    fig = cl.plot_sigmoid_vs_softmax(z, target)
    heights = [patch.get_height() for patch in fig.axes[0].patches]
    parts = cl.renormalised_sigmoid_ce(z, target)
    np.testing.assert_allclose(
        heights, np.concatenate([parts["sigmoid_grad"], parts["softmax_grad"]])
    )


# ----------------------------------------------------------------------------- §6


def test_focal_weight_times_ce_is_keras_binary_focal_with_class_balancing():
    p = np.linspace(0.02, 0.98, 25)
    for gamma, alpha in ((2.0, 0.25), (0.0, 1.0), (3.5, 0.6)):
        expected = np.asarray(
            _keras_loss("binary_focal_crossentropy")(
                np.ones((25, 1)),
                p[:, None],
                apply_class_balancing=True,
                gamma=gamma,
                alpha=alpha,
            )
        )
        ours = cl.focal_weight(p, gamma, alpha) * -np.log(p)
        np.testing.assert_allclose(ours, expected, rtol=1e-6)


def test_focal_widget_draws_what_the_sliders_say():
    live = cl.focal_widget()
    live.set(gamma=0.0, alpha=1.0)
    loss = artist(live.figure, "focal-loss")
    np.testing.assert_allclose(loss.get_ydata(), -np.log(loss.get_xdata()), rtol=1e-12)
    live.set(gamma=3.0, alpha=0.5)
    weight = artist(live.figure, "focal-weight")
    np.testing.assert_allclose(
        weight.get_ydata(), 0.5 * (1.0 - weight.get_xdata()) ** 3.0, rtol=1e-12
    )
    marks = artist(live.figure, "focal-marks").get_ydata()
    np.testing.assert_allclose(marks, 0.5 * (1.0 - np.array([0.1, 0.9])) ** 3.0)
    assert marks[0] / marks[1] == pytest.approx(9.0**3)  # (0.9 / 0.1)^γ
    assert "weighs 729 times the easy one" in cl.focal_summary(3.0, 0.5)
    assert "undefined" in cl.focal_summary(3.0, 0.0)


def test_focal_widget_with_alpha_zero_still_draws_on_the_log_axis():
    live = cl.focal_widget()
    live.set(alpha=0.0)
    assert np.all(artist(live.figure, "focal-weight").get_ydata() > 0)


@pytest.mark.parametrize(("control", "value"), [("gamma", 5.5), ("alpha", -0.1)])
def test_focal_widget_refuses_values_outside_its_sliders(control, value):
    live = cl.focal_widget()
    with pytest.raises(ValueError, match=control):
        live.set(**{control: value})


@pytest.mark.parametrize(
    ("gamma", "alpha", "message"),
    [
        (-1.0, 0.25, "gamma must be in"),
        (2.0, 1.5, "alpha must be in"),
        ("2", 0.2, "gamma"),
    ],
)
def test_focal_weight_refuses_bad_parameters_by_name(gamma, alpha, message):
    with pytest.raises((TypeError, ValueError), match=message):
        cl.focal_weight(0.5, gamma, alpha)


# ----------------------------------------------------------------------------- §7


def test_gce_curve_equals_the_catalog_and_keras_and_its_limits():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(4), 6)
    labels = rng.integers(0, 4, 6)
    p_y = probs[np.arange(6), labels]
    for q in (0.2, 0.5, 1.0):
        keras_value = np.asarray(
            _keras_loss("categorical_generalized_cross_entropy")(labels, probs, q=q)
        )
        np.testing.assert_allclose(cl.gce_curve(p_y, q), keras_value, rtol=1e-6)
    np.testing.assert_allclose(cl.gce_curve(p_y, 1.0), 1.0 - p_y, rtol=1e-12)
    np.testing.assert_allclose(cl.gce_curve(p_y, 1e-7), -np.log(p_y), rtol=1e-5)
    with pytest.raises(ValueError, match="q must be in"):
        cl.gce_curve(p_y, 0.0)


@pytest.mark.parametrize("q", [0.0, 0.3, 1.0])
def test_gce_logit_gradient_equals_autodiff_of_keras_on_a_softmax(q):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(5)
    Z = rng.normal(size=(7, 3))
    labels = rng.integers(0, 3, 7)
    variable = tf.Variable(Z)
    with tf.GradientTape() as tape:
        probs = tf.nn.softmax(variable)
        if q == 0.0:
            loss = keras.losses.sparse_categorical_crossentropy(labels, probs)
        else:
            loss = keras.losses.categorical_generalized_cross_entropy(
                labels, probs, q=q
            )
        cost = tf.reduce_mean(loss)
    np.testing.assert_allclose(
        cl.gce_logit_gradient(Z, labels, q),
        tape.gradient(cost, variable),
        rtol=1e-6,
        atol=1e-12,
    )


def test_noisy_label_experiment_is_deterministic_and_gce_recovers_the_noisy_class():
    first = cl.noisy_label_experiment(qs=(0.0, 1.0))
    assert first == cl.noisy_label_experiment(qs=(0.0, 1.0))
    assert first[1.0]["accuracy"] > first[0.0]["accuracy"] + 0.03
    assert first[1.0]["class0_recall"] > first[0.0]["class0_recall"] + 0.1


def test_noisy_blobs_flip_only_class_0_to_class_1_at_about_the_asked_rate():
    _, clean, noisy = cl.noisy_blobs(m=3000, noise=0.3, seed=0)
    changed = clean != noisy
    assert np.all(clean[changed] == 0) and np.all(noisy[changed] == 1)
    assert 0.25 < changed[clean == 0].mean() < 0.35
    with pytest.raises(ValueError, match="noise must be in"):
        cl.noisy_blobs(noise=1.5)
    with pytest.raises(ValueError, match="m must be an int"):
        cl.noisy_blobs(m=2.5)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- §8


def test_hinge_curves_equal_the_catalog_and_keras_with_signed_labels():
    margin = np.linspace(-2.0, 3.0, 11)
    curves = cl.hinge_curves(margin)
    ones = np.ones((11, 1))
    np.testing.assert_allclose(
        curves["hinge"],
        np.asarray(_keras_loss("hinge")(ones, margin[:, None])),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        curves["squared_hinge"],
        get("squared_hinge").numpy(ones, margin[:, None]),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        curves["logistic"], cl.bce_from_logits(1.0, margin), rtol=1e-12
    )


def test_static_figures_build():
    for fig in (cl.plot_gce(), cl.plot_hinges()):
        assert len(fig.axes[0].get_lines()) >= 3


# ----------------------------------------------------------------------------- the notebook


def _notebook_code() -> str:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NINE)
def test_each_classification_loss_is_taught_with_its_proof_against_keras(name):
    """The loss appears in a code cell that uses keras.losses.<name> and asserts agreement."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    proofs = [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code"
        and re.search(rf"keras\.losses\.{name}\b", cell.source)
        and re.search(r"assert", cell.source)
    ]
    assert proofs, f"no cell computes keras.losses.{name} and asserts equality"


def test_the_formulas_the_notebook_shows_are_the_catalogs():
    source = _notebook_code()
    assert "Math(" in source
    for shown in re.findall(r"Math\((\w+)\.latex\)", source):
        assert shown in {"bce", "cce", "scce", "focal", "gce", "hinge", "cat_hinge"}


def test_importing_the_lesson_modules_imports_no_tensorflow_and_warns_nothing():
    code = (
        "import sys, course_utils.classification_lessons, course_utils.exercises.nb05\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False False"
