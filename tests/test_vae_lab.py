"""Lab 09's helpers (course_utils.vae_lab): the loss wired into Keras agrees with the library and with
Keras, training is deterministic, a saved model loads in a fresh process, the shipped weights are
checked, and the decoder explorer draws what the decoder computes. Tiny data, one epoch."""

from __future__ import annotations

import hashlib
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import vae_lab
from course_utils.checks import check, exercise
from course_utils.data import DataFileError
from course_utils.exercises import nb09
from course_utils.losses import vae as vae_losses
from course_utils.plotting import artist

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny():
    x, y = vae_lab.mnist_pixels("train", limit=256)
    return x, y


@pytest.fixture(scope="module")
def trained(tiny):
    return vae_lab.train_vae(tiny[0], epochs=1, batch_size=64, seed=0)


def test_importing_the_lab_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.vae_lab, course_utils.exercises.nb09; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_pixels_are_rows_of_784_in_the_unit_interval():
    x, y = vae_lab.mnist_pixels("test", limit=10)
    assert x.shape == (10, 784) and x.dtype == np.float32 and y.shape == (10,)
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        vae_lab.mnist_pixels("validation")


def test_reparameterise_is_mean_plus_standard_deviation_times_noise():
    z = vae_lab.reparameterise([1.0, -2.0], [np.log(4.0), 0.0], [0.5, -1.0])
    np.testing.assert_allclose(z, [1.0 + 2.0 * 0.5, -2.0 - 1.0])
    with pytest.raises(ValueError, match="same shape"):
        vae_lab.reparameterise([0.0], [0.0, 0.0], [0.0])


@pytest.mark.parametrize(
    "mean,log_var",
    [([0.0, 0.0], [0.0, 0.0]), ([1.0, -0.5], [0.0, -1.0]), ([2.0], [1.5])],
)
def test_monte_carlo_kl_agrees_with_the_closed_form(mean, log_var):
    closed = float(vae_losses.gaussian_kl_numpy(mean, log_var))
    estimate = vae_lab.monte_carlo_kl(mean, log_var, samples=200_000, seed=1)
    assert abs(estimate - closed) < 0.02 + 0.01 * closed


def test_kl_per_dimension_adds_up_to_the_mean_kl():
    rng = np.random.default_rng(0)
    mean, log_var = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    per_dim = vae_lab.kl_per_dimension(mean, log_var)
    assert per_dim.shape == (3,)
    np.testing.assert_allclose(
        per_dim.sum(), vae_losses.gaussian_kl_numpy(mean, log_var).mean()
    )
    np.testing.assert_allclose(
        vae_lab.kl_per_dimension(np.zeros((4, 2)), np.zeros((4, 2))), 0.0
    )


def test_summed_bce_is_keras_bce_times_784():
    import keras

    x, _ = vae_lab.mnist_pixels("test", limit=5)
    p = np.clip(0.7 * x + 0.15, 0, 1).astype("float32")
    keras_mean = keras.losses.binary_crossentropy(x, p).numpy()
    np.testing.assert_allclose(
        vae_lab.bce_sum_per_image(x, p), 784 * keras_mean, rtol=1e-4
    )
    np.testing.assert_allclose(
        vae_lab.bce_sum_per_image(x, p),
        vae_losses.vae_loss_numpy(
            x, p, np.zeros((5, 2)), np.zeros((5, 2))
        ).reconstruction,
        rtol=1e-10,
    )


def test_compute_loss_is_the_librarys_vae_loss_on_the_models_outputs(tiny, trained):
    import keras

    x = tiny[0][:32]
    vae = trained.vae
    outputs = vae(x, training=False)
    loss = float(vae.compute_loss(x=x, y_pred=outputs, training=False))
    parts = vae_losses.vae_loss_numpy(
        x,
        np.asarray(outputs["reconstruction"], dtype=float),
        np.asarray(outputs["mean"], dtype=float),
        np.asarray(outputs["log_var"], dtype=float),
        beta=1.0,
    )
    assert loss == pytest.approx(parts.total.mean(), rel=1e-4)
    # and the reconstruction term is Keras's binary cross-entropy, summed over pixels
    keras_bce = keras.losses.binary_crossentropy(x, outputs["reconstruction"]).numpy()
    np.testing.assert_allclose(parts.reconstruction, 784 * keras_bce, rtol=1e-3)


