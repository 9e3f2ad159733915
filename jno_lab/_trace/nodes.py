"""Expression nodes: the immutable DAG that constraints are built from.

Every node is a `Placeholder`. Nodes never change after construction; all
operators build new nodes. Each node has a structural `key` (kind, static
attributes, children's keys) so that equal sub-expressions are recognised and
evaluated once (common sub-expression elimination).

Value convention, used by the lowering: a *point* value is an array of shape
`(B, T, N, *F)` (problem instances, time steps, points, features); a *global*
value has any other shape (e.g. the scalar of a reduction).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np

from ._operators import OperatorMixin

_ids = itertools.count()


class DebugFlags:
    """Per-node debug printing: `expr.debug._shape = True`, `expr.debug._mean = True`."""

    __slots__ = ("_mean", "_shape")

    def __init__(self) -> None:
        self._shape = False
        self._mean = False

    @property
    def enabled(self) -> bool:
        return bool(self._shape or self._mean)


class Placeholder(OperatorMixin):
    """Base class of every expression node.

    Subclasses set `kind`, pass their children to `__init__` and return their
    static (hashable) attributes from `_static()`.
    """

    kind: str = "placeholder"
    __array_priority__ = 1000  # numpy arrays on the left defer to our operators

    def __init__(self, *children: Placeholder, name: str = "") -> None:
        for child in children:
            if not isinstance(child, Placeholder):
                raise TypeError(
                    f"{type(self).__name__}: expected expression arguments, got "
                    f"{type(child).__name__}; wrap constants with jno.np.constant(...)"
                )
        self.children: tuple[Placeholder, ...] = children
        self.name = name
        self.uid = next(_ids)
        self.debug = DebugFlags()
        self._key: tuple | None = None

    # -- identity -----------------------------------------------------------------
    def _static(self) -> tuple:
        return ()

    @property
    def key(self) -> tuple:
        """Structural key: equal keys mean equal values (CSE)."""
        if self._key is None:
            self._key = (self.kind, self._static(), tuple(c.key for c in self.children))
        return self._key

    def with_children(self, children: tuple[Placeholder, ...]) -> Placeholder:
        """A copy of this node over other children (same kind and attributes)."""
        clone = copy.copy(self)
        clone.children = children
        clone._key = None
        return clone

    def walk(self) -> Iterator[Placeholder]:
        """Yield every node of the DAG below (and including) this one, once each."""
        seen: set[int] = set()
        stack: list[Placeholder] = [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(node.children)

    def label(self) -> str:
        """A short human-readable description of this node (used in messages and trees)."""
        return self.name or self.kind

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label()}>"

    def __hash__(self) -> int:  # identity: `==` and `hash` keep their Python meaning
        return id(self)

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of expression {self.label()!r} is unknown until it is evaluated; "
            "use jno.np.where(condition, a, b) instead of Python `if`/`and`/`or`"
        )


class Variable(Placeholder):
    """A coordinate of the points of one domain tag.

    Args:
        tag: the domain tag whose points it reads ("interior", "boundary", ...).
        dim: which coordinate (0 = x, 1 = y, ...); for `axis="temporal"` always 0.
        domain: the domain that owns the tag.
        axis: "spatial" (a point coordinate), "temporal" (the time of the step),
            or "normal" (a component of the outward unit normal; not differentiable).
    """

    kind = "variable"
    AXES = ("spatial", "temporal", "normal")

    def __init__(self, tag: str, dim: int, domain: Any, axis: str = "spatial", name: str = ""):
        if axis not in self.AXES:
            raise ValueError(f"Variable axis must be one of {self.AXES}, got {axis!r}")
        if isinstance(dim, list | tuple):  # jNO passes dims as a one-element list
            (dim,) = dim
        super().__init__(name=name)
        self.tag = tag
        self.dim = int(dim)
        self._domain = domain
        self.axis = axis

    @property
    def domain(self) -> Any:
        return self._domain

    def _static(self) -> tuple:
        return (id(self._domain), self.tag, self.dim, self.axis)

    def label(self) -> str:
        if self.name:
            return self.name
        if self.axis == "temporal":
            return f"t[{self.tag}]"
        prefix = "n" if self.axis == "normal" else ""
        return f"{prefix}{'xyzw'[self.dim] if self.dim < 4 else self.dim}[{self.tag}]"


class TensorTag(Placeholder):
    """A per-instance array attached to a domain: `dom.variable("k", array)`.

    Its value for instance `b` is `domain.tensor(name)[b]`, the same for every
    time step and point (constant with respect to the coordinates).
    """

    kind = "tensor"

    def __init__(self, tag: str, domain: Any, name: str = ""):
        super().__init__(name=name or tag)
        self.tag = tag
        self._domain = domain

    @property
    def domain(self) -> Any:
        return self._domain

    def _static(self) -> tuple:
        return (id(self._domain), self.tag)


class Constant(Placeholder):
    """A fixed array or number."""

    kind = "constant"

    def __init__(self, value: Any, name: str = ""):
        super().__init__(name=name)
        self.value = np.asarray(value)
        if self.value.dtype == np.float64:
            self.value = self.value.astype(np.float32) if not _x64() else self.value
        if self.value.dtype.kind not in "biuf":
            raise TypeError(f"constants must be numeric, got dtype {self.value.dtype}")

    def _static(self) -> tuple:
        return (self.value.shape, str(self.value.dtype), self.value.tobytes())

    def label(self) -> str:
        if self.name:
            return self.name
        if self.value.ndim == 0:
            return f"{self.value.item():g}"
        return f"const{tuple(self.value.shape)}"


def _x64() -> bool:
    import jax

    return bool(jax.config.read("jax_enable_x64"))


class Op(Placeholder):
    """A registered operation (arithmetic, jno.np math, indexing, reductions).

    Args:
        op: name in the operation registry (`_ops.OPS`).
        children: the operands.
        attrs: static keyword attributes (axis, index, ...), hashable.
    """

    kind = "op"

    def __init__(self, op: str, *children: Placeholder, attrs: tuple = (), name: str = ""):
        super().__init__(*children, name=name)
        self.op = op
        self.attrs = attrs

    def _static(self) -> tuple:
        return (self.op, self.attrs)

    def label(self) -> str:
        return self.name or self.op

    @property
    def attr_dict(self) -> dict[str, Any]:
        return dict(self.attrs)


class FunctionCall(Placeholder):
    """A user JAX function applied to expressions: `jno.fn(fn, [args], name=)`.

    The function is called on per-point values (each argument of shape `(F,)`),
    unless `reduces_axis` says it reduces over an axis, in which case it is called
    on the whole arrays.
    """

    kind = "function"

    def __init__(
        self,
        fn: Callable[..., Any],
        *children: Placeholder,
        name: str = "",
        reduces_axis: int | None = None,
    ):
        if not callable(fn):
            raise TypeError(f"jno.fn: expected a callable, got {type(fn).__name__}")
        super().__init__(*children, name=name or getattr(fn, "__name__", "function"))
        self.fn = fn
        self.reduces_axis = reduces_axis

    def _static(self) -> tuple:
        return (id(self.fn), self.reduces_axis)


class ModelCall(Placeholder):
    """A call of a wrapped network on expressions: `net(x, y)` or `net(concat([x, y]))`."""

    kind = "model"

    def __init__(self, model: Any, *children: Placeholder):
        super().__init__(*children, name=getattr(model, "name", "") or "model")
        self.model = model

    def _static(self) -> tuple:
        return (id(self.model),)


class CoordinateOperator(Placeholder):
    """Base of the coordinate-derivative nodes: a target, coordinates and a scheme string."""

    def __init__(self, target: Placeholder, variables: tuple[Variable, ...], scheme: str):
        super().__init__(target)
        self.variables = tuple(variables)
        self.scheme = scheme

    @property
    def target(self) -> Placeholder:
        return self.children[0]

    def _static(self) -> tuple:
        return (tuple(v.key for v in self.variables), self.scheme)

    def label(self) -> str:
        return f"{self.kind}(" + ", ".join(v.label() for v in self.variables) + ")"


class Derivative(CoordinateOperator):
    """Mixed partial derivative of `target` w.r.t. `variables`, in order.

    `u.d(x)` is `Derivative(u, (x,))`; `u.d(x).d(y)` folds into `Derivative(u, (x, y))`.
    """

    kind = "derivative"

    def label(self) -> str:
        return "d/" + "".join(f"d{v.label()}" for v in self.variables)


class Laplacian(CoordinateOperator):
    """Sum of the second derivatives of `target` w.r.t. each of `variables`."""

    kind = "laplacian"


class Hessian(CoordinateOperator):
    """Matrix of second derivatives of `target` w.r.t. `variables`: features `(*F, k, k)`."""

    kind = "hessian"


class ParamJacobian(Placeholder):
    """Jacobian of `target` w.r.t. a model's trainable parameters: `u.grad(net)`.

    Per-point targets give `(B, N, *F, P)` (`(B, T, N, *F, P)` with several time
    steps); whole-array targets (e.g. a loss) give `(*S, P)`, so `pde.mse.grad(net)`
    is the loss gradient.
    """

    kind = "param_jacobian"

    def __init__(
        self, target: Placeholder, model: Any, mask: Any = None, subset: int | None = None
    ):
        super().__init__(target)
        self.model = model
        self.mask = mask
        self.subset = subset  # a fixed random subset of this many points (diagnostics)

    @property
    def target(self) -> Placeholder:
        return self.children[0]

    def _static(self) -> tuple:
        import jax

        mask = (
            None
            if self.mask is None
            else tuple(bool(m) for m in jax.tree_util.tree_leaves(self.mask))
        )
        return (id(self.model), mask, self.subset)

    def label(self) -> str:
        return f"grad[{self.model.describe()}]"


class Noise(Placeholder):
    """Random noise drawn anew every training step, one draw per point: shape `(ndim,)`.

    Args:
        distribution: "gaussian" (params `std`, `mean`), "uniform" (`low`, `high`) or
            "laplace" (`scale`, `loc`).
        **params: the distribution's parameters, and `ndim` (default 1).

    Example:
        >>> import jno_lab as jno
        >>> jno.noise.gaussian(std=0.1).label()
        'gaussian(std=0.1)'
    """

    kind = "noise"
    DISTRIBUTIONS: ClassVar[dict[str, dict[str, float]]] = {
        "gaussian": {"std": 1.0, "mean": 0.0},
        "uniform": {"low": 0.0, "high": 1.0},
        "laplace": {"scale": 1.0, "loc": 0.0},
    }

    def __init__(self, distribution: str, **params: Any):
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(
                f"unknown noise distribution {distribution!r}; choose one of "
                f"{', '.join(self.DISTRIBUTIONS)}"
            )
        ndim = params.pop("ndim", 1)
        if not isinstance(ndim, int) or ndim < 1:
            raise ValueError(f"noise ndim must be a positive integer, got {ndim!r}")
        allowed = self.DISTRIBUTIONS[distribution]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise ValueError(
                f"{distribution} noise takes {', '.join(allowed)} and ndim; "
                f"got {', '.join(unknown)}"
            )
        super().__init__()
        self.distribution = distribution
        self.ndim = ndim
        self.params = {**allowed, **{k: float(v) for k, v in params.items()}}

    def _static(self) -> tuple:
        # every noise node is its own random variable: never merged with another
        return (self.distribution, self.ndim, tuple(sorted(self.params.items())), self.uid)

    def label(self) -> str:
        defaults = self.DISTRIBUTIONS[self.distribution]
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items() if v != defaults[k])
        return f"{self.distribution}({args})"


class Tracker(Placeholder):
    """An expression logged during training that does not enter the loss.

    Example:
        >>> import jno_lab as jno
        >>> t = jno.numpy.tracker(jno.np.constant(1.0), interval=10)
        >>> t.interval
        10
    """

    kind = "tracker"

    def __init__(self, expr: Placeholder, interval: int = 1, name: str = ""):
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f"tracker interval must be a positive integer, got {interval!r}")
        super().__init__(expr, name=name)
        self.interval = interval

    @property
    def expr(self) -> Placeholder:
        return self.children[0]

    def _static(self) -> tuple:
        return (self.interval,)
