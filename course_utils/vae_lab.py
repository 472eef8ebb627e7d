r"""A variational autoencoder on the bundled MNIST digits, written the Keras-3 way.

The ideas of ``09_lab_vae``:

* an encoder maps an image x (784 pixels in [0, 1]) to the mean μ and log-variance v = log σ² of a
  Gaussian over a small latent vector z; a decoder maps z back to 784 pixel probabilities x̂;
* the reparameterisation trick draws z as a deterministic, differentiable function of (μ, v) and noise:

  .. math::
      z = \mu + e^{v/2} \odot \varepsilon, \qquad \varepsilon \sim \mathcal N(0, I);

* the loss of one image is the summed pixel binary cross-entropy plus β times the closed-form KL
  (``course_utils.losses.vae``):

  .. math::
      L(x) = -\sum_{i=1}^{784} \big[x_i \ln \hat x_i + (1 - x_i) \ln (1 - \hat x_i)\big]
      + \beta \cdot \tfrac12 \sum_{j=1}^{d} \big(\mu_j^2 + e^{v_j} - 1 - v_j\big);

* the model returns μ and v next to the reconstruction, so that ``compute_loss`` sees them (erratum 12:
  a loss that reads them from a global model object cannot work in Keras 3), and it saves to ``.keras``
  and loads back with ``safe_mode`` in a fresh process;
* the course ships the trained main model as weights only (``.weights.h5``), loaded into the
  architecture built here in code: no saved configuration is read, so a Keras version older than the
  one that built the file (Colab's) loads it too;
* the β trade-off, posterior collapse, the 2-D latent space, a decoder explorer and an interpolation.

Importing this module does not import TensorFlow: the Keras classes are defined on first use
(:func:`vae_classes`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from course_utils.data import DataFileError, data_directory, load_mnist
from course_utils.i18n import gettext
from course_utils.losses.vae import gaussian_kl_numpy
from course_utils.plotting import PALETTE, CourseFigure, artist, new_figure
from course_utils.validation import (
    as_finite_array,
    as_finite_float,
    as_flat_images,
    as_model,
    as_positive_int,
    as_seed,
    describe_model,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

#: The main model: a 2-D latent (so it can be drawn), two hidden layers each way.
LATENT_DIM = 2
HIDDEN_UNITS = (128, 64)
EPOCHS = 20
BATCH_SIZE = 128
LEARNING_RATE = 2e-3

#: The β trade-off runs: the article's 0.01, the standard VAE's 1, and two larger weights.
TRADEOFF_BETAS = (0.01, 1.0, 4.0, 40.0)
TRADEOFF_LATENT_DIM = 8
TRADEOFF_EPOCHS = 8
TRADEOFF_IMAGES = 4000
#: Burda et al. (2016): a latent unit is active when Cov_x(E[z|x]) exceeds this.
ACTIVE_THRESHOLD = 0.01

#: The decoder explorer shows this square of the latent plane.
LATENT_LIMIT = 4.0

#: Trained weights shipped with the course (built by ``scripts/build_pretrained.py``), by path under
#: ``data/``, with their SHA-256.
PRETRAINED_VAE = "pretrained/mnist_vae_2d.weights.h5"
PRETRAINED_FILES: dict[str, str] = {
    PRETRAINED_VAE: "e559919af87553ea82c11ce6184ba75650f5d19a15924d6a6de2de58d3b5e4ee",
}
PRETRAINED_ADVICE = (
    "Restore it with `git checkout -- data/pretrained/` in the course folder, or rebuild it "
    "(about a minute on 2 cores) with `python scripts/build_pretrained.py`."
)


# --------------------------------------------------------------------------------------------
# data


def mnist_pixels(
    split: str = "train", limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The bundled MNIST digits as rows of 784 float32 pixels in [0, 1], and their labels.

    ``split`` is ``"train"`` (8,000 images) or ``"test"`` (2,000); ``limit`` keeps the first ones.
    Taught in: 09 §1, 10 §2.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    images, labels = (x_train, y_train) if split == "train" else (x_test, y_test)
    if limit is not None:
        limit = as_positive_int("limit", limit)
        images, labels = images[:limit], labels[:limit]
    pixels = (images.reshape(len(images), 784) / 255.0).astype("float32")
    return pixels, labels.astype("int64")


def _as_units(hidden: Any) -> tuple[int, ...]:
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (tuple, list)):
        raise TypeError(
            f"hidden must be a tuple of layer widths, e.g. (128, 64), got {type(hidden).__name__} {hidden!r}."
        )
    return tuple(as_positive_int("hidden", units) for units in hidden)


_as_images = as_flat_images  # rows of 784 pixels; a single (784,) image is refused


def _as_training(name: str, value: Any) -> Training:
    if not isinstance(value, Training):
        raise TypeError(
            f"{name} must be the Training that train_vae returns, got {type(value).__name__}."
        )
    return value


def _as_beta(beta: Any, name: str = "beta") -> float:
    beta = as_finite_float(name, beta)
    if beta < 0:
        raise ValueError(
            f"{name} must be >= 0 (the weight of the KL term), got {beta}."
        )
    return beta


def _decoder_of(name: str, vae_or_decoder: Any) -> Any:
    """The decoder of a VAE, or the decoder itself; ``TypeError`` naming ``name`` otherwise."""
    model = as_model(name, vae_or_decoder)
    if hasattr(model, "encoder") and hasattr(model, "decoder"):
        model = model.decoder
    return as_model(name, model, kind="decoder")


def _latent_width(decoder: Any) -> int | None:
    try:
        return int(decoder.input_shape[-1])
    except Exception:  # a decoder that declares no input shape
        return None


# --------------------------------------------------------------------------------------------
# the model (Keras classes defined on first use)


@lru_cache(maxsize=1)
def vae_classes() -> tuple[type, type]:
    """``(Sampling, VAE)``: the sampling layer and the model, registered for saving.

    Defined on first call so that importing this module does not import Keras; registered under the
    package name ``course_utils``, so ``keras.saving.load_model(path, safe_mode=True)`` rebuilds them
    once this function has run (:func:`load_vae` calls it). Taught in: 09 §2.
    """
    import keras

    from course_utils.losses.vae import vae_loss_tf

    @keras.saving.register_keras_serializable(package="course_utils")
    class Sampling(keras.layers.Layer):
        r"""Draws :math:`z = \mu + e^{v/2} \varepsilon` with :math:`\varepsilon \sim \mathcal N(0, I)`."""

        def __init__(self, seed: int = 0, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.seed = seed
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs: Any) -> Any:
            mean, log_var = inputs
            noise = keras.random.normal(keras.ops.shape(mean), seed=self.seed_generator)
            return mean + keras.ops.exp(0.5 * log_var) * noise

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "seed": self.seed}

    @keras.saving.register_keras_serializable(package="course_utils")
    class VAE(keras.Model):
        """Encoder, sampling, decoder; the loss (reconstruction + β·KL) lives in ``compute_loss``.

        ``call`` returns a dict: the reconstruction and the encoder's ``mean`` and ``log_var``. That is
        how the loss sees μ and log σ² of the *current batch*. Training samples z; inference decodes μ,
        so a reconstruction is deterministic.
        """

        def __init__(
            self,
            encoder: Any,
            decoder: Any,
            beta: float = 1.0,
            seed: int = 0,
            **kwargs: Any,
        ) -> None:
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.beta = float(beta)
            self.seed = seed
            self.sampling = Sampling(seed=seed, name="sampling")
            self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
            self.kl_tracker = keras.metrics.Mean(name="kl")

        def build(self, input_shape: Any = None) -> None:
            self.built = True  # the encoder and decoder are built functional models

        def call(self, x: Any, training: bool = False) -> dict[str, Any]:
            mean, log_var = self.encoder(x, training=training)
            z = self.sampling([mean, log_var]) if training else mean
            return {
                "reconstruction": self.decoder(z, training=training),
                "mean": mean,
                "log_var": log_var,
            }

        def compute_loss(
            self,
            x: Any = None,
            y: Any = None,
            y_pred: Any = None,
            sample_weight: Any = None,
            training: bool = True,
        ) -> Any:
            parts = vae_loss_tf(
                x,
                y_pred["reconstruction"],
                y_pred["mean"],
                y_pred["log_var"],
                beta=self.beta,
            )
            self.reconstruction_tracker.update_state(parts.reconstruction)
            self.kl_tracker.update_state(parts.kl)
            return keras.ops.mean(parts.total)

        def get_config(self) -> dict[str, Any]:
            return {
                **super().get_config(),
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "beta": self.beta,
                "seed": self.seed,
            }

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> VAE:
            config = dict(config)
            for part in ("encoder", "decoder"):
                config[part] = keras.saving.deserialize_keras_object(config[part])
            return cls(**config)

    return Sampling, VAE


def build_encoder(
    latent_dim: int = LATENT_DIM, hidden: Sequence[int] = HIDDEN_UNITS
) -> Any:
    """x (784,) → Dense(relu) layers → two heads: μ and log σ², each (latent_dim,). Taught in: 09 §2."""
    import keras

    latent_dim = as_positive_int("latent_dim", latent_dim)
    hidden = _as_units(hidden)
    inputs = keras.Input((784,), name="image")
    h = inputs
    for index, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden_{index + 1}")(h)
    mean = keras.layers.Dense(latent_dim, name="mean")(h)
    log_var = keras.layers.Dense(latent_dim, name="log_var")(h)
    return keras.Model(inputs, [mean, log_var], name="encoder")


def build_decoder(
    latent_dim: int = LATENT_DIM, hidden: Sequence[int] = HIDDEN_UNITS
) -> Any:
    """z (latent_dim,) → Dense(relu) layers (mirror of the encoder) → 784 pixel probabilities (sigmoid).

    Taught in: 09 §2.
    """
    import keras

    latent_dim = as_positive_int("latent_dim", latent_dim)
    hidden = _as_units(hidden)
    inputs = keras.Input((latent_dim,), name="z")
    h = inputs
    for index, units in enumerate(reversed(tuple(hidden))):
        h = keras.layers.Dense(units, activation="relu", name=f"hidden_{index + 1}")(h)
    pixels = keras.layers.Dense(784, activation="sigmoid", name="pixels")(h)
    return keras.Model(inputs, pixels, name="decoder")


def vae_architecture(latent_dim: int = LATENT_DIM, beta: float = 1.0) -> Any:
    """An uncompiled, built VAE with the default hidden layers, ready for ``load_weights``.

    The shipped weights are loaded into this (:func:`load_pretrained_vae`); ``scripts/build_pretrained.py``
    saves from it, so the two always agree on the layers.
    """
    beta = _as_beta(beta)
    _, vae_class = vae_classes()
    vae = vae_class(
        build_encoder(latent_dim), build_decoder(latent_dim), beta=beta, name="vae"
    )
    vae(np.zeros((1, 784), dtype="float32"))  # creates the variables load_weights fills
    return vae


def build_vae(
    latent_dim: int = LATENT_DIM,
    beta: float = 1.0,
    *,
    hidden: Sequence[int] = HIDDEN_UNITS,
    learning_rate: float = LEARNING_RATE,
    seed: int = 0,
) -> Any:
    """A compiled VAE (Adam), its weights seeded by ``seed``.

    Taught in: 09 §4.
    """
    import keras

    beta = _as_beta(beta)
    learning_rate = as_finite_float("learning_rate", learning_rate)
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}.")
    seed = as_seed(seed)
    keras.utils.set_random_seed(seed)
    _, vae_class = vae_classes()
    vae = vae_class(
        build_encoder(latent_dim, hidden),
        build_decoder(latent_dim, hidden),
        beta=beta,
        seed=seed,
        name="vae",
    )
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return vae


@dataclass(frozen=True)
class Training:
    """A trained VAE and its per-epoch history of the cost and its two terms (means over images).

    ``loss``, ``reconstruction`` and ``kl`` are Keras's per-epoch means over the epoch's training
    batches (the weights change during the epoch). With ``x_test`` given to :func:`train_vae`,
    ``test_reconstruction`` and ``test_kl`` are measured on all of ``x_test`` at the end of each
    epoch (:func:`negative_elbo`, one sampled z per image, the same draws every epoch);
    ``test_loss`` is their sum, the test −ELBO.
    """

    vae: Any
    loss: list[float]
    reconstruction: list[float]
    kl: list[float]
    seconds: float
    test_reconstruction: list[float] = field(default_factory=list)
    test_kl: list[float] = field(default_factory=list)

    @property
    def test_loss(self) -> list[float]:
        """The test −ELBO after each epoch: test reconstruction + test KL (β = 1), nats per image."""
        return [r + k for r, k in zip(self.test_reconstruction, self.test_kl)]


def train_vae(
    x: Any,
    *,
    latent_dim: int = LATENT_DIM,
    beta: float = 1.0,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    hidden: Sequence[int] = HIDDEN_UNITS,
    seed: int = 0,
    x_test: Any = None,
) -> Training:
    """Build and fit a VAE on the rows of ``x`` (pixels in [0, 1]); deterministic for a given seed.

    With ``x_test``, the test −ELBO of all its rows is measured after every epoch
    (:func:`negative_elbo` with ``seed``: the same noise every epoch, so the epochs differ only by
    the weights) into ``Training.test_reconstruction`` and ``Training.test_kl``. It uses NumPy
    noise, not Keras's generator, so the training itself is the same with or without it.

    Taught in: 09 §4.
    """
    import time

    x = _as_images("x", x)
    epochs = as_positive_int("epochs", epochs)
    batch_size = as_positive_int("batch_size", batch_size)
    seed = as_seed(seed)
    if x_test is not None:
        x_test = _as_images("x_test", x_test)
    import keras
    import tensorflow as tf

    vae = build_vae(latent_dim, beta, hidden=hidden, seed=seed)
    # A plain tf.data pipeline (shuffle, batch): reshuffled each epoch from the seed, and free of the
    # parallel map Keras builds for NumPy input (whose C++ log lines would reach the notebook).
    batches = (
        tf.data.Dataset.from_tensor_slices(x)
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    test_r: list[float] = []
    test_kl: list[float] = []

    def measure(epoch: int, logs: Any = None) -> None:
        r, kl = negative_elbo(vae, x_test, seed=seed)
        test_r.append(float(r.mean()))
        test_kl.append(float(kl.mean()))

    callbacks = (
        [] if x_test is None else [keras.callbacks.LambdaCallback(on_epoch_end=measure)]
    )
    start = time.perf_counter()
    history = vae.fit(
        batches, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks
    )
    seconds = time.perf_counter() - start
    h = history.history
    return Training(
        vae,
        [float(v) for v in h["loss"]],
        [float(v) for v in h["reconstruction"]],
        [float(v) for v in h["kl"]],
        seconds,
        test_r,
        test_kl,
    )


def encode(vae: Any, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """The encoder's μ and log σ² for the rows of ``x``, as float64 arrays (m, d).

    Taught in: 09 §4, 10 §5.
    """
    vae = as_model("vae", vae, kind="vae")
    mean, log_var = vae.encoder(_as_images("x", x), training=False)
    return np.asarray(mean, dtype=float), np.asarray(log_var, dtype=float)


def reconstruct(vae: Any, x: Any) -> np.ndarray:
    """Decode the encoder's mean of each image: a deterministic reconstruction, (m, 784).

    Taught in: 09 §4.
    """
    outputs = as_model("vae", vae, kind="vae")(_as_images("x", x), training=False)
    return np.asarray(outputs["reconstruction"], dtype=float)


def decode(vae_or_decoder: Any, z: Any) -> np.ndarray:
    """Pixel probabilities (m, 784) for latent rows ``z`` (a VAE or its decoder).

    Taught in: 09 §7, 10 §5.
    """
    decoder = _decoder_of("vae_or_decoder", vae_or_decoder)
    z = _as_latent("z", z, _latent_width(decoder))
    return np.asarray(decoder(z, training=False), dtype=float)


def _as_latent(name: str, z: Any, width: int | None) -> np.ndarray:
    """Latent rows (m, d) as float32; a single vector (d,) becomes one row."""
    z = np.atleast_2d(as_finite_array(name, z, None, "latent vectors z, one per row"))
    if z.ndim != 2 or z.size == 0 or (width is not None and z.shape[1] != width):
        wanted = f"(m, {width})" if width is not None else "(m, d)"
        raise ValueError(
            f"{name} must have shape {wanted}: one latent vector per row, got {z.shape}."
            + (
                f" The decoder takes {width} numbers per row (its latent dimension)."
                if width is not None
                else ""
            )
        )
    return z.astype("float32")


# --------------------------------------------------------------------------------------------
# the loss, by hand


def reparameterise(mean: Any, log_var: Any, noise: Any) -> np.ndarray:
    r"""The reparameterisation trick in NumPy: :math:`z = \mu + e^{v/2} \odot \varepsilon`.

    :func:`negative_elbo` samples its codes with it; exercise 09.3 asks the learner to write it.
    """
    mean = as_finite_array("mean", mean, None, "latent means μ")
    log_var = as_finite_array("log_var", log_var, None, "latent log-variances v")
    noise = as_finite_array("noise", noise, None, "standard normal noise ε")
    if not (mean.shape == log_var.shape == noise.shape):
        raise ValueError(
            f"mean, log_var and noise must have the same shape, got {mean.shape}, {log_var.shape} "
            f"and {noise.shape}."
        )
    return mean + np.exp(0.5 * log_var) * noise


def monte_carlo_kl(
    mean: Any, log_var: Any, samples: int = 100_000, seed: int = 0
) -> float:
    r"""Monte-Carlo estimate of KL(q ‖ p) for one sample's (μ, v), with q = N(μ, e^v), p = N(0, I).

    .. math::
        \mathrm{KL} \approx \frac1S \sum_{s=1}^{S} \big[\ln q(z_s) - \ln p(z_s)\big],
        \quad z_s = \mu + e^{v/2}\varepsilon_s,

    where :math:`\ln q(z) - \ln p(z) = \sum_j \big[-\tfrac12 v_j - \tfrac12 \varepsilon_j^2
    + \tfrac12 z_j^2\big]` (the :math:`\ln 2\pi` terms cancel). Taught in: 09 §3.
    """
    mean = as_finite_array("mean", mean, 1, "one sample's latent means")
    log_var = as_finite_array("log_var", log_var, 1, "one sample's log-variances")
    if mean.size == 0 or mean.shape != log_var.shape:
        raise ValueError(
            f"mean and log_var must be two non-empty vectors of the same length, got shapes "
            f"{mean.shape} and {log_var.shape}."
        )
    samples = as_positive_int("samples", samples)
    noise = np.random.default_rng(as_seed(seed)).standard_normal((samples, mean.size))
    z = reparameterise(
        np.broadcast_to(mean, noise.shape), np.broadcast_to(log_var, noise.shape), noise
    )
    log_ratio = np.sum(-0.5 * log_var - 0.5 * noise**2 + 0.5 * z**2, axis=1)
    return float(log_ratio.mean())


def kl_per_dimension(mean: Any, log_var: Any) -> np.ndarray:
    r"""Mean KL of each latent dimension over the images: :math:`\frac1m\sum_i \tfrac12(\mu_{ij}^2 + e^{v_{ij}} - 1 - v_{ij})`.

    A dimension whose KL is ≈ 0 carries no information about the image (its posterior is the prior):
    posterior collapse.
    Taught in: 09 §4.
    """
    mean = as_finite_array("mean", mean, 2, "latent means, one row per image")
    log_var = as_finite_array("log_var", log_var, 2, "log-variances, one row per image")
    if mean.size == 0 or mean.shape != log_var.shape:
        raise ValueError(
            f"mean and log_var must be non-empty (m, d) arrays of the same shape, got "
            f"{mean.shape} and {log_var.shape}."
        )
    per_dim = gaussian_kl_numpy(mean[..., None], log_var[..., None])
    return per_dim.mean(axis=0)


def bce_sum_per_image(x: Any, x_reconstructed: Any) -> np.ndarray:
    """Summed pixel binary cross-entropy of each image (clipped at 1e-7 like Keras), shape (m,).

    Taught in: 09 §3.
    """
    from course_utils.losses.vae import EPSILON

    x = _as_images("x", x).astype(float)
    p = np.clip(_as_images("x_reconstructed", x_reconstructed), EPSILON, 1 - EPSILON)
    if x.shape != p.shape:
        raise ValueError(
            f"x and x_reconstructed must have the same shape, got {x.shape} and {p.shape}."
        )
    p = p.astype(float)
    return -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)


def negative_elbo(vae: Any, x: Any, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""One-sample estimate of each image's −ELBO, as its two terms (R, KL), each of shape (m,).

    .. math::
        -\mathrm{ELBO}(x) \approx
        \underbrace{-\sum_{i=1}^{784} \big[x_i \ln \hat x_i + (1 - x_i) \ln (1 - \hat x_i)\big]}_{R,
        \ \hat x = g(z)}
        + \tfrac12 \sum_{j=1}^{d} \big(\mu_j^2 + e^{v_j} - 1 - v_j\big),
        \qquad z = \mu + e^{v/2} \odot \varepsilon,

    with one draw ε ~ N(0, I) per image from ``seed`` (NumPy), x̂ clipped as Keras does, and
    β = 1 whatever the model's β, so models are compared on one scale (for binary pixels it
    bounds −ln p(x) from above; for grey ones read it with 09 §3's caveat).
    Unlike :func:`reconstruct`, which decodes μ, R here is measured at a *sampled* z, as in
    training. Taught in: 09 §4.
    """
    vae = as_model("vae", vae, kind="vae")
    x = _as_images("x", x)
    mean, log_var = encode(vae, x)
    noise = np.random.default_rng(as_seed(seed)).standard_normal(mean.shape)
    rebuilt = decode(vae, reparameterise(mean, log_var, noise))
    return bce_sum_per_image(x, rebuilt), gaussian_kl_numpy(mean, log_var)


