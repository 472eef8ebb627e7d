r"""Lab 08: image classification on the bundled Fashion-MNIST subset, one loss decision at a time.

What the lab needs, kept out of the notebook: the data in the shape Keras wants, the two models
(TensorFlow's "basic classification" model and the lab's small CNN), one training function that every
run goes through (seeded, op-deterministic, nothing cached between runs), the measures the lab reports
(expected calibration error, confusion matrices, per-class recall, balanced accuracy), the imbalanced
subset, a fresh-process check that a saved model with the course's confusion-aware loss loads, and the
figures and widgets.

Importing this module does not import TensorFlow or Keras; the functions that need them import them.

Taught in: 08_lab_image_classification.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from course_utils import data as course_data
from course_utils.glyph_text import as_glyph_text
from course_utils.i18n import N_, gettext
from course_utils.plotting import PALETTE, new_figure
from course_utils.plotting import artist as _artist
from course_utils.validation import (
    as_distribution,
    as_finite_array,
    as_finite_float,
    as_positive_int,
)
from course_utils.widgets import LivePlot, register_widget

#: The ten classes, by label. English: code, the explorer's dropdown values and the notebook use
#: these names; figures show them in the helpers' language (``gettext(name)``).
CLASS_NAMES: tuple[str, ...] = course_data.FASHION_MNIST_CLASSES
NUM_CLASSES = len(CLASS_NAMES)
#: The same names, marked for the catalog (``course_utils.data`` does not import the i18n module);
#: ``tests/test_zh.py`` checks that they equal :data:`CLASS_NAMES`.
_MARKED_CLASS_NAMES: tuple[str, ...] = (
    N_("T-shirt/top"),
    N_("Trouser"),
    N_("Pullover"),
    N_("Dress"),
    N_("Coat"),
    N_("Sandal"),
    N_("Shirt"),
    N_("Sneaker"),
    N_("Bag"),
    N_("Ankle boot"),
)
#: Names short enough for the ticks of a confusion matrix (marked; translated where shown).
SHORT_NAMES: tuple[str, ...] = (
    N_("T-shirt"),
    N_("Trouser"),
    N_("Pullover"),
    N_("Dress"),
    N_("Coat"),
    N_("Sandal"),
    N_("Shirt"),
    N_("Sneaker"),
    N_("Bag"),
    N_("Boot"),
)

#: The classes made rare in §5: Trouser, an easy class (few look-alikes), and Shirt, a hard one
#: (confused with T-shirt, Pullover and Coat), so that rarity is not mistaken for difficulty; the
#: share of their training images that is kept, and the seed of that draw.
RARE_CLASSES: tuple[int, ...] = (1, 6)
RARE_FRACTION = 0.05
IMBALANCE_SEED = 0


#: How each model is trained (the benchmark and the notebook use the same recipes).
@dataclass(frozen=True)
class Recipe:
    r"""Training budget of a model: epochs, batch size and Adam's learning rate η.

    ``cosine``: η decays from ``learning_rate`` to 0 along a half cosine over the whole run,
    :math:`\eta_s = \frac{\eta}{2}\,(1 + \cos(\pi s / S))` at step s of S; otherwise η is constant.
    """

    epochs: int
    batch_size: int
    learning_rate: float
    cosine: bool


RECIPES: dict[str, Recipe] = {
    # TensorFlow's "basic classification" tutorial: Adam's defaults, 10 epochs, batch 32.
    "tutorial": Recipe(epochs=10, batch_size=32, learning_rate=1e-3, cosine=False),
    # The lab's CNN: fewer, larger batches; a higher η that decays to 0.
    "lab": Recipe(epochs=8, batch_size=128, learning_rate=3e-3, cosine=True),
}

#: The budget of the comparisons in §2, §3, §5 and §6: each recipe with fewer epochs (a cosine
#: schedule then decays over these epochs). Two epochs keep the lab within its run-time budget with
#: three seeds per setting; every conclusion there is asserted at this budget, over the seeds.
COMPARISON_EPOCHS = 2

OUTPUTS = ("logits", "softmax", "sigmoid")
LABEL_FORMATS = ("sparse", "one_hot")


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class LabData:
    """Images as float32 in [0, 1] with a channel axis (m, 28, 28, 1); labels as int64 class ids.

    ``x_val``, ``y_val``: a validation split carved out of the training images by
    :func:`split_validation` (None until then). When present, :func:`train` scores every run on it
    and never looks at the test images.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None

    @property
    def has_validation(self) -> bool:
        """True when a validation split is present (``x_val`` and ``y_val`` are set)."""
        return self.x_val is not None and self.y_val is not None


def load_lab_data() -> LabData:
    r"""The bundled Fashion-MNIST subset (10,000 training, 2,000 test images), scaled to [0, 1].

    .. math::
        x = \text{pixel} / 255

    Taught in: 08 §1.
    """
    (x_train, y_train), (x_test, y_test) = course_data.load_fashion_mnist()
    return LabData(
        x_train=(x_train.astype(np.float32) / 255.0)[..., None],
        y_train=y_train.astype(np.int64),
        x_test=(x_test.astype(np.float32) / 255.0)[..., None],
        y_test=y_test.astype(np.int64),
    )


#: Size of the validation split carved out of the 10,000 training images (200 per class).
VALIDATION_SIZE = 2000


def split_validation(
    data: LabData, size: int = VALIDATION_SIZE, seed: int = 0
) -> LabData:
    r"""Carve a stratified validation split out of the training images; the test images stay as
    they are.

    Each of the K classes gives :math:`\text{size} / K` of its training images, drawn without
    replacement (seeded); they become ``x_val``, ``y_val`` and leave ``x_train``, ``y_train`` (both
    parts keep the original order). With the defaults: 8,000 training images (800 per class),
    2,000 validation images (200 per class), and the 2,000 test images untouched.
    Taught in: 08 §1.
    """
    if not isinstance(data, LabData):
        raise TypeError(
            f"data must be the LabData of load_lab_data(), got {type(data).__name__}."
        )
    if data.has_validation:
        raise ValueError(
            "data already has a validation split (data.x_val is set); split the LabData of "
            "load_lab_data() once."
        )
    size = as_positive_int("size", size)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    labels = _check_labels("data.y_train", data.y_train)
    if len(data.x_train) != labels.size:
        raise ValueError(
            f"data.x_train and data.y_train must describe the same images, got "
            f"{len(data.x_train)} images and {labels.size} labels."
        )
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    if size % NUM_CLASSES:
        raise ValueError(
            f"size must be a multiple of {NUM_CLASSES} (the same count from every class), "
            f"got {size}."
        )
    per_class = size // NUM_CLASSES
    if per_class >= counts.min():
        raise ValueError(
            f"size must leave training images in every class: {per_class} per class asked, "
            f"but class {int(np.argmin(counts))} has only {int(counts.min())}."
        )
    chosen = np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == k), size=per_class, replace=False)
            for k in range(NUM_CLASSES)
        ]
    )
    validation = np.zeros(labels.size, dtype=bool)
    validation[chosen] = True
    return LabData(
        x_train=data.x_train[~validation],
        y_train=data.y_train[~validation],
        x_test=data.x_test,
        y_test=data.y_test,
        x_val=data.x_train[validation],
        y_val=data.y_train[validation],
    )


def _check_labels(name: str, labels: Any, num_classes: int = NUM_CLASSES) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be a 1-D array of integer class ids, got dtype {array.dtype} "
            f"and shape {array.shape}."
        )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"{name} must hold class ids in [0, {num_classes - 1}], found "
            f"{int(array.min())}..{int(array.max())}."
        )
    return array.astype(np.int64)


def _as_lab_images(name: str, images: Any) -> np.ndarray:
    """Grey 28×28 images as float32 (m, 28, 28, 1) in [0, 1], without a copy when they already are.

    Accepts (m, 28, 28, 1), (m, 28, 28) and flat (m, 784) rows (reshaped); refuses, with one
    ``ValueError`` naming ``name``: other shapes, an empty array, and values outside [0, 1] (0–255
    pixels: "divide by 255").
    """
    if isinstance(images, np.ndarray) and images.dtype.kind in "fiu":
        array = images
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    else:
        array = as_finite_array(
            name, images, None, "28×28 grey images, pixels in [0, 1]"
        )
    shape = array.shape
    if array.ndim == 4 and shape[1:] == (28, 28, 1):
        pass
    elif array.ndim == 3 and shape[1:] == (28, 28):
        array = array[..., None]
    elif array.ndim == 2 and shape[1] == 784:
        array = array.reshape(-1, 28, 28, 1)
    else:
        hint = ""
        if shape == (28, 28) or shape == (784,) or shape == (28, 28, 1):
            hint = f" For one image use {name}[None]."
        elif array.ndim >= 3 and shape[-1] in (3, 4):
            hint = " These look like colour images: convert them to grey first."
        raise ValueError(
            f"{name} must hold 28×28 grey images: shape (m, 28, 28, 1), (m, 28, 28) or flat "
            f"(m, 784), got {shape}.{hint}"
        )
    if len(array) == 0:
        raise ValueError(
            f"{name} is empty (shape {shape}); it must hold at least one image. Check the "
            "slice, filter or indices that built it."
        )
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        hint = (
            "it looks like 0–255 pixels; divide by 255 (load_lab_data() already does)"
            if low >= 0.0 and high <= 255.0
            else "scale the images to [0, 1]"
        )
        raise ValueError(
            f"{name} must hold pixels in [0, 1], found values in [{low:.3g}, {high:.3g}]: "
            f"{hint}."
        )
    return array.astype(np.float32, copy=False)


