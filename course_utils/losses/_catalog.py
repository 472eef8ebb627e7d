"""The catalog's data types and registry: one :class:`LossEntry` per Keras loss.

Each family module (``regression``, ``classification``, …) builds its entries and passes them to
:func:`register` when it is imported; :func:`catalog` imports every family module, so the catalog is
complete whichever module a learner imported first.

Used in: 04_regression_losses, 05_classification_losses, 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The families the catalog sorts losses into, in the order the notebooks teach them.
FAMILIES: tuple[str, ...] = (
    "regression",
    "probabilistic",
    "classification",
    "similarity",
    "segmentation",
    "metric learning",
    "sequence",
)

#: What a y_true or y_pred argument may hold; the tests draw random inputs from each domain.
#: real: any float; positive: > 0; nonnegative: >= 0; probability: in [0, 1]; distribution: >= 0 and
#: summing to 1 along the last axis; binary: 0 or 1; signed: -1 or +1; one_hot: one 1 per row;
#: index: integer class ids; logits: any float, read through a sigmoid or softmax; embedding: rows of
#: features; labels: integer class ids of the samples (metric learning); sequence: padded label ids.
DOMAINS: tuple[str, ...] = (
    "real",
    "positive",
    "nonnegative",
    "probability",
    "distribution",
    "binary",
    "signed",
    "one_hot",
    "index",
    "logits",
    "embedding",
    "labels",
    "sequence",
)

#: The modules that define entries (imported by :func:`catalog`).
FAMILY_MODULES: tuple[str, ...] = (
    "course_utils.losses.regression",
    "course_utils.losses.probabilistic",
    "course_utils.losses.classification",
    "course_utils.losses.similarity",
    "course_utils.losses.segmentation",
    "course_utils.losses.metric_learning",
    "course_utils.losses.sequence",
)


@dataclass(frozen=True)
class Param:
    """One parameter of a loss: its default, the values it may take, and what it means.

    ``check(value)`` returns an error message when the value is not allowed, or ``None``. A
    ``required`` parameter has no default in Keras (its ``default`` is then ``None``).
    """

    name: str
    default: Any
    valid: str
    meaning: str
    check: Callable[[Any], str | None] | None = None
    required: bool = False

    def validate(self, value: Any) -> None:
        """Raise ``ValueError`` naming the parameter when ``value`` is outside its range."""
        if self.check is None:
            return
        problem = self.check(value)
        if problem is not None:
            raise ValueError(
                f"{self.name} must be {self.valid}; got {value!r}. {problem}".rstrip()
            )


@dataclass(frozen=True)
class LossEntry:
    """One loss of the catalog: what it is for, its formula and three implementations.

    ``numpy`` is the float64 reference, ``tf`` a differentiable TensorFlow version with the same
    signature, defaults and semantics as ``keras.losses.<name>``, ``grad`` (if not ``None``) the
    analytic derivative of the per-sample loss with respect to ``y_pred``.
    """

    name: str
    display_name: str
    family: str
    when_to_use: str
    latex: str
    numpy: Callable[..., Any]
    tf: Callable[..., Any]
    grad: Callable[..., Any] | None
    params: tuple[Param, ...] = ()
    y_true_domain: str = "real"
    y_pred_domain: str = "real"
    notes: str = ""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(
                f"family must be one of {FAMILIES}, got {self.family!r} for {self.name}."
            )
        for domain in (self.y_true_domain, self.y_pred_domain):
            if domain not in DOMAINS:
                raise ValueError(
                    f"domain must be one of {DOMAINS}, got {domain!r} for {self.name}."
                )

    @property
    def keras(self) -> Callable[..., Any]:
        """The Keras function this entry mirrors (imports Keras on first use)."""
        import keras

        return getattr(keras.losses, self.name)

    @property
    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value (required parameters, which have none, are left out)."""
        return {
            param.name: param.default for param in self.params if not param.required
        }

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(
            f"{self.name} has no parameter {name!r}; it has {[p.name for p in self.params]}."
        )


_REGISTRY: dict[str, LossEntry] = {}


def register(entry: LossEntry) -> LossEntry:
    """Add an entry to the catalog (called by the family modules on import)."""
    _REGISTRY[entry.name] = entry
    return entry


def catalog() -> dict[str, LossEntry]:
    """Every loss of the catalog, keyed by its Keras name, in teaching order."""
    for module in FAMILY_MODULES:
        importlib.import_module(module)
    order = {family: position for position, family in enumerate(FAMILIES)}
    ranked = sorted(_REGISTRY.values(), key=lambda entry: order[entry.family])
    return {entry.name: entry for entry in ranked}


def get(name: str) -> LossEntry:
    """One entry by its Keras name, e.g. ``get("huber")``."""
    entries = catalog()
    if name not in entries:
        raise KeyError(
            f"name must be the Keras name of a loss, one of {sorted(entries)}; got {name!r}."
        )
    return entries[name]
