"""Peak memory of each notebook's kernel, against Binder's limits (part of ``make bench``).

mybinder.org guarantees 1 GB and stops a session above 2 GB. Each notebook runs top to
bottom on a fresh kernel in its own process (the repository's files are not written); the
kernel's peak resident memory is read from the operating system once it has exited
(``getrusage(RUSAGE_CHILDREN)``, Linux and macOS).

    python benchmarks/bench_notebook_memory.py [notebooks/01_*.ipynb ...]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDER_GUARANTEED_MB, BINDER_LIMIT_MB = 1024, 2048

RUN = r"""
import resource, sys
import nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(peak / 1024 if sys.platform != "darwin" else peak / 2**20)
"""


def peak_mb(notebook: Path) -> float:
    """Peak resident memory (MB) of the kernel that ran ``notebook`` top to bottom."""
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(notebook), str(notebook.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    notebooks = [Path(a) for a in argv] or sorted(
        (ROOT / "notebooks").glob("[0-9A-Z]*.ipynb")
    )
    print(
        f"{'notebook':44s} {'peak MB':>8s} {'run s':>6s}  Binder (1 GB sure, 2 GB max)"
    )
    worst = 0.0
    for notebook in notebooks:
        start = time.perf_counter()
        peak = peak_mb(notebook)
        seconds = time.perf_counter() - start
        worst = max(worst, peak)
        verdict = (
            "fits 1 GB"
            if peak <= BINDER_GUARANTEED_MB
            else "fits 2 GB"
            if peak <= BINDER_LIMIT_MB
            else "TOO BIG"
        )
        print(f"{notebook.stem:44s} {peak:8.0f} {seconds:6.0f}  {verdict}")
    return 0 if worst <= BINDER_LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