def _as_indices(name: str, indices: Any, size: int) -> np.ndarray:
    """Row indices into an array of ``size`` rows (or a boolean mask of length ``size``)."""
    array = (
        np.asarray(indices)
        if not isinstance(indices, (str, bytes))
        else np.asarray([indices])
    )
    if array.size == 0:
        raise ValueError(
            f"{name} is empty: it selects no training image. Check the filter that built it."
        )
    if array.dtype == bool and array.ndim == 1:
        if array.shape != (size,):
            raise ValueError(
                f"{name} as a True/False mask must have one entry per training image "
                f"({size}), got {array.size}."
            )
        array = np.flatnonzero(array)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be a 1-D array of integer row indices into data.x_train (e.g. "
            f"imbalanced_indices(data.y_train)), got dtype {array.dtype} and shape "
            f"{array.shape}."
        )
    if array.min() < 0 or array.max() >= size:
        raise ValueError(
            f"{name} must hold row indices in [0, {size - 1}] (data.x_train has {size} "
            f"images), found {int(array.min())}..{int(array.max())}."
        )
    return array


def _check_probabilities(name: str, probs: Any) -> np.ndarray:
    array = np.asarray(probs, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(
            f"{name} must be (m, K) probabilities with K >= 2, got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must hold finite probabilities in [0, 1].")
    # Independent sigmoid outputs lie in [0, 1] too, but a row is no distribution.
    return as_distribution(name, array, "one row of class probabilities per sample")


def imbalanced_indices(
    labels: Any,
    rare_classes: Sequence[int] = RARE_CLASSES,
    fraction: float = RARE_FRACTION,
    seed: int = IMBALANCE_SEED,
) -> np.ndarray:
    r"""Indices of a training subset in which ``rare_classes`` keep only ``fraction`` of their samples.

    For a rare class with :math:`m_k` samples, :math:`\lceil f\, m_k \rceil` of them are drawn without
    replacement (seeded); every other class is kept whole. The indices come back sorted.

    Taught in: 08 §5.
    """
    labels = _check_labels("labels", labels)
    if labels.size == 0:
        raise ValueError(
            "labels is empty; pass the training labels, e.g. data.y_train."
        )
    if not 0.0 < as_finite_float("fraction", fraction) <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}.")
    if isinstance(rare_classes, (int, np.integer)) and not isinstance(
        rare_classes, bool
    ):
        rare_classes = (int(rare_classes),)  # one class, as a learner writes it
    if isinstance(rare_classes, (str, bytes)) or not hasattr(rare_classes, "__iter__"):
        raise TypeError(
            f"rare_classes must be a class id or a tuple of class ids in "
            f"[0, {NUM_CLASSES - 1}], e.g. (1, 6), got {rare_classes!r:.60}."
        )
    given = list(rare_classes)
    if any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) for k in given):
        raise TypeError(
            f"rare_classes must hold integer class ids in [0, {NUM_CLASSES - 1}], got "
            f"{given!r:.60}."
        )
    rare = list(dict.fromkeys(int(k) for k in given))  # a class named twice counts once
    if not rare or any(not 0 <= k < NUM_CLASSES for k in rare):
        raise ValueError(
            f"rare_classes must name at least one class id in [0, {NUM_CLASSES - 1}], "
            f"got {given!r}."
        )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    keep = [np.flatnonzero(~np.isin(labels, rare))]
    for k in rare:
        members = np.flatnonzero(labels == k)
        count = int(np.ceil(fraction * members.size))
        keep.append(rng.choice(members, size=count, replace=False))
    return np.sort(np.concatenate(keep))


def balanced_class_weights(
    labels: Any, num_classes: int = NUM_CLASSES
) -> dict[int, float]:
    r"""Keras ``class_weight`` that gives every class the same total weight.

    .. math::
        w_k = \frac{m}{K\, m_k}

    (m samples, K classes, :math:`m_k` samples of class k): a class with a twentieth of the samples
    gets twenty times the weight per sample. Taught in: 08 §5.
    """
    labels = _check_labels("labels", labels, num_classes)
    counts = np.bincount(labels, minlength=num_classes)
    if np.any(counts == 0):
        raise ValueError(
            f"labels must contain every class at least once, class "
            f"{int(np.argmin(counts))} has no sample."
        )
    return {
        k: float(labels.size / (num_classes * counts[k])) for k in range(num_classes)
    }


def oversample_indices(
    labels: Any, indices: Any = None, seed: int = 0, per_class: int | None = None
) -> np.ndarray:
    r"""Training indices in which every class appears equally often (random oversampling).

    Of the rows ``indices`` (all rows of ``labels`` if None), each class k with :math:`m_k` rows
    gets ``per_class`` rows. By default ``per_class`` is the largest :math:`m_k`: each class keeps
    all its rows once, plus :math:`\max_j m_j - m_k` of them drawn again with replacement
    (seeded), so an epoch grows. With ``per_class`` = (number of rows) // K an epoch keeps its
    length (the same number of steps as training on ``indices``), and each class gets
    ``per_class`` rows drawn with replacement: a comparison at an equal budget. Pass the result as
    ``train_indices`` to :func:`train` (``fit`` shuffles it). Classes absent from ``indices`` stay
    absent. The indices come back sorted.

    Taught in: 08 §5.
    """
    labels = _check_labels("labels", labels)
    if labels.size == 0:
        raise ValueError(
            "labels is empty; pass the training labels, e.g. data.y_train."
        )
    rows = (
        np.arange(labels.size)
        if indices is None
        else _as_indices("indices", indices, labels.size)
    )
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    counts = np.bincount(labels[rows], minlength=NUM_CLASSES)
    parts = []
    if per_class is None:
        target = int(counts.max())
        for k in np.flatnonzero(counts):
            members = rows[labels[rows] == k]
            extra = rng.choice(members, size=target - members.size, replace=True)
            parts.extend([members, extra])
    else:
        target = as_positive_int("per_class", per_class)
        for k in np.flatnonzero(counts):
            members = rows[labels[rows] == k]
            parts.append(rng.choice(members, size=target, replace=True))
    return np.sort(np.concatenate(parts))


def class_priors(labels: Any, num_classes: int = NUM_CLASSES) -> np.ndarray:
    r"""The share of each class among ``labels``: :math:`\pi_k = m_k / m`."""
    labels = _check_labels("labels", labels, num_classes)
    if labels.size == 0:
        raise ValueError(
            "labels is empty; pass the training labels, e.g. data.y_train."
        )
    return np.bincount(labels, minlength=num_classes) / labels.size


def _as_priors(name: str, priors: Any) -> np.ndarray:
    array = as_finite_array(name, priors, 1, "one positive share or count per class")
    if array.size < 2 or np.any(array <= 0):
        raise ValueError(
            f"{name} must hold one positive share (or count) per class, at least two; got "
            f"{np.round(array, 4).tolist()!r:.80}. A class with no training image has no "
            "prior: drop it or give it a count of 1."
        )
    return array / array.sum()


def prior_bias(counts: Any) -> np.ndarray:
    r"""Output-layer bias that makes an untrained model predict the class priors.

    .. math::
        b_k = \ln \pi_k = \ln \frac{m_k}{\sum_j m_j}

    With weights near 0 the logits are about b, so softmax(b) = π: the first steps need not learn
    the class frequencies (TensorFlow's "Classification on imbalanced data" does the same for one
    sigmoid output). ``counts``: training images per class (shares work too). Pass the result to
    :func:`train` as ``output_bias``.
    Taught in: 08 §5.
    """
    return np.log(_as_priors("counts", counts))


