r"""The variational autoencoder's loss: a reconstruction term plus β times a KL term.

The encoder of a VAE outputs, for each sample, the mean μ and the log-variance log σ² of a diagonal
Gaussian posterior :math:`q(z \mid x) = \mathcal N(\mu, \operatorname{diag}(\sigma^2))` over a latent
vector of d numbers. The KL term measures how far that posterior is from the prior
:math:`p(z) = \mathcal N(0, I)`, in closed form:

.. math::

    \mathrm{KL}\big(q(z \mid x) \,\|\, p(z)\big)
    = -\tfrac12 \sum_{j=1}^{d} \left(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\right)
    = \tfrac12 \sum_{j=1}^{d} \left(\mu_j^2 + \operatorname{expm1}(\log\sigma_j^2) - \log\sigma_j^2\right)

The second form is the one computed: ``expm1(v) − v`` keeps its precision when v is near 0, where
``exp(v) − 1 − v`` would cancel. The sum runs over the last (latent) axis, so a batch of shape (N, d)
gives N values, one per sample. Nothing is averaged over the latent axis: the KL of independent
coordinates adds up.

The full loss is, per sample, ``reconstruction + β · KL``, where the reconstruction term is summed over
every pixel (every axis but the first) and is either a binary cross-entropy (pixels read as
probabilities in [0, 1], as for MNIST) or a squared error. Both are *summed*, not averaged, so that the
two terms stay on the scale the evidence lower bound gives them; averaging the reconstruction over 784
pixels would silently multiply β by 784.

Every function takes μ and log σ² as arguments. In Keras 3 a loss given to ``compile`` only sees
``y_true`` and ``y_pred``; the encoder's outputs reach the loss through ``add_loss`` in a layer or an
overridden ``compute_loss``/``train_step`` (see 09_lab_vae), never through a global model object.

Importing this module does not import TensorFlow; the ``_tf`` functions import it when called.
Used in: 09_lab_vae.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from course_utils.losses._arrays import (
    EPSILON,
    as_float64,
    check_parameter,
    is_python_number,
)

#: The reconstruction terms :func:`vae_loss_numpy` and :func:`vae_loss_tf` accept.
RECONSTRUCTIONS: tuple[str, ...] = ("bce", "mse")


class VAELossParts(NamedTuple):
    """The VAE loss of each sample and its two parts: ``total = reconstruction + beta * kl``.

    Each field has shape (N,): one value per sample. Take ``total.mean()`` for the batch's cost.
    """

    total: Any
    reconstruction: Any
    kl: Any


# ----------------------------------------------------------------------------- input checks


def _check_kl_shapes(mean_shape: tuple, log_var_shape: tuple) -> None:
    if len(mean_shape) < 1:
        raise ValueError(
            "mean must have a latent axis (shape (N, d) for N samples of d latent numbers, or (d,) for "
            f"one sample), got a scalar of shape {tuple(mean_shape)}."
        )
    if tuple(mean_shape) != tuple(log_var_shape):
        raise ValueError(
            f"mean and log_var must have the same shape (one mean and one log-variance per latent "
            f"number), got mean {tuple(mean_shape)} and log_var {tuple(log_var_shape)}. Check that the "
            "encoder's two heads have the same number of units."
        )


def _numpy_kl_inputs(mean: Any, log_var: Any) -> tuple[np.ndarray, np.ndarray]:
    mean = as_float64("mean", mean)
    log_var = as_float64("log_var", log_var)
    _check_kl_shapes(mean.shape, log_var.shape)
    for name, array in (("mean", mean), ("log_var", log_var)):
        if not np.all(np.isfinite(array)):
            raise ValueError(
                f"{name} must be finite, found {array[~np.isfinite(array)].flat[0]!r}. A NaN or infinite "
                "encoder output usually means the learning rate is too high or log_var was exponentiated "
                "twice."
            )
    return mean, log_var


def _check_beta(beta: Any) -> None:
    check_parameter("beta", beta, "a finite number >= 0 (the weight of the KL term)")
    if isinstance(beta, bool) or (
        is_python_number(beta) and not (np.isfinite(beta) and beta >= 0)
    ):
        raise ValueError(
            f"beta must be a finite number >= 0 (the weight of the KL term; 1 is the standard VAE, "
            f"larger values give a smoother latent space and blurrier reconstructions), got {beta!r}."
        )


def _check_reconstruction(reconstruction: Any) -> None:
    if reconstruction not in RECONSTRUCTIONS:
        raise ValueError(
            f"reconstruction must be one of {RECONSTRUCTIONS} ('bce': binary cross-entropy summed over "
            f"pixels, for pixels in [0, 1]; 'mse': squared error summed over pixels), got "
            f"{reconstruction!r}."
        )


def _check_vae_shapes(
    x_shape: tuple,
    x_reconstructed_shape: tuple,
    mean_shape: tuple,
    log_var_shape: tuple,
) -> None:
    if len(x_shape) < 2:
        raise ValueError(
            f"x must have a batch axis and at least one pixel axis, e.g. (N, 784) or (N, 28, 28, 1), got "
            f"shape {tuple(x_shape)}. Add a batch axis with x[None] for a single image."
        )
    if tuple(x_shape) != tuple(x_reconstructed_shape):
        raise ValueError(
            f"x and x_reconstructed must have the same shape (the decoder must rebuild every pixel), got "
            f"x {tuple(x_shape)} and x_reconstructed {tuple(x_reconstructed_shape)}. Reshape the "
            "decoder's output to the input's shape."
        )
    _check_kl_shapes(mean_shape, log_var_shape)
    if len(mean_shape) != 2:
        raise ValueError(
            f"mean and log_var must have shape (N, d), one row per sample, got {tuple(mean_shape)}."
        )
    batch = (x_shape[0], mean_shape[0])
    if None not in batch and batch[0] != batch[1]:
        raise ValueError(
            f"x and mean must describe the same samples: x has {x_shape[0]} rows and mean has "
            f"{mean_shape[0]}. Pass the encoder outputs of the same batch."
        )


# ----------------------------------------------------------------------------- KL term


def gaussian_kl_numpy(mean: Any, log_var: Any) -> np.ndarray:
    r"""KL of :math:`\mathcal N(\mu, \operatorname{diag}(e^{v}))` from :math:`\mathcal N(0, I)`, per sample, float64.

    .. math::
        \mathrm{KL} = -\tfrac12 \sum_j (1 + v_j - \mu_j^2 - e^{v_j})
        = \tfrac12 \sum_j (\mu_j^2 + \operatorname{expm1}(v_j) - v_j)

    with :math:`v = \log\sigma^2` (``log_var``); the sum runs over the last axis. ``mean`` and ``log_var``
    have the same shape, (N, d) or (d,); the result has shape (N,) or ().
    Taught in: 07 §6, 09 §3.
    """
    mean, log_var = _numpy_kl_inputs(mean, log_var)
    return 0.5 * np.sum(mean**2 + np.expm1(log_var) - log_var, axis=-1)


def gaussian_kl_tf(mean: Any, log_var: Any) -> Any:
    r"""The same KL in TensorFlow (differentiable, works inside ``tf.function``), in ``log_var``'s float dtype.

    :math:`\mathrm{KL} = \tfrac12 \sum_j (\mu_j^2 + \operatorname{expm1}(v_j) - v_j)`, summed over the last axis.
    Taught in: 09 §3.
    """
    import tensorflow as tf

    mean, log_var = _tf_floats(mean, log_var, names=("mean", "log_var"))
    _check_kl_shapes(tuple(mean.shape), tuple(log_var.shape))
    return 0.5 * tf.reduce_sum(
        tf.square(mean) + tf.math.expm1(log_var) - log_var, axis=-1
    )


def gaussian_kl_grad(mean: Any, log_var: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Analytic gradient of the per-sample KL: ``(∂KL/∂μ, ∂KL/∂log_var)``, each shaped like its input.

    :math:`\partial \mathrm{KL} / \partial \mu_j = \mu_j` and
    :math:`\partial \mathrm{KL} / \partial v_j = \tfrac12 (e^{v_j} - 1)`: both vanish exactly at the
    prior, :math:`\mu = 0, v = 0`.
    """
    mean, log_var = _numpy_kl_inputs(mean, log_var)
    return mean.copy(), 0.5 * np.expm1(log_var)


