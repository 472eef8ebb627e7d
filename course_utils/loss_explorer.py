r"""One explorer for all 22 catalog losses: pick a loss, set its parameters and target, see L and dL/dx.

Every loss of :func:`course_utils.losses.catalog` is drawn along a one-dimensional *slice*: a line
through the space of predictions, parametrised by one number :math:`x` (the prediction ŷ itself for
regression, a probability or a logit for classification, an angle for cosine, a similarity for
Circle, a shared score for CTC). The left panel is the loss :math:`L(y, \hat y(x))` computed by the
entry's own NumPy reference (``entry.numpy``); the right panel its derivative along the slice,

.. math::

    \frac{dL}{dx} = \sum_j \frac{\partial L}{\partial \hat y_j}\, \frac{d\hat y_j}{dx},

from the entry's analytic gradient (``entry.grad``) where the catalog has one, and by central finite
differences of ``entry.numpy`` for Circle and CTC (which have none). The figure's title states the
slice and the target; a note under it says which parameters stay at their default and why.

For the authors of notebooks 05 and 06 — show the explorer with any loss selected first::

    from course_utils.loss_explorer import loss_explorer_widget

    loss_explorer_widget("binary_crossentropy")  # or "kl_divergence", "ctc", …

and drive it in code (tests, or a cell that sets a case to discuss)::

    live = loss_explorer_widget("huber")
    live.set(loss="binary_focal_crossentropy", gamma=0.0, from_logits=True)
    live.set(target=0.0)  # the target control: its meaning and range depend on the loss

Controls: ``loss`` (dropdown of the 22 Keras names), ``target`` (its label and range change with
the loss), one slider per numeric parameter (``delta``, ``alpha``, ``beta``, ``gamma``,
``label_smoothing``, ``q``, ``margin``) and a check box per flag (``from_logits``,
``apply_class_balancing``); only the chosen loss's own are shown, and ``set`` raises on a value
outside a control's range or on a control the loss does not have.

Every control shown changes the picture. A parameter that Keras ignores under the current flags
is hidden until it matters (binary focal's ``alpha`` appears with ``apply_class_balancing``), and
one that the current target makes inert is greyed out (``label_smoothing`` at y = ½, which it
would move towards ½); :data:`INERT` lists these cases, :func:`inert_params` applies them.
Circle's ``remove_diagonal`` stays ``True`` (Keras's default) with no check box: on this slice
the anchor's pair with itself is a second positive whose term never exceeds the real positive's,
so turning it off adds at most ln 2 to a loss drawn up to about 300 (under one pixel) and bends
the slope by under 2 % of its panel, only next to s_p = 1: a check box that would look dead.

:func:`slice_curves` returns the plotted numbers without a figure, for asserts in a notebook.

Shown first in notebook 04 §7, used again in 05 and 06.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text

from course_utils.i18n import N_, Message, gettext
from course_utils.losses import catalog, get
from course_utils.plotting import LIVE_DPI, PALETTE, artist, new_figure
from course_utils.validation import as_positive_int
from course_utils.widgets import BlitRenderer, LivePlot, float_slider, register_widget

#: The number of points along a slice (fewer for the two losses computed sample by sample).
POINTS = 241
SLOW_POINTS = 61

#: Step of the central finite differences used where the catalog has no analytic gradient.
FD_STEP = 1e-5

#: The numeric parameters the explorer puts on sliders: (low, high, step) for each loss that has one.
PARAM_RANGES: dict[tuple[str, str], tuple[float, float, float]] = {
    ("huber", "delta"): (0.0, 3.0, 0.05),
    ("binary_crossentropy", "label_smoothing"): (0.0, 1.0, 0.05),
    ("binary_focal_crossentropy", "alpha"): (0.0, 1.0, 0.05),
    ("binary_focal_crossentropy", "gamma"): (0.0, 5.0, 0.1),
    ("binary_focal_crossentropy", "label_smoothing"): (0.0, 1.0, 0.05),
    ("categorical_crossentropy", "label_smoothing"): (0.0, 1.0, 0.05),
    ("categorical_focal_crossentropy", "alpha"): (0.0, 1.0, 0.05),
    ("categorical_focal_crossentropy", "gamma"): (0.0, 5.0, 0.1),
    ("categorical_focal_crossentropy", "label_smoothing"): (0.0, 1.0, 0.05),
    ("categorical_generalized_cross_entropy", "q"): (0.05, 1.0, 0.05),
    ("tversky", "alpha"): (0.0, 2.0, 0.05),
    ("tversky", "beta"): (0.0, 2.0, 0.05),
    ("circle", "gamma"): (1.0, 128.0, 1.0),
    ("circle", "margin"): (0.0, 1.0, 0.05),
}

#: Defaults for parameters Keras requires (no default there): q = 0.7 as in Zhang & Sabuncu (2018).
REQUIRED_DEFAULTS: dict[tuple[str, str], float] = {
    ("categorical_generalized_cross_entropy", "q"): 0.7
}

#: Flags shown as check boxes.
FLAG_PARAMS: tuple[str, ...] = (
    "from_logits",
    "apply_class_balancing",
)

#: Every numeric parameter that gets a slider somewhere, in the order the sliders are shown.
NUMERIC_PARAMS: tuple[str, ...] = (
    "delta",
    "alpha",
    "beta",
    "gamma",
    "label_smoothing",
    "q",
    "margin",
)

#: Why a parameter of the catalog has no control here.
FIXED_PARAMS: dict[str, str] = {
    "axis": N_("axis fixed: one point of the slice is one sample"),
    "ignore_class": "ignore_class = None",
    "ref_labels": N_("no reference set (the batch is its own)"),
    "ref_embeddings": N_("no reference set (the batch is its own)"),
    "remove_diagonal": "remove_diagonal = True",
}

#: How the figure's note (static, not blitted) is found again.
NOTE_LABEL = "slice-note"
TITLE_LABEL = "slice-title-static"

#: Three classes for the categorical slices.
NUM_CLASSES = 3


def _at_one_half(target: float, params: Mapping[str, Any]) -> bool:
    return abs(target - 0.5) < 1e-9


def _without_class_balancing(target: float, params: Mapping[str, Any]) -> bool:
    return not params.get("apply_class_balancing", False)


@dataclass(frozen=True)
class Inert:
    """When a parameter of a loss has no effect at all, and what its control does then.

    ``hide``: the control disappears (the case depends on a check box, so the learner turned
    it off); otherwise it is only greyed out (the case depends on the target, and a control that
    came and went while the target is dragged would make the sliders jump).
    """

    loss: str
    param: str
    when: Callable[[float, Mapping[str, Any]], bool]
    why: str
    hide: bool


#: The parameters that the current flags or target make inert (checked in the tests: each one
#: changes nothing then, and every other control changes the curves).
INERT: tuple[Inert, ...] = (
    Inert(
        "binary_focal_crossentropy",
        "alpha",
        _without_class_balancing,
        "Keras uses alpha only with apply_class_balancing=True",
        hide=True,
    ),
    Inert(
        "binary_focal_crossentropy",
        "alpha",
        _at_one_half,
        "at y = 1/2 the weight y·α + (1 − y)(1 − α) is 1/2 for every α",
        hide=False,
    ),
    *(
        Inert(
            name,
            "label_smoothing",
            _at_one_half,
            "smoothing moves y towards 1/2, and y is 1/2 already",
            hide=False,
        )
        for name in ("binary_crossentropy", "binary_focal_crossentropy")
    ),
)


def inert_params(
    name: str, target: float, params: Mapping[str, Any]
) -> dict[str, Inert]:
    """The controlled parameters of loss ``name`` that have no effect at these values, by name.

    ``params`` are the values of the loss's flags and parameters (missing ones: defaults).
    """
    values = {param: param_default(name, param) for param in controlled_params(name)}
    values.update(params)
    found: dict[str, Inert] = {}
    for rule in INERT:
        if rule.loss == name and rule.param not in found and rule.when(target, values):
            found[rule.param] = rule
    return found


@dataclass(frozen=True)
class TargetSpec:
    """The learner's target control for one loss: its label and range."""

    label: str
    low: float
    high: float
    step: float
    default: float


