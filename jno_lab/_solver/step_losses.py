"""Loss values and their gradients inside the compiled step (pure functions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._lower.program import check_scalar
from .step_state import StepContext


class LossEvaluation(NamedTuple):
    """The losses of one step at the current parameters, and what updates need of them."""

    total: jax.Array  # weighted total of the selected constraints
    values: jax.Array  # every root: the constraints, then the balancers' inputs
    grads: tuple  # per trainable: the gradient of `total` (None where it does not train)
    value_of: Callable[[int, Any], jax.Array] | None  # `(i, params_i) -> total`, or None


def loss_values(
    ctx: StepContext, train_params: tuple, frozen: tuple, data: dict, key: jax.Array
) -> jax.Array:
    """Every root's value, with trained parameters from `train_params`, others from `frozen`."""
    params = tuple(
        tp if flag else fp
        for tp, fp, flag in zip(train_params, frozen, ctx.config.trainable, strict=True)
    )
    values = ctx.program(params, data, key, remat_chunk=ctx.config.checkpoint)
    return jnp.stack(
        [
            check_scalar(v, n, "constraint")
            for v, n in zip(values, ctx.program.original_roots, strict=True)
        ]
    )


def gradients(
    ctx: StepContext,
    params: tuple,
    data: dict,
    key: jax.Array,
    weights: jax.Array,
    selected: jax.Array,
) -> tuple[jax.Array, jax.Array, tuple]:
    """`(total, all root values, grads)` of `sum(selected * weights * losses)`.

    With accumulation, `data` has a leading micro-batch axis: the three are the
    means over the micro-batches, summed in a `lax.scan`.
    """
    config, n_constraints = ctx.config, ctx.n_constraints
    trainable_params = tuple(
        p if flag else None for p, flag in zip(params, config.trainable, strict=True)
    )
    frozen_params = tuple(
        None if flag else jax.lax.stop_gradient(p)
        for p, flag in zip(params, config.trainable, strict=True)
    )

    def total_on(batch: dict) -> Callable[[tuple], tuple[jax.Array, jax.Array]]:
        def total_of(tp: tuple) -> tuple[jax.Array, jax.Array]:
            values = loss_values(ctx, tp, frozen_params, batch, key)
            return jnp.sum(selected * weights * values[:n_constraints]), values

        return total_of

    if config.accumulation == 1:
        (total, values), grads = jax.value_and_grad(total_on(data), has_aux=True)(trainable_params)
        return total, values, grads

    def micro(carry: tuple, micro_data: dict) -> tuple[tuple, None]:
        total_sum, values_sum, grads_sum = carry
        (t, v), g = jax.value_and_grad(total_on(micro_data), has_aux=True)(trainable_params)
        grads_sum = jax.tree_util.tree_map(jnp.add, grads_sum, g)
        return (total_sum + t, values_sum + v, grads_sum), None

    zeros = jax.tree_util.tree_map(jnp.zeros_like, trainable_params)
    n_roots = len(ctx.program.roots)
    init = (jnp.zeros((), jnp.float32), jnp.zeros((n_roots,), jnp.float32), zeros)
    (total, values, grads), _ = jax.lax.scan(micro, init, data)
    k = float(config.accumulation)
    grads = jax.tree_util.tree_map(lambda g: g / k, grads)
    return total / k, values / k, grads


def total_function(
    ctx: StepContext,
    params: tuple,
    data: dict,
    key: jax.Array,
    weights: jax.Array,
    selected: jax.Array,
) -> Callable[[int, Any], jax.Array]:
    """Per trainable `i`: the weighted total as a function of its own parameters.

    Line searches (`optax.lbfgs`) and Hessian estimates evaluate it.
    """

    def value_of(i: int, own: Any) -> jax.Array:
        changed = tuple(own if j == i else p for j, p in enumerate(params))
        frozen = tuple(jax.lax.stop_gradient(p) for p in changed)
        values = loss_values(ctx, changed, frozen, data, key)
        return jnp.sum(selected * weights * values[: ctx.n_constraints])

    return value_of


def evaluate(
    ctx: StepContext,
    params: tuple,
    data: dict,
    key: jax.Array,
    weights: jax.Array,
    selected: jax.Array,
) -> LossEvaluation:
    """The losses and gradients one update needs (no total function with accumulation)."""
    total, values, grads = gradients(ctx, params, data, key, weights, selected)
    value_of = (
        total_function(ctx, params, data, key, weights, selected)
        if ctx.config.accumulation == 1
        else None
    )
    return LossEvaluation(total, values, grads, value_of)
