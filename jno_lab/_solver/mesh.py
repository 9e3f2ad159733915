"""Device meshes `(batch, model)`: data split over the batch axis, parameters replicated.

`jno.core(..., mesh=(b, m))` builds a `jax.sharding.Mesh` of `b * m` devices. The
problem instances (the leading axis of every point, normal and tensor array) are
sharded over `batch` when `B` divides evenly, the training state is replicated,
and XLA partitions the one compiled step (GSPMD), so losses equal the
single-device ones up to reduction order.
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


def replicate(tree: Any, mesh: Mesh) -> Any:
    """`tree` on every device of `mesh`."""
    return jax.device_put(tree, NamedSharding(mesh, PartitionSpec()))
