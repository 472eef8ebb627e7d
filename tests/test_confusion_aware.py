"""The confusion-aware cross-entropy (course_utils.losses.confusion_aware), our reading of the article's
"matrix-based cross-entropy".

Checked against Keras's categorical cross-entropy (uniform weights), against the closed form
−ln(W_tt r_t / Σ_j W_tj r_j) written out separately here, against autodiff and finite differences, and
inside ``compile``/``fit`` and Keras serialisation.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.losses.confusion_aware import (
    confusion_aware_loss_class,
    confusion_weighted_crossentropy,
    confusion_weighted_crossentropy_grad,
    confusion_weighted_crossentropy_numpy,
    confusion_weighted_crossentropy_tf,
    confusion_weights_numpy,
    confusion_weights_tf,
    make_confusion_aware_loss,
    update_confusion_matrix_numpy,
    update_confusion_matrix_tf,
)

N_CLASSES = 4


def _one_hot(rng, n=12, k=N_CLASSES):
    return np.eye(k)[rng.integers(0, k, size=n)]


def _probabilities(rng, n=12, k=N_CLASSES):
    p = rng.uniform(0.05, 1.0, size=(n, k))
    return p / p.sum(axis=1, keepdims=True)


def _weights(rng, k=N_CLASSES):
    """Valid weights: each off-diagonal entry at least its row's diagonal entry."""
    diagonal = rng.uniform(0.5, 2.0, size=k)
    weights = diagonal[:, None] * (1.0 + rng.uniform(0.0, 3.0, size=(k, k)))
    weights[np.arange(k), np.arange(k)] = diagonal
    return weights


def _closed_form(y_true, y_pred, weights, from_logits=False):
    """−ln(W_tt r_t / Σ_j W_tj r_j) for one-hot rows, one sample at a time (an independent reference)."""
    values = []
    for label, scores in zip(y_true, y_pred):
        t = int(np.argmax(label))
        r = np.exp(scores - scores.max()) if from_logits else scores
        r = r / r.sum()
        values.append(-np.log(weights[t, t] * r[t] / np.dot(weights[t], r)))
    return np.array(values)


# ----------------------------------------------------------------------------- the loss


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("scale", [1.0, 3.7])
def test_uniform_weights_give_keras_categorical_crossentropy(from_logits, scale):
    import keras

    rng = np.random.default_rng(0)
    y = _one_hot(rng)
    y[:3] = [
        [0.7, 0.1, 0.1, 0.1],
        [0.25, 0.25, 0.25, 0.25],
        [0.0, 0.0, 0.5, 0.5],
    ]  # soft labels too
    scores = (
        rng.normal(0, 3, size=y.shape)
        if from_logits
        else rng.uniform(0.0, 1.0, size=y.shape)
    )
    if not from_logits:
        scores[3] = [
            0.0,
            1.0,
            0.0,
            0.0,
        ]  # exact 0 and 1; rows need not sum to 1 (Keras renormalises)
    weights = np.full((N_CLASSES, N_CLASSES), scale)
    expected = np.asarray(
        keras.losses.categorical_crossentropy(y, scores, from_logits=from_logits)
    )
    np.testing.assert_allclose(
        confusion_weighted_crossentropy_numpy(y, scores, weights, from_logits),
        expected,
        rtol=1e-12,
        atol=1e-15,
    )
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        expected = np.asarray(
            keras.losses.categorical_crossentropy(
                y.astype(dtype), scores.astype(dtype), from_logits=from_logits
            )
        )
        got = confusion_weighted_crossentropy_tf(
            y.astype(dtype), scores.astype(dtype), weights, from_logits
        )
        assert got.dtype == dtype
        np.testing.assert_allclose(got.numpy(), expected, rtol=rtol, atol=1e-7)


def test_uniform_weights_match_keras_on_a_softmax_layer_output_with_saturated_logits():
    """Like Keras, a softmax layer's output is read through its logits, so saturation stays finite."""
    import keras
    import tensorflow as tf

    logits = tf.constant([[1e4, -1e4, 0.0], [0.0, 50.0, -50.0]])
    y = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])

    @tf.function
    def both(logits):
        probabilities = tf.nn.softmax(logits)
        return (
            confusion_weighted_crossentropy_tf(y, probabilities, np.ones((3, 3))),
            keras.losses.categorical_crossentropy(y, probabilities),
        )

    ours, theirs = both(logits)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert np.all(np.isfinite(ours.numpy()))


