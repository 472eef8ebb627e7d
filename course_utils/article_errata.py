"""The source article's broken code, kept runnable: each mistake reproduced in our own code, next to its fix.

The course was first taught from a Chinese-language article on loss functions. Several of its code
samples fail or compute the wrong thing. Here each of those mistakes is rewritten as a small
function of ours that makes the *same* mistake (never the article's own code), paired with a fixed
version that agrees with Keras. The errata notebook loops over :data:`ERRATA`::

    for erratum in ERRATA:
        outcome = run(erratum)
        print(erratum.label, erratum.title, outcome.broken_error or outcome.broken_value, outcome.fixed_value)

Every :class:`Erratum` carries the mistake's number in the course's list of the article's mistakes, a ``broken`` and a ``fixed``
callable taking the same keyword arguments, ``example()`` giving arguments that expose the mistake,
``raises`` (the name of the exception the broken version raises on them, or ``None`` when it returns a
wrong value instead) and one sentence saying what goes wrong.

Importing this module does not import TensorFlow or Keras; the callables import them when run.
Used in: A_errata and the pitfalls sections of 04, 05, 07, 08 and 09 (notebooks in preparation).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from course_utils.losses._arrays import EPSILON


@dataclass(frozen=True)
class Erratum:
    """One mistake of the source article: a runnable broken version, its fix and what goes wrong."""

    number: int
    title: str
    broken: Callable[..., Any]
    fixed: Callable[..., Any]
    what_goes_wrong: str
    example: Callable[[], dict[str, Any]]
    raises: str | None = None
    part: str = ""

    @property
    def label(self) -> str:
        """The mistake's number in the course's list, with a letter when one mistake has several parts."""
        return f"{self.number}{self.part}"


@dataclass(frozen=True)
class Outcome:
    """What running an erratum's two versions on its example gave."""

    label: str
    broken_value: Any
    broken_error: str | None
    fixed_value: Any


def run(erratum: Erratum) -> Outcome:
    """Run the broken and the fixed version on the erratum's example; the broken one's exception is caught.

    ``broken_error`` reads ``"ExceptionName: message"`` (first line of the message) when the broken
    version raised, else ``None`` and ``broken_value`` holds its result.
    Taught in: 05 §1, 07 §5, A §2.
    """
    if not isinstance(erratum, Erratum):
        raise TypeError(
            f"erratum must be an Erratum from ERRATA, got {type(erratum).__name__}."
        )
    arguments = erratum.example()
    try:
        broken_value, broken_error = erratum.broken(**arguments), None
    except Exception as error:  # the point is to show the error, whatever it is
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        broken_value, broken_error = None, f"{type(error).__name__}: {first_line}"
    return Outcome(
        erratum.label, broken_value, broken_error, erratum.fixed(**erratum.example())
    )


def get_erratum(label: str | int) -> Erratum:
    """The erratum with this label, e.g. ``get_erratum("7a")`` or ``get_erratum(3)``.

    Taught in: 05 §1, 07 §5, A §2.
    """
    for erratum in ERRATA:
        if erratum.label == str(label):
            return erratum
    raise KeyError(f"label must be one of {[e.label for e in ERRATA]}, got {label!r}.")


def _numbers(*arrays: Any) -> list[Any]:
    return [np.asarray(a, dtype=np.float64) for a in arrays]


# ----------------------------------------------------------------------------- 3: MSE without the mean


