"""Probabilistic, similarity, segmentation, metric-learning and sequence losses: what the generic tests miss.

``VARIANTS`` and ``SHAPES`` feed tests/test_losses_agreement.py. Circle and CTC take inputs the generic
generator cannot draw (labels with embeddings; padded label sequences with frame scores), so their
agreement, gradient and graph-mode tests are here.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.losses import EPSILON, get, sequence
from course_utils.losses._arrays import log_softmax

#: Every variant must be valid on every shape of loss_inputs.SHAPES, (N,) included, so only axes 0 and
#: -1 (or None) appear here; axis tuples such as (1, 2) on (N, H, W, C) masks are tested below.
VARIANTS = {
    "poisson": [{}],
    "kl_divergence": [{}],
    "cosine_similarity": [{}, {"axis": 0}, {"axis": None}],
    "dice": [{}, {"axis": -1}, {"axis": (0,)}, {"axis": 0}],
    "tversky": [
        {},
        {"alpha": 0.7, "beta": 0.3},
        {"alpha": 0.0, "beta": 1.0, "axis": -1},
        {"alpha": 1.0, "beta": 0.0, "axis": (0,)},
        {"alpha": 0.2, "beta": 0.9, "axis": 0},
    ],
}

#: A one-class distribution is exactly 1, at the clip boundary, where finite differences straddle a kink.
SHAPES = {"kl_divergence": [(6,), (4, 3), (2, 3, 2, 4)]}


# ----------------------------------------------------------------------------- edge cases


def test_cosine_of_a_zero_vector_is_zero_not_nan():
    entry = get("cosine_similarity")
    y_true = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    y_pred = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    for result in (
        entry.numpy(y_true, y_pred),
        entry.tf(y_true, y_pred).numpy(),
        np.asarray(entry.keras(y_true, y_pred)),
    ):
        np.testing.assert_array_equal(result, [0.0, 0.0])


def test_cosine_is_minus_one_for_parallel_and_plus_one_for_opposite_vectors():
    entry = get("cosine_similarity")
    np.testing.assert_allclose(
        entry.numpy([[1.0, 2.0], [1.0, 2.0]], [[3.0, 6.0], [-2.0, -4.0]]), [-1.0, 1.0]
    )


def test_poisson_with_zero_counts_and_zero_rate_stays_finite():
    entry = get("poisson")
    y_true, y_pred = np.array([[0.0, 3.0]]), np.array([[0.0, 1e-12]])
    ours = entry.numpy(y_true, y_pred)
    np.testing.assert_allclose(
        ours, np.asarray(entry.keras(y_true, y_pred)), rtol=1e-12
    )
    assert np.isfinite(ours).all()


def test_kl_with_zeros_in_y_true_matches_keras_clipping():
    entry = get("kl_divergence")
    y_true, y_pred = np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.7, 0.1]])
    expected = (
        EPSILON * np.log(EPSILON / 0.2)
        + np.log(1 / 0.7)
        + EPSILON * np.log(EPSILON / 0.1)
    )
    np.testing.assert_allclose(entry.numpy(y_true, y_pred), [expected], rtol=1e-12)
    np.testing.assert_allclose(entry.tf(y_true, y_pred).numpy(), [expected], rtol=1e-12)


def test_kl_of_identical_distributions_is_zero():
    p = np.array([[0.2, 0.3, 0.5]])
    assert get("kl_divergence").numpy(p, p) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("name", ["poisson", "kl_divergence"])
def test_rank_mismatch_is_an_error_where_keras_would_broadcast(name):
    """Keras computes (N,) against (N, 1) as an (N, N) matrix here; the course refuses."""
    entry = get(name)
    for implementation in (entry.numpy, entry.tf):
        with pytest.raises(ValueError, match=r"y_true.*y_pred"):
            implementation(np.full(4, 0.5), np.full((4, 1), 0.5))


def test_negative_rates_or_counts_are_an_error_naming_the_argument():
    with pytest.raises(ValueError, match="y_pred must be >= 0"):
        get("poisson").numpy([[0.5, 0.5]], [[-0.1, 1.1]])
    with pytest.raises(ValueError, match="y_true must be >= 0"):
        get("poisson").numpy([[-1.0, 0.5]], [[0.1, 1.1]])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "argument"),
    [
        ([[0.5, 0.5]], [[-0.1, 1.1]], "y_pred"),
        ([[0.5, 0.5]], [[0.1, 1.1]], "y_pred"),
        ([[1.5, 0.5]], [[0.1, 0.9]], "y_true"),
    ],
)
def test_kl_probabilities_outside_zero_one_are_an_error_naming_the_argument(
    y_true, y_pred, argument
):
    """Keras would clip them silently; for a distribution they are a mistake."""
    with pytest.raises(
        ValueError, match=rf"{argument} must hold probabilities in \[0.0, 1.0\]"
    ):
        get("kl_divergence").numpy(y_true, y_pred)


@pytest.mark.parametrize("shape", [(6,), (5, 1), (4, 3), (2, 3, 2, 4)])
@pytest.mark.parametrize("name", ["dice", "tversky"])
def test_overlap_losses_reduce_over_every_element_by_default(name, shape):
    rng = np.random.default_rng(3)
    y_true = (rng.random(shape) > 0.5).astype(float)
    y_pred = rng.random(shape)
    entry = get(name)
    ours = entry.numpy(y_true, y_pred)
    assert np.ndim(ours) == 0
    np.testing.assert_allclose(ours, np.asarray(entry.keras(y_true, y_pred)), rtol=1e-6)


def test_dice_per_image_with_an_axis_tuple():
    rng = np.random.default_rng(4)
    y_true = (rng.random((3, 4, 4, 1)) > 0.5).astype(float)
    y_pred = rng.random((3, 4, 4, 1))
    entry = get("dice")
    ours = entry.numpy(y_true, y_pred, axis=(1, 2, 3))
    assert ours.shape == (3,)
    np.testing.assert_allclose(
        ours, np.asarray(entry.keras(y_true, y_pred, axis=(1, 2, 3))), rtol=1e-6
    )
    np.testing.assert_allclose(
        entry.tf(y_true, y_pred, axis=(1, 2, 3)).numpy(), ours, rtol=1e-12
    )


def test_tversky_with_equal_weights_is_dice():
    rng = np.random.default_rng(5)
    y_true = (rng.random((4, 5)) > 0.5).astype(float)
    y_pred = rng.random((4, 5))
    np.testing.assert_allclose(
        get("tversky").numpy(y_true, y_pred),
        get("dice").numpy(y_true, y_pred),
        rtol=1e-6,
    )


def test_tversky_alpha_weights_the_true_mask_the_prediction_misses():
    """Keras's α multiplies Σ y(1 − ŷ): raising α makes a prediction that misses the object cost more."""
    y_true = np.array([1.0, 1.0, 0.0, 0.0])
    misses = np.array([1.0, 0.0, 0.0, 0.0])
    entry = get("tversky")
    assert entry.numpy(y_true, misses, alpha=0.9, beta=0.1) > entry.numpy(
        y_true, misses, alpha=0.1, beta=0.9
    )
    assert entry.tf(y_true, misses, alpha=0.9, beta=0.1).numpy() == pytest.approx(
        float(entry.keras(y_true, misses, alpha=0.9, beta=0.1)), rel=1e-6
    )


