"""Configurations: how the emulator, the data and the reference meet in one loss.

Each configuration is a callable PyTree `config(stepper, data, *, ref_stepper=None,
residuum_fn=None)` on a batch of windows `(B, L, C, *N)` whose first snapshot is
the initial condition. The rollouts are `lax.scan`s, so the compiled size does not
grow with the number of rollout steps.

Example:
    >>> import jax.numpy as jnp
    >>> import jno_lab.emulators as tx
    >>> cfg = tx.configuration.Supervised(num_rollout_steps=3, cut_bptt=True)
    >>> float(cfg(lambda u: u, jnp.zeros((2, 4, 1, 8))))
    0.0
"""

from ._base import BaseConfiguration as BaseConfiguration
from ._composite import Composite as Composite
from ._diverted_chain import DivertedChain as DivertedChain
from ._diverted_chain_branch_one import DivertedChainBranchOne as DivertedChainBranchOne
from ._mix_chain import MixChain as MixChain
from ._mix_chain import MixChainPostPhysics as MixChainPostPhysics
from ._residuum import Residuum as Residuum
from ._supervised import Supervised as Supervised

__all__ = [
    "BaseConfiguration",
    "Composite",
    "DivertedChain",
    "DivertedChainBranchOne",
    "MixChain",
    "MixChainPostPhysics",
    "Residuum",
    "Supervised",
]
