"""The importer: a jno.core -> a workbench document, and back through the lowering."""

from __future__ import annotations

import copy
import json
import warnings
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import shapely

import jno_lab as jno
from jno_lab.workbench.catalogue import NODE_TYPES
from jno_lab.workbench.document import new_document
from jno_lab.workbench.graph import identifier
from jno_lab.workbench.importer import ImportApproximationWarning, NotImportable, to_document
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.validate import validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "poisson.jnolab"
SHORT = {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 20, "inner_steps": 10}
NAMED = {"mlp", "fourier_mlp", "modified_mlp", "deeponet", "fno", "parameter", "tracker",
         "gradient_norm", "gradient_cosine", "ntk", "residual_stats", "function"}  # fmt: skip


# -- helpers ----------------------------------------------------------------------------------
def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(np.float32(value))  # constants pass through float32 in the engine


def canonical(doc: dict) -> Counter:
    """Node signatures (type, params with defaults, incoming (port, source signature))."""
    nodes = {n["id"]: n for n in doc["graph"]["nodes"]}
    incoming = defaultdict(list)
    for e in doc["graph"]["edges"]:
        incoming[e["target"]].append((e["targetPort"], e["source"], e["sourcePort"]))
    sampling = doc["geometry"].get("sampling", {})

    @cache
    def sig(node_id: str) -> tuple:
        node = nodes[node_id]
        params = {**NODE_TYPES[node["type"]].defaults(), **node.get("params", {})}
        if node["type"] in NAMED:
            params["name"] = params.get("name") or node_id  # what the lowering names it
        if node["type"] == "variables":
            params["sample"] = params.get("sample") or sampling.get(params["tag"])
        items = tuple(sorted((k, _number(v)) for k, v in params.items()))
        inputs = tuple(sorted((port, sig(src), sp) for port, src, sp in incoming[node_id]))
        return node["type"], items, inputs

    return Counter(sig(node_id) for node_id in nodes)


def edge(s, sp, t, tp):
    return {"source": s, "sourcePort": sp, "target": t, "targetPort": tp}


def short(doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    doc["training"]["phases"] = [dict(SHORT)]
    return doc


def losses_of(doc: dict) -> np.ndarray:
    return np.asarray(lower(doc).execute().train().losses)


def imported(doc: dict) -> dict:
    """Lower and execute `doc` (no training), then import its solver."""
    built = lower(doc).execute()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImportApproximationWarning)  # a round trip is exact
        out = to_document(built.crux, doc["meta"]["title"])
    assert validate(out) == [], validate(out)
    return out


def assert_round_trip(doc: dict) -> dict:
    assert validate(doc) == [], validate(doc)
    again = imported(doc)
    assert canonical(again) == canonical(doc)
    original = losses_of(short(doc))
    rebuilt = losses_of(short(again))
    assert original.shape == rebuilt.shape == (SHORT["epochs"], original.shape[1])
    np.testing.assert_allclose(rebuilt, original, rtol=1e-5, atol=1e-7)
    return again


def rings(dom) -> list[np.ndarray]:
    geom = dom.geometry
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    out = []
    for p in polys:
        out += [np.asarray(p.exterior.coords)] + [np.asarray(r.coords) for r in p.interiors]
    return out


def base_doc(title: str, time=None, sampling=None) -> dict:
    doc = new_document(title)
    doc["seed"] = 3
    doc["geometry"]["sampling"] = sampling or {"interior": 32, "boundary": 16}
    doc["geometry"]["time"] = time
    return doc


# -- round trips ------------------------------------------------------------------------------
def test_poisson_example_round_trips():
    doc = json.loads(EXAMPLE.read_text())
    built = lower(doc).execute()
    built.phases[0][1]()  # attach the phase's optimizer: the importer reads it back
    again = to_document(built.crux, "Poisson")
    assert validate(again) == []
    assert canonical(again) == canonical(doc)
    assert again["training"]["phases"][0]["optimizer"] == "adam"
    assert again["training"]["phases"][0]["learning_rate"] == {
        "kind": "warmup_cosine", "total_steps": 4000, "warmup_steps": 100, "lr0": 0.01,
        "lr_end": 1e-05}  # fmt: skip
    assert again["geometry"]["primitives"] == [
        {"id": "shape", "type": "rectangle", "x": [0.0, 1.0], "y": [0.0, 1.0]}
    ]
    assert again["geometry"]["sampling"] == {"interior": 1024, "boundary": 256}
    assert again["seed"] == doc["seed"]
    assert_round_trip(doc)
    xs = [n["position"][0] for n in again["graph"]["nodes"]]
    assert min(xs) == 0
    assert max(xs) >= 5 * 220
    positions = [tuple(n["position"]) for n in again["graph"]["nodes"]]
    assert len(set(positions)) == len(positions)