def test_training_reports_both_terms_and_the_loss_is_their_weighted_sum(tiny):
    run = vae_lab.train_vae(tiny[0], epochs=1, batch_size=64, beta=3.0, seed=0)
    assert len(run.loss) == len(run.reconstruction) == len(run.kl) == 1
    assert run.loss[0] == pytest.approx(
        run.reconstruction[0] + 3.0 * run.kl[0], rel=1e-4
    )
    assert run.vae.beta == 3.0 and run.seconds > 0


def test_training_is_deterministic_for_a_seed(tiny, trained):
    again = vae_lab.train_vae(tiny[0], epochs=1, batch_size=64, seed=0)
    for first, second in zip(trained.vae.get_weights(), again.vae.get_weights()):
        np.testing.assert_array_equal(first, second)


def test_negative_elbo_is_the_summed_bce_at_a_sampled_code_plus_the_kl(tiny, trained):
    x = tiny[0][:16]
    r, kl = vae_lab.negative_elbo(trained.vae, x, seed=3)
    mean, log_var = vae_lab.encode(trained.vae, x)
    noise = np.random.default_rng(3).standard_normal(mean.shape)
    rebuilt = vae_lab.decode(trained.vae, mean + np.exp(0.5 * log_var) * noise)
    by_hand = -np.sum(
        x * np.log(np.clip(rebuilt, 1e-7, 1 - 1e-7))
        + (1 - x) * np.log(np.clip(1 - rebuilt, 1e-7, 1 - 1e-7)),
        axis=1,
    )
    np.testing.assert_allclose(r, by_hand, rtol=1e-5)
    np.testing.assert_allclose(kl, vae_losses.gaussian_kl_numpy(mean, log_var))
    # the same seed draws the same noise; another seed other noise (R moves, KL does not)
    np.testing.assert_array_equal(vae_lab.negative_elbo(trained.vae, x, seed=3)[0], r)
    other_r, other_kl = vae_lab.negative_elbo(trained.vae, x, seed=4)
    assert not np.allclose(other_r, r)
    np.testing.assert_array_equal(other_kl, kl)
    assert r.shape == kl.shape == (16,)


def test_training_measures_the_test_elbo_after_every_epoch_without_changing_training(
    tiny,
):
    x_test = tiny[0][:40]
    run = vae_lab.train_vae(tiny[0], epochs=2, batch_size=64, seed=0, x_test=x_test)
    plain = vae_lab.train_vae(tiny[0], epochs=2, batch_size=64, seed=0)
    assert run.loss == plain.loss  # the measurement draws no Keras random numbers
    for first, second in zip(run.vae.get_weights(), plain.vae.get_weights()):
        np.testing.assert_array_equal(first, second)
    assert len(run.test_reconstruction) == len(run.test_kl) == len(run.test_loss) == 2
    r, kl = vae_lab.negative_elbo(run.vae, x_test, seed=0)  # after the last epoch
    assert run.test_reconstruction[-1] == pytest.approx(r.mean(), rel=1e-6)
    assert run.test_kl[-1] == pytest.approx(kl.mean(), rel=1e-6)
    assert run.test_loss[-1] == pytest.approx(r.mean() + kl.mean(), rel=1e-6)
    assert plain.test_loss == [] and plain.test_reconstruction == []
    fig = vae_lab.plot_loss_curves(run, floor=40.0)
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[1].get_ydata(), run.test_reconstruction)
    np.testing.assert_allclose(right.lines[1].get_ydata(), run.test_kl)
    assert left.lines[2].get_ydata()[0] == 40.0  # the floor
    with pytest.raises(ValueError, match="x_test"):
        vae_lab.train_vae(tiny[0], epochs=1, x_test=tiny[0][:4] * 255)


