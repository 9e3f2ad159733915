"""Binding expressions to explicit point arrays (`core.predict`)."""

from __future__ import annotations

from typing import Any

import numpy as np


class PointsBinding:
    """Serves every tag an expression reads from one array of points.

    Args:
        points: `(B, N, D)` or `(N, D)` coordinates.
        context: optional extras: `"__time__"` -> time grid `(T,)`, tensor tags by name.
    """

    def __init__(self, points: Any, context: dict[str, Any] | None = None):
        array = np.asarray(points, dtype=np.float64)
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3:
            raise ValueError(
                f"predict: points must have shape (B, N, D) or (N, D), got {array.shape}"
            )
        self.array = array
        self.context = dict(context or {})
        self.spatial_dim = array.shape[-1]
        self.batch_size = array.shape[0]
        self._tags: list[str] = []

    def for_program(self, program: Any) -> PointsBinding:
        self._tags = list(program.tags)
        return self

    def tags(self) -> list[str]:
        return self._tags

    def tag_points(self, tag: str) -> np.ndarray:
        return self.array

    def times(self, tag: str) -> np.ndarray | None:
        t = self.context.get("__time__")
        return None if t is None else np.asarray(t).reshape(-1)

    def normals(self, tag: str) -> np.ndarray:
        raise ValueError("predict: points given as an array carry no normals")

    def tensor(self, name: str) -> np.ndarray:
        if name not in self.context:
            raise ValueError(f"predict: tensor {name!r} is missing from context")
        return np.asarray(self.context[name])