def adjust_logits(logits: Any, priors: Any, tau: float = 1.0) -> np.ndarray:
    r"""Post-hoc logit adjustment (Menon et al. 2021): subtract τ times the log prior of each class.

    .. math::
        \tilde z_k = z_k - \tau \ln \pi_k

    A model trained on imbalanced data has learned roughly :math:`\ln p(y=k \mid x)`, prior
    included; subtracting :math:`\ln \pi_k` (τ = 1) leaves a score for a balanced world, so the
    argmax favours rare classes as much as their evidence allows. No retraining. ``priors``: the
    training shares :math:`\pi_k` (counts are normalised, π = counts / Σ counts).
    Taught in: 08 §5.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2 or not np.all(np.isfinite(z)):
        raise ValueError(
            f"logits must be finite (m, K) scores with K >= 2, got shape {z.shape}."
        )
    log_priors = np.log(_as_priors("priors", priors))
    if log_priors.size != z.shape[1]:
        raise ValueError(
            f"priors must hold one value per class: logits have {z.shape[1]} columns, priors "
            f"{log_priors.size} values."
        )
    tau = as_finite_float("tau", tau)
    return z - tau * log_priors


# ----------------------------------------------------------------------------- measures


def confusion_matrix(
    y_true: Any, y_pred: Any, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    r"""Counts :math:`C_{tk}` = number of samples of true class t predicted as class k (rows: truth).

    Taught in: 08 §5.
    """
    y_true = _check_labels("y_true", y_true, num_classes)
    y_pred = _check_labels("y_pred", y_pred, num_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length, got {y_true.size} and {y_pred.size}."
        )
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def per_class_recall(counts: Any) -> np.ndarray:
    r"""Recall of each class from a confusion matrix: :math:`R_k = C_{kk} / \sum_j C_{kj}`.

    Taught in: 08 §5.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(
            f"counts must be a square (K, K) matrix, got shape {counts.shape}."
        )
    totals = counts.sum(axis=1)
    if np.any(totals == 0):
        raise ValueError(
            "counts has a class with no sample (an all-zero row): its recall is undefined."
        )
    return np.diag(counts) / totals


def balanced_accuracy(counts: Any) -> float:
    r"""The mean of the per-class recalls, :math:`\frac1K \sum_k R_k` (each class counts the same).

    Taught in: 08 §5.
    """
    return float(np.mean(per_class_recall(counts)))


@dataclass(frozen=True)
class ReliabilityTable:
    """Per confidence bin: the bin edges, sample count, mean confidence and accuracy (NaN if empty)."""

    edges: np.ndarray
    counts: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error of this table (see :func:`ece_from_table`)."""
        return ece_from_table(self.counts, self.confidence, self.accuracy)


def reliability_table(probs: Any, y_true: Any, bins: int = 10) -> ReliabilityTable:
    r"""Bin the test samples by confidence :math:`c_i = \max_k p_{ik}` into ``bins`` equal-width bins.

    Bin b holds the samples with :math:`c_i \in (\frac{b}{B}, \frac{b+1}{B}]` (the first bin also
    holds 0). For each bin: how many samples, their mean confidence, and the share whose predicted
    class :math:`\arg\max_k p_{ik}` is right.
    """
    probs = _check_probabilities("probs", probs)
    y_true = _check_labels("y_true", y_true, probs.shape[1])
    if y_true.size != probs.shape[0]:
        raise ValueError(
            f"y_true has {y_true.size} labels but probs has {probs.shape[0]} rows."
        )
    bins = as_positive_int("bins", bins)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y_true
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, confidence, bins) / counts
        accuracy = np.bincount(which, correct.astype(float), bins) / counts
    return ReliabilityTable(edges, counts, mean_confidence, accuracy)


def ece_from_table(counts: Any, confidence: Any, accuracy: Any) -> float:
    r"""Expected calibration error from a binned table:

    .. math::
        \mathrm{ECE} = \sum_{b=1}^{B} \frac{m_b}{m}\, \big|\mathrm{acc}_b - \mathrm{conf}_b\big|

    with :math:`m_b` samples in bin b (empty bins contribute 0).
    """
    counts = np.asarray(counts, dtype=np.float64)
    confidence = np.asarray(confidence, dtype=np.float64)
    accuracy = np.asarray(accuracy, dtype=np.float64)
    if not counts.shape == confidence.shape == accuracy.shape or counts.ndim != 1:
        raise ValueError(
            "counts, confidence and accuracy must be 1-D arrays of the same length, got shapes "
            f"{counts.shape}, {confidence.shape}, {accuracy.shape}."
        )
    if np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("counts must be non-negative with at least one sample.")
    filled = counts > 0
    gaps = np.abs(accuracy[filled] - confidence[filled])
    return float(np.sum(counts[filled] * gaps) / counts.sum())


def expected_calibration_error(probs: Any, y_true: Any, bins: int = 10) -> float:
    r"""ECE of predicted probabilities, with ``bins`` equal-width confidence bins:

    .. math::
        \mathrm{ECE} = \sum_{b=1}^{B} \frac{m_b}{m}\, \big|\mathrm{acc}_b - \mathrm{conf}_b\big|

    Taught in: 08 §4.
    """
    return reliability_table(probs, y_true, bins).ece


def softmax(logits: Any) -> np.ndarray:
    r"""Softmax along the last axis, shifted for safety, in float64:

    .. math::
        p_k = \frac{e^{z_k - \max_j z_j}}{\sum_i e^{z_i - \max_j z_j}}

    Taught in: 08 §3.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim < 1 or not np.all(np.isfinite(z)):
        raise ValueError(
            f"logits must be a finite array with a class axis last, got shape {z.shape}."
        )
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _check_logits_and_labels(logits: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2 or not np.all(np.isfinite(z)):
        raise ValueError(
            f"logits must be finite (m, K) scores with K >= 2, got shape {z.shape}. Pass the "
            "model's logits (its last Dense layer), not probabilities."
        )
    y_true = _check_labels("y_true", y_true, z.shape[1])
    if y_true.size != z.shape[0]:
        raise ValueError(
            f"y_true has {y_true.size} labels but logits has {z.shape[0]} rows."
        )
    if y_true.size == 0:
        raise ValueError("logits is empty; it must hold at least one row.")
    return z, y_true


def temperature_nll(logits: Any, y_true: Any, temperature: float = 1.0) -> float:
    r"""Mean negative log-likelihood of the labels after dividing the logits by T:

    .. math::
        \mathrm{NLL}(T) = -\frac1m \sum_{i=1}^{m} \ln \operatorname{softmax}(z_i / T)_{y_i}

    """
    z, y_true = _check_logits_and_labels(logits, y_true)
    temperature = as_finite_float("temperature", temperature)
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    scaled = z / temperature
    shifted = scaled - scaled.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(y_true.size), y_true].mean())


#: Where :func:`fit_temperature` searches (T from 1/20 to 20).
TEMPERATURE_BOUNDS = (0.05, 20.0)


def fit_temperature(
    logits: Any, y_true: Any, bounds: tuple[float, float] = TEMPERATURE_BOUNDS
) -> float:
    r"""Temperature scaling (Guo et al. 2017): the T that minimises the NLL of held-out labels.

    .. math::
        T^* = \arg\min_{T \in [T_{lo}, T_{hi}]} \;
        -\frac1m \sum_{i=1}^{m} \ln \operatorname{softmax}(z_i / T)_{y_i}

    Fit it on **validation** logits, then use softmax(z / T*) on any new image. Dividing every logit
    by the same T > 0 never changes the argmax, so accuracy stays as it is; only the confidence
    moves (T* > 1: the model was over-confident). The NLL is convex in 1/T, so one minimum: found
    by a golden-section search on ln T (60 steps, to about 1e-6 in T).
    Taught in: 08 §4.
    """
    z, y_true = _check_logits_and_labels(logits, y_true)
    if (
        not isinstance(bounds, (tuple, list))
        or len(bounds) != 2
        or not 0
        < as_finite_float("bounds[0]", bounds[0])
        < as_finite_float("bounds[1]", bounds[1])
    ):
        raise ValueError(
            f"bounds must be (low, high) with 0 < low < high, got {bounds!r}."
        )
    low, high = np.log(float(bounds[0])), np.log(float(bounds[1]))
    golden = (np.sqrt(5.0) - 1.0) / 2.0

    def nll(log_t: float) -> float:
        return temperature_nll(z, y_true, float(np.exp(log_t)))

    a, b = low, high
    c, d = b - golden * (b - a), a + golden * (b - a)
    fc, fd = nll(c), nll(d)
    for _ in range(60):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - golden * (b - a)
            fc = nll(c)
        else:
            a, c, fc = c, d, fd
            d = a + golden * (b - a)
            fd = nll(d)
    return float(np.exp((a + b) / 2.0))


def temperature_probs(logits: Any, temperature: float) -> np.ndarray:
    r"""Probabilities after temperature scaling, :math:`p = \operatorname{softmax}(z / T)`.

    Taught in: 08 §4.
    """
    temperature = as_finite_float("temperature", temperature)
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(
            f"logits must be finite (m, K) scores with K >= 2, got shape {z.shape}."
        )
    return softmax(z / temperature)


def mean_sd(values: Any) -> tuple[float, float]:
    r"""Mean and sample standard deviation over seeds (ddof = 1; 0 for a single value):

    .. math::
        \bar v = \frac1n \sum_s v_s, \qquad
        \mathrm{sd} = \sqrt{\frac{1}{n-1} \sum_s (v_s - \bar v)^2}

    """
    array = as_finite_array("values", values, 1, "one number per seed")
    if array.size == 0:
        raise ValueError("values is empty; pass one number per seed.")
    sd = float(np.std(array, ddof=1)) if array.size > 1 else 0.0
    return float(array.mean()), sd


def format_mean_sd(values: Any, scale: float = 100.0, digits: int = 1) -> str:
    """``"83.4 ± 0.5"``: :func:`mean_sd` of ``values`` times ``scale`` (100: shares as points).

    Taught in: 08 §2.
    """
    mean, sd = mean_sd(values)
    scale = as_finite_float("scale", scale)
    digits = as_positive_int("digits", digits, allow_zero=True)
    return f"{scale * mean:.{digits}f} ± {scale * sd:.{digits}f}"


