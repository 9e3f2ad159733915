"""A new user's first problem, end to end, with the real mouse and keyboard.

From the launcher: a workbench; the unit square drawn and its boundary tagged;
Poisson's equation -Δu = 1 with u = 0 on the boundary built from the palette
and wired; validation goes green; 300 steps run with the live dashboard; a long
run is stopped; the exported script, run in a kernel of its own, ends with the
very loss of the editor's run. Each step leaves a screenshot in artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from editor_helpers import (
    KERNEL_TIMEOUT_MS,
    document_state,
    drag_from_palette,
    editor,
    node,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
    wire,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow

jupyter_client = pytest.importorskip("jupyter_client")

from jupyter_client.manager import start_new_kernel  # noqa: E402

# Where each palette item is dropped (pixels from the canvas' top left).
NODES = [
    ("variables", 20, 20),
    ("mlp", 20, 250),
    ("variables", 20, 400),
    ("call", 280, 30),
    ("constant", 280, 250),
    ("call", 280, 420),
    ("laplacian", 530, 30),
    ("constraint", 530, 250),
    ("loss", 530, 440),
    ("add", 780, 30),
    ("loss", 780, 190),
    ("constraint", 780, 440),
]

WIRES = [
    ("mlp1", "model", "call1", "model"),
    ("variables1", "x", "call1", "in1"),
    ("variables1", "y", "call1", "in2"),
    ("call1", "out", "laplacian1", "target"),
    ("variables1", "x", "laplacian1", "var1"),
    ("variables1", "y", "laplacian1", "var2"),
    ("laplacian1", "out", "add1", "a"),
    ("constant1", "out", "add1", "b"),
    ("add1", "out", "loss1", "residual"),
    ("loss1", "loss", "constraint1", "loss"),
    ("mlp1", "model", "call2", "model"),
    ("variables2", "x", "call2", "in1"),
    ("variables2", "y", "call2", "in2"),
    ("call2", "out", "loss2", "residual"),
    ("loss2", "loss", "constraint2", "loss"),
]

KERNEL_PROBE = (
    "from jno_lab.workbench.kernel import _shared_session as _jno_session\n"
    "_h = _jno_session().statistics.total_loss_history\n"
    "print(repr([len(_h), float(_h[0]), float(_h[-1])]))\n"
    "del _h, _jno_session"
)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def shot(lab: Page, artifacts: Path, name: str) -> None:
    lab.screenshot(path=artifacts / f"new-user-{name}.png")


def type_into(field: Any, text: str) -> None:
    """Replace a field's text by typing, as a person does."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(text)


def select_node(lab: Page, node_id: str) -> None:
    node(lab, node_id).click(position={"x": 12, "y": 8})


def editor_kernel_output(lab: Page, code: str) -> str:
    """Run code in the editor's kernel; return what it printed."""
    return lab.evaluate(
        """async code => {
            const w = window.jupyterapp.shell.currentWidget;
            const kernel = w.context.sessionContext.session.kernel;
            const future = kernel.requestExecute({ code, store_history: false });
            let out = '';
            future.onIOPub = msg => {
                if (msg.header.msg_type === 'stream') { out += msg.content.text; }
                if (msg.header.msg_type === 'error') { out += msg.content.evalue; }
            };
            await future.done;
            return out;
        }""",
        code,
    )


