"""End-to-end slider latency in real JupyterLab: key press to new figure on screen.

Runs JupyterLab on temporary notebooks and drives it with headless Chromium
(Playwright). The time runs from the ``keydown`` (or ``pointerdown``) event to
the first animation frame after the new image is in the page. Two parts, both
run by default (``--only compare`` or ``--only widgets`` runs one):

compare
    Two figures with the same content side by side in one notebook: the course's
    ``LivePlot`` (blitting, PNG swapped into an Image widget) and a plain
    ``ipywidgets.interact`` that rebuilds and re-displays the figure in an
    ``Output`` widget (what most notebooks do). The ŷ slider of each is moved
    with the arrow key, one step at a time.

widgets
    Every factory registered with ``course_utils.widgets.register_widget``, one
    notebook cell each: about ``--widget-presses`` inputs per widget, shared among
    its sliders (arrow keys, turning back at the end of the range) and stage
    buttons (a click on the next one); a widget without a slider gets its
    dropdowns (arrow keys on the focused list). For each widget the table gives
    p50, p95 and max in the browser and the kernel-side redraw time the LivePlot
    records (``redraw_seconds``) for the same inputs, so the browser's share is
    visible; it is written to ``--output`` (docs/widget_latency.md). The course's
    budget: p50 <= 60 ms and p95 <= 120 ms.

    ``--baseline REV`` also measures ``course_utils`` as it is at git revision REV
    (a second notebook whose kernel imports that copy), widget by widget
    alternating with the working tree, so that machine load hits both alike.

Needs Debian's Chromium and Playwright (``make bench-browser`` installs Playwright
from benchmarks/requirements-browser.txt).

    python benchmarks/browser_slider_latency.py [--presses 40] [--widget-presses 20]
        [--only compare|widgets] [--widgets NAME,NAME] [--baseline REV] [--lang en|zh]
        [--output docs/widget_latency.md]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import io
import json
import math
import os
import platform
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The course's widget budget, key press to new picture in real JupyterLab (ms).
GOAL_P50, GOAL_P95 = 60.0, 120.0

CELLS = [
    "from course_utils.environment import setup_notebook\n_ = setup_notebook(tensorflow=False)",
    "from course_utils.prediction_loss import prediction_loss_widget\nlive = prediction_loss_widget()\nlive",
    (
        "import ipywidgets as widgets\n"
        "from IPython.display import display\n"
        "from course_utils.prediction_loss import plot_prediction_loss\n"
        "def redraw(y_pred):\n"
        "    display(plot_prediction_loss(1.0, y_pred))\n"
        "_ = widgets.interact(redraw, y_pred=widgets.FloatSlider(value=0.3, min=-1.5, max=3.0, step=0.05))"
    ),
]

OBSERVE_IMAGES = """
(outputIndex) => {
  const outputs = document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-OutputArea');
  const area = outputs[outputIndex];
  window.__frames = [];
  window.__keys = [];
  document.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
  const hasImage = (node) => node.nodeType === 1 && (node.tagName === 'IMG' || node.querySelector('img'));
  const newImage = (m) => (m.type === 'attributes' && m.target.tagName === 'IMG')
    || (m.type === 'childList' && Array.from(m.addedNodes).some(hasImage));
  new MutationObserver((mutations) => {
    if (mutations.some(newImage)) requestAnimationFrame(() => window.__frames.push(performance.now()));
  }).observe(area, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}
"""


KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel && kernel.status === 'idle';
}"""

SHUT_DOWN = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (panel && panel.sessionContext) { panel.sessionContext.shutdown(); }
}"""


# --- the widgets notebook ---------------------------------------------------------------------

#: Every code cell has run and the kernel is idle (after run-all-cells).
QUEUE_EMPTY = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter((c) => c.model.type === 'code');
  return Boolean(kernel) && kernel.status === 'idle'
    && cells.every((c) => c.model.executionCount !== null);
}"""

ERRORS = """() => Array.from(document.querySelectorAll(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'))
  .map((el) => el.textContent.slice(0, 400))"""

