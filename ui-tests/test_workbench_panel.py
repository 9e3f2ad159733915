"""The "New jNO Lab Workbench" command creates a .jnolab document and opens it in the editor."""

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
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text(".jnolab")
    lab.screenshot(path=artifacts / "workbench-panel.png")


def test_command_palette_entry_opens_a_workbench(lab):
    # Lab opens a launcher once restored; it takes the focus (closing the palette) when late.
    expect(lab.locator(".jp-Launcher")).to_be_visible()
    lab.keyboard.press("Control+Shift+c")
    search = lab.locator(".lm-CommandPalette-input")
    expect(search).to_be_focused()
    search.fill("New jNO Lab Workbench")
    item = lab.locator(".lm-CommandPalette-item", has_text="New jNO Lab Workbench")
    expect(item.first).to_be_visible()
    search.press("Enter")
    expect(lab.locator(CANVAS)).to_be_visible()


def test_launcher_card_opens_a_workbench(lab):
    lab.evaluate("() => window.jupyterapp.commands.execute('launcher:create')")
    card = lab.locator(".jp-LauncherCard", has_text="Workbench")
    expect(card.first).to_be_visible()
    card.first.click()
    expect(lab.locator(CANVAS)).to_be_visible()
