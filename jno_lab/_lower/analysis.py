"""Static analysis of an expression DAG before lowering.

- merges structurally equal sub-expressions (CSE) into one canonical node each;
- fuses `u.d(x).d(x) + u.d(y).d(y) + ...` into one Laplacian node;
- decides the *level* of every node: CONST (no point axes), INSTANCE (per problem
  instance), POINT (per point of one domain tag: runs inside the vmapped
  per-point function) or GLOBAL (runs on whole arrays);
- collects the trainables (models, parameters) and the domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._trace._ops import is_pointwise
from .._trace.nodes import (
    CoordinateOperator,
    Derivative,
    FunctionCall,
    Laplacian,
    ModelCall,
    Noise,
    Op,
    ParamJacobian,
    Placeholder,
    TensorTag,
    Tracker,
    Variable,
)
from .._trace.parameter import Parameter


@dataclass(frozen=True)
class Level:
    """Where a node is evaluated; `tag` is set for POINT."""

    kind: str  # "const" | "instance" | "point" | "global"
    tag: str | None = None

    def __str__(self) -> str:
        return f"point[{self.tag}]" if self.kind == "point" else self.kind


CONST = Level("const")
NOISE = Level("noise")  # per point, but with no points of its own until combined
INSTANCE = Level("instance")
GLOBAL = Level("global")


def point(tag: str) -> Level:
    return Level("point", tag)


class ExpressionError(ValueError):
    """A problem with an expression, found before or while it is lowered."""


def describe(node: Placeholder, limit: int = 80) -> str:
    """A one-line rendering of the expression under `node`, for messages."""
    text = render(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render(node: Placeholder) -> str:
    if isinstance(node, Op):
        from .._trace._ops import OPS

        args = [render(c) for c in node.children]
        symbol = OPS[node.op].symbol
        if symbol in ("+", "-", "*", "/", "**", "@", "<", ">", "<=", ">=") and len(args) == 2:
            return f"({args[0]} {symbol} {args[1]})"
        if node.op == "neg":
            return f"-{args[0]}"
        if node.op == "getitem":
            return f"{args[0]}[{_index_text(node.attr_dict['index'])}]"
        if node.op in ("mse", "mae", "rmse") and len(args) == 1:
            return f"{args[0]}.{node.op}"
        return f"{node.op}({', '.join(args)})"
    if isinstance(node, ModelCall):
        return f"{node.model.describe()}({', '.join(render(c) for c in node.children)})"
    if isinstance(node, CoordinateOperator):
        vars_ = ", ".join(v.label() for v in node.variables)
        kind = {"derivative": "d", "laplacian": "laplacian", "hessian": "hessian"}[node.kind]
        return f"{render(node.children[0])}.{kind}({vars_})"
    if isinstance(node, FunctionCall | Tracker):
        return f"{node.label()}({', '.join(render(c) for c in node.children)})"
    return node.label()


def _index_text(index: Any) -> str:
    parts = index if isinstance(index, tuple) and index[:1] != ("slice",) else (index,)
    out = []
    for p in parts:
        if p == "...":
            out.append("...")
        elif isinstance(p, tuple) and p[:1] == ("slice",):
            out.append(":".join("" if v is None else str(v) for v in p[1:3]))
        else:
            out.append(str(p))
    return ", ".join(out)


@dataclass
class Analysis:
    """The result of analysing root expressions (see module docstring)."""

    roots: list[Placeholder]
    levels: dict[tuple, Level] = field(default_factory=dict)
    trainables: list[Any] = field(default_factory=list)
    domains: list[Any] = field(default_factory=list)


def canonicalize(roots: Sequence[Placeholder]) -> list[Placeholder]:
    """Return the roots rebuilt so that equal sub-expressions are one shared node."""
    canon: dict[tuple, Placeholder] = {}
    for root in roots:
        for node in _postorder(root):
            canon.setdefault(node.key, node)
    return [_fuse_laplacians(canon[r.key], canon) for r in roots]


def _postorder(root: Placeholder) -> Iterable[Placeholder]:
    seen: set[int] = set()
    out: list[Placeholder] = []
    stack: list[tuple[Placeholder, bool]] = [(root, False)]
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


def _second_derivative(node: Placeholder) -> tuple[Placeholder, Variable, str] | None:
    if isinstance(node, Derivative) and len(node.variables) == 2:
        a, b = node.variables
        if a.key == b.key:
            return node.target, a, node.scheme
    return None


def _fuse_laplacians(root: Placeholder, canon: dict[tuple, Placeholder]) -> Placeholder:
    """Rewrite sums of pure second derivatives of one target into a Laplacian node."""
    memo: dict[int, Placeholder] = {}

    def visit(node: Placeholder) -> Placeholder:
        if id(node) in memo:
            return memo[id(node)]
        terms = _sum_terms(node)
        result = node
        if len(terms) >= 2:
            parts = [_second_derivative(t) for t in terms]
            if all(parts):
                targets = {p[0].key for p in parts}  # type: ignore[index]
                schemes = {p[2] for p in parts}  # type: ignore[index]
                variables = [p[1] for p in parts]  # type: ignore[index]
                if (
                    len(targets) == 1
                    and len(schemes) == 1
                    and len({v.key for v in variables}) == len(variables)
                ):
                    target = visit(parts[0][0])  # type: ignore[index]
                    fused = Laplacian(target, tuple(variables), schemes.pop())
                    result = canon.setdefault(fused.key, fused)
        if result is node and node.children:
            children = tuple(visit(canon.get(c.key, c)) for c in node.children)
            if any(n is not o for n, o in zip(children, node.children, strict=True)):
                result = node.with_children(children)
                canon[result.key] = result  # the rebuilt node, with canonical children
        memo[id(node)] = result
        return result

    return visit(root)


def _sum_terms(node: Placeholder) -> list[Placeholder]:
    if isinstance(node, Op) and node.op == "add":
        return _sum_terms(node.children[0]) + _sum_terms(node.children[1])
    return [node]


def analyse(roots: Sequence[Placeholder]) -> Analysis:
    """Decide levels, collect trainables and domains (roots must be canonical)."""
    result = Analysis(list(roots))
    seen_trainables: dict[int, Any] = {}
    seen_domains: dict[int, Any] = {}
    for root in roots:
        for node in _postorder(root):
            if node.key in result.levels:
                continue
            result.levels[node.key] = _level(node, result.levels)
            owner = node.model if isinstance(node, ModelCall) else node
            if isinstance(owner, Parameter) or isinstance(node, ModelCall):
                seen_trainables.setdefault(id(owner), owner)
            if isinstance(node, Variable | TensorTag) and node.domain is not None:
                seen_domains.setdefault(id(node.domain), node.domain)
    result.trainables = list(seen_trainables.values())
    result.domains = list(seen_domains.values())
    return result


def _combine(node: Placeholder, levels: list[Level]) -> Level:
    tags = {lv.tag for lv in levels if lv.kind == "point" and lv.tag is not None}
    if len(tags) > 1:
        raise ExpressionError(
            f"`{describe(node)}` combines points of different domain tags "
            f"({', '.join(sorted(str(t) for t in tags))}) point by point; each tag has its own "
            "points, so reduce each part separately (e.g. a.mse + b.mse)"
        )
    if tags:
        return point(tags.pop())
    if any(lv.kind == "noise" for lv in levels):
        return NOISE
    if any(lv.kind == "instance" for lv in levels):
        return INSTANCE
    return CONST


def _level(node: Placeholder, levels: dict[tuple, Level]) -> Level:
    child_levels = [levels[c.key] for c in node.children]
    if isinstance(node, Variable):
        return point(node.tag)
    if isinstance(node, TensorTag):
        return INSTANCE
    if isinstance(node, Noise):
        return NOISE
    if not node.children:
        return CONST
    if isinstance(node, Tracker | ParamJacobian):
        return GLOBAL
    if isinstance(node, CoordinateOperator):
        target_level = child_levels[0]
        tags = {v.tag for v in node.variables}
        if len(tags) > 1:
            raise ExpressionError(
                f"`{describe(node)}` differentiates with respect to coordinates of different tags "
                f"({', '.join(sorted(tags))}); use the coordinates the target is built from"
            )
        (tag,) = tags
        if target_level.kind == "global":
            raise ExpressionError(
                f"cannot take coordinate derivatives of `{describe(node.children[0])}`: it is not "
                "a per-point expression (it contains a reduction or a whole-array operation)"
            )
        if target_level.kind == "point" and target_level.tag != tag:
            raise ExpressionError(
                f"`{describe(node)}`: the expression lives on tag {target_level.tag!r} but is "
                f"differentiated with respect to a coordinate of tag {tag!r}"
            )
        return point(tag)
    if any(lv.kind == "global" for lv in child_levels):
        return GLOBAL
    if isinstance(node, Op):
        pointwise = is_pointwise(node.op, node.attr_dict)
        if pointwise is False:
            return GLOBAL
        return _combine(node, child_levels)
    if isinstance(node, FunctionCall):
        return GLOBAL if node.reduces_axis is not None else _combine(node, child_levels)
    if isinstance(node, ModelCall):
        if not node.model.pointwise:
            return GLOBAL
        return _combine(node, child_levels)
    raise ExpressionError(f"unsupported expression node {type(node).__name__}")


def single_domain(analysis: Analysis, what: str) -> Any:
    """The one domain the expressions use; a clear error when there are several."""
    if len(analysis.domains) > 1:
        raise ExpressionError(
            f"{what} uses variables from {len(analysis.domains)} different domains; variables of "
            "one problem must come from one domain (combine geometries with | & - ^ or "
            "jno.domain.stack)"
        )
    return analysis.domains[0] if analysis.domains else None
