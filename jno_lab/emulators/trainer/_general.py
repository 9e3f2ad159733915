"""The general trainer: a configuration, minibatches of windows, one compiled loop."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from ..._solver.callbacks import Callback
from .._loop import TRACE_COUNT, run_chunk
from .._mixer import PermutationMixer, TrajectorySubStacker
from .._statistics import EmulatorStatistics
from ..callback import BaseCallback, CompositeCallback, ValidationRollout
from ..configuration import BaseConfiguration

DEFAULT_CHUNK = 100
"""Fused updates between host hooks when a dashboard (`callbacks=`) watches."""


def check_positive(owner: str, name: str, value: Any) -> int:
    """Validate a positive integer argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}({name}=...) must be a positive integer, got {value!r}")
    return int(value)


def _callback_parts(callback_fn: Any) -> list[BaseCallback] | None:
    if isinstance(callback_fn, BaseCallback):
        return [callback_fn]
    if isinstance(callback_fn, CompositeCallback):
        return list(callback_fn.callbacks)
    return None


def _is_scalar(value: Any) -> bool:
    numeric = isinstance(value, (int, float, np.number, np.ndarray, jax.Array))
    return numeric and not isinstance(value, bool) and np.ndim(value) == 0


def _is_key(key: Any) -> bool:
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return key.shape == ()
    return isinstance(key, (jax.Array, np.ndarray)) and key.shape == (2,) and key.dtype == np.uint32


