"""Random inputs for the loss tests, drawn from the domains an entry declares (course_utils.losses)."""

from __future__ import annotations

from typing import Any

import numpy as np

#: The shapes every element-wise loss is tried on: (N,), (N, 1), (N, k) and (N, H, W, C).
SHAPES: tuple[tuple[int, ...], ...] = ((6,), (5, 1), (4, 3), (2, 3, 2, 4))


def draw(
    domain: str,
    shape: tuple[int, ...],
    rng: np.random.Generator,
    *,
    scale: float = 1.0,
    edges: bool = True,
) -> np.ndarray:
    """An array of ``shape`` from ``domain``; ``edges`` mixes in the boundary values (exact 0 and 1, …).

    For "index" the shape is that of the predictions: the labels get ``shape[:-1]`` and values
    below ``shape[-1]``.
    """
    k = shape[-1] if shape else 1
    if domain in ("real", "logits", "embedding"):
        return rng.normal(0.0, scale, size=shape)
    if domain == "positive":
        return rng.uniform(0.05, 3.0, size=shape) * scale
    if domain == "nonnegative":
        values = rng.uniform(0.0, 3.0, size=shape) * scale
        if edges:
            values[rng.random(shape) < 0.2] = 0.0
        return values
    if domain == "probability":
        values = rng.uniform(0.02, 0.98, size=shape)
        if edges:
            mask = rng.random(shape)
            values[mask < 0.15] = 0.0
            values[mask > 0.85] = 1.0
        return values
    if domain == "distribution":
        values = rng.dirichlet(np.ones(k), size=shape[:-1]) if shape else np.array(1.0)
        if edges and k > 2:
            values = values.reshape(-1, k)
            values[0] = 0.0
            values[0, 0] = 1.0
            values = values.reshape(shape)
        return values
    if domain == "binary":
        return rng.integers(0, 2, size=shape).astype(np.float64)
    if domain == "signed":
        return rng.choice([-1.0, 1.0], size=shape)
    if domain == "one_hot":
        return np.eye(k)[rng.integers(0, k, size=shape[:-1])]
    if domain == "index":
        return rng.integers(0, k, size=shape[:-1])
    raise ValueError(
        f"domain {domain!r} has no generic generator; test that loss in its own file."
    )


def pair(
    entry: Any,
    shape: tuple[int, ...],
    rng: np.random.Generator,
    *,
    scale: float = 1.0,
    edges: bool = True,
    from_logits: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) for a catalog entry, predictions of ``shape``."""
    y_true = draw(entry.y_true_domain, shape, rng, scale=scale, edges=edges)
    pred_domain = "logits" if from_logits else entry.y_pred_domain
    y_pred = draw(pred_domain, shape, rng, scale=scale, edges=edges)
    return y_true, y_pred
