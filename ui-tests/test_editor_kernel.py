"""The editor and its kernel: reconnection after a restart; notebooks opening documents."""

import json

from editor_helpers import (
    add_from_palette,
    document_state,
    editor,
    new_workbench,
    open_document,
    shut_down_kernels,  # noqa: F401 - autouse fixture
    validity,
    wait_connected,
)
from playwright.sync_api import expect


def test_reconnects_after_a_kernel_restart_without_losing_the_document(lab):
    new_workbench(lab)
    wait_connected(lab)
    add_from_palette(lab, "constraint")
    expect(validity(lab)).to_have_attribute("data-state", "invalid", timeout=30_000)
    before = document_state(lab)
    lab.evaluate(
        "() => window.jupyterapp.shell.currentWidget.context.sessionContext"
        ".session.kernel.restart()"
    )
    connection = editor(lab).locator(".jp-JnoLab-connection")
    expect(connection).not_to_have_attribute("data-state", "ready", timeout=30_000)
    wait_connected(lab)
    assert document_state(lab) == before
    # The new comm answers: an edit is validated again.
    add_from_palette(lab, "loss")
    problems = editor(lab).locator(".jp-JnoLab-problemList")
    expect(problems).to_contain_text("loss1", timeout=30_000)
    expect(problems).to_contain_text("constraint1")


NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "open-cell",
            "metadata": {},
            "outputs": [],
            "source": [
                "import jno_lab.workbench as wb\n",
                'wb.open(wb.new_document("From a notebook"), "sub/opened.jnolab")',
            ],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_a_notebook_opens_a_document_in_the_editor(lab, lab_server, artifacts):
    folder = lab_server["root"] / "nbdir"
    folder.mkdir(exist_ok=True)
    (folder / "open.ipynb").write_text(json.dumps(NOTEBOOK))
    open_document(lab, "nbdir/open.ipynb")
    expect(lab.locator(".jp-Notebook")).to_be_visible()
    # Run the cell once the notebook's kernel is ready (it starts with the notebook).
    lab.evaluate(
        """async () => {
            const panel = window.jupyterapp.shell.currentWidget;
            await panel.sessionContext.ready;
            await window.jupyterapp.commands.execute('notebook:run-all-cells');
        }"""
    )
    # The path in the bundle is relative to the notebook's folder.
    tab = lab.locator(".lm-TabBar-tab", has_text="opened.jnolab")
    expect(tab).to_be_visible(timeout=120_000)
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text("opened.jnolab")
    assert (folder / "sub" / "opened.jnolab").exists()
    path = lab.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert path == "nbdir/sub/opened.jnolab"
    # The output keeps a button that opens it again.
    lab.locator(".lm-TabBar-tab", has_text="open.ipynb").click()
    button = lab.locator(".jp-JnoLab-openOutput button")
    expect(button).to_contain_text("From a notebook")
    lab.screenshot(path=artifacts / "notebook-open-output.png")
    button.click()
    expect(lab.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text("opened.jnolab")