def latent_activity(mean: Any) -> np.ndarray:
    """Activity of each latent unit: Cov_x(E[z|x]), the variance over images of μⱼ(x), shape (d,).

    A_j = (1/m) Σᵢ (μᵢⱼ − μ̄ⱼ)², with μ the encoder means of m images in the rows of ``mean``
    (Burda, Grosse and Salakhutdinov, 2016). A unit whose μⱼ is the same for every image tells
    the decoder nothing, whatever its KL to the prior. ``beta_tradeoff`` stores it for each β
    as ``BetaRun.activity``; :func:`active_units` counts the units above the threshold.
    """
    mean = as_finite_array("mean", mean, None, "encoder means μ, one image per row")
    if mean.ndim != 2 or mean.shape[0] < 2:
        raise ValueError(
            "mean must be the encoder means of at least 2 images, shape (m, d), "
            f"got shape {mean.shape}."
        )
    return mean.var(axis=0)


def active_units(activity: Any, threshold: float = ACTIVE_THRESHOLD) -> int:
    """Number of active latent units: those with Cov_x(E[z|x]) > ``threshold`` (0.01, Burda et al.).

    ``activity`` is what :func:`latent_activity` returns, one variance per latent unit.

    Taught in: 09 §6.
    """
    activity = as_finite_array(
        "activity", activity, None, "one variance per latent unit"
    )
    if activity.ndim != 1:
        raise ValueError(
            "activity must be one variance per latent unit, shape (d,), as latent_activity "
            f"returns, got shape {activity.shape}."
        )
    threshold = as_finite_float("threshold", threshold)
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0 (a variance), got {threshold}.")
    return int(np.sum(activity > threshold))


