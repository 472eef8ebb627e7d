"""Exercises of notebook 00_start_here, in the notebook's order.

Each exercise registers itself on import; ``course_utils.checks.check("00.k", answer)``
finds it. ``tests/test_checks.py`` proves that every reference solution passes and every
typical mistake is recognised.
"""

from __future__ import annotations

from course_utils.checks import Exercise, Mistake, register
from course_utils.exercises._precision import rounded_too_coarsely
from course_utils.i18n import N_

register(
    Exercise(
        key="00.1",
        title=N_("squared error of one prediction"),
        solution=0.49,
        hint=N_(
            "Subtract the target from the prediction, then square the difference: (ŷ − y)²."
        ),
        mistakes=(
            Mistake.near(
                "no square",
                -0.7,
                N_("That is the signed error ŷ − y; the loss squares it."),
            ),
            Mistake.near(
                "absolute error",
                0.7,
                N_("That is the absolute error |ŷ − y|; the squared error squares it."),
            ),
            Mistake.near(
                "halved",
                0.245,
                N_(
                    "That is half the squared error; the ½ convention is not used here."
                ),
            ),
            Mistake.near(
                "squared prediction",
                0.09,
                N_("That squares the prediction alone; square the difference ŷ − y."),
            ),
            rounded_too_coarsely(
                0.49, N_("(ŷ − y)² = (−0.7)² = 0.49 exactly."), decimals=2, exact=True
            ),
        ),
    )
)


register(
    Exercise(
        key="00.2",
        title=N_("slope of the squared error"),
        solution=-1.4,
        hint=N_(
            "Differentiate (ŷ − y)² with respect to ŷ: the chain rule gives 2(ŷ − y)."
        ),
        mistakes=(
            Mistake.near(
                "sign flipped",
                1.4,
                N_(
                    "The sign is flipped: ŷ is below y, so the loss falls as ŷ grows and the slope is negative."
                ),
            ),
            Mistake.near(
                "no factor 2",
                -0.7,
                N_("The factor 2 from differentiating the square is missing."),
            ),
            Mistake.near(
                "the loss itself", 0.49, N_("That is the loss, not its slope.")
            ),
        ),
    )
)

#: For tests: the precision each numeric exercise's question asks for (an exact answer: the
#: decimals it has), by key; its reference rounded or cut to it, or to one more digit, passes.
PRECISION: dict[str, dict[str, int]] = {
    "00.1": {"decimals": 2},
    "00.2": {"decimals": 1},
}