def physics_doc() -> dict:
    """Time axis, every derivative kind, a parameter, noise, trackers and diagnostics."""
    doc = base_doc(
        "physics",
        time={"t0": 0.0, "t1": 1.0, "steps": 3},
        sampling={"interior": 24, "boundary": 12, "initial": 12},
    )
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "vb", "type": "variables", "params": {"tag": "boundary", "normals": True}},
        {"id": "vi", "type": "variables", "params": {"tag": "initial"}},
        {"id": "net", "type": "mlp",
         "params": {"in_size": 3, "out_size": 2, "hidden": 8, "depth": 1, "seed": 5,
                    "activation": "sin"}},
        {"id": "u", "type": "call", "params": {"inputs": 3}},
        {"id": "u0", "type": "component", "params": {"index": 0}},
        {"id": "u1", "type": "component", "params": {"index": 1}},
        {"id": "ut", "type": "derivative",
         "params": {"order": 1, "scheme": "automatic_differentiation:forward"}},
        {"id": "ux", "type": "derivative", "params": {"order": 1}},
        {"id": "uxx", "type": "derivative", "params": {"order": 2}},
        {"id": "vyy", "type": "derivative", "params": {"order": 2}},
        {"id": "vxy", "type": "mixed_derivative", "params": {}},
        {"id": "lap", "type": "laplacian",
         "params": {"dims": 2, "scheme": "automatic_differentiation:fwd-over-rev"}},
        {"id": "hes", "type": "hessian",
         "params": {"dims": 2, "scheme": "automatic_differentiation:rev-over-fwd"}},
        {"id": "k", "type": "parameter", "params": {"size": 1, "init": 0.5}},
        {"id": "klap", "type": "mul"},
        {"id": "r0", "type": "add"},
        {"id": "r1", "type": "sub"},
        {"id": "r2", "type": "add"},
        {"id": "half", "type": "constant", "params": {"value": 0.25}},
        {"id": "r3", "type": "div"},
        {"id": "r4", "type": "add"},
        {"id": "sq", "type": "pow"},
        {"id": "two", "type": "constant", "params": {"value": 2.0}},
        {"id": "res", "type": "add"},
        {"id": "pde_loss", "type": "loss", "params": {"kind": "huber"}},
        {"id": "pde", "type": "constraint"},
        {"id": "ui", "type": "call", "params": {"inputs": 3}},
        {"id": "ui0", "type": "component", "params": {"index": 0}},
        {"id": "eps", "type": "noise",
         "params": {"distribution": "uniform", "a": -0.01, "b": 0.01}},
        {"id": "sx", "type": "scale", "params": {"factor": 3.0}},
        {"id": "sinx", "type": "math", "params": {"function": "sin"}},
        {"id": "ic_res", "type": "sub"},
        {"id": "ic_noisy", "type": "add"},
        {"id": "ic_loss", "type": "loss", "params": {"kind": "mae"}},
        {"id": "ic", "type": "constraint"},
        {"id": "ub", "type": "call", "params": {"inputs": 3}},
        {"id": "ub0", "type": "component", "params": {"index": 0}},
        {"id": "flux", "type": "mul"},
        {"id": "neg", "type": "neg"},
        {"id": "bc_loss", "type": "loss", "params": {"kind": "rmse"}},
        {"id": "bc", "type": "constraint"},
        {"id": "hes_loss", "type": "loss", "params": {"kind": "log_cosh"}},
        {"id": "hc", "type": "constraint"},
        {"id": "rel", "type": "relative_l2"},
        {"id": "rel_t", "type": "tracker", "params": {"interval": 5, "name": "rel_err"}},
        {"id": "k_t", "type": "tracker", "params": {"interval": 2}},
    ]  # fmt: skip
    edges = [
        edge("net", "model", "u", "model"), edge("v", "x", "u", "in1"), edge("v", "y", "u", "in2"),
        edge("v", "t", "u", "in3"), edge("u", "out", "u0", "value"),
        edge("u", "out", "u1", "value"),
        edge("u0", "out", "ut", "target"), edge("v", "t", "ut", "variable"),
        edge("u0", "out", "ux", "target"), edge("v", "x", "ux", "variable"),
        edge("u0", "out", "uxx", "target"), edge("v", "x", "uxx", "variable"),
        edge("u1", "out", "vyy", "target"), edge("v", "y", "vyy", "variable"),
        edge("u1", "out", "vxy", "target"), edge("v", "x", "vxy", "first"),
        edge("v", "y", "vxy", "second"),
        edge("u0", "out", "lap", "target"), edge("v", "x", "lap", "var1"),
        edge("v", "y", "lap", "var2"),
        edge("u1", "out", "hes", "target"), edge("v", "x", "hes", "var1"),
        edge("v", "y", "hes", "var2"),
        edge("k", "out", "klap", "a"), edge("lap", "out", "klap", "b"),
        edge("ut", "out", "r0", "a"), edge("vyy", "out", "r0", "b"),
        edge("r0", "out", "r1", "a"), edge("klap", "out", "r1", "b"),
        edge("r1", "out", "r2", "a"), edge("uxx", "out", "r2", "b"),
        edge("vxy", "out", "r3", "a"), edge("half", "out", "r3", "b"),
        edge("r2", "out", "r4", "a"), edge("r3", "out", "r4", "b"),
        edge("ux", "out", "sq", "a"), edge("two", "out", "sq", "b"),
        edge("r4", "out", "res", "a"), edge("sq", "out", "res", "b"),
        edge("res", "out", "pde_loss", "residual"), edge("pde_loss", "loss", "pde", "loss"),
        edge("net", "model", "ui", "model"), edge("vi", "x", "ui", "in1"),
        edge("vi", "y", "ui", "in2"), edge("vi", "t", "ui", "in3"),
        edge("ui", "out", "ui0", "value"), edge("vi", "x", "sx", "a"),
        edge("sx", "out", "sinx", "a"), edge("ui0", "out", "ic_res", "a"),
        edge("sinx", "out", "ic_res", "b"), edge("ic_res", "out", "ic_noisy", "a"),
        edge("eps", "out", "ic_noisy", "b"), edge("ic_noisy", "out", "ic_loss", "residual"),
        edge("ic_loss", "loss", "ic", "loss"),
        edge("net", "model", "ub", "model"), edge("vb", "x", "ub", "in1"),
        edge("vb", "y", "ub", "in2"), edge("vb", "t", "ub", "in3"),
        edge("ub", "out", "ub0", "value"), edge("ub0", "out", "flux", "a"),
        edge("vb", "nx", "flux", "b"), edge("flux", "out", "neg", "a"),
        edge("neg", "out", "bc_loss", "residual"), edge("bc_loss", "loss", "bc", "loss"),
        edge("hes", "out", "hes_loss", "residual"), edge("hes_loss", "loss", "hc", "loss"),
        edge("ui0", "out", "rel", "prediction"), edge("sinx", "out", "rel", "reference"),
        edge("rel", "loss", "rel_t", "value"), edge("k", "out", "k_t", "value"),
    ]  # fmt: skip
    doc["graph"] = {"nodes": nodes, "edges": edges}
    return doc


