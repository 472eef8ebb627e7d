"""Training time of lab 09's main VAE (``make bench``), next to the lab's goal of 90 s on 2 cores.

Trains ``course_utils.vae_lab.train_vae`` exactly as notebook 09 does (d = 2, β = 1, 20 epochs of the
8,000 bundled MNIST training digits, seed 0, TensorFlow's op determinism) and reports the wall time of
``fit``, the CPU time of the process during it, the last epoch's loss terms, and the goal. A shared or
busy machine makes the wall time pessimistic: compare the CPU time with the wall time to see that.

    python benchmarks/bench_vae.py [--epochs 20]
    python benchmarks/bench_vae.py --tradeoff [--seeds 0 1 2]

Then (or alone, with ``--tradeoff``) it trains section 4's main model once per seed with the test
−ELBO of all 2,000 test digits measured after every epoch (``train_vae(..., x_test=...)``), and
reruns section 6's β trade-off (d = 8, 8 epochs of 4,000 digits, the notebook's β values) for
several seeds: per β the test reconstruction, the KL, the test −ELBO, the number of active units
(Cov_x(E[z|x]) > 0.01, Burda et al.) and the smallest activity, as mean ± sd over the seeds, next
to the best constant image (the mean training digit). Then d = 2 against d = 8 at β = 1 (the same
recipe), and KL annealing (β warm-up, Bowman et al. 2016): the same runs at β = 1 and 4 with β
raised linearly from 0 over the first half of the epochs, against a constant β. These are the
ranges the notebook's asserts are taken from; every table goes to ``docs/vae_benchmark.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: Issue 13: the main model of lab 09 trains in at most this many seconds on 2 CPU cores.
GOAL_SECONDS = 90.0
DOC = Path(__file__).resolve().parents[1] / "docs" / "vae_benchmark.md"


def _spread(values: list[float], digits: int) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return (
        f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def main_model(seeds: list[int]) -> list[str]:
    """Section 4's main model per seed, with the test −ELBO after every epoch; markdown lines."""
    from course_utils import vae_lab

    x_train, _ = vae_lab.mnist_pixels("train")
    x_test, _ = vae_lab.mnist_pixels("test")
    floor = float(vae_lab.bce_sum_per_image(x_test, x_test).mean())
    marks = (1, 2, 5, 10, vae_lab.EPOCHS)
    rows = []
    for seed in seeds:
        run = vae_lab.train_vae(x_train, seed=seed, x_test=x_test)
        test = run.test_loss
        row = (
            [test[e - 1] for e in marks]
            + [
                run.loss[-1],
                test[-1] - run.loss[-1],
                run.test_reconstruction[-1] - floor,
            ]
            + [run.test_kl[-1], float(max(b - a for a, b in zip(test[1:], test[2:])))]
        )
        rows.append(row)
        print(f"main model seed {seed}: {[round(v, 2) for v in row]}", flush=True)
    columns = [list(column) for column in zip(*rows)]
    lines = [
        "## The main model: test −ELBO after every epoch",
        "",
        f"Section 4: d = {vae_lab.LATENT_DIM}, β = 1, {vae_lab.EPOCHS} epochs of the 8,000 "
        "training digits, once per seed; after every epoch the −ELBO of all 2,000 test digits "
        "(one sampled z per image, the same draws every epoch: `vae_lab.negative_elbo`). "
        f"The floor of the reconstruction on the test digits, Σ H(x), is {floor:.1f} nats.",
        "",
        "| measure | mean ± sd (min–max) over the seeds |",
        "|---|---|",
    ]
    names = [f"test −ELBO after epoch {e}" for e in marks] + [
        f"training loss, epoch {vae_lab.EPOCHS} (mean over its batches)",
        f"test −ELBO minus training loss, epoch {vae_lab.EPOCHS}",
        f"test reconstruction above the floor, epoch {vae_lab.EPOCHS}",
        f"test KL, epoch {vae_lab.EPOCHS}",
        "largest rise of the test −ELBO from one epoch to the next (after epoch 2)",
    ]
    for name, values in zip(names, columns):
        lines.append(f"| {name} | {_spread(values, 1)} |")
    lines.append("")
    return lines


