"""The PNG figure of `EmulatorStatistics.plot`: loss on a log axis, validation below."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ._statistics import EmulatorStatistics


def plot_statistics(stats: EmulatorStatistics, path: str | Path | None) -> None:
    """Draw the figure; save it to `path` (headless) or show it when `path` is None."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    trackers = {k: v for k, v in stats.trackers.items() if v.size and np.isfinite(v).any()}
    rows = 2 if trackers else 1
    fig, axes = plt.subplots(rows, 1, figsize=(8, 3.5 * rows), squeeze=False)
    ax = axes[0, 0]
    ax.plot(stats.epoch, np.maximum(stats.total_loss_history, 1e-30), linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("update")
    ax.set_ylabel(f"{stats.configuration} loss")
    ax.grid(True, which="both", alpha=0.3)
    if trackers:
        tax = axes[1, 0]
        epochs = stats.tracker_epochs
        for name, values in trackers.items():
            tax.plot(epochs[name], values, marker=".", label=name, linewidth=1)
        tax.set_yscale("log")
        tax.set_xlabel("update")
        tax.set_ylabel("validation / trackers")
        tax.legend(loc="upper right", fontsize="small")
        tax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        plt.close(fig)
    else:
        plt.show()
