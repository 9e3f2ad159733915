"""Regular grids over a 2-D shape for field pictures: points, image shape, extent, mask."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import shapely

__all__ = ["MaskedGrid", "masked_grid"]


@dataclass
class MaskedGrid:
    """A grid over a shape's bounding box.

    Attributes:
        points: `(ny * nx, 2)` coordinates, row by row from the lower left corner.
        shape: `(ny, nx)`, the image shape of values at `points`.
        extent: `(x0, x1, y0, y1)`, the bounding box.
        mask: `(ny, nx)`, True inside the shape (its boundary included).
    """

    points: np.ndarray
    shape: tuple[int, int]
    extent: tuple[float, float, float, float]
    mask: np.ndarray


def masked_grid(geometry: Any, resolution: int) -> MaskedGrid:
    """A grid of `resolution` points along the longer side of `geometry`'s bounding box.

    Args:
        geometry: a shapely geometry (a polygon, a CSG result, a hull).
        resolution: points along the longer side (at least 2 along each side).

    Example:
        >>> import shapely
        >>> grid = masked_grid(shapely.box(0, 0, 2, 1), 5)
        >>> grid.shape, grid.extent, grid.points.shape
        ((2, 5), (0.0, 2.0, 0.0, 1.0), (10, 2))
        >>> bool(grid.mask.all())
        True
    """
    if isinstance(resolution, bool) or not isinstance(resolution, Integral) or resolution < 2:
        raise ValueError(f"resolution must be an integer of at least 2, got {resolution!r}")
    x0, y0, x1, y1 = (float(v) for v in geometry.bounds)
    width, height = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
    nx = max(2, round(resolution * min(1.0, width / height)))
    ny = max(2, round(resolution * min(1.0, height / width)))
    gx, gy = np.meshgrid(np.linspace(x0, x1, nx), np.linspace(y0, y1, ny))
    mask = np.asarray(shapely.intersects_xy(geometry, gx, gy))
    points = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    return MaskedGrid(points, (ny, nx), (x0, x1, y0, y1), mask)
