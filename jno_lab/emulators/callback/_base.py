"""The callback base class: host-side work at chosen update steps."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import equinox as eqx
import numpy as np
from jaxtyping import PyTree


class BaseCallback(eqx.Module):
    """Runs `callback(update_i, stepper, data)` before every `every`-th update.

    `data` is that update's minibatch. Calling the callback returns
    `{name: value}` on due steps and `{name: None}` otherwise (the Trainax
    convention). Trainers fuse the steps between due steps into compiled chunks.
    """

    every: int = eqx.field(static=True)
    name: str = eqx.field(static=True)

    def __init__(self, every: int, name: str):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(
                f"{type(self).__name__}(every=...) must be a positive integer, got {every!r}"
            )
        self.every = int(every)
        self.name = str(name)

    @abstractmethod
    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> Any:
        """The work to do on a due step; its return value is recorded."""

    def __call__(self, update_i: int, stepper: eqx.Module, data: PyTree) -> dict[str, Any]:
        """`{name: callback(...)}` if `update_i` is a multiple of `every`, else `{name: None}`."""
        if update_i % self.every == 0:
            return {self.name: self.callback(update_i, stepper, data)}
        return {self.name: None}
