"""Python operators and methods of expressions (`u + 1`, `u.d(x)`, `pde.mse`, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._trainable import Trainable
from ._schemes import check_scheme

if TYPE_CHECKING:
    from .nodes import Placeholder


@runtime_checkable
class MaskedTrainable(Protocol):
    """A model seen through a parameter mask (`net.mask(m)`), as `.grad(...)` reads it."""

    model: Any
    mask_tree: Any


def jacobian_target(model: Any) -> tuple[Trainable, Any]:
    """`(model, mask)` of `.grad(model)`'s argument: a model, or a masked model.

    Models are the trainables that are not expression nodes (parameters are).
    """
    from .nodes import Placeholder

    mask = None
    if isinstance(model, MaskedTrainable):
        model, mask = model.model, model.mask_tree
    if not isinstance(model, Trainable) or isinstance(model, Placeholder):
        raise TypeError(
            f".grad(...) takes a model from jno.nn.wrap (or model.mask(m)), got "
            f"{type(model).__name__}; for coordinate derivatives use .d(x)"
        )
    return model, mask


def as_node(value: Any) -> Placeholder:
    """Return `value` as an expression: expressions pass through, numbers become constants."""
    from .nodes import Constant, Placeholder

    if isinstance(value, Placeholder):
        return value
    try:
        return Constant(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"cannot use a {type(value).__name__} in an expression; "
            "expected an expression, a number or a numeric array"
        ) from None


def _op(name: str, *args: Any, **attrs: Any) -> Placeholder:
    from .nodes import Op

    return Op(name, *(as_node(a) for a in args), attrs=tuple(sorted(attrs.items())))


def _index_key(index: Any) -> Any:
    """A hashable, printable form of a `__getitem__` index."""
    if isinstance(index, tuple):
        return tuple(_index_key(i) for i in index)
    if isinstance(index, slice):
        return ("slice", index.start, index.stop, index.step)
    if index is Ellipsis:
        return "..."
    if index is None:
        return None
    if isinstance(index, int):
        return int(index)
    raise TypeError(
        f"expressions can be indexed with integers, slices, `...` and None; got "
        f"{type(index).__name__}. Use jno.np.where or a jno.fn function for fancy indexing."
    )


def _coordinate(var: Any, method: str) -> Any:
    from .nodes import Variable

    if not isinstance(var, Variable) or var.axis == "normal":
        shown = var.label() if hasattr(var, "label") else type(var).__name__
        raise TypeError(
            f"{method}: differentiate with respect to a coordinate from dom.variable(...) "
            f"(x, y, z or t); got {shown!r}"
        )
    return var


def _second_order(
    node_type: Any, target: Any, variables: tuple, scheme: str, method: str
) -> Placeholder:
    """Build a Laplacian/Hessian node; `variables` may also be given as one list."""
    if len(variables) == 1 and isinstance(variables[0], list | tuple):
        variables = tuple(variables[0])
    if not variables:
        raise TypeError(f"{method}() needs the coordinates, e.g. u{method}(x, y)")
    check_scheme(scheme, order=2)
    return node_type(target, tuple(_coordinate(v, method) for v in variables), scheme)


class OperatorMixin:
    """Operators shared by every expression node."""

    # -- arithmetic -------------------------------------------------------------
    def __add__(self, other: Any) -> Placeholder:
        return _op("add", self, other)

    def __radd__(self, other: Any) -> Placeholder:
        return _op("add", other, self)

    def __sub__(self, other: Any) -> Placeholder:
        return _op("sub", self, other)

    def __rsub__(self, other: Any) -> Placeholder:
        return _op("sub", other, self)

    def __mul__(self, other: Any) -> Placeholder:
        return _op("mul", self, other)

    def __rmul__(self, other: Any) -> Placeholder:
        return _op("mul", other, self)

    def __truediv__(self, other: Any) -> Placeholder:
        return _op("div", self, other)

    def __rtruediv__(self, other: Any) -> Placeholder:
        return _op("div", other, self)

    def __pow__(self, other: Any) -> Placeholder:
        return _op("pow", self, other)

    def __rpow__(self, other: Any) -> Placeholder:
        return _op("pow", other, self)

    def __neg__(self) -> Placeholder:
        return _op("neg", self)

    def __pos__(self) -> Placeholder:
        return self  # type: ignore[return-value]

    def __abs__(self) -> Placeholder:
        return _op("abs", self)

    def __matmul__(self, other: Any) -> Placeholder:
        return _op("matmul", self, other)

    def __rmatmul__(self, other: Any) -> Placeholder:
        return _op("matmul", other, self)

    def __lt__(self, other: Any) -> Placeholder:
        return _op("less", self, other)

    def __le__(self, other: Any) -> Placeholder:
        return _op("less_equal", self, other)

    def __gt__(self, other: Any) -> Placeholder:
        return _op("greater", self, other)

    def __ge__(self, other: Any) -> Placeholder:
        return _op("greater_equal", self, other)

    def __call__(self, *variables: Any) -> Placeholder:
        """The expression on other coordinates: `u(x0, y0, t0)` (see `substitute`)."""
        from .substitute import substitute

        return substitute(self, variables)  # type: ignore[arg-type]

    def __getitem__(self, index: Any) -> Placeholder:
        return _op("getitem", self, index=_index_key(index))

    @property
    def T(self) -> Placeholder:
        """The transpose of the last two axes."""
        return _op("transpose", self)

    # -- coordinate derivatives ---------------------------------------------------
    def d(self, var: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """First derivative with respect to the coordinate `var`; chainable.

        Example:
            >>> import jno_lab as jno
            >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
            >>> (x,) = dom.variable("interior")
            >>> (x * x).d(x).d(x).label()
            'd/dx[interior]dx[interior]'
        """
        from .nodes import Derivative

        var = _coordinate(var, ".d")
        check_scheme(scheme, order=1)
        if isinstance(self, Derivative) and self.scheme == scheme:
            return Derivative(self.target, (*self.variables, var), scheme)
        return Derivative(self, (var,), scheme)  # type: ignore[arg-type]

    def diff(self, *variables: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """Mixed derivative: `u.diff(x, y)` is ∂²u/∂x∂y, `u.diff(x)` is ∂u/∂x."""
        if not variables:
            raise TypeError(".diff() needs at least one coordinate, e.g. u.diff(x)")
        out: Any = self
        for var in variables:
            out = out.d(var, scheme=scheme)
        return out

    def d2(self, var: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """Second derivative ∂²u/∂var²."""
        return self.d(var, scheme).d(var, scheme)

    def dd(self, var: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """Second derivative ∂²u/∂var² (alias of `d2`)."""
        return self.d2(var, scheme)

    def laplacian(self, *variables: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """Sum of the second derivatives with respect to each of `variables`."""
        from .nodes import Laplacian

        return _second_order(Laplacian, self, variables, scheme, ".laplacian")

    def hessian(self, *variables: Any, scheme: str = "automatic_differentiation") -> Placeholder:
        """Matrix of second derivatives, features `(*F, k, k)` for k coordinates."""
        from .nodes import Hessian

        return _second_order(Hessian, self, variables, scheme, ".hessian")

    # -- parameter derivatives --------------------------------------------------------
    def grad(self, model: Any) -> Placeholder:
        """Jacobian w.r.t. a model's trainable parameters (`net` or `net.mask(m)`).

        Per point: shape `(B, N, P)`, or `(B, N, D, P)` for a `D`-vector output.
        """
        from .nodes import ModelCall, ParamJacobian

        model, mask = jacobian_target(model)
        if not any(isinstance(n, ModelCall) and n.model is model for n in self.walk()):  # type: ignore[attr-defined]
            raise ValueError(
                f"`.grad({model.describe()})`: the expression does not call model "
                f"{model.describe()!r}, so its Jacobian would be zero"
            )
        return ParamJacobian(self, model, mask)  # type: ignore[arg-type]

    # -- reductions and losses --------------------------------------------------
    @property
    def mse(self) -> Placeholder:
        """Mean of the squares over every axis: the usual residual loss."""
        return _op("mse", self)

    @property
    def mae(self) -> Placeholder:
        """Mean of the absolute values over every axis."""
        return _op("mae", self)

    @property
    def rmse(self) -> Placeholder:
        """Square root of the mean of the squares over every axis."""
        return _op("rmse", self)

    def mean(self, axis: int | tuple[int, ...] | None = None) -> Placeholder:
        """Mean over `axis` (all axes by default)."""
        return _op("mean", self, axis=axis)

    def sum(self, axis: int | tuple[int, ...] | None = None) -> Placeholder:
        """Sum over `axis` (all axes by default)."""
        return _op("sum", self, axis=axis)

    @property
    def stop_gradient(self) -> Placeholder:
        """The same value, treated as a constant by every gradient."""
        return _op("stop_gradient", self)

    def tracker(self, interval: int = 1, name: str = "") -> Placeholder:
        """Log this expression during training without adding it to the loss."""
        from .nodes import Tracker

        return Tracker(self, interval=interval, name=name)  # type: ignore[arg-type]