@pytest.mark.parametrize("from_logits", [False, True])
def test_the_loss_is_the_reweighted_softmax_closed_form(from_logits):
    rng = np.random.default_rng(1)
    y, weights = _one_hot(rng), _weights(rng)
    scores = rng.normal(0, 2, size=y.shape) if from_logits else _probabilities(rng)
    expected = _closed_form(y, scores, weights, from_logits)
    np.testing.assert_allclose(
        confusion_weighted_crossentropy_numpy(y, scores, weights, from_logits),
        expected,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        confusion_weighted_crossentropy_tf(y, scores, weights, from_logits).numpy(),
        expected,
        rtol=1e-12,
    )
    assert confusion_weighted_crossentropy is confusion_weighted_crossentropy_tf


def test_penalty_is_non_negative_and_grows_with_the_weight_of_the_rival_holding_probability():
    y = np.array([[1.0, 0.0, 0.0]])
    p = np.array([[0.5, 0.4, 0.1]])
    base = confusion_weighted_crossentropy_numpy(y, p, np.ones((3, 3)))
    heavier_on_1 = np.ones((3, 3))
    heavier_on_1[0, 1] = 3.0
    heavier_on_2 = np.ones((3, 3))
    heavier_on_2[0, 2] = 3.0
    loss_1 = confusion_weighted_crossentropy_numpy(y, p, heavier_on_1)
    loss_2 = confusion_weighted_crossentropy_numpy(y, p, heavier_on_2)
    assert base < loss_2 < loss_1  # the rival with more probability matters more
    assert loss_1 == pytest.approx(-np.log(0.5) + np.log(1 + 2 * 0.4), rel=1e-12)
    heavier_on_other_row = np.ones((3, 3))
    heavier_on_other_row[1, 0] = (
        10.0  # a confusion of class 1 does not concern a class-0 sample
    )
    assert confusion_weighted_crossentropy_numpy(
        y, p, heavier_on_other_row
    ) == pytest.approx(base)


def test_weights_change_the_logit_gradient_in_the_expected_direction():
    """Class 0 often confused with class 1: a class-0 sample pushes z_1 down and z_0 up harder."""
    import tensorflow as tf

    y = np.array([[1.0, 0.0, 0.0, 0.0]])
    logits = np.array([[0.5, 0.5, 0.5, -0.2]])  # rivals 1 and 2 tied
    weights = np.ones((4, 4))
    weights[0, 1] = 4.0

    def gradient(w):
        variable = tf.Variable(logits)
        with tf.GradientTape() as tape:
            loss = confusion_weighted_crossentropy_tf(y, variable, w, from_logits=True)
        return tape.gradient(loss, variable).numpy()[0]

    plain, aware = gradient(np.ones((4, 4))), gradient(weights)
    softmax = np.exp(logits[0]) / np.exp(logits[0]).sum()
    np.testing.assert_allclose(
        plain, softmax - y[0], rtol=1e-12
    )  # uniform: plain CE gradient p − y
    assert aware[1] > plain[1] > 0  # the confused rival is pushed down harder
    assert aware[0] < plain[0] < 0  # the true class is pushed up harder
    assert (
        0 < aware[2] < plain[2]
    )  # an unconfused rival is pushed down less, relatively
    assert (
        aware[1] > aware[2]
    )  # ... and less than the confused rival with the same logit
    assert abs(aware.sum()) < 1e-12  # one-hot label: the logit gradient still sums to 0


@pytest.mark.parametrize("from_logits", [False, True])
def test_analytic_gradient_equals_autodiff_and_finite_differences(from_logits):
    import tensorflow as tf

    rng = np.random.default_rng(2)
    y, weights = _one_hot(rng, n=6), _weights(rng)
    y[0] = [0.6, 0.2, 0.1, 0.1]
    scores = (
        rng.normal(0, 2, size=y.shape)
        if from_logits
        else rng.uniform(0.05, 1.0, size=y.shape)
    )
    analytic = confusion_weighted_crossentropy_grad(y, scores, weights, from_logits)

    variable = tf.Variable(scores)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(
            confusion_weighted_crossentropy_tf(y, variable, weights, from_logits)
        )
    np.testing.assert_allclose(
        tape.gradient(total, variable).numpy(), analytic, rtol=1e-10, atol=1e-12
    )

    step = 1e-6
    numeric = np.zeros_like(scores)
    for index in np.ndindex(scores.shape):
        up, down = scores.copy(), scores.copy()
        up[index] += step
        down[index] -= step
        row = index[0]
        numeric[index] = (
            confusion_weighted_crossentropy_numpy(y, up, weights, from_logits)[row]
            - confusion_weighted_crossentropy_numpy(y, down, weights, from_logits)[row]
        ) / (2 * step)
    np.testing.assert_allclose(numeric, analytic, rtol=1e-5, atol=1e-7)


