"""Every catalog loss computes what Keras computes, and its gradient is what autodiff and finite differences say.

For each entry whose inputs tests/loss_inputs.py can draw, each parameter variant listed in the family's
test file (``VARIANTS``), and each shape (N,), (N, 1), (N, k), (N, H, W, C) (or the family's ``SHAPES``):

* values: ``numpy`` = ``tf`` in float64 (1e-9 relative), ``numpy`` = Keras in float64 (1e-6 relative),
  and ``tf`` = Keras in float32 within 1e-5 relative;
* ``tf`` inside ``tf.function`` = eager ``tf``;
* gradients (float64, away from kinks and clipping): autodiff of ``tf`` = ``grad`` = central finite
  differences of ``numpy``;
* stability: on extreme inputs (logits of ±1e4, probabilities exactly 0 and 1, large errors), wherever
  Keras's loss and gradient are finite, so are ours;
* mismatched shapes raise an error naming y_true and y_pred.

Inputs are drawn by Hypothesis (seed and scale): the same draws on every run by default, new ones with
``HYPOTHESIS_PROFILE=explore`` (tests/conftest.py).
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loss_inputs import SHAPES, draw, pair

from course_utils.losses import catalog

FAMILY_TEST_MODULES = (
    "test_losses_regression",
    "test_losses_classification",
    "test_losses_other",
)
DRAWABLE = {
    "real",
    "positive",
    "nonnegative",
    "probability",
    "distribution",
    "binary",
    "signed",
    "one_hot",
    "index",
    "logits",
}
HYPOTHESIS = settings(max_examples=6, suppress_health_check=list(HealthCheck))


def _family_table(attribute: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for module_name in FAMILY_TEST_MODULES:
        module = importlib.import_module(module_name)
        table.update(getattr(module, attribute, {}))
    return table


VARIANTS = _family_table("VARIANTS")
SHAPE_OVERRIDES = _family_table("SHAPES")
ENTRIES = {
    name: entry
    for name, entry in catalog().items()
    if {entry.y_true_domain, entry.y_pred_domain} <= DRAWABLE
}
CASES = [
    pytest.param(name, variant, shape, id=f"{name}-{i}-{'x'.join(map(str, shape))}")
    for name in ENTRIES
    for i, variant in enumerate(VARIANTS.get(name, [{}]))
    for shape in SHAPE_OVERRIDES.get(name, SHAPES)
]


def test_every_drawable_entry_has_variants_listed():
    """Each family's test file lists the parameter variants to try (at least the defaults)."""
    assert set(ENTRIES) <= set(VARIANTS), sorted(set(ENTRIES) - set(VARIANTS))


def _inputs(entry, variant, shape, seed, scale, edges=True):
    rng = np.random.default_rng(seed)
    return pair(
        entry,
        shape,
        rng,
        scale=scale,
        edges=edges,
        from_logits=bool(variant.get("from_logits", False)),
    )


def _keras(entry, y_true, y_pred, variant, dtype):
    return np.asarray(
        entry.keras(
            y_true.astype(dtype) if y_true.dtype.kind == "f" else y_true,
            y_pred.astype(dtype),
            **variant,
        )
    )


@pytest.mark.parametrize(("name", "variant", "shape"), CASES)
@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([0.01, 1.0, 30.0]))
def test_numpy_tf_and_keras_agree(name, variant, shape, seed, scale):
    entry = ENTRIES[name]
    y_true, y_pred = _inputs(entry, variant, shape, seed, scale)

    reference = entry.numpy(y_true, y_pred, **variant)
    ours64 = entry.tf(y_true, y_pred, **variant).numpy()
    np.testing.assert_allclose(ours64, reference, rtol=1e-9, atol=1e-12)
    # Keras rounds a few constants to float32 even in float64 (ln 2 in log_cosh): hence atol 1e-8.
    keras64 = _keras(entry, y_true, y_pred, variant, np.float64)
    np.testing.assert_allclose(reference, keras64, rtol=1e-6, atol=1e-8)

    keras32 = _keras(entry, y_true, y_pred, variant, np.float32)
    ours32 = entry.tf(
        y_true.astype(np.float32) if y_true.dtype.kind == "f" else y_true,
        y_pred.astype(np.float32),
        **variant,
    )
    assert ours32.dtype.name == "float32" and tuple(ours32.shape) == keras32.shape
    np.testing.assert_allclose(
        ours32.numpy(),
        keras32,
        rtol=1e-5,
        atol=1e-6 * max(1.0, float(np.max(np.abs(keras32), initial=0.0))),
    )