def recall_standard_error(recall: float = 0.5, images: int = 200) -> float:
    r"""Standard error of a recall measured on ``images`` images of one class (binomial):

    .. math::
        \mathrm{SE}(R) = \sqrt{R\,(1 - R) / n}

    at most :math:`\sqrt{0.25 / 200} \approx 0.035` (3.5 points) for 200 images. Two recalls
    measured on different images differ by noise alone up to about
    :math:`2\sqrt{2}\,\mathrm{SE}` (95 %), about 10 points at R = 0.5.
    Taught in: 08 §1.
    """
    recall = as_finite_float("recall", recall)
    if not 0.0 <= recall <= 1.0:
        raise ValueError(f"recall must be in [0, 1], got {recall}.")
    images = as_positive_int("images", images)
    return float(np.sqrt(recall * (1.0 - recall) / images))


# ----------------------------------------------------------------------------- models and training


def _check_choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}.")
    return str(value)


def tutorial_model(output: str = "logits") -> Any:
    """TensorFlow's "basic classification" model: Flatten → Dense(128, relu) → Dense(10).

    ``output``: "logits" (no activation, pair with ``from_logits=True``), "softmax" or "sigmoid" (a
    separate ``Activation`` layer named ``probabilities``).
    """
    import keras

    _check_choice("output", output, OUTPUTS)
    layers = [
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(NUM_CLASSES, name="logits"),
    ]
    if output != "logits":
        layers.append(keras.layers.Activation(output, name="probabilities"))
    return keras.Sequential(layers, name="tutorial_model")


def lab_model(output: str = "logits") -> Any:
    """The lab's small CNN: Conv(32, 5×5, stride 2, relu) → MaxPool(2) → Flatten → Dense(128, relu)
    → Dense(10).

    The stride and the early pooling keep it cheap: the convolution works on a 14×14 grid and the
    dense layer sees 7×7×32 features. ``output`` as in :func:`tutorial_model`. Taught in: 08 §1.
    """
    import keras

    _check_choice("output", output, OUTPUTS)
    layers = [
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 5, strides=2, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(NUM_CLASSES, name="logits"),
    ]
    if output != "logits":
        layers.append(keras.layers.Activation(output, name="probabilities"))
    return keras.Sequential(layers, name="lab_cnn")


MODEL_BUILDERS: dict[str, Callable[[str], Any]] = {
    "tutorial": tutorial_model,
    "lab": lab_model,
}


@dataclass
class TrainingRun:
    """What one training run produced.

    ``history``: per-epoch "loss", "accuracy", "val_loss", "val_accuracy". ``outputs``: the model's raw
    outputs on the evaluation images (logits, softmax or sigmoid values); ``probs``: the same turned
    into a distribution (softmax of logits; sigmoid values divided by their sum, as Keras's
    cross-entropy does on JAX and PyTorch: on TensorFlow it uses the sigmoid layer's stored logits
    instead, 08 §6). ``y_val``: the labels of those images. ``evaluated_on``: which images they are,
    "validation" (``data.x_val``, when the data has a validation split) or "test" (without one).
    ``cpu_seconds``: process CPU time of ``fit`` (all threads). ``model`` and ``output`` are kept so
    that the test images can be scored once, at the end (:func:`evaluate_on_test`).
    """

    name: str
    history: dict[str, list[float]]
    outputs: np.ndarray
    probs: np.ndarray
    y_val: np.ndarray
    cpu_seconds: float
    wall_seconds: float
    model: Any = field(repr=False)
    output: str = "logits"
    evaluated_on: str = "test"

    @property
    def accuracy(self) -> float:
        """Share of evaluation images whose most probable class is the true one."""
        return float(np.mean(self.probs.argmax(axis=1) == self.y_val))

    @property
    def confusion(self) -> np.ndarray:
        """Confusion matrix on the evaluation images."""
        return confusion_matrix(self.y_val, self.probs.argmax(axis=1))

    @property
    def recall(self) -> np.ndarray:
        """Per-class recall on the evaluation images."""
        return per_class_recall(self.confusion)

    @property
    def ece(self) -> float:
        """Expected calibration error on the evaluation images (10 bins)."""
        return expected_calibration_error(self.probs, self.y_val)


