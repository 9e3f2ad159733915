"""Trackers inside the compiled step: each interval group is computed only when due.

Trackers with the same interval share one lowered program, evaluated under a
`lax.cond` on `step % interval == 0`, so an expensive diagnostic logged every
500 steps costs nothing on the other 499. A tracker's value keeps its shape
(scalars, vectors such as an NTK spectrum); steps where it is not due record NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from .._lower.program import Program
from .._trace.nodes import Tracker


@dataclass(frozen=True, kw_only=True)
class TrackerGroup:
    """Trackers logged at one interval: their program and positions among all trackers."""

    interval: int
    program: Program
    indices: tuple[int, ...]


def group_trackers(trackers: list[Tracker], trainables: list[Any]) -> list[TrackerGroup]:
    """One group per distinct interval, in first-seen order."""
    by_interval: dict[int, list[int]] = {}
    for i, tracker in enumerate(trackers):
        by_interval.setdefault(tracker.interval, []).append(i)
    return [
        TrackerGroup(
            interval=interval,
            program=Program([trackers[i] for i in idx], trainables),
            indices=tuple(idx),
        )
        for interval, idx in by_interval.items()
    ]


def _as_float(value: jax.Array) -> jax.Array:
    """float32; a single number (e.g. a `(1,)` parameter) becomes a scalar."""
    value = jnp.asarray(value, jnp.float32)
    return jnp.reshape(value, ()) if value.size == 1 else value


def _group_values(group: TrackerGroup, params: tuple, data: dict, key: jax.Array) -> list:
    return [_as_float(v) for v in group.program(params, data, key)]


def _nan_like(shapes: list[jax.ShapeDtypeStruct]) -> list[jax.Array]:
    return [jnp.full(s.shape, jnp.nan, jnp.float32) for s in shapes]


def idle_values(
    groups: Sequence[TrackerGroup], n_trackers: int, params: tuple, data: dict, key: jax.Array
) -> tuple[jax.Array, ...]:
    """NaN values of the right shapes for every tracker (a step that logged nothing)."""
    out: list[Any] = [None] * n_trackers
    for group in groups:
        shapes = jax.eval_shape(lambda p, g=group: _group_values(g, p, data, key), params)
        for i, value in zip(group.indices, _nan_like(shapes), strict=True):
            out[i] = value
    return tuple(out)


def tracker_values(
    groups: Sequence[TrackerGroup],
    n_trackers: int,
    step: jax.Array,
    params: tuple,
    data: dict,
    key: jax.Array,
) -> tuple[jax.Array, ...]:
    """Every tracker's value at this step (NaN for those whose interval is not due)."""
    out: list[Any] = [None] * n_trackers
    for group in groups:
        shapes = jax.eval_shape(lambda p, g=group: _group_values(g, p, data, key), params)
        values = jax.lax.cond(
            step % group.interval == 0,
            lambda p, g=group: _group_values(g, p, data, key),
            lambda p, s=shapes: _nan_like(s),
            params,
        )
        for i, value in zip(group.indices, values, strict=True):
            out[i] = value
    return tuple(out)
