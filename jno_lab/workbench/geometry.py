"""Geometry section -> Python statements building `domain` (shapely for 2-D, a line for 1-D)."""

from __future__ import annotations

from typing import Any

_OPS = {
    "union": "union",
    "difference": "difference",
    "intersection": "intersection",
    "symmetric_difference": "symmetric_difference",
}


def _primitive(p: dict[str, Any]) -> str:
    kind = p["type"]
    if kind == "rectangle":
        (x0, x1), (y0, y1) = p["x"], p["y"]
        return f"shapely.box({x0!r}, {y0!r}, {x1!r}, {y1!r})"
    if kind == "circle":
        cx, cy = p["center"]
        return f"shapely.Point({cx!r}, {cy!r}).buffer({p['radius']!r}, quad_segs=64)"
    if kind == "ellipse":
        cx, cy = p["center"]
        rx, ry = p["radii"]
        angle = p.get("angle", 0.0)
        circle = "shapely.Point(0.0, 0.0).buffer(1.0, quad_segs=64)"
        scaled = f"shapely.affinity.scale({circle}, {rx!r}, {ry!r}, origin=(0.0, 0.0))"
        rotated = f"shapely.affinity.rotate({scaled}, {angle!r}, origin=(0.0, 0.0))"
        return f"shapely.affinity.translate({rotated}, {cx!r}, {cy!r})"
    if kind == "polygon":
        return f"shapely.Polygon({[tuple(pt) for pt in p['points']]!r})"
    raise ValueError(f"primitive type {kind!r} is not a 2-D shape")


def primitive_name(primitive_id: str) -> str:
    """The Python identifier of a primitive's shape."""
    return "shape_" + "".join(c if c.isalnum() else "_" for c in primitive_id)


def _csg(tree: Any) -> str:
    if isinstance(tree, str):
        return primitive_name(tree)
    first, *rest = (_csg(arg) for arg in tree["args"])
    method = _OPS[tree["op"]]
    for other in rest:
        first = f"{first}.{method}({other})"
    return first


def _time(geometry: dict[str, Any]) -> str:
    time = geometry.get("time")
    if not time:
        return ""
    return f", time=({time['t0']!r}, {time['t1']!r}, {int(time['steps'])})"


def geometry_statements(geometry: dict[str, Any]) -> list[str]:
    """Statements that define `domain` from the document's geometry section."""
    if int(geometry["dimension"]) == 1:
        (interval,) = [p for p in geometry["primitives"] if p["type"] == "interval"]
        x0, x1 = interval["x"]
        mesh = geometry.get("mesh_size", (x1 - x0) / 64)
        return [
            f"domain = jno.domain(constructor=jno.domain.line(mesh_size={mesh!r}, "
            f"x_range=({x0!r}, {x1!r})){_time(geometry)})"
        ]
    out = [f"{primitive_name(p['id'])} = {_primitive(p)}" for p in geometry["primitives"]]
    out.append(f"domain = jno.domain({_csg(geometry['csg'])}{_time(geometry)})")
    for tag in geometry.get("tags", []):
        name = tag["name"]
        if "predicate" in tag:
            out.append(f"domain.region({name!r}, lambda x, y: {tag['predicate']})")
        elif "edges" in tag:
            edges = [[tuple(a), tuple(b)] for a, b in tag["edges"]]
            out.append(f"domain.add_boundary_segments({name!r}, {edges!r})")
        elif "primitive" in tag:
            out.append(f"domain.region({name!r}, {primitive_name(tag['primitive'])})")
    return out
