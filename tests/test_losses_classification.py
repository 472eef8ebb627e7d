"""Classification losses (course_utils.losses.classification): the cases the generic tests do not reach.

``VARIANTS`` lists the parameter sets tests/test_losses_agreement.py tries for each loss; ``SHAPES``
leaves out the one-class shape (N, 1) for the categorical losses that read probabilities (a single
class has probability exactly 1, where a finite-difference step leaves [0, 1]); that shape is checked
here instead. Every expected value below comes from Keras or from an independent formula.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import course_utils.losses.classification  # noqa: F401  (registers the entries)
from course_utils.losses._arrays import EPSILON
from course_utils.losses._catalog import _REGISTRY

VARIANTS = {
    "binary_crossentropy": [
        {},
        {"from_logits": True},
        {"label_smoothing": 0.1},
        {"from_logits": True, "label_smoothing": 0.3},
        {"axis": 0},
        {"from_logits": True, "axis": 0},
    ],
    "binary_focal_crossentropy": [
        {},
        {"from_logits": True},
        {"apply_class_balancing": True},
        {
            "apply_class_balancing": True,
            "alpha": 0.6,
            "gamma": 1.0,
            "from_logits": True,
        },
        {"gamma": 0.0},
        {"gamma": 3.5, "label_smoothing": 0.2},
        {"axis": 0, "from_logits": True},
    ],
    "categorical_crossentropy": [
        {},
        {"from_logits": True},
        {"label_smoothing": 0.1},
        {"from_logits": True, "label_smoothing": 0.25},
        {"axis": 0},
        {"from_logits": True, "axis": 0},
    ],
    "sparse_categorical_crossentropy": [
        {},
        {"from_logits": True},
        {"ignore_class": 1},
        {"from_logits": True, "ignore_class": 0},
        {"axis": -1},
    ],
    "categorical_focal_crossentropy": [
        {},
        {"from_logits": True},
        {"alpha": 0.5, "gamma": 0.0},
        {"gamma": 1.5, "label_smoothing": 0.1},
        {"from_logits": True, "alpha": 1.0, "gamma": 4.0},
        {"axis": 0},
    ],
    "categorical_generalized_cross_entropy": [
        {"q": 0.5},
        {"q": 0.1},
        {"q": 0.8},
        {"q": 1.0},
    ],
    "hinge": [{}],
    "squared_hinge": [{}],
    "categorical_hinge": [{}],
}

_WITHOUT_ONE_CLASS = ((6,), (4, 3), (2, 3, 2, 4))
SHAPES = {
    name: _WITHOUT_ONE_CLASS
    for name in (
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_generalized_cross_entropy",
    )
}

CLASSIFICATION = tuple(VARIANTS)
CROSS_ENTROPIES_WITH_LOGITS = (
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "categorical_focal_crossentropy",
)


def entry(name):
    return _REGISTRY[name]


def _keras(name):
    import keras

    return getattr(keras.losses, name)


def _loss_and_gradient(function, y_true, y_pred, **params):
    import tensorflow as tf

    prediction = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        loss = function(y_true, prediction, **params)
        total = tf.reduce_sum(loss)
    return loss.numpy(), tape.gradient(total, prediction).numpy()


def _labels_for(name, rng, shape):
    k = shape[-1]
    if name in (
        "sparse_categorical_crossentropy",
        "categorical_generalized_cross_entropy",
    ):
        return rng.integers(0, k, size=shape[:-1])
    if name in (
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
    ):
        return np.eye(k, dtype=np.float32)[rng.integers(0, k, size=shape[:-1])]
    return rng.integers(0, 2, size=shape).astype(np.float32)


# ----------------------------------------------------------------------------- registration


def test_all_nine_entries_are_registered_in_the_classification_family():
    assert set(CLASSIFICATION) <= set(_REGISTRY)
    for name in CLASSIFICATION:
        assert entry(name).family == "classification"
        assert entry(name).grad is not None


def test_categorical_crossentropy_formula_shows_the_renormalisation_before_the_clip():
    latex = entry("categorical_crossentropy").latex
    assert (
        r"\operatorname{clip}\left(\frac{\hat y_k}{\sum_{k'=1}^{K} \hat y_{k'}}\right)"
        in latex
    )
    assert r"\epsilon = 10^{-7}" in latex and r"\tfrac{s}{K}" in latex


# ----------------------------------------------------------------------------- extreme inputs


@pytest.mark.parametrize("name", CROSS_ENTROPIES_WITH_LOGITS)
def test_logits_of_plus_minus_1e4_give_a_finite_loss_and_gradient_equal_to_keras(name):
    rng = np.random.default_rng(3)
    y_pred = rng.choice([-1e4, 1e4], size=(6, 4)).astype(np.float32)
    y_pred[0] = [1e4, -1e4, -1e4, -1e4]
    y_true = _labels_for(name, rng, y_pred.shape)
    ours, our_gradient = _loss_and_gradient(
        entry(name).tf, y_true, y_pred, from_logits=True
    )
    theirs, _ = _loss_and_gradient(_keras(name), y_true, y_pred, from_logits=True)
    assert np.all(np.isfinite(ours)) and np.all(np.isfinite(our_gradient))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    reference = entry(name).numpy(y_true, y_pred.astype(np.float64), from_logits=True)
    np.testing.assert_allclose(ours, reference, rtol=1e-5)
    assert np.all(
        np.isfinite(
            entry(name).grad(y_true, y_pred.astype(np.float64), from_logits=True)
        )
    )


def test_a_confidently_wrong_logit_costs_its_size_not_the_clip_bound():
    """With logits nothing is clipped: −ln σ(−1e4) = 1e4, where clipped probabilities would give 16.1."""
    for name in ("binary_crossentropy", "binary_focal_crossentropy"):
        value = float(
            entry(name).tf(np.array([1.0]), np.array([-1e4]), from_logits=True)
        )
        keras_value = float(
            _keras(name)(np.array([1.0]), np.array([-1e4]), from_logits=True)
        )
        assert value == pytest.approx(keras_value, rel=1e-12)
        assert (
            value > 1e3 * float(-np.log(EPSILON)) / 16.2
        )  # far above the clip bound of 16.1


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "sparse_categorical_crossentropy",
    ],
)
def test_probabilities_exactly_0_and_1_are_clipped_finite_and_equal_to_keras(name):
    y_pred = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    y_true = (
        np.array([1, 0, 2])
        if name.startswith("sparse")
        else np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    )
    ours, our_gradient = _loss_and_gradient(entry(name).tf, y_true, y_pred)
    theirs, their_gradient = _loss_and_gradient(_keras(name), y_true, y_pred)
    assert np.all(np.isfinite(ours)) and np.all(np.isfinite(our_gradient))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(our_gradient, their_gradient, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        entry(name).numpy(y_true, y_pred), theirs, rtol=1e-9, atol=1e-15
    )
    np.testing.assert_allclose(
        entry(name).grad(y_true, y_pred), our_gradient, rtol=1e-9, atol=1e-12
    )


def test_binary_crossentropy_at_exact_0_and_1_is_minus_ln_epsilon_and_has_no_gradient():
    value = entry("binary_crossentropy").numpy([1.0, 0.0], [0.0, 1.0])
    # 1 − (1 − ε) is not exactly ε in floating point, so the two terms differ in the 10th digit.
    assert value == pytest.approx(
        (-np.log(EPSILON) - np.log(1.0 - (1.0 - EPSILON))) / 2, rel=1e-12
    )
    np.testing.assert_array_equal(
        entry("binary_crossentropy").grad([1.0, 0.0], [0.0, 1.0]), [0.0, 0.0]
    )


def test_generalized_cross_entropy_with_a_zero_true_probability_is_one_over_q():
    y_pred = np.array([[0.0, 1.0], [0.5, 0.5]])
    for q in (0.25, 1.0):
        expected = np.array([1.0 / q, (1.0 - 0.5**q) / q])
        np.testing.assert_allclose(
            entry("categorical_generalized_cross_entropy").numpy([0, 1], y_pred, q=q),
            expected,
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            entry("categorical_generalized_cross_entropy").tf(
                np.array([0, 1]), y_pred, q=q
            ),
            expected,
            rtol=1e-12,
        )


# ----------------------------------------------------------------------------- Keras semantics


def test_categorical_crossentropy_renormalises_rows_before_clipping():
    y_true = np.array([[0.0, 1.0, 0.0]])
    half, whole = np.array([[0.2, 0.2, 0.1]]), np.array([[0.4, 0.4, 0.2]])
    entry_ = entry("categorical_crossentropy")
    assert entry_.numpy(y_true, half) == pytest.approx(-np.log(0.4), rel=1e-12)
    assert entry_.numpy(y_true, half) == pytest.approx(
        entry_.numpy(y_true, whole), rel=1e-12
    )
    np.testing.assert_allclose(
        entry_.tf(y_true, half),
        np.asarray(_keras("categorical_crossentropy")(y_true, half)),
        rtol=1e-12,
    )


def test_sparse_categorical_crossentropy_clips_then_renormalises():
    """[1, 0, 0] with true class 1: −ln ε + ln(1 − ε + 2ε), independent of Keras's code path."""
    value = entry("sparse_categorical_crossentropy").numpy([1], [[1.0, 0.0, 0.0]])
    expected = -np.log(EPSILON) + np.log(1.0 - EPSILON + 2 * EPSILON)
    assert value == pytest.approx(expected, rel=1e-12)
    keras_value = _keras("sparse_categorical_crossentropy")(
        np.array([1]), np.array([[1.0, 0.0, 0.0]])
    )
    assert float(np.asarray(keras_value)[0]) == pytest.approx(expected, rel=1e-9)