def mse_without_mean(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 3): :math:`(y - \\hat y)^2` element by element, never averaged over the last axis."""
    import tensorflow as tf

    return tf.square(tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred))


def mse_fixed(y_true: Any, y_pred: Any) -> Any:
    """Fixed: :math:`L = \\frac1k \\sum_j (y_j - \\hat y_j)^2`, one value per sample, as ``keras.losses.mean_squared_error``."""
    import tensorflow as tf

    return tf.reduce_mean(
        tf.square(tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred)), axis=-1
    )


def _example_regression() -> dict[str, Any]:
    y_true, y_pred = _numbers(
        [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [[1.5, 2.0, 2.0], [0.0, 3.0, -1.0]]
    )
    return {"y_true": y_true, "y_pred": y_pred}


# ----------------------------------------------------------------------------- 4: MAE "division by zero"


def mae_gradient_by_division(y_true: Any, y_pred: Any) -> np.ndarray:
    """Broken (mistake 4): the slope of :math:`\\frac1k\\sum|e|` written as :math:`e / (k|e|)`, which is 0/0 at zero error.

    This is the only way to get the "division by zero" the article warns about: by writing the
    derivative as a quotient. It returns NaN wherever the error is exactly 0.
    """
    y_true, y_pred = _numbers(y_true, y_pred)
    error = y_pred - y_true
    with np.errstate(invalid="ignore", divide="ignore"):
        return error / np.abs(error) / error.shape[-1]


def mae_gradient_fixed(y_true: Any, y_pred: Any) -> np.ndarray:
    """Fixed: TensorFlow's gradient of MAE, :math:`\\operatorname{sign}(e)/k` with the subgradient sign(0) = 0."""
    import tensorflow as tf

    prediction = tf.Variable(np.asarray(y_pred, dtype=np.float64))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(
            tf.reduce_mean(tf.abs(prediction - np.asarray(y_true, np.float64)), axis=-1)
        )
    return tape.gradient(loss, prediction).numpy()


def _example_mae() -> dict[str, Any]:
    y_true, y_pred = _numbers([1.0, 2.0, 3.0], [1.0, 2.5, 3.0])
    return {"y_true": y_true, "y_pred": y_pred}


# ----------------------------------------------------------------------------- 5 and 6: Huber


def huber_without_half(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Broken (mistake 5): quadratic branch :math:`e^2` instead of :math:`\\tfrac12 e^2`, linear branch :math:`\\delta(|e| - \\tfrac12\\delta)`.

    Branching per element with ``tf.where`` is correct here; only the missing ½ is wrong, so the two
    branches meet at :math:`\\delta^2` and :math:`\\tfrac12\\delta^2`: the loss jumps down at |e| = δ.
    """
    import tensorflow as tf

    error = tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred)
    size = tf.abs(error)
    per_element = tf.where(
        size <= delta, tf.square(error), delta * (size - 0.5 * delta)
    )
    return tf.reduce_mean(per_element, axis=-1)


def huber_fixed(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Fixed: :math:`\\frac1k\\sum_j \\ell(e_j)`, :math:`\\ell = \\tfrac12 e^2` if :math:`|e| \\le \\delta` else :math:`\\delta|e| - \\tfrac12\\delta^2`, chosen per element with ``tf.where``."""
    import tensorflow as tf

    error = tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred)
    size = tf.abs(error)
    per_element = tf.where(
        size <= delta, 0.5 * tf.square(error), delta * size - 0.5 * delta**2
    )
    return tf.reduce_mean(per_element, axis=-1)


def _example_huber_jump() -> dict[str, Any]:
    delta = 1.0
    y_true, y_pred = _numbers([[0.0], [0.0]], [[delta - 1e-9], [delta + 1e-9]])
    return {"y_true": y_true, "y_pred": y_pred, "delta": delta}