def test_inference_decodes_the_mean_so_reconstructions_repeat(tiny, trained):
    x = tiny[0][:8]
    np.testing.assert_array_equal(
        vae_lab.reconstruct(trained.vae, x), vae_lab.reconstruct(trained.vae, x)
    )
    mean, _ = vae_lab.encode(trained.vae, x)
    np.testing.assert_allclose(
        vae_lab.reconstruct(trained.vae, x),
        vae_lab.decode(trained.vae, mean),
        atol=1e-6,
    )


def test_sampling_layer_draws_mean_plus_sigma_noise_with_the_right_spread():
    sampling, _ = vae_lab.vae_classes()
    mean = np.full((20_000, 2), [1.0, -3.0], dtype="float32")
    log_var = np.full((20_000, 2), [0.0, np.log(0.25)], dtype="float32")
    z = np.asarray(sampling(seed=3)([mean, log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -3.0], atol=0.03)
    np.testing.assert_allclose(z.std(axis=0), [1.0, 0.5], rtol=0.03)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"x must have shape \(m, 784\)"):
        vae_lab.train_vae(np.zeros((4, 28, 28)))
    with pytest.raises(ValueError, match=r"pixels in \[0, 1\]"):
        vae_lab.train_vae(np.full((4, 784), 255.0))
    with pytest.raises(ValueError, match="beta must be >= 0"):
        vae_lab.build_vae(beta=-1.0)
    with pytest.raises(TypeError, match="epochs must be an integer"):
        vae_lab.train_vae(np.zeros((4, 784)), epochs=1.5)


def test_saved_model_loads_in_a_fresh_process_with_the_same_reconstructions(
    tiny, trained, tmp_path
):
    path = tmp_path / "vae.keras"
    trained.vae.save(path)
    x = tiny[0][:16]
    reloaded = vae_lab.reconstruct_in_fresh_process(path, x)
    np.testing.assert_allclose(reloaded, vae_lab.reconstruct(trained.vae, x), atol=1e-6)


def test_fresh_process_failure_is_reported(tmp_path):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip")
    with pytest.raises(RuntimeError, match="fresh process failed"):
        vae_lab.reconstruct_in_fresh_process(broken, np.zeros((1, 784)))


# ----------------------------------------------------------------------------- shipped weights


def test_shipped_weights_match_their_checksum_readme_and_size():
    path = vae_lab.pretrained_path()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == vae_lab.PRETRAINED_FILES[vae_lab.PRETRAINED_VAE]
    assert digest in (ROOT / "data" / "pretrained" / "README.md").read_text()
    assert path.stat().st_size <= 2_000_000


def test_shipped_weights_load_into_the_built_vae_and_reconstruct_test_digits():
    vae = vae_lab.load_pretrained_vae()
    x, _ = vae_lab.mnist_pixels("test", limit=200)
    bce = vae_lab.bce_sum_per_image(x, vae_lab.reconstruct(vae, x)).mean()
    assert 120 < bce < 175
    assert vae.beta == 1.0 and vae.decoder.input_shape == (None, 2)


def test_missing_shipped_weights_say_how_to_restore_them(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="Missing trained-weights file") as error:
        vae_lab.verify_pretrained()
    assert "scripts/build_pretrained.py" in str(error.value)
    assert "git checkout -- data/pretrained/" in str(error.value)


def test_corrupted_shipped_weights_are_refused(monkeypatch, tmp_path):
    copy = tmp_path / vae_lab.PRETRAINED_VAE
    copy.parent.mkdir(parents=True)
    shutil.copy(vae_lab.pretrained_path(), copy)
    damaged = bytearray(copy.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    copy.write_bytes(bytes(damaged))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="corrupted or was changed: its SHA-256 is"):
        vae_lab.verify_pretrained()


