"""The dashboard's field view: a solution and its PDE residual evaluated over the domain.

`FieldView` picks (or is given) two per-point expressions, evaluates them with
the solver's current (or live) parameters on a regular grid over the domain's bounding
box (masked outside the shape), at up to `max_times` time steps, and returns
float32 frames for the colour maps plus the domain outline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from .._trace.nodes import ModelCall, Op, Placeholder
from .raster import masked_grid

__all__ = ["FieldFrames", "FieldView"]

_REDUCTIONS = {"mse", "mae", "rmse", "huber", "log_cosh"}


@dataclass
class FieldFrames:
    """One refresh: `values[name]` is (T, ny, nx) (2-D) or (T, n) (1-D), NaN outside."""

    step: int
    times: list[float]
    values: dict[str, np.ndarray]


class FieldView:
    """Evaluates the solution and the residual of a solver on a grid.

    Args:
        solver: the `jno.core`.
        field: the expression to draw (default: the first network output the
            constraints use, component 0).
        residual: a per-point residual (default: the residual of the first
            constraint, when it is `residual.mse` or another reduction).
        resolution: grid points along the longer side.
        max_times: at most this many time steps are drawn (evenly spread).
    """

    def __init__(
        self,
        solver: Any,
        field: Placeholder | None = None,
        residual: Placeholder | None = None,
        resolution: int = 64,
        max_times: int = 12,
    ):
        self.solver = solver
        self.exprs: dict[str, Placeholder] = {}
        field = field if field is not None else _first_network_output(solver.constraints)
        residual = residual if residual is not None else _first_residual(solver.constraints)
        for name, expr in (("solution", field), ("residual", residual)):
            if expr is not None:
                if not isinstance(expr, Placeholder):
                    raise TypeError(
                        f"Dashboard({name}=...) takes an expression of the problem, got "
                        f"{type(expr).__name__}"
                    )
                self.exprs[name] = expr
        self.grid = _grid(solver.domain, resolution)
        times = _times(solver.domain)
        if times is not None and times.size > max_times:
            times = times[np.linspace(0, times.size - 1, max_times).round().astype(int)]
        self.times = times
        self.failed: dict[str, str] = {}

    @property
    def dimension(self) -> int:
        """1 or 2 (the grid's spatial dimension)."""
        return self.grid.dimension

    def evaluate(self, step: int, params: tuple | None = None) -> FieldFrames:
        """Frames of every expression that evaluates (others are listed in `failed`)."""
        values = {}
        for name, expr in list(self.exprs.items()):
            try:
                values[name] = self._values(expr, params)
            except Exception as err:  # e.g. a network that takes more than the coordinates
                self.failed[name] = f"{type(err).__name__}: {err}"
                del self.exprs[name]
        times = [] if self.times is None else [float(t) for t in self.times]
        return FieldFrames(step, times, values)

    def _values(self, expr: Placeholder, params: tuple | None) -> np.ndarray:
        context = {} if self.times is None else {"__time__": self.times}
        raw = self.solver.predict(self.grid.points, expr, context, params=params)
        array = np.asarray(raw, np.float32)
        n = self.grid.points.shape[0]
        if array.ndim < 3 or array.shape[2] != n:
            raise ValueError(f"the expression is not per point (shape {array.shape})")
        frames = array[0].reshape(array.shape[1], n, -1)[..., 0]  # (T, N), component 0
        if self.grid.mask is not None:
            frames = np.where(self.grid.mask.reshape(-1)[None], frames, np.nan)
        return frames.reshape((frames.shape[0], *self.grid.shape)).astype(np.float32)


@dataclass
class _Grid:
    dimension: int
    points: np.ndarray
    shape: tuple[int, ...]
    extent: tuple[float, float, float, float]
    mask: np.ndarray | None
    outline: list[tuple[list[float], list[float]]]


def _grid(domain: Any, resolution: int) -> _Grid:
    geometry = getattr(domain, "geometry", None)
    interior = np.asarray(domain.tag_points("interior"))
    interior = interior.reshape(-1, interior.shape[-1])
    if interior.shape[-1] == 1:
        x0, x1 = float(interior.min()), float(interior.max())
        xs = np.linspace(x0, x1, 4 * resolution)
        return _Grid(1, xs[:, None], (xs.size,), (x0, x1, 0.0, 0.0), None, [])
    if geometry is None:  # a mesh or point domain: the hull of its points
        points = [interior[:, :2]]
        for tag in ("boundary",):
            try:
                extra = np.asarray(domain.tag_points(tag))
            except (KeyError, ValueError):
                continue
            points.append(extra.reshape(-1, extra.shape[-1])[:, :2])
        geometry = shapely.MultiPoint(np.concatenate(points)).convex_hull
    grid = masked_grid(geometry, resolution)
    return _Grid(2, grid.points, grid.shape, grid.extent, grid.mask, _outline(geometry))


def _outline(geometry: Any) -> list[tuple[list[float], list[float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            xs, ys = ring.xy
            rings.append(([float(v) for v in xs], [float(v) for v in ys]))
    return rings


def _times(domain: Any) -> np.ndarray | None:
    if not getattr(domain, "has_time", False):
        return None
    times = domain.times("interior")
    return None if times is None else np.asarray(times, np.float64).reshape(-1)


def _first_network_output(constraints: list[Placeholder]) -> Placeholder | None:
    for root in constraints:
        for node in root.walk():
            if isinstance(node, ModelCall):
                return node[..., 0]
    return None


def _first_residual(constraints: list[Placeholder]) -> Placeholder | None:
    for root in constraints[:1]:
        if isinstance(root, Op) and root.op in _REDUCTIONS:
            return root.children[0]
    return None
