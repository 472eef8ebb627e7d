r"""Backpropagation: the chain rule on a computational graph, checked three ways.

The ideas of ``03_backpropagation``:

* a 2 → 2 → 1 network with sigmoid units and the binary cross-entropy cost, in Keras's orientation
  (one example per row of X; kernels of shape (n_in, n_out)):

  .. math::
      Z^{[1]} = X W^{[1]} + b^{[1]}, \quad A^{[1]} = \sigma(Z^{[1]}), \quad
      z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}, \quad \hat y = \sigma(z^{[2]}),

      J = -\frac{1}{m}\sum_{i=1}^{m} \big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big];

* its backward pass, node by node, from :math:`\partial J/\partial z^{[2]} = (\hat y - y)/m` back to
  :math:`\partial J/\partial W^{[1]} = X^\top \big[(\partial J/\partial z^{[2]})\, W^{[2]\top} \odot A^{[1]} \odot (1 - A^{[1]})\big]`;
* central finite differences to check it, and gradient descent built on it;
* the output gradients :math:`\hat y - y` (cross-entropy after a sigmoid or a softmax) and
  :math:`2(\hat y - y)\,\hat y(1 - \hat y)` (squared error after a sigmoid);
* vanishing gradients in a deep chain of sigmoid layers, against tanh and ReLU.

Importing this module does not import TensorFlow (the notebook's TensorFlow cells do).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import (
    Affine2D,
    Affine2DBase,
    ScaledTranslation,
    Transform,
    offset_copy,
)

from course_utils._plain import float_or_array
from course_utils.glyph_text import GlyphText
from course_utils.i18n import N_, gettext
from course_utils.neuron import sigmoid
from course_utils.plotting import PALETTE, SMALLEST_TEXT_PT, artist, new_figure
from course_utils.validation import as_finite_array, as_finite_float, as_positive_int
from course_utils.widgets import LivePlot, float_slider, int_slider, register_widget

#: The parameters of the small network, in Keras's ``get_weights`` order.
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")

#: The single training example drawn on the computational graph: inputs (x₁, x₂) and target y.
EXAMPLE_X = (1.0, -2.0)
EXAMPLE_Y = 1.0

#: The widget: iterations of gradient descent it can show, and its default learning rate.
MAX_STEPS = 30
DEFAULT_LEARNING_RATE = 1.0

#: What the graph shows, in the order of one training iteration.
STAGES = ("forward", "backward", "update")

#: The activations of the deep chain, and the derivative each uses in the backward pass.
CHAIN_ACTIVATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]
] = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1.0 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
}

Parameters = dict[str, np.ndarray]


# --------------------------------------------------------------------------------------------
# input checks


def _as_parameters(params: Mapping[str, object]) -> Parameters:
    """The four parameters as float arrays with matching shapes; errors say which one is wrong."""
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a dict with keys {list(PARAMETER_NAMES)}, got {type(params).__name__}."
        )
    missing = [name for name in PARAMETER_NAMES if name not in params]
    if missing:
        raise KeyError(
            f"params is missing {missing}; give a dict with keys {list(PARAMETER_NAMES)} (see example_parameters())."
        )
    W1 = as_finite_array("W1", params["W1"], 2, "hidden kernel, shape (n_in, n_hidden)")
    b1 = as_finite_array("b1", params["b1"], 1, "hidden biases, shape (n_hidden,)")
    W2 = as_finite_array("W2", params["W2"], 2, "output kernel, shape (n_hidden, 1)")
    b2 = as_finite_array("b2", params["b2"], 1, "output bias, shape (1,)")
    n_hidden = W1.shape[1]
    if b1.shape != (n_hidden,):
        raise ValueError(
            f"b1 must have one bias per hidden unit, shape ({n_hidden},) to match W1 {W1.shape}, got {b1.shape}."
        )
    if W2.shape != (n_hidden, 1):
        raise ValueError(
            f"W2 must have shape ({n_hidden}, 1): one row per hidden unit, one output; got {W2.shape}."
        )
    if b2.shape != (1,):
        raise ValueError(f"b2 must have shape (1,), the output's bias; got {b2.shape}.")
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _as_batch(
    X: object, y: object, n_in: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """X as (m, n_in) and y as (m,) labels in [0, 1]."""
    X_array = as_finite_array("X", X, 2, "one example per row, shape (m, n_in)")
    y_array = np.atleast_1d(as_finite_array("y", y, None, "one label per example"))
    if y_array.ndim == 2 and y_array.shape[1] == 1:
        y_array = y_array[:, 0]
    if y_array.shape != (X_array.shape[0],):
        raise ValueError(
            f"y must hold one label per row of X, shape ({X_array.shape[0]},), got {y_array.shape}."
        )
    if np.any((y_array < 0) | (y_array > 1)):
        raise ValueError(
            "y must hold labels in [0, 1] (probabilities of class 1); got values outside that range."
        )
    if n_in is not None and X_array.shape[1] != n_in:
        raise ValueError(
            f"X must have {n_in} columns, one per input of W1; got shape {X_array.shape}."
        )
    return X_array, y_array


def _as_stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {list(STAGES)}, got {stage!r}.")
    return stage


def _as_learning_rate(learning_rate: float) -> float:
    rate = as_finite_float("learning_rate", learning_rate)
    if rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {rate}; try 0.5.")
    return rate


# --------------------------------------------------------------------------------------------
# the network, its cost and its example


def example_parameters(seed: int = 5) -> Parameters:
    """Seeded parameters of the 2 → 2 → 1 network, rounded to one decimal so they read well on a graph.

    W1 ~ N(0, 1) of shape (2, 2), b1 ~ N(0, 0.5²) of shape (2,), W2 ~ N(0, 1) of shape (2, 1),
    b2 ~ N(0, 0.5²) of shape (1,). The same seed gives the same numbers on every machine.
    Taught in: 03 §2, A §1.
    """
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    W1 = np.round(rng.normal(0.0, 1.0, (2, 2)), 1)
    b1 = np.round(rng.normal(0.0, 0.5, 2), 1)
    W2 = np.round(rng.normal(0.0, 1.0, (2, 1)), 1)
    b2 = np.round(rng.normal(0.0, 0.5, 1), 1)
    return {
        "W1": W1 + 0.0,
        "b1": b1 + 0.0,
        "W2": W2 + 0.0,
        "b2": b2 + 0.0,
    }  # + 0.0 turns −0.0 into 0.0


def example_batch(m: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded batch for the 2 → 2 → 1 network: X ~ N(0, 1) of shape (m, 2), y alternating 0, 1, 0, 1, …

    Taught in: 03 §3, A §1.
    """
    m = as_positive_int("m", m)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    return np.round(rng.normal(0.0, 1.0, (m, 2)), 2), (np.arange(m) % 2).astype(float)


@dataclass(frozen=True)
class ForwardPass:
    """The values of every node of the network for a batch X (one example per row)."""

    X: np.ndarray
    Z1: np.ndarray
    A1: np.ndarray
    z2: np.ndarray
    y_hat: np.ndarray


