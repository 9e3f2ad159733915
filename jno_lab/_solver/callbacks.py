"""Callbacks: code that runs between chunks of training steps, outside `jit`."""

from __future__ import annotations

from typing import Any


class Callback:
    """Base class: override the hooks you need.

    `on_epoch_end` runs after every chunk of `inner_steps` steps with that chunk's
    records (device arrays: `total`, `losses`, `weights`, `lrs`, `trackers`);
    reading them waits for the device, so only do it as often as you need. Set
    `solver.stop_training = True` to stop after the current chunk.
    """

    def on_training_start(self, solver: Any) -> None:
        """Called once before the first step of a `solve()` call."""

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> None:
        """Called after each chunk; `step` is the number of steps done so far."""

    def on_training_end(self, solver: Any, stats: Any) -> None:
        """Called once after the last step of a `solve()` call."""
