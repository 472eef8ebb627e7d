"""The shared input checks (course_utils.validation): each accepts good input and names the argument otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.validation import as_finite_array, as_finite_float, as_positive_int


def test_as_finite_float_accepts_numbers_and_names_the_argument_otherwise():
    assert as_finite_float("w", np.float32(0.5)) == 0.5
    with pytest.raises(TypeError, match="w must be a real number, got str"):
        as_finite_float("w", "big")
    with pytest.raises(ValueError, match="b must be finite, got nan"):
        as_finite_float("b", float("nan"))


def test_as_positive_int_refuses_floats_booleans_and_out_of_range_values():
    assert as_positive_int("m", np.int64(3)) == 3
    assert as_positive_int("seed", 0, allow_zero=True) == 0
    for bad in (2.0, True):
        with pytest.raises(TypeError, match="m must be an integer"):
            as_positive_int("m", bad)
    with pytest.raises(ValueError, match="m must be positive, got 0"):
        as_positive_int("m", 0)
    with pytest.raises(ValueError, match="seed must be non-negative, got -1"):
        as_positive_int("seed", -1, allow_zero=True)


def test_as_finite_array_checks_dimensions_and_values_and_suggests_a_reshape():
    np.testing.assert_array_equal(
        as_finite_array("X", [[1, 2]], 2, "examples in rows"), [[1.0, 2.0]]
    )
    with pytest.raises(
        ValueError,
        match=r"X must be 2-D \(examples in rows\), got shape \(2,\)\. "
        r"For a single example use X\.reshape\(1, -1\)\.",
    ):
        as_finite_array("X", [1.0, 2.0], 2, "examples in rows")
    with pytest.raises(
        ValueError, match="w must be finite; it contains NaN or infinity"
    ):
        as_finite_array("w", [1.0, np.inf], 1, "weights")
    with pytest.raises(TypeError, match="w must be an array of numbers"):
        as_finite_array("w", [1.0, "a"], 1, "weights")


class _FakeModel:
    """A stand-in for a Keras model: callable, with declared shapes (no TensorFlow needed)."""

    def __init__(self, name, input_shape, output_shape, **parts):
        self.name, self.input_shape, self.output_shape = name, input_shape, output_shape
        self.__dict__.update(parts)

    def __call__(self, x):
        return x


def test_as_seed_takes_integers_from_zero_and_refuses_none():
    from course_utils.validation import as_seed

    assert as_seed(0) == 0 and as_seed(np.int64(7)) == 7
    with pytest.raises(TypeError, match="^seed must be an integer"):
        as_seed(None)
    with pytest.raises(ValueError, match="^rng_seed must be non-negative"):
        as_seed(-1, "rng_seed")


def test_as_model_tells_classifiers_vaes_and_decoders_apart():
    from course_utils.validation import as_model

    classifier = _FakeModel("classifier", (None, 784), (None, 10))
    decoder = _FakeModel("decoder", (None, 2), (None, 784))
    encoder = _FakeModel("encoder", (None, 784), [(None, 2), (None, 2)])
    vae = _FakeModel("vae", None, None, encoder=encoder, decoder=decoder)
    cnn = _FakeModel("cnn", (None, 28, 28, 1), (None, 10))
    for model, kind in (
        (classifier, "classifier"),
        (cnn, "classifier"),
        (decoder, "decoder"),
        (vae, "vae"),
    ):
        assert as_model("model", model, kind=kind) is model
    assert as_model("model", vae) is vae  # no kind: anything callable
    # a plain function declares no shapes: it gets the benefit of the doubt
    assert as_model("decoder", abs, kind="decoder") is abs
    wrong = [
        ("vae", decoder, "vae", r"vae must be a VAE .*'decoder' mapping \(None, 2\)"),
        ("vae", classifier, "vae", r"vae must be a VAE .*\(None, 10\)"),
        ("model", vae, "classifier", "model must be a classifier .*got a VAE"),
        ("model", decoder, "classifier", r"model must be a classifier .*\(None, 2\)"),
        ("decoder", classifier, "decoder", "decoder must be a decoder .*'classifier'"),
        ("decoder", encoder, "decoder", "decoder must be a decoder .*'encoder'"),
        ("decoder", vae, "decoder", "decoder must be a decoder .*got a VAE"),
    ]
    for name, model, kind, message in wrong:
        with pytest.raises(TypeError, match=f"^{message}.*; pass "):
            as_model(name, model, kind=kind)
    with pytest.raises(ValueError, match="^kind must be one of"):
        as_model("model", classifier, kind="gan")


def test_as_model_refuses_what_cannot_be_called_and_points_to_the_model_inside():
    from course_utils.validation import as_model

    with pytest.raises(TypeError, match="^model must be a Keras model .*got str"):
        as_model("model", "classifier")

    class Result:
        model = _FakeModel("classifier", (None, 784), (None, 10))

    with pytest.raises(TypeError, match=r"pass its \.model\.$"):
        as_model("model", Result())


# issue 17: ragged lists, empty arrays and values in the wrong unit


def test_as_data_array_names_ragged_and_empty_inputs():
    from course_utils.validation import as_data_array

    with pytest.raises(ValueError, match=r"^rows has rows of different lengths"):
        as_data_array("rows", [[1.0, 2.0], [3.0]], None, "numbers")
    with pytest.raises(ValueError, match=r"^x is empty"):
        as_data_array("x", [], None, "numbers")
    with pytest.raises(TypeError, match=r"^x must be an array of numbers"):
        as_data_array("x", ["a", 1.0], None, "numbers")


@pytest.mark.parametrize(
    ("values", "advice"),
    [
        ([0, 255, 128], r"divide by 255"),
        ([10, 90], r"divide by 100"),
        ([12.5, 87.5], r"divide by 100"),
        ([-1, 1, 1], r"\(p \+ 1\) / 2"),
        ([-2.0, 3.0], r"logits.*sigmoid"),
    ],
)
def test_as_unit_interval_says_what_the_values_look_like(values, advice):
    from course_utils.validation import as_unit_interval

    with pytest.raises(ValueError, match=rf"^p must hold .* in \[0, 1\].*{advice}"):
        as_unit_interval(
            "p", values, None, "probabilities", logits_fix="apply a sigmoid"
        )


def test_as_unit_interval_accepts_probabilities_and_edges():
    from course_utils.validation import as_unit_interval

    np.testing.assert_array_equal(
        as_unit_interval("p", [0, 0.5, 1], 1, "probabilities"), [0, 0.5, 1]
    )


@pytest.mark.parametrize("values", [[2, 3, 5], [0.9, 0.8], [[0.5, 0.5], [0.2, 0.2]]])
def test_as_distribution_refuses_rows_that_do_not_sum_to_one(values):
    from course_utils.validation import as_distribution

    with pytest.raises(ValueError, match=r"^p must sum to 1.*p / p\.sum"):
        as_distribution("p", values)


def test_as_distribution_allows_rounding_and_refuses_negatives():
    from course_utils.validation import as_distribution

    as_distribution("p", [[1 / 3, 1 / 3, 1 / 3], [0.1, 0.2, 0.7]])
    logits = np.random.default_rng(0).normal(size=(64, 1000)).astype("float32")
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    as_distribution("p", softmax)  # float32 rounding: sums off by ~1e-6
    with pytest.raises(ValueError, match=r"^p must be probabilities >= 0"):
        as_distribution("p", [1.2, -0.2])
