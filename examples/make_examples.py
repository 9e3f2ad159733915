"""Write the example workbench documents of this folder.

The examples are generated, so that their node ids, ports and layout stay
consistent with the node catalogue: edit this script, not the `.jnolab` files,
then run it from the repository root:

    .venv/bin/python examples/make_examples.py

`poisson.jnolab` is hand-written and left alone. `--check` exits with status 1
(writing nothing) when a committed example differs from what this script makes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jno_lab.workbench.document import FORMAT, VERSION, load, save
from jno_lab.workbench.validate import validate

HERE = Path(__file__).resolve().parent
PI = math.pi
COLUMN, ROW = 200, 110  # layout grid of the node editor, in pixels


class GraphBuilder:
    """Nodes and edges of a document graph, laid out on a grid.

    Example:
        >>> g = GraphBuilder()
        >>> g.node("c", "constant", 0, 0, value=2.0)
        'c'
        >>> g.link("c.out", "n.a")
        >>> g.edges[0]["id"]
        'c.out->n.a'
    """

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def node(self, node_id: str, node_type: str, col: float, row: float, **params: Any) -> str:
        """Add a node of type `node_type` at grid cell (`col`, `row`); returns its id."""
        node: dict[str, Any] = {"id": node_id, "type": node_type}
        if params:
            node["params"] = params
        node["position"] = [round(col * COLUMN), round(row * ROW)]
        self.nodes.append(node)
        return node_id

    def link(self, source: str, target: str) -> None:
        """Connect output `"node.port"` to input `"node.port"`."""
        src, src_port = source.split(".")
        dst, dst_port = target.split(".")
        self.edges.append(
            {
                "id": f"{source}->{target}",
                "source": src,
                "sourcePort": src_port,
                "target": dst,
                "targetPort": dst_port,
            }
        )

    def op(
        self, node_id: str, node_type: str, col: float, row: float, *args: str, **params: Any
    ) -> str:
        """A node whose inputs `a`, `b` (in that order) are fed by `args`; returns `"id.out"`."""
        self.node(node_id, node_type, col, row, **params)
        for port, source in zip("ab", args, strict=False):
            self.link(source, f"{node_id}.{port}")
        return f"{node_id}.out"

    def call(self, node_id: str, net: str, col: float, row: float, *inputs: str) -> str:
        """Call network `net` on `inputs`; returns the first output component `"id0.out"`."""
        self.node(node_id, "call", col, row, inputs=len(inputs))
        self.link(f"{net}.model", f"{node_id}.model")
        for i, source in enumerate(inputs):
            self.link(source, f"{node_id}.in{i + 1}")
        self.node(f"{node_id}0", "component", col + 1, row, index=0)
        self.link(f"{node_id}.out", f"{node_id}0.value")
        return f"{node_id}0.out"

    def derivative(
        self, node_id: str, col: float, row: float, target: str, variable: str, order: int = 1
    ) -> str:
        """∂ⁿ target / ∂ variableⁿ; returns `"id.out"`."""
        self.node(node_id, "derivative", col, row, order=order)
        self.link(target, f"{node_id}.target")
        self.link(variable, f"{node_id}.variable")
        return f"{node_id}.out"

    def constraint(
        self, name: str, col: float, row: float, residual: str, weight: float = 1.0
    ) -> str:
        """An MSE loss of `residual` and its constraint `name`; returns the loss `"id.loss"`."""
        loss = f"{name}_loss"
        self.node(loss, "loss", col, row, kind="mse")
        self.link(residual, f"{loss}.residual")
        self.node(name, "constraint", col + 1, row, weight=weight)
        self.link(f"{loss}.loss", f"{name}.loss")
        return f"{loss}.loss"

    def relative_error(
        self, col: float, row: float, prediction: str, exact: str, interval: int
    ) -> None:
        """Track ‖prediction − exact‖ / ‖exact‖ over the points as `rel_l2`.

        Built as sqrt(mse(prediction − exact) / mse(exact)) from elementwise nodes.
        """
        err = self.op("err", "sub", col, row, prediction, exact)
        for node_id, source, r in (("err_ms", err, row), ("ref_ms", exact, row + 1)):
            self.node(node_id, "loss", col + 1, r, kind="mse")
            self.link(source, f"{node_id}.residual")
        ratio = self.op("ratio", "div", col + 2, row, "err_ms.loss", "ref_ms.loss")
        rel = self.op("rel", "math", col + 3, row, ratio, function="sqrt")
        self.tracker("rel_l2", col + 4, row, rel, interval=interval)

    def tracker(self, node_id: str, col: float, row: float, value: str, interval: int) -> None:
        """Log `value` every `interval` steps under the name `node_id`."""
        self.node(node_id, "tracker", col, row, interval=interval, name=node_id)
        self.link(value, f"{node_id}.value")


def document(
    title: str,
    description: str,
    geometry: dict[str, Any],
    graph: GraphBuilder,
    phases: list[dict[str, Any]],
    seed: int = 0,
) -> dict[str, Any]:
    """A complete workbench document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "meta": {"title": title, "description": description},
        "seed": seed,
        "mesh": [1, 1],
        "geometry": geometry,
        "graph": {"nodes": graph.nodes, "edges": graph.edges},
        "training": {"phases": phases},
        "layout": {},
    }


