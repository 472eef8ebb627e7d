"""Exercises of notebook 08 (lab: image classification on Fashion-MNIST), in the notebook's order.

08.1 predict which loss helps the rare classes most; 08.2 compute an ECE from a table;
08.3 pick the loss and label format for a described task; 08.4 a label-smoothing target;
08.5 fit a temperature on validation logits; 08.6 adjust logits for the class priors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_, Message, TextMap
from course_utils.image_classification_lab import (
    TEMPERATURE_BOUNDS,
    adjust_logits,
    fit_temperature,
)

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
        title=N_("which loss lifts the rare classes' recall most"),
        solution="class_weight",
        # The share is a value: "5 % of" in a template would read as a %-format ("% o").
        hint=Message(
            "Ask which of the four is told how rare each class is. Two classes keep {share} of "
            "their images; a loss that does not know that has no reason to favour them.",
            share=N_("5 %"),
        ),
        evaluate=lambda answer: _option_index(answer, IMBALANCE_OPTIONS),
        mistakes=(
            Mistake(
                "plain cross-entropy",
                near(0),
                N_(
                    "Plain cross-entropy sees the rare classes 20 times less often than the others, so their "
                    "mistakes weigh 20 times less in the cost: it is the baseline the others try to beat."
                ),
                "plain",
            ),
            Mistake(
                "focal loss",
                near(2),
                N_(
                    "Focal loss down-weights easy examples, whatever their class; with one α for all classes "
                    "it does not know which classes are rare, so it gives them only a little extra weight."
                ),
                "focal",
            ),
            Mistake(
                "confusion-aware",
                near(3),
                N_(
                    "The confusion-aware loss pushes harder against the rivals a class is confused with, but "
                    "it learns those confusions from batches where the rare classes hardly appear, and it "
                    "does not reweight their samples."
                ),
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
        title=N_("expected calibration error from a table"),
        solution=_ece_reference(),
        hint=(
            N_(
                "ECE = Σ_b (m_b / m) · |acc_b − conf_b|: the gap of each bin, weighted by the share of the "
                "samples that fall in it."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "unweighted mean of the gaps",
                _ece_unweighted(),
                N_(
                    "That is the plain mean of the four gaps; a bin with 10 samples must count less than one "
                    "with 100. Weight each gap by m_b / m."
                ),
                rtol=1e-3,
            ),
            Mistake.near(
                "signed gaps",
                _ece_signed(),
                N_(
                    "The gaps were added with their signs, so over- and under-confident bins cancel. ECE uses "
                    "|acc_b − conf_b|."
                ),
                rtol=1e-3,
            ),
            Mistake.near(
                "largest gap",
                _ece_max(),
                N_(
                    "That is the largest single gap (the maximum calibration error); ECE is the weighted mean."
                ),
                rtol=1e-3,
            ),
        ),
        rtol=1e-3,
    )
)

# ----------------------------------------------------------------------------- 08.3

#: The choices of exercise 08.3.
LOSS_FORMAT_OPTIONS: Mapping[str, str] = TextMap(
    {
        "A": N_("SparseCategoricalCrossentropy(from_logits=True), integer labels"),
        "B": N_("CategoricalCrossentropy(), one-hot labels, softmax last layer"),
        "C": N_("BinaryCrossentropy(from_logits=True), 0/1 label per class"),
        "D": N_("CategoricalCrossentropy(), one-hot labels, sigmoid last layer"),
    }
)


def _letter(answer: Any) -> int:
    """Position of the chosen letter, "A" to "D" (either case)."""
    return _option_index(
        answer, tuple(letter.lower() for letter in LOSS_FORMAT_OPTIONS)
    )


register(
    Exercise(
        key="08.3",
        title=N_("the loss and label format for a task"),
        solution="A",
        hint=(
            N_(
                "Three questions: one class per image or several? Labels as class ids or as vectors? Does "
                "the last layer end in an activation?"
            )
        ),
        evaluate=_letter,
        mistakes=(
            Mistake(
                "one-hot loss on integer labels",
                near(1),
                N_(
                    "CategoricalCrossentropy wants one-hot rows of length 10, and it reads the outputs as "
                    "probabilities; here the labels are class ids and the last layer has no activation."
                ),
                "B",
            ),
            Mistake(
                "multi-label loss",
                near(2),
                N_(
                    "BinaryCrossentropy treats the 10 classes as 10 independent yes/no questions (multi-label). "
                    "Each photo has exactly one category, so the classes compete: softmax cross-entropy."
                ),
                "C",
            ),
            Mistake(
                "the article's sigmoid classifier",
                near(3),
                N_(
                    "That is the article's mistake (erratum 10, §5): ten sigmoids are not a distribution. "
                    "On TensorFlow Keras quietly trains a softmax on the logits behind them, but predict "
                    "returns sigmoids that do not sum to 1; on JAX or PyTorch the loss divides them by "
                    "their sum. The labels here are also class ids, not one-hot rows."
                ),
                "D",
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 08.4


register(
    Exercise(
        key="08.4",
        title=N_("the smoothed target of the true class"),
        solution=1.0 - 0.1 + 0.1 / 10,
        hint=N_(
            "Keras smooths a one-hot target as ỹ = y (1 − s) + s / K, with K the number of classes."
        ),
        evaluate=float,
        mistakes=(
            Mistake.near(
                "spread over the other classes only",
                0.9,
                N_(
                    "0.9 = 1 − s is what the true class keeps if the mass s is spread over the other nine "
                    "classes only (or if its own share is forgotten). Keras spreads s over all K classes, "
                    "the true one included, so the true class also gets s / K back."
                ),
            ),
            Mistake.near(
                "the target of a wrong class",
                0.01,
                N_(
                    "0.01 = s / K is the target of each *wrong* class; the question asks for the true class."
                ),
            ),
            Mistake.near(
                "subtracted s / K instead of scaling",
                0.99,
                N_(
                    "0.99 = 1 − s / K removes only one share s / K from the true class; Keras scales the "
                    "one-hot target by (1 − s) first, then adds s / K to every class."
                ),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 08.5 temperature

#: Exercise 08.5: a model's logits for eight validation images (three classes), and their labels.
TEMPERATURE_LOGITS = np.array(
    [
        [4.0, 0.0, -1.0],
        [3.0, 1.0, 0.0],
        [0.0, 5.0, 1.0],
        [1.0, 3.5, 0.0],
        [0.0, 0.0, 3.0],
        [4.0, 1.0, 0.0],
        [1.0, 0.0, 4.0],
        [0.0, 4.0, 0.5],
    ]
)
TEMPERATURE_LABELS = np.array([0, 1, 1, 0, 2, 2, 2, 1])

#: The question asks for 2 decimals.
TEMPERATURE_DECIMALS = 2
_T = fit_temperature(TEMPERATURE_LOGITS, TEMPERATURE_LABELS)
_T_TOLERANCE = tolerance(_T, decimals=TEMPERATURE_DECIMALS)
# Fitted on the model's own predictions: the NLL then only rewards sharper probabilities, and
# the search ends at its lower bound.
_T_OWN_PREDICTIONS = fit_temperature(
    TEMPERATURE_LOGITS, TEMPERATURE_LOGITS.argmax(axis=1)
)
assert 2.1 < _T < 3 and _T_OWN_PREDICTIONS < 0.06  # 1.0 is no cut version of _T


register(
    Exercise(
        key="08.5",
        title=N_("fit a temperature on validation logits"),
        solution=_T,
        hint=(
            N_(
                "Try many temperatures, e.g. T = np.linspace(0.5, 5, 4501); for each, compute the "
                "mean of −ln softmax(z / T)[true class] over the eight images, and keep the T with "
                "the smallest value (or call lab.fit_temperature)."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_T, decimals=TEMPERATURE_DECIMALS),
                N_("Close, but rounded too coarsely: give T to 2 decimals."),
                round(_T, TEMPERATURE_DECIMALS - 1),
            ),
            Mistake(
                "multiplied instead of divided",
                near(1.0 / _T, rtol=0.0, atol=_T_TOLERANCE),
                N_(
                    "That is 1 / T: you multiplied the logits by T. Temperature scaling divides, "
                    "softmax(z / T), so T > 1 softens an over-confident model."
                ),
                1.0 / _T,
            ),
            Mistake(
                "no fit",
                near(1.0, rtol=0.0, atol=_T_TOLERANCE),
                N_(
                    "T = 1 leaves the model as it is. Here the model is over-confident on the images "
                    "it gets wrong (rows 4 and 6): the NLL is lower at a larger T."
                ),
                1.0,
            ),
            Mistake(
                "fitted on the model's own predictions",
                near(_T_OWN_PREDICTIONS, rtol=0.0, atol=_T_TOLERANCE),
                Message(
                    "That is the lower bound of the search ({low}): you used the "
                    "predicted classes (argmax) as labels. Against its own predictions a model is "
                    "always right, so the sharpest probabilities win. Use the true labels.",
                    low=TEMPERATURE_BOUNDS[0],
                ),
                _T_OWN_PREDICTIONS,
            ),
        ),
        rtol=0.0,
        atol=_T_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 08.6 logit adjustment

#: Exercise 08.6: one image's logits for three classes, and the classes' shares in training.
ADJUST_LOGITS = np.array([2.0, 1.5, 0.2])
ADJUST_PRIORS = np.array([0.70, 0.25, 0.05])

#: The question asks for 2 decimals.
ADJUST_DECIMALS = 2
_ADJUSTED = adjust_logits(ADJUST_LOGITS[None], ADJUST_PRIORS, tau=1.0)[0]
_ADJUST_TOLERANCE = tolerance(_ADJUSTED, decimals=ADJUST_DECIMALS)
_ADDED = ADJUST_LOGITS + np.log(ADJUST_PRIORS)
_MINUS_PRIOR = ADJUST_LOGITS - ADJUST_PRIORS
_LOG10 = ADJUST_LOGITS - np.log10(ADJUST_PRIORS)
_DIVIDED = ADJUST_LOGITS / ADJUST_PRIORS


register(
    Exercise(
        key="08.6",
        title=N_("adjust the logits for the class priors"),
        solution=_ADJUSTED,
        hint=(
            N_(
                "Post-hoc logit adjustment subtracts τ times the natural log of each class's "
                "training share: z̃_k = z_k − τ ln π_k, here with τ = 1 (np.log is ln)."
            )
        ),
        evaluate=lambda answer: np.asarray(answer, dtype=float),
        mistakes=(
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_ADJUSTED, decimals=ADJUST_DECIMALS),
                N_(
                    "Close, but rounded too coarsely: give each of the three numbers to 2 decimals."
                ),
                np.round(_ADJUSTED, ADJUST_DECIMALS - 1),
            ),
            Mistake(
                "added the log prior",
                near(_ADDED, rtol=0.0, atol=_ADJUST_TOLERANCE),
                N_(
                    "You added ln π_k. That favours the frequent classes even more; the adjustment "
                    "subtracts it, so a rare class (small π_k, very negative ln π_k) gains."
                ),
                _ADDED,
            ),
            Mistake(
                "subtracted the prior itself",
                near(_MINUS_PRIOR, rtol=0.0, atol=_ADJUST_TOLERANCE),
                N_(
                    "You subtracted π_k; logits live on a log scale, so subtract ln π_k."
                ),
                _MINUS_PRIOR,
            ),
            Mistake(
                "base-10 logarithm",
                near(_LOG10, rtol=0.0, atol=_ADJUST_TOLERANCE),
                N_(
                    "You used log10; the logits are natural-log odds (softmax uses e), so use ln: "
                    "np.log, not np.log10."
                ),
                _LOG10,
            ),
            Mistake(
                "divided by the prior",
                near(_DIVIDED, rtol=0.0, atol=_ADJUST_TOLERANCE),
                N_(
                    "You divided the logits by π_k. Dividing the probabilities by π_k is the idea; "
                    "on logits (logarithms) that division becomes a subtraction of ln π_k."
                ),
                _DIVIDED,
            ),
        ),
        rtol=0.0,
        atol=_ADJUST_TOLERANCE,
    )
)
