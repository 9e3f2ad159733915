"""Tensor tags: per-instance arrays attached to a domain (`dom.variable("k", array)`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_tensor(name: str, value: Any, batch: int) -> np.ndarray:
    """Return `value` as a numeric array `(B, ...)` for a domain with `batch` instances.

    With one instance a missing leading axis is added: an array whose first
    axis is not 1 (or a scalar) gets shape `(1, ...)`.

    Raises:
        ValueError: for non-numeric values or a leading axis that is not B.

    Example:
        >>> as_tensor("k", [1.0, 2.0, 3.0], 1).shape
        (1, 3)
        >>> as_tensor("k", np.zeros((4, 2)), 4).shape
        (4, 2)
    """
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"tensor {name!r} must be numeric, got dtype {arr.dtype}")
    if batch == 1 and (arr.ndim == 0 or arr.shape[0] != 1):
        arr = arr[None]
    if arr.ndim == 0 or arr.shape[0] != batch:
        raise ValueError(
            f"tensor {name!r} must have shape (B, ...) with B = {batch} instances, "
            f"got shape {arr.shape}"
        )
    return arr


def tile_tensors(tensors: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Repeat every tensor `n` times along the instance axis (for `n * dom`)."""
    return {k: np.concatenate([v] * n, axis=0) for k, v in tensors.items()}
