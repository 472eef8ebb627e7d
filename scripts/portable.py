"""`make test-portable`: every notebook under strict nbval on the CPU paths a learner's machine may take.

TensorFlow's CPU kernels (oneDNN, Eigen) choose their code path by instruction set and thread count,
so the last bits of a matmul, a convolution or a reduction differ between an AVX-512 server, an AVX2
laptop, an older SSE4.1 machine and a one-core container. Training turns those bits into different
printed numbers. The rule (CONTRIBUTING.md, "Outputs that do not depend on the machine") keeps such
numbers out of what nbval compares; this target proves it holds, in two steps:

1. ``probe``: a small seeded CNN is trained once per setting in a fresh process, and the hash of its
   final weights is compared with the default run. Every setting that can change the arithmetic on
   this CPU must change it (else the notebook runs below would pass vacuously), the default must be
   reproducible, and ``TF_ENABLE_ONEDNN_OPTS=0`` must equal the default (the course sets it).
2. ``notebooks``: every notebook runs under strict nbval once per setting; all settings run and are
   reported before the target fails.

Usage: ``python scripts/portable.py [probe|notebooks|all]`` (default ``all``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The settings a learner's machine may amount to. ONEDNN_MAX_CPU_ISA caps oneDNN's instruction set
# (it cannot emulate a newer CPU than this one); TF_ENABLE_ONEDNN_OPTS=1 is what a learner gets who
# imports TensorFlow before the setup cell; one intra-op thread is a one-core container.
SETTINGS: dict[str, dict[str, str]] = {
    "oneDNN capped at AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "oneDNN capped at SSE4.1": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
    "oneDNN custom ops on": {"TF_ENABLE_ONEDNN_OPTS": "1"},
    "oneDNN custom ops off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "one intra-op thread": {"TF_NUM_INTRAOP_THREADS": "1"},
}
# The course's own default (setup_notebook and tests/conftest.py set it): the probe proves this
# setting is the default bit for bit, so its notebook run would repeat `make test`'s.
SAME_AS_DEFAULT = "oneDNN custom ops off"
# Instruction sets oneDNN knows, oldest first, with the /proc/cpuinfo flag that enables each.
ISA_ORDER = [
    ("SSE41", "sse4_1"),
    ("AVX", "avx"),
    ("AVX2", "avx2"),
    ("AVX512_CORE", "avx512f"),
]

PROBE = r"""
import hashlib, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import numpy as np, keras, tensorflow as tf
keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
data = np.load(os.environ["PROBE_DATA"])
x = (data["x_train"][:1024] / 255.0).astype("float32")[..., None]
y = data["y_train"][:1024].astype("int64")
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(10),
])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, batch_size=64, epochs=2, verbose=0, shuffle=False)
digest = hashlib.sha256(b"".join(w.tobytes() for w in model.get_weights()))
print(digest.hexdigest())
"""


def native_isa() -> str:
    """The newest oneDNN instruction set this CPU supports (from /proc/cpuinfo; 'unknown' elsewhere)."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return "unknown"
    best = "unknown"
    for isa, flag in ISA_ORDER:
        if flag in flags:
            best = isa
    return best


def can_change_arithmetic(env: dict[str, str]) -> bool:
    """Whether a setting can differ from the default on this machine."""
    if "ONEDNN_MAX_CPU_ISA" in env:
        names = [isa for isa, _ in ISA_ORDER]
        native = native_isa()
        return native in names and names.index(env["ONEDNN_MAX_CPU_ISA"]) < names.index(
            native
        )
    if env.get("TF_NUM_INTRAOP_THREADS") == "1":
        return (os.cpu_count() or 1) > 1
    return env.get("TF_ENABLE_ONEDNN_OPTS") != "0"


def run_probe(env: dict[str, str]) -> str:
    full_env = {
        **os.environ,
        **env,
        "PROBE_DATA": str(ROOT / "data" / "fashion_mnist_subset.npz"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"probe failed under {env}:\n{result.stderr[-2000:]}")
    return result.stdout.strip().splitlines()[-1]


def probe() -> bool:
    """Train the probe model under each setting; False if a setting did not do what it should."""
    print(f"CPU: newest oneDNN instruction set {native_isa()}, {os.cpu_count()} cores")
    default = run_probe({})
    again = run_probe({})
    ok = default == again
    print(
        f"  default             weights {default[:12]}  repeat {again[:12]}  "
        f"{'reproducible' if ok else 'NOT REPRODUCIBLE'}"
    )
    for name, env in SETTINGS.items():
        digest = run_probe(env)
        changed = digest != default
        if name == SAME_AS_DEFAULT:
            expected, verdict = False, "equals the default (the course's own setting)"
        elif can_change_arithmetic(env):
            expected, verdict = True, "changes the arithmetic"
        else:
            expected, verdict = False, "cannot differ on this CPU"
        good = changed == expected
        ok &= good
        status = (
            verdict if good else f"UNEXPECTED: {'changed' if changed else 'unchanged'}"
        )
        print(f"  {name:24s} weights {digest[:12]}  {status}")
    return ok


def notebooks() -> bool:
    """Every notebook under strict nbval for each setting that differs from the default run."""
    paths = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9A-Z]*.ipynb")
    )
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadscope", "-rf",
        "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", *paths,
    ]  # fmt: skip
    results: dict[str, tuple[int, float]] = {}
    for name, env in SETTINGS.items():
        if name == SAME_AS_DEFAULT:
            continue
        print(
            f"\n== {name} ({' '.join(f'{k}={v}' for k, v in env.items())})", flush=True
        )
        start = time.monotonic()
        status = subprocess.run(
            command, cwd=ROOT, env={**os.environ, **env}, check=False
        )
        results[name] = (status.returncode, time.monotonic() - start)
    print("\nmake test-portable, notebooks under strict nbval:")
    for name, (code, seconds) in results.items():
        print(f"  {name:24s} {'passed' if code == 0 else 'FAILED'} in {seconds:.0f} s")
    return all(code == 0 for code, _ in results.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "step", nargs="?", default="all", choices=["probe", "notebooks", "all"]
    )
    step = parser.parse_args().step
    ok = True
    if step in ("probe", "all"):
        ok &= probe()
    if step in ("notebooks", "all"):
        ok &= notebooks()
    print(f"make test-portable: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
