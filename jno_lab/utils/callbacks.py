"""`jno.utils.callbacks`: the callback base class and the checkpoint writer."""

from .._solver.callbacks import Callback as Callback
from .._solver.checkpoint_callback import CheckpointCallback as CheckpointCallback

__all__ = ["Callback", "CheckpointCallback"]
