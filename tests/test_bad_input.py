"""Bad input, as learners make it, gets one clear error (CONTRIBUTING.md, "Bad input").

The rule: a public helper given a wrong type, flag, shape or range raises a ``TypeError`` or
``ValueError`` whose message names the argument; a check never raises; a widget refuses a value
it would otherwise clamp and stays usable afterwards.

The first half is the cases an expert probe found; the second half applies the rule to every
public function of every lesson module: each argument in turn is replaced by a string, None
and NaN while the others keep a valid value from ``VALID_CALLS``.
"""

from __future__ import annotations

import importlib
import inspect
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from course_utils.checks import check
from course_utils.data import load_fashion_mnist, load_mnist

# ------------------------------------------------------------------------------------------
# the cases found by the probe


@pytest.mark.parametrize("answer", [10**400, "0.49", b"0.49", ["0.49"], object()])
def test_check_never_raises_and_refuses_text(answer):
    result = check("00.1", answer)
    assert not result
    assert "not yet" in repr(result)


def test_check_explains_text_answers():
    assert "remove the quotes" in repr(check("00.1", "0.49"))
    assert "too large" in repr(check("00.1", 10**400))


@pytest.mark.parametrize("loader", [load_mnist, load_fashion_mnist])
@pytest.mark.parametrize("flag", ["fashion", "no", "False", 1, 0, None])
def test_dataset_flags_must_be_booleans(loader, flag, tmp_path, monkeypatch):
    # A flag that is not a boolean must never start a download: point Keras's cache at an
    # empty folder and prove it stays empty.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(TypeError, match=r"full must be True or False"):
        loader(full=flag)
    assert not any(tmp_path.iterdir())


def _first_widget(name: str):
    from course_utils.widgets import WIDGET_FACTORIES

    module, factory = name.split(":")
    importlib.import_module(f"course_utils.{module}")
    return WIDGET_FACTORIES[factory]()


@pytest.mark.parametrize(
    ("widget", "values", "error"),
    [
        ("prediction_loss:prediction_loss_widget", {"y_pred": 100.0}, ValueError),
        ("prediction_loss:prediction_loss_widget", {"y_pred": math.nan}, ValueError),
        ("prediction_loss:prediction_loss_widget", {"y_pred": "1"}, TypeError),
        ("prediction_loss:prediction_loss_widget", {"y_pred": True}, TypeError),
        ("gradient_descent:gradient_descent_widget", {"steps": 2.5}, ValueError),
        (
            "gradient_descent:gradient_descent_widget",
            {"learning_rate": 0.0},
            ValueError,
        ),
    ],
)
def test_widgets_refuse_instead_of_clamping_and_stay_usable(widget, values, error):
    live = _first_widget(widget)
    before = live.values
    (name,) = values
    with pytest.raises(error, match=rf"^{name} must be"):
        live.set(**values)
    assert live.values == before, "a refused value must leave every control unchanged"
    frames = len(live.redraw_seconds)
    control = live.controls[name]
    live.set(**{name: control.min + control.step})  # the widget still answers
    assert len(live.redraw_seconds) == frames + 1


def test_widget_set_is_all_or_nothing():
    live = _first_widget("prediction_loss:prediction_loss_widget")
    before = live.values
    with pytest.raises(ValueError):
        live.set(y_true=0.5, y_pred=100.0)
    assert live.values == before


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: _neuron().sigmoid("a"), "z"),
        (lambda: _neuron().relu(None), "z"),
        (lambda: _neuron().accuracy([0, 2, 1], [0.1, 0.9, 0.8]), "y_true"),
        (lambda: _neuron().accuracy([0, -1], [0.1, 0.9]), "y_true"),
    ],
)
def test_probe_cases_name_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError), match=rf"\b{argument}\b"):
        call()


def _neuron():
    from course_utils import neuron

    return neuron


# ------------------------------------------------------------------------------------------
# the rule, applied to every public function of every lesson module


def _blobs() -> tuple[np.ndarray, np.ndarray]:
    from course_utils.neuron import toy_blobs

    return toy_blobs()


def _line() -> tuple[np.ndarray, np.ndarray]:
    from course_utils.gradient_descent import line_data

    return line_data()


def _params() -> dict[str, Any]:
    from course_utils.backprop import example_parameters

    return example_parameters()


def _batch() -> tuple[np.ndarray, np.ndarray]:
    from course_utils.backprop import example_batch

    return example_batch()


