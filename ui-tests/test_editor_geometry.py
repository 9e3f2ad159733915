"""The geometry canvas: draw with the mouse, CSG, the kernel's domain, tags, points, undo."""

import pytest
from editor_helpers import (
    document_state,
    editor,
    new_workbench,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    wait_connected,
)
from playwright.sync_api import expect


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def geometry(lab) -> dict:
    return document_state(lab)["geometry"]


def focused_canvas(lab):
    """A new workbench's geometry canvas, focused: `(editor, centre x, centre y)`."""
    new_workbench(lab)
    view = editor(lab)
    view.get_by_role("tab", name="Geometry").click()
    canvas = view.locator(".jp-JnoLab-geometryCanvas")
    box = canvas.bounding_box()
    assert box is not None
    canvas.focus()
    return view, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_draw_cut_tag_and_undo(lab, artifacts):
    new_workbench(lab)
    wait_connected(lab)
    view = editor(lab)
    view.get_by_role("tab", name="Geometry").click()
    domain = view.locator(".jp-JnoLab-domain")
    expect(domain).to_have_count(1, timeout=30_000)
    square_outline = domain.get_attribute("d")
    before = geometry(lab)

    # Cut a circle out of the unit square with a real mouse drag.
    view.get_by_label("How new shapes combine").select_option("difference")
    view.get_by_role("button", name="Circle").click()
    box = view.locator(".jp-JnoLab-geometryCanvas svg").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    lab.mouse.move(cx, cy)
    lab.mouse.down()
    lab.mouse.move(cx + 40, cy, steps=5)
    lab.mouse.move(cx + 80, cy, steps=5)
    lab.mouse.up()
    g = geometry(lab)
    circle = g["primitives"][1]
    assert circle["type"] == "circle"
    assert all(0.3 <= c <= 0.7 for c in circle["center"])  # the middle, snapped to the grid
    assert 0 < circle["radius"] < 0.5
    assert g["csg"] == {"op": "difference", "args": ["square", "circle1"]}
    expect(domain).not_to_have_attribute("d", square_outline, timeout=30_000)
    assert domain.get_attribute("d").count("M") == 2  # the square with a hole

    # The numeric panel edits the selected shape.
    view.get_by_label("radius", exact=True).fill("0.25")
    assert geometry(lab)["primitives"][1]["radius"] == 0.25

    # Move it with the select tool.
    view.get_by_role("button", name="Select").click()
    shape = view.locator('.jp-JnoLab-primitive[data-primitive="circle1"]')
    sb = shape.bounding_box()
    assert sb is not None
    edge_x, edge_y = sb["x"] + sb["width"] / 2 - 20, sb["y"] + sb["height"] / 2
    lab.mouse.move(edge_x, edge_y)
    lab.mouse.down()
    lab.mouse.move(edge_x - 90, edge_y - 90, steps=8)
    lab.mouse.up()
    moved = geometry(lab)["primitives"][1]["center"]
    assert moved[0] < circle["center"][0]
    assert moved[1] > circle["center"][1]

    # Points of the kernel's sampling.
    view.get_by_label("Preview points").check()
    expect(view.locator('.jp-JnoLab-points[data-tag="interior"]')).to_have_count(1)
    expect(view.locator('.jp-JnoLab-points[data-tag="boundary"]')).to_have_count(1)

    # A boundary tag by clicking an edge of the outline.
    view.get_by_role("button", name="+ Boundary tag (pick edges)").click()
    bottom = view.locator(
        '.jp-JnoLab-edge[data-edge="0,0,1,0"], .jp-JnoLab-edge[data-edge="1,0,0,0"]'
    )
    expect(bottom).to_be_attached()
    eb = bottom.bounding_box()  # a horizontal line: zero height, so click its middle
    assert eb is not None
    lab.mouse.click(eb["x"] + eb["width"] / 2, eb["y"] + eb["height"] / 2)
    expect(view.locator(".jp-JnoLab-edge.jp-mod-tagged")).to_have_count(1)
    tags = geometry(lab)["tags"]
    assert tags[0]["name"] == "edge1"
    assert sorted(map(tuple, tags[0]["edges"][0])) == [(0, 0), (1, 0)]

    # Time axis.
    view.get_by_label("time-dependent problem").check()
    assert geometry(lab)["time"] == {"t0": 0, "t1": 1, "steps": 11}
    expect(view.locator(".jp-JnoLab-previewStatus")).to_contain_text("initial", timeout=30_000)
    lab.screenshot(path=artifacts / "editor-geometry.png")

    # One history for everything: undo back to the unit square.
    view.locator(".jp-JnoLab-geometryCanvas").focus()
    for _ in range(6):
        lab.keyboard.press("Control+z")
    assert geometry(lab) == before


