"""Build the trained weights the course ships: the 2-D MNIST VAE of 09_lab_vae.

    python scripts/build_pretrained.py [--output-dir data]

Trains ``course_utils.vae_lab.train_vae`` with its defaults (the main model of notebook 09) on the
bundled MNIST training digits, seeded and with TensorFlow's op determinism, and saves it as a ``.keras``
file with reproducible bytes: the zip members get a fixed timestamp and ``metadata.json`` a fixed save
date. Prints the SHA-256 of what it wrote; it must equal ``PRETRAINED_FILES`` in
``course_utils/vae_lab.py`` (and ``data/pretrained/README.md``). The file is loaded with
``safe_mode=True`` (no Python code inside), about 0.9 MB.

The bytes are reproducible with the same TensorFlow/Keras versions on the same kind of CPU; another
CPU may round differently in the last bits, then the SHA-256 differs and the constants must be updated.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def normalised_keras_archive(path: Path) -> bytes:
    """The .keras zip at ``path`` rewritten with fixed timestamps and save date, members sorted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in sorted(source.namelist()):
            content = source.read(name)
            if name == "metadata.json":
                metadata = json.loads(content)
                metadata["date_saved"] = "1980-01-01@00:00:00"
                content = json.dumps(metadata, sort_keys=True).encode()
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content, compresslevel=9)
    return buffer.getvalue()


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
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "vae.keras"
        # An uncompiled copy: the weights without the optimizer's state (a third of the size).
        _, vae_class = vae_lab.vae_classes()
        copy = vae_class.from_config(training.vae.get_config())
        copy(x_train[:1])  # builds it
        copy.set_weights(training.vae.get_weights())
        copy.save(raw)
        content = normalised_keras_archive(raw)
    target.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    return {vae_lab.PRETRAINED_VAE: digest}


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
