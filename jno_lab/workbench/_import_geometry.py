"""Domains for the importer: a `jno.domain` -> the geometry section of a document.

- a shapely polygon domain becomes one primitive per exterior ring (a union
  when there are several) with its holes subtracted by a `difference`; each ring
  is written so that the document's lowering rebuilds the very same rings (same
  vertices, same start, same direction), which keeps boundary samples identical;
  rings that are a rectangle or a circle primitive become those primitives;
- a `jno.domain.rect` grid becomes a rectangle primitive (its grid nodes become
  as many sampled points: the document samples its tags);
- a `jno.domain.line` grid becomes an interval primitive with its mesh size.

Batched and stacked domains and data domains (`from_array`) have no geometry
a document can hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely

from ..introspect import AreaRegion, CurveRegion, PolygonDomain, as_polygonal, polygons_of
from ._import_networks import NotImportable
from .catalogue.geometry import primitive_type

BUILTIN_TAGS = ("interior", "boundary", "initial")
MAX_ROTATIONS = 1024
"""Ring start points tried per ring to reproduce a CSG result exactly."""


def geometry_section(dom: Any, tags_used: set[str], notes: list[str]) -> dict[str, Any]:
    """The document geometry of `dom` (None: the default unit square, no tags used).

    Raises:
        NotImportable: for batched, stacked and data domains, and for tags the
            document cannot describe.
    """
    if dom is None:
        return {
            "dimension": 2,
            "primitives": [{"id": "square", "type": "rectangle", "x": [0, 1], "y": [0, 1]}],
            "csg": "square",
            "tags": [],
            "sampling": {},
            "time": None,
        }
    if dom.batch_size != 1 or len(dom._parts) != 1:
        raise NotImportable(
            f"domain {dom.name!r} holds {dom.batch_size} problem instances (n * dom or "
            "jno.domain.stack); a workbench document describes one geometry"
        )
    time = None if dom.time is None else dict(zip(("t0", "t1", "steps"), dom.time, strict=True))
    specs = dom._parts[0][0]
    if isinstance(dom, PolygonDomain):
        primitives, csg = _polygon_shapes(dom.geometry, notes)
        tags = [
            _tag(name, specs[name], primitives)
            for name in dom._declared()
            if name not in BUILTIN_TAGS
        ]
        sampling = _requests(dom, notes)
        return {
            "dimension": 2,
            "primitives": primitives,
            "csg": csg,
            "tags": tags,
            "sampling": sampling,
            "time": time,
        }
    if dom._mesh_points is None:
        raise NotImportable(
            f"domain {dom.name!r} has no shape (it comes from point arrays, jno.domain.from_array, "
            "or from jno.domain.stack); a workbench geometry is a shape: use "
            "jno.domain(shapely geometry), jno.domain.rect or jno.domain.line"
        )
    if dom.spatial_dim == 1:
        xs = np.asarray(dom._mesh_points)[:, 0]
        x0, x1 = float(xs[0]), float(xs[-1])
        return {
            "dimension": 1,
            "primitives": [{"id": "line", "type": "interval", "x": [x0, x1]}],
            "csg": "line",
            "tags": [],
            "sampling": _requests(dom, notes),
            "mesh_size": (x1 - x0) / (len(xs) - 1),
            "time": time,
        }
    if dom.spatial_dim != 2 or dom._bounds is None:
        raise NotImportable(f"domain {dom.name!r}: only 1-D and 2-D geometries have documents")
    x0, y0, x1, y1 = (float(b) for b in dom._bounds)
    primitives = [{"id": "rect", "type": "rectangle", "x": [x0, x1], "y": [y0, y1]}]
    tags = [_tag(name, specs[name], primitives) for name in sorted(tags_used - set(BUILTIN_TAGS))]
    sampling = _requests(dom, notes)
    grid_tags = sorted(t for t in tags_used if t not in sampling)
    for tag in grid_tags:
        sampling[tag] = int(dom.tag_points(tag).shape[1])
    if grid_tags:
        notes.append(
            f"the grid nodes of {', '.join(map(repr, grid_tags))} become as many randomly "
            "sampled points (a document samples the rectangle)"
        )
    return {
        "dimension": 2,
        "primitives": primitives,
        "csg": "rect",
        "tags": tags,
        "sampling": sampling,
        "time": time,
    }


def _requests(dom: Any, notes: list[str]) -> dict[str, int]:
    out = {}
    for tag, (n, sampler) in dom._requests.items():
        out[tag] = int(n)
        if sampler != "uniform":
            notes.append(
                f"tag {tag!r} is sampled with {sampler!r} in the code; the document samples "
                "uniformly at random"
            )
    return out


# -- tags ---------------------------------------------------------------------------------
def _tag(name: str, spec: Any, primitives: list[dict[str, Any]]) -> dict[str, Any]:
    region = spec.region
    if isinstance(region, CurveRegion):
        edges = [[[float(v) for v in a], [float(v) for v in b]] for a, b in region.segments]
        return {"name": name, "edges": edges}
    if isinstance(region, AreaRegion):
        geom = region.geometry
        if not isinstance(geom, shapely.Polygon) or geom.interiors:
            raise NotImportable(
                f"tag {name!r} is an area with holes or several parts; a document tag is one "
                "shape (add one region per part)"
            )
        ring = np.asarray(geom.exterior.coords)
        primitive = _nice_shape(ring) or _polygon(ring[:-1])
        primitive["id"] = _fresh_id(f"tag_{name}", primitives)
        primitives.append(primitive)
        return {"name": name, "primitive": primitive["id"]}
    raise NotImportable(f"tag {name!r} has fixed points; a document tag is a curve or an area")


def _fresh_id(base: str, primitives: list[dict[str, Any]]) -> str:
    ids = {p["id"] for p in primitives}
    candidate, k = base, 2
    while candidate in ids:
        candidate, k = f"{base}_{k}", k + 1
    return candidate


# -- polygons -------------------------------------------------------------------------------
def _rings(geometry: Any) -> list[np.ndarray]:
    """The closed rings of an oriented (multi)polygon, as the boundary sampler reads them."""
    out = []
    for poly in polygons_of(geometry):
        out.append(np.asarray(poly.exterior.coords, dtype=float))
        out += [np.asarray(r.coords, dtype=float) for r in poly.interiors]
    return out


def _polygon(points: np.ndarray) -> dict[str, Any]:
    return {"type": "polygon", "points": [[float(x), float(y)] for x, y in points]}


def _round(value: float) -> float:
    return float(f"{value:.12g}")


def _nice_shape(ring: np.ndarray) -> dict[str, Any] | None:
    """A rectangle or circle primitive with the same vertices as `ring`, if there is one."""
    pts = np.unique(ring[:-1], axis=0)
    (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
    if len(pts) == 4 and all(
        (x in (x0, x1)) and (y in (y0, y1)) for x, y in pts.tolist()
    ):  # an axis-aligned rectangle
        return {"type": "rectangle", "x": [float(x0), float(x1)], "y": [float(y0), float(y1)]}
    if len(pts) == 256:  # the vertex count of a circle primitive (quad_segs=64)
        r = _round((x1 - x0) / 2)
        circle = {"type": "circle", "center": [_round((x0 + x1) / 2), _round((y0 + y1) / 2)]}
        circle["radius"] = r
        if r <= 0:
            return None
        made = np.unique(np.asarray(_shape(circle).exterior.coords)[:-1], axis=0)
        scale = max(abs(x1 - x0), abs(y1 - y0), 1e-300)
        if made.shape == pts.shape and np.allclose(made, pts, rtol=0, atol=1e-9 * scale):
            return circle
    return None


def _shape(primitive: dict[str, Any]) -> Any:
    """The shapely geometry the document's lowering builds for a primitive."""
    return primitive_type(primitive["type"]).shape(primitive)


