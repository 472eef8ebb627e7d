"""course_utils.keras_path: what a real model's evaluate, predict and one fit step report."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from course_utils import keras_path


def test_importing_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.keras_path; "
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_the_model_outputs_the_activation_of_the_given_logits():
    z = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    model = keras_path.logits_model(z, "sigmoid")
    out = np.asarray(model.predict(np.eye(2, dtype="float32"), verbose=0))
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-z)), rtol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_categorical_ce_on_tensorflow_uses_the_logits_of_a_keras_activation(activation):
    rng = np.random.default_rng(3)
    z = rng.normal(0, 3, (4, 5))
    y = np.eye(5)[[0, 2, 4, 1]]
    result = keras_path.evaluate_on_logits(z, y, activation)
    assert result["backend"] == "tensorflow"
    assert result["loss"] == pytest.approx(
        keras_path.softmax_cross_entropy(z, y).mean(), abs=1e-5
    )
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    np.testing.assert_allclose(result["logit_gradient"], p - y, atol=1e-5)
    np.testing.assert_allclose(result["bias_step"], -(p - y).mean(0), atol=1e-6)
    assert not result["warnings"]


def test_from_logits_on_a_softmax_layer_warns_and_is_corrected_on_tensorflow():
    import keras

    z, y = np.array([8.0, 0.0, 0.0]), np.eye(3)[1]
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    result = keras_path.evaluate_on_logits(z, y, "softmax", loss)
    assert result["loss"] == pytest.approx(
        keras_path.softmax_cross_entropy(z, y)[0], abs=1e-4
    )
    assert any("from_logits=True" in w for w in result["warnings"])


def test_the_divided_by_sum_reference_is_what_a_raw_sigmoid_gives():
    import keras
    import tensorflow as tf

    z, y = np.array([[8.0, 0.0, 0.0, 0.0, 0.0]]), np.eye(5)[[1]]
    raw = keras.losses.categorical_crossentropy(y, tf.sigmoid(z)).numpy()
    np.testing.assert_allclose(
        keras_path.sigmoid_divided_by_sum_cross_entropy(z, y), raw, rtol=1e-6
    )


def test_bad_logits_are_refused_by_name():
    with pytest.raises(ValueError, match="logits must be"):
        keras_path.logits_model(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="logits must be"):
        keras_path.evaluate_on_logits([np.nan, 1.0], [0.0, 1.0], "softmax")
    with pytest.raises(ValueError, match="logits must be"):
        keras_path.logits_model("eight")
    with pytest.raises(ValueError, match="learning_rate must be"):
        keras_path.evaluate_on_logits(
            [1.0, 0.0], [0.0, 1.0], "softmax", learning_rate=0
        )
