"""Kernel-side redraw time of every slider figure of the course (``make bench``).

For each widget registered with ``course_utils.widgets.register_widget``, every
control is swept across its range as a learner would drag it, and the time from
a value change to new PNG bytes in the Image widget is recorded. The browser's
share (messages, widget round trip, painting: 20-35 ms in JupyterLab on 2 shared
cores) and the slowdown of a kernel that shares the cores with the browser come
on top; the course's budget is p50 <= 60 ms and p95 <= 120 ms from key press to
new picture, measured for every widget by ``make bench-browser``
(docs/widget_latency.md), so the kernel side should stay well under 30 ms.

    python benchmarks/bench_widgets.py [--steps 40]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import numpy as np

import course_utils
from course_utils.plotting import apply_course_style
from course_utils.widgets import WIDGET_FACTORIES


def discover_widgets() -> None:
    """Import every course_utils module so that its widgets register themselves."""
    for module in pkgutil.iter_modules(course_utils.__path__):
        if not module.ispkg:
            importlib.import_module(f"course_utils.{module.name}")


def sweep(factory, steps: int) -> np.ndarray:
    """Drag each control of a fresh widget across its range; return redraw times in ms."""
    live = factory()
    for control in live.controls.values():
        if hasattr(control, "min") and hasattr(control, "max"):
            values = np.linspace(control.min, control.max, steps)
            if isinstance(control.value, int):
                values = np.unique(values.round().astype(int))
        else:
            options = getattr(control, "options", [control.value])
            values = [o[1] if isinstance(o, tuple) else o for o in options] * 3
        for value in values:
            control.value = value.item() if hasattr(value, "item") else value
    return np.array(live.redraw_seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=40, help="values per control")
    args = parser.parse_args()
    apply_course_style()
    discover_widgets()
    print(f"{'widget':40s} {'redraws':>8s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name, factory in sorted(WIDGET_FACTORIES.items()):
        times = sweep(factory, args.steps)
        print(
            f"{name:40s} {len(times):8d} {np.percentile(times, 50):8.1f} {np.percentile(times, 95):8.1f}"
        )


if __name__ == "__main__":
    main()