def test_empty_masks_give_loss_one_not_nan():
    zeros = np.zeros((2, 3))
    for name in ("dice", "tversky"):
        assert get(name).numpy(zeros, zeros) == pytest.approx(1.0)
        assert float(get(name).tf(zeros, zeros)) == pytest.approx(1.0)


def test_segmentation_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="y_pred must hold mask probabilities"):
        get("dice").numpy([1.0, 0.0], [1.5, 0.0])
    with pytest.raises(ValueError, match=r"y_true.*y_pred"):
        get("dice").tf(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="alpha must be a number >= 0"):
        get("tversky").tf([1.0], [0.5], alpha=-1.0)
    with pytest.raises(TypeError, match="axis must be None, an int or a tuple"):
        get("dice").numpy([1.0], [0.5], axis="rows")


def test_cosine_bad_axis_names_the_argument():
    with pytest.raises(ValueError, match="axis must be in"):
        get("cosine_similarity").numpy(np.ones((2, 3)), np.ones((2, 3)), axis=2)


# ----------------------------------------------------------------------------- circle


def _embeddings(rng, count=8, size=4, classes=3):
    labels = rng.integers(0, classes, size=count)
    embeddings = rng.normal(size=(count, size))
    return labels, embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)


CIRCLE_VARIANTS = [{}, {"remove_diagonal": False}, {"gamma": 10, "margin": 0.25}]