#: A valid call of every public function that takes arguments: {module.function: kwargs}.
#: Functions missing here fail ``test_every_public_function_has_a_valid_call``.
VALID_CALLS: dict[str, Callable[[], dict[str, Any]]] = {
    # 00: prediction_loss
    "prediction_loss.squared_error": lambda: {"y_true": 1.0, "y_pred": 0.3},
    "prediction_loss.absolute_error": lambda: {"y_true": 1.0, "y_pred": 0.3},
    "prediction_loss.squared_error_slope": lambda: {"y_true": 1.0, "y_pred": 0.3},
    "prediction_loss.absolute_error_slope": lambda: {"y_true": 1.0, "y_pred": 0.3},
    "prediction_loss.plot_prediction_loss": lambda: {"y_true": 1.0, "y_pred": 0.3},
    # 01: neuron
    "neuron.naive_sigmoid": lambda: {"z": np.array([-1.0, 2.0])},
    "neuron.sigmoid": lambda: {"z": np.array([-1.0, 2.0])},
    "neuron.sigmoid_slope": lambda: {"z": np.array([-1.0, 2.0])},
    "neuron.relu": lambda: {"z": np.array([-1.0, 2.0])},
    "neuron.linear": lambda: {"z": np.array([-1.0, 2.0])},
    "neuron.neuron": lambda: {"x": np.ones((3, 2)), "w": np.ones(2), "b": 0.5},
    "neuron.dense": lambda: {
        "x": np.ones((3, 2)),
        "W": np.ones((2, 4)),
        "b": np.zeros(4),
        "activation": "tanh",
    },
    "neuron.accuracy": lambda: {
        "y_true": np.array([0.0, 1.0]),
        "y_prob": np.array([0.2, 0.7]),
        "threshold": 0.5,
    },
    "neuron.make_two_blobs": lambda: {"n_per_class": 5, "seed": 1},
    "neuron.boundary_line": lambda: {"w1": 1.0, "w2": 0.5, "b": -1.0},
    "neuron.neuron_output_image": lambda: {"w1": 1.0, "w2": 0.5, "b": -1.0},
    "neuron.neuron_view": lambda: {"w1": 1.0, "w2": 0.5, "b": -1.0},
    "neuron.plot_neuron": lambda: {"w1": 1.0, "w2": 0.5, "b": -1.0},
    # 02: gradient_descent
    "gradient_descent.make_line_data": lambda: {"m": 10, "seed": 0, "noise": 0.5},
    "gradient_descent.make_tiny_network_data": lambda: {"m": 10, "seed": 1},
    "gradient_descent.least_squares_fit": lambda: dict(zip("xy", _line())),
    "gradient_descent.linear_mse_hessian": lambda: {"x": _line()[0]},
    "gradient_descent.largest_stable_rate": lambda: {"x": _line()[0]},
    "gradient_descent.predict_line": lambda: {"w": 1.0, "b": 0.0, "x": _line()[0]},
    "gradient_descent.mse_cost": lambda: {
        "w": 1.0,
        "b": 0.0,
        **dict(zip("xy", _line())),
    },
    "gradient_descent.mse_gradient": lambda: {
        "w": 1.0,
        "b": 0.0,
        **dict(zip("xy", _line())),
    },
    "gradient_descent.squared_losses": lambda: {
        "y_true": np.array([1.0, 2.0]),
        "y_pred": np.array([1.5, 2.0]),
    },
    "gradient_descent.mse_cost_of_predictions": lambda: {
        "y_true": np.array([1.0, 2.0]),
        "y_pred": np.array([1.5, 2.0]),
    },
    "gradient_descent.gradient_descent": lambda: {
        **dict(zip("xy", _line())),
        "w0": -1.0,
        "b0": 4.0,
        "learning_rate": 0.1,
        "steps": 3,
    },
    "gradient_descent.plot_residuals": lambda: {
        **dict(zip("xy", _line())),
        "w": 1.0,
        "b": 0.0,
    },
    "gradient_descent.plot_gradient_descent": lambda: {
        "learning_rate": 0.1,
        "w0": -1.0,
        "b0": 4.0,
        "steps": 5,
    },
    "gradient_descent.tiny_network_cost": lambda: {
        "w": 1.0,
        "v": 1.0,
        **dict(zip("xy", _tiny())),
    },
    "gradient_descent.tiny_network_gradient": lambda: {
        "w": 1.0,
        "v": 1.0,
        **dict(zip("xy", _tiny())),
    },
    "gradient_descent.find_tiny_network_minimum": lambda: {
        **dict(zip("xy", _tiny())),
        "w0": 1.0,
        "v0": 1.0,
        "steps": 5,
    },
    # 03: backprop
    "backprop.softmax": lambda: {"z": np.array([[1.0, 2.0, 0.5]])},
    "backprop.softmax_cross_entropy_gradient": lambda: {
        "z": np.array([[1.0, 2.0, 0.5]]),
        "y": np.array([[0.0, 1.0, 0.0]]),
    },
    "backprop.bce_output_gradient": lambda: {"z": np.array([0.5, -1.0]), "y": 1.0},
    "backprop.mse_output_gradient": lambda: {"z": np.array([0.5, -1.0]), "y": 1.0},
    "backprop.bce_cost": lambda: {
        "y": np.array([1.0, 0.0]),
        "y_hat": np.array([0.8, 0.3]),
    },
    "backprop.forward_pass": lambda: {"params": _params(), "X": _batch()[0]},
    "backprop.network_cost": lambda: {"params": _params(), **dict(zip("Xy", _batch()))},
    "backprop.backprop_gradients": lambda: {
        "params": _params(),
        **dict(zip("Xy", _batch())),
    },
    "backprop.finite_difference_gradients": lambda: {
        "params": _params(),
        **dict(zip("Xy", _batch())),
    },
    "backprop.train": lambda: {
        "params": _params(),
        **dict(zip("Xy", _batch())),
        "learning_rate": 1.0,
        "steps": 2,
    },
    "backprop.deep_chain_parameters": lambda: {"depth": 3, "activation": "tanh"},
    "backprop.deep_chain_gradient_norms": lambda: {"depth": 3, "activation": "relu"},
    "backprop.example_batch": lambda: {"m": 4, "seed": 0},
    "backprop.example_parameters": lambda: {"seed": 5},
    "backprop.step_title": lambda: {"step": 3, "learning_rate": 1.0, "stage": "update"},
    "backprop.plot_training_step": lambda: {
        "step": 1,
        "learning_rate": 1.0,
        "stage": "forward",
    },
    "backprop.plot_output_gradients": lambda: {"y": 1.0},
    "backprop.plot_vanishing_gradients": lambda: {"depth": 4},
    "neuron.make_disc_and_ring": lambda: {"n_per_class": 5, "seed": 2},
    "neuron.plot_decision_boundary": lambda: {
        "predict": lambda X: X[:, 0] > 0,
        "x": _blobs()[0],
        "y": _blobs()[1],
        "limits": (-4.0, 4.0),
    },
    "gradient_descent.minibatch_sgd": lambda: {
        **dict(zip("xy", _line())),
        "w0": -1.0,
        "b0": 4.0,
        "learning_rate": 0.1,
        "batch_size": 5,
        "epochs": 2,
        "shuffle": True,
        "seed": 0,
    },
    "gradient_descent.plot_minibatch_sgd": lambda: {"batch_size": 5, "epochs": 3},
    "backprop.plot_loss_curves": lambda: {
        "train_loss": [0.6, 0.4],
        "validation_loss": [0.5, 0.45],
    },
    "backprop.two_moons": lambda: {"m": 20, "noise": 0.1, "seed": 0},
    "classification_lessons.noisy_label_experiment": lambda: {
        "qs": (0.0, 0.5),
        "noise": 0.3,
    },
    "classification_lessons.plot_gce": lambda: {"qs": (0.3, 1.0)},
    # 05: classification_lessons
    "classification_lessons.bce_clipped": lambda: {
        "y": np.array([1.0, 0.0]),
        "p": np.array([0.9, 0.2]),
        "epsilon": 1e-7,
    },
    "classification_lessons.bce_from_logits": lambda: {
        "y": np.array([1.0, 0.0]),
        "z": np.array([2.0, -1.0]),
    },
    "classification_lessons.clipping_table": lambda: {
        "z": np.array([-20.0, 0.0, 5.0]),
        "y": 1.0,
        "epsilon": 1e-7,
    },
    "classification_lessons.focal_summary": lambda: {"gamma": 2.0, "alpha": 0.25},
    "classification_lessons.focal_weight": lambda: {
        "p_t": np.array([0.1, 0.9]),
        "gamma": 2.0,
        "alpha": 0.25,
    },
    "classification_lessons.gce_curve": lambda: {"p_y": np.array([0.2, 0.8]), "q": 0.5},
    "classification_lessons.gce_logit_gradient": lambda: {
        "Z": np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.5]]),
        "labels": np.array([0, 1]),
        "q": 0.5,
    },
    "classification_lessons.hinge_curves": lambda: {
        "margin": np.array([-1.0, 0.5, 2.0])
    },
    "classification_lessons.logit_gradients": lambda: {
        "z": np.array([-3.0, 0.0, 3.0]),
        "y": 1.0,
    },
    "classification_lessons.noisy_blobs": lambda: {"m": 60, "noise": 0.3, "seed": 0},
    "classification_lessons.plot_ce_vs_mse": lambda: {"y": 1.0},
    "classification_lessons.plot_focal": lambda: {"gamma": 2.0, "alpha": 0.25},
    "classification_lessons.plot_sigmoid_vs_softmax": lambda: {
        "z": np.array([2.0, 1.0, -1.0]),
        "target": 0,
    },
    "classification_lessons.renormalised_sigmoid_ce": lambda: {
        "z": np.array([2.0, 1.0, -1.0]),
        "target": 0,
    },
    "classification_lessons.train_softmax_regression": lambda: {
        "X": np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
        "labels": np.array([0, 1, 1]),
        "q": 0.5,
        "steps": 5,
        "learning_rate": 0.5,
    },
    # 06: other_losses_lessons
    "other_losses_lessons.best_fits": lambda: {"separation": 4.0},
    "other_losses_lessons.circle_anchor_loss": lambda: {
        "positive_similarity": np.array([0.2, 0.8]),
        "negative_similarity": 0.3,
        "gamma": 32.0,
        "margin": 0.25,
    },
    "other_losses_lessons.collapse": lambda: {"path": (1, 1, 0, 2), "blank": 0},
    "other_losses_lessons.cosine_view": lambda: {"angle": 60.0, "length": 1.0},
    "other_losses_lessons.ctc_brute_force": lambda: {
        "label": np.array([1, 2]),
        "logits": np.zeros((3, 3)),
    },
    "other_losses_lessons.ctc_paths": lambda: {
        "label": np.array([1, 2]),
        "steps": 3,
        "num_classes": 3,
    },
    "other_losses_lessons.entropy": lambda: {"p": np.array([0.5, 0.5])},
    "other_losses_lessons.gaussian_distribution": lambda: {"mean": 0.0, "width": 1.5},
    "other_losses_lessons.keras_label": lambda: {"y_row": np.array([3, 0, 2, 0])},
    "other_losses_lessons.kl_both_ways": lambda: {
        "p": np.array([0.5, 0.5]),
        "q": np.array([0.9, 0.1]),
    },
    "other_losses_lessons.kl_curves": lambda: {"separation": 4.0, "width": 1.5},
    "other_losses_lessons.log_factorial": lambda: {"counts": np.array([0, 3, 5])},
    "other_losses_lessons.overlap_sums": lambda: {
        "y_true": np.array([[1.0, 0.0], [1.0, 1.0]]),
        "y_pred": np.array([[0.8, 0.1], [0.4, 0.9]]),
    },
    "other_losses_lessons.plot_circle": lambda: {"gamma": 32.0, "margin": 0.25},
    "other_losses_lessons.plot_cosine": lambda: {"angle": 60.0, "length": 1.0},
    "other_losses_lessons.plot_ctc_paths": lambda: {
        "label": np.array([1, 2]),
        "logits": np.zeros((3, 3)),
    },
    "other_losses_lessons.plot_kl_directions": lambda: {
        "separation": 4.0,
        "mean": 0.0,
        "width": 1.5,
    },
    "other_losses_lessons.plot_overlap": lambda: {
        "alpha": 0.5,
        "beta": 0.5,
        "radius": 3.0,
    },
    "other_losses_lessons.poisson_nll": lambda: {
        "counts": np.array([0.0, 2.0, 5.0]),
        "rate": np.array([1.0, 2.0, 4.0]),
    },
    "other_losses_lessons.predicted_mask": lambda: {"radius": 3.0},
    "other_losses_lessons.tversky_by_radius": lambda: {"alpha": 0.5, "beta": 0.5},
    "other_losses_lessons.two_mode_distribution": lambda: {"separation": 4.0},
}


