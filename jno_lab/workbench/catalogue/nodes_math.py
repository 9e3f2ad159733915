"""Arithmetic, math functions, coordinate derivatives and custom JAX functions."""

from __future__ import annotations

from .types import EmitContext, NodeType, Port, choice, integer, number, schema, string

_BINARY = {
    "add": ("+", "Add"),
    "sub": ("-", "Subtract"),
    "mul": ("*", "Multiply"),
    "div": ("/", "Divide"),
    "pow": ("**", "Power"),
}
UNARY = [
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "abs",
    "square",
    "tanh",
    "sinh",
    "cosh",
    "arcsin",
    "arccos",
    "arctan",
    "sigmoid",
    "softplus",
    "relu",
]
SCHEMES = [
    "automatic_differentiation",
    "automatic_differentiation:forward",
    "automatic_differentiation:reverse",
    "automatic_differentiation:fwd-over-rev",
    "automatic_differentiation:fwd-over-fwd",
    "automatic_differentiation:rev-over-rev",
    "automatic_differentiation:rev-over-fwd",
]


def _binary(symbol: str):
    def emit(ctx: EmitContext) -> list[str]:
        return [f"{ctx.outputs['out']} = {ctx.inputs['a']} {symbol} {ctx.inputs['b']}"]

    return emit


def _neg(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = -{ctx.inputs['a']}"]


def _scale(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = {float(ctx.params['factor'])!r} * {ctx.inputs['a']}"]


def _unary(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = jno.np.{ctx.params['function']}({ctx.inputs['a']})"]


def _scheme_arg(ctx: EmitContext) -> str:
    scheme = ctx.params.get("scheme", SCHEMES[0])
    return "" if scheme == SCHEMES[0] else f", scheme={scheme!r}"


def _derivative(ctx: EmitContext) -> list[str]:
    call = "".join(
        f".d({ctx.inputs['variable']}{_scheme_arg(ctx)})" for _ in range(int(ctx.params["order"]))
    )
    return [f"{ctx.outputs['out']} = {ctx.inputs['target']}{call}"]


def _mixed(ctx: EmitContext) -> list[str]:
    s = _scheme_arg(ctx)
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.d({ctx.inputs['first']}{s})"
        f".d({ctx.inputs['second']}{s})"
    ]


def _coords(ctx: EmitContext) -> str:
    return ", ".join(ctx.inputs[f"var{i + 1}"] for i in range(int(ctx.params["dims"])))


def _laplacian(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.laplacian({_coords(ctx)}{_scheme_arg(ctx)})"
    ]


def _hessian(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.hessian({_coords(ctx)}{_scheme_arg(ctx)})"
    ]


ARG_NAMES = ("a", "b", "c", "d")


def _function(ctx: EmitContext) -> list[str]:
    n = int(ctx.params["inputs"])
    name = f"_{ctx.outputs['out']}_fn"
    args = ", ".join(ARG_NAMES[:n])
    inputs = ", ".join(ctx.inputs[f"in{i + 1}"] for i in range(n))
    label = ctx.params.get("name") or ctx.node_id
    return [
        f"def {name}({args}):\n    return {ctx.params['expression']}",
        f"{ctx.outputs['out']} = jno.fn({name}, [{inputs}], name={label!r})",
    ]


def _concat(ctx: EmitContext) -> list[str]:
    parts = ", ".join(ctx.inputs[f"in{i + 1}"] for i in range(int(ctx.params["inputs"])))
    return [f"{ctx.outputs['out']} = jno.np.concat([{parts}], axis=-1)"]


_FIELD_OUT = (Port("out", "field"),)
_SCHEME = {"scheme": choice(SCHEMES[0], SCHEMES, "differentiation scheme")}

NODES = [
    *(
        NodeType(
            op,
            "Arithmetic",
            title,
            f"a {symbol} b",
            (Port("a", "field"), Port("b", "field")),
            _FIELD_OUT,
            schema({}),
            _binary(symbol),
        )
        for op, (symbol, title) in _BINARY.items()
    ),
    NodeType(
        "neg", "Arithmetic", "Negate", "-a", (Port("a", "field"),), _FIELD_OUT, schema({}), _neg
    ),
    NodeType(
        "scale",
        "Arithmetic",
        "Scale",
        "factor * a",
        (Port("a", "field"),),
        _FIELD_OUT,
        schema({"factor": number(1.0, "the factor")}),
        _scale,
    ),
    NodeType(
        "math",
        "Math",
        "Math function",
        "An elementwise function of a field.",
        (Port("a", "field"),),
        _FIELD_OUT,
        schema({"function": choice("sin", UNARY, "the function")}),
        _unary,
    ),
    NodeType(
        "concat",
        "Arithmetic",
        "Concatenate",
        "Join fields per point into one vector field (e.g. x and y into the coordinates a "
        "DeepONet trunk takes): scalars add one component, vector fields all of theirs.",
        (Port("in*", "field"),),
        _FIELD_OUT,
        schema({"inputs": integer(2, "number of inputs", minimum=2, maximum=8)}),
        _concat,
        dynamic_inputs="inputs",
    ),
    NodeType(
        "derivative",
        "Derivatives",
        "Derivative",
        "∂ⁿ target / ∂ variableⁿ.",
        (Port("target", "field"), Port("variable", "variable")),
        _FIELD_OUT,
        schema({"order": integer(1, "order n", maximum=4), **_SCHEME}),
        _derivative,
    ),
    NodeType(
        "mixed_derivative",
        "Derivatives",
        "Mixed derivative",
        "∂² target / ∂first ∂second.",
        (Port("target", "field"), Port("first", "variable"), Port("second", "variable")),
        _FIELD_OUT,
        schema(dict(_SCHEME)),
        _mixed,
    ),
    NodeType(
        "laplacian",
        "Derivatives",
        "Laplacian",
        "Sum of the second derivatives over the variables.",
        (Port("target", "field"), Port("var*", "variable")),
        _FIELD_OUT,
        schema({"dims": integer(2, "number of variables", maximum=3), **_SCHEME}),
        _laplacian,
        dynamic_inputs="dims",
    ),
    NodeType(
        "hessian",
        "Derivatives",
        "Hessian",
        "Matrix of second derivatives over the variables.",
        (Port("target", "field"), Port("var*", "variable")),
        _FIELD_OUT,
        schema({"dims": integer(2, "number of variables", maximum=3), **_SCHEME}),
        _hessian,
        dynamic_inputs="dims",
    ),
    NodeType(
        "function",
        "Math",
        "Custom function",
        "A JAX expression of the inputs a, b, c, d (jnp is jax.numpy). This is code: it runs "
        "only when the problem is run, never when the document is opened.",
        (Port("in*", "field"),),
        _FIELD_OUT,
        schema(
            {
                "inputs": integer(1, "number of inputs", maximum=4),
                "expression": string("a", "the returned JAX expression"),
                "name": string("", "display name"),
            }
        ),
        _function,
        code=True,
        dynamic_inputs="inputs",
    ),
]