def adam_phase(epochs: int, lr0: float, lr_end: float, warmup: int = 100) -> dict[str, Any]:
    """One Adam phase with a warm-up cosine schedule over the phase."""
    schedule = {
        "kind": "warmup_cosine",
        "total_steps": epochs,
        "warmup_steps": warmup,
        "lr0": lr0,
        "lr_end": lr_end,
    }
    return {"optimizer": "adam", "learning_rate": schedule, "epochs": epochs, "inner_steps": 100}


def mlp(g: GraphBuilder, in_size: int, hidden: int, depth: int, row: float = 6) -> str:
    """A tanh MLP node `net` with one output; returns its id."""
    return g.node(
        "net", "mlp", 0, row, in_size=in_size, out_size=1, hidden=hidden, depth=depth, seed=0
    )


# -- the examples ---------------------------------------------------------------------
def laplace_lshape() -> dict[str, Any]:
    """Laplace's equation on an L-shape with a hole; Dirichlet data of u = x² − y²."""
    g = GraphBuilder()
    g.node("xy", "variables", 0, 0, tag="interior")
    g.node("xyb", "variables", 0, 3, tag="boundary")
    net = mlp(g, 2, 32, 3)
    u = g.call("u", net, 1, 0, "xy.x", "xy.y")
    g.node("lap", "laplacian", 3, 0, dims=2)
    g.link(u, "lap.target")
    g.link("xy.x", "lap.var1")
    g.link("xy.y", "lap.var2")
    pde = g.constraint("pde", 4, 0, "lap.out")
    ub = g.call("ub", net, 1, 3, "xyb.x", "xyb.y")
    gx = g.op("gx2", "math", 1, 4, "xyb.x", function="square")
    gy = g.op("gy2", "math", 1, 5, "xyb.y", function="square")
    data = g.op("g", "sub", 2, 4.5, gx, gy)
    bres = g.op("bres", "sub", 3, 3, ub, data)
    bc = g.constraint("bc", 4, 3, bres, weight=10.0)
    # diagnostics: the error against the exact solution, and the gradient conflict
    ex = g.op("ex2", "math", 1, 1, "xy.x", function="square")
    ey = g.op("ey2", "math", 1, 2, "xy.y", function="square")
    exact = g.op("exact", "sub", 2, 1.5, ex, ey)
    g.relative_error(3, 1.5, u, exact, interval=100)
    g.node("conflict", "gradient_cosine", 5, 4, interval=250, name="pde_vs_bc")
    g.link(pde, "conflict.first")
    g.link(bc, "conflict.second")
    g.link("net.model", "conflict.model")
    geometry = {
        "dimension": 2,
        "primitives": [
            {
                "id": "L",
                "type": "polygon",
                "points": [[-1, -1], [1, -1], [1, 0], [0, 0], [0, 1], [-1, 1]],
            },
            {"id": "hole", "type": "circle", "center": [-0.5, -0.5], "radius": 0.25},
        ],
        "csg": {"op": "difference", "args": ["L", "hole"]},
        "tags": [],
        "sampling": {"interior": 2048, "boundary": 512},
        "time": None,
    }
    return document(
        "Laplace on an L-shape with a hole",
        "Δu = 0 on the L-shape [-1, 1]² minus [0, 1]², minus the disc of radius 0.25 at "
        "(-0.5, -0.5); u = x² − y² on the outer boundary and on the hole; exact u = x² − y². "
        "Trackers log the relative L2 error and the cosine between the PDE and boundary "
        "gradients.",
        geometry,
        g,
        [adam_phase(4000, 1e-2, 1e-5)],
    )