def huber_with_python_if(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Broken (mistake 6): picks the branch with a Python ``if`` on a whole tensor of comparisons.

    Eagerly, ``bool()`` of a tensor with more than one element raises ``ValueError`` (the truth value
    is ambiguous); traced by ``model.fit`` it raises ``OperatorNotAllowedInGraphError``.
    """
    import tensorflow as tf

    error = tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred)
    if tf.abs(error) <= delta:
        return 0.5 * tf.square(error)
    return delta * tf.abs(error) - 0.5 * delta**2


def _example_huber_batch() -> dict[str, Any]:
    y_true, y_pred = _numbers([[0.0, 0.0], [1.0, 1.0]], [[0.3, 2.5], [1.0, -1.0]])
    return {"y_true": y_true, "y_pred": y_pred, "delta": 1.0}


def _fit_one_step(loss: Callable[..., Any]) -> float:
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return float(history.history["loss"][0])


def fit_with_python_if_huber() -> float:
    """Broken (mistake 6, inside ``fit``): one training step of a tiny model with :func:`huber_with_python_if`."""
    return _fit_one_step(huber_with_python_if)


def fit_with_fixed_huber() -> float:
    """Fixed: the same training step with :func:`huber_fixed`; returns the epoch's loss."""
    return _fit_one_step(huber_fixed)


# ----------------------------------------------------------------------------- 7: log loss


def log_loss_with_tf_log(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 7): calls ``tf.log``, a TensorFlow 1 name; TensorFlow 2 raises ``AttributeError``."""
    import tensorflow as tf

    p = tf.clip_by_value(tf.convert_to_tensor(y_pred), EPSILON, 1.0 - EPSILON)
    return -(y_true * tf.log(p) + (1.0 - y_true) * tf.log(1.0 - p))


def log_loss_clip_plus_epsilon(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 7, with ``tf.math.log``): clips to :math:`[\\epsilon, 1-\\epsilon]` *and then* adds ε inside the logs, and never averages.

    :math:`-(y \\ln(\\operatorname{clip}(p) + \\epsilon) + (1-y) \\ln(1 - \\operatorname{clip}(p) + \\epsilon))` per
    element: for a fully wrong prediction the log's argument is 2ε instead of ε, so the loss is ln 2
    lower than Keras's.
    """
    import tensorflow as tf

    p = tf.clip_by_value(tf.convert_to_tensor(y_pred), EPSILON, 1.0 - EPSILON)
    return -(
        y_true * tf.math.log(p + EPSILON)
        + (1.0 - y_true) * tf.math.log(1.0 - p + EPSILON)
    )


def log_loss_fixed(y_true: Any, y_pred: Any) -> Any:
    """Fixed: :math:`L = -\\frac1k \\sum_j (y_j \\ln \\operatorname{clip}(p_j) + (1-y_j)\\ln(1-\\operatorname{clip}(p_j)))`, as ``keras.losses.binary_crossentropy``."""
    import tensorflow as tf

    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    p = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
    return tf.reduce_mean(
        -(y_true * tf.math.log(p) + (1.0 - y_true) * tf.math.log(1.0 - p)), axis=-1
    )


def _example_log_loss() -> dict[str, Any]:
    y_true, y_pred = _numbers([[0.0], [1.0], [1.0]], [[1.0], [1.0], [0.5]])
    return {"y_true": y_true, "y_pred": y_pred}


# ----------------------------------------------------------------------------- 10: sigmoid + categorical CE


def _cce_on_activation(
    logits: Any, y_true: Any, activation: str
) -> dict[str, np.ndarray]:
    import keras
    import tensorflow as tf

    variable = tf.Variable(np.asarray(logits, dtype=np.float64))
    with tf.GradientTape() as tape:
        output = (
            tf.sigmoid(variable) if activation == "sigmoid" else tf.nn.softmax(variable)
        )
        loss = keras.losses.categorical_crossentropy(
            np.asarray(y_true, np.float64), output
        )
        total = tf.reduce_sum(loss)
    gradient = tape.gradient(total, variable)
    return {
        "loss": loss.numpy(),
        "logit_gradient": gradient.numpy(),
        "output_sum": tf.reduce_sum(output, axis=-1).numpy(),
    }


def sigmoid_with_categorical_crossentropy(
    logits: Any, y_true: Any
) -> dict[str, np.ndarray]:
    """Broken (mistake 10): ``Dense(k, activation='sigmoid')`` + ``categorical_crossentropy``, on given logits.

    Returns the Keras loss, its gradient with respect to the logits, and the sum of the k outputs
    (not 1: Keras divides by it before the log, :math:`L = -\\ln(\\sigma(z_t) / \\sum_j \\sigma(z_j))`).
    Taught in: 08 §5.
    """
    return _cce_on_activation(logits, y_true, "sigmoid")


def softmax_with_categorical_crossentropy(
    logits: Any, y_true: Any
) -> dict[str, np.ndarray]:
    """Fixed: softmax + categorical cross-entropy; the logit gradient is :math:`\\operatorname{softmax}(z) - y`.

    (Better still in a model: a linear last layer and ``CategoricalCrossentropy(from_logits=True)``.)
    """
    return _cce_on_activation(logits, y_true, "softmax")


def _example_sigmoid_cce() -> dict[str, Any]:
    # A document of class 1 that the model confidently files under class 0.
    logits, y_true = _numbers([[8.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 1.0, 0.0, 0.0, 0.0]])
    return {"logits": logits, "y_true": y_true}


# ----------------------------------------------------------------------------- 11: closures vs Loss classes


def _tiny_regression_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 1)).astype(
        "float32"
    )


def _save_and_reload(loss: Any) -> Any:
    """Compile a tiny model with ``loss``, train one step, save it to a temporary .keras file, load it."""
    import tempfile
    from pathlib import Path

    import keras

    keras.utils.set_random_seed(0)
    x, y = _tiny_regression_data()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=loss)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return keras.models.load_model(path)


