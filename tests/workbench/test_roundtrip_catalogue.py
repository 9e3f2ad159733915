"""Every node type of the catalogue round-trips: document -> lower -> run -> import -> document.

Each node type appears in one of a few tiny documents; each document is lowered,
executed and imported once (shared by its node types), and the imported
document must hold the same nodes (type, parameters, inputs) and train to the
same losses at the same (initial) parameters, through one training step.
"""

from __future__ import annotations

import copy
import warnings
from collections import Counter, defaultdict
from functools import cache

import numpy as np
import pytest

from jno_lab.workbench.catalogue import NODE_TYPES
from jno_lab.workbench.document import new_document
from jno_lab.workbench.importer import ImportApproximationWarning, to_document
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.validate import validate

EXCLUDED: dict[str, str] = {}  # node type -> why it cannot appear in an importable program
PHASE = {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 1, "inner_steps": 1}
NAMED = {t for t, n in NODE_TYPES.items() if "name" in n.params.get("properties", {})}


def edge(source: str, port: str, target: str, target_port: str) -> dict:
    return {"source": source, "sourcePort": port, "target": target, "targetPort": target_port}


def document(title: str, nodes: list[dict], edges: list[tuple], dimension: int = 2) -> dict:
    doc = new_document(title)
    doc["seed"] = 3
    if dimension == 1:
        doc["geometry"].update(
            dimension=1, primitives=[{"id": "line", "type": "interval", "x": [0.0, 1.0]}],
            csg="line", mesh_size=0.125,
        )  # fmt: skip
    doc["geometry"]["sampling"] = {"interior": 12, "boundary": 8}
    doc["graph"] = {"nodes": nodes, "edges": [edge(*e) for e in edges]}
    doc["training"]["phases"] = [dict(PHASE)]
    return doc


def fields_doc() -> dict:
    """Inputs, an MLP, arithmetic, math, derivatives, losses, trackers and diagnostics."""
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "vb", "type": "variables", "params": {"tag": "boundary", "normals": True}},
        {"id": "net", "type": "mlp", "params": {"in_size": 2, "out_size": 2, "hidden": 4,
                                                "depth": 1, "seed": 5, "activation": "sin"}},
        {"id": "u", "type": "call", "params": {"inputs": 2}},
        {"id": "u0", "type": "component", "params": {"index": 0}},
        {"id": "u1", "type": "component", "params": {"index": 1}},
        {"id": "ux", "type": "derivative",
         "params": {"order": 1, "scheme": "automatic_differentiation:forward"}},
        {"id": "uxx", "type": "derivative", "params": {"order": 2}},
        {"id": "vxy", "type": "mixed_derivative"},
        {"id": "lap", "type": "laplacian", "params": {"dims": 2}},
        {"id": "hes", "type": "hessian", "params": {"dims": 2}},
        {"id": "k", "type": "parameter", "params": {"size": 1, "init": 0.5}},
        {"id": "two", "type": "constant", "params": {"value": 2.0}},
        {"id": "r1", "type": "add"}, {"id": "r2", "type": "sub"}, {"id": "klap", "type": "mul"},
        {"id": "r3", "type": "div"}, {"id": "sq", "type": "pow"}, {"id": "r4", "type": "add"},
        {"id": "sx", "type": "scale", "params": {"factor": 3.0}},
        {"id": "sinx", "type": "math", "params": {"function": "sin"}},
        {"id": "f", "type": "function", "params": {"inputs": 2, "expression": "jnp.tanh(a) * b",
                                                  "name": "shape"}},
        {"id": "nf", "type": "neg"}, {"id": "res", "type": "add"},
        {"id": "pde_loss", "type": "loss", "params": {"kind": "huber"}},
        {"id": "pde", "type": "constraint"},
        {"id": "hes_loss", "type": "loss", "params": {"kind": "log_cosh"}},
        {"id": "hc", "type": "constraint", "params": {"weight": 0.5}},
        {"id": "ub", "type": "call", "params": {"inputs": 2}},
        {"id": "ub0", "type": "component", "params": {"index": 0}},
        {"id": "flux", "type": "mul"},
        {"id": "eps", "type": "noise", "params": {"distribution": "uniform", "a": -0.01,
                                                  "b": 0.01}},
        {"id": "noisy", "type": "add"},
        {"id": "bc_loss", "type": "loss", "params": {"kind": "rmse"}},
        {"id": "bc", "type": "constraint"},
        {"id": "rel", "type": "relative_l2"},
        {"id": "rel_t", "type": "tracker", "params": {"interval": 1, "name": "rel_err"}},
        {"id": "gn", "type": "gradient_norm", "params": {"interval": 1}},
        {"id": "gc", "type": "gradient_cosine", "params": {"interval": 1, "name": "pde_bc"}},
        {"id": "kern", "type": "ntk", "params": {"interval": 1, "points": 4}},
        {"id": "stats", "type": "residual_stats", "params": {"interval": 1}},
    ]  # fmt: skip
    edges = [
        ("net", "model", "u", "model"), ("v", "x", "u", "in1"), ("v", "y", "u", "in2"),
        ("u", "out", "u0", "value"), ("u", "out", "u1", "value"),
        ("u0", "out", "ux", "target"), ("v", "x", "ux", "variable"),
        ("u0", "out", "uxx", "target"), ("v", "x", "uxx", "variable"),
        ("u1", "out", "vxy", "target"), ("v", "x", "vxy", "first"), ("v", "y", "vxy", "second"),
        ("u0", "out", "lap", "target"), ("v", "x", "lap", "var1"), ("v", "y", "lap", "var2"),
        ("u1", "out", "hes", "target"), ("v", "x", "hes", "var1"), ("v", "y", "hes", "var2"),
        ("ux", "out", "r1", "a"), ("uxx", "out", "r1", "b"),
        ("r1", "out", "r2", "a"), ("vxy", "out", "r2", "b"),
        ("k", "out", "klap", "a"), ("lap", "out", "klap", "b"),
        ("klap", "out", "r3", "a"), ("two", "out", "r3", "b"),
        ("u0", "out", "sq", "a"), ("two", "out", "sq", "b"),
        ("r2", "out", "r4", "a"), ("r3", "out", "r4", "b"),
        ("v", "x", "sx", "a"), ("sx", "out", "sinx", "a"),
        ("u1", "out", "f", "in1"), ("sinx", "out", "f", "in2"), ("f", "out", "nf", "a"),
        ("r4", "out", "res", "a"), ("nf", "out", "res", "b"),
        ("res", "out", "pde_loss", "residual"), ("pde_loss", "loss", "pde", "loss"),
        ("hes", "out", "hes_loss", "residual"), ("hes_loss", "loss", "hc", "loss"),
        ("net", "model", "ub", "model"), ("vb", "x", "ub", "in1"), ("vb", "y", "ub", "in2"),
        ("ub", "out", "ub0", "value"), ("ub0", "out", "flux", "a"), ("vb", "nx", "flux", "b"),
        ("flux", "out", "noisy", "a"), ("eps", "out", "noisy", "b"),
        ("noisy", "out", "bc_loss", "residual"), ("bc_loss", "loss", "bc", "loss"),
        ("sq", "out", "rel", "prediction"), ("sinx", "out", "rel", "reference"),
        ("rel", "loss", "rel_t", "value"),
        ("pde_loss", "loss", "gn", "loss"), ("net", "model", "gn", "model"),
        ("pde_loss", "loss", "gc", "first"), ("bc_loss", "loss", "gc", "second"),
        ("net", "model", "gc", "model"), ("res", "out", "kern", "residual"),
        ("net", "model", "kern", "model"), ("res", "out", "stats", "residual"),
    ]  # fmt: skip
    return document("fields", nodes, edges)


