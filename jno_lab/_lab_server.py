"""Start JupyterLab with a jNO Lab workbench open: the `jno-lab lab` command.

The server is a child process; its address and token are read from the
runtime file it writes (`jpserver-<pid>.json`), so the port it ends up on
after port retries is always the one printed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import webbrowser
from pathlib import Path
from urllib.parse import quote, urlencode

OPEN_QUERY_PARAM = "jno-lab"
"""Query parameter the frontend reads to open a new workbench (see src/tokens.ts)."""

_START_TIMEOUT_S = 120.0


def lab_command(root: Path, port: int) -> list[str]:
    """Return the `jupyter lab` command line serving `root` on 127.0.0.1."""
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.root_dir={root}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def workbench_url(base_url: str, token: str, root: Path, target: Path | None) -> str:
    """Return the browser address that opens `target` (or a new workbench) in Lab.

    Example:
        >>> workbench_url("http://127.0.0.1:8888/", "abc", Path("/r"), None)
        'http://127.0.0.1:8888/lab?jno-lab=new-workbench&token=abc'
    """
    base = base_url.rstrip("/")
    if target is None:
        query = urlencode({OPEN_QUERY_PARAM: "new-workbench", "token": token})
        return f"{base}/lab?{query}"
    relative = target.resolve().relative_to(root.resolve()).as_posix()
    return f"{base}/lab/tree/{quote(relative)}?{urlencode({'token': token})}"


def _runtime_file(pid: int) -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"


def wait_for_server(proc: subprocess.Popen[bytes], timeout: float = _START_TIMEOUT_S) -> dict:
    """Block until the server of `proc` is up; return its runtime info (url, token, ...)."""
    runtime = _runtime_file(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"jupyter lab exited with code {proc.returncode} before it started; "
                "its log is printed above."
            )
        if runtime.exists():
            try:
                return json.loads(runtime.read_text())
            except json.JSONDecodeError:  # caught while the server was writing it
                pass
        time.sleep(0.2)
    raise TimeoutError(f"jupyter lab did not start within {timeout:.0f} s")


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serve(path: Path, port: int = 8888, browser: bool | None = None) -> int:
    """Serve JupyterLab on 127.0.0.1 with `path` open; return the server's exit code.

    Args:
        path: a folder (served, with a new workbench open) or a file inside the
            folder to serve (opened in Lab).
        port: the first port to try; Jupyter moves on to the next free one.
        browser: open a web browser; by default only where a display exists.
    """
    path = path.expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"jno-lab lab: {path} does not exist; give a folder or a file.")
    root, target = (path, None) if path.is_dir() else (path.parent, path)
    proc = subprocess.Popen(lab_command(root, port))
    # A plain SIGTERM would end this process and orphan the server: stop it too.
    signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        info = wait_for_server(proc)
        url = workbench_url(info["url"], info.get("token", ""), root, target)
        print(f"\njNO Lab is ready. Open this address in a browser:\n\n    {url}\n", flush=True)
        if browser if browser is not None else _has_display():
            webbrowser.open(url)
        return _wait(proc)
    except BaseException:
        _stop(proc)
        raise


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _wait(proc: subprocess.Popen[bytes]) -> int:
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches Jupyter too; it shuts down by itself
            continue


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