@dataclass(frozen=True)
class SliceInputs:
    """A batch of inputs along the slice and the derivative of ŷ with respect to x."""

    y_true: np.ndarray
    y_pred: np.ndarray
    direction: np.ndarray  # d y_pred / dx, broadcastable to y_pred's shape
    fixed_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Slice:
    """How one loss is cut to one dimension."""

    x_label: str
    x_range: Callable[[Mapping[str, Any]], tuple[float, float]]
    target: TargetSpec
    describe: Callable[[Mapping[str, Any]], str]  # the title, up to the target's value
    build: Callable[[np.ndarray, float, Mapping[str, Any]], SliceInputs]
    per_sample: bool = False  # the loss is evaluated one sample at a time (Circle, CTC)
    x_label_logits: str | None = None  # the label when from_logits is on
    value: Callable[[float], str] = (
        "{:g}".format
    )  # the target's value, ending the title
    symbol: str = "ŷ"  # x's symbol in the gradient's label dL/dx
    symbol_logits: str = "z"

    def label(self, params: Mapping[str, Any]) -> str:
        """The x-axis label for these parameter values."""
        if params.get("from_logits") and self.x_label_logits:
            return self.x_label_logits
        return self.x_label

    def x_symbol(self, params: Mapping[str, Any]) -> str:
        """The symbol of x for these parameter values (ŷ, z, θ, …)."""
        if params.get("from_logits") and self.x_label_logits:
            return self.symbol_logits
        return self.symbol


@dataclass(frozen=True)
class SliceCurves:
    """What the explorer plots for one loss, target and parameter values."""

    name: str
    x: np.ndarray
    loss: np.ndarray
    gradient: np.ndarray
    x_label: str
    title: str  # the slice and the target: title_prefix + title_value
    title_prefix: str
    title_value: str
    x_symbol: str
    gradient_source: str  # "analytic" (entry.grad) or "finite differences"
    note: str


# ----------------------------------------------------------------------------- slices


def _column(values: np.ndarray) -> np.ndarray:
    return values.reshape(-1, 1)


def _scalar_slice(
    x: np.ndarray, target: float, params: Mapping[str, Any]
) -> SliceInputs:
    """One output: ŷ = x (or the logit z = x), y = target."""
    return SliceInputs(_column(np.full_like(x, target)), _column(x), np.ones((1, 1)))


def _fixed(x_range: tuple[float, float]) -> Callable[[Mapping[str, Any]], tuple]:
    return lambda params: x_range


