"""Lab 08 measured the careful way (``make bench``): a seeded model × recipe ablation, an imbalance
check over training budgets, and calibration before and after temperature scaling.

Every run uses the split the lab uses: the 10,000 bundled Fashion-MNIST training images are split
(stratified, seed 0, ``image_classification_lab.split_validation``) into 8,000 for training and
2,000 for validation; every choice is made on validation; each trained model is scored once on the
2,000 test images, at the end (``evaluate_on_test``). Training is seeded and op-deterministic; the
seeds (``--seeds``) change the initial weights and the shuffles, never the data split. Results are
mean ± sd (sample sd, ddof = 1) over the seeds.

Sections (``--sections``, all by default):

``ablation``
    The 2 × 2: model (TensorFlow's tutorial model Flatten → Dense(128) → Dense(10), the lab CNN)
    × recipe (the tutorial's 10 epochs, batch 32, constant η = 1e-3; the lab's 8 epochs, batch 128,
    η = 3e-3 with cosine decay). The four runs of a seed are trained one after the other in one
    process, so machine load hits them alike; CPU seconds are the process CPU time of ``fit``.
    Goal (issues 12 and 19): the lab CNN with its recipe beats the tutorial model with its recipe
    by at least 3 points of test accuracy (mean over seeds) at no more than twice its CPU time.
    The table splits the gain into the convolution's part and the recipe's part.
``imbalance``
    The lab's rare classes (``RARE_CLASSES`` keep ``RARE_FRACTION`` of their training images): plain
    cross-entropy, class weights, oversampling (every class drawn equally often, with
    replacement, an epoch as long as plain CE's), a prior-initialised output bias, and post-hoc logit
    adjustment (τ = 1, applied to the plain model's logits: no retraining), at the lab's short
    budget and at 4× and 16× its epochs. Per-class recall of the rare classes on the test images.
    Byrd & Lipton (2019): importance weighting's effect fades as training runs towards fitting
    the training set; logit adjustment (Menon et al. 2021) acts after training.
``calibration``
    The lab CNN with its recipe at its own budget and at 4× its epochs: test ECE before and after
    temperature scaling (Guo et al. 2017), the temperature fitted on the validation logits.

Each section writes its own block of ``docs/image_classification_benchmark.md`` (its numbers are
kept in the block, so running one section leaves the other blocks and redraws the figure from
all of them)::

    python benchmarks/bench_image_classification.py [--seeds 0 1 2] [--sections ablation imbalance calibration]

By default the ablation uses seeds 0-4 and the other sections 0-2 (``--seeds`` sets them all).
``--strict`` exits with status 1 when the 2 × 2's goal is missed; ``--output`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

from course_utils import image_classification_lab as lab  # noqa: E402
from course_utils.plotting import PALETTE, apply_course_style, new_figure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "image_classification_benchmark.md"
SECTIONS = ("ablation", "imbalance", "calibration")
#: Seeds of each section when ``--seeds`` is not given: five for the 2 × 2, whose goal is a
#: threshold on a mean (its standard error shrinks with more seeds), three for the longer checks.
DEFAULT_SEEDS: dict[str, tuple[int, ...]] = {
    "ablation": (0, 1, 2, 3, 4),
    "imbalance": (0, 1, 2),
    "calibration": (0, 1, 2),
}

#: The goal of the 2 × 2 (issue 19): at least this many points of test accuracy ...
GOAL_POINTS = 3.0
#: ... at no more than this multiple of the tutorial model's CPU time.
GOAL_CPU_RATIO = 2.0

MODELS = ("tutorial", "lab")
RECIPE_NAMES = ("tutorial", "lab")
MODEL_LABELS = {
    "tutorial": "tutorial model (Flatten → Dense(128) → Dense(10))",
    "lab": "lab CNN (Conv(32, 5×5, /2) → MaxPool → Dense(128) → Dense(10))",
}
#: The order in which a seed's four runs are trained: the two runs the goal compares first.
CELLS: tuple[tuple[str, str], ...] = (
    ("tutorial", "tutorial"),
    ("lab", "lab"),
    ("tutorial", "lab"),
    ("lab", "tutorial"),
)

#: Epochs of the imbalance check, as multiples of the lab's short budget (COMPARISON_EPOCHS).
IMBALANCE_MULTIPLES = (1, 4, 16)
IMBALANCE_METHODS = (
    "plain CE",
    "class weights",
    "oversampling",
    "prior bias",
    "logit adjustment",
)
#: Multiples of the lab recipe's epochs in the calibration check.
CALIBRATION_MULTIPLES = (1, 4)
#: TensorFlow's "basic classification" tutorial reports about this test accuracy for its model
#: trained on all 60,000 Fashion-MNIST training images (its 10,000 test images).
FULL_DATA_REFERENCE = 88


# ----------------------------------------------------------------------------- pure helpers


def cell_name(model: str, recipe: str) -> str:
    """Key of one cell of the 2 × 2: ``"<model>/<recipe>"``, e.g. ``"lab/tutorial"``."""
    if model not in MODELS or recipe not in RECIPE_NAMES:
        raise ValueError(
            f"model and recipe must be in {MODELS}, got model={model!r}, recipe={recipe!r}."
        )
    return f"{model}/{recipe}"


def steps_of(recipe: lab.Recipe, images: int, epochs: int | None = None) -> int:
    r"""Optimiser steps of a run: :math:`E \lceil m / B \rceil` (E epochs, m images, batch B)."""
    if images < 1:
        raise ValueError(f"images must be at least 1, got {images}.")
    chosen = recipe.epochs if epochs is None else epochs
    return chosen * -(-images // recipe.batch_size)


def ablation_effects(test: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    r"""Per seed, how the gain of the 2 × 2 splits into the convolution's part and the recipe's.

    With test accuracies :math:`a_{mr}` (model m, recipe r; t = tutorial, l = lab), per seed:

    .. math::
        \text{conv} = \tfrac12\big[(a_{lt} - a_{tt}) + (a_{ll} - a_{tl})\big],\quad
        \text{recipe} = \tfrac12\big[(a_{tl} - a_{tt}) + (a_{ll} - a_{lt})\big],\quad
        \text{interaction} = \tfrac12\big[(a_{ll} - a_{tl}) - (a_{lt} - a_{tt})\big]

    and the total :math:`a_{ll} - a_{tt}` = conv + recipe exactly. Also returned: each simple
    effect ("conv, tutorial recipe" = :math:`a_{lt} - a_{tt}`, ...). ``test`` maps
    :func:`cell_name` keys to one accuracy per seed, in the same seed order.
    """
    needed = [cell_name(m, r) for m, r in CELLS]
    missing = [key for key in needed if key not in test]
    if missing:
        raise ValueError(f"test must hold all four cells, missing {missing}.")
    tt, ll, tl, lt = (np.asarray(test[key], dtype=np.float64) for key in needed)
    if not tt.shape == ll.shape == tl.shape == lt.shape or tt.ndim != 1 or tt.size == 0:
        raise ValueError(
            "test must hold one accuracy per seed for every cell, the same seeds in each."
        )
    return {
        "conv, tutorial recipe": lt - tt,
        "conv, lab recipe": ll - tl,
        "recipe, tutorial model": tl - tt,
        "recipe, lab CNN": ll - lt,
        "convolution (mean of both recipes)": ((lt - tt) + (ll - tl)) / 2,
        "recipe (mean of both models)": ((tl - tt) + (ll - lt)) / 2,
        "interaction": ((ll - tl) - (lt - tt)) / 2,
        "total (lab CNN, lab recipe − tutorial, tutorial)": ll - tt,
    }


def standard_error(values: Any) -> float:
    r"""Standard error of a mean over seeds, :math:`\mathrm{sd} / \sqrt{n}` (0 for one value)."""
    mean_value, sd = lab.mean_sd(values)
    return sd / float(np.sqrt(len(np.asarray(values))))


#: Two-sided 95 % quantiles of Student's t by degrees of freedom (n − 1 seeds); 1.96 beyond 30.
T_975 = {
    1: 12.71,
    2: 4.30,
    3: 3.18,
    4: 2.78,
    5: 2.57,
    6: 2.45,
    7: 2.36,
    8: 2.31,
    9: 2.26,
}


def t_quantile(seeds: int) -> float:
    """The 97.5 % quantile of Student's t with ``seeds`` − 1 degrees of freedom (table above;
    2.23 for 10 seeds and more, 1.96 from 31)."""
    if seeds < 2:
        raise ValueError(
            f"seeds must be at least 2 for a confidence interval, got {seeds}."
        )
    return T_975.get(seeds - 1, 2.23 if seeds <= 31 else 1.96)


def within_noise(values: Any) -> bool:
    r"""True when the 95 % confidence interval of the mean of per-seed values contains 0:
    :math:`|\bar v| \le t_{0.975,\,n-1}\,\mathrm{sd}/\sqrt{n}` (Student's t; n seeds)."""
    array = np.asarray(values, dtype=np.float64)
    mean_value, _ = lab.mean_sd(array)
    return bool(abs(mean_value) <= t_quantile(array.size) * standard_error(array))


def goal_met(points: float, cpu_ratio: float) -> bool:
    """The 2 × 2's goal: at least :data:`GOAL_POINTS` more test accuracy at no more than
    :data:`GOAL_CPU_RATIO` times the CPU time."""
    return bool(points >= GOAL_POINTS and cpu_ratio <= GOAL_CPU_RATIO)


def cpu_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Ratio of total CPU seconds, ``sum(numerator) / sum(denominator)`` (runs measured in pairs)."""
    top, bottom = float(np.sum(numerator)), float(np.sum(denominator))
    if bottom <= 0:
        raise ValueError("denominator must hold positive CPU seconds.")
    return top / bottom


def chosen_on_validation(validation: Mapping[str, Sequence[float]], model: str) -> str:
    """The recipe whose mean validation accuracy is higher for ``model`` (ties: the model's own)."""
    own = "lab" if model == "lab" else "tutorial"
    other = "tutorial" if own == "lab" else "lab"
    own_mean = float(np.mean(validation[cell_name(model, own)]))
    other_mean = float(np.mean(validation[cell_name(model, other)]))
    return other if other_mean > own_mean else own


def rare_mean(recall: Any, rare: Sequence[int]) -> float:
    """Mean recall over the ``rare`` classes (each of the K recalls of one run)."""
    values = np.asarray(recall, dtype=np.float64)
    if values.ndim != 1 or not rare or max(rare) >= values.size:
        raise ValueError(
            f"recall must hold one value per class and rare class ids below {values.size}."
        )
    return float(values[list(rare)].mean())


def trend(short: Sequence[float], long: Sequence[float]) -> str:
    """How a per-seed gain moves from the short to the long budget, in words.

    "shrinks" or "grows" when the paired change (long − short, per seed) is beyond the noise
    (:func:`within_noise`) and larger than 1 point; "stays about the same" otherwise.
    """
    change = np.asarray(long, dtype=np.float64) - np.asarray(short, dtype=np.float64)
    if change.ndim != 1 or change.size < 2:
        raise ValueError(
            "short and long must hold one value per seed (at least two), the same seeds."
        )
    mean = float(change.mean())
    if within_noise(change) or abs(mean) <= 0.01:
        return "stays about the same"
    return "grows" if mean > 0 else "shrinks"


def points(values: Any) -> str:
    """Shares as points, mean ± sd over seeds: ``"83.4 ± 0.5"``."""
    return lab.format_mean_sd(values, scale=100.0, digits=1)


def plain(values: Any, digits: int = 2) -> str:
    """Numbers as they are, mean ± sd over seeds."""
    return lab.format_mean_sd(values, scale=1.0, digits=digits)


def signed_points(values: Any) -> str:
    """A difference of shares in points with its sign, mean ± sd: ``"+4.1 ± 0.6"``."""
    mean, sd = lab.mean_sd(values)
    return f"{100 * mean:+.1f} ± {100 * sd:.1f}"


_BLOCK = re.compile(
    r"<!-- bench:(?P<name>\w+) -->\n(?P<body>.*?)<!-- /bench:(?P=name) -->\n", re.S
)
_DATA = re.compile(r"^<!-- data (?P<json>\{.*\}) -->$", re.M)


def block(name: str, markdown: str, data: Mapping[str, Any]) -> str:
    """One section's block of the document: its markdown and, hidden, its numbers as JSON."""
    if name not in SECTIONS:
        raise ValueError(f"name must be one of {SECTIONS}, got {name!r}.")
    numbers = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return (
        f"<!-- bench:{name} -->\n{markdown.rstrip()}\n\n<!-- data {numbers} -->\n"
        f"<!-- /bench:{name} -->\n"
    )


def blocks_of(text: str) -> dict[str, str]:
    """The section blocks of a document written by :func:`document`, by name."""
    return {match["name"]: match.group(0) for match in _BLOCK.finditer(text)}


def data_of(block_text: str) -> dict[str, Any]:
    """The numbers a block keeps (see :func:`block`)."""
    match = _DATA.search(block_text)
    if match is None:
        raise ValueError("block_text holds no '<!-- data {...} -->' line.")
    result: dict[str, Any] = json.loads(match["json"])
    return result


def document(header: str, new: Mapping[str, str], old_text: str = "") -> str:
    """The whole document: ``header``, then each section's block in :data:`SECTIONS` order, taken
    from ``new`` when this run made it and from ``old_text`` (the previous document) otherwise."""
    kept = blocks_of(old_text)
    parts = [header.rstrip() + "\n"]
    for name in SECTIONS:
        if name in new:
            parts.append(new[name])
        elif name in kept:
            parts.append(kept[name])
    return "\n".join(parts)


# ----------------------------------------------------------------------------- 1. the 2 × 2


def run_ablation(data: lab.LabData, seeds: Sequence[int]) -> dict[str, Any]:
    """Train the four cells for every seed (alternately) and score each on validation and test."""
    import keras

    results: dict[str, Any] = {
        "seeds": list(seeds),
        "train_images": int(len(data.x_train)),
        "cells": {
            cell_name(m, r): {"validation": [], "test": [], "cpu": [], "wall": []}
            for m, r in CELLS
        },
    }
    for seed in seeds:
        for model, recipe in CELLS:
            run = lab.train(
                f"{model} model, {recipe} recipe",
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                data,
                model=model,
                recipe=recipe,
                seed=seed,
                validate_every_epoch=False,
            )
            test = lab.evaluate_on_test(run, data)
            cell = results["cells"][cell_name(model, recipe)]
            cell["validation"].append(run.accuracy)
            cell["test"].append(test.accuracy)
            cell["cpu"].append(run.cpu_seconds)
            cell["wall"].append(run.wall_seconds)
            print(
                f"seed {seed} {model:8s} model, {recipe:8s} recipe: validation "
                f"{run.accuracy:.4f}  test {test.accuracy:.4f}  CPU {run.cpu_seconds:5.1f} s",
                flush=True,
            )
    return results


def ablation_summary(results: Mapping[str, Any]) -> dict[str, Any]:
    """Goal numbers of the 2 × 2: gain in points (mean over seeds), CPU ratio, verdict, choices."""
    cells = results["cells"]
    tt, ll = cells["tutorial/tutorial"], cells["lab/lab"]
    gain = 100 * float(np.mean(np.subtract(ll["test"], tt["test"])))
    ratio = cpu_ratio(ll["cpu"], tt["cpu"])
    validation = {key: cell["validation"] for key, cell in cells.items()}
    return {
        "points": gain,
        "cpu_ratio": ratio,
        "per_seed_ratio": [a / b for a, b in zip(ll["cpu"], tt["cpu"], strict=True)],
        "met": goal_met(gain, ratio),
        "chosen": {m: chosen_on_validation(validation, m) for m in MODELS},
    }


def render_ablation(results: Mapping[str, Any]) -> str:
    """Markdown of section 1 (the 2 × 2), from :func:`run_ablation`'s numbers."""
    cells, seeds = results["cells"], results["seeds"]
    images = int(results["train_images"])
    summary = ablation_summary(results)
    base_cpu = cells["tutorial/tutorial"]["cpu"]
    rows = []
    for model, recipe in CELLS:
        key = cell_name(model, recipe)
        cell, chosen = cells[key], lab.RECIPES[recipe]
        schedule = "cosine to 0" if chosen.cosine else "constant"
        rows.append(
            f"| {MODEL_LABELS[model]} | {recipe}: {chosen.epochs} epochs, batch "
            f"{chosen.batch_size}, η = {chosen.learning_rate:g} {schedule} "
            f"({steps_of(chosen, images):,} steps) | {points(cell['validation'])} | "
            f"**{points(cell['test'])}** | {plain(cell['cpu'], 1)} | "
            f"{cpu_ratio(cell['cpu'], base_cpu):.2f}× |"
        )
    effects = ablation_effects({key: cell["test"] for key, cell in cells.items()})
    effect_rows = [
        f"| {name} | {signed_points(v)} | {'no' if within_noise(v) else 'yes'} |"
        for name, v in effects.items()
    ]
    conv_values = effects["convolution (mean of both recipes)"]
    recipe_values = effects["recipe (mean of both models)"]
    conv, recipe_part = (100 * float(np.mean(v)) for v in (conv_values, recipe_values))
    total = effects["total (lab CNN, lab recipe − tutorial, tutorial)"]
    total_se = 100 * standard_error(total)
    margin = summary["points"] - GOAL_POINTS
    tutorial_test = 100 * float(np.mean(cells["tutorial/tutorial"]["test"]))
    verdict = (
        f"**Goal** (issue 19): the lab CNN with its recipe beats the tutorial model with its "
        f"recipe by ≥ {GOAL_POINTS:.0f} points of test accuracy (mean over seeds) at ≤ "
        f"{GOAL_CPU_RATIO:.0f}× its CPU time, in the same run. Measured: "
        f"**{summary['points']:+.1f} points at {summary['cpu_ratio']:.2f}×** the CPU time "
        f"(per seed {plain(summary['per_seed_ratio'])}×): goal "
        f"**{'met' if summary['met'] else 'missed'}**. The mean gain has a standard error of "
        f"{total_se:.1f} points over {len(seeds)} seeds, so it is {abs(margin):.2f} points "
        f"({abs(margin) / total_se if total_se else float('inf'):.1f} standard errors) "
        f"{'above' if margin >= 0 else 'below'} the goal's {GOAL_POINTS:.0f}"
        + (
            f": other seeds could land on either side of {GOAL_POINTS:.0f} (the 95 % interval "
            f"of the mean gain is ± {t_quantile(len(seeds)) * total_se:.1f} points), so the "
            "goal is met by the mean, not beyond the noise."
            if abs(margin) <= t_quantile(len(seeds)) * total_se
            else f", beyond the noise (the 95 % interval of the mean gain is ± "
            f"{t_quantile(len(seeds)) * total_se:.1f} points)."
        )
    )
    ratios = {key: cpu_ratio(cell["cpu"], base_cpu) for key, cell in cells.items()}
    time_text = (
        f"The recipe's part is in the time: the CNN costs {ratios['lab/tutorial']:.2f}× the "
        f"tutorial model's CPU time with the tutorial recipe "
        f"({'over' if ratios['lab/tutorial'] > GOAL_CPU_RATIO else 'within'} the "
        f"{GOAL_CPU_RATIO:.0f}× limit) and {ratios['lab/lab']:.2f}× with the lab recipe; the "
        f"tutorial model itself trains in {ratios['tutorial/lab']:.2f}× its time with the lab "
        "recipe."
    )
    gaps = [
        100 * float(np.mean(np.subtract(cell["validation"], cell["test"])))
        for cell in cells.values()
    ]
    accuracy = float(np.mean([np.mean(cell["test"]) for cell in cells.values()]))
    set_se = 100 * float(np.sqrt(accuracy * (1 - accuracy) / 2000))
    gap_text = (
        f"Validation accuracy minus test accuracy is {min(gaps):+.1f} to {max(gaps):+.1f} "
        "points across the cells. Both sets are drawn by the same rule (the bundled data's "
        "hash order within each class), and every cell is scored on the same two fixed sets of "
        f"2,000 images, whose accuracy has a standard error of about {set_se:.1f} points from "
        f"the choice of images alone ({np.sqrt(2) * set_se:.1f} for the difference of two "
        "sets): a shared offset of this size is the luck of these two sets, it cancels when "
        "cells are compared, and it is why only the test column is the number to report."
    )
    choice_parts = []
    for model in MODELS:
        own = "lab" if model == "lab" else "tutorial"
        other = "tutorial" if own == "lab" else "lab"
        difference = np.subtract(
            cells[cell_name(model, other)]["validation"],
            cells[cell_name(model, own)]["validation"],
        )
        picked = summary["chosen"][model]
        cost = ratios[cell_name(model, picked)]
        over = (
            f", but at {cost:.2f}× the tutorial model's CPU time, over the limit"
            if cost > GOAL_CPU_RATIO
            else ""
        )
        choice_parts.append(
            f"for the {'lab CNN' if model == 'lab' else 'tutorial model'} the {picked} recipe "
            f"(the {other} recipe's validation accuracy minus the {own} recipe's: "
            f"{signed_points(difference)} points, "
            f"{'inside' if within_noise(difference) else 'outside'} the noise{over})"
        )
    return "\n".join(
        [
            "## 1. Model × recipe: the seeded 2 × 2",
            "",
            f"Seeds {', '.join(map(str, seeds))}; each model trained from scratch on the "
            f"{images:,} training images with each recipe (Adam, sparse cross-entropy from logits), "
            "the four runs of a seed one after the other in one process; accuracy in % on the "
            "2,000 validation and, once per trained model, the 2,000 test images; CPU s: process "
            "CPU time of `fit` (2 threads), mean ± sd; ratio: total CPU time over the tutorial "
            "model's with its recipe, measured side by side (the machine is shared: compare "
            "ratios, not seconds).",
            "",
            "| model | recipe | validation acc. | test acc. | CPU s | CPU ratio |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            verdict,
            "",
            "Where the gain comes from: test accuracy differences per seed (the same seed in both "
            "runs), mean ± sd, and whether the 95 % confidence interval of the mean (Student's "
            "t over the seeds) excludes 0. "
            "The two main effects add up to the total.",
            "",
            "| effect | points | beyond the noise |",
            "|---|---|---|",
            *effect_rows,
            "",
            f"The convolution gives {conv:+.1f} points "
            f"({'inside' if within_noise(conv_values) else 'beyond'} the noise), the recipe "
            f"{recipe_part:+.1f} ({'inside' if within_noise(recipe_values) else 'beyond'} the "
            f"noise). {time_text}",
            "",
            f"Chosen on validation: {'; '.join(choice_parts)}. The recipes were fixed before "
            "these runs; the test images decide nothing here, they only report. "
            f"{gap_text}",
            "",
            f"**Not the full-data number.** TensorFlow's tutorial trains the same tutorial model "
            f"on all 60,000 Fashion-MNIST training images and reports about "
            f"{FULL_DATA_REFERENCE} % test accuracy. The lab trains on {images:,} images (the "
            "bundled 10,000 minus the 2,000 validation images) and tests on 2,000 other images: "
            f"here the tutorial model with its recipe reaches {tutorial_test:.1f} %, "
            f"{FULL_DATA_REFERENCE - tutorial_test:.1f} points below the full-data figure, which "
            "says what more data buys, not what this lab's models do.",
        ]
    )


# ----------------------------------------------------------------------------- 2. imbalance


def imbalance_budgets() -> list[int]:
    """Epochs of the imbalance check: the lab's short budget times :data:`IMBALANCE_MULTIPLES`."""
    return [lab.COMPARISON_EPOCHS * k for k in IMBALANCE_MULTIPLES]


def run_imbalance(data: lab.LabData, seeds: Sequence[int]) -> dict[str, Any]:
    """Plain CE, class weights, oversampling and prior bias at every budget and seed; logit
    adjustment from the plain runs' test logits. Per-class test recall of each."""
    import keras

    subset = lab.imbalanced_indices(data.y_train)
    labels = data.y_train[subset]
    counts = np.bincount(labels, minlength=lab.NUM_CLASSES)
    priors = lab.class_priors(labels)
    weights = lab.balanced_class_weights(labels)
    budgets = imbalance_budgets()
    # Oversampling at an equal budget (as the lab does): every class drawn equally often, with
    # replacement, and the epoch as long as plain CE's.
    per_class = len(subset) // lab.NUM_CLASSES
    results: dict[str, Any] = {
        "per_class": per_class,
        "seeds": list(seeds),
        "budgets": budgets,
        "rare": list(lab.RARE_CLASSES),
        "counts": counts.tolist(),
        "recipe": "lab",
        "methods": {
            method: {str(e): [] for e in budgets} for method in IMBALANCE_METHODS
        },
        "train_accuracy": {str(e): [] for e in budgets},
    }
    for seed in seeds:
        oversampled = lab.oversample_indices(
            data.y_train, subset, seed=seed, per_class=per_class
        )
        for epochs in budgets:
            options: dict[str, dict[str, Any]] = {
                "plain CE": {"train_indices": subset},
                "class weights": {"train_indices": subset, "class_weight": weights},
                "oversampling": {"train_indices": oversampled},
                "prior bias": {
                    "train_indices": subset,
                    "output_bias": lab.prior_bias(counts),
                },
            }
            for method, extra in options.items():
                run = lab.train(
                    method,
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    data,
                    model="lab",
                    epochs=epochs,
                    seed=seed,
                    validate_every_epoch=False,
                    **extra,
                )
                test = lab.evaluate_on_test(run, data)
                recalls = {method: test.recall}
                if method == "plain CE":
                    results["train_accuracy"][str(epochs)].append(
                        run.history["accuracy"][-1]
                    )
                    adjusted = lab.adjust_logits(test.outputs, priors, tau=1.0)
                    recalls["logit adjustment"] = lab.per_class_recall(
                        lab.confusion_matrix(test.y_true, adjusted.argmax(axis=1))
                    )
                for name, recall in recalls.items():
                    results["methods"][name][str(epochs)].append(
                        [round(float(r), 4) for r in recall]
                    )
                    print(
                        f"seed {seed} {epochs:2d} epochs {name:16s} rare recall "
                        f"{rare_mean(recall, results['rare']):.3f}  balanced "
                        f"{float(np.mean(recall)):.3f}",
                        flush=True,
                    )
    return results


def render_imbalance(results: Mapping[str, Any]) -> str:
    """Markdown of section 2 (imbalance over budgets), from :func:`run_imbalance`'s numbers."""
    seeds, budgets, rare = results["seeds"], results["budgets"], results["rare"]
    counts = results["counts"]
    methods = results["methods"]
    others = [k for k in range(lab.NUM_CLASSES) if k not in rare]

    def per_seed(method: str, epochs: int, classes: Sequence[int]) -> list[float]:
        return [rare_mean(r, classes) for r in methods[method][str(epochs)]]

    header = "| method | " + " | ".join(f"{e} epochs" for e in budgets) + " |"
    rule = "|---|" + "---|" * len(budgets)
    rare_rows = [
        f"| {m} | " + " | ".join(points(per_seed(m, e, rare)) for e in budgets) + " |"
        for m in IMBALANCE_METHODS
    ]
    balanced_rows = [
        f"| {m} | "
        + " | ".join(points(per_seed(m, e, range(lab.NUM_CLASSES))) for e in budgets)
        + " |"
        for m in IMBALANCE_METHODS
    ]
    class_rows = []
    for k in rare:
        for m in IMBALANCE_METHODS:
            class_rows.append(
                f"| {lab.CLASS_NAMES[k]} | {m} | "
                + " | ".join(points(per_seed(m, e, [k])) for e in budgets)
                + " |"
            )
    short, long = budgets[0], budgets[-1]
    findings = []
    gains: dict[str, dict[int, np.ndarray]] = {}
    for m in IMBALANCE_METHODS[1:]:
        gains[m] = {
            e: np.subtract(per_seed(m, e, rare), per_seed("plain CE", e, rare))
            for e in budgets
        }
        losses = {
            e: np.subtract(per_seed(m, e, others), per_seed("plain CE", e, others))
            for e in budgets
        }
        beyond = [str(e) for e in budgets if not within_noise(gains[m][e])]
        findings.append(
            f"- **{m}** minus plain CE, rare-class recall: "
            + ", ".join(f"{signed_points(gains[m][e])} ({e} epochs)" for e in budgets)
            + "; beyond the noise "
            + (f"at {', '.join(beyond)} epochs" if beyond else "at no budget")
            + ". The other classes' mean recall: "
            + ", ".join(signed_points(losses[e]) for e in budgets)
            + "."
        )
    plain_rare = {e: per_seed("plain CE", e, rare) for e in budgets}
    train_accuracy = results["train_accuracy"]
    se = 100 * lab.recall_standard_error(0.5, 200 * len(rare))
    total = sum(counts)
    rare_names = ", ".join(lab.CLASS_NAMES[k] for k in rare)
    return "\n".join(
        [
            "## 2. Imbalance over training budgets",
            "",
            f"The lab's imbalanced training set: the rare classes ({rare_names}) keep "
            f"{lab.RARE_FRACTION:.0%} of their training images ({', '.join(str(counts[k]) for k in rare)} "
            f"images; {total:,} in all). The lab CNN with the lab recipe, its cosine schedule "
            f"stretched over {', '.join(map(str, budgets))} epochs (the lab's short budget "
            f"`COMPARISON_EPOCHS` = {lab.COMPARISON_EPOCHS}, then "
            f"{' and '.join(f'{k}×' for k in IMBALANCE_MULTIPLES[1:])}); seeds "
            f"{', '.join(map(str, seeds))} (the subset is the lab's, the same for every seed). "
            "Class weights: w_k = m / (K m_k); oversampling: every class drawn "
            f"{results['per_class']:,} times with replacement, so an epoch has as many steps as "
            "plain CE's (the lab's equal-budget oversampling); prior bias: the output bias starts "
            "at ln π_k; "
            "logit adjustment: the plain model's test logits minus ln π_k (τ = 1, Menon et al. "
            "2021), no retraining and no tuning. Recall in % on the balanced test set "
            "(200 images per class), mean ± sd over seeds.",
            "",
            "Mean recall of the rare classes:",
            "",
            header,
            rule,
            *rare_rows,
            "",
            "Balanced accuracy (the mean recall of all ten classes; on this balanced test set it "
            "equals accuracy):",
            "",
            header,
            rule,
            *balanced_rows,
            "",
            "Per rare class (an easy rare class and a hard one need not behave alike):",
            "",
            "| class | method | " + " | ".join(f"{e} epochs" for e in budgets) + " |",
            "|---|---|" + "---|" * len(budgets),
            *class_rows,
            "",
            "What changes with the budget:",
            "",
            *findings,
            f"- Plain CE's own rare-class recall goes {points(plain_rare[short])} → "
            f"{points(plain_rare[long])} % from {short} to {long} epochs; its training accuracy "
            f"at the last epoch {points(train_accuracy[str(short)])} → "
            f"{points(train_accuracy[str(long)])} % (Keras's running mean over the epoch).",
            "",
            f"Noise: the rare classes' mean recall rests on {200 * len(rare)} test images, a "
            f"standard error of up to {se:.1f} points from the images alone "
            "(`recall_standard_error`); one rare class's recall (200 images) up to 3.5 points. "
            "Differences between methods are paired (same seed, same test images), so the sd of "
            "the paired difference is the noise to compare a gain with; a gain is beyond the "
            "noise when the 95 % confidence interval of its mean (Student's t over the seeds, "
            "t · sd / √seeds) excludes 0. These intervals count seed noise only: a second test set "
            "would add the images' own.",
            "",
            imbalance_reading(gains, short, long, train_accuracy[str(long)]),
        ]
    )


def imbalance_reading(
    gains: Mapping[str, Mapping[int, Any]],
    short: int,
    long: int,
    train_accuracy: Sequence[float],
) -> str:
    """The conclusion of section 2 in words, from the per-seed gains over plain CE (rare-class
    recall) at the shortest and the longest budget."""

    def fate(method: str) -> str:
        first, last = gains[method][short], gains[method][long]
        if within_noise(first) and within_noise(last):
            return "is inside the noise at both budgets"
        return (
            f"{trend(first, last)} from {signed_points(first)} to {signed_points(last)} "
            f"points ({'inside' if within_noise(last) else 'beyond'} the noise at {long} "
            "epochs)"
        )

    weighting = [m for m in ("class weights", "oversampling") if m in gains]
    best = max(gains, key=lambda m: float(np.mean(gains[m][long])))
    text = (
        f"**Reading.** By {long} epochs plain CE fits {points(train_accuracy)} % of its "
        "training images. Byrd & Lipton (2019) found that importance weighting changes a deep "
        "network less and less as training drives the training loss towards zero; here "
        + "; ".join(f"the gain of {m} {fate(m)}" for m in weighting)
        + ". "
    )
    if "logit adjustment" in gains:
        text += (
            "Logit adjustment retrains nothing (it shifts the plain model's logits after "
            f"training); its gain {fate('logit adjustment')}. "
        )
    if "prior bias" in gains:
        text += f"A prior-initialised output bias: its gain {fate('prior bias')}. "
    text += f"At {long} epochs the largest gain is {best}'s."
    return text


# ----------------------------------------------------------------------------- 3. calibration


def calibration_budgets() -> list[int]:
    """Epochs of the calibration check: the lab recipe's epochs times :data:`CALIBRATION_MULTIPLES`."""
    return [lab.RECIPES["lab"].epochs * k for k in CALIBRATION_MULTIPLES]


def run_calibration(data: lab.LabData, seeds: Sequence[int]) -> dict[str, Any]:
    """The lab CNN at each budget and seed: T fitted on validation; test ECE and NLL before/after."""
    import keras

    budgets = calibration_budgets()
    keys = ("accuracy", "temperature", "ece", "ece_scaled", "nll", "nll_scaled")
    results: dict[str, Any] = {
        "seeds": list(seeds),
        "budgets": budgets,
        "runs": {str(e): {key: [] for key in keys} for e in budgets},
    }
    for seed in seeds:
        for epochs in budgets:
            run = lab.train(
                "calibration",
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                data,
                model="lab",
                epochs=epochs,
                seed=seed,
                validate_every_epoch=False,
            )
            temperature = lab.fit_temperature(run.outputs, run.y_val)
            test = lab.evaluate_on_test(run, data)
            scaled = lab.temperature_probs(test.outputs, temperature)
            row = results["runs"][str(epochs)]
            row["accuracy"].append(test.accuracy)
            row["temperature"].append(temperature)
            row["ece"].append(test.ece)
            row["ece_scaled"].append(
                lab.expected_calibration_error(scaled, test.y_true)
            )
            row["nll"].append(lab.temperature_nll(test.outputs, test.y_true, 1.0))
            row["nll_scaled"].append(
                lab.temperature_nll(test.outputs, test.y_true, temperature)
            )
            print(
                f"seed {seed} {epochs:2d} epochs: test accuracy {test.accuracy:.4f}  T "
                f"{temperature:.3f}  ECE {row['ece'][-1]:.4f} → {row['ece_scaled'][-1]:.4f}",
                flush=True,
            )
    return results


def render_calibration(results: Mapping[str, Any]) -> str:
    """Markdown of section 3 (calibration), from :func:`run_calibration`'s numbers."""
    seeds, budgets, runs = results["seeds"], results["budgets"], results["runs"]
    rows = []
    for e in budgets:
        row = runs[str(e)]
        rows.append(
            f"| {e} | {points(row['accuracy'])} | {plain(row['temperature'])} | "
            f"{plain(row['ece'], 3)} | **{plain(row['ece_scaled'], 3)}** | "
            f"{plain(row['nll'], 3)} | {plain(row['nll_scaled'], 3)} |"
        )
    long = runs[str(budgets[-1])]
    short = runs[str(budgets[0])]
    better = int(np.sum(np.less(long["ece_scaled"], long["ece"])))
    return "\n".join(
        [
            "## 3. Calibration: temperature scaling fitted on validation",
            "",
            f"The lab CNN with the lab recipe (cosine schedule over the epochs shown) trained on "
            f"the training images, seeds {', '.join(map(str, seeds))}. T minimises the NLL of "
            "the 2,000 validation images' logits (`fit_temperature`, Guo et al. 2017); ECE (10 "
            "equal-width bins) and NLL are measured on the test images with T = 1 (before) and "
            "with the fitted T (after). Dividing logits by T never changes a prediction, so "
            "accuracy is the same before and after. Mean ± sd over seeds.",
            "",
            "| epochs | test acc. (%) | T (validation) | ECE before | ECE after | NLL before | NLL after |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Training {budgets[-1] // budgets[0]}× longer moves test ECE from "
            f"{plain(short['ece'], 3)} to {plain(long['ece'], 3)} (T = "
            f"{plain(short['temperature'])} → {plain(long['temperature'])}; T > 1 means "
            f"over-confident). At {budgets[-1]} epochs temperature scaling lowers the ECE in "
            f"{better} of {len(seeds)} seeds, to {plain(long['ece_scaled'], 3)}.",
        ]
    )


# ----------------------------------------------------------------------------- figure


def plot(found: Mapping[str, Mapping[str, Any]]) -> Any:
    """One panel per section found: the 2 × 2's test accuracy, rare-class recall against epochs,
    and ECE before/after temperature scaling (error bars: sd over seeds)."""
    apply_course_style()
    names = [name for name in SECTIONS if name in found]
    if not names:
        raise ValueError("found must hold the numbers of at least one section.")
    fig, axes = new_figure(len(names), width=6.0 * len(names), height=5.0)
    for ax, name in zip(axes, names, strict=True):
        results = found[name]
        if name == "ablation":
            cells = results["cells"]
            for i, model in enumerate(MODELS):
                for j, recipe in enumerate(RECIPE_NAMES):
                    mean, sd = lab.mean_sd(cells[cell_name(model, recipe)]["test"])
                    ax.bar(
                        i + (j - 0.5) * 0.38,
                        100 * mean,
                        width=0.36,
                        yerr=100 * sd,
                        color=PALETTE[4] if recipe == "tutorial" else PALETTE[0],
                        label=f"{recipe} recipe" if i == 0 else None,
                    )
                    ratio = cpu_ratio(
                        cells[cell_name(model, recipe)]["cpu"],
                        cells["tutorial/tutorial"]["cpu"],
                    )
                    ax.text(
                        i + (j - 0.5) * 0.38,
                        78.4,
                        f"{ratio:.2f}×\nCPU",
                        ha="center",
                        va="bottom",
                        color="white",
                    )
            goal = (
                100 * float(np.mean(cells["tutorial/tutorial"]["test"])) + GOAL_POINTS
            )
            ax.axhline(goal, color=PALETTE[3], linestyle="--")
            ax.text(1.45, goal + 0.2, "goal", color=PALETTE[3], ha="right")
            ax.set_xticks(range(len(MODELS)), ["tutorial model", "lab CNN"])
            ax.set(ylim=(78, 92), ylabel="test accuracy (%)")
            ax.set_title("model × recipe")
            ax.legend(loc="upper left")
        elif name == "imbalance":
            rare = results["rare"]
            for colour, method in zip(PALETTE, IMBALANCE_METHODS, strict=False):
                curve = [
                    lab.mean_sd(
                        [rare_mean(r, rare) for r in results["methods"][method][str(e)]]
                    )
                    for e in results["budgets"]
                ]
                ax.errorbar(
                    results["budgets"],
                    [100 * m for m, _ in curve],
                    yerr=[100 * s for _, s in curve],
                    color=colour,
                    marker="o",
                    capsize=4,
                    label=method,
                )
            ax.set_xscale("log", base=2)
            ax.set_xticks(results["budgets"], [str(e) for e in results["budgets"]])
            ax.set(xlabel="epochs", ylabel="rare-class recall (%)", ylim=(0, 100))
            ax.set_title("rare classes: recall by budget")
            ax.legend(loc="lower right", fontsize=11)
        else:
            budgets = results["budgets"]
            for j, (key, label) in enumerate(
                (("ece", "before"), ("ece_scaled", "after T scaling"))
            ):
                stats = [lab.mean_sd(results["runs"][str(e)][key]) for e in budgets]
                ax.bar(
                    np.arange(len(budgets)) + (j - 0.5) * 0.38,
                    [m for m, _ in stats],
                    width=0.36,
                    yerr=[s for _, s in stats],
                    color=PALETTE[3] if j == 0 else PALETTE[2],
                    label=label,
                )
            ax.set_xticks(range(len(budgets)), [f"{e} epochs" for e in budgets])
            ax.set(ylabel="test ECE")
            ax.set_title("calibration (T fitted on validation)")
            ax.legend(loc="upper left")
    fig.suptitle("Lab 08 benchmark: mean ± sd over seeds, test images scored once")
    return fig


# ----------------------------------------------------------------------------- main


def header(
    seeds: Sequence[int] | None,
    sections: Sequence[str],
    seconds: float,
    cpu_seconds: float,
) -> str:
    """Title, how the document was made, the machine."""
    import keras
    import tensorflow as tf

    return "\n".join(
        [
            "# Lab 08 benchmark: model × recipe, imbalance over budgets, calibration",
            "",
            "Written by `make bench` (`python benchmarks/bench_image_classification.py`; this "
            f"run: `{'' if seeds is None else '--seeds ' + ' '.join(map(str, seeds)) + ' '}"
            f"--sections {' '.join(sections)}`, "
            f"{seconds / 60:.1f} min wall, {cpu_seconds / 60:.1f} min of process CPU time). Data: the bundled Fashion-MNIST subset, its 10,000 training "
            "images split (stratified, seed 0) into 8,000 for training and 2,000 for validation; "
            "every choice on validation; each trained model scored once on the 2,000 test images. "
            "Seeded, op-deterministic training; mean ± sd over the seeds.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores (shared with other "
            f"work: compare the ratios, not the seconds), Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}.",
            "",
            "![the three checks](image_classification_benchmark.png)",
        ]
    )


RENDERERS = {
    "ablation": render_ablation,
    "imbalance": render_imbalance,
    "calibration": render_calibration,
}


def section_block(name: str, results: Mapping[str, Any]) -> str:
    """A section's block: its text rendered from ``results``, how long it took, its numbers."""
    markdown = RENDERERS[name](results)
    if "minutes" in results:
        markdown += (
            f"\n\n(This section took {results['minutes']} min wall, "
            f"{results.get('cpu_minutes', '?')} min of process CPU time.)"
        )
    return block(name, markdown, results)


def header_of(text: str) -> str:
    """The part of a document before its first section block (title, how it was made)."""
    first = text.find("<!-- bench:")
    return text if first < 0 else text[:first]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="training seeds of every section run (at least 2 for an sd; default: 0-4 for "
        "the ablation, 0-2 for the others)",
    )
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="which checks to run (the others' blocks are kept from the existing document)",
    )
    parser.add_argument("--output", type=Path, default=DOC)
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="train nothing: rewrite the text and the figure from the numbers the document "
        "keeps (after a change to the wording)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when the 2 × 2's goal is missed",
    )
    arguments = parser.parse_args(argv)
    given = None if arguments.seeds is None else list(dict.fromkeys(arguments.seeds))
    if given is not None and len(given) < 2:
        parser.error("--seeds needs at least two seeds (an sd needs two values).")
    sections = [name for name in SECTIONS if name in arguments.sections]

    old_text = (
        arguments.output.read_text(encoding="utf-8")
        if arguments.output.exists()
        else ""
    )
    if arguments.render_only:
        kept = blocks_of(old_text)
        if not kept:
            parser.error(f"--render-only needs {arguments.output} with numbers in it.")
        found = {name: data_of(text) for name, text in kept.items()}
        new_blocks = {name: section_block(name, found[name]) for name in found}
        text = document(header_of(old_text), new_blocks)
        seconds = 0.0
    else:
        start, cpu_start = time.perf_counter(), time.process_time()
        data = lab.split_validation(lab.load_lab_data())
        runners = {
            "ablation": run_ablation,
            "imbalance": run_imbalance,
            "calibration": run_calibration,
        }
        new_blocks, found = {}, {}
        for name in sections:
            began, cpu_began = time.perf_counter(), time.process_time()
            seeds = given if given is not None else DEFAULT_SEEDS[name]
            results = runners[name](data, seeds)
            results["minutes"] = round((time.perf_counter() - began) / 60, 1)
            results["cpu_minutes"] = round((time.process_time() - cpu_began) / 60, 1)
            new_blocks[name] = section_block(name, results)
            found[name] = results
            print(f"== {name}: {results['minutes']} min", flush=True)
        for name, kept_text in blocks_of(old_text).items():
            if name not in found:
                found[name] = data_of(kept_text)
        seconds = time.perf_counter() - start
        text = document(
            header(given, sections, seconds, time.process_time() - cpu_start),
            new_blocks,
            old_text,
        )
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    figure_path = arguments.output.with_suffix(".png")
    plot(found).savefig(figure_path, dpi=80)
    print(f"wrote {arguments.output} and {figure_path} in {seconds / 60:.1f} min")
    if "ablation" in found:
        summary = ablation_summary(found["ablation"])
        print(
            f"goal: {summary['points']:+.1f} points at {summary['cpu_ratio']:.2f}x CPU: "
            f"{'met' if summary['met'] else 'missed'}"
        )
        if arguments.strict and not summary["met"]:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
