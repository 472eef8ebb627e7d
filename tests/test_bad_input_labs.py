"""Bad input as learners really make it, across the public helpers of labs 08, 09 and 10 (issue 17).

Each kind of mistake is tried on every helper it applies to: 0–255 pixels, flat vs image-shaped
arrays, empty inputs, learning rates that climb the loss, the wrong model (a decoder where a VAE is
expected, a VAE where a classifier is expected) and damaged files. Each must get one
``TypeError``/``ValueError`` that names the argument and says what to do; shapes that can only mean
one thing are reshaped instead. No model is trained here but one tiny epoch: the models are built,
untrained, once per module.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from course_utils import guided_generation as gg
from course_utils import image_classification_lab as lab
from course_utils import vae_lab
from course_utils.data import DataFileError

# ----------------------------------------------------------------------------- shared inputs


@pytest.fixture(scope="module")
def pixels() -> np.ndarray:
    """Four MNIST test digits, rows of 784 float32 pixels in [0, 1]."""
    return vae_lab.mnist_pixels("test", limit=4)[0]


@pytest.fixture(scope="module")
def lab_data() -> lab.LabData:
    data = lab.load_lab_data()
    return lab.LabData(
        data.x_train[:100], data.y_train[:100], data.x_test[:40], data.y_test[:40]
    )


@pytest.fixture(scope="module")
def models():
    """Untrained models of each kind: the lab 09 VAE, its decoder and a lab 10 classifier."""
    import keras

    vae = vae_lab.vae_architecture()
    classifier = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(10)], name="classifier"
    )
    return {"vae": vae, "decoder": vae.decoder, "classifier": classifier}


def _raises(error, argument: str, *fragments: str):
    """``pytest.raises`` whose message must start with the argument's name and hold ``fragments``."""
    pattern = rf"^{re.escape(argument)}\b" + "".join(
        rf"(?=[\s\S]*{re.escape(f)})" for f in fragments
    )
    return pytest.raises(error, match=pattern)


# ----------------------------------------------------------------------------- units: 0–255 pixels

#: Every helper that takes images, with the image argument given 0–255 values (x255: (m, 784) of
#: uint8 digits; m: the models).
PIXEL_HELPERS = {
    "vae_lab.train_vae": ("x", lambda x255, m: vae_lab.train_vae(x255, epochs=1)),
    "vae_lab.encode": ("x", lambda x255, m: vae_lab.encode(m["vae"], x255)),
    "vae_lab.reconstruct": ("x", lambda x255, m: vae_lab.reconstruct(m["vae"], x255)),
    "vae_lab.bce_sum_per_image(x)": (
        "x",
        lambda x255, m: vae_lab.bce_sum_per_image(x255, x255 / 255),
    ),
    "vae_lab.bce_sum_per_image(x_reconstructed)": (
        "x_reconstructed",
        lambda x255, m: vae_lab.bce_sum_per_image(x255 / 255, x255),
    ),
    "vae_lab.image_strip": ("images", lambda x255, m: vae_lab.image_strip(x255)),
    "vae_lab.plot_reconstructions": (
        "x",
        lambda x255, m: vae_lab.plot_reconstructions(x255, x255 / 255),
    ),
    "vae_lab.plot_interpolation": (
        "pixel_mix",
        lambda x255, m: vae_lab.plot_interpolation(x255, x255 / 255),
    ),
    "vae_lab.beta_tradeoff": (
        "x_train",
        lambda x255, m: vae_lab.beta_tradeoff(x255, x255 / 255, (1.0,)),
    ),
    "vae_lab.reconstruct_in_fresh_process": (
        "x",
        lambda x255, m: vae_lab.reconstruct_in_fresh_process(__file__, x255),
    ),
    "gg.train_classifier": (
        "x_train",
        lambda x255, m: gg.train_classifier(x255, [0] * 4, x255 / 255, [0] * 4),
    ),
    "gg.class_probabilities": (
        "x",
        lambda x255, m: gg.class_probabilities(m["classifier"], x255),
    ),
    "gg.predict_classes": (
        "x",
        lambda x255, m: gg.predict_classes(m["classifier"], x255),
    ),
    "gg.descend_pixels": (
        "x_initial",
        lambda x255, m: gg.descend_pixels(m["classifier"], x255, 0, steps=1),
    ),
    "gg.guided_loss_terms": (
        "x",
        lambda x255, m: gg.guided_loss_terms(m["classifier"], x255, x255 / 255, 0),
    ),
    "gg.weights_grid": (
        "x_initial",
        lambda x255, m: gg.weights_grid(m["classifier"], x255[:1], 0, steps=1),
    ),
    "gg.total_variation": ("x", lambda x255, m: gg.total_variation(x255)),
    "gg.near_initial": ("x", lambda x255, m: gg.near_initial(x255, x255 / 255)),
    "gg.change_summary": (
        "x_initial",
        lambda x255, m: gg.change_summary(x255 / 255, x255),
    ),
    "vae_lab.train_vae(x_test)": (
        "x_test",
        lambda x255, m: vae_lab.train_vae(x255 / 255, epochs=1, x_test=x255),
    ),
    "vae_lab.negative_elbo": (
        "x",
        lambda x255, m: vae_lab.negative_elbo(m["vae"], x255),
    ),
    "vae_lab.plot_reconstruction_rows(x)": (
        "x",
        lambda x255, m: vae_lab.plot_reconstruction_rows(x255, {"d = 2": x255 / 255}),
    ),
    "vae_lab.plot_reconstruction_rows(rows)": (
        "rows",
        lambda x255, m: vae_lab.plot_reconstruction_rows(x255 / 255, {"d = 2": x255}),
    ),
    "gg.plot_init_weight": (
        "images",
        lambda x255, m: gg.plot_init_weight([0, 1, 2, 3], x255, [0] * 4, [0] * 4, 0),
    ),
    "lab.plot_class_examples": (
        "images",
        lambda x255, m: lab.plot_class_examples(x255, np.arange(4)),
    ),
    "lab.predict": ("images", lambda x255, m: lab.predict(lab.lab_model(), x255)),
    "lab.Predictions": (
        "images",
        lambda x255, m: lab.Predictions(x255, np.arange(4), np.full((4, 10), 0.1)),
    ),
}


