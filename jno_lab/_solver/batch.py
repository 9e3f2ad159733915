"""The data one training step sees: its mini-batch of instances and run of time steps.

Everything here runs inside the compiled step and is a pure function of the data
and a key.
"""

from __future__ import annotations

import jax

from .step_state import StepConfig


def select_instances(data: dict, idx: jax.Array) -> dict:
    """The mini-batch of problem instances `idx` (time grids are shared, not selected)."""

    def select(group: dict) -> dict:
        normals = group["n"]
        return {
            "x": group["x"][idx],
            "t": group["t"],
            "n": None if normals is None else normals[idx],
        }

    groups = {tag: select(g) for tag, g in data["groups"].items()}
    return {"groups": groups, "tensors": {k: v[idx] for k, v in data["tensors"].items()}}


def select_window(data: dict, window: int, key: jax.Array) -> dict:
    """A random run of `window` consecutive time steps of every timed tag."""
    groups = {}
    for i, (tag, group) in enumerate(sorted(data["groups"].items())):
        times = group["t"]
        if times is not None and times.shape[0] > window:
            start = jax.random.randint(
                jax.random.fold_in(key, i), (), 0, times.shape[0] - window + 1
            )
            group = {**group, "t": jax.lax.dynamic_slice(times, (start,), (window,))}
        groups[tag] = group
    return {"groups": groups, "tensors": data["tensors"]}


def batch_indices(key: jax.Array, config: StepConfig) -> jax.Array:
    """The instances of one step: `(accumulation, batchsize)` drawn without replacement."""
    if config.batchsize is None:
        raise ValueError("batch_indices needs a StepConfig with a batchsize")
    n = config.batchsize * config.accumulation
    idx = jax.random.choice(key, config.batch_size_total, (n,), replace=False)
    return idx.reshape(config.accumulation, config.batchsize)


def select_batch(config: StepConfig, data: dict, key: jax.Array) -> dict:
    """The data one step sees: (micro-)batches of instances, a run of time steps.

    With accumulation, every array gets a leading micro-batch axis. Data that
    was drawn on the host (`offload`) is already one step's batch.
    """
    if config.batchsize is not None and not config.offload:
        idx = batch_indices(key, config)
        if config.accumulation == 1:
            data = select_instances(data, idx[0])
        else:
            data = jax.vmap(lambda i: select_instances(data, i))(idx)
    window = config.window
    if window is not None:
        window_key = jax.random.fold_in(key, 1)
        if config.accumulation == 1:
            data = select_window(data, window, window_key)
        else:
            data = jax.vmap(lambda d: select_window(d, window, window_key))(data)
    return data


def first_micro_batch(config: StepConfig, data: dict) -> dict:
    """One micro-batch's data (trackers read a single batch)."""
    if config.accumulation == 1:
        return data
    return jax.tree_util.tree_map(lambda a: a[0], data)
