"""The compiled training step: one `jax.jit` function running a chunk of updates.

`chunk(state, data, hyper, n_active) -> (state, records)` is pure: every model and
parameter group gets its gradient and its own optax update; learning-rate scales,
constraint weights and loss balancers are evaluated inside; micro-batches are
accumulated with a `lax.scan`; per-step losses are stacked into `records` on the
device. The state buffers are donated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._lower.program import Program, check_scalar
from .tracking import TrackerGroup, idle_values, tracker_values
from .update import GroupSpec, apply_groups, init_group_states


class TrainState(NamedTuple):
    """Everything that changes from step to step.

    `opt_states[s][i][g]`: optax state of substep `s`, trainable `i`, group `g`;
    `sched_states[i][g]`: state of that group's learning-rate schedule (`dlrs`);
    `balancer_states[b]`: state of balancer `b` (its current weights included).
    """

    params: tuple[Any, ...]
    opt_states: tuple[Any, ...]
    step: jax.Array
    prev_losses: jax.Array
    key: jax.Array
    sched_states: tuple[Any, ...] = ()
    balancer_states: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Substep:
    """One stage of alternating optimisation: its constraints, steps and trained models."""

    constraints: tuple[int, ...]
    repeats: int
    active: tuple[bool, ...]  # per trainable: does it appear in these constraints


@dataclass(frozen=True)
class StepConfig:
    """The static description of a step: which trainables train, with what."""

    trainable: tuple[bool, ...]
    groups: tuple[tuple[GroupSpec, ...], ...]  # per trainable
    length: int  # steps per compiled call (the scan length)
    masked: bool  # True: a call runs only its first `n_active` steps (one compile for any epochs)
    batchsize: int | None
    batch_size_total: int
    window: int | None = None  # time steps per training step (min_consecutive); None: all
    accumulation: int = 1
    substeps: tuple[Substep, ...] | None = None
    checkpoint: int | None = None  # rows per rematerialised chunk (checkpoint_gradients)
    offload: bool = False  # the data argument holds one pre-drawn mini-batch per step
    balancers: tuple[tuple[int, int], ...] = ()  # (trainable index, first input root) each

    @property
    def transforms(self) -> tuple[Any, ...]:
        """Per trainable: its groups' transformations (None when nothing trains)."""
        return tuple(
            tuple(g.transform for g in groups) if flag and groups else None
            for groups, flag in zip(self.groups, self.trainable, strict=True)
        )


def _select_instances(data: dict, idx: jax.Array) -> dict:
    """The mini-batch of problem instances `idx` (time grids are shared, not selected)."""

    def select(group: dict) -> dict:
        normals = group["n"]
        return {
            "x": group["x"][idx],
            "t": group["t"],
            "n": None if normals is None else normals[idx],
        }

    groups = {tag: select(g) for tag, g in data["groups"].items()}
    return {"groups": groups, "tensors": {k: v[idx] for k, v in data["tensors"].items()}}


def _select_window(data: dict, window: int, key: jax.Array) -> dict:
    """A random run of `window` consecutive time steps of every timed tag."""
    groups = {}
    for i, (tag, group) in enumerate(sorted(data["groups"].items())):
        times = group["t"]
        if times is not None and times.shape[0] > window:
            start = jax.random.randint(
                jax.random.fold_in(key, i), (), 0, times.shape[0] - window + 1
            )
            group = {**group, "t": jax.lax.dynamic_slice(times, (start,), (window,))}
        groups[tag] = group
    return {"groups": groups, "tensors": data["tensors"]}


