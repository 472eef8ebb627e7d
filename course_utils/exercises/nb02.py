"""Exercises of notebook 02_loss_cost_and_gradient_descent, in the notebook's order.

Each exercise registers itself on import; ``course_utils.checks.check("02.k", answer)``
finds it. ``tests/test_checks.py`` proves that every reference solution passes and every
typical mistake is recognised.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_too_coarsely
from course_utils.gradient_descent import NAMES_TO_CLASSIFY
from course_utils.i18n import N_

HYPERPARAMETERS = frozenset(
    {"learning_rate", "epochs", "batch_size", "huber_delta", "hidden_units"}
)


def hyperparameter_indicator(
    answer: set[str] | list[str] | tuple[str, ...],
) -> list[float]:
    """1.0 for each name of :data:`NAMES_TO_CLASSIFY` that ``answer`` lists as a hyperparameter, else 0.0.

    Used in: 02_loss_cost_and_gradient_descent (exercise 02.4).
    """
    if isinstance(answer, (str, bytes)) or not isinstance(
        answer, (set, frozenset, list, tuple)
    ):
        raise TypeError(
            f"give a set of names such as {{'epochs', 'w'}}, not a {type(answer).__name__}."
        )
    names = set()
    for name in answer:
        if not isinstance(name, str):
            raise TypeError(
                f"every name must be a string from {list(NAMES_TO_CLASSIFY)}, got {name!r}."
            )
        names.add(name.strip())
    unknown = names - set(NAMES_TO_CLASSIFY)
    if unknown:
        raise ValueError(
            f"unknown name(s) {sorted(unknown)}; choose from {list(NAMES_TO_CLASSIFY)}."
        )
    return [1.0 if name in names else 0.0 for name in NAMES_TO_CLASSIFY]


def _lists(name: str) -> Callable[[list[float]], bool]:
    index = NAMES_TO_CLASSIFY.index(name)
    return lambda indicator: indicator[index] == 1.0


def _misses(name: str) -> Callable[[list[float]], bool]:
    index = NAMES_TO_CLASSIFY.index(name)
    return lambda indicator: indicator[index] == 0.0


register(
    Exercise(
        key="02.1",
        title=N_("the cost J of four predictions"),
        solution=1.3125,
        hint=N_(
            "Square each error ŷᵢ − yᵢ (these are the per-sample losses), then take their mean: divide the sum by m = 4."
        ),
        mistakes=(
            Mistake.near(
                "per-sample losses",
                [0.25, 0.0, 1.0, 4.0],
                N_(
                    "Those are the four per-sample losses L; the cost J is one number, their mean."
                ),
            ),
            Mistake.near(
                "sum, not mean",
                5.25,
                N_("That is the sum of the losses; the cost divides it by m = 4."),
            ),
            Mistake.near(
                "no square",
                -0.125,
                N_(
                    "That is the mean signed error: positive and negative errors cancel. Square each error first."
                ),
            ),
            Mistake.near(
                "absolute errors",
                0.875,
                N_(
                    "That is the mean absolute error (MAE); the MSE cost squares each error."
                ),
            ),
            Mistake(
                "root",
                near(np.sqrt(1.3125)),
                N_("That is the root of the cost (RMSE); J itself has no square root."),
                float(np.sqrt(1.3125)),
            ),
            Mistake.near(
                "halved",
                0.65625,
                N_(
                    "That is half the MSE; the ½ convention is not used in this course's J."
                ),
            ),
            rounded_too_coarsely(
                1.3125, N_("The cost is exact: 21/16 = 1.3125."), decimals=4, exact=True
            ),
        ),
    )
)


register(
    Exercise(
        key="02.2",
        title=N_("one gradient-descent step by hand"),
        solution=(0.8, 0.5),
        hint=(
            N_(
                "With ŷ = 0 the errors are ŷᵢ − yᵢ = (−2, −3). Then ∂J/∂w = (2/m) Σ (ŷᵢ − yᵢ) xᵢ and "
                "∂J/∂b = (2/m) Σ (ŷᵢ − yᵢ) with m = 2, and each parameter moves by −η times its slope."
            )
        ),
        mistakes=(
            Mistake(
                "the gradient itself",
                near([-8.0, -5.0]),
                N_(
                    "That is the gradient (∂J/∂w, ∂J/∂b); the step moves against it, scaled by η."
                ),
                (-8.0, -5.0),
            ),
            Mistake(
                "uphill",
                near([-0.8, -0.5]),
                N_(
                    "That step goes uphill: gradient descent subtracts η times the gradient."
                ),
                (-0.8, -0.5),
            ),
            Mistake(
                "no learning rate",
                near([8.0, 5.0]),
                N_("The learning rate η = 0.1 is missing: the step is −η·∇J, not −∇J."),
                (8.0, 5.0),
            ),
            Mistake(
                "no factor 2",
                near([0.4, 0.25]),
                N_("The factor 2 from differentiating the square is missing."),
                (0.4, 0.25),
            ),
            Mistake(
                "sum, not mean",
                near([1.6, 1.0]),
                N_(
                    "That uses the sum of the losses; the cost is their mean, so divide by m = 2."
                ),
                (1.6, 1.0),
            ),
            Mistake(
                "no x in ∂J/∂w",
                near([0.5, 0.5]),
                N_("∂J/∂w multiplies each error by its input xᵢ; ∂J/∂b does not."),
                (0.5, 0.5),
            ),
        ),
    )
)


register(
    Exercise(
        key="02.3",
        title=N_("the largest learning rate that converges"),
        solution=0.5,
        hint=(
            N_(
                "For J(w) = 2w² the slope is J'(w) = 4w, so one step gives w ← w − η·4w = (1 − 4η)·w. "
                "The steps shrink w exactly when |1 − 4η| < 1."
            )
        ),
        mistakes=(
            Mistake.near(
                "one-step rate",
                0.25,
                N_(
                    "At η = 0.25 one step lands exactly on the minimum; larger rates still converge while they overshoot "
                    "by less than they started."
                ),
            ),
            Mistake.near(
                "curvature 2",
                1.0,
                N_(
                    "That takes the curvature to be 2; J = 2w² has J'' = 4 (its slope is 4w)."
                ),
            ),
            Mistake.near(
                "half the curvature",
                0.125,
                N_("The bound is η < 2 / J'' = 2 / 4, not 1 / (2·J'')."),
            ),
        ),
    )
)


register(
    Exercise(
        key="02.4",
        title=N_("parameters or hyperparameters"),
        solution=set(HYPERPARAMETERS),
        hint=N_(
            "Ask of each name: does training change it (a parameter), or do you choose it before training starts (a hyperparameter)?"
        ),
        evaluate=hyperparameter_indicator,
        mistakes=(
            Mistake(
                "weights as hyperparameters",
                lambda ind: _lists("w")(ind) or _lists("b")(ind),
                N_(
                    "w and b are parameters: gradient descent learns them. Calling them hyperparameters is the source "
                    "article's mistake."
                ),
                set(HYPERPARAMETERS) | {"w", "b"},
            ),
            Mistake(
                "δ forgotten",
                _misses("huber_delta"),
                N_(
                    "Huber's δ is a hyperparameter: you choose it, it is a setting of the loss, and training never updates it."
                ),
                set(HYPERPARAMETERS) - {"huber_delta"},
            ),
            Mistake(
                "architecture forgotten",
                _misses("hidden_units"),
                N_(
                    "The number of hidden units is a hyperparameter too: it fixes the model's shape before training."
                ),
                set(HYPERPARAMETERS) - {"hidden_units"},
            ),
            Mistake(
                "batch size or epochs forgotten",
                lambda ind: _misses("batch_size")(ind) or _misses("epochs")(ind),
                N_(
                    "The batch size B and the number of epochs are settings of the training loop "
                    "(section 5: fit(batch_size=B, epochs=E)): you choose them, and no gradient "
                    "changes them."
                ),
                set(HYPERPARAMETERS) - {"batch_size", "epochs"},
            ),
        ),
    )
)

#: For tests: the precision each numeric exercise's question asks for (an exact answer: the
#: decimals it has), by key; its reference rounded or cut to it, or to one more digit, passes.
PRECISION: dict[str, dict[str, int]] = {
    "02.1": {"decimals": 4},
    "02.2": {"decimals": 1},
    "02.3": {"decimals": 1},
}
