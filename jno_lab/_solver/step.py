"""The compiled training step: one `jax.jit` function running a chunk of updates.

`chunk(state, data, hyper, n_active) -> (state, records)` is pure, built from
the pure functions of this module and its neighbours:

- `batch.select_batch`: the data one step sees (mini-batch, run of time steps);
- `step_losses.evaluate`: loss values and their gradients (micro-batches
  accumulated with a `lax.scan`);
- `update.apply_updates`: every model and parameter group gets its own optax
  update, with its learning-rate scale evaluated inside;
- `one_step`: one step, as a sequence of substeps (without `substeps=`, one
  substep over every constraint), then the balancers and the step's record;
- `one_chunk`: `config.length` steps in a `lax.scan`, each checked by the
  non-finite guard (`nonfinite`), the steps past `n_active` skipped when masked.

Per-step losses are stacked into `records` on the device. The state buffers are
donated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .._lower.program import Program
from .batch import first_micro_batch, select_batch
from .mesh import constrain_params
from .nonfinite import (
    NONFINITE_LOSS,
    NONFINITE_PARAMETERS,
    NonFiniteWarning,
    choose,
    nonfinite_message,
    nonfinite_record,
    nonfinite_summary,
    step_code,
)
from .step_losses import evaluate
from .step_state import (
    StepConfig,
    StepContext,
    Substep,
    TrainState,
    idle_record,
    init_opt_states,
)
from .tracking import TrackerGroup, idle_values, tracker_values
from .update import UpdateInputs, apply_updates


def with_balancer_weights(config: StepConfig, state: TrainState) -> tuple:
    """The state's parameters with each balancer's weight vector set to its current weights."""
    out = list(state.params)
    for (index, _), bstate in zip(config.balancers, state.balancer_states, strict=True):
        out[index] = bstate["weights"]
    return tuple(out)


def constraint_weights(ctx: StepContext, weight_schedule: Any, state: TrainState) -> jax.Array:
    """This step's constraint weights: the `WeightSchedule`'s, or ones without one."""
    if weight_schedule is None:
        return jnp.ones((ctx.n_constraints,), jnp.float32)
    return weight_schedule(state.step.astype(jnp.float32), state.prev_losses)


def one_step(
    ctx: StepContext, state: TrainState, data: dict, hyper: Any
) -> tuple[TrainState, dict]:
    """One training step: `(new state, record)`.

    `hyper = (lr_scales, weights, balancers)`: per trainable a tuple of its groups'
    schedules, the `WeightSchedule` (or None) and the balancers' numbers. Each
    substep updates its trainables `repeats` times on its constraints, with its
    own optimizer states; the record holds the losses at the start of the step.
    """
    config, n = ctx.config, ctx.n_constraints
    lr_scales, weight_schedule, _ = hyper
    key, batch_key, noise_key = jax.random.split(state.key, 3)
    data = select_batch(config, data, batch_key)
    epoch = state.step.astype(jnp.float32)
    weights = constraint_weights(ctx, weight_schedule, state)
    start_params = params = with_balancer_weights(config, state)
    lrs: list[jax.Array] = [jnp.zeros((), jnp.float32)] * config.n_group_columns
    opt_states = list(state.opt_states)
    sched_states = state.sched_states
    first: tuple[jax.Array, jax.Array] | None = None  # the step's (total, root values)
    for s, substep in enumerate(config.plan(n)):
        selected = substep.selection(n)
        for _ in range(substep.repeats):
            losses = evaluate(ctx, params, data, noise_key, weights, selected)
            if first is None:  # the record: every constraint, before any update
                everything = substep.selects_all(n)
                total = losses.total if everything else jnp.sum(weights * losses.values[:n])
                first = (total, losses.values)
            params, opt_states[s], sched_states, step_lrs = apply_updates(
                config.trained_groups,
                params=params,
                grads=losses.grads,
                opt_states=opt_states[s],
                sched_states=sched_states,
                scales=lr_scales,
                active=substep.active,
                inputs=UpdateInputs(epoch, state.prev_losses, losses.values[:n], losses.total),
                value_of=losses.value_of,
            )
            lrs = [old if new is None else new for old, new in zip(lrs, step_lrs, strict=True)]
    assert first is not None, "a step has at least one substep"
    balancer_states = observe_balancers(ctx, state, hyper, first[1])
    record = step_record(ctx, state, hyper, first, weights, lrs)
    if ctx.tracker_groups:
        record["trackers"] = tracker_values(
            ctx.tracker_groups,
            ctx.n_trackers,
            state.step,
            start_params,
            first_micro_batch(config, data),
            noise_key,
        )
    new_state = TrainState(
        params=tuple(params),
        opt_states=tuple(opt_states),
        step=state.step + 1,
        prev_losses=first[1][:n],
        key=key,
        sched_states=sched_states,
        balancer_states=balancer_states,
        halted=state.halted,
    )
    return new_state, record


def observe_balancers(
    ctx: StepContext, state: TrainState, hyper: Any, values: jax.Array
) -> tuple[Any, ...]:
    """Each balancer's next state, from its input losses at the start of the step."""
    return tuple(
        rule.observe(bstate, numbers, values[first : first + rule.n], state.step)
        for rule, numbers, bstate, (_, first) in zip(
            ctx.balancer_rules, hyper[2], state.balancer_states, ctx.config.balancers, strict=True
        )
    )