def _tiny() -> tuple[np.ndarray, np.ndarray]:
    from course_utils.gradient_descent import make_tiny_network_data

    return make_tiny_network_data()


#: Lesson modules whose public functions follow the rule.
LESSON_MODULES = [
    "prediction_loss",
    "neuron",
    "gradient_descent",
    "backprop",
    "classification_lessons",
    "other_losses_lessons",
]

#: Functions exempt from the sweep, with the reason.
EXEMPT = {
    # (update_* functions are called by LivePlot with its own, already checked control
    # values, never by a learner: all are exempt.)
    # Takes a learner's function, not data: it reports its errors as a check does.
    "finite_difference_gradient",
    # Take a list of (W, b) tuples built by deep_chain_parameters; tested in test_backprop.
    "deep_chain_cost",
    "deep_chain_gradients",
    # Take the result of forward_pass; tested in test_backprop.
    "backward_pass",
    "sgd_step",
    "graph_texts",
    "plot_computational_graph",
    "clip_path_to_box",
    "plot_tiny_network_cost",
    "plot_learning_rate_regimes",
}


def _public_functions() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for module_name in LESSON_MODULES:
        module = importlib.import_module(f"course_utils.{module_name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name.endswith("_widget") or name.startswith("update_") or name in EXEMPT:
                continue
            if not inspect.signature(function).parameters:
                continue
            found.append((f"{module_name}.{name}", function))
    return found


PUBLIC = _public_functions()


def test_every_public_function_has_a_valid_call():
    missing = [name for name, _ in PUBLIC if name not in VALID_CALLS]
    assert not missing, (
        f"add a valid call to VALID_CALLS (or a reason to EXEMPT): {missing}"
    )


@pytest.mark.parametrize(("name", "function"), PUBLIC, ids=[n for n, _ in PUBLIC])
def test_valid_call_works(name, function):
    function(**VALID_CALLS[name]())


BAD_VALUES = {"text": "a string", "None": None, "NaN": math.nan}

SWEEP = [
    (name, function, argument, label)
    for name, function in PUBLIC
    for argument in VALID_CALLS.get(name, lambda: {})()
    for label in BAD_VALUES
]


@pytest.mark.parametrize(
    ("name", "function", "argument", "label"),
    SWEEP,
    ids=[f"{n}({a}={label})" for n, _, a, label in SWEEP],
)
def test_bad_value_gets_an_error_that_names_the_argument(
    name, function, argument, label
):
    kwargs = VALID_CALLS[name]()
    kwargs[argument] = BAD_VALUES[label]
    with pytest.raises((TypeError, ValueError, KeyError)) as raised:
        function(**kwargs)
    message = str(raised.value)
    assert re.search(rf"\b{re.escape(argument)}\b", message), (
        f"{name}: the error for {argument}={BAD_VALUES[label]!r} does not name "
        f"{argument!r}: {type(raised.value).__name__}: {message}"
    )


# ------------------------------------------------------------------------------------------
# issue 17: the kinds of bad input learners really make, across every applicable helper:
# shapes (ragged, transposed, an extra trailing axis), units (0–255, percent, counts,
# ±1 labels) and empty arrays, for the lesson modules of 04–07 and the loss catalog.

#: Array arguments that may legitimately be empty, with the reason.
EMPTY_ALLOWED = {
    # an empty CTC label is a real case: the all-blank path (tests/test_losses_other.py)
    ("other_losses_lessons.ctc_paths", "label"),
    ("other_losses_lessons.ctc_brute_force", "label"),
    ("other_losses_lessons.plot_ctc_paths", "label"),
}

ARRAY_ARGUMENTS = [
    (name, function, argument)
    for name, function in PUBLIC
    if name.split(".")[0] in ("classification_lessons", "other_losses_lessons")
    for argument, value in VALID_CALLS[name]().items()
    if isinstance(value, np.ndarray)
]


def _array_ids(cases):
    return [f"{name}({argument})" for name, _, argument in cases]


@pytest.mark.parametrize(
    ("name", "function", "argument"), ARRAY_ARGUMENTS, ids=_array_ids(ARRAY_ARGUMENTS)
)
def test_a_ragged_list_is_refused_naming_the_argument(name, function, argument):
    kwargs = VALID_CALLS[name]()
    kwargs[argument] = [[1.0, 0.0], [1.0]]
    with pytest.raises((TypeError, ValueError)) as raised:
        function(**kwargs)
    message = str(raised.value)
    assert re.search(rf"\b{re.escape(argument)}\b", message), message
    assert "inhomogeneous" not in message


@pytest.mark.parametrize(
    ("name", "function", "argument"),
    [case for case in ARRAY_ARGUMENTS if case[::2] not in EMPTY_ALLOWED],
    ids=_array_ids(
        [case for case in ARRAY_ARGUMENTS if case[::2] not in EMPTY_ALLOWED]
    ),
)
def test_an_empty_array_is_refused_naming_the_argument(name, function, argument):
    kwargs = VALID_CALLS[name]()
    kwargs[argument] = np.empty((0,) * kwargs[argument].ndim)
    with pytest.raises(ValueError) as raised:
        function(**kwargs)
    assert re.search(rf"\b{re.escape(argument)}\b", str(raised.value)), raised.value


def _lesson(module: str):
    return importlib.import_module(f"course_utils.{module}")


#: Helpers whose arguments must hold values in [0, 1]: (call, argument, valid kwargs).
UNIT_INTERVAL_ARGUMENTS = [
    ("classification_lessons.bce_clipped", "p"),
    ("classification_lessons.bce_clipped", "y"),
    ("classification_lessons.bce_from_logits", "y"),
    ("classification_lessons.focal_weight", "p_t"),
    ("classification_lessons.gce_curve", "p_y"),
    ("other_losses_lessons.overlap_sums", "y_true"),
    ("other_losses_lessons.overlap_sums", "y_pred"),
    ("other_losses_lessons.entropy", "p"),
    ("other_losses_lessons.kl_both_ways", "p"),
    ("other_losses_lessons.kl_both_ways", "q"),
]

#: Values in the wrong unit, shaped like the valid value, and what the message must advise.
UNITS = {
    "0-255 pixels": (lambda shape: np.resize([0, 255, 128, 255], shape), r"255"),
    "percent": (lambda shape: np.resize([10.0, 90.0, 35.5, 64.5], shape), r"100"),
}


def _function(name: str):
    module, function = name.split(".")
    return getattr(_lesson(module), function)


@pytest.mark.parametrize("unit", list(UNITS))
@pytest.mark.parametrize(
    ("name", "argument"),
    UNIT_INTERVAL_ARGUMENTS,
    ids=[f"{n}({a})" for n, a in UNIT_INTERVAL_ARGUMENTS],
)
def test_values_in_the_wrong_unit_are_refused_with_the_fix(name, argument, unit):
    kwargs = VALID_CALLS[name]()
    make, advice = UNITS[unit]
    kwargs[argument] = make(np.shape(kwargs[argument]))
    with pytest.raises(ValueError) as raised:
        _function(name)(**kwargs)
    message = str(raised.value)
    assert re.search(rf"\b{re.escape(argument)}\b", message), message
    assert re.search(advice, message), message


SIGNED_LABEL_ARGUMENTS = [
    ("classification_lessons.bce_clipped", "y"),
    ("classification_lessons.bce_from_logits", "y"),
    ("other_losses_lessons.overlap_sums", "y_true"),
]


@pytest.mark.parametrize(
    ("name", "argument"),
    SIGNED_LABEL_ARGUMENTS,
    ids=[f"{n}({a})" for n, a in SIGNED_LABEL_ARGUMENTS],
)
def test_plus_minus_one_labels_are_refused_with_the_mapping(name, argument):
    kwargs = VALID_CALLS[name]()
    kwargs[argument] = np.resize([-1.0, 1.0], np.shape(kwargs[argument]))
    with pytest.raises(ValueError, match=rf"{argument}.*\({argument} \+ 1\) / 2"):
        _function(name)(**kwargs)


@pytest.mark.parametrize(
    "bad",
    [np.array([2.0, 3.0, 5.0]), np.array([0.9, 0.8, 0.1]), np.array([0.2, 0.3, 0.1])],
)
@pytest.mark.parametrize(
    "helper,argument",
    [
        ("entropy", "p"),
        ("kl_both_ways", "p"),
        ("kl_both_ways", "q"),
    ],  # entropy takes p only
)
def test_counts_or_unnormalised_rows_are_not_distributions(helper, argument, bad):
    kwargs = {"p": np.array([0.2, 0.3, 0.5]), "q": np.array([0.5, 0.25, 0.25])}
    if helper == "entropy":
        kwargs.pop("q")
    kwargs[argument] = bad
    with pytest.raises(
        ValueError, match=rf"^{argument} must .*{argument} / {argument}\.sum"
    ):
        _function(f"other_losses_lessons.{helper}")(**kwargs)


def test_logits_given_as_probabilities_are_refused():
    from course_utils.classification_lessons import bce_clipped

    with pytest.raises(ValueError, match=r"^p must .*logits.*bce_from_logits"):
        bce_clipped([1, 0], [2.5, -1.0])


PAIR_HELPERS = [
    ("classification_lessons.bce_clipped", ("y", "p")),
    ("classification_lessons.bce_from_logits", ("y", "z")),
    ("other_losses_lessons.overlap_sums", ("y_true", "y_pred")),
    ("other_losses_lessons.kl_both_ways", ("p", "q")),
    ("regression_lessons.gaussian_nll", ("y_true", "y_pred")),
    ("regression_lessons.cost_gradient", ("x", "y")),
    ("keras_losses_lessons.squared_error_per_sample", ("y_true", "y_pred")),
    ("keras_losses_lessons.quantile_loss_numpy", ("y_true", "y_pred")),
]

PAIR_VALID: dict[str, Callable[[], dict[str, Any]]] = {
    "regression_lessons.gaussian_nll": lambda: {
        "y_true": np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]),
        "y_pred": np.array([[1.5, 2.0, 0.0], [0.5, 1.0, 2.0]]),
    },
    "regression_lessons.cost_gradient": lambda: {
        "x": np.array([0.0, 1.0, 2.0]),
        "y": np.array([1.0, 3.0, 5.0]),
        "name": "huber",
        "w": 1.0,
        "b": 0.0,
    },
    "keras_losses_lessons.squared_error_per_sample": lambda: {
        "y_true": np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]),
        "y_pred": np.array([[1.5, 2.0, 0.0], [0.5, 1.0, 2.0]]),
    },
    "keras_losses_lessons.quantile_loss_numpy": lambda: {
        "y_true": np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0]]),
        "y_pred": np.array([[1.5, 2.0, 0.0], [0.5, 1.0, 2.0]]),
        "tau": 0.9,
    },
    "classification_lessons.bce_clipped": lambda: {
        "y": np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
        "p": np.array([[0.9, 0.2, 0.7], [0.1, 0.4, 0.6]]),
    },
    "classification_lessons.bce_from_logits": lambda: {
        "y": np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
        "z": np.array([[2.0, -1.0, 0.5], [0.1, -3.0, 1.0]]),
    },
    "other_losses_lessons.overlap_sums": lambda: {
        "y_true": np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
        "y_pred": np.array([[0.9, 0.2, 0.7], [0.1, 0.4, 0.6]]),
    },
    "other_losses_lessons.kl_both_ways": lambda: {
        "p": np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]),
        "q": np.array([[0.4, 0.4, 0.2], [0.3, 0.3, 0.4]]),
    },
}