#: Runs Python in the notebook's kernel (no cell); returns [status, stdout].
KERNEL_EXECUTE = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += msg.content.evalue;
  };
  const reply = await future.done;
  return [reply.content.status, out];
}"""

#: Records input times and the first frame after each new picture of one output area.
OBSERVE_AREA = """(index) => {
  const area = document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-OutputArea')[index];
  window.__frames = [];
  if (!window.__inputsInstalled) {
    window.__inputs = [];
    const stamp = () => window.__inputs.push(performance.now());
    document.addEventListener('keydown', stamp, true);
    document.addEventListener('pointerdown', stamp, true);
    window.__inputsInstalled = true;
  }
  if (window.__observer) window.__observer.disconnect();
  window.__observer = new MutationObserver((mutations) => {
    if (mutations.some((m) => m.type === 'attributes' && m.target.tagName === 'IMG'))
      requestAnimationFrame(() => window.__frames.push(performance.now()));
  });
  window.__observer.observe(area, {subtree: true, attributes: true, attributeFilter: ['src']});
}"""

#: A dropdown's arrow key, as a keyboard would do it: stamp the input, select the next option.
SELECT_NEXT = """(select, direction) => {
  window.__inputs.push(performance.now());
  select.selectedIndex += direction;
  select.dispatchEvent(new Event('change', {bubbles: true}));
}"""

SCROLL_TO = """(index) => document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-OutputArea')[index]
  .scrollIntoView({block: 'center'})"""

SLIDER_HANDLES = ".widget-slider .noUi-handle, .widget-slider .ui-slider-handle"
TOGGLE_GROUPS = ".widget-toggle-buttons"
DROPDOWNS = ".widget-dropdown select"

SETUP_CELL = """\
import sys
{path_line}from course_utils.environment import setup_notebook
_ = setup_notebook(tensorflow=False, lang={lang!r})
import importlib, json, pkgutil
import course_utils
for _module in pkgutil.iter_modules(course_utils.__path__):
    if not _module.ispkg:
        importlib.import_module(f"course_utils.{{_module.name}}")
from course_utils.widgets import WIDGET_FACTORIES
import time
_LIVE = {{}}

def _count_cpu(live):
    # also the kernel thread's CPU time per redraw: less sensitive to other load than wall time
    redraw, live.cpu_seconds = live.redraw, []
    def timed():
        start = time.thread_time()
        redraw()
        live.cpu_seconds.append(time.thread_time() - start)
    live.redraw = timed

print(course_utils.__file__)"""

WIDGET_CELL = """\
_LIVE[{name!r}] = WIDGET_FACTORIES[{name!r}]()
_count_cpu(_LIVE[{name!r}])
_LIVE[{name!r}]"""

CLEAR_REDRAWS = """\
for _live in _LIVE.values():
    _live.redraw_seconds.clear()
    _live.cpu_seconds.clear()"""
READ_REDRAWS = """\
print(json.dumps({n: [[s * 1000 for s in l.redraw_seconds], [s * 1000 for s in l.cpu_seconds]]
                  for n, l in _LIVE.items()}))"""


def wait_for_server(port: int, seconds: float = 90) -> None:
    """Return once JupyterLab accepts connections on ``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not start on port {port} within {seconds} s.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def save_notebook(cells: list[str], path: Path) -> Path:
    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def write_notebook(folder: Path) -> Path:
    return save_notebook(CELLS, folder / "latency.ipynb")


def registered_widgets() -> list[str]:
    """Names of the functions decorated with ``register_widget`` in course_utils (read, not imported)."""
    names = []
    for module in sorted((ROOT / "course_utils").glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Name) and d.id == "register_widget"
                for d in node.decorator_list
            ):
                names.append(node.name)
    return sorted(names)


