"""Time-level losses: how two states (or one residuum state) become a scalar.

A state is an array `(C, *N)` (channels, then any number of spatial axes) or a
batch of them `(B, C, *N)`. `loss.single_batch(prediction, target)` works on one
state; calling the loss works on a batch and averages over it.

Example:
    >>> import jax.numpy as jnp
    >>> import jno_lab.emulators as tx
    >>> pred, ref = jnp.zeros((8, 1, 16)), jnp.ones((8, 1, 16))
    >>> float(tx.loss.MSELoss()(pred, ref))
    1.0
"""

from ._base import BaseLoss as BaseLoss
from ._composite import CompositeLoss as CompositeLoss
from ._lp import LpLoss as LpLoss
from ._lp import Normalized_LpLoss as Normalized_LpLoss
from ._lp import Normalized_RMSELoss as Normalized_RMSELoss
from ._lp import RMSELoss as RMSELoss
from ._mae import MAELoss as MAELoss
from ._mae import Normalized_MAELoss as Normalized_MAELoss
from ._mse import MSELoss as MSELoss
from ._mse import Normalized_MSELoss as Normalized_MSELoss

__all__ = [
    "BaseLoss",
    "CompositeLoss",
    "LpLoss",
    "MAELoss",
    "MSELoss",
    "Normalized_LpLoss",
    "Normalized_MAELoss",
    "Normalized_MSELoss",
    "Normalized_RMSELoss",
    "RMSELoss",
]