@dataclass(frozen=True)
class Evaluation:
    """A trained model's outputs on a set of images (:func:`evaluate`), and the measures on them.

    ``outputs``: raw outputs (logits when ``output`` is "logits"); ``probs``: a distribution per row.
    """

    outputs: np.ndarray
    probs: np.ndarray
    y_true: np.ndarray
    output: str = "logits"

    @property
    def accuracy(self) -> float:
        """Share of images whose most probable class is the true one."""
        return float(np.mean(self.probs.argmax(axis=1) == self.y_true))

    @property
    def confusion(self) -> np.ndarray:
        """Confusion matrix (rows: true class)."""
        return confusion_matrix(self.y_true, self.probs.argmax(axis=1))

    @property
    def recall(self) -> np.ndarray:
        """Per-class recall."""
        return per_class_recall(self.confusion)

    @property
    def ece(self) -> float:
        """Expected calibration error (10 bins)."""
        return expected_calibration_error(self.probs, self.y_true)


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 (TensorFlow's C++ logging) to the null device, and restore it after.

    Under op determinism, TensorFlow 2.21's ``tf.data`` prints a harmless C++ ERROR line ("NodeDef
    mentions attribute use_unbounded_threadpool …", with a timestamp) each time Keras slices NumPy
    arrays, and ``TF_CPP_MIN_LOG_LEVEL=2`` lets ERROR lines through. Only the ``fit`` and ``predict``
    calls are wrapped; Python exceptions are not written to descriptor 2, so they still surface.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (
        OSError,
        ValueError,
    ):  # no real descriptor 2 (an unusual host): leave it alone
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def deterministic_start(seed: int = 0) -> None:
    """A clean, seeded start for one run: new Keras session, seeds, deterministic TF ops.

    Taught in: 08 §1.
    """
    import keras
    import tensorflow as tf

    try:  # a full garbage collection per run adds up over a lab's fifty runs
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # a Keras without the argument
        keras.backend.clear_session()
    keras.utils.set_random_seed(as_positive_int("seed", seed, allow_zero=True))
    tf.config.experimental.enable_op_determinism()


def predict(model: Any, images: Any) -> np.ndarray:
    """``model.predict(images)`` in batches of 500, quietly (``verbose=0``, no C++ log lines), float64.

    Taught in: 08 §1.
    """
    if not callable(getattr(model, "predict", None)):
        raise TypeError(
            f"model must be a Keras model (with .predict), got {type(model).__name__}; for a "
            "TrainingRun pass run.model."
        )
    images = _as_lab_images("images", images)
    try:
        input_shape = tuple(model.input_shape)
    except Exception:  # a model without a declared input: give it the lab's shape
        input_shape = ()
    if (
        len(input_shape) >= 2
        and None not in input_shape[1:]
        and int(np.prod(input_shape[1:])) == 784
    ):
        images = images.reshape((len(images), *input_shape[1:]))
    with _native_stderr_silenced():
        raw = model.predict(images, batch_size=500, verbose=0)
    return np.asarray(raw, dtype=np.float64)


def outputs_to_probs(outputs: Any, output: str) -> np.ndarray:
    r"""A distribution from raw outputs: softmax of logits, softmax values as they are, and sigmoid
    values renormalised :math:`p_k = \sigma(z_k) / \sum_j \sigma(z_j)` (what a reader of the sigmoids
    would do; Keras's cross-entropy does it on JAX and PyTorch, 08 §6)."""
    _check_choice("output", output, OUTPUTS)
    values = np.asarray(outputs, dtype=np.float64)
    if output == "logits":
        return softmax(values)
    return values / values.sum(axis=1, keepdims=True)


def _as_recipe(recipe: Any, model: str) -> Recipe:
    """A :class:`Recipe` from None (the model's own), a name in :data:`RECIPES`, or a Recipe."""
    if recipe is None:
        return RECIPES[model]
    if isinstance(recipe, Recipe):
        as_positive_int("recipe.epochs", recipe.epochs)
        as_positive_int("recipe.batch_size", recipe.batch_size)
        if not as_finite_float("recipe.learning_rate", recipe.learning_rate) > 0:
            raise ValueError(
                f"recipe.learning_rate must be > 0, got {recipe.learning_rate}."
            )
        if not isinstance(recipe.cosine, bool):
            raise TypeError(
                f"recipe.cosine must be True or False, got {recipe.cosine!r}."
            )
        return recipe
    if isinstance(recipe, str) and recipe in RECIPES:
        return RECIPES[recipe]
    raise ValueError(
        f"recipe must be None (the model's own), one of {list(RECIPES)} or a Recipe, got "
        f"{recipe!r:.60}."
    )


def _as_output_bias(output_bias: Any) -> np.ndarray:
    bias = as_finite_array("output_bias", output_bias, 1, "one bias per class")
    if bias.shape != (NUM_CLASSES,):
        raise ValueError(
            f"output_bias must hold one value per class ({NUM_CLASSES}), got shape "
            f"{bias.shape}; e.g. prior_bias(counts)."
        )
    return bias


def train(
    name: str,
    loss: Any,
    data: LabData,
    *,
    model: str = "lab",
    recipe: str | Recipe | None = None,
    output: str = "logits",
    labels: str = "sparse",
    epochs: int | None = None,
    batch_size: int | None = None,
    train_indices: Any = None,
    class_weight: Mapping[int, float] | None = None,
    output_bias: Any = None,
    seed: int = 0,
    validate_every_epoch: bool = True,
) -> TrainingRun:
    """Train one model from scratch and score it on the validation images (the test images without
    a validation split).

    Every run starts the same way (:func:`deterministic_start`: fresh session, seed, deterministic
    ops) and nothing is cached between runs, so a run's numbers depend only on its arguments.
    ``recipe`` sets Adam's η (and its schedule), the epochs and the batch size: None takes the
    model's own :data:`RECIPES` entry, a name ("tutorial", "lab") or a :class:`Recipe` any other,
    so model and recipe can be varied separately; ``epochs`` and ``batch_size`` override it (a
    cosine schedule then decays over those epochs). ``verbose=0``. ``labels``: "sparse" class ids
    or "one_hot" rows. ``train_indices`` trains on a subset or a resampling of ``data.x_train``
    (§5); ``output_bias`` sets the bias of the last Dense layer (named "logits") before training,
    e.g. :func:`prior_bias`.

    With ``data.x_val`` (:func:`split_validation`) the run is scored on the validation images, per
    epoch and at the end, and never sees the test images: score those once, at the end, with
    :func:`evaluate_on_test`. Without a split it is scored on the test images, as before.
    Taught in: 08 §2.
    """
    import keras

    if not isinstance(data, LabData):
        raise TypeError(
            f"data must be the LabData of load_lab_data(), got {type(data).__name__}."
        )
    _check_choice("model", model, tuple(MODEL_BUILDERS))
    _check_choice("labels", labels, LABEL_FORMATS)
    if not isinstance(validate_every_epoch, bool):
        raise TypeError(
            f"validate_every_epoch must be True or False, got {validate_every_epoch!r}."
        )
    chosen_recipe = _as_recipe(recipe, model)
    epochs = as_positive_int(
        "epochs", chosen_recipe.epochs if epochs is None else epochs
    )
    batch_size = as_positive_int(
        "batch_size", chosen_recipe.batch_size if batch_size is None else batch_size
    )
    x = _as_lab_images("data.x_train", data.x_train)
    y = _check_labels("data.y_train", data.y_train)
    if data.has_validation:
        part = "val"
        x_eval = _as_lab_images("data.x_val", data.x_val)
        y_eval = _check_labels("data.y_val", data.y_val)
    else:
        part = "test"
        x_eval = _as_lab_images("data.x_test", data.x_test)
        y_eval = _check_labels("data.y_test", data.y_test)
    for which, images, ids in (("train", x, y), (part, x_eval, y_eval)):
        if len(images) != len(ids):
            raise ValueError(
                f"data.x_{which} and data.y_{which} must describe the same images, got "
                f"{len(images)} images and {len(ids)} labels."
            )
    if train_indices is not None:
        chosen = _as_indices("train_indices", train_indices, len(x))
        x, y = x[chosen], y[chosen]
    if class_weight is not None:
        class_weight = _as_class_weight(class_weight)
    bias = None if output_bias is None else _as_output_bias(output_bias)

    deterministic_start(seed)
    network = MODEL_BUILDERS[model](output)
    if bias is not None:
        network.get_layer("logits").bias.assign(bias.astype(np.float32))
    if labels == "sparse":
        accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        y_fit, y_val = y, y_eval
    else:
        accuracy = keras.metrics.CategoricalAccuracy(name="accuracy")
        eye = np.eye(NUM_CLASSES, dtype=np.float32)
        y_fit, y_val = eye[y], eye[y_eval]
    learning_rate: Any = chosen_recipe.learning_rate
    if chosen_recipe.cosine:
        steps = epochs * int(np.ceil(len(x) / batch_size))
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=[accuracy]
    )
    cpu, wall = time.process_time(), time.perf_counter()
    with _native_stderr_silenced():
        fitted = network.fit(
            x,
            y_fit,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=(x_eval, y_val) if validate_every_epoch else None,
            class_weight=dict(class_weight) if class_weight is not None else None,
            verbose=0,
        )
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        raw = predict(network, x_eval)
    history = {
        key: [float(v) for v in values] for key, values in fitted.history.items()
    }
    _release_training_memory(network)
    return TrainingRun(
        name=name,
        history=history,
        outputs=np.asarray(raw, dtype=np.float64),
        probs=outputs_to_probs(raw, output),
        y_val=y_eval,
        cpu_seconds=cpu,
        wall_seconds=wall,
        model=network,
        output=output,
        evaluated_on="validation" if data.has_validation else "test",
    )


def _release_training_memory(network: Any) -> None:
    """Drop what only training needed, so that a lab can keep fifty trained runs in memory.

    The traced training and evaluation functions hold graphs and the data's tensors (Keras
    traces them again if the model is trained or evaluated later); ``malloc_trim`` then hands
    the freed memory back to the operating system (glibc only; elsewhere nothing happens).
    Measured here: about 25 MB per kept run without this, about 15 MB with it.
    """
    network.train_function = None
    network.test_function = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def evaluate(run: TrainingRun, images: Any, labels: Any) -> Evaluation:
    """Score a trained run's model on other images: its raw outputs, probabilities and labels."""
    if not isinstance(run, TrainingRun):
        raise TypeError(
            f"run must be the TrainingRun that train returns, got {type(run).__name__}."
        )
    images = _as_lab_images("images", images)
    labels = _check_labels("labels", labels)
    if labels.size != len(images):
        raise ValueError(
            f"labels must hold one class id per image, got {labels.size} labels for "
            f"{len(images)} images."
        )
    raw = predict(run.model, images)
    return Evaluation(
        outputs=raw,
        probs=outputs_to_probs(raw, run.output),
        y_true=labels,
        output=run.output,
    )


def evaluate_on_test(run: TrainingRun, data: LabData) -> Evaluation:
    """The run's model on the 2,000 test images: ``evaluate(run, data.x_test, data.y_test)``.

    Call it once, at the end, for the runs every choice was made for on validation.
    Taught in: 08 §9.
    """
    if not isinstance(data, LabData):
        raise TypeError(
            f"data must be the LabData of load_lab_data(), got {type(data).__name__}."
        )
    return evaluate(run, data.x_test, data.y_test)


def _as_class_weight(class_weight: Any) -> dict[int, float]:
    """Keras ``class_weight``: class id (0..9) → a finite weight >= 0."""
    if not isinstance(class_weight, Mapping):
        raise TypeError(
            "class_weight must be a dict {class id: weight}, e.g. "
            f"balanced_class_weights(labels), got {type(class_weight).__name__}."
        )
    weights = {}
    for k, w in class_weight.items():
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(
                f"class_weight keys must be class ids (integers), got {k!r}."
            )
        if not 0 <= k < NUM_CLASSES:
            raise ValueError(
                f"class_weight keys must be class ids in [0, {NUM_CLASSES - 1}], got {k}."
            )
        weight = as_finite_float(f"class_weight[{k}]", w)
        if weight < 0:
            raise ValueError(f"class_weight[{k}] must be >= 0, got {weight}.")
        weights[int(k)] = weight
    return weights


@dataclass(frozen=True)
class LossSetup:
    """One way to train the same model: the loss, what the last layer outputs, the label format."""

    name: str
    output: str
    labels: str
    make_loss: Callable[[], Any]
    note: str


def loss_setups() -> dict[str, LossSetup]:
    """The five setups of §3, by name (Keras loss objects are built when called).

    Taught in: 08 §3.
    """
    import keras

    losses = keras.losses
    setups = [
        LossSetup(
            "sparse CE, logits",
            "logits",
            "sparse",
            lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
            gettext(
                "the default: integer labels, linear last layer, softmax fused into the loss"
            ),
        ),
        LossSetup(
            "CE on softmax",
            "softmax",
            "sparse",
            lambda: losses.SparseCategoricalCrossentropy(),
            gettext(
                "the same loss after a softmax layer: probabilities clipped to [1e-7, 1 − 1e-7]"
            ),
        ),
        LossSetup(
            "MSE, one-hot",
            "softmax",
            "one_hot",
            lambda: losses.MeanSquaredError(),
            gettext("squared error between the softmax output and the one-hot target"),
        ),
        LossSetup(
            "label smoothing 0.1",
            "logits",
            "one_hot",
            lambda: losses.CategoricalCrossentropy(
                from_logits=True, label_smoothing=0.1
            ),
            gettext("targets 0.91 / 0.01 instead of 1 / 0"),
        ),
        LossSetup(
            "focal, γ = 2",
            "logits",
            "one_hot",
            lambda: losses.CategoricalFocalCrossentropy(from_logits=True, gamma=2.0),
            gettext(
                "cross-entropy × α(1 − p_t)^γ, α = 0.25: confident right answers count less"
            ),
        ),
    ]
    return {setup.name: setup for setup in setups}


