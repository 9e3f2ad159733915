"""Training history: what `core.solve()` returns."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np


class statistics:
    """Training history of every `solve()` call of one solver.

    Attributes:
        training_logs: one dict per `solve()` call with arrays `epoch`, `total_loss`,
            `losses` (steps x constraints), `weights`, `learning_rates`, `trackers`
            (name -> values at the steps they were recorded), `tracker_epochs`,
            and `training_time` (seconds).
        trainable_params: number of trained scalars; `total_params` all of them.
    """

    def __init__(
        self,
        logs: list[dict[str, Any]] | None = None,
        constraint_names: list[str] | None = None,
        trainable_params: int = 0,
        total_params: int = 0,
    ):
        self.training_logs: list[dict[str, Any]] = list(logs or [])
        self.constraint_names = list(constraint_names or [])
        self.trainable_params = trainable_params
        self.total_params = total_params

    def _cat(self, name: str, width: int | None = None) -> np.ndarray:
        parts = [log[name] for log in self.training_logs]
        if not parts:
            return np.zeros((0,) if width is None else (0, width))
        return np.concatenate(parts, axis=0)

    @property
    def epoch(self) -> np.ndarray:
        """Step index of every recorded step (continues across `solve()` calls)."""
        return self._cat("epoch")

    @property
    def total_loss(self) -> float | None:
        """Final weighted total loss, or None before any training."""
        history = self.total_loss_history
        return float(history[-1]) if history.size else None

    @property
    def total_loss_history(self) -> np.ndarray:
        """Weighted total loss of every step, across all `solve()` calls."""
        return self._cat("total_loss")

    @property
    def losses(self) -> np.ndarray:
        """Per-constraint losses, shape (steps, constraints)."""
        return self._cat("losses", len(self.constraint_names))

    @property
    def weights(self) -> np.ndarray:
        """Constraint weights used at every step, shape (steps, constraints)."""
        return self._cat("weights", len(self.constraint_names))

    @property
    def learning_rates(self) -> np.ndarray:
        """Learning-rate scale of each trained model at every step."""
        return self._cat("learning_rates")

    @property
    def learning_rate_names(self) -> list[str]:
        """Which model (and parameter group) each column of `learning_rates` belongs to."""
        for log in reversed(self.training_logs):
            if "learning_rate_names" in log:
                return list(log["learning_rate_names"])
        return []

    @property
    def balancer_weights(self) -> list[np.ndarray]:
        """Per balancer (`jno.fn.adaptive`): the weights each step used, (steps, losses)."""
        return self._per_balancer("balancer_weights")

    @property
    def balancer_inputs(self) -> list[np.ndarray]:
        """Per balancer: the input losses each step measured, (steps, losses)."""
        return self._per_balancer("balancer_inputs")

    def _per_balancer(self, name: str) -> list[np.ndarray]:
        parts = [log[name] for log in self.training_logs if name in log]
        if not parts:
            return []
        return [np.concatenate(columns) for columns in zip(*parts, strict=True)]

    @property
    def trackers(self) -> dict[str, np.ndarray]:
        """Tracker name -> values at the steps they were recorded (see `tracker_epochs`)."""
        out: dict[str, list[np.ndarray]] = {}
        for log in self.training_logs:
            for name, values in log.get("trackers", {}).items():
                out.setdefault(name, []).append(values)
        return {k: np.concatenate(v) for k, v in out.items()}

    @property
    def tracker_epochs(self) -> dict[str, np.ndarray]:
        """Tracker name -> the step indices of its recorded values."""
        out: dict[str, list[np.ndarray]] = {}
        for log in self.training_logs:
            for name, steps in log.get("tracker_epochs", {}).items():
                out.setdefault(name, []).append(steps)
        return {k: np.concatenate(v) for k, v in out.items()}

    @property
    def training_time(self) -> float:
        """Wall-clock seconds spent in `solve()` calls."""
        return float(sum(log["training_time"] for log in self.training_logs))

    def summary(self) -> str:
        """Print and return a short text summary of the run."""
        lines = [
            f"steps: {self.epoch.size}   training time: {self.training_time:.2f} s",
            f"parameters: {self.trainable_params} trainable / {self.total_params} total",
        ]
        if self.epoch.size:
            lines.append(f"final total loss: {self.total_loss:.6e}")
            for name, value in zip(self.constraint_names, self.losses[-1], strict=True):
                lines.append(f"  {name}: {value:.6e}")
        for name, values in self.trackers.items():
            if values.size:
                last = values[-1]
                shown = f"{float(last):.6e}" if np.ndim(last) == 0 else f"array {np.shape(last)}"
                lines.append(f"tracker {name}: last {shown}")
        text = "\n".join(lines)
        print(text)
        return text

    def plot(self, path: str | Path | None = None) -> statistics:
        """Plot the loss curves (log axes) and trackers; save a PNG to `path`. Returns self."""
        from ._plot import plot_history

        plot_history(self, path)
        return self

    def save(self, path: str | Path) -> None:
        """Write the history to `path` (pickle of plain numpy arrays)."""
        state = {
            "training_logs": self.training_logs,
            "constraint_names": self.constraint_names,
            "trainable_params": self.trainable_params,
            "total_params": self.total_params,
        }
        with Path(path).open("wb") as f:
            pickle.dump(state, f)

    @classmethod
    def load(cls, path: str | Path) -> statistics:
        """Read a history written by `save`."""
        with Path(path).open("rb") as f:
            state = pickle.load(f)
        return cls(
            state["training_logs"],
            state["constraint_names"],
            state["trainable_params"],
            state["total_params"],
        )

    def __repr__(self) -> str:
        return f"statistics(steps={self.epoch.size}, total_loss={self.total_loss})"
