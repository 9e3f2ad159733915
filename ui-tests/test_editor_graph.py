"""Building a graph in the workbench editor with the real mouse and keyboard."""

import pytest
from editor_helpers import (
    add_from_palette,
    document_state,
    drag_from_palette,
    editor,
    new_workbench,
    node,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
    wire,
)
from playwright.sync_api import expect


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def edges(lab) -> list[tuple[str, str, str, str]]:
    return sorted(
        (e["source"], e["sourcePort"], e["target"], e["targetPort"])
        for e in document_state(lab)["graph"]["edges"]
    )


def build_small_problem(lab) -> list[dict]:
    """Drag five nodes onto the canvas and wire them; return the document after each step."""
    states = [document_state(lab)]
    for node_type, x, y in [
        ("variables", 60, 60),
        ("mlp", 60, 360),
        ("call", 330, 160),
        ("loss", 600, 160),
        ("constraint", 860, 160),
    ]:
        drag_from_palette(lab, node_type, x, y)
        expect(node(lab, f"{node_type}1")).to_be_visible()
        states.append(document_state(lab))
    for wire_args in [
        ("mlp1", "model", "call1", "model"),
        ("variables1", "x", "call1", "in1"),
        ("variables1", "y", "call1", "in2"),
        ("call1", "out", "loss1", "residual"),
        ("loss1", "loss", "constraint1", "loss"),
    ]:
        wire(lab, *wire_args)
        lab.wait_for_function(
            "n => JSON.parse(window.jupyterapp.shell.currentWidget.context.model.toString())"
            ".graph.edges.length === n",
            arg=len(states) - 5,
        )
        states.append(document_state(lab))
    return states


def test_build_validate_undo_redo_and_refuse_a_wire(lab, artifacts):
    lab.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    new_workbench(lab)
    wait_connected(lab)
    states = build_small_problem(lab)
    assert edges(lab) == sorted(
        [
            ("mlp1", "model", "call1", "model"),
            ("variables1", "x", "call1", "in1"),
            ("variables1", "y", "call1", "in2"),
            ("call1", "out", "loss1", "residual"),
            ("loss1", "loss", "constraint1", "loss"),
        ]
    )
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    lab.screenshot(path=artifacts / "editor-graph-valid.png")

    # A model cannot feed a field input: the wire is refused while dragging.
    wire(lab, "mlp1", "model", "loss1", "residual")
    expect(editor(lab).locator(".jp-JnoLab-notice")).to_contain_text("Refused")
    lab.screenshot(path=artifacts / "editor-graph-refused.png")
    assert document_state(lab) == states[-1]

    # Undo every step back to the empty document, then redo all of them: exact documents.
    canvas = editor(lab).locator(".jp-JnoLab-canvas")
    canvas.focus()
    for expected in reversed(states[:-1]):
        lab.keyboard.press("Control+z")
        assert document_state(lab) == expected
    for expected in states[1:]:
        lab.keyboard.press("Control+Shift+z")
        assert document_state(lab) == expected

    # Deleting a wire leaves the constraint without input: the node is highlighted.
    edge = editor(lab).locator('.react-flow__edge[data-id="loss1.loss->constraint1.loss"]')
    edge.click(force=True)
    lab.keyboard.press("Delete")
    constraint = node(lab, "constraint1").locator(".jp-JnoLab-node")
    expect(constraint).to_have_class("jp-JnoLab-node jp-mod-invalid", timeout=30_000)
    expect(constraint).to_contain_text("not connected")
    expect(validity(lab)).to_have_attribute("data-state", "invalid")
    # Clicking the problem selects the node.
    lab.locator(".jp-JnoLab-problemLink", has_text="constraint1").click()
    expect(constraint).to_have_class("jp-JnoLab-node jp-mod-selected jp-mod-invalid")
    expect(editor(lab).locator(".jp-JnoLab-inspector h2")).to_have_text("Constraint")
    lab.screenshot(path=artifacts / "editor-graph-problem.png")


def test_copy_paste_delete_and_inspector(lab):
    new_workbench(lab)
    add_from_palette(lab, "mlp")
    add_from_palette(lab, "call")
    node(lab, "call1").click()
    hidden = editor(lab).get_by_label("inputs", exact=True)
    hidden.fill("3")
    expect(node(lab, "call1").locator(".jp-JnoLab-port-in")).to_have_count(4)
    wire(lab, "mlp1", "model", "call1", "model")
    # Select both nodes, copy and paste: the copy has its own wire.
    node(lab, "mlp1").click()
    node(lab, "call1").click(modifiers=["Control"])
    editor(lab).locator(".jp-JnoLab-canvas").focus()
    lab.keyboard.press("Control+c")
    lab.keyboard.press("Control+v")
    expect(node(lab, "mlp2")).to_be_visible()
    assert ("mlp2", "model", "call2", "model") in edges(lab)
    call2 = next(n for n in document_state(lab)["graph"]["nodes"] if n["id"] == "call2")
    assert call2["params"]["inputs"] == 3
    lab.keyboard.press("Delete")
    expect(node(lab, "mlp2")).to_have_count(0)
    assert [n["id"] for n in document_state(lab)["graph"]["nodes"]] == ["mlp1", "call1"]
    # The help popover lists the shortcuts.
    editor(lab).get_by_role("button", name="Keyboard shortcuts").click()
    expect(editor(lab).get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text("Undo")
