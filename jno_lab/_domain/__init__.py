"""Domains: where the points of a problem come from (`jno.domain`).

- grids: `domain.rect(...)`, `domain.line(...)`, copied with a time axis by
  `domain(constructor=..., time=(t0, t1, nt))`;
- polygons: `domain(shapely_geometry)`, `domain.csg.from_polygons/from_regions`,
  CSG operators `|`, `&`, `-`, `^`, tags with `region(...)`;
- batches: `n * dom`, `domain.stack(...)`; data: `domain.from_array(...)`.
"""

from ._base import domain
from ._polygon import PolygonDomain

domain.csg = PolygonDomain  # type: ignore[attr-defined]

__all__ = ["PolygonDomain", "domain"]
