"""The operation registry: what each `Op` name computes and whether it acts per point.

An op is *pointwise* when it can be evaluated on the feature array of one point
at a time (the lowering then runs it inside the per-point function, where
coordinate derivatives are taken). Everything else is *global* and runs on the
whole `(B, T, N, *F)` arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp


def _getitem(a: Any, *, index: Any) -> Any:
    return a[_rebuild_index(index)]


def _rebuild_index(key: Any) -> Any:
    if isinstance(key, tuple) and key and key[0] == "slice":
        return slice(*key[1:])
    if key == "...":
        return Ellipsis
    if isinstance(key, tuple):
        return tuple(_rebuild_index(k) for k in key)
    return key


def _concat(*items: Any, axis: int = -1) -> Any:
    arrays = tuple(jnp.atleast_1d(i) for i in items)
    parts: Sequence[jax.Array] = (
        jnp.broadcast_arrays(*arrays) if _needs_broadcast(arrays, axis) else arrays
    )
    return jnp.concatenate(parts, axis=axis)


def _needs_broadcast(items: tuple, axis: int) -> bool:
    shapes = [list(i.shape) for i in items]
    for s in shapes:
        del s[axis]
    return any(s != shapes[0] for s in shapes)


def _stack(*items: Any, axis: int = -1) -> Any:
    return jnp.stack(jnp.broadcast_arrays(*items), axis=axis)


def _mse(a: Any) -> Any:
    return jnp.mean(jnp.square(a))


def _mae(a: Any) -> Any:
    return jnp.mean(jnp.abs(a))


def _rmse(a: Any) -> Any:
    return jnp.sqrt(jnp.mean(jnp.square(a)))


def _huber(a: Any, *, delta: float = 1.0) -> Any:
    abs_a = jnp.abs(a)
    quadratic = 0.5 * jnp.square(a)
    linear = delta * (abs_a - 0.5 * delta)
    return jnp.mean(jnp.where(abs_a <= delta, quadratic, linear))


def _log_cosh(a: Any) -> Any:
    # log(cosh(a)) = |a| + log1p(exp(-2|a|)) - log 2, stable for large |a|
    abs_a = jnp.abs(a)
    return jnp.mean(abs_a + jnp.log1p(jnp.exp(-2.0 * abs_a)) - jnp.log(2.0))


def _relative_l2(pred: Any, target: Any) -> Any:
    # per-point scalars come as (B, T, N) or (B, T, N, 1): align them, never broadcast N x N
    if jnp.ndim(pred) == jnp.ndim(target) + 1 and jnp.shape(pred)[-1] == 1:
        pred = pred[..., 0]
    elif jnp.ndim(target) == jnp.ndim(pred) + 1 and jnp.shape(target)[-1] == 1:
        target = target[..., 0]
    return jnp.sqrt(jnp.sum(jnp.square(pred - target)) / jnp.sum(jnp.square(target)))


def _transpose(a: Any) -> Any:
    return jnp.swapaxes(a, -1, -2) if jnp.ndim(a) >= 2 else a


def _rows(a: Any) -> Any:
    return jnp.reshape(a, (-1, a.shape[-1]))


def _norm(a: Any, *, axis: Any = None, ord: Any = None) -> Any:
    return jnp.linalg.norm(a, ord=ord, axis=axis)


@dataclass(frozen=True)
class OpSpec:
    """What an op computes (`fn(*operands, **attrs)`) and how it maps over points.

    `kind` is "elementwise" (always pointwise), "feature" (pointwise when every
    operand is a per-point value), "axis" (pointwise only with `axis=-1`),
    "index" (like "feature": `u[0]` and `u[..., 0]` pick feature 0 of a per-point
    value, while on a global array `J[0]` indexes its first axis) or "reduce" (global).
    """

    fn: Callable[..., Any]
    kind: str
    symbol: str = ""


def _elementwise(fn: Callable[..., Any], symbol: str = "") -> OpSpec:
    return OpSpec(fn, "elementwise", symbol)


OPS: dict[str, OpSpec] = {
    "add": _elementwise(jnp.add, "+"),
    "sub": _elementwise(jnp.subtract, "-"),
    "mul": _elementwise(jnp.multiply, "*"),
    "div": _elementwise(jnp.divide, "/"),
    "pow": _elementwise(jnp.power, "**"),
    "neg": _elementwise(jnp.negative, "-"),
    "less": _elementwise(jnp.less, "<"),
    "less_equal": _elementwise(jnp.less_equal, "<="),
    "greater": _elementwise(jnp.greater, ">"),
    "greater_equal": _elementwise(jnp.greater_equal, ">="),
    "stop_gradient": _elementwise(jax.lax.stop_gradient),
    "where": _elementwise(jnp.where),
    "maximum": _elementwise(jnp.maximum),
    "minimum": _elementwise(jnp.minimum),
    "clip": _elementwise(jnp.clip),
    "getitem": OpSpec(_getitem, "index"),
    "concat": OpSpec(_concat, "axis"),
    "stack": OpSpec(_stack, "axis"),
    "transpose": OpSpec(_transpose, "feature", ".T"),
    "matmul": OpSpec(jnp.matmul, "feature", "@"),
    "dot": OpSpec(jnp.dot, "feature"),
    "eigvalsh": OpSpec(jnp.linalg.eigvalsh, "feature"),
    "mean": OpSpec(jnp.mean, "axis"),
    "sum": OpSpec(jnp.sum, "axis"),
    "max": OpSpec(jnp.max, "axis"),
    "min": OpSpec(jnp.min, "axis"),
    "norm": OpSpec(_norm, "axis"),
    "rows": OpSpec(_rows, "reduce"),  # (..., P) -> (rows, P): Jacobians as matrices
    "mse": OpSpec(_mse, "reduce"),
    "mae": OpSpec(_mae, "reduce"),
    "rmse": OpSpec(_rmse, "reduce"),
    "huber": OpSpec(_huber, "reduce"),
    "log_cosh": OpSpec(_log_cosh, "reduce"),
    "relative_l2": OpSpec(_relative_l2, "reduce"),
}

UNARY_MATH = {
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tan": jnp.tan,
    "exp": jnp.exp,
    "log": jnp.log,
    "log1p": jnp.log1p,
    "expm1": jnp.expm1,
    "sqrt": jnp.sqrt,
    "abs": jnp.abs,
    "sign": jnp.sign,
    "square": jnp.square,
    "tanh": jnp.tanh,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "arcsin": jnp.arcsin,
    "arccos": jnp.arccos,
    "arctan": jnp.arctan,
    "arcsinh": jnp.arcsinh,
    "arccosh": jnp.arccosh,
    "arctanh": jnp.arctanh,
    "sigmoid": jax.nn.sigmoid,
    "softplus": jax.nn.softplus,
    "relu": jax.nn.relu,
}
OPS.update({name: _elementwise(fn) for name, fn in UNARY_MATH.items()})
OPS["arctan2"] = _elementwise(jnp.arctan2)


def is_pointwise(op: str, attrs: dict[str, Any]) -> bool | None:
    """True/False when the op alone decides; None for "feature" ops (decided by operands)."""
    kind = OPS[op].kind
    if kind == "elementwise":
        return True
    if kind == "reduce":
        return False
    if kind == "axis":
        return attrs.get("axis", -1 if op in ("concat", "stack") else None) == -1
    return None  # "feature" and "index": per point when the operands are per point


def apply(op: str, operands: list[Any], attrs: dict[str, Any]) -> Any:
    """Compute `op` on JAX arrays."""
    return OPS[op].fn(*operands, **attrs)
