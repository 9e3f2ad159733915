"""Evaluation of expression nodes on JAX values, per point and on whole arrays.

One recursive evaluator serves both contexts:
- a `PointContext` holds one point's coordinate vector `z` (spatial coordinates,
  then time), its normal and the instance's tensors; coordinate derivatives are
  taken here by differentiating the target's per-point function of `z`;
- a `GlobalContext` holds the vmapped per-point results (`(B, T, N, *F)` arrays)
  and evaluates reductions and whole-array operations on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._trace import _ops
from .._trace.nodes import (
    Constant,
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
from . import derivatives
from .analysis import ExpressionError, Level, describe
from .jacobian import param_jacobian


@dataclass
class PointContext:
    """One point: coordinates `z` (spatial dims, then time), normal, instance tensors."""

    z: jax.Array
    spatial_dim: int
    normal: jax.Array | None
    tensors: dict[str, jax.Array]
    params: tuple[Any, ...]
    key: jax.Array | None = None  # this point's random key (noise)
    memo: dict[tuple, Any] = field(default_factory=dict)

    def with_z(self, z: jax.Array) -> PointContext:
        return PointContext(z, self.spatial_dim, self.normal, self.tensors, self.params, self.key)


@dataclass
class GlobalContext:
    """Whole arrays: per-point results by node key, tensors `(B, ...)`, parameters.

    `data`, `key` and `spatial_dim` are what the program was called with; parameter
    Jacobians re-evaluate sub-expressions from them.
    """

    exports: dict[tuple, jax.Array]
    tensors: dict[str, jax.Array]
    params: tuple[Any, ...]
    data: dict[str, Any] = field(default_factory=dict)
    key: jax.Array | None = None
    spatial_dim: int = 0
    memo: dict[tuple, Any] = field(default_factory=dict)


class Evaluator:
    """Evaluates nodes given their levels and the trainables' structure.

    Args:
        levels: node key -> Level, from `analysis.analyse`.
        trainables: the models and parameters, in the order of `params` tuples.
    """

    def __init__(self, levels: dict[tuple, Level], trainables: list[Any]):
        self.levels = levels
        self.trainables = trainables
        self.index = {id(t): i for i, t in enumerate(trainables)}
        self.noise_slots: dict[tuple, int] = {}  # noise node -> its stream (set by Program)
        self.statics = [t.static_part() if hasattr(t, "static_part") else None for t in trainables]

    # -- entry points ----------------------------------------------------------------
    def point_value(self, node: Placeholder, ctx: PointContext) -> jax.Array:
        """The value of `node` at one point."""
        key = node.key
        if key in ctx.memo:
            return ctx.memo[key]
        value = self._point(node, ctx)
        value = self._debug(node, value)
        ctx.memo[key] = value
        return value

    def global_value(self, node: Placeholder, ctx: GlobalContext) -> jax.Array:
        """The value of `node` on whole arrays."""
        key = node.key
        if key in ctx.memo:
            return ctx.memo[key]
        level = self.levels[key]
        if level.kind == "point":
            value = ctx.exports[key]
        else:
            value = self._debug(node, self._global(node, ctx))
        ctx.memo[key] = value
        return value

    # -- per point -------------------------------------------------------------------
    def _point(self, node: Placeholder, ctx: PointContext) -> jax.Array:
        if isinstance(node, Variable):
            return self._variable(node, ctx)
        if isinstance(node, TensorTag):
            return ctx.tensors[node.tag]
        if isinstance(node, Noise):
            return self._noise(node, ctx)
        if isinstance(node, CoordinateOperator):
            return self._derivative(node, ctx)
        args = [self.point_value(c, ctx) for c in node.children]
        return self._compute(node, args, ctx.params, per_point=True)

    def _variable(self, node: Variable, ctx: PointContext) -> jax.Array:
        if node.axis == "spatial":
            return ctx.z[node.dim : node.dim + 1]
        if node.axis == "temporal":
            if ctx.z.shape[0] <= ctx.spatial_dim:
                raise ExpressionError(
                    f"{node.label()} is a time variable but the domain has no time axis; "
                    "give the domain time=(t0, t1, nt)"
                )
            return ctx.z[ctx.spatial_dim : ctx.spatial_dim + 1]
        if ctx.normal is None:
            raise ExpressionError(f"{node.label()}: tag {node.tag!r} has no normals")
        return ctx.normal[node.dim : node.dim + 1]

    def _noise(self, node: Noise, ctx: PointContext) -> jax.Array:
        if ctx.key is None:
            raise ExpressionError(f"noise {node.label()} needs a random key")
        key = jax.random.fold_in(ctx.key, self.noise_slots[node.key])
        p, shape = node.params, (node.ndim,)
        if node.distribution == "gaussian":
            return p["mean"] + p["std"] * jax.random.normal(key, shape)
        if node.distribution == "uniform":
            return jax.random.uniform(key, shape, minval=p["low"], maxval=p["high"])
        return p["loc"] + p["scale"] * jax.random.laplace(key, shape)

    def coordinate_index(self, var: Variable, ctx: PointContext) -> int:
        return var.dim if var.axis == "spatial" else ctx.spatial_dim

    def _derivative(self, node: Placeholder, ctx: PointContext) -> jax.Array:
        target = node.children[0]

        def target_fn(z: jax.Array) -> jax.Array:
            return self.point_value(target, ctx.with_z(z))

        indices = [self.coordinate_index(v, ctx) for v in node.variables]  # type: ignore[attr-defined]
        scheme = node.scheme  # type: ignore[attr-defined]
        if isinstance(node, Derivative):
            return derivatives.partial(target_fn, ctx.z, indices, scheme)
        if isinstance(node, Laplacian):
            return derivatives.laplacian(target_fn, ctx.z, indices, scheme)
        return derivatives.hessian(target_fn, ctx.z, indices, scheme)

    # -- whole arrays ----------------------------------------------------------------
    def _global(self, node: Placeholder, ctx: GlobalContext) -> jax.Array:
        if isinstance(node, TensorTag):
            return ctx.tensors[node.tag]
        if isinstance(node, Tracker):
            return self.global_value(node.expr, ctx)
        if self.levels[node.key].kind == "noise":
            raise ExpressionError(
                f"`{describe(node)}` is noise with no points of its own: combine it with an "
                "expression of coordinates, e.g. (u + noise).mse"
            )
        if isinstance(node, ParamJacobian):
            return param_jacobian(self, node, ctx)
        if isinstance(node, Variable | CoordinateOperator):
            raise AssertionError(f"{node!r} is evaluated per point")
        args = [self.global_value(c, ctx) for c in node.children]
        if isinstance(node, ModelCall) and not node.model.pointwise:
            return self._batched_model(node, args, ctx.params)
        return self._compute(node, args, ctx.params, per_point=False)

    def _batched_model(self, node: ModelCall, args: list[jax.Array], params: tuple) -> jax.Array:
        module = self._module(node.model, params)

        def call(*inputs: jax.Array) -> jax.Array:
            return node.model.apply(module, list(inputs))

        if all(jnp.ndim(a) >= 4 for a in args):  # (B, T, N, F): one call per instance and step
            return jax.vmap(jax.vmap(call))(*args)
        return call(*args)

    # -- shared ------------------------------------------------------------------------
    def _module(self, model: Any, params: tuple) -> Any:
        # The static part is read at trace time, so a module re-instantiated with another
        # architecture (a sweep trial) is picked up by the next trace.
        return eqx.combine(params[self.index[id(model)]], model.static_part())

    def _compute(
        self, node: Placeholder, args: list[jax.Array], params: tuple, per_point: bool
    ) -> jax.Array:
        try:
            if isinstance(node, Constant):
                return jnp.asarray(node.value)
            if isinstance(node, Parameter):
                return params[self.index[id(node)]]
            if isinstance(node, Op):
                return _ops.apply(node.op, args, node.attr_dict)
            if isinstance(node, FunctionCall):
                return node.fn(*args)
            if isinstance(node, ModelCall):
                return node.model.apply(self._module(node.model, params), args)
        except ExpressionError:
            raise
        except (TypeError, ValueError, IndexError) as err:
            shapes = ", ".join(str(tuple(jnp.shape(a))) for a in args)
            where = "per point" if per_point else "on whole arrays"
            hint = ""
            if isinstance(node, ModelCall) and per_point:
                hint = (
                    "; the module is called once per point on feature vectors: if it works on "
                    "whole point arrays (N, D) instead, give its class `pointwise = False`"
                )
            raise ExpressionError(
                f"evaluating `{describe(node)}` failed {where} with operand shapes ({shapes}): "
                f"{err}{hint}"
            ) from None
        raise ExpressionError(f"cannot evaluate {type(node).__name__} node {node.label()!r}")

    @staticmethod
    def _debug(node: Placeholder, value: Any) -> Any:
        if not node.debug.enabled:
            return value
        label = describe(node, 40).replace("{", "(").replace("}", ")")
        if node.debug._shape:
            jax.debug.print(f"[jno debug] {label}: shape {tuple(jnp.shape(value))}")
        if node.debug._mean:
            jax.debug.print(f"[jno debug] {label}: mean {{m}}", m=jnp.mean(value))
        return value


def point_function(
    evaluator: Evaluator, nodes: list[Placeholder], spatial_dim: int
) -> Callable[..., list[jax.Array]]:
    """Build `f(params, x, t, normal, tensors, key) -> [value per node]` for one point."""

    def f(params: tuple, x: jax.Array, t: Any, normal: Any, tensors: dict, key: Any = None) -> list:
        z = x if t is None else jnp.concatenate([x, jnp.reshape(t, (1,))])
        ctx = PointContext(z, spatial_dim, normal, tensors, params, key)
        return [evaluator.point_value(n, ctx) for n in nodes]

    return f