def test_time_axis_derivatives_parameters_noise_and_trackers_round_trip():
    doc = physics_doc()
    again = assert_round_trip(doc)
    assert again["geometry"]["time"] == {"t0": 0.0, "t1": 1.0, "steps": 3}
    types = Counter(n["type"] for n in again["graph"]["nodes"])
    for kind in ("derivative", "mixed_derivative", "laplacian", "hessian", "parameter",
                 "noise", "tracker", "relative_l2"):  # fmt: skip
        assert types[kind] >= 1, kind
    by_type = {n["type"]: n for n in again["graph"]["nodes"]}
    assert by_type["mlp"]["params"]["seed"] == 5
    assert by_type["mlp"]["params"]["activation"] == "sin"


def test_diagnostics_round_trip_to_their_nodes():
    doc = json.loads(EXAMPLE.read_text())
    doc["graph"]["nodes"] += [
        {"id": "gn", "type": "gradient_norm", "params": {"interval": 4}},
        {"id": "gc", "type": "gradient_cosine", "params": {"interval": 4, "name": "pde_bc"}},
        {"id": "kern", "type": "ntk", "params": {"interval": 10, "points": 6}},
        {"id": "stats", "type": "residual_stats", "params": {"interval": 5}},
    ]
    doc["graph"]["edges"] += [
        edge("pde_loss", "loss", "gn", "loss"), edge("net", "model", "gn", "model"),
        edge("pde_loss", "loss", "gc", "first"), edge("bc_loss", "loss", "gc", "second"),
        edge("net", "model", "gc", "model"), edge("res", "out", "kern", "residual"),
        edge("net", "model", "kern", "model"), edge("res", "out", "stats", "residual"),
    ]  # fmt: skip
    assert validate(doc) == []
    again = imported(doc)
    assert canonical(again) == canonical(doc)
    names = lower(doc).execute().crux.tracker_names
    assert lower(again).execute().crux.tracker_names == names
    assert "grad_cos/pde_bc_1|pde_bc_2" in names
    ids = {n["type"]: n["id"] for n in again["graph"]["nodes"]}
    assert ids["gradient_cosine"] == "pde_bc"  # its name: the id it lowers to


