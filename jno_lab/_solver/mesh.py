"""Device meshes `(batch, model)`: data split over `batch`, parameters over `model`.

`jno.core(..., mesh=(b, m))` builds a `jax.sharding.Mesh` of `b * m` devices with
axes `("batch", "model")`. Data is split over `batch`: the problem instances (the
leading axis of every point, normal and tensor array) when `b` divides their
number `B`, otherwise the points (axis 1 of the point and normal arrays) when `b`
divides their number; what divides neither stays replicated. Every parameter
array, and every optimizer-state array of the same shape, is sharded over `model`
along its largest axis that `m` divides (arrays with no such axis, and the rest of
the state, are replicated); the compiled step keeps these shardings from call to
call. XLA partitions the one compiled step (GSPMD), so losses equal the
single-device ones up to reduction order.

The default (`mesh=None`) is data parallel over every visible device, `(n, 1)`;
`(1, 1)` asks for one device even when more are visible (sweeps run their trials
that way, one per device). After `jax.distributed.initialize(...)` in every
process, "every device" means every process's devices: the same script then trains
one problem across hosts (each process holds the same data; CPUs need
`jax_cpu_collectives_implementation="gloo"`).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


def check_mesh(mesh: Any) -> tuple[int, int]:
    """`mesh` as `(batch, model)` (None: every device, data parallel); a ValueError if bad.

    Example:
        >>> check_mesh(None) == (len(jax.devices()), 1), check_mesh((1, 1))
        (True, (1, 1))
    """
    if mesh is None:
        return (len(jax.devices()), 1)
    if not isinstance(mesh, tuple | list):
        raise ValueError(f"mesh must be (batch_devices, model_devices), got {mesh!r}")
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
    """Instances over the `batch` axis, else points (whichever it divides); the rest replicated."""
    n_batch = mesh.shape["batch"]
    by_instance = NamedSharding(mesh, PartitionSpec("batch"))
    by_point = NamedSharding(mesh, PartitionSpec(None, "batch"))
    whole = NamedSharding(mesh, PartitionSpec())
    instances_divide = batch_total % n_batch == 0

    def place(array: Any, kind: str) -> Any:
        if array is None:
            return None
        array = np.asarray(array)
        per_instance = kind != "time" and array.ndim >= 1 and array.shape[0] == batch_total
        if per_instance and instances_divide:
            return jax.device_put(array, by_instance)
        if kind == "points" and array.ndim >= 2 and array.shape[1] % n_batch == 0:
            return jax.device_put(array, by_point)
        return jax.device_put(array, whole)

    groups = {
        tag: {
            "x": place(g["x"], "points"),
            "t": place(g["t"], "time"),
            "n": place(g["n"], "points"),
        }
        for tag, g in data["groups"].items()
    }
    tensors = {k: place(v, "tensor") for k, v in data["tensors"].items()}
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
