"""Helpers for the workbench-editor browser tests: open editors, drive the graph, read the file."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

EDITOR = ".jp-JnoLab-document"
KERNEL_TIMEOUT_MS = 90_000


def new_workbench(lab: Page) -> str:
    """Create a workbench with the command; return its path (relative to the server root)."""
    path = lab.evaluate(
        """async () => {
            const w = await window.jupyterapp.commands.execute('jno-lab:new-workbench');
            return w.context.path;
        }"""
    )
    expect(editor(lab).locator(".react-flow")).to_be_visible()
    return path


def editor(lab: Page):
    """The active workbench editor."""
    return lab.locator(f"{EDITOR}:not(.lm-mod-hidden)").last


def wait_connected(lab: Page) -> None:
    """Wait until the editor's kernel comm has done its handshake."""
    expect(editor(lab).locator(".jp-JnoLab-connection")).to_have_attribute(
        "data-state", "ready", timeout=KERNEL_TIMEOUT_MS
    )


def validity(lab: Page):
    return editor(lab).locator(".jp-JnoLab-validity")


def node(lab: Page, node_id: str):
    return editor(lab).locator(f'.react-flow__node[data-id="{node_id}"]')


def handle(lab: Page, node_id: str, port: str, kind: str):
    """The handle of a port; kind is "source" (output) or "target" (input)."""
    return node(lab, node_id).locator(
        f'.react-flow__handle-{"right" if kind == "source" else "left"}[data-handleid="{port}"]'
    )


def drag_from_palette(lab: Page, node_type: str, x: float, y: float) -> None:
    """Drag a palette item onto the canvas at (x, y) relative to the canvas (real mouse)."""
    item = editor(lab).locator(f'.jp-JnoLab-paletteItem[data-node-type="{node_type}"]')
    canvas = editor(lab).locator(".jp-JnoLab-canvas")
    item.drag_to(canvas, target_position={"x": x, "y": y})


def add_from_palette(lab: Page, node_type: str) -> None:
    """Add a node with the keyboard: focus its palette item, press Enter."""
    item = editor(lab).locator(f'.jp-JnoLab-paletteItem[data-node-type="{node_type}"]')
    item.focus()
    item.press("Enter")


def wire(lab: Page, source: str, source_port: str, target: str, target_port: str) -> None:
    """Drag a wire from an output handle to an input handle with the real mouse."""
    lab.wait_for_timeout(400)  # let node sizes settle after the last validation
    start = handle(lab, source, source_port, "source").bounding_box()
    end = handle(lab, target, target_port, "target").bounding_box()
    assert start
    assert end
    lab.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    lab.mouse.down()
    lab.mouse.move(end["x"] + 2, end["y"] + 2, steps=8)
    lab.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    lab.mouse.up()


def document_state(lab: Page) -> dict:
    """The editor's current document (as the model holds it, unsaved edits included)."""
    return lab.evaluate(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            return JSON.parse(w.context.model.toString());
        }"""
    )


def saved_document(root: Path, path: str) -> dict:
    return json.loads((root / path).read_text())


def save(lab: Page) -> None:
    """Save the active document with Ctrl+S, as a person does; wait until it is clean."""
    editor(lab).locator(".jp-JnoLab-header").click(position={"x": 600, "y": 10})
    lab.keyboard.press("Control+s")
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(0)


def open_document(lab: Page, path: str) -> None:
    """Open a file (path relative to the server root) in its default editor."""
    lab.evaluate(
        "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }",
        path,
    )


@pytest.fixture(autouse=True)
def shut_down_kernels(lab_server: dict) -> Iterator[None]:
    """After each test, shut down the kernels it started (each editor owns one)."""
    yield
    base, token = lab_server["url"], lab_server["token"]
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as reply:
        sessions = json.load(reply)
    for session in sessions:
        request = urllib.request.Request(
            f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE"
        )
        urllib.request.urlopen(request, timeout=30).close()