def train_setup(setup: LossSetup, data: LabData, **kwargs: Any) -> TrainingRun:
    """Train the lab model with one :class:`LossSetup` (keyword arguments go to :func:`train`).

    Taught in: 08 §3.
    """
    return train(
        setup.name,
        setup.make_loss(),
        data,
        output=setup.output,
        labels=setup.labels,
        **kwargs,
    )


# ----------------------------------------------------------------------------- erratum 10


def wrong_class_gradients(logits: Any, y_true: Any) -> dict[str, np.ndarray]:
    r"""For each sample, the gradient of the categorical cross-entropy with respect to the logit of the
    most probable *wrong* class j, with sigmoid outputs (the article's classifier) and with softmax.

    Sigmoid outputs divided by their sum, :math:`S = \sum_k \sigma(z_k)`,
    :math:`L = -\ln(\sigma(z_t)/S)`: what Keras's categorical cross-entropy computes on the JAX and
    PyTorch backends (on TensorFlow a sigmoid layer's stored logits make it a softmax, 08 §6):

    .. math::
        \frac{\partial L}{\partial z_j} = \frac{\sigma(z_j)\,(1 - \sigma(z_j))}{S}
        \qquad\text{vs softmax:}\qquad \frac{\partial L}{\partial z_j} = p_j

    (ignoring Keras's clip at :math:`10^{-7}`, which does not bind here). A confidently wrong sigmoid
    (:math:`\sigma(z_j) \to 1`) gets almost no push down; with softmax the push is :math:`p_j`.
    Taught in: 08 §6.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2 or not np.all(np.isfinite(z)):
        raise ValueError(
            f"logits must be finite (m, K) scores with K >= 2, got shape {z.shape}."
        )
    y_true = _check_labels("y_true", y_true, z.shape[1])
    if y_true.size != z.shape[0]:
        raise ValueError(
            f"y_true has {y_true.size} labels but logits has {z.shape[0]} rows."
        )
    rows = np.arange(z.shape[0])
    rivals = z.copy()
    rivals[rows, y_true] = -np.inf
    wrong = rivals.argmax(axis=1)
    s = 1.0 / (1.0 + np.exp(-z))
    sigmoid_grad = s[rows, wrong] * (1.0 - s[rows, wrong]) / s.sum(axis=1)
    softmax_grad = softmax(z)[rows, wrong]
    return {"wrong_class": wrong, "sigmoid": sigmoid_grad, "softmax": softmax_grad}


# ----------------------------------------------------------------------------- erratum 14: a fresh process

_FRESH_PROCESS_SCRIPT = r"""
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import numpy as np
import keras

folder = sys.argv[1]
report = {}
try:
    keras.models.load_model(os.path.join(folder, "model.keras"))
    report["without_registration"] = "loaded"
except Exception as error:
    report["without_registration"] = type(error).__name__
from course_utils.losses.confusion_aware import confusion_aware_loss_class