def _probability_or_logit(params: Mapping[str, Any]) -> tuple[float, float]:
    return (-6.0, 6.0) if params.get("from_logits") else (0.001, 0.999)


def _class_id(target: float) -> str:
    return str(int(round(target)))


def _regression(
    low: float = -3.0,
    high: float = 3.0,
    target: TargetSpec | None = None,
) -> Slice:
    spec = target or TargetSpec(N_("target y"), -2.0, 2.0, 0.1, 1.0)
    return Slice(
        N_("prediction ŷ"),
        _fixed((low, high)),
        spec,
        lambda p: N_("loss vs prediction ŷ for target y = "),
        _scalar_slice,
    )


def _binary(name: str) -> Slice:
    return Slice(
        N_("predicted probability ŷ"),
        _probability_or_logit,
        TargetSpec(N_("target y"), 0.0, 1.0, 0.05, 1.0),
        lambda p: (
            N_("loss vs logit z (ŷ = σ(z)) for target y = ")
            if p.get("from_logits")
            else N_("loss vs predicted probability ŷ for target y = ")
        ),
        _scalar_slice,
        x_label_logits=N_("logit z"),
    )


def _class_vectors(
    x: np.ndarray, params: Mapping[str, Any], logits_allowed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """ŷ = (x, (1−x)/2, (1−x)/2) for probabilities, z = (x, 0, 0) for logits; and dŷ/dx."""
    rest = NUM_CLASSES - 1
    if logits_allowed and params.get("from_logits"):
        y_pred = np.zeros((len(x), NUM_CLASSES))
        y_pred[:, 0] = x
        direction = np.zeros((1, NUM_CLASSES))
        direction[0, 0] = 1.0
        return y_pred, direction
    y_pred = np.repeat(_column((1.0 - x) / rest), NUM_CLASSES, axis=1)
    y_pred[:, 0] = x
    direction = np.full((1, NUM_CLASSES), -1.0 / rest)
    direction[0, 0] = 1.0
    return y_pred, direction


def _categorical(target_format: str, logits_allowed: bool = True) -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        y_pred, direction = _class_vectors(x, params, logits_allowed)
        k = int(round(target))
        if target_format == "one_hot":
            y_true = np.zeros_like(y_pred)
            y_true[:, k] = 1.0
        else:
            y_true = np.full(len(x), k)
        return SliceInputs(y_true, y_pred, direction)

    def describe(p: Mapping[str, Any]) -> str:
        if logits_allowed and p.get("from_logits"):
            return N_("loss vs logit z₀, z = (z₀, 0, 0), true class k = ")
        return N_("loss vs ŷ₀, ŷ = (ŷ₀, (1 − ŷ₀)/2, (1 − ŷ₀)/2), true class k = ")

    return Slice(
        N_("probability ŷ₀ of class 0"),
        _probability_or_logit if logits_allowed else _fixed((0.001, 0.999)),
        TargetSpec(N_("true class k"), 0, NUM_CLASSES - 1, 1, 0),
        describe,
        build,
        x_label_logits=N_("logit z₀ of class 0"),
        value=lambda t: gettext("{k} of K = {count}").format(
            k=_class_id(t), count=NUM_CLASSES
        ),
        symbol="ŷ₀",
        symbol_logits="z₀",
    )


def _hinge() -> Slice:
    return Slice(
        N_("score ŷ"),
        _fixed((-3.0, 3.0)),
        TargetSpec(N_("target y (−1 or +1)"), -1.0, 1.0, 2.0, 1.0),
        lambda p: N_("loss vs score ŷ for target y = "),
        _scalar_slice,
        value="{:+g}".format,
    )


def _categorical_hinge() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        y_pred = np.repeat(np.array([[0.0, 0.5, -0.5]]), len(x), axis=0)
        y_pred[:, 0] = x
        y_true = np.zeros_like(y_pred)
        y_true[:, int(round(target))] = 1.0
        return SliceInputs(y_true, y_pred, np.array([[1.0, 0.0, 0.0]]))

    return Slice(
        N_("score ŷ₀ of class 0"),
        _fixed((-3.0, 3.0)),
        TargetSpec(N_("true class k"), 0, NUM_CLASSES - 1, 1, 0),
        lambda p: N_("loss vs score ŷ₀, ŷ = (ŷ₀, 0.5, −0.5), true class k = "),
        build,
        value=_class_id,
        symbol="ŷ₀",
    )


def _kl() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        y_pred = np.stack([x, 1.0 - x], axis=1)
        y_true = np.repeat(np.array([[target, 1.0 - target]]), len(x), axis=0)
        return SliceInputs(y_true, y_pred, np.array([[1.0, -1.0]]))

    return Slice(
        N_("predicted ŷ₁ (ŷ = (ŷ₁, 1 − ŷ₁))"),
        _fixed((0.005, 0.995)),
        TargetSpec(N_("target y₁"), 0.0, 1.0, 0.05, 0.7),
        lambda p: N_("loss vs ŷ₁, ŷ = (ŷ₁, 1 − ŷ₁), target y = "),
        build,
        value=lambda t: f"({t:g}, {1 - t:g})",
        symbol="ŷ₁",
    )


def _cosine() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        theta, phi = np.radians(x), math.radians(target)
        y_pred = np.stack([np.cos(theta), np.sin(theta)], axis=1)
        y_true = np.repeat(np.array([[math.cos(phi), math.sin(phi)]]), len(x), axis=0)
        # dŷ/dθ per degree, so the gradient panel reads per degree of the x axis.
        direction = np.stack([-np.sin(theta), np.cos(theta)], axis=1) * math.pi / 180
        return SliceInputs(y_true, y_pred, direction, {"axis": -1})

    return Slice(
        N_("angle θ of ŷ = (cos θ, sin θ) (degrees)"),
        _fixed((-180.0, 180.0)),
        TargetSpec(N_("angle φ of the target (degrees)"), -180.0, 180.0, 5.0, 0.0),
        lambda p: N_("loss vs the angle θ of ŷ, target y = (cos φ, sin φ), φ = "),
        build,
        value="{:g}°".format,
        symbol=N_("θ (per degree)"),
    )


def _overlap() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        y_pred = np.repeat(np.array([[0.0, 0.8, 0.6, 0.2]]), len(x), axis=0)
        y_pred[:, 0] = x
        y_true = np.repeat(np.array([[target, 1.0, 1.0, 0.0]]), len(x), axis=0)
        return SliceInputs(y_true, y_pred, np.array([[1.0, 0, 0, 0]]), {"axis": -1})

    return Slice(
        N_("predicted probability ŷ₀ of pixel 0"),
        _fixed((0.0, 1.0)),
        TargetSpec(N_("target y₀ of pixel 0"), 0.0, 1.0, 1.0, 1.0),
        lambda p: N_("loss vs ŷ₀ on a 4-pixel mask y = ("),
        build,
        symbol="ŷ₀",
        value=lambda t: f"{t:g}, 1, 1, 0), ŷ = (ŷ₀, 0.8, 0.6, 0.2)",
    )


def _poisson() -> Slice:
    return Slice(
        N_("predicted rate ŷ"),
        _fixed((0.05, 12.0)),
        TargetSpec(N_("observed count y"), 0.0, 10.0, 1.0, 3.0),
        lambda p: N_("loss vs predicted rate ŷ for observed count y = "),
        _scalar_slice,
    )


def _circle() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        # anchor (1, 0) and a positive at similarity x; a negative at similarity `target`.
        theta, phi = np.arccos(np.clip(x, -1, 1)), math.acos(target)
        batch = np.zeros((len(x), 3, 2))
        batch[:, 0] = (1.0, 0.0)
        batch[:, 1, 0], batch[:, 1, 1] = np.cos(theta), np.sin(theta)
        batch[:, 2] = (math.cos(phi), -math.sin(phi))
        labels = np.repeat(np.array([[0, 0, 1]]), len(x), axis=0)
        return SliceInputs(labels, batch, np.zeros(1))

    return Slice(
        N_("similarity s_p of the anchor to its positive"),
        _fixed((-0.98, 0.98)),  # inside (−1, 1), so x ± h stays a valid cosine
        TargetSpec(N_("similarity s_n to the negative"), -1.0, 1.0, 0.05, 0.2),
        lambda p: N_(
            "anchor's loss vs s_p (cosine to a same-label embedding), "
            "negative at s_n = "
        ),
        build,
        per_sample=True,
        symbol="s_p",
    )


#: Frames of the CTC example; its label is n repeats of symbol 1 (class 0 is the blank).
CTC_FRAMES = 5


def _ctc() -> Slice:
    def build(x: np.ndarray, target: float, params: Mapping[str, Any]) -> SliceInputs:
        scores = np.zeros((len(x), CTC_FRAMES, 3))
        scores[:, :, 1] = x[:, None]
        labels = np.zeros((len(x), 3), dtype=np.int64)
        labels[:, : int(round(target))] = 1
        return SliceInputs(labels, scores, np.zeros(1))

    return Slice(
        N_("score z of symbol 1 in every frame"),
        _fixed((-4.0, 8.0)),
        TargetSpec(N_("label length n (label = symbol 1, n times)"), 1, 3, 1, 2),
        lambda p: Message(
            "loss vs z, the score of symbol 1 in all {frames} frames, "
            "label = symbol 1 × ",
            frames=CTC_FRAMES,
        ),
        build,
        value=_class_id,
        per_sample=True,
        symbol="z",
    )


SLICES: dict[str, Slice] = {
    "mean_squared_error": _regression(),
    "mean_absolute_error": _regression(),
    "mean_absolute_percentage_error": _regression(),
    "mean_squared_logarithmic_error": _regression(
        0.0, 8.0, TargetSpec(N_("target y"), 0.0, 5.0, 0.1, 1.0)
    ),
    "huber": _regression(),
    "log_cosh": _regression(),
    "poisson": _poisson(),
    "kl_divergence": _kl(),
    "binary_crossentropy": _binary("binary_crossentropy"),
    "binary_focal_crossentropy": _binary("binary_focal_crossentropy"),
    "categorical_crossentropy": _categorical("one_hot"),
    "sparse_categorical_crossentropy": _categorical("index"),
    "categorical_focal_crossentropy": _categorical("one_hot"),
    "categorical_generalized_cross_entropy": _categorical("index", False),
    "hinge": _hinge(),
    "squared_hinge": _hinge(),
    "categorical_hinge": _categorical_hinge(),
    "cosine_similarity": _cosine(),
    "dice": _overlap(),
    "tversky": _overlap(),
    "circle": _circle(),
    "ctc": _ctc(),
}


# ----------------------------------------------------------------------------- curves


def controlled_params(name: str) -> tuple[str, ...]:
    """The parameters of loss ``name`` that the explorer puts on a slider or check box."""
    return tuple(
        param.name
        for param in get(name).params
        if param.name in FLAG_PARAMS or (name, param.name) in PARAM_RANGES
    )


def param_default(name: str, param: str) -> Any:
    """The value a control starts at: the catalog default, or ours for a required one."""
    if (name, param) in REQUIRED_DEFAULTS:
        return REQUIRED_DEFAULTS[(name, param)]
    return get(name).param(param).default


def _check_values(
    name: str, target: float | None, params: Mapping[str, Any]
) -> tuple[float, dict[str, Any]]:
    """The target (its default if None) and every controlled parameter's value, checked."""
    if name not in SLICES:
        raise KeyError(
            f"name must be the Keras name of a catalog loss, one of {sorted(SLICES)}; "
            f"got {name!r}."
        )
    spec = SLICES[name].target
    if target is None:
        target = spec.default
    if isinstance(target, bool) or not isinstance(target, (int, float, np.number)):
        raise TypeError(f"target must be a number, got {type(target).__name__}.")
    if not spec.low - 1e-9 <= target <= spec.high + 1e-9:
        raise ValueError(
            f"target ({spec.label}) of {name} must be in [{spec.low}, {spec.high}], "
            f"got {target}."
        )
    allowed = controlled_params(name)
    unknown = set(params) - set(allowed)
    if unknown:
        raise KeyError(
            f"{name} takes the parameters {list(allowed)} here; got {sorted(unknown)}."
        )
    values = {param: param_default(name, param) for param in allowed}
    values.update(params)
    for param, value in values.items():
        if param in FLAG_PARAMS:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(
                    f"{param} must be True or False, got {type(value).__name__} "
                    f"{value!r}."
                )
        else:
            low, high, _ = PARAM_RANGES[(name, param)]
            if not low - 1e-9 <= value <= high + 1e-9:
                raise ValueError(
                    f"{param} of {name} must be in [{low}, {high}] here, got {value}."
                )
    return float(target), values


def _evaluate(
    name: str, inputs: SliceInputs, values: Mapping[str, Any], per_sample: bool
) -> np.ndarray:
    entry = get(name)
    kwargs = {**inputs.fixed_kwargs, **values}
    if not per_sample:
        return np.asarray(entry.numpy(inputs.y_true, inputs.y_pred, **kwargs))
    row = 0  # Circle: the anchor's loss; CTC: the one sample
    return np.array(
        [
            np.asarray(entry.numpy(y_true, y_pred, **kwargs))[row]
            for y_true, y_pred in zip(
                _samples(name, inputs.y_true), _samples(name, inputs.y_pred)
            )
        ]
    )


def _samples(name: str, array: np.ndarray) -> list[np.ndarray]:
    """One sample per slice point: a 3-embedding batch (Circle) or a batch of one (CTC)."""
    if name == "circle":
        return list(array)
    return [item[None] for item in array]


def _note(name: str, gradient_source: str) -> str:
    fixed = dict.fromkeys(
        FIXED_PARAMS[param.name]
        for param in get(name).params
        if param.name in FIXED_PARAMS
    )
    source = (
        N_("slope: the catalog's analytic gradient, chained along the slice")
        if gradient_source == "analytic"
        else N_("slope: central finite differences (the catalog has no closed form)")
    )
    return "; ".join(gettext(part) for part in [source, *fixed])


def slice_curves(
    name: str, target: float | None = None, points: int | None = None, **params: Any
) -> SliceCurves:
    """The loss and its derivative along the explorer's slice for loss ``name``.

    ``target`` defaults to the slice's default target, ``params`` to the catalog defaults (only
    the parameters the explorer controls are accepted; see :func:`controlled_params`).
    Taught in: 04 §7, 05 §9, 06 §9.
    """
    chosen, values = _check_values(name, target, params)
    cut = SLICES[name]
    low, high = cut.x_range(values)
    if points is None:
        points = SLOW_POINTS if cut.per_sample else POINTS
    count = as_positive_int("points", points)
    if count < 2:
        raise ValueError(f"points must be at least 2 (a curve), got {count}.")
    x = np.linspace(low, high, count)
    inputs = cut.build(x, chosen, values)
    loss = _evaluate(name, inputs, values, cut.per_sample)
    entry = get(name)
    if entry.grad is not None:
        grad = np.asarray(
            entry.grad(inputs.y_true, inputs.y_pred, **inputs.fixed_kwargs, **values)
        )
        along = grad * np.broadcast_to(inputs.direction, grad.shape)
        gradient = along.reshape(len(x), -1).sum(axis=1)
        source = "analytic"
    else:
        step = FD_STEP * max(1.0, high - low)
        ahead = _evaluate(name, cut.build(x + step, chosen, values), values, True)
        behind = _evaluate(name, cut.build(x - step, chosen, values), values, True)
        gradient = (ahead - behind) / (2 * step)
        source = "finite differences"
    return SliceCurves(
        name=name,
        x=x,
        loss=loss,
        gradient=gradient,
        x_label=gettext(cut.label(values)),
        x_symbol=gettext(cut.x_symbol(values)),
        title=f"{name}: {gettext(cut.describe(values))}{cut.value(chosen)}",
        title_prefix=f"{name}: {gettext(cut.describe(values))}",
        title_value=cut.value(chosen),
        gradient_source=source,
        note=_note(name, source),
    )


# ----------------------------------------------------------------------------- figure


#: Axis tops are snapped to these steps (times a power of ten), so a limit changes (and the
#: background is redrawn) only when a curve crosses a step, never on every slider move.
SNAP_STEPS: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0)


