"""End-to-end slider latency in real JupyterLab: key press to new figure on screen.

Runs JupyterLab on a temporary copy of a small notebook and drives it with
headless Chromium (Playwright). Two figures with the same content are measured
side by side in one run:

* the course's ``LivePlot`` (blitting, PNG swapped into an Image widget);
* a plain ``ipywidgets.interact`` that rebuilds and re-displays the figure in an
  ``Output`` widget (what most notebooks do).

For each, the ŷ slider is moved with the arrow key, one step at a time; the
time runs from the ``keydown`` event to the first animation frame after the new
image is in the page. Needs Debian's Chromium and Playwright
(``make bench-browser`` installs Playwright from benchmarks/requirements-browser.txt).

    python benchmarks/browser_slider_latency.py [--presses 40]
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

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


def wait_for_server(port: int, seconds: float = 60) -> None:
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


def write_notebook(folder: Path) -> Path:
    notebook = new_notebook(cells=[new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "latency.ipynb"
    nbformat.write(notebook, path)
    return path


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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presses", type=int, default=40)
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
    folder = Path(tempfile.mkdtemp(prefix="latency-"))
    write_notebook(folder)
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            f"--ServerApp.root_dir={folder}",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--no-browser",
            "--allow-root",
            "--LabApp.expose_app_in_browser=True",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            wait_for_server(port)
            page.goto(f"http://127.0.0.1:{port}/lab/tree/latency.ipynb?token={token}")
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            page.evaluate(
                "window.jupyterapp.commands.execute('notebook:run-all-cells')"
            )
            cells = page.locator(".jp-Notebook .jp-CodeCell")
            cells.nth(1).locator(".widget-image").wait_for(timeout=120_000)
            cells.nth(2).locator(".jp-OutputArea-output img").first.wait_for(
                timeout=120_000
            )
            time.sleep(2)
            results = {
                "LivePlot (blitting, Image widget)": measure(page, 1, args.presses),
                "interact + re-plot in Output": measure(page, 2, args.presses),
            }
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'figure':36s} {'presses':>8s} {'p50 ms':>8s} {'p90 ms':>8s}")
    for name, latencies in results.items():
        p90 = statistics.quantiles(latencies, n=10)[-1]
        print(
            f"{name:36s} {len(latencies):8d} {statistics.median(latencies):8.0f} {p90:8.0f}"
        )
    live, baseline = (statistics.median(v) for v in results.values())
    print(f"ratio of medians (LivePlot / interact): {live / baseline:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
