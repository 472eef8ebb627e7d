"""A class on a real JupyterHub, measured (``make bench-hub N=10``): writes docs/hub_benchmark.md.

N students start at once on the hub of scripts/hub/classroom.py (all on 127.0.0.1). Each one:
gets a server, pulls the content repository with nbgitpuller (its ``git-pull/api``, what a
link click runs), then runs notebooks 00-03 in order, every code cell, through the kernel
websocket of their own server (as JupyterLab does, without a browser: 10 Chromiums would
measure Chromium). A notebook's kernel is shut down before the next notebook starts, as when
a learner closes a notebook with File > Close and Shut Down (set kernel culling on a real hub).

Per student, sampled every 0.5 s from /proc/<pid>/smaps_rollup over their server and kernels
(the processes whose environment says JUPYTERHUB_USER=<name>): peak PSS (shared pages split
between the processes that share them, so TensorFlow's libraries count once over the class),
USS (pages only that student's processes hold) and RSS (shared pages counted in full); CPU
seconds; time from opening each notebook to its first executed cell; and whether every
cell succeeded.

    .venv/bin/python benchmarks/bench_hub.py --students 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "hub"))

import classroom  # noqa: E402

NOTEBOOKS = [
    "00_start_here.ipynb",
    "01_neuron_and_forward_pass.ipynb",
    "02_loss_cost_and_gradient_descent.ipynb",
    "03_backpropagation.ipynb",
]
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Student:
    def __init__(self, name: str) -> None:
        self.name = name
        self.token = ""
        self.peak = {"pss": 0, "uss": 0, "rss": 0}
        self.cpu: dict[int, float] = {}
        self.first_cell: dict[str, float] = {}
        self.cells_ok = 0
        self.cells = 0
        self.failures: list[str] = []
        self.ready_s = 0.0
        self.done_s = 0.0


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def sample(students: list[Student]) -> None:
    for student in students:
        total = {"pss": 0, "uss": 0, "rss": 0}
        for pid in classroom.user_processes(student.name):
            for key, value in classroom.memory_kb(pid).items():
                total[key] += value
            used = cpu_seconds(pid)
            if used is not None:
                student.cpu[pid] = max(student.cpu.get(pid, 0.0), used)
        for key in total:
            student.peak[key] = max(student.peak[key], total[key])


async def sampler(students: list[Student], stop: asyncio.Event) -> None:
    while not stop.is_set():
        await asyncio.to_thread(sample, students)
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


async def http(method: str, url: str, token: str, body: object = None) -> dict:
    from tornado.httpclient import AsyncHTTPClient

    response = await AsyncHTTPClient().fetch(
        url,
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
        request_timeout=600,
    )
    return json.loads(response.body) if response.body else {}


def message(code: str, session: str) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "session": session,
            "username": "bench",
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "channel": "shell",
        "buffers": [],
    }


def decode(raw: str | bytes) -> dict:
    """A kernel message from the websocket: text is JSON; a binary frame (a widget's picture
    travels in buffers) is [count, offsets..., JSON, buffers...] with 32-bit big-endian ints."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:4], "big")
    offsets = [
        int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(1, count + 1)
    ]
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0] : end])


