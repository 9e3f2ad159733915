"""The time axis of a domain: `time=(t0, t1, nt)` gives the grid `linspace(t0, t1, nt)`."""

from __future__ import annotations

from typing import Any

import numpy as np

TimeSpec = tuple[float, float, int]


def parse_time(time: Any) -> TimeSpec | None:
    """Check and normalise a time specification `(t0, t1, nt)` (or None: stationary).

    Raises:
        ValueError: unless `time` is None or a triple with `t0 <= t1` and a positive int `nt`.

    Example:
        >>> parse_time((0, 1, 5))
        (0.0, 1.0, 5)
        >>> parse_time(None) is None
        True
    """
    if time is None:
        return None
    try:
        t0, t1, nt = time
        t0, t1 = float(t0), float(t1)
    except (TypeError, ValueError):
        raise ValueError(f"time must be a triple (t0, t1, nt), got {time!r}") from None
    if isinstance(nt, bool) or not isinstance(nt, int | np.integer) or nt < 1:
        raise ValueError(f"time: the number of steps nt must be a positive integer, got {nt!r}")
    if t1 < t0:
        raise ValueError(f"time: t0 must not exceed t1, got {time!r}")
    return t0, t1, int(nt)


def time_grid(time: TimeSpec) -> np.ndarray:
    """The time steps `(nt,)` of a time specification.

    Example:
        >>> time_grid((0.0, 1.0, 3)).tolist()
        [0.0, 0.5, 1.0]
    """
    t0, t1, nt = time
    return np.linspace(t0, t1, nt)
