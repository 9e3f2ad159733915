"""`CheckpointCallback`: write the training state to disk every `every` steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .callbacks import Callback
from .checkpoint import CheckpointWriter


class CheckpointCallback(Callback):
    """Save the full training state every `every` steps into `directory/<step>/` (orbax).

    Each checkpoint holds the parameters, optimizer, schedule and balancer states,
    the step counter and the RNG key; `jno.core(..., resume_from=directory)`
    continues from the newest one exactly (a newer step whose files are damaged is
    skipped with a warning that names it). Writes are atomic and only the newest
    `keep` checkpoints stay. The files are JSON and tensorstore arrays: reading
    them runs no code from them. The final step of every `solve()` is saved too.
    Saving happens between compiled chunks, so `every` should be a multiple of
    `solve(inner_steps=...)`.

    Args:
        directory: the checkpoint root folder (created when missing).
        every: steps between checkpoints (a positive integer).
        keep: how many checkpoints to keep (None: all).

    Example:
        >>> import os, tempfile, optax, jno_lab as jno
        >>> from jno_lab.utils.callbacks import CheckpointCallback
        >>> p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
        >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> folder = tempfile.mkdtemp()
        >>> _ = crux.solve(6, callbacks=[CheckpointCallback(folder, every=2, keep=2)])
        >>> sorted(os.listdir(folder))
        ['4', '6']
    """

    def __init__(self, directory: str | Path, every: int = 1000, keep: int | None = 3):
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError(
                f"CheckpointCallback(every=...) must be a positive integer, got {every!r}"
            )
        if keep is not None and (not isinstance(keep, int) or isinstance(keep, bool) or keep < 1):
            raise ValueError(
                f"CheckpointCallback(keep=...) must be a positive integer or None (keep all), "
                f"got {keep!r}"
            )
        if not isinstance(directory, str | Path) or not str(directory):
            raise ValueError(
                f"CheckpointCallback(directory=...) must be a folder path, got {directory!r}"
            )
        self.writer = CheckpointWriter(directory, keep)
        self.every = every
        self._last: int | None = None

    @property
    def directory(self) -> Path:
        return self.writer.directory

    def _save(self, solver: Any, step: int) -> None:
        path = solver.write_checkpoint(self.writer)
        self._last = step
        solver.note_checkpoint(path)

    def on_training_start(self, solver: Any) -> None:
        self._last = None

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> bool | None:
        done_before = step - int(records["total"].shape[0])
        if step // self.every > max(done_before, 0) // self.every or done_before < 0:
            self._save(solver, step)
        return None

    def on_training_end(self, solver: Any, stats: Any) -> bool | None:
        if self._last != solver.step_count:
            self._save(solver, solver.step_count)
        return None
