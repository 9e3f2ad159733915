"""`jno.core`: the solver that compiles constraints into one training step and runs it."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._adaptive.balancer import BalancerWeights
from .._config import get_checkpoint_dir, get_seed
from .._lower.analysis import ExpressionError, render, single_domain
from .._lower.program import Program
from .._schedules import WeightSchedule
from .._trace.nodes import Placeholder, Tracker
from . import checkpoint as ckpt
from .binding import PointsBinding
from .callbacks import Callback
from .history import DEFAULT_KEEP, CheckpointHistory
from .host_schedules import evaluate as evaluate_on_host
from .host_schedules import host_schedules
from .mesh import check_mesh, make_mesh, place_state, shard_data
from .options import (
    batches_on_host,
    check_solve_options,
    parse_substeps,
    profile_dir,
    remat_chunk,
)
from .shapes import print_shapes, print_tree
from .statistics import statistics
from .step import (
    NonFiniteWarning,
    StepConfig,
    TrainState,
    build_chunk,
    nonfinite_message,
    nonfinite_record,
)
from .tracking import group_trackers
from .update import GroupSpec, init_group_states, init_schedule_states

FUSED_STEPS = 64
"""Steps per compiled call when no callback needs to run between steps."""


class core:
    """Compile constraint expressions into one training step; train and evaluate.

    Args:
        constraints: scalar loss expressions (`pde.mse`, ...) and trackers.
        domain: the domain; found from the variables when omitted. May also be
            given as the second positional argument.
        mesh: device mesh `(batch, model)`: instances (or, when they do not divide,
            points) are split over `batch` devices, parameters (and optimizer states)
            sharded over `model` devices; `batch * model` must equal the number of
            devices. The default (None) is data parallel over all devices, `(n, 1)`;
            `(1, 1)` trains on one device even when more are visible.
        resume_from: a checkpoint folder (written by `CheckpointCallback`, or a path
            from `crux.checkpoints`): parameters are restored now; optimizer, schedule
            and balancer states, the step counter, the last losses and the RNG key at
            the start of the next `solve()`, which continues the run exactly.
        rng_seed: seed of this solver's random stream (default: `jno.get_seed()`).
        checkpoint_dir: where every `solve()` writes its end-of-call checkpoint
            (default: the `checkpoint_dir` setting, else a temporary folder).
        keep_checkpoints: end-of-solve checkpoints kept on disk (None: all).

    Example:
        >>> import jax, optax, jno_lab as jno
        >>> dom = jno.domain(constructor=jno.domain.line(mesh_size=0.25))
        >>> (x,) = dom.variable("interior")
        >>> a = jno.np.parameter((1,), key=jax.random.PRNGKey(0), name="a")
        >>> a = a.optimizer(optax.adam(1e-1))
        >>> crux = jno.core([(a - 2.0).mse])
        >>> stats = crux.solve(200)
        >>> round(float(crux.eval(a)[0]), 3)
        2.0
    """

    def __init__(
        self,
        constraints: Sequence[Placeholder],
        domain: Any = None,
        mesh: tuple[int, ...] | None = None,
        resume_from: str | None = None,
        rng_seed: int | None = None,
        *,
        checkpoint_dir: str | None = None,
        keep_checkpoints: int | None = DEFAULT_KEEP,
        **kwargs: Any,
    ):
        if "domain" in kwargs:
            domain = kwargs.pop("domain")
        if kwargs:
            raise TypeError(f"jno.core got unexpected arguments: {', '.join(kwargs)}")
        if isinstance(domain, tuple | list) and all(isinstance(m, int) for m in domain):
            domain, mesh = None, tuple(domain)  # jno.core(constraints, (1, 1))
        constraints = list(constraints) if isinstance(constraints, list | tuple) else [constraints]
        for i, c in enumerate(constraints):
            if not isinstance(c, Placeholder):
                raise TypeError(
                    f"constraint {i} is a {type(c).__name__}, not an expression; build constraints "
                    "from domain variables and models, e.g. pde.mse"
                )
        self.mesh = check_mesh(mesh)
        self._device_mesh = make_mesh(self.mesh) if self.mesh != (1, 1) else None
        self.constraints = [c for c in constraints if not isinstance(c, Tracker)]
        self.trackers = [c for c in constraints if isinstance(c, Tracker)]
        if not self.constraints:
            raise ValueError(
                "jno.core needs at least one constraint (trackers alone train nothing)"
            )
        found = self._build_programs()
        self.domain = domain if domain is not None else found
        self.rng_seed = get_seed() if rng_seed is None else int(rng_seed)
        self.constraint_names = [_short(render(c)) for c in self.constraints]
        self.tracker_names = tracker_display_names(self.trackers)
        self.stats = statistics([], self.constraint_names)
        self.stop_training = False
        self.nonfinite: dict[str, Any] | None = None
        """The non-finite stop of the running (or last) `solve()`, else None."""
        self.compile_count = 0
        self._trace_counter = [0]
        self._chunks: dict[tuple, Any] = {}
        self._opt_cache: dict[tuple[int, int], tuple[int, Any, Any]] = {}
        self._balancer_states: tuple | None = None
        self._key = jax.random.PRNGKey(self.rng_seed)
        self._step = 0
        self._prev_losses: Any = None
        self._final_state: TrainState | None = None
        self._history = CheckpointHistory(
            checkpoint_dir if checkpoint_dir is not None else get_checkpoint_dir(),
            keep_checkpoints,
        )
        self._resume: tuple[dict, dict] | None = None
        if resume_from is not None:
            self._restore_from(resume_from)
        self._data: dict | None = None
        self._eval_cache: dict[tuple, tuple[Program, Any]] = {}
        self.best_config: dict[str, Any] | None = None  # set by sweep()
        self.sweep_results: list[dict[str, Any]] = []

    def _build_programs(self) -> Any:
        """Lower the constraints and trackers; returns the domain they use (or None)."""
        self.balancers = _find_balancers(self.constraints)
        balancer_inputs = [loss for b in self.balancers for loss in b.inputs]
        self._loss_program = Program(self.constraints + balancer_inputs)
        self._tracker_program = (
            Program(self.trackers, self._loss_program.trainables) if self.trackers else None
        )
        self.trainables = (self._tracker_program or self._loss_program).trainables
        found = single_domain(self._loss_program.analysis, "jno.core")
        if self._tracker_program is not None:
            tracker_domain = single_domain(self._tracker_program.analysis, "the trackers")
            if found is not None and tracker_domain not in (None, found):
                raise ExpressionError("the trackers use a different domain than the constraints")
            found = found or tracker_domain
        self._tracker_groups = group_trackers(self.trackers, self.trainables)
        return found

    # -- checkpoints -------------------------------------------------------------------
    def _restore_from(self, path: Any) -> None:
        if not isinstance(path, str | Path):
            raise TypeError(
                f"resume_from must be a checkpoint folder path, got {type(path).__name__}"
            )
        tree, meta = ckpt.read(path)
        ckpt.check_names(meta, self.trainables)
        for i, t in enumerate(self.trainables):
            t.set_params(
                ckpt.fill(t.get_params(), tree["params"][str(i)], f"parameters of {t.describe()!r}")
            )
        template = tuple(b.init_state() for b in self.balancers)
        self._balancer_states = ckpt.fill(template, tree["balancer_states"], "balancer states")
        for b, bstate in zip(self.balancers, self._balancer_states, strict=True):
            b.node.set_params(bstate["weights"])  # the weights the next step uses
        self._step = int(meta["step"])
        self._key = jnp.asarray(tree["key"], self._key.dtype)
        self._resume = (tree, meta)

    @property
    def step_count(self) -> int:
        """Training steps done so far (continued by `resume_from`)."""
        return self._step if self._live_state_or_none() is None else int(self._live_state.step)

    def _live_state_or_none(self) -> TrainState | None:
        return getattr(self, "_live_state", None)

    def write_checkpoint(self, writer: ckpt.CheckpointWriter) -> Path:
        """Write the current training state with `writer` (used by `CheckpointCallback`)."""
        state = self._live_state_or_none() or self._final_state
        if state is None:
            raise ValueError("nothing to checkpoint yet: call solve() first")
        tree, meta = ckpt.snapshot(state, self.trainables, self.rng_seed)
        return writer.write(meta["step"], tree, meta)

    def note_checkpoint(self, path: Path) -> None:
        """Add a checkpoint written elsewhere (a callback's) to `checkpoints`."""
        self._history.add(path)

    @property
    def checkpoints(self) -> list[Path]:
        """Checkpoint folders written by this solver, oldest first.

        One per `solve()` call (its final state) plus those of `CheckpointCallback`s;
        each can be given to `jno.core(..., resume_from=path)` or, with
        `"path::model"`, to `model.initialize`.

        Example:
            >>> import optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
            >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> _ = crux.solve(3)
            >>> _ = crux.solve(2)
            >>> [path.name for path in crux.checkpoints]
            ['3', '5']
        """
        return self._history.paths()

    def save(self, path: str | Path) -> None:
        """Write the solver (expressions, domain, models, history) to one file of data.

        The file holds JSON and numpy arrays only, so reading it cannot run code.
        Compiled code is not stored (it is rebuilt on first use), nor are
        optimizers, their schedules and parameter masks (attach them again after
        `jno.core.load`). Functions given to `jno.fn` and networks that no
        engine factory builds are code: the file names them, and `jno.core.load`
        takes them back through `functions=` and `models=`.

        Example:
            >>> import os, tempfile, optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
            >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> _ = crux.solve(5)
            >>> path = os.path.join(tempfile.mkdtemp(), "solver.jno")
            >>> crux.save(path)
            >>> loaded = jno.core.load(path)
            >>> float(loaded.eval(loaded.trainables[0])[0]) == float(crux.eval(p)[0])
            True
        """
        from .persist import save_solver

        save_solver(self, path)

    @staticmethod
    def load(
        path: str | Path,
        *,
        functions: dict[str, Any] | None = None,
        models: dict[str, Any] | None = None,
        allow_pickle: bool = False,
    ) -> core:
        """Read a solver written by `crux.save(path)`.

        Restores the trained parameters, the expressions, the domain (with the
        points drawn so far), the step counter, RNG key, balancer states and the
        training history. Its models are new objects: reach them through
        `crux.trainables` and attach optimizers with `set_optimizer` before
        training further.

        Args:
            path: the file.
            functions: name -> the function given to `jno.fn(f, ..., name=name)`,
                for every custom function the expressions use.
            models: model name -> an equinox module built like the saved one (its
                arrays are replaced by the saved ones), or the `jno.nn.wrap` model
                itself (used as it is, under the saved name); needed for networks
                no engine factory builds (own classes, custom activations,
                constrained layers, `TunableModule`s). Without a needed entry, load
                raises a ValueError listing every name.
            allow_pickle: also read the pickle files of older versions. This trusts
                the file: unpickling can run any code it contains. Without it such
                a file is refused with a ValueError (nothing of it is run).

        Raises:
            ValueError: for a damaged file or one of another kind, missing
                `functions`/`models`, or a pickle without `allow_pickle=True`.

        Example:
            >>> import os, tempfile, jax.numpy as jnp, optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.5, name="p").optimizer(optax.sgd(0.1))
            >>> f = jno.fn(lambda v: jnp.exp(v), [p], name="exp")
            >>> crux = jno.core([(f - 2.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> path = os.path.join(tempfile.mkdtemp(), "solver.jno")
            >>> crux.save(path)
            >>> loaded = jno.core.load(path, functions={"exp": jnp.exp})
            >>> loaded.trainables[0].set_optimizer(optax.sgd(0.1)) is loaded.trainables[0]
            True
        """
        from .persist import load_solver

        return load_solver(path, functions=functions, models=models, allow_pickle=allow_pickle)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("_chunks", "_eval_cache", "_opt_cache"):
            state[name] = {}
        state["_live_state"] = None
        state["_data"] = None  # bound again from the domain on first use
        state.pop("_attached_callbacks", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for root in [*self.constraints, *self.trackers]:
            for node in root.walk():  # structural keys hold object ids: recompute them
                node._key = None
        self._build_programs()

    # -- checks ------------------------------------------------------------------------
    @staticmethod
    def _check_mesh(mesh: Any) -> None:
        check_mesh(mesh)

    def _check_optimizers(self) -> None:
        for t in self._loss_program.trainables:
            if not t.frozen and not t.has_optimizer:
                kind = "parameter" if hasattr(t, "value") else "model"
                raise ValueError(
                    f"`{t.describe()}.optimizer(...)` has not been called for {kind} "
                    f"{t.describe()!r}: every trainable {kind} needs an optimizer before solve(), "
                    f"e.g. {t.describe()}.optimizer(optax.adam(1e-3)), or {t.describe()}.freeze()"
                )

    # -- compilation ---------------------------------------------------------------------
    def _bind(self) -> dict:
        if self._data is None:
            data = self._loss_program.bind(self.domain)
            if self._tracker_program is not None:
                tracker_data = self._tracker_program.bind(self.domain)
                data = {
                    "groups": {**tracker_data["groups"], **data["groups"]},
                    "tensors": {**tracker_data["tensors"], **data["tensors"]},
                }
            for group in self._tracker_groups:  # each group's program reads the same data
                group.program.spatial_dim = self._loss_program.spatial_dim
            self._data = data
        return self._data

    def _config(
        self,
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
        in_loss = {id(t) for t in self._loss_program.trainables}
        groups = tuple(
            t.optimizer_groups() if id(t) in in_loss and not t.frozen else ()
            for t in self.trainables
        )
        flags = tuple(bool(g) for g in groups)
        specs = tuple(tuple(GroupSpec(g.selection, g.transform) for g in gs) for gs in groups)
        total = self._batch_total()
        if batchsize is not None and not 1 <= batchsize <= total:
            raise ValueError(
                f"batchsize={batchsize} must lie between 1 and the number of problem instances "
                f"B={total} (batches are drawn over instances; None trains on all of them)"
            )
        steps = [g["t"].shape[0] for g in self._bind()["groups"].values() if g["t"] is not None]
        if window is not None and max(steps, default=1) <= window:
            window = None  # every run of time steps is the whole axis: the same step
        index = {id(t): i for i, t in enumerate(self.trainables)}
        starts, position = [], len(self.constraints)
        for b in self.balancers:
            starts.append((index[id(b.node)], position))
            position += b.n
        return StepConfig(
            flags,
            specs,
            length,
            masked,
            batchsize,
            total,
            window,
            accumulation,
            parse_substeps(substeps, self.constraints, self.trainables),
            checkpoint,
            offload,
            tuple(starts),
        )

    def _batch_total(self) -> int:
        return int(getattr(self.domain, "batch_size", 1) or 1)

    def _chunk_fn(self, config: StepConfig) -> Any:
        if config not in self._chunks:
            self._chunks[config] = build_chunk(
                self._loss_program,
                self._tracker_groups,
                len(self.trackers),
                config,
                self._trace_counter,
                len(self.constraints),
                tuple(self.balancers),
                self._device_mesh,
            )
        return self._chunks[config]

    def compile(self, mesh: tuple[int, ...] | None = None) -> core:
        """Lower and compile the training step now (`solve` does it when needed)."""
        self._check_mesh(mesh)
        self._check_optimizers()
        for t in self.trainables:
            t.before_solve()
        config = self._config(FUSED_STEPS, True, None, window=1)
        state = self._initial_state(config)
        data = self._bind()
        if self._device_mesh is not None:  # compile for the shardings solve() uses
            state = place_state(state, self._device_mesh)
            data = shard_data(data, self._device_mesh, self._batch_total())
        n_active = jnp.asarray(1, jnp.int32)
        self._chunk_fn(config).lower(state, data, self._hyper(None, config), n_active).compile()
        return self

    # -- training ------------------------------------------------------------------------
    def _initial_state(self, config: StepConfig) -> TrainState:
        params = tuple(jax.tree_util.tree_map(jnp.copy, t.get_params()) for t in self.trainables)
        n_sub = 1 if config.substeps is None else len(config.substeps)
        per_substep: list[list[Any]] = [[] for _ in range(n_sub)]
        sched_states = []
        for i, (t, flag, groups) in enumerate(
            zip(self.trainables, config.trainable, config.groups, strict=True)
        ):
            cached = self._opt_cache.get((id(t), n_sub))
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
        if self._balancer_states is None:
            self._balancer_states = tuple(b.init_state() for b in self.balancers)
        n = len(self.constraints)
        prev = self._prev_losses
        state = TrainState(
            params,
            tuple(tuple(states) for states in per_substep),
            jnp.asarray(self._step, jnp.int32),
            jnp.zeros((n,), jnp.float32) if prev is None else jnp.asarray(prev, jnp.float32),
            self._key,
            tuple(sched_states),
            jax.tree_util.tree_map(jnp.copy, self._balancer_states),
        )
        if self._resume is not None:
            state = ckpt.restore_state(state, *self._resume, self.trainables)
        return state._replace(halted=jnp.zeros((), jnp.bool_))  # every solve() trains

    def _hyper(self, weights: Any, config: StepConfig | None = None) -> tuple:
        scales = tuple(
            tuple(g.scale for g in t.optimizer_groups()) if config is None or flag else ()
            for t, flag in zip(
                self.trainables,
                config.trainable if config is not None else [True] * len(self.trainables),
                strict=True,
            )
        )
        if weights is not None and not isinstance(weights, WeightSchedule):
            weights = WeightSchedule(weights)
        if weights is not None:
            weights.check(len(self.constraints))
        numbers = tuple(b.numbers for b in self.balancers)
        return (scales, weights, numbers)

    def solve(
        self,
        epochs: int = 1000,
        batchsize: int | None = None,
        checkpoint_gradients: bool | int = False,
        offload_data: bool = False,
        inner_steps: int = 1,
        accumulation_steps: int = 1,
        min_consecutive: int | None = 1,
        profile: bool | str = False,
        callbacks: list[Callback] | None = None,
        substeps: list | None = None,
        constraint_weights: Any = None,
    ) -> statistics:
        """Train for `epochs` steps; repeated calls continue training.

        Args:
            epochs: number of training steps (outer epochs with `substeps`).
            batchsize: problem instances per step (None: all of them).
            checkpoint_gradients: gradient checkpointing: the points are evaluated in
                chunks of 256 rows (or this many, given an int) whose activations are
                recomputed in the backward pass, so memory holds one chunk's at a time
                (slower: each chunk runs twice, and chunks run one after another).
            offload_data: keep the data on the host and send each chunk's mini-batches.
            inner_steps: steps per compiled call between callbacks.
            accumulation_steps: micro-batches of `batchsize` averaged per update.
            min_consecutive: time steps per training step (None: all).
            profile: True or a folder: write a JAX profiler trace of one chunk there.
            callbacks: `jno.Callback`s; `on_epoch_end` returning True stops training.
            substeps: alternating optimisation, e.g. `[[0, 1], ([2, 3], 2)]`.
            constraint_weights: a `WeightSchedule` or one weight per constraint.

        Returns:
            The training history of all `solve()` calls so far.

        Non-finite steps end training cleanly instead of raising: every step checks,
        on the device, its losses and the parameters and optimizer states its update
        made. The first step where one of them is NaN or infinite is not applied and
        training stops at the end of its chunk (later steps of the chunk do nothing).
        The parameters, optimizer, schedule and balancer states, step counter and
        random key are those after the last finite step, and so is the history: no
        row of the non-finite step (its losses are not kept; the record names the
        constraints whose loss was not finite), none after it. The record goes to
        this call's training log as `"nonfinite"` (see `statistics.nonfinite`), to
        `self.nonfinite` for callbacks, and a `jno.NonFiniteWarning` names the step,
        the constraints and what to try. A later `solve()` trains on from that state
        (lower the learning rate first). After a `"where": "loss"` stop, though, the
        kept parameters are those the losses were not finite at, so that stops again
        at once: start from an earlier checkpoint (`crux.checkpoints`) or new weights.

        Example:
            >>> import warnings, optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(1.5))
            >>> crux = jno.core([(p - 3.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> with warnings.catch_warnings(record=True) as caught:
            ...     warnings.simplefilter("always")
            ...     stats = crux.solve(200)
            >>> caught[0].category.__name__, stats.nonfinite["step"] == crux.step_count
            ('NonFiniteWarning', True)
            >>> bool(np.isfinite(stats.losses).all())
            True
        """
        check_solve_options(
            epochs=epochs,
            batchsize=batchsize,
            inner_steps=inner_steps,
            accumulation_steps=accumulation_steps,
            offload_data=offload_data,
            min_consecutive=min_consecutive,
            total=self._batch_total(),
        )
        self._check_optimizers()
        for t in self.trainables:
            t.before_solve()
        callbacks = [*(callbacks or []), *getattr(self, "_attached_callbacks", [])]
        self.solve_epochs = epochs
        n_constraints = len(self.constraints)
        # Without callbacks nobody looks between steps: fuse FUSED_STEPS steps per call
        # (masked, so any number of epochs reuses one compiled function).
        probe = self._config(1, False, batchsize, min_consecutive)
        hyper = self._hyper(constraint_weights, probe)
        on_host = host_schedules(hyper, n_constraints)
        fused = not callbacks and not on_host and not profile
        length = 1 if on_host else FUSED_STEPS if fused else inner_steps
        config = self._config(
            length,
            fused,
            batchsize,
            min_consecutive,
            accumulation=accumulation_steps,
            substeps=substeps,
            checkpoint=remat_chunk(checkpoint_gradients),
            offload=bool(offload_data),
        )
        hyper = self._hyper(constraint_weights, config)
        chunk = self._chunk_fn(config)
        data = self._bind()
        if offload_data:
            data = jax.device_get(data)  # the full data stays in host memory
        elif self._device_mesh is not None:
            data = shard_data(data, self._device_mesh, self._batch_total())
        self.stop_training = False
        self.nonfinite = None
        traces_before = self._trace_counter[0]
        trace_dir = profile_dir(profile)

        start = time.perf_counter()
        state = self._initial_state(config)
        self._resume = None  # restored into this run's state
        if self._device_mesh is not None:
            state = place_state(state, self._device_mesh)
        for cb in callbacks:
            cb.on_training_start(self)
        records: list[tuple[dict, int]] = []
        remaining = epochs
        losses_now = np.zeros((n_constraints,), np.float32)
        chunk_index = 0
        # Fused chunks are checked for a non-finite step one chunk late, so the device
        # always has the next chunk queued; that chunk runs no step when the one before
        # went non-finite (`state.halted`). Otherwise (callbacks, host schedules,
        # profiling) each chunk is checked before anything reads it.
        unchecked: tuple[int, int] | None = None  # (index in records, steps before it)
        while remaining > 0:
            active = min(config.length, remaining)
            done = self._step + epochs - remaining
            hyper_now = (
                evaluate_on_host(hyper, done, losses_now, n_constraints) if on_host else hyper
            )
            step_data = batches_on_host(data, config, self.rng_seed, done) if offload_data else data
            n_active = jnp.asarray(active, jnp.int32)
            # trace one chunk after the first (compiled, steady state)
            tracing = trace_dir is not None and chunk_index == min(1, (epochs - 1) // length)
            if tracing:
                jax.block_until_ready(state.params)
                with jax.profiler.trace(str(trace_dir)):
                    state, record = chunk(state, step_data, hyper_now, n_active)
                    jax.block_until_ready(state.params)
            else:
                state, record = chunk(state, step_data, hyper_now, n_active)
            chunk_index += 1
            records.append((record, active))
            self._live_state = state  # what callbacks read through live_params()
            remaining -= active
            if fused:
                if unchecked is not None and self._check_chunk(records, *unchecked):
                    records[-1] = (record, 0)  # it ran no step
                    break
                unchecked = (len(records) - 1, done)
                continue
            if self._check_chunk(records, len(records) - 1, done):
                record = records[-1][0]  # its steps up to the non-finite one
            if on_host:
                losses_now = np.asarray(record["losses"][-1])
            if callbacks:
                stop = False
                for cb in callbacks:
                    stop = cb.on_epoch_end(self, int(state.step), record) is True or stop
                if stop or self.stop_training:
                    break
            if self.nonfinite is not None:
                break
        if unchecked is not None and self.nonfinite is None:
            self._check_chunk(records, *unchecked)
        jax.block_until_ready(state.params)
        elapsed = time.perf_counter() - start
        self.compile_count += self._trace_counter[0] - traces_before

        self._live_state = None
        self._finish(state, config, records, elapsed)
        if self.nonfinite is not None:
            self.stats.training_logs[-1]["nonfinite"] = dict(self.nonfinite)
            warnings.warn(nonfinite_message(self.nonfinite), NonFiniteWarning, stacklevel=2)
        for t in self.trainables:
            t.after_solve()  # e.g. LoRA adapters merged into the base weights
        self._final_state = state
        self._history.record(self._step, *ckpt.snapshot(state, self.trainables, self.rng_seed))
        self.last_profile_dir = trace_dir
        stop = False
        for cb in callbacks:
            stop = cb.on_training_end(self, self.stats) is True or stop
        return self.stats

    def _check_chunk(self, records: list[tuple[dict, int]], index: int, done: int) -> bool:
        """Whether chunk `index` (after `done` steps) went non-finite; waits for it.

        If so, `self.nonfinite` gets the record, the chunk keeps the rows of its
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
        self.nonfinite = nonfinite_record(done + j, int(flags[j]), losses, self.constraint_names)
        cut = jax.tree_util.tree_map(lambda a: a[: j + 1], record)
        records[index] = (cut, j)
        return True

    def _finish(self, state: TrainState, config: StepConfig, records: list, elapsed: float) -> None:
        for t, p in zip(self.trainables, state.params, strict=True):
            t.set_params(p)
        n_sub = len(state.opt_states)
        for i, (t, flag) in enumerate(zip(self.trainables, config.trainable, strict=True)):
            if flag:
                self._opt_cache[(id(t), n_sub)] = (
                    t.optimizer_generation,
                    tuple(state.opt_states[s][i] for s in range(n_sub)),
                    state.sched_states[i],
                )
        self._balancer_states = state.balancer_states
        for b, bstate in zip(self.balancers, state.balancer_states, strict=True):
            b.node.set_params(bstate["weights"])  # what the next step would use
        first = self._step
        self._step = int(state.step)
        self._key = state.key
        self._prev_losses = state.prev_losses
        fetched = jax.device_get([r for r, _ in records])
        merged = jax.tree_util.tree_map(
            lambda *parts: np.concatenate(
                [p[:n] for p, (_, n) in zip(parts, records, strict=True)]
            ),
            *fetched,
        )
        steps = np.arange(first, first + merged["total"].shape[0])
        log: dict[str, Any] = {
            "epoch": steps,
            "total_loss": np.asarray(merged["total"]),
            "losses": np.asarray(merged["losses"]),
            "weights": np.asarray(merged["weights"]),
            "learning_rates": np.asarray(merged["lrs"]),
            "learning_rate_names": self._lr_names(config),
            "training_time": elapsed,
            "trackers": {},
            "tracker_epochs": {},
        }
        if "balancer_weights" in merged:
            log["balancer_weights"] = [np.asarray(w) for w in merged["balancer_weights"]]
            log["balancer_inputs"] = [np.asarray(v) for v in merged["balancer_inputs"]]
        if "trackers" in merged:
            for tracker, name, values in zip(
                self.trackers, self.tracker_names, merged["trackers"], strict=True
            ):
                keep = steps % tracker.interval == 0
                log["trackers"][name] = np.asarray(values)[keep]
                log["tracker_epochs"][name] = steps[keep]
        self.stats.training_logs.append(log)
        self.stats.trainable_params = sum(
            _count(t, p, flag)
            for t, p, flag in zip(self.trainables, state.params, config.trainable, strict=True)
        )
        self.stats.total_params = sum(
            _size(p)
            for t, p in zip(self.trainables, state.params, strict=True)
            if not isinstance(t, BalancerWeights)
        )

    def _lr_names(self, config: StepConfig) -> list[str]:
        """Column names of `statistics.learning_rates`: one per trained parameter group."""
        names = []
        for t, flag in zip(self.trainables, config.trainable, strict=True):
            if flag:
                for g in t.optimizer_groups():
                    names.append(t.describe() + (f"[{g.label}]" if g.label else ""))
        return names

    # -- evaluation ------------------------------------------------------------------------
    def _program_for(self, operations: list[Placeholder]) -> tuple[Program, Any]:
        key = tuple(op.key for op in operations)
        if key not in self._eval_cache:
            program = Program(operations, self.trainables)
            self._eval_cache[key] = (program, jax.jit(program.__call__))
        return self._eval_cache[key]

    def eval(
        self,
        operation: Placeholder | Sequence[Placeholder],
        domain: Any = None,
        min_consecutive: int | None = 1,
        key: Any = None,
        samples: str = "auto",
    ) -> Any:
        """Evaluate expression(s) with the current parameters.

        Per-point expressions come back as numpy arrays of shape `(B, T, N, *F)`
        (a scalar feature gets a trailing axis of 1); reductions as their value.

        Args:
            operation: an expression or a list of them.
            domain: evaluate on this domain's points instead (tags are matched by name).
            min_consecutive: evaluate in windows of this many consecutive time steps
                (less memory); per-point results are the same for any window, while
                reductions come back once per window, stacked on a leading axis.
                None evaluates all time steps at once.
            key: PRNG key for noise terms (default: from the solver's seed).
            samples: unused (no Bayesian models yet).
        """
        single = not isinstance(operation, list | tuple)
        ops = [operation] if single else list(operation)
        for op in ops:
            if not isinstance(op, Placeholder):
                raise TypeError(f"eval expects expressions, got {type(op).__name__}")
        program, fn = self._program_for(ops)  # type: ignore[arg-type]
        data = program.bind(domain if domain is not None else self.domain)
        params = program.initial_params()
        key = jax.random.PRNGKey(self.rng_seed) if key is None else key
        windows = _time_windows(data, min_consecutive)
        if windows is None:
            values = [np.asarray(v) for v in fn(params, data, key)]
        else:
            parts = [fn(params, window, key) for window in windows]
            values = [
                np.concatenate(vs, axis=1)
                if program.levels[root.key].kind == "point"
                else np.stack(vs)
                for root, vs in zip(program.roots, zip(*parts, strict=True), strict=True)
            ]
        out = [_as_output(program, r, v) for r, v in zip(program.roots, values, strict=True)]
        return out[0] if single else out

    def predict(
        self, points: Any, operation: Placeholder, context: dict[str, Any] | None = None
    ) -> np.ndarray:
        """Evaluate `operation` at arbitrary `points` of shape `(B, N, D)` or `(N, D)`."""
        binding = PointsBinding(points, context)
        program, fn = self._program_for([operation])
        data = program.bind(binding.for_program(program))
        values = fn(program.initial_params(), data, jax.random.PRNGKey(self.rng_seed))
        return _as_output(program, program.roots[0], values[0])

    def live_params(self) -> tuple | None:
        """The parameters after the last finished chunk of a running `solve()`, else None.

        One entry per `self.trainables` (device arrays); for callbacks that evaluate
        the model mid-run, e.g. a dashboard's field view.
        """
        state = getattr(self, "_live_state", None)
        return None if state is None else state.params

    def reset_compiled(self) -> None:
        """Forget compiled steps and evaluators.

        Needed after a model was rebuilt with another architecture of the same
        parameter shapes (e.g. `TunableModule.instantiate`): the compiled code
        would otherwise still run the old one.
        """
        self._chunks.clear()
        self._eval_cache.clear()
        self._opt_cache.clear()

    # -- search ----------------------------------------------------------------------------
    def sweep(
        self,
        space: Any = None,
        optimizer: Any = "NGOpt",
        budget: int | None = None,
        devices: Any = None,
        *,
        score: str | None = None,
    ) -> statistics:
        """Search architecture and training hyper-parameters; see `jno_lab._search.sweep`.

        Returns:
            The statistics of the best trial; `self.best_config` and `self.sweep_results`
            (one row per trial: config, score, time) are set, and the models keep the
            best trial's architecture and trained parameters.
        """
        from .._search.sweep import run_sweep

        return run_sweep(self, space, optimizer, budget, devices, score=score)

    # -- inspection ------------------------------------------------------------------------
    def print_tree(self) -> str:
        """Print and return the expression trees of the constraints and trackers."""
        roots = self._loss_program.roots + (
            self._tracker_program.roots if self._tracker_program else []
        )
        levels = {**self._loss_program.levels}
        if self._tracker_program:
            levels.update(self._tracker_program.levels)
        return print_tree(roots, levels)

    def print_shapes(self, min_consecutive: int | None = 1) -> str:
        """Print and return the trees annotated with each node's shape."""
        program = Program(self.constraints + self.trackers, self.trainables)
        return print_shapes(program, program.bind(self.domain))


def _time_windows(data: dict, window: int | None) -> list[dict] | None:
    """`data` split into runs of `window` time steps (None when one run covers it all)."""
    steps = [g["t"].shape[0] for g in data["groups"].values() if g["t"] is not None]
    longest = max(steps, default=1)
    if window is None or longest <= window:
        return None
    out = []
    for start in range(0, longest, window):
        groups = {}
        for tag, group in data["groups"].items():
            times = group["t"]
            if times is not None and times.shape[0] > window:
                group = {**group, "t": times[start : start + window]}
            groups[tag] = group
        out.append({"groups": groups, "tensors": data["tensors"]})
    return out


def tracker_display_names(trackers: list[Tracker]) -> list[str]:
    """The names trackers get in `statistics.trackers`: given, or their expression."""
    return _unique([t.name or _short(render(t.expr)) for t in trackers])


def _unique(names: list[str]) -> list[str]:
    """`names` with repeats numbered (`name`, `name#2`, ...), so no tracker hides another."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _find_balancers(constraints: list[Placeholder]) -> list[Any]:
    """The balancers whose weights the constraints use, in first-seen order."""
    found: dict[int, Any] = {}
    for c in constraints:
        for node in c.walk():
            if isinstance(node, BalancerWeights):
                found.setdefault(id(node.balancer), node.balancer)
    return list(found.values())


def _count(trainable: Any, params: Any, flag: bool) -> int:
    """Trained scalars of one trainable: the leaves of its optimizer groups."""
    if not flag:
        return 0
    leaves = jax.tree_util.tree_leaves(params)
    covered = [False] * len(leaves)
    for g in trainable.optimizer_groups():
        for j in range(len(leaves)):
            covered[j] = covered[j] or g.selection is None or g.selection[j]
    return sum(int(np.size(x)) for x, c in zip(leaves, covered, strict=True) if c)


def _size(tree: Any) -> int:
    return sum(int(np.size(x)) for x in jax.tree_util.tree_leaves(tree))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_output(program: Program, root: Placeholder, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if program.levels[root.key].kind == "point" and array.ndim == 3:
        array = array[..., None]
    return array