def latent_sizes(
    seeds: list[int], fit: Any, held: Any, d8: dict[int, Any]
) -> list[str]:
    """d = 2 against the trade-off's d = 8 at β = 1, same recipe and seeds; markdown lines."""
    from course_utils import vae_lab

    rows: dict[int, list[tuple[float, float, float, int]]] = {2: [], 8: []}
    for seed in seeds:
        (two,) = vae_lab.beta_tradeoff(fit, held, (1.0,), latent_dim=2, seed=seed)
        for d, run in ((2, two), (8, d8[seed])):
            rows[d].append(
                (
                    run.reconstruction,
                    run.kl,
                    run.negative_elbo,
                    vae_lab.active_units(run.activity),
                )
            )
        print(f"seed {seed} d = 2: {rows[2][-1]}; d = 8: {rows[8][-1]}", flush=True)
    lines = [
        "",
        "## d = 2 against d = 8 (β = 1)",
        "",
        f"The trade-off's recipe ({vae_lab.TRADEOFF_EPOCHS} epochs of "
        f"{vae_lab.TRADEOFF_IMAGES:,} digits, 1,000 test digits, seeds "
        f"{', '.join(map(str, seeds))}) at β = 1, with a latent code of 2 or 8 numbers.",
        "",
        "| d | reconstruction from μ (nats) | KL (nats) | test −ELBO (nats) | active units |",
        "|---|---|---|---|---|",
    ]
    for d, values in rows.items():
        recs, kls, elbos, actives = (list(column) for column in zip(*values))
        lines.append(
            f"| {d} | {_spread(recs, 1)} | {_spread(kls, 2)} | {_spread(elbos, 1)} | "
            f"{min(actives)}–{max(actives)} of {d} |"
        )
    gaps = [
        (two[0] - eight[0], two[2] - eight[2]) for two, eight in zip(rows[2], rows[8])
    ]
    shown = ", ".join(f"{r:+.1f} / {e:+.1f}" for r, e in gaps)
    lines += [
        "",
        f"* d = 2 minus d = 8, seed by seed: reconstruction / −ELBO {shown} nats.",
    ]
    return lines