def constant_image_bce(x_fit: Any, x_eval: Any) -> float:
    """Mean summed BCE on ``x_eval`` of the best constant image for ``x_fit``: its mean pixel.

    The constant x̂ that minimises the mean of R = −Σᵢ [xᵢ ln x̂ᵢ + (1 − xᵢ) ln(1 − x̂ᵢ)] over
    ``x_fit`` is x̂ = the mean image of ``x_fit`` (set the derivative to 0 pixel by pixel). A
    decoder that receives no information about the image (every latent unit collapsed) can do
    no better than this on images like ``x_fit``.

    Taught in: 09 §6.
    """
    x_fit = _as_images("x_fit", x_fit)
    x_eval = _as_images("x_eval", x_eval)
    constant = np.broadcast_to(x_fit.mean(axis=0), x_eval.shape)
    return float(bce_sum_per_image(x_eval, constant).mean())


# --------------------------------------------------------------------------------------------
# saving, loading, shipped weights


def _as_path(name: str, path: Any) -> Path:
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a file path (str or pathlib.Path), got {type(path).__name__} "
            f"{path!r:.60}."
        )
    return Path(path)


def _damage(path: Path) -> str:
    """Why ``path`` cannot be read as the archive its name promises, or ``""`` if it can be opened."""
    if path.name.endswith(".keras"):
        try:
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            return f"it is not a readable .keras (zip) archive: {error}"
        return f"its member {broken} is damaged" if broken else ""
    if path.name.endswith(".h5"):
        import h5py

        try:
            with h5py.File(path, "r"):
                pass
        except OSError as error:
            return f"it cannot be opened as HDF5: {error}"
    return ""