def batch_indices(key: jax.Array, config: StepConfig) -> jax.Array:
    """The instances of one step: `(accumulation, batchsize)` drawn without replacement."""
    assert config.batchsize is not None
    n = config.batchsize * config.accumulation
    idx = jax.random.choice(key, config.batch_size_total, (n,), replace=False)
    return idx.reshape(config.accumulation, config.batchsize)


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
    """Return the jitted `chunk(state, data, hyper, n_active)`.

    With a device `mesh`, the returned state's parameters and optimizer states
    keep their `model`-axis sharding (see `mesh.place_state`).

    `hyper = (lr_scales, weights, balancers)`: per trainable a tuple of its groups'
    schedules, the `WeightSchedule` (or None) and the balancers' numbers.
    `loss_program`'s roots are the constraints, then the balancers' input losses.
    """
    n_roots = len(loss_program.roots)
    n_constraints = n_roots if n_constraints is None else n_constraints
    n_trainables = len(config.trainable)

    def loss_fn(train_params: tuple, frozen: tuple, data: dict, key: jax.Array) -> jax.Array:
        params = tuple(
            tp if flag else fp
            for tp, fp, flag in zip(train_params, frozen, config.trainable, strict=True)
        )
        values = loss_program(params, data, key, remat_chunk=config.checkpoint)
        return jnp.stack(
            [
                check_scalar(v, n, "constraint")
                for v, n in zip(values, loss_program.original_roots, strict=True)
            ]
        )

    def step_data(data: dict, batch_key: jax.Array) -> dict:
        """The data one step sees: (micro-)batches of instances, a run of time steps.

        With accumulation, every array gets a leading micro-batch axis.
        """
        if config.batchsize is not None and not config.offload:
            idx = batch_indices(batch_key, config)
            if config.accumulation == 1:
                data = _select_instances(data, idx[0])
            else:
                data = jax.vmap(lambda i: _select_instances(data, i))(idx)
        if config.window is not None:
            window_key = jax.random.fold_in(batch_key, 1)
            if config.accumulation == 1:
                data = _select_window(data, config.window, window_key)
            else:
                data = jax.vmap(lambda d: _select_window(d, config.window, window_key))(data)
        return data

    def with_weights(params: tuple, state: TrainState) -> tuple:
        """`params` with each balancer's weight vector set to its current weights."""
        out = list(params)
        for (index, _), bstate in zip(config.balancers, state.balancer_states, strict=True):
            out[index] = bstate["weights"]
        return tuple(out)

    def gradients(
        params: tuple, data: dict, key: jax.Array, weights: jax.Array, selected: jax.Array
    ) -> tuple[jax.Array, jax.Array, tuple]:
        """`(total, all root values, grads)` of `sum(selected * weights * losses)`."""
        trainable_params = tuple(
            p if flag else None for p, flag in zip(params, config.trainable, strict=True)
        )
        frozen_params = tuple(
            None if flag else jax.lax.stop_gradient(p)
            for p, flag in zip(params, config.trainable, strict=True)
        )

        def total_fn(tp: tuple) -> tuple[jax.Array, jax.Array]:
            values = loss_fn(tp, frozen_params, data, key)
            return jnp.sum(selected * weights * values[:n_constraints]), values

        if config.accumulation == 1:
            (total, values), grads = jax.value_and_grad(total_fn, has_aux=True)(trainable_params)
            return total, values, grads

        def micro(carry: tuple, micro_data: dict) -> tuple[tuple, None]:
            total_sum, values_sum, grads_sum = carry

            def micro_total(tp: tuple) -> tuple[jax.Array, jax.Array]:
                values = loss_fn(tp, frozen_params, micro_data, key)
                return jnp.sum(selected * weights * values[:n_constraints]), values

            (t, v), g = jax.value_and_grad(micro_total, has_aux=True)(trainable_params)
            grads_sum = jax.tree_util.tree_map(jnp.add, grads_sum, g)
            return (total_sum + t, values_sum + v, grads_sum), None

        zeros = jax.tree_util.tree_map(jnp.zeros_like, trainable_params)
        init = (jnp.zeros((), jnp.float32), jnp.zeros((n_roots,), jnp.float32), zeros)
        (total, values, grads), _ = jax.lax.scan(micro, init, data)
        k = float(config.accumulation)
        grads = jax.tree_util.tree_map(lambda g: g / k, grads)
        return total / k, values / k, grads

    def value_fn_for(
        params: tuple, data: dict, key: jax.Array, weights: jax.Array, selected: jax.Array
    ) -> Callable[[int, Any], jax.Array]:
        """Per trainable `i`: the weighted total as a function of its own parameters."""

        def value_of(i: int, own: Any) -> jax.Array:
            changed = tuple(own if j == i else p for j, p in enumerate(params))
            frozen = tuple(jax.lax.stop_gradient(p) for p in changed)
            values = loss_fn(changed, frozen, data, key)
            return jnp.sum(selected * weights * values[:n_constraints])

        return value_of

    def update_all(
        params: tuple,
        opt_states: tuple,
        sched_states: tuple,
        scales: tuple,
        active: tuple[bool, ...],
        epoch: jax.Array,
        prev_losses: jax.Array,
        values: jax.Array,
        total: jax.Array,
        grads: tuple,
        value_of: Callable[[int, Any], jax.Array] | None,
        lrs: list,
    ) -> tuple[tuple, tuple, tuple]:
        new_params, new_opt, new_sched = list(params), list(opt_states), list(sched_states)
        position = 0
        for i in range(n_trainables):
            groups = config.groups[i] if config.trainable[i] else ()
            if not groups:
                continue
            if active[i]:
                fn = None if value_of is None else (lambda own, i=i: value_of(i, own))
                new_params[i], new_opt[i], new_sched[i], group_lrs = apply_groups(
                    groups,
                    scales[i],
                    params[i],
                    grads[i],
                    opt_states[i],
                    sched_states[i],
                    epoch,
                    prev_losses,
                    values[:n_constraints],
                    total,
                    fn,
                )
                for g, lr in enumerate(group_lrs):
                    lrs[position + g] = lr
            position += len(groups)
        return tuple(new_params), tuple(new_opt), tuple(new_sched)

    def one_step(state: TrainState, data: dict, hyper: Any) -> tuple[TrainState, dict]:
        lr_scales, weight_schedule, balancer_numbers = hyper
        key, batch_key, noise_key = jax.random.split(state.key, 3)
        data = step_data(data, batch_key)
        epoch = state.step.astype(jnp.float32)
        weights = (
            jnp.ones((n_constraints,), jnp.float32)
            if weight_schedule is None
            else weight_schedule(epoch, state.prev_losses)
        )
        params = with_weights(state.params, state)
        lrs = [jnp.zeros((), jnp.float32)] * n_group_columns
        all_on = jnp.ones((n_constraints,), jnp.float32)
        if config.substeps is None:
            total, values, grads = gradients(params, data, noise_key, weights, all_on)
            value_of = (
                value_fn_for(params, data, noise_key, weights, all_on)
                if config.accumulation == 1
                else None
            )
            new_params, opt_state, sched_states = update_all(
                params,
                state.opt_states[0],
                state.sched_states,
                lr_scales,
                (True,) * n_trainables,
                epoch,
                state.prev_losses,
                values,
                total,
                grads,
                value_of,
                lrs,
            )
            opt_states = (opt_state,)
            record_total, record_values = total, values
        else:
            record_total = record_values = None
            opt_states_list = list(state.opt_states)
            sched_states = state.sched_states
            new_params = params
            for s, sub in enumerate(config.substeps):
                selected = (
                    jnp.zeros((n_constraints,), jnp.float32).at[jnp.array(sub.constraints)].set(1)
                )
                for _ in range(sub.repeats):
                    total, values, grads = gradients(new_params, data, noise_key, weights, selected)
                    if record_values is None:  # the losses at the start of the epoch
                        record_values = values
                        record_total = jnp.sum(weights * values[:n_constraints])
                    value_of = (
                        value_fn_for(new_params, data, noise_key, weights, selected)
                        if config.accumulation == 1
                        else None
                    )
                    new_params, opt_states_list[s], sched_states = update_all(
                        new_params,
                        opt_states_list[s],
                        sched_states,
                        lr_scales,
                        sub.active,
                        epoch,
                        state.prev_losses,
                        values,
                        total,
                        grads,
                        value_of,
                        lrs,
                    )
            opt_states = tuple(opt_states_list)
        assert record_values is not None
        assert record_total is not None
        losses = record_values[:n_constraints]
        balancer_states = tuple(
            rule.observe(bstate, numbers, record_values[first : first + rule.n], state.step)
            for rule, numbers, bstate, (_, first) in zip(
                balancer_rules,
                balancer_numbers,
                state.balancer_states,
                config.balancers,
                strict=True,
            )
        )
        record = {
            "total": record_total,
            "losses": losses,
            "weights": weights,
            "lrs": jnp.stack(lrs) if lrs else jnp.zeros((0,), jnp.float32),
        }
        if config.balancers:
            record["balancer_weights"] = tuple(b["weights"] for b in state.balancer_states)
            record["balancer_inputs"] = tuple(
                record_values[first : first + rule.n]
                for rule, (_, first) in zip(balancer_rules, config.balancers, strict=True)
            )
        if tracker_groups:
            record["trackers"] = tracker_values(
                tracker_groups, n_trackers, state.step, params, data_view(data), noise_key
            )
        new_state = TrainState(
            tuple(new_params),
            opt_states,
            state.step + 1,
            losses,
            key,
            sched_states,
            balancer_states,
        )
        return new_state, record

    def data_view(data: dict) -> dict:
        """One micro-batch's data (trackers read a single batch)."""
        if config.accumulation == 1:
            return data
        return jax.tree_util.tree_map(lambda a: a[0], data)

    n_group_columns = sum(
        len(groups) for groups, flag in zip(config.groups, config.trainable, strict=True) if flag
    )

    def chunk(
        state: TrainState, data: dict, hyper: Any, n_active: jax.Array
    ) -> tuple[TrainState, dict]:
        trace_counter[0] += 1
        if config.offload:  # data: one pre-drawn batch per step, on a leading axis
            xs = (jnp.arange(config.length), data)
        else:
            xs = (jnp.arange(config.length), None)

        def run(s: TrainState, batch: Any) -> tuple[TrainState, dict]:
            return one_step(s, data if batch is None else batch, hyper)

        if not config.masked:
            return keep_sharding(*jax.lax.scan(lambda s, x: run(s, x[1]), state, xs))
        example = data if not config.offload else jax.tree_util.tree_map(lambda a: a[0], data)
        idle = _idle_record(n_constraints, n_group_columns)
        if config.balancers:
            idle["balancer_weights"] = tuple(
                jnp.zeros_like(b["weights"]) for b in state.balancer_states
            )
            idle["balancer_inputs"] = idle["balancer_weights"]
        if tracker_groups:
            # shapes as a step sees them (mini-batch and time window applied)
            idle["trackers"] = idle_values(
                tracker_groups,
                n_trackers,
                with_weights(state.params, state),
                data_view(step_data(example, state.key)),
                state.key,
            )

        def body(s: TrainState, x: Any) -> tuple[TrainState, dict]:
            i, batch = x
            return jax.lax.cond(i < n_active, lambda s: run(s, batch), lambda s: (s, idle), s)

        return keep_sharding(*jax.lax.scan(body, state, xs))

    def keep_sharding(state: TrainState, records: dict) -> tuple[TrainState, dict]:
        if mesh is None:
            return state, records
        from .mesh import constrain_params

        params = constrain_params(state.params, mesh)
        return state._replace(
            params=params, opt_states=constrain_params(state.opt_states, mesh)
        ), records

    return jax.jit(chunk, donate_argnums=(0,))


def _idle_record(n_constraints: int, n_columns: int) -> dict[str, Any]:
    """The record of a step that did not run (same structure as `one_step`'s record)."""
    return {
        "total": jnp.zeros((), jnp.float32),
        "losses": jnp.zeros((n_constraints,), jnp.float32),
        "weights": jnp.zeros((n_constraints,), jnp.float32),
        "lrs": jnp.zeros((n_columns,), jnp.float32),
    }


def init_opt_states(params: tuple, config: StepConfig) -> tuple:
    """Initial optax states per trainable (None for those that do not train)."""
    return tuple(
        init_group_states(groups, p) if flag and groups else None
        for p, groups, flag in zip(params, config.groups, config.trainable, strict=True)
    )


__all__ = ["StepConfig", "Substep", "TrainState", "build_chunk", "init_opt_states"]
