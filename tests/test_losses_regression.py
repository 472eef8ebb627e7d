"""Regression losses (course_utils.losses.regression): the cases the generic tests do not reach.

``VARIANTS`` lists the parameter sets tests/test_losses_agreement.py tries for each loss.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.losses import get

VARIANTS = {
    "mean_squared_error": [{}],
    "mean_absolute_error": [{}],
    "mean_absolute_percentage_error": [{}],
    "mean_squared_logarithmic_error": [{}],
    "huber": [{}, {"delta": 0.3}, {"delta": 5.0}, {"delta": 0.0}],
    "log_cosh": [{}],
}


def test_huber_is_continuous_and_smooth_at_delta():
    """The ½ in the quadratic branch makes both branches meet at |e| = δ with the same slope."""
    entry = get("huber")
    delta = 2.0
    below, above = delta - 1e-9, delta + 1e-9
    values = entry.numpy([0.0, 0.0], [below, above], delta=delta)
    assert (
        abs(
            entry.numpy([0.0], [below], delta=delta)
            - entry.numpy([0.0], [above], delta=delta)
        )
        < 1e-8
    )
    slopes = entry.grad(np.zeros(2), np.array([below, above]), delta=delta) * 2
    np.testing.assert_allclose(slopes, [delta, delta], rtol=1e-8)
    assert values == pytest.approx(delta**2 / 2, rel=1e-8)


def test_huber_with_delta_zero_is_zero_for_any_error():
    """δ = 0 leaves only the linear branch δ|e| − δ²/2 = 0: a degenerate but valid Keras setting."""
    assert np.all(get("huber").numpy([0.0, 1.0], [5.0, -3.0], delta=0.0) == 0.0)


def test_huber_rejects_a_negative_delta_in_both_implementations():
    for implementation in (get("huber").numpy, get("huber").tf, get("huber").grad):
        with pytest.raises(ValueError, match="delta must be a finite number >= 0"):
            implementation([1.0], [2.0], delta=-1.0)


def test_mae_gradient_at_zero_error_is_zero_not_a_division_by_zero():
    import tensorflow as tf

    prediction = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = get("mean_absolute_error").tf([1.0, 2.0], prediction)
    np.testing.assert_array_equal(tape.gradient(loss, prediction).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(
        get("mean_absolute_error").grad([1.0, 2.0], [1.0, 2.0]), [0.0, 0.0]
    )


def test_mape_with_a_zero_target_divides_by_epsilon_not_zero():
    value = get("mean_absolute_percentage_error").numpy([0.0], [1e-3])
    assert np.isfinite(value) and value == pytest.approx(100 * 1e-3 / 1e-7)
    keras_value = float(
        get("mean_absolute_percentage_error").tf(np.array([0.0]), np.array([1e-3]))
    )
    assert keras_value == pytest.approx(float(value), rel=1e-12)


def test_msle_clips_negative_predictions_at_epsilon_and_stops_their_gradient():
    entry = get("mean_squared_logarithmic_error")
    assert entry.numpy([0.0], [-5.0]) == pytest.approx(entry.numpy([0.0], [0.0]))
    assert entry.grad([1.0], [-5.0]) == 0.0


def test_log_cosh_does_not_overflow_for_huge_errors():
    entry = get("log_cosh")
    value = entry.numpy([0.0], [1e4])
    assert value == pytest.approx(1e4 - np.log(2.0), rel=1e-12)
    big = float(entry.tf(np.array([0.0], np.float32), np.array([-1e4], np.float32)))
    assert big == pytest.approx(1e4 - np.log(2.0), rel=1e-6)


def test_mse_of_a_batch_is_the_mean_over_the_last_axis_only():
    y_true = np.zeros((2, 3))
    y_pred = np.array([[1.0, 1.0, 1.0], [3.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        get("mean_squared_error").numpy(y_true, y_pred), [1.0, 3.0]
    )


def test_a_trailing_axis_of_size_one_is_aligned_like_keras():
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = np.array([[1.5], [2.0], [2.0]])
    entry = get("mean_squared_error")
    np.testing.assert_allclose(
        entry.numpy(y_true, y_pred), np.asarray(entry.keras(y_true, y_pred))
    )


def test_text_input_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="y_true must hold numbers"):
        get("mean_squared_error").numpy(["a", "b"], [1.0, 2.0])
    with pytest.raises(TypeError, match="y_pred must hold numbers"):
        get("mean_squared_error").numpy([1.0, 2.0], np.array(["a", "b"]))