def _build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_pretrained", ROOT / "scripts" / "build_pretrained.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_writes_the_same_bytes_twice_and_they_load_back(
    tmp_path, monkeypatch
):
    module = _build_script()
    vae = vae_lab.build_vae(seed=5)
    first, second = tmp_path / "a.weights.h5", tmp_path / "b.weights.h5"
    digest = module.save_weights_file(vae, first)
    assert module.save_weights_file(vae, second) == digest
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size <= 2_000_000
    # Loaded the way the shipped file is: the same reconstructions as the saved model.
    x, _ = vae_lab.mnist_pixels("test", limit=8)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    shipped = tmp_path / vae_lab.PRETRAINED_VAE
    shipped.parent.mkdir(parents=True)
    shipped.write_bytes(first.read_bytes())
    monkeypatch.setitem(vae_lab.PRETRAINED_FILES, vae_lab.PRETRAINED_VAE, digest)
    vae_lab.load_pretrained_vae.cache_clear()
    try:
        loaded = vae_lab.load_pretrained_vae()
        np.testing.assert_allclose(
            vae_lab.reconstruct(loaded, x), vae_lab.reconstruct(vae, x), atol=1e-6
        )
    finally:
        vae_lab.load_pretrained_vae.cache_clear()


def test_weights_that_do_not_fit_the_vae_are_refused(tmp_path, monkeypatch):
    other = vae_lab.vae_classes()[1](
        vae_lab.build_encoder(3), vae_lab.build_decoder(3), name="vae"
    )
    other(np.zeros((1, 784), dtype="float32"))
    target = tmp_path / vae_lab.PRETRAINED_VAE
    target.parent.mkdir(parents=True)
    other.save_weights(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(vae_lab.PRETRAINED_FILES, vae_lab.PRETRAINED_VAE, digest)
    vae_lab.load_pretrained_vae.cache_clear()
    try:
        with pytest.raises(DataFileError, match="does not fit the VAE"):
            vae_lab.load_pretrained_vae()
    finally:
        vae_lab.load_pretrained_vae.cache_clear()


# ----------------------------------------------------------------------------- explorer and figures


def test_numpy_decoder_equals_the_keras_decoder(trained):
    z = np.random.default_rng(0).normal(size=(5, 2))
    weights = vae_lab.decoder_weights(trained.vae)
    np.testing.assert_allclose(weights(z), vae_lab.decode(trained.vae, z), atol=1e-5)


def test_decoder_explorer_draws_the_decoded_digit_and_rejects_out_of_range(trained):
    live = vae_lab.decoder_explorer_widget(trained.vae)
    live.set(z1=-1.25, z2=2.0)
    shown = artist(live.figure, "decoded").get_array()
    np.testing.assert_allclose(
        np.asarray(shown).ravel(),
        vae_lab.decode(trained.vae, [[-1.25, 2.0]])[0],
        atol=1e-5,
    )
    assert artist(live.figure, "cursor").get_xydata().tolist() == [[-1.25, 2.0]]
    assert artist(live.figure, "z-label").get_text() == "z = (-1.25, +2.00)"
    with pytest.raises(ValueError, match="z1 must be"):
        live.set(z1=9.0)
    with pytest.raises(ValueError, match="z1 must be in"):
        vae_lab.update_decoder_explorer(
            live.figure, 9.0, 0.0, weights=vae_lab.decoder_weights(trained.vae)
        )


def test_interpolation_runs_from_start_to_end():
    path = vae_lab.interpolate([0.0, 1.0], [2.0, -1.0], steps=5)
    np.testing.assert_allclose(path[0], [0.0, 1.0])
    np.testing.assert_allclose(path[-1], [2.0, -1.0])
    np.testing.assert_allclose(path[2], [1.0, 0.0])
    with pytest.raises(ValueError, match="same length"):
        vae_lab.interpolate([0.0], [1.0, 2.0])


def test_figures_show_their_data(trained, tiny):
    fig = vae_lab.plot_loss_curves(trained)
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), trained.reconstruction)
    np.testing.assert_allclose(right.lines[0].get_ydata(), trained.kl)
    mean, _ = vae_lab.encode(trained.vae, tiny[0][:50])
    fig = vae_lab.plot_latent_space(np.clip(mean, -3, 3), tiny[1][:50])
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == 50
    with pytest.raises(ValueError, match="2 columns"):
        vae_lab.plot_latent_space(np.zeros((3, 4)), np.zeros(3))
    strip = vae_lab.image_strip(np.ones((3, 784)), 2)
    assert strip.shape == (58, 58) and strip[28:30].max() == 0.0