def _snap_up(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 × 10^k that is at least ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in SNAP_STEPS if step * power >= value * 0.999999)


def nice_limits(values: np.ndarray, headroom: float = 1.04) -> tuple[float, float]:
    """Axis limits for a curve: 0 included, each side snapped up, a small margin on a side at 0."""
    array = np.asarray(values)
    if array.dtype.kind not in "fiu" or array.ndim != 1:
        raise TypeError(
            f"values must be a 1-D array of numbers (a curve), got {type(values).__name__} "
            f"of shape {array.shape}."
        )
    finite = array[np.isfinite(array)]
    if finite.size == 0 or np.all(np.abs(finite) < 1e-12):
        return -1.0, 1.0
    top = _snap_up(headroom * finite.max()) if finite.max() > 1e-12 else 0.0
    bottom = -_snap_up(headroom * -finite.min()) if finite.min() < -1e-12 else 0.0
    margin = 0.05 * (top - bottom)
    return (bottom if bottom < 0 else -margin), (top if top > 0 else margin)


def plot_loss_explorer(
    loss: str = "huber", target: float | None = None, **params: Any
) -> Figure:
    """Loss (left) and its derivative (right) along the slice of loss ``loss``.

    Extra keyword arguments that are not parameters of ``loss`` (the explorer passes every
    control's value) are ignored.
    """
    fig, (loss_ax, grad_ax) = new_figure(2, width=10.0, height=4.4)
    fig.set_layout_engine(None)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.80, wspace=0.28)
    loss_ax.plot([], [], color=PALETTE[0], gid="loss-curve")
    grad_ax.plot([], [], color=PALETTE[3], gid="gradient-curve")
    grad_ax.axhline(0.0, color=PALETTE[7], linewidth=0.8)
    # The title names the slice (static: part of the background) and ends with the target's
    # value, a short text placed right after it that is the only text redrawn while dragging.
    title = fig.text(0.5, 0.975, "", ha="center", va="top", fontsize=13)
    title.set_label(TITLE_LABEL)
    value = Annotation(
        "", (1.0, 0.0), xycoords=title, va="bottom", fontsize=13, gid="slice-title"
    )
    fig.add_artist(value)
    # The note changes only with the loss, so it is part of the static background.
    note = fig.text(0.5, 0.865, "", ha="center", fontsize=10, color="0.35")
    note.set_label(NOTE_LABEL)
    loss_ax.set_ylabel(gettext("loss L"))
    _apply(fig, loss, target, params, force=True)
    return fig


