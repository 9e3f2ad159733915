"""Trainers: a configuration plus minibatching over trajectory windows, one compiled loop.

`trainer(stepper, key=...)` returns the trained stepper and the loss history.

Example:
    >>> import jax, optax
    >>> import jno_lab.emulators as tx
    >>> data = tx.sample_data.advection_1d_periodic(
    ...     num_samples=2, temporal_horizon=8, key=jax.random.PRNGKey(0)
    ... )
    >>> trainer = tx.trainer.SupervisedTrainer(
    ...     data, optimizer=optax.adam(1e-2), num_training_steps=10, batch_size=4
    ... )
    >>> trainer(lambda u: u, key=jax.random.PRNGKey(1))[1].shape
    (10,)
"""

from ._diverted_chain import DivertedChainTrainer as DivertedChainTrainer
from ._diverted_chain_branch_one import (
    DivertedChainBranchOneTrainer as DivertedChainBranchOneTrainer,
)
from ._general import GeneralTrainer as GeneralTrainer
from ._mix_chain import MixChainPostPhysicsTrainer as MixChainPostPhysicsTrainer
from ._mix_chain import MixChainTrainer as MixChainTrainer
from ._residuum import ResiduumTrainer as ResiduumTrainer
from ._supervised import SupervisedTrainer as SupervisedTrainer

__all__ = [
    "DivertedChainBranchOneTrainer",
    "DivertedChainTrainer",
    "GeneralTrainer",
    "MixChainPostPhysicsTrainer",
    "MixChainTrainer",
    "ResiduumTrainer",
    "SupervisedTrainer",
]