@pytest.mark.parametrize(
    ("name", "names"), PAIR_HELPERS, ids=[n for n, _ in PAIR_HELPERS]
)
@pytest.mark.parametrize("variant", ["transposed", "ragged", "empty"])
def test_pair_helpers_name_their_own_arguments_for_bad_shapes(name, names, variant):
    first, second = names
    kwargs = PAIR_VALID[name]()
    value = kwargs[second]
    if variant == "transposed":  # a 1-D argument: given as a column instead
        kwargs[second] = value.T if value.ndim > 1 else value[:, None]
    elif variant == "ragged":
        kwargs[second] = [list(row) for row in np.atleast_2d(value)]
        kwargs[second][-1] = kwargs[second][-1][:-1]
    else:
        kwargs[second] = value[:0]
    with pytest.raises(ValueError) as raised:
        _function(name)(**kwargs)
    message = str(raised.value)
    assert re.search(rf"\b{re.escape(second)}\b", message), message
    assert "inhomogeneous" not in message and "operands could not" not in message
    if variant == "transposed" and name != "regression_lessons.cost_gradient":
        assert re.search(rf"\b{re.escape(first)}\b", message), message
    if name in (
        "regression_lessons.cost_gradient",
        "other_losses_lessons.kl_both_ways",
    ):
        assert "y_true" not in message and "y_pred" not in message, message


