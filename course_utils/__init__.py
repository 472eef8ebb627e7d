"""Helpers for the course *Loss Functions in Neural Networks*.

Importing this package is cheap: it never imports TensorFlow. Modules that need
TensorFlow import it inside the functions that use it.
"""

__version__ = "0.1.0"