def forward_pass(params: Mapping[str, object], X: np.ndarray) -> ForwardPass:
    r"""The forward pass of the 2 → 2 → 1 sigmoid network:

    .. math:: Z^{[1]} = X W^{[1]} + b^{[1]}, \quad A^{[1]} = \sigma(Z^{[1]}), \quad
              z^{[2]} = A^{[1]} W^{[2]} + b^{[2]}, \quad \hat y = \sigma(z^{[2]}).

    Shapes: X (m, n_in), Z1 and A1 (m, n_hidden), z2 and y_hat (m,): the output's (m, 1)
    column is taken as a flat (m,) array, like the labels.
    Taught in: A §1.
    """
    p = _as_parameters(params)
    X_array = as_finite_array("X", X, 2, "one example per row, shape (m, n_in)")
    if X_array.shape[1] != p["W1"].shape[0]:
        raise ValueError(
            f"X must have {p['W1'].shape[0]} columns, one per row of W1; got shape {X_array.shape}."
        )
    Z1 = X_array @ p["W1"] + p["b1"]
    A1 = sigmoid(Z1)
    z2 = (A1 @ p["W2"] + p["b2"])[:, 0]  # (m, 1) -> (m,), the labels' shape
    return ForwardPass(X=X_array, Z1=Z1, A1=A1, z2=z2, y_hat=sigmoid(z2))


def bce_cost(y: np.ndarray, y_hat: np.ndarray) -> float:
    r"""The binary cross-entropy cost, the mean over the m examples:

    .. math:: J = -\frac{1}{m}\sum_{i=1}^{m} \big[y_i \log \hat y_i + (1 - y_i)\log(1 - \hat y_i)\big].

    No clipping: every ŷ must lie strictly between 0 and 1.
    Used in: 03_backpropagation.
    """
    y_array = np.atleast_1d(as_finite_array("y", y, None, "0/1 labels"))
    y_hat_array = np.atleast_1d(
        as_finite_array("y_hat", y_hat, None, "predicted probabilities")
    )
    if y_hat_array.shape != y_array.shape:
        raise ValueError(
            f"y_hat must have the shape of y {y_array.shape}, got {y_hat_array.shape}; give one prediction per label."
        )
    if y_array.size == 0:
        raise ValueError(
            "y must hold at least one label; the mean of no losses is undefined."
        )
    if not np.all((y_hat_array > 0) & (y_hat_array < 1)):
        raise ValueError(
            "y_hat must lie strictly between 0 and 1 (log 0 is infinite); compute it with a sigmoid."
        )
    return float(
        -np.mean(
            y_array * np.log(y_hat_array) + (1 - y_array) * np.log(1 - y_hat_array)
        )
    )


def network_cost(params: Mapping[str, object], X: np.ndarray, y: np.ndarray) -> float:
    """The cost J of the network on the batch (X, y): :func:`forward_pass`, then :func:`bce_cost`.

    Taught in: 03 §5.
    """
    p = _as_parameters(params)
    X_array, y_array = _as_batch(X, y, p["W1"].shape[0])
    return bce_cost(y_array, forward_pass(p, X_array).y_hat)


@dataclass(frozen=True)
class BackwardPass:
    """The gradient of J with respect to every node and every parameter (each of its node's shape)."""

    dz2: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray
    dA1: np.ndarray
    dZ1: np.ndarray
    dW1: np.ndarray
    db1: np.ndarray

    def parameter_gradients(self) -> Parameters:
        """The gradients of the four parameters, keyed like the parameters."""
        return {"W1": self.dW1, "b1": self.db1, "W2": self.dW2, "b2": self.db2}


def backward_pass(
    params: Mapping[str, object], forward: ForwardPass, y: np.ndarray
) -> BackwardPass:
    r"""Backpropagation through :func:`forward_pass` for the cost :func:`bce_cost`, output first:

    .. math::
        \frac{\partial J}{\partial z^{[2]}} = \frac{1}{m}(\hat y - y), \quad
        \frac{\partial J}{\partial W^{[2]}} = A^{[1]\top} \frac{\partial J}{\partial z^{[2]}}, \quad
        \frac{\partial J}{\partial b^{[2]}} = \sum_i \frac{\partial J}{\partial z^{[2]}_i},

        \frac{\partial J}{\partial A^{[1]}} = \frac{\partial J}{\partial z^{[2]}}\, W^{[2]\top}, \quad
        \frac{\partial J}{\partial Z^{[1]}} = \frac{\partial J}{\partial A^{[1]}} \odot A^{[1]} \odot (1 - A^{[1]}), \quad
        \frac{\partial J}{\partial W^{[1]}} = X^\top \frac{\partial J}{\partial Z^{[1]}}, \quad
        \frac{\partial J}{\partial b^{[1]}} = \sum_i \Big(\frac{\partial J}{\partial Z^{[1]}}\Big)_{i,:}.

    Used in: 03_backpropagation.
    """
    p = _as_parameters(params)
    _, y_array = _as_batch(forward.X, y, p["W1"].shape[0])
    m = y_array.size
    dz2 = (forward.y_hat - y_array) / m  # (m,)
    dW2 = forward.A1.T @ dz2[:, None]  # (n_hidden, 1)
    db2 = np.array([dz2.sum()])  # (1,)
    dA1 = dz2[:, None] @ p["W2"].T  # (m, n_hidden)
    dZ1 = dA1 * forward.A1 * (1 - forward.A1)  # (m, n_hidden)
    dW1 = forward.X.T @ dZ1  # (n_in, n_hidden)
    db1 = dZ1.sum(axis=0)  # (n_hidden,)
    return BackwardPass(dz2=dz2, dW2=dW2, db2=db2, dA1=dA1, dZ1=dZ1, dW1=dW1, db1=db1)


def backprop_gradients(
    params: Mapping[str, object], X: np.ndarray, y: np.ndarray
) -> Parameters:
    """∂J/∂W1, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 by backpropagation (:func:`forward_pass`, then :func:`backward_pass`).

    Returns a dict keyed like the parameters, each gradient with its parameter's shape.
    Taught in: 03 §2, A §1.
    """
    p = _as_parameters(params)
    X_array, y_array = _as_batch(X, y, p["W1"].shape[0])
    return backward_pass(p, forward_pass(p, X_array), y_array).parameter_gradients()


def finite_difference_gradients(
    params: Mapping[str, object], X: np.ndarray, y: np.ndarray, h: float = 1e-6
) -> Parameters:
    r"""Central finite differences of :func:`network_cost`, one parameter entry θ at a time:

    .. math:: \frac{\partial J}{\partial \theta} \approx \frac{J(\theta + h) - J(\theta - h)}{2h}.

    Costs 2 forward passes per parameter entry (backpropagation needs one forward and one backward
    pass for all of them), so it is a check, not a way to train. Float64 throughout.
    Taught in: 03 §4, A §1.
    """
    p = _as_parameters(params)
    X_array, y_array = _as_batch(X, y, p["W1"].shape[0])
    h = as_finite_float("h", h)
    if h <= 0:
        raise ValueError(f"h must be a small positive step, e.g. 1e-6, got {h}.")
    gradients = {}
    for name in PARAMETER_NAMES:
        gradient = np.zeros_like(p[name])
        for index in np.ndindex(p[name].shape):
            shifted = {key: value.copy() for key, value in p.items()}
            shifted[name][index] += h
            up = network_cost(shifted, X_array, y_array)
            shifted[name][index] -= 2 * h
            down = network_cost(shifted, X_array, y_array)
            gradient[index] = (up - down) / (2 * h)
        gradients[name] = gradient
    return gradients


