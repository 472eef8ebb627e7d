"""Exercises of notebook 03_backpropagation, in the notebook's order.

Each exercise registers itself on import; ``course_utils.checks.check("03.k", answer)``
finds it. ``tests/test_checks.py`` proves that every reference solution passes and every
typical mistake is recognised.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.backprop import LAYER_B, LAYER_X
from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_too_coarsely, tolerance
from course_utils.i18n import N_
from course_utils.neuron import sigmoid

LAYER_W = np.array([[1.0, -0.5, 2.0], [0.5, 1.5, -1.0]])


LAYER_A = sigmoid(LAYER_X @ LAYER_W + LAYER_B)


LAYER_DA = np.array(
    [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.0], [0.2, 0.2, -0.1], [0.0, -0.3, 0.4]]
)


def evaluate_layer_backward(layer_backward: Callable[..., tuple]) -> np.ndarray:
    """Call a learner's ``layer_backward(dA, A, X, W) -> (dW, db, dX)`` on the fixed inputs of exercise 03.4.

    dA and A have shape (4, 3), X (4, 2), W (2, 3). Returns dW, db and dX flattened one after the other;
    a result of the wrong shape raises an error that says which shape was expected.
    Used in: 03_backpropagation (exercise 03.4).
    """
    if not callable(layer_backward):
        raise TypeError(
            f"give a function layer_backward(dA, A, X, W), not a {type(layer_backward).__name__}."
        )
    result = layer_backward(
        LAYER_DA.copy(), LAYER_A.copy(), LAYER_X.copy(), LAYER_W.copy()
    )
    if result is Ellipsis:
        raise TypeError(
            "layer_backward still returns `...`; replace it with `return dW, db, dX`."
        )
    if result is None:
        raise TypeError(
            "layer_backward returned nothing; end it with `return dW, db, dX`."
        )
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise TypeError("layer_backward must return three arrays: `return dW, db, dX`.")
    expected = {"dW": LAYER_W.shape, "db": LAYER_B.shape, "dX": LAYER_X.shape}
    arrays = []
    for (name, shape), value in zip(expected.items(), result):
        array = np.asarray(value, dtype=float)
        if array.shape != shape:
            raise ValueError(
                f"{name} must have shape {shape} (the shape of {name[1:]}), got {array.shape}."
            )
        arrays.append(array.ravel())
    return np.concatenate(arrays)


def _layer_backward_reference(
    dA: np.ndarray, A: np.ndarray, X: np.ndarray, W: np.ndarray
) -> tuple:
    dZ = dA * A * (1 - A)
    return X.T @ dZ, dZ.sum(axis=0), dZ @ W.T


def _layer_answer(
    dZ: np.ndarray, db: np.ndarray | None = None, dX: np.ndarray | None = None
) -> np.ndarray:
    return np.concatenate(
        [
            (LAYER_X.T @ dZ).ravel(),
            (dZ.sum(axis=0) if db is None else db).ravel(),
            (dZ @ LAYER_W.T if dX is None else dX).ravel(),
        ]
    )


_LAYER_DZ = LAYER_DA * LAYER_A * (1 - LAYER_A)


register(
    Exercise(
        key="03.1",
        title=N_("∂L/∂z of a sigmoid output with cross-entropy"),
        solution=-0.2,
        hint=(
            N_(
                "Chain rule: ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z. For L = −log ŷ (target y = 1), ∂L/∂ŷ = −1/ŷ; for ŷ = σ(z), "
                "∂ŷ/∂z = ŷ(1 − ŷ). Multiply, or use the shortcut ŷ − y."
            )
        ),
        mistakes=(
            Mistake.near(
                "sign",
                0.2,
                N_(
                    "That is y − ŷ: the gradient is ŷ − y, negative here, so gradient descent raises z."
                ),
            ),
            Mistake.near(
                "stopped at ŷ",
                -1.25,
                N_(
                    "That is ∂L/∂ŷ = −1/ŷ; one more link of the chain is missing: ∂ŷ/∂z = ŷ(1 − ŷ) = 0.16."
                ),
            ),
            Mistake.near(
                "σ' twice",
                -0.032,
                N_(
                    "That multiplies ŷ − y by σ'(z) once more; the σ' is already inside ŷ − y (it cancelled the 1/(ŷ(1 − ŷ)))."
                ),
            ),
            Mistake.near(
                "squared error",
                -0.064,
                N_(
                    "That is the gradient of the squared error (ŷ − y)² through the sigmoid, 2(ŷ − y)ŷ(1 − ŷ); the loss here "
                    "is the cross-entropy."
                ),
            ),
        ),
    )
)


register(
    Exercise(
        key="03.2",
        title=N_("the gradient of a first-layer weight"),
        solution=-0.216,
        hint=(
            N_(
                "Walk the graph back from the output: ∂L/∂W[1]₁₁ = ∂L/∂z · W[2]₁₁ · "
                "a[1](1 − a[1]) · x, with ∂L/∂z = ŷ − y = 0.3, W[2]₁₁ = −1.5, "
                "a[1](1 − a[1]) = 0.6 · 0.4 and x = 2."
            )
        ),
        mistakes=(
            Mistake.near(
                "no σ'",
                -0.9,
                N_(
                    "The sigmoid of the hidden unit is missing from the chain: multiply by its slope "
                    "a[1](1 − a[1]) = 0.24."
                ),
            ),
            Mistake.near(
                "a[1] instead of a[1](1 − a[1])",
                -0.54,
                N_(
                    "That multiplies by a[1] = 0.6; the slope of the sigmoid is a[1](1 − a[1]) = 0.24."
                ),
            ),
            Mistake.near(
                "no input",
                -0.108,
                N_(
                    "The last link is ∂z[1]/∂W[1]₁₁ = x = 2: a weight's gradient is scaled by its input."
                ),
            ),
            Mistake.near(
                "no output weight",
                0.144,
                N_(
                    "The output weight W[2]₁₁ = −1.5 is missing: the gradient reaches a[1] through it, "
                    "as ∂z/∂a[1] = W[2]₁₁."
                ),
            ),
            Mistake.near(
                "sign",
                0.216,
                N_(
                    "Check the signs: 0.3 · (−1.5) is negative, and the other factors are positive."
                ),
            ),
            rounded_too_coarsely(
                -0.216, N_("The product is exact: −0.216."), decimals=3, exact=True
            ),
        ),
    )
)


#: Exercise 03.3 asks for this many significant digits.
VANISHING_DIGITS = 2

register(
    Exercise(
        key="03.3",
        title=N_("how small the sigmoid's factors get after 10 layers"),
        solution=0.25**10,
        hint=(
            N_(
                "Each layer multiplies the gradient by σ'(z) ≤ 0.25 (times a weight, here 1). "
                "Ten layers multiply ten such factors; 2 significant digits are enough."
            )
        ),
        mistakes=(
            Mistake.near(
                "one layer",
                0.25,
                N_(
                    "That is the bound for one layer; ten layers multiply ten factors of at most 0.25."
                ),
            ),
            Mistake.near(
                "added",
                2.5,
                N_(
                    "The chain rule multiplies the factors of the layers; it does not add them."
                ),
            ),
            Mistake.near(
                "σ instead of σ'",
                0.5**10,
                N_(
                    "That uses σ(0) = 0.5; backpropagation multiplies by the slope σ'(z), at most σ'(0) = 0.25."
                ),
                rtol=1e-3,
            ),
            rounded_too_coarsely(
                0.25**10, N_("0.25¹⁰ = 9.537e-07."), significant=VANISHING_DIGITS
            ),
        ),
        # 2 significant digits, cut or rounded: |9.5e-7 − 0.25**10| = 3.7e-9 < 1.02e-8
        rtol=0.0,
        atol=tolerance(0.25**10, significant=VANISHING_DIGITS),
    )
)


register(
    Exercise(
        key="03.4",
        title=N_("the backward pass of a dense sigmoid layer"),
        solution=_layer_backward_reference,
        hint=(
            N_(
                "First dZ = dA * A * (1 - A) (the sigmoid's slope, element-wise). Then dW = X.T @ dZ, db = dZ summed over "
                "the rows (axis=0), and dX = dZ @ W.T."
            )
        ),
        evaluate=evaluate_layer_backward,
        mistakes=(
            Mistake(
                "no σ'",
                near(_layer_answer(LAYER_DA)),
                N_(
                    "The sigmoid's slope is missing: multiply dA by A * (1 - A) to get dZ before anything else."
                ),
                lambda dA, A, X, W: (X.T @ dA, dA.sum(axis=0), dA @ W.T),
            ),
            Mistake(
                "σ' written as A",
                near(_layer_answer(LAYER_DA * LAYER_A)),
                N_("The sigmoid's slope is A * (1 - A), not A."),
                lambda dA, A, X, W: (
                    X.T @ (dA * A),
                    (dA * A).sum(axis=0),
                    (dA * A) @ W.T,
                ),
            ),
            Mistake(
                "mean for db",
                near(_layer_answer(_LAYER_DZ, db=_LAYER_DZ.mean(axis=0))),
                N_(
                    "db sums dZ over the examples (the 1/m is already inside dA); taking the mean divides by m twice."
                ),
                lambda dA, A, X, W: (
                    X.T @ (dA * A * (1 - A)),
                    (dA * A * (1 - A)).mean(axis=0),
                    (dA * A * (1 - A)) @ W.T,
                ),
            ),
            Mistake(
                "dX skips σ'",
                near(_layer_answer(_LAYER_DZ, dX=LAYER_DA @ LAYER_W.T)),
                N_("dX must pass through the sigmoid too: use dZ @ W.T, not dA @ W.T."),
                lambda dA, A, X, W: (
                    X.T @ (dA * A * (1 - A)),
                    (dA * A * (1 - A)).sum(axis=0),
                    dA @ W.T,
                ),
            ),
        ),
    )
)

#: For tests: the precision each numeric exercise's question asks for (an exact answer: the
#: decimals it has), by key; its reference rounded or cut to it, or to one more digit, passes.
PRECISION: dict[str, dict[str, int]] = {
    "03.1": {"decimals": 1},
    "03.2": {"decimals": 3},
    "03.3": {"significant": VANISHING_DIGITS},
}
