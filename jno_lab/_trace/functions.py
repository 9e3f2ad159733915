"""Builders behind `jno.np` / `jno.fn`: math on expressions, losses, custom functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._operators import _op, as_node
from ._ops import UNARY_MATH
from .nodes import FunctionCall, Placeholder, Tracker


def _unary(name: str) -> Callable[[Any], Placeholder]:
    def f(x: Any) -> Placeholder:
        return _op(name, x)

    f.__name__ = name
    f.__doc__ = f"Elementwise `{name}` of an expression."
    return f


UNARY = {name: _unary(name) for name in UNARY_MATH}


def mean(x: Any, axis: int | tuple[int, ...] | None = None) -> Placeholder:
    """Mean over `axis` (all axes by default); `axis=-1` is per point over features."""
    return _op("mean", x, axis=axis)


def sum(x: Any, axis: int | tuple[int, ...] | None = None) -> Placeholder:
    """Sum over `axis` (all axes by default)."""
    return _op("sum", x, axis=axis)


def max(x: Any, axis: int | tuple[int, ...] | None = None) -> Placeholder:
    """Maximum over `axis` (all axes by default)."""
    return _op("max", x, axis=axis)


def min(x: Any, axis: int | tuple[int, ...] | None = None) -> Placeholder:
    """Minimum over `axis` (all axes by default)."""
    return _op("min", x, axis=axis)


def norm(x: Any, axis: int | None = None, ord: Any = None) -> Placeholder:
    """Vector/matrix norm over `axis` (all axes by default)."""
    return _op("norm", x, axis=axis, ord=ord)


def dot(a: Any, b: Any) -> Placeholder:
    """`jnp.dot(a, b)`."""
    return _op("dot", a, b)


def matmul(a: Any, b: Any) -> Placeholder:
    """`a @ b`."""
    return _op("matmul", a, b)


def transpose(a: Any) -> Placeholder:
    """Swap the last two axes."""
    return _op("transpose", a)


def concat(items: Sequence[Any], axis: int = -1) -> Placeholder:
    """Concatenate along `axis` (per point: the feature axis)."""
    return _op("concat", *items, axis=axis)


concatenate = concat


def stack(items: Sequence[Any], axis: int = -1) -> Placeholder:
    """Stack along a new `axis`."""
    return _op("stack", *items, axis=axis)


def where(condition: Any, a: Any, b: Any) -> Placeholder:
    """`a` where `condition` holds, else `b`."""
    return _op("where", condition, a, b)


def maximum(a: Any, b: Any) -> Placeholder:
    """Elementwise maximum."""
    return _op("maximum", a, b)


def minimum(a: Any, b: Any) -> Placeholder:
    """Elementwise minimum."""
    return _op("minimum", a, b)


def clip(a: Any, a_min: Any = None, a_max: Any = None) -> Placeholder:
    """Clip values to `[a_min, a_max]`."""
    low = -float("inf") if a_min is None else a_min
    high = float("inf") if a_max is None else a_max
    return _op("clip", a, low, high)


def arctan2(y: Any, x: Any) -> Placeholder:
    """Elementwise `arctan2(y, x)`."""
    return _op("arctan2", y, x)


def eigvalsh(a: Any) -> Placeholder:
    """Eigenvalues of a symmetric matrix (ascending)."""
    return _op("eigvalsh", a)


def constant(value: Any, name: str = "") -> Placeholder:
    """A constant array or number as an expression."""
    from .nodes import Constant

    return Constant(value, name=name)


def grad(target: Any, variable: Any, scheme: str = "automatic_differentiation") -> Placeholder:
    """∂target/∂variable; same as `target.d(variable, scheme=scheme)`."""
    return as_node(target).d(variable, scheme=scheme)


def laplacian(target: Any, variables: Sequence[Any], scheme: str = "automatic_differentiation"):
    """Sum of second derivatives of `target` over `variables`."""
    return as_node(target).laplacian(*variables, scheme=scheme)


def function(
    fn: Callable[..., Any],
    args: Sequence[Any] = (),
    name: str = "",
    reduces_axis: int | None = None,
) -> Placeholder:
    """Wrap a JAX function so it takes part in expressions (and is differentiated through).

    Example:
        >>> import jax.numpy as jnp, jno_lab as jno
        >>> f = jno.np.function(lambda a: jnp.exp(-a**2), [jno.np.constant(0.0)])
        >>> f.label()
        '<lambda>'
    """
    if isinstance(args, Placeholder):
        args = [args]
    return FunctionCall(fn, *(as_node(a) for a in args), name=name, reduces_axis=reduces_axis)


def tracker(expr: Any, interval: int = 1, name: str = "") -> Tracker:
    """Log `expr` every `interval` steps during training, without adding it to the loss."""
    return Tracker(as_node(expr), interval=interval, name=name)


def _pair(pred: Any, target: Any) -> Placeholder:
    return as_node(pred) if target is None else as_node(pred) - as_node(target)


def mse(pred: Any, target: Any = None) -> Placeholder:
    """Mean squared error of `pred - target` (or of `pred`)."""
    return _op("mse", _pair(pred, target))


def mae(pred: Any, target: Any = None) -> Placeholder:
    """Mean absolute error."""
    return _op("mae", _pair(pred, target))


def rmse(pred: Any, target: Any = None) -> Placeholder:
    """Root mean squared error."""
    return _op("rmse", _pair(pred, target))


def huber(pred: Any, target: Any = None, delta: float = 1.0) -> Placeholder:
    """Mean Huber loss with threshold `delta`."""
    return _op("huber", _pair(pred, target), delta=float(delta))


def log_cosh(pred: Any, target: Any = None) -> Placeholder:
    """Mean of log(cosh(pred - target))."""
    return _op("log_cosh", _pair(pred, target))


def relative_l2(pred: Any, target: Any) -> Placeholder:
    """‖pred - target‖₂ / ‖target‖₂ over every axis."""
    return _op("relative_l2", pred, target)
