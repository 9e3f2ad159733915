"""Supervised (rollout) training on windows of reference trajectories."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PyTree

from .._mixer import TrajectorySubStacker
from ..configuration import Supervised
from ..loss import BaseLoss
from ..loss._mse import DEFAULT_LOSS
from ._general import GeneralTrainer, check_positive


class SupervisedTrainer(GeneralTrainer):
    """`GeneralTrainer` with `Supervised` on windows of `num_rollout_steps + 1` snapshots.

    Args:
        data_trajectories: reference trajectories `(S, T+1, C, *N)`.
        ref_stepper: unused by this configuration (accepted for symmetry).
        residuum_fn: unused by this configuration (accepted for symmetry).
        optimizer: optax gradient transformation.
        callback_fn: optional `tx.callback.*` callback(s).
        num_training_steps: number of updates.
        batch_size: windows per minibatch.
        num_rollout_steps: autoregressive network steps per window.
        time_level_loss: loss per time level.
        cut_bptt: cut back-propagation through time.
        cut_bptt_every: cut after every k-th step.
        time_level_weights: shape `(num_rollout_steps,)`.
        do_sub_stacking: use all windows (True) or only the first of each trajectory.

    Example:
        >>> import jax, optax
        >>> import equinox as eqx
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.advection_1d_periodic(
        ...     num_samples=4, temporal_horizon=20, cfl=-0.75, key=jax.random.PRNGKey(0)
        ... )
        >>> net = eqx.nn.Conv1d(1, 1, 2, padding="SAME", padding_mode="CIRCULAR",
        ...                     use_bias=False, key=jax.random.PRNGKey(73))
        >>> trainer = tx.trainer.SupervisedTrainer(
        ...     data, num_rollout_steps=2, optimizer=optax.adam(1e-2),
        ...     num_training_steps=50, batch_size=16,
        ... )
        >>> net, losses = trainer(net, key=jax.random.PRNGKey(42))
        >>> bool(losses[-1] < losses[0])
        True
    """

    def __init__(
        self,
        data_trajectories: PyTree[Float[Array, "S T1 C ..."]],
        *,
        ref_stepper: Any = None,
        residuum_fn: Any = None,
        optimizer: optax.GradientTransformation,
        callback_fn: Any = None,
        num_training_steps: int,
        batch_size: int,
        num_rollout_steps: int = 1,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        time_level_weights: Float[Array, " num_rollout_steps"] | None = None,
        do_sub_stacking: bool = True,
    ):
        owner = type(self).__name__
        num_training_steps = check_positive(owner, "num_training_steps", num_training_steps)
        config = Supervised(
            num_rollout_steps,
            time_level_loss=time_level_loss,
            cut_bptt=cut_bptt,
            cut_bptt_every=cut_bptt_every,
            time_level_weights=time_level_weights,
        )
        super().__init__(
            make_stacker(owner, data_trajectories, num_rollout_steps, do_sub_stacking, False),
            config,
            ref_stepper=ref_stepper,
            residuum_fn=residuum_fn,
            optimizer=optimizer,
            num_minibatches=num_training_steps,
            batch_size=batch_size,
            callback_fn=callback_fn,
        )


def make_stacker(
    owner: str, data: Any, window_steps: int, do_sub_stacking: bool, only_store_ic: bool
) -> TrajectorySubStacker:
    """Sub-stack `data` into windows of `window_steps + 1` snapshots, with a clear error."""
    window_steps = check_positive(owner, "num_rollout_steps", window_steps)
    try:
        return TrajectorySubStacker(
            data,
            window_steps + 1,
            do_sub_stacking=do_sub_stacking,
            only_store_ic=only_store_ic,
        )
    except ValueError as error:
        shapes = [tuple(jnp.shape(x)) for x in jax.tree_util.tree_leaves(data)]
        raise ValueError(
            f"{owner}: data_trajectories of shape {shapes[0] if len(shapes) == 1 else shapes} "
            f"(expected (S, T+1, C, *N)) cannot give windows of {window_steps + 1} snapshots "
            f"({window_steps} rollout steps plus the initial condition): {error}"
        ) from None