def sgd_step(
    params: Mapping[str, object], gradients: Mapping[str, object], learning_rate: float
) -> Parameters:
    r"""One gradient-descent update of every parameter θ; ``params`` is not changed.

    .. math::
        \theta \leftarrow \theta - \eta\,\frac{\partial J}{\partial \theta}

    Returns new arrays.
    Taught in: 03 §5.
    """
    p = _as_parameters(params)
    rate = _as_learning_rate(learning_rate)
    g = _as_parameters(gradients)
    for name in PARAMETER_NAMES:
        if g[name].shape != p[name].shape:
            raise ValueError(
                f"gradients[{name!r}] must have the shape of params[{name!r}] {p[name].shape}, got {g[name].shape}."
            )
    return {name: p[name] - rate * g[name] for name in PARAMETER_NAMES}


@dataclass(frozen=True)
class TrainingRun:
    """The result of :func:`train`: ``parameters[t]`` and ``costs[t]`` after t updates (t = 0 … steps)."""

    parameters: tuple[Parameters, ...]
    costs: np.ndarray


def train(
    params: Mapping[str, object],
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    steps: int,
) -> TrainingRun:
    r"""Full-batch gradient descent with :func:`backprop_gradients`, ``steps`` iterations.

    Each iteration runs the forward pass, the cost, the backward pass and the update

    .. math::
        \theta \leftarrow \theta - \eta\,\frac{\partial J}{\partial \theta}.

    Used in: 03_backpropagation.
    """
    p = _as_parameters(params)
    X_array, y_array = _as_batch(X, y, p["W1"].shape[0])
    rate = _as_learning_rate(learning_rate)
    steps = as_positive_int("steps", steps, allow_zero=True)
    history = [p]
    for _ in range(steps):
        history.append(
            sgd_step(
                history[-1], backprop_gradients(history[-1], X_array, y_array), rate
            )
        )
    costs = np.array([network_cost(q, X_array, y_array) for q in history])
    return TrainingRun(parameters=tuple(history), costs=costs)


# --------------------------------------------------------------------------------------------
# the computational graph, drawn


#: Where each node of the 2 → 2 → 1 graph sits (data coordinates of the graph axes).
NODE_POSITIONS = {
    "x1": (0.0, 1.0),
    "x2": (0.0, -1.0),
    "h1": (1.75, 1.0),
    "h2": (1.75, -1.0),
    "out": (3.6, 0.0),
    "loss": (4.8, 0.0),
}
NODE_LABELS = {
    "x1": "$x_1$",
    "x2": "$x_2$",
    "h1": "$a^{[1]}_1$",
    "h2": "$a^{[1]}_2$",
    "out": "$\\hat y$",
    "loss": "$L$",
}
GRAPH_XLIM = (-0.45, 5.35)
GRAPH_YLIM = (-2.32, 2.32)

#: Edges that carry a weight: (gid suffix, source node, target node, fraction along the edge for its label).
#: Each label is two rows, the weight above the edge and its gradient below, names left of the point and
#: numbers right of it; the fractions keep every row clear of the nodes, of the other edges' rows and of
#: the text blocks of the nodes (``tests/test_backprop.py`` checks every stage, step and rate).
WEIGHT_EDGES = (
    ("W1-11", "x1", "h1", 0.48),
    ("W1-12", "x1", "h2", 0.29),
    ("W1-21", "x2", "h1", 0.29),
    ("W1-22", "x2", "h2", 0.48),
    ("W2-1", "h1", "out", 0.33),
    ("W2-2", "h2", "out", 0.4),
)
#: The edges whose line runs through their label (the slanted ones): their names and numbers sit on a
#: white box. A horizontal edge runs between its two rows and needs none.
BOXED_EDGES = ("W1-12", "W1-21", "W2-1", "W2-2")
_EDGE_NAMES = {
    "W1-11": "W[1]₁₁",
    "W1-12": "W[1]₁₂",
    "W1-21": "W[1]₂₁",
    "W1-22": "W[1]₂₂",
    "W2-1": "W[2]₁₁",
    "W2-2": "W[2]₂₁",
}
_EDGE_INDEX = {
    "W1-11": ("W1", (0, 0)),
    "W1-12": ("W1", (0, 1)),
    "W1-21": ("W1", (1, 0)),
    "W1-22": ("W1", (1, 1)),
    "W2-1": ("W2", (0, 0)),
    "W2-2": ("W2", (1, 0)),
}

#: The fixed names written before each number of the graph (same keys as :func:`graph_texts`).
GRAPH_LABELS: dict[str, str] = {
    "value-x1": "x₁ =",
    "value-x2": "x₂ =",
    "value-h1": "b[1]₁ =\nz[1]₁ =\na[1]₁ = σ(z[1]₁) =",
    "grad-h1": "∂L/∂a[1]₁ =\n∂L/∂z[1]₁ =",
    "value-h2": "b[1]₂ =\nz[1]₂ =\na[1]₂ = σ(z[1]₂) =",
    "grad-h2": "∂L/∂a[1]₂ =\n∂L/∂z[1]₂ =",
    "value-out": "b[2] =\nz =\nŷ = σ(z) =",
    "grad-out": "∂L/∂ŷ =\n∂L/∂z =",
    "value-loss": "y =\nL =",
    "grad-loss": "∂L/∂L =",
    **{f"value-{key}": f"{name} =" for key, name in _EDGE_NAMES.items()},
    **{f"grad-{key}": f"∂L/∂{name} =" for key, name in _EDGE_NAMES.items()},
}
FORWARD_COLOUR = PALETTE[0]
BACKWARD_COLOUR = PALETTE[3]


def _single_example(
    params: Mapping[str, object], x: object, y: object
) -> tuple[Parameters, np.ndarray, float]:
    p = _as_parameters(params)
    if p["W1"].shape != (2, 2):
        raise ValueError(
            f"the drawn graph is for a 2 → 2 → 1 network: W1 must have shape (2, 2), got {p['W1'].shape}."
        )
    x_array = as_finite_array("x", x, 1, "one example, shape (2,)")
    if x_array.shape != (2,):
        raise ValueError(
            f"x must be one example with 2 inputs, shape (2,), got {x_array.shape}."
        )
    y_value = as_finite_float("y", y)
    if not 0 <= y_value <= 1:
        raise ValueError(f"y must be a label in [0, 1], got {y_value}.")
    return p, x_array, y_value


def _signed(value: float, digits: int) -> str:
    """``value`` with its sign and ``digits`` decimals, never "-0.00" (a value that rounds to zero is +0.00)."""
    return f"{round(float(value), digits) + 0.0:+.{digits}f}"


