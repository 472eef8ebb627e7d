"""A class on a real JupyterHub, end to end in headless Chromium (``make test-hub``).

The hub (scripts/hub/classroom.py) runs in a temporary folder on 127.0.0.1; the content
repository is the student copies committed to a local git repository (``file://``). The
story, in one test because each step needs the one before:

1. student A logs in and clicks the link that ``scripts/hub_links.py`` prints for notebook 00:
   nbgitpuller clones the repository and JupyterLab opens the notebook;
2. A runs the setup cell and the widget cell; a slider moved with the keyboard redraws the figure;
3. A edits a cell and saves;
4. student B, logged in at the same time, clicks the same link: B gets a fresh copy without
   A's edit, and B's browser cannot read A's server;
5. the instructor commits a change to notebook 01 and to notebook 00 (another cell);
6. A clicks the link again: the new commit is in A's clone, both changes are there, and
   A's edit is kept (nbgitpuller's promise in docs/instructors.md).

Every browser request to anything but 127.0.0.1 is aborted and recorded; the test fails on
any. ``make test-hub`` also runs the whole test in a network namespace with only loopback
(scripts/hub/offline.sh) where the system allows it, so the hub, proxy, servers, kernels and
git cannot reach the network either.

``HUB_TEST_BREAK=targetpath`` drops ``targetpath`` from the link, to see the test fail
(nbgitpuller then clones into ``loss-course-student.git`` and the notebook is not found).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import classroom
import pytest
from conftest import ROOT

NOTEBOOKS = [
    ROOT / "notebooks" / "00_start_here.ipynb",
    ROOT / "notebooks" / "01_neuron_and_forward_pass.ipynb",
]
TARGET = "00_start_here.ipynb"
OPENED = f"{classroom.CONTENT_NAME}/notebooks/{TARGET}"
EDIT_MARK = "# student A was here: keep this line"
UPSTREAM_00 = "Instructor's update to notebook 00 (commit 2)."
UPSTREAM_01 = "Instructor's update to notebook 01 (commit 2)."

NOTEBOOK_READY = """(path) => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const session = panel && panel.sessionContext;
  const kernel = session && session.session && session.session.kernel;
  return Boolean(panel && panel.context && panel.context.isReady && panel.context.path === path
    && session.isReady && kernel && kernel.status === 'idle'
    && panel.content.widgets.length > 0);
}"""

CELL_INDEX = """(needle) => window.jupyterapp.shell.currentWidget.content.widgets
  .findIndex((c) => c.model.sharedModel.getSource().includes(needle))"""

SOURCES = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map((c) => c.model.sharedModel.getSource())"""

CLEAR_OUTPUTS = (
    """() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')"""
)

CELL_DONE = """(index) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets[index];
  return cell.model.executionCount !== null
    && panel.sessionContext.session.kernel.status === 'idle';
}"""

CELL_ERRORS = """(index) => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell')[index]
  .querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'))
  .map((el) => el.textContent.slice(0, 300))"""

SAVED = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return !panel.context.model.dirty;
}"""

FETCH = """async (url) => {
  // As JupyterLab's own requests: the session cookie and the XSRF token.
  const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
  const response = await fetch(url, {credentials: 'same-origin',
                                     headers: {'X-XSRFToken': decodeURIComponent(xsrf)}});
  return [response.status, await response.text()];
}"""

LISTING = """async () => (await window.jupyterapp.serviceManager.contents.get(''))
  .content.map((item) => item.name)"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[tuple[classroom.Hub, Path, Path]]:
    folder = tmp_path_factory.mktemp("hub")
    bare, work = classroom.make_content_repo(folder, NOTEBOOKS)
    with classroom.Hub(folder) as running:
        try:
            yield running, bare, work
        finally:
            kept = ROOT / "build" / "hub-test" / "jupyterhub.log"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(running.log_path, kept)
            print(f"\nthe hub's log: {kept}")


