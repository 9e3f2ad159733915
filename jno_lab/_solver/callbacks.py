"""Callbacks: code that runs between chunks of training steps, outside `jit`."""

from __future__ import annotations

from typing import Any


class Callback:
    """Base class: override the hooks you need.

    `on_epoch_end` runs after every chunk of `inner_steps` steps with that chunk's
    records (device arrays: `total`, `losses`, `weights`, `lrs`, `trackers`, and
    `nonfinite`, 0 for a finite step); reading them waits for the device, so only do
    it as often as you need. Return True from it (or set `solver.stop_training =
    True`) to stop after the current chunk. `solver.control`, the run's
    `jno.RunControl`, stops or pauses the run from any thread (a dashboard's
    buttons use it), and `solver.live_params()` with `solver.predict(...,
    params=)` evaluates the model as it trains.

    A step whose losses or update are NaN or infinite ends training: the records of
    its chunk then end with that step (its `nonfinite` is 1 for non-finite losses,
    2 for a non-finite update; the steps before it are the ones applied), and
    `solver.nonfinite` holds the record `{"step", "constraints", "where"}` from
    that chunk on, so `on_epoch_end` and `on_training_end` (where
    `stats.nonfinite` says the same) can tell. `solver.nonfinite` is None otherwise.

    Example:
        >>> import optax, jno_lab as jno
        >>> class StopBelow(jno.Callback):
        ...     def on_epoch_end(self, solver, step, records):
        ...         return float(records["total"][-1]) < 1e-2
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
        >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> crux.solve(100, callbacks=[StopBelow()]).epoch.size < 100
        True

        A callback that tells how a run ended:

        >>> class Report(jno.Callback):
        ...     def on_training_end(self, solver, stats):
        ...         print("non-finite" if solver.nonfinite else "finite")
        >>> _ = crux.solve(10, callbacks=[Report()])
        finite
    """

    def on_training_start(self, solver: Any) -> None:
        """Called once before the first step of a `solve()` call."""

    def on_epoch_end(self, solver: Any, step: int, records: dict[str, Any]) -> bool | None:
        """Called after each chunk; `step` is the number of steps done so far.

        Returns:
            True to stop training after this chunk.
        """
        return None

    def on_training_end(self, solver: Any, stats: Any) -> bool | None:
        """Called once after the last step of a `solve()` call."""
        return None
