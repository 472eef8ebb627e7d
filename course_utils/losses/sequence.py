r"""Sequence losses: CTC, for outputs that must spell a label sequence without a frame-by-frame alignment.

Connectionist temporal classification (Graves et al., 2006) scores T frames of class scores against a
shorter label sequence l. A *path* picks one class per frame; collapsing it (merge repeats, then drop
the blank) must give l. The loss is −ln of the total probability of all such paths, summed by a
dynamic programme over the extended sequence l' = (blank, l₁, blank, l₂, …, blank):

.. math::

    \alpha_1(0) = p_1(\text{blank}),\ \alpha_1(1) = p_1(l_1),\quad
    \alpha_t(s) = p_t(l'_s) \left(\alpha_{t-1}(s) + \alpha_{t-1}(s-1)
    + [l'_s \ne \text{blank},\, l'_s \ne l'_{s-2}]\, \alpha_{t-1}(s-2)\right)

and :math:`L = -\ln(\alpha_T(S-1) + \alpha_T(S-2))`, computed in log space.

Keras's conventions, followed here: ``y_true`` is (m, max_label_length) integer labels padded with 0,
and class 0 is the blank (so real labels are 1…K−1, K classes). Keras takes the first n entries as the label, n
being the number of non-zero entries, so padding must come last: a 0 inside a label becomes a symbol
of its own, scored with the blank's probability (reproduced here, but a bug in your data); ``y_pred`` is (m, T, K) logits z (*unnormalised* scores),
turned into probabilities by a softmax over the last axis (passing probabilities works too, but they
are then treated as scores: the softmax is applied again).

Used in: 06_divergence_similarity_and_other_losses.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.losses._arrays import as_float64, log_softmax, tf_prediction
from course_utils.losses._catalog import LossEntry, register

#: The blank class (Keras's ``mask_index``); 0 in y_true is padding.
BLANK = 0

#: Stands in for log 0 in the TensorFlow recursion: exp(NEG_LOG - x) is exactly 0, yet finite, so
#: unreachable states give zero gradients instead of NaN (0 · ∞).
NEG_LOG = -1e30


def _check_ctc_shapes(y_true: Any, y_pred: Any) -> None:
    if len(np.shape(y_true)) != 2:
        raise ValueError(
            f"y_true must be integer labels of shape (batch, max_label_length), padded with 0; "
            f"got shape {np.shape(y_true)}."
        )
    if len(np.shape(y_pred)) != 3:
        raise ValueError(
            f"y_pred must be class scores of shape (batch, time steps, classes); got shape {np.shape(y_pred)}."
        )


def ctc_numpy(y_true: Any, y_pred: Any) -> np.ndarray:
    r"""CTC loss per sequence, float64, by the α recursion of the module docstring.

    .. math::
        L = -\ln \sum_{\pi \in \mathcal B^{-1}(l)} \prod_t \operatorname{softmax}(z_t)_{\pi_t}

    l is the first n = #non-zeros entries of y.
    """
    _check_ctc_shapes(y_true, y_pred)
    labels = np.asarray(y_true)
    if not np.issubdtype(labels.dtype, np.integer) and not np.all(
        labels == np.round(labels)
    ):
        raise TypeError("y_true must hold integer class ids (0 is padding).")
    labels = labels.astype(np.int64)
    log_probs = log_softmax(as_float64("y_pred", y_pred))
    classes = log_probs.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"y_true must hold class ids in [1, {classes - 1}] (0 is padding and the blank), "
            f"found {labels[(labels < 0) | (labels >= classes)].flat[0]}."
        )
    losses = np.empty(labels.shape[0])
    for sample, (sequence, frames) in enumerate(zip(labels, log_probs)):
        losses[sample] = _ctc_one(sequence[: np.count_nonzero(sequence)], frames)
    return losses


def _ctc_one(label: np.ndarray, frames: np.ndarray) -> float:
    """−ln p(label | frames) for one sample, frames being (T, K) log-probabilities."""
    extended = np.full(2 * len(label) + 1, BLANK)
    extended[1::2] = label
    states = len(extended)
    is_label = np.arange(states) % 2 == 1
    # A 0 among the first n labels is a symbol of its own (scored with the blank's probability), as in TF.
    can_skip = np.zeros(states, dtype=bool)
    can_skip[2:] = is_label[2:] & (extended[2:] != extended[:-2])

    def emission(frame: np.ndarray) -> np.ndarray:
        return frame[extended]

    alpha = np.where(np.arange(states) < 2, emission(frames[0]), -np.inf)
    for frame in frames[1:]:
        stay = alpha
        step = np.concatenate(([-np.inf], alpha))[:states]
        skip = np.where(
            can_skip, np.concatenate(([-np.inf, -np.inf], alpha))[:states], -np.inf
        )
        alpha = np.logaddexp(np.logaddexp(stay, step), skip) + emission(frame)
    ending = alpha[-1] if states == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(-ending)


def ctc_tf(y_true: Any, y_pred: Any) -> Any:
    """CTC in TensorFlow from primitive ops (a ``tf.scan`` over time), a drop-in for ``keras.losses.ctc``."""
    import tensorflow as tf

    _check_ctc_shapes(y_true, y_pred)
    scores = tf_prediction(y_pred)
    labels = tf.cast(tf.convert_to_tensor(y_true), tf.int32)
    lengths = tf.reduce_sum(tf.cast(tf.not_equal(labels, BLANK), tf.int32), axis=-1)
    batch, max_length = tf.shape(labels)[0], tf.shape(labels)[1]
    positions = tf.range(max_length)[None, :]
    labels = tf.where(
        positions < lengths[:, None], labels, BLANK
    )  # Keras reads the first `length` labels

    # The extended sequence blank, l1, blank, l2, ..., blank for every sample, padded to 2L + 1.
    blanks = tf.fill([batch, max_length], BLANK)
    extended = tf.reshape(tf.stack([blanks, labels], axis=-1), [batch, 2 * max_length])
    extended = tf.concat([extended, tf.fill([batch, 1], BLANK)], axis=-1)
    states = 2 * max_length + 1
    state_ids = tf.range(states)[None, :]
    is_label = tf.equal(state_ids % 2, 1)
    two_before = tf.concat([tf.fill([batch, 2], -1), extended[:, :-2]], axis=-1)
    can_skip = tf.logical_and(is_label, tf.not_equal(extended, two_before))

    log_probs = tf.nn.log_softmax(scores, axis=-1)  # (m, T, K)
    emissions = tf.gather(log_probs, extended, axis=2, batch_dims=1)  # (m, T, S)
    emissions = tf.transpose(emissions, [1, 0, 2])  # (T, m, S)
    neg = tf.constant(NEG_LOG, log_probs.dtype)
    start = tf.where(state_ids < 2, emissions[0], neg)

    def advance(alpha: Any, emission: Any) -> Any:
        pad = tf.fill([batch, 1], neg)
        step = tf.concat([pad, alpha[:, :-1]], axis=-1)
        skip = tf.where(can_skip, tf.concat([pad, pad, alpha[:, :-2]], axis=-1), neg)
        return tf.reduce_logsumexp(tf.stack([alpha, step, skip]), axis=0) + emission

    alphas = tf.scan(advance, emissions[1:], initializer=start)
    final = tf.concat([start[None], alphas], axis=0)[-1]  # (m, S)
    last = 2 * lengths
    end_blank = tf.gather(final, last, batch_dims=1)
    end_label = tf.where(
        lengths > 0, tf.gather(final, tf.maximum(last - 1, 0), batch_dims=1), neg
    )
    return -tf.reduce_logsumexp(tf.stack([end_blank, end_label]), axis=0)


register(
    LossEntry(
        name="ctc",
        display_name="Connectionist temporal classification (CTC)",
        family="sequence",
        when_to_use="Speech or handwriting recognition: frame scores against a shorter, unaligned label sequence.",
        latex=(
            r"L(y, z) = -\ln \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T} "
            r"\operatorname{softmax}(z_t)_{\pi_t}, \quad "
            r"l = (y_1, \dots, y_n), \ n = \#\{j : y_j \ne 0\} "
            r"\text{ (the first } n \text{ entries of } y\text{, however many zeros they hold)}, \quad "
            r"\mathcal{B}: \text{merge repeats, then drop blanks (class 0)}, \quad "
            r"z_t \in \mathbb{R}^K \text{: the logits of frame } t"
        ),
        numpy=ctc_numpy,
        tf=ctc_tf,
        grad=None,
        y_true_domain="sequence",
        y_pred_domain="logits",
        notes="No closed-form gradient: the sum over paths is a dynamic programme; autodiff of tf is checked "
        "against finite differences of numpy. Keras computes it in float32 even for float64 input. "
        "A label too long for the input (no path) gives inf in numpy, 1e30 in tf (log 0 is -1e30 there) "
        "and about 707 in Keras (its log 0 is ln 1e-307); tf and Keras both give finite gradients there.",
    )
)
