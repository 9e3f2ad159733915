"""The live dashboard in a real JupyterLab: a notebook trains Poisson with a Dashboard."""

from __future__ import annotations

import json
import time

from playwright.sync_api import expect

CELLS = [
    """\
import jax, optax
import jno_lab as jno
from jno_lab.widgets import Dashboard

dom = jno.domain(constructor=jno.domain.rect(mesh_size=0.05))
x, y = dom.variable("interior")
xb, yb = dom.variable("boundary")
net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=16, depth=2, key=jax.random.PRNGKey(0)), name="u")
net.optimizer(optax.adam(3e-3))
u = net(x, y)[..., 0]
pde = -u.laplacian(x, y) - 2 * jno.np.pi**2 * jno.np.sin(jno.np.pi * x) * jno.np.sin(jno.np.pi * y)
crux = jno.core([pde.mse, net(xb, yb).mse,
                 *jno.diagnostics.gradient_norms([pde.mse], net, interval=20)])
dash = Dashboard(field_every=0.5)
display(dash)  # two views of one widget
dash""",
    "stats = crux.solve(400, inner_steps=20, callbacks=[dash])",
    "long = crux.solve(2_000_000, inner_steps=50, callbacks=[dash])",
    'print("STEPS", crux._step, dash.status["state"])',
]


def _notebook(cells: list[str]) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for src in cells
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _status(page) -> str:
    return page.locator(".jno-dashboard-progress").first.inner_text()