@pytest.mark.parametrize("variant", CIRCLE_VARIANTS)
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_circle_numpy_tf_and_keras_agree(variant, seed):
    labels, embeddings = _embeddings(np.random.default_rng(seed))
    entry = get("circle")
    reference = entry.numpy(labels, embeddings, **variant)
    np.testing.assert_allclose(
        entry.tf(labels, embeddings, **variant).numpy(), reference, rtol=1e-9, atol=1e-9
    )
    keras32 = np.asarray(entry.keras(labels, embeddings.astype(np.float32), **variant))
    ours32 = entry.tf(labels, embeddings.astype(np.float32), **variant).numpy()
    np.testing.assert_allclose(ours32, keras32, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(
        reference,
        np.asarray(entry.keras(labels, embeddings, **variant)),
        rtol=1e-6,
        atol=1e-9,
    )


def test_circle_with_reference_embeddings_agrees_with_keras():
    rng = np.random.default_rng(8)
    labels, embeddings = _embeddings(rng, count=5)
    ref_labels, references = _embeddings(rng, count=7)
    entry = get("circle")
    ours = entry.numpy(
        labels, embeddings, ref_labels=ref_labels, ref_embeddings=references
    )
    keras_value = entry.keras(
        labels, embeddings, ref_labels=ref_labels, ref_embeddings=references
    )
    np.testing.assert_allclose(ours, np.asarray(keras_value), rtol=1e-6, atol=1e-9)
    tf_value = entry.tf(
        labels, embeddings, ref_labels=ref_labels, ref_embeddings=references
    )
    np.testing.assert_allclose(tf_value.numpy(), ours, rtol=1e-9, atol=1e-9)


def test_circle_gradient_autodiff_matches_finite_differences():
    import tensorflow as tf

    labels, embeddings = _embeddings(np.random.default_rng(9))
    entry = get("circle")
    variable = tf.Variable(embeddings)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(entry.tf(labels, variable, gamma=10))
    autodiff = tape.gradient(total, variable).numpy()
    numeric = np.zeros_like(embeddings)
    step = 1e-6
    for index in np.ndindex(embeddings.shape):
        up, down = embeddings.copy(), embeddings.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (
            entry.numpy(labels, up, gamma=10).sum()
            - entry.numpy(labels, down, gamma=10).sum()
        ) / (2 * step)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-6)


def test_circle_inside_tf_function_and_its_keras_mask():
    import tensorflow as tf

    labels, embeddings = _embeddings(np.random.default_rng(10))
    entry = get("circle")
    traced = tf.function(lambda t, p: entry.tf(t, p))(labels, embeddings)
    np.testing.assert_allclose(
        traced.numpy(), entry.tf(labels, embeddings).numpy(), rtol=1e-12
    )
    eager = entry.tf(labels, embeddings)
    np.testing.assert_array_equal(eager._keras_mask.numpy(), eager.numpy() > 0)


def test_circle_bad_input_names_the_argument():
    labels, embeddings = _embeddings(np.random.default_rng(11))
    entry = get("circle")
    with pytest.raises(ValueError, match="y_pred must be embeddings of shape"):
        entry.numpy(labels, embeddings[:, :, None])
    with pytest.raises(
        ValueError, match="y_true must hold one integer label per embedding"
    ):
        entry.tf(labels[:-1], embeddings)
    with pytest.raises(ValueError, match="ref_labels and ref_embeddings go together"):
        entry.numpy(labels, embeddings, ref_labels=labels)
    with pytest.raises(ValueError, match="gamma must be a number > 0"):
        entry.tf(labels, embeddings, gamma=0)
    with pytest.raises(ValueError, match="margin must be in"):
        entry.numpy(labels, embeddings, margin=1.5)


# ----------------------------------------------------------------------------- CTC


def _ctc_inputs(rng, batch=4, steps=9, classes=5, max_length=4):
    lengths = rng.integers(0, max_length + 1, size=batch)
    labels = np.zeros((batch, max_length), dtype=np.int64)
    for row, length in enumerate(lengths):
        labels[row, :length] = rng.integers(1, classes, size=length)
    return labels, rng.normal(0.0, 2.0, size=(batch, steps, classes))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_ctc_numpy_tf_and_keras_agree(seed):
    labels, scores = _ctc_inputs(np.random.default_rng(seed))
    entry = get("ctc")
    reference = entry.numpy(labels, scores)
    np.testing.assert_allclose(entry.tf(labels, scores).numpy(), reference, rtol=1e-9)
    keras32 = np.asarray(entry.keras(labels, scores.astype(np.float32)))
    np.testing.assert_allclose(
        entry.tf(labels, scores.astype(np.float32)).numpy(), keras32, rtol=1e-5
    )
    # Keras computes CTC in float32 even for float64 input: hence 1e-5 here.
    np.testing.assert_allclose(
        reference, np.asarray(entry.keras(labels, scores)), rtol=1e-5
    )


def test_ctc_by_brute_force_over_every_path():
    """A tiny case small enough to enumerate all C^T paths and collapse each one."""
    import itertools

    rng = np.random.default_rng(12)
    scores = rng.normal(size=(1, 4, 3))
    label = [1, 2]
    probabilities = np.exp(scores[0]) / np.exp(scores[0]).sum(-1, keepdims=True)
    total = 0.0
    for path in itertools.product(range(3), repeat=4):
        collapsed = [c for i, c in enumerate(path) if (i == 0 or c != path[i - 1])]
        if [c for c in collapsed if c != 0] == label:
            total += np.prod([probabilities[t, c] for t, c in enumerate(path)])
    assert get("ctc").numpy(np.array([label]), scores)[0] == pytest.approx(
        -np.log(total), rel=1e-12
    )


