"""The geometry primitive types: one definition each (fields, handles, help, emit, shape, bounds).

Each `emit` writes exactly the shapely calls its `shape` makes, so a document's
shape is the same whether the lowered program runs or `document_shape` builds it.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
import shapely.affinity

from .. import emit
from .geometry_types import Box, GeometryField, Handle, PrimitiveType, floats, pair

QUAD_SEGS = 64
"""Segments per quarter circle of circles and ellipses (a circle has 256 vertices)."""


class Interval(PrimitiveType):
    """A segment of the x axis: the whole of a 1-D geometry."""

    type = "interval"
    title = "Interval"
    dimension = 1
    doc = "The segment [x min, x max] of the real line; a 1-D geometry is one interval."
    fields = (GeometryField("x", "range", ("x min", "x max"), [0.0, 1.0], doc="the two ends"),)

    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """Refused: a 1-D geometry is written as a `jno.domain.line` (see `geometry`)."""
        raise emit.UnsafeValue(f"{where}/type", "primitive type 'interval' is not a 2-D shape")

    def shape(self, primitive: dict[str, Any]) -> Any:
        """The interval as a line on y = 0."""
        x0, x1 = floats(primitive["x"])
        return shapely.LineString([(x0, 0.0), (x1, 0.0)])

    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box (see `PrimitiveType.bounds`)."""
        x0, x1 = floats(primitive["x"])
        return (min(x0, x1), 0.0, max(x0, x1), 0.0)


class Rectangle(PrimitiveType):
    """An axis-aligned rectangle."""

    type = "rectangle"
    title = "Rectangle"
    key = "R"
    draw_help = "Draw a rectangle: drag"
    doc = "The axis-aligned rectangle [x min, x max] × [y min, y max]."
    fields = (
        GeometryField("x", "range", ("x min", "x max"), [0.0, 1.0], doc="left and right sides"),
        GeometryField("y", "range", ("y min", "y max"), [0.0, 1.0], doc="bottom and top sides"),
    )
    handles = tuple(
        Handle(f"x{i}y{j}", "corner", ("x", "y"), (i, j)) for j in (0, 1) for i in (0, 1)
    )

    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """The expression building the shape (see `PrimitiveType.emit`)."""
        x0, x1 = pair(primitive["x"], f"{where}/x")
        y0, y1 = pair(primitive["y"], f"{where}/y")
        return f"shapely.box({x0}, {y0}, {x1}, {y1})"

    def shape(self, primitive: dict[str, Any]) -> Any:
        """The shapely shape (see `PrimitiveType.shape`)."""
        (x0, x1), (y0, y1) = floats(primitive["x"]), floats(primitive["y"])
        return shapely.box(x0, y0, x1, y1)

    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box (see `PrimitiveType.bounds`)."""
        (x0, x1), (y0, y1) = floats(primitive["x"]), floats(primitive["y"])
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


class Circle(PrimitiveType):
    """A disc (a polygon of 256 vertices)."""

    type = "circle"
    title = "Circle"
    key = "C"
    draw_help = "Draw a circle: drag from the centre"
    doc = "The disc of the given radius about the centre."
    fields = (
        GeometryField("center", "point", ("centre x", "centre y"), [0.0, 0.0], doc="the centre"),
        GeometryField("radius", "number", ("radius",), 0.5, positive=True, doc="the radius"),
    )
    handles = (Handle("r", "radius", ("radius",), anchor="center"),)

    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """The expression building the shape (see `PrimitiveType.emit`)."""
        cx, cy = pair(primitive["center"], f"{where}/center")
        radius = emit.number(primitive["radius"], f"{where}/radius")
        return f"shapely.Point({cx}, {cy}).buffer({radius}, quad_segs={QUAD_SEGS})"

    def shape(self, primitive: dict[str, Any]) -> Any:
        """The shapely shape (see `PrimitiveType.shape`)."""
        cx, cy = floats(primitive["center"])
        return shapely.Point(cx, cy).buffer(float(primitive["radius"]), quad_segs=QUAD_SEGS)

    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box (see `PrimitiveType.bounds`)."""
        (cx, cy), r = floats(primitive["center"]), abs(float(primitive["radius"]))
        return (cx - r, cy - r, cx + r, cy + r)


