"""Do the ranges that notebooks assert about trained numbers hold for other seeds? (``make bench``)

The rule (CONTRIBUTING.md, "Outputs that do not depend on the machine") keeps numbers that training
makes out of nbval's comparison and asserts each conclusion as a range instead. A GPU, an ARM CPU
or a future TensorFlow changes the last bits of training's arithmetic; training can grow such a
change until the run is as different as one started from another seed, but no more different
than that. So a range that holds for several other seeds leaves the margin those machines need.

This script runs every notebook that trains, top to bottom on a fresh kernel, once per seed shift:
an IPython start-up file adds the shift to every ``keras.utils.set_random_seed`` call (new initial
weights, shuffles and dropout masks; the data and the NumPy-seeded parts stay as they are). Every
``assert`` in the notebook must still pass. The table goes to ``docs/seed_margins.md``.

    python benchmarks/bench_seed_margins.py [--shifts 1,2,3] [notebooks/08_*.ipynb ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from notebook_rules import course_notebooks, read, training_dependent_cells  # noqa: E402

STARTUP = """
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import keras

_shift = int(os.environ["COURSE_SEED_SHIFT"])
_set_random_seed = keras.utils.set_random_seed


def _shifted(seed):
    _set_random_seed(int(seed) + _shift)


keras.utils.set_random_seed = _shifted
"""

RUN = r"""
import sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
notebook = nbformat.read(sys.argv[1], as_version=4)
try:
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": sys.argv[2]}}).execute()
except CellExecutionError as error:
    lines = [line for line in str(error).splitlines() if "Error" in line]
    print("FAILED: " + (lines[-1] if lines else str(error)[-300:]))
    sys.exit(1)
print("passed")
"""


def notebooks_that_train() -> list[Path]:
    return [p for p in course_notebooks() if training_dependent_cells(read(p))]


def run(notebook: Path, shift: int, ipython_dir: Path) -> tuple[str, float]:
    env = {
        **os.environ,
        "IPYTHONDIR": str(ipython_dir),
        "COURSE_SEED_SHIFT": str(shift),
    }
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(notebook), str(notebook.parent)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = result.stdout.strip().splitlines() or [result.stderr.strip()[-300:]]
    return lines[-1], time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--shifts", default="1,2,3", help="comma-separated seed shifts (default 1,2,3)"
    )
    args = parser.parse_args()
    notebooks = [p.resolve() for p in args.notebooks] or notebooks_that_train()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        startup = Path(folder) / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-shift-keras-seeds.py").write_text(STARTUP)
        for notebook in notebooks:
            for shift in [int(s) for s in args.shifts.split(",")]:
                verdict, seconds = run(notebook, shift, Path(folder))
                rows.append((notebook.name, shift, verdict, seconds))
                print(
                    f"{notebook.name:48s} seed +{shift}: {verdict} ({seconds:.0f} s)",
                    flush=True,
                )
    failed = [r for r in rows if not r[2].startswith("passed")]
    table = [
        "# Asserted ranges under other seeds",
        "",
        "Written by `python benchmarks/bench_seed_margins.py` (part of `make bench`). Every notebook",
        "that trains ran top to bottom with each `keras.utils.set_random_seed` call shifted by the",
        "number shown (new initial weights, shuffles and dropout), and every `assert` had to pass:",
        "the ranges that replace compared numbers hold with the margin another machine needs",
        '(CONTRIBUTING.md, "Outputs that do not depend on the machine").',
        "",
        "| notebook | seed shift | result | seconds |",
        "|---|---|---|---|",
        *(
            f"| {n} | +{s} | {re.sub(r'[|]', '/', v)} | {t:.0f} |"
            for n, s, v, t in rows
        ),
        "",
        f"{len(rows) - len(failed)} of {len(rows)} runs passed.",
    ]
    if not args.notebooks:
        (ROOT / "docs" / "seed_margins.md").write_text("\n".join(table) + "\n")
    print(f"{len(rows) - len(failed)} of {len(rows)} runs passed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
