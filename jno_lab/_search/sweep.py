"""`run_sweep`: the search behind `core.sweep`."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jax
import jax.numpy as jnp
from tqdm import tqdm

from .._config import default_key
from .._solver.statistics import statistics
from .configure import configure
from .devices import resolve_devices
from .dimensions import build_search_space
from .search import make_search
from .space import ArchSpace
from .trial import Problem, TrialResult, check_score, run_trial


def run_sweep(
    crux: Any,
    space: ArchSpace | None = None,
    optimizer: Any = "NGOpt",
    budget: int | None = None,
    devices: Any = None,
    *,
    score: str | None = None,
) -> statistics:
    """Search training settings and model architectures; keep the best.

    The search space is `space` (training settings: epochs, optimizer,
    learning_rate, weight_schedule, batchsize, inner_steps) plus the parameters of
    every tunable model among the solver's trainables (`jno.nn.wrap(Class,
    space=...)`, keys prefixed with the model's name, e.g. `"u_net.hid"`) plus the
    models' `tune(...)` options (`"u_net.lr"`, ...). Every trial re-builds the
    tunable models (`key=jno.get_seed()`'s key), attaches the optimizers, and trains
    a fresh solver over private copies of the models, starting from the models'
    current parameters. Trials run side by side, one per device.

    Args:
        crux: the solver (`jno.core`).
        space: the training settings to search (`jno.np.tune.space()`), or None.
        optimizer: a nevergrad optimizer name (`"NGOpt"`, `"OnePlusOne"`, `"CMA"`,
            ...), class or configured optimizer from `ng.optimizers`, or None for an
            exhaustive grid (then `budget` is ignored).
        budget: number of configurations to train (nevergrad only).
        devices: None (all devices), an int n (the first n), a platform ("cpu",
            "gpu"), or a list of device indices.
        score: the name of a tracker whose last finite value is the score; by
            default the final total loss. Lower is better.

    Returns:
        The best trial's training statistics. `crux.best_config` (key -> value)
        and `crux.sweep_results` (one JSON-friendly row per trial, in trial order:
        trial, config, score, seconds, error, device) are set, and the models hold
        the best configuration, its optimizers and its trained parameters.

    Raises:
        ValueError, TypeError: for a bad space, optimizer,
            budget, devices or score, before any training.
        RuntimeError: if every trial failed (with the first trial's error).

    Example:
        >>> import jax, optax, jno_lab as jno
        >>> from jno_lab._search import tune
        >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
        >>> p = jno.np.parameter((1,), name="p", init=0.0)
        >>> crux = jno.core([(p - 3.0).mse], dom)
        >>> space = tune.space().unique("epochs", [50]).unique("optimizer", [optax.sgd])
        >>> space = space.unique("learning_rate", [1e-6, 1e-1])
        >>> stats = crux.sweep(space, optimizer=None)
        >>> crux.best_config["learning_rate"]
        0.1
    """
    search_space = build_search_space(crux.trainables, space)
    score = check_score(crux.trackers, score)
    chosen = resolve_devices(devices)
    search = make_search(optimizer, search_space, budget, len(chosen))
    problem = Problem(
        list(crux.constraints),
        list(crux.trackers),
        crux.domain,
        list(crux.trainables),
        search_space,
        score,
        crux.rng_seed,
    )
    results: list[TrialResult] = []
    best: TrialResult | None = None
    bar = tqdm(total=search.total, desc="sweep", unit="trial", disable=None)
    pool = (
        ThreadPoolExecutor(len(chosen), thread_name_prefix="jno-sweep") if len(chosen) > 1 else None
    )
    try:
        while batch := search.ask(len(chosen)):
            first = len(results)
            jobs = [(problem, first + i, p.config, chosen[i]) for i, p in enumerate(batch)]
            if pool is None:
                outcomes = [run_trial(*job) for job in jobs]
            else:
                futures = [pool.submit(run_trial, *job) for job in jobs]
                outcomes = [f.result() for f in futures]
            search.tell(batch, [o.score for o in outcomes])
            for outcome in outcomes:
                if outcome.ok and (best is None or outcome.score < best.score):
                    if best is not None:
                        best.params, best.stats = None, None  # keep one set of weights
                    best = outcome
                elif outcome is not best:
                    outcome.params, outcome.stats = None, None
            results.extend(outcomes)
            bar.update(len(outcomes))
            if best is not None:
                bar.set_postfix(best=f"{best.score:.3e}")
    finally:
        bar.close()
        if pool is not None:
            pool.shutdown(wait=True)

    crux.sweep_results = [r.row() for r in results]
    if best is None:
        crux.best_config = None
        first_error = results[0].error if results else "no configuration was proposed"
        raise RuntimeError(
            f"all {len(results)} trial(s) of the sweep failed; first error: {first_error}"
        )
    crux.best_config = dict(best.config)
    _adopt(crux, problem, best)
    assert best.stats is not None
    return best.stats


def _adopt(crux: Any, problem: Problem, best: TrialResult) -> None:
    """Give the user's models the best configuration, optimizers and trained parameters."""
    trainables: Sequence[Any] = problem.trainables
    pairs = [(t, t) for t in trainables]
    configure(problem.space, best.config, pairs, key=default_key())
    assert best.params is not None
    for t, params in zip(trainables, best.params, strict=True):
        t.set_params(jax.tree_util.tree_map(jnp.asarray, params))
    crux.reset_compiled()  # its compiled functions were traced with the old architectures


__all__ = ["run_sweep"]