def heat_1d() -> dict[str, Any]:
    """The heat equation u_t = 0.1 u_xx with a sine initial condition."""
    nu = 0.1
    g = GraphBuilder()
    g.node("xt", "variables", 0, 0, tag="interior")
    g.node("xt0", "variables", 0, 3, tag="initial")
    g.node("xtb", "variables", 0, 5, tag="boundary")
    net = mlp(g, 2, 32, 3, row=7)
    u = g.call("u", net, 1, 0, "xt.x", "xt.t")
    ut = g.derivative("ut", 3, 0, u, "xt.t")
    uxx = g.derivative("uxx", 3, 1, u, "xt.x", order=2)
    diffusion = g.op("nu_uxx", "scale", 4, 1, uxx, factor=nu)
    res = g.op("res", "sub", 5, 0, ut, diffusion)
    g.constraint("pde", 6, 0, res)
    u0 = g.call("ui", net, 1, 3, "xt0.x", "xt0.t")
    pix0 = g.op("pix0", "scale", 1, 4, "xt0.x", factor=PI)
    sin0 = g.op("sin0", "math", 2, 4, pix0, function="sin")
    ires = g.op("ires", "sub", 3, 3, u0, sin0)
    g.constraint("ic", 6, 3, ires, weight=10.0)
    ub = g.call("ub", net, 1, 5, "xtb.x", "xtb.t")
    g.constraint("bc", 6, 5, ub, weight=10.0)
    geometry = {
        "dimension": 1,
        "primitives": [{"id": "rod", "type": "interval", "x": [0, 1]}],
        "csg": "rod",
        "tags": [],
        "mesh_size": 1 / 32,
        "sampling": {},
        "time": {"t0": 0, "t1": 1, "steps": 33},
    }
    return document(
        "Heat equation in 1-D",
        "u_t = 0.1 u_xx on [0, 1] × [0, 1]; u(x, 0) = sin(πx); u(0, t) = u(1, t) = 0; "
        "exact u = exp(−0.1 π² t) sin(πx).",
        geometry,
        g,
        [adam_phase(20000, 5e-3, 1e-5)],
    )


KAPPA = 0.5  # the diffusion coefficient the inverse example recovers


def inverse_parameter() -> dict[str, Any]:
    """Identify the diffusion coefficient κ of −κ u'' = f from observations of u."""
    g = GraphBuilder()
    g.node("xs", "variables", 0, 0, tag="interior")
    net = mlp(g, 1, 32, 3, row=4)
    g.node("kappa", "parameter", 0, 2, size=1, init=1.0, name="kappa")
    u = g.call("u", net, 1, 0, "xs.x")
    uxx = g.derivative("uxx", 3, 0, u, "xs.x", order=2)
    flux = g.op("k_uxx", "mul", 4, 0, "kappa.out", uxx)
    pix = g.op("pix", "scale", 1, 1, "xs.x", factor=PI)
    sinx = g.op("sinx", "math", 2, 1, pix, function="sin")
    source = g.op("f", "scale", 3, 1, sinx, factor=KAPPA * PI**2)
    res = g.op("res", "add", 5, 0, flux, source)
    g.constraint("pde", 6, 0, res)
    # the observations: u = sin(πx) at the interior points
    mismatch = g.op("mismatch", "sub", 4, 2, u, sinx)
    g.constraint("data", 6, 2, mismatch, weight=10.0)
    g.tracker("kappa_value", 2, 3, "kappa.out", interval=50)
    geometry = {
        "dimension": 1,
        "primitives": [{"id": "bar", "type": "interval", "x": [0, 1]}],
        "csg": "bar",
        "tags": [],
        "mesh_size": 1 / 64,
        "sampling": {},
        "time": None,
    }
    return document(
        "Inverse problem: a diffusion coefficient",
        f"Find κ in −κ u'' = f on [0, 1] with f = {KAPPA}·π² sin(πx), given observations "
        f"u = sin(πx): a trainable parameter κ (initially 1) and a network u minimise the "
        f"PDE residual and the data misfit; the exact κ is {KAPPA}. A tracker logs κ.",
        geometry,
        g,
        [adam_phase(3000, 1e-2, 1e-4)],
    )


