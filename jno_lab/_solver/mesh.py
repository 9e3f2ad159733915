"""Device meshes `(batch, model)`: data split over `batch`, parameters over `model`.

`jno.core(..., mesh=(b, m))` builds a `jax.sharding.Mesh` of `b * m` devices with
axes `("batch", "model")`. The problem instances (the leading axis of every
point, normal and tensor array) are sharded over `batch` when `B` divides evenly.
Every parameter array, and every optimizer-state array of the same shape, is
sharded over `model` along its largest axis that `m` divides (arrays with no
such axis, and the rest of the state, are replicated); the compiled step keeps
these shardings from call to call. XLA partitions the one compiled step
(GSPMD), so losses equal the single-device ones up to reduction order.

The default `mesh=(1, 1)` runs on one device, even when more are visible (it is
not expanded to all of them: sweeps place their trials on devices of their own);
ask for `(n, 1)` to spread batches over `n` devices.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


def check_mesh(mesh: Any) -> tuple[int, int] | None:
    """`mesh` as `(batch, model)`; a ValueError for a bad shape or device count."""
    if mesh is None:
        return None
    mesh = tuple(mesh)
    if len(mesh) != 2 or any(not isinstance(m, int) or m < 1 for m in mesh):
        raise ValueError(f"mesh must be (batch_devices, model_devices), got {mesh!r}")
    devices = jax.devices()
    if mesh != (1, 1) and mesh[0] * mesh[1] != len(devices):
        listed = ", ".join(str(d) for d in devices)
        raise ValueError(
            f"mesh={mesh} needs batch * model = {mesh[0] * mesh[1]} devices, but "
            f"{len(devices)} are available ({listed}); use a mesh whose product is "
            f"{len(devices)}, e.g. mesh=({len(devices)}, 1)"
        )
    return mesh  # type: ignore[return-value]


def make_mesh(shape: tuple[int, int]) -> Mesh:
    """The `Mesh` of axes `("batch", "model")` over all devices."""
    devices = np.asarray(jax.devices()).reshape(shape)
    return Mesh(devices, ("batch", "model"))


def shard_data(data: dict, mesh: Mesh, batch_total: int) -> dict:
    """Instances over the `batch` axis (when they divide evenly); everything else replicated."""
    n_batch = mesh.shape["batch"]
    split = NamedSharding(mesh, PartitionSpec("batch"))
    whole = NamedSharding(mesh, PartitionSpec())

    def place(array: Any, per_instance: bool) -> Any:
        if array is None:
            return None
        array = np.asarray(array)
        even = per_instance and array.shape[0] == batch_total and batch_total % n_batch == 0
        return jax.device_put(array, split if even else whole)

    groups = {
        tag: {"x": place(g["x"], True), "t": place(g["t"], False), "n": place(g["n"], True)}
        for tag, g in data["groups"].items()
    }
    tensors = {k: place(v, True) for k, v in data["tensors"].items()}
    return {"groups": groups, "tensors": tensors}


def param_spec(shape: tuple[int, ...], n_model: int) -> PartitionSpec:
    """How an array of `shape` is split over `model`: its largest axis that `n_model` divides.

    Example:
        >>> tuple(param_spec((8, 3), 2)), tuple(param_spec((3,), 2)), tuple(param_spec((8,), 1))
        (('model', None), (), ())
    """
    axes = [i for i, d in enumerate(shape) if n_model > 1 and d >= n_model and d % n_model == 0]
    if not axes:
        return PartitionSpec()
    axis = max(axes, key=lambda i: (shape[i], -i))
    return PartitionSpec(*["model" if i == axis else None for i in range(len(shape))])


def _param_sharding(array: Any, mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, param_spec(tuple(np.shape(array)), mesh.shape["model"]))


def shard_params(tree: Any, mesh: Mesh) -> Any:
    """Place every array of `tree` by `param_spec` (parameters, optimizer states)."""
    return jax.tree_util.tree_map(lambda a: jax.device_put(a, _param_sharding(a, mesh)), tree)


def constrain_params(tree: Any, mesh: Mesh) -> Any:
    """Inside `jit`: keep `tree`'s arrays sharded as `shard_params` placed them."""
    return jax.tree_util.tree_map(
        lambda a: jax.lax.with_sharding_constraint(a, _param_sharding(a, mesh)), tree
    )


def place_state(state: Any, mesh: Mesh) -> Any:
    """A `TrainState` on `mesh`: parameters and optimizer states sharded, the rest replicated."""
    whole = replicate(state, mesh)
    return whole._replace(
        params=shard_params(state.params, mesh), opt_states=shard_params(state.opt_states, mesh)
    )


def replicate(tree: Any, mesh: Mesh) -> Any:
    """`tree` on every device of `mesh`."""
    return jax.device_put(tree, NamedSharding(mesh, PartitionSpec()))
