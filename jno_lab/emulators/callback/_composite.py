"""Several callbacks as one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import equinox as eqx
from jaxtyping import PyTree

from ._base import BaseCallback


class CompositeCallback(eqx.Module):
    """Calls each callback and merges their `{name: value}` dictionaries.

    Example:
        >>> import jno_lab.emulators as tx
        >>> both = tx.callback.CompositeCallback(
        ...     [tx.callback.GetNetwork(10), tx.callback.WeightNorm(5)]
        ... )
        >>> sorted(both(3, lambda u: u, None))
        ['network', 'weight_norm']
    """

    callbacks: tuple[BaseCallback, ...]

    def __init__(self, callbacks: Sequence[BaseCallback]):
        callbacks = tuple(callbacks)
        if not all(isinstance(c, BaseCallback) for c in callbacks):
            raise TypeError(
                "CompositeCallback(callbacks=...) takes tx.callback.BaseCallback instances, "
                f"got {callbacks!r}"
            )
        names = [c.name for c in callbacks]
        if len(set(names)) != len(names):
            raise ValueError(f"CompositeCallback callbacks need distinct names, got {names}")
        self.callbacks = callbacks

    def __call__(self, update_i: int, stepper: eqx.Module, data: PyTree) -> dict[str, Any]:
        """Merged results of all callbacks for this update."""
        out: dict[str, Any] = {}
        for callback in self.callbacks:
            out.update(callback(update_i, stepper, data))
        return out
