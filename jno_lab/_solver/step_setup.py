"""What a solver's compiled step is built from and started with.

`step_config` describes the step (which trainables train, chunk length,
batching, substeps, ...), `initial_state` is the `TrainState` a `solve()`
starts from (carrying optimizer states over between calls), and
`hyper_inputs` the values the step reads as arguments (learning-rate scales,
constraint weights, balancer numbers), so changing them compiles nothing;
`init_training_state` is what a new solver carries between `solve()` calls and
`restore_checkpoint` is `resume_from`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp

from .._schedules import WeightSchedule
from . import checkpoint as ckpt
from .options import parse_substeps
from .step import StepConfig, TrainState
from .update import GroupSpec, init_group_states, init_schedule_states


def init_training_state(crux: Any) -> None:
    """A new solver's training state: step 0, its seed's key, nothing compiled or bound yet."""
    crux._trace_counter = [0]
    crux._chunks = {}  # StepConfig -> compiled chunk of steps
    crux._opt_cache = {}  # (id(trainable), substeps) -> (optimizer generation, states, schedules)
    crux._eval_cache = {}  # expression keys -> (Program, compiled evaluator)
    crux._balancer_states = None
    crux._key = jax.random.PRNGKey(crux.rng_seed)
    crux._step = 0
    crux._prev_losses = None
    crux._final_state = None  # the TrainState the last solve() ended with
    crux._live_state = None  # the TrainState after the last chunk of a running solve()
    crux._resume = None  # (tree, meta) of a checkpoint to continue from at the next solve()
    crux._data = None  # the bound training data


def batch_total(crux: Any) -> int:
    """Problem instances of the solver's domain (1 without a batch axis)."""
    return int(getattr(crux.domain, "batch_size", 1) or 1)


def step_config(
    crux: Any,
    length: int,
    masked: bool,
    batchsize: int | None,
    window: int | None = None,
    *,
    accumulation: int = 1,
    substeps: Any = None,
    checkpoint: int | None = None,
    offload: bool = False,
) -> StepConfig:
    """The `StepConfig` of a `solve()` (see `core.solve` for the arguments)."""
    in_loss = {id(t) for t in crux._loss_program.trainables}
    groups = tuple(
        t.optimizer_groups() if id(t) in in_loss and not t.frozen else () for t in crux.trainables
    )
    flags = tuple(bool(g) for g in groups)
    specs = tuple(
        tuple(GroupSpec(selection=g.selection, transform=g.transform) for g in gs) for gs in groups
    )
    total = batch_total(crux)
    if batchsize is not None and not 1 <= batchsize <= total:
        raise ValueError(
            f"batchsize={batchsize} must lie between 1 and the number of problem instances "
            f"B={total} (batches are drawn over instances; None trains on all of them)"
        )
    steps = [g["t"].shape[0] for g in crux._bind()["groups"].values() if g["t"] is not None]
    if window is not None and max(steps, default=1) <= window:
        window = None  # every run of time steps is the whole axis: the same step
    index = {id(t): i for i, t in enumerate(crux.trainables)}
    starts, position = [], len(crux.constraints)
    for b in crux.balancers:
        starts.append((index[id(b.node)], position))
        position += b.n
    return StepConfig(
        trainable=flags,
        groups=specs,
        length=length,
        masked=masked,
        batchsize=batchsize,
        batch_size_total=total,
        window=window,
        accumulation=accumulation,
        substeps=parse_substeps(substeps, crux.constraints, crux.trainables),
        checkpoint=checkpoint,
        offload=offload,
        balancers=tuple(starts),
    )


def initial_state(crux: Any, config: StepConfig) -> TrainState:
    """The state a `solve()` starts from: current parameters, kept optimizer states."""
    params = tuple(jax.tree_util.tree_map(jnp.copy, t.get_params()) for t in crux.trainables)
    n_sub = 1 if config.substeps is None else len(config.substeps)
    per_substep: list[list[Any]] = [[] for _ in range(n_sub)]
    sched_states = []
    for i, (t, flag, groups) in enumerate(
        zip(crux.trainables, config.trainable, config.groups, strict=True)
    ):
        cached = crux._opt_cache.get((id(t), n_sub))
        scales = tuple(g.scale for g in t.optimizer_groups()) if flag else ()
        if flag and cached is not None and cached[0] == t.optimizer_generation:
            for s in range(n_sub):
                per_substep[s].append(cached[1][s])
            sched_states.append(cached[2])
            continue
        fresh = init_group_states(groups, params[i]) if flag else None
        for s in range(n_sub):  # independent states (and buffers) per substep
            per_substep[s].append(jax.tree_util.tree_map(jnp.copy, fresh))
        sched_states.append(init_schedule_states(scales) if flag else ())
    if crux._balancer_states is None:
        crux._balancer_states = tuple(b.init_state() for b in crux.balancers)
    n = len(crux.constraints)
    prev = crux._prev_losses
    state = TrainState(
        params,
        tuple(tuple(states) for states in per_substep),
        jnp.asarray(crux._step, jnp.int32),
        jnp.zeros((n,), jnp.float32) if prev is None else jnp.asarray(prev, jnp.float32),
        crux._key,
        tuple(sched_states),
        jax.tree_util.tree_map(jnp.copy, crux._balancer_states),
    )
    if crux._resume is not None:
        tree, meta = crux._resume
        state = ckpt.restore_state(state, tree, meta, crux.trainables)
    return state._replace(halted=jnp.zeros((), jnp.bool_))  # every solve() trains


def hyper_inputs(crux: Any, weights: Any, config: StepConfig | None = None) -> tuple:
    """(learning-rate scales per trainable, constraint weights, balancer numbers)."""
    scales = tuple(
        tuple(g.scale for g in t.optimizer_groups()) if config is None or flag else ()
        for t, flag in zip(
            crux.trainables,
            config.trainable if config is not None else [True] * len(crux.trainables),
            strict=True,
        )
    )
    if weights is not None and not isinstance(weights, WeightSchedule):
        weights = WeightSchedule(weights)
    if weights is not None:
        weights.check(len(crux.constraints))
    numbers = tuple(b.numbers for b in crux.balancers)
    return (scales, weights, numbers)


def restore_checkpoint(crux: Any, path: Any) -> None:
    """`core(..., resume_from=path)`: parameters now, the rest at the next `solve()`."""
    if not isinstance(path, str | Path):
        raise TypeError(f"resume_from must be a checkpoint folder path, got {type(path).__name__}")
    tree, meta = ckpt.read(path)
    ckpt.check_names(meta, crux.trainables)
    for i, t in enumerate(crux.trainables):
        t.set_params(
            ckpt.fill(t.get_params(), tree["params"][str(i)], f"parameters of {t.describe()!r}")
        )
    template = tuple(b.init_state() for b in crux.balancers)
    crux._balancer_states = ckpt.fill(template, tree["balancer_states"], "balancer states")
    for b, bstate in zip(crux.balancers, crux._balancer_states, strict=True):
        b.node.set_params(bstate["weights"])  # the weights the next step uses
    crux._step = int(meta["step"])
    crux._key = jnp.asarray(tree["key"], crux._key.dtype)
    crux._resume = (tree, meta)