@pytest.mark.parametrize("helper", ["bce_clipped", "bce_from_logits"])
def test_an_extra_trailing_axis_is_aligned_not_broadcast(helper):
    function = _function(f"classification_lessons.{helper}")
    flat = function(np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.7]))
    column = function(np.array([1.0, 0.0, 1.0]), np.array([[0.9], [0.2], [0.7]]))
    assert column.size == 3, (
        "a (3,) target against (3, 1) predictions is no (3, 3) table"
    )
    np.testing.assert_allclose(column.ravel(), flat)


def test_cost_gradient_names_x_and_y_when_their_lengths_differ():
    from course_utils.regression_lessons import cost_gradient

    with pytest.raises(ValueError, match=r"^x and y must") as raised:
        cost_gradient([0.0, 1.0, 2.0], [1.0, 2.0], "huber", 1.0, 0.0)
    assert "y_true" not in str(raised.value)


# ---- the loss catalog: every NumPy reference, each kind


def _catalog_cases():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from loss_inputs import pair

    from course_utils.losses import catalog

    rng = np.random.default_rng(17)
    cases = []
    for name, entry in catalog().items():
        try:
            y_true, y_pred = pair(entry, (4, 3), rng)
        except ValueError:
            continue  # circle and ctc: tested with their own inputs in test_losses_other
        cases.append((name, entry, y_true, y_pred))
    return cases


