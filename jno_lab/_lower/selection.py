"""A model's trainable leaves, or a masked subset, as one flat parameter vector."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree


class ParameterSelection:
    """Which array leaves of a model a Jacobian is taken with respect to.

    Args:
        model: a wrapped model (`jno.nn.wrap`).
        mask: None for every trainable leaf, or a pytree of booleans with the
            structure of `model.module` (True selects the leaf).

    Example:
        >>> import jax, jno_lab as jno
        >>> net = jno.nn.wrap(jno.nn.mlp(2, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)))
        >>> ParameterSelection(net).size  # 2*4 + 4 + 4*1 + 1
        17
    """

    def __init__(self, model: Any, mask: Any = None):
        module = model.module
        leaves, treedef = jax.tree_util.tree_flatten(module)
        if mask is None:
            flags = [True] * len(leaves)
        else:
            try:
                flags = treedef.flatten_up_to(mask)
            except (ValueError, TypeError) as err:
                raise ValueError(
                    f"the mask for model {model.describe()!r} does not match its structure: "
                    "build it from the module, e.g. jax.tree_util.tree_map(lambda _: False, "
                    f"model.module) and eqx.tree_at(...); {err}"
                ) from None
        array_leaves = [leaf for leaf in leaves if eqx.is_inexact_array(leaf)]
        selected = []
        position = 0
        for leaf, flag in zip(leaves, flags, strict=True):
            if eqx.is_inexact_array(leaf):
                if bool(flag):
                    selected.append(position)
                position += 1
        if not selected:
            raise ValueError(f"the mask for model {model.describe()!r} selects no parameters")
        self.positions = tuple(selected)
        self.size = int(sum(array_leaves[p].size for p in selected))

    def flatten(self, params: Any) -> jax.Array:
        """The selected leaves of `params` (the model's parameter tree) as one vector."""
        leaves = jax.tree_util.tree_leaves(params)
        flat, _ = ravel_pytree([leaves[p] for p in self.positions])
        return flat

    def unflatten(self, params: Any, flat: jax.Array) -> Any:
        """`params` with the selected leaves taken from the vector `flat`."""
        leaves, treedef = jax.tree_util.tree_flatten(params)
        _, unravel = ravel_pytree([leaves[p] for p in self.positions])
        for p, value in zip(self.positions, unravel(flat), strict=True):
            leaves[p] = jnp.asarray(value, leaves[p].dtype)
        return jax.tree_util.tree_unflatten(treedef, leaves)