class Ellipse(PrimitiveType):
    """An ellipse: a unit circle scaled by the radii, turned by the angle, moved to the centre."""

    type = "ellipse"
    title = "Ellipse"
    key = "E"
    draw_help = "Draw an ellipse: drag from the centre"
    doc = (
        "The ellipse with radii (x, y) about the centre, turned counter-clockwise "
        "by the angle in degrees."
    )
    fields = (
        GeometryField("center", "point", ("centre x", "centre y"), [0.0, 0.0], doc="the centre"),
        GeometryField(
            "radii", "point", ("radius x", "radius y"), [1.0, 0.5], positive=True, doc="the radii"
        ),
        GeometryField(
            "angle", "number", ("angle (°)",), 0.0, required=False, doc="the turn in degrees"
        ),
    )
    handles = (
        Handle("rx", "axis", ("radii",), (0,), anchor="center"),
        Handle("ry", "axis", ("radii",), (1,), anchor="center"),
        Handle("rotate", "rotate", ("angle",), anchor="center"),
    )

    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """The expression building the shape (see `PrimitiveType.emit`)."""
        cx, cy = pair(primitive["center"], f"{where}/center")
        rx, ry = pair(primitive["radii"], f"{where}/radii")
        angle = emit.number(self.value(primitive, "angle"), f"{where}/angle")
        circle = f"shapely.Point(0.0, 0.0).buffer(1.0, quad_segs={QUAD_SEGS})"
        scaled = f"shapely.affinity.scale({circle}, {rx}, {ry}, origin=(0.0, 0.0))"
        rotated = f"shapely.affinity.rotate({scaled}, {angle}, origin=(0.0, 0.0))"
        return f"shapely.affinity.translate({rotated}, {cx}, {cy})"

    def shape(self, primitive: dict[str, Any]) -> Any:
        """The shapely shape (see `PrimitiveType.shape`)."""
        (cx, cy), (rx, ry) = floats(primitive["center"]), floats(primitive["radii"])
        angle = float(self.value(primitive, "angle"))
        circle = shapely.Point(0.0, 0.0).buffer(1.0, quad_segs=QUAD_SEGS)
        scaled = shapely.affinity.scale(circle, rx, ry, origin=(0.0, 0.0))
        rotated = shapely.affinity.rotate(scaled, angle, origin=(0.0, 0.0))
        return shapely.affinity.translate(rotated, cx, cy)

    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box (see `PrimitiveType.bounds`)."""
        (cx, cy), (rx, ry) = floats(primitive["center"]), floats(primitive["radii"])
        turn = math.radians(float(self.value(primitive, "angle")))
        cos, sin = math.cos(turn), math.sin(turn)
        half_x = math.hypot(rx * cos, ry * sin)
        half_y = math.hypot(rx * sin, ry * cos)
        return (cx - half_x, cy - half_y, cx + half_x, cy + half_y)


class Polygon(PrimitiveType):
    """A simple polygon through its vertices."""

    type = "polygon"
    title = "Polygon"
    key = "P"
    draw_help = "Draw a polygon: click vertices, double-click to finish"
    doc = "The polygon through the vertices, in order (at least three)."
    fields = (
        GeometryField(
            "points",
            "points",
            ("vertices (x y; x y; …)",),
            [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            doc="the vertices",
        ),
    )
    handles = (Handle("v", "vertex", ("points",)),)

    def emit(self, primitive: dict[str, Any], where: str) -> str:
        """The expression building the shape (see `PrimitiveType.emit`)."""
        points = primitive["points"]
        if not isinstance(points, list):
            raise emit.UnsafeValue(f"{where}/points", "expected a list of points")
        pairs = [pair(pt, f"{where}/points/{i}") for i, pt in enumerate(points)]
        return "shapely.Polygon([" + ", ".join(f"({x}, {y})" for x, y in pairs) + "])"

    def shape(self, primitive: dict[str, Any]) -> Any:
        """The shapely shape (see `PrimitiveType.shape`)."""
        return shapely.Polygon([floats(pt) for pt in primitive["points"]])

    def bounds(self, primitive: dict[str, Any]) -> Box:
        """The axis-aligned box (see `PrimitiveType.bounds`)."""
        xs, ys = zip(*(floats(pt) for pt in primitive["points"]), strict=True)
        return (min(xs), min(ys), max(xs), max(ys))


PRIMITIVES: tuple[PrimitiveType, ...] = (Interval(), Rectangle(), Circle(), Ellipse(), Polygon())
"""Every primitive type, in the order the editor lists them."""
