"""Lazy 2-D polygon domains from shapely geometry (`jno.domain.csg`).

Nothing is sampled until a tag is asked for with a sample count. "interior" is
sampled uniformly by area, "boundary" uniformly by length along every ring,
with outward unit normals (into the hole on a hole's ring).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

from ._base import domain
from ._geometry import as_polygonal, is_geometry, line_segments, oriented_segments, ring_segments
from ._regions import AreaRegion, CurveRegion
from ._tags import TagSpec

_BUILTIN = ("interior", "boundary", "initial")


class PolygonDomain(domain):
    """A lazy 2-D domain from a shapely Polygon / MultiPolygon, holes allowed.

    Build it with `jno.domain(geometry)`, `domain.csg.from_polygons`,
    `domain.csg.from_regions` or CSG operators; add tags with `region` and
    `add_boundary_segments`.

    Example:
        >>> from shapely.geometry import Point, box
        >>> from jno_lab._domain import domain
        >>> dom = domain(box(-1, -1, 1, 1)) - domain(Point(0, 0).buffer(0.5))
        >>> x, y = dom.variable("interior", sample=64)
        >>> dom.tag_points("interior").shape
        (1, 64, 2)
    """

    geometry: Any

    @classmethod
    def _from_geometry(
        cls, geometry: Any, *, time: Any = None, name: str = "domain", regions: Any = None
    ) -> PolygonDomain:
        geom = as_polygonal(geometry, "domain geometry")
        segments, normals = ring_segments(geom)
        interior = AreaRegion(geom)
        specs: dict[str, TagSpec] = {
            "interior": TagSpec(region=interior),
            "boundary": TagSpec(region=CurveRegion(segments, normals), boundary=True),
            "initial": TagSpec(region=interior, mirror="interior", timed_only=True),
        }
        for tag, region in (regions or {}).items():
            specs[tag] = TagSpec(region=AreaRegion(region))
        dom = cls._make(dim=2, parts=[(specs, 1)], time=time, name=name)
        dom.geometry = geom
        return dom

    def _as_geometry(self) -> Any:
        return self.geometry

    @classmethod
    def from_regions(
        cls, regions: Mapping[str, Any], time: Any = None, *, name: str = "domain"
    ) -> PolygonDomain:
        """The union of named shapely regions; each name becomes an interior tag.

        Example:
            >>> from shapely.geometry import box
            >>> from jno_lab._domain import domain
            >>> dom = domain.csg.from_regions({"a": box(0, 0, 1, 1), "b": box(1, 0, 3, 1)})
            >>> _ = dom.variable("b", sample=8)
            >>> dom.geometry.area, dom.tags()
            (3.0, ['b'])
        """
        if not isinstance(regions, Mapping) or not regions:
            raise ValueError("from_regions needs a non-empty mapping name -> shapely polygon")
        checked = {}
        for tag, region in regions.items():
            if tag in _BUILTIN:
                raise ValueError(f"region name {tag!r} is reserved; choose another name")
            checked[str(tag)] = as_polygonal(region, f"region {tag!r}")
        union = shapely.union_all(list(checked.values()))
        return cls._from_geometry(union, time=time, name=name, regions=checked)

    @classmethod
    def from_polygons(
        cls,
        polygons: Mapping[str, Sequence[Sequence[float]]],
        time: Any = None,
        *,
        name: str = "domain",
    ) -> PolygonDomain:
        """The union of named polygons given by their vertices; each name is an interior tag.

        Example:
            >>> from jno_lab._domain import domain
            >>> dom = domain.csg.from_polygons({"tri": [(0, 0), (1, 0), (0, 1)]})
            >>> dom.geometry.area
            0.5
        """
        if not isinstance(polygons, Mapping) or not polygons:
            raise ValueError("from_polygons needs a non-empty mapping name -> [(x, y), ...]")
        regions = {}
        for tag, vertices in polygons.items():
            xy = np.asarray(vertices, dtype=float)
            if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 3:
                raise ValueError(
                    f"polygon {tag!r} needs at least 3 vertices (x, y); got shape {xy.shape}"
                )
            regions[tag] = Polygon(xy)
        return cls.from_regions(regions, time=time, name=name)

    def _set_tag(self, name: str, spec: TagSpec) -> PolygonDomain:
        if not isinstance(name, str) or name in _BUILTIN:
            raise ValueError(f"tag name {name!r} is reserved or not a string; choose another name")
        if name in self._tensors:
            raise ValueError(f"{name!r} is already a tensor tag")
        self._parts = [({**specs, name: spec}, count) for specs, count in self._parts]
        self._cache.clear()
        return self

    def region(
        self,
        name: str,
        where: Any,
        *,
        kind: str | None = None,
    ) -> PolygonDomain:
        """Add a tag: part of the boundary, part of the interior, or an alias.

        Args:
            name: the new tag.
            where: a shapely line (a boundary tag along it, normals pointing out
                of the domain), a shapely area (an interior tag: its overlap with
                the domain), a predicate `f(x, y) -> bool` (the boundary edges
                whose midpoint satisfies it), or the name of an existing tag.
            kind: "interior" or "boundary" to insist on one; with an area and
                kind="boundary" the tag is the boundary edges inside the area.

        Returns:
            This domain, for chaining.

        Raises:
            ValueError: for an empty selection, an unknown alias, or a predicate
                with kind="interior".

        Example:
            >>> from shapely.geometry import LineString, box
            >>> from jno_lab._domain import domain
            >>> dom = domain(box(0, 0, 1, 1)).region("inlet", lambda x, y: x < 1e-9)
            >>> _ = dom.region("bottom", LineString([(0, 0), (1, 0)]))
            >>> x, y, nx, ny = dom.variable("inlet", sample=4, normals=True)
            >>> dom.normals("inlet")[0, 0].tolist()
            [-1.0, 0.0]
        """
        if kind not in (None, "interior", "boundary"):
            raise ValueError(f"kind must be None, 'interior' or 'boundary'; got {kind!r}")
        if isinstance(where, str):
            self._check_tag(where)
            return self._set_tag(name, self._parts[0][0][where])
        if is_geometry(where):
            return self._set_tag(name, self._geometry_spec(name, where, kind))
        if callable(where):
            if kind == "interior":
                raise ValueError(
                    f"region {name!r}: a predicate selects boundary edges only; for an interior "
                    "region pass a shapely polygon"
                )
            return self._set_tag(name, self._edges_where(name, where))
        raise ValueError(
            f"region {name!r}: where must be a shapely geometry, a predicate f(x, y) or a tag "
            f"name; got {type(where).__name__}"
        )

    def _edges_where(self, name: str, keep: Callable[[Any, Any], Any]) -> TagSpec:
        segments, normals = ring_segments(self.geometry)
        mid = segments.mean(axis=1)
        mask = np.array([bool(keep(float(x), float(y))) for x, y in mid], dtype=bool)
        if not mask.any():
            raise ValueError(f"region {name!r} selects no boundary edge of the domain")
        return TagSpec(region=CurveRegion(segments[mask], normals[mask]), boundary=True)

    def _geometry_spec(self, name: str, where: Any, kind: str | None) -> TagSpec:
        if where.geom_type in ("LineString", "LinearRing", "MultiLineString"):
            if kind == "interior":
                raise ValueError(f"region {name!r}: a line cannot be an interior region")
            segments, normals = oriented_segments(line_segments(where), self.geometry)
            return TagSpec(region=CurveRegion(segments, normals), boundary=True)
        if where.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"region {name!r}: expected a line or an area, got {where.geom_type}")
        if kind == "boundary":
            return self._edges_where(name, lambda x, y: shapely.intersects_xy(where, x, y))
        overlap = shapely.intersection(as_polygonal(where, f"region {name!r}"), self.geometry)
        return TagSpec(
            region=AreaRegion(as_polygonal(overlap, f"region {name!r} in the domain", parts=True))
        )

    def add_boundary_segments(
        self, tag: str, segments: Any, *, normal_geometry: Any = None
    ) -> PolygonDomain:
        """Add a boundary tag made of explicit segments `[[(x0, y0), (x1, y1)], ...]`.

        Args:
            tag: the new tag.
            segments: the segments, sampled uniformly by length.
            normal_geometry: a shapely geometry or domain the normals point out
                of (default: this domain's geometry).

        Returns:
            This domain, for chaining.

        Example:
            >>> from shapely.geometry import box
            >>> from jno_lab._domain import domain
            >>> dom = domain(box(0, 0, 1, 1)).add_boundary_segments("top", [[(0, 1), (1, 1)]])
            >>> _ = dom.variable("top", sample=2)
            >>> dom.normals("top")[0].tolist()
            [[0.0, 1.0], [0.0, 1.0]]
        """
        geometry = self.geometry if normal_geometry is None else normal_geometry
        if isinstance(geometry, domain):
            geometry = geometry._as_geometry()
        if not is_geometry(geometry):
            raise ValueError("normal_geometry must be a shapely geometry or a domain")
        seg, normals = oriented_segments(segments, geometry)
        return self._set_tag(tag, TagSpec(region=CurveRegion(seg, normals), boundary=True))