def baseline_copy(revision: str, folder: Path) -> Path:
    """``course_utils`` as it is at git ``revision``, in ``folder`` (with a link to data/)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "course_utils"],
        check=True,
        capture_output=True,
    ).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "data").symlink_to(ROOT / "data")
    return folder


@contextlib.contextmanager
def jupyterlab(folder: Path) -> Iterator[str]:
    """A JupyterLab serving ``folder`` with every cell rendered (no windowing); yields its URL pattern."""
    settings = folder / "_settings"
    settings.mkdir()
    overrides = json.loads((ROOT / "scripts/lab_settings/overrides.json").read_text())
    overrides["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    (settings / "overrides.json").write_text(json.dumps(overrides))
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
        + [f"--port={port}", f"--IdentityProvider.token={token}", "--no-browser"]
        + ["--allow-root", "--LabApp.expose_app_in_browser=True"]
        + [f"--LabApp.app_settings_dir={settings}"]
        + [f"--LabApp.workspaces_dir={folder / '_workspaces'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(port)
        yield f"http://127.0.0.1:{port}/lab/tree/{{name}}?reset&token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(page, output_index: int, presses: int) -> list[float]:
    """Press → Right on the output's slider ``presses`` times; return latencies in ms."""
    page.evaluate(OBSERVE_IMAGES, output_index)
    area = page.locator(".jp-Notebook .jp-CodeCell .jp-OutputArea").nth(output_index)
    handle = area.locator(
        ".widget-slider .noUi-handle, .widget-slider .ui-slider-handle"
    ).last
    handle.focus()
    latencies = []
    for _ in range(presses):
        frames_before = page.evaluate("window.__frames.length")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"window.__frames.length > {frames_before}", timeout=10_000
        )
        time.sleep(
            0.15
        )  # let stray mutations of this step settle before the next press
        key_time = page.evaluate("window.__keys[window.__keys.length - 1]")
        first_frame = page.evaluate(f"window.__frames[{frames_before}]")
        latencies.append(first_frame - key_time)
    return latencies


