"""The compiled training step: one `jax.jit` function running a chunk of updates.

`chunk(state, data, hyper, n_active) -> (state, records)` is pure: every model and
parameter group gets its gradient and its own optax update; learning-rate scales,
constraint weights and loss balancers are evaluated inside; micro-batches are
accumulated with a `lax.scan`; per-step losses are stacked into `records` on the
device. The state buffers are donated.

Non-finite guard: after every step the losses and the updated parameters and
optimizer states are checked on the device. The first step that is not finite
is not applied (the whole `TrainState` of the step before is kept: parameters,
optimizer, schedule and balancer states, step counter, last losses and RNG key)
and sets `TrainState.halted`, so every later step, of this chunk or of chunks
already queued, is a no-op. `records["nonfinite"]` marks that step
(`NONFINITE_LOSS` or `NONFINITE_PARAMETERS`, 0 elsewhere); the host reads it at
a chunk boundary and ends training there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._lower.program import Program, check_scalar
from .tracking import TrackerGroup, idle_values, tracker_values
from .update import GroupSpec, apply_groups, init_group_states


class TrainState(NamedTuple):
    """Everything that changes from step to step.

    `opt_states[s][i][g]`: optax state of substep `s`, trainable `i`, group `g`;
    `sched_states[i][g]`: state of that group's learning-rate schedule (`dlrs`);
    `balancer_states[b]`: state of balancer `b` (its current weights included);
    `halted`: a step of this run was not finite, so no later step runs (a bool
    scalar; `core.solve` starts every call with False, and it is not checkpointed).
    """

    params: tuple[Any, ...]
    opt_states: tuple[Any, ...]
    step: jax.Array
    prev_losses: jax.Array
    key: jax.Array
    sched_states: tuple[Any, ...] = ()
    balancer_states: tuple[Any, ...] = ()
    halted: Any = False


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
    check_finite: bool = True  # the non-finite guard (off only to measure what it costs)

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
            state.halted,
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

    def step_code(old: TrainState, new: TrainState, record: dict) -> jax.Array:
        """0 when a step is finite, else why not (its losses first, then its update)."""
        losses_bad = jnp.logical_not(jnp.all(jnp.isfinite(record["losses"])))
        update_bad = _update_nonfinite(old, new, config.trainable)
        code = jnp.where(update_bad, NONFINITE_PARAMETERS, 0)
        return jnp.where(losses_bad, NONFINITE_LOSS, code).astype(jnp.int32)

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

        def guarded(s: TrainState, batch: Any) -> tuple[TrainState, dict]:
            """One step, not applied when it (or an earlier one) is non-finite."""
            new, record = run(s, batch)
            code = jnp.where(s.halted, 0, step_code(s, new, record))
            kept = _choose(jnp.logical_not(s.halted) & (code == 0), new, s)
            return kept._replace(halted=s.halted | (code != 0)), {**record, "nonfinite": code}

        no_flags = jnp.zeros((config.length,), jnp.int32)
        if not config.masked:
            step_fn = guarded if config.check_finite else run
            state, records = jax.lax.scan(lambda s, x: step_fn(s, x[1]), state, xs)
            if not config.check_finite:
                records = {**records, "nonfinite": no_flags}
            return keep_sharding(state, records)
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
        if not config.check_finite:

            def body(s: TrainState, x: Any) -> tuple[TrainState, dict]:
                i, batch = x
                return jax.lax.cond(i < n_active, lambda s: run(s, batch), lambda s: (s, idle), s)

            state, records = jax.lax.scan(body, state, xs)
            return keep_sharding(state, {**records, "nonfinite": no_flags})
        idle["nonfinite"] = jnp.zeros((), jnp.int32)

        def masked_body(s: TrainState, x: Any) -> tuple[TrainState, dict]:
            # a step past `n_active`, or after a non-finite one, does not run at all
            i, batch = x
            go = (i < n_active) & jnp.logical_not(s.halted)
            return jax.lax.cond(go, lambda s: guarded(s, batch), lambda s: (s, idle), s)

        return keep_sharding(*jax.lax.scan(masked_body, state, xs))

    def keep_sharding(state: TrainState, records: dict) -> tuple[TrainState, dict]:
        if mesh is None:
            return state, records
        from .mesh import constrain_params

        params = constrain_params(state.params, mesh)
        return state._replace(
            params=params, opt_states=constrain_params(state.opt_states, mesh)
        ), records

    return jax.jit(chunk, donate_argnums=(0,))


NONFINITE_LOSS = 1
"""`records["nonfinite"]` of a step whose losses were not finite."""
NONFINITE_PARAMETERS = 2
"""`records["nonfinite"]` of a step with finite losses whose update was not finite."""


class NonFiniteWarning(RuntimeWarning):
    """Training stopped at a step whose losses or parameters were not finite (NaN or inf).

    `solve()` warns with it and returns normally: the parameters and optimizer states
    are those after the last finite step, and `statistics.nonfinite` says which step
    and which constraints. Make it an error with `warnings.simplefilter("error",
    jno.NonFiniteWarning)`.

    Example:
        >>> import warnings, optax, jno_lab as jno
        >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(1e30))
        >>> crux = jno.core([(p - 3.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     stats = crux.solve(100)
        >>> [issubclass(w.category, jno.NonFiniteWarning) for w in caught]
        [True]
        >>> stats.nonfinite["step"], stats.nonfinite["where"], crux.step_count
        (1, 'loss', 1)
    """


def nonfinite_record(
    step: int, code: int, losses: np.ndarray, constraint_names: list[str]
) -> dict[str, Any]:
    """The plain record of a non-finite step (`statistics.nonfinite`).

    `step`: its global index; `code`: its `records["nonfinite"]`; `losses`: the
    per-constraint losses it computed (to name the non-finite ones). The record
    holds plain JSON-safe values only (no NaN or infinity).
    """
    losses = np.asarray(losses, np.float64).reshape(-1)
    where = "loss" if code == NONFINITE_LOSS else "parameters"
    bad = [] if where == "parameters" else np.flatnonzero(~np.isfinite(losses)).tolist()
    return {
        "step": int(step),
        "constraints": [constraint_names[i] for i in bad],
        "where": where,
    }


def nonfinite_summary(record: dict[str, Any]) -> str:
    """A short line for a status display, e.g. "non-finite at step 1234 (pde)"."""
    what = ", ".join(record["constraints"]) or "parameters"
    return f"non-finite at step {record['step']} ({what})"


def nonfinite_message(record: dict[str, Any]) -> str:
    """What a non-finite stop says: the step, the constraints, what to try."""
    step = record["step"]
    if record["where"] == "loss":
        names = ", ".join(record["constraints"]) or "?"
        what = f"the loss of {names} was not finite (NaN or inf) at step {step}"
    else:
        what = (
            f"the losses were finite at step {step} but its update made the parameters or the "
            "optimizer state non-finite (NaN or inf)"
        )
    return (
        f"training stopped: {what}. Its update was not applied: the parameters and optimizer "
        f"states are those before step {step}, after the last finite step. Lower the "
        "learning rate, clip the gradients (optax.clip_by_global_norm), rescale the inputs "
        "or weights of large losses, or look for divisions by zero and logarithms or "
        "square roots of non-positive values in the expressions."
    )


def _float_leaves(tree: Any) -> list[jax.Array]:
    return [
        leaf
        for leaf in jax.tree_util.tree_leaves(tree)
        if jnp.issubdtype(jnp.result_type(leaf), jnp.inexact)
    ]


_SMALL = 1 << 14
"""Arrays of at most this many numbers are checked together, in one reduction."""


def _any_nonfinite(leaves: list[jax.Array]) -> jax.Array:
    """Whether any number in `leaves` is NaN or infinite (a scalar bool).

    The small arrays are concatenated and checked in one reduction: one kernel per
    array would cost a small model more than the check itself. Large arrays are
    checked one by one, so no copy of them is made.
    """
    small = [jnp.ravel(leaf).astype(jnp.float32) for leaf in leaves if leaf.size <= _SMALL]
    parts = [jnp.concatenate(small)] if small else []
    parts += [leaf for leaf in leaves if leaf.size > _SMALL]
    if not parts:
        return jnp.bool_(False)
    finite = jnp.stack([jnp.all(jnp.isfinite(part)) for part in parts])
    return jnp.logical_not(jnp.all(finite))


def _update_nonfinite(old: TrainState, new: TrainState, trainable: tuple[bool, ...]) -> jax.Array:
    """Whether a step made the trained parameters or the optimizer states non-finite.

    Single numbers of an optimizer state that already held an infinity are left
    alone: some optimizers start them so on purpose (the best value so far of
    `optax.contrib.reduce_on_plateau`, the last value of a line search).
    """
    params = _float_leaves([p for p, flag in zip(new.params, trainable, strict=True) if flag])
    old_opt, new_opt = _float_leaves(old.opt_states), _float_leaves(new.opt_states)
    arrays = [n for n in new_opt if n.size > 1]
    bad = _any_nonfinite(params + arrays)
    pairs = [(o, n) for o, n in zip(old_opt, new_opt, strict=True) if n.size == 1]
    if pairs:
        before = jnp.stack([jnp.ravel(o)[0].astype(jnp.float32) for o, _ in pairs])
        after = jnp.stack([jnp.ravel(n)[0].astype(jnp.float32) for _, n in pairs])
        bad = bad | jnp.any(jnp.isfinite(before) & jnp.logical_not(jnp.isfinite(after)))
    return bad


def _choose(keep: jax.Array, new: TrainState, old: TrainState) -> TrainState:
    """`new` where `keep`, else `old` (a select per array: no branch, no host round trip)."""
    return jax.tree_util.tree_map(lambda a, b: jnp.where(keep, a, b), new, old)


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


__all__ = [
    "NONFINITE_LOSS",
    "NONFINITE_PARAMETERS",
    "NonFiniteWarning",
    "StepConfig",
    "Substep",
    "TrainState",
    "build_chunk",
    "init_opt_states",
    "nonfinite_message",
    "nonfinite_record",
    "nonfinite_summary",
]