@pytest.mark.parametrize("helper", list(PIXEL_HELPERS))
def test_0_255_pixels_are_refused_with_divide_by_255(helper, pixels, models):
    argument, call = PIXEL_HELPERS[helper]
    x255 = np.round(pixels * 255).astype(np.uint8)
    with _raises(ValueError, argument, "[0, 1]", "0–255", "divide by 255"):
        call(x255, models)


def test_lab_08_train_refuses_0_255_training_and_test_images(lab_data):
    as_uint8 = (lab_data.x_train * 255).astype(np.uint8)
    raw = lab.LabData(as_uint8, lab_data.y_train, lab_data.x_test, lab_data.y_test)
    with _raises(ValueError, "data.x_train", "0–255", "divide by 255"):
        lab.train("raw", "sparse_categorical_crossentropy", raw, epochs=1)
    raw_test = lab.LabData(
        lab_data.x_train, lab_data.y_train, lab_data.x_test * 255, lab_data.y_test
    )
    with _raises(ValueError, "data.x_test", "0–255"):
        lab.train("raw", "sparse_categorical_crossentropy", raw_test, epochs=1)


def test_negative_pixels_are_refused_without_the_0_255_hint(pixels, models):
    with _raises(ValueError, "x", "never negative"):
        gg.class_probabilities(models["classifier"], pixels - 0.5)
    with _raises(ValueError, "x", "never negative"):
        vae_lab.encode(models["vae"], pixels - 0.5)
    with _raises(ValueError, "images", "[0, 1]"):
        lab.plot_class_examples(pixels - 0.5, np.arange(4))
    # a change image (differences of pixels) is a fine input to the total variation
    assert gg.total_variation(pixels - pixels[::-1]).shape == (4,)


# ----------------------------------------------------------------------------- units: learning rates


@pytest.mark.parametrize("rate", [0.0, -0.005])
@pytest.mark.parametrize("helper", ["descend_pixels", "descend_latent"])
def test_learning_rates_that_do_not_descend_are_refused(helper, rate, pixels, models):
    with _raises(ValueError, "learning_rate", "> 0"):
        if helper == "descend_pixels":
            gg.descend_pixels(
                models["classifier"], pixels[:1], 0, steps=1, learning_rate=rate
            )
        else:
            gg.descend_latent(
                models["classifier"],
                models["vae"],
                [[0.0, 0.0]],
                0,
                steps=1,
                learning_rate=rate,
            )
    with _raises(ValueError, "learning_rate", "> 0"):
        vae_lab.build_vae(learning_rate=rate)


# ----------------------------------------------------------------------------- shapes


def test_lab_08_reads_flat_image_shaped_and_channel_images_alike(pixels):
    images = pixels.reshape(4, 28, 28)
    labels = np.arange(4)
    drawn = []
    for shaped in (pixels, images, images[..., None]):
        fig = lab.plot_class_examples(shaped, labels, per_class=1)
        drawn.append([np.asarray(ax.images[0].get_array()) for ax in fig.axes])
        assert len(fig.axes) == 4
    for other in drawn[1:]:
        for first, second in zip(drawn[0], other):
            np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(drawn[0][2], images[2])
    model = lab.lab_model()
    outputs = [lab.predict(model, shaped) for shaped in (pixels, images)]
    np.testing.assert_allclose(outputs[0], outputs[1])
    explorer = lab.Predictions(pixels, labels, np.full((4, 10), 0.1))
    assert explorer.cell(0, 0).size == 1


