"""Input checks shared by the course helpers: each error names the argument, what was expected and what to do.

Used by the helpers of 00_start_here, 01_neuron_and_forward_pass, 02_loss_cost_and_gradient_descent and
03_backpropagation (the loss library has its own, tensor-aware checks in ``course_utils.losses._arrays``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _refuse_non_numbers(name: str, value: object, expected: str) -> None:
    """Text, None and booleans are not numbers, even where NumPy would convert them."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(
            f"{name} must be {expected}, got {type(value).__name__} {value!r}."
        )


def as_finite_float(name: str, value: Any) -> float:
    """``value`` as a Python float; ``TypeError`` if it is not a number, ``ValueError`` if NaN or infinite."""
    _refuse_non_numbers(name, value, "a real number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}."
        ) from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}.")
    return number


def as_positive_int(name: str, value: object, *, allow_zero: bool = False) -> int:
    """``value`` as an int > 0 (or >= 0 with ``allow_zero``); booleans and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer, got {type(value).__name__} {value!r}."
        )
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(
            f"{name} must be {'non-negative' if allow_zero else 'positive'}, got {value}."
        )
    return int(value)


def as_finite_array(
    name: str, value: object, ndim: int | None, what: str
) -> np.ndarray:
    """``value`` as a finite float64 array with ``ndim`` dimensions (any number if None).

    ``what`` describes the expected value in errors. Text, None and booleans are refused
    even inside a list, though NumPy would turn ``"0.5"`` into 0.5 and None into NaN.
    """
    _refuse_non_numbers(name, value, f"an array of numbers ({what})")
    raw = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    # Only an array NumPy could not type as numbers needs looking at item by item:
    # a numeric array (the common case, e.g. a widget's grid) is checked in O(1).
    if raw.dtype.kind in "USO" and any(
        item is None or isinstance(item, (str, bytes)) for item in raw.ravel()
    ):
        raise TypeError(
            f"{name} must be an array of numbers ({what}); it contains text or None."
        )
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{name} must be an array of numbers ({what}), got {type(value).__name__}."
        ) from None
    if ndim is not None and array.ndim != ndim:
        fix = (
            f" For a single example use {name}.reshape(1, -1)."
            if ndim == 2 and array.ndim == 1
            else ""
        )
        raise ValueError(
            f"{name} must be {ndim}-D ({what}), got shape {array.shape}.{fix}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    return array


def as_seed(value: object, name: str = "seed") -> int:
    """A seed: an integer >= 0 (None is refused: it would make the run unrepeatable)."""
    return as_positive_int(name, value, allow_zero=True)


#: The kinds of model :func:`as_model` tells apart: what each is, and where a learner gets one.
MODEL_KINDS: dict[str, tuple[str, str]] = {
    "classifier": (
        "a classifier (784 pixels → 10 logits)",
        "pass the Keras model of the classifier, e.g. train_classifier(...).model",
    ),
    "vae": (
        "a VAE (a model with .encoder and .decoder)",
        "pass the VAE itself, e.g. train_vae(...).vae or load_pretrained_vae()",
    ),
    "decoder": (
        "a decoder (latent z → 784 pixels)",
        "pass a VAE or its .decoder",
    ),
}


def _model_shapes(model: Any) -> tuple[Any, Any]:
    """A Keras model's ``(input_shape, output_shape)``; None for what it does not declare."""
    shapes = []
    for attribute in ("input_shape", "output_shape"):
        try:
            shape = getattr(model, attribute)
        except Exception:  # a subclassed model or a plain function: no declared shape
            shape = None
        shapes.append(shape)
    return shapes[0], shapes[1]


def describe_model(model: Any) -> str:
    """A few words for an error: what ``model`` looks like (a VAE, or its name and shapes)."""
    if hasattr(model, "encoder") and hasattr(model, "decoder"):
        return "a VAE (it has .encoder and .decoder)"
    input_shape, output_shape = _model_shapes(model)
    name = getattr(model, "name", type(model).__name__)
    if input_shape is None or output_shape is None:
        return f"{type(model).__name__} {name!r}"
    return f"the model {name!r} mapping {input_shape} → {output_shape}"


def _is_kind(model: Any, kind: str) -> bool:
    """Whether ``model`` can be the ``kind``; models that declare no shapes get the benefit of the doubt."""
    is_vae = hasattr(model, "encoder") and hasattr(model, "decoder")
    if kind == "vae":
        return is_vae
    if is_vae:
        return False
    input_shape, output_shape = _model_shapes(model)
    if input_shape is None or output_shape is None:
        return True
    if not (isinstance(input_shape, tuple) and isinstance(output_shape, tuple)):
        return False  # several inputs or outputs (an encoder's μ and log σ²)
    width_in = int(np.prod([d for d in input_shape[1:] if d is not None]))
    if kind == "classifier":
        return width_in == 784 and tuple(output_shape[1:]) == (10,)
    return (
        tuple(output_shape[1:]) == (784,) and len(input_shape) == 2 and width_in != 784
    )


