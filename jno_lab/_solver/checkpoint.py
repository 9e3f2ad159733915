"""Training checkpoints on disk (orbax): the complete state of one step.

A checkpoint folder holds one subfolder per step, `<root>/<step>/`, with `state`
(the arrays, written by orbax) and `meta` (JSON: step, trainable names, seed).
The state is everything the compiled step carries: parameters, optimizer states
of every substep, learning-rate schedule states, balancer states, the step
counter, the previous losses and the RNG key, so a run restored from it
continues exactly as if it had never stopped. Orbax writes each step into a
temporary folder and renames it once complete: a killed run never leaves a
half-written checkpoint behind.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .step import TrainState

FORMAT = 1
"""Version of the checkpoint layout (stored in `meta`)."""


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


def _missing(path: Any, who: str) -> FileNotFoundError:
    return FileNotFoundError(
        f"{who}={str(path)!r}: no checkpoint there; give a folder written by "
        "jno.utils.callbacks.CheckpointCallback (or one of its step subfolders), "
        "or a path from crux.checkpoints"
    )


def candidates(path: str | Path, who: str = "resume_from") -> tuple[list[Path], bool]:
    """The step folders `path` names, newest first, and whether it named one step itself.

    A step folder (with `state` and `meta`) is the only candidate; in a checkpoint
    root every subfolder named by a step number is one, complete or not, so that a
    damaged newest step is reported rather than silently passed over.
    """
    p = Path(path).expanduser().resolve()
    if (p / "state").is_dir() and (p / "meta").is_dir():
        return [p], True
    if p.is_dir():
        steps = sorted(int(c.name) for c in p.iterdir() if c.name.isdigit() and c.is_dir())
        if steps:
            return [p / str(s) for s in reversed(steps)], False
    raise _missing(path, who)


def resolve(path: str | Path, who: str = "resume_from") -> Path:
    """The step folder `path` names: itself, or the newest step in a checkpoint root."""
    return candidates(path, who)[0][0]


class CorruptCheckpoint(ValueError):
    """A step folder that cannot be read back (truncated, garbled or incomplete files)."""


def _check_tree(tree: Any, meta: Any, step_dir: Path) -> tuple[dict, dict]:
    """`(tree, meta)` as `snapshot` writes them, or a `CorruptCheckpoint` saying what is off."""
    if not isinstance(meta, dict):
        raise CorruptCheckpoint(f"{step_dir / 'meta'}: the metadata is not a JSON object")
    if meta.get("format") != FORMAT:
        raise CorruptCheckpoint(
            f"{step_dir / 'meta'}: checkpoint format {meta.get('format')!r} (this version reads "
            f"{FORMAT})"
        )
    names = meta.get("names")
    checks = {
        "step": isinstance(meta.get("step"), int)
        and (not step_dir.name.isdigit() or meta.get("step") == int(step_dir.name)),
        "names": isinstance(names, list) and all(isinstance(n, str) for n in names),
        "substeps": isinstance(meta.get("substeps"), int) and meta.get("substeps") >= 1,
        "rng_seed": isinstance(meta.get("rng_seed"), int),
    }
    bad = [key for key, ok in checks.items() if not ok]
    if bad:
        raise CorruptCheckpoint(f"{step_dir / 'meta'}: invalid {', '.join(bad)}")
    keys = ("params", "opt_states", "sched_states", "balancer_states", "step", "prev_losses", "key")
    if not isinstance(tree, dict) or any(k not in tree for k in keys):
        raise CorruptCheckpoint(f"{step_dir / 'state'}: the arrays are incomplete")
    for leaf in jax.tree_util.tree_leaves(tree):
        if not isinstance(leaf, np.ndarray | jax.Array | np.generic | int | float):
            raise CorruptCheckpoint(
                f"{step_dir / 'state'}: holds a {type(leaf).__name__}, not an array"
            )
    params = tree["params"]
    if not isinstance(params, dict) or sorted(params) != sorted(str(i) for i in range(len(names))):
        raise CorruptCheckpoint(f"{step_dir / 'state'}: the parameters do not match the metadata")
    return tree, meta


def _check_json(path: Path) -> None:
    """A `CorruptCheckpoint` naming `path` when it exists and is not a JSON object."""
    if not path.is_file():
        return
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError) as err:
        raise CorruptCheckpoint(f"{path}: not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise CorruptCheckpoint(f"{path}: not a JSON object")


def read_step(step_dir: Path) -> tuple[dict, dict]:
    """`(arrays, meta)` of one step folder.

    Orbax reads `meta` as JSON and the arrays through tensorstore (zarr/OCDBT,
    whose metadata is JSON as well); nothing in a checkpoint is unpickled.

    Raises:
        CorruptCheckpoint: for a step that cannot be read, naming the folder or file.
    """
    import orbax.checkpoint as ocp

    for part in ("state", "meta"):
        if not (step_dir / part).is_dir():
            raise CorruptCheckpoint(f"{step_dir}: no {part!r} folder (an incomplete checkpoint)")
    for name in ("meta/metadata", "state/_METADATA"):  # JSON files orbax reads first
        _check_json(step_dir / name)
    checkpointer = ocp.Checkpointer(ocp.CompositeCheckpointHandler())
    args = ocp.args.Composite(state=ocp.args.StandardRestore(), meta=ocp.args.JsonRestore())
    try:
        restored = checkpointer.restore(step_dir, args=args)
        tree, meta = restored["state"], restored["meta"]
    except Exception as err:  # any failure to read means a damaged step
        text = " ".join(str(err).split())
        text = text if len(text) <= 300 else text[:297] + "..."
        raise CorruptCheckpoint(f"{step_dir}: {type(err).__name__}: {text}") from None
    return _check_tree(tree, dict(meta) if isinstance(meta, dict) else meta, step_dir)


def read(path: str | Path, who: str = "resume_from") -> tuple[dict, dict]:
    """`(arrays, meta)` of the checkpoint at `path`.

    `path` is a step folder, or a checkpoint root: then the newest step that can
    be read is used, and every newer step that cannot is skipped with a warning
    naming it and why.

    Raises:
        FileNotFoundError: when there is no checkpoint at `path`.
        ValueError: when the step folder (or every step of the root) is damaged;
            the message names the folder and the file or error.
    """
    steps, explicit = candidates(path, who)
    reasons = []
    for k, step_dir in enumerate(steps):
        try:
            return read_step(step_dir)
        except CorruptCheckpoint as err:
            if explicit:
                raise ValueError(
                    f"{who}: cannot read the checkpoint {err}; the files are damaged (truncated "
                    "or garbled): give another step folder of this run"
                ) from None
            reasons.append(str(err))
            if k + 1 < len(steps):
                warnings.warn(
                    f"{who}: skipping checkpoint step {step_dir.name} in {step_dir.parent}, "
                    f"which cannot be read ({err}); trying step {steps[k + 1].name}",
                    stacklevel=3,
                )
    raise ValueError(
        f"{who}: no checkpoint in {str(Path(path).expanduser().resolve())!r} can be read: "
        + "; ".join(reasons)
    )


def _as_list(value: Any) -> list:
    if isinstance(value, dict):  # orbax may return lists as {"0": ..., "1": ...}
        return [value[k] for k in sorted(value, key=int)]
    return list(value)


def fill(template: Any, leaves: Any, what: str) -> Any:
    """`template`'s structure with the checkpoint's `leaves` (shapes checked, dtypes kept)."""
    old, treedef = jax.tree_util.tree_flatten(template)
    new = _as_list(leaves)
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


def model_leaves(path: str | Path, key: str | None, who: str) -> list[np.ndarray]:
    """The parameter arrays of one trainable in a checkpoint, chosen by index or name."""
    tree, meta = read(path, who)
    names = list(meta["names"])
    if key is None:
        if len(names) != 1:
            raise ValueError(
                f"{who}: the checkpoint holds {len(names)} trainables {names}; pick one with "
                f"'{path}::<index or name>', e.g. '{path}::0'"
            )
        index = 0
    elif key.isdigit() and int(key) < len(names):
        index = int(key)
    elif key in names:
        index = names.index(key)
    else:
        raise ValueError(
            f"{who}: no trainable {key!r} in the checkpoint; choose an index 0..{len(names) - 1} "
            f"or a name among {names}"
        )
    return _as_list(tree["params"][str(index)])