def _wait_status(page, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while text not in _status(page):
        if time.monotonic() > deadline:
            raise AssertionError(f"status never showed {text!r}; it shows {_status(page)!r}")
        page.wait_for_timeout(200)


def _wait_output(page, index: int, text: str, timeout_s: float) -> str:
    """The stdout of notebook cell `index`, once it contains `text` (cells off screen
    are not rendered, so this reads the notebook model)."""
    script = (
        "(i) => { const nb = window.jupyterapp.shell.currentWidget.content;"
        " const outs = nb.model.cells.get(i).toJSON().outputs || [];"
        " return outs.map(o => [].concat(o.text || []).join('')).join(''); }"
    )
    deadline = time.monotonic() + timeout_s
    while True:
        out = page.evaluate(script, index)
        if text in out:
            return out
        if time.monotonic() > deadline:
            raise AssertionError(f"cell {index} never printed {text!r}; it printed {out!r}")
        page.wait_for_timeout(250)


def _column(page, source: str, column: str, view: int = 0) -> list[float]:
    """A column of a source's full history as a dashboard view holds it."""
    return page.evaluate(
        "([s, c, v]) => Array.from(document.querySelectorAll('.jno-dashboard')[v]"
        ".jnoDashboard.history(s, c))",
        [source, column, view],
    )


def _drawn(page, source: str) -> int:
    """Points of a source the plots draw (long runs are drawn decimated)."""
    return page.evaluate(
        "(s) => document.querySelector('.jno-dashboard').jnoDashboard.column(s, 'step').length",
        source,
    )


def _frontend_rate(page, seconds: float = 6.0) -> tuple[float, float, int]:
    """Steps per second the front end draws and the kernel trains over `seconds`, and how
    many steps the drawing is behind at the end."""
    script = (
        "() => { const v = document.querySelector('.jno-dashboard').jnoDashboard;"
        " return [v.streamedRows, v.kernelStep(), v.history('losses', 'step').length]; }"
    )
    (rows0, steps0, _), t0 = page.evaluate(script), time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    rows1, steps1, drawn = page.evaluate(script)
    elapsed = time.monotonic() - t0
    return (rows1 - rows0) / elapsed, (steps1 - steps0) / elapsed, steps1 - drawn


def test_a_notebook_trains_poisson_with_a_live_dashboard(lab, lab_server, artifacts):
    console: list[str] = []
    lab.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    lab.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    try:
        _run(lab, lab_server, artifacts)
    finally:
        (artifacts / "dashboard-console.txt").write_text("\n".join(console))
        lab.screenshot(path=artifacts / "dashboard-last.png", full_page=True)


def _run(lab, lab_server, artifacts) -> None:
    lab.set_viewport_size({"width": 1400, "height": 1000})
    (lab_server["root"] / "dashboard.ipynb").write_text(json.dumps(_notebook(CELLS)))
    lab.evaluate("() => window.jupyterapp.commands.execute('docmanager:open', "
                 "{path: 'dashboard.ipynb'})")  # fmt: skip
    lab.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    lab.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session &&"
        " w.sessionContext.session.kernel &&"
        " w.sessionContext.session.kernel.connectionStatus === 'connected'; }",
        timeout=120_000,
    )
    # not awaited: the promise resolves only when every cell has run
    lab.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    dashboard = lab.locator(".jno-dashboard").first
    expect(dashboard).to_be_visible(timeout=180_000)
    _wait_status(lab, "phase 2", 240)  # the first run is over, the long one has started
    # the status is sent at once, rows in batches: wait for the first run's last batch
    lab.wait_for_function(
        "() => document.querySelector('.jno-dashboard').jnoDashboard"
        ".history('losses', 'total').length >= 400",
        timeout=30_000,
    )
    total = _column(lab, "losses", "total")
    steps = _column(lab, "losses", "step")
    assert steps[:400] == list(range(400)), "every step of the first run is drawn, in order"
    assert total[399] < 0.5 * total[0], "the loss curve falls"
    assert len(_column(lab, "t0", "value")) >= 20  # the gradient-norm tracker
    lab.wait_for_function(
        "() => document.querySelector('.jno-dashboard').dataset.fieldStep !== undefined"
    )
    image = lab.evaluate(
        "() => Array.from(document.querySelector('.jno-dashboard').jnoDashboard"
        ".column('field:solution', 'image')[0])"
    )
    finite = [v for v in image if v is not None and v == v]
    assert len(finite) > 100, "the field view is drawn"
    assert max(finite) > min(finite)
    assert dashboard.locator("canvas").count() >= 5
    dashboard.scroll_into_view_if_needed()
    dashboard.screenshot(path=artifacts / "dashboard-running.png")

    lab.wait_for_function(
        "() => document.querySelector('.jno-dashboard').jnoDashboard.streamedRows > 1000",
        timeout=120_000,
    )  # the long run streams
    rows_per_s, steps_per_s, lag = _frontend_rate(lab)
    # keeping up: 10 000 steps a minute or more drawn, never far behind the kernel
    assert rows_per_s > 10_000 / 60, (rows_per_s, steps_per_s)
    assert lag < 5.0 * max(steps_per_s, 10_000 / 60), (lag, steps_per_s)  # < 5 s behind

    stop = dashboard.get_by_role("button", name="Stop training at the next chunk")
    expect(stop).to_be_enabled()
    box = stop.bounding_box()
    assert box is not None
    before_click = time.monotonic()
    # a real mouse click at the button (Playwright's actionability waits for a page
    # that redraws many times a second would only measure themselves)
    lab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    clicked = time.monotonic()
    _wait_status(lab, "stopped", 30)
    stopped_after = time.monotonic() - clicked
    click_took = clicked - before_click
    printed = _wait_output(lab, 3, "STEPS", 60)  # the kernel is alive and runs the next cell
    steps_done = int(printed.split()[1])
    assert 400 < steps_done < 2_000_400
    assert (steps_done - 400) % 50 == 0, "stopped at a chunk boundary"
    assert "stopped" in printed
    assert stopped_after < 10, f"Stop took {stopped_after:.1f} s"
    dashboard.screenshot(path=artifacts / "dashboard-stopped.png")
    lab.wait_for_timeout(1000)  # the final flush
    views = lab.locator(".jno-dashboard")
    assert views.count() == 2
    drawn = [len(_column(lab, "losses", "step", i)) for i in range(2)]
    assert drawn == [steps_done, steps_done], "both views hold every step"
    assert _drawn(lab, "losses") <= 4000, "long runs are drawn decimated"
    (artifacts / "dashboard-stop.json").write_text(
        json.dumps(
            {
                "stop_seconds": stopped_after,
                "click_seconds": click_took,
                "steps": steps_done,
                "frontend_steps_per_s": rows_per_s,
                "kernel_steps_per_s": steps_per_s,
                "frontend_lag_steps": lag,
            }
        )
    )

    # a page reload: the saved notebook's views ask the kernel for the full state again
    lab.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    lab.goto(f"{lab_server['url']}/lab/tree/dashboard.ipynb?token={lab_server['token']}")
    lab.wait_for_function("() => window.jupyterapp !== undefined")
    lab.evaluate("() => window.jupyterapp.restored")
    expect(lab.locator(".jno-dashboard").first).to_be_visible(timeout=60_000)
    lab.wait_for_function(
        "(n) => { const el = document.querySelector('.jno-dashboard');"
        " return el && el.jnoDashboard"
        " && el.jnoDashboard.history('losses', 'step').length === n; }",
        arg=steps_done,
        timeout=60_000,
    )
    lab.locator(".jno-dashboard").first.screenshot(path=artifacts / "dashboard-reloaded.png")