def tradeoff(seeds: list[int]) -> None:
    """Section 4's main model and section 6's β trade-off for each seed; write the tables to
    docs/vae_benchmark.md."""
    import numpy as np

    from course_utils import vae_lab

    main_lines = main_model(seeds)
    x_train, _ = vae_lab.mnist_pixels("train")
    x_test, _ = vae_lab.mnist_pixels("test")
    fit, held = x_train[: vae_lab.TRADEOFF_IMAGES], x_test[:1000]
    constant = vae_lab.constant_image_bce(fit, held)
    by_beta: dict[float, list[tuple[float, float, float, int, float]]] = {}
    d8: dict[int, Any] = {}
    start = time.perf_counter()
    for seed in seeds:
        for run in vae_lab.beta_tradeoff(fit, held, vae_lab.TRADEOFF_BETAS, seed=seed):
            by_beta.setdefault(run.beta, []).append(
                (
                    run.reconstruction,
                    run.kl,
                    run.negative_elbo,
                    vae_lab.active_units(run.activity),
                    float(np.min(run.activity)),
                )
            )
            if run.beta == 1.0:
                d8[seed] = run
            print(f"seed {seed} β {run.beta:g}: {by_beta[run.beta][-1]}", flush=True)
    seconds = time.perf_counter() - start
    lines = [
        "# Lab 09: the main model, the β trade-off, d = 2 against d = 8 and KL annealing "
        "over seeds",
        "",
        "Written by `python benchmarks/bench_vae.py` (`make bench`; `--tradeoff` skips the timing "
        "of the main model). Mean ± sd (min–max) over the seeds "
        f"{', '.join(map(str, seeds))}; {os.cpu_count()} CPUs.",
        "",
        *main_lines,
        "## The β trade-off",
        "",
        "Section 6 of `notebooks/09_lab_vae.ipynb`: "
        f"d = {vae_lab.TRADEOFF_LATENT_DIM}, {vae_lab.TRADEOFF_EPOCHS} epochs of "
        f"{vae_lab.TRADEOFF_IMAGES:,} training digits, measured on 1,000 test digits; "
        f"the trade-off's runs took {seconds:.0f} s. The reconstruction decodes μ; the "
        "test −ELBO is at β = 1 with a sampled z, whatever the run's β.",
        "",
        "A unit is active when the variance of its encoder mean over the test images, "
        "Cov_x(E[z|x]), exceeds 0.01 (Burda et al., 2016).",
        "",
        f"Best constant image (the mean training digit): summed BCE {constant:.1f} nats per "
        "test image, training-free. A collapsed VAE cannot do better on average.",
        "",
        "| β | reconstruction (nats) | KL (nats) | test −ELBO (nats) | active units of "
        f"{vae_lab.TRADEOFF_LATENT_DIM} | smallest activity |",
        "|---|---|---|---|---|---|",
    ]
    for beta, rows in by_beta.items():
        rec, kl, elbo, active, low = (list(column) for column in zip(*rows))
        lines.append(
            f"| {beta:g} | {_spread(rec, 1)} | {_spread(kl, 2)} | {_spread(elbo, 1)} | "
            f"{min(active)}–{max(active)} | {_spread(low, 4)} |"
        )
    big = by_beta[max(by_beta)]
    sampled = [elbo - kl for _, kl, elbo, _, _ in big]
    at_mean = [rec for rec, *_ in big]
    lines += [
        "",
        f"* β = {max(by_beta):g}, every unit collapsed: the reconstruction at a sampled z "
        f"(−ELBO − KL) is {_spread(sampled, 1)} nats, "
        f"{min(sampled) - constant:.1f}–{max(sampled) - constant:.1f} above the mean "
        f"digit; decoded from μ ≈ 0 it is {_spread(at_mean, 1)}: samples of "
        f"N(0, I) in d = {vae_lab.TRADEOFF_LATENT_DIM} lie near radius "
        f"√{vae_lab.TRADEOFF_LATENT_DIM} ≈ {vae_lab.TRADEOFF_LATENT_DIM**0.5:.1f}, so "
        "the decoder was never trained at z = 0.",
    ]
    lines += latent_sizes(seeds, fit, held, d8)
    lines += annealing(seeds, fit, held)
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _train_scheduled(x: Any, target: float, warmup: int, epochs: int, seed: int) -> Any:
    """Section 6's VAE trained epoch by epoch, β = target · min(1, epoch / warmup) from epoch 0.

    The β of an epoch is a Python float baked into the traced train step, so the step is retraced
    whenever β changes (``make_train_function(force=True)``); Adam's state carries over.
    """
    import tensorflow as tf

    from course_utils import vae_lab

    vae = vae_lab.build_vae(vae_lab.TRADEOFF_LATENT_DIM, target, seed=seed)
    batches = (
        tf.data.Dataset.from_tensor_slices(x)
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(vae_lab.BATCH_SIZE)
    )
    for epoch in range(epochs):
        beta = target * min(1.0, epoch / warmup) if warmup else target
        if beta != vae.beta or epoch == 0:
            vae.beta = beta
            vae.make_train_function(force=True)
        history = vae.fit(
            batches, initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=0
        ).history
        loss, rec, kl = (
            history["loss"][-1],
            history["reconstruction"][-1],
            history["kl"][-1],
        )
        # the loss really used this epoch's β (the retrace took effect)
        assert abs(loss - (rec + beta * kl)) < 1e-3 * max(1.0, loss), (epoch, beta)
    return vae