@pytest.mark.parametrize(
    "shape,hint",
    [((2, 28, 28, 3), "colour"), ((28, 28), "images[None]"), ((2, 27, 27), "got")],
)
def test_lab_08_refuses_shapes_that_are_no_grey_28x28_images(shape, hint):
    with _raises(ValueError, "images", "28×28 grey images", hint):
        lab.plot_class_examples(np.zeros(shape), np.zeros(2, dtype=int))
    with _raises(ValueError, "images", "(m, 28, 28, 1)", hint):
        lab.predict(lab.lab_model(), np.zeros(shape))


def test_lab_08_plot_class_examples_needs_one_label_per_image(pixels):
    with _raises(ValueError, "labels", "one class id per image"):
        lab.plot_class_examples(pixels, np.arange(3))


#: Helpers of labs 09 and 10 that take rows of 784 pixels, with the image argument given.
ROW_HELPERS = {
    "vae_lab.train_vae": ("x", lambda x, m: vae_lab.train_vae(x, epochs=1)),
    "vae_lab.encode": ("x", lambda x, m: vae_lab.encode(m["vae"], x)),
    "vae_lab.reconstruct": ("x", lambda x, m: vae_lab.reconstruct(m["vae"], x)),
    "vae_lab.bce_sum_per_image": ("x", lambda x, m: vae_lab.bce_sum_per_image(x, x)),
    "vae_lab.image_strip": ("images", lambda x, m: vae_lab.image_strip(x)),
    "vae_lab.plot_reconstructions": (
        "x",
        lambda x, m: vae_lab.plot_reconstructions(x, x),
    ),
    "vae_lab.plot_interpolation": (
        "pixel_mix",
        lambda x, m: vae_lab.plot_interpolation(x, x),
    ),
    "vae_lab.beta_tradeoff": (
        "x_train",
        lambda x, m: vae_lab.beta_tradeoff(x, x, (1.0,)),
    ),
    "vae_lab.negative_elbo": ("x", lambda x, m: vae_lab.negative_elbo(m["vae"], x)),
    "vae_lab.plot_reconstruction_rows": (
        "x",
        lambda x, m: vae_lab.plot_reconstruction_rows(x, {"d = 2": x}),
    ),
    "gg.train_classifier": (
        "x_train",
        lambda x, m: gg.train_classifier(x, [0] * len(x), x, [0] * len(x)),
    ),
    "gg.class_probabilities": (
        "x",
        lambda x, m: gg.class_probabilities(m["classifier"], x),
    ),
    "gg.descend_pixels": (
        "x_initial",
        lambda x, m: gg.descend_pixels(m["classifier"], x, 0, steps=1),
    ),
    "gg.guided_loss_terms": (
        "x",
        lambda x, m: gg.guided_loss_terms(m["classifier"], x, x, 0),
    ),
    "gg.weights_grid": (
        "x_initial",
        lambda x, m: gg.weights_grid(m["classifier"], x, 0, steps=1),
    ),
}


@pytest.mark.parametrize("shape", [(2, 28, 28), (2, 28, 28, 1)])
@pytest.mark.parametrize("helper", list(ROW_HELPERS))
def test_image_shaped_arrays_get_the_reshape_that_fixes_them(
    helper, shape, pixels, models
):
    argument, call = ROW_HELPERS[helper]
    fix = "reshape(-1, 784)" if helper.startswith("gg.") else "reshape(len("
    with _raises(ValueError, argument, "(m, 784)", str(shape), fix):
        call(pixels[:2].reshape(shape), models)


def test_one_flat_image_is_one_row_in_lab_10_and_gets_its_fix_in_lab_09(pixels, models):
    one = pixels[0]
    np.testing.assert_allclose(
        gg.class_probabilities(models["classifier"], one),
        gg.class_probabilities(models["classifier"], one[None]),
    )
    with _raises(ValueError, "x", "x.reshape(1, 784)"):
        vae_lab.encode(models["vae"], one)


