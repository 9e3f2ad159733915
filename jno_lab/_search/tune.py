"""The `jno.np.tune` namespace: build search spaces for `jno.nn.wrap` and `crux.sweep`.

Example:
    >>> import jno_lab._search.tune as tune
    >>> space = tune.space()
    >>> space.unique("dep", [2, 3], category="architecture")
    ArchSpace(dep: 2 choices [architecture])
    >>> tune.Arch(space.default())("dep")
    2
"""

from __future__ import annotations

from .arch import Arch
from .space import ArchSpace


def space() -> ArchSpace:
    """A new, empty search space.

    Example:
        >>> import jno_lab._search.tune as tune
        >>> len(tune.space())
        0
    """
    return ArchSpace()


__all__ = ["Arch", "ArchSpace", "space"]
