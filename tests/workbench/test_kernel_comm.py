"""The workbench comm in a REAL ipykernel: register, open a comm from the client, talk over it.

The client plays the JupyterLab editor: it sends `comm_open` and `comm_msg` on
the shell channel and reads the kernel's `comm_msg` replies (and run events)
on the iopub channel.
"""

from __future__ import annotations

import copy
import queue
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jno_lab.workbench.document import load
from jno_lab.workbench.protocol import COMM_TARGET, PROTOCOL_VERSION

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # noqa: E402
from jupyter_client.manager import start_new_kernel  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
POISSON = load(REPO / "examples" / "poisson.jnolab")
TIMEOUT = 120.0


def _has_python3_kernelspec() -> bool:
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return False
    return True


class Editor:
    """The client side of the workbench comm."""

    def __init__(self, kc: Any) -> None:
        self.kc = kc
        self.comm_id = uuid.uuid4().hex
        self.pending: list[dict[str, Any]] = []  # comm messages read but not yet claimed

    def execute(self, code: str) -> list[str]:
        """Run code in the kernel; return its stdout; fail on an error."""
        out: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "comm_msg":
                self.pending.append(msg)

        reply = self.kc.execute_interactive(code, timeout=TIMEOUT, output_hook=hook)
        content = reply["content"]
        assert content["status"] == "ok", content.get("traceback")
        return out

    def send(self, msg_type: str, content: dict[str, Any]) -> None:
        self.kc.session.send(self.kc.shell_channel.socket, msg_type, content)

    def open(self) -> None:
        self.send("comm_open", {"comm_id": self.comm_id, "target_name": COMM_TARGET, "data": {}})

    def next_comm_msg(self, deadline: float) -> dict[str, Any]:
        if self.pending:
            return self.pending.pop(0)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the kernel sent no comm message in time")
            try:
                msg = self.kc.get_iopub_msg(timeout=left)
            except queue.Empty:
                continue
            if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == self.comm_id:
                return msg

    def request(
        self, request_type: str, request_id: str | None = None, **fields: Any
    ) -> tuple[dict[str, Any], list[bytes], list[dict[str, Any]]]:
        """Send a request; return (reply, reply buffers, pushes seen on the way)."""
        request_id = request_id or uuid.uuid4().hex
        data = {"id": request_id, "type": request_type, **fields}
        self.send("comm_msg", {"comm_id": self.comm_id, "data": data})
        deadline = time.monotonic() + TIMEOUT
        pushes = []
        while True:
            msg = self.next_comm_msg(deadline)
            data = msg["content"]["data"]
            if data.get("type") == "run.event":
                pushes.append(data)
                continue
            if data.get("id") == request_id:
                return data, [bytes(b) for b in msg.get("buffers") or []], pushes

    def wait_for_event(self, event: str) -> tuple[dict[str, Any], list[str]]:
        """Read pushes up to the first `event`; return it and the events read."""
        deadline = time.monotonic() + TIMEOUT
        seen = []
        while True:
            data = self.next_comm_msg(deadline)["content"]["data"]
            if data.get("type") == "run.event":
                seen.append(data["event"])
                if data["event"] == event:
                    return data, seen


@pytest.fixture(scope="module")
def editor() -> Iterator[Editor]:
    if not _has_python3_kernelspec():
        pytest.skip(
            "no 'python3' Jupyter kernelspec is installed "
            "(install one with `python -m ipykernel install --user`)"
        )
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=TIMEOUT)
    try:
        client = Editor(kc)
        out = client.execute(
            "from jno_lab.workbench.kernel import register\n"
            "print(register(), register())\n"
            "import jno_lab as jno\n"
            "not_a_solver = 42\n"
        )
        assert "".join(out).split() == ["True", "False"]  # registered once
        client.open()
        yield client
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_hello_catalogue_validate_over_a_real_comm(editor):
    reply, buffers, _ = editor.request("hello", "h1", protocol=PROTOCOL_VERSION)
    assert reply == {
        "id": "h1",
        "type": "hello.reply",
        "ok": True,
        "protocol": PROTOCOL_VERSION,
        "version": reply["version"],
    }
    assert buffers == []

    reply, _, _ = editor.request("hello", "h2", protocol=PROTOCOL_VERSION + 1)
    assert reply["error"]["code"] == "protocol_mismatch"
    assert "pip install -U jno_lab" in reply["error"]["message"]

    reply, _, _ = editor.request("catalogue", "c1")
    assert reply["ok"]
    assert {"call", "mlp", "constraint"} <= {n["type"] for n in reply["catalogue"]["nodes"]}

    reply, _, _ = editor.request("validate", "v1", document=POISSON)
    assert reply == {
        "id": "v1",
        "type": "validate.reply",
        "ok": True,
        "problems": [],
        "code_nodes": [],
        "trusted": True,
    }

    broken = copy.deepcopy(POISSON)
    broken["graph"]["nodes"].append({"id": "odd", "type": "no_such_node"})
    reply, _, _ = editor.request("validate", "v2", document=broken)
    assert reply["ok"]
    assert [p["node_id"] for p in reply["problems"] if p["code"] == "unknown_type"] == ["odd"]


def test_errors_and_names_over_a_real_comm(editor):
    reply, _, _ = editor.request("no_such_request", "e1")
    assert reply["type"] == "no_such_request.reply"
    assert reply["error"]["code"] == "unknown_type"
    reply, _, _ = editor.request("import", "e2", expression="nowhere")
    assert reply["error"]["code"] == "unknown_name"
    reply, _, _ = editor.request("import", "e3", expression="not_a_solver")
    assert reply["error"]["code"] == "import_failed"


def test_preview_geometry_buffers_over_a_real_comm(editor):
    reply, buffers, _ = editor.request("preview_geometry", "p1", document=POISSON)
    assert reply["ok"]
    assert [b["tag"] for b in reply["buffers"]] == ["interior", "boundary"]
    assert len(buffers) == 2
    interior = np.frombuffer(buffers[0], dtype="<f4").reshape(reply["buffers"][0]["shape"])
    assert interior.shape == (1024, 2)
    assert ((interior > 0) & (interior < 1)).all()


def test_run_pushes_events_over_a_real_comm(editor):
    document = copy.deepcopy(POISSON)
    document["training"]["phases"][0].update(epochs=200, inner_steps=100)
    reply, _, pushes = editor.request("run", "r1", document=document)
    assert reply["ok"]
    assert reply["started"] is True
    final, seen = editor.wait_for_event("finished")  # pushed from the training thread
    events = [p["event"] for p in pushes] + seen
    assert events[:2] == ["started", "phase"]
    assert "progress" in events
    assert final["status"]["step"] == 200
    assert final["status"]["total_loss"] is not None
    reply, _, _ = editor.request("status", "s1")
    assert reply["status"]["state"] == "finished"


def test_a_run_with_a_dashboard_is_stopped_from_the_dashboard(editor):
    document = copy.deepcopy(POISSON)
    document["training"]["phases"][0].update(epochs=200_000, inner_steps=100)
    reply, _, _ = editor.request("run", "d1", document=document, dashboard=True)
    assert reply["ok"]
    widget = reply["dashboard"]
    assert isinstance(widget, str)
    assert widget
    editor.wait_for_event("progress")
    # the dashboard's Stop button: a custom message on the widget's own comm
    content = {"type": "control", "action": "stop"}
    editor.send("comm_msg", {"comm_id": widget, "data": {"method": "custom", "content": content}})
    final, _ = editor.wait_for_event("stopped")
    assert 0 < final["status"]["step"] < 200_000
    assert final["status"]["step"] % 100 == 0