def annealing(seeds: list[int], fit: Any, held: Any) -> list[str]:
    """KL annealing against a constant β, seeded; returns the markdown section."""

    from course_utils import vae_lab
    from course_utils.losses.vae import gaussian_kl_numpy

    epochs = vae_lab.TRADEOFF_EPOCHS
    warmup = epochs // 2
    rows: dict[tuple[float, int], list[tuple[float, float, int, float]]] = {}
    for seed in seeds:
        for target in (1.0, 4.0):
            for ramp in (0, warmup):
                vae = _train_scheduled(fit, target, ramp, epochs, seed)
                mean, log_var = vae_lab.encode(vae, held)
                rec = vae_lab.bce_sum_per_image(held, vae_lab.reconstruct(vae, held))
                kl = float(gaussian_kl_numpy(mean, log_var).mean())
                activity = vae_lab.latent_activity(mean)
                result = (
                    float(rec.mean()),
                    kl,
                    vae_lab.active_units(activity),
                    float(rec.mean() + target * kl),
                )
                rows.setdefault((target, ramp), []).append(result)
                print(f"seed {seed} β {target:g} warm-up {ramp}: {result}", flush=True)
    lines = [
        "",
        "## KL annealing (β warm-up)",
        "",
        f"The same runs (d = {vae_lab.TRADEOFF_LATENT_DIM}, {epochs} epochs, seeds "
        f"{', '.join(map(str, seeds))}), with β constant or raised linearly from 0 to its "
        f"final value over the first {warmup} epochs (β = final · epoch / {warmup}), then "
        "constant. Measured on the 1,000 test digits after training; the last column is the "
        "test loss R + β·KL at the final β (the objective both runs end with).",
        "",
        "| final β | schedule | reconstruction (nats) | KL (nats) | active units | R + β·KL |",
        "|---|---|---|---|---|---|",
    ]
    for (target, ramp), values in rows.items():
        recs, kls, actives, totals = (list(column) for column in zip(*values))
        schedule = f"warm-up over {ramp} epochs" if ramp else "constant"
        lines.append(
            f"| {target:g} | {schedule} | {_spread(recs, 1)} | {_spread(kls, 2)} | "
            f"{min(actives)}–{max(actives)} | {_spread(totals, 1)} |"
        )
    lines.append("")
    lines.append(
        "The constant rows are the trade-off's runs again (same seeds, same training, "
        "epoch by epoch). What the warm-up changes, seed by seed (warm-up minus constant):"
    )
    lines.append("")
    for target in (1.0, 4.0):
        pairs = zip(rows[(target, 0)], rows[(target, warmup)])
        diffs = [(w[0] - c[0], w[3] - c[3]) for c, w in pairs]
        better = sum(d[1] < 0 for d in diffs)
        shown = ", ".join(f"{d[0]:+.1f} / {d[1]:+.1f}" for d in diffs)
        lines.append(
            f"* final β = {target:g}: reconstruction / R + β·KL {shown} nats; the warm-up "
            f"ends with a lower test loss in {better} of {len(diffs)} seeds."
        )
    lines.append(
        "* Active units: the same count with and without warm-up (no unit collapses at "
        "β ≤ 4 here, so there is no collapse for the warm-up to prevent; it changes how far "
        "8 epochs get, not which units are used)."
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--tradeoff",
        action="store_true",
        help="section 6's β runs over seeds, to docs/",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    if args.tradeoff:
        tradeoff(args.seeds)
        return

    import tensorflow as tf

    from course_utils import vae_lab

    tf.config.experimental.enable_op_determinism()
    x_train, _ = vae_lab.mnist_pixels("train")
    cpu = time.process_time()
    training = vae_lab.train_vae(x_train, epochs=args.epochs)
    cpu = time.process_time() - cpu
    verdict = "meets" if training.seconds <= GOAL_SECONDS else "MISSES"
    print(f"{'model':40s} {'epochs':>7s} {'wall s':>8s} {'CPU s':>8s} {'goal s':>8s}")
    print(
        f"{'09 main VAE (d=2, beta=1, 8,000 digits)':40s} {args.epochs:7d} "
        f"{training.seconds:8.1f} {cpu:8.1f} {GOAL_SECONDS:8.0f}  {verdict} the goal"
    )
    print(
        f"last epoch: reconstruction {training.reconstruction[-1]:.1f}, "
        f"KL {training.kl[-1]:.2f} nats per image; {os.cpu_count()} CPUs visible"
    )
    tradeoff(args.seeds)


if __name__ == "__main__":
    main()
