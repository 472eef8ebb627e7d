"""Lab 08's helpers: data, measures, models, training, the fresh-process check and the two widgets.

Training tests use a few hundred images and one epoch, so the file runs in seconds (plus one fresh
Python process that imports TensorFlow).
"""

from __future__ import annotations

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


def test_confusion_aware_model_loads_and_evaluates_in_a_fresh_process(tiny):
    from course_utils.losses.confusion_aware import make_confusion_aware_loss

    run = lab.train(
        "confusion-aware",
        make_confusion_aware_loss(10, from_logits=True),
        tiny,
        labels="one_hot",
        epochs=1,
        validate_every_epoch=False,
    )
    result = lab.evaluate_in_fresh_process(run, tiny)
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
    np.testing.assert_array_equal(
        artist(live.figure, "thumb-0").get_array(), demo.images[members[0]]
    )
    heights = [artist(live.figure, f"prob-bar-{k}").get_height() for k in range(10)]
    np.testing.assert_allclose(heights, demo.probs[members[0]])
    assert (
        artist(live.figure, "explorer-status")
        .get_text()
        .startswith(f"{members.size} test images of Shirt predicted as T-shirt/top")
    )
    assert len(live.redraw_seconds) == 2


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
    assert not np.any(artist(live.figure, "thumb-0").get_array())
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
