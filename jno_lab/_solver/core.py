"""`jno.core`: the solver that compiles constraints into one training step and runs it.

The class is the public face; the work lives beside it: `loop` (the host
training loop), `step_setup` (the step's configuration, first state and
inputs), `evaluation` (`eval`, `predict`), `training_log`, `run_control`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import numpy as np

from .._config import get_checkpoint_dir, get_seed
from .._trace.nodes import Placeholder
from . import checkpoint as ckpt
from . import evaluation, step_setup
from .callbacks import Callback
from .history import DEFAULT_KEEP, CheckpointHistory
from .inspection import print_solver_shapes, print_solver_tree
from .loop import FUSED_STEPS, run_solve
from .mesh import check_mesh, make_mesh
from .naming import constraint_display_names, tracker_display_names
from .pickling import solver_getstate, solver_setstate
from .programs import bind_data, build_programs, compile_step, split_constraints
from .run_control import RunControl
from .statistics import statistics
from .step import StepConfig, TrainState

__all__ = ["FUSED_STEPS", "core", "tracker_display_names"]


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

    # Set by `programs.build_programs` and `step_setup.init_training_state`.
    trainables: list[Any]
    _step: int
    _key: jax.Array
    _prev_losses: jax.Array | None
    _balancer_states: tuple[Any, ...] | None
    _live_state: TrainState | None
    _final_state: TrainState | None
    _chunks: dict[StepConfig, Any]
    _eval_cache: dict[Any, Any]
    _opt_cache: dict[tuple[int, int], Any]

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
        self.constraints, self.trackers = split_constraints(constraints)
        self.mesh = check_mesh(mesh)
        self._device_mesh = make_mesh(self.mesh) if self.mesh != (1, 1) else None
        found = build_programs(self)
        self.domain = domain if domain is not None else found
        self.rng_seed = get_seed() if rng_seed is None else int(rng_seed)
        self.constraint_names = constraint_display_names(self.constraints)
        self.tracker_names = tracker_display_names(self.trackers)
        self.stats = statistics([], self.constraint_names)
        self.stop_training = False
        self.control: RunControl | None = None
        """The run control of the running (or last) `solve()`, else None."""
        self.nonfinite: dict[str, Any] | None = None
        """The non-finite stop of the running (or last) `solve()`, else None."""
        self.compile_count = 0
        self._history = CheckpointHistory(
            checkpoint_dir if checkpoint_dir is not None else get_checkpoint_dir(),
            keep_checkpoints,
        )
        step_setup.init_training_state(self)
        if resume_from is not None:
            step_setup.restore_checkpoint(self, resume_from)
        self.best_config: dict[str, Any] | None = None  # set by sweep()
        self.sweep_results: list[dict[str, Any]] = []
        self._attached: list[Callback] = []

    # -- checkpoints -------------------------------------------------------------------
    @property
    def step_count(self) -> int:
        """Training steps done so far (continued by `resume_from`)."""
        return self._step if self._live_state is None else int(self._live_state.step)

    def write_checkpoint(self, writer: ckpt.CheckpointWriter) -> Path:
        """Write the current training state with `writer` (used by `CheckpointCallback`)."""
        state = self._live_state or self._final_state
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

    __getstate__ = solver_getstate
    __setstate__ = solver_setstate

    # -- compilation ---------------------------------------------------------------------
    def _bind(self) -> dict:
        return bind_data(self)

    def _config(self, *args: Any, **kwargs: Any) -> StepConfig:
        return step_setup.step_config(self, *args, **kwargs)

    def _initial_state(self, config: StepConfig) -> TrainState:
        return step_setup.initial_state(self, config)

    def _hyper(self, weights: Any, config: StepConfig | None = None) -> tuple:
        return step_setup.hyper_inputs(self, weights, config)

    def compile(self, mesh: tuple[int, ...] | None = None) -> core:
        """Lower and compile the training step now (`solve` does it when needed)."""
        compile_step(self, mesh, FUSED_STEPS)
        return self

    # -- training ------------------------------------------------------------------------
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
        *,
        control: RunControl | None = None,
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
                Callbacks joined by `attach` run after these.
            substeps: alternating optimisation, e.g. `[[0, 1], ([2, 3], 2)]`.
            constraint_weights: a `WeightSchedule` or one weight per constraint.
            control: a `jno.RunControl` to stop, pause and resume the run from any
                thread; honoured every `inner_steps` steps (every fused chunk of
                steps without callbacks), never after the last chunk. Time held
                paused is left out of `training_time`. Default: a new one,
                reachable during the run as `crux.control`.

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
        return run_solve(
            self,
            epochs=epochs,
            batchsize=batchsize,
            checkpoint_gradients=checkpoint_gradients,
            offload_data=offload_data,
            inner_steps=inner_steps,
            accumulation_steps=accumulation_steps,
            min_consecutive=min_consecutive,
            profile=profile,
            callbacks=[*(callbacks or []), *self._attached],
            substeps=substeps,
            constraint_weights=constraint_weights,
            control=control if control is not None else RunControl(),
        )

    def attach(self, callback: Callback) -> None:
        """Join `callback` to every later `solve()` (after that call's own callbacks).

        Example:
            >>> import optax, jno_lab as jno
            >>> p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
            >>> crux = jno.core([(p - 1.0).mse], jno.domain.from_array({"interior": [[0.0]]}))
            >>> class Chunks(jno.Callback):
            ...     def on_epoch_end(self, solver, step, records):
            ...         self.seen = step
            >>> watcher = Chunks()
            >>> crux.attach(watcher)
            >>> _ = crux.solve(20, inner_steps=10)
            >>> crux.detach(watcher)
            >>> _ = crux.solve(20, inner_steps=10)
            >>> watcher.seen, crux.step_count, crux.attached_callbacks
            (20, 40, [])
        """
        if not isinstance(callback, Callback):
            raise TypeError(
                f"attach() takes a jno.Callback, got {type(callback).__name__}; "
                "subclass jno.Callback and override its hooks"
            )
        if not any(c is callback for c in self._attached):
            self._attached.append(callback)

    def detach(self, callback: Callback) -> None:
        """Stop joining `callback` (given to `attach`) to later `solve()` calls."""
        kept = [c for c in self._attached if c is not callback]
        if len(kept) == len(self._attached):
            raise ValueError(
                f"detach(): {callback!r} is not attached to this solver; "
                "attached callbacks: " + (", ".join(map(repr, self._attached)) or "none")
            )
        self._attached = kept

    @property
    def attached_callbacks(self) -> list[Callback]:
        """The callbacks `attach` joined to every `solve()`, in order."""
        return list(self._attached)

    # -- evaluation ------------------------------------------------------------------------
    def eval(
        self,
        operation: Placeholder | Sequence[Placeholder],
        domain: Any = None,
        min_consecutive: int | None = 1,
        key: Any = None,
        samples: str = "auto",
        *,
        params: Sequence[Any] | None = None,
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
            params: evaluate with these parameters instead, one entry per
                `self.trainables`: e.g. `self.live_params()` during a run.
        """
        return evaluation.evaluate(self, operation, domain, min_consecutive, key, params)

    def predict(
        self,
        points: Any,
        operation: Placeholder,
        context: dict[str, Any] | None = None,
        *,
        params: Sequence[Any] | None = None,
    ) -> np.ndarray:
        """Evaluate `operation` at arbitrary `points` of shape `(B, N, D)` or `(N, D)`.

        Args:
            points: the coordinates.
            operation: the expression.
            context: `"__time__"` -> the time grid `(T,)`, tensor tags by name.
            params: evaluate with these parameters instead of the current ones, one
                entry per `self.trainables`: `self.live_params()` during a run (a
                callback's view of the model while it trains).

        Example:
            >>> import jax.numpy as jnp, optax, jno_lab as jno
            >>> (x,) = jno.domain.from_array({"interior": [[0.0]]}).variable("interior")
            >>> p = jno.np.parameter((1,), init=0.0, name="p").optimizer(optax.sgd(0.1))
            >>> crux = jno.core([(p * x - 1.0).mse])
            >>> crux.predict([[2.0]], p * x).ravel().tolist()
            [0.0]
            >>> crux.predict([[2.0]], p * x, params=(jnp.array([3.0]),)).ravel().tolist()
            [6.0]
        """
        return evaluation.predict(self, points, operation, context, params)

    def live_params(self) -> tuple | None:
        """The parameters after the last finished chunk of a running `solve()`, else None.

        One entry per `self.trainables` (device arrays); for callbacks that evaluate
        the model mid-run, e.g. a dashboard's field view.
        """
        return None if self._live_state is None else self._live_state.params

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
        from .sweeping import run_sweep

        return run_sweep(self, space, optimizer, budget, devices, score=score)

    # -- inspection ------------------------------------------------------------------------
    def print_tree(self) -> str:
        """Print and return the expression trees of the constraints and trackers."""
        return print_solver_tree(self)

    def print_shapes(self, min_consecutive: int | None = 1) -> str:
        """Print and return the trees annotated with each node's shape."""
        return print_solver_shapes(self)