def test_rectangle_polygon_delete(lab):
    _, x, y = focused_canvas(lab)
    lab.keyboard.press("r")
    lab.mouse.move(x - 100, y - 50)
    lab.mouse.down()
    lab.mouse.move(x + 150, y + 100, steps=6)
    lab.mouse.up()
    rect = geometry(lab)["primitives"][1]
    assert rect["type"] == "rectangle"
    assert rect["x"][0] < rect["x"][1]
    lab.keyboard.press("p")
    for dx, dy in [(0, 0), (120, 0), (60, -90)]:
        lab.mouse.click(x + dx, y + dy)
    lab.keyboard.press("Enter")
    poly = geometry(lab)["primitives"][2]
    assert poly["type"] == "polygon"
    assert len(poly["points"]) == 3
    assert geometry(lab)["csg"] == {"op": "union", "args": ["square", "rectangle1", "polygon1"]}
    lab.keyboard.press("Delete")
    assert [p["id"] for p in geometry(lab)["primitives"]] == ["square", "rectangle1"]
    assert geometry(lab)["csg"] == {"op": "union", "args": ["square", "rectangle1"]}


def test_ellipse_rotation_handle(lab, artifacts):
    view, x, y = focused_canvas(lab)
    lab.keyboard.press("e")
    lab.mouse.move(x, y)
    lab.mouse.down()
    lab.mouse.move(x + 60, y - 20, steps=4)
    lab.mouse.move(x + 120, y - 40, steps=4)
    lab.mouse.up()
    ellipse = geometry(lab)["primitives"][1]
    assert ellipse["type"] == "ellipse"
    assert ellipse["angle"] == 0
    assert ellipse["radii"][0] > ellipse["radii"][1] > 0
    lab.keyboard.press("v")
    handle = view.locator('.jp-JnoLab-rotateHandle[data-handle="rotate"]')
    expect(handle).to_be_visible()
    shape = view.locator('.jp-JnoLab-primitive[data-primitive="ellipse1"]')
    sb, hb = shape.bounding_box(), handle.bounding_box()
    assert sb is not None
    assert hb is not None
    centre = (sb["x"] + sb["width"] / 2, sb["y"] + sb["height"] / 2)
    grip = (hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    assert grip[1] < centre[1]  # above the centre: the second axis points up at angle 0
    reach = centre[1] - grip[1]
    # A quarter turn anticlockwise (the handle swings to the left of the centre).
    lab.mouse.move(*grip)
    lab.mouse.down()
    lab.mouse.move(centre[0] - reach * 0.7, centre[1] - reach * 0.7, steps=6)
    lab.mouse.move(centre[0] - reach, centre[1] + 3, steps=6)
    lab.mouse.up()
    turned = geometry(lab)["primitives"][1]
    assert turned["angle"] == 90  # snapped to 15 degree steps
    assert turned["center"] == ellipse["center"]
    assert turned["radii"] == ellipse["radii"]
    sb = shape.bounding_box()
    assert sb is not None
    assert sb["height"] > sb["width"]  # the long axis now vertical
    lab.screenshot(path=artifacts / "editor-ellipse-rotated.png")
    view.locator(".jp-JnoLab-geometryCanvas").focus()
    lab.keyboard.press("Control+z")
    assert geometry(lab)["primitives"][1]["angle"] == 0