def csg_doc() -> dict:
    doc = base_doc("plate with holes", sampling={"interior": 48, "boundary": 32, "inlet": 8})
    doc["geometry"]["primitives"] = [
        {"id": "plate", "type": "rectangle", "x": [-1, 1], "y": [-1, 1]},
        {"id": "disc", "type": "circle", "center": [0.2, 0.0], "radius": 0.4},
        {"id": "tri", "type": "polygon", "points": [[0.5, 0.6], [0.9, 0.6], [0.7, 0.9]]},
    ]
    doc["geometry"]["csg"] = {"op": "difference", "args": ["plate", "disc", "tri"]}
    doc["geometry"]["tags"] = [{"name": "inlet", "predicate": "x < -0.999"}]
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "vb", "type": "variables", "params": {"tag": "boundary"}},
        {"id": "vin", "type": "variables", "params": {"tag": "inlet"}},
        {"id": "net", "type": "modified_mlp",
         "params": {"in_size": 2, "out_size": 1, "hidden": 8, "depth": 2, "seed": 1}},
        {"id": "u", "type": "call"}, {"id": "lap", "type": "laplacian"},
        {"id": "pde_loss", "type": "loss"}, {"id": "pde", "type": "constraint"},
        {"id": "ub", "type": "call"}, {"id": "bc_loss", "type": "loss"},
        {"id": "bc", "type": "constraint"},
        {"id": "uin", "type": "call"}, {"id": "one", "type": "constant"},
        {"id": "in_res", "type": "sub"}, {"id": "in_loss", "type": "loss"},
        {"id": "inflow", "type": "constraint"},
    ]  # fmt: skip
    edges = [
        edge("net", "model", "u", "model"), edge("v", "x", "u", "in1"), edge("v", "y", "u", "in2"),
        edge("u", "out", "lap", "target"), edge("v", "x", "lap", "var1"),
        edge("v", "y", "lap", "var2"), edge("lap", "out", "pde_loss", "residual"),
        edge("pde_loss", "loss", "pde", "loss"),
        edge("net", "model", "ub", "model"), edge("vb", "x", "ub", "in1"),
        edge("vb", "y", "ub", "in2"), edge("ub", "out", "bc_loss", "residual"),
        edge("bc_loss", "loss", "bc", "loss"),
        edge("net", "model", "uin", "model"), edge("vin", "x", "uin", "in1"),
        edge("vin", "y", "uin", "in2"), edge("uin", "out", "in_res", "a"),
        edge("one", "out", "in_res", "b"), edge("in_res", "out", "in_loss", "residual"),
        edge("in_loss", "loss", "inflow", "loss"),
    ]  # fmt: skip
    doc["graph"] = {"nodes": nodes, "edges": edges}
    return doc


def test_csg_polygon_with_holes_round_trips_ring_for_ring():
    doc = csg_doc()
    again = assert_round_trip(doc)
    geometry = again["geometry"]
    kinds = sorted(p["type"] for p in geometry["primitives"])
    assert kinds == ["circle", "polygon", "rectangle"]
    assert geometry["csg"]["op"] == "difference"
    assert [t["name"] for t in geometry["tags"]] == ["inlet"]
    assert "edges" in geometry["tags"][0]
    first = lower(doc).execute().crux.domain
    second = lower(again).execute().crux.domain
    assert len(rings(first)) == 3
    for a, b in zip(rings(first), rings(second), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.tag_points("inlet"), second.tag_points("inlet"))


def test_a_polygon_with_a_hole_from_code_becomes_a_difference():
    ring = [(0, 0), (2, 0), (2, 1), (1.2, 1.4), (0, 1)]
    hole = [(0.5, 0.3), (0.9, 0.3), (0.9, 0.7)]
    dom = jno.domain(shapely.Polygon(ring, [hole]), time=(0.0, 2.0, 5))
    x, y, t = dom.variable("boundary", sample=16)
    p = jno.np.parameter((2,), init=1.0, name="c").optimizer(optax.sgd, lr=0.1)
    jno.setup(seed=3)
    crux = jno.core([(p * x - y * t).mse], dom, rng_seed=1)
    with pytest.warns(ImportApproximationWarning, match="global seed is 3"):
        doc = to_document(crux)
    assert doc["seed"] == 1
    geometry = doc["geometry"]
    assert [p["type"] for p in geometry["primitives"]] == ["polygon", "polygon"]
    assert geometry["csg"] == {"op": "difference", "args": ["shape", "hole"]}
    assert geometry["time"] == {"t0": 0.0, "t1": 2.0, "steps": 5}
    rebuilt = lower(doc).execute().crux.domain
    for a, b in zip(rings(dom), rings(rebuilt), strict=True):
        np.testing.assert_array_equal(a, b)
    param = next(n for n in doc["graph"]["nodes"] if n["type"] == "parameter")
    assert param["id"] == "c"
    assert param["params"] == {"size": 2, "init": 1.0}
    assert doc["training"]["phases"][0]["optimizer"] == "sgd"
    assert doc["training"]["phases"][0]["learning_rate"] == 0.1


