"""The "New Workbench" command opens a panel with a React Flow canvas."""

from playwright.sync_api import expect

COMMAND = "jno-lab:new-workbench"
CANVAS = ".jp-JnoLab-panel .react-flow"


def test_command_opens_a_panel_with_the_canvas(lab, artifacts):
    lab.evaluate(f"() => window.jupyterapp.commands.execute('{COMMAND}')")
    canvas = lab.locator(CANVAS)
    expect(canvas).to_be_visible()
    expect(lab.locator(".jp-JnoLab-panel .react-flow__controls")).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 200
    expect(lab.get_by_role("tab", name="Workbench 1")).to_be_visible()
    lab.screenshot(path=artifacts / "workbench-panel.png")


def test_command_palette_entry_opens_a_workbench(lab):
    lab.keyboard.press("Control+Shift+c")
    search = lab.locator(".lm-CommandPalette-input")
    expect(search).to_be_focused()
    search.fill("jNO Lab: New Workbench")
    item = lab.locator(".lm-CommandPalette-item", has_text="jNO Lab: New Workbench")
    expect(item.first).to_be_visible()
    search.press("Enter")
    expect(lab.locator(CANVAS)).to_be_visible()


def test_launcher_card_opens_a_workbench(lab):
    lab.evaluate("() => window.jupyterapp.commands.execute('launcher:create')")
    card = lab.locator(".jp-LauncherCard", has_text="Workbench")
    expect(card.first).to_be_visible()
    card.first.click()
    expect(lab.locator(CANVAS)).to_be_visible()
