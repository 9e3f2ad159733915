"""The geometry part of `document.schema.json`, derived from the geometry catalogue.

The schema file is complete on its own (it is published with the package), so
the primitive definition and the CSG operations are written into it from the
catalogue (`write_document_schema`, also run by `python -m
jno_lab.workbench.catalogue`), and a test keeps the two in agreement.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .geometry import CSG_OPS, PRIMITIVE_TYPES
from .json_format import format_json

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "document.schema.json"
"""The document schema shipped in the package."""

_KIND_RULES: dict[str, dict[str, Any]] = {
    "number": {"type": "number"},
    "point": {"$ref": "#/$defs/point"},
    "range": {"$ref": "#/$defs/range"},
    "points": {"type": "array", "items": {"$ref": "#/$defs/point"}, "minItems": 3},
}
"""The JSON Schema of each field kind (`geometry_types.FIELD_KINDS`)."""


def primitive_schema() -> dict[str, Any]:
    """The schema of one primitive: its type and every field any type has.

    Which fields a type requires is checked by validation (from the same
    definitions); the schema gives each field's shape and its help per type.

    Example:
        >>> rules = primitive_schema()
        >>> rules["properties"]["type"]["enum"]
        ['interval', 'rectangle', 'circle', 'ellipse', 'polygon']
        >>> rules["properties"]["radius"]["exclusiveMinimum"]
        0
    """
    properties: dict[str, Any] = {
        "id": {"type": "string", "minLength": 1},
        "type": {"enum": list(PRIMITIVE_TYPES)},
    }
    helps: dict[str, dict[str, list[str]]] = {}  # field -> help -> types
    for primitive in PRIMITIVE_TYPES.values():
        for field in primitive.fields:
            rule = dict(_KIND_RULES[field.kind])
            if field.positive and field.kind == "number":  # pairs: checked by validation
                rule["exclusiveMinimum"] = 0
            known = properties.setdefault(field.name, rule)
            if known != rule:
                raise ValueError(
                    f"primitive field {field.name!r} of {primitive.type!r} has another shape "
                    f"than the same field of another type ({known} vs {rule}): give it a new name"
                )
            helps.setdefault(field.name, {}).setdefault(field.doc, []).append(primitive.title)
    for name, by_help in helps.items():
        text = "; ".join(f"{', '.join(titles)}: {doc}" for doc, titles in by_help.items())
        properties[name] = {"description": text + ".", **properties[name]}
    return {"type": "object", "required": ["id", "type"], "properties": properties}


def with_geometry(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (the document schema) with its primitive and CSG operations from the catalogue.

    Example:
        >>> current = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        >>> with_geometry(current) == current  # the shipped file agrees
        True
    """
    out = copy.deepcopy(schema)
    out["$defs"]["primitive"] = primitive_schema()
    operation = out["$defs"]["csg"]["oneOf"][1]
    operation["properties"]["op"] = {"enum": list(CSG_OPS)}
    return out


def document_schema_text(path: str | Path = SCHEMA_PATH) -> str:
    """The text the document schema at `path` should have."""
    current = json.loads(Path(path).read_text(encoding="utf-8"))
    return format_json(with_geometry(current))


def write_document_schema(path: str | Path = SCHEMA_PATH) -> None:
    """Rewrite the document schema at `path` with the catalogue's geometry definitions."""
    Path(path).write_text(document_schema_text(path), encoding="utf-8")
