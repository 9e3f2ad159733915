"""One `solve()` call's training log: the device records of its chunks as host arrays."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .._adaptive.balancer import BalancerWeights
from .step import StepConfig


def training_log(
    crux: Any, config: StepConfig, records: list[tuple[dict, int]], first: int, elapsed: float
) -> dict[str, Any]:
    """The log of one `solve()`: its chunks' applied rows, from step `first` on.

    `records` holds `(chunk record, rows to keep)` per chunk; `elapsed` is the
    training time in seconds (pauses excluded).
    """
    fetched = jax.device_get([r for r, _ in records])
    merged = jax.tree_util.tree_map(
        lambda *parts: np.concatenate([p[:n] for p, (_, n) in zip(parts, records, strict=True)]),
        *fetched,
    )
    steps = np.arange(first, first + merged["total"].shape[0])
    log: dict[str, Any] = {
        "epoch": steps,
        "total_loss": np.asarray(merged["total"]),
        "losses": np.asarray(merged["losses"]),
        "weights": np.asarray(merged["weights"]),
        "learning_rates": np.asarray(merged["lrs"]),
        "learning_rate_names": learning_rate_names(crux.trainables, config),
        "training_time": elapsed,
        "trackers": {},
        "tracker_epochs": {},
    }
    if "balancer_weights" in merged:
        log["balancer_weights"] = [np.asarray(w) for w in merged["balancer_weights"]]
        log["balancer_inputs"] = [np.asarray(v) for v in merged["balancer_inputs"]]
    if "trackers" in merged:
        for tracker, name, values in zip(
            crux.trackers, crux.tracker_names, merged["trackers"], strict=True
        ):
            keep = steps % tracker.interval == 0
            log["trackers"][name] = np.asarray(values)[keep]
            log["tracker_epochs"][name] = steps[keep]
    return log


def learning_rate_names(trainables: list[Any], config: StepConfig) -> list[str]:
    """Column names of `statistics.learning_rates`: one per trained parameter group."""
    names = []
    for t, flag in zip(trainables, config.trainable, strict=True):
        if flag:
            for g in t.optimizer_groups():
                names.append(t.describe() + (f"[{g.label}]" if g.label else ""))
    return names


def parameter_counts(trainables: list[Any], params: tuple, config: StepConfig) -> tuple[int, int]:
    """(trained scalars, all model and parameter scalars; balancer weights left out)."""
    trained = sum(
        _count(t, p, flag) for t, p, flag in zip(trainables, params, config.trainable, strict=True)
    )
    total = sum(
        _size(p)
        for t, p in zip(trainables, params, strict=True)
        if not isinstance(t, BalancerWeights)
    )
    return trained, total


def _count(trainable: Any, params: Any, flag: bool) -> int:
    """Trained scalars of one trainable: the leaves of its optimizer groups."""
    if not flag:
        return 0
    leaves = jax.tree_util.tree_leaves(params)
    covered = [False] * len(leaves)
    for g in trainable.optimizer_groups():
        for j in range(len(leaves)):
            covered[j] = covered[j] or g.selection is None or g.selection[j]
    return sum(int(np.size(x)) for x, c in zip(leaves, covered, strict=True) if c)


def _size(tree: Any) -> int:
    return sum(int(np.size(x)) for x in jax.tree_util.tree_leaves(tree))