def test_extreme_logits_stay_finite_with_finite_gradients():
    import tensorflow as tf

    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    logits = tf.Variable([[-1e4, 1e4, 0.0], [1e4, 0.0, -1e4]])
    weights = np.array([[1.0, 5.0, 1.0], [1.0, 1.0, 1.0], [2.0, 3.0, 1.0]])
    with tf.GradientTape() as tape:
        loss = confusion_weighted_crossentropy_tf(y, logits, weights, from_logits=True)
    gradient = tape.gradient(loss, logits).numpy()
    assert np.all(np.isfinite(loss.numpy())) and np.all(np.isfinite(gradient))
    expected = confusion_weighted_crossentropy_numpy(
        y, logits.numpy().astype(np.float64), weights, True
    )
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-6)
    assert expected[0] == pytest.approx(2e4 + np.log(5.0), rel=1e-12)


def test_vectorised_one_graph_for_any_batch_size_and_no_loop_ops():
    """A Python loop over samples could not trace with an unknown batch size; a tf loop would add While ops."""
    import tensorflow as tf

    traced = tf.function(
        lambda y, p: confusion_weighted_crossentropy_tf(
            y, p, np.ones((N_CLASSES, N_CLASSES)) * 2.0
        ),
        input_signature=[tf.TensorSpec([None, N_CLASSES], tf.float32)] * 2,
    )
    graph = traced.get_concrete_function().graph
    assert not {op.type for op in graph.get_operations()} & {
        "While",
        "StatelessWhile",
        "For",
    }
    rng = np.random.default_rng(3)
    for n in (1, 7, 50_000):
        y, p = (
            _one_hot(rng, n=n).astype(np.float32),
            _probabilities(rng, n=n).astype(np.float32),
        )
        assert traced(y, p).shape == (n,)


def test_higher_rank_inputs_reduce_the_last_axis_only():
    rng = np.random.default_rng(4)
    y, p, weights = _one_hot(rng, n=12), _probabilities(rng, n=12), _weights(rng)
    flat = confusion_weighted_crossentropy_numpy(y, p, weights)
    shaped = confusion_weighted_crossentropy_numpy(
        y.reshape(3, 4, 4), p.reshape(3, 4, 4), weights
    )
    np.testing.assert_allclose(shaped, flat.reshape(3, 4), rtol=1e-14)
    np.testing.assert_allclose(
        confusion_weighted_crossentropy_tf(
            y.reshape(3, 4, 4), p.reshape(3, 4, 4), weights
        ).numpy(),
        flat.reshape(3, 4),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "implementation",
    [
        confusion_weighted_crossentropy_numpy,
        confusion_weighted_crossentropy_tf,
        confusion_weighted_crossentropy_grad,
    ],
)
def test_bad_weights_are_rejected_naming_the_argument(implementation):
    y, p = np.eye(3), np.full((3, 3), 1 / 3)
    lower = np.ones((3, 3))
    lower[2, 0] = 0.5
    zero_diagonal = np.ones((3, 3)) - np.eye(3)
    cases = [
        (np.ones((3, 4)), "weights must be a square"),
        (np.ones((4, 4)), r"weights must be \(3, 3\)"),
        (zero_diagonal, "weights must have a positive diagonal.*1 \\+ K"),
        (lower, r"weights\[2, 0\] = 0.5 < weights\[2, 2\]"),
        (np.full((3, 3), np.nan), "weights must be finite"),
    ]
    for weights, message in cases:
        with pytest.raises(ValueError, match=message):
            implementation(y, p, weights)
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        implementation(y, p, np.ones((3, 3)), from_logits="no")


