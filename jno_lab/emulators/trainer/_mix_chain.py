"""Mix-chain training: network steps continued by reference steps, against data."""

from __future__ import annotations

from typing import Any

import optax
from jaxtyping import Array, Float, PyTree

from ..configuration import MixChain
from ..loss import BaseLoss
from ..loss._mse import DEFAULT_LOSS
from ._general import GeneralTrainer, check_positive
from ._supervised import make_stacker


class MixChainTrainer(GeneralTrainer):
    """`GeneralTrainer` with `MixChain` on windows of `R + P + 1` snapshots.

    Args:
        data_trajectories: reference trajectories `(S, T+1, C, *N)`.
        ref_stepper: the (differentiable) reference solver, `(C, *N) -> (C, *N)`.
        residuum_fn: unused.
        optimizer: optax gradient transformation.
        callback_fn: optional `tx.callback.*` callback(s).
        num_training_steps: number of updates.
        batch_size: windows per minibatch.
        num_rollout_steps: network steps R.
        num_post_physics_steps: reference steps P after them.
        time_level_loss: loss per time level.
        cut_bptt: cut back-propagation through time in the network part.
        cut_bptt_every: cut after every k-th network step.
        time_level_weights: shape `(R + P,)`.
        do_sub_stacking: use all windows or only the first of each trajectory.

    Example:
        >>> import jax, optax
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.advection_1d_periodic(
        ...     num_samples=2, temporal_horizon=8, key=jax.random.PRNGKey(0)
        ... )
        >>> trainer = tx.trainer.MixChainTrainer(
        ...     data, ref_stepper=tx.sample_data.make_advection_stepper(0.75),
        ...     num_rollout_steps=2, num_post_physics_steps=1, optimizer=optax.sgd(0.1),
        ...     num_training_steps=5, batch_size=4,
        ... )
        >>> trainer(lambda u: u, key=jax.random.PRNGKey(1))[1].shape
        (5,)
    """

    def __init__(
        self,
        data_trajectories: PyTree[Float[Array, "S T1 C ..."]],
        *,
        ref_stepper: Any,
        residuum_fn: Any = None,
        optimizer: optax.GradientTransformation,
        callback_fn: Any = None,
        num_training_steps: int,
        batch_size: int,
        num_rollout_steps: int = 1,
        num_post_physics_steps: int = 1,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        time_level_weights: Float[Array, " num_levels"] | None = None,
        do_sub_stacking: bool = True,
    ):
        owner = type(self).__name__
        num_training_steps = check_positive(owner, "num_training_steps", num_training_steps)
        config = MixChain(
            num_rollout_steps,
            num_post_physics_steps,
            time_level_loss=time_level_loss,
            cut_bptt=cut_bptt,
            cut_bptt_every=cut_bptt_every,
            time_level_weights=time_level_weights,
        )
        super().__init__(
            make_stacker(
                owner, data_trajectories, config.window_length - 1, do_sub_stacking, False
            ),
            config,
            ref_stepper=ref_stepper,
            residuum_fn=residuum_fn,
            optimizer=optimizer,
            num_minibatches=num_training_steps,
            batch_size=batch_size,
            callback_fn=callback_fn,
        )


MixChainPostPhysicsTrainer = MixChainTrainer
"""The Trainax name of `MixChainTrainer`."""
