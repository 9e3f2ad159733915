"""Helpers shared by the browser-test fixtures and tests."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet_lab_env(base: Path) -> dict[str, str]:
    """Environment for a Lab server with its own settings: no news pop-up, no workspace.

    Its kernels keep trusted code in a store of their own (`JNO_LAB_TRUST_FILE`), so
    tests neither read nor write the user's trust.
    """
    settings = base / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    return {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(base / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "JNO_LAB_TRUST_FILE": str(base / "trusted.json"),
    }


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