@pytest.mark.parametrize(
    "call,argument,fragment",
    [
        (
            lambda x, m: gg.descend_pixels(m["classifier"], x, [0, 1, 2], steps=1),
            "target",
            "one per image (4)",
        ),
        (
            lambda x, m: gg.guided_loss_terms(m["classifier"], x, x, [[0], [1]]),
            "target",
            "one per image (4)",
        ),
        (
            lambda x, m: gg.descend_latent(
                m["classifier"], m["vae"], [[0.0, 0.0]], [0, 1], steps=1
            ),
            "target",
            "one per image (1)",
        ),
        (
            lambda x, m: gg.descend_latent(
                m["classifier"], m["vae"], [[0.0, 0.0, 0.0]], 0, steps=1
            ),
            "z_initial",
            "(m, 2)",
        ),
        (
            lambda x, m: gg.descend_latent(
                m["classifier"], m["vae"], [[0.0, 0.0]], 0, init_weight=[1, 2], steps=1
            ),
            "init_weight",
            "one per image (1)",
        ),
        (lambda x, m: gg.init_term([[0.0, 0.0]], [[0.0, 0.0, 0.0]]), "z", "same shape"),
        (
            lambda x, m: vae_lab.plot_reconstruction_rows(x, {"d = 2": x[:2]}),
            "rows",
            "as many images as x (4",
        ),
        (lambda x, m: vae_lab.decode(m["vae"], [[0.0, 0.0, 0.0]]), "z", "(m, 2)"),
        (lambda x, m: vae_lab.decode(m["decoder"], np.zeros((0, 2))), "z", "(m, 2)"),
        (
            lambda x, m: gg.guided_loss_terms(m["classifier"], x, x[:2], 0),
            "x",
            "same shape",
        ),
        (
            lambda x, m: vae_lab.plot_reconstructions(x, x[:2]),
            "x",
            "same number of images",
        ),
    ],
)
def test_lengths_that_do_not_match_are_named(call, argument, fragment, pixels, models):
    with _raises(ValueError, argument, fragment):
        call(pixels, models)


def test_a_target_per_image_still_works(pixels, models):
    terms = gg.guided_loss_terms(models["classifier"], pixels, pixels, [0, 1, 2, 3])
    p = gg.class_probabilities(models["classifier"], pixels)
    np.testing.assert_allclose(terms["ce"], -np.log(p[np.arange(4), [0, 1, 2, 3]]))


# ----------------------------------------------------------------------------- empty inputs

EMPTY = np.zeros((0, 784), dtype=np.float32)

#: Every helper with an image argument, given no image (m: the models).
EMPTY_HELPERS = {
    "vae_lab.train_vae": ("x", lambda m: vae_lab.train_vae(EMPTY)),
    "vae_lab.encode": ("x", lambda m: vae_lab.encode(m["vae"], EMPTY)),
    "vae_lab.reconstruct": ("x", lambda m: vae_lab.reconstruct(m["vae"], EMPTY)),
    "vae_lab.bce_sum_per_image": (
        "x",
        lambda m: vae_lab.bce_sum_per_image(EMPTY, EMPTY),
    ),
    "vae_lab.image_strip": ("images", lambda m: vae_lab.image_strip(EMPTY)),
    "vae_lab.plot_reconstructions": (
        "x",
        lambda m: vae_lab.plot_reconstructions(EMPTY, EMPTY),
    ),
    "vae_lab.beta_tradeoff": (
        "x_train",
        lambda m: vae_lab.beta_tradeoff(EMPTY, EMPTY, (1.0,)),
    ),
    "vae_lab.negative_elbo": ("x", lambda m: vae_lab.negative_elbo(m["vae"], EMPTY)),
    "gg.train_classifier": (
        "x_train",
        lambda m: gg.train_classifier(EMPTY, [], EMPTY, []),
    ),
    "gg.class_probabilities": (
        "x",
        lambda m: gg.class_probabilities(m["classifier"], EMPTY),
    ),
    "gg.descend_pixels": (
        "x_initial",
        lambda m: gg.descend_pixels(m["classifier"], EMPTY, 0, steps=1),
    ),
    "gg.total_variation": ("x", lambda m: gg.total_variation(EMPTY)),
    "lab.plot_class_examples": (
        "images",
        lambda m: lab.plot_class_examples(EMPTY, np.zeros(0, dtype=int)),
    ),
    "lab.predict": ("images", lambda m: lab.predict(lab.lab_model(), EMPTY)),
}


@pytest.mark.parametrize("helper", list(EMPTY_HELPERS))
def test_empty_image_arrays_are_refused_by_name(helper, models):
    argument, call = EMPTY_HELPERS[helper]
    with _raises(ValueError, argument, "empty" if "total_var" not in helper else ""):
        call(models)


