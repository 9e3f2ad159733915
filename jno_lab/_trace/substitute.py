"""Calling an expression on other coordinates: `u(x0, y0, t0)`.

Each argument replaces the coordinates of the same role in the expression: a
spatial coordinate replaces the one with the same dimension, a time variable the
time, a tensor tag the tensor of the same name. `u = net(x, y) * x` then
`u(xb, yb)` is `net(xb, yb) * xb`, including inside derivatives.
"""

from __future__ import annotations

from typing import Any

from .nodes import CoordinateOperator, Placeholder, TensorTag, Variable


def _role(node: Placeholder) -> tuple | None:
    if isinstance(node, Variable):
        return ("variable", node.axis, node.dim)
    if isinstance(node, TensorTag):
        return ("tensor", node.tag)
    return None


def substitute(expr: Placeholder, args: tuple[Any, ...]) -> Placeholder:
    """`expr` with its coordinates replaced by `args`, matched by role (see module docstring)."""
    mapping: dict[tuple, Placeholder] = {}
    for arg in args:
        role = _role(arg) if isinstance(arg, Placeholder) else None
        if role is None:
            shown = arg.label() if isinstance(arg, Placeholder) else type(arg).__name__
            raise TypeError(
                f"calling an expression substitutes its coordinates, e.g. u(x0, y0, t0); "
                f"arguments must be variables from dom.variable(...), got {shown!r}"
            )
        if role in mapping and mapping[role].key != arg.key:
            raise ValueError(f"two arguments replace the same coordinate: {arg.label()!r}")
        mapping[role] = arg
    memo: dict[int, Placeholder] = {}

    def visit(node: Placeholder) -> Placeholder:
        if id(node) in memo:
            return memo[id(node)]
        role = _role(node)
        if role is not None and role in mapping:
            result = mapping[role]
        elif node.children:
            children = tuple(visit(c) for c in node.children)
            result = node
            if any(n is not o for n, o in zip(children, node.children, strict=True)):
                result = node.with_children(children)
            if isinstance(node, CoordinateOperator):
                variables = tuple(visit(v) for v in node.variables)
                if result is node and any(
                    n is not o for n, o in zip(variables, node.variables, strict=True)
                ):
                    result = node.with_children(node.children)
                result.variables = variables  # type: ignore[attr-defined]
        else:
            result = node
        memo[id(node)] = result
        return result

    return visit(expr)