def save_and_reload_with_closure_loss(delta: float = 0.5) -> Any:
    """Broken (mistake 11): a loss with a parameter written as a closure, ``make_loss(delta)`` → ``loss(y_true, y_pred)``.

    ``compile`` accepts it (two arguments), but the saved model records only the inner function's
    name, so loading it fails: Keras cannot find a function called ``loss``, and δ is lost anyway.
    """
    import keras

    def make_loss(delta: float) -> Callable[[Any, Any], Any]:
        def loss(y_true: Any, y_pred: Any) -> Any:
            return keras.losses.huber(y_true, y_pred, delta=delta)

        return loss

    return _save_and_reload(make_loss(delta)).loss


@lru_cache(maxsize=1)
def scaled_huber_loss_class() -> type:
    """The fix for mistake 11: a ``keras.losses.Loss`` subclass whose ``get_config`` carries δ.

    Registered as ``course_utils_errata>ScaledHuber`` so that ``load_model`` finds it by name
    (defined on first call, so importing this module does not import Keras).
    """
    import keras

    @keras.saving.register_keras_serializable(package="course_utils_errata")
    class ScaledHuber(keras.losses.Loss):
        """Huber loss with its δ stored in the config: :math:`\\ell_\\delta(e)` averaged over the last axis."""

        def __init__(
            self, delta: float = 1.0, name: str = "scaled_huber", **kwargs: Any
        ) -> None:
            super().__init__(name=name, **kwargs)
            self.delta = float(delta)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            return keras.losses.huber(y_true, y_pred, delta=self.delta)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "delta": self.delta}

    return ScaledHuber


def save_and_reload_with_loss_class(delta: float = 0.5) -> float:
    """Fixed: the same model compiled with :func:`scaled_huber_loss_class` survives saving; returns the reloaded δ."""
    return _save_and_reload(scaled_huber_loss_class()(delta=delta)).loss.delta


def _example_saving() -> dict[str, Any]:
    return {"delta": 0.5}


# ----------------------------------------------------------------------------- 12: a loss reading the model's insides


def fit_with_loss_reading_a_hidden_tensor() -> float:
    """Broken (mistake 12): a VAE-style loss that reads the model's latent code from outside the model.

    The loss function closes over ``code``, the symbolic output of a hidden layer. A Keras 3 loss only
    receives ``(y_true, y_pred)``; the symbolic tensor is a placeholder, not the batch's values, and
    ``fit`` stops with ``ValueError`` (a KerasTensor cannot enter a TensorFlow function).
    """
    import keras

    keras.utils.set_random_seed(0)
    x, y = _tiny_regression_data()
    inputs = keras.Input((3,))
    code = keras.layers.Dense(2, name="code")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(code))

    def loss_with_penalty(y_true: Any, y_pred: Any) -> Any:
        return keras.ops.mean(keras.ops.square(y_true - y_pred)) + keras.ops.mean(
            keras.ops.square(code)
        )

    model.compile(optimizer="sgd", loss=loss_with_penalty)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return float(history.history["loss"][0])


@lru_cache(maxsize=1)
def code_penalty_layer_class() -> type:
    """The fix for mistake 12: a layer that adds the penalty on its own output with ``add_loss``.

    :math:`\\text{penalty} = \\text{mean}(z^2)` is computed from the real batch inside ``call`` and
    added to the compiled loss by ``fit`` (defined on first call, so importing this module does not
    import Keras).
    """
    import keras

    class CodePenalty(keras.layers.Layer):
        """Passes z through unchanged and adds mean(z²) to the model's losses."""

        def call(self, code: Any) -> Any:
            self.add_loss(keras.ops.mean(keras.ops.square(code)))
            return code

    return CodePenalty


def fit_with_add_loss() -> float:
    """Fixed: the same model with the penalty added inside it by :func:`code_penalty_layer_class`; returns the epoch's loss."""
    import keras

    keras.utils.set_random_seed(0)
    x, y = _tiny_regression_data()
    inputs = keras.Input((3,))
    code = code_penalty_layer_class()()(keras.layers.Dense(2, name="code")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(code))
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return float(history.history["loss"][0])


# ----------------------------------------------------------------------------- 13: keras.losses.MSE


