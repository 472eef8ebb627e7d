"""Fetch Keras's own loss tests for an environment whose Keras wheel ships none.

The Keras 3.13 and 3.14 wheels (what Colab has) contain no ``*_test.py`` files;
3.15.1's wheel does. ``make test-colab`` runs this once: it downloads the 3.15.1
wheel from PyPI with pip into ``build/keras-tests/``, checks its SHA-256, and
extracts ``keras/src/losses/losses_test.py`` next to it. The test
tests/test_losses_keras_suite.py reads the path from ``KERAS_LOSS_TESTS``. No
Keras code is copied into the repository.

    python scripts/fetch_keras_tests.py   # prints the path of losses_test.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WHEEL = "keras-3.15.1-py3-none-any.whl"
SHA256 = "836460e480930acbd19bb7a17e62f9ecad40e8a9af9a651fc8d0586a96d27e20"
MEMBER = "keras/src/losses/losses_test.py"


def fetch(folder: Path = ROOT / "build" / "keras-tests") -> Path:
    """The path of the extracted ``losses_test.py`` (downloaded once, verified every time)."""
    wheel = folder / WHEEL
    if not wheel.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            + ["--only-binary", ":all:", "--dest", str(folder), "keras==3.15.1"],
            check=True,
        )
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        wheel.unlink()
        raise RuntimeError(f"{WHEEL}: SHA-256 {digest} is not the recorded {SHA256}")
    target = folder / "keras-3.15.1" / "losses_test.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read(MEMBER))
    return target


if __name__ == "__main__":
    print(fetch())
