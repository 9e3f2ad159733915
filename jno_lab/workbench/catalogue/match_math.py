"""How arithmetic, math, derivative and custom-function nodes recognise their expressions.

Each function here is (or makes) a `NodeType.match` of `nodes_math`: the
inverse of that node type's emitter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...introspect import (
    Constant,
    Derivative,
    FunctionCall,
    Hessian,
    Laplacian,
    Op,
    Placeholder,
    Variable,
)
from .. import emit
from .._import_function import (
    ARG_NAMES,
    FOLDABLE_OPS,
    function_expression,
    number_text,
    op_expression,
)
from .matching import Match, MatchContext, clean_float, is_global, refuse
from .types import Matcher


def _scale_factor(node: Any, ctx: MatchContext) -> float | None:
    """`c` when `node` is `c * a` with a scalar constant `c` used only here (a Scale node)."""
    if not (isinstance(node, Op) and node.op == "mul"):
        return None
    factor = node.children[0]
    if not isinstance(factor, Constant) or ctx.shared(factor) or factor.value.ndim != 0:
        return None
    if not np.isfinite(factor.value):
        return None
    return clean_float(factor.value)


def match_scale(node: Any, ctx: MatchContext) -> Match | None:
    """`c * a` -> Scale(factor=c)."""
    factor = _scale_factor(node, ctx)
    if factor is None:
        return None
    return Match({"factor": factor}, {"a": node.children[1]}, name="scale")


def match_binary(op: str) -> Matcher:
    """`a <op> b` -> the binary node `op` (a product that is a Scale node is not a `mul`)."""

    def match(node: Any, ctx: MatchContext) -> Match | None:
        if not (isinstance(node, Op) and node.op == op and len(node.children) == 2):
            return None
        if _scale_factor(node, ctx) is not None:
            return None
        a, b = node.children
        return Match({}, {"a": a, "b": b}, name=op)

    return match


def match_unary(functions: Sequence[str], node_type: str, key: str | None) -> Matcher:
    """`f(a)` for the `functions` -> the node (its `key` parameter names `f`, if any)."""

    def match(node: Any, ctx: MatchContext) -> Match | None:
        if not (isinstance(node, Op) and node.op in functions):
            return None
        params = {} if key is None else {key: node.op}
        return Match(params, {"a": node.children[0]}, name=node_type)

    return match


def match_concat(node: Any, ctx: MatchContext) -> Match | None:
    """`jno.np.concat([a, b, ...], axis=-1)` of 2 to 8 per-point values."""
    if not (isinstance(node, Op) and node.op == "concat"):
        return None
    children = node.children
    if node.attr_dict.get("axis", -1) != -1 or not 2 <= len(children) <= 8:
        return None
    if any(is_global(c) for c in children):
        raise refuse(node, "concatenating whole-array values has no node type")
    inputs = {f"in{i + 1}": child for i, child in enumerate(children)}
    return Match({"inputs": len(children)}, inputs, name="concat")


def scheme_params(node: Placeholder, scheme: str, schemes: Sequence[str]) -> dict[str, Any]:
    """The node's `scheme` parameter (left out when it is the default)."""
    if scheme not in schemes:
        raise refuse(node, f"scheme {scheme!r} is not one of the workbench's")
    return {} if scheme == schemes[0] else {"scheme": scheme}


def match_derivative(schemes: Sequence[str]) -> Matcher:
    """`u.d(x)...`: one node per run of equal variables (at most order 4), chained.

    `u.d(x).d(x)` and a Derivative node of order 2 lower to the same folded node;
    it comes back in the form a document writes, with the nodes' `order`.
    """

    def match(node: Any, ctx: MatchContext) -> Match | None:
        if not isinstance(node, Derivative):
            return None
        variables = node.variables
        if len(variables) == 2 and variables[0].key != variables[1].key:
            return None  # a mixed derivative
        params = scheme_params(node, node.scheme, schemes)
        runs: list[tuple[Variable, int]] = []
        for var in variables:
            if runs and runs[-1][0].key == var.key and runs[-1][1] < 4:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((var, 1))
        out: Any = node.target
        for var, order in runs:
            inputs = {"target": out, "variable": var}
            out = Match({"order": order, **params}, inputs, name="derivative")
        return out

    return match


