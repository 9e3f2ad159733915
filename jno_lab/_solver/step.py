"""The compiled training step: one `jax.jit` function running a chunk of updates.

`chunk(state, data, hyper, n_active) -> (state, records)` is pure: every model and
parameter gets its gradient and its own optax update; learning-rate scales and
constraint weights are evaluated inside; per-step losses are stacked into
`records` on the device. The state buffers are donated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from .._lower.program import Program, check_scalar
from .tracking import TrackerGroup, idle_values, tracker_values


class TrainState(NamedTuple):
    """Everything that changes from step to step."""

    params: tuple[Any, ...]
    opt_states: tuple[Any, ...]
    step: jax.Array
    prev_losses: jax.Array
    key: jax.Array


@dataclass(frozen=True)
class StepConfig:
    """The static description of a step: which trainables train, with what."""

    trainable: tuple[bool, ...]
    transforms: tuple[optax.GradientTransformation | None, ...]
    length: int  # steps per compiled call (the scan length)
    masked: bool  # True: a call runs only its first `n_active` steps (one compile for any epochs)
    batchsize: int | None
    batch_size_total: int
    window: int | None = None  # time steps per training step (min_consecutive); None: all


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


def build_chunk(
    loss_program: Program,
    tracker_groups: list[TrackerGroup],
    n_trackers: int,
    config: StepConfig,
    trace_counter: list[int],
    checkpoint_gradients: bool = False,
) -> Callable[..., Any]:
    """Return the jitted `chunk(state, data, hyper)`; `hyper = (lr_scales, weights)`."""
    n_constraints = len(loss_program.roots)

    def loss_fn(train_params: tuple, frozen: tuple, data: dict, key: jax.Array) -> jax.Array:
        params = tuple(
            tp if flag else fp
            for tp, fp, flag in zip(train_params, frozen, config.trainable, strict=True)
        )
        values = loss_program(params, data, key)
        losses = jnp.stack(
            [
                check_scalar(v, n, "constraint")
                for v, n in zip(values, loss_program.original_roots, strict=True)
            ]
        )
        return losses

    if checkpoint_gradients:  # recompute activations in the backward pass to save memory
        loss_fn = jax.checkpoint(loss_fn)

    def step_data(data: dict, batch_key: jax.Array) -> dict:
        """The data one step sees: a mini-batch of instances, a run of time steps."""
        if config.batchsize is not None:
            idx = jax.random.choice(
                batch_key, config.batch_size_total, (config.batchsize,), replace=False
            )
            data = _select_instances(data, idx)
        if config.window is not None:
            data = _select_window(data, config.window, jax.random.fold_in(batch_key, 1))
        return data

    def one_step(state: TrainState, data: dict, hyper: Any) -> tuple[TrainState, dict]:
        lr_scales, weight_schedule = hyper
        key, batch_key, noise_key = jax.random.split(state.key, 3)
        data = step_data(data, batch_key)
        epoch = state.step.astype(jnp.float32)
        weights = (
            jnp.ones((n_constraints,), jnp.float32)
            if weight_schedule is None
            else weight_schedule(epoch, state.prev_losses)
        )
        trainable_params = tuple(
            p if flag else None for p, flag in zip(state.params, config.trainable, strict=True)
        )
        frozen_params = tuple(
            None if flag else jax.lax.stop_gradient(p)
            for p, flag in zip(state.params, config.trainable, strict=True)
        )

        def total_fn(tp: tuple) -> tuple[jax.Array, jax.Array]:
            losses = loss_fn(tp, frozen_params, data, noise_key)
            return jnp.sum(weights * losses), losses

        (total, losses), grads = jax.value_and_grad(total_fn, has_aux=True)(trainable_params)
        new_params, new_opt_states, lrs = [], [], []
        for i, flag in enumerate(config.trainable):
            if not flag:
                new_params.append(state.params[i])
                new_opt_states.append(state.opt_states[i])
                continue
            transform = config.transforms[i]
            assert transform is not None
            updates, opt_state = transform.update(grads[i], state.opt_states[i], state.params[i])
            scale = lr_scales[i]
            lr = jnp.float32(1.0) if scale is None else scale(epoch, state.prev_losses)
            updates = jax.tree_util.tree_map(lambda u, lr=lr: lr * u, updates)
            new_params.append(optax.apply_updates(state.params[i], updates))
            new_opt_states.append(opt_state)
            lrs.append(lr)
        record = {
            "total": total,
            "losses": losses,
            "weights": weights,
            "lrs": jnp.stack(lrs) if lrs else jnp.zeros((0,), jnp.float32),
        }
        if tracker_groups:
            record["trackers"] = tracker_values(
                tracker_groups, n_trackers, state.step, state.params, data, noise_key
            )
        new_state = TrainState(
            tuple(new_params), tuple(new_opt_states), state.step + 1, losses, key
        )
        return new_state, record

    def chunk(
        state: TrainState, data: dict, hyper: Any, n_active: jax.Array
    ) -> tuple[TrainState, dict]:
        trace_counter[0] += 1
        if not config.masked:
            return jax.lax.scan(
                lambda s, _: one_step(s, data, hyper), state, None, length=config.length
            )
        idle = _idle_record(n_constraints, sum(config.trainable))
        if tracker_groups:
            # shapes as a step sees them (mini-batch and time window applied)
            idle["trackers"] = idle_values(
                tracker_groups, n_trackers, state.params, step_data(data, state.key), state.key
            )

        def body(s: TrainState, i: jax.Array) -> tuple[TrainState, dict]:
            return jax.lax.cond(
                i < n_active, lambda s: one_step(s, data, hyper), lambda s: (s, idle), s
            )

        return jax.lax.scan(body, state, jnp.arange(config.length))

    return jax.jit(chunk, donate_argnums=(0,))


def _idle_record(n_constraints: int, n_trained: int) -> dict[str, Any]:
    """The record of a step that did not run (same structure as `one_step`'s record)."""
    return {
        "total": jnp.zeros((), jnp.float32),
        "losses": jnp.zeros((n_constraints,), jnp.float32),
        "weights": jnp.zeros((n_constraints,), jnp.float32),
        "lrs": jnp.zeros((n_trained,), jnp.float32),
    }


def init_opt_states(params: tuple, config: StepConfig) -> tuple:
    """Initial optax states (None for frozen trainables)."""
    return tuple(
        t.init(p) if flag and t is not None else None
        for p, t, flag in zip(params, config.transforms, config.trainable, strict=True)
    )
