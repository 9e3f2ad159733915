"""Schedules that cannot be compiled, evaluated on the host instead.

A schedule such as `lrs(lambda epoch, losses: 1e-3 if losses[0] > 1e-2 else 1e-5)`
uses Python control flow on the losses, which `jit` cannot trace. Such schedules
are called eagerly before every step with the previous step's losses, and the
step receives their value as a constant (the same compiled step for any value).
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._schedules import LearningRateSchedule, WeightSchedule


def _traceable(schedule: Any, n_constraints: int) -> bool:
    if schedule is None or getattr(schedule, "fn", None) is None:
        return True
    try:
        jax.eval_shape(
            schedule,
            jax.ShapeDtypeStruct((), jnp.float32),
            jax.ShapeDtypeStruct((n_constraints,), jnp.float32),
        )
    except jax.errors.ConcretizationTypeError:
        return False
    return True


def host_schedules(hyper: tuple, n_constraints: int) -> bool:
    """True when some schedule of `hyper` has to run on the host (and warn once about it)."""
    scales, weights = hyper[0], hyper[1]
    flat = [s for group in scales for s in group]
    untraceable = [s for s in (*flat, weights) if not _traceable(s, n_constraints)]
    if untraceable:
        warnings.warn(
            "a schedule uses Python control flow on the epoch or the losses, so it is evaluated "
            "on the host before every step (slower). Write it with jnp.where to compile it.",
            stacklevel=3,
        )
    return bool(untraceable)


def evaluate(hyper: tuple, step: int, losses: np.ndarray, n_constraints: int) -> tuple:
    """`hyper` with every untraceable schedule replaced by its value now."""
    scales, weights = hyper[0], hyper[1]
    epoch = np.float32(step)
    new_scales = tuple(
        tuple(
            s
            if _traceable(s, n_constraints)
            else LearningRateSchedule.constant(float(s(epoch, losses)))
            for s in group
        )
        for group in scales
    )
    if not _traceable(weights, n_constraints):
        weights = WeightSchedule([float(w) for w in weights(epoch, losses)])
    return (new_scales, weights, *hyper[2:])