class GeneralTrainer:
    """Train an autoregressive emulator with any configuration on minibatches of windows.

    Each update draws a minibatch of windows from `trajectory_sub_stacker` (a new
    permutation per epoch, see `PermutationMixer`), evaluates `loss_configuration`
    and applies `optimizer`. The whole run is one compiled `lax.scan` over updates
    (minibatch selection included); with callbacks it runs in compiled chunks whose
    boundaries fall on the steps where a callback is due. The remainder minibatch of
    an epoch is padded and masked, so it computes the same mean as a smaller batch
    without compiling again.

    Args:
        trajectory_sub_stacker: the windows to train on.
        loss_configuration: the loss (`tx.configuration.*`).
        ref_stepper: reference stepper `(C, *N) -> (C, *N)` if the configuration needs it.
        residuum_fn: `residuum_fn(u_next, u_prev)` if the configuration needs it.
        optimizer: an optax gradient transformation.
        num_minibatches: number of updates.
        batch_size: windows per minibatch (full batch if larger than the data).
        callback_fn: Trainax-style callback(s), `tx.callback.*`; results are returned.

    Attributes:
        stats: `EmulatorStatistics` of the last call.
        compile_count: compilations of the fused loop caused by calls of this trainer.
        stop_training: set it to True in a hook to stop after the current chunk.

    Example:
        >>> import jax, optax
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.advection_1d_periodic(
        ...     num_samples=4, temporal_horizon=10, cfl=-0.75, key=jax.random.PRNGKey(0)
        ... )
        >>> trainer = tx.GeneralTrainer(
        ...     tx.TrajectorySubStacker(data, 3),
        ...     tx.configuration.Supervised(2),
        ...     optimizer=optax.adam(1e-2),
        ...     num_minibatches=20,
        ...     batch_size=8,
        ... )
        >>> model, history = trainer(lambda u: u, key=jax.random.PRNGKey(1))
        >>> history.shape
        (20,)
    """

    def __init__(
        self,
        trajectory_sub_stacker: TrajectorySubStacker,
        loss_configuration: BaseConfiguration,
        *,
        ref_stepper: Callable[[Array], Array] | None = None,
        residuum_fn: Callable[[Array, Array], Array] | None = None,
        optimizer: optax.GradientTransformation,
        num_minibatches: int,
        batch_size: int,
        callback_fn: BaseCallback | CompositeCallback | Callable | None = None,
    ):
        owner = type(self).__name__
        if not isinstance(trajectory_sub_stacker, TrajectorySubStacker):
            raise TypeError(
                f"{owner}(trajectory_sub_stacker=...) must be a tx.TrajectorySubStacker, "
                f"got {type(trajectory_sub_stacker).__name__}"
            )
        if not isinstance(loss_configuration, BaseConfiguration):
            raise TypeError(
                f"{owner}(loss_configuration=...) must be a tx.configuration.* instance, "
                f"got {type(loss_configuration).__name__}"
            )
        if not isinstance(optimizer, optax.GradientTransformation):
            raise TypeError(
                f"{owner}(optimizer=...) must be an optax gradient transformation such as "
                f"optax.adam(1e-3), got {optimizer!r}"
            )
        if loss_configuration.needs_ref_stepper and ref_stepper is None:
            raise ValueError(
                f"{owner} trains {type(loss_configuration).__name__}, which calls the "
                "reference solver: pass ref_stepper=... (a map from one state (C, *N) to the next)"
            )
        if loss_configuration.needs_residuum_fn and residuum_fn is None:
            raise ValueError(
                f"{owner} trains {type(loss_configuration).__name__}: pass residuum_fn=... "
                "(residuum_fn(u_next, u_prev) -> residuum state)"
            )
        for name, fn in (("ref_stepper", ref_stepper), ("residuum_fn", residuum_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{owner}({name}=...) must be callable, got {fn!r}")
        if callback_fn is not None and not callable(callback_fn):
            raise TypeError(f"{owner}(callback_fn=...) must be callable, got {callback_fn!r}")
        stacked = (
            1 if trajectory_sub_stacker.only_store_ic else trajectory_sub_stacker.sub_trajectory_len
        )
        if stacked < loss_configuration.window_length:
            raise ValueError(
                f"{owner}: {type(loss_configuration).__name__} needs windows of "
                f"{loss_configuration.window_length} snapshots but the sub-stacker gives "
                f"{stacked}; build it with sub_trajectory_len={loss_configuration.window_length}"
            )
        self.trajectory_sub_stacker = trajectory_sub_stacker
        self.loss_configuration = loss_configuration
        self.ref_stepper = ref_stepper
        self.residuum_fn = residuum_fn
        self.optimizer = optimizer
        self.num_minibatches = check_positive(owner, "num_minibatches", num_minibatches)
        self.batch_size = check_positive(owner, "batch_size", batch_size)
        self.callback_fn = callback_fn
        self.stats = EmulatorStatistics(configuration=type(loss_configuration).__name__)
        self.compile_count = 0
        self.stop_training = False
        self.step = 0
        self.stepper: Any = None

    def full_loss(self, stepper: Any) -> Float[Array, ""]:
        """The configuration's loss on all windows at once (memory grows with the data)."""
        return self.loss_configuration(
            stepper,
            self.trajectory_sub_stacker.data_sub_trajectories,
            ref_stepper=self.ref_stepper,
            residuum_fn=self.residuum_fn,
        )

    def _chunk_length(self, hooks: list[Callback], chunk_size: int | None) -> int:
        parts = _callback_parts(self.callback_fn)
        everys = [] if parts is None else [c.every for c in parts]
        if chunk_size is not None:
            k = check_positive(type(self).__name__ + ".__call__", "chunk_size", chunk_size)
            if self.callback_fn is not None and parts is None and k != 1:
                raise ValueError(
                    f"chunk_size={k}: a plain-function callback_fn runs before every update; "
                    "use chunk_size=1 or a tx.callback.* callback with an `every`"
                )
            bad = [e for e in everys if e % k]
            if bad:
                raise ValueError(
                    f"chunk_size={k} does not divide the callback interval(s) every={bad}: "
                    "callbacks run between chunks; pick a chunk_size that divides every"
                )
            return k
        if self.callback_fn is not None and parts is None:
            return 1
        base = min(DEFAULT_CHUNK, self.num_minibatches) if hooks else self.num_minibatches
        return math.gcd(base, *everys) if everys else base

    def __call__(
        self,
        stepper: Any,
        key: PRNGKeyArray,
        opt_state: optax.OptState | None = None,
        *,
        return_loss_history: bool = True,
        record_loss_every: int = 1,
        spawn_tqdm: bool = False,
        return_opt_state: bool = False,
        callbacks: Sequence[Callback] | None = None,
        chunk_size: int | None = None,
    ) -> Any:
        """Train `stepper`; returns `(stepper, loss_history)` (Trainax's return signature).

        With a `callback_fn` the callback results follow the loss history (one dict
        per update); `return_loss_history=False` drops the history and
        `return_opt_state=True` appends the final optimizer state. The statistics of
        the run are in `self.stats`.

        Args:
            stepper: the emulator, an equinox module mapping `(C, *N)` to `(C, *N)`.
            key: PRNG key for the minibatch permutations.
            opt_state: optimizer state to continue from; default `optimizer.init`.
            return_loss_history: whether to return the loss of every recorded update.
            record_loss_every: keep the loss of every n-th update.
            spawn_tqdm: show a progress bar (updated per chunk).
            return_opt_state: also return the final optimizer state.
            callbacks: `jno_lab.Callback` hooks (`on_training_start(trainer)`,
                `on_epoch_end(trainer, step, records)`, `on_training_end(trainer, stats)`),
                e.g. a live dashboard.
            chunk_size: fused updates per compiled chunk between host callbacks.
        """
        owner = type(self).__name__ + ".__call__"
        if not callable(stepper):
            raise TypeError(f"{owner}(stepper=...) must be a callable network, got {stepper!r}")
        if not _is_key(key):
            raise TypeError(
                f"{owner}(key=...) must be a PRNG key such as jax.random.PRNGKey(0), got {key!r}"
            )
        record_loss_every = check_positive(owner, "record_loss_every", record_loss_every)
        hooks = list(callbacks or [])
        for hook in hooks:
            if not isinstance(hook, Callback):
                raise TypeError(
                    f"{owner}(callbacks=...) takes jno_lab.Callback hooks, got "
                    f"{type(hook).__name__}; pass tx.callback.* objects as callback_fn= instead"
                )
        params, static = eqx.partition(stepper, eqx.is_inexact_array)
        self._check_stepper(stepper)
        length = self._chunk_length(hooks, chunk_size)

        mixer = PermutationMixer(
            self.trajectory_sub_stacker.num_total_samples,
            self.num_minibatches,
            self.batch_size,
            key,
        )
        padded = mixer.padded_permutations()
        if opt_state is None:
            opt_state = self.optimizer.init(params)
        parts = _callback_parts(self.callback_fn)
        names = [c.name for c in parts] if parts else []
        validation = [c for c in parts or [] if isinstance(c, ValidationRollout)]
        trackers: dict[str, list] = {}
        tracker_steps: dict[str, list] = {}
        aux_history: list[dict[str, Any]] = []

        callback_fn = self.callback_fn

        def fire(step: int) -> dict[str, Any]:
            if callback_fn is None:
                return {}
            model = eqx.combine(params, static)
            aux = callback_fn(step, model, self.trajectory_sub_stacker(mixer(step)))
            aux_history.append(aux)
            fired = {}
            for name, value in aux.items():
                if _is_scalar(value):
                    trackers.setdefault(name, []).append(float(value))
                    tracker_steps.setdefault(name, []).append(step)
                    fired[name] = value
            return fired

        bar = None
        if spawn_tqdm:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.num_minibatches, desc=type(self).__name__)
        traces_before = TRACE_COUNT[0]
        self.stop_training = False
        self.step = 0
        self.stepper = stepper
        start = time.perf_counter()
        compile_time = 0.0
        for hook in hooks:
            hook.on_training_start(self)
        loss_chunks = []
        step = 0
        fired = fire(0) if self.callback_fn is not None else {}
        while step < self.num_minibatches:
            active = min(length, self.num_minibatches - step)
            chunk_start = time.perf_counter()
            traced = TRACE_COUNT[0]
            params, opt_state, losses = run_chunk(
                params,
                opt_state,
                static,
                self.trajectory_sub_stacker,
                mixer,
                padded,
                jnp.asarray(step, jnp.int32),
                jnp.asarray(active, jnp.int32),
                self.loss_configuration,
                self.ref_stepper,
                self.residuum_fn,
                self.optimizer,
                length,
            )
            if TRACE_COUNT[0] != traced:
                jax.block_until_ready(losses)
                compile_time += time.perf_counter() - chunk_start
            losses = losses[:active] if active < length else losses
            loss_chunks.append(losses)
            step += active
            self.step = step
            if self.callback_fn is not None:
                for _ in range(step - active + 1, step):
                    aux_history.append(dict.fromkeys(names))
                fired = fire(step) if step < self.num_minibatches else {}
            if bar is not None:
                bar.update(active)
            if hooks:
                self.stepper = eqx.combine(params, static)
                records = {
                    "total": losses,
                    "loss": losses,
                    "losses": losses[:, None],
                    "trackers": fired,
                }
                for hook in hooks:
                    hook.on_epoch_end(self, step, records)
                if self.stop_training:
                    break
        if bar is not None:
            bar.close()
        trained = eqx.combine(params, static)
        for cb in validation:
            trackers.setdefault(cb.name, []).append(float(jnp.mean(cb.errors(trained))))
            tracker_steps.setdefault(cb.name, []).append(step)
        history = jnp.concatenate(loss_chunks) if loss_chunks else jnp.zeros((0,))
        history = history[::record_loss_every]
        jax.block_until_ready((params, history))
        elapsed = time.perf_counter() - start
        self.compile_count += TRACE_COUNT[0] - traces_before
        self.stepper = trained
        self.stats = self._statistics(
            history,
            record_loss_every,
            trackers,
            tracker_steps,
            validation,
            elapsed,
            compile_time,
            params,
            stepper,
        )
        for hook in hooks:
            hook.on_training_end(self, self.stats)

        out: tuple = (trained,)
        if return_loss_history:
            out += (history,)
        if self.callback_fn is not None:
            out += (aux_history,)
        if return_opt_state:
            out += (opt_state,)
        return out[0] if len(out) == 1 else out

    def _check_stepper(self, stepper: Any) -> None:
        sample = self.trajectory_sub_stacker(jnp.zeros((1,), jnp.int32))
        state = jax.ShapeDtypeStruct(sample.shape[2:], sample.dtype)
        try:
            out = eqx.filter_eval_shape(stepper, state)
        except Exception as error:
            raise ValueError(
                f"{type(self).__name__}: the stepper cannot be applied to one state of shape "
                f"{state.shape} (channels, *space) from the data: {error}"
            ) from error
        if getattr(out, "shape", None) != state.shape:
            raise ValueError(
                f"{type(self).__name__}: the stepper maps a state of shape {state.shape} to "
                f"{getattr(out, 'shape', type(out).__name__)}; an autoregressive emulator must "
                "return the next state in the input's shape (for convolutions use "
                "padding='SAME' with padding_mode='CIRCULAR')"
            )

    def _statistics(
        self,
        history: Array,
        every: int,
        trackers: dict[str, list],
        tracker_steps: dict[str, list],
        validation: list[ValidationRollout],
        elapsed: float,
        compile_time: float,
        params: Any,
        stepper: Any,
    ) -> EmulatorStatistics:
        values = np.asarray(history)
        log = {
            "epoch": np.arange(values.size, dtype=np.int64) * every,
            "total_loss": values,
            "trackers": {k: np.asarray(v, np.float64) for k, v in trackers.items()},
            "tracker_epochs": {k: np.asarray(v, np.int64) for k, v in tracker_steps.items()},
            "validation_names": [c.name for c in validation],
            "training_time": elapsed,
            "compile_time": compile_time,
        }
        count = lambda tree: sum(  # noqa: E731
            int(np.size(x)) for x in jax.tree_util.tree_leaves(eqx.filter(tree, eqx.is_array))
        )
        return EmulatorStatistics(
            log, type(self.loss_configuration).__name__, count(params), count(stepper)
        )
