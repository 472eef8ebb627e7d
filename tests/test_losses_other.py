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

from course_utils.losses import EPSILON, get

VARIANTS = {
    "poisson": [{}],
    "kl_divergence": [{}],
    "cosine_similarity": [{}, {"axis": 0}],
    "dice": [{}, {"axis": -1}, {"axis": (0,)}],
    "tversky": [{}, {"alpha": 0.7, "beta": 0.3}, {"alpha": 0.0, "beta": 1.0, "axis": -1}],
}

#: A one-class distribution is exactly 1, at the clip boundary, where finite differences straddle a kink.
SHAPES = {"kl_divergence": [(6,), (4, 3), (2, 3, 2, 4)]}


# ----------------------------------------------------------------------------- edge cases


def test_cosine_of_a_zero_vector_is_zero_not_nan():
    entry = get("cosine_similarity")
    y_true = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    y_pred = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    for result in (entry.numpy(y_true, y_pred), entry.tf(y_true, y_pred).numpy(),
                   np.asarray(entry.keras(y_true, y_pred))):
        np.testing.assert_array_equal(result, [0.0, 0.0])


def test_cosine_is_minus_one_for_parallel_and_plus_one_for_opposite_vectors():
    entry = get("cosine_similarity")
    np.testing.assert_allclose(entry.numpy([[1.0, 2.0], [1.0, 2.0]], [[3.0, 6.0], [-2.0, -4.0]]), [-1.0, 1.0])


def test_poisson_with_zero_counts_and_zero_rate_stays_finite():
    entry = get("poisson")
    y_true, y_pred = np.array([[0.0, 3.0]]), np.array([[0.0, 1e-12]])
    ours = entry.numpy(y_true, y_pred)
    np.testing.assert_allclose(ours, np.asarray(entry.keras(y_true, y_pred)), rtol=1e-12)
    assert np.isfinite(ours).all()


def test_kl_with_zeros_in_y_true_matches_keras_clipping():
    entry = get("kl_divergence")
    y_true, y_pred = np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.7, 0.1]])
    expected = EPSILON * np.log(EPSILON / 0.2) + np.log(1 / 0.7) + EPSILON * np.log(EPSILON / 0.1)
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


@pytest.mark.parametrize("name", ["poisson", "kl_divergence"])
def test_negative_rates_or_probabilities_are_an_error_naming_y_pred(name):
    with pytest.raises(ValueError, match="y_pred must be >= 0"):
        get(name).numpy([[0.5, 0.5]], [[-0.1, 1.1]])


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
    np.testing.assert_allclose(ours, np.asarray(entry.keras(y_true, y_pred, axis=(1, 2, 3))), rtol=1e-6)
    np.testing.assert_allclose(entry.tf(y_true, y_pred, axis=(1, 2, 3)).numpy(), ours, rtol=1e-12)


def test_tversky_with_equal_weights_is_dice():
    rng = np.random.default_rng(5)
    y_true = (rng.random((4, 5)) > 0.5).astype(float)
    y_pred = rng.random((4, 5))
    np.testing.assert_allclose(get("tversky").numpy(y_true, y_pred), get("dice").numpy(y_true, y_pred),
                               rtol=1e-6)


def test_tversky_alpha_weights_the_true_mask_the_prediction_misses():
    """Keras's α multiplies Σ y(1 − ŷ): raising α makes a prediction that misses the object cost more."""
    y_true = np.array([1.0, 1.0, 0.0, 0.0])
    misses = np.array([1.0, 0.0, 0.0, 0.0])
    entry = get("tversky")
    assert entry.numpy(y_true, misses, alpha=0.9, beta=0.1) > entry.numpy(y_true, misses, alpha=0.1, beta=0.9)
    assert entry.tf(y_true, misses, alpha=0.9, beta=0.1).numpy() == pytest.approx(
        float(entry.keras(y_true, misses, alpha=0.9, beta=0.1)), rel=1e-6)


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
    np.testing.assert_allclose(entry.tf(labels, embeddings, **variant).numpy(), reference, rtol=1e-9, atol=1e-9)
    keras32 = np.asarray(entry.keras(labels, embeddings.astype(np.float32), **variant))
    ours32 = entry.tf(labels, embeddings.astype(np.float32), **variant).numpy()
    np.testing.assert_allclose(ours32, keras32, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(reference, np.asarray(entry.keras(labels, embeddings, **variant)),
                               rtol=1e-6, atol=1e-9)


def test_circle_with_reference_embeddings_agrees_with_keras():
    rng = np.random.default_rng(8)
    labels, embeddings = _embeddings(rng, count=5)
    ref_labels, references = _embeddings(rng, count=7)
    entry = get("circle")
    ours = entry.numpy(labels, embeddings, ref_labels=ref_labels, ref_embeddings=references)
    keras_value = entry.keras(labels, embeddings, ref_labels=ref_labels, ref_embeddings=references)
    np.testing.assert_allclose(ours, np.asarray(keras_value), rtol=1e-6, atol=1e-9)
    tf_value = entry.tf(labels, embeddings, ref_labels=ref_labels, ref_embeddings=references)
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
        numeric[index] = (entry.numpy(labels, up, gamma=10).sum() - entry.numpy(labels, down, gamma=10).sum()) / (2 * step)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-6)


def test_circle_inside_tf_function_and_its_keras_mask():
    import tensorflow as tf

    labels, embeddings = _embeddings(np.random.default_rng(10))
    entry = get("circle")
    traced = tf.function(lambda t, p: entry.tf(t, p))(labels, embeddings)
    np.testing.assert_allclose(traced.numpy(), entry.tf(labels, embeddings).numpy(), rtol=1e-12)
    eager = entry.tf(labels, embeddings)
    np.testing.assert_array_equal(eager._keras_mask.numpy(), eager.numpy() > 0)


def test_circle_bad_input_names_the_argument():
    labels, embeddings = _embeddings(np.random.default_rng(11))
    entry = get("circle")
    with pytest.raises(ValueError, match="y_pred must be embeddings of shape"):
        entry.numpy(labels, embeddings[:, :, None])
    with pytest.raises(ValueError, match="y_true must hold one integer label per embedding"):
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
    np.testing.assert_allclose(entry.tf(labels, scores.astype(np.float32)).numpy(), keras32, rtol=1e-5)
    # Keras computes CTC in float32 even for float64 input: hence 1e-5 here.
    np.testing.assert_allclose(reference, np.asarray(entry.keras(labels, scores)), rtol=1e-5)


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
    assert get("ctc").numpy(np.array([label]), scores)[0] == pytest.approx(-np.log(total), rel=1e-12)


def test_ctc_gradient_autodiff_matches_finite_differences():
    import tensorflow as tf

    labels, scores = _ctc_inputs(np.random.default_rng(13), batch=2, steps=6, classes=4, max_length=3)
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
        numeric[index] = (entry.numpy(labels, up).sum() - entry.numpy(labels, down).sum()) / (2 * step)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-7)


def test_ctc_inside_tf_function_and_with_extreme_scores():
    import tensorflow as tf

    labels, scores = _ctc_inputs(np.random.default_rng(14))
    entry = get("ctc")
    traced = tf.function(lambda t, p: entry.tf(t, p))(labels, scores)
    np.testing.assert_allclose(traced.numpy(), entry.tf(labels, scores).numpy(), rtol=1e-12)
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
    np.testing.assert_allclose(entry.numpy(labels, scores), np.asarray(entry.keras(labels, scores)), rtol=1e-5)
    np.testing.assert_allclose(entry.tf(labels, scores).numpy(), entry.numpy(labels, scores), rtol=1e-9)
