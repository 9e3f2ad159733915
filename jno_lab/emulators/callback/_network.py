"""Callbacks that hand out or save the network during training."""

from __future__ import annotations

from pathlib import Path

import equinox as eqx
from jaxtyping import PyTree

from ._base import BaseCallback


class GetNetwork(BaseCallback):
    """Records the network itself every `every` updates (before the update).

    Example:
        >>> import jno_lab.emulators as tx
        >>> tx.callback.GetNetwork(2)(4, "net", None)
        {'network': 'net'}
    """

    def __init__(self, every: int, name: str = "network"):
        super().__init__(every, name)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> eqx.Module:
        """Return the network as it is before update `update_i`."""
        return stepper


class SaveNetwork(BaseCallback):
    """Writes the network to `{path}/{file_name}_{update_i}.eqx` every `every` updates.

    Read it back with `equinox.tree_deserialise_leaves(file, like_model)`.

    Example:
        >>> import jno_lab.emulators as tx
        >>> saver = tx.callback.SaveNetwork(100, "checkpoints", "emulator")
        >>> saver.every, saver.name
        (100, 'network_saved')
    """

    path: str = eqx.field(static=True)
    file_name: str = eqx.field(static=True)

    def __init__(self, every: int, path: str, file_name: str, name: str = "network_saved"):
        self.path = str(path)
        self.file_name = str(file_name)
        super().__init__(every, name)

    def callback(self, update_i: int, stepper: eqx.Module, data: PyTree) -> bool:
        """Serialise the network's leaves; returns True."""
        folder = Path(self.path)
        folder.mkdir(parents=True, exist_ok=True)
        eqx.tree_serialise_leaves(folder / f"{self.file_name}_{update_i}.eqx", stepper)
        return True
