"""A solver's lowered programs, the data they read, and their compiled chunks of steps."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .._adaptive.balancer import BalancerWeights
from .._lower.analysis import ExpressionError, single_domain
from .._lower.program import Program
from .._trace.nodes import Placeholder, Tracker
from .mesh import check_mesh, place_state, shard_data
from .step import StepConfig, build_chunk
from .step_setup import batch_total
from .tracking import group_trackers


def split_constraints(constraints: Any) -> tuple[list[Placeholder], list[Tracker]]:
    """`jno.core`'s first argument as (loss expressions, trackers), checked."""
    given = list(constraints) if isinstance(constraints, list | tuple) else [constraints]
    for i, c in enumerate(given):
        if not isinstance(c, Placeholder):
            raise TypeError(
                f"constraint {i} is a {type(c).__name__}, not an expression; build constraints "
                "from domain variables and models, e.g. pde.mse"
            )
    losses = [c for c in given if not isinstance(c, Tracker)]
    if not losses:
        raise ValueError("jno.core needs at least one constraint (trackers alone train nothing)")
    return losses, [c for c in given if isinstance(c, Tracker)]


def build_programs(crux: Any) -> Any:
    """Lower the constraints and trackers; returns the domain they use (or None)."""
    crux.balancers = find_balancers(crux.constraints)
    balancer_inputs = [loss for b in crux.balancers for loss in b.inputs]
    crux._loss_program = Program(crux.constraints + balancer_inputs)
    crux._tracker_program = (
        Program(crux.trackers, crux._loss_program.trainables) if crux.trackers else None
    )
    crux.trainables = (crux._tracker_program or crux._loss_program).trainables
    found = single_domain(crux._loss_program.analysis, "jno.core")
    if crux._tracker_program is not None:
        tracker_domain = single_domain(crux._tracker_program.analysis, "the trackers")
        if found is not None and tracker_domain not in (None, found):
            raise ExpressionError("the trackers use a different domain than the constraints")
        found = found or tracker_domain
    crux._tracker_groups = group_trackers(crux.trackers, crux.trainables)
    return found


def find_balancers(constraints: list[Placeholder]) -> list[Any]:
    """The balancers whose weights the constraints use, in first-seen order."""
    found: dict[int, Any] = {}
    for c in constraints:
        for node in c.walk():
            if isinstance(node, BalancerWeights):
                found.setdefault(id(node.balancer), node.balancer)
    return list(found.values())


def bind_data(crux: Any) -> dict:
    """The training data of the constraints and trackers (bound once, then kept)."""
    if crux._data is None:
        data = crux._loss_program.bind(crux.domain)
        if crux._tracker_program is not None:
            tracker_data = crux._tracker_program.bind(crux.domain)
            data = {
                "groups": {**tracker_data["groups"], **data["groups"]},
                "tensors": {**tracker_data["tensors"], **data["tensors"]},
            }
        crux._data = data
    return crux._data


def check_optimizers(crux: Any) -> None:
    """Raise a ValueError naming the first trainable that would train without an optimizer."""
    for t in crux._loss_program.trainables:
        if not t.frozen and not t.has_optimizer:
            kind = "parameter" if hasattr(t, "value") else "model"
            raise ValueError(
                f"`{t.describe()}.optimizer(...)` has not been called for {kind} "
                f"{t.describe()!r}: every trainable {kind} needs an optimizer before solve(), "
                f"e.g. {t.describe()}.optimizer(optax.adam(1e-3)), or {t.describe()}.freeze()"
            )


def chunk_fn(crux: Any, config: StepConfig) -> Any:
    """The compiled chunk of steps for `config` (built once per config)."""
    if config not in crux._chunks:
        crux._chunks[config] = build_chunk(
            crux._loss_program,
            crux._tracker_groups,
            len(crux.trackers),
            config,
            crux._trace_counter,
            len(crux.constraints),
            tuple(crux.balancers),
            crux._device_mesh,
        )
    return crux._chunks[config]


def compile_step(crux: Any, mesh: tuple[int, ...] | None, fused_steps: int) -> None:
    """`core.compile`: lower and compile the fused training chunk now."""
    check_mesh(mesh)
    check_optimizers(crux)
    for t in crux.trainables:
        t.before_solve()
    config = crux._config(fused_steps, True, None, window=1)
    state = crux._initial_state(config)
    data = crux._bind()
    if crux._device_mesh is not None:  # compile for the shardings solve() uses
        state = place_state(state, crux._device_mesh)
        data = shard_data(data, crux._device_mesh, batch_total(crux))
    n_active = jnp.asarray(1, jnp.int32)
    chunk_fn(crux, config).lower(state, data, crux._hyper(None, config), n_active).compile()