def _load_all_weights(vae: Any, path: Path) -> None:
    """``vae.load_weights(path)``, with a ``ValueError`` where Keras would only warn that it skipped
    part of the file (those layers would keep their random initial weights)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vae.load_weights(path)
    for warning in caught:
        text = str(warning.message)
        if "freshly-initialized" in text or "Skipping" in text:
            raise ValueError(f"Keras skipped part of the file: {text[:300]}")
        warnings.warn_explicit(
            warning.message, warning.category, warning.filename, warning.lineno
        )


def _fits_the_lab(model: Any) -> bool:
    """Whether ``model`` is this lab's VAE: 784 pixels → (μ, log σ²) → 784 pixels, latent widths agreeing."""
    _, vae_class = vae_classes()
    if not isinstance(model, vae_class):
        return False
    vae: Any = model
    try:
        encoder_in = tuple(vae.encoder.input_shape)
        mean_out = tuple(vae.encoder.output_shape[0])
        decoder_in = tuple(vae.decoder.input_shape)
        decoder_out = tuple(vae.decoder.output_shape)
    except Exception:  # an encoder or decoder without declared shapes
        return False
    return (
        encoder_in == (None, 784)
        and decoder_out == (None, 784)
        and mean_out == decoder_in
    )


def load_vae(path: str | os.PathLike, *, latent_dim: int = LATENT_DIM) -> Any:
    """Load a VAE of this lab from a file, checking the file and the model where it is read.

    A ``.keras`` file (``vae.save(path)``) is loaded with ``safe_mode=True``; a ``.weights.h5`` file
    (``vae.save_weights(path)``) into :func:`vae_architecture` of ``latent_dim``. A missing,
    damaged or truncated file, or one that holds another model, raises
    :class:`course_utils.data.DataFileError` naming the file and what to do.
    """
    import keras

    path = _as_path("path", path)
    latent_dim = as_positive_int("latent_dim", latent_dim)
    if not path.name.endswith((".keras", ".weights.h5")):
        raise ValueError(
            f"path must name a .keras file (vae.save) or a .weights.h5 file "
            f"(vae.save_weights), got {path.name!r}."
        )
    rebuild = (
        f"save it again from the trained VAE with vae.save({str(path)!r})"
        if path.name.endswith(".keras")
        else f"save it again with vae.save_weights({str(path)!r})"
    )
    if not path.is_file():
        raise DataFileError(
            f"No file {path} (path). Check the folder and the name, or {rebuild}."
        )
    damage = _damage(path)
    if damage:
        raise DataFileError(
            f"The file {path} is damaged or truncated ({damage}); {rebuild} "
            "(an interrupted save or copy leaves such a file)."
        )
    if path.name.endswith(".weights.h5"):
        vae = vae_architecture(latent_dim)
        try:
            _load_all_weights(vae, path)
        except (OSError, ValueError, KeyError) as error:
            raise DataFileError(
                f"The weights in {path} do not fit the {latent_dim}-D VAE of "
                f"course_utils.vae_lab ({error}). Pass the latent_dim it was trained with, "
                "or load the file into the model that saved it."
            ) from error
        return vae
    vae_classes()
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:
        raise DataFileError(
            f"The file {path} could not be loaded as a VAE ({type(error).__name__}: "
            f"{error}). {rebuild[0].upper() + rebuild[1:]}."
        ) from error
    if not _fits_the_lab(model):
        raise DataFileError(
            f"The file {path} holds {describe_model(model)}, not a VAE of "
            "course_utils.vae_lab (784 pixels → μ, log σ² → 784 pixels). Load it with "
            "keras.saving.load_model, or pass the file a VAE was saved to."
        )
    return model


