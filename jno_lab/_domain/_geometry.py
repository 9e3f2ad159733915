"""Shapely helpers: checked polygonal geometry, boundary segments and outward normals."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient


def is_geometry(obj: Any) -> bool:
    """Whether `obj` is a shapely geometry."""
    return isinstance(obj, shapely.Geometry)


def as_polygonal(
    geometry: Any, what: str = "geometry", *, parts: bool = False
) -> Polygon | MultiPolygon:
    """Return `geometry` as a valid, non-empty (multi)polygon, exterior rings counter-clockwise.

    Args:
        geometry: a shapely geometry.
        what: how to name it in messages.
        parts: keep only the polygonal parts of any geometry (a CSG result may
            carry stray lines or points where shapes touch, or be only a line).

    Raises:
        ValueError: for an empty, invalid or non-areal geometry.

    Example:
        >>> from shapely.geometry import box
        >>> as_polygonal(box(0, 0, 1, 1)).exterior.is_ccw
        True
    """
    if not is_geometry(geometry):
        raise ValueError(f"{what}: expected a shapely geometry, got {type(geometry).__name__}")
    if parts and not isinstance(geometry, Polygon | MultiPolygon):
        pieces = shapely.get_parts(geometry)
        pieces = [g for g in pieces if isinstance(g, Polygon | MultiPolygon)]
        geometry = shapely.union_all(pieces) if pieces else Polygon()
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise ValueError(f"{what}: expected a Polygon or MultiPolygon, got {geometry.geom_type}")
    if not geometry.is_empty and not geometry.is_valid:
        raise ValueError(f"{what} is not a valid polygon: {shapely.is_valid_reason(geometry)}")
    if geometry.is_empty or geometry.area <= 0.0:
        raise ValueError(f"{what} is empty (zero area)")
    if isinstance(geometry, Polygon):
        return orient(geometry, sign=1.0)
    return MultiPolygon([orient(p, sign=1.0) for p in geometry.geoms])


def polygons_of(geometry: Polygon | MultiPolygon) -> list[Polygon]:
    """The polygons of a (multi)polygon."""
    return [geometry] if isinstance(geometry, Polygon) else list(geometry.geoms)


def _right_normals(segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = segments[:, 1] - segments[:, 0]
    lengths = np.linalg.norm(d, axis=-1)
    keep = lengths > 0.0
    normals = np.stack([d[:, 1], -d[:, 0]], axis=-1)[keep] / lengths[keep, None] + 0.0
    return segments[keep], normals


def ring_segments(geometry: Polygon | MultiPolygon) -> tuple[np.ndarray, np.ndarray]:
    """All edges `(S, 2, 2)` of every ring of an oriented geometry, with outward normals `(S, 2)`.

    With exterior rings counter-clockwise and holes clockwise (`as_polygonal`),
    the right-hand normal `(dy, -dx)` of every edge points out of the material:
    away from the shape on the exterior ring, into the hole on a hole's ring.

    Example:
        >>> from shapely.geometry import box
        >>> seg, nrm = ring_segments(as_polygonal(box(0, 0, 1, 1)))
        >>> seg.shape, nrm.shape
        ((4, 2, 2), (4, 2))
    """
    chunks = []
    for poly in polygons_of(geometry):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords, dtype=float)[:, :2]
            chunks.append(np.stack([xy[:-1], xy[1:]], axis=1))
    return _right_normals(np.concatenate(chunks))


def oriented_segments(segments: Any, geometry: Any) -> tuple[np.ndarray, np.ndarray]:
    """Segments `[[(x0, y0), (x1, y1)], ...]` with unit normals pointing out of `geometry`.

    A normal is flipped when a small step along it lands inside the geometry
    while the opposite step does not; segments inside the material keep `(dy, -dx)`.

    Raises:
        ValueError: when the segments are not an array of shape (S, 2, 2) of positive length.

    Example:
        >>> from shapely.geometry import box
        >>> _, nrm = oriented_segments([[(0, 0), (1, 0)]], box(0, 0, 1, 1))
        >>> nrm.tolist()
        [[0.0, -1.0]]
    """
    seg = np.asarray(segments, dtype=float)
    if seg.ndim != 3 or seg.shape[1:] != (2, 2) or len(seg) == 0:
        raise ValueError(
            f"segments must have shape (S, 2, 2), [[(x0, y0), (x1, y1)], ...]; got {seg.shape}"
        )
    seg, normals = _right_normals(seg)
    if len(seg) == 0:
        raise ValueError("all segments have zero length")
    x0, y0, x1, y1 = geometry.bounds
    eps = 1e-7 * max(float(np.hypot(x1 - x0, y1 - y0)), 1e-12)
    mid = seg.mean(axis=1)
    ahead, behind = mid + eps * normals, mid - eps * normals
    flip = shapely.contains_xy(geometry, ahead[:, 0], ahead[:, 1]) & ~shapely.contains_xy(
        geometry, behind[:, 0], behind[:, 1]
    )
    normals[flip] = 0.0 - normals[flip]  # no negative zeros
    return seg, normals


def line_segments(geometry: Any) -> np.ndarray:
    """The straight pieces `(S, 2, 2)` of a LineString, LinearRing or MultiLineString."""
    lines = list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]
    chunks = []
    for line in lines:
        xy = np.asarray(line.coords, dtype=float)[:, :2]
        chunks.append(np.stack([xy[:-1], xy[1:]], axis=1))
    return np.concatenate(chunks)