@pytest.mark.parametrize(("name", "variant", "shape"), CASES)
def test_tf_function_gives_the_eager_result(name, variant, shape):
    import tensorflow as tf

    entry = ENTRIES[name]
    y_true, y_pred = _inputs(entry, variant, shape, seed=7, scale=1.0)
    eager = entry.tf(y_true, y_pred, **variant)
    traced = tf.function(lambda t, p: entry.tf(t, p, **variant))(y_true, y_pred)
    np.testing.assert_allclose(traced.numpy(), eager.numpy(), rtol=1e-12)


def _autodiff(entry, y_true, y_pred, variant):
    import tensorflow as tf

    prediction = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(entry.tf(y_true, prediction, **variant))
    return tape.gradient(total, prediction).numpy()


def _finite_differences(entry, y_true, y_pred, variant, relative_step=1e-6):
    """Central differences with a step scaled to each value (a fixed step is too coarse for -ln p at tiny p)."""
    gradient = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        step = relative_step * max(abs(float(y_pred[index])), 1e-2)
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (
            np.sum(entry.numpy(y_true, up, **variant))
            - np.sum(entry.numpy(y_true, down, **variant))
        ) / (2 * step)
    return gradient


@pytest.mark.parametrize(("name", "variant", "shape"), CASES)
@HYPOTHESIS
@given(seed=st.integers(0, 2**32 - 1))
def test_autodiff_analytic_and_finite_difference_gradients_agree(
    name, variant, shape, seed
):
    entry = ENTRIES[name]
    y_true, y_pred = _inputs(entry, variant, shape, seed, scale=1.0, edges=False)
    autodiff = _autodiff(entry, y_true, y_pred, variant)
    numeric = _finite_differences(entry, y_true, y_pred, variant)
    scale = max(1.0, float(np.max(np.abs(numeric))))
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-5, atol=1e-6 * scale)
    if entry.grad is not None:
        np.testing.assert_allclose(
            entry.grad(y_true, y_pred, **variant),
            autodiff,
            rtol=1e-9,
            atol=1e-12 * scale,
        )


def _extremes(entry, variant, shape, rng):
    from_logits = bool(variant.get("from_logits", False))
    y_true = draw(entry.y_true_domain, shape, rng, scale=1e4, edges=True)
    domain = "logits" if from_logits else entry.y_pred_domain
    y_pred = draw(domain, shape, rng, scale=1e4, edges=True)
    if domain == "logits":
        y_pred = np.sign(y_pred) * 1e4
    return y_true, y_pred


@pytest.mark.parametrize(("name", "variant", "shape"), CASES)
def test_finite_wherever_keras_is_finite(name, variant, shape):
    import tensorflow as tf

    entry = ENTRIES[name]
    y_true, y_pred = _extremes(entry, variant, shape, np.random.default_rng(11))
    y_true32 = y_true.astype(np.float32) if y_true.dtype.kind == "f" else y_true
    results = {}
    for label, function in (("keras", entry.keras), ("ours", entry.tf)):
        prediction = tf.Variable(y_pred.astype(np.float32))
        with tf.GradientTape() as tape:
            loss = function(y_true32, prediction, **variant)
            total = tf.reduce_sum(loss)
        results[label] = (loss.numpy(), tape.gradient(total, prediction).numpy())
    keras_loss, keras_gradient = results["keras"]
    our_loss, our_gradient = results["ours"]
    assert np.all(np.isfinite(our_loss[np.isfinite(keras_loss)]))
    if np.all(np.isfinite(keras_loss)):
        assert np.all(np.isfinite(our_gradient[np.isfinite(keras_gradient)]))


@pytest.mark.parametrize(
    "name", [n for n, e in ENTRIES.items() if e.y_true_domain != "index"]
)
def test_mismatched_shapes_are_an_error_naming_both_arguments(name):
    entry = ENTRIES[name]
    rng = np.random.default_rng(0)
    y_true = draw(entry.y_true_domain, (4, 3), rng)
    y_pred = draw(entry.y_pred_domain, (4, 5), rng)
    for implementation in (entry.numpy, entry.tf):
        with pytest.raises(ValueError, match=r"y_true.*y_pred"):
            implementation(y_true, y_pred)
