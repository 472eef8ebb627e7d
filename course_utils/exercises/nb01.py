"""Exercises of notebook 01_neuron_and_forward_pass, in the notebook's order.

Each exercise registers itself on import; ``course_utils.checks.check("01.k", answer)``
finds it. ``tests/test_checks.py`` proves that every reference solution passes and every
typical mistake is recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_too_coarsely, tolerance
from course_utils.i18n import N_
from course_utils.neuron import sigmoid, sigmoid_slope

#: Exercise 01.3: the fixed inputs on which the learner's ``forward(x, W, b)`` is evaluated.
FORWARD_X = np.array([[0.5, -1.0], [2.0, 0.0], [-1.5, 1.5], [0.0, 0.25]])


FORWARD_W = np.array([[1.0, -0.5, 2.0], [0.5, 1.5, -1.0]])


FORWARD_B = np.array([0.2, -0.4, 0.1])


@dataclass(frozen=True)
class ShapeMismatch:
    """What a learner's function raised when its matrix shapes did not fit (see exercise 01.3)."""

    message: str


def evaluate_forward(
    forward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray | ShapeMismatch:
    """Call a learner's ``forward(x, W, b)`` on the fixed inputs of exercise 01.3.

    x has shape (4, 2), W (2, 3), b (3,). A ValueError about shapes becomes a :class:`ShapeMismatch`
    (a typical mistake the check explains); other errors propagate and the check reports them.
    Used in: 01_neuron_and_forward_pass (exercise 01.3).
    """
    if not callable(forward):
        raise TypeError(
            f"give a function forward(x, W, b), not a {type(forward).__name__}."
        )
    try:
        result = forward(FORWARD_X.copy(), FORWARD_W.copy(), FORWARD_B.copy())
    except ValueError as error:
        text = str(error)
        if any(word in text for word in ("shape", "dimension", "align", "broadcast")):
            return ShapeMismatch(text)
        raise
    if result is Ellipsis:
        raise TypeError(
            "forward still returns `...`; replace it with the layer's output."
        )
    if result is None:
        raise TypeError(
            "forward returned nothing; end it with `return` and the layer's output."
        )
    return np.asarray(result, dtype=float)


def _forward_reference(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return sigmoid(x @ W + b)


#: Exercise 01.1 asks for at least this many significant digits.
SIGMOID_DIGITS = 4

register(
    Exercise(
        key="01.1",
        title=N_("the sigmoid of z = 2"),
        solution=float(sigmoid(2.0)),
        hint=(
            N_(
                "σ(z) = 1 / (1 + e^(−z)); with z = 2 that is 1 / (1 + e^(−2)). "
                "Give at least 4 significant digits (0.8807 and 0.8808 both count)."
            )
        ),
        mistakes=(
            Mistake.near(
                "sign of the exponent",
                float(sigmoid(-2.0)),
                N_(
                    "That is σ(−2) = 1 / (1 + e²): the exponent is −z, so a positive z gives an output above 0.5."
                ),
                rtol=1e-3,
            ),
            Mistake.near(
                "exponential only",
                float(np.exp(-2.0)),
                N_("That is e^(−2) alone; the sigmoid is 1 / (1 + e^(−z))."),
                rtol=1e-3,
            ),
            Mistake.near(
                "tanh",
                float(np.tanh(2.0)),
                N_(
                    "That is tanh(2), a different activation (its outputs lie in (−1, 1))."
                ),
                rtol=1e-3,
            ),
            Mistake.near(
                "the slope",
                float(sigmoid_slope(2.0)),
                N_("That is the slope σ'(2) = σ(2)(1 − σ(2)), not σ(2) itself."),
                rtol=1e-3,
            ),
            rounded_too_coarsely(
                float(sigmoid(2.0)), N_("σ(2) = 0.880797…"), significant=SIGMOID_DIGITS
            ),
        ),
        # 4 significant digits, cut or rounded: |0.8807 − σ(2)| = 9.7e-5 < 1.02e-4
        rtol=0.0,
        atol=tolerance(float(sigmoid(2.0)), significant=SIGMOID_DIGITS),
    )
)


register(
    Exercise(
        key="01.2",
        title=N_("the shape of a dense layer's output"),
        solution=(32, 3),
        hint=(
            N_(
                "In Z = XW + b, X has one row per example (32 rows) and W maps 4 features to 3 outputs: "
                "(32, 4) @ (4, 3) keeps the rows and takes the columns. Give a tuple such as (rows, columns)."
            )
        ),
        mistakes=(
            Mistake(
                "transposed",
                near([3, 32]),
                N_(
                    "That is the column-vector convention (WᵀXᵀ); Keras keeps one example per row, so the batch comes first."
                ),
                (3, 32),
            ),
            Mistake(
                "input shape",
                near([32, 4]),
                N_(
                    "That is the shape of the input X; the layer turns 4 features into 3 outputs."
                ),
                (32, 4),
            ),
            Mistake(
                "kernel shape",
                near([4, 3]),
                N_("That is the shape of the weights W, not of the layer's output."),
                (4, 3),
            ),
            Mistake(
                "one example",
                near([3]),
                N_(
                    "That is the shape of b, or of one example's output; a batch of 32 gives 32 rows of 3 outputs."
                ),
                (3,),
            ),
        ),
    )
)


register(
    Exercise(
        key="01.3",
        title=N_("a dense sigmoid layer forward(x, W, b)"),
        solution=_forward_reference,
        hint=(
            N_(
                "For x of shape (m, n_in), W of shape (n_in, n_out) and b of shape (n_out,), compute Z = x @ W + b, "
                "then apply the sigmoid 1 / (1 + np.exp(-Z)) to every entry."
            )
        ),
        evaluate=evaluate_forward,
        mistakes=(
            Mistake(
                "wrong orientation",
                lambda value: isinstance(value, ShapeMismatch),
                N_(
                    "The matrix shapes do not fit: with x of shape (m, n_in) and W of shape (n_in, n_out), the product "
                    "is x @ W (not x @ W.T, W @ x or W.T @ x)."
                ),
                lambda x, W, b: sigmoid(x @ W.T + b),
            ),
            Mistake(
                "no bias",
                near(sigmoid(FORWARD_X @ FORWARD_W)),
                N_("The bias is missing: add b to x @ W before the activation."),
                lambda x, W, b: sigmoid(x @ W),
            ),
            Mistake(
                "no activation",
                near(FORWARD_X @ FORWARD_W + FORWARD_B),
                N_(
                    "That is Z = x @ W + b, the pre-activation; the layer still has to apply the sigmoid."
                ),
                lambda x, W, b: x @ W + b,
            ),
            Mistake(
                "bias after activation",
                near(sigmoid(FORWARD_X @ FORWARD_W) + FORWARD_B),
                N_(
                    "The bias is added after the sigmoid; it belongs inside: σ(x @ W + b)."
                ),
                lambda x, W, b: sigmoid(x @ W) + b,
            ),
            Mistake(
                "tanh",
                near(np.tanh(FORWARD_X @ FORWARD_W + FORWARD_B)),
                N_(
                    "That applies tanh; this layer's activation is the sigmoid 1 / (1 + e^(−z))."
                ),
                lambda x, W, b: np.tanh(x @ W + b),
            ),
        ),
    )
)


register(
    Exercise(
        key="01.4",
        title=N_("the parameters of a 2 → 3 → 1 network"),
        solution=13,
        hint=(
            N_(
                "A dense layer from n_in inputs to n_out neurons has n_in · n_out weights and n_out biases. "
                "Add the counts of both layers."
            )
        ),
        mistakes=(
            Mistake.near(
                "weights only",
                9,
                N_(
                    "9 counts the weights only (2·3 + 3·1), or the first layer only; every neuron also has a bias."
                ),
            ),
            Mistake.near(
                "output bias forgotten",
                12,
                N_("The output neuron has a bias too: one more parameter."),
            ),
            Mistake.near(
                "first weights only",
                6,
                N_("6 is the first layer's weight matrix W1 alone (2·3)."),
            ),
            Mistake.near(
                "neurons",
                4,
                N_(
                    "4 counts the neurons (3 hidden + 1 output), not their weights and biases."
                ),
            ),
        ),
    )
)

#: For tests: the precision each numeric exercise's question asks for (an exact answer: the
#: decimals it has), by key; its reference rounded or cut to it, or to one more digit, passes.
PRECISION: dict[str, dict[str, int]] = {
    "01.1": {"significant": SIGMOID_DIGITS},
    "01.4": {"decimals": 0},
}