@pytest.mark.parametrize(
    "call,error,argument,fragment",
    [
        (
            lambda d: lab.train("x", "mse", d, epochs=1, train_indices=[]),
            ValueError,
            "train_indices",
            "selects no training image",
        ),
        (
            lambda d: lab.train("x", "mse", d, epochs=1, train_indices=[0, 100]),
            ValueError,
            "train_indices",
            "[0, 99]",
        ),
        (
            lambda d: lab.train("x", "mse", d, epochs=1, train_indices=[-1]),
            ValueError,
            "train_indices",
            "[0, 99]",
        ),
        (
            lambda d: lab.train("x", "mse", d, epochs=1, train_indices=[0.5]),
            TypeError,
            "train_indices",
            "integer row indices",
        ),
        (
            lambda d: lab.train("x", "mse", d, epochs=1, train_indices=[True, False]),
            ValueError,
            "train_indices",
            "one entry per training image (100)",
        ),
        (
            lambda d: lab.train(
                "x", "mse", d, epochs=1, class_weight={12: 1.0, 0: 1.0}
            ),
            ValueError,
            "class_weight",
            "[0, 9]",
        ),
        (
            lambda d: lab.train(
                "x",
                "mse",
                lab.LabData(d.x_train[:0], d.y_train[:0], d.x_test, d.y_test),
                epochs=1,
            ),
            ValueError,
            "data.x_train",
            "empty",
        ),
        (
            lambda d: lab.train(
                "x",
                "mse",
                lab.LabData(d.x_train, d.y_train[:50], d.x_test, d.y_test),
                epochs=1,
            ),
            ValueError,
            "data.x_train",
            "100 images and 50 labels",
        ),
        (
            lambda d: lab.imbalanced_indices(np.zeros(0, dtype=int)),
            ValueError,
            "labels",
            "empty",
        ),
    ],
)
def test_lab_08_training_subsets_name_the_argument(
    call, error, argument, fragment, lab_data
):
    with _raises(error, argument, fragment):
        call(lab_data)


@pytest.mark.parametrize(
    "call,argument,fragment",
    [
        (lambda x: vae_lab.beta_tradeoff(x, x, ()), "betas", "non-empty"),
        (lambda x: vae_lab.beta_tradeoff(x, x, (1.0, -2.0)), "betas", ">= 0"),
        (lambda x: vae_lab.plot_beta_tradeoff([]), "runs", "BetaRun"),
        (lambda x: vae_lab.plot_loss_curves(x), "training", "train_vae"),
        (
            lambda x: vae_lab.kl_per_dimension(np.zeros((0, 2)), np.zeros((0, 2))),
            "mean",
            "non-empty",
        ),
        (lambda x: vae_lab.monte_carlo_kl([], []), "mean", "non-empty"),
        (lambda x: vae_lab.interpolate([], []), "z_start", "same length"),
        (
            lambda x: vae_lab.plot_latent_space(np.zeros((0, 2)), np.zeros(0, int)),
            "mean",
            "at least one row",
        ),
        (lambda x: gg.weights_grid(None, x[:1], 0, (), (0.1,)), "model", "Keras model"),
        (lambda x: gg.change_summary(np.zeros(0), np.zeros(0)), "x", "empty"),
    ],
)
def test_empty_sequences_of_runs_weights_and_latents_are_named(
    call, argument, fragment, pixels
):
    with _raises((TypeError, ValueError), argument, fragment):
        call(pixels)


def test_empty_weight_lists_of_the_grid_are_named(pixels, models):
    with _raises(ValueError, "near_weights", "at least one weight"):
        gg.weights_grid(models["classifier"], pixels[:1], 0, (), (0.1,), steps=1)
    with _raises(ValueError, "tv_weights", ">= 0"):
        gg.weights_grid(models["classifier"], pixels[:1], 0, (1.0,), (-0.1,), steps=1)


# ----------------------------------------------------------------------------- lab 08: subsets


def test_imbalanced_indices_accept_one_class_as_an_int():
    labels = np.repeat(np.arange(10), 20)
    np.testing.assert_array_equal(
        lab.imbalanced_indices(labels, rare_classes=2),
        lab.imbalanced_indices(labels, rare_classes=(2,)),
    )
    np.testing.assert_array_equal(
        lab.imbalanced_indices(labels, rare_classes=np.int64(2)),
        lab.imbalanced_indices(labels, rare_classes=[2]),
    )
    twice = lab.imbalanced_indices(labels, rare_classes=(2, 2), fraction=0.5)
    assert np.unique(twice).size == twice.size
    assert np.sum(labels[twice] == 2) == 10


@pytest.mark.parametrize("bad", [2.5, "2", (2, 4.0), True, None])
def test_imbalanced_indices_refuse_class_ids_that_are_not_integers(bad):
    with _raises(TypeError, "rare_classes", "class id"):
        lab.imbalanced_indices(np.repeat(np.arange(10), 2), rare_classes=bad)


def test_lab_08_trains_on_flat_images_and_a_boolean_mask(lab_data):
    flat = lab.LabData(
        lab_data.x_train.reshape(100, 784),
        lab_data.y_train,
        lab_data.x_test.reshape(40, 28, 28),
        lab_data.y_test,
    )
    run = lab.train(
        "flat",
        "sparse_categorical_crossentropy",
        flat,
        model="tutorial",
        epochs=1,
        batch_size=60,
        train_indices=np.arange(100) < 60,
        validate_every_epoch=False,
    )
    assert len(run.history["loss"]) == 1 and run.probs.shape == (40, 10)
    np.testing.assert_array_equal(run.y_val, lab_data.y_test)