def networks_doc() -> dict:
    """The other per-point networks, and a concatenation into a DeepONet trunk."""
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "fm", "type": "fourier_mlp", "params": {"in_size": 2, "hidden": 4, "depth": 1,
                                                       "n_features": 4, "sigma": 2.0, "seed": 1}},
        {"id": "mm", "type": "modified_mlp", "params": {"in_size": 2, "hidden": 4, "depth": 1,
                                                        "seed": 2, "activation": "gelu"}},
        {"id": "op", "type": "deeponet", "params": {"n_sensors": 1, "coord_dim": 2, "latent": 4,
                                                    "hidden": 4, "depth": 1, "seed": 4}},
        {"id": "s", "type": "parameter", "params": {"size": 1, "init": 0.1}},
        {"id": "xy", "type": "concat", "params": {"inputs": 2}},
        {"id": "a", "type": "call"}, {"id": "b", "type": "call"},
        {"id": "c", "type": "call", "params": {"inputs": 2}},
        {"id": "la", "type": "loss"}, {"id": "lb", "type": "loss", "params": {"kind": "mae"}},
        {"id": "lc", "type": "loss"},
        {"id": "ca", "type": "constraint"}, {"id": "cb", "type": "constraint"},
        {"id": "cc", "type": "constraint"},
    ]  # fmt: skip
    edges = [
        ("fm", "model", "a", "model"), ("v", "x", "a", "in1"), ("v", "y", "a", "in2"),
        ("mm", "model", "b", "model"), ("v", "x", "b", "in1"), ("v", "y", "b", "in2"),
        ("v", "x", "xy", "in1"), ("v", "y", "xy", "in2"),
        ("op", "model", "c", "model"), ("s", "out", "c", "in1"), ("xy", "out", "c", "in2"),
        ("a", "out", "la", "residual"), ("b", "out", "lb", "residual"),
        ("c", "out", "lc", "residual"),
        ("la", "loss", "ca", "loss"), ("lb", "loss", "cb", "loss"), ("lc", "loss", "cc", "loss"),
    ]  # fmt: skip
    return document("networks", nodes, edges)