def update_loss_explorer(
    fig: Figure, loss: str = "huber", target: float | None = None, **params: Any
) -> None:
    """Move the curves of :func:`plot_loss_explorer` to a new loss, target or parameter."""
    _apply(fig, loss, target, params, force=False)


def _apply(
    fig: Figure, loss: str, target: float | None, params: Mapping[str, Any], force: bool
) -> None:
    mine = {key: value for key, value in params.items() if key in _own(loss)}
    curves = slice_curves(loss, target, **mine)
    loss_ax, grad_ax = fig.axes
    switched = force or getattr(fig, "_explorer_state", None) != (loss, curves.x_label)
    cast(Line2D, artist(fig, "loss-curve")).set_data(curves.x, curves.loss)
    cast(Line2D, artist(fig, "gradient-curve")).set_data(curves.x, curves.gradient)
    _static_text(fig, TITLE_LABEL).set_text(curves.title_prefix)
    cast(Text, artist(fig, "slice-title")).set_text(curves.title_value)
    _static_text(fig, NOTE_LABEL).set_text(curves.note)
    if switched:
        for ax in (loss_ax, grad_ax):
            ax.set_xlim(curves.x[0], curves.x[-1])
            ax.set_xlabel(curves.x_label)
        grad_ax.set_ylabel(gettext("slope dL/d{symbol}").format(symbol=curves.x_symbol))
        fig._explorer_state = (loss, curves.x_label)  # type: ignore[attr-defined]
    _fit(loss_ax, curves.loss, switched)
    _fit(grad_ax, curves.gradient, switched)