# ----------------------------------------------------------------------------- the wrong model


@pytest.mark.parametrize(
    "call,argument,expected,received",
    [
        (lambda x, m: vae_lab.encode(m["decoder"], x), "vae", "a VAE", "'decoder'"),
        (lambda x, m: vae_lab.encode(m["classifier"], x), "vae", "a VAE", "(None, 10)"),
        (lambda x, m: vae_lab.reconstruct(m["decoder"], x), "vae", "a VAE", "decoder"),
        (
            lambda x, m: vae_lab.negative_elbo(m["decoder"], x),
            "vae",
            "a VAE",
            "'decoder'",
        ),
        (
            lambda x, m: vae_lab.decode(m["classifier"], [[0.0, 0.0]]),
            "vae_or_decoder",
            "a decoder",
            "(None, 784)",
        ),
        (
            lambda x, m: vae_lab.decode(m["vae"].encoder, [[0.0, 0.0]]),
            "vae_or_decoder",
            "a decoder",
            "'encoder'",
        ),
        (
            lambda x, m: vae_lab.decoder_weights(m["classifier"]),
            "vae_or_decoder",
            "a decoder",
            "'classifier'",
        ),
        (
            lambda x, m: vae_lab.decoder_explorer_widget(m["classifier"]),
            "vae",
            "a decoder",
            "'classifier'",
        ),
        (
            lambda x, m: gg.class_probabilities(m["vae"], x),
            "model",
            "a classifier",
            "a VAE",
        ),
        (
            lambda x, m: gg.class_probabilities(m["decoder"], x),
            "model",
            "a classifier",
            "(None, 2)",
        ),
        (
            lambda x, m: gg.predict_classes(m["vae"], x),
            "model",
            "a classifier",
            "a VAE",
        ),
        (
            lambda x, m: gg.descend_pixels(m["vae"], x, 0, steps=1),
            "model",
            "a classifier",
            "a VAE",
        ),
        (
            lambda x, m: gg.guided_loss_terms(m["decoder"], x, x, 0),
            "model",
            "a classifier",
            "decoder",
        ),
        (
            lambda x, m: gg.weights_grid(m["vae"], x[:1], 0, steps=1),
            "model",
            "a classifier",
            "a VAE",
        ),
        (
            lambda x, m: gg.descend_latent(m["vae"], m["vae"], [[0.0, 0.0]], 0),
            "model",
            "a classifier",
            "a VAE",
        ),
        (
            lambda x, m: gg.descend_latent(
                m["classifier"], m["classifier"], [[0.0, 0.0]], 0
            ),
            "decoder",
            "a decoder",
            "'classifier'",
        ),
    ],
)
def test_the_wrong_kind_of_model_is_named(
    call, argument, expected, received, pixels, models
):
    with _raises(TypeError, argument, expected, received, "pass"):
        call(pixels, models)


def test_a_result_holding_the_model_says_which_attribute_to_pass(pixels, models):
    holder = gg.Classifier(models["classifier"], 0.9, 1.0)
    with _raises(TypeError, "model", "Keras model", "pass its .model"):
        gg.class_probabilities(holder, pixels)
    training = vae_lab.Training(models["vae"], [], [], [], 0.0)
    with _raises(TypeError, "vae", "Keras model", "pass its .vae"):
        vae_lab.encode(training, pixels)
    run = lab.TrainingRun("r", {}, np.eye(2), np.eye(2), np.arange(2), 0, 0, None)
    with _raises(TypeError, "model", "Keras model", "run.model"):
        lab.predict(run, pixels)


def test_the_right_models_and_unshaped_decoders_still_pass(pixels, models):
    assert gg.class_probabilities(models["classifier"], pixels).shape == (4, 10)
    assert vae_lab.encode(models["vae"], pixels)[0].shape == (4, 2)
    assert vae_lab.decode(models["vae"], [[0.0, 0.0]]).shape == (1, 784)
    assert vae_lab.decode(models["decoder"], [0.0, 0.0]).shape == (1, 784)
    # a plain function (no declared shapes) may be a decoder: it gets the benefit of the doubt
    result = gg.descend_latent(
        models["classifier"],
        lambda z, training=False: z @ np.zeros((2, 784), "float32") + 0.5,
        [[0.0, 0.0]],
        0,
        steps=2,
    )
    assert result.images.shape == (1, 784)


def test_a_vae_with_another_latent_size_is_refused_by_the_explorer():
    other = vae_lab.vae_architecture(latent_dim=3)
    with _raises(ValueError, "vae", "2-D latent", "3 dimensions", "latent_dim=2"):
        vae_lab.decoder_explorer_widget(other)


