"""Frame time while panning a 200-node graph (requestAnimationFrame intervals)."""

import json

import pytest
from editor_helpers import (
    editor,
    node,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
)
from playwright.sync_api import expect

NODES = 200


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def big_document() -> dict:
    nodes = [
        {"id": f"n{i}", "type": "add", "position": [(i % 20) * 220, (i // 20) * 130]}
        for i in range(NODES)
    ]
    edges = [
        {"source": f"n{i - 1}", "sourcePort": "out", "target": f"n{i}", "targetPort": "a"}
        for i in range(1, NODES)
    ]
    return {
        "format": "jno-lab-workbench",
        "version": 1,
        "meta": {"title": "big", "description": ""},
        "geometry": {
            "dimension": 2,
            "primitives": [{"id": "square", "type": "rectangle", "x": [0, 1], "y": [0, 1]}],
            "csg": "square",
        },
        "graph": {"nodes": nodes, "edges": edges},
        "training": {"phases": [{"epochs": 10}]},
    }


def test_panning_a_200_node_graph(lab, lab_server, artifacts):
    (lab_server["root"] / "big.jnolab").write_text(json.dumps(big_document()))
    open_document(lab, "big.jnolab")
    expect(node(lab, "n0")).to_be_attached()
    expect(editor(lab).locator(".react-flow__node")).to_have_count(NODES)
    pane = editor(lab).locator(".react-flow__pane").bounding_box()
    assert pane is not None
    lab.evaluate(
        """() => {
            window.__frames = [];
            let last = performance.now();
            const tick = now => {
                window.__frames.push(now - last);
                last = now;
                if (!window.__stopFrames) requestAnimationFrame(tick);
            };
            window.__stopFrames = false;
            requestAnimationFrame(tick);
        }"""
    )
    x, y = pane["x"] + pane["width"] * 0.5, pane["y"] + pane["height"] * 0.5
    lab.mouse.move(x, y)
    lab.mouse.down()
    for step in range(120):
        dx = 300 * ((step % 40) / 40 - 0.5)
        lab.mouse.move(x + dx, y + dx / 2)
    lab.mouse.up()
    frames = lab.evaluate("() => { window.__stopFrames = true; return window.__frames.slice(2); }")
    frames.sort()
    mean = sum(frames) / len(frames)
    p95 = frames[int(0.95 * (len(frames) - 1))]
    result = {"nodes": NODES, "frames": len(frames), "mean_ms": mean, "p95_ms": p95}
    (artifacts / "frame-time.json").write_text(json.dumps(result, indent=2))
    lab.screenshot(path=artifacts / "editor-200-nodes.png")
    print(result)
    assert mean < 100, result