def test_ctc_gradient_autodiff_matches_finite_differences():
    import tensorflow as tf

    labels, scores = _ctc_inputs(
        np.random.default_rng(13), batch=2, steps=6, classes=4, max_length=3
    )
    entry = get("ctc")
    variable = tf.Variable(scores)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(entry.tf(labels, variable))
    autodiff = tape.gradient(total, variable).numpy()
    assert np.all(np.isfinite(autodiff))
    numeric = np.zeros_like(scores)
    step = 1e-6
    for index in np.ndindex(scores.shape):
        up, down = scores.copy(), scores.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (
            entry.numpy(labels, up).sum() - entry.numpy(labels, down).sum()
        ) / (2 * step)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-7)


def test_ctc_inside_tf_function_and_with_extreme_scores():
    import tensorflow as tf

    labels, scores = _ctc_inputs(np.random.default_rng(14))
    entry = get("ctc")
    traced = tf.function(lambda t, p: entry.tf(t, p))(labels, scores)
    np.testing.assert_allclose(
        traced.numpy(), entry.tf(labels, scores).numpy(), rtol=1e-12
    )
    extreme = np.sign(scores) * 1e4
    keras_value = np.asarray(entry.keras(labels, extreme.astype(np.float32)))
    ours = entry.tf(labels, extreme.astype(np.float32)).numpy()
    finite = np.isfinite(keras_value) & (keras_value < 1e29)
    np.testing.assert_allclose(ours[finite], keras_value[finite], rtol=1e-5)


def test_ctc_bad_input_names_the_argument():
    labels, scores = _ctc_inputs(np.random.default_rng(15))
    entry = get("ctc")
    with pytest.raises(ValueError, match="y_true must be integer labels of shape"):
        entry.tf(labels[:, :, None], scores)
    with pytest.raises(ValueError, match="y_pred must be class scores of shape"):
        entry.numpy(labels, scores[:, 0])
    with pytest.raises(ValueError, match=r"y_true must hold class ids in \[1, 4\]"):
        entry.numpy(np.full_like(labels, 7), scores)


def test_ctc_reads_a_zero_inside_a_label_as_keras_does():
    """Keras takes the first n entries (n = non-zero count): [1, 2, 0, 2] is scored as 1, 2, 0."""
    scores = np.random.default_rng(16).normal(size=(2, 6, 3))
    labels = np.array([[1, 2, 0, 2], [2, 0, 1, 0]])
    entry = get("ctc")
    np.testing.assert_allclose(
        entry.numpy(labels, scores), np.asarray(entry.keras(labels, scores)), rtol=1e-5
    )
    np.testing.assert_allclose(
        entry.tf(labels, scores).numpy(), entry.numpy(labels, scores), rtol=1e-9
    )


# ----------------------------------------------------------------------------- shared helpers


def _autodiff(function, y_true, y_pred, **params):
    """d/dŷ of the summed loss, by TensorFlow's autodiff, in y_pred's dtype."""
    import tensorflow as tf

    variable = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(function(y_true, variable, **params))
    return tape.gradient(total, variable).numpy()


def _finite_differences(function, y_true, y_pred, step=1e-6, **params):
    """Central differences of the summed float64 NumPy loss."""
    gradient = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (
            np.sum(function(y_true, up, **params))
            - np.sum(function(y_true, down, **params))
        ) / (2 * step)
    return gradient


def _agree_with_keras(entry, y_true, y_pred, **params):
    """numpy = tf (float64), numpy = Keras (float64), tf = Keras (float32, 1e-5 relative); same shapes."""
    reference = entry.numpy(y_true, y_pred, **params)
    np.testing.assert_allclose(
        entry.tf(y_true, y_pred, **params).numpy(), reference, rtol=1e-10, atol=1e-12
    )
    keras64 = np.asarray(entry.keras(y_true, y_pred, **params))
    assert keras64.shape == np.shape(reference)
    np.testing.assert_allclose(reference, keras64, rtol=1e-9, atol=1e-12)
    keras32 = np.asarray(
        entry.keras(y_true.astype(np.float32), y_pred.astype(np.float32), **params)
    )
    ours32 = entry.tf(y_true.astype(np.float32), y_pred.astype(np.float32), **params)
    assert ours32.dtype.name == "float32" and tuple(ours32.shape) == keras32.shape
    np.testing.assert_allclose(ours32.numpy(), keras32, rtol=1e-5, atol=1e-6)
    return reference