def test_beta_tradeoff_orders_the_runs_and_measures_each(tiny):
    runs = vae_lab.beta_tradeoff(
        tiny[0], tiny[0][:20], (0.01, 50.0), latent_dim=3, epochs=1, samples=4
    )
    assert [r.beta for r in runs] == [0.01, 50.0]
    for run in runs:
        assert run.kl_per_dim.shape == (3,) and run.samples.shape == (4, 784)
        assert run.kl_per_dim.sum() == pytest.approx(run.kl, rel=1e-6)
        assert run.activity.shape == (3,) and np.all(run.activity >= 0)
        assert run.latent_dim == 3 and np.isfinite(run.negative_elbo)
    assert runs[1].kl < runs[0].kl
    # the −ELBO is measured at β = 1 whatever the run's β: for β = 50 it is R + KL, not R + 50 KL
    assert runs[1].negative_elbo < runs[1].reconstruction + 50.0 * runs[1].kl + 50.0
    fig = vae_lab.plot_beta_tradeoff(runs)
    assert len(fig.axes) == 6
    originals = tiny[0][:4]
    fig = vae_lab.plot_beta_tradeoff(runs, originals, originals.mean(axis=0))
    assert len(fig.axes) == 8  # the originals row: the constant image and the originals
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown, vae_lab.image_strip(originals, 4))
    with pytest.raises(ValueError, match="originals must be the 4 images"):
        vae_lab.plot_beta_tradeoff(runs, originals[:3])


def test_reconstruction_rows_show_the_originals_above_each_model():
    x = np.random.default_rng(0).uniform(size=(5, 784))
    rows = {"d = 2": x[::-1], "d = 8": 1 - x}
    fig = vae_lab.plot_reconstruction_rows(x, rows, count=4)
    (ax,) = fig.axes
    expected = vae_lab.image_strip(np.concatenate([x[:4], x[::-1][:4], 1 - x[:4]]), 4)
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "original",
        "d = 2",
        "d = 8",
    ]
    with pytest.raises(TypeError, match="rows must be a non-empty dict"):
        vae_lab.plot_reconstruction_rows(x, [x])
    with pytest.raises(ValueError, match="as many images as x"):
        vae_lab.plot_reconstruction_rows(x, {"d = 2": x[:2]})


def test_active_units_count_the_units_whose_mean_varies_over_images():
    # Made-up encoder means of 4 images in 4 units: unit 1 moves a lot, unit 2 just above
    # the threshold (variance 0.0121), unit 3 just below (0.0081), unit 4 never moves.
    mean = np.array(
        [
            [1.0, 0.11, 0.09, 3.0],
            [-1.0, -0.11, -0.09, 3.0],
            [2.0, 0.11, 0.09, 3.0],
            [-2.0, -0.11, -0.09, 3.0],
        ]
    )
    activity = vae_lab.latent_activity(mean)
    np.testing.assert_allclose(activity, [2.5, 0.0121, 0.0081, 0.0])
    assert vae_lab.active_units(activity) == 2
    assert vae_lab.active_units(activity, threshold=0.001) == 3
    assert vae_lab.active_units(activity, threshold=5.0) == 0
    assert isinstance(vae_lab.active_units(activity), int)
    # Activity ignores log σ² and the mean level: shifting every μ changes nothing.
    np.testing.assert_allclose(vae_lab.latent_activity(mean + 7.0), activity)


def test_best_constant_image_is_the_mean_image():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (50, 784))
    best = vae_lab.constant_image_bce(x, x)
    expected = vae_lab.bce_sum_per_image(x, np.tile(x.mean(axis=0), (50, 1))).mean()
    assert best == pytest.approx(expected)
    for shift in (
        -0.05,
        0.05,
    ):  # any other constant image does worse on the same images
        other = np.clip(np.tile(x.mean(axis=0) + shift, (50, 1)), 0, 1)
        assert vae_lab.bce_sum_per_image(x, other).mean() > best