def as_model(name: str, model: Any, kind: str | None = None) -> Any:
    """``model`` unchanged if it can be called on a batch and, if ``kind`` is given, is that kind.

    ``kind`` is one of :data:`MODEL_KINDS`: ``"classifier"`` (input 784 pixels, output 10 logits),
    ``"vae"`` (has ``.encoder`` and ``.decoder``) or ``"decoder"`` (input a latent z, output 784
    pixels), judged from the declared input and output shapes. A ``TypeError`` names ``name``,
    the kind expected, what was received and what to pass.
    """
    if not callable(model):
        hint = ""
        for attribute in ("model", "vae"):
            if callable(getattr(model, attribute, None)):
                hint = f" It holds one: pass its .{attribute}."
        raise TypeError(
            f"{name} must be a Keras model (called on a batch), got "
            f"{type(model).__name__} {model!r:.80}.{hint}"
        )
    if kind is None:
        return model
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {sorted(MODEL_KINDS)}, got {kind!r}.")
    if not _is_kind(model, kind):
        expected, fix = MODEL_KINDS[kind]
        raise TypeError(
            f"{name} must be {expected}, got {describe_model(model)}; {fix}."
        )
    return model


def as_binary_labels(name: str, value: object, what: str) -> np.ndarray:
    """``value`` as a 1-D float array of 0/1 labels; ``ValueError`` names any other value."""
    labels = as_finite_array(name, value, 1, what)
    wrong = labels[(labels != 0) & (labels != 1)]
    if wrong.size:
        raise ValueError(
            f"{name} must hold only the labels 0 and 1, got {wrong[:5].tolist()}; "
            "for classes 1/2 or −1/+1, map them to 0/1 first."
        )
    return labels


def as_flag(name: str, value: object) -> bool:
    """``value`` if it is a real boolean; ``TypeError`` otherwise.

    A string such as ``"False"`` is truthy in Python, so accepting it would silently
    do the opposite of what was meant; 0 and 1 are refused for the same clarity.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(
        f"{name} must be True or False, got {type(value).__name__} {value!r}."
    )


# ----------------------------------------------------------------------------- data arrays and units
# (issue 17: bad input as learners make it: ragged lists, empty arrays, and values in the
# wrong unit, 0–255 pixels, percentages, counts or ±1 labels where [0, 1] is expected)


def refuse_ragged(name: str, value: object) -> None:
    """``ValueError`` naming ``name`` when ``value`` is a nested list whose rows differ in length.

    NumPy's own message ("inhomogeneous shape after 1 dimensions") names no argument.
    """
    if not isinstance(value, (list, tuple)):
        return
    try:
        np.asarray(value, dtype=float)
    except ValueError as error:
        text = str(error)
        if (
            "inhomogeneous" in text
            or "setting an array element with a sequence" in text
        ):
            raise ValueError(
                f"{name} has rows of different lengths (a ragged list); give every row the "
                f"same number of entries, e.g. pad the short ones, or pass one row at a time."
            ) from None
    except (TypeError, OverflowError):
        return  # text, None, objects: the other checks name them


def as_data_array(name: str, value: object, ndim: int | None, what: str) -> np.ndarray:
    """:func:`as_finite_array` that also refuses ragged lists and empty arrays, naming ``name``.

    An empty array would give NaN (a mean over nothing) or an empty result far from the mistake.
    """
    refuse_ragged(name, value)
    array = as_finite_array(name, value, ndim, what)
    if array.size == 0:
        raise ValueError(
            f"{name} is empty (shape {array.shape}); it must hold at least one value "
            f"({what}). Check the slice or filter that built it."
        )
    return array


def unit_hint(name: str, values: np.ndarray) -> str:
    """What values outside [0, 1] look like, and how to fix them; ``""`` when they fit no pattern.

    Recognised: ±1 labels, 0–255 pixel values, percentages (0–100), counts, logits (any sign).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return ""
    low, high = float(finite.min()), float(finite.max())
    integers = bool(np.all(finite == np.round(finite)))
    if integers and set(np.unique(finite).tolist()) <= {-1.0, 0.0, 1.0} and low < 0:
        return (
            f"{name} looks like ±1 labels: those belong to the hinge losses; map them to "
            f"0/1 with ({name} + 1) / 2."
        )
    if low >= 0 and 1 < high <= 255 and integers and high > 100:
        return f"{name} looks like 0–255 pixel values: divide by 255."
    if low >= 0 and 10 < high <= 100 and not integers:
        return f"{name} looks like percentages: divide by 100."
    if low >= 0 and 1 < high <= 100 and integers:
        return (
            f"{name} looks like percentages: divide by 100 (counts: normalise them with "
            f"{name} / {name}.sum())."
        )
    if low >= 0 and high > 1:
        return (
            f"{name} looks like counts or scores: normalise with {name} / {name}.sum()."
        )
    return ""