def _gradients_agree(entry, y_true, y_pred, **params):
    """autodiff of tf = central differences of numpy (and = grad, when the entry has one)."""
    autodiff = _autodiff(entry.tf, y_true, y_pred, **params)
    numeric = _finite_differences(entry.numpy, y_true, y_pred, **params)
    scale = max(1.0, float(np.max(np.abs(numeric))))
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-6 * scale)
    if entry.grad is not None:
        np.testing.assert_allclose(
            entry.grad(y_true, y_pred, **params),
            autodiff,
            rtol=1e-9,
            atol=1e-12 * scale,
        )


# ----------------------------------------------------------------------------- axes and edge values


@pytest.mark.parametrize(
    "axis", [(1, 2), (1, 2, 3), (-1,), 3, (0, 3), (-3, -2), [1, 2]]
)
@pytest.mark.parametrize(
    ("name", "params"), [("dice", {}), ("tversky", {"alpha": 0.3, "beta": 0.7})]
)
def test_overlap_losses_with_axis_tuples_on_image_batches(name, params, axis):
    """(N, H, W, C) masks: axis=(1, 2) gives one loss per image and channel, (1, 2, 3) one per image."""
    rng = np.random.default_rng(20)
    y_true = (rng.random((3, 4, 5, 2)) > 0.6).astype(np.float64)
    y_pred = rng.uniform(0.05, 0.95, size=(3, 4, 5, 2))
    entry = get(name)
    reference = _agree_with_keras(entry, y_true, y_pred, axis=axis, **params)
    kept = [
        size
        for i, size in enumerate(y_true.shape)
        if i
        not in {a % 4 for a in (axis if isinstance(axis, (tuple, list)) else (axis,))}
    ]
    assert reference.shape == tuple(kept)
    _gradients_agree(entry, y_true, y_pred, axis=axis, **params)


@pytest.mark.parametrize("shape", [(6,), (5, 1), (4, 3), (2, 3, 2, 4)])
@pytest.mark.parametrize("name", ["dice", "tversky"])
def test_overlap_losses_with_predictions_exactly_zero_and_one(name, shape):
    rng = np.random.default_rng(21)
    y_true = (rng.random(shape) > 0.5).astype(np.float64)
    y_pred = (rng.random(shape) > 0.5).astype(np.float64)
    entry = get(name)
    _agree_with_keras(entry, y_true, y_pred)
    gradient = _autodiff(entry.tf, y_true, y_pred)
    np.testing.assert_allclose(
        gradient, _autodiff(entry.keras, y_true, y_pred), rtol=1e-12
    )
    np.testing.assert_allclose(
        entry.grad(y_true, y_pred), gradient, rtol=1e-9, atol=1e-15
    )


def test_dice_of_a_perfect_prediction_is_epsilon_small_and_of_a_disjoint_one_is_one():
    mask = np.array([[1.0, 0.0, 1.0, 1.0]])
    assert get("dice").numpy(mask, mask) == pytest.approx(EPSILON / 6, rel=1e-6)
    assert get("dice").numpy(mask, 1.0 - mask) == pytest.approx(1.0)


@pytest.mark.parametrize("axis", [1, (1, 2), (0, 2), (-2, -1), None])
def test_cosine_with_axis_tuples_and_none(axis):
    """Keras normalises over every axis listed: the vectors span those axes (None: the whole batch)."""
    rng = np.random.default_rng(22)
    y_true, y_pred = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    entry = get("cosine_similarity")
    _agree_with_keras(entry, y_true, y_pred, axis=axis)
    _gradients_agree(entry, y_true, y_pred, axis=axis)


def test_cosine_of_flattened_vectors_equals_cosine_over_an_axis_tuple():
    """An independent check of the tuple case: (1, 2) on (N, H, W) is the cosine of the flattened images."""
    rng = np.random.default_rng(23)
    y_true, y_pred = rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 4, 5))
    flat_true, flat_pred = y_true.reshape(3, -1), y_pred.reshape(3, -1)
    expected = -np.sum(flat_true * flat_pred, axis=1) / (
        np.linalg.norm(flat_true, axis=1) * np.linalg.norm(flat_pred, axis=1)
    )
    np.testing.assert_allclose(
        get("cosine_similarity").numpy(y_true, y_pred, axis=(1, 2)),
        expected,
        rtol=1e-12,
    )


