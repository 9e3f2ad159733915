"""Geometry checks of a schema-valid document: primitives, CSG references and tags.

What each primitive type needs comes from its definition in the geometry
catalogue (`catalogue.geometry`).

>>> sorted(known_tags({"dimension": 1, "primitives": [], "csg": "line"}))
['boundary', 'interior', 'left', 'right']
"""

from __future__ import annotations

from typing import Any

from . import emit
from .catalogue.geometry import PRIMITIVE_TYPES
from .validate_problem import MAX_CSG_DEPTH, Problem, problem


def _geometry_problems(geometry: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    listed = [p["id"] for p in geometry["primitives"]]
    ids = set(listed)
    if len(ids) != len(listed):
        out.append(problem("geometry", "primitive ids must be unique"))
    dimension = geometry["dimension"]
    kinds = {p["type"] for p in geometry["primitives"]}
    lines = {name for name, d in PRIMITIVE_TYPES.items() if d.dimension == 1}
    if dimension == 1 and not (kinds and kinds <= lines):
        out.append(problem("geometry", "a 1-D geometry is one interval primitive"))
    if dimension == 2:
        out += [
            problem("geometry", f"{kind} primitives are for 1-D geometries")
            for kind in sorted(kinds & lines)
        ]
    for p in geometry["primitives"]:
        missing = PRIMITIVE_TYPES[p["type"]].missing(p)
        if missing:
            out.append(problem("geometry", f"primitive {p['id']!r} lacks {', '.join(missing)}"))
    for ref in _csg_refs(geometry["csg"]):
        if ref not in ids:
            out.append(problem("geometry", f"the CSG tree names an unknown primitive {ref!r}"))
    if dimension == 1 and geometry.get("tags"):
        out.append(
            problem(
                "geometry",
                "1-D geometries have the tags interior, boundary, left and "
                "right only; named tags need a 2-D geometry",
            )
        )
    for tag in geometry.get("tags", []):
        if "predicate" in tag:
            try:
                emit.expression(tag["predicate"], "predicate", ("x", "y"), kind="predicate")
            except emit.UnsafeValue as err:
                msg = f"tag {tag['name']!r}: not a predicate of x and y ({err.reason})"
                out.append(problem("syntax", msg))
        elif "primitive" in tag and tag["primitive"] not in ids:
            out.append(problem("geometry", f"tag {tag['name']!r} names an unknown primitive"))
        elif not {"predicate", "edges", "primitive"} & set(tag):
            out.append(
                problem("geometry", f"tag {tag['name']!r} needs a predicate, edges or a primitive")
            )
    return out


def _csg_refs(tree: Any) -> list[str]:
    """The primitives a (schema-valid) CSG tree names, left to right."""
    refs = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            refs.append(node)
        else:
            stack.extend(reversed(node["args"]))
    return refs


def known_tags(geometry: dict[str, Any]) -> set[str]:
    """Tags a document's domain will have."""
    tags = {"interior", "boundary"}
    if geometry["dimension"] == 1:
        tags |= {"left", "right"}
    if geometry.get("time"):
        tags.add("initial")
    tags |= {t["name"] for t in geometry.get("tags", [])}
    return tags


def _csg_too_deep(tree: Any) -> list[Any] | None:
    """The path (under the tree) of an operation nested more than `MAX_CSG_DEPTH` deep."""
    deepest: dict[int, int] = {}  # id -> deepest level walked (so each node at most that often)
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(tree, 1, ())]
    while stack:
        node, depth, where = stack.pop()
        if not isinstance(node, dict) or not isinstance(node.get("args"), list):
            continue
        if depth > MAX_CSG_DEPTH:
            return list(where)
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        stack.extend((arg, depth + 1, (*where, "args", i)) for i, arg in enumerate(node["args"]))
    return None