def script_final_loss(root: Path, script: str) -> list[float]:
    """Run the exported script in a kernel of its own; its history's length, first, last."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(root))
    out: list[str] = []
    try:

        def hook(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        code = (
            f"exec(compile(open({script!r}).read(), {script!r}, 'exec'))\n"
            "_h = stats.total_loss_history\n"
            "print(repr([len(_h), float(_h[0]), float(_h[-1])]))"
        )
        reply = kc.execute_interactive(code, output_hook=hook, timeout=600)
        assert reply["content"]["status"] == "ok", "".join(out)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return json.loads("".join(out).strip().splitlines()[-1])


def draw_unit_square(lab: Page) -> None:
    """Draw [0, 1]² over the starting square (grid snapping), then delete the starting one."""
    view = editor(lab)
    square = view.locator('.jp-JnoLab-primitive[data-primitive="square"]').bounding_box()
    assert square is not None
    canvas = view.locator(".jp-JnoLab-geometryCanvas")
    canvas.focus()
    lab.keyboard.press("r")
    left, bottom = square["x"], square["y"] + square["height"]
    right, top = square["x"] + square["width"], square["y"]
    lab.mouse.move(left + 2, bottom - 2)
    lab.mouse.down()
    lab.mouse.move((left + right) / 2, (top + bottom) / 2, steps=6)
    lab.mouse.move(right - 2, top + 2, steps=6)
    lab.mouse.up()
    primitives = document_state(lab)["geometry"]["primitives"]
    assert primitives[1] == {"id": "rectangle1", "type": "rectangle", "x": [0, 1], "y": [0, 1]}
    lab.keyboard.press("v")
    view.locator(".jp-JnoLab-csgName", has_text="square").click()
    view.get_by_role("button", name="Delete shape").click()
    geometry = document_state(lab)["geometry"]
    assert [p["id"] for p in geometry["primitives"]] == ["rectangle1"]
    assert geometry["csg"] == "rectangle1"


def tag_boundary(lab: Page) -> None:
    """A boundary tag of all four edges, picked by clicking them; 256 points on it."""
    view = editor(lab)
    view.get_by_role("button", name="+ Boundary tag (pick edges)").click()
    edges = view.locator(".jp-JnoLab-edge")
    expect(edges).to_have_count(4, timeout=30_000)
    for i in range(4):
        box = edges.nth(i).bounding_box()
        assert box is not None
        lab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(view.locator(".jp-JnoLab-edge.jp-mod-tagged")).to_have_count(i + 1)
    tag = view.locator('.jp-JnoLab-tag[data-tag="edge1"]')
    type_into(tag.get_by_label("points"), "256")
    geometry = document_state(lab)["geometry"]
    assert geometry["tags"][0]["name"] == "edge1"
    assert len(geometry["tags"][0]["edges"]) == 4
    assert geometry["sampling"]["edge1"] == 256


def build_graph(lab: Page) -> None:
    counts: dict[str, int] = {}
    for node_type, x, y in NODES:
        drag_from_palette(lab, node_type, x, y)
        counts[node_type] = counts.get(node_type, 0) + 1
        expect(node(lab, f"{node_type}{counts[node_type]}")).to_be_visible()
    # Parameters in the inspector, typed.
    view = editor(lab)
    select_node(lab, "variables2")
    type_into(view.locator(".jp-JnoLab-inspector").get_by_label("tag", exact=True), "edge1")
    select_node(lab, "mlp1")
    type_into(view.locator(".jp-JnoLab-inspector").get_by_label("hidden", exact=True), "16")
    type_into(view.locator(".jp-JnoLab-inspector").get_by_label("depth", exact=True), "2")
    params = {n["id"]: n.get("params", {}) for n in document_state(lab)["graph"]["nodes"]}
    assert params["variables2"]["tag"] == "edge1"
    assert (params["mlp1"]["hidden"], params["mlp1"]["depth"]) == (16, 2)


def connect_all(lab: Page) -> None:
    for i, args in enumerate(WIRES, start=1):
        wire(lab, *args)
        lab.wait_for_function(
            "n => JSON.parse(window.jupyterapp.shell.currentWidget.context.model.toString())"
            ".graph.edges.length === n",
            arg=i,
        )
    made = sorted(
        (e["source"], e["sourcePort"], e["target"], e["targetPort"])
        for e in document_state(lab)["graph"]["edges"]
    )
    assert made == sorted(WIRES)


def overlapping_nodes(lab: Page) -> list[list[str]]:
    """Pairs of graph nodes whose drawn boxes overlap."""
    return lab.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll(
                '.jp-JnoLab-document:not(.lm-mod-hidden) .react-flow__node')]
                .map(n => [n.dataset.id, n.getBoundingClientRect()]);
            const out = [];
            boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
                if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) {
                    out.push([a, b]);
                }
            }));
            return out;
        }"""
    )


def set_plan(lab: Page, epochs: int) -> None:
    phase = editor(lab).locator('.jp-JnoLab-phase[data-phase="0"]')
    type_into(phase.get_by_label("epochs"), str(epochs))


