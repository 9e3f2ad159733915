"""Registering the workbench comm target in a kernel (in process, with stand-ins for the
kernel's comm machinery; tests/workbench/test_kernel_comm.py drives a real kernel)."""

from __future__ import annotations

import copy
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from jno_lab.workbench import kernel as kernel_module
from jno_lab.workbench.document import load
from jno_lab.workbench.kernel import register
from jno_lab.workbench.protocol import COMM_TARGET, PROTOCOL_VERSION

POISSON = load(Path(__file__).resolve().parents[2] / "examples" / "poisson.jnolab")


# -- Jupyter glue (in process, with stand-ins for the kernel's comm machinery) -------------
class FakeComm:
    def __init__(self) -> None:
        self.sent: list[tuple[dict[str, Any], list[bytes] | None]] = []
        self.on_msg_callback = None
        self.on_close_callback = None

    def send(self, data, buffers=None):
        self.sent.append((data, buffers))

    def on_msg(self, callback):
        self.on_msg_callback = callback

    def on_close(self, callback):
        self.on_close_callback = callback


class FakeManager:
    def __init__(self) -> None:
        self.targets: dict[str, Any] = {}

    def register_target(self, name, callback):
        assert name not in self.targets
        self.targets[name] = callback


def test_register_binds_comms_to_handlers(monkeypatch):
    import IPython

    manager = FakeManager()
    shell = types.SimpleNamespace(
        kernel=types.SimpleNamespace(comm_manager=manager), user_ns={"answer": 42}
    )
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    monkeypatch.setattr(kernel_module, "_kernel_session", None)
    assert register() is True
    assert register() is False  # idempotent
    assert list(manager.targets) == [COMM_TARGET]

    comm = FakeComm()
    open_msg = {"content": {"data": {"id": "0", "type": "hello", "protocol": PROTOCOL_VERSION}}}
    manager.targets[COMM_TARGET](comm, open_msg)
    assert comm.sent[0][0]["type"] == "hello.reply"
    assert comm.sent[0][0]["ok"]

    def request(data):
        comm.on_msg_callback({"content": {"comm_id": "c", "data": data}, "buffers": []})
        return comm.sent[-1]

    reply, buffers = request(
        {"id": "1", "type": "preview_geometry", "document": copy.deepcopy(POISSON)}
    )
    assert reply["ok"]
    assert len(buffers) == 2
    reply, buffers = request({"id": "2", "type": "import", "expression": "nothing"})
    assert reply["error"]["code"] == "unknown_name"
    assert buffers is None
    request("garbage")
    assert comm.sent[-1][0]["error"]["code"] == "bad_request"

    session = kernel_module._shared_session()
    assert len(session._listeners) == 1
    comm2 = FakeComm()
    manager.targets[COMM_TARGET](comm2, {"content": {"data": {}}})
    assert comm2.sent == []
    assert len(session._listeners) == 2
    comm.on_close_callback({})
    assert len(session._listeners) == 1
    comm2.on_close_callback({})


def test_register_outside_a_kernel(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    with pytest.raises(RuntimeError, match="inside a Jupyter"):
        register()


def test_importing_the_kernel_module_imports_no_jupyter():
    code = (
        "import sys, jno_lab.workbench.kernel, jno_lab.workbench.protocol\n"
        "names = ('ipykernel', 'jupyter_client', 'IPython', 'comm')\n"
        "bad = [m for m in names if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
