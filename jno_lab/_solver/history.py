"""`crux.checkpoints`: the checkpoints a solver wrote, in the order it wrote them.

Every `solve()` ends with a checkpoint of the full training state. With a
checkpoint folder configured (`jno.core(..., checkpoint_dir=)`, `jno.setup(
checkpoint_dir=)`, `JNO_CHECKPOINT_DIR` or `[jno] checkpoint_dir`) it is written
there at once; otherwise it is held in host memory and written into a temporary
folder the first time `crux.checkpoints` is read, so solvers nobody asks about
pay nothing for disk writes. Checkpoints of a `CheckpointCallback` join the list
as they are written.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .checkpoint import CheckpointWriter

DEFAULT_KEEP = 3
"""End-of-solve checkpoints kept per solver."""


class CheckpointHistory:
    """Ordered checkpoint paths of one solver, with deferred writes for the temporary folder."""

    def __init__(self, directory: str | Path | None, keep: int | None = DEFAULT_KEEP):
        self.keep = keep
        self.writer = None if directory is None else CheckpointWriter(directory, keep)
        self._entries: list[Any] = []  # Path, or (step, tree, meta) waiting to be written

    def record(self, step: int, tree: dict, meta: dict) -> None:
        """The end-of-solve checkpoint of `step`."""
        if self.writer is not None:
            self.add(self.writer.write(step, tree, meta))
            return
        self._entries.append((step, tree, meta))
        pending = [e for e in self._entries if isinstance(e, tuple)]
        if self.keep is not None and len(pending) > self.keep:
            self._entries.remove(pending[0])  # it would be pruned on disk anyway

    def add(self, path: Path) -> None:
        """A checkpoint some writer (a callback's) has written."""
        if path in self._entries:
            self._entries.remove(path)
        self._entries.append(path)

    def paths(self) -> list[Path]:
        """Write what is pending, then every checkpoint still on disk, oldest first."""
        if any(isinstance(e, tuple) for e in self._entries):
            if self.writer is None:
                self.writer = CheckpointWriter(tempfile.mkdtemp(prefix="jno_lab_ckpt_"), self.keep)
            for i, entry in enumerate(self._entries):
                if isinstance(entry, tuple):
                    self._entries[i] = self.writer.write(*entry)
        return [p for p in self._entries if isinstance(p, Path) and (p / "state").is_dir()]