# -- hand-written code -------------------------------------------------------------------------
def forcing(a):
    return 2 * jnp.pi**2 * jnp.sin(jnp.pi * a)


def handwritten():
    jno.setup(seed=11)
    dom = jno.domain(shapely.box(0, 0, 1, 1))
    x, y = dom.variable("interior", sample=64)
    xb, yb = dom.variable("boundary", sample=32)
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=16, depth=2, key=jax.random.PRNGKey(7)), name="u")
    net.optimizer(optax.adam, lr=2e-3)
    u = net(x, y)[..., 0]
    f = jno.fn(forcing, [x], name="forcing") * jno.np.sin(jno.np.pi * y)
    pde = -u.laplacian(x, y) - f
    bc = net(jno.np.concat([xb, yb]))
    positive = jno.np.tracker(jno.np.maximum(u, 0.0), interval=5, name="positive_part")
    shifted = jno.fn(lambda a, b: jnp.tanh(a) * b + 1.0, [u, y])
    return jno.core([pde.mse, bc.mse, (shifted - 1.0).mae, positive])


def test_handwritten_core_imports_and_trains_to_the_same_losses():
    crux = handwritten()
    doc = to_document(crux, "hand-written Poisson")
    assert validate(doc) == []
    assert doc["seed"] == 11
    types = Counter(n["type"] for n in doc["graph"]["nodes"])
    assert types["constraint"] == 3
    assert types["tracker"] == 1
    assert types["function"] == 3
    functions = sorted(n["params"]["expression"] for n in doc["graph"]["nodes"]
                       if n["type"] == "function")  # fmt: skip
    assert functions == ["2 * jnp.pi ** 2 * jnp.sin(jnp.pi * a)", "jnp.maximum(a, 0.0)",
                         "jnp.tanh(a) * b + 1.0"]  # fmt: skip
    net = next(n for n in doc["graph"]["nodes"] if n["type"] == "mlp")
    assert net["id"] == "u"
    assert net["params"]["seed"] == 7
    assert net["params"]["hidden"] == 16
    assert doc["training"]["phases"][0]["optimizer"] == "adam"
    assert doc["training"]["phases"][0]["learning_rate"] == pytest.approx(2e-3)
    calls = [n for n in doc["graph"]["nodes"] if n["type"] == "call"]
    assert sorted(c["params"]["inputs"] for c in calls) == [2, 2]  # concat([xb, yb]) unrolled
    hand = np.asarray(crux.solve(SHORT["epochs"], inner_steps=SHORT["inner_steps"]).losses)
    doc["training"]["phases"][0].update(epochs=SHORT["epochs"], inner_steps=SHORT["inner_steps"])
    np.testing.assert_allclose(losses_of(doc), hand, rtol=1e-5, atol=1e-7)


def test_a_line_with_time_imports_as_an_interval_and_trains_identically():
    jno.setup(seed=2)
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.125, x_range=(0, 2)), time=(0, 1, 4))
    x, t = dom.variable("interior")
    x0, t0 = dom.variable("initial")
    xl, tl = dom.variable("left", sample=4)
    net = jno.nn.wrap(jno.nn.fourier_mlp(2, 1, hidden=8, depth=1, n_features=4, sigma=2.5,
                                         key=jax.random.PRNGKey(4)))  # fmt: skip
    net.optimizer(optax.adam, lr=jno.LearningRateSchedule.exponential(1e-2, 0.5, 10))
    u = net(x, t)
    heat = u.d(t) - 0.1 * u.d(x).d(x)
    crux = jno.core([heat.mse, (net(x0, t0) - jno.np.sin(x0)).mse, net(xl, tl).mse])
    doc = to_document(crux)
    geometry = doc["geometry"]
    assert geometry["dimension"] == 1
    assert geometry["mesh_size"] == 0.125
    assert geometry["primitives"] == [{"id": "line", "type": "interval", "x": [0.0, 2.0]}]
    assert geometry["sampling"] == {"left": 4}
    assert geometry["time"]["steps"] == 4
    net_node = next(n for n in doc["graph"]["nodes"] if n["type"] == "fourier_mlp")
    assert net_node["params"]["sigma"] == 2.5
    assert net_node["params"]["seed"] == 4
    schedule = {"kind": "exponential", "lr0": 0.01, "decay_rate": 0.5, "decay_steps": 10}
    assert doc["training"]["phases"][0]["learning_rate"] == {**schedule, "lr_end": 0.0}
    hand = np.asarray(crux.solve(SHORT["epochs"], inner_steps=SHORT["inner_steps"]).losses)
    doc["training"]["phases"][0].update(epochs=SHORT["epochs"], inner_steps=SHORT["inner_steps"])
    np.testing.assert_allclose(losses_of(doc), hand, rtol=1e-5, atol=1e-7)


