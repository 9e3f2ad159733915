"""A terminal progress bar as a solver callback: what a dashboard shows outside a notebook."""

from __future__ import annotations

import time
from typing import Any

from .._solver.callbacks import Callback
from .._solver.step import nonfinite_summary

__all__ = ["ProgressBar"]


class ProgressBar(Callback):
    """A tqdm progress bar over all phases: steps, steps/s and the latest total loss.

    Args:
        total: steps of the whole plan (None: unknown, no ETA).
        phases: number of phases (`solve()` calls); with more than one, the bar names
            the current one.
        refresh: least seconds between two loss read-outs (each waits for the device).
        disable: no bar at all (the callback then only counts steps).
        **tqdm_args: passed to `tqdm` (e.g. `file=`).
    """

    def __init__(
        self,
        total: int | None,
        phases: int = 1,
        refresh: float = 0.2,
        disable: bool = False,
        **tqdm_args: Any,
    ) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, unit="step", dynamic_ncols=True, disable=disable, **tqdm_args)
        self.refresh = refresh
        self.phase = 0
        self.phases = phases
        self._last = float("-inf")

    def on_training_start(self, solver: Any) -> None:
        """Name the phase in the bar's description."""
        self.phase += 1
        if self.phases > 1:
            self.bar.set_description(f"phase {self.phase}/{self.phases}")

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> None:
        """Advance by this chunk's steps; show its last total loss now and then."""
        rows = int(records["total"].shape[0])  # known without a device sync
        nonfinite = getattr(solver, "nonfinite", None)
        if nonfinite is not None:  # the last row is the step that was not applied
            self.bar.update(rows - 1)
            self.bar.set_postfix_str(nonfinite_summary(nonfinite), refresh=False)
            return
        self.bar.update(rows)
        now = time.monotonic()
        if now - self._last >= self.refresh:
            self._last = now
            self.bar.set_postfix(loss=f"{float(records['total'][-1]):.3e}", refresh=False)

    def on_training_end(self, solver: Any, stats: Any) -> None:
        """Show the final loss of the phase (or where it went non-finite)."""
        nonfinite = getattr(solver, "nonfinite", None)
        if nonfinite is not None:
            self.bar.set_postfix_str(nonfinite_summary(nonfinite), refresh=False)
        elif stats.total_loss is not None:
            self.bar.set_postfix(loss=f"{stats.total_loss:.3e}", refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        """Close the bar (leave it on screen)."""
        self.bar.close()
