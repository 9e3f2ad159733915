"""Every catalogue node lowers to code that runs; export equals run; names are safe."""

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from jno_lab.workbench.catalogue import NODE_TYPES
from jno_lab.workbench.document import new_document
from jno_lab.workbench.graph import identifier
from jno_lab.workbench.lowering import ExecutionError, lower
from jno_lab.workbench.validate import validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "poisson.jnolab"


def _base() -> dict:
    doc = new_document("smoke")
    doc["geometry"]["sampling"] = {"interior": 16, "boundary": 8}
    doc["training"]["phases"] = [{"optimizer": "adam", "learning_rate": 1e-3, "epochs": 2}]
    nodes = doc["graph"]["nodes"]
    nodes += [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "net", "type": "mlp", "params": {"in_size": 2, "hidden": 4, "depth": 1}},
        {"id": "u", "type": "call", "params": {"inputs": 2}},
        {"id": "u0", "type": "component"},
        {"id": "fit", "type": "loss"},
        {"id": "c", "type": "constraint"},
    ]
    doc["graph"]["edges"] += [
        _edge("net", "model", "u", "model"),
        _edge("v", "x", "u", "in1"),
        _edge("v", "y", "u", "in2"),
        _edge("u", "out", "u0", "value"),
        _edge("u0", "out", "fit", "residual"),
        _edge("fit", "loss", "c", "loss"),
    ]
    return doc


def _edge(s, sp, t, tp):
    return {"source": s, "sourcePort": sp, "target": t, "targetPort": tp}


SOURCES = {
    "field": ("u0", "out"),
    "variable": ("v", "x"),
    "model": ("net", "model"),
    "loss": ("fit", "loss"),
}
SKIP = {"variables", "mlp", "call", "component", "loss", "constraint"}  # already in the base


@pytest.mark.parametrize("kind", sorted(set(NODE_TYPES) - SKIP - {"fno", "deeponet"}))
def test_every_node_type_lowers_and_runs(kind):
    doc = _base()
    node_type = NODE_TYPES[kind]
    node = {"id": "probe", "type": kind, "params": {}}
    if kind == "function":
        node["params"] = {"inputs": 1, "expression": "jnp.sin(a) * 2"}
    doc["graph"]["nodes"].append(node)
    for port in node_type.input_ports(node_type.defaults()):
        src = SOURCES[port.type]
        doc["graph"]["edges"].append(_edge(*src, "probe", port.name))
    outs = [p for p in node_type.outputs if p.type in ("field", "loss", "model")]
    if node_type.outputs and node_type.outputs[0].type == "model":
        doc["graph"]["nodes"].append({"id": "call2", "type": "call", "params": {"inputs": 2}})
        doc["graph"]["edges"] += [
            _edge("probe", "model", "call2", "model"),
            _edge("v", "x", "call2", "in1"),
            _edge("v", "y", "call2", "in2"),
        ]
    elif outs and kind != "variables":
        sink = "loss" if outs[0].type == "field" else None
        if sink:
            doc["graph"]["nodes"].append({"id": "probe_loss", "type": "loss"})
            doc["graph"]["edges"].append(_edge("probe", outs[0].name, "probe_loss", "residual"))
    assert validate(doc) == [], validate(doc)
    built = lower(doc).execute()
    stats = built.train()
    assert stats.losses.shape[0] == 2


def test_export_equals_run_on_the_poisson_example():
    doc = json.loads(EXAMPLE.read_text())
    doc["training"]["phases"][0].update(epochs=40, inner_steps=20)
    program = lower(doc)
    run = program.execute().train()
    namespace: dict = {}
    source = program.to_source().replace('stats.plot("history.png")', "")
    exec(compile(source, "exported.py", "exec"), namespace)
    np.testing.assert_array_equal(run.losses, namespace["stats"].losses)
    assert "import jno_lab as jno" in source
    assert "# lap: Laplacian" in source


def test_odd_node_ids_become_safe_distinct_names():
    names = {identifier(i, "out") for i in ("a-b", "a_b", "1x", "class", "é")}
    assert len(names) == 5
    assert all(n.replace("_", "a").isalnum() and not n[0].isdigit() for n in names)


def test_a_failing_statement_names_its_node():
    doc = _base()
    doc["graph"]["nodes"].append(
        {
            "id": "bad",
            "type": "function",
            "params": {"inputs": 1, "expression": "undefined_name(a)", "code": True},
        }
    )
    doc["graph"]["nodes"].append({"id": "bad_loss", "type": "loss"})
    doc["graph"]["nodes"].append({"id": "bad_c", "type": "constraint"})
    doc["graph"]["edges"] += [
        _edge("u0", "out", "bad", "in1"),
        _edge("bad", "out", "bad_loss", "residual"),
        _edge("bad_loss", "loss", "bad_c", "loss"),
    ]
    assert validate(doc) == []
    built = lower(doc).execute(trusted=True)  # code is only traced when the solver compiles
    with pytest.raises(Exception, match="undefined_name"):
        built.train()
    broken = copy.deepcopy(doc)
    broken["graph"]["nodes"][-3]["params"]["expression"] = "a +"
    assert [p["code"] for p in validate(broken)] == ["syntax"]
    assert isinstance(ExecutionError("x", "n", ""), RuntimeError)