def test_cosine_scales_a_vector_shorter_than_epsilon_by_one_over_epsilon():
    """Keras's normalize multiplies by min(1/‖v‖, 1/ε): a vector of length 1e-9 becomes length 0.01, not 1."""
    entry = get("cosine_similarity")
    y_true, y_pred = np.array([[1.0, 0.0, 0.0]]), np.array([[1e-9, 0.0, 0.0]])
    expected = -(1e-9 / EPSILON)
    np.testing.assert_allclose(entry.numpy(y_true, y_pred), [expected], rtol=1e-9)
    np.testing.assert_allclose(entry.tf(y_true, y_pred).numpy(), [expected], rtol=1e-9)
    np.testing.assert_allclose(
        np.asarray(entry.keras(y_true, y_pred)), [expected], rtol=1e-9
    )


def test_cosine_gradient_at_a_zero_vector_is_finite_and_what_keras_gives():
    entry = get("cosine_similarity")
    y_true = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    y_pred = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]])
    ours = _autodiff(entry.tf, y_true, y_pred)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, _autodiff(entry.keras, y_true, y_pred), rtol=1e-12)
    # At ŷ = 0 the loss is −(ȳ · ŷ)/ε, so the slope is −ȳ/ε; a zero target gives a zero slope.
    np.testing.assert_allclose(
        entry.grad(y_true, y_pred),
        [[-1 / 3 / EPSILON, -2 / 3 / EPSILON, -2 / 3 / EPSILON], [0.0, 0.0, 0.0]],
        rtol=1e-9,
    )
    np.testing.assert_allclose(entry.grad(y_true, y_pred), ours, rtol=1e-9)


def test_cosine_axis_errors_name_the_argument():
    entry = get("cosine_similarity")
    with pytest.raises(ValueError, match="axis must not name an axis twice"):
        entry.numpy(np.ones((2, 3)), np.ones((2, 3)), axis=(1, -1))
    with pytest.raises(TypeError, match="axis must be an int, a tuple of ints or None"):
        entry.tf(np.ones((2, 3)), np.ones((2, 3)), axis="last")


def test_kl_with_predictions_and_targets_exactly_zero_and_one():
    entry = get("kl_divergence")
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    y_pred = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    reference = _agree_with_keras(entry, y_true, y_pred)
    # Row 0 puts all its mass on a class predicted 0: −ln ε plus two ε ln(ε / ·) terms.
    assert reference[0] == pytest.approx(
        -np.log(EPSILON) + EPSILON * np.log(EPSILON), rel=1e-12
    )
    assert reference[1] == pytest.approx(
        2 * EPSILON * np.log(EPSILON / EPSILON) + 0.0, abs=1e-15
    )
    ours, theirs = (
        _autodiff(entry.tf, y_true, y_pred),
        _autodiff(entry.keras, y_true, y_pred),
    )
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_poisson_with_a_zero_rate_and_a_positive_count_is_finite_with_a_finite_gradient():
    entry = get("poisson")
    y_true, y_pred = np.array([[0.0, 2.0, 5.0]]), np.array([[0.0, 0.0, 1.0]])
    reference = _agree_with_keras(entry, y_true, y_pred)
    expected = (
        0.0 + (0.0 - 2.0 * np.log(EPSILON)) + (1.0 - 5.0 * np.log(1.0 + EPSILON))
    ) / 3
    assert reference[0] == pytest.approx(expected, rel=1e-12)
    ours = _autodiff(entry.tf, y_true, y_pred)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, _autodiff(entry.keras, y_true, y_pred), rtol=1e-12)
    np.testing.assert_allclose(entry.grad(y_true, y_pred), ours, rtol=1e-9)


# ----------------------------------------------------------------------------- Keras loss classes


def _class_cases():
    rng = np.random.default_rng(24)
    masks = (
        (rng.random((4, 3, 3)) > 0.5).astype(np.float32),
        rng.uniform(0.05, 0.95, (4, 3, 3)).astype(np.float32),
    )
    labels, embeddings = _embeddings(rng, count=6)
    ctc_labels, ctc_scores = _ctc_inputs(rng)
    return [
        (
            "Poisson",
            "poisson",
            {},
            (rng.uniform(0, 3, (4, 3)), rng.uniform(0.1, 3, (4, 3))),
        ),
        (
            "KLDivergence",
            "kl_divergence",
            {},
            (rng.dirichlet(np.ones(3), 4), rng.dirichlet(np.ones(3), 4)),
        ),
        (
            "CosineSimilarity",
            "cosine_similarity",
            {"axis": -1},
            (rng.normal(size=(4, 3)), rng.normal(size=(4, 3))),
        ),
        ("Dice", "dice", {"axis": (1, 2)}, masks),
        ("Tversky", "tversky", {"alpha": 0.3, "beta": 0.7, "axis": (1, 2)}, masks),
        (
            "Circle",
            "circle",
            {"gamma": 20.0, "margin": 0.3},
            (labels[:4], embeddings[:4]),
        ),
        ("CTC", "ctc", {}, (ctc_labels, ctc_scores)),
    ]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