def graph_texts(
    params: Mapping[str, object],
    x: object,
    y: object,
    *,
    stage: str = "backward",
    learning_rate: float = DEFAULT_LEARNING_RATE,
) -> dict[str, str]:
    """The numbers written on the computational graph of one example, keyed by the gid of their text
    (the names before them are :data:`GRAPH_LABELS`).

    ``stage`` says how far one training iteration has got: ``"forward"`` writes the node values and the
    loss, and ``?`` for every gradient (not computed yet); ``"backward"`` writes the gradients ∂L/∂(node)
    and ∂L/∂(parameter); ``"update"`` also writes each parameter's new value θ − η·∂L/∂θ after an arrow.
    Used in: 03_backpropagation.
    """
    p, x_array, y_value = _single_example(params, x, y)
    stage = _as_stage(stage)
    rate = _as_learning_rate(learning_rate)
    fwd = forward_pass(p, x_array[None, :])
    bwd = backward_pass(p, fwd, np.array([y_value]))
    grads = bwd.parameter_gradients()
    new = sgd_step(p, grads, rate)

    def parameter(name: str, index: tuple[int, ...]) -> str:
        if stage == "update":
            return f"{_signed(p[name][index], 2)} → {_signed(new[name][index], 2)}"
        return _signed(p[name][index], 2)

    def gradient(*values: float) -> str:
        return "\n".join(
            "?" if stage == "forward" else _signed(value, 3) for value in values
        )

    texts = {"value-x1": _signed(x_array[0], 2), "value-x2": _signed(x_array[1], 2)}
    for j, node in enumerate(("h1", "h2")):
        texts[f"value-{node}"] = (
            f"{parameter('b1', (j,))}\n{_signed(fwd.Z1[0, j], 3)}\n{fwd.A1[0, j]:.3f}"
        )
        texts[f"grad-{node}"] = gradient(bwd.dA1[0, j], bwd.dZ1[0, j])
    texts["value-out"] = (
        f"{parameter('b2', (0,))}\n{_signed(fwd.z2[0], 3)}\n{fwd.y_hat[0]:.3f}"
    )
    dl_dyhat = -y_value / fwd.y_hat[0] + (1 - y_value) / (1 - fwd.y_hat[0])
    texts["grad-out"] = gradient(dl_dyhat, bwd.dz2[0])
    texts["value-loss"] = f"{y_value:g}\n{bce_cost(np.array([y_value]), fwd.y_hat):.4f}"
    texts["grad-loss"] = "?" if stage == "forward" else "1"
    for key, _, _, _ in WEIGHT_EDGES:
        name, index = _EDGE_INDEX[key]
        texts[f"value-{key}"] = parameter(name, index)
        texts[f"grad-{key}"] = gradient(grads[name][index])
    return texts


#: The graph's names and numbers are drawn at the course's smallest text size (a smaller size would be
#: raised to it when the figure is drawn, and the distances below would no longer hold). Every line of
#: them is 1.3 em = 18.2 points high (matplotlib: the font's ascent and descent, 1 em for DejaVu Sans and
#: for the CJK font, times the line spacing), whatever its characters.
_FONT_SIZE = SMALLEST_TEXT_PT
_LINE_SPACING = 1.3
_LINE_HEIGHT = _LINE_SPACING * _FONT_SIZE
#: Distances in points: from a node's centre to its nearest text block (the node's radius is 17), between
#: a node's value block and its gradient block, between an edge and its rows, between a name and its
#: number, and the white margin of a box around a boxed edge's texts (at least the name-number gap, so
#: that the name's box and the number's box meet).
_NODE_GAP = 21.0
_BLOCK_GAP = 3.0
_ROW_GAP = 2.0
_NAME_GAP = 2.5
_BOX_PAD = 3.0


def _in_points(ax: Axes, x: float, y: float) -> Transform:
    """A transform whose coordinates are points from the point (x, y) of the data (a box's shape).

    Followed at draw time, so it holds after the layout moves the axes or the frames change the dpi.
    """
    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    # ScaledTranslation only calls transform() on it: the linear data transform will do
    to_display = cast(Affine2DBase, ax.transData)
    return (
        Affine2D().scale(1 / 72)
        + figure.dpi_scale_trans
        + ScaledTranslation(x, y, to_display)
    )


def _shifted(ax: Axes, dx: float, dy: float) -> Transform:
    """The data coordinates of ``ax`` moved by (dx, dy) points (where a text is written)."""
    return offset_copy(
        ax.transData, fig=ax.get_figure(root=True), x=dx, y=dy, units="points"
    )


def _text_width(text: str) -> float:
    """Width in points of one line of ``text`` at the graph's size, in the current fonts."""
    renderer = RendererAgg(1, 1, 72)
    font = FontProperties(size=_FONT_SIZE)
    return renderer.get_text_width_height_descent(text, font, ismath=False)[0]


