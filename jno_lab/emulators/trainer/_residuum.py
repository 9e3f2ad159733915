"""Residuum training: the network's consecutive states must satisfy a discrete condition."""

from __future__ import annotations

from typing import Any

import optax
from jaxtyping import Array, Float, PyTree

from ..configuration import Residuum
from ..loss import BaseLoss
from ..loss._mse import DEFAULT_LOSS
from ._general import GeneralTrainer, check_positive
from ._supervised import make_stacker


class ResiduumTrainer(GeneralTrainer):
    """`GeneralTrainer` with `Residuum`; only initial conditions are drawn from the data.

    Args:
        data_trajectories: trajectories `(S, T+1, C, *N)` the initial conditions come from.
        ref_stepper: unused.
        residuum_fn: `residuum_fn(u_next, u_prev)` on single states `(C, *N)`.
        optimizer: optax gradient transformation.
        callback_fn: optional `tx.callback.*` callback(s).
        num_training_steps: number of updates.
        batch_size: windows per minibatch.
        num_rollout_steps: network steps.
        time_level_loss: reduces each residuum state.
        cut_bptt: cut back-propagation through time.
        cut_bptt_every: cut after every k-th step.
        cut_prev: stop the gradient through `u_prev` in the residuum.
        cut_next: stop the gradient through `u_next` in the residuum.
        time_level_weights: shape `(num_rollout_steps,)`.
        do_sub_stacking: use all windows or only the first of each trajectory.

    Example:
        >>> import jax, optax
        >>> import jno_lab.emulators as tx
        >>> data = tx.sample_data.diffusion_1d_periodic(
        ...     num_samples=2, temporal_horizon=8, key=jax.random.PRNGKey(0)
        ... )
        >>> trainer = tx.trainer.ResiduumTrainer(
        ...     data, residuum_fn=lambda nxt, prev: nxt - 0.5 * prev,
        ...     optimizer=optax.sgd(0.1), num_training_steps=5, batch_size=4,
        ... )
        >>> trainer(lambda u: u, key=jax.random.PRNGKey(1))[1].shape
        (5,)
    """

    def __init__(
        self,
        data_trajectories: PyTree[Float[Array, "S T1 C ..."]],
        *,
        ref_stepper: Any = None,
        residuum_fn: Any,
        optimizer: optax.GradientTransformation,
        callback_fn: Any = None,
        num_training_steps: int,
        batch_size: int,
        num_rollout_steps: int = 1,
        time_level_loss: BaseLoss = DEFAULT_LOSS,
        cut_bptt: bool = False,
        cut_bptt_every: int = 1,
        cut_prev: bool = False,
        cut_next: bool = False,
        time_level_weights: Float[Array, " num_rollout_steps"] | None = None,
        do_sub_stacking: bool = True,
    ):
        owner = type(self).__name__
        num_training_steps = check_positive(owner, "num_training_steps", num_training_steps)
        config = Residuum(
            num_rollout_steps,
            time_level_loss=time_level_loss,
            cut_bptt=cut_bptt,
            cut_bptt_every=cut_bptt_every,
            cut_prev=cut_prev,
            cut_next=cut_next,
            time_level_weights=time_level_weights,
        )
        super().__init__(
            make_stacker(owner, data_trajectories, num_rollout_steps, do_sub_stacking, True),
            config,
            ref_stepper=ref_stepper,
            residuum_fn=residuum_fn,
            optimizer=optimizer,
            num_minibatches=num_training_steps,
            batch_size=batch_size,
            callback_fn=callback_fn,
        )
