"""Training history: what `core.solve()` returns."""

from __future__ import annotations

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

    @property
    def nonfinite(self) -> dict[str, Any] | None:
        """The latest non-finite stop of a `solve()` call, else None.

        A dict: `step` (the global index of the step whose losses or update were
        NaN or infinite: it was not applied, and the history stops before it),
        `constraints` (the names of the constraints whose loss was not finite;
        empty when only the update was) and `where` ("loss" or "parameters").

        Example:
            >>> import warnings, optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(1e38))
            >>> crux = jno.core([(p - 3.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> with warnings.catch_warnings():
            ...     warnings.simplefilter("ignore", jno.NonFiniteWarning)
            ...     stats = crux.solve(10)
            >>> stats.nonfinite["step"], stats.nonfinite["where"], stats.epoch.size
            (0, 'parameters', 0)
        """
        for log in reversed(self.training_logs):
            record = log.get("nonfinite")
            if record is not None:
                return dict(record)
        return None

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
        """Write the history to `path`: one file of JSON and numpy arrays (no pickle).

        Every key of every training log is kept, whatever it holds: numbers,
        strings, None, arrays and lists, tuples or dicts of them.

        Example:
            >>> import os, tempfile, numpy as np, jno_lab as jno
            >>> stats = jno.statistics([{"epoch": np.arange(3), "training_time": 0.5}], ["pde"])
            >>> path = os.path.join(tempfile.mkdtemp(), "stats.jno")
            >>> stats.save(path)
            >>> jno.statistics.load(path).epoch.tolist()
            [0, 1, 2]
        """
        from .archive import ArrayWriter, write

        arrays = ArrayWriter()
        manifest = {"format": STATISTICS_FORMAT, "version": 1, **_encode_state(self, arrays)}
        write(path, manifest, arrays, "statistics.save")

    @classmethod
    def load(cls, path: str | Path, *, allow_pickle: bool = False) -> statistics:
        """Read a history written by `save`.

        Args:
            path: the file.
            allow_pickle: also read a pickle file of older versions. This trusts the
                file: unpickling can run any code it contains. Without it such a
                file is refused with a ValueError (nothing of it is run).

        Raises:
            ValueError: for a damaged file, a file of another kind, or a pickle
                without `allow_pickle=True`.

        Example:
            >>> import os, tempfile, jno_lab as jno
            >>> path = os.path.join(tempfile.mkdtemp(), "stats.jno")
            >>> jno.statistics([], ["pde"]).save(path)
            >>> jno.statistics.load(path).constraint_names
            ['pde']
        """
        from .archive import read_file

        who = "jno.statistics.load"

        def from_pickle(state: Any) -> statistics:
            if not isinstance(state, dict) or "training_logs" not in state:
                raise ValueError(f"{who}: {str(path)!r} does not hold a training history")
            return cls(
                state["training_logs"],
                state.get("constraint_names"),
                state.get("trainable_params", 0),
                state.get("total_params", 0),
            )

        return read_file(
            path,
            who,
            STATISTICS_FORMAT,
            "a training history written by statistics.save",
            allow_pickle=allow_pickle,
            from_pickle=from_pickle,
            from_archive=lambda archive: _decode_state(cls, archive.manifest, archive),
        )

    def __repr__(self) -> str:
        return f"statistics(steps={self.epoch.size}, total_loss={self.total_loss})"


STATISTICS_FORMAT = "jno_lab.statistics"
"""The `format` of a saved training history."""


def _encode_state(stats: statistics, arrays: Any) -> dict[str, Any]:
    """The JSON fields of a history (arrays go to `arrays`); also used inside solver files."""
    from .archive import encode

    return {
        "training_logs": encode(stats.training_logs, arrays, "training_logs"),
        "constraint_names": encode(stats.constraint_names, arrays, "constraint_names"),
        "trainable_params": encode(stats.trainable_params, arrays, "trainable_params"),
        "total_params": encode(stats.total_params, arrays, "total_params"),
    }


def _decode_state(cls: type[statistics], fields: Any, archive: Any) -> statistics:
    """The history `_encode_state` wrote into `fields` (`archive.Bad` when it is damaged)."""
    from .archive import as_dict, as_int, as_list, as_str, decode, field

    fields = as_dict(fields, "statistics")
    logs = as_list(decode(field(fields, "training_logs", "statistics"), archive), "training_logs")
    for i, log in enumerate(logs):
        as_dict(log, f"training_logs[{i}]")
    names = as_list(field(fields, "constraint_names", "statistics"), "constraint_names")
    return cls(
        logs,
        [as_str(n, "constraint_names") for n in names],
        as_int(field(fields, "trainable_params", "statistics"), "trainable_params", 0),
        as_int(field(fields, "total_params", "statistics"), "total_params", 0),
    )
