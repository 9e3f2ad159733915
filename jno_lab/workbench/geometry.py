"""Geometry section -> Python statements building `domain` (shapely for 2-D, a line for 1-D).

Every value goes through the emitters (`emit`): numbers are finite float
literals, names and tags string literals, primitive ids become checked
identifiers, and tag predicates are expressions of the restricted grammar.
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import emit

_OPS = {
    "union": "union",
    "difference": "difference",
    "intersection": "intersection",
    "symmetric_difference": "symmetric_difference",
}


def _pair(values: Any, field: str) -> tuple[str, str]:
    if not isinstance(values, list | tuple) or len(values) != 2:
        raise emit.UnsafeValue(field, "expected two numbers")
    return emit.number(values[0], f"{field}/0"), emit.number(values[1], f"{field}/1")


def _primitive(p: dict[str, Any], where: str) -> str:
    kind = p["type"]
    if kind == "rectangle":
        x0, x1 = _pair(p["x"], f"{where}/x")
        y0, y1 = _pair(p["y"], f"{where}/y")
        return f"shapely.box({x0}, {y0}, {x1}, {y1})"
    if kind == "circle":
        cx, cy = _pair(p["center"], f"{where}/center")
        radius = emit.number(p["radius"], f"{where}/radius")
        return f"shapely.Point({cx}, {cy}).buffer({radius}, quad_segs=64)"
    if kind == "ellipse":
        cx, cy = _pair(p["center"], f"{where}/center")
        rx, ry = _pair(p["radii"], f"{where}/radii")
        angle = emit.number(p.get("angle", 0.0), f"{where}/angle")
        circle = "shapely.Point(0.0, 0.0).buffer(1.0, quad_segs=64)"
        scaled = f"shapely.affinity.scale({circle}, {rx}, {ry}, origin=(0.0, 0.0))"
        rotated = f"shapely.affinity.rotate({scaled}, {angle}, origin=(0.0, 0.0))"
        return f"shapely.affinity.translate({rotated}, {cx}, {cy})"
    if kind == "polygon":
        points = p["points"]
        if not isinstance(points, list):
            raise emit.UnsafeValue(f"{where}/points", "expected a list of points")
        pairs = [_pair(pt, f"{where}/points/{i}") for i, pt in enumerate(points)]
        return "shapely.Polygon([" + ", ".join(f"({x}, {y})" for x, y in pairs) + "])"
    raise emit.UnsafeValue(f"{where}/type", f"primitive type {kind!r} is not a 2-D shape")


def primitive_name(primitive_id: str) -> str:
    """The Python identifier of a primitive's shape (ASCII; distinct for distinct ids).

    Example:
        >>> primitive_name("disk"), primitive_name("a b")
        ('shape_disk', 'shape_a_b_7dbde9')
    """
    clean = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in primitive_id)
    if clean != primitive_id:
        clean += "_" + hashlib.sha1(primitive_id.encode("utf-8", "replace")).hexdigest()[:6]
    return emit.name("shape_" + clean, "geometry/primitives/id")


def _csg(tree: Any, where: str, depth: int = 0) -> str:
    if depth > CSG_MAX_DEPTH:
        raise emit.UnsafeValue(where, f"the CSG tree is nested deeper than {CSG_MAX_DEPTH} levels")
    if isinstance(tree, str):
        return primitive_name(tree)
    op = tree["op"]
    if op not in _OPS:
        raise emit.UnsafeValue(f"{where}/op", f"{op!r} is not one of {', '.join(_OPS)}")
    first, *rest = (_csg(arg, f"{where}/args/{i}", depth + 1) for i, arg in enumerate(tree["args"]))
    for other in rest:
        first = f"{first}.{_OPS[op]}({other})"
    return first


CSG_MAX_DEPTH = 32
"""Deepest CSG tree the lowering writes out."""


def _time(geometry: dict[str, Any]) -> str:
    time = geometry.get("time")
    if not time:
        return ""
    t0 = emit.number(time["t0"], "geometry/time/t0")
    t1 = emit.number(time["t1"], "geometry/time/t1")
    steps = emit.integer(time["steps"], "geometry/time/steps", 1)
    return f", time=({t0}, {t1}, {steps})"


def geometry_statements(geometry: dict[str, Any]) -> list[str]:
    """Statements that define `domain` from the document's geometry section.

    Raises:
        emit.UnsafeValue: a value that cannot be emitted, naming its path.
    """
    if int(geometry["dimension"]) == 1:
        (interval,) = [p for p in geometry["primitives"] if p["type"] == "interval"]
        index = geometry["primitives"].index(interval)
        x0, x1 = interval["x"]
        lo, hi = _pair(interval["x"], f"geometry/primitives/{index}/x")
        if "mesh_size" in geometry:
            mesh = emit.number(geometry["mesh_size"], "geometry/mesh_size")
        else:
            mesh = emit.number((x1 - x0) / 64, "geometry/primitives/x")
        return [
            f"domain = jno.domain(constructor=jno.domain.line(mesh_size={mesh}, "
            f"x_range=({lo}, {hi})){_time(geometry)})"
        ]
    out = [
        f"{primitive_name(p['id'])} = {_primitive(p, f'geometry/primitives/{i}')}"
        for i, p in enumerate(geometry["primitives"])
    ]
    out.append(f"domain = jno.domain({_csg(geometry['csg'], 'geometry/csg')}{_time(geometry)})")
    for i, tag in enumerate(geometry.get("tags", [])):
        where = f"geometry/tags/{i}"
        name = emit.string(emit.name(tag["name"], f"{where}/name"), f"{where}/name")
        if "predicate" in tag:
            body = emit.expression(
                tag["predicate"], f"{where}/predicate", ("x", "y"), kind="predicate"
            )
            out.append(f"domain.region({name}, lambda x, y: {body})")
        elif "edges" in tag:
            edges = [
                "[("
                + "), (".join(
                    ", ".join(_pair(pt, f"{where}/edges/{j}/{k}")) for k, pt in enumerate(edge)
                )
                + ")]"
                for j, edge in enumerate(tag["edges"])
            ]
            out.append(f"domain.add_boundary_segments({name}, [{', '.join(edges)}])")
        elif "primitive" in tag:
            out.append(f"domain.region({name}, {primitive_name(tag['primitive'])})")
    return out