@lru_cache(maxsize=8)
def _widest_numbers(fonts: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """By stage, the widths in points of the widest weight and the widest gradient an edge can show
    (any digits, either sign; ``fonts``: the font settings they are measured in, the cache key)."""
    digits = "0123456789"
    weight = max(
        (f"{sign}{d}.{d}{d}" for sign in "+-" for d in digits),
        key=_text_width,
    )
    gradient = max(_text_width(f"{sign}{d}.{d}{d}{d}") for sign in "+-" for d in digits)
    return {
        "forward": (_text_width(weight), _text_width("?")),
        "backward": (_text_width(weight), gradient),
        "update": (_text_width(f"{weight} → {weight}"), gradient),
    }


def _number_box_widths(stage: str) -> tuple[float, float]:
    """The widths in points of the white boxes behind a boxed edge's weight and gradient at ``stage``."""
    fonts = (
        *matplotlib.rcParams["font.family"],
        *matplotlib.rcParams["font.sans-serif"],
    )
    weight, gradient = _widest_numbers(fonts)[stage]
    return weight + 2 * _BOX_PAD, gradient + 2 * _BOX_PAD


def _label_and_number(
    ax: Axes,
    x: float,
    y: float,
    key: str,
    number: str,
    *,
    colour: str,
    dy: float,
    box_width: float | None = None,
) -> None:
    """The fixed name (right-aligned, no gid) and the number (left-aligned, gid ``key``), ``dy`` points
    above (dy > 0: the text grows upwards) or below (dy < 0: downwards) the point (x, y).

    With ``box_width`` (a boxed edge's row), both sit on white: the name's own box, and behind the
    number a rectangle ``box_width`` points wide (gid ``box-<key>``: its width follows the stage), drawn
    first so that the number is drawn over it.
    """
    style: dict[str, Any] = {
        "fontsize": _FONT_SIZE,
        "color": colour,
        "va": "bottom" if dy > 0 else "top",
        "linespacing": _LINE_SPACING,
        "zorder": 6,
        "clip_on": False,
    }
    name_box = None
    if box_width is not None:
        name_box = {
            "boxstyle": f"square,pad={_BOX_PAD / _FONT_SIZE}",
            "facecolor": "white",
            "edgecolor": "none",
        }
        bottom = dy if dy > 0 else dy - _LINE_HEIGHT
        ax.add_patch(
            Rectangle(
                (_NAME_GAP - _BOX_PAD, bottom - _BOX_PAD),
                box_width,
                _LINE_HEIGHT + 2 * _BOX_PAD,
                transform=_in_points(ax, x, y),
                facecolor="white",
                edgecolor="none",
                linewidth=0,
                zorder=5,
                clip_on=False,
                gid=f"box-{key}",
            )
        )
    ax.text(
        x,
        y,
        GRAPH_LABELS[key],
        ha="right",
        transform=_shifted(ax, -_NAME_GAP, dy),
        bbox=name_box,
        **style,
    )
    ax.add_artist(
        GlyphText(
            x,
            y,
            number,
            ha="left",
            transform=_shifted(ax, _NAME_GAP, dy),
            gid=key,
            **style,
        )
    )


def _draw_node_texts(
    ax: Axes, node: str, nx: float, ny: float, texts: dict[str, str]
) -> None:
    """The value block (blue) next to the node and the gradient block (vermillion), on the sides away
    from the edges: both above a node of the top row (values nearer), both below a node of the bottom
    row, and values above and gradients below a node of the middle row."""
    value_key, grad_key = f"value-{node}", f"grad-{node}"
    value_height = (texts[value_key].count("\n") + 1) * _LINE_HEIGHT
    side = 1 if ny > 0 else -1
    value_dy, grad_dy = side * _NODE_GAP, side * (_NODE_GAP + value_height + _BLOCK_GAP)
    if ny == 0:
        value_dy, grad_dy = _NODE_GAP, -_NODE_GAP
    _label_and_number(
        ax, nx, ny, value_key, texts[value_key], colour=FORWARD_COLOUR, dy=value_dy
    )
    if node not in ("x1", "x2"):
        _label_and_number(
            ax, nx, ny, grad_key, texts[grad_key], colour=BACKWARD_COLOUR, dy=grad_dy
        )


def _draw_graph(ax: Axes, texts: dict[str, str], stage: str) -> None:
    """Nodes, edges, the fixed names and the numbers of the computational graph (numbers carry gids;
    so do the white boxes behind the numbers of the slanted edges, as wide as ``stage`` needs)."""
    arrow = {
        "arrowstyle": "-|>",
        "color": "0.6",
        "lw": 1.8,
        "shrinkA": 17,
        "shrinkB": 17,
    }
    for _, source, target, _ in (*WEIGHT_EDGES, ("loss", "out", "loss", 0.0)):
        ax.annotate(
            "",
            xy=NODE_POSITIONS[target],
            xytext=NODE_POSITIONS[source],
            arrowprops=arrow,
        )
    colours = {
        "x1": PALETTE[4],
        "x2": PALETTE[4],
        "h1": PALETTE[2],
        "h2": PALETTE[2],
        "out": PALETTE[1],
        "loss": PALETTE[5],
    }
    for node, (nx, ny) in NODE_POSITIONS.items():
        ax.plot(
            [nx],
            [ny],
            "o",
            markersize=34,
            color=colours[node],
            markeredgecolor="black",
            zorder=3,
        )
        ax.text(
            nx, ny, NODE_LABELS[node], ha="center", va="center", fontsize=16, zorder=4
        )
        _draw_node_texts(ax, node, nx, ny, texts)
    weight_box, gradient_box = _number_box_widths(stage)
    for key, source, target, fraction in WEIGHT_EDGES:
        (x0, y0), (x1, y1) = NODE_POSITIONS[source], NODE_POSITIONS[target]
        lx, ly = x0 + fraction * (x1 - x0), y0 + fraction * (y1 - y0)
        boxed = key in BOXED_EDGES
        _label_and_number(
            ax,
            lx,
            ly,
            f"value-{key}",
            texts[f"value-{key}"],
            colour=PALETTE[7],
            dy=_ROW_GAP,
            box_width=weight_box if boxed else None,
        )
        _label_and_number(
            ax,
            lx,
            ly,
            f"grad-{key}",
            texts[f"grad-{key}"],
            colour=BACKWARD_COLOUR,
            dy=-_ROW_GAP,
            box_width=gradient_box if boxed else None,
        )
    ax.set_xlim(*GRAPH_XLIM)
    ax.set_ylim(*GRAPH_YLIM)
    ax.set_axis_off()


def _fit_number_boxes(fig: Figure, stage: str) -> None:
    """Make the white boxes behind the boxed edges' numbers as wide as ``stage`` needs (only when
    the stage changed the width, so that an unchanged box is not redrawn)."""
    weight_box, gradient_box = _number_box_widths(stage)
    for key in BOXED_EDGES:
        for row, width in ((f"value-{key}", weight_box), (f"grad-{key}", gradient_box)):
            box = artist(fig, f"box-{row}", Rectangle)
            if box.get_width() != width:
                box.set_width(width)


def plot_computational_graph(
    params: Mapping[str, object] | None = None,
    x: object = EXAMPLE_X,
    y: float = EXAMPLE_Y,
    *,
    stage: str = "backward",
    learning_rate: float = DEFAULT_LEARNING_RATE,
) -> Figure:
    """The computational graph of the 2 → 2 → 1 network on one example, with its numbers.

    Blue: forward values (biases, pre-activations z, activations, the loss) above each node; black: the
    weights on the edges; vermillion: the gradients ∂L/∂(node) below each node and ∂L/∂(weight) on each
    edge, from the backward pass. ``stage`` is as in :func:`graph_texts`; every number's text has its
    key as gid (``value-h1``, ``grad-W1-12``, …). Defaults: :func:`example_parameters` on the example.
    Taught in: 03 §2.
    """
    p = example_parameters() if params is None else params
    texts = graph_texts(p, x, y, stage=stage, learning_rate=learning_rate)
    fig, (ax,) = new_figure(width=13.0, height=6.6)
    _draw_graph(ax, texts, stage)
    ax.set_title(
        gettext(
            "forward values (blue), weights (black), gradients of the loss (vermillion)"
        ),
        fontsize=15,
    )
    return fig


# --------------------------------------------------------------------------------------------
# the widget: one training iteration at a time


@lru_cache(maxsize=64)
def example_run(learning_rate: float = DEFAULT_LEARNING_RATE) -> TrainingRun:
    """Gradient descent on the one drawn example (EXAMPLE_X, EXAMPLE_Y) from :func:`example_parameters`,
    MAX_STEPS iterations at ``learning_rate`` (cached: the widget asks for it at every redraw).

    Used in: 03_backpropagation.
    """
    x = np.array(EXAMPLE_X)[None, :]
    return train(
        example_parameters(),
        x,
        np.array([EXAMPLE_Y]),
        learning_rate=_as_learning_rate(learning_rate),
        steps=MAX_STEPS,
    )


@lru_cache(maxsize=1024)
def _training_texts(learning_rate: float, step: int, stage: str) -> dict[str, str]:
    """:func:`graph_texts` of the example after ``step`` updates at ``learning_rate`` (cached: a
    slider returning to a value it had does not compute the passes again). Do not change the dict."""
    run = example_run(learning_rate)
    return graph_texts(
        run.parameters[step],
        EXAMPLE_X,
        EXAMPLE_Y,
        stage=stage,
        learning_rate=learning_rate,
    )


_STAGE_TITLES = {
    "forward": N_("forward: values and loss"),
    "backward": N_("backward: gradients by the chain rule"),
    "update": N_("update: θ → θ − η·∂L/∂θ"),
}


def step_title(step: int, learning_rate: float, stage: str) -> tuple[str, str, str]:
    """The widget's title in three parts, drawn apart (left, at 0.3 of the width, right) so that a
    control redraws only its own: which iteration (after how many updates), the learning rate, and
    which of the iteration's three stages, e.g. ``("iteration 31 (after 30 updates)",
    "learning rate η = 1.0", "stage 3 of 3, update: θ → θ − η·∂L/∂θ")``.

    """
    step, stage = _check_step(step), _as_stage(stage)
    rate = _as_learning_rate(learning_rate)
    updates = (
        gettext("1 update")
        if step == 1
        else gettext("{count} updates").format(count=step)
    )
    return (
        gettext("iteration {iteration} (after {updates})").format(
            iteration=step + 1, updates=updates
        ),
        gettext("learning rate η = {rate:.1f}").format(rate=rate),
        gettext("stage {stage} of 3, {title}").format(
            stage=STAGES.index(stage) + 1, title=gettext(_STAGE_TITLES[stage])
        ),
    )


#: The title's three parts (:func:`step_title`), left to right, over the graph: gid, where it is
#: anchored (fraction of the axes' width) and how. The learning rate starts at 0.3 of the width, at
#: least 25 points from the longest iteration and the longest stage (en and zh): so far apart, a part
#: that changes does not make a LivePlot frame redraw its neighbours.
_TITLE_PARTS = (
    ("step-title", 0.0, "left"),
    ("rate-title", 0.3, "left"),
    ("stage-title", 1.0, "right"),
)


def _check_step(step: int) -> int:
    step = as_positive_int("step", step, allow_zero=True)
    if step > MAX_STEPS:
        raise ValueError(
            f"step must be at most {MAX_STEPS} (the iterations the widget computes), got {step}."
        )
    return step


def plot_training_step(
    step: int = 0, learning_rate: float = DEFAULT_LEARNING_RATE, stage: str = "forward"
) -> Figure:
    """One iteration of gradient descent on the example, drawn: the graph with the network as it is after
    ``step`` updates (its forward values, gradients or updates, by ``stage``), and an inset with the loss
    after each update, this iteration marked.

    Moving artists: every number of the graph (see :func:`plot_computational_graph`) and the white
    boxes behind the slanted edges' numbers (``box-value-W1-12``, …: as wide as the stage needs), the
    three parts of the title (``step-title``, ``rate-title``, ``stage-title``: :func:`step_title`),
    ``loss-curve`` (the loss after t = 0 … MAX_STEPS updates at this η) and ``loss-marker`` (t = step).
    Used in: 03_backpropagation.
    """
    step, rate, stage = (
        _check_step(step),
        _as_learning_rate(learning_rate),
        _as_stage(stage),
    )
    fig, (ax,) = new_figure(width=13.0, height=6.6)
    run = example_run(rate)
    _draw_graph(ax, _training_texts(rate, step, stage), stage)
    above = offset_copy(ax.transAxes, fig=fig, y=1.0, units="points")
    for gid, x, align in _TITLE_PARTS:
        title = GlyphText(
            x, 1.0, " ", fontsize=15, linespacing=1.2, ha=align, va="bottom", gid=gid
        )
        title.set_transform(above)
        title.set_clip_on(False)
        ax.add_artist(title)
    inset = ax.inset_axes((0.745, 0.035, 0.245, 0.3))
    inset.plot([], [], "-", color=PALETTE[0], linewidth=2, gid="loss-curve")
    inset.plot(
        [],
        [],
        "o",
        color=PALETTE[3],
        markersize=10,
        markeredgecolor="black",
        gid="loss-marker",
    )
    inset.set_xlim(-0.8, MAX_STEPS + 0.8)
    inset.set_ylim(0.0, 1.1 * float(run.costs[0]))
    inset.set_xlabel(gettext("updates done $t$"), fontsize=11, labelpad=1)
    inset.set_ylabel(gettext("loss $L$"), fontsize=11, labelpad=1)
    inset.tick_params(labelsize=10)
    update_training_step(fig, step=step, learning_rate=rate, stage=stage)
    return fig


def update_training_step(
    fig: Figure, step: int, learning_rate: float, stage: str
) -> None:
    """Rewrite the numbers of the graph, the title, the loss curve and its marker of :func:`plot_training_step`.

    Used in: 03_backpropagation.
    """
    step, rate, stage = (
        _check_step(step),
        _as_learning_rate(learning_rate),
        _as_stage(stage),
    )
    # A LivePlot frame redraws only what was given a new value: set_text with the same string
    # marks nothing, and the boxes and the lines are compared before they are set.
    for gid, text in _training_texts(rate, step, stage).items():
        artist(fig, gid, Text).set_text(text)
    _fit_number_boxes(fig, stage)
    for (gid, *_), title in zip(_TITLE_PARTS, step_title(step, rate, stage)):
        artist(fig, gid, Text).set_text(title)
    costs = example_run(rate).costs
    curve = artist(fig, "loss-curve", Line2D)
    if not np.array_equal(np.asarray(curve.get_ydata()), costs):
        curve.set_data(np.arange(MAX_STEPS + 1), costs)
    marker = artist(fig, "loss-marker", Line2D)
    if not np.array_equal(np.asarray(marker.get_data()), [[step], [costs[step]]]):
        marker.set_data([step], [costs[step]])


@register_widget
def training_step_widget() -> LivePlot:
    """Step through training on the drawn example: the iteration, the learning rate, and the stage of the
    iteration (forward, backward, update); the graph shows the numbers of that moment.

    Taught in: 03 §5.
    """
    step = int_slider(gettext("updates done t"), 0, 0, MAX_STEPS)
    stage = widgets.ToggleButtons(
        options=list(STAGES),
        value="forward",
        description=gettext("stage"),
        style={"description_width": "initial", "button_width": "90px"},
    )
    rate = float_slider(
        gettext("learning rate η"),
        DEFAULT_LEARNING_RATE,
        0.1,
        5.0,
        0.1,
        readout_format=".1f",
    )
    return LivePlot(
        plot_training_step,
        update_training_step,
        {"step": step, "learning_rate": rate, "stage": stage},
        title=gettext(
            "one training iteration on the computational graph (controls: updates done, learning rate, stage)"
        ),
    )


# --------------------------------------------------------------------------------------------
# output gradients: cross-entropy against squared error


def bce_output_gradient(
    z: float | np.ndarray, y: float | np.ndarray
) -> float | np.ndarray:
    r"""∂L/∂z for a sigmoid output ŷ = σ(z) and the binary cross-entropy.

    .. math::
        L = -[y \log \hat y + (1 - y) \log(1 - \hat y)], \qquad
        \frac{\partial L}{\partial z} = \hat y - y

    The σ' of the sigmoid cancels the 1/(ŷ(1 − ŷ)) of the log.
    Taught in: 03 §6.
    """
    y_hat = sigmoid(z)
    y_array = as_finite_array("y", y, None, "the target: 0 or 1")
    return float_or_array(y_hat - y_array)


def mse_output_gradient(
    z: float | np.ndarray, y: float | np.ndarray
) -> float | np.ndarray:
    r"""∂L/∂z for a sigmoid output ŷ = σ(z) and the squared error.

    .. math::
        L = (\hat y - y)^2, \qquad
        \frac{\partial L}{\partial z} = 2(\hat y - y)\,\sigma'(z) = 2(\hat y - y)\,\hat y\,(1 - \hat y)

    It vanishes when the sigmoid saturates (ŷ near 0 or 1), even if ŷ is far from y.
    Taught in: 03 §6.
    """
    y_hat = sigmoid(z)
    y_array = as_finite_array("y", y, None, "the target: 0 or 1")
    return float_or_array(2.0 * (y_hat - y_array) * y_hat * (1.0 - y_hat))


def softmax(z: np.ndarray) -> np.ndarray:
    r"""The softmax along the last axis, shifted by the maximum so exp cannot overflow.

    .. math::
        p_k = \frac{e^{z_k - \max_j z_j}}{\sum_j e^{z_j - \max_j z_j}}

    The shift changes nothing in exact arithmetic.
    Taught in: 03 §6.
    """
    z_array = as_finite_array("z", z, None, "logits, shape (K,) or (m, K)")
    if z_array.ndim == 0:
        raise ValueError(
            "z must hold at least one logit per row, shape (k,) or (m, k); got a scalar."
        )
    shifted = np.exp(z_array - z_array.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def softmax_cross_entropy_gradient(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""∂L/∂z for the categorical cross-entropy of p = softmax(z).

    .. math::
        L = -\sum_k y_k \log p_k, \qquad \frac{\partial L}{\partial z_k} = p_k - y_k

    The targets y are one-hot (or any vectors summing to one).
    Taught in: 03 §6.
    """
    z_array = as_finite_array("z", z, None, "logits, shape (K,) or (m, K)")
    y_array = as_finite_array("y", y, None, "one-hot targets, the shape of z")
    if y_array.shape != z_array.shape:
        raise ValueError(
            f"y must have the shape of z {z_array.shape} (one-hot targets), got {y_array.shape}."
        )
    if not np.allclose(y_array.sum(axis=-1), 1.0):
        raise ValueError(
            "y must sum to 1 along the last axis (one-hot targets); use keras.utils.to_categorical on labels."
        )
    return softmax(z_array) - y_array


def plot_output_gradients(y: float = 1.0) -> Figure:
    """Cross-entropy against squared error for one sigmoid output with target ``y``, over its logit z.

    Left: the two losses L(z). Right: their gradients ∂L/∂z (:func:`bce_output_gradient` and
    :func:`mse_output_gradient`). Shaded: where the prediction is confidently wrong (|ŷ − y| > 0.9).
    Taught in: 03 §6.
    """
    y = as_finite_float("y", y)
    if y not in (0.0, 1.0):
        raise ValueError(f"y must be a class label, 0 or 1, got {y}.")
    z = np.linspace(-8.0, 8.0, 401)
    y_hat = sigmoid(z)
    fig, (loss_ax, grad_ax) = new_figure(2, width=12.0, height=4.6)
    wrong = np.abs(y_hat - y) > 0.9
    edge = float(z[wrong][-1] if y == 1.0 else z[wrong][0])
    span = (-8.0, edge) if y == 1.0 else (edge, 8.0)
    _draw_output_losses(loss_ax, z, y, span)
    _draw_output_loss_gradients(grad_ax, z, y, span)
    return fig


def _shade_confidently_wrong(ax: Axes, span: tuple[float, float]) -> None:
    ax.axvspan(*span, color=PALETTE[7], alpha=0.08, linewidth=0)
    ax.set_xlim(-8.0, 8.0)
    ax.set_xlabel(gettext("output logit $z$ (then $\\hat y = \\sigma(z)$)"))


def _draw_output_losses(
    ax: Axes, z: np.ndarray, y: float, span: tuple[float, float]
) -> None:
    """Left panel of :func:`plot_output_gradients`: the two losses against the logit z."""
    y_hat = sigmoid(z)
    bce = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    ax.plot(z, bce, color=PALETTE[0], label=gettext("cross-entropy"))
    ax.plot(
        z,
        (y_hat - y) ** 2,
        color=PALETTE[1],
        linestyle="--",
        label=gettext("squared error"),
    )
    _shade_confidently_wrong(ax, span)
    ax.text(
        span[0] + 0.3 if y == 1.0 else span[0] + 0.3,
        6.5,
        gettext("confidently\nwrong"),
        fontsize=12,
        va="top",
    )
    ax.set_ylim(0.0, 8.5)
    ax.set_ylabel(gettext("loss $L$"))
    ax.set_title(gettext("loss for target y = {y:g}").format(y=y))
    ax.legend(loc="upper right")


def _draw_output_loss_gradients(
    ax: Axes, z: np.ndarray, y: float, span: tuple[float, float]
) -> None:
    """Right panel of :func:`plot_output_gradients`: the two gradients ∂L/∂z."""
    ax.plot(
        z,
        bce_output_gradient(z, y),
        color=PALETTE[0],
        label=gettext("cross-entropy: $\\hat y - y$"),
    )
    ax.plot(
        z,
        mse_output_gradient(z, y),
        color=PALETTE[1],
        linestyle="--",
        label=gettext("squared error: $2(\\hat y - y)\\,\\sigma'(z)$"),
    )
    _shade_confidently_wrong(ax, span)
    ax.set_ylim(-1.1, 1.1)
    ax.set_ylabel(gettext("gradient $\\partial L / \\partial z$"))
    ax.set_title(gettext("its gradient: squared error stalls"))
    ax.legend(loc="lower right" if y == 1.0 else "upper left", fontsize=11)


# --------------------------------------------------------------------------------------------
# vanishing gradients in a deep chain


def _as_activation(activation: str) -> str:
    if activation not in CHAIN_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(CHAIN_ACTIVATIONS)}, got {activation!r}."
        )
    return activation


def deep_chain_parameters(
    depth: int, activation: str = "sigmoid", *, width: int = 8, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Seeded parameters of a deep chain of ``depth`` dense layers of ``width`` units.

    A sigmoid output unit follows the hidden layers. Biases are 0; kernels are drawn

    .. math::
        W \sim \mathcal N(0, 1/n_{in}) \text{ (sigmoid, tanh: LeCun)}, \qquad
        W \sim \mathcal N(0, 2/n_{in}) \text{ (ReLU: He)}.

    Returns ``[(W, b), …]``, the hidden layers first (layer 1 next to the input), the output layer last.
    Used in: 03_backpropagation.
    """
    depth = as_positive_int("depth", depth)
    activation = _as_activation(activation)
    width = as_positive_int("width", width)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    gain = 2.0 if activation == "relu" else 1.0
    sizes = [width] * (depth + 1) + [1]
    return [
        (rng.normal(0.0, np.sqrt(gain / n_in), (n_in, n_out)), np.zeros(n_out))
        for n_in, n_out in zip(sizes, sizes[1:])
    ]


def _chain_forward(layers, X, activation):
    g, _ = CHAIN_ACTIVATIONS[activation]
    inputs, pre = [X], []
    for W, b in layers[:-1]:
        pre.append(inputs[-1] @ W + b)
        inputs.append(g(pre[-1]))
    W, b = layers[-1]
    return inputs, pre, sigmoid(inputs[-1] @ W + b)[:, 0]


def deep_chain_cost(
    layers: list[tuple[np.ndarray, np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    activation: str = "sigmoid",
) -> float:
    """The binary cross-entropy cost J (:func:`bce_cost`) of the deep chain on (X, y).

    Used in: 03_backpropagation.
    """
    activation = _as_activation(activation)
    X_array, y_array = _as_batch(X, y, np.shape(layers[0][0])[0])
    return bce_cost(y_array, _chain_forward(layers, X_array, activation)[2])


def deep_chain_gradients(
    layers: list[tuple[np.ndarray, np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    activation: str = "sigmoid",
) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Backpropagation through the deep chain, from the top layer down.

    From :math:`\partial J/\partial z^{out} = (\hat y - y)/m`, each layer l does

    .. math:: \frac{\partial J}{\partial Z^{[l]}} = \frac{\partial J}{\partial A^{[l]}} \odot g'(Z^{[l]}), \quad
              \frac{\partial J}{\partial W^{[l]}} = A^{[l-1]\top} \frac{\partial J}{\partial Z^{[l]}}, \quad
              \frac{\partial J}{\partial A^{[l-1]}} = \frac{\partial J}{\partial Z^{[l]}}\, W^{[l]\top}.

    Every layer multiplies the gradient by a g'(Z) and a Wᵀ on its way down; with the sigmoid,
    g' ≤ 1/4, so it shrinks layer after layer. Returns ``[(∂J/∂W, ∂J/∂b), …]`` in the order of ``layers``.
    Used in: 03_backpropagation.
    """
    activation = _as_activation(activation)
    X_array, y_array = _as_batch(X, y, np.shape(layers[0][0])[0])
    _, g_slope = CHAIN_ACTIVATIONS[activation]
    inputs, pre, y_hat = _chain_forward(layers, X_array, activation)
    dz = ((y_hat - y_array) / y_array.size)[:, None]
    grads = [(inputs[-1].T @ dz, dz.sum(axis=0))]
    d_input = dz @ layers[-1][0].T
    for index in range(len(layers) - 2, -1, -1):
        dZ = d_input * g_slope(pre[index])
        grads.append((inputs[index].T @ dZ, dZ.sum(axis=0)))
        d_input = dZ @ layers[index][0].T
    return grads[::-1]


def deep_chain_gradient_norms(
    depth: int = 12,
    activation: str = "sigmoid",
    *,
    width: int = 8,
    m: int = 64,
    seed: int = 0,
) -> np.ndarray:
    r"""The gradient's size at each hidden layer of a seeded deep chain.

    .. math::
        \left\lVert \frac{\partial J}{\partial W^{[l]}} \right\rVert_F, \qquad l = 1, \dots, \text{depth}

    Layer 1 is next to the input. The chain is :func:`deep_chain_parameters`; the m examples are
    seeded: inputs X ~ N(0, 1), labels y ~ Bernoulli(1/2).
    Taught in: 03 §7.
    """
    m = as_positive_int("m", m)
    layers = deep_chain_parameters(depth, activation, width=width, seed=seed)
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True) + 1000)
    X = rng.normal(0.0, 1.0, (m, width))
    y = rng.integers(0, 2, m).astype(float)
    grads = deep_chain_gradients(layers, X, y, activation)
    return np.array([np.linalg.norm(dW) for dW, _ in grads[:-1]])


def plot_vanishing_gradients(
    depth: int = 12, activations: tuple[str, ...] = ("sigmoid", "tanh", "relu")
) -> Figure:
    """The gradient size per hidden layer of deep chains (:func:`deep_chain_gradient_norms`), log scale.

    Taught in: 03 §7.
    """
    depth = as_positive_int("depth", depth)
    if len(activations) == 0:
        raise ValueError(
            "activations must name at least one activation, e.g. ('sigmoid',)."
        )
    fig, (ax,) = new_figure(width=9.0, height=5.0)
    styles = {
        "sigmoid": (PALETTE[3], "o", "-"),
        "tanh": (PALETTE[0], "s", "--"),
        "relu": (PALETTE[2], "^", ":"),
    }
    layers = np.arange(1, depth + 1)
    for activation in activations:
        colour, marker, line = styles[_as_activation(activation)]
        ax.semilogy(
            layers,
            deep_chain_gradient_norms(depth, activation),
            marker=marker,
            linestyle=line,
            color=colour,
            label=activation,
            gid=f"norms-{activation}",
        )
    ax.set_xlim(0.5, depth + 0.5)
    ax.set_xticks(layers)
    ax.set_xlabel(
        gettext("hidden layer $l$ (1 = next to the input, backprop ends here)")
    )
    ax.set_ylabel(gettext("gradient size ‖∂J/∂W‖ of layer l"))
    ax.set_title(
        gettext(
            "{depth} hidden layers of 8 units: how much gradient reaches each layer"
        ).format(depth=depth)
    )
    ax.legend(title=gettext("activation"), loc="lower right")
    return fig


# --------------------------------------------------------------------------------------------
# a real fit: two moons, training and validation loss


def two_moons(
    m: int = 300, *, noise: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Two interleaving half circles in the plane, shuffled; no straight line separates them.

    .. math::
        \text{class 0: } (\cos t, \sin t), \qquad
        \text{class 1: } (1 - \cos t, \tfrac12 - \sin t), \qquad t \sim U(0, \pi),

    each point plus ``noise``·N(0, I). Returns ``(X, y)``: X of shape (m, 2), labels y of shape (m,)
    (0.0 or 1.0), in random order (so that the first rows can be the training set and the rest the
    validation set). Seeded.
    Taught in: 03 §8.
    """
    m = as_positive_int("m", m)
    if m < 2:
        raise ValueError(f"m must be at least 2 (one point per moon), got {m}.")
    noise = as_finite_float("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be ≥ 0 (a standard deviation), got {noise}.")
    rng = np.random.default_rng(as_positive_int("seed", seed, allow_zero=True))
    labels = np.arange(m) % 2
    t = rng.uniform(0.0, np.pi, size=m)
    X = np.where(
        labels[:, None] == 0,
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X = X + noise * rng.standard_normal((m, 2))
    order = rng.permutation(m)
    return X[order], labels[order].astype(float)


def plot_loss_curves(
    train_loss: object, validation_loss: object, *, loss_name: str = N_("loss")
) -> Figure:
    """The training and the validation loss after each epoch (e.g. Keras's
    ``history.history["loss"]`` and ``["val_loss"]``): the gap between them is the first
    measure of how well the model generalises to data it was not trained on.

    Taught in: 03 §8.
    """
    train = as_finite_array("train_loss", train_loss, 1, "one loss per epoch")
    validation = as_finite_array(
        "validation_loss", validation_loss, 1, "one loss per epoch"
    )
    if not isinstance(loss_name, str):
        raise TypeError(
            f"loss_name must be a string, got {type(loss_name).__name__} {loss_name!r}."
        )
    if train.shape != validation.shape or train.size == 0:
        raise ValueError(
            "train_loss and validation_loss must hold one loss per epoch each, got "
            f"{train.size} and {validation.size}."
        )
    epochs = np.arange(1, train.size + 1)
    fig, (ax,) = new_figure(width=7.5, height=4.5)
    ax.plot(
        epochs, train, color=PALETTE[0], label=gettext("training (mean over the epoch)")
    )
    ax.plot(
        epochs,
        validation,
        color=PALETTE[3],
        ls="--",
        label=gettext("validation (end of epoch)"),
    )
    ax.set_xlim(0.5, train.size + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0.0, 1.05 * float(max(train.max(), validation.max())))
    ax.set_xlabel(gettext("epoch"))
    ax.set_ylabel(gettext(loss_name))
    ax.legend(loc="upper right")
    ax.set_title(gettext("training and validation loss per epoch"))
    return fig


# --------------------------------------------------------------------------------------------
# exercises


#: Exercise 03.4: the fixed inputs on which the learner's ``layer_backward(dA, A, X, W)`` is evaluated.
LAYER_X = np.array([[0.5, -1.0], [2.0, 0.0], [-1.5, 1.5], [0.0, 0.25]])
LAYER_B = np.array([0.2, -0.4, 0.1])