def offline_context(browser, blocked: list[str]):
    """A browser context that aborts (and records) every request off 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    return context


def log_in(context, hub: classroom.Hub, name: str):
    page = context.new_page()
    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", "any password: DummyAuthenticator")
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, timeout=60_000)
    # Logging in starts the server; wait for it as a learner waits for the "starting" page.
    hub.wait_until_ready(name)
    return page


DIALOG_TEXT = """() => Array.from(document.querySelectorAll('.jp-Dialog'))
  .map((el) => el.innerText.slice(0, 300)).join(' | ')"""


def open_link(page, link: str) -> None:
    """Click the nbgitpuller link (open it as the browser would) and wait for the notebook.

    nbgitpuller's page pulls, then sends the browser on to JupyterLab; a check that runs while
    the page changes fails with "execution context was destroyed", so each check is retried
    until JupyterLab shows the notebook with an idle kernel, shows a dialog, or 240 s pass.
    """
    page.goto(link)
    deadline = time.monotonic() + 240
    problem = "no check finished"
    while time.monotonic() < deadline:
        try:
            if page.evaluate(NOTEBOOK_READY, OPENED):
                return
            dialog = page.evaluate(DIALOG_TEXT)
            problem = f"a dialog: {dialog!r}" if dialog else "the notebook is not ready"
        except Exception as error:  # noqa: BLE001 - the page is changing; try again
            problem = f"{type(error).__name__}: {str(error)[:200]}"
        page.wait_for_timeout(250)
    raise AssertionError(
        f"the link did not open {OPENED} in JupyterLab with a ready kernel within 240 s "
        f"(last: {problem}); the page is {page.url}: {page.inner_text('body')[:400]!r}"
    )


def run_cell(page, index: int) -> None:
    """Select cell ``index`` with a click and run it with Shift+Enter; wait for its result."""
    prompt = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputPrompt")
    prompt.scroll_into_view_if_needed()
    prompt.click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(CELL_DONE, arg=index, timeout=180_000, polling=250)
    errors = page.evaluate(CELL_ERRORS, index)
    assert not errors, f"cell {index} failed: {errors}"


def move_slider_and_see_redraw(page, index: int) -> None:
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    image = cell.locator(".widget-image").first
    image.wait_for(timeout=60_000)
    handle = cell.locator(".widget-slider .noUi-handle").filter(visible=True).first
    before = image.get_attribute("src")
    handle.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and image.get_attribute("src") == before:
        time.sleep(0.1)
    assert image.get_attribute("src") != before, "the slider did not redraw the figure"


def link_for(hub: classroom.Hub, bare: Path) -> str:
    link = classroom.hub_links(hub, bare, NOTEBOOKS)[TARGET]
    if os.environ.get("HUB_TEST_BREAK") == "targetpath":  # to see the test fail
        parts = urlsplit(link)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "targetpath"]
        link = urlunsplit(parts._replace(query=urlencode(query)))
    return link


def on_disk(hub: classroom.Hub, user: str, relative: str) -> str:
    return (hub.homes / user / relative).read_text(encoding="utf-8")


def test_a_class_on_a_real_hub(browser, hub) -> None:
    running, bare, work = hub
    link = link_for(running, bare)
    query = dict(parse_qsl(urlsplit(link).query))
    assert link.startswith(f"{running.url}hub/user-redirect/git-pull?"), link
    assert query["repo"] == bare.as_uri() and query["branch"] == "main", query
    blocked: list[str] = []
    context_a = offline_context(browser, blocked)
    context_b = offline_context(browser, blocked)
    try:
        # 1. A logs in and clicks the link: a clone in A's home, the notebook open.
        page_a = log_in(context_a, running, "student-a")
        open_link(page_a, link)
        assert (running.homes / "student-a" / OPENED).is_file()
        assert f"lab/tree/{OPENED}" in page_a.url.replace("%2F", "/"), page_a.url

        # 2. The setup cell and the widget cell run; a slider redraws the figure.
        page_a.evaluate(CLEAR_OUTPUTS)
        setup = page_a.evaluate(CELL_INDEX, "# Setup (not part of the lesson)")
        widget = page_a.evaluate(CELL_INDEX, "prediction_loss_widget()")
        assert setup >= 0 and widget > setup, (setup, widget)
        run_cell(page_a, setup)
        run_cell(page_a, widget)
        move_slider_and_see_redraw(page_a, widget)

        # 3. A edits a cell (typing into it) and saves.
        edited = page_a.evaluate(CELL_INDEX, "from course_utils import prediction_loss")
        editor = (
            page_a.locator(".jp-Notebook .jp-Cell").nth(edited).locator(".cm-content")
        )
        editor.click()
        page_a.keyboard.press("Control+Home")
        page_a.keyboard.type(EDIT_MARK)
        page_a.keyboard.press("Enter")
        page_a.keyboard.press("Escape")
        page_a.keyboard.press("Control+s")
        page_a.wait_for_function(SAVED, timeout=30_000)
        assert EDIT_MARK in on_disk(running, "student-a", OPENED), "A's edit not saved"

        # 4. B, logged in at the same time, gets their own fresh copy and cannot read A's.
        page_b = log_in(context_b, running, "student-b")
        open_link(page_b, link)
        assert not any(EDIT_MARK in s for s in page_b.evaluate(SOURCES)), (
            "B sees A's edit"
        )
        assert EDIT_MARK not in on_disk(running, "student-b", OPENED)
        names = sorted(page_b.evaluate(LISTING))
        assert names == [classroom.CONTENT_NAME], f"B's home lists {names}"
        status, body = page_b.evaluate(
            FETCH, f"/user/student-a/api/contents/{OPENED}?content=1"
        )
        assert status != 200 and EDIT_MARK not in body, (
            f"B read A's notebook (HTTP {status})"
        )

        # 5. The instructor commits a change to 01 and to 00 (a cell A did not touch).
        summary = next(
            i
            for i, c in enumerate(
                json.loads((work / "notebooks" / TARGET).read_text())["cells"]
            )
            if "".join(c["source"]).startswith("## Summary")
        )
        commit = classroom.instructor_commit(
            work,
            {
                f"notebooks/{TARGET}": (summary, UPSTREAM_00),
                "notebooks/01_neuron_and_forward_pass.ipynb": (0, UPSTREAM_01),
            },
            "Update notebooks 00 and 01",
        )

        # 6. A clicks the link again: the new commit, both changes, and A's edit kept.
        open_link(page_a, link)
        sources = "\n".join(page_a.evaluate(SOURCES))
        assert UPSTREAM_00 in sources, "the instructor's change to 00 did not arrive"
        assert EDIT_MARK in sources, "A's edit was lost in the pull"
        clone = running.homes / "student-a" / classroom.CONTENT_NAME
        history = classroom.git("log", "--format=%H", "origin/main", cwd=clone)
        assert commit in history.split(), "the new commit is not in A's clone"
        assert UPSTREAM_01 in on_disk(
            running,
            "student-a",
            f"{classroom.CONTENT_NAME}/notebooks/01_neuron_and_forward_pass.ipynb",
        )
        assert EDIT_MARK in on_disk(running, "student-a", OPENED)
        assert EDIT_MARK not in on_disk(running, "student-b", OPENED)
    finally:
        context_a.close()
        context_b.close()
    assert not blocked, f"requests that would have left the machine: {blocked}"
