"""Helpers for notebook 07 (losses in Keras, for real work).

What Keras does with the per-sample values a loss returns (reductions, sample weights,
masks) worked out by hand in NumPy; small models on the bundled MNIST subset; a custom
``keras.losses.Loss`` subclass that is registered for saving; a runner that loads a saved
``.keras`` file in a *fresh* Python process (so nothing can come from memory); a finite
check for hunting NaNs; and the figures of the notebook.

Importing this module does not import TensorFlow or Keras; the functions that need them
import them when called.

Used in: 07_losses_in_keras.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from course_utils import data
from course_utils.i18n import N_, gettext
from course_utils.plotting import PALETTE, artist, new_figure
from course_utils.validation import (
    as_data_array,
    as_finite_array,
    as_finite_float,
    as_positive_int,
)
from course_utils.widgets import LivePlot, float_slider, register_widget

#: Every ``reduction`` that Keras 3.15 accepts for a loss (``None`` means ``"none"``).
REDUCTIONS: tuple[str, ...] = (
    "sum_over_batch_size",
    "mean",
    "mean_with_sample_weight",
    "sum",
    "none",
)

#: The batch of notebook 07 §2: four one-value regression targets and predictions.
EXAMPLE_Y_TRUE = np.array([[1.0], [2.0], [3.0], [4.0]])
EXAMPLE_Y_PRED = np.array([[1.5], [2.0], [1.0], [4.5]])
#: Sample weights for the same batch (the third sample is switched off).
EXAMPLE_SAMPLE_WEIGHT = np.array([3.0, 1.0, 0.0, 1.0])


# ----------------------------------------------------------------------------- reductions


def silence_native_tensorflow_errors() -> None:
    """Send the native (C++) side's stderr, file descriptor 2, to the null device.

    Under op determinism, TensorFlow 2.21's ``tf.data`` prints a harmless C++ ERROR line
    ("NodeDef mentions attribute use_unbounded_threadpool …", with a timestamp) when Keras
    slices NumPy arrays. ``setup_notebook`` sets ``TF_CPP_MIN_LOG_LEVEL=2``, which lets
    ERROR lines through, and TensorFlow reads that variable only once, at import. Python's
    own warnings and errors do not use descriptor 2 in a notebook, so they still show.

    Taught in: 07 (setup, not part of the lesson).
    """
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
    finally:
        os.close(null)


def squared_error_per_sample(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""Per-sample mean squared error, what ``keras.losses.mean_squared_error`` returns.

    .. math:: L_i = \frac1k \sum_{j=1}^{k} (\hat y_{ij} - y_{ij})^2

    Taught in: 07 §2.
    """
    y_true = as_data_array("y_true", y_true, 2, "targets, shape (m, k)")
    y_pred = as_data_array("y_pred", y_pred, 2, "predictions, shape (m, k)")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}."
        )
    return np.mean((y_pred - y_true) ** 2, axis=-1)


def reduce_by_hand(
    losses: Any,
    sample_weight: Any = None,
    reduction: str | None = "sum_over_batch_size",
) -> float | np.ndarray:
    r"""Keras's reduction of per-sample losses :math:`L_i` with weights :math:`w_i` (1 if none), in NumPy.

    .. math::
        \text{sum} = \sum_i w_i L_i, \qquad
        \text{sum\_over\_batch\_size} = \text{mean} = \frac{1}{m} \sum_i w_i L_i, \qquad
        \text{mean\_with\_sample\_weight} = \frac{\sum_i w_i L_i}{\sum_i w_i},

    and ``"none"`` (or ``None``) returns the vector :math:`(w_i L_i)_i`. Note that
    ``sum_over_batch_size`` divides by the number of values m, *not* by the total weight.

    Taught in: 07 §2.
    """
    if reduction is not None and reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {list(REDUCTIONS)} or None, got {reduction!r}."
        )
    values = as_data_array("losses", losses, None, "per-sample losses")
    if sample_weight is None:
        weights = np.ones_like(values)
    else:
        weights = as_data_array("sample_weight", sample_weight, None, "one per loss")
        if weights.shape != values.shape:
            raise ValueError(
                f"sample_weight must have the shape of losses {values.shape}, got {weights.shape}."
            )
    weighted = values * weights
    if reduction is None or reduction == "none":
        return weighted
    total = float(np.sum(weighted))
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / float(np.sum(weights)) if np.sum(weights) else 0.0
    return total / values.size