CATALOG = _catalog_cases()
CATALOG_IDS = [name for name, *_ in CATALOG]


def _required(entry) -> dict[str, Any]:
    return {p.name: 0.5 for p in entry.params if p.required}


@pytest.mark.parametrize(
    ("name", "entry", "y_true", "y_pred"), CATALOG, ids=CATALOG_IDS
)
@pytest.mark.parametrize("argument", ["y_true", "y_pred"])
@pytest.mark.parametrize("variant", ["ragged", "empty"])
def test_catalog_refuses_ragged_and_empty_inputs_naming_them(
    name, entry, y_true, y_pred, argument, variant
):
    values = {"y_true": y_true, "y_pred": y_pred}
    value = values[argument]
    if variant == "ragged":
        rows = [np.atleast_1d(row).tolist() for row in value]
        rows[-1] = rows[-1] + rows[-1] if len(rows[-1]) == 1 else rows[-1][:-1]
        values[argument] = rows
    else:
        values[argument] = value[:0]
    with pytest.raises(ValueError) as raised:
        entry.numpy(values["y_true"], values["y_pred"], **_required(entry))
    message = str(raised.value)
    assert re.search(rf"\b{argument}\b", message), message
    assert "inhomogeneous" not in message


@pytest.mark.parametrize(
    ("name", "entry", "y_true", "y_pred"), CATALOG, ids=CATALOG_IDS
)
def test_catalog_refuses_transposed_predictions_naming_both(
    name, entry, y_true, y_pred
):
    with pytest.raises(ValueError, match=r"y_true.*y_pred|y_pred.*y_true"):
        entry.numpy(y_true, y_pred.T, **_required(entry))


