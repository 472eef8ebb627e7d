"""Lab 08's CNN against TensorFlow's "basic classification" model, trained in the same run (``make bench``).

Both models are trained from scratch on the bundled Fashion-MNIST subset (10,000 training images) with
their recipes from ``course_utils.image_classification_lab.RECIPES`` (the tutorial model: Flatten →
Dense(128, relu) → Dense(10), Adam, 10 epochs, batch 32) and scored on the 2,000 held-out images. The
two are trained alternately (tutorial, lab, tutorial, lab, ...) so machine noise hits both alike; CPU
seconds are the process CPU time of ``fit`` (both threads), and the table reports the median over
repeats. Training is seeded and op-deterministic, so accuracy is the same in every repeat.

    python benchmarks/bench_image_classification.py [--repeats 2] [--output docs/image_classification_benchmark.md]

Goal (issue 12): the lab model beats the tutorial model by at least 3 accuracy points, at no more than
twice its CPU time, in the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

from course_utils import image_classification_lab as lab  # noqa: E402
from course_utils.plotting import PALETTE, apply_course_style, new_figure  # noqa: E402

GOAL_POINTS = 3.0
GOAL_CPU_RATIO = 2.0
MODELS = ("tutorial", "lab")
LABELS = {
    "tutorial": "tutorial: Flatten → Dense(128) → Dense(10)",
    "lab": "lab CNN: Conv(32, 5×5, /2) → MaxPool → Dense(128) → Dense(10)",
}


def measure(repeats: int) -> dict[str, dict[str, list[float]]]:
    """Train each model ``repeats`` times, alternately; accuracy and CPU seconds of every run."""
    import keras

    data = lab.load_lab_data()
    results: dict[str, dict[str, list[float]]] = {
        name: {"accuracy": [], "cpu": [], "wall": []} for name in MODELS
    }
    for repeat in range(repeats):
        for name in MODELS:
            run = lab.train(
                name,
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                data,
                model=name,
                validate_every_epoch=False,
            )
            results[name]["accuracy"].append(run.accuracy)
            results[name]["cpu"].append(run.cpu_seconds)
            results[name]["wall"].append(run.wall_seconds)
            print(
                f"repeat {repeat + 1}: {name:8s} accuracy {run.accuracy:.4f}  "
                f"CPU {run.cpu_seconds:5.1f} s  wall {run.wall_seconds:5.1f} s",
                flush=True,
            )
    return results


def plot(summary: dict[str, dict[str, float]]):
    """Accuracy and CPU seconds of both models, with the goal drawn on each panel."""
    apply_course_style()
    fig, (accuracy_ax, cpu_ax) = new_figure(2, width=9.0, height=3.6)
    names = list(MODELS)
    colours = [PALETTE[4], PALETTE[0]]
    accuracy = [100 * summary[n]["accuracy"] for n in names]
    cpu = [summary[n]["cpu"] for n in names]
    accuracy_ax.bar(names, accuracy, color=colours)
    accuracy_ax.axhline(accuracy[0] + GOAL_POINTS, color=PALETTE[3], linestyle="--")
    accuracy_ax.text(
        -0.4, accuracy[0] + GOAL_POINTS + 0.3, "goal: tutorial + 3", color=PALETTE[3]
    )
    accuracy_ax.set(ylim=(75, 95), ylabel="test accuracy (%)")
    cpu_ax.bar(names, cpu, color=colours)
    cpu_ax.axhline(GOAL_CPU_RATIO * cpu[0], color=PALETTE[3], linestyle="--")
    cpu_ax.text(
        -0.4, GOAL_CPU_RATIO * cpu[0] * 1.02, "limit: 2 × tutorial", color=PALETTE[3]
    )
    cpu_ax.set(ylim=(0, GOAL_CPU_RATIO * cpu[0] * 1.25), ylabel="CPU seconds to train")
    for ax, values, fmt in (
        (accuracy_ax, accuracy, "{:.1f} %"),
        (cpu_ax, cpu, "{:.1f} s"),
    ):
        for x, value in enumerate(values):
            ax.text(x, value, fmt.format(value), ha="center", va="bottom")
    fig.suptitle("Fashion-MNIST subset, same run, same machine")
    return fig


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeats", type=int, default=2, help="training runs per model"
    )
    parser.add_argument(
        "--output", type=Path, default=Path("docs/image_classification_benchmark.md")
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when the goal is missed",
    )
    arguments = parser.parse_args()

    import keras
    import tensorflow as tf

    results = measure(arguments.repeats)
    summary = {
        name: {key: float(np.median(values)) for key, values in runs.items()}
        for name, runs in results.items()
    }
    points = 100 * (summary["lab"]["accuracy"] - summary["tutorial"]["accuracy"])
    ratio = summary["lab"]["cpu"] / summary["tutorial"]["cpu"]
    met = points >= GOAL_POINTS and ratio <= GOAL_CPU_RATIO
    verdict = (
        f"The lab CNN is **{points:+.1f} points** more accurate at **{ratio:.2f}×** the tutorial "
        f"model's CPU time: goal (≥ +{GOAL_POINTS:.0f} points at ≤ {GOAL_CPU_RATIO:.0f}×) "
        f"**{'met' if met else 'missed'}**."
    )
    print(verdict.replace("**", ""))
    figure_path = arguments.output.with_suffix(".png")
    rows = []
    for name in MODELS:
        recipe = lab.RECIPES[name]
        schedule = "cosine decay to 0" if recipe.cosine else "constant"
        rows.append(
            f"| {LABELS[name]} | {recipe.epochs} | {recipe.batch_size} | "
            f"{recipe.learning_rate:g} ({schedule}) | {100 * summary[name]['accuracy']:.1f} % | "
            f"{summary[name]['cpu']:.1f} | {summary[name]['wall']:.1f} |"
        )
    text = "\n".join(
        [
            "# Lab 08's CNN against the tutorial model",
            "",
            "Made by `make bench` (`python benchmarks/bench_image_classification.py --repeats "
            f"{arguments.repeats}`): both models trained from scratch, alternately in one process, on "
            "the bundled Fashion-MNIST subset (10,000 training images; accuracy on the 2,000 held-out "
            "images), Adam, sparse cross-entropy from logits, seeded with op determinism. CPU seconds: "
            "process CPU time of `fit` (both threads), median over the repeats.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python "
            f"{platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}. "
            "Shared machines are noisy: compare the ratio, not absolute times.",
            "",
            verdict,
            "",
            compared_note(),
            "",
            "| model | epochs | batch | Adam η | test accuracy | CPU s | wall s |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"![accuracy and CPU time of both models]({figure_path.name})",
            "",
        ]
    )
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    plot(summary).savefig(figure_path, dpi=80)
    print(f"wrote {arguments.output} and {figure_path}")
    return 1 if arguments.strict and not met else 0


def compared_note() -> str:
    """What the comparison can and cannot say (issue 18): model and recipe differ together."""
    steps = {
        name: lab.RECIPES[name].epochs * -(-10_000 // lab.RECIPES[name].batch_size)
        for name in MODELS
    }
    tutorial, cnn = lab.RECIPES["tutorial"], lab.RECIPES["lab"]
    return (
        f"**What this compares.** Each model with its own recipe: the tutorial model for "
        f"{steps['tutorial']:,} steps at η = {tutorial.learning_rate:g}"
        f"{' with cosine decay' if tutorial.cosine else ' (constant)'}, the CNN for "
        f"{steps['lab']:,} steps at η = {cnn.learning_rate:g}"
        f"{' with cosine decay' if cnn.cosine else ' (constant)'}. Model and recipe differ "
        "together, so the gap is not the convolution's alone; all runs use one seed (the repeats "
        "redo the same seeded run, for the timings); and the CNN's recipe was chosen by looking "
        "at accuracy on these same 2,000 held-out images, so they are not an untouched test set "
        "and the CNN's number is somewhat optimistic. What the benchmark does establish is the "
        "lab's budget: the CNN, as the lab trains it, reaches this accuracy at this CPU cost."
    )


if __name__ == "__main__":
    sys.exit(main())