def test_approximations_are_imported_with_a_warning_and_described():
    dom = jno.domain.rect(mesh_size=0.25)
    x, y = dom.variable("interior")
    xl, yl = dom.variable("left")
    net = jno.nn.wrap(jno.nn.deeponet(1, 1, latent=4, hidden=8, depth=1,
                                      key=jax.random.PRNGKey(0)), name="op")  # fmt: skip
    net.optimizer(optax.adam, lr=1e-3)
    sensors = jno.np.parameter((1,), key=jax.random.PRNGKey(1), name="s")
    sensors.optimizer(optax.sgd, lr=0.5)
    crux = jno.core([net(sensors, x * y).mse, (net(sensors, xl + yl) - 1.0).mse])
    net.initialize(jax.nn.initializers.ones)  # as if trained: no seed reproduces these weights
    with pytest.warns(ImportApproximationWarning) as record:
        doc = to_document(crux)
    message = str(record[0].message)
    assert "grid nodes" in message
    assert "weights of network 'op'" in message
    assert "different optimizers" in message
    assert validate(doc) == []
    assert doc["geometry"]["primitives"][0]["type"] == "rectangle"
    assert doc["geometry"]["sampling"] == {"interior": 9, "left": 5}
    assert [t["name"] for t in doc["geometry"]["tags"]] == ["left"]
    assert "Approximations" in doc["meta"]["description"]
    deeponet = next(n for n in doc["graph"]["nodes"] if n["type"] == "deeponet")
    assert deeponet["params"] == {
        "n_sensors": 1, "coord_dim": 1, "out_size": 1, "latent": 4, "hidden": 8, "depth": 1,
        "activation": "tanh", "seed": 0}  # fmt: skip
    assert deeponet["id"] == "op"


def test_fno_settings_are_recovered():
    dom = jno.domain(constructor=jno.domain.line(mesh_size=0.05))
    (x,) = dom.variable("interior")
    net = jno.nn.wrap(jno.nn.fno(1, 1, modes=4, width=8, n_layers=2, key=jax.random.PRNGKey(5)))
    net.optimizer(optax.adam, lr=1e-3)
    doc = to_document(jno.core([net(x).mse]))
    node = next(n for n in doc["graph"]["nodes"] if n["type"] == "fno")
    assert node["params"] == {"in_channels": 1, "out_channels": 1, "modes": 4, "width": 8,
                              "n_layers": 2, "n_dims": 1, "seed": 5}  # fmt: skip
    assert node["id"] == "FNO"
    assert validate(doc) == []


