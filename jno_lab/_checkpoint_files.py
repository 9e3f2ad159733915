"""Reading training checkpoints (orbax folders written by the solver).

A checkpoint folder holds one subfolder per step, `<root>/<step>/`, with `state`
(the arrays, written by orbax) and `meta` (JSON: format, step, trainable names,
substeps, seed). These functions find the step folders, read one back with its
metadata checked, and pick one trainable's parameter arrays (`Model.initialize`
reads weights this way); writing and restoring a whole training state is the
solver's part.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import jax
import numpy as np

FORMAT = 1
"""Version of the checkpoint layout (stored in `meta`)."""


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
    step, names, substeps = meta.get("step"), meta.get("names"), meta.get("substeps")
    checks = {
        "step": isinstance(step, int)
        and (not step_dir.name.isdigit() or step == int(step_dir.name)),
        "names": isinstance(names, list) and all(isinstance(n, str) for n in names),
        "substeps": isinstance(substeps, int) and substeps >= 1,
        "rng_seed": isinstance(meta.get("rng_seed"), int),
    }
    bad = [key for key, ok in checks.items() if not ok]
    if bad or not isinstance(names, list):  # the second test only narrows `names`
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


def as_list(value: Any) -> list:
    if isinstance(value, dict):  # orbax may return lists as {"0": ..., "1": ...}
        return [value[k] for k in sorted(value, key=int)]
    return list(value)


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
    return as_list(tree["params"][str(index)])