def test_bad_labels_and_predictions_are_rejected_by_the_numpy_reference():
    w = np.ones((3, 3))
    with pytest.raises(
        ValueError, match=r"y_pred must hold probabilities.*from_logits=True"
    ):
        confusion_weighted_crossentropy_numpy(np.eye(3), np.eye(3) * 2.0, w)
    with pytest.raises(
        ValueError, match="y_true must hold non-negative label weights.*to_categorical"
    ):
        confusion_weighted_crossentropy_numpy(-np.eye(3), np.eye(3), w)
    with pytest.raises(ValueError, match="y_true and y_pred must have the same shape"):
        confusion_weighted_crossentropy_numpy(np.eye(3), np.ones((3, 4)) / 4, w)
    with pytest.raises(ValueError, match="at least 2 classes"):
        confusion_weighted_crossentropy_numpy([[1.0]], [[1.0]], [[1.0]])


# ----------------------------------------------------------------------------- the running confusion matrix


@pytest.mark.parametrize(
    "from_logits, hard", [(False, False), (True, False), (False, True)]
)
def test_confusion_update_is_an_exponential_average_of_the_batch_joint_frequencies(
    from_logits, hard
):
    rng = np.random.default_rng(5)
    y = _one_hot(rng, n=10)
    scores = (
        rng.normal(size=y.shape)
        if from_logits
        else rng.uniform(0.01, 1.0, size=y.shape)
    )
    old = rng.uniform(0, 1, size=(N_CLASSES, N_CLASSES))
    decay = 0.8

    batch = np.zeros((N_CLASSES, N_CLASSES))
    for label, row in zip(
        y, scores
    ):  # written out sample by sample, independently of the module
        if hard:
            predicted = np.zeros(N_CLASSES)
            predicted[np.argmax(row)] = 1.0
        elif from_logits:
            predicted = np.exp(row) / np.exp(row).sum()
        else:
            predicted = row / row.sum()
        batch += np.outer(label, predicted)
    expected = decay * old + (1 - decay) * batch / len(y)

    new = update_confusion_matrix_numpy(old, y, scores, decay, from_logits, hard)
    np.testing.assert_allclose(new, expected, rtol=1e-12)
    np.testing.assert_allclose(
        update_confusion_matrix_tf(old, y, scores, decay, from_logits, hard).numpy(),
        expected,
        rtol=1e-12,
    )
    assert not np.shares_memory(new, old) and new is not old
    np.testing.assert_allclose(new.sum(), decay * old.sum() + (1 - decay), rtol=1e-12)


def test_confusion_weights_are_one_plus_strength_times_off_diagonal_rates():
    confusion = np.array([[6.0, 3.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 2.0]])
    expected = np.array(
        [
            [1.0, 1.0 + 2.0 * 0.3, 1.0 + 2.0 * 0.1],
            [1.0, 1.0, 1.0],
            [1.0 + 2.0 * 0.25, 1.0 + 2.0 * 0.25, 1.0],
        ]
    )
    np.testing.assert_allclose(
        confusion_weights_numpy(confusion, strength=2.0), expected, rtol=1e-14
    )
    np.testing.assert_allclose(
        confusion_weights_tf(confusion, strength=2.0).numpy(), expected, rtol=1e-14
    )
    np.testing.assert_array_equal(
        confusion_weights_numpy(np.zeros((3, 3))), np.ones((3, 3))
    )
    with pytest.raises(ValueError, match="strength must be a finite number >= 0"):
        confusion_weights_numpy(confusion, strength=-1.0)
    with pytest.raises(ValueError, match="confusion must hold finite non-negative"):
        confusion_weights_numpy(-confusion)


def test_update_rejects_bad_decay_and_shapes():
    with pytest.raises(ValueError, match=r"decay must be a number in \[0, 1\)"):
        update_confusion_matrix_numpy(np.zeros((3, 3)), np.eye(3), np.eye(3), decay=1.0)
    with pytest.raises(ValueError, match=r"decay must be a number in \[0, 1\)"):
        update_confusion_matrix_tf(np.zeros((3, 3)), np.eye(3), np.eye(3), decay=-0.1)
    with pytest.raises(ValueError, match=r"confusion must be \(3, 3\)"):
        update_confusion_matrix_numpy(np.zeros((2, 2)), np.eye(3), np.eye(3))


# ----------------------------------------------------------------------------- the Keras loss


