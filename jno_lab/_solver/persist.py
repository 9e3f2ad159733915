"""`crux.save(path)` / `jno.core.load(path)`: a whole solver in one file.

The solver is pickled with cloudpickle (expressions may hold lambdas, optax
transformations are closures); compiled functions are left out and rebuilt on
first use. Files are written to a temporary name and renamed, so a crash never
leaves a truncated file under `path`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cloudpickle
import jax

MAGIC = "jno_lab.core/1"


def save_solver(solver: Any, path: str | Path) -> None:
    """Write `solver` to `path` (parent folders are created)."""
    if not isinstance(path, str | Path) or not str(path):
        raise TypeError(f"crux.save(path): give a file path, got {path!r}")
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {"magic": MAGIC, "solver": solver}
    tmp = target.with_name(target.name + ".tmp")
    with jax.transfer_guard("allow"), tmp.open("wb") as f:
        cloudpickle.dump(payload, f)
    os.replace(tmp, target)


def load_solver(path: str | Path) -> Any:
    """Read a solver written by `save_solver`."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise FileNotFoundError(f"jno.core.load: no file {str(path)!r}; write one with crux.save")
    with source.open("rb") as f:
        payload = cloudpickle.load(f)
    if not isinstance(payload, dict) or payload.get("magic") != MAGIC:
        raise ValueError(
            f"jno.core.load: {str(path)!r} is not a solver written by crux.save "
            "(statistics files are read with jno.statistics.load)"
        )
    return payload["solver"]
