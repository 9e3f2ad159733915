"""Mapping a per-point function over every (instance, time step, point) row of a tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp


def map_rows(
    row_fn: Callable[..., Any], group: dict[str, Any], tensors: dict, key: Any = None
) -> Any:
    """Apply `row_fn(x, t, normal, tensors, row_key)` to every row: `(B, T, N, ...)` results.

    With a `key`, each row gets its own key (`fold_in` of the row's index), else None.

    The (time, point) pairs, and the instances too when there are no per-instance
    tensors, are flattened into ONE vmapped axis: nested vmaps over size-1 axes
    make XLA emit batched matmuls that run ~2x slower than one flat batch.
    """
    x, t, n = group["x"], group["t"], group["n"]
    batch, count = x.shape[0], x.shape[1]
    steps = 1 if t is None else t.shape[0]

    def rows(xs: jax.Array, ns: Any, lead: tuple[int, ...]) -> tuple[jax.Array, Any, Any]:
        def spread(a: jax.Array) -> jax.Array:  # (*lead, N, D) -> (prod, D)
            a = jnp.broadcast_to(a[..., None, :, :], (*lead, steps, count, a.shape[-1]))
            return a.reshape(-1, a.shape[-1])

        tr = None
        if t is not None:
            tr = jnp.broadcast_to(t[:, None], (*lead, steps, count)).reshape(-1)
        return spread(xs), tr, None if ns is None else spread(ns)

    def over_rows(xr: jax.Array, tr: Any, nr: Any, tens: dict, first: Any = 0) -> Any:
        if key is None:
            return jax.vmap(lambda xi, ti, ni: row_fn(xi, ti, ni, tens, None))(xr, tr, nr)
        index = first + jnp.arange(xr.shape[0])
        return jax.vmap(lambda xi, ti, ni, k: row_fn(xi, ti, ni, tens, jax.random.fold_in(key, k)))(
            xr, tr, nr, index
        )

    def shaped(tree: Any, lead: tuple[int, ...]) -> Any:
        return jax.tree_util.tree_map(
            lambda v: v.reshape((*lead, steps, count, *v.shape[1:])), tree
        )

    if not tensors:
        return shaped(over_rows(*rows(x, n, (batch,)), {}), (batch,))

    def per_instance(xs: jax.Array, ns: Any, tens: dict, b: jax.Array) -> Any:
        return shaped(over_rows(*rows(xs, ns, ()), tens, b * steps * count), ())

    return jax.vmap(per_instance)(x, n, tensors, jnp.arange(batch))