async def run_notebook(hub: classroom.Hub, student: Student, path: str) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    base = f"{hub.url}user/{student.name}/"
    folder = hub.homes / student.name
    notebook = json.loads((folder / path).read_text(encoding="utf-8"))
    cells = [
        "".join(c["source"])
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]
    start = time.monotonic()
    session = await http(
        "POST",
        f"{base}api/sessions",
        student.token,
        {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
    )
    kernel = session["kernel"]["id"]
    ws_url = f"{base.replace('http', 'ws', 1)}api/kernels/{kernel}/channels"
    request = HTTPRequest(ws_url, headers={"Authorization": f"token {student.token}"})
    connection = await websocket_connect(request)
    session_id = uuid.uuid4().hex
    try:
        for index, code in enumerate(cells):
            request_message = message(code, session_id)
            await connection.write_message(json.dumps(request_message))
            msg_id = request_message["header"]["msg_id"]
            status, error = None, ""
            while status is None:
                raw = await asyncio.wait_for(connection.read_message(), 600)
                if raw is None:
                    raise RuntimeError("the kernel's websocket closed")
                reply = decode(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if reply["msg_type"] == "error":
                    error = f"{reply['content']['ename']}: {reply['content']['evalue']}"
                if reply["msg_type"] == "execute_reply":
                    status = reply["content"]["status"]
            if index == 0:
                student.first_cell[path] = time.monotonic() - start
            student.cells += 1
            if status == "ok":
                student.cells_ok += 1
            else:
                student.failures.append(f"{path} cell {index}: {error or status}"[:200])
    finally:
        connection.close()
        await http("DELETE", f"{base}api/sessions/{session['id']}", student.token)


async def one_student(
    hub: classroom.Hub, bare: Path, student: Student, t0: float
) -> None:
    try:
        student.token = await asyncio.to_thread(hub.user_token, student.name)
        await asyncio.to_thread(hub.start_server, student.name, 600)
        student.ready_s = time.monotonic() - t0
        query = urlencode(
            {
                "repo": bare.as_uri(),
                "targetpath": classroom.CONTENT_NAME,
                "branch": "main",
            },
            quote_via=quote,
        )
        from tornado.httpclient import AsyncHTTPClient

        pull = await AsyncHTTPClient().fetch(
            f"{hub.url}user/{student.name}/git-pull/api?{query}",
            headers={"Authorization": f"token {student.token}"},
            request_timeout=600,
        )
        if b'"phase": "finished"' not in pull.body:
            raise RuntimeError(f"nbgitpuller did not finish: {pull.body[-300:]!r}")
        for name in NOTEBOOKS:
            await run_notebook(
                hub, student, f"{classroom.CONTENT_NAME}/notebooks/{name}"
            )
    except Exception as error:  # recorded, the others go on
        student.failures.append(f"{type(error).__name__}: {error}"[:300])
    student.done_s = time.monotonic() - t0


async def run_class(hub: classroom.Hub, bare: Path, students: list[Student]) -> float:
    stop = asyncio.Event()
    watcher = asyncio.create_task(sampler(students, stop))
    t0 = time.monotonic()
    await asyncio.gather(*(one_student(hub, bare, s, t0) for s in students))
    wall = time.monotonic() - t0
    stop.set()
    await watcher
    return wall


def megabytes(kb: float) -> str:
    return f"{kb / 1024:.0f}"


def report(students: list[Student], wall: float, hub_kb: dict[str, int]) -> str:
    pss = [s.peak["pss"] for s in students]
    cpu = [sum(s.cpu.values()) for s in students]
    firsts = [v for s in students for v in s.first_cell.values()]
    ok = all(not s.failures and s.cells == s.cells_ok and s.cells for s in students)
    mem_total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# A class on a real JupyterHub, measured",
        "",
        "Written by `make bench-hub N=…` (benchmarks/bench_hub.py): "
        f"{len(students)} students at once on one machine ({os.cpu_count()} cores, "
        f"{mem_total:.0f} GB RAM, {platform.machine()}, Python {platform.python_version()}; "
        "the cores were shared with other work while measuring). Each student gets a server "
        "from the hub, pulls the course with nbgitpuller, and runs every code cell of "
        "notebooks "
        + ", ".join(n[:2] for n in NOTEBOOKS)
        + " in order, one kernel at a time (a notebook's kernel is shut down "
        "before the next opens). Memory is sampled every 0.5 s from "
        "`/proc/<pid>/smaps_rollup` over the student's server and kernel; PSS splits shared "
        "pages (TensorFlow's libraries) between the processes that map them, USS counts "
        "only the student's own pages, RSS counts shared pages in full.",
        "",
        f"**Every cell succeeded: {'yes' if ok else 'NO'}** "
        f"({sum(s.cells_ok for s in students)} of {sum(s.cells for s in students)} cells). "
        f"Wall time for the whole class: {wall:.0f} s.",
        "",
        "| student | peak PSS (MB) | peak USS (MB) | peak RSS (MB) | CPU (s) | "
        "server ready (s) | first cell per notebook (s) | cells ok | done (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s, used in zip(students, cpu, strict=True):
        first = "/".join(
            f"{s.first_cell[f'{classroom.CONTENT_NAME}/notebooks/{n}']:.1f}"
            if f"{classroom.CONTENT_NAME}/notebooks/{n}" in s.first_cell
            else "–"
            for n in NOTEBOOKS
        )
        lines.append(
            f"| {s.name} | {megabytes(s.peak['pss'])} | {megabytes(s.peak['uss'])} | "
            f"{megabytes(s.peak['rss'])} | {used:.0f} | {s.ready_s:.1f} | {first} | "
            f"{s.cells_ok}/{s.cells} | {s.done_s:.0f} |"
        )
    lines += [
        "",
        "| summary | value |",
        "|---|---|",
        f"| peak PSS per student: max / median | {megabytes(max(pss))} / "
        f"{megabytes(statistics.median(pss))} MB |",
        f"| peak USS per student: max | {megabytes(max(s.peak['uss'] for s in students))} MB |",
        f"| peak RSS per student: max | {megabytes(max(s.peak['rss'] for s in students))} MB |",
        f"| hub + proxy (RSS) | {megabytes(hub_kb['rss'])} MB |",
        f"| CPU per student for these notebooks: median | {statistics.median(cpu):.0f} s |",
        "| time to first executed cell (kernel start + setup cell): median / max | "
        + (
            f"{statistics.median(firsts):.1f} / {max(firsts):.1f} s |"
            if firsts
            else "– |"
        ),
    ]
    failures = [f"{s.name}: {f}" for s in students for f in s.failures]
    if failures:
        lines += ["", "Failures:", ""] + [f"* {f}" for f in failures[:30]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--students", type=int, default=None, help="N (make bench-hub: 10)"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "hub_benchmark.md"
    )
    parser.add_argument(
        "--notebooks", nargs="+", default=list(NOTEBOOKS), help="default: 00-03"
    )
    args = parser.parse_args(argv)
    if args.students is None:  # make bench runs every bench_*.py without arguments
        print(
            "bench_hub: skipped (a class on a hub takes minutes): run make bench-hub N=10"
        )
        return 0
    if args.students < 1:
        print("bench_hub: --students (N) must be 1 or more", file=sys.stderr)
        return 2
    NOTEBOOKS[:] = args.notebooks
    students = [Student(f"student-{i + 1:02d}") for i in range(args.students)]
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        folder = Path(tmp)
        bare, _work = classroom.make_content_repo(
            folder, [ROOT / "notebooks" / n for n in NOTEBOOKS]
        )
        with classroom.Hub(folder) as hub:
            wall = asyncio.run(run_class(hub, bare, students))
            hub_kb = {"rss": hub_rss_kb(hub)}
    text = report(students, wall, hub_kb)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    ok = all(not s.failures and s.cells == s.cells_ok and s.cells for s in students)
    return 0 if ok else 1


def hub_rss_kb(hub: classroom.Hub) -> int:
    """RSS of the hub and of its children that are not user servers (the proxy)."""
    assert hub.process is not None
    users = set(classroom.user_processes(None))
    total = classroom.memory_kb(hub.process.pid).get("rss", 0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in users:
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == hub.process.pid:
            total += classroom.memory_kb(int(entry.name)).get("rss", 0)
    return total


if __name__ == "__main__":
    sys.exit(main())
