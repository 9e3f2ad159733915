"""The live dashboard in Jupyter Notebook 7 (served by the same Jupyter server as Lab)."""

from __future__ import annotations

import json

from playwright.sync_api import expect

CELLS = [
    """\
import jax, optax
import jno_lab as jno
from jno_lab.widgets import Dashboard

dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.1))
x, y = dom.variable("interior")
net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=8, depth=1, key=jax.random.PRNGKey(0)), name="u")
net.optimizer(optax.adam(1e-2))
crux = jno.core([(net(x, y)[..., 0] - jno.np.sin(jno.np.pi * x)).mse])
dash = Dashboard()
dash""",
    "stats = crux.solve(200, inner_steps=20, callbacks=[dash])",
]


def test_the_dashboard_renders_and_streams_in_notebook_7(page, lab_server, artifacts):
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": src}
            for src in CELLS
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    (lab_server["root"] / "nb7.ipynb").write_text(json.dumps(notebook))
    page.set_viewport_size({"width": 1300, "height": 1100})
    page.goto(f"{lab_server['url']}/notebooks/nb7.ipynb?token={lab_server['token']}")
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(
        1, timeout=120_000
    )
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    dashboard = page.locator(".jno-dashboard").first
    expect(dashboard).to_be_visible(timeout=180_000)
    expect(dashboard.locator(".jno-dashboard-progress")).to_contain_text(
        "finished", timeout=180_000
    )
    page.wait_for_function(
        "() => document.querySelector('.jno-dashboard').jnoDashboard"
        ".column('losses', 'step').length === 200",
        timeout=30_000,
    )
    dashboard.screenshot(path=artifacts / "dashboard-notebook7.png")
