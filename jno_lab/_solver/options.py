"""Checks and host-side helpers of `core.solve`'s options.

Each bad option gets a ValueError naming the argument and how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import numpy as np

from .step_state import StepConfig, Substep

DEFAULT_TRACE_DIR = "jno_traces"
DEFAULT_REMAT_CHUNK = 256
"""Rows (points x time steps) per rematerialised chunk for `checkpoint_gradients=True`."""


def check_solve_options(
    *,
    epochs: Any,
    batchsize: Any,
    inner_steps: Any,
    accumulation_steps: Any,
    offload_data: Any,
    min_consecutive: Any,
    total: int,
) -> None:
    """Raise a ValueError for an invalid combination of `solve()` arguments."""
    if not _positive_int(epochs):
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not _positive_int(inner_steps) or epochs % inner_steps:
        raise ValueError(
            f"inner_steps={inner_steps!r} must be a positive integer dividing epochs={epochs}"
        )
    if not _positive_int(accumulation_steps):
        raise ValueError(
            f"accumulation_steps must be a positive integer, got {accumulation_steps!r}"
        )
    if accumulation_steps > 1 and batchsize is None:
        raise ValueError(
            f"accumulation_steps={accumulation_steps} needs batchsize=: micro-batches are drawn "
            "over problem instances, e.g. solve(..., batchsize=4, accumulation_steps=2)"
        )
    if batchsize is not None and accumulation_steps * batchsize > total:
        raise ValueError(
            f"batchsize={batchsize} x accumulation_steps={accumulation_steps} exceeds the "
            f"B={total} problem instances; lower one of them"
        )
    if offload_data and (batchsize is None or batchsize >= total):
        raise ValueError(
            f"offload_data=True needs batchsize < the B={total} problem instances (got "
            f"batchsize={batchsize}); with full batches keep the data on the device"
        )
    if min_consecutive is not None and not _positive_int(min_consecutive):
        raise ValueError(
            f"min_consecutive must be a positive integer or None, got {min_consecutive!r}"
        )


def remat_chunk(checkpoint_gradients: Any) -> int | None:
    """Rows per rematerialised chunk: None (off), `DEFAULT_REMAT_CHUNK` for True, or the int.

    Example:
        >>> remat_chunk(False), remat_chunk(True), remat_chunk(64)
        (None, 256, 64)
    """
    if checkpoint_gradients is None or checkpoint_gradients is False:
        return None
    if checkpoint_gradients is True:
        return DEFAULT_REMAT_CHUNK
    if _positive_int(checkpoint_gradients):
        return int(checkpoint_gradients)
    raise ValueError(
        f"checkpoint_gradients must be True, False or a positive number of points per "
        f"rematerialised chunk, got {checkpoint_gradients!r}"
    )


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def parse_substeps(
    substeps: Any, constraints: list[Any], trainables: list[Any]
) -> tuple[Substep, ...] | None:
    """`[[0, 1], ([2, 3], 5)]` -> `Substep`s, with the trainables each one trains."""
    if substeps is None:
        return None
    if not isinstance(substeps, list | tuple) or not substeps:
        raise ValueError(
            "substeps must be a non-empty list of constraint-index lists or (indices, n) "
            f"tuples, e.g. substeps=[[0, 1], ([2], 3)]; got {substeps!r}"
        )
    out = []
    n = len(constraints)
    for spec in substeps:
        if (
            isinstance(spec, tuple)
            and len(spec) == 2
            and isinstance(spec[0], list | tuple)
            and _positive_int(spec[1])
        ):
            indices, repeats = spec
        elif isinstance(spec, list):
            indices, repeats = spec, 1
        else:
            raise ValueError(
                f"substeps entry {spec!r}: give a list of constraint indices [i, j] or a tuple "
                "([i, j], n) with n a positive integer"
            )
        indices = tuple(indices)
        if not indices or any(not isinstance(i, int) or not 0 <= i < n for i in indices):
            raise ValueError(
                f"substeps entry {spec!r}: constraint indices must lie in 0..{n - 1} "
                f"(the problem has {n} constraints)"
            )
        used = set()
        for i in indices:
            for node in constraints[i].walk():
                owner = getattr(node, "model", node)
                used.add(id(owner))
        active = tuple(id(t) in used for t in trainables)
        out.append(Substep(constraints=indices, repeats=repeats, active=active))
    return tuple(out)


def batches_on_host(data: dict, config: StepConfig, seed: int, step: int) -> dict:
    """The mini-batches of the next `config.length` steps, gathered on the host.

    Instances are drawn without replacement per step from a generator seeded by
    `(seed, step)`, so a run continued later draws the same batches. Only these
    `(length, [accumulation,] batchsize, ...)` arrays are sent to the device.
    """
    if config.batchsize is None:
        raise ValueError("batches_on_host needs a StepConfig with a batchsize")
    rng = np.random.default_rng([seed, step])
    n = config.batchsize * config.accumulation
    order = np.argsort(rng.random((config.length, config.batch_size_total)), axis=1)[:, :n]
    shape = (
        (config.length, config.batchsize)
        if config.accumulation == 1
        else (
            config.length,
            config.accumulation,
            config.batchsize,
        )
    )
    idx = order.reshape(shape)

    def take(array: Any) -> Any:
        return None if array is None else np.asarray(array)[idx]

    def tile(array: Any) -> Any:  # shared time grids get the step (and micro-batch) axes
        if array is None:
            return None
        array = np.asarray(array)
        return np.broadcast_to(array, (*shape[:-1], *array.shape))

    groups = {
        tag: {"x": take(g["x"]), "t": tile(g["t"]), "n": take(g["n"])}
        for tag, g in data["groups"].items()
    }
    tensors = {k: take(v) for k, v in data["tensors"].items()}
    return jax.device_put({"groups": groups, "tensors": tensors})


def profile_dir(profile: Any) -> Path | None:
    """Where `profile=` writes its trace: None when off, `./jno_traces` for True."""
    if profile is False or profile is None:
        return None
    if profile is True:
        return Path(DEFAULT_TRACE_DIR).resolve()
    if isinstance(profile, str | Path):
        return Path(profile).resolve()
    raise ValueError(f"profile must be True, False or a folder path, got {profile!r}")