def test_lab_08_refuses_data_that_is_not_lab_data(lab_data):
    from course_utils.losses.confusion_aware import make_confusion_aware_loss

    class Model:
        loss = make_confusion_aware_loss(10, from_logits=True)

    run = lab.TrainingRun("r", {}, np.eye(2), np.eye(2), np.arange(2), 0, 0, Model())
    with _raises(TypeError, "data", "LabData"):
        lab.evaluate_in_fresh_process(run, (lab_data.x_test, lab_data.y_test))
    with _raises(TypeError, "run", "TrainingRun"):
        lab.evaluate_in_fresh_process("run", lab_data)


# ----------------------------------------------------------------------------- damaged and foreign files


def _truncated_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def test_a_truncated_weights_file_is_reported_as_damaged_naming_it(tmp_path):
    truncated = _truncated_copy(
        vae_lab.pretrained_path(), tmp_path / "mnist_vae_2d.weights.h5"
    )
    with _raises(
        DataFileError,
        "The file",
        str(truncated),
        "damaged or truncated",
        "save_weights",
    ):
        vae_lab.load_vae(truncated)


def test_a_truncated_keras_file_is_reported_as_damaged_not_missing(tmp_path, models):
    saved = tmp_path / "vae.keras"
    models["vae"].save(saved)
    x = np.full((1, 784), 0.5, "float32")
    np.testing.assert_allclose(
        vae_lab.reconstruct(vae_lab.load_vae(saved), x),
        vae_lab.reconstruct(models["vae"], x),
        atol=1e-6,
    )
    truncated = _truncated_copy(saved, tmp_path / "half" / "vae.keras")
    with pytest.raises(DataFileError, match="damaged or truncated") as raised:
        vae_lab.load_vae(truncated)
    assert str(truncated) in str(raised.value)
    assert "File not found" not in str(raised.value)
    assert "vae.save(" in str(raised.value)


def test_a_truncated_shipped_file_says_so_next_to_its_checksum(tmp_path, monkeypatch):
    _truncated_copy(vae_lab.pretrained_path(), tmp_path / vae_lab.PRETRAINED_VAE)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError) as raised:
        vae_lab.verify_pretrained()
    message = str(raised.value)
    for fragment in (
        "corrupted or was changed",
        "damaged or truncated",
        "scripts/build_pretrained.py",
        str(tmp_path),
    ):
        assert fragment in message


def test_a_truncated_data_file_is_refused_by_its_checksum(tmp_path, monkeypatch):
    from course_utils import data

    source = data.data_directory() / "mnist_subset.npz"
    _truncated_copy(source, tmp_path / "mnist_subset.npz")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="corrupted or was changed"):
        data.load_mnist()


def test_the_file_of_another_model_is_refused_when_loaded(tmp_path, models):
    other = tmp_path / "classifier.keras"
    models["classifier"].save(other)
    with _raises(DataFileError, "The file", str(other), "not a VAE", "(None, 10)"):
        vae_lab.load_vae(other)
    other_vae = vae_lab.vae_architecture(latent_dim=3)
    weights = tmp_path / "vae3.weights.h5"
    other_vae.save_weights(weights)
    with _raises(
        DataFileError,
        "The weights in",
        str(weights),
        "do not fit the 2-D VAE",
        "latent_dim",
    ):
        vae_lab.load_vae(weights)
    assert vae_lab.load_vae(weights, latent_dim=3).decoder.input_shape == (None, 3)


def test_shipped_weights_load_through_load_vae_too(models):
    loaded = vae_lab.load_vae(vae_lab.pretrained_path())
    shipped = vae_lab.load_pretrained_vae()
    x = np.full((2, 784), 0.25, "float32")
    np.testing.assert_allclose(
        vae_lab.reconstruct(loaded, x), vae_lab.reconstruct(shipped, x), atol=1e-6
    )


@pytest.mark.parametrize(
    "path,error,fragment",
    [
        ("missing.keras", DataFileError, "No file"),
        ("model.h5", ValueError, ".keras file"),
        (3, TypeError, "file path"),
    ],
)
def test_load_vae_names_a_missing_or_wrongly_named_file(
    path, error, fragment, tmp_path
):
    if isinstance(path, str):
        path = tmp_path / path
    with pytest.raises(error, match=re.escape(fragment)) as raised:
        vae_lab.load_vae(path)
    assert "path" in str(raised.value)


def test_fresh_process_names_a_missing_model_file(tmp_path, pixels):
    missing = tmp_path / "never_saved.keras"
    with _raises(DataFileError, "No file", str(missing), "model_path", "vae.save"):
        vae_lab.reconstruct_in_fresh_process(missing, pixels)


