"""Arithmetic, math functions, coordinate derivatives and custom JAX functions."""

from __future__ import annotations

from .. import emit
from .match_math import (
    match_binary,
    match_concat,
    match_derivative,
    match_function,
    match_mixed,
    match_scale,
    match_second_order,
    match_unary,
)
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
    def emitter(ctx: EmitContext) -> list[str]:
        return [f"{ctx.outputs['out']} = {ctx.inputs['a']} {symbol} {ctx.inputs['b']}"]

    return emitter


def _neg(ctx: EmitContext) -> list[str]:
    return [f"{ctx.outputs['out']} = -{ctx.inputs['a']}"]


def _scale(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['out']} = {emit.number(ctx.params['factor'], 'factor')} * {ctx.inputs['a']}"
    ]


def _unary(ctx: EmitContext) -> list[str]:
    function = emit.keyword(ctx.params["function"], UNARY, "function")
    return [f"{ctx.outputs['out']} = jno.np.{function}({ctx.inputs['a']})"]


def _scheme_arg(ctx: EmitContext) -> str:
    scheme = ctx.params.get("scheme", SCHEMES[0])
    if scheme not in SCHEMES:
        raise emit.UnsafeValue("scheme", f"{scheme!r} is not one of {', '.join(SCHEMES)}")
    return "" if scheme == SCHEMES[0] else f", scheme={emit.string(scheme, 'scheme')}"


def _derivative(ctx: EmitContext) -> list[str]:
    call = "".join(
        f".d({ctx.inputs['variable']}{_scheme_arg(ctx)})"
        for _ in range(int(emit.integer(ctx.params["order"], "order", 1)))
    )
    return [f"{ctx.outputs['out']} = {ctx.inputs['target']}{call}"]


def _mixed(ctx: EmitContext) -> list[str]:
    s = _scheme_arg(ctx)
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.d({ctx.inputs['first']}{s})"
        f".d({ctx.inputs['second']}{s})"
    ]


def _coords(ctx: EmitContext) -> str:
    dims = int(emit.integer(ctx.params["dims"], "dims", 1))
    return ", ".join(ctx.inputs[f"var{i + 1}"] for i in range(dims))


def _laplacian(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.laplacian({_coords(ctx)}{_scheme_arg(ctx)})"
    ]


def _hessian(ctx: EmitContext) -> list[str]:
    return [
        f"{ctx.outputs['out']} = {ctx.inputs['target']}.hessian({_coords(ctx)}{_scheme_arg(ctx)})"
    ]


ARG_NAMES = ("a", "b", "c", "d")


def function_name(output: str) -> str:
    """The Python name of a custom-function node's function, from its output's name."""
    return f"_{output}_fn"


def _function(ctx: EmitContext) -> list[str]:
    n = int(emit.integer(ctx.params["inputs"], "inputs", 1))
    if n > len(ARG_NAMES):
        raise emit.UnsafeValue("inputs", f"at most {len(ARG_NAMES)} inputs")
    name = function_name(ctx.outputs["out"])
    args = ARG_NAMES[:n]
    inputs = ", ".join(ctx.inputs[f"in{i + 1}"] for i in range(n))
    label = ctx.params.get("name") or ctx.node_id
    text = ctx.params["expression"]
    if ctx.params.get("code"):
        body = code_body(text)  # code: runs only in a trusted document
    else:
        body = emit.expression(text, "expression", args, kind="function")
    return [
        f"def {name}({', '.join(args)}):\n    return {body}",
        f"{ctx.outputs['out']} = jno.fn({name}, [{inputs}], name={emit.string(label, 'name')})",
    ]


def code_body(text: object) -> str:
    """The text of a code-marked custom function, checked to be ONE Python expression.

    The text runs as Python (only in a trusted document), but it cannot change the
    program's shape: it must parse alone as an expression, on one line.
    """
    import ast

    if not isinstance(text, str) or not text.strip():
        raise emit.UnsafeValue("expression", "the code is empty")
    if any(not c.isprintable() for c in text):
        raise emit.UnsafeValue(
            "expression", "the code must be one line of printable characters (no line breaks)"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
        source = ast.unparse(tree)  # canonical: no comments, no line breaks
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        message = getattr(err, "msg", type(err).__name__)
        raise emit.UnsafeValue("expression", f"not a Python expression ({message})") from None
    return f"({source})"


def _concat(ctx: EmitContext) -> list[str]:
    count = int(emit.integer(ctx.params["inputs"], "inputs", 1))
    parts = ", ".join(ctx.inputs[f"in{i + 1}"] for i in range(count))
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
            match=match_binary(op),
        )
        for op, (symbol, title) in _BINARY.items()
    ),
    NodeType(
        "neg",
        "Arithmetic",
        "Negate",
        "-a",
        (Port("a", "field"),),
        _FIELD_OUT,
        schema({}),
        _neg,
        match=match_unary(["neg"], "neg", None),
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
        match=match_scale,
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
        match=match_unary(UNARY, "math", "function"),
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
        match=match_concat,
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
        match=match_derivative(SCHEMES),
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
        match=match_mixed(SCHEMES),
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
        match=match_second_order("laplacian", SCHEMES),
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
        match=match_second_order("hessian", SCHEMES),
    ),
    NodeType(
        "function",
        "Math",
        "Custom function",
        "An expression of the inputs a, b, c, d: numbers, arithmetic, comparisons and the "
        "math functions (sin, exp, where, ... also spelt jnp.sin), checked and rebuilt, never "
        "run as text. Turn on 'code' for any other Python expression: code runs only in a "
        "document you trust.",
        (Port("in*", "field"),),
        _FIELD_OUT,
        schema(
            {
                "inputs": integer(1, "number of inputs", maximum=4),
                "expression": string("a", "the returned expression"),
                "name": string("", "display name"),
                "code": {
                    "type": "boolean",
                    "default": False,
                    "description": "the expression is Python code beyond the expression "
                    "grammar: it runs only once the document is trusted",
                },
            }
        ),
        _function,
        code=True,
        dynamic_inputs="inputs",
        match=match_function,
    ),
]