def test_lab_mean_digit_costs_204_8_nats_on_the_tradeoffs_test_images():
    x_train, _ = vae_lab.mnist_pixels("train")
    x_test, _ = vae_lab.mnist_pixels("test")
    n_train, n_test = vae_lab.TRADEOFF_IMAGES, 1000
    bce = vae_lab.constant_image_bce(x_train[:n_train], x_test[:n_test])
    assert bce == pytest.approx(204.80, abs=0.01)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: vae_lab.reparameterise("a", [0.0], [0.0]), TypeError, "mean must be"),
        (lambda: vae_lab.interpolate(None, [1.0]), TypeError, "z_start must be"),
        (lambda: vae_lab.interpolate([0.0], [1.0], steps=0), ValueError, "steps"),
        (
            lambda: vae_lab.bce_sum_per_image(np.zeros((2, 784)), np.zeros((3, 784))),
            ValueError,
            "same shape",
        ),
        (lambda: vae_lab.image_strip(np.zeros((2, 5))), ValueError, "images must"),
        (lambda: vae_lab.monte_carlo_kl([np.nan], [0.0]), ValueError, "mean must"),
        (lambda: vae_lab.kl_per_dimension("x", "y"), TypeError, "mean must"),
        (lambda: vae_lab.mnist_pixels("train", limit=True), TypeError, "limit"),
        (
            lambda: vae_lab.plot_latent_space(np.zeros((3, 2)), None),
            ValueError,
            "labels must",
        ),
        (lambda: vae_lab.pretrained_path("other.keras"), ValueError, "name must be"),
        (lambda: vae_lab.monte_carlo_kl([0.0], [0.0], seed=None), TypeError, "seed"),
        (lambda: vae_lab.build_encoder(hidden="64"), TypeError, "hidden must be"),
        (
            lambda: vae_lab.build_vae(learning_rate=math.nan),
            ValueError,
            "learning_rate",
        ),
        (lambda: vae_lab.decode("vae", [[0.0, 0.0]]), TypeError, "vae_or_decoder"),
        (lambda: vae_lab.latent_activity("x"), TypeError, "mean must"),
        (lambda: vae_lab.latent_activity(np.zeros((1, 3))), ValueError, "at least 2"),
        (lambda: vae_lab.active_units([[0.1]]), ValueError, "activity must"),
        (lambda: vae_lab.active_units([0.1], threshold=-1), ValueError, "threshold"),
        (
            lambda: vae_lab.constant_image_bce(None, np.zeros((1, 784))),
            TypeError,
            "x_fit",
        ),
        (lambda: vae_lab.negative_elbo("vae", np.zeros((1, 784))), TypeError, "vae"),
        (lambda: vae_lab.plot_loss_curves("run"), TypeError, "training"),
        (
            lambda: vae_lab.plot_reconstruction_rows(np.zeros((1, 784)), {}),
            TypeError,
            "rows",
        ),
    ],
)
def test_helpers_name_the_bad_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_exercise_floor_is_the_labs_floor_and_wants_3_decimals():
    # 09.5's six pixels in an otherwise blank image: bce_sum_per_image of x against itself,
    # as the notebook computes the floor (each blank pixel adds only the clip's 1e-7)
    x = np.zeros((1, 784))
    x[0, : len(nb09.FLOOR_PIXELS)] = nb09.FLOOR_PIXELS
    floor = vae_lab.bce_sum_per_image(x, x)[0]
    assert floor == pytest.approx(exercise("09.5").solution, abs=1e-3)
    for digits in (3, 4):
        assert check("09.5", round(exercise("09.5").solution, digits)).passed
    coarse = check("09.5", round(exercise("09.5").solution, 2))
    assert not coarse.passed and "rounded too coarsely" in coarse.message
