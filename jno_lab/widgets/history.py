"""The dashboard's data: a training run as named column sources, appended chunk by chunk.

`History` is fed either live, by the solver's per-chunk records
(`append_records`), or after the fact from a `statistics` object
(`from_statistics`); both give the same columns, so what the dashboard draws is
exactly what the statistics hold. Every source is a dict of equally long
columns with a `step` column; scalar trackers are sources of their own (they
have their own steps), vector trackers (an NTK spectrum) keep their latest value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["History", "Source"]


@dataclass
class Source:
    """Columns of one plot source; `labels` maps a column id to what the legend says."""

    columns: dict[str, list[np.ndarray]]
    labels: dict[str, str] = field(default_factory=dict)
    latest: bool = False
    """True for a source that is replaced (the latest value), not appended to."""

    def length(self) -> int:
        """Number of rows."""
        return int(sum(part.shape[0] for part in self.columns["step"]))

    def array(self, column: str) -> np.ndarray:
        """One column as one array."""
        parts = self.columns[column]
        return np.concatenate(parts) if parts else np.zeros((0,))

    def rows(self, start: int) -> dict[str, np.ndarray]:
        """Every column from row `start` on."""
        return {name: self.array(name)[start:] for name in self.columns}


class History:
    """A training run as plot sources; `version` counts the appends.

    Args:
        constraint_names: one per constraint (the legend of the loss plot).
        lr_names: one per learning-rate column.
        tracker_names: one per tracker.
        tracker_intervals: the interval of each tracker.
        weighted: whether the run has constraint weights and learning rates to draw
            (an emulator trainer has neither).

    Example:
        >>> import numpy as np
        >>> h = History(["pde", "bc"], ["net"], [], [])
        >>> records = {"total": np.array([3.0, 2.0]), "losses": np.array([[2.0, 1.0], [1.5, 0.5]]),
        ...            "weights": np.ones((2, 2)), "lrs": np.full((2, 1), 1e-3)}
        >>> h.append_records(records, first_step=0, count=2)
        >>> h.sources["losses"].array("c1").tolist(), h.steps_done
        ([1.0, 0.5], 2)
    """

    def __init__(
        self,
        constraint_names: Sequence[str],
        lr_names: Sequence[str],
        tracker_names: Sequence[str],
        tracker_intervals: Sequence[int],
        weighted: bool = True,
    ):
        self.constraint_names = list(constraint_names)
        self.lr_names = list(lr_names)
        self.tracker_names = list(tracker_names)
        self.tracker_intervals = [int(i) for i in tracker_intervals]
        self.version = 0
        self.steps_done = 0
        n = len(self.constraint_names)
        constraint_labels = {f"c{i}": name for i, name in enumerate(self.constraint_names)}
        self.sources: dict[str, Source] = {
            "losses": Source(
                _empty(["step", "total", *constraint_labels]),
                {"total": "total", **constraint_labels},
            ),
        }
        if weighted:
            self.sources["weights"] = Source(
                _empty(["step", *constraint_labels]), dict(constraint_labels)
            )
            self.sources["lrs"] = Source(
                _empty(["step", *(f"m{j}" for j in range(len(self.lr_names)))]),
                {f"m{j}": name for j, name in enumerate(self.lr_names)},
            )
        self._n_constraints = n

    # -- feeding ---------------------------------------------------------------------------
    def append_records(self, records: dict[str, Any], first_step: int, count: int) -> None:
        """Append the first `count` rows of one chunk's records (host arrays)."""
        if count <= 0:
            return
        steps = np.arange(first_step, first_step + count, dtype=np.float64)
        losses = np.asarray(records["losses"], np.float64)[:count].reshape(count, -1)
        total = np.asarray(records["total"], np.float64)[:count].reshape(count)
        self._append("losses", {"step": steps, "total": total, **_split(losses, "c")})
        if "weights" in records and "weights" in self.sources:
            weights = np.asarray(records["weights"], np.float64)[:count].reshape(count, -1)
            self._append("weights", {"step": steps, **_split(weights, "c")})
        if "lrs" in records and "lrs" in self.sources:
            lrs = np.asarray(records["lrs"], np.float64)[:count].reshape(count, -1)
            self._append_lrs(steps, lrs)
        trackers = records.get("trackers", ()) or ()
        if isinstance(trackers, dict):  # name -> value at the chunk's end (emulator metrics)
            for name, value in trackers.items():
                self._append_named(name, first_step + count, value)
        else:
            for i, values in enumerate(trackers):
                keep = steps % self.tracker_intervals[i] == 0
                self._append_tracker(i, steps[keep], np.asarray(values)[:count][keep])
        self.steps_done = first_step + count
        self.version += 1

    def _append_named(self, name: str, step: int, value: Any) -> None:
        if name not in self.tracker_names:
            self.tracker_names.append(name)
            self.tracker_intervals.append(1)
        index = self.tracker_names.index(name)
        array = np.asarray(value, np.float64).reshape(1, -1)
        self._append_tracker(index, np.array([float(step)]), array)

    def _append_lrs(self, steps: np.ndarray, lrs: np.ndarray) -> None:
        if lrs.shape[1] != len(self.lr_names):  # e.g. no trainable with a learning rate
            self.lr_names = [f"lr[{j}]" for j in range(lrs.shape[1])]
            self.sources["lrs"] = Source(
                _empty(["step", *(f"m{j}" for j in range(lrs.shape[1]))]),
                {f"m{j}": name for j, name in enumerate(self.lr_names)},
            )
        self._append("lrs", {"step": steps, **_split(lrs, "m")})

    def _append_tracker(self, index: int, steps: np.ndarray, values: np.ndarray) -> None:
        name = f"t{index}"
        if not steps.size:
            return
        if values.ndim == 1 or all(d == 1 for d in values.shape[1:]):
            if name not in self.sources:
                self.sources[name] = Source(
                    _empty(["step", "value"]), {"value": self.tracker_names[index]}
                )
            self._append(name, {"step": steps, "value": values.reshape(-1).astype(np.float64)})
            return
        latest = np.asarray(values[-1], np.float64).reshape(-1)
        self.sources[name] = Source(
            {
                "step": [np.full(latest.shape, steps[-1])],
                "index": [np.arange(latest.size) + 1.0],
                "value": [latest],
            },
            {"value": self.tracker_names[index]},
            latest=True,
        )

    def _append(self, source: str, columns: dict[str, np.ndarray]) -> None:
        target = self.sources[source].columns
        for name, values in columns.items():
            target[name].append(np.asarray(values, np.float64))

    @classmethod
    def from_statistics(cls, stats: Any, lr_names: Sequence[str] | None = None) -> History:
        """The history of a finished run (a `statistics` object)."""
        names = list(stats.trackers)
        epochs = stats.tracker_epochs
        steps = np.asarray(stats.epoch)
        lr = np.asarray(stats.learning_rates).reshape(steps.size, -1)
        lr_names = list(lr_names or getattr(stats, "learning_rate_names", []) or [])
        if len(lr_names) != lr.shape[1]:
            lr_names = [f"lr[{j}]" for j in range(lr.shape[1])]
        history = cls(stats.constraint_names, lr_names, names, [1] * len(names))
        if steps.size:
            first = int(steps[0])
            records = {
                "total": stats.total_loss_history,
                "losses": stats.losses,
                "weights": stats.weights,
                "lrs": lr,
            }
            history.append_records(records, first, steps.size)
            history.version -= 1
        for i, name in enumerate(names):
            history._append_tracker(i, np.asarray(epochs[name], np.float64), stats.trackers[name])
        history.version += 1
        return history

    # -- reading ---------------------------------------------------------------------------
    def lengths(self) -> dict[str, int]:
        """Rows of every appendable source."""
        return {k: s.length() for k, s in self.sources.items() if not s.latest}

    def since(self, lengths: dict[str, int]) -> dict[str, dict[str, np.ndarray]]:
        """Rows added after `lengths` (appended sources) and the latest-value sources."""
        out = {}
        for name, source in self.sources.items():
            if source.latest:
                out[name] = source.rows(0)
                continue
            start = lengths.get(name, 0)
            if source.length() > start:
                out[name] = source.rows(start)
        return out

    def describe(self) -> dict[str, Any]:
        """The sources' layout (labels and kinds), for the frontend."""
        return {
            name: {"labels": s.labels, "latest": s.latest, "columns": list(s.columns)}
            for name, s in self.sources.items()
        }


def _empty(columns: Sequence[str]) -> dict[str, list[np.ndarray]]:
    return {c: [] for c in columns}


def _split(matrix: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    return {f"{prefix}{i}": matrix[:, i] for i in range(matrix.shape[1])}