# -- refused ------------------------------------------------------------------------------------
@pytest.fixture
def square():
    dom = jno.domain(shapely.box(0, 0, 1, 1), time=(0, 1, 2))
    x, y, t = dom.variable("interior", sample=8)
    net = jno.nn.wrap(jno.nn.mlp(3, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="net")
    net.optimizer(optax.adam(1e-3))
    return dom, x, y, t, net


class Custom(eqx.Module):
    w: jax.Array

    def __call__(self, x):
        return self.w * x


def test_unsupported_expressions_are_refused_by_name(square):
    _dom, x, y, t, net = square
    u = net(x, y, t)[..., 0]
    scale = 2.0
    cases = {
        "no source expression": jno.fn(lambda a: a * scale, [u]).mse,
        "constant of shape": (u + jno.np.constant([1.0, 2.0])).mse,
        "parameter Jacobians": u.grad(net)[..., 0].mse,
        "over 4 variables": u.hessian(x, y, t, x).mse,
        "operation 'mean'": (u - u.mean()).mse,
        "Constraint node takes a loss": u.mse + x.mse,
        "Custom, which has no": jno.nn.wrap(Custom(jnp.ones(3)), name="c")(x, y, t).mse,
        "function reducing": jno.fn(jnp.mean, [u], reduces_axis=-1).mse,
        "shape \\(1, 2\\)": (u * jno.np.parameter((1, 2), init=0.0)).mse,
    }
    for match, constraint in cases.items():
        with pytest.raises(NotImportable, match=match):
            to_document(jno.core([constraint]))


def test_unsupported_domains_and_settings_are_refused(square):
    _dom, x, y, t, net = square
    single = jno.domain(shapely.box(0, 0, 1, 1))
    batch = 2 * single
    xb, yb = batch.variable("interior", sample=4)
    with pytest.raises(NotImportable, match="2 problem instances"):
        to_document(jno.core([(xb * yb).mse]))
    data = jno.domain.from_array(np.zeros((5, 2)))
    (xd, yd) = data.variable("interior")
    with pytest.raises(NotImportable, match="point arrays"):
        to_document(jno.core([(xd - yd).mse]))
    stacked = jno.domain.stack(single, n_interior=4, n_boundary=4)
    xs, ys = stacked.variable("interior")
    with pytest.raises(NotImportable, match=r"jno\.domain\.stack"):
        to_document(jno.core([(xs - ys).mse]))
    named = jno.domain(shapely.box(0, 0, 1, 1)).region("in-let", lambda x, y: x < 1e-9)
    xn, yn = named.variable("in-let", sample=4)
    with pytest.raises(NotImportable, match="would not be valid"):
        to_document(jno.core([(xn - yn).mse]))
    assert issubclass(NotImportable, ValueError)
    with pytest.raises(TypeError, match="solver, got str"):
        to_document("crux")
    wide = jno.nn.wrap(jno.nn.mlp(3, 1, hidden_dims=[4, 8], key=jax.random.PRNGKey(0)))
    with pytest.raises(NotImportable, match="different widths"):
        to_document(jno.core([wide(x, y, t).mse]))
    with pytest.raises(NotImportable, match="delta = 1"):
        to_document(jno.core([jno.fn.huber(net(x, y, t), delta=0.5)]))
    with pytest.raises(NotImportable, match=r"u\[..., k\]"):
        to_document(jno.core([net(x, y, t)[..., -1].mse]))


def weighted_function_doc() -> dict:
    """A custom-function node, a concatenation into a DeepONet trunk, weights other than 1."""
    doc = base_doc("functions and weights")
    nodes = [
        {"id": "v", "type": "variables", "params": {"tag": "interior"}},
        {"id": "vb", "type": "variables", "params": {"tag": "boundary"}},
        {"id": "s", "type": "parameter", "params": {"size": 3, "init": 0.1}},
        {"id": "op", "type": "deeponet",
         "params": {"n_sensors": 3, "coord_dim": 2, "latent": 4, "hidden": 8, "depth": 1}},
        {"id": "xy", "type": "concat", "params": {"inputs": 2}},
        {"id": "u", "type": "call", "params": {"inputs": 2}},
        {"id": "u0", "type": "component", "params": {"index": 0}},
        {"id": "src", "type": "function",
         "params": {"inputs": 2, "expression": "jnp.sin(jnp.pi * a) * jnp.cosh(b) - a ** 2",
                    "name": "source"}},
        {"id": "res", "type": "add"},
        {"id": "pde_loss", "type": "loss"},
        {"id": "pde", "type": "constraint", "params": {"weight": 0.25}},
        {"id": "xyb", "type": "concat", "params": {"inputs": 2}},
        {"id": "ub", "type": "call", "params": {"inputs": 2}},
        {"id": "bc_loss", "type": "loss", "params": {"kind": "mae"}},
        {"id": "bc", "type": "constraint", "params": {"weight": 10.0}},
    ]  # fmt: skip
    edges = [
        edge("v", "x", "xy", "in1"), edge("v", "y", "xy", "in2"),
        edge("op", "model", "u", "model"), edge("s", "out", "u", "in1"),
        edge("xy", "out", "u", "in2"), edge("u", "out", "u0", "value"),
        edge("v", "x", "src", "in1"), edge("v", "y", "src", "in2"),
        edge("u0", "out", "res", "a"), edge("src", "out", "res", "b"),
        edge("res", "out", "pde_loss", "residual"), edge("pde_loss", "loss", "pde", "loss"),
        edge("vb", "x", "xyb", "in1"), edge("vb", "y", "xyb", "in2"),
        edge("op", "model", "ub", "model"), edge("s", "out", "ub", "in1"),
        edge("xyb", "out", "ub", "in2"), edge("ub", "out", "bc_loss", "residual"),
        edge("bc_loss", "loss", "bc", "loss"),
    ]  # fmt: skip
    doc["graph"] = {"nodes": nodes, "edges": edges}
    return doc


def test_custom_functions_concatenation_and_weights_round_trip():
    doc = weighted_function_doc()
    assert validate(doc) == [], validate(doc)
    program = lower(doc)
    source = program.to_source()
    assert "jno.np.concat([v_x, v_y], axis=-1)" in source
    assert "constraint_weights=[0.25, 10.0]" in source
    built = program.execute()
    built.phases[0][1]()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImportApproximationWarning)
        again = to_document(built.crux, "again", weights=[0.25, 10.0])
    assert validate(again) == []
    assert canonical(again) == canonical(doc)
    (fn,) = [n for n in again["graph"]["nodes"] if n["type"] == "function"]
    assert fn["params"]["expression"] == "jnp.sin(jnp.pi * a) * jnp.cosh(b) - a ** 2"
    assert fn["id"] == "source"
    original = losses_of(short(doc))
    np.testing.assert_allclose(losses_of(short(again)), original, rtol=1e-5, atol=1e-7)