def test_new_user_poisson(lab, lab_server, artifacts):
    root: Path = lab_server["root"]
    lab.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    lab.evaluate("() => window.jupyterapp.commands.execute('launcher:create')")
    card = lab.locator(".jp-LauncherCard", has_text="jNO Lab Workbench").first
    expect(card).to_be_visible()
    shot(lab, artifacts, "01-launcher")
    card.click()
    view = editor(lab)
    expect(view.locator(".react-flow")).to_be_visible()
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "invalid", timeout=30_000)
    shot(lab, artifacts, "02-new-workbench")

    # Geometry: the unit square, its boundary tagged.
    view.get_by_role("tab", name="Geometry").click()
    expect(view.locator(".jp-JnoLab-domain")).to_have_count(1, timeout=30_000)
    draw_unit_square(lab)
    shot(lab, artifacts, "03-unit-square")
    tag_boundary(lab)
    shot(lab, artifacts, "04-boundary-tagged")

    # Graph: -Δu = 1 inside, u = 0 on the boundary.
    view.get_by_role("tab", name="Graph").click()
    build_graph(lab)
    shot(lab, artifacts, "05-nodes-placed")
    connect_all(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    view.get_by_role("button", name="Auto-layout").click()
    lab.wait_for_timeout(500)  # the fit after the layout
    assert overlapping_nodes(lab) == []
    shot(lab, artifacts, "06-wired-valid")

    # Training plan: 300 steps at a fixed rate.
    view.get_by_role("tab", name="Training").click()
    phase = view.locator('.jp-JnoLab-phase[data-phase="0"]')
    phase.get_by_label("learning rate").select_option("number")
    type_into(phase.get_by_label("rate", exact=True), "0.005")
    set_plan(lab, 300)
    assert document_state(lab)["training"]["phases"][0] == {
        "optimizer": "adam",
        "learning_rate": 0.005,
        "epochs": 300,
    }
    shot(lab, artifacts, "07-training-plan")

    # Run with the live dashboard; the kernel's history falls.
    runs = view.get_by_role("toolbar", name="Run")
    runs.get_by_role("button", name="▶ Run").click()
    status = runs.locator(".jp-JnoLab-runStatus")
    expect(status).to_have_attribute("data-state", "finished", timeout=KERNEL_TIMEOUT_MS * 3)
    expect(status).to_contain_text("step 300/300")
    dashboard = view.locator(".jp-JnoLab-dashboardArea .jno-dashboard")
    expect(dashboard).to_be_visible(timeout=60_000)
    expect(dashboard.locator("canvas").first).to_be_visible(timeout=30_000)
    lab.wait_for_timeout(1500)  # the last throttled dashboard update
    steps, first, last = json.loads(editor_kernel_output(lab, KERNEL_PROBE))
    assert steps == 300
    assert last < first / 10, (first, last)
    shown = lab.evaluate("() => window.jupyterapp.shell.currentWidget.content.runs.status")
    assert shown["total_loss"] == last  # the editor's status holds the kernel's number
    shot(lab, artifacts, "08-run-finished-dashboard")

    # A long run, stopped.
    set_plan(lab, 100000)
    runs.get_by_role("button", name="▶ Run").click()
    expect(status).to_have_attribute("data-state", "running", timeout=KERNEL_TIMEOUT_MS * 3)
    lab.wait_for_function(
        "() => (window.jupyterapp.shell.currentWidget.content.runs.status?.step ?? 0) >= 200",
        timeout=120_000,
    )
    runs.get_by_role("button", name="■ Stop").click()
    expect(status).to_have_attribute("data-state", "stopped", timeout=60_000)
    shot(lab, artifacts, "09-long-run-stopped")

    # Back to 300 steps (undo), export, run the script in a kernel of its own.
    view.locator(".jp-JnoLab-header").click(position={"x": 700, "y": 10})
    lab.keyboard.press("Control+z")
    assert document_state(lab)["training"]["phases"][0]["epochs"] == 300
    runs.get_by_role("button", name="Export to Python").click()
    current = lab.locator(".lm-TabBar-tab.jp-mod-current")
    expect(current).to_contain_text(".py", timeout=30_000)
    script = current.inner_text().strip()
    source = (root / script).read_text()
    assert "stats = crux.solve(300, inner_steps=100)" in source
    shot(lab, artifacts, "10-exported-script")
    assert script_final_loss(root, script) == [300, first, last]
