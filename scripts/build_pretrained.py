"""Build the trained weights the course ships: the 2-D MNIST VAE of 09_lab_vae.

    python scripts/build_pretrained.py [--output-dir data]

Trains ``course_utils.vae_lab.train_vae`` with its defaults (the main model of notebook 09) on the
bundled MNIST training digits, seeded and with TensorFlow's op determinism, and saves its weights only
(``.weights.h5``, no optimizer state, no configuration): ``course_utils.vae_lab.load_pretrained_vae``
loads them into the architecture it builds in code, so no saved Keras configuration has to be read and
an older Keras (Colab's) loads the file as well as the one that wrote it. The HDF5 file holds no
timestamps, so two builds give the same bytes. Prints the SHA-256 of what it wrote; it must equal
``PRETRAINED_FILES`` in ``course_utils/vae_lab.py`` (and ``data/pretrained/README.md``). About 0.9 MB.

The bytes are reproducible with the same TensorFlow/Keras versions on the same kind of CPU; another
CPU may round differently in the last bits, then the SHA-256 differs and the constants must be updated.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def save_weights_file(vae: Any, target: Path) -> str:
    """Copy ``vae``'s weights into a fresh uncompiled architecture, save them to ``target``.

    Returns the SHA-256 of the file. Saving from the uncompiled copy leaves the optimizer's state out
    (a third of the size) and keeps the file's layout exactly what ``load_pretrained_vae`` expects.
    """
    sys.path.insert(0, str(ROOT))
    from course_utils import vae_lab

    copy = vae_lab.vae_architecture(vae_lab.LATENT_DIM, beta=1.0)
    copy.set_weights(vae.get_weights())
    target.parent.mkdir(parents=True, exist_ok=True)
    copy.save_weights(target)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def build(output_dir: Path) -> dict[str, str]:
    """Train and write every shipped file under ``output_dir``; return {relative path: SHA-256}."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    sys.path.insert(0, str(ROOT))
    from course_utils import vae_lab

    tf.config.experimental.enable_op_determinism()
    x_train, _ = vae_lab.mnist_pixels("train")
    training = vae_lab.train_vae(x_train)
    print(
        f"trained in {training.seconds:.1f} s; last epoch: loss {training.loss[-1]:.2f}"
    )
    target = output_dir / vae_lab.PRETRAINED_VAE
    return {vae_lab.PRETRAINED_VAE: save_weights_file(training.vae, target)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    for name, digest in build(args.output_dir).items():
        size = (args.output_dir / name).stat().st_size
        print(f"{name}  {size / 1e6:.2f} MB  SHA-256 {digest}")


if __name__ == "__main__":
    main()
