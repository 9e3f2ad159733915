"""The host side of `core.solve`: compiled chunks of steps, callbacks and the run control.

Python runs once per chunk. Without callbacks nobody looks between steps, so
`FUSED_STEPS` steps run per call (masked, so any number of epochs reuses one
compiled function) and each chunk is checked for a non-finite step one chunk
late, keeping the device busy. With callbacks (or host-side schedules, or
profiling) a chunk is checked before anything reads it.

The run control is honoured at chunk boundaries: every `inner_steps` steps
(every fused chunk without callbacks), never after the last chunk.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import checkpoint as ckpt
from .callbacks import Callback
from .host_schedules import evaluate as evaluate_on_host
from .host_schedules import host_schedules
from .mesh import place_state, shard_data
from .options import batches_on_host, check_solve_options, profile_dir, remat_chunk
from .programs import check_optimizers, chunk_fn
from .run_control import RunControl
from .statistics import statistics
from .step import NonFiniteWarning, StepConfig, TrainState, nonfinite_message, nonfinite_record
from .step_setup import batch_total
from .training_log import parameter_counts, training_log

FUSED_STEPS = 64
"""Steps per compiled call when no callback needs to run between steps."""


def run_solve(
    crux: Any,
    *,
    epochs: int,
    batchsize: int | None,
    checkpoint_gradients: bool | int,
    offload_data: bool,
    inner_steps: int,
    accumulation_steps: int,
    min_consecutive: int | None,
    profile: bool | str,
    callbacks: list[Callback],
    substeps: list | None,
    constraint_weights: Any,
    control: RunControl,
) -> statistics:
    """Train `crux` for `epochs` steps (the body of `core.solve`, which documents it)."""
    check_solve_options(
        epochs=epochs,
        batchsize=batchsize,
        inner_steps=inner_steps,
        accumulation_steps=accumulation_steps,
        offload_data=offload_data,
        min_consecutive=min_consecutive,
        total=batch_total(crux),
    )
    check_optimizers(crux)
    for t in crux.trainables:
        t.before_solve()
    crux.solve_epochs = epochs
    crux.control = control
    n_constraints = len(crux.constraints)
    probe = crux._config(1, False, batchsize, min_consecutive)
    hyper = crux._hyper(constraint_weights, probe)
    on_host = host_schedules(hyper, n_constraints)
    fused = not callbacks and not on_host and not profile
    length = 1 if on_host else FUSED_STEPS if fused else inner_steps
    config = crux._config(
        length,
        fused,
        batchsize,
        min_consecutive,
        accumulation=accumulation_steps,
        substeps=substeps,
        checkpoint=remat_chunk(checkpoint_gradients),
        offload=bool(offload_data),
    )
    hyper = crux._hyper(constraint_weights, config)
    chunk = chunk_fn(crux, config)
    data = crux._bind()
    if offload_data:
        data = jax.device_get(data)  # the full data stays in host memory
    elif crux._device_mesh is not None:
        data = shard_data(data, crux._device_mesh, batch_total(crux))
    crux.stop_training = False
    crux.nonfinite = None
    traces_before = crux._trace_counter[0]
    trace_dir = profile_dir(profile)

    start = time.perf_counter()
    paused_before = control.paused_seconds
    state = crux._initial_state(config)
    crux._resume = None  # restored into this run's state
    if crux._device_mesh is not None:
        state = place_state(state, crux._device_mesh)
    for cb in callbacks:
        cb.on_training_start(crux)
    records: list[tuple[dict, int]] = []
    remaining = epochs
    losses_now = np.zeros((n_constraints,), np.float32)
    chunk_index = 0
    unchecked: tuple[int, int] | None = None  # fused: (index in records, steps before it)
    while remaining > 0:
        active = min(config.length, remaining)
        done = crux._step + epochs - remaining
        hyper_now = evaluate_on_host(hyper, done, losses_now, n_constraints) if on_host else hyper
        step_data = batches_on_host(data, config, crux.rng_seed, done) if offload_data else data
        n_active = jnp.asarray(active, jnp.int32)
        # trace one chunk after the first (compiled, steady state)
        if trace_dir is not None and chunk_index == min(1, (epochs - 1) // length):
            jax.block_until_ready(state.params)
            with jax.profiler.trace(str(trace_dir)):
                state, record = chunk(state, step_data, hyper_now, n_active)
                jax.block_until_ready(state.params)
        else:
            state, record = chunk(state, step_data, hyper_now, n_active)
        chunk_index += 1
        records.append((record, active))
        crux._live_state = state  # what callbacks read through live_params()
        remaining -= active
        if fused:
            if unchecked is not None and check_chunk(crux, records, *unchecked):
                records[-1] = (record, 0)  # it ran no step
                break
            unchecked = (len(records) - 1, done)
            if remaining > 0 and _at_boundary(control, state):
                break
            continue
        if check_chunk(crux, records, len(records) - 1, done):
            record = records[-1][0]  # its steps up to the non-finite one
        if on_host:
            losses_now = np.asarray(record["losses"][-1])
        if callbacks:
            stop = False
            for cb in callbacks:
                stop = cb.on_epoch_end(crux, int(state.step), record) is True or stop
            if stop or crux.stop_training:
                break
        if crux.nonfinite is not None:
            break
        at_boundary = remaining > 0 and (epochs - remaining) % inner_steps == 0
        if at_boundary and _at_boundary(control, state):
            break
    if unchecked is not None and crux.nonfinite is None:
        check_chunk(crux, records, *unchecked)
    jax.block_until_ready(state.params)
    elapsed = time.perf_counter() - start - (control.paused_seconds - paused_before)
    crux.compile_count += crux._trace_counter[0] - traces_before

    crux._live_state = None
    first = crux._step
    keep_final_state(crux, state, config)
    crux.stats.training_logs.append(training_log(crux, config, records, first, max(0.0, elapsed)))
    trained, total = parameter_counts(crux.trainables, state.params, config)
    crux.stats.trainable_params, crux.stats.total_params = trained, total
    if crux.nonfinite is not None:
        crux.stats.training_logs[-1]["nonfinite"] = dict(crux.nonfinite)
        warnings.warn(nonfinite_message(crux.nonfinite), NonFiniteWarning, stacklevel=3)
    for t in crux.trainables:
        t.after_solve()  # e.g. LoRA adapters merged into the base weights
    crux._final_state = state
    crux._history.record(crux._step, *ckpt.snapshot(state, crux.trainables, crux.rng_seed))
    crux.last_profile_dir = trace_dir
    for cb in callbacks:
        cb.on_training_end(crux, crux.stats)
    return crux.stats


def _at_boundary(control: RunControl, state: TrainState) -> bool:
    """Honour `control` between two chunks; True means stop."""
    if control.pause_requested:
        jax.block_until_ready(state.params)  # work still queued on the device is training
    return control.wait_at_boundary()


def check_chunk(crux: Any, records: list[tuple[dict, int]], index: int, done: int) -> bool:
    """Whether chunk `index` (after `done` steps) went non-finite; waits for it.

    If so, `crux.nonfinite` gets the record, the chunk keeps the rows of its
    applied steps in `records` (and, for callbacks, its device records are cut
    after the non-finite step), and True is returned.
    """
    record, active = records[index]
    flags = np.asarray(record["nonfinite"])[:active]
    bad = np.flatnonzero(flags)
    if not bad.size:
        return False
    j = int(bad[0])
    losses = np.asarray(record["losses"][j])
    crux.nonfinite = nonfinite_record(done + j, int(flags[j]), losses, crux.constraint_names)
    cut = jax.tree_util.tree_map(lambda a: a[: j + 1], record)
    records[index] = (cut, j)
    return True


def keep_final_state(crux: Any, state: TrainState, config: StepConfig) -> None:
    """Write a finished run's state back: parameters, optimizer caches, counters, key."""
    for t, p in zip(crux.trainables, state.params, strict=True):
        t.set_params(p)
    n_sub = len(state.opt_states)
    for i, (t, flag) in enumerate(zip(crux.trainables, config.trainable, strict=True)):
        if flag:
            crux._opt_cache[(id(t), n_sub)] = (
                t.optimizer_generation,
                tuple(state.opt_states[s][i] for s in range(n_sub)),
                state.sched_states[i],
            )
    crux._balancer_states = state.balancer_states
    for b, bstate in zip(crux.balancers, state.balancer_states, strict=True):
        b.node.set_params(bstate["weights"])  # what the next step would use
    crux._step = int(state.step)
    crux._key = state.key
    crux._prev_losses = state.prev_losses