confusion_aware_loss_class()
model = keras.models.load_model(os.path.join(folder, "model.keras"))
data = np.load(os.path.join(folder, "test.npz"))
probs = keras.ops.convert_to_numpy(keras.ops.softmax(model.predict(data["x"], verbose=0)))
loss_config = model.loss.get_config()
report["loss_class"] = type(model.loss).__name__
report["strength"] = loss_config["strength"]
report["confusion_matches"] = bool(
    np.allclose(loss_config["confusion"], data["confusion"], atol=1e-6)
)
report["accuracy"] = float(np.mean(probs.argmax(axis=1) == data["y"]))
report["max_probability_difference"] = float(np.max(np.abs(probs - data["probs"])))
report["evaluate"] = [float(v) for v in model.evaluate(data["x"], data["y_one_hot"], verbose=0)]
print(json.dumps(report))
"""


def evaluate_in_fresh_process(
    run: TrainingRun, data: LabData, timeout: float = 120.0
) -> dict[str, Any]:
    """Save ``run.model`` (compiled with the confusion-aware loss) to ``.keras`` in a temporary folder,
    then load and evaluate it in a new Python process, as a learner would the next day.

    The new process first tries ``keras.models.load_model`` without registering the loss class (it
    reports the error's type), then registers it (``confusion_aware_loss_class()``), loads, predicts
    and evaluates on the images the run was scored on (validation, or test without a split).
    Returns what it measured: the loss class and strength after loading, whether the
    saved confusion matrix came back, accuracy, the largest difference of its probabilities from
    ``run.probs`` and ``evaluate``'s [loss, accuracy]. Taught in: 08 §7.
    """
    import keras

    if not isinstance(run, TrainingRun):
        raise TypeError(
            f"run must be the TrainingRun that train returns, got {type(run).__name__}."
        )
    if not hasattr(getattr(run.model, "loss", None), "confusion"):
        raise TypeError(
            "run must be a TrainingRun whose model was compiled with the confusion-aware loss "
            "(make_confusion_aware_loss), got a model with loss "
            f"{type(getattr(run.model, 'loss', None)).__name__}."
        )
    if not isinstance(data, LabData):
        raise TypeError(
            f"data must be the LabData of load_lab_data(), got {type(data).__name__}."
        )
    images: Any = data.x_val if data.has_validation else data.x_test
    labels: Any = data.y_val if data.has_validation else data.y_test
    labels = _check_labels(
        "data.y_val" if data.has_validation else "data.y_test", labels
    )
    if labels.size != len(run.probs):
        raise ValueError(
            f"run was scored on {len(run.probs)} images but data has {labels.size} "
            f"{run.evaluated_on} images: pass the LabData the run was trained with."
        )
    with tempfile.TemporaryDirectory() as folder:
        run.model.save(os.path.join(folder, "model.keras"))
        np.savez(
            os.path.join(folder, "test.npz"),
            x=images,
            y=labels,
            y_one_hot=np.eye(NUM_CLASSES, dtype=np.float32)[labels],
            probs=run.probs,
            confusion=keras.ops.convert_to_numpy(run.model.loss.confusion.value),
        )
        environment = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        environment["PYTHONPATH"] = os.pathsep.join(
            [root, *filter(None, [environment.get("PYTHONPATH")])]
        )
        finished = subprocess.run(
            [sys.executable, "-c", _FRESH_PROCESS_SCRIPT, folder],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
        )
    if finished.returncode != 0:
        raise RuntimeError(
            f"The fresh process failed (exit code {finished.returncode}):\n{finished.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


# ----------------------------------------------------------------------------- figures


def artist(fig: Figure, gid: str) -> Any:
    """The artist with this gid (typed ``Any``: images, texts and bars have different setters).

    The gid → artist table is built once per figure and kept on it, so a redraw that moves a hundred
    artists does not search the figure a hundred times.
    """
    table: dict[str, Any] | None = getattr(fig, "_course_gid_table", None)
    if table is None:
        table = {str(a.get_gid()): a for a in fig.findobj() if a.get_gid()}
        fig._course_gid_table = table  # type: ignore[attr-defined]
    if gid not in table:
        return _artist(fig, gid)  # raises the helpful KeyError
    return table[gid]


def _new_grid(
    rows: int, cols: int, width: float, height: float, **grid: Any
) -> tuple[Figure, Any]:
    """A constrained-layout figure and its grid spec (built without pyplot)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_gridspec(rows, cols, **grid)


def plot_class_examples(images: Any, labels: Any, per_class: int = 2) -> Figure:
    """The first ``per_class`` images of each class, one column per class, named.

    Taught in: 08 §1.
    """
    images = _as_lab_images("images", images)
    labels = _check_labels("labels", labels)
    if labels.size != len(images):
        raise ValueError(
            f"labels must hold one class id per image, got {labels.size} labels for "
            f"{len(images)} images."
        )
    per_class = as_positive_int("per_class", per_class)
    fig, grid = _new_grid(per_class, NUM_CLASSES, 12.0, 1.45 * per_class + 0.5)
    for k, name in enumerate(CLASS_NAMES):
        members = np.flatnonzero(labels == k)[:per_class]
        for row, index in enumerate(members):
            ax = fig.add_subplot(grid[row, k])
            ax.imshow(images[index, :, :, 0], cmap="gray_r", vmin=0.0, vmax=1.0)
            ax.set_axis_off()
            if row == 0:
                ax.set_title(f"{k}: {gettext(name)}", fontsize=10)
    return fig


def plot_training_curves(runs: Mapping[str, TrainingRun]) -> Figure:
    """Train (solid) and validation (dashed) loss and accuracy per epoch, one colour per run.

    The losses are on a log scale: each run is scored by its *own* loss, so only the shapes compare,
    not the heights. Taught in: 08 §3.
    """
    if not runs:
        raise ValueError("runs must hold at least one TrainingRun.")
    fig, (loss_ax, accuracy_ax) = new_figure(2, width=12.0, height=4.6)
    for colour, (name, run) in zip(PALETTE, runs.items(), strict=False):
        epochs = np.arange(1, len(run.history["loss"]) + 1)
        loss_ax.plot(
            epochs, run.history["loss"], color=colour, label=name, gid=f"loss-{name}"
        )
        accuracy_ax.plot(epochs, run.history["accuracy"], color=colour, label=name)
        if "val_loss" in run.history:
            loss_ax.plot(epochs, run.history["val_loss"], color=colour, linestyle="--")
            accuracy_ax.plot(
                epochs,
                run.history["val_accuracy"],
                color=colour,
                linestyle="--",
                gid=f"val-accuracy-{name}",
            )
    for ax in (loss_ax, accuracy_ax):
        ax.xaxis.get_major_locator().set_params(integer=True)
    loss_ax.set_yscale("log")
    loss_ax.set(
        xlabel=gettext("epoch"), ylabel=gettext("loss (each run's own; log scale)")
    )
    accuracy_ax.set(xlabel=gettext("epoch"), ylabel=gettext("accuracy"))
    loss_ax.set_title(gettext("loss: train ── validation - -"))
    accuracy_ax.set_title(gettext("accuracy: train ── validation - -"))
    accuracy_ax.legend(loc="lower right", fontsize=10)
    return fig


def _probs_and_labels(name: str, value: Any) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and labels of a :class:`TrainingRun`, an :class:`Evaluation` or a pair."""
    if isinstance(value, TrainingRun):
        return value.probs, value.y_val
    if isinstance(value, Evaluation):
        return value.probs, value.y_true
    if isinstance(value, tuple) and len(value) == 2:
        probs = _check_probabilities(f"runs[{name!r}][0]", value[0])
        labels = _check_labels(f"runs[{name!r}][1]", value[1], probs.shape[1])
        if labels.size != probs.shape[0]:
            raise ValueError(
                f"runs[{name!r}] has {probs.shape[0]} rows of probabilities but "
                f"{labels.size} labels."
            )
        return probs, labels
    raise TypeError(
        f"runs[{name!r}] must be a TrainingRun, an Evaluation or a (probs, labels) pair, got "
        f"{type(value).__name__}."
    )


def plot_reliability_diagrams(runs: Mapping[str, Any], bins: int = 10) -> Figure:
    """One reliability diagram per entry: accuracy per confidence bin against the diagonal, with ECE.

    Each entry is a :class:`TrainingRun`, an :class:`Evaluation` or a ``(probs, labels)`` pair
    (e.g. temperature-scaled probabilities). Bars below the diagonal: over-confident (the model is
    right less often than it claims); above: under-confident. Taught in: 08 §4.
    """
    if not runs:
        raise ValueError("runs must hold at least one TrainingRun.")
    fig, axes = new_figure(len(runs), width=4.2 * len(runs), height=4.4)
    for ax, colour, (name, run) in zip(axes, PALETTE, runs.items(), strict=False):
        probs, labels = _probs_and_labels(name, run)
        table = reliability_table(probs, labels, bins)
        centres = (table.edges[:-1] + table.edges[1:]) / 2
        filled = table.counts > 0
        ax.bar(
            centres[filled],
            table.accuracy[filled],
            width=1.0 / bins,
            color=colour,
            edgecolor="white",
            alpha=0.85,
            label=gettext("accuracy in bin"),
            gid=f"bars-{name}",
        )
        ax.plot(
            [0, 1],
            [0, 1],
            color="black",
            linestyle=":",
            linewidth=1.5,
            label=gettext("perfect"),
        )
        ax.plot(
            table.confidence[filled],
            table.confidence[filled],
            "o",
            color=PALETTE[7],
            markersize=4,
            label=gettext("mean confidence"),
        )
        ax.set(
            xlim=(0, 1),
            ylim=(0, 1),
            xlabel=gettext("confidence max p"),
            ylabel=gettext("accuracy"),
        )
        ax.set_title(f"{name}\nECE = {table.ece:.3f}", fontsize=12)
        ax.legend(loc="upper left", fontsize=9)
    return fig


def plot_confusion_matrices(
    matrices: Mapping[str, Any], highlight: Sequence[int] = ()
) -> Figure:
    """Row-normalised confusion matrices side by side (colour: share of the true class; text: counts).

    ``highlight`` class ids get their tick labels in vermillion (the rare classes). Taught in: 08 §5.
    """
    if not matrices:
        raise ValueError("matrices must hold at least one confusion matrix.")
    fig, axes = new_figure(len(matrices), width=4.0 * len(matrices), height=4.6)
    for ax, (name, counts) in zip(axes, matrices.items(), strict=False):
        _draw_confusion(ax, np.asarray(counts), name, highlight, annotate=False)
    return fig


def _row_shares(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals > 0, totals, 1)


def _sans_serif_has_bold() -> bool:
    """Whether the first installed font of ``font.sans-serif`` has a bold face.

    DejaVu Sans (English) has; the bundled CJK subset of the Chinese edition is Regular only, and
    bold text in it makes matplotlib log "findfont: Failed to find font weight bold" at every
    draw, so the highlighted ticks are then only coloured.
    """
    weights: dict[str, list[int]] = {}
    for font in font_manager.fontManager.ttflist:
        weights.setdefault(font.name, []).append(int(font.weight))
    for family in matplotlib.rcParams["font.sans-serif"]:
        if family in weights:
            return max(weights[family]) >= 600
    return True


def _draw_confusion(
    ax: Any, counts: np.ndarray, name: str, highlight: Sequence[int], annotate: bool
) -> None:
    shares = _row_shares(counts)
    ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, gid=f"confusion-image-{name}")
    short = [gettext(name) for name in SHORT_NAMES]
    ax.set_xticks(range(NUM_CLASSES), short, rotation=90, fontsize=9)
    ax.set_yticks(range(NUM_CLASSES), short, fontsize=9)
    bold = _sans_serif_has_bold()
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        for k in highlight:
            ticks[k].set_color(PALETTE[3])
            if bold:
                ticks[k].set_fontweight("bold")
    ax.set(xlabel=gettext("predicted class"), ylabel=gettext("true class"))
    ax.grid(False)
    ax.set_title(
        gettext("{name}\nbalanced acc. {accuracy:.3f}").format(
            name=name, accuracy=balanced_accuracy(counts)
        ),
        fontsize=11,
    )


# ----------------------------------------------------------------------------- widget: mistakes

EXPLORER_EXAMPLES = 6


@dataclass(frozen=True)
class Predictions:
    """What the explorer shows: held-out images (validation or test), their true classes and a
    model's probabilities."""

    images: np.ndarray
    y_true: np.ndarray
    probs: np.ndarray

    def __post_init__(self) -> None:
        probs = _check_probabilities("probs", self.probs)
        y_true = _check_labels("y_true", self.y_true, probs.shape[1])
        images = _as_lab_images("images", self.images)
        if images.shape[0] != probs.shape[0] or y_true.size != probs.shape[0]:
            raise ValueError(
                f"images, y_true and probs must describe the same samples, got {images.shape[0]}, "
                f"{y_true.size} and {probs.shape[0]}."
            )

    def cell(self, true_class: int, predicted_class: int) -> np.ndarray:
        """Indices of the samples of ``true_class`` predicted as ``predicted_class``, most confident first."""
        predicted = self.probs.argmax(axis=1)
        members = np.flatnonzero(
            (self.y_true == true_class) & (predicted == predicted_class)
        )
        return members[np.argsort(-self.probs[members, predicted_class], kind="stable")]


def demo_predictions() -> Predictions:
    r"""Predictions without training anything (for the benchmark and tests): a nearest-centroid
    classifier on the bundled test images, :math:`p = \operatorname{softmax}(-\lVert x - \mu_k\rVert^2 / 10)`
    with :math:`\mu_k` the mean training image of class k."""
    (x_train, y_train), (x_test, y_test) = course_data.load_fashion_mnist()
    train = x_train.reshape(len(x_train), -1).astype(np.float64) / 255.0
    test = x_test.reshape(len(x_test), -1).astype(np.float64) / 255.0
    centroids = np.stack([train[y_train == k].mean(axis=0) for k in range(NUM_CLASSES)])
    distances = (
        (test**2).sum(axis=1, keepdims=True)
        - 2 * test @ centroids.T
        + (centroids**2).sum(axis=1)
    )
    return Predictions(
        test.reshape(-1, 28, 28), y_test.astype(np.int64), softmax(-distances / 10.0)
    )


def _class_id(name: str, value: str) -> int:
    if value not in CLASS_NAMES:
        raise ValueError(f"{name} must be one of {list(CLASS_NAMES)}, got {value!r}.")
    return CLASS_NAMES.index(value)


#: The thumbnails' colours (ink 1 black on white paper): an image holds them as RGBA bytes, which
#: matplotlib resamples as they are (the same pixels as colouring the grey levels on each draw).
_THUMBNAIL_CMAP = matplotlib.colormaps["gray_r"]
_BLANK_THUMBNAIL = _THUMBNAIL_CMAP(np.zeros((28, 28)), bytes=True)


def plot_misclassifications(
    predictions: Predictions, true_class: str, predicted_class: str
) -> Figure:
    """The images of ``true_class`` that the model calls ``predicted_class`` (the most confident
    first, up to six), each titled "p(predicted) / p(true)", and the full distribution the model gives
    the first of them.
    """
    fig, grid = _new_grid(2, EXPLORER_EXAMPLES, 9.0, 4.6, height_ratios=[1.0, 1.1])
    for slot in range(EXPLORER_EXAMPLES):
        ax = fig.add_subplot(grid[0, slot])
        ax.imshow(
            np.zeros((28, 28)), cmap="gray_r", vmin=0.0, vmax=1.0, gid=f"thumb-{slot}"
        )
        ax.set_axis_off()
        # the titles and the status change on every frame: drawn from cached glyph images
        as_glyph_text(ax.set_title(" ", fontsize=10, gid=f"thumb-title-{slot}"))
    bars_ax = fig.add_subplot(grid[1, :])
    bars = bars_ax.bar(range(NUM_CLASSES), np.zeros(NUM_CLASSES), color=PALETTE[4])
    for k, bar in enumerate(bars):
        bar.set_gid(f"prob-bar-{k}")
    bars_ax.set_xticks(
        range(NUM_CLASSES),
        [gettext(name) for name in CLASS_NAMES],
        rotation=20,
        fontsize=10,
    )
    bars_ax.set(ylim=(0, 1), ylabel=gettext("model's probability"))
    bars_ax.text(
        0.99,
        0.95,
        gettext(
            "probabilities of the first image (green: true class, vermillion: predicted)"
        ),
        transform=bars_ax.transAxes,
        ha="right",
        va="top",
        fontsize=11,
    )
    as_glyph_text(fig.suptitle(" \n ", fontsize=12, gid="explorer-status"))
    update_misclassifications(fig, predictions, true_class, predicted_class)
    return fig


def update_misclassifications(
    fig: Figure, predictions: Predictions, true_class: str, predicted_class: str
) -> None:
    """Move the explorer's images, titles and bars to another (true, predicted) cell."""
    t = _class_id("true_class", true_class)
    k = _class_id("predicted_class", predicted_class)
    members = predictions.cell(t, k)
    for slot in range(EXPLORER_EXAMPLES):
        image, title = artist(fig, f"thumb-{slot}"), artist(fig, f"thumb-title-{slot}")
        if slot < members.size:
            index = members[slot]
            pixels = np.asarray(predictions.images[index]).reshape(
                28, 28
            )  # any accepted shape
            image.set_data(_THUMBNAIL_CMAP(pixels, bytes=True))
            p = predictions.probs[index]
            title.set_text(f"{p[k]:.2f} / {p[t]:.2f}")
        else:
            image.set_data(_BLANK_THUMBNAIL)
            title.set_text(" ")
    shown = predictions.probs[members[0]] if members.size else np.zeros(NUM_CLASSES)
    for j in range(NUM_CLASSES):
        bar = artist(fig, f"prob-bar-{j}")
        colour = PALETTE[2] if j == t else PALETTE[3] if j == k else PALETTE[4]
        if bar.get_height() != float(shown[j]):  # an unchanged bar is not drawn again
            bar.set_height(float(shown[j]))
        rgba = matplotlib.colors.to_rgba(colour)
        if bar.get_facecolor() != rgba or bar.get_edgecolor() != rgba:
            bar.set_color(colour)  # face and edge: a bar of height 0 is a line
    true_name, predicted_name = gettext(CLASS_NAMES[t]), gettext(CLASS_NAMES[k])
    headline = (
        gettext("{count} images of {true} correctly classified")
        if t == k
        else gettext("{count} images of {true} predicted as {predicted}")
    ).format(count=members.size, true=true_name, predicted=predicted_name)
    status = (
        gettext(
            "{headline} (the {shown} most confident)\nabove each: p(predicted) / p(true)"
        )
        if members.size
        else gettext("{headline}\nno image in this cell")
    )
    artist(fig, "explorer-status").set_text(
        status.format(headline=headline, shown=min(members.size, EXPLORER_EXAMPLES))
    )


def _dropdown(description: str, value: str) -> widgets.Dropdown:
    """A class picker: shows the names in the helpers' language, its values stay English."""
    return widgets.Dropdown(
        options=[(gettext(name), name) for name in CLASS_NAMES],
        value=value,
        description=gettext(description),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="260px"),
    )