def mse_by_keras_3_missing_alias(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 13): ``keras.losses.MSE`` is a Keras 2 / ``tf.keras`` alias, absent from Keras 3."""
    import keras

    return keras.losses.MSE(y_true, y_pred)


def mse_by_portable_name(y_true: Any, y_pred: Any) -> Any:
    """Fixed: ``keras.losses.mean_squared_error``, the name every Keras version has: :math:`\\frac1k\\sum_j (y_j - \\hat y_j)^2`."""
    import keras

    return keras.losses.mean_squared_error(y_true, y_pred)


# ----------------------------------------------------------------------------- 14: "matrix-based cross-entropy"


def _never_defined(name: str) -> Callable[..., Any]:
    raise NameError(
        f"name {name!r} is not defined (the article uses it but never defines it)"
    )


def matrix_crossentropy_as_printed(y_true: Any, y_pred: Any, weights: Any) -> float:
    """Broken (mistake 14): our transcription of the pseudo-code's structure for one sample.

    A Python loop over the classes, a base-2 logarithm, and a call to a helper the article never
    defines: the first class already stops it with ``NameError``.
    """
    target, output = _numbers(y_true, y_pred)
    column = np.asarray(weights, np.float64) @ target
    loss = 0.0
    for i in range(output.shape[-1]):
        loss -= target[i] * math.log(output[i], 2)
        loss += column[i] * _never_defined("exponential")(output[i])
    return loss


def matrix_crossentropy_loop_log2(y_true: Any, y_pred: Any, weights: Any) -> np.ndarray:
    """Broken (mistake 14, the defined part only): a per-sample, per-class Python loop in base 2.

    Even with the undefined terms left out (``weights`` is then unused) the value is in bits:
    :math:`-\\sum_j y_j \\log_2 p_j`, which is :math:`1/\\ln 2 \\approx 1.44` times Keras's
    cross-entropy in nats.
    """
    targets, outputs = _numbers(y_true, y_pred)
    targets, outputs = np.atleast_2d(targets), np.atleast_2d(outputs)
    losses = []
    for target, output in zip(targets, outputs):
        loss = 0.0
        for i in range(output.shape[-1]):
            if target[i]:
                loss -= target[i] * math.log(output[i], 2)
        losses.append(loss)
    return np.array(losses)


def matrix_crossentropy_fixed(y_true: Any, y_pred: Any, weights: Any) -> np.ndarray:
    """Fixed: the course's vectorised confusion-weighted cross-entropy (natural log), see :mod:`course_utils.losses.confusion_aware`.

    :math:`L = -\\ln\\big(W_{tt} r_t / \\sum_j W_{tj} r_j\\big)`; uniform weights give Keras's categorical
    cross-entropy.
    """
    from course_utils.losses.confusion_aware import (
        confusion_weighted_crossentropy_numpy,
    )

    return confusion_weighted_crossentropy_numpy(y_true, y_pred, weights)


def _example_matrix_crossentropy() -> dict[str, Any]:
    y_true, y_pred = _numbers(
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]]
    )
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "weights": np.array([[1.0, 3.0, 1.0], [2.0, 1.0, 1.0], [1.0, 1.0, 1.0]]),
    }


def _example_matrix_crossentropy_one_sample() -> dict[str, Any]:
    example = _example_matrix_crossentropy()
    return {
        "y_true": example["y_true"][0],
        "y_pred": example["y_pred"][0],
        "weights": example["weights"],
    }


def _example_matrix_crossentropy_uniform() -> dict[str, Any]:
    example = _example_matrix_crossentropy()
    return {**example, "weights": np.ones((3, 3))}


# ----------------------------------------------------------------------------- the registry

#: Every reproduced mistake, in the order of the course's list of mistakes.
ERRATA: tuple[Erratum, ...] = (
    Erratum(
        3,
        "MSE without the mean",
        mse_without_mean,
        mse_fixed,
        "It returns one squared error per element, shape (N, k), instead of one loss per sample, shape (N,), "
        "so per-sample losses, sample weights and plots of the loss all see the wrong thing.",
        _example_regression,
    ),
    Erratum(
        4,
        "MAE does not divide by zero",
        mae_gradient_by_division,
        mae_gradient_fixed,
        "Only a derivative hand-written as e/|e| divides by zero (NaN at zero error); |e| has the subgradient "
        "0 there, which TensorFlow returns, and MAE's real weakness is a gradient that never shrinks.",
        _example_mae,
    ),
    Erratum(
        5,
        "Huber without the ½",
        huber_without_half,
        huber_fixed,
        "Without the ½ the quadratic branch reaches δ² at |e| = δ while the linear branch starts at δ²/2, "
        "so the loss jumps down by δ²/2 and its slope jumps from 2δ to δ.",
        _example_huber_jump,
    ),
    Erratum(
        6,
        "Huber branching with a Python if",
        huber_with_python_if,
        huber_fixed,
        "A Python if needs one True/False but gets a tensor of them: eager TensorFlow raises ValueError "
        "(ambiguous truth value); tf.where chooses the branch per element.",
        _example_huber_batch,
        raises="ValueError",
        part="a",
    ),
    Erratum(
        6,
        "Huber branching with a Python if, inside fit",
        fit_with_python_if_huber,
        fit_with_fixed_huber,
        "Inside model.fit the loss is traced into a graph, where a symbolic tensor cannot be used as a "
        "Python bool: OperatorNotAllowedInGraphError.",
        dict,
        raises="OperatorNotAllowedInGraphError",
        part="b",
    ),
    Erratum(
        7,
        "Log loss calling tf.log",
        log_loss_with_tf_log,
        log_loss_fixed,
        "tf.log was removed in TensorFlow 2 (it is tf.math.log), so the function fails with AttributeError "
        "before computing anything.",
        _example_log_loss,
        raises="AttributeError",
        part="a",
    ),
    Erratum(
        7,
        "Log loss clipping and adding epsilon",
        log_loss_clip_plus_epsilon,
        log_loss_fixed,
        "Clipping already keeps the logs finite; adding ε on top makes a fully wrong prediction cost "
        "ln(1/(2ε)) instead of ln(1/ε), ln 2 less than Keras, and nothing averages over the last axis.",
        _example_log_loss,
        part="b",
    ),
    Erratum(
        10,
        "Sigmoid outputs with categorical cross-entropy",
        sigmoid_with_categorical_crossentropy,
        softmax_with_categorical_crossentropy,
        "Independent sigmoids do not sum to 1, so Keras silently renormalises them, and a wrong class "
        "saturated near σ = 1 gets almost no gradient instead of the softmax's p − y.",
        _example_sigmoid_cce,
    ),
    Erratum(
        11,
        "A loss with a parameter written as a closure",
        save_and_reload_with_closure_loss,
        save_and_reload_with_loss_class,
        "compile accepts a two-argument closure, but a saved model only records the inner function's name, "
        "so load_model cannot rebuild it (TypeError) and the parameter is lost; a Loss subclass with "
        "get_config survives.",
        _example_saving,
        raises="TypeError",
    ),
    Erratum(
        12,
        "A VAE-style loss reading the model's hidden tensors",
        fit_with_loss_reading_a_hidden_tensor,
        fit_with_add_loss,
        "A Keras 3 loss only sees (y_true, y_pred); a hidden layer's symbolic output captured from outside "
        "is a placeholder, so fit raises ValueError; add the term inside the model with add_loss.",
        dict,
        raises="ValueError",
    ),
    Erratum(
        13,
        "keras.losses.MSE in Keras 3",
        mse_by_keras_3_missing_alias,
        mse_by_portable_name,
        "Keras 3 has no keras.losses.MSE (only tf.keras keeps that alias), so the call raises "
        "AttributeError; keras.losses.mean_squared_error works everywhere.",
        _example_regression,
        raises="AttributeError",
    ),
    Erratum(
        14,
        "Matrix-based cross-entropy as printed",
        matrix_crossentropy_as_printed,
        matrix_crossentropy_fixed,
        "The snippet is pseudo-code: its helpers are never defined, so it stops with NameError; the "
        "course's version is vectorised, stateful and says what it computes.",
        _example_matrix_crossentropy_one_sample,
        raises="NameError",
        part="a",
    ),
    Erratum(
        14,
        "Matrix-based cross-entropy: loop and log base 2",
        matrix_crossentropy_loop_log2,
        matrix_crossentropy_fixed,
        "Its cross-entropy part loops in Python over samples and classes and uses log base 2, so even with "
        "uniform weights it is 1/ln 2 ≈ 1.44 times Keras's categorical cross-entropy.",
        _example_matrix_crossentropy_uniform,
        part="b",
    ),
)