def match_mixed(schemes: Sequence[str]) -> Matcher:
    """`u.d(x).d(y)` for two different variables."""

    def match(node: Any, ctx: MatchContext) -> Match | None:
        if not (isinstance(node, Derivative) and len(node.variables) == 2):
            return None
        first, second = node.variables
        if first.key == second.key:
            return None
        params = scheme_params(node, node.scheme, schemes)
        inputs = {"target": node.target, "first": first, "second": second}
        return Match(params, inputs, name="mixed_derivative")

    return match


def match_second_order(kind: str, schemes: Sequence[str]) -> Matcher:
    """`u.laplacian(...)` or `u.hessian(...)` over 1 to 3 variables."""
    cls = Laplacian if kind == "laplacian" else Hessian

    def match(node: Any, ctx: MatchContext) -> Match | None:
        if not isinstance(node, cls):
            return None
        if len(node.variables) > 3:
            raise refuse(
                node, f"a {kind} over {len(node.variables)} variables; the node takes 1 to 3"
            )
        params = {"dims": len(node.variables), **scheme_params(node, node.scheme, schemes)}
        inputs: dict[str, Any] = {"target": node.target}
        for i, var in enumerate(node.variables):
            inputs[f"var{i + 1}"] = var
        return Match(params, inputs, name=kind)

    return match


def match_function(node: Any, ctx: MatchContext) -> Match | None:
    """A `jno.fn` call with a source expression, or elementwise ops without a node type."""
    if isinstance(node, FunctionCall):
        hint = "build it from jno.np operations (jno.np.sin, +, *, .d(x), ...) instead"
        if node.reduces_axis is not None:
            raise refuse(node, "a function reducing over an axis has no node type", hint)
        expression, why = function_expression(node.fn, len(node.children))
        if expression is None:
            raise refuse(
                node,
                f"the Python function {node.name!r} has no source expression a document can "
                f"hold ({why})",
                hint,
            )
        name = "" if node.name == "<lambda>" else node.name
        return _function(expression, list(node.children), name, node)
    if isinstance(node, Op) and node.op in FOLDABLE_OPS:
        return _folded(node, ctx)
    return None


def _function(expression: str, inputs: list[Placeholder], name: str, node: Placeholder) -> Match:
    if len(inputs) > 4:
        raise refuse(node, f"{len(inputs)} inputs; a Custom-function node takes 1 to 4")
    if not inputs:
        raise refuse(node, "a function of no expression input has no node type")
    params: dict[str, Any] = {"inputs": len(inputs), "expression": expression}
    try:
        emit.expression(expression, "expression", ARG_NAMES[: len(inputs)])
    except emit.UnsafeValue:
        params["code"] = True  # beyond the grammar: Python code, run once trusted
    if name:
        params["name"] = name
    ports = {f"in{i + 1}": arg for i, arg in enumerate(inputs)}
    return Match(params, ports, name=name or "function")


def _folded(node: Op, ctx: MatchContext) -> Match:
    """Elementwise ops without a node type, folded into one Custom-function node."""
    leaves: list[Placeholder] = []

    def text(n: Placeholder) -> str:
        if isinstance(n, Constant) and n.value.ndim == 0:
            return number_text(n.value.item())
        if isinstance(n, Op) and n.op in FOLDABLE_OPS and (n is node or not ctx.shared(n)):
            return op_expression(n.op, [text(c) for c in n.children])
        for i, leaf in enumerate(leaves):
            if leaf is n:
                return ARG_NAMES[i] if i < len(ARG_NAMES) else f"_{i}"
        leaves.append(n)
        i = len(leaves) - 1
        return ARG_NAMES[i] if i < len(ARG_NAMES) else f"_{i}"

    expression = text(node)
    if any(is_global(leaf) for leaf in leaves):
        raise refuse(
            node,
            f"{node.op!r} of a whole-array value has no node type",
            "apply it per point, before the loss",
        )
    return _function(expression, leaves, "", node)