def fno_doc() -> dict:
    """An FNO on the points of a line."""
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "op", "type": "fno", "params": {"modes": 2, "width": 4, "n_layers": 1, "seed": 6}},
        {"id": "u", "type": "call", "params": {"inputs": 1}},
        {"id": "l", "type": "loss"}, {"id": "c", "type": "constraint"},
    ]  # fmt: skip
    edges = [("op", "model", "u", "model"), ("v", "x", "u", "in1"),
             ("u", "out", "l", "residual"), ("l", "loss", "c", "loss")]  # fmt: skip
    doc = document("fno", nodes, edges, dimension=1)
    doc["geometry"]["sampling"] = {}  # an FNO maps the whole grid of the line
    return doc


def balancer_doc(kind: str) -> dict:
    """Two constraints weighted by one balancer."""
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "vb", "type": "variables", "params": {"tag": "boundary"}},
        {"id": "net", "type": "mlp", "params": {"hidden": 4, "depth": 1}},
        {"id": "u", "type": "call"}, {"id": "ub", "type": "call"},
        {"id": "pde_loss", "type": "loss"}, {"id": "bc_loss", "type": "loss"},
        {"id": "pde", "type": "constraint"}, {"id": "bc", "type": "constraint"},
        {"id": "weights", "type": kind},
    ]  # fmt: skip
    edges = [
        ("net", "model", "u", "model"), ("v", "x", "u", "in1"), ("v", "y", "u", "in2"),
        ("net", "model", "ub", "model"), ("vb", "x", "ub", "in1"), ("vb", "y", "ub", "in2"),
        ("u", "out", "pde_loss", "residual"), ("ub", "out", "bc_loss", "residual"),
        ("pde_loss", "loss", "pde", "loss"), ("bc_loss", "loss", "bc", "loss"),
    ]  # fmt: skip
    return document(f"balanced by {kind}", nodes, edges)


DOCUMENTS = {
    "fields": fields_doc,
    "networks": networks_doc,
    "fno": fno_doc,
    **{
        f"balancer:{kind}": (lambda kind=kind: balancer_doc(kind))
        for kind, node in NODE_TYPES.items()
        if node.role == "balancer"
    },
}


def _home(node_type: str) -> str | None:
    """The document a node type is exercised in."""
    for name, make in DOCUMENTS.items():
        if any(n["type"] == node_type for n in make()["graph"]["nodes"]):
            return name
    return None


def signatures(doc: dict, node_type: str) -> Counter:
    """Nodes of `node_type`: (params with defaults, incoming (port, source signature))."""
    nodes = {n["id"]: n for n in doc["graph"]["nodes"]}
    incoming = defaultdict(list)
    for e in doc["graph"]["edges"]:
        incoming[e["target"]].append((e["targetPort"], e["source"], e["sourcePort"]))

    @cache
    def sig(node_id: str) -> tuple:
        node = nodes[node_id]
        params = {**NODE_TYPES[node["type"]].defaults(), **node.get("params", {})}
        if node["type"] in NAMED:
            params["name"] = params.get("name") or node_id  # what the lowering names it
        if node["type"] == "variables":
            params["sample"] = params.get("sample") or doc["geometry"]["sampling"].get(
                params["tag"]
            )
        items = tuple(sorted((k, _number(v)) for k, v in params.items()))
        inputs = tuple(sorted((port, sig(src), sp) for port, src, sp in incoming[node_id]))
        return node["type"], items, inputs

    return Counter(sig(i) for i, n in nodes.items() if n["type"] == node_type)


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(np.float32(value))  # numbers pass through float32 in the engine


@cache
def round_trip(name: str) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """The document, its import, and the losses of one training step of each."""
    doc = DOCUMENTS[name]()
    assert validate(doc) == [], validate(doc)
    built = lower(doc).execute()
    built.phases[0][1]()  # attach the phase's optimizer: the importer reads it back
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImportApproximationWarning)  # a round trip is exact
        weights = built.phases[0][0].weights  # what the program gives solve()
        again = to_document(built.crux, doc["meta"]["title"], weights=weights)
    assert validate(again) == [], validate(again)
    assert again["training"]["phases"][0]["optimizer"] == PHASE["optimizer"]
    again["training"]["phases"] = copy.deepcopy(doc["training"]["phases"])
    losses = np.asarray(built.train().losses)
    rebuilt = np.asarray(lower(again).execute().train().losses)
    return doc, again, losses, rebuilt


def test_every_node_type_has_a_round_trip_or_a_reason():
    missing = [t for t in NODE_TYPES if t not in EXCLUDED and _home(t) is None]
    assert not missing, f"node types without a round-trip document: {missing}"
    assert set(EXCLUDED) <= set(NODE_TYPES)


@pytest.mark.parametrize("node_type", [t for t in NODE_TYPES if t not in EXCLUDED])
def test_node_type_round_trips(node_type):
    name = _home(node_type)
    if name is None:
        pytest.fail(f"node type {node_type!r} appears in no round-trip document")
    doc, again, losses, rebuilt = round_trip(name)
    assert signatures(again, node_type) == signatures(doc, node_type)
    assert losses.shape == rebuilt.shape == (PHASE["epochs"], losses.shape[1])
    np.testing.assert_allclose(rebuilt, losses, rtol=1e-5, atol=1e-7)