def test_calibration_refuses_rows_that_are_not_distributions():
    from course_utils import image_classification_lab as lab

    sigmoids = np.full((4, 10), 0.4)  # in [0, 1], yet each row sums to 4
    with pytest.raises(ValueError, match=r"^probs must sum to 1"):
        lab.expected_calibration_error(sigmoids, [0, 1, 2, 3])


@pytest.mark.parametrize("rate", [0.0, -0.5])
def test_softmax_regression_refuses_a_step_up_the_gradient(rate):
    from course_utils import classification_lessons as cl

    with pytest.raises(ValueError, match=r"^learning_rate must be positive"):
        cl.train_softmax_regression(np.eye(3), [0, 1, 2], q=0.5, learning_rate=rate)


# ----------------------------------------------------------------------------- lab 08: split, priors, temperature


@pytest.mark.parametrize(
    "call,error,argument,fragment",
    [
        (
            lambda d: lab.split_validation(d, size=7),
            ValueError,
            "size",
            "multiple of 10",
        ),
        (lambda d: lab.split_validation(d, size="2000"), TypeError, "size", "integer"),
        (lambda d: lab.split_validation(d, seed=None), TypeError, "seed", "integer"),
        (lambda d: lab.split_validation(d, size=100), ValueError, "size", "leave"),
        (
            lambda d: lab.oversample_indices(d.y_train, [0.5]),
            TypeError,
            "indices",
            "integer row indices",
        ),
        (
            lambda d: lab.oversample_indices(d.y_train, per_class=2.5),
            TypeError,
            "per_class",
            "integer",
        ),
        (lambda d: lab.prior_bias(["a", "b"]), TypeError, "counts", "numbers"),
        (lambda d: lab.prior_bias([3, None]), TypeError, "counts", "None"),
        (lambda d: lab.prior_bias([5]), ValueError, "counts", "at least two"),
        (
            lambda d: lab.adjust_logits(np.zeros((2, 3)), [np.nan, 1, 1]),
            ValueError,
            "priors",
            "finite",
        ),
        (
            lambda d: lab.adjust_logits(np.zeros((2, 3)), [1, 1, 1], tau=None),
            TypeError,
            "tau",
            "real number",
        ),
        (
            lambda d: lab.adjust_logits(np.zeros(3), [1, 1, 1]),
            ValueError,
            "logits",
            "(m, K)",
        ),
        (
            lambda d: lab.fit_temperature(np.zeros((2, 3)), [0.0, 1.0]),
            ValueError,
            "y_true",
            "integer class ids",
        ),
        (
            lambda d: lab.fit_temperature(np.zeros((0, 3)), np.zeros(0, int)),
            ValueError,
            "logits",
            "empty",
        ),
        (
            lambda d: lab.temperature_probs(np.zeros((2, 3)), "1.5"),
            TypeError,
            "temperature",
            "real number",
        ),
        (
            lambda d: lab.temperature_probs(np.zeros((2, 3)), -1.0),
            ValueError,
            "temperature",
            "> 0",
        ),
        (lambda d: lab.mean_sd([0.8, None]), TypeError, "values", "None"),
        (
            lambda d: lab.format_mean_sd([0.8], digits=1.5),
            TypeError,
            "digits",
            "integer",
        ),
        (
            lambda d: lab.recall_standard_error(0.5, images=0),
            ValueError,
            "images",
            "positive",
        ),
        (
            lambda d: lab.train("x", "mse", d, recipe="fast"),
            ValueError,
            "recipe",
            "Recipe",
        ),
        (
            lambda d: lab.train("x", "mse", d, output_bias=[0.0] * 9 + [None]),
            TypeError,
            "output_bias",
            "None",
        ),
        (
            lambda d: lab.evaluate_on_test("run", d),
            TypeError,
            "run",
            "TrainingRun",
        ),
    ],
)
def test_lab_08_new_helpers_name_the_argument(
    call, error, argument, fragment, lab_data
):
    with _raises(error, argument, fragment):
        call(lab_data)


def test_lab_08_evaluate_refuses_0_255_images_and_mismatched_labels(lab_data):
    run = lab.TrainingRun(
        "r", {}, np.eye(2), np.eye(2), np.arange(2), 0, 0, lab.lab_model()
    )
    x255 = np.round(lab_data.x_test[:4] * 255).astype(np.uint8)
    with _raises(ValueError, "images", "[0, 1]", "divide by 255"):
        lab.evaluate(run, x255, lab_data.y_test[:4])
    with _raises(ValueError, "labels", "one class id per image"):
        lab.evaluate(run, lab_data.x_test[:4], lab_data.y_test[:3])
    with _raises(ValueError, "labels", "integer class ids"):
        lab.evaluate(run, lab_data.x_test[:4], ["a", "b", "c", "d"])