# ----------------------------------------------------------------------------- full VAE loss


def _tf_floats(*values: Any, names: tuple[str, ...]) -> list[Any]:
    """Every value as a tensor of the last value's float dtype (float32 for integer inputs)."""
    import tensorflow as tf

    for name, value in zip(names, values):
        if isinstance(value, str) or (
            isinstance(value, np.ndarray) and value.dtype == object
        ):
            raise TypeError(f"{name} must hold numbers, got {type(value).__name__}.")
    reference = tf.convert_to_tensor(values[-1])
    dtype = reference.dtype if reference.dtype.is_floating else tf.float32
    return [tf.cast(tf.convert_to_tensor(value), dtype) for value in values]


def _pixel_axes(rank: int) -> list[int]:
    return list(range(1, rank))


def vae_loss_numpy(
    x: Any,
    x_reconstructed: Any,
    mean: Any,
    log_var: Any,
    beta: float = 1.0,
    reconstruction: str = "bce",
    from_logits: bool = False,
) -> VAELossParts:
    r"""Per-sample VAE loss, float64, and its parts.

    .. math::
        L = R(x, \hat x) + \beta\,\mathrm{KL}(\mu, v)

    ``reconstruction="bce"``, with :math:`\operatorname{clip}` to :math:`[\epsilon, 1 - \epsilon]`,
    :math:`\epsilon = 10^{-7}` (Keras's clipping), or from the decoder's logits :math:`s` when
    ``from_logits=True`` (exact and finite for any logit):

    .. math::
        R = -\sum_i \left(x_i \ln \operatorname{clip}(\hat x_i)
            + (1 - x_i) \ln(1 - \operatorname{clip}(\hat x_i))\right),
        \qquad
        R = \sum_i \left(\max(s_i, 0) - s_i x_i + \ln(1 + e^{-|s_i|})\right)

    ``reconstruction="mse"``: :math:`R = \sum_i (x_i - \hat x_i)^2` (``from_logits`` must be False).
    The sums run over every pixel (every axis but the first); KL is :func:`gaussian_kl_numpy`.

    ``x`` and ``x_reconstructed`` have shape (N, …), ``mean`` and ``log_var`` shape (N, d). Returns a
    :class:`VAELossParts` of three (N,) arrays.
    """
    _check_beta(beta)
    _check_reconstruction(reconstruction)
    x = as_float64("x", x)
    x_reconstructed = as_float64("x_reconstructed", x_reconstructed)
    mean, log_var = _numpy_kl_inputs(mean, log_var)
    _check_vae_shapes(x.shape, x_reconstructed.shape, mean.shape, log_var.shape)
    _check_from_logits(reconstruction, from_logits)
    axes = tuple(_pixel_axes(x.ndim))
    if reconstruction == "bce":
        _check_unit_interval("x", x, "pixel targets")
        if from_logits:
            logits = x_reconstructed
            per_pixel = (
                np.maximum(logits, 0.0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
            )
        else:
            _check_unit_interval(
                "x_reconstructed", x_reconstructed, "decoder probabilities"
            )
            p = np.clip(x_reconstructed, EPSILON, 1.0 - EPSILON)
            per_pixel = -(x * np.log(p) + (1.0 - x) * np.log(1.0 - p))
    else:
        per_pixel = (x - x_reconstructed) ** 2
    rebuilt = np.sum(per_pixel, axis=axes)
    kl = 0.5 * np.sum(mean**2 + np.expm1(log_var) - log_var, axis=-1)
    return VAELossParts(rebuilt + beta * kl, rebuilt, kl)


def vae_loss_tf(
    x: Any,
    x_reconstructed: Any,
    mean: Any,
    log_var: Any,
    beta: float = 1.0,
    reconstruction: str = "bce",
    from_logits: bool = False,
) -> VAELossParts:
    r"""The same per-sample VAE loss in TensorFlow (differentiable, works inside ``tf.function``).

    :math:`L = R(x, \hat x) + \beta\,\mathrm{KL}` with the reconstruction term of :func:`vae_loss_numpy`
    (``from_logits=True`` uses :math:`\operatorname{softplus}(s) - s x`). Computed in
    ``x_reconstructed``'s float dtype; shapes are checked when known, values are not scanned.
    """
    import tensorflow as tf

    _check_beta(beta)
    _check_reconstruction(reconstruction)
    mean, log_var, x, x_reconstructed = _tf_floats(
        mean,
        log_var,
        x,
        x_reconstructed,
        names=("mean", "log_var", "x", "x_reconstructed"),
    )
    if x.shape.rank is None or mean.shape.rank is None:
        raise ValueError("x and mean must have a known rank when the loss is traced.")
    _check_vae_shapes(
        tuple(x.shape),
        tuple(x_reconstructed.shape),
        tuple(mean.shape),
        tuple(log_var.shape),
    )
    _check_from_logits(reconstruction, from_logits)
    axes = _pixel_axes(x.shape.rank)
    if reconstruction == "bce":
        if from_logits:
            per_pixel = tf.math.softplus(x_reconstructed) - x_reconstructed * x
        else:
            p = tf.clip_by_value(x_reconstructed, EPSILON, 1.0 - EPSILON)
            per_pixel = -(x * tf.math.log(p) + (1.0 - x) * tf.math.log(1.0 - p))
    else:
        per_pixel = tf.square(x - x_reconstructed)
    rebuilt = tf.reduce_sum(per_pixel, axis=axes)
    kl = 0.5 * tf.reduce_sum(
        tf.square(mean) + tf.math.expm1(log_var) - log_var, axis=-1
    )
    beta = tf.cast(beta, rebuilt.dtype)
    return VAELossParts(rebuilt + beta * kl, rebuilt, kl)


def _check_from_logits(reconstruction: str, from_logits: Any) -> None:
    if not isinstance(from_logits, (bool, np.bool_)):
        raise TypeError(f"from_logits must be True or False, got {from_logits!r}.")
    if from_logits and reconstruction != "bce":
        raise ValueError(
            "from_logits=True only applies to reconstruction='bce' (the decoder's logits go through a "
            "sigmoid); for reconstruction='mse' pass the decoder's outputs themselves and from_logits=False."
        )


def _check_unit_interval(name: str, array: np.ndarray, what: str) -> None:
    if array.size and not (
        np.all(np.isfinite(array)) and array.min() >= 0.0 and array.max() <= 1.0
    ):
        bad = array[~((array >= 0.0) & (array <= 1.0))].flat[0]
        hint = (
            " If the decoder has no sigmoid, pass from_logits=True."
            if name == "x_reconstructed"
            else " Scale the images to [0, 1] (e.g. divide uint8 pixels by 255)."
        )
        raise ValueError(
            f"{name} must hold {what} in [0, 1] for reconstruction='bce', found {bad!r}.{hint}"
        )