@pytest.mark.parametrize(
    ("class_name", "name", "params", "inputs"),
    _class_cases(),
    ids=[case[0] for case in _class_cases()],
)
def test_keras_loss_classes_with_sample_weights_give_the_same_result_with_our_tf(
    class_name, name, params, inputs, reduction
):
    """A Keras loss class built on our tf (with sample weights and every reduction) equals the real class."""
    import keras

    y_true, y_pred = inputs
    y_pred = np.asarray(y_pred, np.float32)
    y_true = (
        np.asarray(y_true, np.float32)
        if np.asarray(y_true).dtype.kind == "f"
        else y_true
    )
    weights = np.linspace(0.0, 2.0, len(y_pred)).astype(np.float32)
    theirs = getattr(keras.losses, class_name)(reduction=reduction, **params)
    ours = getattr(keras.losses, class_name)(reduction=reduction, **params)
    assert ours.fn is get(name).keras
    ours.fn = get(name).tf  # the class keeps the function it wraps here
    expected = np.asarray(theirs(y_true, y_pred, sample_weight=weights))
    result = np.asarray(ours(y_true, y_pred, sample_weight=weights))
    assert result.shape == expected.shape
    np.testing.assert_allclose(
        result,
        expected,
        rtol=1e-5,
        atol=1e-6 * max(1.0, float(np.max(np.abs(expected)))),
    )


# ----------------------------------------------------------------------------- circle and CTC, more cases


def test_circle_sample_alone_in_its_class_has_loss_zero_and_a_finite_gradient():
    """No positive pair: ln Σ over an empty set is −∞, softplus(−∞) = 0; Keras and ours give a finite gradient."""
    rng = np.random.default_rng(25)
    labels = np.array([0, 0, 1, 2, 2, 3])
    _, embeddings = _embeddings(rng, count=6)
    entry = get("circle")
    reference = entry.numpy(labels, embeddings)
    assert (
        reference[2] == 0.0
        and reference[5] == 0.0
        and np.all(reference[[0, 1, 3, 4]] > 0)
    )
    np.testing.assert_allclose(
        np.asarray(entry.keras(labels, embeddings)), reference, rtol=1e-9
    )
    ours = _autodiff(entry.tf, labels, embeddings)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(
        ours, _autodiff(entry.keras, labels, embeddings), rtol=1e-9, atol=1e-12
    )


def test_circle_gradient_with_reference_embeddings_matches_finite_differences():
    rng = np.random.default_rng(26)
    labels, embeddings = _embeddings(rng, count=5)
    ref_labels, references = _embeddings(rng, count=7)
    entry = get("circle")
    params = {
        "ref_labels": ref_labels,
        "ref_embeddings": references,
        "gamma": 8.0,
        "margin": 0.3,
    }
    autodiff = _autodiff(entry.tf, labels, embeddings, **params)
    numeric = _finite_differences(entry.numpy, labels, embeddings, **params)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        autodiff,
        _autodiff(entry.keras, labels, embeddings, **params),
        rtol=1e-9,
        atol=1e-12,
    )


def test_circle_labels_errors_name_the_argument():
    labels, embeddings = _embeddings(np.random.default_rng(27))
    entry = get("circle")
    with pytest.raises(ValueError, match="y_true must hold integer class labels"):
        entry.numpy(labels + 0.5, embeddings)
    with pytest.raises(
        ValueError,
        match="ref_labels must hold one integer label per reference embedding",
    ):
        entry.numpy(
            labels, embeddings, ref_labels=labels[:3], ref_embeddings=embeddings
        )
    with pytest.raises(ValueError, match=r"ref_embeddings must have shape \(M, 4\)"):
        entry.tf(
            labels, embeddings, ref_labels=labels, ref_embeddings=embeddings[:, :3]
        )


@pytest.mark.parametrize(
    ("label", "steps"), [([1, 1], 3), ([1, 1], 4), ([2, 1, 2], 5), ([1], 1), ([], 3)]
)
def test_ctc_by_brute_force_with_repeats_and_short_inputs(label, steps):
    """Repeated symbols need a blank between them; every path of C^T is collapsed and summed."""
    import itertools

    rng = np.random.default_rng(28)
    classes = 3
    scores = rng.normal(size=(1, steps, classes))
    probabilities = np.exp(scores[0]) / np.exp(scores[0]).sum(-1, keepdims=True)
    total = 0.0
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [
            c for i, c in enumerate(path) if (i == 0 or c != path[i - 1]) and c != 0
        ]
        if collapsed == label:
            total += np.prod([probabilities[t, c] for t, c in enumerate(path)])
    padded = np.array([label + [0] * (3 - len(label))])
    entry = get("ctc")
    assert entry.numpy(padded, scores)[0] == pytest.approx(-np.log(total), rel=1e-12)
    assert entry.tf(padded, scores).numpy()[0] == pytest.approx(
        -np.log(total), rel=1e-9
    )
    assert float(np.asarray(entry.keras(padded, scores))[0]) == pytest.approx(
        -np.log(total), rel=1e-5
    )


