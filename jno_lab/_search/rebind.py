"""Private copies of a problem for one trial, so that trials can run side by side.

Models and parameters are mutable (a trial re-builds modules, attaches
optimizers and trains parameters), and expressions point at them. A trial
therefore works on shallow copies of the trainables and on expressions rebuilt
over those copies; the user's objects stay untouched until the sweep ends.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from .._trace.nodes import ModelCall, ParamJacobian, Placeholder
from .._trace.parameter import Parameter


def clone_trainable(trainable: Any) -> Any:
    """A shallow copy of a model or parameter (shares arrays, which are never mutated)."""
    clone = copy.copy(trainable)
    if isinstance(clone, Placeholder):
        clone._key = None  # a parameter's key holds its identity
    return clone


def rebind(
    roots: Sequence[Placeholder], trainables: Sequence[Any]
) -> tuple[list[Placeholder], list[Any]]:
    """`roots` rebuilt over fresh copies of `trainables`.

    Returns:
        The new roots (same order) and the copies (aligned with `trainables`).
    """
    clones = {id(t): clone_trainable(t) for t in trainables}
    memo: dict[int, Placeholder] = {}
    for node in _postorder(roots):
        if isinstance(node, Parameter) and id(node) in clones:
            memo[id(node)] = clones[id(node)]
            continue
        children = tuple(memo[id(c)] for c in node.children)
        changed = any(n is not o for n, o in zip(children, node.children, strict=True))
        if isinstance(node, ModelCall | ParamJacobian) and id(node.model) in clones:
            new = node.with_children(children)
            new.model = clones[id(node.model)]  # type: ignore[attr-defined]
            memo[id(node)] = new
        else:
            memo[id(node)] = node.with_children(children) if changed else node
    return [memo[id(r)] for r in roots], [clones[id(t)] for t in trainables]


def _postorder(roots: Sequence[Placeholder]) -> list[Placeholder]:
    """Every node below `roots`, children before parents, once each (no recursion)."""
    seen: set[int] = set()
    out: list[Placeholder] = []
    stack: list[tuple[Placeholder, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in node.children)
    return out
