"""Open as notebook: the notebook of a document runs in a real kernel like the exported script."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jno_lab.workbench.document import load
from jno_lab.workbench.kernel import WorkbenchHandler
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.notebook import SECTIONS, to_notebook

nbclient = pytest.importorskip("nbclient")

REPO = Path(__file__).resolve().parents[2]


def tiny_poisson() -> dict[str, Any]:
    """The Poisson example with 20 steps and few points (fast on two cores)."""
    doc = copy.deepcopy(load(REPO / "examples" / "poisson.jnolab"))
    doc["geometry"]["sampling"] = {"interior": 64, "boundary": 32}
    doc["training"]["phases"] = [
        {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 20, "inner_steps": 10}
    ]
    for node in doc["graph"]["nodes"]:
        if node["type"] == "mlp":
            node.setdefault("params", {}).update(hidden=8, depth=1)
    return doc


def test_sections_hold_the_exported_statements_in_order():
    doc = tiny_poisson()
    program = lower(doc)
    nb = to_notebook(program, doc, "poisson.jnolab")
    headings = [c["source"] for c in nb["cells"] if c["cell_type"] == "markdown"][1:]
    assert headings[:6] == [f"## {t}" for t in SECTIONS.values()]
    assert "`poisson.jnolab`" in nb["cells"][0]["source"]
    code = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
    statements = [
        line
        for line in code.splitlines()
        if line and not line.startswith("#") and "Dashboard" not in line and line != "dashboard"
    ]
    script = program.to_source().splitlines()[1:]  # without the docstring
    expected = [line for line in script if line and not line.startswith("#")]
    expected[-1] = "print(stats.summary())"
    assert sorted(statements) == sorted(expected)  # the networks come before their use
    positions = [expected.index(line) for line in statements if "jno.nn" not in line]
    assert positions == sorted(positions)  # everything else in the script's order
    networks = next(c for c in nb["cells"] if c["id"] == "networks")["source"]
    assert "jno.nn" in networks or "mlp" in networks.lower()
    assert nb["cells"][-1]["source"] == "dashboard"
    nbformat.validate(nbformat.from_dict(nb))


def test_notebook_request_refuses_an_invalid_document():
    doc = tiny_poisson()
    doc["graph"]["edges"] = []
    handler = WorkbenchHandler()
    reply, _ = handler.handle({"id": "n", "type": "notebook", "document": doc}, [])
    assert reply["ok"] is False
    assert reply["error"]["code"] == "invalid"
    bad, _ = handler.handle(
        {"id": "n", "type": "notebook", "document": tiny_poisson(), "name": 3}, []
    )
    handler.close()
    assert bad["error"]["code"] == "bad_request"
    assert "'name' must be a string" in bad["error"]["message"]


def _notebook_loss(nb: Any, cwd: Path) -> float:
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        probe = nbformat.v4.new_code_cell("print(repr(float(stats.total_loss)))")
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    return float(probe.outputs[0]["text"].strip())


def test_notebook_runs_in_a_kernel_with_the_scripts_final_loss(tmp_path: Path):
    doc = tiny_poisson()
    handler = WorkbenchHandler()
    reply, _ = handler.handle(
        {"id": "n", "type": "notebook", "document": doc, "name": "poisson.jnolab"}, []
    )
    export, _ = handler.handle({"id": "e", "type": "export", "document": doc}, [])
    handler.close()
    assert reply["ok"] is True, reply
    path = tmp_path / "poisson.ipynb"
    path.write_text(json.dumps(reply["notebook"]))
    nb = nbformat.read(path, as_version=4)
    notebook_loss = _notebook_loss(nb, tmp_path)
    summary = next(c for c in nb.cells if c.get("id") == "results").outputs
    assert re.search(r"final total loss", summary[0]["text"])
    widgets = [
        o
        for c in nb.cells
        if c.get("id") == "dashboard-final"
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, "the last cell shows the dashboard widget"

    script = tmp_path / "poisson.py"
    script.write_text(export["source"] + "\nprint(repr(float(stats.total_loss)))\n")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    script_loss = float(done.stdout.strip().splitlines()[-1])
    assert notebook_loss == script_loss
