"""Speed of the catalog's TensorFlow losses against the Keras functions they mirror (``make bench``).

For every loss of ``course_utils.losses.catalog()``, on inputs of about one million elements (float32,
CPU), the median time of the course's ``tf`` implementation and of the Keras function, in four modes:
forward and forward + gradient, eagerly and inside ``tf.function``. The two are timed alternately in
the same process (ours, Keras, ours, Keras, …), so machine noise hits both alike; the table reports
each median and their ratio (ours / Keras; below 1 means ours is faster).

    python benchmarks/bench_losses.py [--repeats 15] [--output docs/loss_benchmark.md]

Goal (issue: loss library): median ratio across losses at most 1.25, no loss above 2.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from loss_inputs import draw  # noqa: E402  (the test suite's input generator, one source of truth)

from course_utils.losses import catalog  # noqa: E402

#: Values for parameters Keras requires (the Keras class's default).
REQUIRED_VALUES = {"q": 0.5}

MODES = (
    "forward, eager",
    "forward + gradient, eager",
    "forward, tf.function",
    "forward + gradient, tf.function",
)


def inputs_for(entry, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    """About 1 M float32 prediction elements in the entry's domains, and the parameters to pass."""
    if entry.name == "circle":
        labels = rng.integers(0, 10, size=1000)
        return labels, rng.normal(size=(1000, 1000)).astype(np.float32), {}
    if entry.name == "ctc":
        batch, steps, classes, label_length = 64, 128, 32, 40
        labels = rng.integers(1, classes - 1, size=(batch, label_length))
        logits = rng.normal(size=(batch, steps, classes))
        probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        return labels, probabilities.astype(np.float32), {}
    shape = (10_000, 100)
    y_true = draw(entry.y_true_domain, shape, rng, edges=False)
    y_pred = draw(entry.y_pred_domain, shape, rng, edges=False)
    if y_true.dtype.kind == "f":
        y_true = y_true.astype(np.float32)
    params = {
        param.name: REQUIRED_VALUES[param.name]
        for param in entry.params
        if param.required
    }
    return y_true, y_pred.astype(np.float32), params


def runners(loss, y_true, y_pred, params):
    """The four timed callables for one loss function."""
    import tensorflow as tf

    y_true = tf.constant(y_true)
    prediction = tf.Variable(y_pred)

    def forward():
        return loss(y_true, prediction, **params)

    def forward_and_gradient():
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(loss(y_true, prediction, **params))
        return tape.gradient(total, prediction)

    return (
        forward,
        forward_and_gradient,
        tf.function(forward),
        tf.function(forward_and_gradient),
    )


def median_times(ours, theirs, repeats: int) -> tuple[float, float]:
    """Median seconds of each callable, timed alternately after a warm-up (which also traces)."""
    for function in (ours, theirs, ours, theirs):
        _block(function())
    times = {id(ours): [], id(theirs): []}
    for _ in range(repeats):
        for function in (ours, theirs):
            start = time.perf_counter()
            _block(function())
            times[id(function)].append(time.perf_counter() - start)
    return float(np.median(times[id(ours)])), float(np.median(times[id(theirs)]))


def _block(result) -> None:
    np.asarray(result)  # forces the computation to finish


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeats", type=int, default=15, help="timed calls of each function per mode"
    )
    parser.add_argument("--output", type=Path, default=Path("docs/loss_benchmark.md"))
    parser.add_argument("--only", nargs="*", help="benchmark only these losses")
    arguments = parser.parse_args()

    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    rows, ratios = [], {}
    for name, entry in catalog().items():
        if arguments.only and name not in arguments.only:
            continue
        y_true, y_pred, params = inputs_for(entry, rng)
        ours_runs = runners(entry.tf, y_true, y_pred, params)
        keras_runs = runners(entry.keras, y_true, y_pred, params)
        cells, loss_ratios = [], []
        for ours, theirs in zip(ours_runs, keras_runs):
            ours_time, keras_time = median_times(ours, theirs, arguments.repeats)
            loss_ratios.append(ours_time / keras_time)
            cells.append(
                f"{ours_time * 1e3:.2f} / {keras_time * 1e3:.2f} = **{ours_time / keras_time:.2f}**"
            )
        ratios[name] = loss_ratios
        rows.append(f"| `{name}` | {y_pred.size:,} | " + " | ".join(cells) + " |")
        print(f"{name:40s} " + "  ".join(f"{r:5.2f}" for r in loss_ratios), flush=True)

    all_ratios = np.array(list(ratios.values()))
    per_loss = np.median(all_ratios, axis=1)
    worst_name = max(ratios, key=lambda n: max(ratios[n]))
    summary = (
        f"Median ratio across losses and modes: **{np.median(all_ratios):.2f}** "
        f"(per mode: {', '.join(f'{m}: {np.median(all_ratios[:, i]):.2f}' for i, m in enumerate(MODES))}). "
        f"Largest single ratio: {np.max(all_ratios):.2f} (`{worst_name}`). "
        f"Losses whose median ratio is above 2: "
        f"{', '.join(f'`{n}`' for n, r in zip(ratios, per_loss) if r > 2) or 'none'}."
    )
    print(summary)
    header = (
        "| loss | elements | "
        + " | ".join(f"{m} (ms, ours / Keras = ratio)" for m in MODES)
        + " |"
    )
    text = "\n".join(
        [
            "# Speed of the course's losses against Keras",
            "",
            "Made by `make bench` (`python benchmarks/bench_losses.py --repeats "
            f"{arguments.repeats}`): median time of each loss's `tf` implementation from "
            "`course_utils.losses` and of the Keras function it mirrors, timed alternately in one process "
            "on float32 inputs of about one million elements (10,000 × 100; circle 1,000 embeddings of 1,000; "
            "CTC 64 sequences of 128 steps over 32 classes). Ratio = ours / Keras: below 1, ours is faster.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}. Shared machines are noisy: compare "
            "ratios, not absolute times.",
            "",
            summary,
            "",
            header,
            "|" + "---|" * (2 + len(MODES)),
            *rows,
            "",
        ]
    )
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
