"""The course's exercises, one module per notebook (``nb04`` for notebook 04), in notebook order.

Each module builds its :class:`course_utils.checks.Exercise` objects and registers them on
import; ``course_utils.checks.check`` imports every module here when it needs a key.
Importing this package does not import TensorFlow.
"""