def burgers_1d() -> dict[str, Any]:
    """Viscous Burgers' equation with a sine initial condition (a shock forms at x = 0)."""
    nu = 0.01 / PI
    g = GraphBuilder()
    g.node("xt", "variables", 0, 0, tag="interior")
    g.node("xt0", "variables", 0, 3, tag="initial")
    g.node("xtb", "variables", 0, 5, tag="boundary")
    net = mlp(g, 2, 32, 4, row=7)
    u = g.call("u", net, 1, 0, "xt.x", "xt.t")
    ut = g.derivative("ut", 3, 0, u, "xt.t")
    ux = g.derivative("ux", 3, 1, u, "xt.x")
    uxx = g.derivative("uxx", 3, 2, u, "xt.x", order=2)
    advection = g.op("u_ux", "mul", 4, 1, u, ux)
    diffusion = g.op("nu_uxx", "scale", 4, 2, uxx, factor=nu)
    lhs = g.op("ut_adv", "add", 5, 0.5, ut, advection)
    res = g.op("res", "sub", 6, 1, lhs, diffusion)
    g.constraint("pde", 7, 1, res)
    u0 = g.call("ui", net, 1, 3, "xt0.x", "xt0.t")
    pix0 = g.op("pix0", "scale", 1, 4, "xt0.x", factor=PI)
    sin0 = g.op("sin0", "math", 2, 4, pix0, function="sin")
    ires = g.op("ires", "add", 3, 3, u0, sin0)
    g.constraint("ic", 7, 3, ires, weight=10.0)
    ub = g.call("ub", net, 1, 5, "xtb.x", "xtb.t")
    g.constraint("bc", 7, 5, ub, weight=10.0)
    geometry = {
        "dimension": 1,
        "primitives": [{"id": "line", "type": "interval", "x": [-1, 1]}],
        "csg": "line",
        "tags": [],
        "mesh_size": 1 / 128,
        "sampling": {},
        "time": {"t0": 0, "t1": 1, "steps": 51},
    }
    return document(
        "Burgers' equation in 1-D",
        "u_t + u u_x = (0.01/π) u_xx on [−1, 1] × [0, 1]; u(x, 0) = −sin(πx); "
        "u(±1, t) = 0. A steep front forms at x = 0.",
        geometry,
        g,
        [adam_phase(20000, 5e-3, 1e-5)],
    )


EXAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "laplace_lshape": laplace_lshape,
    "heat_1d": heat_1d,
    "inverse_parameter": inverse_parameter,
    "burgers_1d": burgers_1d,
}


def build_examples() -> dict[str, dict[str, Any]]:
    """Every generated example: file stem -> document (each one validated).

    Raises:
        ValueError: an example does not validate (a bug in this script).
    """
    out = {}
    for stem, make in EXAMPLES.items():
        doc = make()
        problems = validate(doc)
        if problems:
            raise ValueError(f"{stem}: {problems}")
        out[stem] = doc
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or with `--check`, compare) the generated examples; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to")
    args = parser.parse_args(argv)
    stale = []
    for stem, doc in build_examples().items():
        path = args.out / f"{stem}.jnolab"
        if args.check:
            if not path.exists() or load(path) != json.loads(json.dumps(doc)):
                stale.append(path.name)
        else:
            save(doc, path)
            print(f"wrote {path}")
    if stale:
        print(f"stale: {', '.join(stale)}; run examples/make_examples.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