def _fit(ax: Any, values: np.ndarray, switched: bool) -> None:
    """Snug limits for a new loss; while dragging, keep them until the curve leaves them (then
    grow with room to spare) or fills less than a quarter of them."""
    wanted = nice_limits(values)
    if not switched:
        low, high = ax.get_ylim()
        inside = wanted[0] >= low - 1e-12 and wanted[1] <= high + 1e-12
        if inside and (wanted[1] - wanted[0]) >= (high - low) / 4:
            return
        if not inside:
            wanted = nice_limits(values, headroom=1.5)
    ax.set_ylim(*wanted)


def _static_text(fig: Figure, label: str) -> Text:
    return next(text for text in fig.texts if text.get_label() == label)


def figure_title(fig: Figure) -> str:
    """The title an explorer figure shows: the slice, then the target's value."""
    value = cast(Text, artist(fig, "slice-title")).get_text()
    return _static_text(fig, TITLE_LABEL).get_text() + value


def _own(loss: str) -> tuple[str, ...]:
    return controlled_params(loss) if loss in SLICES else ()


# ----------------------------------------------------------------------------- widget


class LossExplorer(LivePlot):
    """A :class:`LivePlot` whose controls change with the chosen loss.

    Switching the loss (or a change that moves an axis limit) changes the static part of the figure,
    so the blitting background is rebuilt then; while a slider of the same loss is dragged, only the
    curves and titles are redrawn. Controls that the current loss does not use are hidden and
    ignored, and so are parameters that its flags make inert (see :data:`INERT`); one that only
    the target makes inert is greyed out. ``set`` refuses values outside a control's range instead
    of clamping them.
    """

    def __init__(self, loss: str = "huber", *, dpi: int = LIVE_DPI) -> None:
        if loss not in SLICES:
            raise KeyError(
                f"loss must be the Keras name of a catalog loss, one of {sorted(SLICES)}; "
                f"got {loss!r}."
            )
        self._configuring = True
        spec = SLICES[loss].target
        controls: dict[str, widgets.ValueWidget] = {
            "target": float_slider(
                spec.label, float(spec.default), spec.low, spec.high, spec.step
            )
        }
        for param in NUMERIC_PARAMS:
            controls[param] = float_slider(param, 0.0, 0.0, 1.0, 0.05)
        for param in FLAG_PARAMS:
            controls[param] = widgets.Checkbox(
                value=False, description=param, indent=False
            )
        controls["loss"] = widgets.Dropdown(
            options=list(catalog()), value=loss, description=gettext("loss")
        )
        self._shown_loss = loss
        self._configure_controls(controls, loss)
        super().__init__(
            plot_loss_explorer,
            update_loss_explorer,
            controls,
            title=N_("loss explorer: any of the 22 catalog losses and its gradient"),
            dpi=dpi,
            renderer=CachingBlitRenderer,
        )
        self._static = _static_state(self.figure)
        renderer = cast(CachingBlitRenderer, self._renderer)
        renderer.backgrounds[self._static] = renderer.background
        sliders = [self.controls["target"]] + [self.controls[p] for p in NUMERIC_PARAMS]
        flags = [self.controls[p] for p in FLAG_PARAMS]
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.controls["loss"], *flags]),
                widgets.HBox(sliders, layout=widgets.Layout(flex_flow="row wrap")),
                self.image,
            ]
        )
        self._configuring = False

    @property
    def loss(self) -> str:
        """The loss shown now."""
        return str(self.controls["loss"].value)

    def set(self, **values: Any) -> None:
        """Move controls as a learner would: the loss first, then the others.

        Every value is checked (against the ranges of the loss being set) before anything
        changes: a value a control would clamp, NaN, text or a flag that is not a real boolean
        raises, and so does a control the loss does not use or that is hidden because the flags
        make it inert (e.g. binary focal's ``alpha`` without ``apply_class_balancing=True``:
        set both in one call). Flags are set before the other controls.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(
                f"No control named {sorted(unknown)}; this plot has {sorted(self.controls)}."
            )
        loss = values.get("loss", self.loss)
        if loss not in SLICES:
            raise ValueError(f"loss must be one of {sorted(SLICES)}, got {loss!r}.")
        for name, value in values.items():
            if name != "loss":
                _check_setting(loss, name, value)
        _check_not_hidden(loss, self._after(loss, values), values)
        if "loss" in values:
            self.controls["loss"].value = loss
        flags_first = sorted(
            (name for name in values if name != "loss"),
            key=lambda name: name not in FLAG_PARAMS,
        )
        for name in flags_first:
            self.controls[name].value = values[name]

    def _after(self, loss: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """The target and parameter values that ``set(**values)`` would leave."""
        if loss == self.loss:
            state = {name: self.controls[name].value for name in _used(loss)}
        else:  # a new loss starts at its defaults
            state = {name: _default(loss, name) for name in _used(loss)}
        state.update((k, v) for k, v in values.items() if k != "loss")
        return state

    @property
    def values(self) -> dict[str, Any]:
        """The values of the controls the current loss uses (others are left out)."""
        loss = self.controls["loss"].value
        used = ("loss", "target", *controlled_params(loss))
        return {name: self.controls[name].value for name in used}

    def redraw(self) -> None:
        """Update the figure; rebuild the cached background when the static part changed."""
        start = time.perf_counter()
        self._update(self.figure, **self.values)
        static = _static_state(self.figure)
        if static != self._static:
            cast(CachingBlitRenderer, self._renderer).use_background(static)
            self._static = static
        self.image.value = self._renderer.render_frame()
        self.redraw_seconds.append(time.perf_counter() - start)

    def _on_change(self, change: Mapping[str, Any]) -> None:
        if self._configuring:
            return
        owner = change.get("owner")
        if owner is self.controls["loss"]:
            self._configuring = True
            try:
                self._configure_controls(self.controls, self.loss)
            finally:
                self._configuring = False
        else:
            mine = [self.controls[name] for name in _used(self.loss)]
            if owner not in mine:
                return  # a hidden control of another loss
            _show_effective(self.controls, self.loss)
            if mine[mine.index(owner)].layout.display == "none":
                return  # a parameter that the flags make inert: nothing would change
        self.redraw()

    def _configure_controls(
        self, controls: Mapping[str, widgets.ValueWidget], loss: str
    ) -> None:
        """Show the loss's controls at its defaults and ranges; hide the others."""
        spec = SLICES[loss].target
        _reconfigure(controls["target"], spec.low, spec.high, spec.step, spec.default)
        controls["target"].description = gettext(spec.label)
        used = controlled_params(loss)
        for param in used:
            default = param_default(loss, param)
            if param in FLAG_PARAMS:
                controls[param].value = bool(default)
            else:
                low, high, step = PARAM_RANGES[(loss, param)]
                _reconfigure(controls[param], low, high, step, float(default))
        _show_effective(controls, loss)