PROBABILITY_ENTRIES = [
    case for case in CATALOG if case[1].y_pred_domain == "probability"
]


@pytest.mark.parametrize("unit", list(UNITS))
@pytest.mark.parametrize(
    ("name", "entry", "y_true", "y_pred"),
    PROBABILITY_ENTRIES,
    ids=[c[0] for c in PROBABILITY_ENTRIES],
)
def test_catalog_refuses_probabilities_in_the_wrong_unit(
    name, entry, y_true, y_pred, unit
):
    make, advice = UNITS[unit]
    with pytest.raises(ValueError, match=rf"^y_pred must .*{advice}"):
        entry.numpy(y_true, make(y_pred.shape).astype(float), **_required(entry))


BINARY_ENTRIES = [case for case in CATALOG if case[1].y_true_domain == "binary"]


@pytest.mark.parametrize(
    ("name", "entry", "y_true", "y_pred"),
    BINARY_ENTRIES,
    ids=[c[0] for c in BINARY_ENTRIES],
)
def test_catalog_refuses_plus_minus_one_labels_with_the_mapping(
    name, entry, y_true, y_pred
):
    signed = np.resize([-1.0, 1.0], y_true.shape)
    with pytest.raises(ValueError, match=r"^y_true must .*\(y_true \+ 1\) / 2"):
        entry.numpy(signed, y_pred, **_required(entry))


CATALOG_PARAMETERS = [
    (name, entry, param.name)
    for name, entry, *_ in CATALOG
    for param in entry.params
    if param.name
    not in ("from_logits", "axis", "apply_class_balancing", "ignore_class")
    and (param.required or isinstance(param.default, (int, float)))
]


@pytest.mark.parametrize("bad", [None, "1.0", math.nan])
@pytest.mark.parametrize(
    ("name", "entry", "parameter"),
    CATALOG_PARAMETERS,
    ids=[f"{n}({p})" for n, _, p in CATALOG_PARAMETERS],
)
def test_catalog_hyperparameters_get_a_named_error(name, entry, parameter, bad):
    y_true, y_pred = next((t, p) for n, _, t, p in CATALOG if n == name)
    kwargs = {**_required(entry), parameter: bad}
    with pytest.raises((TypeError, ValueError), match=rf"^{parameter} must"):
        entry.numpy(y_true, y_pred, **kwargs)
