"""Exercises of notebook 08 (lab: image classification on Fashion-MNIST), in the notebook's order.

08.1 predict which loss helps the rare classes most; 08.2 compute an ECE from a table;
08.3 pick the loss and label format for a described task; 08.4 a label-smoothing target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register

# ----------------------------------------------------------------------------- 08.1

#: The four ways §4 trains on the imbalanced set, as the learner names them.
IMBALANCE_OPTIONS: tuple[str, ...] = (
    "plain",
    "class_weight",
    "focal",
    "confusion_aware",
)


def _option_index(answer: Any, options: tuple[str, ...]) -> int:
    """The position of a named option (case and surrounding spaces ignored); unknown names raise."""
    if not isinstance(answer, str):
        raise TypeError(
            f"the answer must be one of the strings {list(options)}, got {type(answer).__name__}."
        )
    name = answer.strip().lower().replace("-", "_").replace(" ", "_")
    if name not in options:
        raise ValueError(f"the answer must be one of {list(options)}, got {answer!r}.")
    return options.index(name)


register(
    Exercise(
        key="08.1",
        title="which loss lifts the rare classes' recall most",
        solution="class_weight",
        hint=(
            "Ask which of the four is told how rare each class is. Three classes keep 5 % of their "
            "images; a loss that does not know that has no reason to favour them."
        ),
        evaluate=lambda answer: _option_index(answer, IMBALANCE_OPTIONS),
        mistakes=(
            Mistake(
                "plain cross-entropy",
                near(0),
                "Plain cross-entropy sees the rare classes 20 times less often than the others, so their "
                "mistakes weigh 20 times less in the cost: it is the baseline the others try to beat.",
                "plain",
            ),
            Mistake(
                "focal loss",
                near(2),
                "Focal loss down-weights easy examples, whatever their class; with one α for all classes "
                "it does not know which classes are rare, so it gives them only a little extra weight.",
                "focal",
            ),
            Mistake(
                "confusion-aware",
                near(3),
                "The confusion-aware loss pushes harder against the rivals a class is confused with, but "
                "it learns those confusions from batches where the rare classes hardly appear, and it "
                "does not reweight their samples.",
                "confusion_aware",
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 08.2

#: The reliability table of exercise 08.2: per bin, sample count, mean confidence, accuracy.
ECE_TABLE_COUNTS = (10, 30, 60, 100)
ECE_TABLE_CONFIDENCE = (0.45, 0.65, 0.85, 0.97)
ECE_TABLE_ACCURACY = (0.50, 0.60, 0.75, 0.95)


def _ece_reference() -> float:
    counts = np.array(ECE_TABLE_COUNTS, dtype=float)
    gaps = np.abs(np.array(ECE_TABLE_ACCURACY) - np.array(ECE_TABLE_CONFIDENCE))
    return float(np.sum(counts * gaps) / counts.sum())


def _ece_unweighted() -> float:
    return float(
        np.mean(np.abs(np.array(ECE_TABLE_ACCURACY) - np.array(ECE_TABLE_CONFIDENCE)))
    )


def _ece_signed() -> float:
    counts = np.array(ECE_TABLE_COUNTS, dtype=float)
    gaps = np.array(ECE_TABLE_ACCURACY) - np.array(ECE_TABLE_CONFIDENCE)
    return float(np.sum(counts * gaps) / counts.sum())


def _ece_max() -> float:
    return float(
        np.max(np.abs(np.array(ECE_TABLE_ACCURACY) - np.array(ECE_TABLE_CONFIDENCE)))
    )


register(
    Exercise(
        key="08.2",
        title="expected calibration error from a table",
        solution=_ece_reference(),
        hint=(
            "ECE = Σ_b (m_b / m) · |acc_b − conf_b|: the gap of each bin, weighted by the share of the "
            "samples that fall in it."
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "unweighted mean of the gaps",
                _ece_unweighted(),
                "That is the plain mean of the four gaps; a bin with 10 samples must count less than one "
                "with 100. Weight each gap by m_b / m.",
                rtol=1e-3,
            ),
            Mistake.near(
                "signed gaps",
                _ece_signed(),
                "The gaps were added with their signs, so over- and under-confident bins cancel. ECE uses "
                "|acc_b − conf_b|.",
                rtol=1e-3,
            ),
            Mistake.near(
                "largest gap",
                _ece_max(),
                "That is the largest single gap (the maximum calibration error); ECE is the weighted mean.",
                rtol=1e-3,
            ),
        ),
        rtol=1e-3,
    )
)

# ----------------------------------------------------------------------------- 08.3

#: The choices of exercise 08.3.
LOSS_FORMAT_OPTIONS: dict[str, str] = {
    "A": "SparseCategoricalCrossentropy(from_logits=True), integer labels",
    "B": "CategoricalCrossentropy(), one-hot labels, softmax last layer",
    "C": "BinaryCrossentropy(from_logits=True), 0/1 label per class",
    "D": "CategoricalCrossentropy(), one-hot labels, sigmoid last layer",
}


def _letter(answer: Any) -> int:
    """Position of the chosen letter, "A" to "D" (either case)."""
    return _option_index(
        answer, tuple(letter.lower() for letter in LOSS_FORMAT_OPTIONS)
    )


register(
    Exercise(
        key="08.3",
        title="the loss and label format for a task",
        solution="A",
        hint=(
            "Three questions: one class per image or several? Labels as class ids or as vectors? Does "
            "the last layer end in an activation?"
        ),
        evaluate=_letter,
        mistakes=(
            Mistake(
                "one-hot loss on integer labels",
                near(1),
                "CategoricalCrossentropy wants one-hot rows of length 10, and it reads the outputs as "
                "probabilities; here the labels are class ids and the last layer has no activation.",
                "B",
            ),
            Mistake(
                "multi-label loss",
                near(2),
                "BinaryCrossentropy treats the 10 classes as 10 independent yes/no questions (multi-label). "
                "Each photo has exactly one category, so the classes compete: softmax cross-entropy.",
                "C",
            ),
            Mistake(
                "the article's sigmoid classifier",
                near(3),
                "That is the article's mistake (erratum 10, §5): ten sigmoids are not a distribution. "
                "On TensorFlow Keras quietly trains a softmax on the logits behind them, but predict "
                "returns sigmoids that do not sum to 1; on JAX or PyTorch the loss divides them by "
                "their sum. The labels here are also class ids, not one-hot rows.",
                "D",
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 08.4


register(
    Exercise(
        key="08.4",
        title="the smoothed target of the true class",
        solution=1.0 - 0.1 + 0.1 / 10,
        hint="Keras smooths a one-hot target as ỹ = y (1 − s) + s / K, with K the number of classes.",
        evaluate=float,
        mistakes=(
            Mistake.near(
                "spread over the other classes only",
                0.9,
                "0.9 = 1 − s is what the true class keeps if the mass s is spread over the other nine "
                "classes only (or if its own share is forgotten). Keras spreads s over all K classes, "
                "the true one included, so the true class also gets s / K back.",
            ),
            Mistake.near(
                "the target of a wrong class",
                0.01,
                "0.01 = s / K is the target of each *wrong* class; the question asks for the true class.",
            ),
            Mistake.near(
                "subtracted s / K instead of scaling",
                0.99,
                "0.99 = 1 − s / K removes only one share s / K from the true class; Keras scales the "
                "one-hot target by (1 − s) first, then adds s / K to every class.",
            ),
        ),
    )
)