@register_widget
def misclassification_widget(
    predictions: Predictions | None = None,
    true_class: str = "Shirt",
    predicted_class: str = "T-shirt/top",
) -> LivePlot:
    """Pick a true class and a predicted class: the images in that cell of the confusion matrix and the
    model's probabilities. Without arguments it shows a nearest-centroid classifier's mistakes.

    Taught in: 08 §8.
    """
    shown = predictions if predictions is not None else demo_predictions()
    return LivePlot(
        lambda true_class, predicted_class: plot_misclassifications(
            shown, true_class, predicted_class
        ),
        lambda fig, true_class, predicted_class: update_misclassifications(
            fig, shown, true_class, predicted_class
        ),
        {
            "true_class": _dropdown(N_("true class"), true_class),
            "predicted_class": _dropdown(N_("predicted as"), predicted_class),
        },
        title=N_(
            "images of one true class predicted as another, with the model's probabilities"
        ),
    )


# ----------------------------------------------------------------------------- widget: confusion matrices


def plot_confusion_view(
    matrices: Mapping[str, Any], loss: str, rare: Sequence[int] = RARE_CLASSES
) -> Figure:
    """One confusion matrix for the run named ``loss``: colours are the share of each true class (rows),
    the diagonal shows each class's recall in %, the title balanced accuracy and the recall of the
    ``rare`` classes. Only those artists move, so switching runs is fast.
    """
    if loss not in matrices:
        raise ValueError(f"loss must be one of {list(matrices)}, got {loss!r}.")
    fig, (ax,) = new_figure(1, width=6.0, height=5.6)
    first = np.asarray(matrices[loss])
    _draw_confusion(ax, first, "", rare, annotate=False)
    ax.images[0].set_gid("confusion-image")
    for k in range(NUM_CLASSES):
        ax.text(k, k, "", ha="center", va="center", fontsize=9, gid=f"recall-{k}")
    ax.set_title(" \n ", fontsize=12, gid="confusion-title")
    update_confusion_view(fig, matrices, loss, rare)
    return fig


def update_confusion_view(
    fig: Figure,
    matrices: Mapping[str, Any],
    loss: str,
    rare: Sequence[int] = RARE_CLASSES,
) -> None:
    """Show the confusion matrix of another run (image data, the diagonal's recalls, the title)."""
    if loss not in matrices:
        raise ValueError(f"loss must be one of {list(matrices)}, got {loss!r}.")
    counts = np.asarray(matrices[loss])
    shares = _row_shares(counts)
    artist(fig, "confusion-image").set_data(shares)
    recall = per_class_recall(counts)
    for k in range(NUM_CLASSES):
        text = artist(fig, f"recall-{k}")
        text.set_text(f"{100 * recall[k]:.0f}")
        text.set_color("white" if shares[k, k] > 0.55 else "black")
    rare_text = gettext(", ").join(
        gettext("{name} {recall:.2f}").format(
            name=gettext(CLASS_NAMES[k]).split("/")[0], recall=recall[k]
        )
        for k in rare
    )
    artist(fig, "confusion-title").set_text(
        gettext("{loss}: balanced accuracy {accuracy:.3f}\nrecall {recalls}").format(
            loss=loss, accuracy=balanced_accuracy(counts), recalls=rare_text
        )
    )


def demo_confusion_matrices() -> dict[str, np.ndarray]:
    """Two confusion matrices without training (nearest centroid, and the same with the rare classes'
    scores lowered), for the benchmark and tests."""
    demo = demo_predictions()
    shifted = demo.probs.copy()
    shifted[:, list(RARE_CLASSES)] *= 0.2
    return {
        gettext("nearest centroid"): confusion_matrix(
            demo.y_true, demo.probs.argmax(axis=1)
        ),
        gettext("rare classes down-weighted"): confusion_matrix(
            demo.y_true, shifted.argmax(axis=1)
        ),
    }


@register_widget
def confusion_matrix_widget(
    matrices: Mapping[str, Any] | None = None, loss: str | None = None
) -> LivePlot:
    """Switch the confusion matrix between the ways of training of §5 (or, without arguments, two demo matrices).

    Taught in: 08 §8.
    """
    shown = dict(matrices) if matrices is not None else demo_confusion_matrices()
    if not shown:
        raise ValueError("matrices must hold at least one confusion matrix.")
    choice = widgets.Dropdown(
        options=list(shown),
        value=loss if loss is not None else next(iter(shown)),
        description=gettext("loss"),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="320px"),
    )
    return LivePlot(
        lambda loss: plot_confusion_view(shown, loss),
        lambda fig, loss: update_confusion_view(fig, shown, loss),
        {"loss": choice},
        title=N_("confusion matrix of the run trained with the chosen loss"),
    )
