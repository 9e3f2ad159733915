"""Readable expression trees, with or without shapes (`print_tree`, `print_shapes`)."""

from __future__ import annotations

from typing import Any

import jax

from .._lower.analysis import Level, render
from .._trace.nodes import Placeholder


def _lines(node: Placeholder, levels: dict[tuple, Level], shapes: dict[tuple, Any] | None,
           prefix: str, last: bool, out: list[str], seen: set[tuple]) -> None:  # fmt: skip
    branch = "└─ " if last else "├─ "
    text = node.label() if node.children else render(node)
    if node.kind == "op":
        text = node.label()
    note = f"  [{levels.get(node.key, '')}]" if levels.get(node.key) else ""
    if shapes is not None and node.key in shapes:
        note += f"  {shapes[node.key]}"
    shared = node.key in seen and bool(node.children)
    out.append(f"{prefix}{branch}{text}{note}{'  (shared)' if shared else ''}")
    if shared:
        return
    seen.add(node.key)
    child_prefix = prefix + ("   " if last else "│  ")
    for i, child in enumerate(node.children):
        _lines(child, levels, shapes, child_prefix, i == len(node.children) - 1, out, seen)


def format_tree(roots: list[Placeholder], levels: dict, shapes: dict | None = None) -> str:
    out: list[str] = []
    seen: set[tuple] = set()
    for i, root in enumerate(roots):
        out.append(f"[{i}] {render(root)}")
        _lines(root, levels, shapes, "", True, out, seen)
    return "\n".join(out)


def print_tree(roots: list[Placeholder], levels: dict) -> str:
    text = format_tree(roots, levels)
    print(text)
    return text


def print_shapes(program: Any, data: dict) -> str:
    """Trace the program abstractly and print each node's shape."""
    shapes: dict[tuple, Any] = {}
    evaluator = program.evaluator
    original_point, original_global = evaluator.point_value, evaluator.global_value

    def point_value(node: Placeholder, ctx: Any) -> Any:
        value = original_point(node, ctx)
        shapes.setdefault(node.key, f"per point {tuple(value.shape)}")
        return value

    def global_value(node: Placeholder, ctx: Any) -> Any:
        value = original_global(node, ctx)
        shapes[node.key] = tuple(value.shape)
        return value

    evaluator.point_value, evaluator.global_value = point_value, global_value
    try:
        jax.eval_shape(program.__call__, program.initial_params(), data)
    finally:
        evaluator.point_value, evaluator.global_value = original_point, original_global
    text = format_tree(program.roots, program.levels, shapes)
    print(text)
    return text
