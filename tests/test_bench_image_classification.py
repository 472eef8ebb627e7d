"""The pure parts of benchmarks/bench_image_classification.py: the 2 × 2's arithmetic, the goal,
the document's blocks, and the rendering of each section from numbers (no training here)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
PATH = ROOT / "benchmarks" / "bench_image_classification.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_image_classification", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load()

# Test accuracy per seed of each cell: tutorial/tutorial, lab/lab, tutorial/lab, lab/tutorial.
TEST = {
    "tutorial/tutorial": [0.80, 0.81, 0.79],
    "lab/lab": [0.88, 0.87, 0.88],
    "tutorial/lab": [0.82, 0.82, 0.81],
    "lab/tutorial": [0.85, 0.86, 0.84],
}


def _ablation_results(cpu_lab: float = 9.0) -> dict:
    cells = {}
    for key, test in TEST.items():
        cells[key] = {
            "validation": [a + 0.01 for a in test],
            "test": test,
            "cpu": [6.0 if key == "tutorial/tutorial" else cpu_lab] * 3,
            "wall": [7.0] * 3,
        }
    return {"seeds": [0, 1, 2], "train_images": 8000, "cells": cells}


def _imbalance_results() -> dict:
    rare = list(bench.lab.RARE_CLASSES)
    budgets = bench.imbalance_budgets()
    methods: dict[str, dict[str, list]] = {}
    for i, method in enumerate(bench.IMBALANCE_METHODS):
        methods[method] = {}
        for j, e in enumerate(budgets):
            runs = []
            for seed in range(3):
                recall = np.full(10, 0.9)
                recall[rare] = 0.2 + 0.05 * i + 0.1 * j + 0.01 * seed
                runs.append(recall.tolist())
            methods[method][str(e)] = runs
    return {
        "seeds": [0, 1, 2],
        "budgets": budgets,
        "per_class": 572,
        "rare": rare,
        "counts": [800 if k not in rare else 40 for k in range(10)],
        "methods": methods,
        "train_accuracy": {str(e): [0.9, 0.91, 0.92] for e in budgets},
    }


def _calibration_results() -> dict:
    budgets = bench.calibration_budgets()
    runs = {
        str(e): {
            "accuracy": [0.87, 0.88, 0.87],
            "temperature": [1.1 * (j + 1), 1.2 * (j + 1), 1.15 * (j + 1)],
            "ece": [0.02 * (j + 1), 0.03 * (j + 1), 0.025 * (j + 1)],
            "ece_scaled": [0.01, 0.012, 0.011],
            "nll": [0.4, 0.41, 0.39],
            "nll_scaled": [0.35, 0.36, 0.34],
        }
        for j, e in enumerate(budgets)
    }
    return {"seeds": [0, 1, 2], "budgets": budgets, "runs": runs}


def test_the_main_effects_add_up_to_the_total_gain():
    effects = bench.ablation_effects(TEST)
    conv = effects["convolution (mean of both recipes)"]
    recipe = effects["recipe (mean of both models)"]
    total = effects["total (lab CNN, lab recipe − tutorial, tutorial)"]
    np.testing.assert_allclose(conv + recipe, total)
    # seed 0: conv = ((0.85 - 0.80) + (0.88 - 0.82)) / 2, recipe = ((0.82 - 0.80) + (0.88 - 0.85)) / 2
    assert conv[0] == pytest.approx(0.055)
    assert recipe[0] == pytest.approx(0.025)
    assert effects["interaction"][0] == pytest.approx(0.005)
    assert effects["conv, tutorial recipe"][0] == pytest.approx(0.05)
    assert effects["recipe, lab CNN"][0] == pytest.approx(0.03)


def test_the_effects_refuse_a_missing_cell_or_unequal_seeds():
    with pytest.raises(ValueError, match="missing"):
        bench.ablation_effects({k: v for k, v in TEST.items() if k != "lab/tutorial"})
    uneven = dict(TEST, **{"lab/lab": [0.88, 0.87]})
    with pytest.raises(ValueError, match="same seeds"):
        bench.ablation_effects(uneven)


@pytest.mark.parametrize(
    ("gain", "ratio", "met"),
    [(3.0, 2.0, True), (4.7, 1.4, True), (2.9, 1.0, False), (5.0, 2.01, False)],
)
def test_the_goal_needs_both_the_points_and_the_cpu_limit(gain, ratio, met):
    assert bench.goal_met(gain, ratio) is met


def test_the_cpu_ratio_compares_totals_and_refuses_zero_time():
    assert bench.cpu_ratio([9.0, 11.0], [5.0, 5.0]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="denominator"):
        bench.cpu_ratio([1.0], [0.0])


def test_validation_picks_the_recipe_with_the_higher_mean():
    validation = {key: values for key, values in TEST.items()}
    assert bench.chosen_on_validation(validation, "lab") == "lab"
    assert bench.chosen_on_validation(validation, "tutorial") == "lab"
    validation["tutorial/lab"] = [0.70, 0.70, 0.70]
    assert bench.chosen_on_validation(validation, "tutorial") == "tutorial"


def test_the_trend_of_a_gain_is_read_from_paired_seeds():
    assert bench.trend([0.20, 0.22, 0.21], [0.05, 0.06, 0.04]) == "shrinks"
    assert bench.trend([0.05, 0.06, 0.04], [0.20, 0.22, 0.21]) == "grows"
    assert (
        bench.trend([0.10, 0.12, 0.11], [0.11, 0.11, 0.115]) == "stays about the same"
    )


def test_noise_is_a_95_percent_interval_over_the_seeds():
    assert bench.t_quantile(3) == pytest.approx(4.30)
    assert bench.t_quantile(5) == pytest.approx(2.78)
    # mean 0.02, sd 0.01, 3 seeds: the interval is 0.02 ± 4.30 · 0.01 / √3 = 0.02 ± 0.025
    assert bench.within_noise([0.01, 0.02, 0.03])
    # the same values over 9 seeds (sd 0.0087): ± 2.31 · 0.0087 / 3 = ± 0.0067, which excludes 0
    assert not bench.within_noise([0.01, 0.02, 0.03] * 3)
    assert not bench.within_noise([-0.05, -0.06, -0.055])
    with pytest.raises(ValueError, match="at least 2"):
        bench.t_quantile(1)


def test_rare_mean_averages_only_the_rare_classes():
    recall = [0.9] * 10
    recall[2], recall[6] = 0.1, 0.3
    assert bench.rare_mean(recall, [2, 6]) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="rare class ids"):
        bench.rare_mean(recall, [10])


def test_a_section_run_alone_keeps_the_other_blocks_and_their_numbers():
    old = bench.document(
        "# old header",
        {
            "ablation": bench.block("ablation", "old ablation", {"x": 1}),
            "calibration": bench.block("calibration", "old calibration", {"y": 2}),
        },
    )
    new = bench.document(
        "# new header", {"ablation": bench.block("ablation", "new", {"x": 3})}, old
    )
    blocks = bench.blocks_of(new)
    assert list(blocks) == ["ablation", "calibration"]
    assert "new" in blocks["ablation"] and "old ablation" not in new
    assert bench.data_of(blocks["ablation"]) == {"x": 3}
    assert bench.data_of(blocks["calibration"]) == {"y": 2}
    assert new.startswith("# new header") and "# old header" not in new
    with pytest.raises(ValueError, match="data"):
        bench.data_of("no numbers here")


def test_the_ablation_text_states_the_goal_and_the_full_data_reference():
    met = bench.render_ablation(_ablation_results(cpu_lab=9.0))
    assert "goal **met**" in met
    assert "+7.7 points at 1.50×" in met
    assert "60,000" in met and "88 %" in met and "8,000" in met
    missed = bench.render_ablation(_ablation_results(cpu_lab=13.0))
    assert "goal **missed**" in missed


def test_the_imbalance_and_calibration_texts_come_from_their_numbers():
    text = bench.render_imbalance(_imbalance_results())
    budgets = bench.imbalance_budgets()
    assert all(f"{e} epochs" in text for e in budgets)
    # Every method gains 0.05 × its index over plain CE at every budget: no trend.
    assert (
        "**class weights** minus plain CE, rare-class recall: +5.0 ± 0.0 (2 epochs)"
        in text
    )
    assert "the gain of class weights stays about the same" in text
    assert "shrinks" not in text
    assert "largest gain is logit adjustment's" in text
    calibration = bench.render_calibration(_calibration_results())
    assert "lowers the ECE in 3 of 3 seeds" in calibration


def test_the_figure_has_one_panel_per_section_found():
    found = {
        "ablation": _ablation_results(),
        "imbalance": _imbalance_results(),
        "calibration": _calibration_results(),
    }
    fig = bench.plot(found)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert len(bench.plot({"calibration": found["calibration"]}).axes) == 1
    with pytest.raises(ValueError, match="at least one section"):
        bench.plot({})


def test_importing_the_benchmark_does_not_import_tensorflow():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('b', {str(PATH)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_render_only_rewrites_the_text_from_the_numbers_without_training(tmp_path):
    found = {
        "ablation": dict(_ablation_results(), minutes=1.0, cpu_minutes=0.5),
        "calibration": _calibration_results(),
    }
    stale = {
        name: bench.block(name, "stale words", results)
        for name, results in found.items()
    }
    output = tmp_path / "bench.md"
    output.write_text(bench.document("# kept header\n", stale), encoding="utf-8")
    assert bench.main(["--render-only", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# kept header") and "stale words" not in text
    assert "goal **met**" in text and "lowers the ECE in 3 of 3 seeds" in text
    assert "(This section took 1.0 min wall, 0.5 min of process CPU time.)" in text
    assert bench.data_of(bench.blocks_of(text)["calibration"]) == found["calibration"]
    assert output.with_suffix(".png").stat().st_size > 0
