"""Callbacks: host-side work (saving, logging, validation) between fused training chunks.

A callback is called as `callback(update_i, stepper, minibatch)` before the update
`update_i` and returns `{name: value}` on due steps (every `every` updates).

Example:
    >>> import jno_lab.emulators as tx
    >>> cb = tx.callback.CompositeCallback([tx.callback.WeightNorm(10), tx.callback.GetNetwork(50)])
    >>> sorted(cb(0, [1.0], None))
    ['network', 'weight_norm']
"""

from ._base import BaseCallback as BaseCallback
from ._composite import CompositeCallback as CompositeCallback
from ._metrics import GradNorm as GradNorm
from ._metrics import Loss as Loss
from ._metrics import WeightNorm as WeightNorm
from ._network import GetNetwork as GetNetwork
from ._network import SaveNetwork as SaveNetwork
from ._validation import ValidationRollout as ValidationRollout

__all__ = [
    "BaseCallback",
    "CompositeCallback",
    "GetNetwork",
    "GradNorm",
    "Loss",
    "SaveNetwork",
    "ValidationRollout",
    "WeightNorm",
]