_FRESH_PROCESS_SCRIPT = """
import sys
import numpy as np
from course_utils import vae_lab
vae = vae_lab.load_vae(sys.argv[1])
np.save(sys.argv[3], vae_lab.reconstruct(vae, np.load(sys.argv[2])))
"""


def reconstruct_in_fresh_process(model_path: str | os.PathLike, x: Any) -> np.ndarray:
    """Load ``model_path`` in a new Python process and return its reconstructions of ``x``.

    Proves the saved file is self-sufficient: nothing of the current session (globals, the class
    objects in memory) is available to the new process. Taught in: 09 §5.
    """
    model_path = _as_path("model_path", model_path)
    x = _as_images("x", x)
    if not model_path.is_file():
        raise DataFileError(
            f"No file {model_path} (model_path). Save the VAE there first with "
            "vae.save(model_path)."
        )
    with tempfile.TemporaryDirectory() as scratch:
        inputs, outputs = Path(scratch) / "x.npy", Path(scratch) / "out.npy"
        np.save(inputs, x)
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _FRESH_PROCESS_SCRIPT,
                str(model_path),
                str(inputs),
                str(outputs),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise RuntimeError(
                f"Loading {model_path} in a fresh process failed: "
                f"{lines[-1] if lines else 'no message'}\n{result.stderr[-2000:]}"
            )
        return np.load(outputs)


def pretrained_path(name: str = PRETRAINED_VAE) -> Path:
    """Where a shipped file lives (under the course's data folder)."""
    if name not in PRETRAINED_FILES:
        raise ValueError(
            f"name must be one of {sorted(PRETRAINED_FILES)}, got {name!r}."
        )
    return data_directory() / name