def masked_mean_by_hand(losses: Any, mask: Any) -> float:
    r"""What Keras reports for per-element losses under a mask (``sum_over_batch_size``).

    .. math:: \frac{\sum_i \mathbb 1[\text{kept}_i]\, L_i}{\sum_i \mathbb 1[\text{kept}_i]}

    Masked entries count neither in the sum nor in the divisor (Keras rescales the
    mask so that the mean runs over the kept entries only).

    Taught in: 07 §3.
    """
    values = as_data_array("losses", losses, None, "per-element losses")
    flags = as_data_array("mask", mask, None, "True where an entry is kept")
    if not np.all((flags == 0) | (flags == 1)):
        raise ValueError("mask must hold True/False (or 0/1), one per loss.")
    kept = flags.astype(bool)
    if kept.shape != values.shape:
        raise ValueError(
            f"mask must have the shape of losses {values.shape}, got {kept.shape}."
        )
    return float(values[kept].sum() / kept.sum()) if kept.any() else 0.0


# ----------------------------------------------------------------------------- data and models


def mnist_batch(count: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` bundled MNIST training digits from ``offset``: x (count, 784) in [0, 1], y int64.

    Taught in: 07 §1, A §8.
    """
    count = as_positive_int("count", count)
    offset = as_positive_int("offset", offset, allow_zero=True)
    (x_train, y_train), _ = data.load_mnist()
    if offset + count > len(x_train):
        raise ValueError(
            f"offset + count must be at most {len(x_train)} (the training digits), got {offset + count}."
        )
    images = x_train[offset : offset + count].reshape(count, -1)
    return (images / 255.0).astype("float32"), y_train[offset : offset + count].astype(
        "int64"
    )


def ink_regression(count: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""A noisy regression task on bundled MNIST digits: from the top half of a digit (14 × 28
    pixels, flattened, in [0, 1]) predict how much ink its bottom half holds.

    .. math:: y_i = 10 \cdot \text{mean of the bottom 392 pixels of digit } i

    (times 10 so that targets are about 1). The same top half can come with very different
    bottoms, so a quantile loss has something to say. Taught in: 07 §5.
    """
    x, _ = mnist_batch(count, offset)
    top, bottom = x[:, :392], x[:, 392:]
    return top, (10.0 * bottom.mean(axis=1, keepdims=True)).astype("float32")


def dense_classifier(
    num_classes: int = 10,
    hidden: int = 32,
    output_activation: str | None = None,
    seed: int = 0,
    kernel_stddev: float | None = None,
) -> Any:
    """A small seeded MLP for flattened 28×28 images: 784 → ``hidden`` (ReLU) → ``num_classes``.

    ``output_activation=None`` gives logits (pair it with ``from_logits=True``);
    ``kernel_stddev`` replaces Keras's default initialiser by N(0, stddev²), which the
    NaN hunt of §7 uses to saturate the softmax on purpose.

    Taught in: 07 §1 and §7.
    """
    import keras

    num_classes = as_positive_int("num_classes", num_classes)
    hidden = as_positive_int("hidden", hidden)
    if output_activation not in (None, "softmax", "sigmoid"):
        raise ValueError(
            f"output_activation must be None, 'softmax' or 'sigmoid', got {output_activation!r}."
        )
    keras.utils.set_random_seed(seed)
    initializer: Any = "glorot_uniform"
    if kernel_stddev is not None:
        initializer = keras.initializers.RandomNormal(stddev=kernel_stddev, seed=seed)
    return keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(
                hidden, activation="relu", kernel_initializer=initializer
            ),
            keras.layers.Dense(
                num_classes,
                activation=output_activation,
                kernel_initializer=initializer,
            ),
        ]
    )


def repeat_batch(
    x: np.ndarray, y: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """The same batch ``steps`` times in a row: one epoch of ``fit`` with ``batch_size=len(x)``
    then takes ``steps`` gradient steps on that batch (far faster than ``steps`` epochs).

    Taught in: 07 §8. (overfit one batch).
    """
    steps = as_positive_int("steps", steps)
    return np.concatenate([x] * steps), np.concatenate([y] * steps)


# ----------------------------------------------------------------------------- a registered Loss subclass


def quantile_loss_numpy(y_true: Any, y_pred: Any, tau: float) -> np.ndarray:
    r"""The quantile (pinball) loss per sample, float64 reference.

    .. math:: L = \frac1k \sum_{j=1}^{k} \max\big(\tau\,(y_j - \hat y_j),\ (1 - \tau)(\hat y_j - y_j)\big)

    Under-predicting costs τ per unit, over-predicting 1 − τ: minimising it gives the
    τ-quantile (τ = 0.5: half the absolute error).

    Taught in: 07 §5.
    """
    y_true = as_data_array("y_true", y_true, None, "targets")
    y_pred = as_data_array("y_pred", y_pred, None, "predictions")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and "
            f"{y_pred.shape}."
        )
    tau = as_finite_float("tau", tau)
    if not 0.0 < tau < 1.0:
        raise ValueError(f"tau must be in (0, 1), got {tau}.")
    under = y_true - y_pred
    return np.mean(np.maximum(tau * under, (tau - 1.0) * under), axis=-1)


@lru_cache(maxsize=1)
def quantile_loss_class() -> type:
    """``QuantileLoss(tau)``: a ``keras.losses.Loss`` subclass written with ``keras.ops``.

    Registered as ``course_utils>QuantileLoss`` so that ``keras.models.load_model`` finds it
    by name, and ``get_config`` stores τ, so a saved model comes back with the same loss.
    The class is built on the first call (importing this module does not import Keras);
    a process that loads a saved model must call this function first: the registration
    is a side effect of running the class definition.

    Taught in: 07 §4.
    """
    import keras

    @keras.saving.register_keras_serializable(package="course_utils")
    class QuantileLoss(keras.losses.Loss):
        """Pinball loss: τ·(y − ŷ) if too low, (1 − τ)·(ŷ − y) if too high."""

        def __init__(
            self, tau: float = 0.5, name: str = "quantile_loss", **kwargs: Any
        ) -> None:
            super().__init__(name=name, **kwargs)
            if not 0.0 < float(tau) < 1.0:
                raise ValueError(f"tau must be in (0, 1), got {tau}.")
            self.tau = float(tau)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            y_true = keras.ops.cast(y_true, y_pred.dtype)
            under = y_true - y_pred
            per_element = keras.ops.maximum(self.tau * under, (self.tau - 1.0) * under)
            return keras.ops.mean(per_element, axis=-1)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "tau": self.tau}

    return QuantileLoss


@dataclass(frozen=True)
class FreshLoad:
    """What a fresh Python process saw when it loaded a saved model.

    Attributes:
        error_before_import: the error ``load_model`` raised *before* the process imported
            the module that registers the custom loss (``None`` if it loaded).
        loss_class: the class name of the reloaded model's loss.
        loss_config: that loss's ``get_config()``.
        prediction: the reloaded model's prediction on the inputs given.
    """

    error_before_import: str | None
    loss_class: str
    loss_config: dict[str, Any]
    prediction: np.ndarray


_FRESH_PROCESS_CODE = """
import json, os, sys
import numpy as np
import keras

path, inputs = sys.argv[1], np.load(sys.argv[2])
result = {}
try:
    keras.models.load_model(path)
    result["error_before_import"] = None
except Exception as error:
    lines = str(error).strip().splitlines() or [""]
    result["error_before_import"] = type(error).__name__ + ": " + lines[0]
from course_utils.keras_losses_lessons import quantile_loss_class

quantile_loss_class()  # runs the class definition: registers course_utils>QuantileLoss
model = keras.models.load_model(path)
result["loss_class"] = type(model.loss).__name__
result["loss_config"] = model.loss.get_config()
result["prediction"] = model.predict(inputs, verbose=0).tolist()
print("RESULT " + json.dumps(result))
"""


def load_in_fresh_process(path: str | os.PathLike[str], x: Any) -> FreshLoad:
    """Load the ``.keras`` file at ``path`` in a new Python interpreter and predict ``x`` there.

    The child process first tries ``keras.models.load_model`` without importing the custom
    loss (that fails: the class is unknown there), then imports
    :func:`quantile_loss_class`, loads again and predicts. Nothing is shared with the
    calling process but the file, so a successful load proves the file alone is enough.

    Taught in: 07 §5.
    """
    path = Path(path)
    if path.suffix != ".keras" or not path.is_file():
        raise ValueError(f"path must be an existing .keras file, got {str(path)!r}.")
    inputs = as_finite_array("x", x, 2, "inputs to predict, shape (m, n)")
    environment = dict(os.environ)
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    environment.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    package_root = str(Path(__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        [package_root, *filter(None, [environment.get("PYTHONPATH")])]
    )
    with tempfile.TemporaryDirectory() as folder:
        inputs_file = Path(folder) / "inputs.npy"
        np.save(inputs_file, inputs.astype("float32"))
        completed = subprocess.run(
            [sys.executable, "-c", _FRESH_PROCESS_CODE, str(path), str(inputs_file)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=300,
        )
    lines = [
        line for line in completed.stdout.splitlines() if line.startswith("RESULT ")
    ]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"the fresh process failed (exit code {completed.returncode}):\n"
            f"{completed.stderr[-2000:]}"
        )
    result = json.loads(lines[-1][len("RESULT ") :])
    return FreshLoad(
        result["error_before_import"],
        result["loss_class"],
        result["loss_config"],
        np.asarray(result["prediction"]),
    )


# ----------------------------------------------------------------------------- debugging


def assert_finite(name: str, tensor: Any) -> Any:
    """Raise ``FloatingPointError`` naming ``name`` and the first bad rows if ``tensor`` has NaN or ±inf.

    A Python check on values: it works only when the loss runs eagerly
    (``compile(run_eagerly=True)``); inside a traced graph the tensor has no value yet.
    Returns ``tensor`` so that it can wrap an expression.

    """
    import keras

    try:
        values = keras.ops.convert_to_numpy(tensor)
    except (NotImplementedError, TypeError, ValueError) as error:
        raise RuntimeError(
            f"assert_finite({name!r}) got a symbolic tensor, which has no values yet: "
            "compile the model with run_eagerly=True to check values inside the loss."
        ) from error
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.unique(np.argwhere(bad)[:, 0])[:5].tolist()
        first = values[bad][0]
        raise FloatingPointError(
            f"{name} is not finite in rows {rows} (first bad value {first}); "
            f"the inputs of {name} are where to look next."
        )
    return tensor


def crossentropy_with_finite_checks(y_true: Any, y_pred: Any) -> Any:
    r"""A hand-written sparse cross-entropy on probabilities, :math:`L = -\ln p_y`, with no clipping,
    that checks every intermediate value with :func:`assert_finite`.

    It is the loss of the NaN hunt: written as people often write it (``log`` of the
    softmax output), so a probability that underflows to 0 gives :math:`-\ln 0 = \infty`.
    Run it with ``run_eagerly=True``.

    Taught in: 07 §8.
    """
    import keras

    probs = assert_finite("y_pred (the softmax output)", y_pred)
    labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
    picked = keras.ops.take_along_axis(probs, labels[:, None], axis=-1)[:, 0]
    log_p = assert_finite("log p_y", keras.ops.log(picked))
    return -log_p


# ----------------------------------------------------------------------------- figures


def plot_loss_curves(
    histories: Mapping[str, Sequence[float]],
    *,
    reference: float | None = None,
    reference_label: str = "",
    title: str = N_("Training loss per epoch"),
) -> Figure:
    """One line per run: the loss after each epoch; an optional dashed reference level.

    Taught in: 07 §8. (a loss that stalls).
    """
    if not histories:
        raise ValueError(
            "histories must name at least one run, e.g. {'run': [2.3, 1.1]}."
        )
    fig, (ax,) = new_figure(width=8.0, height=4.2)
    for index, (label, losses) in enumerate(histories.items()):
        values = as_finite_array(f"histories[{label!r}]", losses, 1, "losses per epoch")
        epochs = np.arange(1, len(values) + 1)
        ax.plot(
            epochs,
            values,
            marker="o",
            color=PALETTE[index % len(PALETTE)],
            label=label,
            gid=f"run-{index}",
        )
    if reference is not None:
        ax.axhline(reference, color=PALETTE[7], linestyle="--", linewidth=1.5)
        ax.annotate(
            gettext(reference_label),
            (1.0, reference),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=12,
        )
    ax.set_xlabel(gettext("epoch"))
    ax.set_ylabel(gettext("training loss (nats)"))
    ax.set_ylim(bottom=0.0)
    ax.set_title(gettext(title))
    ax.legend(loc="upper right")
    return fig


#: The bars of the reduction figure, in order.
_REDUCTION_BARS: tuple[str, ...] = (
    "sum_over_batch_size",
    "mean_with_sample_weight",
    "sum",
)


def _reduction_values(weight: float) -> list[float]:
    losses = squared_error_per_sample(EXAMPLE_Y_TRUE, EXAMPLE_Y_PRED)
    weights = EXAMPLE_SAMPLE_WEIGHT.copy()
    weights[2] = weight
    return [float(reduce_by_hand(losses, weights, r)) for r in _REDUCTION_BARS]


def plot_reductions(weight: float = 0.0) -> Figure:
    """The three scalar reductions of the §2 batch as bars, with the third sample's weight ``weight``.

    (interactive plot).
    """
    weight = float(weight)
    if not 0.0 <= weight <= 3.0:
        raise ValueError(f"weight must be in [0, 3], got {weight}.")
    fig, (ax,) = new_figure(width=8.0, height=4.2)
    values = _reduction_values(weight)
    labels = [
        "sum_over_batch_size\n(÷ m = 4)",
        "mean_with_sample_weight\n(÷ Σw)",
        "sum",
    ]
    for index, (label, value) in enumerate(zip(labels, values)):
        ax.bar(index, value, color=PALETTE[index], width=0.6, gid=f"bar-{index}")
        ax.text(
            index,
            value + 0.15,
            f"{value:.3f}",
            ha="center",
            fontsize=13,
            gid=f"value-{index}",
        )
    ax.set_xticks(range(3), labels, fontsize=11)
    ax.set_ylim(0.0, 18.0)
    ax.set_ylabel(gettext("reported loss"))
    ax.set_title(_reductions_title(weight), gid="title")
    return fig


def update_reductions(fig: Figure, weight: float = 0.0) -> None:
    """Move the bars and their labels of :func:`plot_reductions` to a new weight of sample 3."""
    values = _reduction_values(float(weight))
    for index, value in enumerate(values):
        bar = artist(fig, f"bar-{index}")
        bar.set_height(value)  # type: ignore[attr-defined]
        label = artist(fig, f"value-{index}")
        label.set_y(value + 0.15)  # type: ignore[attr-defined]
        label.set_text(f"{value:.3f}")  # type: ignore[attr-defined]
    artist(fig, "title").set_text(_reductions_title(float(weight)))  # type: ignore[attr-defined]


def _reductions_title(weight: float) -> str:
    return gettext(
        "Losses L = (0.25, 0, 4, 0.25); weights w = (3, 1, {weight:.2f}, 1)"
    ).format(weight=weight)


@register_widget
def reductions_widget() -> LivePlot:
    """Drag the weight of the worst sample and watch the three reductions move apart.

    Taught in: 07 §2.
    """
    return LivePlot(
        plot_reductions,
        update_reductions,
        {"weight": float_slider(gettext("weight w₃ of sample 3"), 0.0, 0.0, 3.0, 0.25)},
        title=gettext(
            "Keras's reductions of one batch as the third sample's weight changes"
        ),
    )
