"""Regions: the shapes a tag samples its points from.

A region knows how to draw `n` points (and, for curves, their outward unit
normals) with a given sampler and random generator:

- `BoxRegion`: an axis-aligned box in any dimension (grid interiors);
- `AreaRegion`: a 2-D shapely (multi)polygon, by rejection in its bounding box;
- `CurveRegion`: straight segments with one normal each, by arc length;
- `draw_points`: a finite point set (mesh nodes, data, the ends of a line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ._sampling import UnitSequence, evenly_chosen

Sample = tuple[np.ndarray, np.ndarray | None]


def _lattice(lo: np.ndarray, hi: np.ndarray, counts: list[int]) -> np.ndarray:
    """Cell-centred lattice points of a box, `counts[i]` per axis, shape (prod, d)."""
    axes = [lo[i] + (np.arange(k) + 0.5) * (hi[i] - lo[i]) / k for i, k in enumerate(counts)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=-1)


@dataclass(frozen=True)
class BoxRegion:
    """The open box `lo < x < hi` (any dimension).

    Example:
        >>> box = BoxRegion(np.zeros(2), np.ones(2))
        >>> pts, _ = box.sample(5, "uniform", np.random.default_rng(0))
        >>> pts.shape
        (5, 2)
    """

    lo: np.ndarray
    hi: np.ndarray
    has_normals = False

    def sample(self, n: int, sampler: str, rng: np.random.Generator) -> Sample:
        """Draw `n` points; "grid" gives an evenly thinned cell-centred lattice."""
        d = len(self.lo)
        if sampler == "grid":
            k = int(np.ceil(n ** (1.0 / d) - 1e-9))
            points = _lattice(self.lo, self.hi, [k] * d)
            return points[evenly_chosen(len(points), n)], None
        u = UnitSequence(d, sampler, rng).draw(n)
        return self.lo + u * (self.hi - self.lo), None


@dataclass(frozen=True)
class AreaRegion:
    """The inside of a 2-D shapely (multi)polygon; area-weighted by construction.

    Example:
        >>> from shapely.geometry import box
        >>> region = AreaRegion(box(0, 0, 2, 1))
        >>> pts, _ = region.sample(6, "sobol", np.random.default_rng(0))
        >>> bool(shapely.contains_xy(region.geometry, pts[:, 0], pts[:, 1]).all())
        True
    """

    geometry: Any
    has_normals = False

    def sample(self, n: int, sampler: str, rng: np.random.Generator) -> Sample:
        """Draw exactly `n` points strictly inside the geometry."""
        x0, y0, x1, y1 = self.geometry.bounds
        lo, hi = np.array([x0, y0]), np.array([x1, y1])
        fill = max(self.geometry.area / max((x1 - x0) * (y1 - y0), 1e-300), 1e-6)
        if sampler == "grid":
            return self._grid(n, lo, hi, fill), None
        seq = UnitSequence(2, sampler, rng)
        chunks: list[np.ndarray] = []
        found = 0
        for _ in range(1000):
            m = min(int(np.ceil(1.2 * (n - found) / fill)) + 16, 1 << 20)
            cand = lo + seq.draw(m) * (hi - lo)
            cand = cand[shapely.contains_xy(self.geometry, cand[:, 0], cand[:, 1])]
            chunks.append(cand)
            found += len(cand)
            if found >= n:
                return np.concatenate(chunks)[:n], None
        raise ValueError("rejection sampling found too few points inside the geometry")

    def _grid(self, n: int, lo: np.ndarray, hi: np.ndarray, fill: float) -> np.ndarray:
        h = float(np.sqrt(self.geometry.area / n))
        for _ in range(100):
            counts = [max(1, int(np.ceil((hi[i] - lo[i]) / h))) for i in range(2)]
            pts = _lattice(lo, hi, counts)
            pts = pts[shapely.contains_xy(self.geometry, pts[:, 0], pts[:, 1])]
            if len(pts) >= n:
                return pts[evenly_chosen(len(pts), n)]
            h *= 0.9 * np.sqrt(max(len(pts), 1) / n)
        raise ValueError("could not place a grid of points inside the geometry")


@dataclass(frozen=True)
class CurveRegion:
    """Straight segments `(S, 2, D)` with one outward unit normal `(S, D)` each.

    Points are spread by arc length, so every part of the curve is equally likely.

    Example:
        >>> seg = np.array([[[0.0, 0.0], [1.0, 0.0]]])
        >>> curve = CurveRegion(seg, np.array([[0.0, -1.0]]))
        >>> pts, nrm = curve.sample(4, "grid", np.random.default_rng(0))
        >>> pts[:, 0].tolist(), nrm[0].tolist()
        ([0.125, 0.375, 0.625, 0.875], [0.0, -1.0])
    """

    segments: np.ndarray
    normals: np.ndarray
    has_normals = True

    def sample(self, n: int, sampler: str, rng: np.random.Generator) -> Sample:
        """Draw `n` points on the segments and the normals of their segments."""
        a, b = self.segments[:, 0], self.segments[:, 1]
        lengths = np.linalg.norm(b - a, axis=-1)
        ends = np.cumsum(lengths)
        total = ends[-1]
        if sampler == "grid":
            u = (np.arange(n) + 0.5) / n
        else:
            u = UnitSequence(1, sampler, rng).draw(n)[:, 0]
        s = u * total
        k = np.minimum(np.searchsorted(ends, s, side="right"), len(ends) - 1)
        frac = np.clip((s - (ends[k] - lengths[k])) / np.maximum(lengths[k], 1e-300), 0.0, 1.0)
        points = a[k] + frac[:, None] * (b[k] - a[k])
        return points, self.normals[k]


def draw_points(
    points: np.ndarray, normals: np.ndarray | None, n: int, sampler: str, rng: np.random.Generator
) -> Sample:
    """Choose `n` of a finite point set `(N, D)`: random (with replacement when `n > N`).

    "grid" takes evenly spread points (cycling through the set when `n > N`).

    Example:
        >>> pts = np.arange(6.0).reshape(3, 2)
        >>> draw_points(pts, None, 2, "grid", np.random.default_rng(0))[0].tolist()
        [[0.0, 1.0], [4.0, 5.0]]
    """
    m = len(points)
    if sampler == "grid":
        idx = evenly_chosen(m, n) if n <= m else np.arange(n) % m
    elif sampler == "uniform":
        idx = rng.choice(m, size=n, replace=n > m)
    else:
        idx = np.minimum((UnitSequence(1, sampler, rng).draw(n)[:, 0] * m).astype(int), m - 1)
    return points[idx], None if normals is None else normals[idx]