def test_label_smoothing_pulls_binary_targets_to_one_half_and_categorical_to_uniform():
    bce = entry("binary_crossentropy").numpy([1.0], [0.7], label_smoothing=0.2)
    assert bce == pytest.approx(-(0.9 * np.log(0.7) + 0.1 * np.log(0.3)), rel=1e-12)
    cce = entry("categorical_crossentropy").numpy(
        [[0.0, 1.0, 0.0, 0.0]], [[0.1, 0.6, 0.2, 0.1]], label_smoothing=0.2
    )
    smoothed = np.array([0.05, 0.85, 0.05, 0.05])
    assert cce == pytest.approx(
        -np.sum(smoothed * np.log([0.1, 0.6, 0.2, 0.1])), rel=1e-12
    )


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
    ],
)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1, 2])
def test_every_axis_and_from_logits_option_matches_keras(name, from_logits, axis):
    rng = np.random.default_rng(axis + 10)
    shape = (3, 4, 5)
    y_true = _labels_for(name, rng, shape).astype(np.float64)
    y_pred = (
        rng.normal(size=shape) if from_logits else rng.uniform(0.01, 0.99, size=shape)
    )
    params = {"from_logits": from_logits, "axis": axis, "label_smoothing": 0.1}
    ours = entry(name).tf(y_true, y_pred, **params).numpy()
    np.testing.assert_allclose(
        ours, np.asarray(_keras(name)(y_true, y_pred, **params)), rtol=1e-10
    )
    np.testing.assert_allclose(
        entry(name).numpy(y_true, y_pred, **params), ours, rtol=1e-10
    )
    _, autodiff = _loss_and_gradient(entry(name).tf, y_true, y_pred, **params)
    np.testing.assert_allclose(
        entry(name).grad(y_true, y_pred, **params), autodiff, rtol=1e-8, atol=1e-12
    )