def test_ctc_of_an_empty_label_is_minus_the_log_probability_of_all_blanks():
    scores = np.random.default_rng(29).normal(size=(2, 5, 4))
    log_probabilities = scores - np.log(np.exp(scores).sum(-1, keepdims=True))
    expected = -log_probabilities[:, :, 0].sum(axis=1)
    labels = np.zeros((2, 3), dtype=np.int64)
    np.testing.assert_allclose(get("ctc").numpy(labels, scores), expected, rtol=1e-12)
    np.testing.assert_allclose(
        get("ctc").tf(labels, scores).numpy(), expected, rtol=1e-12
    )


def test_ctc_label_too_long_for_the_input_is_infinite_in_numpy_and_finite_in_tf():
    """[1, 1, 1] needs 5 frames (1, blank, 1, blank, 1); with 3 there is no path, so p = 0.

    NumPy says so: −ln 0 = ∞. Keras's dense TF CTC uses ln(1e-307) for log 0 and returns a finite number
    near 707; ours uses −1e30 for log 0 and returns a huge finite loss (1e30) with a finite, bounded
    gradient for that sample, so one bad sample does not turn the whole batch's gradient into NaN.
    """
    scores = np.random.default_rng(30).normal(size=(2, 3, 4))
    labels = np.array([[1, 1, 1, 0], [1, 2, 0, 0]])
    entry = get("ctc")
    reference = entry.numpy(labels, scores)
    assert np.isinf(reference[0]) and np.isfinite(reference[1])
    ours = entry.tf(labels, scores).numpy()
    assert np.isfinite(ours[0]) and ours[0] >= 1e29
    assert ours[1] == pytest.approx(reference[1], rel=1e-9)
    keras_value = np.asarray(entry.keras(labels, scores))
    assert np.isfinite(keras_value[0]) and keras_value[1] == pytest.approx(
        reference[1], rel=1e-5
    )
    gradient = _autodiff(entry.tf, labels, scores)
    # d(−ln softmax)/d(score) lies in [−1, 1] per frame, whatever path the recursion weights.
    assert np.all(np.isfinite(gradient)) and np.max(np.abs(gradient[0])) <= 1.0
    np.testing.assert_allclose(
        gradient[1], _autodiff(entry.keras, labels, scores)[1], rtol=1e-4, atol=1e-6
    )


# ----------------------------------------------------------------------------- formulas say what is computed


def test_ctc_formula_reads_the_first_n_entries_with_n_the_number_of_non_zeros():
    """Keras takes y[:n] with n = count of non-zeros, not the non-zero entries themselves."""
    latex = get("ctc").latex
    assert r"l = (y_1, \dots, y_n)" in latex and r"n = \#\{j : y_j \ne 0\}" in latex
    assert "non-zero entries of" not in latex
    assert r"\operatorname{softmax}(z_t)" in latex, "CTC's y_pred are logits: z"
    # What the formula says, on a label with a zero inside: [3, 0, 2, 0] is read as (3, 0).
    rng = np.random.default_rng(21)
    scores = rng.normal(size=(1, 5, 4))
    entry = get("ctc")
    as_written = float(
        entry.keras(np.array([[3, 0, 2, 0]]), scores.astype("float32"))[0]
    )
    first_two = sequence._ctc_one(np.array([3, 0]), log_softmax(scores[0]))
    non_zeros = entry.numpy(np.array([[3, 2]]), scores)[0]
    assert as_written == pytest.approx(first_two, rel=1e-5)
    assert as_written != pytest.approx(non_zeros, rel=1e-3)


def test_circle_formula_defines_every_symbol_it_uses():
    latex = get("circle").latex
    for definition in (
        r"d_{ij} =",
        r"a^p_{ij} =",
        r"a^n_{ij} =",
        r"e_i =",
        r"r_j =",
        r"P_i =",
        r"N_i =",
        r"\mu = \texttt{margin}",
        r"\gamma = \texttt{gamma}",
    ):
        assert definition in latex, definition


@pytest.mark.parametrize("name", ["poisson", "kl_divergence"])
def test_probabilistic_formulas_use_k_classes(name):
    latex = get(name).latex
    assert r"\sum_{k=1}^{K}" in latex and "_j" not in latex
