"""Geometry section -> Python statements building `domain` (shapely for 2-D, a line for 1-D).

Each primitive is written by its definition in the geometry catalogue
(`catalogue.geometry`), whose `document_shape` builds the same shape directly.

Every value goes through the emitters (`emit`): numbers are finite float
literals, names and tags string literals, primitive ids become checked
identifiers, and tag predicates are expressions of the restricted grammar.
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import emit
from .catalogue.geometry import CSG_MAX_DEPTH, CSG_OPS, primitive_type
from .catalogue.geometry_types import pair


def _primitive(p: dict[str, Any], where: str) -> str:
    """The expression of one 2-D primitive's shape (its catalogue definition's emit)."""
    try:
        definition = primitive_type(p["type"])
    except KeyError:
        definition = None
    if definition is None or definition.dimension != 2:
        raise emit.UnsafeValue(f"{where}/type", f"primitive type {p['type']!r} is not a 2-D shape")
    return definition.emit(p, where)


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
    if op not in CSG_OPS:
        raise emit.UnsafeValue(f"{where}/op", f"{op!r} is not one of {', '.join(CSG_OPS)}")
    first, *rest = (_csg(arg, f"{where}/args/{i}", depth + 1) for i, arg in enumerate(tree["args"]))
    for other in rest:
        first = f"{first}.{op}({other})"
    return first


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
        lo, hi = pair(interval["x"], f"geometry/primitives/{index}/x")
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
                    ", ".join(pair(pt, f"{where}/edges/{j}/{k}")) for k, pt in enumerate(edge)
                )
                + ")]"
                for j, edge in enumerate(tag["edges"])
            ]
            out.append(f"domain.add_boundary_segments({name}, [{', '.join(edges)}])")
        elif "primitive" in tag:
            out.append(f"domain.region({name}, {primitive_name(tag['primitive'])})")
    return out
