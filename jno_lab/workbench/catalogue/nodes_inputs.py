"""Inputs: domain variables, constants, trainable parameters, noise."""

from __future__ import annotations

from .. import emit
from .types import EmitContext, NodeType, Port, choice, integer, number, schema, string


def _coordinate_names(document: dict) -> list[str]:
    geometry = document.get("geometry", {})
    names = ["x", "y"][: int(geometry.get("dimension", 2))]
    if geometry.get("time"):
        names.append("t")
    return names


def _variables(ctx: EmitContext) -> list[str]:
    names = _coordinate_names(ctx.document)
    if ctx.params.get("normals"):
        names += ["nx", "ny"][: int(ctx.document.get("geometry", {}).get("dimension", 2))]
    targets = [ctx.outputs.get(n, "_") for n in names]
    tag = ctx.params["tag"]
    sample = ctx.params.get("sample")
    if sample is None:
        sample = ctx.document.get("geometry", {}).get("sampling", {}).get(tag)
    args = [emit.string(tag, "tag")]
    if sample is not None:
        args.append(f"sample={emit.integer(sample, 'sample', minimum=1)}")
    if ctx.params.get("normals"):
        args.append("normals=True")
    lhs = f"({targets[0]},)" if len(targets) == 1 else ", ".join(targets)
    return [f"{lhs} = domain.variable({', '.join(args)})"]


def _constant(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = jno.np.constant({emit.number(ctx.params['value'], 'value')})"]


def _parameter(ctx: EmitContext) -> list[str]:
    p = ctx.params
    name = p.get("name") or ctx.node_id
    return [
        f"{ctx.outputs['out']} = jno.np.parameter(({emit.integer(p['size'], 'size', 1)},), "
        f"init={emit.number(p['init'], 'init')}, name={emit.string(name, 'name')})"
    ]


_NOISE_ARGS = {"gaussian": ("std", "mean"), "uniform": ("low", "high"), "laplace": ("scale", "loc")}


def _noise(ctx: EmitContext) -> list[str]:
    p = ctx.params
    distribution = emit.keyword(p["distribution"], _NOISE_ARGS, "distribution")
    first, second = _NOISE_ARGS[distribution]
    return [
        f"{ctx.outputs['out']} = jno.noise.{distribution}({first}={emit.number(p['a'], 'a')}, "
        f"{second}={emit.number(p['b'], 'b')}, ndim={emit.integer(p['ndim'], 'ndim', 1)})"
    ]


NODES = [
    NodeType(
        "variables",
        "Inputs",
        "Domain variables",
        "The coordinates (x, y and, with a time axis, t) of the points of one domain tag. "
        "With normals, also the outward unit normal (nx, ny) on a boundary tag.",
        (),
        (
            Port("x", "variable", "first coordinate"),
            Port("y", "variable", "second coordinate (2-D)"),
            Port("t", "variable", "time (with a time axis)"),
            Port("nx", "field", "normal, x component (normals on)"),
            Port("ny", "field", "normal, y component (normals on)"),
        ),
        schema(
            {
                "tag": string("interior", "domain tag: interior, boundary, or a named tag"),
                "sample": {
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "default": None,
                    "description": "number of points (default: the geometry's sampling)",
                },
                "normals": {"type": "boolean", "default": False, "description": "also normals"},
            },
            ("tag",),
        ),
        _variables,
    ),
    NodeType(
        "constant",
        "Inputs",
        "Constant",
        "A fixed number.",
        (),
        (Port("out", "field"),),
        schema({"value": number(1.0, "the value")}),
        _constant,
    ),
    NodeType(
        "parameter",
        "Inputs",
        "Trainable parameter",
        "A trainable number (or vector) identified from the constraints: inverse problems.",
        (),
        (Port("out", "field"),),
        schema(
            {
                "size": integer(1, "number of entries"),
                "init": number(0.0, "initial value"),
                "name": string("", "display name (default: the node id)"),
            }
        ),
        _parameter,
    ),
    NodeType(
        "noise",
        "Inputs",
        "Noise",
        "Random noise drawn anew every step at every point. Gaussian: a = std, b = mean; "
        "uniform: a = low, b = high; Laplace: a = scale, b = loc.",
        (),
        (Port("out", "field"),),
        schema(
            {
                "distribution": choice("gaussian", ["gaussian", "uniform", "laplace"]),
                "a": number(1.0, "std / low / scale"),
                "b": number(0.0, "mean / high / loc"),
                "ndim": integer(1, "values per point"),
            }
        ),
        _noise,
    ),
]
