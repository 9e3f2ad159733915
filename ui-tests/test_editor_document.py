"""The .jnolab document type: created from the launcher, edited, saved, reopened, restored."""

from editor_helpers import (
    add_from_palette,
    document_state,
    editor,
    new_workbench,
    node,
    open_document,
    save,
    saved_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    wait_connected,
)
from playwright.sync_api import expect


def test_launcher_creates_a_workbench_that_connects_to_a_kernel(lab, lab_server, artifacts):
    lab.evaluate("() => window.jupyterapp.commands.execute('launcher:create')")
    card = lab.locator(".jp-LauncherCard", has_text="jNO Lab Workbench")
    expect(card.first).to_be_visible()
    card.first.click()
    expect(editor(lab).locator(".react-flow")).to_be_visible()
    tab = lab.locator(".lm-TabBar-tab.jp-mod-current")
    expect(tab).to_contain_text(".jnolab")
    wait_connected(lab)
    expect(editor(lab).locator(".jp-Toolbar-kernelName")).to_contain_text("Python")
    # The new document is valid except for having no constraint.
    expect(editor(lab).locator(".jp-JnoLab-validity")).to_have_attribute(
        "data-state", "invalid", timeout=30_000
    )
    lab.screenshot(path=artifacts / "editor-new.png")
    path = tab.inner_text().strip()
    assert saved_document(lab_server["root"], path)["format"] == "jno-lab-workbench"


def test_edit_marks_dirty_save_reopen_round_trip(lab, lab_server):
    path = new_workbench(lab)
    add_from_palette(lab, "constant")
    expect(node(lab, "constant1")).to_be_visible()
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(1)
    before = document_state(lab)
    save(lab)
    on_disk = saved_document(lab_server["root"], path)
    assert on_disk == before
    assert [n["id"] for n in on_disk["graph"]["nodes"]] == ["constant1"]
    lab.evaluate("() => window.jupyterapp.commands.execute('application:close')")
    expect(editor(lab).locator(".react-flow")).to_have_count(0)
    open_document(lab, path)
    expect(node(lab, "constant1")).to_be_visible()
    assert document_state(lab) == on_disk


def test_closing_unsaved_work_asks_first(lab):
    new_workbench(lab)
    add_from_palette(lab, "constant")
    lab.evaluate("() => { window.jupyterapp.commands.execute('application:close'); }")
    dialog = lab.locator(".jp-Dialog")
    expect(dialog).to_contain_text("before closing")
    dialog.get_by_role("button", name="Cancel").click()
    expect(node(lab, "constant1")).to_be_visible()


def test_reload_restores_the_open_editor(lab, lab_server):
    path = new_workbench(lab)
    add_from_palette(lab, "constant")
    save(lab)
    # Wait until the layout (with the editor) is saved, then reload without ?reset.
    lab.wait_for_timeout(1500)
    lab.goto(f"{lab_server['url']}/lab?token={lab_server['token']}")
    lab.wait_for_function("() => window.jupyterapp !== undefined")
    lab.evaluate("() => window.jupyterapp.restored")
    expect(node(lab, "constant1")).to_be_visible(timeout=30_000)
    expect(lab.locator(".lm-TabBar-tab", has_text=path.split("/")[-1])).to_be_visible()
