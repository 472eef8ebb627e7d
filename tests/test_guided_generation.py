"""Lab 10's helpers (course_utils.guided_generation): the extra loss terms agree with TensorFlow and
Keras, each descent lowers the loss it is given, the weights grid and its widget show what was computed,
and bad input is named. Tiny data, one epoch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from course_utils import guided_generation as gg
from course_utils import vae_lab
from course_utils.checks import check
from course_utils.exercises import nb10
from course_utils.plotting import artist


@pytest.fixture(scope="module")
def judge():
    x, y = vae_lab.mnist_pixels("train", limit=1000)
    x_test, y_test = vae_lab.mnist_pixels("test", limit=200)
    return gg.train_classifier(x, y, x_test, y_test, epochs=1, seed=0)


@pytest.fixture(scope="module")
def start():
    x, y = vae_lab.mnist_pixels("test", limit=50)
    return x[y == 1][:1]


def test_importing_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, course_utils.guided_generation, course_utils.exercises.nb10; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_classifier_trains_deterministically_and_beats_chance(judge):
    x, y = vae_lab.mnist_pixels("train", limit=1000)
    x_test, y_test = vae_lab.mnist_pixels("test", limit=200)
    again = gg.train_classifier(x, y, x_test, y_test, epochs=1, seed=0)
    assert judge.accuracy > 0.6 and again.accuracy == judge.accuracy
    for first, second in zip(judge.model.get_weights(), again.model.get_weights()):
        np.testing.assert_array_equal(first, second)


def test_probabilities_are_keras_softmax(judge, start):
    import keras

    logits = judge.model(start)
    expected = keras.ops.softmax(logits).numpy()
    probabilities = gg.class_probabilities(judge.model, start)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5)
    assert gg.predict_classes(judge.model, start).shape == (1,)


def test_total_variation_is_tf_image_total_variation():
    import tensorflow as tf

    images = np.random.default_rng(0).random((4, 784)).astype("float32")
    expected = tf.image.total_variation(
        tf.constant(images.reshape(4, 28, 28, 1))
    ).numpy()
    np.testing.assert_allclose(gg.total_variation(images), expected, rtol=1e-5)
    np.testing.assert_allclose(gg.total_variation(np.zeros(784)), [0.0])
    np.testing.assert_allclose(
        gg._tf_total_variation(images).numpy(), expected, rtol=1e-5
    )


def test_exercise_tv_reference_agrees_with_the_lab_helper():
    image = np.random.default_rng(1).random((28, 28))
    assert nb10._reference_tv(image) == pytest.approx(
        gg.total_variation(image.ravel())[0]
    )


def test_near_initial_is_keras_mean_squared_error():
    import keras

    rng = np.random.default_rng(2)
    x, x0 = rng.random((3, 784)), rng.random((3, 784))
    np.testing.assert_allclose(
        gg.near_initial(x, x0),
        keras.losses.mean_squared_error(x0, x).numpy(),
        rtol=1e-5,
    )
    with pytest.raises(ValueError, match="same shape"):
        gg.near_initial(x, x0[:2])


def test_guided_loss_terms_match_their_definitions(judge, start):
    terms = gg.guided_loss_terms(judge.model, start, start, 0)
    p = gg.class_probabilities(judge.model, start)[0]
    assert terms["ce"][0] == pytest.approx(-np.log(p[0]))
    assert terms["near"][0] == 0.0
    assert terms["tv"][0] == pytest.approx(gg.total_variation(start)[0])


def test_pixel_descent_lowers_its_loss_keeps_pixels_in_range_and_fools(judge, start):
    result = gg.descend_pixels(judge.model, start, 0, steps=30)
    assert result.losses.shape == (30, 1)
    assert result.losses[-1, 0] < result.losses[0, 0]
    assert result.images.min() >= 0.0 and result.images.max() <= 1.0
    before = gg.class_probabilities(judge.model, start)[0, 0]
    assert result.probabilities[0, 0] > before
    # the first loss is the loss of the start image
    first = gg.guided_loss_terms(judge.model, start, start, 0)["ce"][0]
    assert result.losses[0, 0] == pytest.approx(first, rel=1e-4)


def test_a_large_near_weight_keeps_the_image_closer(judge, start):
    free = gg.descend_pixels(judge.model, start, 0, steps=30)
    held = gg.descend_pixels(judge.model, start, 0, steps=30, near_weight=1e4)
    assert (
        gg.change_summary(held.images, start)["rms"]
        < gg.change_summary(free.images, start)["rms"]
    )


def test_a_large_tv_weight_gives_a_smoother_image(judge, start):
    free = gg.descend_pixels(judge.model, start, 0, steps=30)
    smooth = gg.descend_pixels(judge.model, start, 0, steps=30, tv_weight=0.1)
    assert gg.total_variation(smooth.images)[0] < gg.total_variation(free.images)[0]


def test_latent_descent_lowers_the_loss_and_returns_decoded_images(judge, start):
    vae = vae_lab.load_pretrained_vae()
    z0, _ = vae_lab.encode(vae, start)
    result = gg.descend_latent(judge.model, vae, z0, 0, steps=40)
    assert result.latent.shape == (1, 2) and result.losses.shape == (40, 1)
    assert result.losses[-1, 0] < result.losses[0, 0]
    np.testing.assert_allclose(
        result.images, vae_lab.decode(vae, result.latent), atol=1e-6
    )
    held = gg.descend_latent(
        judge.model, vae, z0 * 0 + 5.0, 0, steps=40, prior_weight=5.0
    )
    assert np.linalg.norm(held.latent) < np.linalg.norm([5.0, 5.0])


def test_init_term_is_the_articles_mean_squared_error_times_half_the_weight():
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(0)
    z, z0 = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    weights = np.array([0.5, 8.0, 100.0])
    term = gg.init_term(z, z0, weights)
    for row in range(3):  # F.mse_loss(z, z_orig) * init_weight / 2 on one latent
        article = keras.ops.mean(keras.ops.square(z[row] - z0[row])) * weights[row] / 2
        assert term[row] == pytest.approx(float(article), rel=1e-12)
    # the gradient is λ/d (z − z⁰): the mean divides by d = 4, the ½ cancels the square's 2
    variable = tf.Variable(z)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(
            weights / 2 * tf.reduce_mean(tf.square(variable - z0), axis=1)
        )
    gradient = tape.gradient(total, variable).numpy()
    np.testing.assert_allclose(gradient, weights[:, None] / 4 * (z - z0), rtol=1e-12)
    assert gg.init_term([1.0, 2.0], [1.0, 2.0]).tolist() == [0.0]  # one vector, one row
    with pytest.raises(ValueError, match="same shape"):
        gg.init_term(z, z0[:2])
    with pytest.raises(ValueError, match="init_weight must be finite and >= 0"):
        gg.init_term(z, z0, -1.0)


def test_init_weight_keeps_the_latent_near_its_start(judge, start):
    vae = vae_lab.load_pretrained_vae()
    z0, _ = vae_lab.encode(vae, start)
    weights = np.array([0.0, 1e4])
    both = gg.descend_latent(
        judge.model, vae, np.repeat(z0, 2, 0), 0, init_weight=weights, steps=40
    )
    moved = np.linalg.norm(both.latent - z0, axis=1)
    assert moved[1] < 0.1 < moved[0]
    # one weight per row is the descent of each row alone (rows are independent problems)
    alone = gg.descend_latent(judge.model, vae, z0, 0, init_weight=1e4, steps=40)
    np.testing.assert_allclose(both.latent[1], alone.latent[0], atol=1e-4)
    free = gg.descend_latent(judge.model, vae, z0, 0, steps=40)
    np.testing.assert_allclose(both.latent[0], free.latent[0], atol=1e-4)
    # the first loss is at z = z⁰, where the init term is 0: the CE alone, for both rows
    ce = -np.log(gg.class_probabilities(judge.model, vae_lab.decode(vae, z0))[0, 0])
    np.testing.assert_allclose(both.losses[0], [ce, ce], rtol=1e-4)
    with pytest.raises(ValueError, match="one per image"):
        gg.descend_latent(judge.model, vae, z0, 0, init_weight=[1.0, 2.0], steps=1)
    with pytest.raises(ValueError, match="init_weight must be finite and >= 0"):
        gg.descend_latent(judge.model, vae, z0, 0, init_weight=-1.0, steps=1)


def test_init_weight_figure_titles_each_result(start):
    images = np.repeat(start, 3, 0)
    fig = gg.plot_init_weight(
        [0.0, 1.0, 10.0], images, [3.5, 1.0, 0.2], [0.9, 0.5, 0.1], 0
    )
    assert len(fig.axes) == 3
    assert fig.axes[1].get_title() == "λ_init = 1\n‖z − z⁰‖ = 1.0\np(0) = 0.50"
    np.testing.assert_allclose(
        np.asarray(fig.axes[2].images[0].get_array()).ravel(), start[0]
    )
    with pytest.raises(ValueError, match="one entry per weight"):
        gg.plot_init_weight([0.0, 1.0], images, [1.0, 2.0, 3.0], [0.1, 0.2, 0.3], 0)


def test_exercise_init_gradient_matches_the_lab_term():
    import tensorflow as tf

    variable = tf.Variable(nb10.INIT_Z[None])
    with tf.GradientTape() as tape:
        weight = tf.constant([nb10.INIT_WEIGHT], dtype=tf.float64)
        term = weight / 2 * tf.reduce_mean(tf.square(variable - nb10.INIT_Z0[None]), 1)
    gradient = tape.gradient(term, variable).numpy()[0]
    np.testing.assert_allclose(gradient, nb10._INIT_GRADIENT, rtol=1e-12)
    value = gg.init_term(nb10.INIT_Z, nb10.INIT_Z0, nb10.INIT_WEIGHT)[0]
    assert value == pytest.approx(float(term.numpy()[0]), rel=1e-12)


def test_weights_grid_runs_every_pair_as_one_batch(judge, start):
    grid = gg.weights_grid(judge.model, start, 0, (1.0, 1e4), (1e-4, 0.1), steps=20)
    assert grid.images.shape == (2, 2, 784) and grid.probabilities.shape == (2, 2, 10)
    single = gg.descend_pixels(
        judge.model, start, 0, steps=20, near_weight=1e4, tv_weight=0.1
    )
    # the same descent, up to float32 noise that Adam's normalised steps can amplify to ~1e-3
    np.testing.assert_allclose(grid.images[1, 1], single.images[0], atol=0.01)
    assert grid.index(4.0, -1.0) == (1, 1)
    assert grid.index(0.4, -3.9) == (0, 0)  # between two computed weights: the nearest
    with pytest.raises(ValueError, match=r"log_near_weight must be in \[0, 4\]"):
        grid.index(5.0, -1.0)
    with pytest.raises(ValueError, match="one image"):
        gg.weights_grid(judge.model, np.vstack([start, start]), 0)


def test_default_weights_are_powers_of_ten_in_half_steps():
    np.testing.assert_allclose(np.diff(np.log10(gg.NEAR_WEIGHTS)), 0.5)
    np.testing.assert_allclose(np.diff(np.log10(gg.TV_WEIGHTS)), 0.5)
    assert gg.NEAR_WEIGHTS[0] == 1.0 and gg.TV_WEIGHTS[-1] == pytest.approx(0.1)


def test_guidance_widget_shows_the_stored_result(judge, start):
    grid = gg.weights_grid(judge.model, start, 0, (1.0, 1e4), (1e-4, 0.1), steps=10)
    live = gg.guidance_weights_widget(grid)
    live.set(log_near_weight=4.0, log_tv_weight=-1.0)
    shown = np.asarray(artist(live.figure, "result").get_array()).ravel()
    np.testing.assert_allclose(shown, grid.images[1, 1])
    heights = [artist(live.figure, f"bar-{k}").get_height() for k in range(10)]
    np.testing.assert_allclose(heights, grid.probabilities[1, 1])
    assert (
        artist(live.figure, "caption")
        .get_text()
        .startswith(f"p(0) = {grid.probabilities[1, 1, 0]:.2f}")
    )
    with pytest.raises(ValueError, match="must be"):
        live.set(log_near_weight=7.0)
    zero = gg.weights_grid(judge.model, start, 0, (0.0, 1.0), (0.0, 0.1), steps=2)
    with pytest.raises(ValueError, match="must all be > 0"):
        gg.guidance_weights_widget(zero)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda m, s: gg.descend_pixels(m, s, 10), "target must be a class in 0..9"),
        (lambda m, s: gg.descend_pixels(m, s * 255, 0), r"pixels in \[0, 1\]"),
        (lambda m, s: gg.descend_pixels(m, s, 0, near_weight=-1.0), "near_weight"),
        (lambda m, s: gg.descend_pixels(m, s, 0, steps=0), "steps must be positive"),
        (lambda m, s: gg.descend_pixels(m, s[:, :100], 0), r"shape \(m, 784\)"),
        (lambda m, s: gg.descend_pixels("model", s, 0), "model must be a Keras model"),
        (lambda m, s: gg.class_probabilities(None, s), "model must be a Keras model"),
        (
            lambda m, s: gg.train_classifier(s, ["1"], s, [1]),
            "y_train must hold one integer class",
        ),
        (
            lambda m, s: gg.descend_latent(
                m, lambda z: z, [[0.0, 0.0]], 0, prior_weight=-1
            ),
            "prior_weight must be >= 0",
        ),
    ],
)
def test_bad_inputs_are_named(judge, start, call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(judge.model, start)


def test_figures_show_the_images(judge, start):
    result = gg.descend_pixels(judge.model, start, 0, steps=5)
    p0 = gg.class_probabilities(judge.model, start)[0]
    fig = gg.plot_adversarial(
        start[0], result.images[0], p0, result.probabilities[0], 0
    )
    np.testing.assert_allclose(
        np.asarray(fig.axes[2].images[0].get_array()).ravel(),
        result.images[0] - start[0],
        atol=1e-6,
    )
    fig = gg.plot_side_by_side(start[0], start[0], start[0], start[0], "abcd")
    assert [ax.get_title() for ax in fig.axes] == list("abcd")


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: gg.total_variation("x"), TypeError, "x must be"),
        (lambda: gg.total_variation(np.zeros(5)), ValueError, "28×28 images"),
        (lambda: gg.near_initial([np.nan], [0.0]), ValueError, "x must be finite"),
        (
            lambda: gg.change_summary(np.zeros(3), np.zeros(4)),
            ValueError,
            "same shape",
        ),
    ],
)
def test_numeric_helpers_name_the_bad_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"target": 2.5}, TypeError, "target must be a class number"),
        ({"target": "a"}, TypeError, "target must be a class number"),
        ({"target": 0, "near_weight": [1.0, 2.0]}, ValueError, "one per image"),
        ({"target": 0, "tv_weight": None}, TypeError, "tv_weight must be"),
        ({"target": 0, "learning_rate": "fast"}, TypeError, "learning_rate"),
    ],
)
def test_pixel_descent_names_the_bad_argument(judge, start, kwargs, error, message):
    target = kwargs.pop("target")
    with pytest.raises(error, match=message):
        gg.descend_pixels(judge.model, start, target, steps=1, **kwargs)


# ----------------------------------------------------------------------------- attacks on a batch


@pytest.fixture(scope="module")
def batch():
    x, y = vae_lab.mnist_pixels("test", limit=40)
    return x[:12], (y[:12] + 1) % 10


def test_budget_keeps_every_change_within_epsilon(judge, batch):
    images, goal = batch
    result = gg.descend_pixels(judge.model, images, goal, budget=[0.05] * 6 + [0.2] * 6)
    change = np.abs(result.images - images)
    assert change[:6].max() <= 0.05 + 1e-6 and change[6:].max() <= 0.2 + 1e-6
    assert result.images.min() >= 0 and result.images.max() <= 1
    assert change[6:].max() > 0.1  # the larger budget is used


def test_batch_descent_is_the_descent_of_each_image(judge, batch):
    images, goal = batch
    together = gg.descend_pixels(judge.model, images[:3], goal[:3], budget=0.1, steps=5)
    alone = gg.descend_pixels(judge.model, images[1:2], goal[1:2], budget=0.1, steps=5)
    np.testing.assert_allclose(together.images[1], alone.images[0], atol=1e-5)


def test_fgsm_is_one_signed_step_down_the_target_cross_entropy(judge, batch):
    import keras
    import tensorflow as tf

    images, goal = batch
    x = tf.Variable(images)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(
            keras.losses.sparse_categorical_crossentropy(
                goal, judge.model(x), from_logits=True
            )
        )
    expected = np.clip(images - 0.1 * np.sign(tape.gradient(total, x).numpy()), 0, 1)
    np.testing.assert_allclose(gg.fgsm(judge.model, images, goal, 0.1), expected)
    before = gg.guided_loss_terms(judge.model, images, images, goal)["ce"]
    after_images = gg.fgsm(judge.model, images, goal, 0.1)
    after = gg.guided_loss_terms(judge.model, after_images, images, goal)["ce"]
    assert after.mean() < before.mean()


def test_success_rate_counts_target_hits():
    assert gg.success_rate([1, 2, 3, 4], [1, 2, 0, 0]) == 0.5
    with pytest.raises(TypeError, match="targets"):
        gg.success_rate([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="predictions"):
        gg.success_rate([], [])


def test_shift_moves_pixels_and_fills_with_blank():
    import tensorflow as tf

    image = np.zeros((1, 784), dtype="float32")
    image[0, 10 * 28 + 12] = 1.0
    moved = gg._tf_shift(tf.constant(image), tf.constant([2, -1])).numpy()
    assert moved[0, 12 * 28 + 11] == 1.0 and moved.sum() == 1.0
    edge = np.zeros((1, 784), dtype="float32")
    edge[0, 27] = 1.0  # top-right corner leaves the image
    assert gg._tf_shift(tf.constant(edge), tf.constant([0, 2])).numpy().sum() == 0.0
    offsets = gg._random_shifts(50, 8, 0)
    assert offsets.shape == (50, 8, 2) and offsets.min() == -2 and offsets.max() == 2


def test_shift_averaged_descent_lowers_its_loss_within_budget(judge, batch):
    images, goal = batch
    result = gg.descend_pixels(judge.model, images, goal, budget=0.2, shifts=3, seed=1)
    assert result.losses[-1].mean() < result.losses[0].mean()
    assert np.abs(result.images - images).max() <= 0.2 + 1e-6
    again = gg.descend_pixels(judge.model, images, goal, budget=0.2, shifts=3, seed=1)
    np.testing.assert_array_equal(result.images, again.images)


def test_transfer_rate_counts_only_fooled_images(judge, batch):
    images, goal = batch
    predicted = gg.predict_classes(judge.model, images)
    fooled = np.zeros(len(images), bool)
    fooled[:4] = True
    # The judge against itself: transfer = share of the kept images it puts in the goal.
    assert gg.transfer_rate(judge.model, images, predicted, fooled) == 1.0
    expected = np.mean(predicted[:4] == goal[:4])
    assert gg.transfer_rate(judge.model, images, goal, fooled) == expected
    with pytest.raises(ValueError, match="fooled is all False"):
        gg.transfer_rate(judge.model, images, goal, np.zeros(len(images), bool))
    with pytest.raises(TypeError, match="fooled"):
        gg.transfer_rate(judge.model, images, goal, [1] * len(images))


def test_second_judge_differs_in_width(batch):
    x, y = vae_lab.mnist_pixels("train", limit=300)
    second = gg.train_classifier(x, y, x[:50], y[:50], epochs=1, seed=1, units=16)
    assert second.model.get_layer("hidden").units == 16


def test_attack_success_figure_has_both_panels():
    fig = gg.plot_attack_success(
        [1, 10, 100], [0.9, 0.5, 0.0], [0.1, 0.2], [0.4, 0.9], [0.3, 0.7]
    )
    left, right = fig.axes[:2]
    np.testing.assert_allclose(left.lines[0].get_ydata(), [90, 50, 0])
    assert (
        len(right.lines) == 2 and "FGSM" in right.get_legend().get_texts()[1].get_text()
    )


def test_exercise_success_rate_matches_the_lab_helper():
    right = nb10.ATTACK_BEFORE == nb10.ATTACK_LABELS
    rate = gg.success_rate(nb10.ATTACK_AFTER[right], nb10.ATTACK_TARGETS[right])
    assert rate == pytest.approx(nb10._SUCCESS)


def test_exercise_init_gradient_accepts_exact_numbers_and_names_a_wrong_shape():
    assert check("10.5", [1, -2, 0, 4]).passed
    wrong = check("10.5", 1.0)
    assert not wrong.passed and "4 numbers" in wrong.message
