"""Training checkpoints on disk (orbax): the complete state of one step.

A checkpoint folder holds one subfolder per step, `<root>/<step>/`, with `state`
(the arrays, written by orbax) and `meta` (JSON: step, trainable names, seed);
`jno_lab._checkpoint_files` reads them back.
The state is everything the compiled step carries: parameters, optimizer states
of every substep, learning-rate schedule states, balancer states, the step
counter, the previous losses and the RNG key, so a run restored from it
continues exactly as if it had never stopped. Orbax writes each step into a
temporary folder and renames it once complete: a killed run never leaves a
half-written checkpoint behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._checkpoint_files import (
    FORMAT,
    CorruptCheckpoint,
    as_list,
    candidates,
    model_leaves,
    read,
    read_step,
    resolve,
)
from .step_state import TrainState


def _leaves(tree: Any) -> list[np.ndarray]:
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(tree)]


def snapshot(state: TrainState, trainables: list[Any], rng_seed: int) -> tuple[dict, dict]:
    """`(arrays, meta)` of `state`, copied to host memory."""
    host = jax.device_get(state)
    tree = {
        "params": {str(i): _leaves(p) for i, p in enumerate(host.params)},
        "opt_states": _leaves(host.opt_states),
        "sched_states": _leaves(host.sched_states),
        "balancer_states": _leaves(host.balancer_states),
        "step": np.asarray(host.step),
        "prev_losses": np.asarray(host.prev_losses),
        "key": np.asarray(host.key),
    }
    meta = {
        "format": FORMAT,
        "step": int(host.step),
        "names": [t.describe() for t in trainables],
        "substeps": len(host.opt_states),
        "rng_seed": int(rng_seed),
    }
    return tree, meta


def _manager(directory: Path, keep: int | None) -> Any:
    import orbax.checkpoint as ocp

    options = ocp.CheckpointManagerOptions(
        max_to_keep=keep, create=True, enable_async_checkpointing=False
    )
    return ocp.CheckpointManager(directory, options=options)


class CheckpointWriter:
    """Writes snapshots into `directory/<step>/`, keeping the newest `keep` (None: all).

    Example:
        >>> import tempfile, numpy as np
        >>> writer = CheckpointWriter(tempfile.mkdtemp(), keep=2)
        >>> for step in (1, 2, 3):
        ...     _ = writer.write(step, {"step": np.int32(step)}, {"step": step})
        >>> [p.name for p in writer.paths()]
        ['2', '3']
    """

    def __init__(self, directory: str | Path, keep: int | None = None):
        self.directory = Path(directory).expanduser().resolve()
        self.keep = keep
        self._mngr: Any = None

    def _get(self) -> Any:
        if self._mngr is None:
            self._mngr = _manager(self.directory, self.keep)
        return self._mngr

    def write(self, step: int, tree: dict, meta: dict) -> Path:
        """Write one checkpoint (replacing one of the same step); returns its folder."""
        import orbax.checkpoint as ocp

        mngr = self._get()
        if step in mngr.all_steps():
            mngr.delete(step)
        args = ocp.args.Composite(state=ocp.args.StandardSave(tree), meta=ocp.args.JsonSave(meta))
        mngr.save(step, args=args, force=True)
        mngr.wait_until_finished()
        return self.directory / str(step)

    def paths(self) -> list[Path]:
        """The checkpoint folders on disk, oldest first."""
        return [self.directory / str(s) for s in sorted(self._get().all_steps())]

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_mngr": None}


def fill(template: Any, leaves: Any, what: str) -> Any:
    """`template`'s structure with the checkpoint's `leaves` (shapes checked, dtypes kept)."""
    old, treedef = jax.tree_util.tree_flatten(template)
    new = as_list(leaves)
    shapes_old = [tuple(np.shape(a)) for a in old]
    shapes_new = [tuple(np.shape(a)) for a in new]
    if shapes_old != shapes_new:
        raise ValueError(
            f"the checkpoint's {what} do not fit this solver: it stores {len(new)} arrays of "
            f"shapes {shapes_new}, the solver has {len(old)} of shapes {shapes_old}; resume "
            "with the same constraints, models and optimizers that wrote it"
        )
    return jax.tree_util.tree_unflatten(
        treedef, [jnp.asarray(n, dtype=jnp.asarray(o).dtype) for n, o in zip(new, old, strict=True)]
    )


def check_names(meta: dict, trainables: list[Any], who: str = "resume_from") -> None:
    """A ValueError when the checkpoint was written for other trainables."""
    names = [t.describe() for t in trainables]
    if list(meta["names"]) != names:
        raise ValueError(
            f"{who}: the checkpoint holds trainables {meta['names']} but this solver has "
            f"{names}; build the solver from the same code that wrote the checkpoint"
        )


def restore_state(fresh: TrainState, tree: dict, meta: dict, trainables: list[Any]) -> TrainState:
    """`fresh` (a newly built state, for the structure) with the checkpoint's values."""
    check_names(meta, trainables)
    if int(meta["substeps"]) != len(fresh.opt_states):
        raise ValueError(
            f"resume_from: the checkpoint was written with {meta['substeps']} substep(s) but "
            f"this solve() runs {len(fresh.opt_states)}; pass the same substeps= as the run "
            "that wrote it"
        )
    params = tuple(
        fill(p, tree["params"][str(i)], f"parameters of {t.describe()!r}")
        for i, (p, t) in enumerate(zip(fresh.params, trainables, strict=True))
    )
    return TrainState(
        params,
        fill(fresh.opt_states, tree["opt_states"], "optimizer states"),
        jnp.asarray(tree["step"], jnp.int32),
        fill(fresh.prev_losses, [tree["prev_losses"]], "losses"),
        jnp.asarray(tree["key"], fresh.key.dtype),
        fill(fresh.sched_states, tree["sched_states"], "schedule states"),
        fill(fresh.balancer_states, tree["balancer_states"], "balancer states"),
    )


__all__ = [
    "FORMAT",
    "CheckpointWriter",
    "CorruptCheckpoint",
    "candidates",
    "check_names",
    "fill",
    "model_leaves",
    "read",
    "read_step",
    "resolve",
    "restore_state",
    "snapshot",
]