def test_categorical_crossentropy_logit_gradient_along_another_axis_matches_finite_differences():
    """Keras 3.15's own gradient here (tf.nn.softmax_cross_entropy_with_logits, axis=0) is not the
    derivative of its loss; ours is: it matches central differences of the Keras values."""
    rng = np.random.default_rng(1)
    y_true, logits = np.eye(3)[rng.integers(0, 3, 4)], rng.normal(size=(4, 3))

    def keras_total(z):
        return float(
            np.sum(
                _keras("categorical_crossentropy")(y_true, z, from_logits=True, axis=0)
            )
        )

    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        up, down = logits.copy(), logits.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        numeric[index] = (keras_total(up) - keras_total(down)) / 2e-6
    _, autodiff = _loss_and_gradient(
        entry("categorical_crossentropy").tf, y_true, logits, from_logits=True, axis=0
    )
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-6, atol=1e-8)


def test_binary_focal_with_class_balancing_weights_class_one_by_alpha():
    y_true, y_pred = np.array([1.0, 0.0]), np.array([0.3, 0.3])
    values = [
        entry("binary_focal_crossentropy").numpy(
            y_true[i : i + 1],
            y_pred[i : i + 1],
            apply_class_balancing=True,
            alpha=0.8,
            gamma=2.0,
        )
        for i in range(2)
    ]
    assert values[0] == pytest.approx(0.8 * 0.7**2 * -np.log(0.3), rel=1e-12)
    assert values[1] == pytest.approx(0.2 * 0.3**2 * -np.log(0.7), rel=1e-12)


def test_categorical_focal_accepts_one_alpha_per_class_like_keras():
    rng = np.random.default_rng(5)
    y_true, y_pred = np.eye(4)[rng.integers(0, 4, 6)], rng.dirichlet(np.ones(4), 6)
    # Values exact in float32: Keras turns a list of weights into a float32 tensor first.
    params = {"alpha": [0.25, 0.5, 0.125, 1.0], "gamma": 1.5}
    ours = entry("categorical_focal_crossentropy").tf(y_true, y_pred, **params).numpy()
    np.testing.assert_allclose(
        ours,
        np.asarray(_keras("categorical_focal_crossentropy")(y_true, y_pred, **params)),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        entry("categorical_focal_crossentropy").numpy(y_true, y_pred, **params),
        ours,
        rtol=1e-12,
    )
    _, autodiff = _loss_and_gradient(
        entry("categorical_focal_crossentropy").tf, y_true, y_pred, **params
    )
    np.testing.assert_allclose(
        entry("categorical_focal_crossentropy").grad(y_true, y_pred, **params),
        autodiff,
        rtol=1e-9,
        atol=1e-12,
    )


@pytest.mark.parametrize("name", ["hinge", "squared_hinge"])
def test_hinge_converts_0_1_labels_only_when_every_label_is_0_or_1(name):
    y_pred = np.array([[0.3, -1.2, 2.0], [0.9, 0.1, -0.4]])
    binary = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(
        entry(name).numpy(binary, y_pred),
        entry(name).numpy(2 * binary - 1, y_pred),
        rtol=1e-12,
    )
    mixed = np.array([[1.0, 0.0, 0.5], [0.0, -1.0, 1.0]])
    for labels in (binary, mixed):
        expected = np.asarray(_keras(name)(labels, y_pred))
        np.testing.assert_allclose(entry(name).tf(labels, y_pred), expected, rtol=1e-12)
        np.testing.assert_allclose(
            entry(name).numpy(labels, y_pred), expected, rtol=1e-12
        )
    unconverted = np.mean(
        np.maximum(1.0 - mixed * y_pred, 0.0) ** (2 if name == "squared_hinge" else 1),
        axis=-1,
    )
    np.testing.assert_allclose(
        entry(name).numpy(mixed, y_pred), unconverted, rtol=1e-12
    )


