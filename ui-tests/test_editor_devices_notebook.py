"""The Devices view (the kernel's JAX devices, the mesh choice) and Open as notebook."""

import json
import shutil
from pathlib import Path

import pytest
from editor_helpers import (
    document_state,
    editor,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    wait_connected,
)
from playwright.sync_api import expect

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def test_devices_and_mesh(lab, lab_server, artifacts):
    shutil.copy(EXAMPLES / "poisson.jnolab", lab_server["root"] / "poisson.jnolab")
    open_document(lab, "poisson.jnolab")
    wait_connected(lab)
    view = editor(lab)
    view.get_by_role("tab", name="Devices").click()
    panel = view.locator(".jp-JnoLab-devices")
    expect(panel.locator(".jp-JnoLab-devicesSummary")).to_have_text("1 cpu device, 1 process")
    rows = panel.get_by_role("table", name="JAX devices").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(["0", "cpu", "cpu", "0"])
    expect(panel.locator(".jp-JnoLab-meshStatus")).to_have_text("mesh 1 × 1 uses every device")

    panel.get_by_label("batch", exact=True).fill("2")
    status = panel.locator(".jp-JnoLab-meshStatus")
    expect(status).to_have_text(
        "mesh batch × model = 2 × 1 = 2, but the kernel has 1 device: choose 1 × 1"
    )
    expect(status).to_have_attribute("role", "alert")
    assert document_state(lab)["mesh"] == [2, 1]
    lab.screenshot(path=artifacts / "editor-devices-invalid-mesh.png")
    panel.get_by_role("button", name="Mesh 1 by 1").click()
    expect(status).to_have_text("mesh 1 × 1 uses every device")
    assert document_state(lab)["mesh"] == [1, 1]
    expect(panel.get_by_label("batch", exact=True)).to_have_value("1")
    lab.screenshot(path=artifacts / "editor-devices.png")


def test_open_as_notebook(lab, lab_server, artifacts):
    shutil.copy(EXAMPLES / "poisson.jnolab", lab_server["root"] / "poisson.jnolab")
    open_document(lab, "poisson.jnolab")
    wait_connected(lab)
    editor(lab).get_by_role("button", name="Open as notebook").click()
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text(
        "poisson.ipynb", timeout=60_000
    )
    notebook = json.loads((lab_server["root"] / "poisson.ipynb").read_text())
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    headings = [
        s for s, c in zip(sources, notebook["cells"], strict=True) if c["cell_type"] == "markdown"
    ]
    assert "## Geometry" in headings
    assert "## Training" in headings
    assert sources[-1] == "dashboard"
    cells = lab.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
    expect(cells.first).to_contain_text("Poisson on the unit square", timeout=30_000)
    expect(cells.nth(4)).to_contain_text("domain = jno.domain")
    expect(
        lab.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator")
    ).to_have_attribute("data-status", "idle", timeout=60_000)
    lab.screenshot(path=artifacts / "editor-open-as-notebook.png")
