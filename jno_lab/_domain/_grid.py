"""Structured grids: the specs of `domain.rect` and `domain.line`.

Nodes are spaced about `mesh_size` apart: `round(length / mesh_size) + 1` nodes
per axis, both ends included. Without a sample count a tag uses its grid
nodes; with one it samples its shape (the open box, or the edges).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._regions import BoxRegion, CurveRegion
from ._tags import TagSpec, fixed


def _axis(lo_hi: Any, mesh_size: float, name: str) -> np.ndarray:
    try:
        lo, hi = (float(v) for v in lo_hi)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (start, stop), got {lo_hi!r}") from None
    if not hi > lo:
        raise ValueError(f"{name} must have start < stop, got {lo_hi!r}")
    if not float(mesh_size) > 0.0:
        raise ValueError(f"mesh_size must be positive, got {mesh_size!r}")
    n = max(2, round((hi - lo) / float(mesh_size)) + 1)
    return np.linspace(lo, hi, n)


def line_specs(x_range: Any, mesh_size: float) -> tuple[dict[str, TagSpec], np.ndarray]:
    """Specs of a 1-D line and its nodes `(N, 1)`.

    Example:
        >>> specs, nodes = line_specs((0, 1), 0.25)
        >>> nodes.ravel().tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0]
        >>> sorted(specs)
        ['boundary', 'initial', 'interior', 'left', 'right']
    """
    xs = _axis(x_range, mesh_size, "x_range")
    nodes = xs[:, None]
    box = BoxRegion(xs[:1].copy(), xs[-1:].copy())
    ends = np.array([[xs[0]], [xs[-1]]])
    specs = {
        "interior": TagSpec(points=nodes[None, 1:-1], region=box),
        "boundary": fixed(ends, [[-1.0], [1.0]]),
        "left": fixed(ends[:1], [[-1.0]]),
        "right": fixed(ends[1:], [[1.0]]),
        "initial": TagSpec(points=nodes[None], region=box, timed_only=True),
    }
    return specs, nodes


def _edge(a: tuple[float, float], b: tuple[float, float], normal: tuple[float, float]) -> Any:
    return np.array([[a, b]], dtype=float), np.array([normal], dtype=float)


def rect_specs(
    x_range: Any, y_range: Any, mesh_size: float
) -> tuple[dict[str, TagSpec], np.ndarray, tuple[float, float, float, float]]:
    """Specs of a rectangle grid, its nodes `(N, 2)` and its bounds `(x0, y0, x1, y1)`.

    Tags: "interior" (nodes strictly inside), "boundary" (every edge node once,
    counter-clockwise from the lower-left corner), "left", "right", "bottom",
    "top" (the nodes of one edge, corners included). Corner normals of
    "boundary" are the normalised sum of the two edge normals.

    Example:
        >>> specs, nodes, bounds = rect_specs((0, 1), (0, 1), 0.25)
        >>> len(nodes), specs["interior"].points.shape, specs["boundary"].points.shape
        (25, (1, 9, 2), (1, 16, 2))
    """
    xs = _axis(x_range, mesh_size, "x_range")
    ys = _axis(y_range, mesh_size, "y_range")
    x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    nodes = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    ix, iy = np.meshgrid(xs[1:-1], ys[1:-1], indexing="ij")
    interior = np.stack([ix.ravel(), iy.ravel()], axis=-1)

    def pts(x: Any, y: Any) -> np.ndarray:
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        return np.stack([x, y], axis=-1)

    edges = {  # name: (nodes, normal, segment)
        "bottom": (pts(xs, y0), (0.0, -1.0), _edge((x0, y0), (x1, y0), (0.0, -1.0))),
        "right": (pts(x1, ys), (1.0, 0.0), _edge((x1, y0), (x1, y1), (1.0, 0.0))),
        "top": (pts(xs[::-1], y1), (0.0, 1.0), _edge((x1, y1), (x0, y1), (0.0, 1.0))),
        "left": (pts(x0, ys[::-1]), (-1.0, 0.0), _edge((x0, y1), (x0, y0), (-1.0, 0.0))),
    }
    ring, ring_normals = [], []
    order = ["bottom", "right", "top", "left"]
    for i, name in enumerate(order):
        p, normal, _ = edges[name]
        before = np.array(edges[order[i - 1]][1])
        corner = (np.array(normal) + before) / np.sqrt(2.0)
        ring.append(p[:-1])
        ring_normals.append(np.vstack([corner, np.tile(normal, (len(p) - 2, 1))]))
    segments = np.concatenate([edges[name][2][0] for name in order])
    seg_normals = np.concatenate([edges[name][2][1] for name in order])
    box = BoxRegion(np.array([x0, y0]), np.array([x1, y1]))
    specs: dict[str, TagSpec] = {
        "interior": TagSpec(points=interior[None], region=box),
        "boundary": TagSpec(
            points=np.concatenate(ring)[None],
            normals=np.concatenate(ring_normals)[None],
            region=CurveRegion(segments, seg_normals),
            boundary=True,
        ),
    }
    for name in ("left", "right", "bottom", "top"):
        p, normal, (seg, nrm) = edges[name]
        p = p[np.lexsort(p.T[::-1])]  # increasing coordinate along the edge
        normals = np.tile(normal, (len(p), 1))
        specs[name] = TagSpec(
            points=p[None], normals=normals[None], region=CurveRegion(seg, nrm), boundary=True
        )
    specs["initial"] = TagSpec(points=nodes[None], region=box, timed_only=True)
    return specs, nodes, (float(x0), float(y0), float(x1), float(y1))
