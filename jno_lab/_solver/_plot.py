"""The PNG figure of `statistics.plot`: losses on log axes, trackers below."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .statistics import statistics


def plot_history(stats: statistics, path: str | Path | None) -> None:
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    trackers = {k: v for k, v in stats.trackers.items() if np.isfinite(v).any()}
    rows = 2 if trackers else 1
    fig, axes = plt.subplots(rows, 1, figsize=(8, 4 * rows), squeeze=False)
    ax = axes[0, 0]
    epochs = stats.epoch
    losses = stats.losses
    for i, name in enumerate(stats.constraint_names):
        ax.plot(epochs, np.maximum(losses[:, i], 1e-30), label=name, linewidth=1)
    if len(stats.constraint_names) > 1:
        ax.plot(epochs, stats.total_loss_history, label="total", color="black", linewidth=1.5)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    if trackers:
        tax = axes[1, 0]
        steps = stats.tracker_epochs
        for name, values in trackers.items():
            tax.plot(steps[name], values, label=name, linewidth=1)
        tax.set_xlabel("step")
        tax.set_ylabel("tracker")
        tax.legend(loc="upper right", fontsize="small")
        tax.grid(True, alpha=0.3)
    fig.tight_layout()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        plt.close(fig)
    else:
        plt.show()
