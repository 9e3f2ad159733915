"""Training from the editor: plan edits, Run with the live dashboard, and export to a script."""

import json
import shutil
from pathlib import Path

import pytest
from editor_helpers import (
    document_state,
    editor,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
)
from playwright.sync_api import expect

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


def open_example(lab, lab_server, name: str) -> None:
    shutil.copy(EXAMPLES / name, lab_server["root"] / name)
    open_document(lab, name)
    expect(editor(lab).locator(".react-flow__node").first).to_be_visible()
    wait_connected(lab)


def test_plan_run_dashboard_and_export(lab, lab_server, artifacts):
    open_example(lab, lab_server, "poisson.jnolab")
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=30_000)
    view = editor(lab)
    view.get_by_role("tab", name="Training").click()
    phase = view.locator('.jp-JnoLab-phase[data-phase="0"]')
    phase.get_by_label("learning rate").select_option("number")
    phase.get_by_label("rate", exact=True).fill("0.005")
    phase.get_by_label("epochs").fill("300")
    phase.get_by_label("inner steps").fill("100")
    lab.screenshot(path=artifacts / "editor-training-plan.png")
    plan = document_state(lab)["training"]["phases"][0]
    assert plan == {"optimizer": "adam", "learning_rate": 0.005, "epochs": 300, "inner_steps": 100}

    view.get_by_role("button", name="▶ Run").click()
    status = view.locator(".jp-JnoLab-runStatus")
    expect(status).to_have_attribute("data-state", "finished", timeout=240_000)
    expect(status).to_contain_text("step 300/300")
    dashboard = view.locator(".jp-JnoLab-dashboardArea .jp-JnoLab-dashboard")
    expect(dashboard).to_be_visible()
    lab.screenshot(path=artifacts / "editor-run-finished.png")
    expect(dashboard.locator(".jno-dashboard")).to_be_visible(timeout=60_000)
    expect(dashboard.locator("canvas").first).to_be_visible(timeout=30_000)
    lab.screenshot(path=artifacts / "editor-run-finished.png")

    view.get_by_role("button", name="Export to Python").click()
    # The script is written next to the document and opened.
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text("poisson.py")
    source = (lab_server["root"] / "poisson.py").read_text()
    assert "import jno_lab as jno" in source
    lab.screenshot(path=artifacts / "editor-exported.png")
    lab.locator(".lm-TabBar-tab", has_text="poisson.jnolab").click()
    expect(editor(lab).locator(".jp-JnoLab-exportMessage")).to_have_text("Wrote poisson.py")


def test_stop_and_pause_a_long_run(lab, lab_server):
    doc = json.loads((EXAMPLES / "poisson.jnolab").read_text())
    doc["training"]["phases"] = [
        {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 200000, "inner_steps": 50}
    ]
    (lab_server["root"] / "long.jnolab").write_text(json.dumps(doc))
    open_document(lab, "long.jnolab")
    wait_connected(lab)
    view = editor(lab).get_by_role("toolbar", name="Run")
    view.get_by_role("button", name="▶ Run").click()
    status = view.locator(".jp-JnoLab-runStatus")
    expect(status).to_have_attribute("data-state", "running", timeout=240_000)
    view.get_by_role("button", name="Pause").click()
    expect(status).to_have_attribute("data-state", "paused", timeout=60_000)
    view.get_by_role("button", name="Resume").click()
    expect(status).to_have_attribute("data-state", "running", timeout=60_000)
    view.get_by_role("button", name="■ Stop").click()
    expect(status).to_have_attribute("data-state", "stopped", timeout=60_000)