def verify_pretrained(name: str = PRETRAINED_VAE) -> Path:
    """The shipped file's path after checking it exists and has the recorded SHA-256.

    Raises :class:`course_utils.data.DataFileError` naming the file, the problem and the fix.
    """
    path = pretrained_path(name)
    if not path.is_file():
        raise DataFileError(f"Missing trained-weights file {path}. {PRETRAINED_ADVICE}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PRETRAINED_FILES[name]:
        damage = _damage(path)
        raise DataFileError(
            f"Trained-weights file {path} is corrupted or was changed: its SHA-256 is {digest}, "
            f"expected {PRETRAINED_FILES[name]}."
            + (f" The file is damaged or truncated ({damage})." if damage else "")
            + f" {PRETRAINED_ADVICE}"
        )
    return path


@lru_cache(maxsize=1)
def load_pretrained_vae() -> Any:
    """The shipped 2-D VAE (the main model of 09, trained by ``scripts/build_pretrained.py``).

    The file holds weights only (no configuration, no Python code): they are loaded into
    :func:`vae_architecture`, so any Keras 3 release reads it. A file that passes the checksum but
    does not fit the architecture raises :class:`course_utils.data.DataFileError`.
    Used by 10_lab_loss_guided_generation, and by the decoder explorer when no model is given.
    """
    path = verify_pretrained(PRETRAINED_VAE)
    vae = vae_architecture(LATENT_DIM, beta=1.0)
    try:
        _load_all_weights(vae, path)
    except (OSError, ValueError, KeyError) as error:
        raise DataFileError(
            f"Trained-weights file {path} does not fit the VAE of course_utils.vae_lab "
            f"({error}). {PRETRAINED_ADVICE}"
        ) from error
    return vae


# --------------------------------------------------------------------------------------------
# the decoder in NumPy (fast enough for a slider)


@dataclass(frozen=True)
class DecoderWeights:
    """The decoder's dense layers as NumPy arrays: ReLU on every layer but the last (sigmoid)."""

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    def __call__(self, z: Any) -> np.ndarray:
        r"""Pixels (m, 784) for latent rows z: :math:`A^{[l]} = \mathrm{relu}(A^{[l-1]} W^{[l]} + b^{[l]})`, then a sigmoid."""
        a = np.atleast_2d(np.asarray(z, dtype=np.float32))
        last = len(self.kernels) - 1
        for index, (kernel, bias) in enumerate(zip(self.kernels, self.biases)):
            a = a @ kernel + bias
            a = np.maximum(a, 0.0) if index < last else 1.0 / (1.0 + np.exp(-a))
        return a


def decoder_weights(vae_or_decoder: Any) -> DecoderWeights:
    """Copy the decoder's kernels and biases into a :class:`DecoderWeights`."""
    decoder = _decoder_of("vae_or_decoder", vae_or_decoder)
    dense = [layer for layer in getattr(decoder, "layers", ()) if layer.weights]
    if not dense or any(not hasattr(layer, "kernel") for layer in dense):
        raise TypeError(
            "vae_or_decoder must be a VAE or decoder built of Dense layers (build_decoder), "
            f"got {describe_model(decoder)}."
        )
    return DecoderWeights(
        tuple(np.asarray(layer.kernel.numpy()) for layer in dense),
        tuple(np.asarray(layer.bias.numpy()) for layer in dense),
    )


# --------------------------------------------------------------------------------------------
# figures


def _image_panel(ax: Any, image: np.ndarray, title: str, gid: str | None = None) -> Any:
    shown = ax.imshow(
        np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0.0, vmax=1.0, gid=gid
    )
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return shown


def image_strip(images: Any, ncols: int | None = None) -> np.ndarray:
    """Tile images (m, 784) into one array: rows of ``ncols`` digits with a 2-pixel gap."""
    images = _as_images("images", images).reshape(-1, 28, 28)
    ncols = len(images) if ncols is None else as_positive_int("ncols", ncols)
    nrows = -(-len(images) // ncols)
    canvas = np.zeros((nrows * 30 - 2, ncols * 30 - 2))
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        canvas[row * 30 : row * 30 + 28, col * 30 : col * 30 + 28] = image
    return canvas


def plot_loss_curves(training: Training, floor: float | None = None) -> Figure:
    """Both loss terms per epoch (means over the images): reconstruction and KL, on their own axes.

    Solid: training (Keras's mean over the epoch's batches). Dashed, when the training measured
    them (``train_vae(..., x_test=...)``): the test terms after each epoch. With ``floor`` (the
    summed BCE of the images against themselves, 09 §3), a dotted line marks it under the
    reconstruction. Taught in: 09 §4.
    """
    training = _as_training("training", training)
    if floor is not None:
        floor = as_finite_float("floor", floor)
    fig, (left, right) = new_figure(2, width=10.0, height=3.8)
    epochs = np.arange(1, len(training.loss) + 1)
    tested = len(training.test_reconstruction) == len(epochs)
    for ax, train, test, colour in (
        (left, training.reconstruction, training.test_reconstruction, PALETTE[0]),
        (right, training.kl, training.test_kl, PALETTE[3]),
    ):
        ax.plot(
            epochs, train, color=colour, marker="o", ms=4, label=gettext("training")
        )
        if tested:
            ax.plot(
                epochs, test, color=colour, ls="--", label=gettext("test, end of epoch")
            )
    if floor is not None:
        left.axhline(floor, color="0.4", ls=":", label=gettext("floor Σ H(x)"))
        left.set_ylim(0, None)
    for ax in (left, right):
        ax.set(xlabel=gettext("epoch"), ylabel=gettext("nats per image"))
    left.set_title(gettext("reconstruction (summed BCE)"))
    right.set_title(gettext("KL(q(z|x) ‖ N(0, I))"))
    if tested or floor is not None:
        left.legend(loc="upper right")
    if tested:
        right.legend(loc="lower right")
    return fig


def plot_reconstructions(x: Any, x_reconstructed: Any, count: int = 8) -> Figure:
    """Originals (top row) above their reconstructions (bottom row).

    Taught in: 09 §4.
    """
    count = as_positive_int("count", count)
    x = _as_images("x", x)[:count]
    x_reconstructed = _as_images("x_reconstructed", x_reconstructed)[:count]
    if len(x) != len(x_reconstructed):
        raise ValueError(
            f"x and x_reconstructed must hold the same number of images, got {len(x)} and "
            f"{len(x_reconstructed)} (after keeping the first count = {count})."
        )
    fig, (ax,) = new_figure(1, width=10.0, height=2.8)
    both = np.concatenate([x, x_reconstructed])
    ax.imshow(image_strip(both, len(x)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([14, 44], [gettext("original"), gettext("rebuilt")])
    ax.grid(False)
    return fig


@dataclass(frozen=True)
class BetaRun:
    """One β of the trade-off: test-set means of both terms, KL per dimension, decoded samples,
    and each latent unit's activity Cov_x(E[z|x]) on the test images."""

    beta: float
    reconstruction: float
    kl: float
    kl_per_dim: np.ndarray
    samples: np.ndarray
    reconstructions: np.ndarray
    activity: np.ndarray
    negative_elbo: float = float("nan")

    @property
    def latent_dim(self) -> int:
        """d, the length of the run's latent code."""
        return len(self.kl_per_dim)


def beta_tradeoff(
    x_train: Any,
    x_test: Any,
    betas: Sequence[float] = TRADEOFF_BETAS,
    *,
    latent_dim: int = TRADEOFF_LATENT_DIM,
    epochs: int = TRADEOFF_EPOCHS,
    samples: int = 8,
    seed: int = 0,
) -> list[BetaRun]:
    """Train one VAE per β (same seed, data and epochs) and measure each on ``x_test``.

    ``reconstruction`` decodes μ (:func:`reconstruct`); ``negative_elbo`` is the test −ELBO at
    β = 1 with a sampled z (:func:`negative_elbo`, noise from ``seed``), so runs of different β
    or ``latent_dim`` are compared on one scale. Taught in: 09 §6.
    """
    x_train = _as_images("x_train", x_train)
    x_test = _as_images("x_test", x_test)
    if isinstance(betas, (str, bytes)) or np.ndim(betas) != 1 or len(betas) == 0:
        raise ValueError(
            f"betas must be a non-empty sequence of β values, e.g. (0.01, 1.0), got {betas!r:.60}."
        )
    betas = [_as_beta(beta, "betas") for beta in betas]
    latent_dim = as_positive_int("latent_dim", latent_dim)
    epochs = as_positive_int("epochs", epochs)
    samples = as_positive_int("samples", samples)
    z = np.random.default_rng(as_seed(seed)).standard_normal((samples, latent_dim))
    runs = []
    for beta in betas:
        vae = train_vae(
            x_train, latent_dim=latent_dim, beta=beta, epochs=epochs, seed=seed
        ).vae
        mean, log_var = encode(vae, x_test)
        rebuilt = reconstruct(vae, x_test)
        sampled_r, kl = negative_elbo(vae, x_test, seed=seed)
        runs.append(
            BetaRun(
                float(beta),
                float(bce_sum_per_image(x_test, rebuilt).mean()),
                float(gaussian_kl_numpy(mean, log_var).mean()),
                kl_per_dimension(mean, log_var),
                decode(vae, z),
                rebuilt[:samples],
                latent_activity(mean),
                float(np.mean(sampled_r + kl)),
            )
        )
    return runs


def plot_beta_tradeoff(
    runs: Sequence[BetaRun], originals: Any = None, constant: Any = None
) -> Figure:
    """For each β: KL per latent dimension (bars), reconstructions and samples from the prior.

    With ``originals`` (the images the runs reconstructed, first row of x_test), a first row
    shows them above the reconstructions; with ``constant`` (one image, e.g. the mean training
    digit), that row also shows it on the left: the best a collapsed decoder can draw.

    Taught in: 09 §6.
    """
    if not runs or not all(isinstance(run, BetaRun) for run in runs):
        raise TypeError(
            "runs must be the non-empty list of BetaRun that beta_tradeoff returns, got "
            f"{runs!r:.60}."
        )
    top = 0
    if originals is not None:
        originals = _as_images("originals", originals)
        if len(originals) != len(runs[0].reconstructions):
            raise ValueError(
                f"originals must be the {len(runs[0].reconstructions)} images the runs "
                f"reconstructed, got {len(originals)}."
            )
        top = 1
    if constant is not None:
        if originals is None:
            raise ValueError(
                "constant is drawn in the originals row: pass originals too."
            )
        constant = _as_images("constant", np.reshape(constant, (1, -1)))
    fig = CourseFigure(
        figsize=(11.0, 1.35 * (len(runs) + top) + 0.6), layout="constrained"
    )
    grid = fig.add_gridspec(len(runs) + top, 3, width_ratios=[1.0, 2.2, 2.2])
    if originals is not None:
        ax = fig.add_subplot(grid[0, 1])
        ax.imshow(image_strip(originals, len(originals)), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_title(gettext("originals (test digits)"))
        if constant is not None:
            _image_panel(
                fig.add_subplot(grid[0, 0]), constant[0], gettext("mean training digit")
            )
    for row, run in enumerate(runs):
        bars = fig.add_subplot(grid[row + top, 0])
        dims = np.arange(1, len(run.kl_per_dim) + 1)
        bars.bar(dims, run.kl_per_dim, color=PALETTE[3])
        bars.set_ylim(0, max(3.0, float(np.max(run.kl_per_dim)) * 1.1))
        bars.set_xticks(dims)
        bars.set_ylabel(gettext("β = {beta:g}\nKL per dim").format(beta=run.beta))
        if row == len(runs) - 1:
            bars.set_xlabel(gettext("latent dimension j"))
        for col, (images, title) in enumerate(
            (
                (run.reconstructions, gettext("reconstructions")),
                (run.samples, gettext("samples z ~ N(0, I)")),
            ),
            start=1,
        ):
            ax = fig.add_subplot(grid[row + top, col])
            ax.imshow(image_strip(images, len(images)), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if row == 0:
                ax.set_title(title)
            if col == 1:
                ax.set_xlabel(
                    gettext("BCE {bce:.0f}, KL {kl:.1f} nats/image").format(
                        bce=run.reconstruction, kl=run.kl
                    ),
                    fontsize=11,
                )
    return fig


def plot_reconstruction_rows(x: Any, rows: Mapping[str, Any], count: int = 8) -> Figure:
    """Originals (top row) above one row of reconstructions per model, labelled by ``rows``' keys.

    ``rows`` maps a label (e.g. ``"d = 2"``) to that model's reconstructions of the same images.
    Taught in: 09 §6.
    """
    count = as_positive_int("count", count)
    x = _as_images("x", x)[:count]
    if not isinstance(rows, Mapping) or not rows:
        raise TypeError(
            "rows must be a non-empty dict {label: reconstructions}, e.g. "
            f"{{'d = 2': rebuilt_2}}, got {type(rows).__name__} {rows!r:.60}."
        )
    images = [x]
    for label, rebuilt in rows.items():
        rebuilt = _as_images("rows", rebuilt)[:count]
        if len(rebuilt) != len(x):
            raise ValueError(
                f"rows[{label!r}] must hold as many images as x ({len(x)}, after keeping the "
                f"first count = {count}), got {len(rebuilt)}."
            )
        images.append(rebuilt)
    fig, (ax,) = new_figure(1, width=10.0, height=1.1 + 0.95 * len(images))
    ax.imshow(
        image_strip(np.concatenate(images), len(x)), cmap="gray_r", vmin=0, vmax=1
    )
    ax.set_xticks([])
    labels = [gettext("original"), *(str(label) for label in rows)]
    ax.set_yticks([14 + 30 * i for i in range(len(labels))], labels)
    ax.grid(False)
    return fig


def plot_latent_space(mean: Any, labels: Any) -> Figure:
    """The 2-D latent means of the images, coloured by digit.

    Taught in: 09 §7.
    """
    mean = as_finite_array("mean", mean, 2, "2-D latent means, one row per image")
    if mean.shape[1] != 2 or len(mean) == 0:
        raise ValueError(
            f"mean must have 2 columns (a 2-D latent) and at least one row, got shape "
            f"{mean.shape}."
        )
    labels = np.asarray(labels)
    if labels.shape != (len(mean),) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"labels must hold one integer digit per row of mean ({len(mean)}), got "
            f"{labels.dtype} of shape {labels.shape}."
        )
    fig, (ax,) = new_figure(1, width=7.0, height=6.0)
    _draw_latent_points(ax, mean, labels)
    return fig


#: Ten colours for ten digits: the course palette plus two greys.
DIGIT_COLOURS = PALETTE + ("#999999", "#555555")


def _draw_latent_points(ax: Any, mean: np.ndarray, labels: np.ndarray) -> None:
    for digit in range(10):
        chosen = labels == digit
        ax.scatter(
            mean[chosen, 0],
            mean[chosen, 1],
            s=6,
            color=DIGIT_COLOURS[digit],
            label=str(digit),
        )
    ax.set(xlim=(-LATENT_LIMIT, LATENT_LIMIT), ylim=(-LATENT_LIMIT, LATENT_LIMIT))
    ax.set(xlabel="z₁", ylabel="z₂", title=gettext("latent means μ of test digits"))
    ax.legend(markerscale=3, ncols=2, fontsize=10, loc="upper right", framealpha=0.8)


def plot_decoder_explorer(
    z1: float,
    z2: float,
    *,
    weights: DecoderWeights,
    points: tuple[np.ndarray, np.ndarray] | None = None,
) -> Figure:
    """Left: the latent plane with a cross at (z₁, z₂); right: the digit the decoder draws there."""
    fig, (plane, image) = new_figure(2, width=10.0, height=4.6)
    if points is not None:
        _draw_latent_points(plane, np.asarray(points[0]), np.asarray(points[1]))
    plane.set(xlim=(-LATENT_LIMIT, LATENT_LIMIT), ylim=(-LATENT_LIMIT, LATENT_LIMIT))
    plane.set(xlabel="z₁", ylabel="z₂")
    plane.plot([z1], [z2], marker="X", ms=16, color="black", gid="cursor")
    _image_panel(image, weights([[z1, z2]])[0], gettext("decoder(z)"), gid="decoded")
    image.text(
        0.5,
        -0.08,
        f"z = ({z1:+.2f}, {z2:+.2f})",
        transform=image.transAxes,
        ha="center",
        va="top",
        gid="z-label",
    )
    return fig


def update_decoder_explorer(
    fig: Figure, z1: float, z2: float, *, weights: DecoderWeights
) -> None:
    """Move the cross and redraw the decoded digit (a NumPy forward pass: well under 1 ms)."""
    z1 = as_finite_float("z1", z1)
    z2 = as_finite_float("z2", z2)
    for name, value in (("z1", z1), ("z2", z2)):
        if abs(value) > LATENT_LIMIT:
            raise ValueError(
                f"{name} must be in [-{LATENT_LIMIT}, {LATENT_LIMIT}], got {value}."
            )
    cursor: Any = artist(fig, "cursor")
    decoded: Any = artist(fig, "decoded")
    label: Any = artist(fig, "z-label")
    cursor.set_data([z1], [z2])
    decoded.set_data(weights([[z1, z2]])[0].reshape(28, 28))
    label.set_text(f"z = ({z1:+.2f}, {z2:+.2f})")


@register_widget
def decoder_explorer_widget(
    vae: Any = None, points: tuple[np.ndarray, np.ndarray] | None = None
) -> LivePlot:
    """Two sliders z₁, z₂ → the decoded digit. Without ``vae``, uses the shipped 2-D VAE.

    Taught in: 09 §7.
    """
    if vae is not None:
        width = _latent_width(_decoder_of("vae", vae))
        if width is not None and width != 2:
            raise ValueError(
                f"vae must have a 2-D latent space (two sliders z₁, z₂), got one with {width} "
                "dimensions; train it with latent_dim=2."
            )
    weights = decoder_weights(vae if vae is not None else load_pretrained_vae())
    return LivePlot(
        partial(plot_decoder_explorer, weights=weights, points=points),
        partial(update_decoder_explorer, weights=weights),
        {
            "z1": float_slider("z₁", 0.0, -LATENT_LIMIT, LATENT_LIMIT, 0.05),
            "z2": float_slider("z₂", 0.0, -LATENT_LIMIT, LATENT_LIMIT, 0.05),
        },
        title=gettext("decoder explorer (sliders: z₁, z₂)"),
    )


def interpolate(z_start: Any, z_end: Any, steps: int = 9) -> np.ndarray:
    r"""Points on the segment from ``z_start`` to ``z_end``: :math:`z(t) = (1 - t) z_a + t z_b`, t in [0, 1].

    Taught in: 09 §7.
    """
    z_start = as_finite_array("z_start", z_start, None, "a latent vector")
    z_end = as_finite_array("z_end", z_end, None, "a latent vector")
    if z_start.shape != z_end.shape or z_start.ndim != 1 or z_start.size == 0:
        raise ValueError(
            f"z_start and z_end must be two latent vectors of the same length, got {z_start.shape} and "
            f"{z_end.shape}."
        )
    t = np.linspace(0.0, 1.0, as_positive_int("steps", steps))[:, None]
    return (1 - t) * z_start + t * z_end


def plot_interpolation(pixel_mix: Any, latent_path: Any) -> Figure:
    """Two rows: mixing the pixels of two digits (top) vs decoding points between their codes (bottom).

    Taught in: 09 §7.
    """
    pixel_mix = _as_images("pixel_mix", pixel_mix)
    latent_path = _as_images("latent_path", latent_path)
    if len(pixel_mix) != len(latent_path):
        raise ValueError(
            f"pixel_mix and latent_path must hold the same number of images, got "
            f"{len(pixel_mix)} and {len(latent_path)}."
        )
    fig, (ax,) = new_figure(1, width=11.0, height=2.9)
    both = np.concatenate([pixel_mix, latent_path])
    ax.imshow(image_strip(both, len(pixel_mix)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([14, 44], [gettext("pixels"), gettext("latent")])
    ax.grid(False)
    ax.set_title(gettext("from one digit to another: averaging pixels vs walking in z"))
    return fig
