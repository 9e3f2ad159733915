"""The shipped examples open in the editor: graph, geometry and plan as the kernel sees them."""

import shutil
from pathlib import Path

import pytest
from editor_helpers import (
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


def open_file(lab, name: str) -> None:
    open_document(lab, name)
    expect(editor(lab).locator(".react-flow__node").first).to_be_visible()


def test_examples_open_valid_with_their_domain(lab, lab_server, artifacts):
    for path in sorted(EXAMPLES.glob("*.jnolab")):
        shutil.copy(path, lab_server["root"] / path.name)
    open_file(lab, "laplace_lshape.jnolab")
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=60_000)
    lab.screenshot(path=artifacts / "example-laplace-graph.png")
    view = editor(lab)
    view.get_by_role("tab", name="Geometry").click()
    expect(view.locator(".jp-JnoLab-domain")).to_have_count(1, timeout=30_000)
    view.get_by_label("Preview points").check()
    lab.screenshot(path=artifacts / "example-laplace-geometry.png")

    open_file(lab, "burgers_1d.jnolab")
    wait_connected(lab)
    expect(validity(lab)).to_have_attribute("data-state", "valid", timeout=60_000)
    view = editor(lab)
    view.get_by_role("tab", name="Geometry").click()
    expect(view.locator(".jp-JnoLab-domainLine")).to_have_count(1, timeout=30_000)
    view.get_by_label("Preview points").check()
    expect(view.locator('.jp-JnoLab-points[data-tag="initial"]')).to_have_count(1)
    lab.screenshot(path=artifacts / "example-burgers-geometry.png")


def test_dark_theme(lab, lab_server, artifacts):
    shutil.copy(EXAMPLES / "poisson.jnolab", lab_server["root"] / "poisson.jnolab")
    lab.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Dark'})"
    )
    expect(lab.locator("body[data-jp-theme-light='false']")).to_be_attached(timeout=30_000)
    open_file(lab, "poisson.jnolab")
    wait_connected(lab)
    editor(lab).locator('.react-flow__node[data-id="lap"]').click()
    lab.screenshot(path=artifacts / "editor-dark.png")
    lab.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: 'JupyterLab Light'})"
    )
    expect(lab.locator("body[data-jp-theme-light='true']")).to_be_attached(timeout=30_000)