def as_unit_interval(
    name: str,
    value: object,
    ndim: int | None,
    what: str,
    *,
    logits_fix: str = "",
) -> np.ndarray:
    """``value`` as a non-empty finite array with every entry in [0, 1] (probabilities, masks).

    Outside [0, 1], the ``ValueError`` names ``name``, the range received and what the values
    look like (:func:`unit_hint`); ``logits_fix`` (e.g. "use bce_from_logits(y, z)") is added
    when negative values or values above 1 suggest logits. Values that are logits yet happen to
    lie in [0, 1] cannot be told apart from probabilities and pass.
    """
    array = as_data_array(name, value, ndim, what)
    low, high = float(array.min()), float(array.max())
    if low < 0 or high > 1:
        hint = unit_hint(name, array)
        if logits_fix and "±1" not in hint:
            logits = f"{name} looks like logits (scores of any sign): {logits_fix}."
            hint = (
                logits
                if low < 0 or not hint
                else f"{hint} If they are logits: {logits_fix}."
            )
        raise ValueError(
            f"{name} must hold {what} in [0, 1], got values from {low:g} to {high:g}. "
            f"{hint}".rstrip()
        )
    return array


def as_distribution(
    name: str,
    value: object,
    what: str = "a probability distribution",
    rtol: float = 1e-4,
) -> np.ndarray:
    """``value`` as a non-empty array of probabilities >= 0 summing to 1 along the last axis.

    The sum may differ from 1 by ``rtol`` (relative): a float32 softmax over many classes sums
    to 1 only to about 1e-6, and rounded printouts (0.333, 0.333, 0.333) to about 1e-3 — round
    to 4 decimals or more. Counts (``[2, 3, 5]``) and independent
    sigmoid outputs are refused with a ``ValueError`` naming ``name`` and the fix.
    """
    array = as_data_array(name, value, None, what)
    if array.min() < 0:
        raise ValueError(
            f"{name} must be probabilities >= 0 ({what}), found {array.min():g}. "
            f"If these are logits, turn them into probabilities with a softmax first."
        )
    sums = np.sum(array, axis=-1)
    if not np.allclose(sums, 1.0, rtol=rtol, atol=0.0):
        bad = float(np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1.0))])
        raise ValueError(
            f"{name} must sum to 1 along its last axis ({what}), got a sum of {bad:.6g}. "
            f"Normalise counts or scores with {name} / {name}.sum(axis=-1, keepdims=True); "
            f"independent sigmoid outputs are no distribution (use a softmax)."
        )
    return array


# ----------------------------------------------------------------------------- flat 28×28 images
# (labs 09 and 10: models that take rows of 784 pixels)


def check_pixel_range(name: str, array: np.ndarray, low_ok: float = 0.0) -> None:
    """``ValueError`` naming ``name`` if a value is outside [low_ok, 1], with the likely fix.

    ``low_ok = -1`` admits differences of images (a change map), as lab 10's total variation does.
    """
    if array.size == 0:
        return
    low, high = float(array.min()), float(array.max())
    if low < low_ok or high > 1.0:
        hint = (
            "it looks like 0–255 pixels; divide by 255"
            if high > 1.0 and low >= low_ok and high <= 255.0
            else "pixel values are never negative"
            if low < low_ok
            else "scale the images to [0, 1]"
        )
        allowed = (
            "[0, 1]" if low_ok == 0 else "[0, 1] (or differences of them, in [-1, 1])"
        )
        raise ValueError(
            f"{name} must hold pixels in {allowed}, found values in [{low:.3g}, {high:.3g}]: "
            f"{hint}."
        )


def as_flat_images(name: str, x: Any, *, one_image_as_row: bool = False) -> np.ndarray:
    """Rows of 784 pixels in [0, 1] as float32; one ``ValueError`` naming ``name`` otherwise.

    Image-shaped arrays (m, 28, 28) are refused with the reshape that fixes them, empty arrays
    and 0–255 values with their own message. A single flat image (784,) becomes one row with
    ``one_image_as_row`` (lab 10), and is refused with ``x.reshape(1, 784)`` otherwise (lab 09).
    NumPy arrays of numbers are checked without a float64 copy.
    """
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu":
        array = x.astype("float32", copy=False)
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite; it contains NaN or infinity.")
    else:
        array = as_finite_array(
            name, x, None, "flattened 28×28 images in rows, pixels in [0, 1]"
        ).astype("float32")
    if one_image_as_row and array.ndim == 1 and array.size == 784:
        array = array[None]
    if array.ndim != 2 or array.shape[1] != 784:
        fix = ""
        if array.size and array.size % 784 == 0:
            fix = (
                f" Use {name}.reshape(-1, 784)."
                if one_image_as_row
                else f" For one image use {name}.reshape(1, 784)."
                if array.ndim == 1
                else f" Use {name}.reshape(len({name}), 784)."
            )
        shapes = "(m, 784) or (784,)" if one_image_as_row else "(m, 784)"
        raise ValueError(
            f"{name} must have shape {shapes}: one flattened 28×28 image per row, got "
            f"{array.shape}.{fix}"
        )
    if len(array) == 0:
        raise ValueError(
            f"{name} is empty (shape {array.shape}); it must hold at least one image. Check "
            "the slice or filter that built it."
        )
    check_pixel_range(name, array)
    return array