def step_record(
    ctx: StepContext,
    state: TrainState,
    hyper: Any,
    first: tuple[jax.Array, jax.Array],
    weights: jax.Array,
    lrs: list[jax.Array],
) -> dict[str, Any]:
    """What a step logs: total, per-constraint losses, weights, learning rates, balancers."""
    total, values = first
    record: dict[str, Any] = {
        "total": total,
        "losses": values[: ctx.n_constraints],
        "weights": weights,
        "lrs": jnp.stack(lrs) if lrs else jnp.zeros((0,), jnp.float32),
    }
    if ctx.config.balancers:
        record["balancer_weights"] = tuple(b["weights"] for b in state.balancer_states)
        record["balancer_inputs"] = tuple(
            values[first : first + rule.n]
            for rule, (_, first) in zip(ctx.balancer_rules, ctx.config.balancers, strict=True)
        )
    return record


def skipped_record(ctx: StepContext, state: TrainState, data: dict) -> dict[str, Any]:
    """The record of a step that does not run (same structure and shapes as a step's)."""
    config = ctx.config
    record = idle_record(ctx.n_constraints, config.n_group_columns)
    if config.balancers:
        record["balancer_weights"] = tuple(
            jnp.zeros_like(b["weights"]) for b in state.balancer_states
        )
        record["balancer_inputs"] = record["balancer_weights"]
    if ctx.tracker_groups:
        example = jax.tree_util.tree_map(lambda a: a[0], data) if config.offload else data
        # shapes as a step sees them (mini-batch and time window applied)
        record["trackers"] = idle_values(
            ctx.tracker_groups,
            ctx.n_trackers,
            with_balancer_weights(config, state),
            first_micro_batch(config, select_batch(config, example, state.key)),
            state.key,
        )
    return record


def guarded_step(
    ctx: StepContext, state: TrainState, data: dict, hyper: Any
) -> tuple[TrainState, dict]:
    """One step, not applied when it (or an earlier one) is non-finite."""
    new, record = one_step(ctx, state, data, hyper)
    code = step_code(state, new, record["losses"], ctx.config.trainable)
    code = jnp.where(state.halted, 0, code)
    kept = choose(jnp.logical_not(state.halted) & (code == 0), new, state)
    return kept._replace(halted=state.halted | (code != 0)), {**record, "nonfinite": code}


def one_chunk(
    ctx: StepContext, state: TrainState, data: dict, hyper: Any, n_active: jax.Array
) -> tuple[TrainState, dict]:
    """`config.length` steps in one `lax.scan`: `(state, records stacked per step)`.

    With `config.offload`, `data` holds one pre-drawn batch per step on a leading
    axis. When `config.masked`, only the first `n_active` steps run (one compile
    for any number of steps); with the non-finite guard on, no step runs after
    a non-finite one.
    """
    config = ctx.config
    step_fn = guarded_step if config.check_finite else one_step
    xs = (jnp.arange(config.length), data if config.offload else None)

    def run(s: TrainState, batch: Any) -> tuple[TrainState, dict]:
        return step_fn(ctx, s, data if batch is None else batch, hyper)

    if not config.masked:
        state, records = jax.lax.scan(lambda s, x: run(s, x[1]), state, xs)
    else:
        skipped = skipped_record(ctx, state, data)
        if config.check_finite:
            skipped["nonfinite"] = jnp.zeros((), jnp.int32)

        def body(s: TrainState, x: Any) -> tuple[TrainState, dict]:
            # a step past `n_active`, or after a non-finite one, does not run at all
            i, batch = x
            go = i < n_active
            if config.check_finite:
                go = go & jnp.logical_not(s.halted)
            return jax.lax.cond(go, lambda s: run(s, batch), lambda s: (s, skipped), s)

        state, records = jax.lax.scan(body, state, xs)
    if not config.check_finite:
        records = {**records, "nonfinite": jnp.zeros((config.length,), jnp.int32)}
    return keep_sharding(ctx.mesh, state, records)


def keep_sharding(mesh: Any, state: TrainState, records: dict) -> tuple[TrainState, dict]:
    """With a device mesh, keep the parameters' and optimizer states' `model` sharding."""
    if mesh is None:
        return state, records
    return state._replace(
        params=constrain_params(state.params, mesh),
        opt_states=constrain_params(state.opt_states, mesh),
    ), records


def build_chunk(
    loss_program: Program,
    tracker_groups: list[TrackerGroup],
    n_trackers: int,
    config: StepConfig,
    trace_counter: list[int],
    n_constraints: int | None = None,
    balancer_rules: tuple[Any, ...] = (),
    mesh: Any = None,
) -> Callable[..., Any]:
    """Return the jitted `chunk(state, data, hyper, n_active)` (see `one_chunk`).

    With a device `mesh`, the returned state's parameters and optimizer states
    keep their `model`-axis sharding (see `mesh.place_state`). `loss_program`'s
    roots are the constraints, then the balancers' input losses. Every trace
    adds one to `trace_counter[0]`.
    """
    ctx = StepContext(
        program=loss_program,
        config=config,
        n_constraints=len(loss_program.roots) if n_constraints is None else n_constraints,
        tracker_groups=tuple(tracker_groups),
        n_trackers=n_trackers,
        balancer_rules=tuple(balancer_rules),
        mesh=mesh,
    )

    def chunk(
        state: TrainState, data: dict, hyper: Any, n_active: jax.Array
    ) -> tuple[TrainState, dict]:
        trace_counter[0] += 1
        return one_chunk(ctx, state, data, hyper, n_active)

    return jax.jit(chunk, donate_argnums=(0,))


__all__ = [
    "NONFINITE_LOSS",
    "NONFINITE_PARAMETERS",
    "NonFiniteWarning",
    "StepConfig",
    "StepContext",
    "Substep",
    "TrainState",
    "build_chunk",
    "init_opt_states",
    "nonfinite_message",
    "nonfinite_record",
    "nonfinite_summary",
    "one_chunk",
    "one_step",
]
