"""Inputs: domain variables, constants, trainable parameters, noise."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...introspect import Constant, Noise, Parameter, Variable
from .. import emit
from .matching import Match, MatchContext, clean_float, refuse
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


def _match_variables(var: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(var, Variable):
        return None
    if var.domain is not ctx.domain:
        raise refuse(var, "it belongs to another domain than the solver's")
    if var.dim > 1:
        raise refuse(var, "the workbench has 1-D and 2-D geometries only")
    params: dict[str, Any] = {"tag": var.tag}
    if var.axis == "temporal":
        output = "t"
    elif var.axis == "normal":
        params["normals"] = True
        output = ("nx", "ny")[var.dim]
    else:
        output = ("x", "y")[var.dim]
    return Match(params, output=output, name=var.tag, share=("variables", var.tag))


def scalar(node: Constant) -> float | None:
    """The value of a finite scalar constant, else None."""
    if node.value.ndim != 0:
        return None
    value = float(node.value.item())
    return value if np.isfinite(value) else None


def _match_constant(const: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(const, Constant):
        return None
    if scalar(const) is None:
        raise refuse(
            const,
            f"a constant of shape {const.value.shape}; the Constant node holds one finite number",
            "use scalar constants (one per value)",
        )
    return Match({"value": clean_float(const.value)}, name="const")


def _match_parameter(param: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(param, Parameter):
        return None
    value = np.asarray(param.value)
    if value.ndim != 1:
        raise refuse(
            param,
            f"a parameter of shape {value.shape}; the Trainable-parameter node is a vector",
            "use jno.np.parameter((n,), ...)",
        )
    init = clean_float(value[0])
    if not np.all(value == value[0]):
        ctx.notes.append(
            f"parameter {param.describe()!r} starts from {init} in every entry (its first "
            "entry); the document cannot hold other initial values"
        )
    name = param.name or "param"
    return Match({"size": int(value.size), "init": init, "name": name}, name=name)


def _match_noise(node: Any, ctx: MatchContext) -> Match | None:
    if not isinstance(node, Noise):
        return None
    first, second = _NOISE_ARGS[node.distribution]
    params = {
        "distribution": node.distribution,
        "a": float(node.params[first]),
        "b": float(node.params[second]),
        "ndim": int(node.ndim),
    }
    return Match(params, name="noise")


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
        match=_match_variables,
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
        match=_match_constant,
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
        match=_match_parameter,
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
        match=_match_noise,
    ),
]
