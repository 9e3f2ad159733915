"""Tag specifications and their materialisation into `(B, N, D)` point arrays.

A domain is a list of *parts*: `(specs, count)`, one geometry repeated `count`
times along the instance axis B. `specs` maps each tag name to a `TagSpec`
saying where the tag's points come from. Points are drawn instance by
instance, each from its own random stream (`instance_rng(tag, b)`), so that
batching and stacking give independent samples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._regions import Sample, draw_points
from ._sampling import instance_rng

Part = tuple[dict[str, "TagSpec"], int]


@dataclass(frozen=True, eq=False)
class TagSpec:
    """Where the points of one tag of one geometry come from.

    Attributes:
        region: the shape to sample from when a sample count is given, or None.
        points: fixed points `(B0, N, D)` used when no sample count is given
            (grid nodes, user data); instance `b` of a part uses `points[b % B0]`.
        normals: outward unit normals of `points`, same shape, or None.
        mirror: a tag whose points are reused when this tag has neither a
            sample count nor fixed points (the "initial" tag of polygon domains).
        timed_only: the tag exists only on domains with a time axis ("initial").
        boundary: the tag has outward normals (sampled curves or end points).
    """

    region: Any = None
    points: np.ndarray | None = None
    normals: np.ndarray | None = None
    mirror: str | None = None
    timed_only: bool = False
    boundary: bool = False

    @property
    def has_normals(self) -> bool:
        """Whether the tag's points come with outward normals."""
        return self.boundary


def fixed(points: ArrayLike, normals: ArrayLike | None = None, **kwargs: Any) -> TagSpec:
    """A spec with fixed points `(N, D)` or `(B0, N, D)` (and their normals)."""
    pts = np.asarray(points, dtype=float)
    pts = pts[None] if pts.ndim == 2 else pts
    nrm = None if normals is None else np.asarray(normals, dtype=float).reshape(pts.shape)
    return TagSpec(points=pts, normals=nrm, boundary=nrm is not None, **kwargs)


def _no_points(tag: str, mirror: str | None) -> ValueError:
    hint = f" (or give {mirror!r} one)" if mirror else ""
    return ValueError(
        f"tag {tag!r} has no points yet: pass a sample count, e.g. "
        f"dom.variable({tag!r}, sample=1000){hint}"
    )


def obtainable(parts: list[Part], tag: str, request: Any, can_get: Callable[[str], bool]) -> bool:
    """Whether `tag` can produce points now (sample count, fixed points or a usable mirror)."""
    for specs, _ in parts:
        spec = specs[tag]
        if request is not None and (spec.region is not None or spec.points is not None):
            continue
        if spec.points is not None:
            continue
        if spec.mirror is not None and can_get(spec.mirror):
            continue
        return False
    return True


def _one(spec: TagSpec, tag: str, request: Any, instance: int, local: int) -> Sample | None:
    points = spec.points
    if request is not None and spec.region is not None:
        n, sampler = request
        return spec.region.sample(n, sampler, instance_rng(tag, instance))
    if request is not None and points is not None:
        n, sampler = request
        j = local % len(points)
        nrm = None if spec.normals is None else spec.normals[j]
        return draw_points(points[j], nrm, n, sampler, instance_rng(tag, instance))
    if points is not None:
        j = local % len(points)
        return points[j], None if spec.normals is None else spec.normals[j]
    return None


def materialise(
    parts: list[Part], tag: str, request: Any, get_mirror: Callable[[str], np.ndarray]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Build the points `(B, N, D)` and normals (or None) of `tag` over all parts.

    Raises:
        ValueError: when the tag has no sample count and nothing to fall back on,
            or when instances end up with different point counts.
    """
    points: list[np.ndarray] = []
    normals: list[np.ndarray | None] = []
    start = 0
    for specs, count in parts:
        spec = specs[tag]
        if request is None and spec.points is not None:  # fast path: fixed points
            idx = np.arange(count) % len(spec.points)
            points.extend(spec.points[idx])
            normals.extend([None] * count if spec.normals is None else spec.normals[idx])
        else:
            for local in range(count):
                got = _one(spec, tag, request, start + local, local)
                if got is None:
                    if spec.mirror is None:
                        raise _no_points(tag, None)
                    try:
                        got = (get_mirror(spec.mirror)[start + local], None)
                    except ValueError:
                        raise _no_points(tag, spec.mirror) from None
                points.append(got[0])
                normals.append(got[1])
        start += count
    sizes = sorted({len(p) for p in points})
    if len(sizes) > 1:
        raise ValueError(
            f"tag {tag!r}: the instances have different point counts {sizes}; pass a sample "
            f"count (dom.variable({tag!r}, sample=n)) to draw the same number for each"
        )
    pts = np.stack(points).astype(float)
    known = [n for n in normals if n is not None]
    nrm = np.stack(known).astype(float) if len(known) == len(normals) else None
    return pts, nrm
