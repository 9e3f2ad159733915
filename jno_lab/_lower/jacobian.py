"""Parameter Jacobians (`u.grad(net)`): derivatives w.r.t. weights, not coordinates.

A per-point target is differentiated point by point (`jax.jacrev` of its
per-point function, one reverse pass per point and output feature), mapped over
the tag's rows like any per-point function. A whole-array target (a loss, a
mean) is re-evaluated from the program's data as a function of the selected
parameters and differentiated as a whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jax
import jax.numpy as jnp
import numpy as np

from .._config import get_seed
from .rows import map_rows
from .selection import ParameterSelection

if TYPE_CHECKING:
    from .._trace.nodes import ParamJacobian
    from .evaluate import Evaluator, GlobalContext


def _with(params: tuple, i: int, value: Any) -> tuple:
    return (*params[:i], value, *params[i + 1 :])


def _subset(group: dict, count: int) -> dict:
    """A fixed random subset of `count` points of the group (all of them if fewer)."""
    total = group["x"].shape[1]
    if count >= total:
        return group
    rows = np.sort(np.random.default_rng(get_seed()).choice(total, size=count, replace=False))
    normals = group["n"]
    return {
        "x": group["x"][:, rows],
        "t": group["t"],
        "n": None if normals is None else normals[:, rows],
    }


def param_jacobian(evaluator: Evaluator, node: ParamJacobian, ctx: GlobalContext) -> jax.Array:
    """The Jacobian of `node.target` w.r.t. the selected parameters of `node.model`."""
    from .evaluate import PointContext

    i = evaluator.index[id(node.model)]
    selection = ParameterSelection(node.model, node.mask)
    flat0 = selection.flatten(ctx.params[i])
    level = evaluator.levels[node.target.key]

    if level.kind == "point":
        group = ctx.data["groups"][level.tag]
        if node.subset is not None:
            group = _subset(group, node.subset)

        def row(x: jax.Array, t: Any, normal: Any, tensors: dict, key: Any) -> jax.Array:
            z = x if t is None else jnp.concatenate([x, jnp.reshape(t, (1,))])

            def value(flat: jax.Array) -> jax.Array:
                params = _with(ctx.params, i, selection.unflatten(ctx.params[i], flat))
                point = PointContext(z, ctx.spatial_dim, normal, tensors, params, key)
                return evaluator.point_value(node.target, point)

            return jax.jacrev(value)(flat0)

        noisy = ctx.key is not None
        jac = map_rows(row, group, ctx.tensors, ctx.key if noisy else None)  # (B, T, N, *F, P)
        return jac[:, 0] if jac.shape[1] == 1 else jac

    from .program import Program

    sub = Program([node.target], evaluator.trainables, spatial_dim=ctx.spatial_dim)

    def whole(flat: jax.Array) -> jax.Array:
        params = _with(ctx.params, i, selection.unflatten(ctx.params[i], flat))
        return sub(params, ctx.data, ctx.key)[0]

    return jax.jacrev(whole)(flat0)
