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
Claims about what Keras computes are checked on the path a learner's model takes (a Keras layer's
output into ``compile``'s loss, read with ``model.evaluate`` and one ``fit`` step: see
:mod:`course_utils.keras_path`), on the TensorFlow backend; raw-op versions are labelled as such.

Used in: A_errata and the pitfalls sections of 04, 05, 07, 08 and 09.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from course_utils.i18n import N_
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


def mae_without_mean(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 3, the MAE code): :math:`|y - \\hat y|` element by element, never averaged.

    Taught in: A §2.
    """
    import tensorflow as tf

    return tf.abs(tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred))


def mae_fixed(y_true: Any, y_pred: Any) -> Any:
    """Fixed: :math:`L = \\frac1k \\sum_j |y_j - \\hat y_j|`, as ``keras.losses.mean_absolute_error``.

    Taught in: A §2.
    """
    import tensorflow as tf

    return tf.reduce_mean(
        tf.abs(tf.convert_to_tensor(y_true) - tf.convert_to_tensor(y_pred)), axis=-1
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


#: Our own two-line function with the article's signature pattern: a default value written as the
#: mathematical symbol 𝛿 (U+1D6FF), which Python reads as the name δ and looks up at definition.
_DEFAULT_IS_A_SYMBOL = (
    "def make_huber_loss(threshold=\N{MATHEMATICAL ITALIC SMALL DELTA}):\n"
    "    return threshold\n"
)


def huber_factory_with_symbol_default(
    y_true: Any, y_pred: Any, delta: float = 1.0
) -> Any:
    """Broken (mistake 6, the signature): ``def make_huber_loss(threshold=𝛿)`` fails when *defined*.

    A default value is evaluated when the ``def`` runs; Python normalises the identifier 𝛿 to δ
    (NFKC) and no variable δ exists, so the ``def`` itself raises ``NameError``, before any loss
    is computed. The arguments are never reached.
    """
    namespace: dict[str, Any] = {}
    exec(compile(_DEFAULT_IS_A_SYMBOL, "<the article's signature>", "exec"), namespace)
    return namespace["make_huber_loss"]()(y_true, y_pred, delta)  # pragma: no cover


def huber_by_keras(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Fixed: δ as a real number, e.g. ``keras.losses.Huber(delta=1.0)``; per sample, mean over the last axis."""
    import keras

    return keras.losses.huber(y_true, y_pred, delta=delta)


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
    lower than Keras 3's. (This clip-then-add-ε was tf.keras 2.x's own ``backend.binary_crossentropy``:
    the gap exists only against Keras 3, which dropped the extra ε.)
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
    """Raw op, eagerly: ``keras.losses.categorical_crossentropy(y, tf.sigmoid(z))`` under a tape.

    **Not the path a Keras model takes on TensorFlow** (there the loss uses the logits: see
    :func:`sigmoid_model_with_categorical_crossentropy`). A raw ``tf.sigmoid`` carries no
    ``_keras_logits``, so the loss divides the outputs by their sum before the log,
    :math:`L = -\\ln(\\sigma(z_t) / \\sum_j \\sigma(z_j))` (clipped), which is what the JAX and
    PyTorch backends compute for a sigmoid model too. Returns the per-sample loss, its gradient
    with respect to the logits, and the sum of the k outputs.
    Taught in: 05 §4, A §5.
    """
    return _cce_on_activation(logits, y_true, "sigmoid")


def softmax_with_categorical_crossentropy(
    logits: Any, y_true: Any
) -> dict[str, np.ndarray]:
    """Raw op, eagerly: softmax + categorical cross-entropy; the logit gradient is :math:`\\operatorname{softmax}(z) - y`."""
    return _cce_on_activation(logits, y_true, "softmax")


def sigmoid_model_with_categorical_crossentropy(
    logits: Any, y_true: Any
) -> dict[str, Any]:
    """Broken (mistake 10), on the model path: ``Dense(k, activation="sigmoid")`` + ``"categorical_crossentropy"``.

    A real model (:func:`course_utils.keras_path.evaluate_on_logits`) whose last layer's
    pre-activations are ``logits``: ``model.evaluate``, ``model.predict`` and one SGD ``fit`` step.
    On the TensorFlow backend the sigmoid stores its input as ``_keras_logits`` and the loss uses it:
    ``loss`` is the **softmax** cross-entropy of the logits and ``logit_gradient`` is
    :math:`\\operatorname{softmax}(z) - y`, so the model trains as a softmax classifier, while
    ``outputs`` (what ``predict`` returns) are sigmoids whose rows do not sum to 1 (``output_sum``).
    On JAX/PyTorch the loss divides the sigmoids by their sum instead
    (:func:`sigmoid_with_categorical_crossentropy` reproduces that eagerly).
    """
    from course_utils.keras_path import evaluate_on_logits

    return evaluate_on_logits(logits, y_true, "sigmoid")


