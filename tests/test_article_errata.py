"""The source article's mistakes (course_utils.article_errata): each broken version fails exactly as documented,
each fix works and agrees with Keras or with an independent formula."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from course_utils import article_errata as errata
from course_utils.article_errata import ERRATA, Erratum, get_erratum, run
from course_utils.losses._arrays import EPSILON


def _values(result):
    return np.asarray(result, dtype=np.float64)


# ----------------------------------------------------------------------------- the registry


def test_importing_the_errata_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.article_errata as e; assert len(e.ERRATA) >= 8; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_registry_labels_are_unique_and_cover_the_required_mistakes():
    labels = [erratum.label for erratum in ERRATA]
    assert len(labels) == len(set(labels))
    assert {3, 4, 5, 6, 7, 10, 11, 12, 13, 14} <= {erratum.number for erratum in ERRATA}
    numbers = [erratum.number for erratum in ERRATA]
    assert numbers == sorted(numbers)  # the order of the course's list of mistakes
    for erratum in ERRATA:
        assert isinstance(erratum, Erratum)
        assert erratum.title and erratum.what_goes_wrong.endswith(".")
        assert erratum.broken.__doc__ and erratum.fixed.__doc__
        assert erratum.raises is None or erratum.raises.isidentifier()


@pytest.mark.parametrize("erratum", ERRATA, ids=lambda erratum: erratum.label)
def test_run_shows_the_documented_failure_and_a_working_fix(erratum):
    outcome = run(erratum)
    assert outcome.label == erratum.label
    if erratum.raises:
        assert outcome.broken_error is not None and outcome.broken_error.startswith(
            erratum.raises + ":"
        )
        assert outcome.broken_value is None
    else:
        assert outcome.broken_error is None
        broken, fixed = outcome.broken_value, outcome.fixed_value
        if erratum.label == "10":  # same loss and gradient on TF: predict differs
            broken, fixed = broken["output_sum"], fixed["output_sum"]
        elif erratum.label == "12a":  # trains; what differs is the KL it reads
            broken, fixed = broken["kl_stale"], broken["kl_fresh"]
        broken, fixed = _values(broken), _values(fixed)
        differs = broken.shape != fixed.shape or not np.allclose(
            broken, fixed, rtol=1e-3, equal_nan=False
        )
        assert differs, (
            "the broken version should give a different answer on its example"
        )
    assert outcome.fixed_value is not None


def test_run_and_get_erratum_reject_bad_arguments():
    assert get_erratum("7a").title == "Log loss calling tf.log"
    assert get_erratum(3).number == 3
    with pytest.raises(KeyError, match="label must be one of"):
        get_erratum("99")
    with pytest.raises(TypeError, match="erratum must be an Erratum"):
        run("3")


# ----------------------------------------------------------------------------- 3: MSE without the mean


def test_3_mse_without_mean_returns_elements_and_the_fix_matches_keras():
    import keras

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    broken = _values(errata.mse_without_mean(y_true, y_pred))
    assert broken.shape == (5, 4)
    np.testing.assert_allclose(broken, (y_true - y_pred) ** 2, rtol=1e-14)
    fixed = _values(errata.mse_fixed(y_true, y_pred))
    assert fixed.shape == (5,)
    np.testing.assert_allclose(
        fixed, _values(keras.losses.mean_squared_error(y_true, y_pred)), rtol=1e-14
    )


# ----------------------------------------------------------------------------- 4: MAE


def test_4_only_a_hand_written_quotient_divides_by_zero_autodiff_gives_the_subgradient():
    import keras
    import tensorflow as tf

    y_true, y_pred = np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[1.0, 2.5, 3.0, 3.0]])
    broken = errata.mae_gradient_by_division(y_true, y_pred)
    assert np.isnan(broken[0, [0, 2]]).all()
    np.testing.assert_allclose(broken[0, [1, 3]], [0.25, -0.25])

    fixed = errata.mae_gradient_fixed(y_true, y_pred)
    np.testing.assert_array_equal(fixed, [[0.0, 0.25, 0.0, -0.25]])
    variable = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(keras.losses.mean_absolute_error(y_true, variable))
    np.testing.assert_array_equal(tape.gradient(loss, variable).numpy(), fixed)


# ----------------------------------------------------------------------------- 5 and 6: Huber


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_5_huber_without_half_jumps_at_delta_and_the_fix_is_continuous(delta):
    below, above = delta * (1 - 1e-9), delta * (1 + 1e-9)
    y_true, y_pred = np.zeros((2, 1)), np.array([[below], [above]])
    broken = _values(errata.huber_without_half(y_true, y_pred, delta=delta))
    np.testing.assert_allclose(
        broken, [delta**2, delta**2 / 2], rtol=1e-6
    )  # a jump of δ²/2
    fixed = _values(errata.huber_fixed(y_true, y_pred, delta=delta))
    np.testing.assert_allclose(fixed, [delta**2 / 2, delta**2 / 2], rtol=1e-6)


@pytest.mark.parametrize("delta", [0.3, 1.0, 4.0])
def test_huber_fix_matches_keras(delta):
    import keras

    rng = np.random.default_rng(1)
    y_true, y_pred = rng.normal(0, 3, size=(6, 5)), rng.normal(0, 3, size=(6, 5))
    np.testing.assert_allclose(
        _values(errata.huber_fixed(y_true, y_pred, delta=delta)),
        _values(keras.losses.huber(y_true, y_pred, delta=delta)),
        rtol=1e-12,
    )


def test_6_python_if_on_a_tensor_fails_eagerly_and_in_graphs():
    import tensorflow as tf

    example = errata._example_huber_batch()
    with pytest.raises(
        ValueError,
        match="truth value of an array with more than one element is ambiguous",
    ):
        errata.huber_with_python_if(**example)
    # AutoGraph (tf.function's default) turns the if into tf.cond, which wants a scalar condition.
    with pytest.raises(ValueError, match="expected to be `tf.bool` scalar"):
        tf.function(errata.huber_with_python_if)(example["y_true"], example["y_pred"])
    # Without AutoGraph, and inside model.fit, the graph refuses to use a tensor as a Python bool.
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        tf.function(errata.huber_with_python_if, autograph=False)(
            example["y_true"], example["y_pred"]
        )
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError):
        errata.fit_with_python_if_huber()


def test_6_the_fixed_huber_trains_and_its_reported_loss_is_keras_huber():
    import keras

    fixed_loss = errata.fit_with_fixed_huber()
    assert np.isfinite(fixed_loss)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = (
        rng.normal(size=(8, 3)).astype("float32"),
        rng.normal(size=(8, 2)).astype("float32"),
    )
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=keras.losses.Huber())
    assert model.fit(x, y, epochs=1, batch_size=8, verbose=0).history["loss"][
        0
    ] == pytest.approx(fixed_loss, rel=1e-6)


def test_6_a_single_element_hides_the_bug():
    """With one element the if happens to work: why the mistake survives a quick scalar test."""
    assert float(
        errata.huber_with_python_if(np.array([0.0]), np.array([0.5]))[0]
    ) == pytest.approx(0.125)


# ----------------------------------------------------------------------------- 7: log loss


def test_7_tf_log_does_not_exist_in_tensorflow_2():
    import tensorflow as tf

    assert not hasattr(tf, "log") and hasattr(tf.math, "log")
    with pytest.raises(AttributeError, match="has no attribute 'log'"):
        errata.log_loss_with_tf_log(**errata._example_log_loss())


def test_7_clip_plus_epsilon_charges_a_fully_wrong_prediction_ln2_less_than_keras():
    import keras

    y_true, y_pred = np.array([[0.0], [1.0], [1.0]]), np.array([[1.0], [1.0], [0.5]])
    broken = _values(errata.log_loss_clip_plus_epsilon(y_true, y_pred))
    assert broken.shape == (3, 1)  # no mean over the last axis either
    keras_values = _values(keras.losses.binary_crossentropy(y_true, y_pred))
    assert keras_values[0] - broken[0, 0] == pytest.approx(math.log(2.0), rel=1e-6)
    assert broken[0, 0] == pytest.approx(-math.log(2 * EPSILON), rel=1e-6)
    assert broken[2, 0] == pytest.approx(
        keras_values[2], rel=1e-6
    )  # harmless in the middle


def test_7_fixed_log_loss_matches_keras_including_exact_zeros_and_ones():
    import keras

    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, size=(6, 4)).astype(float)
    y_pred = rng.uniform(0, 1, size=(6, 4))
    y_pred[0] = [0.0, 1.0, 0.0, 1.0]
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-6)):
        np.testing.assert_allclose(
            _values(errata.log_loss_fixed(y_true.astype(dtype), y_pred.astype(dtype))),
            _values(
                keras.losses.binary_crossentropy(
                    y_true.astype(dtype), y_pred.astype(dtype)
                )
            ),
            rtol=rtol,
        )


# ----------------------------------------------------------------------------- 10: sigmoid + categorical CE


def test_10_the_raw_op_divides_by_the_sum_as_jax_and_pytorch_do():
    """The raw tf.sigmoid eagerly (labelled raw op; 08 uses it): the divide-by-sum loss."""
    import keras

    example = errata._example_sigmoid_cce()
    logits, y_true = example["logits"], example["y_true"]
    sigmoid = 1.0 / (1.0 + np.exp(-logits))
    softmax = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)

    broken = errata.sigmoid_with_categorical_crossentropy(logits, y_true)
    np.testing.assert_allclose(broken["output_sum"], sigmoid.sum(axis=-1), rtol=1e-12)
    assert broken["output_sum"][0] > 2.9  # five independent answers, not a distribution
    np.testing.assert_allclose(
        broken["loss"], -np.log(sigmoid[0, 1] / sigmoid.sum()), rtol=1e-12
    )
    # the confidently wrong class 0 is barely pushed down: σ(1 − σ)/Σσ instead of about 1
    assert 0 < broken["logit_gradient"][0, 0] < 1e-3
    expected_gradient = sigmoid * (1 - sigmoid) / sigmoid.sum() - y_true * (1 - sigmoid)
    np.testing.assert_allclose(broken["logit_gradient"], expected_gradient, rtol=1e-10)

    fixed = errata.softmax_with_categorical_crossentropy(logits, y_true)
    np.testing.assert_allclose(fixed["output_sum"], 1.0, rtol=1e-14)
    np.testing.assert_allclose(
        fixed["logit_gradient"], softmax - y_true, rtol=1e-10, atol=1e-14
    )
    np.testing.assert_allclose(
        fixed["loss"],
        _values(
            keras.losses.categorical_crossentropy(y_true, logits, from_logits=True)
        ),
        rtol=1e-12,
    )


def test_10_the_erratum_helpers_take_the_model_path(monkeypatch):
    """Erratum 10 builds a keras.Model and reads evaluate: on TensorFlow that is the softmax
    cross-entropy of the pre-sigmoid logits (8.0013 here), not the divide-by-sum value (1.79)."""
    import keras

    from course_utils import keras_path

    calls = []
    evaluate = keras.Model.evaluate

    def spy(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return evaluate(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "evaluate", spy)
    erratum = get_erratum("10")
    example = erratum.example()
    broken = erratum.broken(**example)
    assert calls == ["Sequential"] and broken["backend"] == "tensorflow"
    softmax_ce = keras_path.softmax_cross_entropy(**example)[0]
    divided = keras_path.sigmoid_divided_by_sum_cross_entropy(**example)[0]
    assert abs(broken["loss"] - softmax_ce) < 1e-4
    assert abs(broken["loss"] - divided) > 1.0  # the raw-op value would fail
    assert broken["loss"] == pytest.approx(8.0013, abs=1e-4)
    softmax = np.exp(example["logits"]) / np.exp(example["logits"]).sum()
    np.testing.assert_allclose(
        broken["logit_gradient"], softmax - example["y_true"], atol=1e-5
    )
    np.testing.assert_allclose(
        broken["bias_step"], -(softmax - example["y_true"])[0], atol=1e-5
    )
    # the real harm: predict returns sigmoids, not a distribution
    np.testing.assert_allclose(
        broken["outputs"], 1 / (1 + np.exp(-example["logits"])), rtol=1e-6
    )
    assert broken["output_sum"][0] == pytest.approx(3.0, abs=1e-3)
    fixed = erratum.fixed(**example)
    assert len(calls) == 2
    assert fixed["loss"] == pytest.approx(broken["loss"], abs=1e-5)
    assert fixed["output_sum"][0] == pytest.approx(1.0, abs=1e-6)


def test_11_a_closure_loss_cannot_be_reloaded_but_a_loss_class_keeps_its_parameter():
    with pytest.raises(TypeError, match="Could not locate function 'loss'"):
        errata.save_and_reload_with_closure_loss(delta=0.5)
    assert errata.save_and_reload_with_loss_class(delta=0.25) == 0.25


def test_11_the_loss_class_computes_keras_huber_with_its_delta():
    import keras

    loss = errata.scaled_huber_loss_class()(delta=0.3)
    y_true, y_pred = (
        np.zeros((4, 2), np.float32),
        np.array([[0.1, 2.0]] * 4, np.float32),
    )
    expected = float(keras.losses.Huber(delta=0.3)(y_true, y_pred))
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-6)
    assert (
        errata.scaled_huber_loss_class() is errata.scaled_huber_loss_class()
    )  # registered once


def test_12a_the_articles_side_effect_pattern_trains_but_reads_stale_values():
    side = errata.vae_loss_reading_model_attributes()
    assert all(math.isfinite(v) for v in side["fit_losses"])
    assert side["fit_losses"][1] < side["fit_losses"][0]  # it does train
    assert side["kl_stale"] != pytest.approx(side["kl_fresh"], rel=1e-4)
    assert side["kl_sum_over_units"] == pytest.approx(
        errata.Z_DIM * side["kl_mean_over_units"], rel=1e-5
    )
    fixed = errata.vae_loss_with_add_loss()
    assert all(math.isfinite(v) for v in fixed["fit_losses"])


def test_12_the_kl_layer_adds_the_kl_summed_over_latent_units():
    layer = errata.kl_layer_class()(z_dim=2, weight=1.0)
    h = np.array(
        [[0.5, -1.0, 0.2, -0.3]], np.float32
    )  # mean (0.5, −1), logvar (0.2, −0.3)
    mean, logvar = h[:, :2], h[:, 2:]
    expected = -0.5 * np.sum(1 + logvar - mean**2 - np.exp(logvar))
    np.testing.assert_allclose(np.asarray(layer(h)), mean)
    assert [float(v) for v in layer.losses] == pytest.approx([expected], rel=1e-5)


def test_6c_a_symbol_as_default_value_fails_when_the_def_runs():
    example = errata._example_huber_batch()
    with pytest.raises(NameError, match="'δ' is not defined"):
        errata.huber_factory_with_symbol_default(**example)


def test_14c_swapped_arguments_read_the_target_as_the_prediction():
    example = errata._example_matrix_crossentropy_keras_order()
    swapped = _values(errata.crossentropy_with_arguments_swapped(**example))
    right = _values(errata.crossentropy_in_keras_order(**example))
    p, y = example["y_pred"], example["y_true"]
    np.testing.assert_allclose(right, -np.sum(y * np.log(p), axis=-1), rtol=1e-6)
    clipped = np.clip(y, 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(
        swapped, -np.sum(p * np.log(clipped), axis=-1), rtol=1e-5
    )


def test_12_a_loss_reading_a_hidden_tensor_fails_and_add_loss_trains_with_the_penalty():
    with pytest.raises(
        ValueError, match="KerasTensor cannot be used as input to a TensorFlow function"
    ):
        errata.fit_with_loss_reading_a_hidden_tensor()
    assert math.isfinite(errata.fit_with_add_loss())


def test_12_the_penalty_layer_adds_mean_square_of_its_input():
    import keras

    layer = errata.code_penalty_layer_class()()
    code = np.array([[1.0, -2.0], [3.0, 0.0]], np.float32)
    np.testing.assert_array_equal(np.asarray(layer(code)), code)
    assert [float(v) for v in layer.losses] == pytest.approx([np.mean(code**2)])
    assert isinstance(layer, keras.layers.Layer)


def test_13_keras_3_has_no_mse_alias_and_the_portable_name_works():
    import keras
    import tensorflow as tf

    assert not hasattr(keras.losses, "MSE")
    assert hasattr(tf.keras.losses, "MSE")  # the tf.keras alias the article relied on
    example = errata._example_regression()
    np.testing.assert_allclose(  # item 13 is a portability note: the article's name works
        _values(errata.mse_by_tf_keras_alias(**example)),
        np.mean((example["y_true"] - example["y_pred"]) ** 2, axis=-1),
        rtol=1e-14,
    )
    with pytest.raises(AttributeError, match="has no attribute 'MSE'"):
        errata.mse_by_keras_3_missing_alias(**example)
    np.testing.assert_allclose(
        _values(errata.mse_by_portable_name(**example)),
        np.mean((example["y_true"] - example["y_pred"]) ** 2, axis=-1),
        rtol=1e-14,
    )


# ----------------------------------------------------------------------------- 14: matrix-based cross-entropy


def test_14_the_printed_snippet_stops_on_an_undefined_helper():
    with pytest.raises(NameError, match="'exponential' is not defined"):
        errata.matrix_crossentropy_as_printed(
            **errata._example_matrix_crossentropy_one_sample()
        )


def test_14_log_base_2_gives_bits_and_the_fix_with_uniform_weights_gives_keras_nats():
    import keras

    example = errata._example_matrix_crossentropy_uniform()
    keras_values = _values(
        keras.losses.categorical_crossentropy(example["y_true"], example["y_pred"])
    )
    np.testing.assert_allclose(
        errata.matrix_crossentropy_loop_log2(**example),
        keras_values / math.log(2),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        errata.matrix_crossentropy_fixed(**example), keras_values, rtol=1e-12
    )


def test_14_fix_with_a_matrix_is_the_reweighted_softmax_cross_entropy():
    example = errata._example_matrix_crossentropy()
    weights = example["weights"]
    expected = []
    for label, p in zip(example["y_true"], example["y_pred"]):
        t = int(np.argmax(label))
        expected.append(-np.log(weights[t, t] * p[t] / np.dot(weights[t], p)))
    np.testing.assert_allclose(
        errata.matrix_crossentropy_fixed(**example), expected, rtol=1e-12
    )