def _candidates(ring: np.ndarray) -> Iterator[dict[str, Any]]:
    nice = _nice_shape(ring)
    if nice is not None:
        yield nice
    open_ring = ring[:-1]
    n = len(open_ring)
    for k in range(min(n, MAX_ROTATIONS)):
        rolled = np.roll(open_ring, -k, axis=0)
        yield _polygon(rolled)
        yield _polygon(rolled[::-1])


def _build(exteriors: list[Any], holes: list[Any]) -> Any:
    """What `jno.domain(<csg>)` makes of the primitives (the lowering's operation order)."""
    shape = exteriors[0]
    for other in exteriors[1:]:
        shape = shape.union(other)
    for hole in holes:
        shape = shape.difference(hole)
    return as_polygonal(shape, "the imported geometry")


def _polygon_shapes(geometry: Any, notes: list[str]) -> tuple[list[dict[str, Any]], Any]:
    target = _rings(geometry)
    polys = polygons_of(geometry)
    kinds = []  # per target ring: "exterior" or "hole"
    for poly in polys:
        kinds += ["exterior"] + ["hole"] * len(poly.interiors)
    choice: list[dict[str, Any]] = [next(_candidates(ring)) for ring in target]

    def result(choices: list[dict[str, Any]]) -> list[np.ndarray] | None:
        shapes = [_shape(p) for p in choices]
        ext = [s for s, k in zip(shapes, kinds, strict=True) if k == "exterior"]
        holes = [s for s, k in zip(shapes, kinds, strict=True) if k == "hole"]
        try:
            return _rings(_build(ext, holes))
        except ValueError:
            return None

    def matches(rings: list[np.ndarray] | None, i: int) -> bool:
        return (
            rings is not None
            and len(rings) == len(target)
            and rings[i].shape == target[i].shape
            and np.array_equal(rings[i], target[i])
        )

    for i, ring in enumerate(target):
        if matches(result(choice), i):
            continue
        for candidate in _candidates(ring):
            trial = [*choice[:i], candidate, *choice[i + 1 :]]
            if matches(result(trial), i):
                choice = trial
                break
    final = result(choice)
    exact = final is not None and all(matches(final, i) for i in range(len(target)))
    if not exact:
        choice = [next(_candidates(ring)) for ring in target]
        if result(choice) is None:
            raise NotImportable("the domain geometry could not be rebuilt from its rings")
        notes.append(
            "the geometry's rings could not be reproduced vertex for vertex; the same shape "
            "samples its boundary points in another order"
        )
    primitives = []
    ext_ids, hole_ids = [], []
    n_ext = n_hole = 0
    for primitive, kind in zip(choice, kinds, strict=True):
        if kind == "exterior":
            n_ext += 1
            pid = "shape" if kinds.count("exterior") == 1 else f"shape{n_ext}"
            ext_ids.append(pid)
        else:
            n_hole += 1
            pid = "hole" if kinds.count("hole") == 1 else f"hole{n_hole}"
            hole_ids.append(pid)
        primitives.append({"id": pid, **primitive})
    csg: Any = ext_ids[0] if len(ext_ids) == 1 else {"op": "union", "args": ext_ids}
    if hole_ids:
        csg = {"op": "difference", "args": [csg, *hole_ids]}
    return primitives, csg