def softmax_model_with_categorical_crossentropy(
    logits: Any, y_true: Any
) -> dict[str, Any]:
    """Fixed, on the model path: ``Dense(k, activation="softmax")`` + ``"categorical_crossentropy"``.

    Same loss and gradient as the TensorFlow sigmoid model, on every backend, and ``predict``
    returns a distribution (rows sum to 1). Better still: a linear last layer and
    ``CategoricalCrossentropy(from_logits=True)``.
    """
    from course_utils.keras_path import evaluate_on_logits

    return evaluate_on_logits(logits, y_true, "softmax")


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


def _vae_batches() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 6)).astype("float32")
    return x[:8], x[8:]


Z_DIM = 4  #: latent units of the small VAE-like models of mistake 12


@lru_cache(maxsize=1)
def side_effect_vae_class() -> type:
    """The article's pattern (mistake 12): a subclassed model whose ``call`` stores ``self.mean, self.logvar``.

    Encoder ``Dense(2·z_dim)`` split into mean and log-variance, decoder ``Dense`` from the mean
    (no sampling: the point is where the KL reads its inputs from). Defined on first call.
    """
    import keras

    class SideEffectVAE(keras.Model):
        """Stores the batch's latent mean and log-variance as attributes, a side effect of ``call``."""

        def __init__(self, z_dim: int = Z_DIM, n: int = 6, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.z_dim = z_dim
            self.encoder = keras.layers.Dense(2 * z_dim)
            self.decoder = keras.layers.Dense(n)

        def call(self, x: Any) -> Any:
            h = self.encoder(x)
            self.mean, self.logvar = h[:, : self.z_dim], h[:, self.z_dim :]
            return self.decoder(self.mean)

    return SideEffectVAE


def vae_loss_reading_model_attributes() -> dict[str, Any]:
    """Broken (mistake 12): a VAE loss that reads ``vae.mean``/``vae.logvar`` from the model object.

    It *trains* on Keras 3 (TensorFlow backend): inside ``fit`` the forward pass and the loss run in
    one traced step, so the attributes hold this batch's tensors. But the loss is right only just
    after a forward pass of the same batch (called after another batch it reads that batch's code),
    it is coupled to one global model object, nothing of it is saved with the model, and its KL uses
    ``reduce_mean`` over the latent units: KL / z_dim per sample. Returns the two epochs' losses
    (``fit_losses``), the KL read for batch B after a forward pass of batch A (``kl_stale``) and after
    one of B (``kl_fresh``), and the article's KL against the KL summed over latent units.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    vae = side_effect_vae_class()()

    def kl_as_printed(y_true: Any, y_pred: Any) -> Any:
        return -0.5 * tf.reduce_mean(
            1 + vae.logvar - tf.square(vae.mean) - tf.exp(vae.logvar)
        )

    def vae_loss(y_true: Any, y_pred: Any) -> Any:
        return 0.01 * kl_as_printed(y_true, y_pred) + keras.losses.mean_squared_error(
            y_true, y_pred
        )

    batch_a, batch_b = _vae_batches()
    x = np.concatenate([batch_a, batch_b])
    vae.compile(optimizer="sgd", loss=vae_loss)
    history = vae.fit(x, x, batch_size=8, epochs=2, shuffle=False, verbose=0)
    vae(batch_a)
    kl_stale = float(kl_as_printed(batch_b, None))
    vae(batch_b)
    kl_fresh = float(kl_as_printed(batch_b, None))
    kl_units = -0.5 * (1 + vae.logvar - tf.square(vae.mean) - tf.exp(vae.logvar))
    return {
        "fit_losses": [float(v) for v in history.history["loss"]],
        "kl_stale": kl_stale,
        "kl_fresh": kl_fresh,
        "kl_mean_over_units": kl_fresh,
        "kl_sum_over_units": float(tf.reduce_mean(tf.reduce_sum(kl_units, axis=-1))),
    }


@lru_cache(maxsize=1)
def kl_layer_class() -> type:
    """The fix for mistake 12: a layer that adds the KL of its (mean, log-variance) input with ``add_loss``.

    :math:`\\mathrm{KL} = -\\tfrac12\\sum_{j=1}^{z_{dim}} (1 + \\log\\sigma_j^2 - \\mu_j^2 - \\sigma_j^2)`
    per sample, summed over the latent units and averaged over the batch, computed from the real batch
    inside ``call`` (defined on first call).
    """
    import keras

    class KLDivergenceLayer(keras.layers.Layer):
        """Splits its input into mean and log-variance, adds weight × KL, returns the mean."""

        def __init__(self, z_dim: int = Z_DIM, weight: float = 0.01, **kwargs: Any):
            super().__init__(**kwargs)
            self.z_dim, self.weight = z_dim, weight

        def call(self, h: Any) -> Any:
            mean, logvar = h[:, : self.z_dim], h[:, self.z_dim :]
            ops = keras.ops
            kl = -0.5 * ops.sum(1 + logvar - ops.square(mean) - ops.exp(logvar), -1)
            self.add_loss(self.weight * ops.mean(kl))
            return mean

    return KLDivergenceLayer


def vae_loss_with_add_loss() -> dict[str, Any]:
    """Fixed: the KL added inside the model (:func:`kl_layer_class`), the reconstruction loss in ``compile``.

    The penalty is computed from the batch being trained on, travels with the model's layers, and
    sums the KL over the latent units. Returns the two epochs' losses (``fit_losses``).
    """
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    mean = kl_layer_class()()(keras.layers.Dense(2 * Z_DIM)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(6)(mean))
    x = np.concatenate(_vae_batches())
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(x, x, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return {"fit_losses": [float(v) for v in history.history["loss"]]}


def fit_with_loss_reading_a_hidden_tensor() -> float:
    """Broken (mistake 12, a variant that is not the article's code): a loss closing over a symbolic tensor.

    A functional model's hidden output ``code`` captured from outside the model is a KerasTensor (a
    placeholder), not the batch's values; ``fit`` stops with ``ValueError``.
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
    """The fix for the variant of mistake 12: a layer that adds the penalty on its own output with ``add_loss``.

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
    """Fixed (the variant): the same model with the penalty added inside it by :func:`code_penalty_layer_class`."""
    import keras

    keras.utils.set_random_seed(0)
    x, y = _tiny_regression_data()
    inputs = keras.Input((3,))
    code = code_penalty_layer_class()()(keras.layers.Dense(2, name="code")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(code))
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    return float(history.history["loss"][0])


# ----------------------------------------------------------------------------- 13: keras.losses.MSE (a portability note)


def mse_by_keras_3_missing_alias(y_true: Any, y_pred: Any) -> Any:
    """Portability (item 13): ``keras.losses.MSE`` does not exist in multi-backend Keras 3.

    The article writes ``tf.keras.losses.MSE``, which TensorFlow 2.x still provides (see
    :func:`mse_by_tf_keras_alias`); only code moved to ``import keras`` (Keras 3) meets this error.
    """
    import keras

    return keras.losses.MSE(y_true, y_pred)


def mse_by_tf_keras_alias(y_true: Any, y_pred: Any) -> Any:
    """What the article writes: ``tf.keras.losses.MSE``; on TF 2.21 ``keras._tf_keras`` exports it, right value.

    Taught in: A §6.
    """
    import tensorflow as tf

    return tf.keras.losses.MSE(y_true, y_pred)


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


def crossentropy_with_arguments_swapped(y_true: Any, y_pred: Any) -> Any:
    """Broken (mistake 14, the signature): the snippet takes ``(output, target)``, Keras's order reversed.

    Handed to Keras as a loss, such a function receives ``(y_true, y_pred)`` in its ``(output,
    target)`` slots. Here Keras's categorical cross-entropy is called that way round: the one-hot
    target is read as the prediction (clipped to ε, so :math:`-\\ln\\varepsilon \\approx 16.1` per
    missing class) and the prediction as the target.
    """
    import keras

    return keras.losses.categorical_crossentropy(y_pred, y_true)


def crossentropy_in_keras_order(y_true: Any, y_pred: Any) -> Any:
    """Fixed: ``(y_true, y_pred)``, target first, as every Keras loss: :math:`-\\sum_k y_k \\ln p_k`."""
    import keras

    return keras.losses.categorical_crossentropy(y_true, y_pred)


def _example_matrix_crossentropy_keras_order() -> dict[str, Any]:
    example = _example_matrix_crossentropy()
    return {"y_true": example["y_true"], "y_pred": example["y_pred"]}


# ----------------------------------------------------------------------------- the registry

#: Every reproduced mistake, in the order of the course's list of mistakes (the course brief, §6).
#: Mistakes 1, 2, 8, 9, 15-20 are conceptual: appendix A shows them with computations of its own.
ERRATA: tuple[Erratum, ...] = (
    Erratum(
        3,
        N_("MSE without the mean"),
        mse_without_mean,
        mse_fixed,
        "It returns one squared error per element, shape (N, k), instead of one loss per sample, shape (N,), "
        "so per-sample losses, sample weights and plots of the loss all see the wrong thing.",
        _example_regression,
    ),
    Erratum(
        4,
        N_("MAE does not divide by zero"),
        mae_gradient_by_division,
        mae_gradient_fixed,
        "Only a derivative hand-written as e/|e| divides by zero (NaN at zero error); |e| has the subgradient "
        "0 there, which TensorFlow returns, and MAE's real weakness is a gradient that never shrinks.",
        _example_mae,
    ),
    Erratum(
        5,
        N_("Huber without the ½"),
        huber_without_half,
        huber_fixed,
        "Without the ½ the quadratic branch reaches δ² at |e| = δ while the linear branch starts at δ²/2, "
        "so the loss jumps down by δ²/2 and its slope jumps from 2δ to δ.",
        _example_huber_jump,
    ),
    Erratum(
        6,
        N_("Huber branching with a Python if"),
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
        N_("Huber branching with a Python if, inside fit"),
        fit_with_python_if_huber,
        fit_with_fixed_huber,
        "Inside model.fit the loss is traced into a graph, where a symbolic tensor cannot be used as a "
        "Python bool: OperatorNotAllowedInGraphError.",
        dict,
        raises="OperatorNotAllowedInGraphError",
        part="b",
    ),
    Erratum(
        6,
        N_("Huber factory with a symbol as its default"),
        huber_factory_with_symbol_default,
        huber_by_keras,
        "A default value is evaluated when the def runs: Python reads the symbol 𝛿 as the name δ, "
        "which is not defined, so defining the function already raises NameError; give δ a number.",
        _example_huber_batch,
        raises="NameError",
        part="c",
    ),
    Erratum(
        7,
        N_("Log loss calling tf.log"),
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
        N_("Log loss clipping and adding epsilon"),
        log_loss_clip_plus_epsilon,
        log_loss_fixed,
        "Clipping already keeps the logs finite; adding ε on top makes a fully wrong prediction cost "
        "ln(1/(2ε)) instead of ln(1/ε), ln 2 less than Keras 3 (tf.keras 2.x's own backend did the "
        "same clip + ε, so the gap exists only against Keras 3), and nothing averages over the last "
        "axis.",
        _example_log_loss,
        part="b",
    ),
    Erratum(
        10,
        N_("Sigmoid outputs with categorical cross-entropy"),
        sigmoid_model_with_categorical_crossentropy,
        softmax_model_with_categorical_crossentropy,
        "On the TensorFlow backend Keras reads the sigmoid's logits, so the model trains as a softmax "
        "(evaluate gives the softmax cross-entropy of the logits, fit the softmax gradient), but "
        "predict returns sigmoids that do not sum to 1: not a distribution. On JAX/PyTorch the loss "
        "divides the sigmoids by their sum instead.",
        _example_sigmoid_cce,
    ),
    Erratum(
        11,
        N_("A loss with a parameter written as a closure"),
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
        N_("A VAE loss reading attributes the model's call set"),
        vae_loss_reading_model_attributes,
        vae_loss_with_add_loss,
        "It trains, but only because fit runs the forward pass just before the loss: read after another "
        "batch it gives that batch's KL, it is tied to one global model, nothing of it is saved, and "
        "reduce_mean over the latent units divides the KL by z_dim; add the KL inside the model.",
        dict,
        part="a",
    ),
    Erratum(
        12,
        N_("Variant: a loss capturing a functional model's hidden tensor"),
        fit_with_loss_reading_a_hidden_tensor,
        fit_with_add_loss,
        "Not the article's code: a functional model's symbolic hidden output captured from outside is a "
        "placeholder, so fit raises ValueError; add the term inside the model with add_loss.",
        dict,
        raises="ValueError",
        part="b",
    ),
    Erratum(
        13,
        N_("keras.losses.MSE in Keras 3"),
        mse_by_keras_3_missing_alias,
        mse_by_portable_name,
        "Not a mistake of the article, a portability note: the article's tf.keras.losses.MSE exists on "
        "TF 2.x and is right, but multi-backend Keras 3 has no keras.losses.MSE (AttributeError); "
        "keras.losses.mean_squared_error works everywhere.",
        _example_regression,
        raises="AttributeError",
    ),
    Erratum(
        14,
        N_("Matrix-based cross-entropy as printed"),
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
        N_("Matrix-based cross-entropy: loop and log base 2"),
        matrix_crossentropy_loop_log2,
        matrix_crossentropy_fixed,
        "Its cross-entropy part loops in Python over samples and classes and uses log base 2, so even with "
        "uniform weights it is 1/ln 2 ≈ 1.44 times Keras's categorical cross-entropy.",
        _example_matrix_crossentropy_uniform,
        part="b",
    ),
    Erratum(
        14,
        N_("Matrix-based cross-entropy: (output, target) order"),
        crossentropy_with_arguments_swapped,
        crossentropy_in_keras_order,
        "Keras calls every loss as (y_true, y_pred); a function written for (output, target) reads the "
        "one-hot target as the prediction, and its loss is meaningless (16.1 per missing class here).",
        _example_matrix_crossentropy_keras_order,
        part="c",
    ),
)