def compare(browser, lab: str, presses: int) -> dict[str, list[float]]:
    """LivePlot against interact on the same figure (the first part)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(lab.format(name="latency.ipynb"))
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        cells.nth(1).locator(".widget-image").wait_for(timeout=120_000)
        cells.nth(2).locator(".jp-OutputArea-output img").first.wait_for(
            timeout=120_000
        )
        time.sleep(2)
        return {
            "LivePlot (blitting, Image widget)": measure(page, 1, presses),
            "interact + re-plot in Output": measure(page, 2, presses),
        }
    finally:
        page.evaluate(SHUT_DOWN)
        time.sleep(1)
        page.close()


def print_comparison(results: dict[str, list[float]]) -> None:
    print(f"{'figure':36s} {'presses':>8s} {'p50 ms':>8s} {'p90 ms':>8s}")
    for name, latencies in results.items():
        p90 = statistics.quantiles(latencies, n=10)[-1]
        print(
            f"{name:36s} {len(latencies):8d} {statistics.median(latencies):8.0f} {p90:8.0f}"
        )
    live, baseline = (statistics.median(v) for v in results.values())
    print(f"ratio of medians (LivePlot / interact): {live / baseline:.2f}")


# --- every registered widget ------------------------------------------------------------------


class WidgetPage:
    """One notebook (one kernel) with a cell per widget, open in its own browser page."""

    def __init__(self, browser, lab: str, name: str, widgets: list[str]) -> None:
        self.name = name
        self.widgets = widgets
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.goto(lab.format(name=name))
        self.page.wait_for_function(KERNEL_IDLE, timeout=180_000)
        self.page.evaluate(
            "window.jupyterapp.commands.execute('notebook:run-all-cells')"
        )

    def wait_until_run(self) -> None:
        time.sleep(2)
        self.page.wait_for_function(QUEUE_EMPTY, timeout=600_000, polling=1000)
        errors = self.page.evaluate(ERRORS)
        if errors:
            raise RuntimeError(f"error output in {self.name}: {errors}")
        self.kernel(CLEAR_REDRAWS)

    def kernel(self, code: str) -> str:
        status, out = self.page.evaluate(KERNEL_EXECUTE, code)
        if status != "ok":
            raise RuntimeError(f"{code!r} failed in the kernel of {self.name}: {out}")
        return out

    def redraw_ms(self) -> dict[str, list[list[float]]]:
        """Per widget: [wall times, CPU times] of its redraws, in ms."""
        return json.loads(self.kernel(READ_REDRAWS))

    def area(self, index: int):
        return self.page.locator(".jp-Notebook .jp-CodeCell .jp-OutputArea").nth(index)

    def measure_widget(self, widget: str, presses: int) -> list[float]:
        """About ``presses`` inputs on the widget's controls; latencies in ms."""
        index = self.widgets.index(widget) + 1  # cell 0 is the setup
        page = self.page
        page.evaluate(SCROLL_TO, index)
        time.sleep(0.5)
        area = self.area(index)
        if area.locator(".widget-image").count() == 0:
            raise RuntimeError(f"{widget}: no image widget in its output")
        controls = [
            ("slider", handle)
            for handle in area.locator(SLIDER_HANDLES).filter(visible=True).all()
        ] + [
            ("buttons", group)
            for group in area.locator(TOGGLE_GROUPS).filter(visible=True).all()
        ]
        if not any(kind == "slider" for kind, _ in controls):
            controls += [
                ("dropdown", select)
                for select in area.locator(DROPDOWNS).filter(visible=True).all()
            ]
        if not controls:
            raise RuntimeError(f"{widget}: no slider, button group or dropdown")
        each = max(1, math.ceil(presses / len(controls)))
        latencies = []
        for kind, control in controls:
            direction = +1
            for _ in range(each):
                latencies.append(self._one_input(kind, control, direction))
                direction = self._direction(kind, control, direction)
        return latencies

    @staticmethod
    def _direction(kind: str, control, direction: int) -> int:
        """Turn back at the end of a slider's range or a dropdown's list."""
        if kind == "slider":
            value, low, high = (
                control.get_attribute(a)
                for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
            )
            if value == high:
                return -1
            if value == low:
                return +1
        elif kind == "dropdown":
            position, count = control.evaluate("(s) => [s.selectedIndex, s.length]")
            if position == count - 1:
                return -1
            if position == 0:
                return +1
        return direction

    def _one_input(self, kind: str, control, direction: int) -> float:
        page = self.page
        index = int(
            page.evaluate(
                "(el) => Array.from(document.querySelectorAll("
                "'.jp-Notebook .jp-CodeCell .jp-OutputArea')).findIndex((a) => a.contains(el))",
                control.element_handle(),
            )
        )
        page.evaluate(OBSERVE_AREA, index)
        if kind == "buttons":
            buttons = control.locator("button")
            active = buttons.evaluate_all(
                "(bs) => bs.findIndex((b) => b.classList.contains('mod-active'))"
            )
            buttons.nth((active + 1) % buttons.count()).click()
        elif kind == "slider":
            control.focus()
            page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        else:  # headless Chromium opens no list on arrow keys: choose the next option as they would
            control.evaluate(SELECT_NEXT, direction)
        page.wait_for_function("window.__frames.length > 0", timeout=20_000)
        time.sleep(0.15)  # let this step's mutations settle before the next input
        return float(
            page.evaluate(
                "window.__frames[0] - window.__inputs[window.__inputs.length - 1]"
            )
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.evaluate(SHUT_DOWN)
            time.sleep(1)
        self.page.close()


def summary(
    latencies: list[float], redraws: list[float], cpu: list[float]
) -> dict[str, float]:
    row = {
        "presses": len(latencies),
        "p50": float(np.percentile(latencies, 50)),
        "p95": float(np.percentile(latencies, 95)),
        "max": float(max(latencies)),
        "redraws": len(redraws),
        "server_p50": float(np.percentile(redraws, 50)) if redraws else math.nan,
        "server_p95": float(np.percentile(redraws, 95)) if redraws else math.nan,
        "cpu_p50": float(np.percentile(cpu, 50)) if cpu else math.nan,
    }
    row["browser"] = row["p50"] - row["server_p50"]
    row["ok"] = row["p50"] <= GOAL_P50 and row["p95"] <= GOAL_P95
    return row


def measure_widgets(
    browser, lab: str, variants: dict[str, str], widgets: list[str], presses: int
) -> dict[str, dict[str, dict[str, float]]]:
    """Per variant (notebook), per widget: the summary of :func:`summary`."""
    pages = {
        variant: WidgetPage(browser, lab, notebook, widgets)
        for variant, notebook in variants.items()
    }
    try:
        for page in pages.values():
            page.wait_until_run()
        latencies: dict[str, dict[str, list[float]]] = {v: {} for v in pages}
        order = list(pages)
        for number, widget in enumerate(widgets):
            # Alternate which variant goes first, so that a load spike hits both alike.
            for variant in order if number % 2 == 0 else order[::-1]:
                pages[variant].page.bring_to_front()
                latencies[variant][widget] = pages[variant].measure_widget(
                    widget, presses
                )
                print(
                    f"  {variant:9s} {widget:28s} p50 {statistics.median(latencies[variant][widget]):5.0f} ms",
                    flush=True,
                )
        results = {}
        for variant, page in pages.items():
            redraws = page.redraw_ms()
            results[variant] = {
                widget: summary(latencies[variant][widget], *redraws[widget])
                for widget in widgets
            }
        return results
    finally:
        for page in pages.values():
            page.close()


def table(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Markdown table: one row per widget, the current code's numbers (and the baseline's)."""
    current = results["current"]
    before = results.get("baseline")
    head = (
        "| widget | presses | p50 ms | p95 ms | max ms | kernel redraw p50 / p95 ms "
        "| kernel CPU p50 ms | browser share p50 ms | goal |"
    )
    rule = "|---|--:|--:|--:|--:|--:|--:|--:|---|"
    if before:
        head += (
            " baseline p50 / p95 ms | baseline kernel redraw / CPU p50 ms "
            "| after / before: p50 | kernel CPU |"
        )
        rule += "--:|--:|--:|--:|"
    lines = [head, rule]
    for widget, row in current.items():
        line = (
            f"| {widget} | {row['presses']} | {row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} "
            f"| {row['server_p50']:.1f} / {row['server_p95']:.1f} | {row['cpu_p50']:.1f} "
            f"| {row['browser']:.0f} | {'met' if row['ok'] else '**missed**'} |"
        )
        if before:
            old = before[widget]
            line += (
                f" {old['p50']:.0f} / {old['p95']:.0f} | {old['server_p50']:.1f} / {old['cpu_p50']:.1f} "
                f"| {row['p50'] / old['p50']:.2f} | {row['cpu_p50'] / old['cpu_p50']:.2f} |"
            )
        lines.append(line)
    return lines


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True
    ).stdout.strip()
    import jupyterlab
    import matplotlib

    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, JupyterLab {jupyterlab.__version__}, "
        f"matplotlib {matplotlib.__version__}, {chromium or 'Chromium'} headless"
    )


def write_report(
    path: Path,
    results: dict[str, dict[str, dict[str, float]]],
    loads: tuple[tuple[float, ...], tuple[float, ...]],
    seconds: float,
    args: argparse.Namespace,
    comparison: dict[str, list[float]] | None = None,
) -> None:
    current = results["current"]
    missed = [w for w, row in current.items() if not row["ok"]]
    command = "python benchmarks/browser_slider_latency.py " + shlex.join(sys.argv[1:])
    lines = [
        "# Slider latency of every widget, in real JupyterLab",
        "",
        "Written by `make bench-browser` (benchmarks/browser_slider_latency.py). Each widget registered "
        "with `register_widget` is one cell of a notebook run in JupyterLab and driven by headless "
        "Chromium: its sliders get arrow-key presses (its stage buttons clicks; a widget without a "
        "slider gets its dropdowns), and the time runs from the key press to the first animation frame "
        "with the new picture. *Kernel redraw* is the time the LivePlot itself records per redraw "
        "(`redraw_seconds`: update the artists, draw them over the background, encode the PNG), "
        "wall time; *kernel CPU* is the kernel thread's CPU time for the same redraws, which other "
        "work on the machine inflates less; "
        "*browser share* = p50 − kernel p50 (messages, the widget round trip, decoding and painting). "
        f"Budget: p50 ≤ {GOAL_P50:.0f} ms and p95 ≤ {GOAL_P95:.0f} ms.",
        "",
        f"* Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"* Machine: {machine()}",
        f"* Load average (1/5/15 min) before: {'/'.join(f'{v:.2f}' for v in loads[0])}, "
        f"after: {'/'.join(f'{v:.2f}' for v in loads[1])} (the cores are shared with other work)",
        f"* Command: `{command}` ({seconds:.0f} s, language {args.lang})",
    ]
    if args.baseline:
        lines.append(
            f"* Baseline: `course_utils` at `{args.baseline}`, measured in a second notebook widget by "
            "widget, alternating with the working tree"
        )
    if comparison:
        live, plain = (statistics.median(v) for v in comparison.values())
        lines.append(
            f"* The same run's side-by-side figure (prediction loss, {len(next(iter(comparison.values())))} "
            f"presses each): LivePlot p50 {live:.0f} ms, `interact` re-plotting in an Output "
            f"p50 {plain:.0f} ms"
        )
    lines += ["", *table(results), ""]
    if missed:
        lines.append(
            "Missing the goal: "
            + ", ".join(
                f"{w} (p50 {current[w]['p50']:.0f} ms, p95 {current[w]['p95']:.0f} ms)"
                for w in missed
            )
            + "."
        )
    else:
        lines.append("Every widget meets the goal.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--presses", type=int, default=40, help="presses per figure (compare)"
    )
    parser.add_argument(
        "--widget-presses", type=int, default=20, help="inputs per widget (widgets)"
    )
    parser.add_argument("--only", choices=("compare", "widgets"))
    parser.add_argument("--widgets", help="comma-separated names (default: all)")
    parser.add_argument(
        "--baseline", help="git revision whose course_utils is measured too"
    )
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "widget_latency.md",
        help="the widgets' report (markdown)",
    )
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit(
            "Playwright is missing: run `make bench-browser` (it installs benchmarks/requirements-browser.txt)."
        )
    if not Path(CHROMIUM).exists():
        sys.exit(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)."
        )
    widgets = registered_widgets()
    if args.widgets:
        unknown = set(args.widgets.split(",")) - set(widgets)
        if unknown:
            sys.exit(f"not registered widgets: {sorted(unknown)}; known: {widgets}")
        widgets = [w for w in widgets if w in args.widgets.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="latency-"))
    write_notebook(folder)
    variants = {"current": "widgets.ipynb"}
    paths = {"current": ""}
    if args.baseline:
        variants["baseline"] = "widgets_baseline.ipynb"
        paths["baseline"] = str(baseline_copy(args.baseline, folder / "_baseline"))
    for variant, notebook in variants.items():
        path_line = (
            f"sys.path.insert(0, {paths[variant]!r})\n" if paths[variant] else ""
        )
        save_notebook(
            [SETUP_CELL.format(path_line=path_line, lang=args.lang)]
            + [WIDGET_CELL.format(name=w) for w in widgets],
            folder / notebook,
        )
    comparison = results = None
    try:
        with jupyterlab(folder) as lab, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS
            )
            if args.only != "widgets":
                comparison = compare(browser, lab, args.presses)
                print_comparison(comparison)
            if args.only != "compare":
                start, load_before = time.monotonic(), os.getloadavg()
                results = measure_widgets(
                    browser, lab, variants, widgets, args.widget_presses
                )
                loads = (load_before, os.getloadavg())
                seconds = time.monotonic() - start
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if results is not None:
        print()
        print("\n".join(table(results)))
        write_report(args.output, results, loads, seconds, args, comparison)
        print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
