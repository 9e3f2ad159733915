"""Training history of an emulator trainer call (the PINN solver's `statistics` API)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np


class EmulatorStatistics:
    """What one trainer call recorded, with the attribute names of `jno_lab.statistics`.

    Attributes:
        configuration: name of the trained configuration (the one "constraint").
        training_logs: one dict with arrays `epoch` (update index of each loss),
            `total_loss`, `trackers` (name -> values), `tracker_epochs`, the name set
            `validation_names`, `training_time` and `compile_time` (seconds).
        trainable_params: number of trained scalars; `total_params` all of them.
    """

    def __init__(
        self,
        log: dict[str, Any] | None = None,
        configuration: str = "loss",
        trainable_params: int = 0,
        total_params: int = 0,
    ):
        empty: dict[str, Any] = {
            "epoch": np.zeros((0,), np.int64),
            "total_loss": np.zeros((0,), np.float32),
            "trackers": {},
            "tracker_epochs": {},
            "validation_names": [],
            "training_time": 0.0,
            "compile_time": 0.0,
        }
        self.training_logs: list[dict[str, Any]] = [log if log is not None else empty]
        self.configuration = configuration
        self.trainable_params = trainable_params
        self.total_params = total_params

    @property
    def _log(self) -> dict[str, Any]:
        return self.training_logs[-1]

    @property
    def constraint_names(self) -> list[str]:
        """One name: the configuration (so plots written for the solver work)."""
        return [self.configuration]

    @property
    def epoch(self) -> np.ndarray:
        """Update index of every recorded loss."""
        return self._log["epoch"]

    @property
    def total_loss_history(self) -> np.ndarray:
        """Loss of every recorded update (before the update, as Trainax records it)."""
        return self._log["total_loss"]

    loss_history = total_loss_history

    @property
    def total_loss(self) -> float | None:
        """The last recorded loss, or None before any training."""
        history = self.total_loss_history
        return float(history[-1]) if history.size else None

    @property
    def losses(self) -> np.ndarray:
        """The loss history as shape (steps, 1), like the solver's per-constraint losses."""
        return self.total_loss_history[:, None]

    @property
    def trackers(self) -> dict[str, np.ndarray]:
        """Callback name -> its scalar values (validation errors included)."""
        return dict(self._log["trackers"])

    @property
    def tracker_epochs(self) -> dict[str, np.ndarray]:
        """Callback name -> update indices of its values."""
        return dict(self._log["tracker_epochs"])

    @property
    def validation(self) -> dict[str, np.ndarray]:
        """Validation name -> rollout error history (see `validation_epochs`)."""
        return {n: self._log["trackers"][n] for n in self._log["validation_names"]}

    @property
    def validation_epochs(self) -> dict[str, np.ndarray]:
        """Validation name -> update indices of its values (the last is the final network)."""
        return {n: self._log["tracker_epochs"][n] for n in self._log["validation_names"]}

    @property
    def training_time(self) -> float:
        """Wall-clock seconds of the trainer call, compilation included."""
        return float(self._log["training_time"])

    @property
    def compile_time(self) -> float:
        """Seconds of the first chunk when it was compiled in this call (0 if cached)."""
        return float(self._log["compile_time"])

    def summary(self) -> str:
        """Print and return a short text summary of the run."""
        lines = [
            f"steps: {self.epoch.size}   training time: {self.training_time:.2f} s "
            f"(first chunk incl. compilation {self.compile_time:.2f} s)",
            f"parameters: {self.trainable_params} trainable / {self.total_params} total",
        ]
        if self.epoch.size:
            lines.append(f"final {self.configuration} loss: {self.total_loss:.6e}")
        for name, values in self.trackers.items():
            if values.size:
                kind = "validation" if name in self.validation else "tracker"
                lines.append(f"{kind} {name}: last {float(values[-1]):.6e}")
        text = "\n".join(lines)
        print(text)
        return text

    def plot(self, path: str | Path | None = None) -> EmulatorStatistics:
        """Plot the loss (log axis) and the validation/trackers; save a PNG to `path`."""
        from ._plot import plot_statistics

        plot_statistics(self, path)
        return self

    def save(self, path: str | Path) -> None:
        """Write the history to `path` (pickle of plain numpy arrays)."""
        state = {
            "training_logs": self.training_logs,
            "configuration": self.configuration,
            "trainable_params": self.trainable_params,
            "total_params": self.total_params,
        }
        with Path(path).open("wb") as f:
            pickle.dump(state, f)

    @classmethod
    def load(cls, path: str | Path) -> EmulatorStatistics:
        """Read a history written by `save`."""
        with Path(path).open("rb") as f:
            state = pickle.load(f)
        stats = cls(
            state["training_logs"][-1],
            state["configuration"],
            state["trainable_params"],
            state["total_params"],
        )
        stats.training_logs = list(state["training_logs"])
        return stats

    def __repr__(self) -> str:
        return f"EmulatorStatistics(steps={self.epoch.size}, loss={self.total_loss})"
