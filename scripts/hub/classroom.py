"""A real JupyterHub on this machine, for ``make test-hub`` and ``make bench-hub``.

Everything lives in one temporary folder and listens on 127.0.0.1 only:

* **the hub** (``jupyterhub`` from ``build/venv-hub``, see benchmarks/requirements-hub.txt)
  with ``DummyAuthenticator`` (any password, every user allowed) and
  ``SimpleLocalProcessSpawner`` (each user's home is ``<tmp>/homes/<name>``);
* **the proxy**: the PyPI port of ``configurable-http-proxy`` (0.4.0, pure Python on
  aiohttp). Chosen over npm's because it installs with pip from the same pinned file, needs
  no Node.js and no npm registry, and works offline once installed;
* **the user servers**: ``jupyterhub-singleuser`` (JupyterLab 4 and nbgitpuller, from
  ``build/venv-hub``) whose one kernel, ``python3``, is the course's own ``.venv`` Python
  (TensorFlow, course_utils): the usual split of a hub image into a server environment and
  a kernel environment;
* **the content repository**: the student copies (``scripts/student_copies.py``) committed
  to a local git repository, served to nbgitpuller as ``file://…/loss-course-student.git``;
  an instructor work tree next to it pushes new commits.

Only for tests and benchmarks: SimpleLocalProcessSpawner runs every user as the same
system user, so it separates users by URL, login and home folder, not by file permissions.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = Path(os.environ.get("HUB_VENV", ROOT / "build" / "venv-hub"))
#: The kernel's Python: the course environment (the caller's interpreter, normally .venv).
KERNEL_PYTHON = Path(os.environ.get("HUB_KERNEL_PYTHON", sys.executable))
CONTENT_NAME = "loss-course-student"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Course Instructor",
    "GIT_AUTHOR_EMAIL": "instructor@example.invalid",
    "GIT_COMMITTER_NAME": "Course Instructor",
    "GIT_COMMITTER_EMAIL": "instructor@example.invalid",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, **GIT_IDENTITY, "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def drop_launch_badges(path: Path) -> None:
    """Remove the ``<!-- launch-badges -->`` line and the badge line after it.

    On a hub the Colab and Binder badges lead away from the hub, and their pictures load
    from colab.research.google.com and mybinder.org: behind a classroom firewall they show
    as broken images, and the hub test (which fails on any request off the machine) caught
    them. ``scripts/student_copies.py`` keeps them today; a hub copy should not.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        lines = "".join(cell["source"]).split("\n")
        if "<!-- launch-badges -->" not in lines:
            continue
        at = lines.index("<!-- launch-badges -->")
        kept = lines[:at] + lines[at + 2 :]
        while kept and not kept[-1].strip():
            kept.pop()
        cell["source"] = "\n".join(kept)
    path.write_text(
        json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def make_content_repo(folder: Path, notebooks: list[Path]) -> tuple[Path, Path]:
    """The bare content repository (what learners clone) and an instructor work tree.

    The work tree holds ``notebooks/`` with the student copies of ``notebooks``
    (``scripts/student_copies.py``, launch badges removed: :func:`drop_launch_badges`),
    committed on branch ``main`` and pushed to the bare repository.
    """
    work, bare = folder / "instructor", folder / f"{CONTENT_NAME}.git"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "student_copies.py")]
        + [str(n) for n in notebooks]
        + ["--output-dir", str(work / "notebooks")],
        check=True,
        capture_output=True,
    )
    (work / "notebooks" / ".generated.json").unlink(missing_ok=True)
    for path in sorted((work / "notebooks").glob("*.ipynb")):
        drop_launch_badges(path)
    (work / ".gitignore").write_text(".ipynb_checkpoints/\n")
    git("init", "--quiet", "--initial-branch=main", str(work))
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "Student copies of the course", cwd=work)
    git("clone", "--quiet", "--bare", str(work), str(bare))
    git("remote", "add", "origin", str(bare), cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return bare, work


def instructor_commit(
    work: Path, edits: dict[str, tuple[int, str]], message: str
) -> str:
    """Append a line to one markdown cell of each notebook, commit, push; the new commit id.

    ``edits`` maps ``notebooks/<file>`` to (cell index, line to append).
    """
    for relative, (index, line) in edits.items():
        path = work / relative
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cell = notebook["cells"][index]
        assert cell["cell_type"] == "markdown", f"{relative} cell {index} is not text"
        source = "".join(cell["source"])
        cell["source"] = source + "\n\n" + line
        path.write_text(
            json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    git("commit", "--quiet", "-am", message, cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


def _lab_settings(folder: Path) -> Path:
    """make lab's settings (no news, no update check) and every cell rendered."""
    settings = folder / "lab_settings"
    settings.mkdir(parents=True, exist_ok=True)
    overrides = json.loads((ROOT / "scripts/lab_settings/overrides.json").read_text())
    overrides["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    (settings / "overrides.json").write_text(json.dumps(overrides))
    return settings


def _kernel_dir(folder: Path) -> Path:
    """A ``python3`` kernel spec that runs the course environment's Python."""
    data = folder / "jupyter_data"
    spec = data / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(KERNEL_PYTHON),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "metadata": {"debugger": True},
            }
        )
    )
    return data


class Hub:
    """A running JupyterHub in ``folder`` (a context manager): ``url``, ``api``, ``homes``."""

    def __init__(self, folder: Path, *, log: bool = False) -> None:
        self.folder = folder
        self.homes = folder / "homes"
        self.port, self.proxy_api_port, self.hub_port = (free_port() for _ in range(3))
        self.url = f"http://127.0.0.1:{self.port}/"
        self.token = secrets.token_hex(24)
        self.log_path = folder / "jupyterhub.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = log

    def _config(self) -> Path:
        bin_dir = HUB_VENV / "bin"
        settings = _lab_settings(self.folder)
        kernels = _kernel_dir(self.folder)
        config = {
            "ip": "127.0.0.1",
            "port": self.port,
            "hub_port": self.hub_port,
            "proxy_api_port": self.proxy_api_port,
            "proxy": str(bin_dir / "configurable-http-proxy"),
            "singleuser": str(bin_dir / "jupyterhub-singleuser"),
            "homes": str(self.homes),
            "db": f"sqlite:///{self.folder / 'jupyterhub.sqlite'}",
            "cookie_secret": str(self.folder / "cookie_secret"),
            "pid_file": str(self.folder / "proxy.pid"),
            "token": self.token,
            "args": [
                "--allow-root",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.app_settings_dir={settings}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--KernelSpecManager.ensure_native_kernel=False",
                "--ServerApp.shutdown_no_activity_timeout=0",
            ],
            "environment": {
                "JUPYTER_PATH": str(kernels),
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "PYTHONUNBUFFERED": "1",
            },
        }
        path = self.folder / "jupyterhub_config.py"
        path.write_text(
            "import json\n"
            f"cfg = json.loads({json.dumps(json.dumps(config))})\n"
            "c = get_config()  # noqa: F821\n"
            "c.JupyterHub.ip = cfg['ip']\n"
            "c.JupyterHub.port = cfg['port']\n"
            "c.JupyterHub.hub_ip = '127.0.0.1'\n"
            "c.JupyterHub.hub_port = cfg['hub_port']\n"
            "c.ConfigurableHTTPProxy.api_url = "
            "f\"http://127.0.0.1:{cfg['proxy_api_port']}\"\n"
            "c.ConfigurableHTTPProxy.command = [cfg['proxy']]\n"
            "c.ConfigurableHTTPProxy.pid_file = cfg['pid_file']\n"
            "c.JupyterHub.db_url = cfg['db']\n"
            "c.JupyterHub.cookie_secret_file = cfg['cookie_secret']\n"
            "c.JupyterHub.authenticator_class = 'dummy'\n"
            "c.Authenticator.allow_all = True\n"
            "c.JupyterHub.spawner_class = 'simple'\n"
            "c.SimpleLocalProcessSpawner.home_dir_template = "
            "cfg['homes'] + '/{username}'\n"
            "c.Spawner.cmd = [cfg['singleuser']]\n"
            "c.Spawner.args = cfg['args']\n"
            "c.Spawner.ip = '127.0.0.1'\n"
            "c.Spawner.default_url = '/lab'\n"
            "c.Spawner.environment = cfg['environment']\n"
            "c.Spawner.start_timeout = 120\n"
            "c.Spawner.http_timeout = 120\n"
            "c.JupyterHub.services = [{'name': 'course-admin', 'api_token': cfg['token']}]\n"
            "c.JupyterHub.load_roles = [{'name': 'course-admin-role', 'scopes': "
            "['admin:users', 'admin:servers', 'tokens', 'access:servers', "
            "'list:users', 'read:users'], 'services': ['course-admin']}]\n"
            "c.JupyterHub.cleanup_servers = True\n"
        )
        return path

    def __enter__(self) -> Hub:
        self.homes.mkdir(parents=True, exist_ok=True)
        config = self._config()
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in __exit__ via the process)
        self.process = subprocess.Popen(
            [str(HUB_VENV / "bin" / "jupyterhub"), "-f", str(config)],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._log_file = log
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}hub/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within 90 s:\n{self.log_tail()}")

    def __exit__(self, *_exc: object) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops the user servers
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_file.close()
        # Anything a user server left behind (same session as the hub we started).
        for pid in user_processes(None):
            try:
                if os.getsid(pid) == self.process.pid:
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def api(self, method: str, path: str, body: Any = None, token: str | None = None):
        """Call the hub's REST API (``/hub/api/<path>``) with the admin service's token."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}hub/api/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {token or self.token}"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def user_token(self, name: str) -> str:
        """Create the user (if new) and a token that acts as that user."""
        try:
            self.api("POST", f"users/{name}")
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: the user exists already
                raise
        return str(self.api("POST", f"users/{name}/tokens", {"note": "bench"})["token"])

    def start_server(self, name: str, timeout: float = 180) -> None:
        """Start ``name``'s server and wait until it is ready."""
        try:
            self.api("POST", f"users/{name}/server")
        except urllib.error.HTTPError as error:
            if error.code != 400:  # 400: already running
                raise
        self.wait_until_ready(name, timeout)

    def wait_until_ready(self, name: str, timeout: float = 180) -> None:
        """Wait until ``name``'s server is ready (the hub's API says so)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.api("GET", f"users/{name}")
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server did not start within {timeout:.0f} s")


def user_processes(user: str | None) -> list[int]:
    """PIDs of the processes whose environment says JUPYTERHUB_USER=user (any user if None):
    a user's server and, inheriting its environment, its kernels."""
    wanted = None if user is None else f"JUPYTERHUB_USER={user}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted is None:
            if any(item.startswith(b"JUPYTERHUB_USER=") for item in environ):
                pids.append(int(entry.name))
        elif wanted in environ:
            pids.append(int(entry.name))
    return pids


def memory_kb(pid: int) -> dict[str, int]:
    """RSS, PSS and USS (private clean + dirty) of one process, in kB (smaps_rollup)."""
    fields: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            fields[parts[0][:-1]] = int(parts[1])
    return {
        "rss": fields.get("Rss", 0),
        "pss": fields.get("Pss", 0),
        "uss": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
    }


def hub_links(hub: Hub, bare: Path, notebooks: list[Path]) -> dict[str, str]:
    """The links ``scripts/hub_links.py`` prints, by notebook file name."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "hub_links.py"), "--hub", hub.url]
        + ["--repo", bare.as_uri()]
        + [str(n) for n in notebooks],
        capture_output=True,
        text=True,
        check=True,
    )
    links = {}
    for line in result.stdout.splitlines():
        if line.startswith("| ") and "<http" in line:
            stem = line.split("|")[1].strip()
            links[f"{stem}.ipynb"] = line.rsplit("<", 1)[1].split(">", 1)[0]
    return links
