"""Helpers of notebook 07 (course_utils.keras_losses_lessons) and its exercises (nb07).

Every hand-worked reduction is compared with Keras's own loss objects, the registered Loss
subclass with its NumPy reference and with a reload in a fresh process, and the exercise's
stable log-cosh with ``keras.losses.log_cosh``.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from course_utils import keras_losses_lessons as kl
from course_utils.checks import check, exercise
from course_utils.exercises import nb07

keras = pytest.importorskip("keras")


def _numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)


# ----------------------------------------------------------------------------- module rules


def test_importing_the_module_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.keras_losses_lessons, course_utils.exercises.nb07; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_reductions_listed_are_exactly_those_keras_accepts():
    from keras.src.losses.loss import standardize_reduction

    for reduction in (*kl.REDUCTIONS, None):
        assert standardize_reduction(reduction) == reduction
    with pytest.raises(ValueError):
        standardize_reduction("average")
    with pytest.raises(ValueError, match="reduction must be one of"):
        kl.reduce_by_hand([1.0, 2.0], reduction="average")


# ----------------------------------------------------------------------------- reductions


@pytest.mark.parametrize("reduction", [*kl.REDUCTIONS, None])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduce_by_hand_matches_keras(reduction, weighted, seed):
    rng = np.random.default_rng(seed)
    m, k = rng.integers(1, 9), rng.integers(1, 4)
    y_true, y_pred = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    weights = rng.uniform(0.0, 3.0, size=m) if weighted else None
    loss = keras.losses.MeanSquaredError(reduction=reduction, dtype="float64")
    expected = _numpy(loss(y_true, y_pred, sample_weight=weights))
    by_hand = kl.reduce_by_hand(
        kl.squared_error_per_sample(y_true, y_pred), weights, reduction
    )
    np.testing.assert_allclose(by_hand, expected, rtol=1e-12)


def test_the_worked_example_gives_the_numbers_in_the_notebook():
    losses = kl.squared_error_per_sample(kl.EXAMPLE_Y_TRUE, kl.EXAMPLE_Y_PRED)
    np.testing.assert_allclose(losses, [0.25, 0.0, 4.0, 0.25])
    w = kl.EXAMPLE_SAMPLE_WEIGHT
    assert kl.reduce_by_hand(losses, w, "sum_over_batch_size") == pytest.approx(0.25)
    assert kl.reduce_by_hand(losses, w, "mean_with_sample_weight") == pytest.approx(0.2)
    assert kl.reduce_by_hand(losses, w, "sum") == pytest.approx(1.0)


def test_masked_mean_matches_keras_ignore_class():
    rng = np.random.default_rng(3)
    labels = rng.integers(-1, 4, size=(3, 5))
    logits = rng.normal(size=(3, 5, 4))
    per_pixel = _numpy(
        keras.losses.sparse_categorical_crossentropy(
            np.where(labels < 0, 0, labels), logits, from_logits=True
        )
    )
    ignoring = keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, dtype="float64"
    )
    assert kl.masked_mean_by_hand(per_pixel, labels != -1) == pytest.approx(
        float(ignoring(labels, logits)), rel=1e-10
    )
    assert kl.masked_mean_by_hand([1.0, 2.0], [False, False]) == 0.0
    with pytest.raises(ValueError, match="mask must have the shape"):
        kl.masked_mean_by_hand([1.0, 2.0], [True])


# ----------------------------------------------------------------------------- data and models


def test_mnist_batch_and_ink_regression():
    x, y = kl.mnist_batch(10, offset=5)
    assert x.shape == (10, 784) and x.dtype == np.float32 and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0 and set(y) <= set(range(10))
    top, ink = kl.ink_regression(10, offset=5)
    np.testing.assert_allclose(top, x[:, :392])
    np.testing.assert_allclose(ink[:, 0], 10 * x[:, 392:].mean(axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="offset \\+ count"):
        kl.mnist_batch(10, offset=10**6)


def test_dense_classifier_shapes_and_seed():
    first = kl.dense_classifier(num_classes=7, hidden=4)
    second = kl.dense_classifier(num_classes=7, hidden=4)
    assert first.output_shape == (None, 7)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    probs = kl.dense_classifier(output_activation="softmax")(np.zeros((2, 784)))
    np.testing.assert_allclose(_numpy(probs).sum(axis=1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="output_activation"):
        kl.dense_classifier(output_activation="relu")


def test_first_loss_of_a_fresh_classifier_is_about_ln_k():
    x, y = kl.mnist_batch(256)
    logits = kl.dense_classifier()(x)
    first = float(
        keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    )
    assert abs(first - math.log(10)) < 0.35


def test_repeat_batch():
    x, y = np.arange(6.0).reshape(3, 2), np.array([0, 1, 2])
    xs, ys = kl.repeat_batch(x, y, 4)
    assert xs.shape == (12, 2) and list(ys) == [0, 1, 2] * 4
    with pytest.raises(ValueError, match="steps"):
        kl.repeat_batch(x, y, 0)


# ----------------------------------------------------------------------------- the Loss subclass


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_quantile_loss_class_matches_its_numpy_reference(tau):
    rng = np.random.default_rng(4)
    y_true, y_pred = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    loss = kl.quantile_loss_class()(tau=tau, reduction="none", dtype="float64")
    np.testing.assert_allclose(
        _numpy(loss(y_true, y_pred)),
        kl.quantile_loss_numpy(y_true, y_pred, tau),
        rtol=1e-12,
    )
    if tau == 0.5:  # half the absolute error
        np.testing.assert_allclose(
            kl.quantile_loss_numpy(y_true, y_pred, tau),
            0.5 * _numpy(keras.losses.mean_absolute_error(y_true, y_pred)),
            rtol=1e-12,
        )


def test_quantile_loss_config_round_trips_and_is_registered():
    cls = kl.quantile_loss_class()
    original = cls(tau=0.8)
    rebuilt = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(original)
    )
    assert type(rebuilt) is cls and rebuilt.tau == 0.8
    assert keras.saving.get_registered_name(cls) == "course_utils>QuantileLoss"
    with pytest.raises(ValueError, match="tau must be in"):
        cls(tau=1.5)
    with pytest.raises(ValueError, match="tau must be in"):
        kl.quantile_loss_numpy([1.0], [1.0], 0.0)


def test_a_saved_model_loads_in_a_fresh_process(tmp_path):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=kl.quantile_loss_class()(tau=0.3))
    model.fit(x, x[:, :1], verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    fresh = kl.load_in_fresh_process(path, x[:4])
    assert fresh.error_before_import.startswith("TypeError: Could not locate class")
    assert fresh.loss_class == "QuantileLoss" and fresh.loss_config["tau"] == 0.3
    np.testing.assert_allclose(
        fresh.prediction, model.predict(x[:4], verbose=0), rtol=1e-6
    )
    with pytest.raises(ValueError, match="path must be an existing .keras file"):
        kl.load_in_fresh_process(tmp_path / "missing.keras", x)


# ----------------------------------------------------------------------------- debugging


def test_finite_checks_name_the_bad_tensor():
    probs = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], dtype="float32")
    labels = np.array([1, 2])
    np.testing.assert_allclose(
        _numpy(kl.crossentropy_with_finite_checks(labels, probs)),
        _numpy(keras.losses.sparse_categorical_crossentropy(labels, probs)),
        rtol=1e-6,
    )
    with pytest.raises(
        FloatingPointError, match=r"log p_y is not finite in rows \[0\]"
    ):
        kl.crossentropy_with_finite_checks(np.array([2, 2]), probs)
    with pytest.raises(FloatingPointError, match="y_pred"):
        kl.assert_finite("y_pred", np.array([[np.nan, 1.0]]))


def test_finite_check_on_a_symbolic_tensor_asks_for_eager_mode():
    symbolic = keras.KerasTensor((None, 3))
    with pytest.raises(RuntimeError, match="run_eagerly=True"):
        kl.assert_finite("y_pred", symbolic)


def test_silencing_native_errors_keeps_python_output():
    code = (
        "import os, sys, course_utils.keras_losses_lessons as k; "
        "k.silence_native_tensorflow_errors(); os.write(2, b'native'); "
        "print('python')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "python"
    assert "native" not in result.stderr


# ----------------------------------------------------------------------------- figures


def test_loss_curves_plot_the_runs():
    fig = kl.plot_loss_curves({"a": [2.0, 1.0], "b": [2.3, 2.3, 2.3]}, reference=2.3)
    line = kl.artist(fig, "run-1")
    np.testing.assert_allclose(line.get_ydata(), [2.3, 2.3, 2.3])
    with pytest.raises(ValueError, match="histories"):
        kl.plot_loss_curves({})
    with pytest.raises(ValueError, match="finite"):
        kl.plot_loss_curves({"a": [1.0, float("nan")]})


def test_reductions_widget_moves_the_bars():
    live = kl.reductions_widget()
    losses = kl.squared_error_per_sample(kl.EXAMPLE_Y_TRUE, kl.EXAMPLE_Y_PRED)
    for weight in (0.0, 1.25, 3.0):
        live.set(weight=weight)
        weights = np.array([3.0, 1.0, weight, 1.0])
        expected = [
            kl.reduce_by_hand(losses, weights, r)
            for r in ("sum_over_batch_size", "mean_with_sample_weight", "sum")
        ]
        heights = [kl.artist(live.figure, f"bar-{i}").get_height() for i in range(3)]
        np.testing.assert_allclose(heights, expected)
        assert kl.artist(live.figure, "value-2").get_text() == f"{expected[2]:.3f}"
    with pytest.raises(ValueError, match="weight must be"):
        live.set(weight=5.0)
    with pytest.raises(ValueError, match="weight must be in"):
        kl.plot_reductions(weight=-1.0)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: kl.squared_error_per_sample("a", [[1.0]]), "y_true"),
        (lambda: kl.squared_error_per_sample([[1.0]], [[np.nan]]), "y_pred"),
        (lambda: kl.squared_error_per_sample([[1.0]], [[1.0, 2.0]]), "y_pred"),
        (lambda: kl.reduce_by_hand(None), "losses"),
        (lambda: kl.reduce_by_hand([1.0, 2.0], [1.0]), "sample_weight"),
        (lambda: kl.reduce_by_hand([1.0], reduction="avg"), "reduction"),
        (lambda: kl.masked_mean_by_hand("a", [True]), "losses"),
        (lambda: kl.mnist_batch("10"), "count"),
        (lambda: kl.mnist_batch(10, offset=-1), "offset"),
        (lambda: kl.ink_regression(None), "count"),
        (lambda: kl.dense_classifier(num_classes=0), "num_classes"),
        (lambda: kl.dense_classifier(hidden=2.5), "hidden"),
        (lambda: kl.repeat_batch(np.ones((2, 1)), np.ones(2), "3"), "steps"),
        (lambda: kl.quantile_loss_numpy("a", [1.0], 0.5), "y_true"),
        (lambda: kl.load_in_fresh_process("model.h5", [[1.0]]), "path"),
        (lambda: kl.plot_loss_curves({"a": "text"}), "histories"),
        (lambda: kl.plot_reductions(weight=7.0), "weight"),
    ],
)
def test_bad_input_gets_one_error_naming_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError), match=rf"\b{argument}\b"):
        call()


# ----------------------------------------------------------------------------- exercises


def test_the_notebooks_exercises_are_registered():
    for key in ("07.1", "07.2", "07.3", "07.4"):
        assert exercise(key).key == key


def test_exercise_07_1_is_keras_default_reduction():
    loss_values = np.asarray(nb07.LOSSES_07_1)
    reported = keras.losses.MeanAbsoluteError(dtype="float64")(
        np.zeros((4, 1)), loss_values[:, None], sample_weight=nb07.WEIGHTS_07_1
    )
    assert float(reported) == pytest.approx(exercise("07.1").solution)


def test_exercise_07_2_is_what_fit_logs():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(2, activity_regularizer=keras.regularizers.L2(0.01))(
        inputs
    )
    model = keras.Model(
        inputs,
        {
            "price": keras.layers.Dense(1, name="price")(hidden),
            "kind": keras.layers.Dense(3, name="kind")(hidden),
        },
    )
    model.compile(
        loss={
            "price": "mean_squared_error",
            "kind": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"price": 0.5, "kind": 2.0},
    )
    y = {"price": x[:, :1], "kind": np.array([0, 1, 2, 0, 1, 2, 0, 1])}
    logged = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    model(x)  # the activity regulariser's term for this batch, as this Keras scales it
    added = sum(float(loss) for loss in model.losses)
    assert added > 0
    # The rule of exercise 07.2, applied to this model's numbers, is what Keras logs.
    assert logged["loss"] == pytest.approx(
        0.5 * logged["price_loss"] + 2.0 * logged["kind_loss"] + added, rel=1e-5
    )


def test_exercise_07_4_reference_is_keras_log_cosh():
    expected = _numpy(
        keras.losses.log_cosh(
            nb07.Y_TRUE_07_4.astype("float64"), nb07.Y_PRED_07_4.astype("float64")
        )
    )
    value = nb07.evaluate_loss_function(exercise("07.4").solution)
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    assert check("07.4", keras.losses.log_cosh).passed
    assert "float32" in check("07.4", nb07._naive_log_cosh).message