def test_categorical_hinge_splits_the_gradient_between_tied_maxima_like_tensorflow():
    y_true = np.array([[0.0, 0.0, 1.0, 0.0]])
    y_pred = np.array([[0.5, 0.5, 0.2, -1.0]])
    _, autodiff = _loss_and_gradient(entry("categorical_hinge").tf, y_true, y_pred)
    np.testing.assert_allclose(
        entry("categorical_hinge").grad(y_true, y_pred), autodiff, rtol=1e-12
    )
    np.testing.assert_allclose(autodiff, [[0.5, 0.5, -1.0, 0.0]])


@pytest.mark.parametrize("from_logits", [False, True])
def test_sigmoid_and_softmax_outputs_are_read_through_their_logits_like_keras(
    from_logits,
):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 20.0, size=(4, 3)).astype(np.float32)
    cases = {
        "binary_crossentropy": (
            rng.integers(0, 2, (4, 3)).astype(np.float32),
            keras.activations.sigmoid,
            tf.sigmoid,
        ),
        "categorical_crossentropy": (
            np.eye(3, dtype=np.float32)[[0, 1, 2, 1]],
            keras.activations.softmax,
            tf.nn.softmax,
        ),
        "sparse_categorical_crossentropy": (
            np.array([0, 1, 2, 1]),
            keras.activations.softmax,
            tf.nn.softmax,
        ),
    }
    for name, (y_true, keras_activation, tf_activation) in cases.items():
        with warnings_ignored():
            eager = (
                entry(name)
                .tf(y_true, keras_activation(logits), from_logits=from_logits)
                .numpy()
            )
            keras_eager = np.asarray(
                _keras(name)(y_true, keras_activation(logits), from_logits=from_logits)
            )
            traced = tf.function(
                lambda t, z, n=name, act=tf_activation: entry(n).tf(
                    t, act(z), from_logits=from_logits
                )
            )(y_true, logits).numpy()
            keras_traced = tf.function(
                lambda t, z, n=name, act=tf_activation: _keras(n)(
                    t, act(z), from_logits=from_logits
                )
            )(y_true, logits).numpy()
        # float32: log-softmax and TensorFlow's fused kernel round differently on tiny losses.
        atol = 1e-6 * max(1.0, float(np.max(np.abs(keras_eager))))
        np.testing.assert_allclose(eager, keras_eager, rtol=1e-5, atol=atol)
        np.testing.assert_allclose(traced, keras_traced, rtol=1e-5, atol=atol)
        stable = entry(name).numpy(y_true, logits.astype(np.float64), from_logits=True)
        np.testing.assert_allclose(eager, stable, rtol=1e-4, atol=atol)


