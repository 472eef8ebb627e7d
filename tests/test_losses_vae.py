"""The VAE's KL term and loss (course_utils.losses.vae), each checked against an independent computation.

The KL term is compared with a Monte-Carlo estimate, with the 1-D closed form and a numerical integral,
and its gradient with TensorFlow's autodiff and central finite differences; the reconstruction terms
with Keras's own binary cross-entropy and MSE (which average over the last axis, so they are multiplied
back by the number of pixels).
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.losses.vae import (
    VAELossParts,
    gaussian_kl_grad,
    gaussian_kl_numpy,
    gaussian_kl_tf,
    vae_loss_numpy,
    vae_loss_tf,
)

RNG_SEED = 20261128


def _posterior(rng, n=5, d=3):
    return rng.normal(0.0, 1.2, size=(n, d)), rng.uniform(-2.5, 1.5, size=(n, d))


# ----------------------------------------------------------------------------- KL term


def test_kl_matches_a_monte_carlo_estimate():
    """KL(q‖p) = E_q[ln q(z) − ln p(z)], estimated from M draws of z ~ q for each of a few posteriors.

    Tolerance: the estimate's standard error is s/√M, with s the sample standard deviation of
    ln q − ln p. Five standard errors make a chance failure a 6e-7 event (the seed is fixed anyway, so
    the test is deterministic), and the assertion below that the tolerance is under 2 % of the KL shows
    it is tight enough to catch a missing ½, a mean instead of a sum or a swapped σ and σ².
    """
    rng = np.random.default_rng(RNG_SEED)
    mean = np.array(
        [[0.3, -1.0, 0.8, 0.0], [1.5, 0.2, -0.4, 2.0], [0.0, 0.0, 0.0, 0.5]]
    )
    log_var = np.array(
        [[0.5, -1.0, 0.0, 0.2], [-0.3, 0.9, -2.0, 0.0], [0.0, 1.0, -1.0, 0.0]]
    )
    draws = 400_000
    sigma = np.exp(0.5 * log_var)
    expected = gaussian_kl_numpy(mean, log_var)
    for row in range(mean.shape[0]):
        z = mean[row] + sigma[row] * rng.standard_normal((draws, mean.shape[1]))
        log_q = np.sum(
            -0.5 * np.log(2 * np.pi)
            - 0.5 * log_var[row]
            - (z - mean[row]) ** 2 / (2 * sigma[row] ** 2),
            axis=1,
        )
        log_p = np.sum(-0.5 * np.log(2 * np.pi) - 0.5 * z**2, axis=1)
        gap = log_q - log_p
        tolerance = 5 * gap.std(ddof=1) / np.sqrt(draws)
        assert tolerance < 0.02 * expected[row]
        assert abs(gap.mean() - expected[row]) < tolerance


@pytest.mark.parametrize("mu", [-2.0, 0.0, 0.7])
@pytest.mark.parametrize("sigma", [0.2, 1.0, 3.0])
def test_kl_in_one_dimension_matches_the_closed_form_and_a_numerical_integral(
    mu, sigma
):
    """1-D: KL(N(μ, σ²) ‖ N(0, 1)) = ln(1/σ) + (σ² + μ²)/2 − ½, and ∫ q ln(q/p) dz by the trapezoid rule."""
    closed_form = np.log(1.0 / sigma) + (sigma**2 + mu**2) / 2.0 - 0.5
    value = gaussian_kl_numpy([mu], [np.log(sigma**2)])
    assert value.shape == ()
    assert value == pytest.approx(closed_form, rel=1e-12, abs=1e-15)

    z = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 200_001)
    log_q = -0.5 * np.log(2 * np.pi * sigma**2) - (z - mu) ** 2 / (2 * sigma**2)
    log_p = -0.5 * np.log(2 * np.pi) - 0.5 * z**2
    integrand = np.exp(log_q) * (log_q - log_p)
    integral = np.sum((integrand[1:] + integrand[:-1]) * np.diff(z)) / 2.0
    assert value == pytest.approx(integral, rel=1e-7, abs=1e-9)


def test_kl_is_zero_exactly_at_the_prior_and_positive_elsewhere():
    zeros = np.zeros((4, 6))
    np.testing.assert_array_equal(gaussian_kl_numpy(zeros, zeros), np.zeros(4))
    np.testing.assert_array_equal(np.asarray(gaussian_kl_tf(zeros, zeros)), np.zeros(4))
    mean, log_var = _posterior(np.random.default_rng(1))
    assert np.all(gaussian_kl_numpy(mean, log_var) > 0)


def test_kl_keeps_its_precision_for_a_tiny_log_variance():
    """expm1(v) − v = v²/2 + … : the naive exp(v) − 1 − v would lose every digit for v = 1e-9."""
    v = 1e-9
    assert gaussian_kl_numpy([0.0], [v]) == pytest.approx(
        0.5 * (v**2 / 2 + v**3 / 6), rel=1e-9
    )


def test_kl_sums_over_the_latent_axis_and_keeps_the_batch_axes():
    mean, log_var = _posterior(np.random.default_rng(2), n=6, d=4)
    per_sample = gaussian_kl_numpy(mean, log_var)
    assert per_sample.shape == (6,)
    one_by_one = [gaussian_kl_numpy(mean[:, [j]], log_var[:, [j]]) for j in range(4)]
    np.testing.assert_allclose(per_sample, np.sum(one_by_one, axis=0), rtol=1e-14)
    stacked = gaussian_kl_numpy(mean.reshape(2, 3, 4), log_var.reshape(2, 3, 4))
    np.testing.assert_allclose(stacked, per_sample.reshape(2, 3), rtol=1e-14)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_kl_tf_equals_numpy(dtype, rtol):
    import tensorflow as tf

    mean, log_var = _posterior(np.random.default_rng(3), n=8, d=5)
    eager = gaussian_kl_tf(mean.astype(dtype), log_var.astype(dtype))
    graph = tf.function(gaussian_kl_tf)(mean.astype(dtype), log_var.astype(dtype))
    assert eager.dtype == tf.as_dtype(dtype)
    expected = gaussian_kl_numpy(mean.astype(dtype), log_var.astype(dtype))
    np.testing.assert_allclose(eager.numpy(), expected, rtol=rtol)
    np.testing.assert_allclose(graph.numpy(), expected, rtol=rtol)


def test_kl_gradient_autodiff_equals_analytic_equals_finite_differences():
    import tensorflow as tf

    mean, log_var = _posterior(np.random.default_rng(4), n=4, d=3)
    grad_mean, grad_log_var = gaussian_kl_grad(mean, log_var)

    mean_var, log_var_var = tf.Variable(mean), tf.Variable(log_var)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(gaussian_kl_tf(mean_var, log_var_var))
    auto_mean, auto_log_var = tape.gradient(total, [mean_var, log_var_var])
    np.testing.assert_allclose(auto_mean.numpy(), grad_mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        auto_log_var.numpy(), grad_log_var, rtol=1e-12, atol=1e-15
    )

    step = 1e-6
    for argument, analytic in ((0, grad_mean), (1, grad_log_var)):
        numeric = np.zeros_like(mean)
        for index in np.ndindex(mean.shape):
            arrays_up, arrays_down = (
                [mean.copy(), log_var.copy()],
                [mean.copy(), log_var.copy()],
            )
            arrays_up[argument][index] += step
            arrays_down[argument][index] -= step
            numeric[index] = (
                gaussian_kl_numpy(*arrays_up)[index[0]]
                - gaussian_kl_numpy(*arrays_down)[index[0]]
            ) / (2 * step)
        np.testing.assert_allclose(numeric, analytic, rtol=1e-6, atol=1e-8)


def test_kl_gradient_vanishes_at_the_prior():
    grad_mean, grad_log_var = gaussian_kl_grad(np.zeros(3), np.zeros(3))
    np.testing.assert_array_equal(grad_mean, 0.0)
    np.testing.assert_array_equal(grad_log_var, 0.0)


@pytest.mark.parametrize(
    "function", [gaussian_kl_numpy, gaussian_kl_tf, gaussian_kl_grad]
)
def test_kl_rejects_mismatched_or_scalar_inputs_naming_the_argument(function):
    with pytest.raises(ValueError, match="mean and log_var must have the same shape"):
        function(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="mean must have a latent axis"):
        function(0.0, 0.0)


def test_kl_numpy_rejects_non_numbers_and_non_finite_values():
    with pytest.raises(TypeError, match="log_var must hold numbers"):
        gaussian_kl_numpy([0.0, 1.0], ["a", "b"])
    with pytest.raises(ValueError, match="log_var must be finite"):
        gaussian_kl_numpy([0.0, 1.0], [0.0, np.inf])
    with pytest.raises(ValueError, match="mean must be finite"):
        gaussian_kl_numpy([np.nan], [0.0])


# ----------------------------------------------------------------------------- full VAE loss


def _batch(rng, n=4, shape=(6, 5), d=3):
    x = rng.uniform(0.0, 1.0, size=(n, *shape))
    flat = x.reshape(n, -1)
    flat[0, 0], flat[1, 0] = 0.0, 1.0  # targets exactly 0 and 1 too
    x_rec = rng.uniform(0.02, 0.98, size=(n, *shape))
    mean, log_var = _posterior(rng, n=n, d=d)
    return x, x_rec, mean, log_var


def _keras_summed(function, x, x_rec, **kwargs):
    """Keras averages over the last axis; flatten the pixels and multiply back by their number."""
    flat_x, flat_rec = x.reshape(len(x), -1), x_rec.reshape(len(x), -1)
    return np.asarray(function(flat_x, flat_rec, **kwargs)) * flat_x.shape[1]


@pytest.mark.parametrize("beta", [0.0, 1.0, 4.0])
def test_vae_bce_reconstruction_is_keras_bce_summed_over_pixels(beta):
    import keras

    x, x_rec, mean, log_var = _batch(np.random.default_rng(5))
    parts = vae_loss_numpy(x, x_rec, mean, log_var, beta=beta)
    assert isinstance(parts, VAELossParts)
    assert parts.total.shape == parts.reconstruction.shape == parts.kl.shape == (4,)
    expected = _keras_summed(keras.losses.binary_crossentropy, x, x_rec)
    np.testing.assert_allclose(parts.reconstruction, expected, rtol=1e-12)
    np.testing.assert_allclose(parts.kl, gaussian_kl_numpy(mean, log_var), rtol=1e-14)
    np.testing.assert_allclose(parts.total, expected + beta * parts.kl, rtol=1e-12)


def test_vae_bce_from_logits_matches_keras_and_stays_finite_at_extreme_logits():
    import keras

    x, _, mean, log_var = _batch(np.random.default_rng(6))
    logits = np.random.default_rng(7).normal(0, 3, size=x.shape)
    logits[0, 0, :2] = [1e4, -1e4]
    for implementation in (vae_loss_numpy, vae_loss_tf):
        parts = implementation(x, logits, mean, log_var, from_logits=True)
        expected = _keras_summed(
            keras.losses.binary_crossentropy, x, logits, from_logits=True
        )
        np.testing.assert_allclose(
            np.asarray(parts.reconstruction), expected, rtol=1e-12
        )
    import tensorflow as tf

    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(
            vae_loss_tf(x, variable, mean, log_var, from_logits=True).total
        )
    gradient = tape.gradient(total, variable).numpy()
    assert np.all(np.isfinite(gradient))
    sigmoid = 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))
    np.testing.assert_allclose(gradient, sigmoid - x, rtol=1e-10, atol=1e-12)


def test_vae_mse_reconstruction_is_keras_mse_summed_over_pixels():
    import keras

    x, x_rec, mean, log_var = _batch(np.random.default_rng(8), shape=(4, 4, 1))
    x_rec = x_rec * 3.0 - 1.0  # MSE accepts any real decoder output
    parts = vae_loss_numpy(x, x_rec, mean, log_var, beta=0.5, reconstruction="mse")
    expected = _keras_summed(keras.losses.mean_squared_error, x, x_rec)
    np.testing.assert_allclose(parts.reconstruction, expected, rtol=1e-12)
    np.testing.assert_allclose(
        parts.total, expected + 0.5 * gaussian_kl_numpy(mean, log_var), rtol=1e-12
    )


def test_vae_bce_with_probabilities_exactly_zero_and_one_is_finite_like_keras():
    import keras

    x, _, mean, log_var = _batch(np.random.default_rng(9), n=2, shape=(4,))
    x_rec = np.array([[0.0, 1.0, 0.5, 1.0], [1.0, 0.0, 0.0, 0.3]])
    parts = vae_loss_numpy(x, x_rec, mean, log_var)
    assert np.all(np.isfinite(parts.total))
    np.testing.assert_allclose(
        parts.reconstruction,
        _keras_summed(keras.losses.binary_crossentropy, x, x_rec),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"beta": 2.5},
        {"reconstruction": "mse"},
        {"reconstruction": "bce", "from_logits": True},
    ],
)
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_vae_loss_tf_equals_numpy_eagerly_and_in_a_tf_function(options, dtype, rtol):
    import tensorflow as tf

    x, x_rec, mean, log_var = (
        a.astype(dtype) for a in _batch(np.random.default_rng(10))
    )
    expected = vae_loss_numpy(x, x_rec, mean, log_var, **options)
    graph = tf.function(lambda *args: vae_loss_tf(*args, **options))
    for parts in (
        vae_loss_tf(x, x_rec, mean, log_var, **options),
        graph(x, x_rec, mean, log_var),
    ):
        for got, want in zip(parts, expected):
            assert got.dtype == tf.as_dtype(dtype)
            np.testing.assert_allclose(got.numpy(), want, rtol=rtol)


def test_vae_loss_gradient_reaches_the_encoder_outputs():
    """d total / d μ = β μ and d total / d log_var = β (e^v − 1)/2: the reconstruction does not depend on them."""
    import tensorflow as tf

    x, x_rec, mean, log_var = _batch(np.random.default_rng(11))
    mean_var, log_var_var = tf.Variable(mean), tf.Variable(log_var)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(
            vae_loss_tf(x, x_rec, mean_var, log_var_var, beta=3.0).total
        )
    grad_mean, grad_log_var = tape.gradient(total, [mean_var, log_var_var])
    analytic_mean, analytic_log_var = gaussian_kl_grad(mean, log_var)
    np.testing.assert_allclose(grad_mean.numpy(), 3.0 * analytic_mean, rtol=1e-12)
    np.testing.assert_allclose(grad_log_var.numpy(), 3.0 * analytic_log_var, rtol=1e-12)


@pytest.mark.parametrize("implementation", [vae_loss_numpy, vae_loss_tf])
def test_vae_loss_rejects_bad_arguments_naming_them(implementation):
    x, x_rec, mean, log_var = _batch(np.random.default_rng(12))
    cases = [
        ({"beta": -1.0}, "beta must be a finite number >= 0"),
        ({"beta": float("nan")}, "beta must be"),
        ({"reconstruction": "l2"}, "reconstruction must be one of"),
        (
            {"reconstruction": "mse", "from_logits": True},
            "from_logits=True only applies",
        ),
    ]
    for options, message in cases:
        with pytest.raises(ValueError, match=message):
            implementation(x, x_rec, mean, log_var, **options)
    with pytest.raises(
        ValueError, match="x and x_reconstructed must have the same shape"
    ):
        implementation(x, x_rec[:, :, :4], mean, log_var)
    with pytest.raises(ValueError, match="x must have a batch axis"):
        implementation(x[0, 0], x_rec[0, 0], mean, log_var)
    with pytest.raises(ValueError, match="x and mean must describe the same samples"):
        implementation(x, x_rec, mean[:3], log_var[:3])
    with pytest.raises(ValueError, match="mean and log_var must have the same shape"):
        implementation(x, x_rec, mean, log_var[:, :2])
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        implementation(x, x_rec, mean, log_var, from_logits="yes")


def test_vae_loss_numpy_rejects_values_outside_the_unit_interval_for_bce():
    x, x_rec, mean, log_var = _batch(np.random.default_rng(13))
    with pytest.raises(
        ValueError, match=r"x must hold pixel targets in \[0, 1\].*divide uint8"
    ):
        vae_loss_numpy(x * 255, x_rec, mean, log_var)
    with pytest.raises(
        ValueError,
        match=r"x_reconstructed must hold decoder probabilities.*from_logits",
    ):
        vae_loss_numpy(x, x_rec * 4 - 2, mean, log_var)
    vae_loss_numpy(
        x * 255, x_rec * 4 - 2, mean, log_var, reconstruction="mse"
    )  # any reals for MSE
