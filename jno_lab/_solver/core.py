"""`jno.core`: the solver that compiles constraints into one training step and runs it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._config import get_seed
from .._lower.analysis import ExpressionError, render, single_domain
from .._lower.program import Program
from .._schedules import WeightSchedule
from .._trace.nodes import Placeholder, Tracker
from .binding import PointsBinding
from .callbacks import Callback
from .host_schedules import evaluate as evaluate_on_host
from .host_schedules import host_schedules
from .shapes import print_shapes, print_tree
from .statistics import statistics
from .step import StepConfig, TrainState, build_chunk, init_opt_states
from .tracking import group_trackers

FUSED_STEPS = 64
"""Steps per compiled call when no callback needs to run between steps."""


class core:
    """Compile constraint expressions into one training step; train and evaluate.

    Args:
        constraints: scalar loss expressions (`pde.mse`, ...) and trackers.
        domain: the domain; found from the variables when omitted. May also be
            given as the second positional argument.
        mesh: device mesh `(batch, model)`; `(1, 1)` is one device.
        resume_from: a checkpoint folder to restore from.
        rng_seed: seed of this solver's random stream (default: `jno.get_seed()`).

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
        mesh: tuple[int, ...] | None = (1, 1),
        resume_from: str | None = None,
        rng_seed: int | None = None,
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
        self._check_mesh(mesh)
        if resume_from is not None:
            raise NotImplementedError(
                "resume_from= needs checkpoint support (orbax), which this version does not "
                "include yet; train from scratch"
            )
        self.constraints = [c for c in constraints if not isinstance(c, Tracker)]
        self.trackers = [c for c in constraints if isinstance(c, Tracker)]
        if not self.constraints:
            raise ValueError(
                "jno.core needs at least one constraint (trackers alone train nothing)"
            )
        self._loss_program = Program(self.constraints)
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
        self.domain = domain if domain is not None else found
        self.rng_seed = get_seed() if rng_seed is None else int(rng_seed)
        self.constraint_names = [_short(render(c)) for c in self.constraints]
        self.tracker_names = tracker_display_names(self.trackers)
        self._tracker_groups = group_trackers(self.trackers, self.trainables)
        self.stats = statistics([], self.constraint_names)
        self.stop_training = False
        self.compile_count = 0
        self._trace_counter = [0]
        self._chunks: dict[tuple, Any] = {}
        self._opt_cache: dict[int, tuple[int, Any]] = {}
        self._key = jax.random.PRNGKey(self.rng_seed)
        self._step = 0
        self._data: dict | None = None
        self._eval_cache: dict[tuple, tuple[Program, Any]] = {}
        self.best_config: dict[str, Any] | None = None  # set by sweep()
        self.sweep_results: list[dict[str, Any]] = []

    # -- checks ------------------------------------------------------------------------
    @staticmethod
    def _check_mesh(mesh: Any) -> None:
        if mesh is None:
            return
        mesh = tuple(mesh)
        if len(mesh) != 2 or any(not isinstance(m, int) or m < 1 for m in mesh):
            raise ValueError(f"mesh must be (batch_devices, model_devices), got {mesh!r}")
        if mesh != (1, 1):
            raise NotImplementedError(
                f"mesh={mesh}: multi-device meshes are not supported by this version; "
                "use mesh=(1, 1)"
            )

    def _check_optimizers(self) -> None:
        for t in self._loss_program.trainables:
            if not t.frozen and t.transform is None:
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
        self, length: int, masked: bool, batchsize: int | None, window: int | None = None
    ) -> StepConfig:
        in_loss = {id(t) for t in self._loss_program.trainables}
        flags = tuple(id(t) in in_loss and not t.frozen for t in self.trainables)
        transforms = tuple(
            t.transform if f else None for t, f in zip(self.trainables, flags, strict=True)
        )
        total = self._batch_total()
        if batchsize is not None and not 1 <= batchsize <= total:
            raise ValueError(
                f"batchsize={batchsize} must lie between 1 and the number of problem instances "
                f"B={total} (batches are drawn over instances; None trains on all of them)"
            )
        steps = [g["t"].shape[0] for g in self._bind()["groups"].values() if g["t"] is not None]
        if window is not None and max(steps, default=1) <= window:
            window = None  # every run of time steps is the whole axis: the same step
        return StepConfig(flags, transforms, length, masked, batchsize, total, window)

    def _batch_total(self) -> int:
        return int(getattr(self.domain, "batch_size", 1) or 1)

    def _chunk_fn(self, config: StepConfig, checkpoint: bool) -> Any:
        key = (config, checkpoint)
        if key not in self._chunks:
            self._chunks[key] = build_chunk(
                self._loss_program,
                self._tracker_groups,
                len(self.trackers),
                config,
                self._trace_counter,
                checkpoint,
            )
        return self._chunks[key]

    def compile(self, mesh: tuple[int, ...] | None = (1, 1)) -> core:
        """Lower and compile the training step now (`solve` does it when needed)."""
        self._check_mesh(mesh)
        self._check_optimizers()
        config = self._config(FUSED_STEPS, True, None, window=1)
        state = self._initial_state(config)
        n_active = jnp.asarray(1, jnp.int32)
        self._chunk_fn(config, False).lower(
            state, self._bind(), self._hyper(None), n_active
        ).compile()
        return self

    # -- training ------------------------------------------------------------------------
    def _initial_state(self, config: StepConfig) -> TrainState:
        params = tuple(jax.tree_util.tree_map(jnp.copy, t.get_params()) for t in self.trainables)
        opt_states = []
        fresh = init_opt_states(params, config)
        for t, transform, new in zip(self.trainables, config.transforms, fresh, strict=True):
            cached = self._opt_cache.get(id(t))
            if transform is not None and cached is not None and cached[0] == t.optimizer_generation:
                opt_states.append(cached[1])
            else:
                opt_states.append(new)
        n = len(self.constraints)
        return TrainState(
            params,
            tuple(opt_states),
            jnp.asarray(self._step, jnp.int32),
            jnp.zeros((n,), jnp.float32),
            self._key,
        )

    def _hyper(self, weights: Any) -> tuple:
        scales = tuple(t.lr_scale for t in self.trainables)
        if weights is not None and not isinstance(weights, WeightSchedule):
            weights = WeightSchedule(weights)
        if weights is not None:
            weights.check(len(self.constraints))
        return (scales, weights)

    def solve(
        self,
        epochs: int = 1000,
        batchsize: int | None = None,
        checkpoint_gradients: bool = False,
        offload_data: bool = False,
        inner_steps: int = 1,
        accumulation_steps: int = 1,
        min_consecutive: int | None = 1,
        profile: bool = False,
        callbacks: list[Callback] | None = None,
        substeps: list | None = None,
        constraint_weights: Any = None,
    ) -> statistics:
        """Train for `epochs` steps; repeated calls continue training.

        Returns:
            The training history of all `solve()` calls so far.
        """
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        if not isinstance(inner_steps, int) or inner_steps < 1 or epochs % inner_steps:
            raise ValueError(
                f"inner_steps={inner_steps!r} must be a positive integer dividing epochs={epochs}"
            )
        for name, value, default in (
            ("offload_data", offload_data, False),
            ("accumulation_steps", accumulation_steps, 1),
            ("profile", profile, False),
            ("substeps", substeps, None),
        ):
            if value != default:
                raise NotImplementedError(f"solve({name}=...) is not supported by this version")
        if min_consecutive is not None and (
            not isinstance(min_consecutive, int) or min_consecutive < 1
        ):
            raise ValueError(
                f"min_consecutive must be a positive integer or None, got {min_consecutive!r}"
            )
        self._check_optimizers()
        callbacks = list(callbacks or [])
        # Without callbacks nobody looks between steps: fuse FUSED_STEPS steps per call
        # (masked, so any number of epochs reuses one compiled function).
        hyper = self._hyper(constraint_weights)
        n_constraints = len(self.constraints)
        on_host = host_schedules(hyper, n_constraints)
        fused = not callbacks and not on_host
        length = 1 if on_host else FUSED_STEPS if fused else inner_steps
        config = self._config(length, fused, batchsize, min_consecutive)
        chunk = self._chunk_fn(config, bool(checkpoint_gradients))
        data = self._bind()
        self.stop_training = False
        traces_before = self._trace_counter[0]

        start = time.perf_counter()
        state = self._initial_state(config)
        for cb in callbacks:
            cb.on_training_start(self)
        records = []
        remaining = epochs
        losses_now = np.zeros((n_constraints,), np.float32)
        while remaining > 0:
            active = min(config.length, remaining)
            if on_host:
                hyper_now = evaluate_on_host(
                    hyper, self._step + epochs - remaining, losses_now, n_constraints
                )
            else:
                hyper_now = hyper
            state, record = chunk(state, data, hyper_now, jnp.asarray(active, jnp.int32))
            if on_host:
                losses_now = np.asarray(record["losses"][-1])
            records.append((record, active))
            remaining -= active
            if callbacks:
                for cb in callbacks:
                    cb.on_epoch_end(self, int(state.step), record)
                if self.stop_training:
                    break
        jax.block_until_ready(state.params)
        elapsed = time.perf_counter() - start
        self.compile_count += self._trace_counter[0] - traces_before

        self._finish(state, config, records, elapsed)
        for cb in callbacks:
            cb.on_training_end(self, self.stats)
        return self.stats

    def _finish(self, state: TrainState, config: StepConfig, records: list, elapsed: float) -> None:
        for t, p in zip(self.trainables, state.params, strict=True):
            t.set_params(p)
        for t, transform, opt_state in zip(
            self.trainables, config.transforms, state.opt_states, strict=True
        ):
            if transform is not None:
                self._opt_cache[id(t)] = (t.optimizer_generation, opt_state)
        first = self._step
        self._step = int(state.step)
        self._key = state.key
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
            "training_time": elapsed,
            "trackers": {},
            "tracker_epochs": {},
        }
        if "trackers" in merged:
            for tracker, name, values in zip(
                self.trackers, self.tracker_names, merged["trackers"], strict=True
            ):
                keep = steps % tracker.interval == 0
                log["trackers"][name] = np.asarray(values)[keep]
                log["tracker_epochs"][name] = steps[keep]
        self.stats.training_logs.append(log)
        self.stats.trainable_params = sum(
            _size(p) for p, flag in zip(state.params, config.trainable, strict=True) if flag
        )
        self.stats.total_params = sum(_size(p) for p in state.params)

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


def _size(tree: Any) -> int:
    return sum(int(np.size(x)) for x in jax.tree_util.tree_leaves(tree))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_output(program: Program, root: Placeholder, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if program.levels[root.key].kind == "point" and array.ndim == 3:
        array = array[..., None]
    return array
