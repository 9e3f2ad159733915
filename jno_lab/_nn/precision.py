"""Model precision: `Model.dtype(...)` casts parameters and, at the call, inputs."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._dtypes import FLOAT_DTYPES, check_dtype


def cast_floating(tree: Any, dtype: Any) -> Any:
    """`tree` with every floating array leaf cast to `dtype` (integers untouched)."""

    def cast(leaf: Any) -> Any:
        if eqx.is_inexact_array(leaf) and jnp.issubdtype(leaf.dtype, jnp.floating):
            return leaf.astype(dtype)
        return leaf

    return jax.tree_util.tree_map(cast, tree)


__all__ = ["FLOAT_DTYPES", "cast_floating", "check_dtype"]
