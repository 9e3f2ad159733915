"""Values no document may hold, and nesting beyond the limits: one iterative pass.

Iterative, so it is safe on any nesting: it runs before every recursive check.

>>> [p["message"] for p in value_problems({"graph": {"nodes": [], "edges": [float("nan")]}})]
['graph/edges/0: NaN is not a number a document may hold; use a finite number']
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

from .validate_geometry import _csg_too_deep
from .validate_problem import MAX_CSG_DEPTH, MAX_DEPTH, MAX_LISTED, Problem, problem

_FLOAT_MAX = sys.float_info.max
_SURROGATE = re.compile("[\ud800-\udfff]")


def value_problems(document: dict[str, Any]) -> list[Problem]:
    """Nesting beyond the limits and values no document may hold, each naming its path.

    Iterative, and visits each value once (shared containers, and so cycles, are
    not walked twice), so it ends on any Python object built of dicts and lists.
    """
    found: list[Problem] = []
    count = 0

    def report(code: str, keys: list[Any], message: str) -> None:
        nonlocal count
        count += 1
        if count <= MAX_LISTED:
            node_id, port = _located(document, keys)
            found.append(problem(code, f"{_path(keys)}: {message}", node_id, port))

    skip: Any = None  # a CSG tree already reported as too deep
    geometry = document.get("geometry")
    if isinstance(geometry, dict) and "csg" in geometry:
        deep = _csg_too_deep(geometry["csg"])
        if deep is not None:
            report(
                "depth",
                ["geometry", "csg", *deep],
                f"the CSG tree is nested more than {MAX_CSG_DEPTH} operations deep; flatten it "
                "(one union, difference or intersection takes any number of shapes)",
            )
            skip = geometry["csg"]
    # Containers met so far, as parallel lists (parent, key, depth): no tuple per value,
    # which keeps the garbage collector out of the walk of a large document.
    parents, depths = [-1], [1]
    keys: list[str | int | None] = [None]

    def path(record: int, *last: Any) -> list[Any]:
        out = list(reversed(last))
        while record > 0:
            out.append(keys[record])
            record = parents[record]
        out.reverse()
        return out

    seen: set[int] = set()
    values: list[Any] = [document]
    records = [0]
    while values:
        value, record = values.pop(), records.pop()
        if id(value) in seen or value is skip:
            continue
        depth = depths[record]
        if depth > MAX_DEPTH:
            report(
                "depth",
                path(record),
                f"the document is nested more than {MAX_DEPTH} levels deep here; a workbench "
                "document never needs that many: remove the nesting",
            )
            continue
        seen.add(id(value))
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(key, str) and not key.isascii() and _SURROGATE.search(key):
                report("text", path(record, key), _surrogate_message(key, "key"))
            if isinstance(item, str):
                if not item.isascii() and _SURROGATE.search(item):
                    report("text", path(record, key), _surrogate_message(item, "text"))
            elif isinstance(item, float):
                if not math.isfinite(item):
                    report("number", path(record, key), _non_finite_message(item))
            elif isinstance(item, int):
                if item > _FLOAT_MAX or item < -_FLOAT_MAX:
                    where = path(record, key)
                    coordinate = where[0] == "geometry"
                    code = "geometry" if coordinate else "number"
                    report(code, where, _huge_message(item, coordinate))
            elif isinstance(item, dict | list | tuple):
                parents.append(record)
                keys.append(key)
                depths.append(depth + 1)
                values.append(item)
                records.append(len(keys) - 1)
    if count > MAX_LISTED:
        found.append(
            problem(
                "values",
                f"{count - MAX_LISTED} more values like the ones above are not listed; "
                "fix those and validate again",
            )
        )
    return found


def _path(keys: list[Any]) -> str:
    """`a/b/0/c`, printable: lone surrogates escaped, odd keys by type only."""
    parts = []
    for key in keys:
        if isinstance(key, str):
            parts.append(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key))
        elif isinstance(key, int) and -(10**18) < key < 10**18:
            parts.append(str(key))
        else:
            parts.append(f"<{type(key).__name__} key>")
    return "/".join(parts) or "document"


def _located(document: dict[str, Any], keys: list[Any]) -> tuple[str | None, str | None]:
    """Node id and parameter a path points into (`graph/nodes/<i>/params/<name>/...`)."""
    if len(keys) < 3 or keys[:2] != ["graph", "nodes"] or not isinstance(keys[2], int):
        return None, None
    node = document["graph"]["nodes"][keys[2]]
    node_id = node.get("id") if isinstance(node, dict) else None
    if not isinstance(node_id, str) or _SURROGATE.search(node_id):
        return None, None
    port = keys[4] if len(keys) > 4 and keys[3] == "params" else None
    return node_id, port if isinstance(port, str) and not _SURROGATE.search(port) else None


def _surrogate_message(text: str, what: str) -> str:
    char = _SURROGATE.search(text)
    code = ord(char.group()) if char else 0
    return (
        f"the {what} holds a lone surrogate (U+{code:04X}), which is no character and "
        "cannot be saved as UTF-8; delete it or type the character again"
    )


def _non_finite_message(value: float) -> str:
    name = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return f"{name} is not a number a document may hold; use a finite number"


def _huge_message(value: int, in_geometry: bool) -> str:
    # `str()` of the integer may itself refuse (Python's digit limit): size from the bit length
    digits = int(value.bit_length() * 0.30103) + 1
    if in_geometry:
        return (
            f"an integer of about {digits} digits is too large for a coordinate (a float64 "
            f"holds at most {_FLOAT_MAX:.3g}); rescale the problem"
        )
    return (
        f"an integer of about {digits} digits is too large for any number of a document "
        f"(a float64 holds at most {_FLOAT_MAX:.3g}); use a smaller number"
    )
