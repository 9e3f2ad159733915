"""`Model.initialize(weights)`: weights from files, checkpoints, pytrees or initializers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._checkpoint_files import model_leaves
from .._config import default_key


def load_module(who: str, module: Any, weights: Any, key: jax.Array | None) -> Any:
    """`module` with its floating leaves replaced from `weights`.

    `weights`: an `.eqx` file; an orbax checkpoint folder written by the solver,
    optionally `"folder::model"` (an index or a trainable's name); a module or
    parameter pytree of the same structure; or an initializer `f(key, shape, dtype)`.
    """
    if isinstance(weights, str | Path):
        return _from_path(who, module, str(weights))
    if callable(weights) and not isinstance(weights, eqx.Module):
        key = default_key() if key is None else key
        params, static = eqx.partition(module, eqx.is_inexact_array)
        leaves, tree = jax.tree_util.tree_flatten(params)
        keys = jax.random.split(key, max(len(leaves), 1))
        new = [weights(k, leaf.shape, leaf.dtype) for k, leaf in zip(keys, leaves, strict=True)]
        return eqx.combine(jax.tree_util.tree_unflatten(tree, new), static)
    new_params, _ = eqx.partition(weights, eqx.is_inexact_array)
    return _fill(who, module, jax.tree_util.tree_leaves(new_params), "the given weights")


def _fill(who: str, module: Any, leaves: list, source: str) -> Any:
    params, static = eqx.partition(module, eqx.is_inexact_array)
    old, treedef = jax.tree_util.tree_flatten(params)
    old_shapes = [tuple(jnp.shape(x)) for x in old]
    new_shapes = [tuple(jnp.shape(x)) for x in leaves]
    if old_shapes != new_shapes:
        raise ValueError(
            f"{who}.initialize: {source} do not match the module's parameter structure and "
            f"shapes ({len(leaves)} arrays {new_shapes} given, the module has {len(old)} "
            f"arrays {old_shapes}); load weights saved from the same architecture"
        )
    new = [jnp.asarray(n, dtype=o.dtype) for n, o in zip(leaves, old, strict=True)]
    return eqx.combine(jax.tree_util.tree_unflatten(treedef, new), static)


def _from_path(who: str, module: Any, text: str) -> Any:
    path_text, _, model_key = text.partition("::")
    path = Path(path_text).expanduser()
    if path.is_dir():
        leaves = model_leaves(path, model_key or None, f"{who}.initialize")
        return _fill(who, module, leaves, f"the checkpoint arrays of {text!r}")
    if model_key:
        raise ValueError(
            f"{who}.initialize({text!r}): '::model' selects a model inside a checkpoint "
            f"folder, but {str(path)!r} is not a folder"
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"{who}.initialize: no file or checkpoint folder {str(path)!r}; give an .eqx file "
            "(eqx.tree_serialise_leaves) or a checkpoint folder from crux.checkpoints"
        )
    if path.suffix == ".msgpack":
        raise ValueError(
            f"{who}.initialize({text!r}): .msgpack files hold Flax parameters, and this "
            "engine wraps equinox modules; save the weights with eqx.tree_serialise_leaves "
            "(.eqx) or pass them as a pytree"
        )
    try:
        return eqx.tree_deserialise_leaves(path, module)
    except Exception as err:  # a file of another architecture or format
        raise ValueError(
            f"{who}.initialize: cannot read {str(path)!r} as equinox leaves of this module "
            f"({type(err).__name__}: {err}); it must be written by eqx.tree_serialise_leaves "
            "from the same architecture"
        ) from None
