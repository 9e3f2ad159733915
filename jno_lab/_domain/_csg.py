"""Constructive solid geometry between 2-D domains: `a | b`, `a & b`, `a - b`, `a ^ b`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shapely

from ._geometry import as_polygonal, is_geometry

if TYPE_CHECKING:
    from ._base import domain


def _operand(dom: Any, other: Any, symbol: str) -> Any:
    from ._base import domain

    if is_geometry(other):
        return other
    if not isinstance(other, domain):
        return None
    if other.time != dom.time:
        raise ValueError(
            f"cannot combine domains with different time axes ({dom.time} {symbol} {other.time}); "
            "give both the same time=(t0, t1, nt)"
        )
    if dom.batch_size > 1 or other.batch_size > 1:
        raise ValueError(f"combine geometries with {symbol!r} before batching them (n * dom)")
    return other._as_geometry()


class CSGOperators:
    """Set operations on the geometry of 2-D domains, mixed into `domain`.

    The result is a new lazy polygon domain (`domain.csg`) with the left
    operand's time axis; a rect domain takes part as its box.
    """

    def _as_geometry(self) -> Any:
        """The shapely geometry of a 2-D rect domain (its box); polygon domains override it."""
        bounds = getattr(self, "_bounds", None)
        if bounds is None or getattr(self, "_dim", 0) != 2:
            name = getattr(self, "name", "domain")
            raise ValueError(
                f"domain {name!r} has no 2-D geometry; CSG works on rect and polygon domains"
            )
        return shapely.box(*bounds)

    def _combine(self, other: Any, op: Callable[[Any, Any], Any], symbol: str) -> domain:
        from ._polygon import PolygonDomain

        dom: Any = self
        geometry = _operand(dom, other, symbol)
        if geometry is None:
            return NotImplemented
        if dom.batch_size > 1:
            raise ValueError(f"combine geometries with {symbol!r} before batching them (n * dom)")
        result = op(dom._as_geometry(), geometry)
        what = f"the result of {dom.name} {symbol} {getattr(other, 'name', 'geometry')}"
        return PolygonDomain._from_geometry(as_polygonal(result, what, parts=True), time=dom.time)

    def __or__(self, other: Any) -> domain:
        """Union.

        Example:
            >>> from shapely.geometry import box
            >>> from jno_lab._domain import domain
            >>> (domain(box(0, 0, 1, 1)) | domain(box(1, 0, 2, 1))).geometry.area
            2.0
        """
        return self._combine(other, shapely.union, "|")

    def __and__(self, other: Any) -> domain:
        """Intersection."""
        return self._combine(other, shapely.intersection, "&")

    def __sub__(self, other: Any) -> domain:
        """Difference: the left domain without the right one."""
        return self._combine(other, shapely.difference, "-")

    def __xor__(self, other: Any) -> domain:
        """Symmetric difference: the parts covered by exactly one of the two."""
        return self._combine(other, shapely.symmetric_difference, "^")
