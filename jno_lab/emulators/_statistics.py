"""Training history of an emulator trainer call (the PINN solver's `statistics` API)."""

from __future__ import annotations

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
        """Write the history to `path`: one file of JSON and numpy arrays (no pickle).

        Example:
            >>> import os, tempfile
            >>> from jno_lab.emulators import EmulatorStatistics
            >>> path = os.path.join(tempfile.mkdtemp(), "stats.jno")
            >>> EmulatorStatistics(configuration="one_step").save(path)
            >>> EmulatorStatistics.load(path).configuration
            'one_step'
        """
        from .._solver.archive import ArrayWriter, encode, write

        arrays = ArrayWriter()
        manifest = {
            "format": FORMAT,
            "version": 1,
            "training_logs": encode(self.training_logs, arrays, "training_logs"),
            "configuration": encode(self.configuration, arrays, "configuration"),
            "trainable_params": encode(self.trainable_params, arrays, "trainable_params"),
            "total_params": encode(self.total_params, arrays, "total_params"),
        }
        write(path, manifest, arrays, "EmulatorStatistics.save")

    @classmethod
    def load(cls, path: str | Path, *, allow_pickle: bool = False) -> EmulatorStatistics:
        """Read a history written by `save`.

        Args:
            path: the file.
            allow_pickle: also read a pickle file of older versions. This trusts the
                file: unpickling can run any code it contains. Without it such a
                file is refused with a ValueError (nothing of it is run).

        Raises:
            ValueError: for a damaged file, a file of another kind, or a pickle
                without `allow_pickle=True`.
        """
        from .._solver.archive import read_file

        who = "EmulatorStatistics.load"

        def from_pickle(state: Any) -> EmulatorStatistics:
            if not isinstance(state, dict) or not state.get("training_logs"):
                raise ValueError(f"{who}: {str(path)!r} does not hold an emulator history")
            return cls._from_state(state)

        return read_file(
            path,
            who,
            FORMAT,
            "an emulator history written by EmulatorStatistics.save",
            allow_pickle=allow_pickle,
            from_pickle=from_pickle,
            from_archive=lambda archive: cls._from_state(_decode_state(archive)),
        )

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> EmulatorStatistics:
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


FORMAT = "jno_lab.emulator_statistics"
"""The `format` of a saved emulator history."""


def _decode_state(archive: Any) -> dict[str, Any]:
    """The fields `save` wrote, checked (an `archive.Bad` names what is wrong)."""
    from .._solver.archive import Bad, as_dict, as_int, as_list, as_str, decode, field

    manifest = archive.manifest
    logs = as_list(decode(field(manifest, "training_logs", "manifest"), archive), "training_logs")
    if not logs:
        raise Bad("training_logs: an emulator history has at least one log")
    for i, log in enumerate(logs):
        log = as_dict(log, f"training_logs[{i}]")
        for key in ("epoch", "total_loss", "trackers", "tracker_epochs"):
            field(log, key, f"training_logs[{i}]")
    return {
        "training_logs": logs,
        "configuration": as_str(field(manifest, "configuration", "manifest"), "configuration"),
        "trainable_params": as_int(field(manifest, "trainable_params", "manifest"), "params", 0),
        "total_params": as_int(field(manifest, "total_params", "manifest"), "total_params", 0),
    }