def _used(loss: str) -> tuple[str, ...]:
    """The names of the controls loss ``loss`` uses: the target and its parameters."""
    return ("target", *controlled_params(loss))


def _default(loss: str, name: str) -> Any:
    return (
        SLICES[loss].target.default if name == "target" else param_default(loss, name)
    )


def _show_effective(controls: Mapping[str, widgets.ValueWidget], loss: str) -> None:
    """Show the controls of ``loss`` that change the picture now; hide or grey out the others.

    A control of another loss is hidden; an inert parameter (:func:`inert_params`) is hidden or
    greyed out as its :class:`Inert` rule says.
    """
    params = {param: controls[param].value for param in controlled_params(loss)}
    inert = inert_params(loss, float(controls["target"].value), params)
    for param in (*NUMERIC_PARAMS, *FLAG_PARAMS):
        control = controls[param]
        rule = inert.get(param)
        shown = param in params and not (rule and rule.hide)
        control.layout.display = None if shown else "none"
        control.disabled = rule is not None and not rule.hide


def _check_not_hidden(
    loss: str, after: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Refuse to set a parameter that stays hidden after the call (the flags make it inert)."""
    params = {name: value for name, value in after.items() if name != "target"}
    inert = inert_params(loss, float(after["target"]), params)
    for name in values:
        rule = inert.get(name)
        if rule is not None and rule.hide:
            raise ValueError(
                f"{name} of {loss} has no effect with these settings ({rule.why}), so its "
                f"control is hidden; got {name}={values[name]!r}. Set what it depends on in "
                "the same call."
            )


class CachingBlitRenderer(BlitRenderer):
    """A :class:`BlitRenderer` that keeps the backgrounds it has drawn, keyed by the static state.

    Going back to a loss (or an axis range) seen before reuses its background instead of redrawing
    axes, ticks and labels; at most ``capacity`` backgrounds (about 1 MB each) are kept.
    """

    def __init__(self, figure: Figure, dpi: int = LIVE_DPI, capacity: int = 24) -> None:
        super().__init__(figure, dpi)
        self.capacity = capacity
        self.backgrounds: OrderedDict[Any, Any] = OrderedDict()

    def use_background(self, key: Any) -> None:
        """Make the background of the figure's current static part (drawn once per ``key``)."""
        if key in self.backgrounds:
            self.backgrounds.move_to_end(key)
        else:
            self.canvas.draw()  # the moving artists are animated, so they are left out
            self.backgrounds[key] = self.canvas.copy_from_bbox(self.figure.bbox)
            while len(self.backgrounds) > self.capacity:
                self.backgrounds.popitem(last=False)
        self.background = self.backgrounds[key]


def _check_setting(loss: str, name: str, value: Any) -> None:
    """Refuse a value that control ``name`` of loss ``loss`` would clamp or could not use."""
    used = ("target", *controlled_params(loss))
    if name not in used:
        raise KeyError(f"{loss} has no control {name!r}; it uses {list(used)}.")
    if name in FLAG_PARAMS:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"{name} must be True or False, got {type(value).__name__} {value!r}."
            )
        return
    if name == "target":
        spec = SLICES[loss].target
        label, low, high = f"target ({spec.label})", spec.low, spec.high
    else:
        label, (low, high, _) = name, PARAM_RANGES[(loss, name)]
    is_number = isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, (bool, np.bool_)) or not is_number:
        raise TypeError(
            f"{label} must be a number in [{low}, {high}] for {loss}, "
            f"got {type(value).__name__} {value!r}."
        )
    if not np.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{label} must be in [{low}, {high}] for {loss}, got {value}.")


def _reconfigure(
    slider: widgets.FloatSlider, low: float, high: float, step: float, value: float
) -> None:
    """Give a slider a new range and value in an order ipywidgets 7 and 8 both accept."""
    slider.max = max(float(high), slider.max)
    slider.min = float(low)
    slider.max = float(high)
    slider.step = float(step)
    slider.value = float(value)


def _static_state(fig: Figure) -> tuple:
    axes = tuple(
        (ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(), ax.get_ylabel())
        for ax in fig.axes
    )
    texts = (_static_text(fig, label).get_text() for label in (TITLE_LABEL, NOTE_LABEL))
    return (*axes, *texts)


@register_widget
def loss_explorer_widget(loss: str = "huber") -> LossExplorer:
    """The explorer with ``loss`` selected: any catalog loss, its parameters, target and gradient.

    Taught in: 04 §7, 05 §9, 06 §9.
    """
    return LossExplorer(loss)
