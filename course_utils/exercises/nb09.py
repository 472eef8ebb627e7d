"""Exercises of notebook 09 (the variational autoencoder), in the notebook's order.

The KL reference comes from the loss library (``course_utils.losses.vae``), the sampling reference
from ``course_utils.vae_lab.reparameterise``: the same code the notebook trains with; the
active-unit count from ``vae_lab.latent_activity`` and ``vae_lab.active_units``; the floor of 09.5 is
``vae_lab.bce_sum_per_image`` of the pixels against themselves (checked in tests/test_vae_lab.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.checks import Exercise, Mistake, near, register
from course_utils.exercises._precision import rounded_coarser, tolerance
from course_utils.i18n import N_
from course_utils.losses.vae import gaussian_kl_numpy
from course_utils.vae_lab import (
    ACTIVE_THRESHOLD,
    active_units,
    latent_activity,
    reparameterise,
)

# ----------------------------------------------------------------------------- 09.1 KL by hand

#: Exercise 09.1: one image's encoder outputs, μ and log σ² (σ² = 1 and 1/4).
KL_MEAN = np.array([1.0, -0.5])
KL_LOG_VAR = np.array([0.0, np.log(0.25)])

_KL = float(gaussian_kl_numpy(KL_MEAN, KL_LOG_VAR))
_TERMS = KL_MEAN**2 + np.exp(KL_LOG_VAR) - 1.0 - KL_LOG_VAR

#: The question asks for 3 decimals: the KL rounded or cut to 3 decimals (or more) passes; an
#: answer rounded more coarsely gets its own message.
KL_DECIMALS = 3
_KL_TOLERANCE = tolerance(_KL, decimals=KL_DECIMALS)


register(
    Exercise(
        key="09.1",
        title=N_("the KL term of one image"),
        solution=_KL,
        hint=(
            N_(
                "KL = ½ Σⱼ (μⱼ² + σⱼ² − 1 − log σⱼ²), summed over the two latent dimensions, "
                "with σⱼ² = exp(log σⱼ²) and the natural log."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_KL, decimals=KL_DECIMALS),
                N_("Close, but rounded too coarsely: give the KL to 3 decimals."),
                round(_KL, KL_DECIMALS - 1),
            ),
            Mistake(
                "no one half",
                near(float(np.sum(_TERMS)), rtol=1e-4),
                N_(
                    "That is twice the KL: the closed form has a factor ½ in front of the sum."
                ),
                float(np.sum(_TERMS)),
            ),
            Mistake(
                "mean over dimensions",
                near(_KL / 2, rtol=1e-4),
                N_(
                    "That is the mean over the latent dimensions. The KL of independent coordinates "
                    "adds up: sum over j."
                ),
                _KL / 2,
            ),
            Mistake(
                "dropped the −1",
                near(_KL + 1.0, rtol=1e-4),
                N_(
                    "You dropped the −1 in each term: at μ = 0, σ² = 1 (the prior itself) the KL must "
                    "be 0."
                ),
                _KL + 1.0,
            ),
            Mistake(
                "σ instead of σ²",
                near(
                    float(
                        0.5
                        * np.sum(
                            KL_MEAN**2 + np.exp(0.5 * KL_LOG_VAR) - 1.0 - KL_LOG_VAR
                        )
                    ),
                    rtol=1e-4,
                ),
                N_(
                    "You used σ = exp(½ log σ²) where the formula has the variance σ² = exp(log σ²)."
                ),
                float(
                    0.5
                    * np.sum(KL_MEAN**2 + np.exp(0.5 * KL_LOG_VAR) - 1.0 - KL_LOG_VAR)
                ),
            ),
        ),
        rtol=0.0,
        atol=_KL_TOLERANCE,
    )
)

# ----------------------------------------------------------------------------- 09.2 sum vs mean

#: Exercise 09.2: pixels per image.
PIXELS = 784

register(
    Exercise(
        key="09.2",
        title=N_("the β hidden in a mean over pixels"),
        solution=float(PIXELS),
        hint=(
            N_(
                "Multiply the colleague's loss R/784 + KL by 784: the minimiser does not change. "
                "Read off the weight that KL now has next to the summed R."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "inverted",
                near(1.0 / PIXELS),
                N_(
                    "That is the factor on the reconstruction, not on the KL. Averaging makes the "
                    "reconstruction 784 times smaller, so the KL weighs 784 times *more*."
                ),
                1.0 / PIXELS,
            ),
            Mistake(
                "no change",
                near(1.0),
                N_(
                    "Averaging is not harmless: it divides one term by 784 and leaves the other alone, "
                    "which changes their balance."
                ),
                1.0,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 09.3 sampling

#: Exercise 09.3: the inputs the learner's sampling function is called with.
SAMPLE_MEAN = np.array([[0.5, -1.0], [2.0, 0.0]])
SAMPLE_LOG_VAR = np.array([[0.0, np.log(4.0)], [np.log(0.25), -2.0]])
SAMPLE_NOISE = np.array([[1.0, -0.5], [0.3, 2.0]])


def _call_sampler(sampler: Any) -> np.ndarray:
    z = sampler(SAMPLE_MEAN.copy(), SAMPLE_LOG_VAR.copy(), SAMPLE_NOISE.copy())
    if z is Ellipsis:
        raise ValueError(
            "the function still returns `...`: write the formula in its place"
        )
    return np.asarray(z, dtype=float)


def _reference_sampler(mean: Any, log_var: Any, noise: Any) -> np.ndarray:
    return reparameterise(mean, log_var, noise)


def _variance_as_scale(mean: Any, log_var: Any, noise: Any) -> Any:
    return mean + np.exp(log_var) * noise


def _log_var_as_scale(mean: Any, log_var: Any, noise: Any) -> Any:
    return mean + log_var * noise


def _no_mean(mean: Any, log_var: Any, noise: Any) -> Any:
    return np.exp(0.5 * log_var) * noise


register(
    Exercise(
        key="09.3",
        title=N_("the reparameterisation trick"),
        solution=_reference_sampler,
        hint=(
            N_(
                "z = μ + σ ⊙ ε, and the encoder gives log σ², so σ = exp(½ · log σ²). "
                "Use NumPy operations; all three inputs have the same shape."
            )
        ),
        evaluate=_call_sampler,
        mistakes=(
            Mistake(
                "variance as scale",
                near(_call_sampler(_variance_as_scale)),
                N_(
                    "You scaled the noise by the variance σ² = exp(log σ²); it must be scaled by the "
                    "standard deviation σ = exp(½ log σ²)."
                ),
                _variance_as_scale,
            ),
            Mistake(
                "log-variance as scale",
                near(_call_sampler(_log_var_as_scale)),
                N_(
                    "You scaled the noise by log σ² itself, which can be negative; exponentiate it "
                    "first (σ = exp(½ log σ²))."
                ),
                _log_var_as_scale,
            ),
            Mistake(
                "no mean",
                near(_call_sampler(_no_mean)),
                N_("The samples must be centred on μ: add the mean."),
                _no_mean,
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 09.4 active units

#: Exercise 09.4: encoder means μ of five images (rows) in six latent units (columns).
ACTIVE_MEAN = np.array(
    [
        [-1.0, 0.3, 0.05, 0.01, 0.8, -0.2],
        [1.0, -0.3, -0.05, 0.0, 0.8, -0.2],
        [0.0, 0.0, 0.0, 0.0, 0.8, -0.2],
        [2.0, 0.3, 0.05, 0.0, 0.8, -0.2],
        [-2.0, -0.3, -0.05, -0.01, 0.8, -0.2],
    ]
)

_ACTIVITY = latent_activity(ACTIVE_MEAN)
_ACTIVE = active_units(_ACTIVITY)
_STD_ACTIVE = int(np.sum(np.sqrt(_ACTIVITY) > ACTIVE_THRESHOLD))
_INACTIVE = ACTIVE_MEAN.shape[1] - _ACTIVE
_ACROSS_UNITS = int(np.sum(ACTIVE_MEAN.var(axis=1) > ACTIVE_THRESHOLD))
# Each mistake must give its own count, or a check could not tell them apart.
assert len({_ACTIVE, _STD_ACTIVE, _INACTIVE, _ACROSS_UNITS}) == 4


def _as_count(answer: Any) -> float:
    value = float(answer)
    if value != int(value) or value < 0:
        raise ValueError(
            f"a number of latent units is a whole number >= 0, got {answer}"
        )
    return value


register(
    Exercise(
        key="09.4",
        title=N_("count the active latent units"),
        solution=float(_ACTIVE),
        hint=(
            N_(
                "For each latent unit (column) compute the variance of μ over the images (rows), "
                "np.var(means, axis=0), and count the units whose variance exceeds 0.01."
            )
        ),
        evaluate=_as_count,
        mistakes=(
            Mistake(
                "standard deviation",
                near(float(_STD_ACTIVE)),
                N_(
                    "You compared the standard deviation of μ with 0.01; the criterion is on the "
                    "variance Cov_x(E[z|x]), and a spread of 0.05 is a variance of only 0.0025."
                ),
                float(_STD_ACTIVE),
            ),
            Mistake(
                "counted the inactive units",
                near(float(_INACTIVE)),
                N_(
                    "That is the number of inactive (collapsed) units: count those whose variance "
                    "is *above* 0.01."
                ),
                float(_INACTIVE),
            ),
            Mistake(
                "variance across units",
                near(float(_ACROSS_UNITS)),
                N_(
                    "You took the variance along each row, across the units of one image. Activity "
                    "is per unit: the variance of one column over the images (axis=0)."
                ),
                float(_ACROSS_UNITS),
            ),
        ),
    )
)

# ----------------------------------------------------------------------------- 09.5 the floor of R

#: Exercise 09.5: six pixels of a tiny image (grey values included), rebuilt exactly (x̂ = x).
FLOOR_PIXELS = np.array([0.0, 0.5, 1.0, 0.2, 0.9, 0.0])


def _entropy_terms(x: np.ndarray, log: Any = np.log) -> np.ndarray:
    """−[x log x + (1 − x) log(1 − x)] per pixel, 0 for a pixel of exactly 0 or 1."""
    inside = (x > 0) & (x < 1)
    safe = np.where(inside, x, 0.5)
    terms = -(safe * log(safe) + (1 - safe) * log(1 - safe))
    return np.where(inside, terms, 0.0)


_FLOOR = float(np.sum(_entropy_terms(FLOOR_PIXELS)))
_FLOOR_BITS = float(np.sum(_entropy_terms(FLOOR_PIXELS, np.log2)))
_inside = (FLOOR_PIXELS > 0) & (FLOOR_PIXELS < 1)
_FLOOR_INK_ONLY = float(-np.sum(FLOOR_PIXELS[_inside] * np.log(FLOOR_PIXELS[_inside])))

#: The question asks for 3 decimals, like 09.1.
FLOOR_DECIMALS = 3
_FLOOR_TOLERANCE = tolerance(_FLOOR, decimals=FLOOR_DECIMALS)

register(
    Exercise(
        key="09.5",
        title=N_("the floor under the reconstruction term"),
        solution=_FLOOR,
        hint=(
            N_(
                "With x̂ = x each pixel costs −[x ln x + (1 − x) ln(1 − x)], its binary entropy "
                "H(x) in nats; a pixel of exactly 0 or 1 costs 0. Sum over the six pixels."
            )
        ),
        evaluate=float,
        mistakes=(
            Mistake(
                "rounded too coarsely",
                rounded_coarser(_FLOOR, decimals=FLOOR_DECIMALS),
                N_("Close, but rounded too coarsely: give R to 3 decimals."),
                round(_FLOOR, FLOOR_DECIMALS - 1),
            ),
            Mistake.near(
                "a perfect decoder pays nothing",
                0.0,
                N_(
                    "Only for pixels of exactly 0 or 1. A grey pixel x = 0.5 rebuilt as 0.5 still "
                    "costs ln 2 nats: the cross-entropy of x with itself is its entropy H(x) > 0."
                ),
            ),
            Mistake.near(
                "bits",
                _FLOOR_BITS,
                N_(
                    "That is in bits (log base 2). The lab's loss uses the natural log: nats."
                ),
                rtol=1e-4,
            ),
            Mistake.near(
                "mean over pixels",
                _FLOOR / len(FLOOR_PIXELS),
                N_(
                    "That is the mean over the six pixels; R sums over the pixels of an image."
                ),
                rtol=1e-4,
            ),
            Mistake.near(
                "dropped the (1 − x) term",
                _FLOOR_INK_ONLY,
                N_(
                    "You kept only −x ln x. The binary cross-entropy has a second term, "
                    "−(1 − x) ln(1 − x), for the chance that the pixel is blank."
                ),
                rtol=1e-4,
            ),
        ),
        rtol=0.0,
        atol=_FLOOR_TOLERANCE,
    )
)
