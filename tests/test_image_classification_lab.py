"""Lab 08's helpers: data, measures, models, training, the fresh-process check and the two widgets.

Training tests use a few hundred images and one epoch, so the file runs in seconds (plus one fresh
Python process that imports TensorFlow).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import image_classification_lab as lab
from course_utils.checks import exercise
from course_utils.exercises import nb08
from course_utils.plotting import artist

# ----------------------------------------------------------------------------- data and subsets


@pytest.fixture(scope="module")
def data() -> lab.LabData:
    return lab.load_lab_data()


@pytest.fixture(scope="module")
def tiny(data) -> lab.LabData:
    """300 training and 100 test images, every class present in both."""
    return lab.LabData(
        data.x_train[:300], data.y_train[:300], data.x_test[:100], data.y_test[:100]
    )


def test_lab_data_is_scaled_with_a_channel_axis(data):
    assert data.x_train.shape == (10_000, 28, 28, 1)
    assert data.x_test.shape == (2_000, 28, 28, 1)
    assert data.x_train.dtype == np.float32
    assert 0.0 == data.x_train.min() and data.x_train.max() == 1.0
    np.testing.assert_array_equal(np.bincount(data.y_train), [1000] * 10)


def test_imbalanced_indices_keep_five_percent_of_the_rare_classes(data):
    indices = lab.imbalanced_indices(data.y_train)
    counts = np.bincount(data.y_train[indices], minlength=10)
    for k in range(10):
        assert counts[k] == (50 if k in lab.RARE_CLASSES else 1000)
    assert np.all(np.diff(indices) > 0)
    np.testing.assert_array_equal(indices, lab.imbalanced_indices(data.y_train))
    other_seed = lab.imbalanced_indices(data.y_train, seed=1)
    assert not np.array_equal(indices, other_seed)


def test_imbalanced_indices_round_up_and_reject_bad_input():
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    kept = lab.imbalanced_indices(labels, rare_classes=(1,), fraction=0.3)
    assert np.sum(labels[kept] == 1) == 2  # ceil(0.3 · 4)
    with pytest.raises(ValueError, match="fraction"):
        lab.imbalanced_indices(labels, fraction=0.0)
    with pytest.raises(ValueError, match="rare_classes"):
        lab.imbalanced_indices(labels, rare_classes=(12,))
    with pytest.raises(ValueError, match="labels"):
        lab.imbalanced_indices(np.array([0.5, 1.0]))
    with pytest.raises(TypeError, match="seed"):
        lab.imbalanced_indices(labels, seed=1.5)


def test_balanced_class_weights_equalise_each_class_total():
    labels = np.array([0] * 90 + [1] * 10)
    weights = lab.balanced_class_weights(labels, num_classes=2)
    assert weights == pytest.approx({0: 100 / (2 * 90), 1: 100 / (2 * 10)})
    assert 90 * weights[0] == pytest.approx(10 * weights[1])
    with pytest.raises(ValueError, match="class 1"):
        lab.balanced_class_weights(np.array([0, 0, 2]), num_classes=3)


# ----------------------------------------------------------------------------- measures


def test_confusion_matrix_recall_and_balanced_accuracy_by_hand():
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 0])
    counts = lab.confusion_matrix(y_true, y_pred, num_classes=3)
    np.testing.assert_array_equal(counts, [[2, 1, 0], [0, 2, 0], [1, 0, 0]])
    np.testing.assert_allclose(lab.per_class_recall(counts), [2 / 3, 1.0, 0.0])
    assert lab.balanced_accuracy(counts) == pytest.approx((2 / 3 + 1 + 0) / 3)
    with pytest.raises(ValueError, match="same length"):
        lab.confusion_matrix(y_true, y_pred[:-1], num_classes=3)
    with pytest.raises(ValueError, match="y_pred"):
        lab.confusion_matrix(y_true, y_pred + 5, num_classes=3)
    with pytest.raises(ValueError, match="no sample"):
        lab.per_class_recall(np.zeros((2, 2)))


def test_reliability_table_and_ece_by_hand():
    # confidences 0.95 (right), 0.95 (wrong), 0.55 (right), 0.1 exactly (first bin, right:
    # ten classes at 0.1 each, argmax 0); every row is a distribution over ten classes
    probs = np.zeros((4, 10))
    probs[0, :2] = probs[1, :2] = [0.95, 0.05]
    probs[2, :2] = [0.45, 0.55]
    probs[3] = 0.1
    y_true = np.array([0, 1, 1, 0])
    table = lab.reliability_table(probs, y_true, bins=10)
    assert table.counts.tolist() == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert table.accuracy[9] == pytest.approx(0.5)
    assert table.confidence[9] == pytest.approx(0.95)
    assert np.isnan(table.accuracy[1])
    expected = (1 * abs(1.0 - 0.1) + 1 * abs(1.0 - 0.55) + 2 * abs(0.5 - 0.95)) / 4
    assert table.ece == pytest.approx(expected)
    assert lab.expected_calibration_error(probs, y_true, bins=10) == pytest.approx(
        expected
    )


def test_ece_is_zero_when_confidence_equals_accuracy():
    assert lab.ece_from_table([10, 30], [0.6, 0.9], [0.6, 0.9]) == 0.0


def test_ece_of_the_exercise_table_matches_its_reference():
    value = lab.ece_from_table(
        nb08.ECE_TABLE_COUNTS, nb08.ECE_TABLE_CONFIDENCE, nb08.ECE_TABLE_ACCURACY
    )
    assert value == pytest.approx(exercise("08.2").solution)


def test_ece_rejects_bad_tables_by_name():
    with pytest.raises(ValueError, match="same length"):
        lab.ece_from_table([1, 2], [0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="probs"):
        lab.reliability_table(np.array([0.2, 0.8]), np.array([1]))
    with pytest.raises(ValueError, match="probs"):
        lab.reliability_table(np.array([[1.2, -0.2]]), np.array([0]))
    with pytest.raises(ValueError, match="y_true has 2 labels"):
        lab.reliability_table(np.array([[0.2, 0.8]]), np.array([0, 1]))


def test_outputs_to_probs_renormalises_sigmoids_as_keras_does():
    import keras

    z = np.array([[2.0, -1.0, 0.5], [4.0, 3.0, -2.0]])
    sig = 1 / (1 + np.exp(-z))
    y = np.eye(3)[[1, 0]]
    probs = lab.outputs_to_probs(sig, "sigmoid")
    keras_loss = keras.losses.categorical_crossentropy(y, sig).numpy()
    np.testing.assert_allclose(keras_loss, -np.log(probs[[0, 1], [1, 0]]), rtol=1e-6)
    np.testing.assert_allclose(lab.outputs_to_probs(z, "logits").sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="output"):
        lab.outputs_to_probs(z, "tanh")


def test_wrong_class_gradients_match_keras_through_gradient_tape():
    from course_utils.article_errata import (
        sigmoid_with_categorical_crossentropy,
        softmax_with_categorical_crossentropy,
    )

    rng = np.random.default_rng(3)
    z = rng.normal(scale=3.0, size=(6, 10))
    y = rng.integers(0, 10, size=6)
    ours = lab.wrong_class_gradients(z, y)
    one_hot = np.eye(10)[y]
    rows = np.arange(6)
    sig = sigmoid_with_categorical_crossentropy(z, one_hot)["logit_gradient"]
    soft = softmax_with_categorical_crossentropy(z, one_hot)["logit_gradient"]
    np.testing.assert_allclose(
        ours["sigmoid"], sig[rows, ours["wrong_class"]], rtol=1e-6
    )
    np.testing.assert_allclose(
        ours["softmax"], soft[rows, ours["wrong_class"]], rtol=1e-6
    )
    assert np.all(ours["wrong_class"] != y)


# ----------------------------------------------------------------------------- models and training


def test_models_have_the_documented_layers_and_outputs():
    tutorial = lab.tutorial_model()
    assert [type(layer).__name__ for layer in tutorial.layers] == [
        "Flatten",
        "Dense",
        "Dense",
    ]
    assert tutorial.count_params() == 784 * 128 + 128 + 128 * 10 + 10
    cnn = lab.lab_model("softmax")
    assert type(cnn.layers[0]).__name__ == "Conv2D"
    assert cnn.layers[-1].name == "probabilities"
    assert cnn.output_shape == (None, 10)
    with pytest.raises(ValueError, match="output"):
        lab.lab_model("relu")


def test_training_is_deterministic_and_reports_a_history(tiny):
    first = lab.train(
        "a", "sparse_categorical_crossentropy", tiny, output="softmax", epochs=1
    )
    again = lab.train(
        "a", "sparse_categorical_crossentropy", tiny, output="softmax", epochs=1
    )
    assert set(first.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(first.history["loss"]) == 1
    np.testing.assert_array_equal(first.outputs, again.outputs)
    np.testing.assert_allclose(first.probs.sum(axis=1), 1.0, rtol=1e-6)
    assert first.confusion.sum() == 100
    assert 0.0 <= first.ece <= 1.0 and 0.0 <= first.accuracy <= 1.0
    assert first.cpu_seconds > 0


def test_every_loss_setup_trains_one_epoch(tiny):
    setups = lab.loss_setups()
    assert list(setups) == [
        "sparse CE, logits",
        "CE on softmax",
        "MSE, one-hot",
        "label smoothing 0.1",
        "focal, γ = 2",
    ]
    for setup in setups.values():
        run = lab.train_setup(setup, tiny, epochs=1, validate_every_epoch=False)
        assert np.all(np.isfinite(run.history["loss"]))
        assert run.probs.shape == (100, 10)


def test_train_rejects_bad_arguments_by_name(tiny):
    with pytest.raises(ValueError, match="labels"):
        lab.train("x", "mse", tiny, labels="integer")
    with pytest.raises(ValueError, match="model"):
        lab.train("x", "mse", tiny, model="resnet")
    with pytest.raises(TypeError, match="epochs"):
        lab.train("x", "mse", tiny, epochs=1.5)
    with pytest.raises(TypeError, match="validate_every_epoch"):
        lab.train("x", "mse", tiny, validate_every_epoch=1)
    with pytest.raises(TypeError, match="data"):
        lab.train("x", "mse", (tiny.x_train, tiny.y_train))


def test_array_helpers_reject_bad_input_by_name():
    with pytest.raises(ValueError, match="logits"):
        lab.softmax([[1.0, np.nan]])
    with pytest.raises(ValueError, match="logits"):
        lab.wrong_class_gradients(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="y_true has 1 labels"):
        lab.wrong_class_gradients(np.zeros((2, 3)), np.array([0]))
    with pytest.raises(TypeError, match="fraction"):
        lab.imbalanced_indices(np.array([0, 1]), fraction="half")
    no_model = lab.TrainingRun("r", {}, np.eye(2), np.eye(2), np.arange(2), 0, 0, None)
    with pytest.raises(TypeError, match="confusion-aware"):
        lab.evaluate_in_fresh_process(no_model, None)


def test_confusion_aware_model_loads_and_evaluates_in_a_fresh_process(tiny_split):
    from course_utils.losses.confusion_aware import make_confusion_aware_loss

    run = lab.train(
        "confusion-aware",
        make_confusion_aware_loss(10, from_logits=True),
        tiny_split,
        labels="one_hot",
        epochs=1,
        validate_every_epoch=False,
    )
    assert run.evaluated_on == "validation"
    result = lab.evaluate_in_fresh_process(run, tiny_split)
    assert result["without_registration"] != "loaded"
    assert result["loss_class"] == "ConfusionAwareCrossentropy"
    assert result["confusion_matches"] is True
    assert result["max_probability_difference"] < 1e-5
    assert result["accuracy"] == pytest.approx(run.accuracy)
    assert result["evaluate"][1] == pytest.approx(run.accuracy)


# ----------------------------------------------------------------------------- figures and widgets


def test_static_figures_draw_what_they_are_given(tiny):
    fig = lab.plot_class_examples(tiny.x_train, tiny.y_train, per_class=1)
    assert isinstance(fig, Figure) and len(fig.axes) == 10
    counts = np.array([[3, 1], [0, 4]])
    fig = lab.plot_confusion_matrices({"a": counts})
    np.testing.assert_allclose(
        fig.axes[0].images[0].get_array(), [[0.75, 0.25], [0, 1]]
    )


def test_training_curves_and_reliability_plot_the_runs_numbers():
    history = {
        "loss": [1.0, 0.5],
        "accuracy": [0.6, 0.8],
        "val_loss": [1.1, 0.7],
        "val_accuracy": [0.55, 0.75],
    }
    probs = lab.softmax(np.random.default_rng(0).normal(size=(50, 10)) * 3)
    y = np.random.default_rng(1).integers(0, 10, size=50)
    run = lab.TrainingRun("r", history, probs, probs, y, 1.0, 1.0, None, "softmax")
    fig = lab.plot_training_curves({"r": run})
    np.testing.assert_allclose(artist(fig, "val-accuracy-r").get_ydata(), [0.55, 0.75])
    fig = lab.plot_reliability_diagrams({"r": run})
    table = lab.reliability_table(probs, y)
    bars = [patch for patch in fig.axes[0].patches if patch.get_gid() == "bars-r"]
    heights = [bar.get_height() for bar in bars]
    np.testing.assert_allclose(heights, table.accuracy[table.counts > 0])
    assert f"{table.ece:.3f}" in fig.axes[0].get_title()


@pytest.fixture(scope="module")
def demo() -> lab.Predictions:
    return lab.demo_predictions()


def test_explorer_shows_the_cells_images_and_probabilities(demo):
    live = lab.misclassification_widget(demo, "Trouser", "Trouser")
    live.set(true_class="Shirt", predicted_class="T-shirt/top")
    members = demo.cell(6, 0)
    assert members.size > 0
    predicted = demo.probs.argmax(axis=1)
    assert np.all(demo.y_true[members] == 6) and np.all(predicted[members] == 0)
    assert np.all(np.diff(demo.probs[members, 0]) <= 0)
    # a thumbnail holds the grey image's colours (RGBA bytes): ink 1 is black, paper 0 white
    np.testing.assert_array_equal(
        artist(live.figure, "thumb-0").get_array(),
        matplotlib.colormaps["gray_r"](demo.images[members[0]], bytes=True),
    )
    heights = [artist(live.figure, f"prob-bar-{k}").get_height() for k in range(10)]
    np.testing.assert_allclose(heights, demo.probs[members[0]])
    assert (
        artist(live.figure, "explorer-status")
        .get_text()
        .startswith(f"{members.size} images of Shirt predicted as T-shirt/top")
    )
    assert len(live.redraw_seconds) == 2


@pytest.mark.parametrize("shape", [(28, 28, 1), (784,)])
def test_explorer_takes_images_in_every_accepted_shape(demo, shape):
    # The lab passes the model's input images, (m, 28, 28, 1): the thumbnails are the same.
    shaped = lab.Predictions(demo.images.reshape(-1, *shape), demo.y_true, demo.probs)
    fig = lab.plot_misclassifications(shaped, "Shirt", "T-shirt/top")
    reference = lab.plot_misclassifications(demo, "Shirt", "T-shirt/top")
    np.testing.assert_array_equal(
        artist(fig, "thumb-0").get_array(), artist(reference, "thumb-0").get_array()
    )


def test_explorer_empty_cell_and_bad_class(demo):
    live = lab.misclassification_widget(demo)
    empty = next(
        (t, k) for t in range(10) for k in range(10) if demo.cell(t, k).size == 0
    )
    live.set(
        true_class=lab.CLASS_NAMES[empty[0]], predicted_class=lab.CLASS_NAMES[empty[1]]
    )
    assert (
        artist(live.figure, "explorer-status")
        .get_text()
        .endswith("no image in this cell")
    )
    assert np.all(artist(live.figure, "thumb-0").get_array() == 255)  # white
    with pytest.raises(ValueError, match="true_class"):
        live.set(true_class="Dog")
    with pytest.raises(ValueError, match="true_class"):
        lab.plot_misclassifications(demo, "Dog", "Shirt")


def test_confusion_widget_switches_matrices():
    matrices = lab.demo_confusion_matrices()
    live = lab.confusion_matrix_widget(matrices)
    name = list(matrices)[1]
    live.set(loss=name)
    counts = matrices[name]
    np.testing.assert_allclose(
        artist(live.figure, "confusion-image").get_array(),
        counts / counts.sum(axis=1, keepdims=True),
    )
    recall = lab.per_class_recall(counts)
    for k in range(10):
        assert artist(live.figure, f"recall-{k}").get_text() == f"{100 * recall[k]:.0f}"
    title = artist(live.figure, "confusion-title").get_text()
    assert f"{lab.balanced_accuracy(counts):.3f}" in title
    fresh = lab.plot_confusion_view(matrices, name)
    np.testing.assert_array_equal(
        artist(fresh, "confusion-image").get_array(),
        artist(live.figure, "confusion-image").get_array(),
    )
    with pytest.raises(ValueError, match="loss"):
        live.set(loss="hinge")


def test_zero_argument_widgets_are_registered_for_the_benchmark():
    from course_utils.widgets import WIDGET_FACTORIES

    assert WIDGET_FACTORIES["misclassification_widget"] is lab.misclassification_widget
    assert WIDGET_FACTORIES["confusion_matrix_widget"] is lab.confusion_matrix_widget


# ----------------------------------------------------------------------------- validation split


def test_split_validation_is_stratified_and_leaves_the_test_images(data):
    split = lab.split_validation(data)
    assert split.x_val.shape == (2_000, 28, 28, 1) and split.x_train.shape[0] == 8_000
    np.testing.assert_array_equal(np.bincount(split.y_val), [200] * 10)
    np.testing.assert_array_equal(np.bincount(split.y_train), [800] * 10)
    assert split.x_test is data.x_test and split.y_test is data.y_test
    # the two parts are disjoint and together make the 10,000 training images
    flat = data.x_train.reshape(10_000, -1)
    rows = {row.tobytes(): i for i, row in enumerate(flat)}
    val_rows = {rows[r.tobytes()] for r in split.x_val.reshape(2_000, -1)}
    train_rows = {rows[r.tobytes()] for r in split.x_train.reshape(8_000, -1)}
    assert not val_rows & train_rows
    assert len(val_rows | train_rows) >= 10_000 - 54  # 54 exact duplicates in the data
    again = lab.split_validation(data)
    np.testing.assert_array_equal(split.x_val, again.x_val)
    other = lab.split_validation(data, seed=1)
    assert not np.array_equal(split.y_val, other.y_val) or not np.array_equal(
        split.x_val, other.x_val
    )
    assert lab.load_lab_data().x_val is None and not data.has_validation


def test_split_validation_refuses_bad_sizes_and_a_second_split(data):
    with pytest.raises(ValueError, match="size must be a multiple of 10"):
        lab.split_validation(data, size=2005)
    with pytest.raises(ValueError, match="size must leave training images"):
        lab.split_validation(data, size=10_000)
    with pytest.raises(TypeError, match="size"):
        lab.split_validation(data, size=0.2)
    with pytest.raises(ValueError, match="already has a validation split"):
        lab.split_validation(lab.split_validation(data))
    with pytest.raises(TypeError, match="data"):
        lab.split_validation((data.x_train, data.y_train))


@pytest.fixture(scope="module")
def tiny_split(tiny) -> lab.LabData:
    """The tiny data with 100 validation images carved out of its 300 training images."""
    labels = tiny.y_train
    val = np.zeros(labels.size, dtype=bool)
    val[:100] = True
    return lab.LabData(
        tiny.x_train[~val],
        labels[~val],
        tiny.x_test,
        tiny.y_test,
        tiny.x_train[val],
        labels[val],
    )


def test_train_scores_on_validation_and_evaluate_scores_the_test_once(tiny_split):
    run = lab.train("v", "sparse_categorical_crossentropy", tiny_split, epochs=1)
    assert run.evaluated_on == "validation"
    np.testing.assert_array_equal(run.y_val, tiny_split.y_val)
    assert run.confusion.sum() == 100
    direct = lab.predict(run.model, tiny_split.x_val)
    np.testing.assert_allclose(run.outputs, direct, rtol=1e-6)
    test = lab.evaluate_on_test(run, tiny_split)
    assert test.y_true is not None and test.confusion.sum() == len(tiny_split.y_test)
    np.testing.assert_allclose(
        test.outputs, lab.predict(run.model, tiny_split.x_test), rtol=1e-6
    )
    np.testing.assert_allclose(test.probs, lab.softmax(test.outputs))
    assert test.accuracy == pytest.approx(
        np.mean(test.outputs.argmax(axis=1) == tiny_split.y_test)
    )
    np.testing.assert_allclose(test.recall, lab.per_class_recall(test.confusion))
    # without a validation split, a run is scored on the test images (as before)
    old_style = lab.LabData(
        tiny_split.x_train, tiny_split.y_train, tiny_split.x_test, tiny_split.y_test
    )
    before = lab.train("o", "sparse_categorical_crossentropy", old_style, epochs=1)
    assert before.evaluated_on == "test"
    np.testing.assert_array_equal(before.y_val, tiny_split.y_test)
    with pytest.raises(ValueError, match="labels must hold one class id per image"):
        lab.evaluate(run, tiny_split.x_test, tiny_split.y_test[:5])
    with pytest.raises(TypeError, match="run"):
        lab.evaluate(run.model, tiny_split.x_test, tiny_split.y_test)


def test_recipe_is_chosen_apart_from_the_model(tiny):
    own = lab.train(
        "own", "sparse_categorical_crossentropy", tiny, model="tutorial", epochs=1
    )
    named = lab.train(
        "named",
        "sparse_categorical_crossentropy",
        tiny,
        model="tutorial",
        recipe="tutorial",
        epochs=1,
    )
    np.testing.assert_array_equal(own.outputs, named.outputs)
    other = lab.train(
        "other",
        "sparse_categorical_crossentropy",
        tiny,
        model="tutorial",
        recipe="lab",
        epochs=1,
    )
    assert not np.array_equal(own.outputs, other.outputs)
    # a Recipe object equal to the lab's entry trains exactly as the name does
    copy = lab.Recipe(epochs=8, batch_size=128, learning_rate=3e-3, cosine=True)
    as_object = lab.train(
        "obj",
        "sparse_categorical_crossentropy",
        tiny,
        model="tutorial",
        recipe=copy,
        epochs=1,
    )
    np.testing.assert_array_equal(other.outputs, as_object.outputs)
    with pytest.raises(ValueError, match="recipe"):
        lab.train("x", "mse", tiny, recipe="adam")
    with pytest.raises(ValueError, match="recipe.learning_rate"):
        lab.train("x", "mse", tiny, recipe=lab.Recipe(1, 32, -1.0, False))


def test_output_bias_sets_the_last_layer_before_training(tiny):
    counts = np.arange(1, 11)
    bias = lab.prior_bias(counts)
    # one step at η tiny: the bias is still (almost) the prior's logarithm
    recipe = lab.Recipe(epochs=1, batch_size=300, learning_rate=1e-9, cosine=False)
    run = lab.train(
        "b", "sparse_categorical_crossentropy", tiny, recipe=recipe, output_bias=bias
    )
    np.testing.assert_allclose(
        run.model.get_layer("logits").bias.numpy(), bias, atol=1e-5
    )
    with pytest.raises(ValueError, match="output_bias"):
        lab.train("x", "mse", tiny, output_bias=np.zeros(3))


# ----------------------------------------------------------------------------- imbalance tools


def test_prior_bias_is_the_log_prior_and_softmax_gives_the_prior_back():
    counts = np.array([800, 40, 800, 800, 800, 800, 40, 800, 800, 800])
    bias = lab.prior_bias(counts)
    np.testing.assert_allclose(lab.softmax(bias), counts / counts.sum())
    np.testing.assert_allclose(bias, np.log(counts / counts.sum()))
    np.testing.assert_allclose(lab.prior_bias(counts / counts.sum()), bias)
    with pytest.raises(ValueError, match="counts"):
        lab.prior_bias([10, 0, 5])
    np.testing.assert_allclose(lab.class_priors([0, 0, 1, 2], 3), [0.5, 0.25, 0.25])


def test_adjust_logits_subtracts_tau_log_prior():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4))
    priors = np.array([0.4, 0.4, 0.1, 0.1])
    np.testing.assert_allclose(lab.adjust_logits(z, priors), z - np.log(priors))
    np.testing.assert_allclose(
        lab.adjust_logits(z, priors, tau=0.5), z - 0.5 * np.log(priors)
    )
    np.testing.assert_allclose(lab.adjust_logits(z, priors, tau=0.0), z)
    # counts are normalised first: same softmax, same argmax
    np.testing.assert_allclose(
        lab.softmax(lab.adjust_logits(z, [40, 40, 10, 10])),
        lab.softmax(lab.adjust_logits(z, priors)),
    )
    # a tie between a frequent and a rare class goes to the rare one
    tie = np.zeros((1, 4))
    assert lab.adjust_logits(tie, priors).argmax() == 2
    with pytest.raises(ValueError, match="priors must hold one value per class"):
        lab.adjust_logits(z, [0.5, 0.5])
    with pytest.raises(ValueError, match="priors"):
        lab.adjust_logits(z, [0.5, 0.5, 0.0, 0.0])
    with pytest.raises(TypeError, match="tau"):
        lab.adjust_logits(z, priors, tau="1")


def test_oversample_indices_give_every_class_the_largest_count():
    labels = np.array([0] * 10 + [1] * 3 + [2] * 5)
    drawn = lab.oversample_indices(labels, seed=0)
    np.testing.assert_array_equal(np.bincount(labels[drawn]), [10, 10, 10])
    for k in range(3):  # every original row is kept at least once
        assert set(np.flatnonzero(labels == k)) <= set(drawn)
    subset = np.array([0, 1, 2, 10, 13])  # three of class 0, one of 1, one of 2
    drawn = lab.oversample_indices(labels, subset, seed=1)
    assert set(drawn) <= set(subset)
    np.testing.assert_array_equal(np.bincount(labels[drawn], minlength=3), [3, 3, 3])
    np.testing.assert_array_equal(drawn, lab.oversample_indices(labels, subset, seed=1))
    with pytest.raises(ValueError, match="indices"):
        lab.oversample_indices(labels, [99])


# ----------------------------------------------------------------------------- temperature scaling


def _nll_by_grid(z, y):
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 4001))
    values = [lab.temperature_nll(z, y, t) for t in grid]
    return grid[int(np.argmin(values))]


def test_fit_temperature_recovers_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(4000, 10))
    # labels drawn from softmax(z / 2): the data are calibrated at T = 2
    p = lab.softmax(z / 2.0)
    y = np.array([rng.choice(10, p=row) for row in p])
    fitted = lab.fit_temperature(z, y)
    assert 1.8 < fitted < 2.2
    assert fitted == pytest.approx(_nll_by_grid(z, y), rel=2e-3)
    assert lab.temperature_nll(z, y, fitted) <= lab.temperature_nll(z, y, 1.0)
    # accuracy never changes; the probabilities are softmax(z / T)
    np.testing.assert_array_equal(
        lab.temperature_probs(z, fitted).argmax(axis=1), z.argmax(axis=1)
    )
    np.testing.assert_allclose(lab.temperature_probs(z, 2.0), p)


def test_temperature_nll_by_hand_and_bad_input():
    z = np.array([[2.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 0])
    expected = -np.mean(
        [np.log(np.exp(1.0) / (np.exp(1.0) + 1)), np.log(1 / (1 + np.exp(0.5)))]
    )
    assert lab.temperature_nll(z, y, 2.0) == pytest.approx(expected)
    with pytest.raises(ValueError, match="temperature"):
        lab.temperature_nll(z, y, 0.0)
    with pytest.raises(ValueError, match="logits"):
        lab.fit_temperature(np.zeros(4), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="y_true has 1 labels"):
        lab.fit_temperature(z, np.array([0]))
    with pytest.raises(ValueError, match="bounds"):
        lab.fit_temperature(z, y, bounds=(2.0, 1.0))


# ----------------------------------------------------------------------------- seeds and noise


def test_mean_sd_and_its_format():
    mean, sd = lab.mean_sd([0.80, 0.82, 0.84])
    assert mean == pytest.approx(0.82) and sd == pytest.approx(0.02)
    assert lab.mean_sd([0.5]) == (0.5, 0.0)
    assert lab.format_mean_sd([0.80, 0.82, 0.84]) == "82.0 ± 2.0"
    assert lab.format_mean_sd([1.0, 2.0], scale=1, digits=2) == "1.50 ± 0.71"
    with pytest.raises(ValueError, match="values"):
        lab.mean_sd([])


def test_recall_standard_error_on_200_images_is_at_most_3_5_points():
    assert lab.recall_standard_error(0.5, 200) == pytest.approx(np.sqrt(0.25 / 200))
    assert 0.035 < lab.recall_standard_error() < 0.036
    assert lab.recall_standard_error(0.9, 200) < lab.recall_standard_error(0.5, 200)
    assert lab.recall_standard_error(1.0, 200) == 0.0
    with pytest.raises(ValueError, match="recall"):
        lab.recall_standard_error(1.5)


def test_oversample_indices_at_an_equal_budget_keep_the_epoch_length():
    labels = np.array([0] * 10 + [1] * 2 + [2] * 6)
    drawn = lab.oversample_indices(labels, seed=0, per_class=labels.size // 3)
    assert drawn.size == labels.size
    np.testing.assert_array_equal(np.bincount(labels[drawn]), [6, 6, 6])
    with pytest.raises(ValueError, match="per_class"):
        lab.oversample_indices(labels, per_class=0)


def test_reliability_diagrams_take_pairs_and_evaluations():
    rng = np.random.default_rng(2)
    probs = lab.softmax(rng.normal(size=(40, 10)) * 2)
    y = rng.integers(0, 10, size=40)
    scaled = lab.temperature_probs(np.log(probs), 2.0)
    evaluation = lab.Evaluation(np.log(probs), probs, y)
    fig = lab.plot_reliability_diagrams({"raw": evaluation, "÷ T": (scaled, y)})
    assert len(fig.axes) == 2
    table = lab.reliability_table(scaled, y)
    bars = [p for p in fig.axes[1].patches if p.get_gid() == "bars-÷ T"]
    np.testing.assert_allclose(
        [bar.get_height() for bar in bars], table.accuracy[table.counts > 0]
    )
    assert f"{table.ece:.3f}" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="labels"):
        lab.plot_reliability_diagrams({"bad": (scaled, y[:5])})
    with pytest.raises(TypeError, match="runs"):
        lab.plot_reliability_diagrams({"bad": scaled})


def test_exercise_08_5_reference_is_the_nll_minimum_on_a_grid():
    z, y = nb08.TEMPERATURE_LOGITS, nb08.TEMPERATURE_LABELS
    grid = np.linspace(0.5, 5.0, 4501)
    nll = [lab.temperature_nll(z, y, t) for t in grid]
    assert exercise("08.5").solution == pytest.approx(
        grid[int(np.argmin(nll))], abs=2e-3
    )
    assert exercise("08.5").solution > 1  # over-confident on its two mistakes


def test_exercise_08_6_reference_subtracts_the_natural_log_prior():
    expected = nb08.ADJUST_LOGITS - np.log(nb08.ADJUST_PRIORS)
    np.testing.assert_allclose(exercise("08.6").solution, expected)
    assert int(np.argmax(expected)) == 2 and int(np.argmax(nb08.ADJUST_LOGITS)) == 0