@contextlib.contextmanager
def warnings_ignored():
    """Keras warns about one-class predictions and activations passed with from_logits=True."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize(
    "name",
    [
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_generalized_cross_entropy",
    ],
)
def test_the_one_class_shape_matches_keras(name):
    """Shape (N, 1) for categorical losses: one class, probability 1 (left out of the generic SHAPES)."""
    y_pred = np.ones((5, 1))
    y_true = (
        np.zeros(5, dtype=int)
        if name
        in ("sparse_categorical_crossentropy", "categorical_generalized_cross_entropy")
        else np.ones((5, 1))
    )
    params = {"q": 0.5} if name == "categorical_generalized_cross_entropy" else {}
    with warnings_ignored():
        expected = np.asarray(_keras(name)(y_true, y_pred, **params))
        np.testing.assert_allclose(
            entry(name).tf(y_true, y_pred, **params), expected, rtol=1e-12, atol=1e-15
        )
    np.testing.assert_allclose(
        entry(name).numpy(y_true, y_pred, **params), expected, rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("name", CLASSIFICATION)
def test_output_dtype_and_shape_follow_y_pred_like_keras(name, dtype):
    import tensorflow as tf

    rng = np.random.default_rng(4)
    shape = (4, 3)
    y_true = _labels_for(name, rng, shape)
    if name in ("hinge", "squared_hinge"):
        y_true = 2.0 * y_true - 1.0
    y_pred = tf.cast(rng.dirichlet(np.ones(3), 4), dtype)
    params = VARIANTS[name][0]
    with warnings_ignored():
        ours, theirs = (
            entry(name).tf(y_true, y_pred, **params),
            _keras(name)(y_true, y_pred, **params),
        )
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(
        tf.cast(ours, tf.float64),
        tf.cast(theirs, tf.float64),
        rtol=1e-2 if "16" in dtype else 1e-6,
    )


# ----------------------------------------------------------------------------- Keras's loss classes


def _class_cases():
    rng = np.random.default_rng(8)
    shape = (5, 4)
    weights = np.array([0.0, 1.0, 2.5, 0.3, 1.0], dtype=np.float32)
    probabilities = rng.dirichlet(np.ones(4), 5).astype(np.float32)
    logits = rng.normal(size=shape).astype(np.float32)
    return (
        [
            (
                "BinaryCrossentropy",
                "binary_crossentropy",
                {"label_smoothing": 0.1},
                probabilities,
            ),
            (
                "BinaryCrossentropy",
                "binary_crossentropy",
                {"from_logits": True},
                logits,
            ),
            (
                "BinaryFocalCrossentropy",
                "binary_focal_crossentropy",
                {"apply_class_balancing": True},
                probabilities,
            ),
            (
                "CategoricalCrossentropy",
                "categorical_crossentropy",
                {"label_smoothing": 0.2},
                probabilities,
            ),
            (
                "CategoricalCrossentropy",
                "categorical_crossentropy",
                {"from_logits": True},
                logits,
            ),
            (
                "SparseCategoricalCrossentropy",
                "sparse_categorical_crossentropy",
                {},
                probabilities,
            ),
            (
                "SparseCategoricalCrossentropy",
                "sparse_categorical_crossentropy",
                {"from_logits": True, "ignore_class": 2},
                logits,
            ),
            (
                "CategoricalFocalCrossentropy",
                "categorical_focal_crossentropy",
                {"gamma": 1.0},
                probabilities,
            ),
            (
                "CategoricalGeneralizedCrossEntropy",
                "categorical_generalized_cross_entropy",
                {"q": 0.3},
                probabilities,
            ),
            ("Hinge", "hinge", {}, logits),
            ("SquaredHinge", "squared_hinge", {}, logits),
            ("CategoricalHinge", "categorical_hinge", {}, logits),
        ],
        weights,
        rng,
    )


@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", None]
)
def test_keras_loss_classes_give_the_same_weighted_result_with_our_function_inside(
    monkeypatch, reduction
):
    import keras
    from keras.src.losses import losses as keras_module

    cases, weights, rng = _class_cases()
    for class_name, name, params, y_pred in cases:
        y_true = _labels_for(name, rng, y_pred.shape)
        if (
            name == "sparse_categorical_crossentropy"
            and params.get("ignore_class") is not None
        ):
            y_true[0] = params["ignore_class"]
        expected = getattr(keras.losses, class_name)(reduction=reduction, **params)(
            y_true, y_pred, sample_weight=weights
        )
        with monkeypatch.context() as patch:
            patch.setattr(keras_module, name, entry(name).tf)
            loss = getattr(keras.losses, class_name)(reduction=reduction, **params)
            assert loss.fn is entry(name).tf
            ours = loss(y_true, y_pred, sample_weight=weights)
        np.testing.assert_allclose(
            np.asarray(ours),
            np.asarray(expected),
            rtol=1e-6,
            atol=1e-7,
            err_msg=f"{class_name} {params}",
        )


def test_ignore_class_positions_are_left_out_of_the_keras_average():
    """The mask our function attaches makes the class divide by the kept positions only."""
    import keras
    from keras.src.losses import losses as keras_module

    y_true = np.array([[-1, 2, 0]])
    logits = np.array([[[0.8, 0.7, 0.6], [0.1, 0.9, 0.0], [2.0, 0.0, -1.0]]])
    per_position = entry("sparse_categorical_crossentropy").numpy(
        y_true, logits, from_logits=True, ignore_class=-1
    )
    assert per_position[0, 0] == 0.0
    original = keras_module.sparse_categorical_crossentropy
    try:
        keras_module.sparse_categorical_crossentropy = entry(
            "sparse_categorical_crossentropy"
        ).tf
        value = keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=-1
        )(y_true, logits)
    finally:
        keras_module.sparse_categorical_crossentropy = original
    assert float(value) == pytest.approx(per_position.sum() / 2, rel=1e-6)


# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
    ],
)
@pytest.mark.parametrize("smoothing", [-0.1, 1.5])
def test_label_smoothing_outside_0_1_is_an_error_naming_it(name, smoothing):
    y_true, y_pred = np.array([[0.0, 1.0]]), np.array([[0.4, 0.6]])
    for implementation in (entry(name).numpy, entry(name).tf, entry(name).grad):
        with pytest.raises(
            ValueError, match=r"label_smoothing must be a number in \[0, 1\]"
        ):
            implementation(y_true, y_pred, label_smoothing=smoothing)


@pytest.mark.parametrize("q", [0.0, -0.2, 1.5])
def test_q_outside_0_1_is_an_error_naming_it(q):
    name = "categorical_generalized_cross_entropy"
    for implementation in (entry(name).numpy, entry(name).tf, entry(name).grad):
        with pytest.raises(ValueError, match=r"q must be a number in \(0, 1\]"):
            implementation(np.array([0]), np.array([[0.4, 0.6]]), q=q)


@pytest.mark.parametrize(
    "name", ["binary_focal_crossentropy", "categorical_focal_crossentropy"]
)
def test_a_negative_gamma_or_an_alpha_outside_0_1_is_an_error_naming_it(name):
    y_true, y_pred = np.array([[0.0, 1.0]]), np.array([[0.4, 0.6]])
    for implementation in (entry(name).numpy, entry(name).tf, entry(name).grad):
        with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
            implementation(y_true, y_pred, gamma=-1.0)
        with pytest.raises(ValueError, match=r"alpha must be a weight in \[0, 1\]"):
            implementation(y_true, y_pred, alpha=1.5)


@pytest.mark.parametrize(
    "name",
    [
        "binary_crossentropy",
        "binary_focal_crossentropy",
        "categorical_crossentropy",
        "categorical_focal_crossentropy",
        "sparse_categorical_crossentropy",
        "categorical_generalized_cross_entropy",
    ],
)
def test_probabilities_outside_0_1_are_an_error_naming_y_pred_unless_they_are_logits(
    name,
):
    y_pred = np.array([[-0.5, 1.5]])
    y_true = (
        np.array([1])
        if name
        in ("sparse_categorical_crossentropy", "categorical_generalized_cross_entropy")
        else np.array([[0.0, 1.0]])
    )
    params = {"q": 0.5} if name == "categorical_generalized_cross_entropy" else {}
    with pytest.raises(ValueError, match=r"y_pred must hold .* in \[0.0, 1.0\]"):
        entry(name).numpy(y_true, y_pred, **params)
    if not params:
        assert np.isfinite(entry(name).numpy(y_true, y_pred, from_logits=True)).all()


@pytest.mark.parametrize(
    "name", ["sparse_categorical_crossentropy", "categorical_generalized_cross_entropy"]
)
@pytest.mark.parametrize("labels", [[0, 3], [-1, 1]])
def test_class_ids_out_of_range_are_an_error_naming_y_true(name, labels):
    params = {"q": 0.5} if name == "categorical_generalized_cross_entropy" else {}
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    with pytest.raises(ValueError, match=r"y_true must hold class ids in \[0, 2\]"):
        entry(name).numpy(np.array(labels), y_pred, **params)
    with pytest.raises(ValueError, match="y_true must hold whole-number class ids"):
        entry(name).numpy(np.array([0.5, 1.0]), y_pred, **params)


def test_sparse_labels_out_of_range_fail_in_tensorflow_as_they_do_in_keras():
    import tensorflow as tf

    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _keras("sparse_categorical_crossentropy")(np.array([0, 3]), y_pred)
    with pytest.raises(tf.errors.InvalidArgumentError):
        entry("sparse_categorical_crossentropy").tf(np.array([0, 3]), y_pred)


def test_sparse_labels_out_of_range_fail_inside_tf_function_naming_y_true():
    """The one-hot pick would give a silent loss of 0 for a bad id; the check stops it in graphs too."""
    import tensorflow as tf

    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    traced = tf.function(lambda t, p: entry("sparse_categorical_crossentropy").tf(t, p))
    for labels in (np.array([0, 3]), np.array([-1, 2])):
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="y_true must hold class ids"
        ):
            traced(labels, y_pred)


def test_an_ignored_class_may_lie_outside_the_class_range():
    y_pred = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    value = entry("sparse_categorical_crossentropy").numpy(
        np.array([255, 2]), y_pred, ignore_class=255
    )
    np.testing.assert_allclose(value, [0.0, -np.log(0.8)], rtol=1e-12)
    np.testing.assert_allclose(
        entry("sparse_categorical_crossentropy").tf(
            np.array([255, 2]), y_pred, ignore_class=255
        ),
        value,
        rtol=1e-12,
    )


def test_sparse_with_a_class_axis_other_than_the_last_is_an_error_naming_axis():
    y_true, y_pred = np.zeros((4, 4), dtype=int), np.full((2, 4, 4), 0.5)
    for implementation in (
        entry("sparse_categorical_crossentropy").numpy,
        entry("sparse_categorical_crossentropy").tf,
        entry("sparse_categorical_crossentropy").grad,
    ):
        with pytest.raises(
            ValueError, match=r"Only axis=-1 is currently supported. Received: axis=0"
        ):
            implementation(y_true, y_pred, axis=0)


def test_generalized_cross_entropy_with_column_labels_matches_keras_in_tf_and_is_refused_in_numpy():
    y_pred = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4]])
    column = np.array([[0], [1], [0]])
    expected = np.asarray(
        _keras("categorical_generalized_cross_entropy")(column, y_pred, q=0.5)
    )
    np.testing.assert_allclose(
        entry("categorical_generalized_cross_entropy").tf(column, y_pred, q=0.5),
        expected,
        rtol=1e-12,
    )
    with pytest.raises(
        ValueError, match="y_true must hold one class id per prediction row"
    ):
        entry("categorical_generalized_cross_entropy").numpy(column, y_pred, q=0.5)


def test_a_boolean_axis_is_an_error_as_in_keras():
    for name in ("categorical_crossentropy", "categorical_focal_crossentropy"):
        with pytest.raises(ValueError, match="`axis` must be of type `int`"):
            entry(name).tf(np.array([[0.0, 1.0]]), np.array([[0.4, 0.6]]), axis=True)


def test_parameter_checks_of_the_catalog_name_the_parameter():
    q = entry("categorical_generalized_cross_entropy").param("q")
    assert (
        q.required
        and "q" not in entry("categorical_generalized_cross_entropy").defaults
    )
    with pytest.raises(ValueError, match="q must be"):
        q.validate(0.0)
    q.validate(1.0)
    with pytest.raises(ValueError, match="gamma must be"):
        entry("binary_focal_crossentropy").param("gamma").validate(-1.0)
    with pytest.raises(ValueError, match="label_smoothing must be"):
        entry("categorical_crossentropy").param("label_smoothing").validate(2.0)
    entry("categorical_focal_crossentropy").param("alpha").validate([0.1, 0.9])


# ----------------------------------------------------------------------------- review fixes (issue 10)


@pytest.mark.parametrize(
    ("name", "activation", "y_true", "logits", "through_logits"),
    [
        ("binary_crossentropy", "sigmoid", [[1.0]], [[-30.0]], 30.0),
        ("binary_focal_crossentropy", "sigmoid", [[1.0]], [[-30.0]], 30.0),
        (
            "categorical_crossentropy",
            "softmax",
            [[1.0, 0.0, 0.0]],
            [[-30.0, 0.0, 5.0]],
            None,
        ),
        ("sparse_categorical_crossentropy", "softmax", [0], [[-30.0, 0.0, 5.0]], None),
    ],
)
def test_keras_shortcut_a_keras_activation_output_is_read_through_its_logits(
    name, activation, y_true, logits, through_logits
):
    """BCE(1, sigmoid(−30)) is 30.0 from a Keras sigmoid but 16.118 from the same probability as an
    array: our tf follows Keras on both, our numpy (plain arrays only) gives the clipped value."""
    import keras

    z = np.array(logits, dtype=np.float32)
    y_true = np.array(y_true)
    probabilities = getattr(keras.activations, activation)(z)
    assert hasattr(probabilities, "_keras_logits")
    as_array = np.asarray(probabilities)
    keras_tensor = np.asarray(_keras(name)(y_true, probabilities))
    keras_array = np.asarray(_keras(name)(y_true, as_array))
    ours_tensor = np.asarray(entry(name).tf(y_true, probabilities))
    ours_array = np.asarray(entry(name).tf(y_true, as_array))
    np.testing.assert_allclose(ours_tensor, keras_tensor, rtol=1e-6)
    np.testing.assert_allclose(ours_array, keras_array, rtol=1e-6)
    # the logits path: the stable loss of the logits themselves, independent of Keras
    stable = entry(name).numpy(y_true, z.astype(np.float64), from_logits=True)
    np.testing.assert_allclose(ours_tensor, stable, rtol=1e-5)
    if through_logits is not None:
        assert float(ours_tensor.ravel()[0]) == pytest.approx(through_logits, rel=1e-6)
    # the array path is capped by the clip: −ln ε = 16.118
    assert float(ours_array.ravel()[0]) == pytest.approx(-np.log(EPSILON), rel=1e-4)
    np.testing.assert_allclose(
        entry(name).numpy(y_true, as_array.astype(np.float64)), ours_array, rtol=1e-5
    )
    assert "_keras_logits" in entry(name).notes and "16.118" in entry(name).notes
    # any operation on the tensor drops the shortcut
    np.testing.assert_allclose(
        entry(name).tf(y_true, probabilities * 1.0), keras_array, rtol=1e-6
    )


def test_categorical_focal_takes_no_shortcut_in_keras_or_in_ours():
    import keras

    z = np.array([[-30.0, 0.0, 5.0]], dtype=np.float32)
    y_true = np.array([[1.0, 0.0, 0.0]])
    probabilities = keras.activations.softmax(z)
    name = "categorical_focal_crossentropy"
    expected = np.asarray(_keras(name)(y_true, np.asarray(probabilities)))
    np.testing.assert_allclose(_keras(name)(y_true, probabilities), expected, rtol=1e-6)
    np.testing.assert_allclose(
        entry(name).tf(y_true, probabilities), expected, rtol=1e-6
    )
    assert "never takes" in entry(name).notes


@pytest.mark.parametrize("name", ["hinge", "squared_hinge"])
def test_hinge_formula_says_the_conversion_is_decided_over_the_whole_array(name):
    latex = entry(name).latex
    assert r"\text{ if every entry of the whole } y_{\text{true}}" in latex
    assert "all samples" in latex and "whole y_true array" in entry(name).notes
    # one row of {0, 1} labels next to a row holding −1: no conversion anywhere, as in Keras
    y_true = np.array([[0.0, 1.0], [-1.0, 1.0]])
    y_pred = np.array([[0.4, 0.8], [0.3, -0.2]])
    expected = np.asarray(_keras(name)(y_true, y_pred))
    np.testing.assert_allclose(entry(name).numpy(y_true, y_pred), expected, rtol=1e-12)
    row_by_row = entry(name).numpy(y_true[:1], y_pred[:1])
    assert not np.isclose(row_by_row[0], expected[0])


def test_classification_formulas_write_logits_as_z_and_classes_as_K():
    import re

    for name in CLASSIFICATION:
        latex = entry(name).latex
        assert not re.search(r"(?<![a-z\\])x(_|\b)", latex), (name, latex)
        assert not re.search(r"\\frac\{1\}\{k\}|\\sum_\{j=1\}\^\{k\}", latex), name
    for name in CROSS_ENTROPIES_WITH_LOGITS:
        if name != "categorical_focal_crossentropy":
            assert "z" in entry(name).latex.split("from_logits")[1], name


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("binary_crossentropy", "from_logits"),
        ("binary_focal_crossentropy", "from_logits"),
        ("binary_focal_crossentropy", "apply_class_balancing"),
        ("categorical_crossentropy", "from_logits"),
        ("categorical_focal_crossentropy", "from_logits"),
        ("sparse_categorical_crossentropy", "from_logits"),
    ],
)
@pytest.mark.parametrize("value", ["False", 1, None])
def test_flags_must_be_real_booleans_everywhere(name, flag, value):
    """Keras reads from_logits="False" as True; every implementation of ours refuses it by name."""
    y_true = np.array([1]) if name.startswith("sparse") else np.array([[0.0, 1.0]])
    y_pred = np.array([[0.3, 0.7]])
    for implementation in (entry(name).numpy, entry(name).tf, entry(name).grad):
        with pytest.raises(TypeError, match=f"{flag} must be True or False"):
            implementation(y_true, y_pred, **{flag: value})
    assert entry(name).numpy(y_true, y_pred, **{flag: np.bool_(False)}).shape == (1,)


def test_keras_itself_reads_the_string_false_as_true():
    """Why the flags are checked: the string is truthy, so Keras silently takes the logits path."""
    value = float(
        np.asarray(
            _keras("binary_crossentropy")(
                np.array([1.0]), np.array([0.3]), from_logits="False"
            )
        )
    )
    assert value == pytest.approx(float(np.log1p(np.exp(-0.3))), rel=1e-6)


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "allowed"),
    [
        ("binary_crossentropy", [3.0], [0.3], r"\[0.0, 1.0\]"),
        ("binary_crossentropy", [-0.5], [0.3], r"\[0.0, 1.0\]"),
        ("binary_focal_crossentropy", [2.0], [0.3], r"\[0.0, 1.0\]"),
        ("categorical_crossentropy", [[0.0, 3.0]], [[0.4, 0.6]], r"\[0.0, 1.0\]"),
        (
            "categorical_focal_crossentropy",
            [[-1.0, 1.0]],
            [[0.4, 0.6]],
            r"\[0.0, 1.0\]",
        ),
        ("hinge", [3.0], [0.3], r"\[-1.0, 1.0\]"),
        ("squared_hinge", [-2.0], [0.3], r"\[-1.0, 1.0\]"),
        ("categorical_hinge", [[0.0, 2.0]], [[0.4, 0.6]], r"\[0.0, 1.0\]"),
    ],
)
def test_targets_out_of_range_are_refused_by_numpy_and_kept_by_tf_like_keras(
    name, y_true, y_pred, allowed
):
    y_true, y_pred = np.array(y_true), np.array(y_pred)
    for implementation in (entry(name).numpy, entry(name).grad):
        with pytest.raises(ValueError, match=f"y_true must hold .* in {allowed}"):
            implementation(y_true, y_pred)
    # the tf drop-in stays as permissive as Keras (documented in its docstring)
    keras_value = np.asarray(_keras(name)(y_true, y_pred))
    assert np.all(np.isfinite(keras_value))
    np.testing.assert_allclose(entry(name).tf(y_true, y_pred), keras_value, rtol=1e-6)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 0.5])
def test_sparse_tf_with_a_nan_infinite_or_fractional_label_names_y_true(bad):
    import tensorflow as tf

    y_pred = np.array([[0.3, 0.7], [0.5, 0.5]])
    labels = np.array([1.0, bad])
    with pytest.raises(tf.errors.InvalidArgumentError, match="y_true must hold whole"):
        entry("sparse_categorical_crossentropy").tf(labels, y_pred)
    traced = tf.function(lambda t, p: entry("sparse_categorical_crossentropy").tf(t, p))
    with pytest.raises(tf.errors.InvalidArgumentError, match="y_true must hold whole"):
        traced(labels, y_pred)
    with pytest.raises(ValueError, match="y_true must hold whole-number class ids"):
        entry("sparse_categorical_crossentropy").numpy(labels, y_pred)
