"""Autoregressive neural-emulator training (the Trainax methodologies), `import ... as tx`.

Train a network `f` to imitate a time stepper `P` from reference trajectories of
shape `(S, T+1, C, *N)`: supervised rollouts, diverted chains, mix chains and
residuum conditions, with cut back-propagation through time and time-level
weights. Each trainer call is one compiled loop (`lax.scan` over updates with the
minibatch selection on device); callbacks and `jno_lab.Callback` hooks run
between compiled chunks, and `trainer.stats` holds the history.

Example:
    >>> import jax, optax
    >>> import equinox as eqx
    >>> import jno_lab.emulators as tx
    >>> data = tx.sample_data.advection_1d_periodic(cfl=-0.75, key=jax.random.PRNGKey(0))
    >>> net = eqx.nn.Conv1d(1, 1, 2, padding="SAME", padding_mode="CIRCULAR",
    ...                     use_bias=False, key=jax.random.PRNGKey(73))
    >>> trainer = tx.trainer.SupervisedTrainer(
    ...     data, num_rollout_steps=5, optimizer=optax.adam(1e-2),
    ...     num_training_steps=100, batch_size=32,
    ... )
    >>> net, loss_history = trainer(net, key=jax.random.PRNGKey(42))
    >>> loss_history.shape
    (100,)
"""

from .._solver.callbacks import Callback as Callback
from . import callback as callback
from . import configuration as configuration
from . import loss as loss
from . import sample_data as sample_data
from . import trainer as trainer
from ._mixer import PermutationMixer as PermutationMixer
from ._mixer import TrajectorySubStacker as TrajectorySubStacker
from ._statistics import EmulatorStatistics as EmulatorStatistics
from .trainer import GeneralTrainer as GeneralTrainer

__all__ = [
    "Callback",
    "EmulatorStatistics",
    "GeneralTrainer",
    "PermutationMixer",
    "TrajectorySubStacker",
    "callback",
    "configuration",
    "loss",
    "sample_data",
    "trainer",
]
