r"""Metric-learning losses: embeddings of the same class close together, of different classes far apart.

Circle loss (Sun et al., 2020) looks at every pair of a batch: with cosine distances
:math:`d_{ij} = \max(1 - \langle e_i, r_j \rangle, 0)` between embedding :math:`e_i` and reference
:math:`r_j` (the batch itself by default), it pushes same-label pairs below the distance ``margin``
and different-label pairs beyond ``1 − margin``, each pair weighted by how far it is from its
optimum, so the pairs that are most wrong get the largest gradients. The embeddings should be
L2-normalised (an ``L2Normalization`` layer or ``keras.utils.normalize``) for d to be a cosine distance.

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import (
    as_float64,
    check_parameter,
    is_python_number,
    tf_prediction,
)
from course_utils.losses._catalog import LossEntry, Param, register


def _check_circle_inputs(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any,
    ref_embeddings: Any,
    gamma: Any,
    margin: Any,
) -> None:
    for name, value in (
        ("y_true", y_true),
        ("y_pred", y_pred),
        ("ref_labels", ref_labels),
        ("ref_embeddings", ref_embeddings),
    ):
        if isinstance(value, (list, tuple)):
            as_float64(name, value)  # a ragged, empty or text list gets a named error
    check_parameter("gamma", gamma, "a number > 0 (the scale of the pair weights)")
    check_parameter(
        "margin", margin, "a number in [0, 1] (the relaxation of the optima)"
    )
    if len(np.shape(y_pred)) != 2:
        raise ValueError(
            f"y_pred must be embeddings of shape (m, d), got shape {np.shape(y_pred)}."
        )
    if np.shape(y_true) not in ((np.shape(y_pred)[0],), (np.shape(y_pred)[0], 1)):
        raise ValueError(
            f"y_true must hold one integer label per embedding, shape ({np.shape(y_pred)[0]},), "
            f"got shape {np.shape(y_true)}."
        )
    if (ref_labels is None) != (ref_embeddings is None):
        raise ValueError(
            "ref_labels and ref_embeddings go together: pass both or neither."
        )
    if ref_embeddings is not None:
        if (
            len(np.shape(ref_embeddings)) != 2
            or np.shape(ref_embeddings)[-1] != np.shape(y_pred)[-1]
        ):
            raise ValueError(
                f"ref_embeddings must have shape (M, {np.shape(y_pred)[-1]}), the embedding size of "
                f"y_pred; got shape {np.shape(ref_embeddings)}."
            )
        if np.shape(ref_labels) not in (
            (np.shape(ref_embeddings)[0],),
            (np.shape(ref_embeddings)[0], 1),
        ):
            raise ValueError(
                f"ref_labels must hold one integer label per reference embedding, shape "
                f"({np.shape(ref_embeddings)[0]},), got shape {np.shape(ref_labels)}."
            )
    if is_python_number(gamma) and not gamma > 0:
        raise ValueError(
            f"gamma must be a number > 0 (the scale of the pair weights), got {gamma!r}."
        )
    if is_python_number(margin) and not 0 <= margin <= 1:
        raise ValueError(
            f"margin must be in [0, 1] (the relaxation of the optima), got {margin!r}."
        )


def _integer_labels(name: str, labels: Any) -> np.ndarray:
    """Class labels as a flat int64 array; a fractional label is an error (Keras would truncate it)."""
    values = as_float64(name, labels).reshape(-1)
    if not np.all(values == np.round(values)):
        raise ValueError(
            f"{name} must hold integer class labels, found {values[values != np.round(values)][0]!r}. "
            "Pass the class ids, not one-hot rows or probabilities."
        )
    return values.astype(np.int64)


def _np_logsumexp(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """log Σ exp over the masked entries of each row; −∞ for a row with none."""
    masked = np.where(mask, values, -np.inf)
    top = np.max(masked, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(masked - top), axis=1)) + top[:, 0]


def _np_softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def circle_numpy(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> np.ndarray:
    r"""Circle loss per embedding, float64.

    .. math::
        L_i = \operatorname{softplus}\left(\ln \sum_{j \in P_i} e^{-\gamma a^p_{ij}(\mu - d_{ij})}
        + \ln \sum_{j \in N_i} e^{\gamma a^n_{ij}(1 - \mu - d_{ij})}\right)

    :math:`a^p_{ij} = \max(\mu + d_{ij}, 0)`, :math:`a^n_{ij} = \max(1 + \mu - d_{ij}, 0)`,
    μ = ``margin``, P_i the references with the same label (not i itself when ``remove_diagonal``),
    N_i the others.
    """
    _check_circle_inputs(y_true, y_pred, ref_labels, ref_embeddings, gamma, margin)
    embeddings = as_float64("y_pred", y_pred)
    labels = _integer_labels("y_true", y_true)
    references = (
        embeddings
        if ref_embeddings is None
        else as_float64("ref_embeddings", ref_embeddings)
    )
    reference_labels = (
        labels if ref_labels is None else _integer_labels("ref_labels", ref_labels)
    )
    distance = np.maximum(1.0 - embeddings @ references.T, 0.0)
    positive = labels[:, None] == reference_labels[None, :]
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~np.eye(len(labels), len(reference_labels), dtype=bool)
    positive_weight = np.maximum((margin + distance) * positive, 0.0)
    negative_weight = np.maximum((1.0 + margin - distance) * negative, 0.0)
    positive_term = _np_logsumexp(
        -gamma * positive_weight * (margin - distance), positive
    )
    negative_term = _np_logsumexp(
        gamma * negative_weight * (1.0 - margin - distance), negative
    )
    with np.errstate(invalid="ignore"):
        return _np_softplus(positive_term + negative_term)


def circle_tf(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> Any:
    """Circle loss in TensorFlow, a drop-in for ``keras.losses.circle``.

    Like Keras, the result carries a mask (loss > 0) so that a Keras loss class averages over the
    samples that still have something to learn.
    """
    import tensorflow as tf
    from keras.src.backend.common.masking import set_keras_mask

    _check_circle_inputs(y_true, y_pred, ref_labels, ref_embeddings, gamma, margin)
    embeddings = tf_prediction(y_pred)
    labels = tf.reshape(tf.cast(y_true, tf.int32), (-1, 1))
    references = (
        embeddings if ref_embeddings is None else tf.convert_to_tensor(ref_embeddings)
    )
    reference_labels = (
        labels
        if ref_labels is None
        else tf.reshape(tf.cast(ref_labels, tf.int32), (-1, 1))
    )

    distance = tf.maximum(
        1.0 - tf.matmul(embeddings, references, transpose_b=True), 0.0
    )
    positive = tf.equal(labels, tf.transpose(reference_labels))
    negative = tf.logical_not(positive)
    if remove_diagonal:
        diagonal = tf.eye(tf.size(labels), tf.size(reference_labels), dtype=tf.bool)
        positive = tf.logical_and(positive, tf.logical_not(diagonal))
    positive_weight = tf.maximum(
        (margin + distance) * tf.cast(positive, distance.dtype), 0.0
    )
    negative_weight = tf.maximum(
        (1.0 + margin - distance) * tf.cast(negative, distance.dtype), 0.0
    )
    minus_infinity = tf.constant(-np.inf, distance.dtype)
    positive_term = tf.reduce_logsumexp(
        tf.where(
            positive, -gamma * positive_weight * (margin - distance), minus_infinity
        ),
        axis=1,
    )
    negative_term = tf.reduce_logsumexp(
        tf.where(
            negative,
            gamma * negative_weight * (1.0 - margin - distance),
            minus_infinity,
        ),
        axis=1,
    )
    loss = tf.math.softplus(positive_term + negative_term)
    set_keras_mask(loss, loss > 0)
    return loss


register(
    LossEntry(
        name="circle",
        display_name="Circle loss",
        family="metric learning",
        when_to_use="Learning embeddings for retrieval or face recognition from class labels alone.",
        latex=(
            r"L_i = \operatorname{softplus}\left(\ln \sum_{j \in P_i} e^{-\gamma\, a^p_{ij} (\mu - d_{ij})}"
            r" + \ln \sum_{j \in N_i} e^{\gamma\, a^n_{ij} (1 - \mu - d_{ij})}\right), \quad "
            r"d_{ij} = \max\left(1 - \langle e_i, r_j \rangle, 0\right), \quad "
            r"a^p_{ij} = \max(\mu + d_{ij}, 0), \quad a^n_{ij} = \max(1 + \mu - d_{ij}, 0); \quad "
            r"e_i = \text{row } i \text{ of } \hat y \text{ (an embedding, label } y_i), \ "
            r"r_j = \text{reference } j \text{ (the batch itself by default)}, \ "
            r"P_i = \{j : \text{label of } r_j = y_i\} \text{ (without } j = i "
            r"\text{ if remove_diagonal)}, \ "
            r"N_i = \{j : \text{label of } r_j \ne y_i\}, \ "
            r"\mu = \texttt{margin}, \ \gamma = \texttt{gamma}"
        ),
        numpy=circle_numpy,
        tf=circle_tf,
        grad=None,
        params=(
            Param(
                "ref_labels",
                None,
                "None or integer labels of shape (M,)",
                "labels of reference embeddings (None: the batch is its own reference)",
            ),
            Param(
                "ref_embeddings",
                None,
                "None or an array of shape (M, d)",
                "the reference embeddings",
            ),
            Param(
                "remove_diagonal",
                True,
                "True or False",
                "leave out each embedding's pair with itself",
            ),
            Param(
                "gamma",
                80,
                "a number > 0",
                "scale of the pair weights: larger is closer to a hard max",
                lambda value: None if value > 0 else "It is a scale.",
            ),
            Param(
                "margin",
                0.4,
                "a number in [0, 1]",
                "relaxation μ: same-label pairs aim below d = μ, others above 1 − μ",
                lambda value: None if 0 <= value <= 1 else "It is a cosine distance.",
            ),
        ),
        y_true_domain="labels",
        y_pred_domain="embedding",
        notes="No closed-form gradient is given: the weights' max(·, 0) make it piecewise; autodiff of tf is "
        "checked against finite differences of numpy instead.",
    )
)