def test_weights_of_a_trained_solver_are_imported_and_bad_weights_refused():
    doc = short(weighted_function_doc())
    built = lower(doc).execute()
    built.train()
    with pytest.warns(ImportApproximationWarning, match="weights of network 'op'"):
        trained = to_document(built.crux)  # trained weights cannot be carried
    weights = {n["id"]: n["params"]["weight"] for n in trained["graph"]["nodes"]
               if n["type"] == "constraint"}  # fmt: skip
    assert sorted(weights.values()) == [0.25, 10.0]
    fresh = lower(doc).execute().crux
    untrained = [n["params"]["weight"] for n in to_document(fresh)["graph"]["nodes"]
                 if n["type"] == "constraint"]  # fmt: skip
    assert untrained == [1.0, 1.0]
    for bad in ([1.0], [1.0, -2.0], [1.0, float("nan")], "ab", 3):
        with pytest.raises(ValueError, match="weights must"):
            to_document(fresh, weights=bad)


def test_a_ready_optimizer_is_recognised_by_its_updates_or_reported():
    dom = jno.domain(shapely.box(0, 0, 1, 1))
    x, y = dom.variable("interior", sample=8)
    net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u")
    net.optimizer(optax.sgd(0.5))  # a ready transformation: no recorded settings
    phase = to_document(jno.core([net(x, y).mse]))["training"]["phases"][0]
    assert (phase["optimizer"], phase["learning_rate"]) == ("sgd", 0.5)
    net.optimizer(optax.chain(optax.clip(0.1), optax.sgd(0.5)))  # no phase can hold it
    with pytest.warns(ImportApproximationWarning, match="optimizer of 'u' was not recognised"):
        doc = to_document(jno.core([net(x, y).mse]))
    assert doc["training"]["phases"][0] == {"optimizer": "adam", "learning_rate": 1e-3,
                                            "epochs": 1000}  # fmt: skip
    net.optimizer(optax.sgd, lr=0.5)  # the factory form is read from its record
    assert net.optimizer_provenance.factory == "optax.sgd"
    assert to_document(jno.core([net(x, y).mse]))["training"]["phases"][0]["optimizer"] == "sgd"


@pytest.mark.parametrize("form", ["lr", "scale", "ready"])
def test_dlrs_learning_rate_round_trips(form):
    doc = short(json.loads(EXAMPLE.read_text()))
    dlrs = {"kind": "dlrs", "lr0": 0.002, "window": 4, "decremental_factor": 0.25}
    doc["training"]["phases"][0]["learning_rate"] = dlrs
    built = lower(doc).execute()
    if form == "lr":
        built.phases[0][1]()  # net.optimizer(optax.adam, lr=jno.fn.adaptive.dlrs(...))
    else:  # .optimizer(optax.adam).scale(...) or the spec's .optimizer(optax.adam(1)).scale(...)
        transform = optax.adam if form == "scale" else optax.adam(1)
        built.namespace[identifier("net", "model")].optimizer(transform).scale(
            jno.fn.adaptive.dlrs(0.002, window=4, decremental_factor=0.25)
        )
    again = to_document(built.crux, "dlrs")
    lr = again["training"]["phases"][0]["learning_rate"]
    defaults = {"stagnation_factor": 0.1, "increment_factor": 0.1, "min_lr": 1e-10, "max_lr": 1}
    assert lr == {**dlrs, **defaults}
    rates = lower(doc).execute().train().learning_rates[:, 0]
    assert rates[0] == pytest.approx(0.002)
    assert len(set(rates.tolist())) > 1  # the rate adapts to the losses
