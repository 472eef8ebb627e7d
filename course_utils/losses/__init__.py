"""Every loss Keras ships, written from scratch twice and proven equal to Keras.

``catalog()`` returns one :class:`LossEntry` per Keras loss, keyed by its Keras name; ``get(name)``
returns one. Each entry holds the formula as computed (``latex``), a float64 NumPy reference
(``numpy``), a TensorFlow implementation with the Keras function's signature (``tf``), the Keras
function itself (``keras``), the analytic gradient where one exists (``grad``) and its ``params``.

Outside the catalog: :mod:`course_utils.losses.vae` (the VAE's KL term and loss),
:mod:`course_utils.losses.confusion_aware` (a confusion-aware cross-entropy), and
:mod:`course_utils.article_errata` (the source article's broken versions, kept runnable).

Importing this package does not import TensorFlow or Keras; the ``tf`` functions import them when
called. Used in: 04_regression_losses, 05_classification_losses,
06_divergence_similarity_and_other_losses, 07_losses_in_keras.
"""

from course_utils.losses._arrays import EPSILON
from course_utils.losses._catalog import FAMILIES, LossEntry, Param, catalog, get

__all__ = ["EPSILON", "FAMILIES", "LossEntry", "Param", "catalog", "get"]
