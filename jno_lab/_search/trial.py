"""One trial of a sweep: train one configuration on private copies and score it."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from .._config import default_key
from .._solver.core import core, tracker_display_names
from .._solver.statistics import statistics
from .configure import configure
from .describe import describe_value
from .devices import describe_device
from .dimensions import SearchSpace
from .rebind import rebind


@dataclass(frozen=True)
class Problem:
    """What every trial trains: the solver's expressions, domain and trainables.

    Attributes:
        constraints: the loss expressions.
        trackers: the tracker expressions.
        domain: the domain.
        trainables: the original models and parameters, in the solver's order.
        space: the sweep's dimensions.
        score: the tracker whose last finite value is the score (None: the total loss).
        rng_seed: the seed of every trial's solver (the user's solver's).
    """

    constraints: list[Any]
    trackers: list[Any]
    domain: Any
    trainables: list[Any]
    space: SearchSpace
    score: str | None = None
    rng_seed: int | None = None


@dataclass
class TrialResult:
    """The outcome of one trial.

    Attributes:
        index: position in trial order.
        config: dimension key -> value (the objects themselves).
        score: lower is better; +inf for a failed or diverged trial.
        seconds: wall time of the trial (building, compiling, training).
        error: why the trial failed, or None.
        device: where it ran (`cpu:0`, ...).
        params: host copies of the trained parameters (aligned with the trainables),
            kept for the best trial only.
        stats: the trial's training statistics (best trial only).
    """

    index: int
    config: dict[str, Any]
    score: float
    seconds: float
    error: str | None
    device: str
    params: list[Any] | None = None
    stats: statistics | None = None

    @property
    def ok(self) -> bool:
        """Whether the trial trained and gave a finite score."""
        return self.error is None and math.isfinite(self.score)

    def row(self) -> dict[str, Any]:
        """A JSON-friendly summary: trial, config, score, seconds, error, device."""
        return {
            "trial": self.index,
            "config": {k: describe_value(v) for k, v in self.config.items()},
            "score": self.score,
            "seconds": self.seconds,
            "error": self.error,
            "device": self.device,
        }


def tracker_names(trackers: list[Any]) -> list[str]:
    """The names `statistics.trackers` uses for `trackers`."""
    return tracker_display_names(trackers)


def check_score(trackers: list[Any], score: str | None) -> str | None:
    """Validate the `score=` tracker name.

    Raises:
        ValueError: if no tracker has that name.
    """
    if score is None:
        return None
    names = tracker_names(trackers)
    if score not in names:
        known = ", ".join(repr(n) for n in names) or "none (add jno.np.tracker(expr, name=...))"
        raise ValueError(f"score={score!r} names no tracker of this solver; trackers: {known}")
    return score


def score_of(stats: statistics, score: str | None) -> float:
    """The last finite value of tracker `score`, else the final total loss (lower is better).

    A run that diverged (its training stopped non-finite, see
    `statistics.nonfinite`, or its final total loss is not finite) scores +inf,
    as does a tracker without any finite value.
    """
    if getattr(stats, "nonfinite", None):
        return math.inf
    history = stats.total_loss_history
    last = float(history[-1]) if history.size else math.nan
    if not math.isfinite(last):
        return math.inf
    if score is None:
        return last
    values = np.asarray(stats.trackers.get(score, []), dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    return float(values[-1]) if values.size else math.inf


def run_trial(problem: Problem, index: int, config: Mapping[str, Any], device: Any) -> TrialResult:
    """Train `config` on private copies of the problem, on `device`, and score it.

    Exceptions raised while building or training are caught: the trial scores
    +inf and records the error.
    """
    start = time.perf_counter()
    where = describe_device(device)
    try:
        with jax.default_device(device):
            roots, clones = rebind(problem.constraints + problem.trackers, problem.trainables)
            pairs = list(zip(problem.trainables, clones, strict=True))
            settings = configure(problem.space, config, pairs, key=default_key())
            for clone in clones:
                clone.set_params(jax.device_put(clone.get_params(), device))
            solver = core(roots, problem.domain, mesh=(1, 1), rng_seed=problem.rng_seed)
            stats = solver.solve(**settings)
            score = score_of(stats, problem.score)
            params = jax.device_get([c.get_params() for c in clones])
    except Exception as err:  # a failed trial scores +inf; the sweep goes on
        seconds = time.perf_counter() - start
        return TrialResult(index, dict(config), math.inf, seconds, _message(err), where)
    seconds = time.perf_counter() - start
    error = None if math.isfinite(score) else _diverged(problem.score)
    return TrialResult(index, dict(config), score, seconds, error, where, params, stats)


def _message(err: BaseException) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _diverged(score: str | None) -> str:
    what = "the total loss" if score is None else f"tracker {score!r}"
    return f"non-finite score: {what} has no finite final value (training diverged)"
