r"""Images made by descending a loss: a classifier's cross-entropy, in pixel space and in a VAE's latent space.

The ideas of ``10_lab_loss_guided_generation``:

* a small MNIST classifier f (784 pixels → 10 logits), trained in seconds;
* **pixel space**: start from a real image x⁰ and descend, over the pixels x themselves, a weighted sum
  of losses,

  .. math::
      L(x) = \mathrm{CE}\big(k, f(x)\big)
      + \frac{\lambda_{\text{near}}}{2}\cdot\frac{1}{784}\sum_{i=1}^{784} (x_i - x^0_i)^2
      + \lambda_{\text{TV}} \sum_{r, c} \big(|x_{r+1,c} - x_{r,c}| + |x_{r,c+1} - x_{r,c}|\big),

  with the pixels clipped to [0, 1] after every step. With λ_near = λ_TV = 0 the result is an
  *adversarial example*: the classifier says k, a person still sees the old digit plus noise;
* **latent space**: descend the same cross-entropy over the 2 numbers z of the VAE decoder g (lab 09):
  :math:`L(z) = \mathrm{CE}(k, f(g(z)))`. Every candidate is something the decoder can draw, so the
  result looks like a digit. The source article's ``init_weight`` term,
  :math:`\frac{\lambda_{\text{init}}}{2}\cdot\frac1d\sum_j (z_j - z^0_j)^2`, keeps z near its start z⁰;
* a widget with the weights of the two extra terms (precomputed on a grid of weights).

This is the idea behind CLIP-guided generation (the source article's snippet, which is PyTorch:
erratum 16): a sum of weighted losses, one of them a text–image similarity, one keeping the result near
the initial image, descended in the latent space of an image generator.

Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from course_utils.i18n import gettext
from course_utils.plotting import PALETTE, new_figure
from course_utils.vae_lab import _as_latent, _decoder_of, _latent_width
from course_utils.validation import (
    as_finite_array,
    as_finite_float,
    as_flat_images,
    as_model,
    as_positive_int,
    as_seed,
    check_pixel_range,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

NUM_CLASSES = 10

#: The classifier: one hidden layer, trained for a few epochs.
CLASSIFIER_UNITS = 128
CLASSIFIER_EPOCHS = 4

#: Pixel descent: Adam on the pixels, clipped to [0, 1] after each step.
PIXEL_STEPS = 50
PIXEL_LEARNING_RATE = 0.005

#: Latent descent: Adam on the decoder's 2-D z.
LATENT_STEPS = 200
LATENT_LEARNING_RATE = 0.05

#: The grid of weights the widget shows (computed once, as one batch): powers of ten in half steps,
#: from "no effect" to "dominates", so the sliders move in log₁₀ λ.
NEAR_WEIGHTS = tuple(float(10**e) for e in np.arange(0.0, 3.01, 0.5))
TV_WEIGHTS = tuple(float(10**e) for e in np.arange(-4.0, -0.99, 0.5))


# --------------------------------------------------------------------------------------------
# the classifier


@dataclass(frozen=True)
class Classifier:
    """A trained classifier (pixels → logits) and its test accuracy."""

    model: Any
    accuracy: float
    seconds: float


def train_classifier(
    x_train: Any,
    y_train: Any,
    x_test: Any,
    y_test: Any,
    *,
    epochs: int = CLASSIFIER_EPOCHS,
    seed: int = 0,
    units: int = CLASSIFIER_UNITS,
) -> Classifier:
    """Dense(units, relu) → Dense(10) logits, sparse CE from logits, Adam; deterministic for a seed.

    A second judge for the transfer test (section 7) differs in ``seed`` and ``units``.

    Taught in: 10 §2.
    """
    import keras
    import tensorflow as tf

    x_train = _as_images("x_train", x_train)
    x_test = _as_images("x_test", x_test)
    epochs = as_positive_int("epochs", epochs)
    y_train = _labels("y_train", y_train, len(x_train))
    y_test = _labels("y_test", y_test, len(x_test))
    seed = as_seed(seed)
    units = as_positive_int("units", units)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((784,), name="image"),
            keras.layers.Dense(units, activation="relu", name="hidden"),
            keras.layers.Dense(NUM_CLASSES, name="logits"),
        ],
        name="classifier",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    batches = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(128)
    )
    start = time.perf_counter()
    model.fit(batches, epochs=epochs, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(predict_classes(model, x_test) == np.asarray(y_test)))
    return Classifier(model, accuracy, seconds)


def _labels(name: str, y: Any, count: int) -> np.ndarray:
    values = (
        np.asarray(y) if not isinstance(y, (str, bytes)) and y is not None else None
    )
    if values is None or values.dtype.kind not in "iu" or values.shape != (count,):
        raise TypeError(
            f"{name} must hold one integer class (0..9) per image, {count} in all, got {y!r:.60}."
        )
    if values.size and (values.min() < 0 or values.max() >= NUM_CLASSES):
        raise ValueError(
            f"{name} must hold classes in 0..9, found {values.min()}..{values.max()}."
        )
    return values.astype("int64")


def class_probabilities(model: Any, x: Any) -> np.ndarray:
    """Softmax of the classifier's logits for the rows of ``x``, (m, 10) float64.

    Taught in: 10 §3.
    """
    logits = np.asarray(
        as_model("model", model, kind="classifier")(_as_images("x", x), training=False),
        dtype=float,
    )
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def predict_classes(model: Any, x: Any) -> np.ndarray:
    """The most probable class of each row of ``x``.

    Taught in: 10 §7.
    """
    return np.argmax(class_probabilities(model, x), axis=1)


# --------------------------------------------------------------------------------------------
# the extra terms, in NumPy and TensorFlow


_as_images = partial(as_flat_images, one_image_as_row=True)


def _as_learning_rate(value: Any) -> float:
    rate = as_finite_float("learning_rate", value)
    if rate <= 0:
        raise ValueError(
            f"learning_rate must be > 0 (a step down the loss), got {rate}; a step of "
            "zero changes nothing and a negative one climbs the loss."
        )
    return rate


def total_variation(x: Any) -> np.ndarray:
    r"""Anisotropic total variation of each image (rows of 784 pixels), float64, shape (m,):

    .. math::
        \mathrm{TV}(x) = \sum_{r=1}^{27}\sum_{c=1}^{28} |x_{r+1,c} - x_{r,c}|
        + \sum_{r=1}^{28}\sum_{c=1}^{27} |x_{r,c+1} - x_{r,c}|,

    the same number as ``tf.image.total_variation`` on 28×28×1 images. Taught in: 10 §3.
    """
    images = as_finite_array("x", x, None, "28×28 images, 784 pixels each")
    check_pixel_range("x", images, low_ok=-1.0)
    if images.size == 0 or images.size % 784:
        raise ValueError(
            f"x must hold 28×28 images (784 pixels each, e.g. shape (m, 784)), got shape {images.shape}."
        )
    images = images.reshape(-1, 28, 28)
    down = np.abs(np.diff(images, axis=1)).sum(axis=(1, 2))
    across = np.abs(np.diff(images, axis=2)).sum(axis=(1, 2))
    return down + across


def near_initial(x: Any, x_initial: Any) -> np.ndarray:
    r"""Mean squared distance of each image from its initial image, shape (m,):
    :math:`\frac{1}{784}\sum_i (x_i - x^0_i)^2` (Keras's ``mean_squared_error``). Taught in: 10 §4.
    """
    x = np.atleast_2d(as_finite_array("x", x, None, "images, one per row"))
    x_initial = np.atleast_2d(
        as_finite_array("x_initial", x_initial, None, "images, one per row")
    )
    check_pixel_range("x", x)
    check_pixel_range("x_initial", x_initial)
    if x.shape != x_initial.shape:
        raise ValueError(
            f"x and x_initial must have the same shape, got {x.shape} and {x_initial.shape}."
        )
    return np.mean((x - x_initial) ** 2, axis=1)


def init_term(z: Any, z_initial: Any, init_weight: Any = 1.0) -> np.ndarray:
    r"""The source article's ``init_weight`` term for each latent row, shape (m,):

    .. math::
        \frac{\lambda_{\text{init}}}{2}\cdot\frac{1}{d}\sum_{j=1}^{d} \big(z_j - z^0_j\big)^2,
        \qquad \frac{\partial}{\partial z} = \frac{\lambda_{\text{init}}}{d}\,(z - z^0).

    The article writes ``F.mse_loss(z, z_orig) * init_weight / 2``: PyTorch's ``mse_loss`` is a
    *mean* over every element of z (d of them), so the term is not λ·‖z − z⁰‖² but λ/(2d) times
    it. ``init_weight`` is one number or one per row. Taught in: 10 §5.
    """
    z = np.atleast_2d(as_finite_array("z", z, None, "latent vectors, one per row"))
    z_initial = np.atleast_2d(
        as_finite_array("z_initial", z_initial, None, "latent vectors, one per row")
    )
    if z.ndim != 2 or z.size == 0 or z.shape != z_initial.shape:
        raise ValueError(
            "z and z_initial must be non-empty arrays of the same shape (m, d), got "
            f"{z.shape} and {z_initial.shape}."
        )
    weight = _per_image("init_weight", init_weight, len(z)).astype(float)
    return weight / 2 * np.mean((z - z_initial) ** 2, axis=1)


def _tf_total_variation(images: Any) -> Any:
    import tensorflow as tf

    grid = tf.reshape(images, (-1, 28, 28))
    down = tf.reduce_sum(tf.abs(grid[:, 1:, :] - grid[:, :-1, :]), axis=(1, 2))
    across = tf.reduce_sum(tf.abs(grid[:, :, 1:] - grid[:, :, :-1]), axis=(1, 2))
    return down + across


def guided_loss_terms(
    model: Any, x: Any, x_initial: Any, target: Any
) -> dict[str, np.ndarray]:
    """The three terms of the pixel-space loss for each image (unweighted): CE toward ``target``,
    the near-initial mean squared distance, and the total variation."""
    x = _as_images("x", x)
    x_initial = _as_images("x_initial", x_initial)
    if x.shape != x_initial.shape:
        raise ValueError(
            f"x and x_initial must have the same shape, got {x.shape} and {x_initial.shape}."
        )
    targets = _targets(target, len(x))
    p = class_probabilities(model, x)
    return {
        "ce": -np.log(np.maximum(p[np.arange(len(x)), targets], 1e-300)),
        "near": near_initial(x, x_initial),
        "tv": total_variation(x),
    }


def _targets(target: Any, count: int) -> np.ndarray:
    values = np.asarray(target)
    if values.dtype.kind not in "iu" or values.size == 0:
        raise TypeError(
            f"target must be a class number in 0..9 (an integer), got {target!r}."
        )
    if values.ndim > 1 or values.size not in (1, count):
        raise ValueError(
            f"target must be one class (0..9) or one per image ({count}), got shape "
            f"{values.shape}: {target!r:.60}."
        )
    targets = np.broadcast_to(values.ravel(), (count,)).astype("int64")
    if targets.min() < 0 or targets.max() >= NUM_CLASSES:
        raise ValueError(f"target must be a class in 0..9, got {target!r}.")
    return targets


def _per_image(name: str, value: Any, count: int) -> np.ndarray:
    values = as_finite_array(name, value, None, "a weight >= 0").astype("float32")
    if values.ndim > 1 or values.size not in (1, count):
        raise ValueError(
            f"{name} must be one number or one per image ({count}), got shape {values.shape}."
        )
    array = np.broadcast_to(values, (count,))
    if array.min() < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}.")
    return np.array(array)


# --------------------------------------------------------------------------------------------
# descending the loss


@dataclass(frozen=True)
class Descent:
    """The result of a descent: final images (m, 784), their class probabilities, and the loss per step."""

    images: np.ndarray
    probabilities: np.ndarray
    losses: np.ndarray
    latent: np.ndarray | None = None


def _adam_descent(
    variable: Any,
    loss_fn: Any,
    steps: int,
    learning_rate: float,
    *,
    clip: bool,
    project: Any = None,
) -> np.ndarray:
    r"""Adam on ``variable`` (each row its own problem): the loss of every row before each step, (steps, m).

    .. math::
        m \leftarrow 0.9\,m + 0.1\,g, \quad v \leftarrow 0.999\,v + 0.001\,g^2, \quad
        \theta \leftarrow \theta - \eta\,\frac{m / (1 - 0.9^t)}{\sqrt{v / (1 - 0.999^t)} + 10^{-7}},

    then, with ``clip``, θ is clipped to [0, 1] (pixels stay pixels), and ``project`` (if given)
    maps θ back into an allowed set (an L∞ ball). ``loss_fn`` receives the step count t.
    """
    import tensorflow as tf

    first = tf.Variable(tf.zeros_like(variable))
    second = tf.Variable(tf.zeros_like(variable))
    count = tf.Variable(0.0)

    @tf.function
    def step() -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(count)
            total = tf.reduce_sum(
                loss
            )  # rows are independent: the sum's gradient is each row's
        gradient = tape.gradient(total, variable)
        count.assign_add(1.0)
        first.assign(0.9 * first + 0.1 * gradient)
        second.assign(0.999 * second + 0.001 * tf.square(gradient))
        corrected = (first / (1 - 0.9**count)) / (
            tf.sqrt(second / (1 - 0.999**count)) + 1e-7
        )
        variable.assign_sub(learning_rate * corrected)
        if clip:
            variable.assign(tf.clip_by_value(variable, 0.0, 1.0))
        if project is not None:
            variable.assign(project(variable))
        return loss

    return np.stack([step().numpy() for _ in range(steps)])


def descend_pixels(
    model: Any,
    x_initial: Any,
    target: Any,
    *,
    near_weight: Any = 0.0,
    tv_weight: Any = 0.0,
    steps: int = PIXEL_STEPS,
    learning_rate: float = PIXEL_LEARNING_RATE,
    budget: Any = None,
    shifts: int = 0,
    seed: int = 0,
) -> Descent:
    r"""Minimise :math:`\mathrm{CE}(k, f(x)) + \frac{\lambda_{near}}{2}\,\mathrm{MSE}(x, x^0) + \lambda_{TV}\,\mathrm{TV}(x)`
    over the pixels x, from x = x⁰, with Adam, clipping x to [0, 1] after each step.

    With ``budget`` ε (one value or one per image) the change is also clipped to the L∞ ball
    :math:`|x_i - x^0_i| \le \varepsilon` after each step. With ``shifts`` = S > 0 the CE term is
    the mean over S random shifts of the image by up to ±2 pixels in each direction, drawn afresh
    at every step from ``seed`` (an expectation over transformations, as the cutouts of CLIP
    guidance): :math:`\frac1S\sum_s \mathrm{CE}(k, f(T_s x))`.

    Every argument but ``model`` and ``steps`` may hold one value per image, so a grid of weights runs
    as one batch. ``losses`` has shape (steps, m): the total loss of each image before each step.
    Taught in: 10 §3.
    """
    import keras
    import tensorflow as tf

    model = as_model("model", model, kind="classifier")
    start = _as_images("x_initial", x_initial)
    count = len(start)
    targets = tf.constant(_targets(target, count))
    near = tf.constant(_per_image("near_weight", near_weight, count))
    tv = tf.constant(_per_image("tv_weight", tv_weight, count))
    steps = as_positive_int("steps", steps)
    learning_rate = _as_learning_rate(learning_rate)
    shifts = as_positive_int("shifts", shifts, allow_zero=True)
    offsets = tf.constant(_random_shifts(steps, shifts, as_seed(seed)))
    x = tf.Variable(start)
    x0 = tf.constant(start)

    def loss_fn(t: Any) -> Any:
        if shifts:
            row = offsets[tf.cast(t, "int32")]
            ce = tf.add_n(
                [
                    keras.losses.sparse_categorical_crossentropy(
                        targets, model(_tf_shift(x, row[s])), from_logits=True
                    )
                    for s in range(shifts)
                ]
            ) / float(shifts)
        else:
            ce = keras.losses.sparse_categorical_crossentropy(
                targets, model(x), from_logits=True
            )
        mse = tf.reduce_mean(tf.square(x - x0), axis=1)
        return ce + near / 2 * mse + tv * _tf_total_variation(x)

    project = None
    if budget is not None:
        radius = tf.constant(_per_image("budget", budget, count)[:, None])

        def project(v: Any) -> Any:
            return tf.clip_by_value(v, x0 - radius, x0 + radius)

    losses = _adam_descent(x, loss_fn, steps, learning_rate, clip=True, project=project)
    images = x.numpy().astype(float)
    return Descent(images, class_probabilities(model, images), losses)


def _random_shifts(steps: int, shifts: int, seed: int) -> np.ndarray:
    """(steps, max(shifts, 1), 2) integer offsets in -2..2 (rows, columns), one draw per step."""
    rng = np.random.default_rng(seed)
    return rng.integers(-2, 3, size=(steps, max(shifts, 1), 2)).astype("int32")


def _tf_shift(images: Any, offset: Any) -> Any:
    """Shift rows of 784 pixels by ``offset`` (rows, columns) pixels, filling with 0 (blank)."""
    import tensorflow as tf

    grid = tf.pad(tf.reshape(images, (-1, 28, 28)), [[0, 0], [2, 2], [2, 2]])
    top, left = 2 - offset[0], 2 - offset[1]
    return tf.reshape(grid[:, top : top + 28, left : left + 28], (-1, 784))


def descend_latent(
    model: Any,
    decoder: Any,
    z_initial: Any,
    target: Any,
    *,
    prior_weight: float = 0.0,
    init_weight: Any = 0.0,
    steps: int = LATENT_STEPS,
    learning_rate: float = LATENT_LEARNING_RATE,
) -> Descent:
    r"""Minimise, over the decoder's latent z (rows of ``z_initial``, the start z⁰), with Adam,

    .. math::
        L(z) = \mathrm{CE}\big(k, f(g(z))\big) + \lambda_{\text{prior}}\cdot\tfrac12\lVert z\rVert^2
        + \frac{\lambda_{\text{init}}}{2}\cdot\frac1d\sum_{j=1}^{d}\big(z_j - z^0_j\big)^2.

    The image is always :math:`g(z)`, something the decoder can draw; the prior term (minus the log
    of the N(0, I) density, up to a constant) keeps z where the decoder was trained; the init term
    (:func:`init_term`, the source article's ``mse(z, z_orig) * init_weight / 2``) keeps z near its
    own start. ``init_weight`` may hold one weight per row, so several weights run as one batch.
    Taught in: 10 §5.
    """
    import keras
    import tensorflow as tf

    model = as_model("model", model, kind="classifier")
    decoder = _decoder_of("decoder", decoder)
    z_start = _as_latent("z_initial", z_initial, _latent_width(decoder))
    targets = tf.constant(_targets(target, len(z_start)))
    steps = as_positive_int("steps", steps)
    prior = as_finite_float("prior_weight", prior_weight)
    if prior < 0:
        raise ValueError(f"prior_weight must be >= 0, got {prior}.")
    anchor = tf.constant(_per_image("init_weight", init_weight, len(z_start)))
    learning_rate = _as_learning_rate(learning_rate)
    z = tf.Variable(z_start)
    z0 = tf.constant(z_start)

    def loss_fn(_: Any) -> Any:
        logits = model(decoder(z))
        ce = keras.losses.sparse_categorical_crossentropy(
            targets, logits, from_logits=True
        )
        init = anchor / 2 * tf.reduce_mean(tf.square(z - z0), axis=1)
        return ce + prior * 0.5 * tf.reduce_sum(tf.square(z), axis=1) + init

    losses = _adam_descent(z, loss_fn, steps, learning_rate, clip=False)
    latent = z.numpy().astype(float)
    images = np.asarray(decoder(latent.astype("float32"), training=False), dtype=float)
    return Descent(images, class_probabilities(model, images), losses, latent)


def change_summary(x: Any, x_initial: Any) -> dict[str, float]:
    """How far an image moved from its start: largest pixel change, mean |change|, RMS change.

    Taught in: 10 §3.
    """
    x = as_finite_array("x", x, None, "an image or images")
    x_initial = as_finite_array("x_initial", x_initial, None, "an image or images")
    check_pixel_range("x", x)
    check_pixel_range("x_initial", x_initial)
    if x.shape != x_initial.shape:
        raise ValueError(
            f"x and x_initial must have the same shape, got {x.shape} and {x_initial.shape}."
        )
    if x.size == 0:
        raise ValueError("x and x_initial are empty; pass at least one image.")
    change = x - x_initial
    return {
        "max_abs": float(np.abs(change).max()),
        "mean_abs": float(np.abs(change).mean()),
        "rms": float(np.sqrt(np.mean(change**2))),
    }


# --------------------------------------------------------------------------------------------
# the weights grid and its widget


@dataclass(frozen=True)
class WeightsGrid:
    """Pixel descents for every pair (near weight, TV weight) from one start image toward one class."""

    start: np.ndarray
    target: int
    near_weights: tuple[float, ...]
    tv_weights: tuple[float, ...]
    images: np.ndarray  # (len(near_weights), len(tv_weights), 784)
    probabilities: np.ndarray  # (len(near_weights), len(tv_weights), 10)

    def index(self, log_near_weight: float, log_tv_weight: float) -> tuple[int, int]:
        """Grid position of the computed weights nearest (in log₁₀) to the given powers of ten.

        A slider may report a value between two computed ones (it moves in steps in the browser, but
        code can set any value in its range): the nearest computed weight is shown.
        """
        if min(self.near_weights) <= 0 or min(self.tv_weights) <= 0:
            raise ValueError(
                "the grid's weights must all be > 0 to be shown on log₁₀ sliders, got "
                f"{self.near_weights} and {self.tv_weights}."
            )
        positions = []
        for name, value, weights in (
            ("log_near_weight", log_near_weight, self.near_weights),
            ("log_tv_weight", log_tv_weight, self.tv_weights),
        ):
            value = as_finite_float(name, value)
            logs = np.log10(weights)
            if not logs.min() - 1e-9 <= value <= logs.max() + 1e-9:
                raise ValueError(
                    f"{name} must be in [{logs.min():g}, {logs.max():g}] (log₁₀ of the computed "
                    f"weights), got {value}."
                )
            positions.append(int(np.argmin(np.abs(logs - value))))
        return positions[0], positions[1]


def weights_grid(
    model: Any,
    x_initial: Any,
    target: int,
    near_weights: Sequence[float] = NEAR_WEIGHTS,
    tv_weights: Sequence[float] = TV_WEIGHTS,
    *,
    steps: int = PIXEL_STEPS,
) -> WeightsGrid:
    """Run :func:`descend_pixels` for every pair of weights at once (one batch). Taught in: 10 §4."""
    model = as_model("model", model, kind="classifier")
    start = _as_images("x_initial", x_initial)
    if len(start) != 1:
        raise ValueError(f"x_initial must be one image, got {len(start)}.")
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise TypeError(f"target must be one class number in 0..9, got {target!r:.60}.")
    _targets(target, 1)
    for name, weights in (("near_weights", near_weights), ("tv_weights", tv_weights)):
        values = as_finite_array(name, weights, 1, "weights >= 0, one per grid row")
        if values.size == 0 or values.min() < 0:
            raise ValueError(
                f"{name} must hold at least one weight, all >= 0, got {list(values)}."
            )
    near_grid, tv_grid = np.meshgrid(near_weights, tv_weights, indexing="ij")
    count = near_grid.size
    result = descend_pixels(
        model,
        np.repeat(start, count, axis=0),
        target,
        near_weight=near_grid.ravel(),
        tv_weight=tv_grid.ravel(),
        steps=steps,
    )
    shape = (len(near_weights), len(tv_weights))
    return WeightsGrid(
        start[0].astype(float),
        int(target),
        tuple(float(w) for w in near_weights),
        tuple(float(w) for w in tv_weights),
        result.images.reshape(*shape, 784),
        result.probabilities.reshape(*shape, NUM_CLASSES),
    )


def _image_axes(
    ax: Any, image: np.ndarray, title: str, gid: str | None, **style: Any
) -> None:
    style = {"cmap": "gray_r", "vmin": 0.0, "vmax": 1.0, **style}
    ax.imshow(np.asarray(image).reshape(28, 28), gid=gid, **style)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def _guidance_caption(grid: WeightsGrid, i: int, j: int) -> str:
    moved = change_summary(grid.images[i, j], grid.start)["max_abs"]
    tv = total_variation(grid.images[i, j])[0]
    p = grid.probabilities[i, j, grid.target]
    return gettext("p({target}) = {p:.2f}, max |Δ| {moved:.2f}, TV {tv:.0f}").format(
        target=grid.target, p=p, moved=moved, tv=tv
    )


def plot_guidance(
    log_near_weight: float, log_tv_weight: float, *, grid: WeightsGrid
) -> Figure:
    """Start image, result, change (result − start) and the classifier's probabilities, for the
    computed weights λ_near = 10^log_near_weight, λ_TV = 10^log_tv_weight."""
    i, j = grid.index(log_near_weight, log_tv_weight)
    fig, axes = new_figure(4, width=11.0, height=3.3)
    start_tv = total_variation(grid.start)[0]
    _image_axes(
        axes[0], grid.start, gettext("start (TV {tv:.0f})").format(tv=start_tv), None
    )
    _image_axes(
        axes[1],
        grid.images[i, j],
        gettext("result (toward {target})").format(target=grid.target),
        "result",
    )
    _image_axes(
        axes[2],
        grid.images[i, j] - grid.start,
        gettext("change (±0.3)"),
        "change",
        cmap="RdBu_r",
        vmin=-0.3,
        vmax=0.3,
    )
    bars = axes[3].bar(range(NUM_CLASSES), grid.probabilities[i, j], color=PALETTE[0])
    bars[grid.target].set_color(PALETTE[3])
    for index, bar in enumerate(bars):
        bar.set_gid(f"bar-{index}")
    axes[3].set(
        ylim=(0, 1),
        xticks=range(NUM_CLASSES),
        xlabel=gettext("class"),
        ylabel=gettext("probability"),
    )
    axes[3].set_title(_guidance_caption(grid, i, j), gid="caption", fontsize=10)
    return fig


_MOVING: weakref.WeakKeyDictionary[Figure, dict[str, Any]] = weakref.WeakKeyDictionary()


def _moving_artists(fig: Figure) -> dict[str, Any]:
    """The figure's artists with a gid, found in one pass and remembered (a slider moves them often)."""
    if fig not in _MOVING:
        _MOVING[fig] = {str(a.get_gid()): a for a in fig.findobj() if a.get_gid()}
    return _MOVING[fig]


def update_guidance(
    fig: Figure, log_near_weight: float, log_tv_weight: float, *, grid: WeightsGrid
) -> None:
    """Show the precomputed result for the chosen weights."""
    i, j = grid.index(log_near_weight, log_tv_weight)
    moving = _moving_artists(fig)
    moving["result"].set_data(grid.images[i, j].reshape(28, 28))
    moving["change"].set_data((grid.images[i, j] - grid.start).reshape(28, 28))
    for index in range(NUM_CLASSES):
        moving[f"bar-{index}"].set_height(grid.probabilities[i, j, index])
    moving["caption"].set_text(_guidance_caption(grid, i, j))


def _log_slider(description: str, weights: Sequence[float]) -> Any:
    logs = np.log10(np.asarray(weights, dtype=float))
    step = float(np.min(np.diff(logs))) if len(logs) > 1 else 1.0
    return float_slider(
        description, float(logs[0]), float(logs[0]), float(logs[-1]), step
    )


@lru_cache(maxsize=1)
def _default_grid() -> WeightsGrid:
    from course_utils.vae_lab import mnist_pixels

    x_train, y_train = mnist_pixels("train", limit=2000)
    x_test, y_test = mnist_pixels("test", limit=200)
    classifier = train_classifier(x_train, y_train, x_test, y_test, epochs=2)
    start = x_test[y_test == 1][:1]
    return weights_grid(classifier.model, start, 0)


@register_widget
def guidance_weights_widget(grid: WeightsGrid | None = None) -> LivePlot:
    """Two sliders, log₁₀ of the weights λ_near and λ_TV, over a precomputed :class:`WeightsGrid`.

    Without ``grid``, trains a small classifier and computes one (a few seconds). Taught in: 10 §4.
    """
    if grid is not None and not isinstance(grid, WeightsGrid):
        raise TypeError(
            f"grid must be the WeightsGrid that weights_grid returns, got {type(grid).__name__}."
        )
    grid = grid if grid is not None else _default_grid()
    return LivePlot(
        partial(plot_guidance, grid=grid),
        partial(update_guidance, grid=grid),
        {
            "log_near_weight": _log_slider("log₁₀ λ_near", grid.near_weights),
            "log_tv_weight": _log_slider("log₁₀ λ_TV", grid.tv_weights),
        },
        title=gettext("pixel-space guidance (sliders: log₁₀ λ_near, log₁₀ λ_TV)"),
    )


# --------------------------------------------------------------------------------------------
# figures


def plot_side_by_side(
    start: Any,
    pixel_result: Any,
    latent_start: Any,
    latent_result: Any,
    titles: Sequence[str],
) -> Figure:
    """Four digits in a row: the pixel-space start and result, the latent-space start and result.

    Taught in: 10 §5.
    """
    fig, axes = new_figure(4, width=11.0, height=3.4)
    for ax, image, title in zip(
        axes, (start, pixel_result, latent_start, latent_result), titles
    ):
        _image_axes(ax, np.asarray(image), title, None)
    return fig


def plot_adversarial(
    start: Any,
    result: Any,
    probabilities_before: Any,
    probabilities_after: Any,
    target: int,
) -> Figure:
    """Start, result, the change (colour scale ±0.3) and the classifier's probabilities before and after.

    Taught in: 10 §3.
    """
    fig, axes = new_figure(4, width=12.0, height=3.6)
    change = np.asarray(result) - np.asarray(start)
    _image_axes(axes[0], start, gettext("start x⁰"), None)
    _image_axes(
        axes[1],
        result,
        gettext("after descent toward {target}").format(target=target),
        None,
    )
    _image_axes(
        axes[2],
        change,
        gettext("change x − x⁰ (±0.3)"),
        None,
        cmap="RdBu_r",
        vmin=-0.3,
        vmax=0.3,
    )
    classes = np.arange(NUM_CLASSES)
    axes[3].bar(
        classes - 0.2,
        probabilities_before,
        width=0.4,
        color=PALETTE[0],
        label=gettext("before"),
    )
    axes[3].bar(
        classes + 0.2,
        probabilities_after,
        width=0.4,
        color=PALETTE[3],
        label=gettext("after"),
    )
    axes[3].set(
        ylim=(0, 1),
        xticks=classes,
        xlabel=gettext("class"),
        ylabel=gettext("probability"),
    )
    axes[3].legend(fontsize=10)
    return fig


# --------------------------------------------------------------------------------------------
# attacks on a batch: success rate, FGSM, transfer


def fgsm(model: Any, x_initial: Any, target: Any, epsilon: Any) -> np.ndarray:
    r"""Targeted fast gradient sign method: one signed step of size ε down the CE toward k,

    .. math::
        x = \mathrm{clip}_{[0, 1]}\big(x^0 - \varepsilon\,\mathrm{sign}\,
        \nabla_x \mathrm{CE}(k, f(x^0))\big),

    (TensorFlow's FGSM tutorial takes the step *up* the CE of the true label instead: untargeted).
    ``epsilon`` may hold one value per image. Returns the images, (m, 784). Taught in: 10 §7.
    """
    import keras
    import tensorflow as tf

    model = as_model("model", model, kind="classifier")
    start = _as_images("x_initial", x_initial)
    targets = tf.constant(_targets(target, len(start)))
    radius = _per_image("epsilon", epsilon, len(start))[:, None]
    x = tf.Variable(start)

    @tf.function
    def input_gradient() -> Any:
        with tf.GradientTape() as tape:  # the sum inside the tape (the lab's pitfall)
            total = tf.reduce_sum(
                keras.losses.sparse_categorical_crossentropy(
                    targets, model(x), from_logits=True
                )
            )
        return tape.gradient(total, x)

    gradient = input_gradient().numpy()
    return np.clip(start - radius * np.sign(gradient), 0.0, 1.0).astype(float)


def success_rate(predictions: Any, targets: Any) -> float:
    r"""Share of images the classifier now puts in the target class:
    :math:`\frac1m\sum_i [\hat k_i = k_i]`. Taught in: 10 §7."""
    array = _as_int_array("predictions", predictions)
    predicted = _labels("predictions", array, len(array))
    wanted = _labels("targets", _as_int_array("targets", targets), len(predicted))
    return float(np.mean(predicted == wanted))


def transfer_rate(second_model: Any, images: Any, targets: Any, fooled: Any) -> float:
    """Among the images that fooled the first classifier (``fooled``, booleans), the share the
    second classifier also puts in the target class. Taught in: 10 §8."""
    images = _as_images("images", images)
    wanted = _labels("targets", _as_int_array("targets", targets), len(images))
    mask = np.asarray(fooled)
    if mask.dtype != bool or mask.shape != (len(images),):
        raise TypeError(
            f"fooled must hold one boolean per image ({len(images)}), got {fooled!r:.60}."
        )
    if not mask.any():
        raise ValueError("fooled is all False: no image fooled the first classifier.")
    second = predict_classes(second_model, images[mask])
    return float(np.mean(second == wanted[mask]))


def _as_int_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be integer classes (0..9), got {value!r:.60}.")
    array = np.asarray(value)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be 1-D and non-empty, one class per image, got {array.shape}."
        )
    return array


def plot_attack_success(
    near_weights: Any,
    near_rates: Any,
    budgets: Any,
    descent_rates: Any,
    fgsm_rates: Any,
) -> Figure:
    """Two panels: success rate against λ_near (log axis), and against the L∞ budget ε for the
    descent and for FGSM. Taught in: 10 §7."""
    near_weights = as_finite_array("near_weights", near_weights, 1, "weights > 0")
    budgets = as_finite_array("budgets", budgets, 1, "budgets > 0")
    fig, axes = new_figure(2, width=11.0, height=3.8)
    axes[0].semilogx(near_weights, 100 * np.asarray(near_rates), "o-", color=PALETTE[0])
    axes[0].set(
        xlabel=gettext("λ_near (log scale)"),
        ylabel=gettext("success rate (%)"),
        ylim=(0, 102),
    )
    axes[0].set_title(gettext("descent, no budget"))
    for rates, label, colour in (
        (descent_rates, gettext("descent (50 Adam steps)"), PALETTE[0]),
        (fgsm_rates, gettext("FGSM (one signed step)"), PALETTE[3]),
    ):
        axes[1].plot(budgets, 100 * np.asarray(rates), "o-", color=colour, label=label)
    axes[1].set(
        xlabel=gettext("L∞ budget ε (pixel units)"),
        ylabel=gettext("success rate (%)"),
        ylim=(0, 102),
    )
    axes[1].set_title(gettext("λ_near = 0, change clipped to ±ε"))
    axes[1].legend(fontsize=10)
    return fig


def plot_init_weight(
    init_weights: Any, images: Any, distances: Any, probabilities: Any, target: int
) -> Figure:
    """One decoded result per ``init_weight`` (the same start), titled with its weight, its
    distance ‖z − z⁰‖ from the start and the classifier's probability of ``target``.

    Taught in: 10 §5.
    """
    weights = as_finite_array("init_weights", init_weights, 1, "weights >= 0")
    images = _as_images("images", images)
    distances = as_finite_array("distances", distances, 1, "one distance per weight")
    probabilities = as_finite_array(
        "probabilities", probabilities, 1, "p(target) for each weight"
    )
    if not (len(weights) == len(images) == len(distances) == len(probabilities) > 0):
        raise ValueError(
            "init_weights, images, distances and probabilities must have one entry per "
            f"weight, got lengths {len(weights)}, {len(images)}, {len(distances)} and "
            f"{len(probabilities)}."
        )
    target = int(_targets(target, 1)[0])
    fig, axes = new_figure(len(weights), width=2.1 * len(weights) + 0.4, height=3.6)
    for ax, weight, image, distance, p in zip(
        np.atleast_1d(axes), weights, images, distances, probabilities
    ):
        title = f"λ_init = {weight:g}\n‖z − z⁰‖ = {distance:.1f}\np({target}) = {p:.2f}"
        _image_axes(ax, image, title, None)
    return fig