def test_stateful_loss_uses_the_current_matrix_then_updates_it():
    import keras

    rng = np.random.default_rng(6)
    loss = make_confusion_aware_loss(N_CLASSES, decay=0.7, strength=3.0)
    assert isinstance(loss, keras.losses.Loss)
    assert not loss.confusion.trainable
    y1, p1 = _one_hot(rng), _probabilities(rng)
    y2, p2 = _one_hot(rng), _probabilities(rng)

    first = float(loss(y1, p1))  # zero history: plain cross-entropy
    assert first == pytest.approx(
        float(np.mean(keras.losses.categorical_crossentropy(y1, p1))), rel=1e-6
    )
    state_1 = update_confusion_matrix_numpy(
        np.zeros((N_CLASSES, N_CLASSES)), y1, p1, 0.7
    )
    np.testing.assert_allclose(loss.confusion.numpy(), state_1, rtol=1e-6, atol=1e-8)

    second = float(loss(y2, p2))
    weights = confusion_weights_numpy(state_1, 3.0)
    assert second == pytest.approx(
        float(np.mean(confusion_weighted_crossentropy_numpy(y2, p2, weights))), rel=1e-6
    )
    assert second > float(np.mean(keras.losses.categorical_crossentropy(y2, p2)))
    np.testing.assert_allclose(
        loss.confusion.numpy(),
        update_confusion_matrix_numpy(state_1, y2, p2, 0.7),
        rtol=1e-5,
        atol=1e-8,
    )
    np.testing.assert_allclose(
        loss.weights_matrix(),
        confusion_weights_numpy(loss.confusion.numpy(), 3.0),
        rtol=1e-12,
    )
    loss.reset_state()
    np.testing.assert_array_equal(loss.confusion.numpy(), 0.0)


@pytest.mark.parametrize("from_logits", [False, True])
def test_compile_and_fit_one_tiny_epoch_updates_the_matrix(from_logits):
    import keras

    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = np.eye(3)[np.argmax(x[:, :3], axis=1)].astype("float32")
    loss = make_confusion_aware_loss(3, decay=0.5, from_logits=from_logits)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(3, activation=None if from_logits else "softmax"),
        ]
    )
    model.compile(optimizer="adam", loss=loss)
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    confusion = loss.confusion.numpy()
    assert confusion.shape == (3, 3) and np.all(confusion > 0)
    assert confusion.sum() == pytest.approx(
        1.0 - 0.5**4, rel=1e-5
    )  # four batches of an average


def test_get_config_from_config_and_keras_serialisation_keep_settings_and_state(
    tmp_path,
):
    import keras

    rng = np.random.default_rng(8)
    loss = make_confusion_aware_loss(
        N_CLASSES, decay=0.9, strength=2.5, from_logits=True, hard=True, name="cace"
    )
    loss(_one_hot(rng), rng.normal(size=(12, N_CLASSES)))
    config = loss.get_config()
    assert {
        k: config[k]
        for k in ("num_classes", "decay", "strength", "from_logits", "hard", "name")
    } == {
        "num_classes": N_CLASSES,
        "decay": 0.9,
        "strength": 2.5,
        "from_logits": True,
        "hard": True,
        "name": "cace",
    }
    rebuilt = confusion_aware_loss_class().from_config(config)
    np.testing.assert_allclose(
        rebuilt.confusion.numpy(), loss.confusion.numpy(), rtol=1e-7
    )
    assert rebuilt.get_config() == config

    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(loss)
    )
    assert type(restored) is type(loss)
    np.testing.assert_allclose(
        restored.confusion.numpy(), loss.confusion.numpy(), rtol=1e-7
    )

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(N_CLASSES)])
    model.compile(optimizer="sgd", loss=loss)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert type(reloaded.loss) is type(loss) and reloaded.loss.strength == 2.5
    np.testing.assert_allclose(
        reloaded.loss.confusion.numpy(), loss.confusion.numpy(), rtol=1e-7
    )


def test_keras_loss_rejects_bad_settings_naming_them():
    for kwargs, error, message in [
        ({"num_classes": 1}, ValueError, "num_classes must be an integer >= 2"),
        ({"num_classes": 3, "decay": 1.5}, ValueError, "decay must be a number"),
        ({"num_classes": 3, "strength": -2.0}, ValueError, "strength must be"),
        ({"num_classes": 3, "hard": "yes"}, TypeError, "hard must be True or False"),
        (
            {"num_classes": 3, "confusion": np.zeros((2, 2))},
            ValueError,
            r"confusion must be \(3, 3\)",
        ),
    ]:
        with pytest.raises(error, match=message):
            make_confusion_aware_loss(**kwargs)
