"""The geometry catalogue: every primitive type and CSG operation, defined once, in Python.

The lowering's emit, `document_shape`, validation, the importer and the
editor's canvas and property panel all read these definitions; a JSON snapshot
ships with the frontend (`src/geometryCatalogue.json`) and the document schema's
primitive definition is derived from them (`geometry_schema`); both are rewritten by
`python -m jno_lab.workbench.catalogue`, and tests keep them in sync.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .geometry_primitives import PRIMITIVES
from .geometry_types import FIELD_KINDS, HANDLE_KINDS, Box, PrimitiveType
from .json_format import format_json

GEOMETRY_CATALOGUE_VERSION = 1

PRIMITIVE_TYPES: dict[str, PrimitiveType] = {p.type: p for p in PRIMITIVES}

CSG_OPS: dict[str, str] = {
    "union": "the points in any of the shapes",
    "difference": "the first shape without the points of the others",
    "intersection": "the points in every shape",
    "symmetric_difference": "the points in an odd number of the shapes",
}
"""The CSG operations (shapely methods of the same name), with their help."""

CSG_MAX_DEPTH = 32
"""Deepest CSG tree a geometry may hold."""


def primitive_type(name: Any) -> PrimitiveType:
    """The primitive type called `name`.

    Raises:
        KeyError: for an unknown type, listing the known ones.

    Example:
        >>> primitive_type("circle").bounds({"center": [1, 2], "radius": 0.5})
        (0.5, 1.5, 1.5, 2.5)
    """
    try:
        return PRIMITIVE_TYPES[name]
    except (KeyError, TypeError):
        known = ", ".join(PRIMITIVE_TYPES)
        raise KeyError(f"unknown primitive type {name!r} (known: {known})") from None


def document_shape(geometry: dict[str, Any]) -> Any:
    """The shapely shape of a document's (valid) geometry section, built directly.

    A 2-D geometry gives the (multi)polygon its domain has (the CSG result,
    exterior rings counter-clockwise); a 1-D geometry its interval as a line
    on y = 0.

    Raises:
        ValueError: the shapes do not combine to an area, or an unknown name.

    Example:
        >>> shape = document_shape({
        ...     "dimension": 2,
        ...     "primitives": [
        ...         {"id": "box", "type": "rectangle", "x": [0, 2], "y": [0, 1]},
        ...         {"id": "cut", "type": "rectangle", "x": [1, 2], "y": [0, 1]},
        ...     ],
        ...     "csg": {"op": "difference", "args": ["box", "cut"]},
        ... })
        >>> shape.area, shape.bounds
        (1.0, (0.0, 0.0, 1.0, 1.0))
    """
    from ...introspect import as_polygonal

    primitives = {p["id"]: p for p in geometry["primitives"]}
    if int(geometry["dimension"]) == 1:
        (interval,) = [p for p in primitives.values() if p["type"] == "interval"]
        return primitive_type("interval").shape(interval)
    shapes: dict[str, Any] = {}

    def build(tree: Any, depth: int) -> Any:
        if depth > CSG_MAX_DEPTH:
            raise ValueError(f"the CSG tree is nested deeper than {CSG_MAX_DEPTH} levels")
        if isinstance(tree, str):
            if tree not in primitives:
                raise ValueError(f"the CSG tree names an unknown primitive {tree!r}")
            if tree not in shapes:
                shapes[tree] = primitive_type(primitives[tree]["type"]).shape(primitives[tree])
            return shapes[tree]
        if tree["op"] not in CSG_OPS:
            raise ValueError(f"{tree['op']!r} is not one of {', '.join(CSG_OPS)}")
        first, *rest = (build(arg, depth + 1) for arg in tree["args"])
        for other in rest:
            first = getattr(first, tree["op"])(other)
        return first

    return as_polygonal(build(geometry["csg"], 0), "the geometry")


def primitive_bounds(primitive: dict[str, Any]) -> Box:
    """The axis-aligned box `(xmin, ymin, xmax, ymax)` of one primitive, from its parameters.

    Example:
        >>> primitive_bounds({"type": "polygon", "points": [[0, 0], [2, 0], [1, 3]]})
        (0.0, 0.0, 2.0, 3.0)
    """
    return primitive_type(primitive["type"]).bounds(primitive)


def geometry_catalogue_json() -> dict[str, Any]:
    """The catalogue as JSON: what the editor's canvas and property panel are built from.

    Example:
        >>> catalogue = geometry_catalogue_json()
        >>> [p["type"] for p in catalogue["primitives"]]
        ['interval', 'rectangle', 'circle', 'ellipse', 'polygon']
        >>> [h["id"] for h in catalogue["primitives"][3]["handles"]]
        ['rx', 'ry', 'rotate']
    """
    return {
        "version": GEOMETRY_CATALOGUE_VERSION,
        "fieldKinds": dict(FIELD_KINDS),
        "handleKinds": dict(HANDLE_KINDS),
        "csgOps": [{"op": op, "doc": doc} for op, doc in CSG_OPS.items()],
        "primitives": [p.to_json() for p in PRIMITIVE_TYPES.values()],
    }


# -- the frontend's snapshot ---------------------------------------------------------------
def snapshot_text() -> str:
    """The frontend's geometry snapshot (`src/geometryCatalogue.json`) as it should read."""
    return format_json(geometry_catalogue_json())


def write_snapshot(path: str | Path) -> None:
    """Write the geometry snapshot to `path` (the frontend's `src/geometryCatalogue.json`).

    Example:
        >>> import pathlib, tempfile
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "geometryCatalogue.json"
        >>> write_snapshot(target)
        >>> target.read_text(encoding="utf-8") == snapshot_text()
        True
    """
    Path(path).write_text(snapshot_text(), encoding="utf-8")
